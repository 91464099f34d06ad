"""From a raw table to clean responses and the ledger.

:func:`ingest_table` is pure: it takes a :class:`RawTable` and the
questionnaire, and returns an :class:`IngestResult` without touching the
file system. Answers are kept as given on the questionnaire: reverse-worded
items are *not* reversed here (see :func:`loyaltysurvey.analysis.scoring.score_items`).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..errors import DataError
from ..questionnaire import Questionnaire
from ..text import match_key, to_ascii_digits
from .cells import AnswerReader, normalize_code
from .columns import match_columns
from ..errors import Notice
from .ledger import Ledger
from .readers import RawTable

__all__ = ["IngestResult", "ingest_table"]

#: Share of a column's non-empty cells that may be unreadable before the column is refused.
UNREADABLE_LIMIT = 0.5


@dataclass(frozen=True)
class IngestResult:
    """Clean responses (one row per kept respondent) and the ledger.

    ``responses``: float columns named by item id, answers as given
    (not reversed), NaN for missing; the index holds respondent ids.
    ``demographics``: one text column per demographic found (codes where
    the questionnaire defines coded values).
    """

    questionnaire: Questionnaire
    responses: pd.DataFrame
    demographics: pd.DataFrame
    ledger: Ledger
    rows: tuple[int, ...]

    @property
    def warnings(self) -> tuple[Notice, ...]:
        return self.ledger.warnings


def _row_key(row: tuple) -> tuple:
    return tuple(None if c is None else (str(c).strip() if isinstance(c, str) else c) for c in row)


def _demographic_reader(demo, table: RawTable, header: str):
    lookup: dict[str, str] = {}
    for code, label in demo.values.items():
        lookup[match_key(code)] = code
        for text in label.all():
            lookup[match_key(text)] = code
    for code, label in (table.value_labels.get(header) or {}).items():
        code_text = normalize_code(code)
        if code_text is not None:
            lookup.setdefault(match_key(label), code_text)

    def read(cell: Any) -> tuple[str | None, bool, bool, bool]:
        """(value, changed by a label, had Persian digits, had Arabic digits)"""
        if cell is None:
            return None, False, False, False
        if isinstance(cell, str):
            _, n_fa, n_ar = to_ascii_digits(cell)
            code = normalize_code(cell)
            if code is None:
                return None, False, n_fa > 0, n_ar > 0
            if demo.values and code not in demo.values and match_key(code) in lookup:
                return lookup[match_key(code)], True, n_fa > 0, n_ar > 0
            return code, False, n_fa > 0, n_ar > 0
        return normalize_code(cell), False, False, False

    return read


def ingest_table(q: Questionnaire, table: RawTable) -> IngestResult:
    """Match columns, read every answer, drop duplicates, and account for all of it."""
    cmap = match_columns(q, table)
    notices: list[Notice] = []
    for demo in q.demographics:
        if demo.id not in cmap.demographics:
            notices.append(Notice("demographic_not_found",
                                  f"no column for demographic '{demo.id}'; it is left out of the report", demo.id))

    # --- rows: empty rows, respondent ids, exact duplicates --------------------------------
    excluded: list[dict[str, Any]] = []
    candidates: list[tuple[int, str]] = []  # (row number, respondent id)
    first_by_id: dict[str, tuple[int, tuple]] = {}
    duplicate_ids: list[str] = []
    conflicting: list[str] = []
    for number, row in enumerate(table.rows, start=1):
        if all(c is None for c in row):
            excluded.append({"row": number, "respondent_id": None, "reason": "empty row"})
            continue
        rid = normalize_code(row[cmap.respondent_id]) if cmap.respondent_id is not None else None
        if rid is None:
            rid = f"row{number}"
            if cmap.respondent_id is not None:
                notices.append(Notice("missing_respondent_id", f"row {number} has no respondent id; "
                                      f"it is called '{rid}' in the results", rid))
        elif cmap.respondent_id is not None:
            key = _row_key(row)
            if rid in first_by_id:
                first_row, first_key = first_by_id[rid]
                if key == first_key:
                    excluded.append({"row": number, "respondent_id": rid, "reason": "duplicate",
                                     "duplicate_of_row": first_row})
                    if rid not in duplicate_ids:
                        duplicate_ids.append(rid)
                    continue
                if rid not in conflicting:
                    conflicting.append(rid)
            else:
                first_by_id[rid] = (number, key)
        candidates.append((number, rid))
    for rid in conflicting:
        notices.append(Notice("conflicting_id", f"respondent id '{rid}' appears on rows with different "
                              "answers; all of them are kept; check the export", rid))

    # --- cells ---------------------------------------------------------------------------------
    items = q.items
    readers = {}
    for item in items:
        header = table.headers[cmap.items[item.id]]
        readers[item.id] = AnswerReader(item.scale.min, item.scale.max, item.scale.label_lookup(),
                                        q.missing_codes, table.user_missing.get(header, ()))
    n_rows = len(candidates)
    values = np.full((n_rows, len(items)), np.nan)
    kinds = np.empty((n_rows, len(items)), dtype=object)
    digits = np.zeros((n_rows, len(items), 2), dtype=bool)
    for r, (number, _) in enumerate(candidates):
        row = table.rows[number - 1]
        for j, item in enumerate(items):
            reading = readers[item.id].read(row[cmap.items[item.id]])
            values[r, j] = reading.value
            kinds[r, j] = reading.kind
            digits[r, j] = (reading.persian_digits, reading.arabic_digits)

    # Refuse a column that is mostly unreadable: the mapping or the labels must be wrong.
    for j, item in enumerate(items):
        col = kinds[:, j]
        filled = int(np.sum(col != "empty"))
        bad = int(np.sum(col == "unreadable"))
        header = table.headers[cmap.items[item.id]]
        if filled and bad >= 3 and bad / filled > UNREADABLE_LIMIT:
            first = next(r for r in range(n_rows) if col[r] == "unreadable")
            number = candidates[first][0]
            cell = table.rows[number - 1][cmap.items[item.id]]
            raise DataError(f"{bad} of {filled} answers to item {item.id} are neither numbers on the "
                            f"{item.scale.min}-{item.scale.max} scale nor scale labels (first: row {number}, "
                            f"'{str(cell)[:40]}'); check that the column belongs to this item, or add the "
                            "labels to the questionnaire's scale", source=table.source, column=header)

    # Rows without a single answered item carry nothing to analyse.
    answered = ~np.isnan(values)
    keep = answered.any(axis=1)
    kept_index = [r for r in range(n_rows) if keep[r]]
    for r in range(n_rows):
        if not keep[r]:
            number, rid = candidates[r]
            excluded.append({"row": number, "respondent_id": rid, "reason": "no item answered"})
    excluded.sort(key=lambda e: e["row"])

    # --- the ledger over kept rows -------------------------------------------------------------
    counts: Counter = Counter()
    out_of_range, unreadable = [], []
    for r in kept_index:
        number, rid = candidates[r]
        row = table.rows[number - 1]
        for j, item in enumerate(items):
            kind = kinds[r, j]
            counts["persian_digits"] += int(digits[r, j, 0])
            counts["arabic_digits"] += int(digits[r, j, 1])
            if kind == "label":
                counts["text_labels"] += 1
            elif kind == "missing_code":
                counts["missing_codes"] += 1
            elif kind == "na_token":
                counts["na_tokens"] += 1
            elif kind in ("out_of_range", "unreadable"):
                entry = {"respondent_id": rid, "item": item.id, "value": str(row[cmap.items[item.id]]),
                         "row": number}
                (out_of_range if kind == "out_of_range" else unreadable).append(entry)
    recoded = {k: int(counts.get(k, 0)) for k in
               ("persian_digits", "arabic_digits", "text_labels", "missing_codes", "na_tokens")}

    ids = [candidates[r][1] for r in kept_index]
    responses = pd.DataFrame(values[kept_index], columns=[i.id for i in items],
                             index=pd.Index(ids, name=q.respondent_id or "respondent_id", dtype=object))

    # Demographics, read as codes or text.
    demo_cols: dict[str, list] = {}
    for demo in q.demographics:
        if demo.id not in cmap.demographics:
            continue
        col = cmap.demographics[demo.id]
        read = _demographic_reader(demo, table, table.headers[col])
        out = []
        for r in kept_index:
            value, changed, fa, ar = read(table.rows[candidates[r][0] - 1][col])
            counts["demographic_labels"] += int(changed)
            recoded["persian_digits"] += int(fa)
            recoded["arabic_digits"] += int(ar)
            out.append(value)
        demo_cols[demo.id] = out
    if counts.get("demographic_labels"):
        recoded["demographic_labels"] = int(counts["demographic_labels"])
    demographics = pd.DataFrame(demo_cols, index=responses.index, dtype=object)

    # --- data-quality notices ------------------------------------------------------------------
    straightliners = []
    raw_answers = responses.to_numpy()
    min_answered = min(5, len(items))
    if len(items) >= 3:
        for r, rid in enumerate(ids):
            row = raw_answers[r][~np.isnan(raw_answers[r])]
            if row.size >= min_answered and np.all(row == row[0]):
                straightliners.append(rid)
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
                                  "correlations are undefined: consider removing it", item.id))
        elif column.notna().sum() < 0.5 * len(column):
            notices.append(Notice("mostly_missing", f"item {item.id} is missing for "
                                  f"{missing_cells[item.id]} of {len(column)} respondents", item.id))
    if out_of_range:
        notices.append(Notice("out_of_range", f"{len(out_of_range)} answers were outside their scale and "
                              "were treated as missing (listed under out_of_range)"))
    if unreadable:
        notices.append(Notice("unreadable", f"{len(unreadable)} answers could not be read as numbers or "
                              "scale labels and were treated as missing (listed under unreadable)"))

    ledger = Ledger(
        source=table.source, input_rows=len(table.rows), respondents=len(kept_index),
        duplicate_rows=sum(1 for e in excluded if e["reason"] == "duplicate"),
        duplicate_ids=tuple(duplicate_ids), recoded_cells=recoded,
        out_of_range=tuple(out_of_range), unreadable=tuple(unreadable),
        straightliners=tuple(straightliners), excluded=tuple(excluded),
        columns={i.id: table.headers[cmap.items[i.id]] for i in items},
        matched_by=dict(cmap.matched_by), missing_cells=missing_cells,
        conflicting_ids=tuple(conflicting), encoding=table.encoding, warnings=tuple(notices))
    if ledger.respondents == 0:
        raise DataError("no row has any answer to the questionnaire's items", source=table.source)
    return IngestResult(q, responses, demographics, ledger, tuple(candidates[r][0] for r in kept_index))
