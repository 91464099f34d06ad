"""One analysis run: from ingested responses to :class:`AnalysisResults`. Pure: no I/O."""

from __future__ import annotations

import math
import platform
from importlib import metadata
from typing import Any, Callable

import pandas as pd

from ..errors import DataError, Notice
from ..ingest import IngestResult
from ..questionnaire import Questionnaire
from ..settings import Settings
from ..parallel import one_blas_thread
from ..thresholds import ALPHA
from .cbsem import run_cbsem
from .comparison import compare_models
from .checks import construct_tests, measurement_checks
from .exploratory import run_efa
from .pls_stage import run_pls
from .descriptives import (band_of_each, banded, banded_frequency_table, describe, frequency_table,
                           multiple_response_table, scale_distribution)
from .normality import normality_table
from .reliability import ScaleReliability, scale_reliability
from .results import AnalysisResults
from .scoring import construct_scores, score_items

__all__ = ["analyze_responses"]


def _versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for name in ("loyaltysurvey", "numpy", "scipy", "pandas"):
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:  # pragma: no cover - running from a bare checkout
            out[name] = "unknown"
    return out


def _reliability(scored: pd.DataFrame, q: Questionnaire) -> tuple[dict[str, ScaleReliability], list[Notice]]:
    """Each construct's reliability, with notices for a low alpha and negative item-total correlations."""
    reliability, notices = {}, []
    for c in q.first_order:  # a higher-order construct has no items: its CR/AVE come from the CFA
        rel = scale_reliability(scored[list(c.item_ids)], c.id)
        reliability[c.id] = rel
        if len(c.items) > 1 and ALPHA.passes(rel.alpha) is False:
            notices.append(Notice("low_reliability", f"Cronbach's alpha of {c.id} is {rel.alpha:.2f}, below "
                                  f"{ALPHA.value:.2f}; look at the items with a low corrected item-total "
                                  "correlation", c.id,
                                  {"construct": c.id, "alpha": rel.alpha, "threshold": ALPHA.value}))
        for item_id, stats in rel.items.items():
            if not math.isnan(stats.r_drop) and stats.r_drop < 0:
                reverse = q.item(item_id).reverse
                hint = ("it is marked reverse-worded: check that it really is"
                        if reverse else "is it reverse-worded? then mark it 'reverse: true'")
                notices.append(Notice("negative_item_total", f"item {item_id} correlates negatively with the "
                                      f"rest of {c.id} (r = {stats.r_drop:.2f}); {hint}", item_id,
                                      {"item": item_id, "construct": c.id, "r": stats.r_drop,
                                       "advice": "check_reverse" if reverse else "mark_reverse"}))
    return reliability, notices


def _with_model_demographics(scored: pd.DataFrame, data: IngestResult, q: Questionnaire) -> pd.DataFrame:
    """The item answers plus the demographics the structural model names (a moderator such as
    ``LOY ~ SAT + age + SAT:age``), read as numbers; a demographic whose answers are not all
    numbers cannot enter the model (it would need coding first) and is refused with a DataError."""
    from ..sem.syntax import interaction_parts
    named = set()
    for s in q.model_statements:
        named.update({s.lhs, s.rhs} | set(interaction_parts(s.rhs) or ()))
    multiple = [d.id for d in q.demographics if d.id in named and d.multiple]
    if multiple:  # the loader refuses this at the model's line; a questionnaire built otherwise lands here
        raise DataError(f"the model uses the demographic '{multiple[0]}', a multi-select question (more than one "
                        "option per respondent); use one of its options as its own yes/no (0/1) column instead")
    wanted = [d.id for d in q.demographics if d.id in named and d.id in data.demographics]
    if not wanted:
        return scored
    extra = {}
    for did in wanted:
        raw = data.demographics[did]
        values = pd.to_numeric(raw, errors="coerce")
        if (values.isna() & raw.notna()).any():
            raise DataError(f"the model uses the demographic '{did}', whose answers are not all numbers; "
                            "code it as numbers (for example 0/1) to use it in the model")
        extra[did] = values.to_numpy(dtype=float)
    return scored.assign(**extra)


def analyze_responses(data: IngestResult, settings: Settings, *, executor: Any = None,
                      progress: Callable[[int], Any] | None = None,
                      early: Callable[[AnalysisResults], Any] | None = None) -> AnalysisResults:
    """Descriptives, demographics, reliability, the CB-SEM models and PLS-SEM, as ``settings`` say.

    ``executor`` (anything with ``map``, e.g. a dask ``Client``) runs resampling chunks remotely;
    ``progress`` is called with the number of resamples finished; ``early`` is called with the
    results so far, in which what is still to come is ``None``: before CB-SEM when there are
    demographics, once more before the group comparisons or PLS-SEM when they run, and with the
    PLS-SEM model before its PLSpredict (the command line starts drawing the finished sections'
    figures then).

    Items are reverse-scored and construct scores computed; then descriptives, the scale
    point distribution of the answers as given, demographics' frequency tables, reliability
    (with notices for a low alpha and negative corrected item-total correlations), normality
    tests, the measurement checks and construct-level tests
    (:func:`~loyaltysurvey.analysis.checks.measurement_checks`,
    :func:`~loyaltysurvey.analysis.checks.construct_tests`), and CB-SEM (:func:`~loyaltysurvey.analysis.cbsem.run_cbsem`) and/or PLS-SEM as
    ``settings.method`` says, the comparison of the model with the questionnaire's
    ``alternatives`` (:func:`~loyaltysurvey.analysis.comparison.compare_models`) when it declares any,
    and with ``settings.group`` the CB-SEM group comparison
    (:func:`~loyaltysurvey.analysis.groups.run_groups`) and, with PLS-SEM, MICOM and PLS-MGA
    (:func:`~loyaltysurvey.analysis.pls_groups.run_pls_groups`). A failed PLS estimation becomes a notice. The statistics of each
    stage are checked against their R references in the tests of that stage.

    >>> from loyaltysurvey.datasets import holzinger_swineford, hs_questionnaire
    >>> from loyaltysurvey.ingest import ingest
    >>> from loyaltysurvey.settings import Settings
    >>> q = hs_questionnaire()
    >>> data = ingest(q, holzinger_swineford()[[f"x{i}" for i in range(1, 10)]])
    >>> results = analyze_responses(data, Settings.resolve(q, method="cb"))
    >>> results.pls is None, sorted(results.reliability), [h.decision for h in results.cbsem.hypotheses]
    (True, ['speed', 'textual', 'visual'], ['supported', 'not_supported'])
    """
    with one_blas_thread():  # small matrices, many calls: see parallel.one_blas_thread
        return _analyze(data, settings, executor, progress, early)


def _analyze(data: IngestResult, settings: Settings, executor: Any,
             progress: Callable[[int], Any] | None, early: Callable[[AnalysisResults], Any] | None) -> AnalysisResults:
    q = data.questionnaire
    scored = score_items(data.responses, q)
    scores = construct_scores(scored, q)
    points = sorted({p for item in q.items for p in item.scale.points})
    reliability, notices = _reliability(scored, q)
    construct_stats = describe(scores)
    checks = measurement_checks(scored, scores, q)
    location = construct_tests(scores, construct_stats, q, settings.alpha)
    notices = list(data.warnings) + notices
    exploratory = None
    if settings.efa:
        exploratory, efa_notices = run_efa(scored, q, settings)
        notices.extend(efa_notices)
    demographic_notices: list = []
    demographics, demographic_summaries = _demographic_tables(q, data, demographic_notices)
    stated = dict(questionnaire=q, ingest=data, scored=scored, scores=scores, item_stats=describe(scored),
                  construct_stats=construct_stats, distribution=scale_distribution(data.responses, points),
                  demographics=demographics, reliability=reliability,
                  normality={**normality_table(scored), **normality_table(scores)}, settings=settings,
                  software=_versions(), checks=checks, construct_tests=location, efa=exploratory,
                  demographic_summaries=demographic_summaries)

    def so_far(cbsem: Any, pls: Any = None) -> None:
        early(AnalysisResults(cbsem=cbsem, pls=pls, comparison=None, groups=None, pls_groups=None,
                              notices=tuple(notices), **stated))

    cbsem = None
    if settings.runs_cb:
        if early is not None and demographics:  # their figures are drawn while CB-SEM runs
            so_far(None)
        cbsem = run_cbsem(_with_model_demographics(scored, data, q), q, settings, executor=executor,
                          progress=progress)
        notices.extend(cbsem.notices)
    if early is not None and (settings.group or settings.runs_pls):  # else nothing is left to overlap
        so_far(cbsem)
    groups = None
    if settings.group:
        from .groups import group_labels, run_groups
        labels = group_labels(settings.group, data.column(settings.group), q)
        demo = next((d for d in q.demographics if d.id == settings.group), None)
        if demo is not None and banded(demo, labels):  # an age in years: its bands are the groups
            labels = band_of_each(labels, demo.bins or None)
        if settings.runs_cb:
            try:
                groups = run_groups(scored, labels, q, settings, scores, executor=executor)
            except DataError as exc:
                if demo is None or not banded(demo, data.column(settings.group)) or "more respondents" not in exc.detail:
                    raise
                raise DataError(f"{exc.detail}; {demo.id} is grouped in the bands of its numbers: give it fewer, "
                                "wider bands with bins in the questionnaire (for example 'bins: [30, 45]')") from None
            notices.extend(groups.notices)
    pls_groups = None
    if settings.group and settings.runs_pls:
        from .pls_groups import run_pls_groups
        pls_groups = run_pls_groups(_with_model_demographics(scored, data, q), labels, q, settings,
                                    executor=executor, scores=scores)
        notices.extend(pls_groups.notices)
    pls = None
    if settings.runs_pls:
        try:
            # its figures are drawn while PLSpredict runs
            pls = run_pls(_with_model_demographics(scored, data, q), q, settings, executor=executor,
                          progress=progress, early=(lambda fit: so_far(cbsem, fit)) if early is not None else None)
            notices.extend(pls.notices)
        except DataError as exc:
            notices.append(Notice("pls_failed", f"the PLS path model could not be estimated: {exc}"))
    pls_hypotheses: tuple = ()
    if cbsem is None and pls is not None:  # --method pls: the hypotheses are tested on the PLS model
        from .hypotheses import test_pls_hypotheses
        pls_hypotheses = tuple(test_pls_hypotheses(q, pls, settings.alpha))
    comparison = compare_models(scored, q, settings, main=cbsem.sem if cbsem is not None else None)
    if comparison is not None:
        notices.extend(comparison.notices)
    notices.extend(demographic_notices)
    return AnalysisResults(cbsem=cbsem, pls=pls, comparison=comparison, notices=tuple(notices), groups=groups,
                           pls_groups=pls_groups, pls_hypotheses=pls_hypotheses, **stated)


def _demographic_tables(q: Questionnaire, data: IngestResult, notices: list) -> tuple[dict, dict]:
    """Each demographic's frequency table: a multiple-response table for a multi-select, bands of
    a demographic answered as a number (its ``bins``, or round ones when it has more than
    :data:`~loyaltysurvey.analysis.descriptives.MAX_CATEGORIES` distinct answers and no coded
    values), else one row per answer; and the summaries (mean, SD, ...) of the banded ones."""
    tables: dict = {}
    summaries: dict = {}
    for demo in q.demographics:
        if demo.id not in data.demographics:
            continue
        values = data.demographics[demo.id]
        if demo.multiple:
            tables[demo.id] = multiple_response_table(values, order=list(demo.values))
            continue
        if banded(demo, values):
            tables[demo.id], summaries[demo.id] = banded_frequency_table(values, demo.bins or None)
            continue
        if demo.bins:
            notices.append(Notice("bins_not_numeric",
                                  f"demographic '{demo.id}' has bins but not every answer is a number; its "
                                  "answers are tabulated as written", demo.id, {"demographic": demo.id}))
        tables[demo.id] = frequency_table(values, order=list(demo.values))
    return tables, summaries
