"""Descriptive statistics of items, constructs and demographics.

Skewness and kurtosis are SPSS's bias-corrected G1 and excess G2 (psych
``describe(type = 2)``), checked against R psych on bfi. Standard deviations
use n - 1. Frequencies follow SPSS's layout: frequency, percent of all
respondents, valid percent and cumulative percent.
"""

from __future__ import annotations

import math
from typing import Any, Iterable

import numpy as np
import pandas as pd

__all__ = ["describe", "skewness", "kurtosis", "scale_distribution", "frequency_table", "multiple_response_table",
           "MULTIPLE_RESPONSE_COLUMNS", "MAX_CATEGORIES", "band_of_each", "banded", "banded_frequency_table", "nice_edges", "numeric_answers"]


def _moments(x: np.ndarray) -> tuple[float, float, float]:
    """The central moments ``m2, m3, m4`` (divided by n)."""
    d = x - x.mean()
    d2 = d * d
    return float(d2.mean()), float((d2 * d).mean()), float((d2 * d2).mean())


def skewness(x: np.ndarray) -> float:
    """Bias-corrected sample skewness G1 (SPSS; psych ``describe(type = 2)``), NaNs dropped.

    ``G1 = g1 sqrt(n (n - 1)) / (n - 2)`` with ``g1 = m3 / m2^(3/2)`` and
    ``m_r = sum (x_i - mean)^r / n`` (type 2 of Joanes & Gill, 1998; scipy's
    ``skew(bias=False)``). NaN with fewer than three values or no spread.
    Checked against R psych 2.2.9 ``describe(type = 2)`` (through :func:`describe`)
    in tests/test_reliability.py.

    References: Joanes & Gill (1998).

    >>> round(skewness(np.array([1, 2, 2, 3, 3, 3, 4, 5, 5, 5])), 3)
    -0.076
    >>> skewness(np.array([4.0, 4.0, 4.0]))
    nan
    """
    x = np.asarray(x, dtype=float)
    x = x[~np.isnan(x)]
    if x.size < 3 or np.ptp(x) == 0:
        return float("nan")
    n = x.size
    m2, m3, _ = _moments(x)
    return float(np.sqrt((n - 1.0) * n) / (n - 2.0) * m3 / m2 ** 1.5)


def kurtosis(x: np.ndarray) -> float:
    """Bias-corrected excess kurtosis G2 (SPSS; psych ``describe(type = 2)``), NaNs dropped.

    ``G2 = (n - 1) / ((n - 2)(n - 3)) ((n + 1) g2 + 6)`` with ``g2 = m4 / m2^2 - 3``
    and ``m_r = sum (x_i - mean)^r / n`` (type 2 of Joanes & Gill, 1998; scipy's
    ``kurtosis(fisher=True, bias=False)``); 0 for a normal distribution. NaN with fewer
    than four values or no spread. Checked against R psych 2.2.9 ``describe(type = 2)``
    (through :func:`describe`) in tests/test_reliability.py.

    References: Joanes & Gill (1998).

    >>> round(kurtosis(np.array([1, 2, 2, 3, 3, 3, 4, 5, 5, 5])), 3)
    -1.155
    """
    x = np.asarray(x, dtype=float)
    x = x[~np.isnan(x)]
    if x.size < 4 or np.ptp(x) == 0:
        return float("nan")
    n = x.size
    m2, _, m4 = _moments(x)
    return float(1.0 / (n - 2) / (n - 3) * ((n * n - 1.0) * m4 / m2 ** 2.0 - 3 * (n - 1) ** 2.0))


def describe(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per column: n, missing, mean, sd, min, max, median, skewness, kurtosis and their SEs.

    Missing values are dropped per column; ``n`` counts the answers, ``missing`` the
    empty cells. ``sd`` uses ``n - 1``; ``skewness`` and ``kurtosis`` are
    :func:`skewness` (G1) and :func:`kurtosis` (G2), with SPSS's standard errors
    ``skewness_se = sqrt(6 n (n - 1) / ((n - 2)(n + 1)(n + 3)))`` and
    ``kurtosis_se = 2 skewness_se sqrt((n^2 - 1) / ((n - 3)(n + 5)))``.

    ``n``, ``mean``, ``sd``, ``skewness`` and ``kurtosis`` are checked against R psych
    2.2.9 ``describe(type = 2)`` on bfi and the bundled example in
    tests/test_reliability.py; min, max, median and the two standard errors are
    those formulas by definition (not compared with a reference).

    >>> from loyaltysurvey.datasets import holzinger_swineford
    >>> d = describe(holzinger_swineford()[["x1", "x2", "x3"]])
    >>> list(d.columns)
    ['n', 'missing', 'mean', 'sd', 'min', 'max', 'median', 'skewness', 'skewness_se', 'kurtosis', 'kurtosis_se']
    >>> d.loc["x1", ["n", "mean", "sd", "skewness", "kurtosis"]].round(3).tolist()
    [301.0, 4.936, 1.167, -0.257, 0.355]
    >>> round(float(d.loc["x1", "skewness_se"]), 3), round(float(d.loc["x1", "kurtosis_se"]), 3)
    (0.14, 0.28)
    """
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
    """Percent of answered cells at each scale point, per column (rows: columns, columns: points).

    ``100 * #(x == point) / #(x answered)``; missing cells are left out of the
    denominator, so a row sums to 100 when every answer is one of ``points``. Checked
    against a direct numpy count in tests/test_descriptives.py (by definition; there is
    no reference implementation to compare with).

    >>> answers = pd.DataFrame({"q1": [1, 2, 2, 5, np.nan], "q2": [4, 4, 5, 5, 3]})
    >>> table = scale_distribution(answers, range(1, 6))
    >>> table.loc["q1"].tolist()
    [25.0, 50.0, 0.0, 0.0, 25.0]
    >>> table.loc["q2"].tolist()
    [0.0, 0.0, 20.0, 40.0, 40.0]
    """
    points = list(points)
    out = {}
    for name in frame.columns:
        x = frame[name].dropna()
        n = len(x)
        out[name] = [100.0 * float((x == p).sum()) / n if n else np.nan for p in points]
    return pd.DataFrame(out, index=points).T


def frequency_table(values: pd.Series, order: Iterable[str] | None = None) -> pd.DataFrame:
    """SPSS-style frequency table of one categorical column (codes as text).

    Columns ``value, frequency, percent, valid_percent, cumulative_percent``, as SPSS's
    FREQUENCIES lays them out: ``percent = 100 f / N`` over all rows,
    ``valid_percent = 100 f / N_valid`` over the answered rows, and the cumulative valid
    percent. Codes listed in ``order`` come first (also when nobody chose them), then the
    others in natural order (numbers by value, then text); a last row counts the missing
    answers, when there are any. Checked against pandas ``value_counts`` in
    tests/test_descriptives.py (by definition; no SPSS output is compared).

    >>> t = frequency_table(pd.Series(["1", "2", "2", None, "1", "2"]))
    >>> t["value"].tolist(), t["frequency"].tolist()  # the last row: no answer
    (['1', '2', None], [2, 3, 1])
    >>> t[["percent", "valid_percent", "cumulative_percent"]].round(1).values.tolist()[:2]
    [[33.3, 40.0, 40.0], [50.0, 60.0, 100.0]]
    """
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
    table = pd.DataFrame(rows)
    if rows:  # an object column, so that the no-answer row's value stays None (not a string column's NaN)
        table["value"] = pd.Series([r["value"] for r in rows], dtype=object, index=table.index)
    return table


def _natural(value: str) -> tuple:
    try:
        return (0, float(value), "")
    except (TypeError, ValueError):
        return (1, 0.0, str(value))


#: The columns of a multiple-response table (:func:`multiple_response_table`); ``row`` tells its
#: kind of row apart, and ``percent_of_respondents`` marks the table as one (a single-answer
#: frequency table has ``percent`` and ``valid_percent`` instead).
MULTIPLE_RESPONSE_COLUMNS = ("value", "row", "frequency", "responses", "percent_of_respondents",
                             "percent_of_responses")


def multiple_response_table(values: pd.Series, order: Iterable[str] | None = None,
                            separator: str = ";") -> pd.DataFrame:
    """Multiple-response frequency table of one multi-select (checkbox) question.

    ``values`` holds each respondent's chosen codes joined by ``separator`` (as ingestion stores
    a ``multiple`` demographic), missing when they chose nothing. Columns
    (:data:`MULTIPLE_RESPONSE_COLUMNS`), as SPSS's MULT RESPONSE lays them out:

    * ``row = "option"``, one per option (``value`` its code): ``frequency`` the respondents who
      chose it (equal to ``responses``, its choices), ``percent_of_respondents = 100 f / N``
      over the respondents who chose at least one option (these add up to more than 100) and
      ``percent_of_responses = 100 f / C`` over all choices made (these add up to 100). Options
      listed in ``order`` come first (also when nobody chose them), in that order; the others
      follow by frequency, most chosen first (ties in natural order). A code given twice in one
      cell counts once.
    * ``row = "no_answer"`` (``value`` None), only when someone chose nothing: ``frequency``
      those respondents; no responses and no percentages (they are outside both bases).
    * ``row = "total"`` (``value`` None): ``frequency = N`` (respondents answering),
      ``responses = C``, ``percent_of_respondents = 100 C / N`` (100 times the mean number of
      choices) and ``percent_of_responses = 100``.

    Checked in tests/test_multiselect.py against counts made with pandas ``str.split`` and
    ``explode`` (by definition; no SPSS output is compared).

    >>> t = multiple_response_table(pd.Series(["1;2", "2", None, "2;3"]), order=["1", "2", "3"])
    >>> t["row"].tolist(), t["frequency"].tolist()
    (['option', 'option', 'option', 'no_answer', 'total'], [1, 3, 1, 1, 3])
    >>> t["percent_of_respondents"].round(1).tolist()[:3], t["percent_of_responses"].round(1).tolist()[:3]
    ([33.3, 100.0, 33.3], [20.0, 60.0, 20.0])
    >>> int(t["responses"].iloc[-1]), round(float(t["percent_of_respondents"].iloc[-1]), 1)
    (5, 166.7)
    """
    answering = 0
    counts: dict[str, int] = {}
    for cell, n in values.dropna().value_counts(sort=False).items():  # once per distinct cell
        options = {p for p in str(cell).split(separator) if p}
        if options:
            answering += int(n)
            for option in options:
                counts[option] = counts.get(option, 0) + int(n)
    responses = sum(counts.values())
    codes = [str(c) for c in order] if order is not None else []
    codes += sorted((c for c in counts if c not in codes), key=lambda c: (-counts[c], _natural(c)))
    rows = []
    for code in codes:
        f = counts.get(code, 0)
        rows.append({"value": code, "row": "option", "frequency": f, "responses": f,
                     "percent_of_respondents": 100.0 * f / answering if answering else np.nan,
                     "percent_of_responses": 100.0 * f / responses if responses else np.nan})
    missing = len(values) - answering
    if missing:
        rows.append({"value": None, "row": "no_answer", "frequency": missing, "responses": 0,
                     "percent_of_respondents": np.nan, "percent_of_responses": np.nan})
    rows.append({"value": None, "row": "total", "frequency": answering, "responses": responses,
                 "percent_of_respondents": 100.0 * responses / answering if answering else np.nan,
                 "percent_of_responses": 100.0 if responses else np.nan})
    return pd.DataFrame(rows, columns=list(MULTIPLE_RESPONSE_COLUMNS))


#: A demographic without coded ``values`` whose answers are all numbers is tabulated in bands
#: (:func:`banded_frequency_table`) once it has more distinct answers than this (an age in years,
#: an income typed as a number); with this many or fewer each answer keeps its own row.
MAX_CATEGORIES = 12

#: The most bands an automatic banding makes (:func:`nice_edges`).
MAX_BANDS = 8


def numeric_answers(values: pd.Series) -> np.ndarray | None:
    """The answered cells of ``values`` as floats, or ``None`` when any of them is not a number.

    >>> numeric_answers(pd.Series(["18", None, "40.5"])).tolist(), numeric_answers(pd.Series(["18", "old"]))
    ([18.0, 40.5], None)
    """
    answered = values.dropna()
    numbers = pd.to_numeric(answered.astype(str), errors="coerce")
    if numbers.isna().any() or not np.isfinite(numbers.to_numpy(dtype=float)).all():
        return None
    return numbers.to_numpy(dtype=float)


def nice_edges(numbers: np.ndarray, max_bands: int = MAX_BANDS) -> tuple[float, ...]:
    """Band edges at the multiples of the smallest round width (1, 2 or 5 times a power of ten)
    that cuts the range of ``numbers`` into at most ``max_bands`` bands: the first band holds the
    answers below the first edge, the last those at or above the last edge.

    >>> nice_edges(np.array([18.0, 27, 35, 52, 78]))  # ages: under 20, 20-29, ..., 70 and over
    (20.0, 30.0, 40.0, 50.0, 60.0, 70.0)
    >>> nice_edges(np.array([0.4, 1.1, 2.9]))
    (0.5, 1.0, 1.5, 2.0, 2.5)
    """
    low, high = float(np.min(numbers)), float(np.max(numbers))
    if high <= low:
        return ()
    power = 10.0 ** math.floor(math.log10((high - low) / max_bands))
    for step in (1, 2, 5, 10, 20, 50):
        width = step * power
        first = math.floor(low / width) + 1
        edges = [k * width for k in range(first, math.floor(high / width) + 1)]
        if len(edges) + 1 <= max_bands:
            return tuple(float(round(e, 10)) for e in edges)
    return ()  # not reached: a width of ten times the range's tenth leaves at most eight bands


def banded_frequency_table(values: pd.Series, edges: Iterable[float] | None = None) -> tuple[pd.DataFrame, dict]:
    """A numeric demographic (answers are numbers, as text) as an SPSS-style frequency table of
    bands, and a summary of the numbers.

    ``edges`` (increasing) cut the answers into bands ``x < e1``, ``e1 <= x < e2``, ...,
    ``x >= ek`` (SPSS's RECODE ``LO THRU`` / ``THRU HI`` banding); without them
    :func:`nice_edges` chooses round ones. The table has :func:`frequency_table`'s columns, every
    band a row (also an empty one) with ``low`` (``None`` for the first band) and ``high``
    (``None`` for the last) its edges, and ``value`` a language-free label (``<20``, ``20–29``,
    ``≥70`` for whole numbers; ``[20, 30)`` otherwise). The summary holds ``n, mean, sd (n - 1),
    median, min, max``, ``integer`` (every answer a whole number) and the ``edges`` used. Checked
    against numpy's statistics and a count of the bands by hand in tests/test_descriptives.py.

    >>> table, summary = banded_frequency_table(pd.Series(["18", "25", "31", None, "44"]), [20, 30, 40])
    >>> table["value"].tolist(), table["frequency"].tolist()
    (['<20', '20–29', '30–39', '≥40', None], [1, 1, 1, 1, 1])
    >>> summary["n"], summary["mean"], summary["min"], summary["max"]
    (4, 29.5, 18.0, 44.0)
    """
    band, labels, bounds, numbers, cuts, integer = _bands(values, edges)
    table = frequency_table(pd.Series(band, index=values.index, dtype=object), order=labels)
    by_label = dict(zip(labels, zip(*bounds)))
    table.insert(1, "low", pd.Series([by_label.get(v, (None, None))[0] for v in table["value"]], dtype=object))
    table.insert(2, "high", pd.Series([by_label.get(v, (None, None))[1] for v in table["value"]], dtype=object))
    summary = {"n": int(len(numbers)), "mean": float(np.mean(numbers)) if len(numbers) else float("nan"),
               "sd": float(np.std(numbers, ddof=1)) if len(numbers) > 1 else float("nan"),
               "median": float(np.median(numbers)) if len(numbers) else float("nan"),
               "min": float(np.min(numbers)) if len(numbers) else float("nan"),
               "max": float(np.max(numbers)) if len(numbers) else float("nan"),
               "integer": integer, "edges": list(cuts)}
    return table, summary


def banded(demographic: Any, values: pd.Series) -> bool:
    """Whether a single-choice demographic's answers are tabulated (and grouped) in bands: it has
    no coded ``values``, every answer is a number, and it has ``bins`` or more than
    :data:`MAX_CATEGORIES` distinct answers."""
    if demographic.values or demographic.multiple:
        return False
    numbers = numeric_answers(values)
    return numbers is not None and (bool(demographic.bins) or len(np.unique(numbers)) > MAX_CATEGORIES)


def band_of_each(values: pd.Series, edges: Iterable[float] | None = None) -> pd.Series:
    """Each answer's band (the ``value`` label of :func:`banded_frequency_table`; None unanswered),
    for comparing the bands as groups."""
    return pd.Series(_bands(values, edges)[0], index=values.index, dtype=object)


def _bands(values: pd.Series, edges: Iterable[float] | None):
    """Each answer's band label, the labels, their ``(lows, highs)``, the numbers, the edges and
    whether every number is whole (see :func:`banded_frequency_table`)."""
    numbers = numeric_answers(values)
    if numbers is None:
        raise ValueError("bands need answers that are all numbers")
    cuts = tuple(sorted(float(e) for e in edges)) if edges is not None else nice_edges(numbers)
    integer = bool(np.all(numbers == np.round(numbers)))
    bounds = [None, *cuts], [*cuts, None]

    def show(x: float) -> str:
        return f"{x:g}"

    labels = []
    for low, high in zip(*bounds):
        if low is None and high is None:
            labels.append("all")
        elif low is None:
            labels.append(f"<{show(high)}")
        elif high is None:
            labels.append(f"≥{show(low)}")
        elif integer and low == round(low) and high == round(high):
            labels.append(f"{show(low)}–{show(high - 1)}")
        else:
            labels.append(f"[{show(low)}, {show(high)})")
    answered = values.notna().to_numpy()
    band = np.full(len(values), None, dtype=object)
    band[answered] = np.array(labels, dtype=object)[np.searchsorted(np.array(cuts), numbers, side="right")]
    return band, labels, bounds, numbers, cuts, integer
