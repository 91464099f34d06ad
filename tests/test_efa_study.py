"""The optional exploratory factor analysis as a user meets it: settings, results.json, the chapter, the CLI.

The numbers themselves are checked against psych in tests/test_efa_reference.py; here the
bundled example run through ``analyze --efa --efa-factors 6`` must give psych's ``fa()`` of the
same cleaned answers (tests/reference/efa_reference.json, ``crm_minres_oblimin``: loadings 1e-4,
communalities 1e-5, as there), and the chapter must show what the analysis decided.
"""

from __future__ import annotations

import json
import zipfile

import numpy as np
import openpyxl
import pandas as pd
import pytest
from typer.testing import CliRunner

import loyaltysurvey
from loyaltysurvey.analysis.efa import efa, parallel_analysis
from loyaltysurvey.cli import app
from loyaltysurvey.datasets import holzinger_swineford, hs_questionnaire
from loyaltysurvey.errors import LoyaltySurveyError
from loyaltysurvey.report import build_report
from loyaltysurvey.report.document import Figure, Table
from loyaltysurvey.resources import bundled_path
from loyaltysurvey.settings import Settings

from conftest import REFERENCE

runner = CliRunner()
HS_ITEMS = [f"x{i}" for i in range(1, 10)]


@pytest.fixture(scope="module")
def hs_study():
    return loyaltysurvey.analyze(hs_questionnaire(), holzinger_swineford()[HS_ITEMS], method="cb", efa=True,
                                 efa_iterations=30, seed=11)


def test_settings_defaults_and_validation():
    q = hs_questionnaire()
    s = Settings.resolve(q)
    assert (s.efa, s.efa_factors, s.efa_method, s.efa_rotation, s.efa_iterations) == (False, None, "minres",
                                                                                      "oblimin", 20)
    assert Settings.resolve(q, efa_factors=2).efa is True
    for bad, fragment in (({"efa_method": "pa"}, "--efa-method must be one of minres, ml"),
                          ({"efa_rotation": "promax"}, "--efa-rotation must be one of oblimin, varimax, none"),
                          ({"efa_factors": 0}, "--efa-factors"), ({"efa_iterations": 0}, "--efa-iterations")):
        with pytest.raises(LoyaltySurveyError, match=fragment):
            Settings.resolve(q, **bad)


def test_no_efa_unless_asked():
    study = loyaltysurvey.analyze(hs_questionnaire(), holzinger_swineford()[HS_ITEMS], method="cb")
    assert study.efa is None and "efa" not in study.to_json()
    assert "efa" not in [s.id for s in build_report(study.results, "en").sections]


def test_results_json_efa(hs_study):
    out = hs_study.to_json()
    e = out["efa"]
    assert out["meta"]["settings"]["efa"] is True and out["meta"]["settings"]["efa_iterations"] == 30
    # the same numbers as the analysis functions on the same answers and seed
    pa = parallel_analysis(holzinger_swineford()[HS_ITEMS], iterations=30, seed=11)
    np.testing.assert_array_equal(e["parallel"]["simulated_fa"], pa.simulated_fa)
    assert e["parallel"]["n_factors"] == pa.n_factors == 3 and e["n_factors"] == 3
    assert e["n_factors_source"] == "parallel" and e["method"] == "minres" and e["rotation"] == "oblimin"
    fit = efa(holzinger_swineford()[HS_ITEMS], 3)
    for item in HS_ITEMS:
        assert e["loadings"][item] == pytest.approx(fit.loadings.loc[item].to_dict(), abs=1e-12)
    assert e["variance"]["F1"]["ss_loadings"] == pytest.approx(float(fit.variance.loc["ss_loadings", "F1"]))
    assert set(e["phi"]) == {"F1", "F2", "F3"} and e["phi"]["F1"]["F1"] == pytest.approx(1.0)
    assert set(e["fit"]) == {"chisq", "dof", "pvalue", "rmsea", "tli"} and e["fit"]["dof"] == 12
    # each item judged from its loadings: largest absolute loading, >= .50 salient, others >= .30 cross
    for item, judged in e["items"].items():
        row = pd.Series(e["loadings"][item])
        assert judged["factor"] == row.abs().idxmax()
        assert judged["salient"] == (row.abs().max() >= 0.50)
        assert judged["cross_loadings"] == [f for f in row.index if f != judged["factor"] and abs(row[f]) >= 0.30]
    # x9 (speed) also loads on the visual factor in Holzinger and Swineford's data
    assert e["items"]["x9"]["cross_loadings"] and not e["items"]["x1"]["cross_loadings"]
    assert e["thresholds"] == {"shown": 0.30, "salient": 0.50, "source": "Hair et al., 2019"}
    json.dumps(out)


def test_user_factors_ml_varimax():
    study = loyaltysurvey.analyze(hs_questionnaire(), holzinger_swineford()[HS_ITEMS], method="cb",
                                  efa_factors=2, efa_method="ml", efa_rotation="varimax", efa_iterations=5)
    e = study.to_json()["efa"]
    assert (e["n_factors"], e["n_factors_source"], e["method"], e["rotation"], e["phi"]) == (2, "user", "ml",
                                                                                            "varimax", None)
    fit = efa(holzinger_swineford()[HS_ITEMS], 2, method="ml", rotation="varimax")
    np.testing.assert_allclose(pd.DataFrame(e["loadings"]).T.to_numpy(), fit.loadings.to_numpy(), atol=1e-12)


def test_too_many_factors_is_a_notice():
    study = loyaltysurvey.analyze(hs_questionnaire(), holzinger_swineford()[HS_ITEMS], method="cb",
                                  efa_factors=12, efa_iterations=5)
    assert study.efa.fit.n_factors == 8
    notice = next(n for n in study.notices if n.code == "efa_too_many")
    assert notice.values == {"asked": 12, "items": 9, "used": 8}


@pytest.mark.parametrize("lang", ["en", "fa"])
def test_chapter_section(hs_study, lang):
    report = build_report(hs_study.results, lang)
    ids = [s.id for s in report.sections]
    assert ids.index("common_method") < ids.index("efa") < ids.index("cfa")
    section = report.sections[ids.index("efa")]
    tables = {b.id: b for b in section.blocks if isinstance(b, Table)}
    assert set(tables) == {"efa_parallel", "efa_loadings", "efa_phi"}
    assert any(isinstance(b, Figure) and b.id == "efa_scree" and b.png[:4] == b"\x89PNG" for b in section.blocks)
    e = hs_study.efa
    # parallel table: observed eigenvalues in bold where retained
    par = tables["efa_parallel"].rows
    assert [r[1].emphasis for r in par[:4]] == [k < e.parallel.n_components for k in range(4)]
    assert par[0][1].value == pytest.approx(e.parallel.observed_pc[0])
    # loadings table: blank below .30, bold for cross-loadings and weak primary loadings
    rows = {r[0].value: r for r in tables["efa_loadings"].rows}
    for item in HS_ITEMS:
        cells = rows[item][2:5]
        for f, cell in zip(["F1", "F2", "F3"], cells):
            v = float(e.fit.loadings.loc[item, f])
            if f == e.items[item]["factor"]:
                assert cell.value == pytest.approx(v) and cell.emphasis == (not e.items[item]["salient"])
            elif abs(v) >= 0.30:
                assert cell.value == pytest.approx(v) and cell.emphasis
            else:
                assert cell.value == "" and cell.fmt == "text"
        assert rows[item][5].value == pytest.approx(float(e.fit.communalities[item]))
    text = " ".join(b.text for b in section.blocks if hasattr(b, "text"))
    methods = report.sections[0].blocks[1].text
    assert ("Horn's (1965) parallel analysis with 30 simulated data sets (seed 11)" in methods if lang == "en"
            else "تحلیل موازی هورن (Horn, 1965) با ۳۰ مجموعه‌دادهٔ شبیه‌سازی‌شده (بذر ۱۱)" in methods)
    notes = " ".join(tables["efa_loadings"].notes)
    assert "Hair et al., 2019" in notes
    assert any(r.startswith("Horn, J. L. (1965)") for r in report.references)
    assert any(r.startswith("Hayton, J. C.") for r in report.references)
    if lang == "fa":
        assert "تحلیل عاملی اکتشافی" == section.title.split(" ", 1)[1]
        assert "تحلیل موازی" in text and "بار عاملی" in notes
    else:
        assert "x9" in text  # the cross-loading item is named


def test_cli_efa_on_the_bundled_example_matches_psych(tmp_path):
    ref = json.loads((REFERENCE / "efa_reference.json").read_text())["fits"]["crm_minres_oblimin"]
    result = runner.invoke(app, ["analyze", str(bundled_path("questionnaires", "crm_loyalty.yaml")),
                                 str(bundled_path("questionnaires", "crm_loyalty_example.csv")),
                                 "--out", str(tmp_path), "--lang", "en", "--method", "cb", "--efa-factors", "6",
                                 "--efa-iterations", "5"])
    assert result.exit_code == 0, result.output
    assert "EFA: 6 factors (minres, oblimin)" in result.stderr
    e = json.loads((tmp_path / "results.json").read_text(encoding="utf-8"))["efa"]
    assert list(e["loadings"]) == ref["items"] and e["n_obs"] == ref["n_obs"]
    loadings = np.array([[e["loadings"][i][f"F{j + 1}"] for j in range(6)] for i in ref["items"]])
    np.testing.assert_allclose(loadings, np.array([ref["loadings"][i] for i in ref["items"]]), rtol=0, atol=1e-4)
    np.testing.assert_allclose([e["communalities"][i] for i in ref["items"]], ref["communality"], rtol=0, atol=1e-5)
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "Exploratory factor analysis" in html and "Scree plot of the parallel analysis" in html
    with zipfile.ZipFile(tmp_path / "report.docx") as docx:
        xml = docx.read("word/document.xml").decode("utf-8")
    assert "Parallel analysis: observed and simulated eigenvalues" in xml and "Correlations between the factors" in xml
    sheets = openpyxl.load_workbook(tmp_path / "tables.xlsx", read_only=True)
    texts = " ".join(str(c) for ws in sheets.worksheets for row in ws.iter_rows(max_row=3, values_only=True)
                     for c in row if c is not None)
    assert "pattern loadings and communalities" in texts


def test_cli_bad_efa_option_exits_2(tmp_path):
    result = runner.invoke(app, ["analyze", str(bundled_path("questionnaires", "crm_loyalty.yaml")),
                                 str(bundled_path("questionnaires", "crm_loyalty_example.csv")),
                                 "--out", str(tmp_path), "--efa-rotation", "promax"])
    assert result.exit_code == 2
    assert "--efa-rotation must be one of oblimin, varimax, none" in result.stderr


def test_item_without_variance_is_a_notice_not_a_failure():
    data = holzinger_swineford()[HS_ITEMS].copy()
    data["x2"] = 5.0
    study = loyaltysurvey.analyze(hs_questionnaire(), data, method="cb", efa=True, efa_iterations=5)
    assert study.efa is None and "efa" not in study.to_json()
    assert any(n.code == "efa_failed" for n in study.notices)
    assert "efa" not in [s.id for s in build_report(study.results, "fa").sections]


def test_no_factor_above_chance_still_extracts_one():
    rng = np.random.default_rng(4)
    noise = pd.DataFrame(rng.integers(0, 11, size=(120, 9)).astype(float), columns=HS_ITEMS)
    study = loyaltysurvey.analyze(hs_questionnaire(), noise, method="cb", efa=True, efa_iterations=20, seed=4)
    e = study.efa
    assert e.parallel.n_factors == 0 and e.fit.n_factors == 1 and e.n_factors_source == "parallel_none"
    section = next(s for s in build_report(study.results, "en").sections if s.id == "efa")
    assert "one factor, although parallel analysis retains none" in section.blocks[0].text


@pytest.mark.parametrize("lang", ["en", "fa"])
def test_efa_chapter_citations_and_references_agree(hs_study, lang):
    """APA, as tests/test_report_locale.py checks it on the demo: every in-text citation of a chapter
    with the EFA section has its reference, and every listed reference is cited."""
    import re

    from loyaltysurvey.report.document import _author_year, chapter_text

    report = build_report(hs_study.results, lang)
    text = chapter_text(report.sections)
    listed = {_author_year(r) for r in report.references}
    from conftest import cited_works
    cited = cited_works(text)
    assert {("Horn", "1965"), ("Hayton", "2004"), ("Revelle", "2022"), ("Hair", "2019")} <= cited
    assert not cited - listed, sorted(cited - listed)
    assert not listed - cited, sorted(listed - cited)
