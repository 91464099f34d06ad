"""Issue 17's whole path, as a new user takes it before any data exist:
``new --from-library`` → ``form`` → simulated answers → ``analyze``, all through the command line."""

from __future__ import annotations

import json
import zipfile

from typer.testing import CliRunner

from loyaltysurvey.cli import app
from loyaltysurvey.library import simulate_responses
from loyaltysurvey.questionnaire import load_questionnaire

runner = CliRunner()


def test_new_form_simulate_analyze(tmp_path):
    q_path = tmp_path / "study.yaml"
    done = runner.invoke(app, ["new", "--from-library", "crm,satisfaction,loyalty", "--out", str(q_path)])
    assert done.exit_code == 0, done.output
    q = load_questionnaire(q_path)

    done = runner.invoke(app, ["form", str(q_path), "--out", str(tmp_path / "form"), "--lang", "fa"])
    assert done.exit_code == 0, done.output
    written = {p.name for p in (tmp_path / "form").iterdir()}
    assert {"form.html", "form.docx", f"{q.id}.lss", f"{q.id}.qsf"} <= written
    html = (tmp_path / "form" / "form.html").read_text(encoding="utf-8")
    document = zipfile.ZipFile(tmp_path / "form" / "form.docx").read("word/document.xml").decode("utf-8")
    for item in q.items:  # every item is printed, in Persian, in both forms
        assert item.text.get("fa") in html and item.text.get("fa") in document

    data = tmp_path / "answers.csv"
    simulate_responses(q, 300, seed=7).to_csv(data, index=False)
    done = runner.invoke(app, ["analyze", str(q_path), str(data), "--out", str(tmp_path / "out"),
                               "--bootstrap", "0", "--lang", "en"])
    assert done.exit_code == 0, done.output
    results = json.loads((tmp_path / "out" / "results.json").read_text(encoding="utf-8"))
    assert results["ingest"]["respondents"] == 300
    assert {c.id for c in q.constructs} <= set(results["reliability"])
    assert len(results["hypotheses"]) == len(q.hypotheses)
    assert all(h["decision"] in ("supported", "not_supported", "not_tested") for h in results["hypotheses"])
