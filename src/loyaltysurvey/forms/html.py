"""The printable form as one self-contained HTML page (inline CSS, no scripts, no external files).

Every questionnaire text is escaped by jinja2's autoescaping. Print-ready: A4 ``@page``
margins, each part (its heading, instruction and grid) kept on one page where it fits
(``break-inside: avoid``), the grid's header repeated when a grid longer than a page must
break, and rows never split. Rendered in Chromium by tests/test_forms.py.
"""

from __future__ import annotations

from jinja2 import Environment, FileSystemLoader, select_autoescape

from ..resources import bundled_path
from .model import Form

__all__ = ["render_form_html"]

#: Fonts tried after the language's own (Chromium on Linux has DejaVu; Windows has Tahoma/Arial).
_LAST_RESORT = ("Noto Sans", "DejaVu Sans", "Arial")


def render_form_html(form: Form) -> str:
    """``form`` as an HTML page: ``lang`` and ``dir="rtl"`` for Persian, fonts with fallbacks.

    >>> from loyaltysurvey.datasets import crm_questionnaire
    >>> from loyaltysurvey.forms.model import build_form
    >>> page = render_form_html(build_form(crm_questionnaire(), "fa"))
    >>> '<html lang="fa" dir="rtl">' in page, page.count('<tr data-item='), "<script" in page
    (True, 25, False)
    """
    env = Environment(loader=FileSystemLoader(str(bundled_path("reports", "forms"))),
                      autoescape=select_autoescape(default=True, default_for_string=True))
    fonts = [f for f in (form.font, *form.font_fallbacks, *_LAST_RESORT) if f]
    fonts = list(dict.fromkeys(fonts))
    return env.get_template("form.html.j2").render(form=form, fonts=fonts)
