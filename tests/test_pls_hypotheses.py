"""Hypotheses tested on the PLS-SEM model when CB-SEM does not run (``--method pls``).

A SmartPLS user's chapter tests its hypotheses with the PLS bootstrap: each direct hypothesis is
its PLS path, each mediation hypothesis its specific indirect effect, decided by the percentile
interval, exactly as the PLS tables (whose numbers are checked against seminr in
tests/test_pls_reference.py). Here: that results.json and the chapter give those tests, with
``t`` (not ``z``), and that the mediation type follows Zhao, Lynch & Chen (2010) on the bootstrap
decisions. Data: the bundled example and Holzinger & Swineford (1939).
"""

from __future__ import annotations

import math

import pytest
from typer.testing import CliRunner

import loyaltysurvey
from loyaltysurvey.cli import app
from loyaltysurvey.datasets import holzinger_swineford
from loyaltysurvey.questionnaire import QuestionnaireBuilder
from loyaltysurvey.report import build_report
from loyaltysurvey.resources import bundled_path
from loyaltysurvey.sem.effects import mediation_type

QUESTIONNAIRE = bundled_path("questionnaires", "crm_loyalty.yaml")
DATA = bundled_path("questionnaires", "crm_loyalty_example.csv")


@pytest.fixture(scope="module")
def pls_only():
    return loyaltysurvey.analyze(QUESTIONNAIRE, DATA, method="pls", bootstrap=200, seed=7)


def _same(a, b):
    return (a is None and b is None) or (a is not None and b is not None and
                                         (math.isnan(a) and math.isnan(b) or a == pytest.approx(b, rel=1e-12)))


def test_questionnaire_hypotheses_are_the_pls_paths_and_indirect_effects(pls_only):
    payload = pls_only.to_json()
    rows = payload["hypotheses"]
    assert [h["id"] for h in rows] == [f"H{i}" for i in range(1, 10)]
    paths = {(p["from"], p["to"]): p for p in payload["pls"]["paths"]}
    chains = {(p["from"], tuple(p["through"]), p["to"]): p for p in payload["pls"]["indirect"]}
    for h in rows:
        assert h["engine"] == "pls" and "t" in h and "z" not in h
        ref = chains[(h["from"], tuple(h["through"]), h["to"])] if h["through"] else paths[(h["from"], h["to"])]
        for key in ("est", "se", "t", "pvalue", "ci_lower", "ci_upper", "decision"):
            assert _same(h[key], ref[key]) if key != "decision" else h[key] == ref[key], (h["id"], key)
        assert h["std_all"] == h["est"]  # PLS estimates are standardized
    assert list(pls_only.hypotheses["decision"]) == [h["decision"] for h in rows]


def test_cli_summary_and_chapter_of_a_pls_only_run(tmp_path):
    result = CliRunner().invoke(app, ["analyze", str(QUESTIONNAIRE), str(DATA), "--out", str(tmp_path),
                                      "--method", "pls", "--bootstrap", "100", "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert "Hypotheses (PLS-SEM, 95% bootstrap interval): " in result.output
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "Hypothesis tests (PLS-SEM)" in html and "Indirect (mediated) effects (PLS-SEM)" in html
    # no resamples: no interval is promised and nothing is counted as not supported
    result = CliRunner().invoke(app, ["analyze", str(QUESTIONNAIRE), str(DATA), "--out", str(tmp_path / "none"),
                                      "--method", "pls", "--bootstrap", "0", "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert "Hypotheses (PLS-SEM): 9 not tested (no resamples; --bootstrap N tests them)" in result.output
    assert "supported" not in result.output


@pytest.mark.parametrize("lang, caption, arrow", [("en", "Hypothesis tests (PLS-SEM)", " → "),
                                                  ("fa", "آزمون فرضیه‌ها با مدل حداقل مربعات جزئی", " ← ")])
def test_chapter_tables(pls_only, lang, caption, arrow):
    report = build_report(pls_only.results, lang)
    tables = {t.id: t for t in report.tables}
    hyp = tables["pls_hypotheses"]
    assert caption in hyp.caption and len(hyp.rows) == 9
    assert arrow in hyp.rows[5][2].value and hyp.rows[5][2].value.count(arrow.strip()) == 2  # H6: KCF → SAT → LOY
    assert "pls_mediation" in tables and "hypotheses" not in tables  # CB-SEM's tables are not there


def test_no_pls_hypothesis_table_when_cb_sem_ran():
    study = loyaltysurvey.analyze(QUESTIONNAIRE, DATA, method="both", bootstrap=0)
    ids = {t.id for t in build_report(study.results, "en").tables}
    assert "hypotheses" in ids and "pls_hypotheses" not in ids and "pls_mediation" not in ids
    assert all("engine" not in h for h in study.to_json()["hypotheses"])


@pytest.fixture(scope="module")
def hs():
    q = (QuestionnaireBuilder("hs", scale=(0, 10))
         .construct("visual", "Visual", ["x1", "x2", "x3"]).construct("textual", "Textual", ["x4", "x5", "x6"])
         .construct("speed", "Speed", ["x7", "x8", "x9"])
         .model("textual ~ a*visual\nspeed ~ b*textual + visual\nind := a*b\ndiff := a - b").build())
    return q


def test_implicit_hypotheses_and_mediation_type(hs):
    study = loyaltysurvey.analyze(hs, holzinger_swineford(), method="pls", bootstrap=300, seed=3)
    payload = study.to_json()
    rows = {h["id"]: h for h in payload["hypotheses"]}
    assert list(rows) == ["a", "b", "ind", "diff"]
    chain = next(r for r in payload["pls"]["indirect"] if r["through"] == ["textual"])
    assert (rows["ind"]["from"], rows["ind"]["through"], rows["ind"]["to"]) == ("visual", ["textual"], "speed")
    assert rows["ind"]["est"] == pytest.approx(chain["est"], rel=1e-12)
    assert rows["diff"]["decision"] == "not_tested" and rows["diff"]["est"] is None  # no PLS estimate of a − b
    direct = next(p for p in payload["pls"]["paths"] if (p["from"], p["to"]) == ("visual", "speed"))
    expected = mediation_type(chain["decision"] == "supported", direct["decision"] == "supported",
                              chain["est"] * direct["est"] > 0)
    assert (chain["mediation_type"], chain["mediation"]) == expected
    assert chain["vaf"] == pytest.approx(chain["est"] / (chain["est"] + direct["est"]), rel=1e-12)


def test_without_resamples_nothing_is_tested(hs):
    study = loyaltysurvey.analyze(hs, holzinger_swineford(), method="pls", bootstrap=0)
    payload = study.to_json()
    assert {h["decision"] for h in payload["hypotheses"]} == {"not_tested"}
    assert {r["mediation_type"] for r in payload["pls"]["indirect"]} == {"not_tested"}
    # the chain visual -> textual -> speed has a direct path: untested for want of resamples, not of the path
    chain = next(r for r in payload["pls"]["indirect"] if r["through"] == ["textual"])
    assert chain["not_tested_because"] == "no_resamples"
    report = build_report(study.results, "en")
    table = next(b for s in report.sections for b in s.blocks if getattr(b, "id", None) == "pls_mediation")
    assert {row[-1].value for row in table.rows} == {"not tested (no resamples)"}
    assert not any("no direct path" in note for note in table.notes)
    text = " ".join(b.text for s in build_report(study.results, "en").sections for b in s.blocks
                    if type(b).__name__ == "Paragraph")
    assert "without bootstrap resamples, so no hypothesis was tested" in text


def test_moderation_hypothesis_is_the_pls_interaction_path():
    q = (QuestionnaireBuilder("hs", scale=(0, 10))
         .construct("visual", "Visual", ["x1", "x2", "x3"]).construct("textual", "Textual", ["x4", "x5", "x6"])
         .construct("speed", "Speed", ["x7", "x8", "x9"])
         .model("speed ~ visual + textual + visual:textual")
         .hypothesis("H1", "visual", "speed").hypothesis("H2", "visual", "speed", moderator="textual").build())
    study = loyaltysurvey.analyze(q, holzinger_swineford(), method="pls", bootstrap=200, seed=5)
    payload = study.to_json()
    rows = {h["id"]: h for h in payload["hypotheses"]}
    term = next(p for p in payload["pls"]["paths"] if p["from"] == "visual:textual")
    assert rows["H2"]["kind"] == "moderation" and rows["H2"]["moderator"] == "textual"
    assert rows["H2"]["est"] == pytest.approx(term["est"], rel=1e-12) and rows["H2"]["decision"] == term["decision"]
    report = build_report(study.results, "en")
    row = next(r for r in next(t for t in report.tables if t.id == "pls_hypotheses").rows if r[0].value == "H2")
    assert row[1].value == "Textual moderates the effect of Visual on Speed." and row[2].value == "Visual × Textual → Speed"


@pytest.mark.parametrize("lang, said, not_said", [
    ("en", "the measurement and structural model estimated by partial least squares, with the tests of the "
           "hypotheses and of mediation", "the same model"),
    ("fa", "مدل اندازه‌گیری و مدل ساختاری به روش حداقل مربعات جزئی و آزمون فرضیه‌ها", "همان مدل"),
])
def test_intro_of_a_pls_only_chapter(pls_only, lang, said, not_said):
    intro = build_report(pls_only.results, lang).sections[0].blocks[0].text
    assert said in intro and not_said not in intro


@pytest.mark.parametrize("lang", ["en", "fa"])
def test_pls_tables_without_resamples_have_no_columns_of_dashes(lang):
    """With --bootstrap 0 the PLS loadings, HTMT and paths tables drop their t, p and interval columns
    (their captions no longer promise bootstrap intervals), and each path reads "not tested (no resamples)"."""
    from loyaltysurvey.report.document import Table
    from loyaltysurvey.report.locale import load_locale
    study = loyaltysurvey.analyze(QUESTIONNAIRE, DATA, method="pls", bootstrap=0)
    loc = load_locale(lang)
    tables = {b.id: b for s in build_report(study.results, lang).sections for b in s.blocks
              if isinstance(b, Table)}
    assert tables["pls_loadings"].caption == loc.t("pls.loadings_table_noboot")
    columns = tables["pls_loadings"].columns
    assert len(columns) == 5 and columns[2:] == (loc.t("columns_pls.loading"), loc.t("columns_pls.reliability"),
                                                 loc.t("columns_pls.vif"))
    assert tables["pls_htmt"].caption == loc.t("pls.htmt_table_noboot") and len(tables["pls_htmt"].columns) == 2
    paths = tables["pls_paths"]
    assert len(paths.columns) == 4
    assert {r[-1].value for r in paths.rows} == {loc.t("hypotheses.not_tested_no_resamples")}
    # the diagrams: estimates only, no star legend, no figure of t values (there are none)
    from loyaltysurvey.report.document import Figure
    figures = {b.id: b for s in build_report(study.results, lang).sections for b in s.blocks if isinstance(b, Figure)}
    assert figures["pls_std"].caption == loc.t("figures.standardized_plain") and "pls_t" not in figures
    assert figures["pls_measurement"].caption == loc.t("figures.measurement_pls_plain")
    assert "pls_measurement_t" not in figures
    boot = loyaltysurvey.analyze(QUESTIONNAIRE, DATA, method="pls", bootstrap=30, seed=3)
    tables = {b.id: b for s in build_report(boot.results, lang).sections for b in s.blocks if isinstance(b, Table)}
    assert tables["pls_loadings"].caption == loc.t("pls.loadings_table") and len(tables["pls_loadings"].columns) == 8
    assert len(tables["pls_htmt"].columns) == 3 and len(tables["pls_paths"].columns) == 8
