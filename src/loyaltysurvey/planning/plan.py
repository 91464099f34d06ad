"""The whole sample-size plan: every method asked for, one JSON object, one chapter paragraph.

:func:`samplesize` is ``loyaltysurvey.samplesize`` and the library side of
``loyaltysurvey samplesize``: its :class:`SampleSizePlan` ``.to_json()`` is what
``--json`` prints, and ``.paragraph(lang)`` the chapter-3 paragraph (Persian or English,
wording from ``reports/locales/LANG.yaml`` under ``samplesize``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Mapping, Sequence

from ..errors import LoyaltySurveyError
from .samplesize import (CochranResult, InverseSquareRoot, KrejcieMorganResult, RegressionPower, RmseaPower,
                         cochran, inverse_square_root, krejcie_morgan, regression_power, rmsea_tests)

if TYPE_CHECKING:
    from ..questionnaire.schema import Questionnaire
    from .montecarlo import MonteCarloPower

__all__ = ["SampleSizePlan", "samplesize", "model_degrees_of_freedom", "most_predictors"]


def _questionnaire(value) -> "Questionnaire | None":
    if value is None:
        return None
    if isinstance(value, (str, Path)):
        from ..questionnaire import load_questionnaire
        return load_questionnaire(value)
    return value


def model_degrees_of_freedom(q: "Questionnaire") -> int:
    """The degrees of freedom of the questionnaire's whole model (the CFA without a structural model),
    as lavaan's ``fitMeasures(fit, "df")``: sample moments less free parameters.

    >>> from loyaltysurvey.datasets import crm_questionnaire
    >>> model_degrees_of_freedom(crm_questionnaire())  # lavaan 0.6.14 on the bundled example: 264
    264
    """
    from ..sem.identification import degrees_of_freedom
    from ..sem.partable import build_partable
    return degrees_of_freedom(build_partable(q.sem_statements))


def most_predictors(q: "Questionnaire") -> int:
    """The largest number of structural paths into one construct (0 without a structural model).

    >>> from loyaltysurvey.datasets import crm_questionnaire
    >>> most_predictors(crm_questionnaire())  # SAT ~ KCF + CRMO + KM + TECH
    4
    """
    counts: dict[str, int] = {}
    for s in q.model_statements:
        if s.op == "~":
            counts[s.lhs] = counts.get(s.lhs, 0) + 1
    return max(counts.values(), default=0)


@dataclass(frozen=True)
class SampleSizePlan:
    """Every sample-size figure asked for; ``None`` for a method that was not asked for.

    ``to_json()`` is the object ``loyaltysurvey samplesize --json`` prints: ``cochran`` and
    ``krejcie_morgan`` always, ``rmsea_power`` with degrees of freedom (given or from a
    questionnaire), ``regression_power`` with a number of predictors, ``inverse_square_root``
    with a minimum path, ``monte_carlo`` with replications, and ``settings``.
    """

    cochran: CochranResult
    krejcie_morgan: KrejcieMorganResult
    rmsea_power: RmseaPower | None = None
    regression_power: RegressionPower | None = None
    inverse_square_root: InverseSquareRoot | None = None
    monte_carlo: "MonteCarloPower | None" = None
    settings: tuple[tuple[str, Any], ...] = field(default_factory=tuple)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"cochran": self.cochran.to_json(), "krejcie_morgan": self.krejcie_morgan.to_json()}
        for key in ("rmsea_power", "regression_power", "inverse_square_root", "monte_carlo"):
            value = getattr(self, key)
            if value is not None:
                out[key] = value.to_json()
        out["settings"] = dict(self.settings)
        return out

    def paragraph(self, lang: str = "en", decimal: str | None = None) -> str:
        """The chapter-3 paragraph with the figures and citations, then the works it cites.

        >>> plan = samplesize(population=10_000)
        >>> "Krejcie & Morgan, 1970" in plan.paragraph("en"), "حجم نمونه" in plan.paragraph("fa")
        (True, True)
        """
        from .paragraph import plan_paragraph
        return plan_paragraph(self, lang, decimal)


def samplesize(population: float | None = None, margin: float = 0.05, confidence: float = 0.95, p: float = 0.5, *,
               rounding: str = "nearest", km_chi2: float | None = None,
               questionnaire: "str | Path | Questionnaire | None" = None,
               df: int | None = None, rmsea0: float | None = None, rmsea_alt: float | None = None,
               power: float = 0.80, alpha: float = 0.05, n: int | None = None, predictors: int | None = None,
               f2: Sequence[float] = (0.02, 0.15, 0.35), min_path: float | None = None, simulate: int = 0,
               effects: Mapping[str, float] | None = None, default_effect: float = 0.3, loading: float = 0.7,
               exo_cor: float = 0.3, seed: int | None = 20260101, jobs: int = 1, executor: Any = None,
               progress: Callable[[int], Any] | None = None) -> SampleSizePlan:
    """Sample size and power for a survey, by every method the inputs allow.

    * Always Cochran's (1977) and Krejcie & Morgan's (1970) sizes for a proportion ``p`` within
      ``±margin`` at ``confidence`` (``population`` for the finite-population correction; both
      rounded to the nearest respondent as the published tables are, ``rounding="up"`` rounds up;
      ``km_chi2=3.841`` is the chi-square Krejcie & Morgan's printed table used).
    * With ``df`` or a ``questionnaire`` (whose model's df is counted, as lavaan does): the
      RMSEA tests of close (0.05 against 0.08) and not-close fit (0.05 against 0.01), or the one
      ``rmsea0`` against ``rmsea_alt`` (MacCallum, Browne & Sugawara, 1996): n for ``power`` at
      ``alpha`` and the power at ``n``.
    * With ``predictors`` or a questionnaire with a structural model (the construct with the
      most predictors): the F test of R^2 for each ``f2`` (Cohen, 1988).
    * With ``min_path``: Kock & Hadaya's (2018) inverse square root minimum.
    * With ``simulate`` replications and a questionnaire: Monte Carlo power of its paths at
      ``n`` (:func:`~loyaltysurvey.planning.montecarlo.monte_carlo_power`; ``effects``,
      ``default_effect``, ``loading``, ``exo_cor``, ``seed``, ``jobs``, ``executor``).

    Bad input raises :class:`~loyaltysurvey.errors.LoyaltySurveyError`.

    >>> plan = samplesize(population=10_000)
    >>> plan.cochran.n, plan.krejcie_morgan.n, sorted(plan.to_json())
    (370, 370, ['cochran', 'krejcie_morgan', 'settings'])
    """
    q = _questionnaire(questionnaire)
    c = cochran(margin, confidence, p, population, rounding)
    km = krejcie_morgan(population, margin, confidence, p, rounding, km_chi2)
    if n is not None and (int(n) != n or n < 2):
        raise LoyaltySurveyError(f"--n must be a whole number of at least 2 (got {n})")
    if (rmsea0 is None) != (rmsea_alt is None):
        raise LoyaltySurveyError("give both --rmsea0 and --rmsea-alt (the null and the alternative RMSEA)")
    rmsea = None
    df_source = "given"
    if df is None and q is not None:
        df, df_source = model_degrees_of_freedom(q), "questionnaire"
    if df is not None:
        pairs = ((rmsea0, rmsea_alt),) if rmsea0 is not None else ((0.05, 0.08), (0.05, 0.01))
        rmsea = rmsea_tests(df, pairs=pairs, power=power, alpha=alpha, n=n, df_source=df_source)
    elif rmsea0 is not None:
        raise LoyaltySurveyError("the RMSEA test needs the model's degrees of freedom: give --df or --questionnaire")
    regression = None
    predictors_source = "given"
    if predictors is None and q is not None and most_predictors(q):
        predictors, predictors_source = most_predictors(q), "questionnaire"
    if predictors is not None:
        regression = regression_power(predictors, f2=tuple(f2), power=power, alpha=alpha, n=n,
                                      predictors_source=predictors_source)
    isr = inverse_square_root(min_path, alpha, power) if min_path is not None else None
    mc = None
    if simulate:
        if q is None:
            raise LoyaltySurveyError("Monte Carlo power simulates a questionnaire's model: give --questionnaire")
        if n is None:
            raise LoyaltySurveyError("Monte Carlo power needs the sample size to simulate: give --n")
        from .montecarlo import monte_carlo_power
        mc = monte_carlo_power(q, int(n), int(simulate), effects=effects, default_effect=default_effect,
                               loading=loading, exo_cor=exo_cor, alpha=alpha, seed=seed, jobs=jobs,
                               executor=executor, progress=progress)
    settings = {"population": population, "margin": margin, "confidence": confidence, "p": p, "rounding": rounding,
                "power": power, "alpha": alpha, "n": n, "questionnaire": getattr(q, "source", None) if q else None}
    if simulate:
        settings.update({"replications": int(simulate), "effects": dict(effects or {}),
                         "default_effect": default_effect, "loading": loading, "exogenous_correlation": exo_cor,
                         "seed": seed})
    return SampleSizePlan(c, km, rmsea, regression, isr, mc,
                          tuple((k, str(v) if isinstance(v, Path) else v) for k, v in settings.items()))
