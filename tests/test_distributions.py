"""loyaltysurvey.distributions against scipy.stats, which it replaces (same scipy.special calls).

Equal to 1e-14 relative on values inside the support, and the same answer outside it (0, 1 or
NaN), for scalars and arrays.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from loyaltysurvey import distributions as d

X = [-np.inf, -40.0, -3.5, -1.0, -1e-300, 0.0, 1e-12, 0.3, 1.0, 1.96, 3.841, 7.5, 25.0, 85.306, 400.0, np.inf,
     np.nan]
Q = [0.0, 1e-12, 0.025, 0.5, 0.975, 1.0 - 1e-12, 1.0, -0.1, 1.1, np.nan]
DF = [0.0, -1.0, 0.5, 1.0, 3.0, 24.0, 419.0, np.nan]


def _same(ours, theirs) -> None:
    ours, theirs = np.asarray(ours, dtype=float), np.asarray(theirs, dtype=float)
    assert ours.shape == theirs.shape
    np.testing.assert_allclose(ours, theirs, rtol=1e-14, atol=0, equal_nan=True)


def test_normal():
    _same(d.norm_cdf(X), stats.norm.cdf(X))
    _same(d.norm_sf(X), stats.norm.sf(X))
    _same(d.norm_ppf(Q), stats.norm.ppf(Q))
    assert isinstance(d.norm_sf(1.96), np.floating) and isinstance(d.norm_ppf(0.975), np.floating)


@pytest.mark.parametrize("df", DF)
def test_chi_square(df):
    _same(d.chi2_cdf(X, df), stats.chi2.cdf(X, df))
    _same(d.chi2_sf(X, df), stats.chi2.sf(X, df))
    assert isinstance(d.chi2_sf(3.0, df), np.floating)
    if df > 0:
        P = np.array([1e-9, 0.001, 0.05, 0.5, 0.95])
        _same(d.chi2_isf(P, df), stats.chi2.isf(P, df))


@pytest.mark.parametrize("nc", [0.0, 1e-9, 0.5, 12.0, 250.0, -1.0])
@pytest.mark.parametrize("df", [0.0, 1.0, 24.0, 300.0])
def test_noncentral_chi_square(df, nc):
    _same(d.ncx2_cdf(X, df, nc), stats.ncx2.cdf(X, df, nc))



@pytest.mark.parametrize("x, df", [(85.306, 24), (30.0, 24), (3.2, 1), (500.0, 100), (1000.5, 300), (2e4, 100),
                                   (1e5, 10), (0.5, 3)])
@pytest.mark.parametrize("p", [0.95, 0.5, 0.05])
def test_noncentrality_solves_the_cdf_as_root_finding_does(x, df, p):
    """The inverse in the noncentrality (RMSEA's interval) against brentq on scipy.stats.ncx2.cdf,
    the way lavaan solves R's pchisq; NaN where even the central CDF is below p."""
    from scipy import optimize
    ours = float(d.ncx2_noncentrality(x, df, p))
    if stats.chi2.cdf(x, df) < p:
        assert np.isnan(ours)
        return
    f = lambda nc: stats.ncx2.cdf(x, df, nc) - p if nc > 0 else stats.chi2.cdf(x, df) - p  # noqa: E731
    hi = max(x, 1.0)
    while f(hi) > 0:
        hi *= 2
    root = optimize.brentq(f, 0.0, hi, xtol=1e-12, rtol=1e-12, maxiter=500)
    assert ours == pytest.approx(root, rel=1e-9, abs=1e-9)


def test_noncentrality_outside_the_support_is_nan():
    assert np.isnan(d.ncx2_noncentrality(-1.0, 3, 0.5)) and np.isnan(d.ncx2_noncentrality(5.0, 0, 0.5))
    assert np.isnan(d.ncx2_noncentrality(5.0, 3, 1.0)) and np.isnan(d.ncx2_noncentrality(5.0, 3, 0.0))

@pytest.mark.parametrize("df", DF)
def test_t(df):
    _same(d.t_sf(X, df), stats.t.sf(X, df))


@pytest.mark.parametrize("dfn, dfd", [(419, 1257), (1, 1), (0.5, 3), (10, 20), (0, 5), (5, -1)])
def test_f_quantiles(dfn, dfd):
    _same(d.f_ppf(Q, dfn, dfd), stats.f.ppf(Q, dfn, dfd))


def test_ranks_as_scipy_ranks_them():
    """The Wilcoxon and Friedman tests' ranks (loyaltysurvey.analysis.location) equal scipy's rankdata,
    ties included: five-point answers are mostly ties."""
    from loyaltysurvey.analysis.location import _ranks

    rng = np.random.default_rng(7)
    for _ in range(50):
        x = rng.integers(1, 6, size=int(rng.integers(1, 60))).astype(float) / rng.choice([1.0, 3.0])
        for method in ("average", "min", "max"):
            np.testing.assert_array_equal(_ranks(x, method), stats.rankdata(x, method=method))
        y = rng.integers(1, 4, size=(int(rng.integers(1, 30)), int(rng.integers(2, 7)))).astype(float)
        for method in ("average", "min", "max"):
            np.testing.assert_array_equal(_ranks(y, method), stats.rankdata(y, axis=1, method=method))
