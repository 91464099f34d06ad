"""PLS-SEM across groups: MICOM and the multigroup analysis (PLS-MGA), permutations in batches.

Pure numpy. For two groups ``a`` and ``b`` of the rows of one indicator matrix ``X`` (already
free of missing values, as the pooled model used it):

* each group's own model (:func:`~loyaltysurvey.pls.algorithm.fit_pls`) and its bootstrap
  (:func:`~loyaltysurvey.pls.resampling.bootstrap_draws`);
* **Henseler's PLS-MGA** (Henseler, Ringle & Sinkovics, 2009), as seminr's
  ``estimate_pls_mga`` computes it: with the bootstrap means ``m_a``, ``m_b`` and the ``J``
  bootstrap values of each group (``J`` the smaller number of successful resamples),
  ``p = 1 - J^-2 sum_i sum_j [2 m_a - b_ai - 2 m_b + b_bj > 0]``; a one-sided p-value of
  ``beta_a > beta_b`` (near 0: a larger, near 1: b larger). The two-sided value
  ``2 min(p, 1 - p)`` decides (Sarstedt, Henseler & Ringle, 2011: a difference at the 5 % level
  when p < .05 or p > .95 for the one-sided value, here at ``alpha``);
* the **permutation test** (Chin & Dibbern, 2010): the group labels of the pooled rows are
  permuted, both groups re-estimated, and ``p`` is the share of permutations whose
  ``|beta_a - beta_b|`` is at least the observed one;
* the **parametric test** (Keil et al., 2000; the formula of Sarstedt et al., 2011) with the
  bootstrap standard errors ``se_a``, ``se_b`` of the groups::

      t = (beta_a - beta_b) / ( sqrt( (n_a-1)^2/(n_a+n_b-2) se_a^2 + (n_b-1)^2/(n_a+n_b-2) se_b^2 )
                                * sqrt(1/n_a + 1/n_b) ),   df = n_a + n_b - 2;

* the **Welch-Satterthwaite test**: ``t = (beta_a - beta_b) / sqrt(se_a^2 + se_b^2)``,
  ``df = (se_a^2 + se_b^2)^2 / (se_a^4/(n_a-1) + se_b^4/(n_b-1))``; both two-sided;
* **MICOM** (Henseler, Ringle & Sarstedt, 2016): step 1, configural invariance, holds by
  construction (one model, the same indicators, the same data treatment and algorithm in every
  group); step 2, compositional invariance: ``c = cor(Z w_a, Z w_b)`` for each construct, ``Z``
  the pooled standardized indicators and ``w_a``, ``w_b`` each group's outer weights, compared
  with its permutation distribution (``c_p`` = share of permuted ``c`` at or below the observed
  one; invariance when ``c`` is not below the 5 % quantile, i.e. ``c_p > .05``); step 3,
  equal composite means and variances: the composites of the pooled model (pooled weights,
  pooled standardized data, unit variance), their mean difference ``mean_a - mean_b`` and the
  log ratio of variances ``log(var_a / var_b)``, each with its two-sided permutation p-value
  (share of permuted absolute values at least the observed one).

Every permutation of a chunk is fitted at once: the group-wise indicator correlations of all
permutations come from one product of the permutation's membership matrix with the rows'
outer products, then :func:`~loyaltysurvey.pls.batched.fit_pls_batched` runs the PLS
iterations on them, warm-started from each group's own weights. Chunks of :data:`PERM_CHUNK`
permutations use child seeds of one :class:`numpy.random.SeedSequence` and run through
:func:`~loyaltysurvey.sem.bootstrap.map_chunks` (processes or a Dask client), so a seed gives the
same numbers on every backend. tests/test_pls_mga.py checks every permutation statistic against
a one-refit-per-permutation loop with the same draws, the parametric and Welch tests against
scipy's two-sample t tests from the same summaries, Henseler's p against the full ``J x J``
comparison, and MICOM on groups whose answer is known (identical groups, and groups built to
differ). tests/test_pls_mga_reference.py compares with seminr 2.3.2 on mobi (split by row parity)
and corp_rep (by servicetype): group paths, differences and MICOM's observed statistics to
1e-6 (measured 1e-14), Henseler's p, the bootstrap SEs and every permutation p-value (against a
loop of seminr re-estimations) within Monte Carlo error.

References: Henseler, Ringle & Sinkovics (2009); Chin & Dibbern (2010); Keil et al. (2000);
Sarstedt, Henseler & Ringle (2011); Henseler, Ringle & Sarstedt (2016).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

import numpy as np

from ..distributions import t_sf
from ..sem.bootstrap import chunk_seeds, map_chunks
from .algorithm import PLSEstimate, PLSSpec, fit_pls
from .batched import fit_pls_batched
from .resampling import DrawLayout, bootstrap_draws

__all__ = ["PERM_CHUNK", "GroupModel", "MGAPath", "MICOMRow", "PairComparison", "compare_groups",
           "fit_group", "henseler_p", "parametric_test", "welch_test", "permutation_masks", "permutation_stats",
           "permutation_stats_loop", "observed_stats"]

#: Permutations fitted together in one batch (one task of map_chunks).
PERM_CHUNK = 250


# ---------------------------------------------------------------------------------------------- tests
def henseler_p(boot_a: np.ndarray, boot_b: np.ndarray) -> float:
    """Henseler's PLS-MGA p-value of ``beta_a > beta_b`` from the two groups' bootstrap values.

    seminr's ``estimate_pls_mga`` definition: both series are cut to the shorter length ``J``,
    ``m`` is each series' mean, and ``p = 1 - (number of pairs (i, j) with
    2 m_a - a_i - 2 m_b + b_j > 0) / J^2``; computed by sorting (``J log J``), which
    tests/test_pls_mga.py checks against the full ``J x J`` comparison.

    >>> import numpy as np
    >>> henseler_p(np.array([0.5, 0.6, 0.7]), np.array([0.1, 0.2, 0.3]))  # a clearly larger
    0.0
    >>> henseler_p(np.array([0.1, 0.2, 0.3]), np.array([0.5, 0.6, 0.7]))
    1.0
    """
    J = min(len(boot_a), len(boot_b))
    if J == 0:
        return float("nan")
    a, b = np.asarray(boot_a[:J], float), np.asarray(boot_b[:J], float)
    u = 2 * a.mean() - a                       # 2 m_a - a_i
    v = np.sort(2 * b.mean() - b)              # 2 m_b - b_j
    above = np.searchsorted(v, u, side="left").sum()   # pairs with u_i > v_j
    return float(1.0 - above / J ** 2)


def parametric_test(diff: float, se_a: float, se_b: float, n_a: int, n_b: int) -> tuple[float, float, float]:
    """Keil et al.'s (2000) pooled-SE t test of a path difference: ``(t, df, two-sided p)``.

    The formula is in the module notes; tests/test_pls_mga.py checks it against
    ``scipy.stats.ttest_ind_from_stats(equal_var=True)`` given ``sqrt(n-1) se`` as each group's SD.

    >>> t, df, p = parametric_test(0.2, 0.05, 0.05, 101, 101)
    >>> round(t, 4), df, round(p, 4)
    (2.8425, 200, 0.0049)
    """
    df = n_a + n_b - 2
    pooled = np.sqrt((n_a - 1) ** 2 / df * se_a ** 2 + (n_b - 1) ** 2 / df * se_b ** 2)
    t = diff / (pooled * np.sqrt(1 / n_a + 1 / n_b))
    return float(t), df, float(2 * t_sf(abs(t), df))


def welch_test(diff: float, se_a: float, se_b: float, n_a: int, n_b: int) -> tuple[float, float, float]:
    """The Welch-Satterthwaite t test of a path difference: ``(t, df, two-sided p)``.

    ``t = diff / sqrt(se_a^2 + se_b^2)``, ``df = (se_a^2 + se_b^2)^2 / (se_a^4/(n_a-1) + se_b^4/(n_b-1))``
    (Sarstedt et al., 2011); checked against ``scipy.stats.ttest_ind_from_stats(equal_var=False)``.

    >>> t, df, p = welch_test(0.2, 0.05, 0.05, 101, 101)
    >>> round(t, 4), round(df, 1), round(p, 4)
    (2.8284, 200.0, 0.0052)
    """
    var = se_a ** 2 + se_b ** 2
    t = diff / np.sqrt(var)
    df = var ** 2 / (se_a ** 4 / (n_a - 1) + se_b ** 4 / (n_b - 1))
    return float(t), float(df), float(2 * t_sf(abs(t), df))


# ---------------------------------------------------------------------------------------------- groups
@dataclass(frozen=True)
class GroupModel:
    """One group's PLS model: ``value``, ``n``, the estimate and its bootstrap ``draws`` of the paths.

    ``draws`` is (successful resamples, number of paths) in the order of ``spec.paths``;
    ``failed`` counts resamples that could not be estimated; ``indicators`` names the columns of
    the data (their positions when not given).
    """

    value: str
    n: int
    estimate: PLSEstimate
    draws: np.ndarray
    failed: int
    spec: PLSSpec = field(repr=False)
    indicators: tuple[str, ...] = ()

    def path(self, k: int) -> float:
        names = list(self.spec.constructs)
        s, t = self.spec.paths[k]
        return float(self.estimate.paths[names.index(s), names.index(t)])

    def se(self, k: int) -> float:
        return float(self.draws[:, k].std(ddof=1)) if len(self.draws) > 1 else float("nan")

    def to_json(self, level: float = 0.95) -> dict[str, Any]:
        """results.json ``groups[value]["pls"]``: paths (est, bootstrap se, t, p, percentile interval), R²,
        outer weights and loadings, n, the bootstrap counts."""
        names = list(self.spec.constructs)
        lo, hi = (1 - level) / 2, 1 - (1 - level) / 2
        paths = []
        for k, (s, t) in enumerate(self.spec.paths):
            est, se = self.path(k), self.se(k)
            tv = est / se if se > 0 else float("nan")
            column = self.draws[:, k]
            paths.append({"from": s, "to": t, "est": est, "se": se, "t": tv,
                          "pvalue": float(2 * t_sf(abs(tv), len(column) - 1)) if len(column) > 1 else float("nan"),
                          "ci_lower": float(np.quantile(column, lo)) if len(column) else float("nan"),
                          "ci_upper": float(np.quantile(column, hi)) if len(column) else float("nan")})
        r2 = {c: float(self.estimate.r2[i]) for i, c in enumerate(names) if not np.isnan(self.estimate.r2[i])}
        item = (lambda j: self.indicators[j]) if self.indicators else str
        weights = {c: {item(j): float(self.estimate.weights[j, i]) for j in self.spec.blocks[i]}
                   for i, c in enumerate(names)}
        loadings = {c: {item(j): float(self.estimate.loadings[j, i]) for j in self.spec.blocks[i]}
                    for i, c in enumerate(names)}
        return {"n": self.n, "paths": paths, "r2": r2, "weights": weights, "loadings": loadings,
                "converged": bool(self.estimate.converged),
                "bootstrap": {"successful": int(len(self.draws)), "failed": self.failed}}


def _path_cells(spec: PLSSpec) -> tuple[np.ndarray, np.ndarray]:
    names = list(spec.constructs)
    return (np.array([names.index(s) for s, _ in spec.paths], dtype=int),
            np.array([names.index(t) for _, t in spec.paths], dtype=int))


def fit_group(X: np.ndarray, spec: PLSSpec, value: str, B: int, seed: Any, *, start: np.ndarray | None = None,
              jobs: int = 1, executor: Any = None, progress: Callable[[int], Any] | None = None,
              indicators: Sequence[str] = ()) -> GroupModel:
    """A group's model on its rows ``X`` and ``B`` bootstrap resamples (paths only kept).

    ``seed`` is anything :class:`numpy.random.SeedSequence` accepts (an int or a list of ints);
    the bootstrap is :func:`~loyaltysurvey.pls.resampling.bootstrap_draws` (checked against
    seminr's ``bootstrap_model`` in tests/test_pls_reference.py).

    >>> from loyaltysurvey.datasets import crm_pls
    >>> X, spec, items = crm_pls()
    >>> g = fit_group(X[:200], spec, "first 200", 100, 1)
    >>> g.n, g.draws.shape, round(g.path(0), 3) == round(float(fit_pls(X[:200], spec).paths[0, 1]), 3)
    (200, (100, 1), True)
    """
    est = fit_pls(X, spec, start=start)
    rows, cols = _path_cells(spec)
    if B > 0:
        draws, failed = bootstrap_draws(X, spec, est.weights, B, seed, jobs=jobs, executor=executor,
                                        progress=progress)
        layout = DrawLayout(spec, X.shape[1])
        draws = draws[:, [layout.path(i, j) for i, j in zip(rows, cols)]]
    else:
        draws, failed = np.zeros((0, len(spec.paths))), 0
    return GroupModel(value, int(X.shape[0]), est, draws, failed, spec, tuple(indicators))


# ---------------------------------------------------------------------------------------------- permutations
def permutation_masks(seed_seq: Any, size: int, n: int, n_a: int) -> np.ndarray:
    """(size, n) booleans: True for the rows that permutation puts in group ``a`` (``n_a`` of them).

    Each row is a uniformly random subset of ``n_a`` of the ``n`` rows (the first ``n_a`` of a random
    order), drawn from ``numpy.random.default_rng(seed_seq)``.

    >>> m = permutation_masks(1, 3, 6, 2)
    >>> m.shape, m.sum(axis=1).tolist()
    ((3, 6), [2, 2, 2])
    """
    rng = np.random.default_rng(seed_seq)
    order = np.argsort(rng.random((size, n)), axis=1)[:, :n_a]
    masks = np.zeros((size, n), dtype=bool)
    np.put_along_axis(masks, order, True, axis=1)
    return masks


def _pooled(X: np.ndarray, spec: PLSSpec, pooled_weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Pooled indicator correlations and the pooled model's composite scores (unit variance)."""
    Z = (X - X.mean(axis=0)) / X.std(axis=0, ddof=1)
    R = np.corrcoef(X, rowvar=False)
    scores = Z @ pooled_weights
    return R, scores / scores.std(axis=0, ddof=1)


def _micom_from(Wa: np.ndarray, Wb: np.ndarray, R: np.ndarray) -> np.ndarray:
    """MICOM's c per construct: cor(Z w_a, Z w_b) on the pooled data, from the pooled correlations R."""
    RWb = R @ Wb
    num = np.sum(Wa * RWb, axis=-2)
    va = np.sum(Wa * (R @ Wa), axis=-2)
    vb = np.sum(Wb * RWb, axis=-2)
    return num / np.sqrt(va * vb)


def _moments(scores: np.ndarray, masks: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean differences a - b and log variance ratios log(var_a/var_b) of the scores, per mask row."""
    m = masks.astype(float)
    n = scores.shape[0]
    n_a = m.sum(axis=1, keepdims=True)
    n_b = n - n_a
    s1, s2 = m @ scores, m @ scores ** 2
    t1, t2 = scores.sum(axis=0)[None], (scores ** 2).sum(axis=0)[None]
    mean_a, mean_b = s1 / n_a, (t1 - s1) / n_b
    var_a = (s2 - n_a * mean_a ** 2) / (n_a - 1)
    var_b = (t2 - s2 - n_b * mean_b ** 2) / (n_b - 1)
    return mean_a - mean_b, np.log(var_a / var_b)


def _group_correlations(Xc: np.ndarray, outer: np.ndarray, masks: np.ndarray) -> tuple[np.ndarray, ...]:
    """Indicator correlations of group a (rows in the mask) and group b (the rest), for every mask row."""
    P, n = masks.shape
    p = Xc.shape[1]
    m = masks.astype(float)
    n_a = m.sum(axis=1)
    n_b = n - n_a
    sa = m @ Xc                                    # (P, p) sums
    ca = (m @ outer).reshape(P, p, p)              # (P, p, p) cross-products
    tot_s, tot_c = Xc.sum(axis=0), outer.sum(axis=0).reshape(p, p)
    out = []
    for s, c, k in ((sa, ca, n_a), (tot_s[None] - sa, tot_c[None] - ca, n_b)):
        cov = (c - s[:, :, None] * s[:, None, :] / k[:, None, None]) / (k - 1)[:, None, None]
        var = np.einsum("bii->bi", cov)
        ok = np.all(var > 1e-12 * np.maximum(1.0, np.abs(np.einsum("bii->bi", c))), axis=1)
        sd = np.sqrt(np.where(var > 0, var, 1.0))
        out += [cov / (sd[:, :, None] * sd[:, None, :]), ok]
    return tuple(out)


def permutation_stats(X: np.ndarray, spec: PLSSpec, masks: np.ndarray, start_a: np.ndarray, start_b: np.ndarray,
                      R: np.ndarray, scores: np.ndarray) -> np.ndarray:
    """Statistics of each permutation (a row of ``masks``), fitted all at once.

    Columns: the path differences ``beta_a - beta_b`` (in ``spec.paths`` order), then per construct
    MICOM's ``c``, the mean difference and the log variance ratio of the pooled composites
    ``scores``. ``R`` is the pooled indicator correlation matrix. A row of NaN marks a permutation
    whose groups could not both be estimated. :func:`permutation_stats_loop` computes the same
    with one :func:`fit_pls` per group and permutation.
    """
    Xc = X - X.mean(axis=0)
    outer = np.einsum("ni,nj->nij", Xc, Xc).reshape(X.shape[0], -1)
    Ra, ok_a, Rb, ok_b = _group_correlations(Xc, outer, masks)
    fa = fit_pls_batched(None, spec, start_a, R=Ra, ok=ok_a)
    fb = fit_pls_batched(None, spec, start_b, R=Rb, ok=ok_b)
    rows, cols = _path_cells(spec)
    diff = fa["paths"][:, rows, cols] - fb["paths"][:, rows, cols]
    c = _micom_from(fa["weights"], fb["weights"], R)
    mean_diff, log_var = _moments(scores, masks)
    out = np.concatenate([diff, c, mean_diff, log_var], axis=1)
    out[~(fa["ok"] & fb["ok"])] = np.nan
    return out


def observed_stats(X: np.ndarray, spec: PLSSpec, mask: np.ndarray, est_a: PLSEstimate, est_b: PLSEstimate,
                   R: np.ndarray, scores: np.ndarray) -> np.ndarray:
    """The statistics of :func:`permutation_stats` for the observed groups (one row)."""
    rows, cols = _path_cells(spec)
    diff = est_a.paths[rows, cols] - est_b.paths[rows, cols]
    c = _micom_from(est_a.weights, est_b.weights, R)
    mean_diff, log_var = _moments(scores, mask[None])
    return np.concatenate([diff, c, mean_diff[0], log_var[0]])


def permutation_stats_loop(X: np.ndarray, spec: PLSSpec, masks: np.ndarray, R: np.ndarray,
                           scores: np.ndarray) -> np.ndarray:
    """The straightforward reference for :func:`permutation_stats`: one :func:`fit_pls` per group and permutation.

    Used by the tests and the benchmark; statistics computed directly from the fitted groups'
    scores on the pooled data (``np.corrcoef``, ``np.mean``, ``np.var``).
    """
    Z = (X - X.mean(axis=0)) / X.std(axis=0, ddof=1)
    rows, cols = _path_cells(spec)
    K = len(spec.constructs)
    out = np.full((masks.shape[0], len(rows) + 3 * K), np.nan)
    for r, mask in enumerate(masks):
        try:
            a, b = fit_pls(X[mask], spec), fit_pls(X[~mask], spec)
        except Exception:  # noqa: BLE001 - a group that cannot be estimated leaves its row NaN
            continue
        if not (a.converged and b.converged):
            continue
        ya, yb = Z @ a.weights, Z @ b.weights
        c = [np.corrcoef(ya[:, k], yb[:, k])[0, 1] for k in range(K)]
        mean = scores[mask].mean(axis=0) - scores[~mask].mean(axis=0)
        logv = np.log(scores[mask].var(axis=0, ddof=1) / scores[~mask].var(axis=0, ddof=1))
        out[r] = np.concatenate([a.paths[rows, cols] - b.paths[rows, cols], c, mean, logv])
    return out


def _perm_chunk(args) -> np.ndarray:
    X, spec, seed_seq, size, n_a, start_a, start_b, R, scores = args
    masks = permutation_masks(seed_seq, size, X.shape[0], n_a)
    return permutation_stats(X, spec, masks, start_a, start_b, R, scores)


# ---------------------------------------------------------------------------------------------- results
@dataclass(frozen=True)
class MGAPath:
    """One path compared between groups ``a`` and ``b`` (results.json ``pls_mga`` row)."""

    source: str
    target: str
    group_a: str
    group_b: str
    est_a: float
    est_b: float
    diff: float
    se_a: float
    se_b: float
    p_henseler: float
    p_permutation: float
    t_parametric: float
    df_parametric: float
    p_parametric: float
    t_welch: float
    df_welch: float
    p_welch: float
    alpha: float = 0.05

    @property
    def p_henseler_two_sided(self) -> float:
        p = self.p_henseler
        return float(2 * min(p, 1 - p)) if p == p else float("nan")

    @property
    def different(self) -> bool | None:
        """Does the path differ? By the permutation test at ``alpha`` (Chin & Dibbern, 2010); None without one."""
        p = self.p_permutation
        return None if p != p else bool(p < self.alpha)

    def to_json(self) -> dict[str, Any]:
        return {"from": self.source, "to": self.target, "group_a": self.group_a, "group_b": self.group_b,
                "est_a": self.est_a, "est_b": self.est_b, "diff": self.diff, "se_a": self.se_a, "se_b": self.se_b,
                "p_henseler": self.p_henseler, "p_henseler_two_sided": self.p_henseler_two_sided,
                "p_permutation": self.p_permutation,
                "t_parametric": self.t_parametric, "df_parametric": self.df_parametric,
                "p_parametric": self.p_parametric, "t_welch": self.t_welch, "df_welch": self.df_welch,
                "p_welch": self.p_welch, "different": self.different}


@dataclass(frozen=True)
class MICOMRow:
    """MICOM of one construct for groups ``a`` and ``b`` (Henseler, Ringle & Sarstedt, 2016).

    ``c`` and its permutation 5 % quantile ``c_q05`` and p-value ``c_p`` (step 2); ``mean_diff``,
    ``var_ratio_log`` with their permutation p-values and 95 % permutation intervals (step 3).
    """

    construct: str
    group_a: str
    group_b: str
    c: float
    c_q05: float
    c_p: float
    mean_diff: float
    mean_p: float
    mean_ci: tuple[float, float]
    var_ratio_log: float
    var_p: float
    var_ci: tuple[float, float]
    alpha: float = 0.05

    @property
    def compositional(self) -> bool | None:
        """Step 2: compositional invariance when ``c_p`` exceeds ``alpha`` (c not below the 5 % quantile)."""
        return None if self.c_p != self.c_p else bool(self.c_p > self.alpha)

    @property
    def equal_means(self) -> bool | None:
        return None if self.mean_p != self.mean_p else bool(self.mean_p >= self.alpha)

    @property
    def equal_variances(self) -> bool | None:
        return None if self.var_p != self.var_p else bool(self.var_p >= self.alpha)

    @property
    def invariance(self) -> str:
        """``full`` (steps 2 and 3 hold), ``partial`` (step 2 holds, step 3 does not) or ``none``."""
        if not self.compositional:
            return "none"
        return "full" if self.equal_means and self.equal_variances else "partial"

    def to_json(self) -> dict[str, Any]:
        return {"group_a": self.group_a, "group_b": self.group_b, "configural": True, "c": self.c,
                "c_q05": self.c_q05, "c_p": self.c_p, "compositional": self.compositional,
                "mean_diff": self.mean_diff, "mean_p": self.mean_p, "mean_ci": list(self.mean_ci),
                "equal_means": self.equal_means, "var_ratio_log": self.var_ratio_log, "var_p": self.var_p,
                "var_ci": list(self.var_ci), "equal_variances": self.equal_variances, "invariance": self.invariance}


@dataclass(frozen=True)
class PairComparison:
    """MGA and MICOM of groups ``a`` and ``b``; ``permutations`` asked, ``failed`` left out."""

    group_a: str
    group_b: str
    paths: tuple[MGAPath, ...]
    micom: tuple[MICOMRow, ...]
    permutations: int
    failed: int


def compare_groups(X: np.ndarray, spec: PLSSpec, mask: np.ndarray, a: GroupModel, b: GroupModel,
                   pooled_weights: np.ndarray, permutations: int, seed: Any, *, alpha: float = 0.05,
                   jobs: int = 1, executor: Any = None, progress: Callable[[int], Any] | None = None
                   ) -> PairComparison:
    """MGA and MICOM of the rows ``X[mask]`` (group ``a``) against ``X[~mask]`` (group ``b``).

    ``a`` and ``b`` are the groups' models (:func:`fit_group`, fitted on exactly those rows),
    ``pooled_weights`` the outer weights of the model on all rows of ``X`` (MICOM step 3).
    ``permutations`` label permutations are drawn in chunks of :data:`PERM_CHUNK` from child
    seeds of ``seed`` and fitted in batches (see the module notes); the tests are defined there.

    >>> import numpy as np
    >>> from loyaltysurvey.datasets import crm_pls
    >>> X, spec, items = crm_pls()
    >>> mask = np.arange(len(X)) % 2 == 0
    >>> a = fit_group(X[mask], spec, "even", 200, 1)
    >>> b = fit_group(X[~mask], spec, "odd", 200, 2)
    >>> res = compare_groups(X, spec, mask, a, b, fit_pls(X, spec).weights, 500, 3)
    >>> row = res.paths[0]
    >>> (row.source, row.target), round(row.diff, 3) == round(row.est_a - row.est_b, 3), 0 <= row.p_permutation <= 1
    (('SAT', 'LOY'), True, True)
    >>> [(m.construct, round(m.c, 3) > 0.99, m.compositional) for m in res.micom]
    [('SAT', True, True), ('LOY', True, True)]
    """
    R, scores = _pooled(X, spec, pooled_weights)
    observed = observed_stats(X, spec, mask, a.estimate, b.estimate, R, scores)
    n_a = int(mask.sum())
    if permutations > 0:
        children, sizes = chunk_seeds(permutations, seed, PERM_CHUNK)
        tasks = [(X, spec, child, size, n_a, a.estimate.weights, b.estimate.weights, R, scores)
                 for child, size in zip(children, sizes)]
        perm = np.concatenate(map_chunks(_perm_chunk, tasks, sizes, jobs, executor, progress))
        good = np.all(np.isfinite(perm), axis=1)
        failed = int((~good).sum())
        perm = perm[good]
    else:
        perm, failed = np.zeros((0, observed.size)), 0
    P = len(perm)

    def share(column: np.ndarray, hit: np.ndarray) -> float:
        return float(hit.mean()) if P else float("nan")

    nP = len(spec.paths)
    K = len(spec.constructs)
    tol = 1e-10  # differences equal up to rounding count as "at least as large"
    paths = []
    for k, (s, t) in enumerate(spec.paths):
        diff = float(observed[k])
        col = perm[:, k]
        se_a, se_b = a.se(k), b.se(k)
        tp, dfp, pp = parametric_test(diff, se_a, se_b, a.n, b.n)
        tw, dfw, pw = welch_test(diff, se_a, se_b, a.n, b.n)
        paths.append(MGAPath(s, t, a.value, b.value, a.path(k), b.path(k), diff, se_a, se_b,
                             henseler_p(a.draws[:, k], b.draws[:, k]),
                             share(col, np.abs(col) >= abs(diff) - tol), tp, dfp, pp, tw, dfw, pw, alpha))
    micom = []
    q = lambda col, x: float(np.quantile(col, x)) if P else float("nan")  # noqa: E731
    for k, name in enumerate(spec.constructs):
        c_obs, m_obs, v_obs = observed[nP + k], observed[nP + K + k], observed[nP + 2 * K + k]
        cc, mc, vc = perm[:, nP + k], perm[:, nP + K + k], perm[:, nP + 2 * K + k]
        micom.append(MICOMRow(name, a.value, b.value, float(c_obs), q(cc, alpha), share(cc, cc <= c_obs + tol),
                              float(m_obs), share(mc, np.abs(mc) >= abs(m_obs) - tol),
                              (q(mc, alpha / 2), q(mc, 1 - alpha / 2)), float(v_obs),
                              share(vc, np.abs(vc) >= abs(v_obs) - tol), (q(vc, alpha / 2), q(vc, 1 - alpha / 2)),
                              alpha))
    return PairComparison(a.value, b.value, tuple(paths), tuple(micom), permutations, failed)


def group_pairs(values: Sequence[str]) -> list[tuple[str, str]]:
    """Every pair of groups, in the groups' order.

    >>> group_pairs(["x", "y", "z"])
    [('x', 'y'), ('x', 'z'), ('y', 'z')]
    """
    return [(values[i], values[j]) for i in range(len(values)) for j in range(i + 1, len(values))]
