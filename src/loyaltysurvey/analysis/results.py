"""The results of an analysis run, immutable, with their JSON form (CONTRACT's results.json)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Mapping

import numpy as np
import pandas as pd

from ..errors import Notice
from ..ingest import IngestResult
from ..questionnaire import Questionnaire
from ..pls import PLSFit
from ..settings import Settings
from .cbsem import CBSEMResults
from .checks import ConstructTests, MeasurementChecks
from .comparison import ModelComparison
from .exploratory import ExploratoryAnalysis
from .reliability import ScaleReliability

__all__ = ["AnalysisResults", "to_jsonable"]


def to_jsonable(value: Any) -> Any:
    """Plain JSON types at full precision; NaN and infinities become null.

    NumPy scalars become Python numbers, mappings dicts with text keys, tuples lists and a
    DataFrame ``{index: {column: value}}``; anything else is returned as it is.

    >>> import numpy as np
    >>> to_jsonable({"a": np.float64(0.5), "b": float("nan"), 1: (np.int64(2), np.bool_(True))})
    {'a': 0.5, 'b': None, '1': [2, True]}
    """
    if isinstance(value, float) or isinstance(value, np.floating):
        value = float(value)
        return value if math.isfinite(value) else None
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.bool_,)):
        return bool(value)
    if isinstance(value, Mapping):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v) for v in value]
    if isinstance(value, pd.DataFrame):
        return {str(i): to_jsonable(row.to_dict()) for i, row in value.iterrows()}
    return value


@dataclass(frozen=True)
class AnalysisResults:
    """Everything one ``analyze`` run computed. Renderers read this; they compute nothing.

    ``item_stats`` and ``construct_stats`` are :func:`~loyaltysurvey.analysis.descriptives.describe`
    tables (reverse-scored items); ``distribution`` the percent at each scale
    point of the answers as given; ``demographics`` maps a demographic id to
    its frequency table (of bands, with ``low`` and ``high``, for a demographic answered as a
    number: see ``demographic_summaries``). ``scored`` holds the reverse-scored item answers and ``scores``
    the construct scores; ``reliability`` maps a construct to its
    :class:`~loyaltysurvey.analysis.reliability.ScaleReliability`; ``normality`` holds the
    normality tests of items and constructs; ``checks`` the measurement checks (KMO, Bartlett,
    Harman, full-collinearity VIF, Mardia, missingness, Little's MCAR test) and
    ``construct_tests`` the tests of the construct scores (against the scale midpoint, Friedman's
    ranking), both ``None`` when not computed; ``comparison`` the comparison with the
    questionnaire's alternative models (``None`` without alternatives); ``efa`` the optional exploratory
    factor analysis (:class:`~loyaltysurvey.analysis.exploratory.ExploratoryAnalysis`, ``None`` unless
    asked); ``groups`` the CB-SEM group comparison
    (:class:`~loyaltysurvey.analysis.groups.GroupComparison`) of ``--group`` and ``pls_groups`` its PLS-SEM
    part (:class:`~loyaltysurvey.analysis.pls_groups.PLSGroupComparison`: MICOM, PLS-MGA); ``cbsem`` and ``pls`` are ``None`` when that
    method did not run; ``notices`` gathers the warnings of every stage; ``software`` the
    versions used. Made by :func:`~loyaltysurvey.analysis.pipeline.analyze_responses`.
    """

    questionnaire: Questionnaire
    ingest: IngestResult
    scored: pd.DataFrame
    scores: pd.DataFrame
    item_stats: pd.DataFrame
    construct_stats: pd.DataFrame
    distribution: pd.DataFrame
    demographics: Mapping[str, pd.DataFrame]
    reliability: Mapping[str, ScaleReliability]
    normality: Mapping[str, Mapping[str, float]] = field(default_factory=dict)
    cbsem: CBSEMResults | None = None
    pls: PLSFit | None = None
    notices: tuple[Notice, ...] = ()
    settings: Settings | None = None
    software: Mapping[str, str] = field(default_factory=dict)
    checks: MeasurementChecks | None = None
    construct_tests: ConstructTests | None = None
    comparison: ModelComparison | None = None
    efa: ExploratoryAnalysis | None = None
    groups: Any = None  # GroupComparison of analyze --group (CB-SEM), or None
    pls_groups: Any = None  # PLSGroupComparison of analyze --group (MICOM, PLS-MGA), or None
    #: The hypotheses tested on the PLS-SEM model when CB-SEM did not run (``--method pls``).
    pls_hypotheses: tuple = ()
    #: Demographics answered as a number and tabulated in bands: ``{id: {"n", "mean", "sd",
    #: "median", "min", "max", "integer", "edges"}}``
    #: (:func:`~loyaltysurvey.analysis.descriptives.banded_frequency_table`).
    demographic_summaries: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    @property
    def hypotheses(self) -> tuple:
        """The hypothesis tests of the run: CB-SEM's when it ran, else PLS-SEM's
        (:class:`~loyaltysurvey.analysis.hypotheses.HypothesisTest`)."""
        if self.cbsem is not None:
            return tuple(self.cbsem.hypotheses)
        return tuple(self.pls_hypotheses)

    def to_json(self) -> dict[str, Any]:
        """results.json: meta, the ingest ledger, descriptives, demographics, reliability, warnings and the models.

        ``screening`` sums up the respondent screening: respondents screened, flagged by any flag
        and excluded, the flags that excluded (``exclude``), and per flag the count flagged
        (``counts``) with its rule, threshold, and whether it could run and excluded.

        Reliability entries gain ``cr`` and ``ave`` from the CFA when CB-SEM ran; the CB-SEM
        parts come from :meth:`CBSEMResults.to_json` and PLS-SEM under ``pls``. Numbers at
        full precision, NaN as null (:func:`to_jsonable`).
        """
        q = self.questionnaire
        demographics = {}
        for key, table in self.demographics.items():
            demographics[key] = [to_jsonable(r) for r in table.to_dict(orient="records")]
        reliability = {}
        for cid, rel in self.reliability.items():
            entry = rel.to_json()
            if self.cbsem is not None:
                entry["cr"] = self.cbsem.cr.get(cid)
                entry["ave"] = self.cbsem.ave.get(cid)
            reliability[cid] = entry
        for c in q.higher_order:  # no items of its own: CR, AVE and the omegas of the CFA only
            entry = {"dimensions": list(c.dimensions)}
            if self.cbsem is not None and c.id in self.cbsem.higher_order:
                entry.update(self.cbsem.higher_order[c.id])
            reliability[c.id] = entry
        payload = {
            "meta": {"questionnaire": q.id, "settings": self.settings.to_json() if self.settings else {}, "software": dict(self.software)},
            "ingest": self.ingest.ledger.to_json(),
            "descriptives": {
                "items": self.item_stats.to_dict(orient="index"),
                "constructs": self.construct_stats.to_dict(orient="index"),
                "scale_points": {item: {str(p): v for p, v in row.items()}
                                 for item, row in self.distribution.to_dict(orient="index").items()},
                "normality": dict(self.normality),
            },
            "demographics": demographics,
            "demographic_summaries": {k: to_jsonable(dict(v)) for k, v in self.demographic_summaries.items()},
            "reliability": reliability,
            "warnings": [n.to_json() for n in self.notices],
        }
        screening = self.ingest.ledger.screening
        if screening is not None:  # the whole record (respondents by flag) is under ingest.screening
            payload["screening"] = {
                "screened": screening["screened"], "flagged": screening["flagged"],
                "excluded": screening["excluded"], "exclude": list(screening["exclude"]),
                "counts": {f: e["n"] for f, e in screening["flags"].items()},
                "flags": {f: {"available": e["available"], "n": e["n"], "excluded": e["excluded"],
                              "rule": e["rule"], "threshold": e["threshold"]}
                          for f, e in screening["flags"].items()}}
        if self.checks is not None:
            payload["checks"] = self.checks.to_json()
        if self.construct_tests is not None:
            payload["construct_tests"] = self.construct_tests.to_json()
        if self.efa is not None:
            payload["efa"] = self.efa.to_json()
        if self.cbsem is not None:
            payload.update(self.cbsem.to_json())
        if self.pls is not None:
            payload["pls"] = self.pls.to_json()
        if self.cbsem is None and self.pls_hypotheses:
            payload["hypotheses"] = [h.to_json() for h in self.pls_hypotheses]
        if self.comparison is not None:
            payload["model_comparison"] = self.comparison.to_json()
        if self.groups is not None:
            payload.update(self.groups.to_json())
        if self.pls_groups is not None:
            from .pls_groups import merge_groups_json
            merge_groups_json(payload, self.pls_groups)
        return to_jsonable(payload)
