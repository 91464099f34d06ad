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
    with a total effect on the target; ``performance`` holds every construct's performance (0-100)."""

    target: str
    rows: tuple[dict[str, Any], ...]
    performance: dict[str, float]

    @property
    def table(self) -> pd.DataFrame:
        return pd.DataFrame(list(self.rows), columns=["construct", "importance", "performance"])

    def to_json(self) -> dict[str, Any]:
        return {"target": self.target, "constructs": [dict(r) for r in self.rows],
                "performance": dict(self.performance)}


def ipma(fit: PLSEstimate, spec: PLSSpec, X: np.ndarray, lows: np.ndarray, highs: np.ndarray,
         target: str) -> IPMAResult:
    """The importance-performance map of ``target``; ``lows``/``highs`` are each indicator's scale ends."""
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
