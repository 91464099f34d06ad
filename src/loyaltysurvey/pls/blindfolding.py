"""Stone-Geisser Q² by blindfolding, as SmartPLS 3 computes it (Hair et al., 2017, ch. 6).

For each endogenous construct ``j`` measured reflectively (mode A, reflective, or a single
item; a mode B construct has no reflective indicators to predict, so it is left out, as in
SmartPLS) and an omission distance ``D`` (default 7):

1. the ``n x k_j`` data points of ``j``'s indicators are numbered indicator by indicator
   (all respondents of the first indicator, then of the second, ...), point ``m`` (from 0)
   belonging to round ``m mod D``; so in round 1 the 1st, (D+1)th, (2D+1)th, ... points
   are omitted, in round 2 the 2nd, (D+2)th, ... (this is why ``n / D`` should not be a
   whole number: otherwise a respondent loses all of ``j``'s answers in the same round);
2. in each round the omitted points become missing and are replaced by the mean of the
   indicator's remaining values, and the whole PLS model is estimated again on those data;
3. each omitted point is predicted from that round's estimates, on the indicator's
   standardized scale, then returned to its own scale with the round's mean and standard
   deviation:

   * cross-validated communality: ``lambda_jk * Y_ij``, the loading times the respondent's
     score of ``j`` (computed from the round's data, the omitted answer at its mean);
   * cross-validated redundancy: ``lambda_jk * sum_p beta_pj Y_ip``, the loading times the
     score the structural model predicts from ``j``'s direct predecessors;

4. ``Q² = 1 - SSE / SSO`` summed over the D rounds, with the errors and observations in
   units of the indicator's standard deviation over all respondents (divisor n, so that
   ``SSO = n k_j`` as SmartPLS reports it) and the observations taken from the indicator's
   mean over all respondents.

Reflective (PLSc) constructs are blindfolded with the plain PLS estimates: PLSc's corrected
loadings and paths describe the latent variables, not the composite scores the prediction
rule multiplies them with. Q² > 0 means predictive relevance; it is an in-sample measure
(Hair et al., 2022, recommend PLSpredict for out-of-sample prediction).

The rounds are estimated together (:func:`~loyaltysurvey.pls.batched.fit_pls_batched`, warm
started from the full-sample weights), so blindfolding costs about one batched refit.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from .algorithm import PLSSpec, fit_pls, inner_structure
from .batched import fit_pls_batched

__all__ = ["blindfolding", "omission_rounds", "blindfolded_constructs", "omission_distance"]


def omission_distance(n: int, preferred: int = 7) -> int:
    """The omission distance to use with ``n`` respondents: ``preferred`` (7) unless it divides ``n``.

    Hair et al. (2017) recommend a D between 5 and 12 for which ``n / D`` is not a whole number
    (otherwise a respondent loses all of a construct's answers in the same round, and the
    cross-validated communality collapses to about 0). When 7 divides ``n`` the nearest such D is
    taken, trying 8, 6, 9, 5, 10, 11, 12 in turn; the D used is recorded with the results.

    >>> omission_distance(344), omission_distance(420), omission_distance(168)
    (7, 8, 9)
    """
    for D in (preferred, preferred + 1, preferred - 1, preferred + 2, preferred - 2, preferred + 3, preferred + 4,
              preferred + 5):
        if D >= 2 and n % D:
            return D
    return preferred


def omission_rounds(n: int, k: int, D: int = 7) -> np.ndarray:
    """The round (0 to D - 1) in which each of the ``n x k`` data points of a block is omitted.

    Points are counted indicator by indicator: point ``(i, c)`` (respondent ``i``, the block's
    ``c``-th indicator) is number ``c n + i`` and is omitted in round ``(c n + i) mod D``.

    >>> omission_rounds(5, 2, 3).T.tolist()
    [[0, 1, 2, 0, 1], [2, 0, 1, 2, 0]]
    """
    return (np.arange(k)[None, :] * n + np.arange(n)[:, None]) % D


def blindfolded_constructs(spec: PLSSpec) -> list[int]:
    """Indices of the constructs that get a Q²: endogenous, and mode A, reflective or a single item."""
    _, preds = inner_structure(spec)
    return [j for j in range(len(spec.constructs))
            if preds[j] and (spec.modes[j] != "B" or len(spec.blocks[j]) == 1)]


def blindfolding(X: np.ndarray, spec: PLSSpec, D: int = 7, start: np.ndarray | None = None) -> dict:
    """Blindfolding Q² (cross-validated redundancy and communality) of the endogenous constructs.

    Parameters
    ----------
    X:
        The indicators (n, p) the model was estimated on (missing answers already replaced).
    spec:
        The model; reflective ("R") constructs are blindfolded as mode A (see the module notes).
    D:
        The omission distance (SmartPLS's default and Hair et al.'s example: 7; 5 to 12 are
        recommended, with ``n / D`` not a whole number).
    start:
        Full-sample outer weights to warm-start every round (computed when not given).

    Returns ``{"omission_distance": D, "whole_cases": n % D == 0, "constructs": {name:
    {"cv_redundancy", "cv_communality", "sso", "sse_redundancy", "sse_communality"}}}``; a
    construct whose round failed to converge gets NaN.

    No installable package computes SmartPLS's blindfolding: it is checked in
    tests/test_pls_fit.py against a step-by-step computation (one ordinary PLS fit per round,
    loops over the omitted points) on a small data set written out in the test, and against
    the definition's invariants (SSO = n k, rounds, omitted constructs). Published Q² values
    for the corporate-reputation example (Hair et al., 2017) could not be found to compare with.

    References: Stone (1974); Geisser (1974); Chin (1998); Tenenhaus et al. (2005); Hair, Hult,
    Ringle & Sarstedt (2017).

    >>> from loyaltysurvey.datasets import crm_pls
    >>> X, spec, items = crm_pls()
    >>> len(X), omission_distance(len(X))  # 7 divides 399: D = 8
    (399, 8)
    >>> q2 = blindfolding(X, spec, 8)["constructs"]["LOY"]
    >>> round(q2["cv_redundancy"], 3), round(q2["cv_communality"], 3), round(q2["sso"], 6) == 399 * 4
    (0.125, 0.421, True)
    """
    X = np.asarray(X, float)
    n, p = X.shape
    plain = replace(spec, modes=tuple("A" if m == "R" else m for m in spec.modes))
    if start is None:
        start = fit_pls(X, plain).weights
    targets = blindfolded_constructs(plain)
    _, preds = inner_structure(plain)
    out = {"omission_distance": int(D), "whole_cases": bool(n % D == 0), "constructs": {}}
    if not targets:
        return out
    mean_all = X.mean(axis=0)
    sd_all = X.std(axis=0)  # divisor n: SSO = n k, as SmartPLS reports it
    batches, omitted = [], []
    for j in targets:
        cols = list(plain.blocks[j])
        rounds = omission_rounds(n, len(cols), D)
        for r in range(D):
            mask = rounds == r
            Xr = X.copy()
            block = Xr[:, cols]
            kept = np.where(mask, np.nan, block)
            block[mask] = np.broadcast_to(np.nanmean(kept, axis=0), block.shape)[mask]
            Xr[:, cols] = block
            batches.append(Xr)
            omitted.append(mask)
    Xb = np.stack(batches)
    fits = fit_pls_batched(Xb, plain, start)
    means = Xb.mean(axis=1)                                   # (B, p)
    sds = Xb.std(axis=1, ddof=1)
    scores = ((Xb - means[:, None, :]) / np.where(sds > 0, sds, 1.0)[:, None, :]) @ fits["weights"]  # (B, n, K)
    b = 0
    for j in targets:
        cols = list(plain.blocks[j])
        z = (X[:, cols] - mean_all[cols]) / sd_all[cols]
        sse_red = sse_com = sso = 0.0
        ok = True
        for _ in range(D):
            mask = omitted[b]
            ok &= bool(fits["ok"][b])
            lam = fits["loadings"][b, cols, j]
            own = scores[b, :, j][:, None] * lam[None, :]
            fitted = (scores[b][:, preds[j]] @ fits["paths"][b, preds[j], j])[:, None] * lam[None, :]
            for pred, store in ((own, "com"), (fitted, "red")):
                raw = means[b, cols] + sds[b, cols] * pred
                err = ((X[:, cols] - raw) / sd_all[cols])[mask]
                if store == "com":
                    sse_com += float(np.sum(err ** 2))
                else:
                    sse_red += float(np.sum(err ** 2))
            sso += float(np.sum(z[mask] ** 2))
            b += 1
        nan = float("nan")
        out["constructs"][plain.constructs[j]] = {
            "cv_redundancy": 1 - sse_red / sso if ok else nan, "cv_communality": 1 - sse_com / sso if ok else nan,
            "sso": sso, "sse_redundancy": sse_red if ok else nan, "sse_communality": sse_com if ok else nan}
    return out
