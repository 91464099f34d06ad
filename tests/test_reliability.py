"""Reliability and item descriptives against R psych / lavaan / semTools.

Reference values: ``tests/reference/reliability_reference.json``, written by
``tests/reference/make_reliability_reference.R`` (R 4.2.2, psych 2.2.9,
lavaan 0.6.14, semTools 0.5.6). Data: psych's ``bfi`` (exported by that
script to ``tests/reference/data/bfi.csv``; five scales, reverse-keyed items
reversed as 7 - x, missing answers kept) and the bundled example as
``loyaltysurvey ingest`` cleans it (``tests/reference/data/crm_example_clean.csv``,
listed in ``tests/reference/reliability_datasets.json``; six scales, three
reverse-worded items, missing answers kept). Tolerances: alpha, standardized alpha, r_drop and alpha if deleted
1e-6 absolute (closed-form statistics: we expect ~1e-12); the Feldt bounds
1e-6; omega 1e-6 (both are iterative ML fits; lavaan stops at its own tolerance, and the two agree
within 4e-7); skewness and kurtosis 1e-6.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from loyaltysurvey.analysis import describe, scale_reliability

from conftest import REFERENCE, ROOT

REF = json.loads((REFERENCE / "reliability_reference.json").read_text())
CASES = [(name, scale) for name, scales in REF["datasets"].items() for scale in scales]


def _scored(name: str, scale: dict) -> pd.DataFrame:
    if name == "bfi":
        frame = pd.read_csv(REFERENCE / "data" / "bfi.csv")
        lo, hi = 1, 6
    else:
        spec = json.loads((REFERENCE / "reliability_datasets.json").read_text())[name]
        frame = pd.read_csv(ROOT / spec["csv"])
        construct = next(k for k, v in spec["scales"].items() if v["items"] == scale["items"])
        lo, hi = spec["scales"][construct]["min"], spec["scales"][construct]["max"]
    x = frame[scale["items"]].astype(float).copy()
    for item in scale["reverse"]:
        x[item] = lo + hi - x[item]
    return x


@pytest.mark.parametrize("name, construct", CASES)
def test_alpha_matches_psych(name, construct):
    ref = REF["datasets"][name][construct]
    rel = scale_reliability(_scored(name, ref), construct)
    assert rel.alpha == pytest.approx(ref["raw_alpha"], abs=1e-6)
    assert rel.std_alpha == pytest.approx(ref["std_alpha"], abs=1e-6)
    assert rel.n == ref["n_used"] and rel.n_complete == ref["n_complete"]
    assert rel.alpha_ci == pytest.approx(tuple(ref["feldt_n_used"]), abs=1e-6)
    for item, values in ref["item"].items():
        assert rel.items[item].r_drop == pytest.approx(values["r_drop"], abs=1e-6), item
        assert rel.items[item].alpha_if_deleted == pytest.approx(values["alpha_if_deleted"], abs=1e-6), item
        assert rel.items[item].std_alpha_if_deleted == pytest.approx(values["std_alpha_if_deleted"], abs=1e-6)


@pytest.mark.parametrize("name, construct", CASES)
def test_omega_matches_lavaan_one_factor(name, construct):
    ref = REF["datasets"][name][construct]
    rel = scale_reliability(_scored(name, ref), construct)
    assert rel.omega == pytest.approx(ref["omega"], abs=1e-6)
    assert rel.omega == pytest.approx(ref["omega_semtools"], abs=1e-6)


@pytest.mark.parametrize("name, construct", CASES)
def test_item_descriptives_match_psych_describe_type2(name, construct):
    ref = REF["datasets"][name][construct]
    stats = describe(_scored(name, ref))
    for item, values in ref["item"].items():
        row = stats.loc[item]
        assert row["n"] == values["n"]
        assert row["mean"] == pytest.approx(values["mean"], abs=1e-9)
        assert row["sd"] == pytest.approx(values["sd"], abs=1e-9)
        assert row["skewness"] == pytest.approx(values["skew_type2"], abs=1e-6)
        assert row["kurtosis"] == pytest.approx(values["kurtosis_type2"], abs=1e-6)


def test_feldt_with_all_rows_is_psychs_own_interval():
    """psych passes nrow to alpha.ci; with n = nrow our interval is psych's."""
    from loyaltysurvey.analysis import feldt_interval
    ref = REF["datasets"]["bfi"]["A"]
    lo, hi = feldt_interval(ref["raw_alpha"], ref["nrow"], len(ref["items"]))
    assert (lo, hi) == pytest.approx(tuple(ref["feldt_psych"]), abs=1e-9)


def test_two_item_scale_has_no_omega_but_has_alpha():
    x = pd.DataFrame({"a": [1, 2, 3, 4, 5, 3.0], "b": [2, 2, 3, 5, 4, 3.0]})
    rel = scale_reliability(x)
    assert np.isnan(rel.omega)
    c = np.cov(x.T)
    assert rel.alpha == pytest.approx(2 * (1 - np.trace(c) / c.sum()), abs=1e-12)


def test_one_factor_fit_does_not_depend_on_the_items_units():
    """The one-factor ML fit behind omega (and the CB-SEM start values) is fitted on the correlation
    scale: items measured in units a thousand times larger give the same omega and converge the same."""
    from loyaltysurvey.datasets import crm_responses
    from loyaltysurvey.sem.onefactor import fit_one_factor

    S = crm_responses()[["KCF1", "KCF2", "KCF3", "KCF4", "KCF5"]].cov().to_numpy()
    small, large = fit_one_factor(S), fit_one_factor(S * 1000.0 ** 2)
    assert small.converged and large.converged
    assert large.omega == pytest.approx(small.omega, abs=1e-12)
    assert large.loadings == pytest.approx(small.loadings * 1000.0, rel=1e-9)
