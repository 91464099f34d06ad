"""Exploratory factor analysis and Horn's parallel analysis, as psych computes them.

* :func:`efa`: a common-factor model fitted by minimum residual (``minres``, unweighted
  least squares) or maximum likelihood (``ml``), rotated by ``oblimin`` (quartimin, gamma 0),
  ``varimax`` or not at all (psych's ``fa``).
* :func:`parallel_analysis`: observed eigenvalues of the items' correlation matrix (principal
  components) and of the matrix with one-factor communalities on its diagonal (factors),
  against those of simulated normal data of the same size, and the number of components and
  factors that stand above chance (psych's ``fa.parallel``).

Both start from raw answers as psych does: Pearson correlations of pairwise-complete answers
and ``n`` the number of rows. Checked against R 4.2.2 psych 2.2.9 with GPArotation 2022.10.2
on bfi (25 items, complete cases), HolzingerSwineford1939 (x1-x9) and the bundled example
(with its missing answers) in ``tests/reference/efa_reference.json``
(tests/test_efa_reference.py).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..distributions import chi2_sf
from ..errors import DataError
from .adequacy import pairwise_correlation

__all__ = ["EFAResult", "ParallelResult", "efa", "parallel_analysis", "varimax", "oblimin",
           "EFA_METHODS", "EFA_ROTATIONS"]

EFA_METHODS = ("minres", "ml")
EFA_ROTATIONS = ("oblimin", "varimax", "none")

#: psych's bounds on the uniquenesses during the fit (``lower = .005``, upper 1 for correlations).
_PSI_LOWER = 0.005


def _smc(r: np.ndarray) -> np.ndarray:
    """Squared multiple correlations, ``1 - 1 / diag(R^+)``, clipped to [0, 1] (psych's ``smc``)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        out = 1.0 - 1.0 / np.diag(np.linalg.pinv(r))
    return np.clip(np.nan_to_num(out, nan=1.0), 0.0, 1.0)


def _top_eig(a: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The ``k`` largest eigenvalues (descending) of a symmetric matrix and their vectors."""
    values, vectors = np.linalg.eigh(a)
    return values[::-1][:k], vectors[:, ::-1][:, :k]


def _minres_loadings(psi: np.ndarray, r: np.ndarray, k: int) -> np.ndarray:
    values, vectors = _top_eig(r - np.diag(psi), k)
    return vectors * np.sqrt(np.maximum(values, 0.0))


def _minres_objective(psi: np.ndarray, r: np.ndarray, k: int) -> tuple[float, np.ndarray]:
    load = _minres_loadings(psi, r, k)
    resid = r - np.diag(psi) - load @ load.T
    return 0.5 * float(np.sum(resid ** 2)), -np.diag(resid).copy()


def _ml_loadings(psi: np.ndarray, r: np.ndarray, k: int) -> np.ndarray:
    sc = 1.0 / np.sqrt(psi)
    values, vectors = _top_eig(r * np.outer(sc, sc), k)
    return np.sqrt(psi)[:, None] * vectors * np.sqrt(np.maximum(values - 1.0, 0.0))


def _ml_objective(psi: np.ndarray, r: np.ndarray, k: int) -> tuple[float, np.ndarray]:
    sc = 1.0 / np.sqrt(psi)
    values, vectors = np.linalg.eigh(r * np.outer(sc, sc))
    values, vectors = values[::-1], vectors[:, ::-1]
    rest = values[k:]
    f = -float(np.sum(np.log(rest) - rest)) - k + r.shape[0]
    load = np.sqrt(psi)[:, None] * vectors[:, :k] * np.sqrt(np.maximum(values[:k] - 1.0, 0.0))
    grad = (np.sum(load ** 2, axis=1) + psi - np.diag(r)) / psi ** 2
    return f, grad


def _fit_unrotated(r: np.ndarray, k: int, method: str) -> tuple[np.ndarray, bool]:
    """Unrotated loadings of a ``k``-factor minres or ML fit, and whether the fit converged."""
    upper = max(float(np.max(_smc(r))), 1.0)
    start = np.diag(r) - _smc(r)
    start = np.clip(start, _PSI_LOWER, upper)
    fun = _minres_objective if method == "minres" else _ml_objective
    from scipy.optimize import minimize  # imported here: a run without EFA never needs it (0.4 s)
    res = minimize(fun, start, args=(r, k), jac=True, method="L-BFGS-B",
                   bounds=[(_PSI_LOWER, upper)] * len(start),
                   options={"ftol": 1e-15, "gtol": 1e-12, "maxiter": 10000, "maxcor": 20})
    psi = res.x
    load = _minres_loadings(psi, r, k) if method == "minres" else _ml_loadings(psi, r, k)
    return load, bool(res.success)


def varimax(loadings: np.ndarray, normalize: bool = True, eps: float = 1e-5) -> tuple[np.ndarray, np.ndarray]:
    """Kaiser's varimax rotation as R's ``stats::varimax`` computes it (the rotation psych's ``fa`` uses).

    Rows are Kaiser-normalised (divided by their length) when ``normalize``; from the identity,
    each step takes the rotation ``T = U V'`` of the singular value decomposition of
    ``B = X' (Z^3 - Z diag(1' Z^2) / p)`` (``Z = X T``) until the sum of the singular values
    grows by less than the relative ``eps`` (at most 1000 steps). Returns the rotated loadings
    and ``T``. Same steps and stopping rule as R, so the same (not fully converged) answer.

    References
    ----------
    Kaiser, H. F. (1958). The varimax criterion for analytic rotation in factor analysis.
    Psychometrika, 23(3), 187-200.
    """
    x = np.asarray(loadings, dtype=float)
    p, nc = x.shape
    if nc < 2:
        return x.copy(), np.eye(nc)
    sc = np.sqrt(np.sum(x ** 2, axis=1)) if normalize else np.ones(p)
    x = x / sc[:, None]
    rot = np.eye(nc)
    d = 0.0
    for _ in range(1000):
        z = x @ rot
        b = x.T @ (z ** 3 - z * (np.sum(z ** 2, axis=0) / p))
        u, s, vt = np.linalg.svd(b)
        rot = u @ vt
        d_past, d = d, float(np.sum(s))
        if d < d_past * (1 + eps):
            break
    return (x @ rot) * sc[:, None], rot


def oblimin(loadings: np.ndarray, gamma: float = 0.0, eps: float = 1e-5,
            max_iter: int = 1000) -> tuple[np.ndarray, np.ndarray, bool]:
    """Direct oblimin rotation by the gradient projection algorithm (GPArotation's ``oblimin``).

    Minimises ``f(L) = sum(L^2 * (L^2 N)) / 4`` (``N`` ones off the diagonal; ``gamma = 0``,
    quartimin, psych's default) over oblique rotations ``L = A T'^-1`` with unit-length columns
    of ``T``, without Kaiser normalisation (GPArotation's default, which psych keeps), by
    Bernaards and Jennrich's gradient projection with step doubling and halving, from the
    identity, until the projected gradient's norm is below ``eps``. Returns the pattern
    loadings, ``Phi = T'T`` and whether it converged. Same steps and stopping rule as
    GPArotation 2022.10.2's ``GPFoblq``.

    References
    ----------
    Jennrich, R. I. (2002). A simple general method for oblique rotation. Psychometrika,
    67(1), 7-19.
    Bernaards, C. A., & Jennrich, R. I. (2005). Gradient projection algorithms and software
    for arbitrary rotation criteria in factor analysis. Educational and Psychological
    Measurement, 65(5), 676-696.
    """
    a = np.asarray(loadings, dtype=float)
    p, k = a.shape
    off = 1.0 - np.eye(k)
    centre = np.eye(p) - gamma / p if gamma else None

    def criterion(lam):
        x = (lam ** 2) @ off
        if centre is not None:
            x = centre @ x
        return lam * x, float(np.sum(lam ** 2 * x)) / 4.0

    t = np.eye(k)
    lam = a.copy()
    gq, f = criterion(lam)
    g = -(lam.T @ gq @ np.linalg.inv(t)).T
    al = 1.0
    converged = False
    for _ in range(max_iter + 1):
        gp = g - t * np.sum(t * g, axis=0)
        s = math.sqrt(float(np.sum(gp ** 2)))
        if s < eps:
            converged = True
            break
        al *= 2.0
        for _ in range(11):
            x = t - al * gp
            t_new = x / np.sqrt(np.sum(x ** 2, axis=0))
            lam = a @ np.linalg.inv(t_new).T
            gq_new, f_new = criterion(lam)
            if f - f_new > 0.5 * s ** 2 * al:
                break
            al /= 2.0
        t, f, gq = t_new, f_new, gq_new
        g = -(lam.T @ gq @ np.linalg.inv(t)).T
    return lam, t.T @ t, converged


def _cor_smooth(r: np.ndarray) -> np.ndarray:
    """psych's ``cor.smooth``: a matrix that is not positive definite made so (else unchanged)."""
    values, vectors = np.linalg.eigh(r)
    if values.min() >= np.finfo(float).eps:
        return r
    values = np.where(values < 1e-12, 100 * 1e-12, values)
    values = values * r.shape[0] / values.sum()
    x = (vectors * values) @ vectors.T
    d = np.sqrt(np.diag(x))
    return x / np.outer(d, d)


@dataclass(frozen=True)
class EFAResult:
    """An exploratory factor analysis as psych's ``fa`` reports it.

    Attributes
    ----------
    method, rotation:
        ``"minres"`` or ``"ml"``; ``"oblimin"``, ``"varimax"`` or ``"none"`` (always ``"none"``
        for one factor, which no rotation changes).
    n_factors, n_obs:
        Factors extracted; rows of the data (psych's ``n.obs``).
    loadings:
        Pattern loadings (items × ``F1..Fk``), factors ordered by the variance they account
        for and signed so that each column sums to a positive number, as psych does.
    phi:
        Factor correlations (``F1..Fk`` square), or None for orthogonal (or no) rotation.
    communalities, uniquenesses:
        ``h2`` (Series by item) and ``u2 = 1 - h2``.
    variance:
        psych's ``Vaccounted``: rows ``ss_loadings``, ``proportion``, ``cumulative``,
        ``proportion_explained``, ``cumulative_explained``; columns ``F1..Fk``.
    eigenvalues:
        Eigenvalues of the correlation matrix (psych's ``e.values``).
    chisq, dof, pvalue, rmsea, tli, objective:
        The likelihood-ratio test of the model as psych computes it for every method (Bartlett's
        corrected chi-square of the ML discrepancy of ``R`` from the model), its RMSEA and
        Tucker-Lewis index.
    converged:
        Whether the fit and the rotation converged.
    """

    method: str
    rotation: str
    n_factors: int
    n_obs: int
    loadings: pd.DataFrame
    phi: pd.DataFrame | None
    communalities: pd.Series
    uniquenesses: pd.Series
    variance: pd.DataFrame
    eigenvalues: np.ndarray
    chisq: float
    dof: int
    pvalue: float
    rmsea: float
    tli: float
    objective: float
    converged: bool

    @property
    def structure(self) -> pd.DataFrame:
        """Structure coefficients (item-factor correlations): ``loadings @ phi``."""
        if self.phi is None:
            return self.loadings.copy()
        return self.loadings @ self.phi

    def summary(self) -> dict[str, pd.DataFrame]:
        """The tables psych prints: loadings with h2 and u2, the variance accounted for, Phi."""
        table = self.loadings.copy()
        table["h2"] = self.communalities
        table["u2"] = self.uniquenesses
        out = {"loadings": table, "variance": self.variance}
        if self.phi is not None:
            out["phi"] = self.phi
        return out


def _fit_statistics(r: np.ndarray, load: np.ndarray, phi: np.ndarray | None, n_obs: int) -> dict[str, float]:
    p, k = load.shape
    model = load @ (phi if phi is not None else np.eye(k)) @ load.T
    np.fill_diagonal(model, np.diag(r))
    model = _cor_smooth(model)
    rs = _cor_smooth(r)
    dof = p * (p - 1) // 2 - p * k + k * (k - 1) // 2
    out = {"chisq": float("nan"), "dof": int(dof), "pvalue": float("nan"), "rmsea": float("nan"),
           "tli": float("nan"), "objective": float("nan")}
    try:
        m_inv_r = np.linalg.solve(model, rs)
    except np.linalg.LinAlgError:
        return out
    sign, logdet = np.linalg.slogdet(m_inv_r)
    if sign <= 0:
        return out
    objective = float(np.trace(m_inv_r) - logdet - p)
    nm = (n_obs - 1) - (2 * p + 5) / 6 - 2 * k / 3
    chisq = max(objective * nm, 0.0)
    out.update(objective=objective, chisq=chisq)
    sign0, logdet0 = np.linalg.slogdet(rs)
    if dof > 0:
        out["pvalue"] = float(chi2_sf(chisq, dof))
        out["rmsea"] = math.sqrt(max(chisq / (dof * n_obs) - 1 / (n_obs - 1), 0.0))
        if sign0 > 0:
            f0 = float(np.trace(rs) - logdet0 - p)
            m0 = f0 * 2 / (p * (p - 1))
            out["tli"] = (m0 - objective / dof) / (m0 - 1 / nm)
    return out


def efa(data: pd.DataFrame, n_factors: int, method: str = "minres", rotation: str = "oblimin") -> EFAResult:
    """Exploratory factor analysis of item answers (psych's ``fa``).

    Parameters
    ----------
    data:
        Item answers, one column per item (missing answers allowed: pairwise correlations).
    n_factors:
        Number of factors to extract (at least 1, fewer than the items).
    method:
        ``"minres"`` (minimum residual, psych's default) or ``"ml"`` (maximum likelihood).
    rotation:
        ``"oblimin"`` (psych's default), ``"varimax"`` or ``"none"``.

    Returns
    -------
    EFAResult

    Raises
    ------
    DataError
        The correlation matrix has missing values (an item without variance, or two items
        never answered together).
    ValueError
        ``n_factors``, ``method`` or ``rotation`` out of range.

    Notes
    -----
    With ``R`` the correlation matrix and ``Psi`` the diagonal matrix of uniquenesses, the
    loadings ``L`` are the top ``k`` eigenvectors of ``R - Psi`` scaled by the root of their
    eigenvalues (minres), or ``Psi^1/2`` times the top eigenvectors of ``Psi^-1/2 R Psi^-1/2``
    scaled by the root of their eigenvalues less one (ML). ``Psi`` minimises
    ``||R - Psi - L L'||^2 / 2`` (minres) or ``sum_{j>k} (e_j - log e_j) - (p - k)`` over the
    smaller eigenvalues ``e_j`` of ``Psi^-1/2 R Psi^-1/2`` (ML), with each uniqueness between
    .005 and 1, from ``1 - SMC``, as psych does; psych stops R's optimiser early while this
    function converges fully, so the two agree to about 1e-5 in the loadings.
    ``h2 = diag(L L')`` before rotation, ``SS loadings = diag(Phi L'L)`` after it, the
    proportions are of ``p`` (the sum of ``h2 + u2``). The chi-square is psych's:
    ``(n - 1 - (2p + 5)/6 - 2k/3) F`` with ``F = tr(M^-1 R) - log|M^-1 R| - p`` and ``M``
    the model's correlation matrix, on ``p(p-1)/2 - pk + k(k-1)/2`` degrees of freedom;
    ``RMSEA = sqrt(max(chisq / (df n) - 1/(n - 1), 0))``; ``TLI = (M0 - F/df) / (M0 - 1/nm)``
    with ``M0 = 2 F0 / (p(p-1))`` of the independence model.

    Checked against R psych 2.2.9 ``fa()`` (with GPArotation 2022.10.2 for oblimin) on bfi,
    HolzingerSwineford1939 and the bundled example in tests/test_efa_reference.py.

    References
    ----------
    Harman, H. H., & Jones, W. H. (1966). Factor analysis by minimizing residuals (minres).
    Psychometrika, 31(3), 351-368.
    Jöreskog, K. G. (1967). Some contributions to maximum likelihood factor analysis.
    Psychometrika, 32(4), 443-482.
    Revelle, W. (2022). psych: Procedures for psychological, psychometric, and personality
    research (R package version 2.2.9).

    Examples
    --------
    >>> from loyaltysurvey.datasets import holzinger_swineford
    >>> fit = efa(holzinger_swineford()[[f"x{i}" for i in range(1, 10)]], 3)
    >>> round(float(fit.loadings.loc["x1", "F2"]), 3), round(float(fit.communalities["x1"]), 3)  # psych: .592, .477
    (0.592, 0.477)
    """
    if method not in EFA_METHODS:
        raise ValueError(f"method must be one of {EFA_METHODS}, not {method!r}")
    if rotation not in EFA_ROTATIONS:
        raise ValueError(f"rotation must be one of {EFA_ROTATIONS}, not {rotation!r}")
    items = [str(c) for c in data.columns]
    p, k = len(items), int(n_factors)
    if not 1 <= k < p:
        raise ValueError(f"n_factors must be between 1 and {p - 1} for {p} items, not {n_factors}")
    r = pairwise_correlation(data)
    if not np.all(np.isfinite(r)):
        raise DataError("the items' correlation matrix has missing values (an item without variance "
                        "or a pair of items never answered together); drop those items")
    n_obs = int(len(data))
    load, converged = _fit_unrotated(r, k, method)
    h2 = np.sum(load ** 2, axis=1)
    load = load * np.where(load.sum(axis=0) < 0, -1.0, 1.0)
    load = np.where(load == 0, 1e-15, load)
    phi = None
    if k > 1 and rotation == "varimax":
        load, _ = varimax(load)
    elif k > 1 and rotation == "oblimin":
        load, phi, ok = oblimin(load)
        converged = converged and ok
    signs = np.where(load.sum(axis=0) < 0, -1.0, 1.0)
    load = load * signs
    if phi is not None:
        phi = phi * np.outer(signs, signs)
    ss = np.diag(phi @ load.T @ load) if phi is not None else np.sum(load ** 2, axis=0)
    order = np.argsort(-ss, kind="stable")
    load, ss = load[:, order], ss[order]
    if phi is not None:
        phi = phi[np.ix_(order, order)]
    names = [f"F{j + 1}" for j in range(k)]
    total = float(p)  # sum(h2 + u2) of a correlation matrix
    variance = pd.DataFrame([ss, ss / total, np.cumsum(ss / total), ss / ss.sum(), np.cumsum(ss / ss.sum())],
                            index=["ss_loadings", "proportion", "cumulative", "proportion_explained",
                                   "cumulative_explained"], columns=names)
    stats = _fit_statistics(r, load, phi, n_obs)
    return EFAResult(
        method=method, rotation=rotation if k > 1 else "none", n_factors=k, n_obs=n_obs,
        loadings=pd.DataFrame(load, index=items, columns=names),
        phi=None if phi is None else pd.DataFrame(phi, index=names, columns=names),
        communalities=pd.Series(h2, index=items), uniquenesses=pd.Series(1.0 - h2, index=items),
        variance=variance, eigenvalues=np.linalg.eigvalsh(r)[::-1].copy(), converged=converged, **stats)


# ----------------------------------------------------------------------------------------------
# Parallel analysis


@dataclass(frozen=True)
class ParallelResult:
    """Horn's parallel analysis as psych's ``fa.parallel(fa = "both")`` reports it.

    Attributes
    ----------
    observed_pc, observed_fa:
        Eigenvalues of the correlation matrix, and of the matrix with the communalities of a
        one-factor minres fit on its diagonal (psych's ``pc.values``, ``fa.values``).
    simulated_pc, simulated_fa:
        Their means over ``iterations`` data sets of independent standard normal variables
        of the same size (``pc.sim``, ``fa.sim``).
    quantile_pc, quantile_fa:
        Their ``quantile`` percentiles (R's type 7), which the observed values must exceed.
    sd_pc, sd_fa:
        Their standard deviations across the simulated data sets (divisor ``iterations - 1``).
    n_components, n_factors:
        How many leading observed eigenvalues exceed the simulated percentile (``ncomp``,
        ``nfact``).
    iterations, quantile, seed, n_obs:
        The settings used.
    """

    observed_pc: np.ndarray
    observed_fa: np.ndarray
    simulated_pc: np.ndarray
    simulated_fa: np.ndarray
    quantile_pc: np.ndarray
    quantile_fa: np.ndarray
    sd_pc: np.ndarray
    sd_fa: np.ndarray
    n_components: int
    n_factors: int
    iterations: int
    quantile: float
    seed: int | None
    n_obs: int

    def table(self) -> pd.DataFrame:
        """One row per eigenvalue number: observed and simulated, components and factors."""
        idx = pd.RangeIndex(1, len(self.observed_pc) + 1, name="number")
        return pd.DataFrame({"observed_pc": self.observed_pc, "simulated_pc": self.simulated_pc,
                             "quantile_pc": self.quantile_pc, "observed_fa": self.observed_fa,
                             "simulated_fa": self.simulated_fa, "quantile_fa": self.quantile_fa}, index=idx)


def _one_factor_values(r: np.ndarray) -> np.ndarray:
    """Eigenvalues (descending) of ``r`` with its one-factor minres communalities on the diagonal.

    psych's ``fa(r, nfactors = 1, rotate = "none")$values``, which ``fa.parallel`` uses for
    the factor eigenvalues (its default ``SMC = FALSE``).
    """
    load, _ = _fit_unrotated(r, 1, "minres")
    a = r.copy()
    np.fill_diagonal(a, np.sum(load ** 2, axis=1))
    return np.linalg.eigvalsh(a)[::-1].copy()


def _one_factor_values_batch(r: np.ndarray, tol: float = 1e-10, max_iter: int = 100) -> np.ndarray:
    """:func:`_one_factor_values` of a stack of correlation matrices (m, p, p), all at once.

    Minimises the minres criterion ``f(psi) = ||R - Psi - l l'||^2 / 2`` of every matrix together
    by projected Newton steps: gradient ``g = psi + l^2 - diag(R)``, Hessian ``I - M`` with
    ``M_ij = u_i^2 u_j^2 + 2 lambda u_i u_j sum_k w_ki w_kj / (lambda - lambda_k)`` (``u``,
    ``lambda`` the top eigenpair of ``R - Psi``, ``w_k``, ``lambda_k`` the others), its
    eigenvalues replaced by their absolute values (at least 1e-3) so that each step descends,
    uniquenesses at psych's bounds held there while the gradient pushes outwards, and each
    step halved until ``f`` falls. From ``1 - SMC`` as psych starts. A matrix that has not
    reached a projected gradient below ``tol`` after ``max_iter`` steps is fitted on its own
    by :func:`_fit_unrotated`. Random data make this criterion flat and sometimes put one
    uniqueness at its bound (a Heywood case): there several local minima exist, and this
    and L-BFGS-B (psych's optimiser, or scipy's) may stop at different ones, whose
    eigenvalues differ by a few thousandths.
    """
    m, p, _ = r.shape
    eye = np.eye(p)
    diag_r = np.diagonal(r, axis1=1, axis2=2)
    smc = 1.0 - 1.0 / np.diagonal(np.linalg.pinv(r), axis1=1, axis2=2)
    psi = np.clip(diag_r - np.clip(np.nan_to_num(smc, nan=1.0), 0.0, 1.0), _PSI_LOWER, 1.0)

    def evaluate(psi):
        a = r - psi[:, None, :] * eye
        values, vectors = np.linalg.eigh(a)
        lam, u = np.maximum(values[:, -1], 0.0), vectors[:, :, -1]
        resid = a - lam[:, None, None] * u[:, :, None] * u[:, None, :]
        return (0.5 * np.sum(resid ** 2, axis=(1, 2)), psi + lam[:, None] * u ** 2 - diag_r, values, vectors,
                lam, u)

    f, g, values, vectors, lam, u = evaluate(psi)
    done = np.zeros(m, dtype=bool)
    for _ in range(max_iter):
        free = ~(((psi <= _PSI_LOWER) & (g > 0)) | ((psi >= 1.0) & (g < 0)))
        gp = np.where(free, g, 0.0)
        done = np.abs(gp).max(axis=1) < tol
        if done.all():
            break
        gaps = lam[:, None] - values[:, :-1]
        gaps = np.where(np.abs(gaps) < 1e-12, 1e-12, gaps)
        w = vectors[:, :, :-1]
        s = (w / gaps[:, None, :]) @ w.transpose(0, 2, 1)
        hess = eye - ((u ** 2)[:, :, None] * (u ** 2)[:, None, :]
                      + 2 * lam[:, None, None] * u[:, :, None] * u[:, None, :] * s)
        hess = np.where(free[:, :, None] & free[:, None, :], hess, eye)
        h_values, h_vectors = np.linalg.eigh(hess)
        h_values = np.maximum(np.abs(h_values), 1e-3)
        step = -((h_vectors / h_values[:, None, :]) @ (h_vectors.transpose(0, 2, 1) @ gp[:, :, None]))[:, :, 0]
        t = np.where(done, 0.0, 1.0)
        for _ in range(40):
            new = np.clip(psi + t[:, None] * step, _PSI_LOWER, 1.0)
            f_new, g_new, v_new, vec_new, lam_new, u_new = evaluate(new)
            worse = (f_new > f) & ~done
            if not worse.any():
                break
            t = np.where(worse, t / 2, t)
        ok = ~worse & ~done
        psi = np.where(ok[:, None], new, psi)
        f, lam = np.where(ok, f_new, f), np.where(ok, lam_new, lam)
        g, u, values = (np.where(ok[:, None], x_new, x) for x_new, x in ((g_new, g), (u_new, u), (v_new, values)))
        vectors = np.where(ok[:, None, None], vec_new, vectors)
    a = r.copy()
    idx = np.arange(p)
    a[:, idx, idx] = 1.0 - psi
    out = np.linalg.eigvalsh(a)[:, ::-1].copy()
    for k in np.flatnonzero(~done):
        out[k] = _one_factor_values(r[k])
    return out


def _leading(observed: np.ndarray, threshold: np.ndarray) -> int:
    """How many leading ``observed`` values exceed ``threshold`` (psych's ``which(!(x > q))[1] - 1``)."""
    below = np.flatnonzero(~(observed > threshold))
    return int(below[0]) if below.size else int(len(observed))


def parallel_analysis(data: pd.DataFrame, iterations: int = 20, quantile: float = 0.95,
                      seed: int | None = None, chunk_values: int = 4_000_000) -> ParallelResult:
    """Horn's parallel analysis of item answers (psych's ``fa.parallel(fa = "both")``).

    Parameters
    ----------
    data:
        Item answers, one column per item (missing answers allowed: pairwise correlations).
    iterations:
        Simulated data sets (psych's ``n.iter``, default 20).
    quantile:
        Percentile of the simulated eigenvalues the observed ones must exceed (psych's
        ``quant``, default .95).
    seed:
        Seed of the random numbers (numpy's default generator); None for a fresh one.
    chunk_values:
        Largest number of simulated answers held in memory at once.

    Returns
    -------
    ParallelResult

    Notes
    -----
    Observed eigenvalues: of the pairwise correlation matrix ``R`` (components) and of ``R``
    with the communalities of a one-factor minres fit on its diagonal (factors; psych's
    default ``SMC = FALSE``). Each simulated data set has ``n`` rows (the rows of ``data``)
    and ``p`` independent standard normal columns; its correlation matrix's eigenvalues are
    found the same two ways, all the data sets of a chunk at once (the one-factor fits by
    batched projected Newton steps). The suggested numbers of
    components and factors count the leading observed eigenvalues above the ``quantile``
    percentile (R's type 7) of the simulated ones, psych's rule; the simulated means are what
    psych prints and plots. A one-factor fit of random data sometimes ends in a Heywood case
    (one item's communality at psych's bound .995), as psych's own fits do on the same
    matrices, so the first simulated factor eigenvalue is now and then near 1 instead of
    near .2: its mean over few data sets varies more than the others. psych also resamples the observed answers; that part is left out
    here (its eigenvalues are neither printed nor used in psych's rule with raw data).

    Checked against R psych 2.2.9: observed eigenvalues to 1e-10 (components) and 1e-6
    (factors), simulated means within four Monte-Carlo standard errors of psych's from 100
    iterations, and the suggested numbers, in tests/test_efa_reference.py.

    References
    ----------
    Horn, J. L. (1965). A rationale and test for the number of factors in factor analysis.
    Psychometrika, 30(2), 179-185.
    Hayton, J. C., Allen, D. G., & Scarpello, V. (2004). Factor retention decisions in
    exploratory factor analysis: A tutorial on parallel analysis. Organizational Research
    Methods, 7(2), 191-205.

    Examples
    --------
    >>> from loyaltysurvey.datasets import holzinger_swineford
    >>> pa = parallel_analysis(holzinger_swineford()[[f"x{i}" for i in range(1, 10)]], seed=1)
    >>> pa.n_factors, pa.n_components, round(float(pa.observed_pc[0]), 3)  # psych: 3, 3, 3.216
    (3, 3, 3.216)
    """
    iterations = int(iterations)
    if iterations < 1:
        raise ValueError("iterations must be at least 1")
    if not 0 < quantile < 1:
        raise ValueError("quantile must be between 0 and 1")
    r = pairwise_correlation(data)
    if not np.all(np.isfinite(r)):
        raise DataError("the items' correlation matrix has missing values (an item without variance "
                        "or a pair of items never answered together); drop those items")
    n, p = data.shape
    observed_pc = np.linalg.eigvalsh(r)[::-1].copy()
    observed_fa = _one_factor_values(r)
    rng = np.random.default_rng(seed)
    per_chunk = max(1, int(chunk_values // max(n * p, 1)))
    sim_pc, sim_fa = [], []
    done = 0
    while done < iterations:
        m = min(per_chunk, iterations - done)
        x = rng.standard_normal((m, n, p))
        x -= x.mean(axis=1, keepdims=True)
        c = np.matmul(x.transpose(0, 2, 1), x)
        d = np.sqrt(np.diagonal(c, axis1=1, axis2=2))
        c /= d[:, :, None] * d[:, None, :]
        sim_pc.append(np.linalg.eigvalsh(c)[:, ::-1])
        sim_fa.append(_one_factor_values_batch(c))
        done += m
    pcs, fas = np.concatenate(sim_pc), np.concatenate(sim_fa)
    q_pc, q_fa = np.quantile(pcs, quantile, axis=0), np.quantile(fas, quantile, axis=0)
    return ParallelResult(observed_pc=observed_pc, observed_fa=observed_fa,
                          simulated_pc=pcs.mean(axis=0), simulated_fa=fas.mean(axis=0),
                          quantile_pc=q_pc, quantile_fa=q_fa,
                          sd_pc=pcs.std(axis=0, ddof=1) if iterations > 1 else np.full(p, np.nan),
                          sd_fa=fas.std(axis=0, ddof=1) if iterations > 1 else np.full(p, np.nan),
                          n_components=_leading(observed_pc, q_pc), n_factors=_leading(observed_fa, q_fa),
                          iterations=iterations, quantile=float(quantile), seed=seed, n_obs=int(n))
