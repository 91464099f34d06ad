"""One analysis run: from ingested responses to :class:`AnalysisResults`. Pure: no I/O."""

from __future__ import annotations

import platform
from importlib import metadata
from typing import Any, Mapping

from ..errors import DataError
from ..errors import Notice
from ..ingest import IngestResult
from .cbsem import run_cbsem
from .descriptives import describe, frequency_table, scale_distribution
from .normality import normality_table
from .reliability import scale_reliability
from .results import AnalysisResults
from .scoring import construct_scores, score_items

__all__ = ["analyze_responses", "ALPHA_THRESHOLD"]

#: Nunnally & Bernstein (1994): alpha of .70 for research use.
ALPHA_THRESHOLD = 0.70


def _versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for name in ("loyaltysurvey", "numpy", "scipy", "pandas"):
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:  # pragma: no cover - running from a bare checkout
            out[name] = "unknown"
    return out


def analyze_responses(data: IngestResult, settings: Mapping[str, Any] | None = None, *, executor=None,
                      progress=None) -> AnalysisResults:
    """Descriptives, demographics, reliability, and the CB-SEM models (CFA, SEM, effects, hypotheses).

    ``executor`` (anything with ``map``, e.g. a dask ``Client``) runs bootstrap chunks remotely;
    ``progress`` is called with the number of resamples finished.
    """
    q = data.questionnaire
    scored = score_items(data.responses, q)
    scores = construct_scores(scored, q)
    points = sorted({p for item in q.items for p in item.scale.points})
    notices = list(data.warnings)
    reliability = {}
    for c in q.constructs:
        rel = scale_reliability(scored[list(c.item_ids)], c.id)
        reliability[c.id] = rel
        if len(c.items) > 1 and rel.alpha == rel.alpha and rel.alpha < ALPHA_THRESHOLD:
            notices.append(Notice("low_reliability", f"Cronbach's alpha of {c.id} is {rel.alpha:.2f}, below "
                                  f"{ALPHA_THRESHOLD:.2f}; look at the items with a low corrected item-total "
                                  "correlation", c.id))
        for item_id, stats in rel.items.items():
            if stats.r_drop == stats.r_drop and stats.r_drop < 0:
                reverse = q.item(item_id).reverse
                hint = ("it is marked reverse-worded: check that it really is"
                        if reverse else "is it reverse-worded? then mark it 'reverse: true'")
                notices.append(Notice("negative_item_total", f"item {item_id} correlates negatively with the "
                                      f"rest of {c.id} (r = {stats.r_drop:.2f}); {hint}", item_id))
    cbsem = None
    settings = dict(settings or {})
    if settings.get("method", "cb") in ("cb", "both"):
        missing = settings.get("missing", "listwise")
        cbsem = run_cbsem(scored, q, "listwise" if missing == "mean" else missing,
                          settings.get("estimator", "ML"), bootstrap=settings.get("bootstrap") or 0,
                          seed=settings.get("seed"), jobs=settings.get("jobs", 1),
                          executor=executor, progress=progress)
        notices.extend(cbsem.notices)
    pls = None
    if settings.get("method") in ("pls", "both") and q.model:
        from .pls_stage import run_pls
        missing = settings.get("missing", "mean")
        pls_missing = "casewise" if settings.get("method") == "pls" and missing == "listwise" else "mean"
        boot = settings.get("bootstrap")
        try:
            pls = run_pls(scored, q, pls_missing, 5000 if boot is None else boot, settings.get("seed"),
                          settings.get("jobs", 1), scheme=settings.get("pls_scheme") or "path",
                          ipma_target=settings.get("ipma_target"))
            notices.extend(pls.notices)
        except DataError as exc:
            notices.append(Notice("pls_failed", f"the PLS path model could not be estimated: {exc}"))
    demographics = {}
    for demo in q.demographics:
        if demo.id in data.demographics:
            demographics[demo.id] = frequency_table(data.demographics[demo.id], order=list(demo.values))
    return AnalysisResults(
        questionnaire=q, ingest=data, scored=scored, scores=scores,
        item_stats=describe(scored), construct_stats=describe(scores),
        distribution=scale_distribution(data.responses, points), demographics=demographics,
        reliability=reliability, normality={**normality_table(scored), **normality_table(scores)},
        cbsem=cbsem, pls=pls, notices=tuple(notices), settings=settings,
        software=_versions())
