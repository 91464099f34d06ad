"""The model in RAM form: implied moments and their derivatives.

All variables (observed first, then latent) form ``v = A v + u`` with
``Cov(u) = S`` and ``E(u) = m``. With ``E = (I - A)^-1`` the implied moments of
the observed variables are ``Sigma = F E S E' F'`` and ``mu = F E m``. This one
formulation covers CFA, full SEM, observed variables in regressions, and
second-order factors.

``RamModel.derivatives`` gives ``dSigma/dtheta`` and ``dmu/dtheta`` for every
free parameter analytically:
``dE/dA_ij = E e_i e_j' E``, so ``dSigma_full/dA_ij = E_.i (Sigma_full)_j. + transpose``
and ``dSigma_full/dS_ij = E_.i E_.j' + E_.j E_.i'``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .partable import ParTable

__all__ = ["RamModel"]


@dataclass
class RamModel:
    """Index arrays that put a parameter vector into the A, S and m matrices.

    One entry per parameter-table row: ``mat`` (0 = A, 1 = S, 2 = m), the cell ``row`` and
    ``col``, the 0-based free index ``free`` (-1 for a fixed row) and ``fixed_values``.
    ``names`` lists the observed variables, then the latent ones; ``n_obs_vars`` counts
    the observed. A loading ``F =~ x`` and a regression ``y ~ x`` are cells of ``A`` (the
    row is the dependent variable), ``~~`` rows cells of ``S`` and ``~1`` rows of ``m``.
    The implied moments are checked against lavaan 0.6.14 through ``SEM.fit`` in
    tests/test_sem_reference.py.

    References: McArdle & McDonald (1984).

    >>> import numpy as np
    >>> from loyaltysurvey.datasets import hs_cfa
    >>> X, S, model = hs_cfa()
    >>> model.n_vars, model.n_obs_vars, model.names[-3:]
    (12, 9, ('visual', 'textual', 'speed'))
    """

    table: ParTable
    names: tuple[str, ...]
    n_obs_vars: int
    # per parameter-table row: matrix code (0 = A, 1 = S, 2 = m), row, col, free index (-1 fixed)
    mat: np.ndarray
    row: np.ndarray
    col: np.ndarray
    free: np.ndarray
    fixed_values: np.ndarray

    @classmethod
    def from_table(cls, table: ParTable) -> "RamModel":
        """The RAM index arrays of a :class:`~loyaltysurvey.sem.partable.ParTable`.

        >>> from loyaltysurvey.sem.partable import build_partable
        >>> RamModel.from_table(build_partable("F =~ x1 + x2 + x3")).mat.tolist()
        [0, 0, 0, 1, 1, 1, 1]
        """
        names = table.observed + table.latent
        index = {n: i for i, n in enumerate(names)}
        mat, row, col, free, fixed = [], [], [], [], []
        for p in table.params:
            if p.op == "=~":
                m, r, c = 0, index[p.rhs], index[p.lhs]
            elif p.op == "~":
                m, r, c = 0, index[p.lhs], index[p.rhs]
            elif p.op == "~~":
                m, r, c = 1, index[p.lhs], index[p.rhs]
            elif p.op == "~1":
                m, r, c = 2, index[p.lhs], 0
            else:  # pragma: no cover - the table holds only these
                raise ValueError(p.op)
            mat.append(m)
            row.append(r)
            col.append(c)
            free.append(p.free - 1)
            fixed.append(np.nan if p.value is None else p.value)
        return cls(table, names, len(table.observed), np.array(mat), np.array(row), np.array(col),
                   np.array(free), np.array(fixed, dtype=float))

    @property
    def n_vars(self) -> int:
        """The number of variables, observed and latent (the order of A and S).

        >>> from loyaltysurvey.sem.partable import build_partable
        >>> RamModel.from_table(build_partable("F =~ x1 + x2 + x3")).n_vars
        4
        """
        return len(self.names)

    def matrices(self, theta: np.ndarray, fixed_override: np.ndarray | None = None
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """A, S, m for the parameter vector ``theta`` (fixed rows take their values).

        ``fixed_override`` replaces the fixed values (e.g. fixed.x covariances at their
        sample values); a fixed row without a value counts as 0. ``S`` is filled symmetric.
        """
        n = self.n_vars
        A = np.zeros((n, n))
        S = np.zeros((n, n))
        m = np.zeros(n)
        fixed = self.fixed_values if fixed_override is None else fixed_override
        values = np.where(self.free >= 0, theta[np.maximum(self.free, 0)], fixed)
        values = np.nan_to_num(values)
        for code, target in ((0, A), (1, S)):
            sel = self.mat == code
            target[self.row[sel], self.col[sel]] = values[sel]
        sel = self.mat == 1
        S[self.col[sel], self.row[sel]] = values[sel]
        sel = self.mat == 2
        m[self.row[sel]] = values[sel]
        return A, S, m

    def row_values(self, theta: np.ndarray) -> np.ndarray:
        """The value of every parameter-table row: ``theta`` for free rows, the fixed value otherwise.

        Rows that share a free parameter (a shared label) get the same value.
        """
        return np.where(self.free >= 0, theta[np.maximum(self.free, 0)], self.fixed_values)

    def implied(self, theta: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(Sigma_obs, mu_obs, Sigma_full, E).

        ``E = (I - A)^-1``, ``Sigma_full = E S E'`` over all variables and
        ``Sigma_obs``/``mu_obs = (E m)`` its observed block, by definition of the RAM form.

        >>> import numpy as np
        >>> from loyaltysurvey.datasets import hs_cfa
        >>> X, S, model = hs_cfa()
        >>> from loyaltysurvey.sem.estimate import fit_ml
        >>> Sigma, mu, full, E = model.implied(fit_ml(model, S).theta)
        >>> Sigma.shape, full.shape, round(float(Sigma[0, 0]), 3), round(float(S[0, 0]), 3)
        ((9, 9), (12, 12), 1.358, 1.358)
        """
        A, S, m = self.matrices(theta)
        E = np.linalg.inv(np.eye(self.n_vars) - A)
        full = E @ S @ E.T
        p = self.n_obs_vars
        return full[:p, :p], (E @ m)[:p], full, E

    def _aggregator(self) -> np.ndarray:
        """(q, rows) 0/1 matrix summing parameter-table rows into free parameters."""
        if getattr(self, "_agg", None) is None:
            q = int(self.free.max()) + 1 if (self.free >= 0).any() else 0
            agg = np.zeros((q, self.free.size))
            sel = self.free >= 0
            agg[self.free[sel], np.nonzero(sel)[0]] = 1.0
            self._agg = agg
        return self._agg

    def derivatives(self, theta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """dSigma_obs/dtheta (q, p, p) and dmu_obs/dtheta (q, p), all rows at once.

        Analytic, from the formulas in the module's description; rows sharing a free
        parameter are summed into it. Used by :func:`~loyaltysurvey.sem.estimate.fit_ml` for
        the gradient and the expected information.
        """
        A, S, m = self.matrices(theta)
        n, p = self.n_vars, self.n_obs_vars
        E = np.linalg.inv(np.eye(n) - A)
        full = E @ S @ E.T
        mean_full = E @ m
        Eo = E[:p]
        rows, cols, code = self.row, self.col, self.mat
        per_row = np.zeros((rows.size, p, p))
        per_mean = np.zeros((rows.size, p))
        a = code == 0
        if a.any():
            block = Eo[:, rows[a]].T[:, :, None] * full[cols[a], :p][:, None, :]
            per_row[a] = block + np.swapaxes(block, 1, 2)
            per_mean[a] = Eo[:, rows[a]].T * mean_full[cols[a]][:, None]
        s_ = code == 1
        if s_.any():
            block = Eo[:, rows[s_]].T[:, :, None] * Eo[:, cols[s_]].T[:, None, :]
            diag = (rows[s_] == cols[s_])[:, None, None]
            per_row[s_] = np.where(diag, block, block + np.swapaxes(block, 1, 2))
        mm = code == 2
        if mm.any():
            per_mean[mm] = Eo[:, rows[mm]].T
        agg = self._aggregator()
        dS = (agg @ per_row.reshape(rows.size, -1)).reshape(-1, p, p)
        dm = agg @ per_mean
        return dS, dm
