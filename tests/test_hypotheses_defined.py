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
