"""Survey-platform exports of the bundled example, built in each platform's documented layout.

``write_fixture(name, folder)`` turns questionnaires/crm_loyalty_example.csv (425 rows: 5 exact
duplicates, Persian digits, scale labels, missing codes 99/-99) into the export ``name`` and
returns its path and what it holds (``Fixture``), so that a test knows the ledger counts to
expect. The answers are copied cell for cell unless the platform writes them otherwise
(LimeSurvey answer codes ``A1`` ... ``A5``; SPSS numbers with value labels; the Persian Google
Forms labels typed with Arabic yeh and kaf, no tanween and no-break spaces). Run as a script to
write every fixture into a folder: ``python tests/platform_fixtures.py OUT``.

Layouts (read for their structure from the platforms' help pages and sample exports):

* Google Forms CSV: ``Timestamp`` (``YYYY/MM/DD h:mm:ss AM GMT+3:30``), ``Email Address``, one
  column per question, grid rows as ``Grid title [Row]``; no response id.
* Microsoft Forms xlsx: ``ID``, ``Start time``, ``Completion time``, ``Email``, ``Name``, then the
  questions; Likert statements as ``Likert title.Statement``.
* Qualtrics CSV: export tags, question texts (``Matrix text - Statement``), ``{"ImportId": ...}``;
  ``Status`` ``IP Address`` or ``Survey Preview``; ``Finished`` ``True``/``False``. Legacy: ``V1``
  ... over ``ResponseID``, ``ResponseSet`` ... and the question texts.
* SurveyMonkey CSV: two header rows (question text over its first column; ``Response`` or the
  matrix row below).
* LimeSurvey CSV: ``id``, ``submitdate`` (empty = not completed), ``lastpage``,
  ``startlanguage``, ``seed``, ``startdate``, ``datestamp``, question codes ``KCF[KCF1]``; answers
  as codes or full texts. LimeSurvey .sav: the same variables with SPSS names ``KCF_KCF1`` and
  value labels.
* KoboToolbox CSV (``;``): ``start``, ``end``, ``today``, ``deviceid``, ``group/name`` questions,
  ``_id``, ``_uuid``, ``_submission_time``, ``_validation_status``, ``_notes``, ``_status``,
  ``_submitted_by``, ``__version__``, ``_tags``, ``_index``.
* Typeform CSV: ``#``, the questions, ``Start Date (UTC)``, ``Submit Date (UTC)``, ``Network ID``.
* Porsline xlsx: ``ردیف``, the questions numbered «۱- ...:», ``تاریخ پاسخ`` (Jalali) and
  ``مدت زمان پاسخگویی`` (``mm:ss``).
"""

from __future__ import annotations

import csv
import json
import math
import sys
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "questionnaires" / "crm_loyalty_example.csv"

FIXTURES = ("google_forms", "google_forms_fa", "microsoft_forms", "qualtrics", "qualtrics_legacy", "surveymonkey",
            "limesurvey_codes", "limesurvey_answers", "limesurvey_sav", "kobotoolbox", "typeform", "porsline")

DEMOGRAPHICS = ("gender", "age_group", "education", "tenure")
PERSIAN_DIGITS = "۰۱۲۳۴۵۶۷۸۹"


@dataclass
class Fixture:
    """A written export and what it holds."""

    name: str
    path: Path
    platform: str
    #: respondent ids are the example's (``example``), generated row names (``rows``) or the
    #: platform's own id made from the example's (``platform``)
    ids: str
    #: the answers were copied cell for cell (the ledger's recoding counts are the example's)
    verbatim: bool
    #: role -> header of the platform's own columns written
    metadata: dict[str, str] = field(default_factory=dict)
    #: per data row: role -> value written (for the metadata checks)
    values: list[dict] = field(default_factory=list)
    #: rows of the file above the respondents
    header_rows: int = 1


def _example():
    with open(EXAMPLE, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    return rows[0], rows[1:]


def _questionnaire():
    sys.path.insert(0, str(ROOT / "src"))
    from loyaltysurvey.questionnaire import load_questionnaire
    return load_questionnaire(ROOT / "questionnaires" / "crm_loyalty.yaml")


def _fa_digits(text: str) -> str:
    return "".join(PERSIAN_DIGITS[int(c)] if c.isdigit() else c for c in text)


def _arabic_typed(text: str) -> str:
    """Persian text as typed on an Arabic keyboard: Arabic yeh and kaf, no tanween, no-break spaces."""
    return text.replace("ی", "ي").replace("ک", "ك").replace("\u064b", "").replace(" ", "\u00a0").replace("\u200c", " ")


def _point(reader, cell: str):
    """The scale point a cell holds (None when it holds none: empty, missing code, off the scale)."""
    reading = reader.read(cell if cell != "" else None)
    if reading.kind in ("number", "label") and not math.isnan(reading.value) and float(reading.value).is_integer():
        return int(reading.value)
    return None


def write_fixture(name: str, folder: Path) -> Fixture:
    """Write export ``name`` (one of :data:`FIXTURES`) into ``folder``; return what it holds."""
    from loyaltysurvey.ingest.cells import AnswerReader
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    q = _questionnaire()
    header, rows = _example()
    col = {h: j for j, h in enumerate(header)}
    items = q.items
    # the example's column of each item (by id, or its 'column' header)
    item_col = [col.get(i.id, col.get(i.column or "", -1)) for i in items]
    assert all(j >= 0 for j in item_col)
    demo_col = [col[d] for d in DEMOGRAPHICS]
    construct_of = {i.id: c for c in q.constructs for i in c.items}
    reader = AnswerReader(q.scale.min, q.scale.max, q.scale.label_lookup(), q.missing_codes)
    start0 = datetime(2024, 3, 1, 8, 0, 0)
    times, firsts = [], []
    for k, row in enumerate(rows):
        # a duplicate row is the same response exported twice: the same in every column
        first = next(j for j, r in enumerate(rows) if r == row)
        firsts.append(first)
        start = start0 + timedelta(minutes=7 * first)
        duration = 120 + (first * 37) % 900
        times.append((start, start + timedelta(seconds=duration), duration))
    en_demo = [d.name.get("en") for d in q.demographics]
    fa_demo = [d.name.get("fa") for d in q.demographics]

    def items_of(row):
        return [row[j] for j in item_col]

    def demos_of(row):
        return [row[j] for j in demo_col]

    rid = [row[col["respondent_id"]] for row in rows]
    fx = Fixture(name, folder, "", "platform", True)
    if name in ("google_forms", "google_forms_fa"):
        fa = name.endswith("_fa")
        if fa:
            heads = [_arabic_typed(n) for n in fa_demo] + [
                f"{_arabic_typed(construct_of[i.id].name.get('fa'))} [{_arabic_typed(i.text.get('fa'))}]" for i in items]
            labels = [_arabic_typed(t) for t in q.scale.labels["fa"]]
        else:
            heads = en_demo + [f"{construct_of[i.id].name.get('en')} [{i.text.get('en')}]" for i in items]
        out = [["Timestamp", "Email Address", *heads]]
        for row, (start, end, _) in zip(rows, times):
            cells = items_of(row)
            if fa:  # every answer chosen from the form's options: the labels as typed there
                cells = [labels[p - 1] if (p := _point(reader, c)) is not None else "" for c in cells]
            stamp = end.strftime("%Y/%m/%d %I:%M:%S %p") + " GMT+3:30"  # local time and its offset
            out.append([stamp, "", *demos_of(row), *cells])
        path = folder / f"{name}.csv"
        _write_csv(path, out)
        fx.platform, fx.ids, fx.verbatim = "google_forms", "rows", not fa
        fx.metadata = {"end": "Timestamp", "email": "Email Address"}
        fx.values = [{"end": end - timedelta(hours=3, minutes=30)} for _, end, _ in times]
    elif name == "microsoft_forms":
        heads = en_demo + [f"{construct_of[i.id].name.get('en')}.{i.text.get('en')}" for i in items]
        out = [["ID", "Start time", "Completion time", "Email", "Name", *heads]]
        for row, r, (start, end, _) in zip(rows, rid, times):
            out.append([int(r[1:]), start, end, "anonymous", None, *demos_of(row), *items_of(row)])
        path = folder / f"{name}.xlsx"
        _write_xlsx(path, out)
        fx.platform = "microsoft_forms"
        fx.metadata = {"id": "ID", "start": "Start time", "end": "Completion time", "email": "Email", "name": "Name",
                       "duration": "Completion time - Start time"}
        fx.values = [{"start": s, "end": e, "duration": d} for s, e, d in times]
    elif name == "qualtrics":
        meta = ["StartDate", "EndDate", "Status", "IPAddress", "Progress", "Duration (in seconds)", "Finished",
                "RecordedDate", "ResponseId", "RecipientLastName", "RecipientFirstName", "RecipientEmail",
                "ExternalReference", "LocationLatitude", "LocationLongitude", "DistributionChannel", "UserLanguage"]
        meta_text = ["Start Date", "End Date", "Response Type", "IP Address", "Progress", "Duration (in seconds)",
                     "Finished", "Recorded Date", "Response ID", "Recipient Last Name", "Recipient First Name",
                     "Recipient Email", "External Data Reference", "Location Latitude", "Location Longitude",
                     "Distribution Channel", "User Language"]
        import_ids = ["startDate", "endDate", "status", "ipAddress", "progress", "duration", "finished",
                      "recordedDate", "_recordId", "recipientLastName", "recipientFirstName", "recipientEmail",
                      "externalDataReference", "locationLatitude", "locationLongitude", "distributionChannel",
                      "userLanguage"]
        tags = ["gender", "agegroup", "education", "tenure"] + [f"{construct_of[i.id].id}_{i.id}" for i in items]
        texts = en_demo + [f"{construct_of[i.id].name.get('en')} - {i.text.get('en')}" for i in items]
        out = [meta + tags, meta_text + texts,
               [json.dumps({"ImportId": m, **({"timeZone": "Asia/Tehran"} if "Date" in t else {})})
                for m, t in zip(import_ids, meta)] + [json.dumps({"ImportId": f"QID{k}"}) for k in range(1, len(tags) + 1)]]
        values = []
        for k, (row, r, (start, end, duration)) in enumerate(zip(rows, rid, times)):
            preview = firsts[k] % 50 == 7
            progress = 100 if firsts[k] % 40 != 3 else 60
            finished = progress == 100
            out.append([start.strftime("%Y-%m-%d %H:%M:%S"), end.strftime("%Y-%m-%d %H:%M:%S"),
                        "Survey Preview" if preview else "IP Address", f"10.0.{firsts[k] // 250}.{firsts[k] % 250}", progress,
                        duration, "True" if finished else "False", end.strftime("%Y-%m-%d %H:%M:%S"), f"R_{r}",
                        "", "", "", "", "35.7", "51.4", "preview" if preview else "anonymous", "FA",
                        *demos_of(row), *items_of(row)])
            values.append({"start": start, "end": end, "duration": float(duration), "preview": preview,
                           "progress": float(progress), "finished": finished})
        path = folder / f"{name}.csv"
        _write_csv(path, out)
        fx.platform, fx.header_rows = "qualtrics", 3
        fx.metadata = {"start": "StartDate", "end": "EndDate", "status": "Status", "ip": "IPAddress",
                       "progress": "Progress", "duration": "Duration (in seconds)", "finished": "Finished",
                       "submitdate": "RecordedDate", "id": "ResponseId", "language": "UserLanguage", "email": "RecipientEmail",
                       "preview": "Status"}
        fx.values = values
    elif name == "qualtrics_legacy":
        names = ["ResponseID", "ResponseSet", "Name", "ExternalDataReference", "EmailAddress", "IPAddress", "Status",
                 "StartDate", "EndDate", "Finished"]
        n_q = len(DEMOGRAPHICS)
        heads = [f"V{k}" for k in range(1, len(names) + 1)] + [f"Q{k}" for k in range(1, n_q + 1)]
        texts = names + en_demo
        for c_no, construct in enumerate(q.constructs, start=n_q + 1):
            for s_no, item in enumerate(construct.items, start=1):
                heads.append(f"Q{c_no}_{s_no}")
                texts.append(f"{construct.name.get('en')} - {item.text.get('en')}")
        order = [i.id for c in q.constructs for i in c.items]
        out = [heads, texts]
        for k, (row, r, (start, end, _)) in enumerate(zip(rows, rid, times)):
            cells = dict(zip([i.id for i in items], items_of(row)))
            out.append([f"R_{r}", "Default Response Set", "Anonymous", "", "", f"10.0.0.{firsts[k] % 250}", 0,
                        start.strftime("%Y-%m-%d %H:%M:%S"), end.strftime("%Y-%m-%d %H:%M:%S"), 1,
                        *demos_of(row), *[cells[i] for i in order]])
        path = folder / f"{name}.csv"
        _write_csv(path, out)
        fx.platform, fx.header_rows = "qualtrics", 2
        fx.metadata = {"id": "ResponseID", "ip": "IPAddress", "status": "Status", "start": "StartDate",
                       "end": "EndDate", "finished": "Finished", "preview": "Status", "name": "Name",
                       "email": "EmailAddress", "duration": "EndDate - StartDate"}
        fx.values = [{"finished": True, "preview": False, "start": s, "end": e} for s, e, _ in times]
    elif name == "surveymonkey":
        meta = ["Respondent ID", "Collector ID", "Start Date", "End Date", "IP Address", "Email Address",
                "First Name", "Last Name", "Custom Data 1"]
        top, second = list(meta), [""] * len(meta)
        for d in en_demo:
            top.append(d)
            second.append("Response")
        for construct in q.constructs:
            for s_no, item in enumerate(construct.items):
                top.append(f"{construct.name.get('en')}: how far do you agree?" if s_no == 0 else "")
                second.append(item.text.get("en"))
        out = [top, second]
        for k, (row, r, (start, end, _)) in enumerate(zip(rows, rid, times)):
            out.append([int(r[1:]) + 11_000_000_000, 400_000_000, start.strftime("%m/%d/%Y %I:%M:%S %p"),
                        end.strftime("%m/%d/%Y %I:%M:%S %p"), f"10.1.0.{firsts[k] % 250}", "", "", "", "",
                        *demos_of(row), *items_of(row)])
        path = folder / f"{name}.csv"
        _write_csv(path, out)
        fx.platform, fx.header_rows = "surveymonkey", 2
        fx.metadata = {"id": "Respondent ID", "start": "Start Date", "end": "End Date", "ip": "IP Address",
                       "email": "Email Address", "duration": "End Date - Start Date"}
        fx.values = [{"start": s, "end": e, "duration": float(d)} for s, e, d in times]
    elif name in ("limesurvey_codes", "limesurvey_answers", "limesurvey_sav"):
        sav = name.endswith("sav")
        meta = ["id", "submitdate", "lastpage", "startlanguage", "seed", "startdate", "datestamp"]
        code = {"age_group": "agegroup"}
        demo_heads = [code.get(d, d) for d in DEMOGRAPHICS]
        item_heads = [f"{construct_of[i.id].id}{'_' if sav else '['}{i.id}{'' if sav else ']'}" for i in items]
        out = [meta + demo_heads + item_heads]
        values = []
        ids = {}
        for k, (row, r, (start, end, _)) in enumerate(zip(rows, rid, times)):
            complete = firsts[k] % 30 != 11
            number = ids.setdefault(r, len(ids) + 1)
            cells = items_of(row)
            if name == "limesurvey_codes":
                cells = [f"A{p}" if (p := _point(reader, c)) is not None else "" for c in cells]
            elif sav:
                cells = [float(p) if (p := _point(reader, c)) is not None else float("nan") for c in cells]
            demos = demos_of(row)
            if sav:
                demos = [_demo_code(q, d, v) for d, v in zip(DEMOGRAPHICS, demos)]
            out.append([number, end.strftime("%Y-%m-%d %H:%M:%S") if complete else "", 3 if complete else 2, "fa",
                        1000 + number, start.strftime("%Y-%m-%d %H:%M:%S"), end.strftime("%Y-%m-%d %H:%M:%S"),
                        *demos, *cells])
            values.append({"finished": complete, "lastpage": 3.0 if complete else 2.0, "start": start, "end": end})
        if sav:
            path = folder / f"{name}.sav"
            _write_sav(path, out, q, item_heads, demo_heads)
        else:
            path = folder / f"{name}.csv"
            _write_csv(path, out)
        fx.platform = "limesurvey"
        fx.verbatim = name == "limesurvey_answers"
        fx.metadata = {"id": "id", "submitdate": "submitdate", "lastpage": "lastpage", "language": "startlanguage",
                       "start": "startdate", "end": "datestamp", "finished": "submitdate",
                       "duration": "datestamp - startdate"}
        fx.values = values
    elif name == "kobotoolbox":
        meta_head = ["start", "end", "today", "deviceid"]
        tail = ["_id", "_uuid", "_submission_time", "_validation_status", "_notes", "_status", "_submitted_by",
                "__version__", "_tags", "_index"]
        out = [meta_head + list(DEMOGRAPHICS) + [f"{construct_of[i.id].id}/{i.id}" for i in items] + tail]
        for k, (row, r, (start, end, _)) in enumerate(zip(rows, rid, times)):
            out.append([start.isoformat(timespec="milliseconds") + "+03:30", end.isoformat(timespec="milliseconds") + "+03:30",
                        start.date().isoformat(), "ee.kobotoolbox.org:abc", *demos_of(row), *items_of(row),
                        500000 + firsts[k], f"uuid-{r.lower()}", (end - timedelta(hours=3, minutes=30)).isoformat(), "", "",
                        "submitted_via_web", "", "vabc", "", firsts[k] + 1])
        path = folder / f"{name}.csv"
        _write_csv(path, out, delimiter=";")
        fx.platform = "kobotoolbox"
        fx.metadata = {"start": "start", "end": "end", "id": "_uuid", "submitdate": "_submission_time",
                       "duration": "end - start"}
        fx.values = [{"start": s - timedelta(hours=3, minutes=30), "end": e - timedelta(hours=3, minutes=30),
                      "duration": float(d)} for s, e, d in times]
    elif name == "typeform":
        out = [["#", *en_demo, *[i.text.get("en") for i in items], "Start Date (UTC)", "Submit Date (UTC)",
                "Network ID"]]
        for k, (row, r, (start, end, _)) in enumerate(zip(rows, rid, times)):
            out.append([f"tok{r.lower()}", *demos_of(row), *items_of(row), start.strftime("%Y-%m-%d %H:%M:%S"),
                        end.strftime("%Y-%m-%d %H:%M:%S"), f"net{firsts[k] % 97}"])
        path = folder / f"{name}.csv"
        _write_csv(path, out)
        fx.platform = "typeform"
        fx.metadata = {"id": "#", "start": "Start Date (UTC)", "end": "Submit Date (UTC)",
                       "duration": "Submit Date (UTC) - Start Date (UTC)"}
        fx.values = [{"start": s, "end": e, "duration": float(d)} for s, e, d in times]
    elif name == "porsline":
        from loyaltysurvey.report.locale import jalali_date
        heads = [f"{_fa_digits(str(n))}- {t}:" for n, t in enumerate(fa_demo + [i.text.get("fa") for i in items], 1)]
        out = [["ردیف", *heads, "تاریخ پاسخ", "مدت زمان پاسخگویی"]]
        for k, (row, (start, end, duration)) in enumerate(zip(rows, times)):
            y, m, d = jalali_date(end.date())
            stamp = _fa_digits(f"{y}/{m:02d}/{d:02d} {end.hour:02d}:{end.minute:02d}")
            out.append([k + 1, *demos_of(row), *items_of(row), stamp,
                        _fa_digits(f"{duration // 60:02d}:{duration % 60:02d}")])
        path = folder / f"{name}.xlsx"
        _write_xlsx(path, out)
        fx.platform, fx.ids = "porsline", "rows"
        fx.metadata = {"id": "ردیف", "end": "تاریخ پاسخ", "duration": "مدت زمان پاسخگویی"}
        fx.values = [{"end": e.replace(second=0), "duration": float(d)} for _, e, d in times]
    else:
        raise ValueError(name)
    fx.path = path
    return fx


def _demo_code(q, demo_id: str, cell: str):
    """A demographic cell as its numeric code (SPSS), NaN when it is not one of the codes."""
    from loyaltysurvey.ingest.cells import compact_key, normalize_code
    from loyaltysurvey.text import match_key
    demo = next(d for d in q.demographics if d.id == demo_id)
    code = normalize_code(cell) if cell else None
    if code in demo.values:
        return float(code)
    for value, label in demo.values.items():
        if code is not None and any(compact_key(match_key(t)) == compact_key(match_key(code)) for t in label.all()):
            return float(value)
    return float("nan")


def _write_csv(path: Path, rows, delimiter: str = ",") -> None:
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        csv.writer(fh, delimiter=delimiter).writerows(rows)


def _write_xlsx(path: Path, rows) -> None:
    from openpyxl import Workbook
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append([None if v == "" else v for v in row])
    book.save(path)


def _write_sav(path: Path, rows, q, item_heads, demo_heads) -> None:
    import pandas as pd
    import pyreadstat
    frame = pd.DataFrame(rows[1:], columns=rows[0])
    labels = {float(p): lab for p, lab in zip(q.scale.points, q.scale.labels["en"])}
    value_labels = {h: labels for h in item_heads}
    for d, h in zip(DEMOGRAPHICS, demo_heads):
        demo = next(x for x in q.demographics if x.id == d)
        value_labels[h] = {float(c): lab.get("en") for c, lab in demo.values.items()}
    column_labels = {"id": "Response ID", "submitdate": "Date submitted", "lastpage": "Last page",
                     "startlanguage": "Start language", "seed": "Seed"}
    for item, h in zip(q.items, item_heads):
        column_labels[h] = item.text.get("en")
    pyreadstat.write_sav(frame, str(path), column_labels=[column_labels.get(c, c) for c in frame.columns],
                         variable_value_labels=value_labels)


if __name__ == "__main__":
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "platform_exports")
    for fixture in FIXTURES:
        print(write_fixture(fixture, out).path)
