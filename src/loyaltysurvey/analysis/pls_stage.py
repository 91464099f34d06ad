"""The PLS-SEM stage of an analysis: the questionnaire's model estimated, bootstrapped and evaluated.

Thin: builds a :class:`~loyaltysurvey.pls.PLS` model from the questionnaire's constructs
and structural paths, then fits it (missing answers replaced by the item mean, seminr's
default, or the respondent dropped), bootstraps it with the settings' seed and workers,
and adds PLSpredict and the importance-performance map.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Callable

import numpy as np
import pandas as pd

from ..pls import PLS, PLSFit
from ..questionnaire import Questionnaire
from ..settings import Settings

__all__ = ["pls_model", "run_pls"]


def pls_model(q: Questionnaire) -> PLS:
    """The questionnaire's constructs and the structural paths between them as a PLS model."""
    names = {c.id for c in q.constructs}
    paths = [(s.rhs, s.lhs) for s in q.model_statements if s.op == "~" and s.rhs in names and s.lhs in names]
    return PLS({c.id: c.item_ids for c in q.constructs}, paths, {c.id: c.mode for c in q.constructs})


def run_pls(scored: pd.DataFrame, q: Questionnaire, settings: Settings, executor: Any = None,
            progress: Callable[[int], Any] | None = None) -> PLSFit:
    """Fit, bootstrap, PLSpredict and IPMA of the questionnaire's model (CONTRACT's ``pls`` block)."""
    fit = pls_model(q).fit(scored, scheme=settings.pls_scheme, missing=settings.pls_missing, level=settings.level)
    fit = fit.bootstrap(settings.pls_bootstrap, seed=settings.seed, jobs=settings.jobs, executor=executor,
                        progress=progress)
    items = [q.item(c) for c in fit.indicators]
    importance = fit.ipma(settings.ipma_target, np.array([i.scale.min for i in items], float),
                          np.array([i.scale.max for i in items], float))
    return replace(fit, prediction=fit.predict(seed=settings.seed), importance=importance)
