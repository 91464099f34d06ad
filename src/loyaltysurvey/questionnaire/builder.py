"""Build a questionnaire in Python.

>>> from loyaltysurvey.questionnaire import QuestionnaireBuilder
>>> q = (QuestionnaireBuilder("demo", title="Demo", scale=(1, 5))
...      .construct("SAT", "Satisfaction", ["SAT1", "SAT2", ("SAT3", "I regret it", True)])
...      .construct("LOY", "Loyalty", ["LOY1", "LOY2", "LOY3"])
...      .model("LOY ~ SAT")
...      .build())
>>> q.item("SAT3").reverse
True

The builder collects the same structure as the YAML file and hands it to the
same validator, so it yields the same frozen objects.
"""

from __future__ import annotations

from typing import Any, Iterable, Mapping, Sequence

from .loader import questionnaire_from_dict
from .schema import Questionnaire

__all__ = ["QuestionnaireBuilder"]

Text = "str | Mapping[str, str]"


class QuestionnaireBuilder:
    """Collects a questionnaire step by step; :meth:`build` validates it.

    The keyword arguments are the YAML file's top-level keys: ``title`` (text or
    ``{language: text}``), ``language``, ``scale`` as ``(min, max)``, ``labels`` as
    ``{language: [one label per point]}``, ``missing_codes`` and ``respondent_id``. Every
    adding method returns the builder, so calls can be chained.

    >>> b = QuestionnaireBuilder("demo", scale=(1, 5), missing_codes=[99])
    >>> b.construct("SAT", "Satisfaction", ["SAT1", "SAT2", "SAT3"]).to_dict()["missing_codes"]
    [99]
    """

    def __init__(self, id: str, *, title: Any = None, language: str = "en",
                 scale: tuple[int, int] = (1, 5), labels: Mapping[str, list[str]] | None = None,
                 missing_codes: Iterable = (), respondent_id: str | None = None) -> None:
        self._data: dict[str, Any] = {
            "id": id, "language": language,
            "scale": {"min": scale[0], "max": scale[1], **({"labels": dict(labels)} if labels else {})},
            "missing_codes": list(missing_codes), "constructs": [],
        }
        if title is not None:
            self._data["title"] = title
        if respondent_id is not None:
            self._data["respondent_id"] = respondent_id

    def construct(self, id: str, name: Any = None, items: Iterable = (), *,
                  description: Any = None) -> "QuestionnaireBuilder":
        """Add a construct. Each item is an id, a mapping, or ``(id, text[, reverse[, column]])``.

        A mapping has the keys of an item in the YAML file (``id``, ``text``, ``reverse``,
        ``column``). ``name`` and ``description`` are text or ``{language: text}``.

        >>> b = QuestionnaireBuilder("demo").construct("SAT", "Satisfaction", ["S1", ("S2", "Bad", True)])
        >>> b.to_dict()["constructs"][0]["items"]
        [{'id': 'S1'}, {'id': 'S2', 'text': 'Bad', 'reverse': True}]
        """
        entries = []
        for item in items:
            if isinstance(item, str):
                entries.append({"id": item})
            elif isinstance(item, Mapping):
                entries.append(dict(item))
            else:
                fields = ("id", "text", "reverse", "column")
                entries.append({k: v for k, v in zip(fields, item) if v is not None})
        construct = {"id": id, "items": entries}
        if name is not None:
            construct["name"] = name
        if description is not None:
            construct["description"] = description
        self._data["constructs"].append(construct)
        return self

    def higher_order(self, id: str, name: Any = None, dimensions: Iterable[str] = (), *,
                     description: Any = None, hoc_approach: str | None = None,
                     mode: str | None = None) -> "QuestionnaireBuilder":
        """Add a higher-order construct measured by ``dimensions`` (ids of other constructs).

        ``hoc_approach`` (PLS-SEM only) is ``two_stage`` (the default), ``disjoint`` or
        ``repeated_indicators``; ``mode`` its PLS mode (``A`` reflective-reflective, ``B``
        reflective-formative).

        >>> b = QuestionnaireBuilder("demo").higher_order("PERF", "Performance", ["QUAL", "VAL"])
        >>> b.to_dict()["constructs"][0]["dimensions"]
        ['QUAL', 'VAL']
        """
        construct: dict = {"id": id, "dimensions": list(dimensions)}
        for key, value in (("name", name), ("description", description), ("hoc_approach", hoc_approach),
                           ("mode", mode)):
            if value is not None:
                construct[key] = value
        self._data["constructs"].append(construct)
        return self

    def demographic(self, id: str, name: Any = None, *, column: str | None = None,
                    values: Mapping | None = None, multiple: bool = False,
                    separator: str | None = None, bins: Sequence[float] | None = None) -> "QuestionnaireBuilder":
        """Add a demographic question; ``values`` maps codes to labels (text or ``{language: text}``).

        ``column`` is the export's header when it is not the id. ``multiple=True`` makes it a
        multi-select (checkbox) question whose cell joins the chosen options with ``separator``
        (default: the platform's separator, else ``;`` or ``,``). ``bins`` are the band edges of a
        demographic answered as a number (``[25, 35, 45]``: under 25, 25-34, 35-44, 45 and over).

        >>> b = QuestionnaireBuilder("demo").demographic("gender", "Gender", values={1: "Male", 2: "Female"})
        >>> b.to_dict()["demographics"]
        [{'id': 'gender', 'name': 'Gender', 'values': {1: 'Male', 2: 'Female'}}]
        >>> b.demographic("channels", "Channels", values={1: "SMS", 2: "App"}, multiple=True,
        ...               separator=";").to_dict()["demographics"][1]["multiple"]
        True
        """
        entry: dict[str, Any] = {"id": id}
        if name is not None:
            entry["name"] = name
        if column is not None:
            entry["column"] = column
        if values is not None:
            entry["values"] = dict(values)
        if multiple:
            entry["multiple"] = multiple
        if separator is not None:
            entry["separator"] = separator
        if bins is not None:
            entry["bins"] = list(bins)
        self._data.setdefault("demographics", []).append(entry)
        return self

    def model(self, syntax: str) -> "QuestionnaireBuilder":
        """Set the structural model in lavaan syntax (replacing any earlier one).

        The measurement model is derived from the constructs; ``syntax`` holds the
        regressions, covariances and defined parameters (``:=``). Checked by :meth:`build`.
        """
        self._data["model"] = syntax
        return self

    def alternative(self, name: str, syntax: str) -> "QuestionnaireBuilder":
        """Add an alternative structural model, ``name`` -> lavaan syntax, compared with :meth:`model`'s.

        The YAML's ``alternatives: {name: syntax}``; checked by :meth:`build` as the model is.

        >>> b = QuestionnaireBuilder("demo").model("LOY ~ SAT + KCF").alternative("direct_only", "LOY ~ KCF")
        >>> b.to_dict()["alternatives"]
        {'direct_only': 'LOY ~ KCF'}
        """
        self._data.setdefault("alternatives", {})[name] = syntax
        return self

    def hypothesis(self, id: str, source: str, target: str, *, through: Iterable[str] = (),
                   text: Any = None, moderator: str | None = None) -> "QuestionnaireBuilder":
        """Add a hypothesis: the effect of ``source`` on ``target``, indirect when ``through`` names mediators,
        moderated by ``moderator`` when given (the model needs ``target ~ source:moderator``).

        >>> b = QuestionnaireBuilder("demo").hypothesis("H1", "SAT", "LOY", text="Satisfaction raises loyalty")
        >>> b.to_dict()["hypotheses"]
        [{'id': 'H1', 'from': 'SAT', 'to': 'LOY', 'text': 'Satisfaction raises loyalty'}]
        """
        entry: dict[str, Any] = {"id": id, "from": source, "to": target}
        if through:
            entry["through"] = list(through)
        if moderator is not None:
            entry["moderator"] = moderator
        if text is not None:
            entry["text"] = text
        self._data.setdefault("hypotheses", []).append(entry)
        return self

    def attention(self, item: str, expect: Any, *, column: str | None = None,
                  text: Any = None) -> "QuestionnaireBuilder":
        """Add an attention check: item ``item`` (outside every construct) passes when answered ``expect``
        (a scale point or a list of them); it only screens respondents.

        >>> b = QuestionnaireBuilder("demo").attention("ATT1", 2, column="Choose 'Disagree'")
        >>> b.to_dict()["attention"]
        [{'item': 'ATT1', 'expect': 2, 'column': "Choose 'Disagree'"}]
        """
        entry: dict[str, Any] = {"item": item, "expect": expect}
        if column is not None:
            entry["column"] = column
        if text is not None:
            entry["text"] = text
        self._data.setdefault("attention", []).append(entry)
        return self

    def metadata(self, **headers: str) -> "QuestionnaireBuilder":
        """Name the export's headers of respondent metadata by role (``duration``, ``finished``,
        ``progress``, ``preview``, ``start``, ``end``, ``email``, ``ip``), used by the screening.

        >>> QuestionnaireBuilder("demo").metadata(duration="Duration (in seconds)").to_dict()["metadata"]
        {'duration': 'Duration (in seconds)'}
        """
        self._data.setdefault("metadata", {}).update(headers)
        return self

    def to_dict(self) -> dict:
        """The collected structure, with the same keys as a questionnaire YAML file (not validated).

        A shallow copy: the lists inside are the builder's own.
        """
        return dict(self._data)

    def build(self) -> Questionnaire:
        """Validate what was collected and return the frozen :class:`Questionnaire`.

        The same validation as a YAML file (:func:`~loyaltysurvey.questionnaire.loader.questionnaire_from_dict`):
        raises :class:`~loyaltysurvey.errors.QuestionnaireError` naming the problem.

        >>> q = (QuestionnaireBuilder("demo").construct("SAT", "Satisfaction", ["S1", "S2", "S3"])
        ...      .construct("LOY", "Loyalty", ["L1", "L2", "L3"]).model("LOY ~ SAT").build())
        >>> q.item_ids
        ('S1', 'S2', 'S3', 'L1', 'L2', 'L3')
        """
        return questionnaire_from_dict(self._data)
