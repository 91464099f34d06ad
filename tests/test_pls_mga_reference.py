"""PLS-MGA and MICOM against seminr 2.3.2 (tests/reference/pls_mga_reference.json).

Made by tests/reference/make_pls_mga_reference.R: seminr's ``estimate_pls_mga`` on two splits,
mobi by row parity (group a = rows 0, 2, 4, ...) and corp_rep by servicetype (group a = 1; -99
replaced by the pooled item means before the split), each group's ``bootstrap_model`` (1,000
resamples, seed 123), the parametric and Welch tests from those standard errors with R's ``pt``,
MICOM's statistics from seminr's outer weights, and 500 label permutations re-estimated by seminr.

Deterministic quantities (group paths, their difference, MICOM's c, mean difference and log
variance ratio of the observed groups) must match to 1e-6 absolute (the PLS stopping rule is
1e-7 on the weights). The bootstrap and permutation quantities are compared within Monte Carlo
error: 4.5 standard errors of the difference of two independent estimates (our 2,000 resamples or
permutations against seminr's 1,000 resamples or R's 500 permutations).
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from loyaltysurvey.pls import mga
from loyaltysurvey.pls.algorithm import PLSSpec, fit_pls

from conftest import MOBI, MOBI_PATHS, REFERENCE

REF = json.loads((REFERENCE / "pls_mga_reference.json").read_text())
CORP = {"COMP": ["comp_1", "comp_2", "comp_3"], "LIKE": ["like_1", "like_2", "like_3"], "CUSA": ["cusa"],
        "CUSL": ["cusl_1", "cusl_2", "cusl_3"]}
CORP_PATHS = (("COMP", "CUSA"), ("COMP", "CUSL"), ("LIKE", "CUSA"), ("LIKE", "CUSL"), ("CUSA", "CUSL"))
B, P = 2000, 2000


def _spec(blocks, paths):
    columns = [c for b in blocks.values() for c in b]
    return columns, PLSSpec(tuple(blocks), tuple(tuple(columns.index(c) for c in b) for b in blocks.values()),
                            ("A",) * len(blocks), paths)


@pytest.fixture(scope="module")
def cases():
    from conftest import SHARED_DATA
    if not SHARED_DATA.is_dir():
        pytest.skip("../shared/data is not present beside the project")
    out = {}
    columns, spec = _spec(MOBI, MOBI_PATHS)
    X = pd.read_csv(SHARED_DATA / "mobi.csv")[columns].to_numpy(float)
    out["mobi_parity"] = (X, spec, np.arange(len(X)) % 2 == 0)
    corp = pd.read_csv(SHARED_DATA / "corp_rep.csv")
    columns, spec = _spec(CORP, CORP_PATHS)
    frame = corp[columns].replace(-99, np.nan).astype(float)
    assert int(frame.isna().sum().sum()) == REF["corp_values_replaced"]
    X = frame.fillna(frame.mean()).to_numpy()
    out["corp_servicetype"] = (X, spec, (corp["servicetype"] == 1).to_numpy())
    results = {}
    for name, (X, spec, mask) in out.items():
        a = mga.fit_group(X[mask], spec, "1", B, [1, 1])
        b = mga.fit_group(X[~mask], spec, "2", B, [1, 2])
        res = mga.compare_groups(X, spec, mask, a, b, fit_pls(X, spec).weights, P, [1, 3])
        results[name] = (a, b, res)
    return results


def _mc(p: float, n1: int, n2: int) -> float:
    """4.5 standard errors of the difference of two independent proportions estimated from n1 and n2 draws."""
    return 4.5 * np.sqrt(max(p * (1 - p), 0.002) * (1 / n1 + 1 / n2))


@pytest.mark.parametrize("name", ["mobi_parity", "corp_servicetype"])
def test_group_paths_and_differences_equal_seminr(cases, name):
    a, b, res = cases[name]
    ref = REF["cases"][name]
    assert (a.n, b.n) == (ref["n1"], ref["n2"])
    rows = {(r.source, r.target): r for r in res.paths}
    assert len(rows) == len(ref["paths"])
    for entry in ref["paths"]:
        row = rows[(entry["from"], entry["to"])]
        assert row.est_a == pytest.approx(entry["group1_beta"], abs=1e-6)  # seminr estimate_pls_mga
        assert row.est_b == pytest.approx(entry["group2_beta"], abs=1e-6)
        assert row.diff == pytest.approx(entry["diff"], abs=1e-6)
        # seminr's pls_mga_p is the one computed from the groups' bootstrap_model runs (same resamples)
        assert entry["pls_mga_p"] == pytest.approx(entry["pls_mga_p_from_group_boots"], abs=1e-12)


@pytest.mark.parametrize("name", ["mobi_parity", "corp_servicetype"])
def test_bootstrap_based_tests_within_monte_carlo_error(cases, name):
    a, b, res = cases[name]
    ref = REF["cases"][name]
    J = min(ref["boot_successful"])
    rows = {(r.source, r.target): r for r in res.paths}
    for entry in ref["paths"]:
        row = rows[(entry["from"], entry["to"])]
        # the formulas with seminr's standard errors equal R's pt() results
        t, df, p = mga.parametric_test(entry["diff"], entry["se1"], entry["se2"], ref["n1"], ref["n2"])
        assert (t, p) == pytest.approx((entry["t_parametric"], entry["p_parametric"]), rel=1e-9, abs=1e-15)
        t, df, p = mga.welch_test(entry["diff"], entry["se1"], entry["se2"], ref["n1"], ref["n2"])
        assert (t, df, p) == pytest.approx((entry["t_welch"], entry["df_welch"], entry["p_welch"]), rel=1e-9,
                                           abs=1e-15)
        # bootstrap SEs: the SD of an SD from B draws has relative SE ~ 1/sqrt(2(B-1))
        tol = 4.5 * np.sqrt(1 / (2 * (J - 1)) + 1 / (2 * (B - 1)))
        assert row.se_a == pytest.approx(entry["se1"], rel=tol) and row.se_b == pytest.approx(entry["se2"], rel=tol)
        # Henseler's p: seminr's J = 1000 resamples per group against our 2000
        assert abs(row.p_henseler - entry["pls_mga_p"]) < _mc(entry["pls_mga_p"], J, B), entry


@pytest.mark.parametrize("name", ["mobi_parity", "corp_servicetype"])
def test_permutation_tests_and_micom_against_a_seminr_loop(cases, name):
    a, b, res = cases[name]
    ref = REF["cases"][name]
    Q = ref["permutations"]
    assert res.failed == 0
    rows = {(r.source, r.target): r for r in res.paths}
    for entry in ref["paths"]:
        row = rows[(entry["from"], entry["to"])]
        assert row.diff == pytest.approx(entry["diff_observed"], abs=1e-6)
        assert abs(row.p_permutation - entry["p_permutation"]) < _mc(entry["p_permutation"], Q, P), entry
    micom = {m.construct: m for m in res.micom}
    assert set(micom) == set(ref["micom"])
    for construct, entry in ref["micom"].items():
        m = micom[construct]
        # the observed statistics from seminr's outer weights: deterministic
        assert m.c == pytest.approx(entry["c"], abs=1e-6)
        assert m.mean_diff == pytest.approx(entry["mean_diff"], abs=1e-6)
        assert m.var_ratio_log == pytest.approx(entry["var_ratio_log"], abs=1e-6)
        for key in ("c_p", "mean_p", "var_p"):
            assert abs(getattr(m, key) - entry[key]) < _mc(entry[key], Q, P), (construct, key, entry)
