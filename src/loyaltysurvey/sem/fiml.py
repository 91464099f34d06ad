"""Full-information ML for incomplete data (lavaan's ``missing = "ml"``).

Rows are grouped by their pattern of missing answers; each pattern enters the
likelihood through its sufficient statistics (count, mean, covariance with
divisor n), so one evaluation costs one small inversion per pattern:

``-2 logL = sum_g n_g [p_g log(2 pi) + log|Sigma_g| + tr(Sigma_g^-1 S_g) + (ybar_g - mu_g)' Sigma_g^-1 (ybar_g - mu_g)]``

Its gradient with respect to the implied ``Sigma`` and ``mu`` is accumulated
into one ``p x p`` matrix and one vector, then mapped to the parameters with
the model's analytic derivatives. The saturated (H1) model is estimated by EM.
Standard errors use the observed information (the Hessian of the
log-likelihood), as lavaan does for ``missing = "ml"``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import optimize

from ..errors import DataError
from .ram import RamModel

__all__ = ["Patterns", "em_saturated", "FimlObjective"]

LOG2PI = math.log(2 * math.pi)


@dataclass(frozen=True)
class Pattern:
    observed: np.ndarray  # indices of the observed variables
    n: int
    mean: np.ndarray
    cov: np.ndarray       # divisor n
    rows: np.ndarray      # the data rows (observed columns only)


class Patterns:
    """The data grouped by missing-data pattern."""

    def __init__(self, X: np.ndarray) -> None:
        X = np.asarray(X, dtype=float)
        mask = ~np.isnan(X)
        keep = mask.any(axis=1)
        X, mask = X[keep], mask[keep]
        self.n_total = X.shape[0]
        self.p = X.shape[1]
        if self.n_total == 0:
            raise DataError("no respondent has any answer on the model's items")
        empty = np.where(~mask.any(axis=0))[0]
        if empty.size:
            raise DataError(f"variable {int(empty[0]) + 1} of the model has no observed value")
        keys, inverse = np.unique(mask, axis=0, return_inverse=True)
        self.patterns: list[Pattern] = []
        for g, key in enumerate(keys):
            rows = X[inverse.ravel() == g][:, key]
            n = rows.shape[0]
            mean = rows.mean(axis=0)
            centred = rows - mean
            self.patterns.append(Pattern(np.where(key)[0], n, mean, centred.T @ centred / n, rows))
        self.n_incomplete = int(sum(pt.n for pt in self.patterns if pt.observed.size < self.p))

    def __len__(self) -> int:
        return len(self.patterns)

    def loglik(self, Sigma: np.ndarray, mu: np.ndarray) -> float:
        total = 0.0
        for pt in self.patterns:
            o = pt.observed
            So = Sigma[np.ix_(o, o)]
            sign, logdet = np.linalg.slogdet(So)
            if sign <= 0:
                return -np.inf
            inv = np.linalg.inv(So)
            d = pt.mean - mu[o]
            total += pt.n * (o.size * LOG2PI + logdet + np.sum(inv * pt.cov) + d @ inv @ d)
        return -0.5 * total

    def gradient_moments(self, Sigma: np.ndarray, mu: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
        """-2 logL and its gradient with respect to Sigma (symmetric p x p) and mu."""
        G = np.zeros((self.p, self.p))
        h = np.zeros(self.p)
        total = 0.0
        for pt in self.patterns:
            o = pt.observed
            So = Sigma[np.ix_(o, o)]
            sign, logdet = np.linalg.slogdet(So)
            if sign <= 0:
                return np.inf, G, h
            inv = np.linalg.inv(So)
            d = pt.mean - mu[o]
            invd = inv @ d
            total += pt.n * (o.size * LOG2PI + logdet + np.sum(inv * pt.cov) + d @ invd)
            R = pt.cov + np.outer(d, d)
            G[np.ix_(o, o)] += pt.n * (inv - inv @ R @ inv)
            h[o] += -2 * pt.n * invd
        return total, G, h


def em_saturated(patterns: Patterns, tol: float = 1e-11, max_iter: int = 20000) -> tuple[np.ndarray, np.ndarray, int]:
    """ML mean vector and covariance matrix of incomplete data by EM (the H1 model)."""
    p = patterns.p
    # Start from the available-case moments.
    sums = np.zeros(p)
    counts = np.zeros(p)
    for pt in patterns.patterns:
        sums[pt.observed] += pt.n * pt.mean
        counts[pt.observed] += pt.n
    mu = sums / counts
    var = np.zeros(p)
    for pt in patterns.patterns:
        var[pt.observed] += np.sum((pt.rows - mu[pt.observed]) ** 2, axis=0)
    Sigma = np.diag(var / counts)
    N = patterns.n_total
    for iteration in range(1, max_iter + 1):
        T1 = np.zeros(p)
        T2 = np.zeros((p, p))
        for pt in patterns.patterns:
            o = pt.observed
            if o.size == p:
                T1 += pt.n * pt.mean
                T2 += pt.n * (pt.cov + np.outer(pt.mean, pt.mean))
                continue
            m = np.setdiff1d(np.arange(p), o)
            B = np.linalg.solve(Sigma[np.ix_(o, o)], Sigma[np.ix_(o, m)]).T  # regression of m on o
            filled = np.empty((pt.n, p))
            filled[:, o] = pt.rows
            filled[:, m] = mu[m] + (pt.rows - mu[o]) @ B.T
            T1 += filled.sum(axis=0)
            T2 += filled.T @ filled
            C = Sigma[np.ix_(m, m)] - B @ Sigma[np.ix_(o, m)]
            T2[np.ix_(m, m)] += pt.n * C
        new_mu = T1 / N
        new_Sigma = T2 / N - np.outer(new_mu, new_mu)
        change = max(np.max(np.abs(new_mu - mu)), np.max(np.abs(new_Sigma - Sigma)))
        mu, Sigma = new_mu, new_Sigma
        if change < tol:
            return mu, Sigma, iteration
    return mu, Sigma, max_iter


class FimlObjective:
    """``F(theta) = -2 logL(theta) / N`` and its analytic gradient."""

    def __init__(self, model: RamModel, patterns: Patterns) -> None:
        self.model = model
        self.patterns = patterns
        self.N = patterns.n_total

    def value_and_gradient(self, theta: np.ndarray) -> tuple[float, np.ndarray]:
        Sigma, mu, _, _ = self.model.implied(theta)
        total, G, h = self.patterns.gradient_moments(Sigma, mu)
        if not np.isfinite(total):
            return 1e20, np.zeros_like(theta)
        dS, dm = self.model.derivatives(theta)
        grad = np.einsum("ij,kij->k", G, dS) + dm @ h
        return total / self.N, grad / self.N

    def minimize(self, start: np.ndarray, hess_inv0: np.ndarray | None = None) -> optimize.OptimizeResult:
        options = {"gtol": 1e-9, "maxiter": 2000}
        if hess_inv0 is not None:
            options["hess_inv0"] = hess_inv0
        return optimize.minimize(self.value_and_gradient, start, jac=True, method="BFGS", options=options)

    def hessian(self, theta: np.ndarray) -> np.ndarray:
        """Numerical Hessian of F from the analytic gradient (central differences, symmetrised)."""
        q = theta.size
        H = np.zeros((q, q))
        for k in range(q):
            h = 1e-5 * max(1.0, abs(theta[k]))
            up, down = theta.copy(), theta.copy()
            up[k] += h
            down[k] -= h
            H[:, k] = (self.value_and_gradient(up)[1] - self.value_and_gradient(down)[1]) / (2 * h)
        return (H + H.T) / 2
