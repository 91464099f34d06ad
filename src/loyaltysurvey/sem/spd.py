"""Positive definiteness of implied covariance matrices, and their log-determinants.

An ML or FIML fit must stay where its implied covariance matrix is positive definite, as
lavaan's does. A determinant's sign does not tell: two negative eigenvalues give a positive
one, and a fit that wandered there finds a meaningless minimum (a chi-square of 0 where lavaan
reports 250.37, tests/test_higher_order.py). Both tests here use a Cholesky factor.
"""

from __future__ import annotations

import numpy as np

__all__ = ["pd_logdet", "spd_inverse"]


def pd_logdet(Sigma: np.ndarray) -> float | None:
    """``log|Sigma|`` when ``Sigma`` is positive definite (a Cholesky factor exists), else None.

    >>> import numpy as np
    >>> round(pd_logdet(np.diag([2.0, 0.5])), 12), pd_logdet(np.diag([-2.0, -0.5, 1.0])) is None
    (0.0, True)
    """
    try:
        L = np.linalg.cholesky(Sigma)
    except np.linalg.LinAlgError:
        return None
    return float(2 * np.sum(np.log(np.diagonal(L))))


def spd_inverse(A: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Inverse, log-determinant and positive definiteness of a stack of symmetric matrices.

    The log-determinant comes from the Cholesky factor (closed forms for 1 x 1 and 2 x 2); a
    matrix that is not positive definite gets ``ok`` False and is replaced by the identity (its
    value is then discarded). Used by the batched ML and FIML fits.

    >>> inv, logdet, ok = spd_inverse(np.array([[[4.0, 2.0], [2.0, 3.0]], [[1.0, 2.0], [2.0, 1.0]]]))
    >>> inv[0].round(3).tolist(), round(float(logdet[0]), 4), ok.tolist()
    ([[0.375, -0.25], [-0.25, 0.5]], 2.0794, [True, False])
    >>> spd_inverse(np.stack([np.eye(3), np.diag([-1.0, -1.0, 1.0])]))[2].tolist()  # determinant 1, not PD
    [True, False]
    """
    if A.shape[-1] == 2:
        a, b, c = A[..., 0, 0], A[..., 0, 1], A[..., 1, 1]
        det = a * c - b * b
        ok = (a > 0) & (det > 0)
        det = np.where(ok, det, 1.0)
        a, b, c = np.where(ok, a, 1.0), np.where(ok, b, 0.0), np.where(ok, c, 1.0)
        inv = np.stack([np.stack([c, -b], axis=-1), np.stack([-b, a], axis=-1)], axis=-2) / det[..., None, None]
        return inv, np.log(det), ok
    try:
        L = np.linalg.cholesky(A)
        ok = np.ones(A.shape[:-2], dtype=bool)
    except np.linalg.LinAlgError:  # one matrix or more is not: find which, one by one
        p = A.shape[-1]
        ok = np.array([pd_logdet(m) is not None for m in A.reshape(-1, p, p)]).reshape(A.shape[:-2])
        A = np.where(ok[..., None, None], A, np.eye(p))
        L = np.linalg.cholesky(A)
    logdet = 2 * np.log(np.diagonal(L, axis1=-2, axis2=-1)).sum(axis=-1)
    if A.shape[-1] == 1:
        return 1.0 / A, logdet, ok       # numpy's inverse costs far more than the division
    return np.linalg.inv(A), logdet, ok
