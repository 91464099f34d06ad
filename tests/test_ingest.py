"""Ingestion: every row and every changed cell accounted for, on a messy fixture written here."""

from __future__ import annotations

import json
import math

import pandas as pd
import pytest

from loyaltysurvey.ingest import ingest, read_table
from loyaltysurvey.questionnaire import QuestionnaireBuilder
from loyaltysurvey.workflow import run_ingest

LABELS = {"fa": ["کاملاً مخالفم", "مخالفم", "نظری ندارم", "موافقم", "کاملاً موافقم"],
          "en": ["Strongly disagree", "Disagree", "Neutral", "Agree", "Strongly agree"]}


def questionnaire():
    return (QuestionnaireBuilder("messy", scale=(1, 5), labels=LABELS, missing_codes=[-99, 99],
                                 respondent_id="rid")
            .construct("A", "A", [("A1", "Service was quick"), ("A2", "Staff were polite", True),
                                  ("A3", "I waited long", False, "Q3. Waiting time")])
            .construct("B", "B", [("B1", {"fa": "به دیگران توصیه می‌کنم", "en": "I recommend it"}),
                                  "B2", "B3"])
            .demographic("gender", {"fa": "جنسیت", "en": "Gender"},
                         values={1: {"fa": "مرد", "en": "Male"}, 2: {"fa": "زن", "en": "Female"}})
            .build())


# rid, gender, A1, A2, "Q3. Waiting time", "I recommend it" (B1 by its text), B2, B3, extra column
HEADER = ["rid", "gender", "A1", "A2", "Q3. Waiting time", "I recommend it", "B2", "B3", "note"]
ROWS = [
    ["R1", "1", "4", "2", "3", "5", "4", "4", ""],                      # row 1: clean
    ["R2", "زن", "۴", "٢", "موافقم", "Strongly agree", "-99", "", "x"],  # row 2: fa digit, ar digit, 2 labels, code
    ["R3", "2", "55", "3", "3", "2", "3", "3", ""],                     # row 3: out of range
    ["R1", "1", "4", "2", "3", "5", "4", "4", ""],                      # row 4: exact duplicate of row 1
    ["", "", "", "", "", "", "", "", ""],                               # row 5: empty row
    ["R5", "1", "99", "-99", "", "NA", "", "", "nothing"],             # row 6: no item answered
    ["R6", "2", "4", "4", "4", "4", "4", "4", ""],                      # row 7: straight-liner
    ["R7", "1", "3", "bogus", "۲", "2", "3", "4", "=cmd()"],            # row 8: unreadable + fa digit
    ["R3", "2", "1", "3", "3", "3", "3", "3", ""],                      # row 9: same id, other answers
]


@pytest.fixture
def messy_csv(tmp_path):
    path = tmp_path / "messy.csv"
    pd.DataFrame(ROWS, columns=HEADER).to_csv(path, index=False, encoding="utf-8-sig")
    return path


def test_ledger_accounts_for_every_row_and_cell(messy_csv):
    result = ingest(questionnaire(), messy_csv)
    led = result.ledger
    assert led.input_rows == 9
    assert led.respondents == 6
    assert led.input_rows == led.respondents + len(led.excluded)
    assert [(e["row"], e["respondent_id"], e["reason"]) for e in led.excluded] == [
        (4, "R1", "duplicate"), (5, None, "empty row"), (6, "R5", "no item answered")]
    assert led.excluded[0]["duplicate_of_row"] == 1
    assert led.duplicate_rows == 1 and led.duplicate_ids == ("R1",)
    # Kept rows only: R2 has a Persian and an Arabic digit, two labels, one code; R7 a Persian digit.
    assert led.recoded_cells == {"persian_digits": 2, "arabic_digits": 1, "text_labels": 2,
                                 "missing_codes": 1, "na_tokens": 0, "demographic_labels": 1}
    assert led.out_of_range == ({"respondent_id": "R3", "item": "A1", "value": "55", "row": 3},)
    assert led.unreadable == ({"respondent_id": "R7", "item": "A2", "value": "bogus", "row": 8},)
    assert led.straightliners == ("R6",)
    assert led.conflicting_ids == ("R3",)
    assert led.columns == {"A1": "A1", "A2": "A2", "A3": "Q3. Waiting time", "B1": "I recommend it",
                           "B2": "B2", "B3": "B3"}
    assert led.matched_by["A3"] == "column" and led.matched_by["B1"] == "text"


def test_a_demographic_missing_code_is_counted_as_a_missing_code_not_a_label():
    # gender: a label, a code, the missing codes -99 and 99 (as an SPSS user-missing "Refused" would be)
    frame = pd.DataFrame({"rid": ["a", "b", "c", "d"], **{i: [1, 2, 3, 4] for i in ("A1", "A2", "B1", "B2", "B3")},
                          "Q3. Waiting time": [1, 2, 3, 4], "gender": ["Male", "2", "-99", 99]})
    result = ingest(questionnaire(), frame)
    assert result.demographics["gender"].tolist() == ["1", "2", None, None]
    assert result.ledger.recoded_cells["demographic_labels"] == 1
    assert result.ledger.recoded_cells["missing_codes"] == 2


def test_clean_values_are_as_answered(messy_csv):
    result = ingest(questionnaire(), messy_csv)
    r = result.responses
    assert list(r.index) == ["R1", "R2", "R3", "R6", "R7", "R3"]
    assert list(r.loc["R2"].values[:4]) == [4.0, 2.0, 4.0, 5.0]     # A2 is reverse-worded but NOT reversed here
    assert math.isnan(r.loc["R2", "B2"]) and math.isnan(r.loc["R2", "B3"])
    assert math.isnan(r.iloc[2]["A1"])                            # 55 -> missing
    assert r.iloc[4]["A3"] == 2.0 and math.isnan(r.iloc[4]["A2"])
    assert list(result.demographics["gender"]) == ["1", "2", "2", "2", "1", "2"]
    assert result.rows == (1, 2, 3, 7, 8, 9)


def test_ingest_command_writes_clean_csv_and_ledger(messy_csv, tmp_path):
    out = tmp_path / "out"
    run_ingest_q = tmp_path / "q.yaml"
    import yaml
    builder_dict = (QuestionnaireBuilder("messy", scale=(1, 5), labels=LABELS, missing_codes=[-99, 99],
                                         respondent_id="rid")
                    .construct("A", "A", [("A1", "x"), ("A2", "y", True), ("A3", "z", False, "Q3. Waiting time")])
                    .construct("B", "B", [("B1", "I recommend it"), "B2", "B3"])
                    .demographic("gender", "Gender", values={1: "Male", 2: {"fa": "زن", "en": "Female"}})
                    .to_dict())
    run_ingest_q.write_text(yaml.safe_dump(builder_dict, allow_unicode=True), encoding="utf-8")
    run_ingest(run_ingest_q, messy_csv, out)
    clean = pd.read_csv(out / "clean.csv", dtype={"rid": str})
    assert list(clean.columns) == ["rid", "A1", "A2", "A3", "B1", "B2", "B3", "gender"]
    assert clean.shape == (6, 8)
    assert clean.loc[1, "A2"] == 2.0
    ledger = json.loads((out / "ingest.json").read_text(encoding="utf-8"))
    for key in ("input_rows", "respondents", "duplicate_rows", "duplicate_ids", "recoded_cells",
                "out_of_range", "straightliners", "excluded"):
        assert key in ledger
    assert ledger["input_rows"] == 9 and ledger["respondents"] == 6


def test_windows_1256_and_semicolons(tmp_path):
    path = tmp_path / "win.csv"
    text = "rid;gender;A1;A2;Q3. Waiting time;I recommend it;B2;B3\r\nR1;زن;موافقم;2;3;4;5;1\r\nR2;1;1;2;3;4;5;1\r\n"
    path.write_bytes(text.encode("cp1256"))
    table = read_table(path)
    assert table.encoding == "cp1256"
    result = ingest(questionnaire(), path)
    assert result.responses.loc["R1", "A1"] == 4.0
    assert list(result.demographics["gender"]) == ["2", "1"]


def test_xlsx_and_sav_read_the_same_answers(tmp_path):
    pyreadstat = pytest.importorskip("pyreadstat")
    frame = pd.DataFrame({"rid": ["R1", "R2", "R3"], "A1": [1.0, 2.0, 5.0], "A2": [3.0, 4.0, 9.0],
                          "A3": [2.0, 2.0, 1.0], "B1": [5.0, 4.0, 4.0], "B2": [1.0, 3.0, 2.0],
                          "B3": [2.0, 2.0, 2.0], "gender": [1.0, 2.0, 2.0]})
    xlsx = tmp_path / "d.xlsx"
    frame.rename(columns={"A3": "Q3. Waiting time", "B1": "I recommend it"}).to_excel(xlsx, index=False)
    sav = tmp_path / "d.sav"
    frame = frame.rename(columns={"A3": "V3"})
    pyreadstat.write_sav(frame, str(sav), column_labels={"B1": "I recommend it", "V3": "Waiting time"},
                         variable_value_labels={"gender": {1.0: "Male", 2.0: "Female"}},
                         missing_ranges={"A2": [9.0]})
    q = (QuestionnaireBuilder("m", scale=(1, 5), respondent_id="rid")
         .construct("A", "A", ["A1", ("A2", "polite", True), ("A3", "Waiting time")])
         .construct("B", "B", [("B1", "I recommend it"), "B2", "B3"])
         .demographic("gender", "Gender").build())
    from_xlsx, from_sav = ingest(q, xlsx), ingest(q, sav)
    pd.testing.assert_frame_equal(from_xlsx.responses, from_sav.responses, check_index_type=False)
    # A2 = 9 is out of range in the xlsx; in the .sav it is a user-missing value (a missing code).
    assert len(from_xlsx.ledger.out_of_range) == 1 and from_xlsx.ledger.recoded_cells["missing_codes"] == 0
    assert len(from_sav.ledger.out_of_range) == 0 and from_sav.ledger.recoded_cells["missing_codes"] == 1
    assert from_sav.ledger.matched_by["A3"] == "text"   # matched through the SPSS variable label
    # the answers stay codes; the SPSS value labels name the categories the questionnaire leaves unnamed
    assert list(from_sav.demographics["gender"]) == ["1", "2", "2"]
    assert {c: v.get("en") for c, v in from_sav.questionnaire.demographics[0].values.items()} == {"1": "Male",
                                                                                                 "2": "Female"}
    assert not from_xlsx.questionnaire.demographics[0].values and from_xlsx.questionnaire is q


def test_the_chapter_names_categories_by_the_spss_value_labels(tmp_path):
    """An SPSS export's value labels name a demographic's categories in the chapter, as SPSS's own
    frequency tables do, when the questionnaire gives the demographic no values; user-missing codes
    stay missing ("No answer"), and values the questionnaire gives win."""
    pyreadstat = pytest.importorskip("pyreadstat")
    import numpy as np
    import loyaltysurvey
    from loyaltysurvey.report import build_report, render_html
    rng = np.random.default_rng(3)
    n = 120
    f = rng.normal(size=n)
    frame = pd.DataFrame({f"A{k}": np.clip(np.round(3 + f + rng.normal(scale=.7, size=n)), 1, 5) for k in (1, 2, 3)})
    frame["region"] = np.r_[np.tile([1.0, 2.0, 3.0], n // 3)]
    frame.loc[:4, "region"] = 99.0
    frame["sex"] = np.r_[np.tile([1.0, 2.0], n // 2)]
    sav = tmp_path / "d.sav"
    pyreadstat.write_sav(frame, str(sav), variable_value_labels={
        "region": {1.0: "North", 2.0: "South", 3.0: "East", 99.0: "Refused"}, "sex": {1.0: "M", 2.0: "F"}},
        missing_ranges={"region": [99.0]})
    q = (QuestionnaireBuilder("m", scale=(1, 5)).construct("A", "A", ["A1", "A2", "A3"])
         .demographic("region", "Region").demographic("sex", "Sex", values={"1": "Man", "2": "Woman"}).build())
    study = loyaltysurvey.analyze(q, sav, method="cb")
    for lang, no_answer in (("en", "No answer"), ("fa", "بدون پاسخ")):
        page = render_html(build_report(study.results, lang))
        for name in ("North", "South", "East", "Man", "Woman", no_answer):
            assert f"<td>{name}</td>" in page or f">{name}<" in page, (lang, name)
        assert "Refused" not in page and "<td>M</td>" not in page and "<td>F</td>" not in page
