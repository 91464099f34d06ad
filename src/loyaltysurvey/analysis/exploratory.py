"""The optional exploratory factor analysis of a study (``--efa``; results.json key ``efa``).

:func:`run_efa` runs Horn's parallel analysis on all the questionnaire's items (reverse-worded
items reversed), then an exploratory factor analysis with the number of factors the parallel
analysis suggests (or the number asked for), and judges each item's loadings against the
thresholds of :mod:`loyaltysurvey.thresholds` (``EFA_LOADING_SHOWN``, ``EFA_LOADING``). The
statistics themselves come from :mod:`loyaltysurvey.analysis.efa` (checked against psych).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from ..errors import DataError, Notice
from ..thresholds import EFA_LOADING, EFA_LOADING_SHOWN
from .efa import EFAResult, ParallelResult, efa, parallel_analysis

__all__ = ["ExploratoryAnalysis", "run_efa"]


@dataclass(frozen=True)
class ExploratoryAnalysis:
    """Parallel analysis, the factor solution and the judgement of each item.

    ``n_factors_source`` is ``"parallel"`` (the number parallel analysis suggested),
    ``"parallel_none"`` (it suggested none, and one factor was extracted) or ``"user"``. ``items`` maps each item to ``factor`` (its largest absolute loading),
    ``loading``, ``salient`` (that loading reaches ``EFA_LOADING``, .50) and
    ``cross_loadings`` (the other factors it loads on at ``EFA_LOADING_SHOWN``, .30, or more).
    """

    parallel: ParallelResult
    fit: EFAResult
    n_factors_source: str
    items: dict[str, dict[str, Any]]

    @property
    def weak_items(self) -> list[str]:
        """Items without a loading of .50 or more (Hair et al., 2019)."""
        return [i for i, v in self.items.items() if not v["salient"]]

    @property
    def cross_loading_items(self) -> list[str]:
        """Items loading .30 or more on more than one factor (Hair et al., 2019)."""
        return [i for i, v in self.items.items() if v["cross_loadings"]]

    def to_json(self) -> dict[str, Any]:
        """results.json ``efa``: parallel analysis, the solution, the item judgements, the thresholds."""
        pa, fit = self.parallel, self.fit
        return {
            "parallel": {"observed_pc": list(pa.observed_pc), "observed_fa": list(pa.observed_fa),
                         "simulated_pc": list(pa.simulated_pc), "simulated_fa": list(pa.simulated_fa),
                         "quantile_pc": list(pa.quantile_pc), "quantile_fa": list(pa.quantile_fa),
                         "n_factors": pa.n_factors, "n_components": pa.n_components,
                         "iterations": pa.iterations, "quantile": pa.quantile, "seed": pa.seed},
            "method": fit.method, "rotation": fit.rotation, "n_factors": fit.n_factors,
            "n_factors_source": self.n_factors_source, "n_obs": fit.n_obs,
            "loadings": {i: row.to_dict() for i, row in fit.loadings.iterrows()},
            "communalities": fit.communalities.to_dict(), "uniquenesses": fit.uniquenesses.to_dict(),
            "variance": {f: fit.variance[f].to_dict() for f in fit.variance.columns},
            "phi": None if fit.phi is None else {f: row.to_dict() for f, row in fit.phi.iterrows()},
            "fit": {"chisq": fit.chisq, "dof": fit.dof, "pvalue": fit.pvalue, "rmsea": fit.rmsea, "tli": fit.tli},
            "converged": fit.converged,
            "items": self.items,
            "thresholds": {"shown": EFA_LOADING_SHOWN.value, "salient": EFA_LOADING.value,
                           "source": EFA_LOADING.source},
        }


def _judge(loadings: pd.DataFrame) -> dict[str, dict[str, Any]]:
    out = {}
    for item, row in loadings.iterrows():
        absolute = row.abs()
        factor = str(absolute.idxmax())
        others = [str(f) for f, v in absolute.items() if f != factor and EFA_LOADING_SHOWN.passes(float(v))]
        out[str(item)] = {"factor": factor, "loading": float(row[factor]),
                          "salient": bool(EFA_LOADING.passes(float(absolute[factor]))), "cross_loadings": others}
    return out


def run_efa(scored: pd.DataFrame, questionnaire: Any, settings: Any) -> tuple[ExploratoryAnalysis | None, list[Notice]]:
    """Parallel analysis, then EFA of all the questionnaire's items, as ``settings`` say.

    ``settings.efa_factors`` (None: parallel analysis decides, at least one factor),
    ``efa_method``, ``efa_rotation``, ``efa_iterations`` and ``seed``. Returns the analysis
    and notices (``efa_failed`` when the correlations cannot be factored, ``efa_too_many``
    when more factors are asked for than the items allow).

    >>> from loyaltysurvey.datasets import holzinger_swineford, hs_questionnaire
    >>> from loyaltysurvey.settings import Settings
    >>> q = hs_questionnaire()
    >>> result, notes = run_efa(holzinger_swineford()[[f"x{i}" for i in range(1, 10)]], q,
    ...                         Settings.resolve(q, efa=True))
    >>> result.fit.n_factors, result.n_factors_source, result.items["x1"]["factor"]  # psych: 3 factors
    (3, 'parallel', 'F2')
    """
    items = [item.id for c in questionnaire.constructs for item in c.items]
    items = list(dict.fromkeys(i for i in items if i in scored.columns))
    data = scored[items].astype(float)
    notices: list[Notice] = []
    try:
        pa = parallel_analysis(data, iterations=settings.efa_iterations, seed=settings.seed)
    except DataError as exc:
        return None, [Notice("efa_failed", f"the exploratory factor analysis could not be computed: {exc}")]
    p = len(items)
    if settings.efa_factors is not None:
        k, source = int(settings.efa_factors), "user"
    elif pa.n_factors >= 1:
        k, source = pa.n_factors, "parallel"
    else:  # no factor stands above chance: one is still extracted, and the chapter says so
        k, source = 1, "parallel_none"
    if k > p - 1:
        notices.append(Notice("efa_too_many", f"{k} factors cannot be extracted from {p} items; "
                              f"{p - 1} were extracted", params={"asked": k, "items": p, "used": p - 1}))
        k = p - 1
    if k < 1:
        return None, [Notice("efa_failed", "the exploratory factor analysis needs at least two items")]
    fit = efa(data, k, method=settings.efa_method, rotation=settings.efa_rotation)
    if not fit.converged:
        notices.append(Notice("efa_not_converged", "the exploratory factor analysis did not converge; "
                              "try fewer factors or another method"))
    judged = _judge(fit.loadings)
    return ExploratoryAnalysis(parallel=pa, fit=fit, n_factors_source=source, items=judged), notices

