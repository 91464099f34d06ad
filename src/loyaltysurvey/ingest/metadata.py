"""Respondent metadata and attention-check answers, read beside the items.

The questionnaire may name the export's headers of each respondent's metadata (``metadata:
{duration: "Duration (in seconds)", finished: Finished, progress: Progress, ...}``; the roles are
:data:`~loyaltysurvey.questionnaire.schema.METADATA_ROLES`) and declare attention checks
(``attention: [{item: ATT1, expect: 2}]``). :func:`read_metadata` reads the first into a frame
with one column per role, :func:`read_attention` the second into a frame with one column per
attention item; both indexed by respondent id like the responses, and both used only by
:mod:`loyaltysurvey.ingest.screening`.

Parsing: ``duration`` in seconds and ``progress`` in percent as numbers (Persian digits read);
``finished`` and ``preview`` as true/false (``1``/``0``, ``true``/``false``, ``yes``/``no``,
``بله``/``خیر``; any other non-zero number is true); ``start`` and ``end`` as timestamps; ``email``
(trimmed, lower case) and ``ip`` (trimmed) as text. When no duration is mapped but ``start`` and
``end`` are, the duration is ``end - start`` in seconds. A cell that cannot be read is left
missing and counted in a ``metadata_unreadable`` notice.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ..errors import DataError, Notice
from ..questionnaire import Questionnaire
from ..text import match_key, to_ascii_digits
from .cells import AnswerReader
from .columns import ColumnMap, _find, _keys
from .distinct import read_distinct
from .readers import RawTable

__all__ = ["read_metadata", "read_attention", "parse_number", "parse_flag"]

_TRUE = {"1", "true", "t", "yes", "y", "بله", "درست", "صحیح"}
_FALSE = {"0", "false", "f", "no", "n", "خیر", "نادرست", "غلط"}


def parse_number(cell: Any) -> float:
    """A number from a cell (``"۱۲۰"`` and ``" 120 "`` too); NaN when empty or unreadable.

    >>> parse_number("۱۲۰"), parse_number(85), parse_number("n/a")
    (120.0, 85.0, nan)
    """
    if cell is None or isinstance(cell, bool):
        return float("nan")
    if isinstance(cell, (int, float, np.integer, np.floating)):
        return float(cell)
    text, _, _ = to_ascii_digits(str(cell).strip().replace("٫", ".").replace("%", ""))
    try:
        return float(text)
    except ValueError:
        return float("nan")


def parse_flag(cell: Any) -> float:
    """True/false from a cell as 1.0/0.0; NaN when empty or unreadable.

    >>> parse_flag("TRUE"), parse_flag(0), parse_flag("بله"), parse_flag("maybe")
    (1.0, 0.0, 1.0, nan)
    """
    if cell is None:
        return float("nan")
    if isinstance(cell, (bool, np.bool_)):
        return float(bool(cell))
    if isinstance(cell, (int, float, np.integer, np.floating)):
        return float("nan") if np.isnan(cell) else float(cell != 0)
    key = match_key(str(cell))
    ascii_key, _, _ = to_ascii_digits(key)
    if ascii_key in _TRUE:
        return 1.0
    if ascii_key in _FALSE:
        return 0.0
    number = parse_number(ascii_key)
    return float("nan") if np.isnan(number) else float(number != 0)


def _parse_time(cell: Any) -> Any:
    if cell is None or (isinstance(cell, str) and not cell.strip()):
        return pd.NaT
    try:
        return pd.Timestamp(cell)
    except (ValueError, TypeError):
        return pd.NaT


def _parse_text(lower: bool):
    def read(cell: Any) -> Any:
        if cell is None:
            return None
        text = str(cell).strip()
        return (text.lower() if lower else text) or None
    return read


_PARSERS = {"duration": parse_number, "progress": parse_number, "finished": parse_flag, "preview": parse_flag,
            "start": _parse_time, "end": _parse_time, "email": _parse_text(True), "ip": _parse_text(False)}


def _column_index(table: RawTable, header: str, role: str) -> int:
    key = match_key(header)
    hits = [j for j, h in enumerate(table.headers) if match_key(h) == key]
    if not hits:
        raise DataError(f"has no column '{header}' (named for metadata {role} in the questionnaire); "
                        "rename the column or fix the questionnaire's metadata", source=table.source, column=header)
    return hits[0]


def read_metadata(q: Questionnaire, table: RawTable, numbers: np.ndarray, index: pd.Index,
                  notices: list[Notice]) -> pd.DataFrame:
    """The metadata of the data rows ``numbers`` (1 = first data row), one column per mapped role.

    ``duration`` and ``progress`` are floats, ``finished`` and ``preview`` booleans (NA when not
    readable), ``start``/``end`` timestamps, ``email``/``ip`` text. Without ``metadata:`` in the
    questionnaire the frame has ``index`` and no columns.
    """
    frame = pd.DataFrame(index=index)
    for role, header in q.metadata_columns.items():
        j = _column_index(table, header, role)
        codes, readings = read_distinct(table.columns[j][numbers - 1], _PARSERS[role])
        values = np.asarray(readings, dtype=object)[codes]
        raw_codes, raw = read_distinct(table.columns[j][numbers - 1], lambda c: c is not None and str(c).strip() != "")
        filled = np.asarray(raw, dtype=bool)[raw_codes]
        if role in ("duration", "progress"):
            column = pd.Series(values.astype(float), index=index)
            bad = filled & np.isnan(column.to_numpy())
        elif role in ("finished", "preview"):
            number = values.astype(float)
            column = pd.Series(pd.array([None if np.isnan(v) else bool(v) for v in number], dtype="boolean"),
                               index=index)
            bad = filled & np.isnan(number)
        elif role in ("start", "end"):
            column = pd.Series(pd.to_datetime(pd.Series(values), errors="coerce").to_numpy(), index=index)
            bad = filled & column.isna().to_numpy()
        else:
            column = pd.Series(values, index=index, dtype=object)
            bad = np.zeros(len(index), dtype=bool)
        if bad.any():
            first = int(np.argmax(bad))
            notices.append(Notice("metadata_unreadable", f"{int(bad.sum())} cells of metadata column '{header}' "
                                  f"({role}) could not be read and are treated as missing (first: row "
                                  f"{int(numbers[first])})", role,
                                  {"n": int(bad.sum()), "role": role, "column": header, "row": int(numbers[first])}))
        frame[role] = column
    if "duration" not in frame and "start" in frame and "end" in frame:
        frame["duration"] = (frame["end"] - frame["start"]).dt.total_seconds().astype(float)
    return frame


def read_attention(q: Questionnaire, table: RawTable, cmap: ColumnMap, numbers: np.ndarray,
                   index: pd.Index) -> pd.DataFrame:
    """The answers to the attention items of the data rows ``numbers``, read on each item's scale
    (labels, digits and missing codes as for any item; anything else is missing).

    An attention item's column is found by its id, else its ``column`` header, else its text; a
    declared attention item without a column is a :class:`~loyaltysurvey.errors.DataError`.
    """
    frame = pd.DataFrame(index=index)
    if not q.attention:
        return frame
    keys = _keys(table)
    taken = {j: f"item {iid}" for iid, j in cmap.items.items()}
    taken.update({j: f"demographic {d}" for d, j in cmap.demographics.items()})
    for check in q.attention:
        j, _ = _find(keys, [("id", [check.id]), ("column", [check.column] if check.column else []),
                            ("text", list(check.text.all()))], f"attention item {check.id}", table, taken)
        if j is None:
            raise DataError(f"no column for attention item {check.id} (declared under attention in the "
                            "questionnaire); add 'column: <header>' to it or remove the check",
                            source=table.source, column=check.id)
        taken[j] = f"attention item {check.id}"
        header = table.headers[j]
        reader = AnswerReader(check.scale.min, check.scale.max, check.scale.label_lookup(), q.missing_codes,
                              table.user_missing.get(header, ()), {})
        codes, readings = read_distinct(table.columns[j][numbers - 1], reader.read)
        frame[check.id] = np.array([r.value for r in readings], dtype=float)[codes]
    return frame
