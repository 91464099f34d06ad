"""The command line as a user runs it: demo, analyze, ingest, validate, exit codes."""

from __future__ import annotations

import json
import zipfile

import openpyxl
import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from loyaltysurvey.cli import app
from loyaltysurvey.resources import bundled_path

runner = CliRunner()
CONTRACT_FIT = ["chisq", "df", "pvalue", "cfi", "tli", "rmsea", "rmsea_ci_lower", "rmsea_ci_upper", "srmr",
                "gfi", "agfi", "nfi", "aic", "bic", "logl", "ntotal"]
CONTRACT_ESTIMATE = ["lhs", "op", "rhs", "label", "est", "se", "z", "pvalue", "ci_lower", "ci_upper", "std_all"]


@pytest.fixture(scope="module")
def demo_fa(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo_fa")
    result = runner.invoke(app, ["demo", "--out", str(out), "--lang", "fa", "--bootstrap", "300", "--jobs", "2"])
    assert result.exit_code == 0, result.output
    return out


def test_demo_writes_every_output(demo_fa):
    for name in ("results.json", "report.html", "report.docx", "tables.xlsx", "clean.csv", "ingest.json"):
        assert (demo_fa / name).stat().st_size > 0, name


def test_results_json_has_the_contract_keys(demo_fa):
    results = json.loads((demo_fa / "results.json").read_text(encoding="utf-8"))
    assert results["ingest"]["input_rows"] == 425 and results["ingest"]["respondents"] == 420
    rel = results["reliability"]["KCF"]
    for key in ("alpha", "alpha_ci", "omega", "cr", "ave", "items"):
        assert key in rel
    assert set(rel["items"]["KCF1"]) >= {"r_drop", "alpha_if_deleted"}
    assert rel["alpha_ci"][0] < rel["alpha"] < rel["alpha_ci"][1]
    for block in ("cfa", "sem"):
        assert set(CONTRACT_FIT) <= set(results[block]["fit"])
        assert all(set(CONTRACT_ESTIMATE) <= set(row) for row in results[block]["estimates"])
    assert results["cfa"]["validity"]["htmt"]["KCF"]["CRMO"] == results["cfa"]["validity"]["htmt"]["CRMO"]["KCF"]
    ops = {row["op"] for row in results["sem"]["estimates"]}
    assert ops == {"=~", "~", "~~", ":="}
    pls = results["pls"]
    for key in ("paths", "r2", "r2_adj", "f2", "reliability", "loadings", "weights", "htmt", "indirect"):
        assert key in pls
    path = pls["paths"][0]
    assert set(path) >= {"from", "to", "est", "se", "t", "pvalue", "ci_lower", "ci_upper"}
    assert set(pls["reliability"]["KCF"]) >= {"alpha", "rho_c", "rho_a", "ave"}
    assert pls["bootstrap"]["successful"] == 300 and results["meta"]["settings"]["seed"] == 20260101


def test_persian_report_is_right_to_left_with_persian_digits(demo_fa):
    html = (demo_fa / "report.html").read_text(encoding="utf-8")
    assert '<html lang="fa" dir="rtl">' in html
    assert "فصل چهارم: تجزیه و تحلیل داده‌ها" in html
    assert "۴۲۵" in html and "٫" in html
    xml = zipfile.ZipFile(demo_fa / "report.docx").read("word/document.xml").decode("utf-8")
    assert "<w:bidi/>" in xml and "<w:bidiVisual/>" in xml and "تمرکز بر مشتریان کلیدی" in xml
    fonts = zipfile.ZipFile(demo_fa / "report.docx").read("word/fontTable.xml").decode("utf-8")
    assert '<w:font w:name="Vazirmatn"><w:altName w:val="B Nazanin"/>' in fonts
    assert '<w:font w:name="B Nazanin"><w:altName w:val="Tahoma"/>' in fonts
    assert 'w:cs="Vazirmatn"' in xml
    # four demographic bar charts, CB-SEM and PLS measurement and path diagrams (4 + 4), the IPMA map
    assert html.count('<img src="data:image/png;base64,') == 13
    assert "مدل در حالت تخمین استاندارد" in html and "مدل در حالت ضرایب معناداری" in html
    assert "مدل اندازه‌گیری در حالت تخمین استاندارد" in html
    assert "توزیع پاسخ‌دهندگان بر حسب جنسیت" in html and "نقشه اهمیت-عملکرد برای وفاداری مشتری" in html
    media = [n for n in zipfile.ZipFile(demo_fa / "report.docx").namelist() if n.startswith("word/media/")]
    assert len(media) == 13
    book = openpyxl.load_workbook(demo_fa / "tables.xlsx")
    assert book.worksheets[0].sheet_view.rightToLeft and len(book.worksheets) > 10
    assert book.sheetnames[0] == "فهرست مطالب" and book.sheetnames[-1] == "نمودارها"
    assert book.sheetnames[1] == "جدول ۴-۱"         # sheets named as the chapter numbers its tables (by chapter)
    assert len(book.worksheets[-1]._images) == 13
    # p-values are numbers shown as "< .001" below .001; intervals are two numeric columns
    cells = [c for ws in book.worksheets[1:-1] for row in ws.iter_rows(min_row=4) for c in row
             if c.number_format.startswith("[<0.001]")]
    assert cells and all(isinstance(c.value, (int, float)) for c in cells if c.value is not None)
    lower = [(ws, j) for ws in book.worksheets for j, c in enumerate(ws[3], start=1)
             if str(c.value or "").endswith("(حد پایین)")]
    assert len(lower) >= 5
    for ws, j in lower:
        values = [ws.cell(i, j).value for i in range(4, ws.max_row + 1)]
        assert any(isinstance(v, (int, float)) for v in values), ws.title   # bounds are numbers, not text
        assert not any(isinstance(v, str) and v.startswith("[") for v in values), ws.title


def test_english_report(tmp_path):
    result = runner.invoke(app, ["analyze", str(bundled_path("questionnaires", "crm_loyalty.yaml")),
                                 str(bundled_path("questionnaires", "crm_loyalty_example.csv")),
                                 "--out", str(tmp_path), "--lang", "en", "--bootstrap", "100"])
    assert result.exit_code == 0, result.output
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert '<html lang="en" dir="ltr">' in html and "Chapter 4: Data Analysis and Results" in html
    assert "Key customer focus" in html and "۴" not in html


def test_validate_summarises(tmp_path):
    result = runner.invoke(app, ["validate", str(bundled_path("questionnaires", "crm_loyalty.yaml"))])
    assert result.exit_code == 0
    assert "6 constructs, 25 items (3 reverse-worded), 4 demographics, 5 structural paths, 9 hypotheses" in result.stdout


def test_validate_says_one_of_a_kind_in_the_singular(tmp_path):
    import yaml

    from loyaltysurvey.questionnaire import QuestionnaireBuilder

    spec = (QuestionnaireBuilder("one").construct("A", "A", ["A1", "A2", "A3"]).construct("B", "B", ["B1", "B2", "B3"])
            .demographic("age", "Age").model("B ~ A").to_dict())
    path = tmp_path / "one.yaml"
    path.write_text(yaml.safe_dump(spec, allow_unicode=True), encoding="utf-8")
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 0, result.output
    assert "2 constructs, 6 items (0 reverse-worded), 1 demographic, 1 structural path, 1 hypothesis (" in result.stdout


def test_validate_counts_the_hypotheses_a_model_implies(tmp_path):
    """Without a hypotheses: list, each labelled path and := parameter is tested as a hypothesis; validate says so."""
    import yaml
    spec = yaml.safe_load(bundled_path("questionnaires", "crm_loyalty.yaml").read_text(encoding="utf-8"))
    spec.pop("hypotheses")
    spec["model"] = "SAT ~ a*KCF + CRMO + KM + TECH\nLOY ~ b*SAT + c*KCF\nind := a*b\n"
    path = tmp_path / "q.yaml"
    path.write_text(yaml.safe_dump(spec, allow_unicode=True), encoding="utf-8")
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 0, result.output
    assert "6 structural paths, 4 hypotheses (no hypotheses: list, so its 3 labelled paths and 1 := parameter)" \
        in result.stdout


@pytest.mark.parametrize("args, fragment", [
    (["--lang", "xx1"], "--lang"),
    (["--method", "ols"], "--method must be one of"),
    (["--estimator", "WLS"], "--estimator must be one of"),
    (["--jobs", "0"], "--jobs"),
    (["--fit-layout", "wide"], "--fit-layout must be one of compact, lisrel"),
])
def test_bad_options_exit_2(tmp_path, args, fragment):
    result = runner.invoke(app, ["analyze", str(bundled_path("questionnaires", "crm_loyalty.yaml")),
                                 str(bundled_path("questionnaires", "crm_loyalty_example.csv")),
                                 "--out", str(tmp_path), *args])
    assert result.exit_code == 2
    assert fragment in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_bootstrap_results_do_not_depend_on_jobs(tmp_path):
    args = ["analyze", str(bundled_path("questionnaires", "crm_loyalty.yaml")),
            str(bundled_path("questionnaires", "crm_loyalty_example.csv")), "--bootstrap", "200", "--seed", "5"]
    outputs = []
    for jobs in ("1", "2"):
        out = tmp_path / jobs
        result = runner.invoke(app, [*args, "--out", str(out), "--jobs", jobs])
        assert result.exit_code == 0, result.stderr
        outputs.append(json.loads((out / "results.json").read_text(encoding="utf-8")))
    one, two = outputs
    assert one["sem"]["estimates"] == two["sem"]["estimates"]
    assert one["hypotheses"] == two["hypotheses"] and one["mediation"] == two["mediation"]
    assert one["sem"]["bootstrap"]["successful"] + one["sem"]["bootstrap"]["failed"] == 200
    h6 = next(h for h in one["hypotheses"] if h["id"] == "H6")
    assert h6["through"] == ["SAT"] and h6["ci_lower"] < h6["est"] < h6["ci_upper"]


def test_dask_scheduler_gives_the_same_bootstrap(tmp_path):
    pytest.importorskip("dask.distributed")
    args = ["analyze", str(bundled_path("questionnaires", "crm_loyalty.yaml")),
            str(bundled_path("questionnaires", "crm_loyalty_example.csv")), "--bootstrap", "200", "--seed", "8",
            "--method", "cb"]
    local = runner.invoke(app, [*args, "--out", str(tmp_path / "local")])
    dask = runner.invoke(app, [*args, "--out", str(tmp_path / "dask"), "--scheduler", "local", "--jobs", "2"])
    assert local.exit_code == 0 and dask.exit_code == 0, dask.stderr
    one, two = (json.loads((tmp_path / d / "results.json").read_text(encoding="utf-8")) for d in ("local", "dask"))
    assert one["sem"]["estimates"] == two["sem"]["estimates"] and one["mediation"] == two["mediation"]
    assert two["meta"]["settings"]["scheduler"] == "local"


def test_unreachable_scheduler_is_a_clear_error(tmp_path):
    pytest.importorskip("dask.distributed")
    result = runner.invoke(app, ["analyze", str(bundled_path("questionnaires", "crm_loyalty.yaml")),
                                 str(bundled_path("questionnaires", "crm_loyalty_example.csv")), "--bootstrap", "50",
                                 "--method", "cb", "--scheduler", "tcp://127.0.0.1:9", "--out", str(tmp_path)])
    assert result.exit_code == 2
    assert "cannot reach the Dask scheduler" in result.stderr and "Traceback" not in result.stderr


def test_pls_scheme_and_ipma_target_options(tmp_path):
    q = str(bundled_path("questionnaires", "crm_loyalty.yaml"))
    data = str(bundled_path("questionnaires", "crm_loyalty_example.csv"))
    result = runner.invoke(app, ["analyze", q, data, "--out", str(tmp_path), "--method", "pls", "--lang", "en",
                                 "--bootstrap", "50", "--pls-scheme", "factorial", "--ipma-target", "SAT"])
    assert result.exit_code == 0, result.output
    pls = json.loads((tmp_path / "results.json").read_text(encoding="utf-8"))["pls"]
    assert pls["scheme"] == "factorial" and pls["ipma"]["target"] == "SAT"
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "factorial weighting scheme" in html and "Importance-performance map for Customer satisfaction" in html
    assert "The model was estimated by PLS-SEM (factorial weighting scheme; 420 respondents" in html
    for bad, message in ((["--pls-scheme", "circle"], "--pls-scheme must be one of path, factorial, centroid"),
                         (["--ipma-target", "XYZ"], "--ipma-target must be one of the constructs KCF, CRMO")):
        result = runner.invoke(app, ["analyze", q, data, "--out", str(tmp_path / "bad"), *bad])
        assert result.exit_code == 2 and message in result.output, result.output


def test_ipma_looks_at_the_final_outcome_by_default():
    from loyaltysurvey.pls import PLS

    def final(constructs, paths):
        model = PLS({c: [f"{c}1", f"{c}2"] for c in constructs}, paths)
        data = pd.DataFrame(np.random.default_rng(0).normal(size=(30, 2 * len(constructs))),
                            columns=list(model.indicators))
        return model.fit(data).final_outcome

    assert final(("IMAG", "EXPE", "QUAL", "VAL", "SAT", "COMP", "LOY"),
                 (("IMAG", "EXPE"), ("EXPE", "SAT"), ("SAT", "LOY"), ("SAT", "COMP"), ("COMP", "LOY"),
                  ("VAL", "SAT"), ("QUAL", "VAL"))) == "LOY"
    assert final(("A", "B", "C"), (("A", "B"), ("A", "C"))) == "C"  # two outcomes: the last in the questionnaire


def test_fiml_with_bootstrap_resamples_every_respondent(tmp_path):
    """--missing fiml --bootstrap N (lavaan's missing = "ml", se = "bootstrap"): all 420 respondents,
    the 60 incomplete ones included, are resampled and refitted by FIML; results.json says so, and
    the chapter's methods paragraph states it in English and in Persian."""
    import loyaltysurvey
    from loyaltysurvey.report import build_report, load_locale, render_html

    questionnaire = str(bundled_path("questionnaires", "crm_loyalty.yaml"))
    export = str(bundled_path("questionnaires", "crm_loyalty_example.csv"))
    result = runner.invoke(app, ["analyze", questionnaire, export, "--out", str(tmp_path / "cli"), "--lang", "en",
                                 "--method", "cb", "--missing", "fiml", "--bootstrap", "200"])
    assert result.exit_code == 0, result.stderr
    results = json.loads((tmp_path / "cli" / "results.json").read_text(encoding="utf-8"))
    boot = results["sem"]["bootstrap"]
    assert boot["missing"] == "fiml" and boot["successful"] + boot["failed"] == 200
    assert results["sem"]["fit"]["ntotal"] == results["ingest"]["respondents"] == 420
    assert results["meta"]["settings"]["cb_missing"] == "fiml" and results["meta"]["settings"]["bootstrap"] == 200
    assert set(CONTRACT_ESTIMATE) <= set(results["sem"]["estimates"][0])
    html = (tmp_path / "cli" / "report.html").read_text(encoding="utf-8")
    sentence = ("Standard errors and percentile confidence intervals come from {} bootstrap resamples of all "
                "respondents, incomplete ones included, each estimated again by full-information maximum likelihood "
                "(seed 20260101).").format(boot["successful"])
    assert sentence in html and "missing answers were handled by full-information maximum likelihood, leaving 420" in html

    study = loyaltysurvey.analyze(questionnaire, export, method="cb", missing="fiml", bootstrap=50, seed=3)
    fa = render_html(build_report(study.results, "fa"))
    persian = load_locale("fa").t("methods.bootstrap_fiml", b=study.results.cbsem.sem.bootstrap_info["successful"],
                                  seed=3)
    assert persian in fa and "از جمله" in persian and "۵۰" in persian


@pytest.mark.parametrize("method, missing, says", [
    ("pls", "fiml", "--missing fiml is full-information maximum likelihood, a CB-SEM estimator"),
    ("cb", "mean", "--missing mean (item means) is PLS-SEM's handling")])
def test_a_missing_data_method_the_engine_does_not_have_is_refused(tmp_path, method, missing, says):
    """FIML for PLS-SEM alone, or item means for CB-SEM alone, was silently replaced by what the
    engine does; it is refused in one line, with the choices the engine has."""
    result = runner.invoke(app, ["analyze", str(bundled_path("questionnaires", "crm_loyalty.yaml")),
                                 str(bundled_path("questionnaires", "crm_loyalty_example.csv")),
                                 "--out", str(tmp_path / "out"), "--method", method, "--missing", missing])
    assert result.exit_code == 2 and says in result.output and "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1 and not (tmp_path / "out").exists()


@pytest.mark.parametrize("args, status, first", [
    (["validate", "QUESTIONNAIRE"], 0, "QUESTIONNAIRE: valid: 6 constructs"),
    (["validate", "no-such-file.yaml"], 2, "loyaltysurvey: no-such-file.yaml: file not found"),
    (["analyze", "--bootstrap", "abc", "q.yaml", "d.csv"], 2, "loyaltysurvey: Invalid value for '--bootstrap'"),
])
def test_the_command_as_a_process_exits_with_its_status_and_all_its_output(args, status, first):
    """Run as a program (``main()`` with no arguments), the command ends its process without
    Python's teardown (cli._end): its status and every line it printed, to a pipe, still arrive."""
    import subprocess
    import sys
    questionnaire = str(bundled_path("questionnaires", "crm_loyalty.yaml"))
    args = [questionnaire if a == "QUESTIONNAIRE" else a for a in args]
    done = subprocess.run([sys.executable, "-m", "loyaltysurvey.cli", *args], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == status, done.stderr
    lines = (done.stdout + done.stderr).strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(first.replace("QUESTIONNAIRE", questionnaire)), lines
