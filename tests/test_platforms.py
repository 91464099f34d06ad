"""Survey-platform exports: detection, header rows, grids, answer codes, metadata, one normalisation.

Every fixture is the bundled example (questionnaires/crm_loyalty_example.csv) written in one
platform's export layout by tests/platform_fixtures.py, so the ledger's counts are known: they
are those of the example read as a plain table (425 rows, 420 respondents, 5 exact duplicates),
except where the platform has no response id (rows are named, so duplicates are kept) or writes
the answers otherwise (codes, SPSS numbers, Persian labels). The bundled questionnaire is used
unchanged throughout.
"""

from __future__ import annotations

import math
import sys
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from platform_fixtures import EXAMPLE, FIXTURES, write_fixture  # noqa: E402

from loyaltysurvey.errors import DataError  # noqa: E402
from loyaltysurvey.ingest import adapt_table, ingest, read_table  # noqa: E402
from loyaltysurvey.ingest.cells import AnswerReader  # noqa: E402
from loyaltysurvey.ingest.metadata import jalali_to_gregorian, parse_timestamp  # noqa: E402
from loyaltysurvey.ingest.platforms import check_platform, detect_platform  # noqa: E402
from loyaltysurvey.questionnaire import load_questionnaire  # noqa: E402
from loyaltysurvey.text import match_key, question_key  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
QUESTIONNAIRE = ROOT / "questionnaires" / "crm_loyalty.yaml"


@pytest.fixture(scope="module")
def q():
    return load_questionnaire(QUESTIONNAIRE)


@pytest.fixture(scope="module")
def exports(tmp_path_factory):
    folder = tmp_path_factory.mktemp("exports")
    return {name: write_fixture(name, folder) for name in FIXTURES}


@pytest.fixture(scope="module")
def base(q):
    """The example read as a plain table, with its ids and with rows named row1, row2 ..."""
    frame = pd.read_csv(EXAMPLE, dtype=str, keep_default_na=False, encoding="utf-8-sig").replace("", None)
    named = frame.copy()
    named["respondent_id"] = [f"row{k}" for k in range(1, len(frame) + 1)]
    return {"example": ingest(q, frame), "rows": ingest(q, named)}


def _integer_only(frame: pd.DataFrame) -> np.ndarray:
    """The answers a platform that stores scale points can hold: whole points (3.5 is no point)."""
    values = frame.to_numpy(dtype=float)
    return np.where(np.isnan(values) | (values != np.round(values)), np.nan, values)


@pytest.mark.parametrize("name", FIXTURES)
def test_each_platform_export_ingests_with_the_bundled_questionnaire(name, q, exports, base):
    fx = exports[name]
    result = ingest(q, fx.path)
    led = result.ledger
    expected = base["rows" if fx.ids == "rows" else "example"]
    exp = expected.ledger
    assert led.platform == {"name": fx.platform, "how": "detected", "header_rows": fx.header_rows}
    assert led.input_rows == 425  # the platform's extra header rows are not respondents
    assert led.respondents == exp.respondents
    assert [(e["row"], e["reason"]) for e in led.excluded] == [(e["row"], e["reason"]) for e in exp.excluded]
    assert led.respondent_id["from"] == ("generated" if fx.platform == "google_forms" else "platform")
    assert led.respondent_id["column"] == fx.metadata.get("id")
    got = result.responses.to_numpy(dtype=float)
    if fx.verbatim:  # cell for cell: every count of the ledger is the example's
        np.testing.assert_array_equal(got, expected.responses.to_numpy(dtype=float))
        assert led.recoded_cells == exp.recoded_cells
        assert result.demographics.to_numpy().tolist() == expected.demographics.to_numpy().tolist()
    else:  # whole scale points only, each counted once under what changed it
        np.testing.assert_array_equal(got, _integer_only(expected.responses))
        n_answers = int(np.sum(~np.isnan(got)))
        kind = {"limesurvey_codes": "answer_codes", "google_forms_fa": "text_labels"}.get(name)
        if kind:
            assert led.recoded_cells[kind] == n_answers
            assert sum(v for k, v in led.recoded_cells.items() if k not in (kind, "demographic_labels")) == 0
    assert led.metadata_columns == fx.metadata
    assert led.to_json()["metadata_columns"] == fx.metadata
    assert list(result.metadata.index) == list(result.responses.index)
    for role in {r for v in fx.values for r in v}:
        wanted = [fx.values[row - 1][role] for row in result.rows]
        column = result.metadata[role]
        if role in ("start", "end"):
            assert [pd.Timestamp(w) for w in wanted] == list(column), role
        elif role in ("finished", "preview"):
            assert [bool(w) for w in wanted] == [bool(v) for v in column], role
        else:
            np.testing.assert_array_equal(np.array(wanted, dtype=float), column.to_numpy(dtype=float))


def test_qualtrics_preview_and_unfinished_counts_equal_what_the_fixture_holds(q, exports):
    fx = exports["qualtrics"]
    result = ingest(q, fx.path)
    meta = result.metadata
    wanted = [fx.values[row - 1] for row in result.rows]
    assert int(meta["preview"].sum()) == sum(v["preview"] for v in wanted) > 0
    assert int((~meta["finished"]).sum()) == sum(not v["finished"] for v in wanted) > 0
    assert str(meta["duration"].dtype) == "float64" and str(meta["finished"].dtype) == "boolean"


def test_limesurvey_submitdate_marks_the_incomplete_responses(q, exports):
    fx = exports["limesurvey_answers"]
    result = ingest(q, fx.path)
    wanted = [not fx.values[row - 1]["finished"] for row in result.rows]
    assert int((~result.metadata["finished"]).sum()) == sum(wanted) > 0


def test_platform_given_overrides_detection_and_unknown_names_are_refused(q, exports):
    result = ingest(q, exports["typeform"].path, platform="typeform")
    assert result.ledger.platform == {"name": "typeform", "how": "given", "header_rows": 1}
    with pytest.raises(DataError, match="google_forms, microsoft_forms, qualtrics"):
        ingest(q, exports["typeform"].path, platform="formstack")
    # read as a plain table, the Qualtrics header rows are respondents and the questionnaire's id is missing
    with pytest.raises(DataError, match="no respondent id column 'respondent_id'"):
        ingest(q, exports["qualtrics"].path, platform="none")
    assert check_platform("Kobo") == "kobotoolbox"


def test_the_questionnaire_names_metadata_columns_itself(q, exports, tmp_path):
    text = QUESTIONNAIRE.read_text(encoding="utf-8") + '\nmetadata:\n  duration: "Network ID"\n'
    path = tmp_path / "q.yaml"
    path.write_text(text, encoding="utf-8")
    q2 = load_questionnaire(path)
    assert dict(q2.metadata) == {"duration": "Network ID"}
    result = ingest(q2, exports["typeform"].path)
    assert result.ledger.metadata_columns["duration"] == "Network ID"  # wins over end - start
    assert result.metadata["duration"].isna().all()  # 'net12' is no number of seconds: missing, never guessed
    bad = tmp_path / "bad.yaml"
    bad.write_text(QUESTIONNAIRE.read_text(encoding="utf-8") + "\nmetadata:\n  speed: x\n", encoding="utf-8")
    with pytest.raises(Exception, match="metadata role 'speed'"):
        load_questionnaire(bad)


def test_detection_from_headers_alone():
    from loyaltysurvey.ingest.readers import RawTable
    cases = {
        "google_forms": ["Timestamp", "Age"],
        "microsoft_forms": ["ID", "Start time", "Completion time", "Email", "Name", "Q"],
        "surveymonkey": ["Respondent ID", "Collector ID", "Start Date", "Q"],
        "limesurvey": ["id", "submitdate", "lastpage", "startlanguage", "Q"],
        "kobotoolbox": ["start", "end", "Q", "_id", "_uuid", "_submission_time"],
        "typeform": ["#", "Q", "Start Date (UTC)", "Submit Date (UTC)", "Network ID"],
        "porsline": ["ردیف", "سن:", "تاریخ پاسخ"],
    }
    for platform, headers in cases.items():
        table = RawTable.from_rows("x", headers, [["1"] * len(headers)])
        assert detect_platform(table) == platform, platform
    plain = RawTable.from_rows("x", ["respondent_id", "KCF1"], [["a", "3"]])
    assert detect_platform(plain) is None and adapt_table(plain).platform is None


def test_qualtrics_header_rows_become_labels_and_grids(exports):
    table = adapt_table(read_table(exports["qualtrics_legacy"].path))
    assert table.n_rows == 425 and table.headers[0] == "ResponseID"
    assert table.labels["Q5_1"] == "This company deals with me as a customer with needs of my own."
    assert table.groups["Q5_1"] == "Key customer focus"
    monkey = adapt_table(read_table(exports["surveymonkey"].path))
    assert monkey.n_rows == 425 and "Gender" in monkey.headers
    header = next(h for h in monkey.headers if h.startswith("Key customer focus"))
    assert monkey.groups[header] == "Key customer focus: how far do you agree?"


@pytest.mark.parametrize("name, drop", [("qualtrics", [1, 2]), ("surveymonkey", [1])])
def test_an_export_saved_with_one_header_row_is_read_too(name, drop, q, exports, tmp_path):
    """The extra header rows deleted by hand (as users do before opening the file elsewhere)."""
    lines = exports[name].path.read_text(encoding="utf-8-sig").splitlines(keepends=True)
    path = tmp_path / f"{name}.csv"
    path.write_text("".join(line for k, line in enumerate(lines) if k not in drop), encoding="utf-8")
    if name == "surveymonkey":  # without the second row the matrix rows have no header of their own
        with pytest.raises(DataError, match="no column for item"):
            ingest(q, path)
        return
    result = ingest(q, path)
    assert result.ledger.platform["header_rows"] == 1
    assert result.ledger.input_rows == 425 and result.ledger.respondents == 420


def test_jalali_round_trip_and_timestamps():
    from loyaltysurvey.report.locale import jalali_date
    day = date(1990, 1, 1)
    while day < date(2040, 1, 1):  # every day of fifty years: the inverse of report.locale.jalali_date
        assert jalali_to_gregorian(*jalali_date(day)) == day
        day += timedelta(days=1)
    assert parse_timestamp("۱۴۰۳/۰۱/۰۱ ۱۰:۳۰") == pd.Timestamp("2024-03-20 10:30")
    assert parse_timestamp("2024/03/20 2:00:00 PM GMT+3:30") == pd.Timestamp("2024-03-20 10:30")
    assert parse_timestamp("not a date") is None


# --------------------------------------------------------------------------- one normalisation

@pytest.mark.parametrize("typed, canonical", [
    ("كاملاً موافقم", "کاملاً موافقم"),            # Arabic kaf
    ("كاملا\u00a0موافقم", "کاملاً موافقم"),        # no tanween, no-break space
    ("کاملا\u200cموافقم", "کاملاً موافقم"),        # ZWNJ for the space
    ("ﻛﺎﻣﻼ ﻣﻮاﻓﻘﻢ", "کاملاً موافقم"),             # presentation forms (NFKC)
    ("كاملأ موافقم", "کاملاً موافقم"),             # alef with hamza for tanween's alef
    ("نظري ندارم", "نظری ندارم"),                  # Arabic yeh
    ("سن شما چیست؟", "سن شما چیست"),               # Persian question mark
])
def test_labels_and_headers_are_normalised_the_same_on_both_sides(typed, canonical):
    assert match_key(typed) == match_key(canonical)
    # a label typed one way is read on a scale whose labels are written the other way, and back
    assert AnswerReader(1, 2, {match_key(canonical): 2}, ()).read(typed).value == 2
    assert AnswerReader(1, 2, {match_key(typed): 2}, ()).read(canonical).value == 2


@pytest.mark.parametrize("numbered", ["س۲- سن", "۲. سن", "Q7. سن", "سوال ۳: سن", "(12) سن", "12) سن", "سن"])
def test_question_numbers_in_any_script_are_ignored(numbered):
    assert question_key(numbered) == "سن"


def test_numbered_persian_headers_match_unnumbered_questionnaire_texts(q):
    from loyaltysurvey.ingest.columns import match_columns
    from loyaltysurvey.ingest.readers import RawTable
    item = q.items[1]
    typed = "س۲- " + item.text.get("fa").replace("ی", "ي").replace("ک", "ك").replace(" ", "\u00a0") + ":"
    headers = ["respondent_id", typed] + [i.id for i in q.items if i.id != item.id]
    table = RawTable.from_rows("x", headers, [["r1"] + ["3"] * (len(headers) - 1)])
    cmap = match_columns(q, table)
    assert cmap.items[item.id] == 1 and cmap.matched_by[item.id] == "text"
    # a demographic named with an Arabic-keyboard header and a number is found too
    demo = q.demographics[0]
    table = RawTable.from_rows("x", headers + ["۱. " + demo.name.get("fa").replace("ی", "ي")],
                               [["r1"] + ["3"] * (len(headers) - 1) + ["1"]])
    assert match_columns(q, table).demographics[demo.id] == len(headers)


# --------------------------------------------------------------------------- new --from-export

@pytest.mark.parametrize("name", FIXTURES)
def test_a_questionnaire_drafted_from_each_export_validates_and_analyses(name, exports, tmp_path):
    import loyaltysurvey
    from loyaltysurvey.questionnaire.draft import draft_from_export
    fx = exports[name]
    path = tmp_path / "drafted.yaml"
    path.write_text(draft_from_export(fx.path), encoding="utf-8")
    q = load_questionnaire(path)
    assert len(q.items) == 25  # one item per question column, nothing else
    assert (q.scale.min, q.scale.max) == (1, 5)
    assert len(q.demographics) == 4
    if fx.platform == "limesurvey" or name == "qualtrics":  # the platform's codes give the items and constructs
        assert [c.id for c in q.constructs] == ["KCF", "CRMO", "KM", "TECH", "SAT", "LOY"]
        assert q.items[0].id == "KCF1"
    elif name in ("typeform", "porsline"):  # no grid and no codes: one construct for the user to split
        assert len(q.constructs) == 1
    else:  # the grid titles
        assert [len(c.items) for c in q.constructs] == [5, 4, 4, 4, 4, 4]
    expected_lang = "fa" if name in ("google_forms_fa", "porsline") else "en"
    assert q.language == expected_lang
    study = loyaltysurvey.analyze(q, fx.path, bootstrap=0)
    led = study.ingest.ledger
    assert led.input_rows == 425
    assert led.respondents == (425 if fx.ids == "rows" else 420)
    assert study.cfa is not None and study.cfa.nobs > 300


def test_draft_reads_the_persian_scale_labels_as_the_export_writes_them(exports, tmp_path):
    from loyaltysurvey.questionnaire.draft import draft_from_export
    path = tmp_path / "drafted.yaml"
    path.write_text(draft_from_export(exports["google_forms_fa"].path), encoding="utf-8")
    q = load_questionnaire(path)
    assert q.scale.labels["fa"][4] == "كاملا\u00a0موافقم"  # as typed on the form: Arabic kaf, no tanween, NBSP
    assert list(q.scale.labels["en"]) == ["Strongly disagree", "Disagree", "Neutral", "Agree", "Strongly agree"]


def test_cli_new_from_export_and_platform_option(exports, tmp_path):
    from typer.testing import CliRunner
    from loyaltysurvey.cli import app
    runner = CliRunner()
    out = tmp_path / "q.yaml"
    result = runner.invoke(app, ["new", "--from-export", str(exports["qualtrics"].path), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert load_questionnaire(out).respondent_id == "ResponseId"
    again = runner.invoke(app, ["new", "--from-export", str(exports["qualtrics"].path), "--out", str(out)])
    assert again.exit_code == 2 and "exists" in again.output and "--force" in again.output
    bad = runner.invoke(app, ["ingest", str(QUESTIONNAIRE), str(exports["typeform"].path), "--out",
                              str(tmp_path / "o"), "--platform", "formstack"])
    assert bad.exit_code == 2
    assert bad.output.count("\n") == 1 and "typeform, porsline" in bad.output
    ok = runner.invoke(app, ["ingest", str(QUESTIONNAIRE), str(exports["typeform"].path), "--out",
                             str(tmp_path / "o"), "--platform", "typeform"])
    assert ok.exit_code == 0, ok.output
    assert "read as a typeform export (given); respondent ids from its column '#'" in ok.output
    import json
    ledger = json.loads((tmp_path / "o" / "ingest.json").read_text(encoding="utf-8"))
    assert ledger["platform"] == {"name": "typeform", "how": "given", "header_rows": 1}
    assert ledger["respondent_id"] == {"column": "#", "from": "platform"}


def test_multiselect_answers_are_split_into_a_multiple_demographic_of_the_draft(exports, tmp_path):
    from loyaltysurvey.questionnaire.draft import draft_from_export
    frame = pd.read_csv(exports["google_forms"].path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    options = ["SMS", "App", "Web"]
    frame.insert(2, "Which channels do you use?", [", ".join(options[: 1 + k % 3]) for k in range(len(frame))])
    path = tmp_path / "checkbox.csv"
    frame.to_csv(path, index=False, encoding="utf-8-sig")
    text = draft_from_export(path)
    assert "Multi-select, not analysed" not in text
    (tmp_path / "q.yaml").write_text(text, encoding="utf-8")
    q = load_questionnaire(tmp_path / "q.yaml")
    assert len(q.items) == 25 and len(q.demographics) == 5
    channels = q.demographics[-1]
    assert (channels.multiple, channels.column, channels.separator) == (True, "Which channels do you use?", None)
    assert {code: label.get("en") for code, label in channels.values.items()} == {"1": "App", "2": "SMS", "3": "Web"}


def test_typeform_response_type_and_a_dataframe_with_a_given_platform(q, exports):
    frame = pd.read_csv(exports["typeform"].path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    frame["Response Type"] = ["partial" if k % 9 == 4 else "completed" for k in range(len(frame))]
    result = ingest(q, frame.replace("", None), platform="typeform")
    assert result.ledger.platform == {"name": "typeform", "how": "given", "header_rows": 1}
    assert result.ledger.metadata_columns["finished"] == "Response Type"
    wanted = [k % 9 != 4 for k in (row - 1 for row in result.rows)]
    assert result.metadata["finished"].tolist() == wanted
    assert result.metadata["status"].tolist() == ["completed" if w else "partial" for w in wanted]
