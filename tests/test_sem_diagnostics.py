"""Diagnostics are reported, never silent: Heywood cases, under-identification, bad data, non-convergence."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from loyaltysurvey.cli import app
from loyaltysurvey.errors import DataError, ModelError, QuestionnaireError
from loyaltysurvey.sem import SEM
from loyaltysurvey.sem.estimate import fit_ml
from loyaltysurvey.sem.ram import RamModel
from loyaltysurvey.questionnaire import questionnaire_from_yaml


def _exact(cov: np.ndarray, n: int = 400, seed: int = 1) -> np.ndarray:
    """Data whose sample covariance (divisor n) is exactly ``cov``."""
    rng = np.random.default_rng(seed)
    z = rng.normal(size=(n, cov.shape[0]))
    z -= z.mean(axis=0)
    z = z @ np.linalg.inv(np.linalg.cholesky(z.T @ z / n)).T
    return z @ np.linalg.cholesky(cov).T


def test_heywood_case_is_reported():
    # r12 r13 / r23 = .64 / .45 > 1: the first loading squared exceeds the variance.
    cov = np.array([[1.0, 0.8, 0.8], [0.8, 1.0, 0.45], [0.8, 0.45, 1.0]])
    data = pd.DataFrame(_exact(cov), columns=["x1", "x2", "x3"])
    result = SEM("F =~ x1 + x2 + x3").fit(data)
    est = result.params.set_index(["lhs", "op", "rhs"])
    assert est.loc[("x1", "~~", "x1"), "est"] == pytest.approx(1 - 0.64 / 0.45, abs=1e-6)
    notice = [n for n in result.notices if n.code == "heywood"]
    assert notice and notice[0].subject == "x1" and "negative" in notice[0].message


def test_non_convergence_is_reported():
    data = pd.DataFrame(_exact(np.eye(3) * 0.5 + 0.5), columns=["x1", "x2", "x3"])
    sem = SEM("F =~ x1 + x2 + x3")
    model = RamModel.from_table(sem.table)
    solution = fit_ml(model, np.cov(data.T, ddof=0), max_iter=1, start=np.ones(sem.table.n_free) * 5)
    assert not solution.converged
    result = sem._results(model, solution, np.cov(data.T, ddof=0), data.mean().to_numpy(), len(data))
    assert any(n.code == "not_converged" for n in result.notices)


def test_under_identified_model_is_refused_with_its_line():
    text = ("id: u\nscale: {min: 1, max: 5}\nconstructs:\n  - {id: A, items: [A1, A2]}\n  - {id: B, items: [B1]}\n"
            "model: |\n  B ~ A\n  A1 ~~ B1\n  A2 ~~ B1\n  A1 ~~ A2\n")
    with pytest.raises(QuestionnaireError, match="under-identified") as err:
        questionnaire_from_yaml(text, source="u.yaml")
    assert err.value.line == 6


def test_latent_without_scale_is_a_model_error():
    with pytest.raises(ModelError, match="no scale"):
        SEM("F =~ NA*x1 + x2 + x3 + x4")


def test_singular_data_is_a_data_error():
    x = np.random.default_rng(3).normal(size=(50, 2))
    data = pd.DataFrame({"x1": x[:, 0], "x2": x[:, 1], "x3": x[:, 0] + x[:, 1]})
    with pytest.raises(DataError, match="not positive definite"):
        SEM("F =~ x1 + x2 + x3").fit(data)


def test_zero_variance_item_is_a_warning_in_results_and_report(tmp_path):
    rng = np.random.default_rng(5)
    eta = rng.normal(size=(120, 2))
    rows = {}
    for f, c in enumerate("AB"):
        for i in range(1, 4):
            rows[f"{c}{i}"] = np.clip(np.round(3 + eta[:, f] + rng.normal(scale=0.7, size=120)), 1, 5)
    rows["A3"] = np.full(120, 3.0)
    frame = pd.DataFrame(rows)
    frame.insert(0, "rid", [f"R{i}" for i in range(120)])
    data = tmp_path / "d.csv"
    frame.to_csv(data, index=False)
    q = tmp_path / "q.yaml"
    q.write_text(yaml.safe_dump({"id": "z", "scale": {"min": 1, "max": 5}, "respondent_id": "rid",
                                 "constructs": [{"id": "A", "items": ["A1", "A2", "A3"]},
                                                {"id": "B", "items": ["B1", "B2", "B3"]}],
                                 "model": "B ~ A"}), encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["analyze", str(q), str(data), "--out", str(out), "--lang", "en"])
    assert result.exit_code == 0, result.stderr
    import json
    results = json.loads((out / "results.json").read_text(encoding="utf-8"))
    codes = {w["code"] for w in results["warnings"]}
    assert {"zero_variance", "cfa_failed", "sem_failed", "pls_failed"} <= codes
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "Every respondent gave item A3 the same answer" in html  # the chapter's own sentence
    assert "could not be estimated: 'A3' has zero variance" in result.stderr  # the reason, in the run's summary
