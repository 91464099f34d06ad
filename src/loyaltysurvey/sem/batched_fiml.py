"""Many FIML fits at once: resamples of incomplete data as frequency weights.

A bootstrap resample (or a leave-one-out sample) of the rows is a vector of
integer frequency weights ``w`` over the original rows: how often each row was
drawn, 0 when it was left out. The missing-data patterns therefore never
change, and a batch of resamples is fitted from fixed arrays and their weights:
the complete rows enter through their weighted count, sum and cross-products
(``n_c = sum w_i``, ``t_c = sum w_i y_i``, ``T_c = sum w_i y_i y_i'``, one matrix
product per batch), the incomplete rows and the pattern counts ``n_g`` through
their weights.

With ``K = Sigma^-1`` and, for a row with observed variables ``o``, missing
``m`` and ``z = y_o - mu_o``, the conditional mean of the missing part,
``yhat_m = -K[m, m]^-1 K[m, o] z`` (``= Sigma_mo Sigma_oo^-1 z``), completes the
row to ``u = (z, yhat_m)``; ``C = K[m, m]^-1`` is the conditional covariance of
the missing part. Then ``z' Sigma_oo^-1 z = u' K u`` and
``log|Sigma_oo| = log|Sigma| + log|K[m, m]|`` (the Schur complement), so

``-2 logL = sum_i w_i p_i log(2 pi) + n log|Sigma| + sum_g n_g log|K[m_g, m_g]| + tr(K S_u)``

with ``n = sum_i w_i`` and ``S_u = sum_i w_i u_i u_i'`` (a complete row has ``u = y - mu``): the
likelihood :class:`~loyaltysurvey.sem.fiml.Patterns` computes, with weights.
Its gradient with respect to ``Sigma`` and ``mu`` is the EM identity
(Dempster, Laird & Rubin, 1977)

``K (n Sigma - sum_g n_g P_g C_g P_g' - S_u) K``  and  ``-2 K sum_i w_i u_i``

(``P_g`` puts the missing variables of pattern ``g`` in place), mapped to the
parameters analytically (:meth:`~loyaltysurvey.sem.batched.BatchedML.gradient`
for the covariance part, ``dmu/dA_ij = E_.i (E m)_j`` and ``dmu/dm_i = E_.i``
for the means). A resample costs one ``p x p`` inverse and, per incomplete
pattern, one inverse of the size of its missing part; the rows enter through
matrix products.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .batched import BatchedML, batched_bfgs
from .spd import spd_inverse
from .fiml import Patterns
from .ram import RamModel

__all__ = ["BatchedFIML", "WeightedStatistics", "frequency_weights"]

LOG2PI = math.log(2 * math.pi)


def frequency_weights(indices: np.ndarray, n: int) -> np.ndarray:
    """Frequency weights (b, n) of ``b`` resamples given as row indices (b, m), 0-based.

    >>> frequency_weights(np.array([[0, 0, 2], [1, 2, 2]]), 3).tolist()
    [[2.0, 0.0, 1.0], [0.0, 1.0, 2.0]]
    """
    indices = np.asarray(indices)
    b = indices.shape[0]
    flat = (indices + n * np.arange(b)[:, None]).ravel()
    return np.bincount(flat, minlength=b * n).reshape(b, n).astype(float)


@dataclass(frozen=True)
class WeightedStatistics:
    """The weights of a batch of resamples as the FIML objective reads them (batch axis first).

    ``n`` (b, G) weighted count of each pattern; ``n_c`` (b,), ``t_c`` (b, p) and ``T_c``
    (b, p, p) weighted count, sum and cross-products of the complete rows; ``w`` (b, R) the
    weights of the incomplete rows; ``const`` = ``sum_i w_i p_i log(2 pi)``.
    """

    n: np.ndarray
    n_c: np.ndarray
    t_c: np.ndarray
    T_c: np.ndarray
    w: np.ndarray
    const: np.ndarray

    def take(self, idx: np.ndarray) -> "WeightedStatistics":
        """The statistics of the resamples ``idx`` only."""
        if idx.size == self.n.shape[0] and np.array_equal(idx, np.arange(idx.size)):
            return self
        return WeightedStatistics(self.n[idx], self.n_c[idx], self.t_c[idx], self.T_c[idx], self.w[idx],
                                  self.const[idx])


class BatchedFIML:
    """FIML fits of one :class:`~loyaltysurvey.sem.ram.RamModel` (with a mean structure) to many
    frequency-weighted versions of one incomplete data set at once.

    ``patterns`` is the full sample grouped by missing-data pattern; a weight vector gives how
    often each of its rows (``patterns.X``, in order) enters a resample. Used by the FIML
    bootstrap and jackknife (:mod:`loyaltysurvey.sem.fiml_bootstrap`). With unit weights the
    objective and its gradient equal :class:`~loyaltysurvey.sem.fiml.FimlObjective`'s, and the
    estimates of each resample equal lavaan 0.6.14's ``sem(..., missing = "ml")`` on that
    resample to 1e-4 (tests/test_fiml_bootstrap_reference.py, 20 fixed resamples).

    >>> import numpy as np
    >>> from loyaltysurvey.datasets import HS_MODEL, holzinger_swineford
    >>> from loyaltysurvey.sem import SEM
    >>> data = holzinger_swineford()
    >>> data.loc[::4, "x2"] = np.nan
    >>> fit = SEM(HS_MODEL).fit(data, missing="fiml")
    >>> model = RamModel.from_table(fit.table)
    >>> fiml = BatchedFIML(model, Patterns(data[list(fit.observed)].to_numpy(float)))
    >>> f, g = fiml.value_and_gradient(np.ones((1, fiml.N)), fit.theta[None])
    >>> round(float(-f[0] * fiml.N / 2), 3) == round(fit.measures["logl"], 3), bool(np.abs(g).max() < 1e-5)
    (True, True)
    """

    def __init__(self, model: RamModel, patterns: Patterns) -> None:
        self.model = model
        self.ml = BatchedML(model)
        self.N = patterns.n_total
        self.p = p = patterns.p
        self.p_obs = patterns.p_obs
        G = len(patterns)
        self.indicator = np.zeros((self.N, G))
        self.indicator[np.arange(self.N), patterns.row_pattern] = 1.0
        complete = patterns.mask.all(axis=1)[patterns.row_pattern]
        X = patterns.X[complete]
        self.complete_rows = np.nonzero(complete)[0]
        self.X_c = X
        self.XX_c = (X[:, :, None] * X[:, None, :]).reshape(X.shape[0], p * p)
        self.incomplete_rows = np.nonzero(~complete)[0]
        row_pattern = patterns.row_pattern[~complete]
        self.X_i = np.nan_to_num(patterns.X[~complete])                  # (R, p), missing set to 0
        self.mask_i = patterns.mask[row_pattern]                          # (R, p)
        # The incomplete patterns in groups by the size of their missing part (1-2, 3-4, 5-8, ...
        # variables), each padded to the largest with the dummy variable p: a zero column of K
        # and a unit diagonal entry of K[m, m] ("pad"), which change no result.
        n_missing = (p - self.p_obs).astype(int)
        bucket = np.ceil(np.log2(np.maximum(n_missing, 2))).astype(int)
        self.groups: list[dict[str, np.ndarray]] = []
        for level in sorted(set(bucket[n_missing > 0].tolist())):
            ids = np.nonzero((n_missing > 0) & (bucket == level))[0]
            width = int(n_missing[ids].max())
            midx = np.full((ids.size, width), p)
            for k, g in enumerate(ids):
                miss = np.nonzero(patterns.mask[g] == 0)[0]
                midx[k, :miss.size] = miss
            position = np.full(G, -1)
            position[ids] = np.arange(ids.size)
            rows = np.nonzero(np.isin(row_pattern, ids))[0]               # among the incomplete rows
            where = position[row_pattern[rows]]
            row_midx = midx[where]
            real_row, real_slot = np.nonzero(row_midx < p)                # the missing cells, no padding
            self.groups.append({
                "ids": ids, "midx": midx, "rows": rows, "where": where,
                "gather": np.minimum(row_midx, p - 1), "valid": (row_midx < p).astype(float),
                "cell_rows": rows[real_row], "cell_cols": row_midx[real_row, real_slot],
                "cell_pos": (real_row, real_slot),
                "cells": (midx[:, :, None] * (p + 1) + midx[:, None, :]).ravel(),   # cells of P C P'
                "pad": np.einsum("gi,ij->gij", (midx == p).astype(float), np.eye(width))})
        self.mean_sel = model.mat == 2
        self.a_sel = model.mat == 0

    def statistics(self, weights: np.ndarray) -> WeightedStatistics:
        """The statistics of the resamples with frequency ``weights`` (b, N)."""
        W = np.asarray(weights, dtype=float)
        b, p = W.shape[0], self.p
        Wc = W[:, self.complete_rows]
        n = W @ self.indicator
        return WeightedStatistics(n=n, n_c=Wc.sum(axis=1), t_c=Wc @ self.X_c,
                                  T_c=(Wc @ self.XX_c).reshape(b, p, p), w=W[:, self.incomplete_rows],
                                  const=LOG2PI * (n @ self.p_obs))

    def _means(self, theta: np.ndarray, E: np.ndarray) -> np.ndarray:
        """E m for every parameter vector: the implied means of all variables (b, n)."""
        m = self.model
        values = np.where(m.free[None, self.mean_sel] >= 0, theta[:, np.maximum(m.free[self.mean_sel], 0)],
                          np.nan_to_num(m.fixed_values[self.mean_sel])[None, :])
        vec = np.zeros((theta.shape[0], m.n_vars))
        vec[:, m.row[self.mean_sel]] = values
        return np.einsum("bij,bj->bi", E, vec)

    def _completed(self, st: WeightedStatistics, K: np.ndarray, mu: np.ndarray, ok: np.ndarray
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """The incomplete rows' part: (sum_g n_g log|K_mm|, sum_g n_g P C P', S_u, sum_i w_i u_i).

        Updates ``ok`` where a ``K[m, m]`` is not positive definite.
        """
        k, p = K.shape[0], self.p
        U = self.X_i[None] - mu[:, None, :] * self.mask_i                # y_o - mu_o, 0 where missing
        KZ = U @ K                                                          # K[:, o] z
        Kp = np.zeros((k, p + 1, p + 1))
        Kp[:, :p, :p] = K
        logdet = np.zeros(k)
        PCP = np.zeros(k * (p + 1) ** 2)
        offsets = (np.arange(k) * (p + 1) ** 2)[:, None]
        for grp in self.groups:
            midx, ids = grp["midx"], grp["ids"]
            C, logdet_m, ok_m = spd_inverse(Kp[:, midx[:, :, None], midx[:, None, :]] + grp["pad"])
            ok &= ok_m.all(axis=1)
            logdet += (st.n[:, ids] * logdet_m).sum(axis=1)
            a = KZ[:, grp["rows"][:, None], grp["gather"]] * grp["valid"]       # K[m, o] z, (k, R_r, r)
            yhat = -(C[:, grp["where"]] * a[:, :, None, :]).sum(axis=3)      # the conditional means
            U[:, grp["cell_rows"], grp["cell_cols"]] = yhat[:, grp["cell_pos"][0], grp["cell_pos"][1]]
            weighted = C * st.n[:, ids, None, None]
            PCP += np.bincount((grp["cells"][None, :] + offsets).ravel(), weights=weighted.ravel(),
                               minlength=PCP.size)
        Uw = U * st.w[:, :, None]
        return (logdet, PCP.reshape(k, p + 1, p + 1)[:, :p, :p], np.swapaxes(Uw, 1, 2) @ U, Uw.sum(axis=1))

    def _objective(self, st: WeightedStatistics, theta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """F = -2 logL / N and dF/dtheta for the resamples of ``st`` at ``theta`` (k, q)."""
        p, N = self.p, self.N
        k = theta.shape[0]
        Sigma, full, E = self.ml.implied(theta)
        mean_full = self._means(theta, E)
        mu = mean_full[:, :p]
        K, logdet, ok = spd_inverse(Sigma)
        cross = st.t_c[:, :, None] * mu[:, None, :]
        S_u = st.T_c - cross - np.swapaxes(cross, 1, 2) + st.n_c[:, None, None] * (mu[:, :, None] * mu[:, None, :])
        sum_u = st.t_c - st.n_c[:, None] * mu
        n_rows = st.n.sum(axis=1)                               # N, or N - 1 for a leave-one-out sample
        total = st.const + n_rows * logdet
        expected = n_rows[:, None, None] * Sigma                # n Sigma - sum_g n_g P_g C_g P_g'
        if self.groups:
            logdet_m, PCP, S_i, sum_i = self._completed(st, K, mu, ok)
            total += logdet_m
            expected = expected - PCP
            S_u = S_u + S_i
            sum_u = sum_u + sum_i
        total += np.einsum("kij,kji->k", K, S_u)
        grad_sigma = K @ (expected - S_u) @ K
        grad_sigma = (grad_sigma + np.swapaxes(grad_sigma, 1, 2)) / 2
        h = -2 * (K @ sum_u[:, :, None])[:, :, 0]
        grad = self.ml.gradient(grad_sigma, E, full)
        m = self.model
        Eh = (np.swapaxes(E[:, :p], 1, 2) @ h[:, :, None])[:, :, 0]             # E_o' h
        per_row = np.zeros((k, m.row.size))
        per_row[:, self.a_sel] = Eh[:, m.row[self.a_sel]] * mean_full[:, m.col[self.a_sel]]
        per_row[:, self.mean_sel] = Eh[:, m.row[self.mean_sel]]
        grad = grad + per_row @ self.ml.agg.T
        f = np.where(ok, total / N, np.inf)
        return f, grad / N

    def value_and_gradient(self, weights: np.ndarray, theta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """F = -2 logL / N and its gradient for each resample (weights (b, N)) at ``theta`` (b, q).

        ``N`` is the number of rows of the full sample (a bootstrap resample has as many, a
        leave-one-out sample one less); ``inf`` where the implied covariance matrix is not
        positive definite.
        """
        return self._objective(self.statistics(weights), np.atleast_2d(theta))

    def fit(self, weights: np.ndarray, start: np.ndarray, H0: np.ndarray, max_iter: int = 200,
            tol: float = 1e-7) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """FIML estimates for each resample (weights (b, N)). Returns (theta, fmin, converged).

        Batched BFGS (:func:`~loyaltysurvey.sem.batched.batched_bfgs`) from the warm start
        ``start`` (the full-sample estimates), with the inverse of ``H0`` (the Hessian of F
        there) as the first inverse Hessian, stopping when the largest gradient element of F
        is below ``tol``. F sums terms of the order of ``p log|Sigma|`` whose rounding (about
        1e-15 of F) can exceed the decrease left near the optimum, so the line search allows
        ``1e-13 |F|`` for it.
        """
        st = self.statistics(weights)
        theta = np.repeat(np.asarray(start, dtype=float)[None, :], st.n.shape[0], axis=0)
        return batched_bfgs(lambda idx, t: self._objective(st.take(idx), t), theta, np.linalg.inv(H0),
                            max_iter, tol, f_rtol=1e-13)
