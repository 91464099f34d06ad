"""FIML bootstrap benchmark: 1,000 resamples of incomplete data, each refitted by FIML.

Data: HolzingerSwineford1939 with a third of the rows incomplete (14 missing-data patterns;
``tests/reference/data/HolzingerSwineford1939_missing.csv``) and the textual -> visual -> speed
mediation with ``ind := a*b`` (``--data crm``: the bundled example's questionnaire model, 420
respondents of whom 60 incomplete, 25 items). Prints, measured in this run:

* loyaltysurvey with ``jobs`` 1 and 2 (every parameter, its std_all, the ``:=`` rows and the
  jackknife for BCa), and the same with ``--missing listwise`` for scale;
* a straightforward refit loop of our own FIML: per resample the patterns of its rows and SciPy's
  BFGS on the same objective and analytic gradient, warm-started at the full-sample estimates;
* semopy's ``ModelMeans`` (FIML) in a refit loop, when semopy is installed;
* lavaan's ``sem(..., missing = "ml", se = "bootstrap")`` when ``Rscript`` with lavaan is on the PATH.

The loops and lavaan are timed on fewer resamples (options below) and scaled to ``--resamples``,
which the output says.

    python benchmarks/bench_fiml_bootstrap.py
    python benchmarks/bench_fiml_bootstrap.py --lavaan-resamples 1000 --no-semopy
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

ROOT = Path(__file__).resolve().parent.parent
HS_DATA = ROOT / "tests" / "reference" / "data" / "HolzingerSwineford1939_missing.csv"
HS_MODEL = """
visual =~ x1 + x2 + x3
textual =~ x4 + x5 + x6
speed =~ x7 + x8 + x9
visual ~ a*textual
speed ~ b*visual + c*textual
ind := a*b
total := c + a*b
"""


def load(name: str) -> tuple[pd.DataFrame, str]:
    if name == "hs":
        return pd.read_csv(HS_DATA), HS_MODEL
    from loyaltysurvey.datasets import crm_questionnaire, crm_responses
    q = crm_questionnaire()
    syntax = q.full_syntax
    return crm_responses(), syntax


def time_ours(frame: pd.DataFrame, model: str, B: int, jobs: int, missing: str = "fiml") -> tuple[float, float]:
    from loyaltysurvey.sem import SEM
    start = time.perf_counter()
    fit = SEM(model).fit(frame, missing=missing, se="bootstrap", bootstrap=B, seed=1, jobs=jobs)
    elapsed = time.perf_counter() - start
    return elapsed, float(fit.params.se.iloc[-1])


def time_loop(frame: pd.DataFrame, model: str, resamples: int) -> float:
    """One resample at a time: Patterns of its rows, SciPy BFGS from the full-sample estimates."""
    from loyaltysurvey.sem import SEM
    from loyaltysurvey.sem.fiml import FimlObjective, Patterns
    from loyaltysurvey.sem.ram import RamModel
    start = time.perf_counter()
    fit = SEM(model).fit(frame, missing="fiml")
    ram = RamModel.from_table(fit.table)
    X = frame[list(fit.observed)].to_numpy(float)
    rng = np.random.default_rng(1)
    for _ in range(resamples):
        rows = X[rng.integers(0, len(X), len(X))]
        FimlObjective(ram, Patterns(rows)).minimize(fit.theta)
    return time.perf_counter() - start


def time_semopy(frame: pd.DataFrame, model: str, resamples: int) -> float | None:
    try:
        import semopy
    except ImportError:
        return None
    desc = "\n".join(line for line in model.strip().splitlines() if ":=" not in line)
    rng = np.random.default_rng(1)
    data = frame[[c for c in frame.columns if c != "id"]]
    start = time.perf_counter()
    for _ in range(resamples):
        sample = data.iloc[rng.integers(0, len(data), len(data))].reset_index(drop=True)
        semopy.ModelMeans(desc).fit(sample)
    return time.perf_counter() - start


def time_lavaan(frame: pd.DataFrame, model: str, resamples: int) -> tuple[float, float] | None:
    if shutil.which("Rscript") is None:
        return None
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "data.csv"
        frame.to_csv(path, index=False)
        script = (f"suppressMessages(library(lavaan)); d <- read.csv('{path}'); m <- '{model}'; set.seed(1); "
                  f"t <- system.time(f <- sem(m, d, missing = 'ml', se = 'bootstrap', "
                  f"bootstrap = {resamples}))[['elapsed']]; pe <- parameterEstimates(f); "
                  "cat(t, pe$se[nrow(pe)], '\\n')")
        out = subprocess.run(["Rscript", "-e", script], capture_output=True, text=True, check=False)
        if out.returncode != 0:
            print("lavaan failed:", out.stderr.strip().splitlines()[-1:])
            return None
        elapsed, se = out.stdout.split()[-2:]
        return float(elapsed), float(se)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", choices=("hs", "crm"), default="hs")
    parser.add_argument("--resamples", type=int, default=1000)
    parser.add_argument("--loop-resamples", type=int, default=100)
    parser.add_argument("--semopy-resamples", type=int, default=3)
    parser.add_argument("--lavaan-resamples", type=int, default=200)
    parser.add_argument("--no-semopy", action="store_true")
    parser.add_argument("--no-lavaan", action="store_true")
    args = parser.parse_args()
    frame, model = load(args.data)
    B = args.resamples
    incomplete = int(frame.isna().any(axis=1).sum())
    print(f"{args.data}: {len(frame)} rows ({incomplete} incomplete), FIML bootstrap, {B} resamples "
          "(all parameters, std_all, := rows, BCa jackknife)")
    time_ours(frame, model, 100, 1)  # warm-up (imports, caches)
    t1, se = time_ours(frame, model, B, 1)
    t2, _ = time_ours(frame, model, B, 2)
    tl, _ = time_ours(frame, model, B, 1, missing="listwise")
    print(f"loyaltysurvey FIML --jobs 1      {t1:8.2f} s   (bootstrap SE of the last := row: {se:.4f})")
    print(f"loyaltysurvey FIML --jobs 2      {t2:8.2f} s")
    print(f"loyaltysurvey listwise --jobs 1  {tl:8.2f} s   FIML/listwise = {t1 / tl:4.1f}x")
    loop = time_loop(frame, model, args.loop_resamples) * B / args.loop_resamples
    print(f"refit loop (our FIML, SciPy)     {loop:8.2f} s   (timed on {args.loop_resamples}, scaled to {B})   "
          f"loop/ours(jobs 1) = {loop / t1:6.1f}x")
    if not args.no_semopy:
        sp = time_semopy(frame, model, args.semopy_resamples)
        if sp is None:
            print("semopy ModelMeans loop           not installed (pip install -e '.[bench]')")
        else:
            sp = sp * B / args.semopy_resamples
            print(f"semopy ModelMeans loop           {sp:8.2f} s   (timed on {args.semopy_resamples}, scaled to "
                  f"{B})   semopy/ours(jobs 2) = {sp / t2:6.1f}x")
    if not args.no_lavaan:
        lav = time_lavaan(frame, model, args.lavaan_resamples)
        if lav is None:
            print("lavaan (R)                       not available (no Rscript with lavaan)")
        else:
            scaled = lav[0] * B / args.lavaan_resamples
            print(f"lavaan se='bootstrap'            {scaled:8.2f} s   (timed on {args.lavaan_resamples}, scaled to "
                  f"{B}; SE of the last := row {lav[1]:.4f})   lavaan/ours(jobs 2) = {scaled / t2:6.1f}x, "
                  f"(jobs 1) = {scaled / t1:6.1f}x")


if __name__ == "__main__":
    main()
