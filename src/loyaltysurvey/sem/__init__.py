"""Covariance-based CFA and SEM that reproduce lavaan's ML results."""

from .sem_fit import ESTIMATE_COLUMNS, FIT_KEYS, SEM, SEMResults
from .partable import ParTable, Param, build_partable
from .validity import (average_variance_extracted, composite_reliability, factor_indicators, fornell_larcker,
                       htmt, standardized_loadings)

__all__ = ["ESTIMATE_COLUMNS", "FIT_KEYS", "ParTable", "Param", "SEM", "SEMResults", "average_variance_extracted",
           "build_partable", "composite_reliability", "factor_indicators", "fornell_larcker", "htmt",
           "standardized_loadings"]
