"""Maximum-likelihood one-factor model, for McDonald's omega.

Fits ``Sigma = lambda lambda' + diag(theta)`` to a covariance matrix by
minimising lavaan's ML discrepancy
``F = log|Sigma| + tr(S Sigma^-1) - log|S| - p`` with its analytic gradient.
Heywood cases (negative residual variances) are allowed, as in lavaan, and
reported by the caller.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import ModelError
from scipy import optimize

__all__ = ["OneFactorFit", "fit_one_factor"]


@dataclass(frozen=True)
class OneFactorFit:
    loadings: np.ndarray
    residuals: np.ndarray
    converged: bool
    fmin: float

    @property
    def omega(self) -> float:
        """McDonald's omega total: (sum lambda)^2 / ((sum lambda)^2 + sum theta)."""
        common = self.loadings.sum() ** 2
        return float(common / (common + self.residuals.sum()))


def fit_one_factor(S: np.ndarray) -> OneFactorFit:
    """ML one-factor solution of the covariance matrix ``S`` (factor variance 1)."""
    S = np.asarray(S, dtype=float)
    p = S.shape[0]
    if p < 3:
        raise ModelError("a one-factor model needs at least three items")
    sign, logdet_s = np.linalg.slogdet(S)
    if sign <= 0:
        raise np.linalg.LinAlgError("the covariance matrix is not positive definite")
    # Start from the first principal axis with communalities from squared multiple correlations.
    smc = 1 - 1 / np.diag(np.linalg.inv(S)) / np.diag(S)
    reduced = S - np.diag(np.diag(S) * (1 - smc))
    vals, vecs = np.linalg.eigh(reduced)
    lam0 = vecs[:, -1] * np.sqrt(max(vals[-1], 1e-6))
    if lam0.sum() < 0:
        lam0 = -lam0
    theta0 = np.maximum(np.diag(S) - lam0 ** 2, 0.05 * np.diag(S))
    x0 = np.concatenate([lam0, theta0])

    def objective(x: np.ndarray) -> tuple[float, np.ndarray]:
        lam, theta = x[:p], x[p:]
        sigma = np.outer(lam, lam) + np.diag(theta)
        sign, logdet = np.linalg.slogdet(sigma)
        if sign <= 0:
            return 1e10, np.zeros_like(x)
        inv = np.linalg.inv(sigma)
        f = logdet + np.trace(S @ inv) - logdet_s - p
        g = inv - inv @ S @ inv
        return f, np.concatenate([2 * g @ lam, np.diag(g)])

    res = optimize.minimize(objective, x0, jac=True, method="L-BFGS-B",
                            options={"maxiter": 5000, "ftol": 1e-15, "gtol": 1e-12})
    lam, theta = res.x[:p], res.x[p:]
    if lam.sum() < 0:
        lam = -lam
    return OneFactorFit(lam, theta, bool(res.success or res.status == 0), float(res.fun))
