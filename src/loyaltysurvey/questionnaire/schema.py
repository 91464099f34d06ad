"""The questionnaire as frozen data.

A :class:`Questionnaire` is built once, validated, and never changes. The YAML
loader (:func:`loyaltysurvey.spec.load_questionnaire`) and the Python builder
(:class:`loyaltysurvey.spec.QuestionnaireBuilder`) both produce these objects
through the same validation, so the two are interchangeable.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Iterable, Iterator, Mapping

from ..text import LocalizedText, match_key
from ..errors import QuestionnaireError
from ..sem.syntax import Statement

__all__ = ["Scale", "Item", "Construct", "Demographic", "Hypothesis", "Questionnaire"]


def _freeze(mapping: Mapping | None) -> Mapping:
    return MappingProxyType(dict(mapping or {}))


@dataclass(frozen=True)
class Scale:
    """A response scale: integer points ``min..max`` with optional labels per language."""

    min: int
    max: int
    labels: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "labels", _freeze({k: tuple(v) for k, v in dict(self.labels).items()}))

    @property
    def points(self) -> tuple[int, ...]:
        return tuple(range(self.min, self.max + 1))

    def label(self, point: int, lang: str) -> str:
        labels = self.labels.get(lang) or next(iter(self.labels.values()), None)
        if labels is None:
            return str(point)
        return labels[point - self.min]

    def label_lookup(self) -> dict[str, int]:
        """Loose-match key of every label in every language -> scale point."""
        lookup: dict[str, int] = {}
        for labels in self.labels.values():
            for point, text in zip(self.points, labels):
                lookup[match_key(text)] = point
        return lookup

    def reverse(self, value: float) -> float:
        return self.min + self.max - value


@dataclass(frozen=True)
class Item:
    """One question. ``reverse`` items are analysed as ``min + max - x``."""

    id: str
    text: LocalizedText
    scale: Scale
    reverse: bool = False
    column: str | None = None
    construct: str = ""


@dataclass(frozen=True)
class Construct:
    """A construct (latent variable) measured by its items."""

    id: str
    name: LocalizedText
    items: tuple[Item, ...]
    description: LocalizedText = field(default_factory=LocalizedText)
    mode: str = "A"  # PLS: "A" composite mode A, "B" formative mode B, "R" reflective (mode A + PLSc)

    @property
    def item_ids(self) -> tuple[str, ...]:
        return tuple(item.id for item in self.items)


@dataclass(frozen=True)
class Demographic:
    """A descriptive question (gender, age group, ...) with optional coded values."""

    id: str
    name: LocalizedText
    column: str | None = None
    values: Mapping[str, LocalizedText] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "values", _freeze(self.values))


@dataclass(frozen=True)
class Hypothesis:
    """A hypothesis: a direct path ``from -> to``, or an indirect one ``through`` mediators."""

    id: str
    source: str
    target: str
    through: tuple[str, ...] = ()
    text: LocalizedText = field(default_factory=LocalizedText)

    @property
    def indirect(self) -> bool:
        return bool(self.through)


def measurement_statements(constructs: Iterable["Construct"], model_statements: Iterable[Statement] = ()
                           ) -> tuple[Statement, ...]:
    """The measurement model derived from the constructs, as statements in questionnaire order.

    Each construct is measured by its items; single-item constructs without error (residual
    variance fixed to 0, as lavaan does for a single indicator). A loading that the
    questionnaire's ``model`` states itself (``KCF =~ NA*KCF1``, ``KCF =~ a*KCF2``) takes its
    item's place with the user's modifiers, so that lavaan's rule of fixing the first loading
    applies to the construct's first item, and nothing is stated twice; so does a stated residual
    variance of a single item.
    """
    model_statements = tuple(model_statements)
    own = {(s.lhs, s.rhs): s for s in model_statements if s.op == "=~"}
    own_variances = {s.lhs for s in model_statements if s.op == "~~" and s.lhs == s.rhs}
    out: list[Statement] = []
    for c in constructs:
        for item in c.item_ids:
            out.append(own.get((c.id, item)) or Statement(c.id, "=~", item))
        if len(c.items) == 1 and c.items[0].id not in own_variances:
            out.append(Statement(c.items[0].id, "~~", c.items[0].id, fixed=0.0))
    return tuple(out)


def _render(statements: Iterable[Statement]) -> str:
    """Statements as lavaan syntax, the loadings of one factor on one line (``F =~ a + NA*b``)."""
    lines: list[str] = []
    last: tuple[str, str] | None = None
    for s in statements:
        text = s.to_syntax()
        if s.op == "=~" and last == (s.lhs, s.op):
            lines[-1] += " + " + text.split(" =~ ", 1)[1]
        else:
            lines.append(text)
        last = (s.lhs, s.op)
    return "\n".join(lines)


@dataclass(frozen=True)
class Questionnaire:
    """A validated questionnaire: scale, constructs, demographics, model, hypotheses."""

    id: str
    title: LocalizedText
    language: str
    scale: Scale
    constructs: tuple[Construct, ...]
    missing_codes: tuple[float | str, ...] = ()
    respondent_id: str | None = None
    demographics: tuple[Demographic, ...] = ()
    model: str | None = None
    model_statements: tuple[Statement, ...] = ()
    hypotheses: tuple[Hypothesis, ...] = ()
    references: tuple[str, ...] = ()
    description: LocalizedText = field(default_factory=LocalizedText)
    source: str | None = None
    model_lines: tuple[int | None, ...] = field(default=(), compare=False)

    @property
    def items(self) -> tuple[Item, ...]:
        return tuple(item for c in self.constructs for item in c.items)

    @property
    def item_ids(self) -> tuple[str, ...]:
        return tuple(item.id for item in self.items)

    def item(self, item_id: str) -> Item:
        for item in self.items:
            if item.id == item_id:
                return item
        raise QuestionnaireError(f"the questionnaire has no item '{item_id}'", source=self.source)

    def construct(self, construct_id: str) -> Construct:
        for c in self.constructs:
            if c.id == construct_id:
                return c
        raise QuestionnaireError(f"the questionnaire has no construct '{construct_id}'", source=self.source)

    def __iter__(self) -> Iterator[Construct]:
        return iter(self.constructs)

    @property
    def derived_statements(self) -> tuple[Statement, ...]:
        """The measurement model derived from the constructs (see :func:`measurement_statements`)."""
        return measurement_statements(self.constructs, self.model_statements)

    @property
    def cfa_statements(self) -> tuple[Statement, ...]:
        """The CFA: the derived measurement model, the model's other ``=~`` statements (higher-order
        factors) and its ``~~`` statements among constructs and items."""
        derived = self.derived_statements
        taken = {(s.lhs, s.op, s.rhs) for s in derived}
        measured = {c.id for c in self.constructs} | set(self.item_ids) | {
            s.lhs for s in self.model_statements if s.op == "=~"}
        extra = tuple(s for s in self.model_statements if (s.lhs, s.op, s.rhs) not in taken and (
            s.op == "=~" or (s.op == "~~" and s.lhs in measured and s.rhs in measured)))
        return derived + extra

    @property
    def sem_statements(self) -> tuple[Statement, ...]:
        """The whole model: the derived measurement model, then the questionnaire's model."""
        derived = self.derived_statements
        taken = {(s.lhs, s.op, s.rhs) for s in derived}
        return derived + tuple(s for s in self.model_statements if (s.lhs, s.op, s.rhs) not in taken)

    @property
    def derived_syntax(self) -> str:
        """The derived measurement model as lavaan syntax."""
        return _render(self.derived_statements)

    @property
    def measurement_syntax(self) -> str:
        """The CFA as lavaan syntax (:attr:`cfa_statements`)."""
        return _render(self.cfa_statements)

    def model_line(self, line: int | None) -> int | None:
        """The YAML line of line ``line`` of the ``model`` text (None when not known); statements the
        questionnaire derives (line 0) point at the model's first line."""
        if not self.model_lines:
            return None
        if not line or line < 1:
            return self.model_lines[0]
        return self.model_lines[min(line, len(self.model_lines)) - 1]

    @property
    def full_syntax(self) -> str:
        """The whole model as lavaan syntax (:attr:`sem_statements`)."""
        return _render(self.sem_statements)
