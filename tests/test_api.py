"""The Python API: analyse a DataFrame in memory, read tables as DataFrames, use each engine alone.

Sources of the numbers:
* HolzingerSwineford three-factor CFA: lavaan 0.6.14 ``cfa(HS3, data = HolzingerSwineford1939)``
  (tests/reference/sem_reference.json, written by tests/reference/make_sem_reference.R), here
  through ``SEM(...).fit()`` with no questionnaire and the API's lavaan column names.
* The whole study: results.json as ``loyaltysurvey analyze`` writes it (same code path), compared
  with ``Study.to_json()`` of an in-memory run.
"""

from __future__ import annotations

import ast
import builtins
import io
import json
import math
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import loyaltysurvey
from loyaltysurvey.datasets import crm_export, crm_questionnaire, holzinger_swineford

from conftest import REFERENCE, ROOT

SEM_REF = json.loads((REFERENCE / "sem_reference.json").read_text(encoding="utf-8"))["models"]


@pytest.fixture(scope="module")
def inputs():
    """The questionnaire and the export, read before file access is forbidden."""
    return crm_questionnaire(), crm_export()


def test_analyze_a_dataframe_without_touching_files(inputs, monkeypatch, tmp_path):
    q, frame = inputs
    real_open = builtins.open
    opened: list[str] = []

    def guarded_open(file, mode="r", *args, **kwargs):
        if any(flag in mode for flag in "wax+"):
            opened.append(str(file))
            raise AssertionError(f"analyze() opened {file} for writing")
        return real_open(file, mode, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", guarded_open)
    monkeypatch.setattr(io, "open", guarded_open)
    before = set(os.listdir(tmp_path))
    monkeypatch.chdir(tmp_path)
    study = loyaltysurvey.analyze(q, frame, bootstrap=100, seed=3)
    assert opened == [] and set(os.listdir(tmp_path)) == before
    assert study.n == 420 and study.settings.bootstrap == 100 and study.settings.pls_bootstrap == 100

    # Tables are DataFrames with lavaan's column names.
    est = study.sem.estimates()
    assert {"lhs", "op", "rhs", "est", "se", "z", "pvalue", "ci.lower", "ci.upper", "std.all"} <= set(est.columns)
    assert isinstance(study.sem.fit_measures(), pd.Series) and study.sem.fit_measures()["df"] > 0
    assert list(study.hypotheses["decision"].unique()) == ["supported"]
    assert set(study.reliability.columns) >= {"alpha", "alpha.ci.lower", "omega", "cr", "ave"}
    assert study.reliability.loc["SAT", "alpha"] == pytest.approx(study.to_json()["reliability"]["SAT"]["alpha"])
    paths = study.pls.paths
    assert {"from", "to", "est", "se", "t", "pvalue", "ci.lower", "ci.upper", "decision"} <= set(paths.columns)
    assert "summary" not in repr(study) and "SAT" in study.summary().as_text()
    assert "<table" in study._repr_html_()


def test_study_to_json_equals_the_written_results(inputs, tmp_path):
    q, frame = inputs
    study = loyaltysurvey.analyze(q, frame, bootstrap=50, seed=5, lang="en")
    written = study.write(tmp_path, formats=("json", "xlsx"))
    assert sorted(written) == ["results.json", "tables.xlsx"]
    assert json.loads((tmp_path / "results.json").read_text(encoding="utf-8")) == \
        json.loads(json.dumps(study.to_json()))
    # the CLI path gives the same numbers from the file
    from loyaltysurvey.workflow import run_analyze
    from loyaltysurvey.resources import bundled_path
    run_analyze(bundled_path("questionnaires", "crm_loyalty.yaml"),
                bundled_path("questionnaires", "crm_loyalty_example.csv"), tmp_path / "cli",
                bootstrap=50, seed=5, lang="en")
    from_file = json.loads((tmp_path / "cli" / "results.json").read_text(encoding="utf-8"))
    mine = json.loads(json.dumps(study.to_json()))
    for key in ("reliability", "cfa", "sem", "pls", "hypotheses", "descriptives"):
        assert from_file[key] == mine[key], key
    assert from_file["meta"]["settings"] == mine["meta"]["settings"]


def test_settings_are_recorded_whole(inputs):
    q, frame = inputs
    settings = loyaltysurvey.analyze(q, frame, bootstrap=0, method="pls").to_json()["meta"]["settings"]
    assert settings["pls_bootstrap"] == 0 and settings["bootstrap"] == 0 and settings["method"] == "pls"
    assert set(settings) == set(loyaltysurvey.Settings.names())
    default = loyaltysurvey.Settings.resolve(q)
    assert (default.bootstrap, default.pls_bootstrap, default.seed) == (0, 5000, 20260101)


def test_pls_without_resamples_is_not_tested(inputs):
    q, frame = inputs
    study = loyaltysurvey.analyze(q, frame, bootstrap=0)
    assert set(study.pls.paths["decision"]) == {"not_tested"}
    assert all(math.isnan(v) for v in study.pls.paths["ci.lower"])
    assert {h["decision"] for h in study.to_json()["hypotheses"]} <= {"supported", "not_supported", "not_tested"}
    # the chapter says so in its methods and PLS paragraphs, in both languages: no "0 resamples (seed None)"
    from loyaltysurvey.report.build import build_report
    from loyaltysurvey.report.markdown import render_markdown
    for lang, said in (("en", "without bootstrap resamples"), ("fa", "بدون نمونه‌گیری مجدد بوت‌استرپ")):
        text = render_markdown(build_report(study.results, lang))
        assert text.count(said) == 2, lang
        assert "None" not in text and "seed –" not in text and "0 bootstrap" not in text, lang


def test_unknown_option_is_a_clear_error(inputs):
    q, frame = inputs
    with pytest.raises(loyaltysurvey.LoyaltySurveyError, match="unknown option 'bootstraps'"):
        loyaltysurvey.analyze(q, frame, bootstraps=10)
    with pytest.raises(loyaltysurvey.LoyaltySurveyError, match="--seed must be"):
        loyaltysurvey.analyze(q, frame, seed=-1)
    # settings that follow another option are named with it, not a TypeError
    for name, follows in (("pls_bootstrap", "bootstrap"), ("cb_missing", "missing"), ("pls_missing", "missing")):
        with pytest.raises(loyaltysurvey.LoyaltySurveyError, match=f"no option '{name}': it follows the option '{follows}'"):
            loyaltysurvey.analyze(q, frame, **{name: 10})


def test_sem_engine_alone_equals_lavaan_on_holzinger_swineford():
    ref = SEM_REF["hs_cfa"]
    fit = loyaltysurvey.SEM(ref["model_syntax"]).fit(holzinger_swineford())
    measures = fit.fit_measures()
    for key in ("chisq", "df", "cfi", "tli", "rmsea", "srmr", "aic", "bic"):
        assert measures[key] == pytest.approx(ref["fit"][key], rel=1e-4), key
    est = fit.estimates()
    checked = 0
    for row in ref["estimates"]:
        pair = {(row["lhs"], row["rhs"]), (row["rhs"], row["lhs"])} if row["op"] == "~~" else {(row["lhs"], row["rhs"])}
        match = (est.op == row["op"]).to_numpy() & np.array([(a, b) in pair for a, b in zip(est.lhs, est.rhs)])
        mine = est[match].iloc[0]
        assert mine["est"] == pytest.approx(row["est"], abs=1e-3)
        assert mine["std.all"] == pytest.approx(row["std.all"], abs=1e-3)
        assert mine["se"] == pytest.approx(row["se"], abs=1e-3)
        checked += 1
    assert checked == len(est) == 24
    r2 = fit.inspect("r2")
    for name, value in ref["r2"].items():
        assert r2[name] == pytest.approx(value, abs=1e-4)
    assert fit.inspect("cor.lv").shape == (3, 3) and fit.inspect("nobs") == 301
    with pytest.raises(loyaltysurvey.ModelError, match="inspect"):
        fit.inspect("nonsense")


def test_sem_bootstrap_is_an_option_of_the_fit():
    hs = holzinger_swineford()
    model = loyaltysurvey.SEM("visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6")
    one = model.fit(hs, se="bootstrap", bootstrap=200, seed=1)
    two = model.fit(hs, se="bootstrap", bootstrap=200, seed=1, jobs=2)
    pd.testing.assert_frame_equal(one.estimates(), two.estimates())
    assert one.bootstrap_info["successful"] + one.bootstrap_info["failed"] == 200
    assert {"ci.bca.lower", "std.ci.upper"} <= set(one.estimates().columns)
    assert one.bootstrap_info["missing"] == "listwise"


def test_fiml_fit_bootstraps_every_respondent():
    """se="bootstrap" with missing="fiml" resamples all rows, incomplete ones included (lavaan's
    missing = "ml", se = "bootstrap"); the numbers are checked against lavaan in
    tests/test_fiml_bootstrap_reference.py."""
    hs = holzinger_swineford()
    hs.loc[::3, "x5"] = np.nan
    model = loyaltysurvey.SEM("visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6")
    plain = model.fit(hs, missing="fiml")
    boot = model.fit(hs, missing="fiml", se="bootstrap", bootstrap=200, seed=1)
    assert boot.nobs == 301 and boot.bootstrap_info["missing"] == "fiml"
    assert boot.bootstrap_info["successful"] + boot.bootstrap_info["failed"] == 200
    assert boot.bootstrap.draws.shape == (boot.bootstrap_info["successful"], len(plain.params))
    pd.testing.assert_series_equal(boot.params.est, plain.params.est)
    free = plain.params.se > 0
    # bootstrap and observed-information SEs of the same fit agree roughly (B = 200)
    ratio = boot.params.se[free] / plain.params.se[free]
    assert 0.7 < ratio.median() < 1.3


IMPORT_RULE = {"sem": {"ingest", "questionnaire", "analysis", "report", "study", "workflow", "cli", "settings"},
               "pls": {"ingest", "questionnaire", "analysis", "report", "study", "workflow", "cli", "settings"}}


@pytest.mark.parametrize("package", sorted(IMPORT_RULE))
def test_engines_stand_alone(package):
    """sem/ and pls/ import only numpy, scipy, pandas, errors and (pls) sem's shared helpers."""
    folder = ROOT / "src" / "loyaltysurvey" / package
    for path in sorted(folder.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.level >= 2:
                top = (node.module or "").split(".")[0]
                assert top not in IMPORT_RULE[package], f"{path.name} imports loyaltysurvey.{node.module}"
            if isinstance(node, ast.ImportFrom) and node.level == 0 and (node.module or "").startswith("loyaltysurvey"):
                top = node.module.split(".")[1] if "." in node.module else ""
                assert top not in IMPORT_RULE[package], f"{path.name} imports {node.module}"
            if isinstance(node, ast.Import):
                for alias in node.names:
                    assert alias.name.split(".")[0] in {"numpy", "scipy", "pandas", "math", "re", "ast",
                                                        "itertools", "dataclasses", "functools", "typing",
                                                        "concurrent", "warnings", "collections"}, alias.name


def test_docstrings_do_not_point_outside_the_repository():
    for path in (ROOT / "src").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert "../shared" not in text and "shared/" not in text, path


def test_mediation_type_only_where_the_direct_effect_was_estimated(inputs, tmp_path):
    """Zhao, Lynch & Chen's types and VAF need the direct path: without it c' is fixed at 0, not tested."""
    from loyaltysurvey.resources import bundled_path
    q, frame = inputs
    plain = loyaltysurvey.analyze(q, frame, method="cb", bootstrap=0).effects
    ind = plain[plain.kind == "indirect"]
    assert set(ind["mediation.type"]) == {"not_tested"} and ind["vaf"].isna().all()

    text = bundled_path("questionnaires", "crm_loyalty.yaml").read_text(encoding="utf-8")
    at = text.index("\nmodel: |\n") + len("\nmodel: |\n")
    path = tmp_path / "direct.yaml"
    path.write_text(text[:at] + "  LOY ~ KCF\n" + text[at:], encoding="utf-8")
    effects = loyaltysurvey.analyze(path, frame, method="cb", bootstrap=0).effects
    kcf = effects[(effects.kind == "indirect") & (effects["from"] == "KCF")].iloc[0]
    others = effects[(effects.kind == "indirect") & (effects["from"] != "KCF")]
    assert kcf["mediation.type"] in {"complementary", "competitive", "indirect-only", "direct-only", "no-effect"}
    total = effects[(effects.kind == "total") & (effects["from"] == "KCF") & (effects.to == "LOY")].iloc[0]
    assert kcf["vaf"] == pytest.approx(kcf["est"] / total["est"])
    assert set(others["mediation.type"]) == {"not_tested"}


ECSI = """id: ecsi
title: ECSI
language: en
scale: {min: 1, max: 10}
constructs:
  - {id: IMAG, name: Image, items: [{id: IMAG1}, {id: IMAG2}, {id: IMAG3}, {id: IMAG4}, {id: IMAG5}]}
  - {id: CUEX, name: Expectations, items: [{id: CUEX1}, {id: CUEX2}, {id: CUEX3}]}
  - {id: PERQ, name: Quality, items: [{id: PERQ1}, {id: PERQ2}, {id: PERQ3}, {id: PERQ4}, {id: PERQ5}, {id: PERQ6}, {id: PERQ7}]}
  - {id: PERV, name: Value, items: [{id: PERV1}, {id: PERV2}]}
  - {id: CUSA, name: Satisfaction, items: [{id: CUSA1}, {id: CUSA2}, {id: CUSA3}]}
  - {id: COMP, name: Complaints, items: [{id: CUSCO}]}
  - {id: CUSL, name: Loyalty, items: [{id: CUSL1}, {id: CUSL2}, {id: CUSL3}]}
model: |
  CUEX ~ IMAG
  PERQ ~ CUEX
  PERV ~ CUEX + PERQ
  CUSA ~ PERV + CUEX + PERQ + IMAG
  COMP ~ CUSA
  CUSL ~ CUSA + PERV + IMAG + COMP
"""


def test_an_inadmissible_solution_gets_no_verdicts(shared_data, tmp_path):
    """The ECSI model on mobi is a Heywood case whose information matrix is singular (lavaan 0.6.14
    gives the same: CUSL's residual variance -2.341, its vcov not positive definite). No SEs: no
    interval for an indirect effect and no p-value for a direct path, and a missing test is not a
    non-significant one, so no type of mediation or VAF (they read 'indirect-only (full
    mediation)'); CUSL's R² of 1.87 is not 'substantial'; a notice is not repeated word for word."""
    path = tmp_path / "ecsi.yaml"
    path.write_text(ECSI, encoding="utf-8")
    study = loyaltysurvey.analyze(path, shared_data / "mobi.csv", method="cb", bootstrap=0)
    codes = [n["code"] for n in study.to_json()["warnings"]]
    assert "not_identified" in codes
    assert codes.count("lv_not_pd") == 1  # in the CFA and the structural model alike: said once
    sem = study.to_json()["sem"]
    assert sem["r2"]["CUSL"] > 1 and sem["r2_band"]["CUSL"] == "inadmissible"  # not 'substantial'
    rows = study.to_json()["sem"]["effects"]
    mediated = [r for r in rows if r["kind"] in ("indirect", "total_indirect") and r.get("mediation_type")]
    assert mediated and all(r["mediation_type"] == "not_tested" for r in mediated)
    untested = {r["not_tested_because"] for r in mediated}
    assert untested == {"no_direct_path", "no_interval"}, untested
    assert all(r["vaf"] is None for r in mediated)
    from loyaltysurvey.report import build_report
    report = build_report(study.results, "en")
    table = next(b for s in report.sections for b in s.blocks if getattr(b, "id", None) == "mediation")
    types = {row[-1].value for row in table.rows}
    assert types == {"not tested (no direct path)", "not tested (no standard errors)"}, types


def test_validity_checks_name_what_fails(inputs):
    """The analysis decides which constructs, items and pairs fail each criterion; checked here against
    the numbers it reports (AVE, CR, std.all, HTMT2, the Fornell-Larcker matrix) and the thresholds."""
    q, frame = inputs
    study = loyaltysurvey.analyze(q, frame, method="cb", bootstrap=0)
    checks = study.to_json()["cfa"]["validity"]["checks"]
    rel = study.reliability
    assert checks["ave"] == [c for c in rel.index if rel.loc[c, "ave"] < 0.50]
    assert checks["cr"] == [c for c in rel.index if rel.loc[c, "cr"] < 0.70]
    est = study.cfa.estimates()
    loads = est[(est.op == "=~")]
    assert checks["loading"] == loads.loc[loads["std.all"] < 0.70, "rhs"].tolist()
    assert checks["loading"]  # the example has several loadings below .70
    ht = study.validity["htmt"]
    assert checks["htmt"] == [[a, b] for i, a in enumerate(ht.index) for b in ht.index[i + 1:] if ht.loc[a, b] > .85]
    fl = study.validity["fornell_larcker"]
    assert checks["fornell_larcker"] == [c for c in fl.index
                                         if any(abs(fl.loc[c, o]) >= fl.loc[c, c] for o in fl.index if o != c)]


def test_pls_checks_name_what_fails(inputs):
    """PLS criteria decided in the analysis, checked against the tables the fit reports."""
    q, frame = inputs
    fit = loyaltysurvey.analyze(q, frame, method="pls", bootstrap=0).pls
    checks = fit.to_json()["checks"]
    rel = fit.reliability
    assert checks["ave"] == [c for c in rel.index if rel.loc[c, "ave"] < .5]
    assert checks["rho_a"] == [c for c in rel.index if rel.loc[c, "rho.a"] < .7]
    assert checks["loading"] == fit.loadings.loc[fit.loadings.est < .708, "item"].tolist()
    assert checks["vif"] == [[r["from"], r["to"]] for r in fit.vif.to_dict("records") if r["vif"] >= 5]
    q2 = fit.prediction.table["q2_predict"]
    assert checks["q2"] == q2[q2 <= 0].index.tolist()
    # a construct whose items are partly noise fails the criteria it should
    noisy = frame.copy()
    noisy["SAT2"] = np.random.default_rng(1).permutation(noisy["SAT2"].to_numpy())
    bad = loyaltysurvey.analyze(q, noisy, method="pls", bootstrap=0).pls.to_json()["checks"]
    assert "SAT2" in bad["loading"]


def test_r2_and_f2_bands_follow_their_sources(inputs):
    """R²: .75/.50/.25 substantial/moderate/weak (Hair et al., 2019); f²: .35/.15/.02 (Cohen, 1988)."""
    from loyaltysurvey.thresholds import F2_BANDS, R2_BANDS
    q, frame = inputs
    out = loyaltysurvey.analyze(q, frame, bootstrap=0).to_json()
    assert out["sem"]["r2_band"] == {c: R2_BANDS.band(v) for c, v in out["sem"]["r2"].items() if c in out["sem"]["r2_band"]}
    assert set(out["sem"]["r2_band"]) == {"SAT", "LOY"}
    pls = out["pls"]
    assert pls["checks"]["r2_band"] == {c: R2_BANDS.band(v) for c, v in pls["r2"].items()}
    assert pls["checks"]["f2_band"] == {a: {b: F2_BANDS.band(v) for b, v in inner.items()} for a, inner in pls["f2"].items()}
    assert [R2_BANDS.band(x) for x in (0.8, 0.5, 0.3, 0.1)] == ["substantial", "moderate", "weak", "very_weak"]
    assert [F2_BANDS.band(x) for x in (0.4, 0.15, 0.03, 0.01)] == ["large", "medium", "small", "negligible"]


def test_choices_are_read_in_any_case():
    """--estimator mlr is MLR and --method PLS is pls: a choice in another case is that choice."""
    from loyaltysurvey.datasets import crm_questionnaire
    from loyaltysurvey.errors import LoyaltySurveyError
    from loyaltysurvey.settings import Settings
    s = Settings.resolve(crm_questionnaire(), estimator="mlr", method="PLS", missing="Mean",
                         pls_interaction="Two_Stage")
    assert (s.estimator, s.method, s.missing, s.pls_interaction) == ("MLR", "pls", "mean", "two_stage")
    assert Settings.resolve(crm_questionnaire(), method="Both", missing="FIML").cb_missing == "fiml"
    with pytest.raises(LoyaltySurveyError, match="--estimator must be one of ML, MLR, not 'wls'"):
        Settings.resolve(crm_questionnaire(), estimator="wls")
