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
