"""The few probability distributions the analyses need, from :mod:`scipy.special`.

Each function is what :mod:`scipy.stats` computes for that distribution (its ``_cdf``,
``_sf`` and ``_ppf`` call these same :mod:`scipy.special` functions), with the same answers
outside the support: importing :mod:`scipy.stats` costs about half a second, a fifth of a
whole ``loyaltysurvey analyze`` run, and these are all it was used for besides
Shapiro-Wilk (:func:`loyaltysurvey.analysis.normality.shapiro_wilk`). Every function takes
numbers or arrays and returns a NumPy float or array, as :mod:`scipy.stats` does; each is
checked against :mod:`scipy.stats` on values in and outside the support in
tests/test_distributions.py.
"""

from __future__ import annotations

import numpy as np

__all__ = ["norm_cdf", "norm_sf", "norm_ppf", "chi2_cdf", "chi2_sf", "chi2_isf", "ncx2_cdf", "ncx2_noncentrality", "t_sf", "f_ppf"]


class _Special:
    """:mod:`scipy.special`, imported when a distribution is first asked for (ingestion alone needs
    none, and the import costs a tenth of a second)."""

    def __getattr__(self, name: str):
        from scipy import special as module
        return getattr(module, name)


special = _Special()


def norm_cdf(x):
    """Standard normal CDF (``scipy.stats.norm.cdf``).

    >>> float(norm_cdf(1.959963984540054))
    0.975
    """
    return special.ndtr(x)


def norm_sf(x):
    """Standard normal upper tail ``1 - cdf``, accurate far out (``scipy.stats.norm.sf``).

    >>> round(float(2 * norm_sf(1.96)), 4)
    0.05
    """
    return special.ndtr(-np.asarray(x, dtype=float))[()]


def norm_ppf(q):
    """Standard normal quantile (``scipy.stats.norm.ppf``).

    >>> round(float(norm_ppf(0.975)), 6)
    1.959964
    """
    return special.ndtri(q)


def _chi2(fn, df, x, below):
    df, x = np.asarray(df, dtype=float), np.asarray(x, dtype=float)
    out = np.where(x < 0, below, fn(df, np.maximum(x, 0.0)))
    return np.where(df > 0, out, np.nan)[()]


def chi2_cdf(x, df):
    """Chi-square CDF on ``df`` degrees of freedom (``scipy.stats.chi2.cdf``).

    >>> round(float(chi2_cdf(3.841458820694124, 1)), 6)
    0.95
    """
    return _chi2(special.chdtr, df, x, 0.0)


def chi2_sf(x, df):
    """Chi-square upper tail, the p-value of a chi-square statistic (``scipy.stats.chi2.sf``).

    >>> round(float(chi2_sf(3.841458820694124, 1)), 6)
    0.05
    """
    return _chi2(special.chdtrc, df, x, 1.0)


def chi2_isf(p, df):
    """Chi-square upper-tail quantile: the critical value for a tail probability ``p``
    (``scipy.stats.chi2.isf``).

    >>> round(float(chi2_isf(0.05, 1)), 6)
    3.841459
    """
    return special.chdtri(np.asarray(df, dtype=float), np.asarray(p, dtype=float))[()]


def ncx2_cdf(x, df, nc):
    """Noncentral chi-square CDF (``scipy.stats.ncx2.cdf``); ``nc = 0`` is the central one.

    >>> bool(ncx2_cdf(30.0, 24, 0.0) == chi2_cdf(30.0, 24)), bool(ncx2_cdf(30.0, 24, 5.0) < chi2_cdf(30.0, 24))
    (True, True)
    """
    x, df, nc = (np.asarray(v, dtype=float) for v in (x, df, nc))
    with np.errstate(over="ignore"):
        out = np.where(nc != 0, special.chndtr(np.maximum(x, 0.0), df, nc), special.chdtr(df, np.maximum(x, 0.0)))
    out = np.where(x < 0, 0.0, out)
    return np.where((df > 0) & (nc >= 0), out, np.nan)[()]


def ncx2_noncentrality(x, df, p):
    """The noncentrality at which the noncentral chi-square CDF at ``x`` is ``p``
    (``scipy.special.chndtrinc``; ``scipy.stats`` has no such inverse, R's ``pchisq`` is solved
    for it by root finding as lavaan does). NaN where no noncentrality gives ``p`` (the central
    CDF at ``x`` already below ``p``).

    >>> nc = ncx2_noncentrality(85.306, 24, 0.95)
    >>> round(float(nc), 4), round(float(ncx2_cdf(85.306, 24, nc)), 12)
    (36.8471, 0.95)
    """
    x, df, p = (np.asarray(v, dtype=float) for v in (x, df, p))
    ok = (df > 0) & (x >= 0) & (p > 0) & (p < 1)
    ok &= special.chdtr(np.where(df > 0, df, 1.0), np.maximum(x, 0.0)) >= p  # else no noncentrality is enough
    with np.errstate(invalid="ignore"):
        out = np.where(ok, special.chndtrinc(np.maximum(x, 0.0), np.where(df > 0, df, 1.0), np.clip(p, 1e-300, 1.0)),
                       np.nan)
    return out[()]

def t_sf(x, df):
    """Student's t upper tail (``scipy.stats.t.sf``).

    >>> round(float(2 * t_sf(2.0, 10)), 4)
    0.0734
    """
    df = np.asarray(df, dtype=float)
    return np.where(df > 0, special.stdtr(df, -np.asarray(x, dtype=float)), np.nan)[()]


def f_ppf(q, dfn, dfd):
    """Quantile of the F distribution on ``dfn`` and ``dfd`` degrees of freedom (``scipy.stats.f.ppf``).

    >>> round(float(f_ppf(0.975, 10, 20)), 4)
    2.7737
    """
    q, dfn, dfd = (np.asarray(v, dtype=float) for v in (q, dfn, dfd))
    ok = (dfn > 0) & (dfd > 0) & (q >= 0) & (q <= 1)
    return np.where(ok, special.fdtri(dfn, dfd, np.clip(q, 0.0, 1.0)), np.nan)[()]
