"""The data-quality notes speak the chapter's language.

Every notice the package raises (found by reading the source: each ``Notice(...)`` call, its
code and the names of its params) has a title and a text in English and in Persian, with
the same fields, each one a param the call passes. The Persian notes contain no Latin word
except the questionnaire's own item and construct ids, citations, values quoted from the data
file and the one command-line option a note tells the user to type; their numbers are in
Persian digits. The English notes name no JSON key or internal code. The English ``message``
stays for the Python API, ``results.json`` and the terminal.

Two studies built from the bundled example, each broken in several ways, carry the notes
through the whole pipeline into the HTML chapter.
"""

from __future__ import annotations

import ast
import html
import re
from datetime import date
from pathlib import Path

import pytest

import loyaltysurvey
from loyaltysurvey.datasets import crm_export, crm_questionnaire
from loyaltysurvey.errors import Notice
from loyaltysurvey.report import build_report, render_html
from loyaltysurvey.report.document import Callout
from loyaltysurvey.report.locale import load_locale
from loyaltysurvey.report.notices import notice_text, template_fields, variants

SRC = Path(loyaltysurvey.__file__).parent
LANGS = ("en", "fa")
NUMBER_FORMATS = {"", "int", "g", "r", "r3", "p", "pct", "dec1", "dec2", "dec3"}
NAME_KEYS = {"item", "construct", "demographic", "variable"}
CITATION = re.compile(r"\([A-Z][^()]*?\d{4}\)")
#: The one option a note asks the user to type, as an instruction (with its left-to-right mark in Persian).
OPTION = re.compile(r"\u200e?--[a-z]+(?: [a-z]+)?")
LATIN = re.compile(r"[A-Za-z]")
SNAKE = re.compile(r"\b[A-Za-z0-9]+_[A-Za-z0-9_]+\b")


def _raised() -> list[tuple[str, set[str], set[str], str]]:
    """Every ``Notice(...)`` call in the package: (code, param names, advice names, file:line)."""
    calls = []
    for path in sorted(SRC.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Notice"):
                continue
            where = f"{path.relative_to(SRC)}:{node.lineno}"
            code = node.args[0]
            assert isinstance(code, ast.Constant) and isinstance(code.value, str), where
            params = node.args[3] if len(node.args) > 3 else next(
                (k.value for k in node.keywords if k.arg == "params"), None)
            keys: set[str] = set()
            advice: set[str] = set()
            if params is not None:
                assert isinstance(params, ast.Dict), f"{where}: params must be a dict literal (read by this test)"
                for k, v in zip(params.keys, params.values):
                    assert isinstance(k, ast.Constant), where
                    keys.add(k.value)
                    if k.value == "advice":
                        advice |= {c.value for c in ast.walk(v)
                                   if isinstance(c, ast.Constant) and isinstance(c.value, str) and c.value}
            calls.append((code.value, keys, advice, where))
    return calls


RAISED = _raised()
CODES = sorted({code for code, *_ in RAISED})
ADVICE = sorted({a for _, _, advice, _ in RAISED for a in advice})


def _fields(entry) -> set[tuple[str, str]]:
    return set().union(*(template_fields(t) for t in variants(entry)))


def test_the_source_raises_every_notice_with_literal_params():
    assert len(RAISED) >= 23 and len(CODES) >= 23
    assert "missing_fiml" in ADVICE and {"check_reverse", "mark_reverse"} <= set(ADVICE)


@pytest.mark.parametrize("code", CODES)
def test_every_notice_has_a_title_and_a_text_in_both_languages(code):
    fields = {}
    for lang in LANGS:
        data = load_locale(lang).data
        assert data["notice_titles"].get(code), (lang, code)
        entry = data["notice_texts"].get(code)
        assert entry, f"notice_texts.{code} is missing from {lang}.yaml"
        fields[lang] = _fields(entry)
        if isinstance(entry, dict):
            assert set(entry) == {"count", "one", "other"}, (lang, code)
            fields[lang].add((entry["count"], ""))
    assert fields["en"] == fields["fa"], code
    for name, spec in fields["en"]:
        assert spec in NUMBER_FORMATS | {"name", "value"}, (code, name, spec)
        assert spec != "name" or name in NAME_KEYS, (code, name)
        for c, keys, _, where in RAISED:
            if c == code:
                assert name in keys, f"{where} raises {code} without the param '{name}' its text uses"


@pytest.mark.parametrize("advice", ADVICE)
def test_every_advice_has_a_sentence_in_both_languages(advice):
    fields = {lang: template_fields(load_locale(lang).data["notice_advice"][advice]) for lang in LANGS}
    assert fields["en"] == fields["fa"]
    for _, keys, raised, where in RAISED:
        if advice in raised:
            assert {name for name, _ in fields["en"]} <= keys, where


def test_no_text_is_left_for_a_notice_that_is_never_raised():
    for lang in LANGS:
        data = load_locale(lang).data
        assert sorted(data["notice_texts"]) == CODES, lang
        assert sorted(data["notice_titles"]) == CODES, lang
        assert sorted(data["notice_advice"]) == ADVICE, lang


def _templates(lang: str) -> list[str]:
    data = load_locale(lang).data
    return (list(data["notice_titles"].values()) + [t for e in data["notice_texts"].values() for t in variants(e)]
            + list(data["notice_advice"].values()))


def test_persian_templates_are_persian():
    cli = (SRC / "cli.py").read_text(encoding="utf-8")
    for text in _templates("fa"):
        for option in re.findall(r"--[a-z]+", text):
            assert f'"{option}"' in cli, option  # an option a note asks for is one the command line has
        bare = OPTION.sub("", CITATION.sub("", re.sub(r"\{[^}]*\}", "", text)))
        assert not LATIN.search(bare), text
        assert not re.search(r"[0-9يك]", bare), text  # Persian digits, Persian ی and ک
        # zero-width non-joiners: no plural suffix or verb prefix standing alone
        assert not re.search(r"(^|\s)(ها|های|هایی|اند|می|نمی)(\s|$|[،؛.)])", text), text


def test_english_templates_name_no_internal_keys():
    for text in _templates("en"):
        bare = re.sub(r"\{[^}]*\}", "", text)
        assert not SNAKE.search(bare) and "json" not in bare.lower() and "listed under" not in bare, text
        assert bare[:1].isupper() or bare[:1].isdigit() or text.startswith("{"), text


# ---------------------------------------------------------------- every template, filled in

Q = crm_questionnaire()
NAMES = {"item": "SAT2", "construct": "SAT", "demographic": "gender", "variable": "LOY"}


def _sample(code: str, lang: str, count: int) -> Notice:
    """A notice of ``code`` with a value for every field its text uses (``count`` for its count)."""
    entry = load_locale(lang).data["notice_texts"][code]
    params: dict = {}
    for name, spec in _fields(entry):
        if spec == "name":
            params[name] = NAMES[name]
        elif spec == "value":
            params[name] = "abc"
        elif name in ("n", "failed", "inadmissible", "row", "used", "respondents", "resamples", "successful",
                      "missing", "iterations"):
            params[name] = count if isinstance(entry, dict) and name == entry["count"] else 1234
        else:
            params[name] = -0.4567 if spec in ("r", "r3", "dec3") else 3.5
    advice = next((a for c, _, raised, _ in RAISED if c == code for a in sorted(raised)), "")
    return Notice(code, "English message", "", {**params, "advice": advice})


def _names(lang: str) -> dict[str, str]:
    loc = load_locale(lang)
    return {**{c.id: loc.text(c.name) for c in Q.constructs}, **{d.id: loc.text(d.name) for d in Q.demographics}}


def _check_persian(text: str) -> None:
    """Persian alone, but for the questionnaire's ids, quoted data, citations and the option to type."""
    bare = re.sub(r"«[^»]*»", "", text)
    bare = OPTION.sub("", CITATION.sub("", bare))
    bare = re.sub(r"\b(" + "|".join(map(re.escape, (*Q.item_ids, *(c.id for c in Q.constructs)))) + r")\b", "",
                  bare)
    assert not LATIN.search(bare), text
    assert not re.search(r"[0-9]", bare), text
    assert not re.search(r"[{}]|nan|None", text), text


def _check_english(text: str) -> None:
    assert not SNAKE.search(text), text
    assert not re.search(r"[{}]|\bnan\b|None|json|listed under|[\u0600-\u06ff]", text), text


@pytest.mark.parametrize("code", CODES)
@pytest.mark.parametrize("count", [1, 7])
def test_every_note_is_written_in_the_chapter_language(code, count):
    fa = notice_text(_sample(code, "fa", count), load_locale("fa"), _names("fa"))
    en = notice_text(_sample(code, "en", count), load_locale("en"), _names("en"))
    _check_persian(fa)
    _check_english(en)
    assert "English message" not in fa + en
    entry = load_locale("fa").data["notice_texts"][code]
    chosen = entry if isinstance(entry, str) else entry["one" if count == 1 else "other"]
    if any(spec in NUMBER_FORMATS for _, spec in template_fields(chosen)):
        assert re.search("[۰-۹]", fa), fa  # the numbers are there, in Persian digits
    for lang, text in (("fa", fa), ("en", en)):
        names = _names(lang)
        for key, value in NAMES.items():  # constructs and demographics by name, items by id
            if f"{{{key}:name}}" in str(load_locale(lang).data["notice_texts"][code]):
                assert names.get(value, value) in text, (key, text)


def test_numbers_and_values_in_each_style():
    n = Notice("low_reliability", "Cronbach's alpha of SAT is 0.62, below 0.70", "SAT",
               {"construct": "SAT", "alpha": 0.6234, "threshold": 0.7})
    assert notice_text(n, load_locale("en"), _names("en")) == (
        "Low reliability: Cronbach's alpha of Customer satisfaction is .62, below .70; look at its items with a "
        "low corrected item-total correlation.")
    fa = notice_text(n, load_locale("fa"), _names("fa"))
    assert "آلفای کرونباخ سازهٔ رضایت مشتری برابر ۰٫۶۲ و کمتر از آستانهٔ ۰٫۷۰ است" in fa
    code = Notice("unknown_demographic_code", "m", "gender", {"n": 2, "demographic": "gender", "row": 8,
                                                                 "value": "9"})
    assert "(نخستین مورد: ردیف ۸، «۹»)" in notice_text(code, load_locale("fa"), _names("fa"))
    assert "2 answers on gender match none" in notice_text(code, load_locale("en"), {"gender": "gender"})


def test_a_notice_stays_frozen_and_hashable_with_its_params():
    import numpy as np
    a = Notice("mostly_missing", "m", "SAT2", {"item": "SAT2", "missing": np.int64(40), "n": 60})
    b = Notice("mostly_missing", "m", "SAT2", (("item", "SAT2"), ("missing", 40), ("n", 60)))
    assert a == b and hash(a) == hash(b) and type(a.values["missing"]) is int
    assert a.to_json() == {"code": "mostly_missing", "message": "m", "subject": "SAT2",
                           "params": {"item": "SAT2", "missing": 40, "n": 60}}
    with pytest.raises(AttributeError):
        a.params = ()  # type: ignore[misc]


# ---------------------------------------------------------------- through the whole pipeline

def _broken_exports():
    """Two copies of the bundled export, each broken in several ways a real export is."""
    a = crm_export().copy()
    sat1 = next(c for c in a.columns if "Overall satisfaction" in c)
    a.loc[2, "LOY2"] = "7"                                   # out of range
    a.loc[9, "KCF2"] = "0"
    a.loc[3, "KCF3"] = "lots"                                # unreadable
    a.loc[4, "KCF4"] = "3.5"                                 # between two scale points
    a.loc[1, "gender"] = "9"                                 # a code the questionnaire does not define
    a.loc[5, "respondent_id"] = None                         # no respondent id
    a.loc[7, "respondent_id"] = a.loc[6, "respondent_id"]    # one id, two different respondents
    a = a.drop(columns=["tenure"])                           # a demographic without a column
    a["KM3"] = "3"                                           # no variance: every model fails on it
    a.loc[a.index[:250], "TECH4"] = None                     # mostly missing
    a["SAT2"] = [str(6 - int(v)) if str(v).isdigit() else v for v in a["SAT2"]]  # worded the other way
    b = crm_export().copy()
    b.loc[b.index[:70], sat1] = None                         # 16% lack an answer: listwise deletion loses them
    b["KM2"] = [str(6 - int(v)) if str(v).isdigit() else v for v in b["KM2"]]   # a reverse item entered reversed
    return a, b


@pytest.fixture(scope="module")
def studies():
    return [loyaltysurvey.analyze(Q, frame, bootstrap=20, seed=1) for frame in _broken_exports()]


def _html_notes(report) -> list[str]:
    page = render_html(report)
    return [html.unescape(re.sub(r"<[^>]+>", "", t)) for t in re.findall(r'<div class="callout"[^>]*>(.*?)</div>',
                                                                          page, re.S)]


def test_broken_exports_raise_many_notices(studies):
    codes = {n.code for s in studies for n in s.notices}
    assert codes >= {"demographic_not_found", "missing_respondent_id", "conflicting_id", "unknown_demographic_code",
                     "zero_variance", "mostly_missing", "out_of_range", "unreadable", "between_points",
                     "low_reliability", "negative_item_total", "cfa_failed", "sem_failed", "pls_failed",
                     "listwise_loss"}, codes
    advice = {n.values.get("advice") for s in studies for n in s.notices}
    assert {"missing_fiml", "check_reverse", "mark_reverse"} <= advice


def test_the_persian_chapter_notes_are_persian(studies):
    for study in studies:
        report = build_report(study.results, "fa", date(2026, 11, 23))
        callouts = [b.text for s in report.sections if s.id == "notes" for b in s.blocks if isinstance(b, Callout)]
        notes = _html_notes(report)
        assert notes == callouts and len(notes) == len(study.notices)
        for text in notes:
            _check_persian(text)
        joined = "\n".join(notes)
        assert load_locale("fa").num(study.n) in joined  # the respondents, counted in Persian digits
    a_notes = "\n".join(_html_notes(build_report(studies[0].results, "fa", date(2026, 11, 23))))
    for fragment in ("فایل داده‌ها ستونی برای سابقهٔ مشتری بودن ندارد",  # the demographic by its Persian name
                     "آلفای کرونباخ سازهٔ رضایت مشتری برابر ۰٫",          # the construct by its Persian name
                     "(نخستین مورد: گویهٔ LOY2، ردیف ۳، مقدار ۷)",          # the item by its id, numbers in Persian
                     "(گویهٔ KCF4، ردیف ۵، مقدار ۳٫۵)", "«lots»", "(ردیف ۲، «۹»)",
                     "پاسخ ۲۵۱ نفر از ۴۲۲ پاسخ‌دهنده به گویهٔ TECH4 گمشده است"):
        assert fragment in a_notes, fragment
    b_notes = "\n".join(_html_notes(build_report(studies[1].results, "fa", date(2026, 11, 23))))
    assert "تحلیل را با گزینهٔ \u200e--missing fiml" in b_notes and "٪ کنار گذاشته شدند" in b_notes
    assert "این گویه معکوس علامت‌گذاری شده است" in b_notes


def test_the_english_chapter_notes_read_naturally(studies):
    for study in studies:
        notes = _html_notes(build_report(study.results, "en", date(2026, 11, 23)))
        assert len(notes) == len(study.notices)
        for text in notes:
            _check_english(text)
            assert text == text.strip() and text.endswith(".")
    a_notes = "\n".join(_html_notes(build_report(studies[0].results, "en", date(2026, 11, 23))))
    assert "The data file has no column for years as a customer" in a_notes
    assert "Cronbach's alpha of Customer satisfaction is ." in a_notes
    assert "4 answers were outside their item's scale and were treated as missing (the first: item LOY2, row 3, value 7)" \
        in a_notes
    assert "One answer could not be read" in a_notes and "“lots”" in a_notes
    b_notes = "\n".join(_html_notes(build_report(studies[1].results, "en", date(2026, 11, 23))))
    assert "run the analysis again with --missing fiml" in b_notes


def test_the_api_and_the_terminal_keep_the_english_message(studies, tmp_path):
    from loyaltysurvey.cli import _summary_lines

    study = studies[0]
    messages = dict(zip(study.warnings.code, study.warnings.message))
    assert "listed under out_of_range" in messages["out_of_range"]
    lines = _summary_lines(study, tmp_path)
    assert f"{len(study.notices)} data-quality notes: see the chapter's last section" in lines
    assert any("could not be estimated" in line and "'KM3' has zero variance" in line for line in lines), lines
