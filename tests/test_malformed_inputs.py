"""Malformed inputs through the command line, checked against CONTRACT's error rules.

Bad input must give exit status 2 and ONE line on stderr, prefixed
``loyaltysurvey: ``, that names the file and, where it applies, the YAML line
(``line N``), the data row (``row N``, 1-based, header not counted) or the
column (``column 'X'``), and never a traceback. Surprising data that CONTRACT
documents as kept (zero variance, out-of-range answers, unreadable cells,
straight-liners) must instead exit 0 and be reported under ``warnings`` in
``results.json`` and/or in the ledger ``ingest.json``.

Every case writes its own malformed input into ``tmp_path`` from a small,
valid base, breaks exactly one thing, and asserts the exact line, row or
column it broke. With click >= 8.2, ``CliRunner`` keeps stderr apart:
``result.stderr`` is stderr alone, ``result.stdout`` stdout alone.
"""

from __future__ import annotations

import csv
import json
import random
import re
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from loyaltysurvey.cli import app

# --------------------------------------------------------------------------- the valid base

# One statement per line; the line numbers in the comments are what the cases below rely on
# (test_base_line_numbers checks them).
BASE_YAML = """\
id: test-survey
title: {en: "Test survey"}
language: en
scale:
  min: 1
  max: 5
  labels:
    en: [Strongly disagree, Disagree, Neutral, Agree, Strongly agree]
missing_codes: [-99]
respondent_id: rid
constructs:
  - id: KCF
    name: Knowledge
    items:
      - {id: KCF1, text: "We share knowledge"}
      - {id: KCF2, text: "We use knowledge", reverse: true}
      - {id: KCF3, text: "We store knowledge"}
  - id: SAT
    name: Satisfaction
    items:
      - {id: SAT1, text: "I am satisfied"}
      - {id: SAT2, text: "I am pleased"}
      - {id: SAT3, text: "I am happy"}
  - id: LOY
    name: Loyalty
    items:
      - {id: LOY1, text: "I will come back"}
      - {id: LOY2, text: "I recommend it"}
      - {id: LOY3, text: "I stay"}
model: |
  SAT ~ a*KCF
  LOY ~ b*SAT + KCF
  ind := a*b
hypotheses:
  - {id: H1, from: KCF, to: SAT}
  - {id: H2, from: SAT, to: LOY}
"""
BASE_LINES = BASE_YAML.splitlines()
#: Lines 1-29: the same questionnaire without model and hypotheses (quick to analyse).
NO_MODEL_YAML = "\n".join(BASE_LINES[:29]) + "\n"

ITEMS = ["KCF1", "KCF2", "KCF3", "SAT1", "SAT2", "SAT3", "LOY1", "LOY2", "LOY3"]
HEADER = ["rid"] + ITEMS

runner = CliRunner()


def edited(changes: dict[int, str | list[str] | None]) -> str:
    """The base YAML with 1-based lines replaced (str), expanded (list) or deleted (None)."""
    lines = list(BASE_LINES)
    for number in sorted(changes, reverse=True):
        new = changes[number]
        if new is None:
            del lines[number - 1]
        elif isinstance(new, list):
            lines[number - 1:number] = new
        else:
            lines[number - 1] = new
    return "\n".join(lines) + "\n"


def responses(n: int = 60, seed: int = 1) -> list[list[str]]:
    """n rows of plausible answers (three correlated items per construct, KCF2 reverse-worded)."""
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n):
        factors = rng.normal(size=3)
        row = [f"R{i + 1}"]
        for c in range(3):
            for k in range(3):
                x = 3 + factors[c] + 0.7 * rng.normal()
                if c == 0 and k == 1:
                    x = 6 - x
                row.append(str(int(min(5, max(1, round(x))))))
        rows.append(row)
    return rows


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def csv_bytes(header: list[str], rows: list[list[str]]) -> bytes:
    return ("\n".join(",".join(r) for r in [header] + rows) + "\n").encode("utf-8")


def questionnaire(tmp_path: Path, text: str = NO_MODEL_YAML, name: str = "survey.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def invoke(*args: str):
    return runner.invoke(app, [str(a) for a in args])


def run_data(cmd: str, tmp_path: Path, data: Path, *extra: str):
    q = questionnaire(tmp_path)
    return invoke(cmd, q, data, "--out", tmp_path / "out", *extra)


def bad_input_message(result, file: Path) -> str:
    """Assert CONTRACT's bad-input shape and return the message (without the prefix)."""
    stderr = result.stderr
    assert result.exit_code == 2, (
        f"exit status {result.exit_code}, expected 2; stderr={stderr!r}; exception={result.exception!r}")
    assert "Traceback" not in stderr and "Traceback" not in result.stdout, stderr
    lines = stderr.splitlines()
    assert len(lines) == 1 and lines[0].strip(), f"expected exactly one stderr line, got {stderr!r}"
    line = lines[0]
    assert line.startswith("loyaltysurvey: "), line
    assert file.name in line, f"the message does not name the file {file.name!r}: {line!r}"
    return line[len("loyaltysurvey: "):]


def yaml_lines(message: str) -> list[int]:
    return [int(n) for n in re.findall(r"\bline (\d+)\b", message)]


def data_rows(message: str) -> list[int]:
    return [int(n) for n in re.findall(r"\brow (\d+)\b", message)]


def has_all(message: str, *keywords: str) -> None:
    for keyword in keywords:
        assert keyword.lower() in message.lower(), f"{keyword!r} is not in {message!r}"


# --------------------------------------------------------------------------- controls

def test_base_line_numbers_and_base_is_valid(tmp_path):
    assert BASE_LINES[4] == "  min: 1"                             # line 5
    assert BASE_LINES[7].startswith("    en: [")                    # line 8
    assert BASE_LINES[14].startswith("      - {id: KCF1")           # line 15
    assert BASE_LINES[17] == "  - id: SAT"                          # line 18
    assert BASE_LINES[19] == "    items:"                           # line 20
    assert BASE_LINES[21].startswith("      - {id: SAT2")           # line 22
    assert BASE_LINES[30] == "  SAT ~ a*KCF"                        # line 31
    assert BASE_LINES[31] == "  LOY ~ b*SAT + KCF"                  # line 32
    assert BASE_LINES[32] == "  ind := a*b"                         # line 33
    assert BASE_LINES[35] == "  - {id: H2, from: SAT, to: LOY}"     # line 36
    for text in (BASE_YAML, NO_MODEL_YAML):
        result = invoke("validate", questionnaire(tmp_path, text))
        assert result.exit_code == 0, result.stderr
        assert "valid" in result.stdout


def test_base_data_ingests_cleanly(tmp_path):
    data = write_csv(tmp_path / "data.csv", HEADER, responses())
    result = run_data("ingest", tmp_path, data)
    assert result.exit_code == 0, result.stderr
    ledger = json.loads((tmp_path / "out" / "ingest.json").read_text(encoding="utf-8"))
    assert ledger["respondents"] == 60
    assert ledger["out_of_range"] == [] and ledger["unreadable"] == [] and ledger["straightliners"] == []
    assert ledger["warnings"] == []


# --------------------------------------------------------------------------- YAML errors with a line

# (case id, changes to BASE_YAML, the YAML line the message must give, keywords)
YAML_CASES = [
    ("bad-indentation", {22: '     - {id: SAT2, text: "I am pleased"}'}, 22, ["syntax"]),
    ("tab-indentation", {13: "\tname: Knowledge"}, 13, ["syntax"]),
    # PyYAML notices these one or more lines late; the message names the line the user must fix
    ("key-without-colon", {5: "  min 1"}, 5, ["syntax", "no ':'"]),
    ("dedented-list-item", {14: ["    items:", "     - id: KCF1", '       text: "We share knowledge"'], 15: None},
     15, ["syntax", "indented by 5 spaces"]),
    ("unclosed-quote", {15: '      - {id: KCF1, text: "We share knowledge}'}, 15, ["syntax", "not closed"]),
    ("unclosed-quote-in-block", {2: 'title: "Test survey'}, 2, ["syntax", "does not close"]),
    ("unknown-top-level-key", {3: ["colour: blue", "language: en"]}, 3, ["unknown key", "colour"]),
    ("unknown-item-key", {16: '      - {id: KCF2, text: "We use knowledge", revers: true}'}, 16,
     ["unknown key", "revers"]),
    ("unknown-construct-key", {13: ["    name: Knowledge", "    itmes: []"]}, 14, ["unknown key", "itmes"]),
    ("duplicate-item-id-across-constructs", {22: '      - {id: KCF1, text: "I am pleased"}'}, 22,
     ["KCF1", "twice", "line 15"]),
    ("duplicate-construct-id", {24: "  - id: SAT"}, 24, ["SAT", "twice", "line 18"]),
    ("duplicate-key-in-construct", {13: ["    name: Knowledge", "    name: Again"]}, 14,
     ["duplicate", "'name'", "line 13"]),
    ("duplicate-top-level-key", {9: ["missing_codes: [-99]", "missing_codes: [99]"]}, 10,
     ["duplicate", "missing_codes"]),
    ("construct-without-items-key", {20: None, 21: None, 22: None, 23: None}, 18, ["SAT", "no items"]),
    ("reverse-on-single-item-construct",
     {20: ["    items:", '      - {id: SAT1, text: "I am satisfied", reverse: true}'], 21: None, 22: None, 23: None},
     21, ["reverse", "SAT1", "single"]),
    ("scale-min-equals-max", {5: "  min: 5"}, 5, ["min", "max"]),
    ("scale-min-above-max", {5: "  min: 6"}, 5, ["min (6)", "max (5)"]),
    ("scale-max-not-a-number", {6: "  max: five"}, 6, ["max", "five"]),
    ("four-labels-for-five-points", {8: "    en: [Strongly disagree, Disagree, Agree, Strongly agree]"}, 8,
     ["4 labels", "5-point"]),
    ("six-labels-for-five-points", {8: "    en: [a, b, c, d, e, f]"}, 8, ["6 labels", "5-point"]),
    ("model-unknown-construct", {32: "  LOY ~ b*SAT + XYZ"}, 32, ["model", "XYZ"]),
    ("model-unknown-construct-first-statement", {31: "  SAT ~ a*KFC"}, 31, ["model", "KFC"]),
    ("model-unknown-construct-after-comment-and-blank",
     {31: ["  # structural part", "", "  SAT ~ a*KCF"], 32: "  LOY ~ b*SAT + XYZ"}, 34, ["model", "XYZ"]),
    ("model-empty-right-hand-side", {33: "  SAT ~ "}, 33, ["model", "SAT ~"]),
    ("model-empty-rhs-mid-block", {31: "  SAT ~ "}, 31, ["model"]),
    ("model-bad-operator", {32: "  LOY =~= KCF"}, 32, ["model", "KCF"]),
    ("defined-parameter-undefined-label", {33: "  ind := a*c"}, 33, ["model", "'c'", "label"]),
    ("hypothesis-path-not-in-model", {36: "  - {id: H2, from: LOY, to: SAT}"}, 36, ["H2", "LOY", "SAT", "path"]),
    ("hypothesis-unknown-construct", {35: "  - {id: H1, from: KCF, to: XYZ}"}, 35, ["XYZ", "construct"]),
    ("item-id-with-space-and-leading-digit", {17: '      - {id: 1st item, text: "We store knowledge"}'}, 17,
     ["item id", "1st item"]),
    ("item-id-with-hyphen", {17: '      - {id: KCF-1, text: "We store knowledge"}'}, 17, ["item id", "KCF-1"]),
]


@pytest.mark.parametrize("changes, line, keywords", [c[1:] for c in YAML_CASES], ids=[c[0] for c in YAML_CASES])
def test_validate_names_the_yaml_line(tmp_path, changes, line, keywords):
    path = questionnaire(tmp_path, edited(changes), name="broken.yaml")
    message = bad_input_message(invoke("validate", path), path)
    assert yaml_lines(message)[:1] == [line], f"expected 'line {line}' first in {message!r}"
    has_all(message, *keywords)


@pytest.mark.parametrize("changes, line", [
    pytest.param({21: '      - {id: SAT1, text: "I am satisfied"'}, 21, id="unclosed-brace"),
    pytest.param({8: "    en: [Strongly disagree, Disagree, Neutral, Agree, Strongly agree"}, 8, id="unclosed-bracket"),
])
def test_unclosed_bracket_names_the_line_that_opens_it(tmp_path, changes, line):
    # PyYAML only notices the missing '}' / ']' on the next line; the user's mistake is on the line
    # that opened it, which the message must name (it may name the next line as well).
    path = questionnaire(tmp_path, edited(changes), name="broken.yaml")
    message = bad_input_message(invoke("validate", path), path)
    has_all(message, "syntax")
    assert line in yaml_lines(message), f"expected 'line {line}' (the unclosed bracket) in {message!r}"


def test_empty_items_list_names_the_items_line(tmp_path):
    # "items: []" is on line 20: that is the line to fix.
    path = questionnaire(tmp_path, edited({20: "    items: []", 21: None, 22: None, 23: None}), name="broken.yaml")
    message = bad_input_message(invoke("validate", path), path)
    has_all(message, "SAT", "no items")
    assert yaml_lines(message)[:1] == [20], message


@pytest.mark.parametrize("cmd", ["ingest", "analyze"])
def test_questionnaire_error_through_data_commands(tmp_path, cmd):
    """A broken questionnaire is reported the same way by ingest and analyze, naming the YAML."""
    path = questionnaire(tmp_path, edited({16: '      - {id: KCF2, text: "We use knowledge", revers: true}'}),
                         name="broken.yaml")
    data = write_csv(tmp_path / "data.csv", HEADER, responses())
    message = bad_input_message(invoke(cmd, path, data, "--out", tmp_path / "out"), path)
    assert yaml_lines(message)[:1] == [16], message
    has_all(message, "unknown key", "revers")


# --------------------------------------------------------------------------- questionnaire files

@pytest.mark.parametrize("content, keywords, line", [
    pytest.param(b"", ["empty"], None, id="empty-file"),
    pytest.param(b"\n# only a comment\n\n", ["empty"], None, id="only-comments"),
    pytest.param(b"- id: KCF\n- id: SAT\n", ["mapping", "list"], 1, id="yaml-list"),
    pytest.param(b"just some text\n", ["mapping"], 1, id="yaml-scalar"),
    pytest.param(edited({13: "    name: \u0631\u0636\u0627"}).encode("cp1256"), ["UTF-8"], 13, id="not-utf8"),
])
def test_questionnaire_file_content(tmp_path, content, keywords, line):
    path = tmp_path / "broken.yaml"
    path.write_bytes(content)
    message = bad_input_message(invoke("validate", path), path)
    has_all(message, *keywords)
    if line is not None:
        assert yaml_lines(message)[:1] == [line], message


def test_questionnaire_missing_file(tmp_path):
    path = tmp_path / "no_such_questionnaire.yaml"
    message = bad_input_message(invoke("validate", path), path)
    has_all(message, "not found")


def test_questionnaire_is_a_directory(tmp_path):
    path = tmp_path / "folder.yaml"
    path.mkdir()
    message = bad_input_message(invoke("validate", path), path)
    has_all(message, "directory")


# --------------------------------------------------------------------------- data errors

def test_empty_csv(tmp_path):
    data = tmp_path / "responses.csv"
    data.write_bytes(b"")
    message = bad_input_message(run_data("ingest", tmp_path, data), data)
    has_all(message, "empty")


@pytest.mark.parametrize("cmd", ["ingest", "analyze"])
def test_header_only_csv(tmp_path, cmd):
    data = tmp_path / "responses.csv"
    data.write_bytes(csv_bytes(HEADER, []))
    message = bad_input_message(run_data(cmd, tmp_path, data), data)
    has_all(message, "no data rows")


@pytest.mark.parametrize("cmd", ["ingest", "analyze"])
def test_missing_item_column(tmp_path, cmd):
    drop = HEADER.index("SAT2")
    rows = [r[:drop] + r[drop + 1:] for r in responses()]
    data = write_csv(tmp_path / "responses.csv", HEADER[:drop] + HEADER[drop + 1:], rows)
    message = bad_input_message(run_data(cmd, tmp_path, data), data)
    assert "column 'SAT2'" in message, message
    has_all(message, "no column", "SAT2")


@pytest.mark.parametrize("cmd", ["ingest", "analyze"])
def test_random_binary_csv(tmp_path, cmd):
    raw = list(range(256)) * 4          # every byte, NUL and control bytes included
    random.Random(3).shuffle(raw)
    data = tmp_path / "responses.csv"
    data.write_bytes(bytes(raw))
    message = bad_input_message(run_data(cmd, tmp_path, data), data)
    assert any(k in message.lower() for k in ("undecodable", "nul", "not a text", "encoding")), message


def _corrupt_row(rows: list[list[str]], data_row: int, junk: bytes) -> bytes:
    """CSV bytes with junk inserted inside the second cell of the given 1-based data row."""
    lines = csv_bytes(HEADER, rows).split(b"\n")
    line = lines[data_row]                                 # lines[0] is the header
    cut = line.index(b",") + 1
    lines[data_row] = line[:cut] + junk + line[cut:]
    return b"\n".join(lines)


@pytest.mark.parametrize("junk", [
    pytest.param(b"\x00\x07\xff\xfe\x81", id="nul-control-and-non-utf8"),
    pytest.param(b"\x00\x01", id="nul-and-control-in-utf8"),
])
def test_binary_bytes_in_one_row_are_located(tmp_path, junk):
    # The junk is in data row 3, i.e. line 4 of the file (line 1 is the header): either names it.
    data = tmp_path / "responses.csv"
    data.write_bytes(_corrupt_row(responses(), 3, junk))
    message = bad_input_message(run_data("ingest", tmp_path, data), data)
    assert data_rows(message) == [3] or yaml_lines(message)[:1] == [4], (
        f"the message does not locate the bad bytes (data row 3 / file line 4): {message!r}")


@pytest.mark.parametrize("cmd", ["ingest", "analyze"])
def test_garbage_text_column(tmp_path, cmd):
    rows = responses()
    j = HEADER.index("SAT2")
    for i, row in enumerate(rows):
        row[j] = f"blah {i}"
    data = write_csv(tmp_path / "responses.csv", HEADER, rows)
    message = bad_input_message(run_data(cmd, tmp_path, data), data)
    assert "column 'SAT2'" in message, message
    has_all(message, "SAT2", "blah 0")
    assert data_rows(message) in ([], [1]), message   # if a row is named, it is the first bad one


def test_garbage_text_column_matched_by_question_text(tmp_path):
    # SAT2 is found by its text; the message must name the header as it stands in the file.
    header = list(HEADER)
    header[HEADER.index("SAT2")] = "Q5. I am pleased"
    rows = responses()
    for row in rows[4:]:                         # rows 5.. are garbage, rows 1-4 are fine
        row[HEADER.index("SAT2")] = "whatever"
    data = write_csv(tmp_path / "responses.csv", header, rows)
    message = bad_input_message(run_data("ingest", tmp_path, data), data)
    assert "column 'Q5. I am pleased'" in message, message
    has_all(message, "SAT2")
    assert data_rows(message) in ([], [5]), message


@pytest.mark.parametrize("cmd, fill", [("ingest", ""), ("ingest", "-99"), ("analyze", ""), ("analyze", "-99")])
def test_all_missing_item_column(tmp_path, cmd, fill):
    rows = responses()
    for row in rows:
        row[HEADER.index("LOY3")] = fill
    data = write_csv(tmp_path / "responses.csv", HEADER, rows)
    message = bad_input_message(run_data(cmd, tmp_path, data), data)
    assert "column 'LOY3'" in message, message
    has_all(message, "LOY3", "no valid answer")


@pytest.mark.parametrize("cmd, row", [("ingest", 4), ("ingest", 60), ("analyze", 17)])
def test_row_with_more_cells_than_header(tmp_path, cmd, row):
    rows = responses()
    rows[row - 1] = rows[row - 1] + ["surplus"]
    data = write_csv(tmp_path / "responses.csv", HEADER, rows)
    message = bad_input_message(run_data(cmd, tmp_path, data), data)
    assert data_rows(message) == [row], f"expected 'row {row}' in {message!r}"
    has_all(message, f"{len(HEADER) + 1} cells", f"header has {len(HEADER)}")


@pytest.mark.parametrize("cmd", ["ingest", "analyze"])
def test_text_file_renamed_xlsx(tmp_path, cmd):
    data = tmp_path / "responses.xlsx"
    data.write_bytes(csv_bytes(HEADER, responses(5)))
    message = bad_input_message(run_data(cmd, tmp_path, data), data)
    has_all(message, "xlsx", "zip")


def test_xlsx_missing_sheet(tmp_path):
    import pandas as pd
    data = tmp_path / "responses.xlsx"
    pd.DataFrame(responses(), columns=HEADER).to_excel(data, index=False, sheet_name="Responses")
    ok = run_data("ingest", tmp_path, data, "--sheet", "Responses")
    assert ok.exit_code == 0, ok.stderr                              # control: the right sheet works
    message = bad_input_message(run_data("ingest", tmp_path, data, "--sheet", "Survey 2024"), data)
    has_all(message, "sheet", "'Survey 2024'", "Responses")


@pytest.mark.parametrize("cmd", ["ingest", "analyze"])
def test_truncated_sav(tmp_path, cmd):
    import pandas as pd
    import pyreadstat
    frame = pd.DataFrame(responses(), columns=HEADER)
    frame[ITEMS] = frame[ITEMS].astype(float)
    full = tmp_path / "full.sav"
    pyreadstat.write_sav(frame, str(full))
    assert run_data("ingest", tmp_path, full).exit_code == 0        # control: the whole file reads
    raw = full.read_bytes()
    data = tmp_path / "responses.sav"
    data.write_bytes(raw[: len(raw) // 2])
    message = bad_input_message(run_data(cmd, tmp_path, data), data)
    has_all(message, "SPSS")
    assert "truncated" in message.lower() or "cannot read" in message.lower(), message


def test_unsupported_extension(tmp_path):
    data = tmp_path / "responses.json"
    data.write_text(json.dumps([dict(zip(HEADER, r)) for r in responses(5)]), encoding="utf-8")
    message = bad_input_message(run_data("ingest", tmp_path, data), data)
    has_all(message, "'.json'", "csv", "xlsx", "sav")


def test_missing_data_file(tmp_path):
    data = tmp_path / "no_such_responses.csv"
    message = bad_input_message(run_data("analyze", tmp_path, data), data)
    has_all(message, "not found")


@pytest.mark.parametrize("cmd", ["ingest", "analyze"])
def test_respondent_id_column_absent(tmp_path, cmd):
    data = write_csv(tmp_path / "responses.csv", ITEMS, [r[1:] for r in responses()])
    message = bad_input_message(run_data(cmd, tmp_path, data), data)
    has_all(message, "respondent", "'rid'")


def test_two_columns_with_the_same_item_id(tmp_path):
    rows = [r + [r[1]] for r in responses()]
    data = write_csv(tmp_path / "responses.csv", HEADER + ["KCF1"], rows)
    message = bad_input_message(run_data("ingest", tmp_path, data), data)
    has_all(message, "KCF1", "more than one column")


def test_two_columns_with_the_same_item_text(tmp_path):
    # SAT1 has no column by its id; two headers hold its text ("I am satisfied").
    header = list(HEADER)
    header[HEADER.index("SAT1")] = "I am satisfied"
    rows = [r + [r[HEADER.index("SAT1")]] for r in responses()]
    data = write_csv(tmp_path / "responses.csv", header + ["Q12. I am satisfied"], rows)
    message = bad_input_message(run_data("ingest", tmp_path, data), data)
    has_all(message, "SAT1", "more than one column", "I am satisfied", "Q12. I am satisfied")


# --------------------------------------------------------------------------- documented warnings (exit 0)

def _ok(result) -> None:
    assert result.exit_code == 0, f"exit {result.exit_code}: {result.stderr!r} {result.exception!r}"
    assert "Traceback" not in result.stderr


def _json(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def _notices_well_formed(notices: list) -> None:
    for notice in notices:
        assert set(notice) == {"code", "message", "subject", "params"}, notice
        assert notice["code"] and notice["message"] and isinstance(notice["params"], dict), notice


def test_zero_variance_item_is_a_warning(tmp_path):
    rows = responses()
    for row in rows:
        row[HEADER.index("SAT2")] = "3"
    data = write_csv(tmp_path / "responses.csv", HEADER, rows)
    _ok(run_data("analyze", tmp_path, data))
    results = _json(tmp_path / "out" / "results.json")
    _notices_well_formed(results["warnings"])
    zero = [w for w in results["warnings"] if w["code"] == "zero_variance"]
    assert [w["subject"] for w in zero] == ["SAT2"], results["warnings"]
    assert "SAT2" in zero[0]["message"]
    ledger = _json(tmp_path / "out" / "ingest.json")
    assert [w["subject"] for w in ledger["warnings"] if w["code"] == "zero_variance"] == ["SAT2"]
    assert ledger["respondents"] == 60


@pytest.mark.parametrize("cmd", ["ingest", "analyze"])
def test_out_of_range_answers_are_listed(tmp_path, cmd):
    rows = responses()
    rows[2][HEADER.index("LOY2")] = "7"       # R3
    rows[9][HEADER.index("KCF1")] = "0"       # R10
    data = write_csv(tmp_path / "responses.csv", HEADER, rows)
    _ok(run_data(cmd, tmp_path, data))
    ledger = _json(tmp_path / "out" / "ingest.json")
    got = [{k: e[k] for k in ("respondent_id", "item", "value")} for e in ledger["out_of_range"]]
    assert sorted(got, key=lambda e: e["respondent_id"]) == [
        {"respondent_id": "R10", "item": "KCF1", "value": "0"},
        {"respondent_id": "R3", "item": "LOY2", "value": "7"}]
    assert ledger["respondents"] == 60
    assert "out_of_range" in [w["code"] for w in ledger["warnings"]]
    # the cell became missing in clean.csv, the rest of the row is kept
    import pandas as pd
    clean = pd.read_csv(tmp_path / "out" / "clean.csv", index_col=0)
    assert np.isnan(clean.loc["R3", "LOY2"]) and np.isnan(clean.loc["R10", "KCF1"])
    assert clean.loc["R3", "LOY1"] == float(rows[2][HEADER.index("LOY1")])
    if cmd == "analyze":
        results = _json(tmp_path / "out" / "results.json")
        assert len(results["ingest"]["out_of_range"]) == 2
        _notices_well_formed(results["warnings"])
        assert "out_of_range" in [w["code"] for w in results["warnings"]]


def test_single_unreadable_cell_is_listed(tmp_path):
    rows = responses()
    rows[3][HEADER.index("KCF3")] = "lots"    # R4, data row 4
    data = write_csv(tmp_path / "responses.csv", HEADER, rows)
    _ok(run_data("ingest", tmp_path, data))
    ledger = _json(tmp_path / "out" / "ingest.json")
    got = [{k: e[k] for k in ("respondent_id", "item", "value")} for e in ledger["unreadable"]]
    assert got == [{"respondent_id": "R4", "item": "KCF3", "value": "lots"}]
    assert ledger["unreadable"][0].get("row", 4) == 4
    assert "unreadable" in [w["code"] for w in ledger["warnings"]]
    assert ledger["respondents"] == 60


@pytest.mark.parametrize("cmd", ["ingest", "analyze"])
def test_straightliner_is_listed(tmp_path, cmd):
    rows = responses()
    rows[4] = ["R5"] + ["4"] * len(ITEMS)
    data = write_csv(tmp_path / "responses.csv", HEADER, rows)
    _ok(run_data(cmd, tmp_path, data))
    ledger = _json(tmp_path / "out" / "ingest.json")
    assert ledger["straightliners"] == ["R5"]
    assert ledger["respondents"] == 60           # listed, not dropped
    if cmd == "analyze":
        assert _json(tmp_path / "out" / "results.json")["ingest"]["straightliners"] == ["R5"]
