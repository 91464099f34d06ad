"""PLS-SEM as seminr and SmartPLS estimate it: ``PLS(constructs, paths).fit(data) -> PLSFit``.

``PLSFit`` is immutable and reads as seminr's ``summary()`` does, each table a pandas
DataFrame with the API's dotted column names (see :mod:`loyaltysurvey.sem.columns`):
``paths``, ``loadings``, ``weights``, ``reliability`` (alpha, rho.c, rho.a, ave),
``htmt``, ``fornell_larcker``, ``cross_loadings``, ``r2``, ``r2_adj``, ``f2``, ``vif``,
``item_vif``, ``indirect`` and ``total_effects``; and the model's global fit and predictive
relevance: ``gof`` (Tenenhaus et al., 2005), ``q2_blindfolding`` (Stone-Geisser Q² by
blindfolding, cross-validated redundancy and communality) and ``model_fit`` (SRMR and NFI of the
estimated and saturated model, as SmartPLS reports them). :meth:`PLSFit.bootstrap` returns a new
fit with bootstrap inference (seminr's ``bootstrap_model``): the bootstrap SD as SE,
``t = est / SE``, a two-sided p-value from the t distribution with B - 1 degrees of
freedom, percentile and BCa intervals, and the decision on each path.

Checked against seminr 2.3.2 on mobi (mode A, mode B, PLSc) and corp_rep
(tests/test_pls_reference.py) and the published mobi paths (tests/test_pls_published.py).
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any, Callable, Mapping, Sequence

import numpy as np
import pandas as pd

from ..distributions import t_sf
from ..errors import DataError, ModelError, Notice
from ..sem.bootstrap import intervals
from ..sem.columns import dotted_columns
from ..sem.decision import decide
from ..sem.effects import path_chains
from ..sem.syntax import parse_model
from .algorithm import PLSEstimate, PLSSpec, fit_pls
from .blindfolding import blindfolding, omission_distance
from .evaluate import evaluate
from .global_fit import gof, model_fit
from .interaction import METHODS, interaction_terms, orthogonal_columns, product_columns
from .ipma import IPMAResult, ipma
from .predict import PLSPrediction, pls_predict
from .resampling import DrawLayout, bootstrap_draws, htmt_pairs, jackknife_draws

__all__ = ["PLS", "PLSFit", "PLSResamples"]

#: What bootstrap inference adds to an estimate (NaN without resamples).
_INFERENCE = ("se", "t", "pvalue", "ci_lower", "ci_upper", "ci_bca_lower", "ci_bca_upper")
_MODES = {"A": "A", "composite": "A", "B": "B", "formative": "B", "R": "R", "reflective": "R"}


@dataclass(frozen=True)
class PLSResamples:
    """Bootstrap draws (one row per successful resample, in :class:`DrawLayout` order) and jackknife values."""

    draws: np.ndarray
    jackknife: np.ndarray
    requested: int
    failed: int
    seed: int | None

    @property
    def successful(self) -> int:
        return int(self.draws.shape[0])


class PLS:
    """A PLS path model: constructs measured by indicators, and the structural paths between them.

    Parameters
    ----------
    constructs:
        ``{construct: [indicator columns]}``, in the order the model should list them.
    paths:
        lavaan-style regressions (``"SAT ~ KCF + CRMO\\nLOY ~ SAT"``) or ``(source, target)`` pairs.
    modes:
        ``{construct: "A" | "B" | "reflective"}``: mode A composites (the default), mode B
        (formative) composites, or reflective constructs estimated by consistent PLS (PLSc).
    interaction:
        how an interaction source ``A:B`` in ``paths`` is measured: ``"product_indicator"`` (the
        default), ``"orthogonal"`` or ``"two_stage"``, as seminr's ``interaction_term()``
        (:mod:`loyaltysurvey.pls.interaction`); the interaction construct is named ``A:B``.

    >>> from loyaltysurvey.datasets import crm_responses
    >>> data = crm_responses()
    >>> model = PLS({"SAT": ["SAT1", "SAT2", "SAT3", "SAT4"], "LOY": ["LOY1", "LOY2", "LOY3", "LOY4"]},
    ...             "LOY ~ SAT")
    >>> fit = model.fit(data)
    >>> fit.paths[["from", "to"]].values.tolist(), round(float(fit.r2["LOY"]), 3) == round(float(fit.paths.est[0]) ** 2, 3)
    ([['SAT', 'LOY']], True)
    """

    def __init__(self, constructs: Mapping[str, Sequence[str]], paths: str | Sequence[tuple[str, str]],
                 modes: Mapping[str, str] | None = None, interaction: str = "product_indicator") -> None:
        if not constructs:
            raise ModelError("a PLS model needs at least one construct with indicators")
        self.constructs = {str(k): tuple(v) for k, v in constructs.items()}
        for name, items in self.constructs.items():
            if not items:
                raise ModelError(f"construct '{name}' has no indicators")
        if isinstance(paths, str):
            pairs = [(s.rhs, s.lhs) for s in parse_model(paths) if s.op == "~" and s.rhs != "1"]
        else:
            pairs = [(str(a), str(b)) for a, b in paths]
        self.paths = tuple(dict.fromkeys(pairs))
        if interaction not in METHODS:
            raise ModelError(f"interaction method '{interaction}' is not one of {', '.join(METHODS)}")
        self.interaction = interaction
        self.base_constructs = dict(self.constructs)
        self.interactions = interaction_terms(self.paths, self.base_constructs)
        for term, (a, b) in self.interactions.items():
            self.constructs[term] = (tuple(f"{x}*{y}" for x in self.base_constructs[a] for y in self.base_constructs[b])
                                     if interaction in ("product_indicator", "orthogonal") else (term,))
        modes = dict(modes or {})
        unknown = [m for m in modes.values() if m not in _MODES]
        if unknown:
            raise ModelError(f"mode '{unknown[0]}' is not A, B or reflective")
        self.modes = tuple(_MODES[modes.get(name, "A")] for name in self.constructs)

    def _with_interactions(self, frame: pd.DataFrame, scheme: str) -> pd.DataFrame:
        """``frame`` (the analysed indicators) with the interactions' generated columns
        (:mod:`loyaltysurvey.pls.interaction`)."""
        extra = []
        if self.interaction in ("product_indicator", "orthogonal"):
            columns = product_columns if self.interaction == "product_indicator" else orthogonal_columns
            for term, (a, b) in self.interactions.items():
                extra.append(columns(frame, self.base_constructs[a], self.base_constructs[b]))
        else:
            main = [(s, t) for s, t in self.paths if s not in self.interactions]
            stage1 = PLS(self.base_constructs, main, dict(zip(self.base_constructs, self.modes))).fit(
                frame, scheme=scheme, missing="casewise")
            names = list(stage1.spec.constructs)
            scores = stage1.estimate.scores
            extra.append(pd.DataFrame({term: scores[:, names.index(a)] * scores[:, names.index(b)]
                                       for term, (a, b) in self.interactions.items()}, index=frame.index))
        return pd.concat([frame, *extra], axis=1)

    @property
    def indicators(self) -> tuple[str, ...]:
        seen: dict[str, None] = {}
        for items in self.constructs.values():
            seen.update(dict.fromkeys(items))
        return tuple(seen)

    def spec(self, scheme: str = "path") -> PLSSpec:
        index = {c: i for i, c in enumerate(self.indicators)}
        return PLSSpec(tuple(self.constructs), tuple(tuple(index[i] for i in items)
                                                     for items in self.constructs.values()),
                       self.modes, self.paths, scheme=scheme)

    def fit(self, data: pd.DataFrame, *, scheme: str = "path", missing: str = "mean",
            level: float = 0.95) -> "PLSFit":
        """Estimate the model on ``data`` (one column per indicator).

        ``scheme`` is the inner weighting scheme (``path``, ``factorial`` or ``centroid``);
        ``missing`` replaces a missing answer by the indicator's mean (``mean``, seminr's
        default) or drops the respondent (``casewise``).
        """
        if scheme not in ("path", "factorial", "centroid"):
            raise ModelError(f"scheme '{scheme}' is not path, factorial or centroid")
        columns = list(self.indicators)
        generated = {c for term in self.interactions for c in self.constructs[term]}
        base = [c for c in columns if c not in generated]
        absent = [c for c in base if c not in data.columns]
        if absent:
            raise DataError(f"the PLS model uses '{absent[0]}', which is not a column of the data")
        frame = data[base].astype(float)
        if missing in ("casewise", "listwise"):
            frame = frame.dropna()
        elif missing == "mean":
            frame = frame.fillna(frame.mean())
        else:
            raise ModelError(f"missing = '{missing}' is not available for PLS-SEM; use mean or casewise")
        if len(frame) < 10:
            raise DataError(f"only {len(frame)} respondents are left for PLS-SEM")
        if self.interactions:
            frame = self._with_interactions(frame, scheme)
        X = frame[columns].to_numpy()
        spec = self.spec(scheme)
        estimate = fit_pls(X, spec)
        notices = () if estimate.converged else (
            Notice("pls_not_converged", f"the PLS algorithm did not converge in {estimate.iterations} iterations; "
                   "the results are not trustworthy", "", {"iterations": estimate.iterations}),)
        ev = evaluate(estimate, spec, X, columns)
        return PLSFit(spec, tuple(columns), X, estimate, ev, "casewise" if missing == "listwise" else missing,
                      level, notices=notices)


@dataclass(frozen=True)
class PLSFit:
    """An estimated PLS path model (immutable); see the module docstring for its tables."""

    spec: PLSSpec
    indicators: tuple[str, ...]
    data: np.ndarray
    estimate: PLSEstimate
    evaluation: dict = field(repr=False)
    missing: str = "mean"
    level: float = 0.95
    resamples: PLSResamples | None = None
    prediction: PLSPrediction | None = None
    importance: IPMAResult | None = None
    notices: tuple[Notice, ...] = ()
    checks: dict = field(default_factory=dict)
    #: Two-stage higher-order constructs: the first stage's fit, whose scores of the dimensions are
    #: this model's indicators of the higher-order constructs (see analysis/pls_stage.py), and the
    #: approach used per higher-order construct.
    first_stage: "PLSFit | None" = None
    higher_order: dict = field(default_factory=dict)

    # ------------------------------------------------------------------ resampling
    def bootstrap(self, B: int = 5000, *, seed: int | None = None, jobs: int = 1, executor: Any = None,
                  progress: Callable[[int], Any] | None = None) -> "PLSFit":
        """A new fit with bootstrap inference from ``B`` resamples (seminr's ``bootstrap_model``).

        Resamples are refitted from the full-sample weights in fixed chunks from child seeds of
        ``seed``, so the result is the same for any ``jobs`` or ``executor`` (e.g. a Dask client).
        """
        if B < 0:
            raise ModelError("the number of bootstrap resamples must be 0 or more")
        if B == 0:
            return replace(self, resamples=None)
        draws, failed = bootstrap_draws(self.data, self.spec, self.estimate.weights, B, seed, jobs=jobs,
                                        executor=executor, progress=progress)
        jack = jackknife_draws(self.data, self.spec, self.estimate.weights)
        notices = self.notices
        if failed:
            notices += (Notice("pls_bootstrap_failed", f"{failed} of {B} PLS bootstrap resamples could not be "
                               "estimated and were left out", "", {"failed": failed, "resamples": B}),)
        return replace(self, resamples=PLSResamples(draws, jack, B, failed, seed), notices=notices)

    def predict(self, folds: int = 10, reps: int = 10, seed: int | None = None) -> PLSPrediction:
        """PLSpredict (Shmueli et al., 2019) of the endogenous indicators; seminr ``predict_pls``."""
        return pls_predict(self.data, self.spec, list(self.indicators), folds=folds, reps=reps, seed=seed)

    def ipma(self, target: str | None = None, scale_min: Sequence[float] | float = 1.0,
             scale_max: Sequence[float] | float = 5.0) -> IPMAResult:
        """Importance-performance map of ``target`` (default: the model's final outcome)."""
        p = len(self.indicators)
        lows = np.broadcast_to(np.asarray(scale_min, float), (p,))
        highs = np.broadcast_to(np.asarray(scale_max, float), (p,))
        return ipma(self.estimate, self.spec, self.data, lows, highs, target or self.final_outcome)

    @property
    def final_outcome(self) -> str:
        """The last construct that has antecedents and is itself the antecedent of none."""
        sources = {s for s, _ in self.spec.paths}
        targets = {t for _, t in self.spec.paths}
        finals = [c for c in self.spec.constructs if c in targets and c not in sources]
        return finals[-1] if finals else self.spec.constructs[-1]

    # ------------------------------------------------------------------ inference
    @cached_property
    def _layout(self) -> DrawLayout:
        return DrawLayout(self.spec, len(self.indicators))

    def _inference(self, column: np.ndarray | None, jack: np.ndarray | None, value: float,
                   minimum: int = 2) -> dict[str, float]:
        r = self.resamples
        if r is None or column is None or len(r.draws) < minimum:
            return dict.fromkeys(_INFERENCE, float("nan"))
        ci = intervals(column, value, self.level, jack)
        t = value / ci["se"] if ci["se"] > 0 else float("nan")
        pv = float(2 * t_sf(abs(t), r.successful - 1)) if not math.isnan(t) else float("nan")
        return {"se": ci["se"], "t": t, "pvalue": pv, "ci_lower": ci["perc_lower"], "ci_upper": ci["perc_upper"],
                "ci_bca_lower": ci["bca_lower"], "ci_bca_upper": ci["bca_upper"]}

    def _at(self, offset: int, value: float) -> dict[str, float]:
        r = self.resamples
        if r is None:
            return dict.fromkeys(_INFERENCE, float("nan"))
        return self._inference(r.draws[:, offset], r.jackknife[:, offset], value)

    # ------------------------------------------------------------------ records (results.json form)
    @cached_property
    def path_records(self) -> list[dict[str, Any]]:
        names = list(self.spec.constructs)
        rows = []
        for s, t in self.spec.paths:
            i, j = names.index(s), names.index(t)
            value = float(self.estimate.paths[i, j])
            row = {"from": s, "to": t, "est": value, **self._at(self._layout.path(i, j), value)}
            row["decision"] = decide(row.get("ci_lower"), row.get("ci_upper"))
            rows.append(row)
        return rows

    def _outer_records(self, key: str, locate: Callable[[int, int], int]) -> list[dict[str, Any]]:
        """The loadings or weights with their bootstrap inference; a construct of one indicator has
        its loading and weight fixed by the standardization (1), the same in every resample, so
        they get no standard error, t, p or interval (SmartPLS shows none either)."""
        names = list(self.spec.constructs)
        sizes = Counter(entry["construct"] for entry in self.evaluation[key])
        rows = []
        for entry in self.evaluation[key]:
            i, k = self.indicators.index(entry["item"]), names.index(entry["construct"])
            fixed = sizes[entry["construct"]] == 1
            rows.append({**entry, **(dict.fromkeys(_INFERENCE, float("nan")) if fixed
                                     else self._at(locate(i, k), entry["est"]))})
        return rows

    @cached_property
    def loading_records(self) -> list[dict[str, Any]]:
        return self._outer_records("loadings", self._layout.loading)

    @cached_property
    def weight_records(self) -> list[dict[str, Any]]:
        return self._outer_records("weights", self._layout.weight)

    def chain_sum_record(self, chains: list[tuple[str, ...]]) -> dict[str, Any]:
        """The sum of the effects along ``chains`` (each ``(source, ..., target)``, a path or a chain of
        paths: lavaan's ``total := c + a*b``) with its bootstrap test, computed in every resample as
        the indirect effects are (:attr:`indirect_records`)."""
        names = list(self.spec.constructs)
        K = len(names)
        cols = [[names.index(a) * K + names.index(b) for a, b in zip(c, c[1:])] for c in chains]
        est = float(sum(np.prod([self.estimate.paths[names.index(a), names.index(b)] for a, b in zip(c, c[1:])])
                        for c in chains))
        entry: dict[str, Any] = {"est": est}
        r = self.resamples
        if r is not None and len(r.draws):
            draws = sum(np.prod(r.draws[:, cc], axis=1) for cc in cols)
            jack = sum(np.prod(r.jackknife[:, cc], axis=1) for cc in cols)
            entry.update(self._inference(draws, jack, est, minimum=1))
        else:
            entry.update(dict.fromkeys(_INFERENCE, float("nan")))
        return entry

    @cached_property
    def indirect_records(self) -> list[dict[str, Any]]:
        names = list(self.spec.constructs)
        K = len(names)
        out = []
        for chain in path_chains(list(self.spec.paths)):
            cols = [names.index(a) * K + names.index(b) for a, b in zip(chain, chain[1:])]
            est = float(np.prod([self.estimate.paths[names.index(a), names.index(b)]
                                 for a, b in zip(chain, chain[1:])]))
            entry: dict[str, Any] = {"from": chain[0], "through": list(chain[1:-1]), "to": chain[-1], "est": est}
            r = self.resamples
            if r is not None and len(r.draws):
                entry.update(self._inference(np.prod(r.draws[:, cols], axis=1), np.prod(r.jackknife[:, cols], axis=1),
                                             est, minimum=1))
            else:
                entry.update(dict.fromkeys(_INFERENCE, float("nan")))
            entry["decision"] = decide(entry.get("ci_lower"), entry.get("ci_upper"))
            out.append(entry)
        self._classify_mediation(out)
        return out

    def _classify_mediation(self, indirect: list[dict[str, Any]]) -> None:
        """Each specific indirect effect's mediation type (Zhao, Lynch & Chen, 2010, as
        :func:`~loyaltysurvey.sem.effects.mediation_type` gives it for CB-SEM), deciding both effects
        by their bootstrap percentile intervals as Hair et al. (2017) do in PLS-SEM, and its VAF (the
        specific effect over the total effect of the cause on the outcome). Without a direct path in
        the model, or without resamples, the type is ``not_tested`` and the VAF null, and
        ``not_tested_because`` says why (``no_direct_path``, ``no_resamples``, ``no_interval``)."""
        from ..sem.effects import mediation_type
        direct = {(r["from"], r["to"]): r for r in self.path_records}
        totals: dict[tuple[str, str], float] = {}
        for entry in indirect:
            key = (entry["from"], entry["to"])
            totals[key] = totals.get(key, 0.0) + entry["est"]
        for entry in indirect:
            key = (entry["from"], entry["to"])
            path = direct.get(key)
            if path is None or "not_tested" in (entry["decision"], path["decision"]):
                because = ("no_direct_path" if path is None else "no_resamples" if self.resamples is None
                           else "no_interval")
                entry.update(mediation_type="not_tested", mediation="not_tested", vaf=float("nan"),
                             not_tested_because=because)
                continue
            zhao, kind = mediation_type(entry["decision"] == "supported", path["decision"] == "supported",
                                        path["est"] * entry["est"] > 0)
            total = path["est"] + totals[key]
            entry.update(mediation_type=zhao, mediation=kind, vaf=entry["est"] / total if total else float("nan"))

    def _path_draws(self, source: str, target: str) -> tuple[float, np.ndarray | None, np.ndarray | None]:
        names = list(self.spec.constructs)
        i, j = names.index(source), names.index(target)
        value = float(self.estimate.paths[i, j])
        r = self.resamples
        if r is None or not len(r.draws):
            return value, None, None
        col = self._layout.path(i, j)
        return value, r.draws[:, col], r.jackknife[:, col]

    def _combined(self, value: float, draws, jack) -> dict[str, float]:
        if draws is None:
            return dict.fromkeys(_INFERENCE, float("nan"))
        return self._inference(draws, jack, value, minimum=1)

    @cached_property
    def interaction_scale(self) -> dict[str, float]:
        """Each interaction term's seminr scale: ``{term: s}`` with ``s`` the loading-weighted mean
        standard deviation of its generated indicators, ``sum_i sd(x_i) |l_i| / sum_i |l_i|``.

        The interaction's path is reported here, as every path, for its standardized construct
        score (SmartPLS's standardized product term). seminr rescales an interaction's score by
        ``s`` before its paths are estimated (``adjust_interaction`` in its ``estimate_pls``), so
        seminr's path from the interaction is this one divided by ``s``: checked to 1e-12 on mobi,
        latent and observed moderators and all three methods, against seminr 2.3.2 in
        tests/test_pls_observed_moderator.py. The other paths and R² are the same in both.
        """
        out = {}
        for k, name in enumerate(self.spec.constructs):
            if ":" not in name:
                continue
            cols = list(self.spec.blocks[k])
            sd = self.data[:, cols].std(axis=0, ddof=1)
            lam = np.abs(self.estimate.loadings[cols, k])
            out[name] = float(sd @ lam / lam.sum())
        return out

    @cached_property
    def moderation_records(self) -> list[dict[str, Any]]:
        """Simple slopes of each interaction (seminr's ``slope_analysis``): the effect of ``A`` on the
        target at -1, 0 and +1 SD of ``B`` for a term ``A:B`` (construct scores are standardized, so
        the slope at ``w`` SD is ``b_A + b_AB w``), with bootstrap SE and percentile intervals
        computed from the same resamples (``at`` = ``value``: the scores' SD is 1)."""
        out = []
        from ..sem.syntax import interaction_parts
        terms = {c: interaction_parts(c) for c in self.spec.constructs if interaction_parts(c)}
        for term, (a, b) in terms.items():
            for source, target in self.spec.paths:
                if source != term or (a, target) not in self.spec.paths:
                    continue
                b1, d1, j1 = self._path_draws(a, target)
                b3, d3, j3 = self._path_draws(term, target)
                slopes = []
                for w in (-1.0, 0.0, 1.0):
                    est = b1 + b3 * w
                    inf = self._combined(est, None if d1 is None else d1 + d3 * w,
                                         None if j1 is None else j1 + j3 * w)
                    slopes.append({"at": w, "value": w, "est": est, **inf})
                out.append({"from": a, "moderator": b, "to": target, "term": term, "slopes": slopes})
        return out

    @cached_property
    def moderated_mediation_records(self) -> list[dict[str, Any]]:
        """Moderated mediation (Hayes, 2015) through each moderated path ``A -> T`` (term ``A:B``).

        First stage: the moderated path followed by every ``T -> Y``, index ``b_AB d`` and
        conditional indirect effects ``(b_A + b_AB w) d``; second stage: every ``X -> A`` (neither
        an interaction nor the moderator) followed by the moderated path, index ``a b_AB`` and
        conditional effects ``a (b_A + b_AB w)``; at -1, 0 and +1 SD of ``B``, with bootstrap
        inference from the same draws. As the CB-SEM chains of
        :func:`loyaltysurvey.sem.moderation.moderated_mediation`.
        """
        out = []
        for m in self.moderation_records:
            b1, d1, j1 = self._path_draws(m["from"], m["to"])
            b3, d3, j3 = self._path_draws(m["term"], m["to"])
            chains = [(m["from"], m["to"], y, 1) for mid, y in self.spec.paths if mid == m["to"] and ":" not in y]
            chains += [(x, m["from"], m["to"], 2) for x, target in self.spec.paths
                       if target == m["from"] and ":" not in x and x != m["moderator"]]
            for source, through, target, stage in chains:
                other = (through, target) if stage == 1 else (source, through)
                d, dd, jd = self._path_draws(*other)
                index = {"est": b3 * d, **self._combined(b3 * d, None if d3 is None else d3 * dd,
                                                         None if j3 is None else j3 * jd)}
                conditional = []
                for w in (-1.0, 0.0, 1.0):
                    est = (b1 + b3 * w) * d
                    conditional.append({"at": w, "value": w, "est": est, **self._combined(
                        est, None if d1 is None else (d1 + d3 * w) * dd, None if j1 is None else (j1 + j3 * w) * jd)})
                out.append({"from": source, "through": [through], "to": target, "moderator": m["moderator"],
                            "stage": stage, "index": index, "conditional": conditional})
        return out

    @cached_property
    def htmt_records(self) -> dict[str, dict[str, dict[str, float]]]:
        names = list(self.spec.constructs)
        out: dict[str, dict[str, dict[str, float]]] = {}
        for m, (a, b) in enumerate(htmt_pairs(self.spec)):
            value = float(self.evaluation["htmt"].loc[names[b], names[a]])
            out.setdefault(names[a], {})[names[b]] = {"est": value, **self._at(self._layout.htmt + m, value)}
        return out

    # ------------------------------------------------------------------ tables (the API)
    @property
    def paths(self) -> pd.DataFrame:
        """Path coefficients: ``from, to, est`` and, after :meth:`bootstrap`, ``se, t, pvalue, ci.*, decision``."""
        return dotted_columns(pd.DataFrame(self.path_records))

    @property
    def loadings(self) -> pd.DataFrame:
        """Outer loadings with indicator reliability (loading²) and bootstrap inference."""
        return dotted_columns(pd.DataFrame(self.loading_records))

    @property
    def weights(self) -> pd.DataFrame:
        return dotted_columns(pd.DataFrame(self.weight_records))

    @property
    def reliability(self) -> pd.DataFrame:
        """Per construct: Cronbach's alpha, rho.c, rho.a, AVE and the mode."""
        return dotted_columns(pd.DataFrame(self.evaluation["reliability"]).T)

    @property
    def htmt(self) -> pd.DataFrame:
        return self.evaluation["htmt"].copy()

    @property
    def htmt_intervals(self) -> pd.DataFrame:
        rows = [{"construct": a, "other": b, **v} for a, inner in self.htmt_records.items() for b, v in inner.items()]
        return dotted_columns(pd.DataFrame(rows))

    @property
    def fornell_larcker(self) -> pd.DataFrame:
        return self.evaluation["fornell_larcker"].copy()

    @property
    def cross_loadings(self) -> pd.DataFrame:
        return self.evaluation["cross_loadings"].copy()

    @property
    def r2(self) -> pd.Series:
        return pd.Series(self.evaluation["r2"], dtype=float)

    @property
    def r2_adj(self) -> pd.Series:
        return pd.Series(self.evaluation["r2_adj"], dtype=float)

    @property
    def f2(self) -> pd.DataFrame:
        """Effect size f² of each path (``from``, ``to``, ``f2``), re-estimating without it as seminr does."""
        return pd.DataFrame([{"from": a, "to": b, "f2": v} for a, inner in self.evaluation["f2"].items()
                             for b, v in inner.items()])

    @property
    def vif(self) -> pd.DataFrame:
        """Inner (antecedent) VIF of each path's source among the target's predictors."""
        return pd.DataFrame([{"from": a, "to": t, "vif": v} for t, inner in self.evaluation["vif"].items()
                             for a, v in inner.items()])

    @property
    def item_vif(self) -> pd.DataFrame:
        return pd.DataFrame([{"construct": c, "item": i, "vif": v} for c, inner in self.evaluation["vif_items"].items()
                             for i, v in inner.items()])

    @property
    def indirect(self) -> pd.DataFrame:
        return dotted_columns(pd.DataFrame(self.indirect_records))

    @property
    def total_effects(self) -> pd.DataFrame:
        names = list(self.spec.constructs)
        return pd.DataFrame(self.evaluation["total_effects"], index=names, columns=names)

    @property
    def n(self) -> int:
        return int(self.data.shape[0])

    # ------------------------------------------------------------------ global fit, predictive relevance
    @cached_property
    def gof_details(self) -> dict[str, Any]:
        """GoF with its parts: ``gof, mean_communality, mean_r2, constructs, indicators``
        (:func:`loyaltysurvey.pls.global_fit.gof`: mean communality over the indicators of the
        mode A and reflective blocks with more than one indicator, Tenenhaus et al., 2005)."""
        return gof(self.estimate, self.spec)

    @property
    def gof(self) -> float:
        """Tenenhaus et al.'s (2005) GoF, ``sqrt(mean communality x mean R²)``; see :attr:`gof_details`."""
        return float(self.gof_details["gof"])

    @cached_property
    def blindfolding_result(self) -> dict[str, Any]:
        """Blindfolding (:func:`loyaltysurvey.pls.blindfolding.blindfolding`) with omission distance 7,
        or the nearest D for which ``n / D`` is not a whole number when 7 divides n
        (:func:`loyaltysurvey.pls.blindfolding.omission_distance`); ``omission_distance`` records it."""
        return blindfolding(self.data, self.spec, omission_distance(self.n), start=self.estimate.weights)

    def blindfold(self, D: int = 7) -> pd.DataFrame:
        """Stone-Geisser Q² by blindfolding with omission distance ``D`` (SmartPLS's procedure).

        One row per endogenous construct measured reflectively (mode A, reflective or a single
        item): ``cv_redundancy`` and ``cv_communality`` (Q² = 1 - SSE/SSO), ``sso``,
        ``sse_redundancy``, ``sse_communality``.
        """
        result = (self.blindfolding_result if D == self.blindfolding_result["omission_distance"]
                  else blindfolding(self.data, self.spec, D, start=self.estimate.weights))
        return pd.DataFrame.from_dict(result["constructs"], orient="index")

    @property
    def q2_blindfolding(self) -> pd.DataFrame:
        """Q² by blindfolding (D = 7, or the nearest D that does not divide n): ``cv_redundancy,
        cv_communality, sso, sse_*`` per construct; the D is ``blindfolding_result["omission_distance"]``."""
        return pd.DataFrame.from_dict(self.blindfolding_result["constructs"], orient="index")

    @cached_property
    def model_fit(self) -> dict[str, float]:
        """SRMR and NFI of the estimated model (``srmr``, ``nfi``) and of the saturated model
        (``srmr_saturated``, ``nfi_saturated``), as SmartPLS defines them
        (:func:`loyaltysurvey.pls.global_fit.implied_correlations`)."""
        return model_fit(self.estimate, self.spec, self.data)

    def summary(self) -> dict[str, pd.DataFrame]:
        """The tables a chapter reports, by name."""
        return {"paths": self.paths, "reliability": self.reliability, "loadings": self.loadings,
                "r2": self.r2.to_frame("r2"), "htmt": self.htmt}

    def _repr_html_(self) -> str:
        return self.paths.to_html(float_format=lambda v: f"{v:.3f}")

    def dimension_rows(self) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """Repeated indicators: a higher-order construct's loadings and weights on its dimensions.

        The loading is the correlation of the higher-order construct's score with the dimension's
        score, the weights the least-squares coefficients of the higher-order score on the
        dimensions' scores (standardized); no inference (the bootstrap covers the items' rows and
        the HOC-dimension paths). By definition.
        """
        index = {c: i for i, c in enumerate(self.spec.constructs)}
        S = self.estimate.scores
        loads, weights = [], []
        empty = {k: None for k in ("se", "t", "pvalue", "ci_lower", "ci_upper", "ci_bca_lower", "ci_bca_upper")}
        for hoc, info in self.higher_order.items():
            dims = info["dimensions"]
            h = S[:, index[hoc]]
            D = S[:, [index[d] for d in dims]]
            coef = np.linalg.lstsq(D, h, rcond=None)[0]
            for d, k, w in zip(dims, range(len(dims)), coef):
                r = float(np.corrcoef(h, D[:, k])[0, 1])
                loads.append({"construct": hoc, "item": d, "est": r, "reliability": r * r, **empty})
                weights.append({"construct": hoc, "item": d, "est": float(w), **empty})
        return loads, weights

    def to_json(self) -> dict[str, Any]:
        """The ``pls`` block of results.json."""
        ev = self.evaluation
        names = list(self.spec.constructs)
        total = ev["total_effects"]
        r = self.resamples
        out = {
            "paths": self.path_records, "r2": ev["r2"], "r2_adj": ev["r2_adj"], "f2": ev["f2"], "vif": ev["vif"],
            "vif_items": ev["vif_items"], "reliability": ev["reliability"], "loadings": self.loading_records,
            "weights": self.weight_records,
            "htmt": {a: {b: float(ev["htmt"].loc[a, b]) for b in names if b != a} for a in names},
            "fornell_larcker": {a: {b: float(ev["fornell_larcker"].loc[a, b]) for b in names} for a in names},
            "cross_loadings": {i: {c: float(v) for c, v in row.items()} for i, row in ev["cross_loadings"].iterrows()},
            "indirect": self.indirect_records,
            "htmt_bootstrap": self.htmt_records,
            "total_effects": {a: {b: float(total[i, j]) for j, b in enumerate(names) if total[i, j] != 0}
                              for i, a in enumerate(names)},
            "iterations": self.estimate.iterations, "converged": self.estimate.converged, "n": self.n,
            "missing": self.missing, "scheme": self.spec.scheme,
            "bootstrap": {"requested": 0 if r is None else r.requested, "successful": 0 if r is None else r.successful,
                          "failed": 0 if r is None else r.failed, "seed": None if r is None else r.seed},
        }
        details = self.gof_details
        bf = self.blindfolding_result
        out.update({
            "gof": details["gof"],
            "gof_details": {k: details[k] for k in ("mean_communality", "mean_r2", "constructs", "indicators")},
            "q2_blindfolding": {c: dict(v) for c, v in bf["constructs"].items()},
            "blindfolding": {"omission_distance": bf["omission_distance"], "whole_cases": bf["whole_cases"],
                             "order": "indicator by indicator"},
            **self.model_fit,
        })
        if self.first_stage is not None:
            # the dimensions are measured in the first stage: their item rows and reliability come from it
            first = self.first_stage.to_json()
            dims = [d for h in self.higher_order.values() for d in h["dimensions"]]
            out["loadings"] = [r for r in first["loadings"] if r["construct"] in dims] + out["loadings"]
            out["weights"] = [r for r in first["weights"] if r["construct"] in dims] + out["weights"]
            out["reliability"] = {**{d: first["reliability"][d] for d in dims}, **out["reliability"]}
            out["first_stage"] = {k: first[k] for k in ("paths", "loadings", "weights", "reliability", "r2", "htmt",
                                                         "iterations", "converged", "n", "bootstrap")}
        if self.higher_order:
            out["higher_order"] = self.higher_order
            if self.first_stage is None:  # repeated indicators: the HOC -> dimension rows by definition
                loads, weights = self.dimension_rows()
                out["loadings"] = out["loadings"] + loads
                out["weights"] = out["weights"] + weights
        if self.interaction_scale:
            out["interaction_scale"] = self.interaction_scale
        if self.moderation_records:
            out["moderation"] = self.moderation_records
            out["moderated_mediation"] = self.moderated_mediation_records
        if self.checks:
            out["checks"] = self.checks
        if self.importance is not None:
            out["ipma"] = self.importance.to_json()
        if self.prediction is not None:
            out["predict"] = self.prediction.to_json()
        return out
