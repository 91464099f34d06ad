"""Column names of the tables the Python API returns, documented once.

``results.json`` names every quantity with underscores (``ci_lower``,
``std_all``, CONTRACT's keys); the pandas DataFrames that the Python API
returns use the same names in lavaan's and seminr's dotted style, so that a
table reads like ``parameterEstimates()``:

=================  ====================================================
``est``            the estimate
``se``             standard error (bootstrap SD when resampled)
``z`` / ``t``      est / se: ``z`` for CB-SEM (normal), ``t`` for PLS-SEM
``pvalue``         two-sided p-value of ``z`` (normal) or ``t`` (t with B - 1 df)
``ci.lower/upper`` 95 % interval: Wald, or bootstrap percentile when resampled
``ci.bc.*``        bias-corrected bootstrap interval (lavaan ``bca.simple``)
``ci.bca.*``       BCa bootstrap interval (jackknife acceleration)
``std.all``        completely standardized estimate (lavaan ``std.all``)
``std.ci.*``       percentile interval of ``std.all``
=================  ====================================================
"""

from __future__ import annotations

import pandas as pd

__all__ = ["dotted", "dotted_columns"]


def dotted(name: str) -> str:
    """``ci_lower`` -> ``ci.lower``: the DataFrame name of a results.json key.

    >>> dotted("std_ci_lower")
    'std.ci.lower'
    """
    return name.replace("_", ".")


def dotted_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` with its columns in the API's dotted style."""
    return frame.rename(columns={c: dotted(c) for c in frame.columns if isinstance(c, str)})
