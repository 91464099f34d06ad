"""Matching the export's columns to the questionnaire.

An item's column is found by its id (or the header LimeSurvey or Qualtrics gives it when the
survey was made from ``loyaltysurvey form``'s files, e.g. ``KCF[KCF1]``, ``KCF_KCF1``), else by
its ``column`` header, else by its text in any language (an SPSS variable label counts as a header too). Headers
are compared loosely (:func:`loyaltysurvey.text.match_key`), and a leading
question number such as ``Q7.`` or ``12)`` is ignored when matching texts.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..errors import DataError
from ..questionnaire import Questionnaire
from ..text import match_key, question_key
from .readers import RawTable

__all__ = ["ColumnMap", "match_columns"]

@dataclass(frozen=True)
class ColumnMap:
    """Which header index holds each item, demographic and the respondent id.

    ``items`` and ``demographics`` map an id to a column index of the
    :class:`~loyaltysurvey.ingest.readers.RawTable`; ``matched_by`` says how each item was
    found (``id``, ``column`` or ``text``); ``respondent_id`` is ``None`` when the
    questionnaire names no id column.
    """

    items: dict[str, int]
    matched_by: dict[str, str]
    demographics: dict[str, int]
    respondent_id: int | None
    #: Where the respondent id came from: ``questionnaire`` (its ``respondent_id``), ``platform``
    #: (the export's own response id) or ``generated`` (rows named ``row1``, ``row2`` ...).
    id_source: str = "questionnaire"
    #: A multi-select demographic exported one column per option (no column of its own, but a group
    #: of option columns titled by its id, ``column`` or name): id -> the group's
    #: :class:`~loyaltysurvey.ingest.platforms.OptionColumn` s, read together.
    option_columns: dict = field(default_factory=dict)


def _keys(table: RawTable) -> list[tuple[str, str, str]]:
    """(exact key, key without numbering, label key) per header."""
    out = []
    for header in table.headers:
        key = match_key(header)
        label = question_key(table.labels.get(header, "")) if table.labels else ""
        out.append((key, question_key(header), label))
    return out


def _find(keys, wanted: list[tuple[str, list[str]]], owner: str, table: RawTable,
          taken: dict[int, str]) -> tuple[int | None, str]:
    for how, candidates in wanted:
        targets = {match_key(c) for c in candidates if c and match_key(c)}
        if how != "id":  # a numbered text in the questionnaire matches an unnumbered header, and back
            targets |= {question_key(c) for c in candidates if c and question_key(c)}
        if not targets:
            continue
        hits = [i for i, (exact, bare, label) in enumerate(keys)
                if exact in targets or (how != "id" and (bare in targets or label in targets))]
        if len(hits) > 1:
            names = "', '".join(table.headers[i] for i in hits)
            raise DataError(f"{owner} matches more than one column ('{names}'); rename one, or give the "
                            "item a 'column' in the questionnaire", source=table.source,
                            column=table.headers[hits[1]])
        if hits:
            index = hits[0]
            if index in taken:
                raise DataError(f"column '{table.headers[index]}' matches both {taken[index]} and {owner}; "
                                "give one of them an explicit 'column' in the questionnaire",
                                source=table.source, column=table.headers[index])
            return index, how
    return None, ""


def match_columns(q: Questionnaire, table: RawTable) -> ColumnMap:
    """Find every item's column; raise :class:`DataError` naming what is missing.

    Every item is first looked up by its id, so that an id always wins over a text match;
    the others by their ``column`` header, then by their text in any language. A header that
    matches two items, or an item that matches two headers, is an error naming both.
    Demographics are matched the same way but may be absent.

    >>> from loyaltysurvey.datasets import crm_questionnaire, crm_export
    >>> from loyaltysurvey.ingest import table_from_frame
    >>> cmap = match_columns(crm_questionnaire(), table_from_frame(crm_export()))
    >>> len(cmap.items), sorted(set(cmap.matched_by.values()))
    (25, ['column', 'id'])
    """
    from ..forms.codes import export_headers  # the headers LimeSurvey and Qualtrics give the form's items
    platform = export_headers(q)
    keys = _keys(table)
    taken: dict[int, str] = {}
    items: dict[str, int] = {}
    matched_by: dict[str, str] = {}
    rid = None
    platform_id = table.headers.index(table.metadata["id"]) if "id" in table.metadata else None
    id_source = "generated"
    if q.respondent_id:
        rid, _ = _find(keys, [("id", [q.respondent_id])], "the respondent id", table, taken)
        id_source = "questionnaire"
        if rid is None and table.platform:  # the platform's own id, or none: rows are numbered
            rid, id_source = platform_id, "platform" if platform_id is not None else "generated"
        elif rid is None:
            raise DataError(f"has no respondent id column '{q.respondent_id}' (named by respondent_id in the "
                            "questionnaire); rename the column or fix respondent_id", source=table.source,
                            column=q.respondent_id)
    elif platform_id is not None:
        rid, id_source = platform_id, "platform"
    if rid is not None:
        taken[rid] = "the respondent id"
    # The platform's own columns (times, ids, status ...) are never items or demographics.
    meta = {table.headers.index(h) for h in table.metadata.values() if h in table.headers}
    keys = [("", "", "") if j in meta else k for j, k in enumerate(keys)]
    # Ids first for every item, so that an id match always wins over a text match.
    for item in q.items:
        index, how = _find(keys, [("id", [item.id]), ("id", list(platform.get(item.id, ())))], f"item {item.id}",
                           table, taken)
        if index is not None:
            items[item.id], matched_by[item.id] = index, how
            taken[index] = f"item {item.id}"
    for item in q.items:
        if item.id in items:
            continue
        index, how = _find(keys, [("column", [item.column] if item.column else []),
                                  ("text", list(item.text.all()))], f"item {item.id}", table, taken)
        if index is None:
            shown = ", ".join(f"'{h}'" for h in table.headers[:8]) + (" ..." if len(table.headers) > 8 else "")
            looked = f"id '{item.id}'" + (f", column '{item.column}'" if item.column else "") + ", or its text"
            raise DataError(f"no column for item {item.id} (looked for {looked}); the columns are {shown}. "
                            f"Add 'column: <header>' to {item.id} in the questionnaire",
                            source=table.source, column=item.id)
        items[item.id], matched_by[item.id] = index, how
        taken[index] = f"item {item.id}"
    demographics: dict[str, int] = {}
    for demo in q.demographics:
        index, _ = _find(keys, [("id", [demo.id, *platform.get(demo.id, ())]), ("column", [demo.column] if demo.column else []),
                                ("text", list(demo.name.all()))], f"demographic {demo.id}", table, taken)
        if index is not None:
            demographics[demo.id] = index
            taken[index] = f"demographic {demo.id}"
    options: dict = {}
    wanted = [d for d in q.demographics if d.multiple and d.id not in demographics]
    if wanted:
        from .platforms import option_groups
        groups = [g for g in option_groups(table) if not any(c.index in taken or c.index in meta for c in g.columns)]
        for demo in wanted:
            names = [demo.id, *platform.get(demo.id, ()), *([demo.column] if demo.column else []), *demo.name.all()]
            group = _option_group(groups, names)
            if group is not None:
                options[demo.id] = group.columns
                groups.remove(group)
                taken.update({c.index: f"demographic {demo.id}" for c in group.columns})
    return ColumnMap(items, matched_by, demographics, rid, id_source, options)


def _option_group(groups: list, names: list[str]):
    """The first group (of :func:`~loyaltysurvey.ingest.platforms.option_groups`) titled by one of
    ``names``, tried in turn (loosely, a leading question number ignored)."""
    for name in names:
        if not name:
            continue
        keys = {match_key(name), question_key(name)} - {""}
        for group in groups:
            if keys & {k for t in group.titles for k in (match_key(t), question_key(t))}:
                return group
    return None
