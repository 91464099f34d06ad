"""The edges: read files, run the pure stages, write the outputs.

``questionnaire -> ingest -> analyses -> report model -> renderers``; every function here is a
thin sequence of those stages plus file writing, shared by the command line and by Python users
(:meth:`loyaltysurvey.Study.write` calls :func:`write_study`).
"""

from __future__ import annotations

import json
import math
import os
from contextlib import nullcontext
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

import numpy as np
import pandas as pd

from .errors import DataError, LoyaltySurveyError
from .ingest import IngestResult, ingest
from .ingest.distinct import distinct_cells
from .questionnaire import Questionnaire, load_questionnaire
from .resources import bundled_path
from .safety import FORMULA_PREFIXES, neutralize

if TYPE_CHECKING:
    from .report.painting import Painter
    from .study import Study

__all__ = ["write_ingest", "write_study", "run_ingest", "run_analyze", "run_demo", "DEMO_QUESTIONNAIRE",
           "DEMO_DATA"]

DEMO_QUESTIONNAIRE = ("questionnaires", "crm_loyalty.yaml")
DEMO_DATA = ("questionnaires", "crm_loyalty_example.csv")

Progress = Callable[[str], Any]


def clean_frame(data: IngestResult) -> pd.DataFrame:
    """``clean.csv``'s content: respondent id, items as answered (not reversed), demographics.

    >>> from loyaltysurvey.datasets import crm_questionnaire, crm_export
    >>> frame = clean_frame(ingest(crm_questionnaire(), crm_export()))
    >>> frame.shape, list(frame.columns[:3]), list(frame.columns[-2:])
    ((420, 30), ['respondent_id', 'KCF1', 'KCF2'], ['education', 'tenure'])
    """
    frame = data.responses.copy()
    for column in data.demographics.columns:
        frame[column] = data.demographics[column]
    return frame.reset_index()


def csv_text(frame: pd.DataFrame) -> str:
    r"""``frame.to_csv(index=False, lineterminator="\n")``, written through each
    column's distinct cells: every distinct value is formatted once, as pandas formats it (a float by
    its ``repr``, a missing value as nothing, a text quoted only when it holds a comma, a quote or a
    line break; a carriage return is quoted too, where pandas leaves it bare for readers to take
    as the end of a row), and the rows are joined at compiled speed. pandas formats every float of every row
    in Python (19 s for a million respondents); this takes a tenth of that. Equal to ``to_csv`` on
    the hostile and random frames of tests/test_clean_csv.py, and read back by ``read_csv`` as written.

    >>> csv_text(pd.DataFrame({"id": ["a", "b,c", None], "Q1": [1.0, float("nan"), 2.5]}))
    'id,Q1\na,1.0\n"b,c",\n,2.5\n'
    """
    columns = []
    for name in frame.columns:
        values = frame[name].to_numpy()
        if values.dtype.kind == "f":  # floats told apart by their bits (-0.0 is not 0.0), NaN as missing
            codes, firsts = pd.factorize(np.ascontiguousarray(values, dtype=np.float64).view(np.int64))
            texts = ["" if math.isnan(v) else repr(float(v)) for v in firsts.view(np.float64)]
        else:  # texts, codes, Booleans: each distinct cell (True apart from 1), missing last
            codes, firsts = distinct_cells(np.asarray(values, dtype=object))
            texts = [_csv_cell(v) for v in firsts]
        columns.append(np.array(texts, dtype=object)[codes])
    lines = [",".join(_csv_cell(str(c)) for c in frame.columns)]
    lines.extend(map(",".join, zip(*columns)) if columns else ())
    return "\n".join(lines) + "\n"


def _csv_cell(value: Any) -> str:
    """One cell as the csv module writes it with minimal quoting."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    text = repr(value) if isinstance(value, float) else str(value)
    if any(c in text for c in ',"\r\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


def _ingest_files(data: IngestResult) -> dict[str, bytes]:
    """``clean.csv`` (formulas neutralised) and the ledger ``ingest.json``, as bytes."""
    frame = clean_frame(data)
    for column in frame.columns:
        if frame[column].dtype == object or pd.api.types.is_string_dtype(frame[column]):
            risky = frame[column].str.startswith(FORMULA_PREFIXES, na=False).to_numpy(dtype=bool)
            if risky.any():  # only the cells a spreadsheet might read as a formula go through neutralize
                frame.loc[risky, column] = frame.loc[risky, column].map(neutralize)
    frame.columns = [neutralize(str(c)) for c in frame.columns]
    return {"clean.csv": csv_text(frame).encode("utf-8"),
            "ingest.json": json.dumps(data.ledger.to_json(), ensure_ascii=False, indent=2).encode("utf-8")}


def _publish(files: dict[str, bytes], out: str | os.PathLike) -> dict[str, Path]:
    """Write ``files`` into the folder ``out`` all or nothing.

    Everything is first written into a temporary folder beside ``out``; only when every file is
    complete are they moved into place (a rename each). A failure or Ctrl-C before that leaves
    ``out`` exactly as it was; the temporary folder is always removed.
    """
    import shutil
    import tempfile

    out_dir = Path(out)
    for name in files:
        if (out_dir / name).is_dir():
            raise LoyaltySurveyError(f"'{name}' there is a folder; remove or rename it, or choose another --out",
                                     source=str(out_dir))
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", suffix=".partial", dir=out_dir.parent))
    except OSError as exc:
        raise LoyaltySurveyError(f"cannot write the output folder ({exc.strerror or exc})", source=str(out_dir)) from None
    try:
        for name, content in files.items():
            with open(staging / name, "wb") as handle:
                handle.write(content)
                handle.flush()
                os.fsync(handle.fileno())
        written = {}
        for name in files:
            os.replace(staging / name, out_dir / name)
            written[name] = out_dir / name
        return written
    except OSError as exc:
        raise LoyaltySurveyError(f"cannot write the outputs ({exc.strerror or exc}); nothing was changed there",
                                 source=str(out_dir)) from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def write_ingest(data: IngestResult, out: str | os.PathLike) -> dict[str, Path]:
    """Write ``clean.csv`` and ``ingest.json`` into ``out`` (all or nothing).

    ``clean.csv`` is :func:`clean_frame` in UTF-8, with text cells that a spreadsheet would
    run as a formula neutralised; ``ingest.json`` is the ledger
    (:meth:`~loyaltysurvey.ingest.ledger.Ledger.to_json`). Files are written to a temporary
    folder beside ``out`` first and moved into place only when all are complete, so a failure
    leaves ``out`` as it was. Returns each file's path.

    >>> import tempfile
    >>> from loyaltysurvey.datasets import crm_questionnaire, crm_export
    >>> data = ingest(crm_questionnaire(), crm_export())
    >>> with tempfile.TemporaryDirectory() as d:
    ...     sorted(write_ingest(data, d))
    ['clean.csv', 'ingest.json']
    """
    return _publish(_ingest_files(data), out)


def write_study(study: "Study", out: str | os.PathLike, formats: tuple[str, ...], lang: str | None = None,
                today: date | None = None, progress: Progress | None = None,
                painter: "Painter | None" = None) -> dict[str, Path]:
    """Write the chosen outputs of ``study`` into ``out``, all or nothing: see :meth:`loyaltysurvey.Study.write`.

    ``formats`` are among ``json`` (``results.json``), ``html`` (``report.html``), ``docx``
    (``report.docx``), ``xlsx`` (``tables.xlsx``) and ``ingest`` (``clean.csv`` and
    ``ingest.json``); an unknown one raises :class:`~loyaltysurvey.errors.LoyaltySurveyError`
    before anything is written. The chapter is built once in ``lang`` (default: the study's
    language) dated ``today``; ``progress`` is called with a status text (it returns a
    context manager). Written as :func:`write_ingest` does: all or nothing. With a ``painter``
    (:class:`~loyaltysurvey.report.painting.ProcessPainter`) the figures are drawn in its worker
    processes while this one writes the Word document's text, and the workbook is written by
    one of them; the files are the same.

    >>> import tempfile
    >>> from loyaltysurvey.datasets import holzinger_swineford
    >>> from loyaltysurvey.questionnaire import QuestionnaireBuilder
    >>> from loyaltysurvey.study import analyze
    >>> q = (QuestionnaireBuilder("hs", scale=(0, 10)).construct("visual", "Visual", ["x1", "x2", "x3"])
    ...      .construct("textual", "Textual", ["x4", "x5", "x6"]).model("textual ~ visual").build())
    >>> study = analyze(q, holzinger_swineford()[["x1", "x2", "x3", "x4", "x5", "x6"]], method="cb")
    >>> with tempfile.TemporaryDirectory() as d:
    ...     sorted(write_study(study, d, ("json", "ingest")))
    ['clean.csv', 'ingest.json', 'results.json']
    """
    from .study import FORMATS
    unknown = [f for f in formats if f not in FORMATS]
    if unknown:
        raise LoyaltySurveyError(f"unknown output format '{unknown[0]}'; choose from {', '.join(FORMATS)}")
    files: dict[str, bytes] = {}
    chapter = [f for f in ("html", "docx", "xlsx") if f in formats]
    report = None
    if chapter:
        from .report import build_report
        from .report.painting import InlinePainter
        painter = painter or InlinePainter()
        with _status(progress, "Writing the report"):
            # the painter draws the figures while the Word text is written
            report = build_report(study.results, lang or study.settings.lang, today, painter=painter)

    def data_files() -> None:
        if "ingest" in formats:
            files.update(_ingest_files(study.ingest))
        if "json" in formats:
            files["results.json"] = json.dumps(study.to_json(), ensure_ascii=False, indent=2,
                                               allow_nan=False).encode("utf-8")

    if report is None:
        data_files()
    else:
        with _status(progress, "Writing the report"):
            # the Word text first, while the painter draws the figures; once they are drawn, the
            # workbook (by a worker of the painter's, if it has any) beside the Word document's
            # pictures and the HTML page
            finish_docx = None
            if "docx" in chapter:
                from .report.docx import start_docx
                finish_docx = start_docx(report)
            report = report.resolved()  # waits for the figures still being drawn
            workbook = None
            if "xlsx" in chapter:
                from .report.painting import write_workbook
                workbook = painter.run(write_workbook, report)
            if finish_docx is not None:
                files["report.docx"] = finish_docx()
            if "html" in chapter:
                from .report import render_html
                files["report.html"] = render_html(report).encode("utf-8")
            data_files()  # results.json and the ingestion files while the workbook is written
            if workbook is not None:
                files["tables.xlsx"] = workbook()
    return _publish(files, out)


def run_ingest(questionnaire: str | os.PathLike, data: str | os.PathLike, out: str | os.PathLike, *,
               sheet: str | None = None, encoding: str | None = None,
               platform: str | None = None, screening: Any = None) -> IngestResult:
    """Everything ``loyaltysurvey ingest`` does: load the questionnaire, ingest the data, write the results.

    Reads the questionnaire YAML and the response file (``sheet`` and ``encoding`` as in
    :func:`~loyaltysurvey.ingest.read_table`), writes ``clean.csv`` and ``ingest.json`` into
    ``out`` (:func:`write_ingest`) and returns the :class:`~loyaltysurvey.ingest.IngestResult`.
    ``screening`` (:class:`~loyaltysurvey.ingest.ScreeningOptions`) says which screening flags
    exclude respondents from ``clean.csv`` and sets their thresholds. Errors are raised with the file, line, row or column at fault; nothing is written then.
    Behaviour tested in tests/test_ingest.py and tests/test_example.py.

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     result = run_ingest(bundled_path(*DEMO_QUESTIONNAIRE), bundled_path(*DEMO_DATA), d)
    >>> result.ledger.input_rows, result.ledger.respondents
    (425, 420)
    """
    q = load_questionnaire(questionnaire)
    result = ingest(q, data, sheet=sheet, encoding=encoding, platform=platform, screening=screening)
    write_ingest(result, out)
    return result


def _status(progress: Progress | None, text: str):
    return progress(text) if progress else nullcontext()


def run_analyze(questionnaire: str | os.PathLike | Questionnaire, data: str | os.PathLike | pd.DataFrame,
                out: str | os.PathLike, *, progress: Progress | None = None, today: date | None = None,
                resample_progress: Callable[[int], Any] | None = None, painter: "Painter | None" = None,
                **options: Any) -> "Study":
    """Everything ``loyaltysurvey analyze`` does: :func:`loyaltysurvey.analyze`, then every output.

    ``options`` are those of :func:`loyaltysurvey.analyze` (method, missing, bootstrap,
    seed...); ``resample_progress`` is called with the number of resamples finished and
    ``progress`` with a status text for each stage. Writes ``results.json``, ``report.html``,
    ``report.docx``, ``tables.xlsx``, ``clean.csv`` and ``ingest.json`` into ``out``
    (:func:`write_study`, all or nothing) and returns the :class:`~loyaltysurvey.Study`. The
    figures are drawn by ``painter`` (the caller's, which it closes) or by a
    :func:`~loyaltysurvey.report.painting.chapter_painter` started here. No example here: with
    the default settings the PLS-SEM bootstrap takes several seconds; tests/test_cli.py runs it.
    """
    from .report.painting import chapter_painter
    from .study import FORMATS, analyze
    # the chapter's worker processes start now (unless the caller started them earlier) and
    # import their libraries during the statistics
    with painter or chapter_painter() as drawing:
        with _status(progress, "Reading, checking and analysing the responses"):
            study = analyze(questionnaire, data, progress=resample_progress,
                            early=_prefetch(drawing), **options)
        write_study(study, out, FORMATS, today=today, progress=progress, painter=drawing)
    return study


def _prefetch(painter: "Painter") -> Callable[[Any], None] | None:
    """What :func:`run_analyze` gives the analysis as ``early``: when ``painter`` draws beside this
    process, start the figures of the sections done (see
    :func:`~loyaltysurvey.report.build.prefetch_figures`) in the study's language, the one
    :func:`write_study` builds the chapter in."""
    if not painter.concurrent:
        return None

    def early(results: Any) -> None:
        from .report.build import prefetch_figures
        try:
            prefetch_figures(results, results.settings.lang, painter)
        except Exception:  # noqa: BLE001 - only a head start: the chapter draws whatever is missing
            pass

    return early


def run_demo(out: str | os.PathLike, *, progress: Progress | None = None, today: date | None = None,
             resample_progress: Callable[[int], Any] | None = None, painter: "Painter | None" = None,
             **options: Any) -> "Study":
    """Run ``analyze`` on the bundled questionnaire and example export.

    :func:`run_analyze` with the bundled CRM-loyalty questionnaire and its simulated export
    (see :mod:`loyaltysurvey.example`), writing every output into ``out``; what
    ``loyaltysurvey demo`` does. Raises :class:`~loyaltysurvey.errors.DataError` when the
    bundled files are missing from the installation. No example here (several seconds, as
    :func:`run_analyze`).
    """
    try:
        q_path = bundled_path(*DEMO_QUESTIONNAIRE)
        d_path = bundled_path(*DEMO_DATA)
    except FileNotFoundError as exc:
        raise DataError(f"the bundled example '{exc}' is missing from this installation") from None
    return run_analyze(q_path, d_path, out, progress=progress, today=today, resample_progress=resample_progress,
                       painter=painter, **options)
