"""PLS path coefficients on the ECSI mobi data equal the published SmartPLS/seminr values.

Source: ``../shared/data/README.md`` (Tenenhaus et al., 2005 model; path weighting, mode A,
standardized data), which lists the coefficients to three decimals; we check to 5e-4.
"""

from __future__ import annotations

import pandas as pd
import pytest

from loyaltysurvey.pls.algorithm import PLSSpec, fit_pls

BLOCKS = {"Image": ["IMAG1", "IMAG2", "IMAG3", "IMAG4", "IMAG5"], "Expectation": ["CUEX1", "CUEX2", "CUEX3"],
          "Quality": [f"PERQ{i}" for i in range(1, 8)], "Value": ["PERV1", "PERV2"],
          "Satisfaction": ["CUSA1", "CUSA2", "CUSA3"], "Complaints": ["CUSCO"], "Loyalty": ["CUSL1", "CUSL2", "CUSL3"]}
PUBLISHED = {("Image", "Expectation"): .505, ("Image", "Satisfaction"): .179, ("Image", "Loyalty"): .196,
             ("Expectation", "Quality"): .557, ("Expectation", "Value"): .050, ("Expectation", "Satisfaction"): .063,
             ("Quality", "Value"): .558, ("Quality", "Satisfaction"): .512, ("Value", "Satisfaction"): .195,
             ("Satisfaction", "Complaints"): .528, ("Satisfaction", "Loyalty"): .485, ("Complaints", "Loyalty"): .067}


def test_mobi_paths_match_published(shared_data):
    data = pd.read_csv(shared_data / "mobi.csv")
    columns = [c for block in BLOCKS.values() for c in block]
    index = {c: i for i, c in enumerate(columns)}
    spec = PLSSpec(tuple(BLOCKS), tuple(tuple(index[c] for c in b) for b in BLOCKS.values()),
                   tuple("A" for _ in BLOCKS), tuple(PUBLISHED))
    fit = fit_pls(data[columns].to_numpy(float), spec)
    assert fit.converged
    names = list(BLOCKS)
    for (source, target), value in PUBLISHED.items():
        assert fit.paths[names.index(source), names.index(target)] == pytest.approx(value, abs=5e-4)


@pytest.mark.parametrize("modes", ["A-with-Image-B", "all-reflective"])
def test_batched_pls_equals_single_fits(shared_data, modes):
    import numpy as np
    from loyaltysurvey.pls.batched import fit_pls_batched
    data = pd.read_csv(shared_data / "mobi.csv")
    columns = [c for block in BLOCKS.values() for c in block]
    index = {c: i for i, c in enumerate(columns)}
    modes = (tuple("B" if name == "Image" else "A" for name in BLOCKS) if modes == "A-with-Image-B"
             else tuple("R" for _ in BLOCKS))
    spec = PLSSpec(tuple(BLOCKS), tuple(tuple(index[c] for c in b) for b in BLOCKS.values()), modes,
                   tuple(PUBLISHED))
    X = data[columns].to_numpy(float)
    full = fit_pls(X, spec)
    idx = np.random.default_rng(4).integers(0, len(X), size=(30, len(X)))
    batch = fit_pls_batched(X[idx], spec, full.weights)
    assert batch["ok"].all()
    for k in range(0, 30, 7):
        single = fit_pls(X[idx[k]], spec)
        np.testing.assert_allclose(batch["paths"][k], single.paths, atol=1e-6)
        np.testing.assert_allclose(batch["weights"][k], single.weights, atol=1e-6)
        np.testing.assert_allclose(batch["loadings"][k], single.loadings, atol=1e-6)
