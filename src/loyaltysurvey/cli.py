"""The command line: parse, call the library, map errors to exit status 2.

``loyaltysurvey validate | ingest | analyze | demo | form`` as CONTRACT defines.
Bad input prints one line on stderr and exits 2, never a traceback; an
unexpected failure exits 1 (``--debug`` shows its traceback).
"""

from __future__ import annotations

import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Optional

import typer

from . import __version__
from .errors import LoyaltySurveyError

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False, rich_markup_mode=None,
                  help="From customer-survey questionnaire to a defended thesis chapter.")
_state = {"debug": False}


def _progress():
    """A status spinner on stderr when it is a terminal; quiet otherwise."""
    if not sys.stderr.isatty():
        return None
    from rich.console import Console
    console = Console(stderr=True)

    @contextmanager
    def status(text: str):
        with console.status(text):
            yield
        console.print(f"[green]✓[/green] {text}")

    return status


@contextmanager
def _resample_bar(total: int):
    """A rich progress bar for bootstrap resamples on a terminal; a no-op otherwise."""
    if not total or not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn
    with Progress(TextColumn("bootstrap"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                  TimeRemainingColumn(), console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("bootstrap", total=total)
        yield lambda n: bar.advance(task, n)


def _fail(message: str, code: int) -> None:
    typer.echo(f"loyaltysurvey: {message}", err=True)
    raise typer.Exit(code)


@contextmanager
def _errors():
    try:
        yield
    except LoyaltySurveyError as exc:
        _fail(str(exc), 2)
    except typer.Exit:
        raise
    except KeyboardInterrupt:
        _fail("interrupted", 130)
    except Exception as exc:  # noqa: BLE001 - the one place that turns bugs into exit 1
        if _state["debug"]:
            raise
        _fail(f"internal error: {type(exc).__name__}: {' '.join(str(exc).split())} "
              "(run with --debug for the traceback and please report it)", 1)


def _print_version(value: bool) -> None:
    if value:
        typer.echo(__version__)
        raise typer.Exit(0)


@app.callback()
def _main(debug: bool = typer.Option(False, "--debug", help="Show tracebacks of internal errors."),
          version: bool = typer.Option(False, "--version", is_eager=True, callback=_print_version,
                                       help="Print the version and exit.")) -> None:
    _state["debug"] = debug


@app.command()
def validate(questionnaire: Path = typer.Argument(..., help="Questionnaire YAML file.")) -> None:
    """Check a questionnaire file and summarise it."""
    from .questionnaire import load_questionnaire
    with _errors():
        q = load_questionnaire(questionnaire)
        n_rev = sum(item.reverse for item in q.items)
        typer.echo(f"{questionnaire}: valid: {len(q.constructs)} constructs, {len(q.items)} items "
                   f"({n_rev} reverse-worded), {len(q.demographics)} demographics, "
                   f"{len([s for s in q.model_statements if s.op == '~'])} structural paths, "
                   f"{len(q.hypotheses)} hypotheses")


_EXCLUDE_HELP = ("Screening flags whose respondents are excluded, comma-separated: speeders, longstring, irv, "
                 "attention, duplicates, preview, incomplete, outliers (default: none; every flag is reported).")
_SPEEDER_SHARE_HELP = "Speeders: faster than this share of the median duration (default 0.5; Leiner 2019)."
_SPEEDER_SECONDS_HELP = "Speeders: faster than this many seconds (instead of the share of the median)."
_LONGSTRING_HELP = ("Longstring: the longest run of identical consecutive answers allowed (default: half the "
                    "items, rounded up, less one; Curran 2016).")
_IRV_HELP = "IRV: flag a within-person SD of the answers at most this (default 0: no variation)."
_OUTLIER_HELP = "Outliers: flag a Mahalanobis D² with chi-square p below this (default .001)."


def _screening_line(screening: dict | None) -> str:
    """``screening: longstring 3, irv 3, duplicates 2 flagged; 0 excluded`` (flags that could run)."""
    if not screening:
        return "screening: not run"
    parts = [f"{name} {entry['n']}" for name, entry in screening["flags"].items() if entry["available"]]
    return (f"screening: {', '.join(parts) or 'no flag could be computed'} flagged; "
            f"{screening['excluded']} excluded" + (f" ({', '.join(screening['exclude'])})" if screening["exclude"] else ""))


@app.command()
def ingest(questionnaire: Path = typer.Argument(..., help="Questionnaire YAML file."),
           data: Path = typer.Argument(..., help="Responses: .csv, .xlsx or .sav."),
           out: Path = typer.Option(..., "--out", help="Output folder."),
           sheet: Optional[str] = typer.Option(None, "--sheet", help="Excel sheet name (default: first)."),
           encoding: Optional[str] = typer.Option(None, "--encoding", help="CSV text encoding (default: detect)."),
           exclude: Optional[str] = typer.Option(None, "--exclude", help=_EXCLUDE_HELP),
           speeder_share: float = typer.Option(0.5, "--speeder-share", help=_SPEEDER_SHARE_HELP),
           speeder_seconds: Optional[float] = typer.Option(None, "--speeder-seconds", help=_SPEEDER_SECONDS_HELP),
           longstring_max: Optional[int] = typer.Option(None, "--longstring-max", help=_LONGSTRING_HELP),
           irv_min: float = typer.Option(0.0, "--irv-min", help=_IRV_HELP),
           outlier_p: float = typer.Option(0.001, "--outlier-p", help=_OUTLIER_HELP)) -> None:
    """Read an export, write clean.csv and the ledger ingest.json."""
    from .ingest.screening import ScreeningOptions
    from .workflow import run_ingest
    with _errors():
        screening = ScreeningOptions.parse(exclude, speeder_share=speeder_share, speeder_seconds=speeder_seconds,
                                           longstring_max=longstring_max, irv_min=irv_min, outlier_p=outlier_p)
        result = run_ingest(questionnaire, data, out, sheet=sheet, encoding=encoding, screening=screening)
        led = result.ledger
        typer.echo(f"{led.respondents} respondents kept of {led.input_rows} rows; "
                   f"{len(led.excluded)} excluded; {sum(led.recoded_cells.values())} cells recoded; "
                   f"written to {out}", err=True)
        typer.echo(_screening_line(led.screening), err=True)


@app.command()
def analyze(questionnaire: Path = typer.Argument(..., help="Questionnaire YAML file."),
            data: Path = typer.Argument(..., help="Responses: .csv, .xlsx or .sav."),
            out: Path = typer.Option(..., "--out", help="Output folder."),
            lang: Optional[str] = typer.Option(None, "--lang",
                                               help="Report language: fa or en (default: the questionnaire's)."),
            method: Optional[str] = typer.Option(None, "--method",
                                                 help="cb, pls or both (default: both with a structural model)."),
            missing: Optional[str] = typer.Option(None, "--missing", help="listwise, fiml or mean (default: "
                                                  "listwise for CB-SEM, item means for PLS-SEM)."),
            estimator: str = typer.Option("ML", "--estimator", help="ML or MLR."),
            bootstrap: Optional[int] = typer.Option(None, "--bootstrap", help="Bootstrap resamples (default: "
                                                    "none for CB-SEM, 5000 for PLS-SEM)."),
            seed: Optional[int] = typer.Option(None, "--seed", help="Random seed (default: 20260101)."),
            jobs: int = typer.Option(1, "--jobs", help="Worker processes."),
            scheduler: Optional[str] = typer.Option(None, "--scheduler",
                                                    help="Dask scheduler address, or 'local' for a LocalCluster."),
            sheet: Optional[str] = typer.Option(None, "--sheet", help="Excel sheet name."),
            encoding: Optional[str] = typer.Option(None, "--encoding", help="CSV text encoding."),
            pls_scheme: str = typer.Option("path", "--pls-scheme",
                                           help="PLS inner weighting: path, factorial or centroid."),
            ipma_target: Optional[str] = typer.Option(None, "--ipma-target",
                                                      help="Construct of the importance-performance map "
                                                           "(default: the model's final outcome)."),
            fit_layout: str = typer.Option("compact", "--fit-layout",
                                           help="CB-SEM fit table: compact (quantity, value, threshold, "
                                                "verdict) or lisrel (index, desired value, model value, "
                                                "result)."),
            table_source: str = typer.Option("auto", "--table-source",
                                             help="A source line under each table (fa: «منبع: یافته‌های "
                                                  "پژوهش», as Persian theses print it): auto (on in Persian "
                                                  "chapters), on or off."),
            decimal: Optional[str] = typer.Option(None, "--decimal",
                                                  help="Decimal separator of a Persian chapter: ٫ (default), "
                                                       "/ (as many Persian theses type it), . or ,."),
            chapter: int = typer.Option(4, "--chapter",
                                        help="Thesis chapter number: tables and figures are numbered 4-1, 4-2 "
                                             "... (4.1 in English); 0 numbers them 1, 2, ..."),
            exclude: Optional[str] = typer.Option(None, "--exclude", help=_EXCLUDE_HELP),
            speeder_share: float = typer.Option(0.5, "--speeder-share", help=_SPEEDER_SHARE_HELP),
            speeder_seconds: Optional[float] = typer.Option(None, "--speeder-seconds", help=_SPEEDER_SECONDS_HELP),
            longstring_max: Optional[int] = typer.Option(None, "--longstring-max", help=_LONGSTRING_HELP),
            irv_min: float = typer.Option(0.0, "--irv-min", help=_IRV_HELP),
            outlier_p: float = typer.Option(0.001, "--outlier-p", help=_OUTLIER_HELP)) -> None:
    """Analyse responses: results.json, report.html, report.docx, tables.xlsx."""
    from .workflow import run_analyze
    with _errors():
        options = dict(lang=lang, method=method, missing=missing, estimator=estimator, bootstrap=bootstrap,
                       seed=seed, jobs=jobs, sheet=sheet, encoding=encoding, scheduler=scheduler,
                       pls_scheme=pls_scheme, ipma_target=ipma_target, fit_layout=fit_layout,
                       table_source=table_source, decimal=decimal, chapter=chapter, exclude=exclude,
                       speeder_share=speeder_share, speeder_seconds=speeder_seconds, longstring_max=longstring_max,
                       irv_min=irv_min, outlier_p=outlier_p)
        with _resample_bar(_resamples(questionnaire, options)) as advance:
            study = run_analyze(questionnaire, data, out, progress=_progress(), resample_progress=advance, **options)
        _print_summary(study, out)


def _summary_lines(study, out: Path) -> list[str]:
    """What a user wants to know when the run ends: N per method, fit, hypotheses, the files."""
    from .thresholds import fit_verdict
    led, s = study.ingest.ledger, study.settings
    lines = [f"{led.respondents} respondents kept of {led.input_rows} rows ({len(led.excluded)} excluded)",
             _screening_line(led.screening)]
    fit = study.sem or study.cfa
    if fit is not None:
        used = int(fit.nobs)
        lost = 1 - used / led.respondents if led.respondents else 0.0
        how = "FIML, every respondent" if s.cb_missing == "fiml" else f"listwise, {lost:.0%} left out"
        lines.append(f"CB-SEM: N = {used} ({how})")
        if s.cb_missing == "listwise" and lost > 0.10:
            lines.append(f"  {lost:.0%} of the respondents lack an answer and were left out of CB-SEM: "
                         "consider --missing fiml")
        m = fit.measures
        parts = [f"{k.upper()} {m[k]:.3f} ({fit_verdict(k, m[k])})" for k in ("cfi", "tli", "rmsea", "srmr") if k in m]
        lines.append("  fit: " + ", ".join(parts))
    if study.pls is not None:
        lines.append(f"PLS-SEM: N = {study.pls.n} ({'item means for missing answers' if study.pls.missing == 'mean' else 'casewise'}"
                     f", {s.pls_bootstrap} resamples)")
    hyp = study.hypotheses
    if len(hyp):
        tested = hyp[hyp.decision != "not_tested"]
        lines.append(f"Hypotheses (CB-SEM, 95% interval): {int((hyp.decision == 'supported').sum())} of {len(hyp)} "
                     f"supported" + (f", {len(hyp) - len(tested)} not tested" if len(tested) < len(hyp) else ""))
    if study.notices:
        lines.append(f"{len(study.notices)} data-quality notes: see the chapter's last section")
        # the chapter says that a model failed, in its own language; the reason is said here
        lines.extend(f"  {n.message}" for n in study.notices if n.code in ("cfa_failed", "sem_failed", "pls_failed"))
    files = [n for n in ("report.html", "report.docx", "tables.xlsx", "results.json", "clean.csv", "ingest.json")
             if (Path(out) / n).exists()]
    lines.append(f"Written to {out}: {', '.join(files)}")
    lines.append(f"Open {Path(out) / 'report.html'} to read the chapter ({Path(out) / 'report.docx'} for Word)")
    return lines


def _print_summary(study, out: Path) -> None:
    for line in _summary_lines(study, out):
        typer.echo(line, err=True)


def _resamples(questionnaire, options: dict) -> int:
    """How many resamples both engines will draw (for the progress bar); 0 when not on a terminal."""
    if not sys.stderr.isatty():
        return 0
    from .questionnaire import load_questionnaire
    from .settings import Settings
    s = Settings.resolve(load_questionnaire(questionnaire), **options)
    return (s.bootstrap if s.runs_cb else 0) + (s.pls_bootstrap if s.runs_pls else 0)


@app.command()
def demo(out: Path = typer.Option(..., "--out", help="Output folder."),
         lang: Optional[str] = typer.Option(None, "--lang", help="Report language: fa or en."),
         bootstrap: Optional[int] = typer.Option(None, "--bootstrap", help="Bootstrap resamples."),
         seed: Optional[int] = typer.Option(None, "--seed", help="Random seed."),
         jobs: int = typer.Option(1, "--jobs", help="Worker processes.")) -> None:
    """Run the whole analysis on the bundled CRM-loyalty example."""
    from .workflow import DEMO_QUESTIONNAIRE, run_demo
    from .resources import bundled_path
    with _errors():
        options = dict(lang=lang, bootstrap=bootstrap, jobs=jobs, seed=seed)
        total = _resamples(bundled_path(*DEMO_QUESTIONNAIRE), options) if sys.stderr.isatty() else 0
        with _resample_bar(total) as advance:
            study = run_demo(out, progress=_progress(), resample_progress=advance, **options)
        _print_summary(study, out)


@app.command()
def form(questionnaire: Path = typer.Argument(..., help="Questionnaire YAML file."),
         out: Path = typer.Option(..., "--out", help="Output folder."),
         lang: Optional[str] = typer.Option(None, "--lang",
                                            help="Form language: fa or en (default: the questionnaire's).")) -> None:
    """Printable questionnaire (form.docx, form.html) and LimeSurvey (.lss) and Qualtrics (.qsf) files."""
    from .forms.files import write_form
    with _errors():
        result = write_form(questionnaire, out, lang)
        f = result.form
        typer.echo(f"{len(f.rows)} items in {len(f.grids)} grids, {len(f.demographics)} demographic questions "
                   f"({f.lang}); written to {out}: {', '.join(sorted(result.files))}", err=True)
        if result.codes.renamed:
            shown = ", ".join(f"{k} -> {v}" for k, v in result.codes.renamed.items())
            typer.echo(f"codes changed for LimeSurvey/Qualtrics (letters and digits only): {shown}", err=True)
        if f.missing_texts:
            typer.echo(f"{len(f.missing_texts)} items have no text and are printed by their id: "
                       f"{', '.join(f.missing_texts[:10])}{' ...' if len(f.missing_texts) > 10 else ''}", err=True)


def _kind(exc: BaseException, name: str) -> bool:
    return any(cls.__name__ == name for cls in type(exc).__mro__)


def _parser_failure(exc: Exception) -> int:
    """One line for a failure of the command-line parser; the exit status to use."""
    if _kind(exc, "Exit"):
        return int(getattr(exc, "exit_code", 0) or 0)
    if _kind(exc, "NoArgsIsHelpError"):
        ctx = getattr(exc, "ctx", None)
        typer.echo(ctx.get_help() if ctx is not None else str(exc))
        return 0
    if _kind(exc, "Abort"):
        typer.echo("loyaltysurvey: interrupted", err=True)
        return 130
    if _kind(exc, "UsageError") or _kind(exc, "ClickException"):
        ctx = getattr(exc, "ctx", None)
        where = ctx.command_path if ctx is not None else "loyaltysurvey"
        message = " ".join(exc.format_message().split())
        typer.echo(f"loyaltysurvey: {message} (see '{where} --help')", err=True)
        return 2 if _kind(exc, "UsageError") else int(getattr(exc, "exit_code", 2))
    raise exc


def main(argv: list[str] | None = None) -> None:
    """The ``loyaltysurvey`` command: every failure is one line on stderr and an exit status.

    Usage errors (a missing argument, ``--bootstrap abc``) exit 2 with one line instead of the
    command-line parser's box; numerical warnings never reach the terminal (the results carry
    their own notices).
    """
    import warnings

    warnings.simplefilter("ignore", RuntimeWarning)
    command = typer.main.get_command(app)
    try:
        code = command.main(args=argv, prog_name="loyaltysurvey", standalone_mode=False)
    except Exception as exc:  # click's exceptions (typer may vendor click): matched by class name
        raise SystemExit(_parser_failure(exc)) from None
    raise SystemExit(code if isinstance(code, int) else 0)


if __name__ == "__main__":  # pragma: no cover
    main()
