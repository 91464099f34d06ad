"""Measurement checks and construct-level tests as a run produces them: results.json keys, the
Python API, the verdicts, Little's test on data missing at random or not by construction, and
the chapter's sections and references.

Sources of the numbers: the bundled example's checks are compared with the R values in
``tests/reference/checks_reference.json`` (case ``crm``, written by
``tests/reference/make_checks_reference.R``: psych 2.2.9 ``KMO``, ``cortest.bartlett``,
``principal``, ``mardia``; ``lm`` for the full-collinearity VIF; ``t.test``, ``wilcox.test``,
``friedman.test``; Little's test from its definition, as R has no installable package for it
here), through the whole pipeline (ingest, reverse-scoring, construct scores). The verdict
tests use data built to pass or fail each threshold; the MCAR/MNAR tests simulate with fixed
seeds.
"""

from __future__ import annotations

import json
import math
from datetime import date

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import loyaltysurvey
from loyaltysurvey.analysis import construct_scores, describe, to_jsonable
from loyaltysurvey.analysis.checks import ConstructTests, MeasurementChecks, construct_tests, measurement_checks
from loyaltysurvey.analysis.missingness import little_mcar
from loyaltysurvey.datasets import crm_export, crm_questionnaire
from loyaltysurvey.questionnaire import QuestionnaireBuilder
from loyaltysurvey.report import build_report, render_markdown

from conftest import REFERENCE

R = json.loads((REFERENCE / "checks_reference.json").read_text())["cases"]["crm"]


@pytest.fixture(scope="module")
def study():
    return loyaltysurvey.analyze(crm_questionnaire(), crm_export(), method="cb")


def approx(value, ref, rel=1e-9):
    return value == pytest.approx(ref, rel=rel, abs=1e-12)


# ------------------------------------------------------------------ the bundled example against R
def test_results_json_checks_equal_r_on_the_bundled_example(study):
    checks = json.loads(json.dumps(study.to_json(), allow_nan=False))["checks"]
    assert approx(checks["kmo"]["overall"], R["kmo"]["overall"])
    assert checks["kmo"]["items"] == pytest.approx(R["kmo"]["items"], rel=1e-9)
    for cid, ref in R["kmo"]["constructs"].items():
        assert approx(checks["kmo"]["constructs"][cid]["overall"], ref["overall"])
    for key in ("chisq", "df", "n"):
        assert approx(checks["bartlett"][key], R["bartlett"][key])
    for cid, ref in R["bartlett"]["constructs"].items():
        assert approx(checks["bartlett"]["constructs"][cid]["chisq"], ref["chisq"])
        assert approx(checks["bartlett"]["constructs"][cid]["pvalue"], ref["pvalue"], 1e-7)
    assert approx(checks["harman"]["first_factor_share"], R["harman"]["first_factor_share"])
    assert checks["full_vif"] == pytest.approx(R["full_vif"], rel=1e-9)
    for key in ("b1p", "b2p", "skew", "skew_p", "small_skew", "small_skew_p", "kurtosis", "kurtosis_p"):
        assert approx(checks["mardia"][key], R["mardia"][key], 1e-8), key
    assert {k: v["n_missing"] for k, v in checks["missing"]["items"].items()} == R["missing"]["items"]
    assert {k: v["n"] for k, v in checks["missing"]["respondents"].items()} == R["missing"]["respondents"]
    assert approx(checks["mcar"]["chisq"], R["mcar"]["chisq"], 1e-8) and checks["mcar"]["df"] == R["mcar"]["df"]


def test_results_json_construct_tests_equal_r_on_the_bundled_example(study):
    tests = study.to_json()["construct_tests"]
    for cid, ref in R["one_sample"].items():
        row = tests["one_sample"][cid]
        for key in ("mean", "t", "df", "pvalue"):
            assert approx(row[key], ref[key]), (cid, key)
        assert approx(row["wilcoxon_p"], ref["wilcoxon_p"], 1e-7)
        assert row["midpoint"] == 3.0
    for key in ("chisq", "df", "pvalue"):
        assert approx(tests["friedman"][key], R["friedman"][key])
    assert tests["friedman"]["mean_ranks"] == pytest.approx(R["friedman"]["mean_ranks"], rel=1e-12)


def test_contract_keys_and_verdicts_in_results_json(study):
    payload = study.to_json()
    checks, tests = payload["checks"], payload["construct_tests"]
    assert {"kmo", "bartlett", "harman", "full_vif", "mardia", "mcar"} <= set(checks)
    assert {"overall", "items"} <= set(checks["kmo"])
    assert {"chisq", "df", "pvalue"} <= set(checks["bartlett"])
    assert "first_factor_share" in checks["harman"]
    assert set(checks["full_vif"]) == {c.id for c in crm_questionnaire().constructs}
    assert {"skew", "skew_p", "kurtosis", "kurtosis_p"} <= set(checks["mardia"])
    assert {"chisq", "df", "pvalue"} <= set(checks["mcar"])
    for row in tests["one_sample"].values():
        assert {"mean", "t", "df", "pvalue", "wilcoxon_p"} <= set(row)
    assert {"chisq", "df", "pvalue", "mean_ranks"} <= set(tests["friedman"])
    # the verdicts, decided in the analysis, with their thresholds and sources
    assert checks["kmo"]["band"] == "meritorious" and checks["kmo"]["passed"] is True
    assert checks["kmo"]["threshold"] == 0.60 and checks["kmo"]["source"] == "Kaiser, 1974"
    assert checks["bartlett"]["passed"] is True and checks["harman"]["passed"] is True
    assert checks["full_vif_check"] == {"n": 420, "scores": "item means", "failing": [], "passed": True,
                                        "threshold": 3.3, "source": "Kock, 2015"}
    assert checks["mardia"]["skew_test"] == "skew" and checks["mardia"]["skew_passed"] is True
    assert checks["mardia"]["kurtosis_passed"] is False and checks["mardia"]["passed"] is False
    assert checks["mcar"]["passed"] is True and checks["factorability"]["all_items"] is True
    assert all(r["test"] == "t" and r["decision"] == "above" for r in tests["one_sample"].values())
    assert tests["friedman"]["decision"] == "no_difference" and tests["friedman"]["ranking"][0] == "SAT"


def test_python_api_exposes_typed_results(study):
    assert isinstance(study.checks, MeasurementChecks) and isinstance(study.construct_tests, ConstructTests)
    items = study.checks.items
    assert list(items.columns) == ["construct", "msa", "n_missing", "percent_missing"]
    assert items.loc["KCF3", "construct"] == "KCF" and items.loc["KCF3", "n_missing"] == 3
    assert approx(items.loc["KCF1", "msa"], R["kmo"]["items"]["KCF1"])
    assert approx(study.checks.constructs.loc["SAT", "vif"], R["full_vif"]["SAT"])
    table = study.construct_tests.table
    assert approx(table.loc["LOY", "t"], R["one_sample"]["LOY"]["t"])
    assert approx(table.loc["SAT", "mean_rank"], R["friedman"]["mean_ranks"]["SAT"], 1e-12)
    assert study.checks.verdicts()["common_method"] is True


# ------------------------------------------------------------------ verdicts on data built to fail
def _questionnaire(blocks: dict[str, int], scale=(1, 5)) -> object:
    b = QuestionnaireBuilder("synthetic", scale=scale)
    for cid, k in blocks.items():
        b = b.construct(cid, cid, [f"{cid}{i}" for i in range(1, k + 1)])
    return b.build()


def _likert(x: np.ndarray) -> np.ndarray:
    return np.clip(np.round(x), 1, 5)


def test_one_strong_common_factor_fails_harman_and_full_vif():
    rng = np.random.default_rng(7)
    q = _questionnaire({"A": 4, "B": 4, "C": 4})
    f = rng.normal(size=(400, 1))
    items = pd.DataFrame(_likert(3 + 1.2 * f + 0.4 * rng.normal(size=(400, 12))), columns=list(q.item_ids))
    checks = measurement_checks(items, construct_scores(items, q), q)
    v = checks.verdicts()
    assert checks.harman["first_factor_share"] > 0.5 and v["harman"] is False
    assert checks.vif_failing == ["A", "B", "C"] and v["full_vif"] is False and v["common_method"] is False
    assert checks.to_json()["common_method"]["passed"] is False


def test_uncorrelated_items_fail_kmo_and_bartlett():
    rng = np.random.default_rng(11)
    q = _questionnaire({"A": 3, "B": 3})
    items = pd.DataFrame(_likert(3 + rng.normal(size=(60, 6))), columns=list(q.item_ids))
    checks = measurement_checks(items, construct_scores(items, q), q)
    out = checks.to_json()
    assert out["kmo"]["band"] in ("miserable", "unacceptable") and out["kmo"]["passed"] is False
    assert out["bartlett"]["pvalue"] > 0.05 and out["bartlett"]["passed"] is False
    assert out["factorability"]["all_items"] is False
    assert checks.items_low_msa == out["kmo"]["items_below"] and len(checks.items_low_msa) > 0
    assert all(float(checks.kmo.items[i]) < 0.5 for i in checks.items_low_msa)


def test_construct_decisions_use_wilcoxon_when_not_normal():
    rng = np.random.default_rng(3)
    q = _questionnaire({"HIGH": 2, "LOW": 2, "MID": 2, "SKEW": 2})
    n = 200
    skewed = np.where(rng.random(n) < 0.93, 1.0, 5.0)       # mostly 1: skewness far beyond 2
    data = {"HIGH1": _likert(4 + rng.normal(0, .8, n)), "HIGH2": _likert(4 + rng.normal(0, .8, n)),
            "LOW1": _likert(2 + rng.normal(0, .8, n)), "LOW2": _likert(2 + rng.normal(0, .8, n)),
            "MID1": rng.choice([2.0, 3.0, 4.0], n), "MID2": rng.choice([2.0, 3.0, 4.0], n),
            "SKEW1": skewed, "SKEW2": skewed}
    items = pd.DataFrame(data)
    scores = construct_scores(items, q)
    tests = construct_tests(scores, describe(scores), q, alpha=0.05)
    one = tests.one_sample
    assert one["HIGH"]["decision"] == "above" and one["LOW"]["decision"] == "below"
    assert one["MID"]["test"] == "t" and (one["MID"]["decision"] == "not_different") == (one["MID"]["pvalue"] >= .05)
    assert one["SKEW"]["normal"] is False and one["SKEW"]["test"] == "wilcoxon"
    assert one["SKEW"]["decision_p"] == one["SKEW"]["wilcoxon_p"] and one["SKEW"]["decision"] == "below"
    assert tests.friedman["decision"] == "differ" and tests.friedman["ranking"][0] == "HIGH"


# ------------------------------------------------------------------ Little's test by construction
def _correlated(rng, n: int, p: int = 4) -> np.ndarray:
    cov = 0.5 * np.ones((p, p)) + 0.5 * np.eye(p)
    return rng.multivariate_normal(np.zeros(p), cov, size=n)


def test_little_p_values_are_roughly_uniform_under_mcar():
    rng = np.random.default_rng(20260101)
    pvalues = []
    for _ in range(300):
        x = _correlated(rng, 150)
        x[rng.random(x.shape) < 0.1] = np.nan       # every cell missing with the same chance
        pvalues.append(little_mcar(pd.DataFrame(x))["pvalue"])
    pvalues = np.array(pvalues)
    assert stats.kstest(pvalues, "uniform").pvalue > 0.01
    assert 0.02 <= np.mean(pvalues < 0.05) <= 0.09   # nominal 5%; 300 replications, binomial SD 1.3%


def test_little_rejects_data_missing_not_at_random():
    rng = np.random.default_rng(5)
    for _ in range(20):
        x = _correlated(rng, 300)
        x[x[:, 0] > np.quantile(x[:, 0], 0.7), 0] = np.nan   # the highest answers to item 1 are skipped
        res = little_mcar(pd.DataFrame(x))
        assert res["df"] == 3 and res["pvalue"] < 1e-3  # 4 + 3 observed in the two patterns, minus 4


# ------------------------------------------------------------------ small and degenerate questionnaires
def test_two_item_constructs_have_no_kmo_of_their_own():
    rng = np.random.default_rng(2)
    q = _questionnaire({"A": 2, "B": 3})
    f = rng.normal(size=(80, 1))
    items = pd.DataFrame(_likert(3 + f + rng.normal(size=(80, 5))), columns=list(q.item_ids))
    checks = measurement_checks(items, construct_scores(items, q), q)
    out = json.loads(json.dumps(to_jsonable(checks.to_json()), allow_nan=False))
    assert out["kmo"]["constructs"]["A"]["overall"] is None and out["kmo"]["constructs"]["A"]["band"] == "na"
    assert out["kmo"]["constructs"]["B"]["overall"] is not None
    # judged by Bartlett's test alone
    assert out["factorability"]["constructs"]["A"] == out["bartlett"]["constructs"]["A"]["passed"]


def test_single_construct_without_missing_answers():
    q = _questionnaire({"A": 3})
    rng = np.random.default_rng(1)
    base = rng.normal(size=15)
    items = pd.DataFrame({f"A{i}": _likert(3 + base + rng.normal(0, .6, 15)) for i in (1, 2, 3)})
    data = loyaltysurvey.ingest.ingest(q, items)
    results = loyaltysurvey.analysis.analyze_responses(data, loyaltysurvey.settings.Settings.resolve(q, method="cb"))
    out = json.loads(json.dumps(results.to_json(), allow_nan=False))
    assert out["checks"]["full_vif"] == {} and out["checks"]["full_vif_check"]["passed"] is None
    assert out["checks"]["mcar"]["df"] == 0 and out["checks"]["mcar"]["pvalue"] is None
    assert out["checks"]["mcar"]["passed"] is None
    assert out["checks"]["mardia"]["skew_test"] == "small_skew"      # 15 complete cases
    assert out["construct_tests"]["friedman"]["decision"] == "not_tested"
    report = build_report(results, "en", date(2026, 11, 23))
    ids = [s.id for s in report.sections]
    assert {"missing", "multivariate_normality", "construct_tests", "sampling_adequacy", "common_method"} <= set(ids)
    refs = " ".join(report.references)
    assert "Mardia, K. V. (1974)" in refs and "Kaiser, H. F. (1974)" in refs
    assert "Little, R. J. A." not in refs and "Kock, N." not in refs and "Friedman, M." not in refs
    text = render_markdown(report)
    assert "there are no missing data" in text and "[mcar]" not in text and "[friedman]" not in text


def test_chapter_names_what_fails():
    rng = np.random.default_rng(7)
    q = _questionnaire({"A": 4, "B": 4, "C": 4})
    f = rng.normal(size=(300, 1))
    items = pd.DataFrame(_likert(3 + 1.2 * f + 0.4 * rng.normal(size=(300, 12))), columns=list(q.item_ids))
    items.iloc[:40, 0] = np.nan
    results = loyaltysurvey.analysis.analyze_responses(loyaltysurvey.ingest.ingest(q, items),
                                                       loyaltysurvey.settings.Settings.resolve(q, method="cb"))
    for lang, words in (("en", ["half or more", "Full collinearity VIF above 3.3: A, B, and C",
                                "possible common method bias"]),
                        ("fa", ["نیمی یا بیشتر", "بیشتر از ۳٫۳: A، B و C", "سوگیری روش مشترک حکایت دارد"])):
        text = render_markdown(build_report(results, lang, date(2026, 11, 23)))
        for word in words:
            assert word in text, (lang, word)
    assert math.isfinite(results.checks.mcar["chisq"])


def test_little_is_skipped_rather_than_exhausting_memory(monkeypatch):
    from loyaltysurvey.analysis import missingness

    rng = np.random.default_rng(4)
    x = _correlated(rng, 200)
    x[rng.random(x.shape) < 0.2] = np.nan
    full = little_mcar(pd.DataFrame(x))
    monkeypatch.setattr(missingness, "MAX_PATTERN_CELLS", 16 * (full["patterns"] - 1))
    res = little_mcar(pd.DataFrame(x))
    assert np.isnan(res["chisq"]) and res["df"] == full["df"] and res["patterns"] == full["patterns"]
    assert "too many" in res["skipped"]
