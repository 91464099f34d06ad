"""Checkbox questions exported one column per option (SurveyMonkey, LimeSurvey CSV and SPSS,
Qualtrics' split multi-value fields, KoboToolbox's per-option copies) and Qualtrics' joined cells.

Each export is a platform fixture of tests/platform_fixtures.py (the bundled example in the
platform's documented layout) with a checkbox question "Which channels do you use?" added here in
that platform's layout for it; what each respondent chose is fixed from the other cells of its row
(exact duplicates choose alike). The multiple-response table is compared with a count made here
from those choices (by definition: per option the respondents who chose it; N the respondents
who chose something), exactly.
"""

from __future__ import annotations

import csv
import io
import json
import sys
import zlib
from pathlib import Path

import numpy as np
import pytest
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from platform_fixtures import write_fixture  # noqa: E402

import loyaltysurvey  # noqa: E402
from loyaltysurvey.ingest import ingest  # noqa: E402
from loyaltysurvey.questionnaire import load_questionnaire  # noqa: E402
from loyaltysurvey.questionnaire.loader import questionnaire_from_dict  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
QUESTIONNAIRE = ROOT / "questionnaires" / "crm_loyalty.yaml"
QUESTION = "Which channels do you use?"
TEXTS = ["SMS", "Mobile app", "Web site"]
KOBO = ["sms", "app", "web"]


def _choice(row: list) -> list[int]:
    """The options (0, 1, 2) a data row chose, from its other cells; some rows choose none."""
    h = zlib.crc32("\x1f".join("" if c is None else str(c) for c in row).encode("utf-8"))
    if h % 7 == 0:
        return []
    return [j for j in range(3) if (h >> (3 * j)) % 3 != 0] or [h % 3]


def _rewrite_csv(fx, folder: Path, tag: str, at: int, heads: list[list[str]], cells,
                 delimiter: str = ",") -> tuple[Path, list[list[int]]]:
    """The fixture with columns inserted at ``at``: ``heads`` one list per header row, ``cells(pick,
    k)`` the cells of the data row number ``k`` (0-based) that chose ``pick``."""
    rows = list(csv.reader(io.StringIO(fx.path.read_text(encoding="utf-8-sig")), delimiter=delimiter))
    out, chosen = [], []
    for k, row in enumerate(rows):
        if k < fx.header_rows:
            out.append(row[:at] + heads[k] + row[at:])
            continue
        pick = _choice(row)
        chosen.append(pick)
        out.append(row[:at] + cells(pick, k - fx.header_rows) + row[at:])
    path = folder / f"{fx.name}_{tag}.csv"
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        csv.writer(fh, delimiter=delimiter).writerows(out)
    return path, chosen


def surveymonkey(folder: Path):
    """The question's text over its first option column, the options in the second header row; a
    cell holds the option's text when it was chosen."""
    fx = write_fixture("surveymonkey", folder)
    return _rewrite_csv(fx, folder, "cols", 9, [[QUESTION, "", ""], TEXTS],
                        lambda pick, k: [TEXTS[j] if j in pick else "" for j in range(3)])


def limesurvey_codes(folder: Path):
    """Type M question ``channels`` with subquestions SQ001..SQ003: ``Y`` or blank."""
    fx = write_fixture("limesurvey_codes", folder)
    return _rewrite_csv(fx, folder, "cols", 7, [[f"channels[SQ00{j}]" for j in (1, 2, 3)]],
                        lambda pick, k: ["Y" if j in pick else "" for j in range(3)])


def limesurvey_answers(folder: Path):
    """Full texts: ``Question [Option]``, ``Yes`` or blank, and ``No`` on some rows."""
    fx = write_fixture("limesurvey_answers", folder)
    return _rewrite_csv(fx, folder, "cols", 7, [[f"{QUESTION} [{t}]" for t in TEXTS]],
                        lambda pick, k: ["Yes" if j in pick else ("No" if k % 4 == 0 else "") for j in range(3)])


def limesurvey_sav(folder: Path):
    """SPSS: ``channels_SQ001`` ... numeric 1/0 labelled Yes/No, variable label ``Question [Option]``."""
    import pyreadstat
    fx = write_fixture("limesurvey_sav", folder)
    frame, meta = pyreadstat.read_sav(str(fx.path))
    chosen = []
    for row in frame.itertuples(index=False):
        chosen.append(_choice(["" if isinstance(c, float) and np.isnan(c) else c for c in row]))
    heads = [f"channels_SQ00{j}" for j in (1, 2, 3)]
    for j, h in enumerate(heads):
        frame.insert(7 + j, h, [1.0 if j in pick else 0.0 for pick in chosen])
    labels = dict(zip(meta.column_names, meta.column_labels))
    labels.update({h: f"{QUESTION} [{t}]" for h, t in zip(heads, TEXTS)})
    value_labels = dict(meta.variable_value_labels)
    value_labels.update({h: {1.0: "Yes", 0.0: "No"} for h in heads})
    path = folder / "limesurvey_sav_cols.sav"
    pyreadstat.write_sav(frame, str(path), column_labels=[labels.get(c) or c for c in frame.columns],
                         variable_value_labels=value_labels)
    return path, chosen


def qualtrics_split(folder: Path):
    """"Split multi-value fields": ``Q5_1`` ... with 1 or blank; the question text row says
    ``Question - Choice``, the ImportId row the choice."""
    fx = write_fixture("qualtrics", folder)
    heads = [[f"Q5_{j}" for j in (1, 2, 3)], [f"{QUESTION} - {t}" for t in TEXTS],
             [json.dumps({"ImportId": "QID5", "choiceId": str(j)}) for j in (1, 2, 3)]]
    return _rewrite_csv(fx, folder, "split", 17, heads, lambda pick, k: ["1" if j in pick else "" for j in range(3)])


def qualtrics_joined(folder: Path):
    """The default export: the choices joined by a comma without a space."""
    fx = write_fixture("qualtrics", folder)
    heads = [["Q5"], [QUESTION], [json.dumps({"ImportId": "QID5"})]]
    return _rewrite_csv(fx, folder, "joined", 17, heads, lambda pick, k: [",".join(TEXTS[j] for j in pick)])


def kobotoolbox_both(folder: Path):
    """The joined column ``channels`` ("sms app") and its per-option 0/1 copies ``channels/sms`` ..."""
    fx = write_fixture("kobotoolbox", folder)
    heads = [["channels"] + [f"channels/{o}" for o in KOBO]]
    return _rewrite_csv(fx, folder, "both", 4, heads, lambda pick, k: [" ".join(KOBO[j] for j in pick)]
                        + [("1" if j in pick else "0") if pick or k % 2 else "" for j in range(3)], delimiter=";")


def kobotoolbox_separate(folder: Path):
    """Only the per-option columns, inside a group: ``contact/channels/sms`` ..., 0/1."""
    fx = write_fixture("kobotoolbox", folder)
    heads = [[f"contact/channels/{o}" for o in KOBO]]
    return _rewrite_csv(fx, folder, "separate", 4, heads,
                        lambda pick, k: ["1" if j in pick else "0" for j in range(3)], delimiter=";")


#: layout -> (builder, the demographic's column, its codes, options identified by labels)
LAYOUTS = {
    "surveymonkey": (surveymonkey, QUESTION, ["1", "2", "3"], True),
    "limesurvey_codes": (limesurvey_codes, "channels", ["1", "2", "3"], False),
    "limesurvey_answers": (limesurvey_answers, QUESTION, ["1", "2", "3"], True),
    "limesurvey_sav": (limesurvey_sav, "channels", ["1", "2", "3"], False),
    "qualtrics_split": (qualtrics_split, "Q5", ["1", "2", "3"], False),
    "qualtrics_joined": (qualtrics_joined, "Q5", ["1", "2", "3"], True),
    "kobotoolbox_both": (kobotoolbox_both, "channels", KOBO, False),
    "kobotoolbox_separate": (kobotoolbox_separate, "channels", KOBO, False),
}


def _questionnaire(column: str, codes: list[str]):
    spec = yaml.safe_load(QUESTIONNAIRE.read_text(encoding="utf-8"))
    values = {c: {"en": t, "fa": t} for c, t in zip(codes, TEXTS)}
    spec["demographics"].append({"id": "channels", "name": {"en": "Channels used", "fa": "کانال‌ها"},
                                 "column": column, "multiple": True, "values": values})
    return questionnaire_from_dict(spec)


def _count(chosen: list[list[int]], rows, codes: list[str]) -> dict:
    """The multiple-response counts of the kept rows (data row numbers ``rows``), by definition."""
    picks = [chosen[r - 1] for r in rows]
    answering = [p for p in picks if p]
    return {"options": {codes[j]: sum(j in p for p in answering) for j in range(3)},
            "answering": len(answering), "choices": sum(len(p) for p in answering),
            "missing": len(picks) - len(answering)}


def _check_table(rows: list[dict], exp: dict, codes: list[str]) -> None:
    options = [r for r in rows if r["row"] == "option"]
    assert [r["value"] for r in options] == codes
    assert {r["value"]: r["frequency"] for r in options} == exp["options"]
    total = next(r for r in rows if r["row"] == "total")
    assert (total["frequency"], total["responses"]) == (exp["answering"], exp["choices"])
    assert next((r["frequency"] for r in rows if r["row"] == "no_answer"), 0) == exp["missing"]
    for r in options:  # exact arithmetic on the independent counts (1e-12 relative)
        assert r["percent_of_respondents"] == pytest.approx(100 * exp["options"][r["value"]] / exp["answering"],
                                                            rel=1e-12)


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_the_option_columns_are_read_as_one_multiselect_demographic(layout, tmp_path):
    build, column, codes, by_label = LAYOUTS[layout]
    path, chosen = build(tmp_path)
    q = _questionnaire(column, codes)
    result = ingest(q, path)
    led = result.ledger
    assert led.input_rows == 425
    exp = _count(chosen, result.rows, codes)
    kept = result.demographics["channels"]
    # the stored cells are the chosen codes joined by ';', row by row
    assert kept.tolist() == [";".join(codes[j] for j in chosen[r - 1]) or None for r in result.rows]
    study = loyaltysurvey.analyze(q, path, method="cb", bootstrap=0)
    _check_table(study.to_json()["demographics"]["channels"], exp, codes)
    assert not [n for n in led.warnings if n.code.startswith(("unknown_demographic", "demographic_not_found"))]
    # the ledger names the combined columns; the other demographics' counts are unchanged
    joined = layout in ("qualtrics_joined", "kobotoolbox_both")
    option_headers = led.to_json().get("option_columns", {}).get("channels")
    assert (option_headers is None) if joined else len(option_headers) == 3
    plain = ingest(load_questionnaire(QUESTIONNAIRE), path)
    labelled = led.recoded_cells.get("demographic_labels", 0) - plain.ledger.recoded_cells.get("demographic_labels", 0)
    assert labelled == (exp["answering"] if by_label else 0)  # once per respondent, however many options
    assert result.responses.equals(plain.responses)
    if not joined:  # the option columns are the demographic's, not extra columns
        assert not set(option_headers) & set(result.extra.columns)


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_a_draft_proposes_one_multiple_demographic_for_the_question(layout, tmp_path):
    from loyaltysurvey.questionnaire.draft import draft_from_export
    build, column, codes, _ = LAYOUTS[layout]
    path, chosen = build(tmp_path)
    text = draft_from_export(path)
    qpath = tmp_path / "q.yaml"
    qpath.write_text(text, encoding="utf-8")
    q = load_questionnaire(qpath)
    assert len(q.items) == 25
    assert len(q.demographics) == 5  # the four of the fixture and the checkbox question, nothing else
    multiple = [d for d in q.demographics if d.multiple]
    assert len(multiple) == 1
    demo = multiple[0]
    assert demo.column == column and demo.separator is None
    labels = [demo.values[c].get("en") for c in demo.values]
    if layout == "limesurvey_codes":  # the subquestion codes are all the export says
        assert list(demo.values) == labels == ["SQ001", "SQ002", "SQ003"]
    elif layout.startswith("kobotoolbox"):  # the form's choice names
        assert sorted(demo.values) == sorted(KOBO)
    else:
        assert sorted(labels) == sorted(TEXTS)
    # the options' drafted codes, in the order of the texts (or Kobo's names)
    drafted = [next(c for c in demo.values if demo.values[c].get("en") in (t, k, f"SQ00{j}"))
               for j, (t, k) in enumerate(zip(TEXTS, KOBO), 1)]
    study = loyaltysurvey.analyze(q, path, method="cb", bootstrap=0)
    assert study.cfa is not None
    exp = _count(chosen, study.ingest.rows, drafted)
    rows = study.to_json()["demographics"][demo.id]
    order = list(demo.values)
    exp["options"] = {c: exp["options"][c] for c in order}
    _check_table(rows, exp, order)


def test_kobotoolbox_option_copies_are_not_proposed_beside_the_joined_column(tmp_path):
    from loyaltysurvey.questionnaire.draft import draft_from_export
    path, _ = kobotoolbox_both(tmp_path)
    draft = yaml.safe_load(draft_from_export(path))
    columns = [d["column"] for d in draft["demographics"]]
    assert "channels" in columns
    assert not {"sms", "app", "web", "channels/sms", "channels/app", "channels/web"} & set(columns)
    comments = [line for line in draft_from_export(path).splitlines() if line.startswith("#")]
    assert not [line for line in comments if "sms" in line]  # nor listed as left out


def test_the_qualtrics_separator_leaves_the_qualtrics_fixtures_drafts_unchanged(tmp_path, monkeypatch):
    from loyaltysurvey.ingest import platforms
    from loyaltysurvey.questionnaire.draft import draft_from_export
    paths = [write_fixture(name, tmp_path).path for name in ("qualtrics", "qualtrics_legacy")]
    with_comma = [draft_from_export(p) for p in paths]
    monkeypatch.setitem(platforms.MULTISELECT_SEPARATORS, "qualtrics", None)
    monkeypatch.delitem(platforms.MULTISELECT_SEPARATORS, "qualtrics")
    assert [draft_from_export(p) for p in paths] == with_comma


def test_not_chosen_marks_and_missing_codes_are_no_choice():
    from loyaltysurvey.ingest import adapt_table
    from loyaltysurvey.ingest.readers import RawTable
    from loyaltysurvey.ingest.clean import ingest_table
    spec = {"id": "t", "scale": {"min": 1, "max": 5}, "missing_codes": [-99],
            "constructs": [{"id": "S", "name": "S", "items": [{"id": f"S{k}", "text": "s"} for k in (1, 2, 3)]}],
            "demographics": [{"id": "ch", "multiple": True, "values": {"1": {"en": "SMS", "fa": "پیامک"},
                                                                      "2": {"en": "App", "fa": "اپ"}}}]}
    q = questionnaire_from_dict(spec)
    cells = [("Y", "N"), ("No", "Yes"), ("0", "1"), ("خیر", "false"), ("-99", "۱"), ("", None), ("Y", "Y")]
    headers = ["S1", "S2", "S3", "ch[SQ001]", "ch[SQ002]"]
    table = adapt_table(RawTable.from_rows("x.csv", headers, [[3, 4, 5, a, b] for a, b in cells]), "none")
    result = ingest_table(q, table)
    assert result.demographics["ch"].tolist() == ["1", "2", "2", None, "2", None, "1;2"]
    assert result.ledger.option_columns == {"ch": ["ch[SQ001]", "ch[SQ002]"]}
    assert result.ledger.recoded_cells.get("demographic_labels", 0) == 0  # SQ001 is the code 1


def test_an_option_column_none_of_the_values_is_noticed_as_written(tmp_path):
    path, chosen = surveymonkey(tmp_path)
    spec = yaml.safe_load(QUESTIONNAIRE.read_text(encoding="utf-8"))
    spec["demographics"].append({"id": "channels", "column": QUESTION, "multiple": True,
                                 "values": {"1": {"en": "SMS", "fa": "پیامک"}, "3": {"en": "Web site", "fa": "وب"}}})
    result = ingest(questionnaire_from_dict(spec), path)
    notes = [n for n in result.warnings if n.code == "unknown_demographic_option"]
    with_app = sum(1 in chosen[r - 1] for r in result.rows)
    params = dict(notes[0].params) if notes else {}
    assert len(notes) == 1 and params["n"] == with_app and params["value"] == "Mobile app"
    assert params["row"] == next(r for r in result.rows if 1 in chosen[r - 1])
    assert result.demographics["channels"].tolist() == [
        ";".join(["1", "Mobile app", "3"][k] for k in (0, 2, 1) if k in chosen[r - 1]) or None for r in result.rows]


def test_surveymonkey_other_please_specify_is_an_option_chosen_by_typing(tmp_path):
    from loyaltysurvey.questionnaire.draft import draft_from_export
    fx = write_fixture("surveymonkey", tmp_path)
    other = "Other (please specify)"
    path, chosen = _rewrite_csv(fx, tmp_path, "other", 9, [[QUESTION, "", "", ""], TEXTS + [other]],
                                lambda pick, k: [TEXTS[j] if j in pick else "" for j in range(3)]
                                + ["Telegram, and fax" if k % 5 == 0 else ""])
    chosen = [pick + [3] if k % 5 == 0 else pick for k, pick in enumerate(chosen)]
    qpath = tmp_path / "q.yaml"
    qpath.write_text(draft_from_export(path), encoding="utf-8")
    q = load_questionnaire(qpath)
    demo = next(d for d in q.demographics if d.multiple)
    assert len(q.demographics) == 5 and [demo.values[c].get("en") for c in demo.values] == TEXTS + [other]
    study = loyaltysurvey.analyze(q, path, method="cb", bootstrap=0)
    picks = [chosen[r - 1] for r in study.ingest.rows]
    answering = [p for p in picks if p]
    rows = study.to_json()["demographics"][demo.id]
    assert {r["value"]: r["frequency"] for r in rows if r["row"] == "option"} == {
        str(j + 1): sum(j in p for p in answering) for j in range(4)}
    assert next(r for r in rows if r["row"] == "total")["frequency"] == len(answering)
    assert not [n for n in study.ingest.warnings if n.code == "unknown_demographic_option"]


def test_the_cli_drafts_and_ingests_option_columns_and_ingest_json_names_them(tmp_path):
    import pandas as pd
    from typer.testing import CliRunner
    from loyaltysurvey.cli import app
    path, chosen = limesurvey_codes(tmp_path)
    runner = CliRunner()
    qpath = tmp_path / "drafted.yaml"
    made = runner.invoke(app, ["new", "--from-export", str(path), "--out", str(qpath)])
    assert made.exit_code == 0, made.output
    done = runner.invoke(app, ["ingest", str(qpath), str(path), "--out", str(tmp_path / "o")])
    assert done.exit_code == 0, done.output
    ledger = json.loads((tmp_path / "o" / "ingest.json").read_text(encoding="utf-8"))
    assert ledger["option_columns"] == {"channels": ["channels[SQ001]", "channels[SQ002]", "channels[SQ003]"]}
    clean = pd.read_csv(tmp_path / "o" / "clean.csv", dtype=str, keep_default_na=False)
    study = ingest(load_questionnaire(qpath), path)
    assert clean["channels"].tolist() == [";".join(f"SQ00{j + 1}" for j in chosen[r - 1]) for r in study.rows]
