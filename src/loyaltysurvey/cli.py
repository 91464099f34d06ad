"""The command line: parse, call the library, map errors to exit status 2.

``loyaltysurvey validate | ingest | analyze | demo | form | samplesize``, ``new --from-library`` /
``new --from-export`` and ``library`` (the instrument library).
Bad input prints one line on stderr and exits 2, never a traceback; an
unexpected failure exits 1 (``--debug`` shows its traceback).
"""

from __future__ import annotations

import os
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import List, Optional

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
def _resample_bar(total: int, label: str = "bootstrap"):
    """A rich progress bar for resamples (bootstrap, Monte Carlo replications) on a terminal; a no-op otherwise."""
    if not total or not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn
    with Progress(TextColumn(label), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                  TimeRemainingColumn(), console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(label, total=total)
        yield lambda n: bar.advance(task, n)


def _fail(message: str, code: int) -> None:
    typer.echo(f"loyaltysurvey: {message}", err=True)
    raise typer.Exit(code)


def _interrupted() -> None:
    """Ctrl-C: say so and end now, with the worker processes. Python's own exit would first wait for
    the queue of a process pool whose workers the same Ctrl-C ended, which can wait forever."""
    import multiprocessing
    typer.echo("loyaltysurvey: interrupted", err=True)
    for child in multiprocessing.active_children():
        child.terminate()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(130)


@contextmanager
def _errors():
    try:
        yield
    except LoyaltySurveyError as exc:
        _fail(str(exc), 2)
    except typer.Exit:
        raise
    except KeyboardInterrupt:
        _interrupted()
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


_PLATFORM_HELP = ("Survey platform of the export: google_forms, microsoft_forms, qualtrics, surveymonkey, "
                  "limesurvey, kobotoolbox, typeform, porsline, or none (default: detected from the headers).")


def _new_from_export(export: Path, out: Path, platform, sheet, encoding) -> None:
    from .questionnaire import load_questionnaire
    from .questionnaire.draft import draft_from_export
    text = draft_from_export(export, platform=platform, sheet=sheet, encoding=encoding)
    out.write_text(text, encoding="utf-8")
    q = load_questionnaire(out)
    typer.echo(f"{_count(len(q.items), 'item')} in {_count(len(q.constructs), 'construct')}, "
               f"{_count(len(q.demographics), 'demographic')}, "
               f"scale {q.scale.min}-{q.scale.max}; written to {out}: check it, then run "
               f"'loyaltysurvey analyze {out} {export} --out DIR'", err=True)


def _count(n: int, noun: str) -> str:
    """``n`` and ``noun``, plural unless ``n`` is 1: "1 demographic", "4 demographics"."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


@app.command()
def validate(questionnaire: Path = typer.Argument(..., help="Questionnaire YAML file.")) -> None:
    """Check a questionnaire file and summarise it."""
    from .questionnaire import load_questionnaire
    with _errors():
        q = load_questionnaire(questionnaire)
        n_rev = sum(item.reverse for item in q.items)
        from .analysis.hypotheses import path_hypotheses
        implied = path_hypotheses(q)
        if q.hypotheses:
            hypotheses = f"{len(q.hypotheses)} hypotheses"
        elif implied:  # as analysis.hypotheses tests them: nothing labelled, so every structural path
            hypotheses = f"{len(implied)} hypotheses (no hypotheses: list and no labels, so every structural path)"
        else:  # as analysis.hypotheses tests them: each labelled path and each := parameter
            labelled = len([s for s in q.model_statements if s.op == "~" and s.label])
            defined = len([s for s in q.model_statements if s.op == ":="])
            hypotheses = (f"{labelled + defined} hypotheses (no hypotheses: list, so its {labelled} labelled "
                          f"path{'s' if labelled != 1 else ''} and {defined} := parameter{'s' if defined != 1 else ''})")
        paths = len([s for s in q.model_statements if s.op == "~"])
        if len(q.hypotheses) == 1 or (not q.hypotheses and len(implied) == 1):
            hypotheses = hypotheses.replace("1 hypotheses", "1 hypothesis", 1)
        typer.echo(f"{questionnaire}: valid: {_count(len(q.constructs), 'construct')}, {_count(len(q.items), 'item')} "
                   f"({n_rev} reverse-worded), {_count(len(q.demographics), 'demographic')}, "
                   f"{_count(paths, 'structural path')}, "
                   f"{hypotheses}"
                   + (f", {len(q.alternatives)} alternative models ({', '.join(a.name for a in q.alternatives)})"
                      if q.alternatives else ""))


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
           platform: Optional[str] = typer.Option(None, "--platform", help=_PLATFORM_HELP),
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
        result = run_ingest(questionnaire, data, out, sheet=sheet, encoding=encoding, platform=platform,
                            screening=screening)
        led = result.ledger
        _platform_line(led)
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
            platform: Optional[str] = typer.Option(None, "--platform", help=_PLATFORM_HELP),
            pls_scheme: str = typer.Option("path", "--pls-scheme",
                                           help="PLS inner weighting: path, factorial or centroid."),
            pls_interaction: str = typer.Option("product_indicator", "--pls-interaction",
                                                help="PLS interaction terms (A:B in the model): "
                                                     "product_indicator, orthogonal or two_stage."),
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
            efa: bool = typer.Option(False, "--efa",
                                     help="Add an exploratory factor analysis of all items: parallel analysis, "
                                          "then as many factors as it suggests."),
            efa_factors: Optional[int] = typer.Option(None, "--efa-factors",
                                                      help="Number of EFA factors (implies --efa; default: "
                                                           "parallel analysis decides)."),
            efa_method: str = typer.Option("minres", "--efa-method", help="EFA extraction: minres or ml."),
            efa_rotation: str = typer.Option("oblimin", "--efa-rotation",
                                             help="EFA rotation: oblimin, varimax or none."),
            efa_iterations: int = typer.Option(20, "--efa-iterations",
                                               help="Simulated data sets of the parallel analysis."),
            group: Optional[str] = typer.Option(None, "--group",
                                                help="Compare groups: a demographic id or a column of the data. "
                                                     "CB-SEM: measurement invariance (configural, metric, scalar, "
                                                     "strict) and equal paths across groups; PLS-SEM: MICOM "
                                                     "and PLS-MGA."),
            group_partial: Optional[str] = typer.Option(None, "--group-partial",
                                                        help="Partial invariance: parameters left free across "
                                                             "groups, comma-separated as lavaan's group.partial "
                                                             "(e.g. 'KCF=~KCF2,KCF1~1')."),
            permutations: int = typer.Option(1000, "--permutations",
                                             help="With --group and PLS-SEM: label permutations of MICOM and the "
                                                  "PLS-MGA permutation test (each group is also bootstrapped "
                                                  "with --bootstrap resamples)."),
            exclude: Optional[str] = typer.Option(None, "--exclude", help=_EXCLUDE_HELP),
            speeder_share: float = typer.Option(0.5, "--speeder-share", help=_SPEEDER_SHARE_HELP),
            speeder_seconds: Optional[float] = typer.Option(None, "--speeder-seconds", help=_SPEEDER_SECONDS_HELP),
            longstring_max: Optional[int] = typer.Option(None, "--longstring-max", help=_LONGSTRING_HELP),
            irv_min: float = typer.Option(0.0, "--irv-min", help=_IRV_HELP),
            outlier_p: float = typer.Option(0.001, "--outlier-p", help=_OUTLIER_HELP)) -> None:
    """Analyse responses: results.json, report.html, report.docx, tables.xlsx."""
    from .report.painting import chapter_painter
    # the figures' worker processes start first, from this still small process, and import
    # matplotlib while this one imports the statistics' libraries (pandas, scipy) and computes
    with _errors(), chapter_painter() as painter:
        from .workflow import run_analyze
        options = dict(lang=lang, method=method, missing=missing, estimator=estimator, bootstrap=bootstrap,
                       seed=seed, jobs=jobs, sheet=sheet, encoding=encoding, scheduler=scheduler,
                       pls_scheme=pls_scheme, pls_interaction=pls_interaction, ipma_target=ipma_target,
                       fit_layout=fit_layout,
                       table_source=table_source, decimal=decimal, chapter=chapter, efa=efa,
                       efa_factors=efa_factors, efa_method=efa_method, efa_rotation=efa_rotation,
                       efa_iterations=efa_iterations, group=group,
                       group_partial=group_partial or (), permutations=permutations, platform=platform,
                       exclude=exclude, speeder_share=speeder_share, speeder_seconds=speeder_seconds,
                       longstring_max=longstring_max, irv_min=irv_min, outlier_p=outlier_p)
        with _resample_bar(_resamples(questionnaire, options)) as advance:
            study = run_analyze(questionnaire, data, out, progress=_progress(), resample_progress=advance,
                                painter=painter, **options)
        _print_summary(study, out)


def _counted(n: int, noun: str) -> str:
    """``n`` and ``noun``, in the plural unless ``n`` is 1.

    >>> _counted(1, "data-quality note"), _counted(3, "data-quality note")
    ('1 data-quality note', '3 data-quality notes')
    """
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _summary_lines(study, out: Path) -> list[str]:
    """What a user wants to know when the run ends: N per method, fit, hypotheses, the files."""
    from .thresholds import ROBUST_FIT, fit_verdict, judged_fit
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
        m = judged_fit(fit.measures, s.estimator)  # MLR: the robust CFI, TLI and RMSEA, as the chapter judges them
        robust = m is not fit.measures
        parts = [f"{k.upper()}{' (robust)' if robust and k in ROBUST_FIT else ''} {m[k]:.3f} ({fit_verdict(k, m[k])})"
                 for k in ("cfi", "tli", "rmsea", "srmr") if k in m]
        lines.append("  fit: " + ", ".join(parts))
    groups = getattr(study.results, "groups", None)
    if groups is not None:
        demo = next((d for d in study.questionnaire.demographics if d.id == groups.column), None)
        labels = {code: text.get("en") or code  # the terminal speaks English (else the label it has)
                  for code, text in (demo.values.items() if demo is not None else ())}
        from .report.groups import reading_order
        sizes = ", ".join(f"{labels.get(g, g)}: {groups.nobs[g]}" for g in reading_order(groups.order, groups.nobs))
        lines.append(f"Groups by {groups.column} ({sizes}): highest level of measurement invariance: "
                     f"{groups.invariance.highest or 'none'}")
    pls_groups = getattr(study.results, "pls_groups", None)
    if pls_groups is not None and pls_groups.pairs:
        differ = sum(1 for pair in pls_groups.pairs for p in pair.paths if p.different)
        compositional = sum(1 for pair in pls_groups.pairs for m in pair.micom if m.compositional)
        total = sum(len(pair.micom) for pair in pls_groups.pairs)
        pairs = len(pls_groups.pairs)
        where = (f"{compositional} of {total} constructs" if pairs == 1 else
                 f"{compositional} of {total} tests ({total // pairs} constructs in {pairs} pairs of groups)")
        lines.append(f"PLS groups by {pls_groups.column}: {differ} path differences (permutation test, "
                     f"{pls_groups.permutations} permutations); compositional invariance (MICOM) in {where}")
    if study.pls is not None:
        lines.append(f"PLS-SEM: N = {study.pls.n} ({'item means for missing answers' if study.pls.missing == 'mean' else 'casewise'}"
                     f", {s.pls_bootstrap} resamples)")
    hyp = study.hypotheses
    if len(hyp):
        tested = hyp[hyp.decision != "not_tested"]
        pls = "engine" in hyp.columns
        engine = "PLS-SEM, 95% bootstrap interval" if pls else "CB-SEM, 95% interval"
        if pls and not len(tested) and not s.pls_bootstrap:  # no resamples, no intervals: nothing decided
            lines.append(f"Hypotheses (PLS-SEM): {len(hyp)} not tested (no resamples; --bootstrap N tests them)")
        else:
            lines.append(f"Hypotheses ({engine}): {int((hyp.decision == 'supported').sum())} of {len(hyp)} "
                         f"supported" + (f", {len(hyp) - len(tested)} not tested" if len(tested) < len(hyp) else ""))
    if study.efa is not None:
        e = study.efa
        lines.append(f"EFA: {e.fit.n_factors} factors ({e.fit.method}, {e.fit.rotation}); parallel analysis "
                     f"suggests {e.parallel.n_factors} factors, {e.parallel.n_components} components")
    if study.notices:
        lines.append(f"{_counted(len(study.notices), 'data-quality note')}: see the chapter's last section")
        # the chapter says that a model failed, in its own language; the reason is said here
        lines.extend(f"  {n.message}" for n in study.notices if n.code in ("cfa_failed", "sem_failed", "pls_failed"))
    files = [n for n in ("report.html", "report.docx", "tables.xlsx", "results.json", "clean.csv", "ingest.json")
             if (Path(out) / n).exists()]
    lines.append(f"Written to {out}: {', '.join(files)}")
    lines.append(f"Open {Path(out) / 'report.html'} to read the chapter ({Path(out) / 'report.docx'} for Word)")
    return lines


def _platform_line(led) -> None:
    """Say how a survey-platform export was read, or that a title above a sheet's header was skipped
    (nothing for a plain table)."""
    title = next((w for w in led.warnings if w.code == "title_rows"), None)
    if title is not None:
        typer.echo(title.message[:1].upper() + title.message[1:], err=True)
    if not led.platform:
        return
    rid = led.respondent_id or {}
    ids = {"platform": f"respondent ids from its column '{rid.get('column')}'",
           "generated": "no respondent id column: rows are named row1, row2 ...",
           "questionnaire": f"respondent ids from '{rid.get('column')}'"}.get(rid.get("from"), "")
    meta = ", ".join(f"{role} ({header})" for role, header in led.metadata_columns.items() if role != "id")
    typer.echo(f"read as a {led.platform['name']} export ({led.platform['how']}); {ids}"
               + (f"; platform columns: {meta}" if meta else ""), err=True)


def _print_summary(study, out: Path) -> None:
    _platform_line(study.ingest.ledger)
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
    from .report.painting import chapter_painter
    with _errors(), chapter_painter() as painter:  # started first, as for analyze
        from .resources import bundled_path
        from .workflow import DEMO_QUESTIONNAIRE, run_demo
        options = dict(lang=lang, bootstrap=bootstrap, jobs=jobs, seed=seed)
        total = _resamples(bundled_path(*DEMO_QUESTIONNAIRE), options) if sys.stderr.isatty() else 0
        with _resample_bar(total) as advance:
            study = run_demo(out, progress=_progress(), resample_progress=advance, painter=painter, **options)
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


def _effects(values: Optional[List[str]]) -> dict[str, float]:
    """``--effect H1=0.3`` options as a mapping; a malformed one is bad input."""
    out: dict[str, float] = {}
    for text in values or []:
        key, sep, value = text.partition("=")
        try:
            if not sep or not key.strip():
                raise ValueError
            out[key.strip()] = float(value)
        except ValueError:
            raise LoyaltySurveyError(f"--effect '{text}': write it as NAME=VALUE, e.g. H1=0.3 or "
                                     "KCF->SAT=0.3") from None
    return out


@app.command()
def samplesize(population: Optional[float] = typer.Option(None, "--population",
                                                          help="Size of the statistical population N (default: "
                                                               "unlimited)."),
               margin: float = typer.Option(0.05, "--margin", help="Margin of error e of a proportion (0.05 = ±5%)."),
               confidence: float = typer.Option(0.95, "--confidence", help="Confidence level (0.95)."),
               proportion: float = typer.Option(0.5, "--proportion", help="Expected proportion p (0.5, the largest "
                                                                           "sample)."),
               round_up: bool = typer.Option(False, "--round-up", help="Round Cochran's and Krejcie-Morgan's n up "
                                                                       "(default: to the nearest, as their tables)."),
               chi2: Optional[float] = typer.Option(None, "--chi2", help="Krejcie-Morgan's chi-square (default: "
                                                                         "the exact quantile; 3.841 reproduces "
                                                                         "their printed table)."),
               questionnaire: Optional[Path] = typer.Option(None, "--questionnaire",
                                                            help="Questionnaire YAML: the model's df, its predictors "
                                                                 "and the model Monte Carlo power simulates."),
               df: Optional[int] = typer.Option(None, "--df", help="Degrees of freedom of the SEM model (default: "
                                                                   "counted from --questionnaire)."),
               rmsea0: Optional[float] = typer.Option(None, "--rmsea0", help="Null RMSEA of a single RMSEA test "
                                                                             "(default: the close and not-close "
                                                                             "fit tests)."),
               rmsea_alt: Optional[float] = typer.Option(None, "--rmsea-alt", help="Alternative RMSEA (with "
                                                                                   "--rmsea0)."),
               power: float = typer.Option(0.80, "--power", help="Target power (0.80)."),
               alpha: float = typer.Option(0.05, "--alpha", help="Significance level (0.05)."),
               n: Optional[int] = typer.Option(None, "--n", help="A planned sample size: the power at n, and the n "
                                                                 "Monte Carlo power simulates."),
               predictors: Optional[int] = typer.Option(None, "--predictors",
                                                        help="Predictors of the construct with the most (default: "
                                                             "from --questionnaire)."),
               f2: Optional[List[float]] = typer.Option(None, "--f2", help="Effect size f² (repeatable; default "
                                                                           ".02, .15, .35)."),
               min_path: Optional[float] = typer.Option(None, "--min-path",
                                                        help="Smallest expected path coefficient: Kock & Hadaya's "
                                                             "inverse square root minimum."),
               simulate: int = typer.Option(0, "--simulate", help="Monte Carlo replications of the questionnaire's "
                                                                  "model at --n (0: none)."),
               effect: Optional[List[str]] = typer.Option(None, "--effect",
                                                          help="Standardized path for the simulation, repeatable: "
                                                               "H1=0.3, KCF->SAT=0.2 or a label h1=0.25."),
               default_effect: float = typer.Option(0.3, "--default-effect", help="Path value where no --effect is "
                                                                                  "given (0.3)."),
               loading: float = typer.Option(0.7, "--loading", help="Standardized loading of every item (0.7)."),
               exo_cor: float = typer.Option(0.3, "--exo-cor", help="Correlation of the exogenous constructs (0.3)."),
               seed: Optional[int] = typer.Option(None, "--seed", help="Random seed (default: 20260101)."),
               jobs: int = typer.Option(1, "--jobs", help="Worker processes for the simulation."),
               scheduler: Optional[str] = typer.Option(None, "--scheduler",
                                                       help="Dask scheduler address, or 'local' for a LocalCluster."),
               as_json: bool = typer.Option(False, "--json", help="Print the figures as one JSON object."),
               paragraph: bool = typer.Option(False, "--paragraph", help="Print the chapter-3 paragraph with its "
                                                                         "citations (added as 'paragraph' to --json)."),
               lang: Optional[str] = typer.Option(None, "--lang", help="Paragraph language: fa or en (default: the "
                                                                       "questionnaire's, else en)."),
               decimal: Optional[str] = typer.Option(None, "--decimal", help="Decimal separator of a Persian "
                                                                             "paragraph (٫ by default).")) -> None:
    """Sample size and power: Cochran, Krejcie-Morgan, RMSEA power, F test of R², inverse square root, Monte Carlo."""
    import json
    from contextlib import nullcontext

    from .planning.plan import samplesize as plan_samplesize
    with _errors():
        if lang is not None and lang not in ("fa", "en"):
            raise LoyaltySurveyError(f"--lang '{lang}': use fa or en")
        q = None
        if questionnaire is not None:
            from .questionnaire import load_questionnaire
            q = load_questionnaire(questionnaire)
        executor_cm = nullcontext(None)
        if scheduler:
            from .parallel import dask_executor
            executor_cm = dask_executor(scheduler, workers=max(jobs, 2))
        with executor_cm as executor, _resample_bar(simulate, "Monte Carlo") as advance:
            plan = plan_samplesize(population, margin, confidence, proportion, rounding="up" if round_up else "nearest",
                                   km_chi2=chi2, questionnaire=q, df=df, rmsea0=rmsea0, rmsea_alt=rmsea_alt,
                                   power=power, alpha=alpha, n=n, predictors=predictors, f2=tuple(f2) if f2 else (0.02, 0.15, 0.35),
                                   min_path=min_path, simulate=simulate, effects=_effects(effect),
                                   default_effect=default_effect, loading=loading, exo_cor=exo_cor,
                                   seed=20260101 if seed is None else seed, jobs=jobs, executor=executor,
                                   progress=advance)
        language = lang or (q.language if q is not None and q.language in ("fa", "en") else "en")
        if as_json:
            out = plan.to_json()
            if paragraph:
                out["paragraph"] = plan.paragraph(language, decimal)
            typer.echo(json.dumps(_finite(out), ensure_ascii=False, indent=2, allow_nan=False))
        elif paragraph:
            typer.echo(plan.paragraph(language, decimal))
        else:
            _print_plan(plan)


def _finite(value):
    """``value`` with NaN and infinities as None (null in JSON, which has no NaN).

    >>> _finite({"a": [1.0, float("nan")], "b": float("inf")})
    {'a': [1.0, None], 'b': None}
    """
    if isinstance(value, float):
        return value if value == value and abs(value) != float("inf") else None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(v) for v in value]
    return value


def _print_plan(plan) -> None:
    """The plan as a table on stdout."""
    from rich.console import Console
    from rich.table import Table
    table = Table(title="Sample size and power")
    for name in ("method", "n", "details"):
        table.add_column(name, justify="right" if name == "n" else "left")
    c, km = plan.cochran, plan.krejcie_morgan
    where = f"N = {c.population:,.0f}" if c.population is not None else "N unlimited"
    table.add_row("Cochran (1977)", str(c.n), f"±{c.margin:g} at {c.confidence:.0%}, p = {c.p:g}, {where}; "
                                              f"n0 = {c.n0:.2f}")
    table.add_row("Krejcie & Morgan (1970)", str(km.n), f"s = {km.s:.2f}, chi² = {km.chi2:.4f}, {where}")
    r = plan.rmsea_power
    if r is not None:
        for t in r.tests:
            at = f"; power at n = {r.n}: {t.power_at_n:.3f}" if r.n is not None else ""
            table.add_row(f"RMSEA {t.test.replace('_', '-')} fit (MacCallum et al. 1996)", str(t.n_min),
                          f"df = {r.df} ({r.df_source}), RMSEA {t.rmsea0:g} vs {t.rmsea_alt:g}, power {r.power:g}, "
                          f"alpha {r.alpha:g}{at}")
    g = plan.regression_power
    if g is not None:
        for row in g.rows:
            at = f"; power at n = {g.n}: {row['power_at_n']:.3f}" if g.n is not None else ""
            table.add_row(f"F test of R², f² = {row['f2']:g} (Cohen 1988)", str(row["n_min"]),
                          f"{g.predictors} predictors ({g.predictors_source}), v = {row['v']:.2f}{at}")
    isr = plan.inverse_square_root
    if isr is not None:
        table.add_row("Inverse square root (Kock & Hadaya 2018)", str(isr.n_min),
                      f"|p_min| = {isr.p_min:g}, constant {isr.constant:.4f}")
    console = Console()
    console.print(table)
    mc = plan.monte_carlo
    if mc is not None:
        sim = Table(title=f"Monte Carlo power at n = {mc.n} ({mc.converged} of {mc.replications} replications "
                          f"converged, alpha {mc.alpha:g})")
        for name in ("path", "hypothesis", "std effect", "power", "MC SE", "asymptotic"):
            sim.add_column(name)
        for row in mc.paths:
            arrow = f"{row['rhs']} -> {row['lhs']}" if row["op"] == "~" else f"{row['rhs']} => {row['lhs']} (indirect)"
            sim.add_row(arrow, row["hypothesis"], f"{row['std_effect']:.3f}", f"{row['power']:.3f}",
                        f"{row['mc_se']:.3f}", f"{row['asymptotic_power']:.3f}")
        console.print(sim)


@app.command()
def new(out: Path = typer.Option(..., "--out", help="The questionnaire YAML file to write."),
        from_library: Optional[str] = typer.Option(None, "--from-library",
                                                   help="Library modules to compose, comma-separated (see "
                                                        "'loyaltysurvey library'), e.g. crm,satisfaction,loyalty."),
        from_export: Optional[Path] = typer.Option(None, "--from-export",
                                                   help="Draft the questionnaire from a response export "
                                                        "(.csv, .xlsx or .sav)."),
        lang: str = typer.Option("fa", "--lang", help="--from-library: the questionnaire's report language, fa "
                                                      "or en (every text stays bilingual)."),
        title: Optional[str] = typer.Option(None, "--title", help="--from-library: title of the questionnaire "
                                                                  "(default: made from the modules' names)."),
        platform: Optional[str] = typer.Option(None, "--platform", help="--from-export: " + _PLATFORM_HELP),
        sheet: Optional[str] = typer.Option(None, "--sheet", help="--from-export: Excel sheet name (default: first)."),
        encoding: Optional[str] = typer.Option(None, "--encoding",
                                               help="--from-export: CSV text encoding (default: detect)."),
        force: bool = typer.Option(False, "--force", help="Overwrite --out if it exists.")) -> None:
    """Write a new questionnaire YAML for you to edit: composed from the instrument library
    (--from-library) or drafted from a response export (--from-export)."""
    with _errors():
        if bool(from_library) == (from_export is not None):
            _fail("say where the questionnaire comes from: --from-library NAMES (see 'loyaltysurvey library') "
                  "or --from-export FILE", 2)
        if out.exists() and not force:
            _fail(f"{out} exists; choose another --out or add --force to overwrite it", 2)
        if from_export is not None:
            _new_from_export(from_export, out, platform, sheet, encoding)
            return
        from .library import compose_questionnaire
        text, q = compose_questionnaire(from_library, lang=lang, title=title, qid=out.stem)
        try:
            out.write_text(text, encoding="utf-8")
        except OSError as exc:
            _fail(f"{out}: cannot write the file ({exc.strerror})", 2)
        typer.echo(f"{out}: {len(q.constructs)} constructs, {len(q.items)} items, "
                   f"{len(q.hypotheses)} hypotheses; edit it, then 'loyaltysurvey validate {out}'", err=True)


@app.command()
def library() -> None:
    """List the instrument library's modules with their constructs, items and sources."""
    from .library import library_modules
    with _errors():
        for m in library_modules():
            constructs = ", ".join(c.id for c in m.constructs)
            typer.echo(f"{m.id:<20} {m.name.get('en')}: {constructs} ({m.n_items} "
                       f"item{'s' if m.n_items != 1 else ''}); {m.citation}")


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
        code = _parser_failure(exc)
    code = code if isinstance(code, int) else 0
    if argv is None:  # the command as a process of its own (not called from Python with its arguments)
        _end(code)
    raise SystemExit(code)


def _end(code: int) -> None:
    """End the command's process now with status ``code``. Its files are written and closed and its
    worker processes have ended; what is left of a normal exit is Python freeing every object one
    by one, a quarter of a second after ``analyze`` (a tenth of the run on the bundled example,
    benchmarks/bench_chapter.py) that nobody waits for. The exit handlers still run."""
    import atexit
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe: nothing more can reach it
            pass
    run_handlers = getattr(atexit, "_run_exitfuncs", None)
    if run_handlers is not None:
        run_handlers()
    os._exit(code)


if __name__ == "__main__":  # pragma: no cover
    main()
