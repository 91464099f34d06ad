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

from ..distributions import norm_ppf, norm_sf
from .bootstrap import BootstrapResult, intervals
from .decision import decide
from .defined import delta_method
from .sem_fit import SEMFit
from .partable import ParTable

__all__ = ["Effect", "path_chains", "structural_chains", "compute_effects", "mediation_type"]


@dataclass(frozen=True)
class Effect:
    """One effect of ``source`` on ``target``: estimate, standardized value, SE, test and interval.

    ``kind`` is ``direct``, ``indirect`` (one chain ``source -> through... -> target``),
    ``total_indirect`` (the sum of the pair's indirect chains), ``total`` (indirect plus
    direct) or ``defined`` (a ``:=`` parameter used as a hypothesis). ``est`` is the product
    of the chain's path coefficients (summed over chains for totals), ``std_all`` the same
    product of standardized paths. ``se``, ``z``, ``pvalue`` and ``ci_lower``/``ci_upper`` are
    the bootstrap SE and percentile interval when the model was bootstrapped, else the
    delta-method SE and Wald interval. ``extra`` holds the rest: ``se_delta``, the
    bias-corrected and BCa bounds, Sobel and Aroian tests of single-mediator effects, and
    the mediation type and VAF (see :func:`compute_effects`).

    >>> e = Effect("indirect", "KCF", "LOY", ("SAT",), 0.2, 0.18, 0.05, 4.0, 6e-05, 0.1, 0.3)
    >>> e.to_json()["through"], e.to_json()["from"]
    (['SAT'], 'KCF')
    """

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
        """The effect as plain JSON types (``from``/``to`` for source/target), with ``extra`` merged in.

        >>> Effect("total", "KCF", "LOY", (), 0.2, 0.18, 0.05, 4.0, 6e-05, 0.1, 0.3, {"vaf": 0.5}).to_json()["vaf"]
        0.5
        """
        out = {"kind": self.kind, "from": self.source, "to": self.target, "through": list(self.through),
               "est": self.est, "std_all": self.std_all, "se": self.se, "z": self.z, "pvalue": self.pvalue,
               "ci_lower": self.ci_lower, "ci_upper": self.ci_upper}
        out.update(self.extra)
        return out


def _paths(table: ParTable) -> dict[tuple[str, str], int]:
    """(source, target) -> parameter-table row of the regression ``target ~ source``."""
    return {(p.rhs, p.lhs): i for i, p in enumerate(table.params) if p.op == "~"}


def structural_chains(table: ParTable) -> list[tuple[str, ...]]:
    """Every directed chain of two or more ``~`` paths (X, M..., Y).

    The chains of the model's regressions, by :func:`path_chains`; each is one specific
    indirect effect of its first variable on its last.

    >>> from loyaltysurvey.sem.partable import build_partable
    >>> structural_chains(build_partable("M ~ X\\nY ~ M + X\\nZ ~ Y"))
    [('M', 'Y', 'Z'), ('X', 'M', 'Y'), ('X', 'M', 'Y', 'Z'), ('X', 'Y', 'Z')]
    """
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
    """(Zhao et al. 2010 type, full/partial/none).

    From whether the indirect effect is significant (its interval excludes 0), whether the
    direct effect is (``None`` when the model has no direct path) and whether the two have
    the same sign: both significant is ``complementary`` (same sign) or ``competitive``
    mediation (partial); only the indirect is ``indirect-only`` (full); only the direct is
    ``direct-only`` and neither ``no-effect`` (no mediation). Without a direct path in the model
    the direct effect was fixed at 0, not estimated, so the type is ``not_tested``. By definition.

    References: Zhao, Lynch & Chen (2010).

    >>> mediation_type(True, True, True), mediation_type(True, False, True)
    (('complementary', 'partial'), ('indirect-only', 'full'))
    >>> mediation_type(True, True, False), mediation_type(True, None, True)
    (('competitive', 'partial'), ('not_tested', 'not_tested'))
    """
    if direct_sig is None:  # no direct path in the model: c' was fixed to 0, not tested
        return "not_tested", "not_tested"
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
    return {"sobel_z": sobel, "sobel_p": float(2 * norm_sf(abs(sobel))),
            "aroian_z": aroian, "aroian_p": float(2 * norm_sf(abs(aroian)))}


def _summarize(ctx: _EffectContext, kind: str, source: str, target: str, through: tuple[str, ...],
               row_sets: list[list[int]]) -> Effect:
    """One effect: the sum over ``row_sets`` of the product of each set's path coefficients."""
    point = float(sum(np.prod(ctx.values[r]) for r in row_sets))
    std_point = float(sum(np.prod(ctx.std[r]) for r in row_sets))
    se = _delta_se(ctx, row_sets)
    z_crit = norm_ppf(1 - (1 - ctx.level) / 2)
    extra: dict[str, Any] = {"se_delta": se}
    lo, hi = point - z_crit * se, point + z_crit * se
    boot = ctx.fit.bootstrap
    if boot is not None and boot.successful > 1:
        summary = _bootstrap_summary(boot, row_sets, point, std_point, ctx.level)
        se, lo, hi = summary.pop("se"), summary.pop("ci_lower"), summary.pop("ci_upper")
        extra.update(summary)
    z = point / se if se and se > 0 else float("nan")
    p = float(2 * norm_sf(abs(z))) if not math.isnan(z) else float("nan")
    if kind == "indirect" and len(row_sets[0]) == 2:
        extra.update(_sobel_aroian(ctx, *row_sets[0]))
    return Effect(kind, source, target, through, point, std_point, float(se), float(z), p, float(lo),
                  float(hi), extra)


def _classify(effects: list[Effect], total_ind: Effect, total: Effect, direct: Any, alpha: float) -> None:
    """Mediation type (Zhao et al., 2010) and VAF of the total indirect and each specific effect.

    Untested (``mediation_type`` ``not_tested``, VAF null) when the model has no direct path
    (``not_tested_because``: ``no_direct_path``) or when the indirect effect has no interval or
    the direct path no p-value (``no_interval``: no standard errors, as when the information
    matrix is singular); a missing test is never read as a non-significant one.
    """
    direct_p = float(direct["pvalue"]) if direct is not None else float("nan")
    direct_sig = None if direct is None else bool(direct_p < alpha)

    def same_sign(effect: Effect) -> bool:
        return float(direct["est"]) * effect.est > 0 if direct is not None else True

    def classify(effect: Effect) -> dict[str, Any]:
        decision = decide(effect.ci_lower, effect.ci_upper)
        if direct is None or decision == "not_tested" or math.isnan(direct_p):
            return {"mediation_type": "not_tested", "mediation": "not_tested", "vaf": float("nan"),
                    "not_tested_because": "no_direct_path" if direct is None else "no_interval"}
        zhao, kind = mediation_type(decision == "supported", direct_sig, same_sign(effect))
        # VAF = indirect / total needs an estimated direct effect (Hair et al., 2017)
        return {"mediation_type": zhao, "mediation": kind,
                "vaf": effect.est / total.est if total.est else float("nan")}

    total_ind.extra.update({**classify(total_ind), "direct_path": direct is not None})
    for effect in effects:
        if effect.kind == "indirect" and (effect.source, effect.target) == (total.source, total.target):
            effect.extra.update(classify(effect))


def compute_effects(results: SEMFit, alpha: float = 0.05, level: float = 0.95) -> list[Effect]:
    """Every specific indirect effect, and per (source, target) pair the total indirect and total effects.

    Uses the fit's bootstrap draws when it was fitted with ``se="bootstrap"``.

    For each chain of :func:`structural_chains` the estimate is the product of its path
    coefficients ``a * b * ...``; a total indirect effect sums the products of every chain from
    the same source to the same target, and the total adds the direct path. Without a
    bootstrap the SE is the delta method's (``se_delta``) and the interval
    ``est -/+ z_(1-(1-level)/2) SE``; with one, the bootstrap SE and the percentile interval,
    plus bias-corrected and BCa bounds in ``extra``. A single-mediator effect also gets the
    Sobel (1982) and Aroian (1947) z tests. The total indirect effect and each specific one
    get the mediation type of :func:`mediation_type` (direct path significant at ``alpha``)
    and VAF = indirect / total (Hair et al., 2017).

    The effects are not compared with R as such; the same products written as ``:=``
    parameters are checked against lavaan 0.6.14's bootstrap (estimates, SEs, percentile and
    bias-corrected bounds) in tests/test_bootstrap_reference.py.

    References: Sobel (1982); Aroian (1947); Zhao, Lynch & Chen (2010); Hair et al. (2017).

    >>> from loyaltysurvey.datasets import holzinger_swineford
    >>> from loyaltysurvey.sem import SEM
    >>> fit = SEM("visual =~ x1 + x2 + x3\\ntextual =~ x4 + x5 + x6\\nspeed =~ x7 + x8 + x9\\n"
    ...           "textual ~ visual\\nspeed ~ textual + visual").fit(holzinger_swineford())
    >>> [(e.kind, e.through, round(float(e.est), 3)) for e in compute_effects(fit)]
    [('indirect', ('textual',), 0.027), ('total_indirect', (), 0.027), ('total', (), 0.324)]
    >>> compute_effects(fit)[1].extra["mediation_type"]
    'direct-only'
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
