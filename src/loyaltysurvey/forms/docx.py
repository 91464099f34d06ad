"""The printable form as a Word document (python-docx), for printing or editing before print.

A4 pages. Persian forms are right-to-left throughout, as the chapter is
(:mod:`loyaltysurvey.report.docx`): every section ``w:bidi``, every paragraph ``w:bidi``,
every run ``w:rtl`` with the complex-script font, and tables ``w:bidiVisual`` so that the
item number stands on the right. A grid is a table whose header row repeats on every page
(``w:tblHeader``) and whose rows never split (``w:cantSplit``); the part's heading, its
instruction and every row but the last are "keep with next", so a grid that fits on a page is
never broken across two. Rendered with LibreOffice by tests/test_forms.py.
"""

from __future__ import annotations

import io
from types import SimpleNamespace

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from ..report.docx import _border, _set_bidi, _style_run, order_properties
from .model import Form, Grid

__all__ = ["render_form_docx"]

A4 = (Cm(21.0), Cm(29.7))
MARGIN = Cm(1.8)
BOX = "\u2610"  # ☐ BALLOT BOX
BOX_FONT = "DejaVu Sans"
#: Column widths (cm) of the item number and of each scale point; the statement takes the rest.
NUMBER_CM, POINT_CM = 1.3, 1.6


def _order(root) -> None:
    """Every property element's children in the order ECMA-376 fixes, tables included (python-docx and
    :func:`_border` append where they like)."""
    order_properties(root)


class _Writer:
    def __init__(self, form: Form) -> None:
        self.form = form
        self.style = SimpleNamespace(rtl=form.rtl, font=form.font)
        self.doc = Document()
        section = self.doc.sections[0]
        section.page_width, section.page_height = A4
        for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
            setattr(section, side, MARGIN)
        if form.rtl:
            section._sectPr.append(OxmlElement("w:bidi"))
        normal = self.doc.styles["Normal"]
        normal.font.name = form.font
        normal.font.size = Pt(11)
        rpr = normal.element.get_or_add_rPr()
        fonts = rpr.find(qn("w:rFonts"))
        for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
            fonts.set(qn(attr), form.font)
        szcs = OxmlElement("w:szCs")
        szcs.set(qn("w:val"), "22")
        rpr.append(szcs)
        self.text_width = (A4[0] - 2 * MARGIN) / 360000  # cm

    def paragraph(self, container, text: str, *, size: float | None = None, bold: bool = False,
                  align=None, keep: bool = False, after: float = 4.0):
        p = container.add_paragraph()
        if self.form.rtl:
            _set_bidi(p)
        if align is not None:
            p.alignment = align
        if text:
            _style_run(p.add_run(text), self.style, size, bold)
        fmt = p.paragraph_format
        fmt.space_before, fmt.space_after = Pt(0), Pt(after)
        if keep:
            fmt.keep_with_next = True
        return p

    def box_run(self, p, size: float = 12) -> None:
        """A ballot box ☐ in a font that has it (DejaVu Sans), whatever the text font."""
        run = p.add_run(BOX)
        _style_run(run, SimpleNamespace(rtl=self.form.rtl, font=BOX_FONT), size)

    def cell_paragraph(self, cell, text: str, *, bold: bool = False, center: bool = False, keep: bool = False,
                       size: float = 10):
        p = cell.paragraphs[0]
        if self.form.rtl:
            _set_bidi(p)
        if center:
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        if text:
            _style_run(p.add_run(text), self.style, size, bold)
        fmt = p.paragraph_format
        fmt.space_before, fmt.space_after, fmt.line_spacing = Pt(2), Pt(2), 1.0
        if keep:
            fmt.keep_with_next = True
        return p

    def consent(self) -> None:
        p = self.paragraph(self.doc, "", bold=True, after=10)
        self.box_run(p)
        _style_run(p.add_run("\u00a0\u00a0" + self.form.consent), self.style, 11, True)

    def demographics(self) -> None:
        form = self.form
        self.paragraph(self.doc, form.about_heading, size=12, bold=True, keep=True, after=2)
        self.paragraph(self.doc, form.choose_one, size=10, keep=True)
        for k, q in enumerate(form.demographics):
            hint = f" {form.choose_all}" if q.multiple and form.choose_all else ""
            self.paragraph(self.doc, f"{q.number}. {q.text}{hint}", bold=True, keep=True, after=1)
            p = self.paragraph(self.doc, "", after=6, keep=k + 1 < len(form.demographics))
            if form.rtl:
                p.paragraph_format.right_indent = Cm(0.6)
            else:
                p.paragraph_format.left_indent = Cm(0.6)
            if not q.choices:
                _style_run(p.add_run("_" * 30), self.style, 11)
            for j, choice in enumerate(q.choices):
                self.box_run(p)
                text = "\u00a0" + choice.label + ("\u2003\u2003" if j + 1 < len(q.choices) else "")
                _style_run(p.add_run(text), self.style, 11)

    def grid(self, grid: Grid) -> None:
        form = self.form
        self.paragraph(self.doc, grid.heading, size=12, bold=True, keep=True, after=2)
        self.paragraph(self.doc, grid.instruction, size=10, keep=True)
        n_points = len(grid.columns)
        table = self.doc.add_table(rows=1 + len(grid.rows), cols=2 + n_points)
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        table.autofit = False
        tbl_pr = table._tbl.tblPr
        if form.rtl:
            tbl_pr.insert(0, OxmlElement("w:bidiVisual"))
        _border(tbl_pr, "w:tblBorders", {"top": 6, "left": 6, "bottom": 6, "right": 6, "insideH": 4, "insideV": 4})
        statement_cm = max(4.0, self.text_width - NUMBER_CM - n_points * POINT_CM)
        widths = [Cm(NUMBER_CM), Cm(statement_cm)] + [Cm(POINT_CM)] * n_points
        for column, width in zip(table.columns, widths):  # w:gridCol, which LibreOffice lays out by
            column.width = width
        for row in table.rows:
            for cell, width in zip(row.cells, widths):  # w:tcW, which Word lays out by
                cell.width = width
        layout = OxmlElement("w:tblLayout")
        layout.set(qn("w:type"), "fixed")
        tbl_pr.append(layout)
        header = table.rows[0]
        trpr = header._tr.get_or_add_trPr()
        for tag in ("w:cantSplit", "w:tblHeader"):
            trpr.append(OxmlElement(tag))
        texts = [form.number_label, form.statement_label, *grid.columns]
        for cell, text in zip(header.cells, texts):
            self.cell_paragraph(cell, text, bold=True, center=True, keep=True, size=9)
            shade = OxmlElement("w:shd")
            shade.set(qn("w:val"), "clear")
            shade.set(qn("w:color"), "auto")
            shade.set(qn("w:fill"), "EFEFEF")
            cell._tc.get_or_add_tcPr().append(shade)
        for r, item in enumerate(grid.rows, start=1):
            row = table.rows[r]
            row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
            keep = r < len(grid.rows)
            cells = row.cells
            self.cell_paragraph(cells[0], item.number, center=True, keep=keep)
            self.cell_paragraph(cells[1], item.text, keep=keep)
            for cell in cells[2:]:
                p = self.cell_paragraph(cell, "", center=True, keep=keep)
                self.box_run(p, 13)
        for row in table.rows:
            for cell in row.cells:
                cell.vertical_alignment = 1  # center
        self.paragraph(self.doc, "", after=6)

    def render(self) -> bytes:
        form, doc = self.form, self.doc
        doc.core_properties.title = form.title
        doc.core_properties.language = "fa-IR" if form.lang == "fa" else form.lang
        self.paragraph(doc, form.title, size=15, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, after=12)
        for para in form.cover_letter:
            p = self.paragraph(doc, para, after=6)
            p.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        self.consent()
        if form.demographics:
            self.demographics()
        for grid in form.grids:
            self.grid(grid)
        self.paragraph(doc, form.thanks, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, after=0)
        _order(doc.element)
        buffer = io.BytesIO()
        doc.save(buffer)
        return buffer.getvalue()


def render_form_docx(form: Form) -> bytes:
    """``form`` as the bytes of a ``.docx`` file.

    >>> from loyaltysurvey.datasets import crm_questionnaire
    >>> from loyaltysurvey.forms.model import build_form
    >>> render_form_docx(build_form(crm_questionnaire(), "fa"))[:2]  # a .docx file is a zip archive
    b'PK'
    """
    return _Writer(form).render()
