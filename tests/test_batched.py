"""The batched ML fitter (bootstrap engine) gives the same estimates as one-at-a-time Fisher scoring."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from loyaltysurvey.sem import SEM
from loyaltysurvey.sem.batched import BatchedML
from loyaltysurvey.sem.estimate import fit_ml
from loyaltysurvey.sem.ram import RamModel

from conftest import POLDEM, REFERENCE



@pytest.fixture(scope="module")
def poldem():
    path = REFERENCE / "data" / "PoliticalDemocracy.csv"
    if not path.exists():
        pytest.skip("PoliticalDemocracy.csv is written by tests/reference/make_sem_reference.R")
    return pd.read_csv(path)


def test_batched_fits_equal_single_fits(poldem):
    sem = SEM(POLDEM)
    full = sem.fit(poldem)
    model = RamModel.from_table(sem.table)
    X = poldem[list(sem.table.observed)].to_numpy(float)
    n = len(X)
    rng = np.random.default_rng(7)
    idx = rng.integers(0, n, (40, n))
    Z = X[idx] - X[idx].mean(axis=1, keepdims=True)
    S = np.einsum("bni,bnj->bij", Z, Z) / n
    first = fit_ml(model, np.cov(X.T, ddof=0))
    theta, fmin, converged = BatchedML(model).fit(S, full.theta, first.information)
    assert converged.all()
    for k in range(0, 40, 7):
        single = fit_ml(model, S[k])
        assert np.max(np.abs(single.theta - theta[k])) < 1e-5
        assert fmin[k] == pytest.approx(single.fmin, abs=1e-10)


def test_bootstrap_is_identical_for_any_number_of_jobs(poldem):
    from loyaltysurvey.sem.bootstrap import run_bootstrap
    from loyaltysurvey.sem.standardized import standardized_values as _standardize
    sem = SEM(POLDEM)
    full = sem.fit(poldem)
    model = RamModel.from_table(sem.table)
    X = poldem[list(sem.table.observed)].to_numpy(float)
    one = run_bootstrap(model, X, full.theta, 250, 42, _standardize, jobs=1)
    two = run_bootstrap(model, X, full.theta, 250, 42, _standardize, jobs=2)
    np.testing.assert_array_equal(one.draws, two.draws)
    np.testing.assert_array_equal(one.std_draws, two.std_draws)
    other = run_bootstrap(model, X, full.theta, 250, 43, _standardize, jobs=1)
    assert not np.array_equal(one.draws, other.draws)
    # The first resample of the first chunk, refitted on its own, gives the same estimates.
    rng = np.random.default_rng(np.random.SeedSequence(42).spawn(3)[0])
    idx = rng.integers(0, len(X), size=(100, len(X)))[0]
    single = sem.fit(pd.DataFrame(X[idx], columns=sem.table.observed))
    np.testing.assert_allclose(one.draws[0, : len(sem.table.params)], single.params.est.to_numpy()[: len(sem.table.params)],
                               atol=1e-5)


def test_bootstrap_on_a_dask_local_cluster_equals_local_runs(poldem):
    pytest.importorskip("dask.distributed")
    from loyaltysurvey.parallel import dask_executor
    from loyaltysurvey.sem.bootstrap import run_bootstrap
    from loyaltysurvey.sem.standardized import standardized_values as _standardize
    sem = SEM(POLDEM)
    full = sem.fit(poldem)
    model = RamModel.from_table(sem.table)
    X = poldem[list(sem.table.observed)].to_numpy(float)
    local = run_bootstrap(model, X, full.theta, 300, 9, _standardize, jobs=1, with_jackknife=False)
    with dask_executor("local", workers=2) as executor:
        remote = run_bootstrap(model, X, full.theta, 300, 9, _standardize, executor=executor, with_jackknife=False)
    np.testing.assert_array_equal(local.draws, remote.draws)
    np.testing.assert_array_equal(local.std_draws, remote.std_draws)
