"""The group comparison stage (``analyze --group COLUMN``), CB-SEM part.

Pure: takes the reverse-scored items, the group labels of the same respondents, the
questionnaire and the settings; returns :class:`GroupComparison`:

* the measurement invariance sequence of the CFA (:func:`~loyaltysurvey.analysis.invariance.measurement_invariance`);
* the equality of every structural path across groups, under equal loadings
  (:func:`~loyaltysurvey.analysis.invariance.path_equality`), when the questionnaire has a
  structural model;
* each group's own model (the full model, else the CFA) fitted separately, for the per-group
  estimates of results.json ``groups``.

PLS-SEM multigroup analysis (MICOM, PLS-MGA) is the stage of :mod:`loyaltysurvey.analysis.pls_groups`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Any, Sequence

import numpy as np
import pandas as pd

from ..errors import DataError, LoyaltySurveyError, Notice
from ..parallel import map_tasks
from ..questionnaire import Questionnaire
from ..sem import SEM, SEMFit
from ..settings import Settings
from .invariance import InvarianceResult, PathEquality, measurement_invariance, path_equality

__all__ = ["GroupComparison", "run_groups", "GROUP_COLUMN"]

#: The name of the group column added to the item frame handed to the multigroup fitter.
GROUP_COLUMN = "__group__"


@dataclass(frozen=True)
class GroupComparison:
    """What ``--group`` computed: ``invariance`` (the CFA's sequence), ``paths`` (equality of each
    structural path), ``group_fits`` (each group's own model: value -> SEMFit), ``nobs``,
    ``missing`` (the deletion the multigroup models used) and ``notices``."""

    column: str
    invariance: InvarianceResult
    paths: tuple[PathEquality, ...] = ()
    group_fits: dict[str, SEMFit] = field(default_factory=dict)
    nobs: dict[str, int] = field(default_factory=dict)
    missing: str = "listwise"
    notices: tuple[Notice, ...] = ()
    #: Construct -> {group: mean construct score} (the tracking table).
    means: dict[str, dict[str, float]] = field(default_factory=dict)
    #: The groups in their reading order for tracking (a demographic's coded values in the
    #: questionnaire's order; otherwise numbers by value, then text): waves in time order.
    order: tuple[str, ...] = ()

    def tracked_paths(self) -> dict[str, dict[str, float]]:
        """``"A -> B"`` -> {group: standardized path (std.all) of that group's own model}."""
        out: dict[str, dict[str, float]] = {}
        for value, fit in self.group_fits.items():
            est = fit.estimates()
            for lhs, rhs, std in est.loc[est["op"] == "~", ["lhs", "rhs", "std.all"]].itertuples(index=False):
                out.setdefault(f"{rhs} -> {lhs}", {})[value] = float(std)
        return out

    def to_json(self) -> dict[str, Any]:
        """results.json's ``invariance`` (list of levels), ``groups`` ({value: {n, sem}}) and
        ``group_comparison`` (the column, the decision, the path tests)."""
        groups = {}
        for value, n in self.nobs.items():
            entry: dict[str, Any] = {"n": n}
            if value in self.group_fits:
                entry["sem"] = self.group_fits[value].to_json()
            groups[value] = entry
        return {"invariance": self.invariance.to_json(), "groups": groups,
                "group_comparison": {"column": self.column, "estimator": self.invariance.estimator,
                                     "missing": self.missing, "highest_level": self.invariance.highest,
                                     "paths": [p.to_json() for p in self.paths],
                                     "tracking": {"groups": list(self.order or self.nobs), "means": self.means,
                                                  "paths": self.tracked_paths()}}}


def group_labels(column: str, series: pd.Series | None, q: Questionnaire) -> pd.Series:
    """The group of each respondent from a demographic or an export column; a clear error otherwise."""
    if series is None:
        demos = ", ".join(d.id for d in q.demographics) or "none"
        raise DataError(f"--group '{column}' is neither a demographic of the questionnaire ({demos}) nor a "
                        "column of the data")
    from ..settings import refuse_multiple_group
    refuse_multiple_group(q, column)
    return series.where(series.notna(), None)


def group_means(scores: pd.DataFrame, labels: pd.Series, groups: Sequence[str]) -> dict[str, dict[str, float]]:
    """Each construct's mean score in each group (respondents without a score left out): the tracking
    table of segments or survey waves.

    >>> scores = pd.DataFrame({"SAT": [4.0, 5.0, 2.0, None]})
    >>> group_means(scores, pd.Series(["w1", "w1", "w2", "w2"]), ["w1", "w2"])
    {'SAT': {'w1': 4.5, 'w2': 2.0}}
    """
    key = labels.astype(str).to_numpy()
    valid = labels.notna().to_numpy()
    out: dict[str, dict[str, float]] = {}
    for construct in scores.columns:
        column = scores[construct].to_numpy(dtype=float)
        out[construct] = {g: float(np.nanmean(column[valid & (key == g)])) if np.any(
            valid & (key == g) & ~np.isnan(column)) else float("nan") for g in groups}
    return out


def _own_fit(task: tuple[str, pd.DataFrame, str, str]) -> tuple[SEMFit | None, str | None]:
    """One group's own model: ``(fit, None)``, or ``(None, why)`` when it cannot be estimated."""
    model, data, missing, estimator = task
    try:
        return SEM(model).fit(data, missing=missing, estimator=estimator), None
    except LoyaltySurveyError as exc:
        return None, exc.detail


def run_groups(scored: pd.DataFrame, labels: pd.Series, q: Questionnaire, settings: Settings,
               scores: pd.DataFrame | None = None, executor: Any = None) -> GroupComparison:
    """Measurement invariance, equal paths and per-group models for the groups in ``labels``.

    ``labels`` is aligned with ``scored`` (one label per respondent, None for no answer). The
    multigroup models use the run's missing-data handling (listwise within groups, or FIML) and
    estimator (ML or MLR, MLR with FIML included), as each group's separate model does. The questionnaire's labels name
    hypotheses and defined effects, so here a label names a parameter within each group
    (``shared_labels=False``), not one parameter shared by all groups as in lavaan's syntax.
    The independent fits (the invariance levels after the first, the constrained path models,
    the groups' own models) run on ``executor`` (e.g. a Dask cluster) or in ``settings.jobs``
    worker processes, with results identical to a serial run.
    """
    column = settings.group or ""
    frame = scored.copy()
    frame[GROUP_COLUMN] = labels.to_numpy()
    notices: list[Notice] = []
    missing = settings.cb_missing
    try:
        inv = measurement_invariance(q.cfa_statements, frame, GROUP_COLUMN, estimator=settings.estimator,
                                     missing=missing, group_partial=settings.group_partial, shared_labels=False,
                                     jobs=settings.jobs, executor=executor)
    except LoyaltySurveyError as exc:
        raise type(exc)(f"--group {column}: {exc.detail.replace(repr(GROUP_COLUMN), repr(column))}") from None
    notices.extend(_rename(n, column) for n in inv.notices)
    paths: tuple[PathEquality, ...] = ()
    model = q.sem_statements if q.model else q.cfa_statements
    if q.model:
        try:
            paths = path_equality(model, frame, GROUP_COLUMN, estimator=settings.estimator, missing=missing,
                                  group_partial=settings.group_partial, alpha=settings.alpha,
                                  shared_labels=False, jobs=settings.jobs, executor=executor)
        except LoyaltySurveyError as exc:
            notices.append(Notice("group_paths_failed", f"the equality of the paths across groups could not be "
                                  f"tested: {exc.detail}", column, {"column": column}))
    subsets = [scored[(labels.astype(str) == value).to_numpy() & labels.notna().to_numpy()] for value in inv.groups]
    own = map_tasks(_own_fit, [(model, sub, settings.cb_missing, settings.estimator) for sub in subsets],
                    settings.jobs, executor)
    fits: dict[str, SEMFit] = {}
    for value, (fit, why) in zip(inv.groups, own):
        if fit is not None:
            fits[value] = fit
        else:
            notices.append(Notice("group_fit_failed", f"the model could not be estimated in group '{value}': "
                                  f"{why}", value, {"group": value, "column": column}))
    order = tracking_order(list(inv.nobs), q, column)
    means = group_means(scores, labels, order) if scores is not None else {}
    return GroupComparison(column, inv, paths, fits, dict(inv.nobs), missing, tuple(notices), means, order)


def tracking_order(groups: Sequence[str], q: Questionnaire, column: str) -> tuple[str, ...]:
    """Groups in reading order: a demographic's coded values as the questionnaire lists them, then
    the rest; numbers by value (waves 1, 2, 10), then text.

    >>> from loyaltysurvey.datasets import crm_questionnaire
    >>> tracking_order(["2", "1"], crm_questionnaire(), "gender"), tracking_order(["10", "2", "b"], crm_questionnaire(), "wave")
    (('1', '2'), ('2', '10', 'b'))
    >>> tracking_order(["30–44", "<30", "≥45"], crm_questionnaire(), "age")  # bands of numbers
    ('<30', '30–44', '≥45')
    """
    demo = next((d for d in q.demographics if d.id == column), None)
    listed = [v for v in (demo.values if demo is not None else {}) if v in groups]

    def key(g: str):
        try:
            return (0, float(g), g)
        except ValueError:
            band = _BAND.match(g)  # the bands of a demographic answered as a number: <30, 30–44, ≥45
            if band:
                return (0, float(band.group(2)) - (0.5 if band.group(1) == "<" else 0.0), g)
            return (1, 0.0, g)
    return tuple(listed + sorted((g for g in groups if g not in listed), key=key))


#: A band label of :func:`~loyaltysurvey.analysis.descriptives.banded_frequency_table`: its sign
#: (``<`` for the first band) and its first number.
_BAND = re.compile(r"^(<|≥|\[)?(-?\d+(?:\.\d+)?)(?:[–,)\s]|$)")


def _rename(notice: Notice, column: str) -> Notice:
    """Notices of the fitter name the internal group column; give them the user's column."""
    params = dict(notice.values)
    if params.get("column") == GROUP_COLUMN:
        params["column"] = column
    return replace(notice, message=notice.message.replace(GROUP_COLUMN, column),
                   subject=notice.subject.replace(GROUP_COLUMN, column), params=tuple(params.items()))
