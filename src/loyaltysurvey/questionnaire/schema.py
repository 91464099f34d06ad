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


def derived_measurement_syntax(constructs: Iterable["Construct"], model_statements: Iterable[Statement] = ()) -> str:
    """lavaan syntax of the measurement model derived from the constructs.

    Single-item constructs are measured without error (loading fixed to 1, residual
    variance fixed to 0), as lavaan does for a single indicator. A loading or variance
    that the questionnaire's ``model`` states itself (``KCF =~ NA*KCF1``, ``KCF1 ~~ KCF1``)
    is left to the model, so that the user's modifiers apply and nothing is stated twice.
    """
    own = {(s.lhs, s.op, s.rhs) for s in model_statements}
    lines = []
    for c in constructs:
        items = [i for i in c.item_ids if (c.id, "=~", i) not in own]
        if items:
            lines.append(f"{c.id} =~ {' + '.join(items)}")
        if len(c.items) == 1 and (c.items[0].id, "~~", c.items[0].id) not in own:
            lines.append(f"{c.items[0].id} ~~ 0*{c.items[0].id}")
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

    def _user_measurement(self) -> tuple[Statement, ...]:
        """The model's own ``=~`` statements and ``~~`` statements among constructs and items."""
        measured = {c.id for c in self.constructs} | set(self.item_ids) | {
            s.lhs for s in self.model_statements if s.op == "=~"}
        return tuple(s for s in self.model_statements
                     if s.op == "=~" or (s.op == "~~" and s.lhs in measured and s.rhs in measured))

    @property
    def derived_syntax(self) -> str:
        """lavaan syntax of the measurement model derived from the constructs
        (see :func:`derived_measurement_syntax`)."""
        return derived_measurement_syntax(self.constructs, self.model_statements)

    @property
    def measurement_syntax(self) -> str:
        """The measurement model (for the CFA): the derived syntax plus the model's own measurement statements."""
        own = "\n".join(s.to_syntax() for s in self._user_measurement())
        return self.derived_syntax + ("\n" + own if own else "")

    def syntax_line(self, line: int | None) -> int | None:
        """The YAML line of line ``line`` of :attr:`full_syntax` (None when it is not known).

        Lines of the derived measurement model point at the model's first line.
        """
        if not self.model_lines:
            return None
        derived = self.derived_syntax.count("\n") + 1
        if line is None or line <= derived:
            return self.model_lines[0]
        index = line - derived - 1
        return self.model_lines[index] if index < len(self.model_lines) else self.model_lines[-1]

    @property
    def full_syntax(self) -> str:
        """The derived measurement model plus the questionnaire's ``model`` text."""
        return self.derived_syntax + ("\n" + self.model if self.model else "")
