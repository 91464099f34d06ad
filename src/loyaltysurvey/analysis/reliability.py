"""Internal consistency: Cronbach's alpha, item statistics and McDonald's omega.

Every number here is checked against R (``tests/reference/``): psych
``alpha()`` for raw and standardized alpha, ``r.drop`` and alpha if an item is
deleted; lavaan's ML one-factor model (equal to ``semTools::compRelSEM``) for
omega. With missing answers the covariances are pairwise-complete, as in psych.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..distributions import f_ppf
from ..errors import ModelError
from ..sem.onefactor import fit_one_factor

__all__ = ["ItemReliability", "ScaleReliability", "cronbach_alpha", "feldt_interval",
           "omega_total", "scale_reliability"]


def _alpha_from_cov(C: np.ndarray) -> float:
    k = C.shape[0]
    total = C.sum()
    return float((1 - np.trace(C) / total) * k / (k - 1)) if k > 1 and total != 0 else float("nan")


def _std_alpha(R: np.ndarray) -> float:
    k = R.shape[0]
    total = R.sum()
    return float((1 - k / total) * k / (k - 1)) if k > 1 and total != 0 else float("nan")


def cronbach_alpha(C: np.ndarray) -> float:
    """Raw alpha of a covariance matrix: k/(k-1) * (1 - tr(C) / sum(C)).

    Notes
    -----
    Equal to psych ``alpha()$total$raw_alpha``: checked to 1e-6 against R psych
    2.2.9 (through :func:`scale_reliability`) on psych's bfi, five scales with
    missing answers, and on the bundled example's six scales, in
    tests/test_reliability.py.

    References: Cronbach (1951).

    >>> from loyaltysurvey.datasets import crm_responses
    >>> sat = crm_responses()[["SAT1", "SAT2", "SAT3", "SAT4"]]
    >>> round(cronbach_alpha(sat.cov().to_numpy()), 3)  # psych alpha(): 0.819
    0.819
    """
    return _alpha_from_cov(np.asarray(C, dtype=float))


def feldt_interval(alpha: float, n: int, k: int, level: float = 0.95) -> tuple[float, float]:
    """Feldt's (1965) confidence interval for alpha.

    ``1 - (1 - alpha) F_{1-a/2}`` and ``1 - (1 - alpha) F_{a/2}`` with
    ``F`` on ``n - 1`` and ``(n - 1)(k - 1)`` degrees of freedom, as
    psych's ``alpha.ci``; ``n`` is the number of respondents used.
    NaN bounds when ``n < 2``, ``k < 2`` or alpha is not finite.

    Checked against R psych 2.2.9 ``alpha.ci`` in tests/test_reliability.py: with
    ``n`` = all rows it is the interval psych's ``alpha()`` prints, and
    :func:`scale_reliability` passes the respondents who answered the scale.

    References: Feldt (1965).

    >>> lo, hi = feldt_interval(0.8193, n=420, k=4)
    >>> round(lo, 3), round(hi, 3)  # psych alpha.ci for SAT of the bundled example
    (0.789, 0.846)
    """
    if n < 2 or k < 2 or not np.isfinite(alpha):
        return (float("nan"), float("nan"))
    a = 1 - level
    df1, df2 = n - 1, (n - 1) * (k - 1)
    lo = 1 - (1 - alpha) * f_ppf(1 - a / 2, df1, df2)
    hi = 1 - (1 - alpha) * f_ppf(a / 2, df1, df2)
    return (float(lo), float(hi))


def omega_total(C: np.ndarray) -> float:
    """McDonald's omega total from an ML one-factor model of ``C``.

    Equal to lavaan's one-factor CFA ``(sum lambda)^2 / ((sum lambda)^2 +
    sum theta)`` and ``semTools::compRelSEM(obs.var = FALSE)``; NaN with fewer
    than three items (a one-factor model of two items is not identified) or
    when the fit fails. Checked against lavaan 0.6.14's one-factor CFA and
    semTools 0.5.6 ``compRelSEM()`` (through :func:`scale_reliability`) in
    tests/test_reliability.py.

    References: McDonald (1999).

    >>> from loyaltysurvey.datasets import crm_responses
    >>> sat = crm_responses()[["SAT1", "SAT2", "SAT3", "SAT4"]]
    >>> round(omega_total(sat.cov().to_numpy()), 3)  # lavaan / semTools: 0.821
    0.821
    >>> omega_total(sat[["SAT1", "SAT2"]].cov().to_numpy())
    nan
    """
    C = np.asarray(C, dtype=float)
    if C.shape[0] < 3:
        return float("nan")
    try:
        return fit_one_factor(C).omega
    except (np.linalg.LinAlgError, ValueError, ModelError):
        return float("nan")


@dataclass(frozen=True)
class ItemReliability:
    """Statistics of one item within its scale: corrected item-total correlation and alpha without it.

    From the scale's pairwise covariance matrix ``C`` and its correlation matrix ``R``:
    ``r_drop = (sum(C[, i]) - C[i, i]) / sqrt(C[i, i] * sum(C[-i, -i]))`` (the item's
    correlation with the sum of the other items); ``alpha_if_deleted`` is
    :func:`cronbach_alpha` of ``C[-i, -i]`` and ``std_alpha_if_deleted`` the standardized
    alpha ``k'/(k'-1) (1 - k' / sum(R[-i, -i]))`` with ``k' = k - 1`` (both NaN for a
    two-item scale). Checked against R psych 2.2.9 ``alpha()`` (``item.stats$r.drop``
    and ``alpha.drop``) in tests/test_reliability.py.

    >>> from loyaltysurvey.datasets import crm_responses
    >>> rel = scale_reliability(crm_responses()[["SAT1", "SAT2", "SAT3", "SAT4"]], "SAT")
    >>> item = rel.items["SAT1"]
    >>> round(item.r_drop, 3), round(item.alpha_if_deleted, 3), round(item.std_alpha_if_deleted, 3)
    (0.695, 0.747, 0.747)
    """

    r_drop: float
    alpha_if_deleted: float
    std_alpha_if_deleted: float

    def to_json(self) -> dict[str, float]:
        return {"r_drop": self.r_drop, "alpha_if_deleted": self.alpha_if_deleted,
                "std_alpha_if_deleted": self.std_alpha_if_deleted}


@dataclass(frozen=True)
class ScaleReliability:
    """Reliability of one construct's items (reverse-scored).

    ``n`` is the number of respondents with at least one answer on these
    items (the n of the Feldt interval); ``n_complete`` those with all.
    ``alpha`` is :func:`cronbach_alpha`, ``alpha_ci`` :func:`feldt_interval`,
    ``std_alpha = k/(k-1) (1 - k / sum(R))`` from the item correlations ``R``,
    ``omega`` :func:`omega_total`, ``items`` the :class:`ItemReliability` of each item,
    and ``mean_inter_item_r`` the mean off-diagonal element of ``R`` (by definition;
    not compared with a reference). The others are checked against R psych 2.2.9 and
    lavaan 0.6.14 in tests/test_reliability.py.

    >>> from loyaltysurvey.datasets import crm_responses
    >>> rel = scale_reliability(crm_responses()[["SAT1", "SAT2", "SAT3", "SAT4"]], "SAT")
    >>> rel.k, rel.n, rel.n_complete
    (4, 420, 408)
    >>> round(rel.std_alpha, 3), round(rel.mean_inter_item_r, 3)
    (0.819, 0.531)
    """

    construct: str
    k: int
    n: int
    n_complete: int
    alpha: float
    alpha_ci: tuple[float, float]
    std_alpha: float
    omega: float
    items: dict[str, ItemReliability] = field(default_factory=dict)
    mean_inter_item_r: float = float("nan")

    def to_json(self) -> dict[str, Any]:
        return {"alpha": self.alpha, "alpha_ci": list(self.alpha_ci), "std_alpha": self.std_alpha,
                "omega": self.omega, "k": self.k, "n": self.n, "n_complete": self.n_complete,
                "mean_inter_item_r": self.mean_inter_item_r,
                "items": {k: v.to_json() for k, v in self.items.items()}}


def scale_reliability(scored: pd.DataFrame, construct: str = "", level: float = 0.95) -> ScaleReliability:
    """All reliability statistics of one scale (columns = its reverse-scored items).

    Covariances are pairwise-complete (``cov(x, use = "pairwise")``), as psych
    ``alpha()`` computes them. ``r_drop`` is the corrected item-total
    correlation computed from that covariance matrix:
    ``(sum(C[, i]) - C[i, i]) / sqrt(C[i, i] * sum(C[-i, -i]))``.
    ``level`` is the confidence level of the Feldt interval. Checked against R
    psych 2.2.9 ``alpha()`` (alpha, standardized alpha, ``r.drop``, alpha if
    deleted, Feldt interval) and lavaan 0.6.14 / semTools 0.5.6 (omega) on bfi and
    the bundled example in tests/test_reliability.py.

    >>> from loyaltysurvey.datasets import crm_responses
    >>> rel = scale_reliability(crm_responses()[["SAT1", "SAT2", "SAT3", "SAT4"]], "SAT")
    >>> round(rel.alpha, 3), [round(b, 3) for b in rel.alpha_ci], round(rel.omega, 3)
    (0.819, [0.789, 0.846], 0.821)
    """
    X = scored.astype(float)
    k = X.shape[1]
    n_used = int(X.notna().any(axis=1).sum())
    n_complete = int(X.notna().all(axis=1).sum())
    C = X.cov(min_periods=2).to_numpy()
    with np.errstate(invalid="ignore", divide="ignore"):
        d = np.sqrt(np.diag(C))
        R = C / np.outer(d, d)
    alpha = cronbach_alpha(C) if k > 1 else float("nan")
    std_alpha = _std_alpha(R) if k > 1 else float("nan")
    items: dict[str, ItemReliability] = {}
    if k > 1:
        for i, name in enumerate(X.columns):
            keep = [j for j in range(k) if j != i]
            Ci, Ri = C[np.ix_(keep, keep)], R[np.ix_(keep, keep)]
            with np.errstate(invalid="ignore", divide="ignore"):
                r_drop = (C[:, i].sum() - C[i, i]) / np.sqrt(C[i, i] * Ci.sum())
            items[name] = ItemReliability(
                float(r_drop),
                _alpha_from_cov(Ci) if k > 2 else float("nan"),
                _std_alpha(Ri) if k > 2 else float("nan"))
    off = R[~np.eye(k, dtype=bool)] if k > 1 else np.array([])
    return ScaleReliability(
        construct=construct, k=k, n=n_used, n_complete=n_complete, alpha=alpha,
        alpha_ci=feldt_interval(alpha, n_used, k, level), std_alpha=std_alpha,
        omega=omega_total(C) if np.all(np.isfinite(C)) else float("nan"),
        items=items, mean_inter_item_r=float(np.mean(off)) if off.size else float("nan"))
