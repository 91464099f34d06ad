"""Multigroup CFA/SEM with lavaan's ML and ``group.equal``/``group.partial``.

``MultiGroupSEM(model, group_equal=("loadings",)).fit(frame, group="school")`` fits the same
lavaan model in every group, as ``lavaan::cfa(model, data, group = "school", group.equal =
"loadings")`` does, and returns a :class:`MultiGroupFit`.

What lavaan 0.6 does, and this module does (read in ``lav_partable_flat.R``,
``lav_model_objective.R``, ``lav_fit_rmsea.R``; checked against lavaan 0.6.14 in
tests/test_invariance_reference.py):

* every group has its own parameter table with a mean structure: observed intercepts free,
  latent means fixed to 0; the marker loading of every factor is fixed to 1 in every group;
* ``group_equal`` makes the parameters of a type equal across groups: ``loadings`` (``=~``),
  ``intercepts`` (observed ``~1``), ``means`` (latent ``~1``), ``residuals`` (observed
  variances), ``residual.covariances``, ``lv.variances``, ``lv.covariances``,
  ``regressions`` (``~``); ``group_partial`` names parameters (``"visual=~x2"``, ``"x3~1"``,
  ``"x1~~x1"``) left free across groups; with ``intercepts`` equal (and ``means`` not) the
  latent means are free in the groups after the first; a label written in the model names
  one parameter shared by all groups (lavaan's rule);
* the discrepancy is ``F = sum_g (n_g / N) F_g`` with each group's ML discrepancy ``F_g``
  (mean structure, covariance divisor ``n_g``), minimised by Fisher scoring over one stacked
  vector of free parameters; ``chisq = N F = sum_g n_g F_g``;
* the baseline model has free means and variances in every group; the degrees of freedom
  count every group's moments; ``rmsea = sqrt(max(T / (N df) - 1 / N, 0)) sqrt(G)`` and its
  interval likewise times ``sqrt(G)``; ``srmr`` and ``rmr`` (mean residuals included, as
  lavaan with a mean structure) are the groups' values weighted by ``n_g / N``; ``logl`` is
  the sum over groups and ``aic``/``bic`` use the free parameters after equality constraints.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Any, Sequence

import numpy as np
import pandas as pd

from ..distributions import chi2_sf, norm_ppf, norm_sf
from ..errors import DataError, ModelError, Notice
from .estimate import _expected_hessian, ml_discrepancy, start_values
from .fiml import FimlObjective, Patterns, em_saturated
from .fit import (covariates_loglik, gfi, gfi_missing, incremental, normal_loglik, parsimony_indices, rmr, rmsea,
                  rmsea_ci, srmr_bentler)
from .identification import check_identification, sample_moments
from .partable import ParTable, build_partable
from .ram import RamModel
from .robust import _info_vech, _vech_outer, numerical_hessian, vech_indices
from .standardized import standardized_values

__all__ = ["EQUAL_TYPES", "GROUP_ESTIMATE_COLUMNS", "MultiGroupSEM", "MultiGroupFit", "parameter_type",
           "satorra_bentler_2001", "chisq_difference"]

EQUAL_TYPES = ("loadings", "intercepts", "means", "residuals", "residual.covariances", "lv.variances",
               "lv.covariances", "regressions")
GROUP_ESTIMATE_COLUMNS = ["group", "lhs", "op", "rhs", "label", "est", "se", "z", "pvalue", "ci_lower",
                          "ci_upper", "std_all"]
Z975 = norm_ppf(0.975)


def _block_diagonal(blocks: Sequence[np.ndarray]) -> np.ndarray:
    """The matrices of ``blocks`` on the diagonal of one matrix (zeros elsewhere)."""
    out = np.zeros((sum(b.shape[0] for b in blocks), sum(b.shape[1] for b in blocks)))
    i = j = 0
    for b in blocks:
        out[i:i + b.shape[0], j:j + b.shape[1]] = b
        i, j = i + b.shape[0], j + b.shape[1]
    return out


def parameter_type(lhs: str, op: str, rhs: str, observed: Sequence[str]) -> str:
    """lavaan's ``group.equal`` type of a parameter-table row.

    >>> parameter_type("visual", "=~", "x2", ["x1", "x2"])
    'loadings'
    >>> parameter_type("x1", "~1", "", ["x1"]), parameter_type("F", "~1", "", ["x1"])
    ('intercepts', 'means')
    >>> parameter_type("x1", "~~", "x1", ["x1"]), parameter_type("F", "~~", "G", ["x1"])
    ('residuals', 'lv.covariances')
    """
    obs = set(observed)
    if op == "=~":
        return "loadings"
    if op == "~":
        return "regressions"
    if op == "~1":
        return "intercepts" if lhs in obs else "means"
    if op == "~~":
        both_obs = lhs in obs and rhs in obs
        if lhs == rhs:
            return "residuals" if both_obs else "lv.variances"
        return "residual.covariances" if both_obs else "lv.covariances"
    return "other"


def _partial_keys(partial: Sequence[str]) -> set[tuple[str, str, str]]:
    """``"F=~x2"``, ``"x3~1"``, ``"x1~~x2"`` as parameter-table keys (``~~`` in both orders)."""
    keys = set()
    for text in partial:
        t = "".join(str(text).split())
        for op in ("=~", "~~", "~1", "~"):
            if op in t:
                lhs, rhs = t.split(op, 1)
                if op == "~1" and rhs == "":
                    keys.add((lhs, "~1", ""))
                elif op == "~~":
                    keys.add((lhs, op, rhs))
                    keys.add((rhs, op, lhs))
                else:
                    keys.add((lhs, op, rhs))
                break
        else:
            raise ModelError(f"group_partial '{text}' is not a parameter; write it as lavaan does, "
                             "e.g. 'F=~x2', 'x3~1' or 'x1~~x1'")
    return keys


def chisq_difference(t0: float, df0: float, t1: float, df1: float) -> dict[str, float]:
    """The plain likelihood-ratio (chi-square difference) test of nested ML models, lavaan's ``lavTestLRT``.

    Model 0 is the more restricted one (more df). Returns ``chisq``, ``df`` and ``pvalue``.

    >>> out = chisq_difference(124.04354, 54, 115.85134, 48)  # HS metric vs configural, lavaan 8.1922
    >>> round(out["chisq"], 4), out["df"], round(out["pvalue"], 4)
    (8.1922, 6.0, 0.2244)
    """
    d, ddf = t0 - t1, float(df0 - df1)
    return {"chisq": float(d), "df": ddf, "pvalue": float(chi2_sf(max(d, 0.0), ddf)) if ddf > 0 else float("nan")}


def satorra_bentler_2001(t0: float, df0: float, c0: float, t1: float, df1: float, c1: float) -> dict[str, float]:
    """Satorra & Bentler's (2001) scaled chi-square difference, lavaan's ``lavTestLRT`` default under MLR.

    ``t0, t1`` are the unscaled ML chi-squares, ``c0, c1`` the scaling factors of the
    restricted (0) and the freer (1) model: ``cd = (df0 c0 - df1 c1) / (df0 - df1)`` and
    ``T_d = (t0 - t1) / cd`` on ``df0 - df1`` degrees of freedom.

    References: Satorra & Bentler (2001).
    """
    ddf = float(df0 - df1)
    cd = (df0 * c0 - df1 * c1) / ddf
    d = (t0 - t1) / cd
    return {"chisq": float(d), "df": ddf, "pvalue": float(chi2_sf(max(d, 0.0), ddf)), "scaling_factor": float(cd)}


@dataclass(frozen=True)
class MultiGroupFit:
    """An estimated multigroup model (immutable), as ``lavaan::cfa(..., group = )`` returns it.

    ``groups`` are the group values in lavaan's order (first appearance in the data), ``nobs``
    the respondents used per group, ``params`` the estimates with a ``group`` column (1-based
    as lavaan's ``parameterEstimates()``; ``group_value`` holds the value), ``measures`` the fit
    measures under the project's names, ``group_measures`` each group's own chi-square share.
    """

    group_column: str
    groups: tuple[Any, ...]
    nobs: tuple[int, ...]
    group_equal: tuple[str, ...]
    group_partial: tuple[str, ...]
    estimator: str
    theta: np.ndarray
    vcov: np.ndarray
    params: pd.DataFrame
    measures: dict[str, float]
    group_chisq: tuple[float, ...]
    converged: bool
    iterations: int
    notices: tuple[Notice, ...] = ()
    robust: dict[str, float] = field(default_factory=dict)

    def estimates(self) -> pd.DataFrame:
        """``parameterEstimates()``: one row per parameter and group (columns of ``GROUP_ESTIMATE_COLUMNS``
        plus ``group_value``)."""
        return self.params.drop(columns=["free"])

    def wald_equal(self, lhs: str, op: str, rhs: str) -> dict[str, float]:
        """Wald test that a parameter is equal in every group (lavaan's ``lavTestWald``).

        With ``b`` the group estimates and ``V`` their covariance, ``C b = 0`` with ``C`` the
        successive differences; ``W = (C b)' (C V C')^-1 (C b)`` on ``G - 1`` df.
        """
        rows = self.params[(self.params.lhs == lhs) & (self.params.op == op) & (self.params.rhs == rhs)]
        idx = rows.free.to_numpy() - 1
        if len(rows) != len(self.groups) or (idx < 0).any():
            raise ModelError(f"'{lhs} {op} {rhs}' is not a free parameter in every group")
        b = self.theta[idx]
        V = self.vcov[np.ix_(idx, idx)]
        C = np.zeros((len(idx) - 1, len(idx)))
        for k in range(len(idx) - 1):
            C[k, k], C[k, k + 1] = 1.0, -1.0
        d = C @ b
        if len(set(idx.tolist())) < len(idx):  # already one parameter in every group
            return {"chisq": float("nan"), "df": float(len(idx) - 1), "pvalue": float("nan")}
        try:
            W = float(d @ np.linalg.solve(C @ V @ C.T, d))
        except np.linalg.LinAlgError:
            W = float("nan")
        df = float(len(idx) - 1)
        return {"chisq": W, "df": df, "pvalue": float(chi2_sf(W, df)) if math.isfinite(W) else float("nan")}

    def fit_measures(self, keys: Sequence[str] | None = None) -> pd.Series:
        series = pd.Series(self.measures, dtype=float)
        return series if keys is None else series[list(keys)]

    def group_estimates(self, value: Any) -> pd.DataFrame:
        """The estimates of one group (by its value), with the single-group columns."""
        rows = self.params[self.params.group_value.astype(str) == str(value)]
        return rows.drop(columns=["group", "group_value"]).reset_index(drop=True)

    def to_json(self) -> dict[str, Any]:
        def clean(v):
            return None if isinstance(v, float) and not math.isfinite(v) else v
        return {"group": self.group_column, "groups": [str(g) for g in self.groups],
                "nobs": {str(g): n for g, n in zip(self.groups, self.nobs)},
                "group_equal": list(self.group_equal), "group_partial": list(self.group_partial),
                "fit": {k: clean(v) for k, v in self.measures.items()},
                "estimates": [{k: clean(v) for k, v in r.items()}
                              for r in self.estimates().to_dict(orient="records")],
                "converged": self.converged, "notes": [n.to_json() for n in self.notices]}


@dataclass
class _Group:
    value: Any
    X: np.ndarray
    n: int
    S: np.ndarray
    ybar: np.ndarray
    logdet_S: float
    model: RamModel
    index: np.ndarray  # global index of each local free parameter
    patterns: Any = None  # FIML: the group's missing-data patterns
    logl_h1: float = float("nan")  # FIML: the saturated log-likelihood (EM)


class MultiGroupSEM:
    """A lavaan model fitted in several groups at once, with equality constraints across groups.

    Parameters
    ----------
    model:
        lavaan syntax (``=~``, ``~``, ``~~``, labels, fixed values; a label is one parameter
        shared by all groups).
    group_equal:
        lavaan's ``group.equal`` types (see :data:`EQUAL_TYPES`).
    group_partial:
        lavaan's ``group.partial``: parameters exempted from ``group_equal``.
    equal_params:
        single parameters (written as in ``group_partial``) constrained equal across groups, as a
        shared label in every group would (``"speed~visual"``).
    shared_labels:
        True (lavaan's rule): a label names one parameter in all groups, so labelled parameters are
        equal across groups. False: a label names a parameter within each group (rows sharing it
        are still equal inside a group), for models whose labels only name hypotheses.

    >>> from loyaltysurvey.datasets import HS_MODEL, holzinger_swineford
    >>> fit = MultiGroupSEM(HS_MODEL, group_equal=("loadings",)).fit(holzinger_swineford(), group="school")
    >>> round(fit.measures["chisq"], 3), fit.measures["df"]  # lavaan 0.6.14: 124.044 on 54
    (124.044, 54.0)
    """

    def __init__(self, model: str, group_equal: Sequence[str] = (), group_partial: Sequence[str] = (),
                 equal_params: Sequence[str] = (), shared_labels: bool = True) -> None:
        self.model = model
        unknown = [t for t in group_equal if t not in EQUAL_TYPES]
        if unknown:
            raise ModelError(f"group_equal '{unknown[0]}' is not a lavaan group.equal type; use one of "
                             + ", ".join(EQUAL_TYPES))
        self.group_equal = tuple(group_equal)
        self.group_partial = tuple(group_partial)
        self._partial = _partial_keys(group_partial)
        self.shared_labels = shared_labels
        self.equal_params = tuple(equal_params)
        self._equal_extra = _partial_keys(equal_params)
        self.table = build_partable(model, meanstructure=True)
        check_identification(build_partable(model))

    # -- the parameter tables ------------------------------------------------------------
    def _group_table(self, g: int, S: np.ndarray, ybar: np.ndarray | None = None) -> ParTable:
        """Group g's table: latent means free after the first group when intercepts are equal."""
        free_means = g > 0 and "intercepts" in self.group_equal and "means" not in self.group_equal
        params = []
        index = {n: i for i, n in enumerate(self.table.observed)}
        counter = 0
        by_free: dict[Any, int] = {}
        for r, p in enumerate(self.table.params):
            key: int | tuple = p.free
            if free_means and p.op == "~1" and p.lhs in self.table.latent and not p.free and not p.user:
                p = replace(p, free=1, value=None)
                key = ("mean", r)
            if p.exo and p.op == "~~":
                p = replace(p, value=float(S[index[p.lhs], index[p.rhs]]))
            elif p.exo and p.op == "~1" and ybar is not None:  # fixed.x: the group's own covariate means
                p = replace(p, value=float(ybar[index[p.lhs]]))
            if p.free:
                if key not in by_free:
                    counter += 1
                    by_free[key] = counter
                p = replace(p, free=by_free[key])
            params.append(p)
        return replace(self.table, params=tuple(params))

    def _global_key(self, g: int, table: ParTable, p) -> tuple:
        if p.label and self.shared_labels:
            return ("label", p.label)
        kind = parameter_type(p.lhs, p.op, p.rhs, table.observed)
        key = (p.lhs, p.op, p.rhs)
        if (kind in self.group_equal and key not in self._partial) or key in self._equal_extra:
            return ("equal",) + key
        return ("group", g, p.free)

    # -- data ----------------------------------------------------------------------------
    def _split(self, data: pd.DataFrame, group: str, fiml: bool = False
               ) -> tuple[list[Any], list[np.ndarray], list[Notice]]:
        if group not in data.columns:
            raise DataError(f"the group column '{group}' is not a column of the data")
        names = list(self.table.observed)
        absent = [n for n in names if n not in data.columns]
        if absent:
            raise DataError(f"the model uses '{absent[0]}', which is not a column of the data")
        notices: list[Notice] = []
        labels = data[group]
        missing = int(labels.isna().sum())
        if missing:
            notices.append(Notice("group_missing", f"{missing} respondents have no value in the group column "
                                  f"'{group}' and are left out of the group comparison", group,
                                  {"column": group, "n": missing}))
        values = list(pd.unique(labels.dropna()))
        if len(values) < 2:
            raise DataError(f"the group column '{group}' has {len(values)} value(s); a group comparison "
                            "needs at least two groups")
        frames = []
        p = len(names)
        for v in values:
            sub = data.loc[labels == v, names].astype(float)
            X = (sub.dropna(how="all") if fiml else sub.dropna()).to_numpy()
            if X.shape[0] <= p:
                kind = "respondents with an answer" if fiml else "complete respondents"
                raise DataError(f"group '{v}' of '{group}' has {X.shape[0]} {kind} for {p} "
                                "observed variables; every group needs more respondents than variables "
                                "(merge small groups, or leave them out)")
            frames.append(X)
        return values, frames, notices

    # -- fitting -------------------------------------------------------------------------
    def fit(self, data: pd.DataFrame, *, group: str, missing: str = "listwise", estimator: str = "ML",
            max_iter: int = 1000, tol: float = 1e-9, start: MultiGroupFit | None = None) -> MultiGroupFit:
        """Fit the model in every group of the column ``group`` (listwise deletion within groups).

        ``estimator`` is ``"ML"`` or ``"MLR"`` (Huber-White standard errors and the
        Yuan-Bentler scaled chi-square, lavaan's ``yuan.bentler.mplus``). ``missing="fiml"`` is
        full-information ML in every group (lavaan ``missing = "ml"``: rows with no answer are
        dropped, the saturated model by EM per group, observed-information standard errors, the
        baseline from each variable's observed values); with ``"MLR"`` it has robust standard
        errors, the Yuan-Bentler scaled test and Zhang & Savalei's FIML-corrected robust CFI,
        TLI and RMSEA, summed over the groups (:meth:`_robust_fiml`). ``start`` (a fit of
        the same model on the same data, e.g. the previous invariance level) gives the start values;
        parameters made equal start at the mean of their group values.
        """
        if estimator not in ("ML", "MLR"):
            raise ModelError(f"estimator '{estimator}' is not available; use ML or MLR")
        if missing not in ("listwise", "fiml", "ml"):
            raise ModelError(f"missing = '{missing}' is not available for a multigroup model; use listwise or fiml")
        fiml = missing in ("fiml", "ml")
        values, frames, notices = self._split(data, group, fiml)
        groups: list[_Group] = []
        keys: dict[tuple, int] = {}
        for g, (v, X) in enumerate(zip(values, frames)):
            n = X.shape[0]
            patterns, logl_h1 = None, float("nan")
            if fiml:
                patterns = Patterns(X)
                ybar, S, _ = em_saturated(patterns)
                logl_h1 = patterns.loglik(S, ybar)
            else:
                ybar = X.mean(axis=0)
                S = np.cov(X.T, ddof=0)
            sign, logdet = np.linalg.slogdet(S)
            eig = np.linalg.eigvalsh(S)
            if sign <= 0 or eig[0] <= 1e-10 * eig[-1]:
                raise DataError(f"in group '{v}' of '{group}' the covariance matrix of the model's items is not "
                                "positive definite (an item is constant in that group, or items are exact "
                                "combinations of others)")
            table = self._group_table(g, S, ybar)
            model = RamModel.from_table(table)
            index = np.zeros(table.n_free, dtype=int)
            for p in table.free_params():
                key = self._global_key(g, table, p)
                index[p.free - 1] = keys.setdefault(key, len(keys))
            groups.append(_Group(v, X, n, S, ybar, logdet, model, index, patterns, logl_h1))
        N = sum(gr.n for gr in groups)
        q = len(keys)
        theta, f, converged, iterations = self._optimise(groups, q, N, max_iter, tol, start)
        if fiml:  # two stages: ML on the EM moments, then full-information ML
            theta, f, converged, iterations, info = self._fiml(groups, theta, q, N)
        else:
            info = self._information(groups, theta, q)  # per-observation expected information (H / 2)
        robust = None
        if estimator == "MLR":
            robust = self._robust_fiml(groups, theta, q, N, info) if fiml else self._robust(groups, theta, q, N)
        return self._results(group, groups, theta, f, info, N, converged, iterations, notices, estimator, robust)

    def _weights(self, groups, N):
        return [gr.n / N for gr in groups]

    def _objective(self, groups, theta, N) -> float:
        total = 0.0
        for gr in groups:
            Sigma, mu, _, _ = gr.model.implied(theta[gr.index])
            f = ml_discrepancy(Sigma, gr.S, gr.logdet_S, mu, gr.ybar)
            if not np.isfinite(f):
                return np.inf
            total += gr.n / N * f
        return total

    def _grad_hess(self, groups, theta, q, N):
        g_tot = np.zeros(q)
        H_tot = np.zeros((q, q))
        for gr in groups:
            t = theta[gr.index]
            Sigma, mu, _, _ = gr.model.implied(t)
            inv = np.linalg.inv(Sigma)
            dS, dm = gr.model.derivatives(t)
            ql = t.size
            d = gr.ybar - mu
            W = inv - inv @ (gr.S + np.outer(d, d)) @ inv
            g = dS.reshape(ql, -1) @ W.ravel() - 2 * dm @ (inv @ d)
            H = _expected_hessian(inv, dS) + 2 * dm @ inv @ dm.T
            w = gr.n / N
            np.add.at(g_tot, gr.index, w * g)
            H_tot[np.ix_(gr.index, gr.index)] += w * H
        return g_tot, H_tot

    def _gradient(self, groups, theta, q, N):
        return self._grad_hess(groups, theta, q, N)[0]

    def _start(self, groups, q, previous: MultiGroupFit | None = None) -> np.ndarray:
        total = np.zeros(q)
        count = np.zeros(q)
        known = {}
        if previous is not None:
            known = {(int(r.group), r.lhs, r.op, r.rhs): float(r.est) for r in previous.params.itertuples()}
        for g, gr in enumerate(groups):
            rows = gr.model.table.params
            if known and all((g + 1, p.lhs, p.op, p.rhs) in known for p in rows):
                local = np.zeros(gr.model.table.n_free)
                for p in rows:
                    if p.free:
                        local[p.free - 1] = known[(g + 1, p.lhs, p.op, p.rhs)]
                np.add.at(total, gr.index, local)
                np.add.at(count, gr.index, 1.0)
                continue
            local = start_values(gr.model, gr.S, gr.ybar)
            for p in gr.model.table.free_params():
                if p.op == "~1" and p.lhs in gr.model.table.latent:
                    local[p.free - 1] = 0.0
            np.add.at(total, gr.index, local)
            np.add.at(count, gr.index, 1.0)
        return total / np.maximum(count, 1)

    def _optimise(self, groups, q, N, max_iter, tol, previous=None):
        theta = self._start(groups, q, previous)
        f = self._objective(groups, theta, N)
        if not np.isfinite(f) and previous is not None:
            theta = self._start(groups, q)
            f = self._objective(groups, theta, N)
        if not np.isfinite(f):
            raise ModelError("the start values give a non-positive-definite implied covariance matrix in a "
                             "group; check the model for unidentified parts")
        converged = False
        iterations = 0
        for iterations in range(1, max_iter + 1):
            g, H = self._grad_hess(groups, theta, q, N)
            if np.max(np.abs(g)) < tol:
                converged = True
                break
            try:
                step = np.linalg.solve(H, -g)
            except np.linalg.LinAlgError:
                step = -np.linalg.lstsq(H, g, rcond=None)[0]
            scale = 1.0
            for _ in range(40):
                cand = theta + scale * step
                f_new = self._objective(groups, cand, N)
                if np.isfinite(f_new) and f_new <= f + 1e-14:
                    break
                scale *= 0.5
            else:
                break
            change = f - f_new
            theta, f = cand, f_new
            if change < 1e-15 and np.max(np.abs(scale * step)) < 1e-10:
                converged = True
                break
        return theta, f, converged, iterations

    def _information(self, groups, theta, q) -> np.ndarray:
        N = sum(gr.n for gr in groups)
        return self._grad_hess(groups, theta, q, N)[1] / 2

    # -- FIML ----------------------------------------------------------------------------
    def _fiml_value_grad(self, objectives, groups, theta, q, N):
        total = 0.0
        grad = np.zeros(q)
        for gr, ob in zip(groups, objectives):
            f, g = ob.value_and_gradient(theta[gr.index])
            if f >= 1e20:
                return 1e20, np.zeros(q)
            total += gr.n / N * f
            np.add.at(grad, gr.index, gr.n / N * g)
        return total, grad

    def _fiml(self, groups, theta0, q, N):
        """Minimise -2 logL / N over all groups (BFGS), lavaan's ``missing = "ml"``; observed information."""
        objectives = [FimlObjective(gr.model, gr.patterns) for gr in groups]
        fun = lambda t: self._fiml_value_grad(objectives, groups, t, q, N)  # noqa: E731
        options: dict[str, Any] = {"gtol": 1e-9, "maxiter": 2000}
        try:
            H0 = np.linalg.inv(self._information(groups, theta0, q) * 2)
            H0 = (H0 + H0.T) / 2
            if np.linalg.eigvalsh(H0).min() > 0:
                options["hess_inv0"] = H0
        except np.linalg.LinAlgError:
            pass
        from scipy import optimize  # imported here: a single-group run never needs it (0.4 s)
        res = optimize.minimize(fun, theta0, jac=True, method="BFGS", options=options)
        hessian = numerical_hessian(lambda t: fun(t)[1], res.x)
        converged = bool(res.success or np.max(np.abs(res.jac)) < 1e-6)
        return res.x, float(res.fun), converged, int(res.nit), hessian / 2

    # -- MLR -----------------------------------------------------------------------------
    def _casewise(self, gr: _Group, t: np.ndarray, with_model: bool = True):
        """Casewise scores of the log-likelihood in the group's local parameters (lavaan's ML scores)."""
        Sigma, mu, _, _ = gr.model.implied(t)
        inv = np.linalg.inv(Sigma)
        r, c = vech_indices(Sigma.shape[0])
        dS, dm = gr.model.derivatives(t)
        Z = gr.X - mu
        A = _info_vech(Sigma)
        Delta = dS[:, r, c].T
        return (Z @ inv) @ dm.T + (_vech_outer(Z) - Sigma[r, c]) @ A @ Delta

    def _trace_h1(self, gr: _Group) -> float:
        """tr(A1 Gamma) of the unrestricted model with means: p for the means plus the covariance part."""
        Z = gr.X - gr.ybar
        r, c = vech_indices(gr.S.shape[0])
        U = _vech_outer(Z) - gr.S[r, c]
        Gamma = U.T @ U / gr.n
        A1 = _info_vech(gr.S)
        p = gr.S.shape[0]
        # The mean block's trace is tr(S^-1 S) = p; the cross blocks do not enter the trace.
        return float(np.sum(A1 * Gamma.T)) + p

    def _robust(self, groups, theta, q, N) -> dict:
        """Huber-White covariance and the Yuan-Bentler (Mplus) scaling, summed over groups as lavaan does."""
        B0 = np.zeros((q, q))
        for gr in groups:
            s = self._casewise(gr, theta[gr.index])
            Bg = s.T @ s / N
            B0[np.ix_(gr.index, gr.index)] += Bg
        E = 0.5 * numerical_hessian(lambda t: self._gradient(groups, t, q, N), theta)
        E_inv = np.linalg.inv(E)
        trace_h0 = float(np.sum(B0 * E_inv.T))
        trace_h1 = sum(self._trace_h1(gr) for gr in groups)
        # Baseline (free means and variances in every group): closed-form estimates and scores.
        trace_b = 0.0
        for gr in groups:
            base = build_partable("\n".join(f"{v} ~~ {v}" for v in self.table.observed), meanstructure=True)
            bm = RamModel.from_table(base)
            tb = np.zeros(base.n_free)
            idx = {n: i for i, n in enumerate(self.table.observed)}
            for p in base.free_params():
                tb[p.free - 1] = gr.S[idx[p.lhs], idx[p.lhs]] if p.op == "~~" else gr.ybar[idx[p.lhs]]
            sub = _Group(gr.value, gr.X, gr.n, gr.S, gr.ybar, gr.logdet_S, bm, np.arange(base.n_free))
            s = self._casewise(sub, tb)
            Bb = s.T @ s / gr.n
            Eb = 0.5 * numerical_hessian(lambda t: self._gradient([sub], t, base.n_free, gr.n), tb)
            trace_b += self._trace_h1(gr) - float(np.sum(Bb * np.linalg.inv(Eb).T))
        return {"vcov": E_inv @ B0 @ E_inv / N, "trace": trace_h1 - trace_h0, "trace_baseline": trace_b}

    def _robust_fiml(self, groups, theta, q, N, E) -> dict:
        """MLR with FIML over groups: :func:`~loyaltysurvey.sem.robust_fiml.fiml_robust`'s pieces in
        each group (its saturated model's observed and first-order information at the EM moments,
        its casewise scores at the model's moments), joined over the groups as lavaan joins them.

        ``E`` is the observed information per case of all groups together (the FIML Hessian).
        Besides the Yuan-Bentler traces of the model and of the baseline it returns the pieces of
        Zhang & Savalei's (2022) FIML-corrected robust CFI, TLI and RMSEA: the statistic ``XX3``
        (the model's ML discrepancy from each group's EM moments, summed) with its trace ``c3``,
        and the same for the baseline. Checked against lavaan 0.6.14 ``estimator = "MLR",
        missing = "ml"`` with groups in tests/test_invariance_reference.py.
        """
        from .robust_fiml import (_complete_information, _ml_statistic, baseline_pieces, casewise_h1_scores,
                                  h1_observed_information)
        E_inv = np.linalg.inv(E)
        B0 = np.zeros((q, q))
        trace_h1 = trace_b = 0.0
        blocks = []  # per group: (weight, Wm, Jm, Wc, Delta in global columns, Delta_b, XX3, XX3 of baseline)
        for gr in groups:
            pats, n, w = gr.patterns, gr.n, gr.n / N
            p = pats.p
            r, c = vech_indices(p)
            t = theta[gr.index]
            Sigma, mu, _, _ = gr.model.implied(t)
            dS, dm = gr.model.derivatives(t)
            local = np.vstack([dm.T, dS[:, r, c].T])          # (p + p*, local parameters)
            Delta = np.zeros((local.shape[0], q))
            np.add.at(Delta.T, gr.index, local.T)             # local parameters onto the global ones
            Wm = h1_observed_information(pats, gr.S, gr.ybar)
            scores_h1 = casewise_h1_scores(pats, gr.S, gr.ybar)
            Jm = scores_h1.T @ scores_h1 / n
            th1 = float(np.sum(Jm * np.linalg.inv(Wm).T))
            trace_h1 += th1
            scores = casewise_h1_scores(pats, Sigma, mu)
            B0 += Delta.T @ (scores.T @ scores / N) @ Delta
            # the group's baseline: each variable's own FIML mean and variance
            mean_b, var_b, Delta_b, trace_b0 = baseline_pieces(pats)
            trace_b += th1 - trace_b0
            blocks.append((w, Wm, Jm, _complete_information(gr.S), Delta, Delta_b,
                           _ml_statistic(n, gr.S, gr.ybar, Sigma, mu),
                           _ml_statistic(n, gr.S, gr.ybar, np.diag(var_b), mean_b)))
        trace = trace_h1 - float(np.sum(B0 * E_inv.T))
        # Zhang & Savalei's correction over the groups: the saturated informations weighted by the
        # groups' shares, the model's derivatives stacked, the baseline's block-diagonal
        sizes = [b[1].shape[0] for b in blocks]
        W = _block_diagonal([b[0] * b[1] for b in blocks])
        W_inv = _block_diagonal([np.linalg.inv(b[1]) / b[0] for b in blocks])
        Wc = _block_diagonal([b[0] * b[3] for b in blocks])
        Gamma = _block_diagonal([np.linalg.inv(b[1]) @ b[2] @ np.linalg.inv(b[1]) / b[0] for b in blocks])
        Delta_all = np.vstack([b[4] for b in blocks])
        Delta_b_all = _block_diagonal([b[5] for b in blocks])
        middle = W_inv @ Wc @ W_inv

        def corrected(D: np.ndarray) -> float:
            U = W - W @ D @ np.linalg.inv(D.T @ W @ D) @ D.T @ W
            return float(np.trace(U @ middle @ U @ Gamma))

        assert sum(sizes) == W.shape[0]
        return {"vcov": E_inv @ B0 @ E_inv / N, "trace": trace, "trace_baseline": trace_b,
                "xx3": sum(b[6] for b in blocks), "xx3_baseline": sum(b[7] for b in blocks),
                "c3_trace": corrected(Delta_all), "c3_trace_baseline": corrected(Delta_b_all)}

    # -- results -------------------------------------------------------------------------
    def _results(self, column, groups, theta, f, info, N, converged, iterations, notices, estimator, robust):
        notices = list(notices)
        if not converged:
            notices.append(Notice("not_converged", f"the multigroup estimation did not converge in {iterations} "
                                  "iterations; the estimates are not trustworthy", "", {"iterations": iterations}))
        q = theta.size
        try:
            vcov = np.linalg.inv(N * info) if robust is None else robust["vcov"]
            eig = np.linalg.eigvalsh(info)
            if eig.min() <= 1e-10 * eig.max():
                raise np.linalg.LinAlgError
        except np.linalg.LinAlgError:
            vcov = np.full((q, q), np.nan)
            notices.append(Notice("not_identified", "the information matrix is singular: the multigroup model "
                                  "is probably not identified (standard errors are unavailable)"))
        se_all = np.sqrt(np.abs(np.diag(vcov)))
        rows = []
        G = len(groups)
        T_groups = []
        p = len(self.table.observed)
        srmr_g, rmr_g, gfi_g, logl, logl_h1 = [], [], [], 0.0, 0.0
        Tb = 0.0
        moments = 0
        for g, gr in enumerate(groups):
            t = theta[gr.index]
            model = gr.model
            Sigma, mu, full, _ = model.implied(t)
            if gr.patterns is not None:
                logl_g = gr.patterns.loglik(Sigma, mu)
                T_groups.append(2 * (gr.logl_h1 - logl_g))
            else:
                T_groups.append(gr.n * ml_discrepancy(Sigma, gr.S, gr.logdet_S, mu, gr.ybar))
            values = model.row_values(t)
            std_all = standardized_values(model, values, full)
            for r, prm in enumerate(model.table.params):
                est = float(values[r])
                se = float(se_all[gr.index[prm.free - 1]]) if prm.free else 0.0
                if prm.free and se > 0:
                    z = est / se
                    pv = float(2 * norm_sf(abs(z)))
                    lo, hi = est - Z975 * se, est + Z975 * se
                else:
                    z = pv = float("nan")
                    lo = hi = est
                rows.append({"group": g + 1, "lhs": prm.lhs, "op": prm.op, "rhs": prm.rhs, "label": prm.label,
                             "est": est, "se": se, "z": z, "pvalue": pv, "ci_lower": lo, "ci_upper": hi,
                             "std_all": float(std_all[r]), "group_value": gr.value,
                             "free": int(gr.index[prm.free - 1]) + 1 if prm.free else 0})
                if prm.op == "~~" and prm.lhs == prm.rhs and est < 0:
                    notices.append(Notice("heywood", f"the variance of '{prm.lhs}' is negative ({est:.3f}) in "
                                          f"group '{gr.value}', a Heywood case", prm.lhs,
                                          {"variable": prm.lhs, "variance": est}))
            srmr_g.append(srmr_bentler(gr.S, Sigma, gr.ybar, mu))
            rmr_g.append(rmr(gr.S, Sigma, gr.ybar, mu))
            if gr.patterns is not None:
                pats = gr.patterns
                means, pairwise = pats.available_case_moments()
                Q, _ = pats._padded_inverse(Sigma)
                gfi_g.append(gfi_missing(pats.n / gr.n, Q, pairwise * (gr.n - 1) / gr.n, means, Sigma, mu))
                logl += logl_g
                logl_h1 += gr.logl_h1
                # baseline: each variable's own mean and variance over its observed values
                pp = gr.S.shape[0]
                mean_b, var_b = np.zeros(pp), np.zeros(pp)
                for j in range(pp):
                    col = gr.X[:, j]
                    col = col[~np.isnan(col)]
                    mean_b[j], var_b[j] = col.mean(), col.var()
                Tb += 2 * (gr.logl_h1 - pats.loglik(np.diag(var_b), mean_b))
            else:
                gfi_g.append(gfi(gr.S, Sigma, gr.ybar, mu))
                logl += normal_loglik(gr.S, Sigma, gr.n, gr.ybar, mu)
                logl_h1 += normal_loglik(gr.S, gr.S, gr.n)
                Tb += gr.n * (float(np.sum(np.log(np.diag(gr.S)))) - gr.logdet_S)
            # fixed.x: lavaan's log-likelihoods are given the covariates (each group's own moments)
            x_part = covariates_loglik(gr.S, [self.table.observed.index(x) for x in self.table.exogenous_x], gr.n)
            logl -= x_part
            logl_h1 -= x_part
            moments += sample_moments(model.table)
        npar = q
        T = float(sum(T_groups))
        df = float(moments - npar)
        nx = len(self.table.exogenous_x)
        dfb = float(G * (p * (p - 1) / 2 - nx * (nx - 1) / 2))
        inc = incremental(T, df, Tb, dfb)
        lo, hi = rmsea_ci(T, df, N)
        w = np.array([gr.n / N for gr in groups])
        g_w = float(w @ np.array(gfi_g))
        nel = float(moments)
        measures = {
            "chisq": T, "df": df, "pvalue": float(chi2_sf(T, df)) if df > 0 else float("nan"),
            "cfi": inc["cfi"], "tli": inc["tli"], "rmsea": rmsea(T, df, N) * math.sqrt(G),
            "rmsea_ci_lower": lo * math.sqrt(G), "rmsea_ci_upper": hi * math.sqrt(G),
            "srmr": float(w @ np.array(srmr_g)), "gfi": g_w,
            # lavaan leaves NFI undefined when the model has more df than the baseline (strict models)
            "agfi": 1 - (nel / df) * (1 - g_w) if df > 0 else 1.0, "nfi": inc["nfi"] if df <= dfb else float("nan"),
            "aic": -2 * logl + 2 * npar, "bic": -2 * logl + npar * math.log(N), "logl": float(logl),
            "unrestricted_logl": float(logl_h1), "baseline_chisq": float(Tb), "baseline_df": dfb,
            "npar": float(npar), "ntotal": float(N), "ngroups": float(G),
            **parsimony_indices(T, df, Tb, dfb, g_w, nel, npar, N), "rmr": float(w @ np.array(rmr_g)),
        }
        robust_out: dict[str, float] = {}
        if robust is not None:
            c = robust["trace"] / df if df > 0 else float("nan")
            cb = robust["trace_baseline"] / dfb
            Ts, Tbs = T / c, Tb / cb
            scaled = incremental(Ts, df, Tbs, dfb)
            t1 = max(T - c * df, 0.0)
            t2 = max(T - c * df, Tb - cb * dfb, 0.0)
            tli_t2 = (Tb - cb * dfb) * df
            if "xx3" in robust:  # FIML: Zhang & Savalei's corrected statistics, as lavaan uses with MLR
                c3, c3b = robust["c3_trace"] / df if df > 0 else float("nan"), robust["c3_trace_baseline"] / dfb
                X3, X3b = robust["xx3"], robust["xx3_baseline"]
                t1 = max(X3 - c3 * df, 0.0)
                t2 = max(X3 - c3 * df, X3b - c3b * dfb, 0.0)
                tli_t2 = (X3b - c3b * dfb) * df
                corrected = {"cfi_robust": 1.0 if t2 == 0 else 1 - t1 / t2,
                             "tli_robust": 1 - (X3 - c3 * df) * dfb / tli_t2 if df > 0 and tli_t2 != 0 else 1.0,
                             "rmsea_robust": rmsea(X3, df, N, c3) * math.sqrt(G)}
            robust_out = {
                "chisq_scaled": Ts, "df_scaled": df, "pvalue_scaled": float(chi2_sf(Ts, df)),
                "chisq_scaling_factor": c, "baseline_chisq_scaled": Tbs, "baseline_chisq_scaling_factor": cb,
                "cfi_scaled": scaled["cfi"], "tli_scaled": scaled["tli"],
                "cfi_robust": 1.0 if t2 == 0 else 1 - t1 / t2,
                "tli_robust": 1 - (T - c * df) * dfb / tli_t2 if df > 0 and tli_t2 != 0 else 1.0,
                "rmsea_scaled": rmsea(Ts, df, N) * math.sqrt(G),
                "rmsea_robust": rmsea(T, df, N, c) * math.sqrt(G)}
            if "xx3" in robust:
                robust_out.update(corrected)
            measures.update(robust_out)
        params = pd.DataFrame(rows, columns=GROUP_ESTIMATE_COLUMNS + ["group_value", "free"])
        return MultiGroupFit(column, tuple(gr.value for gr in groups), tuple(gr.n for gr in groups),
                             self.group_equal, self.group_partial, estimator, theta, vcov, params, measures,
                             tuple(float(t) for t in T_groups), converged, iterations, tuple(notices),
                             robust_out)
