"""Simulated answers to any questionnaire, drawn from the population its structural model implies.

Used to try a composed questionnaire end to end (``new`` -> simulated answers -> ``analyze``)
before real data exist; never a substitute for data. The population model is standardized on
the latent level:

* constructs that no ``~`` path of the model explains are standard normal with correlation
  :data:`EXOGENOUS_R` (0.40) between every two of them;
* each explained construct is ``eta = b * (sum of its predictors) + zeta`` with one coefficient
  ``b`` for all its predictors chosen so that its R² is :data:`R2` (0.45), i.e.
  ``b = sqrt(R2 / 1'Sigma_xx 1)``, and ``Var(zeta) = 1 - R2``, so every latent variance is 1;
* each item is ``lambda * eta + sqrt(1 - lambda^2) * e`` with the standardized loadings
  :data:`LOADINGS` in turn (:data:`SINGLE_ITEM_LOADING` for a construct's only item), cut into
  the item's own scale points at the normal quantiles of equal shares shifted by
  :data:`SHIFT` (so answers lean, as satisfaction surveys do, to the agreeing end);
  reverse-worded items are then written turned round (``min + max - x``), as a respondent
  answers them.

Only ``~`` paths between constructs shape the population (interactions, paths from
demographics and other model terms are left out); demographics are drawn uniformly over their
codes, and each option of a multi-select demographic is chosen with probability 0.4 (the chosen
codes joined by ``;``, none chosen left empty).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from ..distributions import norm_ppf

from ..errors import ModelError
from ..questionnaire import Questionnaire

__all__ = ["EXOGENOUS_R", "R2", "LOADINGS", "SINGLE_ITEM_LOADING", "SHIFT", "SEED", "PopulationModel",
           "population_model", "simulate_responses"]

EXOGENOUS_R = 0.40
R2 = 0.45
LOADINGS = (0.80, 0.75, 0.70, 0.78, 0.72)
SINGLE_ITEM_LOADING = 0.90
SHIFT = 0.30
SEED = 20260101


@dataclass(frozen=True)
class PopulationModel:
    """The standardized latent population: ``covariance`` (constructs x constructs, unit
    diagonal) and ``paths`` ``{(source, target): b}``, in the questionnaire's construct order."""

    covariance: pd.DataFrame
    paths: dict[tuple[str, str], float]


def _structural(q: Questionnaire) -> dict[str, list[str]]:
    """Target construct -> its predictor constructs, from the model's ``~`` paths between constructs."""
    ids = {c.id for c in q.constructs}
    predictors: dict[str, list[str]] = {}
    for s in q.model_statements:
        if s.op == "~" and s.lhs in ids and s.rhs in ids:
            predictors.setdefault(s.lhs, []).append(s.rhs)
    return predictors


def population_model(q: Questionnaire) -> PopulationModel:
    """The standardized population model implied by the questionnaire's structural paths.

    Built construct by construct in causal order: ``Cov(eta, .) = b 1' Cov(x, .)`` for an
    explained construct with predictors ``x``, whose residual is independent of everything
    defined before it. A model whose paths form a loop cannot be simulated (:class:`ModelError`).

    >>> from loyaltysurvey.datasets import crm_questionnaire
    >>> pop = population_model(crm_questionnaire())
    >>> round(pop.paths[("SAT", "LOY")], 4), round(float(pop.covariance.loc["KCF", "CRMO"]), 2)
    (0.6708, 0.4)
    >>> bool(np.allclose(np.diag(pop.covariance), 1.0))
    True
    """
    ids = [c.id for c in q.constructs]
    predictors = _structural(q)
    order: list[str] = [c for c in ids if c not in predictors]
    pending = [c for c in ids if c in predictors]
    while pending:
        ready = [c for c in pending if all(p in order for p in predictors[c])]
        if not ready:
            raise ModelError("the structural model's paths form a loop (" + ", ".join(pending)
                             + "); answers cannot be simulated from a non-recursive model")
        order.extend(ready)
        pending = [c for c in pending if c not in ready]
    index = {c: k for k, c in enumerate(order)}
    cov = np.zeros((len(order), len(order)))
    n_exo = len(ids) - len(predictors)
    cov[:n_exo, :n_exo] = EXOGENOUS_R
    np.fill_diagonal(cov, 1.0)
    paths: dict[tuple[str, str], float] = {}
    for c in order[n_exo:]:
        k = index[c]
        x = [index[p] for p in predictors[c]]
        b = float(np.sqrt(R2 / cov[np.ix_(x, x)].sum()))
        row = b * cov[x, :k].sum(axis=0)
        cov[k, :k] = cov[:k, k] = row
        paths.update({(p, c): b for p in predictors[c]})
    frame = pd.DataFrame(cov, index=order, columns=order).loc[ids, ids]
    return PopulationModel(frame, paths)


def _points(ystar: np.ndarray, lo: int, hi: int) -> np.ndarray:
    """Continuous responses cut into the points ``lo..hi`` (equal shares, shifted by :data:`SHIFT`)."""
    k = hi - lo + 1
    cuts = norm_ppf(np.arange(1, k) / k) - SHIFT
    return lo + np.searchsorted(cuts, ystar)


def simulate_responses(q: Questionnaire, n: int, seed: int = SEED, *, latent: bool = False
                       ) -> pd.DataFrame | tuple[pd.DataFrame, pd.DataFrame]:
    """``n`` simulated respondents: respondent id, demographics and every item, as answered.

    Drawn from :func:`population_model` as the module's description says; with ``latent=True``
    also the latent scores. The same ``seed`` gives the same answers.

    >>> from loyaltysurvey.datasets import crm_questionnaire
    >>> answers = simulate_responses(crm_questionnaire(), 40, seed=1)
    >>> answers.shape, bool(answers["KCF1"].between(1, 5).all())
    ((40, 30), True)
    """
    if n < 1:
        raise ValueError("n must be a positive number of respondents")
    rng = np.random.default_rng(seed)
    pop = population_model(q)
    ids = list(pop.covariance.index)
    eta = rng.multivariate_normal(np.zeros(len(ids)), pop.covariance.to_numpy(), size=n, method="cholesky")
    scores = pd.DataFrame(eta, columns=ids)
    columns: dict[str, object] = {}
    if q.respondent_id:
        columns[q.respondent_id] = [f"S{k:05d}" for k in range(1, n + 1)]
    for demo in q.demographics:
        codes = list(demo.values) or ["1", "2"]
        if demo.multiple:
            chosen = rng.random((n, len(codes))) < 0.4
            columns[demo.id] = [";".join(c for c, yes in zip(codes, row) if yes) or None for row in chosen]
            continue
        columns[demo.id] = rng.choice(codes, size=n).astype(int) if all(c.isdigit() for c in codes) \
            else rng.choice(codes, size=n)
    for construct in q.constructs:
        for k, item in enumerate(construct.items):
            lam = SINGLE_ITEM_LOADING if len(construct.items) == 1 else LOADINGS[k % len(LOADINGS)]
            ystar = lam * scores[construct.id].to_numpy() + np.sqrt(1 - lam * lam) * rng.normal(size=n)
            value = _points(ystar, item.scale.min, item.scale.max)
            columns[item.id] = item.scale.min + item.scale.max - value if item.reverse else value
    answers = pd.DataFrame(columns)
    return (answers, scores) if latent else answers
