"""PLSpredict (Shmueli et al., 2016, 2019): out-of-sample prediction of the endogenous indicators.

Rows are shuffled and cut into ``folds`` contiguous folds, ``reps`` times. For each
fold the model is estimated on the other folds; the held-out rows are standardized
with the training means and SDs, their construct scores are the training weights
applied to them, each endogenous construct is predicted from its direct
antecedents' scores with the training paths (the "direct antecedent" scheme), and
its indicators from the predicted score times the training loadings, back on the
original scale. The linear-model benchmark regresses each endogenous construct's
indicators on all other indicators. Predictions are averaged over repetitions;
``q2_predict = 1 - SSE_PLS / SSE_naive`` with the training-fold mean as the naive
prediction. Checked against seminr 2.3.2 ``predict_pls(technique = predict_DA)``.
"""

from __future__ import annotations

import numpy as np

from dataclasses import dataclass
from typing import Any

import pandas as pd

from .algorithm import PLSSpec, fit_pls, inner_structure

__all__ = ["PLSPrediction", "pls_predict"]


@dataclass(frozen=True)
class PLSPrediction:
    """PLSpredict results: per endogenous indicator ``pls_rmse, pls_mae, lm_rmse, lm_mae, q2_predict``.

    ``items`` maps an indicator name to those five numbers; ``folds``, ``reps`` and ``seed``
    are the settings of the run, ``scheme`` the prediction scheme (direct antecedents).
    An indicator predicted better by PLS than by the linear model has ``pls_rmse < lm_rmse``.
    """

    folds: int
    reps: int
    seed: int | None
    items: dict[str, dict[str, float]]
    scheme: str = "direct antecedents"

    @property
    def table(self) -> pd.DataFrame:
        """The results as a DataFrame: one row per indicator, one column per measure.

        >>> PLSPrediction(10, 10, 1, {"LOY1": {"pls_rmse": 1.0, "lm_rmse": 1.1}}).table.columns.tolist()
        ['pls_rmse', 'lm_rmse']
        """
        return pd.DataFrame.from_dict(self.items, orient="index")

    def to_json(self) -> dict[str, Any]:
        """The settings and the per-indicator measures as plain JSON types.

        The ``predict`` part of results.json's PLS-SEM section: ``folds, reps, seed, scheme, items``.
        """
        return {"folds": self.folds, "reps": self.reps, "seed": self.seed, "scheme": self.scheme,
                "items": {k: dict(v) for k, v in self.items.items()}}


def _folds(n: int, folds: int) -> np.ndarray:
    """Fold label of each position 0..n-1: equal-width bins over 1..n (R's cut(seq(1, n), folds))."""
    edges = np.linspace(1, n, folds + 1)
    edges[0] -= (n - 1) * 0.001  # R widens the range by 0.1% so that 1 falls in the first bin
    edges[-1] += (n - 1) * 0.001
    return np.clip(np.searchsorted(edges, np.arange(1, n + 1), side="left") - 1, 0, folds - 1)


def pls_predict(X: np.ndarray, spec: PLSSpec, indicators: list[str], folds: int = 10, reps: int = 10,
                seed: int | None = None) -> PLSPrediction:
    """PLSpredict of the endogenous constructs' indicators by ``folds``-fold cross-validation, ``reps`` times.

    ``X`` holds the raw indicators (columns named by ``indicators``, no missing values);
    ``seed`` fixes the random fold assignments. The procedure is the module's: for each
    held-out fold the PLS prediction (direct antecedents) and the linear-model benchmark are
    fitted on the other folds; errors are of the predictions averaged over repetitions, and
    ``q2_predict = 1 - SSE_PLS / SSE_naive`` against the training-fold mean. RMSE and MAE are
    checked against seminr 2.3.2 ``predict_pls(technique = predict_DA)`` on mobi (within the
    spread of seminr's own random folds) in tests/test_pls_reference.py.

    References: Shmueli et al. (2016); Shmueli et al. (2019).

    >>> import numpy as np
    >>> from loyaltysurvey.datasets import crm_pls
    >>> from loyaltysurvey.pls.algorithm import fit_pls
    >>> X, spec, items = crm_pls()
    >>> result = pls_predict(X, spec, items, folds=5, reps=2, seed=1)
    >>> round(result.items["LOY1"]["pls_rmse"], 3), round(result.items["LOY1"]["q2_predict"], 3)
    (1.05, 0.174)
    """
    n, p = X.shape
    K = len(spec.constructs)
    _, preds = inner_structure(spec)
    endogenous = [k for k in range(K) if preds[k]]
    exogenous = [k for k in range(K) if not preds[k]]
    endo_items = [c for k in endogenous for c in spec.blocks[k]]
    rng = np.random.default_rng(seed)
    labels = _folds(n, folds)
    pls_pred = np.zeros((reps, n, len(endo_items)))
    lm_pred = np.zeros_like(pls_pred)
    naive_pred = np.zeros_like(pls_pred)
    for r in range(reps):
        order = rng.permutation(n)
        for f in range(folds):
            test = order[labels == f]
            train = order[labels != f]
            Xtr, Xte = X[train], X[test]
            fit = fit_pls(Xtr, spec)
            mean, sd = Xtr.mean(axis=0), Xtr.std(axis=0, ddof=1)
            scores = ((Xte - mean) / sd) @ fit.weights
            predicted = scores @ fit.paths
            predicted[:, exogenous] = scores[:, exogenous]
            items = predicted @ fit.loadings.T * sd + mean
            pls_pred[r, test] = items[:, endo_items]
            naive_pred[r, test] = mean[endo_items]
            for k in endogenous:
                own = list(spec.blocks[k])
                others = [c for c in range(p) if c not in own]
                design = np.column_stack([np.ones(len(train)), Xtr[:, others]])
                beta = np.linalg.lstsq(design, Xtr[:, own], rcond=None)[0]
                cols = [endo_items.index(c) for c in own]
                lm_pred[r][np.ix_(test, cols)] = np.column_stack([np.ones(len(test)), Xte[:, others]]) @ beta
    actual = X[:, endo_items]
    out = {}
    for j, c in enumerate(endo_items):
        e_pls = actual[:, j] - pls_pred[:, :, j].mean(axis=0)
        e_lm = actual[:, j] - lm_pred[:, :, j].mean(axis=0)
        e_naive = actual[:, j] - naive_pred[:, :, j].mean(axis=0)
        out[indicators[c]] = {"pls_rmse": float(np.sqrt(np.mean(e_pls ** 2))), "pls_mae": float(np.mean(np.abs(e_pls))),
                              "lm_rmse": float(np.sqrt(np.mean(e_lm ** 2))), "lm_mae": float(np.mean(np.abs(e_lm))),
                              "q2_predict": float(1 - np.sum(e_pls ** 2) / np.sum(e_naive ** 2))}
    return PLSPrediction(folds, reps, seed, out)
