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
    """Answers with reverse-worded items reversed; the input is not modified.

    Each item marked ``reverse`` in the questionnaire becomes ``min + max - x`` on its
    own scale (psych ``reverse.code``, SPSS RECODE); the other columns are copied
    unchanged. By definition (not compared with a reference implementation).

    >>> from loyaltysurvey.questionnaire import QuestionnaireBuilder
    >>> q = (QuestionnaireBuilder("demo", scale=(1, 5))
    ...      .construct("SAT", "Satisfaction", ["SAT1", "SAT2", ("SAT3", "I regret it", True)])
    ...      .build())
    >>> answers = pd.DataFrame({"SAT1": [5, 4, np.nan], "SAT2": [4, np.nan, np.nan], "SAT3": [1, 2, 3]})
    >>> score_items(answers, q)["SAT3"].tolist(), answers["SAT3"].tolist()
    ([5, 4, 3], [1, 2, 3])
    """
    scored = responses.copy()
    for item in q.items:
        if item.reverse:
            scored[item.id] = item.scale.reverse(scored[item.id])
    return scored


def construct_scores(scored: pd.DataFrame, q: Questionnaire, min_share: float = 0.5) -> pd.DataFrame:
    """Mean of each construct's (reverse-scored) items per respondent.

    ``score = mean of the answered items`` when at least ``ceil(min_share * k)`` of the
    construct's ``k`` items are answered, otherwise missing (NaN). A higher-order construct has no
    items of its own: its score is the mean of all the items of its dimensions (recursively), by the
    same rule, so that it is on the items' scale like every other score. Pass the output of
    :func:`score_items`. By definition (not compared with a reference implementation).

    >>> from loyaltysurvey.questionnaire import QuestionnaireBuilder
    >>> q = (QuestionnaireBuilder("demo", scale=(1, 5))
    ...      .construct("SAT", "Satisfaction", ["SAT1", "SAT2", ("SAT3", "I regret it", True)])
    ...      .build())
    >>> answers = pd.DataFrame({"SAT1": [5, 4, np.nan], "SAT2": [4, np.nan, np.nan], "SAT3": [1, 2, 3]})
    >>> [round(float(v), 3) for v in construct_scores(score_items(answers, q), q)["SAT"]]
    [4.667, 4.0, nan]
    """
    out = {}
    for c in q.constructs:  # a higher-order construct: the mean of all its dimensions' items
        items = q.construct_items(c.id)
        block = scored[[i.id for i in items]]
        answered = block.notna().sum(axis=1)
        mean = block.mean(axis=1, skipna=True)
        out[c.id] = mean.where(answered >= np.ceil(min_share * len(items)))
    return pd.DataFrame(out, index=scored.index)
