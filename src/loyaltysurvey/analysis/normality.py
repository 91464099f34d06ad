"""Normality tests as theses report them: Shapiro-Wilk and Kolmogorov-Smirnov with the
Lilliefors correction.

* :func:`shapiro_wilk` is scipy's (Royston's AS R94 algorithm, as R's ``shapiro.test``).
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
from scipy import stats

__all__ = ["shapiro_wilk", "lilliefors", "normality_table"]


def shapiro_wilk(x: np.ndarray) -> tuple[float, float]:
    """Shapiro-Wilk test of normality: ``(W, p)``, NaNs dropped.

    ``W = (sum a_i x_(i))^2 / sum (x_i - mean)^2`` with the ordered sample ``x_(i)``
    and coefficients ``a_i`` from the expected normal order statistics; the
    p-value is Royston's (1995) normalizing approximation (algorithm AS R94), as
    scipy's ``shapiro`` and R's ``shapiro.test`` compute it. ``(nan, nan)`` with fewer
    than 3 or more than 5000 values (R's limits) or no spread. Checked against R
    4.2.2 ``stats::shapiro.test`` in tests/test_normality.py.

    References: Shapiro & Wilk (1965); Royston (1995).

    >>> from loyaltysurvey.datasets import holzinger_swineford
    >>> w, p = shapiro_wilk(holzinger_swineford()["x1"].to_numpy())
    >>> round(w, 4), round(p, 3)  # R shapiro.test: W = 0.9928, p = 0.158
    (0.9928, 0.158)
    """
    x = np.asarray(x, dtype=float)
    x = x[~np.isnan(x)]
    if x.size < 3 or x.size > 5000 or np.ptp(x) == 0:
        return float("nan"), float("nan")
    w, p = stats.shapiro(x)
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
    p = stats.norm.cdf((x - x.mean()) / x.std(ddof=1))
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
