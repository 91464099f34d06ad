"""A questionnaire drafted from a response export (``loyaltysurvey new --from-export``).

The export is read as its platform means it (:mod:`loyaltysurvey.ingest.platforms`); then every
column that is not the platform's own is sorted: a **question** when its answers are numbers on a
short integer scale, scale labels of a common agreement, satisfaction or amount scale (English or
Persian), or the platform's answer codes; a **demographic** when it holds a few distinct answers
(at most :data:`MAX_CATEGORIES`), a **multi-select demographic** (``multiple: true``) when its
cells join a few recurring options with the platform's separator
(:func:`~loyaltysurvey.ingest.platforms.multiselect_separator`) or a group of option columns
holds its ticks (SurveyMonkey, LimeSurvey, Qualtrics' split fields, KoboToolbox); anything else (free text, ids) is left out and listed in the
file's opening comment. The scale is inferred from the answers (its labels as the export writes
them), numbers far off the scale (``99``, ``-99``) become missing codes, constructs come from the
grid titles or the ids' prefixes (``KCF1`` … ``KCF5`` → ``KCF``). Every item keeps its header as
``column:``, its text in the export's language. The file validates as it is and is meant to be
edited: constructs, reverse-worded items and the model are the user's to check or write.
"""

from __future__ import annotations

import os
import re
from collections import Counter, OrderedDict
from typing import Any

import yaml

from ..errors import DataError
from ..text import match_key, to_ascii_digits

__all__ = ["draft_from_export", "draft_yaml", "KNOWN_SCALES", "MAX_CATEGORIES"]

#: A column with at most this many distinct answers (and not a question) is a demographic.
MAX_CATEGORIES = 12

#: Common rating scales: per point, the ways it is written (English and Persian). The first
#: English and first Persian spelling are the labels written when the export does not show a point.
KNOWN_SCALES: tuple[tuple[tuple[str, ...], ...], ...] = (
    (("Strongly disagree", "کاملاً مخالفم", "کاملا مخالفم", "کاملاً مخالف", "کاملا مخالف", "کاملا مخالفم"),
     ("Disagree", "مخالفم", "مخالف"),
     ("Neutral", "Neither agree nor disagree", "نظری ندارم", "نه موافقم نه مخالفم", "بی‌نظر", "متوسط", "ممتنع"),
     ("Agree", "موافقم", "موافق"),
     ("Strongly agree", "کاملاً موافقم", "کاملا موافقم", "کاملاً موافق", "کاملا موافق")),
    (("Strongly disagree", "کاملاً مخالفم"), ("Disagree", "مخالفم"), ("Somewhat disagree", "تا حدی مخالفم"),
     ("Neither agree nor disagree", "Neutral", "نظری ندارم"), ("Somewhat agree", "تا حدی موافقم"),
     ("Agree", "موافقم"), ("Strongly agree", "کاملاً موافقم")),
    (("Very dissatisfied", "کاملاً ناراضی", "خیلی ناراضی"), ("Dissatisfied", "ناراضی"),
     ("Neutral", "Neither satisfied nor dissatisfied", "نظری ندارم", "متوسط"), ("Satisfied", "راضی"),
     ("Very satisfied", "کاملاً راضی", "خیلی راضی")),
    (("Very low", "Very little", "خیلی کم", "بسیار کم"), ("Low", "Little", "کم"), ("Moderate", "Medium", "متوسط"),
     ("High", "Much", "زیاد"), ("Very high", "Very much", "خیلی زیاد", "بسیار زیاد")),
)

_PERSIAN = re.compile("[\u0600-\u06ff]")
_CODE = re.compile(r"^[A-Za-z][A-Za-z0-9_.]*$")
_LIME = re.compile(r"^([A-Za-z][A-Za-z0-9]*)\[([A-Za-z][A-Za-z0-9_]*)\]$")
_TAGGED = re.compile(r"^([A-Za-z][A-Za-z0-9]*)_([A-Za-z0-9]+)$")
_PREFIX = re.compile(r"^([A-Za-z]+?)_?\d+$")


def _number(cell: Any) -> float | None:
    if isinstance(cell, bool) or cell is None:
        return None
    if isinstance(cell, (int, float)):
        return float(cell)
    text, _, _ = to_ascii_digits(str(cell).strip())
    try:
        return float(text)
    except ValueError:
        return None


def _scale_lookup() -> list[dict[str, int]]:
    return [{match_key(v).replace(" ", ""): p for p, variants in enumerate(scale, 1) for v in variants}
            for scale in KNOWN_SCALES]


def _distinct(column) -> Counter:
    from ..ingest.distinct import distinct_cells
    import numpy as np
    codes, values = distinct_cells(column)
    counts = np.bincount(codes, minlength=len(values))
    return Counter({values[k]: int(n) for k, n in enumerate(counts) if n and values[k] is not None
                    and not (isinstance(values[k], str) and not values[k].strip())})


class _Column:
    def __init__(self, index: int, header: str, cells: Counter, group: str | None = None,
                 value_labels: dict | None = None) -> None:
        self.index, self.header, self.cells = index, header, cells
        self.group, self.value_labels = group, value_labels
        code = _LIME.match(header) or _TAGGED.match(header)
        if not group and code and code.group(2)[0].isalpha():  # KCF[KCF1], KCF_KCF1: an array's subquestion
            self.group = code.group(1)
        self.numbers = Counter()
        self.texts = Counter()
        for cell, n in cells.items():
            number = _number(cell)
            if number is None:
                self.texts[str(cell).strip()] += n
            else:
                self.numbers[number] += n


def _classify(columns: list[_Column], answer_codes: dict) -> tuple[list[_Column], list[_Column], list[_Column],
                                                                     int | None, list[str], set[float]]:
    """(questions, demographics, left out, the known scale used, its labels as seen, missing numbers)."""
    lookups = _scale_lookup()
    votes = Counter()
    for col in columns:
        texts = Counter(col.texts)
        for label in (col.value_labels or {}).values():
            texts[str(label)] += 1
        for k, lookup in enumerate(lookups):
            hits = sum(n for t, n in texts.items() if match_key(t).replace(" ", "") in lookup)
            if hits:
                votes[k] += hits
    scale = votes.most_common(1)[0][0] if votes else None
    lookup = lookups[scale] if scale is not None else {}
    questions, demographics, left = [], [], []
    # a grid's columns are questions: once some column sits in a grid, a column outside every grid
    # needs scale labels to count as a question (a 1-5 coded age group is not one)
    gridded = any(col.group for col in columns)
    for col in columns:
        if col.value_labels is not None and col.header not in answer_codes:  # SPSS: its labels say which
            if all(match_key(str(v)).replace(" ", "") in lookup for v in col.value_labels.values()) \
                    and col.value_labels:
                questions.append(col)
            elif 1 < len(col.cells) <= MAX_CATEGORIES:
                demographics.append(col)
            else:
                left.append(col)
            continue
        if gridded and not col.group and col.header not in answer_codes and not col.texts:
            if 1 < len(col.cells) <= MAX_CATEGORIES:
                demographics.append(col)
            else:
                left.append(col)
            continue
        total = sum(col.cells.values())
        on_scale_text = sum(n for t, n in col.texts.items() if match_key(t).replace(" ", "") in lookup)
        small = sum(n for v, n in col.numbers.items() if v.is_integer() and -1 <= v <= 11)
        far = sum(n for v, n in col.numbers.items() if abs(v) >= 90)
        coded = col.header in answer_codes
        if total and (coded or (on_scale_text + small + far) >= 0.9 * total and (on_scale_text or
                                                                               len({v for v in col.numbers if -1 <= v <= 11}) >= 3)):
            questions.append(col)
        elif 1 < len(col.cells) <= MAX_CATEGORIES:
            demographics.append(col)
        else:
            left.append(col)
    seen_labels: dict[int, Counter] = {}
    missing: set[float] = set()
    for col in questions:
        for t, n in col.texts.items():
            point = lookup.get(match_key(t).replace(" ", ""))
            if point:
                seen_labels.setdefault(point, Counter())[t] += n
        missing |= {v for v in col.numbers if abs(v) >= 90}
    labels = [seen_labels[p].most_common(1)[0][0] for p in sorted(seen_labels)]
    return questions, demographics, left, scale, labels, missing


#: The write-in option of a checkbox question ("Other (please specify)", LimeSurvey's ``other``,
#: «سایر»/«غیره»/«دیگر»): its column holds the text typed, and a respondent who typed chose it.
_OTHER = re.compile(r"^(other|سایر|غیره|دیگر|موارد دیگر)\b")


def _option_columns(table, columns: list[_Column]) -> list[tuple[Any, list[_Column]]]:
    """The checkbox questions exported one column per option (removed from ``columns``): each
    :class:`~loyaltysurvey.ingest.platforms.OptionGroup` whose every cell is a chosen or not-chosen
    mark (``1``/``0``, ``Y``/``N``, ``Yes``/``No`` ...) or the option's own text (SurveyMonkey),
    some of them chosen; the column of an "Other (please specify)" option may hold any text."""
    from ..ingest.platforms import CHOSEN, NOT_CHOSEN, option_groups
    by_index = {c.index: c for c in columns}
    found = []
    for group in option_groups(table):
        cols = [by_index.get(c.index) for c in group.columns]
        if any(c is None for c in cols):  # the platform's own columns, or another group's
            continue
        chosen = 0
        for option, col in zip(group.columns, cols):
            if _OTHER.match(match_key(option.text or option.code or "")):  # "Other (please specify)": typed text
                chosen += sum(col.cells.values())
                continue
            for cell, n in col.cells.items():
                key = match_key(to_ascii_digits(str(cell).strip())[0])
                if key in CHOSEN or (option.text and key == match_key(option.text)):
                    chosen += n
                elif key not in NOT_CHOSEN:
                    break
            else:
                continue
            break
        else:
            if chosen:
                for col in cols:
                    columns.remove(col)
                    del by_index[col.index]
                found.append((group, cols))
    return found


def draft_yaml(table, source: str = "") -> str:
    """The questionnaire YAML drafted from an adapted :class:`~loyaltysurvey.ingest.readers.RawTable`."""
    meta_headers = set(table.metadata.values())
    from ..ingest.platforms import _bookkeeping
    columns = []
    for j, header in enumerate(table.headers):
        if header in meta_headers or _bookkeeping(table.platform, header) or not header.strip():
            continue
        columns.append(_Column(j, header, _distinct(table.columns[j]), table.groups.get(header),
                               table.value_labels.get(header)))
    from ..ingest.platforms import MULTISELECT_SEPARATORS, multiselect_separator
    checkbox = _option_columns(table, columns)  # first: a write-in "Other" column is no joined column
    multi = []
    for col in list(columns):  # checkbox questions: options joined in one cell, not one answer
        found = multiselect_separator({str(k): n for k, n in col.cells.items()}, table.platform)
        if found and (not col.numbers or all(_number(o) is not None for o in found[0])):
            multi.append((col, *found))
            columns.remove(col)
    # KoboToolbox's per-option copies (channels/sms ...) of a joined column (channels): not proposed
    joined = {match_key(col.header) for col, *_ in multi}
    checkbox = [(g, cols) for g, cols in checkbox if not joined & {match_key(t) for t in g.titles}]
    questions, demographics, left, scale_no, seen, missing = _classify(columns, dict(table.answer_codes))
    if not questions:
        raise DataError("no column looks like a rating question (numbers on a short scale or agreement labels); "
                        "write the questionnaire by hand (see questionnaires/crm_loyalty.yaml)", source=source)
    texts = [table.labels.get(c.header, c.header) for c in questions]
    lang = "fa" if sum(bool(_PERSIAN.search(t)) for t in texts) > len(texts) / 2 else "en"
    # the scale
    # the scale runs over the whole numbers that are answered often (a stray 55 is a typing slip, not a point)
    counts = Counter()
    for c in questions:
        counts.update({v: n for v, n in c.numbers.items() if v not in missing and v.is_integer()})
    total = sum(counts.values())
    numbers = [v for v, n in counts.items() if n >= max(2, 0.005 * total)]
    n_points = len(KNOWN_SCALES[scale_no]) if scale_no is not None else 0
    coded = [max(table.answer_codes[c.header].values()) for c in questions if c.header in table.answer_codes]
    lo = int(min(numbers)) if numbers else 1
    hi = int(max(numbers)) if numbers else 1
    if n_points and (not numbers or lo >= 1):
        lo, hi = 1, max(hi, n_points)
    if coded:
        lo, hi = 1, max(hi, *coded)
    scale: dict[str, Any] = {"min": lo, "max": hi}
    if scale_no is not None and hi - lo + 1 == n_points:
        points = KNOWN_SCALES[scale_no]
        seen_by_point = {}
        lookup = _scale_lookup()[scale_no]
        for label in seen:
            seen_by_point[lookup[match_key(label).replace(" ", "")]] = label
        for language in ("en", "fa"):
            chosen = []
            for p, variants in enumerate(points, 1):
                own = seen_by_point.get(p)
                if own and bool(_PERSIAN.search(own)) == (language == "fa"):
                    chosen.append(own)
                else:
                    chosen.append(next(v for v in variants if bool(_PERSIAN.search(v)) == (language == "fa")))
            scale.setdefault("labels", {})[language] = chosen
    # items and constructs
    taken = {match_key(h) for h in table.headers}
    used: set[str] = set()

    def fresh(base: str) -> str:
        k = 1
        while f"{base}{k}".casefold() in used or match_key(f"{base}{k}") in taken:
            k += 1
        used.add(f"{base}{k}".casefold())
        return f"{base}{k}"

    groups: "OrderedDict[str, list]" = OrderedDict()
    for col, text in zip(questions, texts):
        header = col.header
        lime, tagged = _LIME.match(header), _TAGGED.match(header)
        if lime:
            iid, prefix = lime.group(2), lime.group(1)
        elif tagged and tagged.group(2)[0].isalpha():
            iid, prefix = tagged.group(2), tagged.group(1)
        elif _CODE.match(header) and header.casefold() not in used:
            iid = header
            m = _PREFIX.match(header)
            prefix = m.group(1) if m else None
        else:
            iid, prefix = None, None
        generated = iid is None or iid.casefold() in used
        if generated:
            iid = fresh("I")
        used.add(iid.casefold())
        group = table.groups.get(header) or prefix or "F"
        groups.setdefault(group, []).append({"id": iid, "column": header, "text": {lang: text},
                                             "_generated": generated})
    constructs = []
    construct_ids: set[str] = set()
    for title, entries in groups.items():
        ids = [e["id"] for e in entries]
        common = os.path.commonprefix(ids).rstrip("_0123456789")
        if any([e.pop("_generated") for e in entries]) or len(common) < 2:
            common = ""
        cid = common if common and _CODE.match(common) and common.casefold() not in construct_ids | used else None
        if cid is None:
            k = len(constructs) + 1
            while f"C{k}".casefold() in construct_ids | used:
                k += 1
            cid = f"C{k}"
        construct_ids.add(cid.casefold())
        constructs.append({"id": cid, "name": {lang: title if title != "F" else "Factor"}, "items": entries})
    demos = []
    for col in demographics:
        header = col.header
        slug = re.sub(r"[^A-Za-z0-9]+", "_", table.labels.get(header, header)).strip("_").lower()
        did = slug if slug and _CODE.match(slug) and slug.casefold() not in used | construct_ids else fresh("D")
        used.add(did.casefold())
        values: dict[str, Any] = {}
        for number in sorted(col.numbers):  # numbers are codes as written
            code = str(int(number)) if number.is_integer() else str(number)
            values[code] = {lang: code}
        k = 0
        for text in sorted(col.texts):  # texts are labels, under codes of their own
            k += 1
            while (code := f"{'x' if col.numbers else ''}{k}") in values:
                k += 1
            values[code] = {lang: text}
        if col.value_labels:  # SPSS value labels name the codes
            values = {str(int(c)) if isinstance(c, float) and c.is_integer() else str(c): {lang: str(v)}
                      for c, v in col.value_labels.items()}
        demos.append({"id": did, "name": {lang: table.labels.get(header, header)}, "column": header,
                      "values": values})
    for col, options, separator in multi:  # checkbox questions: one demographic, 'multiple: true'
        header = col.header
        slug = re.sub(r"[^A-Za-z0-9]+", "_", table.labels.get(header, header)).strip("_").lower()
        did = slug if slug and _CODE.match(slug) and slug.casefold() not in used | construct_ids else fresh("D")
        used.add(did.casefold())
        numbers = [_number(o) for o in options]
        if all(n is not None for n in numbers):  # coded options (1;3): the codes as written
            values = {str(int(n)) if n.is_integer() else str(n): {lang: o}
                      for n, o in sorted(zip(numbers, options))}
        elif table.platform == "kobotoolbox" and all(_CODE.match(o) for o in options):  # the form's choice names
            values = {o: {lang: o} for o in options}
        else:  # option texts, under codes 1..k
            values = {str(k): {lang: o} for k, o in enumerate(options, 1)}
        entry = {"id": did, "name": {lang: table.labels.get(header, header)}, "column": header, "multiple": True,
                 "values": values}
        if separator != MULTISELECT_SEPARATORS.get(table.platform or ""):
            entry["separator"] = separator
        demos.append(entry)
    for group, cols in checkbox:  # a checkbox question exported one column per option
        prefix = group.titles[0]
        name = next((t for t in group.titles if t != prefix), prefix) if _CODE.match(prefix) else prefix
        slug = re.sub(r"[^A-Za-z0-9]+", "_", name).strip("_").lower()
        did = slug if slug and _CODE.match(slug) and slug.casefold() not in used | construct_ids else fresh("D")
        used.add(did.casefold())
        codes = [c.code for c in group.columns]
        if all(codes) and len(set(codes)) == len(codes):  # the platform's codes (SQ001, 1, sms)
            values = {c.code: {lang: c.text or c.code} for c in group.columns}
        else:  # option texts, under codes 1..k
            values = {str(k): {lang: c.text or c.header} for k, c in enumerate(group.columns, 1)}
        demos.append({"id": did, "name": {lang: name}, "column": prefix, "multiple": True, "values": values})
    doc: dict[str, Any] = {
        "id": "drafted-from-export",
        "title": {lang: "Questionnaire drafted from " + (os.path.basename(source) or "an export")},
        "language": lang,
        "scale": scale,
    }
    if missing:
        doc["missing_codes"] = sorted(int(v) if float(v).is_integer() else v for v in missing)
    if "id" in table.metadata:
        doc["respondent_id"] = table.metadata["id"]
    meta = {role: header for role, header in table.metadata.items() if role != "id"}
    if meta:
        doc["metadata"] = meta
    doc["constructs"] = constructs
    if demos:
        doc["demographics"] = demos
    head = [f"# Drafted by 'loyaltysurvey new --from-export' from {os.path.basename(source) or 'an export'}"
            + (f" ({table.platform} export)" if table.platform else "") + ".",
            "# Check the scale, the constructs (from grid titles or id prefixes) and the demographics;",
            "# mark reverse-worded items with 'reverse: true' and add the structural 'model:' and 'hypotheses:'."]
    if left:
        head.append("# Left out (free text, ids or too many distinct answers): "
                    + ", ".join(repr(c.header) for c in left[:20]) + (" ..." if len(left) > 20 else ""))
    return "\n".join(head) + "\n" + yaml.safe_dump(doc, allow_unicode=True, sort_keys=False, width=120)


def draft_from_export(path: "str | os.PathLike", *, platform: str | None = None, sheet: str | None = None,
                      encoding: str | None = None) -> str:
    """The YAML text of a questionnaire drafted from the export at ``path`` (see the module's text).

    ``platform`` names the survey platform (detected when not given); ``sheet`` and ``encoding``
    as for ingestion. Raises :class:`~loyaltysurvey.errors.DataError` when no column looks like a
    rating question. Tested in tests/test_platforms.py (a draft of every platform fixture loads
    and analyses).
    """
    from ..ingest import adapt_table, read_table
    table = adapt_table(read_table(path, sheet=sheet, encoding=encoding), platform)
    return draft_yaml(table, str(path))
