"""Measurement invariance across groups and equality of structural paths (CB-SEM).

Pure: takes item data with a group column and lavaan syntax, returns frozen results.

:func:`measurement_invariance` fits the usual sequence of nested multigroup CFAs
(Vandenberg & Lance, 2000) with :class:`~loyaltysurvey.sem.multigroup.MultiGroupSEM`:

* ``configural``: the same factor structure in every group, nothing constrained;
* ``metric``: loadings equal (lavaan ``group.equal = "loadings"``);
* ``scalar``: loadings and intercepts equal (latent means free after the first group);
* ``strict``: loadings, intercepts and residual variances equal.

Each level is compared with the previous one: the chi-square difference (lavaan's
``lavTestLRT``: plain under ML, Satorra & Bentler's 2001 scaled difference under MLR),
ΔCFI, ΔRMSEA and ΔSRMR. A level holds when ΔCFI >= -.01 (Cheung & Rensvold, 2002) and
ΔRMSEA <= .015 (Chen, 2007); the chi-square difference (p >= .05) is reported with its own
verdict, as it rejects trivial differences in large samples (Cheung & Rensvold, 2002). The
configural level holds when the configural model fits acceptably (CFI >= .90 and RMSEA <= .08,
Hu & Bentler, 1999). Once a level fails the higher ones are still reported but not
interpreted (``interpreted`` is False). The first level is fitted first and every other level
starts from its estimates, so the constrained levels are independent fits that can run in
worker processes or on Dask (``jobs``, ``executor``) with results identical to a serial run. All
numbers are checked against lavaan 0.6.14 in tests/test_invariance_reference.py.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Any, Sequence

import pandas as pd

from ..errors import DataError, ModelError, Notice
from ..parallel import map_tasks
from ..sem.multigroup import MultiGroupFit, MultiGroupSEM, chisq_difference, satorra_bentler_2001
from ..thresholds import DELTA_CFI, DELTA_CHISQ_P, DELTA_RMSEA, FIT_RULES

__all__ = ["LEVELS", "InvarianceLevel", "PathEquality", "InvarianceResult", "measurement_invariance",
           "path_equality", "MIN_GROUP_N"]

#: The levels and the lavaan ``group.equal`` each adds up to.
LEVELS: dict[str, tuple[str, ...]] = {
    "configural": (),
    "metric": ("loadings",),
    "scalar": ("loadings", "intercepts"),
    "strict": ("loadings", "intercepts", "residuals"),
}
#: Below this many respondents in a group the comparison is still run, with a notice that the
#: group's estimates are unstable (a floor, not a recommendation: ML wants far larger groups).
MIN_GROUP_N = 30


def _clean(v: Any) -> Any:
    return None if isinstance(v, float) and not math.isfinite(v) else v


@dataclass(frozen=True)
class InvarianceLevel:
    """One level of the invariance sequence.

    ``fit`` holds the fit measures (project names), ``delta`` the comparison with the previous
    level (``chisq``, ``df``, ``pvalue``, ``cfi``, ``rmsea``, ``srmr``; ``scaled`` True for the
    Satorra-Bentler difference) or None for the configural level; ``verdicts`` says whether each
    criterion is met (``chisq``, ``cfi``, ``rmsea``; None when not tested); ``holds`` is the
    decision and ``interpreted`` False once a lower level failed.
    """

    level: str
    group_equal: tuple[str, ...]
    group_partial: tuple[str, ...]
    fit: dict[str, float]
    delta: dict[str, float] | None
    verdicts: dict[str, bool | None]
    holds: bool | None
    interpreted: bool
    result: MultiGroupFit | None = None

    def to_json(self) -> dict[str, Any]:
        return {"level": self.level, "group_equal": list(self.group_equal), "group_partial": list(self.group_partial),
                "fit": {k: _clean(v) for k, v in self.fit.items()},
                "delta": None if self.delta is None else {k: _clean(v) for k, v in self.delta.items()},
                "verdicts": self.verdicts, "holds": self.holds, "interpreted": self.interpreted}


@dataclass(frozen=True)
class PathEquality:
    """Is a structural path equal across groups? Constrained versus free (Δχ²) and the Wald test."""

    lhs: str
    op: str
    rhs: str
    estimates: dict[str, float]
    chisq: float
    df: float
    pvalue: float
    wald: float
    wald_df: float
    wald_pvalue: float
    scaled: bool
    equal: bool

    def to_json(self) -> dict[str, Any]:
        return {"lhs": self.lhs, "op": self.op, "rhs": self.rhs, "estimates": self.estimates,
                "chisq": _clean(self.chisq), "df": self.df, "pvalue": _clean(self.pvalue), "wald": _clean(self.wald),
                "wald_df": self.wald_df, "wald_pvalue": _clean(self.wald_pvalue), "scaled": self.scaled,
                "equal": self.equal}


@dataclass(frozen=True)
class InvarianceResult:
    """The invariance sequence: ``levels`` in order, the group ``column``, its ``groups`` and ``nobs``;
    ``highest`` is the highest level that holds (None when even configural fails)."""

    column: str
    groups: tuple[str, ...]
    nobs: dict[str, int]
    estimator: str
    levels: tuple[InvarianceLevel, ...]
    paths: tuple[PathEquality, ...] = ()
    notices: tuple[Notice, ...] = ()

    @property
    def highest(self) -> str | None:
        best = None
        for lv in self.levels:
            if lv.interpreted and lv.holds:
                best = lv.level
        return best

    def table(self) -> pd.DataFrame:
        """One row per level: χ², df, CFI, RMSEA, SRMR, Δχ², Δdf, p, ΔCFI, ΔRMSEA and the decision."""
        rows = []
        for lv in self.levels:
            d = lv.delta or {}
            rows.append({"level": lv.level, "chisq": lv.fit["chisq"], "df": lv.fit["df"], "cfi": lv.fit["cfi"],
                         "rmsea": lv.fit["rmsea"], "srmr": lv.fit["srmr"], "delta_chisq": d.get("chisq"),
                         "delta_df": d.get("df"), "delta_p": d.get("pvalue"), "delta_cfi": d.get("cfi"),
                         "delta_rmsea": d.get("rmsea"), "holds": lv.holds, "interpreted": lv.interpreted})
        return pd.DataFrame(rows)

    def to_json(self) -> list[dict[str, Any]]:
        """results.json ``invariance``: one object per level (``level``, ``fit``, ``delta`` ...)."""
        return [lv.to_json() for lv in self.levels]


@dataclass(frozen=True)
class _FitTask:
    """One multigroup model to fit: what :func:`_fit` needs, picklable for worker processes and Dask."""

    model: Any
    data: pd.DataFrame
    group: str
    group_equal: tuple[str, ...]
    group_partial: tuple[str, ...]
    equal_params: tuple[str, ...]
    shared_labels: bool
    missing: str
    estimator: str
    start: MultiGroupFit | None = None


def _fit(task: _FitTask) -> MultiGroupFit:
    """Fit one task's model (a module-level function, so worker processes can run it)."""
    return MultiGroupSEM(task.model, group_equal=task.group_equal, group_partial=task.group_partial,
                         equal_params=task.equal_params, shared_labels=task.shared_labels).fit(
        task.data, group=task.group, missing=task.missing, estimator=task.estimator, start=task.start)


def _fit_keys(fit: MultiGroupFit) -> dict[str, float]:
    return dict(fit.measures)


def _delta(prev: MultiGroupFit, cur: MultiGroupFit, estimator: str) -> dict[str, float]:
    a, b = prev.measures, cur.measures
    if estimator == "MLR":
        test = satorra_bentler_2001(b["chisq"], b["df"], b["chisq_scaling_factor"], a["chisq"], a["df"],
                                    a["chisq_scaling_factor"])
        cfi, rmsea = b["cfi_robust"] - a["cfi_robust"], b["rmsea_robust"] - a["rmsea_robust"]
    else:
        test = chisq_difference(b["chisq"], b["df"], a["chisq"], a["df"])
        cfi, rmsea = b["cfi"] - a["cfi"], b["rmsea"] - a["rmsea"]
    return {"chisq": test["chisq"], "df": test["df"], "pvalue": test["pvalue"], "cfi": cfi, "rmsea": rmsea,
            "srmr": b["srmr"] - a["srmr"], "scaled": estimator == "MLR"}


def measurement_invariance(model: Any, data: pd.DataFrame, group: str, *, estimator: str = "ML",
                           missing: str = "listwise", group_partial: Sequence[str] = (),
                           levels: Sequence[str] = tuple(LEVELS), shared_labels: bool = True, jobs: int = 1,
                           executor: Any = None) -> InvarianceResult:
    """Fit the invariance sequence of ``model`` (lavaan syntax) across the groups of ``data[group]``.

    ``group_partial`` (lavaan's ``group.partial``, e.g. ``["x3~1"]``) frees the named parameters in
    every constrained level (partial invariance). Under MLR the deltas use the robust CFI and
    RMSEA and the Satorra-Bentler (2001) scaled difference, as ``lavTestLRT``. See the module notes
    for the decisions. The first level is fitted here; the others start from its estimates and
    are fitted independently of each other, on ``executor`` (anything with ``map``, e.g.
    :class:`~loyaltysurvey.parallel.DaskExecutor`), in ``jobs`` worker processes, or here
    (:func:`~loyaltysurvey.parallel.map_tasks`): the results are identical on every backend.

    >>> from loyaltysurvey.datasets import HS_MODEL, holzinger_swineford
    >>> res = measurement_invariance(HS_MODEL, holzinger_swineford(), "school")
    >>> [(lv.level, round(lv.delta["chisq"], 3) if lv.delta else None) for lv in res.levels][:3]
    [('configural', None), ('metric', 8.192), ('scalar', 40.059)]
    >>> [lv.verdicts["cfi"] for lv in res.levels[1:]]  # ΔCFI: metric -.002, scalar -.038, strict -.009
    [True, False, True]
    >>> res.levels[0].holds, res.highest  # the configural RMSEA (.097) is above .08: nothing is interpreted
    (False, None)
    """
    unknown = [lv for lv in levels if lv not in LEVELS]
    if unknown:
        raise ModelError(f"unknown invariance level '{unknown[0]}'; use {', '.join(LEVELS)}")
    names = list(levels)
    tasks = [_FitTask(model, data, group, LEVELS[name], tuple(group_partial) if LEVELS[name] else (), (),
                      shared_labels, missing, estimator) for name in names]
    fits: list[MultiGroupFit] = []
    if tasks:
        first = _fit(tasks[0])
        fits = [first, *map_tasks(_fit, [replace(t, start=first) for t in tasks[1:]], jobs, executor)]
    out: list[InvarianceLevel] = []
    interpreted = True
    notices: list[Notice] = []
    for i, (name, fit) in enumerate(zip(names, fits)):
        equal = LEVELS[name]
        partial = tuple(group_partial) if equal else ()
        if i == 0:
            notices.extend(fit.notices)
        else:
            notices.extend(n for n in fit.notices if n.code != "group_missing")
        m = fit.measures
        if i == 0:
            cfi = m["cfi_robust"] if estimator == "MLR" else m["cfi"]
            rm = m["rmsea_robust"] if estimator == "MLR" else m["rmsea"]
            verdicts = {"chisq": None, "cfi": FIT_RULES["cfi"].verdict(cfi) != "poor",
                        "rmsea": FIT_RULES["rmsea"].verdict(rm) != "poor"}
            delta = None
        else:
            delta = _delta(fits[i - 1], fit, estimator)
            verdicts = {"chisq": DELTA_CHISQ_P.passes(delta["pvalue"]), "cfi": DELTA_CFI.passes(delta["cfi"]),
                        "rmsea": DELTA_RMSEA.passes(delta["rmsea"])}
        verdicts = {k: None if v is None else bool(v) for k, v in verdicts.items()}
        holds = None if verdicts["cfi"] is None or verdicts["rmsea"] is None else bool(
            verdicts["cfi"] and verdicts["rmsea"])
        out.append(InvarianceLevel(name, equal, partial, _fit_keys(fit), delta, verdicts, holds, interpreted, fit))
        if not holds:
            interpreted = False
    first = fits[0]
    nobs = {str(g): n for g, n in zip(first.groups, first.nobs)}
    small = [g for g, n in nobs.items() if n < MIN_GROUP_N]
    if small:
        notices.append(Notice("small_group", f"group '{small[0]}' of '{group}' has only {nobs[small[0]]} "
                              f"respondents (fewer than {MIN_GROUP_N}); its estimates are unstable and the "
                              "invariance tests have little power", small[0],
                              {"group": small[0], "column": group, "n": nobs[small[0]], "minimum": MIN_GROUP_N}))
    return InvarianceResult(group, tuple(str(g) for g in first.groups), nobs, estimator, tuple(out),
                            notices=tuple(dict.fromkeys(notices)))


def path_equality(model: Any, data: pd.DataFrame, group: str, *, estimator: str = "ML",
                  missing: str = "listwise", group_equal: Sequence[str] = ("loadings",),
                  group_partial: Sequence[str] = (), alpha: float = 0.05,
                  shared_labels: bool = True, jobs: int = 1, executor: Any = None) -> tuple[PathEquality, ...]:
    """Test each regression (``~``) of ``model`` for equality across groups.

    The free model has ``group_equal`` (by default the loadings: paths are compared under metric
    invariance); each constrained model adds one path equal in every group. The chi-square
    difference (Satorra-Bentler 2001 under MLR) and the Wald test of the free model are given;
    ``equal`` is True when the difference test does not reject at ``alpha``. Paths already equal
    across groups (a label shared by all groups, with ``shared_labels``) are not tested. The
    constrained models all start from the free model's estimates and run on ``executor``, in
    ``jobs`` worker processes or here, with identical results (as :func:`measurement_invariance`).

    >>> from loyaltysurvey.datasets import HS_MODEL, holzinger_swineford
    >>> res = path_equality(HS_MODEL + "\\nspeed ~ visual + textual", holzinger_swineford(), "school")
    >>> [(p.rhs, round(p.chisq, 3)) for p in res][0]  # lavTestLRT, speed ~ visual: 3.047
    ('visual', 3.047)
    """
    base = _FitTask(model, data, group, tuple(group_equal), tuple(group_partial), (), shared_labels, missing,
                    estimator)
    free = _fit(base)
    est = free.params
    paths = est[(est.op == "~") & (est.group == 1)]
    tested = []
    for r in paths.itertuples():
        name = f"{r.lhs}~{r.rhs}"
        if name in {"".join(p.split()) for p in group_partial}:
            continue
        if len(set(r2 for r2 in est[(est.op == "~") & (est.lhs == r.lhs) & (est.rhs == r.rhs)].free)) < len(
                free.groups):
            continue  # already equal across groups (a shared label)
        tested.append(r)
    constrained = map_tasks(_fit, [replace(base, equal_params=(f"{r.lhs}~{r.rhs}",), start=free) for r in tested],
                            jobs, executor)
    out = []
    for r, con in zip(tested, constrained):
        a, b = free.measures, con.measures
        if estimator == "MLR":
            test = satorra_bentler_2001(b["chisq"], b["df"], b["chisq_scaling_factor"], a["chisq"], a["df"],
                                        a["chisq_scaling_factor"])
        else:
            test = chisq_difference(b["chisq"], b["df"], a["chisq"], a["df"])
        wald = free.wald_equal(r.lhs, "~", r.rhs)
        rows = est[(est.op == "~") & (est.lhs == r.lhs) & (est.rhs == r.rhs)]
        out.append(PathEquality(r.lhs, "~", r.rhs, {str(g): float(v) for g, v in zip(rows.group_value, rows.est)},
                                test["chisq"], test["df"], test["pvalue"], wald["chisq"], wald["df"],
                                wald["pvalue"], estimator == "MLR", bool(test["pvalue"] >= alpha)))
    return tuple(out)
