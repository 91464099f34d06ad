"""Counting moments and parameters: the model's degrees of freedom and whether it can be estimated.

One definition, used when a questionnaire is validated and when a model is fitted:
the sample moments are the ``p(p+1)/2`` variances and covariances of the ``p``
observed variables (plus the ``p`` means with a mean structure), less those of
the fixed.x covariates, whose (co)variances and means are fixed at their sample
values as lavaan's ``fixed.x = TRUE`` does; the degrees of freedom are the
moments less the free parameters (lavaan's ``fitMeasures(fit, "df")``).
"""

from __future__ import annotations

from ..errors import ModelError
from .partable import ParTable

__all__ = ["sample_moments", "degrees_of_freedom", "check_identification"]


def sample_moments(table: ParTable) -> int:
    """The number of sample moments the model reproduces.

    >>> from loyaltysurvey.sem.partable import build_partable
    >>> sample_moments(build_partable("F =~ x1 + x2 + x3"))
    6
    """
    p = len(table.observed)
    nx = len(table.exogenous_x)
    moments = p * (p + 1) // 2 - nx * (nx + 1) // 2
    if table.meanstructure:
        moments += p - nx
    return moments


def degrees_of_freedom(table: ParTable) -> int:
    """Sample moments less free parameters (negative for an under-identified model).

    >>> from loyaltysurvey.sem.partable import build_partable
    >>> degrees_of_freedom(build_partable("F =~ x1 + x2 + x3 + x4"))
    2
    """
    return sample_moments(table) - table.n_free


def check_identification(table: ParTable) -> None:
    """Raise :class:`~loyaltysurvey.errors.ModelError` when the model cannot be estimated.

    Two necessary conditions are checked: no more free parameters than sample
    moments (df >= 0), and every latent variable has a scale (a loading fixed to a
    non-zero value, lavaan's default fixes the first, or its variance fixed).
    """
    df = degrees_of_freedom(table)
    if df < 0:
        raise ModelError(f"the model is under-identified: {table.n_free} free parameters but only "
                         f"{sample_moments(table)} sample moments (df = {df}); fix or remove parameters")
    for lv in table.latent:
        loadings = [q for q in table.params if q.op == "=~" and q.lhs == lv]
        if not loadings:
            continue
        has_scale = any(not q.free and q.value not in (None, 0.0) for q in loadings) or any(
            q.op == "~~" and q.lhs == lv and q.rhs == lv and not q.free for q in table.params)
        if not has_scale:
            raise ModelError(f"the latent variable '{lv}' has no scale: fix one loading (the default) or "
                             f"its variance ({lv} ~~ 1*{lv})")
