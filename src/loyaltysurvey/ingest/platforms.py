"""Survey-platform exports read as the platform means them.

Each platform lays its export out in its own way; :func:`detect_platform` recognises it from the
header row (and, for the platforms that write more than one header row, the rows below it), and
:func:`adapt_table` returns the same cells as a plain table: extra header rows merged into the
headers (and no longer read as respondents), grid (matrix) titles split from the item texts,
answer codes mapped to scale positions, and the platform's own columns (response id, start and
end times, duration, completion, preview status ...) named by role in ``RawTable.metadata``.

The layouts (by definition, from each platform's export as it is documented and as it looks):

``google_forms``
    CSV from Forms or Sheets: ``Timestamp`` first, ``Email Address`` when collected, one column
    per question headed by its title; a grid question gives one column per row headed
    ``Grid title [Row text]``. No response id: ingestion names the rows ``row1``, ``row2`` ...
``microsoft_forms``
    Excel: ``ID``, ``Start time``, ``Completion time``, ``Email``, ``Name`` (``Last modified
    time`` in newer files), then one column per question; a Likert question one column per
    statement headed ``Likert title.Statement``.
``qualtrics``
    CSV/TSV with three header rows: export tags (``StartDate``, ``EndDate``, ``Status``,
    ``IPAddress``, ``Progress``, ``Duration (in seconds)``, ``Finished``, ``RecordedDate``,
    ``ResponseId`` ..., then ``Q1``, ``KCF_KCF1`` ...), the question texts (a matrix statement as
    ``Question text - Statement``) and ``{"ImportId": ...}``. The legacy layout has two rows:
    ``V1, V2 ...`` and the names (``ResponseID``, ``Status``, ``StartDate`` ...) or question texts.
    ``Status`` is ``IP Address`` (0) for a real response and ``Survey Preview`` (1) for a preview.
``surveymonkey``
    Two header rows: ``Respondent ID``, ``Collector ID``, ``Start Date``, ``End Date``, ``IP
    Address``, ``Email Address`` ..., then each question's text over its first column; the second
    row says ``Response`` (one answer), ``Open-Ended Response`` or the matrix row or option of
    each column.
``limesurvey``
    ``id``, ``submitdate`` (empty when the response was not completed), ``lastpage``,
    ``startlanguage``, ``seed`` (``startdate``, ``datestamp``, ``ipaddr`` when recorded), then
    question codes (``KCF[KCF1]`` in CSV, ``KCF_KCF1`` in SPSS) or full question texts
    (``Title [Subquestion]``). Answers as codes (``A1`` ... ``A5`` are the scale's points in
    order) or as full answer texts.
``kobotoolbox``
    ``start``, ``end`` (``today``, ``deviceid``), the questions by name, with their group path
    (``group/name``) when groups are included, then ``_id``, ``_uuid``, ``_submission_time``,
    ``_validation_status``, ``_status``, ``_submitted_by``, ``__version__``, ``_index``.
``typeform``
    ``#`` (the response token), one column per question, then ``Start Date (UTC)``, ``Submit
    Date (UTC)``, ``Network ID`` (``Stage``, ``Response Type``, ``Tags`` in newer files).
``porsline``
    Excel with Persian headers: ``ردیف`` (a row number), the questions, often numbered
    («۱- ...») and ending in a colon, and the completion date in the Jalali calendar
    («تاریخ پاسخ» / «زمان پاسخ»), with «مدت زمان پاسخگویی» (duration) when recorded.

A checkbox question is one column joining the options (:data:`MULTISELECT_SEPARATORS`) or one
column per option (:func:`option_groups`): SurveyMonkey's question text over the first option
column and the options in the second row (a cell holds the option's text when chosen);
LimeSurvey's ``code[SQ001]`` (``Y``), ``Question [Option]`` (``Yes``/``No``) and ``code_SQ001``
(SPSS, 1/0); Qualtrics' split multi-value fields ``Q5_1`` (1 or blank); KoboToolbox's
``name/choice`` (0/1), beside or instead of the joined ``name``.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from typing import Mapping

import numpy as np

from ..errors import DataError
from ..text import match_key
from .distinct import CodedColumn
from .readers import RawTable

__all__ = ["PLATFORMS", "METADATA_ROLES", "detect_platform", "adapt_table", "check_platform", "multiselect_options",
           "multiselect_separator", "MULTISELECT_SEPARATORS", "OptionColumn", "OptionGroup", "option_groups",
           "NOT_CHOSEN", "CHOSEN"]

#: The platforms whose exports are read as they mean them (``--platform NAME``); ``none`` reads
#: the export as a plain table.
PLATFORMS = ("google_forms", "microsoft_forms", "qualtrics", "surveymonkey", "limesurvey", "kobotoolbox",
             "typeform", "porsline")

#: The roles a metadata column may have (``metadata:`` in the questionnaire uses these names).
METADATA_ROLES = ("id", "start", "end", "duration", "finished", "progress", "status", "preview", "email", "ip",
                  "lastpage", "submitdate", "name", "language")

#: Per platform: header key (:func:`match_key`) -> role. Columns with role ``other`` are the
#: platform's bookkeeping (seeds, collector ids, tags): never questions.
_METADATA: dict[str, dict[str, str]] = {
    "google_forms": {"timestamp": "end", "marca temporal": "end", "horodateur": "end", "zeitstempel": "end",
                     "علامت زمان": "end", "مهر زمان": "end", "مهر زمانی": "end", "برچسب زمان": "end",
                     "علامت زمانی": "end", "email address": "email", "score": "other",
                     "نشانی ایمیل": "email", "امتیاز": "other"},
    "microsoft_forms": {"id": "id", "start time": "start", "completion time": "end", "email": "email",
                        "name": "name", "last modified time": "other", "total points": "other",
                        "quiz feedback": "other"},
    "qualtrics": {"startdate": "start", "enddate": "end", "status": "status", "ipaddress": "ip",
                  "progress": "progress", "duration (in seconds)": "duration", "finished": "finished",
                  "recordeddate": "submitdate", "responseid": "id", "recipientlastname": "other",
                  "recipientfirstname": "other", "recipientemail": "email", "externalreference": "other",
                  "externaldatareference": "other", "locationlatitude": "other", "locationlongitude": "other",
                  "distributionchannel": "other", "userlanguage": "language", "responseset": "other",
                  "name": "name", "emailaddress": "email", "q_recaptchascore": "other",
                  "q_relevantidduplicate": "other"},
    "surveymonkey": {"respondent id": "id", "collector id": "other", "start date": "start", "end date": "end",
                     "ip address": "ip", "email address": "email", "first name": "other", "last name": "other",
                     "custom data 1": "other", "custom data": "other"},
    "limesurvey": {"id": "id", "submitdate": "submitdate", "lastpage": "lastpage", "startlanguage": "language",
                   "seed": "other", "startdate": "start", "datestamp": "end", "ipaddr": "ip", "refurl": "other",
                   "token": "other", "interviewtime": "duration",
                   "response id": "id", "date submitted": "submitdate", "last page": "lastpage",
                   "start language": "language", "date started": "start", "date last action": "end",
                   "ip address": "ip", "total time": "duration"},
    "kobotoolbox": {"start": "start", "end": "end", "today": "other", "deviceid": "other", "_id": "other",
                    "_uuid": "id", "_submission_time": "submitdate", "_validation_status": "other",
                    "_notes": "other", "_status": "other", "_submitted_by": "other", "__version__": "other",
                    "_version_": "other", "_tags": "other", "_index": "other", "meta/instanceid": "other",
                    "formhub/uuid": "other", "meta/rootuuid": "other"},
    "typeform": {"#": "id", "start date (utc)": "start", "submit date (utc)": "end", "network id": "other",
                 "stage": "other", "response type": "status", "tags": "other", "ending": "other"},
    "porsline": {"ردیف": "id", "شناسه": "id", "شناسه پاسخ": "id", "تاریخ پاسخ": "end", "زمان پاسخ": "end",
                 "تاریخ ثبت": "end", "زمان ثبت": "end", "تاریخ تکمیل": "end", "زمان تکمیل": "end",
                 "تاریخ شروع": "start", "زمان شروع": "start", "مدت زمان پاسخگویی": "duration",
                 "مدت زمان پاسخ دهی": "duration", "مدت پاسخگویی": "duration", "وضعیت": "status",
                 "ای پی": "ip", "آی پی": "ip", "ip": "ip"},
}


_METADATA = {p: {match_key(k): role for k, role in names.items()} for p, names in _METADATA.items()}


def check_platform(name: str | None) -> str | None:
    """``name`` as a platform name (``None`` or ``"auto"``: detect; ``"none"``: a plain table).

    Raises :class:`DataError` with the valid names for anything else.

    >>> check_platform("Qualtrics"), check_platform(None), check_platform("none")
    ('qualtrics', None, 'none')
    """
    if name is None or str(name).strip().lower() in ("", "auto"):
        return None
    key = str(name).strip().lower().replace("-", "_").replace(" ", "_")
    key = {"google": "google_forms", "gforms": "google_forms", "microsoft": "microsoft_forms", "msforms":
           "microsoft_forms", "kobo": "kobotoolbox", "monkey": "surveymonkey", "lime": "limesurvey"}.get(key, key)
    if key not in PLATFORMS and key != "none":
        raise DataError(f"unknown platform '{name}'; the platforms are {', '.join(PLATFORMS)} (or none, or auto)")
    return key


def _keys(table: RawTable) -> list[str]:
    return [match_key(h) for h in table.headers]


def _first_cells(table: RawTable, rows: int = 2) -> list[list[str]]:
    """The first data rows as text (empty cells as '')."""
    out = []
    for r in range(min(rows, table.n_rows)):
        out.append(["" if c[r] is None else str(c[r]) for c in table.columns])
    return out


def _qualtrics_rows(table: RawTable) -> int:
    """How many of the first data rows are Qualtrics header rows (question texts, ImportId)."""
    first = _first_cells(table, 2)
    if len(first) >= 2 and any(c.strip().startswith('{"ImportId"') for c in first[1]):
        return 2
    if first and any(c.strip().startswith('{"ImportId"') for c in first[0]):
        return 1
    keys = {match_key(c) for c in first[0]} if first else set()
    if {"start date", "end date"} <= keys or "response id" in keys or "responseid" in keys:
        return 1
    return 0


def detect_platform(table: RawTable) -> str | None:
    """The platform whose export ``table`` is, from its headers (and header rows), or ``None``.

    >>> t = RawTable.from_rows("x.csv", ["Timestamp", "Age", "Service [Fast]"], [["2024/01/02", "30", "4"]])
    >>> detect_platform(t)
    'google_forms'
    >>> detect_platform(RawTable.from_rows("x.csv", ["id", "Q1"], [["a", "4"]])) is None
    True
    """
    keys = _keys(table)
    ks = set(keys)
    if keys and keys[0] == "v1" and "v2" in ks:
        first = _first_cells(table, 1)
        if first and {"responseid", "status"} & {match_key(c) for c in first[0]}:
            return "qualtrics"
    if ("responseid" in ks and {"startdate", "enddate"} <= ks) or (
            ("responseid" in ks or {"startdate", "enddate", "finished"} <= ks) and _qualtrics_rows(table)):
        return "qualtrics"
    if {"respondent id", "collector id"} <= ks:
        return "surveymonkey"
    if {"id", "submitdate", "lastpage"} <= ks or {"response id", "date submitted", "last page"} <= ks:
        return "limesurvey"
    if "_uuid" in ks and ("_submission_time" in ks or "_index" in ks):
        return "kobotoolbox"
    if keys and keys[0] == "#" and (match_key("Submit Date (UTC)") in ks or "network id" in ks):
        return "typeform"
    if {"id", "start time", "completion time"} <= ks:
        return "microsoft_forms"
    if keys and _METADATA["google_forms"].get(keys[0]) == "end":
        return "google_forms"
    porsline = _METADATA["porsline"]
    if keys and porsline.get(keys[0]) == "id" and any(porsline.get(k) in ("end", "start") for k in ks):
        return "porsline"
    return None


def _drop_rows(table: RawTable, n: int) -> tuple:
    return tuple(c[n:] for c in table.columns)


def _metadata(table: RawTable, platform: str, headers: tuple[str, ...]) -> dict[str, str]:
    """role -> header for the platform's own columns (the first header of each role)."""
    roles: dict[str, str] = {}
    names = _METADATA.get(platform, {})
    for header in headers:
        role = names.get(match_key(header))
        if role and role != "other":
            roles.setdefault(role, header)
    return roles


def _bookkeeping(platform: str | None, header: str) -> bool:
    """Whether ``header`` is one of the platform's own columns (never a question)."""
    return platform is not None and match_key(header) in _METADATA.get(platform, {})


_BRACKET = re.compile(r"^(?P<title>.+?)\s*\[(?P<row>[^\[\]]+)\]\s*$")
_CODE_HEADER = re.compile(r"^[A-Za-z][A-Za-z0-9_]*\[[A-Za-z0-9_]+\]$")


def _split_brackets(headers: tuple[str, ...], labels: dict, groups: dict) -> None:
    """``Title [Row]`` (Google Forms grids, LimeSurvey full texts): the row is the item's text."""
    found = {h: m for h in headers if not _CODE_HEADER.match(h) and (m := _BRACKET.match(h))}
    titles: dict[str, int] = {}
    for m in found.values():
        titles[m.group("title").strip()] = titles.get(m.group("title").strip(), 0) + 1
    for h, m in found.items():
        labels.setdefault(h, m.group("row").strip())
        if titles[m.group("title").strip()] > 1:  # a grid has rows; "Age [years]" alone is no grid
            groups.setdefault(h, m.group("title").strip())


def _split_shared_prefix(headers: tuple[str, ...], sep: str, labels: dict, groups: dict,
                         platform: str | None) -> None:
    """``Title<sep>Statement`` where two or more neighbouring headers share the title (Microsoft
    Forms Likert questions, Qualtrics matrix statements)."""
    parts = []
    for h in headers:
        text = labels.get(h, h) if platform == "qualtrics" else h
        i = text.find(sep)
        parts.append((text[:i].strip(), text[i + len(sep):].strip()) if i > 0 else (None, None))
    for j, (title, row) in enumerate(parts):
        if not title or not row or _bookkeeping(platform, headers[j]):
            continue
        near = [parts[k][0] for k in (j - 1, j + 1) if 0 <= k < len(parts)]
        if title in near and not re.fullmatch(r"[QqVv]?\d+", title):
            labels[headers[j]] = row
            groups[headers[j]] = title


def _limesurvey_codes(table: RawTable, headers: tuple[str, ...], columns: tuple) -> dict[str, dict[str, int]]:
    """Columns whose every answer is a LimeSurvey answer code ``A1``, ``A2`` ...: code -> position."""
    codes: dict[str, dict[str, int]] = {}
    for h, col in zip(headers, columns):
        if _bookkeeping("limesurvey", h):
            continue
        if isinstance(col, CodedColumn):  # only the values some cell uses (a dictionary may hold more)
            values = col.values[np.unique(col.codes[col.codes >= 0])]
        else:
            values = [v for v in col if v is not None]
        texts = {str(v).strip() for v in values if v is not None and str(v).strip()}
        if texts and all(re.fullmatch(r"A\d{1,3}", t) for t in texts):
            codes[h] = {t: int(t[1:]) for t in texts}
            codes[h].update({f"A{k}": k for k in range(1, 1 + max(codes[h].values()))})
    return codes


def _surveymonkey(table: RawTable) -> tuple[tuple[str, ...], dict, dict, int]:
    """Merge SurveyMonkey's two header rows: a question's text stands over its first column only."""
    second = _first_cells(table, 1)[0] if table.n_rows else [""] * len(table.headers)
    keys = _keys(table)
    plain = {"response", "open-ended response", "open ended response"}
    rid = keys.index("respondent id") if "respondent id" in keys else None
    if not (any(match_key(c) in plain for c in second) or (rid is not None and not second[rid].strip())):
        return table.headers, {}, {}, 0  # one header row: the second row is a respondent
    spans: dict[str, int] = {}
    title = ""
    owners = []
    for h in table.headers:
        if h.strip():
            title = h.strip()
        owners.append(title)
        spans[title] = spans.get(title, 0) + 1
    headers, labels, groups, seen = [], {}, {}, set()
    for h, owner, sub in zip(table.headers, owners, second):
        sub = sub.strip()
        plain = not sub or match_key(sub) in ("response", "open-ended response", "open ended response")
        if _bookkeeping("surveymonkey", owner) or (plain and spans[owner] == 1):
            name = owner
        else:
            name = f"{owner} [{sub}]" if sub else owner
            labels[name] = sub or owner
            if spans[owner] > 1:
                groups[name] = owner
        base, k = name, 2
        while name in seen:
            name, k = f"{base} ({k})", k + 1
        seen.add(name)
        headers.append(name)
    return tuple(headers), labels, groups, 1


def _qualtrics(table: RawTable) -> tuple[tuple[str, ...], dict, dict, int]:
    """Qualtrics: export tags as headers, question texts as their labels, header rows dropped."""
    keys = _keys(table)
    skip = _qualtrics_rows(table)
    texts = _first_cells(table, 1)[0] if table.n_rows else []
    headers = list(table.headers)
    labels: dict[str, str] = {}
    if keys and keys[0] == "v1":  # legacy: V1..Vn over the names of the platform's own columns
        skip = max(skip, 1)
        for j, text in enumerate(texts):
            if match_key(text) in _METADATA["qualtrics"]:
                headers[j] = text.strip()
            elif text.strip():
                labels[headers[j]] = text.strip()
    else:
        for j, text in enumerate(texts):
            if text.strip() and not _bookkeeping("qualtrics", headers[j]):
                labels[headers[j]] = text.strip()
    return tuple(headers), labels, {}, skip


def _kobotoolbox(table: RawTable) -> tuple[tuple[str, ...], dict, dict, int]:
    """KoboToolbox: ``group/name`` headers become ``name`` (the group is the item's grid)."""
    headers, groups = [], {}
    names = [h.rsplit("/", 1)[-1] if "/" in h and not _bookkeeping("kobotoolbox", h) else h for h in table.headers]
    for h, name in zip(table.headers, names):
        if name != h and names.count(name) == 1:
            headers.append(name)
            groups[name] = h.rsplit("/", 1)[0].split("/")[-1]
        else:
            headers.append(h)
    return tuple(headers), {}, groups, 0


def adapt_table(table: RawTable, platform: str | None = None,
                metadata: Mapping[str, str] | None = None) -> RawTable:
    """``table`` read as its platform means it (see the module's text for the layouts).

    ``platform`` names the platform (``None``: detect it; ``"none"``: read a plain table);
    ``metadata`` maps roles to headers (from the questionnaire) and wins over what the platform
    layout names. The result has the platform's extra header rows removed, ``labels`` holding
    each column's question or item text, ``groups`` the grid titles, ``answer_codes`` the code
    maps, and ``metadata``, ``platform`` and ``platform_given`` set. A table that no platform
    matches is returned with only the questionnaire's ``metadata`` added.

    >>> t = RawTable.from_rows("x.csv", ["Timestamp", "Service [Fast]", "Service [Kind]"],
    ...                        [["2024/01/02 10:00:00", "4", "5"]])
    >>> a = adapt_table(t)
    >>> a.platform, dict(a.metadata), a.labels["Service [Kind]"], a.groups["Service [Kind]"]
    ('google_forms', {'end': 'Timestamp'}, 'Kind', 'Service')
    """
    given = platform is not None
    name = check_platform(platform) if given else detect_platform(table)
    if name == "none":
        name = None
    headers, columns = table.headers, table.columns
    labels: dict[str, str] = dict(table.labels)
    groups: dict[str, str] = {}
    skip = 0
    if name == "qualtrics":
        headers, new_labels, groups, skip = _qualtrics(table)
        labels.update(new_labels)
        _split_shared_prefix(headers, " - ", labels, groups, "qualtrics")
    elif name == "surveymonkey":
        headers, new_labels, groups, skip = _surveymonkey(table)
        labels.update(new_labels)
    elif name == "kobotoolbox":
        headers, _, groups, skip = _kobotoolbox(table)
    elif name in ("google_forms", "limesurvey", "typeform", "porsline"):
        _split_brackets(headers, labels, groups)
    elif name == "microsoft_forms":
        _split_shared_prefix(headers, ".", labels, groups, name)
        _split_brackets(headers, labels, groups)
    if skip:
        if table.n_rows <= skip:
            raise DataError(f"has the {skip + 1} header rows of a {name} export but no respondent rows",
                            source=table.source)
        columns = _drop_rows(table, skip)
    answer_codes = _limesurvey_codes(table, headers, columns) if name == "limesurvey" else {}
    roles = _metadata(table, name, headers) if name else {}
    if metadata:
        found = {match_key(h): h for h in headers}
        for role, header in metadata.items():
            if match_key(header) not in found:
                raise DataError(f"has no column '{header}' (named as the {role} column by 'metadata' in the "
                                "questionnaire)", source=table.source, column=header)
            roles[role] = found[match_key(header)]
    # The labels of renamed headers (SPSS variable labels) follow their column.
    value_labels = dict(table.value_labels)
    user_missing = dict(table.user_missing)
    if headers != table.headers:
        for old, new in zip(table.headers, headers):
            if old != new:
                for mapping in (value_labels, user_missing):
                    if old in mapping:
                        mapping[new] = mapping.pop(old)
                if old in labels and new not in labels and name != "qualtrics":
                    labels[new] = labels.pop(old)
    return dataclasses.replace(table, headers=tuple(headers), columns=tuple(columns), labels=labels,
                               header_rows=table.header_rows + skip,
                               value_labels=value_labels, user_missing=user_missing, platform=name,
                               platform_given=given and name is not None, metadata=roles, groups=groups,
                               answer_codes=answer_codes)



#: How each platform joins the options of a multi-select (checkbox) answer in one cell.
MULTISELECT_SEPARATORS = {"google_forms": ", ", "microsoft_forms": ";", "kobotoolbox": " ", "typeform": ", ",
                          "porsline": "، ", "limesurvey": ", ", "qualtrics": ","}


#: The separators tried, in this order, on an export whose platform has none of its own (a plain
#: table, SurveyMonkey): Microsoft-Forms-like ``;``, then ``,``.
FALLBACK_SEPARATORS = (";", ", ")


def multiselect_separator(cells: Mapping[str, int], platform: str | None) -> tuple[list[str], str] | None:
    """``(options, separator)`` of a multi-select column, or ``None`` (see :func:`multiselect_options`).

    The platform's separator is tried; a platform without one (or no platform) tries
    :data:`FALLBACK_SEPARATORS` in turn.

    >>> multiselect_separator({"SMS;App;": 4, "Web;": 2, "App;Web;": 3}, None)
    (['App', 'SMS', 'Web'], ';')
    """
    own = MULTISELECT_SEPARATORS.get(platform or "")
    for sep in ((own,) if own else FALLBACK_SEPARATORS):
        options = _split_options(cells, sep)
        if options:
            return options, sep
    return None


def multiselect_options(cells: Mapping[str, int], platform: str | None) -> list[str] | None:
    """The options of a multi-select column, its cells split as the platform joins them, or ``None``.

    A column is multi-select when at least a fifth of its answers hold the separator and the split
    answers are few options that recur (at most 20, each chosen in more than one answer).

    >>> multiselect_options({"SMS, App": 5, "App": 3, "Web, SMS": 2}, "google_forms")
    ['App', 'SMS', 'Web']
    >>> multiselect_options({"Very good, thanks": 1, "ok": 1}, "google_forms") is None
    True
    """
    sep = MULTISELECT_SEPARATORS.get(platform or "")
    if not sep:
        return None
    return _split_options(cells, sep)


def _split_options(cells: Mapping[str, int], sep: str) -> list[str] | None:
    total = sum(cells.values())
    # a separator of spaces (KoboToolbox) joins when a cell holds two words
    joined = sum(n for c, n in cells.items() if isinstance(c, str) and (
        sep.strip() in c if sep.strip() else len(c.split()) > 1))
    if not total or joined < 0.2 * total:
        return None
    counts: dict[str, int] = {}
    for cell, n in cells.items():
        for part in str(cell).split(sep.strip() or None):
            part = part.strip()
            if part:
                counts[part] = counts.get(part, 0) + n
    if len(counts) > 20 or any(n < 2 for n in counts.values()):
        return None
    return sorted(counts)


# --------------------------------------------------------------------------- one column per option

#: Cells (:func:`match_key`) that say an option was *not* chosen in an export that gives a checkbox
#: question one column per option (LimeSurvey's ``N``/``No``, SPSS and KoboToolbox ``0``, Persian «خیر»).
NOT_CHOSEN = frozenset(match_key(t) for t in ("0", "0.0", "N", "No", "false", "خیر", "نه"))

#: Cells that say an option was chosen without naming it (``1``, LimeSurvey's ``Y``/``Yes``).
CHOSEN = frozenset(match_key(t) for t in ("1", "1.0", "Y", "Yes", "true", "بله", "آری", "X"))

#: ``code[SUB]`` (LimeSurvey CSV with question codes), ``code_SUB`` (LimeSurvey SPSS, Qualtrics' split
#: multi-value fields ``Q5_1``).
_PREFIXED = re.compile(r"^(?P<title>[A-Za-z][A-Za-z0-9]*)(?:\[(?P<a>[A-Za-z0-9_]+)\]|_(?P<b>[A-Za-z0-9]+))$")


@dataclass(frozen=True)
class OptionColumn:
    """One column of a question exported one column per option: its index and header, the option's
    code as the header writes it (``SQ001``, ``1``, ``sms``; ``None`` when the header has none) and
    its text (SurveyMonkey's second header row, ``Question [SMS]``, Qualtrics' choice text)."""

    index: int
    header: str
    code: str | None
    text: str | None


@dataclass(frozen=True)
class OptionGroup:
    """Neighbouring columns that share a title: a checkbox question exported one column per option
    (or a grid: which of the two is for the cells to say, see :func:`option_groups`). ``titles``
    are every name the group goes by (the code prefix first: ``channels``, ``Q5``; then the question
    text)."""

    titles: tuple[str, ...]
    columns: tuple[OptionColumn, ...]


def option_groups(table: RawTable) -> list[OptionGroup]:
    """The groups of two or more columns of an adapted ``table`` that share a title.

    A column belongs to the group titled by its code prefix (``channels[SQ001]``, ``channels_SQ001``,
    ``Q5_1``: ``channels``, ``Q5``) and to the group of its grid title (``table.groups``:
    SurveyMonkey's question text over the options, ``Question [Option]``, Qualtrics' ``Question -
    Choice``, KoboToolbox's ``channels/sms``). Groups holding the same columns are one group with
    several titles. The platform's own columns are never in a group.

    >>> t = adapt_table(RawTable.from_rows("x.csv", ["id", "submitdate", "lastpage", "ch[SQ001]", "ch[SQ002]"],
    ...                                    [["1", "2024-01-01", "2", "Y", ""]]))
    >>> [(g.titles, [(c.header, c.code) for c in g.columns]) for g in option_groups(t)]
    [(('ch',), [('ch[SQ001]', 'SQ001'), ('ch[SQ002]', 'SQ002')])]
    """
    meta = set(table.metadata.values())
    by_title: dict[str, list[OptionColumn]] = {}
    for j, header in enumerate(table.headers):
        if not isinstance(header, str) or header in meta or _bookkeeping(table.platform, header):
            continue
        label = table.labels.get(header)
        text = label if label and label != header else None
        code = None
        titles = []
        m = _PREFIXED.match(header)
        if m:
            code = m.group("a") or m.group("b")
            titles.append(m.group("title"))
        if text:  # an SPSS variable label "Question [Option]" names the option
            b = _BRACKET.match(text)
            if b and m:
                text = b.group("row").strip()
                titles.append(b.group("title").strip())
        group = table.groups.get(header)
        if table.platform == "kobotoolbox" and (group or "/" in header):
            code = header.rsplit("/", 1)[-1]
            group = group or header.rsplit("/", 1)[0].split("/")[-1]
        if group:
            titles.append(group)
        column = OptionColumn(j, header, code, text)
        for title in dict.fromkeys(titles):
            by_title.setdefault(title, []).append(column)
    merged: dict[tuple[int, ...], list[str]] = {}
    for title, columns in by_title.items():
        if len(columns) >= 2:
            merged.setdefault(tuple(c.index for c in columns), []).append(title)
    out = []
    for indices, titles in merged.items():
        columns = next(by_title[t] for t in titles)
        out.append(OptionGroup(tuple(titles), tuple(columns)))
    return out
