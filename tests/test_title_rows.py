"""An Excel export with a title above its header (a report heading, then a blank row).

The header is the first row of several cells; the rows above it are skipped and said to be
skipped (notice ``title_rows``, the terminal, the chapter), and the respondents read are those of
the same export without the title. Data: the bundled example export.
"""

from __future__ import annotations

import openpyxl
import pandas as pd
import pytest
from typer.testing import CliRunner

from loyaltysurvey.cli import app
from loyaltysurvey.ingest import ingest, read_table
from loyaltysurvey.questionnaire import load_questionnaire
from loyaltysurvey.report.notices import notice_text
from loyaltysurvey.report.locale import load_locale
from loyaltysurvey.resources import bundled_path

QUESTIONNAIRE = bundled_path("questionnaires", "crm_loyalty.yaml")
DATA = bundled_path("questionnaires", "crm_loyalty_example.csv")


def _workbook(path, title_rows):
    frame = pd.read_csv(DATA, dtype=str, keep_default_na=False)
    wb = openpyxl.Workbook()
    ws = wb.active
    for row in title_rows:
        ws.append(row)
    ws.append(list(frame.columns))
    for values in frame.itertuples(index=False):
        ws.append([v if v != "" else None for v in values])
    wb.save(path)
    return path


def test_title_rows_are_skipped_and_said(tmp_path):
    titled = _workbook(tmp_path / "titled.xlsx", [["CRM survey: export of 30 November 2026"], []])
    plain = _workbook(tmp_path / "plain.xlsx", [])
    assert read_table(titled).header_rows == 3 and read_table(plain).header_rows == 1
    q = load_questionnaire(QUESTIONNAIRE)
    a, b = ingest(q, titled), ingest(q, plain)
    pd.testing.assert_frame_equal(a.responses, b.responses)
    assert a.ledger.excluded == b.ledger.excluded  # rows counted from the header, as without the title
    notice = next(w for w in a.ledger.warnings if w.code == "title_rows")
    assert dict(notice.params) == {"n": 2, "header_row": 3, "title": "CRM survey: export of 30 November 2026"}
    assert "('CRM survey: export of 30 November 2026')" in notice.message  # what was skipped, in the ledger
    assert not any(w.code == "title_rows" for w in b.ledger.warnings)
    for lang, said in (("en", "The first 2 rows of the sheet, above its header (row 3)"),
                       ("fa", "ردیف نخست برگه، بالای ردیف سرستون‌ها (ردیف ۳)")):
        assert said in notice_text(notice, load_locale(lang), {}), lang
    result = CliRunner().invoke(app, ["ingest", str(QUESTIONNAIRE), str(titled), "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert "The first 2 rows of the sheet, above its header (row 3), were skipped as a title ('CRM survey" in result.output


@pytest.mark.parametrize("rows, header", [
    ([["id", "Q1"], ["r1", 4]], 1),                 # a header in the first row
    ([["only"], ["one"], ["column"]], 1),           # one column: nothing to tell a title from
])
def test_sheets_without_a_title_are_read_from_their_first_row(tmp_path, rows, header):
    wb = openpyxl.Workbook()
    for row in rows:
        wb.active.append(row)
    wb.save(tmp_path / "t.xlsx")
    assert read_table(tmp_path / "t.xlsx").header_rows == header


@pytest.mark.parametrize("first_line, encoding", [("sep=;", "utf-8"), ('"sep=;"', "utf-8"), ("SEP=;", "utf-8-sig"),
                                                  ("sep=;", "cp1256")])
def test_excel_delimiter_hint_line(tmp_path, first_line, encoding):
    """A CSV saved for Excel may open with ``sep=;``: that line names the delimiter, the header follows."""
    frame = pd.read_csv(DATA, dtype=str, keep_default_na=False)
    if encoding == "cp1256":  # the Windows Persian code page cannot hold every character of the example
        frame = frame.map(lambda v: v.encode("cp1256", "replace").decode("cp1256"))
    body = frame.to_csv(sep=";", index=False, lineterminator="\r\n")
    (tmp_path / "hint.csv").write_bytes((first_line + "\r\n" + body).encode(encoding))
    (tmp_path / "plain.csv").write_bytes(body.encode(encoding))
    hinted, plain = read_table(tmp_path / "hint.csv"), read_table(tmp_path / "plain.csv")
    assert hinted.headers == plain.headers and hinted.header_rows == 2 and plain.header_rows == 1
    assert hinted.rows == plain.rows


def test_rows_under_a_delimiter_hint_are_numbered_from_the_header(tmp_path):
    (tmp_path / "bad.csv").write_text("sep=,\nid,KCF1\nr1,3\nr2,4,5,6\n", encoding="utf-8")
    from loyaltysurvey.errors import DataError
    with pytest.raises(DataError, match="row 2: has 4 cells but the header has 2"):
        read_table(tmp_path / "bad.csv")
