"""Small data sets for examples, doctests and first steps.

* :func:`holzinger_swineford`: lavaan's ``HolzingerSwineford1939`` (301 pupils, mental ability
  tests x1-x9), the classic CFA example (public, as distributed with R lavaan).
* :func:`crm_questionnaire`, :func:`crm_export` and :func:`crm_responses`: the bundled CRM-loyalty
  questionnaire and its example export (simulated from a documented population model by
  :mod:`loyaltysurvey.example`), raw as a survey platform gives it, or clean with item ids as
  columns and reverse-worded items reversed, as the analyses use them.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

__all__ = ["holzinger_swineford", "crm_questionnaire", "crm_export", "crm_responses"]

_HERE = Path(__file__).resolve().parent


def holzinger_swineford() -> pd.DataFrame:
    """lavaan's HolzingerSwineford1939 (301 rows: id, sex, ageyr, agemo, school, grade, x1-x9).

    >>> holzinger_swineford().shape
    (301, 15)
    """
    return pd.read_csv(_HERE / "HolzingerSwineford1939.csv")


def crm_questionnaire():
    """The bundled CRM-loyalty questionnaire (6 constructs, 25 items, Persian and English)."""
    from ..questionnaire import load_questionnaire
    from ..resources import bundled_path
    return load_questionnaire(bundled_path("questionnaires", "crm_loyalty.yaml"))


def crm_export() -> pd.DataFrame:
    """The bundled example export as a survey platform gives it: every cell as text (Persian digits,
    scale labels, missing codes, a duplicate row...), 425 rows.

    >>> crm_export().shape
    (425, 30)
    """
    from ..resources import bundled_path
    return pd.read_csv(bundled_path("questionnaires", "crm_loyalty_example.csv"), dtype=str, keep_default_na=False,
                       encoding="utf-8-sig")


def crm_responses() -> pd.DataFrame:
    """The example's 420 kept respondents, one float column per item id, reverse-worded items reversed.

    >>> crm_responses()[["KCF1", "SAT1", "LOY1"]].shape
    (420, 3)
    """
    from ..analysis import score_items
    from ..ingest import ingest
    q = crm_questionnaire()
    return score_items(ingest(q, crm_export()).responses, q)
