"""Each distinct cell of a column once: the step that makes ingestion of a million rows fast.

A survey column holds a few dozen distinct texts or numbers, however many respondents answered.
:func:`distinct_cells` finds them (pandas' hash table, in C) and gives, for every cell, the index of
its distinct value, so a column is read by reading its distinct cells and spreading the readings
back with one numpy ``take``.
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np
import pandas as pd

__all__ = ["CodedColumn", "distinct_cells", "is_empty", "read_distinct"]


class CodedColumn:
    """A column stored as its distinct cells and, for every cell, the index of its value (``-1`` for
    an empty cell): what a compiled reader (Arrow's dictionary encoding) gives without making a
    Python object per cell. Indexing with a row index gives the cell; with an array, a
    :class:`CodedColumn` of those rows.

    >>> col = CodedColumn(np.array([0, 1, -1, 0]), ["4", "agree"])
    >>> len(col), col[1], col[2], col[np.array([3, 0])].to_numpy().tolist()
    (4, 'agree', None, ['4', '4'])
    """

    __slots__ = ("codes", "values", "distinct", "arrow")

    def __init__(self, codes: np.ndarray, values: Sequence[Any], *, distinct: bool = False,
                 arrow: Any = None) -> None:
        codes = np.asarray(codes)
        self.codes = codes if codes.dtype.kind == "i" else codes.astype(np.intp)
        if isinstance(values, np.ndarray) and values.dtype == object and values.ndim == 1:
            self.values = values
        else:
            self.values = np.empty(len(values), dtype=object)
            self.values[:] = list(values)
        #: Whether ``values`` are known to be distinct texts (an Arrow dictionary), so that
        #: :func:`distinct_cells` need not look for repeats.
        self.distinct = distinct
        #: The same distinct texts as an Arrow string array, when Arrow read them (for its string kernels).
        self.arrow = arrow

    def __len__(self) -> int:
        return len(self.codes)

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, (int, np.integer)):
            code = self.codes[key]
            return None if code < 0 else self.values[code]
        return CodedColumn(self.codes[key], self.values, distinct=self.distinct, arrow=self.arrow)

    def to_numpy(self) -> np.ndarray:
        """The cells as an object array (``None`` for empty cells)."""
        out = np.empty(len(self.values) + 1, dtype=object)
        out[:-1] = self.values
        return out[self.codes]  # code -1 takes the trailing None

    def __iter__(self):
        return iter(self.to_numpy())


def is_empty(column: "np.ndarray | CodedColumn") -> np.ndarray:
    """Whether each cell of the column is empty (``None`` or NaN)."""
    if isinstance(column, CodedColumn):
        return column.codes < 0
    return np.asarray(pd.isna(column), dtype=bool)


def distinct_cells(column: np.ndarray) -> tuple[np.ndarray, list[Any]]:
    """``(codes, uniques)``: ``uniques[codes[i]]`` is cell ``i``; the last unique is always ``None``
    (empty cells, and NaN, point to it).

    Cells are told apart by type as well as value: ``1``, ``1.0``, ``True`` and ``"1"`` are
    different cells (a Boolean answer is unreadable, a number is not), although Python counts the
    first three as equal.

    >>> codes, uniques = distinct_cells(np.array(["4", 4, None, "4", True, 1, 1.0], dtype=object))
    >>> [uniques[c] for c in codes]
    ['4', 4, None, '4', True, 1, 1.0]
    >>> [type(uniques[c]).__name__ for c in codes[-3:]]
    ['bool', 'int', 'float']
    """
    if isinstance(column, CodedColumn):  # a compiled reader's dictionary: distinct texts already
        distinct = column.distinct
        if not distinct:
            codes, uniques = pd.factorize(column.values, use_na_sentinel=True)
            distinct = len(codes) == len(column.values) and (codes == np.arange(len(codes))).all()
        if distinct:
            values = list(column.values)
            return np.where(column.codes < 0, len(values), column.codes), values + [None]
        column = column.to_numpy()
    column = np.asarray(column, dtype=object)
    codes, uniques = pd.factorize(column, use_na_sentinel=True)
    values = list(uniques)
    # True == 1 and False == 0 for Python, so a Boolean cell may hide behind a 0 or 1 (or the reverse):
    # the cells of such values are told apart by type
    ambiguous = [k for k, u in enumerate(values) if type(u) is not str and _zero_or_one(u)]
    if ambiguous:
        at = np.flatnonzero(np.isin(codes, ambiguous))
        # each cell's type, in order of first appearance (map(type) runs without a Python frame per cell)
        type_code, kinds = pd.factorize(np.fromiter(map(type, column[at]), dtype=object, count=len(at)))
        if len(kinds) > 1:
            pairs = codes.astype(np.int64) * (len(kinds) + 1)
            pairs[at] += type_code + 1
            pairs[codes < 0] = -1
            codes, first = _refactor(pairs)
            values = [column[i] for i in first]
    codes = np.where(codes < 0, len(values), codes)
    values.append(None)
    return codes, values


def _zero_or_one(value: Any) -> bool:
    try:
        return value == 0 or value == 1
    except Exception:  # noqa: BLE001 - a cell type without a numeric comparison
        return False


def _refactor(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Dense codes for integer keys (``-1`` stays ``-1``) and the index of each code's first cell."""
    valid = keys >= 0
    uniq, first, inverse = np.unique(keys[valid], return_index=True, return_inverse=True)
    order = np.argsort(first, kind="stable")  # codes in order of first appearance, as factorize gives
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    codes = np.full(len(keys), -1, dtype=np.intp)
    codes[valid] = rank[inverse]
    positions = np.flatnonzero(valid)[first[order]]
    return codes, positions


def read_distinct(column: np.ndarray, read: Callable[[Any], Any]) -> tuple[np.ndarray, Sequence[Any]]:
    """``(codes, readings)``: ``read`` applied once to each distinct cell of ``column``
    (``readings[codes[i]]`` is the reading of cell ``i``; the last reading is that of an empty cell).

    >>> codes, readings = read_distinct(np.array(["a", "b", "a", None], dtype=object), repr)
    >>> [readings[c] for c in codes]
    ["'a'", "'b'", "'a'", 'None']
    """
    codes, uniques = distinct_cells(column)
    return codes, [read(u) for u in uniques]
