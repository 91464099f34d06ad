"""The PLS-SEM stage of an analysis: estimate, evaluate and bootstrap (CONTRACT's ``pls`` block).

Missing answers are replaced by the item mean (seminr's default) or the
respondent is dropped (``casewise``). Bootstrap resamples are drawn in fixed
chunks from child seeds of ``seed`` (identical for any ``jobs``) and refitted
from the full-sample weights; paths, loadings, weights, HTMT and total indirect
effects get the bootstrap SD, t = estimate / SD, a two-sided p-value from the t
distribution with B - 1 degrees of freedom, and percentile intervals.
"""

from __future__ import annotations

import math
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from ..errors import DataError
from ..errors import Notice
from ..pls.algorithm import PLSSpec, fit_pls
from ..pls.batched import fit_pls_batched
from ..pls.evaluate import evaluate
from ..sem.bootstrap import intervals
from ..sem.effects import structural_chains
from ..sem.partable import build_partable
from ..questionnaire import Questionnaire

__all__ = ["PLSResults", "run_pls", "pls_spec"]


def pls_spec(q: Questionnaire, columns: list[str], scheme: str = "path") -> PLSSpec:
    index = {c: i for i, c in enumerate(columns)}
    names = tuple(c.id for c in q.constructs)
    paths = tuple((s.rhs, s.lhs) for s in q.model_statements if s.op == "~" and s.rhs in names and s.lhs in names)
    return PLSSpec(names, tuple(tuple(index[i] for i in c.item_ids) for c in q.constructs),
                   tuple(c.mode for c in q.constructs), paths, scheme=scheme)


def final_outcome(spec: PLSSpec) -> str:
    """The construct an IPMA looks at by default: the last one in the questionnaire that has
    antecedents and is itself the antecedent of none (the model's final outcome)."""
    sources = {s for s, _ in spec.paths}
    targets = {t for _, t in spec.paths}
    finals = [c for c in spec.constructs if c in targets and c not in sources]
    return finals[-1] if finals else spec.constructs[-1]


PLS_CHUNK = 250


def _htmt_pairs(spec: PLSSpec) -> list[tuple[int, int]]:
    K = len(spec.constructs)
    return [(a, b) for a in range(K) for b in range(a + 1, K)]


def _htmt_batched(R: np.ndarray, spec: PLSSpec) -> np.ndarray:
    """HTMT of every construct pair for every resample (absolute correlations, single items 1)."""
    R = np.abs(R)
    mono = []
    for block in spec.blocks:
        cols = list(block)
        if len(cols) > 1:
            iu = np.triu_indices(len(cols), 1)
            mono.append(R[:, cols][:, :, cols][:, iu[0], iu[1]].mean(axis=1))
        else:
            mono.append(np.ones(R.shape[0]))
    out = []
    for a, b in _htmt_pairs(spec):
        hetero = R[:, list(spec.blocks[a])][:, :, list(spec.blocks[b])].mean(axis=(1, 2))
        out.append(hetero / np.sqrt(mono[a] * mono[b]))
    return np.column_stack(out) if out else np.zeros((R.shape[0], 0))


def _chunk(args) -> np.ndarray:
    """Fit one chunk of resamples at once; rows of NaN mark resamples that could not be estimated."""
    X, spec, start, seed_seq, size = args
    rng = np.random.default_rng(seed_seq)
    n = X.shape[0]
    return _fit_rows(X, spec, start, rng.integers(0, n, size=(size, n)))


def _jackknife(X: np.ndarray, spec: PLSSpec, start: np.ndarray, chunk: int = 100) -> np.ndarray:
    """Leave-one-out statistics (for the BCa acceleration), fitted in batches."""
    n = X.shape[0]
    everyone = np.arange(n)
    parts = []
    for first in range(0, n, chunk):
        drop = everyone[first:first + chunk]
        idx = np.array([np.delete(everyone, i) for i in drop])
        parts.append(_fit_rows(X, spec, start, idx))
    return np.concatenate(parts)


def _fit_rows(X: np.ndarray, spec: PLSSpec, start: np.ndarray, idx: np.ndarray) -> np.ndarray:
    size = idx.shape[0]
    Xb = X[idx]
    out = fit_pls_batched(Xb, spec, start)
    K = len(spec.constructs)
    eye = np.eye(K)
    total = np.linalg.inv(eye[None] - out["paths"]) - eye[None]
    flat = np.concatenate([out["paths"].reshape(size, -1), out["loadings"].reshape(size, -1),
                           out["weights"].reshape(size, -1), (total - out["paths"]).reshape(size, -1),
                           _htmt_batched(out["R"], spec)], axis=1)
    flat[~out["ok"]] = np.nan
    return flat


@dataclass(frozen=True)
class PLSResults:
    payload: dict
    notices: tuple[Notice, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return self.payload


def run_pls(scored: pd.DataFrame, q: Questionnaire, missing: str = "mean", bootstrap: int = 5000,
            seed: int | None = None, jobs: int = 1, level: float = 0.95, scheme: str = "path",
            ipma_target: str | None = None) -> PLSResults:
    """PLS-SEM of the questionnaire's model: estimates, evaluation, bootstrap, PLSpredict and IPMA.

    ``scheme`` is the inner weighting scheme (``path``, ``factorial`` or ``centroid``);
    ``ipma_target`` the construct of the importance-performance map (default: the final outcome).
    """
    columns = list(q.item_ids)
    frame = scored[columns].astype(float)
    notices: list[Notice] = []
    if missing == "casewise" or missing == "listwise":
        frame = frame.dropna()
    else:
        frame = frame.fillna(frame.mean())
    if len(frame) < 10:
        raise DataError(f"only {len(frame)} respondents are left for PLS-SEM")
    X = frame.to_numpy()
    spec = pls_spec(q, columns, scheme)
    fit = fit_pls(X, spec)
    if not fit.converged:
        notices.append(Notice("pls_not_converged", f"the PLS algorithm did not converge in {fit.iterations} "
                              "iterations; the results are not trustworthy"))
    ev = evaluate(fit, spec, X, columns)
    names = list(spec.constructs)
    K, p = len(names), len(columns)
    draws = jack = None
    failed = 0
    if bootstrap:
        children = np.random.SeedSequence(seed).spawn(math.ceil(bootstrap / PLS_CHUNK))
        sizes = [min(PLS_CHUNK, bootstrap - k * PLS_CHUNK) for k in range(len(children))]
        tasks = [(X, spec, fit.weights, child, size) for child, size in zip(children, sizes)]
        if jobs > 1:
            with ProcessPoolExecutor(max_workers=jobs) as pool:
                parts = list(pool.map(_chunk, tasks))
        else:
            parts = [_chunk(t) for t in tasks]
        draws = np.concatenate(parts)
        ok = np.all(np.isfinite(draws), axis=1)
        failed = int((~ok).sum())
        draws = draws[ok]
        jack = _jackknife(X, spec, fit.weights)

    def inference(offset: int, value: float) -> dict[str, float]:
        if draws is None or len(draws) < 2:
            return {}
        ci = intervals(draws[:, offset], value, level, None if jack is None else jack[:, offset])
        t = value / ci["se"] if ci["se"] > 0 else float("nan")
        pv = float(2 * stats.t.sf(abs(t), len(draws) - 1)) if t == t else float("nan")
        return {"se": ci["se"], "t": t, "pvalue": pv, "ci_lower": ci["perc_lower"], "ci_upper": ci["perc_upper"],
                "ci_bca_lower": ci["bca_lower"], "ci_bca_upper": ci["bca_upper"]}

    paths = []
    for s, t in spec.paths:
        i, j = names.index(s), names.index(t)
        paths.append({"from": s, "to": t, "est": float(fit.paths[i, j]), **inference(i * K + j, fit.paths[i, j])})
    for entry, base in ((ev["loadings"], K * K), (ev["weights"], K * K + p * K)):
        for row in entry:
            i, k = columns.index(row["item"]), names.index(row["construct"])
            row.update(inference(base + i * K + k, row["est"]))
    indirect = []
    for chain in structural_chains(build_partable("\n".join(f"{t} ~ {s}" for s, t in spec.paths))):
        est = float(np.prod([fit.paths[names.index(a), names.index(b)] for a, b in zip(chain, chain[1:])]))
        entry = {"from": chain[0], "through": list(chain[1:-1]), "to": chain[-1], "est": est}
        if draws is not None and len(draws):
            cols = [names.index(a) * K + names.index(b) for a, b in zip(chain, chain[1:])]
            prod = np.prod(draws[:, cols], axis=1)
            ci = intervals(prod, est, level, None if jack is None else np.prod(jack[:, cols], axis=1))
            t_value = est / ci["se"] if ci["se"] > 0 else float("nan")
            entry.update({"se": ci["se"], "t": t_value,
                          "pvalue": float(2 * stats.t.sf(abs(t_value), len(draws) - 1)) if t_value == t_value
                          else float("nan"),
                          "ci_lower": ci["perc_lower"], "ci_upper": ci["perc_upper"],
                          "ci_bca_lower": ci["bca_lower"], "ci_bca_upper": ci["bca_upper"]})
        indirect.append(entry)
    from ..pls.ipma import ipma
    from ..pls.predict import pls_predict
    prediction = pls_predict(X, spec, columns, seed=seed)
    target = ipma_target or final_outcome(spec)
    items = [q.item(c) for c in columns]
    ipma_result = ipma(fit, spec, X, np.array([i.scale.min for i in items], float),
                       np.array([i.scale.max for i in items], float), target)
    htmt_offset = K * K + 2 * p * K + K * K
    htmt_intervals = {}
    for m, (a, b) in enumerate(_htmt_pairs(spec)):
        value = float(ev["htmt"].loc[names[b], names[a]])
        info = inference(htmt_offset + m, value)
        htmt_intervals.setdefault(names[a], {})[names[b]] = {"est": value, **info}
    payload = {
        "paths": paths, "r2": ev["r2"], "r2_adj": ev["r2_adj"], "f2": ev["f2"], "vif": ev["vif"], "vif_items": ev["vif_items"],
        "reliability": ev["reliability"], "loadings": ev["loadings"], "weights": ev["weights"],
        "htmt": {a: {b: float(ev["htmt"].loc[a, b]) for b in names if b != a} for a in names},
        "fornell_larcker": {a: {b: float(ev["fornell_larcker"].loc[a, b]) for b in names} for a in names},
        "cross_loadings": {i: {c: float(v) for c, v in row.items()} for i, row in ev["cross_loadings"].iterrows()},
        "indirect": indirect,
        "htmt_bootstrap": htmt_intervals,
        "ipma": ipma_result,
        "predict": prediction,
        "total_effects": {a: {b: float(ev["total_effects"][names.index(a), names.index(b)]) for b in names
                              if ev["total_effects"][names.index(a), names.index(b)] != 0} for a in names},
        "iterations": fit.iterations, "converged": fit.converged, "n": int(len(frame)), "missing": missing,
        "scheme": scheme,
        "bootstrap": {"requested": bootstrap, "successful": 0 if draws is None else int(len(draws)),
                      "failed": failed, "seed": seed},
    }
    if failed:
        notices.append(Notice("pls_bootstrap_failed", f"{failed} PLS bootstrap resamples could not be estimated "
                              "and were left out"))
    return PLSResults(payload, tuple(notices))
