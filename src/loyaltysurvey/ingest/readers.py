"""Reading response exports into a raw table of cells, with nothing changed.

Supported: ``.csv`` (and ``.txt``/``.tsv``; UTF-8, UTF-8 with BOM, or
Windows-1256; comma, semicolon, tab or pipe delimited), ``.xlsx`` (first sheet
or a named one) and SPSS ``.sav`` (through pyreadstat, with variable labels,
value labels and user-defined missing values). Every reader returns a
:class:`RawTable` whose cells are exactly what the file holds: text, numbers
or ``None``. Interpreting the cells is :mod:`loyaltysurvey.ingest.clean`'s job.
"""

from __future__ import annotations

import csv
import io
import math
import os
import re
import zipfile
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from ..errors import DataError
from ..files import check_regular_file
from .distinct import CodedColumn, distinct_cells

__all__ = ["table_from_frame", "RawTable", "read_table"]


@dataclass(frozen=True, eq=False)
class RawTable:
    """An export as read: headers, columns of raw cells, and what the file says about columns.

    ``columns[j]`` holds the cells under ``headers[j]``, one per data row (row ``i + 1`` of the
    file's data is element ``i``; the header is not counted): a numpy object array, or a
    :class:`~loyaltysurvey.ingest.distinct.CodedColumn` (distinct cells and an index per row) from
    the compiled readers. Cells are text, numbers or ``None`` (empty); ``cell(row, column)`` gives
    one, and ``rows`` the same cells row by row.
    ``labels`` maps a header to its variable label (SPSS); ``value_labels``
    maps a header to ``{code: label}``; ``user_missing`` maps a header to
    the SPSS user-missing values and ranges of that column.
    ``encoding`` is the text encoding a CSV was decoded with. What the survey platform layer
    (:mod:`loyaltysurvey.ingest.platforms`) found: ``platform`` (its name, ``None`` when the export
    is read as a plain table) and ``platform_given`` (named by the user rather than detected),
    ``metadata`` (role such as ``id``, ``start``, ``duration`` -> header), ``groups`` (header ->
    the grid or matrix title it belongs to) and ``answer_codes`` (header -> {answer code ->
    position on the scale, 1 = the first point}).

    >>> import pandas as pd
    >>> t = table_from_frame(pd.DataFrame({"id": ["a", "b"], "Q1": [1, None]}))
    >>> t.headers, t.rows, t.n_rows
    (('id', 'Q1'), (('a', 1.0), ('b', None)), 2)
    """

    source: str
    headers: tuple[str, ...]
    columns: tuple[np.ndarray | CodedColumn, ...]
    encoding: str | None = None
    labels: Mapping[str, str] = field(default_factory=dict)
    value_labels: Mapping[str, Mapping[Any, str]] = field(default_factory=dict)
    user_missing: Mapping[str, tuple] = field(default_factory=dict)
    platform: str | None = None
    platform_given: bool = False
    metadata: Mapping[str, str] = field(default_factory=dict)
    groups: Mapping[str, str] = field(default_factory=dict)
    answer_codes: Mapping[str, Mapping[str, int]] = field(default_factory=dict)
    #: Rows of the file above the data (1: the header; Qualtrics' three header rows give 3), so that
    #: data row ``r`` is line ``r + header_rows`` of the file.
    header_rows: int = 1
    #: The text of the rows skipped above the header of an Excel sheet (a title; see
    #: :func:`_header_index`), kept so that ingestion can report what it left out.
    title: str = ""

    @classmethod
    def from_rows(cls, source: str, headers: Sequence[str], rows: Sequence[Sequence[Any]],
                  **kwargs: Any) -> "RawTable":
        """A table from rows of cells, each as long as ``headers``."""
        width = len(headers)
        block = np.empty((len(rows), width), dtype=object)
        if rows:
            block[:] = [list(r) for r in rows] if width else block
        return cls(source, tuple(headers), tuple(block[:, j].copy() for j in range(width)), **kwargs)

    @property
    def n_rows(self) -> int:
        """The number of data rows."""
        return len(self.columns[0]) if self.columns else 0

    @cached_property
    def rows(self) -> tuple[tuple[Any, ...], ...]:
        """The cells row by row (``rows[i]`` is data row ``i + 1``); built on first use."""
        return tuple(zip(*self.columns)) if self.columns else ()

    def cell(self, number: int, column: int) -> Any:
        """The cell of data row ``number`` (1 = the first row after the header) in column ``column``."""
        return self.columns[column][number - 1]


def read_table(path: str | os.PathLike, *, sheet: str | None = None,
               encoding: str | None = None) -> RawTable:
    """Read a response file by its extension. Raises :class:`DataError` on any problem.

    ``.csv``/``.txt``/``.tsv`` (the encoding and delimiter are detected unless ``encoding`` is
    given), ``.xlsx``/``.xlsm`` (the first sheet unless ``sheet`` names one) and
    ``.sav``/``.zsav`` (SPSS, with its variable labels, value labels and user-missing values).
    The file must be a regular file below :data:`MAX_FILE_BYTES`; an empty file or one with
    no data rows is refused. Cells are returned as read, nothing is interpreted here.

    >>> import tempfile, pathlib
    >>> with tempfile.TemporaryDirectory() as d:
    ...     path = pathlib.Path(d, "answers.csv")
    ...     _ = path.write_text(chr(10).join(["id,Q1,Q2", "r1,4,5", "r2,3,"]), encoding="utf-8")
    ...     t = read_table(path)
    >>> t.headers, len(t.rows)
    (('id', 'Q1', 'Q2'), 2)
    """
    path = Path(path)
    source = str(path)
    _check_regular_file(path, source)
    suffix = path.suffix.lower()
    if suffix in (".csv", ".txt", ".tsv"):
        table = _read_csv(path, encoding)
    elif suffix in (".xlsx", ".xlsm"):
        table = _read_xlsx(path, sheet)
    elif suffix in (".sav", ".zsav"):
        table = _read_sav(path)
    elif suffix == ".xls":
        raise DataError("old Excel .xls files are not supported; save the sheet as .xlsx or .csv", source=source)
    else:
        raise DataError(f"unknown file type '{suffix or '(none)'}'; give a .csv, .xlsx or .sav file", source=source)
    if not table.headers or not table.n_rows:
        hint = other_sheets_hint(path, sheet) if suffix in (".xlsx", ".xlsm") else ""
        if not table.headers:
            raise DataError(f"is empty: no header row and no data{hint}", source=source)
        raise DataError(f"has a header row but no data rows{hint}", source=source)
    return table


def other_sheets_hint(path: Path, sheet: str | None) -> str:
    """'; the sheets ... hold data: give --sheet NAME' when other sheets of the workbook have rows."""
    from python_calamine import CalamineWorkbook, SheetTypeEnum
    try:
        book = CalamineWorkbook.from_path(str(path))
    except Exception:  # noqa: BLE001 - only a hint; the workbook opened a moment ago
        return ""
    try:
        names = [m.name for m in book.sheets_metadata if m.typ == SheetTypeEnum.WorkSheet]
        current = sheet or (names[0] if names else None)
        filled = [n for n in names if n != current and len(book.get_sheet_by_name(n).to_python(nrows=2)) > 1]
    except Exception:  # noqa: BLE001 - only a hint
        return ""
    finally:
        book.close()
    if not filled:
        return ""
    return f"; the sheet{'s' if len(filled) > 1 else ''} {', '.join(repr(n) for n in filled)} " \
           f"{'hold' if len(filled) > 1 else 'holds'} data: give --sheet {filled[0]!r}"


def table_from_frame(frame: pd.DataFrame, source: str = "<DataFrame>") -> RawTable:
    """A pandas DataFrame as a :class:`RawTable` (one row per respondent, the columns as headers).

    Cells are kept as they are (numbers, text); NaN and None become empty cells. Nothing is read
    from or written to disk.

    >>> import pandas as pd
    >>> t = table_from_frame(pd.DataFrame({"Q1": [1, 2], "Q2": ["agree", None]}))
    >>> t.source, t.rows
    ('<DataFrame>', ((1, 'agree'), (2, None)))
    """
    if not isinstance(frame, pd.DataFrame):
        raise DataError(f"data must be a file path or a pandas DataFrame, not {type(frame).__name__}", source=source)
    headers = tuple("" if c is None else str(c) for c in frame.columns)
    if not headers:
        raise DataError("is empty: no columns", source=source)
    if frame.empty:
        raise DataError("has columns but no rows", source=source)
    def cell(value: Any) -> Any:
        if value is None or (not isinstance(value, (str, bytes)) and bool(pd.isna(value))):
            return None
        return value.item() if hasattr(value, "item") else value

    rows = tuple(tuple(cell(v) for v in row) for row in frame.itertuples(index=False, name=None))
    return RawTable.from_rows(source, headers, rows)


#: The largest response file read (bytes): far above any survey export, below what exhausts memory.
MAX_FILE_BYTES = 2 * 1024 ** 3


def _check_regular_file(path: Path, source: str) -> None:
    check_regular_file(path, DataError, MAX_FILE_BYTES, "data file")


# --------------------------------------------------------------------------- CSV

_INVISIBLE = re.compile(r"[\ufeff\u200b\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def _clean_header(text: str) -> str:
    """A header without byte-order marks, zero-width spaces and direction marks (which make two
    headers that look the same differ), and without surrounding blanks."""
    return _INVISIBLE.sub("", text).strip()


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _decode(raw: bytes, source: str, encoding: str | None) -> tuple[str, str]:
    if encoding:
        try:
            return raw.decode(encoding), encoding
        except (UnicodeDecodeError, LookupError) as exc:
            raise DataError(f"cannot decode as {encoding} ({exc})", source=source) from None
    if raw.startswith(b"\xef\xbb\xbf"):
        try:
            return raw[3:].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError as exc:
            _refuse_mixed_encodings(raw[3:], source)
            raise _undecodable(raw, exc.start + 3, source) from None
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return raw.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as exc:
            raise _undecodable(raw, exc.start, source) from None
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as exc:
        utf8_error = exc.start
    _refuse_mixed_encodings(raw, source)
    try:
        text = raw.decode("cp1256")
    except UnicodeDecodeError:
        raise _undecodable(raw, utf8_error, source) from None
    bad = _CONTROL.search(text)
    if bad:
        raise _undecodable(raw, bad.start(), source)
    return text, "cp1256"


def _refuse_mixed_encodings(raw: bytes, source: str) -> None:
    """A file whose lines are partly UTF-8 text (with non-ASCII letters) and partly not mixes two
    encodings (rows appended from another export): decoding it as one would garble one part."""
    utf8_line = bad_line = None
    for number, line in enumerate(raw.split(b"\n"), start=1):
        if max(line, default=0) < 0x80:
            continue
        try:
            line.decode("utf-8")
            utf8_line = utf8_line or number
        except UnicodeDecodeError:
            bad_line = bad_line or number
        if utf8_line and bad_line:
            raise DataError(
                f"mixes two encodings: line {utf8_line} is UTF-8 text but line {bad_line} is not (rows appended "
                "from another export?); save the whole file again as CSV UTF-8, or name one encoding with "
                "--encoding", source=source, row=bad_line - 1 if bad_line > 1 else None)


def _undecodable(raw: bytes, offset: int, source: str) -> DataError:
    line = raw[:offset].count(b"\n") + 1
    return DataError(
        f"undecodable bytes at line {line} (byte {offset}): the file is neither UTF-8 nor Windows-1256 text; "
        "export it again as CSV UTF-8, or name its encoding with --encoding", source=source,
        row=line - 1 if line > 1 else None)


def _read_csv(path: Path, encoding: str | None, *, arrow: bool = True) -> RawTable:
    """A CSV through Arrow when Arrow reads it as a rectangle of cells, else line by line (``arrow=False``:
    always line by line; tests/test_fuzz_inputs.py checks that the two read every file alike).

    A UTF-8 file (the usual export) goes to Arrow as it is, without being decoded in Python first:
    Arrow checks that every cell is UTF-8, and any file it refuses is decoded and read again below,
    where the encoding is guessed and every problem explained."""
    source = str(path)
    raw = path.read_bytes()
    if arrow and encoding is None:
        fast = _read_utf8_csv(raw, path, source)
        if fast is not None:
            return fast
    text, used = _decode(raw, source, encoding)
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise DataError(f"holds NUL bytes at line {line}: it is not a text CSV file; export it again as CSV",
                        source=source, row=line - 1 if line > 1 else None)
    if not text.strip():
        raise DataError("is empty: no header row and no data", source=source)
    hint = _SEP_LINE.match(text)  # Excel's "sep=;" first line names the delimiter; the header follows it
    if hint:
        text = text[hint.end():]
    delimiter = hint.group(1) if hint else _sniff_delimiter(text[:20000].split("\n", 1)[0], path)
    header_rows = 2 if hint else 1
    tried = arrow and encoding is None and used in ("utf-8", "utf-8-sig") and not hint  # Arrow refused these bytes
    fast = None
    if arrow and not tried:
        data = (text.encode("utf-8") if hint or used not in ("utf-8", "utf-8-sig") else
                raw[3:] if used == "utf-8-sig" else raw)
        fast = _read_csv_arrow(data, text, delimiter, source)
    if fast is not None:
        header, columns = fast
        return RawTable(source, tuple(header), tuple(columns), encoding=used, header_rows=header_rows)
    csv.field_size_limit(MAX_FILE_BYTES)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        records = list(reader)
    except csv.Error as exc:
        raise DataError(f"is not valid CSV near line {reader.line_num}: {exc}", source=source) from None
    if not records:
        raise DataError("is empty: no header row and no data", source=source)
    header = [_clean_header(h) for h in records[0]]
    width = len(header)
    _refuse_swallowed_rows(((number, j, cell) for number, record in enumerate(records[1:], start=1)
                            for j, cell in enumerate(record) if "\n" in cell), header, delimiter, source)
    rows = []
    for number, record in enumerate(records[1:], start=1):
        if len(record) > width and any(cell.strip() for cell in record[width:]):
            raise DataError(f"has {len(record)} cells but the header has {width}; check the delimiter "
                            "and quoting of that row", source=source, row=number)
        record = record[:width] + [""] * (width - len(record))
        rows.append(tuple(cell if cell.strip() != "" else None for cell in record))
    return RawTable.from_rows(source, tuple(header), rows, encoding=used, header_rows=header_rows)


#: Excel's delimiter hint, a first line such as ``sep=;`` (written by Excel and by tools for it).
_SEP_LINE = re.compile(r'\A\ufeff?"?sep=([,;\t|])"?[ \t]*\r?\n', re.IGNORECASE)


def _sniff_delimiter(first_line: str, path: Path) -> str:
    try:
        return csv.Sniffer().sniff(first_line + "\n", delimiters=",;\t|").delimiter
    except csv.Error:
        return "\t" if path.suffix.lower() == ".tsv" else ","


def _read_utf8_csv(raw: bytes, path: Path, source: str) -> RawTable | None:
    """A UTF-8 CSV (with or without a byte-order mark) read by Arrow straight from its bytes, or
    ``None`` when the file is anything else (another encoding, NUL bytes, a blank first line, a
    layout Arrow cannot read): :func:`_read_csv` then decodes it and explains what is wrong."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in raw:
        return None
    bom = raw.startswith(b"\xef\xbb\xbf")
    data = memoryview(raw)[3:] if bom else memoryview(raw)
    end = raw.find(b"\n")
    try:
        first_line = bytes(data[: end - 3 if bom else end] if end >= 0 else data).decode("utf-8")
    except UnicodeDecodeError:
        return None
    if not first_line.strip() or first_line.strip().lower().startswith(("sep=", '"sep=')):
        return None  # a blank first line or Excel's delimiter hint: the text reader handles them
    fast = _read_csv_arrow(data, first_line, _sniff_delimiter(first_line, path), source)
    if fast is None:
        return None
    header, columns = fast
    return RawTable(source, tuple(header), tuple(columns), encoding="utf-8-sig" if bom else "utf-8")


def _read_csv_arrow(data: "bytes | memoryview", text: str, delimiter: str,
                    source: str) -> tuple[list[str], list[CodedColumn]] | None:
    """The CSV (UTF-8 bytes ``data``; ``text`` its beginning, at least its header row) parsed by Arrow
    (compiled, multi-threaded) into dictionary-encoded columns, or ``None`` when Arrow cannot read it
    as a rectangle of UTF-8 cells (rows of other lengths, blank lines, bytes that are not UTF-8):
    then the line-by-line reader, which explains such rows, reads it instead."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pacsv
    first = next(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), None)
    if not first:
        return None
    quoted = (data.obj if isinstance(data, memoryview) else data).find(b'"') >= 0
    try:
        table = pacsv.read_csv(
            pa.py_buffer(data),
            read_options=pacsv.ReadOptions(autogenerate_column_names=True),
            parse_options=pacsv.ParseOptions(delimiter=delimiter, newlines_in_values=quoted,
                                              ignore_empty_lines=False),
            convert_options=pacsv.ConvertOptions(column_types={f"f{j}": pa.string() for j in range(len(first))},
                                                 strings_can_be_null=False, quoted_strings_can_be_null=False,
                                                 check_utf8=True))
    except pa.ArrowException:  # any cell layout Arrow cannot read: the line-by-line reader explains it
        return None
    if table.num_columns != len(first) or table.num_rows == 0:
        return None
    # each column's distinct texts once (Arrow's hash kernel, two columns at a time: it works outside
    # Python's lock); one dictionary for all of a column's chunks
    from concurrent.futures import ThreadPoolExecutor
    with ThreadPoolExecutor(max_workers=2) as pool:
        encoded = list(pool.map(pc.dictionary_encode, table.columns))
    encoded = [column if len({_address(c.dictionary.buffers()[2]) for c in column.chunks}) <= 1
               else column.unify_dictionaries() for column in encoded]  # the same dictionary in every chunk
    header: list[str] = []
    columns: list[CodedColumn] = []
    multiline: list[tuple[int, int, str]] = []
    for j in range(table.num_columns):
        chunks = encoded[j].chunks
        dictionary = chunks[0].dictionary
        codes = np.concatenate([c.indices.to_numpy(zero_copy_only=False) for c in chunks])
        values = dictionary.to_numpy(zero_copy_only=False)
        header.append(_clean_header(values[codes[0]]))
        blank = _blank_texts(dictionary, values)
        if blank.any():
            remap = np.where(blank, -1, np.arange(len(values), dtype=np.int32)).astype(np.int32)
            column = CodedColumn(remap[codes[1:]], values, distinct=True, arrow=dictionary)
        else:  # no empty cell: the codes as Arrow gave them
            column = CodedColumn(codes[1:], values, distinct=True, arrow=dictionary)
        columns.append(column)
        if quoted:
            with_break = pc.match_substring(dictionary, "\n").to_numpy(zero_copy_only=False)
            for k in np.flatnonzero(with_break):
                multiline += [(int(r) + 1, j, values[k]) for r in np.flatnonzero(column.codes == k)]
    if multiline:
        _refuse_swallowed_rows(sorted(multiline), header, delimiter, source)
    return header, columns


def _address(buffer: Any) -> int | None:
    return None if buffer is None else buffer.address


def _blank_texts(dictionary: Any, values: list[str]) -> np.ndarray:
    """Which texts are empty or all blank (``str.strip() == ""``), by Arrow's compiled kernels.

    Arrow trims Unicode's White_Space characters; Python's ``str.strip`` also strips the separators
    U+001C-U+001F, so the few texts holding one of those are looked at in Python as well."""
    import pyarrow.compute as pc
    blank = pc.equal(pc.utf8_length(pc.utf8_trim_whitespace(dictionary)), 0).to_numpy(zero_copy_only=False)
    odd = pc.match_substring_regex(dictionary, "[\x1c-\x1f]").to_numpy(zero_copy_only=False)
    for k in np.flatnonzero(odd):
        blank[k] = values[k].strip() == ""
    return np.asarray(blank, dtype=bool)


def _refuse_swallowed_rows(cells: Iterable[tuple[int, int, str]], header: list[str], delimiter: str,
                           source: str) -> None:
    """An unbalanced quote makes one cell run over the following lines, which then vanish as rows.

    ``cells`` holds the (data row, column, text) of the cells with a line break, in row order. A
    cell that holds a line break followed by a line with as many delimiters as a row has is
    such a swallowed row: refuse the file at that cell instead of losing the rows silently.
    """
    width = len(header)
    if width < 2:
        return
    for number, j, cell in cells:
        lines = cell.split("\n")[1:]
        swallowed = sum(1 for line in lines if line.count(delimiter) >= width - 1)
        if swallowed:
            column = header[j] if j < len(header) else f"#{j + 1}"
            raise DataError(
                f"a quote (\") opens a cell that runs over the next {len(lines)} lines, {swallowed} of which "
                "look like rows of their own: the quote is probably unbalanced; remove it, or double it (\"\") "
                "inside a quoted cell", source=source, row=number, column=column)


# --------------------------------------------------------------------------- Excel

def _read_xlsx(path: Path, sheet: str | None) -> RawTable:
    """The sheet's cells through calamine (a compiled reader: a million-row sheet in seconds), after
    the sheet's XML has been scanned for what any reader would show as empty (merged ranges, formulas
    without a saved value)."""
    source = str(path)
    if not zipfile.is_zipfile(path):
        raise DataError("is not a valid .xlsx workbook (not a zip archive); open it in Excel and save it "
                        "again as .xlsx", source=source)
    from python_calamine import CalamineWorkbook, SheetTypeEnum
    try:
        book = CalamineWorkbook.from_path(str(path))
        names = [m.name for m in book.sheets_metadata if m.typ == SheetTypeEnum.WorkSheet]
    except Exception as exc:  # calamine raises its own error types for broken workbooks
        raise DataError(f"cannot open the workbook ({type(exc).__name__}: {exc})", source=source) from None
    try:
        if sheet is not None and sheet not in names:
            raise DataError(f"has no sheet '{sheet}' (sheets: {', '.join(names)})", source=source)
        if not names:
            raise DataError("has no worksheet", source=source)
        title = sheet if sheet is not None else names[0]
        _refuse_hidden_cells(path, title, source)
        try:
            records = book.get_sheet_by_name(title).to_python(skip_empty_area=False)
        except Exception as exc:  # noqa: BLE001 - a broken sheet part
            raise DataError(f"cannot read sheet '{title}' ({type(exc).__name__}: {exc})", source=source) from None
    finally:
        book.close()
    while records and all(_blank(c) for c in records[-1]):
        records.pop()
    if not records:
        return RawTable(source, (), ())
    top = _header_index(records)
    header = ["" if _blank(h) else _clean_header(_excel_text(h)) for h in records[top]]
    while header and header[-1] == "":
        header.pop()
    width = len(header)
    if not width:
        return RawTable(source, (), ())
    block = np.empty((len(records) - 1 - top, width), dtype=object)
    if len(records) > 1 + top:
        if all(len(r) == width for r in records):  # calamine's rows are as wide as the sheet: no copies
            block[:] = records[1 + top:]
        else:
            block[:] = [r[:width] for r in records[1 + top:]]
    title = " / ".join(" ".join(_excel_text(c) for c in row if not _blank(c)) for row in records[:top]
                       if any(not _blank(c) for c in row))
    del records
    block_columns = tuple(_coded(block[:, j]) for j in range(width))
    return RawTable(source, tuple(header), block_columns, encoding=None, header_rows=top + 1, title=title)


def _header_index(records: list) -> int:
    """The index of a sheet's header row: 0, unless the sheet opens with a title (rows holding at
    most one cell, such as "Customer survey, export of 30 November", or blank rows) above a row of
    several cells, which is then the header. The rows skipped are reported by ingestion
    (notice ``title_rows``), so nothing goes unsaid.

    >>> _header_index([["Survey export"], [None, None], ["id", "Q1", "Q2"], ["r1", 4, 5]])
    2
    >>> _header_index([["id", "Q1"], ["r1", 4]]), _header_index([["only"], ["one"], ["column"]])
    (0, 0)
    """
    for k, row in enumerate(records[:20]):
        filled = sum(not _blank(c) for c in row)
        if filled >= 2:
            return k if k + 1 < len(records) else 0
    return 0


def _excel_text(value: Any) -> str:
    """A header cell as text (a number header 2024.0 as '2024')."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _coded(column: np.ndarray) -> CodedColumn:
    """The column as its distinct cells, with empty and all-blank text cells empty."""
    codes, values = distinct_cells(column)
    blank = np.fromiter((_blank(v) for v in values), dtype=bool, count=len(values))
    return CodedColumn(np.where(blank, -1, np.arange(len(values)))[codes], values[:-1])


_SHEET = re.compile(rb"<sheet\b[^>]*>")
_SCAN_BLOCK = 4 * 1024 * 1024
_ATTR = re.compile(rb'([\w:]+)="([^"]*)"')
_CELL_REF = re.compile(rb'<c\b[^>]*\br="([A-Z]+)(\d+)"')
_MERGE = re.compile(rb'<mergeCell\b[^>]*\bref="([A-Z]+)(\d+):([A-Z]+)(\d+)"')


def _sheet_member(book: zipfile.ZipFile, title: str) -> str | None:
    """The zip member holding the worksheet named ``title``."""
    try:
        workbook = book.read("xl/workbook.xml")
        rels = book.read("xl/_rels/workbook.xml.rels")
    except KeyError:
        return None
    targets = {}
    for rel in re.findall(rb"<Relationship\b[^>]*>", rels):
        attrs = dict(_ATTR.findall(rel))
        targets[attrs.get(b"Id")] = attrs.get(b"Target", b"").decode("utf-8")
    for element in _SHEET.findall(workbook):
        attrs = {k.split(b":")[-1]: v for k, v in _ATTR.findall(element)}
        name = attrs.get(b"name", b"").decode("utf-8").replace("&amp;", "&")
        if name == title:
            target = targets.get(attrs.get(b"id"), "")
            return target.lstrip("/") if target.startswith("/") else "xl/" + target
    return None


def _scan_sheet(data: bytes) -> tuple[list[str], list[str]]:
    """Merged ranges below the header row, and formula cells without a saved value, in sheet XML."""
    merged = [f"{a.decode()}{r1.decode()}:{b.decode()}{r2.decode()}" for a, r1, b, r2 in _MERGE.findall(data)
              if int(r2) > 1]
    formulas = []
    start = data.find(b"<f")
    while start != -1:
        cell_start = data.rfind(b"<c ", 0, start)
        cell_end = data.find(b"</c>", start)
        if cell_start != -1 and cell_end != -1:
            cell = data[cell_start:cell_end]
            saved = re.search(rb"<v(?:\s[^>]*)?>[^<]+</v>", cell) or b"<is>" in cell
            if not saved:
                ref = _CELL_REF.match(cell)
                if ref and int(ref.group(2)) > 1:
                    formulas.append(ref.group(1).decode() + ref.group(2).decode())
        start = data.find(b"<f", (cell_end if cell_end != -1 else start) + 1)
    return merged, formulas


def _refuse_hidden_cells(path: Path, title: str, source: str) -> None:
    """Answers under merged cells, and formulas whose value was never saved, read as empty: refuse them.

    openpyxl's streaming reader sees neither, so the sheet's XML is scanned (bytes only, quickly).
    """
    merged: list[str] = []
    formulas: list[str] = []
    with zipfile.ZipFile(path) as book:
        member = _sheet_member(book, title)
        if member is None or member not in book.namelist():
            return
        with book.open(member) as stream:  # streamed: a million-row sheet is never held whole
            carry = b""
            while True:
                block = stream.read(_SCAN_BLOCK)
                data = carry + block
                if not block:
                    cut = len(data)
                else:  # scan up to the last complete cell; keep the rest for the next block
                    end = data.rfind(b"</c>")
                    cut = end + 4 if end != -1 else (len(data) if len(data) > 16 * _SCAN_BLOCK else 0)
                head, carry = data[:cut], data[cut:]
                if b"<f" in head or b"<mergeCell " in head:
                    found = _scan_sheet(head)
                    merged += found[0]
                    formulas += found[1]
                if not block:
                    break
    if merged:
        raise DataError(f"sheet '{title}' has {len(merged)} merged cell range(s) among the answers (first "
                        f"{merged[0]}): only the first cell of a merge keeps its value; unmerge them and fill "
                        "every cell, or export the sheet as CSV", source=source)
    if formulas:
        raise DataError(f"sheet '{title}' has {len(formulas)} formula cell(s) whose value was never saved (first "
                        f"{formulas[0]}): open the file in Excel or LibreOffice and save it, or export it as CSV",
                        source=source)


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and value.strip() == "")


# --------------------------------------------------------------------------- SPSS

def _read_sav(path: Path) -> RawTable:
    source = str(path)
    import pyreadstat
    try:
        frame, meta = pyreadstat.read_sav(str(path), user_missing=True)
    except Exception as exc:  # pyreadstat.ReadstatError and friends
        raise DataError(f"cannot read the SPSS file ({exc}); it may be truncated or not a .sav file",
                        source=source) from None
    headers = tuple(str(c) for c in frame.columns)
    rows = []
    for record in frame.itertuples(index=False, name=None):
        rows.append(tuple(None if _missing_number(v) or _blank(v) else v for v in record))
    labels = {k: v for k, v in (meta.column_names_to_labels or {}).items() if v}
    value_labels = {k: dict(v) for k, v in (meta.variable_value_labels or {}).items()}
    user_missing: dict[str, tuple] = {}
    for col, values in (getattr(meta, "missing_user_values", None) or {}).items():
        user_missing[col] = tuple(("value", v) for v in values)
    for col, ranges in (getattr(meta, "missing_ranges", None) or {}).items():
        user_missing[col] = user_missing.get(col, ()) + tuple(("range", r["lo"], r["hi"]) for r in ranges)
    return RawTable.from_rows(source, headers, rows, encoding=meta.file_encoding,
                    labels=labels, value_labels=value_labels, user_missing=user_missing)


def _missing_number(value: Any) -> bool:
    return isinstance(value, float) and math.isnan(value)
