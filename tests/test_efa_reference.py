"""Exploratory factor analysis and parallel analysis against R psych.

Reference: ``tests/reference/efa_reference.json`` from ``tests/reference/make_efa_reference.R``
(R 4.2.2, psych 2.2.9, GPArotation 2022.10.2) on psych's bfi (25 items, complete cases, 2436
rows), HolzingerSwineford1939 x1-x9 (301 rows) and the bundled example as ingest cleans it
(25 items with missing answers: pairwise correlations, n = 300 rows). Tolerances per quantity:

* ``fa()`` loadings 1e-4 absolute (achieved 6e-6), communalities 1e-5 (achieved 7e-6), SS
  loadings and the proportions 1e-4 (achieved 1.1e-5), Phi 1e-4 (achieved 1.2e-6): psych's
  optimiser (R's L-BFGS-B with its default factr) stops a little before the minimum that this
  package's fit reaches, so these differences are psych's, not rounding. Chi-square 1e-5
  relative, RMSEA and TLI 1e-6 absolute (they move with the uniquenesses the same way).
  Columns are compared in psych's order and signs (ordered by variance accounted for, each
  column summing to a positive number), so a different convention fails.
* ``fa.parallel()``: observed component eigenvalues 1e-10 (closed form); observed factor
  eigenvalues (R with one-factor minres communalities on its diagonal) 5e-6 (achieved 1e-6,
  psych's optimiser again). The simulated eigenvalue means come from different random numbers
  than R's, so each must lie within four Monte-Carlo standard errors of psych's mean over 100
  data sets: ``4 sqrt(sd_R^2/100 + sd^2/m)`` with ``sd_R`` psych's standard deviation across
  its data sets, ``sd`` ours and ``m`` our number of data sets (a two-sample comparison: the
  first factor eigenvalue of random data is bimodal, as one-factor fits of psych and of this
  package end in a Heywood case now and then, so its spread differs between samples). The
  suggested numbers of factors and components exactly.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

from loyaltysurvey.analysis.efa import efa, oblimin, parallel_analysis, varimax
from loyaltysurvey.datasets import holzinger_swineford

from conftest import REFERENCE

REF = json.loads((REFERENCE / "efa_reference.json").read_text())


def _data(name: str) -> pd.DataFrame:
    """The items exactly as the R script builds them."""
    if name == "bfi":
        d = pd.read_csv(REFERENCE / "data" / "bfi.csv")
        return d.iloc[:, :25].dropna().reset_index(drop=True)
    if name == "hs":
        return holzinger_swineford()[[f"x{i}" for i in range(1, 10)]]
    d = pd.read_csv(REFERENCE / "data" / "crm_example_clean.csv")
    for item in ("KCF3", "KM2", "LOY4"):
        d[item] = 6 - d[item]
    return d[[c for c in d.columns if c[-1].isdigit() and c.rstrip("0123456789") in
              ("KCF", "CRMO", "KM", "TECH", "SAT", "LOY")]]


def test_reference_versions():
    assert REF["versions"]["psych"] == "2.2.9"
    assert REF["versions"]["GPArotation"] == "2022.10.2"


@pytest.mark.parametrize("case", sorted(REF["fits"]))
def test_fa_matches_psych(case):
    ref = REF["fits"][case]
    data = _data(case.split("_")[0])
    assert list(data.columns) == ref["items"]
    fit = efa(data, ref["nfactors"], method=ref["fm"], rotation=ref["rotate"])
    assert fit.converged
    assert fit.n_obs == ref["n_obs"]
    loadings = np.array([ref["loadings"][i] for i in ref["items"]])
    np.testing.assert_allclose(fit.loadings.to_numpy(), loadings, rtol=0, atol=1e-4)
    np.testing.assert_allclose(fit.communalities.to_numpy(), ref["communality"], rtol=0, atol=1e-5)
    np.testing.assert_allclose(fit.uniquenesses.to_numpy(), ref["uniquenesses"], rtol=0, atol=1e-5)
    v = ref["vaccounted"]
    np.testing.assert_allclose(fit.variance.loc["ss_loadings"], v["SS loadings"], rtol=0, atol=1e-4)
    np.testing.assert_allclose(fit.variance.loc["proportion"], v["Proportion Var"], rtol=0, atol=1e-5)
    if ref["nfactors"] > 1:
        np.testing.assert_allclose(fit.variance.loc["cumulative"], v["Cumulative Var"], rtol=0, atol=1e-5)
        np.testing.assert_allclose(fit.variance.loc["proportion_explained"], v["Proportion Explained"],
                                   rtol=0, atol=1e-5)
    if ref.get("phi") is not None:
        phi = np.array([ref["phi"][f] for f in ref["factors"]])
        np.testing.assert_allclose(fit.phi.to_numpy(), phi, rtol=0, atol=1e-4)
    else:
        assert fit.phi is None
    np.testing.assert_allclose(fit.eigenvalues, ref["e_values"], rtol=0, atol=1e-10)
    assert fit.dof == ref["dof"]
    assert fit.chisq == pytest.approx(ref["chisq"], rel=1e-5)
    assert fit.rmsea == pytest.approx(ref["rmsea"], abs=1e-6)
    assert fit.tli == pytest.approx(ref["tli"], abs=1e-6)
    assert fit.pvalue == pytest.approx(ref["pvalue"], rel=1e-3, abs=1e-300)


def _parallel_checks(pa, ref):
    np.testing.assert_allclose(pa.observed_pc, ref["pc_values"], rtol=0, atol=1e-10)
    np.testing.assert_allclose(pa.observed_fa, ref["fa_values"], rtol=0, atol=5e-6)
    m = pa.iterations
    for ours, theirs, sd, our_sd in ((pa.simulated_pc, ref["pc_sim"], ref["pc_sim_sd"], pa.sd_pc),
                                     (pa.simulated_fa, ref["fa_sim"], ref["fa_sim_sd"], pa.sd_fa)):
        se = np.sqrt(np.square(sd) / ref["n_iter"] + np.square(our_sd) / m)
        z = np.abs(ours - np.asarray(theirs)) / se
        assert z.max() < 4, z


def test_parallel_bfi_psych_defaults():
    """psych's defaults (20 iterations): 6 factors and 5 components on bfi's complete cases."""
    pa = parallel_analysis(_data("bfi"), iterations=20, seed=20261130)
    assert (pa.n_factors, pa.n_components) == (REF["parallel"]["bfi_default"]["nfact"],
                                               REF["parallel"]["bfi_default"]["ncomp"]) == (6, 5)
    _parallel_checks(pa, REF["parallel"]["bfi"])
    assert pa.n_obs == 2436 and pa.quantile == 0.95


def test_parallel_full_bfi_with_missing_answers():
    """All 2800 rows with their missing answers (pairwise correlations, n = 2800 simulated rows):
    psych's defaults say 6 factors and 6 components. psych's run has 20 data sets, so the
    simulated means are compared within four standard errors of two 20-set means."""
    ref = REF["parallel"]["bfi_full"]
    data = pd.read_csv(REFERENCE / "data" / "bfi.csv").iloc[:, :25]
    pa = parallel_analysis(data, iterations=20, seed=5)
    assert pa.n_obs == ref["n_obs"] == 2800
    assert (pa.n_factors, pa.n_components) == (ref["nfact"], ref["ncomp"]) == (6, 6)
    _parallel_checks(pa, ref)


@pytest.mark.parametrize("case", ["hs", "crm"])
def test_parallel_matches_psych(case):
    ref = REF["parallel"][case]
    pa = parallel_analysis(_data(case), iterations=40, seed=7)
    _parallel_checks(pa, ref)
    assert (pa.n_factors, pa.n_components) == (ref["nfact"], ref["ncomp"])


def test_parallel_is_seeded_and_chunked_alike():
    """Same seed, same numbers, whether the data sets are drawn in one chunk or several."""
    hs = _data("hs")
    one = parallel_analysis(hs, iterations=6, seed=3)
    several = parallel_analysis(hs, iterations=6, seed=3, chunk_values=2 * 301 * 9)
    np.testing.assert_array_equal(one.simulated_pc, parallel_analysis(hs, iterations=6, seed=3).simulated_pc)
    np.testing.assert_allclose(one.simulated_pc, several.simulated_pc, rtol=0, atol=1e-12)
    np.testing.assert_allclose(one.simulated_fa, several.simulated_fa, rtol=0, atol=1e-9)


def test_varimax_maximises_the_criterion():
    """Definition check: the varimax criterion at the answer beats it at nearby rotations."""
    fit = efa(_data("hs"), 3, rotation="none")
    a = fit.loadings.to_numpy()
    rotated, rot = varimax(a)
    np.testing.assert_allclose(rot.T @ rot, np.eye(3), atol=1e-12)
    np.testing.assert_allclose(rotated @ rotated.T, a @ a.T, atol=1e-12)

    def crit(lam):
        h = np.sqrt(np.sum(a ** 2, axis=1))[:, None]
        x = (lam / h) ** 2
        return float(np.sum(np.var(x, axis=0)))

    best = crit(rotated)
    for angle in (0.01, -0.01):
        c, s = math.cos(angle), math.sin(angle)
        g = np.array([[c, -s, 0], [s, c, 0], [0, 0, 1]])
        assert crit(rotated @ g) < best


def test_oblimin_reproduces_the_correlations():
    """Definition check: pattern times Phi times pattern' is the unrotated L L' (an oblique rotation)."""
    fit = efa(_data("hs"), 3, rotation="none")
    a = fit.loadings.to_numpy()
    lam, phi, converged = oblimin(a)
    assert converged
    np.testing.assert_allclose(np.diag(phi), 1.0, atol=1e-12)
    np.testing.assert_allclose(lam @ phi @ lam.T, a @ a.T, atol=1e-10)


def test_bad_arguments():
    hs = _data("hs")
    with pytest.raises(ValueError, match="n_factors"):
        efa(hs, 9)
    with pytest.raises(ValueError, match="method"):
        efa(hs, 2, method="pa")
    with pytest.raises(ValueError, match="rotation"):
        efa(hs, 2, rotation="promax")


def test_batched_one_factor_fits_equal_the_single_fits():
    """The simulated factor eigenvalues: the batched Newton fits reach the minimum each single
    L-BFGS-B fit reaches (1e-7 in the eigenvalues) wherever it is interior; at a Heywood case
    (a uniqueness at psych's bound .005) both are minima of a flat criterion, and the
    eigenvalues may differ by a few thousandths. With no Newton steps allowed every matrix
    falls back to the single fit."""
    from loyaltysurvey.analysis.efa import _fit_unrotated, _one_factor_values, _one_factor_values_batch
    rng = np.random.default_rng(8)
    x = rng.standard_normal((12, 300, 9))
    x -= x.mean(axis=1, keepdims=True)
    c = np.matmul(x.transpose(0, 2, 1), x)
    d = np.sqrt(np.diagonal(c, axis1=1, axis2=2))
    c /= d[:, :, None] * d[:, None, :]
    single = np.array([_one_factor_values(r) for r in c])
    heywood = np.array([np.max(_fit_unrotated(r, 1, "minres")[0] ** 2) > 0.99 for r in c])
    assert (~heywood).sum() >= 6
    batch = _one_factor_values_batch(c)
    np.testing.assert_allclose(batch[~heywood], single[~heywood], rtol=0, atol=1e-7)
    np.testing.assert_allclose(batch[heywood], single[heywood], rtol=0, atol=1e-2)
    np.testing.assert_array_equal(_one_factor_values_batch(c, max_iter=0), single)


def test_correlations_with_holes_are_a_data_error():
    from loyaltysurvey.errors import DataError
    hs = _data("hs").copy()
    hs["x2"] = 1.0
    with pytest.raises(DataError, match="without variance"):
        efa(hs, 2)
    with pytest.raises(DataError, match="without variance"):
        parallel_analysis(hs, iterations=2, seed=1)
