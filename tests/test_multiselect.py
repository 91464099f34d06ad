"""Multi-select (checkbox) demographics, end to end: the questionnaire's ``multiple: true``, the
split of each platform's joined cells at ingestion, the multiple-response table (checked against
counts made here with pandas ``str.split``/``explode``, by definition), results.json, the
refusals as a group or model variable, drafts of exports with a checkbox column, and the chapter
in both languages.
"""

from __future__ import annotations

import csv
import io
import re
import sys
import zlib
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

sys.path.insert(0, str(Path(__file__).resolve().parent))
from platform_fixtures import write_fixture  # noqa: E402

import loyaltysurvey  # noqa: E402
from loyaltysurvey.analysis.descriptives import MULTIPLE_RESPONSE_COLUMNS, multiple_response_table  # noqa: E402
from loyaltysurvey.cli import app  # noqa: E402
from loyaltysurvey.datasets import crm_export  # noqa: E402
from loyaltysurvey.errors import DataError, LoyaltySurveyError, QuestionnaireError  # noqa: E402
from loyaltysurvey.ingest import ingest  # noqa: E402
from loyaltysurvey.ingest.clean import split_options  # noqa: E402
from loyaltysurvey.questionnaire import QuestionnaireBuilder, load_questionnaire  # noqa: E402
from loyaltysurvey.questionnaire.loader import questionnaire_from_dict  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
QUESTIONNAIRE = ROOT / "questionnaires" / "crm_loyalty.yaml"
CHANNELS = {"1": {"en": "SMS", "fa": "پیامک"}, "2": {"en": "Mobile app", "fa": "اپلیکیشن همراه"},
            "3": {"en": "Web site", "fa": "وب‌سایت"}, "4": {"en": "Yes, in branch", "fa": "شعبه"}}


def _spec(**extra) -> dict:
    spec = yaml.safe_load(QUESTIONNAIRE.read_text(encoding="utf-8"))
    spec["demographics"].append({"id": "channels", "name": {"en": "Channels used", "fa": "کانال‌های ارتباطی"},
                                 "multiple": True, "values": CHANNELS, **extra})
    return spec


def _small(**demo) -> "loyaltysurvey.questionnaire.Questionnaire":
    b = QuestionnaireBuilder("t").construct("SAT", "Satisfaction", ["S1", "S2", "S3"])
    b.demographic("ch", "Channels", values=demo.pop("values", CHANNELS), multiple=True, **demo)
    return b.build()


def _frame(cells: list) -> pd.DataFrame:
    n = len(cells)
    return pd.DataFrame({"S1": [(k % 5) + 1 for k in range(n)], "S2": [(k % 4) + 1 for k in range(n)],
                         "S3": [(k % 3) + 2 for k in range(n)], "ch": cells})


# --------------------------------------------------------------------------- the questionnaire

def test_multiple_and_separator_load_and_are_validated_at_their_line(tmp_path):
    q = questionnaire_from_dict(_spec(separator=";"))
    demo = q.demographics[-1]
    assert (demo.multiple, demo.separator) == (True, ";")
    assert not q.demographics[0].multiple and q.demographics[0].separator is None
    for bad, message in (({"multiple": "yes"}, "multiple must be true or false"),
                         ({"separator": ""}, "separator must be the text"),
                         ({"separator": 3}, "separator must be the text")):
        spec = _spec(**bad)
        path = tmp_path / "q.yaml"
        path.write_text(yaml.safe_dump(spec, allow_unicode=True, sort_keys=False), encoding="utf-8")
        key = next(iter(bad))
        line = next(k for k, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                    if text.strip().startswith(f"{key}:"))
        with pytest.raises(QuestionnaireError, match=message) as info:
            load_questionnaire(path)
        assert info.value.line == line
    single = yaml.safe_load(QUESTIONNAIRE.read_text(encoding="utf-8"))
    single["demographics"][0]["separator"] = ";"
    with pytest.raises(QuestionnaireError, match="add 'multiple: true'"):
        questionnaire_from_dict(single)


def test_the_builder_makes_what_the_yaml_makes():
    built = _small(separator=";").demographics[0]
    assert (built.multiple, built.separator, list(built.values)) == (True, ";", ["1", "2", "3", "4"])


# --------------------------------------------------------------------------- ingestion

@pytest.mark.parametrize("platform, cells, expected", [
    ("google_forms", ["SMS, Mobile app", "Web site", "Mobile app, SMS, Web site"], ["1;2", "3", "1;2;3"]),
    ("microsoft_forms", ["SMS;Mobile app;", "Web site;", "Mobile app;SMS;Web site;"], ["1;2", "3", "1;2;3"]),
    ("typeform", ["SMS, Mobile app", "Web site", "Mobile app, SMS, Web site"], ["1;2", "3", "1;2;3"]),
    ("limesurvey", ["SMS, Mobile app", "Web site", "Mobile app, SMS, Web site"], ["1;2", "3", "1;2;3"]),
    ("porsline", ["پیامک، اپلیکیشن همراه", "وب‌سایت", "اپلیکیشن همراه، پیامک، وب‌سایت"], ["1;2", "3", "1;2;3"]),
    (None, ["SMS;Mobile app", "Web site", "3, 1, 2"], ["1;2", "3", "1;2;3"]),
])
def test_each_platform_separator_splits_the_cells_into_codes(platform, cells, expected):
    result = ingest(_small(), _frame(cells * 2), platform=platform)
    assert result.demographics["ch"].tolist() == expected * 2
    # every cell with a label in it counts once (3 cells of labels, twice), whatever its options
    n_labels = sum(any(not p.strip().isdigit() for p in re.split("[;,،]", c) if p.strip()) for c in cells) * 2
    assert result.ledger.recoded_cells.get("demographic_labels", 0) == n_labels
    assert not [n for n in result.warnings if n.code.startswith("unknown_demographic")]


def test_kobotoolbox_joins_its_choice_names_with_spaces():
    q = _small(values={"sms": "SMS", "app": "Mobile app", "web": "Web site"})
    result = ingest(q, _frame(["sms app", "web", "app  sms web", ""]), platform="kobotoolbox")
    assert result.demographics["ch"].tolist() == ["sms;app", "web", "sms;app;web", None]
    assert result.ledger.recoded_cells.get("demographic_labels", 0) == 0


def test_the_demographic_separator_wins_over_the_platform():
    result = ingest(_small(separator="|"), _frame(["SMS | Web site", "Mobile app|"]), platform="google_forms")
    assert result.demographics["ch"].tolist() == ["1;3", "2"]


def test_persian_labels_match_whatever_their_letters_spaces_and_digits():
    # Arabic yeh and kaf, a space or nothing where the label has a zero-width non-joiner, Persian digits
    cells = ["پيامك؛", "وب سايت، شعبه", "وبسایت;۱", "۲;۴", "  ;  ", "-99", "1;-99", "1;1;SMS", None]
    q = _small()
    q = questionnaire_from_dict({**QuestionnaireBuilder("t").construct("SAT", "S", ["S1", "S2", "S3"]).to_dict(),
                                 "missing_codes": [-99],
                                 "demographics": [{"id": "ch", "multiple": True, "values": CHANNELS}]})
    result = ingest(q, _frame(cells))
    # "پيامك؛" has no ';' or ','; the Arabic semicolon is part of the label text and folded away
    assert result.demographics["ch"].tolist() == ["1", "3;4", "1;3", "2;4", None, None, "1", "1", None]
    recoded = result.ledger.recoded_cells
    # labels read as codes, once per cell: cells 1, 2, 3, 7, 8; the missing code of cell 6 is one
    assert recoded["demographic_labels"] == 5
    assert recoded["missing_codes"] == 1
    assert recoded["persian_digits"] == 1  # "۲;۴" (cell 3 already counts as a label)
    assert not [n for n in result.warnings if n.code.startswith("unknown_demographic")]


def test_a_label_that_holds_the_separator_is_one_option():
    result = ingest(_small(), _frame(["Yes, in branch, SMS", "SMS, Yes, in branch", "Yes"]), platform="google_forms")
    assert result.demographics["ch"].tolist()[:2] == ["1;4", "1;4"]
    assert result.demographics["ch"].tolist()[2] == "Yes"  # not a label: noticed below


def test_unknown_options_are_kept_as_written_and_noticed():
    result = ingest(_small(), _frame(["SMS;Fax", "Fax;Telegram;Web site", "SMS", "Telegram"]),
                    platform="microsoft_forms")
    assert result.demographics["ch"].tolist() == ["1;Fax", "3;Fax;Telegram", "1", "Telegram"]
    notes = [n for n in result.warnings if n.code == "unknown_demographic_option"]
    assert len(notes) == 1
    assert dict(notes[0].params) == {"n": 3, "demographic": "ch", "row": 1, "value": "Fax"}
    assert not [n for n in result.warnings if n.code == "unknown_demographic_code"]


def test_without_values_the_options_are_sorted_as_written():
    q = QuestionnaireBuilder("t").construct("SAT", "S", ["S1", "S2", "S3"]).demographic(
        "ch", "Channels", multiple=True).build()
    result = ingest(q, _frame(["b;a;", "10;9", "a", ";"]))
    assert result.demographics["ch"].tolist() == ["a;b", "9;10", "a", None]
    assert not result.warnings or all(not n.code.startswith("unknown_demographic") for n in result.warnings)


def test_split_options_says_what_it_does_without_a_separator():
    assert split_options("a;b, c") == ["a", "b, c"]  # ';' wins when the cell holds one
    assert split_options("a, b،c") == ["a", "b", "c"]
    assert split_options("a  b", " ") == ["a", "b"]


def test_the_cells_are_read_once_per_distinct_text(monkeypatch):
    from loyaltysurvey.ingest import clean
    seen = []
    original = clean._multiple_reader

    def counting(*args, **kwargs):
        read = original(*args, **kwargs)
        return lambda cell: seen.append(cell) or read(cell)

    monkeypatch.setattr(clean, "_multiple_reader", counting)
    result = ingest(_small(), _frame(["SMS;Web site", "SMS;Web site", "SMS"] * 200))
    assert len(result.demographics) == 600
    assert len(seen) <= 3  # two texts (and perhaps the empty cell), not 600 rows


# --------------------------------------------------------------------------- the table

def _expected(cells: pd.Series, order: list[str]) -> dict:
    """The multiple-response counts computed independently: split, explode, dedupe per respondent."""
    cells = cells.reset_index(drop=True)  # one position per respondent (ids may repeat)
    parts = cells.dropna().str.split(";").explode().str.strip()
    parts = parts[parts != ""]
    pairs = parts.reset_index().drop_duplicates()
    counts = pairs.iloc[:, 1].value_counts()
    answering = pairs.iloc[:, 0].nunique()
    total = int(counts.sum())
    return {"counts": {c: int(counts.get(c, 0)) for c in order} | {c: int(n) for c, n in counts.items()},
            "answering": answering, "choices": total, "missing": len(cells) - answering}


def test_the_multiple_response_table_matches_an_independent_count():
    rng = np.random.default_rng(7)
    options = ["1", "2", "3", "4", "5"]
    cells = []
    for _ in range(997):
        chosen = [o for o in options if rng.random() < [0.6, 0.3, 0.15, 0.05, 0.0][int(o) - 1]]
        cells.append(";".join(chosen) if chosen else (None if rng.random() < 0.5 else ""))
    cells[3] = "2;2;1"  # a repeated option counts once
    values = pd.Series(cells, dtype=object).replace("", None)
    table = multiple_response_table(values, order=options)
    exp = _expected(values, options)
    assert list(table.columns) == list(MULTIPLE_RESPONSE_COLUMNS)
    opt = table[table["row"] == "option"]
    assert opt["value"].tolist() == options  # the questionnaire's order, unchosen option included
    assert opt["frequency"].tolist() == [exp["counts"][o] for o in options]
    assert opt["frequency"].tolist()[-1] == 0
    # percentages: exact arithmetic on the independent counts (1e-12 relative)
    np.testing.assert_allclose(opt["percent_of_respondents"], [100 * exp["counts"][o] / exp["answering"]
                                                               for o in options], rtol=1e-12)
    np.testing.assert_allclose(opt["percent_of_responses"], [100 * exp["counts"][o] / exp["choices"]
                                                             for o in options], rtol=1e-12)
    assert opt["percent_of_respondents"].sum() > 100
    assert opt["percent_of_responses"].sum() == pytest.approx(100, rel=1e-12)
    no_answer = table[table["row"] == "no_answer"].iloc[0]
    assert no_answer["frequency"] == exp["missing"] and pd.isna(no_answer["percent_of_respondents"])
    total = table[table["row"] == "total"].iloc[0]
    assert (total["frequency"], total["responses"]) == (exp["answering"], exp["choices"])
    assert total["percent_of_respondents"] == pytest.approx(100 * exp["choices"] / exp["answering"], rel=1e-12)


def test_without_an_order_options_go_by_frequency():
    table = multiple_response_table(pd.Series(["b;c", "c", "a;c", "b"]))
    assert table["value"].tolist()[:3] == ["c", "b", "a"] and pd.isna(table["value"].iloc[3])
    assert table["row"].tolist()[-1] == "total" and "no_answer" not in table["row"].tolist()


# --------------------------------------------------------------------------- the study

def _channels_cell(k: int, lang: str = "en", sep: str = ";") -> str | None:
    """A respondent's channels: labels in either language or codes, as exports write them."""
    chosen = [c for j, c in enumerate(CHANNELS) if (k * (j + 3) + j) % (j + 2) == 0]
    if k % 11 == 0:
        return None
    return sep.join(CHANNELS[c][lang] if k % 3 else c for c in chosen) or ""


@pytest.fixture(scope="module")
def study():
    q = questionnaire_from_dict(_spec())
    frame = crm_export()
    frame["channels"] = [_channels_cell(k) for k in range(len(frame))]
    return loyaltysurvey.analyze(q, frame, method="cb", bootstrap=0), frame


def test_results_json_holds_the_multiple_response_table_and_single_tables_unchanged(study):
    result, frame = study
    out = result.to_json()
    rows = out["demographics"]["channels"]
    assert all(set(r) == set(MULTIPLE_RESPONSE_COLUMNS) for r in rows)
    assert [r["row"] for r in rows] == ["option"] * 4 + ["no_answer", "total"]
    assert set(out["demographics"]["gender"][0]) == {"value", "frequency", "percent", "valid_percent",
                                                     "cumulative_percent"}
    kept = result.ingest.demographics["channels"]
    exp = _expected(kept, list(CHANNELS))
    assert [r["frequency"] for r in rows[:4]] == [exp["counts"][c] for c in CHANNELS]
    assert rows[4]["frequency"] == exp["missing"] and rows[4]["percent_of_respondents"] is None
    assert (rows[5]["frequency"], rows[5]["responses"]) == (exp["answering"], exp["choices"])
    # the stored cells are the respondents' codes: checked against the raw column, row by row
    raw = frame["channels"].to_numpy()[np.asarray(result.ingest.rows) - 1]
    code_of = {v["en"]: c for c, v in CHANNELS.items()} | {c: c for c in CHANNELS}
    expected = [";".join(sorted({code_of[p] for p in cell.split(";")})) if isinstance(cell, str) and cell else None
                for cell in raw]
    assert kept.tolist() == expected


def test_the_chapter_shows_the_table_and_its_note_in_both_languages(study):
    from loyaltysurvey.report import build_report, render_html
    from loyaltysurvey.report.docx import render_docx
    from loyaltysurvey.report.xlsx import render_xlsx
    result, _ = study
    table = result.results.demographics["channels"]
    sms = table.iloc[0]
    for lang, caption, note, column, total, label in (
            ("en", "Distribution of respondents by Channels used (more than one option allowed)",
             "Respondents could choose more than one option; percentages of respondents add up to more than 100.",
             "Percent of respondents", "Total", "SMS"),
            ("fa", "توزیع پاسخ‌دهندگان بر حسب کانال‌های ارتباطی (با امکان انتخاب بیش از یک گزینه)",
             "پاسخ‌دهندگان می‌توانستند بیش از یک گزینه را انتخاب کنند؛ از این رو جمع درصد پاسخ‌دهندگان از ۱۰۰ "
             "بیشتر می‌شود.", "درصد پاسخ‌دهندگان", "جمع", "پیامک")):
        report = build_report(result.results, lang, date(2026, 12, 1))
        page = render_html(report)
        start = page.index('id="table-demographic_channels"')
        block = page[start:page.index("</figure>", start)]
        text = re.sub(r"<[^>]+>", " ", block)
        assert caption in text and note in text and column in text and total in text and label in text
        shown = f"{sms['percent_of_respondents']:.1f}"
        if lang == "fa":
            shown = shown.translate(str.maketrans("0123456789.", "۰۱۲۳۴۵۶۷۸۹٫"))
        assert shown in text
        docx_bytes = render_docx(report)
        import docx
        paragraphs = "\n".join(p.text for p in docx.Document(io.BytesIO(docx_bytes)).paragraphs)
        assert note in paragraphs
        import openpyxl
        book = openpyxl.load_workbook(io.BytesIO(render_xlsx(report)))
        sheet = next(ws for ws in book.worksheets
                     if any(column == c.value for row in ws.iter_rows() for c in row))
        values = [[c.value for c in row] for row in sheet.iter_rows()]
        first = next(r for r in values if r[0] == label)
        assert first[1] == int(sms["frequency"]) and first[2] == pytest.approx(sms["percent_of_respondents"],
                                                                              rel=1e-12)


def test_an_option_that_looks_like_a_formula_is_neutralised_in_excel():
    from loyaltysurvey.report import build_report
    from loyaltysurvey.report.xlsx import render_xlsx
    import openpyxl
    q = questionnaire_from_dict(_spec())
    frame = crm_export()
    frame["channels"] = ["=HYPERLINK(\"x\")" if k % 2 else "SMS" for k in range(len(frame))]
    result = loyaltysurvey.analyze(q, frame, method="cb", bootstrap=0)
    assert any(n.code == "unknown_demographic_option" for n in result.results.notices)
    book = openpyxl.load_workbook(io.BytesIO(render_xlsx(build_report(result.results, "en"))))
    cells = [c.value for ws in book.worksheets for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert "'=HYPERLINK(\"x\")" in cells and "=HYPERLINK(\"x\")" not in cells


# --------------------------------------------------------------------------- refusals

def _files(tmp_path: Path, model: str | None = None) -> tuple[Path, Path]:
    spec = _spec()
    text = yaml.safe_dump(spec, allow_unicode=True, sort_keys=False)
    if model:  # a block, as users write it, so that errors name the line of the formula
        spec.pop("model")
        text = yaml.safe_dump(spec, allow_unicode=True, sort_keys=False)
        text += "model: |\n" + "".join(f"  {line}\n" for line in model.splitlines())
    qpath = tmp_path / "q.yaml"
    qpath.write_text(text, encoding="utf-8")
    frame = crm_export()
    frame["channels"] = [_channels_cell(k) for k in range(len(frame))]
    data = tmp_path / "data.csv"
    frame.to_csv(data, index=False)
    return qpath, data


def test_a_multiselect_group_is_refused_by_the_cli_with_exit_status_2(tmp_path):
    qpath, data = _files(tmp_path)
    result = CliRunner().invoke(app, ["analyze", str(qpath), str(data), "--out", str(tmp_path / "o"),
                                      "--group", "channels"])
    assert result.exit_code == 2, result.output
    assert result.output.count("\n") == 1
    assert "--group 'channels' is a multi-select demographic" in result.output
    assert "own yes/no column" in result.output
    with pytest.raises(LoyaltySurveyError, match="multi-select"):
        loyaltysurvey.analyze(questionnaire_from_dict(_spec()), data, group="channels")


def test_a_multiselect_demographic_in_the_model_is_refused_at_its_line(tmp_path):
    spec = yaml.safe_load(QUESTIONNAIRE.read_text(encoding="utf-8"))
    model = spec["model"].rstrip("\n") + "\nLOY ~ channels\n"
    qpath, _ = _files(tmp_path, model=model)
    text = qpath.read_text(encoding="utf-8").splitlines()
    line = next(k for k, t in enumerate(text, 1) if t.strip() == "LOY ~ channels")
    with pytest.raises(QuestionnaireError, match="multi-select demographic") as info:
        load_questionnaire(qpath)
    assert info.value.line == line
    result = CliRunner().invoke(app, ["validate", str(qpath)])
    assert result.exit_code == 2 and result.output.count("\n") == 1
    assert f"line {line}" in result.output and "yes/no (0/1) column" in result.output


def test_a_questionnaire_object_with_a_multiselect_predictor_is_refused_at_analysis():
    import dataclasses
    from loyaltysurvey.sem.syntax import parse_model
    q = questionnaire_from_dict(_spec())
    q = dataclasses.replace(q, model_statements=q.model_statements + parse_model("LOY ~ channels"))
    frame = crm_export()
    frame["channels"] = "SMS"
    with pytest.raises(DataError, match="multi-select question"):
        loyaltysurvey.analyze(q, frame, method="cb", bootstrap=0)


# --------------------------------------------------------------------------- drafts

#: platform fixture -> (separator written, option texts, header of the checkbox column)
CHECKBOX = {
    "google_forms": (", ", ["SMS", "Mobile app", "Web site"], "Which channels do you use?"),
    "google_forms_fa": (", ", ["پیامک", "اپلیکیشن همراه", "وب‌سایت"], "از کدام کانال‌ها استفاده می‌کنید؟"),
    "microsoft_forms": (";", ["SMS", "Mobile app", "Web site"], "Which channels do you use?"),
    "kobotoolbox": (" ", ["sms", "app", "web"], "contact/channels"),
    "typeform": (", ", ["SMS", "Mobile app", "Web site"], "Which channels do you use?"),
    "porsline": ("، ", ["پیامک", "اپلیکیشن همراه", "وب‌سایت"], "۳۰- از کدام کانال‌ها استفاده می‌کنید؟:"),
    "limesurvey_answers": (", ", ["SMS", "Mobile app", "Web site"], "Which channels do you use?"),
}


def _choice(row: list) -> list[int]:
    """The options a data row chose, from its other cells (exact duplicates choose alike)."""
    h = zlib.crc32("\x1f".join("" if c is None else str(c) for c in row).encode("utf-8"))
    if h % 9 == 0:
        return []
    return [j for j in range(3) if (h >> (3 * j)) % 3 != 0] or [h % 3]


def _add_checkbox(fx, folder: Path, name: str) -> tuple[Path, list[list[int]]]:
    sep, options, header = CHECKBOX[name]
    chosen: list[list[int]] = []
    tail = "" if sep != ";" else ";"  # Microsoft Forms ends every answer with ';'
    if fx.path.suffix == ".xlsx":
        import openpyxl
        book = openpyxl.load_workbook(fx.path)
        ws = book.active
        rows = [[c.value for c in row] for row in ws.iter_rows()]
        ws.insert_cols(3)
        ws.cell(1, 3, header)
        for r, row in enumerate(rows[1:], 2):
            pick = _choice(row)
            chosen.append(pick)
            ws.cell(r, 3, sep.join(options[j] for j in pick) + tail if pick else None)
        path = folder / f"{name}_checkbox.xlsx"
        book.save(path)
        return path, chosen
    text = fx.path.read_text(encoding="utf-8-sig")
    delimiter = ";" if name == "kobotoolbox" else ","
    rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    out = []
    for k, row in enumerate(rows):
        if k < fx.header_rows:
            out.append(row[:2] + [header] + row[2:])
            continue
        pick = _choice(row)
        chosen.append(pick)
        out.append(row[:2] + [sep.join(options[j] for j in pick) + tail if pick else ""] + row[2:])
    path = folder / f"{name}_checkbox.csv"
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        csv.writer(fh, delimiter=delimiter).writerows(out)
    return path, chosen


@pytest.mark.parametrize("name", sorted(CHECKBOX))
def test_a_drafted_checkbox_column_is_a_multiple_demographic_that_analyses(name, tmp_path):
    from loyaltysurvey.questionnaire.draft import draft_from_export
    fx = write_fixture(name, tmp_path)
    path, chosen = _add_checkbox(fx, tmp_path, name)
    text = draft_from_export(path)
    assert "Multi-select, not analysed" not in text
    qpath = tmp_path / "q.yaml"
    qpath.write_text(text, encoding="utf-8")
    q = load_questionnaire(qpath)
    assert len(q.items) == 25 and len(q.demographics) == 5
    demo = next(d for d in q.demographics if d.multiple)
    sep, options, header = CHECKBOX[name]
    assert demo.column == header.rsplit("/", 1)[-1] if name == "kobotoolbox" else demo.column == header
    assert demo.separator is None  # the platform's own separator: not written
    lang = q.language
    labels = {demo.values[c].get(lang): c for c in demo.values}
    assert set(labels) == set(options)
    if name == "kobotoolbox":
        assert sorted(demo.values) == sorted(options)  # the form's choice names are the codes
    else:
        assert sorted(demo.values) == ["1", "2", "3"]
    result = loyaltysurvey.analyze(q, path, method="cb", bootstrap=0)
    assert result.cfa is not None
    kept = np.asarray(result.ingest.rows) - 1
    cells = pd.Series([";".join(labels[options[j]] for j in chosen[r]) or None for r in kept], dtype=object)
    exp = _expected(cells, list(demo.values))
    rows = result.to_json()["demographics"][demo.id]
    got = {r["value"]: r["frequency"] for r in rows if r["row"] == "option"}
    assert got == {c: exp["counts"][c] for c in demo.values}
    assert next(r for r in rows if r["row"] == "total")["frequency"] == exp["answering"]
    assert next((r["frequency"] for r in rows if r["row"] == "no_answer"), 0) == exp["missing"]


def test_a_plain_table_with_semicolons_drafts_the_separator():
    from loyaltysurvey.questionnaire.draft import draft_yaml
    from loyaltysurvey.ingest import adapt_table
    from loyaltysurvey.ingest.readers import RawTable
    frame = crm_export().astype(object).where(crm_export().notna(), None)
    cells = [";".join(["SMS", "Web", "App"][: 1 + k % 3]) for k in range(len(frame))]
    headers = list(frame.columns) + ["channels"]
    rows = [list(r) + [c] for r, c in zip(frame.itertuples(index=False), cells)]
    table = adapt_table(RawTable.from_rows("x.csv", headers, rows), "none")
    draft = yaml.safe_load(draft_yaml(table, "x.csv"))
    entry = next(d for d in draft["demographics"] if d.get("multiple"))
    assert entry["separator"] == ";" and entry["column"] == "channels"
    assert {v["en"] for v in entry["values"].values()} == {"SMS", "Web", "App"}


def test_simulated_respondents_choose_several_options():
    from loyaltysurvey.library.simulate import simulate_responses
    q = _small()
    answers = simulate_responses(q, 2000, seed=3)
    data = ingest(q, answers)
    table = multiple_response_table(data.demographics["ch"], order=list(CHANNELS))
    share = table[table["row"] == "option"]["frequency"].to_numpy() / 2000
    # each option chosen with probability 0.4: within 4 binomial standard errors (sd = 0.011)
    assert np.all(np.abs(share - 0.4) < 4 * np.sqrt(0.4 * 0.6 / 2000))
    nobody = table[table["row"] == "no_answer"]["frequency"].iloc[0] / 2000
    assert abs(nobody - 0.6 ** 4) < 4 * np.sqrt(0.6 ** 4 * (1 - 0.6 ** 4) / 2000)


def test_a_single_answer_demographic_holding_joined_options_is_noticed():
    """A checkbox question declared as a single-answer demographic: its joined answers ("SMS, Web site")
    are tabulated as written (unknown codes) and a notice says it looks multi-select; a demographic whose
    odd answers are not its own options joined gets no such notice."""
    b = QuestionnaireBuilder("t").construct("SAT", "Satisfaction", ["S1", "S2", "S3"])
    q = b.demographic("ch", "Channels", values=CHANNELS).build()
    cells = ["SMS, Web site", "1", "Mobile app, SMS", "2", "SMS, Web site", "3"] * 5
    result = ingest(q, _frame(cells))
    notice = next(n for n in result.ledger.warnings if n.code == "demographic_looks_multiple")
    assert dict(notice.params) == {"n": 15, "demographic": "ch", "row": 1, "value": "SMS, Web site"}
    assert "multiple: true" in notice.message
    assert result.demographics["ch"].tolist()[:2] == ["SMS, Web site", "1"]
    plain = ingest(q, _frame(["Email, fax", "1", "2", "Email, fax"] * 5))
    assert "demographic_looks_multiple" not in {n.code for n in plain.ledger.warnings}
    assert "unknown_demographic_code" in {n.code for n in plain.ledger.warnings}
