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
from .sem_fit import SEMFit
from .partable import ParTable

__all__ = ["Effect", "path_chains", "structural_chains", "compute_effects", "mediation_type"]


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
    return path_chains(list(_paths(table)))


def path_chains(paths: list[tuple[str, str]]) -> list[tuple[str, ...]]:
    """Every directed chain of two or more of the (source, target) ``paths``, in a fixed order.

    >>> path_chains([("KCF", "SAT"), ("SAT", "LOY"), ("KCF", "LOY")])
    [('KCF', 'SAT', 'LOY')]
    """
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


@dataclass(frozen=True)
class _EffectContext:
    """What every effect of one fitted model is computed from."""

    fit: SEMFit
    values: np.ndarray      # est of every parameter-table row
    std: np.ndarray         # std.all of every row
    free: np.ndarray        # free-parameter index of every row (-1 when fixed)
    level: float

    def row_values(self, theta: np.ndarray) -> np.ndarray:
        return np.where(self.free >= 0, theta[np.maximum(self.free, 0)], self.values)


def _delta_se(ctx: _EffectContext, row_sets: list[list[int]]) -> float:
    """Delta-method SE of a sum of path products."""
    vcov = ctx.fit.vcov
    if not np.all(np.isfinite(vcov)):
        return float("nan")

    def fn(theta: np.ndarray) -> np.ndarray:
        rows = ctx.row_values(theta)
        return np.array([sum(np.prod(rows[r]) for r in row_sets)])

    var = float(delta_method(fn, ctx.fit.theta, vcov)[0, 0])
    return math.sqrt(var) if var >= 0 else float("nan")


def _bootstrap_summary(boot: BootstrapResult, row_sets: list[list[int]], point: float, std_point: float,
                       level: float) -> dict[str, float]:
    """Bootstrap SE and intervals of a sum of path products (and of its standardized value)."""
    draws = sum(np.prod(boot.draws[:, r], axis=1) for r in row_sets)
    std_draws = sum(np.prod(boot.std_draws[:, r], axis=1) for r in row_sets)
    jack = sum(np.prod(boot.jack_draws[:, r], axis=1) for r in row_sets) if boot.jack_draws is not None else None
    ci = intervals(draws, point, level, jack)
    std_ci = intervals(std_draws, std_point, level)
    return {"se": ci["se"], "ci_lower": ci["perc_lower"], "ci_upper": ci["perc_upper"],
            "ci_bc_lower": ci["bc_lower"], "ci_bc_upper": ci["bc_upper"], "ci_bca_lower": ci["bca_lower"],
            "ci_bca_upper": ci["bca_upper"], "std_ci_lower": std_ci["perc_lower"],
            "std_ci_upper": std_ci["perc_upper"]}


def _sobel_aroian(ctx: _EffectContext, a_row: int, b_row: int) -> dict[str, float]:
    """Sobel (1982) and Aroian (1947) z tests of a single-mediator product a*b."""
    ses = ctx.fit.params["se"].to_numpy()
    a, b, sa, sb = ctx.values[a_row], ctx.values[b_row], ses[a_row], ses[b_row]
    if not (sa > 0 and sb > 0):
        nan = float("nan")
        return {"sobel_z": nan, "sobel_p": nan, "aroian_z": nan, "aroian_p": nan}
    sobel = a * b / math.sqrt(b * b * sa * sa + a * a * sb * sb)
    aroian = a * b / math.sqrt(b * b * sa * sa + a * a * sb * sb + sa * sa * sb * sb)
    return {"sobel_z": sobel, "sobel_p": float(2 * stats.norm.sf(abs(sobel))),
            "aroian_z": aroian, "aroian_p": float(2 * stats.norm.sf(abs(aroian)))}


def _summarize(ctx: _EffectContext, kind: str, source: str, target: str, through: tuple[str, ...],
               row_sets: list[list[int]]) -> Effect:
    """One effect: the sum over ``row_sets`` of the product of each set's path coefficients."""
    point = float(sum(np.prod(ctx.values[r]) for r in row_sets))
    std_point = float(sum(np.prod(ctx.std[r]) for r in row_sets))
    se = _delta_se(ctx, row_sets)
    z_crit = stats.norm.ppf(1 - (1 - ctx.level) / 2)
    extra: dict[str, Any] = {"se_delta": se}
    lo, hi = point - z_crit * se, point + z_crit * se
    boot = ctx.fit.bootstrap
    if boot is not None and boot.successful > 1:
        summary = _bootstrap_summary(boot, row_sets, point, std_point, ctx.level)
        se, lo, hi = summary.pop("se"), summary.pop("ci_lower"), summary.pop("ci_upper")
        extra.update(summary)
    z = point / se if se and se > 0 else float("nan")
    p = float(2 * stats.norm.sf(abs(z))) if not math.isnan(z) else float("nan")
    if kind == "indirect" and len(row_sets[0]) == 2:
        extra.update(_sobel_aroian(ctx, *row_sets[0]))
    return Effect(kind, source, target, through, point, std_point, float(se), float(z), p, float(lo),
                  float(hi), extra)


def _excludes_zero(effect: Effect) -> bool:
    return not (effect.ci_lower <= 0 <= effect.ci_upper)


def _classify(effects: list[Effect], total_ind: Effect, total: Effect, direct: Any, alpha: float) -> None:
    """Mediation type (Zhao et al., 2010) and VAF of the total indirect and each specific effect."""
    direct_sig = bool(direct["pvalue"] < alpha) if direct is not None else None

    def same_sign(effect: Effect) -> bool:
        return float(direct["est"]) * effect.est > 0 if direct is not None else True

    vaf = total_ind.est / total.est if total.est else float("nan")
    zhao, kind = mediation_type(_excludes_zero(total_ind), direct_sig, same_sign(total_ind))
    total_ind.extra.update({"mediation_type": zhao, "mediation": kind, "vaf": vaf,
                            "direct_path": direct is not None})
    for effect in effects:
        if effect.kind == "indirect" and (effect.source, effect.target) == (total.source, total.target):
            zt, k = mediation_type(_excludes_zero(effect), direct_sig, same_sign(effect))
            effect.extra.update({"mediation_type": zt, "mediation": k,
                                 "vaf": effect.est / total.est if total.est else float("nan")})


def compute_effects(results: SEMFit, alpha: float = 0.05, level: float = 0.95) -> list[Effect]:
    """Every specific indirect effect, and per (source, target) pair the total indirect and total effects.

    Uses the fit's bootstrap draws when it was fitted with ``se="bootstrap"``.
    """
    table = results.table
    paths = _paths(table)
    n = len(table.params)
    ctx = _EffectContext(results, results.params["est"].to_numpy()[:n], results.params["std_all"].to_numpy()[:n],
                         np.array([p.free - 1 for p in table.params]), level)
    effects: list[Effect] = []
    pairs: dict[tuple[str, str], list[tuple[str, ...]]] = {}
    for chain in structural_chains(table):
        rows = [paths[(a, b)] for a, b in zip(chain, chain[1:])]
        effects.append(_summarize(ctx, "indirect", chain[0], chain[-1], chain[1:-1], [rows]))
        pairs.setdefault((chain[0], chain[-1]), []).append(chain)
    for (source, target), group in pairs.items():
        row_sets = [[paths[(a, b)] for a, b in zip(c, c[1:])] for c in group]
        total_ind = _summarize(ctx, "total_indirect", source, target, (), row_sets)
        direct_row = paths.get((source, target))
        all_sets = row_sets + ([[direct_row]] if direct_row is not None else [])
        total = _summarize(ctx, "total", source, target, (), all_sets)
        direct = results.params.iloc[direct_row] if direct_row is not None else None
        _classify(effects, total_ind, total, direct, alpha)
        effects.extend([total_ind, total])
    return effects
