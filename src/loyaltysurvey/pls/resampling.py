"""PLS-SEM resampling: bootstrap draws and jackknife values, fitted in batches.

Resamples are drawn in fixed chunks of ``PLS_CHUNK`` from child seeds of one
:class:`numpy.random.SeedSequence` (chunk ``k`` always uses child ``k``), so a seed
gives identical draws whatever the number of workers or the backend; the chunks run
through :func:`loyaltysurvey.sem.bootstrap.map_chunks`, as the CB-SEM bootstrap does
(local processes, or any executor with ``map`` such as a Dask client). Each chunk is
fitted at once by :func:`loyaltysurvey.pls.batched.fit_pls_batched`, warm-started at
the full-sample weights; resamples that cannot be estimated are dropped and counted.

One draw is a flat vector: paths (K x K), loadings (p x K), weights (p x K), indirect
effects (total - direct, K x K), then the HTMT of every construct pair (a < b).
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from ..sem.bootstrap import chunk_seeds, map_chunks
from .algorithm import PLSSpec
from .batched import fit_pls_batched

__all__ = ["PLS_CHUNK", "DrawLayout", "bootstrap_draws", "jackknife_draws", "htmt_pairs"]

PLS_CHUNK = 250


class DrawLayout:
    """Where each quantity sits in a flat draw vector.

    The attributes ``paths``, ``loadings``, ``weights``, ``indirect`` and ``htmt`` are the
    offsets of each block; matrices are stored row by row (C order).

    >>> from loyaltysurvey.pls.algorithm import PLSSpec
    >>> spec = PLSSpec(("SAT", "LOY"), ((0, 1, 2, 3), (4, 5, 6, 7)), ("A", "A"), (("SAT", "LOY"),))
    >>> layout = DrawLayout(spec, 8)
    >>> layout.path(0, 1), layout.loading(0, 0), layout.weight(7, 1), layout.indirect, layout.htmt
    (1, 4, 35, 36, 40)
    """

    def __init__(self, spec: PLSSpec, p: int) -> None:
        self.K = K = len(spec.constructs)
        self.p = p
        self.paths = 0
        self.loadings = K * K
        self.weights = K * K + p * K
        self.indirect = K * K + 2 * p * K
        self.htmt = K * K + 2 * p * K + K * K

    def path(self, i: int, j: int) -> int:
        """The position of the path coefficient from construct ``i`` to construct ``j``.

        An index into one draw, i.e. a column of the draws matrix (see the class example).
        """
        return self.paths + i * self.K + j

    def loading(self, item: int, k: int) -> int:
        """The position of indicator ``item``'s loading on construct ``k``.

        An index into one draw, i.e. a column of the draws matrix (see the class example).
        """
        return self.loadings + item * self.K + k

    def weight(self, item: int, k: int) -> int:
        """The position of indicator ``item``'s outer weight on construct ``k``.

        An index into one draw, i.e. a column of the draws matrix (see the class example).
        """
        return self.weights + item * self.K + k


def htmt_pairs(spec: PLSSpec) -> list[tuple[int, int]]:
    """The construct pairs ``(a, b)`` with ``a < b``, in the order their HTMT values sit in a draw.

    >>> from loyaltysurvey.pls.algorithm import PLSSpec
    >>> htmt_pairs(PLSSpec(("A", "B", "C"), ((0,), (1,), (2,)), ("A", "A", "A"), (("A", "B"), ("B", "C"))))
    [(0, 1), (0, 2), (1, 2)]
    """
    K = len(spec.constructs)
    return [(a, b) for a in range(K) for b in range(a + 1, K)]


def _htmt_batched(R: np.ndarray, spec: PLSSpec) -> np.ndarray:
    """HTMT of every construct pair for every resample (absolute correlations, single items 1)."""
    R = np.abs(R)
    mono = []
    for block in spec.blocks:
        cols = list(block)
        if len(cols) > 1:
            iu = np.triu_indices(len(cols), 1)
            mono.append(R[:, cols][:, :, cols][:, iu[0], iu[1]].mean(axis=1))
        else:
            mono.append(np.ones(R.shape[0]))
    out = []
    for a, b in htmt_pairs(spec):
        hetero = R[:, list(spec.blocks[a])][:, :, list(spec.blocks[b])].mean(axis=(1, 2))
        out.append(hetero / np.sqrt(mono[a] * mono[b]))
    return np.column_stack(out) if out else np.zeros((R.shape[0], 0))


def _fit_rows(X: np.ndarray, spec: PLSSpec, start: np.ndarray, idx: np.ndarray) -> np.ndarray:
    """Flat draws of the resamples whose rows are ``idx`` (one resample per row of ``idx``)."""
    size = idx.shape[0]
    out = fit_pls_batched(X[idx], spec, start)
    K = len(spec.constructs)
    eye = np.eye(K)
    total = np.linalg.inv(eye[None] - out["paths"]) - eye[None]
    flat = np.concatenate([out["paths"].reshape(size, -1), out["loadings"].reshape(size, -1),
                           out["weights"].reshape(size, -1), (total - out["paths"]).reshape(size, -1),
                           _htmt_batched(out["R"], spec)], axis=1)
    flat[~out["ok"]] = np.nan
    return flat


def _chunk(args) -> np.ndarray:
    """Fit one chunk of resamples at once; rows of NaN mark resamples that could not be estimated."""
    X, spec, start, seed_seq, size = args
    rng = np.random.default_rng(seed_seq)
    n = X.shape[0]
    return _fit_rows(X, spec, start, rng.integers(0, n, size=(size, n)))


def bootstrap_draws(X: np.ndarray, spec: PLSSpec, start: np.ndarray, B: int, seed: int | None, *, jobs: int = 1,
                    executor: Any = None, progress: Callable[[int], Any] | None = None
                    ) -> tuple[np.ndarray, int]:
    """(draws of the successful resamples, number of failed resamples).

    ``B`` resamples of the rows of ``X`` are drawn in chunks of :data:`PLS_CHUNK` from child
    seeds of ``seed`` and fitted by :func:`~loyaltysurvey.pls.batched.fit_pls_batched` from the
    weights ``start``; ``jobs``, ``executor`` and ``progress`` are passed to
    :func:`~loyaltysurvey.sem.bootstrap.map_chunks`. Each draw is laid out as
    :class:`DrawLayout` says. The bootstrap built on it is checked against seminr's
    ``bootstrap_model`` (within Monte Carlo error) in tests/test_pls_reference.py.

    >>> import numpy as np
    >>> from loyaltysurvey.datasets import crm_pls
    >>> from loyaltysurvey.pls.algorithm import fit_pls
    >>> X, spec, items = crm_pls()
    >>> draws, failed = bootstrap_draws(X, spec, fit_pls(X, spec).weights, 200, seed=1)
    >>> draws.shape, failed
    ((200, 41), 0)
    >>> round(float(draws[:, DrawLayout(spec, 8).path(0, 1)].std(ddof=1)), 3)  # bootstrap SE of SAT -> LOY
    0.04
    """
    children, sizes = chunk_seeds(B, seed, PLS_CHUNK)
    tasks = [(X, spec, start, child, size) for child, size in zip(children, sizes)]
    draws = np.concatenate(map_chunks(_chunk, tasks, sizes, jobs, executor, progress))
    ok = np.all(np.isfinite(draws), axis=1)
    return draws[ok], int((~ok).sum())


def jackknife_draws(X: np.ndarray, spec: PLSSpec, start: np.ndarray, chunk: int = 100) -> np.ndarray:
    """Leave-one-out values (for the BCa acceleration), fitted in batches.

    One row per left-out respondent (``n`` rows), laid out as :class:`DrawLayout` says;
    ``chunk`` respondents are fitted per batch. Rows of NaN mark fits that failed.

    >>> import numpy as np
    >>> from loyaltysurvey.datasets import crm_pls
    >>> from loyaltysurvey.pls.algorithm import fit_pls
    >>> X, spec, items = crm_pls()
    >>> jackknife_draws(X, spec, fit_pls(X, spec).weights).shape == (len(X), 41)
    True
    """
    n = X.shape[0]
    everyone = np.arange(n)
    parts = []
    for first in range(0, n, chunk):
        drop = everyone[first:first + chunk]
        idx = np.array([np.delete(everyone, i) for i in drop])
        parts.append(_fit_rows(X, spec, start, idx))
    return np.concatenate(parts)
