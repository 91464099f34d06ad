"""Evaluation of a PLS model: the quantities SmartPLS and seminr report.

* loadings, weights, indicator reliability (loading squared);
* Cronbach's alpha of each block's standardized indicators, composite reliability
  ``rho_C = (sum l)^2 / ((sum l)^2 + sum(1 - l^2))``, ``AVE = mean(l^2)`` and
  Dijkstra-Henseler's ``rho_A = (w'w)^2 w'(S - diag S)w / w'(ww' - diag ww')w``
  with the block's correlation matrix ``S`` and weights scaled to unit score variance;
* HTMT (Henseler et al., 2015, arithmetic means), Fornell-Larcker, cross-loadings;
* R^2, adjusted R^2, f^2 (re-estimating the whole model without the path, as seminr does),
  inner VIF, and total and total indirect effects from ``(I - B)^-1 - I``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..sem.validity import htmt as htmt_matrix
from dataclasses import replace

from .algorithm import PLSEstimate, PLSSpec, fit_pls, inner_structure

__all__ = ["evaluate"]


def _r2(y: np.ndarray, X: np.ndarray) -> float:
    beta = np.linalg.lstsq(X, y, rcond=None)[0]
    resid = y - X @ beta
    return float(1 - resid.var(ddof=1) / y.var(ddof=1))


def evaluate(fit: PLSEstimate, spec: PLSSpec, X: np.ndarray, indicators: list[str]) -> dict:
    """The quality criteria of a fitted PLS model, as seminr's ``summary()`` reports them.

    ``fit`` is :func:`~loyaltysurvey.pls.algorithm.fit_pls` of ``X`` (n, p) under ``spec``;
    ``indicators`` names ``X``'s columns. With ``l`` a block's loadings, ``w`` its weights
    and ``S`` its indicator correlation matrix, the result holds:

    * ``reliability``: per construct ``alpha = k/(k-1) (1 - k / sum(S))`` (of the
      standardized indicators), ``rho_c = (sum l)^2 / ((sum l)^2 + sum(1 - l^2))``,
      ``ave = mean(l^2)``, ``rho_a = (w'w)^2 w'(S - diag S)w / w'(ww' - diag ww')w``
      (1 for single items and mode B) and ``mode``;
    * ``loadings`` (with indicator reliability ``l^2``) and ``weights``, as lists of rows;
    * ``htmt``: Henseler et al.'s (2015) HTMT with arithmetic means and 1 as the
      monotrait mean of a single item (:func:`loyaltysurvey.sem.htmt`);
    * ``fornell_larcker`` (``sqrt(AVE)`` on the diagonal, construct correlations off it)
      and ``cross_loadings`` (indicator-score correlations);
    * ``r2``, ``r2_adj = 1 - (1 - R^2)(n - 1)/(n - m - 1)`` with ``m`` predictors,
      ``f2 = (R^2_incl - R^2_excl) / (1 - R^2_incl)`` with the model re-estimated without
      the path (as seminr does), inner ``vif`` ``1 / (1 - R^2)`` of each predictor on the
      others, and indicator ``vif_items`` (the diagonal of ``S^-1``);
    * ``total_effects = (I - B)^-1 - I`` and ``indirect_effects = total - B`` (arrays
      indexed [source, target]).

    Alpha, rho_c, AVE, rho_A, HTMT, R^2, adjusted R^2, f^2 and both VIFs are checked
    against seminr 2.3.2 on mobi (mode A, Image in mode B, PLSc) and corp_rep in
    tests/test_pls_reference.py; Fornell-Larcker, cross-loadings and the total and
    indirect effects are the formulas above by definition.

    References: Dijkstra & Henseler (2015); Henseler, Ringle & Sarstedt (2015);
    Fornell & Larcker (1981); Cohen (1988); Hair et al. (2019).

    >>> from loyaltysurvey.datasets import crm_responses
    >>> items = ["SAT1", "SAT2", "SAT3", "SAT4", "LOY1", "LOY2", "LOY3", "LOY4"]
    >>> X = crm_responses()[items].dropna().to_numpy()
    >>> spec = PLSSpec(("SAT", "LOY"), ((0, 1, 2, 3), (4, 5, 6, 7)), ("A", "A"), (("SAT", "LOY"),))
    >>> result = evaluate(fit_pls(X, spec), spec, X, items)
    >>> {k: round(v, 3) for k, v in result["reliability"]["SAT"].items() if k != "mode"}
    {'alpha': 0.822, 'rho_c': 0.882, 'rho_a': 0.827, 'ave': 0.652}
    >>> round(result["r2"]["LOY"], 3), round(result["f2"]["SAT"]["LOY"], 3)
    (0.205, 0.259)
    >>> round(float(result["htmt"].loc["SAT", "LOY"]), 3)
    0.543
    """
    names = list(spec.constructs)
    n = X.shape[0]
    Z = (X - X.mean(axis=0)) / X.std(axis=0, ddof=1)
    R = np.corrcoef(Z, rowvar=False)
    adj, preds = inner_structure(spec)
    reliability, loadings, weights, vif_items = {}, [], [], {}
    for k, block in enumerate(spec.blocks):
        cols = list(block)
        lam = fit.loadings[cols, k]
        w = fit.weights[cols, k]
        kk = len(cols)
        S = R[np.ix_(cols, cols)]
        alpha = (kk / (kk - 1)) * (1 - kk / S.sum()) if kk > 1 else 1.0
        rho_c = lam.sum() ** 2 / (lam.sum() ** 2 + np.sum(1 - lam ** 2))
        ave = float(np.mean(lam ** 2))
        if kk > 1 and spec.modes[k] in ("A", "R"):
            ww = np.outer(w, w)
            rho_a = (w @ w) ** 2 * (w @ (S - np.diag(np.diag(S))) @ w) / (w @ (ww - np.diag(np.diag(ww))) @ w)
        else:  # single items and mode B composites: 1, as seminr reports
            rho_a = 1.0
        reliability[names[k]] = {"alpha": float(alpha), "rho_c": float(rho_c), "rho_a": float(rho_a), "ave": ave,
                                 "mode": spec.modes[k]}
        if kk > 1:  # indicator VIF: diagonal of the inverse block correlation matrix
            vif_items[names[k]] = {indicators[c]: float(v) for c, v in zip(cols, np.diag(np.linalg.inv(S)))}
        for c, l, wt in zip(cols, lam, w):
            loadings.append({"construct": names[k], "item": indicators[c], "est": float(l),
                             "reliability": float(l * l)})
            weights.append({"construct": names[k], "item": indicators[c], "est": float(wt)})
    blocks = {names[k]: [indicators[c] for c in b] for k, b in enumerate(spec.blocks)}
    corr = pd.DataFrame(R, index=indicators, columns=indicators)
    ht = htmt_matrix(corr, blocks, absolute=True, geometric=False, single_item=1.0)
    C = pd.DataFrame(fit.correlations, index=names, columns=names)
    fl = C.copy()
    for name in names:
        fl.loc[name, name] = np.sqrt(reliability[name]["ave"])
    cross = pd.DataFrame(Z.T @ fit.scores / (n - 1), index=indicators, columns=names)
    r2, r2_adj, f2, vif = {}, {}, {}, {}
    Y = fit.scores
    for j in range(len(names)):
        pr = preds[j]
        if not pr:
            continue
        full = fit.r2[j]
        r2[names[j]] = float(full)
        r2_adj[names[j]] = float(1 - (1 - full) * (n - 1) / (n - len(pr) - 1))
        for i in pr:
            others = [m for m in pr if m != i]
            # As seminr: drop the path and re-estimate the whole model (weights change too).
            reduced_spec = replace(spec, paths=tuple(pth for pth in spec.paths if pth != (names[i], names[j])))
            reduced = float(np.nan_to_num(fit_pls(X, reduced_spec).r2[j])) if others else 0.0
            f2.setdefault(names[i], {})[names[j]] = float((full - reduced) / (1 - full))
            vif.setdefault(names[j], {})[names[i]] = (float(1 / (1 - _r2(Y[:, i], Y[:, others])))
                                                     if others else 1.0)
    B = fit.paths
    total = np.linalg.inv(np.eye(len(names)) - B) - np.eye(len(names))
    return {"reliability": reliability, "loadings": loadings, "weights": weights, "htmt": ht,
            "fornell_larcker": fl, "cross_loadings": cross, "r2": r2, "r2_adj": r2_adj, "f2": f2, "vif": vif, "vif_items": vif_items,
            "total_effects": total, "indirect_effects": total - B}
