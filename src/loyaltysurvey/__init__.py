"""loyaltysurvey: from customer-survey questionnaire to a defended thesis chapter.

The flow is one way: questionnaire -> ingestion -> analyses -> report model -> renderers
(HTML, Word, Excel). From Python::

    import loyaltysurvey
    study = loyaltysurvey.analyze("study.yaml", "responses.xlsx")   # or a pandas DataFrame
    study.summary(); study.hypotheses; study.pls.paths; study.sem.fit_measures()
    study.write("out/")                                            # the chapter, results.json

The engines stand alone: :class:`SEM` (lavaan syntax, lavaan's ML) and :class:`PLS`
(seminr's PLS-SEM). Heavy modules are imported on first use.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from .errors import DataError, LoyaltySurveyError, ModelError, Notice, QuestionnaireError

__version__ = "0.1.0"

_LAZY = {
    "analyze": ".study", "Study": ".study", "Summary": ".study",
    "Settings": ".settings",
    "SEM": ".sem", "SEMFit": ".sem",
    "PLS": ".pls", "PLSFit": ".pls",
    "Questionnaire": ".questionnaire", "QuestionnaireBuilder": ".questionnaire",
    "load_questionnaire": ".questionnaire",
}

__all__ = ["DataError", "LoyaltySurveyError", "ModelError", "Notice", "QuestionnaireError", "__version__",
           *_LAZY]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(import_module(_LAZY[name], __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'loyaltysurvey' has no attribute '{name}'")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
