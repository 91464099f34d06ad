"""The PLS-SEM stage of an analysis: the questionnaire's model estimated, bootstrapped and evaluated.

Thin: builds a :class:`~loyaltysurvey.pls.PLS` model from the questionnaire's constructs
and structural paths, then fits it (missing answers replaced by the item mean, seminr's
default, or the respondent dropped), bootstraps it with the settings' seed and workers,
and adds PLSpredict and the importance-performance map; the model's GoF, SRMR, NFI and
blindfolding Q² are judged against their thresholds here (:func:`pls_checks`).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Callable

import numpy as np
import pandas as pd

from ..pls import PLS, PLSFit
from ..questionnaire import Questionnaire
from ..settings import Settings
from ..errors import DataError, Notice
from ..thresholds import (ALPHA, AVE, CR, FORMATIVE_LOADING, GOF_BANDS, HTMT, LOADING_PLS, NFI_PLS, Q2_BANDS, Q2_BLINDFOLDING, Q2_PREDICT,
                          R2_BANDS, RHO_A, SRMR_PLS, VIF, f2_bands)

__all__ = ["first_stage_model", "observed_predictors", "pls_checks", "pls_model", "run_pls", "second_stage_data",
           "second_stage_model"]


def _structural_paths(q: Questionnaire) -> list[tuple[str, str]]:
    names = {c.id for c in q.constructs}
    return [(s.rhs, s.lhs) for s in q.model_statements if s.op == "~" and s.rhs in names and s.lhs in names]


def observed_predictors(q: Questionnaire) -> tuple[str, ...]:
    """The items and demographics the structural model uses as predictors of a construct, alone or
    in an interaction (``LOY ~ SAT + age + SAT:age``), in the order the model names them. PLS-SEM
    measures each by a single-item composite of its own name, as SmartPLS and seminr's
    ``single_item()`` do."""
    from ..sem.syntax import interaction_parts
    constructs = {c.id for c in q.constructs}
    observed = set(q.item_ids) | {d.id for d in q.demographics}
    out: list[str] = []
    for s in q.model_statements:
        if s.op == "~" and s.lhs in constructs:
            for name in interaction_parts(s.rhs) or (s.rhs,):
                if name not in constructs and name in observed and name not in out:
                    out.append(name)
    return tuple(out)


def pls_model(q: Questionnaire, interaction: str = "product_indicator") -> PLS:
    """The questionnaire's constructs and the structural paths between them as a PLS model.

    A higher-order construct is measured here by repeated indicators: all the items of its
    dimensions, with the paths HOC -> dimension (mode A, reflective-reflective) or dimension -> HOC
    (mode B, reflective-formative) added (Becker, Klein & Wetzels, 2012; Sarstedt et al., 2019).
    An item or a demographic that predicts a construct (a moderator such as age) is a single-item
    composite of its own name (:func:`observed_predictors`). Interactions (``A:B``) are interaction
    terms measured by ``interaction`` (:mod:`loyaltysurvey.pls.interaction`).
    """
    from ..sem.syntax import interaction_parts
    singles = observed_predictors(q)
    names = {c.id for c in q.constructs} | set(singles)

    def known(source: str) -> bool:
        parts = interaction_parts(source)
        return source in names or (parts is not None and set(parts) <= names)

    constructs = {c.id for c in q.constructs}
    paths = [(s.rhs, s.lhs) for s in q.model_statements if s.op == "~" and known(s.rhs) and s.lhs in constructs]
    for c in q.higher_order:
        paths = [((d, c.id) if c.mode == "B" else (c.id, d)) for d in c.dimensions] + paths
    blocks = {c.id: tuple(i.id for i in q.construct_items(c.id)) for c in q.constructs}
    blocks.update({name: (name,) for name in singles})
    modes = {c.id: c.mode for c in q.constructs}
    modes.update({name: "A" for name in singles})
    return PLS(blocks, paths, modes, interaction=interaction)


def first_stage_model(q: Questionnaire) -> PLS:
    """Stage 1 of the two-stage approach, which gives the dimensions' scores.

    ``two_stage`` (seminr's ``higher_composite``; the disjoint two-stage approach of Sarstedt et al.,
    2019): the higher-order construct is left out and each of its dimensions takes its place in the
    structural model (its antecedents point to every dimension, every dimension to its outcomes).
    ``embedded``: the repeated-indicators model (:func:`pls_model`). With several higher-order
    constructs the model is embedded as soon as one asks for it.
    """
    if any(c.hoc_approach == "embedded" for c in q.higher_order):
        return pls_model(q)
    hocs = {c.id: c.dimensions for c in q.higher_order}
    paths: list[tuple[str, str]] = []
    for a, b in _structural_paths(q):
        for x in hocs.get(a, (a,)):
            for y in hocs.get(b, (b,)):
                paths.append((x, y))
    lone = [d for ds in hocs.values() for d in ds if not any(d in pair for pair in paths)]
    if lone:  # a higher-order construct outside the structural model: its dimensions need neighbours
        return pls_model(q)
    first = [c for c in q.constructs if not c.dimensions]
    return PLS({c.id: c.item_ids for c in first}, paths, {c.id: c.mode for c in first})


def second_stage_data(q: Questionnaire, scored: pd.DataFrame, stage1: PLSFit, missing: str) -> pd.DataFrame:
    """The items of the constructs that are no dimension, and the dimensions' stage-1 scores (standardized,
    as seminr adds them to the data), one column named by each dimension's id."""
    used = stage1.indicators
    rows = scored[list(used)].dropna().index if missing in ("casewise", "listwise") else scored.index
    dims = [d for c in q.higher_order for d in c.dimensions]
    k = {c: i for i, c in enumerate(stage1.spec.constructs)}
    scores = pd.DataFrame(stage1.estimate.scores[:, [k[d] for d in dims]], columns=dims, index=rows)
    items = [i.id for c in q.constructs if not c.dimensions and c.id not in dims for i in c.items]
    return pd.concat([scored.loc[rows, items], scores], axis=1)


def second_stage_model(q: Questionnaire) -> PLS:
    """Stage 2: every higher-order construct measured by its dimensions' scores (in its own mode), the
    other constructs by their items, and the questionnaire's structural paths."""
    dims = {d for c in q.higher_order for d in c.dimensions}
    kept = [c for c in q.constructs if c.id not in dims]
    blocks = {c.id: (c.dimensions if c.dimensions else c.item_ids) for c in kept}
    paths = [(a, b) for a, b in _structural_paths(q) if a not in dims and b not in dims]
    return PLS(blocks, paths, {c.id: c.mode for c in kept})


def _nested(q: Questionnaire) -> list[str]:
    """Higher-order constructs whose dimensions include higher-order ones (third order and above)."""
    hocs = {c.id for c in q.higher_order}
    return [c.id for c in q.higher_order if any(d in hocs for d in c.dimensions)]


def _two_stage(q: Questionnaire) -> bool:
    """Two stages unless every higher-order construct asks for repeated indicators, or one is of third
    order (the two-stage models here have one level of dimensions)."""
    return bool(q.higher_order) and not _nested(q) and any(
        c.hoc_approach != "repeated_indicators" for c in q.higher_order)


def run_pls(scored: pd.DataFrame, q: Questionnaire, settings: Settings, executor: Any = None,
            progress: Callable[[int], Any] | None = None, early: Callable[[PLSFit], Any] | None = None) -> PLSFit:
    """Fit, bootstrap, PLSpredict and IPMA of the questionnaire's model (CONTRACT's ``pls`` block).

    With higher-order constructs estimated in two stages, stage 1 (:func:`first_stage_model`) is fitted
    and bootstrapped, its dimension scores become the indicators of the higher-order constructs in
    stage 2 (:func:`second_stage_model`), which is fitted and bootstrapped in turn with the stage-1
    scores held fixed (the two-stage approach's second model, as SmartPLS and seminr's
    ``higher_composite`` estimate it). The IPMA is left out then (the dimension scores are
    standardized, with no scale to rescale to).

    Interaction terms (``A:B``) are estimated by ``settings.pls_interaction`` and named ``A:B`` in
    the paths; an item or a demographic in the structural model (a moderator) is a single-item
    composite (:func:`observed_predictors`), so ``scored`` holds the demographics the model names
    (see :func:`loyaltysurvey.analysis.pipeline.analyze_responses`). An interaction the PLS model
    cannot hold (with a higher-order construct estimated in two stages) is left to CB-SEM, and a
    ``pls_interaction_skipped`` notice says so. The importance-performance map is not drawn for a
    model with interactions (its generated indicators have no scale); a demographic in it is
    rescaled by its observed minimum and maximum.

    ``early`` is called with the fit as it stands before PLSpredict (fitted, bootstrapped, with
    its IPMA; no prediction and no checks yet), so that its figures can be drawn while
    PLSpredict, the longest step of a run without resamples, is computed.
    """
    from ..sem.syntax import interaction_parts
    kw = dict(scheme=settings.pls_scheme, missing=settings.pls_missing, level=settings.level)
    model = None
    if not _two_stage(q):
        model = pls_model(q, settings.pls_interaction)
        fit = model.fit(scored, **kw)
        stage1 = None
    else:
        stage1 = first_stage_model(q).fit(scored, **kw)
        stage1 = stage1.bootstrap(settings.pls_bootstrap, seed=settings.seed, jobs=settings.jobs, executor=executor,
                                  progress=progress)
        fit = second_stage_model(q).fit(second_stage_data(q, scored, stage1, settings.pls_missing), **kw)
    fit = fit.bootstrap(settings.pls_bootstrap, seed=settings.seed, jobs=settings.jobs, executor=executor,
                        progress=progress)
    skipped = sorted({s.rhs for s in q.model_statements if s.op == "~" and interaction_parts(s.rhs)}
                     - set(model.interactions if model is not None else ()))
    fit = replace(fit, notices=fit.notices + tuple(Notice(
        "pls_interaction_skipped", f"the interaction '{term}' could not enter the PLS-SEM model (its higher-order "
        "constructs are estimated in two stages), so it is estimated by CB-SEM alone", term,
        {"term": term}) for term in skipped))
    nested = [h for h in _nested(q) if q.construct(h).hoc_approach != "repeated_indicators"]
    if nested:
        fit = replace(fit, notices=fit.notices + tuple(Notice(
            "pls_hoc_repeated_indicators", f"{h} has higher-order dimensions, which the two-stage approach does not "
            "handle here; it was estimated by repeated indicators instead", h, {"name": h}) for h in nested))
    if q.higher_order:
        approach = {c.id: {"dimensions": list(c.dimensions), "mode": c.mode,
                           "approach": "repeated_indicators" if stage1 is None else (
                               "embedded" if any(h.hoc_approach == "embedded" for h in q.higher_order)
                               else "two_stage")} for c in q.higher_order}
        fit = replace(fit, first_stage=stage1, higher_order=approach,
                      notices=fit.notices + (stage1.notices if stage1 is not None else ()))
    if model is not None and model.interactions:
        if early is not None:
            early(fit)
        fit = replace(fit, prediction=fit.predict(seed=settings.seed))
        return replace(fit, checks=pls_checks(fit), notices=fit.notices + _blindfolding_notices(fit))
    if stage1 is None:
        items = set(q.item_ids)
        low = [q.item(c).scale.min if c in items else float(np.nanmin(scored[c])) for c in fit.indicators]
        high = [q.item(c).scale.max if c in items else float(np.nanmax(scored[c])) for c in fit.indicators]
        importance = fit.ipma(settings.ipma_target, np.array(low, float), np.array(high, float))
    else:
        importance = None
    fit = replace(fit, importance=importance)
    if early is not None:
        early(fit)
    fit = replace(fit, prediction=fit.predict(seed=settings.seed))
    return replace(fit, checks=pls_checks(fit), notices=fit.notices + _blindfolding_notices(fit))


def _blindfolding_notices(fit: PLSFit) -> tuple[Notice, ...]:
    """What the reader of the Q² table should know about the blindfolding that was run."""
    bf = fit.blindfolding_result
    notices = []
    if bf["omission_distance"] != 7:
        notices.append(Notice("pls_blindfolding_distance", f"the omission distance D = 7 divides the number of "
                              f"respondents ({fit.n}), which would omit all of a respondent's answers to a construct "
                              f"in the same round; as Hair et al. (2017) ask, D = {bf['omission_distance']} was used "
                              "instead", "", {"n": fit.n, "distance": bf["omission_distance"]}))
    elif bf["whole_cases"]:
        notices.append(Notice("pls_blindfolding_whole", f"no omission distance from 5 to 12 leaves n = {fit.n} "
                              "undivided; each blindfolding round omitted all of a respondent's answers to a "
                              "construct at once, so the cross-validated communality is close to 0 by construction",
                              "", {"n": fit.n}))
    for c, v in bf["constructs"].items():
        if v["cv_redundancy"] != v["cv_redundancy"]:
            notices.append(Notice("pls_blindfolding_failed", f"a blindfolding round of {c} did not converge, so its "
                                  "Q² is missing", c, {"construct": c}))
    return tuple(notices)


def formative_constructs(fit: PLSFit) -> set[str]:
    """The model's formative (mode B) constructs."""
    return {c for c, m in zip(fit.spec.constructs, fit.spec.modes) if m == "B"}


def weak_formative_indicators(fit: PLSFit) -> list[str]:
    """Indicators of formative constructs that are candidates for removal (Hair et al., 2019): an
    outer weight whose bootstrap interval includes 0 (not significant) together with an outer
    loading below .50. Without resamples nothing was tested: empty."""
    formative = formative_constructs(fit)
    if not formative:
        return []
    loads = {(r["construct"], r["item"]): r["est"] for r in fit.loading_records}
    weak = []
    for w in fit.weight_records:
        lo, hi = w.get("ci_lower"), w.get("ci_upper")
        if w["construct"] not in formative or lo is None or hi is None or lo != lo or hi != hi:
            continue
        if lo <= 0 <= hi and FORMATIVE_LOADING.passes(loads.get((w["construct"], w["item"]), float("nan"))) is False:
            weak.append(w["item"])
    return weak


def pls_checks(fit: PLSFit) -> dict[str, list]:
    """What fails each PLS-SEM criterion (Hair et al., 2019), decided here from the thresholds module.

    ``loading``: items whose outer loading is below .708; ``alpha``, ``rho_a``, ``cr`` (rho_c):
    constructs below .70; ``ave``: below .50; ``htmt``: pairs above .85 (Henseler et al., 2015);
    ``vif``: paths whose antecedent VIF is 5 or more, ``item_vif``: items at 5 or more; ``q2``:
    indicators whose Q²_predict is not above 0 (Shmueli et al., 2019); ``q2_blindfolding``:
    constructs whose blindfolding Q² (cross-validated redundancy, D = 7) is not above 0 (Hair et
    al., 2017); ``model_fit``: ``srmr`` (``srmr_saturated``) when the estimated (saturated) PLS
    model's SRMR is not below .08 (Henseler et al., 2016), ``nfi`` (``nfi_saturated``) when its
    NFI is not above .90 (Bentler & Bonett, 1980). Empty lists: met.
    ``r2_band`` and ``f2_band`` name each R² (substantial/moderate/weak; Hair et al., 2019) and
    f² (large/medium/small; Cohen, 1988, and for an interaction term Kenny, 2018: see
    :func:`~loyaltysurvey.thresholds.f2_bands`); ``q2_band`` each Q² (large/medium/small above .50,
    .25, 0; none otherwise; Hair, Risher, et al., 2019) and ``gof_band`` the GoF (large/medium/
    small above .36, .25, .10, else negligible; Wetzels et al., 2009).
    """
    # An interaction term (A:B) is generated, not measured: the measurement criteria do not apply to
    # it or to its product indicators (Hair et al., 2022, ch. 7), nor does discriminant validity.
    # Nor do the reflective criteria (loadings, reliability, AVE, HTMT) apply to a formative (mode B)
    # construct, which is judged by its indicators' collinearity and its outer weights (Hair et al., 2019).
    names = list(fit.spec.constructs)
    formative = formative_constructs(fit)
    rel = {c: v for c, v in fit.evaluation["reliability"].items() if ":" not in c and c not in formative}
    measured = [c for c in names if ":" not in c and c not in formative]
    ht = fit.evaluation["htmt"]
    q2 = fit.blindfolding_result["constructs"]
    generated = {i for c in names if ":" in c for i in fit.spec.blocks[names.index(c)]}
    generated = {fit.indicators[i] for i in generated}
    return {
        "loading": [r["item"] for r in fit.loading_records if LOADING_PLS.passes(r["est"]) is False
                    and len(fit.spec.blocks[names.index(r["construct"])]) > 1 and ":" not in r["construct"]
                    and r["construct"] not in formative],
        "weight": weak_formative_indicators(fit),
        "alpha": [c for c, v in rel.items() if ALPHA.passes(v["alpha"]) is False],
        "rho_a": [c for c, v in rel.items() if RHO_A.passes(v["rho_a"]) is False],
        "cr": [c for c, v in rel.items() if CR.passes(v["rho_c"]) is False],
        "ave": [c for c, v in rel.items() if AVE.passes(v["ave"]) is False],
        "htmt": [[a, b] for i, a in enumerate(measured) for b in measured[i + 1:]
                 if HTMT.passes(ht.loc[a, b]) is False],
        "vif": [[a, t] for t, inner in fit.evaluation["vif"].items() for a, v in inner.items()
                if VIF.passes(v) is False],
        "item_vif": [i for c, inner in fit.evaluation["vif_items"].items() for i, v in inner.items()
                     if VIF.passes(v) is False and i not in generated],
        "q2": [i for i, v in (fit.prediction.items if fit.prediction else {}).items()
               if Q2_PREDICT.passes(v["q2_predict"]) is False],
        "r2_band": {c: R2_BANDS.band(v) for c, v in fit.evaluation["r2"].items()},
        "f2_band": {a: {b: f2_bands(a).band(v) for b, v in inner.items()} for a, inner in fit.evaluation["f2"].items()},
        "q2_blindfolding": [c for c, v in q2.items() if Q2_BLINDFOLDING.passes(v["cv_redundancy"]) is False],
        "q2_band": {c: Q2_BANDS.band(v["cv_redundancy"]) for c, v in q2.items()},
        "gof_band": GOF_BANDS.band(fit.gof),
        "model_fit": [k for k, cut in (("srmr", SRMR_PLS), ("srmr_saturated", SRMR_PLS), ("nfi", NFI_PLS),
                                       ("nfi_saturated", NFI_PLS)) if cut.passes(fit.model_fit[k]) is False],
    }
