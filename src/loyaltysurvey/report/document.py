"""The format-free report model: sections of paragraphs, tables, figures and notes.

Built once from :class:`~loyaltysurvey.analysis.AnalysisResults` by
:mod:`loyaltysurvey.report.build`; read by the HTML, Word and Excel renderers,
which compute nothing. Table cells keep their full-precision value and say
how to show it (``fmt``), so Excel receives numbers and HTML/Word receive
text in the report's number style.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field, replace
from typing import Any, Union

__all__ = ["Cell", "Table", "Paragraph", "Callout", "Figure", "Section", "Report", "Block", "apa_runs", "reference_key", "cited_references", "chapter_text"]


@dataclass(frozen=True)
class Cell:
    """One table cell: a value and its format (``text``, ``int``, ``dec2``, ``r``, ``p``, ``pct``...).

    ``value`` keeps full precision; the renderers format it with
    :meth:`~loyaltysurvey.report.locale.Locale.num` (Excel receives the number itself).
    ``emphasis`` marks a cell to be set in bold (e.g. a value that misses its threshold).

    >>> from loyaltysurvey.report.locale import load_locale
    >>> c = Cell(0.8193, "r")
    >>> load_locale("en").num(c.value, c.fmt)
    '.82'
    """

    value: Any
    fmt: str = "text"
    emphasis: bool = False


@dataclass(frozen=True)
class Table:
    """A numbered table: ``columns`` headers, ``rows`` of :class:`Cell`, and notes printed under it.

    ``id`` is a stable name (used for Excel sheet names and by the snapshot tests); ``number``
    is the table's number in the chapter; ``source`` is the line under the notes naming the
    data's source (Persian theses print «منبع: یافته‌های پژوهش»), empty for none.

    >>> t = Table("alpha", "Reliability", ("Scale", "alpha"), ((Cell("SAT"), Cell(0.82, "r")),), number=1)
    >>> len(t.rows), t.columns
    (1, ('Scale', 'alpha'))
    """

    id: str
    caption: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    notes: tuple[str, ...] = ()
    number: int = 0
    source: str = ""
    label: str = ""


@dataclass(frozen=True)
class Paragraph:
    """A paragraph of running text, already in the report's language and number style.

    Statistical symbols in it are set in italics by the renderers
    (:meth:`~loyaltysurvey.report.locale.Locale.spans`).
    """

    text: str


@dataclass(frozen=True)
class Callout:
    """A highlighted note: ``level`` is ``warning`` or ``info``.

    Used for what the reader must not miss, such as a model that did not converge.
    """

    text: str
    level: str = "warning"


@dataclass(frozen=True)
class Figure:
    """A picture (PNG bytes) with its caption.

    ``number`` is the figure's number in the chapter and ``width`` its printed width in
    inches (Word); the PNG comes from :mod:`loyaltysurvey.report.figures`.
    """

    id: str
    caption: str
    png: bytes
    number: int = 0
    width: float = 6.0  # inches on a printed page
    label: str = ""
    #: A figure still being drawn (:class:`~loyaltysurvey.report.painting.Drawing`): ``png`` and
    #: ``width`` are then placeholders until :meth:`resolved`.
    drawing: Any = field(default=None, compare=False, repr=False)

    def resolved(self) -> "Figure":
        """This figure with its picture: waits for its drawing, if any."""
        if self.drawing is None:
            return self
        png, width = self.drawing.result()
        return replace(self, png=png, width=width, drawing=None)


Block = Union[Paragraph, Table, Callout, Figure]


@dataclass(frozen=True)
class Section:
    """A titled part of the chapter: its blocks (paragraphs, tables, callouts, figures) in reading order.

    A section with an empty title continues the previous one without a heading.
    """

    id: str
    title: str
    blocks: tuple[Block, ...] = ()


_YEAR = r"\(\d{4}[a-z]?\)\. "
_ARTICLE = re.compile(r"^(?P<head>.*?" + _YEAR + r".+?[.?!] )(?P<italic>[^.?!()]+?, \d+)"
                      r"(?P<tail>(?:\([^)]*\))?, [\w–-]+\.?)$")
_BOOK = re.compile(r"^(?P<head>.*?" + _YEAR + r")(?P<italic>[^()]+?(?: \([A-Z][A-Za-z-]*\))?)"
                   r"(?P<tail>(?: \([^)]*\))?\. [^.]+\.?)$")


def apa_runs(reference: str) -> tuple[tuple[str, bool], ...]:
    """An APA 7 reference as (text, italic) runs: a journal's name and volume, or a book's title,
    in italics. A reference of neither shape is one plain run.

    Every renderer sets the references from these runs, so the HTML and the Word chapter
    give them in the same form (by definition of APA 7's reference formats).

    >>> apa_runs("Feldt, L. S. (1965). The approximate distribution. Psychometrika, 30(3), 357–370.")[1]
    ('Psychometrika, 30', True)
    >>> apa_runs("Kline, R. B. (2016). Principles and practice of SEM (4th ed.). Guilford Press.")[1]
    ('Principles and practice of SEM', True)
    >>> apa_runs("Hair, J. F. (2017). A primer on structural equation modeling (PLS-SEM) (2nd ed.). Sage.")[1]
    ('A primer on structural equation modeling (PLS-SEM)', True)
    >>> apa_runs("A note without a year.")
    (('A note without a year.', False),)
    """
    for pattern in (_ARTICLE, _BOOK):
        match = pattern.match(reference)
        if match:
            return tuple((text, italic) for text, italic in ((match["head"], False), (match["italic"], True),
                                                             (match["tail"], False)) if text)
    return ((reference, False),)


def reference_key(reference: str) -> tuple[str, str]:
    """The order of an APA reference list: by the authors' names, letters compared without accents.

    >>> sorted(["Kline, R. B. (2016).", "Jöreskog, K. G. (1984)."], key=reference_key)[0][:3]
    'Jör'
    """
    plain = "".join(c for c in unicodedata.normalize("NFKD", reference) if not unicodedata.combining(c))
    return plain.casefold(), reference


def _author_year(reference: str) -> tuple[str, str] | None:
    """The first author's surname and the year of an APA reference (``Student. (1908)`` included)."""
    match = re.match(r"\s*([^,.(]+)[,.].*?\((\d{4})[a-z]?\)", reference)
    return (match[1].strip(), match[2]) if match else None


def cited_references(references, text: str) -> list[str]:
    """The references whose first author and year the chapter cites: "(Hu & Bentler, 1999)",
    "(Hair et al., 2019; ...)" or "Kock's (2015)" — the name, then the year before the parenthesis closes.

    The reference list then holds the methods the chapter used and none it did not
    (APA 7: every work cited appears in the list, and only those).

    >>> refs = ["Kline, R. B. (2016). Principles (4th ed.). Guilford.", "Sobel, M. E. (1982). Intervals. SM, 13, 1–2."]
    >>> cited_references(refs, "χ²/df < 3 (Kline, 2016).")
    ['Kline, R. B. (2016). Principles (4th ed.). Guilford.']
    """
    kept = []
    for reference in references:
        key = _author_year(reference)
        if key and re.search(rf"\b{re.escape(key[0])}\b[^)\n]{{0,160}}?\b{key[1]}\b", text):
            kept.append(reference)
    return kept


def chapter_text(sections) -> str:
    """Every text a reader meets in ``sections``: titles, paragraphs, notes, captions, headers and cells."""
    parts = []
    for section in sections:
        parts.append(section.title)
        for block in section.blocks:
            if isinstance(block, (Paragraph, Callout)):
                parts.append(block.text)
            elif isinstance(block, Table):
                parts += [block.caption, *block.notes, *block.columns]
                parts += [str(cell.value) for row in block.rows for cell in row if cell.fmt == "text"]
            elif isinstance(block, Figure):
                parts.append(block.caption)
    return "\n".join(parts)


@dataclass(frozen=True)
class Report:
    """A whole chapter in one language.

    Made by :func:`~loyaltysurvey.report.build.build_report`; rendered by
    :func:`~loyaltysurvey.report.html.render_html`, :func:`~loyaltysurvey.report.docx.render_docx`,
    :func:`~loyaltysurvey.report.xlsx.render_xlsx` and
    :func:`~loyaltysurvey.report.markdown.render_markdown`. ``rtl`` sets right-to-left
    layout; ``font`` and ``font_fallbacks`` name the typeface; ``meta`` holds the
    questionnaire id.

    >>> from loyaltysurvey.report.document import Cell, Paragraph, Report, Section, Table
    >>> table = Table("alpha", "Reliability", ("Scale", "alpha"), ((Cell("SAT"), Cell(0.8193, "r")),), number=1)
    >>> report = Report("en", False, "Results", "Demo", "Generated today", "Calibri", (),
    ...                 (Section("rel", "Reliability", (Paragraph("One scale."), table)),))
    >>> [t.id for t in report.tables]
    ['alpha']
    """

    lang: str
    rtl: bool
    title: str
    subtitle: str
    generated: str
    font: str
    font_fallbacks: tuple[str, ...]
    sections: tuple[Section, ...]
    references_title: str = "References"
    references: tuple[str, ...] = ()
    meta: dict = field(default_factory=dict)
    decimal: str | None = None

    def resolved(self) -> "Report":
        """The chapter with every figure's picture (waits for those still being drawn: see
        :mod:`loyaltysurvey.report.painting`); the same report when none is pending."""
        if not any(isinstance(b, Figure) and b.drawing is not None for s in self.sections for b in s.blocks):
            return self
        sections = tuple(replace(s, blocks=tuple(b.resolved() if isinstance(b, Figure) else b for b in s.blocks))
                         for s in self.sections)
        return replace(self, sections=sections)

    @property
    def tables(self) -> tuple[Table, ...]:
        """Every table of every section, in reading order.

        The Excel renderer writes one sheet per table in this order.
        """
        return tuple(b for s in self.sections for b in s.blocks if isinstance(b, Table))
