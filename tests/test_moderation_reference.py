"""Latent moderation in CB-SEM (issue 15) against semTools 0.5.6 and lavaan 0.6.14.

Reference values: tests/reference/moderation_reference.json, written by
tests/reference/make_moderation_reference.R on seminr's mobi data (250 rows, no missing answers):
``indProd(mobi, IMAG1..5, CUEX1..3, match = FALSE, meanC = TRUE, residualC = FALSE, doubleMC = TRUE)``,
``sem()`` of CUSA ~ IMAG + CUEX + IMAG:CUEX with the product factor on all 15 products and the
residual covariances of products sharing an indicator, then ``probe2WayMC`` at -1/0/+1 SD of the
moderator and the Johnson-Neyman roots from lavaan's ``vcov``.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from loyaltysurvey.errors import ModelError, QuestionnaireError
from loyaltysurvey.questionnaire import QuestionnaireBuilder
from loyaltysurvey.sem import SEM
from loyaltysurvey.sem.interaction import product_indicators
from loyaltysurvey.sem.moderation import johnson_neyman, probe_interaction
from loyaltysurvey.sem.syntax import parse_model

HERE = Path(__file__).parent
REF = json.loads((HERE / "reference" / "moderation_reference.json").read_text())
MOBI = HERE.parent.parent / "shared" / "data" / "mobi.csv"
if not MOBI.exists():
    MOBI = Path("/work/shared/data/mobi.csv")
IMAG = [f"IMAG{i}" for i in range(1, 6)]
CUEX = [f"CUEX{i}" for i in range(1, 4)]
MODEL = """IMAG =~ IMAG1 + IMAG2 + IMAG3 + IMAG4 + IMAG5
CUEX =~ CUEX1 + CUEX2 + CUEX3
CUSA =~ CUSA1 + CUSA2 + CUSA3
CUSA ~ IMAG + CUEX + IMAG:CUEX"""


@pytest.fixture(scope="module")
def mobi() -> pd.DataFrame:
    if not MOBI.exists():
        pytest.skip("mobi.csv (the shared public data) is not available")
    return pd.read_csv(MOBI)


@pytest.fixture(scope="module")
def fit(mobi):
    return SEM(MODEL).fit(mobi)


def _row(params: pd.DataFrame, lhs: str, op: str, rhs: str) -> pd.Series:
    hit = params[(params.lhs == lhs) & (params.op == op) & (params.rhs == rhs)]
    if hit.empty and op == "~~":
        hit = params[(params.lhs == rhs) & (params.op == op) & (params.rhs == lhs)]
    assert len(hit) == 1, (lhs, op, rhs)
    return hit.iloc[0]


@pytest.mark.parametrize("centring,key", [("double_mean", "products"), ("residual", "products_residual")])
def test_product_indicators_match_indprod(mobi, centring, key):
    # semTools indProd(match = FALSE, meanC = TRUE, doubleMC = TRUE, residualC = FALSE / TRUE):
    # the first 10 rows of each of the 15 products, to 1e-12 (the same arithmetic).
    prods = product_indicators(mobi, IMAG, CUEX, centring=centring)
    assert list(prods.columns) == list(REF[key])
    for name, values in REF[key].items():
        np.testing.assert_allclose(prods[name].to_numpy()[:10], values, rtol=0, atol=1e-12)
    if centring == "double_mean":
        for name, var in REF["products_var"].items():
            assert prods[name].var() == pytest.approx(var, rel=1e-12)


def test_model_has_the_product_factor(fit):
    # the parameter table of lavaan's model: 103 free parameters, df 248, the 45 residual
    # covariances of products sharing an indicator
    assert fit.table.n_free == REF["fit"]["npar"]
    assert fit.measures["df"] == REF["fit"]["df"]
    shared = {tuple(s.split(" ~~ ")) for s in REF["residual_covariances"]}
    ours = {(r.lhs, r.rhs) for r in fit.params.itertuples() if r.op == "~~" and r.lhs != r.rhs and "." in r.lhs}
    assert ours == shared and len(shared) == 45
    assert "IMAG:CUEX" in set(fit.params.loc[fit.params.op == "~", "rhs"])  # CONTRACT: sem.estimates rhs


def test_fit_matches_lavaan(fit):
    # lavaan's nlminb stops 2.3e-6 above the minimum of chisq in the flat product-covariance
    # directions (see the R script): ours must be at least as low, and equal to 1e-8 relative.
    ref = REF["fit"]
    assert fit.measures["chisq"] <= ref["chisq"] + 1e-9
    assert fit.measures["chisq"] == pytest.approx(ref["chisq"], rel=1e-8)
    for key in ("cfi", "tli", "rmsea"):
        assert fit.measures[key] == pytest.approx(ref[key], rel=1e-6), key
    assert fit.measures["srmr"] == pytest.approx(ref["srmr"], rel=2e-5)  # moves with the covariances


def test_estimates_match_lavaan(fit):
    # Rows outside the product block (loadings, paths, factor (co)variances, residual variances of
    # the first-order indicators): est and se to 1e-4 relative to max(1, |value|) (measured: 1.2e-5).
    # Rows of the product indicators (flat directions where lavaan stops short): 1e-3 (measured 4e-4).
    # std.all to 1e-3 throughout (measured 3.4e-4).
    worst = {"key": 0.0, "product": 0.0}
    for r in REF["estimates"]:
        ours = _row(fit.params, r["lhs"], r["op"], r["rhs"])
        product = "." in r["lhs"] or "." in r["rhs"]
        tol = 1e-3 if product else 1e-4
        for col in ("est", "se"):
            diff = abs(ours[col] - r[col]) / max(1.0, abs(r[col]))
            worst["product" if product else "key"] = max(worst["product" if product else "key"], diff)
            assert diff <= tol, (r["lhs"], r["op"], r["rhs"], col, ours[col], r[col])
        assert ours["std_all"] == pytest.approx(r["std_all"], abs=1e-3)
    assert worst["key"] < 1e-4


@pytest.mark.parametrize("moderator,focal", [("CUEX", "IMAG"), ("IMAG", "CUEX")])
def test_simple_slopes_match_probe2waymc(fit, moderator, focal):
    # probe2WayMC at valProbe = c(-1, 0, 1) * SD: est, se and p to 1e-4 absolute, i.e. relative to
    # max(1, |value|) as the estimates (measured: est 1.5e-5, se 2.4e-6, p 4.3e-5); the SD of the
    # (latent) moderator to 1e-4 relative.
    ref = REF["probe"][moderator]
    result = probe_interaction(fit, "CUSA", "IMAG:CUEX", focal)
    assert result.moderator == moderator and result.source == focal and result.method == "standard"
    assert result.sd == pytest.approx(ref["sd"], rel=1e-4)
    assert [s.at for s in result.slopes] == [-1.0, 0.0, 1.0]
    for s, value, est, se, p in zip(result.slopes, ref["value"], ref["est"], ref["se"], ref["pvalue"]):
        assert s.value == pytest.approx(value, rel=1e-4)
        assert s.est == pytest.approx(est, abs=1e-4)
        assert s.se == pytest.approx(se, abs=1e-4)
        assert s.pvalue == pytest.approx(p, abs=1e-4)
        assert s.ci_lower == pytest.approx(est - 1.959963984540054 * se, abs=1e-4)
    # Johnson-Neyman: the lower root to 1e-4 relative; the upper one lies ~300 SDs out where the
    # quadratic's leading coefficient is near 0 and amplifies the 1e-5 differences: 1e-2 relative.
    assert result.jn["region"] == "outside"
    assert result.jn["lower"] == pytest.approx(ref["jn"][0], rel=1e-4)
    assert result.jn["upper"] == pytest.approx(ref["jn"][1], rel=1e-2)


def test_johnson_neyman_roots_are_exactly_significant():
    b1, b3, v11, v13, v33 = 0.3, -0.15, 0.01, -0.001, 0.002
    jn = johnson_neyman(b1, b3, v11, v13, v33)
    for w in (jn["lower"], jn["upper"]):
        z = (b1 + b3 * w) / math.sqrt(v11 + 2 * w * v13 + w * w * v33)
        assert abs(z) == pytest.approx(1.959963984540054, rel=1e-10)
    assert johnson_neyman(0.01, 0.0, 0.01, 0.0, 0.01)["region"] == "nowhere"


def test_syntax_refuses_misplaced_interactions():
    with pytest.raises(ModelError, match="only be a predictor"):
        parse_model("F =~ a:b")
    with pytest.raises(ModelError, match="two different"):
        parse_model("Y ~ A:A")
    assert parse_model("Y ~ A + B + A:B")[2].rhs == "A:B"


def _questionnaire(hypothesis_moderator: str = "CUEX"):
    return (QuestionnaireBuilder("mobi", scale=(1, 10))
            .construct("IMAG", "Image", IMAG).construct("CUEX", "Expectation", CUEX)
            .construct("CUSA", "Satisfaction", ["CUSA1", "CUSA2", "CUSA3"])
            .model("CUSA ~ IMAG + CUEX + IMAG:CUEX")
            .hypothesis("H1", "IMAG", "CUSA")
            .hypothesis("H2", "IMAG", "CUSA", moderator=hypothesis_moderator).build())


def test_questionnaire_validates_moderation():
    q = _questionnaire()
    assert q.hypotheses[1].moderator == "CUEX"
    with pytest.raises(QuestionnaireError, match="interaction"):
        _questionnaire("CUSA")
    with pytest.raises(QuestionnaireError, match="not a construct or item"):
        (QuestionnaireBuilder("m").construct("A", "A", ["a1", "a2", "a3"]).construct("B", "B", ["b1", "b2", "b3"])
         .model("B ~ A + A:Z").build())


@pytest.fixture(scope="module")
def study(mobi):
    import loyaltysurvey
    return loyaltysurvey.analyze(_questionnaire(), mobi[IMAG + CUEX + ["CUSA1", "CUSA2", "CUSA3"]], method="cb")


def test_results_json_moderation(study):
    # end to end through the analysis: results.json's moderation list (CONTRACT) and the
    # hypothesis decided on the interaction path (lavaan: p = .0435, so supported at .05)
    out = study.to_json()
    mods = out["moderation"]
    assert [(m["from"], m["moderator"], m["to"]) for m in mods] == [("IMAG", "CUEX", "CUSA")]
    ref = REF["probe"]["CUEX"]
    for s, est, se in zip(mods[0]["slopes"], ref["est"], ref["se"]):
        assert set(s) >= {"at", "est", "se", "ci_lower", "ci_upper"}
        assert s["est"] == pytest.approx(est, abs=1e-4) and s["se"] == pytest.approx(se, abs=1e-4)
    h2 = [h for h in out["hypotheses"] if h["id"] == "H2"][0]
    inter = _row(pd.DataFrame([r for r in REF["estimates"]]), "CUSA", "~", "IMAG:CUEX")
    assert h2["kind"] == "moderation" and h2["moderator"] == "CUEX"
    assert h2["est"] == pytest.approx(inter["est"], rel=1e-4)
    assert h2["decision"] == "supported"
    assert any(r["rhs"] == "IMAG:CUEX" and r["op"] == "~" for r in out["sem"]["estimates"])


def test_bootstrap_slopes_come_from_the_draws(mobi):
    # With bootstrap resamples, the slope at the mean (0 SD) is the focal path itself: its SE and
    # percentile interval must be exactly the path's bootstrap SE and interval; at +1 SD the slope
    # is b1 + b3 * SD in every resample.
    fit = SEM(MODEL).fit(mobi, se="bootstrap", bootstrap=40, seed=3)
    result = probe_interaction(fit, "CUSA", "IMAG:CUEX", "IMAG")
    assert result.method == "bootstrap"
    row = _row(fit.params, "CUSA", "~", "IMAG")
    mid = result.slopes[1]
    assert (mid.est, mid.se) == pytest.approx((row["est"], row["se"]), rel=1e-12)
    assert (mid.ci_lower, mid.ci_upper) == pytest.approx((row["ci_lower"], row["ci_upper"]), rel=1e-12)
    i1 = int(np.flatnonzero((fit.params.lhs == "CUSA") & (fit.params.rhs == "IMAG"))[0])
    i3 = int(np.flatnonzero((fit.params.lhs == "CUSA") & (fit.params.rhs == "IMAG:CUEX"))[0])
    draws = fit.bootstrap.draws[:, i1] + fit.bootstrap.draws[:, i3] * result.sd
    assert result.slopes[2].se == pytest.approx(np.std(draws, ddof=1), rel=1e-12)


@pytest.mark.parametrize("lang", ["en", "fa"])
def test_chapter_moderation_table_and_figure(study, lang):
    # the chapter's moderation table shows the interaction row and the three slopes of the
    # analysis (probe2WayMC's numbers), the simple-slope figure, and cites the sources it names
    from loyaltysurvey.report.build import build_report
    from loyaltysurvey.report.document import Figure, Table
    report = build_report(study.results, lang)
    sem = next(s for s in report.sections if s.id == "sem")
    table = next(b for b in sem.blocks if isinstance(b, Table) and b.id == "moderation")
    ref = REF["probe"]["CUEX"]
    assert len(table.rows) == 4
    assert table.rows[0][1].value == pytest.approx(_row(pd.DataFrame(REF["estimates"]), "CUSA", "~", "IMAG:CUEX")["est"],
                                                   abs=1e-4)
    assert [r[1].value for r in table.rows[1:]] == pytest.approx(ref["est"], abs=1e-4)
    assert [r[3].value for r in table.rows[1:]] == pytest.approx(ref["se"], abs=1e-4)
    figures = [b for b in sem.blocks if isinstance(b, Figure) and b.id.startswith("slopes_")]
    assert len(figures) == 1 and figures[0].png[:4] == b"\x89PNG"
    refs = " ".join(report.references)
    for author in ("Aiken, L. S.", "Lin, G.-C.", "Johnson, P. O.", "Preacher, K. J.", "Klein, A.", "Marsh, H. W."):
        assert author in refs, author
    paths = next(b for b in sem.blocks if isinstance(b, Table) and b.id == "paths")
    assert any("Image × Expectation" in str(r[0].value) for r in paths.rows)


def test_latent_by_observed_moderator(mobi):
    # A single item (CUSCO) moderating IMAG -> CUSA: products IMAGi.CUSCO with no residual
    # covariances (they share only the observed side), CUSCO a fixed.x covariate, as lavaan fits
    # the indProd data; every estimate and SE to 1e-4 relative to max(1, |value|), chisq to 1e-8
    # relative; probe2WayMC slopes at -1/0/+1 SD of CUSCO to 1e-4.
    ref = REF["observed"]
    fit = SEM("IMAG =~ IMAG1 + IMAG2 + IMAG3 + IMAG4 + IMAG5\nCUSA =~ CUSA1 + CUSA2 + CUSA3\n"
              "CUSA ~ IMAG + CUSCO + IMAG:CUSCO").fit(mobi)
    assert fit.table.n_free == ref["fit"]["npar"] and fit.measures["df"] == ref["fit"]["df"]
    assert fit.measures["chisq"] == pytest.approx(ref["fit"]["chisq"], rel=1e-8)
    for r in ref["estimates"]:
        ours = _row(fit.params, r["lhs"], r["op"], r["rhs"])
        for col in ("est", "se"):
            assert abs(ours[col] - r[col]) <= 1e-4 * max(1.0, abs(r[col])), (r["lhs"], r["op"], r["rhs"], col)
    result = probe_interaction(fit, "CUSA", "IMAG:CUSCO", "IMAG")
    assert result.moderator == "CUSCO" and result.sd == pytest.approx(ref["sd"], rel=1e-10)
    assert [s.est for s in result.slopes] == pytest.approx(ref["est"], abs=1e-4)
    assert [s.se for s in result.slopes] == pytest.approx(ref["se"], abs=1e-4)
    assert [s.pvalue for s in result.slopes] == pytest.approx(ref["pvalue"], abs=1e-4)


def test_demographic_moderator_through_the_analysis(mobi):
    # a demographic named in the model enters CB-SEM as a numeric column: CUSCO declared as a
    # demographic gives the lavaan numbers of the latent x observed reference (slopes to 1e-4)
    import loyaltysurvey
    q = (QuestionnaireBuilder("mobi", scale=(1, 10)).construct("IMAG", "Image", IMAG)
         .construct("CUSA", "Satisfaction", ["CUSA1", "CUSA2", "CUSA3"]).demographic("CUSCO", "Complaints")
         .model("CUSA ~ IMAG + CUSCO + IMAG:CUSCO").hypothesis("H1", "IMAG", "CUSA", moderator="CUSCO").build())
    out = loyaltysurvey.analyze(q, mobi[IMAG + ["CUSA1", "CUSA2", "CUSA3", "CUSCO"]], method="cb").to_json()
    ref = REF["observed"]
    (mod,) = out["moderation"]
    assert (mod["from"], mod["moderator"], mod["to"]) == ("IMAG", "CUSCO", "CUSA")
    assert [s["est"] for s in mod["slopes"]] == pytest.approx(ref["est"], abs=1e-4)
    assert [s["se"] for s in mod["slopes"]] == pytest.approx(ref["se"], abs=1e-4)
    assert out["hypotheses"][0]["decision"] == "supported"  # lavaan: z = 2.29


def test_moderated_mediation_matches_lavaan_definitions(mobi):
    # IMAG -> CUSA -> CUSL with CUEX moderating the first stage: the index of moderated mediation
    # a3*b and the conditional indirect effects (a1 + a3 w) b at -1/0/+1 SD, as lavaan ':='
    # parameters (delta method). est and se to 1e-4 relative to max(1, |value|) (measured: 4e-5);
    # our chisq at least as low as lavaan's, equal to 1e-8 relative.
    from loyaltysurvey.sem.moderation import moderated_mediation
    ref = REF["moderated_mediation"]
    fit = SEM(MODEL + "\nCUSL =~ CUSL1 + CUSL2 + CUSL3\nCUSL ~ CUSA + IMAG").fit(mobi)
    assert fit.table.n_free == ref["fit"]["npar"]
    assert fit.measures["chisq"] <= ref["fit"]["chisq"] + 1e-9
    assert fit.measures["chisq"] == pytest.approx(ref["fit"]["chisq"], rel=1e-8)
    (mm,) = moderated_mediation(fit, probe_interaction(fit, "CUSA", "IMAG:CUEX", "IMAG"))
    assert (mm.source, mm.through, mm.target, mm.moderator, mm.stage) == ("IMAG", "CUSA", "CUSL", "CUEX", 1)
    for key in ("est", "se"):
        assert abs(mm.index[key] - ref["index"][key]) <= 1e-4 * max(1.0, abs(ref["index"][key])), key
        for c, r in zip(mm.conditional, ref["conditional"][key]):
            assert abs(getattr(c, key) - r) <= 1e-4 * max(1.0, abs(r)), key
    assert mm.to_json()["through"] == ["CUSA"]


@pytest.mark.parametrize("lang", ["en", "fa"])
def test_chapter_moderated_mediation_table(mobi, lang):
    # the chapter lists the index and the three conditional indirect effects of the analysis,
    # with lavaan's numbers (1e-4 relative to max(1, |value|)), and cites Hayes (2015)
    import loyaltysurvey
    from loyaltysurvey.report.build import build_report
    from loyaltysurvey.report.document import Table
    q = (QuestionnaireBuilder("mobi", scale=(1, 10)).construct("IMAG", "Image", IMAG)
         .construct("CUEX", "Expectation", CUEX).construct("CUSA", "Satisfaction", ["CUSA1", "CUSA2", "CUSA3"])
         .construct("CUSL", "Loyalty", ["CUSL1", "CUSL2", "CUSL3"])
         .model("CUSA ~ IMAG + CUEX + IMAG:CUEX\nCUSL ~ CUSA + IMAG").build())
    study = loyaltysurvey.analyze(q, mobi[IMAG + CUEX + ["CUSA1", "CUSA2", "CUSA3", "CUSL1", "CUSL2", "CUSL3"]],
                                  method="cb")
    assert len(study.to_json()["moderated_mediation"]) == 1
    report = build_report(study.results, lang)
    sem = next(s for s in report.sections if s.id == "sem")
    table = next(b for b in sem.blocks if isinstance(b, Table) and b.id == "moderated_mediation")
    ref = REF["moderated_mediation"]
    values = [r[1].value for r in table.rows]
    expected = [ref["index"]["est"], *ref["conditional"]["est"]]
    assert all(abs(v - e) <= 1e-4 * max(1.0, abs(e)) for v, e in zip(values, expected)), (values, expected)
    assert any(r.startswith("Hayes, A. F. (2015)") for r in report.references)


@pytest.mark.parametrize("lang", ["en", "fa"])
def test_johnson_neyman_text_says_when_a_bound_lies_beyond_the_data(lang):
    """A Johnson-Neyman bound more than 3 SD from the moderator's mean is reported as beyond almost
    all respondents; bounds within ±3 SD get no such sentence."""
    from types import SimpleNamespace

    from loyaltysurvey.report.locale import load_locale
    from loyaltysurvey.report.moderation import _jn_sentence

    b = SimpleNamespace(loc=load_locale(lang))
    names = {"X": "Satisfaction", "W": "Switching costs", "Y": "Loyalty"}

    def sentence(lower, upper, region="inside"):
        m = SimpleNamespace(moderator="W", source="X", target="Y",
                            jn={"region": region, "lower_sd": lower, "upper_sd": upper})
        return _jn_sentence(b, m, names)

    one = b.loc.t("moderation.jn_beyond_one", bounds=b.loc.num(6.18, "dec2"), moderator="Switching costs")
    assert sentence(-1.48, 6.18).endswith(" " + one)
    both = b.loc.t("moderation.jn_beyond_both", bounds=b.loc.join([b.loc.num(-4.2, "dec2"), b.loc.num(5.0, "dec2")]),
                   moderator="Switching costs")
    assert sentence(-4.2, 5.0, "outside").endswith(" " + both)
    plain = sentence(-1.5, 2.5)
    assert plain == b.loc.t("moderation.jn_inside", lower=b.loc.num(-1.5, "dec2"), upper=b.loc.num(2.5, "dec2"),
                            moderator="Switching costs", source="Satisfaction", target="Loyalty")


@pytest.mark.parametrize("lang", ["en", "fa"])
def test_the_chapter_says_once_where_the_slopes_errors_come_from(study, mobi, lang):
    """With bootstrap resamples the simple slopes' errors are the draws': no note may say they came
    from the covariance of the estimates (the table note once did, whatever the run)."""
    import loyaltysurvey
    from loyaltysurvey.report.build import build_report
    from loyaltysurvey.report.document import Paragraph, Table

    def said(results):
        sem = next(s for s in build_report(results, lang).sections if s.id == "sem")
        table = next(b for b in sem.blocks if isinstance(b, Table) and b.id == "moderation")
        text = " ".join(b.text for b in sem.blocks if isinstance(b, Paragraph))
        return text + " " + " ".join(table.notes)

    covariance = {"en": "covariance matrix of the estimates", "fa": "ماتریس کوواریانس برآوردها"}[lang]
    bootstrap = {"en": "come from the bootstrap resamples", "fa": "از نمونه‌گیری‌های مجدد بوت‌استرپ"}[lang]
    plain = said(study.results)
    assert covariance in plain and bootstrap not in plain
    booted = loyaltysurvey.analyze(_questionnaire(), mobi[IMAG + CUEX + ["CUSA1", "CUSA2", "CUSA3"]], method="cb",
                                   bootstrap=30, seed=5)
    text = said(booted.results)
    assert bootstrap in text and covariance not in text and "covariance of the" not in text
    assert "کوواریانس برآوردها" not in text
