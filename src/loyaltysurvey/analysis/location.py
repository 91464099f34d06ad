"""Tests on the construct scores themselves: where each stands against the scale midpoint, and
how the constructs rank.

* :func:`one_sample_t`: Student's one-sample t-test (R's ``t.test(x, mu = m)``).
* :func:`wilcoxon_signed_rank`: the Wilcoxon signed-rank test against ``m`` with R's
  ``wilcox.test(x, mu = m)`` defaults.
* :func:`friedman`: Friedman's rank test across constructs with mean ranks (R's
  ``friedman.test`` on the complete cases).

Checked against R 4.2.2 on bfi, the bundled example and HolzingerSwineford1939 (all rows and
its first 40, which take the exact Wilcoxon branch) in ``tests/reference/checks_reference.json``
(tests/test_checks_reference.py).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from ..distributions import chi2_sf, norm_cdf, norm_sf, t_sf

__all__ = ["one_sample_t", "wilcoxon_signed_rank", "friedman", "signrank_cdf"]


def _ranks(a: np.ndarray, method: str = "average") -> np.ndarray:
    """Ranks (1 = smallest) of a vector, or of each row of a matrix; ties get their group's average,
    lowest (``min``) or highest (``max``) rank, as ``scipy.stats.rankdata`` gives them (equal to it
    in tests/test_distributions.py)."""
    a = np.asarray(a, dtype=float)
    if a.ndim == 2:
        return np.array([_ranks(row, method) for row in a]).reshape(a.shape)
    ordered = np.sort(a)
    low = np.searchsorted(ordered, a, side="left") + 1.0
    high = np.searchsorted(ordered, a, side="right").astype(float)
    return {"average": (low + high) / 2, "min": low, "max": high}[method]


def one_sample_t(x: np.ndarray, mu: float) -> dict[str, float]:
    """Student's one-sample t-test of ``mean(x) = mu`` (two-sided), NaNs dropped.

    Parameters
    ----------
    x:
        The values (for example a construct's scores).
    mu:
        The value tested (for example the scale midpoint).

    Returns
    -------
    dict
        ``n``, ``mean``, ``sd``, ``t``, ``df`` and ``pvalue``. NaN statistics with fewer than two
        values or no spread (R's ``t.test`` then stops: "data are essentially constant").

    Notes
    -----
    ``t = (mean - mu) / (sd / sqrt(n))`` with ``sd`` on ``n - 1``, referred to Student's t
    with ``n - 1`` df: ``p = 2 P(T > |t|)``. Checked against R ``t.test(x, mu = mu)`` (1e-10)
    in tests/test_checks_reference.py.

    References
    ----------
    Student. (1908). The probable error of a mean. Biometrika, 6(1), 1-25.

    Examples
    --------
    >>> from loyaltysurvey.datasets import holzinger_swineford
    >>> res = one_sample_t(holzinger_swineford()[["x7", "x8", "x9"]].mean(axis=1).to_numpy(), 5)
    >>> round(res["t"], 4), res["df"], round(res["pvalue"], 4)  # R t.test(mu = 5): t = 0.6184, p = .5368
    (0.6184, 300, 0.5368)
    """
    x = np.asarray(x, dtype=float)
    x = x[~np.isnan(x)]
    n = int(x.size)
    out = {"n": n, "mean": float(x.mean()) if n else float("nan"),
           "sd": float(x.std(ddof=1)) if n > 1 else float("nan"),
           "t": float("nan"), "df": n - 1 if n > 1 else float("nan"), "pvalue": float("nan")}
    if n < 2 or not out["sd"] > 0:
        return out
    t = (out["mean"] - mu) / (out["sd"] / math.sqrt(n))
    out.update(t=float(t), pvalue=float(2 * t_sf(abs(t), n - 1)))
    return out


def _signrank_counts(n: int) -> np.ndarray:
    """How many subsets of ``1..n`` have each sum ``0..n(n+1)/2`` (one vector pass per rank)."""
    counts = np.zeros(n * (n + 1) // 2 + 1)
    counts[0] = 1.0
    for k in range(1, n + 1):
        counts[k:] = counts[k:] + counts[:-k]
    return counts


def signrank_cdf(v: float, n: int, upper: bool = False) -> float:
    """``P(V <= v)`` (or ``P(V > v)`` with ``upper``) for the Wilcoxon signed-rank statistic of ``n``
    untied, non-zero values: R's ``psignrank(v, n, lower.tail = !upper)``.

    The exact null distribution, counted over the subsets of ``1..n`` by their sum (used for
    small n, as R does below 50); ``v`` is floored as R does.

    >>> signrank_cdf(3, 5), signrank_cdf(3, 5, upper=True)  # R: psignrank(3, 5) = 5/32
    (0.15625, 0.84375)
    """
    counts = _signrank_counts(n)
    q = math.floor(v + 1e-7)
    lower = float(counts[:max(0, min(q, counts.size - 1) + 1)].sum()) if q >= 0 else 0.0
    total = 2.0 ** n
    return (total - lower) / total if upper else lower / total


def wilcoxon_signed_rank(x: np.ndarray, mu: float) -> dict[str, float]:
    """Wilcoxon's signed-rank test of ``x`` against ``mu`` (two-sided), with R's defaults.

    Parameters
    ----------
    x:
        The values; NaNs dropped.
    mu:
        The value tested (for example the scale midpoint).

    Returns
    -------
    dict
        ``n`` (non-zero differences used), ``v`` (the sum of the ranks of the positive
        differences, R's ``V``), ``pvalue`` and ``exact`` (whether the exact distribution was
        used). NaN with no non-zero difference.

    Notes
    -----
    As R's ``wilcox.test(x, mu = mu)``: differences ``x - mu`` equal to zero are dropped;
    ``|x - mu|`` is ranked (average ranks for ties, exact comparison as R's default
    ``digits.rank = Inf``). With fewer than 50 values and neither ties nor zeros the p-value
    is exact: ``min(2 P, 1)`` with ``P = P(V >= v)`` when ``v > n(n+1)/4``, else ``P(V <= v)``.
    Otherwise it is the normal approximation with tie and continuity correction,
    ``z = (v - n(n+1)/4 - sign(.) 0.5) / sqrt(n(n+1)(2n+1)/24 - sum(t^3 - t)/48)`` and
    ``p = 2 min(Phi(z), 1 - Phi(z))``. Checked against R ``wilcox.test`` (both branches,
    1e-10) in tests/test_checks_reference.py.

    References
    ----------
    Wilcoxon, F. (1945). Individual comparisons by ranking methods. Biometrics Bulletin,
    1(6), 80-83.

    Examples
    --------
    >>> from loyaltysurvey.datasets import holzinger_swineford
    >>> res = wilcoxon_signed_rank(holzinger_swineford()[["x7", "x8", "x9"]].mean(axis=1).to_numpy(), 5)
    >>> res["v"], round(res["pvalue"], 4), res["exact"]  # R wilcox.test(mu = 5): V = 23063, p = .7458
    (23063.0, 0.7458, False)
    """
    x = np.asarray(x, dtype=float)
    d = x[~np.isnan(x)] - mu
    zeros = bool(np.any(d == 0))
    d = d[d != 0]
    n = int(d.size)
    out = {"n": n, "v": float("nan"), "pvalue": float("nan"), "exact": False}
    if n == 0:
        return out
    ranks = _ranks(np.abs(d))
    v = float(ranks[d > 0].sum())
    ties = np.unique(ranks).size != n
    out["v"] = v
    if n < 50 and not ties and not zeros:
        if v > n * (n + 1) / 4:
            p = signrank_cdf(v - 1, n, upper=True)
        else:
            p = signrank_cdf(v, n)
        out.update(pvalue=min(2 * p, 1.0), exact=True)
        return out
    _, counts = np.unique(ranks, return_counts=True)
    z = v - n * (n + 1) / 4
    sigma = math.sqrt(n * (n + 1) * (2 * n + 1) / 24 - float(np.sum(counts ** 3 - counts)) / 48)
    if sigma == 0:
        return out
    z = (z - math.copysign(0.5, z) * (z != 0)) / sigma
    out["pvalue"] = float(2 * min(norm_cdf(z), norm_sf(z)))
    return out


def friedman(scores: pd.DataFrame) -> dict:
    """Friedman's test that the constructs' scores share one distribution, with their mean ranks.

    Parameters
    ----------
    scores:
        Construct scores, one column per construct; respondents with a missing score are left
        out (complete cases, as R's ``friedman.test`` on a matrix requires).

    Returns
    -------
    dict
        ``n`` (respondents used), ``chisq``, ``df``, ``pvalue`` and ``mean_ranks``
        (``{construct: mean rank}``, 1 = lowest score). NaN statistics with fewer than two
        constructs or no respondent.

    Notes
    -----
    Each respondent's ``k`` scores are ranked (average ranks for ties); with ``R_j`` the rank
    sum of construct ``j`` over the ``n`` respondents and ``t`` the sizes of the tied groups
    within respondents,

    ``chisq = 12 sum_j (R_j - n(k+1)/2)^2 / (n k (k+1) - sum(t^3 - t) / (k - 1))`` on ``k - 1``
    df. Vectorised: the size of the tie group of each value is its maximum rank minus its
    minimum rank plus one. Checked against R ``friedman.test`` (1e-10) in
    tests/test_checks_reference.py.

    References
    ----------
    Friedman, M. (1937). The use of ranks to avoid the assumption of normality implicit in the
    analysis of variance. Journal of the American Statistical Association, 32(200), 675-701.

    Examples
    --------
    >>> from loyaltysurvey.datasets import holzinger_swineford
    >>> hs = holzinger_swineford()
    >>> scores = pd.DataFrame({"visual": hs[["x1", "x2", "x3"]].mean(axis=1),
    ...                        "textual": hs[["x4", "x5", "x6"]].mean(axis=1),
    ...                        "speed": hs[["x7", "x8", "x9"]].mean(axis=1)})
    >>> res = friedman(scores)
    >>> round(res["chisq"], 4), res["df"], {k: round(v, 3) for k, v in res["mean_ranks"].items()}  # R friedman.test
    (325.3422, 2, {'visual': 2.166, 'textual': 1.196, 'speed': 2.638})
    """
    names = [str(c) for c in scores.columns]
    y = scores.dropna().to_numpy(dtype=float)
    n, k = y.shape
    out = {"n": int(n), "chisq": float("nan"), "df": k - 1, "pvalue": float("nan"),
           "mean_ranks": {c: float("nan") for c in names}}
    if k < 2 or n == 0:
        return out
    ranks = _ranks(y)
    tie_size = _ranks(y, "max") - _ranks(y, "min") + 1
    ties = float(np.sum(tie_size ** 2 - 1))   # each tie group of size t gives t entries of t^2 - 1: t^3 - t
    sums = ranks.sum(axis=0)
    denom = n * k * (k + 1) - ties / (k - 1)
    out["mean_ranks"] = {c: float(v) for c, v in zip(names, sums / n)}
    if denom <= 0:
        return out
    chisq = 12 * float(np.sum((sums - n * (k + 1) / 2) ** 2)) / denom
    out.update(chisq=chisq, pvalue=float(chi2_sf(chisq, k - 1)))
    return out
