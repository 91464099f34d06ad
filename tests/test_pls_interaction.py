"""PLS-SEM interaction terms (issue 15): product-indicator and two-stage, on seminr's mobi data.

seminr (whose ``interaction_term(method = product_indicator | two_stage)`` these follow) cannot be
installed here, so each method is checked against its definition computed independently:

* product indicators: every indicator standardized with numpy (n - 1), all pairwise products;
  the model with the interaction equals the same PLS model fitted on those columns supplied as an
  ordinary construct (to 1e-12: the same arithmetic);
* two-stage: stage 1 (the main-effects model) fitted by hand, the product of its standardized
  IMAG and CUEX scores as an observed column, stage 2 fitted with it as a single-item construct;
  the paths also equal the OLS regression of the stage-2 CUSA scores on the other scores;
* orthogonalized (seminr ``method = orthogonal``): the same products, each replaced by its residual
  from an OLS regression with intercept on all IMAG and CUEX indicators (computed here with
  numpy's lstsq); the model equals the PLS model with those residual columns supplied (to 1e-12),
  and the residuals are uncorrelated with every main-effect indicator;
* f² of the interaction: (R²_incl - R²_excl) / (1 - R²_incl) with R²_excl the main-effects model.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from loyaltysurvey.pls import PLS
from loyaltysurvey.pls.interaction import orthogonal_columns, product_columns

MOBI = Path("/work/shared/data/mobi.csv")
C = {"IMAG": [f"IMAG{i}" for i in range(1, 6)], "CUEX": [f"CUEX{i}" for i in range(1, 4)],
     "CUSA": ["CUSA1", "CUSA2", "CUSA3"]}
MODEL = "CUSA ~ IMAG + CUEX + IMAG:CUEX"


@pytest.fixture(scope="module")
def mobi() -> pd.DataFrame:
    if not MOBI.exists():
        pytest.skip("mobi.csv (the shared public data) is not available")
    return pd.read_csv(MOBI)


def _paths(fit) -> dict:
    return {(r["from"], r["to"]): r["est"] for r in fit.path_records}


def test_product_columns_are_standardized_products(mobi):
    X = mobi[C["IMAG"]].to_numpy(float)
    Z = mobi[C["CUEX"]].to_numpy(float)
    X = (X - X.mean(0)) / X.std(0, ddof=1)
    Z = (Z - Z.mean(0)) / Z.std(0, ddof=1)
    prods = product_columns(mobi, C["IMAG"], C["CUEX"])
    assert list(prods.columns) == [f"{a}*{b}" for a in C["IMAG"] for b in C["CUEX"]]
    expected = np.einsum("ni,nj->nij", X, Z).reshape(len(mobi), -1)
    np.testing.assert_allclose(prods.to_numpy(), expected, rtol=0, atol=1e-13)


def test_product_indicator_equals_the_model_with_the_products_supplied(mobi):
    fit = PLS(C, MODEL).fit(mobi)
    assert fit.spec.constructs[-1] == "IMAG:CUEX"
    assert ("IMAG:CUEX", "CUSA") in _paths(fit)  # CONTRACT: pls.paths "from" is "IMAG:CUEX"
    X = mobi[C["IMAG"]].to_numpy(float)
    Z = mobi[C["CUEX"]].to_numpy(float)
    X = (X - X.mean(0)) / X.std(0, ddof=1)
    Z = (Z - Z.mean(0)) / Z.std(0, ddof=1)
    names = [f"p{a}{b}" for a in range(5) for b in range(3)]
    data = mobi.assign(**{n: X[:, a] * Z[:, b] for n, (a, b) in zip(names, [(a, b) for a in range(5)
                                                                           for b in range(3)])})
    manual = PLS({**C, "INT": names}, "CUSA ~ IMAG + CUEX + INT").fit(data)
    ours, ref = _paths(fit), _paths(manual)
    for (s, t), v in ref.items():
        assert ours[("IMAG:CUEX" if s == "INT" else s, t)] == pytest.approx(v, abs=1e-12)
    assert fit.evaluation["r2"]["CUSA"] == pytest.approx(manual.evaluation["r2"]["CUSA"], abs=1e-12)


def test_orthogonal_equals_the_model_with_residual_products_supplied(mobi):
    X = mobi[C["IMAG"]].to_numpy(float)
    Z = mobi[C["CUEX"]].to_numpy(float)
    Xs = (X - X.mean(0)) / X.std(0, ddof=1)
    Zs = (Z - Z.mean(0)) / Z.std(0, ddof=1)
    P = np.einsum("ni,nj->nij", Xs, Zs).reshape(len(mobi), -1)
    design = np.column_stack([np.ones(len(mobi)), X, Z])
    R = P - design @ np.linalg.lstsq(design, P, rcond=None)[0]
    cols = orthogonal_columns(mobi, C["IMAG"], C["CUEX"])
    np.testing.assert_allclose(cols.to_numpy(), R, rtol=0, atol=1e-12)
    assert np.abs(np.column_stack([X, Z]).T @ R).max() < 1e-8  # orthogonal to every main-effect indicator

    fit = PLS(C, MODEL, interaction="orthogonal").fit(mobi)
    names = [f"r{k}" for k in range(R.shape[1])]
    manual = PLS({**C, "INT": names}, "CUSA ~ IMAG + CUEX + INT").fit(mobi.assign(**dict(zip(names, R.T))))
    ours, ref = _paths(fit), _paths(manual)
    for (s, t), v in ref.items():
        assert ours[("IMAG:CUEX" if s == "INT" else s, t)] == pytest.approx(v, abs=1e-12)


def test_two_stage_equals_stage_one_then_stage_two_by_hand(mobi):
    fit = PLS(C, MODEL, interaction="two_stage").fit(mobi)
    stage1 = PLS(C, "CUSA ~ IMAG + CUEX").fit(mobi)
    names = list(stage1.spec.constructs)
    s = stage1.estimate.scores
    data = mobi.assign(prod=s[:, names.index("IMAG")] * s[:, names.index("CUEX")])
    stage2 = PLS({**C, "INT": ["prod"]}, "CUSA ~ IMAG + CUEX + INT").fit(data)
    ours = _paths(fit)
    for (src, t), v in _paths(stage2).items():
        assert ours[("IMAG:CUEX" if src == "INT" else src, t)] == pytest.approx(v, abs=1e-12)
    # stage-2 paths are the OLS regression of CUSA's standardized scores on the others'
    sc = fit.estimate.scores
    k = list(fit.spec.constructs)
    beta, *_ = np.linalg.lstsq(sc[:, [k.index("IMAG"), k.index("CUEX"), k.index("IMAG:CUEX")]],
                               sc[:, k.index("CUSA")], rcond=None)
    assert [ours[("IMAG", "CUSA")], ours[("CUEX", "CUSA")], ours[("IMAG:CUEX", "CUSA")]] == pytest.approx(
        beta.tolist(), abs=1e-10)


@pytest.mark.parametrize("method", ["product_indicator", "orthogonal", "two_stage"])
def test_f2_of_the_interaction(mobi, method):
    fit = PLS(C, MODEL, interaction=method).fit(mobi)
    main = PLS(C, "CUSA ~ IMAG + CUEX").fit(mobi)
    full, reduced = fit.evaluation["r2"]["CUSA"], main.evaluation["r2"]["CUSA"]
    # two separate PLS fits (each stopping at a summed weight change below 1e-7): agreement to 1e-9
    assert fit.evaluation["f2"]["IMAG:CUEX"]["CUSA"] == pytest.approx((full - reduced) / (1 - full), abs=1e-9)


def test_bootstrap_covers_the_interaction_path(mobi):
    # the batched bootstrap runs unchanged on the generated columns; the interaction path gets a
    # bootstrap SE and percentile interval (200 resamples, seeded: the same draws every run) that
    # agree with the SD and quantiles of the path's own draws
    fit = PLS(C, MODEL, interaction="two_stage").fit(mobi).bootstrap(200, seed=7)
    row = next(r for r in fit.path_records if r["from"] == "IMAG:CUEX")
    assert fit.resamples.successful == 200
    col = fit._layout.path(list(fit.spec.constructs).index("IMAG:CUEX"), list(fit.spec.constructs).index("CUSA"))
    draws = fit.resamples.draws[:, col]
    assert row["se"] == pytest.approx(np.std(draws, ddof=1), rel=1e-12)
    assert row["ci_lower"] < row["est"] < row["ci_upper"]


def test_simple_slopes_and_moderated_mediation_from_the_paths_and_draws(mobi):
    # slope_analysis on standardized scores: the slope at w SD is b_IMAG + b_IMAGxCUEX * w; its
    # bootstrap SE is the SD of the same combination of the draws; moderated mediation
    # IMAG -> CUSA -> CUSL: index b3 * d and conditional (b1 + b3 w) d, from the same draws
    C2 = {**C, "CUSL": ["CUSL1", "CUSL2", "CUSL3"]}
    fit = PLS(C2, MODEL + "\nCUSL ~ CUSA", interaction="two_stage").fit(mobi).bootstrap(100, seed=11)
    p = _paths(fit)
    (mod,) = fit.moderation_records
    assert (mod["from"], mod["moderator"], mod["to"]) == ("IMAG", "CUEX", "CUSA")
    b1, b3, d = p[("IMAG", "CUSA")], p[("IMAG:CUEX", "CUSA")], p[("CUSA", "CUSL")]
    assert [s["est"] for s in mod["slopes"]] == pytest.approx([b1 - b3, b1, b1 + b3], abs=1e-14)
    k = list(fit.spec.constructs)
    col = lambda a, t: fit.resamples.draws[:, fit._layout.path(k.index(a), k.index(t))]  # noqa: E731
    assert mod["slopes"][2]["se"] == pytest.approx(np.std(col("IMAG", "CUSA") + col("IMAG:CUEX", "CUSA"), ddof=1),
                                                   rel=1e-12)
    (mm,) = fit.moderated_mediation_records
    assert mm["index"]["est"] == pytest.approx(b3 * d, abs=1e-14)
    assert [c["est"] for c in mm["conditional"]] == pytest.approx([(b1 - b3) * d, b1 * d, (b1 + b3) * d], abs=1e-14)
    assert mm["index"]["se"] == pytest.approx(np.std(col("IMAG:CUEX", "CUSA") * col("CUSA", "CUSL"), ddof=1),
                                              rel=1e-12)
    assert fit.to_json()["moderation"][0]["slopes"][0]["at"] == -1.0


def test_second_stage_moderated_mediation(mobi):
    """PERQ -> IMAG -> CUSA with IMAG -> CUSA moderated by CUEX (second stage): index a * b3 and the
    conditional indirect effects a (b1 + b3 w), their SEs the SDs of the same products of the draws."""
    C2 = {**C, "PERQ": ["PERQ1", "PERQ2", "PERQ3"]}
    fit = PLS(C2, MODEL + "\nIMAG ~ PERQ", interaction="two_stage").fit(mobi).bootstrap(100, seed=3)
    p = _paths(fit)
    (mm,) = fit.moderated_mediation_records
    assert (mm["from"], mm["through"], mm["to"], mm["stage"], mm["moderator"]) == ("PERQ", ["IMAG"], "CUSA", 2, "CUEX")
    a, b1, b3 = p[("PERQ", "IMAG")], p[("IMAG", "CUSA")], p[("IMAG:CUEX", "CUSA")]
    assert mm["index"]["est"] == pytest.approx(a * b3, abs=1e-14)
    assert [c["est"] for c in mm["conditional"]] == pytest.approx([a * (b1 - b3), a * b1, a * (b1 + b3)], abs=1e-14)
    k = list(fit.spec.constructs)
    col = lambda s, t: fit.resamples.draws[:, fit._layout.path(k.index(s), k.index(t))]  # noqa: E731
    assert mm["index"]["se"] == pytest.approx(np.std(col("IMAG:CUEX", "CUSA") * col("PERQ", "IMAG"), ddof=1),
                                              rel=1e-12)
    high = col("PERQ", "IMAG") * (col("IMAG", "CUSA") + col("IMAG:CUEX", "CUSA"))
    assert mm["conditional"][2]["se"] == pytest.approx(np.std(high, ddof=1), rel=1e-12)


@pytest.mark.parametrize("lang", ["en", "fa"])
def test_chapter_pls_moderation(mobi, lang):
    # through the whole analysis: pls.paths names the interaction "IMAG:CUEX" (CONTRACT), the
    # chapter's PLS moderation table shows the interaction path, its f² and the three slopes of the
    # fit, a simple-slope figure, and cites the method's source
    import loyaltysurvey
    from loyaltysurvey.questionnaire import QuestionnaireBuilder
    from loyaltysurvey.report.build import build_report
    from loyaltysurvey.report.document import Figure, Table
    q = (QuestionnaireBuilder("mobi", scale=(1, 10)).construct("IMAG", "Image", C["IMAG"])
         .construct("CUEX", "Expectation", C["CUEX"]).construct("CUSA", "Satisfaction", C["CUSA"])
         .model(MODEL).build())
    study = loyaltysurvey.analyze(q, mobi[C["IMAG"] + C["CUEX"] + C["CUSA"]], method="pls", bootstrap=50,
                                  pls_interaction="two_stage")
    out = study.to_json()["pls"]
    inter = next(p for p in out["paths"] if p["from"] == "IMAG:CUEX")
    report = build_report(study.results, lang)
    pls = next(s for s in report.sections if s.id == "pls")
    table = next(b for b in pls.blocks if isinstance(b, Table) and b.id == "pls_moderation")
    assert table.rows[0][1].value == pytest.approx(inter["est"], abs=1e-14)
    assert table.rows[0][5].value == pytest.approx(out["f2"]["IMAG:CUEX"]["CUSA"], abs=1e-14)
    assert [r[1].value for r in table.rows[1:]] == pytest.approx([s["est"] for s in out["moderation"][0]["slopes"]])
    assert any(isinstance(b, Figure) and b.id.startswith("pls_slopes_") for b in pls.blocks)
    assert any(r.startswith("Henseler, J., & Chin, W. W. (2010)") for r in report.references)


@pytest.mark.parametrize("lang", ["en", "fa"])
def test_chapter_pls_moderated_mediation_table(mobi, lang):
    """The PLS moderated-mediation table: index and conditional effects of each chain (here a second-stage
    one), numbers from pls.moderated_mediation, and its note on the resamples."""
    import loyaltysurvey
    from loyaltysurvey.questionnaire import QuestionnaireBuilder
    from loyaltysurvey.report.build import build_report
    from loyaltysurvey.report.document import Table
    items = C["IMAG"] + C["CUEX"] + C["CUSA"] + ["PERQ1", "PERQ2", "PERQ3"]
    q = (QuestionnaireBuilder("mobi", scale=(1, 10)).construct("PERQ", "Quality", ["PERQ1", "PERQ2", "PERQ3"])
         .construct("IMAG", "Image", C["IMAG"]).construct("CUEX", "Expectation", C["CUEX"])
         .construct("CUSA", "Satisfaction", C["CUSA"]).model(MODEL + "\nIMAG ~ PERQ").build())
    study = loyaltysurvey.analyze(q, mobi[items], method="pls", bootstrap=60, pls_interaction="two_stage")
    (mm,) = study.to_json()["pls"]["moderated_mediation"]
    assert mm["stage"] == 2
    report = build_report(study.results, lang)
    table = next(b for s in report.sections for b in s.blocks if isinstance(b, Table) and b.id == "pls_moderated_mediation")
    assert len(table.rows) == 4
    assert table.rows[0][1].value == pytest.approx(mm["index"]["est"])
    assert [r[1].value for r in table.rows[1:]] == pytest.approx([c["est"] for c in mm["conditional"]])
    assert ("60" if lang == "en" else "۶۰") in table.notes[0]


def test_measurement_criteria_leave_out_the_interaction_term(mobi):
    """An interaction term is generated, not measured: its reliability, AVE, HTMT and its product
    indicators' loadings and VIFs are not judged (they would fail by construction)."""
    from loyaltysurvey.analysis.pls_stage import pls_checks
    fit = PLS(C, MODEL).fit(mobi)
    rel = fit.evaluation["reliability"]["IMAG:CUEX"]
    assert rel["ave"] < 0.5  # it would fail the AVE criterion if it were judged
    checks = pls_checks(fit)
    for key in ("alpha", "rho_a", "cr", "ave"):
        assert "IMAG:CUEX" not in checks[key]
    assert not any("*" in item for item in checks["loading"] + checks["item_vif"])
    assert not any("IMAG:CUEX" in pair for pair in checks["htmt"])


@pytest.mark.parametrize("lang", ["en", "fa"])
def test_chapter_does_not_judge_the_interaction_term(mobi, lang):
    """The chapter as the checks decide: the interaction term's rows in the loadings, reliability and
    HTMT tables are not marked as failing (its AVE is below .50 and would be), a note says why, and its
    f² is banded by Kenny's (2018) thresholds for interactions, not Cohen's."""
    import loyaltysurvey
    from loyaltysurvey.questionnaire import QuestionnaireBuilder
    from loyaltysurvey.report.build import build_report
    from loyaltysurvey.report.document import Table
    from loyaltysurvey.report.locale import load_locale
    from loyaltysurvey.thresholds import F2_INTERACTION_BANDS
    q = (QuestionnaireBuilder("mobi", scale=(1, 10)).construct("IMAG", "Image", C["IMAG"])
         .construct("CUEX", "Expectation", C["CUEX"]).construct("CUSA", "Satisfaction", C["CUSA"])
         .model(MODEL).build())
    study = loyaltysurvey.analyze(q, mobi[C["IMAG"] + C["CUEX"] + C["CUSA"]], method="pls", bootstrap=0)
    fit = study.results.pls
    assert fit.evaluation["reliability"]["IMAG:CUEX"]["ave"] < 0.5
    report = build_report(study.results, lang)
    loc = load_locale(lang)
    tables = {b.id: b for s in report.sections for b in s.blocks if isinstance(b, Table)}
    term = "Image × Expectation"
    note = loc.t("pls.interaction_measurement_note", names=term)
    for table_id in ("pls_loadings", "pls_reliability", "pls_htmt"):
        table = tables[table_id]
        assert note in table.notes, table_id
        rows = [r for r in table.rows if term in str(r[0].value)]
        assert rows and not any(c.emphasis for r in rows for c in r), table_id
    f2 = fit.evaluation["f2"]["IMAG:CUEX"]["CUSA"]
    band = loc.t("bands." + F2_INTERACTION_BANDS.band(f2))
    r2 = tables["pls_r2"]
    cell = next(r[4].value for r in r2.rows if r[0].value == "Satisfaction")
    assert f"{term}: {loc.num(f2, 'r3')} ({band})" in cell
    assert loc.t("pls.f2_interaction_note") in r2.notes


def test_measurement_diagram_names_the_interaction_term(mobi, monkeypatch):
    """The PLS measurement diagram names the interaction construct "Image × Expectation" (as the path
    diagram and the tables do), not by its id "IMAG:CUEX"."""
    import loyaltysurvey
    from loyaltysurvey.questionnaire import QuestionnaireBuilder
    from loyaltysurvey.report import build as build_module

    drawn = []
    original = build_module.measurement_diagrams

    def spy(names, indicators, texts, **options):
        drawn.append((dict(names), list(indicators)))
        return original(names, indicators, texts, **options)

    monkeypatch.setattr(build_module, "measurement_diagrams", spy)
    q = (QuestionnaireBuilder("mobi", scale=(1, 10)).construct("IMAG", "Image", C["IMAG"])
         .construct("CUEX", "Expectation", C["CUEX"]).construct("CUSA", "Satisfaction", C["CUSA"])
         .model(MODEL).build())
    study = loyaltysurvey.analyze(q, mobi[C["IMAG"] + C["CUEX"] + C["CUSA"]], method="pls", bootstrap=0)
    build_module.build_report(study.results, "en")
    names, indicators = drawn[-1]
    assert ("IMAG:CUEX", "IMAG1*CUEX1") in indicators
    assert names["IMAG:CUEX"] == "Image × Expectation"
