"""Hostile text stays text: escaped in HTML, literal in Word, neutralised in Excel and CSV."""

from __future__ import annotations

import re
import zipfile

import openpyxl
import pandas as pd
import yaml

from loyaltysurvey.safety import neutralize
from loyaltysurvey.workflow import run_analyze

SCRIPT = "<script>alert('x')</script>"
IMG = '<img src=x onerror="alert(1)">'
FORMULA = '=HYPERLINK("http://example.invalid","click")'


def _hostile(tmp_path):
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
        assert neutralize(prefix + "1") == "'" + prefix + "1"
