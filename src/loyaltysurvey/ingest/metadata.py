"""The platform's own columns of the kept respondents, read by role.

:func:`metadata_frame` turns the columns named in ``RawTable.metadata`` into one frame (index =
respondent ids, as the responses): ``start``/``end``/``submitdate`` as timestamps (Jalali dates,
as Porsline writes them, turned Gregorian), ``duration`` in seconds (a number, or ``H:MM:SS``;
from ``end - start`` when the export has no duration column), ``finished`` and ``preview`` as
Booleans (``finished`` from LimeSurvey's ``submitdate`` or Typeform's response type when there is
no such column; ``preview`` from Qualtrics' ``Status``), ``progress`` 0-100 and ``lastpage`` as
numbers, ``status``, ``email``, ``ip``, ``name`` and ``language`` as text. A cell that cannot be
read is missing (NA), never guessed.
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime, timedelta
from typing import Any, Mapping

import numpy as np
import pandas as pd

from ..errors import Notice

from ..text import match_key, to_ascii_digits
from .distinct import distinct_cells, read_distinct
from .readers import RawTable

__all__ = ["metadata_frame", "parse_timestamp", "parse_duration", "jalali_to_gregorian"]

_TRUE = {"true", "1", "yes", "y", "finished", "complete", "completed", "بله", "تکمیل", "تکمیل شده"}
_FALSE = {"false", "0", "no", "n", "partial", "incomplete", "خیر", "ناقص", "تکمیل نشده"}
#: Qualtrics' numeric ``Status`` codes of previews (1 Survey Preview, 9 Preview Spam, 17 Offline Preview).
_PREVIEW_CODES = {1.0, 9.0, 17.0}


def jalali_to_gregorian(jy: int, jm: int, jd: int) -> date:
    """The Gregorian day of a Jalali (Solar Hijri) date: the inverse of
    :func:`loyaltysurvey.report.locale.jalali_date` (checked by a round trip over every day
    from 1990 to 2040 in tests/test_platforms.py).

    >>> jalali_to_gregorian(1403, 1, 1), jalali_to_gregorian(1405, 9, 9)
    (datetime.date(2024, 3, 20), datetime.date(2026, 11, 30))
    """
    from ..report.locale import jalali_date
    day_of_year = (jm - 1) * 31 + jd - 1 if jm <= 7 else 186 + (jm - 7) * 30 + jd - 1
    guess = date(jy + 621, 3, 21) + timedelta(days=day_of_year)
    for shift in (0, -1, 1, -2, 2):
        candidate = guess + timedelta(days=shift)
        if jalali_date(candidate) == (jy, jm, jd):
            return candidate
    raise ValueError(f"{jy}/{jm}/{jd} is not a Jalali date")


_JALALI = re.compile(r"^\s*(1[2-4]\d\d)[/\-.](\d{1,2})[/\-.](\d{1,2})(?:[\sT\-،,]+(\d{1,2}):(\d{2})(?::(\d{2}))?)?\s*$")
_GMT = re.compile(r"\s*(?:GMT|UTC)\s*([+-])(\d{1,2})(?::?(\d{2}))?\s*$", re.IGNORECASE)


def parse_timestamp(value: Any) -> pd.Timestamp | None:
    """A platform's date-time cell as a timestamp (UTC, without zone, when the cell gives a zone).

    Jalali dates (year 1200-1499, as Porsline writes them) are turned Gregorian; Google Forms'
    ``GMT+3:30`` suffix is read as an offset.

    >>> parse_timestamp("۱۴۰۳/۰۱/۰۱ ۱۰:۳۰"), parse_timestamp("2024/03/20 2:00:00 PM GMT+3:30")
    (Timestamp('2024-03-20 10:30:00'), Timestamp('2024-03-20 10:30:00'))
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, (datetime, date, pd.Timestamp)):
        stamp = pd.Timestamp(value)
    else:
        text, _, _ = to_ascii_digits(str(value).strip())
        if not text:
            return None
        m = _JALALI.match(text)
        if m:
            try:
                day = jalali_to_gregorian(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            except ValueError:
                return None
            return pd.Timestamp(datetime(day.year, day.month, day.day, int(m.group(4) or 0), int(m.group(5) or 0),
                                         int(m.group(6) or 0)))
        g = _GMT.search(text)
        if g:
            text = text[:g.start()] + f" {g.group(1)}{int(g.group(2)):02d}:{g.group(3) or '00'}"
        try:
            stamp = pd.Timestamp(text)
        except (ValueError, TypeError, OverflowError):
            return None
    if stamp is pd.NaT:
        return None
    if stamp.tzinfo is not None:
        stamp = stamp.tz_convert("UTC").tz_localize(None)
    return stamp


def parse_duration(value: Any) -> float:
    """Seconds from a number of seconds or ``[H:]MM:SS`` (NaN when unreadable).

    >>> parse_duration("۱۲۵"), parse_duration("1:02:03"), parse_duration("x")
    (125.0, 3723.0, nan)
    """
    if value is None or isinstance(value, bool):
        return math.nan
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, timedelta):
        return value.total_seconds()
    text, _, _ = to_ascii_digits(str(value).strip())
    try:
        return float(text)
    except ValueError:
        pass
    parts = text.split(":")
    if 2 <= len(parts) <= 3 and all(p.strip().isdigit() for p in parts):
        seconds = 0.0
        for p in parts:
            seconds = seconds * 60 + int(p)
        return seconds
    return math.nan


def _number(value: Any) -> float:
    if value is None or isinstance(value, bool):
        return math.nan
    if isinstance(value, (int, float)):
        return float(value)
    text, _, _ = to_ascii_digits(str(value).strip().rstrip("%"))
    try:
        return float(text)
    except ValueError:
        return math.nan


def _boolean(value: Any) -> Any:
    if value is None:
        return pd.NA
    if isinstance(value, bool):
        return value
    key = match_key(str(value.item() if hasattr(value, "item") else value))
    if isinstance(value, (int, float)):
        key = str(int(value)) if float(value).is_integer() else key
    if key in _TRUE:
        return True
    if key in _FALSE:
        return False
    return pd.NA


def _preview(value: Any) -> Any:
    if value is None:
        return pd.NA
    number = _number(value)
    if not math.isnan(number):
        return number in _PREVIEW_CODES
    return "preview" in match_key(str(value)) or "پیش نمایش" in match_key(str(value))


def _text(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip() or None


def _email(value: Any) -> Any:
    """An e-mail address as compared: trimmed, lower case."""
    text = _text(value)
    return None if text is None else text.lower()


def _missing(value: Any) -> bool:
    try:
        return value is None or bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _note_unreadable(cells: list, readings: list, codes: np.ndarray, numbers: np.ndarray, role: str,
                     header: str, notices: list) -> None:
    """A ``metadata_unreadable`` notice when written cells of the column could not be read.

    ``cells`` may hold values no row of ``codes`` uses (a reader's dictionary of the whole
    column, its header included): only the cells of the rows count.
    """
    bad_values = [k for k, (c, r) in enumerate(zip(cells, readings))
                  if not _missing(c) and str(c).strip() and _missing(r)]
    if not bad_values:
        return
    bad = np.isin(codes, bad_values)
    if not bad.any():
        return
    first = int(np.argmax(bad))
    notices.append(Notice("metadata_unreadable", f"{int(bad.sum())} cells of metadata column '{header}' "
                          f"({role}) could not be read and are treated as missing (first: row "
                          f"{int(numbers[first])})", role,
                          {"n": int(bad.sum()), "role": role, "column": header, "row": int(numbers[first])}))


def _timestamps(cells: list) -> list:
    """:func:`parse_timestamp` of every cell; plain date-time texts parsed together by pandas
    (a column of distinct times is read at compiled speed), the others one by one."""
    out: list = [None] * len(cells)
    plain = [k for k, c in enumerate(cells) if isinstance(c, str) and c.isascii() and not _GMT.search(c)
             and not _JALALI.match(c)]
    if plain:
        try:
            stamps = pd.to_datetime(pd.Series([cells[k] for k in plain]), errors="coerce", utc=True, format="mixed")
        except (ValueError, TypeError):
            stamps = None
        if stamps is not None:
            stamps = stamps.dt.tz_localize(None)
            for k, stamp in zip(plain, stamps):
                out[k] = None if pd.isna(stamp) else stamp
    done = set(plain) if plain and stamps is not None else set()
    for k, c in enumerate(cells):
        if k not in done:
            out[k] = parse_timestamp(c)
    return out


_READERS = {"start": parse_timestamp, "end": parse_timestamp, "submitdate": parse_timestamp,
            "duration": parse_duration, "progress": _number, "lastpage": _number, "finished": _boolean,
            "preview": _preview}


def metadata_frame(table: RawTable, numbers: np.ndarray, index: pd.Index,
                   roles: Mapping[str, str] | None = None,
                   notices: list | None = None) -> tuple[pd.DataFrame, dict[str, str]]:
    """The metadata of the data rows ``numbers`` (1 = first data row) by role, and the columns used.

    Returns the frame (index ``index``; see the module's text for the columns and their types)
    and ``{role: header}`` of what it was read from (a derived column is named by how:
    ``duration`` from ``end - start`` says ``"<end> - <start>"``). A written cell that cannot be
    read is missing, and counted in a ``metadata_unreadable`` notice added to ``notices``.
    """
    roles = dict(table.metadata if roles is None else roles)
    roles.pop("id", None)
    position = {h: j for j, h in enumerate(table.headers)}
    out: dict[str, Any] = {}
    used: dict[str, str] = {}
    for role, header in roles.items():
        if header not in position:
            continue
        reader = _READERS.get(role, _email if role == "email" else _text)
        codes, cells = distinct_cells(table.columns[position[header]][numbers - 1])
        readings = _timestamps(cells) if reader is parse_timestamp else [reader(c) for c in cells]
        if notices is not None:
            _note_unreadable(cells, readings, codes, numbers, role, header, notices)
        values = np.empty(len(readings), dtype=object)
        values[:] = readings
        column = values[codes]
        used[role] = header
        if role in ("start", "end", "submitdate"):
            out[role] = pd.to_datetime(pd.Series(column, index=index, dtype=object), errors="coerce")
        elif role in ("duration", "progress", "lastpage"):
            out[role] = pd.Series(column.astype(float), index=index)
        elif role in ("finished", "preview"):
            out[role] = pd.Series(column, index=index, dtype="boolean")
        else:
            out[role] = pd.Series(column, index=index, dtype=object)
    if "status" in out and "preview" not in out and table.platform == "qualtrics":
        codes, readings = read_distinct(table.columns[position[used["status"]]][numbers - 1], _preview)
        values = np.empty(len(readings), dtype=object)
        values[:] = readings
        out["preview"] = pd.Series(values[codes], index=index, dtype="boolean")
        used["preview"] = used["status"]
    if "duration" not in out and "start" in out and "end" in out:
        seconds = (out["end"] - out["start"]).dt.total_seconds()
        if seconds.notna().any():
            out["duration"] = seconds.astype(float)
            used["duration"] = f"{used['end']} - {used['start']}"
    if "finished" not in out:
        if "submitdate" in out and table.platform == "limesurvey":
            out["finished"] = out["submitdate"].notna().astype("boolean")
            used["finished"] = used["submitdate"]
        elif "status" in out and table.platform == "typeform":
            out["finished"] = out["status"].map(
                lambda v: pd.NA if v is None else _boolean(v)).astype("boolean")
            used["finished"] = used["status"]
    return pd.DataFrame(out, index=index), used
