"""CB-SEM against R lavaan 0.6.14 and semTools 0.5.6.

Reference values: ``tests/reference/sem_reference.json``, written by
``tests/reference/make_sem_reference.R`` (R 4.2.2; data exported by that
script to ``tests/reference/data/``): the HolzingerSwineford1939 three-factor
CFA (ML and MLR), the PoliticalDemocracy SEM with equality labels, residual
covariances and ``ind := a*b``, and psych's bfi five-factor CFA listwise, with
FIML (``missing = "ml"``), with MLR, and with MLR and FIML together (the robust
CFI/TLI/RMSEA there are Zhang & Savalei's FIML-corrected ones), and the
questionnaire's own model on the bundled example as ``loyaltysurvey ingest``
cleans it.

Tolerances (CONTRACT/issue): fit measures 1e-4 relative (1e-3 for the robust
ones); estimates, standard errors and std_all 1e-3 relative with a 1e-4
absolute floor (lavaan stops its optimiser at a relative tolerance of about
1e-10 in F, which leaves differences near 1e-6 in the estimates);
CR, AVE and HTMT 1e-4.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from loyaltysurvey.sem import SEM, average_variance_extracted, composite_reliability, factor_indicators, htmt

from conftest import REFERENCE, ROOT

REF = json.loads((REFERENCE / "sem_reference.json").read_text())["models"]
FIT_NAMES = {"chisq": "chisq", "df": "df", "pvalue": "pvalue", "cfi": "cfi", "tli": "tli", "nfi": "nfi",
             "rmsea": "rmsea", "rmsea_ci_lower": "rmsea.ci.lower", "rmsea_ci_upper": "rmsea.ci.upper",
             "srmr": "srmr", "gfi": "gfi", "agfi": "agfi", "aic": "aic", "bic": "bic", "logl": "logl",
             "unrestricted_logl": "unrestricted.logl", "baseline_chisq": "baseline.chisq",
             "baseline_df": "baseline.df", "npar": "npar", "ntotal": "ntotal",
             "ifi": "ifi", "nnfi": "nnfi", "pnfi": "pnfi", "pgfi": "pgfi", "rmr": "rmr", "ecvi": "ecvi"}
ROBUST_NAMES = {"chisq_scaled": "chisq.scaled", "df_scaled": "df.scaled", "pvalue_scaled": "pvalue.scaled",
                "chisq_scaling_factor": "chisq.scaling.factor", "cfi_robust": "cfi.robust",
                "tli_robust": "tli.robust", "rmsea_robust": "rmsea.robust", "cfi_scaled": "cfi.scaled",
                "tli_scaled": "tli.scaled", "rmsea_scaled": "rmsea.scaled",
                "baseline_chisq_scaled": "baseline.chisq.scaled"}
CASES = {  # name: (missing, estimator)
    "hs_cfa": ("listwise", "ML"),
    "hs_cfa_mlr": ("listwise", "MLR"),
    "poldem_sem": ("listwise", "ML"),
    "bfi_cfa_listwise": ("listwise", "ML"),
    "bfi_cfa_fiml": ("fiml", "ML"),
    "bfi_cfa_mlr": ("listwise", "MLR"),
    "bfi_cfa_fiml_mlr": ("fiml", "MLR"),
    "bundled_example": ("listwise", "ML"),
}


def _data(ref: dict) -> pd.DataFrame:
    spec = ref["data"]
    frame = pd.read_csv(ROOT / spec["csv"])[spec["variables"]].astype(float)
    constant = float(spec.get("reverse_formula", "7 - x").split("-")[0])
    for item in spec.get("reverse", []):
        frame[item] = constant - frame[item]
    return frame


@pytest.fixture(scope="module")
def fits():
    out = {}
    for name, (missing, estimator) in CASES.items():
        ref = REF[name]
        out[name] = SEM(ref["model_syntax"]).fit(_data(ref), missing=missing, estimator=estimator)
    return out


def _key(lhs, op, rhs):
    return (min(lhs, rhs), op, max(lhs, rhs)) if op == "~~" else (lhs, op, rhs)


@pytest.mark.parametrize("name", list(CASES))
def test_fit_measures(fits, name):
    ours, ref = fits[name].measures, REF[name]["fit"]
    for key, rkey in FIT_NAMES.items():
        assert ours[key] == pytest.approx(ref[rkey], rel=1e-4, abs=1e-8), key


@pytest.mark.parametrize("name", [n for n, (_, est) in CASES.items() if est == "MLR"])
def test_robust_fit_measures(fits, name):
    ours, ref = fits[name].measures, REF[name]["fit"]
    for key, rkey in ROBUST_NAMES.items():
        assert ours[key] == pytest.approx(ref[rkey], rel=1e-3), key


@pytest.mark.parametrize("name", list(CASES))
def test_estimates_se_and_std_all(fits, name):
    ours = fits[name].params
    ours = {_key(r.lhs, r.op, r.rhs): r for r in ours.itertuples()}
    checked = 0
    for row in REF[name]["estimates"]:
        op = row["op"]
        key = _key(row["lhs"], op, row["rhs"])
        if op == "~1":
            key = (row["lhs"], "~1", "")
        mine = ours[key]
        for ours_col, ref_col in (("est", "est"), ("se", "se"), ("std_all", "std.all")):
            value = row[ref_col]
            if value is None:
                continue
            assert getattr(mine, ours_col) == pytest.approx(value, rel=1e-3, abs=1e-4), (key, ours_col)
        checked += 1
    assert checked == len(REF[name]["estimates"])


@pytest.mark.parametrize("name", ["hs_cfa", "bfi_cfa_listwise", "bundled_example"])
def test_composite_reliability_ave_htmt(fits, name):
    result, ref = fits[name], REF[name]["reliability"]
    for factor, value in ref["compRelSEM"].items():
        assert composite_reliability(result)[factor] == pytest.approx(value, rel=1e-4)
        assert composite_reliability(result, obs_var=False)[factor] == pytest.approx(
            ref["compRelSEM_model_implied"][factor], rel=1e-4)
        assert average_variance_extracted(result)[factor] == pytest.approx(ref["AVE"][factor], rel=1e-4)
    data = _data(REF[name]).dropna()
    blocks = factor_indicators(result)
    for key, geometric in (("htmt", True), ("htmt_classic", False)):
        names = ref[key]["names"]
        expected = pd.DataFrame(ref[key]["matrix"], index=names, columns=names)
        ours = htmt(data.corr(), blocks, geometric=geometric).loc[names, names]
        np.testing.assert_allclose(ours.to_numpy(), expected.to_numpy(), rtol=1e-6)


@pytest.mark.parametrize("name", list(CASES))
def test_r_squared(fits, name):
    """R² of every endogenous variable equals lavaan's lavInspect(fit, "r2")."""
    ref = REF[name]["r2"]
    ref = dict(zip(ref["names"], ref["values"])) if "names" in ref else ref
    ours = fits[name].r2
    assert set(ours) == set(ref)
    for key, value in ref.items():
        assert ours[key] == pytest.approx(value, abs=1e-4), key
