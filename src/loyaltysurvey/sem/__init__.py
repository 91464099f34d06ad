"""Covariance-based CFA and SEM that reproduce lavaan's ML results.

Stands alone: it depends on numpy, scipy, pandas and :mod:`loyaltysurvey.errors` only, so a
methodologist can use it without a questionnaire::

    from loyaltysurvey.sem import SEM
    fit = SEM("visual =~ x1 + x2 + x3").fit(frame, estimator="MLR")
    fit.estimates(); fit.fit_measures(); fit.inspect("r2")
"""

from .columns import dotted, dotted_columns
from .identification import check_identification, degrees_of_freedom, sample_moments
from .partable import ParTable, Param, build_partable
from .sem_fit import ESTIMATE_COLUMNS, FIT_KEYS, SEM, SEMFit
from .syntax import Statement, parse_model
from .validity import (average_variance_extracted, composite_reliability, factor_indicators, fornell_larcker,
                       htmt, standardized_loadings)

__all__ = ["ESTIMATE_COLUMNS", "FIT_KEYS", "ParTable", "Param", "SEM", "SEMFit", "Statement",
           "average_variance_extracted", "build_partable", "check_identification", "composite_reliability",
           "degrees_of_freedom", "dotted", "dotted_columns", "factor_indicators", "fornell_larcker", "htmt",
           "parse_model", "sample_moments", "standardized_loadings"]
