"""From a raw table to clean responses and the ledger.

:func:`ingest_table` is pure: it takes a :class:`RawTable` and the
questionnaire, and returns an :class:`IngestResult` without touching the
file system. Answers are kept as given on the questionnaire: reverse-worded
items are *not* reversed here (see :func:`loyaltysurvey.analysis.scoring.score_items`).
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..errors import DataError
from ..questionnaire import Item, Questionnaire
from ..text import LocalizedText, match_key, to_ascii_digits
from .cells import AnswerReader, cell_text, compact_key, normalize_code, normalize_id
from .distinct import distinct_cells, is_empty, read_distinct
from .columns import ColumnMap, match_columns
from ..errors import Notice
from .ledger import Ledger
from .attention import read_attention
from .metadata import metadata_frame
from .readers import RawTable
from .screening import REASONS, Screening, ScreeningOptions, screen

__all__ = ["IngestResult", "ingest_table", "split_options"]

#: The ledger category of each kind of recoded cell (numbers written in Persian or Arabic digits
#: count under their script only when nothing else changed them).
_RECODE_KINDS = {"label": "text_labels", "missing_code": "missing_codes", "na_token": "na_tokens",
                 "value_label": "value_labels", "answer_code": "answer_codes"}

#: The kinds of reading a cell can get (:class:`~loyaltysurvey.ingest.cells.Reading`), indexed
#: by the small integers stored for every cell.
KINDS = ("empty", "number", "between_points", "label", "value_label", "missing_code", "na_token",
         "out_of_range", "unreadable", "answer_code")

#: Share of a column's non-empty cells that may be unreadable before the column is refused.
UNREADABLE_LIMIT = 0.5


@dataclass(frozen=True)
class IngestResult:
    """Clean responses (one row per kept respondent) and the ledger.

    ``responses``: float columns named by item id, answers as given
    (not reversed), NaN for missing; the index holds respondent ids.
    ``demographics``: one text column per demographic found (codes where
    the questionnaire defines coded values; a multi-select demographic's chosen codes joined
    by ``;``, see :func:`split_options`). ``ledger`` accounts for every input
    row and recoded cell; ``rows`` gives, for each kept respondent, the number of the
    data row it came from (1 = the first row after the header, or after the platform's header
    rows). ``metadata``: the survey platform's own columns of the kept respondents by role (same
    index as ``responses``; see :mod:`loyaltysurvey.ingest.metadata`): ``start``, ``end``,
    ``submitdate`` (timestamps), ``duration`` (seconds), ``finished``, ``preview`` (Booleans),
    ``progress`` (0-100), ``lastpage``, ``status``, ``email``, ``ip`` ... only those the export has.

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
    metadata: pd.DataFrame = field(default_factory=pd.DataFrame)

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
            column = self.extra[name]
            if isinstance(column.dtype, pd.CategoricalDtype):  # few distinct texts: held as codes
                texts = np.append(column.cat.categories.to_numpy(dtype=object), None)
                return pd.Series(texts[column.cat.codes.to_numpy()], index=column.index, name=name, dtype=object)
            return column
        return None
    #: Every screened respondent's flags (:class:`~loyaltysurvey.ingest.screening.Screening`),
    #: the excluded ones included.
    screening: Screening | None = None

    @property
    def warnings(self) -> tuple[Notice, ...]:
        """The ledger's notices: things kept but worth a look (unknown demographic codes, straight-liners...).

        Same as ``self.ledger.warnings``.
        """
        return self.ledger.warnings


def _row_key(row: tuple) -> tuple:
    return tuple(None if c is None else (str(c).strip() if isinstance(c, str) else c) for c in row)


def _value_lookup(demo, table: RawTable, header: str) -> dict[str, str]:
    """A demographic's codes and labels (in every language, and the export's value labels) by
    ``compact_key(match_key(text))`` -> code."""
    lookup: dict[str, str] = {}
    for code, label in demo.values.items():
        lookup[compact_key(match_key(code))] = code
        for text in label.all():
            lookup[compact_key(match_key(text))] = code
    for code, label in (table.value_labels.get(header) or {}).items():
        code_text = normalize_code(code)
        if code_text is not None:
            lookup.setdefault(compact_key(match_key(label)), code_text)
    return lookup


def _user_missing_ranges(table: RawTable, header: str) -> tuple[tuple[float, float], ...]:
    """The user-missing ranges an SPSS file declares for the column ``header``: ``(low, high)`` pairs."""
    return tuple((float(spec[1]), float(spec[2])) for spec in table.user_missing.get(header, ()) if spec[0] == "range")


def _in_ranges(cell: Any, ranges: tuple[tuple[float, float], ...]) -> bool:
    """Whether ``cell`` is a number inside one of ``ranges`` (bounds included)."""
    code = normalize_code(cell)
    try:
        number = float(code) if code is not None else None
    except ValueError:
        return False
    return number is not None and any(low <= number <= high for low, high in ranges)


def _demographic_reader(demo, table: RawTable, header: str, missing_codes: tuple = ()):
    missing = {normalize_code(c) for c in missing_codes} | {match_key(str(c)) for c in missing_codes}
    missing |= {compact_key(m) for m in missing if m}
    ranges = _user_missing_ranges(table, header)
    for spec in table.user_missing.get(header, ()):
        if spec[0] == "value":
            missing.add(normalize_code(spec[1]))
    lookup = _value_lookup(demo, table, header)

    def read(cell: Any) -> tuple[str | None, bool, bool, bool]:
        """(value, changed by a label or a missing code, had Persian digits, had Arabic digits)"""
        if cell is None:
            return None, False, False, False
        if normalize_code(cell) in missing or (isinstance(cell, str) and compact_key(match_key(cell)) in missing):
            return None, True, False, False
        if ranges and _in_ranges(cell, ranges):  # an SPSS user-missing range (99 to 99, or 97 to 99)
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


#: The separators tried, in this order, for a multi-select cell when neither the demographic nor
#: the platform names one: ``;`` when the cell holds one, else ``,`` (or the Persian comma ``،``).
_FALLBACK_SPLIT = re.compile("[,\u060c]")


def split_options(text: str, separator: str | None = None) -> list[str]:
    """The options of one multi-select cell, stripped, empty parts dropped.

    ``separator`` is the demographic's (``separator:``) or its platform's
    (:data:`~loyaltysurvey.ingest.platforms.MULTISELECT_SEPARATORS`), matched without its
    surrounding spaces (a separator of spaces only splits at any run of white space). Without
    one the cell is split at ``;`` when it holds one, else at ``,`` and ``،``.

    >>> split_options("SMS;App;"), split_options("SMS, App"), split_options("sms  app", " ")
    (['SMS', 'App'], ['SMS', 'App'], ['sms', 'app'])
    >>> split_options("پیامک، اپلیکیشن", "، ")
    ['پیامک', 'اپلیکیشن']
    """
    if separator is None:
        parts = text.split(";") if ";" in text else _FALLBACK_SPLIT.split(text)
    else:
        sep = separator.strip()
        parts = text.split(sep) if sep else text.split()
    return [p.strip() for p in parts if p.strip()]


def _multiple_reader(demo, table: RawTable, header: str, missing_codes: tuple = ()):
    """The reader of a multi-select demographic's cell: ``(codes joined by ';' or None, changed,
    Persian digits, Arabic digits, unknown options)``.

    Each option is read as a single demographic's answer (codes, labels in any language, missing
    codes); options are deduplicated and put in the order of ``values`` (unknown options after
    them, as written, sorted; without ``values``, all sorted). Neighbouring parts that together
    are one label (a label holding the separator, "Yes, often") are read as that label.
    """
    from ..ingest.platforms import MULTISELECT_SEPARATORS
    single = _demographic_reader(demo, table, header, missing_codes)
    lookup = _value_lookup(demo, table, header)
    separator = demo.separator if demo.separator is not None else MULTISELECT_SEPARATORS.get(table.platform or "")
    order = {code: k for k, code in enumerate(demo.values)}

    def known(text: str) -> bool:
        return compact_key(match_key(text)) in lookup

    def read(cell: Any) -> tuple[str | None, bool, bool, bool, tuple[str, ...]]:
        if cell is None:
            return None, False, False, False, ()
        if not isinstance(cell, str):  # a number: one option
            value, changed, fa, ar = single(cell)
            parts_read = [(value, changed, fa, ar)]
        else:
            whole = single(cell)
            if whole[0] is None and whole[1]:  # the whole cell is a missing code
                return None, True, False, False, ()
            parts = split_options(cell, separator)
            if demo.values and len(parts) > 1:  # rejoin the parts of a label that holds the separator
                joiner = (separator.strip() or " ") if separator is not None else (";" if ";" in cell else ",")
                merged, k = [], 0
                while k < len(parts):
                    end = next((j for j in range(len(parts), k + 1, -1)
                                if known(f"{joiner} ".join(parts[k:j]))), k + 1)
                    merged.append(f"{joiner} ".join(parts[k:end]))
                    k = end
                parts = merged
            parts_read = [single(p) for p in parts]
        codes = {v for v, *_ in parts_read if v is not None}
        changed = any(r[1] for r in parts_read)
        fa = any(r[2] for r in parts_read)
        ar = any(r[3] for r in parts_read)
        if not codes:
            return None, changed, fa, ar, ()
        unknown = tuple(sorted(c for c in codes if c not in order)) if demo.values else ()
        if demo.values:
            ordered = sorted((c for c in codes if c in order), key=order.__getitem__) + list(unknown)
        else:
            ordered = sorted(codes, key=_natural_code)
        return ";".join(ordered), changed, fa, ar, unknown

    return read


def _natural_code(code: str) -> tuple:
    try:
        return (0, float(code), "")
    except ValueError:
        return (1, 0.0, code)


def ingest_table(q: Questionnaire, table: RawTable, screening: ScreeningOptions | None = None) -> IngestResult:
    """Match columns, read every answer, drop duplicates, and account for all of it.

    Columns are found by :func:`~loyaltysurvey.ingest.columns.match_columns`; each answer
    is read by :class:`~loyaltysurvey.ingest.cells.AnswerReader` (digits, labels, missing
    codes, the scale's range). A row with the same respondent id and the same cells as an
    earlier row is dropped as a duplicate (the same id with different answers is kept and
    noted); empty rows and rows with no answer to any item are dropped too; all are listed
    with their reason in ``ledger.excluded``. A column whose cells are
    mostly unreadable, or that is coded one point off the scale, stops ingestion with a
    :class:`~loyaltysurvey.errors.DataError` naming the column. Nothing is changed silently:
    every recoded cell is counted once in ``ledger.recoded_cells``. The respondents left are then
    screened (:func:`~loyaltysurvey.ingest.screening.screen`, with ``screening``'s thresholds):
    every flag is reported under ``ledger.screening``, and the respondents of the flags named in
    ``screening.exclude`` are excluded (reason per flag, :data:`~loyaltysurvey.ingest.screening.REASONS`)
    before the cells of the kept rows are counted. Behaviour tested in tests/test_ingest.py and
    tests/test_screening.py.

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
    if table.header_rows > 1 and table.platform is None:  # a title above the header (readers._header_index)
        skipped = table.header_rows - 1
        notices.append(Notice("title_rows", f"the first {skipped} rows of the sheet, above its header (row "
                              f"{table.header_rows}), were skipped as a title"
                              + (f" ('{table.title[:80]}')" if table.title else ""), "",
                              {"n": skipped, "header_row": table.header_rows, "title": table.title}))
    rows = _screen_rows(table, cmap, notices)
    cells = _read_cells(q, items, table, cmap, rows.numbers)
    _refuse_unreadable_columns(items, table, cmap, rows.numbers, cells)
    _refuse_shifted_columns(items, table, cmap, cells)
    kept_index = _drop_unanswered(cells.values, rows)
    kept_index, metadata, metadata_columns, screened = _screen(q, table, cmap, items, cells.values, rows,
                                                               kept_index, screening or ScreeningOptions(), notices)
    tally = _tally_cells(items, table, cmap, rows, kept_index, cells)

    ids = rows.ids[kept_index]
    responses = pd.DataFrame(cells.values if len(kept_index) == len(cells.values) else cells.values[kept_index],
                             columns=[i.id for i in items], copy=False,
                             index=pd.Index(ids, name=q.respondent_id or "respondent_id", dtype=object))
    kept_numbers = rows.numbers[kept_index]
    demographics = _read_demographics(q, table, cmap, kept_numbers, responses.index, tally.recoded, notices)
    id_column = table.headers[cmap.respondent_id] if cmap.respondent_id is not None else None
    respondent_id = {"column": id_column, "from": cmap.id_source}
    if cmap.id_source == "platform":
        metadata_columns = {"id": id_column, **metadata_columns}

    straightliners = _straightliners(responses, ids, len(items))
    missing_cells = _check_items(items, responses, table, cmap, notices)
    notices.extend(_cell_notices(tally))

    ledger = Ledger(
        source=table.source, input_rows=table.n_rows, respondents=len(kept_index),
        duplicate_rows=sum(1 for e in rows.excluded if e["reason"] == "duplicate"),
        duplicate_ids=tuple(rows.duplicate_ids), recoded_cells=tally.recoded,
        out_of_range=tuple(tally.out_of_range), unreadable=tuple(tally.unreadable),
        between_points=tuple(tally.between_points),
        straightliners=tuple(straightliners), excluded=tuple(rows.excluded),
        columns={i.id: table.headers[cmap.items[i.id]] for i in items},
        option_columns={d: [c.header for c in cols] for d, cols in cmap.option_columns.items()},
        matched_by=dict(cmap.matched_by), missing_cells=missing_cells,
        conflicting_ids=tuple(rows.conflicting), encoding=table.encoding, warnings=tuple(notices),
        platform=({"name": table.platform, "how": "given" if table.platform_given else "detected",
                   "header_rows": table.header_rows}
                  if table.platform else None),
        metadata_columns=metadata_columns, respondent_id=respondent_id,
        screening=screened.to_json())
    if ledger.respondents == 0:
        if screened.excluded:
            raise DataError(f"screening excluded every respondent (--exclude {','.join(screened.options.exclude)}); "
                            "exclude fewer flags or loosen their thresholds", source=table.source)
        raise DataError("no row has any answer to the questionnaire's items", source=table.source)
    metadata.index = responses.index
    return IngestResult(_named_by_export(q, table, cmap), responses, demographics, ledger,
                        tuple(kept_numbers.tolist()), _extra_columns(table, cmap, kept_numbers, responses.index),
                        metadata, screened)


def _named_by_export(q: Questionnaire, table: RawTable, cmap: ColumnMap) -> Questionnaire:
    """``q`` with the export's value labels (an SPSS file's, a platform's answer labels) as the
    ``values`` of each single-answer demographic that the questionnaire gives none: the chapter
    then names its categories "Male" and "North", as SPSS would, not "1" and "4". The answers are
    read as before (codes); user-missing codes and empty labels name nothing.

    >>> from loyaltysurvey.questionnaire import QuestionnaireBuilder
    >>> from loyaltysurvey.ingest import table_from_frame
    >>> q = QuestionnaireBuilder("s").construct("A", "A", ["a1", "a2", "a3"]).demographic("sex", "Sex").build()
    >>> frame = pd.DataFrame({"a1": [1, 2], "a2": [2, 3], "a3": [3, 4], "sex": [1.0, 2.0]})
    >>> table = dataclasses.replace(table_from_frame(frame), value_labels={"sex": {1.0: "Male", 2.0: "Female", 9.0: "?"}},
    ...                             user_missing={"sex": (("value", 9.0),)})
    >>> {code: label.get("en") for code, label in _named_by_export(q, table, match_columns(q, table)).demographics[0].values.items()}
    {'1': 'Male', '2': 'Female'}
    """
    named = []
    for demo in q.demographics:
        col = cmap.demographics.get(demo.id)
        labels = table.value_labels.get(table.headers[col]) if col is not None else None
        if demo.values or demo.multiple or not labels:
            named.append(demo)
            continue
        missing = {normalize_code(spec[1]) for spec in table.user_missing.get(table.headers[col], ())
                   if spec[0] == "value"}
        ranges = _user_missing_ranges(table, table.headers[col])
        values = {}
        for code, label in labels.items():
            key, text = normalize_code(code), str(label).strip() if label is not None else ""
            if (key is not None and key not in missing and not (ranges and _in_ranges(code, ranges)) and text
                    and key not in values):
                values[key] = LocalizedText.of(text)
        named.append(dataclasses.replace(demo, values=values) if values else demo)
    if all(a is b for a, b in zip(named, q.demographics)):
        return q
    return dataclasses.replace(q, demographics=tuple(named))

def _extra_columns(table: RawTable, cmap: ColumnMap, numbers: np.ndarray, index: pd.Index) -> pd.DataFrame:
    """The export's other columns (neither an item nor a demographic) for the kept rows, as stripped text
    (empty cells as missing; a whole number held as a float without ``.0``), so that any of them can split
    respondents into groups (:meth:`IngestResult.column` gives one as text). Each distinct cell is
    converted once; a column of few distinct texts is held as a categorical."""
    used = set(cmap.items.values()) | set(cmap.demographics.values()) | {cmap.respondent_id}
    used |= {c.index for cols in cmap.option_columns.values() for c in cols}
    cols: dict[str, np.ndarray] = {}
    for j, header in enumerate(table.headers):
        if j in used or not isinstance(header, str) or header in cols:
            continue
        column = table.columns[j]
        codes, readings = read_distinct(column if len(numbers) == len(column) else column[numbers - 1], _extra_text)
        readings = np.array(readings, dtype=object)
        if 2 * len(readings) < len(codes):  # few distinct texts: a categorical column, no text per row
            same, texts = pd.factorize(readings, use_na_sentinel=True)
            cols[header] = pd.Categorical.from_codes(same[codes], categories=texts)
        else:
            cols[header] = readings[codes]
    return pd.DataFrame(cols, index=index)


def _extra_text(cell: Any) -> str | None:
    if cell is None:
        return None
    text = cell_text(cell).strip()
    if text.endswith(".0") and text[:-2].lstrip("-").isdigit():
        text = text[:-2]
    return text or None

def _screen(q: Questionnaire, table: RawTable, cmap: ColumnMap, items: tuple[Item, ...], values: np.ndarray,
            rows: "_Rows", kept_index: np.ndarray, options: ScreeningOptions,
            notices: list[Notice]) -> tuple[np.ndarray, pd.DataFrame, dict[str, str], Screening]:
    """Screen the candidate respondents (``kept_index``) and exclude those the options ask to.

    Returns the kept indices, the kept respondents' metadata (by role), the metadata columns used and
    the screening of all candidates;
    the excluded respondents are added to ``rows.excluded`` (in row order) with the reason of their
    first excluding flag and the list of all of them (``flags``)."""
    numbers = rows.numbers[kept_index]
    index = pd.Index(rows.ids[kept_index], name=q.respondent_id or "respondent_id", dtype=object)
    metadata, metadata_columns = metadata_frame(table, numbers, index, notices=notices)
    attention = read_attention(q, table, cmap, numbers, index)
    kept = values if len(kept_index) == len(values) else values[kept_index]  # no copy when every row is kept
    answers = pd.DataFrame(kept, columns=[i.id for i in items], index=index, copy=False)
    screened = screen(answers, metadata, attention, q.attention, numbers, options)
    drop = screened.table["excluded"].to_numpy(dtype=bool)
    if not drop.any():
        return kept_index, metadata, metadata_columns, screened
    for r in np.flatnonzero(drop):
        flags = screened.reasons_at(int(r))
        rows.excluded.append({"row": int(numbers[r]), "respondent_id": index[r], "reason": REASONS[flags[0]],
                              "flags": flags})
    rows.excluded.sort(key=lambda e: e["row"])
    return kept_index[~drop], metadata[~drop], metadata_columns, screened


@dataclass
class _Rows:
    """The rows that go on to be read, and what became of the others.

    ``numbers`` holds the data-row numbers (1 = first row after the header) of the candidate rows
    and ``ids`` their respondent ids; ``excluded`` the dropped rows with their reason, in row order
    once :func:`_drop_unanswered` has run.
    """

    numbers: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    ids: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=object))
    excluded: list[dict[str, Any]] = field(default_factory=list)
    duplicate_ids: list[str] = field(default_factory=list)
    conflicting: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Cells:
    """Every item cell of the candidate rows: its value (``values[r, j]``) and, column by column, the
    index of its distinct cell (``codes[j][r]``) into that column's readings: the kind of reading
    (an index into :data:`KINDS`), the number written and the digit scripts seen. Whatever is
    counted over cells is counted over distinct cells, weighted by how often each occurs."""

    values: np.ndarray
    codes: tuple[np.ndarray, ...]
    kinds: tuple[np.ndarray, ...]
    numbers: tuple[np.ndarray, ...]
    digits: tuple[np.ndarray, ...]
    #: How many candidate rows hold each distinct cell, column by column.
    times: tuple[np.ndarray, ...]

    def counts(self, j: int, rows: np.ndarray | None = None) -> np.ndarray:
        """How many cells of column ``j`` (of the candidate rows at ``rows``, default all) hold each
        distinct cell."""
        if rows is None:
            return self.times[j]
        return np.bincount(self.codes[j][rows], minlength=len(self.kinds[j]))


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
        if demo.id not in cmap.demographics and demo.id not in cmap.option_columns:
            notices.append(Notice("demographic_not_found",
                                  f"no column for demographic '{demo.id}'; it is left out of the report", demo.id,
                                  {"demographic": demo.id}))
    return notices


def _screen_rows(table: RawTable, cmap: ColumnMap, notices: list[Notice]) -> _Rows:
    """Set aside empty rows and exact duplicates, name rows without an id, and note conflicting ids.

    Column by column: only rows that share an id are compared cell by cell."""
    rows = _Rows()
    n = table.n_rows
    numbers = np.arange(1, n + 1)
    present = np.zeros(n, dtype=bool)
    for column in table.columns:
        present |= ~is_empty(column)
    for number in numbers[~present]:
        rows.excluded.append({"row": int(number), "respondent_id": None, "reason": "empty row"})
    if cmap.respondent_id is None:
        ids = np.array([f"row{k}" for k in numbers], dtype=object)
        keep = present
    else:
        column = table.columns[cmap.respondent_id]
        same_id = None
        if getattr(column, "arrow", None) is not None:  # Arrow's distinct texts, read by its kernels as they are
            codes = np.where(column.codes < 0, len(column.values), column.codes)
            if _plain_texts(column.arrow):  # already normalised, and distinct: one id each
                distinct_ids = np.append(column.values, None)
                same_id = np.arange(len(distinct_ids))
                same_id[-1] = -1  # the empty cell: no id
            else:
                distinct_ids = np.append(_normalize_ids(column.arrow), None)
        else:
            codes, readings = distinct_cells(column)
            distinct_ids = _normalize_ids(readings)
        # the rows' ids as codes: two rows share an id when their normalised ids are equal
        if same_id is None:
            same_id = _text_codes(distinct_ids)
        id_code = same_id[codes]
        ids = distinct_ids[codes]
        no_id = present & (id_code < 0)
        for number in numbers[no_id]:
            rid = f"row{number}"
            ids[number - 1] = rid
            notices.append(Notice("missing_respondent_id", f"row {number} has no respondent id; "
                                  f"it is called '{rid}' in the results", rid, {"row": int(number)}))
        with_id = present & ~no_id
        times = np.bincount(id_code[with_id], minlength=len(distinct_ids))
        shared = with_id & (times[np.where(with_id, id_code, 0)] > 1)
        keep = present.copy()
        first_by_id: dict[str, tuple[int, tuple]] = {}
        for number in numbers[shared]:
            rid = ids[number - 1]
            key = _row_key(tuple(column[number - 1] for column in table.columns))
            if rid in first_by_id:
                first_row, first_key = first_by_id[rid]
                if key == first_key:
                    rows.excluded.append({"row": int(number), "respondent_id": rid, "reason": "duplicate",
                                          "duplicate_of_row": first_row})
                    if rid not in rows.duplicate_ids:
                        rows.duplicate_ids.append(rid)
                    keep[number - 1] = False
                    continue
                if rid not in rows.conflicting:
                    rows.conflicting.append(rid)
            else:
                first_by_id[rid] = (int(number), key)
    rows.numbers = numbers[keep]
    rows.ids = ids[keep]
    for rid in rows.conflicting:
        notices.append(Notice("conflicting_id", f"respondent id '{rid}' appears on rows with different "
                              "answers; all of them are kept; check the export", rid, {"id": rid}))
    return rows


def _plain_texts(texts: Any) -> bool:
    """Whether every text of an Arrow string array is its own normalised id (ASCII, not blank, no
    surrounding blanks), so that normalising changes nothing.

    >>> import pyarrow as pa
    >>> _plain_texts(pa.array(["R1", "R2"])), _plain_texts(pa.array(["R1", " R2"])), _plain_texts(pa.array(["۱"]))
    (True, False, False)
    """
    import pyarrow.compute as pc
    if len(texts) == 0:
        return True
    length = pc.binary_length(texts)
    return bool(pc.all(pc.string_is_ascii(texts)).as_py() and pc.min(length).as_py() > 0
                and pc.all(pc.equal(pc.binary_length(pc.utf8_trim_whitespace(texts)), length)).as_py())


def _text_codes(texts: np.ndarray) -> np.ndarray:
    """A code per text (equal texts, equal codes; ``-1`` for ``None``), by Arrow's compiled hash table
    (pandas' takes three times as long on a million distinct ids).

    >>> _text_codes(np.array(["a", None, "b", "a"], dtype=object)).tolist()
    [0, -1, 1, 0]
    """
    import pyarrow as pa
    import pyarrow.compute as pc
    encoded = pc.dictionary_encode(pa.array(texts, type=pa.string(), from_pandas=False)).indices
    return pc.fill_null(encoded, -1).to_numpy(zero_copy_only=False).astype(np.int64)


def _normalize_ids(values: "list | np.ndarray | pyarrow.StringArray") -> np.ndarray:
    """:func:`~loyaltysurvey.ingest.cells.normalize_id` of every value, as an object array; text ids (all
    distinct, a million of them in a large export) trimmed and checked by Arrow's compiled string
    kernels, only those with non-ASCII characters (Persian digits) read one by one."""
    import pyarrow as pa
    import pyarrow.compute as pc
    out = np.empty(len(values), dtype=object)
    try:  # only texts and empty cells (what a CSV holds): all of them at once
        texts = values if isinstance(values, pa.Array) else pa.array(values, type=pa.string(), from_pandas=False)
        where = None
    except (pa.ArrowTypeError, pa.ArrowInvalid, TypeError):
        text = np.fromiter((type(v) is str for v in values), dtype=bool, count=len(values))
        where = np.flatnonzero(text)
        texts = pa.array([values[k] for k in where], type=pa.string())
    if len(texts):
        trimmed = pc.utf8_trim_whitespace(texts)
        ids = trimmed.to_numpy(zero_copy_only=False)
        ids = ids if ids.dtype == object else ids.astype(object)
        for k in np.flatnonzero(~pc.string_is_ascii(trimmed).fill_null(True).to_numpy(zero_copy_only=False)):
            ids[k] = to_ascii_digits(ids[k].strip())[0]  # Persian or Arabic digits
        ids[pc.equal(pc.utf8_length(trimmed), 0).fill_null(False).to_numpy(zero_copy_only=False)] = None
        if where is None:
            return ids
        out[where] = ids
    if where is not None:
        for k in np.setdiff1d(np.arange(len(values)), where):
            out[k] = normalize_id(values[k])
    return out


def _read_cells(q: Questionnaire, items: tuple[Item, ...], table: RawTable, cmap: ColumnMap,
                numbers: np.ndarray) -> _Cells:
    """Read every item cell of the candidate rows (``numbers``) on its item's scale.

    A reading depends on the cell alone, so each distinct cell of a column is read once and its
    reading spread over the column."""
    n_rows = len(numbers)
    shape = (n_rows, len(items))  # column-major: each item's column is written and scanned in one block
    values = np.empty(shape, order="F")
    codes_all = []
    kinds, written, digits, times = [], [], [], []
    for j, item in enumerate(items):
        header = table.headers[cmap.items[item.id]]
        reader = AnswerReader(item.scale.min, item.scale.max, item.scale.label_lookup(),
                              q.missing_codes, table.user_missing.get(header, ()),
                              _value_label_points(item, table.value_labels.get(header)),
                              dict(table.answer_codes.get(header) or {}))
        column = table.columns[cmap.items[item.id]]
        # numbers are ascending row numbers: as many as the column's cells means every row
        codes, readings = read_distinct(column if n_rows == len(column) else column[numbers - 1], reader.read)
        codes_all.append(codes)
        np.take(np.array([r.value for r in readings], dtype=float), codes, out=values[:, j], mode="clip")  # unbuffered
        kinds.append(np.array([KINDS.index(r.kind) for r in readings], dtype=np.int8))
        written.append(np.array([r.number for r in readings], dtype=float))
        digits.append(np.array([(r.persian_digits, r.arabic_digits) for r in readings], dtype=bool).reshape(-1, 2))
        times.append(np.bincount(codes, minlength=len(readings)))
    return _Cells(values, tuple(codes_all), tuple(kinds), tuple(written), tuple(digits), tuple(times))


def _kind(*names: str) -> tuple[int, ...]:
    return tuple(KINDS.index(n) for n in names)


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


def _refuse_shifted_columns(items: tuple[Item, ...], table: RawTable, cmap: ColumnMap, cells: _Cells) -> None:
    """Refuse a column whose numbers all sit one point off the item's scale (0-4 on a 1-5 scale):
    reading it would drop one end as out of range and keep every other answer a point off."""
    numeric = _kind("number", "out_of_range", "between_points")
    for j, item in enumerate(items):
        counts = cells.counts(j)
        present = np.isin(cells.kinds[j], numeric) & (counts > 0)
        written, times = cells.numbers[j][present], counts[present]  # each number written, and how often
        size = int(times.sum())
        if size < 10:
            continue
        lo, hi = item.scale.min, item.scale.max
        for shift in (-1, 1):
            inside = (written >= lo + shift) & (written <= hi + shift)
            outside = int(times[written == (lo - 1 if shift < 0 else hi + 1)].sum())
            if inside.all() and outside >= 0.02 * size and outside >= 3:
                header = table.headers[cmap.items[item.id]]
                raise DataError(
                    f"the answers to item {item.id} run from {written.min():g} to {written.max():g} on its "
                    f"{lo}-{hi} scale ({outside} answers of {lo - 1 if shift < 0 else hi + 1}): the export codes "
                    f"the scale one point {'low' if shift < 0 else 'high'}; recode the column, or give the "
                    f"questionnaire's scale as {lo + shift}-{hi + shift}", source=table.source, column=header)


def _refuse_unreadable_columns(items: tuple[Item, ...], table: RawTable, cmap: ColumnMap,
                               numbers: np.ndarray, cells: _Cells) -> None:
    """Refuse a column that is mostly unreadable: the mapping or the labels must be wrong."""
    empty, unreadable = _kind("empty", "unreadable")
    for j, item in enumerate(items):
        counts = cells.counts(j)
        filled = int(counts[cells.kinds[j] != empty].sum())
        bad = int(counts[cells.kinds[j] == unreadable].sum())
        header = table.headers[cmap.items[item.id]]
        if filled and bad >= 3 and bad / filled > UNREADABLE_LIMIT:
            number = int(numbers[np.argmax(cells.kinds[j][cells.codes[j]] == unreadable)])
            cell = table.cell(number, cmap.items[item.id])
            raise DataError(f"{bad} of {filled} answers to item {item.id} are neither numbers on the "
                            f"{item.scale.min}-{item.scale.max} scale nor scale labels (first: row {number}, "
                            f"'{cell_text(cell)[:40]}'); check that the column belongs to this item, or add the "
                            "labels to the questionnaire's scale", source=table.source, column=header)


def _drop_unanswered(values: np.ndarray, rows: _Rows) -> np.ndarray:
    """Exclude the rows without a single answered item; return the indices of the kept candidates."""
    keep = (~np.isnan(values)).any(axis=1)
    for r in np.flatnonzero(~keep):
        rows.excluded.append({"row": int(rows.numbers[r]), "respondent_id": rows.ids[r],
                              "reason": "no item answered"})
    rows.excluded.sort(key=lambda e: e["row"])
    return np.flatnonzero(keep)


def _tally_cells(items: tuple[Item, ...], table: RawTable, cmap: ColumnMap, rows: _Rows,
                 kept_index: np.ndarray, cells: _Cells) -> _Tally:
    """Count the recoded item cells of the kept rows and list those out of range or unreadable
    (row by row, as the rows are read)."""
    every_row = len(kept_index) == len(cells.values)
    recode = np.zeros(len(KINDS), dtype=bool)
    recode[list(_kind(*_RECODE_KINDS))] = True
    by_kind = np.zeros(len(KINDS), dtype=np.int64)
    counts: dict[str, int] = {"persian_digits": 0, "arabic_digits": 0}
    lists: dict[str, list] = {"out_of_range": [], "unreadable": [], "between_points": []}
    flagged_kinds = np.zeros(len(KINDS), dtype=bool)
    flagged_kinds[list(_kind(*lists))] = True
    at_rows, at_items = [], []
    for j in range(len(items)):
        kinds, digits = cells.kinds[j], cells.digits[j]
        times = cells.counts(j, None if every_row else kept_index)
        by_kind += np.bincount(kinds, weights=times, minlength=len(KINDS)).astype(np.int64)
        kept_as_written = ~recode[kinds]  # each changed cell counts once, under what changed it
        counts["persian_digits"] += int(times[digits[:, 0] & kept_as_written].sum())
        counts["arabic_digits"] += int(times[digits[:, 1] & ~digits[:, 0] & kept_as_written].sum())
        flagged = flagged_kinds[kinds] & (times > 0)
        if flagged.any():
            codes = cells.codes[j] if every_row else cells.codes[j][kept_index]
            r = np.flatnonzero(flagged[codes])
            at_rows.append(r)
            at_items.append(np.full(len(r), j))
    for kind, category in _RECODE_KINDS.items():
        counts[category] = int(by_kind[KINDS.index(kind)])
    first_number: dict[str, float] = {}
    if at_rows:
        r_all, j_all = np.concatenate(at_rows), np.concatenate(at_items)
        order = np.lexsort((j_all, r_all))
        for r, j in zip(r_all[order].tolist(), j_all[order].tolist()):
            code = cells.codes[j][kept_index[r]]
            kind = KINDS[cells.kinds[j][code]]
            number = int(rows.numbers[kept_index[r]])
            lists[kind].append({"respondent_id": rows.ids[kept_index[r]], "item": items[j].id,
                                "value": cell_text(table.cell(number, cmap.items[items[j].id])), "row": number})
            first_number.setdefault(kind, float(cells.numbers[j][code]))
    recoded = {k: counts[k] for k in ("persian_digits", "arabic_digits", "text_labels", "missing_codes", "na_tokens")}
    for extra in ("value_labels", "answer_codes"):
        if counts.get(extra):
            recoded[extra] = counts[extra]
    return _Tally(recoded, lists["out_of_range"], lists["unreadable"], lists["between_points"], first_number)


def _read_demographics(q: Questionnaire, table: RawTable, cmap: ColumnMap, numbers: np.ndarray,
                       index: pd.Index, recoded: dict[str, int], notices: list[Notice]) -> pd.DataFrame:
    """Read the demographics of the kept rows as codes or text, adding their recodings to ``recoded``."""
    demo_cols: dict[str, np.ndarray] = {}
    demographic_labels = 0
    for demo in q.demographics:
        if demo.id in cmap.option_columns:
            demo_cols[demo.id], changed = _read_option_columns(demo, table, cmap.option_columns[demo.id],
                                                               q.missing_codes, numbers, notices)
            demographic_labels += changed
            continue
        if demo.id not in cmap.demographics:
            continue
        col = cmap.demographics[demo.id]
        if demo.multiple:
            demo_cols[demo.id], changed = _read_multiple(demo, table, col, q.missing_codes, numbers, recoded,
                                                         notices)
            demographic_labels += changed
            continue
        read = _demographic_reader(demo, table, table.headers[col], q.missing_codes)
        codes, readings = read_distinct(table.columns[col][numbers - 1], read)
        value = np.array([r[0] for r in readings], dtype=object)
        changed, fa, ar = (np.array([r[k] for r in readings], dtype=bool)[codes] for k in (1, 2, 3))
        coded_missing = changed & np.array([r[0] is None for r in readings], dtype=bool)[codes]
        demographic_labels += int((changed & ~coded_missing).sum())
        recoded["missing_codes"] += int(coded_missing.sum())
        recoded["persian_digits"] += int((fa & ~changed).sum())
        recoded["arabic_digits"] += int((ar & ~changed & ~fa).sum())
        out = value[codes]
        if demo.values:
            odd = np.array([v is not None and v not in demo.values for v in value], dtype=bool)[codes]
            if odd.any():
                first = int(np.argmax(odd))
                notices.append(Notice("unknown_demographic_code",
                                      f"{int(odd.sum())} answers to demographic '{demo.id}' are none of its coded "
                                      f"values (first: row {numbers[first]}, '{out[first][:40]}'); they are "
                                      "tabulated as written: add them to its values or correct the export", demo.id,
                                      {"n": int(odd.sum()), "demographic": demo.id, "row": int(numbers[first]),
                                       "value": str(out[first])[:40]}))
                _note_joined_options(demo, table, read, value, codes, odd, numbers, notices)
        demo_cols[demo.id] = out
    if demographic_labels:
        recoded["demographic_labels"] = demographic_labels
    return pd.DataFrame(demo_cols, index=index, dtype=object)


def _note_joined_options(demo, table: RawTable, read, value: np.ndarray, codes: np.ndarray, odd: np.ndarray,
                         numbers: np.ndarray, notices: list[Notice]) -> None:
    """Note a single-answer demographic whose unknown answers are mostly several of its own options
    joined as the platform joins a checkbox answer ("SMS, App"): it was probably a multi-select question."""
    from .platforms import MULTISELECT_SEPARATORS
    separator = MULTISELECT_SEPARATORS.get(table.platform or "")
    joined = np.zeros(len(value), dtype=bool)
    for k, text in enumerate(value):
        if text is None or text in demo.values:
            continue
        parts = split_options(str(text), separator)
        joined[k] = len(parts) > 1 and all(read(part)[0] in demo.values for part in parts)
    rows = joined[codes]
    if rows.sum() * 2 < odd.sum() or not rows.any():
        return
    first = int(np.argmax(rows))
    notices.append(Notice("demographic_looks_multiple",
                          f"{int(rows.sum())} answers to demographic '{demo.id}' join several of its options (first: "
                          f"row {numbers[first]}, '{str(value[codes[first]])[:40]}'): if respondents could choose "
                          "more than one, declare it 'multiple: true' in the questionnaire", demo.id,
                          {"n": int(rows.sum()), "demographic": demo.id, "row": int(numbers[first]),
                           "value": str(value[codes[first]])[:40]}))


def _read_multiple(demo, table: RawTable, col: int, missing_codes: tuple, numbers: np.ndarray,
                   recoded: dict[str, int], notices: list[Notice]) -> tuple[np.ndarray, int]:
    """A multi-select demographic's cells of the kept rows as codes joined by ``;`` (see
    :func:`_multiple_reader`), read once per distinct cell; returns them and the number of cells
    changed by a label (missing codes are counted under ``missing_codes``). Cells holding an option that is none of the coded
    ``values`` are noticed (``unknown_demographic_option``) and keep the option as written."""
    read = _multiple_reader(demo, table, table.headers[col], missing_codes)
    codes, readings = read_distinct(table.columns[col][numbers - 1], read)
    value = np.array([r[0] for r in readings], dtype=object)
    changed, fa, ar = (np.array([r[k] for r in readings], dtype=bool)[codes] for k in (1, 2, 3))
    coded_missing = changed & np.array([r[0] is None for r in readings], dtype=bool)[codes]
    recoded["missing_codes"] += int(coded_missing.sum())
    recoded["persian_digits"] += int((fa & ~changed).sum())
    recoded["arabic_digits"] += int((ar & ~changed & ~fa).sum())
    changed &= ~coded_missing
    if demo.values:
        odd = np.array([bool(r[4]) for r in readings], dtype=bool)[codes]
        if odd.any():
            first = int(np.argmax(odd))
            notices.append(_unknown_option(demo, int(odd.sum()), int(numbers[first]), readings[codes[first]][4][0]))
    return value[codes], int(changed.sum())


def _unknown_option(demo, n: int, row: int, option: str) -> Notice:
    """The notice of ``n`` answers to a multi-select demographic holding an option none of its coded values."""
    return Notice("unknown_demographic_option",
                  f"{n} answers to multi-select demographic '{demo.id}' hold an option that is none of its coded "
                  f"values (first: row {row}, '{option[:40]}'); it is tabulated as written: add it to its values "
                  "or correct the export", demo.id,
                  {"n": n, "demographic": demo.id, "row": row, "value": option[:40]})


def _option_reader(demo, table: RawTable, column, missing_codes: tuple):
    """The reader of one option column's cell (a question exported one column per option):
    ``(option or None, identified by a label)``.

    A cell is a choice when it is not empty, not a "not chosen" mark
    (:data:`~loyaltysurvey.ingest.platforms.NOT_CHOSEN`: ``0``, ``N``, ``No``, ``false``, «خیر») and
    not a missing code. The option is the column's: its code in the header (``SQ001``, ``1``,
    ``sms``), else its text (second header row, ``[SMS]``, the choice text), read as one of the
    demographic's ``values`` (a code, a LimeSurvey subquestion code ``SQ001`` for the code ``1``, or a
    label in any language); when neither is one of them, the cell's own text read so (SurveyMonkey
    writes the option), else the column's text (or code, or header) as written: an unknown option."""
    from .platforms import CHOSEN, NOT_CHOSEN
    # the demographic's codes and labels only: the column's own value labels (1 = "Yes") name no option
    lookup = _value_lookup(demo, dataclasses.replace(table, value_labels={}), column.header)
    missing = {normalize_code(c) for c in missing_codes} - {None}

    def resolve(text: str | None) -> tuple[str, bool] | None:
        if not text or not demo.values:
            return None
        plain = to_ascii_digits(str(text).strip())[0]
        code = normalize_code(plain)
        if code in demo.values:
            return code, False
        sub = re.fullmatch(r"(?i)sq0*(\d+)", plain)
        if sub and sub.group(1) in demo.values:  # LimeSurvey's subquestion code of the value code
            return sub.group(1), False
        found = lookup.get(compact_key(match_key(plain)))
        return (found, True) if found is not None else None

    own = resolve(column.code) or resolve(column.text)
    written = column.text or column.code or column.header

    def read(cell: Any) -> tuple[str | None, bool]:
        if cell is None:
            return None, False
        text = to_ascii_digits(cell_text(cell).strip())[0]
        key = match_key(text)
        if not text or key in NOT_CHOSEN or normalize_code(text) in missing:
            return None, False
        if own is not None:
            return own
        if key in CHOSEN:
            return written, False
        found = resolve(text)
        if found is not None:
            return found
        return written, False

    return read


def _read_option_columns(demo, table: RawTable, columns, missing_codes: tuple, numbers: np.ndarray,
                         notices: list[Notice]) -> tuple[np.ndarray, int]:
    """A multi-select demographic exported one column per option, read into the same ``code;code``
    cells as a joined column (see :func:`_option_reader`); a respondent who chose no option is
    missing. Returns the cells of the kept rows and the number of respondents with an option
    identified by a label (counted once each under ``demographic_labels``). Options none of the
    coded ``values`` are noticed as ``unknown_demographic_option``."""
    options: list[str] = []
    index: dict[str, int] = {}
    chosen = np.full((len(numbers), len(columns)), -1, dtype=np.int64)
    by_label = np.zeros(len(numbers), dtype=bool)
    for k, column in enumerate(columns):
        read = _option_reader(demo, table, column, missing_codes)
        codes, readings = read_distinct(table.columns[column.index][numbers - 1], read)
        ids = np.array([-1 if r[0] is None else index.setdefault(r[0], len(index)) for r in readings],
                       dtype=np.int64)
        options = list(index)
        chosen[:, k] = ids[codes]
        by_label |= np.array([bool(r[1]) for r in readings], dtype=bool)[codes]
    order = {code: k for k, code in enumerate(demo.values)}
    combos, inverse = np.unique(chosen, axis=0, return_inverse=True) if len(numbers) else (chosen, np.zeros(0, int))
    texts, unknown = [], []
    for combo in combos:
        picked = {options[i] for i in combo if i >= 0}
        odd = sorted(c for c in picked if c not in order) if demo.values else []
        if demo.values:
            ordered = sorted((c for c in picked if c in order), key=order.__getitem__) + odd
        else:
            ordered = sorted(picked, key=_natural_code)
        texts.append(";".join(ordered) or None)
        unknown.append(odd)
    value = np.array(texts, dtype=object)[inverse.reshape(-1)] if len(numbers) else np.array([], dtype=object)
    odd_rows = np.array([bool(u) for u in unknown], dtype=bool)[inverse.reshape(-1)] if len(numbers) else by_label
    if odd_rows.any():
        first = int(np.argmax(odd_rows))
        notices.append(_unknown_option(demo, int(odd_rows.sum()), int(numbers[first]),
                                       unknown[int(inverse.reshape(-1)[first])][0]))
    answered = np.array([t is not None for t in value], dtype=bool)
    return value, int((by_label & answered).sum())


def _straightliners(responses: pd.DataFrame, ids: np.ndarray, n_items: int) -> list[str]:
    """The straight-liners: one answer to every item they answered, at least min(5, items) of them (needs 3 items)."""
    if n_items < 3 or responses.empty:
        return []
    answers = responses.to_numpy(dtype=float)
    low, high = np.fmin.reduce(answers, axis=1), np.fmax.reduce(answers, axis=1)  # NaN skipped
    same = ((~np.isnan(answers)).sum(axis=1) >= min(5, n_items)) & (low == high)
    return [ids[r] for r in np.flatnonzero(same)]


def _check_items(items: tuple[Item, ...], responses: pd.DataFrame, table: RawTable, cmap: ColumnMap,
                 notices: list[Notice]) -> dict[str, int]:
    """Refuse an item with no valid answer, note constant and mostly missing items; return missing counts."""
    values = responses.to_numpy(dtype=float)
    answered = (~np.isnan(values)).sum(axis=0)
    low = np.fmin.reduce(values, axis=0, initial=np.inf)  # NaN skipped
    high = np.fmax.reduce(values, axis=0, initial=-np.inf)
    n = len(values)
    missing_cells = {item.id: int(n - answered[j]) for j, item in enumerate(items)}
    for j, item in enumerate(items):
        header = table.headers[cmap.items[item.id]]
        if answered[j] == 0:
            raise DataError(f"item {item.id} has no valid answer in any kept row; check the column or "
                            "remove the item from the questionnaire", source=table.source, column=header)
        if low[j] == high[j]:
            notices.append(Notice("zero_variance", f"every respondent gave item {item.id} the same answer "
                                  f"({low[j]:g}); it carries no information and its "
                                  "correlations are undefined: consider removing it", item.id,
                                  {"item": item.id, "value": float(low[j])}))
        elif answered[j] < 0.5 * n:
            notices.append(Notice("mostly_missing", f"item {item.id} is missing for "
                                  f"{missing_cells[item.id]} of {n} respondents", item.id,
                                  {"item": item.id, "missing": missing_cells[item.id], "n": n}))
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
