"""Interaction terms in PLS-SEM: product-indicator, orthogonalized and two-stage, as seminr's ``interaction_term()``.

An interaction ``A:B`` in the paths (``CUSA ~ IMAG + CUEX + IMAG:CUEX``) becomes a construct named
``A:B`` measured (mode A) by generated columns:

* ``product_indicator`` (seminr ``interaction_term(method = product_indicator)``; Chin, Marcolin &
  Newsted, 2003): every indicator of ``A`` and of ``B`` standardized (mean 0, SD 1 with n - 1, as
  R's ``scale``), and all pairwise products, named ``a*b`` (``A``'s indicators outer);
* ``orthogonal`` (seminr ``method = orthogonal``; Little, Bovaird & Widaman, 2006; Henseler & Chin,
  2010): the same standardized products, each replaced by its residual from an ordinary least-squares
  regression (with intercept) on all indicators of ``A`` and ``B`` as given, so the interaction
  term is uncorrelated with the main effects' indicators;
* ``two_stage`` (seminr ``method = two_stage``; Henseler & Chin, 2010): stage 1 estimates the
  model without its interaction terms; the product of ``A``'s and ``B``'s standardized construct
  scores is the single indicator (named ``A:B``) of the interaction in stage 2.

The generated columns are computed once from the analysed data (after the missing-data
treatment); bootstrap resamples draw rows of them with the other indicators, so the batched
bootstrap runs unchanged. seminr instead recomputes them in every resample (standardizing within
the resample, and for two-stage re-running stage 1); the two differ by the resampling variation
of those means and SDs (and of the stage-1 weights), well inside the bootstrap's own Monte Carlo
error for the sample sizes PLS-SEM is used with, but not identical.

seminr is not installable here, so the two methods are checked against their definitions in
tests/test_pls_interaction.py: the product indicators against standardized products computed
independently, and the two-stage estimates against stage 1 and stage 2 fitted by hand (scores of
the main-effects model, their product, then the model with that product as an observed column).

References
----------
Chin, W. W., Marcolin, B. L., & Newsted, P. R. (2003). A partial least squares latent variable
modeling approach for measuring interaction effects. Information Systems Research, 14(2), 189-217.
Little, T. D., Bovaird, J. A., & Widaman, K. F. (2006). On the merits of orthogonalizing powered and
product terms: Implications for modeling interactions among latent variables. Structural Equation
Modeling, 13(4), 497-519.
Henseler, J., & Chin, W. W. (2010). A comparison of approaches for the analysis of interaction
effects between latent variables using partial least squares path modeling. Structural Equation
Modeling, 17(1), 82-109.
"""

from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np
import pandas as pd

from ..errors import ModelError
from ..sem.syntax import interaction_parts

__all__ = ["METHODS", "orthogonal_columns", "product_columns", "interaction_terms"]

METHODS = ("product_indicator", "orthogonal", "two_stage")


def interaction_terms(paths: Sequence[tuple[str, str]], constructs: Mapping[str, Sequence[str]]
                      ) -> dict[str, tuple[str, str]]:
    """The interaction sources of ``paths`` (``A:B``) with their two constructs, in order.

    >>> interaction_terms([("A", "Y"), ("A:B", "Y")], {"A": ["a1"], "B": ["b1"], "Y": ["y1"]})
    {'A:B': ('A', 'B')}
    """
    out: dict[str, tuple[str, str]] = {}
    for source, _ in paths:
        parts = interaction_parts(source)
        if parts is None:
            continue
        for side in parts:
            if side not in constructs:
                raise ModelError(f"the interaction '{source}' needs '{side}' to be a construct of the PLS model")
        out[source] = parts
    return out


def _standardize(frame: pd.DataFrame) -> pd.DataFrame:
    return (frame - frame.mean()) / frame.std(ddof=1)


def product_columns(data: pd.DataFrame, left: Sequence[str], right: Sequence[str]) -> pd.DataFrame:
    """The product indicators: standardized ``left`` times standardized ``right`` columns, all pairs.

    >>> d = pd.DataFrame({"a": [1.0, 2, 3], "b": [3.0, 1, 2]})
    >>> product_columns(d, ["a"], ["b"])["a*b"].round(3).tolist()
    [-1.0, -0.0, 0.0]
    """
    A = _standardize(data[list(left)].astype(float))
    B = _standardize(data[list(right)].astype(float))
    return pd.DataFrame({f"{a}*{b}": A[a].to_numpy() * B[b].to_numpy() for a in left for b in right},
                        index=data.index)


def orthogonal_columns(data: pd.DataFrame, left: Sequence[str], right: Sequence[str]) -> pd.DataFrame:
    """The orthogonalized product indicators: each standardized product (:func:`product_columns`)
    minus its least-squares fit (with intercept) on all ``left`` and ``right`` columns as given.

    >>> d = pd.DataFrame({"a": [1.0, 2, 3, 4, 6], "b": [3.0, 1, 2, 5, 4]})
    >>> r = orthogonal_columns(d, ["a"], ["b"])
    >>> bool(abs(r["a*b"].sum()) < 1e-12 and abs((r["a*b"] * d["a"]).sum()) < 1e-12)
    True
    """
    products = product_columns(data, left, right)
    X = np.column_stack([np.ones(len(data)), data[list(left) + list(right)].to_numpy(dtype=float)])
    Y = products.to_numpy(dtype=float)
    coef, *_ = np.linalg.lstsq(X, Y, rcond=None)
    return pd.DataFrame(Y - X @ coef, columns=products.columns, index=data.index)
