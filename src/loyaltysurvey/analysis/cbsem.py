"""The CB-SEM stage of an analysis: CFA of the constructs, then the structural model.

Pure: takes reverse-scored item data and the questionnaire, returns
:class:`CBSEMResults`. Failures of estimation become notices, so that the
rest of the chapter is still produced.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..errors import DataError, ModelError
from ..errors import Notice
from ..sem import (SEM, SEMResults, average_variance_extracted, composite_reliability, factor_indicators,
                   fornell_larcker, htmt)
from ..sem.effects import compute_effects
from ..questionnaire import Questionnaire
from .hypotheses import test_hypotheses

__all__ = ["CBSEMResults", "run_cbsem"]


@dataclass(frozen=True)
class CBSEMResults:
    cfa: SEMResults | None
    sem: SEMResults | None
    effects: tuple = ()
    hypotheses: tuple = ()
    bootstrap: dict | None = None
    cr: dict[str, float] = field(default_factory=dict)
    ave: dict[str, float] = field(default_factory=dict)
    htmt: pd.DataFrame | None = None
    htmt_classic: pd.DataFrame | None = None
    fornell_larcker: pd.DataFrame | None = None
    notices: tuple[Notice, ...] = ()

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.cfa is not None:
            cfa = self.cfa.to_json()
            validity = {"cr": self.cr, "ave": self.ave}
            if self.htmt is not None:
                validity["htmt"] = _pairs(self.htmt)
                validity["htmt_classic"] = _pairs(self.htmt_classic)
            if self.fornell_larcker is not None:
                validity["fornell_larcker"] = {r: {c: float(v) for c, v in row.items()}
                                               for r, row in self.fornell_larcker.iterrows()}
            cfa["validity"] = validity
            out["cfa"] = cfa
        if self.sem is not None:
            sem = self.sem.to_json()
            sem["effects"] = [e.to_json() for e in self.effects]
            sem["hypotheses"] = [h.to_json() for h in self.hypotheses]
            if self.bootstrap is not None:
                sem["bootstrap"] = self.bootstrap
            out["sem"] = sem
            out["mediation"] = [e.to_json() for e in self.effects if e.kind in ("indirect", "total_indirect")]
            out["hypotheses"] = [h.to_json() for h in self.hypotheses]
        return out


def _pairs(matrix: pd.DataFrame) -> dict[str, dict[str, float]]:
    """{construct: {other construct: value}} for every pair, both ways (CONTRACT: htmt["KCF"]["CRMO"])."""
    names = list(matrix.index)
    return {a: {b: float(matrix.loc[a, b]) for b in names if b != a} for a in names}


def _em_correlations(frame: pd.DataFrame) -> pd.DataFrame:
    """Item correlations from the EM (FIML saturated) covariance matrix, as lavCor(missing = "ml")."""
    from ..sem.fiml import Patterns, em_saturated
    _, cov, _ = em_saturated(Patterns(frame.to_numpy(dtype=float)))
    sd = np.sqrt(np.diag(cov))
    return pd.DataFrame(cov / np.outer(sd, sd), index=frame.columns, columns=frame.columns)


def _with_bootstrap(results: SEMResults, scored: pd.DataFrame, B: int, seed, jobs: int, executor,
                    progress, level: float = 0.95):
    """Replace SEs and intervals by bootstrap ones (lavaan se = "bootstrap", percentile CIs)."""
    from dataclasses import replace
    from ..sem.bootstrap import intervals, run_bootstrap
    from ..sem.sem_fit import _standardize
    from ..sem.ram import RamModel
    from scipy import stats
    X = scored[list(results.observed)].dropna().to_numpy(dtype=float)
    model = RamModel.from_table(results.table)
    boot = run_bootstrap(model, X, results.theta, B, seed, _standardize, jobs=jobs, executor=executor,
                         progress=progress)
    est = results.estimates.copy()
    fixed = [False] * len(results.table.params) + [False] * len(results.table.definitions)
    for r, p in enumerate(results.table.params):
        fixed[r] = not p.free
    cols = {k: [] for k in ("se", "z", "pvalue", "ci_lower", "ci_upper", "ci_bc_lower", "ci_bc_upper",
                             "ci_bca_lower", "ci_bca_upper", "std_ci_lower", "std_ci_upper")}
    for j, row in enumerate(est.itertuples()):
        if fixed[j]:
            for k in cols:
                cols[k].append(row.est if "ci" in k and "std" not in k else (row.std_all if "std" in k else
                               (0.0 if k == "se" else float("nan"))))
            continue
        jack = boot.jack_draws[:, j] if boot.jack_draws is not None else None
        jack_std = boot.jack_std[:, j] if boot.jack_std is not None else None
        ci = intervals(boot.draws[:, j], row.est, level, jack)
        sci = intervals(boot.std_draws[:, j], row.std_all, level, jack_std)
        z = row.est / ci["se"] if ci["se"] > 0 else float("nan")
        cols["se"].append(ci["se"])
        cols["z"].append(z)
        cols["pvalue"].append(float(2 * stats.norm.sf(abs(z))) if z == z else float("nan"))
        cols["ci_lower"].append(ci["perc_lower"])
        cols["ci_upper"].append(ci["perc_upper"])
        cols["ci_bc_lower"].append(ci["bc_lower"])
        cols["ci_bc_upper"].append(ci["bc_upper"])
        cols["ci_bca_lower"].append(ci["bca_lower"])
        cols["ci_bca_upper"].append(ci["bca_upper"])
        cols["std_ci_lower"].append(sci["perc_lower"])
        cols["std_ci_upper"].append(sci["perc_upper"])
    for k, v in cols.items():
        est[k] = v
    variance_rows = [r for r, p in enumerate(results.table.params) if p.op == "~~" and p.lhs == p.rhs and p.free]
    inadmissible = int(np.sum(np.any(boot.draws[:, variance_rows] < 0, axis=1))) if variance_rows else 0
    info = {"requested": B, "successful": boot.successful, "failed": boot.failed, "inadmissible": inadmissible,
            "seed": seed, "ci": "percentile", "level": level}
    notices = list(results.notices)
    if inadmissible:
        notices.append(Notice("bootstrap_inadmissible", f"{inadmissible} of {boot.successful} bootstrap solutions "
                              "have a negative variance (nonadmissible); they are kept, as lavaan keeps them"))
    if boot.failed:
        notices.append(Notice("bootstrap_failed", f"{boot.failed} of {B} bootstrap resamples did not converge and "
                              "were left out, as lavaan does"))
    return replace(results, estimates=est, notices=tuple(notices), extra={**results.extra, "bootstrap": info}), boot


def run_cbsem(scored: pd.DataFrame, q: Questionnaire, missing: str = "listwise",
              estimator: str = "ML", bootstrap: int = 0, seed: int | None = None, jobs: int = 1,
              executor=None, progress=None, alpha: float = 0.05) -> CBSEMResults:
    notices: list[Notice] = []
    cfa = sem = None
    cr = ave = {}
    ht = ht_classic = fl = None
    try:
        cfa = SEM(q.measurement_syntax).fit(scored, missing=missing, estimator=estimator)
        notices.extend(cfa.notices)
        cr = composite_reliability(cfa)
        ave = average_variance_extracted(cfa)
        blocks = {f: items for f, items in factor_indicators(cfa).items()}
        used = scored[list(cfa.observed)].dropna() if missing == "listwise" else scored[list(cfa.observed)]
        correlations = used.corr() if missing == "listwise" else _em_correlations(used)
        ht = htmt(correlations, blocks, geometric=True)
        ht_classic = htmt(correlations, blocks)
        fl = fornell_larcker(cfa, ave)
    except DataError as exc:
        notices.append(Notice("cfa_failed", f"the confirmatory factor analysis could not be estimated: {exc}"))
    effects: list = []
    hypotheses: list = []
    boot_info = None
    if bootstrap and missing != "listwise":
        raise ModelError("--bootstrap needs listwise deletion for now; drop --missing fiml or --bootstrap")
    if q.model:
        try:
            sem = SEM(q.full_syntax).fit(scored, missing=missing, estimator=estimator)
            boot = None
            if bootstrap:
                sem, boot = _with_bootstrap(sem, scored, bootstrap, seed, jobs, executor, progress)
                boot_info = sem.extra["bootstrap"]
            notices.extend(sem.notices)
            effects = compute_effects(sem, boot, alpha)
            hypotheses = test_hypotheses(q, sem, effects, alpha)
        except DataError as exc:
            notices.append(Notice("sem_failed", f"the structural model could not be estimated: {exc}"))
    return CBSEMResults(cfa, sem, tuple(effects), tuple(hypotheses), boot_info, cr, ave, ht, ht_classic, fl,
                        tuple(notices))
