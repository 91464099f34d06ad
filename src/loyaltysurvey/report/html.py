"""HTML renderer: one self-contained file (inline CSS, no external resources).

All questionnaire and respondent text is escaped by jinja2's autoescaping.
"""

from __future__ import annotations

import base64

from jinja2 import Environment, FileSystemLoader, select_autoescape

from ..resources import bundled_path
from .locale import load_locale
from .document import Callout, Cell, Figure, Paragraph, Report, Table, apa_runs

__all__ = ["render_html"]


def _environment() -> Environment:
    env = Environment(loader=FileSystemLoader(str(bundled_path("reports"))),
                      autoescape=select_autoescape(default=True, default_for_string=True))
    env.filters["apa_runs"] = apa_runs
    return env


def render_html(report: Report) -> str:
    """The chapter as one self-contained HTML page (inline CSS, figures as inline PNG).

    Renders the bundled ``reports/chapter.html.j2`` template; numbers are formatted in the
    report's language (:meth:`~loyaltysurvey.report.locale.Locale.num`), text is escaped by
    jinja2's autoescaping, and ``dir="rtl"`` is set for right-to-left languages. Nothing is
    computed here. The page is rendered in Chromium by tests/test_report_render.py.

    >>> from loyaltysurvey.report.document import Cell, Paragraph, Report, Section, Table
    >>> table = Table("alpha", "Reliability", ("Scale", "alpha"), ((Cell("SAT"), Cell(0.8193, "r")),), number=1)
    >>> report = Report("en", False, "Results", "Demo", "Generated today", "Calibri", (),
    ...                 (Section("rel", "Reliability", (Paragraph("One scale."), table)),))
    >>> page = render_html(report)
    >>> page.startswith("<!DOCTYPE html>"), '<html lang="en" dir="ltr">' in page
    (True, True)
    """
    report = report.resolved()
    loc = load_locale(report.lang, report.decimal)

    def cell(c: Cell) -> str:
        return loc.num(c.value, c.fmt) if c.fmt != "text" else ("" if c.value is None else str(c.value))

    env = _environment()
    template = env.get_template("chapter.html.j2")
    return template.render(report=report, cell=cell, loc=loc, digits=loc.digits,
                           is_table=lambda b: isinstance(b, Table),
                           is_paragraph=lambda b: isinstance(b, Paragraph),
                           is_callout=lambda b: isinstance(b, Callout),
                           is_figure=lambda b: isinstance(b, Figure),
                           png=lambda b: base64.b64encode(b.png).decode("ascii"),
                           figure_label=loc.t("labels.figure"), table_label=loc.t("labels.table"),
                           note_label=loc.t("labels.note"), spans=loc.spans,
                           contents_label=loc.t("labels.contents"))
