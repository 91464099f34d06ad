"""FIML (and multigroup) with an observed exogenous covariate, lavaan's fixed.x, against lavaan 0.6.14.

Reference: tests/reference/fixed_x_fiml_reference.json, written by
tests/reference/make_fixed_x_fiml_reference.R on HolzingerSwineford1939 with blanks in x2, x4, x6 and
the complete covariate ageyr (mean about 13): the covariate's variance and mean are fixed at the
sample's, so a model that left its mean at 0 would be rejected by a chi-square in the thousands.
Tolerances: fit measures 1e-4 relative (1e-6 absolute near 0), estimates and standard errors 1e-4.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from loyaltysurvey.datasets import holzinger_swineford
from loyaltysurvey.sem import SEM
from loyaltysurvey.sem.multigroup import MultiGroupSEM

REF = json.loads((Path(__file__).parent / "reference" / "fixed_x_fiml_reference.json").read_text())
OURS = {"chisq": "chisq", "df": "df", "cfi": "cfi", "tli": "tli", "rmsea": "rmsea", "srmr": "srmr",
        "logl": "logl", "baseline_chisq": "baseline.chisq"}


def data() -> pd.DataFrame:
    frame = holzinger_swineford().copy()
    rows = np.arange(1, len(frame) + 1)
    frame.loc[rows % 6 == 0, "x2"] = np.nan
    frame.loc[rows % 9 == 0, "x4"] = np.nan
    frame.loc[(rows >= 10) & (rows <= 29), "x6"] = np.nan
    return frame


def check(measures, estimates: pd.DataFrame, ref: dict, keys=OURS) -> None:
    for ours, theirs in keys.items():
        assert measures[ours] == pytest.approx(ref["fit"][theirs], rel=1e-4, abs=1e-6), ours
    r = pd.DataFrame(ref["estimates"])
    on = ["lhs", "op", "rhs"] + (["group"] if "group" in estimates else [])
    merged = r.merge(estimates, on=on, suffixes=("_lavaan", ""))
    assert len(merged) == len(r)
    assert np.abs(merged.est - merged.est_lavaan).max() < 1e-4
    assert np.abs(merged.se - merged.se_lavaan).max() < 1e-4


@pytest.mark.parametrize("key,estimator", [("fiml", "ML"), ("fiml_mlr", "MLR")])
def test_fiml_with_a_covariate_matches_lavaan(key, estimator):
    fit = SEM(REF["model"]).fit(data(), missing="fiml", estimator=estimator)
    check(fit.fit_measures(), fit.estimates(), REF[key])


@pytest.mark.parametrize("key,missing", [("fiml_groups", "fiml"), ("listwise_groups", "listwise")])
def test_multigroup_with_a_covariate_matches_lavaan(key, missing):
    fit = MultiGroupSEM(REF["model"]).fit(data(), group="school",
                                          missing=missing)
    check(fit.measures, fit.estimates(), REF[key])


def test_listwise_with_a_covariate_reports_lavaans_conditional_loglikelihood():
    fit = SEM(REF["model"]).fit(data())
    check(fit.fit_measures(), fit.estimates(), REF["listwise"])
