"""Chapter benchmark: the whole ``loyaltysurvey analyze`` on the bundled example against its statistics.

Prints, measured in this run (each the least wall-clock time of several repeats, and beside it
the least CPU time, which a busy machine disturbs less; the repeats of the statistics and of the
commands are taken in turn, so that a slow spell of a shared machine slows them alike):

* the statistics alone: ``loyaltysurvey.analyze(...)`` in this process, nothing written (and, for
  reference, the same in a new process, its imports included);
* the whole command, ``loyaltysurvey analyze QUESTIONNAIRE DATA --out DIR``, run as a new process
  each time (start-up and imports included, as a user meets it) and writing every output
  (results.json, report.html, report.docx, tables.xlsx, clean.csv, ingest.json): as it runs
  (its figures drawn by two worker processes, forked at a lower priority from a host process
  started as the command starts, which imports matplotlib while the main process computes the
  statistics; the demographics' charts are drawn while CB-SEM is estimated, CB-SEM's diagrams
  while PLS-SEM is, and PLS-SEM's figures while its PLSpredict runs and the main process writes
  the Word text; a worker then writes the workbook while the main process finishes the Word
  document, the HTML and results.json; the process ends without Python's teardown; see
  ``loyaltysurvey.report.painting`` and ``loyaltysurvey.cli.main``), and with everything in one process
  (``LOYALTYSURVEY_CHAPTER_WORKERS=0``);
* where the rest goes: start-up (``loyaltysurvey --version``), importing what the main process
  of a run needs, and building and rendering the chapter in one process (report model with its
  figures, HTML, Word, Excel);
* the same with 5,000 resamples of both engines (``--bootstrap 5000``: CB-SEM and PLS-SEM),
  against the resampling alone (``analyze(bootstrap=5000)`` less ``analyze(bootstrap=0)``);

then the ratios against the goals: the whole command at most 4x the statistics without
resampling (also given against the statistics in a new process, imports included), and at
most 2x the resampling with 5,000 resamples.

The child processes get the same environment as this one, except that their bytecode is cached
(``PYTHONPYCACHEPREFIX`` in a temporary folder, ``PYTHONDONTWRITEBYTECODE`` unset), as it is for
an installed package. BLAS runs single-threaded in both (``--blas-threads``, default 1): on these
small matrices more threads only add contention, and on a shared machine they can slow the
statistics several times over, which would flatter the ratios.

    python benchmarks/bench_chapter.py                  # about two minutes
    python benchmarks/bench_chapter.py --no-bootstrap   # the 4x goal only
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
QUESTIONNAIRE = ROOT / "questionnaires" / "crm_loyalty.yaml"
DATA = ROOT / "questionnaires" / "crm_loyalty_example.csv"
B = 5000
#: What the main process of a run of ``analyze`` imports (measured in a fresh process); matplotlib
#: and openpyxl are imported by the workers that draw the figures and write the workbook.
RUN_IMPORTS = ("import loyaltysurvey.cli, loyaltysurvey.workflow, loyaltysurvey.study, loyaltysurvey.report.build, "
               "loyaltysurvey.report.docx, loyaltysurvey.report.html, loyaltysurvey.report.painting")
#: The statistics in a new process: what a notebook's first ``analyze`` costs, imports included.
COLD_STATS = ("import loyaltysurvey; loyaltysurvey.analyze({q!r}, {d!r}, bootstrap=0)")


def _env(blas_threads: int, cache: str) -> dict[str, str]:
    env = dict(os.environ)
    for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        env[name] = str(blas_threads)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = cache
    src = str(ROOT / "src")  # this checkout's package, even when another one is installed
    env["PYTHONPATH"] = src + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    return env


def _cpu() -> float:
    """CPU seconds of this process and of its finished children."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _best(fn, repeats: int) -> tuple[float, float]:
    """The shortest wall-clock time of ``repeats`` calls, and the least CPU time any call took."""
    wall = cpu = float("inf")
    for _ in range(repeats):
        start, start_cpu = time.perf_counter(), _cpu()
        fn()
        wall = min(wall, time.perf_counter() - start)
        cpu = min(cpu, _cpu() - start_cpu)
    return wall, cpu


def _best_interleaved(fns: dict, repeats: int) -> dict[str, tuple[float, float]]:
    """:func:`_best` of each of ``fns``, their calls taken in turn (one of each, ``repeats`` times), so
    that a machine slowed for a while by others slows every measurement alike, not only one of them
    (on a shared two-CPU machine the statistics alone varied from 0.84 to 1.24 s between runs)."""
    best = {name: (float("inf"), float("inf")) for name in fns}
    for _ in range(repeats):
        for name, fn in fns.items():
            wall, cpu = _best(fn, 1)
            best[name] = (min(best[name][0], wall), min(best[name][1], cpu))
    return best


def _show(label: str, t: tuple[float, float], against: tuple[float, float] | None = None, goal: float = 0,
          what: str = "") -> None:
    line = f"{label:44s} {t[0]:7.2f} s  (CPU {t[1]:6.2f} s)"
    if against is not None:
        wall, cpu = t[0] / against[0], t[1] / against[1]
        line += (f"  = {wall:4.1f}x (CPU {cpu:4.1f}x) {what} (goal: at most {goal:g}x): "
                 f"{'met' if wall <= goal else 'NOT met'}")
    print(line)


def _process(args: list[str], env: dict[str, str]) -> None:
    subprocess.run([sys.executable, *args], env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def command(out: Path, env: dict[str, str], bootstrap: int) -> list[str]:
    return ["-m", "loyaltysurvey.cli", "analyze", str(QUESTIONNAIRE), str(DATA), "--out", str(out),
            "--bootstrap", str(bootstrap)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5, help="repeats of each timing without resampling")
    parser.add_argument("--boot-repeats", type=int, default=2, help="repeats of each timing with resampling")
    parser.add_argument("--blas-threads", type=int, default=1)
    parser.add_argument("--no-bootstrap", action="store_true", help="skip the 5,000-resample timings")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        env = _env(args.blas_threads, str(Path(tmp) / "pycache"))
        os.environ.update({k: env[k] for k in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")})
        sys.path.insert(0, str(ROOT / "src"))

        import loyaltysurvey
        from loyaltysurvey.report import build_report, render_docx, render_html, render_xlsx

        out = Path(tmp) / "out"
        _process(command(out, env, 0), env)  # warm-up: bytecode cache, font cache
        study = loyaltysurvey.analyze(QUESTIONNAIRE, DATA, bootstrap=0)
        serial_env = dict(env, LOYALTYSURVEY_CHAPTER_WORKERS="0")
        timed = _best_interleaved({
            "stats": lambda: loyaltysurvey.analyze(QUESTIONNAIRE, DATA, bootstrap=0),
            "whole": lambda: _process(command(out, env, 0), env),
            "serial": lambda: _process(command(out, serial_env, 0), serial_env),
            "startup": lambda: _process(["-m", "loyaltysurvey.cli", "--version"], env),
            "imports": lambda: _process(["-c", RUN_IMPORTS], env),
            "cold": lambda: _process(["-c", COLD_STATS.format(q=str(QUESTIONNAIRE), d=str(DATA))], env),
        }, args.repeats)
        stats, whole, serial = timed["stats"], timed["whole"], timed["serial"]
        startup, imports, cold = timed["startup"], timed["imports"], timed["cold"]
        report = build_report(study.results, study.settings.lang)
        stages = {"report model and figures": lambda: build_report(study.results, study.settings.lang),
                  "HTML": lambda: render_html(report), "Word": lambda: render_docx(report),
                  "Excel": lambda: render_xlsx(report)}
        times = {name: _best(fn, args.repeats) for name, fn in stages.items()}

        print(f"Bundled example ({study.n} respondents, {len(report.tables)} tables, "
              f"{sum(type(b).__name__ == 'Figure' for s in report.sections for b in s.blocks)} figures, "
              f"language {study.settings.lang}); the least of {args.repeats} repeats; BLAS threads {args.blas_threads}")
        _show("statistics alone, analyze(bootstrap=0)", stats)
        _show("  the same in a new process (with imports)", cold)
        _show("whole command, analyze --bootstrap 0", whole, stats, 4, "the statistics")
        _show("  against the statistics with imports", whole, cold, 4, "those")
        _show("  in one process (no chapter workers)", serial, stats, 4, "the statistics")
        _show("  of which: start-up (--version)", startup)
        _show("            start-up and imports of a run", imports)
        for name, t in times.items():
            _show(f"            {name}", t)
        if args.no_bootstrap:
            return

        with_boot = _best(lambda: loyaltysurvey.analyze(QUESTIONNAIRE, DATA, bootstrap=B), args.boot_repeats)
        resampling = (with_boot[0] - stats[0], with_boot[1] - stats[1])
        whole_boot = _best(lambda: _process(command(out, env, B), env), args.boot_repeats)
        print(f"{B} resamples of both engines (CB-SEM and PLS-SEM, --jobs 1); the least of {args.boot_repeats} repeats")
        _show(f"statistics, analyze(bootstrap={B})", with_boot)
        _show("resampling alone (the difference)", resampling)
        _show(f"whole command, analyze --bootstrap {B}", whole_boot, resampling, 2, "the resampling")


if __name__ == "__main__":
    main()
