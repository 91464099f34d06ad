"""PLS path modelling (Wold, Lohmoeller) as SmartPLS and seminr estimate it.

Indicators are standardized (mean 0, standard deviation with n - 1). Starting
from unit outer weights, the algorithm alternates:

1. outer estimate of each construct: ``Y_j = X_j w_j``, scaled to unit variance;
2. inner weights: path scheme (a predecessor's weight is its coefficient in the
   regression of the construct on all its predecessors, a successor's is their
   correlation), centroid (sign of the correlation) or factorial (the correlation),
   over the constructs adjacent in the structural model;
3. inner proxy ``Z_j = sum_i e_ji Y_i``;
4. outer weights: mode A ``w_j = cor(X_j, Z_j)`` (covariances of standardized data),
   mode B the regression weights of ``Z_j`` on ``X_j``; reflective constructs ("R")
   use mode A and are then corrected by PLSc (:func:`_consistent`);

until the summed absolute change of the weights is below ``10^-stop`` (seminr: 7). Paths are
then OLS regressions of the standardized construct scores; loadings are the
correlations of indicators with their construct's scores.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..errors import DataError, ModelError

__all__ = ["PLSSpec", "PLSEstimate", "fit_pls", "inner_structure"]


@dataclass(frozen=True)
class PLSSpec:
    """Constructs (name -> indicator column indices), modes ("A"/"B") and paths (source, target).

    ``constructs`` names the constructs; ``blocks[k]`` holds the column indices (into the
    data given to :func:`fit_pls`) of construct ``k``'s indicators; ``modes[k]`` is
    ``"A"`` (outer weights from correlations, seminr's ``mode_A``), ``"B"`` (regression
    weights, ``mode_B``) or ``"R"`` (reflective: mode A corrected by consistent PLS,
    PLSc, as seminr's ``reflective()`` with ``estimate_pls``); ``paths`` lists the
    structural paths ``(source, target)`` by name. ``scheme`` is the inner weighting
    scheme (``"path"``, ``"factorial"`` or ``"centroid"``); the iterations stop when the
    summed absolute change of the outer weights is below ``stop`` (seminr's 1e-7) or
    after ``max_iter``. A path that names an unknown construct raises
    :class:`~loyaltysurvey.errors.ModelError`. A plain specification (by definition);
    :func:`fit_pls` says which estimates are checked against seminr.

    >>> spec = PLSSpec(("SAT", "LOY"), ((0, 1, 2, 3), (4, 5, 6, 7)), ("A", "A"), (("SAT", "LOY"),))
    >>> spec.scheme, spec.stop
    ('path', 1e-07)
    >>> PLSSpec(("SAT",), ((0, 1),), ("A",), (("SAT", "LOY"),))
    Traceback (most recent call last):
    ...
    loyaltysurvey.errors.ModelError: the path SAT -> LOY names a construct that has no indicators
    """

    constructs: tuple[str, ...]
    blocks: tuple[tuple[int, ...], ...]
    modes: tuple[str, ...]
    paths: tuple[tuple[str, str], ...]
    scheme: str = "path"
    max_iter: int = 300
    stop: float = 1e-7

    def __post_init__(self) -> None:
        names = set(self.constructs)
        for s, t in self.paths:
            if s not in names or t not in names:
                raise ModelError(f"the path {s} -> {t} names a construct that has no indicators")


@dataclass(frozen=True)
class PLSEstimate:
    weights: np.ndarray        # (p, K) outer weights, zero outside each block
    scores: np.ndarray         # (n, K) standardized construct scores
    loadings: np.ndarray       # (p, K) correlations of indicators with construct scores
    paths: np.ndarray          # (K, K) path coefficients, [source, target]
    r2: np.ndarray             # (K,) R^2 of endogenous constructs (NaN for exogenous)
    iterations: int
    converged: bool
    correlations: np.ndarray   # (K, K) construct score correlations
    extra: dict = field(default_factory=dict)


def inner_structure(spec: PLSSpec) -> tuple[np.ndarray, dict[int, list[int]]]:
    """Adjacency (K, K) with 1 for source -> target, and predecessors of each construct.

    ``adj[i, j] = 1`` when ``spec.paths`` has ``constructs[i] -> constructs[j]``, else 0;
    ``preds[j]`` lists the indices ``i`` with ``adj[i, j] = 1``, in construct order
    (by definition).

    >>> spec = PLSSpec(("KM", "SAT", "LOY"), ((0, 1), (2, 3), (4, 5)), ("A", "A", "A"),
    ...                (("KM", "SAT"), ("SAT", "LOY"), ("KM", "LOY")))
    >>> adj, preds = inner_structure(spec)
    >>> adj.astype(int).tolist()
    [[0, 1, 1], [0, 0, 1], [0, 0, 0]]
    >>> preds
    {0: [], 1: [0], 2: [0, 1]}
    """
    index = {c: i for i, c in enumerate(spec.constructs)}
    K = len(spec.constructs)
    adj = np.zeros((K, K))
    for s, t in spec.paths:
        adj[index[s], index[t]] = 1.0
    preds = {j: [i for i in range(K) if adj[i, j]] for j in range(K)}
    return adj, preds


def _standardize(X: np.ndarray) -> np.ndarray:
    sd = X.std(axis=0, ddof=1)
    if np.any(sd == 0):
        raise DataError("an indicator has zero variance; remove it from the PLS model")
    return (X - X.mean(axis=0)) / sd


def _regress(y: np.ndarray, X: np.ndarray) -> np.ndarray:
    return np.linalg.solve(X.T @ X, X.T @ y)


def fit_pls(X: np.ndarray, spec: PLSSpec, start: np.ndarray | None = None) -> PLSEstimate:
    """Estimate the PLS path model on raw indicator data ``X`` (n, p), already free of missing values.

    ``start`` (outer weights) warm-starts the iterations, as the bootstrap does with the
    full-sample weights; the solution does not depend on it.

    The algorithm is the one in the module notes: standardized indicators, outer
    estimates ``Y_j = X_j w_j`` scaled to unit variance, inner proxies
    ``Z_j = sum_i e_ji Y_i`` by the chosen scheme, new outer weights by mode A
    (``w_j = cor(X_j, Z_j)``) or mode B (OLS of ``Z_j`` on ``X_j``), until the summed
    absolute change of the weights is below ``spec.stop``. Then the paths are
    ``beta_j = C_pp^-1 C_pj`` (OLS on the construct correlations ``C``),
    ``R^2_j = beta_j' C_pj``, and the loadings are the indicator-score correlations; for
    ``"R"`` constructs PLSc corrects the loadings and disattenuates ``C`` first
    (``extra["rho_a"]`` holds the reliabilities). Returns a :class:`PLSEstimate`
    (``converged`` is False when ``spec.max_iter`` is reached).

    Checked against seminr 2.3.2 ``estimate_pls`` (path coefficients, outer loadings and
    weights) on mobi (mode A, Image in mode B, and all constructs reflective = PLSc)
    and corp_rep, and with the factorial scheme on mobi, in tests/test_pls_reference.py;
    the mobi paths also equal the published values in tests/test_pls_published.py. The
    centroid scheme is not compared with a reference.

    References: Wold (1982); Lohmöller (1989); Dijkstra & Henseler (2015).

    >>> from loyaltysurvey.datasets import crm_responses
    >>> items = ["SAT1", "SAT2", "SAT3", "SAT4", "LOY1", "LOY2", "LOY3", "LOY4"]
    >>> X = crm_responses()[items].dropna().to_numpy()
    >>> spec = PLSSpec(("SAT", "LOY"), ((0, 1, 2, 3), (4, 5, 6, 7)), ("A", "A"), (("SAT", "LOY"),))
    >>> fit = fit_pls(X, spec)
    >>> fit.converged, round(float(fit.paths[0, 1]), 3), round(float(fit.r2[1]), 3)
    (True, 0.453, 0.205)
    >>> fit.loadings[:4, 0].round(3).tolist()
    [0.845, 0.818, 0.752, 0.812]
    >>> plsc = PLSSpec(("SAT", "LOY"), ((0, 1, 2, 3), (4, 5, 6, 7)), ("R", "R"), (("SAT", "LOY"),))
    >>> round(float(fit_pls(X, plsc).paths[0, 1]), 3)  # disattenuated by sqrt(rho_A_SAT rho_A_LOY)
    0.545
    """
    n, p = X.shape
    Z = _standardize(np.asarray(X, dtype=float))
    K = len(spec.constructs)
    adj, preds = inner_structure(spec)
    linked = (adj + adj.T) > 0
    mask = np.zeros((p, K))
    for k, block in enumerate(spec.blocks):
        mask[list(block), k] = 1.0
    W = mask.copy() if start is None else start.copy()

    def scores_of(W: np.ndarray) -> np.ndarray:
        Y = Z @ W
        return Y / Y.std(axis=0, ddof=1)

    converged = False
    it = 0
    for it in range(1, spec.max_iter + 1):
        Y = scores_of(W)
        C = np.corrcoef(Y, rowvar=False)
        E = np.zeros((K, K))  # E[i, j]: weight of construct i in the inner proxy of j
        for j in range(K):
            neighbours = np.nonzero(linked[:, j])[0]
            if spec.scheme == "centroid":
                E[neighbours, j] = np.sign(C[neighbours, j])
            elif spec.scheme == "factorial":
                E[neighbours, j] = C[neighbours, j]
            else:  # path weighting
                succ = np.nonzero(adj[j, :])[0]
                E[succ, j] = C[succ, j]
                pr = preds[j]
                if pr:
                    E[pr, j] = _regress(Y[:, j], Y[:, pr])
        isolated = ~linked.any(axis=0)
        E[isolated, isolated] = 1.0  # a construct without neighbours is its own proxy
        proxies = Y @ E
        W_new = np.zeros_like(W)
        for k, block in enumerate(spec.blocks):
            cols = list(block)
            if spec.modes[k] == "B" and len(cols) > 1:
                W_new[cols, k] = _regress(proxies[:, k], Z[:, cols])
            else:
                W_new[cols, k] = Z[:, cols].T @ proxies[:, k] / (n - 1)
        # Scale the weights so that each construct score has unit variance.
        W_new = W_new / (Z @ W_new).std(axis=0, ddof=1)
        change = np.sum(np.abs(W_new - W))  # seminr's stopping rule: summed absolute change
        W = W_new
        if change < spec.stop:
            converged = True
            break
    Y = scores_of(W)
    C = np.corrcoef(Y, rowvar=False)
    loadings = (Z.T @ Y / (n - 1)) * mask
    extra = {}
    if "R" in spec.modes:
        C, loadings, rho = _consistent(Z, W, C, loadings, spec)
        extra["rho_a"] = rho
    paths = np.zeros((K, K))
    r2 = np.full(K, np.nan)
    for j in range(K):
        pr = preds[j]
        if pr:
            beta = np.linalg.solve(C[np.ix_(pr, pr)], C[pr, j])
            paths[pr, j] = beta
            r2[j] = float(beta @ C[pr, j])
    return PLSEstimate(W, Y, loadings, paths, r2, it, converged, C, extra)


def _consistent(Z: np.ndarray, W: np.ndarray, C: np.ndarray, loadings: np.ndarray, spec: PLSSpec):
    """PLSc (Dijkstra & Henseler, 2015) for reflective ("R") constructs.

    With the block's indicator correlations S and the weights w (unit score variance):
    ``c^2 = w'(S - diag S)w / w'(ww' - diag ww')w``, consistent loadings ``c w`` and
    reliability ``rho_A = (w'w)^2 c^2``; construct correlations are disattenuated by
    ``sqrt(rho_A_i rho_A_j)``. Weights and scores stay those of PLS.
    """
    n = Z.shape[0]
    K = len(spec.constructs)
    rho = np.ones(K)
    loadings = loadings.copy()
    for k, block in enumerate(spec.blocks):
        cols = list(block)
        if spec.modes[k] != "R" or len(cols) < 2:
            continue
        S = Z[:, cols].T @ Z[:, cols] / (n - 1)
        w = W[cols, k]
        ww = np.outer(w, w)
        c2 = (w @ (S - np.diag(np.diag(S))) @ w) / (w @ (ww - np.diag(np.diag(ww))) @ w)
        rho[k] = (w @ w) ** 2 * c2
        loadings[cols, k] = np.sqrt(c2) * w
    corrected = C / np.sqrt(np.outer(rho, rho))
    np.fill_diagonal(corrected, 1.0)
    return corrected, loadings, rho
