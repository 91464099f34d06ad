"""Is the item correlation matrix fit for factor analysis, and is there common-method variance?

* :func:`kmo`: the Kaiser-Meyer-Olkin measure of sampling adequacy, overall and per item
  (psych's ``KMO``).
* :func:`bartlett_sphericity`: Bartlett's test that the correlation matrix is an identity
  matrix (psych's ``cortest.bartlett``).
* :func:`harman_single_factor`: the share of the items' total variance taken by the first
  unrotated principal component (psych's ``principal(nfactors = 1, rotate = "none")``).
* :func:`full_collinearity_vif`: Kock's (2015) full collinearity VIF of each construct score
  regressed on all the others.

All start from raw answers, as psych does when given data: Pearson correlations of
pairwise-complete answers (:func:`pairwise_correlation`). Each is checked against R 4.2.2
(psych 2.2.9, ``stats::lm``) on bfi, the bundled example and HolzingerSwineford1939 in
``tests/reference/checks_reference.json`` (tests/test_checks_reference.py).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..distributions import chi2_sf

__all__ = ["KMOResult", "pairwise_correlation", "kmo", "bartlett_sphericity", "harman_single_factor",
           "full_collinearity_vif"]

_EPS = np.finfo(float).eps


def pairwise_correlation(frame: pd.DataFrame) -> np.ndarray:
    """Pearson correlations of the columns of ``frame``, each pair on its complete answers.

    R's ``cor(x, use = "pairwise")``, which psych's ``KMO``, ``cortest.bartlett`` and
    ``principal`` use when given raw data. Complete data take the faster ``np.corrcoef``.
    A column without variance gives NaN correlations.

    >>> from loyaltysurvey.datasets import holzinger_swineford
    >>> r = pairwise_correlation(holzinger_swineford()[["x1", "x2", "x3"]])
    >>> round(float(r[0, 1]), 4)  # R: cor(HolzingerSwineford1939$x1, HolzingerSwineford1939$x2)
    0.2973
    """
    values = frame.to_numpy(dtype=float)
    if not np.isnan(values).any():
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.atleast_2d(np.corrcoef(values, rowvar=False))
    return frame.astype(float).corr().to_numpy(copy=True)


def _invertible(r: np.ndarray) -> bool:
    """Whether R's ``solve`` would invert ``r``: finite, with a reciprocal condition number above eps."""
    if r.size == 0 or not np.all(np.isfinite(r)):
        return False
    return 1.0 / np.linalg.cond(r, 1) > _EPS


@dataclass(frozen=True)
class KMOResult:
    """The Kaiser-Meyer-Olkin measure: ``overall`` (MSA) and ``items`` (MSA_i, a Series by item)."""

    overall: float
    items: pd.Series


def kmo(frame: pd.DataFrame) -> KMOResult:
    """Kaiser-Meyer-Olkin measure of sampling adequacy, overall and per item.

    Parameters
    ----------
    frame:
        Item answers, one column per item (missing answers allowed).

    Returns
    -------
    KMOResult
        ``overall`` and ``items`` (by column name). NaN when the correlation matrix cannot be
        inverted (psych then falls back to the correlations themselves, which is not the
        measure), or with fewer than two items.

    Notes
    -----
    With ``R`` the pairwise correlation matrix and ``A`` the anti-image correlation matrix
    (``Q = R^-1``, ``a_ij = q_ij / sqrt(q_ii q_jj)``), over the off-diagonal elements:

    ``MSA = sum r_ij^2 / (sum r_ij^2 + sum a_ij^2)`` and
    ``MSA_j = sum_i r_ij^2 / (sum_i r_ij^2 + sum_i a_ij^2)``.

    Checked against R psych 2.2.9 ``KMO()`` (1e-10) in tests/test_checks_reference.py.
    With two items the measure is 0.5 whatever their correlation.

    References
    ----------
    Kaiser, H. F. (1970). A second generation little jiffy. Psychometrika, 35(4), 401-415.
    Kaiser, H. F. (1974). An index of factorial simplicity. Psychometrika, 39(1), 31-36.

    Examples
    --------
    >>> from loyaltysurvey.datasets import holzinger_swineford
    >>> result = kmo(holzinger_swineford()[[f"x{i}" for i in range(1, 10)]])
    >>> round(result.overall, 4), round(float(result.items["x1"]), 4)  # psych::KMO: MSA .7522, MSAi x1 .8050
    (0.7522, 0.805)
    """
    names = [str(c) for c in frame.columns]
    nan = KMOResult(float("nan"), pd.Series(np.nan, index=names, dtype=float))
    if len(names) < 2:
        return nan
    r = pairwise_correlation(frame)
    if not _invertible(r):
        return nan
    q = np.linalg.inv(r)
    with np.errstate(invalid="ignore"):  # an indefinite pairwise matrix: NaN, as psych's cov2cor gives
        d = np.sqrt(np.diag(q))
        a = q / np.outer(d, d)
    off = ~np.eye(len(names), dtype=bool)
    r2, a2 = np.where(off, r ** 2, 0.0), np.where(off, a ** 2, 0.0)
    overall = float(r2.sum() / (r2.sum() + a2.sum()))
    items = r2.sum(axis=0) / (r2.sum(axis=0) + a2.sum(axis=0))
    return KMOResult(overall, pd.Series(items, index=names))


def bartlett_sphericity(frame: pd.DataFrame) -> dict[str, float]:
    """Bartlett's test of sphericity: is the items' correlation matrix an identity matrix?

    Parameters
    ----------
    frame:
        Item answers, one column per item (missing answers allowed).

    Returns
    -------
    dict
        ``chisq``, ``df``, ``pvalue`` and ``n`` (the number of rows, as psych uses). NaN
        when the correlation matrix is singular or not positive definite.

    Notes
    -----
    ``chisq = -(n - 1 - (2p + 5) / 6) ln |R|`` on ``df = p (p - 1) / 2`` degrees of freedom,
    with ``R`` the pairwise correlation matrix of the ``p`` items and ``n`` the number of
    rows of ``frame`` (psych's ``cortest.bartlett`` given raw data). A small p-value says the
    items correlate enough for factor analysis. Checked against R psych 2.2.9
    ``cortest.bartlett()`` (1e-10 relative) in tests/test_checks_reference.py.

    References
    ----------
    Bartlett, M. S. (1950). Tests of significance in factor analysis. British Journal of
    Statistical Psychology, 3(2), 77-85.

    Examples
    --------
    >>> from loyaltysurvey.datasets import holzinger_swineford
    >>> test = bartlett_sphericity(holzinger_swineford()[[f"x{i}" for i in range(1, 10)]])
    >>> round(test["chisq"], 2), test["df"], test["pvalue"] < 1e-100  # psych: 904.10, 36
    (904.1, 36, True)
    """
    n, p = frame.shape
    df = p * (p - 1) // 2
    out = {"chisq": float("nan"), "df": df, "pvalue": float("nan"), "n": int(n)}
    if p < 2:
        return out
    r = pairwise_correlation(frame)
    if not np.all(np.isfinite(r)):
        return out
    np.fill_diagonal(r, 1.0)
    sign, logdet = np.linalg.slogdet(r)
    if sign <= 0:
        return out
    chisq = -logdet * (n - 1 - (2 * p + 5) / 6)
    out.update(chisq=float(chisq), pvalue=float(chi2_sf(chisq, df)))
    return out


def harman_single_factor(frame: pd.DataFrame) -> dict[str, float]:
    """Harman's single-factor test: the share of the items' variance in the first unrotated factor.

    Parameters
    ----------
    frame:
        All the questionnaire's item answers (reverse-worded items reversed).

    Returns
    -------
    dict
        ``first_factor_share`` (between 0 and 1), ``eigenvalue`` and ``n_items``.

    Notes
    -----
    The variant implemented is the principal-component one that SPSS's "Total variance
    explained" table and psych's ``principal(items, nfactors = 1, rotate = "none")`` give:
    ``share = lambda_1 / p``, with ``lambda_1`` the largest eigenvalue of the ``p`` items'
    pairwise correlation matrix (psych's ``Proportion Var`` of the first component). Common
    method variance is taken to be a concern when one factor accounts for the majority (50%
    or more) of the variance (Podsakoff et al., 2003). Checked against R psych 2.2.9
    ``principal()`` (1e-10) in tests/test_checks_reference.py.

    References
    ----------
    Harman, H. H. (1976). Modern factor analysis (3rd ed.). University of Chicago Press.
    Podsakoff, P. M., MacKenzie, S. B., Lee, J.-Y., & Podsakoff, N. P. (2003). Common method
    biases in behavioral research. Journal of Applied Psychology, 88(5), 879-903.

    Examples
    --------
    >>> from loyaltysurvey.datasets import holzinger_swineford
    >>> h = harman_single_factor(holzinger_swineford()[[f"x{i}" for i in range(1, 10)]])
    >>> round(h["first_factor_share"], 4), round(h["eigenvalue"], 3)  # psych::principal: 3.216 / 9
    (0.3574, 3.216)
    """
    p = frame.shape[1]
    out = {"first_factor_share": float("nan"), "eigenvalue": float("nan"), "n_items": int(p)}
    if p < 2:
        return out
    r = pairwise_correlation(frame)
    if not np.all(np.isfinite(r)):
        return out
    first = float(np.linalg.eigvalsh(r)[-1])
    out.update(first_factor_share=first / p, eigenvalue=first)
    return out


def full_collinearity_vif(scores: pd.DataFrame) -> tuple[dict[str, float], int]:
    """Kock's full collinearity VIF: each construct score regressed on all the other constructs.

    Parameters
    ----------
    scores:
        Construct scores, one column per construct (the chapter's: the mean of the answered
        items). Respondents with a missing score are left out (complete cases).

    Returns
    -------
    (dict, int)
        ``{construct: VIF}`` and the number of respondents used. Empty with fewer than two
        constructs; NaN when the scores are perfectly collinear or lack variance.

    Notes
    -----
    ``VIF_j = 1 / (1 - R_j^2)`` with ``R_j^2`` from the OLS regression (with intercept) of
    construct ``j`` on all the others, computed at once as the diagonal of the inverse of
    the scores' correlation matrix. A VIF above 3.3 signals pathological collinearity and
    possible common method bias (Kock, 2015). Checked against ``1 / (1 - R^2)`` of R's
    ``lm()`` (1e-10) in tests/test_checks_reference.py.

    References
    ----------
    Kock, N. (2015). Common method bias in PLS-SEM: A full collinearity assessment approach.
    International Journal of e-Collaboration, 11(4), 1-10.

    Examples
    --------
    >>> from loyaltysurvey.datasets import holzinger_swineford
    >>> hs = holzinger_swineford()
    >>> import pandas as pd
    >>> scores = pd.DataFrame({"visual": hs[["x1", "x2", "x3"]].mean(axis=1),
    ...                        "textual": hs[["x4", "x5", "x6"]].mean(axis=1),
    ...                        "speed": hs[["x7", "x8", "x9"]].mean(axis=1)})
    >>> vif, n = full_collinearity_vif(scores)
    >>> {k: round(v, 4) for k, v in vif.items()}, n  # R lm(): 1.1640, 1.1356, 1.1053
    ({'visual': 1.164, 'textual': 1.1356, 'speed': 1.1053}, 301)
    """
    complete = scores.dropna()
    names = [str(c) for c in scores.columns]
    n = int(len(complete))
    if len(names) < 2:
        return {}, n
    nan = {c: float("nan") for c in names}
    if n <= len(names):
        return nan, n
    with np.errstate(invalid="ignore", divide="ignore"):
        r = np.atleast_2d(np.corrcoef(complete.to_numpy(dtype=float), rowvar=False))
    if not _invertible(r):
        return nan, n
    diag = np.diag(np.linalg.inv(r))
    return {c: float(v) if math.isfinite(v) else float("nan") for c, v in zip(names, diag)}, n
