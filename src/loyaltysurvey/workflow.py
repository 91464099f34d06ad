"""The edges: read files, run the pure stages, write the outputs.

``questionnaire -> ingest -> analyses -> report model -> renderers``; every function here is a
thin sequence of those stages plus file writing, shared by the command line and by Python users
(:meth:`loyaltysurvey.Study.write` calls :func:`write_study`).
"""

from __future__ import annotations

import json
import os
from contextlib import nullcontext
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

import pandas as pd

from .errors import DataError, LoyaltySurveyError
from .ingest import IngestResult, ingest
from .questionnaire import Questionnaire, load_questionnaire
from .resources import bundled_path
from .safety import neutralize

if TYPE_CHECKING:
    from .study import Study

__all__ = ["write_ingest", "write_study", "run_ingest", "run_analyze", "run_demo", "DEMO_QUESTIONNAIRE",
           "DEMO_DATA"]

DEMO_QUESTIONNAIRE = ("questionnaires", "crm_loyalty.yaml")
DEMO_DATA = ("questionnaires", "crm_loyalty_example.csv")

Progress = Callable[[str], Any]


def _out_dir(out: str | os.PathLike) -> Path:
    path = Path(out)
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise LoyaltySurveyError(f"cannot create the output folder ({exc.strerror})", source=str(path)) from None
    return path


def clean_frame(data: IngestResult) -> pd.DataFrame:
    """``clean.csv``'s content: respondent id, items as answered (not reversed), demographics."""
    frame = data.responses.copy()
    for column in data.demographics.columns:
        frame[column] = data.demographics[column]
    return frame.reset_index()


def write_ingest(data: IngestResult, out: Path) -> dict[str, Path]:
    """``clean.csv`` (formulas neutralised) and the ledger ``ingest.json``."""
    frame = clean_frame(data)
    for column in frame.columns:
        if frame[column].dtype == object or pd.api.types.is_string_dtype(frame[column]):
            frame[column] = frame[column].map(neutralize)
    frame.columns = [neutralize(str(c)) for c in frame.columns]
    paths = {"clean.csv": out / "clean.csv", "ingest.json": out / "ingest.json"}
    frame.to_csv(paths["clean.csv"], index=False, encoding="utf-8")
    paths["ingest.json"].write_text(json.dumps(data.ledger.to_json(), ensure_ascii=False, indent=2),
                                    encoding="utf-8")
    return paths


def write_study(study: "Study", out: str | os.PathLike, formats: tuple[str, ...], lang: str | None = None,
                today: date | None = None, progress: Progress | None = None) -> dict[str, Path]:
    """Write the chosen outputs of ``study`` into ``out``: see :meth:`loyaltysurvey.Study.write`."""
    from .study import FORMATS
    unknown = [f for f in formats if f not in FORMATS]
    if unknown:
        raise LoyaltySurveyError(f"unknown output format '{unknown[0]}'; choose from {', '.join(FORMATS)}")
    out_dir = _out_dir(out)
    written: dict[str, Path] = {}
    if "ingest" in formats:
        written.update(write_ingest(study.ingest, out_dir))
    if "json" in formats:
        path = out_dir / "results.json"
        path.write_text(json.dumps(study.to_json(), ensure_ascii=False, indent=2, allow_nan=False), encoding="utf-8")
        written["results.json"] = path
    chapter = [f for f in ("html", "docx", "xlsx") if f in formats]
    if chapter:
        from .report import build_report, render_docx, render_html, render_xlsx
        with _status(progress, "Writing the report"):
            report = build_report(study.results, lang or study.settings.lang, today)
            renderers = {"html": ("report.html", lambda: render_html(report).encode("utf-8")),
                         "docx": ("report.docx", lambda: render_docx(report)),
                         "xlsx": ("tables.xlsx", lambda: render_xlsx(report))}
            for fmt in chapter:
                name, render = renderers[fmt]
                (out_dir / name).write_bytes(render())
                written[name] = out_dir / name
    return written


def run_ingest(questionnaire: str | os.PathLike, data: str | os.PathLike, out: str | os.PathLike, *,
               sheet: str | None = None, encoding: str | None = None) -> IngestResult:
    q = load_questionnaire(questionnaire)
    result = ingest(q, data, sheet=sheet, encoding=encoding)
    write_ingest(result, _out_dir(out))
    return result


def _status(progress: Progress | None, text: str):
    return progress(text) if progress else nullcontext()


def run_analyze(questionnaire: str | os.PathLike | Questionnaire, data: str | os.PathLike | pd.DataFrame,
                out: str | os.PathLike, *, progress: Progress | None = None, today: date | None = None,
                resample_progress: Callable[[int], Any] | None = None, **options: Any) -> "Study":
    """Everything ``loyaltysurvey analyze`` does: :func:`loyaltysurvey.analyze`, then every output."""
    from .study import FORMATS, analyze
    with _status(progress, "Reading, checking and analysing the responses"):
        study = analyze(questionnaire, data, progress=resample_progress, **options)
    write_study(study, out, FORMATS, today=today, progress=progress)
    return study


def run_demo(out: str | os.PathLike, *, progress: Progress | None = None, today: date | None = None,
             resample_progress: Callable[[int], Any] | None = None, **options: Any) -> "Study":
    """Run ``analyze`` on the bundled questionnaire and example export."""
    try:
        q_path = bundled_path(*DEMO_QUESTIONNAIRE)
        d_path = bundled_path(*DEMO_DATA)
    except FileNotFoundError as exc:
        raise DataError(f"the bundled example '{exc}' is missing from this installation") from None
    return run_analyze(q_path, d_path, out, progress=progress, today=today, resample_progress=resample_progress,
                       **options)
