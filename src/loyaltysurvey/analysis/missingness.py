"""Missing answers: how many, where, and whether they look missing completely at random.

* :func:`missing_table`: per item, the number and percent of missing answers; per respondent,
  how many respondents left 0, 1, 2, ... items unanswered.
* :func:`little_mcar`: Little's (1988) chi-square test of missing completely at random (MCAR).

No installable R package provides Little's test here, so its reference values were computed in
R from the definition (tests/reference/make_checks_reference.R: a base-R EM for the ML means and
covariances, and lavaan's EM estimates as a second check), in
``tests/reference/checks_reference.json`` (tests/test_checks_reference.py).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..distributions import chi2_sf
from ..errors import DataError
from ..sem.fiml import Patterns, em_saturated

__all__ = ["missing_table", "little_mcar", "MAX_PATTERN_CELLS"]

#: The EM holds a p x p matrix per missing-data pattern; beyond this many cells in all (about 40 MB
#: per array) Little's test is skipped rather than exhaust memory (``skipped`` says so).
MAX_PATTERN_CELLS = 5_000_000


def missing_table(frame: pd.DataFrame) -> dict:
    """Counts of missing answers, per item and per respondent.

    Parameters
    ----------
    frame:
        Item answers, one row per respondent (NaN = missing).

    Returns
    -------
    dict
        ``items``: ``{item: {"n_missing", "percent"}}`` (percent of respondents);
        ``respondents``: ``{k: {"n", "percent"}}`` for every number ``k`` of unanswered items
        that occurs (ascending; ``"0"`` = complete answers); ``cells``, ``missing_cells`` and
        ``percent`` over the whole table; ``n`` respondents and ``complete`` respondents.

    Notes
    -----
    By definition (``colSums(is.na(x))`` and ``table(rowSums(is.na(x)))`` in R; the counts are
    also compared with R in tests/test_checks_reference.py).

    Examples
    --------
    >>> from loyaltysurvey.datasets import crm_responses
    >>> table = missing_table(crm_responses()[["KCF1", "KCF2", "KCF3"]])
    >>> table["items"]["KCF3"], table["respondents"]["0"]["n"]
    ({'n_missing': 3, 'percent': 0.7142857142857143}, 415)
    """
    missing = frame.isna().to_numpy()
    n, p = missing.shape
    per_item = missing.sum(axis=0)
    per_row = missing.sum(axis=1)
    counts = np.bincount(per_row, minlength=1) if n else np.zeros(1, dtype=int)
    pct = (lambda k, total: 100.0 * k / total if total else float("nan"))
    return {
        "n": int(n),
        "complete": int(counts[0]) if n else 0,
        "cells": int(n * p),
        "missing_cells": int(per_item.sum()),
        "percent": pct(int(per_item.sum()), n * p),
        "items": {str(c): {"n_missing": int(k), "percent": pct(int(k), n)} for c, k in zip(frame.columns, per_item)},
        "respondents": {str(k): {"n": int(v), "percent": pct(int(v), n)} for k, v in enumerate(counts) if v},
    }


def little_mcar(frame: pd.DataFrame) -> dict[str, float]:
    """Little's (1988) test that the answers are missing completely at random (MCAR).

    Parameters
    ----------
    frame:
        Item answers (NaN = missing). Respondents without any answer are left out.

    Returns
    -------
    dict
        ``chisq`` (Little's d²), ``df``, ``pvalue``, ``patterns`` (missing-data patterns) and
        ``n``. Without missing answers there is nothing to test: ``df`` is 0 and ``chisq`` and
        ``pvalue`` are NaN; they are NaN too when the EM covariance matrix is singular or an
        item has no answer, and when the patterns times ``p²`` exceed :data:`MAX_PATTERN_CELLS`
        (then ``skipped`` gives the reason).

    Notes
    -----
    For the missing-data patterns ``j`` (``n_j`` respondents, ``p_j`` observed items, mean
    vector ``ybar_j`` of those items):

    ``d² = sum_j n_j (ybar_j - mu_j)' Sigma_j^-1 (ybar_j - mu_j)``, on
    ``df = sum_j p_j - p`` degrees of freedom,

    where ``mu`` and ``Sigma`` (divisor N) are the maximum-likelihood estimates of the
    saturated normal model from all incomplete data, found by EM
    (:func:`~loyaltysurvey.sem.fiml.em_saturated`, to a change below 1e-12), and ``mu_j``,
    ``Sigma_j`` their parts for the items observed in pattern ``j``. A small p-value says the
    data are not MCAR: who skipped an item depends on their answers.

    No installable R package provides the test here, so the reference was computed in R from
    this definition with a base-R EM (and, as a check, with lavaan 0.6.14's EM estimates,
    which stop earlier and agree to 1e-7 relative); the statistic matches the base-R EM
    reference to 1e-10 relative
    (tests/test_checks_reference.py, on bfi, the bundled example and HolzingerSwineford1939
    with holes placed completely at random). The test's behaviour is also checked on data
    missing completely at random by construction (p-values roughly uniform) and missing not
    at random by construction (small p-values).

    References
    ----------
    Little, R. J. A. (1988). A test of missing completely at random for multivariate data
    with missing values. Journal of the American Statistical Association, 83(404), 1198-1202.

    Examples
    --------
    >>> from loyaltysurvey.datasets import crm_responses
    >>> test = little_mcar(crm_responses()[["SAT1", "SAT2", "SAT3", "SAT4"]])
    >>> round(test["chisq"], 3), test["df"], test["patterns"], round(test["pvalue"], 3)  # R, by definition: 14.332
    (14.332, 12, 5, 0.28)
    """
    x = frame.to_numpy(dtype=float)
    x = x[~np.isnan(x).all(axis=1)] if x.size else x
    n, p = x.shape
    nan = {"chisq": float("nan"), "df": 0, "pvalue": float("nan"), "patterns": 0, "n": int(n)}
    if n == 0 or p == 0:
        return nan
    masks = np.unique(~np.isnan(x), axis=0)
    groups = masks.shape[0]
    if groups * p * p > MAX_PATTERN_CELLS:
        nan.update(patterns=int(groups), df=int(masks.sum() - p), skipped=f"{groups} missing-data patterns of {p} items are too many "
                                                 "for the EM in memory")
        return nan
    try:
        patterns = Patterns(x)
    except DataError:
        return nan
    df = int(patterns.p_obs.sum() - p)
    nan.update(df=df, patterns=len(patterns))
    if df == 0:
        return nan
    with np.errstate(all="ignore"):
        try:
            mu, sigma, _ = em_saturated(patterns, tol=1e-12)
        except (np.linalg.LinAlgError, TypeError):
            return nan
        if not np.all(np.isfinite(sigma)) or 1.0 / np.linalg.cond(sigma, 1) <= np.finfo(float).eps:
            return nan
        diff = (patterns.mean - mu) * patterns.mask                      # (G, p), 0 where unobserved
        padded = patterns.mask2 * sigma + patterns.unobserved_eye       # Sigma_oo with identity elsewhere
        solved = np.linalg.solve(padded, diff[:, :, None])[:, :, 0]
    d2 = float(np.sum(patterns.n * np.einsum("gi,gi->g", diff, solved)))
    nan.update(chisq=d2, pvalue=float(chi2_sf(d2, df)))
    return nan
