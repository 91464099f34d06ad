"""CB-SEM bootstrap against lavaan 0.6.14's ``se = "bootstrap"`` (2,000 resamples each side).

Reference values: ``tests/reference/bootstrap_reference.json``, written by
``tests/reference/make_bootstrap_reference.R``: PoliticalDemocracy with
``ind := a*b`` (three lavaan seeds, with order-statistic Monte Carlo SEs of each
bound) and the questionnaire's model on the bundled example (listwise).

Two bootstraps with different random draws differ by Monte Carlo error only.
With B = 2,000 the standard deviation of a 2.5% percentile bound is about
sqrt(.025 * .975 / B) / phi(1.96) = 0.06 bootstrap SDs for a normal
statistic, so two runs differ with SD near 0.085 SD; we allow 0.35 SD (about
four of those; the tails of a product a*b are skewed, hence the margin), and
bootstrap SDs within 10% (the sampling SD of an SD estimate at B = 2,000 is
about 1.6%). The test also checks that lavaan's own three seeds agree within
the same tolerance, which is what justifies it (their bounds span about 0.14 SD).
"""

from __future__ import annotations

import json

import pandas as pd
import pytest

from loyaltysurvey.sem import SEM

from conftest import POLDEM, REFERENCE

REF = json.loads((REFERENCE / "bootstrap_reference.json").read_text())["models"]
CRM = """
KCF =~ KCF1 + KCF2 + KCF3 + KCF4 + KCF5
CRMO =~ CRMO1 + CRMO2 + CRMO3 + CRMO4
KM =~ KM1 + KM2 + KM3 + KM4
TECH =~ TECH1 + TECH2 + TECH3 + TECH4
SAT =~ SAT1 + SAT2 + SAT3 + SAT4
LOY =~ LOY1 + LOY2 + LOY3 + LOY4
SAT ~ h1*KCF + h2*CRMO + h3*KM + h4*TECH
LOY ~ h5*SAT
ind_KCF := h1*h5
ind_CRMO := h2*h5
ind_KM := h3*h5
ind_TECH := h4*h5
"""
TOL_SD = 0.35


def _compare(ours: pd.DataFrame, rows: list[dict]) -> int:
    mine = {(r.lhs, r.op, r.rhs): r for r in ours.itertuples()}
    checked = 0
    for row in rows:
        if row["op"] not in ("~", ":="):
            continue
        r = mine[(row["lhs"], row["op"], row["rhs"])]
        sd = row["se"]
        assert r.est == pytest.approx(row["est"], rel=1e-3, abs=1e-4)
        assert r.se == pytest.approx(sd, rel=0.10), row
        assert abs(r.ci_lower - row["ci_lower"]) < TOL_SD * sd, row
        assert abs(r.ci_upper - row["ci_upper"]) < TOL_SD * sd, row
        assert abs(r.ci_bc_lower - row["bc_lower"]) < TOL_SD * sd, row
        assert abs(r.ci_bc_upper - row["bc_upper"]) < TOL_SD * sd, row
        checked += 1
    return checked


def test_lavaan_seeds_agree_within_the_tolerance():
    runs = REF["poldem_boot"]["replicates"]
    assert len(runs) == 3
    for rows in zip(*(run["rows"] for run in runs)):
        for a in rows[1:]:
            assert abs(a["ci_lower"] - rows[0]["ci_lower"]) < TOL_SD * rows[0]["se"]
            assert abs(a["ci_upper"] - rows[0]["ci_upper"]) < TOL_SD * rows[0]["se"]


def test_political_democracy_bootstrap_matches_lavaan():
    data = pd.read_csv(REFERENCE / "data" / "PoliticalDemocracy.csv")
    boot_fit = SEM(POLDEM).fit(data, se="bootstrap", bootstrap=2000, seed=99)
    boot = boot_fit.bootstrap
    assert boot.successful + boot.failed == 2000
    # lavaan counted 729, 719 and 725 nonadmissible solutions (negative variances) in its three runs.
    assert REF["poldem_boot"]["nonadmissible"] == 729
    assert 600 < boot_fit.bootstrap_info["inadmissible"] < 850
    assert _compare(boot_fit.params, REF["poldem_boot"]["estimates"]) == 4


def test_bundled_example_indirect_effects_match_lavaan():
    data = pd.read_csv(REFERENCE / "data" / "crm_example_clean.csv")
    for item in ("KCF3", "KM2", "LOY4"):
        data[item] = 6 - data[item]
    boot_fit = SEM(CRM).fit(data, se="bootstrap", bootstrap=2000, seed=7, jobs=2)
    assert _compare(boot_fit.params, REF["crm_boot"]["estimates"]) == 9
