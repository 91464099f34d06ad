"""The settings of one analysis, resolved once: every default lives here.

:meth:`Settings.resolve` validates what the user gave (command-line options or keyword
arguments of :func:`loyaltysurvey.analyze`) against the questionnaire and fills in the
defaults of CONTRACT: the method (``both`` when the questionnaire has a structural model),
missing-data handling per engine (listwise for CB-SEM and the item mean for PLS-SEM, as
lavaan and seminr do), the resample counts (no CB-SEM bootstrap unless asked; 5,000 PLS
resamples), and the seed. The resolved settings are recorded whole in
``results.json["meta"]["settings"]``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any

from .errors import LoyaltySurveyError
from .ingest.screening import ScreeningOptions

__all__ = ["Settings", "DEFAULT_SEED", "DEFAULT_PLS_BOOTSTRAP"]

#: Resampling is reproducible by default: without a seed this one is used (and recorded).
DEFAULT_SEED = 20260101
#: PLS inference always bootstraps; this many resamples unless ``bootstrap`` says otherwise.
DEFAULT_PLS_BOOTSTRAP = 5000

_CHOICES = {"method": ("cb", "pls", "both"), "missing": ("listwise", "fiml", "mean"),
            "estimator": ("ML", "MLR"), "pls_scheme": ("path", "factorial", "centroid"),
            "fit_layout": ("compact", "lisrel"), "table_source": ("auto", "on", "off"),
            "efa_method": ("minres", "ml"), "efa_rotation": ("oblimin", "varimax", "none"),
            "pls_interaction": ("product_indicator", "orthogonal", "two_stage")}


def _option(name: str) -> str:
    return "--" + name.replace("_", "-")


#: Decimal separators a Persian chapter may use: the Persian momayyez (the default), the slash
#: many Persian theses type, the point and the comma.
DECIMAL_SEPARATORS = ("٫", "/", ".", ",")


@dataclass(frozen=True)
class Settings:
    """Every setting of an analysis, as used.

    ``missing`` is what the user asked for (or its default); ``cb_missing`` and
    ``pls_missing`` are what each engine did with it. ``bootstrap`` counts CB-SEM
    resamples (0: standard errors), ``pls_bootstrap`` PLS-SEM resamples (0: no
    intervals, so no PLS decisions). ``group`` names the demographic or data column whose values
    split the respondents for the multigroup CB-SEM (measurement invariance, equal paths), and
    ``group_partial`` the parameters freed across groups (lavaan ``group.partial``); with PLS-SEM the
    groups are also compared by MICOM and PLS-MGA, whose permutation tests draw ``permutations``
    label permutations (default 1,000) and whose group bootstraps draw ``pls_bootstrap`` resamples.
    ``fit_layout`` sets how the chapter prints the CB-SEM
    fit table: ``compact`` (quantity, value, threshold, verdict) or ``lisrel`` (index,
    desired value, model value, result, in the order of LISREL's output). ``efa`` adds the
    optional exploratory factor analysis: parallel analysis with ``efa_iterations`` simulated
    data sets (psych's default 20), then ``efa_factors`` factors (None: as many as parallel
    analysis suggests) by ``efa_method`` (``minres`` or ``ml``) and ``efa_rotation``
    (``oblimin``, ``varimax`` or ``none``), psych's defaults minres and oblimin. Asking for
    ``efa_factors`` turns ``efa`` on.    ``exclude`` names
    the screening flags whose respondents leave the analysis (default none: all flags are only
    reported), and ``speeder_share``, ``speeder_seconds``, ``longstring_max`` (None: half the
    items, rounded up, less one), ``irv_min`` and ``outlier_p`` are the flags' thresholds (see
    :mod:`loyaltysurvey.ingest.screening`).
    """

    lang: str
    method: str
    missing: str
    cb_missing: str
    pls_missing: str
    estimator: str
    bootstrap: int
    pls_bootstrap: int
    seed: int
    jobs: int
    scheduler: str | None
    pls_scheme: str
    ipma_target: str | None
    level: float = 0.95
    alpha: float = 0.05
    sheet: str | None = None
    encoding: str | None = None
    fit_layout: str = "compact"
    table_source: str = "auto"
    decimal: str | None = None
    chapter: int = 4
    efa: bool = False
    efa_factors: int | None = None
    efa_method: str = "minres"
    efa_rotation: str = "oblimin"
    efa_iterations: int = 20
    group: str | None = None
    group_partial: tuple[str, ...] = ()
    permutations: int = 1000
    platform: str | None = None
    exclude: tuple[str, ...] = ()
    speeder_share: float = 0.5
    speeder_seconds: float | None = None
    longstring_max: int | None = None
    irv_min: float = 0.0
    outlier_p: float = 0.001
    pls_interaction: str = "product_indicator"

    @classmethod
    def names(cls) -> tuple[str, ...]:
        return tuple(f.name for f in fields(cls))

    @classmethod
    def options(cls) -> tuple[str, ...]:
        """The options :meth:`resolve` (and so :func:`loyaltysurvey.analyze`) takes: the settings but
        those it derives (``cb_missing`` and ``pls_missing`` from ``missing``, ``pls_bootstrap`` from
        ``bootstrap``).

        >>> "bootstrap" in Settings.options(), "pls_bootstrap" in Settings.options()
        (True, False)
        """
        import inspect
        return tuple(name for name in inspect.signature(cls.resolve).parameters if name != "questionnaire")

    @classmethod
    def resolve(cls, questionnaire: Any, *, lang: str | None = None, method: str | None = None,
                missing: str | None = None, estimator: str = "ML", bootstrap: int | None = None,
                seed: int | None = None, jobs: int = 1, scheduler: str | None = None, pls_scheme: str = "path",
                ipma_target: str | None = None, level: float = 0.95, alpha: float = 0.05,
                sheet: str | None = None, encoding: str | None = None,
                fit_layout: str = "compact", table_source: str = "auto",
                decimal: str | None = None, chapter: int = 4, efa: bool = False,
                efa_factors: int | None = None, efa_method: str = "minres", efa_rotation: str = "oblimin",
                efa_iterations: int = 20, group: str | None = None,
                group_partial: Any = (), permutations: int = 1000, platform: str | None = None,
                exclude: Any = None,
                speeder_share: float = 0.5, speeder_seconds: float | None = None,
                longstring_max: int | None = None, irv_min: float = 0.0,
                outlier_p: float = 0.001, pls_interaction: str = "product_indicator") -> "Settings":
        """Validate the options against ``questionnaire`` and fill in every default.

        >>> from loyaltysurvey.datasets import crm_questionnaire
        >>> s = Settings.resolve(crm_questionnaire())
        >>> s.method, s.cb_missing, s.pls_missing, s.bootstrap, s.pls_bootstrap, s.seed
        ('both', 'listwise', 'mean', 0, 5000, 20260101)
        """
        given = {"method": method, "missing": missing, "estimator": estimator, "pls_scheme": pls_scheme,
                 "fit_layout": fit_layout, "table_source": table_source, "efa_method": efa_method,
                 "efa_rotation": efa_rotation, "pls_interaction": pls_interaction}
        for name, value in given.items():
            # a choice in any case (--estimator mlr, --method PLS) is the choice
            canonical = next((c for c in _CHOICES[name] if isinstance(value, str) and value.lower() == c.lower()), None)
            if value is not None and canonical is None:
                raise LoyaltySurveyError(f"{_option(name)} must be one of {', '.join(_CHOICES[name])}, not '{value}'")
            given[name] = canonical
        method, missing, estimator, pls_scheme = given["method"], given["missing"], given["estimator"], given["pls_scheme"]
        fit_layout, table_source, efa_method = given["fit_layout"], given["table_source"], given["efa_method"]
        efa_rotation, pls_interaction = given["efa_rotation"], given["pls_interaction"]
        if not isinstance(chapter, int) or isinstance(chapter, bool) or not 0 <= chapter <= 99:
            raise LoyaltySurveyError("--chapter must be the thesis chapter's number (0 to 99; 0 numbers tables 1, 2, ...)")
        if decimal is not None and decimal not in DECIMAL_SEPARATORS:
            raise LoyaltySurveyError(f"--decimal must be one of {' '.join(DECIMAL_SEPARATORS)}, not '{decimal}'")
        if lang is not None and not (2 <= len(lang) <= 3 and lang.isalpha()):
            raise LoyaltySurveyError(f"--lang must be a language code such as fa or en, not '{lang}'")
        if bootstrap is not None and (not isinstance(bootstrap, int) or bootstrap < 0):
            raise LoyaltySurveyError("--bootstrap must be 0 or a positive number of resamples")
        if not isinstance(jobs, int) or jobs < 1:
            raise LoyaltySurveyError("--jobs must be at least 1")
        if seed is not None and (not isinstance(seed, int) or seed < 0):
            raise LoyaltySurveyError("--seed must be a whole number of 0 or more")
        if efa_factors is not None and (not isinstance(efa_factors, int) or isinstance(efa_factors, bool)
                                        or efa_factors < 1):
            raise LoyaltySurveyError("--efa-factors must be a positive number of factors")
        if not isinstance(efa_iterations, int) or isinstance(efa_iterations, bool) or efa_iterations < 1:
            raise LoyaltySurveyError("--efa-iterations must be a positive number of simulated data sets")
        if not 0 < level < 1 or not 0 < alpha < 1:
            raise LoyaltySurveyError("level and alpha must lie between 0 and 1")
        if group is not None and (not isinstance(group, str) or not group.strip()):
            raise LoyaltySurveyError("--group must name a demographic or a column of the data")
        if group is not None:
            refuse_multiple_group(questionnaire, group.strip())
        if not isinstance(permutations, int) or isinstance(permutations, bool) or permutations < 0:
            raise LoyaltySurveyError("--permutations must be 0 or a positive number of permutations")
        if isinstance(group_partial, str):
            group_partial = [p for p in group_partial.split(",")]
        group_partial = tuple("".join(str(p).split()) for p in group_partial if str(p).strip())
        if group_partial and group is None:
            raise LoyaltySurveyError("--group-partial needs --group")
        from .ingest.platforms import check_platform
        platform = check_platform(platform)
        screening = ScreeningOptions.parse(exclude, speeder_share=speeder_share, speeder_seconds=speeder_seconds,
                                           longstring_max=longstring_max, irv_min=irv_min, outlier_p=outlier_p)
        has_model = bool(questionnaire.model)
        method = method or ("both" if has_model else "cb")
        if method in ("pls", "both") and not has_model:
            method = "cb"
        ids = [c.id for c in questionnaire.constructs]
        if ipma_target is not None and ipma_target not in ids:
            raise LoyaltySurveyError(f"--ipma-target must be one of the constructs {', '.join(ids)}, "
                                     f"not '{ipma_target}'")
        if method == "pls" and missing == "fiml":
            raise LoyaltySurveyError("--missing fiml is full-information maximum likelihood, a CB-SEM estimator; "
                                     "PLS-SEM replaces missing answers by item means (--missing mean, the default) "
                                     "or leaves out incomplete respondents (--missing listwise)")
        if method == "cb" and missing == "mean":
            raise LoyaltySurveyError("--missing mean (item means) is PLS-SEM's handling; CB-SEM uses listwise deletion "
                                     "(--missing listwise, the default) or full-information maximum likelihood "
                                     "(--missing fiml)" + ("" if has_model else
                                                           "; without a structural model only CB-SEM runs"))
        missing = missing or ("mean" if method == "pls" else "listwise")
        cb_missing = "listwise" if missing == "mean" else missing
        pls_missing = "casewise" if method == "pls" and missing == "listwise" else "mean"
        return cls(lang=lang or questionnaire.language, method=method, missing=missing, cb_missing=cb_missing,
                   pls_missing=pls_missing, estimator=estimator, bootstrap=bootstrap or 0,
                   pls_bootstrap=DEFAULT_PLS_BOOTSTRAP if bootstrap is None else bootstrap,
                   seed=DEFAULT_SEED if seed is None else seed, jobs=jobs, scheduler=scheduler,
                   pls_scheme=pls_scheme, ipma_target=ipma_target, level=level, alpha=alpha, sheet=sheet,
                   encoding=encoding, fit_layout=fit_layout, table_source=table_source, decimal=decimal,
                   chapter=chapter, efa=bool(efa or efa_factors is not None), efa_factors=efa_factors,
                   efa_method=efa_method, efa_rotation=efa_rotation, efa_iterations=efa_iterations,
                   group=group.strip() if group else None, group_partial=group_partial,
                   permutations=permutations, platform=platform,
                   exclude=screening.exclude, speeder_share=speeder_share,
                   speeder_seconds=speeder_seconds, longstring_max=longstring_max, irv_min=irv_min,
                   outlier_p=outlier_p, pls_interaction=pls_interaction)

    @property
    def screening(self) -> ScreeningOptions:
        """The screening's options: which flags exclude respondents, and their thresholds."""
        return ScreeningOptions(exclude=self.exclude, speeder_share=self.speeder_share,
                                speeder_seconds=self.speeder_seconds, longstring_max=self.longstring_max,
                                irv_min=self.irv_min, outlier_p=self.outlier_p)

    @property
    def runs_cb(self) -> bool:
        return self.method in ("cb", "both")

    @property
    def runs_pls(self) -> bool:
        return self.method in ("pls", "both")

    def to_json(self) -> dict[str, Any]:
        out = asdict(self)
        out["exclude"] = list(self.exclude)
        return out


def refuse_multiple_group(questionnaire: Any, group: str, option: str = "--group") -> None:
    """Refuse a multi-select demographic as the grouping variable of ``option`` (a respondent may
    be in several of its options at once), with a one-line error saying what to do instead.

    >>> from loyaltysurvey.questionnaire import QuestionnaireBuilder
    >>> q = (QuestionnaireBuilder("t").construct("S", "S", ["S1", "S2", "S3"])
    ...      .demographic("ch", "Channels", values={1: "SMS", 2: "App"}, multiple=True).build())
    >>> refuse_multiple_group(q, "ch")
    Traceback (most recent call last):
    ...
    loyaltysurvey.errors.LoyaltySurveyError: --group 'ch' is a multi-select demographic (a respondent may choose more than one option), so it cannot split the respondents into groups; use one of its options as its own yes/no column instead
    """
    demo = next((d for d in getattr(questionnaire, "demographics", ()) if d.id == group), None)
    if demo is not None and demo.multiple:
        raise LoyaltySurveyError(f"{option} '{group}' is a multi-select demographic (a respondent may choose more "
                                 "than one option), so it cannot split the respondents into groups; use one of "
                                 "its options as its own yes/no column instead")
