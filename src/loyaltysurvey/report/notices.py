"""The data-quality notes written in the chapter's language.

A :class:`~loyaltysurvey.errors.Notice` carries an English ``message`` for the Python API,
the terminal and ``results.json``; the chapter never prints it. It is written instead from
the notice's ``params`` and two entries of the locale file: the title
``notice_titles.<code>`` and the text ``notice_texts.<code>``, followed, when the notice has
an ``advice`` param, by the sentence ``notice_advice.<advice>``. A text that depends on a
count is a mapping: ``count`` names the param, ``one`` is the text when it is 1 and ``other``
the text otherwise (English says "One answer was", Persian «یک پاسخ»).

A text names its params in braces with a format after the colon:

* a number format of :meth:`~loyaltysurvey.report.locale.Locale.num` (``int``, ``r``,
  ``dec3``, ``pct``, ``g``...), so that numbers follow the chapter's style (Persian digits
  and decimal separator in Persian); without a format, whole numbers are ``int`` and
  others ``g``; in a right-to-left language a negative number opens with a left-to-right
  mark, so that its minus sign stays before its digits;
* ``name`` for a questionnaire id: a construct or a demographic by its name in the
  chapter's language, an item by its id, as the chapter's tables show them;
* ``value`` for a value as written in the data file, quoted as the locale's
  ``notice_quote`` says and otherwise unchanged, so that it can be found in the file
  (a value of digits alone is written in the chapter's digits).

tests/test_notice_texts.py checks that every code the package raises has a title and a
text in every language, with the same fields, each one a param the code passes.
"""

from __future__ import annotations

import re
import string
from typing import Any, Mapping

from ..errors import Notice
from .locale import Locale

__all__ = ["notice_text", "template_fields", "variants"]

#: A data value written in digits alone (a code such as 9 or 3.5), shown in the chapter's digits.
_DIGITS = re.compile(r"[-+]?[0-9]+(?:\.[0-9]+)?")


class _Writer(string.Formatter):
    """Fills a notice template: numbers in the locale's style, ids by name, data values quoted."""

    def __init__(self, loc: Locale, names: Mapping[str, str]) -> None:
        self.loc = loc
        self.names = names

    def format_field(self, value: Any, format_spec: str) -> str:
        if format_spec == "name":
            return self.names.get(str(value), str(value))
        if format_spec == "value":
            text = str(value)
            if self.loc.persian_digits and _DIGITS.fullmatch(text):
                text = self.loc.digits(text.replace(".", self.loc.data.get("decimal", ".")))
            return self.loc.t("notice_quote", value=text)
        if isinstance(value, bool):
            return str(value)
        if isinstance(value, (int, float)):
            return self.loc.num(value, format_spec or ("int" if isinstance(value, int) else "g"))
        return str(value)


def variants(entry: str | Mapping[str, str]) -> list[str]:
    """The texts of a ``notice_texts`` entry: the text itself, or its ``one`` and ``other`` variants.

    >>> variants({"count": "n", "one": "One answer", "other": "{n} answers"})
    ['One answer', '{n} answers']
    """
    if isinstance(entry, Mapping):
        return [entry["one"], entry["other"]]
    return [entry]


def _choose(entry: str | Mapping[str, str], values: Mapping[str, Any]) -> str:
    if isinstance(entry, Mapping):
        return entry["one"] if values.get(entry["count"]) == 1 else entry["other"]
    return entry


def template_fields(template: str) -> set[tuple[str, str]]:
    """The ``(name, format)`` fields of a notice template.

    >>> sorted(template_fields("{n} of {total:int} answers to {item:name}"))
    [('item', 'name'), ('n', ''), ('total', 'int')]
    """
    return {(name, spec or "") for _, name, spec, _ in string.Formatter().parse(template) if name is not None}


def notice_text(notice: Notice, loc: Locale, names: Mapping[str, str]) -> str:
    """The note as the chapter prints it: "title: text", both in ``loc``'s language.

    ``names`` maps questionnaire ids to the names the chapter uses for them. A code without a
    text in the locale gets its title alone (never the English message); the tests make sure
    that no code the package raises is without one.

    >>> from loyaltysurvey.report.locale import load_locale
    >>> n = Notice("mostly_missing", "item SAT2 is missing for 40 of 60 respondents", "SAT2",
    ...            {"item": "SAT2", "missing": 40, "n": 60})
    >>> notice_text(n, load_locale("en"), {})
    'Mostly missing item: Item SAT2 is missing for 40 of 60 respondents.'
    >>> print(notice_text(n, load_locale("fa"), {}))
    گویه با داده‌های گمشدهٔ فراوان: پاسخ ۴۰ نفر از ۶۰ پاسخ‌دهنده به گویهٔ SAT2 گمشده است.
    """
    titles = loc.data.get("notice_titles") or {}
    texts = loc.data.get("notice_texts") or {}
    advice = loc.data.get("notice_advice") or {}
    values = notice.values
    writer = _Writer(loc, names)
    title = titles.get(notice.code) or loc.t("notes.other")
    entry = texts.get(notice.code)
    if entry is None:
        return title
    sentences = [writer.format(_choose(entry, values), **values)]
    if values.get("advice") and values["advice"] in advice:
        sentences.append(writer.format(advice[values["advice"]], **values))
    return loc.decimals(f"{title}: {' '.join(sentences)}")
