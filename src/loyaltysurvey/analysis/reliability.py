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
from scipy import stats

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
    Equal to psych ``alpha()$total$raw_alpha`` (checked to 1e-6 on psych's
    bfi, five scales with missing answers).
    """
    return _alpha_from_cov(np.asarray(C, dtype=float))


def feldt_interval(alpha: float, n: int, k: int, level: float = 0.95) -> tuple[float, float]:
    """Feldt's (1965) confidence interval for alpha.

    ``1 - (1 - alpha) F_{1-a/2}`` and ``1 - (1 - alpha) F_{a/2}`` with
    ``F`` on ``n - 1`` and ``(n - 1)(k - 1)`` degrees of freedom, as
    psych's ``alpha.ci``; ``n`` is the number of respondents used.
    """
    if n < 2 or k < 2 or not np.isfinite(alpha):
        return (float("nan"), float("nan"))
    a = 1 - level
    df1, df2 = n - 1, (n - 1) * (k - 1)
    lo = 1 - (1 - alpha) * stats.f.ppf(1 - a / 2, df1, df2)
    hi = 1 - (1 - alpha) * stats.f.ppf(a / 2, df1, df2)
    return (float(lo), float(hi))


def omega_total(C: np.ndarray) -> float:
    """McDonald's omega total from an ML one-factor model of ``C``.

    Equal to lavaan's one-factor CFA ``(sum lambda)^2 / ((sum lambda)^2 +
    sum theta)`` and ``semTools::compRelSEM(obs.var = FALSE)``; NaN with fewer
    than three items (a one-factor model of two items is not identified).
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
