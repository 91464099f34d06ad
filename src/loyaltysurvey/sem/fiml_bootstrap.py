"""Nonparametric bootstrap of a FIML fit (lavaan's ``missing = "ml"`` with ``se = "bootstrap"``).

As lavaan's ``bootstrapLavaan`` does for incomplete data, whole rows are drawn
with replacement, incomplete rows included, every resample is refitted by FIML,
and resamples whose fit does not converge are dropped and counted. A resample
is a vector of frequency weights over the rows, so the missing-data patterns
stay those of the full sample and each chunk of resamples is fitted at once by
:class:`~loyaltysurvey.sem.batched_fiml.BatchedFIML` from the full-sample
estimates. Chunks, seeds and backends are those of the listwise bootstrap
(:func:`~loyaltysurvey.sem.bootstrap.chunk_seeds`,
:func:`~loyaltysurvey.sem.bootstrap.map_chunks`): the same seed gives the same
draws whatever the number of workers. The jackknife for BCa intervals sets one
row's weight to 0 at a time, in chunks on the same backends.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from .batched_fiml import BatchedFIML, frequency_weights
from .bootstrap import CHUNK, BootstrapResult, chunk_seeds, draw_rows, map_chunks
from .fiml import FimlObjective, Patterns
from .ram import RamModel
from .standardized import standardized_values

__all__ = ["fiml_bootstrap_chunk", "fiml_jackknife_chunk", "fiml_metric", "fit_fiml_resamples", "run_fiml_bootstrap"]


def fiml_metric(model: RamModel, patterns: Patterns, theta_hat: np.ndarray, step: float = 1e-5) -> np.ndarray:
    """The Hessian of F = -2 logL / N at ``theta_hat``, made positive definite: the first BFGS metric.

    Central differences of the analytic gradient, as
    :func:`~loyaltysurvey.sem.robust.numerical_hessian` takes them (``h = step max(1, |theta_k|)``),
    with the ``2 q`` gradients evaluated in one batch by
    :class:`~loyaltysurvey.sem.batched_fiml.BatchedFIML`; symmetrized, and eigenvalues below
    1e-8 of the largest raised to it, so that a nearly singular Hessian (a weakly identified
    model) still gives a usable metric.

    >>> import numpy as np
    >>> from loyaltysurvey.datasets import hs_fiml
    >>> fit, model, patterns = hs_fiml()
    >>> H = fiml_metric(model, patterns, fit.theta)
    >>> bool(np.allclose(H, FimlObjective(model, patterns).hessian(fit.theta), atol=1e-7))
    True
    """
    q = theta_hat.size
    h = step * np.maximum(1.0, np.abs(theta_hat))
    points = np.concatenate([theta_hat + np.diag(h), theta_hat - np.diag(h)])
    engine = BatchedFIML(model, patterns)
    st = engine.statistics(np.ones((1, patterns.n_total))).take(np.zeros(2 * q, dtype=int))
    _, g = engine._objective(st, points)
    H = (g[:q] - g[q:]).T / (2 * h)
    H = (H + H.T) / 2
    eig, vec = np.linalg.eigh(H)
    floor = 1e-8 * max(float(eig.max()), 1e-12)
    if eig.min() < floor:
        H = (vec * np.maximum(eig, floor)) @ vec.T
    return H


def fit_fiml_resamples(model: RamModel, patterns: Patterns, theta_hat: np.ndarray, weights: np.ndarray,
                       H0: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """FIML estimates of given resamples: ``(theta, converged)``, one row per weight vector.

    ``weights`` (b, N) counts how often each row of ``patterns.X`` enters each resample
    (:func:`~loyaltysurvey.sem.batched_fiml.frequency_weights` turns index sets into weights).
    Every fit starts at ``theta_hat``; ``H0`` defaults to :func:`fiml_metric` there. The
    estimates on 20 fixed resamples equal lavaan 0.6.14's ``sem(..., missing = "ml")`` on the
    same rows to 1e-4 (tests/test_fiml_bootstrap_reference.py).

    >>> import numpy as np
    >>> from loyaltysurvey.datasets import hs_fiml
    >>> fit, model, patterns = hs_fiml()
    >>> theta, ok = fit_fiml_resamples(model, patterns, fit.theta,
    ...                                np.ones((1, patterns.n_total)))
    >>> bool(ok[0]), bool(np.abs(theta[0] - fit.theta).max() < 1e-5)   # the full sample again
    (True, True)
    """
    if H0 is None:
        H0 = fiml_metric(model, patterns, theta_hat)
    theta, _, converged = BatchedFIML(model, patterns).fit(weights, theta_hat, H0)
    return theta, converged


def _weighted_draws(model: RamModel, patterns: Patterns, theta_hat: np.ndarray, H0: np.ndarray, W: np.ndarray,
                    standardize: Callable) -> tuple[np.ndarray, np.ndarray, int]:
    theta, converged = fit_fiml_resamples(model, patterns, theta_hat, W, H0)
    values, std = draw_rows(model, theta[converged], standardize)
    return values, std, int(W.shape[0] - converged.sum())


def fiml_bootstrap_chunk(model: RamModel, patterns: Patterns, theta_hat: np.ndarray, H0: np.ndarray,
                         seed_seq: np.random.SeedSequence, size: int, standardize: Callable) -> tuple:
    """Draw ``size`` resamples of the rows with ``seed_seq``, fit them by FIML, return (values, std, n_failed).

    Each resample draws ``N`` rows of ``patterns.X`` (complete and incomplete) with
    replacement, the same index draws as the listwise chunk makes for ``N`` rows; ``values``
    and ``std`` hold one row per converged resample (every parameter-table row, then every
    ``:=`` parameter), as :func:`~loyaltysurvey.sem.bootstrap.bootstrap_chunk` returns them.
    """
    rng = np.random.default_rng(seed_seq)
    n = patterns.n_total
    W = frequency_weights(rng.integers(0, n, size=(size, n)), n)
    return _weighted_draws(model, patterns, theta_hat, H0, W, standardize)


def fiml_jackknife_chunk(model: RamModel, patterns: Patterns, theta_hat: np.ndarray, H0: np.ndarray,
                         rows: np.ndarray, standardize: Callable) -> tuple:
    """Leave-one-out FIML estimates for the ``rows`` given: (values, std, n_failed).

    Leaving row ``i`` out is the weight vector of ones with a 0 at ``i``.
    """
    W = np.ones((rows.size, patterns.n_total))
    W[np.arange(rows.size), rows] = 0.0
    return _weighted_draws(model, patterns, theta_hat, H0, W, standardize)


def _bootstrap_job(args):
    return fiml_bootstrap_chunk(*args)


def _jackknife_job(args):
    return fiml_jackknife_chunk(*args)


def run_fiml_bootstrap(model: RamModel, patterns: Patterns, theta_hat: np.ndarray, B: int, seed: int | None,
                       standardize: Callable = standardized_values, jobs: int = 1, executor: Any = None,
                       progress: Callable[[int], Any] | None = None, with_jackknife: bool = True) -> BootstrapResult:
    """Bootstrap ``B`` resamples of the rows of incomplete data, each fitted by FIML.

    ``model`` carries the mean structure of the FIML fit and ``theta_hat`` its estimates
    (every resample starts there, with :func:`fiml_metric` as the first inverse-Hessian
    metric). Chunks of :data:`~loyaltysurvey.sem.bootstrap.CHUNK` resamples use the child
    seeds of ``seed`` and run in this process, in ``jobs`` processes or on ``executor``
    (:func:`~loyaltysurvey.sem.bootstrap.map_chunks`); the same seed gives the same draws on
    every backend. With ``with_jackknife`` the ``N`` leave-one-out fits for the BCa
    acceleration are added (in chunks on the same backend). The result is marked
    ``missing = "fiml"``. Checked against lavaan 0.6.14's ``missing = "ml", se = "bootstrap"``
    (2,000 resamples, within Monte Carlo error) in tests/test_fiml_bootstrap_reference.py.

    References: Efron & Tibshirani (1993); Enders (2010), *Applied Missing Data Analysis*.

    >>> import numpy as np
    >>> from loyaltysurvey.datasets import hs_fiml
    >>> fit, model, patterns = hs_fiml()
    >>> boot = run_fiml_bootstrap(model, patterns, fit.theta, 150, seed=3,
    ...                           with_jackknife=False)
    >>> boot.successful + boot.failed, boot.draws.shape[1], boot.missing
    (150, 36, 'fiml')
    """
    H0 = fiml_metric(model, patterns, theta_hat)
    children, sizes = chunk_seeds(B, seed, CHUNK)
    tasks = [(model, patterns, theta_hat, H0, child, size, standardize) for child, size in zip(children, sizes)]
    parts = map_chunks(_bootstrap_job, tasks, sizes, jobs, executor, progress)
    values = np.concatenate([p[0] for p in parts])
    std = np.concatenate([p[1] for p in parts])
    failed = sum(p[2] for p in parts)
    jack_values = jack_std = None
    if with_jackknife:
        n = patterns.n_total
        blocks = [np.arange(start, min(start + CHUNK, n)) for start in range(0, n, CHUNK)]
        jobs_ = [(model, patterns, theta_hat, H0, rows, standardize) for rows in blocks]
        jack = map_chunks(_jackknife_job, jobs_, [b.size for b in blocks], jobs, executor)
        jack_values = np.concatenate([p[0] for p in jack])
        jack_std = np.concatenate([p[1] for p in jack])
    return BootstrapResult(values, std, B, failed, seed, jack_values, jack_std, missing="fiml")
