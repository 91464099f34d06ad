"""Bootstrap benchmark: 1,000 resamples of the PoliticalDemocracy model with its defined effect.

Prints, measured in this run: loyaltysurvey with --jobs 1 and --jobs 2 (every parameter, its
std_all and ``ind := a*b``, plus the jackknife for BCa), a straightforward refit loop with
semopy, and lavaan's ``se = "bootstrap"`` when ``Rscript`` with lavaan is on the PATH; then the
ratios. The semopy loop is timed on ``--semopy-resamples`` resamples (default 100) and scaled to
1,000, which the output says.

    python benchmarks/bench_bootstrap.py
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
DATA = ROOT / "tests" / "reference" / "data" / "PoliticalDemocracy.csv"
MODEL = """
ind60 =~ x1 + x2 + x3
dem60 =~ y1 + a1*y2 + b1*y3 + c1*y4
dem65 =~ y5 + a1*y6 + b1*y7 + c1*y8
dem60 ~ a*ind60
dem65 ~ ind60 + b*dem60
y1 ~~ y5
y2 ~~ y4 + y6
y3 ~~ y7
y4 ~~ y8
y6 ~~ y8
ind := a*b
"""
B = 1000


def time_ours(frame: pd.DataFrame, jobs: int) -> tuple[float, float]:
    from loyaltysurvey.sem import SEM
    from loyaltysurvey.sem.bootstrap import intervals, run_bootstrap
    from loyaltysurvey.sem.standardized import standardized_values as _standardize
    from loyaltysurvey.sem.ram import RamModel
    start = time.perf_counter()
    sem = SEM(MODEL)
    fit = sem.fit(frame)
    boot = run_bootstrap(RamModel.from_table(sem.table), frame[list(sem.table.observed)].to_numpy(float),
                         fit.theta, B, 1, _standardize, jobs=jobs)
    ind = intervals(boot.draws[:, -1], fit.params.est.iloc[-1], jackknife=boot.jack_draws[:, -1])
    return time.perf_counter() - start, ind["se"]


def time_semopy(frame: pd.DataFrame, resamples: int) -> float | None:
    try:
        import semopy
    except ImportError:
        return None
    desc = "\n".join(line for line in MODEL.strip().splitlines() if ":=" not in line)
    rng = np.random.default_rng(1)
    start = time.perf_counter()
    for _ in range(resamples):
        sample = frame.iloc[rng.integers(0, len(frame), len(frame))].reset_index(drop=True)
        model = semopy.Model(desc)
        model.fit(sample)
        est = model.inspect()
        rows = est[(est.op == "~")]
        _ = rows["Estimate"].to_numpy().prod()  # the defined effect, computed by hand
    return (time.perf_counter() - start) * B / resamples


def time_lavaan() -> float | None:
    if shutil.which("Rscript") is None:
        return None
    script = (f"suppressMessages(library(lavaan)); d <- read.csv('{DATA}'); m <- '{MODEL}'; "
              "set.seed(1); t <- system.time(f <- sem(m, d, se = 'bootstrap', bootstrap = 1000))[['elapsed']]; "
              "cat(t, '\\n')")
    out = subprocess.run(["Rscript", "-e", script], capture_output=True, text=True, check=False)
    if out.returncode != 0:
        return None
    return float(out.stdout.split()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--semopy-resamples", type=int, default=100)
    parser.add_argument("--no-semopy", action="store_true")
    args = parser.parse_args()
    frame = pd.read_csv(DATA)
    time_ours(frame, 1)  # warm-up
    t1, se = time_ours(frame, 1)
    t2, _ = time_ours(frame, 2)
    print(f"PoliticalDemocracy, {B} bootstrap resamples (all parameters, std_all, ind := a*b, BCa jackknife)")
    print(f"loyaltysurvey --jobs 1   {t1:8.2f} s   (bootstrap SE of ind: {se:.4f})")
    print(f"loyaltysurvey --jobs 2   {t2:8.2f} s")
    lav = time_lavaan()
    if lav is not None:
        print(f"lavaan se='bootstrap'    {lav:8.2f} s   ratio lavaan/ours(jobs 2) = {lav / t2:6.1f}x, "
              f"(jobs 1) = {lav / t1:6.1f}x")
    else:
        print("lavaan (R)               not available")
    if not args.no_semopy:
        sp = time_semopy(frame, args.semopy_resamples)
        if sp is None:
            print("semopy                   not installed (pip install -e '.[bench]')")
        else:
            print(f"semopy refit loop        {sp:8.2f} s   (timed on {args.semopy_resamples} resamples, scaled to "
                  f"{B})   ratio semopy/ours(jobs 2) = {sp / t2:6.1f}x")


if __name__ == "__main__":
    main()
