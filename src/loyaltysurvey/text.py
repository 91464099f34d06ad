"""Text handling shared by every stage: localized strings, digits, Persian orthography.

A questionnaire text field may be a plain string or a mapping ``{lang: text}``;
:class:`LocalizedText` holds either. Persian (U+06F0-U+06F9) and Arabic-Indic
(U+0660-U+0669) digits are normalised to ASCII, Arabic yeh and kaf to their
Persian forms, and white space and the zero-width non-joiner are folded so that
scale labels typed in different ways still match.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Mapping

__all__ = [
    "LocalizedText",
    "PERSIAN_DIGITS",
    "ARABIC_DIGITS",
    "to_ascii_digits",
    "to_persian_digits",
    "normalize_persian",
    "match_key",
    "question_key",
]

PERSIAN_DIGITS = "۰۱۲۳۴۵۶۷۸۹"
ARABIC_DIGITS = "٠١٢٣٤٥٦٧٨٩"
_PERSIAN_TABLE = {ord(c): str(i) for i, c in enumerate(PERSIAN_DIGITS)}
_ARABIC_TABLE = {ord(c): str(i) for i, c in enumerate(ARABIC_DIGITS)}
_TO_PERSIAN = str.maketrans("0123456789", PERSIAN_DIGITS)
_ORTHOGRAPHY = str.maketrans({
    "\u064a": "\u06cc",  # Arabic yeh -> Persian yeh
    "\u0649": "\u06cc",  # alef maksura -> Persian yeh
    "\u0643": "\u06a9",  # Arabic kaf -> Persian keheh
    "\u0629": "\u0647",  # teh marbuta -> heh
    "\u066b": ".",       # Arabic decimal separator
    "\u066c": "",        # Arabic thousands separator
    "\u060c": ",",       # Arabic comma
    "\u0640": "",        # tatweel
})
_DIACRITICS = re.compile("[\u064b-\u065f\u0670]")
# The ezafe after a final heh is written three ways: heh + hamza above (خانهٔ, the hamza is
# removed with the diacritics), U+06C0 (خانۀ) and heh + (ZWNJ) yeh (خانه‌ی, خانه ی).
_EZAFE = re.compile("(?<=\\w)\u0647[ \u200c]\u06cc(?=[\\s\u200c.,:;!?()\\[\\]«»\"']|$)")
_SPACES = re.compile(r"[\s\u200c\u200d\u200e\u200f\u00a0\u202a-\u202e\u2066-\u2069]+")


def to_ascii_digits(text: str) -> tuple[str, int, int]:
    """Return ``text`` with Persian and Arabic-Indic digits made ASCII.

    Also returns how many Persian and how many Arabic-Indic digits were
    replaced, so that ingestion can account for every recoded cell.
    U+06F0-U+06F9 and U+0660-U+0669 map to 0-9; nothing else changes (by definition).

    >>> to_ascii_digits("۱۲۳-٤٥")  # three Persian digits, two Arabic-Indic
    ('123-45', 3, 2)
    """
    n_fa = sum(1 for ch in text if ch in PERSIAN_DIGITS)
    n_ar = sum(1 for ch in text if ch in ARABIC_DIGITS)
    if n_fa:
        text = text.translate(_PERSIAN_TABLE)
    if n_ar:
        text = text.translate(_ARABIC_TABLE)
    return text, n_fa, n_ar


def to_persian_digits(text: str) -> str:
    """Write ASCII digits as Persian digits (for Persian reports).

    0-9 map to U+06F0-U+06F9; everything else is kept, so the Latin text of a mixed
    string is untouched (by definition; the inverse of :func:`to_ascii_digits` for
    Persian digits).

    >>> to_persian_digits("Item 12") == "Item ۱۲"
    True
    >>> to_ascii_digits(to_persian_digits("2024"))
    ('2024', 4, 0)
    """
    return text.translate(_TO_PERSIAN)


def normalize_persian(text: str) -> str:
    """Persian orthography: Persian yeh and kaf, no tatweel or diacritics.

    After Unicode NFKC (which also turns the Arabic presentation forms of old keyboards and PDF
    copies, ``ﻛ``, ``ﯼ``, into the letters, and a no-break space into a space): Arabic yeh (U+064A) and alef maksura (U+0649) become Persian
    yeh (U+06CC), Arabic kaf (U+0643) keheh (U+06A9), teh marbuta (U+0629) heh
    (U+0647); the Arabic decimal separator becomes ``.``, the Arabic comma ``,``; the
    thousands separator, tatweel (U+0640) and the diacritics (U+064B-U+065F, U+0670) are
    removed (by definition).

    >>> [hex(ord(c)) for c in normalize_persian("كـي")]  # Arabic kaf, tatweel, Arabic yeh
    ['0x6a9', '0x6cc']
    """
    text = unicodedata.normalize("NFKC", text).translate(_ORTHOGRAPHY)
    return _DIACRITICS.sub("", text)


def match_key(text: str) -> str:
    """A key for loose matching of labels and headers.

    Case-folded, Persian-normalised (the ezafe after a final heh folded, however it is
    written: «هٔ», «ۀ», «ه‌ی»), digits made ASCII, every run of white
    space, zero-width characters and bidi marks folded to one space, and
    surrounding punctuation stripped. Scale labels and missing-value codes are
    looked up by this key (exercised by tests/test_spec.py; by definition, no
    reference implementation).

    >>> match_key("  Strongly   AGREE. ")
    'strongly agree'
    >>> match_key("كاملا موافقم") == match_key("کاملا\u200cموافقم")  # Arabic kaf; ZWNJ for the space
    True
    >>> match_key("ارائهٔ خدمات") == match_key("ارائه‌ی خدمات") == match_key("ارائۀ خدمات")  # one ezafe
    True
    >>> match_key("ﻛﺎﻣﻼ\u00a0ﻣﻮاﻓﻘﻢ") == match_key("كاملأ موافقم") == match_key("کاملاً موافقم")  # presentation forms, hamza, tanween
    True
    >>> match_key("سن شما چیست؟")
    'سن شما چیست'
    """
    text = normalize_persian(str(text)).replace("\u06c0", "\u0647").translate(_HAMZA_ALEF)
    text = _EZAFE.sub("\u0647", text)
    text, _, _ = to_ascii_digits(text)
    text = _SPACES.sub(" ", text).strip().casefold()
    return text.strip(_EDGE_PUNCTUATION)


#: Punctuation stripped from both ends of a key (Latin and Persian: «؟», «؛», «،»).
_EDGE_PUNCTUATION = " .:;,!?\"'«»()[]\u061f\u061b\u060c\u2026"
#: Alef with hamza above or below (typed for a plain alef, or for tanween's alef: «کاملأ») folds to alef.
_HAMZA_ALEF = str.maketrans({"\u0623": "\u0627", "\u0625": "\u0627", "\u0671": "\u0627"})
#: A question number before the text, in any script once digits are ASCII: ``Q7.``, ``12)``,
#: «س۲-», «۱.», «سوال ۳:», ``Question 4 -``.
_NUMBERING = re.compile(r"^(q|question|سوال|سؤال|پرسش|س)?\s*\(?\d+\s*[.):\-–_،]\s*", re.IGNORECASE)


def question_key(text: str) -> str:
    """:func:`match_key` without a leading question number (``Q7.``, «س۲-», «۱.», ``12)``).

    Headers and question texts are compared by this key on both sides, so that an export that
    numbers its questions still matches a questionnaire that does not (by definition).

    >>> question_key("س۲- سن:") == question_key("۲. سن") == question_key("سن") == "سن"
    True
    >>> question_key("Q7. I will stay"), question_key("2024 sales")
    ('i will stay', '2024 sales')
    """
    key = match_key(text)
    return match_key(_NUMBERING.sub("", key)) if _NUMBERING.match(key) else key


@dataclass(frozen=True)
class LocalizedText:
    """A text in one or more languages.

    ``LocalizedText.of("Satisfaction")`` is the same text in every language;
    ``LocalizedText.of({"fa": "رضایت", "en": "Satisfaction"})`` has one per
    language. :meth:`get` falls back to English, then to any language
    (by definition).

    >>> title = LocalizedText.of({"fa": "رضایت", "en": "Satisfaction"})
    >>> title.get("de"), LocalizedText.of("Loyalty").get("fa")
    ('Satisfaction', 'Loyalty')
    >>> len(title.all()), bool(LocalizedText.of(None))
    (2, False)
    """

    texts: Mapping[str, str] = field(default_factory=dict)
    plain: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "texts", MappingProxyType(dict(self.texts)))

    @classmethod
    def of(cls, value: "str | Mapping[str, str] | LocalizedText | None") -> "LocalizedText":
        if value is None:
            return cls()
        if isinstance(value, LocalizedText):
            return value
        if isinstance(value, str):
            return cls(plain=value)
        return cls(texts={str(k): str(v) for k, v in value.items()})

    def get(self, lang: str | None = None, default: str = "") -> str:
        if self.plain is not None:
            return self.plain
        if lang and lang in self.texts:
            return self.texts[lang]
        for fallback in ("en", "fa"):
            if fallback in self.texts:
                return self.texts[fallback]
        return next(iter(self.texts.values()), default)

    def all(self) -> tuple[str, ...]:
        """Every variant of the text, in every language."""
        if self.plain is not None:
            return (self.plain,)
        return tuple(self.texts.values())

    def to_json(self) -> "str | dict[str, str]":
        return self.plain if self.plain is not None else dict(self.texts)

    def __bool__(self) -> bool:
        return bool(self.plain) or bool(self.texts)
