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

__all__ = ["Scale", "Item", "Construct", "Demographic", "Hypothesis", "Alternative", "AttentionCheck",
           "Questionnaire"]


def _freeze(mapping: Mapping | None) -> Mapping:
    return MappingProxyType(dict(mapping or {}))


@dataclass(frozen=True)
class Scale:
    """A response scale: integer points ``min..max`` with optional labels per language.

    ``labels`` maps a language code to one label per point, from ``min`` up.

    >>> s = Scale(1, 5, {"en": ["Strongly disagree", "Disagree", "Neutral", "Agree", "Strongly agree"]})
    >>> s.points, s.label(4, "en"), s.reverse(2)
    ((1, 2, 3, 4, 5), 'Agree', 4)
    """

    min: int
    max: int
    labels: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "labels", _freeze({k: tuple(v) for k, v in dict(self.labels).items()}))

    @property
    def points(self) -> tuple[int, ...]:
        """The scale points ``min, min + 1, ..., max``.

        >>> Scale(0, 3).points
        (0, 1, 2, 3)
        """
        return tuple(range(self.min, self.max + 1))

    def label(self, point: int, lang: str) -> str:
        """The label of ``point`` in ``lang``; the first language's label when ``lang`` has none.

        The point itself as text when the scale has no labels.

        >>> s = Scale(1, 2, {"fa": ["خیر", "بله"], "en": ["No", "Yes"]})
        >>> s.label(2, "en"), s.label(2, "de"), Scale(1, 5).label(3, "en")
        ('Yes', 'بله', '3')
        """
        labels = self.labels.get(lang) or next(iter(self.labels.values()), None)
        if labels is None:
            return str(point)
        return labels[point - self.min]

    def label_lookup(self) -> dict[str, int]:
        """Loose-match key of every label in every language -> scale point.

        Keys are :func:`loyaltysurvey.text.match_key` of the label, as used when reading answers.

        >>> Scale(1, 2, {"en": ["No", "Yes"]}).label_lookup()
        {'no': 1, 'yes': 2}
        """
        lookup: dict[str, int] = {}
        for labels in self.labels.values():
            for point, text in zip(self.points, labels):
                lookup[match_key(text)] = point
        return lookup

    def reverse(self, value: float) -> float:
        """A reverse-worded answer on the scale turned round: ``min + max - value``.

        >>> Scale(1, 5).reverse(1), Scale(0, 4).reverse(1.5)
        (5, 2.5)
        """
        return self.min + self.max - value


@dataclass(frozen=True)
class Item:
    """One question. ``reverse`` items are analysed as ``min + max - x``.

    ``column`` is the export's header for the item when it is not the id; ``construct``
    is the id of the construct the item measures.

    >>> from loyaltysurvey.datasets import crm_questionnaire
    >>> item = crm_questionnaire().item("SAT1")
    >>> item.construct, item.column, item.reverse
    ('SAT', 'Q18. Overall satisfaction', False)
    """

    id: str
    text: LocalizedText
    scale: Scale
    reverse: bool = False
    column: str | None = None
    construct: str = ""


@dataclass(frozen=True)
class Construct:
    """A construct (latent variable) measured by its items.

    ``mode`` is used by PLS-SEM only: ``"A"`` composite mode A, ``"B"`` formative mode B,
    ``"R"`` reflective (mode A corrected by PLSc).

    >>> from loyaltysurvey.datasets import crm_questionnaire
    >>> crm_questionnaire().construct("SAT").item_ids
    ('SAT1', 'SAT2', 'SAT3', 'SAT4')
    """

    id: str
    name: LocalizedText
    items: tuple[Item, ...]
    description: LocalizedText = field(default_factory=LocalizedText)
    mode: str = "A"  # PLS: "A" composite mode A, "B" formative mode B, "R" reflective (mode A + PLSc)
    #: A higher-order construct's dimensions (lower-order construct ids); it then has no items.
    dimensions: tuple[str, ...] = ()
    #: PLS-SEM estimation of a higher-order construct: ``"two_stage"`` (the default: seminr's
    #: ``higher_composite(method = two_stage)``, a disjoint two-stage approach), ``"embedded"``
    #: (embedded two-stage) or ``"repeated_indicators"``. Unused by CB-SEM.
    hoc_approach: str = "two_stage"

    @property
    def higher_order(self) -> bool:
        """Whether the construct is a higher-order one (measured by its dimensions, not by items).

        >>> Construct("PERF", LocalizedText(), (), dimensions=("QUAL", "VAL")).higher_order
        True
        """
        return bool(self.dimensions)

    @property
    def item_ids(self) -> tuple[str, ...]:
        """The ids of the construct's items, in questionnaire order.

        >>> Construct("SAT", LocalizedText(), (Item("S1", LocalizedText(), Scale(1, 5)),)).item_ids
        ('S1',)
        """
        return tuple(item.id for item in self.items)


@dataclass(frozen=True)
class Demographic:
    """A descriptive question (gender, age group, ...) with optional coded values.

    ``values`` maps a code as text (``"1"``) to its label in each language; an export may
    hold either the code or a label. A ``multiple`` demographic is a multi-select (checkbox,
    "select all that apply") question: its cell joins the chosen options with ``separator``
    (``None``: the platform's separator, else ``;`` or ``,``; see
    :func:`loyaltysurvey.ingest.clean.split_options`), and it is tabulated as a
    multiple-response table (:func:`loyaltysurvey.analysis.descriptives.multiple_response_table`).

    >>> from loyaltysurvey.datasets import crm_questionnaire
    >>> gender = crm_questionnaire().demographics[0]
    >>> gender.id, sorted(gender.values)
    ('gender', ['1', '2'])
    """

    id: str
    name: LocalizedText
    column: str | None = None
    values: Mapping[str, LocalizedText] = field(default_factory=dict)
    multiple: bool = False
    separator: str | None = None
    #: Band edges of a demographic answered as a number (an age in years): the chapter tabulates
    #: the bands ``x < e1``, ``e1 <= x < e2``, ..., ``x >= ek``; empty: round edges are chosen
    #: when the numbers have more than a dozen distinct values
    #: (:func:`loyaltysurvey.analysis.descriptives.banded_frequency_table`).
    bins: tuple[float, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "values", _freeze(self.values))
        object.__setattr__(self, "bins", tuple(float(b) for b in self.bins))


@dataclass(frozen=True)
class Hypothesis:
    """A hypothesis: a direct path ``from -> to``, an indirect one ``through`` mediators, or a
    moderation: ``moderator`` moderates the path ``from -> to`` (tested on the interaction
    ``to ~ from:moderator``).

    >>> h = Hypothesis("H6", "KCF", "LOY", through=("SAT",))
    >>> h.indirect, Hypothesis("H1", "KCF", "SAT").indirect
    (True, False)
    """

    id: str
    source: str
    target: str
    through: tuple[str, ...] = ()
    text: LocalizedText = field(default_factory=LocalizedText)
    moderator: str | None = None

    @property
    def indirect(self) -> bool:
        """Whether the hypothesis is about an indirect effect (it has mediators).

        Tested on the specific indirect effect through exactly ``through``, in that order.
        """
        return bool(self.through)


@dataclass(frozen=True)
class Alternative:
    """An alternative structural model the chapter compares with the questionnaire's ``model``.

    ``model`` is its lavaan syntax as written and ``statements`` the parsed statements; like
    ``model``, the measurement model is derived from the constructs (:attr:`sem_statements`
    of the questionnaire takes the same rule). ``line`` is the YAML line of its name.
    """

    name: str
    model: str
    statements: tuple[Statement, ...]
    line: int | None = field(default=None, compare=False)

    def sem_statements(self, constructs: Iterable["Construct"]) -> tuple[Statement, ...]:
        """The whole alternative model: the derived measurement model, then its own statements."""
        derived = measurement_statements(constructs, self.statements)
        taken = {(s.lhs, s.op, s.rhs) for s in derived}
        return derived + tuple(s for s in self.statements if (s.lhs, s.op, s.rhs) not in taken)


@dataclass(frozen=True)
class AttentionCheck:
    """An instructed-response item ("select 'agree' here"): answered on ``scale`` and passed when the
    answer is one of ``expect``. It belongs to no construct and enters no analysis; it only screens
    respondents (:mod:`loyaltysurvey.ingest.screening`).

    >>> check = AttentionCheck("ATT1", (2.0,), Scale(1, 5))
    >>> check.passes(2), check.passes(4)
    (True, False)
    """

    id: str
    expect: tuple[float, ...]
    scale: Scale
    column: str | None = None
    text: LocalizedText = field(default_factory=LocalizedText)

    def passes(self, value: float) -> bool:
        """Whether ``value`` is an expected answer (a missing answer, NaN, fails)."""
        return value in self.expect


def measurement_statements(constructs: Iterable["Construct"], model_statements: Iterable[Statement] = ()
                           ) -> tuple[Statement, ...]:
    """The measurement model derived from the constructs, as statements in questionnaire order.

    Each construct is measured by its items; single-item constructs without error (residual
    variance fixed to 0, as lavaan does for a single indicator). A loading that the
    questionnaire's ``model`` states itself (``KCF =~ NA*KCF1``, ``KCF =~ a*KCF2``) takes its
    item's place with the user's modifiers, so that lavaan's rule of fixing the first loading
    applies to the construct's first item, and nothing is stated twice; so does a stated residual
    variance of a single item.

    >>> from loyaltysurvey.datasets import crm_questionnaire
    >>> q = crm_questionnaire()
    >>> [s.to_syntax() for s in measurement_statements(q.constructs[:1])][:2]
    ['KCF =~ KCF1', 'KCF =~ KCF2']
    """
    model_statements = tuple(model_statements)
    own = {(s.lhs, s.rhs): s for s in model_statements if s.op == "=~"}
    own_variances = {s.lhs for s in model_statements if s.op == "~~" and s.lhs == s.rhs}
    out: list[Statement] = []
    constructs = tuple(constructs)
    for c in constructs:
        for item in c.item_ids:
            out.append(own.get((c.id, item)) or Statement(c.id, "=~", item))
        if len(c.items) == 1 and c.items[0].id not in own_variances:
            out.append(Statement(c.items[0].id, "~~", c.items[0].id, fixed=0.0))
    for c in constructs:  # higher-order constructs after every first-order one: HOC =~ dimension
        for dim in c.dimensions:
            out.append(own.get((c.id, dim)) or Statement(c.id, "=~", dim))
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
    """A validated questionnaire: scale, constructs, demographics, model, hypotheses.

    Made by :func:`~loyaltysurvey.questionnaire.loader.load_questionnaire` (YAML) or
    :class:`~loyaltysurvey.questionnaire.builder.QuestionnaireBuilder`, never edited
    afterwards. Iterating over it gives its constructs. ``model`` is the structural model in
    lavaan syntax as written (``model_statements`` parsed, ``model_lines`` their YAML lines);
    ``missing_codes`` are answers that mean "no answer" (numbers as floats); ``form_texts`` the
    printed form's own wording (``cover_letter``, ``consent``, ``thanks``) when the questionnaire
    gives it (``form:`` in the YAML; see :mod:`loyaltysurvey.forms`).

    >>> from loyaltysurvey.datasets import crm_questionnaire
    >>> q = crm_questionnaire()
    >>> [c.id for c in q], len(q.items), q.missing_codes
    (['KCF', 'CRMO', 'KM', 'TECH', 'SAT', 'LOY'], 25, (-99.0, 99.0))
    """

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
    form_texts: Mapping[str, LocalizedText] = field(default_factory=dict)
    alternatives: tuple["Alternative", ...] = ()
    #: The export's survey-platform columns named by role (``metadata:`` in the YAML), e.g.
    #: ``{"duration": "Duration (in seconds)"}``; they win over what the platform layout names.
    metadata: Mapping[str, str] = field(default_factory=dict)
    #: Instructed-response items that screen respondents (``attention:``); outside every construct.
    attention: tuple[AttentionCheck, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "form_texts", _freeze(self.form_texts))
        object.__setattr__(self, "metadata", _freeze(self.metadata))

    @property
    def metadata_columns(self) -> Mapping[str, str]:
        """The same as :attr:`metadata` (the export's metadata headers by role)."""
        return self.metadata

    def alternative(self, name: str) -> "Alternative":
        """The alternative model called ``name``; :class:`~loyaltysurvey.errors.QuestionnaireError` if none."""
        for alt in self.alternatives:
            if alt.name == name:
                return alt
        raise QuestionnaireError(f"the questionnaire has no alternative model '{name}'", source=self.source)

    @property
    def items(self) -> tuple[Item, ...]:
        """All items, construct by construct, in questionnaire order.

        >>> from loyaltysurvey.datasets import crm_questionnaire
        >>> [item.id for item in crm_questionnaire().items][:3]
        ['KCF1', 'KCF2', 'KCF3']
        """
        return tuple(item for c in self.constructs for item in c.items)

    @property
    def item_ids(self) -> tuple[str, ...]:
        """The ids of :attr:`items`, the column names of the clean responses.

        >>> from loyaltysurvey.datasets import crm_questionnaire
        >>> crm_questionnaire().item_ids[-2:]
        ('LOY3', 'LOY4')
        """
        return tuple(item.id for item in self.items)

    def item(self, item_id: str) -> Item:
        """The item with id ``item_id``; :class:`~loyaltysurvey.errors.QuestionnaireError` if there is none.

        >>> from loyaltysurvey.datasets import crm_questionnaire
        >>> crm_questionnaire().item("LOY2").construct
        'LOY'
        """
        for item in self.items:
            if item.id == item_id:
                return item
        raise QuestionnaireError(f"the questionnaire has no item '{item_id}'", source=self.source)

    def construct(self, construct_id: str) -> Construct:
        """The construct with id ``construct_id``; :class:`~loyaltysurvey.errors.QuestionnaireError` if none.

        >>> from loyaltysurvey.datasets import crm_questionnaire
        >>> len(crm_questionnaire().construct("KCF").items)
        5
        """
        for c in self.constructs:
            if c.id == construct_id:
                return c
        raise QuestionnaireError(f"the questionnaire has no construct '{construct_id}'", source=self.source)

    def __iter__(self) -> Iterator[Construct]:
        return iter(self.constructs)

    @property
    def first_order(self) -> tuple[Construct, ...]:
        """The constructs measured by items (every construct but the higher-order ones)."""
        return tuple(c for c in self.constructs if not c.dimensions)

    @property
    def higher_order(self) -> tuple[Construct, ...]:
        """The higher-order constructs (measured by their dimensions), in questionnaire order."""
        return tuple(c for c in self.constructs if c.dimensions)

    def construct_items(self, construct_id: str) -> tuple[Item, ...]:
        """The items of a construct; for a higher-order construct those of its dimensions, recursively
        (the items its score averages and the repeated-indicators approach uses).

        >>> from loyaltysurvey.datasets import crm_questionnaire
        >>> len(crm_questionnaire().construct_items("KCF"))
        5
        """
        c = self.construct(construct_id)
        if not c.dimensions:
            return c.items
        return tuple(item for d in c.dimensions for item in self.construct_items(d))

    def level(self, construct_id: str) -> int:
        """1 for a first-order construct, 2 for a second-order one, 3 for a third-order one ..."""
        c = self.construct(construct_id)
        return 1 + max((self.level(d) for d in c.dimensions), default=0)

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
        """The derived measurement model as lavaan syntax, one line per construct.

        >>> from loyaltysurvey.datasets import crm_questionnaire
        >>> crm_questionnaire().derived_syntax.splitlines()[-1]
        'LOY =~ LOY1 + LOY2 + LOY3 + LOY4'
        """
        return _render(self.derived_statements)

    @property
    def measurement_syntax(self) -> str:
        """The CFA as lavaan syntax (:attr:`cfa_statements`).

        >>> from loyaltysurvey.datasets import crm_questionnaire
        >>> q = crm_questionnaire()
        >>> q.measurement_syntax == q.derived_syntax  # the example's model states no measurement
        True
        """
        return _render(self.cfa_statements)

    def model_line(self, line: int | None) -> int | None:
        """The YAML line of line ``line`` of the ``model`` text (None when not known); statements the
        questionnaire derives (line 0) point at the model's first line. Used to point error messages
        about the model at the questionnaire file.

        >>> from loyaltysurvey.datasets import crm_questionnaire
        >>> q = crm_questionnaire()
        >>> q.model_line(0) == q.model_lines[0], q.model_line(2) == q.model_lines[1]
        (True, True)
        """
        if not self.model_lines:
            return None
        if not line or line < 1:
            return self.model_lines[0]
        return self.model_lines[min(line, len(self.model_lines)) - 1]

    @property
    def full_syntax(self) -> str:
        """The whole model as lavaan syntax (:attr:`sem_statements`), as the CB-SEM analysis fits it.

        >>> from loyaltysurvey.datasets import crm_questionnaire
        >>> crm_questionnaire().full_syntax.splitlines()[6:8]
        ['SAT ~ h1*KCF', 'SAT ~ h2*CRMO']
        """
        return _render(self.sem_statements)
