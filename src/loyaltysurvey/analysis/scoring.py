"""Reverse-coding and construct scores.

Reverse-worded items are analysed as ``min + max - x`` on their own scale
(psych's ``reverse.code`` and SPSS's RECODE do the same). A construct score is
the mean of a respondent's answered items, when at least half of them are
answered; otherwise it is missing.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..questionnaire import Questionnaire

__all__ = ["score_items", "construct_scores"]


def score_items(responses: pd.DataFrame, q: Questionnaire) -> pd.DataFrame:
    """Answers with reverse-worded items reversed; the input is not modified."""
    scored = responses.copy()
    for item in q.items:
        if item.reverse:
            scored[item.id] = item.scale.reverse(scored[item.id])
    return scored


def construct_scores(scored: pd.DataFrame, q: Questionnaire, min_share: float = 0.5) -> pd.DataFrame:
    """Mean of each construct's (reverse-scored) items per respondent."""
    out = {}
    for c in q.constructs:
        block = scored[list(c.item_ids)]
        answered = block.notna().sum(axis=1)
        mean = block.mean(axis=1, skipna=True)
        out[c.id] = mean.where(answered >= np.ceil(min_share * len(c.items)))
    return pd.DataFrame(out, index=scored.index)
