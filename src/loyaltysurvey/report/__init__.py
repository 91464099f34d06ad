"""Reports: a format-free report model and its HTML, Word and Excel renderers."""

from .build import build_report
from .docx import render_docx
from .html import render_html
from .locale import Locale, jalali_date, load_locale
from .model import Callout, Cell, Paragraph, Report, Section, Table
from .xlsx import render_xlsx

__all__ = ["Callout", "Cell", "Locale", "Paragraph", "Report", "Section", "Table", "build_report",
           "jalali_date", "load_locale", "render_docx", "render_html", "render_xlsx"]
