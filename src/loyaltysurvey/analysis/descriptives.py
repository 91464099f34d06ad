"""Descriptive statistics of items, constructs and demographics.

Skewness and kurtosis are SPSS's bias-corrected G1 and excess G2 (psych
``describe(type = 2)``), checked against R psych on bfi. Standard deviations
use n - 1. Frequencies follow SPSS's layout: frequency, percent of all
respondents, valid percent and cumulative percent.
"""

from __future__ import annotations

from typing import Iterable

import numpy as np
import pandas as pd
from scipy import stats

__all__ = ["describe", "skewness", "kurtosis", "scale_distribution", "frequency_table"]


def skewness(x: np.ndarray) -> float:
    """Bias-corrected sample skewness G1 (SPSS; psych ``describe(type = 2)``)."""
    x = np.asarray(x, dtype=float)
    x = x[~np.isnan(x)]
    if x.size < 3 or np.ptp(x) == 0:
        return float("nan")
    return float(stats.skew(x, bias=False))


def kurtosis(x: np.ndarray) -> float:
    """Bias-corrected excess kurtosis G2 (SPSS; psych ``describe(type = 2)``)."""
    x = np.asarray(x, dtype=float)
    x = x[~np.isnan(x)]
    if x.size < 4 or np.ptp(x) == 0:
        return float("nan")
    return float(stats.kurtosis(x, fisher=True, bias=False))


def describe(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per column: n, missing, mean, sd, min, max, median, skewness, kurtosis and their SEs."""
    rows = []
    for name in frame.columns:
        x = frame[name].to_numpy(dtype=float)
        v = x[~np.isnan(x)]
        n = v.size
        se_skew = np.sqrt(6 * n * (n - 1) / ((n - 2) * (n + 1) * (n + 3))) if n > 2 else np.nan
        se_kurt = 2 * se_skew * np.sqrt((n * n - 1) / ((n - 3) * (n + 5))) if n > 3 else np.nan
        rows.append({
            "variable": name, "n": n, "missing": int(x.size - n),
            "mean": float(v.mean()) if n else np.nan,
            "sd": float(v.std(ddof=1)) if n > 1 else np.nan,
            "min": float(v.min()) if n else np.nan, "max": float(v.max()) if n else np.nan,
            "median": float(np.median(v)) if n else np.nan,
            "skewness": skewness(v), "skewness_se": float(se_skew),
            "kurtosis": kurtosis(v), "kurtosis_se": float(se_kurt),
        })
    return pd.DataFrame(rows).set_index("variable")


def scale_distribution(frame: pd.DataFrame, points: Iterable[int]) -> pd.DataFrame:
    """Percent of answered cells at each scale point, per column."""
    points = list(points)
    out = {}
    for name in frame.columns:
        x = frame[name].dropna()
        n = len(x)
        out[name] = [100.0 * float((x == p).sum()) / n if n else np.nan for p in points]
    return pd.DataFrame(out, index=points).T


def frequency_table(values: pd.Series, order: Iterable[str] | None = None) -> pd.DataFrame:
    """SPSS-style frequency table of one categorical column (codes as text)."""
    total = len(values)
    valid = values.dropna()
    counts = valid.value_counts()
    codes = list(order) if order is not None else []
    codes += sorted((c for c in counts.index if c not in codes), key=_natural)
    rows, cumulative = [], 0.0
    for code in codes:
        f = int(counts.get(code, 0))
        valid_pct = 100.0 * f / len(valid) if len(valid) else np.nan
        cumulative += valid_pct if f else 0.0
        rows.append({"value": code, "frequency": f, "percent": 100.0 * f / total if total else np.nan,
                     "valid_percent": valid_pct, "cumulative_percent": cumulative})
    missing = total - len(valid)
    if missing:
        rows.append({"value": None, "frequency": missing, "percent": 100.0 * missing / total,
                     "valid_percent": np.nan, "cumulative_percent": np.nan})
    return pd.DataFrame(rows)


def _natural(value: str) -> tuple:
    try:
        return (0, float(value), "")
    except (TypeError, ValueError):
        return (1, 0.0, str(value))
