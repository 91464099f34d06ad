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
from ..thresholds import (ALPHA, AVE, CR, F2_BANDS, GOF_BANDS, HTMT, LOADING_PLS, NFI_PLS, Q2_BANDS, Q2_BLINDFOLDING,
                          Q2_PREDICT, R2_BANDS, RHO_A, SRMR_PLS, VIF)

__all__ = ["pls_checks", "pls_model", "run_pls"]


def pls_model(q: Questionnaire, interaction: str = "product_indicator") -> PLS:
    """The questionnaire's constructs and the structural paths between them as a PLS model.

    Interactions of two constructs (``A:B``) are interaction terms measured by ``interaction``
    (:mod:`loyaltysurvey.pls.interaction`)."""
    from ..sem.syntax import interaction_parts
    names = {c.id for c in q.constructs}

    def known(source: str) -> bool:
        parts = interaction_parts(source)
        return source in names or (parts is not None and set(parts) <= names)

    paths = [(s.rhs, s.lhs) for s in q.model_statements if s.op == "~" and known(s.rhs) and s.lhs in names]
    return PLS({c.id: c.item_ids for c in q.constructs}, paths, {c.id: c.mode for c in q.constructs},
               interaction=interaction)


def run_pls(scored: pd.DataFrame, q: Questionnaire, settings: Settings, executor: Any = None,
            progress: Callable[[int], Any] | None = None) -> PLSFit:
    """Fit, bootstrap, PLSpredict and IPMA of the questionnaire's model (CONTRACT's ``pls`` block).

    Interaction terms (``A:B`` of two constructs) are estimated by ``settings.pls_interaction``
    and named ``A:B`` in the paths; an interaction with a demographic or a single item that is not
    a construct is left to CB-SEM (a ``pls_interaction_skipped`` notice says so). The
    importance-performance map is not drawn for a model with interactions (its generated
    indicators have no scale).
    """
    from ..sem.syntax import interaction_parts
    model = pls_model(q, settings.pls_interaction)
    skipped = sorted({s.rhs for s in q.model_statements if s.op == "~" and interaction_parts(s.rhs)}
                     - set(model.interactions))
    fit = model.fit(scored, scheme=settings.pls_scheme, missing=settings.pls_missing, level=settings.level)
    fit = fit.bootstrap(settings.pls_bootstrap, seed=settings.seed, jobs=settings.jobs, executor=executor,
                        progress=progress)
    extra = tuple(Notice("pls_interaction_skipped", f"the interaction '{term}' involves a variable that is not a "
                         "construct; PLS-SEM estimates interactions of constructs only, so it is estimated by "
                         "CB-SEM alone", term, {"term": term}) for term in skipped)
    if model.interactions:
        fit = replace(fit, prediction=fit.predict(seed=settings.seed), notices=fit.notices + extra)
        return replace(fit, checks=pls_checks(fit), notices=fit.notices + _blindfolding_notices(fit))
    items = [q.item(c) for c in fit.indicators]
    importance = fit.ipma(settings.ipma_target, np.array([i.scale.min for i in items], float),
                          np.array([i.scale.max for i in items], float))
    fit = replace(fit, prediction=fit.predict(seed=settings.seed), importance=importance)
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
    f² (large/medium/small; Cohen, 1988); ``q2_band`` each Q² (large/medium/small above .50,
    .25, 0; none otherwise; Hair, Risher, et al., 2019) and ``gof_band`` the GoF (large/medium/
    small above .36, .25, .10, else negligible; Wetzels et al., 2009).
    """
    rel = fit.evaluation["reliability"]
    names = list(fit.spec.constructs)
    ht = fit.evaluation["htmt"]
    q2 = fit.blindfolding_result["constructs"]
    return {
        "loading": [r["item"] for r in fit.loading_records if LOADING_PLS.passes(r["est"]) is False
                    and len(fit.spec.blocks[names.index(r["construct"])]) > 1],
        "alpha": [c for c, v in rel.items() if ALPHA.passes(v["alpha"]) is False],
        "rho_a": [c for c, v in rel.items() if RHO_A.passes(v["rho_a"]) is False],
        "cr": [c for c, v in rel.items() if CR.passes(v["rho_c"]) is False],
        "ave": [c for c, v in rel.items() if AVE.passes(v["ave"]) is False],
        "htmt": [[a, b] for i, a in enumerate(names) for b in names[i + 1:] if HTMT.passes(ht.loc[a, b]) is False],
        "vif": [[a, t] for t, inner in fit.evaluation["vif"].items() for a, v in inner.items()
                if VIF.passes(v) is False],
        "item_vif": [i for c, inner in fit.evaluation["vif_items"].items() for i, v in inner.items()
                     if VIF.passes(v) is False],
        "q2": [i for i, v in (fit.prediction.items if fit.prediction else {}).items()
               if Q2_PREDICT.passes(v["q2_predict"]) is False],
        "r2_band": {c: R2_BANDS.band(v) for c, v in fit.evaluation["r2"].items()},
        "f2_band": {a: {b: F2_BANDS.band(v) for b, v in inner.items()} for a, inner in fit.evaluation["f2"].items()},
        "q2_blindfolding": [c for c, v in q2.items() if Q2_BLINDFOLDING.passes(v["cv_redundancy"]) is False],
        "q2_band": {c: Q2_BANDS.band(v["cv_redundancy"]) for c, v in q2.items()},
        "gof_band": GOF_BANDS.band(fit.gof),
        "model_fit": [k for k, cut in (("srmr", SRMR_PLS), ("srmr_saturated", SRMR_PLS), ("nfi", NFI_PLS),
                                       ("nfi_saturated", NFI_PLS)) if cut.passes(fit.model_fit[k]) is False],
    }
