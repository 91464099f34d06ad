"""PLS bootstrap benchmark: 10,000 resamples of the ECSI mobi model (../shared/data/mobi.csv).

Prints resamples per second for loyaltysurvey's batched bootstrap (--jobs 1 and 2), for a
straightforward per-resample refit loop (the same PLS algorithm called once per resample, timed
on --loop-resamples and scaled), and for seminr when R with seminr is installed; all in this run.

    python benchmarks/bench_pls_bootstrap.py
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data" / "mobi.csv"
BLOCKS = {"Image": ["IMAG1", "IMAG2", "IMAG3", "IMAG4", "IMAG5"], "Expectation": ["CUEX1", "CUEX2", "CUEX3"],
          "Quality": [f"PERQ{i}" for i in range(1, 8)], "Value": ["PERV1", "PERV2"],
          "Satisfaction": ["CUSA1", "CUSA2", "CUSA3"], "Complaints": ["CUSCO"], "Loyalty": ["CUSL1", "CUSL2", "CUSL3"]}
PATHS = [("Image", "Expectation"), ("Image", "Satisfaction"), ("Image", "Loyalty"), ("Expectation", "Quality"),
         ("Expectation", "Value"), ("Expectation", "Satisfaction"), ("Quality", "Value"),
         ("Quality", "Satisfaction"), ("Value", "Satisfaction"), ("Satisfaction", "Complaints"),
         ("Satisfaction", "Loyalty"), ("Complaints", "Loyalty")]
B = 10_000


def setup():
    from loyaltysurvey.pls.algorithm import PLSSpec
    columns = [c for block in BLOCKS.values() for c in block]
    index = {c: i for i, c in enumerate(columns)}
    spec = PLSSpec(tuple(BLOCKS), tuple(tuple(index[c] for c in b) for b in BLOCKS.values()),
                   tuple("A" for _ in BLOCKS), tuple(PATHS))
    return pd.read_csv(DATA)[columns].to_numpy(float), spec


def ours(X, spec, jobs: int) -> float:
    """The bootstrap the library runs (seminr's bootstrap_model), without the jackknife for BCa."""
    from loyaltysurvey.pls.algorithm import fit_pls
    from loyaltysurvey.pls.resampling import bootstrap_draws
    start = time.perf_counter()
    full = fit_pls(X, spec)
    draws, failed = bootstrap_draws(X, spec, full.weights, B, 1, jobs=jobs)
    assert draws.shape[0] + failed == B
    return time.perf_counter() - start


def loop(X, spec, resamples: int) -> float:
    from loyaltysurvey.pls.algorithm import fit_pls
    rng = np.random.default_rng(1)
    start = time.perf_counter()
    for _ in range(resamples):
        fit_pls(X[rng.integers(0, len(X), len(X))], spec)
    return (time.perf_counter() - start) * B / resamples


def seminr() -> float | None:
    if shutil.which("Rscript") is None:
        return None
    probe = subprocess.run(["Rscript", "-e", "library(seminr)"], capture_output=True, text=True)
    if probe.returncode != 0:
        return None
    mm = ", ".join(f"composite('{k}', c({', '.join(repr(i) for i in v)}))" for k, v in BLOCKS.items())
    sm = ", ".join(f"paths(from = '{s}', to = '{t}')" for s, t in PATHS)
    script = (f"suppressMessages(library(seminr)); d <- read.csv('{DATA}'); mm <- constructs({mm}); "
              f"sm <- relationships({sm}); m <- estimate_pls(d, mm, sm); set.seed(1); "
              "t <- system.time(b <- bootstrap_model(m, nboot = 1000, cores = 2))[['elapsed']]; cat(t * 10, '\\n')")
    out = subprocess.run(["Rscript", "-e", script], capture_output=True, text=True)
    return float(out.stdout.split()[-1]) if out.returncode == 0 else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loop-resamples", type=int, default=500)
    args = parser.parse_args()
    X, spec = setup()
    ours(X, spec, 1)
    t1, t2 = ours(X, spec, 1), ours(X, spec, 2)
    lp = loop(X, spec, args.loop_resamples)
    print(f"mobi PLS model, {B} bootstrap resamples (paths, loadings, weights, indirect effects)")
    print(f"loyaltysurvey --jobs 1   {t1:7.2f} s   {B / t1:8.0f} resamples/s")
    print(f"loyaltysurvey --jobs 2   {t2:7.2f} s   {B / t2:8.0f} resamples/s")
    print(f"per-resample refit loop  {lp:7.2f} s   {B / lp:8.0f} resamples/s   (timed on {args.loop_resamples}, scaled)"
          f"   ratio loop/ours(jobs 2) = {lp / t2:5.1f}x")
    sr = seminr()
    if sr is None:
        print("seminr (R)               not available (needs R with seminr)")
    else:
        print(f"seminr (R, cores = 2)    {sr:7.2f} s   (1,000 timed, scaled)   ratio seminr/ours(jobs 2) = {sr / t2:5.1f}x")


if __name__ == "__main__":
    main()
