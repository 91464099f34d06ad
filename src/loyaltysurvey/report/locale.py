"""Captions and number style per language, read from ``reports/locales/LANG.yaml``.

Every caption, label and threshold text lives in those files: a third
language is a translation file, not code. Languages without a file fall
back to English.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any, Callable, Mapping

import yaml

from ..resources import bundled_path
from ..text import LocalizedText, to_persian_digits

__all__ = ["Locale", "load_locale", "jalali_date"]


@lru_cache(maxsize=8)
def _read(lang: str) -> dict:
    try:
        path = bundled_path("reports", "locales", f"{lang}.yaml")
    except FileNotFoundError:
        path = bundled_path("reports", "locales", "en.yaml")
    with open(path, encoding="utf-8") as fh:  # libyaml's safe loader when PyYAML has it: 15x faster
        return yaml.load(fh, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def jalali_date(day: date) -> tuple[int, int, int]:
    """Gregorian to Jalali (Solar Hijri), by the arithmetic algorithm of Borkowski (1996).

    Returns ``(year, month, day)`` of the Jalali calendar, as printed on Persian reports.
    Integer arithmetic only, with no table of leap years.

    References: Borkowski (1996).

    >>> from datetime import date
    >>> jalali_date(date(2024, 3, 20))  # Nowruz 1403
    (1403, 1, 1)
    >>> jalali_date(date(2026, 11, 30))
    (1405, 9, 9)
    """
    gy, gm, gd = day.year, day.month, day.day
    g_days = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334]
    gy2 = gy + 1 if gm > 2 else gy
    days = 355666 + 365 * gy + (gy2 + 3) // 4 - (gy2 + 99) // 100 + (gy2 + 399) // 400 + gd + g_days[gm - 1]
    jy = -1595 + 33 * (days // 12053)
    days %= 12053
    jy += 4 * (days // 1461)
    days %= 1461
    if days > 365:
        jy += (days - 1) // 365
        days = (days - 1) % 365
    if days < 186:
        jm, jd = 1 + days // 31, 1 + days % 31
    else:
        jm, jd = 7 + (days - 186) // 30, 1 + (days - 186) % 30
    return jy, jm, jd


def decisive_format(fmt: str, value: Any, judge: Callable[[float], Any]) -> str:
    """``fmt`` (``r``, ``rN`` or ``decN``), or the same format with more decimals (up to six) when
    ``value`` printed at ``fmt`` would be judged otherwise than ``value`` itself: an NFI of .8997
    against .90 is printed .8997 (not .900 beside "poor"). ``judge`` gives the verdict of a value
    (a cut-off's ``passes``, a fit index's grade, the sign of an interval's bound).

    >>> ok = lambda v: v >= 0.70
    >>> decisive_format("r", 0.6981, ok), decisive_format("r", 0.81, ok), decisive_format("r3", 0.69996, ok)
    ('r3', 'r', 'r5')
    """
    match = re.fullmatch(r"(r|dec)(\d*)", fmt)
    if match is None or not isinstance(value, (int, float)) or not math.isfinite(value):
        return fmt
    kind, digits = match.group(1), int(match.group(2) or 2)
    verdict = judge(value)
    for d in range(digits, 7):
        if judge(round(value, d)) == verdict:
            return fmt if d == digits else f"{kind}{d}"
    return f"{kind}6"


def bound_format(fmt: str, value: Any) -> str:
    """``fmt`` for an interval's bound, with the decimals that keep its sign when it would round to
    zero: whether an interval holds 0 decides a hypothesis, so a bound of −0.0002 is printed so, not
    as 0.000.

    >>> bound_format("dec3", -0.0002), bound_format("dec3", 0.25), bound_format("r", 0.004), bound_format("dec3", 0.0)
    ('dec4', 'dec3', 'r3', 'dec3')
    """
    return decisive_format(fmt, value, lambda v: (v > 0) - (v < 0))


def _no_leading_zero(text: str) -> str:
    """APA style for values that cannot exceed 1: "0.45" -> ".45", "-0.45" -> "-.45" (others unchanged)."""
    return re.sub(r"^(-?)0\.", r"\1.", text)


@dataclass(frozen=True)
class Locale:
    """One language's texts and number style.

    ``data`` is the parsed ``reports/locales/LANG.yaml``: captions and labels under dotted
    keys, ``direction`` (``rtl`` or ``ltr``), ``number_style`` (``apa`` or ``persian``),
    fonts, references and the statistical symbols set in italics. Made by :func:`load_locale`.

    >>> en, fa = load_locale("en"), load_locale("fa")
    >>> en.rtl, fa.rtl, fa.persian_digits
    (False, True, True)
    """

    lang: str
    data: Mapping[str, Any]

    @property
    def rtl(self) -> bool:
        """Whether the language is written right to left (``direction: rtl``).

        Right-to-left reports mirror tables, paragraphs and figures.
        """
        return self.data.get("direction") == "rtl"

    @property
    def persian_digits(self) -> bool:
        """Whether numbers are written in Persian digits with the Persian decimal separator.

        Set by ``number_style: persian`` in the locale file.
        """
        return self.data.get("number_style") == "persian"

    def t(self, key: str, **values: Any) -> str:
        """The text at a dotted key, with ``{name}`` fields filled in (numbers in this locale's digits).

        A key missing from this language is looked up in English; a key missing there too
        is returned as it is, so a missing translation shows rather than fails. A key whose text
        depends on a count is a mapping ``{count: NAME, one: ..., other: ...}``: ``one`` when the
        value named ``NAME`` is 1, else ``other`` (as the notices' texts are).

        >>> en = load_locale("en")
        >>> en.t("labels.table"), load_locale("fa").t("labels.table"), en.t("no.such.key")
        ('Table', 'جدول', 'no.such.key')
        >>> en.t("generated", version="1.0", date="2026-01-01")
        'Generated by loyaltysurvey 1.0 on 2026-01-01'
        >>> en.t("screening.quality_flagged", flagged=1), en.t("screening.quality_flagged", flagged=3)
        ('One respondent was flagged by at least one rule; ', '3 respondents were flagged by at least one rule; ')
        """
        node: Any = self.data
        for part in key.split("."):
            if not isinstance(node, Mapping) or part not in node:
                node = _read("en")
                for p in key.split("."):
                    node = node.get(p, key) if isinstance(node, Mapping) else key
                break
            node = node[part]
        if isinstance(node, Mapping) and "count" in node:  # a text that depends on a count
            node = node["one"] if values.get(node["count"]) == 1 else node["other"]
        text = str(node)
        if values:
            text = text.format(**{k: self.num(v) if isinstance(v, (int, float)) and not isinstance(v, bool)
                                  else v for k, v in values.items()})
        return self.decimals(text)

    def decimals(self, text: str) -> str:
        """``text`` with the momayyez written between Persian digits in the locale file («۰٫۰۵»)
        replaced by this locale's decimal separator, when another one was chosen.

        >>> load_locale("fa", decimal="/").decimals("در سطح ۰٫۰۵")
        'در سطح ۰/۰۵'
        """
        decimal = self.data.get("decimal", "٫")
        if decimal == "٫" or "٫" not in text:
            return text
        return re.sub("(?<=[۰-۹])٫(?=[۰-۹])", decimal, text)

    def text(self, value: LocalizedText | str | None) -> str:
        """A questionnaire text in this language (plain text as it is, ``None`` as empty).

        >>> load_locale("en").text("Satisfaction"), load_locale("en").text(None)
        ('Satisfaction', '')
        """
        if value is None:
            return ""
        if isinstance(value, str):
            return value
        return value.get(self.lang)

    def spans(self, text: str) -> list[tuple[str, bool]]:
        """``text`` cut into (piece, italic) pieces: APA 7 sets statistical symbols in Latin letters
        (*N*, *M*, *SD*, *p*, *t*, *R*²...) in italics. The symbols are the locale's ``italic_symbols``.

        A symbol counts only as a whole word (not inside another Latin word).

        >>> load_locale("en").spans("M = 3, SD = 1")
        [('M', True), (' = 3, ', False), ('SD', True), (' = 1', False)]
        """
        symbols = self.data.get("italic_symbols") or []
        if not symbols:
            return [(text, False)]
        alternatives = "|".join(re.escape(s) for s in sorted(symbols, key=len, reverse=True))
        pattern = re.compile(rf"(?<![A-Za-z])(?:{alternatives})(?![A-Za-z])")
        out, at = [], 0
        for m in pattern.finditer(text):
            if m.start() > at:
                out.append((text[at:m.start()], False))
            out.append((m.group(0), True))
            at = m.end()
        if at < len(text):
            out.append((text[at:], False))
        return out or [(text, False)]

    def join(self, items: list[str]) -> str:
        """A list in running text: "a, b, and c" / «الف، ب و ج».

        The separators are the locale's ``list.pair``, ``list.separator`` and ``list.last``.

        >>> en = load_locale("en")
        >>> en.join(["a", "b", "c"]), en.join(["a", "b"]), en.join(["a"])
        ('a, b, and c', 'a and b', 'a')
        """
        items = [str(i) for i in items]
        if len(items) <= 1:
            return "".join(items)
        if len(items) == 2:
            return self.t("list.pair").join(items)
        return self.t("list.separator").join(items[:-1]) + self.t("list.last") + items[-1]

    def digits(self, text: str) -> str:
        """``text`` with its ASCII digits written in Persian digits when the locale uses them.

        >>> load_locale("fa").digits("v1.2"), load_locale("en").digits("v1.2")
        ('v۱.۲', 'v1.2')
        """
        return to_persian_digits(text) if self.persian_digits else text

    def num(self, value: Any, fmt: str = "int") -> str:
        """Format a number for reading: ``int``, ``dec1/2/3``, ``r`` (bounded by 1), ``p``, ``pct``, ``g``;
        an interval ``(lower, upper)`` with ``ci:<format>`` and an estimate with its interval
        ``(est, lower, upper)`` with ``est_ci:<format>``.

        ``int`` rounds; ``decN`` gives N decimals; ``r`` two decimals and ``rN`` N and, in APA
        style, no leading zero (values bounded by 1); ``p`` three decimals or "< .001";
        ``pct`` one decimal; ``g`` as few digits as the value needs (a scale point, 3 or 3.5). Minus signs are true minus signs (U+2212); NaN, infinities and
        ``None`` are an en dash; text is returned as it is. Persian style writes Persian
        digits and the Persian decimal separator; in right-to-left languages a negative number
        starts with a left-to-right mark (U+200E) so that its minus sign is read before the digits.

        >>> en = load_locale("en")
        >>> en.num(0.0004, "p"), en.num(0.456, "r"), en.num(-1.2345, "dec2"), en.num(3.7)
        ('< .001', '.46', '−1.23', '4')
        >>> en.num((0.1, 0.5), "ci:dec2"), en.num(float("nan"), "dec2"), en.num(0.89967, "r4"), en.num(-0.0002, "r3")
        ('[0.10, 0.50]', '–', '.8997', '.000')
        >>> en.num((None, float("nan")), "ci:r3")
        '–'
        >>> load_locale("fa").num(0.456, "r"), load_locale("fa").num(-0.456, "r")
        ('۰٫۴۶', '\u200e−۰٫۴۶')
        """
        if fmt.startswith("ci:") and isinstance(value, (tuple, list)):
            lo, hi = value
            if all(v is None or (isinstance(v, float) and not math.isfinite(v)) for v in (lo, hi)):
                return "–"  # no interval at all: one dash, not "[–, –]"
            sep = self.data.get("interval_separator", ", ")
            return f"[{self.num(lo, bound_format(fmt[3:], lo))}{sep}{self.num(hi, bound_format(fmt[3:], hi))}]"
        if fmt.startswith("est_ci:") and isinstance(value, (tuple, list)):
            est, lo, hi = value
            inner = fmt[7:]
            sep = self.data.get("interval_separator", ", ")
            return f"{self.num(est, inner)} [{self.num(lo, inner)}{sep}{self.num(hi, inner)}]"
        if value is None or (isinstance(value, float) and not math.isfinite(value)):
            return "–"
        if not isinstance(value, (int, float)):
            return str(value)
        apa = self.data.get("number_style") == "apa"
        if fmt == "int":
            text = f"{int(round(value)):d}"
        elif fmt == "p":
            if value < 0.001:
                text = "< .001" if apa else "< 0.001"
            else:
                text = f"{value:.3f}"
                if apa:
                    text = _no_leading_zero(text)
        elif fmt == "r":
            text = f"{value:.2f}"
            if apa:
                text = _no_leading_zero(text)
        elif fmt[:1] == "r" and fmt[1:].isdigit():  # r3, and r4 to r6 where a threshold needs them
            text = f"{value:.{int(fmt[1:])}f}"
            if apa:
                text = _no_leading_zero(text)
        elif fmt == "pct":
            text = f"{value:.1f}"
        elif fmt == "g":
            text = f"{value:g}"
        elif fmt.startswith("dec"):
            text = f"{value:.{int(fmt[3:])}f}"
        else:
            text = str(value)
        if text.startswith("-") and not any(ch in "123456789" for ch in text):
            text = text[1:]  # a value that rounds to zero has no sign: "0.000", never "−0.000"
        if text.startswith("-"):
            text = "−" + text[1:]
        if self.persian_digits:
            text = to_persian_digits(text.replace(".", self.data.get("decimal", "٫")))
        if self.rtl and text.startswith("−"):
            # in right-to-left text the minus sign is a neutral that would be set after the digits;
            # a left-to-right mark keeps it before them (checked in Chromium's rendering)
            text = "\u200e" + text
        return text

    def date_text(self, day: date) -> str:
        """A date as printed on the report: Jalali in Persian digits for ``fa``, ISO 8601 otherwise.

        >>> from datetime import date
        >>> load_locale("fa").date_text(date(2024, 3, 20)), load_locale("en").date_text(date(2024, 3, 20))
        ('۱۴۰۳/۰۱/۰۱', '2024-03-20')
        """
        if self.lang == "fa":
            y, m, d = jalali_date(day)
            return to_persian_digits(f"{y:04d}/{m:02d}/{d:02d}")
        return day.isoformat()


def load_locale(lang: str, decimal: str | None = None) -> Locale:
    """The :class:`Locale` of ``lang``, read from the bundled ``reports/locales/LANG.yaml``.

    A language without a file gets the English texts (under its own code); files are read
    once and cached. ``decimal`` replaces the Persian decimal separator (``٫`` by default; many
    Persian theses type ``/``).

    >>> load_locale("en").t("labels.figure"), load_locale("de").t("labels.figure")
    ('Figure', 'Figure')
    >>> load_locale("fa", decimal="/").num(0.456, "r")
    '۰/۴۶'
    """
    data = _read(lang)
    return Locale(lang, {**data, "decimal": decimal} if decimal else data)
