"""Parallel-analysis benchmark: Horn's parallel analysis of psych's bfi (25 items, 2800 rows).

Prints, measured in this run, the time of loyaltysurvey's ``parallel_analysis`` (the simulated
data sets, their correlation matrices and component eigenvalues in one batch, the one-factor
minres fits of the factor eigenvalues by batched Newton steps) and of a straightforward loop
(one data set at a time: ``np.corrcoef``, ``eigvalsh`` and a scipy L-BFGS-B one-factor fit each,
as psych's ``fa.parallel`` loops over ``fa()``), their ratio, and the largest difference between
their simulated factor-eigenvalue means (the same random numbers; the two differ only where a
fit ends in a Heywood case, where the flat criterion has several minima). R's own
``fa.parallel`` also resamples the data, so its time is not comparable and is not measured.

    python benchmarks/bench_parallel_analysis.py [--iterations 100]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "reference" / "data" / "bfi.csv"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=100, help="simulated data sets")
    args = parser.parse_args()
    from loyaltysurvey.analysis.efa import _one_factor_values, parallel_analysis

    data = pd.read_csv(DATA).iloc[:, :25]
    n, p = data.shape
    m = args.iterations

    start = time.perf_counter()
    ours = parallel_analysis(data, iterations=m, seed=1)
    batched = time.perf_counter() - start

    start = time.perf_counter()
    rng = np.random.default_rng(1)
    x = rng.standard_normal((m, n, p))  # the same numbers parallel_analysis draws (one chunk)
    pcs, fas = [], []
    for one in x:
        r = np.corrcoef(one, rowvar=False)
        pcs.append(np.linalg.eigvalsh(r)[::-1])
        fas.append(_one_factor_values(r))
    loop = time.perf_counter() - start

    print(f"bfi, {n} rows x {p} items, {m} simulated data sets")
    print(f"loyaltysurvey parallel_analysis: {batched:.2f} s")
    print(f"loop of single fits:             {loop:.2f} s")
    print(f"ratio (loop / batched):          {loop / batched:.1f}")
    print(f"largest difference of the simulated means: components "
          f"{np.abs(ours.simulated_pc - np.mean(pcs, axis=0)).max():.1e}, factors "
          f"{np.abs(ours.simulated_fa - np.mean(fas, axis=0)).max():.1e}")


if __name__ == "__main__":
    main()
