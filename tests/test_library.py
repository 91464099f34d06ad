"""The instrument library: every module validates, `new --from-library` writes a valid questionnaire
with the default model, and new -> simulated answers -> analyze runs end to end."""

from __future__ import annotations

import re
from contextlib import nullcontext
from functools import lru_cache
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

import loyaltysurvey
from loyaltysurvey.cli import app
from loyaltysurvey.datasets import crm_questionnaire
from loyaltysurvey.errors import LoyaltySurveyError, ModelError
from loyaltysurvey.library import (MODULE_NAMES, compose, compose_questionnaire, library_module, library_modules,
                                   population_model, simulate_responses)
from loyaltysurvey.library import simulate as sim
from loyaltysurvey.questionnaire.loader import load_questionnaire, questionnaire_from_yaml

runner = CliRunner()
ROOT = Path(__file__).resolve().parents[1]

try:  # on a crowded machine, many BLAS threads per lstsq slow PLSpredict's small regressions tenfold
    from threadpoolctl import threadpool_limits
except ImportError:  # pragma: no cover - only slower
    def threadpool_limits(limits):
        return nullcontext()


@lru_cache(maxsize=None)
def _compose(names: str, lang: str = "fa"):
    return compose_questionnaire(names, lang=lang)[1]


def _load(names: str, lang: str = "fa"):
    """The composed questionnaire, loaded back from its text (composed once per test run)."""
    return _compose(names, lang)


# ----------------------------------------------------------------------------- the modules

@pytest.mark.parametrize("name", MODULE_NAMES)
def test_every_module_validates_alone(name):
    module = library_module(name)
    q = _load(name)
    assert [c.id for c in q] == [c.id for c in module.constructs]
    assert q.references == module.references and module.references
    assert len(q.items) == module.n_items
    assert [d.id for d in q.demographics] == ["gender", "age_group", "education", "tenure"]
    for c in module.constructs:
        assert c.name.get("fa") and c.name.get("en")


def test_library_ids_are_unique_so_any_combination_composes():
    constructs = [c.id for m in library_modules() for c in m.constructs]
    items = [i["id"] for m in library_modules() for c in m.constructs for i in c.spec["items"]]
    assert len(constructs) == len(set(constructs)) == 22
    assert len(items) == len(set(items)) == 75
    assert not set(constructs) & set(items)


def test_texts_are_bilingual_and_persian_is_written_properly():
    arabic = re.compile("[يك]")
    detached_prefix = re.compile(r"(?:^|\s)ن?می\s")   # «می کنم» instead of «می‌کنم»
    for m in library_modules():
        for c in m.constructs:
            texts = [c.spec["name"], c.spec["description"]] + [i["text"] for i in c.spec["items"]]
            for text in texts:
                assert set(text) == {"fa", "en"}, (c.id, text)
                assert text["en"].strip() and text["fa"].strip()
                assert re.search("[\u0600-\u06FF]", text["fa"]), text["fa"]
                assert not arabic.search(text["fa"]), text["fa"]
                assert not detached_prefix.search(text["fa"]), text["fa"]
                assert "~" not in text["fa"]


def test_reliability_is_recorded_honestly():
    """No module claims a published value (none was checked against its source); single items say so."""
    for m in library_modules():
        for c in m.constructs:
            assert c.reliability == ("single item" if c.single_item else "not recorded"), c.id
    assert library_module("ces").constructs[0].reliability_text("fa") == "تک‌گویه (بدون همسانی درونی)"


def test_reliability_values_are_checked_when_a_module_records_them(tmp_path):
    from loyaltysurvey.library.catalog import _read_module
    text = (ROOT / "src/loyaltysurvey/library/modules/trust.yaml").read_text(encoding="utf-8")
    good = tmp_path / "trust.yaml"
    good.write_text(text.replace("reliability: not recorded",
                                 "reliability: {alpha: [0.81, 0.9], where: \"Table 2\"}"), encoding="utf-8")
    assert _read_module(good).constructs[0].reliability_text("en") == "alpha 0.81–0.90 (Table 2)"
    bad = tmp_path / "bad.yaml"
    bad.write_text(text.replace("reliability: not recorded", "reliability: {alpha: 1.3}"), encoding="utf-8")
    with pytest.raises(LoyaltySurveyError, match="between 0 and 1"):
        _read_module(bad)


def test_single_item_scales():
    nps, ces = _load("nps").item("NPS1"), _load("ces").item("CES1")
    assert (nps.scale.min, nps.scale.max, ces.scale.min, ces.scale.max) == (0, 10, 1, 7)
    assert ces.scale.label(7, "fa") == "کاملاً موافقم" and ces.scale.label(4, "en") == "Neutral"


def test_crm_and_satisfaction_agree_with_the_bundled_questionnaire():
    bundled = crm_questionnaire()
    q = _load("crm,satisfaction,loyalty")
    for cid in ("KCF", "CRMO", "KM", "TECH", "SAT"):
        mine, theirs = q.construct(cid), bundled.construct(cid)
        assert mine.name == theirs.name and mine.description == theirs.description
        assert [(i.id, i.text, i.reverse) for i in mine.items] == [(i.id, i.text, i.reverse) for i in theirs.items]
    for new_id, old_id in (("ATL1", "LOY3"), ("ATL2", "LOY2"), ("BEL1", "LOY1"), ("BEL4", "LOY4")):
        assert q.item(new_id).text == bundled.item(old_id).text
        assert q.item(new_id).reverse == bundled.item(old_id).reverse


# ----------------------------------------------------------------------------- the default model

def _paths(q):
    return [(s.rhs, s.lhs, s.label) for s in q.model_statements if s.op == "~"]


def test_default_model_of_crm_satisfaction_loyalty():
    q = _load("loyalty,crm,satisfaction")   # the order given does not matter
    assert q.language == "fa" and q.title.get("en") == ("Customer questionnaire: CRM dimensions, "
                                                         "Customer satisfaction, Customer loyalty")
    assert _paths(q) == [("KCF", "SAT", "h1"), ("CRMO", "SAT", "h2"), ("KM", "SAT", "h3"), ("TECH", "SAT", "h4"),
                         ("SAT", "ATL", "h5"), ("ATL", "BEL", "h6")]
    defined = {s.lhs: s.rhs for s in q.model_statements if s.op == ":="}
    assert defined == {"ind_KCF_SAT_ATL": "h1*h5", "ind_CRMO_SAT_ATL": "h2*h5", "ind_KM_SAT_ATL": "h3*h5",
                       "ind_TECH_SAT_ATL": "h4*h5", "ind_SAT_ATL_BEL": "h5*h6"}
    hyp = [(h.id, h.source, h.through, h.target) for h in q.hypotheses]
    assert hyp == [("H1", "KCF", (), "SAT"), ("H2", "CRMO", (), "SAT"), ("H3", "KM", (), "SAT"),
                   ("H4", "TECH", (), "SAT"), ("H5", "SAT", (), "ATL"), ("H6", "ATL", (), "BEL"),
                   ("H7", "KCF", ("SAT",), "ATL"), ("H8", "CRMO", ("SAT",), "ATL"), ("H9", "KM", ("SAT",), "ATL"),
                   ("H10", "TECH", ("SAT",), "ATL"), ("H11", "SAT", ("ATL",), "BEL")]
    # the bundled questionnaire's wording, with loyalty split in two
    assert q.hypotheses[0].text.get("fa") == crm_questionnaire().hypotheses[0].text.get("fa")
    assert q.hypotheses[10].text.get("fa") == "وفاداری نگرشی در تأثیر رضایت مشتری بر وفاداری رفتاری نقش میانجی دارد."
    assert len(q.references) == 6


def test_default_model_of_every_module():
    q = _load(",".join(MODULE_NAMES), lang="en")
    paths = _paths(q)
    antecedents = ["KCF", "CRMO", "KM", "TECH", "CONF", "SOC", "SPT", "TANG", "RELI", "RESP", "ASSU", "EMPA",
                   "CH", "CES"]
    for target in ("VAL", "SAT", "TRU"):   # the evaluations side by side
        assert [s for s, t, _ in paths if t == target] == antecedents
    assert [s for s, t, _ in paths if t == "COM"] == ["VAL", "SAT", "TRU"]
    assert [s for s, t, _ in paths if t == "ATL"] == ["COM"]
    assert [s for s, t, _ in paths if t == "BEL"] == ["SWC", "ATL"]
    assert [s for s, t, _ in paths if t == "NPS"] == ["SWC", "ATL"]
    assert [label for *_, label in paths] == [f"h{k}" for k in range(1, 51)]
    indirect = [(h.source, h.through, h.target) for h in q.hypotheses if h.through]
    assert indirect == [("VAL", ("COM",), "ATL"), ("SAT", ("COM",), "ATL"), ("TRU", ("COM",), "ATL"),
                        ("COM", ("ATL",), "BEL"), ("COM", ("ATL",), "NPS")]
    assert len(q.hypotheses) == 55 and q.hypotheses[-1].id == "H55"
    nps_text = next(h.text.get("en") for h in q.hypotheses if h.target == "NPS" and not h.through)
    assert nps_text == "Switching costs have a positive effect on the likelihood to recommend (NPS)."
    assert len(q.references) == len({r for m in library_modules() for r in m.references}) == 16


def test_one_stage_gives_no_model():
    q = _load("crm,service_quality")
    assert q.model is None and q.hypotheses == ()


def test_switching_costs_act_on_the_last_stage_only_beyond_the_antecedents():
    assert _paths(_load("crm,switching_costs")) == []
    assert _paths(_load("satisfaction,switching_costs")) == [("SWC", "SAT", "h1")]


def _doc_combinations() -> set[str]:
    found = set()
    for doc in (ROOT / "README.md", ROOT / "docs" / "library.md"):
        found |= set(re.findall(r"--from-library\s+([a-z_,]+)", doc.read_text(encoding="utf-8")))
    return found


def test_combinations_in_the_docs_validate():
    combinations = _doc_combinations()
    assert "crm,satisfaction,loyalty" in combinations and len(combinations) >= 3
    for names in combinations:
        q = _load(names)
        assert q.constructs


def test_compose_refuses_unknown_names_and_languages():
    with pytest.raises(LoyaltySurveyError, match=r"unknown library module 'brand'; available: crm, "):
        compose("crm,brand")
    with pytest.raises(LoyaltySurveyError, match="at least one"):
        compose(" , ")
    with pytest.raises(LoyaltySurveyError, match="fa or en"):
        compose("crm", lang="de")


# ----------------------------------------------------------------------------- the command line

def test_new_writes_a_questionnaire_that_validates(tmp_path):
    out = tmp_path / "study.yaml"
    result = runner.invoke(app, ["new", "--from-library", "crm,satisfaction,loyalty", "--out", str(out),
                                 "--lang", "en", "--title", "My study"])
    assert result.exit_code == 0, result.output
    q = load_questionnaire(out)
    assert q.id == "study" and q.language == "en" and q.title.get("fa") == "My study"
    assert len(q.items) == 29 and len(q.hypotheses) == 11
    text = out.read_text(encoding="utf-8")
    assert text.startswith("# A questionnaire composed from the loyaltysurvey instrument library")
    assert "# Key customer focus: Sin, Tse & Yim (2005). Reported reliability: not recorded." in text
    result = runner.invoke(app, ["validate", str(out)])
    assert result.exit_code == 0 and "valid: 7 constructs, 29 items (3 reverse-worded)" in result.output


def test_new_keeps_odd_titles_and_file_names_intact(tmp_path):
    title = 'He said "yes": 50% \\ # & *x, {a: b}\nsecond line'
    out = tmp_path / "true.yaml"          # a stem YAML would read as true/false stays text
    assert runner.invoke(app, ["new", "--from-library", "nps", "--out", str(out), "--title", title]).exit_code == 0
    q = load_questionnaire(out)
    assert q.title.get("en") == title and q.id == "true"
    out = tmp_path / "پرسشنامه نهایی.yaml"   # not a name: the default id
    assert runner.invoke(app, ["new", "--from-library", "nps,ces", "--out", str(out)]).exit_code == 0
    assert load_questionnaire(out).id == "library-ces-nps"
    result = runner.invoke(app, ["new", "--from-library", "nps", "--out", str(tmp_path / "missing" / "q.yaml")])
    assert result.exit_code == 2 and "cannot write" in result.output


def test_new_refuses_to_overwrite_without_force(tmp_path):
    out = tmp_path / "study.yaml"
    out.write_text("keep me", encoding="utf-8")
    result = runner.invoke(app, ["new", "--from-library", "crm", "--out", str(out)])
    assert result.exit_code == 2
    assert "exists" in result.output and "--force" in result.output and len(result.output.splitlines()) == 1
    assert out.read_text(encoding="utf-8") == "keep me"
    result = runner.invoke(app, ["new", "--from-library", "crm", "--out", str(out), "--force"])
    assert result.exit_code == 0 and [c.id for c in load_questionnaire(out)] == ["KCF", "CRMO", "KM", "TECH"]


def test_new_refuses_unknown_names_in_one_line(tmp_path):
    out = tmp_path / "study.yaml"
    result = runner.invoke(app, ["new", "--from-library", "crm,brand", "--out", str(out)])
    assert result.exit_code == 2 and not out.exists()
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "'brand'" in lines[0] and all(name in lines[0] for name in MODULE_NAMES)
    result = runner.invoke(app, ["new", "--out", str(out)])
    assert result.exit_code == 2 and "--from-library" in result.output and not out.exists()


def test_library_lists_every_module_with_its_source():
    result = runner.invoke(app, ["library"])
    assert result.exit_code == 0
    lines = result.output.strip().splitlines()
    assert [line.split()[0] for line in lines] == list(MODULE_NAMES)
    assert lines[0].endswith("KCF, CRMO, KM, TECH (17 items); Sin, Tse & Yim (2005)")
    assert "(1 item); Reichheld (2003)" in lines[-1]


# ----------------------------------------------------------------------------- simulated answers

def test_population_model_is_standardized_with_the_documented_paths():
    q = _load(",".join(MODULE_NAMES))
    pop = population_model(q)
    cov = pop.covariance.to_numpy()
    assert np.allclose(np.diag(cov), 1.0, atol=1e-12)
    assert np.all(np.linalg.eigvalsh(cov) > 0)
    # 14 correlated antecedents (r = 0.40) predict VAL: b = sqrt(R2 / 1'Phi 1), 1'Phi 1 = 14 + 14*13*0.4
    assert pop.paths[("KCF", "VAL")] == pytest.approx(np.sqrt(sim.R2 / (14 + 14 * 13 * 0.4)), abs=1e-12)
    # a single predictor: b = sqrt(R2)
    assert pop.paths[("COM", "ATL")] == pytest.approx(np.sqrt(sim.R2), abs=1e-12)
    assert pop.covariance.loc["SWC", "KCF"] == pytest.approx(0.4, abs=1e-12)


def test_simulated_latent_scores_reproduce_the_population_covariance():
    """Monte Carlo check: with n = 20000 a correlation's standard error is at most 1/sqrt(n) = 0.007;
    0.03 is more than four of them."""
    q = _load("crm,satisfaction,trust,commitment,loyalty,switching_costs,nps")
    _, latent = simulate_responses(q, 20000, seed=3, latent=True)
    pop = population_model(q).covariance
    assert np.abs(np.cov(latent[pop.columns].to_numpy(), rowvar=False) - pop.to_numpy()).max() < 0.03


def test_simulated_answers_fit_the_questionnaire():
    q = _load(",".join(MODULE_NAMES))
    answers = simulate_responses(q, 500, seed=7)
    assert answers.equals(simulate_responses(q, 500, seed=7))
    assert list(answers.columns) == ["respondent_id", "gender", "age_group", "education", "tenure", *q.item_ids]
    for item in q.items:
        assert answers[item.id].between(item.scale.min, item.scale.max).all()
        assert answers[item.id].nunique() == item.scale.max - item.scale.min + 1, item.id  # every point used
    # reverse-worded items are written turned round: they correlate negatively with their siblings
    assert np.corrcoef(answers["KM2"], answers["KM1"])[0, 1] < -0.2
    assert np.corrcoef(answers["KM3"], answers["KM1"])[0, 1] > 0.2
    with pytest.raises(ValueError):
        simulate_responses(q, 0)


def test_paths_are_recovered_from_a_large_simulated_sample():
    """CB-SEM on 3000 simulated respondents recovers the population's standardized paths. Tolerance
    0.07: about three standard errors (0.02) plus the small bias of cutting answers into five points."""
    q = _load("crm,satisfaction,loyalty")
    with threadpool_limits(1):
        study = loyaltysurvey.analyze(q, simulate_responses(q, 3000, seed=11), method="cb", bootstrap=0)
    pop = population_model(q).paths
    est = study.sem.estimates()
    rows = est[est.op == "~"]
    assert len(rows) == len(pop) == 6
    for _, row in rows.iterrows():
        assert row["std.all"] == pytest.approx(pop[(row.rhs, row.lhs)], abs=0.07), (row.rhs, row.lhs)


# ----------------------------------------------------------------------------- end to end

@pytest.fixture(scope="module")
def every_module_study(tmp_path_factory):
    out = tmp_path_factory.mktemp("library") / "study.yaml"
    result = runner.invoke(app, ["new", "--from-library", ",".join(MODULE_NAMES), "--out", str(out)])
    assert result.exit_code == 0, result.output
    q = load_questionnaire(out)
    with threadpool_limits(1):
        return q, loyaltysurvey.analyze(out, simulate_responses(q, 300, seed=2026), bootstrap=0)


def test_new_simulate_analyze_end_to_end(every_module_study):
    q, study = every_module_study
    results = study.to_json()
    assert results["ingest"]["respondents"] == 300 and results["ingest"]["out_of_range"] == []
    reliability = results["reliability"]
    assert set(reliability) == {c.id for c in q.constructs}
    for c in q.constructs:
        if len(c.items) == 1:
            assert reliability[c.id]["alpha"] is None   # no internal consistency for one item
        else:
            assert 0.6 < reliability[c.id]["alpha"] < 0.95 and 0.6 < reliability[c.id]["cr"] < 0.95, c.id
    hypotheses = results["hypotheses"]
    assert [h["id"] for h in hypotheses] == [h.id for h in q.hypotheses]
    assert all(h["decision"] in ("supported", "not_supported") and np.isfinite(h["est"]) for h in hypotheses)
    # the structural model fits the population it was drawn from
    assert results["sem"]["fit"]["cfi"] > 0.9 and results["sem"]["fit"]["rmsea"] < 0.05
    # the strongest population paths (single predictors, b = 0.67) are found
    strong = [h for h in hypotheses if (h["from"], h["to"]) in {("COM", "ATL"), ("ATL", "BEL")} and not h["through"]]
    assert len(strong) == 2 and all(h["decision"] == "supported" for h in strong)
    assert {p["to"] for p in results["pls"]["paths"]} == {"VAL", "SAT", "TRU", "COM", "ATL", "BEL", "NPS"}


def test_a_model_with_a_loop_cannot_be_simulated():
    text = ("id: loop\nscale: {min: 1, max: 5}\nconstructs:\n  - {id: A, items: [A1, A2, A3]}\n"
            "  - {id: B, items: [B1, B2, B3]}\n  - {id: C, items: [C1, C2, C3]}\n  - {id: D, items: [D1, D2, D3]}\n"
            "model: |\n  A ~ B + C\n  B ~ A + D\n")
    q = questionnaire_from_yaml(text)
    with pytest.raises(ModelError, match=r"loop \(A, B\)"):
        simulate_responses(q, 10)
