"""Where resampling work runs: this process, local worker processes, or a Dask cluster.

Every backend receives the same fixed-size tasks (each with its own child seed)
and returns their results in task order, so the numbers never depend on the
backend or the number of workers. Dask is optional (``pip install
loyaltysurvey[dask]``); ``--scheduler local`` starts a ``LocalCluster`` on this
machine, ``--scheduler tcp://host:8786`` uses a running scheduler.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Callable, Iterable, Iterator

from .errors import LoyaltySurveyError

__all__ = ["DaskExecutor", "dask_executor"]


class DaskExecutor:
    """``map`` over a dask.distributed ``Client``, results in submission order."""

    def __init__(self, client) -> None:
        self.client = client

    def map(self, fn: Callable, tasks: Iterable) -> list:
        futures = self.client.map(fn, list(tasks), pure=False)
        return self.client.gather(futures)


@contextmanager
def dask_executor(scheduler: str, workers: int = 2) -> Iterator[DaskExecutor]:
    """A Dask executor for ``scheduler`` ("local" or an address); closes what it opened."""
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
