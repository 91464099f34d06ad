"""The chapter's figures drawn in worker processes (report.painting) give the files drawn inline.

A command-line run (``analyze``, ``demo``) draws the figures in worker processes while the main
process writes the Word text, and one of them writes the workbook; the rest of the suite draws inline
(tests/conftest.py), so these tests check that the two give the same chapter, picture for
picture, and that a lost worker or a failed run is handled.
"""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import time
import zipfile
from concurrent.futures import Future
from concurrent.futures.process import BrokenProcessPool

import pytest

from conftest import REPORT_DAY
from loyaltysurvey.report.painting import InlinePainter

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"),
                                reason="worker processes draw the figures on Linux only")


def _pictures(docx: bytes) -> list[bytes]:
    with zipfile.ZipFile(io.BytesIO(docx)) as z:
        return [z.read(n) for n in sorted(z.namelist()) if n.startswith("word/media/")]


def test_workers_draw_the_same_chapter_as_the_main_process(tmp_path):
    import loyaltysurvey
    from loyaltysurvey.report import build_report, render_docx, render_html, render_markdown
    from loyaltysurvey.report.document import Figure
    from loyaltysurvey.report.painting import ProcessPainter
    from loyaltysurvey.resources import bundled_path

    study = loyaltysurvey.analyze(bundled_path("questionnaires", "crm_loyalty.yaml"),
                                  bundled_path("questionnaires", "crm_loyalty_example.csv"), bootstrap=0)
    inline = build_report(study.results, "fa", REPORT_DAY)
    with ProcessPainter(2) as painter:
        pending = build_report(study.results, "fa", REPORT_DAY, painter=painter)
        figures = [b for s in pending.sections for b in s.blocks if isinstance(b, Figure)]
        assert figures and all(f.drawing is not None for f in figures)  # drawn elsewhere, not yet here
        docx = render_docx(pending)  # waits for the pictures only after writing every table
        drawn = pending.resolved()
    assert [f.png for s in drawn.sections for f in s.blocks if isinstance(f, Figure)] == \
        [f.png for s in inline.sections for f in s.blocks if isinstance(f, Figure)]
    assert [f.width for s in drawn.sections for f in s.blocks if isinstance(f, Figure)] == \
        [f.width for s in inline.sections for f in s.blocks if isinstance(f, Figure)]
    assert render_html(drawn) == render_html(inline)
    assert render_markdown(drawn) == render_markdown(inline)
    assert _pictures(docx) == _pictures(render_docx(inline))
    assert len(_pictures(docx)) == len(figures)


def test_the_command_writes_the_same_files_with_and_without_workers(tmp_path, monkeypatch):
    """The whole ``analyze`` command, figures drawn by two workers and by the main process."""
    import openpyxl

    from loyaltysurvey.resources import bundled_path
    from loyaltysurvey.workflow import run_analyze

    args = (bundled_path("questionnaires", "crm_loyalty.yaml"), bundled_path("questionnaires", "crm_loyalty_example.csv"))
    outs = {}
    for workers in ("2", "0"):
        monkeypatch.setenv("LOYALTYSURVEY_CHAPTER_WORKERS", workers)
        outs[workers] = tmp_path / workers
        run_analyze(*args, outs[workers], bootstrap=0, today=REPORT_DAY, lang="en")
    for name in ("report.html", "results.json", "clean.csv", "ingest.json"):
        assert (outs["2"] / name).read_bytes() == (outs["0"] / name).read_bytes(), name
    assert _pictures((outs["2"] / "report.docx").read_bytes()) == _pictures((outs["0"] / "report.docx").read_bytes())
    books = [openpyxl.load_workbook(outs[w] / "tables.xlsx") for w in ("2", "0")]
    assert books[0].sheetnames == books[1].sheetnames
    for a, b in zip(*books):
        assert [[c.value for c in row] for row in a.iter_rows()] == [[c.value for c in row] for row in b.iter_rows()]
        assert len(a._images) == len(b._images)


def test_a_lost_worker_has_its_figure_drawn_here():
    from loyaltysurvey.report.figures import bar_chart
    from loyaltysurvey.report.painting import Drawing

    lost: Future = Future()
    lost.set_exception(BrokenProcessPool("a worker died"))
    drawing = Drawing(lost, 4.5, None, bar_chart, (["A", "B"], [40.0, 60.0], ["40", "60"], "Percent"), {})
    png, width = drawing.result()
    assert png[:4] == b"\x89PNG" and width == 4.5
    assert png == bar_chart(["A", "B"], [40.0, 60.0], ["40", "60"], "Percent")


def test_a_drawing_error_reaches_the_caller():
    from loyaltysurvey.report.painting import InlinePainter, ProcessPainter

    for painter in (InlinePainter(), ProcessPainter(1)):
        with painter:
            future = painter.submit(int, "not a number")
            with pytest.raises(ValueError):
                future.result()


def test_the_number_of_workers_is_set_by_the_environment(monkeypatch):
    from loyaltysurvey.report.painting import InlinePainter, ProcessPainter, chapter_painter

    monkeypatch.setenv("LOYALTYSURVEY_CHAPTER_WORKERS", "0")
    assert isinstance(chapter_painter(), InlinePainter)
    monkeypatch.setenv("LOYALTYSURVEY_CHAPTER_WORKERS", "not a number")
    assert isinstance(chapter_painter(), InlinePainter)
    monkeypatch.setenv("LOYALTYSURVEY_CHAPTER_WORKERS", "1")
    with chapter_painter() as painter:
        assert isinstance(painter, ProcessPainter) and painter.workers == 1
        assert painter.submit(abs, -3).result() == 3


def test_a_failed_run_stops_its_workers_at_once(tmp_path, monkeypatch):
    from loyaltysurvey.errors import DataError
    from loyaltysurvey.report import painting
    from loyaltysurvey.resources import bundled_path
    from loyaltysurvey.workflow import run_analyze

    painters = []
    original = painting.ProcessPainter.__init__

    def spy(self, workers=2):
        original(self, workers)
        painters.append(self)

    monkeypatch.setattr(painting.ProcessPainter, "__init__", spy)
    monkeypatch.setenv("LOYALTYSURVEY_CHAPTER_WORKERS", "2")
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(DataError):
        run_analyze(bundled_path("questionnaires", "crm_loyalty.yaml"), bad, tmp_path / "out")
    assert len(painters) == 1 and not painters[0].host.is_alive()
    assert not (tmp_path / "out").exists()
    # and once the host has forked its workers, stopping it stops them too
    with pytest.raises(RuntimeError):
        with painting.ProcessPainter(2) as painter:
            assert painter.submit(abs, -2).result() == 2  # the host is warm and its workers forked
            pids = painter.worker_pids
            raise RuntimeError("the run failed")
    assert len(pids) == 2 and not painter.host.is_alive()
    deadline = time.perf_counter() + 10
    while any(_running(pid) for pid in pids) and time.perf_counter() < deadline:
        time.sleep(0.05)
    assert not any(_running(pid) for pid in pids)


def _running(pid: int) -> bool:
    """Whether process ``pid`` runs (a zombie, ended but not yet reaped, does not)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def test_a_job_of_a_lost_worker_is_run_here(monkeypatch):
    """``Painter.run`` (the workbook, written by a worker) falls back on this process as a drawing does."""
    from loyaltysurvey.report.painting import InlinePainter

    painter = InlinePainter()
    lost: Future = Future()
    lost.set_exception(BrokenProcessPool("a worker died"))
    monkeypatch.setattr(painter, "submit", lambda fn, *args: lost)
    assert painter.run(abs, -3)() == 3


def test_the_command_starts_its_workers_before_the_statistics_libraries(tmp_path):
    """The workers of ``loyaltysurvey analyze`` are forked from the process as it starts, before
    it imports pandas, so that their imports (matplotlib, openpyxl) run beside its own."""
    from loyaltysurvey.resources import bundled_path

    script = (
        "import sys\n"
        "import loyaltysurvey.report.painting as painting\n"
        "original = painting.ProcessPainter.__init__\n"
        "def spy(self, workers=2):\n"
        "    print('pandas' in sys.modules, 'scipy' in sys.modules, flush=True)\n"
        "    original(self, workers)\n"
        "painting.ProcessPainter.__init__ = spy\n"
        "from loyaltysurvey.cli import app\n"
        "app(sys.argv[1:], standalone_mode=False)\n")
    args = [sys.executable, "-c", script, "analyze", str(bundled_path("questionnaires", "crm_loyalty.yaml")),
            str(bundled_path("questionnaires", "crm_loyalty_example.csv")), "--out", str(tmp_path / "out"),
            "--bootstrap", "0", "--lang", "en"]
    env = dict(os.environ, LOYALTYSURVEY_CHAPTER_WORKERS="2")
    done = subprocess.run(args, capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0] == "False False"
    assert (tmp_path / "out" / "tables.xlsx").stat().st_size > 0


class _Counting(InlinePainter):
    """An inline painter that counts what it was asked to draw."""

    def __init__(self) -> None:
        super().__init__()
        self.submitted = 0

    def submit(self, fn, /, *args, **kwargs):
        self.submitted += 1
        return super().submit(fn, *args, **kwargs)


class _Beside(_Counting):
    """One that says it draws beside the caller, so that the command line has it draw the
    finished sections' figures early."""

    concurrent = True


@pytest.mark.parametrize("shape", ["demo", "pls", "cb_groups"])
def test_the_figures_drawn_early_are_the_chapters(tmp_path, monkeypatch, shape):
    """The figures drawn while PLS-SEM or the group models are computed
    (report.build.prefetch_figures) are the ones the chapter uses, none drawn twice, and the
    files are those of a run that drew nothing early."""
    from loyaltysurvey.datasets import holzinger_swineford, hs_questionnaire
    from loyaltysurvey.report import build
    from loyaltysurvey.resources import bundled_path
    from loyaltysurvey.workflow import run_analyze

    if shape == "cb_groups":
        args, options = (hs_questionnaire(), holzinger_swineford()), {"method": "cb", "group": "school"}
    else:
        args = (bundled_path("questionnaires", "crm_loyalty.yaml"),
                bundled_path("questionnaires", "crm_loyalty_example.csv"))
        options = {"method": "pls"} if shape == "pls" else {}
    early = []
    prefetch = build.prefetch_figures

    def counted(results, lang, painter):
        prefetch(results, lang, painter)
        early.append(painter.submitted)

    monkeypatch.setattr(build, "prefetch_figures", counted)
    beside, inline = _Beside(), _Counting()
    for painter, out in ((beside, tmp_path / "early"), (inline, tmp_path / "plain")):
        run_analyze(*args, out, bootstrap=0, today=REPORT_DAY, lang="en", painter=painter, **options)
    # the demographics' figures before CB-SEM (when it runs), then CB-SEM's before PLS-SEM or the groups,
    # then PLS-SEM's three (measurement model, structural model, IPMA) before its PLSpredict
    assert early == ([4, 6, 9] if shape == "demo" else [4, 7] if shape == "pls" else [2])
    assert beside.submitted == inline.submitted  # none drawn twice: every one of them used by the chapter
    # the chapter finds every figure drawn early; the demo's CB-SEM stage asked for the demographics' again
    assert beside.reused == early[-1] + (early[0] if shape == "demo" else 0)
    assert inline.reused == 0
    for name in ("report.html", "results.json"):
        assert (tmp_path / "early" / name).read_bytes() == (tmp_path / "plain" / name).read_bytes(), name
    assert _pictures((tmp_path / "early" / "report.docx").read_bytes()) == \
        _pictures((tmp_path / "plain" / "report.docx").read_bytes())


def _descendants(pid: int) -> set[int]:
    """The running processes started by process ``pid`` and by those, from /proc."""
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", encoding="ascii") as stat:
                    fields = stat.read().rsplit(")", 1)[1].split()
            except (FileNotFoundError, ProcessLookupError):
                continue
            if fields[0] != "Z":
                parents[int(entry)] = int(fields[1])
    found, frontier = set(), {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGINT])
def test_no_process_outlives_a_killed_or_interrupted_run(tmp_path, how):
    """A run killed (nothing of it can clean up) or interrupted with Ctrl-C (sent to every process
    of the command, as a terminal does) while it resamples in worker processes and draws in
    others leaves none of them behind, and Ctrl-C ends it at once with status 130 and one line."""
    from loyaltysurvey.resources import bundled_path

    args = [sys.executable, "-m", "loyaltysurvey.cli", "analyze", str(bundled_path("questionnaires", "crm_loyalty.yaml")),
            str(bundled_path("questionnaires", "crm_loyalty_example.csv")), "--out", str(tmp_path / "out"),
            "--bootstrap", "5000", "--jobs", "2"]
    env = dict(os.environ, LOYALTYSURVEY_CHAPTER_WORKERS="2")
    run = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    try:
        deadline = time.perf_counter() + 120
        started: set[int] = set()
        while len(started) < 5 and time.perf_counter() < deadline and run.poll() is None:
            started = _descendants(run.pid)  # the figures' host, its two workers, two resampling workers
            time.sleep(0.05)
        assert len(started) >= 5, "the run did not start its workers"
        if how == signal.SIGINT:
            os.killpg(run.pid, signal.SIGINT)
        else:
            os.kill(run.pid, signal.SIGKILL)
        _, err = run.communicate(timeout=30)
        deadline = time.perf_counter() + 10
        while any(_running(pid) for pid in started) and time.perf_counter() < deadline:
            time.sleep(0.05)
        assert not any(_running(pid) for pid in started)
        if how == signal.SIGINT:
            assert run.returncode == 130 and err.decode().strip() == "loyaltysurvey: interrupted"
    finally:
        if run.poll() is None:
            os.killpg(run.pid, signal.SIGKILL)
