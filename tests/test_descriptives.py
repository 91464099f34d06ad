"""Frequency tables and scale-point percentages, checked against independent computations.

SPSS's FREQUENCIES layout (frequency, percent of all cases, valid percent, cumulative
percent) is recomputed here with pandas ``value_counts``; scale-point percentages with
``numpy``. Data: the bundled example as ``loyaltysurvey ingest`` cleans it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from loyaltysurvey.analysis import frequency_table, scale_distribution

from conftest import REFERENCE


@pytest.fixture(scope="module")
def clean():
    return pd.read_csv(REFERENCE / "data" / "crm_example_clean.csv", dtype={"gender": object, "education": object})


def test_frequency_table_matches_value_counts(clean):
    column = clean["education"].where(clean.index % 37 != 0)  # some missing answers
    table = frequency_table(column, order=["1", "2", "3", "4", "5"])
    counts = column.value_counts()
    valid = column.notna().sum()
    body = table[table["value"].notna()]
    assert list(body["value"]) == ["1", "2", "3", "4", "5"]
    for row in body.itertuples():
        assert row.frequency == counts.get(row.value, 0)
        assert row.percent == pytest.approx(100 * counts.get(row.value, 0) / len(column))
        assert row.valid_percent == pytest.approx(100 * counts.get(row.value, 0) / valid)
    assert body["cumulative_percent"].iloc[-1] == pytest.approx(100.0)
    missing = table[table["value"].isna()].iloc[0]
    assert missing["frequency"] == column.isna().sum()


def test_scale_distribution_matches_numpy(clean):
    items = ["KCF1", "SAT2", "LOY4"]
    table = scale_distribution(clean[items], range(1, 6))
    for item in items:
        x = clean[item].dropna().to_numpy()
        for point in range(1, 6):
            assert table.loc[item, point] == pytest.approx(100 * np.mean(x == point))


@pytest.mark.parametrize("lang, no_answer, total", [("en", "No answer", "Total"), ("fa", "بدون پاسخ", None)])
def test_no_answer_is_a_category_in_the_chapter(lang, no_answer, total):
    """Unanswered demographics are a «بدون پاسخ» / "No answer" row (never "nan"), with a total row,
    in the chapter built from an export whose gender cells are partly empty (pandas' string columns
    hold such cells as NaN; the frequency table keeps them as None)."""
    import loyaltysurvey
    from loyaltysurvey.report import build_report
    from loyaltysurvey.resources import bundled_path

    data = pd.read_csv(bundled_path("questionnaires", "crm_loyalty_example.csv"), dtype=str)
    data.loc[data.index % 20 == 0, "gender"] = None
    study = loyaltysurvey.analyze(bundled_path("questionnaires", "crm_loyalty.yaml"), data, method="cb")
    gender = study.results.demographics["gender"]
    missing = int(gender["frequency"].iloc[-1])  # the 21 emptied here, and any already unanswered
    assert gender["value"].iloc[-1] is None and missing >= 21
    report = build_report(study.results, lang)
    table = next(t for t in report.tables if t.id == "demographic_gender")
    labels = [row[0].value for row in table.rows]
    assert labels[-2] == no_answer and "nan" not in labels
    assert table.rows[-2][1].value == missing and table.rows[-1][1].value == study.n
    if total:
        assert labels[-1] == total


@pytest.mark.parametrize("lang, labels", [("en", {"18-25", "26-35", "MBA2"}), ("fa", {"۱۸-۲۵", "۲۶-۳۵", "MBA2"})])
def test_answers_without_value_labels_are_named_in_the_chapter_digits(lang, labels):
    """A demographic without ``values:`` is named by the answers as read: «۲۶-۳۵» and "26-35" in
    the export are one category, written in the chapter's digits; an answer with Latin letters
    keeps its own."""
    import yaml

    import loyaltysurvey
    from loyaltysurvey.questionnaire import questionnaire_from_yaml
    from loyaltysurvey.report import build_report
    from loyaltysurvey.resources import bundled_path

    raw = yaml.safe_load(bundled_path("questionnaires", "crm_loyalty.yaml").read_text(encoding="utf-8"))
    for demo in raw["demographics"]:
        if demo["id"] == "age_group":
            del demo["values"]
    questionnaire = questionnaire_from_yaml(yaml.safe_dump(raw, allow_unicode=True))
    data = pd.read_csv(bundled_path("questionnaires", "crm_loyalty_example.csv"), dtype=str)
    data["age_group"] = np.array(["18-25", "26-35", "۲۶-۳۵", "MBA2"])[data.index % 4]
    study = loyaltysurvey.analyze(questionnaire, data, method="cb")
    table = next(t for t in build_report(study.results, lang).tables if t.id == "demographic_age_group")
    categories = {row[0].value: row[1].value for row in table.rows[:-1]}
    assert set(categories) == labels
    merged = "۲۶-۳۵" if lang == "fa" else "26-35"  # both spellings, about half of the rows
    assert categories[merged] > 1.5 * max(v for k, v in categories.items() if k != merged)


@pytest.mark.parametrize("lang", ["en", "fa"])
def test_the_sample_paragraph_says_none_plainly(lang):
    """Nothing excluded, recoded or flagged reads as a plain sentence, not as counts of zero;
    the bundled export (5 duplicates, recoded cells) keeps the counting sentences."""
    import loyaltysurvey
    from loyaltysurvey.report import build_report
    from loyaltysurvey.resources import bundled_path

    expect = {"en": ("all of which were kept", "No answer cell needed recoding",
                     "No respondent gave the same answer", "of which 5 duplicate submissions were excluded"),
              "fa": ("که همهٔ آن‌ها در تحلیل باقی ماندند", "هیچ خانه‌ای از پاسخ‌ها به بازکدگذاری نیاز نداشت",
                     "هیچ پاسخ‌دهنده‌ای به همهٔ گویه‌ها پاسخ یکسان نداد", "۵ پاسخ تکراری کنار گذاشته شد")}[lang]
    questionnaire = bundled_path("questionnaires", "crm_loyalty.yaml")
    raw = pd.read_csv(bundled_path("questionnaires", "crm_loyalty_example.csv"), dtype=str)
    study = loyaltysurvey.analyze(questionnaire, raw, method="cb")
    first = next(s for s in build_report(study.results, lang).sections if s.id == "sample").blocks[0].text
    assert expect[3] in first and expect[0] not in first and expect[1] not in first
    from loyaltysurvey.ingest import ingest
    from loyaltysurvey.questionnaire import load_questionnaire

    clean = ingest(load_questionnaire(questionnaire), raw).responses  # numbers, one row per respondent
    clean = clean[clean.std(axis=1) > 0].reset_index()  # no straight-liner; the ids a column again
    study = loyaltysurvey.analyze(questionnaire, clean, method="cb")
    first = next(s for s in build_report(study.results, lang).sections if s.id == "sample").blocks[0].text
    assert all(sentence in first for sentence in expect[:3]) and expect[3] not in first


def test_bands_of_a_numeric_demographic_count_every_answer_once():
    """Bands ``x < e1``, ``e1 <= x < e2``, ..., ``x >= ek`` counted by hand; the summary against numpy."""
    from loyaltysurvey.analysis.descriptives import banded_frequency_table

    rng = np.random.default_rng(3)
    ages = np.round(rng.normal(38, 11, 400)).clip(18, 80)
    values = pd.Series([None if k % 25 == 0 else f"{a:g}" for k, a in enumerate(ages)], dtype=object)
    answered = ages[[k % 25 != 0 for k in range(len(ages))]]
    table, summary = banded_frequency_table(values, [25, 35, 45, 55])
    body = table[table["value"].notna()]
    assert body["value"].tolist() == ["<25", "25–34", "35–44", "45–54", "≥55"]
    assert body["low"].tolist() == [None, 25.0, 35.0, 45.0, 55.0]
    assert body["high"].tolist() == [25.0, 35.0, 45.0, 55.0, None]
    bounds = [(-np.inf, 25), (25, 35), (35, 45), (45, 55), (55, np.inf)]
    assert body["frequency"].tolist() == [int(((answered >= lo) & (answered < hi)).sum()) for lo, hi in bounds]
    assert table["frequency"].iloc[-1] == 16 and table["frequency"].sum() == 400  # the no-answer row
    assert body["valid_percent"].sum() == pytest.approx(100.0)
    assert summary["n"] == len(answered) and summary["integer"] is True
    assert summary["mean"] == pytest.approx(np.mean(answered)) and summary["sd"] == pytest.approx(np.std(answered, ddof=1))
    assert summary["median"] == np.median(answered) and (summary["min"], summary["max"]) == (answered.min(), answered.max())
    whole, _ = banded_frequency_table(values, [])  # no edges: one band of every answer
    assert whole["value"].tolist() == ["all", None] and whole["frequency"].tolist() == [384, 16]


@pytest.mark.parametrize("low, high", [(18, 78), (0.2, 3.9), (1000, 98000), (-5, 5), (0, 13)])
def test_round_bands_cover_the_range_in_at_most_eight(low, high):
    from loyaltysurvey.analysis.descriptives import MAX_BANDS, nice_edges

    numbers = np.linspace(low, high, 50)
    edges = nice_edges(numbers)
    assert 2 <= len(edges) + 1 <= MAX_BANDS
    assert list(edges) == sorted(edges) and low < edges[0] and edges[-1] <= high
    width = edges[1] - edges[0] if len(edges) > 1 else None
    if width:  # one round width: 1, 2 or 5 times a power of ten, and every edge a multiple of it
        mantissa = width / 10 ** np.floor(np.log10(width))
        assert round(mantissa, 9) in (1.0, 2.0, 5.0)
        assert all(abs(e / width - round(e / width)) < 1e-9 for e in edges)


def test_grouping_by_an_age_in_years_compares_its_bands():
    """--group on a demographic answered as a number compares its bands (named as its table names
    them, in band order), not one group per year; too many small bands are refused with the way out."""
    from loyaltysurvey.errors import DataError
    from loyaltysurvey.report import build_report

    study = _age_study([str(a) for a in range(18, 61)], bins=[30, 45], group="age")
    groups = study.results.groups
    assert groups.order == ("<30", "30–44", "≥45") and sum(groups.nobs.values()) == 360  # listwise
    tables = {t.id: t for t in build_report(study.results, "fa").tables}
    sizes = tables["group_sizes"]
    assert [row[0].value for row in sizes.rows] == ["کمتر از ۳۰", "۳۰ تا ۴۴", "۴۵ و بیشتر"]
    with pytest.raises(DataError, match="give it fewer, wider bands with bins in the questionnaire"):
        _age_study([str(a) for a in range(18, 90)], group="age")


def _age_study(ages, bins=None, lang="en", group=None):
    import yaml

    import loyaltysurvey
    from loyaltysurvey.questionnaire import questionnaire_from_yaml
    from loyaltysurvey.resources import bundled_path

    raw = yaml.safe_load(bundled_path("questionnaires", "crm_loyalty.yaml").read_text(encoding="utf-8"))
    raw["demographics"].append({"id": "age", "name": {"en": "Age", "fa": "سن"}, **({"bins": bins} if bins else {})})
    questionnaire = questionnaire_from_yaml(yaml.safe_dump(raw, allow_unicode=True))
    data = pd.read_csv(bundled_path("questionnaires", "crm_loyalty_example.csv"), dtype=str)
    number = data["respondent_id"].str[1:].astype(int)  # by respondent, so that duplicate rows stay duplicates
    data["age"] = np.asarray(ages, dtype=object)[(number % len(ages)).to_numpy()]
    return loyaltysurvey.analyze(questionnaire, data, method="cb", **({"group": group} if group else {}))


@pytest.mark.parametrize("lang, rows, note", [
    ("en", ["under 20", "20–29", "30–39", "40–49", "50–59", "60 and over"],
     "Age was answered as a number and is shown in bands; the answers of 420 respondents have a mean of "),
    ("fa", ["کمتر از ۲۰", "۲۰ تا ۲۹", "۳۰ تا ۳۹", "۴۰ تا ۴۹", "۵۰ تا ۵۹", "۶۰ و بیشتر"],
     "سن به‌صورت عدد پاسخ داده شده و در طبقه‌ها آمده است؛ پاسخ ۴۲۰ پاسخ‌دهنده میانگین ")])
def test_an_age_typed_as_a_number_is_shown_in_bands_with_its_mean(lang, rows, note):
    """An age in years (no coded values, 42 distinct answers, some in Persian digits) is a table of
    round bands in the chapter's words and digits, with its mean, SD, median and range in a note,
    not a row per year."""
    from loyaltysurvey.report import build_report

    ages = [str(a) for a in range(18, 60)] + ["۶۰"]  # 43 values; "۶۰" read as 60
    study = _age_study(ages)
    summary = study.results.demographic_summaries["age"]
    expected = 18 + study.results.scored.index.str[1:].astype(int).to_numpy() % 43
    assert summary["n"] == 420 and summary["mean"] == pytest.approx(expected.mean())
    assert study.to_json()["demographic_summaries"]["age"]["edges"] == [20.0, 30.0, 40.0, 50.0, 60.0]
    table = next(t for t in build_report(study.results, lang).tables if t.id == "demographic_age")
    assert [row[0].value for row in table.rows[:-1]] == rows
    assert table.rows[-1][1].value == 420 and len(table.rows) == 7
    assert table.notes[0].startswith(note)
    from loyaltysurvey.report.locale import load_locale
    assert table.notes[0][len(note):].startswith(load_locale(lang).num(expected.mean(), "dec2"))


def test_bins_from_the_questionnaire_band_even_a_few_distinct_numbers():
    study = _age_study(["22", "31", "47", "52"], bins=[30, 50])
    table = study.results.demographics["age"]
    assert table["value"].tolist() == ["<30", "30–49", "≥50"] and table["frequency"].sum() == 420
    assert table["frequency"].tolist() == [
        int(sum(k in band for k in study.results.scored.index.str[1:].astype(int) % 4)) for band in ({0}, {1, 2}, {3})]


def test_a_dozen_distinct_numbers_or_text_keep_a_row_each():
    assert study_rows(["1", "2", "3"]) == ["1", "2", "3"]  # a count of children: one row per answer
    few = [str(k) for k in range(1, 13)]
    assert study_rows(few) == few
    assert len(study_rows([str(k) for k in range(1, 14)])) < 13  # thirteen distinct: bands


def test_bins_on_answers_that_are_not_all_numbers_are_noticed():
    study = _age_study(["22", "31", "about 40"], bins=[30])
    assert study.results.demographics["age"]["value"].tolist() == ["22", "31", "about 40"]
    assert "age" not in study.results.demographic_summaries
    assert any(n.code == "bins_not_numeric" and n.subject == "age" for n in study.results.notices)


def study_rows(ages):
    return _age_study(ages).results.demographics["age"]["value"].tolist()


@pytest.mark.parametrize("bins, message", [("25", "bins must be a list of numbers"),
                                           ([25, "x"], "bins must be a list of numbers"),
                                           ([35, 25], "bins must increase"),
                                           ([25, 25], "bins must increase")])
def test_bins_are_checked_at_their_yaml_line(tmp_path, bins, message):
    import yaml

    from loyaltysurvey.errors import QuestionnaireError
    from loyaltysurvey.questionnaire import load_questionnaire
    from loyaltysurvey.resources import bundled_path

    raw = yaml.safe_load(bundled_path("questionnaires", "crm_loyalty.yaml").read_text(encoding="utf-8"))
    raw["demographics"].append({"id": "age", "name": "Age", "bins": bins})
    path = tmp_path / "q.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    line = next(k for k, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                if text.strip().startswith("bins:"))
    with pytest.raises(QuestionnaireError, match=message) as info:
        load_questionnaire(path)
    assert info.value.line == line
    raw["demographics"][-1] = {"id": "age", "values": {1: "young"}, "bins": [30]}
    with pytest.raises(QuestionnaireError, match="has coded values: remove its bins"):
        load_questionnaire(_written(tmp_path, raw))
    raw["demographics"][-1] = {"id": "age", "bins": [30, 40.5]}
    assert load_questionnaire(_written(tmp_path, raw)).demographics[-1].bins == (30.0, 40.5)


def _written(tmp_path, raw):
    import yaml

    path = tmp_path / "q2.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


@pytest.mark.parametrize("lang, mark", [("en", "(R)"), ("fa", "(معکوس)")])
def test_the_normality_and_loadings_tables_mark_reverse_worded_items_as_the_descriptives_do(lang, mark):
    import loyaltysurvey
    from loyaltysurvey.report import build_report
    from loyaltysurvey.report.locale import load_locale
    from loyaltysurvey.resources import bundled_path

    study = loyaltysurvey.analyze(bundled_path("questionnaires", "crm_loyalty.yaml"),
                                  bundled_path("questionnaires", "crm_loyalty_example.csv"), bootstrap=0)
    assert load_locale(lang).t("marks.reverse") == mark
    reverse = {i.id for c in study.questionnaire.constructs for i in c.items if i.reverse}
    assert reverse
    tables = {t.id: t for t in build_report(study.results, lang).tables}
    for table_id, column in (("items", 0), ("normality", 0), ("loadings", 1), ("pls_loadings", 1)):
        labels = [row[column].value for row in tables[table_id].rows]
        assert {label.split()[0] for label in labels if label.endswith(mark)} == reverse, table_id
        assert any(note.startswith(mark) for note in tables[table_id].notes)


@pytest.mark.parametrize("lang, expected", [
    ("en", "Tables 4.5 and 4.6 and Figures 4.1 and 4.2 show the distribution of the respondents by gender and "
           "education."),
    ("fa", "جدول‌های ۴-۵ و ۴-۶ و شکل‌های ۴-۱ و ۴-۲ توزیع پاسخ‌دهندگان را بر حسب جنسیت و تحصیلات نشان می‌دهند."),
])
def test_two_demographics_are_named_as_a_pair_not_a_range(lang, expected):
    import dataclasses
    import loyaltysurvey
    from loyaltysurvey.datasets import crm_export, crm_questionnaire
    from loyaltysurvey.report import build_report

    q = crm_questionnaire()
    q = dataclasses.replace(q, demographics=tuple(d for d in q.demographics if d.id in ("gender", "education")))
    study = loyaltysurvey.analyze(q, crm_export(), method="cb")
    first = next(s for s in build_report(study.results, lang).sections if s.id == "demographics").blocks[0].text
    assert first == expected
