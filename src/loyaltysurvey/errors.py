"""The project's errors and warnings, in one place.

Every error raised for bad user input is a :class:`LoyaltySurveyError`. Its
message is one line that names the file and, where it applies, the YAML line,
the data row or the column, and says what to do next. The command line maps
these errors to exit status 2 and prints the message alone, without a
traceback; any other exception is an internal error (exit status 1).
"""

from __future__ import annotations

__all__ = [
    "LoyaltySurveyError",
    "QuestionnaireError",
    "DataError",
    "ModelError",
    "LoyaltySurveyWarning",
    "DataQualityWarning",
    "LowReliabilityWarning",
    "ConvergenceWarning",
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


class LoyaltySurveyWarning(UserWarning):
    """Base class of the project's warnings."""


class DataQualityWarning(LoyaltySurveyWarning):
    """Surprising data that was kept (zero variance, all missing, ...)."""


class LowReliabilityWarning(LoyaltySurveyWarning):
    """A construct's reliability is below the usual threshold."""


class ConvergenceWarning(LoyaltySurveyWarning):
    """An iterative estimator did not converge."""
