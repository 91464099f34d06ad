"""From a raw table to clean responses and the ledger.

:func:`ingest_table` is pure: it takes a :class:`RawTable` and the
questionnaire, and returns an :class:`IngestResult` without touching the
file system. Answers are kept as given on the questionnaire: reverse-worded
items are *not* reversed here (see :func:`loyaltysurvey.analysis.scoring.score_items`).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np
import pandas as pd

from ..errors import DataError
from ..questionnaire import Item, Questionnaire
from ..text import match_key, to_ascii_digits
from .cells import AnswerReader, compact_key, normalize_code, normalize_id
from .columns import ColumnMap, match_columns
from ..errors import Notice
from .ledger import Ledger
from .readers import RawTable

__all__ = ["IngestResult", "ingest_table"]

#: The ledger category of each kind of recoded cell (numbers written in Persian or Arabic digits
#: count under their script only when nothing else changed them).
_RECODE_KINDS = {"label": "text_labels", "missing_code": "missing_codes", "na_token": "na_tokens",
                 "value_label": "value_labels"}

#: Share of a column's non-empty cells that may be unreadable before the column is refused.
UNREADABLE_LIMIT = 0.5


@dataclass(frozen=True)
class IngestResult:
    """Clean responses (one row per kept respondent) and the ledger.

    ``responses``: float columns named by item id, answers as given
    (not reversed), NaN for missing; the index holds respondent ids.
    ``demographics``: one text column per demographic found (codes where
    the questionnaire defines coded values). ``ledger`` accounts for every input
    row and recoded cell; ``rows`` gives, for each kept respondent, the number of the
    data row it came from (1 = the first row after the header).

    >>> from loyaltysurvey.datasets import crm_questionnaire, crm_export
    >>> from loyaltysurvey.ingest import ingest
    >>> result = ingest(crm_questionnaire(), crm_export())
    >>> list(result.demographics.columns)
    ['gender', 'age_group', 'education', 'tenure']
    >>> len(result.rows) == len(result.responses)
    True
    """

    questionnaire: Questionnaire
    responses: pd.DataFrame
    demographics: pd.DataFrame
    ledger: Ledger
    rows: tuple[int, ...]
    extra: pd.DataFrame | None = None

    def column(self, name: str) -> pd.Series | None:
        """A demographic (by id) or another column of the export (by its header) for the kept rows, as text.

        Used to split respondents into groups (``analyze --group``); None when there is no such column.

        >>> from loyaltysurvey.datasets import crm_questionnaire, crm_export
        >>> from loyaltysurvey.ingest import ingest
        >>> ingest(crm_questionnaire(), crm_export()).column("gender").notna().all()
        np.True_
        """
        if name in self.demographics.columns:
            return self.demographics[name]
        if self.extra is not None and name in self.extra.columns:
            return self.extra[name]
        return None

    @property
    def warnings(self) -> tuple[Notice, ...]:
        """The ledger's notices: things kept but worth a look (unknown demographic codes, straight-liners...).

        Same as ``self.ledger.warnings``.
        """
        return self.ledger.warnings


def _row_key(row: tuple) -> tuple:
    return tuple(None if c is None else (str(c).strip() if isinstance(c, str) else c) for c in row)


def _demographic_reader(demo, table: RawTable, header: str, missing_codes: tuple = ()):
    missing = {normalize_code(c) for c in missing_codes} | {match_key(str(c)) for c in missing_codes}
    missing |= {compact_key(m) for m in missing if m}
    for spec in table.user_missing.get(header, ()):
        if spec[0] == "value":
            missing.add(normalize_code(spec[1]))
    lookup: dict[str, str] = {}
    for code, label in demo.values.items():
        lookup[compact_key(match_key(code))] = code
        for text in label.all():
            lookup[compact_key(match_key(text))] = code
    for code, label in (table.value_labels.get(header) or {}).items():
        code_text = normalize_code(code)
        if code_text is not None:
            lookup.setdefault(compact_key(match_key(label)), code_text)

    def read(cell: Any) -> tuple[str | None, bool, bool, bool]:
        """(value, changed by a label or a missing code, had Persian digits, had Arabic digits)"""
        if cell is None:
            return None, False, False, False
        if normalize_code(cell) in missing or (isinstance(cell, str) and compact_key(match_key(cell)) in missing):
            return None, True, False, False
        if isinstance(cell, str):
            _, n_fa, n_ar = to_ascii_digits(cell)
            code = normalize_code(cell)
            if code is None:
                return None, False, n_fa > 0, n_ar > 0
            if demo.values and code not in demo.values and compact_key(match_key(code)) in lookup:
                return lookup[compact_key(match_key(code))], True, n_fa > 0, n_ar > 0
            return code, False, n_fa > 0, n_ar > 0
        return normalize_code(cell), False, False, False

    return read


def ingest_table(q: Questionnaire, table: RawTable) -> IngestResult:
    """Match columns, read every answer, drop duplicates, and account for all of it.

    Columns are found by :func:`~loyaltysurvey.ingest.columns.match_columns`; each answer
    is read by :class:`~loyaltysurvey.ingest.cells.AnswerReader` (digits, labels, missing
    codes, the scale's range). A row with the same respondent id and the same cells as an
    earlier row is dropped as a duplicate (the same id with different answers is kept and
    noted); empty rows and rows with no answer to any item are dropped too; all are listed
    with their reason in ``ledger.excluded``. A column whose cells are
    mostly unreadable, or that is coded one point off the scale, stops ingestion with a
    :class:`~loyaltysurvey.errors.DataError` naming the column. Nothing is changed silently:
    every recoded cell is counted once in ``ledger.recoded_cells``. Behaviour tested in
    tests/test_ingest.py.

    >>> from loyaltysurvey.datasets import crm_questionnaire, crm_export
    >>> from loyaltysurvey.ingest import table_from_frame
    >>> result = ingest_table(crm_questionnaire(), table_from_frame(crm_export()))
    >>> led = result.ledger
    >>> led.input_rows == led.respondents + len(led.excluded)
    True
    >>> led.recoded_cells["persian_digits"], led.recoded_cells["missing_codes"]
    (934, 38)
    """
    cmap = match_columns(q, table)
    items = q.items
    notices = _demographic_notices(q, cmap)
    rows = _screen_rows(table, cmap, notices)
    cells = _read_cells(q, items, table, cmap, rows.candidates)
    _refuse_unreadable_columns(items, table, cmap, rows.candidates, cells.kinds)
    _refuse_shifted_columns(items, table, cmap, cells.kinds, cells.numbers)
    kept_index = _drop_unanswered(cells.values, rows)
    tally = _tally_cells(items, table, cmap, rows.candidates, kept_index, cells)

    ids = [rows.candidates[r][1] for r in kept_index]
    responses = pd.DataFrame(cells.values[kept_index], columns=[i.id for i in items],
                             index=pd.Index(ids, name=q.respondent_id or "respondent_id", dtype=object))
    kept_numbers = [rows.candidates[r][0] for r in kept_index]
    demographics = _read_demographics(q, table, cmap, kept_numbers, responses.index, tally.recoded, notices)

    straightliners = _straightliners(responses, ids, len(items))
    missing_cells = _check_items(items, responses, table, cmap, notices)
    notices.extend(_cell_notices(tally))

    ledger = Ledger(
        source=table.source, input_rows=len(table.rows), respondents=len(kept_index),
        duplicate_rows=sum(1 for e in rows.excluded if e["reason"] == "duplicate"),
        duplicate_ids=tuple(rows.duplicate_ids), recoded_cells=tally.recoded,
        out_of_range=tuple(tally.out_of_range), unreadable=tuple(tally.unreadable),
        between_points=tuple(tally.between_points),
        straightliners=tuple(straightliners), excluded=tuple(rows.excluded),
        columns={i.id: table.headers[cmap.items[i.id]] for i in items},
        matched_by=dict(cmap.matched_by), missing_cells=missing_cells,
        conflicting_ids=tuple(rows.conflicting), encoding=table.encoding, warnings=tuple(notices))
    if ledger.respondents == 0:
        raise DataError("no row has any answer to the questionnaire's items", source=table.source)
    return IngestResult(q, responses, demographics, ledger, tuple(kept_numbers),
                        _extra_columns(table, cmap, kept_numbers, responses.index))


def _extra_columns(table: RawTable, cmap: ColumnMap, numbers: list[int], index: pd.Index) -> pd.DataFrame:
    """The export's other columns (neither an item nor a demographic) for the kept rows, as stripped text
    (empty cells as missing), so that any of them can split respondents into groups."""
    used = set(cmap.items.values()) | set(cmap.demographics.values())
    cols: dict[str, list] = {}
    for j, header in enumerate(table.headers):
        if j in used or not isinstance(header, str) or header in cols:
            continue
        values = []
        for number in numbers:
            row = table.rows[number - 1]
            cell = row[j] if j < len(row) else None
            text = None if cell is None else str(cell).strip()
            if text is not None and text.endswith(".0") and text[:-2].lstrip("-").isdigit():
                text = text[:-2]
            values.append(text or None)
        cols[header] = values
    return pd.DataFrame(cols, index=index, dtype=object)


@dataclass
class _Rows:
    """The rows that go on to be read, and what became of the others.

    ``candidates`` holds ``(row number, respondent id)`` pairs; ``excluded``
    the dropped rows with their reason, in row order once
    :func:`_drop_unanswered` has run.
    """

    candidates: list[tuple[int, str]] = field(default_factory=list)
    excluded: list[dict[str, Any]] = field(default_factory=list)
    duplicate_ids: list[str] = field(default_factory=list)
    conflicting: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Cells:
    """Every item cell of the candidate rows: value, kind of reading, and digit scripts seen."""

    values: np.ndarray
    kinds: np.ndarray
    digits: np.ndarray
    numbers: np.ndarray


@dataclass(frozen=True)
class _Tally:
    """What the item cells of the kept rows needed: recoding counts and the cells treated as missing."""

    recoded: dict[str, int]
    out_of_range: list[dict[str, Any]]
    unreadable: list[dict[str, Any]]
    between_points: list[dict[str, Any]]
    #: The number read from the first out-of-range and between-points answer (as the notes state it).
    first_number: dict[str, float] = field(default_factory=dict)


def _demographic_notices(q: Questionnaire, cmap: ColumnMap) -> list[Notice]:
    """Note every demographic that has no column."""
    notices: list[Notice] = []
    for demo in q.demographics:
        if demo.id not in cmap.demographics:
            notices.append(Notice("demographic_not_found",
                                  f"no column for demographic '{demo.id}'; it is left out of the report", demo.id,
                                  {"demographic": demo.id}))
    return notices


def _screen_rows(table: RawTable, cmap: ColumnMap, notices: list[Notice]) -> _Rows:
    """Set aside empty rows and exact duplicates, name rows without an id, and note conflicting ids."""
    rows = _Rows()
    first_by_id: dict[str, tuple[int, tuple]] = {}
    for number, row in enumerate(table.rows, start=1):
        if all(c is None for c in row):
            rows.excluded.append({"row": number, "respondent_id": None, "reason": "empty row"})
            continue
        rid = normalize_id(row[cmap.respondent_id]) if cmap.respondent_id is not None else None
        if rid is None:
            rid = f"row{number}"
            if cmap.respondent_id is not None:
                notices.append(Notice("missing_respondent_id", f"row {number} has no respondent id; "
                                      f"it is called '{rid}' in the results", rid, {"row": number}))
        elif cmap.respondent_id is not None:
            key = _row_key(row)
            if rid in first_by_id:
                first_row, first_key = first_by_id[rid]
                if key == first_key:
                    rows.excluded.append({"row": number, "respondent_id": rid, "reason": "duplicate",
                                          "duplicate_of_row": first_row})
                    if rid not in rows.duplicate_ids:
                        rows.duplicate_ids.append(rid)
                    continue
                if rid not in rows.conflicting:
                    rows.conflicting.append(rid)
            else:
                first_by_id[rid] = (number, key)
        rows.candidates.append((number, rid))
    for rid in rows.conflicting:
        notices.append(Notice("conflicting_id", f"respondent id '{rid}' appears on rows with different "
                              "answers; all of them are kept; check the export", rid, {"id": rid}))
    return rows


def _read_cells(q: Questionnaire, items: tuple[Item, ...], table: RawTable, cmap: ColumnMap,
                candidates: list[tuple[int, str]]) -> _Cells:
    """Read every item cell of the candidate rows on its item's scale."""
    readers = {}
    for item in items:
        header = table.headers[cmap.items[item.id]]
        readers[item.id] = AnswerReader(item.scale.min, item.scale.max, item.scale.label_lookup(),
                                        q.missing_codes, table.user_missing.get(header, ()),
                                        _value_label_points(item, table.value_labels.get(header)))
    n_rows = len(candidates)
    values = np.full((n_rows, len(items)), np.nan)
    numbers = np.full((n_rows, len(items)), np.nan)
    kinds = np.empty((n_rows, len(items)), dtype=object)
    digits = np.zeros((n_rows, len(items), 2), dtype=bool)
    rows = [table.rows[number - 1] for number, _ in candidates]
    for j, item in enumerate(items):
        # a reading depends on the cell alone: read each distinct cell of a column once
        read, col = _memoised(readers[item.id].read), cmap.items[item.id]
        readings = [read(row[col]) for row in rows]
        values[:, j] = [reading.value for reading in readings]
        numbers[:, j] = [reading.number for reading in readings]
        kinds[:, j] = [reading.kind for reading in readings]
        digits[:, j, 0] = [reading.persian_digits for reading in readings]
        digits[:, j, 1] = [reading.arabic_digits for reading in readings]
    return _Cells(values, kinds, digits, numbers)


def _memoised(read: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """``read`` remembering its result for each distinct cell (by type and value: ``1``, ``1.0``,
    ``True`` and ``"1"`` stay apart; a NaN cell is read each time). Survey columns hold a few
    distinct answers, so a column of a million cells is read in a few dozen calls."""
    seen: dict = {}

    def cached(cell: Any) -> Any:
        key = (type(cell), cell)
        try:
            return seen[key]
        except KeyError:
            result = seen[key] = read(cell)
            return result
        except TypeError:  # an unhashable cell
            return read(cell)

    return cached


def _value_label_points(item: Item, value_labels: dict | None) -> dict[float, int]:
    """The file's own value labels (SPSS) read as scale points: ``{code: point}`` when every label
    of the column is one of the item's scale labels (so a 0-4 coding labelled like the 1-5 scale is
    read as the scale says), else nothing."""
    if not value_labels:
        return {}
    lookup = {compact_key(k): v for k, v in item.scale.label_lookup().items()}
    points = {}
    for code, label in value_labels.items():
        point = lookup.get(compact_key(match_key(str(label))))
        try:
            number = float(code)
        except (TypeError, ValueError):
            return {}
        if point is None:
            return {}
        points[number] = point
    return points


def _refuse_shifted_columns(items: tuple[Item, ...], table: RawTable, cmap: ColumnMap, kinds: np.ndarray,
                            numbers: np.ndarray) -> None:
    """Refuse a column whose numbers all sit one point off the item's scale (0-4 on a 1-5 scale):
    reading it would drop one end as out of range and keep every other answer a point off."""
    for j, item in enumerate(items):
        written = numbers[np.isin(kinds[:, j], ("number", "out_of_range", "between_points")), j]
        if written.size < 10:
            continue
        lo, hi = item.scale.min, item.scale.max
        for shift in (-1, 1):
            inside = (written >= lo + shift) & (written <= hi + shift)
            outside = int(np.sum(written == (lo - 1 if shift < 0 else hi + 1)))
            if inside.all() and outside >= 0.02 * written.size and outside >= 3:
                header = table.headers[cmap.items[item.id]]
                raise DataError(
                    f"the answers to item {item.id} run from {written.min():g} to {written.max():g} on its "
                    f"{lo}-{hi} scale ({outside} answers of {lo - 1 if shift < 0 else hi + 1}): the export codes "
                    f"the scale one point {'low' if shift < 0 else 'high'}; recode the column, or give the "
                    f"questionnaire's scale as {lo + shift}-{hi + shift}", source=table.source, column=header)


def _refuse_unreadable_columns(items: tuple[Item, ...], table: RawTable, cmap: ColumnMap,
                               candidates: list[tuple[int, str]], kinds: np.ndarray) -> None:
    """Refuse a column that is mostly unreadable: the mapping or the labels must be wrong."""
    for j, item in enumerate(items):
        col = kinds[:, j]
        filled = int(np.sum(col != "empty"))
        bad = int(np.sum(col == "unreadable"))
        header = table.headers[cmap.items[item.id]]
        if filled and bad >= 3 and bad / filled > UNREADABLE_LIMIT:
            first = next(r for r in range(len(candidates)) if col[r] == "unreadable")
            number = candidates[first][0]
            cell = table.rows[number - 1][cmap.items[item.id]]
            raise DataError(f"{bad} of {filled} answers to item {item.id} are neither numbers on the "
                            f"{item.scale.min}-{item.scale.max} scale nor scale labels (first: row {number}, "
                            f"'{str(cell)[:40]}'); check that the column belongs to this item, or add the "
                            "labels to the questionnaire's scale", source=table.source, column=header)


def _drop_unanswered(values: np.ndarray, rows: _Rows) -> list[int]:
    """Exclude the rows without a single answered item; return the indices of the kept candidates."""
    n_rows = len(rows.candidates)
    answered = ~np.isnan(values)
    keep = answered.any(axis=1)
    kept_index = [r for r in range(n_rows) if keep[r]]
    for r in range(n_rows):
        if not keep[r]:
            number, rid = rows.candidates[r]
            rows.excluded.append({"row": number, "respondent_id": rid, "reason": "no item answered"})
    rows.excluded.sort(key=lambda e: e["row"])
    return kept_index


def _tally_cells(items: tuple[Item, ...], table: RawTable, cmap: ColumnMap, candidates: list[tuple[int, str]],
                 kept_index: list[int], cells: _Cells) -> _Tally:
    """Count the recoded item cells of the kept rows and list those out of range or unreadable."""
    counts: Counter = Counter()
    out_of_range, unreadable, between = [], [], []
    first_number: dict[str, float] = {}
    for r in kept_index:
        number, rid = candidates[r]
        row = table.rows[number - 1]
        for j, item in enumerate(items):
            kind = cells.kinds[r, j]
            category = _RECODE_KINDS.get(kind)
            if category:  # each changed cell counts once, under what changed it
                counts[category] += 1
            elif cells.digits[r, j, 0]:
                counts["persian_digits"] += 1
            elif cells.digits[r, j, 1]:
                counts["arabic_digits"] += 1
            if kind in ("out_of_range", "unreadable", "between_points"):
                entry = {"respondent_id": rid, "item": item.id, "value": str(row[cmap.items[item.id]]),
                         "row": number}
                {"out_of_range": out_of_range, "unreadable": unreadable,
                 "between_points": between}[kind].append(entry)
                first_number.setdefault(kind, float(cells.numbers[r, j]))
    recoded = {k: int(counts.get(k, 0)) for k in
               ("persian_digits", "arabic_digits", "text_labels", "missing_codes", "na_tokens")}
    if counts.get("value_labels"):
        recoded["value_labels"] = int(counts["value_labels"])
    return _Tally(recoded, out_of_range, unreadable, between, first_number)


def _read_demographics(q: Questionnaire, table: RawTable, cmap: ColumnMap, numbers: list[int],
                       index: pd.Index, recoded: dict[str, int], notices: list[Notice]) -> pd.DataFrame:
    """Read the demographics of the kept rows as codes or text, adding their recodings to ``recoded``."""
    demo_cols: dict[str, list] = {}
    demographic_labels = 0
    for demo in q.demographics:
        if demo.id not in cmap.demographics:
            continue
        col = cmap.demographics[demo.id]
        read = _memoised(_demographic_reader(demo, table, table.headers[col], q.missing_codes))
        out = []
        unknown: list[tuple[int, str]] = []
        for number in numbers:
            value, changed, fa, ar = read(table.rows[number - 1][col])
            demographic_labels += int(changed)
            recoded["persian_digits"] += int(fa and not changed)
            recoded["arabic_digits"] += int(ar and not changed and not fa)
            if demo.values and value is not None and value not in demo.values:
                unknown.append((number, value))
            out.append(value)
        if unknown:
            notices.append(Notice("unknown_demographic_code",
                                  f"{len(unknown)} answers to demographic '{demo.id}' are none of its coded values "
                                  f"(first: row {unknown[0][0]}, '{unknown[0][1][:40]}'); they are tabulated as "
                                  "written: add them to its values or correct the export", demo.id,
                                  {"n": len(unknown), "demographic": demo.id, "row": unknown[0][0],
                                   "value": str(unknown[0][1])[:40]}))
        demo_cols[demo.id] = out
    if demographic_labels:
        recoded["demographic_labels"] = demographic_labels
    return pd.DataFrame(demo_cols, index=index, dtype=object)


def _straightliners(responses: pd.DataFrame, ids: list[str], n_items: int) -> list[str]:
    """The straight-liners: one answer to every item they answered, at least min(5, items) of them (needs 3 items)."""
    straightliners = []
    raw_answers = responses.to_numpy()
    min_answered = min(5, n_items)
    if n_items >= 3:
        for r, rid in enumerate(ids):
            row = raw_answers[r][~np.isnan(raw_answers[r])]
            if row.size >= min_answered and np.all(row == row[0]):
                straightliners.append(rid)
    return straightliners


def _check_items(items: tuple[Item, ...], responses: pd.DataFrame, table: RawTable, cmap: ColumnMap,
                 notices: list[Notice]) -> dict[str, int]:
    """Refuse an item with no valid answer, note constant and mostly missing items; return missing counts."""
    missing_cells = {item.id: int(responses[item.id].isna().sum()) for item in items}
    for item in items:
        column = responses[item.id]
        header = table.headers[cmap.items[item.id]]
        if column.notna().sum() == 0:
            raise DataError(f"item {item.id} has no valid answer in any kept row; check the column or "
                            "remove the item from the questionnaire", source=table.source, column=header)
        if column.nunique(dropna=True) == 1:
            notices.append(Notice("zero_variance", f"every respondent gave item {item.id} the same answer "
                                  f"({column.dropna().iloc[0]:g}); it carries no information and its "
                                  "correlations are undefined: consider removing it", item.id,
                                  {"item": item.id, "value": float(column.dropna().iloc[0])}))
        elif column.notna().sum() < 0.5 * len(column):
            notices.append(Notice("mostly_missing", f"item {item.id} is missing for "
                                  f"{missing_cells[item.id]} of {len(column)} respondents", item.id,
                                  {"item": item.id, "missing": missing_cells[item.id], "n": len(column)}))
    return missing_cells


def _cell_notices(tally: _Tally) -> list[Notice]:
    """Note the answers treated as missing because they were out of range or unreadable, and those
    kept between two scale points; each note gives the first such answer (item, row, value)."""
    notices = []
    if tally.out_of_range:
        first = tally.out_of_range[0]
        notices.append(Notice("out_of_range", f"{len(tally.out_of_range)} answers were outside their scale and "
                              "were treated as missing (listed under out_of_range)", "",
                              {"n": len(tally.out_of_range), "item": first["item"], "row": first["row"],
                               "value": tally.first_number["out_of_range"]}))
    if tally.unreadable:
        first = tally.unreadable[0]
        notices.append(Notice("unreadable", f"{len(tally.unreadable)} answers could not be read as numbers or "
                              "scale labels and were treated as missing (listed under unreadable)", "",
                              {"n": len(tally.unreadable), "item": first["item"], "row": first["row"],
                               "value": first["value"][:40]}))
    if tally.between_points:
        first = tally.between_points[0]
        notices.append(Notice("between_points", f"{len(tally.between_points)} answers lie between two points of "
                              f"their integer scale (first: item {first['item']}, row {first['row']}, "
                              f"'{first['value']}'); they are kept as written (listed under between_points)", "",
                              {"n": len(tally.between_points), "item": first["item"], "row": first["row"],
                               "value": tally.first_number["between_points"]}))
    return notices
