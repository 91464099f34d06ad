"""Direct, indirect and total effects from the structural paths, with mediation types.

Every specific indirect effect is enumerated from the ``~`` paths of the model
(each directed chain ``X -> M1 -> ... -> Y`` with at least one mediator), so no
hand-written ``:=`` labels are needed. For each effect: the estimate (product of
the path coefficients), its standardized value (product of the std_all paths),
a delta-method standard error, and with a bootstrap the bootstrap SE and
percentile, bias-corrected and BCa intervals. Single-mediator effects also get
the Sobel (1982) and Aroian (1947) tests that theses still report. The
mediation type follows Zhao, Lynch & Chen (2010); VAF = indirect / total
(Hair et al., 2017).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import stats

from .bootstrap import BootstrapResult, intervals
from .defined import delta_method
from .sem_fit import SEMResults
from .partable import ParTable

__all__ = ["Effect", "structural_chains", "compute_effects", "mediation_type"]


@dataclass(frozen=True)
class Effect:
    kind: str                      # "direct", "indirect", "total_indirect", "total"
    source: str
    target: str
    through: tuple[str, ...]
    est: float
    std_all: float
    se: float
    z: float
    pvalue: float
    ci_lower: float
    ci_upper: float
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        out = {"kind": self.kind, "from": self.source, "to": self.target, "through": list(self.through),
               "est": self.est, "std_all": self.std_all, "se": self.se, "z": self.z, "pvalue": self.pvalue,
               "ci_lower": self.ci_lower, "ci_upper": self.ci_upper}
        out.update(self.extra)
        return out


def _paths(table: ParTable) -> dict[tuple[str, str], int]:
    """(source, target) -> parameter-table row of the regression ``target ~ source``."""
    return {(p.rhs, p.lhs): i for i, p in enumerate(table.params) if p.op == "~"}


def structural_chains(table: ParTable) -> list[tuple[str, ...]]:
    """Every directed chain of two or more ``~`` paths (X, M..., Y)."""
    paths = _paths(table)
    successors: dict[str, list[str]] = {}
    for s, t in paths:
        successors.setdefault(s, []).append(t)
    chains: list[tuple[str, ...]] = []

    def walk(chain: tuple[str, ...]) -> None:
        for nxt in successors.get(chain[-1], []):
            if nxt in chain:  # a cycle: non-recursive models have no finite indirect effects this way
                continue
            longer = chain + (nxt,)
            if len(longer) >= 3:
                chains.append(longer)
            walk(longer)

    for start in sorted({s for s, _ in paths}):
        walk((start,))
    return chains


def mediation_type(indirect_sig: bool, direct_sig: bool | None, same_sign: bool) -> tuple[str, str]:
    """(Zhao et al. 2010 type, full/partial/none)."""
    if direct_sig is None:  # no direct path in the model: the effect can only run through the mediators
        return ("indirect-only", "full") if indirect_sig else ("no-effect", "none")
    if indirect_sig and direct_sig:
        return ("complementary", "partial") if same_sign else ("competitive", "partial")
    if indirect_sig:
        return "indirect-only", "full"
    if direct_sig:
        return "direct-only", "none"
    return "no-effect", "none"


def compute_effects(results: SEMResults, boot: BootstrapResult | None = None, alpha: float = 0.05,
                    level: float = 0.95) -> list[Effect]:
    table = results.table
    paths = _paths(table)
    est = results.estimates
    values = est["est"].to_numpy()[: len(table.params)]
    std = est["std_all"].to_numpy()[: len(table.params)]
    free = np.array([p.free - 1 for p in table.params])
    z_crit = stats.norm.ppf(1 - (1 - level) / 2)
    chains = structural_chains(table)

    def value_fn(rows: list[int]):
        def fn(theta: np.ndarray) -> np.ndarray:
            row_values = np.where(free >= 0, theta[np.maximum(free, 0)], values)
            return np.array([np.prod(row_values[rows])])
        return fn

    def summarize(kind, source, target, through, row_sets: list[list[int]]) -> Effect:
        point = float(sum(np.prod(values[r]) for r in row_sets))
        std_point = float(sum(np.prod(std[r]) for r in row_sets))

        def fn(theta):
            return np.array([sum(value_fn(r)(theta)[0] for r in row_sets)])

        var = float(delta_method(fn, results.theta, results.vcov)[0, 0]) if np.all(np.isfinite(results.vcov)) \
            else float("nan")
        se = math.sqrt(var) if var >= 0 else float("nan")
        extra: dict[str, Any] = {"se_delta": se}
        lo, hi = point - z_crit * se, point + z_crit * se
        if boot is not None and boot.successful > 1:
            draws = sum(np.prod(boot.draws[:, r], axis=1) for r in row_sets)
            std_draws = sum(np.prod(boot.std_draws[:, r], axis=1) for r in row_sets)
            jack = (sum(np.prod(boot.jack_draws[:, r], axis=1) for r in row_sets)
                    if boot.jack_draws is not None else None)
            ci = intervals(draws, point, level, jack)
            std_ci = intervals(std_draws, std_point, level)
            se = ci["se"]
            lo, hi = ci["perc_lower"], ci["perc_upper"]
            extra.update({"ci_bc_lower": ci["bc_lower"], "ci_bc_upper": ci["bc_upper"],
                          "ci_bca_lower": ci["bca_lower"], "ci_bca_upper": ci["bca_upper"],
                          "std_ci_lower": std_ci["perc_lower"], "std_ci_upper": std_ci["perc_upper"]})
        z = point / se if se and se > 0 else float("nan")
        p = float(2 * stats.norm.sf(abs(z))) if z == z else float("nan")
        if kind == "indirect" and len(row_sets[0]) == 2:
            a_row, b_row = row_sets[0]
            ses = est["se"].to_numpy()
            a, b, sa, sb = values[a_row], values[b_row], ses[a_row], ses[b_row]
            sobel = a * b / math.sqrt(b * b * sa * sa + a * a * sb * sb) if (sa > 0 and sb > 0) else float("nan")
            aroian = a * b / math.sqrt(b * b * sa * sa + a * a * sb * sb + sa * sa * sb * sb) \
                if (sa > 0 and sb > 0) else float("nan")
            extra.update({"sobel_z": sobel, "sobel_p": float(2 * stats.norm.sf(abs(sobel))),
                          "aroian_z": aroian, "aroian_p": float(2 * stats.norm.sf(abs(aroian)))})
        return Effect(kind, source, target, through, point, std_point, float(se), float(z), p, float(lo),
                      float(hi), extra)

    effects: list[Effect] = []
    pairs: dict[tuple[str, str], list[tuple[str, ...]]] = {}
    for chain in chains:
        rows = [paths[(a, b)] for a, b in zip(chain, chain[1:])]
        effects.append(summarize("indirect", chain[0], chain[-1], chain[1:-1], [rows]))
        pairs.setdefault((chain[0], chain[-1]), []).append(chain)
    for (source, target), group in pairs.items():
        row_sets = [[paths[(a, b)] for a, b in zip(c, c[1:])] for c in group]
        total_ind = summarize("total_indirect", source, target, (), row_sets)
        direct_row = paths.get((source, target))
        all_sets = row_sets + ([[direct_row]] if direct_row is not None else [])
        total = summarize("total", source, target, (), all_sets)
        ind_sig = not (total_ind.ci_lower <= 0 <= total_ind.ci_upper)
        if direct_row is not None:
            direct = est.iloc[direct_row]
            direct_sig = bool(direct["pvalue"] < alpha)
            same = float(direct["est"]) * total_ind.est > 0
        else:
            direct_sig, same = None, True
        zhao, kind = mediation_type(ind_sig, direct_sig, same)
        vaf = total_ind.est / total.est if total.est else float("nan")
        total_ind.extra.update({"mediation_type": zhao, "mediation": kind, "vaf": vaf,
                                "direct_path": direct_row is not None})
        effects.extend([total_ind, total])
        for effect in effects:
            if effect.kind == "indirect" and (effect.source, effect.target) == (source, target):
                sig = not (effect.ci_lower <= 0 <= effect.ci_upper)
                s_same = (float(est.iloc[direct_row]["est"]) * effect.est > 0) if direct_row is not None else True
                zt, k = mediation_type(sig, direct_sig, s_same)
                effect.extra.update({"mediation_type": zt, "mediation": k,
                                     "vaf": effect.est / total.est if total.est else float("nan")})
    return effects
