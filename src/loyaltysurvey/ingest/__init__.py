"""Ingestion: read an export, match columns, read answers, keep a ledger of every change."""

from __future__ import annotations

import os

from ..questionnaire import Questionnaire
from .clean import IngestResult, ingest_table
from .ledger import Ledger
from .readers import RawTable, read_table

__all__ = ["IngestResult", "Ledger", "RawTable", "ingest", "ingest_table", "read_table"]


def ingest(q: Questionnaire, path: str | os.PathLike, *, sheet: str | None = None,
           encoding: str | None = None) -> IngestResult:
    """Read ``path`` (.csv, .xlsx or .sav) and ingest it against the questionnaire."""
    return ingest_table(q, read_table(path, sheet=sheet, encoding=encoding))
