"""Covariance-based CFA and SEM that reproduce lavaan's ML results.

Stands alone: it depends on numpy, scipy, pandas and :mod:`loyaltysurvey.errors` only, so a
methodologist can use it without a questionnaire::

    from loyaltysurvey.sem import SEM
    fit = SEM("visual =~ x1 + x2 + x3").fit(frame, estimator="MLR")
    fit.estimates(); fit.fit_measures(); fit.inspect("r2")

The names below are imported on first use, so that reading a questionnaire (which needs only
:mod:`loyaltysurvey.sem.syntax`) does not load pandas and scipy.
"""

from __future__ import annotations

from ..lazy import lazy_exports


_LAZY = {
    "dotted": ".columns", "dotted_columns": ".columns",
    "check_identification": ".identification", "degrees_of_freedom": ".identification",
    "sample_moments": ".identification",
    "ParTable": ".partable", "Param": ".partable", "build_partable": ".partable",
    "MultiGroupFit": ".multigroup", "MultiGroupSEM": ".multigroup",
    "ESTIMATE_COLUMNS": ".sem_fit", "FIT_KEYS": ".sem_fit", "SEM": ".sem_fit", "SEMFit": ".sem_fit",
    "Statement": ".syntax", "parse_model": ".syntax",
    "average_variance_extracted": ".validity", "composite_reliability": ".validity",
    "factor_indicators": ".validity", "fornell_larcker": ".validity", "htmt": ".validity",
    "standardized_loadings": ".validity",
}

__all__ = ["ESTIMATE_COLUMNS", "FIT_KEYS", "MultiGroupFit", "MultiGroupSEM", "ParTable", "Param", "SEM", "SEMFit", "Statement",
           "average_variance_extracted", "build_partable", "check_identification", "composite_reliability",
           "degrees_of_freedom", "dotted", "dotted_columns", "factor_indicators", "fornell_larcker", "htmt",
           "parse_model", "sample_moments", "standardized_loadings"]


__getattr__, __dir__ = lazy_exports(__name__, _LAZY)
