"""Ingestion: read an export, match columns, read answers, keep a ledger of every change."""

from __future__ import annotations

import os

import pandas as pd

from ..questionnaire import Questionnaire
from .clean import IngestResult, ingest_table
from .ledger import Ledger
from .readers import RawTable, read_table, table_from_frame

__all__ = ["IngestResult", "Ledger", "RawTable", "ingest", "ingest_table", "read_table", "table_from_frame"]


def ingest(q: Questionnaire, data: "str | os.PathLike | pd.DataFrame", *, sheet: str | None = None,
           encoding: str | None = None) -> IngestResult:
    """Read ``data`` (a .csv, .xlsx or .sav path, or a pandas DataFrame) and ingest it against the questionnaire."""
    if isinstance(data, pd.DataFrame):
        return ingest_table(q, table_from_frame(data))
    return ingest_table(q, read_table(data, sheet=sheet, encoding=encoding))
