"""The ingestion ledger: every input row and every changed cell, accounted for.

``input_rows == respondents + len(excluded)`` always holds. ``recoded_cells``
and ``out_of_range`` describe the cells of the kept rows; dropped rows are
listed under ``excluded`` with their reason. The JSON form is CONTRACT's
``ingest.json`` plus extra keys (``unreadable``, ``na_tokens``, ``columns``,
``missing_cells``, ``warnings``...).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..errors import Notice
from typing import Any

__all__ = ["Ledger"]


@dataclass(frozen=True)
class Ledger:
    """What ingestion did with every input row and every changed cell.

    ``input_rows`` data rows were read from ``source``; ``respondents`` were kept and the
    rest are listed in ``excluded`` (each with its ``row`` and ``reason``: duplicate, empty
    row, no item answered, or a screening flag's reason with the excluding ``flags``, see
    ``screening``). ``recoded_cells`` counts cells that were rewritten (Persian or Arabic
    digits, text labels, missing codes, "no answer" tokens, value labels, demographic
    labels); ``out_of_range``, ``unreadable`` and ``between_points`` list cells by row,
    respondent and item; ``straightliners`` are respondents who gave one answer to every
    item they answered (at least five items, or all when fewer); ``conflicting_ids`` are ids
    found on rows with different answers (all kept); ``columns`` and ``matched_by`` say which
    header each item was read from and how it was found; ``missing_cells`` counts empty
    answers per item; ``warnings`` are the notices shown to the user. ``platform`` is
    ``{"name": ..., "how": "detected" | "given"}`` when the export was read as a survey platform's
    (else ``None``), ``metadata_columns`` the platform columns read by role (``{role: header}``),
    ``option_columns`` the option columns combined into each multi-select demographic exported one
    column per option (``{id: [header, ...]}``), and ``respondent_id`` where the ids came from: ``{"column": header, "from": "questionnaire" |
    "platform"}``, or ``{"column": None, "from": "generated"}`` when rows were named ``row1`` ...

    >>> from loyaltysurvey.datasets import crm_questionnaire, crm_export
    >>> from loyaltysurvey.ingest import ingest
    >>> led = ingest(crm_questionnaire(), crm_export()).ledger
    >>> led.duplicate_ids
    ('R0191', 'R0315', 'R0333', 'R0162', 'R0309')
    >>> led.straightliners
    ('R0165', 'R0245', 'R0371')
    """

    source: str
    input_rows: int
    respondents: int
    duplicate_rows: int
    duplicate_ids: tuple[str, ...]
    recoded_cells: dict[str, int]
    out_of_range: tuple[dict[str, Any], ...]
    unreadable: tuple[dict[str, Any], ...]
    straightliners: tuple[str, ...]
    excluded: tuple[dict[str, Any], ...]
    columns: dict[str, str] = field(default_factory=dict)
    matched_by: dict[str, str] = field(default_factory=dict)
    missing_cells: dict[str, int] = field(default_factory=dict)
    conflicting_ids: tuple[str, ...] = ()
    between_points: tuple[dict[str, Any], ...] = ()
    encoding: str | None = None
    warnings: tuple[Notice, ...] = ()
    platform: dict[str, str] | None = None
    metadata_columns: dict[str, str] = field(default_factory=dict)
    respondent_id: dict[str, Any] = field(default_factory=dict)
    #: The screening of the respondents (:meth:`loyaltysurvey.ingest.screening.Screening.to_json`):
    #: per flag its rule, threshold, source, respondents and whether they were excluded.
    screening: dict[str, Any] | None = None
    #: The multi-select demographics exported one column per option: id -> the headers of the
    #: option columns combined into its ``code;code`` cells (in ``ingest.json`` only when there is one).
    option_columns: dict[str, list[str]] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """The ledger as plain JSON types (lists and dicts), as written to ``ingest.json``.

        >>> led = Ledger("x.csv", 2, 2, 0, (), {}, (), (), (), ())
        >>> led.to_json()["input_rows"], led.to_json()["excluded"]
        (2, [])
        """
        return {
            "source": self.source,
            "input_rows": self.input_rows,
            "respondents": self.respondents,
            "duplicate_rows": self.duplicate_rows,
            "duplicate_ids": list(self.duplicate_ids),
            "recoded_cells": dict(self.recoded_cells),
            "out_of_range": [dict(x) for x in self.out_of_range],
            "unreadable": [dict(x) for x in self.unreadable],
            "between_points": [dict(x) for x in self.between_points],
            "straightliners": list(self.straightliners),
            "excluded": [dict(x) for x in self.excluded],
            "conflicting_ids": list(self.conflicting_ids),
            "columns": dict(self.columns),
            "matched_by": dict(self.matched_by),
            "missing_cells": dict(self.missing_cells),
            "encoding": self.encoding,
            "warnings": [w.to_json() for w in self.warnings],
            "platform": dict(self.platform) if self.platform else None,
            "metadata_columns": dict(self.metadata_columns),
            "respondent_id": dict(self.respondent_id),
            **({"screening": self.screening} if self.screening is not None else {}),
            **({"option_columns": {k: list(v) for k, v in self.option_columns.items()}}
               if self.option_columns else {}),
        }
