"""The project's errors and warnings, in one place.

Every error raised for bad user input is a :class:`LoyaltySurveyError`. Its
message is one line that names the file and, where it applies, the YAML line,
the data row or the column, and says what to do next. The command line maps
these errors to exit status 2 and prints the message alone, without a
traceback; any other exception is an internal error (exit status 1).

Problems that do not stop an analysis (a Heywood case, a low alpha, a
non-converged resample) are :class:`Notice` records returned with the results.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

__all__ = [
    "LoyaltySurveyError",
    "QuestionnaireError",
    "DataError",
    "ModelError",
    "Notice",
]


class LoyaltySurveyError(Exception):
    """Bad input from the user: a one-line, actionable message."""

    def __init__(self, message: str, *, source: str | None = None,
                 line: int | None = None, row: int | None = None,
                 column: str | None = None) -> None:
        self.source = source
        self.line = line
        self.row = row
        self.column = column
        self.detail = message
        super().__init__(self._compose())

    def _compose(self) -> str:
        where = []
        if self.source:
            where.append(str(self.source))
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column '{self.column}'")
        text = " ".join(self.detail.split())  # always one line
        return f"{', '.join(where)}: {text}" if where else text


class QuestionnaireError(LoyaltySurveyError):
    """The questionnaire YAML (or a builder call) is invalid."""


class DataError(LoyaltySurveyError):
    """The response file cannot be read or does not fit the questionnaire."""


class ModelError(LoyaltySurveyError):
    """The model syntax or the model itself cannot be estimated."""


@dataclass(frozen=True)
class Notice:
    """A data-quality or estimation note that travels with the results into every report.

    Analyses return notices instead of printing or raising warnings: the rest of
    the chapter is still produced, and the note appears in ``results.json``
    (``warnings``) and in the report. ``code`` is stable (for example
    ``zero_variance``), ``message`` says in English what happened and what to do
    (for the Python API, the terminal and ``results.json``), ``subject`` names the
    item, construct or column.

    ``params`` holds what the message states (counts, statistics, item and construct
    ids, values as written in the data file) as ``(name, value)`` pairs; a mapping is
    accepted and stored as such pairs, so a notice stays immutable and hashable. The
    report writes each notice in its own language from these values and the locale
    file's ``notice_texts.<code>`` template, never from ``message``. A param named
    ``advice`` chooses a further sentence (``notice_advice.<advice>``).

    >>> n = Notice("mostly_missing", "item SAT2 is missing for 40 of 60 respondents", "SAT2",
    ...            {"item": "SAT2", "missing": 40, "n": 60})
    >>> n.values["missing"], n.to_json()["params"]
    (40, {'item': 'SAT2', 'missing': 40, 'n': 60})
    """

    code: str
    message: str
    subject: str = ""
    params: tuple[tuple[str, Any], ...] = ()

    def __post_init__(self) -> None:
        pairs = self.params.items() if isinstance(self.params, Mapping) else self.params
        object.__setattr__(self, "params", tuple((str(k), _plain(v)) for k, v in pairs))

    @property
    def values(self) -> dict[str, Any]:
        """``params`` as a dictionary."""
        return dict(self.params)

    def to_json(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "subject": self.subject, "params": self.values}


def _plain(value: Any) -> Any:
    """A NumPy scalar as the Python number it holds (JSON-ready, hashable); anything else as it is."""
    item = getattr(value, "item", None)
    return item() if callable(item) and type(value).__module__ == "numpy" else value
