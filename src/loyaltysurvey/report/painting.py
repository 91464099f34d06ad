"""Where the chapter's figures are drawn: in this process, or in worker processes that run beside it.

Drawing the figures (matplotlib, PNG encoding, Graphviz) is most of the time a chapter takes
after the statistics. :func:`~loyaltysurvey.report.build.build_report` hands every figure to a
painter as a picklable call (a function of :mod:`loyaltysurvey.report.figures` and its
arguments) and goes on building the tables while the picture is drawn:

* :class:`InlinePainter` (the default) draws each figure at once, in this process;
* :class:`ProcessPainter` sends them to worker processes forked before the statistics, which
  import matplotlib and openpyxl and load the fonts while the statistics run (so none of that
  is on the run's critical path), then draw the figures while this process builds the chapter
  and writes the Word document's text (the pictures go in last: see
  :func:`loyaltysurvey.report.docx.start_docx`); once the figures are drawn, a worker writes
  the workbook (:meth:`Painter.run`) while this process finishes the Word document and the
  HTML. ``loyaltysurvey analyze`` and ``demo`` use one on Linux; elsewhere (where forking a
  process that has loaded numpy is not safe, and a new interpreter would run the caller's
  script again) the figures are drawn inline.

Both give the same pictures, byte for byte (tests/test_painting.py): the drawing functions
are deterministic and each worker runs them with the same matplotlib settings. A worker that
dies is not fatal: its figures are drawn again here.
"""

from __future__ import annotations

import os
import sys
from concurrent.futures import Future
from typing import Any, Callable

__all__ = ["Drawing", "InlinePainter", "Painter", "ProcessPainter", "chapter_painter"]

#: Set to 0 to draw every figure in the main process (``LOYALTYSURVEY_CHAPTER_WORKERS=0``), or
#: to the number of worker processes (default: two on a machine of two or more CPUs).
WORKERS_VARIABLE = "LOYALTYSURVEY_CHAPTER_WORKERS"


class Drawing:
    """A figure being drawn: :meth:`result` gives its PNG bytes and printed width (inches).

    ``future`` yields PNG bytes (then ``width`` is the width) or, for a model diagram, a list
    of ``(png, width)`` of which this drawing is number ``index``. ``fn``, ``args`` and
    ``kwargs`` are kept to draw the figure here should the worker be lost.
    """

    def __init__(self, future: Future, width: float, index: int | None, fn: Callable, args: tuple,
                 kwargs: dict) -> None:
        self.future, self.width, self.index = future, width, index
        self._call = (fn, args, kwargs)

    def result(self) -> tuple[bytes, float]:
        from concurrent.futures.process import BrokenProcessPool
        try:
            value = self.future.result()
        except BrokenProcessPool:  # the worker died (killed, out of memory): draw it here
            fn, args, kwargs = self._call
            value = fn(*args, **kwargs)
        if self.index is None:
            return value, self.width
        png, width = value[self.index]
        return png, width

    def variant(self, index: int) -> "Drawing":
        """The same call's drawing number ``index`` (a model diagram draws two variants at once)."""
        fn, args, kwargs = self._call
        return Drawing(self.future, self.width, index, fn, args, kwargs)


class Painter:
    """Runs drawing calls and returns :class:`concurrent.futures.Future` objects for them."""

    def submit(self, fn: Callable, /, *args: Any, **kwargs: Any) -> Future:
        raise NotImplementedError

    def run(self, fn: Callable, /, *args: Any) -> Callable[[], Any]:
        """Start ``fn(*args)`` (a module-level function, picklable arguments); call what this
        returns for its result, computed here should the worker be lost."""
        future = self.submit(fn, *args)

        def result() -> Any:
            from concurrent.futures.process import BrokenProcessPool
            try:
                return future.result()
            except BrokenProcessPool:
                return fn(*args)

        return result

    def draw(self, fn: Callable, /, *args: Any, width: float = 6.0, variants: bool = False, **kwargs: Any) -> Drawing:
        """Draw ``fn(*args, **kwargs)``: a :class:`Drawing` of PNG bytes printed ``width``
        inches wide or, with ``variants``, of a list of ``(png, width)`` (take each with
        :meth:`Drawing.variant`)."""
        return Drawing(self.submit(fn, *args, **kwargs), width, 0 if variants else None, fn, args, kwargs)

    def close(self, abandon: bool = False) -> None:
        """Stop drawing; ``abandon`` when the run failed and nothing drawn is wanted."""

    def __enter__(self) -> "Painter":
        return self

    def __exit__(self, kind, value, traceback) -> None:
        self.close(abandon=kind is not None)


class InlinePainter(Painter):
    """Draws each figure at once, in this process."""

    def submit(self, fn: Callable, /, *args: Any, **kwargs: Any) -> Future:
        future: Future = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as exc:  # raised when the result is asked for, as a worker's would be
            future.set_exception(exc)
        return future


#: How much less CPU a worker asks for than the main process (``os.nice``): the statistics and then
#: the Word document, on the main process, are what a run waits for; the workers import matplotlib
#: and draw on what the main process leaves. On the bundled example on two CPUs the whole
#: ``analyze`` took 2.9 s instead of 3.3 s (the least of twelve runs each, benchmarks/bench_chapter.py).
WORKER_NICENESS = 10


def _warm_up() -> None:
    """A worker's initializer: a lower priority (:data:`WORKER_NICENESS`), BLAS on one thread;
    import what drawing needs and load the fonts, while the main process computes the statistics."""
    try:
        os.nice(WORKER_NICENESS)
    except (AttributeError, OSError):  # no nice here: the workers compete as equals
        pass
    for name in _BLAS_THREADS:  # read when numpy loads BLAS, if this worker was forked before it did
        os.environ[name] = "1"
    from . import figures  # imports matplotlib's drawing modules
    from ..parallel import limit_worker_blas
    limit_worker_blas()
    figures.warm_up()
    from . import xlsx  # noqa: F401 - openpyxl, for the workbook a worker writes (see run)


_BLAS_THREADS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def _nothing() -> None:
    return None


class ProcessPainter(Painter):
    """Draws in ``workers`` worker processes, forked now (Linux: ``fork`` runs none of the
    caller's code again, and the workers share what this process has already imported).

    Each worker imports matplotlib on start, which the main process then never has to: the
    command line starts its painter before it imports the statistics' libraries, so that the
    workers' imports run beside the main process's (on the bundled example, on two CPUs, the
    median of 16 runs of the whole ``analyze`` fell from 3.6 s to 3.3 s against workers forked
    after those imports, the best run staying at 2.9 s; with the workbook written by a worker
    as well, the median of 12 runs went from 3.4 s to 3.0 s and the best from 2.9 s to 2.7 s).
    Used as a context manager; leaving it stops the workers.
    """

    def __init__(self, workers: int = 2) -> None:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor
        self.pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("fork"),
                                        initializer=_warm_up)
        for _ in range(workers):  # start every worker now, so they warm up during the statistics
            self.pool.submit(_nothing)

    def submit(self, fn: Callable, /, *args: Any, **kwargs: Any) -> Future:
        from concurrent.futures.process import BrokenProcessPool
        try:
            return self.pool.submit(fn, *args, **kwargs)
        except (BrokenProcessPool, RuntimeError):  # the pool is gone: draw it here
            return InlinePainter().submit(fn, *args, **kwargs)

    def close(self, abandon: bool = False) -> None:
        """Stop the workers: when the run failed (``abandon``) at once, without waiting for them to
        finish starting, so that an error is reported without delay."""
        if abandon:
            for process in list((getattr(self.pool, "_processes", None) or {}).values()):
                process.terminate()
        self.pool.shutdown(wait=True, cancel_futures=True)


def chapter_painter() -> Painter:
    """The painter of a command-line run: on Linux with two CPUs or more, worker processes (their
    number from ``LOYALTYSURVEY_CHAPTER_WORKERS``, default 2; 0 draws here); else inline."""
    if not sys.platform.startswith("linux"):
        return InlinePainter()
    setting = os.environ.get(WORKERS_VARIABLE, "").strip()
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    try:
        workers = int(setting) if setting else (2 if cpus >= 2 else 0)
    except ValueError:
        workers = 0
    if workers <= 0:
        return InlinePainter()
    try:
        return ProcessPainter(workers)
    except (OSError, ImportError, RuntimeError):  # no processes here (a sandbox): draw inline
        return InlinePainter()
