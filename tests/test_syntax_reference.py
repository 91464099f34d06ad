"""lavaan syntax the model must not ignore: equality constraints, a freed first loading, duplicates.

Reference: lavaan 0.6.14 on HolzingerSwineford1939, written by tests/reference/make_syntax_reference.R
into tests/reference/syntax_reference.json. Tolerances as for the other lavaan tests: fit measures
1e-4 relative, estimates and SEs 1e-3 absolute.

* ``a == b`` and ``a == 0.5`` are applied by reparameterisation, as lavaan does for them
  (same chi-square, df and parameter count).
* ``NA*x1`` frees the first loading (the scale set by ``visual ~~ 1*visual``).
* A duplicate parameter: lavaan stops ("duplicate model element"), and so do we.
* ``x1 ~ x1``: lavaan estimates it and warns that the model may not be identified; we refuse it
  with its line, since the regression of a variable on itself has no meaning.
* Inequalities (``a > 0``) need a bounded optimiser, which this estimator does not have: refused
  with their line, never ignored.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from loyaltysurvey.datasets import holzinger_swineford
from loyaltysurvey.errors import ModelError
from loyaltysurvey.sem import SEM

from conftest import REFERENCE

REF = json.loads((REFERENCE / "syntax_reference.json").read_text(encoding="utf-8"))["cases"]


def _key(lhs, op, rhs):
    return (min(lhs, rhs), op, max(lhs, rhs)) if op == "~~" else (lhs, op, rhs)


@pytest.mark.parametrize("name", ["equal_labels", "fixed_label", "free_first"])
def test_constraints_and_modifiers_match_lavaan(name):
    ref = REF[name]
    fit = SEM(ref["model_syntax"]).fit(holzinger_swineford())
    measures = fit.fit_measures()
    assert measures["df"] == ref["fit"]["df"] and measures["npar"] == ref["fit"]["npar"]
    for key in ("chisq", "cfi", "rmsea"):
        assert measures[key] == pytest.approx(ref["fit"][key], rel=1e-4), key
    ours = {_key(r.lhs, r.op, r.rhs): r for r in fit.estimates().itertuples()}
    compared = 0
    for row in ref["estimates"]:
        if row["op"] == "==":
            continue
        mine = ours[_key(row["lhs"], row["op"], row["rhs"])]
        assert mine.est == pytest.approx(row["est"], abs=1e-3), row
        # lavaan reports no SE (NA) for a parameter its constraint pins to a number; ours is fixed (SE 0)
        assert mine.se == pytest.approx(0.0 if row["se"] is None else row["se"], abs=1e-3), row
        compared += 1
    assert compared == len(ours)


def test_equal_labels_are_one_parameter():
    est = SEM(REF["equal_labels"]["model_syntax"]).fit(holzinger_swineford()).estimates()
    a, b = est[est.label == "a"].iloc[0], est[est.label == "b"].iloc[0]
    assert a.est == b.est and a.se == b.se


def test_duplicate_parameter_is_refused_as_lavaan_does():
    assert "duplicate model element" in REF["duplicate"]["error"]
    with pytest.raises(ModelError, match="written lines 1 and 2") as info:
        SEM(REF["duplicate"]["model_syntax"])
    assert info.value.line == 2


def test_self_regression_and_inequalities_are_refused_with_their_line():
    with pytest.raises(ModelError, match="itself") as info:
        SEM(REF["self_regress"]["model_syntax"])
    assert info.value.line == 3
    with pytest.raises(ModelError, match="inequality constraint 'a > 0.6'") as info:
        SEM("visual =~ x1 + a*x2 + x3\ntextual =~ x4 + x5 + x6\na > 0.6")
    assert info.value.line == 3
    with pytest.raises(ModelError, match="must equate two labels") as info:
        SEM("visual =~ x1 + a*x2 + b*x3\na == 2*b")
    assert info.value.line == 2
    assert np.isfinite(SEM("visual =~ x1 + a*x2 + b*x3\na == b").fit(holzinger_swineford()).measures["chisq"])


def test_a_questionnaire_model_may_free_the_first_loading(tmp_path):
    """In a questionnaire the measurement model is derived from the constructs; a model line that
    states a loading itself (NA*KCF1) replaces the derived one instead of being dropped."""
    import loyaltysurvey
    from loyaltysurvey.datasets import crm_export
    from loyaltysurvey.resources import bundled_path
    text = bundled_path("questionnaires", "crm_loyalty.yaml").read_text(encoding="utf-8")
    at = text.index("\nmodel: |\n") + len("\nmodel: |\n")
    path = tmp_path / "q.yaml"
    path.write_text(text[:at] + "  KCF =~ NA*KCF1\n  KCF ~~ 1*KCF\n" + text[at:], encoding="utf-8")
    q = loyaltysurvey.load_questionnaire(path)
    assert q.derived_syntax.startswith("KCF =~ NA*KCF1 + KCF2 + KCF3")
    study = loyaltysurvey.analyze(q, crm_export(), method="cb", bootstrap=0)
    default = loyaltysurvey.analyze(bundled_path("questionnaires", "crm_loyalty.yaml"), crm_export(), method="cb",
                                    bootstrap=0)
    key = ("KCF", "=~", "KCF1")
    for fit, same in ((study.cfa, default.cfa), (study.sem, default.sem)):
        est = fit.estimates().set_index(["lhs", "op", "rhs"])
        assert est.loc[key, "se"] > 0                              # estimated, not fixed at 1
        assert est.loc[("KCF", "~~", "KCF"), "est"] == 1.0         # the scale comes from the variance
        # the same model identified another way: equal fit and standardized solution
        assert fit.measures["chisq"] == pytest.approx(same.measures["chisq"], rel=1e-6)
        assert est.loc[key, "std.all"] == pytest.approx(
            same.estimates().set_index(["lhs", "op", "rhs"]).loc[key, "std.all"], abs=1e-4)
