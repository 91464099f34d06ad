"""The format-free report model: sections of paragraphs, tables, figures and notes.

Built once from :class:`~loyaltysurvey.analysis.AnalysisResults` by
:mod:`loyaltysurvey.report.build`; read by the HTML, Word and Excel renderers,
which compute nothing. Table cells keep their full-precision value and say
how to show it (``fmt``), so Excel receives numbers and HTML/Word receive
text in the report's number style.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Union

__all__ = ["Cell", "Table", "Paragraph", "Callout", "Figure", "Section", "Report", "Block"]


@dataclass(frozen=True)
class Cell:
    """One table cell: a value and its format (``text``, ``int``, ``dec2``, ``r``, ``p``, ``pct``...)."""

    value: Any
    fmt: str = "text"
    emphasis: bool = False


@dataclass(frozen=True)
class Table:
    id: str
    caption: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    notes: tuple[str, ...] = ()
    number: int = 0


@dataclass(frozen=True)
class Paragraph:
    text: str


@dataclass(frozen=True)
class Callout:
    """A highlighted note: ``level`` is ``warning`` or ``info``."""

    text: str
    level: str = "warning"


@dataclass(frozen=True)
class Figure:
    """A picture (PNG bytes) with its caption."""

    id: str
    caption: str
    png: bytes
    number: int = 0
    width: float = 6.0  # inches on a printed page


Block = Union[Paragraph, Table, Callout, Figure]


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    blocks: tuple[Block, ...] = ()


@dataclass(frozen=True)
class Report:
    """A whole chapter in one language."""

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

    @property
    def tables(self) -> tuple[Table, ...]:
        return tuple(b for s in self.sections for b in s.blocks if isinstance(b, Table))
