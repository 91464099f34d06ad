"""Excel renderer (openpyxl): a contents sheet, every table on its own sheet, then the figures.

Cells hold full-precision numbers with a display format; text cells that a
spreadsheet would read as a formula are neutralised
(:func:`loyaltysurvey.safety.neutralize`). Persian workbooks are right-to-left.
"""

from __future__ import annotations

import io
import math
import re
from typing import Callable

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from ..safety import neutralize
from .locale import bound_format, load_locale
from .document import Figure, Report

__all__ = ["render_xlsx", "start_xlsx"]

_FORMATS = {"int": "0", "dec1": "0.0", "dec2": "0.00", "dec3": "0.000", "r": "0.00", "r3": "0.000",
            "p": '[<0.001]"< .001";0.000', "pct": "0.0",
            # the digits a value next to its threshold is shown with (report.build._decisive)
            **{f"{kind}{d}": "0." + "0" * d for kind in ("r", "dec") for d in range(4, 7)}}
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


def _write(ws, row: int, col: int, value, fmt: str = "text", bold: bool = False):
    if isinstance(value, float) and math.isnan(value):
        value = None
    cell = ws.cell(row=row, column=col, value=neutralize(value) if isinstance(value, str) else value)
    if fmt in _FORMATS and isinstance(value, (int, float)):
        cell.number_format = _FORMATS[fmt]
    if bold:
        cell.font = Font(bold=True)
    return cell


def _numeric_layout(table, loc) -> tuple[list[str], list[list[tuple]]]:
    """Headers and cells with every interval spread over numeric columns.

    A cell holding an interval ``(lower, upper)`` or an estimate with its interval
    ``(est, lower, upper)`` becomes two or three number cells, under "<column> (lower)" and
    "<column> (upper)"; a column is as wide as its widest cell, so the sheet holds numbers only.
    """
    spans = [max((len(r[j].value) if isinstance(r[j].value, tuple) else 1) for r in table.rows) if table.rows else 1
             for j in range(len(table.columns))]
    headers: list[str] = []
    for column, span in zip(table.columns, spans):
        bounds = [f"{column} ({loc.t('labels.lower')})", f"{column} ({loc.t('labels.upper')})"]
        headers.extend([column] if span == 1 else bounds if span == 2 else [column, *bounds])
    rows = []
    for r in table.rows:
        cells: list[tuple] = []
        for c, span in zip(r, spans):
            inner = c.fmt.split(":", 1)[-1]
            values = list(c.value) if isinstance(c.value, tuple) else [c.value]
            if isinstance(c.value, tuple) and span == 3 and len(values) == 2:
                values = [None, *values]
            values += [None] * (span - len(values))
            if c.fmt.startswith("ci:"):  # a bound that rounds to 0 keeps the digits of its sign, as printed
                cells.extend((v, bound_format(inner, v), c.emphasis) for v in values)
            else:
                cells.extend((v, inner if isinstance(c.value, tuple) else c.fmt, c.emphasis) for v in values)
        rows.append(cells)
    return headers, rows


def _figures_sheet(wb, contents, row: int, figures: list[Figure], report: Report, loc) -> None:
    """One sheet holding every figure under its caption, each listed on the contents sheet."""
    from openpyxl.drawing.image import Image

    name = _BAD_SHEET_CHARS.sub("_", loc.t("labels.figures_sheet"))[:31]
    ws = wb.create_sheet(name)
    ws.sheet_view.rightToLeft = report.rtl
    at = 1
    for fig in figures:
        fig = fig.resolved()  # waits for a figure still being drawn
        caption = f"{loc.t('labels.figure')} {loc.digits(fig.label or str(fig.number))}. {fig.caption}"
        _write(ws, at, 1, caption, bold=True)
        picture = Image(io.BytesIO(fig.png))
        scale = min(1.0, 720 / picture.width)  # about 7.5 inches wide at most
        picture.width, picture.height = picture.width * scale, picture.height * scale
        ws.add_image(picture, f"A{at + 1}")
        link = _write(contents, row, 1, caption)
        link.hyperlink = f"#'{name}'!A{at}"
        link.font = Font(color="1F5F8B", underline="single")
        row += 1
        at += 3 + int(picture.height / 20)  # default rows are 20 pixels high


def render_xlsx(report: Report) -> bytes:
    """The chapter's tables as an .xlsx file's bytes.

    A contents sheet links to one sheet per table, which holds the numbers themselves (not
    text) with a number format matching the report; figures, when there are any, go on a
    sheet of their own. Sheets are right-to-left for right-to-left languages; text that a
    spreadsheet would run as a formula is written as text. Write the bytes to a ``.xlsx``
    file. Output checked in tests/test_cli.py (sheets, direction, figures) and
    tests/test_security.py (no formulas).

    >>> from loyaltysurvey.report.document import Cell, Paragraph, Report, Section, Table
    >>> table = Table("alpha", "Reliability", ("Scale", "alpha"), ((Cell("SAT"), Cell(0.8193, "r")),), number=1)
    >>> report = Report("en", False, "Results", "Demo", "Generated today", "Calibri", (),
    ...                 (Section("rel", "Reliability", (Paragraph("One scale."), table)),))
    >>> import io, openpyxl
    >>> openpyxl.load_workbook(io.BytesIO(render_xlsx(report))).sheetnames
    ['Contents', 'Table 1']
    """
    return start_xlsx(report)()


def start_xlsx(report: Report) -> Callable[[], bytes]:
    """Write the workbook's sheets of tables; call what it returns for the bytes.

    What :func:`render_xlsx` does, in two steps: the contents and the tables at once, the
    figures' sheet (and any wait for a figure still being drawn, see
    :mod:`loyaltysurvey.report.painting`) when the returned function is called.
    """
    wb = Workbook()
    contents = wb.active
    loc = load_locale(report.lang, report.decimal)
    contents.title = _BAD_SHEET_CHARS.sub("_", loc.t("labels.contents"))[:31]
    contents.sheet_view.rightToLeft = report.rtl
    _write(contents, 1, 1, report.title, bold=True)
    _write(contents, 2, 1, report.subtitle)
    _write(contents, 3, 1, report.generated)
    header_fill = PatternFill("solid", fgColor="DDE7F0")
    row = 5
    used = set()
    for table in report.tables:
        # named in the chapter's language, as the caption numbers it ("Table 4", «جدول ۴»)
        name = _BAD_SHEET_CHARS.sub("_", f"{loc.t('labels.table')} {loc.digits(table.label or str(table.number))}")[:31]
        while name in used:
            name = name[:28] + f"_{len(used)}"
        used.add(name)
        ws = wb.create_sheet(name)
        ws.sheet_view.rightToLeft = report.rtl
        _write(ws, 1, 1, f"{loc.digits(table.label or str(table.number))}. {table.caption}", bold=True)
        headers, rows = _numeric_layout(table, loc)
        for j, column in enumerate(headers, start=1):
            cell = _write(ws, 3, j, column, bold=True)
            cell.fill = header_fill
            cell.alignment = Alignment(wrap_text=True, vertical="bottom")
        for i, cells in enumerate(rows, start=4):
            for j, (value, fmt, bold) in enumerate(cells, start=1):
                _write(ws, i, j, value, fmt, bold=bold)
        for k, note in enumerate(table.notes + ((table.source,) if table.source else ())):
            _write(ws, 5 + len(rows) + k, 1, note)
        for j, column in enumerate(headers, start=1):
            width = max([len(str(column))] + [len(str(r[j - 1][0])) for r in rows[:200]])
            ws.column_dimensions[get_column_letter(j)].width = min(max(10, width + 2), 60)
        ws.freeze_panes = "A4"
        link = _write(contents, row, 1, f"{loc.digits(table.label or str(table.number))}. {table.caption}")
        link.hyperlink = f"#'{name}'!A1"
        link.font = Font(color="1F5F8B", underline="single")
        row += 1
    contents.column_dimensions["A"].width = 80

    def finish() -> bytes:
        figures = [b for s in report.sections for b in s.blocks if isinstance(b, Figure)]
        if figures:
            _figures_sheet(wb, contents, row, figures, report, loc)
        buffer = io.BytesIO()
        wb.save(buffer)
        return buffer.getvalue()

    return finish
