"""analyze --group / group= : the CB-SEM group comparison through the whole pipeline.

The numbers themselves are checked against lavaan in tests/test_invariance_reference.py; here
the reference values (tests/reference/invariance_reference.json, HolzingerSwineford1939 by school,
lavaan 0.6.14) are checked to arrive unchanged in results.json, and the wiring is tested: a
demographic or a plain export column as the group, the contract's keys, the chapter section in
both languages, the command line and its errors.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

import loyaltysurvey
from loyaltysurvey.cli import app
from loyaltysurvey.datasets import holzinger_swineford, hs_questionnaire
from loyaltysurvey.errors import DataError, LoyaltySurveyError
from loyaltysurvey.report import build_report, render_html

REF = json.loads((Path(__file__).parent / "reference" / "invariance_reference.json").read_text())
runner = CliRunner()


@pytest.fixture(scope="module")
def hs_study():
    """hs_questionnaire has no demographics: 'school' reaches the analysis as a plain export column."""
    return loyaltysurvey.analyze(hs_questionnaire(), holzinger_swineford(), method="cb", group="school")


def test_results_json_has_the_contract_keys_and_lavaans_numbers(hs_study):
    out = hs_study.to_json()
    inv = out["invariance"]
    assert [lv["level"] for lv in inv] == ["configural", "metric", "scalar", "strict"]
    for lv in inv:
        ref = REF["hs_ml"]["levels"][lv["level"]]["fit"]
        for key in ("chisq", "df", "cfi", "tli", "rmsea", "srmr", "aic", "bic"):  # lavaan, 1e-4 relative
            assert lv["fit"][key] == pytest.approx(ref[key], rel=1e-4), (lv["level"], key)
        if lv["level"] == "configural":
            assert lv["delta"] is None
        else:
            assert set(lv["delta"]) >= {"chisq", "df", "pvalue", "cfi", "rmsea"}
            assert lv["delta"]["chisq"] == pytest.approx(REF["hs_ml"]["lrt"][lv["level"]]["chisq_diff"], rel=1e-4)
    assert out["groups"].keys() == {"Pasteur", "Grant-White"}
    assert {g: v["n"] for g, v in out["groups"].items()} == {"Pasteur": 156, "Grant-White": 145}
    # each group's own model: without equality constraints the configural chi-square is the sum of
    # the groups' separate chi-squares (the structural model adds one constraint per group)
    assert all({"fit", "estimates"} <= set(v["sem"]) for v in out["groups"].values())
    assert out["meta"]["settings"]["group"] == "school"
    comp = out["group_comparison"]
    assert comp["column"] == "school" and comp["highest_level"] is None  # configural RMSEA .097 > .08
    assert [(p["lhs"], p["rhs"]) for p in comp["paths"]] == [("textual", "visual"), ("speed", "textual"),
                                                              ("speed", "visual")]
    assert all(p["df"] == 1 and 0 <= p["pvalue"] <= 1 and p["equal"] == (p["pvalue"] >= 0.05)
               for p in comp["paths"])
    assert "pls" not in out["groups"]["Pasteur"]  # PLS-MGA is not part of the CB-SEM comparison


def test_separate_group_fits_add_up_to_the_configural_cfa():
    """CFA only: the configural model is the groups' separate models side by side."""
    from loyaltysurvey.questionnaire import QuestionnaireBuilder
    q = (QuestionnaireBuilder("hs", scale=(0, 10)).construct("visual", "Visual", ["x1", "x2", "x3"])
         .construct("textual", "Textual", ["x4", "x5", "x6"]).construct("speed", "Speed", ["x7", "x8", "x9"])
         .build())
    out = loyaltysurvey.analyze(q, holzinger_swineford(), method="cb", group="school").to_json()
    total = sum(v["sem"]["fit"]["chisq"] for v in out["groups"].values())
    assert total == pytest.approx(REF["hs_ml"]["levels"]["configural"]["fit"]["chisq"], rel=1e-6)
    assert out["group_comparison"]["paths"] == []


def test_chapter_section_in_both_languages(hs_study):
    en = render_html(build_report(hs_study.results, "en", date(2026, 1, 1)))
    assert "Measurement invariance across school" in en
    assert "ΔCFI ≥ −.01 (Cheung &amp; Rensvold, 2002)" in en and "(Chen, 2007)" in en
    assert "Cheung, G. W., &amp; Rensvold, R. B. (2002)" in en  # in the reference list
    assert "not interpreted" in en and "Equality of the structural paths across school" in en
    fa = render_html(build_report(hs_study.results, "fa", date(2026, 1, 1)))
    for term in ("ناوردایی اندازه‌گیری", "پیکربندی", "متریک", "اسکالر", "سخت‌گیرانه", "تفسیر نمی‌شود"):
        assert term in fa, term
    plain = loyaltysurvey.analyze(hs_questionnaire(), holzinger_swineford(), method="cb")
    assert "Measurement invariance" not in render_html(build_report(plain.results, "en", date(2026, 1, 1)))


def test_group_errors_are_clear():
    with pytest.raises(DataError, match="'nope' is neither a demographic"):
        loyaltysurvey.analyze(hs_questionnaire(), holzinger_swineford(), method="cb", group="nope")
    with pytest.raises(LoyaltySurveyError, match="--group-partial needs --group"):
        loyaltysurvey.analyze(hs_questionnaire(), holzinger_swineford(), method="cb", group_partial=["x3~1"])
    tiny = holzinger_swineford().assign(cohort=["a"] * 296 + ["b"] * 5)
    with pytest.raises(DataError, match="group 'b'.*5 complete respondents for 9 observed variables"):
        loyaltysurvey.analyze(hs_questionnaire(), tiny, method="cb", group="cohort")


def _hs_yaml(tmp_path: Path) -> Path:
    spec = {"id": "hs", "title": "HS", "language": "en", "scale": {"min": 0, "max": 10},
            "constructs": [{"id": f, "name": f, "items": [{"id": f"x{i}", "text": f"x{i}"} for i in items]}
                           for f, items in (("visual", (1, 2, 3)), ("textual", (4, 5, 6)), ("speed", (7, 8, 9)))],
            "demographics": [{"id": "school", "name": {"en": "School", "fa": "مدرسه"}}]}
    path = tmp_path / "hs.yaml"
    path.write_text(yaml.safe_dump(spec, allow_unicode=True), encoding="utf-8")
    return path


def test_cli_group_with_a_demographic_and_partial_invariance(tmp_path):
    q = _hs_yaml(tmp_path)
    data = tmp_path / "hs.csv"
    holzinger_swineford().to_csv(data, index=False)
    out = tmp_path / "out"
    result = runner.invoke(app, ["analyze", str(q), str(data), "--out", str(out), "--lang", "en", "--method", "cb",
                                 "--group", "school", "--group-partial", "x3~1, x7~1"])
    assert result.exit_code == 0, result.output
    # the groups in reading order (a text demographic without codes: alphabetical), as every table lists them
    assert "Groups by school (Grant-White: 145, Pasteur: 156)" in result.output
    res = json.loads((out / "results.json").read_text(encoding="utf-8"))
    scalar = next(lv for lv in res["invariance"] if lv["level"] == "scalar")
    ref = REF["hs_ml"]["partial"]["scalar_partial"]["fit"]  # lavaan group.partial = c("x3~1", "x7~1")
    assert scalar["group_partial"] == ["x3~1", "x7~1"]
    assert scalar["fit"]["chisq"] == pytest.approx(ref["chisq"], rel=1e-4)
    assert scalar["fit"]["df"] == ref["df"]
    assert "Table 4." in (out / "report.html").read_text(encoding="utf-8")
    bad = runner.invoke(app, ["analyze", str(q), str(data), "--out", str(tmp_path / "bad"), "--method", "cb",
                              "--group", "region"])
    assert bad.exit_code == 2
    assert "'region' is neither a demographic of the questionnaire (school) nor a column" in bad.output


def test_cli_summary_names_coded_groups_by_their_labels(tmp_path):
    """A group column of codes (1, 2) with value labels: the terminal names the groups as the chapter does."""
    spec = yaml.safe_load(_hs_yaml(tmp_path).read_text(encoding="utf-8"))
    spec["demographics"][0]["values"] = {1: {"en": "Pasteur", "fa": "پاستور"}, 2: {"en": "Grant-White", "fa": "گرنت-وایت"}}
    q = tmp_path / "coded.yaml"
    q.write_text(yaml.safe_dump(spec, allow_unicode=True), encoding="utf-8")
    data = holzinger_swineford()
    data["school"] = data["school"].map({"Pasteur": 1, "Grant-White": 2})
    data.to_csv(tmp_path / "coded.csv", index=False)
    result = runner.invoke(app, ["analyze", str(q), str(tmp_path / "coded.csv"), "--out", str(tmp_path / "out"),
                                 "--method", "cb", "--group", "school"])
    assert result.exit_code == 0, result.output
    # the groups in the questionnaire's order of the codes (1 Pasteur, 2 Grant-White), by their labels
    assert "Groups by school (Pasteur: 156, Grant-White: 145)" in result.output


def test_fiml_reaches_the_multigroup_models_with_ml_and_with_mlr():
    """The FIML numbers are checked against lavaan (bfi by gender, and HolzingerSwineford with blanks;
    ML and MLR) in tests/test_invariance_reference.py."""
    data = holzinger_swineford()
    data.loc[::4, "x5"] = float("nan")
    for estimator in ("ML", "MLR"):
        out = loyaltysurvey.analyze(hs_questionnaire(), data, method="cb", group="school", missing="fiml",
                                    estimator=estimator).to_json()
        assert out["group_comparison"]["missing"] == "fiml"
        assert {g: v["n"] for g, v in out["groups"].items()} == {"Pasteur": 156, "Grant-White": 145}  # nobody dropped
        assert "groups_listwise" not in [w["code"] for w in out["warnings"]]
        configural = out["invariance"][0]["fit"]
        if estimator == "MLR":  # the scaled test and the FIML-corrected robust indices are there
            assert configural["chisq_scaled"] > 0 and 0 < configural["cfi_robust"] <= 1
        else:
            assert "chisq_scaled" not in configural


def test_hostile_group_values_are_escaped(tmp_path):
    data = holzinger_swineford()
    data["school"] = data["school"].map({"Pasteur": "<script>alert(1)</script>", "Grant-White": "=HYPERLINK(1)"})
    study = loyaltysurvey.analyze(hs_questionnaire(), data, method="cb", group="school")
    html = render_html(build_report(study.results, "en", date(2026, 1, 1)))
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert set(study.to_json()["groups"]) == {"<script>alert(1)</script>", "=HYPERLINK(1)"}  # data kept as given


def test_tracking_table_of_construct_means_and_paths_across_groups(hs_study):
    """Issue 16: the tracking table of segments or waves. Means equal pandas' groupby of the construct
    scores (the mean of each construct's items); paths equal each group's own model (std.all)."""
    from loyaltysurvey.analysis.scoring import construct_scores, score_items

    tracking = hs_study.to_json()["group_comparison"]["tracking"]
    assert tracking["groups"] == sorted(tracking["groups"])  # text groups in alphabetical order
    data = holzinger_swineford()
    q = hs_questionnaire()
    scores = construct_scores(score_items(data[[i.id for i in q.items]], q), q)
    expected = scores.groupby(data["school"].astype(str).to_numpy()).mean()
    for construct, by_group in tracking["means"].items():
        for group, value in by_group.items():
            assert value == pytest.approx(float(expected.loc[group, construct]), abs=1e-12)
    fits = hs_study.results.groups.group_fits
    for path, by_group in tracking["paths"].items():
        rhs, lhs = path.split(" -> ")
        for group, value in by_group.items():
            est = fits[group].estimates()
            row = est[(est["op"] == "~") & (est["lhs"] == lhs) & (est["rhs"] == rhs)]
            assert value == pytest.approx(float(row["std.all"].iloc[0]), abs=1e-12)
    for lang, caption in (("en", "Construct means by school"), ("fa", "میانگین سازه‌ها به تفکیک school")):
        html = render_html(build_report(hs_study.results, lang, date(2026, 1, 1)))
        assert caption in html


def test_every_group_table_lists_the_groups_in_the_tracking_order(hs_study):
    """The group sizes and the equal-paths table list the groups as the tracking table does (here
    text groups: alphabetical), not in the order the data first show them (Pasteur, then Grant-White)."""
    from loyaltysurvey.report.document import Table

    order = hs_study.to_json()["group_comparison"]["tracking"]["groups"]
    assert list(hs_study.results.groups.nobs) != order  # the data's order differs: the test can fail
    report = build_report(hs_study.results, "en", date(2026, 1, 1))
    tables = {b.id: b for s in report.sections for b in s.blocks if isinstance(b, Table)}
    assert [r[0].value for r in tables["group_sizes"].rows] == order
    for row in tables["group_paths"].rows:
        text = row[1].value
        assert [text.index(g) for g in order] == sorted(text.index(g) for g in order)
