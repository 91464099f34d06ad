"""The questionnaire spec: YAML loader, builder, lavaan syntax."""

from __future__ import annotations

import textwrap

import pytest

from loyaltysurvey.errors import ModelError, QuestionnaireError
from loyaltysurvey.questionnaire import QuestionnaireBuilder, parse_model, questionnaire_from_yaml
from loyaltysurvey.text import match_key

BASE = textwrap.dedent("""\
    id: t
    title: {fa: "آزمون", en: "Test"}
    language: fa
    scale:
      min: 1
      max: 5
      labels:
        fa: ["کاملاً مخالفم", "مخالفم", "نظری ندارم", "موافقم", "کاملاً موافقم"]
        en: [Strongly disagree, Disagree, Neutral, Agree, Strongly agree]
    missing_codes: [-99, "نمی‌دانم"]
    respondent_id: rid
    constructs:
      - id: SAT
        name: {fa: رضایت, en: Satisfaction}
        items:
          - {id: SAT1, text: {fa: "راضی هستم", en: "I am satisfied"}}
          - {id: SAT2, text: "I am happy", reverse: true}
          - {id: SAT3, text: "Good", column: "Q3. Good?"}
      - id: LOY
        name: Loyalty
        items: [LOY1, LOY2, LOY3]
    demographics:
      - {id: gender, name: {fa: جنسیت, en: Gender}, values: {1: Male, 2: Female}}
    model: |
      LOY ~ b*SAT
      ind := b*2
    hypotheses:
      - {id: H1, from: SAT, to: LOY, text: "Satisfaction raises loyalty"}
    """)


def test_yaml_loads_into_frozen_objects():
    q = questionnaire_from_yaml(BASE, source="t.yaml")
    assert q.item_ids == ("SAT1", "SAT2", "SAT3", "LOY1", "LOY2", "LOY3")
    assert q.item("SAT2").reverse and not q.item("SAT1").reverse
    assert q.item("SAT3").column == "Q3. Good?"
    assert q.title.get("fa") == "آزمون" and q.title.get("en") == "Test"
    # labels match loosely: without the tanwin, with Arabic kaf, in any case
    assert q.scale.label_lookup()[match_key("كاملا موافقم")] == 5
    assert q.scale.label_lookup()[match_key("strongly AGREE")] == 5
    assert q.missing_codes == (-99.0, match_key("نمی دانم"))
    assert q.demographics[0].values["1"].get("en") == "Male"
    assert [(s.lhs, s.op, s.rhs, s.label) for s in q.model_statements] == [
        ("LOY", "~", "SAT", "b"), ("ind", ":=", "b*2", "ind")]
    assert q.hypotheses[0].source == "SAT" and q.hypotheses[0].target == "LOY"
    with pytest.raises(Exception):
        q.id = "other"  # frozen


def test_builder_gives_the_same_objects_as_yaml():
    from_yaml = questionnaire_from_yaml(BASE)
    built = (QuestionnaireBuilder("t", title={"fa": "آزمون", "en": "Test"}, language="fa", scale=(1, 5),
                                  labels={"fa": ["کاملاً مخالفم", "مخالفم", "نظری ندارم", "موافقم", "کاملاً موافقم"],
                                          "en": ["Strongly disagree", "Disagree", "Neutral", "Agree",
                                                 "Strongly agree"]},
                                  missing_codes=[-99, "نمی‌دانم"], respondent_id="rid")
             .construct("SAT", {"fa": "رضایت", "en": "Satisfaction"},
                        [{"id": "SAT1", "text": {"fa": "راضی هستم", "en": "I am satisfied"}},
                         ("SAT2", "I am happy", True), ("SAT3", "Good", False, "Q3. Good?")])
             .construct("LOY", "Loyalty", ["LOY1", "LOY2", "LOY3"])
             .demographic("gender", {"fa": "جنسیت", "en": "Gender"}, values={1: "Male", 2: "Female"})
             .model("LOY ~ b*SAT\nind := b*2\n")
             .hypothesis("H1", "SAT", "LOY", text="Satisfaction raises loyalty")
             .build())
    assert built == from_yaml


def test_measurement_syntax_from_constructs():
    q = questionnaire_from_yaml(BASE)
    assert q.measurement_syntax == "SAT =~ SAT1 + SAT2 + SAT3\nLOY =~ LOY1 + LOY2 + LOY3"
    assert q.full_syntax.endswith("LOY ~ b*SAT\nind := b*2")


def test_model_error_names_the_yaml_line_inside_the_block():
    text = BASE.replace("LOY ~ b*SAT", "LOY ~ b*SAT + TRUST")
    with pytest.raises(QuestionnaireError) as err:
        questionnaire_from_yaml(text, source="q.yaml")
    line = text.splitlines().index("  LOY ~ b*SAT + TRUST") + 1
    assert err.value.line == line
    assert "TRUST" in str(err.value) and str(err.value).startswith(f"q.yaml, line {line}:")


def test_parse_lavaan_modifiers_and_continuations():
    statements = parse_model("""
        # comment
        F =~ NA*x1 + 1*x2 + start(0.5)*x3 + label("l4")*x4
        y ~ b1*F +
            0.3*x5   ! other comment
        x1 ~~ x2; y ~ 1
        d := b1^2 - exp(0)
        b1 > 0
    """)
    rows = [(s.lhs, s.op, s.rhs, s.label, s.fixed, s.start, s.free) for s in statements]
    assert rows == [
        ("F", "=~", "x1", "", None, None, True),
        ("F", "=~", "x2", "", 1.0, None, False),
        ("F", "=~", "x3", "", None, 0.5, False),
        ("F", "=~", "x4", "l4", None, None, False),
        ("y", "~", "F", "b1", None, None, False),
        ("y", "~", "x5", "", 0.3, None, False),
        ("x1", "~~", "x2", "", None, None, False),
        ("y", "~", "1", "", None, None, False),
        ("d", ":=", "b1^2 - exp(0)", "d", None, None, False),
        ("b1", ">", "0", "", None, None, False),
    ]
    assert statements[4].line == 4 and statements[6].line == 6


@pytest.mark.parametrize("text, fragment", [
    ("y ~ ", "both sides"),
    ("y <~ x", "not supported"),
    ("y ~ c(a,b)*x", "multi-group"),
    ("d := import_os()", "unknown function"),
    ("y ~ x ++ z", "term is missing"),
    ("y ~ 2x", "not a valid variable"),
])
def test_parse_errors(text, fragment):
    with pytest.raises(ModelError, match=fragment):
        parse_model(text)


def test_a_persian_id_is_refused_with_the_way_out():
    """Ids become lavaan variable names (Latin); the message says so and where a Persian header goes."""
    text = BASE.replace("- {id: SAT1,", "- {id: رضایت۱,")
    with pytest.raises(QuestionnaireError) as err:
        questionnaire_from_yaml(text, source="q.yaml")
    message = str(err.value)
    assert message.startswith(f"q.yaml, line {text.splitlines().index(next(l for l in text.splitlines() if 'رضایت۱' in l)) + 1}:")
    assert "Latin letter" in message and "'column:'" in message
    text = BASE.replace("- id: SAT\n", "- id: رضایت\n")
    with pytest.raises(QuestionnaireError) as err:
        questionnaire_from_yaml(text, source="q.yaml")
    assert "Latin letter" in str(err.value) and "'name:'" in str(err.value) and "column" not in str(err.value)
