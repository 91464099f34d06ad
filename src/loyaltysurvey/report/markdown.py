"""Plain-text renderer: the chapter as Markdown, numbers in the report's own style.

It shows exactly what a reader sees in the HTML and Word files (headings, paragraphs, every
table cell as formatted, figure captions), so it is what the snapshot tests compare, and a
quick way to diff two runs of a study.
"""

from __future__ import annotations

from .locale import load_locale
from .document import Callout, Cell, Figure, Paragraph, Report, Table, apa_runs

__all__ = ["render_markdown"]


def _escape(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_markdown(report: Report) -> str:
    """The chapter as Markdown: headings, paragraphs, callouts, figure captions and every table.

    Cells are formatted exactly as in the HTML and Word files; a cell set in bold there is
    followed by ``!``; figures are shown by their caption, id and width. This text is what
    tests/test_report_snapshot.py compares.

    >>> from loyaltysurvey.report.document import Cell, Paragraph, Report, Section, Table
    >>> table = Table("alpha", "Reliability", ("Scale", "alpha"), ((Cell("SAT"), Cell(0.8193, "r")),), number=1)
    >>> report = Report("en", False, "Results", "Demo", "Generated today", "Calibri", (),
    ...                 (Section("rel", "Reliability", (Paragraph("One scale."), table)),))
    >>> print(render_markdown(report).split("## ")[1].strip())
    Reliability
    <BLANKLINE>
    One scale.
    <BLANKLINE>
    **Table 1.** Reliability [alpha]
    <BLANKLINE>
    | Scale | alpha |
    |---|---|
    | SAT | .82 |
    """
    report = report.resolved()
    loc = load_locale(report.lang, report.decimal)

    def cell(c: Cell) -> str:
        return loc.num(c.value, c.fmt) if c.fmt != "text" else ("" if c.value is None else str(c.value))

    lines = [f"# {report.title}", "", report.subtitle, "", report.generated, ""]
    for section in report.sections:
        if section.title:
            lines += [f"## {section.title}", ""]
        for block in section.blocks:
            if isinstance(block, Paragraph):
                lines += [block.text, ""]
            elif isinstance(block, Callout):
                lines += [f"> **{block.level}:** {block.text}", ""]
            elif isinstance(block, Figure):
                lines += [f"**{loc.t('labels.figure')} {loc.digits(block.label or str(block.number))}.** {block.caption} "
                          f"[{block.id}, {block.width:g} in]", ""]
            elif isinstance(block, Table):
                lines += [f"**{loc.t('labels.table')} {loc.digits(block.label or str(block.number))}.** {block.caption} [{block.id}]", ""]
                lines.append("| " + " | ".join(_escape(c) for c in block.columns) + " |")
                lines.append("|" + "---|" * len(block.columns))
                for row in block.rows:
                    lines.append("| " + " | ".join(_escape(cell(c)) + ("!" if c.emphasis else "") for c in row) + " |")
                for k, note in enumerate(block.notes):
                    lines.append(("" if k else f"*{loc.t('labels.note')}* ") + note)
                if block.source:
                    lines.append(block.source)
                lines.append("")
    if report.references:
        lines += [f"## {report.references_title}", ""] + ["- " + "".join(f"*{t}*" if i else t for t, i in apa_runs(ref)) for ref in report.references] + [""]
    return "\n".join(lines)
