"""MICOM / PLS-MGA permutation benchmark: 5,000 permutations of the ECSI mobi model (../shared/data/mobi.csv).

The groups are mobi's even and odd rows (mobi has no group column). Each permutation re-estimates
both groups and yields the path differences, MICOM's c, and the composite mean and log-variance
differences. Times, side by side in this run:

* loyaltysurvey's batched permutations (:func:`loyaltysurvey.pls.mga.compare_groups`, one process
  and ``--jobs``), including the observed statistics and the p-values;
* a straightforward loop: one ``fit_pls`` per group and permutation
  (:func:`loyaltysurvey.pls.mga.permutation_stats_loop`), timed on ``--loop`` permutations and
  scaled to 5,000;

and prints the ratio. It also checks, on the loop's permutations, that both give the same
statistics (largest absolute difference).

    python benchmarks/bench_mga.py [--permutations 5000] [--loop 300] [--jobs 2]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
from bench_pls_bootstrap import BLOCKS, DATA, PATHS  # noqa: E402  (the mobi model, as the other PLS benchmarks)


def setup():
    from loyaltysurvey.pls.algorithm import PLSSpec
    columns = [c for block in BLOCKS.values() for c in block]
    index = {c: i for i, c in enumerate(columns)}
    spec = PLSSpec(tuple(BLOCKS), tuple(tuple(index[c] for c in b) for b in BLOCKS.values()),
                   tuple("A" for _ in BLOCKS), tuple(PATHS))
    return pd.read_csv(DATA)[columns].to_numpy(float), spec


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--permutations", type=int, default=5000)
    parser.add_argument("--loop", type=int, default=300, help="permutations timed for the refit loop")
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    from loyaltysurvey.parallel import one_blas_thread
    from loyaltysurvey.pls import mga
    from loyaltysurvey.pls.algorithm import fit_pls

    X, spec = setup()
    mask = np.arange(len(X)) % 2 == 0
    P = args.permutations
    with one_blas_thread():
        a = mga.fit_group(X[mask], spec, "even", 0, 1)
        b = mga.fit_group(X[~mask], spec, "odd", 0, 2)
        pooled = fit_pls(X, spec).weights
        times = {}
        for jobs in sorted({1, args.jobs}):
            start = time.perf_counter()
            res = mga.compare_groups(X, spec, mask, a, b, pooled, P, 7, jobs=jobs)
            times[jobs] = time.perf_counter() - start
            assert res.failed == 0
        R, scores = mga._pooled(X, spec, pooled)
        masks = mga.permutation_masks(3, args.loop, len(X), int(mask.sum()))
        start = time.perf_counter()
        slow = mga.permutation_stats_loop(X, spec, masks, R, scores)
        loop_time = (time.perf_counter() - start) * P / args.loop
        fast = mga.permutation_stats(X, spec, masks, a.estimate.weights, b.estimate.weights, R, scores)
    print(f"mobi (n = {len(X)}, {X.shape[1]} indicators, {len(spec.constructs)} constructs, {len(PATHS)} paths), "
          f"groups of {int(mask.sum())} and {int((~mask).sum())}; {P} permutations (MGA + MICOM)")
    for jobs, seconds in times.items():
        print(f"  batched, jobs={jobs}: {seconds:8.2f} s  ({P / seconds:8.0f} permutations/s)")
    print(f"  refit loop (timed on {args.loop}, scaled): {loop_time:8.2f} s  ({P / loop_time:8.0f} permutations/s)")
    best = min(times.values())
    print(f"  ratio loop / batched: {loop_time / times[1]:.1f}x (jobs=1), {loop_time / best:.1f}x (best)")
    print(f"  same statistics: max |batched - loop| = {np.nanmax(np.abs(fast - slow)):.2e}")


if __name__ == "__main__":
    main()
