"""The form's files as bytes, and writing them all or nothing (what ``loyaltysurvey form`` does)."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

from ..errors import QuestionnaireError
from ..questionnaire import Questionnaire, load_questionnaire
from .codes import PlatformCodes, platform_codes
from .docx import render_form_docx
from .html import render_form_html
from .lss import render_lss
from .model import Form, build_form, form_texts
from .qsf import render_qsf

__all__ = ["FormFiles", "form_files", "write_form"]


@dataclass(frozen=True)
class FormFiles:
    """The files of a form (``name -> bytes``), the printed :class:`Form` and the platform codes.

    ``codes.renamed`` lists every id whose LimeSurvey/Qualtrics code differs from it;
    ``form.missing_texts`` the items printed by their id for want of a text.
    """

    files: Mapping[str, bytes]
    form: Form
    codes: PlatformCodes


def file_stem(q: Questionnaire) -> str:
    """The questionnaire's id made safe as a file name (``crm-loyalty``; never a path).

    >>> from loyaltysurvey.questionnaire import QuestionnaireBuilder
    >>> file_stem(QuestionnaireBuilder("../a b", scale=(1, 5)).construct("A", "A", ["a1"]).build())
    'a_b'
    """
    stem = re.sub(r"[^\w.-]+", "_", q.id).strip("._")
    return stem or "questionnaire"


def form_files(questionnaire: Questionnaire | str | os.PathLike, lang: str | None = None) -> FormFiles:
    """``form.html``, ``form.docx``, ``ID.lss`` and ``ID.qsf`` of a questionnaire (object or YAML path).

    ``lang`` (``fa`` or ``en``; default the questionnaire's language) is the printed form's
    language and the platform files' base language; the platform files carry the questionnaire's
    other language too when it has texts in it.

    >>> from loyaltysurvey.datasets import crm_questionnaire
    >>> sorted(form_files(crm_questionnaire(), "en").files)
    ['crm-loyalty.lss', 'crm-loyalty.qsf', 'form.docx', 'form.html']
    """
    q = questionnaire if isinstance(questionnaire, Questionnaire) else load_questionnaire(questionnaire)
    lang = lang or q.language
    if lang not in ("fa", "en"):
        raise QuestionnaireError(f"the form can be written in fa or en, not '{lang}'", source=q.source)
    form_texts(lang)
    form = build_form(q, lang)
    codes = platform_codes(q)
    stem = file_stem(q)
    files = {"form.html": render_form_html(form).encode("utf-8"), "form.docx": render_form_docx(form),
             f"{stem}.lss": render_lss(q, lang, codes), f"{stem}.qsf": render_qsf(q, lang, codes)}
    return FormFiles(files, form, codes)


def write_form(questionnaire: Questionnaire | str | os.PathLike, out: str | os.PathLike,
               lang: str | None = None) -> FormFiles:
    """Write :func:`form_files` into the folder ``out``, all or nothing (as ``analyze`` writes its outputs).

    >>> import tempfile
    >>> from loyaltysurvey.datasets import crm_questionnaire
    >>> with tempfile.TemporaryDirectory() as d:
    ...     result = write_form(crm_questionnaire(), d, "fa")
    ...     sorted(os.listdir(d))
    ['crm-loyalty.lss', 'crm-loyalty.qsf', 'form.docx', 'form.html']
    """
    from ..workflow import _publish
    result = form_files(questionnaire, lang)
    _publish(dict(result.files), out)
    return result
