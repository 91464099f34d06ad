"""Mardia's tests of multivariate normality (skewness and kurtosis), as psych's ``mardia``.

Checked against R 4.2.2 psych 2.2.9 ``mardia()`` on bfi, the bundled example and
HolzingerSwineford1939 in ``tests/reference/checks_reference.json``
(tests/test_checks_reference.py).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from ..distributions import chi2_sf, norm_sf

__all__ = ["mardia"]

#: Rows per block when the n x n matrix of Mahalanobis cross-products is summed block by block.
_BLOCK = 512


def _sum_cubed_cross_products(z: np.ndarray) -> float:
    """``sum_ij (z_i' z_j)^3`` without forming an n x n matrix when n is large.

    With ``n > p^2`` it equals ``sum_abc T_abc^2`` for the third-moment tensor
    ``T_abc = sum_i z_ia z_ib z_ic`` (cost n p^3, built with one matrix product per
    variable); otherwise the cross products are summed in blocks of rows (cost n^2 p).
    """
    n, p = z.shape
    if n > p * p:
        total = 0.0
        for a in range(p):
            t = (z * z[:, a:a + 1]).T @ z          # T[a] (p x p)
            total += float(np.sum(t * t))
        return total
    total = 0.0
    for start in range(0, n, _BLOCK):
        block = z[start:start + _BLOCK] @ z.T
        total += float(np.sum(block ** 3))
    return total


def mardia(frame: pd.DataFrame) -> dict[str, float]:
    """Mardia's multivariate skewness and kurtosis with their tests, on the complete cases.

    Parameters
    ----------
    frame:
        Item answers (reverse-worded items reversed); respondents with a missing answer are
        left out, as psych's ``mardia(na.rm = TRUE)`` does.

    Returns
    -------
    dict
        ``n`` (complete cases), ``p``, ``b1p``, ``b2p``, ``skew`` and ``skew_p``, ``small_skew``
        and ``small_skew_p`` (with the small-sample factor), ``kurtosis`` (the normalized
        statistic, a z value) and ``kurtosis_p``. NaN when the covariance matrix of the
        complete cases is singular (fewer complete cases than items, an item without variance).

    Notes
    -----
    With ``x_i`` the centred rows, ``S`` their covariance matrix (divisor ``n - 1``, as psych)
    and ``d_ij = x_i' S^-1 x_j``:

    * ``b1p = sum_ij d_ij^3 / n^2`` and ``skew = n b1p / 6``, referred to chi-square with
      ``p (p + 1) (p + 2) / 6`` df; ``small_skew = n k b1p / 6`` with
      ``k = (p + 1) (n + 1) (n + 3) / (n ((n + 1) (p + 1) - 6))``, on the same df;
    * ``b2p = sum_i d_ii^2 / n`` and ``kurtosis = (b2p - p (p + 2)) sqrt(n / (8 p (p + 2)))``,
      referred to the standard normal (two-sided).

    The small-sample skewness is psych's; the chapter judges skewness by it when ``n < 20``
    and by ``skew`` otherwise. p-values are computed in the upper tail (psych's
    ``2 (1 - pnorm(|z|))`` for the kurtosis is 0 beyond about z = 8.3, where this gives the
    small positive value). Checked against psych 2.2.9 ``mardia()`` (statistics 1e-10 relative,
    p-values 1e-12 absolute) in tests/test_checks_reference.py.

    References
    ----------
    Mardia, K. V. (1970). Measures of multivariate skewness and kurtosis with applications.
    Biometrika, 57(3), 519-530.
    Mardia, K. V. (1974). Applications of some measures of multivariate skewness and kurtosis
    in testing normality and robustness studies. Sankhya B, 36(2), 115-128.

    Examples
    --------
    >>> from loyaltysurvey.datasets import holzinger_swineford
    >>> m = mardia(holzinger_swineford()[[f"x{i}" for i in range(1, 10)]])
    >>> round(m["b1p"], 4), round(m["b2p"], 3), round(m["kurtosis"], 4)  # psych: 6.8069, 102.904, 2.4066
    (6.8069, 102.904, 2.4066)
    """
    x = frame.dropna().to_numpy(dtype=float)
    n, p = x.shape
    out = {"n": int(n), "p": int(p)}
    keys = ("b1p", "b2p", "skew", "skew_p", "small_skew", "small_skew_p", "kurtosis", "kurtosis_p")
    out.update({k: float("nan") for k in keys})
    if p == 0 or n <= p:
        return out
    x = x - x.mean(axis=0)
    s = x.T @ x / (n - 1)
    try:
        chol = np.linalg.cholesky(np.linalg.inv(s))
    except np.linalg.LinAlgError:
        return out
    if not np.all(np.isfinite(chol)) or 1.0 / np.linalg.cond(s, 1) <= np.finfo(float).eps:
        return out
    z = x @ chol                                    # z_i' z_j = x_i' S^-1 x_j
    b1p = _sum_cubed_cross_products(z) / n ** 2
    b2p = float(np.sum(np.sum(z * z, axis=1) ** 2)) / n
    df = p * (p + 1) * (p + 2) / 6
    k = (p + 1) * (n + 1) * (n + 3) / (n * ((n + 1) * (p + 1) - 6))
    skew, small = n * b1p / 6, n * k * b1p / 6
    kurt = (b2p - p * (p + 2)) * math.sqrt(n / (8 * p * (p + 2)))
    out.update(b1p=b1p, b2p=b2p, skew=skew, skew_p=float(chi2_sf(skew, df)), small_skew=small,
               small_skew_p=float(chi2_sf(small, df)), kurtosis=kurt,
               kurtosis_p=float(2 * norm_sf(abs(kurt))))
    return out
