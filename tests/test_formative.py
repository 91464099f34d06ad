"""Formative (mode B) constructs are assessed as Hair, Risher, et al. (2019) ask, not by the reflective criteria.

A formative construct is formed by its items, which need not correlate: internal consistency (alpha,
omega, rho_A, rho_C), AVE, HTMT, KMO/Bartlett and the .708 loading threshold do not apply to it. It is
judged by its indicators' collinearity (VIF) and its outer weights: an indicator whose weight is not
significant is kept when its loading is at least .50 (Hair, Risher, Sarstedt & Ringle, 2019, European
Business Review 31(1), Table/Figure on formative measurement models). The data here are built so that
the answer is known: three uncorrelated indicators form the construct and a fourth is noise.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import loyaltysurvey
from loyaltysurvey.analysis.pls_stage import pls_checks
from loyaltysurvey.questionnaire import questionnaire_from_yaml
from loyaltysurvey.report import build_report
from loyaltysurvey.report.document import Paragraph, Table

YAML = """
id: hotel
title: "Hotel stays"
language: en
scale: {min: 1, max: 7}
constructs:
  - id: ROOM
    name: {en: "Room quality", fa: "کیفیت اتاق"}
    mode: B
    items: [{id: RM1, text: "Clean"}, {id: RM2, text: "Comfortable"}, {id: RM3, text: "Noise"}, {id: RM4, text: "Amenities"}]
  - id: SAT
    name: {en: "Satisfaction", fa: "رضایت"}
    items: [{id: SA1, text: "Satisfied"}, {id: SA2, text: "Beat expectations"}, {id: SA3, text: "Glad"}]
  - id: REV
    name: {en: "Revisit intention", fa: "قصد بازگشت"}
    items: [{id: RV1, text: "Again"}, {id: RV2, text: "Recommend"}, {id: RV3, text: "Return"}]
model: |
  SAT ~ ROOM
  REV ~ SAT
"""


def _data(n: int = 240) -> pd.DataFrame:
    rng = np.random.default_rng(21)
    formed = rng.normal(size=(n, 3))
    room = formed @ np.array([0.5, 0.4, 0.45])
    sat = 0.7 * room / room.std() + rng.normal(scale=0.6, size=n)
    rev = 0.6 * sat + rng.normal(scale=0.7, size=n)

    def likert(x):
        return np.clip(np.round(4 + 1.2 * x), 1, 7)
    frame = pd.DataFrame({"RM1": likert(formed[:, 0]), "RM2": likert(formed[:, 1]), "RM4": likert(formed[:, 2]),
                          "RM3": likert(rng.normal(size=n))})  # RM3 forms nothing
    for prefix, v in (("SA", sat), ("RV", rev)):
        for k in (1, 2, 3):
            frame[f"{prefix}{k}"] = likert(0.85 * v / v.std() + rng.normal(scale=0.5, size=n))
    return frame


@pytest.fixture(scope="module")
def pls_study():
    return loyaltysurvey.analyze(questionnaire_from_yaml(YAML), _data(), method="pls", bootstrap=300, seed=4)


def test_the_reflective_criteria_leave_the_formative_construct_out(pls_study):
    checks = pls_checks(pls_study.pls)
    for key in ("alpha", "rho_a", "cr", "ave"):
        assert "ROOM" not in checks[key], key
    assert not {"RM1", "RM2", "RM3", "RM4"} & set(checks["loading"])
    assert all("ROOM" not in pair for pair in checks["htmt"])
    # the noise indicator: its weight's interval includes 0 and its loading is below .50
    weights = {w["item"]: w for w in pls_study.pls.weight_records}
    loadings = {r["item"]: r["est"] for r in pls_study.pls.loading_records}
    assert weights["RM3"]["ci_lower"] <= 0 <= weights["RM3"]["ci_upper"] and loadings["RM3"] < 0.5
    assert checks["weight"] == ["RM3"]
    for item in ("RM1", "RM2", "RM4"):  # the forming indicators: significant weights
        assert weights[item]["ci_lower"] > 0


def test_without_resamples_no_weight_was_judged():
    study = loyaltysurvey.analyze(questionnaire_from_yaml(YAML), _data(), method="pls", bootstrap=0)
    assert pls_checks(study.pls)["weight"] == []
    report = build_report(study.results, "en")
    pls = next(s for s in report.sections if s.id == "pls")
    text = " ".join(b.text for b in pls.blocks if isinstance(b, Paragraph))
    assert "Outer weights of the formative constructs" not in text  # not tested: no verdict either way


@pytest.mark.parametrize("lang, words", [
    ("en", {"formative": "not applicable (formative)", "weights": "Outer weights of the formative constructs",
            "mardia": "PLS-SEM does not assume normally distributed data"}),
    ("fa", {"formative": "کاربرد ندارد (سازهٔ سازنده)", "weights": "وزن‌های بیرونی سازه‌های سازنده",
            "mardia": "روش حداقل مربعات جزئی فرض نرمال بودن داده‌ها را ندارد"}),
])
def test_the_chapter_assesses_the_formative_construct_by_its_weights(pls_study, lang, words):
    report = build_report(pls_study.results, lang)
    sections = {s.id: s for s in report.sections}
    tables = {b.id: b for s in report.sections for b in s.blocks if isinstance(b, Table)}
    room = "Room quality" if lang == "en" else "کیفیت اتاق"
    # classical reliability: shown, not judged
    row = next(r for r in tables["reliability"].rows if r[0].value == room)
    assert row[-1].value == words["formative"] and not row[3].emphasis
    reliability_text = " ".join(b.text for b in sections["reliability"].blocks if isinstance(b, Paragraph))
    assert room not in reliability_text  # not listed below the threshold
    # KMO and Bartlett: no verdict for it
    kmo_row = next(r for r in tables["kmo_bartlett"].rows if r[0].value == room)
    assert kmo_row[3].value is None and kmo_row[-1].value in ("–", None)
    # PLS: no reliability numbers, loadings unjudged, the weights table with the noise indicator marked
    pls_row = next(r for r in tables["pls_reliability"].rows if r[0].value == room)
    assert all(c.value is None for c in pls_row[1:])
    assert not any(r[2].emphasis for r in tables["pls_loadings"].rows if r[0].value == room)
    weights = tables["pls_formative"]
    assert [r[1].value for r in weights.rows] == ["RM1", "RM2", "RM3", "RM4"]
    assert [r[2].emphasis for r in weights.rows] == [False, False, True, False]
    pls_text = " ".join(b.text for b in sections["pls"].blocks if isinstance(b, Paragraph))
    assert words["weights"] in pls_text and "RM3" in pls_text
    mardia_text = " ".join(b.text for b in sections["multivariate_normality"].blocks if isinstance(b, Paragraph))
    assert words["mardia"] in mardia_text
    refs = " ".join(report.references)
    assert "Diamantopoulos, A., & Winklhofer" in refs and "Hair, J. F., Risher, J. J." in refs


def test_cb_sem_says_it_models_the_formative_construct_as_reflective():
    study = loyaltysurvey.analyze(questionnaire_from_yaml(YAML), _data(), method="cb")
    notes = [n for n in study.notices if n.code == "formative_in_cb"]
    assert [dict(n.params)["construct"] for n in notes] == ["ROOM"]
    for lang, words in (("en", "estimates every construct as reflective"), ("fa", "هر سازه را انعکاسی")):
        report = build_report(study.results, lang)
        assert any(words in b.text for s in report.sections for b in s.blocks if hasattr(b, "text")
                   and isinstance(b.text, str)), lang
