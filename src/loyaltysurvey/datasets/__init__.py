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

__all__ = ["HS_MODEL", "holzinger_swineford", "hs_cfa", "hs_fiml", "hs_questionnaire", "crm_pls", "crm_questionnaire", "crm_export", "crm_responses"]

_HERE = Path(__file__).resolve().parent


def holzinger_swineford() -> pd.DataFrame:
    """lavaan's HolzingerSwineford1939 (301 rows: id, sex, ageyr, agemo, school, grade, x1-x9).

    >>> holzinger_swineford().shape
    (301, 15)
    """
    return pd.read_csv(_HERE / "HolzingerSwineford1939.csv")


#: The classic three-factor CFA of HolzingerSwineford1939 (lavaan's documentation example).
HS_MODEL = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"


def hs_cfa():
    """``(X, S, model)`` of the three-factor CFA for the engine's internals: the 301 x 9 data
    ``X``, its covariance ``S`` (N in the divisor, as ML uses) and the :class:`~loyaltysurvey.sem.ram.RamModel`.

    >>> X, S, model = hs_cfa()
    >>> X.shape, S.shape, model.n_obs_vars
    ((301, 9), (9, 9), 9)
    """
    import numpy as np

    from ..sem.partable import build_partable
    from ..sem.ram import RamModel
    X = holzinger_swineford()[[f"x{i}" for i in range(1, 10)]].to_numpy(float)
    return X, np.cov(X.T, ddof=0), RamModel.from_table(build_partable(HS_MODEL))


def hs_fiml():
    """``(fit, model, patterns)`` of the three-factor CFA fitted by FIML with every third answer to
    x5 blanked, for the FIML internals: the :class:`~loyaltysurvey.sem.SEMFit`, its
    :class:`~loyaltysurvey.sem.ram.RamModel` and the data's missing-data
    :class:`~loyaltysurvey.sem.fiml.Patterns`.

    >>> fit, model, patterns = hs_fiml()
    >>> fit.theta.size, patterns.n_total
    (30, 301)
    """
    import numpy as np

    from ..sem import SEM
    from ..sem.fiml import Patterns
    from ..sem.ram import RamModel
    data = holzinger_swineford()
    data.loc[::3, "x5"] = np.nan
    fit = SEM(HS_MODEL).fit(data, missing="fiml")
    return fit, RamModel.from_table(fit.table), Patterns(data[list(fit.observed)].to_numpy(float))


def hs_questionnaire():
    """HolzingerSwineford as a questionnaire: three constructs (scale 0-10), the paths
    visual -> textual -> speed and visual -> speed, and hypotheses H1 (visual -> speed) and
    H2 (visual -> textual -> speed).

    >>> [c.id for c in hs_questionnaire().constructs]
    ['visual', 'textual', 'speed']
    """
    from ..questionnaire import QuestionnaireBuilder
    return (QuestionnaireBuilder("hs", scale=(0, 10))
            .construct("visual", "Visual", ["x1", "x2", "x3"])
            .construct("textual", "Textual", ["x4", "x5", "x6"])
            .construct("speed", "Speed", ["x7", "x8", "x9"])
            .model("textual ~ visual\nspeed ~ textual + visual")
            .hypothesis("H1", "visual", "speed").hypothesis("H2", "visual", "speed", through=["textual"])
            .build())


def crm_pls():
    """``(X, spec, items)`` of a two-construct PLS model of the example (SAT -> LOY) for the PLS
    internals: complete answers to SAT1-4 and LOY1-4, and its :class:`~loyaltysurvey.pls.PLSSpec`.

    >>> X, spec, items = crm_pls()
    >>> X.shape[1], spec.paths
    (8, (('SAT', 'LOY'),))
    """
    from ..pls.algorithm import PLSSpec
    items = ["SAT1", "SAT2", "SAT3", "SAT4", "LOY1", "LOY2", "LOY3", "LOY4"]
    X = crm_responses()[items].dropna().to_numpy()
    return X, PLSSpec(("SAT", "LOY"), ((0, 1, 2, 3), (4, 5, 6, 7)), ("A", "A"), (("SAT", "LOY"),)), items


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
