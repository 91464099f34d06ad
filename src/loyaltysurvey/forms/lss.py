"""A LimeSurvey survey structure file (``.lss``) of the questionnaire.

The layout is that of the ``.lss`` files LimeSurvey 5 and 6 export and import (the survey
structure: an XML ``document`` whose ``LimeSurveyDocType`` is ``Survey``, a ``DBVersion``, the
``languages``, and one element per database table, each with its ``fields`` and ``rows``:
``answers``/``answer_l10ns``, ``groups``/``group_l10ns``, ``questions``, ``subquestions``,
``question_l10ns``, ``question_attributes``, ``surveys`` and ``surveys_languagesettings``), as
described in the LimeSurvey manual ("Survey structure", "Question types") and read by its
importer (``XMLImportSurvey``: the document type, the DB version, ``surveys/rows/row``, then the
tables). Every text is HTML (LimeSurvey shows question texts as HTML), so questionnaire text is
HTML-escaped, and curly braces are written as character references so that LimeSurvey's
Expression Manager never evaluates them.

What is written:

* The cover letter as the survey's welcome text (``surveyls_welcometext``) and the closing
  thanks as its end text, in each language.
* Group 1: the consent question (``consent``, type ``Y`` yes/no, mandatory).
* A group for the demographics: each a list (radio) question (type ``L``) whose answer codes
  are the questionnaire's value codes (:mod:`.codes`); one without values a short free text
  (type ``S``); a multi-select one (``multiple: true``) a multiple-choice question (type ``M``)
  whose subquestions are its options, coded by the value codes (``SQ1`` for a code ``1``: a
  subquestion code starts with a letter).
* A group per grid (the neutral "Part n" title, never the construct's name): an array question
  (type ``F``) coded by the construct's id, whose subquestions are coded by the item ids and
  whose answer options are coded by the scale values, so that an export "as answer codes" holds
  the values as the questionnaire defines them, and with "question code" headings reads
  ``KCF[KCF1]`` (see docs/forms.md).
* Every language the questionnaire has texts in (of those the form knows: fa, en), the form's
  language first (the survey's base language).
"""

from __future__ import annotations

import html
import zlib

from lxml import etree

from ..questionnaire import Questionnaire
from .codes import PlatformCodes, platform_codes
from .model import Form, build_form

__all__ = ["render_lss", "DB_VERSION", "form_languages"]

#: The database version written, that of LimeSurvey 5's structure files (the l10n tables exist from
#: version 400 on). LimeSurvey 6 imports such files as they are: its importer converts only older
#: layouts (its ``DBVersion`` branches in ``XMLImportSurvey`` test versions below 200).
DB_VERSION = 477

_QUESTION_FIELDS = ("qid", "parent_qid", "sid", "gid", "type", "title", "preg", "other", "mandatory", "encrypted",
                    "question_order", "scale_id", "same_default", "relevance", "question_theme_name", "modulename",
                    "same_script")
_THEMES = {"F": "arrays/array", "L": "listradio", "M": "multiplechoice", "Y": "yesno", "S": "shortfreetext", "T": ""}


def form_languages(q: Questionnaire, lang: str) -> list[str]:
    """``lang`` then every other language (of fa, en) the questionnaire's title or items are written in.

    >>> from loyaltysurvey.datasets import crm_questionnaire
    >>> form_languages(crm_questionnaire(), "fa"), form_languages(crm_questionnaire(), "en")
    (['fa', 'en'], ['en', 'fa'])
    """
    present: set[str] = set()
    for text in [q.title, *(item.text for item in q.items), *(c.name for c in q.constructs)]:
        present |= set(getattr(text, "texts", {}) or {})
    return [lang] + [other for other in ("fa", "en") if other != lang and other in present]


def survey_number(q: Questionnaire) -> int:
    """A stable six-digit survey id from the questionnaire's id (LimeSurvey replaces it if taken).

    >>> from loyaltysurvey.datasets import crm_questionnaire
    >>> 100000 <= survey_number(crm_questionnaire()) <= 999999
    True
    """
    return 100000 + zlib.crc32(q.id.encode("utf-8")) % 900000


def _html(text: str) -> str:
    """Questionnaire text as LimeSurvey HTML: escaped, braces as character references."""
    return html.escape(text, quote=True).replace("{", "&#123;").replace("}", "&#125;")


def _table(root, name: str, fields: tuple[str, ...], rows: list[dict]) -> None:
    table = etree.SubElement(root, name)
    names = etree.SubElement(table, "fields")
    for f in fields:
        etree.SubElement(names, "fieldname").text = f
    body = etree.SubElement(table, "rows")
    for row in rows:
        el = etree.SubElement(body, "row")
        for f in fields:
            value = row.get(f, "")
            etree.SubElement(el, f).text = etree.CDATA(str(value))


def render_lss(q: Questionnaire, lang: str | None = None, codes: PlatformCodes | None = None) -> bytes:
    """The LimeSurvey survey structure of ``q`` as UTF-8 XML bytes (base language ``lang``).

    >>> from loyaltysurvey.datasets import crm_questionnaire
    >>> root = etree.fromstring(render_lss(crm_questionnaire(), "fa"))
    >>> root.findtext("LimeSurveyDocType"), [l.text for l in root.find("languages")]
    ('Survey', ['fa', 'en'])
    >>> [r.findtext("title") for r in root.find("subquestions/rows")][:3]
    ['KCF1', 'KCF2', 'KCF3']
    """
    lang = lang or q.language
    codes = codes or platform_codes(q)
    languages = form_languages(q, lang)
    forms: dict[str, Form] = {code: build_form(q, code) for code in languages}
    base = forms[lang]
    sid = survey_number(q)

    groups, group_l10ns, questions, subquestions, question_l10ns = [], [], [], [], []
    answers, answer_l10ns = [], []
    counters = {"qid": 0, "aid": 0, "l10n": 0, "gl10n": 0, "al10n": 0}

    def next_id(kind: str) -> int:
        counters[kind] += 1
        return counters[kind]

    def group(order: int, names: dict[str, str]) -> int:
        gid = order
        groups.append({"gid": gid, "sid": sid, "group_order": order, "randomization_group": "", "grelevance": "1"})
        for code, name in names.items():
            group_l10ns.append({"id": next_id("gl10n"), "gid": gid, "group_name": _html(name), "description": "",
                                "language": code})
        return gid

    def question(gid: int, qtype: str, title: str, order: int, texts: dict[str, str], *, mandatory: str = "N",
                 parent: int = 0, into: list | None = None) -> int:
        qid = next_id("qid")
        (into if into is not None else questions).append({
            "qid": qid, "parent_qid": parent, "sid": sid, "gid": gid, "type": qtype, "title": title, "preg": "",
            "other": "N", "mandatory": mandatory, "encrypted": "N", "question_order": order, "scale_id": 0,
            "same_default": 0, "relevance": "1", "question_theme_name": _THEMES.get(qtype, ""), "modulename": "",
            "same_script": 0})
        for code, text in texts.items():
            question_l10ns.append({"id": next_id("l10n"), "qid": qid, "question": text, "help": "", "script": "",
                                   "language": code})
        return qid

    def answer(qid: int, code: str, order: int, labels: dict[str, str]) -> None:
        aid = next_id("aid")
        answers.append({"aid": aid, "qid": qid, "code": code, "sortorder": order, "assessment_value": 0,
                        "scale_id": 0})
        for language, label in labels.items():
            answer_l10ns.append({"id": next_id("al10n"), "aid": aid, "answer": _html(label), "language": language})

    order = 1
    gid = group(order, {c: f.title for c, f in forms.items()})
    question(gid, "Y", "consent", 1, {c: f"<p>{_html(f.consent)}</p>" for c, f in forms.items()}, mandatory="Y")
    if base.demographics:
        order += 1
        gid = group(order, {c: f.about_heading for c, f in forms.items()})
        for k, demo in enumerate(base.demographics):
            texts = {c: f"<p>{_html(f.demographics[k].text)}</p>" for c, f in forms.items()}
            if demo.multiple and demo.choices:  # multiple choice: one subquestion (a box) per option
                qid = question(gid, "M", codes.questions[demo.id], k + 1, texts)
                for j, choice in enumerate(demo.choices):
                    code = codes.values[demo.id][choice.code]  # a subquestion code starts with a letter
                    question(gid, "T", code if code[:1].isalpha() else f"SQ{code}", j + 1,
                             {c: _html(f.demographics[k].choices[j].label) for c, f in forms.items()}, parent=qid,
                             into=subquestions)
                continue
            qid = question(gid, "L" if demo.choices else "S", codes.questions[demo.id], k + 1, texts)
            for j, choice in enumerate(demo.choices):
                answer(qid, codes.values[demo.id][choice.code], j + 1,
                       {c: f.demographics[k].choices[j].label for c, f in forms.items()})
    for g, grid in enumerate(base.grids):
        order += 1
        gid = group(order, {c: f.grids[g].heading for c, f in forms.items()})
        texts = {c: f"<p>{_html(f.grids[g].instruction)}</p>" for c, f in forms.items()}
        qid = question(gid, "F", codes.questions[grid.construct], 1, texts)
        for r, row in enumerate(grid.rows):
            question(gid, "T", codes.items[row.item_id], r + 1,
                     {c: _html(f.grids[g].rows[r].text) for c, f in forms.items()}, parent=qid, into=subquestions)
        scale = PlatformCodes.scale_codes(grid.points)
        for j, point in enumerate(grid.points):
            answer(qid, scale[point], j + 1, {c: f.grids[g].columns[j] for c, f in forms.items()})

    root = etree.Element("document")
    etree.SubElement(root, "LimeSurveyDocType").text = "Survey"
    etree.SubElement(root, "DBVersion").text = str(DB_VERSION)
    langs = etree.SubElement(root, "languages")
    for code in languages:
        etree.SubElement(langs, "language").text = code
    _table(root, "answers", ("aid", "qid", "code", "sortorder", "assessment_value", "scale_id"), answers)
    _table(root, "answer_l10ns", ("id", "aid", "answer", "language"), answer_l10ns)
    _table(root, "groups", ("gid", "sid", "group_order", "randomization_group", "grelevance"), groups)
    _table(root, "group_l10ns", ("id", "gid", "group_name", "description", "language"), group_l10ns)
    _table(root, "questions", _QUESTION_FIELDS, questions)
    _table(root, "subquestions", _QUESTION_FIELDS, subquestions)
    _table(root, "question_l10ns", ("id", "qid", "question", "help", "script", "language"), question_l10ns)
    _table(root, "surveys", ("sid", "gsid", "admin", "adminemail", "anonymized", "format", "language",
                             "additional_languages", "datestamp", "ipaddr", "refurl", "showwelcome", "showprogress",
                             "allowprev", "shownoanswer", "showqnumcode", "showgroupinfo", "questionindex"),
           [{"sid": sid, "gsid": 1, "admin": "inherit", "adminemail": "inherit", "anonymized": "Y", "format": "G",
             "language": lang, "additional_languages": " ".join(languages[1:]), "datestamp": "N", "ipaddr": "N",
             "refurl": "N", "showwelcome": "Y", "showprogress": "Y", "allowprev": "Y", "shownoanswer": "N",
             "showqnumcode": "N", "showgroupinfo": "B", "questionindex": 0}])
    _table(root, "surveys_languagesettings",
           ("surveyls_survey_id", "surveyls_language", "surveyls_title", "surveyls_description",
            "surveyls_welcometext", "surveyls_endtext", "surveyls_dateformat", "surveyls_numberformat"),
           [{"surveyls_survey_id": sid, "surveyls_language": c, "surveyls_title": _html(f.title),
             "surveyls_description": "", "surveyls_welcometext": "".join(f"<p>{_html(p)}</p>" for p in f.cover_letter),
             "surveyls_endtext": f"<p>{_html(f.thanks)}</p>", "surveyls_dateformat": 1,
             "surveyls_numberformat": 0} for c, f in forms.items()])
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
