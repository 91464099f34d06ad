"""Output safety: neutralising spreadsheet formulas (CSV injection).

A text cell that starts with ``=``, ``+``, ``-``, ``@`` (or a tab or carriage
return, which some spreadsheet programs strip before reading a formula) is
prefixed with a single quote, as OWASP recommends, so that Excel, LibreOffice
and Google Sheets show it as text and never run it. Numbers are left alone, and
so is text that is just a negative number (``-9``, ``-1.5e3``): a spreadsheet reads
it as that number, never as a formula, and a missing-data code such as ``-9`` must
reach the user as written (``+7`` is still quoted: a spreadsheet would show it as 7).
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["neutralize", "FORMULA_PREFIXES"]

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

_PLAIN_NUMBER = re.compile(r"-(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def neutralize(value: Any) -> Any:
    """Return ``value`` with a leading quote if it is text that a spreadsheet would read as a formula.

    ``"'" + value`` when ``value`` is a ``str`` starting with one of
    :data:`FORMULA_PREFIXES` (``=``, ``+``, ``-``, ``@``, tab, carriage return), as
    OWASP's advice on CSV injection has it, unless the whole text is a negative number
    (``-9``: read as that number, not a formula); any other value is returned unchanged,
    numbers included (by definition). Checked, and the xlsx and CSV outputs with it,
    in tests/test_security.py.

    >>> print(neutralize("=1+1"))
    '=1+1
    >>> neutralize(-3), neutralize("Agree"), neutralize("-9"), neutralize("-9+cmd|' /C calc'!A0")
    (-3, 'Agree', '-9', "'-9+cmd|' /C calc'!A0")
    """
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES) and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value
