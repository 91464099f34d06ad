"""PLS-SEM moderation by an observed variable (a demographic or an item), against seminr 2.3.2.

Reference: tests/reference/pls_observed_moderator_reference.json, written by
tests/reference/make_pls_observed_moderator_reference.R: seminr's mobi, PERV1 as the observed
moderator (``single_item("PERV1")``), ``CUSA ~ IMAG + PERV1 + IMAG*PERV1`` with
``interaction_term(method = product_indicator | two_stage | orthogonal)``. Here PERV1 is a
demographic of the questionnaire, which ``analyze`` turns into a single-item composite.
The interaction's path is reported for its standardized score (SmartPLS's standardized product
term); seminr rescales the interaction's score first (``adjust_interaction``), so its path equals
ours divided by ``pls.interaction_scale[term]``, which is what is compared. The reference holds the
same three methods for two constructs (IMAG x CUEX), checked the same way on the PLS engine.
Tolerances: paths and R² 1e-6 absolute (seminr stops its iterations at 1e-7).
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

import loyaltysurvey
from loyaltysurvey.questionnaire import QuestionnaireBuilder

HERE = Path(__file__).parent
REF = json.loads((HERE / "reference" / "pls_observed_moderator_reference.json").read_text())
MOBI = HERE.parent.parent / "shared" / "data" / "mobi.csv"


@pytest.fixture(scope="module")
def mobi() -> pd.DataFrame:
    if not MOBI.exists():
        pytest.skip("../shared/data/mobi.csv is not present beside the project (CI always has it)")
    frame = pd.read_csv(MOBI)
    return frame.assign(respondent_id=[f"R{k}" for k in range(len(frame))])


def questionnaire():
    return (QuestionnaireBuilder("mobi_moderated", scale=(1, 10))
            .construct("IMAG", "Image", [f"IMAG{i}" for i in range(1, 6)])
            .construct("CUSA", "Satisfaction", ["CUSA1", "CUSA2", "CUSA3"])
            .demographic("PERV1", "Perceived value (one item)")
            .model("CUSA ~ IMAG + PERV1 + IMAG:PERV1").build())


@pytest.mark.parametrize("method", ["product_indicator", "two_stage", "orthogonal"])
def test_a_demographic_moderates_as_seminrs_single_item(mobi, method):
    study = loyaltysurvey.analyze(questionnaire(), mobi, method="pls", bootstrap=0, pls_interaction=method)
    ref = REF[method]
    paths = {(p["from"], p["to"]): p["est"] for p in study.to_json()["pls"]["paths"]}
    assert paths[("IMAG", "CUSA")] == pytest.approx(ref["paths"]["IMAG"], abs=1e-6)
    assert paths[("PERV1", "CUSA")] == pytest.approx(ref["paths"]["PERV1"], abs=1e-6)
    scale = study.to_json()["pls"]["interaction_scale"]["IMAG:PERV1"]
    assert paths[("IMAG:PERV1", "CUSA")] / scale == pytest.approx(ref["paths"]["interaction"], abs=1e-6)
    fit = study.pls
    k = list(fit.spec.constructs).index("CUSA")
    assert float(fit.estimate.r2[k]) == pytest.approx(ref["r2"], abs=1e-6)
    assert "pls_interaction_skipped" not in [w["code"] for w in study.to_json()["warnings"]]


def test_the_main_effect_of_an_observed_variable_enters_the_pls_model(mobi):
    """Without an interaction, an item or demographic predictor is a single-item composite too (it was
    left out of the PLS model before), and the IPMA rescales it by its observed range."""
    q = (QuestionnaireBuilder("mobi_main", scale=(1, 10))
         .construct("IMAG", "Image", [f"IMAG{i}" for i in range(1, 6)])
         .construct("CUSA", "Satisfaction", ["CUSA1", "CUSA2", "CUSA3"])
         .demographic("PERV1", "Perceived value (one item)")
         .model("CUSA ~ IMAG + PERV1").build())
    study = loyaltysurvey.analyze(q, mobi, method="pls", bootstrap=0)
    out = study.to_json()["pls"]
    assert {(p["from"], p["to"]) for p in out["paths"]} == {("IMAG", "CUSA"), ("PERV1", "CUSA")}
    ipma = {r["construct"]: r for r in study.pls.importance.rows}
    low, high = mobi["PERV1"].min(), mobi["PERV1"].max()
    assert ipma["PERV1"]["performance"] == pytest.approx(100 * (mobi["PERV1"].mean() - low) / (high - low), abs=1e-9)


@pytest.mark.parametrize("method", ["product_indicator", "two_stage", "orthogonal"])
def test_latent_interactions_equal_seminrs_after_its_rescaling(mobi, method):
    from loyaltysurvey.pls import PLS
    blocks = {"IMAG": [f"IMAG{i}" for i in range(1, 6)], "CUEX": [f"CUEX{i}" for i in range(1, 4)],
              "CUSA": ["CUSA1", "CUSA2", "CUSA3"]}
    fit = PLS(blocks, "CUSA ~ IMAG + CUEX + IMAG:CUEX", interaction=method).fit(mobi)
    ref = REF["latent"][method]
    paths = {(r["from"], r["to"]): r["est"] for r in fit.path_records}
    assert paths[("IMAG", "CUSA")] == pytest.approx(ref["paths"]["IMAG"], abs=1e-6)
    assert paths[("CUEX", "CUSA")] == pytest.approx(ref["paths"]["CUEX"], abs=1e-6)
    scale = fit.interaction_scale["IMAG:CUEX"]
    assert scale == pytest.approx(ref["sd_interaction_score"], abs=1e-6)  # seminr's rescaled score's SD
    assert paths[("IMAG:CUEX", "CUSA")] / scale == pytest.approx(ref["paths"]["interaction"], abs=1e-6)
    k = list(fit.spec.constructs).index("CUSA")
    assert float(fit.estimate.r2[k]) == pytest.approx(ref["r2"], abs=1e-6)


def test_the_chapter_names_a_demographic_moderator_by_its_question(mobi):
    """The PLS moderation section names PERV1 by the demographic's name, not by its id."""
    from loyaltysurvey.report import build_report, render_markdown
    study = loyaltysurvey.analyze(questionnaire(), mobi, method="pls", bootstrap=30)
    text = render_markdown(build_report(study.results, "en"))
    section = text[text.index("PLS-SEM moderation"):]
    assert "Perceived value (one item)" in section and "of PERV1" not in section
