"""Hostile and broken inputs: one line on stderr naming the file and the row or column, exit 2,
never a traceback, a hang or a half-written output folder.

The fixtures under tests/hostile/ are written by tests/hostile/make_fixtures.py (each one's
defect is described there); the FIFO, the symbolic-link loop and the device are made here.
"""

from __future__ import annotations

import errno
import json
import os
from pathlib import Path

import pytest

from loyaltysurvey.cli import main
from loyaltysurvey.resources import bundled_path

HOSTILE = Path(__file__).resolve().parent / "hostile"
QUESTIONNAIRE = str(bundled_path("questionnaires", "crm_loyalty.yaml"))
EXPORT = str(bundled_path("questionnaires", "crm_loyalty_example.csv"))


def run(capsys, *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as stop:
        main(list(args))
    out, err = capsys.readouterr()
    return stop.value.code, out, err


def one_line(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


@pytest.mark.parametrize("name, expected", [
    ("stray_quote.csv", ["stray_quote.csv", "row 12", "column 'gender'", "quote", "unbalanced"]),
    ("mixed_encoding.csv", ["mixed_encoding.csv", "row 41", "mixes two encodings", "line 42"]),
    ("merged.xlsx", ["merged.xlsx", "merged cell", "H5:H7"]),
    ("formula.xlsx", ["formula.xlsx", "formula cell", "H10", "never saved"]),
])
def test_broken_exports_stop_with_one_line(capsys, tmp_path, name, expected):
    code, _, err = run(capsys, "ingest", QUESTIONNAIRE, str(HOSTILE / name), "--out", str(tmp_path / "out"))
    line = one_line(err)
    assert code == 2
    for fragment in expected:
        assert fragment in line, line
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_a_long_cell_is_valid_csv(capsys, tmp_path):
    """A 300,000-character cell is above Python's default CSV field limit but is valid CSV."""
    code, _, err = run(capsys, "ingest", QUESTIONNAIRE, str(HOSTILE / "long_cell.csv"), "--out", str(tmp_path))
    assert code == 0, err
    ledger = json.loads((tmp_path / "ingest.json").read_text(encoding="utf-8"))
    assert ledger["input_rows"] == ledger["respondents"] + len(ledger["excluded"]) == 40


def test_special_files_are_refused_without_hanging(capsys, tmp_path):
    fifo = tmp_path / "answers.csv"
    os.mkfifo(fifo)
    (tmp_path / "a.csv").symlink_to(tmp_path / "b.csv")
    (tmp_path / "b.csv").symlink_to(tmp_path / "a.csv")
    (tmp_path / "zero.csv").symlink_to("/dev/zero")
    (tmp_path / "dangling.csv").symlink_to(tmp_path / "nowhere.csv")
    for path, fragment in ((fifo, "named pipe"), (tmp_path / "a.csv", "loop of symbolic links"),
                           (tmp_path / "zero.csv", "device"), (tmp_path / "dangling.csv", "does not exist"),
                           (tmp_path, "directory")):
        code, _, err = run(capsys, "ingest", QUESTIONNAIRE, str(path), "--out", str(tmp_path / "out"))
        assert code == 2 and fragment in one_line(err), err


@pytest.mark.parametrize("args, fragment", [
    (["analyze"], "Missing argument 'questionnaire'"),
    (["analyze", QUESTIONNAIRE, EXPORT, "--out", "x", "--bootstrap", "abc"], "Invalid value for '--bootstrap'"),
    (["analyze", QUESTIONNAIRE, EXPORT, "--out", "x", "--seed", "-1"], "--seed must be a whole number"),
    (["frobnicate"], "No such command"),
    (["analyze", QUESTIONNAIRE, EXPORT, "--out", "x", "--jobs", "0"], "--jobs must be at least 1"),
])
def test_command_line_mistakes_are_one_line(capsys, args, fragment):
    code, _, err = run(capsys, *args)
    assert code == 2 and fragment in one_line(err), err


def test_version_alone(capsys):
    code, out, err = run(capsys, "--version")
    assert code == 0 and out.strip() and not err


def test_a_folder_in_the_way_changes_nothing(capsys, tmp_path):
    (tmp_path / "clean.csv").mkdir()
    code, _, err = run(capsys, "demo", "--out", str(tmp_path), "--bootstrap", "0")
    assert code == 2 and "'clean.csv' there is a folder" in one_line(err)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["clean.csv"]


def test_a_failed_write_leaves_the_previous_outputs(capsys, tmp_path, monkeypatch):
    out = tmp_path / "out"
    code, _, err = run(capsys, "demo", "--out", str(out), "--bootstrap", "0", "--lang", "en")
    assert code == 0, err
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    assert set(before) == {"clean.csv", "ingest.json", "results.json", "report.html", "report.docx", "tables.xlsx"}

    real_open = open
    calls = {"n": 0}

    def full_disk(file, mode="r", *args, **kwargs):
        if "w" in mode and ".partial" in str(file):
            calls["n"] += 1
            if calls["n"] == 3:
                raise OSError(errno.ENOSPC, "No space left on device")
        return real_open(file, mode, *args, **kwargs)

    import builtins
    monkeypatch.setattr(builtins, "open", full_disk)
    code, _, err = run(capsys, "demo", "--out", str(out), "--bootstrap", "0", "--lang", "fa")
    monkeypatch.setattr(builtins, "open", real_open)
    assert code == 2 and "No space left on device" in one_line(err) and "nothing was changed" in err
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".partial")]


def _with_model_line(tmp_path: Path, line: str, name: str = "q.yaml") -> tuple[Path, int]:
    """The bundled questionnaire with ``line`` added as the first line of its model; its YAML line."""
    text = Path(QUESTIONNAIRE).read_text(encoding="utf-8")
    at = text.index("\nmodel: |\n") + len("\nmodel: |\n")
    path = tmp_path / name
    path.write_text(text[:at] + f"  {line}\n" + text[at:], encoding="utf-8")
    return path, text[:at].count("\n") + 1


@pytest.mark.parametrize("expression", ["h1/0", "exp(h1*100000)", "log(h1 - 10)", "sqrt(h1 - 10)"])
def test_a_defined_parameter_without_a_value_is_refused_at_its_line(capsys, tmp_path, expression):
    path, line = _with_model_line(tmp_path, f"bad := {expression}")
    code, _, err = run(capsys, "analyze", str(path), EXPORT, "--out", str(tmp_path / "out"), "--method", "cb")
    message = one_line(err)
    assert code == 2 and "has no finite value" in message and expression in message, message
    assert f"line {line}" in message, (message, line)
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("statement", ["SAT ~ SAT", "LOY =~ LOY"])
def test_a_variable_on_both_sides_is_refused(capsys, tmp_path, statement):
    path, line = _with_model_line(tmp_path, statement)
    code, _, err = run(capsys, "validate", str(path))
    message = one_line(err)
    assert code == 2 and "itself" in message and f"line {line}" in message, message


def test_yaml_alias_bomb_is_refused_at_once(capsys, tmp_path):
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for k in "bcdefghi":
        prev = chr(ord(k) - 1)
        lines.append(f"{k}: &{k} [" + ",".join([f"*{prev}"] * 9) + "]")
    path = tmp_path / "bomb.yaml"
    path.write_text("\n".join(lines) + "\nid: x\n", encoding="utf-8")
    code, _, err = run(capsys, "validate", str(path))
    assert code == 2 and "aliases" in one_line(err) and "line 1" in err


def test_deep_nesting_is_refused(capsys, tmp_path):
    path = tmp_path / "deep.yaml"
    path.write_text("id: x\nscale: " + "[" * 20000 + "]" * 20000 + "\n", encoding="utf-8")
    code, _, err = run(capsys, "validate", str(path))
    assert code == 2 and "nested more than" in one_line(err) and "line 2" in err


def test_questionnaire_path_must_be_a_file(capsys, tmp_path):
    fifo = tmp_path / "q.yaml"
    os.mkfifo(fifo)
    code, _, err = run(capsys, "validate", str(fifo))
    assert code == 2 and "named pipe" in one_line(err)


@pytest.mark.parametrize("field, value, fragment", [
    ("from", "[KCF, CRMO]", "'from' must name one construct"),
    ("through", "[[SAT]]", "'through' must list construct names"),
])
def test_hypothesis_fields_holding_lists(capsys, tmp_path, field, value, fragment):
    text = Path(QUESTIONNAIRE).read_text(encoding="utf-8")
    at = text.index("\nhypotheses:")
    first = text.index(f"    {field}:" if field != "through" else "    through:", at)
    end = text.index("\n", first)
    path = tmp_path / "q.yaml"
    path.write_text(text[:first] + f"    {field}: {value}" + text[end:], encoding="utf-8")
    code, _, err = run(capsys, "validate", str(path))
    assert code == 2 and fragment in one_line(err) and "line" in err, err


def _export(tmp_path: Path, edit, name: str = "answers.csv") -> Path:
    """The bundled example export with ``edit(frame)`` applied, as CSV."""
    import pandas as pd
    frame = pd.read_csv(EXPORT, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    edit(frame)
    path = tmp_path / name
    frame.to_csv(path, index=False, encoding="utf-8")
    return path


def _ledger(tmp_path: Path) -> dict:
    return json.loads((tmp_path / "out" / "ingest.json").read_text(encoding="utf-8"))


def _ingest_edited(capsys, tmp_path: Path, edit, questionnaire: str = QUESTIONNAIRE) -> tuple[int, str]:
    """Ingest the example export after ``edit(frame)`` into tmp_path/out: (exit status, stderr)."""
    path = _export(tmp_path, edit)
    code, _, err = run(capsys, "ingest", questionnaire, str(path), "--out", str(tmp_path / "out"))
    return code, err


def test_ids_are_text_never_numbers(capsys, tmp_path):
    def edit(frame):
        frame.loc[0, "respondent_id"] = "12E3"
        frame.loc[1, "respondent_id"] = "12000"
        frame.loc[2, "respondent_id"] = "+7"
        frame.loc[3, "respondent_id"] = "007"
    code, err = _ingest_edited(capsys, tmp_path, edit)
    assert code == 0, err
    clean = (tmp_path / "out" / "clean.csv").read_text(encoding="utf-8").splitlines()
    ids = [line.split(",")[0] for line in clean[1:5]]
    assert ids == ["12E3", "12000", "'+7", "007"]  # '+7: text starting with + is neutralised
    assert _ledger(tmp_path)["conflicting_ids"] == []


def test_a_scale_coded_one_point_low_is_refused(capsys, tmp_path):
    def edit(frame):
        column = "KCF2"
        values = frame[column].map(lambda v: str(int(v) - 1) if v.isdigit() else v)
        frame[column] = values
    code, err = _ingest_edited(capsys, tmp_path, edit)
    line = one_line(err)
    assert code == 2 and "column 'KCF2'" in line and "one point low" in line and "0 to 4" in line, line


def test_answers_between_scale_points_are_kept_and_listed(capsys, tmp_path):
    def edit(frame):
        frame.loc[4, "KCF2"] = "3.5"
    code, err = _ingest_edited(capsys, tmp_path, edit)
    assert code == 0, err
    ledger = _ledger(tmp_path)
    assert ledger["between_points"] == [{"respondent_id": "R0005", "item": "KCF2", "value": "3.5", "row": 5}]
    assert "between_points" in [w["code"] for w in ledger["warnings"]]


def test_demographic_missing_codes_and_unknown_codes(capsys, tmp_path):
    def edit(frame):
        frame.loc[0, "gender"] = "-99"
        frame.loc[1, "gender"] = "A1"
    code, err = _ingest_edited(capsys, tmp_path, edit)
    assert code == 0, err
    clean = (tmp_path / "out" / "clean.csv").read_text(encoding="utf-8").splitlines()
    header = clean[0].split(",")
    gender = [line.split(",")[header.index("gender")] for line in clean[1:3]]
    assert gender == ["", "A1"]
    warnings = {w["code"]: w["message"] for w in _ledger(tmp_path)["warnings"]}
    assert "unknown_demographic_code" in warnings and "'A1'" in warnings["unknown_demographic_code"]


def test_each_recoded_cell_counts_once(capsys, tmp_path):
    code, _, err = run(capsys, "ingest", QUESTIONNAIRE, EXPORT, "--out", str(tmp_path / "out"))
    assert code == 0, err
    import pandas as pd
    ledger = _ledger(tmp_path)
    raw = pd.read_csv(EXPORT, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    kept = raw.drop(index=[e["row"] - 1 for e in ledger["excluded"]])
    persian = kept.drop(columns=["respondent_id"]).apply(lambda col: col.str.contains("[۰-۹]")).to_numpy().sum()
    # every cell with Persian digits is counted once: as digits, or as the label or code it was
    assert ledger["recoded_cells"]["persian_digits"] <= persian
    assert ledger["recoded_cells"]["persian_digits"] + ledger["recoded_cells"]["demographic_labels"] \
        + ledger["recoded_cells"]["text_labels"] + ledger["recoded_cells"]["missing_codes"] >= persian


def test_sav_value_labels_say_what_the_codes_mean(capsys, tmp_path):
    """A .sav coded 0-4 whose own value labels are the questionnaire's five labels is read as 1-5."""
    import pandas as pd
    import pyreadstat
    from loyaltysurvey.datasets import crm_questionnaire, crm_responses
    q = crm_questionnaire()
    frame = crm_responses()[list(q.item_ids)].copy()
    for item in q.items:  # back to the answers as given, then coded from 0
        if item.reverse:
            frame[item.id] = 6 - frame[item.id]
    frame = (frame - 1).reset_index()
    labels = [q.scale.label(p, "fa") for p in q.scale.points]
    value_labels = {item: {float(k): labels[k] for k in range(5)} for item in q.item_ids}
    path = tmp_path / "coded_from_zero.sav"
    pyreadstat.write_sav(frame, str(path), variable_value_labels=value_labels)
    code, _, err = run(capsys, "ingest", QUESTIONNAIRE, str(path), "--out", str(tmp_path / "out"))
    assert code == 0, err
    clean = pd.read_csv(tmp_path / "out" / "clean.csv")
    original = crm_responses()
    for item in q.items:
        expected = 6 - original[item.id] if item.reverse else original[item.id]
        assert clean[item.id].tolist() == pytest.approx(expected.tolist(), nan_ok=True), item.id
    assert _ledger(tmp_path)["recoded_cells"]["value_labels"] > 0


def test_answers_on_another_sheet_and_a_bom_in_a_header(capsys, tmp_path):
    import openpyxl
    import pandas as pd
    frame = pd.read_csv(EXPORT, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    book = openpyxl.Workbook()
    book.active.title = "Intro"
    book.active.append(["About this survey"])
    sheet = book.create_sheet("Responses")
    sheet.append(["\ufeff" + frame.columns[0], *frame.columns[1:]])  # a header that looks like 'respondent_id'
    for row in frame.itertuples(index=False):
        sheet.append(list(row))
    path = tmp_path / "two_sheets.xlsx"
    book.save(path)
    code, _, err = run(capsys, "ingest", QUESTIONNAIRE, str(path), "--out", str(tmp_path / "out"))
    assert code == 2 and "give --sheet 'Responses'" in one_line(err)
    code, _, err = run(capsys, "ingest", QUESTIONNAIRE, str(path), "--out", str(tmp_path / "out"), "--sheet",
                       "Responses")
    assert code == 0, err
    assert _ledger(tmp_path)["respondents"] == 420


@pytest.mark.parametrize("name, fragment", [("merged.xlsx", "merged cell"), ("formula.xlsx", "formula cell")])
def test_the_sheet_scan_streams_across_block_boundaries(monkeypatch, name, fragment):
    """The sheet XML is scanned in blocks (a million-row sheet is never held whole); with tiny blocks
    every cell risks straddling a boundary, and the defects are still found."""
    from loyaltysurvey.errors import DataError
    from loyaltysurvey.ingest import readers
    monkeypatch.setattr(readers, "_SCAN_BLOCK", 997)
    with pytest.raises(DataError, match=fragment):
        readers.read_table(HOSTILE / name)


@pytest.mark.parametrize("written", ["نمی‌دانم", "نمیدانم", "نمی دانم", "نمي\u200cدانم", "نمی\u00a0دانم"])
def test_persian_missing_codes_and_labels_match_however_they_are_joined(capsys, tmp_path, written):
    """The README's own example, missing_codes: [-99, "نمی‌دانم"], matches with a ZWNJ, a space, a
    no-break space or nothing between the parts, and Arabic yeh/kaf; so do scale labels
    («نظری ندارم» written with a ZWNJ and an Arabic yeh)."""
    text = Path(QUESTIONNAIRE).read_text(encoding="utf-8").replace("missing_codes: [-99, 99]",
                                                                     'missing_codes: [-99, 99, "نمی‌دانم"]')
    q = tmp_path / "q.yaml"
    q.write_text(text, encoding="utf-8")

    def edit(frame):
        frame.loc[0, "KCF2"] = written
        frame.loc[1, "KCF2"] = "نظري\u200cندارم"   # Arabic yeh, a ZWNJ instead of the space
    code, err = _ingest_edited(capsys, tmp_path, edit, str(q))
    assert code == 0, err
    ledger = _ledger(tmp_path)
    assert ledger["unreadable"] == [], ledger["unreadable"]
    clean = (tmp_path / "out" / "clean.csv").read_text(encoding="utf-8").splitlines()
    header = clean[0].split(",")
    assert clean[1].split(",")[header.index("KCF2")] == ""       # missing
    assert float(clean[2].split(",")[header.index("KCF2")]) == 3    # the middle of the scale


def test_a_persian_question_number_prefix_is_ignored(capsys, tmp_path):
    from loyaltysurvey.datasets import crm_questionnaire
    fa_text = crm_questionnaire().item("SAT1").text.get("fa")

    def edit(frame):
        frame.columns = [f"س۱۸- {fa_text}" if c == "Q18. Overall satisfaction" else c for c in frame.columns]
    code, err = _ingest_edited(capsys, tmp_path, edit)
    assert code == 0, err
    assert _ledger(tmp_path)["matched_by"]["SAT1"] == "text"


def test_the_run_ends_with_what_a_user_needs(capsys, tmp_path):
    code, _, err = run(capsys, "demo", "--out", str(tmp_path), "--bootstrap", "0", "--lang", "en")
    assert code == 0
    assert "420 respondents kept of 425 rows" in err
    assert "CB-SEM: N = 360 (listwise, 14% left out)" in err and "consider --missing fiml" in err
    assert "PLS-SEM: N = 420" in err and "fit: CFI" in err
    assert "Hypotheses (CB-SEM, 95% interval):" in err and "of 9 supported" in err
    assert f"Open {tmp_path / 'report.html'}" in err


def test_help_shows_defaults_without_type_noise(capsys):
    code, out, _ = run(capsys, "analyze", "--help")
    out = " ".join(out.split())  # the help wraps its lines where the option column ends
    assert code == 0 and "<bool>" not in out and "default: 20260101" in out and "5000 for" in out


def test_a_first_sheet_of_notes_that_does_not_fit_points_to_the_sheet_of_answers(capsys, tmp_path):
    """A workbook whose first sheet has rows of its own (notes), not the answers: the column error
    says it read the first sheet and names the sheet that holds data."""
    import openpyxl
    import pandas as pd
    frame = pd.read_csv(EXPORT, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    book = openpyxl.Workbook()
    book.active.title = "Notes"
    for row in (["About"], ["Survey export"], ["Created 2026-11-01"]):
        book.active.append(row)
    sheet = book.create_sheet("Responses")
    sheet.append(list(frame.columns))
    for row in frame.itertuples(index=False):
        sheet.append(list(row))
    path = tmp_path / "notes_first.xlsx"
    book.save(path)
    code, _, err = run(capsys, "ingest", QUESTIONNAIRE, str(path), "--out", str(tmp_path / "out"))
    line = one_line(err)
    assert code == 2 and "this is the workbook's first sheet" in line and "give --sheet 'Responses'" in line
    code, _, err = run(capsys, "ingest", QUESTIONNAIRE, str(path), "--out", str(tmp_path / "out"), "--sheet",
                       "Responses")
    assert code == 0, err
