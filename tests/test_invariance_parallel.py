"""The CB-SEM group comparison gives identical results serially, in worker processes and on Dask.

The invariance levels after the first, the constrained models of the equal-path tests and each
group's own model are independent fits run through :func:`loyaltysurvey.parallel.map_tasks`.
Every backend runs the same fit from the same start values, so the results must be equal to the
last digit (``assert_array_equal``, ``==`` on results.json), in the same order. HolzingerSwineford
by school; the numbers themselves are checked against lavaan in tests/test_invariance_reference.py.
"""

from __future__ import annotations

import concurrent.futures
import json
from pathlib import Path

import numpy as np
import pytest

import loyaltysurvey
import loyaltysurvey.parallel as parallel
from loyaltysurvey.analysis.invariance import measurement_invariance, path_equality
from loyaltysurvey.datasets import HS_MODEL, holzinger_swineford, hs_questionnaire

SEM_MODEL = HS_MODEL + "\nspeed ~ visual + textual"
REF = json.loads((Path(__file__).parent / "reference" / "invariance_reference.json").read_text())


class CountingPool(concurrent.futures.ProcessPoolExecutor):
    """The local process pool, recording how many workers each use asked for."""

    made: list[int] = []

    def __init__(self, max_workers=None, **kwargs):
        CountingPool.made.append(max_workers)
        super().__init__(max_workers=max_workers, **kwargs)


class CountingExecutor:
    """An executor wrapper recording how many tasks each ``map`` received."""

    def __init__(self, inner):
        self.inner, self.calls = inner, []

    def map(self, fn, tasks):
        tasks = list(tasks)
        self.calls.append(len(tasks))
        return self.inner.map(fn, tasks)


class InProcess:
    """An executor that runs the tasks here, in order (to see that the pipeline hands its executor on)."""

    def map(self, fn, tasks):
        return [fn(t) for t in tasks]


def _same_invariance(a, b):
    assert [lv.level for lv in a.levels] == [lv.level for lv in b.levels] == ["configural", "metric", "scalar",
                                                                             "strict"]
    assert json.dumps(a.to_json()) == json.dumps(b.to_json())  # every fit measure, delta and verdict
    assert a.table().equals(b.table())
    assert a.notices == b.notices and a.nobs == b.nobs
    for la, lb in zip(a.levels, b.levels):
        np.testing.assert_array_equal(la.result.theta, lb.result.theta)
        np.testing.assert_array_equal(la.result.vcov, lb.result.vcov)
        assert la.result.params.equals(lb.result.params)


def _same_paths(a, b):
    assert [(p.lhs, p.rhs) for p in a] == [(p.lhs, p.rhs) for p in b] == [("speed", "visual"), ("speed", "textual")]
    assert [p.to_json() for p in a] == [p.to_json() for p in b]


@pytest.fixture(scope="module")
def serial():
    data = holzinger_swineford()
    return (measurement_invariance(HS_MODEL, data, "school"),
            measurement_invariance(HS_MODEL, data, "school", estimator="MLR", group_partial=["x3~1"]),
            path_equality(SEM_MODEL, data, "school"))


def test_serial_ladder_is_lavaans(serial):
    """Each constrained level starts from the configural estimates (before, from the level below):
    still lavaan's numbers. tests/reference/invariance_reference.json (lavaan 0.6.14, HS by
    school, ML): lavTestLRT's chi-square differences, 1e-6 relative (Fisher scoring stops at a
    gradient below 1e-9, so the start leaves them unchanged far below that)."""
    ml = serial[0]
    for lv in ml.levels[1:]:
        assert lv.result.converged
        assert lv.delta["chisq"] == pytest.approx(REF["hs_ml"]["lrt"][lv.level]["chisq_diff"], rel=1e-6), lv.level


def test_two_worker_processes_give_identical_results(serial, monkeypatch):
    monkeypatch.setattr(parallel, "ProcessPoolExecutor", CountingPool)
    CountingPool.made = []
    data = holzinger_swineford()
    ml = measurement_invariance(HS_MODEL, data, "school", jobs=2)
    mlr = measurement_invariance(HS_MODEL, data, "school", estimator="MLR", group_partial=["x3~1"], jobs=2)
    paths = path_equality(SEM_MODEL, data, "school", jobs=2)
    assert CountingPool.made == [2, 2, 2]  # the ML and MLR ladders (three levels each), the two constrained paths
    _same_invariance(serial[0], ml)
    _same_invariance(serial[1], mlr)
    _same_paths(serial[2], paths)


def test_a_dask_local_cluster_gives_identical_results(serial):
    pytest.importorskip("dask.distributed")
    data = holzinger_swineford()
    with parallel.dask_executor("local", workers=2) as dask:
        executor = CountingExecutor(dask)
        ml = measurement_invariance(HS_MODEL, data, "school", executor=executor)
        paths = path_equality(SEM_MODEL, data, "school", executor=executor)
    assert executor.calls == [3, 2]  # metric, scalar, strict; the two constrained paths
    _same_invariance(serial[0], ml)
    _same_paths(serial[2], paths)


def test_the_whole_group_comparison_is_identical_with_two_jobs(monkeypatch):
    """Through analyze(): the invariance levels, the path tests and the groups' own models."""
    keys = ("invariance", "groups", "group_comparison")
    one = loyaltysurvey.analyze(hs_questionnaire(), holzinger_swineford(), method="cb", group="school").to_json()
    monkeypatch.setattr(parallel, "ProcessPoolExecutor", CountingPool)
    CountingPool.made = []
    two = loyaltysurvey.analyze(hs_questionnaire(), holzinger_swineford(), method="cb", group="school",
                                jobs=2).to_json()
    assert CountingPool.made.count(2) >= 3  # levels, paths, the two groups' own models
    executor = CountingExecutor(InProcess())
    three = loyaltysurvey.analyze(hs_questionnaire(), holzinger_swineford(), method="cb", group="school",
                                  executor=executor).to_json()
    assert executor.calls == [3, 3, 2]  # metric/scalar/strict, the three paths, the two groups' own models
    for key in keys:
        assert json.dumps(one[key], sort_keys=True) == json.dumps(two[key], sort_keys=True), key
        assert json.dumps(one[key], sort_keys=True) == json.dumps(three[key], sort_keys=True), key
