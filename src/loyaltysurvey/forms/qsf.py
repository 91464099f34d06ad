"""A Qualtrics survey file (``.qsf``) of the questionnaire.

A ``.qsf`` file is JSON: ``SurveyEntry`` (the survey's id, name, language, status and dates)
and ``SurveyElements``, a list of elements each naming its kind in ``Element`` with its content in
``Payload``: ``BL`` the blocks (each listing its questions), ``FL`` the survey flow (the blocks
in order), ``SO`` the survey options, ``SQ`` one per question, ``QC`` the question count and
``RS`` the response set. This is the structure Qualtrics exports and imports ("Import/Export
Survey" in its support pages) and that public QSF readers parse (e.g. the R package
qualtRics' survey-definition reader and QualtricsTools); no Qualtrics installation can be run
here, so the file is checked against that published structure by tests/test_forms.py.

What is written, the form's language first and every other language the questionnaire has
(of fa, en) as a translation (``Language`` of each question, ``AvailableLanguages``):

* a block with the cover letter (a descriptive-text question ``DB``/``TB``, export tag
  ``intro``) and the consent question (single answer ``MC``/``SAVR``, tag ``consent``, forced);
* a block for the demographics: single-answer ``MC``/``SAVR`` questions whose
  ``DataExportTag`` is the demographic's id (:func:`~.codes.qualtrics_tag`) and whose ``RecodeValues`` are its value codes
  when they are whole numbers (Qualtrics recode values are numbers); a multi-select one
  (``multiple: true``) a multiple-answer ``MC``/``MAVR`` question; a demographic without
  values is a text entry (``TE``/``SL``);
* a block per grid (the neutral "Part n", never the construct's name): a ``Matrix`` question with
  ``Selector`` ``Likert`` and ``SubSelector`` ``SingleAnswer``, ``DataExportTag`` the construct's
  id, one statement (``Choices``) per item with ``ChoiceDataExportTags`` the item's id (its
  LimeSurvey code when Qualtrics would change the id: :func:`~.codes.qualtrics_tag`), and the
  scale labels as ``Answers`` with ``RecodeValues`` the scale values, so that an export "as
  numeric values" holds the values as the questionnaire defines them, in columns named
  ``KCF_KCF1`` (the matrix's tag, an underscore, the statement's tag; see docs/forms.md).

Questionnaire text is HTML-escaped (question texts are HTML; the plain names and descriptions
too, so that no field holds markup) and ``$`` written as a character reference, so that no text is read as Qualtrics piped text (``${...}``).
"""

from __future__ import annotations

import hashlib
import html
import json
from typing import Any

from ..questionnaire import Questionnaire
from .codes import PlatformCodes, platform_codes, qualtrics_tag
from .lss import form_languages
from .model import Form, build_form

__all__ = ["render_qsf"]

_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _html(text: str) -> str:
    return html.escape(text, quote=True).replace("$", "&#36;")


def _qid(seed: str, prefix: str, n: int = 15) -> str:
    """A stable Qualtrics-style id (``SV_``, ``BL_``...) from ``seed``: 15 letters and digits.

    >>> _qid("crm-loyalty", "SV_") == _qid("crm-loyalty", "SV_"), len(_qid("x", "BL_"))
    (True, 18)
    """
    digest = int.from_bytes(hashlib.sha256(seed.encode("utf-8")).digest(), "big")
    out = []
    for _ in range(n):
        digest, r = divmod(digest, len(_ALPHABET))
        out.append(_ALPHABET[r])
    return prefix + "".join(out)


def _matrix_tag(key: str, codes: PlatformCodes) -> str:
    """A matrix's export tag: the construct's id where Qualtrics keeps it (its first grid), else its code."""
    return qualtrics_tag(key, codes.questions[key]) if "/" not in key else codes.questions[key]


def _numeric(code: str) -> bool:
    return code.isdigit()


def render_qsf(q: Questionnaire, lang: str | None = None, codes: PlatformCodes | None = None) -> bytes:
    """The Qualtrics survey file of ``q`` as UTF-8 JSON bytes (survey language ``lang``).

    >>> from loyaltysurvey.datasets import crm_questionnaire
    >>> doc = json.loads(render_qsf(crm_questionnaire(), "en"))
    >>> matrices = [e["Payload"] for e in doc["SurveyElements"] if e["Element"] == "SQ"
    ...             and e["Payload"]["QuestionType"] == "Matrix"]
    >>> len(matrices), matrices[0]["DataExportTag"], list(matrices[0]["ChoiceDataExportTags"].values())[:2]
    (6, 'KCF', ['KCF1', 'KCF2'])
    """
    lang = lang or q.language
    codes = codes or platform_codes(q)
    languages = form_languages(q, lang)
    forms: dict[str, Form] = {code: build_form(q, code) for code in languages}
    base = forms[lang]
    sid = _qid(f"survey:{q.id}", "SV_")
    others = [c for c in languages if c != lang]
    questions: list[dict[str, Any]] = []
    blocks: list[dict[str, Any]] = []

    def translations(build) -> dict[str, Any] | list:
        out = {c.upper(): build(forms[c]) for c in others}
        return out or []

    def sq(payload: dict[str, Any], plain: str) -> str:
        qid = f"QID{len(questions) + 1}"
        payload = {**payload, "QuestionDescription": _html(payload.get("QuestionDescription", "")), "QuestionID": qid, "DataVisibility": {"Private": False, "Hidden": False},
                   "Validation": payload.get("Validation") or {"Settings": {"ForceResponse": "OFF",
                                                                            "ForceResponseType": "ON",
                                                                            "Type": "None"}}}
        questions.append({"SurveyID": sid, "Element": "SQ", "PrimaryAttribute": qid,
                          "SecondaryAttribute": _html(plain)[:100], "TertiaryAttribute": None, "Payload": payload})
        return qid

    def block(key: str, description: str, qids: list[str]) -> None:
        elements = [{"Type": "Question", "QuestionID": qid} for qid in qids]
        blocks.append({"Type": "Default" if not blocks else "Standard", "Description": _html(description),
                       "ID": _qid(f"block:{q.id}:{key}", "BL_"), "BlockElements": elements})

    def choices(labels: list[str]) -> dict[str, dict[str, str]]:
        return {str(k): {"Display": _html(label)} for k, label in enumerate(labels, 1)}

    letter = lambda f: "".join(f"<p>{_html(p)}</p>" for p in f.cover_letter)  # noqa: E731
    intro = sq({"QuestionText": letter(base), "DataExportTag": "intro", "QuestionType": "DB", "Selector": "TB",
                "Configuration": {"QuestionDescriptionOption": "UseText"}, "QuestionDescription": base.title,
                "ChoiceOrder": [], "Language": translations(lambda f: {"QuestionText": letter(f)})},
               base.title)
    consent = sq({"QuestionText": _html(base.consent), "DataExportTag": "consent", "QuestionType": "MC",
                  "Selector": "SAVR", "SubSelector": "TX",
                  "Configuration": {"QuestionDescriptionOption": "UseText"}, "QuestionDescription": base.consent,
                  "Choices": choices([base.consent]), "ChoiceOrder": ["1"], "RecodeValues": {"1": "1"},
                  "Validation": {"Settings": {"ForceResponse": "ON", "ForceResponseType": "ON", "Type": "None"}},
                  "Language": translations(lambda f: {"QuestionText": _html(f.consent),
                                                      "Choices": choices([f.consent])})},
                 base.consent)
    block("intro", base.title, [intro, consent])

    if base.demographics:
        qids = []
        for k, demo in enumerate(base.demographics):
            tag = qualtrics_tag(demo.id, codes.questions[demo.id])
            if demo.choices:
                value_codes = [codes.values[demo.id][c.code] for c in demo.choices]
                payload = {"QuestionText": _html(demo.text), "DataExportTag": tag, "QuestionType": "MC",
                           "Selector": "MAVR" if demo.multiple else "SAVR", "SubSelector": "TX",
                           "Configuration": {"QuestionDescriptionOption": "UseText"},
                           "QuestionDescription": demo.text,
                           "Choices": choices([c.label for c in demo.choices]),
                           "ChoiceOrder": [str(j) for j in range(1, len(demo.choices) + 1)],
                           "Language": translations(lambda f, k=k: {
                               "QuestionText": _html(f.demographics[k].text),
                               "Choices": choices([c.label for c in f.demographics[k].choices])})}
                if all(_numeric(c) for c in value_codes):
                    payload["RecodeValues"] = {str(j): c for j, c in enumerate(value_codes, 1)}
                payload["VariableNaming"] = {str(j): c for j, c in enumerate(value_codes, 1)}
            else:
                payload = {"QuestionText": _html(demo.text), "DataExportTag": tag, "QuestionType": "TE",
                           "Selector": "SL", "Configuration": {"QuestionDescriptionOption": "UseText"},
                           "QuestionDescription": demo.text, "ChoiceOrder": [],
                           "Language": translations(lambda f, k=k: {"QuestionText": _html(f.demographics[k].text)})}
            qids.append(sq(payload, demo.text))
        block("about", base.about_heading, qids)

    for g, grid in enumerate(base.grids):
        n_rows, n_points = len(grid.rows), len(grid.points)
        payload = {
            "QuestionText": _html(grid.instruction), "DataExportTag": _matrix_tag(grid.construct, codes),
            "QuestionType": "Matrix", "Selector": "Likert", "SubSelector": "SingleAnswer",
            "Configuration": {"QuestionDescriptionOption": "UseText", "TextPosition": "inline",
                              "ChoiceColumnWidth": 40, "RepeatHeaders": "none", "WhiteSpace": "OFF",
                              "MobileFirst": True},
            "QuestionDescription": grid.instruction,
            "Choices": choices([row.text for row in grid.rows]),
            "ChoiceOrder": [str(r) for r in range(1, n_rows + 1)],
            "ChoiceDataExportTags": {str(r): qualtrics_tag(row.item_id, codes.items[row.item_id])
                                     for r, row in enumerate(grid.rows, 1)},
            "Answers": choices(list(grid.columns)),
            "AnswerOrder": list(range(1, n_points + 1)),
            "RecodeValues": {str(j): str(p) for j, p in enumerate(grid.points, 1)},
            "NextChoiceId": n_rows + 1, "NextAnswerId": n_points + 1,
            "Language": translations(lambda f, g=g: {
                "QuestionText": _html(f.grids[g].instruction),
                "Choices": choices([row.text for row in f.grids[g].rows]),
                "Answers": choices(list(f.grids[g].columns))}),
        }
        qid = sq(payload, grid.heading)
        block(grid.construct, grid.heading, [qid])

    flow = [{"Type": "Block" if k == 0 else "Standard", "ID": b["ID"], "FlowID": f"FL_{k + 2}"}
            for k, b in enumerate(blocks)]
    elements = [
        {"SurveyID": sid, "Element": "BL", "PrimaryAttribute": "Survey Blocks", "SecondaryAttribute": None,
         "TertiaryAttribute": None, "Payload": blocks},
        {"SurveyID": sid, "Element": "FL", "PrimaryAttribute": "Survey Flow", "SecondaryAttribute": None,
         "TertiaryAttribute": None,
         "Payload": {"Type": "Root", "FlowID": "FL_1", "Flow": flow, "Properties": {"Count": len(flow) + 1}}},
        {"SurveyID": sid, "Element": "SO", "PrimaryAttribute": "Survey Options", "SecondaryAttribute": None,
         "TertiaryAttribute": None,
         "Payload": {"BackButton": "true", "SaveAndContinue": "true", "SurveyProtection": "PublicSurvey",
                     "BallotBoxStuffingPrevention": "false", "NoIndex": "Yes", "SecureResponseFiles": "true",
                     "SurveyExpiration": "None", "SurveyTermination": "DefaultMessage", "Header": "", "Footer": "",
                     "ProgressBarDisplay": "Text", "PartialData": "+1 week", "PreviousButton": "", "NextButton": "",
                     "SurveyTitle": _html(base.title), "SurveyLanguage": lang.upper(),
                     "AvailableLanguages": {c.upper(): [] for c in languages},
                     "EOSMessage": "", "ShowExportTags": "false", "CollectGeoLocation": "false",
                     "SurveyMetaDescription": ""}},
        {"SurveyID": sid, "Element": "QC", "PrimaryAttribute": "Survey Question Count",
         "SecondaryAttribute": str(len(questions)), "TertiaryAttribute": None, "Payload": None},
        {"SurveyID": sid, "Element": "RS", "PrimaryAttribute": _qid(f"rs:{q.id}", "RS_"),
         "SecondaryAttribute": "Default Response Set", "TertiaryAttribute": None, "Payload": None},
        *questions,
    ]
    document = {
        "SurveyEntry": {"SurveyID": sid, "SurveyName": _html(base.title), "SurveyDescription": None, "SurveyOwnerID": None,
                        "SurveyBrandID": None, "DivisionID": None, "SurveyLanguage": lang.upper(),
                        "SurveyActiveResponseSet": elements[4]["PrimaryAttribute"], "SurveyStatus": "Inactive",
                        "SurveyStartDate": "0000-00-00 00:00:00", "SurveyExpirationDate": "0000-00-00 00:00:00",
                        "SurveyCreationDate": "0000-00-00 00:00:00", "CreatorID": None,
                        "LastModified": "0000-00-00 00:00:00", "LastAccessed": "0000-00-00 00:00:00",
                        "LastActivated": "0000-00-00 00:00:00", "Deleted": None},
        "SurveyElements": elements,
    }
    return json.dumps(document, ensure_ascii=False, indent=1).encode("utf-8")
