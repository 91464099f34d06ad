"""Analyses: pure functions and result objects, no I/O, no rounding."""

from .descriptives import describe, frequency_table, kurtosis, scale_distribution, skewness
from .pipeline import analyze_responses
from .reliability import ScaleReliability, cronbach_alpha, feldt_interval, omega_total, scale_reliability
from .results import AnalysisResults, to_jsonable
from .scoring import construct_scores, score_items

__all__ = ["AnalysisResults", "ScaleReliability", "analyze_responses", "construct_scores", "cronbach_alpha",
           "describe", "feldt_interval", "frequency_table", "kurtosis", "omega_total", "scale_distribution",
           "scale_reliability", "score_items", "skewness", "to_jsonable"]
