"""Monte Carlo power of a questionnaire's own structural model.

The population is the questionnaire's model in standardized form: every construct has
variance 1, every item loads ``loading`` on its construct (residual variance
``1 - loading^2``; a single item measures its construct without error), exogenous constructs
correlate ``exo_cor``, each structural path has its stated standardized value (``effects``,
0.3 by default) and each endogenous construct the disturbance variance that makes its
variance 1. Replications of ``n`` normal rows are drawn from the implied covariance matrix
in fixed chunks from child seeds of one :class:`numpy.random.SeedSequence` (the same seed
gives the same draws on every backend), each chunk is fitted at once by
:class:`~loyaltysurvey.sem.batched.BatchedML` (lavaan's ML, warm-started at the population
values), and each path is tested by its Wald z with expected-information standard errors
(lavaan's defaults for complete data). The power of a path is the share of converged
replications in which it is significant at ``alpha``; an indirect hypothesis is tested by
the product of its paths with the delta-method (Sobel) standard error. Replications that do
not converge are counted and left out, as simsem does.

Beside each Monte Carlo figure is the asymptotic power of the Wald test at the population
values (``Phi(|b| / SE - z) + Phi(-|b| / SE - z)``, SE from the expected information at
``n``; Satorra & Saris, 1985), to which the Monte Carlo power converges as ``n`` grows:
tests/test_samplesize.py checks both, and the single-path case against the closed form.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Mapping

import numpy as np

from ..distributions import norm_cdf, norm_ppf, norm_sf
from ..errors import LoyaltySurveyError, ModelError

if TYPE_CHECKING:
    from ..questionnaire.schema import Questionnaire

__all__ = ["CHUNK", "PowerModel", "MonteCarloPower", "build_power_model", "monte_carlo_power", "simulate_chunk",
           "draw_covariances", "wald_tests"]

#: Replications per task (one child seed each): the unit of work of every backend.
CHUNK = 100


@dataclass(frozen=True)
class PowerModel:
    """The population and the model fitted to each replication.

    ``sigma`` is the population covariance of the items (``observed`` order), ``model`` the
    :class:`~loyaltysurvey.sem.ram.RamModel` lavaan would fit, ``theta`` its parameters at
    the population (marker-variable metric) and ``information`` the expected Hessian of F
    there. ``tests`` lists what is tested: ``(kind, name, free indices, hypothesis, std effect)``
    with ``kind`` ``path`` (one free index) or ``indirect`` (the indices of the chain's paths).
    """

    sigma: np.ndarray
    observed: tuple[str, ...]
    model: Any
    theta: np.ndarray
    information: np.ndarray
    tests: tuple[tuple, ...]
    effects: tuple[tuple[str, str, float], ...]
    loading: float
    exo_cor: float


def _effect_key(key: str, paths: list[tuple[str, str]], q: "Questionnaire", labels: Mapping[str, tuple[str, str]]
                ) -> tuple[str, str]:
    """(target, source) of an effect named by hypothesis id, ``A->B``, ``B~A`` or a path label."""
    key = key.strip()
    for h in q.hypotheses:
        if h.id == key:
            if h.through:
                raise LoyaltySurveyError(f"--effect {key}: {key} is an indirect hypothesis; state the effects of "
                                         "its paths instead")
            if h.moderator:
                raise LoyaltySurveyError(f"--effect {key}: {key} is a moderation hypothesis; the Monte Carlo power "
                                         "analysis does not simulate interactions")
            pair = (h.target, h.source)
            break
    else:
        if "->" in key:
            source, target = (s.strip() for s in key.split("->", 1))
            pair = (target, source)
        elif "~" in key:
            target, source = (s.strip() for s in key.split("~", 1))
            pair = (target, source)
        elif key in labels:
            pair = labels[key]
        else:
            raise LoyaltySurveyError(f"--effect {key}: not a hypothesis id, a path label or a path written "
                                     "SOURCE->TARGET")
    if pair not in paths:
        raise LoyaltySurveyError(f"--effect {key}: the model has no path {pair[1]} -> {pair[0]}")
    return pair


def build_power_model(q: "Questionnaire", effects: Mapping[str, float] | None = None, *, default_effect: float = 0.3,
                      loading: float = 0.7, exo_cor: float = 0.3) -> PowerModel:
    """The standardized population of ``q``'s model and the model fitted to each replication.

    ``effects`` maps hypothesis ids (``H1``), paths (``KCF->SAT`` or ``SAT~KCF``) or path labels
    (``h1``) to standardized path values; other paths get ``default_effect``. Raises
    :class:`~loyaltysurvey.errors.ModelError` for models this population cannot express
    (higher-order constructs, interactions, paths to or from single items) and
    :class:`~loyaltysurvey.errors.LoyaltySurveyError` for effects that give a construct an
    R^2 of 1 or more.

    >>> from loyaltysurvey.datasets import hs_questionnaire
    >>> pm = build_power_model(hs_questionnaire(), {"H1": 0.2})
    >>> [(t[1], t[3], t[4]) for t in pm.tests]
    [('textual~visual', '', 0.3), ('speed~textual', '', 0.3), ('speed~visual', 'H1', 0.2), ('H2', 'H2', 0.09)]
    """
    from ..sem.estimate import fit_ml
    from ..sem.partable import build_partable
    from ..sem.ram import RamModel

    if not (0 < loading < 1):
        raise LoyaltySurveyError(f"the standardized loading must lie between 0 and 1 (got {loading:g})")
    if not (-1 < exo_cor < 1):
        raise LoyaltySurveyError(f"the correlation of exogenous constructs must lie between -1 and 1 (got {exo_cor:g})")
    constructs = [c.id for c in q.constructs]
    items = {c.id: [i.id for i in c.items] for c in q.first_order}
    table = build_partable(q.sem_statements)
    for p in table.params:
        if p.op == "=~" and p.lhs not in items:
            raise ModelError(f"Monte Carlo power handles first-order constructs only; '{p.lhs}' is measured by "
                             "constructs", source=q.source)
        if p.op == "~" and (p.lhs not in items or p.rhs not in items):
            raise ModelError(f"Monte Carlo power handles paths between constructs only; '{p.lhs} ~ {p.rhs}' is not "
                             "one", source=q.source)
    paths = [(p.lhs, p.rhs) for p in table.params if p.op == "~"]
    if not paths:
        raise ModelError("Monte Carlo power needs a structural model: the questionnaire's model has no paths "
                         "between constructs", source=q.source)
    labels = {p.label: (p.lhs, p.rhs) for p in table.params if p.op == "~" and p.label}
    value = {pair: float(default_effect) for pair in paths}
    for key, v in (effects or {}).items():
        v = float(v)
        if not (-1 < v < 1):
            raise LoyaltySurveyError(f"--effect {key}={v:g}: a standardized path lies between -1 and 1")
        value[_effect_key(key, paths, q, labels)] = v

    # latent covariance, construct by construct in causal order: each variance is 1
    k = len(constructs)
    index = {c: i for i, c in enumerate(constructs)}
    B = np.zeros((k, k))
    for (target, source), v in value.items():
        B[index[target], index[source]] = v
    endogenous = {index[t] for t, _ in paths}
    exogenous = [i for i in range(k) if i not in endogenous]
    cov = np.full((k, k), np.nan)
    for i in exogenous:
        for j in exogenous:
            cov[i, j] = 1.0 if i == j else exo_cor
    done = set(exogenous)
    pending = sorted(endogenous)
    while pending:
        ready = [j for j in pending if all(B[j, s] == 0 or s in done for s in range(k) if s != j)
                 and B[j, j] == 0]
        if not ready:
            raise ModelError("Monte Carlo power needs a recursive model (no feedback loops)", source=q.source)
        for j in ready:
            preds = [s for s in range(k) if B[j, s] != 0]
            known = sorted(done)
            for m in known:
                cov[j, m] = cov[m, j] = sum(B[j, s] * cov[s, m] for s in preds)
            explained = float(sum(B[j, s] * B[j, t] * cov[s, t] for s in preds for t in preds))
            if explained >= 1:
                raise LoyaltySurveyError(f"the stated effects explain {explained:.2f} of the variance of "
                                         f"'{constructs[j]}' (R² must stay below 1): state smaller effects or a "
                                         "smaller --exo-cor")
            cov[j, j] = 1.0
            done.add(j)
            pending.remove(j)
    observed = table.observed
    lam = np.zeros((len(observed), k))
    theta_diag = np.zeros(len(observed))
    for c in constructs:
        single = len(items[c]) == 1
        for item in items[c]:
            r = observed.index(item)
            lam[r, index[c]] = 1.0 if single else loading
            theta_diag[r] = 0.0 if single else 1 - loading ** 2
    sigma = lam @ cov @ lam.T + np.diag(theta_diag)

    model = RamModel.from_table(table)
    sol = fit_ml(model, sigma)
    if not sol.converged or sol.fmin > 1e-8:
        raise ModelError("the model does not reproduce its own population (is it identified?)", source=q.source)
    free_of = {(p.lhs, p.rhs): p.free - 1 for p in table.params if p.op == "~" and p.free}
    hyp_of = {(h.target, h.source): h.id for h in q.hypotheses if not h.through and not h.moderator}
    tests: list[tuple] = []
    for pair in paths:
        if pair in free_of:
            tests.append(("path", f"{pair[0]}~{pair[1]}", (free_of[pair],), hyp_of.get(pair, ""), value[pair]))
    for h in q.hypotheses:
        if h.through:
            chain = [h.source, *h.through, h.target]
            links = [(chain[i + 1], chain[i]) for i in range(len(chain) - 1)]
            if all(link in free_of for link in links):
                tests.append(("indirect", h.id, tuple(free_of[link] for link in links), h.id,
                              float(np.prod([value[link] for link in links]))))
    return PowerModel(sigma, observed, model, sol.theta, sol.information, tuple(tests),
                      tuple((t, s, v) for (t, s), v in value.items()), float(loading), float(exo_cor))


def draw_covariances(chol: np.ndarray, n: int, size: int, rng: np.random.Generator) -> np.ndarray:
    """``size`` sample covariance matrices (divisor ``n``) of ``n`` normal rows with covariance ``chol chol'``."""
    Z = rng.standard_normal((size, n, chol.shape[0])) @ chol.T
    Z -= Z.mean(axis=1, keepdims=True)
    return np.einsum("bni,bnj->bij", Z, Z) / n


def _expected_hessians(batched, theta: np.ndarray) -> np.ndarray:
    """The expected Hessian of F, ``tr(Sigma^-1 D_k Sigma^-1 D_l)``, at each parameter vector (b, q, q).

    Every parameter-table row's derivative is ``D = c (u v' + v u')`` (RAM form: an ``A`` cell
    (i, j) has ``u = E_o[:, i]``, ``v = Sigma_full[j, :p]``, ``c = 1``; an ``S`` cell ``u = E_o[:, i]``,
    ``v = E_o[:, j]``, ``c = 1/2`` on the diagonal), so with ``W = Sigma^-1``
    ``tr(W D_k W D_l) = 2 c_k c_l ((u_k' W u_l)(v_k' W v_l) + (u_k' W v_l)(v_k' W u_l))``: Gram
    matrices of the rows instead of the (b, q, p, p) derivative array. Rows sharing a free
    parameter are summed into it. Equal to the information of
    :func:`~loyaltysurvey.sem.estimate.fit_ml` (tests/test_samplesize.py).
    """
    m = batched.model
    Sigma, full, E = batched.implied(theta)
    if (m.mat == 2).any():  # a mean structure: the derivative array (not used by the power models)
        D = batched.derivatives(E, full)
        M = np.linalg.inv(Sigma)[:, None] @ D
        b, q, p, _ = M.shape
        return M.reshape(b, q, p * p) @ np.swapaxes(M, 2, 3).reshape(b, q, p * p).transpose(0, 2, 1)
    p = batched.p
    W = np.linalg.inv(Sigma)
    Eo = E[:, :p]                                                    # (b, p, n)
    U = np.swapaxes(Eo[:, :, m.row], 1, 2)                           # (b, rows, p)
    V = np.where((m.mat == 0)[None, :, None], full[:, m.col, :p], np.swapaxes(Eo[:, :, m.col], 1, 2))
    c = np.where((m.mat == 1) & (m.row == m.col), 0.5, 1.0)
    UW, VW = U @ W, V @ W
    Ut, Vt = np.swapaxes(U, 1, 2), np.swapaxes(V, 1, 2)
    Guv = UW @ Vt
    rows = 2 * (c[:, None] * c[None, :]) * ((UW @ Ut) * (VW @ Vt) + Guv * np.swapaxes(Guv, 1, 2))
    agg = batched.agg
    return agg @ rows @ agg.T


def wald_tests(theta: np.ndarray, vcov: np.ndarray, tests: tuple[tuple, ...]) -> tuple[np.ndarray, np.ndarray]:
    """Estimates and z statistics (b, len(tests)) of every test from estimates and their covariance.

    A path's z is ``est / SE``; an indirect effect's is the product of its paths over the
    delta-method SE, ``sqrt(g' V g)`` with ``g_k`` the product of the other paths (Sobel, 1982).
    """
    b = theta.shape[0]
    est = np.zeros((b, len(tests)))
    z = np.zeros((b, len(tests)))
    for j, (kind, _name, idx, _h, _v) in enumerate(tests):
        idx = list(idx)
        a = theta[:, idx]
        value = np.prod(a, axis=1)
        if len(idx) == 1:
            var = vcov[:, idx[0], idx[0]]
        else:
            g = np.stack([np.prod(np.delete(a, m, axis=1), axis=1) for m in range(len(idx))], axis=1)
            V = vcov[:, idx][:, :, idx]
            var = np.einsum("bk,bkl,bl->b", g, V, g)
        with np.errstate(invalid="ignore", divide="ignore"):
            z[:, j] = value / np.sqrt(var)
        est[:, j] = value
    return est, z


def simulate_chunk(args) -> tuple[int, np.ndarray, np.ndarray]:
    """One chunk of replications: (converged, significant counts per test, sum of estimates per test).

    ``args = (power_model, n, size, seed_seq, alpha)``; the same ``seed_seq`` always draws the
    same data. The fits, their expected-information covariance ``inv((n / 2) H)`` and the Wald
    tests are computed for the whole chunk at once.
    """
    from ..sem.batched import BatchedML
    pm, n, size, seed_seq, alpha = args
    rng = np.random.default_rng(seed_seq)
    S = draw_covariances(np.linalg.cholesky(pm.sigma), n, size, rng)
    batched = BatchedML(pm.model)
    theta, _, converged = batched.fit(S, pm.theta, pm.information)
    theta = theta[converged]
    sig = np.zeros(len(pm.tests), dtype=int)
    total = np.zeros(len(pm.tests))
    if theta.shape[0]:
        H = _expected_hessians(batched, theta)
        vcov = np.linalg.inv(H) * (2.0 / n)
        est, z = wald_tests(theta, vcov, pm.tests)
        crit = float(norm_ppf(1 - alpha / 2))
        sig = np.sum(np.abs(z) > crit, axis=0)
        total = est.sum(axis=0)
    return int(converged.sum()), sig, total


@dataclass(frozen=True)
class MonteCarloPower:
    """Monte Carlo power per tested path of a questionnaire's model at ``n`` respondents.

    ``paths`` holds one row per structural path and per indirect hypothesis: ``lhs``, ``op``
    (``~`` or ``indirect``), ``rhs``, ``hypothesis``, ``std_effect`` (the stated standardized
    value), ``est_population`` (in the fitted model's metric), ``power`` (share of converged
    replications significant at ``alpha``), ``mc_se`` (its Monte Carlo standard error
    ``sqrt(power (1 - power) / converged)``), ``mean_est`` and ``asymptotic_power``.
    """

    n: int
    replications: int
    converged: int
    alpha: float
    seed: int | None
    loading: float
    exo_cor: float
    paths: tuple[dict, ...] = field(default_factory=tuple)

    @property
    def convergence_rate(self) -> float:
        """Converged replications over all replications."""
        return self.converged / self.replications if self.replications else float("nan")

    def to_json(self) -> dict[str, Any]:
        return {"n": self.n, "replications": self.replications, "converged": self.converged,
                "convergence_rate": self.convergence_rate, "alpha": self.alpha, "seed": self.seed,
                "loading": self.loading, "exogenous_correlation": self.exo_cor,
                "paths": [dict(p) for p in self.paths]}


def asymptotic_power(pm: PowerModel, n: int, alpha: float) -> np.ndarray:
    """The power of each test's Wald z at the population values with ``n`` respondents."""
    vcov = np.linalg.inv(pm.information)[None] * (2.0 / n)
    est, z = wald_tests(pm.theta[None], vcov, pm.tests)
    crit = float(norm_ppf(1 - alpha / 2))
    zz = np.abs(z[0])
    return norm_cdf(zz - crit) + norm_cdf(-zz - crit)


def monte_carlo_power(q: "Questionnaire", n: int, replications: int = 1000, *,
                      effects: Mapping[str, float] | None = None, default_effect: float = 0.3, loading: float = 0.7,
                      exo_cor: float = 0.3, alpha: float = 0.05, seed: int | None = 20260101, jobs: int = 1,
                      executor: Any = None, progress: Callable[[int], Any] | None = None) -> MonteCarloPower:
    """Monte Carlo power of every structural path (and indirect hypothesis) of ``q`` at ``n``.

    See the module's description for the population and the tests. Work runs in chunks of
    :data:`CHUNK` replications in this process, in ``jobs`` processes or on ``executor`` (a
    Dask client wrapper, :func:`~loyaltysurvey.parallel.dask_executor`), with the same draws
    and results on every backend for the same ``seed``.

    >>> from loyaltysurvey.datasets import hs_questionnaire
    >>> r = monte_carlo_power(hs_questionnaire(), 200, 100, seed=1)
    >>> r.converged, [round(p["asymptotic_power"], 3) for p in r.paths][:2]
    (100, [0.852, 0.837])
    """
    from ..sem.bootstrap import chunk_seeds, map_chunks

    if n != int(n) or n < 10:
        raise LoyaltySurveyError(f"the Monte Carlo sample size n must be a whole number of at least 10 (got {n})")
    if replications != int(replications) or replications < 1:
        raise LoyaltySurveyError(f"the number of replications must be at least 1 (got {replications})")
    if not (0 < alpha < 1):
        raise LoyaltySurveyError(f"alpha must lie strictly between 0 and 1 (got {alpha:g})")
    pm = build_power_model(q, effects, default_effect=default_effect, loading=loading, exo_cor=exo_cor)
    if n <= len(pm.observed):
        raise LoyaltySurveyError(f"n = {n} is not above the number of items ({len(pm.observed)}): the sample "
                                 "covariance matrix would be singular")
    children, sizes = chunk_seeds(int(replications), seed, CHUNK)
    tasks = [(pm, int(n), size, child, float(alpha)) for child, size in zip(children, sizes)]
    parts = map_chunks(simulate_chunk, tasks, sizes, jobs, executor, progress)
    converged = sum(p[0] for p in parts)
    sig = np.sum([p[1] for p in parts], axis=0)
    total = np.sum([p[2] for p in parts], axis=0)
    asym = asymptotic_power(pm, int(n), alpha)
    pop_est, _ = wald_tests(pm.theta[None], np.linalg.inv(pm.information)[None], pm.tests)
    rows = []
    for j, (kind, name, _idx, hyp, std) in enumerate(pm.tests):
        power = sig[j] / converged if converged else float("nan")
        if kind == "path":
            lhs, rhs = name.split("~", 1)
            op = "~"
        else:
            h = next(h for h in q.hypotheses if h.id == name)
            lhs, rhs, op = h.target, h.source, "indirect"
        rows.append({"lhs": lhs, "op": op, "rhs": rhs, "hypothesis": hyp, "std_effect": float(std),
                     "est_population": float(pop_est[0, j]), "power": float(power),
                     "mc_se": float(math.sqrt(power * (1 - power) / converged)) if converged else float("nan"),
                     "mean_est": float(total[j] / converged) if converged else float("nan"),
                     "asymptotic_power": float(asym[j])})
    return MonteCarloPower(int(n), int(replications), int(converged), float(alpha), seed, pm.loading, pm.exo_cor,
                           tuple(rows))
