"""Normality tests against R: ``stats::shapiro.test`` and ``nortest::lillie.test`` 1.0-4.

Reference: ``tests/reference/normality_reference.json`` from
``tests/reference/make_normality_reference.R`` (items and construct scores of the bundled
example, and the nearly normal HolzingerSwineford1939 x1-x9, which exercise nortest's
large-p branch). Lilliefors D and p to 1e-10 and 1e-8; Shapiro-Wilk W to 1e-8 and its
p-value to 1e-7 (scipy's W differs from R's by about 5e-10, which moves p by up to 1e-8).
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from loyaltysurvey.analysis.normality import lilliefors, shapiro_wilk

from conftest import REFERENCE, ROOT

REF = json.loads((REFERENCE / "normality_reference.json").read_text())["items"]


def _columns() -> dict[str, np.ndarray]:
    d = pd.read_csv(REFERENCE / "data" / "crm_example_clean.csv")
    for item in ("KCF3", "KM2", "LOY4"):
        d[item] = 6 - d[item]
    out = {}
    for cid in ("KCF", "CRMO", "KM", "TECH", "SAT", "LOY"):
        block = d.filter(regex=f"^{cid}[0-9]$")
        for item in block.columns:
            out[item] = block[item].to_numpy(float)
        score = block.mean(axis=1)
        score[block.notna().sum(axis=1) < np.ceil(block.shape[1] / 2)] = np.nan
        out[f"score_{cid}"] = score.to_numpy(float)
    hs = pd.read_csv(ROOT / "src" / "loyaltysurvey" / "datasets" / "HolzingerSwineford1939.csv")
    for i in range(1, 10):
        out[f"HS_x{i}"] = hs[f"x{i}"].to_numpy(float)
    return out


@pytest.mark.parametrize("name", list(REF))
def test_against_r(name):
    x = _columns()[name]
    ref = REF[name]
    w, pw = shapiro_wilk(x)
    d, pd_ = lilliefors(x)
    assert w == pytest.approx(ref["sw_w"], abs=1e-8)
    assert pw == pytest.approx(ref["sw_p"], abs=1e-7)
    assert d == pytest.approx(ref["ks_d"], abs=1e-10)
    assert pd_ == pytest.approx(ref["ks_p"], abs=1e-8)
