"""loyaltysurvey: from customer-survey questionnaire to a defended thesis chapter.

The flow is one way: questionnaire spec -> ingestion -> analyses -> report
model -> renderers (HTML, Word, Excel).
"""

from .errors import DataError, LoyaltySurveyError, ModelError, QuestionnaireError
from .questionnaire import QuestionnaireBuilder, load_questionnaire

__version__ = "0.1.0"

__all__ = ["DataError", "LoyaltySurveyError", "ModelError", "QuestionnaireError",
           "QuestionnaireBuilder", "load_questionnaire", "__version__"]
