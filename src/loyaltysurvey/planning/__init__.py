"""Planning a survey: sample size and power before the data are collected.

``loyaltysurvey samplesize`` and :func:`loyaltysurvey.samplesize` call these. The closed-form
methods (Cochran, Krejcie & Morgan, MacCallum et al.'s RMSEA power, the F test of R^2, the
inverse square root method) live in :mod:`.samplesize`; Monte Carlo power of a questionnaire's
own model in :mod:`.montecarlo`; the whole plan and its chapter paragraph in :mod:`.plan`.
Names are imported on first use.
"""

from __future__ import annotations

from ..lazy import lazy_exports

_LAZY = {
    "cochran": ".samplesize", "krejcie_morgan": ".samplesize", "rmsea_power": ".samplesize",
    "rmsea_sample_size": ".samplesize", "rmsea_tests": ".samplesize", "f2_power": ".samplesize",
    "f2_denominator_df": ".samplesize", "f2_detectable": ".samplesize", "regression_power": ".samplesize", "inverse_square_root": ".samplesize",
    "monte_carlo_power": ".montecarlo", "MonteCarloPower": ".montecarlo",
    "samplesize": ".plan", "SampleSizePlan": ".plan",
}

__all__ = sorted(_LAZY)

__getattr__, __dir__ = lazy_exports(__name__, _LAZY)
