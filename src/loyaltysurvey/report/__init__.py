"""Reports: a format-free report model and its HTML, Word, Excel and Markdown renderers.

Each renderer is imported on first use, so that writing only one format loads only its library
(jinja2, python-docx or openpyxl).
"""

from __future__ import annotations

from ..lazy import lazy_exports


_LAZY = {
    "build_report": ".build", "render_docx": ".docx", "render_html": ".html", "render_markdown": ".markdown",
    "render_xlsx": ".xlsx", "Locale": ".locale", "jalali_date": ".locale", "load_locale": ".locale",
    "Callout": ".document", "Cell": ".document", "Figure": ".document", "Paragraph": ".document",
    "Report": ".document", "Section": ".document", "Table": ".document",
}

__all__ = ["Callout", "Cell", "Figure", "Locale", "Paragraph", "Report", "Section", "Table", "build_report",
           "jalali_date", "load_locale", "render_docx", "render_html", "render_markdown", "render_xlsx"]


__getattr__, __dir__ = lazy_exports(__name__, _LAZY)
