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

from dataclasses import dataclass, field, replace
from typing import Any

import pandas as pd

from ..errors import DataError, LoyaltySurveyError, Notice
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
                                     "paths": [p.to_json() for p in self.paths]}}


def group_labels(column: str, series: pd.Series | None, q: Questionnaire) -> pd.Series:
    """The group of each respondent from a demographic or an export column; a clear error otherwise."""
    if series is None:
        demos = ", ".join(d.id for d in q.demographics) or "none"
        raise DataError(f"--group '{column}' is neither a demographic of the questionnaire ({demos}) nor a "
                        "column of the data")
    return series.where(series.notna(), None)


def run_groups(scored: pd.DataFrame, labels: pd.Series, q: Questionnaire, settings: Settings) -> GroupComparison:
    """Measurement invariance, equal paths and per-group models for the groups in ``labels``.

    ``labels`` is aligned with ``scored`` (one label per respondent, None for no answer). The
    multigroup models use the run's missing-data handling (listwise within groups, or FIML), except
    MLR with FIML, which is not implemented for groups: they then use listwise deletion and a
    notice says so. Each group's separate model uses the run's own missing-data handling and
    estimator. The questionnaire's labels name
    hypotheses and defined effects, so here a label names a parameter within each group
    (``shared_labels=False``), not one parameter shared by all groups as in lavaan's syntax.
    """
    column = settings.group or ""
    frame = scored.copy()
    frame[GROUP_COLUMN] = labels.to_numpy()
    notices: list[Notice] = []
    missing = settings.cb_missing
    if missing == "fiml" and settings.estimator == "MLR":
        missing = "listwise"
        notices.append(Notice("groups_listwise", "the multigroup models (measurement invariance, equal paths) "
                              "use listwise deletion within groups: MLR with FIML and groups is not available",
                              column, {"column": column}))
    try:
        inv = measurement_invariance(q.cfa_statements, frame, GROUP_COLUMN, estimator=settings.estimator,
                                     missing=missing, group_partial=settings.group_partial, shared_labels=False)
    except LoyaltySurveyError as exc:
        raise type(exc)(f"--group {column}: {exc.detail}") from None
    notices.extend(_rename(n, column) for n in inv.notices)
    paths: tuple[PathEquality, ...] = ()
    model = q.sem_statements if q.model else q.cfa_statements
    if q.model:
        try:
            paths = path_equality(model, frame, GROUP_COLUMN, estimator=settings.estimator, missing=missing,
                                  group_partial=settings.group_partial, alpha=settings.alpha,
                                  shared_labels=False)
        except LoyaltySurveyError as exc:
            notices.append(Notice("group_paths_failed", f"the equality of the paths across groups could not be "
                                  f"tested: {exc.detail}", column, {"column": column}))
    fits: dict[str, SEMFit] = {}
    for value in inv.groups:
        sub = scored[(labels.astype(str) == value).to_numpy() & labels.notna().to_numpy()]
        try:
            fits[value] = SEM(model).fit(sub, missing=settings.cb_missing, estimator=settings.estimator)
        except LoyaltySurveyError as exc:
            notices.append(Notice("group_fit_failed", f"the model could not be estimated in group '{value}': "
                                  f"{exc.detail}", value, {"group": value, "column": column}))
    return GroupComparison(column, inv, paths, fits, dict(inv.nobs), missing, tuple(notices))


def _rename(notice: Notice, column: str) -> Notice:
    """Notices of the fitter name the internal group column; give them the user's column."""
    params = dict(notice.values)
    if params.get("column") == GROUP_COLUMN:
        params["column"] = column
    return replace(notice, message=notice.message.replace(GROUP_COLUMN, column),
                   subject=notice.subject.replace(GROUP_COLUMN, column), params=tuple(params.items()))
