"""Fit statistics with lavaan 0.6's definitions (``lav_fit_*.R``).

With ``T = N F_min`` the ML chi-square, ``df`` the degrees of freedom and
``Tb, dfb`` those of lavaan's baseline (independence) model:

* ``cfi = 1 - max(T - df, 0) / max(T - df, Tb - dfb, 0)``
* ``tli = (Tb/dfb - T/df) / (Tb/dfb - 1)``; ``nfi = (Tb - T) / Tb``
* ``rmsea = sqrt(max(T/N/df - 1/N, 0))`` with the 90% interval from the
  noncentral chi-square (Browne & Cudeck, 1993)
* ``srmr``: Bentler's, residuals standardized by the observed standard
  deviations over the lower triangle with diagonal (and the means, with a
  mean structure)
* ``gfi = 1 - e' W e / s' W s`` with the ML weight ``W`` built from the
  implied covariance matrix; ``agfi = 1 - (nel/df)(1 - gfi)``
* ``logl`` the normal log-likelihood at the estimates, ``aic = -2 logl + 2 npar``,
  ``bic = -2 logl + npar log N``
* the indices theses print from LISREL's output (:func:`parsimony_indices`, :func:`rmr`):
  ``chisq_df = T/df``, ``ifi = (Tb - T) / (Tb - df)``, ``nnfi`` (= ``tli``),
  ``pnfi = (df/dfb) nfi``, ``pgfi = (df/nel) gfi``, ``ecvi = T/N + 2 npar/N`` and the raw
  ``rmr``.
"""

from __future__ import annotations

import math
from typing import Sequence

import numpy as np
from ..distributions import chi2_cdf, ncx2_noncentrality

__all__ = ["rmsea", "rmsea_ci", "srmr_bentler", "rmr", "gfi", "normal_loglik", "incremental", "parsimony_indices"]


def rmsea(T: float, df: float, N: float, c_hat: float = 1.0) -> float:
    """Root mean square error of approximation from the chi-square ``T`` on ``df`` with ``N`` cases.

    ``rmsea = sqrt(max(T / (N df) - c_hat / N, 0))``, and 0 when ``df <= 0``. With
    ``c_hat = 1`` this is lavaan's ``rmsea`` (Steiger & Lind, 1980); with ``T`` the
    unscaled chi-square and ``c_hat`` the Yuan-Bentler scaling factor it is the robust
    RMSEA of Brosseau-Liard, Savalei & Li (2012), lavaan's ``rmsea.robust``. Both
    are checked (through :meth:`loyaltysurvey.sem.SEM.fit`) against lavaan 0.6.14
    ``fitMeasures()`` in tests/test_sem_reference.py.

    >>> round(rmsea(85.306, 24, 301), 3)  # lavaan, HolzingerSwineford1939 CFA: 0.092
    0.092
    """
    if df <= 0:
        return 0.0
    return math.sqrt(max(T / N / df - c_hat / N, 0.0))


def rmsea_ci(T: float, df: float, N: float, level: float = 0.90) -> tuple[float, float]:
    """Browne & Cudeck's interval: the noncentralities that put T at the outer percentiles.

    The bounds are ``sqrt(lambda / (N df))`` where ``lambda_lower`` solves
    ``P(chi2_df(lambda) <= T) = (1 + level) / 2`` and ``lambda_upper`` solves
    ``P(chi2_df(lambda) <= T) = (1 - level) / 2`` for the noncentral chi-square;
    a bound is 0 when even ``lambda = 0`` leaves ``T`` below its percentile, and both are
    0 when ``df <= 0``. Checked (through :meth:`loyaltysurvey.sem.SEM.fit`) against
    lavaan 0.6.14 ``rmsea.ci.lower`` and ``rmsea.ci.upper`` in tests/test_sem_reference.py.

    References: Browne & Cudeck (1993).

    >>> lo, hi = rmsea_ci(85.306, 24, 301)
    >>> round(lo, 3), round(hi, 3)  # lavaan: 0.071, 0.114
    (0.071, 0.114)
    """
    if df <= 0 or not np.isfinite(T):
        return (0.0, 0.0) if df <= 0 else (float("nan"), float("nan"))
    upper_p, lower_p = 1 - (1 - level) / 2, (1 - level) / 2

    def solve(target: float) -> float:
        if chi2_cdf(T, df) < target:  # even lambda = 0 puts T below the percentile
            return 0.0
        return float(ncx2_noncentrality(T, df, target))

    lam_lo = solve(upper_p)
    lam_hi = solve(lower_p)
    return (math.sqrt(lam_lo / (N * df)), math.sqrt(lam_hi / (N * df)))


def covariates_loglik(S: np.ndarray, xs: Sequence[int], N: float) -> float:
    """The normal log-likelihood of the fixed.x covariates ``xs`` alone at their sample moments
    (``S`` with divisor N): ``-N/2 (k log 2 pi + log|S_xx| + k)``; 0 without covariates.

    With fixed.x lavaan reports the log-likelihood of the other variables given the covariates,
    the joint one less this (so are AIC and BIC); checked against lavaan 0.6.14 ``logl`` in
    tests/test_fixed_x_fiml.py.

    >>> round(covariates_loglik(np.array([[4.0, 1.0], [1.0, 2.0]]), [1], 100), 4)
    -176.5512
    """
    if not len(xs):
        return 0.0
    k = len(xs)
    Sxx = np.asarray(S)[np.ix_(list(xs), list(xs))]
    return float(-N / 2 * (k * math.log(2 * math.pi) + np.linalg.slogdet(Sxx)[1] + k))


def srmr_bentler(S: np.ndarray, Sigma: np.ndarray, ybar: np.ndarray | None = None,
                 mu: np.ndarray | None = None) -> float:
    """Bentler's standardized root mean square residual (lavaan's ``srmr``).

    ``srmr = sqrt(sum_{i>=j} ((s_ij - sigma_ij) / sqrt(s_ii s_jj))^2 / (p (p + 1) / 2))``:
    the residuals of the sample covariance matrix ``S`` against the implied ``Sigma``,
    standardized by the observed standard deviations, over the lower triangle with the
    diagonal. With a mean structure (``ybar`` and ``mu`` given) the ``p`` terms
    ``((ybar_i - mu_i) / sqrt(s_ii))^2`` join the sum and the count. Checked (through
    :meth:`loyaltysurvey.sem.SEM.fit`, listwise and FIML) against lavaan 0.6.14 in
    tests/test_sem_reference.py.

    References: Bentler (1995); Hu & Bentler (1999).

    >>> from loyaltysurvey.datasets import holzinger_swineford
    >>> from loyaltysurvey.sem import SEM
    >>> fit = SEM("visual =~ x1 + x2 + x3; textual =~ x4 + x5 + x6; speed =~ x7 + x8 + x9").fit(
    ...     holzinger_swineford())
    >>> round(srmr_bentler(fit.sample_cov, fit.implied_cov), 3)  # lavaan: 0.065
    0.065
    """
    sd = np.sqrt(np.diag(S))
    resid = (S - Sigma) / np.outer(sd, sd)
    low = resid[np.tril_indices_from(resid)]
    total, count = float(np.sum(low ** 2)), low.size
    if ybar is not None and mu is not None:
        rm = (ybar - mu) / sd
        total += float(np.sum(rm ** 2))
        count += rm.size
    return math.sqrt(total / count)


def rmr(S: np.ndarray, Sigma: np.ndarray, ybar: np.ndarray | None = None, mu: np.ndarray | None = None) -> float:
    """Root mean square residual in the data's own units, as lavaan's ``rmr``.

    ``rmr = sqrt(sum_{i>=j} (s_ij - sigma_ij)^2 / (p (p + 1) / 2))``: the raw (unstandardized)
    residuals of the sample covariance matrix ``S`` against the implied ``Sigma`` over the
    lower triangle with the diagonal. With a mean structure (``ybar`` and ``mu`` given, as
    under FIML) the ``p`` mean residuals ``ybar_i - mu_i`` join the sum and the count, as
    lavaan does whenever the model has means (its ``rmr_nomean`` leaves them out). Its size
    depends on the items' scale, so no general cut-off exists. Checked (through
    :meth:`loyaltysurvey.sem.SEM.fit`, listwise, MLR and FIML) against lavaan 0.6.14
    ``fitMeasures(fit, "rmr")`` in tests/test_fit_indices.py and tests/test_sem_reference.py.

    References: Jöreskog & Sörbom (1984).

    >>> from loyaltysurvey.datasets import HS_MODEL, holzinger_swineford
    >>> from loyaltysurvey.sem import SEM
    >>> fit = SEM(HS_MODEL).fit(holzinger_swineford())
    >>> round(rmr(fit.sample_cov, fit.implied_cov), 4)  # lavaan: 0.0822
    0.0822
    """
    low = (S - Sigma)[np.tril_indices_from(S)]
    total, count = float(np.sum(low ** 2)), low.size
    if ybar is not None and mu is not None:
        total += float(np.sum((ybar - mu) ** 2))
        count += len(ybar)
    return math.sqrt(total / count)


def parsimony_indices(T: float, df: float, Tb: float, dfb: float, gfi: float, nel: float, npar: float,
                      N: float) -> dict[str, float]:
    """The indices LISREL prints beside CFI and RMSEA, with lavaan 0.6's definitions.

    From the model's chi-square ``T`` on ``df``, the baseline's ``Tb`` on ``dfb``, the ``gfi``,
    the number of sample moments ``nel`` (``p (p + 1) / 2``, plus ``p`` with a mean
    structure), the free parameters ``npar`` (lavaan's ``fit@npar``: equality constraints
    subtracted) and ``N``:

    * ``chisq_df = T / df`` (NaN when ``df = 0``; not a lavaan measure, the ratio theses print);
    * ``ifi = (Tb - T) / (Tb - df)`` (Bollen, 1989): 1 when ``Tb < df``, NaN when ``Tb = df``;
    * ``nnfi = tli = 1 - ((T - df) dfb) / ((Tb - dfb) df)`` (Bentler & Bonett, 1980);
    * ``pnfi = (df / dfb) (Tb - T) / Tb`` (James, Mulaik & Brett, 1982);
    * ``pgfi = (df / nel) gfi`` (Mulaik et al., 1989), with lavaan's GFI;
    * ``ecvi = T / N + 2 npar / N`` (Browne & Cudeck, 1989).

    lavaan computes all of them from the unscaled (ML) statistics, also under MLR. Checked
    (through :meth:`loyaltysurvey.sem.SEM.fit`) against lavaan 0.6.14 ``fitMeasures()`` on the
    HolzingerSwineford1939 CFA (ML and MLR), the PoliticalDemocracy SEM, bfi (listwise,
    FIML, MLR) and a PoliticalDemocracy FIML fit in tests/test_fit_indices.py and
    tests/test_sem_reference.py.

    >>> out = parsimony_indices(85.306, 24, 918.852, 36, 0.943332, 45, 21, 301)
    >>> {k: round(v, 3) for k, v in out.items()}  # lavaan: ifi .931, nnfi .896, pnfi .605, pgfi .503, ecvi .423
    {'chisq_df': 3.554, 'ifi': 0.931, 'nnfi': 0.896, 'pnfi': 0.605, 'pgfi': 0.503, 'ecvi': 0.423}
    """
    t2 = Tb - df
    if not (math.isfinite(Tb) and math.isfinite(T)):
        ifi = float("nan")
    elif t2 < 0:
        ifi = 1.0
    elif math.isclose(t2, 0.0, abs_tol=1e-8):
        ifi = float("nan")
    else:
        ifi = (Tb - T) / t2
    pnfi = (df / dfb) * (Tb - T) / Tb if dfb > 0 and Tb > 0 else float("nan")
    return {
        "chisq_df": T / df if df > 0 else float("nan"),
        "ifi": ifi,
        "nnfi": incremental(T, df, Tb, dfb)["tli"],
        "pnfi": pnfi,
        "pgfi": (df / nel) * gfi if nel > 0 else float("nan"),
        "ecvi": T / N + 2 * npar / N,
    }


def gfi(S: np.ndarray, Sigma: np.ndarray, ybar: np.ndarray | None = None, mu: np.ndarray | None = None) -> float:
    """Goodness-of-fit index with the ML weight, as lavaan computes ``gfi``.

    ``gfi = 1 - tr((Sigma^-1 (S - Sigma))^2) / tr((Sigma^-1 S)^2)``, i.e.
    ``1 - e' W e / s' W s`` with the normal-theory weight built from the implied
    ``Sigma``. With a mean structure the numerator gains
    ``2 (ybar - mu)' Sigma^-1 (ybar - mu)`` and the denominator ``2 ybar' Sigma^-1 ybar``.
    AGFI is ``1 - (nel / df)(1 - gfi)`` with ``nel`` the number of sample moments.
    Checked (through :meth:`loyaltysurvey.sem.SEM.fit`, which calls it without means on
    complete data) against lavaan 0.6.14 ``gfi`` and ``agfi`` in
    tests/test_sem_reference.py; the mean-structure branch is not compared.

    References: Jöreskog & Sörbom (1984).

    >>> from loyaltysurvey.datasets import holzinger_swineford
    >>> from loyaltysurvey.sem import SEM
    >>> fit = SEM("visual =~ x1 + x2 + x3; textual =~ x4 + x5 + x6; speed =~ x7 + x8 + x9").fit(
    ...     holzinger_swineford())
    >>> round(gfi(fit.sample_cov, fit.implied_cov), 3)  # lavaan: 0.943
    0.943
    """
    inv = np.linalg.inv(Sigma)
    E = inv @ (S - Sigma)
    O = inv @ S
    t1 = 0.5 * np.trace(E @ E)
    t2 = 0.5 * np.trace(O @ O)
    if ybar is not None and mu is not None:
        d = ybar - mu
        t1 += d @ inv @ d
        t2 += ybar @ inv @ ybar
    return float(1 - t1 / t2)


def normal_loglik(S: np.ndarray, Sigma: np.ndarray, N: float, ybar: np.ndarray | None = None,
                  mu: np.ndarray | None = None) -> float:
    """Normal log-likelihood of ``N`` cases with sample covariance ``S`` (divisor N) under ``Sigma``.

    ``logl = -N/2 (p log(2 pi) + log|Sigma| + tr(S Sigma^-1) + (ybar - mu)' Sigma^-1 (ybar - mu))``,
    the last term only when ``ybar`` and ``mu`` are given. At ``Sigma = S`` it is the
    saturated (unrestricted) log-likelihood. Checked (through
    :meth:`loyaltysurvey.sem.SEM.fit`, complete data, no means) against lavaan 0.6.14
    ``logl`` and ``unrestricted.logl`` in tests/test_sem_reference.py; AIC and BIC are
    built from it there (``-2 logl + 2 npar``, ``-2 logl + npar log N``).

    >>> from loyaltysurvey.datasets import holzinger_swineford
    >>> from loyaltysurvey.sem import SEM
    >>> fit = SEM("visual =~ x1 + x2 + x3; textual =~ x4 + x5 + x6; speed =~ x7 + x8 + x9").fit(
    ...     holzinger_swineford())
    >>> round(float(normal_loglik(fit.sample_cov, fit.implied_cov, 301)), 3)  # lavaan: -3737.745
    -3737.745
    >>> round(float(normal_loglik(fit.sample_cov, fit.sample_cov, 301)), 3)  # unrestricted.logl
    -3695.092
    """
    p = S.shape[0]
    sign, logdet = np.linalg.slogdet(Sigma)
    inv = np.linalg.inv(Sigma)
    value = p * math.log(2 * math.pi) + logdet + float(np.sum(S * inv))
    if ybar is not None and mu is not None:
        d = ybar - mu
        value += d @ inv @ d
    return -N / 2 * value


def incremental(T: float, df: float, Tb: float, dfb: float) -> dict[str, float]:
    """CFI, TLI and NFI as lavaan computes them, from the model's ``T, df`` and the baseline's ``Tb, dfb``.

    ``cfi = 1 - max(T - df, 0) / max(T - df, Tb - dfb, 0)`` (1 when the denominator is
    0), ``tli = (Tb/dfb - T/df) / (Tb/dfb - 1)`` (1 when it cannot be formed) and
    ``nfi = (Tb - T) / Tb`` (NaN when ``Tb <= 0``). With scaled statistics they are lavaan's ``cfi.scaled``
    and ``tli.scaled``. Checked (through :meth:`loyaltysurvey.sem.SEM.fit`) against
    lavaan 0.6.14 ``fitMeasures()`` in tests/test_sem_reference.py.

    References: Bentler (1990); Tucker & Lewis (1973); Bentler & Bonett (1980).

    >>> {k: round(float(v), 3) for k, v in incremental(85.306, 24, 918.852, 36).items()}  # as lavaan
    {'cfi': 0.931, 'tli': 0.896, 'nfi': 0.907}
    """
    num = max(T - df, 0.0)
    den = max(T - df, Tb - dfb, 0.0)
    cfi = 1.0 if den == 0 else 1 - num / den
    if df > 0 and dfb > 0 and Tb / dfb != 1:
        tli = (Tb / dfb - T / df) / (Tb / dfb - 1)
    else:
        tli = 1.0
    nfi = (Tb - T) / Tb if Tb > 0 else float("nan")
    return {"cfi": cfi, "tli": tli, "nfi": nfi}


def gfi_missing(weights: np.ndarray, Q: np.ndarray, S_h1: np.ndarray, mu_h1: np.ndarray, Sigma: np.ndarray,
                mu: np.ndarray) -> float:
    """GFI under FIML: lavaan weights by the expected information of the missing-data patterns.

    ``Q`` holds each pattern's ``Sigma_oo^-1`` padded with zeros (from the implied
    Sigma), ``weights`` the patterns' shares n_g / N. For a moment vector
    ``(m, vech C)`` the weight gives ``sum_g w_g [m_o' Q_g m_o + tr(Q_g C Q_g C) / 2]``.
    """
    def quad(m: np.ndarray, C: np.ndarray) -> float:
        QC = Q @ C
        return float(weights @ (np.einsum("gi,gij,gj->g", np.broadcast_to(m, (len(weights), m.size)), Q,
                                          np.broadcast_to(m, (len(weights), m.size)))
                                + 0.5 * np.einsum("gij,gji->g", QC, QC)))

    return 1 - quad(mu_h1 - mu, S_h1 - Sigma) / quad(mu_h1, S_h1)
