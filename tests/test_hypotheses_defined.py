"""Hypotheses a questionnaire leaves implicit, and single-item constructs, as the chapter states them.

Without a ``hypotheses:`` list every labelled path and every ``:=`` parameter is a hypothesis. A
defined parameter that multiplies paths following one another is the indirect effect along that
chain: results.json gives it ``from``/``through``/``to`` (and its ``definition``), and the chapter
names the constructs, never the lavaan code; any other definition is written as a formula. A
construct measured by one item gets no reliability verdict (nothing was tested) and no PLS
loading test (its loading is 1 in every resample). Data: Holzinger & Swineford (1939), bundled.
"""

from __future__ import annotations

import math

import pytest

from loyaltysurvey.analysis.hypotheses import defined_chain
from loyaltysurvey.datasets import holzinger_swineford
from loyaltysurvey.questionnaire import QuestionnaireBuilder
from loyaltysurvey.report import build_report
from loyaltysurvey.study import analyze


@pytest.fixture(scope="module")
def study():
    q = (QuestionnaireBuilder("hs", scale=(0, 10))
         .construct("visual", {"en": "Visual", "fa": "دیداری"}, ["x1", "x2", "x3"])
         .construct("textual", {"en": "Textual", "fa": "متنی"}, ["x4", "x5", "x6"])
         .construct("speed", {"en": "Speed", "fa": "سرعت"}, ["x7"])
         .model("textual ~ a*visual\nspeed ~ b*textual + visual\nind := a*b\ndiff := a - b").build())
    data = holzinger_swineford()[[f"x{i}" for i in range(1, 8)]]
    return analyze(q, data, bootstrap=200, seed=1)


def test_defined_chain_reads_products_of_consecutive_paths():
    import pandas as pd
    paths = pd.DataFrame({"lhs": ["M", "Y", "Y", "Z"], "rhs": ["X", "M", "X", "Y"], "label": ["a", "b", "c", "d"]})
    assert defined_chain("a*b", paths) == ("X", "M", "Y")
    assert defined_chain("b * a", paths) == ("X", "M", "Y")
    assert defined_chain("a*b*d", paths) == ("X", "M", "Y", "Z")
    assert defined_chain("a*c", paths) is None  # two paths out of X: no chain
    assert defined_chain("a*d", paths) is None  # not consecutive
    assert defined_chain("a - b", paths) is None and defined_chain("2*a", paths) is None
    assert defined_chain("a*a", paths) is None and defined_chain("a*e", paths) is None


def test_implicit_hypotheses_in_results(study):
    rows = {h["id"]: h for h in study.to_json()["hypotheses"]}
    assert list(rows) == ["a", "b", "ind", "diff"]
    ind, diff = rows["ind"], rows["diff"]
    assert (ind["from"], ind["through"], ind["to"], ind["definition"]) == ("visual", ["textual"], "speed", "a*b")
    effect = next(e for e in study.results.cbsem.effects
                  if e.kind == "indirect" and (e.source, e.through, e.target) == ("visual", ("textual",), "speed"))
    assert ind["est"] == pytest.approx(effect.est, rel=1e-12)
    assert (diff["from"], diff["to"], diff["definition"]) == ("a - b", "diff", "a - b")
    assert rows["a"]["kind"] == "direct" and "definition" not in rows["a"]


@pytest.mark.parametrize("lang, arrow, statement", [
    ("en", " → ", "Visual has an indirect effect on Speed through Textual."),
    ("fa", " ← ", "دیداری از طریق متنی بر سرعت تأثیر غیرمستقیم دارد."),
])
def test_chapter_states_defined_hypotheses_in_words(study, lang, arrow, statement):
    report = build_report(study.results, lang)
    table = next(t for t in report.tables if t.id == "hypotheses")
    rows = {row[0].value: [c.value for c in row] for row in table.rows}
    names = {"en": ("Visual", "Textual", "Speed"), "fa": ("دیداری", "متنی", "سرعت")}[lang]
    assert rows["ind"][2] == arrow.join(names) and rows["ind"][1] == statement
    assert rows["diff"][2] == "diff = a − b" and rows["diff"][1] == "–"
    assert not any("*" in str(v) or ":=" in str(v) for row in rows.values() for v in row)


@pytest.mark.parametrize("lang, verdict", [("en", "not applicable (single item)"), ("fa", "کاربرد ندارد (تک‌گویه‌ای)")])
def test_single_item_construct_gets_no_reliability_verdict(study, lang, verdict):
    report = build_report(study.results, lang)
    reliability = next(t for t in report.tables if t.id == "reliability")
    speed = next(row for row in reliability.rows if row[0].value == ("Speed" if lang == "en" else "سرعت"))
    assert speed[-1].value == verdict and not speed[-1].emphasis
    assert len(reliability.notes) == 2  # the threshold, and why the single item has no verdict
    for table_id in ("validity", "pls_loadings", "pls_reliability"):
        table = next(t for t in report.tables if t.id == table_id)
        assert any(("Speed" if lang == "en" else "سرعت") in note for note in table.notes), table_id


def test_single_item_pls_loading_is_not_tested(study):
    loadings = {r["item"]: r for r in study.to_json()["pls"]["loadings"]}
    assert loadings["x7"]["est"] == pytest.approx(1.0)
    assert all(loadings["x7"][k] is None or math.isnan(loadings["x7"][k]) for k in ("se", "t", "pvalue"))
    assert loadings["x4"]["t"] > 5 and loadings["x4"]["se"] > 0  # the others are tested


def test_vaf_outside_zero_one_is_explained(study):
    """Direct and indirect effects of opposite signs give a VAF outside [0, 1] (here visual -> speed:
    indirect .088, direct -.006, VAF 1.08); the mediation table says why it is not interpreted."""
    from dataclasses import replace
    vafs = [e.extra["vaf"] for e in study.results.cbsem.effects if e.kind == "indirect"]
    assert vafs and vafs[0] > 1
    for lang, said in (("en", "opposite signs (suppression)"), ("fa", "اثر سرکوب‌گر")):
        mediation = next(t for t in build_report(study.results, lang).tables if t.id == "mediation")
        assert any(said in note for note in mediation.notes), lang
    # the same effects with a VAF of .5: no such note
    effects = tuple(replace(e, extra={**e.extra, "vaf": 0.5}) if "vaf" in e.extra else e
                    for e in study.results.cbsem.effects)
    results = replace(study.results, cbsem=replace(study.results.cbsem, effects=effects))
    plain = next(t for t in build_report(results, "en").tables if t.id == "mediation")
    assert not any("suppression" in note for note in plain.notes)


def test_a_model_that_labels_nothing_makes_every_path_a_hypothesis():
    """No hypotheses: list, no labels, no := lines: every structural path is a hypothesis, H1, H2, ...
    in the model's order, tested by CB-SEM (its Wald test) and by PLS-SEM (with --method pls), and the
    chapter's introduction names the hypothesis tests it holds and no mediation tests (there are none)."""
    from loyaltysurvey.report.locale import load_locale
    q = (QuestionnaireBuilder("hs", scale=(0, 10))
         .construct("visual", {"en": "Visual", "fa": "دیداری"}, ["x1", "x2", "x3"])
         .construct("textual", {"en": "Textual", "fa": "متنی"}, ["x4", "x5", "x6"])
         .construct("speed", {"en": "Speed", "fa": "سرعت"}, ["x7", "x8", "x9"])
         .model("speed ~ textual + visual").build())
    data = holzinger_swineford()[[f"x{i}" for i in range(1, 10)]]
    cb = analyze(q, data, method="cb")
    rows = cb.to_json()["hypotheses"]
    assert [(h["id"], h["from"], h["to"]) for h in rows] == [("H1", "textual", "speed"), ("H2", "visual", "speed")]
    est = cb.sem.estimates()
    for h in rows:
        row = est[(est.op == "~") & (est.lhs == h["to"]) & (est.rhs == h["from"])].iloc[0]
        assert h["est"] == pytest.approx(float(row.est), abs=1e-12)
        assert h["decision"] == ("supported" if row["ci.lower"] > 0 or row["ci.upper"] < 0 else "not_supported")
    pls = analyze(q, data, method="pls", bootstrap=50, seed=2).to_json()
    paths = {(p["from"], p["to"]): p for p in pls["pls"]["paths"]}
    assert [(h["id"], h["engine"], h["decision"]) for h in pls["hypotheses"]] == [
        (f"H{k}", "pls", paths[(s, "speed")]["decision"]) for k, s in ((1, "textual"), (2, "visual"))]
    for lang in ("en", "fa"):
        intro = build_report(cb.results, lang).sections[0].blocks[0].text
        assert load_locale(lang).t("intro_parts.sem_hypotheses") in intro
        assert load_locale(lang).t("intro_parts.sem") not in intro


def test_methods_paragraph_names_only_the_models_that_ran():
    """Without a structural model the methods say the measurement model was estimated (not "the
    measurement and structural models"); without indirect effects they do not mention the delta method."""
    from loyaltysurvey.report.locale import load_locale
    data = holzinger_swineford()[[f"x{i}" for i in range(1, 10)]]
    base = (QuestionnaireBuilder("hs", scale=(0, 10)).construct("visual", "Visual", ["x1", "x2", "x3"])
            .construct("textual", "Textual", ["x4", "x5", "x6"]).construct("speed", "Speed", ["x7", "x8", "x9"]))
    cfa_only = analyze(base.build(), data, method="cb")
    one_path = analyze(base.model("speed ~ textual").build(), data, method="cb")
    chain = analyze(base.model("textual ~ visual\nspeed ~ textual").build(), data, method="cb")
    for lang in ("en", "fa"):
        loc = load_locale(lang)
        first = lambda key: loc.data["methods"][key.split(".")[1]].split("{")[0].strip()  # noqa: E731 - its opening words
        methods = {name: build_report(s.results, lang).sections[0].blocks[1].text
                   for name, s in (("cfa", cfa_only), ("one", one_path), ("chain", chain))}
        assert first("methods.cb_measurement") in methods["cfa"] and first("methods.cb") not in methods["cfa"]
        assert first("methods.cb") in methods["one"] and first("methods.cb") in methods["chain"]
        assert loc.t("methods.nobootstrap_direct") in methods["cfa"]
        assert loc.t("methods.nobootstrap_direct") in methods["one"]
        assert loc.t("methods.nobootstrap") in methods["chain"]


@pytest.mark.parametrize("lang, statement, path", [
    ("en", "Visual has a total effect on Speed.", "Visual → Speed (total effect)"),
    ("fa", "دیداری بر سرعت اثر کل دارد.", "دیداری ← سرعت (اثر کل)"),
])
def test_a_sum_of_the_paths_between_two_constructs_is_their_total_effect(lang, statement, path):
    """lavaan's mediation example, ``total := c + (a*b)``: the hypothesis names the constructs and the
    kind of effect, not the code; a sum of the indirect chains alone is the total indirect effect."""
    q = (QuestionnaireBuilder("hs", scale=(0, 10))
         .construct("visual", {"en": "Visual", "fa": "دیداری"}, ["x1", "x2", "x3"])
         .construct("textual", {"en": "Textual", "fa": "متنی"}, ["x4", "x5", "x6"])
         .construct("speed", {"en": "Speed", "fa": "سرعت"}, ["x7", "x8", "x9"])
         .model("textual ~ a*visual\nspeed ~ b*textual + c*visual\nind := a*b\ntotal := c + (a*b)").build())
    fit = analyze(q, holzinger_swineford()[[f"x{i}" for i in range(1, 10)]], method="cb")
    rows = {h["id"]: h for h in fit.to_json()["hypotheses"]}
    total = rows["total"]
    assert (total["from"], total["to"], total["effect"], total["definition"]) == ("visual", "speed", "total",
                                                                                 "c + (a*b)")
    assert total["est"] == pytest.approx(rows["c"]["est"] + rows["ind"]["est"], abs=1e-12)
    assert "effect" not in rows["ind"]
    table = next(b for s in build_report(fit.results, lang).sections for b in s.blocks
                 if getattr(b, "id", None) == "hypotheses")
    row = next(r for r in table.rows if r[0].value == "total")
    assert (row[1].value, row[2].value) == (statement, path)


def test_defined_total_reads_sums_of_effects_between_two_constructs():
    import pandas as pd
    from loyaltysurvey.analysis.hypotheses import defined_total
    paths = pd.DataFrame({"lhs": ["M", "Y", "Y", "N", "Y", "Z"], "rhs": ["X", "M", "X", "X", "N", "Y"],
                          "label": ["a", "b", "c", "d", "e", "f"]})
    assert defined_total("c + a*b", paths) == ("X", "Y", "total")
    assert defined_total("(c + a*b + d*e)", paths) == ("X", "Y", "total")
    assert defined_total("a*b + d*e", paths) == ("X", "Y", "total_indirect")
    for other in ("c - a*b", "c + f", "a*b + a*b", "2*c + a*b", "c", "c + a*b*f"):
        assert defined_total(other, paths) is None, other


def test_the_pls_total_effect_is_the_models_total_effect_with_its_bootstrap_test():
    """With --method pls the same := total is tested on the PLS model: its estimate is the model's
    total effect (direct path plus the indirect chain) and its bootstrap SE the standard deviation
    of that sum over the resamples, as each indirect effect's is."""
    import numpy as np
    q = (QuestionnaireBuilder("hs", scale=(0, 10))
         .construct("visual", "Visual", ["x1", "x2", "x3"]).construct("textual", "Textual", ["x4", "x5", "x6"])
         .construct("speed", "Speed", ["x7", "x8", "x9"])
         .model("textual ~ a*visual\nspeed ~ b*textual + c*visual\nind := a*b\ntotal := c + (a*b)").build())
    fit = analyze(q, holzinger_swineford()[[f"x{i}" for i in range(1, 10)]], method="pls", bootstrap=60, seed=2)
    rows = {h["id"]: h for h in fit.to_json()["hypotheses"]}
    total = rows["total"]
    assert (total["from"], total["to"], total["effect"], total["engine"]) == ("visual", "speed", "total", "pls")
    assert total["est"] == pytest.approx(fit.pls.total_effects.loc["visual", "speed"], abs=1e-12)
    names = list(fit.pls.spec.constructs)
    K = len(names)
    draws = fit.pls.resamples.draws
    col = lambda a, b: names.index(a) * K + names.index(b)  # noqa: E731
    summed = draws[:, col("visual", "speed")] + draws[:, col("visual", "textual")] * draws[:, col("textual", "speed")]
    assert total["se"] == pytest.approx(np.std(summed, ddof=1), rel=1e-10)
    assert total["decision"] in ("supported", "not_supported")
