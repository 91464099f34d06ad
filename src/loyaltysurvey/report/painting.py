"""Where the chapter's figures are drawn: in this process, or in worker processes that run beside it.

Drawing the figures (matplotlib, PNG encoding, Graphviz) is most of the time a chapter takes
after the statistics. :func:`~loyaltysurvey.report.build.build_report` hands every figure to a
painter as a picklable call (a function of :mod:`loyaltysurvey.report.figures` and its
arguments) and goes on building the tables while the picture is drawn:

* :class:`InlinePainter` (the default) draws each figure at once, in this process;
* :class:`ProcessPainter` sends them to worker processes started before the statistics (a
  host process imports matplotlib and openpyxl and loads the fonts while the statistics run, so
  none of that is on the run's critical path, then forks the workers from itself), which draw
  the figures while this process builds the chapter
  and writes the Word document's text (the pictures go in last: see
  :func:`loyaltysurvey.report.docx.start_docx`); once the figures are drawn, a worker writes
  the workbook (:meth:`Painter.run`) while this process finishes the Word document and the
  HTML. ``loyaltysurvey analyze`` and ``demo`` use one on Linux; elsewhere (where forking a
  process that has loaded numpy is not safe, and a new interpreter would run the caller's
  script again) the figures are drawn inline.

Both give the same pictures, byte for byte (tests/test_painting.py): the drawing functions
are deterministic and each worker runs them with the same matplotlib settings. A worker that
dies is not fatal: its figures are drawn again here. A painter remembers its calls, so the
command line can start the figures of the sections finished while the statistics go on
(:func:`~loyaltysurvey.report.build.prefetch_figures`) and the chapter finds them drawn.
"""

from __future__ import annotations

import os
import sys
from concurrent.futures import Future
from typing import Any, Callable

__all__ = ["Drawing", "InlinePainter", "Painter", "ProcessPainter", "chapter_painter", "write_workbook"]

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
    """Runs drawing calls and returns :class:`concurrent.futures.Future` objects for them.

    A painter remembers what it was asked to draw: the same call (the same function and
    arguments, compared by their pickled bytes) asked again gets the drawing already made or
    under way. That lets the command line start the figures of the sections the statistics
    have finished while the others are computed (:func:`~loyaltysurvey.report.build.prefetch_figures`);
    the chapter built at the end finds them drawn. A call whose arguments changed in between is
    simply drawn again.
    """

    #: Whether drawing runs beside the caller (worker processes): only then is drawing the figures
    #: of finished sections early worth it (:func:`~loyaltysurvey.report.build.prefetch_figures`).
    concurrent = False

    def __init__(self) -> None:
        self._asked: dict[bytes, Future] = {}
        #: how many drawings were found among those asked before (tests/test_painting.py)
        self.reused = 0

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
        :meth:`Drawing.variant`); the drawing of an identical earlier call when there was one."""
        key = _call_key(fn, args, kwargs)
        future = self._asked.get(key) if key is not None else None
        if future is None:
            future = self.submit(fn, *args, **kwargs)
            if key is not None:
                self._asked[key] = future
        else:
            self.reused += 1
        return Drawing(future, width, 0 if variants else None, fn, args, kwargs)

    def close(self, abandon: bool = False) -> None:
        """Stop drawing; ``abandon`` when the run failed and nothing drawn is wanted."""

    def __enter__(self) -> "Painter":
        return self

    def __exit__(self, kind, value, traceback) -> None:
        self.close(abandon=kind is not None)


def write_workbook(report: Any) -> bytes:
    """:func:`loyaltysurvey.report.xlsx.render_xlsx`, by a name the main process can hand to
    :meth:`Painter.run` without importing openpyxl (a tenth of a second), which the worker that
    writes the workbook has imported already."""
    from .xlsx import render_xlsx
    return render_xlsx(report)


def _call_key(fn: Callable, args: tuple, kwargs: dict) -> bytes | None:
    """The bytes that identify a drawing call (None when its arguments cannot be pickled)."""
    import pickle
    try:
        return pickle.dumps((fn.__module__, fn.__qualname__, args, sorted(kwargs.items())),
                            protocol=pickle.HIGHEST_PROTOCOL)
    except Exception:  # noqa: BLE001 - anything unpicklable: not remembered, drawn each time
        return None


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

_BLAS_THREADS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def _warm_up() -> None:
    """The host's start (see :class:`ProcessPainter`): a lower priority (:data:`WORKER_NICENESS`),
    BLAS on one thread; import what drawing and the workbook need and load the fonts, while the
    main process computes the statistics. Its workers are forked after this and share it all."""
    try:
        os.nice(WORKER_NICENESS)
    except (AttributeError, OSError):  # no nice here: the workers compete as equals
        pass
    for name in _BLAS_THREADS:  # read when numpy loads BLAS, if this process was forked before it did
        os.environ[name] = "1"
    from . import figures  # imports matplotlib's drawing modules
    from ..parallel import limit_worker_blas
    limit_worker_blas()
    figures.warm_up()
    from . import xlsx  # noqa: F401 - openpyxl, for the workbook a worker writes (see run)


def _nothing() -> None:
    return None


def _worker_start() -> None:
    """A worker's initializer: BLAS on one thread, an end with the host's, a quiet one on Ctrl-C
    (:func:`~loyaltysurvey.parallel.start_worker`); SIGTERM ends it as it ends the host."""
    import signal
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    from ..parallel import start_worker
    start_worker()


def _host(connection, workers: int, main_end=None) -> None:
    """The process that owns the drawing workers (:class:`ProcessPainter`): warm up once, fork
    ``workers`` workers from itself, then pass each call received on ``connection`` to them and
    send back ``(key, True, result)`` or ``(key, False, exception)``. Ends when the connection
    sends ``None``, after the calls under way; on SIGTERM (a failed run) or Ctrl-C at once, its
    workers within half a second; when the main process is gone (killed: the connection closes,
    or this process's parent changes) it stops its workers and ends.

    ``main_end`` is the main process's end of the pipe, which this process inherited by forking:
    it is closed at once, so that the pipe closes when the main process ends, however it ends
    (else the host and its workers would outlive a killed run, waiting for calls)."""
    import signal
    import threading
    from concurrent.futures import ProcessPoolExecutor
    from functools import partial
    import multiprocessing

    pool = None

    def stop(*_):  # the main process is gone: the workers go at once, with this process
        for process in list((getattr(pool, "_processes", None) or {}).values()):
            process.terminate()
        os._exit(0)

    # SIGTERM (a failed run) and Ctrl-C (which reaches every process of the command; the main
    # process says why) end this process as the system ends a program, whichever of its threads
    # takes the signal (a Python handler would wait for the main thread, which a signal taken by
    # another thread does not wake from its wait for calls); its workers end with it
    # (exit_with_parent) or on the same Ctrl-C
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    if main_end is not None:
        main_end.close()
    _warm_up()
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("fork"),
                               initializer=_worker_start)
    for _ in range(workers):  # fork them now, warm, rather than at the first figure
        pool.submit(_nothing)
    from ..parallel import exit_with_parent
    exit_with_parent()  # a killed main process: the host goes, and its workers with it
    sending = threading.Lock()

    def send(message) -> None:
        with sending:
            try:
                connection.send(message)
            except (OSError, ValueError):  # the main process is gone
                pass

    def reply(key: int, future: Future) -> None:
        try:
            message = (key, True, future.result())
        except BaseException as exc:  # the call's error, or a lost worker's BrokenProcessPool
            message = (key, False, exc)
        try:
            send(message)
        except Exception as exc:  # noqa: BLE001 - a result or an error that cannot be pickled
            send((key, False, RuntimeError(f"{type(exc).__name__}: {exc}")))

    send(("workers", None, [p.pid for p in pool._processes.values()]))
    while True:
        try:
            message = connection.recv()
        except (EOFError, OSError):  # the main process is gone: nobody waits for what is drawn
            stop()
        if message is None:
            break
        key, fn, args, kwargs = message
        try:
            pool.submit(fn, *args, **kwargs).add_done_callback(partial(reply, key))
        except Exception as exc:  # noqa: BLE001 - the pool is broken: the main process draws it
            send((key, False, exc))
    pool.shutdown(wait=True, cancel_futures=True)


class ProcessPainter(Painter):
    """Draws in ``workers`` worker processes, started now (Linux: ``fork`` runs none of the
    caller's code again).

    One process, the *host*, is forked at once; it imports matplotlib and openpyxl and loads
    the fonts (:func:`_warm_up`), then forks the workers from itself, so that they share those
    imports rather than make them each (on two CPUs the imports of two workers had taken the
    second CPU for most of the statistics). Calls go to the host through a pipe and the results
    come back on it; a thread of this process sets each call's future. The command line starts
    its painter before it imports the statistics' libraries, so that the host's imports run
    beside the main process's. A lost host or worker fails the calls in flight with
    :class:`~concurrent.futures.process.BrokenProcessPool`, and :class:`Drawing` draws them here.
    Used as a context manager; leaving it stops the processes.
    """

    concurrent = True

    def __init__(self, workers: int = 2) -> None:
        super().__init__()
        import itertools
        import multiprocessing
        import threading
        context = multiprocessing.get_context("fork")
        self.workers = workers
        self._connection, theirs = context.Pipe()
        self.host = context.Process(target=_host, args=(theirs, workers, self._connection),
                                    name="loyaltysurvey-figures")
        self.host.start()
        theirs.close()
        #: the workers' process ids, once the host has forked them (tests/test_painting.py)
        self.worker_pids: list[int] = []
        self._pending: dict[int, Future] = {}
        self._keys = itertools.count()
        self._lock = threading.Lock()
        self._lost = False
        self._reader = threading.Thread(target=self._read, name="loyaltysurvey-figures", daemon=True)
        self._reader.start()

    def _read(self) -> None:
        from concurrent.futures.process import BrokenProcessPool
        while True:
            try:
                key, ok, value = self._connection.recv()
            except (EOFError, OSError):
                break
            if key == "workers":
                self.worker_pids = list(value)
                continue
            with self._lock:
                future = self._pending.pop(key, None)
            if future is not None:
                future.set_result(value) if ok else future.set_exception(value)
        with self._lock:  # the host is gone: what it had not finished is lost
            self._lost = True
            pending, self._pending = list(self._pending.values()), {}
        for future in pending:
            future.set_exception(BrokenProcessPool("the process drawing the figures was lost"))

    def submit(self, fn: Callable, /, *args: Any, **kwargs: Any) -> Future:
        future: Future = Future()
        with self._lock:
            if not self._lost:
                key = next(self._keys)
                self._pending[key] = future
                try:
                    self._connection.send((key, fn, args, kwargs))
                    return future
                except (OSError, ValueError):  # the host is gone
                    self._pending.pop(key, None)
        return InlinePainter().submit(fn, *args, **kwargs)

    def close(self, abandon: bool = False) -> None:
        """Stop the processes: when the run failed (``abandon``) at once, without waiting for the
        host to finish starting, so that an error is reported without delay."""
        if abandon:
            self.host.terminate()
        else:
            try:
                self._connection.send(None)
            except (OSError, ValueError):
                pass
            # every result is in by now: the host ends at once, unless a signal left it stuck
            self.host.join(timeout=10)
            if self.host.is_alive():
                self.host.terminate()
        self.host.join()
        self._connection.close()
        self._reader.join(timeout=5)


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
