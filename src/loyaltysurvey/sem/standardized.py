"""lavaan's ``std.all``: every parameter in the metric of standardized observed and latent variables.

``=~`` rows are scaled by sd(factor) / sd(indicator), ``~`` rows by sd(predictor) /
sd(outcome), variances by 1 / var, covariances by the product of the two residual
standard deviations, intercepts by 1 / sd, with the model-implied total variances.
Checked against lavaan 0.6.14 ``standardizedSolution()`` in tests/test_sem_reference.py.
"""

from __future__ import annotations

import math

import numpy as np

from .ram import RamModel

__all__ = ["standardized_values"]


def standardized_values(model: RamModel, values: np.ndarray, full: np.ndarray) -> np.ndarray:
    """lavaan's std.all for every parameter-table row."""
    table = model.table
    index = {n: i for i, n in enumerate(model.names)}
    total_sd = np.sqrt(np.where(np.diag(full) > 0, np.diag(full), np.nan))
    resid = {}
    for p, v in zip(table.params, values):
        if p.op == "~~" and p.lhs == p.rhs:
            resid[p.lhs] = math.sqrt(abs(v))
    out = np.full(values.size, np.nan)
    for r, (p, v) in enumerate(zip(table.params, values)):
        if p.op == "=~":
            out[r] = v * total_sd[index[p.lhs]] / total_sd[index[p.rhs]]
        elif p.op == "~":
            out[r] = v * total_sd[index[p.rhs]] / total_sd[index[p.lhs]]
        elif p.op == "~~" and p.lhs == p.rhs:
            out[r] = v / total_sd[index[p.lhs]] ** 2
        elif p.op == "~~":
            den = resid.get(p.lhs, np.nan) * resid.get(p.rhs, np.nan)
            out[r] = v / den if den else np.nan
        elif p.op == "~1":
            out[r] = v / total_sd[index[p.lhs]]
    return out
