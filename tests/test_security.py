"""Hostile text stays text: escaped in HTML, literal in Word, neutralised in Excel and CSV."""

from __future__ import annotations

import re
import zipfile

import openpyxl

from loyaltysurvey.safety import neutralize
from loyaltysurvey.workflow import run_analyze

from conftest import FORMULA, write_hostile_inputs as _hostile


def test_html_escapes_questionnaire_and_respondent_text(tmp_path):
    q, data = _hostile(tmp_path)
    out = tmp_path / "out"
    run_analyze(q, data, out)
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "<script" not in html
    images = re.findall(r"<img[^>]*>", html)
    assert images and all(re.fullmatch(r'<img src="data:image/png;base64,[A-Za-z0-9+/=]+" alt="[^"<>]*">', i)
                          for i in images)
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;" in html
    assert "onerror=\"" not in html


def test_word_keeps_hostile_text_literal(tmp_path):
    q, data = _hostile(tmp_path)
    out = tmp_path / "out"
    run_analyze(q, data, out)
    xml = zipfile.ZipFile(out / "report.docx").read("word/document.xml").decode("utf-8")
    assert "&lt;script&gt;alert('x')&lt;/script&gt;" in xml
    assert "<w:instrText" not in xml and "<w:fldSimple" not in xml  # no field codes, no live hyperlinks


def test_excel_and_csv_neutralise_formulas(tmp_path):
    q, data = _hostile(tmp_path)
    out = tmp_path / "out"
    run_analyze(q, data, out)
    book = openpyxl.load_workbook(out / "tables.xlsx")
    texts = [c.value for ws in book.worksheets for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert texts, "the workbook has text cells"
    assert not [t for t in texts if t.startswith(("=", "+", "-", "@"))]
    assert "'" + FORMULA in texts
    assert not [c for ws in book.worksheets for row in ws.iter_rows() for c in row if c.data_type == "f"]
    clean = (out / "clean.csv").read_text(encoding="utf-8")
    assert "'" + FORMULA.replace('"', '""') in clean
    assert "\n=" not in clean and ",=" not in clean


def test_neutralize_leaves_numbers_and_plain_text():
    assert neutralize(-3) == -3 and neutralize(2.5) == 2.5
    assert neutralize("Agree") == "Agree"
    for prefix in "=+-@":
        assert neutralize(prefix + "A1") == "'" + prefix + "A1"
        assert neutralize(prefix + "1+1") == "'" + prefix + "1+1"
    assert neutralize("=1") == "'=1" and neutralize("+7") == "'+7"  # +7 would show as 7
    # a negative number is read as that number, never as a formula (issue 11: '-9 in clean.csv)
    assert neutralize("-9") == "-9" and neutralize("-1.5e3") == "-1.5e3" and neutralize("-") == "'-"


def test_negative_demographic_code_reaches_clean_csv_as_written(tmp_path):
    """Issue 11: a demographic code -9 was written to clean.csv as '-9; a signed number is no formula."""
    import csv

    from loyaltysurvey.datasets import crm_export
    from loyaltysurvey.resources import bundled_path
    from loyaltysurvey.workflow import run_ingest

    frame = crm_export()
    frame.loc[frame.index[:3], "gender"] = "-9"
    frame.loc[frame.index[3], "gender"] = "-9+cmd|' /C calc'!A0"
    data = tmp_path / "answers.csv"
    frame.to_csv(data, index=False)
    run_ingest(bundled_path("questionnaires", "crm_loyalty.yaml"), data, tmp_path / "out")
    with open(tmp_path / "out" / "clean.csv", encoding="utf-8-sig", newline="") as f:
        genders = [row["gender"] for row in csv.DictReader(f)]
    assert genders[:3] == ["-9", "-9", "-9"]
    assert genders[3] == "'-9+cmd|' /C calc'!A0"
