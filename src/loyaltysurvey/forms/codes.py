"""Question and answer codes for the survey-platform files, so that exports come back matched by id.

LimeSurvey question and subquestion codes must be letters and digits only, begin with a
letter and be at most 20 characters long; answer codes letters and digits, at most 5
characters (LimeSurvey manual, "Question code" and "Answer options"; the limits of its
``questions.title`` and ``answers.code`` columns). The same codes are used as Qualtrics export
tags, which allow more. Every id that already fits is kept as it is (``KCF1`` stays ``KCF1``);
one that does not is changed as little as possible (characters other than ASCII letters and digits
dropped, ``Q`` put before a leading digit, cut to the limit, a number added when two would
collide) and listed in :attr:`PlatformCodes.renamed`, which the command line prints and the
form files' users keep.

Scale points are the answer codes when every point is a non-negative whole number of at most
five digits (the usual 1..5, 0..10): an export "as answer codes" then holds the scale values
themselves. Otherwise the points are coded ``A1``, ``A2`` ... in order and the map is listed in
:attr:`PlatformCodes.answer_codes`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Mapping

from ..questionnaire import Questionnaire
from .model import grid_key, scale_runs

__all__ = ["PlatformCodes", "platform_codes", "safe_code", "qualtrics_tag", "export_headers"]

QUESTION_CODE_MAX = 20
ANSWER_CODE_MAX = 5
_CODE = re.compile(r"^[A-Za-z][A-Za-z0-9]*$")
#: Export tags that Qualtrics keeps as they are in its CSV columns (it turns "-" and "#" into "_").
_QUALTRICS_TAG = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")


def qualtrics_tag(raw: str, code: str) -> str:
    """The Qualtrics export tag of an id: the id itself when Qualtrics keeps it, else its LimeSurvey ``code``.

    >>> qualtrics_tag("qual_1", "qual1"), qualtrics_tag("q-1", "q1")
    ('qual_1', 'q1')
    """
    return raw if _QUALTRICS_TAG.match(raw) else code


def safe_code(raw: str, taken: set[str], limit: int = QUESTION_CODE_MAX) -> str:
    """``raw`` as a LimeSurvey code not yet in ``taken`` (which it is added to).

    >>> taken = set()
    >>> safe_code("KCF1", taken), safe_code("qual_1", taken), safe_code("1st", taken), safe_code("qual-1", taken)
    ('KCF1', 'qual1', 'Q1st', 'qual12')
    """
    code = re.sub(r"[^A-Za-z0-9]", "", raw)
    if not code or not code[0].isalpha():
        code = "Q" + code
    code = code[:limit]
    base, n = code, 1
    while code.casefold() in {t.casefold() for t in taken}:
        n += 1
        suffix = str(n)
        code = base[:limit - len(suffix)] + suffix
    taken.add(code)
    return code


@dataclass(frozen=True)
class PlatformCodes:
    """The codes of the survey-platform files.

    ``questions``: grid key (:func:`grid_key`: the construct id, or ``ID/2``, ``ID/3`` for the
    further grids of a construct whose items change scale) and demographic id → question code;
    ``items``: item id → subquestion code; ``values``: demographic id → {value code → answer
    code}; ``renamed``: every id whose code differs from it (``id → code``). Scale points are
    coded by :meth:`scale_codes`.
    """

    questions: Mapping[str, str]
    items: Mapping[str, str]
    values: Mapping[str, Mapping[str, str]]
    renamed: Mapping[str, str] = field(default_factory=dict)

    @staticmethod
    def scale_codes(points: tuple[int, ...]) -> dict[int, str]:
        """Answer code of each scale point: the point itself when all fit, else ``A1``, ``A2`` ...

        >>> PlatformCodes.scale_codes((1, 2, 3)), PlatformCodes.scale_codes((-2, -1, 0))
        ({1: '1', 2: '2', 3: '3'}, {-2: 'A1', -1: 'A2', 0: 'A3'})
        """
        if all(p >= 0 and len(str(p)) <= ANSWER_CODE_MAX for p in points):
            return {p: str(p) for p in points}
        return {p: f"A{k}" for k, p in enumerate(points, 1)}


def platform_codes(q: Questionnaire) -> PlatformCodes:
    """The codes of ``q``'s questions, items and demographic values in the platform files.

    Question codes (constructs, demographics, and the reserved ``consent``) are unique among
    themselves; item codes among themselves too (LimeSurvey needs them unique only within their
    question, but unique codes keep exports unambiguous).

    >>> from loyaltysurvey.datasets import crm_questionnaire
    >>> codes = platform_codes(crm_questionnaire())
    >>> codes.questions["KCF"], codes.items["LOY4"], codes.values["gender"], dict(codes.renamed)
    ('KCF', 'LOY4', {'1': '1', '2': '2'}, {'age_group': 'agegroup'})
    """
    taken: set[str] = {"consent"}
    renamed: dict[str, str] = {}
    questions: dict[str, str] = {}
    for construct in q.constructs:
        for k, _ in enumerate(scale_runs(construct), 1):
            questions[grid_key(construct.id, k)] = safe_code(construct.id, taken)
    for demo in q.demographics:
        questions[demo.id] = safe_code(demo.id, taken)
    item_taken: set[str] = set()
    items = {item.id: safe_code(item.id, item_taken) for item in q.items}
    values: dict[str, dict[str, str]] = {}
    for demo in q.demographics:
        codes = list(demo.values)
        if all(_CODE.match(c) or c.isdigit() for c in codes) and all(len(c) <= ANSWER_CODE_MAX for c in codes):
            values[demo.id] = {c: c for c in codes}
        else:
            values[demo.id] = {c: f"A{k}" for k, c in enumerate(codes, 1)}
            renamed.update({f"{demo.id}={c}": f"A{k}" for k, c in enumerate(codes, 1)})
    for mapping in (questions, items):
        renamed.update({k: v for k, v in mapping.items() if k.split("/")[0] != v})
    return PlatformCodes(questions, items, values, renamed)


def export_headers(q: Questionnaire) -> dict[str, tuple[str, ...]]:
    """The column headers under which LimeSurvey and Qualtrics export each item of the form's files.

    LimeSurvey's CSV export with "question code" headings names an array's answers
    ``QUESTION[SUBQUESTION]`` (``KCF[KCF1]``), its SPSS and R exports ``QUESTION_SUBQUESTION``;
    Qualtrics names a matrix statement's column ``MATRIXTAG_STATEMENTTAG`` (``KCF_KCF1``). Ingestion
    matches these to the item when the export has no column named by the item's id. A
    demographic's list is its LimeSurvey question code when that differs from its id.

    >>> from loyaltysurvey.datasets import crm_questionnaire
    >>> heads = export_headers(crm_questionnaire())
    >>> heads["KCF1"], heads["age_group"]
    (('KCF[KCF1]', 'KCF_KCF1'), ('agegroup',))
    """
    codes = platform_codes(q)
    out: dict[str, tuple[str, ...]] = {}
    for construct in q.constructs:
        for k, run in enumerate(scale_runs(construct), 1):
            question = codes.questions[grid_key(construct.id, k)]
            tag = qualtrics_tag(construct.id, question) if k == 1 else question
            for item in run:
                sub = codes.items[item.id]
                heads = (f"{question}[{sub}]", f"{question}_{sub}", f"{tag}_{qualtrics_tag(item.id, sub)}")
                out[item.id] = tuple(dict.fromkeys(heads))
    for demo in q.demographics:
        out[demo.id] = tuple(h for h in (codes.questions[demo.id],) if h != demo.id)
    return out
