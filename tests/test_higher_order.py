"""Higher-order constructs (CB-SEM): questionnaire, fit, reliability and the chapter.

Reference values: tests/reference/higher_order_reference.json, written by
tests/reference/make_higher_order_reference.R (lavaan 0.6-14, semTools 0.5-6) on lavaan's
HolzingerSwineford1939 (g =~ visual + textual + speed) and on the bundled CRM example
(CRM =~ KCF + CRMO + KM + TECH -> SAT -> LOY, the Sin, Tse & Yim structure), listwise.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

import loyaltysurvey
from loyaltysurvey.datasets import holzinger_swineford
from loyaltysurvey.errors import QuestionnaireError
from loyaltysurvey.questionnaire import QuestionnaireBuilder, load_questionnaire, questionnaire_from_yaml
from loyaltysurvey.report.build import build_report
from loyaltysurvey.report.docx import render_docx
from loyaltysurvey.report.html import render_html
from loyaltysurvey.resources import bundled_path

from conftest import REPORT_DAY

REFERENCE = Path(__file__).parent / "reference"
REF = json.loads((REFERENCE / "higher_order_reference.json").read_text(encoding="utf-8"))["models"]
#: lavaan's ML optimum is reached to ~1e-7 of the parameters; estimates, SEs, std.all and fit to 1e-4 relative.
REL = 1e-4


def _hs_builder() -> QuestionnaireBuilder:
    return (QuestionnaireBuilder("hs2", scale=(0, 10))
            .construct("visual", "Visual", ["x1", "x2", "x3"])
            .construct("textual", "Textual", ["x4", "x5", "x6"])
            .construct("speed", "Speed", ["x7", "x8", "x9"]))


def _crm_yaml(model: str, dimensions: bool) -> str:
    """The bundled questionnaire with CRM as a higher-order construct (by ``dimensions:`` or in the model)."""
    text = Path(bundled_path("questionnaires", "crm_loyalty.yaml")).read_text(encoding="utf-8")
    head = text[:text.index("\nmodel: |")]
    if dimensions:
        head = head.replace("\ndemographics:", "\n  - id: CRM\n    name: {fa: \"مدیریت ارتباط با مشتری\", "
                                               "en: \"Customer relationship management\"}\n"
                                               "    dimensions: [KCF, CRMO, KM, TECH]\n\ndemographics:", 1)
    return head + "\nmodel: |\n" + "".join(f"  {line}\n" for line in model.splitlines()) + (
        "hypotheses:\n  - {id: H1, from: CRM, to: SAT}\n  - {id: H2, from: SAT, to: LOY}\n"
        "  - {id: H3, from: CRM, through: [SAT], to: LOY}\n")


CRM_MODEL = "SAT ~ h1*CRM\nLOY ~ h2*SAT\nind := h1*h2"


def _crm_data() -> pd.DataFrame:
    return pd.read_csv(REFERENCE / "data" / "crm_example_clean.csv")


def _key(row) -> tuple:
    return row["lhs"], row["op"], row["rhs"]


def _assert_estimates(ours: list[dict], ref: list[dict]) -> None:
    """Every lavaan row (est, se, z, std.all) in ``ours`` within REL (defined parameters as well)."""
    mine = {_key(r): r for r in ours}
    for r in ref:
        if r["op"] == "~1":
            continue
        o = mine[_key(r)]
        for key in ("est", "se", "std_all"):
            assert o[key] == pytest.approx(r[key], rel=REL, abs=1e-7), (_key(r), key)
        if r["z"] is not None:
            assert o["z"] == pytest.approx(r["z"], rel=REL), (_key(r), "z")


def _assert_fit(ours: dict, ref: dict) -> None:
    for key in ("chisq", "df", "cfi", "tli", "rmsea", "srmr", "aic", "bic"):
        assert ours[key] == pytest.approx(ref[key], rel=REL, abs=1e-7), key


# ---------------------------------------------------------------- questionnaire
def test_dimensions_and_model_line_give_the_same_questionnaire():
    by_dims = questionnaire_from_yaml(_crm_yaml(CRM_MODEL, dimensions=True))
    by_model = questionnaire_from_yaml(_crm_yaml("CRM =~ KCF + CRMO + KM + TECH\n" + CRM_MODEL, dimensions=False))
    for q in (by_dims, by_model):
        crm = q.construct("CRM")
        assert crm.higher_order and crm.dimensions == ("KCF", "CRMO", "KM", "TECH") and crm.items == ()
        assert q.level("CRM") == 2 and q.level("SAT") == 1
        assert [c.id for c in q.higher_order] == ["CRM"]
        assert "CRM =~ KCF + CRMO + KM + TECH" in q.full_syntax.splitlines()
        assert len(q.construct_items("CRM")) == 17
    assert by_dims.full_syntax == by_model.full_syntax


def test_builder_makes_a_higher_order_construct():
    q = _hs_builder().higher_order("g", "General ability", ["visual", "textual", "speed"]).build()
    assert q.construct("g").dimensions == ("visual", "textual", "speed")
    assert q.measurement_syntax.splitlines()[-1] == "g =~ visual + textual + speed"
    assert q.construct("g").hoc_approach == "two_stage"


BASE = """id: t
scale: {min: 1, max: 5}
constructs:
  - {id: A, items: [A1, A2, A3]}
  - {id: B, items: [B1, B2, B3]}
  - {id: C, items: [C1, C2, C3]}
"""


@pytest.mark.parametrize("extra, line, words", [
    ("  - {id: H, dimensions: [A, X]}\n", 7, "'X' in the dimensions of 'H' is not a construct"),
    ("  - {id: H, dimensions: [A, B]}\n  - {id: G, dimensions: [B, C]}\n", 8, "'B' is a dimension of both"),
    ("  - {id: H, dimensions: [A, B], items: [H1]}\n", 7, "has no items of its own"),
    ("  - {id: H, dimensions: [A]}\n", 7, "at least two dimensions"),
    ("  - {id: H, dimensions: [H, A]}\n", 7, "lists itself"),
    ("  - {id: H, dimensions: [A, G]}\n  - {id: G, dimensions: [H, B]}\n", None, "form a cycle"),
    ("  - {id: H, dimensions: [A, B], hoc_approach: magic}\n", 7, "hoc_approach must be"),
])
def test_invalid_dimensions_are_explained_with_their_yaml_line(extra, line, words):
    with pytest.raises(QuestionnaireError) as err:
        questionnaire_from_yaml(BASE + extra, source="q.yaml")
    assert words in str(err.value)
    if line is not None:
        assert err.value.line == line


def test_model_line_cannot_add_a_dimension_to_a_declared_one():
    text = BASE + "  - {id: H, dimensions: [A, B]}\nmodel: |\n  H =~ C\n"
    with pytest.raises(QuestionnaireError, match="adds a dimension to 'H'") as err:
        questionnaire_from_yaml(text, source="q.yaml")
    assert err.value.line == 9


# ---------------------------------------------------------------- estimates against lavaan / semTools
@pytest.fixture(scope="module")
def hs_study():
    q = _hs_builder().higher_order("g", "General ability", ["visual", "textual", "speed"]).build()
    return loyaltysurvey.analyze(q, holzinger_swineford()[[f"x{i}" for i in range(1, 10)]], method="cb")


@pytest.fixture(scope="module")
def crm_study():
    q = questionnaire_from_yaml(_crm_yaml(CRM_MODEL, dimensions=True))
    return loyaltysurvey.analyze(q, _crm_data(), method="cb")


def test_hs_second_order_cfa_equals_lavaan_and_semtools(hs_study):
    ref = REF["hs_second_order"]
    out = hs_study.to_json()
    _assert_fit(out["cfa"]["fit"], ref["fit"])
    _assert_estimates(out["cfa"]["estimates"], ref["estimates"])
    rel = out["reliability"]
    for f, v in ref["cr"].items():  # semTools compRelSEM(fit, higher = "g"): first-order and g
        assert rel[f]["cr"] == pytest.approx(v, rel=1e-5), f
    for key, v in ref["reliability_l2"].items():  # semTools reliabilityL2(fit, "g")
        assert rel["g"][key] == pytest.approx(v, rel=1e-5), key
    # AVE of g: mean squared std.all of the g =~ dimension rows (lavaan's standardizedSolution)
    std = [r["std_all"] for r in ref["estimates"] if r["lhs"] == "g" and r["op"] == "=~"]
    assert rel["g"]["ave"] == pytest.approx(sum(s * s for s in std) / 3, rel=1e-5)
    assert rel["g"]["dimensions"] == ["visual", "textual", "speed"]
    assert "alpha" not in rel["g"]


def test_two_dimension_second_order_factor_reaches_lavaans_optimum():
    """g =~ visual + textual; speed ~ g: the zero start of the regression led Fisher scoring to an
    improper solution (chi-square 215 instead of lavaan's 85.306) before the higher-order starts."""
    q = (_hs_builder().higher_order("g", "General", ["visual", "textual"]).model("speed ~ g").build())
    study = loyaltysurvey.analyze(q, holzinger_swineford()[[f"x{i}" for i in range(1, 10)]], method="cb")
    out = study.to_json()
    ref = REF["hs_two_dims"]
    _assert_fit(out["sem"]["fit"], ref["fit"])
    _assert_estimates(out["sem"]["estimates"], ref["estimates"])


def test_crm_higher_order_equals_lavaan(crm_study):
    out = crm_study.to_json()
    _assert_fit(out["cfa"]["fit"], REF["crm_cfa"]["fit"])
    _assert_estimates(out["cfa"]["estimates"], REF["crm_cfa"]["estimates"])
    _assert_fit(out["sem"]["fit"], REF["crm_sem"]["fit"])
    _assert_estimates(out["sem"]["estimates"], REF["crm_sem"]["estimates"])
    assert out["sem"]["fit"]["ntotal"] == REF["crm_sem"]["nobs"] == 360
    rel = out["reliability"]
    assert rel["CRM"]["cr"] == pytest.approx(REF["crm_cfa"]["cr"]["CRM"], rel=1e-5)
    for key, v in REF["crm_cfa"]["reliability_l2"].items():
        assert rel["CRM"][key] == pytest.approx(v, rel=1e-5), key
    rows = [r for r in out["sem"]["estimates"] if r["lhs"] == "CRM" and r["op"] == "=~"]
    assert [r["rhs"] for r in rows] == ["KCF", "CRMO", "KM", "TECH"]
    hyp = {h["id"]: h for h in out["hypotheses"]}
    assert hyp["H1"]["decision"] == "supported" and hyp["H3"]["decision"] == "supported"


def test_crm_scores_and_descriptives_of_the_higher_order_construct(crm_study):
    out = crm_study.to_json()
    data = _crm_data()
    q = crm_study.questionnaire
    items = [i.id for i in q.construct_items("CRM")]
    scored = data[items].astype(float).copy()
    for it in ("KCF3", "KM2"):  # reverse-worded on the 1-5 scale
        scored[it] = 6 - scored[it]
    answered = scored.notna().sum(axis=1)
    expected = scored.mean(axis=1).where(answered >= 9)  # at least half of the 17 items
    assert out["descriptives"]["constructs"]["CRM"]["mean"] == pytest.approx(expected.mean(), rel=1e-12)
    assert out["descriptives"]["constructs"]["CRM"]["n"] == int(expected.notna().sum())
    assert "CRM" not in out["checks"]["full_vif"]


# ---------------------------------------------------------------- the chapter
@pytest.mark.parametrize("lang", ["en", "fa"])
def test_chapter_shows_both_levels_and_renders(crm_study, lang):
    report = build_report(crm_study.results, lang, REPORT_DAY)
    blocks = {getattr(b, "id", ""): b for s in report.sections for b in s.blocks}
    first = blocks["loadings"]
    assert {r[1].value for r in first.rows} >= {"KCF1", "SAT1", "LOY4"}
    assert not any(r[1].value in ("KCF", "CRMO") for r in first.rows)
    higher = blocks["higher_loadings"]
    assert len(higher.rows) == 4
    ref = {r["rhs"]: r["std_all"] for r in REF["crm_cfa"]["estimates"] if r["lhs"] == "CRM" and r["op"] == "=~"}
    assert [r[3].value for r in higher.rows] == pytest.approx([ref[d] for d in ("KCF", "CRMO", "KM", "TECH")],
                                                              rel=REL)
    rel = blocks["higher_reliability"]
    assert rel.rows[0][1].value == pytest.approx(REF["crm_cfa"]["cr"]["CRM"], rel=1e-5)
    assert "higher_loadings" in blocks and "validity" in blocks
    assert any(ref.startswith("Jorgensen") and "semTools" in ref for ref in report.references)
    html = render_html(report)
    assert higher.caption in html or higher.caption.replace("&", "&amp;") in html
    assert len(render_docx(report)) > 10_000
