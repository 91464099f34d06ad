"""Blindfolding benchmark: Stone-Geisser Q² of the ECSI mobi model (../shared/data/mobi.csv), D = 7.

Prints, measured in this run, the time of loyaltysurvey's blindfolding (the rounds of every
endogenous construct estimated together, warm-started from the full-sample weights) and of a
straightforward loop (one cold ``fit_pls`` per construct and round, the omitted points predicted
one at a time, as tests/test_pls_fit.py writes it out), their ratio, and the largest difference
between their Q² values. No other package computes SmartPLS's blindfolding to compare with.

    python benchmarks/bench_blindfolding.py [--repeat 20]
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
from bench_pls_bootstrap import BLOCKS, DATA, PATHS  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20, help="timed repetitions of the batched blindfolding")
    args = parser.parse_args()
    from loyaltysurvey.pls.algorithm import PLSSpec, fit_pls, inner_structure
    from loyaltysurvey.pls.blindfolding import blindfolded_constructs, blindfolding, omission_rounds
    columns = [c for block in BLOCKS.values() for c in block]
    index = {c: i for i, c in enumerate(columns)}
    spec = PLSSpec(tuple(BLOCKS), tuple(tuple(index[c] for c in b) for b in BLOCKS.values()),
                   tuple("A" for _ in BLOCKS), tuple(PATHS))
    X = pd.read_csv(DATA)[columns].to_numpy(float)
    n, D = X.shape[0], 7

    start = time.perf_counter()
    for _ in range(args.repeat):
        ours = blindfolding(X, spec, D)["constructs"]
    batched = (time.perf_counter() - start) / args.repeat

    start = time.perf_counter()
    _, preds = inner_structure(spec)
    loop = {}
    for j in blindfolded_constructs(spec):
        cols = list(spec.blocks[j])
        rounds = omission_rounds(n, len(cols), D)
        sse = sso = 0.0
        for r in range(D):
            Xr = X.copy()
            for c, col in enumerate(cols):
                gone = rounds[:, c] == r
                Xr[gone, col] = X[~gone, col].mean()
            est = fit_pls(Xr, spec)
            mean_r, sd_r = Xr.mean(axis=0), Xr.std(axis=0, ddof=1)
            scores = ((Xr - mean_r) / sd_r) @ est.weights
            for c, col in enumerate(cols):
                for i in np.nonzero(rounds[:, c] == r)[0]:
                    pred = mean_r[col] + sd_r[col] * est.loadings[col, j] * (scores[i, preds[j]] @ est.paths[preds[j], j])
                    sd_all = X[:, col].std()
                    sse += ((X[i, col] - pred) / sd_all) ** 2
                    sso += ((X[i, col] - X[:, col].mean()) / sd_all) ** 2
        loop[spec.constructs[j]] = 1 - sse / sso
    looped = time.perf_counter() - start

    diff = max(abs(ours[c]["cv_redundancy"] - loop[c]) for c in loop)
    print(f"mobi: n = {n}, {len(loop)} endogenous constructs, D = {D} ({len(loop) * D} re-estimations)")
    print(f"  loyaltysurvey (batched, warm start): {batched * 1000:8.1f} ms")
    print(f"  straightforward loop (cold refits):  {looped * 1000:8.1f} ms   (redundancy Q² only)")
    print(f"  ratio loop / loyaltysurvey: {looped / batched:.1f}x; largest Q² difference {diff:.1e}")


if __name__ == "__main__":
    main()
