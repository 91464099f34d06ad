"""PLS path models for many resamples at once (the bootstrap hot path).

All resamples of a chunk are standardized and iterated together: construct
scores, inner weights, proxies and outer weights are batched matrix products
with a leading resample axis, started from the full-sample weights. The
per-resample result is identical (to the stopping tolerance) to
:func:`loyaltysurvey.pls.algorithm.fit_pls` on the same rows.
"""

from __future__ import annotations

import numpy as np

from .algorithm import PLSSpec, inner_structure

__all__ = ["fit_pls_batched"]


def fit_pls_batched(Xb: np.ndarray, spec: PLSSpec, start: np.ndarray) -> dict[str, np.ndarray]:
    """Fit every resample in ``Xb`` (B, n, p). Returns paths (B, K, K), loadings and weights (B, p, K), ok (B,)."""
    B, n, p = Xb.shape
    K = len(spec.constructs)
    mean = Xb.mean(axis=1, keepdims=True)
    sd = Xb.std(axis=1, ddof=1, keepdims=True)
    ok = np.all(sd[:, 0, :] > 0, axis=1)
    sd = np.where(sd > 0, sd, 1.0)
    Z = (Xb - mean) / sd
    adj, preds = inner_structure(spec)
    mask = np.zeros((p, K))
    for k, block in enumerate(spec.blocks):
        mask[list(block), k] = 1.0
    W = np.repeat(start[None], B, axis=0)
    mode_b = [k for k in range(K) if spec.modes[k] == "B" and len(spec.blocks[k]) > 1]
    R = None
    if mode_b:
        R = np.swapaxes(Z, 1, 2) @ Z / (n - 1)                  # indicator correlations (B, p, p)
    active = ok.copy()
    for _ in range(spec.max_iter):
        Y = Z @ W
        Y = Y / Y.std(axis=1, ddof=1, keepdims=True)
        C = np.swapaxes(Y, 1, 2) @ Y / (n - 1)                   # (B, K, K)
        E = np.zeros((B, K, K))
        for j in range(K):
            succ = np.nonzero(adj[j, :])[0]
            if spec.scheme == "path":
                E[:, succ, j] = C[:, succ, j]
                pr = preds[j]
                if pr:
                    E[:, pr, j] = np.linalg.solve(C[:, pr][:, :, pr], C[:, pr, j][:, :, None])[:, :, 0]
            else:
                nb = np.nonzero((adj + adj.T)[:, j])[0]
                E[:, nb, j] = np.sign(C[:, nb, j]) if spec.scheme == "centroid" else C[:, nb, j]
        isolated = np.nonzero(~(adj + adj.T).any(axis=0))[0]
        E[:, isolated, isolated] = 1.0
        proxies = Y @ E                                          # (B, n, K)
        W_new = (np.swapaxes(Z, 1, 2) @ proxies) / (n - 1) * mask[None]
        for k in mode_b:
            cols = list(spec.blocks[k])
            Rk = R[:, cols][:, :, cols]
            W_new[:, cols, k] = np.linalg.solve(Rk, W_new[:, cols, k][:, :, None])[:, :, 0]
        W_new = W_new / (Z @ W_new).std(axis=1, ddof=1, keepdims=True)
        change = np.sum(np.abs(W_new - W), axis=(1, 2))
        W = np.where(active[:, None, None], W_new, W)
        active &= change >= spec.stop
        if not active.any():
            break
    converged = ok & ~active
    Y = Z @ W
    Y = Y / Y.std(axis=1, ddof=1, keepdims=True)
    C = np.swapaxes(Y, 1, 2) @ Y / (n - 1)
    loadings = np.swapaxes(Z, 1, 2) @ Y / (n - 1) * mask[None]
    reflective = [k for k in range(K) if spec.modes[k] == "R" and len(spec.blocks[k]) > 1]
    if reflective:  # PLSc, as in algorithm._consistent, for every resample
        rho = np.ones((B, K))
        for k in reflective:
            cols = list(spec.blocks[k])
            Zk = Z[:, :, cols]
            S = np.swapaxes(Zk, 1, 2) @ Zk / (n - 1)
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
    return {"paths": paths, "loadings": loadings, "weights": W, "ok": converged}
