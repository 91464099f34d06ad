"""The measurement checks and construct-level tests of a run, with their verdicts.

:func:`measurement_checks` gathers what a thesis reports before factor analysis and SEM:
missing answers and Little's MCAR test, Mardia's multivariate normality, KMO and Bartlett's
test (overall and per construct), Harman's single-factor test and Kock's full-collinearity
VIF. :func:`construct_tests` gives each construct's position against the scale midpoint
(one-sample t-test, or the Wilcoxon signed-rank test for a construct that is not normal) and
Friedman's ranking of the constructs.

Every verdict is decided here against :mod:`loyaltysurvey.thresholds` (each with its
source); the report only states it. The statistics themselves live in
:mod:`~loyaltysurvey.analysis.adequacy`, :mod:`~loyaltysurvey.analysis.multinormal`,
:mod:`~loyaltysurvey.analysis.missingness` and :mod:`~loyaltysurvey.analysis.location`, each
checked against R in tests/test_checks_reference.py.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Mapping

import numpy as np
import pandas as pd

from ..questionnaire import Questionnaire
from ..thresholds import BARTLETT_P, HARMAN, KMO, KMO_BANDS, MARDIA_P, MCAR_P, MSA_ITEM, NORMAL, VIF_STRICT
from .adequacy import KMOResult, bartlett_sphericity, full_collinearity_vif, harman_single_factor, kmo
from .location import friedman, one_sample_t, wilcoxon_signed_rank
from .missingness import little_mcar, missing_table
from .multinormal import mardia

__all__ = ["MeasurementChecks", "ConstructTests", "measurement_checks", "construct_tests",
           "SMALL_SAMPLE_SKEW"]

#: Below this many complete cases Mardia's skewness is judged by its small-sample form (Mardia, 1974).
SMALL_SAMPLE_SKEW = 20


def _threshold(cut) -> dict[str, Any]:
    return {"threshold": cut.value, "source": cut.source}


def _kmo_json(res: KMOResult, with_verdict: bool = True) -> dict[str, Any]:
    out: dict[str, Any] = {"overall": res.overall, "items": {k: float(v) for k, v in res.items.items()}}
    if with_verdict:
        out["band"] = KMO_BANDS.band(res.overall)
        out["passed"] = KMO.passes(res.overall)
    return out


@dataclass(frozen=True)
class MeasurementChecks:
    """The measurement checks of a run (``results.json["checks"]``), verdicts included.

    ``kmo`` and ``kmo_constructs`` (constructs with at least three items; with two the measure
    is 0.5 by construction) come from :func:`~loyaltysurvey.analysis.adequacy.kmo`;
    ``bartlett`` and ``bartlett_constructs`` from
    :func:`~loyaltysurvey.analysis.adequacy.bartlett_sphericity`; ``harman`` from
    :func:`~loyaltysurvey.analysis.adequacy.harman_single_factor`; ``full_vif`` (and the
    respondents it used, ``full_vif_n``) from
    :func:`~loyaltysurvey.analysis.adequacy.full_collinearity_vif` on the construct scores (item
    means); ``mardia`` from :func:`~loyaltysurvey.analysis.multinormal.mardia`; ``missing`` and
    ``mcar`` from :mod:`~loyaltysurvey.analysis.missingness`. ``item_construct`` maps each item
    to its construct. All on the reverse-scored items of every construct.
    """

    kmo: KMOResult
    kmo_constructs: Mapping[str, KMOResult]
    bartlett: Mapping[str, float]
    bartlett_constructs: Mapping[str, Mapping[str, float]]
    harman: Mapping[str, float]
    full_vif: Mapping[str, float]
    full_vif_n: int
    mardia: Mapping[str, float]
    missing: Mapping[str, Any]
    mcar: Mapping[str, float]
    item_construct: Mapping[str, str] = field(default_factory=dict)
    #: Formative (mode B) constructs: their items need not correlate, so KMO and Bartlett's test
    #: do not judge them (Diamantopoulos & Winklhofer, 2001; Hair et al., 2019).
    formative: tuple[str, ...] = ()

    # ------------------------------------------------------------------ verdicts
    @property
    def items_low_msa(self) -> list[str]:
        """Items whose measure of sampling adequacy is below .50 (Hair et al., 2019)."""
        return [str(k) for k, v in self.kmo.items.items() if MSA_ITEM.passes(float(v)) is False]

    @property
    def vif_failing(self) -> list[str]:
        """Constructs whose full-collinearity VIF exceeds 3.3 (Kock, 2015)."""
        return [c for c, v in self.full_vif.items() if VIF_STRICT.passes(v) is False]

    @property
    def vif_passed(self) -> dict[str, bool | None]:
        """Per construct: full-collinearity VIF ≤ 3.3 (Kock, 2015); None when it could not be computed."""
        return {c: VIF_STRICT.passes(v) for c, v in self.full_vif.items()}

    @property
    def mardia_skew_test(self) -> str:
        """``small_skew`` below :data:`SMALL_SAMPLE_SKEW` complete cases, else ``skew``."""
        return "small_skew" if self.mardia.get("n", 0) < SMALL_SAMPLE_SKEW else "skew"

    def verdicts(self) -> dict[str, bool | None]:
        """Whether each check is met: True, False, or None when it could not be computed.

        ``kmo`` (overall KMO ≥ .60), ``kmo_items`` (every item's MSA ≥ .50), ``bartlett``
        (p < .05), ``harman`` (first factor < 50%), ``full_vif`` (every VIF ≤ 3.3),
        ``mardia_skew`` and ``mardia_kurtosis`` (p ≥ .05), ``mcar`` (p ≥ .05; None without
        missing answers), and ``common_method``: no sign of common method bias, i.e. both
        ``harman`` and ``full_vif`` are met (those that could be computed).
        """
        msa = [MSA_ITEM.passes(float(v)) for v in self.kmo.items.values]
        vif = [VIF_STRICT.passes(v) for v in self.full_vif.values()]
        harman = HARMAN.passes(self.harman["first_factor_share"])
        full_vif = None if not vif or None in vif else all(vif)
        known = [x for x in (harman, full_vif) if x is not None]
        return {
            "kmo": KMO.passes(self.kmo.overall),
            "kmo_items": None if not msa or None in msa else all(msa),
            "bartlett": BARTLETT_P.passes(self.bartlett["pvalue"]),
            "harman": harman,
            "full_vif": full_vif,
            "mardia_skew": MARDIA_P.passes(self.mardia[f"{self.mardia_skew_test}_p"]),
            "mardia_kurtosis": MARDIA_P.passes(self.mardia["kurtosis_p"]),
            "mcar": MCAR_P.passes(self.mcar["pvalue"]),
            "common_method": all(known) if known else None,
        }

    def factorability(self) -> dict[str, Any]:
        """Whether the items are fit for factor analysis: KMO ≥ .60 (Kaiser, 1974) and Bartlett's
        p < .05 (Bartlett, 1950), for all items (``all_items``) and per construct (``constructs``;
        a construct of fewer than three items is judged by Bartlett's test alone). None when
        a statistic could not be computed, or for a formative construct, whose items need not
        correlate (:attr:`formative`).
        """
        def both(k: float, b: float, need_kmo: bool) -> bool | None:
            kp, bp = KMO.passes(k), BARTLETT_P.passes(b)
            if bp is None or (kp is None and need_kmo):
                return None
            return bool(bp and kp is not False)

        return {"all_items": both(self.kmo.overall, self.bartlett["pvalue"], True),
                "constructs": {c: both(self.kmo_constructs[c].overall if c in self.kmo_constructs else float("nan"),
                                       b["pvalue"], len(self.kmo_constructs[c].items) >= 3
                                       if c in self.kmo_constructs else False)
                               if c not in self.formative else None
                               for c, b in self.bartlett_constructs.items()}}

    # ------------------------------------------------------------------ tables
    @property
    def items(self) -> pd.DataFrame:
        """Per item: ``construct``, ``msa`` (KMO of the item), ``n_missing`` and ``percent_missing``."""
        rows = {item: {"construct": self.item_construct.get(item, ""), "msa": float(self.kmo.items.get(item, np.nan)),
                       "n_missing": m["n_missing"], "percent_missing": m["percent"]}
                for item, m in self.missing["items"].items()}
        return pd.DataFrame.from_dict(rows, orient="index")

    @property
    def constructs(self) -> pd.DataFrame:
        """Per construct: ``kmo``, Bartlett's ``chisq``, ``df``, ``pvalue`` and the full-collinearity ``vif``."""
        rows = {}
        for cid, b in self.bartlett_constructs.items():
            k = self.kmo_constructs.get(cid)
            rows[cid] = {"kmo": k.overall if k else float("nan"), "chisq": b["chisq"], "df": b["df"],
                         "pvalue": b["pvalue"], "vif": self.full_vif.get(cid, float("nan"))}
        return pd.DataFrame.from_dict(rows, orient="index")

    def to_json(self) -> dict[str, Any]:
        """``results.json["checks"]``: CONTRACT's keys plus each check's threshold, source and verdict."""
        v = self.verdicts()
        kmo_json = _kmo_json(self.kmo)
        kmo_json.update(_threshold(KMO), item_threshold=MSA_ITEM.value, item_source=MSA_ITEM.source,
                        items_below=self.items_low_msa,
                        constructs={c: _kmo_json(r) for c, r in self.kmo_constructs.items()})
        bartlett = dict(self.bartlett, passed=v["bartlett"], **_threshold(BARTLETT_P),
                        constructs={c: dict(b, passed=BARTLETT_P.passes(b["pvalue"]))
                                    for c, b in self.bartlett_constructs.items()})
        skew_test = self.mardia_skew_test
        return {
            "kmo": kmo_json,
            "bartlett": bartlett,
            "harman": dict(self.harman, method="principal components, unrotated, pairwise correlations",
                           passed=v["harman"], **_threshold(HARMAN)),
            "full_vif": dict(self.full_vif),
            "full_vif_check": {"n": self.full_vif_n, "scores": "item means", "failing": self.vif_failing,
                               "passed": v["full_vif"], **_threshold(VIF_STRICT)},
            "mardia": dict(self.mardia, skew_test=skew_test, skew_passed=v["mardia_skew"],
                           kurtosis_passed=v["mardia_kurtosis"],
                           passed=None if None in (v["mardia_skew"], v["mardia_kurtosis"])
                           else v["mardia_skew"] and v["mardia_kurtosis"], **_threshold(MARDIA_P)),
            "factorability": self.factorability(),
            "common_method": {"passed": v["common_method"], "harman": v["harman"], "full_vif": v["full_vif"]},
            "missing": dict(self.missing),
            "mcar": dict(self.mcar, passed=v["mcar"], **_threshold(MCAR_P)),
        }


def measurement_checks(scored: pd.DataFrame, scores: pd.DataFrame, q: Questionnaire) -> MeasurementChecks:
    """Every measurement check on the questionnaire's items and construct scores.

    ``scored`` holds the reverse-scored answers (one column per item id) and ``scores`` the
    construct scores (item means when at least half the items are answered). KMO, Bartlett,
    Harman and Mardia use all items; KMO and Bartlett are repeated per construct; the full
    collinearity VIF uses the construct scores (complete cases); the missingness table and
    Little's test use the answers as they are. Each statistic is checked against R in
    tests/test_checks_reference.py, the whole against the same R values on the bundled example
    in tests/test_checks.py.

    >>> from loyaltysurvey.datasets import holzinger_swineford, hs_questionnaire
    >>> from loyaltysurvey.analysis import construct_scores
    >>> q = hs_questionnaire()
    >>> items = holzinger_swineford()[list(q.item_ids)]
    >>> checks = measurement_checks(items, construct_scores(items, q), q)
    >>> round(checks.kmo.overall, 3), checks.verdicts()["kmo"], checks.verdicts()["mcar"]
    (0.752, True, None)
    """
    items = scored[list(q.item_ids)]
    blocks = {c.id: list(c.item_ids) for c in q.first_order}
    nan_kmo = lambda ids: KMOResult(float("nan"), pd.Series(np.nan, index=ids, dtype=float))  # noqa: E731
    # higher-order scores are made of their dimensions' items: left out of the collinearity check
    vif, vif_n = full_collinearity_vif(scores[[c.id for c in q.first_order]])
    return MeasurementChecks(
        kmo=kmo(items),
        kmo_constructs={c: kmo(items[ids]) if len(ids) >= 3 else nan_kmo(ids) for c, ids in blocks.items()},
        bartlett=bartlett_sphericity(items),
        bartlett_constructs={c: bartlett_sphericity(items[ids]) for c, ids in blocks.items()},
        harman=harman_single_factor(items),
        full_vif=vif, full_vif_n=vif_n,
        mardia=mardia(items),
        missing=missing_table(items),
        mcar=little_mcar(items),
        item_construct={i: c for c, ids in blocks.items() for i in ids},
        formative=tuple(c.id for c in q.first_order if c.mode == "B"),
    )


@dataclass(frozen=True)
class ConstructTests:
    """Construct-level tests (``results.json["construct_tests"]``), decisions included.

    ``one_sample`` maps a construct to its test against the scale midpoint: ``n``, ``mean``,
    ``sd``, ``midpoint``, the t-test (``t``, ``df``, ``pvalue``), the Wilcoxon signed-rank test
    (``wilcoxon_v``, ``wilcoxon_p``, ``wilcoxon_exact``), ``normal`` (the chapter's verdict:
    |skewness| and |kurtosis| ≤ 2), ``test`` (``t`` when normal, else ``wilcoxon``), ``decision_p``
    and ``decision`` (``above``, ``below``, ``not_different`` or ``not_tested``). ``friedman``
    holds ``n``, ``chisq``, ``df``, ``pvalue``, ``mean_ranks``, ``ranking`` (highest mean rank
    first) and ``decision`` (``differ``, ``no_difference``, ``not_tested``). ``alpha`` is the
    significance level used.
    """

    one_sample: Mapping[str, Mapping[str, Any]]
    friedman: Mapping[str, Any]
    alpha: float = 0.05

    @property
    def table(self) -> pd.DataFrame:
        """One row per construct: the one-sample tests and the decision, with the Friedman mean rank."""
        frame = pd.DataFrame.from_dict({c: dict(v) for c, v in self.one_sample.items()}, orient="index")
        frame["mean_rank"] = pd.Series(self.friedman.get("mean_ranks", {}), dtype=float)
        return frame

    def to_json(self) -> dict[str, Any]:
        """``results.json["construct_tests"]``."""
        return {"one_sample": {c: dict(v) for c, v in self.one_sample.items()}, "friedman": dict(self.friedman),
                "alpha": self.alpha}


def _scale_range(q: Questionnaire, cid: str) -> tuple[float, float]:
    """The construct's scale range: the means of its items' minima and maxima."""
    items = q.construct_items(cid)
    return float(np.mean([item.scale.min for item in items])), float(np.mean([item.scale.max for item in items]))


def _midpoint(q: Questionnaire, cid: str) -> float:
    """The construct's scale midpoint: the mean of its items' (min + max) / 2."""
    items = q.construct_items(cid)  # a higher-order construct: its dimensions' items
    return float(np.mean([(item.scale.min + item.scale.max) / 2 for item in items]))


def construct_tests(scores: pd.DataFrame, construct_stats: pd.DataFrame, q: Questionnaire,
                    alpha: float = 0.05) -> ConstructTests:
    """Each construct against its scale midpoint, and Friedman's ranking of the constructs.

    For each construct the one-sample t-test and the Wilcoxon signed-rank test against the
    midpoint are both computed; the decision uses the t-test when the construct is normal by
    the chapter's criterion (|skewness| and |kurtosis| ≤ 2 in ``construct_stats``; George &
    Mallery, 2010), otherwise the Wilcoxon test. Significant at ``alpha``: ``above`` or
    ``below`` the midpoint (by the mean for t, by the signed-rank sum for Wilcoxon), else
    ``not_different``. Friedman's test runs on the complete cases of the construct scores; when
    the constructs are measured on scales of different ranges (1–5 and 0–10), each score is first
    rescaled to a share of its range (POMP, percent of maximum possible; Cohen et al., 1999), so
    that the ranks within a respondent compare like with like (``rescaled``: True). On scales of
    one range that changes no rank.
    The tests are checked against R's ``t.test``, ``wilcox.test`` and ``friedman.test`` in
    tests/test_checks_reference.py.

    >>> from loyaltysurvey.datasets import holzinger_swineford, hs_questionnaire
    >>> from loyaltysurvey.analysis import construct_scores, describe
    >>> q = hs_questionnaire()
    >>> scores = construct_scores(holzinger_swineford()[list(q.item_ids)], q)
    >>> tests = construct_tests(scores, describe(scores), q)
    >>> {c: r["decision"] for c, r in tests.one_sample.items()}
    {'visual': 'below', 'textual': 'below', 'speed': 'not_different'}
    >>> tests.friedman["ranking"]
    ['speed', 'visual', 'textual']
    """
    one = {}
    for c in q.constructs:
        x = scores[c.id].to_numpy(dtype=float)
        mid = _midpoint(q, c.id)
        t = one_sample_t(x, mid)
        w = wilcoxon_signed_rank(x, mid)
        sk = float(construct_stats.loc[c.id, "skewness"]) if c.id in construct_stats.index else float("nan")
        ku = float(construct_stats.loc[c.id, "kurtosis"]) if c.id in construct_stats.index else float("nan")
        normal = bool(NORMAL.passes(abs(sk)) and NORMAL.passes(abs(ku)))
        test = "t" if normal else "wilcoxon"
        p = t["pvalue"] if normal else w["pvalue"]
        if p is None or math.isnan(p):
            decision = "not_tested"
        elif p >= alpha:
            decision = "not_different"
        else:
            higher = t["mean"] > mid if normal else w["v"] > w["n"] * (w["n"] + 1) / 4
            decision = "above" if higher else "below"
        one[c.id] = {"n": t["n"], "mean": t["mean"], "sd": t["sd"], "midpoint": mid, "t": t["t"], "df": t["df"],
                     "pvalue": t["pvalue"], "wilcoxon_v": w["v"], "wilcoxon_p": w["pvalue"],
                     "wilcoxon_exact": w["exact"], "normal": normal, "test": test, "decision_p": p,
                     "decision": decision}
    first = [c.id for c in q.first_order]  # higher-order scores repeat their dimensions
    ranked = scores[first]
    ranges = {cid: _scale_range(q, cid) for cid in first}
    rescaled = len(set(ranges.values())) > 1
    if rescaled:  # ranks within a respondent compare scores: on different scales, as shares of each range
        ranked = pd.DataFrame({cid: (ranked[cid] - lo) / (hi - lo) for cid, (lo, hi) in ranges.items()})
    fr = friedman(ranked)
    fr["rescaled"] = rescaled
    ranks = fr["mean_ranks"]
    fr["ranking"] = sorted(ranks, key=lambda c: -ranks[c]) if not any(math.isnan(v) for v in ranks.values()) else []
    fr["decision"] = ("not_tested" if math.isnan(fr["pvalue"]) else
                      "differ" if fr["pvalue"] < alpha else "no_difference")
    return ConstructTests(one, fr, alpha)
