"""Robust ML (MLR) for complete data: Huber-White standard errors and the
Yuan-Bentler scaled chi-square, as lavaan 0.6 computes them (``estimator = "MLR"``,
test ``yuan.bentler.mplus``; read in ``lav_test_yuan_bentler.R``).

With ``s = vech(S)`` the sample moments, ``u_i = vech(z_i z_i') - s`` the casewise
deviations (``z_i = y_i - ybar``) and ``A1 = 1/2 D'(S^-1 (x) S^-1) D`` the
unstructured normal-theory information of the saturated model:

* ``B1 = A1 Gamma A1`` with ``Gamma = mean(u_i u_i')``, so ``tr(B1 A1^-1) = tr(A1 Gamma)``;
* the model's casewise scores ``g_i = Delta' A1(Sigma) (vech(z_i z_i') - vech(Sigma))`` at the
  estimates give ``B0 = mean(g_i g_i')``;
* ``E`` is the observed information (half the Hessian of F) per observation;
* the scaling factor is ``c = (tr(A1 Gamma) - tr(B0 E^-1)) / df``; ``chisq_scaled = chisq / c``;
* robust standard errors come from ``E^-1 B0 E^-1 / N``.

The robust CFI/TLI/RMSEA follow Brosseau-Liard & Savalei (2014) and
Brosseau-Liard, Savalei & Li (2012), with ``c`` and the baseline model's own
scaling factor, as in ``lav_fit_cfi.R`` and ``lav_fit_rmsea.R``.
"""

from __future__ import annotations

import numpy as np

from .ram import RamModel

__all__ = ["vech_indices", "numerical_hessian", "yuan_bentler"]


def vech_indices(p: int) -> tuple[np.ndarray, np.ndarray]:
    """Row and column indices of vech (lower triangle, column by column).

    ``vech(A) = A[rows, cols]`` stacks the ``p (p + 1) / 2`` elements on and below the
    diagonal, column after column, the order lavaan uses for the sample moments
    (by definition).

    >>> rows, cols = vech_indices(3)
    >>> rows.tolist(), cols.tolist()
    ([0, 1, 2, 1, 2, 2], [0, 0, 0, 1, 1, 2])
    """
    rows, cols = [], []
    for j in range(p):
        for i in range(j, p):
            rows.append(i)
            cols.append(j)
    return np.array(rows), np.array(cols)


def numerical_hessian(gradient, theta: np.ndarray, step: float = 1e-5) -> np.ndarray:
    """Hessian by central differences of an analytic ``gradient``, symmetrized.

    ``H[:, k] = (g(theta + h e_k) - g(theta - h e_k)) / (2 h)`` with
    ``h = step max(1, |theta_k|)``, returned as ``(H + H') / 2`` (by definition). The
    observed information of the MLR and FIML fits comes from it, and their standard
    errors are checked against lavaan 0.6.14 in tests/test_sem_reference.py.

    >>> grad = lambda t: np.array([2 * t[0] + t[1], t[0] + 6 * t[1]])  # f = t0^2 + t0 t1 + 3 t1^2
    >>> numerical_hessian(grad, np.array([1.0, 2.0])).round(6).tolist()
    [[2.0, 1.0], [1.0, 6.0]]
    """
    q = theta.size
    H = np.zeros((q, q))
    for k in range(q):
        h = step * max(1.0, abs(theta[k]))
        up, down = theta.copy(), theta.copy()
        up[k] += h
        down[k] -= h
        H[:, k] = (gradient(up) - gradient(down)) / (2 * h)
    return (H + H.T) / 2


def _vech_outer(Z: np.ndarray) -> np.ndarray:
    r, c = vech_indices(Z.shape[1])
    return Z[:, r] * Z[:, c]


def _info_vech(Sigma: np.ndarray) -> np.ndarray:
    """Per-observation information of vech(Sigma) in the normal model: 1/2 D'(W (x) W) D, W = Sigma^-1.

    For vech positions a = (i, j) and b = (k, l):
    ``[D'(W (x) W) D]_ab = (w_ik w_jl + w_il w_jk) g_a g_b / 2`` with ``g = 2`` off the diagonal
    and ``g = 1`` on it.
    """
    W = np.linalg.inv(Sigma)
    r, c = vech_indices(Sigma.shape[0])
    full = W[np.ix_(r, r)] * W[np.ix_(c, c)] + W[np.ix_(r, c)] * W[np.ix_(c, r)]
    g = np.where(r == c, 1.0, 2.0)
    return full * np.outer(g, g) / 4


def yuan_bentler(X: np.ndarray, model: RamModel, theta: np.ndarray, gradient_F) -> dict:
    """Scaling factor ``c``, robust covariance of the estimates, and the trace parts.

    ``gradient_F`` returns the gradient of the ML discrepancy F at a parameter vector.

    ``X`` holds the complete data (N, p) and ``theta`` the ML estimates of ``model``.
    The result has ``trace = tr(A1 Gamma) - tr(B0 E^-1)`` (``c df``, so
    ``c = trace / df``), its parts ``trace_h1`` and ``trace_h0``, the Huber-White
    covariance of the estimates ``vcov = E^-1 B0 E^-1 / N``, and ``E`` and ``B0``
    (see the module notes for the definitions). Checked (through
    :meth:`loyaltysurvey.sem.SEM.fit` with ``estimator="MLR"``) against lavaan 0.6.14's
    ``chisq.scaling.factor``, scaled and robust fit measures and robust standard errors
    in tests/test_sem_reference.py.

    References: Yuan & Bentler (2000); Huber (1967); White (1980).

    >>> from loyaltysurvey.datasets import holzinger_swineford
    >>> from loyaltysurvey.sem.estimate import fit_ml, ml_gradient
    >>> from loyaltysurvey.sem.partable import build_partable
    >>> X = holzinger_swineford()[[f"x{i}" for i in range(1, 10)]].to_numpy(float)
    >>> S = np.cov(X.T, ddof=0)
    >>> model = RamModel.from_table(build_partable(
    ...     "visual =~ x1 + x2 + x3; textual =~ x4 + x5 + x6; speed =~ x7 + x8 + x9"))
    >>> theta = fit_ml(model, S).theta
    >>> out = yuan_bentler(X, model, theta, lambda t: ml_gradient(model, t, S))
    >>> round(out["trace"] / 24, 3)  # c with df = 24; lavaan chisq.scaling.factor: 0.979
    0.979
    """
    N, p = X.shape
    Z = X - X.mean(axis=0)
    S = Z.T @ Z / N
    r, c = vech_indices(p)
    Sigma, _, _, _ = model.implied(theta)
    A1 = _info_vech(S)
    U = _vech_outer(Z) - S[r, c]
    Gamma = U.T @ U / N
    trace_h1 = float(np.sum(A1 * Gamma.T))
    dS, _ = model.derivatives(theta)
    Delta = dS[:, r, c].T                       # (pstar, q)
    A_model = _info_vech(Sigma)
    scores = (_vech_outer(Z) - Sigma[r, c]) @ A_model @ Delta   # (N, q)
    B0 = scores.T @ scores / N
    E = 0.5 * numerical_hessian(gradient_F, theta)
    E_inv = np.linalg.inv(E)
    trace_h0 = float(np.sum(B0 * E_inv.T))
    vcov = E_inv @ B0 @ E_inv / N
    return {"trace": trace_h1 - trace_h0, "trace_h1": trace_h1, "trace_h0": trace_h0, "vcov": vcov,
            "E": E, "B0": B0}
