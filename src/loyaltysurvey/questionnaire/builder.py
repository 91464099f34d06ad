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

from typing import Any, Iterable, Mapping

from .loader import questionnaire_from_dict
from .schema import Questionnaire

__all__ = ["QuestionnaireBuilder"]

Text = "str | Mapping[str, str]"


class QuestionnaireBuilder:
    """Collects a questionnaire step by step; :meth:`build` validates it."""

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
        """Add a construct. Each item is an id, a mapping, or ``(id, text[, reverse[, column]])``."""
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

    def demographic(self, id: str, name: Any = None, *, column: str | None = None,
                    values: Mapping | None = None) -> "QuestionnaireBuilder":
        entry: dict[str, Any] = {"id": id}
        if name is not None:
            entry["name"] = name
        if column is not None:
            entry["column"] = column
        if values is not None:
            entry["values"] = dict(values)
        self._data.setdefault("demographics", []).append(entry)
        return self

    def model(self, syntax: str) -> "QuestionnaireBuilder":
        self._data["model"] = syntax
        return self

    def hypothesis(self, id: str, source: str, target: str, *, through: Iterable[str] = (),
                   text: Any = None) -> "QuestionnaireBuilder":
        entry: dict[str, Any] = {"id": id, "from": source, "to": target}
        if through:
            entry["through"] = list(through)
        if text is not None:
            entry["text"] = text
        self._data.setdefault("hypotheses", []).append(entry)
        return self

    def to_dict(self) -> dict:
        return dict(self._data)

    def build(self) -> Questionnaire:
        return questionnaire_from_dict(self._data)
