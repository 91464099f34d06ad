"""Measurement invariance benchmark: the configural, metric, scalar and strict ladder of the 3-factor CFA.

Two cases, both the HolzingerSwineford three-factor, nine-item model:

* HolzingerSwineford1939 by school (301 rows, 2 groups), as bundled;
* ten groups of ``--n`` respondents (default 250) simulated in this script from a fixed seed: a
  population close to the pooled HolzingerSwineford estimates, with latent means that differ by
  group and two intercepts (x3, x7) perturbed by group, so metric holds and scalar does not.

Times, measured side by side in this run (best of ``--repeats``):

* loyaltysurvey's :func:`~loyaltysurvey.analysis.invariance.measurement_invariance` (the four
  models, their fit measures, the differences and decisions, and the comparison table), serially
  and with ``--jobs`` worker processes;
* lavaan's ``cfa(..., group =, group.equal = ...)`` for the same four models, their
  ``fitMeasures`` and ``lavTestLRT``, when ``Rscript`` with lavaan is on the PATH, timed inside R
  (R's start-up, ``library(lavaan)`` and reading the data are printed separately, not counted);
* semopy's ``multigroup``, which fits each group on its own: the configural model only (it has no
  equality constraints across groups, so no metric, scalar or strict model and no LRT).

It prints the ratios and checks that both give the same chi-squares (largest absolute difference).

    python benchmarks/bench_invariance.py [--repeats 3] [--n 250] [--jobs 2] [--no-semopy]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

MODEL = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"
ITEMS = [f"x{i}" for i in range(1, 10)]
LEVELS = ("configural", "metric", "scalar", "strict")
EQUAL = {"configural": "", "metric": "'loadings'", "scalar": "c('loadings', 'intercepts')",
         "strict": "c('loadings', 'intercepts', 'residuals')"}
# A population close to the pooled HolzingerSwineford CFA (loadings, residual variances, factor
# covariances, item means), rounded.
LOADINGS = np.array([1.0, 0.55, 0.73, 1.0, 1.11, 0.93, 1.0, 1.18, 1.08])
RESIDUALS = np.array([0.55, 1.13, 0.84, 0.37, 0.45, 0.36, 0.80, 0.49, 0.57])
PHI = np.array([[0.81, 0.41, 0.26], [0.41, 0.98, 0.17], [0.26, 0.17, 0.38]])
MEANS = np.array([4.94, 6.09, 2.25, 3.06, 4.34, 2.19, 4.19, 5.53, 5.37])


def simulated(groups: int = 10, n: int = 250, seed: int = 2026) -> pd.DataFrame:
    """``groups`` groups of ``n`` rows from the population above; the same seed gives the same data."""
    rng = np.random.default_rng(seed)
    factor = np.repeat(np.arange(3), 3)
    frames = []
    for g in range(groups):
        alpha = rng.normal(0.0, 0.3, 3)
        nu = MEANS.copy()
        nu[[2, 6]] += rng.normal(0.0, 0.25, 2)
        eta = rng.multivariate_normal(alpha, PHI, n)
        x = nu + eta[:, factor] * LOADINGS + rng.normal(0.0, np.sqrt(RESIDUALS), (n, 9))
        frame = pd.DataFrame(x, columns=ITEMS)
        frame["g"] = f"g{g + 1:02d}"
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def hs() -> pd.DataFrame:
    from loyaltysurvey.datasets import holzinger_swineford
    frame = holzinger_swineford()[ITEMS + ["school"]]
    return frame.rename(columns={"school": "g"})


def time_ours(frame: pd.DataFrame, repeats: int, jobs: int) -> tuple[float, list[float]]:
    from loyaltysurvey.analysis.invariance import measurement_invariance
    from loyaltysurvey.parallel import one_blas_thread
    best = float("inf")
    with one_blas_thread():  # as the pipeline runs it
        for _ in range(repeats):
            start = time.perf_counter()
            res = measurement_invariance(MODEL, frame, "g", jobs=jobs)
            res.table()
            best = min(best, time.perf_counter() - start)
    return best, [lv.fit["chisq"] for lv in res.levels] + [lv.delta["chisq"] for lv in res.levels[1:]]


def time_semopy(frame: pd.DataFrame, repeats: int) -> float | None:
    """semopy's ``multigroup`` (BLAS on one thread, as ours: more threads only add contention here)."""
    try:
        from semopy.multigroup import multigroup
    except ImportError:
        return None
    from loyaltysurvey.parallel import one_blas_thread
    best = float("inf")
    with one_blas_thread():
        for _ in range(repeats):
            start = time.perf_counter()
            multigroup(MODEL, frame, "g")
            best = min(best, time.perf_counter() - start)
    return best


def lavaan_script(path: Path, repeats: int) -> str:
    fits = "; ".join(f"{lv} <- cfa(m, d, group = 'g'" + (f", group.equal = {EQUAL[lv]}" if EQUAL[lv] else "") + ")"
                     for lv in LEVELS)
    return f"""
suppressMessages(library(lavaan))
d <- read.csv('{path}')
m <- '{MODEL.replace(chr(10), "; ")}'
startup <- proc.time()[["elapsed"]]  # since R started: start-up, library(lavaan), read.csv
best <- Inf
for (r in seq_len({repeats})) {{
  t <- system.time({{
    {fits}
    fm <- lapply(list({", ".join(LEVELS)}), fitMeasures, c("chisq", "df", "cfi", "tli", "rmsea", "srmr", "aic", "bic"))
    lrt <- lavTestLRT({", ".join(LEVELS)})
  }})[["elapsed"]]
  best <- min(best, t)
}}
cat(best, startup, sapply(fm, function(x) x[["chisq"]]), lrt[["Chisq diff"]][-1], "\\n")
"""


def time_lavaan(frame: pd.DataFrame, repeats: int) -> tuple[float, float, float, list[float]] | None:
    """(best time inside R, R start-up and library(lavaan), the whole Rscript run, the chi-squares)."""
    if shutil.which("Rscript") is None:
        return None
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "groups.csv"
        frame.to_csv(path, index=False)
        start = time.perf_counter()
        out = subprocess.run(["Rscript", "-e", lavaan_script(path, repeats)], capture_output=True, text=True,
                             check=False)
        wall = time.perf_counter() - start
    if out.returncode != 0:
        print("  lavaan (R)              not available:", " ".join(out.stderr.strip().splitlines()[-1:]))
        return None
    values = [float(v) for v in out.stdout.split()]
    return values[0], values[1], wall, values[2:]


def run_case(name: str, frame: pd.DataFrame, args: argparse.Namespace) -> None:
    groups = frame["g"].nunique()
    print(f"{name}: {len(frame)} rows, {groups} groups, the 3-factor 9-item CFA; configural, metric, scalar, "
          f"strict + comparison (best of {args.repeats})")
    time_ours(frame, 1, 1)  # warm-up (imports, caches)
    ours, chisq = time_ours(frame, args.repeats, 1)
    print(f"  loyaltysurvey --jobs 1  {ours:8.3f} s")
    par = None
    if args.jobs > 1:
        par, chisq_par = time_ours(frame, args.repeats, args.jobs)
        same = "identical" if chisq_par == chisq else "DIFFERENT"
        print(f"  loyaltysurvey --jobs {args.jobs}  {par:8.3f} s   ratio jobs 1 / jobs {args.jobs} = "
              f"{ours / par:5.2f}x   (results {same})")
    lav = time_lavaan(frame, args.repeats)
    if lav is not None:
        inside, startup, wall, ref = lav
        diff = max(abs(a - b) for a, b in zip(chisq, ref))
        rel = max(abs(a - b) / abs(b) for a, b in zip(chisq, ref))
        line = f"  lavaan (R)              {inside:8.3f} s   ratio lavaan/ours = {inside / ours:5.1f}x (jobs 1)"
        if par is not None:
            line += f", {inside / par:5.1f}x (jobs {args.jobs})"
        print(line)
        print(f"    not counted: R start-up, library(lavaan) and read.csv {startup:.2f} s; the whole Rscript run "
              f"{wall:.2f} s")
        print(f"    same models: chi-squares of the 4 levels and the 3 LRT differences, max |ours - lavaan| = "
              f"{diff:.1e} ({rel:.1e} relative)")
    elif shutil.which("Rscript") is None:
        print("  lavaan (R)              not available (no Rscript with lavaan)")
    if args.no_semopy:
        return
    sp = time_semopy(frame, args.repeats)
    if sp is None:
        print("  semopy                  not installed (pip install -e '.[bench]')")
    else:
        print(f"  semopy multigroup       {sp:8.3f} s   configural only: semopy fits each group separately and "
              "has no equality constraints across groups (no metric/scalar/strict, no LRT)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--n", type=int, default=250, help="respondents per simulated group")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--no-semopy", action="store_true")
    args = parser.parse_args()
    run_case("HolzingerSwineford1939 by school", hs(), args)
    run_case("simulated, 10 groups (seed 2026)", simulated(10, args.n), args)


if __name__ == "__main__":
    main()
