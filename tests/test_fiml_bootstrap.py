"""The FIML bootstrap engine: weighted FIML equals FIML on the resampled rows, and seeded runs
are identical for any number of workers. Its numbers against lavaan are in
tests/test_fiml_bootstrap_reference.py."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from loyaltysurvey.sem import SEM
from loyaltysurvey.sem.batched_fiml import BatchedFIML, frequency_weights
from loyaltysurvey.sem.fiml import FimlObjective, Patterns
from loyaltysurvey.sem.fiml_bootstrap import fit_fiml_resamples, run_fiml_bootstrap
from loyaltysurvey.sem.ram import RamModel
from loyaltysurvey.sem.standardized import standardized_values

from conftest import REFERENCE

MODEL = """
visual =~ x1 + x2 + x3
textual =~ x4 + x5 + x6
speed =~ x7 + x8 + x9
visual ~ a*textual
speed ~ b*visual + c*textual
ind := a*b
"""


@pytest.fixture(scope="module")
def hs_missing():
    """HolzingerSwineford1939 with a third of its rows incomplete (14 patterns; see
    tests/reference/make_fiml_bootstrap_reference.R for the rule)."""
    data = pd.read_csv(REFERENCE / "data" / "HolzingerSwineford1939_missing.csv")
    sem = SEM(MODEL)
    fit = sem.fit(data, missing="fiml")
    patterns = Patterns(data[list(fit.observed)].to_numpy(float))
    return data, fit, RamModel.from_table(fit.table), patterns


def test_weighted_objective_equals_fiml_on_the_resampled_rows(hs_missing):
    """F and its gradient from frequency weights equal FimlObjective on the rows themselves
    (duplicates repeated), away from the optimum, to rounding."""
    data, fit, model, patterns = hs_missing
    engine = BatchedFIML(model, patterns)
    rng = np.random.default_rng(11)
    theta = fit.theta + rng.normal(0, 0.03, fit.theta.size)
    idx = rng.integers(0, patterns.n_total, (3, patterns.n_total))
    f, g = engine.value_and_gradient(frequency_weights(idx, patterns.n_total), np.repeat(theta[None], 3, 0))
    for k in range(3):
        f1, g1 = FimlObjective(model, Patterns(patterns.X[idx[k]])).value_and_gradient(theta)
        assert f[k] == pytest.approx(f1, rel=1e-12)
        np.testing.assert_allclose(g[k], g1, atol=1e-11)


def test_zero_weight_equals_dropping_the_row(hs_missing):
    """The jackknife's leave-one-out fits (a zero weight) equal FIML fits without that row."""
    data, fit, model, patterns = hs_missing
    rows = np.array([0, 12, 38])                  # complete, x3 & x6 missing (id 13), x9 missing (id 39)
    W = np.ones((rows.size, patterns.n_total))
    W[np.arange(rows.size), rows] = 0
    theta, ok = fit_fiml_resamples(model, patterns, fit.theta, W)
    assert ok.all()
    for k, r in enumerate(rows):
        single = SEM(MODEL).fit(data.drop(index=r), missing="fiml")
        np.testing.assert_allclose(theta[k], single.theta, atol=1e-5)


def test_fiml_bootstrap_is_identical_for_any_number_of_jobs(hs_missing):
    data, fit, model, patterns = hs_missing
    one = run_fiml_bootstrap(model, patterns, fit.theta, 250, 42, standardized_values, jobs=1)
    two = run_fiml_bootstrap(model, patterns, fit.theta, 250, 42, standardized_values, jobs=2)
    np.testing.assert_array_equal(one.draws, two.draws)
    np.testing.assert_array_equal(one.std_draws, two.std_draws)
    np.testing.assert_array_equal(one.jack_draws, two.jack_draws)
    assert one.draws.shape[0] + one.failed == 250 and one.jack_draws.shape[0] == patterns.n_total
    other = run_fiml_bootstrap(model, patterns, fit.theta, 250, 43, standardized_values, with_jackknife=False)
    assert not np.array_equal(one.draws, other.draws)
    # The first resample of the first chunk, refitted on its own rows, gives the same estimates.
    rng = np.random.default_rng(np.random.SeedSequence(42).spawn(3)[0])
    idx = rng.integers(0, patterns.n_total, size=(100, patterns.n_total))[0]
    single = SEM(MODEL).fit(pd.DataFrame(patterns.X[idx], columns=fit.observed), missing="fiml")
    np.testing.assert_allclose(one.draws[0], single.params.est.to_numpy(), atol=2e-5)


def test_sem_fit_gives_the_same_result_for_any_number_of_jobs(hs_missing):
    data = hs_missing[0]
    one = SEM(MODEL).fit(data, missing="fiml", se="bootstrap", bootstrap=150, seed=3)
    two = SEM(MODEL).fit(data, missing="fiml", se="bootstrap", bootstrap=150, seed=3, jobs=2)
    pd.testing.assert_frame_equal(one.params, two.params)
    assert one.bootstrap_info == two.bootstrap_info and one.bootstrap_info["missing"] == "fiml"


def test_fiml_bootstrap_on_a_dask_local_cluster_equals_local_runs(hs_missing):
    pytest.importorskip("dask.distributed")
    from loyaltysurvey.parallel import dask_executor
    data, fit, model, patterns = hs_missing
    local = run_fiml_bootstrap(model, patterns, fit.theta, 200, 9, standardized_values, with_jackknife=False)
    with dask_executor("local", workers=2) as executor:
        remote = run_fiml_bootstrap(model, patterns, fit.theta, 200, 9, standardized_values, executor=executor,
                                    with_jackknife=False)
    np.testing.assert_array_equal(local.draws, remote.draws)
    np.testing.assert_array_equal(local.std_draws, remote.std_draws)
