"""Maximum-likelihood one-factor model, for McDonald's omega.

Fits ``Sigma = lambda lambda' + diag(theta)`` to a covariance matrix by
minimising lavaan's ML discrepancy
``F = log|Sigma| + tr(S Sigma^-1) - log|S| - p`` by Fisher scoring (the step solves
``H d = -g`` with ``H`` the expected Hessian, halved until F decreases), as
:func:`loyaltysurvey.sem.estimate.fit_ml` does for any model; written out here for this one
model because every CB-SEM fit starts from it and :mod:`scipy.optimize`, which the earlier
L-BFGS-B fit needed, costs 0.4 s to import. With ``W = Sigma^-1``, ``a = W lambda`` and
``c = lambda' W lambda`` the expected Hessian is
``H(lambda_i, lambda_j) = 2 (c W_ij + a_i a_j)``, ``H(lambda_i, theta_j) = 2 W_ij a_j`` and
``H(theta_i, theta_j) = W_ij^2``; the gradient is ``2 G lambda`` and ``diag(G)`` with
``G = W - W S W``. Heywood cases (negative residual variances) are allowed, as in lavaan,
and reported by the caller. Omega from it is checked against semTools in
tests/test_reliability.py (to 1e-6).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..errors import ModelError
from .spd import pd_logdet

__all__ = ["OneFactorFit", "fit_one_factor"]

MAX_ITERATIONS = 200
#: The largest gradient element at the solution (on the correlation scale).
GRADIENT_TOLERANCE = 1e-10


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
    """ML one-factor solution of the covariance matrix ``S`` (factor variance 1).

    Fitted to the correlation matrix and scaled back (the ML discrepancy does not depend on
    the items' units, so neither does the solution), which keeps the convergence test free of
    them. ``converged`` says the gradient vanished (to 1e-10 on the correlation scale) or that
    neither F nor the estimates change any more (the rule of :func:`~loyaltysurvey.sem.estimate.fit_ml`).

    >>> from loyaltysurvey.datasets import crm_responses
    >>> S = crm_responses()[["SAT1", "SAT2", "SAT3", "SAT4"]].cov().to_numpy()
    >>> fit = fit_one_factor(S)
    >>> fit.converged, round(fit.omega, 3)  # lavaan / semTools: 0.821
    (True, 0.821)
    """
    S = np.asarray(S, dtype=float)
    p = S.shape[0]
    if p < 3:
        raise ModelError("a one-factor model needs at least three items")
    sd = np.sqrt(np.diag(S))
    if not np.all(sd > 0):
        raise np.linalg.LinAlgError("the covariance matrix is not positive definite")
    R = S / np.outer(sd, sd)
    sign, logdet_r = np.linalg.slogdet(R)
    if sign <= 0:
        raise np.linalg.LinAlgError("the covariance matrix is not positive definite")
    # Start from the first principal axis with communalities from squared multiple correlations.
    smc = 1 - 1 / np.diag(np.linalg.inv(R))
    vals, vecs = np.linalg.eigh(R - np.diag(1 - smc))
    lam0 = vecs[:, -1] * np.sqrt(max(vals[-1], 1e-6))
    if lam0.sum() < 0:
        lam0 = -lam0
    x = np.concatenate([lam0, np.maximum(1 - lam0 ** 2, 0.05)])

    def discrepancy(x: np.ndarray) -> tuple[float, np.ndarray | None]:
        sigma = np.outer(x[:p], x[:p]) + np.diag(x[p:])
        logdet = pd_logdet(sigma)
        if logdet is None or not np.isfinite(logdet):
            return math.inf, None
        inv = np.linalg.inv(sigma)
        return float(logdet + np.sum(R * inv) - logdet_r - p), inv

    f, inv = discrepancy(x)
    converged = False
    for _ in range(MAX_ITERATIONS):
        lam = x[:p]
        G = inv - inv @ R @ inv
        g = np.concatenate([2 * G @ lam, np.diag(G)])
        if np.max(np.abs(g)) < GRADIENT_TOLERANCE:
            converged = True
            break
        a = inv @ lam
        c = float(lam @ a)
        H = np.empty((2 * p, 2 * p))
        H[:p, :p] = 2 * (c * inv + np.outer(a, a))
        H[:p, p:] = 2 * inv * a[None, :]
        H[p:, :p] = H[:p, p:].T
        H[p:, p:] = inv ** 2
        try:
            step = np.linalg.solve(H, -g)
        except np.linalg.LinAlgError:
            step = np.linalg.lstsq(H, -g, rcond=None)[0]
        t = 1.0
        for _ in range(40):  # halve the step until F does not increase (beyond rounding)
            f_new, inv_new = discrepancy(x + t * step)
            if f_new <= f + 1e-14:
                break
            t /= 2
        else:
            break  # no step decreases F: as close as this model gets
        change = f - f_new
        x, f, inv = x + t * step, f_new, inv_new
        if change < 1e-15 and np.max(np.abs(t * step)) < 1e-10:  # F and the estimates no longer change
            converged = True
            break
    lam, theta = x[:p] * sd, x[p:] * sd ** 2
    if lam.sum() < 0:
        lam = -lam
    return OneFactorFit(lam, theta, converged, f)
