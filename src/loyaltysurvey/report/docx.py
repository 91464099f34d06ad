"""Word renderer (python-docx).

Pages are A4. Tables follow APA 7: three horizontal rules (above and below the
header, below the last row), no vertical lines, the header repeated on every
page, numbers unbroken; the caption stands above (English: the number in bold
and the title in italics on the next line, as APA asks; Persian: «جدول ۱.» and
the title on one line, as Iranian theses do). Column widths follow their
content, and a table too wide for a portrait page is set on a landscape page.

Persian reports are right-to-left throughout: every paragraph carries
``w:bidi`` (and no explicit right alignment: in a bidi paragraph Word and
LibreOffice read ``jc="right"`` as the line's end, i.e. the left margin), every run ``w:rtl`` and a complex-script font (Vazirmatn, with the
fallbacks named in the locale), every section ``w:bidi`` and tables
``w:bidiVisual`` so that their first column stands on the right. Numbers are
wrapped in a left-to-right embedding (U+202A … U+202C) so that a minus sign or
an interval's brackets stay where a reader expects them.
"""

from __future__ import annotations

import io
import re

from docx import Document
from lxml import etree
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Inches, Pt, RGBColor

from .locale import Locale, load_locale
from .document import Callout, Cell, Figure, Paragraph, Report, Table, apa_runs

__all__ = ["render_docx"]

A4 = (Cm(21.0), Cm(29.7))
MARGIN = Cm(2.5)
#: Estimated width of one character of 9-point table text, and a cell's padding (inches).
CHAR_IN = 0.072
PAD_IN = 0.17
#: Tables of this many columns or more are set a point smaller.
MANY_COLUMNS = 8
BOLD = 1.08  # bold header text is wider
KEEP_TOGETHER = 0.8  # a table estimated at most this share of a page's height is kept on one page
LRE, PDF, NBSP = "\u202a", "\u202c", "\u00a0"


#: ECMA-376 fixes the order of the children of these property elements (Word rejects a file
#: that breaks it); :func:`_schema_order` puts every one back in that order before saving.
_ORDER = {
    "rPr": "rStyle rFonts b bCs i iCs caps smallCaps strike dstrike outline shadow emboss imprint noProof "
           "snapToGrid vanish webHidden color spacing w kern position sz szCs highlight u effect bdr shd fitText "
           "vertAlign rtl cs em lang eastAsianLayout specVanish oMath",
    "pPr": "pStyle keepNext keepLines pageBreakBefore framePr widowControl numPr suppressLineNumbers pBdr shd "
           "tabs suppressAutoHyphens kinsoku wordWrap overflowPunct topLinePunct autoSpaceDE autoSpaceDN bidi "
           "adjustRightInd snapToGrid spacing ind contextualSpacing mirrorIndents suppressOverlap jc textDirection "
           "textAlignment textboxTightWrap outlineLvl divId cnfStyle rPr sectPr pPrChange",
    "tblPr": "tblStyle tblpPr tblOverlap bidiVisual tblStyleRowBandSize tblStyleColBandSize tblW jc "
             "tblCellSpacing tblInd tblBorders shd tblLayout tblCellMar tblLook tblCaption tblDescription",
    "tcPr": "cnfStyle tcW gridSpan hMerge vMerge tcBorders shd noWrap tcMar textDirection tcFitText vAlign hideMark",
    "sectPr": "headerReference footerReference footnotePr endnotePr type pgSz pgMar paperSrc pgBorders "
              "lnNumType pgNumType cols formProt vAlign noEndnote titlePg textDirection bidi rtlGutter docGrid "
              "printerSettings sectPrChange",
}
_RANKS = {qn(f"w:{parent}"): {qn(f"w:{name}"): k for k, name in enumerate(names.split())}
          for parent, names in _ORDER.items()}


def _schema_order(root) -> None:
    """Sort the children of every property element under ``root`` into the schema's order."""
    for tag, ranks in _RANKS.items():
        for el in root.iter(tag):
            children = list(el)
            ordered = sorted(children, key=lambda c: ranks.get(c.tag, len(ranks)))
            if ordered != children:
                for child in children:
                    el.remove(child)
                el.extend(ordered)


def _set_bidi(paragraph) -> None:
    ppr = paragraph._p.get_or_add_pPr()
    if ppr.find(qn("w:bidi")) is None:
        ppr.insert(0, OxmlElement("w:bidi"))


def _style_run(run, report: Report, size: float | None = None, bold: bool = False, italic: bool = False,
               rtl: bool | None = None) -> None:
    rtl = report.rtl if rtl is None else rtl
    if rtl:
        islands = _ltr_islands(run.text)
        if islands != run.text:  # setting run.text would drop a run's other content (a field)
            run.text = islands
    run.font.name = report.font
    rpr = run._r.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attr), report.font)
    run.bold = bold or None
    run.italic = italic or None
    if rtl:
        if bold:
            rpr.append(OxmlElement("w:bCs"))
        if italic:
            rpr.append(OxmlElement("w:iCs"))
        rpr.append(OxmlElement("w:rtl"))
    if size:
        run.font.size = Pt(size)
        szcs = OxmlElement("w:szCs")
        szcs.set(qn("w:val"), str(int(size * 2)))
        rpr.append(szcs)


def _paragraph(doc, text: str, report: Report, *, size: float | None = None, bold: bool = False,
               italic: bool = False, align=None, rtl: bool | None = None):
    rtl = report.rtl if rtl is None else rtl
    p = doc.add_paragraph()
    if rtl:
        _set_bidi(p)
        if align is not None:
            p.alignment = align
    elif align is not None:
        p.alignment = align
    _style_run(p.add_run(text), report, size, bold, italic, rtl)
    return p


def _heading(doc, text: str, level: int, report: Report):
    h = doc.add_heading(level=level)
    if report.rtl:
        _set_bidi(h)
    _style_run(h.add_run(text), report)
    return h


def _border(parent, tag: str, edges: dict[str, int]) -> None:
    """``edges``: edge name → line width in eighths of a point (0 = none)."""
    box = OxmlElement(tag)
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        if edge not in edges:
            continue
        el = OxmlElement(f"w:{edge}")
        size = edges[edge]
        el.set(qn("w:val"), "single" if size else "nil")
        if size:
            el.set(qn("w:sz"), str(size))
            el.set(qn("w:space"), "0")
            el.set(qn("w:color"), "000000")
        box.append(el)
    parent.append(box)


def _tight(paragraph) -> None:
    """Table-cell spacing: single lines, a little air above and below."""
    fmt = paragraph.paragraph_format
    fmt.space_before, fmt.space_after, fmt.line_spacing = Pt(2), Pt(2), 1.0


#: A parenthesis holding Latin text, e.g. a citation "(Hu & Bentler, 1999)" in Persian prose.
_LATIN_ASIDE = re.compile(r"(?<!\u202a)\([^()\u0600-\u06ff]*[A-Za-z][^()\u0600-\u06ff]*\)")


def _ltr_islands(text: str) -> str:
    """In right-to-left text, keep each Latin parenthesis whole and in its own order.

    It is embedded left-to-right (so its brackets are not mirrored away from it) and its
    spaces, when it is short, are made non-breaking (so a narrow column cannot split
    "(Hu & Bentler, 1999)").
    """
    def island(m: re.Match) -> str:
        aside = m.group(0)
        return LRE + (aside.replace(" ", NBSP) if len(aside) <= 24 else aside) + PDF

    return _LATIN_ASIDE.sub(island, text)


def _cell_text(c: Cell, loc: Locale, rtl: bool) -> str:
    if c.fmt == "text":
        text = "" if c.value is None else str(c.value)
        return _ltr_islands(text) if rtl else text
    text = loc.num(c.value, c.fmt)
    return f"{LRE}{text}{PDF}" if rtl else text


def _column_widths(block: Table, texts: list[list[str]], available: float) -> tuple[list[float], bool]:
    """Inches per column, and whether the table needs a landscape page.

    Numeric columns get their widest value unbroken; text columns get at least their
    longest word and share what is left by how much text they hold.
    """
    numeric = [all(row[j].fmt != "text" or row[j].value in (None, "") for row in block.rows) and block.rows
               for j in range(len(block.columns))]
    least, wish = [], []
    char = CHAR_IN * _font_size(block) / 9
    for j, header in enumerate(block.columns):
        cells = [r[j].replace(LRE, "").replace(PDF, "") for r in texts]
        header_word = max([len(w) for w in _words(header)] + [3]) * BOLD
        longest_word = max([len(w) for t in cells for w in _words(t)] + [header_word])
        widest = max([len(t) for t in cells] + [0])
        if numeric[j]:
            lo = max(widest, longest_word)
            hi = max(lo, min(len(header) * BOLD, 14))
        else:  # short labels stay on one line; long text wraps at words
            lo = max(widest if widest <= 12 else min(longest_word, 24), header_word, 6)
            hi = max(lo, min(max(widest, len(header) * BOLD), 70))
        least.append(lo * char + PAD_IN)
        wish.append(hi * char + PAD_IN)
    wide = sum(least) > available
    return _share(least, wish, available if not wide else available * 29.7 / 21.0 + 0.4), wide


def _words(text: str) -> list[str]:
    """Where a line may break: at spaces, and after a hyphen."""
    return [w for w in re.split(r"[ \t\n]+|(?<=-)", text) if w]


def _font_size(block: Table) -> float:
    return 8.0 if len(block.columns) >= MANY_COLUMNS else 9.0


def _height(block: Table, texts: list[list[str]], widths: list[float]) -> float:
    """Estimated height of a table in inches, from the lines its cells wrap to."""
    size = _font_size(block)
    char = CHAR_IN * size / 9
    line = size * 1.25 / 72
    total = 2 * line
    for row in texts:
        lines = max(max(1, -(-len(t) * char // max(w - PAD_IN, 0.1))) for t, w in zip(row, widths))
        total += lines * line + 4 / 72
    return total


def _share(least: list[float], wish: list[float], width: float) -> list[float]:
    if sum(wish) <= width:
        scale = width / sum(wish)
        return [w * scale for w in wish]
    spare = max(0.0, width - sum(least))
    extra = [w - lo for lo, w in zip(least, wish)]
    total = sum(extra) or 1.0
    return [lo + spare * e / total for lo, e in zip(least, extra)]


class _Writer:
    def __init__(self, report: Report) -> None:
        self.report = report
        self.loc = load_locale(report.lang)
        self.doc = Document()
        self.landscape = False
        section = self.doc.sections[0]
        self._page(section, landscape=False)
        self._page_numbers(section)
        normal = self.doc.styles["Normal"]
        normal.font.name = report.font
        normal.font.size = Pt(11)
        # The text's language (Persian: digits in fields such as the page number are shaped as Persian)
        lang = OxmlElement("w:lang")
        lang.set(qn("w:val"), "fa-IR" if report.lang == "fa" else "en-US")
        lang.set(qn("w:bidi"), "fa-IR" if report.rtl else "ar-SA")
        normal.element.get_or_add_rPr().append(lang)

    def _page_numbers(self, section) -> None:
        """A centred page number in the footer (a PAGE field; later sections inherit the footer)."""
        p = section.footer.paragraphs[0]
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        if self.report.rtl:
            _set_bidi(p)
        field = OxmlElement("w:fldSimple")
        field.set(qn("w:instr"), " PAGE ")
        run = p.add_run("1")
        _style_run(run, self.report, 9)
        run._r.addprevious(field)
        field.append(run._r)

    @property
    def text_width(self) -> float:
        section = self.doc.sections[-1]
        return (section.page_width - section.left_margin - section.right_margin) / 914400

    def _page(self, section, landscape: bool) -> None:
        width, height = A4
        section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = (height, width) if landscape else (width, height)
        for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
            setattr(section, side, MARGIN)
        if self.report.rtl and section._sectPr.find(qn("w:bidi")) is None:
            section._sectPr.append(OxmlElement("w:bidi"))

    def orientation(self, landscape: bool) -> None:
        if landscape == self.landscape:
            return
        self._page(self.doc.add_section(WD_SECTION.NEW_PAGE), landscape)
        self.landscape = landscape
        # The break is held by an empty paragraph; made 1 pt high it cannot spill onto a page of its own.
        holder = self.doc.paragraphs[-1]
        if holder._p.pPr is not None and holder._p.pPr.sectPr is not None:
            fmt = holder.paragraph_format
            fmt.space_before, fmt.space_after, fmt.line_spacing = Pt(0), Pt(0), Pt(1)
            mark = OxmlElement("w:rPr")
            size = OxmlElement("w:sz")
            size.set(qn("w:val"), "2")
            mark.append(size)
            holder._p.pPr.sectPr.addprevious(mark)

    def caption(self, label: str, number: int, caption: str, *, align=None) -> None:
        number_text = self.loc.num(number, "int")
        if self.report.rtl:
            p = _paragraph(self.doc, f"{label} {number_text}. {caption}", self.report, size=10, bold=True, align=align)
            p.paragraph_format.space_before = Pt(12)
        else:  # APA 7: the number in bold, the title in italics on its own line
            p = _paragraph(self.doc, f"{label} {number_text}", self.report, size=10, bold=True, align=align)
            p.paragraph_format.space_before = Pt(12)
            p.paragraph_format.space_after = Pt(0)
            p.paragraph_format.keep_with_next = True
            p = _paragraph(self.doc, caption, self.report, size=10, italic=True, align=align)
        p.paragraph_format.keep_with_next = True

    def _wide(self, block) -> bool:
        """Whether ``block`` is a table too wide for a portrait page."""
        if not isinstance(block, Table):
            return False
        texts = [[_cell_text(c, self.loc, self.report.rtl) for c in row] for row in block.rows]
        return _column_widths(block, texts, (A4[0] - 2 * MARGIN) / 914400)[1]

    def table(self, block: Table) -> None:
        rtl = self.report.rtl
        texts = [[_cell_text(c, self.loc, rtl) for c in row] for row in block.rows]
        widths, wide = _column_widths(block, texts, (A4[0] - 2 * MARGIN) / 914400)
        self.orientation(wide)
        self.caption(self.loc.t("labels.table"), block.number, block.caption)
        table = self.doc.add_table(rows=1, cols=len(block.columns))
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        table.autofit = False
        tblpr = table._tbl.tblPr
        if rtl:
            tblpr.append(OxmlElement("w:bidiVisual"))
        _border(tblpr, "w:tblBorders", {"top": 12, "bottom": 12, "left": 0, "right": 0, "insideH": 0, "insideV": 0})
        layout = OxmlElement("w:tblLayout")
        layout.set(qn("w:type"), "fixed")
        tblpr.append(layout)
        for j, width in enumerate(widths):
            table.columns[j].width = Inches(width)
        header = table.rows[0]
        trpr = header._tr.get_or_add_trPr()
        trpr.append(OxmlElement("w:tblHeader"))
        for j, name in enumerate(block.columns):
            cell = header.cells[j]
            cell.width = Inches(widths[j])
            _border(cell._tc.get_or_add_tcPr(), "w:tcBorders", {"bottom": 6})
            p = cell.paragraphs[0]
            if rtl:
                _set_bidi(p)
            if j:
                p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            _tight(p)
            p.paragraph_format.keep_with_next = True
            for piece, italic in self.loc.spans(name):  # APA: statistical symbols in italics
                _style_run(p.add_run(piece), self.report, _font_size(block), bold=True, italic=italic)
        page_height = (A4[0] if wide else A4[1]) / 914400 - 2 * MARGIN / 914400
        keep = _height(block, texts, widths) <= KEEP_TOGETHER * page_height
        for i, (row, row_texts) in enumerate(zip(block.rows, texts)):
            tr = table.add_row()
            tr._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
            for j, (c, text) in enumerate(zip(row, row_texts)):
                cell = tr.cells[j]
                cell.width = Inches(widths[j])
                p = cell.paragraphs[0]
                if rtl:
                    _set_bidi(p)
                if c.fmt != "text":
                    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
                    cell._tc.get_or_add_tcPr().append(OxmlElement("w:noWrap"))
                _tight(p)
                p.paragraph_format.keep_with_next = keep and i < len(block.rows) - 1
                _style_run(p.add_run(text), self.report, _font_size(block), bold=c.emphasis)
        for k, note in enumerate(block.notes):
            p = self.doc.add_paragraph()
            if rtl:
                _set_bidi(p)
            if k == 0:
                _style_run(p.add_run(self.loc.t("labels.note") + " "), self.report, 8, italic=not rtl)
            _style_run(p.add_run(note), self.report, 8)
            p.paragraph_format.space_after = Pt(2)

    def figure(self, block: Figure) -> None:
        self.orientation(False)
        label = self.loc.t("labels.figure")
        center = WD_ALIGN_PARAGRAPH.CENTER
        if not self.report.rtl:
            self.caption(label, block.number, block.caption)
        self.doc.add_picture(io.BytesIO(block.png), width=Inches(min(block.width, self.text_width)))
        picture = self.doc.paragraphs[-1]
        picture.alignment = center
        if self.report.rtl:  # Iranian theses put the figure's caption below it
            picture.paragraph_format.keep_with_next = True
            self.caption(label, block.number, block.caption, align=center)

    def declare_fonts(self) -> None:
        """Name the report font in the font table, each fallback as the previous one's alternative.

        Word substitutes a missing font by its ``w:altName``: Vazirmatn, else B Nazanin, else Tahoma.
        """
        part = next(rel.target_part for rel in self.doc.part.rels.values() if rel.reltype.endswith("/fontTable"))
        table = etree.fromstring(part.blob)
        chain = [self.report.font, *self.report.font_fallbacks]
        known = {el.get(qn("w:name")) for el in table.findall(qn("w:font"))}
        for name, alternative in zip(chain, chain[1:] + [None]):
            if name in known:
                continue
            font = etree.SubElement(table, qn("w:font"))
            font.set(qn("w:name"), name)
            if alternative:
                etree.SubElement(font, qn("w:altName")).set(qn("w:val"), alternative)
            etree.SubElement(font, qn("w:charset")).set(qn("w:val"), "B2" if self.report.rtl else "00")
            etree.SubElement(font, qn("w:family")).set(qn("w:val"), "auto")
            etree.SubElement(font, qn("w:pitch")).set(qn("w:val"), "variable")
        part._blob = etree.tostring(table, xml_declaration=True, encoding="UTF-8", standalone=True)

    def render(self) -> bytes:
        report, doc = self.report, self.doc
        self.declare_fonts()
        _heading(doc, report.title, 0, report)
        _paragraph(doc, report.subtitle, report, size=13)
        _paragraph(doc, report.generated, report, size=8)
        for section in report.sections:
            blocks = list(section.blocks)
            if section.title:
                # a section that opens with a wide table (or a paragraph and a wide table) starts on the
                # landscape page, so that no portrait page holds only its heading or its first lines
                opens_wide = any(self._wide(b) for b in blocks[:2]) and all(
                    isinstance(b, (Paragraph, Table)) for b in blocks[:2])
                self.orientation(opens_wide)
                _heading(doc, section.title, 1, report).paragraph_format.keep_with_next = True
            for k, block in enumerate(blocks):
                if isinstance(block, Table):
                    self.table(block)
                    continue
                if isinstance(block, Figure):
                    self.figure(block)
                    continue
                # a paragraph that introduces a wide table goes onto the table's landscape page
                self.orientation(isinstance(block, Paragraph) and k + 1 < len(blocks) and self._wide(blocks[k + 1]))
                if isinstance(block, Paragraph):
                    p = _paragraph(doc, block.text, report)
                    p.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
                elif isinstance(block, Callout):
                    p = _paragraph(doc, block.text, report)
                    for run in p.runs:
                        run.font.color.rgb = RGBColor(0x9A, 0x34, 0x12)
        self.orientation(False)
        if report.references:
            _heading(doc, report.references_title, 1, report)
            for ref in report.references:  # APA references are left-to-right, with a hanging indent
                runs = apa_runs(ref)
                p = _paragraph(doc, runs[0][0], report, size=10, italic=runs[0][1], rtl=False,
                               align=WD_ALIGN_PARAGRAPH.LEFT)
                for text, italic in runs[1:]:
                    _style_run(p.add_run(text), report, 10, False, italic, False)
                p.paragraph_format.left_indent = Pt(18)
                p.paragraph_format.first_line_indent = Pt(-18)
        _schema_order(doc.element)
        for section in doc.sections:
            _schema_order(section.footer._element)
        buffer = io.BytesIO()
        doc.save(buffer)
        return buffer.getvalue()


def render_docx(report: Report) -> bytes:
    """The chapter as a .docx file's bytes.

    A Word document in APA style: headings, paragraphs with statistical symbols in italics,
    numbered tables and figures with their notes, right-to-left paragraphs and tables for
    right-to-left languages, and the references with a hanging indent. Nothing is computed
    here; write the bytes to a ``.docx`` file. The document is rendered with LibreOffice by
    tests/test_report_render.py.

    >>> from loyaltysurvey.report.document import Cell, Paragraph, Report, Section, Table
    >>> table = Table("alpha", "Reliability", ("Scale", "alpha"), ((Cell("SAT"), Cell(0.8193, "r")),), number=1)
    >>> report = Report("en", False, "Results", "Demo", "Generated today", "Calibri", (),
    ...                 (Section("rel", "Reliability", (Paragraph("One scale."), table)),))
    >>> render_docx(report)[:2]  # a .docx file is a zip archive
    b'PK'
    """
    return _Writer(report).render()
