"""Convergent and discriminant validity from a fitted measurement model.

* :func:`composite_reliability`: semTools ``compRelSEM()`` (0.5-6 defaults,
  ``obs.var = TRUE``): ``(sum lambda)^2 psi / 1' S_k 1`` with ``S_k`` the sample
  covariance matrix (divisor N) of the factor's indicators; with
  ``obs_var=False`` the denominator is the model-implied total variance.
* :func:`average_variance_extracted`: semTools ``AVE()``:
  ``sum(lambda_i^2 psi) / sum(s_ii)``.
* :func:`htmt`: the heterotrait-monotrait ratio from the indicator
  correlations: HTMT2 (geometric means, semTools 0.5-6's default) or the
  classic HTMT of Henseler, Ringle & Sarstedt (2015).
* :func:`higher_order_reliability`: CR of a higher-order factor as semTools ``compRelSEM(fit,
  higher = "HOC")``, its AVE (mean squared standardized second-order loading), and
  ``reliabilityL2()``'s omega_L1, omega_L2 and partial omega_L1.
* :func:`fornell_larcker`: the square root of AVE on the diagonal, latent
  correlations below it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .sem_fit import SEMFit

__all__ = ["factor_indicators", "composite_reliability", "average_variance_extracted", "htmt", "fornell_larcker",
           "standardized_loadings", "higher_order_reliability"]


def factor_indicators(results: SEMFit) -> dict[str, list[str]]:
    """Observed indicators of each first-order factor, in model order.

    The ``rhs`` of every ``=~`` row whose ``rhs`` is an observed variable, grouped by
    factor (by definition; a second-order factor, measured only by factors, is left
    out).

    >>> from loyaltysurvey.datasets import holzinger_swineford
    >>> from loyaltysurvey.sem import SEM
    >>> fit = SEM("visual =~ x1 + x2 + x3; textual =~ x4 + x5 + x6; speed =~ x7 + x8 + x9").fit(
    ...     holzinger_swineford())
    >>> factor_indicators(fit)
    {'visual': ['x1', 'x2', 'x3'], 'textual': ['x4', 'x5', 'x6'], 'speed': ['x7', 'x8', 'x9']}
    """
    out: dict[str, list[str]] = {}
    for p in results.table.params:
        if p.op == "=~" and p.rhs in results.table.observed:
            out.setdefault(p.lhs, []).append(p.rhs)
    return out


def _loadings(results: SEMFit, factor: str, items: list[str]) -> np.ndarray:
    est = results.params
    sel = est[(est.op == "=~") & (est.lhs == factor)].set_index("rhs")
    return sel.loc[items, "est"].to_numpy(dtype=float)


def _blocks(results: SEMFit):
    """(factor, indicator positions, loadings, factor variance) of each factor with 2+ indicators."""
    names = list(results.table.observed)
    psi = results.latent_cov()
    for factor, items in factor_indicators(results).items():
        if len(items) >= 2:
            yield factor, [names.index(i) for i in items], _loadings(results, factor, items), psi.loc[factor, factor]


def composite_reliability(results: SEMFit, obs_var: bool = True) -> dict[str, float]:
    """Composite reliability (omega, CR) of each factor with two or more indicators.

    ``CR = (sum lambda_i)^2 psi / 1' S_k 1`` with the unstandardized loadings
    ``lambda_i``, the factor variance ``psi`` and ``S_k`` the sample covariance matrix
    (divisor N) of the factor's indicators, as semTools 0.5-6 ``compRelSEM()`` with
    ``obs.var = TRUE``; with ``obs_var=False`` the denominator is the model-implied
    variance of the indicators' sum, ``1' Sigma_k 1`` (``obs.var = FALSE``). Both
    are checked against semTools 0.5.6 in tests/test_sem_reference.py.

    References: Jöreskog (1971); Raykov (1997).

    >>> from loyaltysurvey.datasets import holzinger_swineford
    >>> from loyaltysurvey.sem import SEM
    >>> fit = SEM("visual =~ x1 + x2 + x3; textual =~ x4 + x5 + x6; speed =~ x7 + x8 + x9").fit(
    ...     holzinger_swineford())
    >>> {f: round(v, 3) for f, v in composite_reliability(fit).items()}  # semTools compRelSEM()
    {'visual': 0.612, 'textual': 0.885, 'speed': 0.686}
    >>> round(composite_reliability(fit, obs_var=False)["visual"], 3)
    0.625
    """
    cov = results.sample_cov if obs_var else results.implied_cov
    return {factor: float(lam.sum() ** 2 * var / cov[np.ix_(idx, idx)].sum())
            for factor, idx, lam, var in _blocks(results)}


def average_variance_extracted(results: SEMFit) -> dict[str, float]:
    """Average variance extracted (AVE) of each factor with two or more indicators.

    ``AVE = sum(lambda_i^2 psi) / sum(s_ii)``: the variance of the indicators that the
    factor explains over their total sample variance (divisor N), as semTools 0.5-6
    ``AVE()``. Checked against semTools 0.5.6 in tests/test_sem_reference.py.

    References: Fornell & Larcker (1981).

    >>> from loyaltysurvey.datasets import holzinger_swineford
    >>> from loyaltysurvey.sem import SEM
    >>> fit = SEM("visual =~ x1 + x2 + x3; textual =~ x4 + x5 + x6; speed =~ x7 + x8 + x9").fit(
    ...     holzinger_swineford())
    >>> {f: round(v, 3) for f, v in average_variance_extracted(fit).items()}  # semTools AVE()
    {'visual': 0.371, 'textual': 0.721, 'speed': 0.424}
    """
    return {factor: float((lam ** 2).sum() * var / np.diag(results.sample_cov)[idx].sum())
            for factor, idx, lam, var in _blocks(results)}


def htmt(correlations: pd.DataFrame, blocks: dict[str, list[str]], absolute: bool = True,
         geometric: bool = False, single_item: float = float("nan")) -> pd.DataFrame:
    """HTMT matrix (symmetric, diagonal 1) from an item correlation matrix.

    ``geometric=False`` is Henseler et al.'s (2015) HTMT (arithmetic means; seminr/SmartPLS);
    ``geometric=True`` is Roemer, Schuberth & Henseler's (2021) HTMT2 (geometric means), the
    default of semTools 0.5-6 ``htmt()``. Correlations are taken in absolute value, as semTools does.
    ``single_item`` is the monotrait mean used for a one-item block (seminr uses 1).

    ``HTMT_ab = mean(|r_ij|, i in a, j in b) / sqrt(mono_a mono_b)`` with ``mono_a`` the
    mean of the correlations among ``a``'s indicators (off the diagonal), the means
    arithmetic or geometric as above. Both variants are checked against semTools
    0.5.6 ``htmt()`` (``htmt2 = TRUE`` and ``FALSE``) in tests/test_sem_reference.py,
    and the arithmetic one against seminr 2.3.2 (through
    :func:`loyaltysurvey.pls.evaluate.evaluate`) in tests/test_pls_reference.py.

    References: Henseler, Ringle & Sarstedt (2015); Roemer, Schuberth & Henseler (2021).

    >>> from loyaltysurvey.datasets import holzinger_swineford
    >>> hs = holzinger_swineford()
    >>> blocks = {"visual": ["x1", "x2", "x3"], "textual": ["x4", "x5", "x6"], "speed": ["x7", "x8", "x9"]}
    >>> r = hs[[f"x{i}" for i in range(1, 10)]].corr()
    >>> round(float(htmt(r, blocks).loc["visual", "textual"]), 3)
    0.424
    >>> round(float(htmt(r, blocks, geometric=True).loc["visual", "textual"]), 3)  # semTools htmt()
    0.384
    """
    R = correlations.abs() if absolute else correlations

    def mean(values: np.ndarray) -> float:
        if values.size == 0:
            return float("nan")
        return float(np.exp(np.mean(np.log(values)))) if geometric else float(np.mean(values))

    names = list(blocks)
    out = pd.DataFrame(np.nan, index=names, columns=names)
    mono = {}
    for f, items in blocks.items():
        sub = R.loc[items, items].to_numpy()
        mono[f] = mean(sub[np.triu_indices(len(items), 1)]) if len(items) > 1 else single_item
    for i, a in enumerate(names):
        out.loc[a, a] = 1.0
        for b in names[:i]:
            hetero = mean(R.loc[blocks[a], blocks[b]].to_numpy().ravel())
            value = hetero / np.sqrt(mono[a] * mono[b])
            out.loc[a, b] = out.loc[b, a] = value
    return out


def fornell_larcker(results: SEMFit, ave: dict[str, float]) -> pd.DataFrame:
    """The Fornell-Larcker matrix: ``sqrt(AVE)`` on the diagonal, latent correlations off it.

    Off the diagonal are the model's factor correlations (lavaan's
    ``lavInspect(fit, "cor.lv")``), for the factors that have an AVE; discriminant
    validity holds for a factor when its ``sqrt(AVE)`` exceeds its correlations with
    the others. By definition (not compared with a reference implementation).

    References: Fornell & Larcker (1981).

    >>> from loyaltysurvey.datasets import holzinger_swineford
    >>> from loyaltysurvey.sem import SEM
    >>> fit = SEM("visual =~ x1 + x2 + x3; textual =~ x4 + x5 + x6; speed =~ x7 + x8 + x9").fit(
    ...     holzinger_swineford())
    >>> table = fornell_larcker(fit, average_variance_extracted(fit))
    >>> table.round(3).values.tolist()
    [[0.609, 0.459, 0.471], [0.459, 0.849, 0.283], [0.471, 0.283, 0.652]]
    """
    cor = results.latent_cor()
    names = [f for f in cor.index if f in ave]
    table = cor.loc[names, names].copy()
    for f in names:
        table.loc[f, f] = np.sqrt(ave[f])
    return table


def standardized_loadings(results: SEMFit) -> pd.DataFrame:
    """The loading rows (``=~``) of the estimates: ``lhs, rhs, est, se, z, pvalue, std_all``.

    ``std_all`` is lavaan's completely standardized loading,
    ``lambda sqrt(psi) / sd(indicator)`` with the model-implied standard deviation.
    The rows are those of ``parameterEstimates(fit, standardized = TRUE)``, whose
    ``est``, ``se`` and ``std.all`` are checked against lavaan 0.6.14 in
    tests/test_sem_reference.py.

    >>> from loyaltysurvey.datasets import holzinger_swineford
    >>> from loyaltysurvey.sem import SEM
    >>> fit = SEM("visual =~ x1 + x2 + x3; textual =~ x4 + x5 + x6; speed =~ x7 + x8 + x9").fit(
    ...     holzinger_swineford())
    >>> table = standardized_loadings(fit)
    >>> table.loc[1, ["lhs", "rhs"]].tolist(), round(float(table.loc[1, "std_all"]), 3)
    (['visual', 'x2'], 0.424)
    """
    est = results.params
    return est[(est.op == "=~")][["lhs", "rhs", "est", "se", "z", "pvalue", "std_all"]].reset_index(drop=True)


def higher_order_reliability(results: SEMFit, factors: list[str] | tuple[str, ...]) -> dict[str, dict[str, float | None]]:
    """Reliability of each higher-order factor in ``factors`` (a factor measured by factors).

    With ``gamma_d`` the loading of dimension ``d`` on the higher-order factor ``H``, ``lambda_ad``
    the loading of item ``a`` on ``d``, ``phi_H`` the variance of ``H``, ``psi_d`` the disturbance
    variance of ``d`` and ``Theta`` the items' residual covariances (all unstandardized):

    * ``cr`` = ``(sum_a t_a)^2 phi_H / 1' S 1`` over the items of all the dimensions, ``t_a`` the
      item's total loading on ``H`` (``lambda_ad gamma_d``; through every level for a third-order
      factor) and ``S`` their sample covariance matrix (divisor N): semTools 0.5-6
      ``compRelSEM(fit, higher = "H")`` (for a second-order factor; semTools has no third order).
    * ``omega_l1`` = ``c1 / (c1 + u1 + e1)`` with ``c1 = (sum_a t_a)^2 phi_H``,
      ``u1 = sum_d (sum_a lambda_ad)^2 psi_d`` and ``e1 = 1' Theta 1``; ``omega_l2`` =
      ``(sum_d gamma_d)^2 phi_H / ((sum_d gamma_d)^2 phi_H + 1' Psi_d 1)``; ``partial_omega_l1`` =
      ``c1 / (c1 + e1)``: semTools' ``reliabilityL2()`` (deprecated there but still the source of these
      three), for a second-order factor; None for a higher order.
    * ``ave`` = the mean of the squared standardized loadings of the dimensions on ``H``
      (``std_all`` of the ``H =~ d`` rows): the share of the dimensions' variance that ``H``
      explains, the AVE of a first-order factor with the dimensions taken as its indicators (this
      package's definition; semTools ``AVE()`` leaves higher-order factors out).

    Checked against semTools 0.5.6 in tests/test_higher_order.py.

    >>> from loyaltysurvey.datasets import holzinger_swineford
    >>> from loyaltysurvey.sem import SEM
    >>> fit = SEM("visual =~ x1 + x2 + x3; textual =~ x4 + x5 + x6; speed =~ x7 + x8 + x9; "
    ...           "g =~ visual + textual + speed").fit(holzinger_swineford())
    >>> round(higher_order_reliability(fit, ["g"])["g"]["cr"], 3)  # compRelSEM(fit, higher = "g")
    0.564
    """
    est = results.params
    rows = est[est.op == "=~"]
    observed = list(results.table.observed)
    loads: dict[str, list[tuple[str, float, float]]] = {}
    for r in rows.itertuples():
        loads.setdefault(r.lhs, []).append((r.rhs, float(r.est), float(r.std_all)))

    def total(factor: str) -> dict[str, float]:
        out: dict[str, float] = {}
        for ind, lam, _ in loads.get(factor, []):
            if ind in observed:
                out[ind] = out.get(ind, 0.0) + lam
            else:
                for item, t in total(ind).items():
                    out[item] = out.get(item, 0.0) + lam * t
        return out

    var = {(r.lhs, r.rhs): float(r.est) for r in est[est.op == "~~"].itertuples()}

    def block_sum(names: list[str]) -> float:
        return sum(var.get((a, b), var.get((b, a), 0.0)) for a in names for b in names)

    lv_cov = results.latent_cov()
    out: dict[str, dict[str, float | None]] = {}
    for h in factors:
        dims = [d for d, _, _ in loads.get(h, []) if d not in observed]
        if not dims:
            continue
        t = total(h)
        items = list(t)
        idx = [observed.index(i) for i in items]
        phi = float(lv_cov.loc[h, h])
        common1 = sum(t.values()) ** 2 * phi
        entry: dict[str, float | None] = {
            "cr": float(common1 / results.sample_cov[np.ix_(idx, idx)].sum()),
            "ave": float(np.mean([std ** 2 for d, _, std in loads[h] if d in dims])),
            "omega_l1": None, "omega_l2": None, "partial_omega_l1": None}
        if all(i in observed for d in dims for i, _, _ in loads.get(d, [])):
            unique1 = sum(sum(lam for _, lam, _ in loads[d]) ** 2 * var.get((d, d), 0.0) for d in dims)
            error1 = block_sum(items)
            gamma = sum(lam for d, lam, _ in loads[h] if d in dims)
            common2 = gamma ** 2 * phi
            entry["omega_l1"] = float(common1 / (common1 + unique1 + error1))
            entry["omega_l2"] = float(common2 / (common2 + block_sum(dims)))
            entry["partial_omega_l1"] = float(common1 / (common1 + error1))
        out[h] = entry
    return out
