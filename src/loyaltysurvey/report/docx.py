"""Word renderer (python-docx).

Pages are A4. Tables follow APA 7: three horizontal rules (above and below the
header, below the last row), no vertical lines, the header repeated on every
page, rows never split across pages, numbers unbroken; the caption stands above
(English: the number in bold and the title in italics on the next line, as APA
asks; Persian: «جدول ۱.» and the title on one line, as Iranian theses do) and is
kept on the page of the table's first rows, as is a note that introduces the
table. Column widths follow their content, measured in the font: every header
word fits its column unbroken; a table too wide for a portrait page is set on a
landscape page, and one too wide for that in a smaller font.

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
from functools import lru_cache
from pathlib import Path
from typing import Callable

from docx import Document
from lxml import etree
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.shape import CT_Inline
from docx.oxml.ns import nsdecls, qn
from docx.shared import Cm, Inches, Pt, RGBColor

from .locale import Locale, load_locale
from .document import Callout, Cell, Figure, Paragraph, Report, Table, apa_runs

__all__ = ["render_docx", "start_docx"]

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
    """Sort the children of every property element under ``root`` into the schema's order.

    The body's tables are skipped: :func:`_table_xml` writes them in that order already.
    """
    body = root.find(qn("w:body"))
    parts = [root] if body is None else [child for child in body if child.tag != qn("w:tbl")]
    for part in parts:
        order_properties(part)


def order_properties(part) -> None:
    """Every property element's children under ``part`` (itself included) in the order ECMA-376
    fixes: Word rejects another order, and python-docx appends where it likes."""
    for el in part.iter(*_RANKS):
        ranks = _RANKS[el.tag]
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
    """The run's font (every script slot), weight, slant, size and direction, written straight into
    its ``w:rPr`` (python-docx's property setters cost a tenth of a second a chapter); the
    children are put in the schema's order before saving (:func:`_schema_order`)."""
    rtl = report.rtl if rtl is None else rtl
    if rtl:
        islands = _ltr_islands(run.text)
        if islands != run.text:  # setting run.text would drop a run's other content (a field)
            run.text = islands
    rpr = run._r.get_or_add_rPr()
    for tag in ("w:rFonts", "w:b", "w:i", "w:sz"):  # what python-docx's setters would replace
        old = rpr.find(qn(tag))
        if old is not None:
            rpr.remove(old)
    font = report.font
    rpr.append(OxmlElement("w:rFonts", {qn("w:ascii"): font, qn("w:hAnsi"): font, qn("w:cs"): font,
                                        qn("w:eastAsia"): font}))
    if bold:
        rpr.append(OxmlElement("w:b"))
    if italic:
        rpr.append(OxmlElement("w:i"))
    if rtl:
        if bold:
            rpr.append(OxmlElement("w:bCs"))
        if italic:
            rpr.append(OxmlElement("w:iCs"))
        rpr.append(OxmlElement("w:rtl"))
    if size:
        half_points = str(int(size * 2))
        rpr.append(OxmlElement("w:sz", {qn("w:val"): half_points}))
        rpr.append(OxmlElement("w:szCs", {qn("w:val"): half_points}))


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

    It is embedded left-to-right, so its brackets are not mirrored away from it. Its spaces stay
    ordinary spaces: made non-breaking, LibreOffice broke a citation that reached the end of a
    line inside a word ("(George & Mal" / "lery, 2010)") instead of before it.
    """
    def island(m: re.Match) -> str:
        return LRE + m.group(0) + PDF

    return _LATIN_ASIDE.sub(island, text)


def _cell_text(c: Cell, loc: Locale, rtl: bool) -> str:
    if c.fmt == "text":
        text = "" if c.value is None else str(c.value)
        return _ltr_islands(text) if rtl else text
    text = loc.num(c.value, c.fmt)
    return f"{LRE}{text}{PDF}" if rtl else text


#: Text is measured in DejaVu Sans, which matplotlib ships: as wide as the fonts a reader's Word or
#: LibreOffice sets (Calibri, Vazirmatn, or DejaVu Sans itself where those are missing) or wider,
#: so that a column given a word's measured width holds it on one line. Shaped with libraqm when
#: Pillow has it (Persian letters join and narrow), else glyph by glyph (wider still).
_MEASURE_FONTS = {False: "DejaVuSans.ttf", True: "DejaVuSans-Bold.ttf"}
_MEASURE_AT = 100  # points; widths scale linearly with the size
_SAFETY = 1.05
#: Table font sizes (points) tried in turn when a table's words do not fit a landscape page.
SMALLER = (8.0, 7.5, 7.0)
_FORMAT_CHARS = re.compile("[\u200b-\u200f\u202a-\u202e\u2066-\u2069]")
_ARABIC_LETTER = re.compile("[\u0600-\u06ff]")
_LETTER = re.compile(r"[^\W\d_]")


@lru_cache(maxsize=2)
def _measuring_font(bold: bool):
    """Pillow's FreeType font for measuring, or None (then characters are counted instead)."""
    try:
        import importlib.util

        from PIL import ImageFont, features
        spec = importlib.util.find_spec("matplotlib")
        folder = Path(spec.submodule_search_locations[0]) / "mpl-data" / "fonts" / "ttf"
        layout = ImageFont.Layout.RAQM if features.check("raqm") else ImageFont.Layout.BASIC
        return ImageFont.truetype(str(folder / _MEASURE_FONTS[bold]), _MEASURE_AT, layout_engine=layout)
    except Exception:  # noqa: BLE001 - no Pillow, no font file: fall back to counting characters
        return None


def _width_in(text: str, size: float, bold: bool = False) -> float:
    """Printed width of ``text`` (one line) in inches at ``size`` points, a little generously."""
    return _width_at_one_point(text, bold) * size


@lru_cache(maxsize=16384)
def _width_at_one_point(text: str, bold: bool) -> float:
    """:func:`_width_in` at 1 point: measured once per text, whatever sizes a table then tries."""
    text = _FORMAT_CHARS.sub("", text)
    font = _measuring_font(bold)
    if font is None:
        return len(text) * CHAR_IN / 9 * (BOLD if bold else 1.0)
    if not _LETTER.search(text):  # a number, an interval: its glyphs' advances, each measured once
        return sum(_advance(ch, bold) for ch in text) / _MEASURE_AT / 72 * _SAFETY
    direction = "rtl" if _ARABIC_LETTER.search(text) else None
    try:
        points = font.getlength(text, direction=direction)
    except (KeyError, ValueError, OSError):  # a direction needs libraqm
        points = font.getlength(text)
    return points / _MEASURE_AT / 72 * _SAFETY


@lru_cache(maxsize=4096)
def _advance(ch: str, bold: bool) -> float:
    """One character's advance (points at :data:`_MEASURE_AT`). Text without letters (numbers,
    intervals, most of a table's cells) is measured as the sum of its characters' advances:
    DejaVu Sans kerns none of these characters, so the sum is the shaped width (equal for Latin
    and Persian numbers and intervals in tests/test_docx_layout.py), at a tenth of the cost."""
    return _measuring_font(bold).getlength(ch)


def _needs(block: Table, texts: list[list[str]], size: float) -> tuple[list[float], list[float]]:
    """Per column, the least width (inches) and the width it would like, at ``size`` points.

    The least width holds the header's longest word (bold) and, for numeric columns, the
    widest value unbroken (measured in bold where the cell is emphasized); text columns hold their longest word (short labels on one line).
    The wished width holds the whole header on one line (numeric columns up to about 14
    characters) and text up to about 70 characters a line.
    """
    numeric = [all(row[j].fmt != "text" or row[j].value in (None, "") for row in block.rows) and block.rows
               for j in range(len(block.columns))]
    char = CHAR_IN * size / 9
    least, wish = [], []
    for j, header in enumerate(block.columns):
        cells = [r[j] for r in texts]
        bold = [bool(getattr(r[j], "emphasis", False)) for r in block.rows]  # emphasized cells are set in bold
        header_word = max([_width_in(w, size, True) for w in _words(header)] + [3 * char])
        header_line = _width_in(header, size, True)
        words = [_width_in(w, size, b) for t, b in zip(cells, bold) for w in _words(t)]
        widest = max([_width_in(t, size, b) for t, b in zip(cells, bold)] + [0.0])
        if numeric[j]:
            lo = max([widest, header_word] + words)
            hi = max(lo, min(header_line, 14 * char))
        else:  # short labels stay on one line; long text wraps at words
            short = max([len(_FORMAT_CHARS.sub("", t)) for t in cells] + [0]) <= 12
            lo = max(widest if short else min(max(words + [0.0]), 24 * char), header_word, 6 * char)
            hi = max(lo, min(max(widest, header_line), 70 * char))
        least.append(lo + PAD_IN)
        wish.append(hi + PAD_IN)
    return least, wish


def _layout(block: Table, texts: list[list[str]]) -> tuple[list[float], bool, float]:
    """Column widths (inches), whether the table needs a landscape page, and its font size.

    A table whose words fit the portrait text width stays portrait; otherwise it goes on a
    landscape page, and when even that is too narrow its font is made smaller
    (:data:`SMALLER`) until every header word and number fits (at the smallest size,
    words may break).
    """
    portrait, landscape = (A4[0] - 2 * MARGIN) / 914400, (A4[1] - 2 * MARGIN) / 914400
    base = _font_size(block)
    least, wish = _needs(block, texts, base)
    if sum(least) <= portrait:
        return _share(least, wish, portrait), False, base
    for size in [base, *(s for s in SMALLER if s < base)]:
        least, wish = _needs(block, texts, size)
        if sum(least) <= landscape:
            break
    return _share(least, wish, landscape), True, size


def _words(text: str) -> list[str]:
    """The pieces a line may break between: words, and the parts of a long hyphenated word.

    A short one ("S-W", "R²-adj") is kept whole, since a break after its hyphen reads badly.
    """
    out = []
    for token in re.split(r"[ \t\n]+", text):
        if len(token) <= 8:
            out += [token] if token else []
        else:
            out += [w for w in re.split(r"(?<=-)", token) if w]
    return out


def _font_size(block: Table) -> float:
    return 8.0 if len(block.columns) >= MANY_COLUMNS else 9.0


def _height(texts: list[list[str]], widths: list[float], size: float) -> float:
    """Estimated height of a table in inches, from the lines its cells wrap to."""
    line = size * 1.25 / 72
    total = 2 * line
    for row in texts:
        lines = max(max(1, -(-_width_in(t, size) // max(w - PAD_IN, 0.1))) for t, w in zip(row, widths))
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


#: Characters XML 1.0 cannot hold (lxml refuses them in python-docx's API as well).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _escape(text: str) -> str:
    if _NOT_XML.search(text):
        raise ValueError("All strings must be XML compatible: Unicode or ASCII, no NULL bytes or control characters")
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


#: A short word holding a hyphen ("S-W", "K-S", "R²-adj").
_SHORT_HYPHENATED = re.compile(r"(?<!\S)(?=\S{2,8}(?!\S))\S*-\S*")
WJ = "\u2060"  # word joiner: no line break here


def _hold_hyphens(text: str) -> str:
    """A word joiner after the hyphens of short words, as :func:`_words` keeps them whole.

    Line breaking is greedy: a narrow cell holding "p (S-W)" would otherwise end a line with
    "(S-" and start the next with "W)". (Word's non-breaking hyphen, or U+2011, would do
    the same, but LibreOffice sets it over the neighbouring letters in right-to-left text.)
    """
    return _SHORT_HYPHENATED.sub(lambda m: m.group(0).replace("-", "-" + WJ), text)


def _run_xml(text: str, report: Report, size: float, bold: bool = False, italic: bool = False,
             hold: bool = False) -> str:
    """``<w:r>`` as :func:`_style_run` makes it from ``p.add_run(text)``, written directly.

    The text is split as python-docx splits it (a tab is ``<w:tab/>``, a line break ``<w:br/>``,
    ``xml:space="preserve"`` on a piece with outer spaces); the run properties are in the
    schema's order. With ``hold``, the hyphens of short words are held (:func:`_hold_hyphens`).
    """
    rtl = report.rtl
    if rtl:
        text = _ltr_islands(text)
    if hold:
        text = _hold_hyphens(text)
    font = _escape(report.font)
    half = str(int(size * 2))
    props = [f'<w:rFonts w:ascii="{font}" w:hAnsi="{font}" w:cs="{font}" w:eastAsia="{font}"/>']
    if bold:
        props.append("<w:b/><w:bCs/>" if rtl else "<w:b/>")
    if italic:
        props.append("<w:i/><w:iCs/>" if rtl else "<w:i/>")
    props.append(f'<w:sz w:val="{half}"/><w:szCs w:val="{half}"/>')
    if rtl:
        props.append("<w:rtl/>")
    content = []
    for piece in re.split(r"([\t\r\n])", text):
        if piece == "\t":
            content.append("<w:tab/>")
        elif piece in ("\r", "\n"):
            content.append("<w:br/>")
        elif piece:
            space = ' xml:space="preserve"' if len(piece.strip()) < len(piece) else ""
            content.append(f"<w:t{space}>{_escape(piece)}</w:t>")
    return f"<w:r><w:rPr>{''.join(props)}</w:rPr>{''.join(content)}</w:r>"


def _twips(inches: float) -> int:
    """``Inches(inches).twips`` (python-docx's rounding, so that widths match what it wrote)."""
    return int(round(int(inches * 914400) / 635))


_RULE = '<w:{edge} w:val="single" w:sz="{size}" w:space="0" w:color="000000"/>'


def _table_xml(block: Table, texts: list[list[str]], widths: list[float], keep: bool, size: float,
               report: Report, loc: Locale) -> str:
    """The whole ``<w:tbl>`` of ``block`` as one XML string, parsed once by the caller.

    What python-docx's ``add_table``/``add_row``/``cell()`` calls made, cell by cell, at a
    fraction of the cost (those calls walk the table each time): a centred, fixed-layout table
    of ``widths`` (inches) with APA's three rules (above and below the header, below the last
    row), a header row repeated on every page, rows that never split across pages, numeric
    cells centred and unbroken, and (``keep``) every row kept with the next so that a short
    table stays on one page; text in ``size`` points. Right-to-left reports get
    ``w:bidiVisual`` and bidi paragraphs.
    """
    rtl = report.rtl
    grid = [_twips(w) for w in widths]
    bidi = "<w:bidi/>" if rtl else ""
    spacing = '<w:spacing w:before="40" w:after="40" w:line="240" w:lineRule="auto"/>'
    center = '<w:jc w:val="center"/>'

    def paragraph(runs: str, keep_next: bool, centred: bool) -> str:
        keep_el = "<w:keepNext/>" if keep_next else '<w:keepNext w:val="0"/>'
        return f"<w:p><w:pPr>{keep_el}{bidi}{spacing}{center if centred else ''}</w:pPr>{runs}</w:p>"

    out = [f"<w:tbl {nsdecls('w')}><w:tblPr>", "<w:bidiVisual/>" if rtl else "",
           '<w:tblW w:type="auto" w:w="0"/><w:jc w:val="center"/><w:tblBorders>',
           _RULE.format(edge="top", size=12), '<w:left w:val="nil"/>', _RULE.format(edge="bottom", size=12),
           '<w:right w:val="nil"/><w:insideH w:val="nil"/><w:insideV w:val="nil"/></w:tblBorders>',
           '<w:tblLayout w:type="fixed"/>',
           '<w:tblLook w:firstColumn="1" w:firstRow="1" w:lastColumn="0" w:lastRow="0" w:noHBand="0" '
           'w:noVBand="1" w:val="04A0"/></w:tblPr><w:tblGrid>']
    out += [f'<w:gridCol w:w="{w}"/>' for w in grid]
    out.append("</w:tblGrid><w:tr><w:trPr><w:tblHeader/></w:trPr>")
    rule = f"<w:tcBorders>{_RULE.format(edge='bottom', size=6)}</w:tcBorders>"
    for j, name in enumerate(block.columns):
        name = _hold_hyphens(_ltr_islands(name) if rtl else name)
        runs = "".join(_run_xml(piece, report, size, bold=True, italic=italic)  # APA: symbols in italics
                       for piece, italic in loc.spans(name))
        out.append(f'<w:tc><w:tcPr><w:tcW w:type="dxa" w:w="{grid[j]}"/>{rule}</w:tcPr>'
                   f"{paragraph(runs, True, bool(j))}</w:tc>")
    out.append("</w:tr>")
    last = len(block.rows) - 1
    for i, (row, row_texts) in enumerate(zip(block.rows, texts)):
        out.append("<w:tr><w:trPr><w:cantSplit/></w:trPr>")
        keep_next = keep and i < last
        for j, (c, text) in enumerate(zip(row, row_texts)):
            numeric = c.fmt != "text"
            run = _run_xml(text, report, size, bold=c.emphasis, hold=not numeric)
            out.append(f'<w:tc><w:tcPr><w:tcW w:type="dxa" w:w="{grid[j]}"/>{"<w:noWrap/>" if numeric else ""}'
                       f"</w:tcPr>{paragraph(run, keep_next, numeric)}</w:tc>")
        out.append("</w:tr>")
    out.append("</w:tbl>")
    return "".join(out)


class _Writer:
    def __init__(self, report: Report) -> None:
        self.report = report
        self.loc = load_locale(report.lang, report.decimal)
        self.doc = Document()
        self.landscape = False
        self._pictures: list = []  # (run, figure, text width): see figure()
        self._layouts: dict = {}  # id(table) -> (table, cell texts, layout): see _table_layout()
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

    def caption(self, label: str, number: str, caption: str, *, align=None, keep_with_next: bool = True) -> None:
        """The numbered caption; kept with what follows it (the table or figure) unless it closes a figure."""
        number_text = self.loc.digits(number)
        if self.report.rtl:
            p = _paragraph(self.doc, f"{label} {number_text}. {caption}", self.report, size=10, bold=True, align=align)
            p.paragraph_format.space_before = Pt(12)
        else:  # APA 7: the number in bold, the title in italics on its own line
            p = _paragraph(self.doc, f"{label} {number_text}", self.report, size=10, bold=True, align=align)
            p.paragraph_format.space_before = Pt(12)
            p.paragraph_format.space_after = Pt(0)
            p.paragraph_format.keep_with_next = True
            p = _paragraph(self.doc, caption, self.report, size=10, italic=True, align=align)
        if keep_with_next:
            p.paragraph_format.keep_with_next = True

    def _wide(self, block) -> bool:
        """Whether ``block`` is a table too wide for a portrait page."""
        return isinstance(block, Table) and self._table_layout(block)[1][1]

    def _table_layout(self, block: Table) -> tuple[list[list[str]], tuple[list[float], bool, float]]:
        """The table's cell texts and :func:`_layout`, worked out once per table."""
        key = id(block)
        if key not in self._layouts:
            texts = [[_cell_text(c, self.loc, self.report.rtl) for c in row] for row in block.rows]
            self._layouts[key] = (block, texts, _layout(block, texts))  # the block kept: its id stays its own
        _, texts, layout = self._layouts[key]
        return texts, layout

    def table(self, block: Table) -> None:
        rtl = self.report.rtl
        texts, (widths, wide, size) = self._table_layout(block)
        self.orientation(wide)
        self.caption(self.loc.t("labels.table"), block.label or str(block.number), block.caption)
        page_height = (A4[0] if wide else A4[1]) / 914400 - 2 * MARGIN / 914400
        keep = _height(texts, widths, size) <= KEEP_TOGETHER * page_height
        self.doc.element.body._insert_tbl(parse_xml(_table_xml(block, texts, widths, keep, size, self.report,
                                                               self.loc)))
        for k, note in enumerate(block.notes):
            p = self.doc.add_paragraph()
            if rtl:
                _set_bidi(p)
            if k == 0:
                _style_run(p.add_run(self.loc.t("labels.note") + " "), self.report, 8, italic=not rtl)
            _style_run(p.add_run(note), self.report, 8)
            p.paragraph_format.space_after = Pt(2)
        if block.source:
            p = self.doc.add_paragraph()
            if rtl:
                _set_bidi(p)
            _style_run(p.add_run(block.source), self.report, 8)
            p.paragraph_format.space_after = Pt(2)

    def figure(self, block: Figure) -> None:
        self.orientation(False)
        label = self.loc.t("labels.figure")
        center = WD_ALIGN_PARAGRAPH.CENTER
        if not self.report.rtl:
            self.caption(label, block.label or str(block.number), block.caption)
        # the picture goes in at the end (:meth:`render`): a figure still being drawn elsewhere
        # (report.painting) is waited for only once every table has been written
        picture = self.doc.add_paragraph()
        self._pictures.append((picture.add_run(), block, self.text_width))
        picture.alignment = center
        if self.report.rtl:  # Iranian theses put the figure's caption below it
            picture.paragraph_format.keep_with_next = True
            # nothing after the caption needs it: a chain of kept paragraphs running on into the next
            # table's caption is one LibreOffice breaks between that caption and its table
            self.caption(label, block.label or str(block.number), block.caption, align=center, keep_with_next=False)

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
        self.write()
        return self.finish()

    def write(self) -> None:
        """Everything but the pictures, which :meth:`finish` puts in (so that nothing waits for a
        figure still being drawn until the rest is written)."""
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
                before_table = k + 1 < len(blocks) and isinstance(blocks[k + 1], Table)
                to_landscape = isinstance(block, Paragraph) and before_table and self._wide(blocks[k + 1])
                self.orientation(to_landscape)
                if isinstance(block, Paragraph):
                    p = _paragraph(doc, block.text, report)
                    p.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
                elif isinstance(block, Callout):
                    p = _paragraph(doc, block.text, report)
                    for run in p.runs:
                        run.font.color.rgb = RGBColor(0x9A, 0x34, 0x12)
                else:
                    continue
                if before_table and self.landscape == self._wide(blocks[k + 1]):
                    p.paragraph_format.keep_with_next = True  # the note that introduces a table stays with it
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

    def finish(self) -> bytes:
        """The pictures put in (waiting for any still being drawn), and the document's bytes."""
        doc = self.doc
        # python-docx's Run.add_picture finds the next drawing id by searching the whole
        # document for every picture (a fifth of the Word time of the bundled example): the
        # largest id is found once here and counted up
        ids = [int(value) for value in doc.element.xpath("//@id") if value.isdigit()]
        shape_id = max(ids, default=0)
        for run, block, text_width in self._pictures:
            figure = block.resolved()
            rid, image = doc.part.get_or_add_image(io.BytesIO(figure.png))
            cx, cy = image.scaled_dimensions(Inches(min(figure.width, text_width)), None)
            shape_id += 1
            run._r.add_drawing(CT_Inline.new_pic_inline(shape_id, rid, image.filename, cx, cy))
        _schema_order(doc.element)
        for section in doc.sections:
            _schema_order(section.footer._element)
        buffer = io.BytesIO()
        doc.save(buffer)
        return buffer.getvalue()


def start_docx(report: Report) -> Callable[[], bytes]:
    """Write the chapter's Word document but its pictures; call what it returns for the bytes.

    What :func:`render_docx` does, in two steps: the text and tables at once, the pictures (and
    any wait for a figure still being drawn, see :mod:`loyaltysurvey.report.painting`) when the
    returned function is called, so that a caller can write other files in between.
    """
    writer = _Writer(report)
    writer.write()
    return writer.finish


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
