"""Ingestion: read an export, match columns, read answers, keep a ledger of every change."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from ..errors import DataError
from ..questionnaire import Questionnaire
from .clean import IngestResult, ingest_table
from .ledger import Ledger
from .platforms import PLATFORMS, adapt_table, detect_platform
from .readers import RawTable, read_table, table_from_frame
from .screening import FLAGS, Screening, ScreeningOptions, screen

__all__ = ["FLAGS", "IngestResult", "Ledger", "PLATFORMS", "RawTable", "Screening", "ScreeningOptions",
           "adapt_table", "detect_platform", "ingest", "ingest_table", "read_table", "screen", "table_from_frame"]


def ingest(q: Questionnaire, data: "str | os.PathLike | pd.DataFrame", *, sheet: str | None = None,
           encoding: str | None = None, platform: str | None = None, screening: ScreeningOptions | None = None,
           exclude: "str | list[str] | None" = None) -> IngestResult:
    """Read ``data`` (a .csv, .xlsx or .sav path, or a pandas DataFrame) and ingest it against the questionnaire.

    A path is read by :func:`read_table` (``sheet`` picks an Excel sheet, ``encoding`` overrides
    the detected text encoding of a CSV); a DataFrame is taken as it is by :func:`table_from_frame`.
    Either way :func:`ingest_table` then matches the columns, reads every answer and returns the
    clean responses with a :class:`Ledger` of every row and recoded cell. Problems that make the
    data unusable raise :class:`~loyaltysurvey.errors.DataError`; smaller ones are listed in
    ``result.warnings``. The table is first read as its survey platform means it
    (:func:`~loyaltysurvey.ingest.platforms.adapt_table`: ``platform`` names the platform, else
    it is detected from the headers; ``"none"`` reads a plain table), with the questionnaire's
    ``metadata`` columns. ``screening`` sets the screening's thresholds and which flags exclude
    respondents (default: none, every flag only reported); ``exclude`` (``"speeders,outliers"`` or a
    list) is a shorthand for ``ScreeningOptions(exclude=...)`` with the default thresholds.
    Behaviour tested in tests/test_ingest.py, tests/test_platforms.py and tests/test_screening.py.

    >>> from loyaltysurvey.datasets import crm_questionnaire, crm_export
    >>> result = ingest(crm_questionnaire(), crm_export())
    >>> result.ledger.input_rows, result.ledger.respondents, result.ledger.duplicate_rows
    (425, 420, 5)
    >>> result.responses.shape
    (420, 25)
    """
    if exclude is not None:
        if screening is not None:
            screening = ScreeningOptions(**{**screening.__dict__, "exclude": ScreeningOptions.names(exclude)})
        else:
            screening = ScreeningOptions.parse(exclude)
    table = table_from_frame(data) if isinstance(data, pd.DataFrame) else read_table(data, sheet=sheet,
                                                                                     encoding=encoding)
    try:
        return ingest_table(q, adapt_table(table, platform, getattr(q, "metadata", None)), screening)
    except DataError as exc:  # a workbook's first sheet that does not fit: say which sheets hold data
        if isinstance(data, pd.DataFrame) or sheet is not None or Path(data).suffix.lower() not in (".xlsx", ".xlsm"):
            raise
        from .readers import other_sheets_hint
        hint = other_sheets_hint(Path(data), None)
        if not hint:
            raise
        raise DataError(exc.detail + hint.replace("; the sheet", "; this is the workbook's first sheet, and the "
                                                  "sheet", 1),
                        source=exc.source, line=exc.line, row=exc.row, column=exc.column) from None
