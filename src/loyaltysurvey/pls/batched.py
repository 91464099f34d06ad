"""PLS path models for many resamples at once (the bootstrap hot path).

PLS needs the data only through the indicators' correlation matrix ``R``: with
standardized indicators ``Z`` and weights ``W`` scaled to unit score variance,
score correlations are ``W'RW``, mode A weights are ``Z'Y E / (n - 1) = R W E``,
mode B weights solve ``R_kk w = (R W E)_k``, and loadings are ``R W``. So each
resample's ``R`` is computed once (one batched product over the rows) and the
iterations run on ``p x p`` matrices for all resamples together, started from the
full-sample weights. The per-resample result equals
:func:`loyaltysurvey.pls.algorithm.fit_pls` on the same rows (to the stopping
tolerance).
"""

from __future__ import annotations

import numpy as np

from .algorithm import PLSSpec, inner_structure

__all__ = ["fit_pls_batched", "correlations"]


def correlations(Xb: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Indicator correlation matrices (B, p, p) and a flag of resamples without constant indicators.

    ``Xb`` is (B, n, p): B resamples of n rows. A constant indicator has no correlation; its
    resample is flagged False (its matrix is not usable).

    >>> import numpy as np
    >>> X = np.array([[1.0, 2.0], [2.0, 1.0], [3.0, 5.0], [4.0, 4.0]])
    >>> R, ok = correlations(np.stack([X, np.column_stack([X[:, 0], np.ones(4)])]))
    >>> round(float(R[0, 0, 1]), 3), ok.tolist()
    (0.707, [True, False])
    """
    n = Xb.shape[1]
    Zc = Xb - Xb.mean(axis=1, keepdims=True)
    cov = np.swapaxes(Zc, 1, 2) @ Zc / (n - 1)
    var = np.einsum("bii->bi", cov)
    ok = np.all(var > 0, axis=1)
    sd = np.sqrt(np.where(var > 0, var, 1.0))
    return cov / (sd[:, :, None] * sd[:, None, :]), ok


def _normalize(W: np.ndarray, R: np.ndarray) -> np.ndarray:
    var = np.sum(W * (R @ W), axis=1, keepdims=True)      # (B, 1, K): w_k' R w_k
    return W / np.sqrt(var)


def fit_pls_batched(Xb: np.ndarray, spec: PLSSpec, start: np.ndarray, R: np.ndarray | None = None,
                    ok: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """Fit every resample in ``Xb`` (B, n, p). Returns paths (B, K, K), loadings and weights (B, p, K), ok (B,).

    The algorithm of :func:`~loyaltysurvey.pls.algorithm.fit_pls` (inner schemes, modes A, B
    and PLSc for ``"R"``) run on each resample's correlation matrix, from the weights
    ``start`` (usually the full-sample ones); ``R`` and ``ok`` may be given when already
    computed by :func:`correlations`. ``ok`` is False for a resample with a constant indicator
    or that did not converge in ``spec.max_iter`` iterations; the result also holds ``R``.
    Each resample's paths, weights and loadings equal ``fit_pls`` on the same rows to 1e-6,
    which tests/test_pls_published.py checks on mobi (modes A and B, and PLSc).

    >>> import numpy as np
    >>> from loyaltysurvey.datasets import crm_responses
    >>> from loyaltysurvey.pls.algorithm import PLSSpec, fit_pls
    >>> X = crm_responses()[["SAT1", "SAT2", "SAT3", "SAT4", "LOY1", "LOY2", "LOY3", "LOY4"]].dropna().to_numpy()
    >>> spec = PLSSpec(("SAT", "LOY"), ((0, 1, 2, 3), (4, 5, 6, 7)), ("A", "A"), (("SAT", "LOY"),))
    >>> full = fit_pls(X, spec)
    >>> out = fit_pls_batched(X[None], spec, full.weights)
    >>> out["ok"].tolist(), bool(np.allclose(out["paths"][0], full.paths, atol=1e-6))
    ([True], True)
    """
    if R is None:
        R, ok = correlations(Xb)
    B, p = R.shape[0], R.shape[1]
    K = len(spec.constructs)
    adj, preds = inner_structure(spec)
    linked = (adj + adj.T) > 0
    isolated = np.nonzero(~linked.any(axis=0))[0]
    mask = np.zeros((p, K))
    for k, block in enumerate(spec.blocks):
        mask[list(block), k] = 1.0
    mode_b = [k for k in range(K) if spec.modes[k] == "B" and len(spec.blocks[k]) > 1]
    W = _normalize(np.repeat(start[None], B, axis=0), R)
    active = ok.copy()
    for _ in range(spec.max_iter):
        RW = R @ W                                            # (B, p, K)
        C = np.swapaxes(W, 1, 2) @ RW                         # score correlations (B, K, K)
        E = np.zeros((B, K, K))
        for j in range(K):
            if spec.scheme == "path":
                succ = np.nonzero(adj[j, :])[0]
                E[:, succ, j] = C[:, succ, j]
                pr = preds[j]
                if pr:
                    E[:, pr, j] = np.linalg.solve(C[:, pr][:, :, pr], C[:, pr, j][:, :, None])[:, :, 0]
            else:
                nb = np.nonzero(linked[:, j])[0]
                E[:, nb, j] = np.sign(C[:, nb, j]) if spec.scheme == "centroid" else C[:, nb, j]
        E[:, isolated, isolated] = 1.0
        W_new = (RW @ E) * mask[None]                         # mode A: cor(indicators, proxies)
        for k in mode_b:
            cols = list(spec.blocks[k])
            W_new[:, cols, k] = np.linalg.solve(R[:, cols][:, :, cols], W_new[:, cols, k][:, :, None])[:, :, 0]
        W_new = _normalize(W_new, R)
        change = np.sum(np.abs(W_new - W), axis=(1, 2))
        W = np.where(active[:, None, None], W_new, W)
        active &= change >= spec.stop
        if not active.any():
            break
    converged = ok & ~active
    RW = R @ W
    C = np.swapaxes(W, 1, 2) @ RW
    loadings = RW * mask[None]
    reflective = [k for k in range(K) if spec.modes[k] == "R" and len(spec.blocks[k]) > 1]
    if reflective:  # PLSc, as in algorithm._consistent, for every resample
        rho = np.ones((B, K))
        for k in reflective:
            cols = list(spec.blocks[k])
            S = R[:, cols][:, :, cols]
            w = W[:, cols, k]
            Sw = (S - S * np.eye(len(cols))[None]) @ w[:, :, None]
            num = (w[:, None, :] @ Sw)[:, 0, 0]
            den = np.sum(w * w, axis=1) ** 2 - np.sum(w ** 4, axis=1)
            c2 = num / den
            rho[:, k] = np.sum(w * w, axis=1) ** 2 * c2
            loadings[:, cols, k] = np.sqrt(np.abs(c2))[:, None] * w
        C = C / np.sqrt(rho[:, :, None] * rho[:, None, :])
        C[:, np.arange(K), np.arange(K)] = 1.0
    paths = np.zeros((B, K, K))
    for j in range(K):
        pr = preds[j]
        if pr:
            paths[:, pr, j] = np.linalg.solve(C[:, pr][:, :, pr], C[:, pr, j][:, :, None])[:, :, 0]
    return {"paths": paths, "loadings": loadings, "weights": W, "ok": converged, "R": R}
