"""The questionnaire specification: frozen objects, YAML loader, Python builder, lavaan syntax."""

from .builder import QuestionnaireBuilder
from .loader import load_questionnaire, questionnaire_from_dict, questionnaire_from_yaml
from .schema import Alternative, AttentionCheck, Construct, Demographic, Hypothesis, Item, Questionnaire, Scale
from ..sem.syntax import Statement, parse_model

__all__ = [
    "Alternative", "AttentionCheck", "Construct", "Demographic", "Hypothesis", "Item", "Questionnaire", "Scale", "Statement",
    "QuestionnaireBuilder", "load_questionnaire", "questionnaire_from_dict", "questionnaire_from_yaml",
    "parse_model",
]
