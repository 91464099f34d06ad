"""Covariance-based SEM with lavaan's ML: ``SEM(syntax).fit(data) -> SEMFit``.

Checked against R lavaan 0.6.14 (``tests/reference/sem_reference.json``):
estimates, expected-information standard errors, ``std.all``, defined
parameters with delta-method standard errors, and the fit measures of
:mod:`loyaltysurvey.sem.fit`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Callable, Sequence

import numpy as np
import pandas as pd

from ..distributions import chi2_sf, norm_ppf, norm_sf
from ..errors import DataError, ModelError
from ..errors import Notice
from .syntax import Statement
from .defined import compile_definitions, delta_method
from .estimate import MLSolution, fit_ml, ml_gradient
from .robust import yuan_bentler
from .standardized import standardized_values
from .columns import dotted_columns
from .bootstrap import BootstrapResult
from .robust_fiml import fiml_robust
from .identification import check_identification, degrees_of_freedom
from .fiml import FimlObjective, Patterns, em_saturated
from .fit import (covariates_loglik, gfi, gfi_missing, incremental, normal_loglik, parsimony_indices, rmr, rmsea,
                  rmsea_ci, srmr_bentler)
from .partable import ParTable, build_partable
from .ram import RamModel

__all__ = ["SEM", "SEMFit", "ESTIMATE_COLUMNS", "FIT_KEYS"]

ESTIMATE_COLUMNS = ["lhs", "op", "rhs", "label", "est", "se", "z", "pvalue", "ci_lower", "ci_upper", "std_all"]
FIT_KEYS = ["chisq", "df", "pvalue", "cfi", "tli", "rmsea", "rmsea_ci_lower", "rmsea_ci_upper", "srmr",
            "gfi", "agfi", "nfi", "aic", "bic", "logl", "ntotal", "chisq_df", "ifi", "nnfi", "pnfi", "pgfi", "rmr",
            "ecvi"]
Z975 = norm_ppf(0.975)


@dataclass(frozen=True)
class SEMFit:
    """An estimated model (immutable), as ``lavaan::sem()`` returns it.

    Read it as lavaan users do: :meth:`estimates` (``parameterEstimates()``),
    :meth:`fit_measures` (``fitMeasures()``), :meth:`inspect` (``lavInspect()``),
    :attr:`r2`. ``params`` holds the same rows with results.json's column names
    (``ESTIMATE_COLUMNS``) and ``measures`` the fit measures under CONTRACT's
    names. With ``se="bootstrap"`` the standard errors are bootstrap SDs and
    ``bootstrap`` holds the draws.
    """

    table: ParTable
    theta: np.ndarray
    vcov: np.ndarray
    params: pd.DataFrame
    measures: dict[str, float]
    nobs: int
    sample_cov: np.ndarray
    implied_cov: np.ndarray
    implied_full: np.ndarray
    names: tuple[str, ...]
    converged: bool
    iterations: int
    notices: tuple[Notice, ...] = ()
    bootstrap: BootstrapResult | None = None
    bootstrap_info: dict[str, Any] | None = None

    @property
    def observed(self) -> tuple[str, ...]:
        return self.table.observed

    @property
    def latent(self) -> tuple[str, ...]:
        return self.table.latent

    def estimates(self) -> pd.DataFrame:
        """lavaan's ``parameterEstimates(fit, standardized = TRUE)``: one row per parameter and
        ``:=`` definition; columns ``lhs, op, rhs, label, est, se, z, pvalue, ci.lower, ci.upper,
        std.all`` (plus ``ci.bc.*``, ``ci.bca.*`` and ``std.ci.*`` after a bootstrap).

        >>> from loyaltysurvey.datasets import holzinger_swineford
        >>> fit = SEM("visual =~ x1 + x2 + x3").fit(holzinger_swineford())
        >>> row = fit.estimates().loc[1]
        >>> row.lhs, row.op, row.rhs, round(float(row.est), 3)
        ('visual', '=~', 'x2', 0.778)
        """
        return dotted_columns(self.params)

    def fit_measures(self, keys: Sequence[str] | None = None) -> pd.Series:
        """lavaan's ``fitMeasures()`` under CONTRACT's names (``chisq, df, pvalue, cfi, tli, rmsea,
        rmsea_ci_lower, rmsea_ci_upper, srmr, gfi, agfi, nfi, aic, bic, logl, ntotal``, the LISREL-style
        ``chisq_df, ifi, nnfi, pnfi, pgfi, rmr, ecvi`` and more).

        >>> from loyaltysurvey.datasets import HS_MODEL, holzinger_swineford
        >>> fit = SEM(HS_MODEL).fit(holzinger_swineford())
        >>> fit.fit_measures(["ifi", "nnfi", "pnfi", "pgfi", "rmr", "ecvi"]).round(3).tolist()  # as lavaan
        [0.931, 0.896, 0.605, 0.503, 0.082, 0.423]
        """
        series = pd.Series(self.measures, dtype=float)
        return series if keys is None else series[list(keys)]

    def inspect(self, what: str) -> Any:
        """A piece of the fit as lavaan's ``lavInspect(fit, what)`` names it.

        ``"r2"`` (dict), ``"cov.lv"`` / ``"cor.lv"`` (latent covariances and correlations),
        ``"implied"`` (model-implied covariance of the observed variables), ``"sampstat"``
        (the sample covariance, N in the denominator), ``"vcov"`` (covariance of the free
        parameters), ``"coef"`` (free parameter estimates), ``"nobs"``, ``"converged"``,
        ``"iterations"``, ``"npar"``.
        """
        observed = list(self.table.observed)
        free = self.table.free_params()
        names = [p.label or f"{p.lhs}{p.op}{p.rhs}" for p in free]
        views = {
            "r2": lambda: self.r2,
            "cov.lv": self.latent_cov,
            "cor.lv": self.latent_cor,
            "implied": lambda: pd.DataFrame(self.implied_cov, index=observed, columns=observed),
            "sampstat": lambda: pd.DataFrame(self.sample_cov, index=observed, columns=observed),
            "vcov": lambda: pd.DataFrame(self.vcov, index=names, columns=names),
            "coef": lambda: pd.Series(self.theta, index=names),
            "nobs": lambda: self.nobs,
            "converged": lambda: self.converged,
            "iterations": lambda: self.iterations,
            "npar": lambda: self.table.n_free,
        }
        if what not in views:
            raise ModelError(f"inspect('{what}') is not available; use one of {', '.join(views)}")
        return views[what]()

    def latent_cov(self) -> pd.DataFrame:
        p = len(self.table.observed)
        lv = self.implied_full[p:, p:]
        return pd.DataFrame(lv, index=self.table.latent, columns=self.table.latent)

    def latent_cor(self) -> pd.DataFrame:
        cov = self.latent_cov()
        sd = np.sqrt(np.diag(cov.to_numpy()))
        return cov / np.outer(sd, sd)

    @property
    def r2(self) -> dict[str, float]:
        """R² of every endogenous variable (indicators and explained latent variables), as lavaan's
        ``lavInspect(fit, "r2")``: one minus the standardized residual variance. Checked against
        lavaan 0.6.14 in tests/test_sem_reference.py."""
        est = self.params
        endogenous = set(est.loc[est.op == "~", "lhs"]) | set(est.loc[est.op == "=~", "rhs"])
        out = {}
        for rec in est[(est.op == "~~") & (est.lhs == est.rhs)].itertuples():
            if rec.lhs in endogenous and not math.isnan(rec.std_all):
                out[rec.lhs] = 1.0 - float(rec.std_all)
        return out

    def summary(self) -> dict[str, Any]:
        """The results as data: the estimates table, the fit measures and the notes."""
        return {"estimates": self.estimates(), "fit": self.fit_measures(),
                "notes": [n.message for n in self.notices]}

    def to_json(self) -> dict[str, Any]:
        rows = []
        for rec in self.params.to_dict(orient="records"):
            rows.append({k: (None if isinstance(v, float) and not math.isfinite(v) else v) for k, v in rec.items()})
        out = {"fit": {k: (None if isinstance(v, float) and not math.isfinite(v) else v)
                       for k, v in self.measures.items()},
               "estimates": rows, "r2": self.r2, "converged": self.converged, "iterations": self.iterations,
               "notes": [n.to_json() for n in self.notices]}
        if self.bootstrap_info is not None:
            out["bootstrap"] = self.bootstrap_info
        return out

    def _repr_html_(self) -> str:
        return self.estimates().to_html(float_format=lambda v: f"{v:.3f}")


def _robust_measures(fit: dict, robust: dict, N: int) -> dict[str, float]:
    """lavaan's scaled and robust fit measures from the Yuan-Bentler scaling factors."""
    T, df = fit["chisq"], fit["df"]
    Tb, dfb = fit["baseline_chisq"], fit["baseline_df"]
    c = robust["trace"] / df if df > 0 else float("nan")
    cb = robust["trace_baseline"] / dfb
    Ts, Tbs = T / c, Tb / cb
    scaled = incremental(Ts, df, Tbs, dfb)
    t1 = max(T - c * df, 0.0)
    t2 = max(T - c * df, Tb - cb * dfb, 0.0)
    cfi_robust = 1.0 if t2 == 0 else 1 - t1 / t2
    tli_t2 = (Tb - cb * dfb) * df
    tli_robust = 1 - (T - c * df) * dfb / tli_t2 if df > 0 and tli_t2 != 0 else 1.0
    return {"chisq_scaled": Ts, "df_scaled": df, "pvalue_scaled": float(chi2_sf(Ts, df)),
            "chisq_scaling_factor": c, "baseline_chisq_scaled": Tbs, "baseline_chisq_scaling_factor": cb,
            "cfi_scaled": scaled["cfi"], "tli_scaled": scaled["tli"], "cfi_robust": cfi_robust,
            "tli_robust": tli_robust, "rmsea_scaled": rmsea(Ts, df, N), "rmsea_robust": rmsea(T, df, N, c)}


class SEM:
    """A structural equation model in lavaan syntax, estimated by ML as ``lavaan::sem()`` does.

    Parameters
    ----------
    model:
        lavaan syntax (``=~``, ``~``, ``~~``, labels, fixed values, ``:=``, interactions ``A:B``
        as predictors).
    centring:
        how the product indicators of interactions are centred: ``"double_mean"`` (the default)
        or ``"residual"`` (:mod:`loyaltysurvey.sem.interaction`). The products are computed from
        the data passed to :meth:`fit` unless it already holds them.
    """

    def __init__(self, model: str | Sequence[Statement], *, centring: str = "double_mean") -> None:
        from .interaction import expand_interactions, find_interactions
        from .syntax import parse_model
        statements = parse_model(model) if isinstance(model, str) else tuple(model)
        self.interactions = find_interactions(statements)
        self.centring = centring
        self.model = expand_interactions(statements) if self.interactions else model
        self.table = build_partable(self.model)
        check_identification(self.table)

    def _data(self, data: pd.DataFrame, missing: str) -> pd.DataFrame:
        if self.interactions:  # product indicators from the data as given, before listwise deletion
            from .interaction import add_product_indicators
            data = add_product_indicators(data, self.interactions, centring=self.centring)
        names = list(self.table.observed)
        absent = [n for n in names if n not in data.columns]
        if absent:
            raise DataError(f"the model uses '{absent[0]}', which is not a column of the data")
        frame = data[names].astype(float)
        if missing == "listwise":
            frame = frame.dropna()
        if len(frame) <= len(names):
            raise DataError(f"only {len(frame)} complete respondents for {len(names)} observed variables; "
                            "ML needs more respondents than variables (try --missing fiml)")
        return frame

    def fit(self, data: pd.DataFrame, *, missing: str = "listwise", estimator: str = "ML",
            se: str = "standard", bootstrap: int = 1000, seed: int | None = None, jobs: int = 1,
            executor: Any = None, progress: Callable[[int], Any] | None = None, level: float = 0.95) -> SEMFit:
        """Estimate the model on ``data`` (a DataFrame with a column per observed variable).

        Parameters
        ----------
        missing:
            ``"listwise"`` (complete cases, lavaan's default) or ``"fiml"`` (full-information ML
            with a mean structure, lavaan ``missing = "ml"``).
        estimator:
            ``"ML"`` (expected-information SEs; observed with FIML) or ``"MLR"`` (Huber-White SEs,
            Yuan-Bentler scaled test and robust CFI/TLI/RMSEA).
        se:
            ``"standard"`` or ``"bootstrap"`` (lavaan ``se = "bootstrap"``: ``bootstrap`` resamples
            of the respondents, percentile intervals, plus BC and BCa). With ``missing="fiml"``
            every respondent is resampled, incomplete ones included, and each resample refitted
            by FIML, as lavaan's ``missing = "ml", se = "bootstrap"`` does.
        seed, jobs, executor, progress:
            Resampling is drawn in fixed chunks from child seeds of ``seed``, so the result is the
            same for any ``jobs`` or ``executor`` (anything with ``map``, e.g. a Dask client);
            ``progress`` is called with the number of resamples finished.

        Checked against lavaan 0.6.14 (tests/test_sem_reference.py, tests/test_bootstrap_reference.py,
        and tests/test_fiml_bootstrap_reference.py for ``missing="fiml", se="bootstrap"``).

        >>> from loyaltysurvey.datasets import holzinger_swineford
        >>> hs = SEM("visual =~ x1 + x2 + x3; textual =~ x4 + x5 + x6; speed =~ x7 + x8 + x9")
        >>> round(float(hs.fit(holzinger_swineford()).fit_measures()["chisq"]), 3)  # lavaan: 85.306
        85.306
        """
        if estimator not in ("ML", "MLR"):
            raise ModelError(f"estimator '{estimator}' is not available; use ML or MLR")
        if se not in ("standard", "bootstrap"):
            raise ModelError(f"se = '{se}' is not available; use standard or bootstrap")
        if missing in ("fiml", "ml"):
            frame = self._data(data, "fiml")
            result = self._fit_fiml(frame, robust=estimator == "MLR")
            if se == "bootstrap":
                from .bootstrap import bootstrap_fit
                result = bootstrap_fit(result, frame.to_numpy(), bootstrap, seed, missing="fiml", jobs=jobs,
                                       executor=executor, progress=progress, level=level)
            return result
        if missing != "listwise":
            raise ModelError(f"missing = '{missing}' is not available for CB-SEM; use listwise or fiml")
        frame = self._data(data, missing)
        X = frame.to_numpy()
        N = X.shape[0]
        ybar = X.mean(axis=0)
        S = np.cov(X.T, ddof=0)
        zero = [n for n, v in zip(self.table.observed, np.diag(S)) if v <= 0]
        if zero:
            raise DataError(f"'{zero[0]}' has zero variance in the analysed data; remove it from the model")
        model = RamModel.from_table(self._fixed_x(self.table, S))
        solution = fit_ml(model, S)
        robust = self._robust(model, solution, X, S) if estimator == "MLR" else None
        result = self._results(model, solution, S, ybar, N, robust=robust)
        if se == "bootstrap":
            from .bootstrap import bootstrap_fit
            result = bootstrap_fit(result, X, bootstrap, seed, jobs=jobs, executor=executor, progress=progress,
                                   level=level)
        return result

    def _robust(self, model: RamModel, solution: MLSolution, X: np.ndarray, S: np.ndarray) -> dict:
        """Yuan-Bentler (Mplus variant) scaling for the model and for the baseline model."""
        target = yuan_bentler(X, model, solution.theta, lambda t: ml_gradient(model, t, S))
        p = S.shape[0]
        base_table = build_partable("\n".join(f"{v} ~~ {v}" for v in self.table.observed))
        base_model = RamModel.from_table(base_table)
        base_theta = np.diag(S).copy()
        base = yuan_bentler(X, base_model, base_theta, lambda t: ml_gradient(base_model, t, S))
        target["trace_baseline"] = base["trace"]
        target["df_baseline"] = p * (p - 1) / 2
        return target

    def _fit_fiml(self, frame: pd.DataFrame, robust: bool = False) -> SEMFit:
        """Full-information ML with a mean structure; H1 by EM (lavaan ``missing = "ml"``).

        ``frame`` holds the model's observed variables, missing answers as NaN."""
        patterns = Patterns(frame.to_numpy())
        mu_h1, S_h1, _ = em_saturated(patterns)
        table = build_partable(self.model, meanstructure=True)
        model = RamModel.from_table(self._fixed_x(table, S_h1, mu_h1))
        # Two-stage start: ML on the EM moments is close to the FIML solution.
        first = fit_ml(model, S_h1, mu_h1)
        objective = FimlObjective(model, patterns)
        try:
            hess_inv0 = np.linalg.inv(first.information)
            hess_inv0 = (hess_inv0 + hess_inv0.T) / 2
            if np.linalg.eigvalsh(hess_inv0).min() <= 0:
                hess_inv0 = None
        except np.linalg.LinAlgError:
            hess_inv0 = None
        res = objective.minimize(first.theta, hess_inv0)
        hessian = objective.hessian(res.x)
        N = patterns.n_total
        logl = -N / 2 * res.fun
        logl_h1 = patterns.loglik(S_h1, mu_h1)
        sol = MLSolution(res.x, float(res.fun), int(res.nit), bool(res.success or np.max(np.abs(res.jac)) < 1e-6),
                         hessian)
        return self._results(model, sol, S_h1, mu_h1, N, fiml=(patterns, logl, logl_h1),
                             robust={"fiml": True} if robust else None)

    def _fiml_robust(self, model, sol, fiml, S_h1, mu_h1, Sigma, mu, N) -> dict:
        patterns, logl, logl_h1 = fiml
        base = self._fit_measures_fiml(model.table, S_h1, mu_h1, Sigma, mu, N, patterns, logl, logl_h1)
        dS, dm = model.derivatives(sol.theta)
        return fiml_robust(patterns, mu_h1, S_h1, Sigma, mu, dS, dm, sol.information / 2, base["df"],
                           base["chisq"], base["baseline_chisq"], base["baseline_df"])

    def _fixed_x(self, table: ParTable, S: np.ndarray, mean: np.ndarray | None = None) -> ParTable:
        """Put the sample (co)variances of fixed.x covariates into their fixed rows and, with a mean
        structure, their sample means into their fixed intercepts (lavaan's fixed.x: the covariates'
        moments are the sample's; under FIML the EM moments, which equal them for a complete
        covariate). Checked against lavaan 0.6.14 ``sem(..., missing = "ml")`` with a covariate in
        tests/test_sem_reference.py."""
        if not table.exogenous_x:
            return table
        from dataclasses import replace
        index = {n: i for i, n in enumerate(table.observed)}

        def fixed(p):
            if p.exo and p.op == "~~":
                return replace(p, value=float(S[index[p.lhs], index[p.rhs]]))
            if p.exo and p.op == "~1" and mean is not None:
                return replace(p, value=float(mean[index[p.lhs]]))
            return p

        return replace(table, params=tuple(fixed(p) for p in table.params))

    def _results(self, model: RamModel, sol: MLSolution, S: np.ndarray, ybar: np.ndarray, N: int,
                 fiml: tuple | None = None, robust: dict | None = None) -> SEMFit:
        table = model.table
        notices: list[Notice] = []
        if not sol.converged:
            notices.append(Notice("not_converged", f"the estimation did not converge in {sol.iterations} "
                                  "iterations; the estimates are not trustworthy: simplify the model or check "
                                  "the data", "", {"iterations": sol.iterations}))
        info = (N / 2) * sol.information
        Sigma, mu, full, _ = model.implied(sol.theta)
        if robust is not None and robust.get("fiml"):
            robust = self._fiml_robust(model, sol, fiml, S, ybar, Sigma, mu, N)
        try:
            vcov = np.linalg.inv(info) if robust is None else robust["vcov"]
            eig = np.linalg.eigvalsh(info)
            if eig.min() <= 1e-10 * eig.max():
                raise np.linalg.LinAlgError
        except np.linalg.LinAlgError:
            vcov = np.full(info.shape, np.nan)
            notices.append(Notice("not_identified", "the information matrix is singular: the model is probably "
                                  "not identified (standard errors are unavailable); fix or remove parameters"))
        values = model.row_values(sol.theta)
        se_free = np.sqrt(np.abs(np.diag(vcov)))
        std_all = standardized_values(model, values, full)
        rows = []
        for r, p in enumerate(table.params):
            est = values[r]
            se = se_free[p.free - 1] if p.free else 0.0
            if p.free and se > 0:
                z = est / se
                pv = 2 * norm_sf(abs(z))
                lo, hi = est - Z975 * se, est + Z975 * se
            else:
                z = pv = np.nan
                lo = hi = est
            rows.append({"lhs": p.lhs, "op": "~1" if p.op == "~1" else p.op, "rhs": p.rhs, "label": p.label,
                         "est": float(est), "se": float(se), "z": float(z), "pvalue": float(pv),
                         "ci_lower": float(lo), "ci_upper": float(hi), "std_all": float(std_all[r])})
            if p.op == "~~" and p.lhs == p.rhs and est < 0:
                notices.append(Notice("heywood", f"the variance of '{p.lhs}' is negative ({est:.3f}), a Heywood "
                                      "case: the model is misspecified or the sample too small; check this "
                                      "construct's items", p.lhs, {"variable": p.lhs, "variance": est}))
        if table.definitions:
            evaluate = compile_definitions(table)
            defs = evaluate(sol.theta, values)
            for d, value in zip(table.definitions, defs):
                if math.isnan(value):
                    raise ModelError(f"the defined parameter '{d.lhs} := {d.rhs}' has no finite value at the "
                                     "estimates (a division by zero, an overflow, or the logarithm or square root "
                                     "of a negative number); change the expression", line=d.line)
            dcov = delta_method(lambda t: evaluate(t, model.row_values(t)), sol.theta, vcov)
            std_free = np.zeros_like(sol.theta)
            for r, p in enumerate(table.params):
                if p.free and std_free[p.free - 1] == 0:
                    std_free[p.free - 1] = std_all[r]
            dstd = evaluate(std_free, std_all)
            for d, value, var, sv in zip(table.definitions, defs, np.diag(dcov), dstd):
                se = math.sqrt(var) if var >= 0 else float("nan")
                z = value / se if se > 0 else float("nan")
                rows.append({"lhs": d.lhs, "op": ":=", "rhs": d.rhs, "label": d.lhs, "est": float(value),
                             "se": se, "z": z, "pvalue": float(2 * norm_sf(abs(z))) if se > 0 else float("nan"),
                             "ci_lower": value - Z975 * se, "ci_upper": value + Z975 * se, "std_all": float(sv)})
        lv = len(table.observed)
        lv_cov = full[lv:, lv:]
        if lv_cov.size and np.linalg.eigvalsh(lv_cov).min() < -1e-10:
            notices.append(Notice("lv_not_pd", "the covariance matrix of the latent variables is not positive "
                                  "definite (a correlation above 1): two constructs may not be distinct"))
        if fiml is None:
            fit = self._fit_measures(table, sol, S, Sigma, N)
            if robust is not None:
                fit.update(_robust_measures(fit, robust, N))
        else:
            fit = self._fit_measures_fiml(table, S, ybar, Sigma, mu, N, *fiml)
            if robust is not None:
                fit.update(robust["measures"])
        return SEMFit(table, sol.theta, vcov, pd.DataFrame(rows, columns=ESTIMATE_COLUMNS), fit, N, S, Sigma,
                      full, model.names, sol.converged, sol.iterations, tuple(notices))

    def _fit_measures_fiml(self, table: ParTable, S_h1: np.ndarray, mu_h1: np.ndarray, Sigma: np.ndarray,
                           mu: np.ndarray, N: int, patterns: Patterns, logl: float, logl_h1: float) -> dict:
        """lavaan's fit measures for missing = "ml": T = 2 (logL_H1 - logL_H0), baseline by FIML."""
        p = S_h1.shape[0]
        npar = table.n_free
        df = float(degrees_of_freedom(table))
        T = 2 * (logl_h1 - logl)
        # Baseline: independent variables with free means and variances; by FIML that is each
        # variable's own mean and variance over its observed values.
        mean_b = np.zeros(p)
        var_b = np.zeros(p)
        for j in range(p):
            values = np.concatenate([pt.rows[:, list(pt.observed).index(j)] for pt in patterns.patterns
                                     if j in pt.observed])
            mean_b[j] = values.mean()
            var_b[j] = values.var()
        logl_b = patterns.loglik(np.diag(var_b), mean_b)
        Tb = 2 * (logl_h1 - logl_b)
        dfb = p * (p - 1) / 2
        inc = incremental(T, df, Tb, dfb)
        lo, hi = rmsea_ci(T, df, N)
        # lavaan's GFI under FIML compares the implied moments with the available-case statistics
        # (pairwise covariances rescaled by (N-1)/N, and column means), weighted by the expected
        # information of the missing-data patterns.
        means, pairwise = patterns.available_case_moments()
        Q, _ = patterns._padded_inverse(Sigma)
        g = gfi_missing(patterns.n / N, Q, pairwise * (N - 1) / N, means, Sigma, mu)
        nel = p * (p + 1) / 2 + p
        # with fixed.x covariates lavaan reports the log-likelihoods given them (and AIC, BIC from those)
        x_part = covariates_loglik(S_h1, [table.observed.index(x) for x in table.exogenous_x], N)
        logl, logl_h1 = logl - x_part, logl_h1 - x_part
        return {
            "chisq": float(T), "df": float(df), "pvalue": float(chi2_sf(T, df)) if df > 0 else float("nan"),
            "cfi": inc["cfi"], "tli": inc["tli"], "rmsea": rmsea(T, df, N), "rmsea_ci_lower": lo,
            "rmsea_ci_upper": hi, "srmr": srmr_bentler(S_h1, Sigma, mu_h1, mu), "gfi": g,
            "agfi": 1 - (nel / df) * (1 - g) if df > 0 else 1.0, "nfi": inc["nfi"],
            "aic": -2 * logl + 2 * npar, "bic": -2 * logl + npar * math.log(N), "logl": float(logl),
            "unrestricted_logl": float(logl_h1), "baseline_chisq": float(Tb), "baseline_df": float(dfb),
            "npar": float(npar), "ntotal": float(N), "missing_patterns": float(len(patterns)),
            # as lavaan with a mean structure: rmr over the EM (h1) moments with the means, pgfi with nel = p(p+3)/2
            **parsimony_indices(T, df, Tb, dfb, g, nel, npar, N), "rmr": rmr(S_h1, Sigma, mu_h1, mu),
        }

    def _fit_measures(self, table: ParTable, sol: MLSolution, S: np.ndarray, Sigma: np.ndarray,
                      N: int) -> dict[str, float]:
        p = S.shape[0]
        xs = [table.observed.index(x) for x in table.exogenous_x]
        nx = len(xs)
        npar = table.n_free
        df = float(degrees_of_freedom(table))
        T = N * sol.fmin
        # Baseline: independent variables (the fixed.x block kept at its sample values).
        base = np.diag(np.diag(S))
        if xs:
            base[np.ix_(xs, xs)] = S[np.ix_(xs, xs)]
        sign, logdet_s = np.linalg.slogdet(S)
        Tb = N * (np.linalg.slogdet(base)[1] + np.trace(S @ np.linalg.inv(base)) - logdet_s - p)
        dfb = p * (p - 1) / 2 - nx * (nx - 1) / 2
        inc = incremental(T, df, Tb, dfb)
        lo, hi = rmsea_ci(T, df, N)
        g = gfi(S, Sigma)
        nel = p * (p + 1) / 2
        x_part = covariates_loglik(S, xs, N)  # fixed.x: lavaan's log-likelihoods are given the covariates
        logl = normal_loglik(S, Sigma, N) - x_part
        unrestricted = normal_loglik(S, S, N) - x_part
        return {
            "chisq": float(T), "df": float(df), "pvalue": float(chi2_sf(T, df)) if df > 0 else float("nan"),
            "cfi": inc["cfi"], "tli": inc["tli"], "rmsea": rmsea(T, df, N), "rmsea_ci_lower": lo,
            "rmsea_ci_upper": hi, "srmr": srmr_bentler(S, Sigma), "gfi": g,
            "agfi": 1 - (nel / df) * (1 - g) if df > 0 else 1.0, "nfi": inc["nfi"],
            "aic": -2 * logl + 2 * npar, "bic": -2 * logl + npar * math.log(N), "logl": logl,
            "unrestricted_logl": unrestricted, "baseline_chisq": float(Tb), "baseline_df": float(dfb),
            "npar": float(npar), "ntotal": float(N),
            **parsimony_indices(T, df, Tb, dfb, g, nel, npar, N), "rmr": rmr(S, Sigma),
        }
