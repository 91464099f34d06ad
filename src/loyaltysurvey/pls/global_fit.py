"""Global fit of a PLS path model: GoF, and SRMR and NFI as SmartPLS reports them.

* :func:`gof`: Tenenhaus et al.'s (2005) goodness of fit, ``sqrt(mean communality x mean R^2)``.
* :func:`implied_correlations`: the model-implied indicator correlation matrix of the
  estimated (or saturated) model, from the PLS estimates as SmartPLS defines it (Henseler et
  al., 2014; Dijkstra & Henseler, 2015).
* :func:`srmr` and :func:`nfi`: the discrepancy between the indicators' correlation matrix and
  that implied matrix (Hu & Bentler, 1999; Bentler & Bonett, 1980).

Pure functions of a :class:`~loyaltysurvey.pls.algorithm.PLSEstimate`, its
:class:`~loyaltysurvey.pls.algorithm.PLSSpec` and the indicators' correlation matrix.
"""

from __future__ import annotations

import math

import numpy as np

from .algorithm import PLSEstimate, PLSSpec, inner_structure

__all__ = ["gof", "implied_correlations", "srmr", "nfi", "model_fit"]


def gof(estimate: PLSEstimate, spec: PLSSpec) -> dict:
    """Tenenhaus et al.'s (2005) GoF: ``sqrt(mean communality x mean R^2)``.

    The communality of an indicator is its squared outer loading; the mean communality is
    taken over **all indicators of the reflective blocks with more than one indicator** (mode A
    and reflective/PLSc constructs; mode B composites have no communality to speak of and a
    single item's is 1 by construction). This is Tenenhaus et al.'s (2005, p. 180) convention,
    a mean weighted by the number of indicators, which is also what R's plspm reports; it equals
    the mean of the blocks' AVEs only when the blocks are equally long. It is followed because
    the index is theirs; Wetzels et al.'s (2009) bands (.10, .25, .36) were derived from an
    average AVE of .50 and read the same on either convention. The mean R^2 is over the
    endogenous constructs. For PLSc constructs the consistent loadings and R^2 are used, as the
    model reports them.

    GoF is no fit index in the CB-SEM sense: it cannot tell a valid model from an invalid one
    (Henseler & Sarstedt, 2013); it is reported because readers and reviewers ask for it.

    Returns ``{"gof", "mean_communality", "mean_r2", "constructs", "indicators"}`` (``gof`` NaN
    when there is no such block or no endogenous construct). Checked in tests/test_pls_fit.py
    against the formula applied to seminr 2.3.2's own loadings and R^2 on mobi (mode A,
    mode B and PLSc) and corp_rep, and against a hand computation.

    References: Tenenhaus, Esposito Vinzi, Chatelin & Lauro (2005); Wetzels, Odekerken-Schröder
    & van Oppen (2009); Henseler & Sarstedt (2013).

    >>> from loyaltysurvey.datasets import crm_pls
    >>> from loyaltysurvey.pls.algorithm import fit_pls
    >>> X, spec, items = crm_pls()
    >>> out = gof(fit_pls(X, spec), spec)
    >>> round(out["mean_communality"], 3), round(out["mean_r2"], 3), round(out["gof"], 3)
    (0.655, 0.205, 0.367)
    """
    communalities, used = [], []
    for k, block in enumerate(spec.blocks):
        if spec.modes[k] in ("A", "R") and len(block) > 1:
            communalities.extend(estimate.loadings[list(block), k] ** 2)
            used.append(spec.constructs[k])
    r2 = estimate.r2[~np.isnan(estimate.r2)]
    mean_comm = float(np.mean(communalities)) if communalities else float("nan")
    mean_r2 = float(np.mean(r2)) if r2.size else float("nan")
    value = math.sqrt(mean_comm * mean_r2) if communalities and r2.size else float("nan")
    return {"gof": value, "mean_communality": mean_comm, "mean_r2": mean_r2, "constructs": used,
            "indicators": len(communalities)}


def _topological(spec: PLSSpec) -> list[int] | None:
    """The constructs in an order where every construct follows its predecessors (None if cyclic)."""
    _, preds = inner_structure(spec)
    order: list[int] = []
    left = set(range(len(spec.constructs)))
    while left:
        ready = sorted(j for j in left if all(p in order for p in preds[j]))
        if not ready:
            return None
        order.extend(ready)
        left -= set(ready)
    return order


def construct_correlations(estimate: PLSEstimate, spec: PLSSpec, saturated: bool = False) -> np.ndarray:
    """Model-implied construct correlations (K, K).

    Saturated model: the constructs' own correlations (PLS score correlations; disattenuated by
    PLSc for reflective constructs). Estimated model: the exogenous constructs keep their
    correlations and every endogenous construct ``j`` is ``eta_j = sum_p beta_pj eta_p + zeta_j``
    with the estimated paths, taken in causal order: ``cor(eta_j, eta_k) = sum_p beta_pj
    cor(eta_p, eta_k)`` for each construct ``k`` before it, and ``var(zeta_j) = 1 - beta_j'
    Phi_PP beta_j`` so that every construct keeps unit variance (this is ``1 - R^2_j`` whenever
    the model reproduces the correlations among ``j``'s predictors, e.g. when they are
    exogenous). SmartPLS describes its estimated model as "based on a total effect scheme": in
    a recursive model this is the same as ``(I - B)^-1`` applied to the exogenous
    correlations and the disturbances. A non-recursive model gives NaN.
    """
    C = np.asarray(estimate.correlations, float)
    if saturated:
        return C.copy()
    order = _topological(spec)
    K = C.shape[0]
    if order is None:
        return np.full((K, K), np.nan)
    _, preds = inner_structure(spec)
    phi = np.full((K, K), np.nan)
    done: list[int] = []
    for j in order:
        pr = preds[j]
        if not pr:
            for k in done:
                if not preds[k]:  # two exogenous constructs: their own correlation
                    phi[j, k] = phi[k, j] = C[j, k]
                else:  # k endogenous and processed earlier: cannot depend on j (no path j -> k)
                    phi[j, k] = phi[k, j] = float(estimate.paths[preds[k], k] @ phi[preds[k], j])
        else:
            beta = estimate.paths[pr, j]
            for k in done:
                phi[j, k] = phi[k, j] = float(beta @ phi[pr, k])
        phi[j, j] = 1.0
        done.append(j)
    return phi


def implied_correlations(estimate: PLSEstimate, spec: PLSSpec, R: np.ndarray, saturated: bool = False) -> np.ndarray:
    """The model-implied indicator correlation matrix (p, p) as SmartPLS computes it.

    With ``lambda`` the outer loadings (PLSc's consistent loadings for reflective constructs)
    and ``Phi`` the implied construct correlations (:func:`construct_correlations`):

    * indicators ``a`` and ``b`` of different constructs ``i`` and ``j``:
      ``lambda_a Phi_ij lambda_b`` (for a composite this is ``S_ii w_i Phi_ij w_j' S_jj``, the
      composite model's value, because its loadings are ``S_ii w_i``);
    * two indicators of a mode A or reflective construct: ``lambda_a lambda_b``, the common
      factor model SmartPLS assumes for reflective measurement;
    * two indicators of a mode B construct: their observed correlation ``R_ab`` (a composite
      leaves its indicators free to correlate);
    * 1 on the diagonal (``theta_a = 1 - lambda_a^2``).

    ``R`` is the indicators' correlation matrix. ``saturated=True`` uses the constructs' own
    correlations instead of the structural model's (SmartPLS's "saturated model").
    Checked in tests/test_pls_fit.py: by a hand computation, and the SRMR and NFI it gives
    against lavaan 0.6.14 evaluating the same model with every parameter fixed at seminr's
    estimates (tests/reference/make_pls_fit_reference.R).

    References: Henseler et al. (2014); Dijkstra & Henseler (2015).
    """
    phi = construct_correlations(estimate, spec, saturated)
    p = R.shape[0]
    owner = np.full(p, -1)
    for k, block in enumerate(spec.blocks):
        owner[list(block)] = k
    lam = np.array([estimate.loadings[a, owner[a]] for a in range(p)])
    sigma = np.outer(lam, lam) * phi[np.ix_(owner, owner)]
    for k, block in enumerate(spec.blocks):
        cols = list(block)
        if spec.modes[k] == "B" and len(cols) > 1:
            sigma[np.ix_(cols, cols)] = R[np.ix_(cols, cols)]
        else:
            sigma[np.ix_(cols, cols)] = np.outer(lam[cols], lam[cols])
    np.fill_diagonal(sigma, 1.0)
    return sigma


def srmr(R: np.ndarray, sigma: np.ndarray) -> float:
    """Standardized root mean square residual of two correlation matrices.

    ``sqrt(sum_{a>=b} (r_ab - sigma_ab)^2 / (p (p + 1) / 2))``: over the lower triangle with the
    diagonal (whose residuals are 0), as Hu & Bentler (1999) define it and as SmartPLS and cSEM
    compute it for PLS models. Checked against lavaan's ``srmr`` on the same matrices in
    tests/test_pls_fit.py.

    >>> import numpy as np
    >>> round(srmr(np.array([[1, .5], [.5, 1]]), np.array([[1, .3], [.3, 1]])), 4)
    0.1155
    """
    low = (R - sigma)[np.tril_indices_from(R)]
    return float(np.sqrt(np.mean(low ** 2)))


def nfi(R: np.ndarray, sigma: np.ndarray) -> float:
    """Bentler & Bonett's normed fit index of an implied correlation matrix, as SmartPLS reports it.

    ``nfi = 1 - F_ML(R, Sigma) / F_ML(R, I)`` with the ML discrepancy
    ``F_ML(R, Sigma) = log|Sigma| + tr(R Sigma^-1) - log|R| - p`` and the independence model
    ``Sigma = I`` as the null model (so ``F_ML(R, I) = -log|R|``). The sample-size factor of the
    two chi-squares cancels. NaN when ``Sigma`` is not positive definite. Checked against
    lavaan's ``nfi`` on the same matrices in tests/test_pls_fit.py.

    >>> import numpy as np
    >>> round(nfi(np.array([[1, .5], [.5, 1]]), np.array([[1, .3], [.3, 1]])), 4)
    0.7862
    """
    p = R.shape[0]
    sign_s, logdet_s = np.linalg.slogdet(sigma)
    sign_r, logdet_r = np.linalg.slogdet(R)
    if sign_s <= 0 or sign_r <= 0 or logdet_r == 0:
        return float("nan")
    f_model = logdet_s + float(np.trace(R @ np.linalg.inv(sigma))) - logdet_r - p
    return float(1 - f_model / (-logdet_r))


def model_fit(estimate: PLSEstimate, spec: PLSSpec, X: np.ndarray) -> dict[str, float]:
    """SRMR and NFI of the estimated and the saturated model, on the indicators ``X`` (n, p).

    Returns ``{"srmr", "nfi", "srmr_saturated", "nfi_saturated"}``; ``srmr`` and ``nfi`` are
    the estimated model's (results.json ``pls.srmr``, ``pls.nfi``).

    >>> from loyaltysurvey.datasets import crm_pls
    >>> from loyaltysurvey.pls.algorithm import fit_pls
    >>> X, spec, items = crm_pls()
    >>> {k: round(v, 3) for k, v in model_fit(fit_pls(X, spec), spec, X).items()}  # SAT -> LOY is saturated
    {'srmr': 0.071, 'nfi': 0.882, 'srmr_saturated': 0.071, 'nfi_saturated': 0.882}
    """
    R = np.corrcoef(np.asarray(X, float), rowvar=False)
    out = {}
    for suffix, saturated in (("", False), ("_saturated", True)):
        sigma = implied_correlations(estimate, spec, R, saturated)
        out["srmr" + suffix] = srmr(R, sigma)
        out["nfi" + suffix] = nfi(R, sigma)
    return out
