"""Importance-performance map analysis (Ringle & Sarstedt, 2016).

Indicators are rescaled to 0-100 with their scale's end points,
``100 (x - min) / (max - min)``. Each construct's unstandardized weights are
the PLS weights divided by the indicators' standard deviations, normalized to
sum to one, so a construct's rescaled score is a weighted mean of its rescaled
indicators and its *performance* is that score's mean. *Importance* is the
total effect on the target construct in the path model re-estimated by OLS on
the rescaled scores (unstandardized total effects).
"""

from __future__ import annotations

import numpy as np

from dataclasses import dataclass
from typing import Any

import pandas as pd

from ..errors import ModelError
from .algorithm import PLSEstimate, PLSSpec, inner_structure

__all__ = ["IPMAResult", "ipma"]


@dataclass(frozen=True)
class IPMAResult:
    """The map of one target: ``table`` has ``construct, importance, performance`` for each construct
    with a total effect on the target; ``performance`` holds every construct's performance (0-100).

    ``rows`` holds the same as dicts, in construct order.

    >>> r = IPMAResult("LOY", ({"construct": "SAT", "importance": 0.48, "performance": 60.5},),
    ...                {"SAT": 60.5, "LOY": 60.5})
    >>> r.table.to_dict("records")
    [{'construct': 'SAT', 'importance': 0.48, 'performance': 60.5}]
    """

    target: str
    rows: tuple[dict[str, Any], ...]
    performance: dict[str, float]

    @property
    def table(self) -> pd.DataFrame:
        """The map as a DataFrame with columns ``construct, importance, performance``.

        One row per construct with a total effect on the target (see the class example).
        """
        return pd.DataFrame(list(self.rows), columns=["construct", "importance", "performance"])

    def to_json(self) -> dict[str, Any]:
        """The target, the map's constructs and every construct's performance as plain JSON types.

        Keys ``target``, ``constructs`` (the rows) and ``performance``.
        """
        return {"target": self.target, "constructs": [dict(r) for r in self.rows],
                "performance": dict(self.performance)}


def ipma(fit: PLSEstimate, spec: PLSSpec, X: np.ndarray, lows: np.ndarray, highs: np.ndarray,
         target: str) -> IPMAResult:
    """The importance-performance map of ``target``; ``lows``/``highs`` are each indicator's scale ends.

    ``fit`` is the PLS estimate of ``spec`` on the raw indicators ``X``. Performance and
    importance are computed as the module's description says: rescaled indicators, the
    unstandardized weights ``w / sd`` summing to one, and the total effects of the OLS path
    model on the rescaled scores. No reference implementation is compared: the definitions
    are recomputed independently on corp_rep in tests/test_pls_reference.py. A ``target``
    that is not a construct raises :class:`~loyaltysurvey.errors.ModelError`.

    References: Ringle & Sarstedt (2016).

    >>> import numpy as np
    >>> from loyaltysurvey.datasets import crm_pls
    >>> from loyaltysurvey.pls.algorithm import fit_pls
    >>> X, spec, items = crm_pls()
    >>> result = ipma(fit_pls(X, spec), spec, X, np.ones(8), np.full(8, 5.0), "LOY")
    >>> [(r["construct"], round(r["importance"], 3), round(r["performance"], 3)) for r in result.rows]
    [('SAT', 0.478, 60.491)]
    """
    names = list(spec.constructs)
    if target not in names:
        raise ModelError(f"the IPMA target '{target}' is not a construct of the model ({', '.join(names)})")
    K = len(names)
    rescaled = 100 * (X - lows) / (highs - lows)
    sd = X.std(axis=0, ddof=1)
    scores = np.zeros((X.shape[0], K))
    indicator_weights = {}
    for k, block in enumerate(spec.blocks):
        cols = list(block)
        w = fit.weights[cols, k] / sd[cols]
        w = w / w.sum()
        scores[:, k] = rescaled[:, cols] @ w
        indicator_weights[names[k]] = w
    _, preds = inner_structure(spec)
    B = np.zeros((K, K))
    for j in range(K):
        pr = preds[j]
        if pr:
            design = np.column_stack([np.ones(len(scores)), scores[:, pr]])
            B[pr, j] = np.linalg.lstsq(design, scores[:, j], rcond=None)[0][1:]
    total = np.linalg.inv(np.eye(K) - B) - np.eye(K)
    t = names.index(target)
    rows = []
    for k, name in enumerate(names):
        if k != t and total[k, t] != 0:
            rows.append({"construct": name, "importance": float(total[k, t]),
                         "performance": float(scores[:, k].mean())})
    return IPMAResult(target, tuple(rows), {n: float(scores[:, k].mean()) for k, n in enumerate(names)})
