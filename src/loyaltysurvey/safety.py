"""Output safety: neutralising spreadsheet formulas (CSV injection).

A text cell that starts with ``=``, ``+``, ``-``, ``@`` (or a tab or carriage
return, which some spreadsheet programs strip before reading a formula) is
prefixed with a single quote, as OWASP recommends, so that Excel, LibreOffice
and Google Sheets show it as text and never run it. Numbers are left alone.
"""

from __future__ import annotations

from typing import Any

__all__ = ["neutralize", "FORMULA_PREFIXES"]

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralize(value: Any) -> Any:
    """Return ``value`` with a leading quote if it is text that a spreadsheet would read as a formula.

    ``"'" + value`` when ``value`` is a ``str`` starting with one of
    :data:`FORMULA_PREFIXES` (``=``, ``+``, ``-``, ``@``, tab, carriage return), as
    OWASP's advice on CSV injection has it; any other value is returned unchanged,
    numbers included (by definition). Checked, and the xlsx and CSV outputs with it,
    in tests/test_security.py.

    >>> print(neutralize("=1+1"))
    '=1+1
    >>> neutralize(-3), neutralize("Agree")
    (-3, 'Agree')
    """
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value
