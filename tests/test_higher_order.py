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
    assert {r[1].value.split()[0] for r in first.rows} >= {"KCF1", "SAT1", "LOY4"}  # LOY4 (R): reverse-worded
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


# ---------------------------------------------------------------- PLS-SEM
def _crm_matrix() -> pd.DataFrame:
    """The example's items reverse-scored (KCF3, KM2, LOY4: 6 - x) and missing answers replaced by the
    item mean, as the PLS stage does by default (seminr's default)."""
    data = _crm_data()
    items = [c for c in data.columns if c[:-1] in ("KCF", "CRMO", "KM", "TECH", "SAT", "LOY")]
    X = data[items].astype(float)
    for it in ("KCF3", "KM2", "LOY4"):
        X[it] = 6 - X[it]
    return X.fillna(X.mean())


BLOCKS = {"KCF": 5, "CRMO": 4, "KM": 4, "TECH": 4, "SAT": 4, "LOY": 4}


def _spec(constructs: dict[str, list[str]], columns: list[str], paths, modes=None):
    from loyaltysurvey.pls.algorithm import PLSSpec
    return PLSSpec(tuple(constructs), tuple(tuple(columns.index(i) for i in items) for items in constructs.values()),
                   tuple((modes or {}).get(c, "A") for c in constructs), tuple(paths))


def _items(c: str) -> list[str]:
    return [f"{c}{k}" for k in range(1, BLOCKS[c] + 1)]


def _hand_two_stage(stage1_paths, stage1_blocks, mode="A"):
    """Stage 1 by the project's fit_pls, the dimensions' standardized scores, stage 2 by fit_pls again."""
    from loyaltysurvey.pls.algorithm import fit_pls
    X = _crm_matrix()
    cols = list(X.columns)
    s1 = _spec(stage1_blocks, cols, stage1_paths)
    e1 = fit_pls(X.to_numpy(), s1)
    dims = ["KCF", "CRMO", "KM", "TECH"]
    scores = pd.DataFrame(e1.scores[:, [s1.constructs.index(d) for d in dims]], columns=dims)
    X2 = pd.concat([X[_items("SAT") + _items("LOY")].reset_index(drop=True), scores], axis=1)
    s2 = _spec({"SAT": _items("SAT"), "LOY": _items("LOY"), "CRM": dims}, list(X2.columns),
               [("CRM", "SAT"), ("SAT", "LOY")], {"CRM": mode})
    e2 = fit_pls(X2.to_numpy(), s2)
    return s1, e1, s2, e2, list(X2.columns)


def _rows(rows, construct):
    return {r["item"]: r["est"] for r in rows if r["construct"] == construct}


def _pls_study(approach: str | None, bootstrap: int = 0):
    text = _crm_yaml(CRM_MODEL, dimensions=True)
    if approach:
        text = text.replace("dimensions: [KCF, CRMO, KM, TECH]\n",
                            f"dimensions: [KCF, CRMO, KM, TECH]\n    hoc_approach: {approach}\n")
    q = questionnaire_from_yaml(text)
    return loyaltysurvey.analyze(q, _crm_data(), method="pls", bootstrap=bootstrap, seed=7).to_json()["pls"]


def test_pls_two_stage_equals_stage_by_stage_computation():
    """Default (seminr's higher_composite two_stage, disjoint): stage 1 without CRM, each dimension
    -> SAT; stage 2 with CRM measured by the dimensions' scores. Same numbers to 1e-10."""
    dims = ["KCF", "CRMO", "KM", "TECH"]
    s1, e1, s2, e2, cols2 = _hand_two_stage([(d, "SAT") for d in dims] + [("SAT", "LOY")],
                                            {c: _items(c) for c in BLOCKS})
    pls = _pls_study(None)
    assert pls["higher_order"]["CRM"]["approach"] == "two_stage"
    k = {c: i for i, c in enumerate(s2.constructs)}
    paths = {(p["from"], p["to"]): p["est"] for p in pls["paths"]}
    assert paths[("CRM", "SAT")] == pytest.approx(e2.paths[k["CRM"], k["SAT"]], abs=1e-10)
    assert paths[("SAT", "LOY")] == pytest.approx(e2.paths[k["SAT"], k["LOY"]], abs=1e-10)
    for d in dims:  # contract: construct = the higher-order, item = the dimension
        assert _rows(pls["loadings"], "CRM")[d] == pytest.approx(e2.loadings[cols2.index(d), k["CRM"]], abs=1e-10)
        assert _rows(pls["weights"], "CRM")[d] == pytest.approx(e2.weights[cols2.index(d), k["CRM"]], abs=1e-10)
    cols1 = [i for c in BLOCKS for i in _items(c)]
    k1 = {c: i for i, c in enumerate(s1.constructs)}
    for item in _items("KCF"):  # the dimensions' own measurement comes from stage 1
        assert _rows(pls["loadings"], "KCF")[item] == pytest.approx(e1.loadings[cols1.index(item), k1["KCF"]],
                                                                     abs=1e-10)
    assert set(pls["reliability"]) == set(BLOCKS) | {"CRM"}
    assert pls["first_stage"]["paths"][0]["to"] == "SAT"


def test_pls_embedded_two_stage_uses_repeated_indicators_in_stage_one():
    dims = ["KCF", "CRMO", "KM", "TECH"]
    blocks = {c: _items(c) for c in BLOCKS}
    blocks["CRM"] = [i for d in dims for i in _items(d)]
    _, _, s2, e2, cols2 = _hand_two_stage([("CRM", d) for d in dims] + [("CRM", "SAT"), ("SAT", "LOY")], blocks)
    pls = _pls_study("embedded")
    assert pls["higher_order"]["CRM"]["approach"] == "embedded"
    k = {c: i for i, c in enumerate(s2.constructs)}
    for d in dims:
        assert _rows(pls["loadings"], "CRM")[d] == pytest.approx(e2.loadings[cols2.index(d), k["CRM"]], abs=1e-10)
    paths = {(p["from"], p["to"]): p["est"] for p in pls["paths"]}
    assert paths[("CRM", "SAT")] == pytest.approx(e2.paths[k["CRM"], k["SAT"]], abs=1e-10)


def test_pls_repeated_indicators_by_definition():
    """CRM measured by all 17 items of its dimensions, with the paths CRM -> dimension (mode A); its
    loading on a dimension is the correlation of the two scores."""
    from loyaltysurvey.pls.algorithm import fit_pls
    import numpy as np
    dims = ["KCF", "CRMO", "KM", "TECH"]
    X = _crm_matrix()
    cols = list(X.columns)
    blocks = {c: _items(c) for c in BLOCKS}
    blocks["CRM"] = [i for d in dims for i in _items(d)]
    spec = _spec(blocks, cols, [("CRM", d) for d in dims] + [("CRM", "SAT"), ("SAT", "LOY")])
    e = fit_pls(X.to_numpy(), spec)
    k = {c: i for i, c in enumerate(spec.constructs)}
    pls = _pls_study("repeated_indicators")
    assert pls["higher_order"]["CRM"]["approach"] == "repeated_indicators"
    crm_items = _rows(pls["loadings"], "CRM")
    assert [i for i in crm_items if i not in dims] == blocks["CRM"]
    for item in blocks["CRM"]:
        assert crm_items[item] == pytest.approx(e.loadings[cols.index(item), k["CRM"]], abs=1e-10)
    for d in dims:
        r = np.corrcoef(e.scores[:, k["CRM"]], e.scores[:, k[d]])[0, 1]
        assert crm_items[d] == pytest.approx(r, abs=1e-10)
        path = next(p for p in pls["paths"] if p["from"] == "CRM" and p["to"] == d)
        assert path["est"] == pytest.approx(r, abs=1e-10)  # one predictor: the path is the correlation


def test_pls_two_stage_bootstraps_the_higher_order_rows():
    pls = _pls_study(None, bootstrap=60)
    assert pls["bootstrap"]["successful"] == 60 and pls["first_stage"]["bootstrap"]["successful"] == 60
    for key in ("loadings", "weights"):
        rows = [r for r in pls[key] if r["construct"] == "CRM"]
        assert [r["item"] for r in rows] == ["KCF", "CRMO", "KM", "TECH"]
        for r in rows:
            assert r["se"] > 0 and r["ci_lower"] < r["est"] < r["ci_upper"], (key, r["item"])
    kcf = [r for r in pls["loadings"] if r["construct"] == "KCF"]
    assert all(r["se"] > 0 for r in kcf)  # stage 1 bootstrapped as well


@pytest.mark.parametrize("lang", ["en", "fa"])
def test_pls_chapter_shows_the_dimensions_then_the_higher_order_construct(lang):
    q = questionnaire_from_yaml(_crm_yaml(CRM_MODEL, dimensions=True))
    study = loyaltysurvey.analyze(q, _crm_data(), method="pls", bootstrap=30, seed=3)
    report = build_report(study.results, lang, REPORT_DAY)
    ids = [getattr(b, "id", "") for s in report.sections for b in s.blocks]
    assert ids.index("pls_loadings_first") < ids.index("pls_loadings") < ids.index("pls_higher")
    blocks = {getattr(b, "id", ""): b for s in report.sections for b in s.blocks}
    first_items = [r[1].value.split()[0] for r in blocks["pls_loadings_first"].rows]  # less a reverse mark
    assert first_items == [i.id for d in ("KCF", "CRMO", "KM", "TECH") for i in q.construct(d).items]
    higher = blocks["pls_higher"]
    weights = {r["item"]: r["est"] for r in study.to_json()["pls"]["weights"] if r["construct"] == "CRM"}
    assert [r[2].value for r in higher.rows] == pytest.approx([weights[d] for d in ("KCF", "CRMO", "KM", "TECH")])
    assert any(ref.startswith("Sarstedt, M., Hair") for ref in report.references)
    html = render_html(report)
    assert "pls_higher" in html or higher.caption in html


def test_pls_reflective_formative_two_stage_equals_stage_by_stage():
    """mode: B on the HOC (reflective-formative): stage 2 estimates CRM's weights by regression (mode B)."""
    dims = ["KCF", "CRMO", "KM", "TECH"]
    _, _, s2, e2, cols2 = _hand_two_stage([(d, "SAT") for d in dims] + [("SAT", "LOY")],
                                          {c: _items(c) for c in BLOCKS}, mode="B")
    text = _crm_yaml(CRM_MODEL, dimensions=True).replace("dimensions: [KCF, CRMO, KM, TECH]\n",
                                                         "dimensions: [KCF, CRMO, KM, TECH]\n    mode: B\n")
    pls = loyaltysurvey.analyze(questionnaire_from_yaml(text), _crm_data(), method="pls", bootstrap=0).to_json()["pls"]
    assert pls["higher_order"]["CRM"]["mode"] == "B"
    k = {c: i for i, c in enumerate(s2.constructs)}
    for d in dims:
        assert _rows(pls["weights"], "CRM")[d] == pytest.approx(e2.weights[cols2.index(d), k["CRM"]], abs=1e-10)
    # mode B weights differ from mode A's (the test would not notice a mode left at A otherwise)
    _, _, _, eA, _ = _hand_two_stage([(d, "SAT") for d in dims] + [("SAT", "LOY")], {c: _items(c) for c in BLOCKS})
    assert abs(eA.weights[cols2.index("TECH"), k["CRM"]] - e2.weights[cols2.index("TECH"), k["CRM"]]) > 1e-3


def test_model_comparison_with_a_higher_order_construct():
    """The comparison's PLS models measure CRM by all its dimensions' items (one composite)."""
    from loyaltysurvey.pls import PLS
    text = _crm_yaml(CRM_MODEL, dimensions=True).replace(
        "hypotheses:", "alternatives:\n  direct: |\n    SAT ~ CRM\n    LOY ~ SAT + CRM\nhypotheses:")
    q = questionnaire_from_yaml(text)
    out = loyaltysurvey.analyze(q, _crm_data(), method="pls", bootstrap=0).to_json()
    rows = {(r["model"], r["construct"]): r for r in out["model_comparison"]["pls"]["rows"]}
    assert rows[("direct", "LOY")]["predictors"] == ["SAT", "CRM"]
    blocks = {"CRM": [i for d in ("KCF", "CRMO", "KM", "TECH") for i in _items(d)], "SAT": _items("SAT"),
              "LOY": _items("LOY")}
    fit = PLS(blocks, [("CRM", "SAT"), ("SAT", "LOY"), ("CRM", "LOY")]).fit(_crm_matrix())
    assert rows[("direct", "LOY")]["r2"] == pytest.approx(float(fit.r2["LOY"]), abs=1e-10)


def test_third_order_construct_reaches_lavaans_solution():
    """T over three second-order constructs, each over two dimensions: lavaan reports a negative latent
    variance (a Heywood case); the same chi-square here, with the Heywood notices."""
    text = _crm_yaml(CRM_MODEL, dimensions=False).replace(
        "\ndemographics:", "\n  - {id: S1, dimensions: [KCF, CRMO]}\n  - {id: S2, dimensions: [KM, TECH]}\n"
                           "  - {id: S3, dimensions: [SAT, LOY]}\n  - {id: T, dimensions: [S1, S2, S3]}\n\ndemographics:", 1)
    text = text[:text.index("\nmodel: |")] + "\n"
    q = questionnaire_from_yaml(text)
    assert q.level("T") == 3 and len(q.construct_items("T")) == 25
    study = loyaltysurvey.analyze(q, _crm_data(), method="cb")
    out = study.to_json()
    ref = REF["crm_third_order"]
    assert out["cfa"]["fit"]["chisq"] == pytest.approx(ref["fit"]["chisq"], rel=REL)
    assert out["cfa"]["fit"]["df"] == ref["fit"]["df"]
    assert "heywood" in {n["code"] for n in out["warnings"]}
    assert out["reliability"]["T"]["omega_l1"] is None  # reliabilityL2 is defined for second order only


def test_pls_third_order_falls_back_to_repeated_indicators_with_a_notice():
    text = _crm_yaml("SAT ~ T\nLOY ~ SAT", dimensions=False).replace(
        "\ndemographics:", "\n  - {id: S1, dimensions: [KCF, CRMO]}\n  - {id: S2, dimensions: [KM, TECH]}\n"
                           "  - {id: T, dimensions: [S1, S2]}\n\ndemographics:", 1)
    text = text[:text.index("hypotheses:")]
    study = loyaltysurvey.analyze(questionnaire_from_yaml(text), _crm_data(), method="pls", bootstrap=0)
    pls = study.to_json()["pls"]
    assert pls["higher_order"]["T"]["approach"] == "repeated_indicators"
    assert [n.code for n in study.results.pls.notices].count("pls_hoc_repeated_indicators") == 1
    t_rows = _rows(pls["loadings"], "T")
    assert len([i for i in t_rows if i not in ("S1", "S2")]) == 17  # all the items below T
    paths = {(p["from"], p["to"]) for p in pls["paths"]}
    assert {("T", "S1"), ("T", "S2"), ("S1", "KCF"), ("S2", "TECH"), ("T", "SAT")} <= paths


def test_study_reliability_frame_lists_the_higher_order_construct(hs_study):
    frame = hs_study.reliability
    assert frame.loc["g", "k"] == 3
    assert frame.loc["g", "cr"] == pytest.approx(REF["hs_second_order"]["cr"]["g"], rel=1e-5)
    assert pd.isna(frame.loc["g", "alpha"])


def test_pls_group_comparison_says_the_higher_order_construct_is_measured_by_repeated_indicators():
    """Each group's PLS model measures a higher-order construct by repeated indicators, whatever the
    pooled model's approach; the CRM -> dimension rows of PLS-MGA are explained in both languages."""
    q = questionnaire_from_yaml(_crm_yaml(CRM_MODEL, dimensions=True))
    study = loyaltysurvey.analyze(q, _crm_data(), method="pls", group="gender", bootstrap=20, permutations=20, seed=3)
    rows = study.to_json()["pls_mga"]
    assert {(r["from"], r["to"]) for r in rows} >= {("CRM", "KCF"), ("CRM", "SAT")}
    en = render_html(build_report(study.results, "en", REPORT_DAY))
    assert ("In the models of each group the higher-order constructs (Customer relationship management) are "
            "estimated by repeated indicators") in en
    fa = render_html(build_report(study.results, "fa", REPORT_DAY))
    assert "سازه‌های مرتبهٔ بالاتر (مدیریت ارتباط با مشتری) با رویکرد شاخص‌های تکراری برآورد شده‌اند" in fa
