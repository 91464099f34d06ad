"""The bundled example: regenerated exactly by its generator, and its population model is recovered."""

from __future__ import annotations

import pandas as pd
import pytest

from loyaltysurvey.analysis import score_items
from loyaltysurvey.example import PATHS, messy_export, population_covariance, simulate_responses, write_example
from loyaltysurvey.resources import bundled_path
from loyaltysurvey.sem import SEM
from loyaltysurvey.workflow import run_ingest

from conftest import REFERENCE


def test_committed_example_is_the_generators_output(tmp_path):
    fresh = write_example(tmp_path / "example.csv")
    committed = bundled_path("questionnaires", "crm_loyalty_example.csv")
    assert fresh.read_bytes() == committed.read_bytes()


def test_export_is_messy_as_documented(crm_questionnaire):
    frame = messy_export(crm_questionnaire)
    assert len(frame) == 425 and frame["respondent_id"].nunique() == 420
    text = frame.astype(str).to_numpy().ravel()
    assert any(any(ch in "۰۱۲۳۴۵۶۷۸۹" for ch in cell) for cell in text)
    assert any(any(ch in "٠١٢٣٤٥٦٧٨٩" for ch in cell) for cell in text)
    assert "موافقم" in set(text) and "Agree" in set(text) and "-99" in set(text)
    assert "Q1. The company treats me as an individual customer" in frame.columns


def test_bundled_example_ingests_to_the_reference_clean_data(tmp_path, crm_questionnaire):
    result = run_ingest(bundled_path("questionnaires", "crm_loyalty.yaml"),
                        bundled_path("questionnaires", "crm_loyalty_example.csv"), tmp_path)
    led = result.ledger
    assert (led.input_rows, led.respondents, led.duplicate_rows) == (425, 420, 5)
    assert led.input_rows == led.respondents + len(led.excluded)
    assert [e["value"] for e in led.out_of_range] == ["55", "7"]
    assert len(led.straightliners) == 3
    reference = pd.read_csv(REFERENCE / "data" / "crm_example_clean.csv", dtype={"respondent_id": str})
    ours = pd.read_csv(tmp_path / "clean.csv", dtype={"respondent_id": str})
    pd.testing.assert_frame_equal(ours, reference)


def test_latent_scores_follow_the_population_model(crm_questionnaire):
    _, latent = simulate_responses(crm_questionnaire, 20000, seed=11)
    assert (latent.cov() - population_covariance()).abs().to_numpy().max() < 0.03


def test_sem_recovers_the_population_paths(crm_questionnaire):
    """Standardized paths of the questionnaire's model on 20,000 simulated respondents
    are within .03 of the population values (sampling error is about .01 at this n)."""
    answers, _ = simulate_responses(crm_questionnaire, 20000, seed=3)
    fit = SEM(crm_questionnaire.full_syntax).fit(score_items(answers, crm_questionnaire))
    est = fit.params
    for (source, target), value in PATHS.items():
        row = est[(est.op == "~") & (est.lhs == target) & (est.rhs == source)].iloc[0]
        assert row["std_all"] == pytest.approx(value, abs=0.03), (source, target)
