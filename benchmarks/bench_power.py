"""Monte Carlo power benchmark: the bundled questionnaire's model (25 items, 6 constructs, 5 paths
and 4 indirect hypotheses), n = 250.

Prints, measured in this run: loyaltysurvey's batched run (chunks of 100 replications fitted at
once by BatchedML, expected-information Wald tests for the whole chunk) with --jobs 1 (and
--jobs 2 with ``--jobs2``), and a straightforward refit loop over the same draws (one ``fit_ml``
per replication from the same warm start, its own information matrix and Wald tests), which is
timed on ``--loop-replications`` replications and scaled; then the ratio, and the largest
difference between the two in the per-path power on the replications both ran (0 when they
agree on every decision).

    python benchmarks/bench_power.py [--replications 1000] [--loop-replications 200] [--jobs2]
"""

from __future__ import annotations

import argparse
import time

import numpy as np


def batched(q, n: int, reps: int, jobs: int = 1):
    from loyaltysurvey.planning.montecarlo import monte_carlo_power
    start = time.perf_counter()
    result = monte_carlo_power(q, n, reps, seed=7, jobs=jobs)
    return time.perf_counter() - start, result


def loop(q, n: int, reps: int):
    """The same draws (chunk seeds, chunk sizes) as the batched run, fitted one at a time."""
    from loyaltysurvey.distributions import norm_ppf
    from loyaltysurvey.planning.montecarlo import CHUNK, build_power_model, draw_covariances, wald_tests
    from loyaltysurvey.sem.bootstrap import chunk_seeds
    from loyaltysurvey.sem.estimate import fit_ml
    start = time.perf_counter()
    pm = build_power_model(q)
    chol = np.linalg.cholesky(pm.sigma)
    crit = float(norm_ppf(0.975))
    children, sizes = chunk_seeds(reps, 7, CHUNK)
    sig = np.zeros(len(pm.tests))
    converged = 0
    for child, size in zip(children, sizes):
        S = draw_covariances(chol, n, size, np.random.default_rng(child))
        for b in range(size):
            sol = fit_ml(pm.model, S[b], start=pm.theta)
            if not sol.converged:
                continue
            converged += 1
            _, z = wald_tests(sol.theta[None], np.linalg.inv(sol.information)[None] * (2.0 / n), pm.tests)
            sig += np.abs(z[0]) > crit
    return time.perf_counter() - start, sig / converged, converged


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replications", type=int, default=1000)
    parser.add_argument("--loop-replications", type=int, default=200)
    parser.add_argument("--n", type=int, default=250)
    parser.add_argument("--jobs2", action="store_true", help="also time --jobs 2")
    args = parser.parse_args()
    from loyaltysurvey.datasets import crm_questionnaire
    q = crm_questionnaire()
    t1, r1 = batched(q, args.n, args.replications)
    print(f"loyaltysurvey batched, --jobs 1: {args.replications} replications in {t1:.2f} s "
          f"({r1.converged} converged)")
    if args.jobs2:
        t2, _ = batched(q, args.n, args.replications, jobs=2)
        print(f"loyaltysurvey batched, --jobs 2: {t2:.2f} s")
    tl, power_loop, conv = loop(q, args.n, args.loop_replications)
    scaled = tl * args.replications / args.loop_replications
    print(f"refit loop (fit_ml per replication): {args.loop_replications} replications in {tl:.2f} s, "
          f"scaled to {args.replications}: {scaled:.2f} s")
    print(f"ratio (loop / batched, --jobs 1): {scaled / t1:.1f}x")
    _, small = batched(q, args.n, args.loop_replications)
    diff = max(abs(row["power"] - p) for row, p in zip(small.paths, power_loop))
    print(f"largest power difference, batched vs loop on the same {args.loop_replications} replications: {diff:.4f}")


if __name__ == "__main__":
    main()
