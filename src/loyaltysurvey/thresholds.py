"""The cut-offs the chapter judges against, each with its source, in one place.

Both the analysis (its notices) and the report (its verdicts and threshold notes) read
these, so a threshold is stated once. ``Cutoff.passes`` says whether a value meets it;
``FitRule.verdict`` grades a fit index as ``good``, ``acceptable`` or ``poor`` (``na``
when the index could not be computed).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

__all__ = ["Bands", "Cutoff", "F2_BANDS", "F2_INTERACTION_BANDS", "FitRule", "R2_BANDS", "ALPHA", "CR", "RHO_A", "AVE", "R_DROP", "LOADING_STD", "LOADING_PLS",
           "HTMT", "HTMT_LIBERAL", "LOADING_GOOD", "LOADING_REMOVE", "NORMAL", "Q2_PREDICT", "VIF", "VIF_STRICT", "FIT_RULES", "fit_verdict",
           "FIT_NO_VERDICT", "GOF_BANDS", "Q2_BLINDFOLDING", "Q2_BANDS", "SRMR_PLS", "NFI_PLS",
           "KMO", "KMO_BANDS", "MSA_ITEM", "BARTLETT_P", "HARMAN", "MARDIA_P", "MCAR_P", "CHISQ_DIFF_P",
           "DELTA_CFI", "DELTA_RMSEA", "EFA_LOADING", "EFA_LOADING_SHOWN", "DELTA_CHISQ_P", "f2_bands",
           "ROBUST_FIT", "judged_fit"]


@dataclass(frozen=True)
class Cutoff:
    """A one-sided threshold: values ``>= value`` pass (``higher_is_better``) or ``<= value`` pass."""

    value: float
    source: str
    higher_is_better: bool = True
    strict: bool = False

    def passes(self, x: float | None) -> bool | None:
        """True or False, or None when ``x`` is missing (nothing was tested).

        >>> ALPHA.passes(0.82), ALPHA.passes(0.61), ALPHA.passes(float("nan"))
        (True, False, None)
        """
        if x is None or math.isnan(x):
            return None
        if self.strict:
            return x > self.value if self.higher_is_better else x < self.value
        return x >= self.value if self.higher_is_better else x <= self.value


#: Cronbach's alpha and omega (Nunnally & Bernstein, 1994; Hair et al., 2019).
ALPHA = Cutoff(0.70, "Nunnally & Bernstein, 1994")
#: Composite reliability (CR, rho_c) (Hair et al., 2019).
CR = Cutoff(0.70, "Hair et al., 2019")
#: Dijkstra-Henseler's rho_A (Hair et al., 2019).
RHO_A = Cutoff(0.70, "Hair et al., 2019")
#: Average variance extracted (Fornell & Larcker, 1981).
AVE = Cutoff(0.50, "Fornell & Larcker, 1981")
#: Corrected item-total correlation (Nunnally & Bernstein, 1994).
R_DROP = Cutoff(0.30, "Nunnally & Bernstein, 1994")
#: Standardized CFA loading below which an item is flagged (Hair et al., 2019).
LOADING_STD = Cutoff(0.50, "Hair et al., 2019")
#: PLS outer loading (indicator reliability .50, i.e. loading .708; Hair et al., 2019).
LOADING_PLS = Cutoff(0.708, "Hair et al., 2019")
#: Outer loading that keeps a formative indicator whose weight is not significant (Hair et al., 2019).
FORMATIVE_LOADING = Cutoff(0.50, "Hair et al., 2019")
#: HTMT, conservative (Henseler, Ringle & Sarstedt, 2015).
HTMT = Cutoff(0.85, "Henseler et al., 2015", higher_is_better=False)
#: HTMT, liberal (Gold, Malhotra & Segars, 2001; Henseler et al., 2015).
HTMT_LIBERAL = Cutoff(0.90, "Henseler et al., 2015", higher_is_better=False)
#: Standardized loading below which an item may be removed (Hair et al., 2019).
LOADING_REMOVE = Cutoff(0.40, "Hair et al., 2019")
#: Standardized CFA loading that meets indicator reliability (Hair et al., 2019).
LOADING_GOOD = Cutoff(0.70, "Hair et al., 2019")
#: Indicator and inner VIF: collinearity is critical at 5 (Hair et al., 2019).
VIF = Cutoff(5.0, "Hair et al., 2019", higher_is_better=False, strict=True)
#: Conservative VIF (3.3; Diamantopoulos & Siguaw, 2006; Kock, 2015).
VIF_STRICT = Cutoff(3.3, "Kock, 2015", higher_is_better=False)
#: PLSpredict Q² must exceed 0 (Shmueli et al., 2019).
Q2_PREDICT = Cutoff(0.0, "Shmueli et al., 2019", strict=True)
#: |skewness| and |kurtosis| (George & Mallery, 2010).
NORMAL = Cutoff(2.0, "George & Mallery, 2010", higher_is_better=False)


@dataclass(frozen=True)
class FitRule:
    """Good and acceptable cut-offs of a fit index."""

    good: float
    acceptable: float
    source: str
    higher_is_better: bool = True

    def verdict(self, value: float | None) -> str:
        """``good``, ``acceptable``, ``poor``, or ``na`` when the value is missing.

        >>> FIT_RULES["rmsea"].verdict(0.05), FIT_RULES["rmsea"].verdict(0.07), FIT_RULES["cfi"].verdict(0.85)
        ('good', 'acceptable', 'poor')
        """
        if value is None or math.isnan(value):
            return "na"
        better = (lambda v, cut: v >= cut) if self.higher_is_better else (lambda v, cut: v <= cut)
        if better(value, self.good):
            return "good"
        if better(value, self.acceptable):
            return "acceptable"
        return "poor"


FIT_RULES: dict[str, FitRule] = {
    "cfi": FitRule(0.95, 0.90, "Hu & Bentler, 1999"),
    "tli": FitRule(0.95, 0.90, "Hu & Bentler, 1999"),
    "rmsea": FitRule(0.06, 0.08, "Hu & Bentler, 1999", higher_is_better=False),
    "srmr": FitRule(0.08, 0.08, "Hu & Bentler, 1999", higher_is_better=False),
    "gfi": FitRule(0.90, 0.90, "Jöreskog & Sörbom, 1984"),
    "agfi": FitRule(0.80, 0.80, "Gefen et al., 2000"),
    "nfi": FitRule(0.90, 0.90, "Bentler & Bonett, 1980"),
    "chisq_df": FitRule(3.0, 3.0, "Kline, 2016", higher_is_better=False),
    # Bollen's IFI and the NNFI (= TLI) are judged like CFI and TLI (Hu & Bentler, 1999, studied
    # both: "BL89" and "TLI"); the parsimony-adjusted PNFI and PGFI at .50 (Mulaik et al., 1989).
    "ifi": FitRule(0.95, 0.90, "Hu & Bentler, 1999"),
    "nnfi": FitRule(0.95, 0.90, "Hu & Bentler, 1999"),
    "pnfi": FitRule(0.50, 0.50, "Mulaik et al., 1989"),
    "pgfi": FitRule(0.50, 0.50, "Mulaik et al., 1989"),
}
#: Fit measures reported without a verdict: no cut-off with a citable source exists (the raw RMR
#: is in the items' own units; ECVI only ranks competing models; chi-square and its p-value are
#: shown for the record, the ratio carries the verdict).
FIT_NO_VERDICT = ("chisq", "df", "pvalue", "rmr", "ecvi")


@dataclass(frozen=True)
class Bands:
    """Named ranges of an effect size: the first band whose lower edge a value reaches."""

    edges: tuple[tuple[float, str], ...]
    below: str
    source: str
    #: the range a value can take in an admissible solution; outside it the band is ``inadmissible``
    valid: tuple[float, float] | None = None

    def band(self, x: float | None) -> str:
        """The band's name, ``na`` when ``x`` is missing, ``inadmissible`` outside :attr:`valid`
        (a CB-SEM R² above 1 comes from a negative residual variance: no strength to name).

        >>> R2_BANDS.band(0.62), R2_BANDS.band(0.1), F2_BANDS.band(0.2), R2_BANDS.band(1.87)
        ('moderate', 'very_weak', 'medium', 'inadmissible')
        """
        if x is None or math.isnan(x):
            return "na"
        if self.valid is not None and not self.valid[0] <= x <= self.valid[1]:
            return "inadmissible"
        return next((name for edge, name in self.edges if x >= edge), self.below)


#: R² of .75, .50 and .25: substantial, moderate and weak (Hair et al., 2019).
R2_BANDS = Bands(((0.75, "substantial"), (0.50, "moderate"), (0.25, "weak")), "very_weak", "Hair et al., 2019",
                 valid=(0.0, 1.0))
#: f² of .35, .15 and .02: large, medium and small (Cohen, 1988).
F2_BANDS = Bands(((0.35, "large"), (0.15, "medium"), (0.02, "small")), "negligible", "Cohen, 1988")
#: f² of an interaction term of .025, .01 and .005: large, medium and small (Kenny, 2018, as Hair
#: et al., 2022, advise for moderation in PLS-SEM; Cohen's bands are far too high for interactions).
F2_INTERACTION_BANDS = Bands(((0.025, "large"), (0.01, "medium"), (0.005, "small")), "negligible", "Kenny, 2018")


def f2_bands(source: str) -> Bands:
    """The bands of the f² of ``source``: :data:`F2_INTERACTION_BANDS` for an interaction term
    (``A:B``), else :data:`F2_BANDS`.

    >>> f2_bands("SAT:SWC").band(0.02), f2_bands("SAT").band(0.02)
    ('medium', 'small')
    """
    return F2_INTERACTION_BANDS if ":" in source else F2_BANDS
#: PLS GoF of .36, .25 and .10: large, medium and small (Wetzels et al., 2009: the square roots of
#: an average AVE of .50 times Cohen's R² of .26, .13 and .02).
GOF_BANDS = Bands(((0.36, "large"), (0.25, "medium"), (0.10, "small")), "negligible", "Wetzels et al., 2009")
#: Stone-Geisser Q² by blindfolding above 0: predictive relevance (Hair et al., 2017).
Q2_BLINDFOLDING = Cutoff(0.0, "Hair et al., 2017", strict=True)
#: Q² above 0, .25 and .50: small, medium and large predictive relevance (Hair, Risher, et al., 2019).
Q2_BANDS = Bands(((0.50, "large"), (0.25, "medium"), (0.0, "small")), "none", "Hair, Risher, et al., 2019")
#: SRMR of the PLS model below .08 (Henseler et al., 2016; Hu & Bentler, 1999).
SRMR_PLS = Cutoff(0.08, "Henseler et al., 2016", higher_is_better=False, strict=True)
#: NFI of the PLS model above .90 (Bentler & Bonett, 1980), the cut-off SmartPLS's documentation gives.
NFI_PLS = Cutoff(0.90, "Bentler & Bonett, 1980", strict=True)


def fit_verdict(key: str, value: float | None) -> str:
    """The verdict of fit index ``key`` (a key of :data:`FIT_RULES`)."""
    return FIT_RULES[key].verdict(value)


#: Under MLR the judged χ², CFI, TLI and RMSEA are lavaan's Yuan-Bentler scaled statistic and its
#: robust indices (``fitMeasures()``'s ``chisq.scaled``, ``cfi.robust``, ``tli.robust``,
#: ``rmsea.robust``); the others (SRMR, GFI...) have no robust version and stay ML's.
ROBUST_FIT = {"chisq": "chisq_scaled", "df": "df_scaled", "pvalue": "pvalue_scaled", "cfi": "cfi_robust",
              "tli": "tli_robust", "nnfi": "tli_robust", "rmsea": "rmsea_robust"}


def judged_fit(measures: dict, estimator: str) -> dict:
    """The fit measures the verdicts read: ``measures`` as they are under ML, and under MLR with
    :data:`ROBUST_FIT`'s scaled and robust values in place of the ML ones (χ²/df from the scaled
    χ²; no RMSEA interval, as lavaan gives none for the robust RMSEA here).

    >>> fit = {"chisq": 814.3, "df": 416, "chisq_scaled": 679.7, "df_scaled": 416, "pvalue": 0.0,
    ...        "pvalue_scaled": 0.0, "cfi": 0.924, "cfi_robust": 0.938, "tli": 0.915, "tli_robust": 0.931,
    ...        "rmsea": 0.053, "rmsea_robust": 0.048, "srmr": 0.052}
    >>> judged = judged_fit(fit, "MLR")
    >>> judged["cfi"], judged["rmsea"], round(judged["chisq_df"], 3), judged["srmr"], judged_fit(fit, "ML") is fit
    (0.938, 0.048, 1.634, 0.052, True)
    """
    if estimator != "MLR" or not all(measures.get(v) is not None for v in ROBUST_FIT.values()):
        return measures
    out = dict(measures)
    out.update({k: measures[v] for k, v in ROBUST_FIT.items()})
    out["chisq_df"] = out["chisq"] / out["df"] if out["df"] else float("nan")
    out["rmsea_ci_lower"] = out["rmsea_ci_upper"] = float("nan")
    return out


# ---------------------------------------------------------------- measurement checks and construct tests
#: Kaiser-Meyer-Olkin measure: .90 marvellous, .80 meritorious, .70 middling, .60 mediocre, .50 miserable,
#: below .50 unacceptable (Kaiser, 1974).
KMO_BANDS = Bands(((0.90, "marvellous"), (0.80, "meritorious"), (0.70, "middling"), (0.60, "mediocre"),
                   (0.50, "miserable")), "unacceptable", "Kaiser, 1974")
#: Overall KMO adequate for factor analysis: at least .60, "mediocre" or better (Kaiser, 1974).
KMO = Cutoff(0.60, "Kaiser, 1974")
#: Per-item measure of sampling adequacy: items below .50 are candidates for removal (Hair et al., 2019).
MSA_ITEM = Cutoff(0.50, "Hair et al., 2019")
#: Bartlett's test of sphericity must reject (p < .05) for the correlations to be worth factoring (Bartlett, 1950).
BARTLETT_P = Cutoff(0.05, "Bartlett, 1950", higher_is_better=False, strict=True)
#: Harman's single factor: common method bias is a concern when the first factor takes 50% or more (Podsakoff et al., 2003).
HARMAN = Cutoff(0.50, "Podsakoff et al., 2003", higher_is_better=False, strict=True)
#: Mardia's tests: p of at least .05 does not reject multivariate normality (Mardia, 1970).
MARDIA_P = Cutoff(0.05, "Mardia, 1970")
#: Little's MCAR test: p of at least .05 does not reject missing completely at random (Little, 1988).
MCAR_P = Cutoff(0.05, "Little, 1988")


# ---------------------------------------------------------------- model comparison
#: A nested, more restricted model fits no worse when the chi-square difference test does not reject
#: at p < .05 (Satorra & Bentler, 2001, for the scaled difference under MLR).
CHISQ_DIFF_P = Cutoff(0.05, "Satorra & Bentler, 2001")
#: The more restricted model fits no worse when CFI drops by no more than .01 (Cheung & Rensvold, 2002):
#: delta CFI = CFI(restricted) - CFI(less restricted) >= -.01.
DELTA_CFI = Cutoff(-0.01, "Cheung & Rensvold, 2002")
#: ... and RMSEA rises by no more than .015 (Chen, 2007): delta RMSEA <= .015.
DELTA_RMSEA = Cutoff(0.015, "Chen, 2007", higher_is_better=False)

# ---------------------------------------------------------------- exploratory factor analysis
#: EFA loadings of .30 or more meet the minimal level for interpretation; smaller ones are left blank
#: in the loadings table, and a second loading of this size marks a cross-loading (Hair et al., 2019).
EFA_LOADING_SHOWN = Cutoff(0.30, "Hair et al., 2019")
#: An item's largest EFA loading should reach .50, practically significant (Hair et al., 2019).
EFA_LOADING = Cutoff(0.50, "Hair et al., 2019")

# ---------------------------------------------------------------- measurement invariance across groups
#: A level of invariance holds when CFI drops by no more than .01 and RMSEA rises by no more than .015
#: (DELTA_CFI, DELTA_RMSEA above); the chi-square difference test does not reject the equality
#: constraints at p >= .05 (Vandenberg & Lance, 2000; Satorra & Bentler, 2001, under MLR): reported,
#: but sensitive to sample size.
DELTA_CHISQ_P = Cutoff(0.05, "Vandenberg & Lance, 2000")
