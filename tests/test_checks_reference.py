"""Measurement checks and construct-level tests against R.

Reference: ``tests/reference/checks_reference.json`` from
``tests/reference/make_checks_reference.R`` (R 4.2.2, psych 2.2.9, lavaan 0.6.14, stats), on
psych's bfi (2,800 rows with missing answers), the bundled example as ingest cleans it,
HolzingerSwineford1939 (all 301 rows, its first 40 rows, and with holes placed completely at
random). Items are reverse-scored first; construct scores are item means when at least half
the items are answered. Tolerances per quantity:

* KMO, Bartlett, Harman, full-collinearity VIF, t-test, Wilcoxon and Friedman: closed-form
  statistics, 1e-10 relative (p-values 1e-12 absolute or 1e-9 relative); the Wilcoxon V and the
  missing counts exactly. (Achieved: 5e-14 relative or better.)
* Mardia: 1e-10 relative (b1p sums n² cubed terms; achieved 4e-14).
* Little's MCAR test: no installable R package provides it here, so the reference was computed
  in R from the definition with a base-R EM run to a change below 1e-13; our EM stops at 1e-12,
  so d² is compared at 1e-10 relative (achieved 1e-14). The script also records the statistic
  from lavaan's own EM estimates, which stop earlier: 1e-7 relative (achieved 2e-8).
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from loyaltysurvey.analysis.adequacy import bartlett_sphericity, full_collinearity_vif, harman_single_factor, kmo
from loyaltysurvey.analysis.location import friedman, one_sample_t, wilcoxon_signed_rank
from loyaltysurvey.analysis.missingness import little_mcar, missing_table
from loyaltysurvey.analysis.multinormal import mardia

from conftest import REFERENCE, ROOT

REF = json.loads((REFERENCE / "checks_reference.json").read_text())
CASES = REF["cases"]


def _scores(d: pd.DataFrame, blocks: dict[str, list[str]]) -> pd.DataFrame:
    """Construct scores bit for bit as R's rowMeans() gives them: the sum and the division in
    extended precision (R's LDOUBLE), then rounded to double. (For Likert answers, integers, this
    equals the package's construct_scores exactly; HolzingerSwineford's x1-x9 are not integers,
    and the Wilcoxon and Friedman ranks see ties only between bit-identical values, as R.)"""
    out = {}
    for cid, items in blocks.items():
        block = d[items].to_numpy(dtype=float)
        answered = (~np.isnan(block)).sum(axis=1)
        total = np.nansum(block.astype(np.longdouble), axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            score = (total / answered).astype(float)
        out[cid] = np.where(answered >= np.ceil(len(items) / 2), score, np.nan)
    return pd.DataFrame(out, index=d.index)


def _case(name: str):
    """(items, blocks, midpoint) exactly as the R script builds them."""
    if name == "bfi":
        d = pd.read_csv(REFERENCE / "data" / "bfi.csv")
        for item in ("A1", "C4", "C5", "E1", "E2", "O2", "O5"):
            d[item] = 7 - d[item]
        blocks = {s: [f"{s}{i}" for i in range(1, 6)] for s in "ACENO"}
        mid = 3.5
    elif name == "crm":
        d = pd.read_csv(REFERENCE / "data" / "crm_example_clean.csv")
        for item in ("KCF3", "KM2", "LOY4"):
            d[item] = 6 - d[item]
        blocks = {c: [x for x in d.columns if x.startswith(c) and x[len(c):].isdigit()]
                  for c in ("KCF", "CRMO", "KM", "TECH", "SAT", "LOY")}
        mid = 3.0
    else:
        d = pd.read_csv(ROOT / "src" / "loyaltysurvey" / "datasets" / "HolzingerSwineford1939.csv")
        if name == "hs40":
            d = d.iloc[:40]
        if name == "hs_holes":
            rows = np.arange(1, len(d) + 1)
            for j in range(1, 10):
                d.loc[(7 * rows + 13 * j) % 17 == 0, f"x{j}"] = np.nan
        blocks = {"visual": ["x1", "x2", "x3"], "textual": ["x4", "x5", "x6"], "speed": ["x7", "x8", "x9"]}
        mid = 5.0
    items = d[[i for b in blocks.values() for i in b]].astype(float)
    return items, blocks, mid


def close(value, ref, rel=1e-9, abs_=0.0):
    if ref is None:
        return value is None or np.isnan(value)
    return value == pytest.approx(ref, rel=rel, abs=abs_)


def p_close(value, ref):
    return close(value, ref, rel=1e-9, abs_=1e-12)


@pytest.fixture(scope="module", params=list(CASES))
def case(request):
    items, blocks, mid = _case(request.param)
    return request.param, items, blocks, mid, CASES[request.param]


def test_kmo_overall_items_and_constructs(case):
    _, items, blocks, _, ref = case
    res = kmo(items)
    assert close(res.overall, ref["kmo"]["overall"], 1e-10)
    for item, msa in ref["kmo"]["items"].items():
        assert close(float(res.items[item]), msa, 1e-10), item
    for cid, cref in ref["kmo"]["constructs"].items():
        sub = kmo(items[blocks[cid]])
        assert close(sub.overall, cref["overall"], 1e-10), cid
        assert np.allclose(sub.items.to_numpy(), [cref["items"][i] for i in blocks[cid]], rtol=1e-10, atol=0)


def test_bartlett_overall_and_constructs(case):
    _, items, blocks, _, ref = case
    for frame, r in [(items, ref["bartlett"])] + [(items[blocks[c]], v) for c, v in ref["bartlett"]["constructs"].items()]:
        res = bartlett_sphericity(frame)
        assert res["n"] == r["n"] and res["df"] == r["df"]
        assert close(res["chisq"], r["chisq"], 1e-10)
        assert p_close(res["pvalue"], r["pvalue"])


def test_harman_share_of_first_unrotated_component(case):
    _, items, _, _, ref = case
    res = harman_single_factor(items)
    assert close(res["first_factor_share"], ref["harman"]["first_factor_share"], 1e-10)
    assert close(res["first_factor_share"], ref["harman"]["proportion_var"], 1e-10)
    assert close(res["eigenvalue"], ref["harman"]["eigenvalue"], 1e-10)


def test_full_collinearity_vif_equals_lm(case):
    _, items, blocks, _, ref = case
    vif, n = full_collinearity_vif(_scores(items, blocks))
    assert n == ref["friedman"]["n"]  # both on the complete cases of the construct scores
    assert vif.keys() == ref["full_vif"].keys()
    for cid, v in ref["full_vif"].items():
        assert close(vif[cid], v, 1e-10), cid


def test_mardia(case):
    _, items, _, _, ref = case
    res, r = mardia(items), ref["mardia"]
    assert res["n"] == r["n"]
    for key in ("b1p", "b2p", "skew", "small_skew", "kurtosis"):
        assert close(res[key], r[key], 1e-10), key
    for key in ("skew_p", "small_skew_p", "kurtosis_p"):
        assert p_close(res[key], r[key]), key


def test_missing_counts(case):
    _, items, _, _, ref = case
    res = missing_table(items)
    assert {k: v["n_missing"] for k, v in res["items"].items()} == ref["missing"]["items"]
    assert {k: v["n"] for k, v in res["respondents"].items()} == ref["missing"]["respondents"]
    assert res["items"][items.columns[0]]["percent"] == pytest.approx(
        100 * ref["missing"]["items"][items.columns[0]] / len(items), rel=1e-12)


def test_little_mcar_from_its_definition(case):
    name, items, _, _, ref = case
    res, r = little_mcar(items), ref["mcar"]
    assert res["df"] == r["df"]
    if r["chisq"] is None:  # complete data: nothing to test
        assert np.isnan(res["chisq"]) and np.isnan(res["pvalue"])
        return
    assert res["patterns"] == r["patterns"]
    assert close(res["chisq"], r["chisq"], 1e-10)
    assert close(res["chisq"], r["d2_lavaan"], 1e-7)  # lavaan's EM stops earlier than ours
    assert p_close(res["pvalue"], r["pvalue"])


def test_one_sample_t_and_wilcoxon(case):
    _, items, blocks, mid, ref = case
    scores = _scores(items, blocks)
    for cid, r in ref["one_sample"].items():
        t = one_sample_t(scores[cid].to_numpy(), mid)
        assert t["n"] == r["n"] and t["df"] == r["df"]
        assert close(t["mean"], r["mean"], 1e-12)
        assert close(t["t"], r["t"], 1e-10)
        assert p_close(t["pvalue"], r["pvalue"])
        w = wilcoxon_signed_rank(scores[cid].to_numpy(), mid)
        assert w["v"] == r["wilcoxon_v"], cid
        assert w["exact"] == (r["wilcoxon_method"] == "Wilcoxon signed rank exact test")
        assert p_close(w["pvalue"], r["wilcoxon_p"]), cid


def test_both_wilcoxon_branches_are_covered():
    methods = {r["wilcoxon_method"] for c in CASES.values() for r in c["one_sample"].values()}
    assert methods == {"Wilcoxon signed rank exact test", "Wilcoxon signed rank test with continuity correction"}


def test_friedman(case):
    _, items, blocks, _, ref = case
    res, r = friedman(_scores(items, blocks)), ref["friedman"]
    assert res["n"] == r["n"] and res["df"] == r["df"]
    assert close(res["chisq"], r["chisq"], 1e-10)
    assert p_close(res["pvalue"], r["pvalue"])
    for cid, v in r["mean_ranks"].items():
        assert close(res["mean_ranks"][cid], v, 1e-12)
