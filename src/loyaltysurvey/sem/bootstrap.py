"""Nonparametric bootstrap of a CB-SEM model: every parameter, its std_all and every ``:=``.

Resamples are drawn in fixed chunks of ``CHUNK`` from child seeds of one
:class:`numpy.random.SeedSequence`: chunk ``k`` always uses child ``k``, so the
same ``seed`` gives identical draws (and results) whatever the number of
workers or the backend. Each chunk is fitted at once by :class:`BatchedML`,
warm-started at the full-sample estimates. Resamples whose fit does not
converge are dropped and counted, as lavaan's ``bootstrapLavaan`` does.

Intervals: percentile (R's default quantile, type 7), bias-corrected (lavaan's
``bca.simple``) and BCa with the jackknife acceleration (Efron, 1987).
"""

from __future__ import annotations

import math
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Callable

import numpy as np
from scipy import stats

from .batched import BatchedML
from .defined import compile_definitions
from .estimate import fit_ml
from .ram import RamModel

__all__ = ["CHUNK", "BootstrapResult", "bootstrap_chunk", "run_bootstrap", "intervals"]

CHUNK = 100


@dataclass(frozen=True)
class BootstrapResult:
    """Bootstrap draws of every parameter-table row plus the defined parameters.

    ``draws`` and ``std_draws`` have one row per successful resample and one
    column per estimate row (the parameter table, then the ``:=`` rows).
    """

    draws: np.ndarray
    std_draws: np.ndarray
    requested: int
    failed: int
    seed: int | None
    jack_draws: np.ndarray | None = None
    jack_std: np.ndarray | None = None

    @property
    def successful(self) -> int:
        return self.draws.shape[0]


def _row_values(model: RamModel, theta: np.ndarray) -> np.ndarray:
    return np.where(model.free[None, :] >= 0, theta[:, np.maximum(model.free, 0)], model.fixed_values[None, :])


def _fit_covariances(model: RamModel, S: np.ndarray, theta_hat: np.ndarray, H0: np.ndarray,
                     standardize: Callable) -> tuple:
    """Fit every covariance matrix in ``S``; return (values, std, n_failed) of the converged fits."""
    theta, _, converged = BatchedML(model).fit(S, theta_hat, H0)
    theta = theta[converged]
    values = _row_values(model, theta)
    table = model.table
    evaluate = compile_definitions(table) if table.definitions else None
    out_values, out_std = [], []
    batched = BatchedML(model)
    _, fulls, _ = batched.implied(theta) if theta.size else (None, np.zeros((0,)), None)
    for k in range(theta.shape[0]):
        std = standardize(model, values[k], fulls[k])
        row = values[k]
        if evaluate is not None:
            std_free = np.zeros(theta.shape[1])
            seen = set()
            for r, p in enumerate(table.params):
                if p.free and p.free not in seen:
                    seen.add(p.free)
                    std_free[p.free - 1] = std[r]
            row = np.concatenate([row, evaluate(theta[k], values[k])])
            std = np.concatenate([std, evaluate(std_free, std)])
        out_values.append(row)
        out_std.append(std)
    width = len(table.params) + len(table.definitions)
    return (np.array(out_values).reshape(-1, width), np.array(out_std).reshape(-1, width),
            int(S.shape[0] - converged.sum()))


def bootstrap_chunk(model: RamModel, X: np.ndarray, theta_hat: np.ndarray, H0: np.ndarray,
                    seed_seq: np.random.SeedSequence, size: int, standardize: Callable) -> tuple:
    """Draw ``size`` resamples with ``seed_seq``, fit them, and return (values, std, n_failed)."""
    rng = np.random.default_rng(seed_seq)
    n = X.shape[0]
    idx = rng.integers(0, n, size=(size, n))
    Xb = X[idx]
    Z = Xb - Xb.mean(axis=1, keepdims=True)
    S = np.einsum("bni,bnj->bij", Z, Z) / n
    return _fit_covariances(model, S, theta_hat, H0, standardize)


def jackknife(model: RamModel, X: np.ndarray, theta_hat: np.ndarray, standardize: Callable) -> tuple:
    """Leave-one-out estimates (values, std) for the BCa acceleration, all fitted in one batch."""
    n = X.shape[0]
    total = X.sum(axis=0)
    cross = X.T @ X
    means = (total[None, :] - X) / (n - 1)
    S = (cross[None] - X[:, :, None] * X[:, None, :]) / (n - 1) - means[:, :, None] * means[:, None, :]
    H0 = fit_ml(model, np.cov(X.T, ddof=0), start=theta_hat).information
    values, std, _ = _fit_covariances(model, S, theta_hat, H0, standardize)
    return values, std


def _chunk_job(args):
    return bootstrap_chunk(*args)


def run_bootstrap(model: RamModel, X: np.ndarray, theta_hat: np.ndarray, B: int, seed: int | None,
                  standardize: Callable, jobs: int = 1, executor=None,
                  progress: Callable[[int], None] | None = None, with_jackknife: bool = True) -> BootstrapResult:
    """Bootstrap ``B`` resamples of the rows of ``X`` (complete data, ML)."""
    S = np.cov(X.T, ddof=0)
    H0 = fit_ml(model, S, start=theta_hat).information
    children = np.random.SeedSequence(seed).spawn(math.ceil(B / CHUNK))
    sizes = [min(CHUNK, B - k * CHUNK) for k in range(len(children))]
    tasks = [(model, X, theta_hat, H0, child, size, standardize) for child, size in zip(children, sizes)]
    if executor is not None:
        parts = list(executor.map(_chunk_job, tasks))
        if progress:
            progress(B)
    elif jobs > 1:
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            parts = []
            for part, size in zip(pool.map(_chunk_job, tasks), sizes):
                parts.append(part)
                if progress:
                    progress(size)
    else:
        parts = []
        for task in tasks:
            parts.append(_chunk_job(task))
            if progress:
                progress(task[5])
    values = np.concatenate([p[0] for p in parts])
    std = np.concatenate([p[1] for p in parts])
    failed = sum(p[2] for p in parts)
    jack_values, jack_std = jackknife(model, X, theta_hat, standardize) if with_jackknife else (None, None)
    return BootstrapResult(values, std, B, failed, seed, jack_values, jack_std)


def intervals(draws: np.ndarray, estimate: float, level: float = 0.95,
              jackknife: np.ndarray | None = None) -> dict[str, float]:
    """Bootstrap SE and percentile, bias-corrected and BCa bounds for one quantity."""
    draws = draws[np.isfinite(draws)]
    a = (1 - level) / 2
    if draws.size < 2:
        nan = float("nan")
        return {"se": nan, "perc_lower": nan, "perc_upper": nan, "bc_lower": nan, "bc_upper": nan,
                "bca_lower": nan, "bca_upper": nan}
    lo, hi = np.quantile(draws, [a, 1 - a])
    out = {"se": float(draws.std(ddof=1)), "perc_lower": float(lo), "perc_upper": float(hi)}
    share = np.mean(draws < estimate)
    if 0 < share < 1 and np.ptp(draws) > 0:
        z0 = stats.norm.ppf(share)
        za, zb = stats.norm.ppf(a), stats.norm.ppf(1 - a)
        bc = stats.norm.cdf([2 * z0 + za, 2 * z0 + zb])
        out["bc_lower"], out["bc_upper"] = (float(v) for v in np.quantile(draws, bc))
        accel = 0.0
        if jackknife is not None and jackknife.size > 2:
            jackknife = jackknife[np.isfinite(jackknife)]
            d = jackknife.mean() - jackknife
            den = 6 * (np.sum(d ** 2) ** 1.5)
            accel = float(np.sum(d ** 3) / den) if den > 0 else 0.0
        adj = [z0 + (z0 + z) / (1 - accel * (z0 + z)) for z in (za, zb)]
        out["bca_lower"], out["bca_upper"] = (float(v) for v in np.quantile(draws, stats.norm.cdf(adj)))
    else:
        out.update({"bc_lower": float(lo), "bc_upper": float(hi), "bca_lower": float(lo), "bca_upper": float(hi)})
    return out
