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
    x = np.asarray(x, dtype=float)
    x = x[~np.isnan(x)]
    if x.size < 3 or x.size > 5000 or np.ptp(x) == 0:
        return float("nan"), float("nan")
    w, p = stats.shapiro(x)
    return float(w), float(p)


def lilliefors(x: np.ndarray) -> tuple[float, float]:
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
    out = {}
    for name in frame.columns:
        x = frame[name].to_numpy(dtype=float)
        w, pw = shapiro_wilk(x)
        d, pd_ = lilliefors(x)
        out[str(name)] = {"shapiro_w": w, "shapiro_p": pw, "ks_d": d, "ks_p": pd_}
    return out
