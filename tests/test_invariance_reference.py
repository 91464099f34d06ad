"""Multigroup CFA/SEM and measurement invariance against lavaan 0.6.14.

Reference: tests/reference/invariance_reference.json, written by
tests/reference/make_invariance_reference.R (lavaan cfa/sem with group =, group.equal,
group.partial; fitMeasures, parameterEstimates, lavTestLRT, lavTestWald) on
HolzingerSwineford1939 by school (ML, MLR) and psych's bfi (A1..A5, C1..C5) by gender (complete cases
by ML; every row by FIML, lavaan missing = "ml"); and tests/reference/multigroup_fiml_mlr_reference.json,
written by tests/reference/make_multigroup_fiml_mlr_reference.R: MLR with FIML (estimator = "MLR",
missing = "ml") on bfi by gender and on HolzingerSwineford1939 by school with blanks in a fixed pattern.
Tolerances: fit measures 1e-4 relative (or 1e-6 absolute near 0), estimates and standard
errors 1e-4 absolute (lavaan stops its optimiser at about 1e-5 in the estimates).
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from loyaltysurvey.analysis.invariance import LEVELS, measurement_invariance, path_equality
from loyaltysurvey.datasets import HS_MODEL, holzinger_swineford
from loyaltysurvey.errors import DataError, ModelError
from loyaltysurvey.sem.multigroup import MultiGroupSEM

HERE = Path(__file__).parent
REF = json.loads((HERE / "reference" / "invariance_reference.json").read_text())
REF.update({k: v for k, v in json.loads((HERE / "reference" / "multigroup_fiml_mlr_reference.json").read_text())
            .items() if k.endswith("_fiml_mlr")})
AC = REF["models"]["AC"]

#: our key -> lavaan fitMeasures() name
FIT = {"chisq": "chisq", "df": "df", "pvalue": "pvalue", "cfi": "cfi", "tli": "tli", "nfi": "nfi",
       "rmsea": "rmsea", "rmsea_ci_lower": "rmsea.ci.lower", "rmsea_ci_upper": "rmsea.ci.upper", "srmr": "srmr",
       "aic": "aic", "bic": "bic", "logl": "logl", "unrestricted_logl": "unrestricted.logl", "npar": "npar",
       "ntotal": "ntotal", "baseline_chisq": "baseline.chisq", "baseline_df": "baseline.df", "gfi": "gfi",
       "agfi": "agfi", "rmr": "rmr", "ifi": "ifi", "pnfi": "pnfi", "pgfi": "pgfi", "ecvi": "ecvi"}
# (under FIML these are lavaan's missing = "ml" definitions: chisq = 2 (logL_h1 - logL) with the EM
# saturated model, the baseline from each variable's observed values, GFI weighted by the patterns)
ROBUST = {"chisq_scaled": "chisq.scaled", "pvalue_scaled": "pvalue.scaled",
          "chisq_scaling_factor": "chisq.scaling.factor", "baseline_chisq_scaled": "baseline.chisq.scaled",
          "cfi_scaled": "cfi.scaled", "tli_scaled": "tli.scaled", "cfi_robust": "cfi.robust",
          "tli_robust": "tli.robust", "rmsea_scaled": "rmsea.scaled", "rmsea_robust": "rmsea.robust"}


def bfi_ac() -> pd.DataFrame:
    frame = pd.read_csv(HERE / "reference" / "data" / "bfi.csv")
    cols = [f"A{i}" for i in range(1, 6)] + [f"C{i}" for i in range(1, 6)]
    frame = frame[cols + ["gender"]].dropna()
    for v in ("A1", "C4", "C5"):
        frame[v] = 7 - frame[v]
    return frame


def check_fit(ours: dict, ref: dict, keys: dict) -> None:
    for k, name in keys.items():
        want = ref[name]
        if want is None:  # lavaan's NA (NFI of a model with more df than the baseline)
            assert math.isnan(ours[k]), k
            continue
        assert ours[k] == pytest.approx(want, rel=1e-4, abs=1e-6), (k, ours[k], want)


def check_estimates(fit, ref: dict) -> None:
    r = pd.DataFrame({k: ref["estimates"][k] for k in ("group", "lhs", "op", "rhs", "est", "se")})
    merged = r.merge(fit.estimates(), on=["group", "lhs", "op", "rhs"], suffixes=("_lavaan", ""))
    assert len(merged) == len(r) == len(fit.estimates())
    assert np.abs(merged.est - merged.est_lavaan).max() < 1e-4
    assert np.abs(merged.se - merged.se_lavaan).max() < 1e-4


def bfi_ac_missing() -> pd.DataFrame:
    """bfi A1..A5, C1..C5 with their missing answers, every row with a gender (lavaan drops the empty rows)."""
    frame = pd.read_csv(HERE / "reference" / "data" / "bfi.csv")
    cols = [f"A{i}" for i in range(1, 6)] + [f"C{i}" for i in range(1, 6)]
    frame = frame.loc[frame.gender.notna(), cols + ["gender"]]
    for v in ("A1", "C4", "C5"):
        frame[v] = 7 - frame[v]
    return frame


def hs_with_blanks() -> pd.DataFrame:
    """HolzingerSwineford1939 with blanks in the pattern of make_multigroup_fiml_mlr_reference.R
    (rows numbered from 1: every 7th x1, every 5th x5, every 11th x9, rows 1-20 x3)."""
    frame = holzinger_swineford().copy()
    rows = np.arange(1, len(frame) + 1)
    for column, blank in (("x1", rows % 7 == 0), ("x5", rows % 5 == 0), ("x9", rows % 11 == 0), ("x3", rows <= 20)):
        frame.loc[blank, column] = np.nan
    return frame


@pytest.mark.parametrize("key,data,group,model,estimator,missing", [
    ("bfi_fiml_mlr", bfi_ac_missing, "gender", AC, "MLR", "fiml"),  # lavaan estimator = "MLR", missing = "ml"
    ("hs_fiml_mlr", hs_with_blanks, "school", HS_MODEL, "MLR", "fiml"),
    ("hs_ml", holzinger_swineford, "school", HS_MODEL, "ML", "listwise"),
    ("hs_mlr", holzinger_swineford, "school", HS_MODEL, "MLR", "listwise"),
    ("bfi_ml", bfi_ac, "gender", AC, "ML", "listwise"),
    ("bfi_fiml", bfi_ac_missing, "gender", AC, "ML", "fiml"),  # lavaan missing = "ml"
])
def test_invariance_sequence_matches_lavaan(key, data, group, model, estimator, missing):
    res = measurement_invariance(model, data(), group, estimator=estimator, missing=missing)
    ref = REF[key]
    assert [lv.level for lv in res.levels] == list(LEVELS)
    assert res.nobs == {g: int(n) for g, n in ref["levels"]["configural"]["nobs"].items()}
    for lv in res.levels:
        r = ref["levels"][lv.level]
        check_fit(lv.fit, r["fit"], {**FIT, **(ROBUST if estimator == "MLR" else {})})
        check_estimates(lv.result, r)
        if lv.delta is not None:
            t = ref["lrt"][lv.level]  # lavTestLRT: plain under ML, satorra.bentler.2001 under MLR
            assert lv.delta["chisq"] == pytest.approx(t["chisq_diff"], rel=1e-4)
            assert lv.delta["df"] == t["df_diff"]
            assert lv.delta["pvalue"] == pytest.approx(t["pvalue"], rel=1e-4)
            prev = ref["levels"][list(LEVELS)[list(LEVELS).index(lv.level) - 1]]["fit"]
            cfi = "cfi.robust" if estimator == "MLR" else "cfi"
            rmsea = "rmsea.robust" if estimator == "MLR" else "rmsea"
            assert lv.delta["cfi"] == pytest.approx(r["fit"][cfi] - prev[cfi], abs=1e-6)
            assert lv.delta["rmsea"] == pytest.approx(r["fit"][rmsea] - prev[rmsea], abs=1e-6)


def test_verdicts_follow_the_thresholds():
    """HS by school (lavaan): ΔCFI metric -.0025, scalar -.0385, strict -.0095; ΔRMSEA metric -.004,
    scalar +.0145, strict -.0033. The configural RMSEA .097 is above .08, so no level is interpreted;
    bfi by gender: configural CFI .910, RMSEA .072 hold, metric holds, scalar ΔCFI -.0069 and ΔRMSEA
    -.0009 hold, strict ΔCFI -.0036 holds."""
    hs = measurement_invariance(HS_MODEL, holzinger_swineford(), "school")
    assert [lv.verdicts["cfi"] for lv in hs.levels] == [True, True, False, True]
    assert [lv.verdicts["rmsea"] for lv in hs.levels] == [False, True, True, True]
    assert [lv.verdicts["chisq"] for lv in hs.levels] == [None, True, False, False]
    assert [lv.interpreted for lv in hs.levels] == [True, False, False, False]
    assert hs.highest is None
    bfi = measurement_invariance(AC, bfi_ac(), "gender")
    assert [lv.holds for lv in bfi.levels] == [True, True, True, True]
    assert bfi.highest == "strict"
    assert [lv.verdicts["chisq"] for lv in bfi.levels] == [None, True, False, False]
    out = bfi.to_json()
    assert [o["level"] for o in out] == list(LEVELS)
    assert set(out[1]["delta"]) >= {"chisq", "df", "pvalue", "cfi", "rmsea"} and out[0]["delta"] is None


@pytest.mark.parametrize("name", ["scalar_partial", "metric_partial"])
def test_partial_invariance_matches_lavaan(name):
    r = REF["hs_ml"]["partial"][name]
    fit = MultiGroupSEM(HS_MODEL, group_equal=r["group_equal"], group_partial=r["group_partial"]).fit(
        holzinger_swineford(), group="school")
    check_fit(fit.measures, r["fit"], FIT)
    check_estimates(fit, r)
    prev = "metric" if name == "scalar_partial" else "configural"
    res = measurement_invariance(HS_MODEL, holzinger_swineford(), "school", group_partial=r["group_partial"],
                                 levels=("configural", "metric", "scalar"))
    lv = next(x for x in res.levels if x.level == ("scalar" if name == "scalar_partial" else "metric"))
    if name == "scalar_partial":  # the metric level of this sequence is partial too: compare the fit only
        check_fit(lv.fit, r["fit"], FIT)
    else:
        assert lv.delta["chisq"] == pytest.approx(r["lrt_vs_previous"]["chisq_diff"], rel=1e-4)
        assert prev == "configural"


def test_structural_paths_equality_matches_lavaan():
    s = REF["hs_sem"]
    model = s["model"]
    free = MultiGroupSEM(model, group_equal=("loadings",)).fit(holzinger_swineford(), group="school")
    check_fit(free.measures, s["free"]["fit"], FIT)
    check_estimates(free, s["free"])
    both = MultiGroupSEM(model, group_equal=("loadings", "regressions")).fit(holzinger_swineford(), group="school")
    check_fit(both.measures, s["regressions_equal"]["fit"], FIT)
    check_estimates(both, s["regressions_equal"])
    one = MultiGroupSEM(model, group_equal=("loadings",), equal_params=("speed~visual",)).fit(
        holzinger_swineford(), group="school")
    check_fit(one.measures, s["visual_equal"]["fit"], FIT)
    paths = {p.rhs: p for p in path_equality(model, holzinger_swineford(), "school")}
    assert paths["visual"].chisq == pytest.approx(s["lrt_visual"]["chisq_diff"], rel=1e-4)
    assert paths["visual"].pvalue == pytest.approx(s["lrt_visual"]["pvalue"], rel=1e-4)
    robust = {p.rhs: p for p in path_equality(model, holzinger_swineford(), "school", estimator="MLR")}
    assert robust["visual"].scaled  # lavTestLRT under MLR: Satorra-Bentler (2001)
    assert robust["visual"].chisq == pytest.approx(s["lrt_visual_mlr"]["chisq_diff"], rel=1e-4)
    assert robust["visual"].pvalue == pytest.approx(s["lrt_visual_mlr"]["pvalue"], rel=1e-4)
    for rhs, key in (("visual", "wald_visual"), ("textual", "wald_textual")):  # lavTestWald
        assert paths[rhs].wald == pytest.approx(s[key]["chisq"], rel=1e-4)
        assert paths[rhs].wald_pvalue == pytest.approx(s[key]["pvalue"], rel=1e-4)
        assert paths[rhs].wald_df == s[key]["df"]


def test_bad_groups_are_refused_clearly():
    hs = holzinger_swineford()
    with pytest.raises(DataError, match="not a column"):
        MultiGroupSEM(HS_MODEL).fit(hs, group="nope")
    with pytest.raises(DataError, match="at least two groups"):
        MultiGroupSEM(HS_MODEL).fit(hs.assign(one="a"), group="one")
    tiny = hs.assign(g=["a"] * 295 + ["b"] * 6)
    with pytest.raises(DataError, match="group 'b'.*6 complete respondents for 9"):
        MultiGroupSEM(HS_MODEL).fit(tiny, group="g")
    with pytest.raises(ModelError, match="estimator 'WLSMV' is not available"):
        MultiGroupSEM(HS_MODEL).fit(hs, group="school", missing="fiml", estimator="WLSMV")
    with pytest.raises(ModelError, match="group.equal type"):
        MultiGroupSEM(HS_MODEL, group_equal=("loading",))
    small = hs.assign(g=["a"] * 280 + ["b"] * 21)
    res = measurement_invariance(HS_MODEL, small, "g", levels=("configural",))
    assert [n.code for n in res.notices if n.code == "small_group"] == ["small_group"]
    assert math.isfinite(res.levels[0].fit["chisq"])
