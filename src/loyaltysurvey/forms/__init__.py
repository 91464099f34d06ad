"""Printable questionnaires and survey-platform files from a questionnaire.

``loyaltysurvey form QUESTIONNAIRE.yaml --out DIR`` writes ``form.html`` and ``form.docx``
(the printable form, :mod:`.html`, :mod:`.docx`), ``ID.lss`` (LimeSurvey survey structure,
:mod:`.lss`) and ``ID.qsf`` (Qualtrics survey file, :mod:`.qsf`) from the format-free
:class:`~loyaltysurvey.forms.model.Form` (:mod:`.model`) and the platform codes
(:mod:`.codes`). :func:`~loyaltysurvey.forms.files.form_files` gives the files as bytes,
:func:`~loyaltysurvey.forms.files.write_form` writes them.
"""

from __future__ import annotations

from ..lazy import lazy_exports

_LAZY = {
    "Form": ".model", "build_form": ".model", "PlatformCodes": ".codes", "platform_codes": ".codes",
    "render_form_html": ".html", "render_form_docx": ".docx", "render_lss": ".lss", "render_qsf": ".qsf",
    "form_files": ".files", "write_form": ".files", "FormFiles": ".files",
}

__all__ = sorted(_LAZY)

__getattr__, __dir__ = lazy_exports(__name__, _LAZY)
