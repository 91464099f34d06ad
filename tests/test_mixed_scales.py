"""Items on scales of different ranges in one questionnaire (a 0-to-10 construct among 1-to-5 ones).

The chapter names the items on a scale of their own, gives each scale its own table of answer
percentages (with that scale's points), and ranks the constructs (Friedman) on scores rescaled to
a share of each scale's range (POMP; Cohen et al., 1999): on raw scores a 0-to-10 construct would
outrank every 1-to-5 one. Checked against scipy's ``friedmanchisquare`` on the rescaled scores
(the unrescaled test is checked against R's ``friedman.test`` in tests/test_checks_reference.py).
Data: the bundled example as ``loyaltysurvey ingest`` cleans it, its loyalty items mapped to 0-10.
"""

from __future__ import annotations

import pandas as pd
import pytest
import yaml
from scipy.stats import friedmanchisquare

import loyaltysurvey
from loyaltysurvey.report import build_report
from loyaltysurvey.resources import bundled_path

from conftest import REFERENCE


@pytest.fixture(scope="module")
def mixed(tmp_path_factory):
    spec = yaml.safe_load(bundled_path("questionnaires", "crm_loyalty.yaml").read_text(encoding="utf-8"))
    loy = next(c for c in spec["constructs"] if c["id"] == "LOY")
    for item in loy["items"]:
        item["scale"] = {"min": 0, "max": 10}
    path = tmp_path_factory.mktemp("q") / "mixed.yaml"
    path.write_text(yaml.safe_dump(spec, allow_unicode=True), encoding="utf-8")
    data = pd.read_csv(REFERENCE / "data" / "crm_example_clean.csv")
    for col in ("LOY1", "LOY2", "LOY3", "LOY4"):
        data[col] = (data[col] - 1) * 2  # 1..5 -> 0, 2, ..., 8 on the 0-to-10 scale
    return loyaltysurvey.analyze(path, data, method="cb"), data


def test_friedman_ranks_shares_of_each_scale(mixed):
    study, data = mixed
    fr = study.to_json()["construct_tests"]["friedman"]
    assert fr["rescaled"] is True
    scores = study.results.scores[[c.id for c in study.questionnaire.first_order]].copy()
    scores["LOY"] = scores["LOY"] / 10          # 0-10 -> 0-1
    for cid in scores.columns.drop("LOY"):
        scores[cid] = (scores[cid] - 1) / 4      # 1-5 -> 0-1
    complete = scores.dropna()
    ref = friedmanchisquare(*[complete[c] for c in complete.columns])
    assert fr["chisq"] == pytest.approx(ref.statistic, rel=1e-10)
    assert fr["pvalue"] == pytest.approx(ref.pvalue, rel=1e-8)
    raw = friedmanchisquare(*[study.results.scores.loc[complete.index, c] for c in complete.columns])
    assert abs(raw.statistic - fr["chisq"]) > 1  # the raw scores would rank otherwise


def test_same_scales_are_not_rescaled():
    study = loyaltysurvey.analyze(bundled_path("questionnaires", "crm_loyalty.yaml"),
                                  bundled_path("questionnaires", "crm_loyalty_example.csv"), method="cb")
    assert study.to_json()["construct_tests"]["friedman"]["rescaled"] is False


@pytest.mark.parametrize("lang, said, note", [
    ("en", "Items on a scale of their own: LOY1 (0–10), LOY2 (0–10), LOY3 (0–10), and LOY4 (R) (0–10).",
     "percent of maximum possible"),
    ("fa", "گویه‌هایی که طیف جداگانه دارند:", "درصد بیشینهٔ ممکن"),
])
def test_chapter_tables_per_scale(mixed, lang, said, note):
    study, _ = mixed
    report = build_report(study.results, lang)
    tables = {t.id: t for t in report.tables}
    first, second = tables["distribution"], tables["distribution_2"]
    assert len(first.columns) == 1 + 5 and len(second.columns) == 1 + 11
    assert [row[0].value.split()[0] for row in second.rows] == ["LOY1", "LOY2", "LOY3", "LOY4"]  # LOY4 reverse-worded
    assert not any(row[0].value.startswith("LOY") for row in first.rows)
    text = " ".join(b.text for s in report.sections for b in s.blocks if type(b).__name__ == "Paragraph")
    assert said in text
    assert any(note in n for n in tables["friedman"].notes)
