"""Model comparison: the questionnaire's model against its declared ``alternatives``.

Pure: takes the reverse-scored item data, the questionnaire and the settings and returns a
:class:`ModelComparison`. For CB-SEM every model is fitted with the settings' estimator and
missing-data treatment (:class:`~loyaltysurvey.sem.SEM`) and each alternative is compared with
the main model as lavaan's ``lavTestLRT(main, alternative)`` does; for PLS-SEM every model's
structural regressions are judged by BIC and the Geweke-Meese criterion (Sharma et al., 2019).
The decisions (fits no worse, preferred) are made here, against
:data:`~loyaltysurvey.thresholds.CHISQ_DIFF_P`, :data:`~loyaltysurvey.thresholds.DELTA_CFI`
and :data:`~loyaltysurvey.thresholds.DELTA_RMSEA`; the report only states them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Sequence

import numpy as np
import pandas as pd

from ..distributions import chi2_sf
from ..errors import DataError, ModelError, Notice
from ..questionnaire import Questionnaire
from ..sem import SEM, SEMFit
from ..sem.fit import rmsea as rmsea_of
from ..settings import Settings
from ..thresholds import CHISQ_DIFF_P, DELTA_CFI, DELTA_RMSEA

__all__ = ["ModelComparison", "chisq_difference", "compare_models", "compare_sem", "information_criteria",
           "MAIN_MODEL"]

#: The name under which the questionnaire's own ``model`` appears in the comparison.
MAIN_MODEL = "model"

_MODEL_KEYS = ("chisq", "df", "pvalue", "chisq_scaled", "pvalue_scaled", "chisq_scaling_factor", "cfi", "tli",
               "rmsea", "srmr", "cfi_robust", "rmsea_robust", "aic", "bic", "logl", "npar", "ntotal")


def _num(value: Any) -> float:
    return float("nan") if value is None else float(value)


def chisq_difference(restricted: SEMFit, free: SEMFit) -> dict[str, Any]:
    """The chi-square difference test of ``restricted`` (more df) against ``free``, as lavaan's ``lavTestLRT``.

    Under ML the plain difference of the two chi-squares on the difference of the df
    (``method = "standard"``). When both fits carry the Yuan-Bentler scaled test (MLR, listwise
    or FIML) the Satorra-Bentler (2001) scaled difference, lavaan's default for these tests
    (``method = "satorra.bentler.2001"``)::

        cd = (df0 c0 - df1 c1) / (df0 - df1),   T = (T0 - T1) / cd

    with ``T`` the unscaled (ML) chi-squares, ``c`` the scaling factors, 0 the restricted
    model and ``c1 = 1`` when ``df1 = 0``; a negative ``cd`` leaves the test undefined (NaN),
    as lavaan does. ``rmsea`` is lavaan's RMSEA of the difference (ML only), ``sqrt(max(dT /
    (N ddf) - 1 / N, 0))``. Checked against lavaan 0.6.14 ``lavTestLRT`` in
    tests/test_model_comparison.py.

    >>> from loyaltysurvey.datasets import HS_MODEL, holzinger_swineford
    >>> hs = holzinger_swineford()
    >>> free = SEM(HS_MODEL + "\\nvisual =~ x9").fit(hs)
    >>> d = chisq_difference(SEM(HS_MODEL).fit(hs), free)
    >>> round(d["chisq"], 3), d["df"], d["method"]  # lavaan's lavTestLRT: 32.923 on 1 df
    (32.923, 1.0, 'standard')
    """
    m0, m1 = restricted.measures, free.measures
    T0, T1, r0, r1 = m0["chisq"], m1["chisq"], m0["df"], m1["df"]
    m = r0 - r1
    scaled = "chisq_scaling_factor" in m0 and "chisq_scaling_factor" in m1
    out: dict[str, Any] = {"chisq": T0 - T1, "df": m, "method": "standard", "scaling_factor": float("nan"),
                           "rmsea": float("nan")}
    if scaled:
        out["method"] = "satorra.bentler.2001"
        c0 = m0["chisq_scaling_factor"] if r0 > 0 else 1.0
        c1 = m1["chisq_scaling_factor"] if r1 > 0 else 1.0
        if m != 0:
            cd = (r0 * c0 - r1 * c1) / m
            cd = cd if cd >= 0 else float("nan")
            out["scaling_factor"] = cd
            out["chisq"] = (T0 - T1) / cd
    elif m > 0:
        out["rmsea"] = rmsea_of(T0 - T1, m, m0["ntotal"])
    out["pvalue"] = float(chi2_sf(out["chisq"], m)) if m > 0 and math.isfinite(out["chisq"]) else float("nan")
    return out


def _free_rows(fit: SEMFit) -> set[tuple[str, str, str]]:
    rows = set()
    for p in fit.table.params:
        if p.free and p.op in ("=~", "~", "~~", "~1"):
            lhs, rhs = (sorted((p.lhs, p.rhs)) if p.op == "~~" else (p.lhs, p.rhs))
            rows.add((lhs, p.op, rhs))
    return rows


def _fit_row(name: str, fit: SEMFit, robust: bool) -> dict[str, Any]:
    row: dict[str, Any] = {"model": name}
    for key in _MODEL_KEYS:
        if key in fit.measures:
            row[key] = float(fit.measures[key])
    row["converged"] = bool(fit.converged)
    row["cfi_used"] = row.get("cfi_robust" if robust else "cfi", float("nan"))
    row["rmsea_used"] = row.get("rmsea_robust" if robust else "rmsea", float("nan"))
    return row


def compare_sem(fits: Sequence[tuple[str, SEMFit]], alpha: float = CHISQ_DIFF_P.value) -> dict[str, Any]:
    """Compare the first fit (the main model) with each of the others.

    Returns ``{"models": [...], "comparisons": [...], "preferred": {"aic": name, "bic": name}}``.
    ``models`` rows hold lavaan's fit measures of each model (``chisq, df, pvalue, cfi, tli,
    rmsea, srmr, aic, bic, logl, npar, ntotal`` and under MLR ``chisq_scaled``,
    ``chisq_scaling_factor``, ``cfi_robust``, ``rmsea_robust``); ``cfi_used``/``rmsea_used`` are
    the indices the deltas use (the robust ones under MLR). Each ``comparisons`` row pairs the main
    model with one alternative: ``restricted`` and ``free`` (the model with more and fewer df,
    as lavTestLRT orders them), ``delta`` = :func:`chisq_difference` plus ``cfi``, ``rmsea``,
    ``srmr``, ``aic``, ``bic`` (restricted minus free), ``nested`` (``"parameter_subset"`` when
    the restricted model's free parameters are among the free model's, ``"assumed"`` otherwise:
    as in lavaan, nesting is then the user's claim, and ``"not_nested"`` with equal df, when no
    difference test applies), and the decisions: ``chisq_no_worse`` (p of at least ``alpha``),
    ``cfi_no_worse`` (delta CFI of at least -.01, Cheung & Rensvold, 2002), ``rmsea_no_worse``
    (delta RMSEA at most .015, Chen, 2007) and ``preferred`` (the restricted model when the chi-square
    test does not reject, else the free one; by BIC when the models are not nested). ``preferred``
    of the whole names the model with the smallest AIC and BIC (Akaike, 1974; Schwarz, 1978).
    """
    robust = any("cfi_robust" in f.measures for _, f in fits)
    models = [_fit_row(name, fit, robust) for name, fit in fits]
    main_name, main = fits[0]
    comparisons = []
    for (name, fit), row in zip(fits[1:], models[1:]):
        first, second = (main_name, main), (name, fit)
        if fit.measures["df"] > main.measures["df"]:
            first, second = second, first
        rows = {main_name: models[0], name: row}
        (r_name, r_fit), (f_name, f_fit) = first, second
        nested = "not_nested"
        delta: dict[str, Any]
        if r_fit.measures["df"] == f_fit.measures["df"]:
            delta = {"chisq": r_fit.measures["chisq"] - f_fit.measures["chisq"], "df": 0.0, "pvalue": float("nan"),
                     "method": "none", "scaling_factor": float("nan"), "rmsea": float("nan")}
        else:
            delta = chisq_difference(r_fit, f_fit)
            nested = "parameter_subset" if _free_rows(r_fit) <= _free_rows(f_fit) else "assumed"
        r, f = rows[r_name], rows[f_name]
        delta.update({"cfi": r["cfi_used"] - f["cfi_used"], "rmsea": r["rmsea_used"] - f["rmsea_used"],
                      "srmr": r["srmr"] - f["srmr"], "aic": r["aic"] - f["aic"], "bic": r["bic"] - f["bic"],
                      "rmsea_diff": delta.pop("rmsea")})
        chisq_ok = None if math.isnan(delta["pvalue"]) else bool(delta["pvalue"] >= alpha)
        if nested == "not_nested":
            preferred = r_name if r["bic"] <= f["bic"] else f_name
        else:
            preferred = r_name if chisq_ok else f_name if chisq_ok is False else None
        comparisons.append({
            "model": name, "against": main_name, "restricted": r_name, "free": f_name, "nested": nested,
            "delta": delta, "chisq_no_worse": chisq_ok, "cfi_no_worse": DELTA_CFI.passes(delta["cfi"]),
            "rmsea_no_worse": DELTA_RMSEA.passes(delta["rmsea"]), "preferred": preferred,
            "preferred_by": "bic" if nested == "not_nested" else "chisq"})
    finite = [m for m in models if math.isfinite(m.get("bic", float("nan")))]
    preferred = {k: min(finite, key=lambda m: m[k])["model"] for k in ("aic", "bic")} if finite else {}
    return {"models": models, "comparisons": comparisons, "preferred": preferred, "alpha": alpha,
            "robust": robust}


# --------------------------------------------------------------------------- PLS-SEM

def information_criteria(scores: pd.DataFrame, paths: Sequence[tuple[str, str]],
                         mse: dict[str, float] | None = None) -> list[dict[str, Any]]:
    """AIC, BIC and the Geweke-Meese criterion of each structural regression, from construct scores.

    For each endogenous construct with ``p`` antecedents, ``k = p + 1`` (the regressors and the
    constant), ``n`` respondents, ``R²`` of the OLS regression of its score on its antecedents'
    scores and ``SSE = (1 - R²)(n - 1)`` (the scores are standardized)::

        AIC = n ln(SSE / n) + 2k
        BIC = n ln(SSE / n) + k ln(n)
        GM  = SSE / MSE + k ln(n)

    as seminr 2.3 (``summary(pls)$it_criteria``, AIC and BIC) and cSEM 0.5
    (``calculateModelSelectionCriteria``, all three) implement Sharma et al. (2019, Table B1); ``MSE``
    is ``1 - R²`` of the same construct in the saturated model (``mse``; GM is NaN without it).
    AIC and BIC are checked against seminr 2.3's ``it_criteria`` (mobi: mode A, mode B, PLSc;
    corp_rep) and GM by hand (an OLS on the construct scores) in tests/test_model_comparison.py.

    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(1)
    >>> x = rng.normal(size=200); y = 0.5 * x + rng.normal(size=200)
    >>> s = pd.DataFrame({"X": x, "Y": y}); s = (s - s.mean()) / s.std()
    >>> row = information_criteria(s, [("X", "Y")])[0]
    >>> row["construct"], row["k"], round(row["bic"] - (200 * math.log((1 - row["r2"]) * 199 / 200) + 2 * math.log(200)), 9)
    ('Y', 2, 0.0)
    """
    n = len(scores)
    targets = list(dict.fromkeys(t for _, t in paths))
    out = []
    for target in targets:
        preds = [s for s, t in paths if t == target]
        y = scores[target].to_numpy(float)
        X = np.column_stack([np.ones(n)] + [scores[p].to_numpy(float) for p in preds])
        beta, *_ = np.linalg.lstsq(X, y, rcond=None)
        resid = y - X @ beta
        r2 = 1 - float(resid @ resid) / float(((y - y.mean()) ** 2).sum())
        sse = (1 - r2) * (n - 1)
        k = len(preds) + 1
        base = n * math.log(sse / n)
        m = (mse or {}).get(target, float("nan"))
        out.append({"construct": target, "predictors": preds, "n": n, "k": k, "r2": r2, "sse": sse,
                    "aic": base + 2 * k, "bic": base + k * math.log(n),
                    "gm": sse / m + k * math.log(n) if m and math.isfinite(m) else float("nan")})
    return out


def _causal_order(constructs: Sequence[str], paths: Sequence[tuple[str, str]]) -> list[str]:
    """The constructs in causal order (each after all its antecedents), questionnaire order among equals."""
    order, placed = [], set()
    remaining = list(constructs)
    while remaining:
        ready = [c for c in remaining if all(s in placed for s, t in paths if t == c)]
        if not ready:  # a loop: keep the questionnaire order for the rest
            ready = remaining[:1]
        order.append(ready[0])
        placed.add(ready[0])
        remaining.remove(ready[0])
    return order


def _structural_paths(statements, names: set[str]) -> list[tuple[str, str]]:
    return list(dict.fromkeys((s.rhs, s.lhs) for s in statements
                              if s.op == "~" and s.rhs in names and s.lhs in names))


def compare_pls(scored: pd.DataFrame, q: Questionnaire, settings: Settings,
                models: Sequence[tuple[str, Sequence]]) -> dict[str, Any]:
    """BIC and GM of each model's structural regressions (Sharma et al., 2019, 2021).

    Each model is estimated by PLS with the settings' weighting scheme and missing-data
    treatment. The saturated model that gives GM its error variance (as cSEM does) regresses every
    construct on all constructs before it in the main model's causal order. ``preferred`` names,
    for each construct that is endogenous in more than one model, the model with the smallest BIC
    and the one with the smallest GM (Sharma et al., 2019).
    """
    from .pls_stage import PLS
    # a higher-order construct enters as one composite of all its dimensions' items (its dimensions,
    # outside the structural models, are left out)
    dims = {d for c in q.higher_order for d in c.dimensions}
    kept = [c for c in q.constructs if c.id not in dims]
    constructs = [c.id for c in kept]
    names = set(constructs)
    blocks = {c.id: tuple(i.id for i in q.construct_items(c.id)) for c in kept}
    modes = {c.id: c.mode for c in kept}

    def scores_of(paths):
        fit = PLS(blocks, paths, modes).fit(scored, scheme=settings.pls_scheme, missing=settings.pls_missing)
        return pd.DataFrame(fit.estimate.scores, columns=list(fit.spec.constructs)), fit

    main_paths = _structural_paths(models[0][1], names)
    order = _causal_order(constructs, main_paths)
    saturated = [(a, b) for j, b in enumerate(order) for a in order[:j]]
    sat_scores, _ = scores_of(saturated)
    mse = {r["construct"]: 1 - r["r2"] for r in information_criteria(sat_scores, saturated)}
    rows = []
    for name, statements in models:
        paths = _structural_paths(statements, names)
        if not paths:
            continue
        scores, _ = scores_of(paths)
        for r in information_criteria(scores, paths, mse):
            rows.append({"model": name, **r})
    preferred: dict[str, dict[str, str]] = {}
    for construct in dict.fromkeys(r["construct"] for r in rows):
        mine = [r for r in rows if r["construct"] == construct]
        if len(mine) > 1:
            preferred[construct] = {k: min(mine, key=lambda r: r[k])["model"] for k in ("bic", "gm")}
    return {"rows": rows, "preferred": preferred, "saturated_order": order}


# --------------------------------------------------------------------------- the stage

@dataclass(frozen=True)
class ModelComparison:
    """The comparison of the questionnaire's model with its alternatives.

    ``cbsem`` is :func:`compare_sem`'s result (``None`` when CB-SEM did not run) and ``pls``
    :func:`compare_pls`'s (``None`` when PLS-SEM did not run); ``fits`` the CB-SEM fits by model
    name; ``notices`` what failed or needs saying.
    """

    cbsem: dict[str, Any] | None = None
    pls: dict[str, Any] | None = None
    fits: dict[str, SEMFit] = field(default_factory=dict, repr=False)
    notices: tuple[Notice, ...] = ()
    estimator: str = "ML"
    missing: str = "listwise"

    def to_json(self) -> dict[str, Any]:
        """results.json's ``model_comparison``: ``{"estimator", "missing", "cbsem", "pls"}``."""
        out: dict[str, Any] = {"estimator": self.estimator, "missing": self.missing}
        if self.cbsem is not None:
            out["cbsem"] = self.cbsem
        if self.pls is not None:
            out["pls"] = self.pls
        return out

    def summary(self) -> dict[str, pd.DataFrame]:
        """The comparison as data: ``models`` (fit per model), ``tests`` (the differences), ``pls``."""
        out = {}
        if self.cbsem is not None:
            out["models"] = pd.DataFrame(self.cbsem["models"]).set_index("model")
            out["tests"] = pd.DataFrame([{"model": c["model"], "restricted": c["restricted"], **c["delta"],
                                          "preferred": c["preferred"]} for c in self.cbsem["comparisons"]])
        if self.pls is not None:
            out["pls"] = pd.DataFrame(self.pls["rows"])
        return out

    def _repr_html_(self) -> str:
        return "".join(f"<h4>{name}</h4>" + frame.to_html(float_format=lambda v: f"{v:.3f}")
                       for name, frame in self.summary().items())


def compare_models(scored: pd.DataFrame, q: Questionnaire, settings: Settings,
                   main: SEMFit | None = None) -> ModelComparison | None:
    """Fit each alternative as the main model is fitted and compare (``None`` without alternatives).

    ``main`` is the already estimated main CB-SEM fit (refitted without a bootstrap when absent).
    A model that cannot be estimated becomes a notice; the others are still compared.
    """
    if not q.alternatives or not q.model:
        return None
    notices: list[Notice] = []
    models = [(MAIN_MODEL, q.sem_statements)] + [(a.name, a.sem_statements(q.constructs)) for a in q.alternatives]
    cbsem = None
    fits: dict[str, SEMFit] = {}
    if settings.runs_cb:
        for name, statements in models:
            try:
                if name == MAIN_MODEL and main is not None:
                    fits[name] = main
                else:
                    fits[name] = SEM(statements).fit(scored, missing=settings.cb_missing,
                                                     estimator=settings.estimator)
            except (DataError, ModelError) as exc:
                notices.append(Notice("comparison_failed", f"the model '{name}' could not be estimated for the "
                                      f"comparison: {exc}", name, {"model": name}))
        if MAIN_MODEL in fits and len(fits) > 1:
            cbsem = compare_sem([(n, fits[n]) for n, _ in models if n in fits], settings.alpha)
            for c in cbsem["comparisons"]:
                if c["delta"]["df"] > 0 and c["delta"]["chisq"] < -(np.finfo(float).eps ** (1 / 3)):
                    notices.append(Notice("comparison_not_nested", f"the more restricted model "
                                          f"'{c['restricted']}' fits better than '{c['free']}': the two are not "
                                          "nested, or the estimation did not reach its optimum",
                                          c["model"], {"restricted": c["restricted"], "free": c["free"]}))
    pls = None
    if settings.runs_pls:
        try:
            pls = compare_pls(scored, q, settings, models)
        except (DataError, ModelError) as exc:
            notices.append(Notice("comparison_failed", f"the PLS comparison could not be estimated: {exc}",
                                  "pls", {"model": "PLS"}))
    return ModelComparison(cbsem, pls, fits, tuple(notices), settings.estimator, settings.cb_missing)
