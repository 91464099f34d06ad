"""Normality tests as theses report them: Shapiro-Wilk and Kolmogorov-Smirnov with the
Lilliefors correction.

* :func:`shapiro_wilk` is Royston's AS R94 algorithm, as R's ``shapiro.test`` and scipy's ``shapiro``
  compute it.
* :func:`lilliefors` computes the KS distance to the normal distribution with the sample's
  mean and SD (n - 1), and the p-value as nortest's ``lillie.test``: Dallal & Wilkinson's
  (1986) approximation, and above .10 Stephens' (1974) modified statistic with its
  piecewise polynomial.

Both are checked against R 4.2.2 (``stats::shapiro.test``, ``nortest::lillie.test`` 1.0-4)
in ``tests/reference/normality_reference.json``.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import special

from ..distributions import norm_cdf

__all__ = ["shapiro_wilk", "lilliefors", "normality_table"]

#: Royston's (1992, 1995) polynomial coefficients (AS R94): the first two Shapiro-Wilk weights
#: (C1, C2, in 1/sqrt(n)), and the mean and log SD of the normalising transform of 1 - W for
#: n <= 11 (C3, C4, in n, with the bound G) and n >= 12 (C5, C6, in log n).
_C1 = (0.0, 0.221157, -0.147981, -2.07119, 4.434685, -2.706056)
_C2 = (0.0, 0.042981, -0.293762, -1.752461, 5.682633, -3.582633)
_C3 = (0.5440, -0.39978, 0.025054, -6.714e-4)
_C4 = (1.3822, -0.77857, 0.062767, -2.0322e-3)
_C5 = (-1.5861, -0.31082, -0.083751, 3.8915e-3)
_C6 = (-0.4803, -0.082676, 3.0302e-3)
_G = (-2.273, 0.459)


def _poly(coefficients: tuple[float, ...], x: float) -> float:
    """``c0 + c1 x + c2 x^2 + ...`` (Horner)."""
    out = 0.0
    for c in reversed(coefficients):
        out = out * x + c
    return out


def _royston(x: np.ndarray) -> tuple[float, float]:
    """W and its p-value for a sorted sample of 3 to 5000 values with some spread (AS R94)."""
    n = x.size
    half = n // 2
    if n == 3:
        a = np.array([math.sqrt(0.5)])
    else:  # Royston's approximation of the weights: normal scores, the first one or two corrected
        m = special.ndtri((np.arange(1, half + 1) - 0.375) / (n + 0.25))
        summ2 = 2.0 * float(m @ m)
        ssumm2, rsn = math.sqrt(summ2), 1.0 / math.sqrt(n)
        a1 = _poly(_C1, rsn) - m[0] / ssumm2
        if n > 5:
            a2 = -m[1] / ssumm2 + _poly(_C2, rsn)
            fac = math.sqrt((summ2 - 2 * m[0] ** 2 - 2 * m[1] ** 2) / (1 - 2 * a1 ** 2 - 2 * a2 ** 2))
            a = -m / fac
            a[0], a[1] = a1, a2
        else:
            fac = math.sqrt((summ2 - 2 * m[0] ** 2) / (1 - 2 * a1 ** 2))
            a = -m / fac
            a[0] = a1
    # W is the squared correlation of the ordered sample with the (antisymmetric) weights;
    # 1 - W is computed directly, which keeps its precision when W is near 1
    weights = np.concatenate([-a, np.zeros(n % 2), a[::-1]])
    scaled = x / (x[-1] - x[0])
    ca, cx = weights - weights.mean(), scaled - scaled.mean()
    ssa, ssx, sax = float(ca @ ca), float(cx @ cx), float(ca @ cx)
    root = math.sqrt(ssa * ssx)
    w1 = (root - sax) * (root + sax) / (ssa * ssx)
    w = 1.0 - w1
    if n == 3:  # exact
        return w, max(0.0, 6 / math.pi * (math.asin(math.sqrt(w)) - math.pi / 3))
    y = math.log(w1)
    if n <= 11:
        gamma = _poly(_G, n)
        if y >= gamma:
            return w, 1e-99
        y, mean, sd = -math.log(gamma - y), _poly(_C3, n), math.exp(_poly(_C4, n))
    else:
        mean, sd = _poly(_C5, math.log(n)), math.exp(_poly(_C6, math.log(n)))
    return w, float(special.ndtr(-(y - mean) / sd))


def shapiro_wilk(x: np.ndarray) -> tuple[float, float]:
    """Shapiro-Wilk test of normality: ``(W, p)``, NaNs dropped.

    ``W = (sum a_i x_(i))^2 / sum (x_i - mean)^2`` with the ordered sample ``x_(i)``
    and coefficients ``a_i`` from the expected normal order statistics; the
    p-value is Royston's (1995) normalizing approximation (algorithm AS R94), as
    scipy's ``shapiro`` and R's ``shapiro.test`` compute it. Written out in double
    precision (importing ``scipy.stats`` for it cost half a second a run), it equals R's
    to 1e-13, closer than scipy's (5e-10 in W); checked in tests/test_normality.py. ``(nan, nan)`` with fewer
    than 3 or more than 5000 values (R's limits) or no spread. Checked against R
    4.2.2 ``stats::shapiro.test`` in tests/test_normality.py.

    References: Shapiro & Wilk (1965); Royston (1992); Royston (1995).

    >>> from loyaltysurvey.datasets import holzinger_swineford
    >>> w, p = shapiro_wilk(holzinger_swineford()["x1"].to_numpy())
    >>> round(w, 4), round(p, 3)  # R shapiro.test: W = 0.9928, p = 0.158
    (0.9928, 0.158)
    """
    x = np.asarray(x, dtype=float)
    x = np.sort(x[~np.isnan(x)])
    if x.size < 3 or x.size > 5000 or np.ptp(x) == 0:
        return float("nan"), float("nan")
    w, p = _royston(x - x[x.size // 2])  # centred as scipy does, which only helps the precision
    return float(w), float(p)


def lilliefors(x: np.ndarray) -> tuple[float, float]:
    """Kolmogorov-Smirnov test of normality with the Lilliefors correction: ``(D, p)``, NaNs dropped.

    ``D = max_i max(i/n - F(z_(i)), F(z_(i)) - (i-1)/n)`` with ``z = (x - mean) / sd``
    (``sd`` with ``n - 1``) and the standard normal CDF ``F``. The p-value is nortest's:
    Dallal & Wilkinson's (1986) approximation (for ``n > 100`` on
    ``D (n/100)^0.49`` with n = 100), and where that exceeds .10, Stephens' (1974)
    modified statistic ``(sqrt(n) - 0.01 + 0.85/sqrt(n)) D`` with its piecewise
    polynomial. ``(nan, nan)`` with fewer than 5 values or no spread. Checked against
    R 4.2.2 ``nortest::lillie.test`` 1.0-4 in tests/test_normality.py.

    References: Lilliefors (1967); Dallal & Wilkinson (1986); Stephens (1974).

    >>> from loyaltysurvey.datasets import holzinger_swineford
    >>> d, p = lilliefors(holzinger_swineford()["x1"].to_numpy())
    >>> round(d, 4), round(p, 4)  # R lillie.test: D = 0.0600, p = 0.0109
    (0.06, 0.0109)
    """
    x = np.sort(np.asarray(x, dtype=float)[~np.isnan(np.asarray(x, dtype=float))])
    n = x.size
    if n < 5 or np.ptp(x) == 0:
        return float("nan"), float("nan")
    p = norm_cdf((x - x.mean()) / x.std(ddof=1))
    i = np.arange(1, n + 1)
    d = float(max(np.max(i / n - p), np.max(p - (i - 1) / n)))
    if n <= 100:
        kd, nd = d, n
    else:
        kd, nd = d * (n / 100) ** 0.49, 100
    pvalue = math.exp(-7.01256 * kd ** 2 * (nd + 2.78019) + 2.99587 * kd * math.sqrt(nd + 2.78019)
                      - 0.122119 + 0.974598 / math.sqrt(nd) + 1.67997 / nd)
    if pvalue > 0.1:
        kk = (math.sqrt(n) - 0.01 + 0.85 / math.sqrt(n)) * d
        if kk <= 0.302:
            pvalue = 1.0
        elif kk <= 0.5:
            pvalue = 2.76773 - 19.828315 * kk + 80.709644 * kk ** 2 - 138.55152 * kk ** 3 + 81.218052 * kk ** 4
        elif kk <= 0.9:
            pvalue = -4.901232 + 40.662806 * kk - 97.490286 * kk ** 2 + 94.029866 * kk ** 3 - 32.355711 * kk ** 4
        elif kk <= 1.31:
            pvalue = 6.198765 - 19.558097 * kk + 23.186922 * kk ** 2 - 12.234627 * kk ** 3 + 2.423045 * kk ** 4
        else:
            pvalue = 0.0
    return d, float(pvalue)


def normality_table(frame) -> dict[str, dict[str, float]]:
    """Both normality tests for every column of ``frame``: ``{column: {shapiro_w, shapiro_p, ks_d, ks_p}}``.

    :func:`shapiro_wilk` and :func:`lilliefors` applied column by column, missing
    values dropped per column (the two tests are each checked against R in
    tests/test_normality.py; the table itself is that by definition).

    >>> from loyaltysurvey.datasets import holzinger_swineford
    >>> table = normality_table(holzinger_swineford()[["x1", "x2"]])
    >>> {k: round(v, 3) for k, v in table["x1"].items()}
    {'shapiro_w': 0.993, 'shapiro_p': 0.158, 'ks_d': 0.06, 'ks_p': 0.011}
    """
    out = {}
    for name in frame.columns:
        x = frame[name].to_numpy(dtype=float)
        w, pw = shapiro_wilk(x)
        d, pd_ = lilliefors(x)
        out[str(name)] = {"shapiro_w": w, "shapiro_p": pw, "ks_d": d, "ks_p": pd_}
    return out
