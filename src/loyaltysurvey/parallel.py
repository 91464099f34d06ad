"""Where resampling work and independent model fits run: this process, local worker processes, or a Dask cluster.

Every backend receives the same fixed-size tasks (each with its own child seed)
and returns their results in task order, so the numbers never depend on the
backend or the number of workers. Independent fits (the levels of measurement
invariance, the tests of equal paths, each group's own model) go through
:func:`map_tasks` the same way. Dask is optional (``pip install
loyaltysurvey[dask]``); ``--scheduler local`` starts a ``LocalCluster`` on this
machine, ``--scheduler tcp://host:8786`` uses a running scheduler.
"""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from typing import Any, Callable, Iterable, Iterator

from .errors import LoyaltySurveyError

__all__ = ["DaskExecutor", "dask_executor", "map_tasks", "one_blas_thread"]


@contextmanager
def one_blas_thread() -> Iterator[None]:
    """Run the block with BLAS (numpy's linear algebra) on one thread.

    A survey's matrices have tens of rows and columns, and the analyses make many thousands of
    small calls (PLSpredict's regressions, per-resample fits): there, more BLAS threads only add
    start-up and contention, and on a shared machine they slow the run several times over (an
    analysis of 22 constructs took 240 s with OpenBLAS's default threads and 27 s with one, on a
    busy two-core machine). Parallel work goes to worker processes (``--jobs``) instead.
    """
    from threadpoolctl import threadpool_limits
    with threadpool_limits(limits=1, user_api="blas"):
        yield


def limit_worker_blas() -> None:
    """A worker process's initializer: BLAS on one thread for the worker's life (see :func:`one_blas_thread`)."""
    from threadpoolctl import threadpool_limits
    threadpool_limits(limits=1, user_api="blas")


def exit_with_parent(interval: float = 0.5) -> None:
    """End this process (a worker) within ``interval`` seconds of the end of the process that
    started it, however that ended: killed, a worker would otherwise wait for work forever
    (:class:`~concurrent.futures.ProcessPoolExecutor` workers do not notice their parent's end).
    A daemon thread watches the parent's process id (tests/test_painting.py kills a run and
    finds none of its processes left)."""
    import os
    import threading
    import time

    parent = os.getppid()

    def watch() -> None:
        while True:
            time.sleep(interval)
            if os.getppid() != parent:
                os._exit(1)

    threading.Thread(target=watch, name="loyaltysurvey-parent-watch", daemon=True).start()


def start_worker() -> None:
    """A local worker process's initializer: BLAS on one thread (:func:`limit_worker_blas`), an end
    with its parent's (:func:`exit_with_parent`), and a quiet one on Ctrl-C, which a terminal sends
    to every process of the command (the main process says that the run was interrupted; a
    worker's traceback would only bury that). Ctrl-C ends a worker as the system ends a program
    (no Python handler: one would wait for the worker's main thread, which a signal taken by
    another thread does not wake)."""
    import signal
    limit_worker_blas()
    exit_with_parent()
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def map_tasks(fn: Callable, tasks: Iterable, jobs: int = 1, executor: Any = None) -> list:
    """``fn`` over independent ``tasks`` (model fits), results in task order.

    On ``executor`` (anything with ``map``, e.g. :class:`DaskExecutor`), else in ``jobs`` local
    worker processes (BLAS on one thread each), else in this process. One task runs here
    whatever the backend, as sending it away only adds start-up. ``fn`` and the tasks must be
    picklable (a module-level function) for the first two; a task's exception is raised here.
    Every backend runs the same function on the same task, so the results are identical.

    >>> map_tasks(abs, [-1, -2, 3])
    [1, 2, 3]
    >>> map_tasks(abs, [-4], jobs=2)
    [4]
    """
    tasks = list(tasks)
    if len(tasks) < 2:
        return [fn(t) for t in tasks]
    if executor is not None:
        return list(executor.map(fn, tasks))
    if jobs > 1:
        with ProcessPoolExecutor(max_workers=min(jobs, len(tasks)), initializer=start_worker) as pool:
            return list(pool.map(fn, tasks))
    return [fn(t) for t in tasks]


class DaskExecutor:
    """``map`` over a dask.distributed ``Client``, results in submission order.

    Tasks are submitted with ``pure=False`` (every task runs, even two equal ones) and
    gathered in the order they were given, which is all the resampling code needs of an
    executor. Made by :func:`dask_executor`; a bootstrap run through it equals a local run,
    which tests/test_batched.py checks on a Dask ``LocalCluster`` (when Dask is installed).

    >>> class Client:  # a stand-in with the two methods used (no Dask needed here)
    ...     def map(self, fn, tasks, pure=True):
    ...         return [fn(t) for t in tasks]
    ...     def gather(self, futures):
    ...         return futures
    >>> DaskExecutor(Client()).map(abs, [-2, 3])
    [2, 3]
    """

    def __init__(self, client) -> None:
        self.client = client

    def map(self, fn: Callable, tasks: Iterable) -> list:
        """Run ``fn`` on every task on the cluster and return the results in task order.

        ``fn`` and the tasks must be picklable; the call waits for every result.
        """
        futures = self.client.map(fn, list(tasks), pure=False)
        return self.client.gather(futures)


@contextmanager
def dask_executor(scheduler: str, workers: int = 2) -> Iterator[DaskExecutor]:
    """A Dask executor for ``scheduler`` ("local" or an address); closes what it opened.

    A context manager: ``"local"`` starts a ``LocalCluster`` of ``workers`` single-threaded
    processes on this machine; any other value is a scheduler address such as
    ``tcp://host:8786`` (10 s to connect). The client, and the cluster when one was started,
    are closed on leaving the block. Raises :class:`~loyaltysurvey.errors.LoyaltySurveyError`
    when Dask is not installed or the scheduler cannot be reached. No example here: it starts
    worker processes. Typical use::

        with dask_executor("local", workers=2) as executor:
            study = analyze(questionnaire, data, executor=executor, bootstrap=2000)
    """
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError:
        raise LoyaltySurveyError("--scheduler needs Dask: pip install 'loyaltysurvey[dask]'") from None
    cluster = None
    try:
        if scheduler == "local":
            cluster = LocalCluster(n_workers=max(1, workers), threads_per_worker=1, processes=True,
                                   dashboard_address=None)
            client = Client(cluster)
        else:
            client = Client(scheduler, timeout="10s")
    except OSError as exc:
        raise LoyaltySurveyError(f"cannot reach the Dask scheduler '{scheduler}' ({exc})") from None
    try:
        yield DaskExecutor(client)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
