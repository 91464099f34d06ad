"""MLR with FIML: robust standard errors, the Yuan-Bentler (Mplus) scaled test and the
FIML-corrected robust CFI/TLI/RMSEA of Zhang & Savalei (2022), as lavaan 0.6.14 computes
them (``lav_test_yuan_bentler.R``, ``lav_fit_fiml_corrected`` in ``lav_fit_utils.R``).

The saturated (H1) model's parameters are ``(mu, vech Sigma)``. With the EM estimates
``(mu~, Sigma~)``:

* ``Wm``: observed information of the H1 model under missingness (minus the Hessian of
  the log-likelihood per case, by differences of its analytic gradient);
* ``Jm``: first-order information, the mean outer product of the casewise H1 scores;
* ``Wc``: complete-data information at (mu~, Sigma~): ``Sigma~^-1`` and ``1/2 D'(Sigma~^-1 (x) Sigma~^-1) D``;
* ``Delta``: derivatives of (mu, vech Sigma) with respect to the model parameters;
* ``E``: the model's observed information per case, ``B0 = Delta' J(model moments) Delta``;
  for the corrected statistics lavaan uses the "h1" form ``Delta' Wm Delta`` instead.

Then the scaling factor is ``(tr(Jm Wm^-1) - tr(B0 E^-1)) / df``, robust standard errors
come from ``E^-1 B0 E^-1 / N``, and with ``U = Wm - Wm Delta E^-1 Delta' Wm`` and
``Gamma = Wm^-1 Jm Wm^-1`` the corrected statistic ``XX3 = N F_ML(Sigma^, mu^; Sigma~, mu~)``
has ``c3 = tr(U Wm^-1 Wc Wm^-1 U Gamma) / df`` (version V3); the baseline model likewise.
"""

from __future__ import annotations


import numpy as np

from .fiml import Patterns
from .fit import incremental, rmsea
from .robust import _info_vech, numerical_hessian, vech_indices

__all__ = ["casewise_h1_scores", "h1_observed_information", "fiml_robust"]


def casewise_h1_scores(patterns: Patterns, Sigma: np.ndarray, mu: np.ndarray) -> np.ndarray:
    """Scores of every case's log-likelihood with respect to (mu, vech Sigma): (N, p + p*)."""
    p = patterns.p
    r, c = vech_indices(p)
    g = np.where(r == c, 1.0, 2.0)
    Q, _ = patterns._padded_inverse(Sigma)
    blocks = []
    for k, pt in enumerate(patterns.patterns):
        D = np.zeros((pt.n, p))
        D[:, pt.observed] = pt.rows - mu[pt.observed]
        QD = D @ Q[k]
        s_sigma = 0.5 * (QD[:, r] * QD[:, c] - Q[k][r, c]) * g
        blocks.append(np.hstack([QD, s_sigma]))
    return np.vstack(blocks)


def _h1_gradient(patterns: Patterns, theta: np.ndarray) -> np.ndarray:
    """Gradient of the log-likelihood (sum over cases) with respect to (mu, vech Sigma)."""
    p = patterns.p
    r, c = vech_indices(p)
    mu = theta[:p]
    Sigma = np.zeros((p, p))
    Sigma[r, c] = theta[p:]
    Sigma[c, r] = theta[p:]
    _, G, h = patterns.gradient_moments(Sigma, mu)
    g = np.where(r == c, 1.0, 2.0)
    return np.concatenate([-0.5 * h, -0.5 * G[r, c] * g])


def h1_observed_information(patterns: Patterns, Sigma: np.ndarray, mu: np.ndarray) -> np.ndarray:
    """Observed information per case of the saturated model at (mu, Sigma)."""
    p = patterns.p
    r, c = vech_indices(p)
    theta = np.concatenate([mu, Sigma[r, c]])
    return -numerical_hessian(lambda t: _h1_gradient(patterns, t), theta) / patterns.n_total


def _complete_information(Sigma: np.ndarray) -> np.ndarray:
    p = Sigma.shape[0]
    inv = np.linalg.inv(Sigma)
    A = _info_vech(Sigma)
    out = np.zeros((p + A.shape[0],) * 2)
    out[:p, :p] = inv
    out[p:, p:] = A
    return out


def _ml_statistic(N: int, S: np.ndarray, m: np.ndarray, Sigma: np.ndarray, mu: np.ndarray) -> float:
    inv = np.linalg.inv(Sigma)
    d = m - mu
    return float(N * (np.linalg.slogdet(Sigma)[1] + np.sum(S * inv) - np.linalg.slogdet(S)[1] - S.shape[0]
                      + d @ inv @ d))


def baseline_pieces(patterns: Patterns) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """The baseline model under FIML (independent variables, each with its own mean and variance over
    its observed values): ``(means, variances, Delta_b, tr(B0_b E_b^-1))``, its derivatives of
    (mu, vech Sigma) and the model part of its Yuan-Bentler trace, per case."""
    N, p = patterns.n_total, patterns.p
    r, c = vech_indices(p)
    mean_b = np.array([np.nanmean(patterns.X[:, j]) for j in range(p)])
    var_b = np.array([np.nanvar(patterns.X[:, j]) for j in range(p)])
    n_j = np.sum(~np.isnan(patterns.X), axis=0)
    Delta_b = np.zeros((p + r.size, 2 * p))
    Delta_b[np.arange(p), np.arange(p)] = 1.0
    diag_pos = np.nonzero(r == c)[0]
    Delta_b[p + diag_pos, p + r[diag_pos]] = 1.0
    E_b = np.diag(np.concatenate([n_j / (N * var_b), n_j / (2 * N * var_b ** 2)]))
    scores_b = casewise_h1_scores(patterns, np.diag(var_b), mean_b)
    B0_b = Delta_b.T @ (scores_b.T @ scores_b / N) @ Delta_b
    return mean_b, var_b, Delta_b, float(np.sum(B0_b * np.linalg.inv(E_b).T))


def fiml_robust(patterns: Patterns, mu_h1: np.ndarray, S_h1: np.ndarray, Sigma: np.ndarray, mu: np.ndarray,
                dS: np.ndarray, dm: np.ndarray, E: np.ndarray, df: float, T: float, Tb: float, dfb: float
                ) -> dict:
    """Robust covariance of the estimates and lavaan's scaled/robust fit measures under FIML.

    ``dS``/``dm`` are the model's derivatives at the estimates, ``E`` its observed
    information per case; ``T``/``Tb`` the FIML chi-squares of the model and the baseline.
    """
    N, p = patterns.n_total, patterns.p
    r, c = vech_indices(p)
    Delta = np.vstack([dm.T, dS[:, r, c].T])                      # (p + p*, q)
    Wm = h1_observed_information(patterns, S_h1, mu_h1)
    Wm_inv = np.linalg.inv(Wm)
    scores_h1 = casewise_h1_scores(patterns, S_h1, mu_h1)
    Jm = scores_h1.T @ scores_h1 / N
    E_inv = np.linalg.inv(E)
    scores_model = casewise_h1_scores(patterns, Sigma, mu)
    J_model = scores_model.T @ scores_model / N
    B0 = Delta.T @ J_model @ Delta
    trace_h1 = float(np.sum(Jm * Wm_inv.T))
    trace = trace_h1 - float(np.sum(B0 * E_inv.T))
    vcov = E_inv @ B0 @ E_inv / N

    mean_b, var_b, Delta_b, trace_b0 = baseline_pieces(patterns)
    trace_b = trace_h1 - trace_b0

    c_scale = trace / df if df > 0 else float("nan")
    c_base = trace_b / dfb
    Ts, Tbs = T / c_scale, Tb / c_base
    scaled = incremental(Ts, df, Tbs, dfb)

    # Zhang & Savalei (2022) FIML-corrected statistics (version V3, as lavaan uses with MLR).
    Wc = _complete_information(S_h1)
    Gamma = Wm_inv @ Jm @ Wm_inv
    middle = Wm_inv @ Wc @ Wm_inv

    def corrected(D: np.ndarray, Einv: np.ndarray) -> float:
        U = Wm - Wm @ D @ Einv @ D.T @ Wm
        return float(np.trace(U @ middle @ U @ Gamma))

    XX3 = _ml_statistic(N, S_h1, mu_h1, Sigma, mu)
    XX3_null = _ml_statistic(N, S_h1, mu_h1, np.diag(var_b), mean_b)
    # lavaan switches both models to the "h1" observed information here: E = Delta' Wm Delta.
    c3 = corrected(Delta, np.linalg.inv(Delta.T @ Wm @ Delta)) / df
    c3_null = corrected(Delta_b, np.linalg.inv(Delta_b.T @ Wm @ Delta_b)) / dfb
    t1 = max(XX3 - c3 * df, 0.0)
    t2 = max(XX3 - c3 * df, XX3_null - c3_null * dfb, 0.0)
    cfi_robust = 1.0 if t2 == 0 else 1 - t1 / t2
    tli_den = (XX3_null - c3_null * dfb) * df
    tli_robust = 1 - (XX3 - c3 * df) * dfb / tli_den if tli_den else 1.0
    from ..distributions import chi2_sf
    measures = {
        "chisq_scaled": Ts, "df_scaled": df, "pvalue_scaled": float(chi2_sf(Ts, df)),
        "chisq_scaling_factor": c_scale, "baseline_chisq_scaled": Tbs, "baseline_chisq_scaling_factor": c_base,
        "cfi_scaled": scaled["cfi"], "tli_scaled": scaled["tli"], "rmsea_scaled": rmsea(Ts, df, N),
        "cfi_robust": cfi_robust, "tli_robust": tli_robust, "rmsea_robust": rmsea(XX3, df, N, c3),
    }
    return {"vcov": vcov, "measures": measures, "trace": trace}
