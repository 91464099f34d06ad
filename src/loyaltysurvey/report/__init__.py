"""Reports: a format-free report model and its HTML, Word, Excel and Markdown renderers."""

from .build import build_report
from .docx import render_docx
from .html import render_html
from .locale import Locale, jalali_date, load_locale
from .document import Callout, Cell, Figure, Paragraph, Report, Section, Table
from .markdown import render_markdown
from .xlsx import render_xlsx

__all__ = ["Callout", "Cell", "Figure", "Locale", "Paragraph", "Report", "Section", "Table", "build_report",
           "jalali_date", "load_locale", "render_docx", "render_html", "render_markdown", "render_xlsx"]
