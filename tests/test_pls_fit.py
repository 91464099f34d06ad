"""PLS global fit (GoF, SRMR, NFI) and Stone-Geisser Q² by blindfolding.

Where the numbers come from:

* SRMR and NFI (estimated and saturated model) and GoF: ``tests/reference/pls_fit_reference.json``,
  written by ``tests/reference/make_pls_fit_reference.R``: lavaan 0.6.14 evaluates the model
  whose every parameter is fixed at seminr 2.3.2's estimates (from pls_reference.json) and
  computes the implied matrix, its SRMR and the ML discrepancies behind the NFI itself; GoF is
  the formula applied in R to seminr's loadings and R². Models: mobi (mode A), mobi with Image in
  mode B, mobi with every construct reflective (PLSc), corp_rep (-99 missing, mean replacement).
  Tolerance 1e-4 relative (our estimates equal seminr's far more closely).
* Blindfolding: no installable package computes SmartPLS's blindfolding, and published Q² values
  for the corporate-reputation example (Hair et al., 2017) could not be found. It is checked
  against a step-by-step computation written out below (one ordinary ``fit_pls`` per round on the
  mean-replaced data, loops over every omitted data point), on a 23-respondent data set written
  out in this file, to 1e-6 (both stop at a summed weight change below 1e-7), and against the
  definition's invariants.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

from loyaltysurvey.pls import PLS
from loyaltysurvey.pls.algorithm import PLSSpec, fit_pls, inner_structure
from loyaltysurvey.pls.blindfolding import blindfolded_constructs, blindfolding, omission_distance, omission_rounds
from loyaltysurvey.pls.global_fit import gof, implied_correlations, model_fit

from conftest import REFERENCE
from test_pls_reference import CASES

REF = json.loads((REFERENCE / "pls_fit_reference.json").read_text())["models"]


@pytest.fixture(scope="module")
def reference_fits():
    from conftest import SHARED_DATA
    if not SHARED_DATA.is_dir():
        pytest.skip("../shared/data is not present beside the project")
    out = {}
    for name, (file, blocks, paths, modes) in CASES.items():
        frame = pd.read_csv(SHARED_DATA / file).replace(-99, np.nan)
        columns = [c for b in blocks.values() for c in b]
        frame = frame[columns].astype(float)
        frame = frame.fillna(frame.mean())
        index = {c: i for i, c in enumerate(columns)}
        spec = PLSSpec(tuple(blocks), tuple(tuple(index[c] for c in b) for b in blocks.values()),
                       tuple(modes.get(k, "A") for k in blocks), tuple(paths))
        X = frame.to_numpy()
        out[name] = (spec, fit_pls(X, spec), X, columns)
    return out


@pytest.mark.parametrize("name", list(CASES))
def test_srmr_nfi_equal_lavaan_on_seminrs_estimates(reference_fits, name):
    spec, est, X, columns = reference_fits[name]
    ref = REF[name]
    ours = model_fit(est, spec, X)
    assert ours["srmr"] == pytest.approx(ref["estimated"]["srmr"], rel=1e-4)
    assert ours["nfi"] == pytest.approx(ref["estimated"]["nfi"], rel=1e-4)
    assert ours["srmr_saturated"] == pytest.approx(ref["saturated"]["srmr"], rel=1e-4)
    assert ours["nfi_saturated"] == pytest.approx(ref["saturated"]["nfi"], rel=1e-4)
    implied = ref["estimated"]["implied"]
    order = [columns.index(c) for c in implied["names"]]
    sigma = implied_correlations(est, spec, np.corrcoef(X, rowvar=False))
    np.testing.assert_allclose(sigma[np.ix_(order, order)], np.array(implied["matrix"]), atol=1e-6)


@pytest.mark.parametrize("name", list(CASES))
def test_gof_equals_the_formula_on_seminrs_estimates(reference_fits, name):
    spec, est, _, _ = reference_fits[name]
    ours, ref = gof(est, spec), REF[name]["gof"]
    assert ours["gof"] == pytest.approx(ref["gof"], rel=1e-4)
    assert ours["mean_communality"] == pytest.approx(ref["mean_communality"], rel=1e-4)
    assert ours["mean_r2"] == pytest.approx(ref["mean_r2"], rel=1e-4)
    assert ours["indicators"] == ref["indicators"]


def test_gof_weights_communality_by_indicators(reference_fits):
    """Tenenhaus et al.'s (2005) convention: the mean over indicators, not the mean of the AVEs."""
    spec, est, _, _ = reference_fits["mobi"]
    blocks = [(k, list(b)) for k, b in enumerate(spec.blocks) if len(b) > 1]   # Complaints (one item) left out
    squares = np.concatenate([est.loadings[b, k] ** 2 for k, b in blocks])
    aves = [np.mean(est.loadings[b, k] ** 2) for k, b in blocks]
    r2 = np.nanmean(est.r2)
    out = gof(est, spec)
    assert out["gof"] == pytest.approx(math.sqrt(squares.mean() * r2), rel=1e-12)
    assert out["gof"] != pytest.approx(math.sqrt(np.mean(aves) * r2), rel=1e-3)  # unequal blocks: they differ
    assert out["constructs"] == ["Image", "Expectation", "Quality", "Value", "Satisfaction", "Loyalty"]
    spec_b, est_b = reference_fits["mobi_modeB"][:2]
    mode_b = gof(est_b, spec_b)
    assert "Image" not in mode_b["constructs"] and mode_b["indicators"] == 18


def test_estimated_model_equals_saturated_when_the_structure_is_saturated(reference_fits):
    spec, est, X, _ = reference_fits["corp_rep"]  # COMP, LIKE -> CUSA -> CUSL with both direct paths: saturated
    out = model_fit(est, spec, X)
    assert out["srmr"] == pytest.approx(out["srmr_saturated"], rel=1e-10)
    spec, est, X, _ = reference_fits["mobi"]  # the ECSI model leaves paths out
    out = model_fit(est, spec, X)
    assert out["srmr"] > out["srmr_saturated"] + 0.01


# --------------------------------------------------------------------------- blindfolding
#: 23 respondents (not a multiple of 7), items on 1-5: X1-X3 (construct X), M1-M2 (M), Y1-Y3 (Y), S1 (S).
SMALL = np.array([
    [5, 5, 5, 4, 4, 5, 5, 3, 2],
    [1, 1, 1, 1, 2, 1, 1, 1, 1],
    [4, 4, 5, 5, 3, 4, 5, 5, 4],
    [4, 2, 3, 3, 1, 4, 4, 3, 5],
    [4, 4, 5, 5, 5, 5, 4, 5, 3],
    [3, 4, 3, 2, 2, 4, 4, 5, 3],
    [5, 5, 5, 4, 4, 3, 4, 5, 4],
    [3, 4, 2, 4, 5, 3, 4, 5, 3],
    [2, 2, 3, 4, 5, 4, 3, 4, 3],
    [3, 3, 3, 4, 4, 4, 4, 4, 3],
    [5, 3, 4, 4, 3, 3, 2, 3, 3],
    [3, 3, 2, 2, 1, 3, 4, 4, 3],
    [3, 3, 1, 5, 4, 2, 3, 3, 1],
    [5, 4, 4, 5, 4, 4, 4, 3, 2],
    [4, 3, 4, 3, 5, 3, 3, 3, 4],
    [2, 3, 2, 2, 1, 3, 1, 2, 4],
    [3, 4, 2, 3, 4, 1, 2, 3, 2],
    [2, 1, 2, 1, 1, 1, 1, 1, 1],
    [5, 5, 4, 2, 3, 3, 4, 5, 4],
    [3, 3, 2, 3, 2, 4, 3, 2, 3],
    [5, 5, 4, 4, 3, 5, 3, 5, 4],
    [3, 5, 4, 3, 3, 1, 2, 1, 3],
    [5, 5, 5, 4, 4, 4, 5, 3, 4],
], dtype=float)
SMALL_SPEC = PLSSpec(("X", "M", "Y", "S"), ((0, 1, 2), (3, 4), (5, 6, 7), (8,)), ("A", "A", "A", "A"),
                     (("X", "M"), ("X", "Y"), ("M", "Y"), ("Y", "S")))


def _by_hand(X: np.ndarray, spec: PLSSpec, target: str, D: int) -> dict[str, float]:
    """Blindfolding of one construct written out step by step, one round and one data point at a time."""
    n = X.shape[0]
    j = spec.constructs.index(target)
    cols = list(spec.blocks[j])
    _, preds = inner_structure(spec)
    sse_red = sse_com = sso = 0.0
    for r in range(D):
        # 1. number the block's data points indicator by indicator; this round omits those with number % D == r
        omitted = [(i, col) for pos, col in enumerate(cols) for i in range(n) if (pos * n + i) % D == r]
        # 2. each omitted answer is replaced by the mean of that indicator's answers left in this round
        Xr = X.copy()
        for col in cols:
            left = [X[i, col] for i in range(n) if (i, col) not in omitted]
            for i in range(n):
                if (i, col) in omitted:
                    Xr[i, col] = sum(left) / len(left)
        # 3. the whole model estimated again on this round's data, and its standardized scores
        est = fit_pls(Xr, spec)
        mean_r, sd_r = Xr.mean(axis=0), Xr.std(axis=0, ddof=1)
        scores = ((Xr - mean_r) / sd_r) @ est.weights
        # 4. predict each omitted point on its own scale; errors in units of the full-sample SD (divisor n)
        for i, col in omitted:
            lam = est.loadings[col, j]
            communality = mean_r[col] + sd_r[col] * lam * scores[i, j]
            redundancy = mean_r[col] + sd_r[col] * lam * sum(est.paths[p, j] * scores[i, p] for p in preds[j])
            sd_all = X[:, col].std()
            sse_com += ((X[i, col] - communality) / sd_all) ** 2
            sse_red += ((X[i, col] - redundancy) / sd_all) ** 2
            sso += ((X[i, col] - X[:, col].mean()) / sd_all) ** 2
    return {"cv_redundancy": 1 - sse_red / sso, "cv_communality": 1 - sse_com / sso, "sso": sso,
            "sse_redundancy": sse_red, "sse_communality": sse_com}


@pytest.mark.parametrize("D", [7, 5])
def test_blindfolding_equals_the_step_by_step_computation(D):
    result = blindfolding(SMALL, SMALL_SPEC, D)
    assert result["omission_distance"] == D and not result["whole_cases"]
    assert list(result["constructs"]) == ["M", "Y", "S"]  # the endogenous constructs; X is exogenous
    for target, ours in result["constructs"].items():
        hand = _by_hand(SMALL, SMALL_SPEC, target, D)
        for key, value in hand.items():
            assert ours[key] == pytest.approx(value, abs=1e-6), (target, key)
    # SSO = n x indicators, as SmartPLS reports it
    assert [v["sso"] for v in result["constructs"].values()] == pytest.approx([23 * 2, 23 * 3, 23 * 1])
    # a single item's own score is the mean-replaced item itself: communality predicts the round's mean
    assert abs(result["constructs"]["S"]["cv_communality"]) < 0.1


def test_omission_pattern():
    rounds = omission_rounds(23, 3, 7)
    assert rounds[:3, 0].tolist() == [0, 1, 2] and rounds[0, 1] == 23 % 7  # counted down each indicator
    for r in range(7):  # every data point omitted in exactly one round
        assert (rounds == r).sum() in (9, 10)
    assert sorted(np.unique(rounds).tolist()) == list(range(7))
    whole = omission_rounds(21, 3, 7)  # n a multiple of D: a respondent loses all items in one round
    assert (whole == whole[:, :1]).all()
    assert omission_distance(23) == 7 and omission_distance(420) == 8 and omission_distance(56) == 6


def test_which_constructs_are_blindfolded():
    spec = PLSSpec(("X", "M", "Y", "S"), SMALL_SPEC.blocks, ("A", "B", "R", "B"), SMALL_SPEC.paths)
    # M is mode B with two indicators: left out; S is a single item (mode B or not): kept; Y reflective: kept
    assert [spec.constructs[j] for j in blindfolded_constructs(spec)] == ["Y", "S"]
    # reflective (PLSc) constructs are blindfolded with the plain PLS estimates
    plsc = PLSSpec(SMALL_SPEC.constructs, SMALL_SPEC.blocks, ("R", "R", "R", "R"), SMALL_SPEC.paths)
    assert blindfolding(SMALL, plsc)["constructs"] == blindfolding(SMALL, SMALL_SPEC)["constructs"]


def test_whole_cases_are_flagged():
    result = blindfolding(SMALL[:21], SMALL_SPEC, 7)
    assert result["whole_cases"]
    hand = _by_hand(SMALL[:21], SMALL_SPEC, "Y", 7)
    assert result["constructs"]["Y"]["cv_communality"] == pytest.approx(hand["cv_communality"], abs=1e-6)


def test_plsfit_reports_the_contract_keys():
    frame = pd.DataFrame(SMALL, columns=["X1", "X2", "X3", "M1", "M2", "Y1", "Y2", "Y3", "S1"])
    model = PLS({"X": ["X1", "X2", "X3"], "M": ["M1", "M2"], "Y": ["Y1", "Y2", "Y3"], "S": ["S1"]},
                "M ~ X\nY ~ X + M\nS ~ Y")
    fit = model.fit(frame)
    js = fit.to_json()
    assert js["gof"] == pytest.approx(gof(fit.estimate, fit.spec)["gof"])
    assert set(js["q2_blindfolding"]) == {"M", "Y", "S"}
    for values in js["q2_blindfolding"].values():
        assert {"cv_redundancy", "cv_communality"} <= set(values)
    assert js["q2_blindfolding"]["Y"]["cv_redundancy"] == pytest.approx(
        blindfolding(SMALL, SMALL_SPEC, 7)["constructs"]["Y"]["cv_redundancy"], abs=1e-9)
    assert js["srmr"] == pytest.approx(model_fit(fit.estimate, fit.spec, SMALL)["srmr"])
    assert {"nfi", "srmr_saturated", "nfi_saturated"} <= set(js) and js["blindfolding"]["omission_distance"] == 7
    assert list(fit.q2_blindfolding.columns[:2]) == ["cv_redundancy", "cv_communality"]
    assert fit.blindfold(5).loc["Y", "cv_redundancy"] == pytest.approx(
        blindfolding(SMALL, SMALL_SPEC, 5)["constructs"]["Y"]["cv_redundancy"], abs=1e-9)


def test_checks_judge_gof_srmr_nfi_and_q2():
    """The verdicts are decided in the analysis (pls_checks), from the thresholds module."""
    from loyaltysurvey.analysis.pls_stage import pls_checks
    from loyaltysurvey.thresholds import GOF_BANDS, NFI_PLS, Q2_BANDS, SRMR_PLS
    frame = pd.DataFrame(SMALL, columns=["X1", "X2", "X3", "M1", "M2", "Y1", "Y2", "Y3", "S1"])
    fit = PLS({"X": ["X1", "X2", "X3"], "M": ["M1", "M2"], "Y": ["Y1", "Y2", "Y3"], "S": ["S1"]},
              "M ~ X\nY ~ X + M\nS ~ Y").fit(frame)
    checks = pls_checks(fit)
    q2 = fit.blindfolding_result["constructs"]
    assert checks["q2_band"] == {c: Q2_BANDS.band(v["cv_redundancy"]) for c, v in q2.items()}
    assert checks["q2_band"]["Y"] == "small" and checks["q2_blindfolding"] == []  # .245: above 0, below .25
    assert checks["gof_band"] == GOF_BANDS.band(fit.gof)
    expected = [k for k, cut in (("srmr", SRMR_PLS), ("srmr_saturated", SRMR_PLS), ("nfi", NFI_PLS),
                                 ("nfi_saturated", NFI_PLS)) if not cut.passes(fit.model_fit[k])]
    assert checks["model_fit"] == expected
    assert GOF_BANDS.band(0.36) == "large" and GOF_BANDS.band(0.2) == "small" and GOF_BANDS.band(0.05) == "negligible"
    assert Q2_BANDS.band(-0.01) == "none" and SRMR_PLS.passes(0.08) is False and NFI_PLS.passes(0.91)
