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
import pandas as pd

from ..errors import DataError
from .spd import spd_inverse
from .ram import RamModel
from .robust import numerical_hessian

__all__ = ["Patterns", "em_saturated", "FimlObjective"]

LOG2PI = math.log(2 * math.pi)


@dataclass(frozen=True)
class Pattern:
    """One missing-data pattern: which variables are observed, and the sufficient statistics of its rows.

    ``mean`` and ``cov`` (divisor ``n``) are over the observed variables only.
    """

    observed: np.ndarray  # indices of the observed variables
    n: int
    mean: np.ndarray
    cov: np.ndarray       # divisor n
    rows: np.ndarray      # the data rows (observed columns only)


class Patterns:
    """The data grouped by missing-data pattern, stored as padded arrays for batched algebra.

    For pattern ``g`` with observed mask ``m_g`` the padded matrix
    ``P_g = (m_g m_g') * Sigma + diag(1 - m_g)`` has ``Sigma_oo`` on the observed
    block and the identity elsewhere, so one batched inverse and one batched
    log-determinant serve every pattern at once.

    Rows with no observed value are left out; a variable that is never observed raises
    :class:`~loyaltysurvey.errors.DataError`. ``n_total`` counts the rows kept (``X``, in the
    order of the data), ``n_incomplete`` those with a missing value, and ``row_pattern`` gives
    the pattern of each kept row (the bootstrap reweights rows within their patterns). The FIML fits built on it are checked
    against lavaan 0.6.14's ``missing = "ml"`` in tests/test_sem_reference.py.

    >>> import numpy as np
    >>> X = np.array([[1.0, 2.0], [2.0, np.nan], [3.0, 5.0], [np.nan, np.nan], [4.0, 3.0]])
    >>> pt = Patterns(X)
    >>> len(pt), pt.n_total, pt.n_incomplete
    (2, 4, 1)
    """

    def __init__(self, X: np.ndarray) -> None:
        X = np.asarray(X, dtype=float)
        mask = ~np.isnan(X)
        keep = mask.any(axis=1)
        X, mask = X[keep], mask[keep]
        self.X = X
        self.n_total = X.shape[0]
        self.p = X.shape[1]
        if self.n_total == 0:
            raise DataError("no respondent has any answer on the model's items")
        empty = np.where(~mask.any(axis=0))[0]
        if empty.size:
            raise DataError(f"variable {int(empty[0]) + 1} of the model has no observed value")
        keys, inverse = np.unique(mask, axis=0, return_inverse=True)
        self.row_pattern = inverse.ravel()                               # (n_total,) pattern of each kept row
        self.patterns: list[Pattern] = []
        for g, key in enumerate(keys):
            rows = X[inverse.ravel() == g][:, key]
            n = rows.shape[0]
            mean = rows.mean(axis=0)
            centred = rows - mean
            self.patterns.append(Pattern(np.where(key)[0], n, mean, centred.T @ centred / n, rows))
        self.n_incomplete = int(sum(pt.n for pt in self.patterns if pt.observed.size < self.p))
        G, p = len(self.patterns), self.p
        self.mask = keys.astype(float)                                   # (G, p)
        self.mask2 = self.mask[:, :, None] * self.mask[:, None, :]       # (G, p, p)
        self.unobserved_eye = np.einsum("gi,ij->gij", 1 - self.mask, np.eye(p))
        self.n = np.array([pt.n for pt in self.patterns], dtype=float)   # (G,)
        self.p_obs = self.mask.sum(axis=1)
        self.mean = np.zeros((G, p))
        self.cov = np.zeros((G, p, p))
        for g, pt in enumerate(self.patterns):
            self.mean[g, pt.observed] = pt.mean
            self.cov[g][np.ix_(pt.observed, pt.observed)] = pt.cov

    def __len__(self) -> int:
        return len(self.patterns)

    def available_case_moments(self) -> tuple[np.ndarray, np.ndarray]:
        """Column means over observed values and pairwise-complete covariances (divisor n - 1).

        >>> import numpy as np
        >>> means, cov = Patterns(np.array([[1.0, 2.0], [2.0, np.nan], [3.0, 4.0]])).available_case_moments()
        >>> means.tolist(), round(float(cov[0, 1]), 3)
        ([2.0, 3.0], 2.0)
        """
        frame = pd.DataFrame(self.X)
        return frame.mean().to_numpy(), frame.cov().to_numpy()

    def _padded_inverse(self, Sigma: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
        P = self.mask2 * Sigma + self.unobserved_eye
        inv, logdet, ok = spd_inverse(P)
        if not ok.all():
            return None
        return inv * self.mask2, logdet

    def loglik(self, Sigma: np.ndarray, mu: np.ndarray) -> float:
        """The log-likelihood of the data under ``N(mu, Sigma)``, each row on its observed variables.

        ``-inf`` when a pattern's ``Sigma_oo`` is not positive definite.
        """
        total, _, _ = self.gradient_moments(Sigma, mu, gradient=False)
        return -0.5 * total

    def gradient_moments(self, Sigma: np.ndarray, mu: np.ndarray, gradient: bool = True
                         ) -> tuple[float, np.ndarray, np.ndarray]:
        """-2 logL and its gradient with respect to Sigma (symmetric p x p) and mu.

        The formula is in the module's description; with ``Q_g`` the inverse of
        ``Sigma_oo`` padded with zeros and ``d_g = ybar_g - mu_g``, the gradient is
        ``sum_g n_g (Q_g - Q_g S_g Q_g - Q_g d_g d_g' Q_g)`` for Sigma and
        ``-2 sum_g n_g Q_g d_g`` for mu. Returns ``(inf, 0, 0)`` when a pattern's covariance is
        not positive definite, and ``None`` gradients when ``gradient`` is False.
        """
        p = self.p
        inverse = self._padded_inverse(Sigma)
        if inverse is None:
            return np.inf, np.zeros((p, p)), np.zeros(p)
        Q, logdet = inverse                                   # Q_g: Sigma_oo^-1 padded with zeros
        d = (self.mean - mu) * self.mask                      # (G, p)
        Qd = np.einsum("gij,gj->gi", Q, d)
        quad = np.einsum("gi,gi->g", d, Qd)
        trace = np.einsum("gij,gji->g", Q, self.cov)
        total = float(self.n @ (self.p_obs * LOG2PI + logdet + trace + quad))
        if not gradient:
            return total, None, None
        QSQ = Q @ self.cov @ Q + Qd[:, :, None] * Qd[:, None, :]
        G = np.einsum("g,gij->ij", self.n, Q - QSQ)
        h = -2 * (self.n @ Qd)
        return total, G, h


def em_saturated(patterns: Patterns, tol: float = 1e-11, max_iter: int = 20000) -> tuple[np.ndarray, np.ndarray, int]:
    """ML mean vector and covariance matrix of incomplete data by EM (the H1 model).

    Each E-step works on the patterns' sufficient statistics at once: with
    ``Q_g`` the padded inverse of ``Sigma_oo``, ``K_g = Sigma Q_g`` maps the
    observed part of a row to its conditional expectation
    ``a_g + K_g y`` (``a_g = mu - K_g mu``) and ``C_g = Sigma - Sigma Q_g Sigma`` is the
    conditional covariance of the missing part.

    Starts at the available-case means and a diagonal covariance matrix and stops when no
    element moves more than ``tol``. Returns ``(mu, Sigma, iterations)``; ``Sigma`` has
    divisor N. Used for the saturated log-likelihood of FIML (checked against lavaan 0.6.14's
    ``unrestricted.logl`` with ``missing = "ml"`` in tests/test_sem_reference.py) and for the
    item correlations of HTMT under FIML.

    References: Dempster, Laird & Rubin (1977).

    >>> import numpy as np
    >>> X = np.array([[1.0, 2.0], [2.0, 3.5], [3.0, np.nan], [4.0, 6.0], [5.0, 6.5]])
    >>> mu, Sigma, iterations = em_saturated(Patterns(X))
    >>> [round(float(v), 3) for v in mu]  # the missing 2nd value is predicted from the 1st
    [3.0, 4.5]
    """
    n, mask = patterns.n, patterns.mask
    counts = n @ mask
    mu = (n @ (patterns.mean * mask)) / counts
    var = np.einsum("g,gii->i", n, patterns.cov) + n @ ((patterns.mean - mu) ** 2 * mask)
    Sigma = np.diag(var / counts)
    N = patterns.n_total
    for iteration in range(1, max_iter + 1):
        Q, _ = patterns._padded_inverse(Sigma)
        K = Sigma @ Q                                             # (G, p, p)
        a = mu - K @ mu                                           # (G, p)
        e = a + np.einsum("gij,gj->gi", K, patterns.mean)         # conditional means of each pattern
        C = Sigma - K @ Sigma
        T1 = n @ e
        KSK = K @ patterns.cov @ np.swapaxes(K, 1, 2)
        T2 = np.einsum("g,gij->ij", n, KSK + C + e[:, :, None] * e[:, None, :])
        new_mu = T1 / N
        new_Sigma = T2 / N - np.outer(new_mu, new_mu)
        new_Sigma = (new_Sigma + new_Sigma.T) / 2
        change = max(np.max(np.abs(new_mu - mu)), np.max(np.abs(new_Sigma - Sigma)))
        mu, Sigma = new_mu, new_Sigma
        if change < tol:
            return mu, Sigma, iteration
    return mu, Sigma, max_iter


class FimlObjective:
    """``F(theta) = -2 logL(theta) / N`` and its analytic gradient.

    The model's implied ``Sigma`` and ``mu`` (it needs a mean structure) are passed to
    :meth:`Patterns.gradient_moments`, and the gradient is mapped to the parameters with
    :meth:`~loyaltysurvey.sem.ram.RamModel.derivatives`. The estimates and SEs of the FIML
    fits that use it are checked against lavaan 0.6.14's ``missing = "ml"`` in
    tests/test_sem_reference.py.
    """

    def __init__(self, model: RamModel, patterns: Patterns) -> None:
        self.model = model
        self.patterns = patterns
        self.N = patterns.n_total

    def value_and_gradient(self, theta: np.ndarray) -> tuple[float, np.ndarray]:
        """F and dF/dtheta at ``theta``.

        Where a pattern's implied covariance is not positive definite it returns a large value
        (1e20) and a zero gradient, so that the optimiser steps back.
        """
        Sigma, mu, _, _ = self.model.implied(theta)
        total, G, h = self.patterns.gradient_moments(Sigma, mu)
        if not np.isfinite(total):
            return 1e20, np.zeros_like(theta)
        dS, dm = self.model.derivatives(theta)
        grad = np.einsum("ij,kij->k", G, dS) + dm @ h
        return total / self.N, grad / self.N

    def minimize(self, start: np.ndarray, hess_inv0: np.ndarray | None = None) -> "OptimizeResult":
        """Minimise F by SciPy's BFGS from ``start`` (gradient tolerance 1e-9, at most 2,000 iterations).

        ``hess_inv0`` is an optional first inverse Hessian. Returns SciPy's result; ``x``
        holds the estimates.
        """
        options = {"gtol": 1e-9, "maxiter": 2000}
        if hess_inv0 is not None:
            options["hess_inv0"] = hess_inv0
        from scipy import optimize  # imported here: a listwise run never needs it (0.4 s)
        return optimize.minimize(self.value_and_gradient, start, jac=True, method="BFGS", options=options)

    def hessian(self, theta: np.ndarray) -> np.ndarray:
        """Numerical Hessian of F from the analytic gradient (central differences, symmetrised).

        ``(N / 2)`` times it is the observed information, whose inverse gives the FIML standard
        errors, as lavaan computes them for ``missing = "ml"``.
        """
        return numerical_hessian(lambda t: self.value_and_gradient(t)[1], theta)
