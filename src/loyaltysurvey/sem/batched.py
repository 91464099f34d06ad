"""Many ML fits at once: batched Fisher scoring for resampling.

Every array carries a leading batch axis ``b``: parameter vectors (b, q),
sample covariance matrices (b, p, p). One iteration assembles the RAM
matrices for all resamples, inverts ``I - A`` and the implied covariance
matrices in batches, builds the derivatives and the expected Hessians with
matrix products, and solves all the Fisher-scoring systems in one call.
Resamples start from the full-sample estimates (warm start), so a few
iterations suffice.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from .ram import RamModel
from .spd import spd_inverse

__all__ = ["BatchedML", "batched_bfgs"]


class BatchedML:
    """ML fits of one :class:`~loyaltysurvey.sem.ram.RamModel` to many covariance matrices at once.

    Used by the bootstrap (:mod:`loyaltysurvey.sem.bootstrap`) for every chunk of resamples.
    For an acyclic model ``(I - A)^-1`` is the finite sum ``I + A + ... + A^depth``, which
    replaces the inverse. Each resample's estimates equal a single fit by
    :func:`~loyaltysurvey.sem.estimate.fit_ml` to within the optimiser's tolerance, which
    tests/test_batched.py checks.

    >>> import numpy as np
    >>> from loyaltysurvey.datasets import hs_cfa
    >>> X, S, model = hs_cfa()
    >>> from loyaltysurvey.sem.estimate import fit_ml
    >>> sol = fit_ml(model, S)
    >>> theta, fmin, converged = BatchedML(model).fit(np.stack([S, S]), sol.theta, sol.information)
    >>> converged.tolist(), [round(float(f) * 301, 3) for f in fmin]
    ([True, True], [85.306, 85.306])
    """

    def __init__(self, model: RamModel) -> None:
        self.model = model
        self.n = model.n_vars
        self.p = model.n_obs_vars
        self.q = int(model.free.max()) + 1
        self.agg = model._aggregator()
        self.free_rows = model.free >= 0
        # An acyclic model has a nilpotent A: (I - A)^-1 = I + A + ... + A^depth, cheaper than inverting.
        pattern = np.zeros((self.n, self.n))
        sel = model.mat == 0
        pattern[model.row[sel], model.col[sel]] = 1.0
        self.depth = None
        power = np.eye(self.n)
        for k in range(1, self.n + 1):
            power = power @ pattern
            if not power.any():
                self.depth = k - 1
                break

    def matrices(self, theta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """A and S (each (b, n, n)) for the parameter vectors ``theta`` (b, q); no mean structure.

        Fixed rows take their fixed values (0 when none); ``S`` is filled symmetric.
        """
        m = self.model
        b = theta.shape[0]
        values = np.where(self.free_rows[None, :], theta[:, np.maximum(m.free, 0)],
                          np.nan_to_num(m.fixed_values)[None, :])
        A = np.zeros((b, self.n, self.n))
        S = np.zeros((b, self.n, self.n))
        sel = m.mat == 0
        A[:, m.row[sel], m.col[sel]] = values[:, sel]
        sel = m.mat == 1
        S[:, m.row[sel], m.col[sel]] = values[:, sel]
        S[:, m.col[sel], m.row[sel]] = values[:, sel]
        return A, S

    def implied(self, theta: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(Sigma_obs, Sigma_full, E) for every parameter vector, as :meth:`RamModel.implied` does for one.

        ``E = (I - A)^-1`` is the finite power sum for an acyclic model, an inverse otherwise;
        arrays carry the batch axis first.
        """
        A, S = self.matrices(theta)
        if self.depth is not None:
            E = np.eye(self.n)[None] + A
            power = A
            for _ in range(self.depth - 1):
                power = power @ A
                E = E + power
        else:
            E = np.linalg.inv(np.eye(self.n)[None] - A)
        full = E @ S @ np.swapaxes(E, 1, 2)
        return full[:, : self.p, : self.p], full, E

    def derivatives(self, E: np.ndarray, full: np.ndarray) -> np.ndarray:
        """dSigma_obs/dtheta for every resample: an array (b, q, p, p).

        From ``E = (I - A)^-1`` and ``Sigma_full`` of :meth:`implied`, with the formulas of
        :mod:`loyaltysurvey.sem.ram`.
        """
        m = self.model
        p = self.p
        Eo = E[:, :p]                                   # (b, p, n)
        rows_total = m.row.size
        per_row = np.zeros((E.shape[0], rows_total, p, p))
        a = m.mat == 0
        if a.any():
            left = np.swapaxes(Eo[:, :, m.row[a]], 1, 2)           # (b, nA, p)
            right = full[:, m.col[a], :p]                           # (b, nA, p)
            block = left[:, :, :, None] * right[:, :, None, :]
            per_row[:, a] = block + np.swapaxes(block, 2, 3)
        s_ = m.mat == 1
        if s_.any():
            left = np.swapaxes(Eo[:, :, m.row[s_]], 1, 2)
            right = np.swapaxes(Eo[:, :, m.col[s_]], 1, 2)
            block = left[:, :, :, None] * right[:, :, None, :]
            diag = (m.row[s_] == m.col[s_])[None, :, None, None]
            per_row[:, s_] = np.where(diag, block, block + np.swapaxes(block, 2, 3))
        b = E.shape[0]
        return (self.agg @ per_row.reshape(b, rows_total, -1)).reshape(b, self.q, p, p)

    def discrepancy(self, Sigma: np.ndarray, S: np.ndarray, logdet_S: np.ndarray) -> np.ndarray:
        """The ML discrepancy ``log|Sigma| + tr(S Sigma^-1) - log|S| - p`` per resample.

        Infinite for a resample whose ``Sigma`` is not positive definite; ``logdet_S`` holds
        each ``log|S|``. The same F as :func:`~loyaltysurvey.sem.estimate.ml_discrepancy`.
        """
        inv, logdet, ok = spd_inverse(Sigma)
        f = logdet + np.einsum("bij,bji->b", S, inv) - logdet_S - self.p
        return np.where(ok, f, np.inf)

    def gradient(self, W: np.ndarray, E: np.ndarray, full: np.ndarray) -> np.ndarray:
        """dF/dtheta for every resample from ``W = Sigma^-1 - Sigma^-1 S Sigma^-1``, without dSigma/dtheta.

        For an A cell (i, j), ``tr(W dSigma) = 2 (Eo' W full_o')[i, j]``; for an S cell,
        ``2 (Eo' W Eo)[i, j]`` off the diagonal and ``(Eo' W Eo)[i, i]`` on it.
        Rows sharing a free parameter are summed into it. Returns (b, q).
        """
        m = self.model
        p = self.p
        Eo = E[:, :p]
        EW = np.swapaxes(Eo, 1, 2) @ W                          # (b, n, p)
        per_row = np.zeros((E.shape[0], m.row.size))
        a = m.mat == 0
        if a.any():
            GA = EW @ np.swapaxes(full[:, :, :p], 1, 2)          # (b, n, n): [i, j] = Eo_i' W full_j
            per_row[:, a] = 2 * GA[:, m.row[a], m.col[a]]
        s_ = m.mat == 1
        if s_.any():
            GS = EW @ Eo                                         # (b, n, n)
            factor = np.where(m.row[s_] == m.col[s_], 1.0, 2.0)
            per_row[:, s_] = factor * GS[:, m.row[s_], m.col[s_]]
        return per_row @ self.agg.T

    def _grad_at(self, idx, theta, S, logdet_S):
        Sigma, full, E = self.implied(theta)
        inv, logdet, ok = spd_inverse(Sigma)
        Si = S[idx]
        invS = inv @ Si
        f = logdet + np.trace(invS, axis1=1, axis2=2) - logdet_S[idx] - self.p
        f = np.where(ok, f, np.inf)
        W = inv - invS @ inv
        return f, self.gradient(W, E, full)

    def fit(self, S: np.ndarray, start: np.ndarray, H0: np.ndarray, max_iter: int = 200, tol: float = 1e-7
            ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """ML estimates for each covariance matrix in ``S`` (b, p, p). Returns (theta, fmin, converged).

        Batched BFGS on F (:func:`batched_bfgs`) from the warm start, with the inverse of ``H0``
        (the expected Hessian at ``start``, exact for every resample there because the expected
        information depends on the parameters only) as the initial inverse Hessian, and the
        analytic gradient of :meth:`gradient`.
        """
        _, logdet_S = np.linalg.slogdet(S)
        theta = np.repeat(start[None, :], S.shape[0], axis=0)
        return batched_bfgs(lambda idx, t: self._grad_at(idx, t, S, logdet_S), theta, np.linalg.inv(H0),
                            max_iter, tol)


class _History:
    """The BFGS pairs (s, y, rho = 1 / y's) of every function, for the two-loop recursion.

    Row ``k`` holds function ``k``'s pairs in order, ``count[k]`` of them; unused slots are
    zero (``rho = 0``), so they change nothing and functions with fewer pairs share the loop.
    """

    def __init__(self, b: int, q: int) -> None:
        self.s = np.zeros((b, 16, q))
        self.y = np.zeros((b, 16, q))
        self.rho = np.zeros((b, 16))
        self.count = np.zeros(b, dtype=int)

    def direction(self, ids: np.ndarray, g: np.ndarray, hess_inv0: np.ndarray) -> np.ndarray:
        """``H g`` for the functions ``ids``: BFGS's inverse Hessian, from ``hess_inv0`` and their pairs."""
        m = int(self.count[ids].max()) if ids.size else 0
        S, Y, rho = self.s[ids, :m], self.y[ids, :m], self.rho[ids, :m]
        r = g.copy()
        alpha = np.zeros((ids.size, m))
        for j in range(m - 1, -1, -1):
            alpha[:, j] = rho[:, j] * np.einsum("kq,kq->k", S[:, j], r)
            r -= alpha[:, j, None] * Y[:, j]
        r = r @ hess_inv0.T
        for j in range(m):
            beta = rho[:, j] * np.einsum("kq,kq->k", Y[:, j], r)
            r += (alpha[:, j] - beta)[:, None] * S[:, j]
        return r

    def reset(self, ids: np.ndarray) -> None:
        self.s[ids], self.y[ids], self.rho[ids], self.count[ids] = 0.0, 0.0, 0.0, 0

    def add(self, ids: np.ndarray, s: np.ndarray, y: np.ndarray, rho: np.ndarray) -> None:
        if ids.size and self.count[ids].max() >= self.rho.shape[1]:
            grow = self.rho.shape[1]
            self.s = np.concatenate([self.s, np.zeros_like(self.s[:, :grow])], axis=1)
            self.y = np.concatenate([self.y, np.zeros_like(self.y[:, :grow])], axis=1)
            self.rho = np.concatenate([self.rho, np.zeros_like(self.rho)], axis=1)
        slot = self.count[ids]
        self.s[ids, slot], self.y[ids, slot], self.rho[ids, slot] = s, y, rho
        self.count[ids] += 1


def batched_bfgs(value_grad: Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]], theta: np.ndarray,
                 hess_inv0: np.ndarray, max_iter: int = 200, tol: float = 1e-7, f_rtol: float = 0.0
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Minimise ``b`` independent functions at once by BFGS; returns (theta, fmin, converged).

    ``value_grad(idx, theta_idx)`` gives the values (k,) and gradients (k, q) of the functions
    ``idx`` at the parameter vectors ``theta_idx`` (k, q); a value of ``inf`` marks an
    inadmissible point. ``theta`` (b, q) holds the starts and ``hess_inv0`` the first inverse
    Hessian of every function (also the metric a function returns to when its BFGS direction
    is not a descent direction).

    Each function follows its own BFGS path: the step ``-H g``, halved until Armijo's test
    ``f_new <= f + 1e-4 * scale * g'step (+ f_rtol * |f|)`` passes (at most 40 tries), then the
    BFGS update of ``H`` (pairs with ``y's <= 1e-16`` skipped). ``H g`` comes from the stored
    pairs by the two-loop recursion (Nocedal & Wright, 2006, algorithm 7.4, keeping every
    pair, which is BFGS itself), at ``O(pairs q)`` a step instead of ``O(q^2)``. A function stops
    converged when its largest gradient element is below ``tol`` or its value no longer changes,
    and not converged when no step decreases it or after ``max_iter`` steps. ``f_rtol`` allows
    for rounding in ``f`` (a value whose terms are large beside its changes near the optimum).
    The functions are evaluated together, each call holding every function's next point,
    whether a new step or a halved one, so the number of calls is that of the slowest function
    and not the sum of the slowest line searches; the path of a function, and so its result,
    does not depend on the others in the batch. Shared by :class:`BatchedML` and
    :class:`~loyaltysurvey.sem.batched_fiml.BatchedFIML`.

    >>> quad = lambda idx, t: (0.5 * np.sum((t - 1.0) ** 2 * [1.0, 4.0, 9.0], axis=1), (t - 1.0) * [1.0, 4.0, 9.0])
    >>> theta, f, ok = batched_bfgs(quad, np.array([[0.0, 0.0, 0.0], [3.0, -1.0, 2.0]]), np.eye(3))
    >>> theta.round(6).tolist(), ok.tolist()
    ([[1.0, 1.0, 1.0], [1.0, 1.0, 1.0]], [True, True])
    """
    theta = theta.copy()
    b, q = theta.shape
    history = _History(b, q)
    f, g = value_grad(np.arange(b), theta)
    f, g = np.array(f, dtype=float), np.array(g, dtype=float)
    active = np.isfinite(f)
    converged = np.zeros(b, dtype=bool)
    steps = np.zeros(b, dtype=int)
    tries = np.zeros(b, dtype=int)
    step = np.zeros((b, q))
    slope = np.zeros(b)
    scale = np.ones(b)
    cand = theta.copy()

    def new_steps(ids: np.ndarray) -> np.ndarray:
        """Test the functions ``ids`` for convergence and give the others their next step."""
        done = np.max(np.abs(g[ids]), axis=1) < tol
        converged[ids[done]] = True
        active[ids[done]] = False
        ids = ids[~done]
        spent = steps[ids] >= max_iter
        active[ids[spent]] = False
        ids = ids[~spent]
        if ids.size == 0:
            return ids
        steps[ids] += 1
        gi = g[ids]
        d = -history.direction(ids, gi, hess_inv0)
        sl = np.einsum("kq,kq->k", gi, d)
        bad = sl >= 0          # not a descent direction: back to the first metric
        if bad.any():
            history.reset(ids[bad])
            d[bad] = -gi[bad] @ hess_inv0.T
            sl[bad] = np.einsum("kq,kq->k", gi[bad], d[bad])
        step[ids], slope[ids], scale[ids], tries[ids] = d, sl, 1.0, 0
        cand[ids] = theta[ids] + d
        return ids

    pending = new_steps(np.nonzero(active)[0])
    while pending.size:
        f_new, g_new = value_grad(pending, cand[pending])
        f_old = f[pending]
        ok = np.isfinite(f_new) & (f_new <= f_old + 1e-4 * scale[pending] * slope[pending] + f_rtol * np.abs(f_old))
        moved = pending[ok]
        s_vec = cand[moved] - theta[moved]
        y_vec = g_new[ok] - g[moved]
        theta[moved] = cand[moved]
        f[moved] = f_new[ok]
        g[moved] = g_new[ok]
        sy = np.einsum("kq,kq->k", s_vec, y_vec)
        upd = sy > 1e-16
        history.add(moved[upd], s_vec[upd], y_vec[upd], 1.0 / sy[upd])
        tiny = np.abs(f_old[ok] - f_new[ok]) < 1e-15
        converged[moved[tiny]] = True
        active[moved[tiny]] = False
        failed = pending[~ok]
        tries[failed] += 1
        stuck = tries[failed] >= 40            # no step decreases it: not converged
        active[failed[stuck]] = False
        retry = failed[~stuck]
        scale[retry] /= 2
        cand[retry] = theta[retry] + scale[retry, None] * step[retry]
        pending = np.sort(np.concatenate([retry, new_steps(moved[~tiny])]))
    return theta, f, converged
