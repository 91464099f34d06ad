"""Respondent screening: careless, duplicate, unfinished and outlying responses, flagged or excluded.

Screening decides who is analysed, so it runs inside ingestion, after the rows are read and
before anything is counted for the kept rows: :func:`screen` computes every flag for every
respondent that ingestion would keep, and :func:`~loyaltysurvey.ingest.clean.ingest_table`
excludes the respondents of the flags named in :attr:`ScreeningOptions.exclude` (by default
none: every flag is only reported). Excluded respondents leave ``clean.csv`` and the analyses
but stay in the ledger: under ``excluded`` (row, respondent, reason) and under ``screening``
(per flag its rule, threshold, source, the respondents flagged and whether they were excluded).

The flags (the names ``--exclude`` takes), each computed on the respondents ingestion keeps:

``speeders``
    Completion time below ``speeder_share`` (default 0.5) times the median time, or below
    ``speeder_seconds`` when given (Leiner, 2019: a relative speed index above 2, i.e. faster
    than twice the median pace, marks meaningless data). Needs the ``duration`` metadata.
``longstring``
    The longest run of identical consecutive answers in questionnaire order (Johnson, 2005;
    Curran, 2016; ``careless::longstring``); flagged when longer than ``longstring_max``, by
    default half the number of items rounded up, less one (Curran, 2016, suggests a string of
    half the scale's length as a conservative cut-off). A missing answer ends a run and starts no
    run, as R's ``rle()`` (which ``careless`` uses) never joins NAs.
``irv``
    The intra-individual response variability (Dunn et al., 2018; Curran, 2016;
    ``careless::irv``): the standard deviation (divisor n - 1) of a respondent's answered items;
    flagged when at most ``irv_min`` (default 0: no variation at all), among respondents with at
    least two answers. The ledger's older ``straightliners`` list (kept unchanged) is the special
    case IRV = 0 over at least min(5, items) answers.
``attention``
    An attention check of the questionnaire (``attention: [{item, expect}]``) answered with
    anything but its expected answer, a missing answer included (Meade & Craig, 2012).
``duplicates``
    The same answer to every item (missing where the other is missing) as an earlier
    respondent under a different id, and, where the export has them, the same e-mail and IP
    address; the first in row order is not flagged, the later ones are (``duplicate_of``).
``preview``
    A platform preview or test response (``preview`` metadata true).
``incomplete``
    ``finished`` false or ``progress`` below 100.
``outliers``
    Multivariate outliers: Mahalanobis D² of the complete answers to all items from their mean
    with the sample covariance (divisor n - 1), flagged when its chi-square p-value on as many
    degrees of freedom as items is below ``outlier_p`` (default .001; Tabachnick & Fidell, 2013).
    Respondents with a missing answer get no D².

Every number is kept at full precision in :attr:`Screening.table`. Checked in
tests/test_screening.py against hand computations on data built for each flag, and against R
(``rle()``, ``sd()``, ``mahalanobis()``, ``pchisq()``) on the bundled example and psych's bfi
(tests/reference/make_screening_reference.R).

References: Curran, P. G. (2016). Methods for the detection of carelessly invalid responses in
survey data. JESP, 66, 4-19. Dunn, A. M., et al. (2018). Intra-individual response variability
as an indicator of insufficient effort responding. J. Bus. Psychol., 33, 105-121. Johnson, J. A.
(2005). Ascertaining the validity of individual protocols from web-based personality
inventories. JRP, 39, 103-129. Leiner, D. J. (2019). Too fast, too straight, too weird.
Survey Research Methods, 13(3), 229-248. Meade, A. W., & Craig, S. B. (2012). Identifying
careless responses in survey data. Psychological Methods, 17(3), 437-455. Tabachnick, B. G., &
Fidell, L. S. (2013). Using multivariate statistics (6th ed.). Pearson.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

import numpy as np
import pandas as pd
from ..distributions import chi2_isf, chi2_sf

from ..errors import LoyaltySurveyError

__all__ = ["FLAGS", "REASONS", "ScreeningOptions", "Screening", "FlagResult", "screen", "longstring", "irv",
           "mahalanobis", "duplicate_of"]

#: The screening flags, in the order the ledger and the chapter list them (the names ``--exclude`` takes).
FLAGS = ("speeders", "longstring", "irv", "attention", "duplicates", "preview", "incomplete", "outliers")
#: The ``reason`` an excluded respondent gets in the ledger, per flag.
REASONS = {"speeders": "speeder", "longstring": "longstring", "irv": "low_irv", "attention": "failed_attention",
           "duplicates": "duplicate_answers", "preview": "preview", "incomplete": "incomplete",
           "outliers": "multivariate_outlier"}
#: The method reference of each flag's rule (keys of the locales' ``method_references``); None: a
#: fact of the export, no rule to cite.
SOURCES = {"speeders": "leiner2019", "longstring": "johnson2005", "irv": "curran2016", "attention": "meade_craig2012",
           "duplicates": None, "preview": None, "incomplete": None, "outliers": "tabachnick_fidell2013"}
_CITATIONS = {"leiner2019": "Leiner (2019)", "johnson2005": "Johnson (2005); Curran (2016)",
              "curran2016": "Curran (2016)", "meade_craig2012": "Meade & Craig (2012)",
              "tabachnick_fidell2013": "Tabachnick & Fidell (2013)"}


@dataclass(frozen=True)
class ScreeningOptions:
    """Which flags exclude respondents, and the thresholds of the flags.

    >>> ScreeningOptions.parse("speeders, longstring").exclude
    ('speeders', 'longstring')
    >>> ScreeningOptions(exclude=("fast",))
    Traceback (most recent call last):
    ...
    loyaltysurvey.errors.LoyaltySurveyError: --exclude takes speeders, longstring, irv, attention, duplicates, preview, incomplete, outliers (comma-separated), not 'fast'
    """

    exclude: tuple[str, ...] = ()
    speeder_share: float = 0.5
    speeder_seconds: float | None = None
    longstring_max: int | None = None
    irv_min: float = 0.0
    outlier_p: float = 0.001

    def __post_init__(self) -> None:
        exclude = tuple(self.exclude)
        for name in exclude:
            if name not in FLAGS:
                raise LoyaltySurveyError(f"--exclude takes {', '.join(FLAGS)} (comma-separated), not '{name}'")
        object.__setattr__(self, "exclude", tuple(f for f in FLAGS if f in exclude))
        if not _number(self.speeder_share) or not 0 < self.speeder_share < 1:
            raise LoyaltySurveyError("--speeder-share must lie between 0 and 1 (a share of the median duration)")
        if self.speeder_seconds is not None and (not _number(self.speeder_seconds) or self.speeder_seconds <= 0):
            raise LoyaltySurveyError("--speeder-seconds must be a positive number of seconds")
        if self.longstring_max is not None and (isinstance(self.longstring_max, bool)
                                                or not isinstance(self.longstring_max, int) or self.longstring_max < 1):
            raise LoyaltySurveyError("--longstring-max must be a whole number of at least 1")
        if not _number(self.irv_min) or self.irv_min < 0:
            raise LoyaltySurveyError("--irv-min must be 0 or a positive standard deviation")
        if not _number(self.outlier_p) or not 0 < self.outlier_p < 1:
            raise LoyaltySurveyError("--outlier-p must lie between 0 and 1")

    @staticmethod
    def names(text: str | Iterable[str] | None) -> tuple[str, ...]:
        """The flag names of ``--exclude`` (``"speeders,longstring"`` or a list), checked.

        >>> ScreeningOptions.names("outliers,  speeders"), ScreeningOptions.names(None)
        (('speeders', 'outliers'), ())
        """
        if text is None:
            return ()
        parts = text.split(",") if isinstance(text, str) else list(text)
        return ScreeningOptions(exclude=tuple(p.strip() for p in parts if str(p).strip())).exclude

    @classmethod
    def parse(cls, exclude: str | Iterable[str] | None = None, **thresholds: Any) -> "ScreeningOptions":
        return cls(exclude=cls.names(exclude), **thresholds)


def _number(x: Any) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)


# ------------------------------------------------------------------------------------------ indices
def longstring(answers: np.ndarray) -> np.ndarray:
    """The longest run of identical consecutive answers in each row (``careless::longstring``).

    A missing answer (NaN) breaks a run and is not counted; a row without answers gets 0.

    >>> longstring(np.array([[1, 1, 2, 2, 2, 3], [4, 4, np.nan, 4, 4, 4], [np.nan] * 6]))
    array([3, 3, 0])
    """
    x = np.asarray(answers, dtype=float)
    n, k = x.shape
    best = np.zeros(n, dtype=np.int64)
    if k == 0:
        return best
    run = (~np.isnan(x[:, 0])).astype(np.int64)
    best = run.copy()
    same = np.empty(n, dtype=bool)
    for j in range(1, k):
        np.equal(x[:, j], x[:, j - 1], out=same)  # False whenever either is NaN
        # a run goes on where the answer repeats, else restarts at 1 (an answer) or 0 (none)
        run += 1
        run *= same
        np.maximum(run, ~np.isnan(x[:, j]), out=run)
        np.maximum(best, run, out=best)
    return best


def irv(answers: np.ndarray) -> np.ndarray:
    """The standard deviation (divisor n - 1) of each row's answered items (``careless::irv``,
    ``apply(x, 1, sd, na.rm = TRUE)``); NaN with fewer than two answers.

    >>> irv(np.array([[1, 2, 3, np.nan], [3, 3, 3, 3], [5, np.nan, np.nan, np.nan]]))
    array([ 1.,  0., nan])
    """
    x = np.asarray(answers, dtype=float)
    n, k = x.shape
    out = np.full(n, np.nan)
    # sums of the answers and of their squares, column by column (missing cells count 0): no copy
    # of the whole matrix as nanmean and nansum make; exact for answers on an integer scale
    count = np.zeros(n, dtype=np.int64)
    total, squares = np.zeros(n), np.zeros(n)
    for j in range(k):
        answered = ~np.isnan(x[:, j])
        value = np.where(answered, x[:, j], 0.0)
        count += answered
        total += value
        value *= value
        squares += value
    ok = count >= 2
    if not ok.any():
        return out
    c = count[ok]
    out[ok] = np.sqrt(np.maximum(squares[ok] - total[ok] ** 2 / c, 0.0) / (c - 1))
    # where the two sums nearly cancel (SDs near 0, straight lines), the deviations from the mean
    # instead, which lose no digits
    near = np.flatnonzero(ok & (out < 1e-4))
    if len(near):
        rows = x[near]
        mean = np.nanmean(rows, axis=1, keepdims=True)
        out[near] = np.sqrt(np.nansum((rows - mean) ** 2, axis=1) / (count[near] - 1))
    return out


def mahalanobis(answers: np.ndarray) -> tuple[np.ndarray, np.ndarray, int, str | None]:
    """Mahalanobis D² of each complete row from the complete rows' mean, with their covariance
    (divisor n - 1), and its upper chi-square p-value on as many df as columns: R's
    ``mahalanobis(x, colMeans(x), cov(x))`` and ``pchisq(d2, ncol(x), lower.tail = FALSE)`` on
    ``na.omit(x)``. Rows with a missing value get NaN. Returns ``(d2, p, n_complete, problem)``;
    ``problem`` says why nothing was computed (too few complete rows, a singular covariance).

    >>> d2, p, n, problem = mahalanobis(np.array([[1., 2], [2, 1], [3, 5], [4, 3], [5, 4]]))
    >>> [round(float(v), 4) for v in d2], n, problem
    ([1.625, 1.625, 2.5, 0.625, 1.625], 5, None)
    """
    x = np.asarray(answers, dtype=float)
    n, k = x.shape
    d2 = np.full(n, np.nan)
    p = np.full(n, np.nan)
    complete = ~np.isnan(x).any(axis=1)
    m = int(complete.sum())
    if m <= k:
        return d2, p, m, "too_few_complete"
    centred = x[complete] if m < n else x.copy()  # one copy, centred in place
    centred -= centred.mean(axis=0)
    cov = centred.T @ centred / (m - 1)
    if np.linalg.matrix_rank(cov) < k:
        return d2, p, m, "singular_covariance"
    # the inverse once (k x k), then one matrix product for all rows: a solve with a million
    # right-hand sides costs several times as much for the same numbers
    inverse = np.linalg.inv(cov)
    inverse = (inverse + inverse.T) / 2
    d2[complete] = np.einsum("ij,ij->i", centred @ inverse, centred)
    p[complete] = chi2_sf(d2[complete], k)
    return d2, p, m, None


def duplicate_of(answers: np.ndarray, ids: np.ndarray, metadata: pd.DataFrame | None = None) -> np.ndarray:
    """For each row, the id of the first earlier row with the same answers to every item (missing
    where it is missing) and, for the ``email`` and ``ip`` metadata present, the same values;
    ``None`` for the first of its kind.

    >>> duplicate_of(np.array([[1, 2, np.nan], [1, 2, np.nan], [1, 2, 3], [1, 2, np.nan]]),
    ...              np.array(["a", "b", "c", "d"], dtype=object)).tolist()
    [None, 'a', None, 'a']
    """
    x = np.asarray(answers, dtype=float)
    n = len(x)
    out = np.full(n, None, dtype=object)
    if not n:
        return out
    others = [metadata[role].astype(object).where(metadata[role].notna(), "").to_numpy()
              for role in ("email", "ip") if metadata is not None and role in metadata]
    # rows hashed at compiled speed, column by column (a polynomial over the cells' bits, modulo 2^64;
    # a missing cell as -inf, -0.0 as 0.0), then checked against the first row of their hash; a
    # collision, never seen in practice, sends the rows through pandas' exact grouping instead
    with np.errstate(over="ignore"):
        key = np.zeros(n, dtype=np.uint64)
        for j in range(x.shape[1]):
            cell = np.where(np.isnan(x[:, j]), -np.inf, x[:, j])
            cell += 0.0
            column = cell.view(np.uint64)
            key *= np.uint64(0x9E3779B97F4A7C15)
            key += column ^ (column >> np.uint64(32))  # a float's high bits folded into its low ones
        for o in others:
            column = pd.util.hash_array(o)
            key *= np.uint64(0x9E3779B97F4A7C15)
            key += column ^ (column >> np.uint64(32))
    codes = pd.factorize(key)[0]
    rep = _first_of_code(codes)
    later = np.flatnonzero(rep != np.arange(n))
    first = rep[later]
    same = np.ones(len(later), dtype=bool)
    for j in range(x.shape[1]):
        a, b = x[first, j], x[later, j]
        same &= (a == b) | (np.isnan(a) & np.isnan(b))
    for o in others:
        same &= o[first] == o[later]
    if not same.all():
        frame = pd.DataFrame(np.where(np.isnan(x), -np.inf, x) + 0.0)
        for k, o in enumerate(others):
            frame[f"other{k}"] = o
        codes = frame.groupby(list(frame.columns), sort=False, dropna=False).ngroup().to_numpy()
        rep = np.unique(codes, return_index=True)[1][codes]
    later = rep != np.arange(n)
    out[later] = np.asarray(ids, dtype=object)[rep[later]]
    return out


def _first_of_code(codes: np.ndarray) -> np.ndarray:
    """For codes numbered in order of first appearance (as :func:`pandas.factorize` numbers them),
    the position of each element's first occurrence, in one pass.

    >>> _first_of_code(np.array([0, 1, 0, 2, 1])).tolist()
    [0, 1, 0, 3, 1]
    """
    running = np.maximum.accumulate(codes)
    new = np.empty(len(codes), dtype=bool)
    new[:1] = True
    new[1:] = running[1:] > running[:-1]
    return np.flatnonzero(new)[codes]


# ------------------------------------------------------------------------------------------ the flags
@dataclass(frozen=True)
class FlagResult:
    """One flag: whether it could be computed, its rule and threshold, who it flags, whether they leave.

    ``rule`` names the rule (``duration_below_share``, ``duration_below_seconds``, ``longest_run_above``,
    ``irv_at_most``, ``failed_check``, ``same_answers``, ``preview``, ``unfinished``, ``d2_p_below``);
    ``threshold`` is the number the rule compares with; ``params`` the rest of it (the median
    duration, the checks...); ``problem`` why it could not be computed (``no_duration``...).
    """

    name: str
    available: bool
    rule: str
    threshold: float | None
    respondents: tuple[str, ...]
    excluded: bool
    params: Mapping[str, Any] = field(default_factory=dict)
    problem: str | None = None

    @property
    def source(self) -> str | None:
        """The method reference key of the rule (None for flags read from the export)."""
        return SOURCES[self.name]

    def to_json(self) -> dict[str, Any]:
        return {"available": self.available, "rule": self.rule, "threshold": self.threshold,
                "params": dict(self.params), "source": _CITATIONS.get(SOURCES[self.name] or "", None),
                "problem": self.problem, "n": len(self.respondents), "respondents": list(self.respondents),
                "excluded": self.excluded}


@dataclass(frozen=True)
class Screening:
    """Every respondent's screening values and flags, and the flags' rules.

    ``table`` has one row per screened respondent (index: respondent id) and the columns ``row``
    (data row), ``duration``, ``longest_run`` (longstring), ``within_sd`` (IRV), ``attention_failed`` (checks failed),
    ``duplicate_of``, ``d2``, ``d2_p``, then one boolean column per flag of :data:`FLAGS`, and
    ``excluded``. ``flags`` maps a flag to its :class:`FlagResult`; ``options`` are the options used.
    """

    table: pd.DataFrame
    flags: Mapping[str, FlagResult]
    options: ScreeningOptions
    n_items: int

    @property
    def excluded(self) -> tuple[str, ...]:
        """The ids of the respondents excluded, in row order."""
        return tuple(self.table.index[self.table["excluded"].to_numpy(dtype=bool)])

    def reasons_at(self, position: int) -> list[str]:
        """The excluding flags of the respondent at ``position`` in :attr:`table`, in :data:`FLAGS` order."""
        row = self.table.iloc[position]
        return [f for f in self.options.exclude if bool(row[f])]

    def counts(self) -> dict[str, int]:
        """Respondents flagged per flag (0 for a flag that could not be computed)."""
        return {f: len(self.flags[f].respondents) for f in FLAGS}

    def to_json(self) -> dict[str, Any]:
        """The ledger's ``screening`` key: the options, per flag its rule, threshold, source,
        respondents and whether excluded, and the number screened, flagged (by any flag) and excluded."""
        any_flag = self.table[list(FLAGS)].any(axis=1) if len(self.table) else pd.Series(dtype=bool)
        o = self.options
        return {"screened": int(len(self.table)), "flagged": int(any_flag.sum()), "excluded": len(self.excluded),
                "exclude": list(o.exclude),
                "options": {"speeder_share": o.speeder_share, "speeder_seconds": o.speeder_seconds,
                            "longstring_max": self.flags["longstring"].threshold, "irv_min": o.irv_min,
                            "outlier_p": o.outlier_p},
                "flags": {f: self.flags[f].to_json() for f in FLAGS}}


def default_longstring_max(n_items: int) -> int:
    """Half the number of items rounded up, less one: a run of half the items or more is flagged.

    >>> default_longstring_max(25), default_longstring_max(10), default_longstring_max(1)
    (12, 4, 1)
    """
    return max(1, math.ceil(n_items / 2) - 1)


#: Answers (respondents x items) from which the indices are computed in two threads.
PARALLEL_CELLS = 2_000_000


def _indices(x: np.ndarray, ids: np.ndarray, metadata: pd.DataFrame | None) -> tuple:
    """``(longstring, irv, duplicate_of, mahalanobis)`` of the answers ``x``: one after the other for a
    small export; for a large one Mahalanobis D² in a second thread while this one computes the rest
    (numpy works outside Python's lock, so a second core shortens the wait)."""
    if x.size < PARALLEL_CELLS:
        return longstring(x), irv(x), duplicate_of(x, ids, metadata), mahalanobis(x)
    from concurrent.futures import ThreadPoolExecutor
    with ThreadPoolExecutor(max_workers=1) as pool:
        outliers = pool.submit(mahalanobis, x)
        return longstring(x), irv(x), duplicate_of(x, ids, metadata), outliers.result()


def screen(responses: pd.DataFrame, metadata: pd.DataFrame | None = None, attention: pd.DataFrame | None = None,
           checks: Iterable[Any] = (), rows: Iterable[int] | None = None,
           options: ScreeningOptions | None = None) -> Screening:
    """Compute every flag for the respondents of ``responses`` (items in questionnaire order, as answered).

    ``metadata`` holds the respondents' metadata by role (``duration``, ``finished``,
    ``progress``, ``preview``, ``email``, ``ip``; any may be absent), ``attention`` the answers
    to the attention items and ``checks`` their
    :class:`~loyaltysurvey.questionnaire.schema.AttentionCheck`; ``rows`` the data row of each
    respondent. A flag whose data is absent is reported as not available; asking to exclude by
    it is then an error, since nothing could be excluded.

    >>> frame = pd.DataFrame([[1, 2, 3, 4], [3, 3, 3, 3], [2, 3, 2, 4], [1, 2, 3, 4]],
    ...                      index=["a", "b", "c", "d"], columns=["Q1", "Q2", "Q3", "Q4"], dtype=float)
    >>> s = screen(frame)
    >>> s.flags["longstring"].respondents, s.flags["irv"].respondents, s.flags["duplicates"].respondents
    (('b',), ('b',), ('d',))
    >>> s.flags["speeders"].available, s.flags["speeders"].problem
    (False, 'no_duration')
    """
    options = options or ScreeningOptions()
    metadata = metadata if metadata is not None else pd.DataFrame(index=responses.index)
    attention = attention if attention is not None else pd.DataFrame(index=responses.index)
    checks = tuple(checks)
    index = responses.index
    ids = np.asarray(index, dtype=object)
    x = responses.to_numpy(dtype=float)
    k = x.shape[1]
    n = len(index)
    table = pd.DataFrame(index=index)
    table["row"] = np.asarray(list(rows), dtype=np.int64) if rows is not None else np.arange(1, n + 1)
    flags: dict[str, FlagResult] = {}
    marks: dict[str, np.ndarray] = {}

    def add(name: str, mask: np.ndarray | None, rule: str, threshold: float | None, params: dict | None = None,
            problem: str | None = None) -> None:
        available = mask is not None
        if not available and name in options.exclude:
            raise LoyaltySurveyError(f"--exclude {name}: {_PROBLEMS.get(problem or '', problem)}")
        mask = np.zeros(n, dtype=bool) if mask is None else np.asarray(mask, dtype=bool)
        marks[name] = mask
        flags[name] = FlagResult(name, available, rule, threshold, tuple(ids[mask]), name in options.exclude,
                                 params or {}, problem)

    # speeders
    duration = metadata["duration"].to_numpy(dtype=float) if "duration" in metadata else np.full(n, np.nan)
    table["duration"] = duration
    if np.isnan(duration).all():
        add("speeders", None, "duration_below_share", None, {"share": options.speeder_share}, "no_duration")
    elif options.speeder_seconds is not None:
        add("speeders", duration < options.speeder_seconds, "duration_below_seconds", float(options.speeder_seconds),
            {"seconds": float(options.speeder_seconds)})
    else:
        median = float(np.nanmedian(duration))
        cut = options.speeder_share * median
        add("speeders", duration < cut, "duration_below_share", cut, {"share": options.speeder_share, "median": median})
    runs, spread, dup, (d2, p, m, problem) = _indices(x, ids, metadata)
    # longstring and IRV
    table["longest_run"] = runs
    limit = options.longstring_max if options.longstring_max is not None else default_longstring_max(k)
    add("longstring", runs > limit, "longest_run_above", int(limit), {"items": k})
    table["within_sd"] = spread
    add("irv", ~np.isnan(spread) & (spread <= options.irv_min), "irv_at_most", float(options.irv_min), {"items": k})
    # attention checks
    if checks:
        failed = np.zeros(n, dtype=np.int64)
        for check in checks:
            answers = attention[check.id].to_numpy(dtype=float)
            failed += ~np.isin(answers, np.asarray(check.expect, dtype=float))
        table["attention_failed"] = failed
        add("attention", failed > 0, "failed_check", 0.0,
            {"checks": {c.id: list(c.expect) for c in checks}})
    else:
        table["attention_failed"] = np.zeros(n, dtype=np.int64)
        add("attention", None, "failed_check", None, {}, "no_attention_items")
    # duplicates
    table["duplicate_of"] = pd.Series(dup, index=index, dtype=object)
    add("duplicates", np.not_equal(dup, None), "same_answers", None,
        {"matched_on": ["items"] + [r for r in ("email", "ip") if r in metadata]})
    # previews and unfinished responses
    if "preview" in metadata:
        add("preview", metadata["preview"].fillna(False).to_numpy(dtype=bool), "preview", None)
    else:
        add("preview", None, "preview", None, {}, "no_preview")
    if "finished" in metadata or "progress" in metadata:
        unfinished = np.zeros(n, dtype=bool)
        if "finished" in metadata:
            unfinished |= ~metadata["finished"].fillna(True).to_numpy(dtype=bool)
        if "progress" in metadata:
            progress = metadata["progress"].to_numpy(dtype=float)
            unfinished |= ~np.isnan(progress) & (progress < 100)
        add("incomplete", unfinished, "unfinished", 100.0,
            {"columns": [c for c in ("finished", "progress") if c in metadata]})
    else:
        add("incomplete", None, "unfinished", None, {}, "no_finished")
    # multivariate outliers
    table["d2"] = d2
    table["d2_p"] = p
    if problem is None:
        add("outliers", p < options.outlier_p, "d2_p_below", float(options.outlier_p),
            {"df": k, "n_complete": m, "critical_d2": float(chi2_isf(options.outlier_p, k))})
    else:
        add("outliers", None, "d2_p_below", float(options.outlier_p), {"df": k, "n_complete": m}, problem)
    for name in FLAGS:
        table[name] = marks[name]
    table["excluded"] = table[list(options.exclude)].any(axis=1) if options.exclude else False
    return Screening(table, {f: flags[f] for f in FLAGS}, options, k)


_PROBLEMS = {"no_duration": "the export has no completion time; map it with 'metadata: {duration: <header>}' "
                            "in the questionnaire (or start and end)",
             "no_attention_items": "the questionnaire declares no attention check ('attention: [{item: ATT1, "
                                   "expect: 2}]')",
             "no_preview": "the export has no preview marker; map it with 'metadata: {preview: <header>}'",
             "no_finished": "the export has no completion status; map 'metadata: {finished: <header>}' or "
                            "'{progress: <header>}'",
             "too_few_complete": "too few respondents answered every item to compute Mahalanobis distances "
                                 "(more than the number of items are needed)",
             "singular_covariance": "the items' covariance matrix is singular (an item is constant or "
                                    "a linear combination of others), so Mahalanobis distances are undefined"}
