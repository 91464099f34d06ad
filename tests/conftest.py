"""Shared fixtures: the public reference datasets and the bundled example."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pytest

# The figures of every chapter the tests write are drawn in the test process (a command-line run
# draws them in worker processes: tests/test_painting.py checks that both give the same files).
os.environ.setdefault("LOYALTYSURVEY_CHAPTER_WORKERS", "0")

ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = ROOT.parent / "shared" / "data"
REFERENCE = Path(__file__).resolve().parent / "reference"

#: seminr's mobi model (the ECSI model of its README): constructs, indicators and paths.
MOBI = {"Image": ["IMAG1", "IMAG2", "IMAG3", "IMAG4", "IMAG5"], "Expectation": ["CUEX1", "CUEX2", "CUEX3"],
        "Quality": [f"PERQ{i}" for i in range(1, 8)], "Value": ["PERV1", "PERV2"],
        "Satisfaction": ["CUSA1", "CUSA2", "CUSA3"], "Complaints": ["CUSCO"], "Loyalty": ["CUSL1", "CUSL2", "CUSL3"]}
MOBI_PATHS = (("Image", "Expectation"), ("Image", "Satisfaction"), ("Image", "Loyalty"),
              ("Expectation", "Quality"), ("Expectation", "Value"), ("Expectation", "Satisfaction"),
              ("Quality", "Value"), ("Quality", "Satisfaction"), ("Value", "Satisfaction"),
              ("Satisfaction", "Complaints"), ("Satisfaction", "Loyalty"), ("Complaints", "Loyalty"))

#: lavaan's PoliticalDemocracy example with equality labels, residual covariances and ind := a*b.
POLDEM = """
ind60 =~ x1 + x2 + x3
dem60 =~ y1 + a1*y2 + b1*y3 + c1*y4
dem65 =~ y5 + a1*y6 + b1*y7 + c1*y8
dem60 ~ a*ind60
dem65 ~ ind60 + b*dem60
y1 ~~ y5; y2 ~~ y4 + y6; y3 ~~ y7; y4 ~~ y8; y6 ~~ y8
ind := a*b
"""


@pytest.fixture
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.skip("../shared/data is not present beside the project (CI always has it)")
    return SHARED_DATA


@pytest.fixture(scope="session")
def crm_questionnaire():
    from loyaltysurvey.resources import bundled_path
    from loyaltysurvey.questionnaire import load_questionnaire
    return load_questionnaire(bundled_path("questionnaires", "crm_loyalty.yaml"))


#: The day every test report is dated (the Jalali date in Persian: 1405/09/02).
REPORT_DAY = date(2026, 11, 23)


@pytest.fixture(scope="session")
def demo_chapters(tmp_path_factory):
    """The bundled example analysed once (200 resamples, the default seed) and written as the
    Persian and the English chapter: ``{lang: (folder, Report)}``.

    The software versions are pinned in the reports so that their text does not change with
    the Python that runs the tests.
    """
    import dataclasses

    from loyaltysurvey.report import build_report, render_docx, render_html, render_xlsx
    from loyaltysurvey.resources import bundled_path
    from loyaltysurvey.workflow import run_analyze

    base = tmp_path_factory.mktemp("chapters")
    results = run_analyze(bundled_path("questionnaires", "crm_loyalty.yaml"),
                          bundled_path("questionnaires", "crm_loyalty_example.csv"), base / "run",
                          bootstrap=200, today=REPORT_DAY)
    results = dataclasses.replace(results.results, software={**results.results.software, "python": "3.11.7"})
    chapters = {}
    for lang in ("fa", "en"):
        out = base / lang
        out.mkdir()
        report = build_report(results, lang, REPORT_DAY)
        (out / "report.html").write_text(render_html(report), encoding="utf-8")
        (out / "report.docx").write_bytes(render_docx(report))
        (out / "tables.xlsx").write_bytes(render_xlsx(report))
        chapters[lang] = (out, report)
    return chapters


SCRIPT = "<script>alert('x')</script>"
IMG = '<img src=x onerror="alert(1)">'
FORMULA = '=HYPERLINK("http://example.invalid","click")'


def write_hostile_inputs(tmp_path):
    """A questionnaire and an export whose texts are markup and spreadsheet formulas."""
    import pandas as pd
    import yaml

    spec = {
        "id": "hostile", "title": {"en": f"Survey {SCRIPT}", "fa": f"پرسشنامه {IMG}"}, "language": "en",
        "scale": {"min": 1, "max": 5}, "respondent_id": "rid",
        "constructs": [{"id": "A", "name": IMG, "items": [{"id": "A1", "text": SCRIPT}, {"id": "A2", "text": FORMULA},
                                                           {"id": "A3", "text": "+cmd|' /C calc'!A0"}]}],
        "demographics": [{"id": "city", "name": "City"}],
    }
    q = tmp_path / "q.yaml"
    q.write_text(yaml.safe_dump(spec, allow_unicode=True), encoding="utf-8")
    rows = [[f"R{i}", FORMULA if i % 2 else SCRIPT, 1 + i % 5, 1 + (i + 1) % 5, 1 + (i * 2) % 5] for i in range(12)]
    data = tmp_path / "d.csv"
    pd.DataFrame(rows, columns=["rid", "city", "A1", "A2", "A3"]).to_csv(data, index=False)
    return q, data


def cited_works(text: str) -> set[tuple[str, str]]:
    """(first author, year) of every citation in a chapter's text: parenthetical ("(Kock, 2015; Hair
    et al., 2019)", Persian semicolons too) and narrative ("Kock's (2015)", "Zhao, Lynch & Chen (2010)")."""
    import re

    cited = set()
    for group in re.findall(r"\(([^()]*\d{4}[^()]*)\)", text):
        for part in re.split(r"[;؛]", group):
            m = re.match(r"\s*([A-Z][^\s,.']+).*?\b((?:19|20)\d{2})[a-z]?\s*$", part)
            if m:
                cited.add((m[1], m[2]))
    narrative = r"\b([A-Z][a-zö]+)(?:'s|(?:,? (?:[A-Z][a-zö]+|et al\.))*(?:,? (?:&|and) [A-Z][a-zö]+)?) \(((?:19|20)\d{2})\)"
    cited |= {(m[1], m[2]) for m in re.finditer(narrative, text)}
    return cited
