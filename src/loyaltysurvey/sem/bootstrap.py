"""Nonparametric bootstrap of a CB-SEM model: every parameter, its std_all and every ``:=``.

Resamples are drawn in fixed chunks of ``CHUNK`` from child seeds of one
:class:`numpy.random.SeedSequence`: chunk ``k`` always uses child ``k``, so the
same ``seed`` gives identical draws (and results) whatever the number of
workers or the backend. Each chunk is fitted at once by :class:`BatchedML`,
warm-started at the full-sample estimates. Resamples whose fit does not
converge are dropped and counted, as lavaan's ``bootstrapLavaan`` does.
Incomplete data fitted by FIML are resampled by
:mod:`loyaltysurvey.sem.fiml_bootstrap` with the same chunks, seeds, backends,
draw layout (:func:`draw_rows`) and intervals; :func:`bootstrap_fit` runs either.

Intervals: percentile (R's default quantile, type 7), bias-corrected (lavaan's
``bca.simple``) and BCa with the jackknife acceleration (Efron, 1987).
"""

from __future__ import annotations

import math
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable

import numpy as np

from ..distributions import norm_cdf, norm_ppf, norm_sf
from .batched import BatchedML
from .defined import compile_definitions
from .estimate import fit_ml
from .ram import RamModel
from .standardized import standardized_values
from ..parallel import one_blas_thread, start_worker

if TYPE_CHECKING:
    from .sem_fit import SEMFit

__all__ = ["CHUNK", "BootstrapResult", "bootstrap_chunk", "bootstrap_fit", "chunk_seeds", "draw_rows", "intervals",
           "map_chunks", "run_bootstrap"]

CHUNK = 100


@dataclass(frozen=True)
class BootstrapResult:
    """Bootstrap draws of every parameter-table row plus the defined parameters.

    ``draws`` and ``std_draws`` have one row per successful resample and one
    column per estimate row (the parameter table, then the ``:=`` rows).
    ``requested`` resamples were drawn and ``failed`` of them did not converge (dropped);
    ``jack_draws`` and ``jack_std`` hold the leave-one-out estimates used for the BCa
    acceleration (``None`` without a jackknife). ``missing`` says how the resamples were
    fitted: ``"listwise"`` (complete rows, ML) or ``"fiml"`` (all rows, FIML;
    :func:`~loyaltysurvey.sem.fiml_bootstrap.run_fiml_bootstrap`).

    >>> import numpy as np
    >>> from loyaltysurvey.datasets import hs_cfa
    >>> X, S, model = hs_cfa()
    >>> boot = run_bootstrap(model, X, fit_ml(model, S).theta, 200, seed=1, with_jackknife=False)
    >>> boot.successful, boot.failed, boot.draws.shape
    (200, 0, (200, 24))
    """

    draws: np.ndarray
    std_draws: np.ndarray
    requested: int
    failed: int
    seed: int | None
    jack_draws: np.ndarray | None = None
    jack_std: np.ndarray | None = None
    missing: str = "listwise"

    @property
    def successful(self) -> int:
        """The number of resamples whose fit converged (rows of :attr:`draws`).

        ``successful + failed == requested``.
        """
        return self.draws.shape[0]


def _row_values(model: RamModel, theta: np.ndarray) -> np.ndarray:
    return np.where(model.free[None, :] >= 0, theta[:, np.maximum(model.free, 0)], model.fixed_values[None, :])


def draw_rows(model: RamModel, theta: np.ndarray, standardize: Callable) -> tuple[np.ndarray, np.ndarray]:
    """Every estimate row for each parameter vector in ``theta`` (b, q): (values, std).

    One row per parameter vector: every parameter-table row and then every ``:=`` parameter,
    raw and standardized by ``standardize`` (std.all from the implied covariances; a ``:=``
    parameter's std value is its expression at the standardized parameters). Shared by the
    listwise and the FIML bootstrap.
    """
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
    return np.array(out_values).reshape(-1, width), np.array(out_std).reshape(-1, width)


def _fit_covariances(model: RamModel, S: np.ndarray, theta_hat: np.ndarray, H0: np.ndarray,
                     standardize: Callable) -> tuple:
    """Fit every covariance matrix in ``S``; return (values, std, n_failed) of the converged fits."""
    theta, _, converged = BatchedML(model).fit(S, theta_hat, H0)
    values, std = draw_rows(model, theta[converged], standardize)
    return values, std, int(S.shape[0] - converged.sum())


def bootstrap_chunk(model: RamModel, X: np.ndarray, theta_hat: np.ndarray, H0: np.ndarray,
                    seed_seq: np.random.SeedSequence, size: int, standardize: Callable) -> tuple:
    """Draw ``size`` resamples with ``seed_seq``, fit them, and return (values, std, n_failed).

    Each resample draws ``n`` rows of ``X`` with replacement; its covariance matrix (divisor
    ``n``) is fitted by :class:`~loyaltysurvey.sem.batched.BatchedML` from ``theta_hat`` with
    ``H0`` (the expected information at ``theta_hat``) as the first inverse-Hessian metric.
    ``values`` and ``std`` hold one row per converged resample: every parameter-table row and
    then every ``:=`` parameter, raw and standardized by ``standardize``. The same
    ``seed_seq`` always gives the same draws.
    """
    rng = np.random.default_rng(seed_seq)
    n = X.shape[0]
    idx = rng.integers(0, n, size=(size, n))
    Xb = X[idx]
    Z = Xb - Xb.mean(axis=1, keepdims=True)
    S = np.einsum("bni,bnj->bij", Z, Z) / n
    return _fit_covariances(model, S, theta_hat, H0, standardize)


def jackknife(model: RamModel, X: np.ndarray, theta_hat: np.ndarray, standardize: Callable) -> tuple:
    """Leave-one-out estimates (values, std) for the BCa acceleration, all fitted in one batch.

    The ``n`` leave-one-out covariance matrices are computed from the full cross-products (no
    copy of the data per row) and fitted together like a bootstrap chunk; see
    :func:`intervals` for the acceleration. References: Efron (1987).
    """
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


def map_chunks(job: Callable, tasks: list, sizes: list[int], jobs: int = 1, executor: Any = None,
               progress: Callable[[int], Any] | None = None) -> list:
    """Run ``job`` over ``tasks`` (chunks of resamples) and return the parts in task order.

    On ``executor`` (anything with ``map``, e.g. a Dask client), in ``jobs`` local processes, or
    in this process; ``progress`` is called with each finished chunk's size. The CB-SEM and
    PLS-SEM bootstraps share it, so both run the same way on every backend.
    Results come back in task order whatever the backend, so a seeded run is reproducible.
    BLAS runs on one thread in this process as in the workers (the same draws, to the last digit).

    >>> map_chunks(abs, [-1, -2, 3], [1, 1, 1])
    [1, 2, 3]
    >>> done = []
    >>> map_chunks(str, [10, 20], [100, 50], progress=done.append), done
    (['10', '20'], [100, 50])
    """
    if executor is not None:
        parts = list(executor.map(job, tasks))
        if progress:
            progress(sum(sizes))
        return parts
    parts = []
    if jobs > 1:
        with ProcessPoolExecutor(max_workers=jobs, initializer=start_worker) as pool:
            for part, size in zip(pool.map(job, tasks), sizes):
                parts.append(part)
                if progress:
                    progress(size)
        return parts
    # BLAS on one thread here too, as in the workers: a multi-threaded matrix product may round
    # its last digit differently, and a seeded run gives the same draws on any number of jobs
    with one_blas_thread():
        for task, size in zip(tasks, sizes):
            parts.append(job(task))
            if progress:
                progress(size)
    return parts


def chunk_seeds(B: int, seed: int | None, chunk: int) -> tuple[list, list[int]]:
    """Child seeds and sizes of the fixed chunks of ``B`` resamples (chunk ``k`` uses child ``k``).

    The children are spawned from one :class:`numpy.random.SeedSequence`, so chunk ``k``
    draws the same resamples whatever the number of workers.

    >>> seeds, sizes = chunk_seeds(250, 42, 100)
    >>> len(seeds), sizes
    (3, [100, 100, 50])
    """
    children = np.random.SeedSequence(seed).spawn(math.ceil(B / chunk))
    return children, [min(chunk, B - k * chunk) for k in range(len(children))]


def run_bootstrap(model: RamModel, X: np.ndarray, theta_hat: np.ndarray, B: int, seed: int | None,
                  standardize: Callable = standardized_values, jobs: int = 1, executor=None,
                  progress: Callable[[int], None] | None = None, with_jackknife: bool = True) -> BootstrapResult:
    """Bootstrap ``B`` resamples of the rows of ``X`` (complete data, ML).

    ``theta_hat`` is the full-sample estimate (every resample starts there). The resamples
    are drawn in chunks of :data:`CHUNK` from child seeds of ``seed`` (:func:`chunk_seeds`)
    and run by :func:`map_chunks` (in this process, ``jobs`` processes or on ``executor``):
    the same seed gives the same draws on every backend, which tests/test_batched.py checks
    for one and two processes and on a Dask ``LocalCluster``. With ``with_jackknife`` the
    leave-one-out estimates for BCa intervals are added (:func:`jackknife`).

    References: Efron & Tibshirani (1993).

    >>> import numpy as np
    >>> from loyaltysurvey.datasets import hs_cfa
    >>> X, S, model = hs_cfa()
    >>> theta = fit_ml(model, S).theta
    >>> one = run_bootstrap(model, X, theta, 150, seed=5, with_jackknife=False)
    >>> two = run_bootstrap(model, X, theta, 150, seed=5, with_jackknife=False)
    >>> bool(np.array_equal(one.draws, two.draws)), one.draws.shape
    (True, (150, 24))
    """
    S = np.cov(X.T, ddof=0)
    H0 = fit_ml(model, S, start=theta_hat).information
    children, sizes = chunk_seeds(B, seed, CHUNK)
    tasks = [(model, X, theta_hat, H0, child, size, standardize) for child, size in zip(children, sizes)]
    parts = map_chunks(_chunk_job, tasks, sizes, jobs, executor, progress)
    values = np.concatenate([p[0] for p in parts])
    std = np.concatenate([p[1] for p in parts])
    failed = sum(p[2] for p in parts)
    jack_values, jack_std = jackknife(model, X, theta_hat, standardize) if with_jackknife else (None, None)
    return BootstrapResult(values, std, B, failed, seed, jack_values, jack_std)


_BOOT_COLUMNS = ("se", "z", "pvalue", "ci_lower", "ci_upper", "ci_bc_lower", "ci_bc_upper", "ci_bca_lower",
                 "ci_bca_upper", "std_ci_lower", "std_ci_upper")


def _fixed_row(est: float, std_all: float) -> dict[str, float]:
    """A fixed parameter's bootstrap columns: no SE, its value as both interval bounds."""
    nan = float("nan")
    return {"se": 0.0, "z": nan, "pvalue": nan, "ci_lower": est, "ci_upper": est, "ci_bc_lower": est,
            "ci_bc_upper": est, "ci_bca_lower": est, "ci_bca_upper": est, "std_ci_lower": std_all,
            "std_ci_upper": std_all}


def _bootstrap_row(boot: BootstrapResult, j: int, est: float, std_all: float, level: float) -> dict[str, float]:
    """One estimate's bootstrap SE, z, p and intervals (of the estimate and of its std.all)."""
    jack = boot.jack_draws[:, j] if boot.jack_draws is not None else None
    jack_std = boot.jack_std[:, j] if boot.jack_std is not None else None
    ci = intervals(boot.draws[:, j], est, level, jack)
    sci = intervals(boot.std_draws[:, j], std_all, level, jack_std)
    z = est / ci["se"] if ci["se"] > 0 else float("nan")
    return {"se": ci["se"], "z": z, "pvalue": float(2 * norm_sf(abs(z))) if not math.isnan(z) else z,
            "ci_lower": ci["perc_lower"], "ci_upper": ci["perc_upper"], "ci_bc_lower": ci["bc_lower"],
            "ci_bc_upper": ci["bc_upper"], "ci_bca_lower": ci["bca_lower"], "ci_bca_upper": ci["bca_upper"],
            "std_ci_lower": sci["perc_lower"], "std_ci_upper": sci["perc_upper"]}


def bootstrap_fit(fit: "SEMFit", X: np.ndarray, B: int, seed: int | None, *, missing: str = "listwise",
                  jobs: int = 1, executor: Any = None, progress: Callable[[int], Any] | None = None,
                  level: float = 0.95) -> "SEMFit":
    """``fit`` with bootstrap SEs and intervals, as lavaan's ``se = "bootstrap"`` (percentile CIs).

    ``X`` is the data the model was fitted to: the complete rows with ``missing = "listwise"``
    (each resample refitted by ML, :func:`run_bootstrap`), or all rows, missing answers as NaN,
    with ``missing = "fiml"`` (each resample of the rows, incomplete ones included, refitted by
    FIML, :func:`~loyaltysurvey.sem.fiml_bootstrap.run_fiml_bootstrap`; lavaan's
    ``missing = "ml", se = "bootstrap"``). Failed resamples are dropped and counted;
    nonadmissible ones (a negative variance) are kept and counted, as lavaan does.
    Each free row gets the bootstrap SE (SD of the draws), ``z = est / SE``, its normal p-value,
    and percentile, bias-corrected and BCa bounds of the estimate and percentile bounds of its
    std.all (:func:`intervals`); fixed rows get SE 0 and their value as bounds. Percentile
    and bias-corrected bounds and SEs are checked against lavaan 0.6.14's
    ``se = "bootstrap"`` (PoliticalDemocracy and the bundled example, 2,000 resamples each
    side, within Monte Carlo error) in tests/test_bootstrap_reference.py, and the FIML
    bootstrap against lavaan 0.6.14's ``missing = "ml", se = "bootstrap"`` (HolzingerSwineford
    with a third of the rows incomplete, 2,000 resamples each side) in
    tests/test_fiml_bootstrap_reference.py. ``bootstrap_info`` records ``requested``,
    ``successful``, ``failed``, ``inadmissible``, ``seed``, ``ci``, ``level`` and ``missing``.

    >>> from loyaltysurvey.datasets import holzinger_swineford
    >>> from loyaltysurvey.sem import SEM
    >>> data = holzinger_swineford()
    >>> fit = SEM("visual =~ x1 + x2 + x3\\ntextual =~ x4 + x5 + x6\\nspeed =~ x7 + x8 + x9").fit(data)
    >>> X = data[list(fit.observed)].to_numpy(float)
    >>> boot = bootstrap_fit(fit, X, 200, seed=1)
    >>> boot.bootstrap_info["successful"], boot.bootstrap_info["ci"]
    (200, 'percentile')
    """
    from dataclasses import replace

    from ..errors import Notice
    model = RamModel.from_table(fit.table)
    if missing == "fiml":
        from .fiml import Patterns
        from .fiml_bootstrap import run_fiml_bootstrap
        boot = run_fiml_bootstrap(model, Patterns(X), fit.theta, B, seed, jobs=jobs, executor=executor,
                                  progress=progress)
    elif missing == "listwise":
        boot = run_bootstrap(model, X, fit.theta, B, seed, jobs=jobs, executor=executor, progress=progress)
    else:
        raise ValueError(f"missing = '{missing}': use listwise or fiml")
    est = fit.params.copy()
    n_params = len(fit.table.params)
    rows = [(_fixed_row(r.est, r.std_all) if j < n_params and not fit.table.params[j].free
             else _bootstrap_row(boot, j, r.est, r.std_all, level)) for j, r in enumerate(est.itertuples())]
    for k in _BOOT_COLUMNS:
        est[k] = [row[k] for row in rows]
    variance_rows = [r for r, p in enumerate(fit.table.params) if p.op == "~~" and p.lhs == p.rhs and p.free]
    inadmissible = int(np.sum(np.any(boot.draws[:, variance_rows] < 0, axis=1))) if variance_rows else 0
    info = {"requested": B, "successful": boot.successful, "failed": boot.failed, "inadmissible": inadmissible,
            "seed": seed, "ci": "percentile", "level": level, "missing": boot.missing}
    notices = list(fit.notices)
    if inadmissible:
        notices.append(Notice("bootstrap_inadmissible", f"{inadmissible} of {boot.successful} bootstrap solutions "
                              "have a negative variance (nonadmissible); they are kept, as lavaan keeps them", "",
                              {"inadmissible": inadmissible, "successful": boot.successful}))
    if boot.failed:
        notices.append(Notice("bootstrap_failed", f"{boot.failed} of {B} bootstrap resamples did not converge and "
                              "were left out, as lavaan does", "", {"failed": boot.failed, "resamples": B}))
    return replace(fit, params=est, notices=tuple(notices), bootstrap=boot, bootstrap_info=info)


def intervals(draws: np.ndarray, estimate: float, level: float = 0.95,
              jackknife: np.ndarray | None = None) -> dict[str, float]:
    """Bootstrap SE and percentile, bias-corrected and BCa bounds for one quantity.

    SE: the SD of the finite draws (divisor B - 1). Percentile: the ``a = (1 - level) / 2``
    and ``1 - a`` quantiles (R's default type 7). Bias-corrected: with
    ``z0 = Phi^-1(share of draws < estimate)``, the quantiles at ``Phi(2 z0 + z_a)`` and
    ``Phi(2 z0 + z_(1-a))``, as lavaan's ``bca.simple``. BCa: the quantiles at
    ``Phi(z0 + (z0 + z) / (1 - acc (z0 + z)))`` with the acceleration
    ``acc = sum(d^3) / (6 sum(d^2)^1.5)``, ``d`` the jackknife mean less each jackknife
    estimate (0 without ``jackknife``). When every draw lies on one side of the estimate,
    or the draws are constant, the bias-corrected and BCa bounds are the percentile ones;
    fewer than two finite draws give NaN. Percentile and bias-corrected bounds are checked
    against lavaan 0.6.14 through :func:`bootstrap_fit` in tests/test_bootstrap_reference.py.

    References: Efron (1987); Efron & Tibshirani (1993).

    >>> draws = np.random.default_rng(0).normal(1.0, 0.5, 2000)
    >>> ci = intervals(draws, 1.0)
    >>> round(ci["se"], 3), round(ci["perc_lower"], 3), round(ci["perc_upper"], 3)
    (0.5, 0.032, 1.954)
    """
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
        z0 = norm_ppf(share)
        za, zb = norm_ppf(a), norm_ppf(1 - a)
        bc = norm_cdf([2 * z0 + za, 2 * z0 + zb])
        out["bc_lower"], out["bc_upper"] = (float(v) for v in np.quantile(draws, bc))
        accel = 0.0
        if jackknife is not None and jackknife.size > 2:
            jackknife = jackknife[np.isfinite(jackknife)]
            d = jackknife.mean() - jackknife
            den = 6 * (np.sum(d ** 2) ** 1.5)
            accel = float(np.sum(d ** 3) / den) if den > 0 else 0.0
        adj = [z0 + (z0 + z) / (1 - accel * (z0 + z)) for z in (za, zb)]
        out["bca_lower"], out["bca_upper"] = (float(v) for v in np.quantile(draws, norm_cdf(adj)))
    else:
        out.update({"bc_lower": float(lo), "bc_upper": float(hi), "bca_lower": float(lo), "bca_upper": float(hi)})
    return out
