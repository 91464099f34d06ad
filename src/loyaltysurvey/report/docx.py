"""Word renderer (python-docx).

Persian reports are right-to-left throughout: every paragraph carries
``w:bidi``, every run ``w:rtl`` and a complex-script font (Vazirmatn, with the
fallbacks named in the locale), and tables ``w:bidiVisual`` so that their
first column stands on the right.
"""

from __future__ import annotations

import io

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt, RGBColor

from .locale import load_locale
from docx.shared import Inches

from .model import Callout, Cell, Figure, Paragraph, Report, Table

__all__ = ["render_docx"]


def _set_bidi(paragraph) -> None:
    ppr = paragraph._p.get_or_add_pPr()
    if ppr.find(qn("w:bidi")) is None:
        bidi = OxmlElement("w:bidi")
        ppr.insert(0, bidi)


def _style_run(run, report: Report, size: float | None = None, bold: bool = False) -> None:
    run.font.name = report.font
    rpr = run._r.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attr), report.font)
    if report.rtl:
        rpr.append(OxmlElement("w:rtl"))
        cs_bold = OxmlElement("w:bCs") if bold else None
        if cs_bold is not None:
            rpr.append(cs_bold)
    if size:
        run.font.size = Pt(size)
        szcs = OxmlElement("w:szCs")
        szcs.set(qn("w:val"), str(int(size * 2)))
        rpr.append(szcs)
    run.bold = bold or None


def _paragraph(doc, text: str, report: Report, *, style: str | None = None, size: float | None = None,
               bold: bool = False, align=None):
    p = doc.add_paragraph(style=style)
    if report.rtl:
        _set_bidi(p)
        p.alignment = align if align is not None else WD_ALIGN_PARAGRAPH.RIGHT
    elif align is not None:
        p.alignment = align
    _style_run(p.add_run(text), report, size, bold)
    return p


def _heading(doc, text: str, level: int, report: Report):
    h = doc.add_heading(level=level)
    if report.rtl:
        _set_bidi(h)
        h.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    _style_run(h.add_run(text), report)
    return h


def _table(doc, block: Table, report: Report, fmt) -> None:
    label = "جدول" if report.lang == "fa" else "Table"
    caption = _paragraph(doc, f"{label} {fmt(Cell(block.number, 'int'))}. {block.caption}", report, bold=True)
    caption.paragraph_format.keep_with_next = True
    table = doc.add_table(rows=1, cols=len(block.columns))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    if report.rtl:
        tblpr = table._tbl.tblPr
        tblpr.append(OxmlElement("w:bidiVisual"))
    for i, name in enumerate(block.columns):
        cell = table.rows[0].cells[i]
        cell.text = ""
        p = cell.paragraphs[0]
        if report.rtl:
            _set_bidi(p)
        _style_run(p.add_run(name), report, 9, bold=True)
    for row in block.rows:
        cells = table.add_row().cells
        for i, c in enumerate(row):
            p = cells[i].paragraphs[0]
            if report.rtl:
                _set_bidi(p)
            if c.fmt != "text":
                p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            run = p.add_run(fmt(c))
            _style_run(run, report, 9, bold=c.emphasis)
    for note in block.notes:
        _paragraph(doc, note, report, size=8)


def render_docx(report: Report) -> bytes:
    """The chapter as a .docx file's bytes."""
    loc = load_locale(report.lang)

    def fmt(c: Cell) -> str:
        return loc.num(c.value, c.fmt) if c.fmt != "text" else ("" if c.value is None else str(c.value))

    doc = Document()
    normal = doc.styles["Normal"]
    normal.font.name = report.font
    normal.font.size = Pt(11)
    if report.rtl:
        for section in doc.sections:
            sectpr = section._sectPr
            sectpr.append(OxmlElement("w:bidi"))
    _heading(doc, report.title, 0, report)
    _paragraph(doc, report.subtitle, report, size=13)
    _paragraph(doc, report.generated, report, size=8)
    for section in report.sections:
        if section.title:
            _heading(doc, section.title, 1, report)
        for block in section.blocks:
            if isinstance(block, Paragraph):
                p = _paragraph(doc, block.text, report)
                p.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY if not report.rtl else WD_ALIGN_PARAGRAPH.RIGHT
            elif isinstance(block, Callout):
                p = _paragraph(doc, block.text, report)
                for run in p.runs:
                    run.font.color.rgb = RGBColor(0x9A, 0x34, 0x12)
            elif isinstance(block, Table):
                _table(doc, block, report, fmt)
            elif isinstance(block, Figure):
                doc.add_picture(io.BytesIO(block.png), width=Inches(6))
                doc.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
                label = "شکل" if report.lang == "fa" else "Figure"
                _paragraph(doc, f"{label} {fmt(Cell(block.number, 'int'))}. {block.caption}", report, bold=True,
                           align=WD_ALIGN_PARAGRAPH.CENTER)
    if report.references:
        _heading(doc, report.references_title, 1, report)
        for ref in report.references:
            p = doc.add_paragraph()
            _style_run(p.add_run(ref), report.__class__(**{**report.__dict__, "rtl": False}), 10)
            p.paragraph_format.left_indent = Pt(18)
            p.paragraph_format.first_line_indent = Pt(-18)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()
