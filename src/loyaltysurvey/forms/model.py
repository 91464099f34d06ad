"""The printable questionnaire as format-free data, built once from a :class:`Questionnaire`.

:func:`build_form` lays the questionnaire out as a respondent sees it: the title, a cover
letter, a consent line with a box to tick, the demographic questions with a box per value,
then one Likert grid per construct (or per run of a construct's items that share a scale),
the columns being the scale's labels in the form's language and the rows the items in
their questionnaire order. The HTML and Word renderers (:mod:`.html`, :mod:`.docx`) only lay
this out; nothing is decided there.

Choices made for respondents (documented in docs/forms.md):

* Construct names are **not** printed: a heading such as "Customer loyalty" tells the
  respondent what the items are meant to measure and invites consistent answering
  (Podsakoff et al., 2003, on common-method bias). Each grid is a neutral numbered part
  ("Part 2", «بخش ۲»).
* Reverse-worded items are printed exactly as written, among the others, with nothing that
  marks them reversed (they are reversed in the analysis, never on the form).
* Items are numbered 1, 2, ... through the whole form (Persian digits in Persian).

The wording around the questions (cover letter, consent, instructions) comes from the bundled
``reports/forms/LANG.yaml``; a questionnaire's ``form:`` texts replace the cover letter, the
consent line and the closing thanks.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Mapping

import yaml

from ..errors import QuestionnaireError
from ..questionnaire import Questionnaire
from ..resources import bundled_path
from ..text import LocalizedText, to_persian_digits

__all__ = ["Choice", "Question", "Row", "Grid", "Form", "build_form", "form_texts", "scale_runs", "grid_key"]


@lru_cache(maxsize=8)
def _read(lang: str) -> dict:
    try:
        path = bundled_path("reports", "forms", f"{lang}.yaml")
    except FileNotFoundError:
        path = bundled_path("reports", "forms", "en.yaml")
    with open(path, encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def form_texts(lang: str) -> Mapping[str, Any]:
    """The bundled wording of the form in ``lang`` (English for a language without a file).

    >>> form_texts("fa")["direction"], form_texts("en")["number"], form_texts("de")["number"]
    ('rtl', 'No.', 'No.')
    """
    return _read(lang)


@dataclass(frozen=True)
class Choice:
    """One answer a respondent can tick: ``code`` as it is stored (the value code), ``label`` as printed."""

    code: str
    label: str


@dataclass(frozen=True)
class Question:
    """A demographic question: its id, printed text and choices, one to tick or, when
    ``multiple`` (a multi-select demographic), any number of them.

    ``choices`` is empty when the questionnaire gives no values: the form then leaves a line
    to write the answer on.
    """

    id: str
    number: str
    text: str
    choices: tuple[Choice, ...]
    multiple: bool = False


@dataclass(frozen=True)
class Row:
    """One item of a grid: its running number as printed, its id and its text as written."""

    number: str
    item_id: str
    text: str


@dataclass(frozen=True)
class Grid:
    """A Likert grid: the rows share the scale ``points`` whose printed labels are ``columns``.

    ``construct`` is the :func:`grid_key` of the grid (the id of the construct the items measure,
    ``ID/2`` for a construct's second grid; kept for the survey-platform files, never printed); ``heading`` is the neutral part heading that is printed.
    """

    construct: str
    heading: str
    instruction: str
    points: tuple[int, ...]
    columns: tuple[str, ...]
    rows: tuple[Row, ...]


@dataclass(frozen=True)
class Form:
    """The printable questionnaire in one language (see :func:`build_form`).

    ``cover_letter`` is a tuple of paragraphs; ``missing_texts`` lists the items printed by
    their id because the questionnaire gives them no text in any language.
    """

    id: str
    lang: str
    rtl: bool
    font: str
    font_fallbacks: tuple[str, ...]
    title: str
    cover_letter: tuple[str, ...]
    consent: str
    about_heading: str
    choose_one: str
    demographics: tuple[Question, ...]
    grids: tuple[Grid, ...]
    number_label: str
    statement_label: str
    thanks: str
    missing_texts: tuple[str, ...] = ()
    #: printed after a multi-select question's text ("(tick all that apply)")
    choose_all: str = ""

    @property
    def rows(self) -> tuple[Row, ...]:
        """Every grid's rows, in the order printed."""
        return tuple(row for grid in self.grids for row in grid.rows)


def scale_runs(construct) -> list[list]:
    """The construct's items cut into runs of consecutive items on the same scale (one grid each).

    >>> from loyaltysurvey.datasets import crm_questionnaire
    >>> [len(run) for run in scale_runs(crm_questionnaire().construct("KCF"))]
    [5]
    """
    runs: list[list] = []
    for item in construct.items:
        if runs and runs[-1][0].scale == item.scale:
            runs[-1].append(item)
        else:
            runs.append([item])
    return runs


def grid_key(construct_id: str, run: int) -> str:
    """The key of a construct's ``run``-th grid (1-based): the construct id, then ``ID/2``, ``ID/3`` ...

    >>> grid_key("KCF", 1), grid_key("KCF", 2)
    ('KCF', 'KCF/2')
    """
    return construct_id if run == 1 else f"{construct_id}/{run}"


def _paragraphs(text: str) -> tuple[str, ...]:
    return tuple(" ".join(p.split()) for p in text.split("\n\n") if p.strip())


def _text(value: LocalizedText, lang: str) -> str:
    return value.get(lang) if value else ""


def build_form(q: Questionnaire, lang: str | None = None) -> Form:
    """Lay ``q`` out as a printable form in ``lang`` (default: the questionnaire's language).

    Demographics come first (a part of their own, one box per value), then one grid per
    construct; a construct whose items use different scales is cut into one grid per run of
    items on the same scale, so that every grid's columns are its rows' scale. Items and
    demographic questions are numbered through the form, in Persian digits in Persian.
    Texts missing in ``lang`` fall back as :meth:`LocalizedText.get` does (English, then any
    language); an item with no text at all is printed by its id and listed in
    ``missing_texts``.

    >>> from loyaltysurvey.datasets import crm_questionnaire
    >>> form = build_form(crm_questionnaire(), "en")
    >>> len(form.grids), len(form.rows), form.grids[0].heading, form.grids[0].columns[-1]
    (6, 25, 'Part 2', 'Strongly agree')
    >>> fa = build_form(crm_questionnaire(), "fa")
    >>> fa.rtl, fa.grids[0].rows[2].number, fa.grids[0].rows[2].item_id  # KCF3 is reverse-worded, printed as written
    (True, '۳', 'KCF3')
    """
    lang = lang or q.language
    if not lang or not isinstance(lang, str):
        raise QuestionnaireError("the form needs a language (fa or en)", source=q.source)
    words = form_texts(lang)
    rtl = words.get("direction") == "rtl"
    persian = lang == "fa"

    def digits(n: int) -> str:
        return to_persian_digits(str(n)) if persian else str(n)

    def own(key: str) -> str:
        value = q.form_texts.get(key)
        return _text(value, lang) if value else str(words[key])

    part = 1
    demographics = []
    number = 0
    for demo in q.demographics:
        number += 1
        choices = tuple(Choice(code, _text(label, lang) or code) for code, label in demo.values.items())
        demographics.append(Question(demo.id, digits(number), _text(demo.name, lang) or demo.id, choices,
                                     demo.multiple))
    if demographics:
        part += 1
    grids = []
    missing = []
    item_number = 0
    for construct in q.constructs:
        for k, run in enumerate(scale_runs(construct), 1):
            scale = run[0].scale
            rows = []
            for item in run:
                item_number += 1
                text = _text(item.text, lang)
                if not text:
                    missing.append(item.id)
                    text = item.id
                rows.append(Row(digits(item_number), item.id, text))
            columns = tuple(scale.label(p, lang) if scale.labels else digits(p) for p in scale.points)
            grids.append(Grid(grid_key(construct.id, k), str(words["part"]).format(n=digits(part)), str(words["grid_instruction"]),
                              scale.points, columns, tuple(rows)))
            part += 1
    return Form(
        id=q.id, lang=lang, rtl=rtl, font=str(words.get("font", "")),
        font_fallbacks=tuple(words.get("font_fallbacks") or ()),
        title=_text(q.title, lang) or q.id, cover_letter=_paragraphs(own("cover_letter")), consent=own("consent"),
        about_heading=str(words["about_you"]).format(n=digits(1)), choose_one=str(words["choose_one"]),
        demographics=tuple(demographics), grids=tuple(grids), number_label=str(words["number"]),
        statement_label=str(words["statement"]), thanks=own("thanks"), missing_texts=tuple(missing),
        choose_all=str(words.get("choose_all", "")))
