"""loyaltysurvey: from customer-survey questionnaire to a defended thesis chapter.

The flow is one way: questionnaire -> ingestion -> analyses -> report model -> renderers
(HTML, Word, Excel). From Python::

    import loyaltysurvey
    study = loyaltysurvey.analyze("study.yaml", "responses.xlsx")   # or a pandas DataFrame
    study.summary(); study.hypotheses; study.pls.paths; study.sem.fit_measures()
    study.write("out/")                                            # the chapter, results.json
    loyaltysurvey.write_form("study.yaml", "form/", lang="fa")     # form.html/.docx, .lss, .qsf

Before the survey, ``loyaltysurvey.samplesize(population=N, questionnaire="study.yaml")``
gives the sample size and power by the methods theses cite.

The engines stand alone: :class:`SEM` (lavaan syntax, lavaan's ML) and :class:`PLS`
(seminr's PLS-SEM). Heavy modules are imported on first use.
"""

from __future__ import annotations

from .errors import DataError, LoyaltySurveyError, ModelError, Notice, QuestionnaireError
from .lazy import lazy_exports

__version__ = "0.1.0"

_LAZY = {
    "analyze": ".study", "Study": ".study", "Summary": ".study",
    "Settings": ".settings",
    "SEM": ".sem", "SEMFit": ".sem",
    "PLS": ".pls", "PLSFit": ".pls",
    "Questionnaire": ".questionnaire", "QuestionnaireBuilder": ".questionnaire",
    "load_questionnaire": ".questionnaire",
    "write_form": ".forms.files", "form_files": ".forms.files",
    "samplesize": ".planning.plan", "SampleSizePlan": ".planning.plan",
}

__all__ = ["DataError", "LoyaltySurveyError", "ModelError", "Notice", "QuestionnaireError", "__version__",
           *_LAZY]


__getattr__, __dir__ = lazy_exports(__name__, _LAZY)
