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
* :func:`fornell_larcker`: the square root of AVE on the diagonal, latent
  correlations below it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .sem_fit import SEMFit

__all__ = ["factor_indicators", "composite_reliability", "average_variance_extracted", "htmt", "fornell_larcker",
           "standardized_loadings"]


def factor_indicators(results: SEMFit) -> dict[str, list[str]]:
    """Observed indicators of each first-order factor, in model order."""
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
    cov = results.sample_cov if obs_var else results.implied_cov
    return {factor: float(lam.sum() ** 2 * var / cov[np.ix_(idx, idx)].sum())
            for factor, idx, lam, var in _blocks(results)}


def average_variance_extracted(results: SEMFit) -> dict[str, float]:
    return {factor: float((lam ** 2).sum() * var / np.diag(results.sample_cov)[idx].sum())
            for factor, idx, lam, var in _blocks(results)}


def htmt(correlations: pd.DataFrame, blocks: dict[str, list[str]], absolute: bool = True,
         geometric: bool = False, single_item: float = float("nan")) -> pd.DataFrame:
    """HTMT matrix (symmetric, diagonal 1) from an item correlation matrix.

    ``geometric=False`` is Henseler et al.'s (2015) HTMT (arithmetic means; seminr/SmartPLS);
    ``geometric=True`` is Roemer, Schuberth & Henseler's (2021) HTMT2 (geometric means), the
    default of semTools 0.5-6 ``htmt()``. Correlations are taken in absolute value, as semTools does.
    ``single_item`` is the monotrait mean used for a one-item block (seminr uses 1).
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
    cor = results.latent_cor()
    names = [f for f in cor.index if f in ave]
    table = cor.loc[names, names].copy()
    for f in names:
        table.loc[f, f] = np.sqrt(ave[f])
    return table


def standardized_loadings(results: SEMFit) -> pd.DataFrame:
    est = results.params
    return est[(est.op == "=~")][["lhs", "rhs", "est", "se", "z", "pvalue", "std_all"]].reset_index(drop=True)
