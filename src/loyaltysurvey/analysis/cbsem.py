"""The CB-SEM stage of an analysis: CFA of the constructs, then the structural model.

Pure: takes reverse-scored item data and the questionnaire, returns
:class:`CBSEMResults`. Failures of estimation become notices, so that the
rest of the chapter is still produced.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np
import pandas as pd

from ..errors import DataError
from ..errors import Notice
from ..sem import (SEM, SEMFit, average_variance_extracted, composite_reliability, factor_indicators,
                   fornell_larcker, htmt)
from ..sem.validity import higher_order_reliability
from ..sem.effects import compute_effects
from ..questionnaire import Questionnaire
from ..settings import Settings
from ..thresholds import AVE, CR, HTMT, HTMT_LIBERAL, LOADING_GOOD, LOADING_REMOVE, R2_BANDS
from .hypotheses import test_hypotheses

__all__ = ["CBSEMResults", "run_cbsem"]


@dataclass(frozen=True)
class CBSEMResults:
    """The CB-SEM stage: the CFA with its validity measures, the structural model, effects, hypotheses.

    ``cfa`` is the measurement model's fit and ``sem`` the full model's (``None`` when it
    failed or the questionnaire has no ``model``). ``cr`` and ``ave`` are composite
    reliability and AVE per construct, ``htmt`` the HTMT2 (geometric-mean) and
    ``htmt_classic`` the arithmetic HTMT ratios, ``fornell_larcker`` the Fornell-Larcker
    matrix; ``effects`` come from :func:`~loyaltysurvey.sem.effects.compute_effects` and
    ``hypotheses`` from :func:`~loyaltysurvey.analysis.hypotheses.test_hypotheses`.
    ``notices`` include estimation failures, which never stop the run. ``moderation`` holds the
    probed interactions (:class:`~loyaltysurvey.sem.moderation.ModerationResult`) and
    ``moderated_mediation`` the conditional indirect effects through their moderated paths
    (:class:`~loyaltysurvey.sem.moderation.ModeratedMediation`).
    """

    cfa: SEMFit | None = None
    sem: SEMFit | None = None
    effects: tuple = ()
    hypotheses: tuple = ()
    cr: dict[str, float] = field(default_factory=dict)
    ave: dict[str, float] = field(default_factory=dict)
    htmt: pd.DataFrame | None = None
    htmt_classic: pd.DataFrame | None = None
    fornell_larcker: pd.DataFrame | None = None
    checks: dict[str, list] = field(default_factory=dict)
    r2_band: dict[str, str] = field(default_factory=dict)
    notices: tuple[Notice, ...] = ()
    #: Higher-order construct -> {cr, ave, omega_l1, omega_l2, partial_omega_l1}
    #: (:func:`~loyaltysurvey.sem.validity.higher_order_reliability`).
    higher_order: dict[str, dict] = field(default_factory=dict)
    moderation: tuple = ()
    moderated_mediation: tuple = ()

    def to_json(self) -> dict[str, Any]:
        """The ``cfa`` (with ``validity``), ``sem``, ``mediation`` and ``hypotheses`` parts of results.json.

        Only the parts that were estimated appear.
        """
        out: dict[str, Any] = {}
        if self.cfa is not None:
            cfa = self.cfa.to_json()
            validity = {"cr": self.cr, "ave": self.ave}
            if self.htmt is not None:
                validity["htmt"] = _pairs(self.htmt)
                validity["htmt_classic"] = _pairs(self.htmt_classic)
            if self.fornell_larcker is not None:
                validity["fornell_larcker"] = {r: {c: float(v) for c, v in row.items()}
                                               for r, row in self.fornell_larcker.iterrows()}
            validity["checks"] = self.checks
            if self.higher_order:
                validity["higher_order"] = self.higher_order
            cfa["validity"] = validity
            out["cfa"] = cfa
        if self.sem is not None:
            sem = self.sem.to_json()
            sem["effects"] = [e.to_json() for e in self.effects]
            sem["r2_band"] = self.r2_band  # substantial / moderate / weak (Hair et al., 2019)
            out["sem"] = sem
            out["mediation"] = [e.to_json() for e in self.effects if e.kind in ("indirect", "total_indirect")]
            out["hypotheses"] = [h.to_json() for h in self.hypotheses]
            if self.moderation:
                out["moderation"] = [m.to_json() for m in self.moderation]
            if self.moderated_mediation:
                out["moderated_mediation"] = [m.to_json() for m in self.moderated_mediation]
        return out


def _pairs(matrix: pd.DataFrame) -> dict[str, dict[str, float]]:
    """{construct: {other construct: value}} for every pair, both ways (CONTRACT: htmt["KCF"]["CRMO"])."""
    names = list(matrix.index)
    return {a: {b: float(matrix.loc[a, b]) for b in names if b != a} for a in names}


def _em_correlations(frame: pd.DataFrame) -> pd.DataFrame:
    """Item correlations from the EM (FIML saturated) covariance matrix, as lavCor(missing = "ml")."""
    from ..sem.fiml import Patterns, em_saturated
    _, cov, _ = em_saturated(Patterns(frame.to_numpy(dtype=float)))
    sd = np.sqrt(np.diag(cov))
    return pd.DataFrame(cov / np.outer(sd, sd), index=frame.columns, columns=frame.columns)


def _measurement(scored: pd.DataFrame, q: Questionnaire, missing: str, estimator: str) -> dict[str, Any]:
    """The CFA of the constructs and the validity measures read from it."""
    cfa = SEM(q.cfa_statements).fit(scored, missing=missing, estimator=estimator)
    ave = average_variance_extracted(cfa)
    blocks = {f: items for f, items in factor_indicators(cfa).items()}
    used = scored[list(cfa.observed)].dropna() if missing == "listwise" else scored[list(cfa.observed)]
    correlations = used.corr() if missing == "listwise" else _em_correlations(used)
    cr = composite_reliability(cfa)
    ht = htmt(correlations, blocks, geometric=True)
    fl = fornell_larcker(cfa, ave)  # first-order constructs: a higher-order one is made of its dimensions
    higher = higher_order_reliability(cfa, [c.id for c in q.higher_order])
    cr.update({h: v["cr"] for h, v in higher.items()})
    ave.update({h: v["ave"] for h, v in higher.items()})
    return {"cfa": cfa, "cr": cr, "ave": ave, "htmt": ht, "htmt_classic": htmt(correlations, blocks),
            "fornell_larcker": fl, "checks": validity_checks(cfa, cr, ave, ht, fl), "higher_order": higher}


def validity_checks(cfa: SEMFit, cr: dict[str, float], ave: dict[str, float], ht: pd.DataFrame,
                    fl: pd.DataFrame) -> dict[str, list]:
    """Which constructs, items and pairs fail each convergent and discriminant validity criterion.

    ``ave`` and ``cr``: constructs below .50 (Fornell & Larcker, 1981) and .70 (Hair et al., 2019);
    ``loading``: items whose standardized loading is below .70, and ``loading_remove`` below .40
    (Hair et al., 2019); ``htmt``: construct pairs above .85, ``htmt_liberal`` above .90 (Henseler
    et al., 2015); ``fornell_larcker``: constructs whose square root of AVE does not exceed their
    correlations with every other construct (Fornell & Larcker, 1981). Empty lists: the criterion
    is met. The decisions are made here, from :mod:`loyaltysurvey.thresholds`; the report states them.
    """
    loadings = cfa.params[(cfa.params.op == "=~") & cfa.params.rhs.isin(cfa.observed)]
    pairs = [(a, b) for i, a in enumerate(ht.index) for b in list(ht.index)[i + 1:]]
    fl_fail = [c for c in fl.index
               if any(abs(fl.loc[c, o]) >= fl.loc[c, c] for o in fl.index if o != c)] if fl is not None else []
    return {
        "ave": [c for c, v in ave.items() if AVE.passes(v) is False],
        "cr": [c for c, v in cr.items() if CR.passes(v) is False],
        "loading": [r.rhs for r in loadings.itertuples() if LOADING_GOOD.passes(r.std_all) is False],
        "loading_remove": [r.rhs for r in loadings.itertuples() if LOADING_REMOVE.passes(r.std_all) is False],
        "htmt": [[a, b] for a, b in pairs if HTMT.passes(ht.loc[a, b]) is False],
        "htmt_liberal": [[a, b] for a, b in pairs if HTMT_LIBERAL.passes(ht.loc[a, b]) is False],
        "fornell_larcker": fl_fail,
    }


#: Above this share of respondents lost to listwise deletion the chapter recommends FIML.
LISTWISE_LOSS_LIMIT = 0.10


def _listwise_loss(used: int, respondents: int, missing: str) -> list[Notice]:
    """A note on the respondents listwise deletion left out of CB-SEM (always said; FIML advised above 10%)."""
    if missing != "listwise" or used >= respondents:
        return []
    share = 1 - used / respondents
    fiml = share > LISTWISE_LOSS_LIMIT
    advice = (" With this much missing data, full-information ML (--missing fiml) keeps every respondent."
              if fiml else "")
    return [Notice("listwise_loss", f"Listwise deletion left {used} of {respondents} respondents ({share:.0%} "
                   f"left out) for CB-SEM; descriptives, reliability and PLS-SEM use every respondent.{advice}", "",
                   {"used": used, "respondents": respondents, "percent": 100 * share,
                    "advice": "missing_fiml" if fiml else ""})]


def run_cbsem(scored: pd.DataFrame, q: Questionnaire, settings: Settings, executor: Any = None,
              progress: Callable[[int], Any] | None = None) -> CBSEMResults:
    """CFA, then the structural model with its effects and hypotheses; failures become notices.

    ``scored`` holds the reverse-scored item answers. The CFA fits the questionnaire's
    :attr:`~loyaltysurvey.questionnaire.schema.Questionnaire.measurement_syntax`; CR and AVE
    are read from it, HTMT from the item correlations (listwise, or from the EM covariance
    matrix under FIML). The structural model fits the
    :attr:`~loyaltysurvey.questionnaire.schema.Questionnaire.full_syntax` with the settings'
    missing-data treatment and estimator, bootstrapped when ``settings.bootstrap`` is set
    (``executor``/``progress`` as in :func:`~loyaltysurvey.sem.bootstrap.map_chunks`). The
    fits and the CR, AVE and HTMT functions used here are checked against lavaan 0.6.14 and
    semTools 0.5.6 (the bundled example's model among the cases) in tests/test_sem_reference.py.

    >>> from loyaltysurvey.datasets import holzinger_swineford, hs_questionnaire
    >>> from loyaltysurvey.ingest import ingest
    >>> from loyaltysurvey.settings import Settings
    >>> q = hs_questionnaire()
    >>> data = ingest(q, holzinger_swineford()[[f"x{i}" for i in range(1, 10)]])
    >>> from loyaltysurvey.analysis.scoring import score_items
    >>> cb = run_cbsem(score_items(data.responses, q), q, Settings.resolve(q, method="cb"))
    >>> [(h.id, h.decision) for h in cb.hypotheses], sorted(cb.cr)
    ([('H1', 'supported'), ('H2', 'not_supported')], ['speed', 'textual', 'visual'])
    """
    notices: list[Notice] = []
    parts: dict[str, Any] = {}
    missing, estimator = settings.cb_missing, settings.estimator
    for c in q.first_order:  # a formative (mode B) construct is estimated here as a common factor
        if c.mode == "B":
            notices.append(Notice("formative_in_cb", f"construct '{c.id}' is declared formative (mode B); CB-SEM "
                                  "estimates it as a reflective common factor, so its loadings, CR and AVE and the "
                                  "CB-SEM fit do not assess it as formative; PLS-SEM does (or use --method pls)",
                                  c.id, {"construct": c.id}))
    try:
        parts = _measurement(scored, q, missing, estimator)
        notices.extend(parts["cfa"].notices)
        notices.extend(_listwise_loss(parts["cfa"].nobs, len(scored), missing))
    except DataError as exc:
        notices.append(Notice("cfa_failed", f"the confirmatory factor analysis could not be estimated: {exc}"))
    sem = None
    effects: list = []
    hypotheses: list = []
    r2_band: dict[str, str] = {}
    moderation: list = []
    conditional: list = []
    if q.model:
        try:
            se = "bootstrap" if settings.bootstrap else "standard"
            sem = SEM(q.sem_statements).fit(scored, missing=missing, estimator=estimator, se=se,
                                         bootstrap=settings.bootstrap, seed=settings.seed, jobs=settings.jobs,
                                         executor=executor, progress=progress, level=settings.level)
            # a notice the CFA gave already in the same words (a latent covariance matrix that is not
            # positive definite in both models) is not repeated
            notices.extend(n for n in sem.notices if n not in notices)
            effects = compute_effects(sem, settings.alpha, settings.level)
            constructs = {c.id for c in q.constructs}
            r2_band = {c: R2_BANDS.band(v) for c, v in sem.r2.items() if c in constructs}
            hypotheses = test_hypotheses(q, sem, effects, settings.alpha)
            moderation = probe_moderation(q, sem, settings.level)
            from ..sem.moderation import moderated_mediation
            conditional = [x for m in moderation for x in moderated_mediation(sem, m, level=settings.level)]
        except DataError as exc:
            notices.append(Notice("sem_failed", f"the structural model could not be estimated: {exc}"))
    return CBSEMResults(sem=sem, effects=tuple(effects), hypotheses=tuple(hypotheses), notices=tuple(notices),
                        r2_band=r2_band, moderation=tuple(moderation),
                        moderated_mediation=tuple(conditional), **parts)


def probe_moderation(q: Questionnaire, sem: SEMFit, level: float = 0.95) -> list:
    """Simple slopes and Johnson-Neyman interval of every interaction of the structural model.

    For ``Y ~ A + B + A:B`` the first side ``A`` is the focal predictor and ``B`` the moderator,
    unless a moderation hypothesis names them the other way (then that order, as the hypothesis
    states it, is probed too). See :func:`~loyaltysurvey.sem.moderation.probe_interaction`.
    """
    from ..sem.moderation import probe_interaction
    from ..sem.syntax import interaction_parts
    est = sem.params
    out, done = [], set()
    wanted = {(h.source, h.moderator, h.target) for h in q.hypotheses if h.moderator}
    for r in est[est.op == "~"].itertuples():
        parts = interaction_parts(r.rhs)
        if parts is None:
            continue
        orders = [parts] + [(f, m) for f, m in (parts, parts[::-1]) if (f, m, r.lhs) in wanted]
        for focal, moderator in orders:
            key = (focal, moderator, r.lhs)
            if key in done or not {focal, moderator} <= set(est.loc[(est.op == "~") & (est.lhs == r.lhs), "rhs"]):
                continue
            done.add(key)
            out.append(probe_interaction(sem, r.lhs, r.rhs, focal, level=level))
    return out
