"""Maximum likelihood estimation for complete data (Fisher scoring).

Minimises lavaan's ML discrepancy
``F = log|Sigma| + tr(S Sigma^-1) - log|S| - p (+ (ybar - mu)' Sigma^-1 (ybar - mu))``
with ``S`` the covariance matrix with divisor N, by Fisher scoring: the
step solves ``H d = -g`` with ``H_kl = tr(Sigma^-1 D_k Sigma^-1 D_l) + 2 Dmu_k' Sigma^-1 Dmu_l``,
the expected Hessian of F, halved until F decreases. At the solution
``(N/2) H`` is lavaan's expected information, whose inverse is the
covariance matrix of the estimates.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import DataError, ModelError
from ..errors import ModelError
from .onefactor import fit_one_factor
from .ram import RamModel

__all__ = ["MLSolution", "fit_ml", "start_values", "ml_discrepancy"]


@dataclass(frozen=True)
class MLSolution:
    theta: np.ndarray
    fmin: float
    iterations: int
    converged: bool
    information: np.ndarray  # expected Hessian of F (H); per-observation information is H / 2


def start_values(model: RamModel, S: np.ndarray, means: np.ndarray | None) -> np.ndarray:
    """Start values in the spirit of lavaan's: factor-analytic loadings, half variances, zero paths."""
    table = model.table
    q = table.n_free
    theta = np.zeros(q)
    set_ = np.zeros(q, dtype=bool)
    index = {n: i for i, n in enumerate(table.observed)}
    indicators: dict[str, list[str]] = {}
    for p in table.params:
        if p.op == "=~" and p.rhs in index:
            indicators.setdefault(p.lhs, []).append(p.rhs)
    loading: dict[tuple[str, str], float] = {}
    lv_var: dict[str, float] = {}
    for lv, inds in indicators.items():
        idx = [index[i] for i in inds]
        sub = S[np.ix_(idx, idx)]
        if len(inds) >= 3:
            try:
                lam = fit_one_factor(sub).loadings
            except (np.linalg.LinAlgError, ValueError, ModelError):
                lam = np.sqrt(np.abs(np.diag(sub)) * 0.5)
        elif len(inds) == 2:
            c = sub[0, 1]
            lam = np.sqrt(np.abs(c)) * np.array([1.0, np.sign(c) or 1.0])
        else:
            lam = np.sqrt(np.abs(sub[0, 0])) * np.ones(1)
        if abs(lam[0]) < 1e-8:
            lam[0] = 1e-3
        for name, value in zip(inds, lam / lam[0]):
            loading[(lv, name)] = value
        lv_var[lv] = lam[0] ** 2
    for p in table.free_params():
        k = p.free - 1
        if p.value is not None:
            theta[k] = p.value
        elif p.op == "=~":
            theta[k] = loading.get((p.lhs, p.rhs), 1.0)
        elif p.op == "~~" and p.lhs == p.rhs:
            if p.lhs in index:
                i = index[p.lhs]
                lam_sq = sum(loading.get((lv, p.lhs), 0.0) ** 2 * lv_var.get(lv, 0.0) for lv in indicators)
                theta[k] = max(S[i, i] - lam_sq, 0.5 * S[i, i]) if lam_sq else 0.5 * S[i, i]
            else:
                theta[k] = max(lv_var.get(p.lhs, 0.05), 0.05)
        elif p.op == "~1" and means is not None and p.lhs in index:
            theta[k] = means[index[p.lhs]]
        else:
            theta[k] = 0.0
        set_[k] = True
    return theta


def _expected_hessian(inv: np.ndarray, dS: np.ndarray) -> np.ndarray:
    """H_kl = tr(Sigma^-1 D_k Sigma^-1 D_l), as one matrix product (D_k symmetric)."""
    q = dS.shape[0]
    M = np.matmul(inv, dS)                      # Sigma^-1 D_k
    return M.reshape(q, -1) @ np.swapaxes(M, 1, 2).reshape(q, -1).T


def ml_discrepancy(Sigma: np.ndarray, S: np.ndarray, logdet_S: float, mu: np.ndarray | None = None,
                   ybar: np.ndarray | None = None) -> float:
    sign, logdet = np.linalg.slogdet(Sigma)
    if sign <= 0:
        return np.inf
    inv = np.linalg.inv(Sigma)
    f = logdet + np.sum(S * inv) - logdet_S - S.shape[0]
    if mu is not None and ybar is not None:
        d = ybar - mu
        f += d @ inv @ d
    return float(f)


def fit_ml(model: RamModel, S: np.ndarray, ybar: np.ndarray | None = None, *,
           start: np.ndarray | None = None, max_iter: int = 500, tol: float = 1e-10) -> MLSolution:
    """ML estimates for the sample covariance ``S`` (divisor N) and, with a mean structure, means ``ybar``."""
    meanstructure = model.table.meanstructure and ybar is not None
    sign, logdet_S = np.linalg.slogdet(S)
    eig = np.linalg.eigvalsh(S)
    if sign <= 0 or eig[0] <= 1e-10 * eig[-1]:
        raise DataError("the sample covariance matrix of the model's items is not positive definite (an item "
                        "is constant, or items are exact linear combinations of others); remove the redundant items")
    theta = start_values(model, S, ybar) if start is None else np.array(start, dtype=float)
    q = theta.size

    def evaluate(t):
        Sigma, mu, _, _ = model.implied(t)
        return ml_discrepancy(Sigma, S, logdet_S, mu if meanstructure else None,
                              ybar if meanstructure else None), Sigma, mu

    f, Sigma, mu = evaluate(theta)
    if not np.isfinite(f):
        raise ModelError("the start values give a non-positive-definite implied covariance matrix; "
                         "check the model for unidentified parts")
    converged = False
    H = np.eye(q)
    iterations = 0
    for iterations in range(1, max_iter + 1):
        inv = np.linalg.inv(Sigma)
        dS, dm = model.derivatives(theta)
        resid = S.copy()
        if meanstructure:
            d = ybar - mu
            resid = resid + np.outer(d, d)
        W = inv - inv @ resid @ inv
        g = dS.reshape(q, -1) @ W.ravel()
        H = _expected_hessian(inv, dS)
        if meanstructure:
            g -= 2 * dm @ (inv @ d)
            H += 2 * dm @ inv @ dm.T
        try:
            step = np.linalg.solve(H, -g)
        except np.linalg.LinAlgError:
            step = -np.linalg.lstsq(H, g, rcond=None)[0]
        if np.max(np.abs(g)) < tol:
            converged = True
            break
        scale = 1.0
        for _ in range(40):
            candidate = theta + scale * step
            f_new, Sigma_new, mu_new = evaluate(candidate)
            if np.isfinite(f_new) and f_new <= f + 1e-14:
                break
            scale *= 0.5
        else:
            break
        change = f - f_new
        theta, f, Sigma, mu = candidate, f_new, Sigma_new, mu_new
        if change < 1e-15 and np.max(np.abs(scale * step)) < 1e-10:
            converged = True
            break
    # Information at the solution.
    inv = np.linalg.inv(Sigma)
    dS, dm = model.derivatives(theta)
    H = _expected_hessian(inv, dS)
    if meanstructure:
        H += 2 * dm @ inv @ dm.T
    return MLSolution(theta, f, iterations, converged, H)


def ml_gradient(model: RamModel, theta: np.ndarray, S: np.ndarray) -> np.ndarray:
    """Gradient of the ML discrepancy F (no mean structure) at ``theta``."""
    Sigma, _, _, _ = model.implied(theta)
    inv = np.linalg.inv(Sigma)
    W = inv - inv @ S @ inv
    dS, _ = model.derivatives(theta)
    return dS.reshape(dS.shape[0], -1) @ W.ravel()
