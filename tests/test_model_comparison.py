"""Model comparison (analysis/comparison.py) against R lavaan 0.6.14 and the seminr/cSEM definitions.

CB-SEM reference: ``tests/reference/model_comparison_reference.json``, written by
``tests/reference/make_model_comparison_reference.R`` (R 4.2.2, lavaan 0.6.14): each model's
``fitMeasures()`` and ``lavTestLRT(main, alternative)`` with its default method (plain
difference under ML; Satorra-Bentler 2001 scaled difference under MLR, listwise and FIML) on
HolzingerSwineford1939 (three-factor CFA vs a cross-loading and vs equal loadings), its
missing-data version, PoliticalDemocracy (equality labels vs none) and the bundled example
(its model vs ``partial`` and ``direct_only``).

Tolerances: chi-squares, differences, scaling factors, AIC, BIC, CFI, RMSEA, SRMR 1e-4 relative
(as tests/test_sem_reference.py for fit measures; the robust CFI/RMSEA 1e-3 relative as there);
p-values 1e-5 absolute; df exact.

PLS-SEM: seminr isn't installable here, so BIC and AIC are checked against seminr's formula
(R/compute_metrics.R: ``N log(SSE/N) + (pk+1) log N``, ``SSE = (1-R²) var(score) (N-1)``)
evaluated on the R² that seminr 2.3 reported for mobi (tests/reference/pls_reference.json, the
ECSI model) and on an OLS of the construct scores computed here by hand; GM follows cSEM 0.5
(``SSE/MSE + k log n``, MSE = 1 - R² of the saturated model).
"""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

from loyaltysurvey.analysis.comparison import (MAIN_MODEL, chisq_difference, compare_models, compare_pls,
                                               compare_sem, information_criteria)
from loyaltysurvey.errors import QuestionnaireError
from loyaltysurvey.pls import PLS
from loyaltysurvey.questionnaire import QuestionnaireBuilder, load_questionnaire, questionnaire_from_yaml
from loyaltysurvey.sem import SEM
from loyaltysurvey.settings import Settings

from conftest import REFERENCE, ROOT

REF = json.loads((REFERENCE / "model_comparison_reference.json").read_text(encoding="utf-8"))["cases"]
DATA = {"src/loyaltysurvey/datasets/HolzingerSwineford1939.csv": ROOT / "src/loyaltysurvey/datasets/HolzingerSwineford1939.csv",
        "tests/reference/data/HolzingerSwineford1939_missing.csv": REFERENCE / "data/HolzingerSwineford1939_missing.csv",
        "tests/reference/data/PoliticalDemocracy.csv": REFERENCE / "data/PoliticalDemocracy.csv"}
CRM_CSV = REFERENCE / "data/crm_example_clean.csv"
REL, P_ABS = 1e-4, 1e-5
ROBUST_REL = 1e-3


def _data(case: dict) -> pd.DataFrame:
    note = case["data"]
    if note.startswith("tests/reference/data/crm_example_clean.csv"):
        frame = pd.read_csv(CRM_CSV)
        for item in ("KCF3", "KM2", "LOY4"):
            frame[item] = 6 - frame[item]
        return frame
    return pd.read_csv(DATA[note])


def _missing(case: dict) -> str:
    return "fiml" if case["missing"] == "ml" else "listwise"


@pytest.fixture(scope="module")
def compared():
    out = {}
    for name, case in REF.items():
        data = _data(case)
        fits = [(m, SEM(spec["syntax"]).fit(data, missing=_missing(case), estimator=case["estimator"]))
                for m, spec in case["models"].items()]
        out[name] = compare_sem(fits)
    return out


def _close(ours, theirs, rel=REL, what=""):
    if theirs is None:  # lavaan's NA (a negative scaled-difference factor): ours must be undefined too
        assert math.isnan(ours), what
        return
    assert ours == pytest.approx(theirs, rel=rel, abs=1e-12), what


@pytest.mark.parametrize("name", sorted(REF))
def test_fit_measures_of_every_model(compared, name):
    """fitMeasures() of the main model and each alternative (1e-4 relative; robust ones 1e-3)."""
    rows = {r["model"]: r for r in compared[name]["models"]}
    for model, spec in REF[name]["models"].items():
        for key, value in spec["fit"].items():
            if value is None or key in ("converged",):
                continue
            ours = rows[model][key.replace("chisq_scaled", "chisq_scaled")]
            if key == "pvalue" or key == "pvalue_scaled":
                assert abs(ours - value) < P_ABS, (name, model, key)
            else:
                _close(ours, value, ROBUST_REL if key.endswith("robust") else REL, (name, model, key))


@pytest.mark.parametrize("name", sorted(REF))
def test_lavtestlrt(compared, name):
    """lavTestLRT(main, alternative): the (scaled) chi-square difference, its df and p, AIC and BIC."""
    comparisons = {c["model"]: c for c in compared[name]["comparisons"]}
    rows = {r["model"]: r for r in compared[name]["models"]}
    for model, test in REF[name]["tests"].items():
        ours = comparisons[model]
        # lavTestLRT orders the models by df: the first row is the free model, the second the restricted
        assert [ours["free"], ours["restricted"]] == test["order"]
        assert ours["delta"]["df"] == test["df_diff"]
        # FIML + MLR: the scaling factors agree with lavaan to about 2e-6 relative (lavaan takes
        # the h1 information of the missing-data patterns by numerical differentiation), and the
        # scaled difference divides by cd = (r0 c0 - r1 c1) / (r0 - r1), which magnifies that by
        # r0 c0 / cd (about 24 here): 1e-3 relative and p to 1e-4 there; 1e-4 and 1e-5 elsewhere.
        fiml_mlr = name == "hs_fiml_mlr"
        _close(ours["delta"]["chisq"], test["chisq_diff"], 1e-3 if fiml_mlr else REL, (name, model))
        if test["pvalue"] is None:
            assert math.isnan(ours["delta"]["pvalue"]) and ours["chisq_no_worse"] is None
        else:
            assert abs(ours["delta"]["pvalue"] - test["pvalue"]) < (1e-4 if fiml_mlr else P_ABS)
        expected = "satorra.bentler.2001" if "satorra.bentler.2001" in test["method"] else "standard"
        assert ours["delta"]["method"] == expected
        for row_name, aic, bic, chisq in zip(test["order"], test["AIC"], test["BIC"], test["Chisq"]):
            _close(rows[row_name]["aic"], aic, REL)
            _close(rows[row_name]["bic"], bic, REL)
            _close(rows[row_name]["chisq"], chisq, REL)
        if "rmsea_diff" in test:  # lavTestLRT's RMSEA of the difference (ML only)
            _close(ours["delta"]["rmsea_diff"], test["rmsea_diff"], REL)
        else:
            assert math.isnan(ours["delta"]["rmsea_diff"])


def test_scaled_difference_by_hand(compared):
    """The Satorra-Bentler (2001) formula on lavaan's own chisq, df and scaling factors reproduces lavaan."""
    case = REF["hs_mlr"]
    for model, test in case["tests"].items():
        free, restricted = (case["models"][n]["fit"] for n in test["order"])
        cd = (restricted["df"] * restricted["chisq_scaling_factor"] - free["df"] * free["chisq_scaling_factor"]) / (
            restricted["df"] - free["df"])
        assert (restricted["chisq"] - free["chisq"]) / cd == pytest.approx(test["chisq_diff"], rel=1e-12)
        ours = {c["model"]: c for c in compared["hs_mlr"]["comparisons"]}[model]
        _close(ours["delta"]["scaling_factor"], cd, REL)


def test_decisions_and_nesting(compared):
    """Decisions with their thresholds: the cross-loading is needed (p < .05, delta CFI < -.01), the
    equal loadings fit no worse (p >= .05, |delta CFI| <= .01, delta RMSEA <= .015); both nestings
    are parameter subsets; BIC prefers the cross-loading model."""
    hs = {c["model"]: c for c in compared["hs_ml"]["comparisons"]}
    assert hs["cross"]["restricted"] == MAIN_MODEL and hs["cross"]["preferred"] == "cross"
    assert hs["cross"]["chisq_no_worse"] is False and hs["cross"]["cfi_no_worse"] is False
    assert hs["equal"]["restricted"] == "equal" and hs["equal"]["preferred"] == "equal"
    assert (hs["equal"]["chisq_no_worse"], hs["equal"]["cfi_no_worse"], hs["equal"]["rmsea_no_worse"]) == (
        True, True, True)
    assert {c["nested"] for c in hs.values()} == {"parameter_subset"}
    assert compared["hs_ml"]["preferred"] == {"aic": "cross", "bic": "cross"}
    crm = {c["model"]: c for c in compared["crm_ml"]["comparisons"]}
    assert crm["partial"]["nested"] == "parameter_subset" and crm["partial"]["restricted"] == MAIN_MODEL
    # direct_only drops SAT -> LOY: its free parameters are not among the main model's, nor the reverse
    assert crm["direct_only"]["nested"] == "assumed"
    # delta CFI is restricted minus free, on the robust CFI under MLR
    mlr = {r["model"]: r for r in compared["hs_mlr"]["models"]}
    c = {c["model"]: c for c in compared["hs_mlr"]["comparisons"]}["cross"]
    assert c["delta"]["cfi"] == pytest.approx(mlr["model"]["cfi_robust"] - mlr["cross"]["cfi_robust"], abs=1e-15)


def test_equal_df_is_not_tested():
    from loyaltysurvey.datasets import HS_MODEL, holzinger_swineford
    hs = holzinger_swineford()
    a = SEM(HS_MODEL + "\nvisual =~ x9").fit(hs)
    b = SEM(HS_MODEL + "\nvisual =~ x7").fit(hs)
    c = compare_sem([("model", a), ("other", b)])["comparisons"][0]
    assert c["nested"] == "not_nested" and math.isnan(c["delta"]["pvalue"]) and c["chisq_no_worse"] is None
    assert c["preferred"] == ("model" if a.measures["bic"] <= b.measures["bic"] else "other")
    assert c["preferred_by"] == "bic"


# --------------------------------------------------------------------------- the questionnaire route

@pytest.fixture(scope="module")
def crm_alt():
    return load_questionnaire(ROOT / "tests/questionnaires/crm_alternatives.yaml")


@pytest.fixture(scope="module")
def crm_scored(crm_alt):
    from loyaltysurvey.analysis.scoring import score_items
    from loyaltysurvey.ingest import ingest
    return score_items(ingest(crm_alt, ROOT / "questionnaires/crm_loyalty_example.csv").responses, crm_alt)


@pytest.mark.parametrize("estimator", ["ML", "MLR"])
def test_questionnaire_alternatives_match_lavaan(crm_alt, crm_scored, estimator):
    """The test questionnaire's alternatives, fitted from YAML through ingest, equal lavaan on the bundled example."""
    result = compare_models(crm_scored, crm_alt, Settings.resolve(crm_alt, method="cb", estimator=estimator))
    ref = REF["crm_ml" if estimator == "ML" else "crm_mlr"]
    rows = {r["model"]: r for r in result.cbsem["models"]}
    for model, spec in ref["models"].items():
        _close(rows[model]["chisq"], spec["fit"]["chisq"], REL, model)
        _close(rows[model]["bic"], spec["fit"]["bic"], REL, model)
    for c in result.cbsem["comparisons"]:
        test = ref["tests"][c["model"]]
        _close(c["delta"]["chisq"], test["chisq_diff"], REL)
        assert abs(c["delta"]["pvalue"] - test["pvalue"]) < P_ABS
    payload = result.to_json()
    assert payload["estimator"] == estimator and [m["model"] for m in payload["cbsem"]["models"]] == [
        "model", "partial", "direct_only"]
    assert "pls" not in payload


def test_no_alternatives_no_comparison(crm_questionnaire, crm_scored):
    assert compare_models(crm_scored, crm_questionnaire, Settings.resolve(crm_questionnaire, method="cb")) is None


# --------------------------------------------------------------------------- questionnaire validation

BASE = """id: d
scale: {min: 1, max: 5}
constructs:
  - {id: SAT, items: [S1, S2, S3]}
  - {id: LOY, items: [L1, L2, L3]}
  - {id: KCF, items: [K1, K2, K3]}
model: |
  SAT ~ KCF
  LOY ~ SAT
"""


def test_alternative_errors_name_the_alternative_and_line():
    with pytest.raises(QuestionnaireError) as err:
        questionnaire_from_yaml(BASE + "alternatives:\n  direct: |\n    SAT ~ KCF\n    LOY ~ FOO\n")
    assert err.value.line == 13 and "alternatives.direct" in str(err.value) and "FOO" in str(err.value)
    with pytest.raises(QuestionnaireError) as err:
        questionnaire_from_yaml(BASE + "alternatives:\n  direct: \"LOY ~~ \"\n")
    assert err.value.line == 11 and "alternatives.direct" in str(err.value)
    with pytest.raises(QuestionnaireError) as err:
        questionnaire_from_yaml(BASE + "alternatives: [LOY ~ KCF]\n")
    assert err.value.line == 10
    with pytest.raises(QuestionnaireError) as err:
        questionnaire_from_yaml(BASE.replace("model: |\n  SAT ~ KCF\n  LOY ~ SAT\n", "") +
                                "alternatives:\n  direct: LOY ~ KCF\n")
    assert "give a model first" in str(err.value)


def test_alternatives_frozen_and_builder_equivalent():
    q = questionnaire_from_yaml(BASE + "alternatives:\n  direct: |\n    SAT ~ KCF\n    LOY ~ KCF\n")
    alt = q.alternative("direct")
    assert alt.line == 11 and [(s.lhs, s.op, s.rhs) for s in alt.statements] == [("SAT", "~", "KCF"),
                                                                                  ("LOY", "~", "KCF")]
    with pytest.raises(Exception):
        alt.name = "x"
    b = (QuestionnaireBuilder("d").construct("SAT", items=["S1", "S2", "S3"]).construct("LOY", items=["L1", "L2", "L3"])
         .construct("KCF", items=["K1", "K2", "K3"]).model("SAT ~ KCF\nLOY ~ SAT")
         .alternative("direct", "SAT ~ KCF\nLOY ~ KCF\n").build())
    assert b.alternatives == q.alternatives


# --------------------------------------------------------------------------- PLS-SEM

MOBI = {"Image": ["IMAG1", "IMAG2", "IMAG3", "IMAG4", "IMAG5"], "Expectation": ["CUEX1", "CUEX2", "CUEX3"],
        "Quality": [f"PERQ{i}" for i in range(1, 8)], "Value": ["PERV1", "PERV2"],
        "Satisfaction": ["CUSA1", "CUSA2", "CUSA3"], "Complaints": ["CUSCO"], "Loyalty": ["CUSL1", "CUSL2", "CUSL3"]}
MOBI_MODEL = """Expectation ~ Image
Quality ~ Expectation
Value ~ Expectation + Quality
Satisfaction ~ Image + Expectation + Quality + Value
Complaints ~ Satisfaction
Loyalty ~ Image + Satisfaction + Complaints"""


CORP = {"COMP": ["comp_1", "comp_2", "comp_3"], "LIKE": ["like_1", "like_2", "like_3"], "CUSA": ["cusa"],
        "CUSL": ["cusl_1", "cusl_2", "cusl_3"]}
CORP_MODEL = "CUSA ~ COMP + LIKE\nCUSL ~ COMP + LIKE + CUSA"
SEMINR_CASES = {"mobi": ("mobi.csv", MOBI, MOBI_MODEL, {}), "mobi_modeB": ("mobi.csv", MOBI, MOBI_MODEL, {"Image": "B"}),
                "mobi_plsc": ("mobi.csv", MOBI, MOBI_MODEL, {k: "reflective" for k in MOBI}),
                "corp_rep": ("corp_rep.csv", CORP, CORP_MODEL, {})}
PLS_REF = json.loads((REFERENCE / "pls_reference.json").read_text())["models"]


def _questionnaire(blocks, model, alternatives, modes=None):
    from loyaltysurvey.questionnaire import questionnaire_from_dict
    return questionnaire_from_dict({
        "id": "pls", "scale": {"min": 0, "max": 10}, "model": model, "alternatives": alternatives,
        "constructs": [{"id": c, "items": items, **({"mode": modes[c]} if modes and c in modes else {})}
                       for c, items in blocks.items()]})


@pytest.mark.parametrize("name", sorted(SEMINR_CASES))
def test_pls_aic_bic_equal_seminr_it_criteria(shared_data, name):
    """AIC and BIC of every endogenous construct equal seminr 2.3's ``summary(pls)$it_criteria``
    (tests/reference/pls_reference.json, written by make_pls_reference.R) to 1e-6 relative."""
    file, blocks, model, modes = SEMINR_CASES[name]
    data = pd.read_csv(shared_data / file).replace(-99, np.nan)
    q = _questionnaire(blocks, model, {"same": model}, modes)
    result = compare_pls(data, q, Settings.resolve(q, method="pls"), [(MAIN_MODEL, q.sem_statements)])
    ref = PLS_REF[name]["it_criteria"]
    rows = {r["construct"]: r for r in result["rows"]}
    assert set(rows) == set(ref["cols"])
    for j, construct in enumerate(ref["cols"]):
        assert rows[construct]["aic"] == pytest.approx(ref["matrix"][0][j], rel=1e-6), construct
        assert rows[construct]["bic"] == pytest.approx(ref["matrix"][1][j], rel=1e-6), construct


def test_pls_alternative_bic_and_gm_by_hand(shared_data):
    """An alternative (no Image -> Loyalty): Loyalty's BIC from an OLS on its construct scores done here,
    and GM (cSEM: SSE / MSE + k ln n) with MSE from the saturated model refitted by PLS in causal order."""
    mobi = pd.read_csv(shared_data / "mobi.csv")
    no_image = MOBI_MODEL.replace("Loyalty ~ Image + ", "Loyalty ~ ")
    q = _questionnaire(MOBI, MOBI_MODEL, {"no_image": no_image})
    result = compare_pls(mobi, q, Settings.resolve(q, method="pls"),
                         [(MAIN_MODEL, q.sem_statements), ("no_image", q.alternatives[0].sem_statements(q.constructs))])
    N = len(mobi)
    fit = PLS(MOBI, no_image).fit(mobi)
    scores = pd.DataFrame(fit.estimate.scores, columns=list(fit.spec.constructs))
    X = np.column_stack([np.ones(N), scores["Satisfaction"], scores["Complaints"]])
    y = scores["Loyalty"].to_numpy()
    resid = y - X @ np.linalg.lstsq(X, y, rcond=None)[0]
    sse = resid @ resid * (N - 1) / ((y - y.mean()) @ (y - y.mean()))
    alt = {r["construct"]: r for r in result["rows"] if r["model"] == "no_image"}
    main = {r["construct"]: r for r in result["rows"] if r["model"] == MAIN_MODEL}
    assert alt["Loyalty"]["k"] == 3 and main["Loyalty"]["k"] == 4
    assert alt["Loyalty"]["bic"] == pytest.approx(N * math.log(sse / N) + 3 * math.log(N), rel=1e-10)
    order = result["saturated_order"]
    assert order == ["Image", "Expectation", "Quality", "Value", "Satisfaction", "Complaints", "Loyalty"]
    sat = PLS(MOBI, [(a, b) for j, b in enumerate(order) for a in order[:j]]).fit(mobi)
    mse = 1 - float(sat.r2["Loyalty"])
    assert alt["Loyalty"]["gm"] == pytest.approx(sse / mse + 3 * math.log(N), rel=1e-8)
    for key in ("bic", "gm"):
        best = min((MAIN_MODEL, main), ("no_image", alt), key=lambda m: m[1]["Loyalty"][key])[0]
        assert result["preferred"]["Loyalty"][key] == best
    # PLS weights depend on the whole structural model (path scheme), so even Satisfaction, whose
    # regression is the same in both models, has slightly different construct scores and BIC
    assert alt["Satisfaction"]["k"] == main["Satisfaction"]["k"] == 5


def test_information_criteria_by_hand():
    """On synthetic standardized scores: k counts the constant; GM needs the saturated MSE."""
    rng = np.random.default_rng(7)
    x = rng.normal(size=150)
    z = rng.normal(size=150)
    y = 0.4 * x + 0.2 * z + rng.normal(size=150)
    s = pd.DataFrame({"X": x, "Z": z, "Y": y})
    s = (s - s.mean()) / s.std()
    row = information_criteria(s, [("X", "Y"), ("Z", "Y")], {"Y": 0.5})[0]
    r2 = np.corrcoef(s["Y"], np.column_stack([s["X"], s["Z"]]) @ np.linalg.lstsq(
        np.column_stack([s["X"], s["Z"]]), s["Y"], rcond=None)[0])[0, 1] ** 2
    assert row["r2"] == pytest.approx(r2, rel=1e-12)
    sse = (1 - r2) * 149
    assert row["k"] == 3
    assert row["bic"] == pytest.approx(150 * math.log(sse / 150) + 3 * math.log(150), rel=1e-12)
    assert row["gm"] == pytest.approx(sse / 0.5 + 3 * math.log(150), rel=1e-12)


# --------------------------------------------------------------------------- results.json, the API and the chapter

@pytest.fixture(scope="module")
def study_both():
    import loyaltysurvey
    return loyaltysurvey.analyze(ROOT / "tests/questionnaires/crm_alternatives.yaml",
                                 ROOT / "questionnaires/crm_loyalty_example.csv", bootstrap=0)


def test_results_json_and_api(study_both):
    payload = study_both.to_json()["model_comparison"]
    assert payload["estimator"] == "ML" and payload["missing"] == "listwise"
    cb = payload["cbsem"]
    assert [m["model"] for m in cb["models"]] == ["model", "partial", "direct_only"]
    ref = REF["crm_ml"]
    for c in cb["comparisons"]:  # the same numbers as lavaan, through the whole pipeline
        assert c["delta"]["chisq"] == pytest.approx(ref["tests"][c["model"]]["chisq_diff"], rel=REL)
        assert set(c) >= {"restricted", "free", "nested", "delta", "chisq_no_worse", "cfi_no_worse",
                          "rmsea_no_worse", "preferred"}
    pls = payload["pls"]
    assert {r["construct"] for r in pls["rows"]} == {"SAT", "LOY"}
    assert set(pls["preferred"]) == {"SAT", "LOY"} and all(set(v) == {"bic", "gm"} for v in pls["preferred"].values())
    assert study_both.comparison.summary()["tests"].shape[0] == 2
    json.dumps(study_both.to_json())  # plain JSON (NaN became null)


@pytest.mark.parametrize("lang", ["en", "fa"])
def test_chapter_section(study_both, lang):
    from datetime import date
    from loyaltysurvey.report.build import build_report
    report = build_report(study_both.results, lang, date(2026, 11, 23))
    section = {s.id: s for s in report.sections}["model_comparison"]
    tables = {b.id: b for b in section.blocks if hasattr(b, "rows")}
    assert set(tables) == {"comparison_fit", "comparison_tests", "comparison_pls"}
    assert len(tables["comparison_fit"].rows) == 3 and len(tables["comparison_tests"].rows) == 2
    # the smallest BIC is in bold, and the decisions are the analysis's
    bic = [r[-1] for r in tables["comparison_fit"].rows]
    assert [c.emphasis for c in bic] == [c.value == min(x.value for x in bic) for c in bic]
    refs = " ".join(report.references)
    for author in ("Cheung, G. W.", "Chen, F. F.", "Akaike, H.", "Schwarz, G.", "Geweke, J.", "Sharma, P. N."):
        assert author in refs
    assert "Satorra" not in refs  # ML: no scaled difference was used, so it is not cited


def test_no_section_without_alternatives():
    import loyaltysurvey
    from datetime import date
    from loyaltysurvey.datasets import crm_export, crm_questionnaire
    from loyaltysurvey.report.build import build_report
    study = loyaltysurvey.analyze(crm_questionnaire(), crm_export(), method="cb", bootstrap=0)
    assert "model_comparison" not in study.to_json() and study.comparison is None
    report = build_report(study.results, "en", date(2026, 11, 23))
    assert "model_comparison" not in {s.id for s in report.sections}
    assert "Satorra" not in " ".join(report.references) and "Geweke" not in " ".join(report.references)


def test_mlr_chapter_cites_satorra_bentler(crm_alt, crm_scored):
    import loyaltysurvey
    from datetime import date
    from loyaltysurvey.report.build import build_report
    study = loyaltysurvey.analyze(crm_alt, ROOT / "questionnaires/crm_loyalty_example.csv", method="cb",
                                  estimator="MLR", bootstrap=0)
    tests = study.to_json()["model_comparison"]["cbsem"]["comparisons"]
    assert {t["delta"]["method"] for t in tests} == {"satorra.bentler.2001"}
    report = build_report(study.results, "en", date(2026, 11, 23))
    assert "Satorra, A., & Bentler, P. M. (2001)" in " ".join(report.references)


def test_cli_validate_names_the_alternatives(tmp_path):
    from typer.testing import CliRunner
    from loyaltysurvey.cli import app
    runner = CliRunner()
    ok = runner.invoke(app, ["validate", str(ROOT / "tests/questionnaires/crm_alternatives.yaml")])
    assert ok.exit_code == 0 and "2 alternative models (partial, direct_only)" in ok.output
    bad = tmp_path / "bad.yaml"
    bad.write_text(BASE + "alternatives:\n  direct: |\n    SAT ~ KCF\n    LOY ~ FOO\n", encoding="utf-8")
    result = runner.invoke(app, ["validate", str(bad)])
    assert result.exit_code == 2 and "line 13" in result.output and "alternatives.direct" in result.output
