"""Property-based fuzzing of the readers and the questionnaire loader (Hypothesis).

Whatever the bytes, cells or YAML, reading either succeeds with the ledger's promise
(``input_rows == respondents + excluded``) or stops with the project's own one-line error
(:class:`~loyaltysurvey.errors.LoyaltySurveyError`): never another exception, never a hang.
"""

from __future__ import annotations

import io
import string

import pandas as pd
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from loyaltysurvey.errors import LoyaltySurveyError
from loyaltysurvey.ingest import ingest, read_table
from loyaltysurvey.questionnaire import QuestionnaireBuilder, questionnaire_from_dict, questionnaire_from_yaml

FUZZ = settings(max_examples=int(__import__("os").environ.get("LOYALTYSURVEY_FUZZ_EXAMPLES", "60")), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                       HealthCheck.too_slow])

Q = (QuestionnaireBuilder("fuzz", scale=(1, 5), respondent_id="id", missing_codes=[-99, "نمی‌دانم"])
     .construct("A", "A", ["A1", "A2", "A3"])
     .construct("B", "B", ["B1", "B2", "B3"])
     .demographic("gender", "Gender", values={1: "Male", 2: "Female"})
     .model("B ~ A")
     .build())

cell_text = st.one_of(
    st.sampled_from(["1", "2", "3", "4", "5", "۳", "٤", "Agree", "کاملاً موافقم", "-99", "نمی‌دانم", "", " ",
                     "NA", "3.5", "0", "6", "=1+1", '"', "a,b", "x\ny", "\t", "١٢E3", "+7", " \x1c ", "\u00a0"]),
    st.text(alphabet=string.printable + "آابپتثجچحخدذرزژسشصضطظعغفقکگلمنوهیيك۰۱۲۳۴۵۶۷۸۹\u200c", max_size=12),
)


def _check_ledger(result) -> None:
    led = result.ledger
    assert led.input_rows == led.respondents + len(led.excluded)
    assert len(result.responses) == led.respondents


def _ingest_or_refuse(path) -> None:
    try:
        result = ingest(Q, path)
    except LoyaltySurveyError as exc:
        assert "\n" not in str(exc)
        return
    _check_ledger(result)


@FUZZ
@given(rows=st.lists(st.lists(cell_text, min_size=0, max_size=9), min_size=0, max_size=12),
       delimiter=st.sampled_from([",", ";", "\t", "|"]),
       encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1256", "utf-16"]))
def test_csv_reader_never_crashes(tmp_path_factory, rows, delimiter, encoding):
    header = ["id", "A1", "A2", "A3", "B1", "B2", "B3", "gender"]
    lines = [delimiter.join(header)] + [delimiter.join(r) for r in rows]
    text = "\n".join(lines)
    path = tmp_path_factory.mktemp("csv") / "answers.csv"
    try:
        path.write_bytes(text.encode(encoding))
    except UnicodeEncodeError:
        path.write_bytes(text.encode("utf-8"))
    _ingest_or_refuse(path)


@FUZZ
@given(raw=st.binary(max_size=400))
def test_csv_reader_on_arbitrary_bytes(tmp_path_factory, raw):
    path = tmp_path_factory.mktemp("bytes") / "answers.csv"
    path.write_bytes(b"id,A1,A2,A3,B1,B2,B3\n" + raw)
    _ingest_or_refuse(path)


xlsx_cell = st.one_of(cell_text.filter(lambda s: not s.startswith("=") and "\x0b" not in s and "\x0c" not in s),
                      st.integers(-100, 100), st.floats(allow_nan=False, allow_infinity=False, width=32),
                      st.none(), st.booleans())


@FUZZ
@given(rows=st.lists(st.lists(xlsx_cell, min_size=7, max_size=7), min_size=0, max_size=10))
def test_xlsx_reader_never_crashes(tmp_path_factory, rows):
    import openpyxl
    from openpyxl.utils.exceptions import IllegalCharacterError
    book = openpyxl.Workbook()
    ws = book.active
    ws.append(["id", "A1", "A2", "A3", "B1", "B2", "B3"])
    try:
        for r in rows:
            ws.append(r)
    except IllegalCharacterError:
        return
    path = tmp_path_factory.mktemp("xlsx") / "answers.xlsx"
    book.save(path)
    _ingest_or_refuse(path)


@FUZZ
@given(values=st.lists(st.lists(st.one_of(st.integers(-99, 9), st.none()), min_size=6, max_size=6),
                       min_size=1, max_size=10),
       labelled=st.booleans())
def test_sav_reader_never_crashes(tmp_path_factory, values, labelled):
    import pyreadstat
    frame = pd.DataFrame(values, columns=["A1", "A2", "A3", "B1", "B2", "B3"], dtype=float)
    frame.insert(0, "id", [f"R{i}" for i in range(len(frame))])
    path = tmp_path_factory.mktemp("sav") / "answers.sav"
    labels = {c: {0.0: "Strongly disagree", 4.0: "Strongly agree"} for c in frame.columns[1:]} if labelled else None
    pyreadstat.write_sav(frame, str(path), variable_value_labels=labels)
    _ingest_or_refuse(path)


yaml_scalar = st.one_of(st.text(max_size=10), st.integers(-5, 10), st.booleans(), st.none(),
                        st.floats(allow_nan=False, allow_infinity=False))
yaml_value = st.recursive(yaml_scalar, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                               st.dictionaries(st.text(max_size=8), inner,
                                                                               max_size=4)), max_leaves=12)
GOOD = {"id": "q", "scale": {"min": 1, "max": 5},
        "constructs": [{"id": "A", "items": [{"id": "A1"}, {"id": "A2"}, {"id": "A3"}]},
                       {"id": "B", "items": [{"id": "B1"}, {"id": "B2"}, {"id": "B3"}]}],
        "model": "B ~ a*A\nind := a*2",
        "hypotheses": [{"id": "H1", "from": "A", "to": "B"}]}


@FUZZ
@given(key=st.sampled_from(["id", "scale", "constructs", "model", "hypotheses", "missing_codes", "language",
                            "demographics", "respondent_id", "title", "references"]),
       value=yaml_value)
def test_loader_refuses_bad_fields_with_its_own_error(key, value):
    data = dict(GOOD)
    data[key] = value
    try:
        questionnaire_from_dict(data)
    except LoyaltySurveyError as exc:
        assert "\n" not in str(exc)


@FUZZ
@given(text=st.text(alphabet=string.printable + "آابپ:[]{}&*!|>-#'\"", max_size=300))
def test_loader_on_arbitrary_text(text):
    try:
        questionnaire_from_yaml(text, source="fuzz.yaml")
    except LoyaltySurveyError as exc:
        assert "\n" not in str(exc)


@FUZZ
@given(statement=st.text(alphabet="AB12ab=~:*+-().<>^ \n", max_size=40))
def test_model_syntax_is_parsed_or_refused(statement):
    data = dict(GOOD)
    data["model"] = statement
    data.pop("hypotheses")
    try:
        questionnaire_from_dict(data)
    except LoyaltySurveyError as exc:
        assert "\n" not in str(exc)


def test_the_good_questionnaire_is_good():
    assert questionnaire_from_dict(GOOD).model_statements
    assert yaml.safe_load(io.StringIO(yaml.safe_dump(GOOD)))


@FUZZ
@given(rows=st.lists(st.lists(cell_text, min_size=1, max_size=5), min_size=1, max_size=8),
       delimiter=st.sampled_from([",", ";", "\t"]), quote_all=st.booleans())
def test_arrow_and_line_by_line_csv_readers_agree(tmp_path_factory, rows, delimiter, quote_all):
    """The compiled (Arrow) CSV reader and the line-by-line one give the same cells, or the same refusal."""
    import csv as csv_module

    from loyaltysurvey.ingest.readers import _read_csv

    path = tmp_path_factory.mktemp("agree") / "answers.csv"
    with open(path, "w", encoding="utf-8", newline="") as f:
        csv_module.writer(f, delimiter=delimiter,
                          quoting=csv_module.QUOTE_ALL if quote_all else csv_module.QUOTE_MINIMAL).writerows(
            [["id", "A1", "A2", "A3", "B1"]] + rows)
    outcomes = []
    for arrow in (True, False):
        try:
            table = _read_csv(path, None, arrow=arrow)
            outcomes.append(("read", table.headers, table.rows))
        except LoyaltySurveyError as exc:
            outcomes.append(("refused", str(exc)))
    assert outcomes[0] == outcomes[1]


@FUZZ
@given(values=st.lists(st.one_of(cell_text, st.none(), st.floats(allow_nan=True, allow_infinity=False),
                                 st.integers(-10**6, 10**6)), max_size=30))
def test_ids_normalised_in_one_pass_equal_normalize_id(values):
    """The vectorised respondent-id normalisation (Arrow's string kernels) equals normalize_id cell by cell."""
    from loyaltysurvey.ingest.cells import normalize_id
    from loyaltysurvey.ingest.clean import _normalize_ids

    assert list(_normalize_ids(values)) == [normalize_id(v) for v in values]
