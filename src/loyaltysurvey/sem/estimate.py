"""Maximum likelihood estimation for complete data (Fisher scoring).

Minimises lavaan's ML discrepancy
``F = log|Sigma| + tr(S Sigma^-1) - log|S| - p (+ (ybar - mu)' Sigma^-1 (ybar - mu))``
with ``S`` the covariance matrix with divisor N, by Fisher scoring: the
step solves ``H d = -g`` with ``H_kl = tr(Sigma^-1 D_k Sigma^-1 D_l) + 2 Dmu_k' Sigma^-1 Dmu_l``,
the expected Hessian of F, halved until F decreases. At the solution
``(N/2) H`` is lavaan's expected information, whose inverse is the
covariance matrix of the estimates.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import DataError, ModelError
from ..errors import ModelError
from .onefactor import fit_one_factor
from .ram import RamModel
from .spd import pd_logdet

__all__ = ["MLSolution", "fit_ml", "start_values", "ml_discrepancy"]


@dataclass(frozen=True)
class MLSolution:
    """The result of :func:`fit_ml`.

    ``theta`` are the free parameters (in free-index order), ``fmin`` the ML discrepancy F at
    them (lavaan's ``fmin`` is F / 2, and the chi-square is N F), ``iterations`` the
    Fisher-scoring steps taken, ``converged`` whether the gradient vanished, and
    ``information`` the expected Hessian of F at the solution (per-observation information
    ``H / 2``; the covariance matrix of the estimates is the inverse of ``(N / 2) H``).
    """

    theta: np.ndarray
    fmin: float
    iterations: int
    converged: bool
    information: np.ndarray  # expected Hessian of F (H); per-observation information is H / 2


def start_values(model: RamModel, S: np.ndarray, means: np.ndarray | None) -> np.ndarray:
    """Start values in the spirit of lavaan's: factor-analytic loadings, half variances, zero paths.

    Loadings come from a one-factor ML fit of each factor's indicators (three or more;
    scaled so the first is 1), residual variances are the item variance less the part the
    factor explains (at least half the item variance), factor variances the squared first
    loading, regressions and covariances 0, intercepts the sample means, and a user's fixed
    value where there is one. Not the same numbers as lavaan's; only a starting point.

    >>> import numpy as np
    >>> from loyaltysurvey.datasets import hs_cfa
    >>> X, S, model = hs_cfa()
    >>> [round(float(v), 3) for v in start_values(model, S, None)[:3]]
    [0.778, 1.107, 1.133]
    """
    table = model.table
    q = table.n_free
    theta = np.zeros(q)
    set_ = np.zeros(q, dtype=bool)
    index = {n: i for i, n in enumerate(table.observed)}
    indicators: dict[str, list[str]] = {}
    for p in table.params:
        if p.op == "=~" and p.rhs in index:
            indicators.setdefault(p.lhs, []).append(p.rhs)
    loading: dict[tuple[str, str], float] = {}
    lv_var: dict[str, float] = {}
    for lv, inds in indicators.items():
        idx = [index[i] for i in inds]
        sub = S[np.ix_(idx, idx)]
        if len(inds) >= 3:
            try:
                lam = fit_one_factor(sub).loadings
            except (np.linalg.LinAlgError, ValueError, ModelError):
                lam = np.sqrt(np.abs(np.diag(sub)) * 0.5)
        elif len(inds) == 2:
            c = sub[0, 1]
            lam = np.sqrt(np.abs(c)) * np.array([1.0, np.sign(c) or 1.0])
        else:
            lam = np.sqrt(np.abs(sub[0, 0])) * np.ones(1)
        if abs(lam[0]) < 1e-8:
            lam[0] = 1e-3
        for name, value in zip(inds, lam / lam[0]):
            loading[(lv, name)] = value
        lv_var[lv] = lam[0] ** 2
    _higher_order_starts(table, S, index, indicators, loading, lv_var)
    for p in table.free_params():
        k = p.free - 1
        if p.value is not None:
            theta[k] = p.value
        elif p.op == "=~":
            theta[k] = loading.get((p.lhs, p.rhs), 1.0)
        elif p.op == "~~" and p.lhs == p.rhs:
            if p.lhs in index:
                i = index[p.lhs]
                lam_sq = sum(loading.get((lv, p.lhs), 0.0) ** 2 * lv_var.get(lv, 0.0) for lv in indicators)
                theta[k] = max(S[i, i] - lam_sq, 0.5 * S[i, i]) if lam_sq else 0.5 * S[i, i]
            elif (p.lhs, "disturbance") in loading:
                theta[k] = loading[(p.lhs, "disturbance")]
            else:
                theta[k] = max(lv_var.get(p.lhs, 0.05), 0.05)
        elif p.op == "~" and (p.lhs, "~", p.rhs) in loading:
            theta[k] = loading[(p.lhs, "~", p.rhs)]
        elif p.op == "~1" and means is not None and p.lhs in index:
            theta[k] = means[index[p.lhs]]
        else:
            theta[k] = 0.0
        set_[k] = True
    return theta


def _expected_hessian(inv: np.ndarray, dS: np.ndarray) -> np.ndarray:
    """H_kl = tr(Sigma^-1 D_k Sigma^-1 D_l), as one matrix product (D_k symmetric)."""
    q = dS.shape[0]
    M = np.matmul(inv, dS)                      # Sigma^-1 D_k
    return M.reshape(q, -1) @ np.swapaxes(M, 1, 2).reshape(q, -1).T


def ml_discrepancy(Sigma: np.ndarray, S: np.ndarray, logdet_S: float, mu: np.ndarray | None = None,
                   ybar: np.ndarray | None = None) -> float:
    """lavaan's ML discrepancy ``F = log|Sigma| + tr(S Sigma^-1) - log|S| - p (+ (ybar - mu)' Sigma^-1 (ybar - mu))``.

    ``logdet_S`` is ``log|S|``; the mean term is added when ``mu`` and ``ybar`` are given.
    Infinite when ``Sigma`` is not positive definite (:func:`pd_logdet`). ``N F`` is the chi-square statistic,
    checked against lavaan 0.6.14 through ``SEM.fit`` in tests/test_sem_reference.py.

    >>> import numpy as np
    >>> S = np.array([[1.0, 0.5], [0.5, 1.0]])
    >>> ml_discrepancy(S, S, float(np.linalg.slogdet(S)[1]))  # a perfect fit
    0.0
    >>> ml_discrepancy(np.array([[1.0, 2.0], [2.0, 1.0]]), S, 0.0)  # not positive definite
    inf
    >>> ml_discrepancy(np.diag([-1.0, -1.0, 0.01]), np.eye(3), 0.0)  # nor is this, its determinant > 0
    inf
    """
    logdet = pd_logdet(Sigma)
    if logdet is None:
        return np.inf
    inv = np.linalg.inv(Sigma)
    f = logdet + np.sum(S * inv) - logdet_S - S.shape[0]
    if mu is not None and ybar is not None:
        d = ybar - mu
        f += d @ inv @ d
    if f < -1e-8:  # F >= 0 for every positive definite Sigma: a near-singular Sigma gave a meaningless value
        return np.inf
    return float(f)


def _higher_order_starts(table, S: np.ndarray, index: dict, indicators: dict, loading: dict, lv_var: dict) -> None:
    """Start values of higher-order factors (factors measured by factors), in place.

    The covariances among first-order factors are approximated from the items,
    ``phi_ij = mean(S_ab / (l_a l_b))`` over the indicators ``a`` of ``i`` and ``b`` of ``j`` (with the
    start loadings ``l``, the first fixed to 1), and a higher-order factor's loadings come from that
    matrix as a first-order factor's come from the items (one-factor fit with three or more
    dimensions, the covariance rule with two); a dimension's disturbance variance starts at its
    variance less the explained part (at least half of it). Without this, the zero/one defaults
    can lead Fisher scoring to an improper stationary point (a second-order factor of two
    dimensions predicting a third factor did so on HolzingerSwineford1939).
    """
    higher: dict[str, list[str]] = {}
    for p in table.params:
        if p.op == "=~" and p.rhs not in index:
            higher.setdefault(p.lhs, []).append(p.rhs)
    if not higher:
        return
    lvs = [lv for lv in indicators if lv_var.get(lv)]

    def phi(a: str, b: str) -> float:
        if a == b:
            return lv_var[a]
        vals = [S[index[x], index[y]] / (loading[(a, x)] * loading[(b, y)])
                for x in indicators[a] for y in indicators[b]
                if abs(loading[(a, x)] * loading[(b, y)]) > 1e-8]
        return float(np.mean(vals)) if vals else 0.0

    for _ in range(len(higher)):  # third-order factors use the second-order ones found before
        for lv, dims in higher.items():
            if lv in lv_var or not all(d in lv_var for d in dims):
                continue
            sub = np.array([[phi(a, b) if a in lvs and b in lvs else (lv_var[a] if a == b else 0.0)
                             for b in dims] for a in dims])
            if len(dims) >= 3:
                try:
                    lam = fit_one_factor(sub).loadings
                except (np.linalg.LinAlgError, ValueError, ModelError):
                    lam = np.sqrt(np.abs(np.diag(sub)) * 0.5)
            elif len(dims) == 2:
                c = sub[0, 1]
                lam = np.sqrt(np.abs(c)) * np.array([1.0, np.sign(c) or 1.0])
            else:
                lam = np.sqrt(np.abs(sub[0, 0]) * 0.5) * np.ones(1)
            if abs(lam[0]) < 1e-8:
                lam[0] = 1e-3
            for d, value, var in zip(dims, lam / lam[0], np.diag(sub)):
                loading[(lv, d)] = value
                explained = value ** 2 * lam[0] ** 2
                loading[(d, "disturbance")] = max(var - explained, 0.5 * var, 0.05)
            lv_var[lv] = lam[0] ** 2
    # Regressions among factors start at least squares on the approximate factor covariances (a
    # higher-order factor's covariance with another factor is the mean over its dimensions d of
    # phi(d, other) / loading(d)); the zero default is what led to the improper solution above.
    def cov(a: str, b: str) -> float:
        if a == b:
            return lv_var.get(a, 0.05)
        if a in higher:
            vals = [cov(d, b) / loading[(a, d)] for d in higher[a] if d != b and abs(loading.get((a, d), 0)) > 1e-8]
            return float(np.mean(vals)) if vals else 0.0
        if b in higher:
            return cov(b, a)
        return phi(a, b) if a in lvs and b in lvs else 0.0

    known = set(lv_var)
    predictors: dict[str, list[str]] = {}
    for p in table.params:
        if p.op == "~" and p.lhs in known and p.rhs in known:
            predictors.setdefault(p.lhs, []).append(p.rhs)
    for y, xs in predictors.items():
        Sxx = np.array([[cov(a, b) for b in xs] for a in xs])
        sxy = np.array([cov(a, y) for a in xs])
        try:
            beta = np.linalg.solve(Sxx, sxy)
        except np.linalg.LinAlgError:
            continue
        if np.all(np.isfinite(beta)):
            for x, b in zip(xs, beta):
                loading[(y, "~", x)] = float(b)


def fit_ml(model: RamModel, S: np.ndarray, ybar: np.ndarray | None = None, *,
           start: np.ndarray | None = None, max_iter: int = 500, tol: float = 1e-10) -> MLSolution:
    """ML estimates for the sample covariance ``S`` (divisor N) and, with a mean structure, means ``ybar``.

    Fisher scoring from :func:`start_values` (or ``start``) as described in the module:
    each step solves ``H d = -g`` and is halved until F does not increase; it stops when the
    largest gradient element is below ``tol`` or F no longer changes. Raises
    :class:`~loyaltysurvey.errors.DataError` when ``S`` is not positive definite and
    :class:`~loyaltysurvey.errors.ModelError` when the start values give no valid implied
    matrix. The estimates, SEs and chi-square of ``SEM.fit``, which calls it, are checked
    against lavaan 0.6.14 in tests/test_sem_reference.py.

    >>> import numpy as np
    >>> from loyaltysurvey.datasets import hs_cfa
    >>> X, S, model = hs_cfa()
    >>> sol = fit_ml(model, S)
    >>> sol.converged, round(float(sol.fmin) * 301, 3)  # lavaan's chi-square for this CFA: 85.306
    (True, 85.306)
    """
    meanstructure = model.table.meanstructure and ybar is not None
    sign, logdet_S = np.linalg.slogdet(S)
    eig = np.linalg.eigvalsh(S)
    if sign <= 0 or eig[0] <= 1e-10 * eig[-1]:
        raise DataError("the sample covariance matrix of the model's items is not positive definite (an item "
                        "is constant, or items are exact linear combinations of others); remove the redundant items")
    theta = start_values(model, S, ybar) if start is None else np.array(start, dtype=float)
    q = theta.size

    def evaluate(t):
        Sigma, mu, _, _ = model.implied(t)
        return ml_discrepancy(Sigma, S, logdet_S, mu if meanstructure else None,
                              ybar if meanstructure else None), Sigma, mu

    f, Sigma, mu = evaluate(theta)
    if not np.isfinite(f):
        raise ModelError("the start values give a non-positive-definite implied covariance matrix; "
                         "check the model for unidentified parts")
    converged = False
    H = np.eye(q)
    iterations = 0
    for iterations in range(1, max_iter + 1):
        inv = np.linalg.inv(Sigma)
        dS, dm = model.derivatives(theta)
        resid = S.copy()
        if meanstructure:
            d = ybar - mu
            resid = resid + np.outer(d, d)
        W = inv - inv @ resid @ inv
        g = dS.reshape(q, -1) @ W.ravel()
        H = _expected_hessian(inv, dS)
        if meanstructure:
            g -= 2 * dm @ (inv @ d)
            H += 2 * dm @ inv @ dm.T
        try:
            step = np.linalg.solve(H, -g)
        except np.linalg.LinAlgError:
            step = -np.linalg.lstsq(H, g, rcond=None)[0]
        if np.max(np.abs(g)) < tol:
            converged = True
            break
        scale = 1.0
        for _ in range(40):
            candidate = theta + scale * step
            f_new, Sigma_new, mu_new = evaluate(candidate)
            if np.isfinite(f_new) and f_new <= f + 1e-14:
                break
            scale *= 0.5
        else:
            break
        change = f - f_new
        theta, f, Sigma, mu = candidate, f_new, Sigma_new, mu_new
        if change < 1e-15 and np.max(np.abs(scale * step)) < 1e-10:
            converged = True
            break
    # Information at the solution.
    inv = np.linalg.inv(Sigma)
    dS, dm = model.derivatives(theta)
    H = _expected_hessian(inv, dS)
    if meanstructure:
        H += 2 * dm @ inv @ dm.T
    return MLSolution(theta, f, iterations, converged, H)


def ml_gradient(model: RamModel, theta: np.ndarray, S: np.ndarray) -> np.ndarray:
    """Gradient of the ML discrepancy F (no mean structure) at ``theta``.

    ``g_k = tr(W dSigma/dtheta_k)`` with ``W = Sigma^-1 - Sigma^-1 S Sigma^-1``; zero at
    the ML estimates.

    >>> import numpy as np
    >>> from loyaltysurvey.datasets import hs_cfa
    >>> X, S, model = hs_cfa()
    >>> bool(np.abs(ml_gradient(model, fit_ml(model, S).theta, S)).max() < 1e-6)
    True
    """
    Sigma, _, _, _ = model.implied(theta)
    inv = np.linalg.inv(Sigma)
    W = inv - inv @ S @ inv
    dS, _ = model.derivatives(theta)
    return dS.reshape(dS.shape[0], -1) @ W.ravel()
