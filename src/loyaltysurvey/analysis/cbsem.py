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

from ..errors import DataError
from ..ingest import Notice
from ..sem import (SEM, SEMResults, average_variance_extracted, composite_reliability, factor_indicators,
                   fornell_larcker, htmt)
from ..spec import Questionnaire

__all__ = ["CBSEMResults", "run_cbsem"]


@dataclass(frozen=True)
class CBSEMResults:
    cfa: SEMResults | None
    sem: SEMResults | None
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
            out["sem"] = self.sem.to_json()
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


def run_cbsem(scored: pd.DataFrame, q: Questionnaire, missing: str = "listwise",
              estimator: str = "ML") -> CBSEMResults:
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
    if q.model:
        try:
            sem = SEM(q.full_syntax).fit(scored, missing=missing, estimator=estimator)
            notices.extend(sem.notices)
        except DataError as exc:
            notices.append(Notice("sem_failed", f"the structural model could not be estimated: {exc}"))
    return CBSEMResults(cfa, sem, cr, ave, ht, ht_classic, fl, tuple(notices))
