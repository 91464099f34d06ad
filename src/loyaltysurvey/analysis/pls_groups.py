"""The group comparison stage (``analyze --group COLUMN``), PLS-SEM part: MICOM and PLS-MGA.

Pure: takes the reverse-scored items, the group labels of the same respondents, the
questionnaire and the settings; returns :class:`PLSGroupComparison`. The questionnaire's PLS
model (:func:`~loyaltysurvey.analysis.pls_stage.pls_model`) is estimated in each group with the
run's missing-data treatment (item means of the pooled sample, as seminr's ``estimate_pls_mga``
uses the pooled model's data, or casewise deletion) and bootstrapped with the run's
``pls_bootstrap`` resamples; every pair of groups is then compared by
:func:`~loyaltysurvey.pls.mga.compare_groups` (Henseler's MGA, permutation, parametric and
Welch-Satterthwaite tests of each path; MICOM steps 1-3) with ``settings.permutations`` label
permutations. Seeds derive from the run's seed (group ``k``'s bootstrap from ``[seed, 1, k]``,
pair ``m``'s permutations from ``[seed, 2, m]``), so a run is reproducible on any backend.
Groups with fewer than :data:`MIN_GROUP` respondents are left out with a notice.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from ..errors import LoyaltySurveyError, Notice
from ..pls.algorithm import fit_pls
from ..pls.mga import GroupModel, PairComparison, compare_groups, fit_group, group_pairs
from ..questionnaire import Questionnaire
from ..settings import Settings
from .pls_stage import pls_model

__all__ = ["MIN_GROUP", "PLSGroupComparison", "merge_groups_json", "run_pls_groups"]

#: The fewest respondents a group needs for its own PLS model (the pooled model's floor).
MIN_GROUP = 10


@dataclass(frozen=True)
class PLSGroupComparison:
    """What ``--group`` computed with PLS-SEM: each group's model, and MGA and MICOM per pair of groups."""

    column: str
    groups: dict[str, GroupModel] = field(default_factory=dict)
    pairs: tuple[PairComparison, ...] = ()
    permutations: int = 0
    bootstrap: int = 0
    seed: int | None = None
    alpha: float = 0.05
    level: float = 0.95
    missing: str = "mean"
    notices: tuple[Notice, ...] = ()
    #: Construct -> {group: mean construct score}, and the groups in reading order (waves in
    #: time order), as the CB-SEM group comparison's tracking table has them.
    means: dict[str, dict[str, float]] = field(default_factory=dict)
    order: tuple[str, ...] = ()

    @property
    def nobs(self) -> dict[str, int]:
        return {g: m.n for g, m in self.groups.items()}

    def tracked_paths(self) -> dict[str, dict[str, float]]:
        """``"A -> B"`` -> {group: that group's PLS path coefficient} (the paths in the model's order)."""
        out: dict[str, dict[str, float]] = {}
        for value, model in self.groups.items():
            for k, (source, target) in enumerate(model.spec.paths):
                out.setdefault(f"{source} -> {target}", {})[value] = model.path(k)
        return out

    def to_json(self) -> dict[str, Any]:
        """``groups_pls`` ({value: that group's pls block}), ``pls_mga`` (rows of every pair),
        ``micom`` ({construct: the first pair's MICOM}), ``micom_pairs`` (rows of every pair) and
        ``pls_group_comparison`` (column, permutations, bootstrap, seed, decisions' alpha)."""
        micom = {}
        if self.pairs:
            micom = {m.construct: m.to_json() for m in self.pairs[0].micom}
        return {
            "groups_pls": {g: m.to_json(self.level) for g, m in self.groups.items()},
            "pls_mga": [p.to_json() for pair in self.pairs for p in pair.paths],
            "micom": micom,
            "micom_pairs": [{"construct": m.construct, **m.to_json()} for pair in self.pairs for m in pair.micom],
            "pls_group_comparison": {
                "column": self.column, "groups": list(self.groups), "permutations": self.permutations,
                "bootstrap": self.bootstrap, "seed": self.seed, "alpha": self.alpha, "missing": self.missing,
                "failed_permutations": {f"{p.group_a} | {p.group_b}": p.failed for p in self.pairs},
                "tracking": {"groups": list(self.order or self.groups), "means": self.means,
                             "paths": self.tracked_paths()},
                "decision": "permutation test (Chin & Dibbern, 2010); MICOM: c_p > alpha (Henseler et al., 2016)"},
        }


def run_pls_groups(scored: pd.DataFrame, labels: pd.Series, q: Questionnaire, settings: Settings,
                   executor: Any = None, scores: pd.DataFrame | None = None) -> PLSGroupComparison | None:
    """Per-group PLS models, PLS-MGA and MICOM for the groups in ``labels`` (None without two usable groups).

    ``labels`` is aligned with ``scored`` (None for no answer: the respondent is left out);
    ``scores`` (the construct scores, aligned too) give the tracking table's means per group.
    """
    column = settings.group or ""
    model = pls_model(q, settings.pls_interaction)
    columns = list(model.indicators)
    generated = {c for term in model.interactions for c in model.constructs[term]}
    frame = scored[[c for c in columns if c not in generated]].astype(float)
    keep = labels.notna().to_numpy()
    if settings.pls_missing == "casewise":
        keep &= frame.notna().all(axis=1).to_numpy()
    else:
        frame = frame.fillna(frame.mean())
    lab = labels[keep].astype(str).to_numpy()
    if model.interactions:  # the interaction terms' columns, generated once from the pooled data
        X_all = model._with_interactions(frame.loc[keep], settings.pls_scheme)[columns].to_numpy()
    else:
        X_all = frame[columns].to_numpy()[keep]
    notices: list[Notice] = []
    values = []
    for value in pd.unique(lab):
        n = int((lab == value).sum())
        if n < MIN_GROUP:
            notices.append(Notice("pls_group_too_small", f"group '{value}' has {n} respondents, too few for its "
                                  f"own PLS model (at least {MIN_GROUP}); it is left out of MICOM and PLS-MGA",
                                  value, {"group": value, "n": n, "minimum": MIN_GROUP, "column": column}))
        else:
            values.append(str(value))
    from .groups import group_means, tracking_order
    # the groups, and so each pair's first and second group, in the reading order of every group table
    values = list(tracking_order(values, q, column))
    spec = model.spec(settings.pls_scheme)
    seed = settings.seed
    groups: dict[str, GroupModel] = {}
    for k, value in enumerate(values):
        try:
            groups[value] = fit_group(X_all[lab == value], spec, value, settings.pls_bootstrap, [seed, 1, k],
                                      jobs=settings.jobs, executor=executor, indicators=columns)
        except LoyaltySurveyError as exc:
            notices.append(Notice("pls_group_failed", f"the PLS model could not be estimated in group '{value}': "
                                  f"{exc.detail}", value, {"group": value, "column": column}))
    for value, g in groups.items():
        if not g.estimate.converged:
            notices.append(Notice("pls_group_not_converged", f"the PLS algorithm did not converge in group "
                                  f"'{value}'", value, {"group": value, "column": column}))
    pairs = []
    for m, (a, b) in enumerate(group_pairs(list(groups))):
        rows = (lab == a) | (lab == b)
        X = X_all[rows]
        mask = lab[rows] == a
        pooled = fit_pls(X, spec)
        pair = compare_groups(X, spec, mask, groups[a], groups[b], pooled.weights, settings.permutations,
                              [seed, 2, m], alpha=settings.alpha, jobs=settings.jobs, executor=executor)
        if pair.failed:
            notices.append(Notice("pls_permutations_failed", f"{pair.failed} of {pair.permutations} permutations "
                                  f"of groups '{a}' and '{b}' could not be estimated and were left out", a,
                                  {"failed": pair.failed, "permutations": pair.permutations, "group_a": a,
                                   "group_b": b}))
        pairs.append(pair)
    if len(groups) < 2:
        notices.append(Notice("pls_groups_too_few", f"fewer than two groups of '{column}' can be compared with "
                              "PLS-SEM; MICOM and PLS-MGA were not run", column, {"column": column}))
    order = tracking_order(list(groups), q, column)
    means = group_means(scores, labels, order) if scores is not None else {}
    return PLSGroupComparison(column, groups, tuple(pairs), settings.permutations, settings.pls_bootstrap, seed,
                              settings.alpha, settings.level, settings.pls_missing, tuple(notices), means, order)


def merge_groups_json(payload: dict[str, Any], comparison: PLSGroupComparison) -> None:
    """Put the PLS part into results.json: ``groups[value]["pls"]`` beside the CB-SEM part, and the
    ``pls_mga``, ``micom``, ``micom_pairs`` and ``pls_group_comparison`` keys."""
    out = comparison.to_json()
    groups = payload.setdefault("groups", {})
    for value, block in out.pop("groups_pls").items():
        entry = groups.setdefault(value, {"n": block["n"]})
        entry["pls"] = block
    payload.update(out)
