"""Analyses: pure functions and result objects, no I/O, no rounding."""

from .checks import ConstructTests, MeasurementChecks, construct_tests, measurement_checks
from .descriptives import describe, frequency_table, kurtosis, multiple_response_table, scale_distribution, skewness
from .efa import EFAResult, ParallelResult, efa, parallel_analysis
from .exploratory import ExploratoryAnalysis, run_efa
from .pipeline import analyze_responses
from .reliability import ScaleReliability, cronbach_alpha, feldt_interval, omega_total, scale_reliability
from .results import AnalysisResults, to_jsonable
from .scoring import construct_scores, score_items

__all__ = ["AnalysisResults", "ConstructTests", "EFAResult", "ExploratoryAnalysis", "MeasurementChecks",
           "ParallelResult", "ScaleReliability", "analyze_responses",
           "construct_scores", "construct_tests", "cronbach_alpha", "efa", "measurement_checks", "parallel_analysis",
           "run_efa",
           "describe", "feldt_interval", "frequency_table", "multiple_response_table", "kurtosis", "omega_total", "scale_distribution",
           "scale_reliability", "score_items", "skewness", "to_jsonable"]
