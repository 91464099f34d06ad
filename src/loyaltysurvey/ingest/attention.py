"""Reading the answers to the questionnaire's attention checks (``attention: [{item: ATT1, expect: 2}]``).

An attention item belongs to no construct; its answers are read on its own scale as any item's
(labels, digits, missing codes) and only screen respondents (:mod:`loyaltysurvey.ingest.screening`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import DataError
from ..questionnaire import Questionnaire
from .cells import AnswerReader
from .columns import ColumnMap, _find, _keys
from .distinct import read_distinct
from .readers import RawTable

__all__ = ["read_attention"]


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
    taken.update({c.index: f"demographic {d}" for d, cols in cmap.option_columns.items() for c in cols})
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
