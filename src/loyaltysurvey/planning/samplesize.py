"""Sample size and power before the survey: the closed-form methods theses cite.

Each function is one method, returns a frozen result with every number at full precision
and a ``to_json()`` that is the corresponding block of ``loyaltysurvey samplesize --json``:

* :func:`cochran` - Cochran (1977): ``n0 = z^2 p q / e^2`` and its finite-population correction;
* :func:`krejcie_morgan` - Krejcie & Morgan's (1970) formula behind their printed table;
* :func:`rmsea_power`, :func:`rmsea_sample_size` - MacCallum, Browne & Sugawara (1996), as
  semTools' ``findRMSEApower`` and ``findRMSEAsamplesize``;
* :func:`f2_power`, :func:`f2_denominator_df`, :func:`regression_power` - the F test of R^2
  (Cohen, 1988), as R's ``pwr::pwr.f2.test``;
* :func:`inverse_square_root` - Kock & Hadaya's (2018) minimum sample for PLS-SEM.

The noncentral chi-square and F functions come from :mod:`scipy.special` (``chndtr``,
``chndtrix``, ``ncfdtr``, ``fdtri``; :mod:`scipy.stats` is not imported). Every figure is
checked against R in tests/test_samplesize.py (tests/reference/samplesize_reference.json,
written by tests/reference/make_samplesize_reference.R: semTools 0.5.6, pwr 1.3.0).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
from scipy import optimize, special

from ..distributions import norm_ppf
from ..errors import LoyaltySurveyError

__all__ = ["CochranResult", "KrejcieMorganResult", "RmseaTest", "RmseaPower", "RegressionPower",
           "InverseSquareRoot", "cochran", "krejcie_morgan", "rmsea_power", "rmsea_sample_size",
           "rmsea_tests", "f2_power", "f2_denominator_df", "f2_detectable", "regression_power", "inverse_square_root",
           "round_half_up", "COHEN_F2"]

#: Cohen's (1988) small, medium and large effect sizes f^2 for multiple regression.
COHEN_F2 = {"small": 0.02, "medium": 0.15, "large": 0.35}


def round_half_up(x: float) -> int:
    """The nearest integer, halves rounded up (the rounding of the published tables).

    >>> round_half_up(384.146), round_half_up(79.5), round_half_up(217.49)
    (384, 80, 217)
    """
    return int(math.floor(x + 0.5))


def _rounded(x: float, rounding: str) -> int:
    if rounding == "up":
        return int(math.ceil(x - 1e-9))
    if rounding == "nearest":
        return round_half_up(x)
    raise LoyaltySurveyError(f"rounding '{rounding}': use nearest or up")


def _check_fraction(name: str, value: float, *, open_low: bool = True) -> float:
    value = float(value)
    if not (math.isfinite(value) and 0.0 < value < 1.0):
        raise LoyaltySurveyError(f"{name} must lie strictly between 0 and 1 (got {value:g})")
    return value


def _check_population(population: float | None) -> float | None:
    if population is None:
        return None
    population = float(population)
    if not math.isfinite(population) or population < 1:
        raise LoyaltySurveyError(f"the population must be at least 1 (got {population:g})")
    return int(population) if population.is_integer() else population


@dataclass(frozen=True)
class CochranResult:
    """Cochran's sample size for a proportion.

    ``n0`` is the size for an infinite population, ``n_exact`` the size after the
    finite-population correction (``n0`` without a population), ``n`` that rounded
    (``rounding``: ``nearest``, as the published tables, or ``up``).
    """

    margin: float
    confidence: float
    p: float
    population: float | None
    z: float
    n0: float
    n_exact: float
    n: int
    rounding: str

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def cochran(margin: float = 0.05, confidence: float = 0.95, p: float = 0.5, population: float | None = None,
            rounding: str = "nearest") -> CochranResult:
    """Cochran's (1977) sample size to estimate a proportion within ``±margin``.

    ``n0 = z^2 p (1 - p) / e^2`` with ``z`` the two-sided normal quantile of ``confidence``;
    for a population of ``N``, the finite-population correction
    ``n = n0 / (1 + (n0 - 1) / N)`` (Cochran, 1977, eq. 4.2). ``n`` is rounded to the
    nearest whole respondent by default, which gives the 384 printed for ±5 % at 95 %
    (``n0 = 384.15``); ``rounding = "up"`` rounds up (385), the cautious choice. Checked
    against R's ``qnorm`` and the same formula in tests/test_samplesize.py.

    References: Cochran (1977).

    >>> r = cochran(0.05, 0.95)
    >>> r.n, round(r.n0, 3), cochran(0.05, 0.95, rounding="up").n
    (384, 384.146, 385)
    >>> cochran(0.05, 0.95, population=10_000).n
    370
    """
    margin = _check_fraction("the margin of error", margin)
    confidence = _check_fraction("the confidence level", confidence)
    p = _check_fraction("the proportion p", p)
    population = _check_population(population)
    z = float(norm_ppf(1 - (1 - confidence) / 2))
    n0 = z * z * p * (1 - p) / margin ** 2
    n_exact = n0 if population is None else n0 / (1 + (n0 - 1) / population)
    return CochranResult(margin, confidence, p, population, z, n0, n_exact, _rounded(n_exact, rounding), rounding)


@dataclass(frozen=True)
class KrejcieMorganResult:
    """Krejcie & Morgan's sample size: ``s`` unrounded, ``n`` rounded as their table."""

    population: float | None
    margin: float
    confidence: float
    p: float
    chi2: float
    s: float
    n: int
    rounding: str

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def krejcie_morgan(population: float | None, margin: float = 0.05, confidence: float = 0.95, p: float = 0.5,
                   rounding: str = "nearest", chi2: float | None = None) -> KrejcieMorganResult:
    """Krejcie & Morgan's (1970) sample size for a population of ``population``.

    ``s = X^2 N P (1 - P) / (d^2 (N - 1) + X^2 P (1 - P))`` with ``X^2`` the chi-square
    quantile on 1 df at ``confidence`` (3.841 at 95 %), ``P = p`` and ``d = margin``; without a
    population, the limit ``X^2 P (1 - P) / d^2`` (384.15). Their Table 1 prints ``s``
    rounded to the nearest whole number: N = 100 gives 79.5 -> 80, N = 500 217.49 -> 217,
    N = 10,000 370 and N = 1,000,000 384. The table was computed with ``X^2 = 3.841``
    (``chi2=3.841``), which reproduces all its 90 entries (tests/test_samplesize.py); the exact
    quantile 3.8415 (the default) differs in one, N = 40,000: 380.50 -> 381 where the table
    prints 380 (380.46 with 3.841).

    References: Krejcie & Morgan (1970).

    >>> [krejcie_morgan(N).n for N in (100, 500, 10_000, 1_000_000)]
    [80, 217, 370, 384]
    >>> krejcie_morgan(40_000).n, krejcie_morgan(40_000, chi2=3.841).n
    (381, 380)
    """
    margin = _check_fraction("the margin of error", margin)
    confidence = _check_fraction("the confidence level", confidence)
    p = _check_fraction("the proportion p", p)
    population = _check_population(population)
    if chi2 is None:
        chi2 = float(special.chdtri(1, 1 - confidence))
    elif not (chi2 > 0 and math.isfinite(chi2)):
        raise LoyaltySurveyError(f"the chi-square value must be above 0 (got {chi2:g})")
    chi2 = float(chi2)
    pq = p * (1 - p)
    if population is None:
        s = chi2 * pq / margin ** 2
    else:
        s = chi2 * population * pq / (margin ** 2 * (population - 1) + chi2 * pq)
    return KrejcieMorganResult(population, margin, confidence, p, chi2, s, _rounded(s, rounding), rounding)


# ---------------------------------------------------------------------------------------------------------------
# RMSEA power (MacCallum, Browne & Sugawara, 1996)

def _check_rmsea(rmsea0: float, rmsea_alt: float, df: float, alpha: float) -> None:
    if not (rmsea0 >= 0 and rmsea_alt >= 0 and math.isfinite(rmsea0) and math.isfinite(rmsea_alt)):
        raise LoyaltySurveyError(f"RMSEA values must be 0 or more (got {rmsea0:g} and {rmsea_alt:g})")
    if rmsea0 == rmsea_alt:
        raise LoyaltySurveyError(f"the null and alternative RMSEA are equal ({rmsea0:g}): the test has no power "
                                 "to gain; give two different values")
    if not (df >= 1 and float(df) == int(df)):
        raise LoyaltySurveyError(f"the model's degrees of freedom must be a whole number of at least 1 (got {df:g})")
    _check_fraction("alpha", alpha)


def _rmsea_crit_power(rmsea0: float, rmsea_alt: float, df: float, n, alpha: float):
    n = np.asarray(n, dtype=float)
    nc0 = (n - 1) * df * rmsea0 ** 2
    nca = (n - 1) * df * rmsea_alt ** 2
    if rmsea0 < rmsea_alt:   # close (or exact) fit: reject for a large chi-square
        crit = np.where(nc0 > 0, special.chndtrix(1 - alpha, df, np.maximum(nc0, 1e-300)), special.chdtri(df, alpha))
        power = 1 - np.where(nca > 0, special.chndtr(crit, df, np.maximum(nca, 1e-300)), special.chdtr(df, crit))
    else:                    # not-close fit: reject for a small chi-square
        crit = np.where(nc0 > 0, special.chndtrix(alpha, df, np.maximum(nc0, 1e-300)), special.chdtri(df, 1 - alpha))
        power = np.where(nca > 0, special.chndtr(crit, df, np.maximum(nca, 1e-300)), special.chdtr(df, crit))
    return crit, power


def rmsea_power(rmsea0: float, rmsea_alt: float, df: int, n, alpha: float = 0.05):
    """The power of MacCallum, Browne & Sugawara's (1996) RMSEA test with ``n`` respondents.

    The model chi-square is noncentral chi-square on ``df`` with noncentrality
    ``(n - 1) df rmsea^2``. When ``rmsea0 < rmsea_alt`` (the test of close fit, 0.05 against
    0.08, or of exact fit, 0 against 0.05) H0 is rejected above the ``1 - alpha`` quantile
    under ``rmsea0``; otherwise (not-close fit, 0.05 against 0.01) below its ``alpha``
    quantile. Returns the power (a float, or an array for an array ``n``). Equal to semTools
    0.5.6 ``findRMSEApower`` (to 1e-12, tests/test_samplesize.py).

    References: MacCallum, Browne & Sugawara (1996).

    >>> round(rmsea_power(0.05, 0.08, 24, 200), 4), round(rmsea_power(0.05, 0.01, 24, 200), 4)
    (0.51, 0.3595)
    """
    _check_rmsea(rmsea0, rmsea_alt, df, alpha)
    power = _rmsea_crit_power(rmsea0, rmsea_alt, df, n, alpha)[1]
    return float(power) if power.ndim == 0 else power


def rmsea_sample_size(rmsea0: float, rmsea_alt: float, df: int, power: float = 0.80, alpha: float = 0.05,
                      limit: int = 10_000_000) -> int:
    """The smallest ``n`` whose RMSEA test power exceeds ``power``, found as semTools does.

    semTools' ``findRMSEAsamplesize`` computes the power for n = 5..500, then 505..1000,
    1005..1500 ... and returns the first n whose power is above ``power``; 5 when every n of
    the first block is (semTools says "Sample Size <= 5"). The same search here, so the answer
    is semTools 0.5.6's exactly (tests/test_samplesize.py). Raises
    :class:`~loyaltysurvey.errors.LoyaltySurveyError` when no n up to ``limit`` reaches it.

    References: MacCallum, Browne & Sugawara (1996).

    >>> rmsea_sample_size(0.05, 0.08, 24), rmsea_sample_size(0.05, 0.01, 24)
    (375, 422)
    """
    _check_rmsea(rmsea0, rmsea_alt, df, alpha)
    _check_fraction("the target power", power)
    block = np.arange(5, 501)
    pw = _rmsea_crit_power(rmsea0, rmsea_alt, df, block, alpha)[1]
    if np.all(pw > power):
        return 5
    while True:
        above = np.nonzero(pw > power)[0]
        if above.size:
            return int(block[above[0]])
        block = block + 500
        if block[0] > limit:
            raise LoyaltySurveyError(f"no sample size up to {limit:,} gives the RMSEA test (df = {df}, "
                                     f"{rmsea0:g} against {rmsea_alt:g}) a power of {power:g}")
        pw = _rmsea_crit_power(rmsea0, rmsea_alt, df, block, alpha)[1]


def _rmsea_kind(rmsea0: float, rmsea_alt: float) -> str:
    if rmsea0 == 0:
        return "exact"
    return "close" if rmsea0 < rmsea_alt else "not_close"


@dataclass(frozen=True)
class RmseaTest:
    """One RMSEA test: ``test`` (``close``, ``not_close`` or ``exact``), its RMSEA values, the
    smallest n for the target power, and (with an ``n``) the power and critical chi-square at n."""

    test: str
    rmsea0: float
    rmsea_alt: float
    n_min: int
    power_at_n: float | None
    critical_chisq_at_n: float | None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class RmseaPower:
    """MacCallum et al.'s RMSEA power analysis of a model with ``df`` degrees of freedom.

    ``df_source`` says where ``df`` came from (``given`` or ``questionnaire``); ``power`` is
    the target power, ``n`` the sample size the power is given at (``None`` when not asked).
    """

    df: int
    df_source: str
    alpha: float
    power: float
    n: int | None
    tests: tuple[RmseaTest, ...]

    def test(self, kind: str) -> RmseaTest | None:
        """The test of that kind (``close``, ``not_close``, ``exact``), ``None`` if not run."""
        return next((t for t in self.tests if t.test == kind), None)

    def to_json(self) -> dict[str, Any]:
        return {"df": self.df, "df_source": self.df_source, "alpha": self.alpha, "power": self.power, "n": self.n,
                "tests": [t.to_json() for t in self.tests]}


def rmsea_tests(df: int, *, pairs: tuple[tuple[float, float], ...] = ((0.05, 0.08), (0.05, 0.01)),
                power: float = 0.80, alpha: float = 0.05, n: int | None = None,
                df_source: str = "given") -> RmseaPower:
    """The tests of close fit (0.05 against 0.08) and not-close fit (0.05 against 0.01) by default,
    or the ``(rmsea0, rmsea_alt)`` ``pairs`` given: n for ``power`` and, with ``n``, the power at n.

    >>> r = rmsea_tests(264, n=200)
    >>> [(t.test, t.n_min) for t in r.tests]
    [('close', 71), ('not_close', 103)]
    """
    if n is not None and (n != int(n) or n < 2):
        raise LoyaltySurveyError(f"the sample size n must be a whole number of at least 2 (got {n})")
    tests = []
    for rmsea0, rmsea_alt in pairs:
        n_min = rmsea_sample_size(rmsea0, rmsea_alt, df, power, alpha)
        at_power = at_crit = None
        if n is not None:
            crit, pw = _rmsea_crit_power(rmsea0, rmsea_alt, df, n, alpha)
            at_power, at_crit = float(pw), float(crit)
        tests.append(RmseaTest(_rmsea_kind(rmsea0, rmsea_alt), float(rmsea0), float(rmsea_alt), n_min, at_power,
                               at_crit))
    return RmseaPower(int(df), df_source, float(alpha), float(power), None if n is None else int(n), tuple(tests))


# ---------------------------------------------------------------------------------------------------------------
# Multiple regression: the F test of R^2 (Cohen, 1988; pwr.f2.test)

def f2_power(u: float, v: float, f2: float, alpha: float = 0.05) -> float:
    """Power of the F test that ``u`` predictors add nothing, with ``v`` error df and effect ``f2``.

    ``lambda = f2 (u + v + 1)``; power ``= P(F'(u, v, lambda) > F_{1-alpha}(u, v))``, as
    ``pwr::pwr.f2.test``. Equal to pwr 1.3.0 to 2e-9 (R's noncentral beta stops at an error of
    1e-9), tests/test_samplesize.py.

    References: Cohen (1988).

    >>> round(f2_power(4, 80, 0.15), 4)
    0.8031
    """
    if u < 1 or v < 1:
        raise LoyaltySurveyError(f"the numerator df u and denominator df v must be at least 1 (got {u:g}, {v:g})")
    if f2 < 0:
        raise LoyaltySurveyError(f"the effect size f2 must be 0 or more (got {f2:g})")
    _check_fraction("alpha", alpha)
    crit = special.fdtri(u, v, 1 - alpha)
    lam = f2 * (u + v + 1)
    power = float(1 - special.ncfdtr(u, v, lam, crit))
    if not math.isfinite(power):  # cdflib gives up far in the tail; scipy.stats' Boost version does not
        from scipy import stats
        power = float(stats.ncf.sf(crit, u, v, lam))
    return power


def f2_denominator_df(u: int, f2: float, power: float = 0.80, alpha: float = 0.05) -> float:
    """The error df ``v`` at which :func:`f2_power` equals ``power`` (``n = v + u + 1`` respondents).

    Solved by Brent's method to 1e-12 over ``(1, 1e9)``, the bracket of ``pwr.f2.test``; pwr
    stops its ``uniroot`` at its default tolerance (about 1.2e-4), so its ``v`` differs from
    this one by up to that much (2.6e-5 on the reference grid), and from the same equation solved
    to 1e-12 in R by 2e-9 relative (tests/test_samplesize.py).

    References: Cohen (1988).

    >>> round(f2_denominator_df(1, 0.15), 3), math.ceil(f2_denominator_df(4, 0.15)) + 4 + 1
    (52.315, 85)
    """
    _check_fraction("the target power", power)
    if f2 <= 0:
        raise LoyaltySurveyError(f"the effect size f2 must be above 0 (got {f2:g})")
    target = lambda v: f2_power(u, v, f2, alpha) - power  # noqa: E731
    if target(1 + 1e-10) >= 0:
        return 1.0
    if target(1e9) < 0:
        raise LoyaltySurveyError(f"no sample size below 10^9 reaches a power of {power:g} for f2 = {f2:g}")
    return float(optimize.brentq(target, 1 + 1e-10, 1e9, xtol=1e-12, maxiter=500))


def f2_detectable(u: int, v: float, power: float = 0.80, alpha: float = 0.05) -> float:
    """The smallest effect ``f2`` the F test detects with ``power`` given ``u`` predictors and ``v`` error df.

    Solved by Brent's method to 1e-14 over ``(1e-7, 1e7)``, the bracket of ``pwr.f2.test``;
    equal to the same equation solved to 1e-14 in R to 1e-8 relative, and to pwr 1.3.0's own
    answer (default ``uniroot`` tolerance, about 1.2e-4) within 2e-4 (tests/test_samplesize.py).

    References: Cohen (1988).

    >>> round(f2_detectable(4, 245), 4)
    0.0487
    """
    _check_fraction("the target power", power)
    target = lambda f2: f2_power(u, v, f2, alpha) - power  # noqa: E731
    if target(1e-7) >= 0:
        return 1e-7
    high = 1e-3               # a bracket within a factor of two of the root (the root does not depend on it)
    while target(high) < 0:
        high *= 2
        if high > 1e7:
            raise LoyaltySurveyError(f"no effect size below 10^7 reaches a power of {power:g} with v = {v:g}")
    return float(optimize.brentq(target, high / 2 if high > 1e-3 else 1e-7, high, xtol=1e-14, maxiter=500))


@dataclass(frozen=True)
class RegressionPower:
    """Power of the F test of R^2 for a construct with ``predictors`` predictors, per effect size.

    ``rows`` holds per effect size: ``f2``, its Cohen label, ``v`` (error df for the target power),
    ``n_min = ceil(v) + predictors + 1``, and the power at ``n`` when ``n`` is given;
    ``f2_detectable`` is the smallest f^2 detected with the target power at ``n`` (``None``
    without ``n``).
    """

    predictors: int
    predictors_source: str
    alpha: float
    power: float
    n: int | None
    rows: tuple[dict, ...]
    f2_detectable: float | None = None

    def to_json(self) -> dict[str, Any]:
        return {"predictors": self.predictors, "predictors_source": self.predictors_source, "alpha": self.alpha,
                "power": self.power, "n": self.n, "rows": [dict(r) for r in self.rows],
                "f2_detectable": self.f2_detectable}


def regression_power(predictors: int, *, f2: tuple[float, ...] = (0.02, 0.15, 0.35), power: float = 0.80,
                     alpha: float = 0.05, n: int | None = None, predictors_source: str = "given") -> RegressionPower:
    """The respondents the F test of R^2 needs for each effect size ``f2`` (Cohen's small, medium, large).

    >>> [r["n_min"] for r in regression_power(4).rows]
    [602, 85, 40]
    """
    if predictors != int(predictors) or predictors < 1:
        raise LoyaltySurveyError(f"the number of predictors must be a whole number of at least 1 (got {predictors})")
    u = int(predictors)
    if n is not None and (n != int(n) or n < u + 2):
        raise LoyaltySurveyError(f"n must be a whole number above predictors + 1 = {u + 1} (got {n})")
    labels = {v: k for k, v in COHEN_F2.items()}
    rows = []
    for effect in f2:
        v = f2_denominator_df(u, effect, power, alpha)
        rows.append({"f2": float(effect), "label": labels.get(float(effect), ""), "v": v,
                     "n_min": int(math.ceil(v - 1e-9)) + u + 1,
                     "power_at_n": None if n is None else f2_power(u, n - u - 1, effect, alpha)})
    detectable = None if n is None else f2_detectable(u, n - u - 1, power, alpha)
    return RegressionPower(u, predictors_source, float(alpha), float(power), None if n is None else int(n),
                           tuple(rows), detectable)


# ---------------------------------------------------------------------------------------------------------------
# PLS-SEM: the inverse square root method (Kock & Hadaya, 2018)

@dataclass(frozen=True)
class InverseSquareRoot:
    """Kock & Hadaya's minimum sample: ``n_min = ceil((constant / |p_min|)^2)``."""

    p_min: float
    alpha: float
    power: float
    constant: float
    n_exact: float
    n_min: int

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def inverse_square_root(p_min: float, alpha: float = 0.05, power: float = 0.80) -> InverseSquareRoot:
    """The minimum sample size of the inverse square root method for the smallest path ``p_min``.

    ``n_min > (z_{1-alpha} + z_{power})^2 / p_min^2`` with one-tailed ``alpha``: at 5 % and
    power .80 the constant is 1.6449 + 0.8416 = 2.4865, printed as 2.486 by Kock & Hadaya
    (2018), whose example path of 0.197 needs 160 respondents (as here). ``n_min`` is the
    next whole number (``n_exact`` unrounded).

    References: Kock & Hadaya (2018).

    >>> r = inverse_square_root(0.197)
    >>> round(r.constant, 3), r.n_min
    (2.486, 160)
    """
    p_min = abs(float(p_min))
    if not (0 < p_min < 1):
        raise LoyaltySurveyError(f"the minimum path coefficient must lie between 0 and 1 in absolute value "
                                 f"(got {p_min:g})")
    alpha = _check_fraction("alpha", alpha)
    power = _check_fraction("the target power", power)
    constant = float(norm_ppf(1 - alpha) + norm_ppf(power))
    n_exact = (constant / p_min) ** 2
    return InverseSquareRoot(p_min, alpha, power, constant, n_exact, int(math.ceil(n_exact)))
