"""The edges: read files, run the pure stages, write the outputs.

``questionnaire -> ingest -> analyses -> report model -> renderers``; every
function here is a thin sequence of those stages plus file writing, shared by
the command line and by Python users.
"""

from __future__ import annotations

import json
import os
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Callable

import pandas as pd

from .analysis import AnalysisResults, analyze_responses
from .errors import DataError, LoyaltySurveyError, ModelError
from .ingest import IngestResult, ingest
from .report import build_report, render_docx, render_html, render_xlsx
from .resources import bundled_path
from .parallel import dask_executor
from .safety import neutralize
from .questionnaire import Questionnaire, load_questionnaire

__all__ = ["AnalyzeOptions", "write_ingest", "run_ingest", "run_analyze", "run_demo", "DEMO_QUESTIONNAIRE",
           "DEMO_DATA"]

DEMO_QUESTIONNAIRE = ("questionnaires", "crm_loyalty.yaml")
DEMO_DATA = ("questionnaires", "crm_loyalty_example.csv")

Progress = Callable[[str], Any]
#: Resampling is reproducible by default: without --seed this seed is used (and recorded in results.json).
DEFAULT_SEED = 20260101


@dataclass(frozen=True)
class AnalyzeOptions:
    """The ``analyze`` options of CONTRACT, validated."""

    lang: str | None = None
    method: str | None = None
    missing: str | None = None
    estimator: str = "ML"
    bootstrap: int | None = None
    seed: int | None = None
    jobs: int = 1
    sheet: str | None = None
    encoding: str | None = None
    scheduler: str | None = None
    pls_scheme: str = "path"
    ipma_target: str | None = None

    def validate(self) -> "AnalyzeOptions":
        checks = (("lang", self.lang, None), ("method", self.method, ("cb", "pls", "both")),
                  ("missing", self.missing, ("listwise", "fiml", "mean")), ("estimator", self.estimator, ("ML", "MLR")),
                  ("pls-scheme", self.pls_scheme, ("path", "factorial", "centroid")))
        for name, value, allowed in checks:
            if value is not None and allowed is not None and value not in allowed:
                raise LoyaltySurveyError(f"--{name} must be one of {', '.join(allowed)}, not '{value}'")
        if self.lang is not None and not (2 <= len(self.lang) <= 3 and self.lang.isalpha()):
            raise LoyaltySurveyError(f"--lang must be a language code such as fa or en, not '{self.lang}'")
        if self.bootstrap is not None and self.bootstrap < 0:
            raise LoyaltySurveyError("--bootstrap must be 0 or a positive number of resamples")
        if self.jobs < 1:
            raise LoyaltySurveyError("--jobs must be at least 1")
        return self

    def settings(self, q: Questionnaire) -> dict[str, Any]:
        has_model = bool(q.model)
        method = self.method or ("both" if has_model else "cb")
        if method in ("pls", "both") and not has_model:
            method = "cb"
        return {"lang": self.lang or q.language, "method": method,
                "missing": self.missing or ("mean" if method == "pls" else "listwise"),
                "estimator": self.estimator, "bootstrap": self.bootstrap,
                "seed": DEFAULT_SEED if self.seed is None else self.seed, "jobs": self.jobs,
                "scheduler": self.scheduler, "pls_scheme": self.pls_scheme, "ipma_target": self.ipma_target}


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
    frame = frame.reset_index()
    return frame


def write_ingest(data: IngestResult, out: Path) -> None:
    frame = clean_frame(data)
    for column in frame.columns:
        if frame[column].dtype == object or pd.api.types.is_string_dtype(frame[column]):
            frame[column] = frame[column].map(neutralize)
    frame.columns = [neutralize(str(c)) for c in frame.columns]
    frame.to_csv(out / "clean.csv", index=False, encoding="utf-8")
    (out / "ingest.json").write_text(json.dumps(data.ledger.to_json(), ensure_ascii=False, indent=2),
                                     encoding="utf-8")


def run_ingest(questionnaire: str | os.PathLike, data: str | os.PathLike, out: str | os.PathLike, *,
               sheet: str | None = None, encoding: str | None = None) -> IngestResult:
    q = load_questionnaire(questionnaire)
    result = ingest(q, data, sheet=sheet, encoding=encoding)
    write_ingest(result, _out_dir(out))
    return result


def _status(progress: Progress | None, text: str):
    return progress(text) if progress else nullcontext()


def run_analyze(questionnaire: str | os.PathLike | Questionnaire, data: str | os.PathLike,
                out: str | os.PathLike, options: AnalyzeOptions | None = None, *,
                progress: Progress | None = None, today: date | None = None,
                resample_progress: Callable[[int], Any] | None = None) -> AnalysisResults:
    """Everything ``loyaltysurvey analyze`` does; returns the results object."""
    options = (options or AnalyzeOptions()).validate()
    q = questionnaire if isinstance(questionnaire, Questionnaire) else load_questionnaire(questionnaire)
    ids = [c.id for c in q.constructs]
    if options.ipma_target is not None and options.ipma_target not in ids:
        raise LoyaltySurveyError(f"--ipma-target must be one of the constructs {', '.join(ids)}, "
                                 f"not '{options.ipma_target}'")
    out_dir = _out_dir(out)
    with _status(progress, "Reading and checking the responses"):
        data_result = ingest(q, data, sheet=options.sheet, encoding=options.encoding)
        write_ingest(data_result, out_dir)
    settings = options.settings(q)
    with _status(progress, "Descriptives, reliability and structural equation models"):
        executor = dask_executor(options.scheduler, options.jobs) if options.scheduler else nullcontext()
        try:
            with executor as pool:
                results = analyze_responses(data_result, settings, executor=pool, progress=resample_progress)
        except ModelError as exc:
            raise ModelError(f"model: {exc.detail}", source=q.source, line=exc.line) from None
    payload = results.to_json()
    (out_dir / "results.json").write_text(json.dumps(payload, ensure_ascii=False, indent=2, allow_nan=False),
                                          encoding="utf-8")
    with _status(progress, "Writing the report"):
        report = build_report(results, settings["lang"], today)
        (out_dir / "report.html").write_text(render_html(report), encoding="utf-8")
        (out_dir / "report.docx").write_bytes(render_docx(report))
        (out_dir / "tables.xlsx").write_bytes(render_xlsx(report))
    return results


def run_demo(out: str | os.PathLike, lang: str | None = None, *, progress: Progress | None = None,
             bootstrap: int | None = None, jobs: int = 1, seed: int | None = None) -> AnalysisResults:
    """Run ``analyze`` on the bundled questionnaire and example export."""
    try:
        q_path = bundled_path(*DEMO_QUESTIONNAIRE)
        d_path = bundled_path(*DEMO_DATA)
    except FileNotFoundError as exc:
        raise DataError(f"the bundled example '{exc}' is missing from this installation") from None
    return run_analyze(q_path, d_path, out, AnalyzeOptions(lang=lang, bootstrap=bootstrap, jobs=jobs, seed=seed),
                       progress=progress)
