"""The Python API: ``loyaltysurvey.analyze(questionnaire, data, **options) -> Study``.

:func:`analyze` runs the whole analysis in memory, from a questionnaire (a YAML path or a
:class:`~loyaltysurvey.questionnaire.Questionnaire`) and responses (a .csv/.xlsx/.sav path or
a pandas DataFrame), and writes nothing. The :class:`Study` it returns is immutable and holds
typed results whose tables are pandas DataFrames with lavaan's and seminr's column names
(dotted: ``est, se, z, pvalue, ci.lower, ci.upper, std.all``; see
:mod:`loyaltysurvey.sem.columns`). :meth:`Study.to_json` is exactly ``results.json``;
:meth:`Study.write` writes the chapter; :meth:`Study.summary` shows the essentials as text
or, in a notebook, as HTML.

>>> import loyaltysurvey
>>> from loyaltysurvey.datasets import crm_questionnaire, crm_export
>>> study = loyaltysurvey.analyze(crm_questionnaire(), crm_export(), bootstrap=0)
>>> study.settings.method, study.n
('both', 420)
>>> study.hypotheses[["id", "decision"]].head(2).values.tolist()
[['H1', 'supported'], ['H2', 'supported']]
"""

from __future__ import annotations

import html
import json
import os
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Callable, Iterable

import pandas as pd

from .analysis import AnalysisResults, analyze_responses
from .analysis.checks import ConstructTests, MeasurementChecks
from .analysis.comparison import ModelComparison
from .analysis.exploratory import ExploratoryAnalysis
from .errors import LoyaltySurveyError, ModelError, Notice
from .ingest import IngestResult, ingest
from .pls import PLSFit
from .questionnaire import Questionnaire, load_questionnaire
from .sem import SEMFit, dotted_columns
from .settings import Settings

__all__ = ["Study", "Summary", "analyze", "FORMATS"]

#: What :meth:`Study.write` can write: results.json, the chapter three ways, and the ingestion outputs.
FORMATS = ("json", "html", "docx", "xlsx", "ingest")


def analyze(questionnaire: str | os.PathLike | Questionnaire, data: str | os.PathLike | pd.DataFrame, *,
            progress: Callable[[int], Any] | None = None, executor: Any = None,
            early: Callable[[AnalysisResults], Any] | None = None, **options: Any) -> "Study":
    """Analyse survey responses against a questionnaire; nothing is written.

    Parameters
    ----------
    questionnaire:
        A questionnaire YAML path or a :class:`~loyaltysurvey.questionnaire.Questionnaire`
        (for example from :class:`~loyaltysurvey.questionnaire.QuestionnaireBuilder`).
    data:
        Responses: a .csv, .xlsx or .sav path, or a pandas DataFrame (one row per respondent).
    progress:
        Called with the number of resamples finished (bootstrap progress).
    executor:
        Anything with ``map`` (for example a ``dask.distributed.Client``) to run resampling chunks on.
    early:
        Called with the results so far before the group comparisons and PLS-SEM, when they run,
        and before PLSpredict (see :func:`~loyaltysurvey.analysis.pipeline.analyze_responses`).
    **options:
        The settings of :meth:`loyaltysurvey.settings.Settings.resolve`: ``lang``, ``method``
        (``cb``, ``pls``, ``both``), ``missing`` (``listwise``, ``fiml``, ``mean``), ``estimator``
        (``ML``, ``MLR``), ``bootstrap``, ``seed``, ``jobs``, ``scheduler`` (a Dask scheduler
        address or ``local``), ``pls_scheme``, ``ipma_target``, ``level``, ``alpha``, ``sheet``,
        ``encoding``, ``fit_layout`` (``compact`` or ``lisrel``: how the chapter prints the fit table), ``table_source``
        (``auto``, ``on`` or ``off``: a source line under each table, on by default in Persian),
        ``efa`` (True adds the exploratory factor analysis), ``efa_factors``, ``efa_method``
        (``minres``, ``ml``), ``efa_rotation`` (``oblimin``, ``varimax``, ``none``), ``efa_iterations``.
        ``group`` (a demographic id or a column of the data: multigroup CB-SEM, measurement
        invariance and equal paths across its groups; results.json ``invariance``, ``groups`` and
        ``group_comparison``; with PLS-SEM also MICOM and PLS-MGA: ``groups[g]["pls"]``, ``pls_mga``,
        ``micom``) and ``group_partial`` (parameters freed across groups, lavaan's
        ``group.partial``, e.g. ``["KCF=~KCF2", "KCF1~1"]``); ``permutations`` (label permutations
        of MICOM and the PLS-MGA permutation test, default 1,000).
        ``platform`` (the survey platform whose export ``data`` is, e.g. ``qualtrics``; detected
        from the headers when not given; ``none`` reads a plain table).
        ``exclude``
        (screening flags whose respondents leave the analysis, e.g. ``"speeders,longstring"`` or a
        list; default none, every flag only reported) and the flags' thresholds ``speeder_share``,
        ``speeder_seconds``, ``longstring_max``, ``irv_min``, ``outlier_p`` (see
        :mod:`loyaltysurvey.ingest.screening`).

    Raises
    ------
    LoyaltySurveyError
        Bad input (its message names the file and the YAML line, row or column).
    """
    q = questionnaire if isinstance(questionnaire, Questionnaire) else load_questionnaire(questionnaire)
    unknown = sorted(set(options) - set(Settings.options()))
    if unknown:
        derived = {"pls_bootstrap": "bootstrap", "cb_missing": "missing", "pls_missing": "missing"}
        if unknown[0] in derived:
            raise LoyaltySurveyError(f"analyze() takes no option '{unknown[0]}': it follows the option "
                                     f"'{derived[unknown[0]]}' (see loyaltysurvey.Settings.resolve)")
        raise LoyaltySurveyError(f"analyze() got an unknown option '{unknown[0]}'; the options are "
                                 f"{', '.join(Settings.options())}")
    settings = Settings.resolve(q, **options)
    data_result = ingest(q, data, sheet=settings.sheet, encoding=settings.encoding, platform=settings.platform,
                         screening=settings.screening)
    if executor is None and settings.scheduler:
        from .parallel import dask_executor
        pool = dask_executor(settings.scheduler, settings.jobs)
    else:
        pool = nullcontext(executor)
    try:
        with pool as runner:
            results = analyze_responses(data_result, settings, executor=runner, progress=progress, early=early)
    except ModelError as exc:
        raise ModelError(f"model: {exc.detail}", source=q.source, line=q.model_line(exc.line)) from None
    return Study(results)


def _join(values: Iterable[str]) -> str:
    return ", ".join(values)


@dataclass(frozen=True)
class Study:
    """One analysed survey (immutable): typed results, their tables as DataFrames, and the chapter.

    Everything here is also in :meth:`to_json` (``results.json``); the report is built from
    the same object.
    """

    results: AnalysisResults

    # ------------------------------------------------------------------ what was analysed
    @property
    def questionnaire(self) -> Questionnaire:
        return self.results.questionnaire

    @property
    def settings(self) -> Settings:
        """The resolved settings (every default filled in), as recorded in results.json."""
        return self.results.settings

    @property
    def ingest(self) -> IngestResult:
        """The ingested responses (``.responses``: items as answered) and the ledger (``.ledger``)."""
        return self.results.ingest

    @property
    def n(self) -> int:
        """Respondents kept by ingestion."""
        return int(self.results.ingest.ledger.respondents)

    @property
    def screening(self) -> pd.DataFrame:
        """Every screened respondent (the excluded ones too): the screening values (``duration``,
        ``longest_run``, ``within_sd``, ``attention_failed``, ``duplicate_of``, ``d2``, ``d2_p``), one
        boolean column per flag, and ``excluded``."""
        s = self.results.ingest.screening
        return s.table.copy() if s is not None else pd.DataFrame()

    @property
    def notices(self) -> tuple[Notice, ...]:
        return self.results.notices

    @property
    def warnings(self) -> pd.DataFrame:
        """The data-quality and estimation notes: ``code, message, subject``."""
        return pd.DataFrame([n.to_json() for n in self.notices], columns=["code", "message", "subject"])

    # ------------------------------------------------------------------ tables
    @property
    def descriptives(self) -> pd.DataFrame:
        """Item descriptives (reverse-worded items reversed): n, missing, mean, sd, ..., skewness, kurtosis."""
        return self.results.item_stats.copy()

    @property
    def construct_descriptives(self) -> pd.DataFrame:
        return self.results.construct_stats.copy()

    @property
    def scores(self) -> pd.DataFrame:
        """Construct scores (item means when at least half the items are answered)."""
        return self.results.scores.copy()

    @property
    def demographics(self) -> dict[str, pd.DataFrame]:
        return {k: v.copy() for k, v in self.results.demographics.items()}

    @property
    def reliability(self) -> pd.DataFrame:
        """Per construct: ``k, n, alpha, alpha.ci.lower, alpha.ci.upper, std.alpha, omega`` and, from the
        CFA, ``cr`` and ``ave``; a higher-order construct has ``k`` = its number of dimensions, ``cr`` and
        ``ave`` only."""
        cb = self.results.cbsem
        rows = {}
        for cid, rel in self.results.reliability.items():
            rows[cid] = {"k": rel.k, "n": rel.n, "alpha": rel.alpha, "alpha_ci_lower": rel.alpha_ci[0],
                         "alpha_ci_upper": rel.alpha_ci[1], "std_alpha": rel.std_alpha, "omega": rel.omega,
                         "cr": cb.cr.get(cid, float("nan")) if cb else float("nan"),
                         "ave": cb.ave.get(cid, float("nan")) if cb else float("nan")}
        nan = float("nan")
        for c in self.questionnaire.higher_order:  # no items: CR and AVE of the CFA only
            rows[c.id] = {"k": len(c.dimensions), "n": nan, "alpha": nan, "alpha_ci_lower": nan, "alpha_ci_upper": nan,
                          "std_alpha": nan, "omega": nan, "cr": cb.cr.get(c.id, nan) if cb else nan,
                          "ave": cb.ave.get(c.id, nan) if cb else nan}
        return dotted_columns(pd.DataFrame.from_dict(rows, orient="index"))

    @property
    def item_reliability(self) -> pd.DataFrame:
        """Per item: ``construct, r.drop`` (corrected item-total correlation) and ``alpha.if.deleted``."""
        rows = [{"construct": cid, "item": item, "r_drop": st.r_drop, "alpha_if_deleted": st.alpha_if_deleted}
                for cid, rel in self.results.reliability.items() for item, st in rel.items.items()]
        return dotted_columns(pd.DataFrame(rows))

    @property
    def cfa(self) -> SEMFit | None:
        """The CFA of all constructs (``.estimates()``, ``.fit_measures()``, ``.inspect()``)."""
        cb = self.results.cbsem
        return cb.cfa if cb else None

    @property
    def sem(self) -> SEMFit | None:
        """The structural model (CB-SEM), when the questionnaire has one."""
        cb = self.results.cbsem
        return cb.sem if cb else None

    @property
    def validity(self) -> dict[str, pd.DataFrame]:
        """``htmt`` (HTMT2), ``htmt_classic`` and ``fornell_larcker`` matrices from the CFA."""
        cb = self.results.cbsem
        if cb is None or cb.htmt is None:
            return {}
        return {"htmt": cb.htmt.copy(), "htmt_classic": cb.htmt_classic.copy(),
                "fornell_larcker": cb.fornell_larcker.copy()}

    @property
    def checks(self) -> MeasurementChecks | None:
        """The measurement checks: KMO and Bartlett (overall and per construct), Harman's single
        factor, the full-collinearity VIF, Mardia's tests, missing answers and Little's MCAR test,
        with their verdicts (``.verdicts()``; tables ``.items`` and ``.constructs``); as
        ``results.json["checks"]``.

        >>> import loyaltysurvey
        >>> from loyaltysurvey.datasets import crm_questionnaire, crm_export
        >>> study = loyaltysurvey.analyze(crm_questionnaire(), crm_export(), method="cb")
        >>> round(study.checks.kmo.overall, 3), study.checks.verdicts()["harman"]  # psych::KMO: .895
        (0.895, True)
        """
        return self.results.checks

    @property
    def efa(self) -> ExploratoryAnalysis | None:
        """The optional exploratory factor analysis (``efa=True``): ``.parallel`` (Horn's parallel
        analysis), ``.fit`` (loadings, communalities, variance, Phi) and ``.items`` (each item's
        factor, salience and cross-loadings); as ``results.json["efa"]``. None unless asked."""
        return self.results.efa

    @property
    def construct_tests(self) -> ConstructTests | None:
        """Each construct against its scale midpoint (t-test, or Wilcoxon when not normal) and
        Friedman's ranking (``.table``, ``.friedman``); as ``results.json["construct_tests"]``."""
        return self.results.construct_tests

    @property
    def pls(self) -> PLSFit | None:
        """The PLS-SEM fit with its bootstrap (``.paths``, ``.loadings``, ``.reliability``, ...)."""
        return self.results.pls

    @property
    def comparison(self) -> "ModelComparison | None":
        """The comparison of the model with the questionnaire's ``alternatives`` (``None`` without them):
        ``.cbsem`` (fit per model, the chi-square difference tests and decisions), ``.pls`` (BIC and GM
        per structural regression), ``.summary()`` as DataFrames; results.json's ``model_comparison``."""
        return self.results.comparison

    @property
    def effects(self) -> pd.DataFrame:
        """Direct-path-free effects of the CB-SEM model: every specific indirect effect, total indirect and
        total effects (``kind, from, to, through, est, std.all, se, z, pvalue, ci.lower, ci.upper`` and
        the mediation columns)."""
        cb = self.results.cbsem
        rows = [e.to_json() for e in cb.effects] if cb else []
        return dotted_columns(pd.DataFrame(rows))

    @property
    def hypotheses(self) -> pd.DataFrame:
        """Each hypothesis with its test and ``decision`` (``supported``, ``not_supported``, ``not_tested``)."""
        rows = [h.to_json() for h in self.results.hypotheses]  # CB-SEM's, or PLS-SEM's with --method pls
        for row in rows:
            row["text"] = row["text"] if isinstance(row["text"], str) else next(iter(row["text"].values()), "")
        return dotted_columns(pd.DataFrame(rows))

    # ------------------------------------------------------------------ outputs
    def to_json(self) -> dict[str, Any]:
        """Exactly the content of ``results.json`` (plain JSON types, full precision, NaN as null)."""
        return self.results.to_json()

    def summary(self) -> "Summary":
        """The essentials: sample, reliability, fit, hypotheses and PLS paths, as text or HTML."""
        return Summary.of(self)

    def _repr_html_(self) -> str:
        return self.summary().as_html()

    def __repr__(self) -> str:
        return f"<Study {self.questionnaire.id!r}: {self.n} respondents, method {self.settings.method}>"

    def write(self, out: str | os.PathLike, formats: Iterable[str] = FORMATS, lang: str | None = None,
              today: date | None = None) -> dict[str, Path]:
        """Write ``results.json``, ``report.html``, ``report.docx``, ``tables.xlsx`` and (``ingest``)
        ``clean.csv`` with ``ingest.json`` into the folder ``out``; returns each file's path."""
        from .workflow import write_study
        return write_study(self, out, tuple(formats), lang, today)


@dataclass(frozen=True)
class Summary:
    """A short account of a study: named tables and notes, shown as text or HTML (statsmodels' habit)."""

    title: str
    tables: dict[str, pd.DataFrame]
    notes: tuple[str, ...]

    @classmethod
    def of(cls, study: Study) -> "Summary":
        led = study.ingest.ledger
        s = study.settings
        tables: dict[str, pd.DataFrame] = {"reliability": study.reliability.round(3)}
        for name, fit in (("CFA fit", study.cfa), ("SEM fit", study.sem)):
            if fit is not None:
                keys = [k for k in ("chisq", "df", "pvalue", "cfi", "tli", "rmsea", "srmr") if k in fit.measures]
                tables[name] = fit.fit_measures(keys).round(3).to_frame("value")
        if len(study.hypotheses):
            cols = [c for c in ("id", "from", "to", "through", "est", "std.all", "pvalue", "ci.lower", "ci.upper",
                                "decision") if c in study.hypotheses]
            tables["hypotheses"] = study.hypotheses[cols].round(3)
        if study.pls is not None:
            cols = ["from", "to", "est", "t", "pvalue", "ci.lower", "ci.upper", "decision"]
            tables["PLS paths"] = study.pls.paths[cols].round(3)
        screened = led.screening or {}
        screening = (f"screening: {screened.get('flagged', 0)} respondents flagged, {screened.get('excluded', 0)} "
                     f"excluded ({', '.join(screened.get('exclude', [])) or 'flags only'})")
        notes = (f"{led.respondents} respondents kept of {led.input_rows} rows ({len(led.excluded)} excluded)",
                 screening,
                 f"method {s.method}; CB-SEM {s.estimator}, missing {s.cb_missing}, bootstrap {s.bootstrap}; "
                 f"PLS missing {s.pls_missing}, {s.pls_bootstrap} resamples; seed {s.seed}",
                 *(f"{n.code}: {n.message}" for n in study.notices))
        return cls(f"loyaltysurvey: {study.questionnaire.id}", tables, notes)

    def as_text(self) -> str:
        parts = [self.title, "=" * len(self.title)]
        for name, table in self.tables.items():
            parts += ["", name, "-" * len(name), table.to_string()]
        parts += ["", *self.notes]
        return "\n".join(parts)

    def as_html(self) -> str:
        parts = [f"<h3>{html.escape(self.title)}</h3>"]
        for name, table in self.tables.items():
            parts.append(f"<h4>{html.escape(name)}</h4>{table.to_html(escape=True)}")
        parts.append("<ul>" + "".join(f"<li>{html.escape(n)}</li>" for n in self.notes) + "</ul>")
        return "\n".join(parts)

    def _repr_html_(self) -> str:
        return self.as_html()

    def __str__(self) -> str:
        return self.as_text()
