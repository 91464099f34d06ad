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
from typing import Any, Mapping

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
    with open(path, encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def jalali_date(day: date) -> tuple[int, int, int]:
    """Gregorian to Jalali (Solar Hijri), by the arithmetic algorithm of Borkowski (1996)."""
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


def _no_leading_zero(text: str) -> str:
    """APA style for values that cannot exceed 1: "0.45" -> ".45", "-0.45" -> "-.45" (others unchanged)."""
    return re.sub(r"^(-?)0\.", r"\1.", text)


@dataclass(frozen=True)
class Locale:
    """One language's texts and number style."""

    lang: str
    data: Mapping[str, Any]

    @property
    def rtl(self) -> bool:
        return self.data.get("direction") == "rtl"

    @property
    def persian_digits(self) -> bool:
        return self.data.get("number_style") == "persian"

    def t(self, key: str, **values: Any) -> str:
        """The text at a dotted key, with ``{name}`` fields filled in (numbers in this locale's digits)."""
        node: Any = self.data
        for part in key.split("."):
            if not isinstance(node, Mapping) or part not in node:
                node = _read("en")
                for p in key.split("."):
                    node = node.get(p, key) if isinstance(node, Mapping) else key
                break
            node = node[part]
        text = str(node)
        if values:
            text = text.format(**{k: self.num(v) if isinstance(v, (int, float)) and not isinstance(v, bool)
                                  else v for k, v in values.items()})
        return text

    def text(self, value: LocalizedText | str | None) -> str:
        if value is None:
            return ""
        if isinstance(value, str):
            return value
        return value.get(self.lang)

    def spans(self, text: str) -> list[tuple[str, bool]]:
        """``text`` cut into (piece, italic) pieces: APA 7 sets statistical symbols in Latin letters
        (*N*, *M*, *SD*, *p*, *t*, *R*²...) in italics. The symbols are the locale's ``italic_symbols``."""
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
        """A list in running text: "a, b, and c" / «الف، ب و ج»."""
        items = [str(i) for i in items]
        if len(items) <= 1:
            return "".join(items)
        if len(items) == 2:
            return self.t("list.pair").join(items)
        return self.t("list.separator").join(items[:-1]) + self.t("list.last") + items[-1]

    def digits(self, text: str) -> str:
        return to_persian_digits(text) if self.persian_digits else text

    def num(self, value: Any, fmt: str = "int") -> str:
        """Format a number for reading: ``int``, ``dec1/2/3``, ``r`` (bounded by 1), ``p``, ``pct``;
        an interval ``(lower, upper)`` with ``ci:<format>`` and an estimate with its interval
        ``(est, lower, upper)`` with ``est_ci:<format>``."""
        if fmt.startswith("ci:") and isinstance(value, (tuple, list)):
            lo, hi = value
            return f"[{self.num(lo, fmt[3:])}, {self.num(hi, fmt[3:])}]"
        if fmt.startswith("est_ci:") and isinstance(value, (tuple, list)):
            est, lo, hi = value
            inner = fmt[7:]
            return f"{self.num(est, inner)} [{self.num(lo, inner)}, {self.num(hi, inner)}]"
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
        elif fmt == "r3":
            text = f"{value:.3f}"
            if apa:
                text = _no_leading_zero(text)
        elif fmt == "pct":
            text = f"{value:.1f}"
        elif fmt.startswith("dec"):
            text = f"{value:.{int(fmt[3:])}f}"
        else:
            text = str(value)
        if text.startswith("-"):
            text = "−" + text[1:]
        if self.persian_digits:
            text = to_persian_digits(text.replace(".", self.data.get("decimal", "٫")))
        return text

    def date_text(self, day: date) -> str:
        if self.lang == "fa":
            y, m, d = jalali_date(day)
            return to_persian_digits(f"{y:04d}/{m:02d}/{d:02d}")
        return day.isoformat()


def load_locale(lang: str) -> Locale:
    return Locale(lang, _read(lang))
