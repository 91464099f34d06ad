"""Reading one answer cell: digits, scale labels, missing codes, ranges.

:func:`parse_answer` never guesses silently: it returns the value it read and
what it did to get there (:class:`Reading`), so the ledger can count every
recoded cell.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any, Iterable

from ..text import match_key, normalize_persian, to_ascii_digits

__all__ = ["Reading", "AnswerReader", "NA_TOKENS", "cell_text", "compact_key", "normalize_code", "normalize_id"]

#: Text that means "no answer" in common exports (after loose matching).
NA_TOKENS = frozenset({"na", "n/a", "nan", "null", "none", "#n/a", "#null!", ".", "missing", "-", "--", "?"})

_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_TRAILING_MINUS = re.compile(r"^(\d+(\.\d+)?)\s*-$")
_DECIMAL_COMMA = re.compile(r"^[+-]?\d+,\d+$")
_NUMBERED_LABEL = re.compile(r"^\(?([+-]?\d+)\)?\s*[-.:=)]?\s*(.+?)\s*$")
_LABEL_NUMBERED = re.compile(r"^(.+?)\s*[-:(=]\s*([+-]?\d+)\)?$")


@dataclass(frozen=True)
class Reading:
    """The result of reading one cell.

    ``kind`` is one of ``empty``, ``number``, ``answer_code`` (a platform's code for a scale
    point, such as LimeSurvey's ``A4``), ``between_points`` (a number between two
    points of an integer scale, kept), ``label``, ``value_label`` (a code the file's own
    value labels name as a scale point), ``missing_code``, ``na_token``, ``out_of_range``,
    ``unreadable``. ``value`` is NaN unless an answer was read; ``number`` holds the
    number written in the cell when there is one (also when it is out of range).
    ``persian_digits`` and ``arabic_digits`` say whether the cell was written in those digits.

    >>> AnswerReader(1, 5, {}, ()).read("۴")
    Reading(value=4.0, kind='number', persian_digits=True, arabic_digits=False, number=4.0)
    """

    value: float
    kind: str
    persian_digits: bool = False
    arabic_digits: bool = False
    number: float = math.nan


def _number(text: str) -> float | None:
    if _NUMBER.match(text):
        return float(text)
    m = _TRAILING_MINUS.match(text)  # "99-": a negative number typed right to left
    if m:
        return -float(m.group(1))
    if _DECIMAL_COMMA.match(text):
        return float(text.replace(",", "."))
    return None


def compact_key(key: str) -> str:
    """A :func:`~loyaltysurvey.text.match_key` without its spaces: Persian writers join prefixes and
    suffixes with a space, a zero-width non-joiner or nothing at all (نمی دانم, نمی‌دانم, نمیدانم), so
    labels and codes are also compared this way.

    >>> compact_key(match_key("نمی\u200cدانم")) == compact_key(match_key("نمیدانم")) == compact_key("نمی دانم")
    True
    """
    return key.replace(" ", "")


def cell_text(value: Any) -> str:
    """A cell as the ledger quotes it: text as written, a whole number held as a float without ``.0``.

    >>> cell_text(7.0), cell_text("7.0"), cell_text(3.5), cell_text(None)
    ('7', '7.0', '3.5', 'None')
    """
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def normalize_id(value: Any) -> str | None:
    """A respondent id as text, never parsed as a number: ``12E3``, ``+7`` and ``007`` stay as written.

    Only surrounding blanks are removed and Persian or Arabic digits written as ASCII digits; a
    number cell (Excel, SPSS) that holds a whole number is written without ``.0``.

    >>> normalize_id("12E3"), normalize_id(" +7 "), normalize_id("۰۰۷"), normalize_id(12.0)
    ('12E3', '+7', '007', '12')
    """
    if value is None or isinstance(value, bool):
        return None if value is None else str(value)
    if isinstance(value, (int, float)):
        if isinstance(value, float) and math.isnan(value):
            return None
        return str(int(value)) if float(value).is_integer() else repr(float(value))
    text = str(value).strip()
    if not text.isascii():  # Persian or Arabic digits
        text, _, _ = to_ascii_digits(text)
    return text or None


def normalize_code(value: Any) -> str | None:
    """A demographic or id cell as text: integral numbers without '.0', ASCII digits.

    Persian letters are normalized and Persian or Arabic digits written as ASCII; a cell
    that reads as a whole number is written as an integer unless it has a leading zero
    (``"007"`` stays a code). Empty cells and NaN give ``None``.

    >>> normalize_code(2.0), normalize_code("۳"), normalize_code(" 04 "), normalize_code(float("nan"))
    ('2', '3', '04', None)
    """
    if value is None:
        return None
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, (int, float)):
        if isinstance(value, float) and math.isnan(value):
            return None
        return str(int(value)) if float(value).is_integer() else repr(float(value))
    text, _, _ = to_ascii_digits(normalize_persian(str(value)).strip())
    number = _number(text)
    if number is not None and number.is_integer() and not (len(text) > 1 and text.startswith("0")):
        return str(int(number))
    return text or None


class AnswerReader:
    """Reads the cells of one item against its scale and the missing codes.

    ``lo`` and ``hi`` are the scale's end points; ``labels`` maps a loosely matched label
    (:func:`loyaltysurvey.text.match_key`) to its scale point; ``missing_codes`` are the
    questionnaire's missing codes (numbers as floats, text as match keys); ``user_missing``
    and ``value_labels`` come from an SPSS file (``("value", x)`` or ``("range", lo, hi)``
    specs, and ``{code: scale point}``).

    >>> reader = AnswerReader(1, 5, {"agree": 4}, (99.0, "dk"))
    >>> [reader.read(c).kind for c in (3, "Agree", "4 - agree", 99, "DK", 7, "", "n/a", "x")]
    ['number', 'label', 'label', 'missing_code', 'missing_code', 'out_of_range', 'empty', 'na_token', 'unreadable']
    """

    def __init__(self, lo: int, hi: int, labels: dict[str, int], missing_codes: Iterable,
                 user_missing: tuple = (), value_labels: dict[float, int] | None = None,
                 answer_codes: dict[str, int] | None = None) -> None:
        self.lo, self.hi = lo, hi
        self.labels = dict(labels)
        self.labels.update({compact_key(k): v for k, v in labels.items()})
        self.value_labels = value_labels or {}
        self.numeric_codes = {float(c) for c in missing_codes if isinstance(c, float)}
        self.text_codes = {c for c in missing_codes if isinstance(c, str)}
        self.text_codes |= {compact_key(c) for c in self.text_codes}
        self.user_missing = user_missing
        #: A platform's answer codes (LimeSurvey ``A1`` ...) -> position on the scale (1 = its first point).
        self.answer_codes = dict(answer_codes or {})

    def _is_missing_code(self, number: float) -> bool:
        if number in self.numeric_codes:
            return True
        for spec in self.user_missing:
            if spec[0] == "value" and spec[1] == number:
                return True
            if spec[0] == "range" and spec[1] <= number <= spec[2]:
                return True
        return False

    def _classify(self, number: float, fa: bool, ar: bool) -> Reading:
        if self._is_missing_code(number):
            return Reading(math.nan, "missing_code", fa, ar, number)
        if number in self.value_labels:
            point = self.value_labels[number]
            return Reading(float(point), "value_label" if point != number else "number", fa, ar, number)
        if not (self.lo <= number <= self.hi) or math.isinf(number):
            return Reading(math.nan, "out_of_range", fa, ar, number)
        if not number.is_integer():
            return Reading(number, "between_points", fa, ar, number)
        return Reading(number, "number", fa, ar, number)

    def read(self, cell: Any) -> Reading:
        """Read one cell: the answer (NaN when there is none) and what was done to get it.

        In order: an empty cell or NaN is ``empty``; a text missing code is ``missing_code``;
        a number (also ``"4,5"`` with a decimal comma and ``"99-"`` typed right to left) is
        checked against the missing codes, the value labels and the scale; a scale label,
        alone or with its own number (``"4 - agree"``, ``"agree (4)"``), is ``label``; a
        common "no answer" text is ``na_token``; anything else is ``unreadable``. Never
        guesses: a number and a label that disagree are unreadable.

        >>> reader = AnswerReader(1, 5, {"agree": 4}, ())
        >>> r = reader.read("3.5")
        >>> r.kind, r.value
        ('between_points', 3.5)
        >>> reader.read("5 - agree").kind
        'unreadable'
        """
        if cell is None:
            return Reading(math.nan, "empty")
        if isinstance(cell, bool):
            return Reading(math.nan, "unreadable")
        if isinstance(cell, (int, float)):
            if isinstance(cell, float) and math.isnan(cell):
                return Reading(math.nan, "empty")
            return self._classify(float(cell), False, False)
        raw = str(cell)
        text, n_fa, n_ar = to_ascii_digits(normalize_persian(raw))
        fa, ar = n_fa > 0, n_ar > 0
        key = match_key(text)  # ZWNJ, no-break spaces and direction marks fold to spaces, as in the questionnaire
        text = re.sub(r"[\u200c\u200e\u200f\u202a-\u202e\u2066-\u2069\u00a0]", "", text).strip()
        if text == "":
            return Reading(math.nan, "empty")
        if key in self.text_codes or compact_key(key) in self.text_codes:
            return Reading(math.nan, "missing_code", fa, ar)
        if text in self.answer_codes:
            coded = self._classify(float(self.lo + self.answer_codes[text] - 1), fa, ar)
            return Reading(coded.value, "answer_code" if coded.kind == "number" else coded.kind, fa, ar, coded.number)
        number = _number(text)
        if number is not None:
            return self._classify(number, fa, ar)
        point = self.labels.get(key, self.labels.get(compact_key(key)))
        if point is not None:
            return Reading(float(point), "label", fa, ar)
        for pattern, num_group, text_group in ((_NUMBERED_LABEL, 1, 2), (_LABEL_NUMBERED, 2, 1)):
            m = pattern.match(text)
            if m and self.labels.get(match_key(m.group(text_group))) == int(m.group(num_group)):
                return Reading(float(m.group(num_group)), "label", fa, ar)
        if key in NA_TOKENS or text in NA_TOKENS:
            return Reading(math.nan, "na_token", fa, ar)
        return Reading(math.nan, "unreadable", fa, ar)
