"""Respondent screening (loyaltysurvey.ingest.screening): every flag on data built to have known
flagged respondents, the indices against R, exclusions in the ledger, and the options.

References: tests/reference/screening_reference.json, written by
tests/reference/make_screening_reference.R (R's rle(), sd(), mahalanobis(), pchisq(); careless's
definitions of longstring and IRV, since careless itself is not installable here).
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.spatial.distance import mahalanobis as scipy_mahalanobis
from typer.testing import CliRunner

import loyaltysurvey
from loyaltysurvey.cli import app
from loyaltysurvey.datasets import crm_export, crm_questionnaire
from loyaltysurvey.errors import LoyaltySurveyError, QuestionnaireError
from loyaltysurvey.ingest import ScreeningOptions, ingest, screen
from loyaltysurvey.ingest.screening import FLAGS, irv, longstring, mahalanobis
from loyaltysurvey.questionnaire import questionnaire_from_yaml

ROOT = Path(__file__).resolve().parent
REFERENCE = json.loads((ROOT / "reference" / "screening_reference.json").read_text(encoding="utf-8"))
runner = CliRunner()


# ----------------------------------------------------------------------------- the indices by hand
def test_longstring_by_hand():
    # Longest runs counted by hand: [1,1,2,2,2,3] -> 3; [4,4,NA,4,4,4] -> 3 (NA breaks the run, as
    # R's rle() does); [5,4,3,2,1,1] -> 2; [2,2,2,2,2,2] -> 6; [1,NA,1,NA,1,NA] -> 1.
    x = np.array([[1, 1, 2, 2, 2, 3], [4, 4, np.nan, 4, 4, 4], [5, 4, 3, 2, 1, 1], [2] * 6,
                  [1, np.nan, 1, np.nan, 1, np.nan]], dtype=float)
    assert longstring(x).tolist() == [3, 3, 2, 6, 1]


def test_irv_by_hand():
    # Sample SDs by hand: [1..5] -> sqrt(10/4); [2,4,NA,NA] -> sqrt(2); [3,3,3] -> 0; one answer -> NA.
    x = np.array([[1, 2, 3, 4, 5], [2, 4, np.nan, np.nan, np.nan], [3, 3, 3, np.nan, np.nan],
                  [5, np.nan, np.nan, np.nan, np.nan]], dtype=float)
    got = irv(x)
    assert got[0] == pytest.approx(math.sqrt(2.5), abs=1e-15)
    assert got[1] == pytest.approx(math.sqrt(2.0), abs=1e-15)
    assert got[2] == 0.0 and math.isnan(got[3])


def test_mahalanobis_against_scipy_and_by_hand():
    # Two variables: x = (1..5), y = (2,1,5,3,4); means (3, 3); cov = [[2.5, 1.5], [1.5, 2.5]]
    # (by hand), inverse = [[2.5, -1.5], [-1.5, 2.5]] / 4; row 3 (3,5): d = (0, 2) -> D² = 4*2.5/4 = 2.5.
    x = np.array([[1., 2], [2, 1], [3, 5], [4, 3], [5, 4], [np.nan, 1]])
    d2, p, n, problem = mahalanobis(x)
    assert problem is None and n == 5 and math.isnan(d2[5]) and math.isnan(p[5])
    assert d2[2] == pytest.approx(2.5, abs=1e-12)
    vi = np.linalg.inv(np.cov(x[:5].T))  # scipy's own implementation, an independent computation
    for r in range(5):
        assert d2[r] == pytest.approx(scipy_mahalanobis(x[r], x[:5].mean(axis=0), vi) ** 2, rel=1e-12)
    assert p[2] == pytest.approx(math.exp(-2.5 / 2), rel=1e-12)  # chi-square with 2 df: p = exp(-D²/2)


def test_duplicates_and_irv_equal_pandas_on_many_rows():
    """duplicate_of against pandas' exact grouping (first row of each group of equal rows, NaN
    equal to NaN, -0.0 equal to 0.0, e-mail compared too), and irv against pandas' row-wise std
    (ddof 1, NaN skipped), on rows with many repeats and missing cells."""
    from loyaltysurvey.ingest.screening import duplicate_of
    rng = np.random.default_rng(7)
    x = rng.integers(1, 4, size=(3000, 4)).astype(float)
    x[rng.random(x.shape) < 0.1] = np.nan
    x[5, 0], x[6, 0] = -0.0, 0.0
    x[6, 1:] = x[5, 1:]
    ids = np.array([f"r{k}" for k in range(len(x))], dtype=object)
    email = pd.DataFrame({"email": rng.choice(["a@x", "b@x", None], size=len(x))})
    for meta in (None, email):
        frame = pd.DataFrame(np.where(np.isnan(x), -np.inf, x) + 0.0)
        if meta is not None:
            frame["email"] = meta["email"].fillna("")
        group = frame.groupby(list(frame.columns), sort=False, dropna=False).ngroup().to_numpy()
        first = {}
        expected = [None if first.setdefault(g, ids[r]) == ids[r] else first[g] for r, g in enumerate(group)]
        assert duplicate_of(x, ids, meta).tolist() == expected
    assert duplicate_of(x, ids)[6] == "r5"
    np.testing.assert_allclose(irv(x), pd.DataFrame(x).std(axis=1, ddof=1).where(
        (~np.isnan(x)).sum(axis=1) >= 2).to_numpy(), rtol=1e-13, atol=1e-15)


def test_mahalanobis_not_computable():
    x = np.array([[1., 2, 3], [2, 4, 6], [3, 6, 9], [1, 1, 1], [2, 2, 2]])[:, :2]
    x = np.column_stack([x, 2 * x[:, 0]])  # the third column is twice the first: singular
    assert mahalanobis(x)[3] == "singular_covariance"
    assert mahalanobis(x[:3])[3] == "too_few_complete"


# ----------------------------------------------------------------------------- against R
def _check_against_r(table: pd.DataFrame, ref: dict, label: str) -> None:
    """longstring exactly; IRV to 1e-13 absolute; D² to 1e-12 relative and its p-value to 1e-11
    relative (R's rle(), sd(), mahalanobis() and pchisq(), tests/reference/screening_reference.json;
    measured: IRV 4.4e-16, D² 6.4e-15, p 8.8e-14)."""
    assert table["longest_run"].tolist() == ref["longstring"], label
    ours, theirs = table["within_sd"].to_numpy(), np.array([np.nan if v is None else v for v in ref["irv"]])
    assert np.array_equal(np.isnan(ours), np.isnan(theirs)), label
    assert np.nanmax(np.abs(ours - theirs)) < 1e-13, label
    d2, rd2 = table["d2"].to_numpy(), np.array([np.nan if v is None else v for v in ref["d2"]])
    assert np.array_equal(np.isnan(d2), np.isnan(rd2)), label
    ok = ~np.isnan(rd2)
    assert np.max(np.abs(d2[ok] - rd2[ok]) / rd2[ok]) < 1e-12, label
    p, rp = table["d2_p"].to_numpy()[ok], np.array([v for v in ref["p"] if v is not None])
    assert np.max(np.abs(p - rp) / rp) < 1e-11, label
    for flag in ("longstring", "irv", "outliers"):  # flagged rows (1-based) identical
        assert (np.flatnonzero(table[flag].to_numpy()) + 1).tolist() == ref["flagged"][flag], (label, flag)


def test_bundled_example_against_r():
    result = ingest(crm_questionnaire(), crm_export())
    ref = REFERENCE["crm"]
    table = result.screening.table
    assert list(table.index) == ref["ids"]
    assert result.screening.flags["outliers"].params["n_complete"] == ref["n_complete"]
    assert result.screening.flags["outliers"].params["critical_d2"] == pytest.approx(ref["critical_d2"], rel=1e-12)
    _check_against_r(table, ref, "crm")
    # the older straight-liner list is the IRV = 0 case (all answered here)
    assert result.ledger.straightliners == result.screening.flags["irv"].respondents


def test_bfi_against_r():
    ref = REFERENCE["bfi"]
    bfi = pd.read_csv(ROOT / "reference" / "data" / "bfi.csv")[ref["items"]].astype(float)
    s = screen(bfi)
    assert len(ref["flagged"]["outliers"]) == 84  # the reference does flag some: the comparison can fail
    _check_against_r(s.table, ref, "bfi")


# ----------------------------------------------------------------------------- each flag on built data
YAML = """\
id: screening-test
scale: {min: 1, max: 5, labels: {en: [Strongly disagree, Disagree, Neutral, Agree, Strongly agree]}}
respondent_id: rid
constructs:
  - {id: A, items: [A1, A2, A3, A4]}
  - {id: B, items: [B1, B2, B3, B4]}
attention:
  - {item: ATT1, expect: 2, column: "Please choose Disagree"}
metadata: {duration: "Duration (in seconds)", finished: Finished, progress: Progress, preview: Status, email: Email}
"""


def _rows() -> list[list]:
    """20 respondents with varied answers; the ones built to be flagged are changed in the tests."""
    rng = np.random.default_rng(7)
    out = []
    for i in range(20):
        factors = rng.normal(size=2)  # one factor per construct, so that the CFA is quick
        answers = [int(min(5, max(1, round(3 + 1.2 * factors[j // 4] + 0.8 * rng.normal())))) for j in range(8)]
        for j in range(1, 8):  # no two neighbours equal: longest run 1 and IRV > 0 by construction
            if answers[j] == answers[j - 1]:
                answers[j] += 1 if answers[j] < 5 else -1
        out.append([f"P{i + 1}", *answers, 2, 300 + 10 * i, "TRUE", 100, "0", f"p{i + 1}@example.org"])
    return out


HEADER = ["rid", "A1", "A2", "A3", "A4", "B1", "B2", "B3", "B4", "Please choose Disagree",
          "Duration (in seconds)", "Finished", "Progress", "Status", "Email"]


def _frame(rows) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=HEADER).astype(object)


def _built():
    rows = _rows()
    rows[2][10] = 100          # P3: speeder (median of the 20 durations is 395; half is 197.5)
    rows[3][1:9] = [4, 4, 4, 4, 4, 2, 1, 3]   # P4: longstring 5 > 3 (8 items: max 3)
    rows[4][1:9] = [3] * 8     # P5: straight line: longstring 8 and IRV 0
    rows[5][9] = "Agree"       # P6: attention failed (Agree = 4, expected 2)
    rows[6][9] = ""            # P7: attention unanswered: failed
    rows[7][9] = "Disagree"    # P8: the label of 2 passes
    rows[8][1:9] = rows[0][1:9]  # P9: same answers as P1 but another e-mail: not a duplicate
    rows[9][1:9] = rows[1][1:9]  # P10: same answers and e-mail as P2 (e-mail in capitals): duplicate
    rows[9][14] = "P2@Example.org "
    rows[10][13] = "1"         # P11: preview
    rows[11][11] = "FALSE"     # P12: not finished
    rows[12][12] = "85"        # P13: progress 85
    return rows


@pytest.fixture(scope="module")
def q():
    return questionnaire_from_yaml(YAML)


def test_each_flag_on_built_data(q):
    result = ingest(q, _frame(_built()))
    flags = result.screening.flags
    assert flags["speeders"].respondents == ("P3",)
    assert flags["speeders"].params["median"] == 395.0 and flags["speeders"].threshold == 197.5
    assert flags["longstring"].respondents == ("P4", "P5") and flags["longstring"].threshold == 3
    assert flags["irv"].respondents == ("P5",)
    assert flags["attention"].respondents == ("P6", "P7")
    assert result.screening.table.loc["P8", "attention_failed"] == 0
    assert flags["duplicates"].respondents == ("P10",)
    assert result.screening.table.loc["P10", "duplicate_of"] == "P2"
    assert flags["preview"].respondents == ("P11",)
    assert flags["incomplete"].respondents == ("P12", "P13")
    assert all(flags[f].available for f in FLAGS)
    assert result.ledger.respondents == 20 and not result.ledger.excluded  # flagged, not excluded
    assert result.metadata["duration"].dtype == float and result.metadata.loc["P13", "progress"] == 85.0
    assert result.metadata["finished"].tolist().count(False) == 1


def test_speeder_seconds_and_thresholds(q):
    rows = _built()
    opts = ScreeningOptions(speeder_seconds=320, longstring_max=4, irv_min=0.5)
    flags = ingest(q, _frame(rows), screening=opts).screening.flags
    # durations below 320 s: P1 (300), P2 (310), P3 (100)
    assert flags["speeders"].respondents == ("P1", "P2", "P3") and flags["speeders"].rule == "duration_below_seconds"
    assert flags["longstring"].respondents == ("P4", "P5")   # runs 5 and 8 > 4
    sds = irv(_frame(rows).iloc[:, 1:9].to_numpy(dtype=float))
    expected = tuple(f"P{i + 1}" for i in np.flatnonzero(sds <= 0.5))
    assert flags["irv"].respondents == expected and "P5" in expected


def test_duplicates_without_email_match_on_answers_alone():
    x = pd.DataFrame([[1, 2, 3], [1, 2, 3], [3, 2, 1], [1, 2, 3]], index=["a", "b", "c", "d"], dtype=float)
    s = screen(x)
    assert s.flags["duplicates"].respondents == ("b", "d")
    assert s.table["duplicate_of"].tolist() == [None, "a", None, "a"]


def test_exclusions_in_the_ledger(q):
    rows = _built()
    result = ingest(q, _frame(rows), screening=ScreeningOptions.parse("speeders,attention,incomplete"))
    led = result.ledger
    assert led.input_rows == led.respondents + len(led.excluded)
    assert led.respondents == 15
    got = {e["respondent_id"]: (e["row"], e["reason"], e["flags"]) for e in led.excluded}
    assert got == {"P3": (3, "speeder", ["speeders"]), "P6": (6, "failed_attention", ["attention"]),
                   "P7": (7, "failed_attention", ["attention"]), "P12": (12, "incomplete", ["incomplete"]),
                   "P13": (13, "incomplete", ["incomplete"])}
    assert not {"P3", "P6", "P7", "P12", "P13"} & set(result.responses.index)
    assert list(result.metadata.index) == list(result.responses.index)
    screening = led.to_json()["screening"]
    assert screening["excluded"] == 5 and screening["screened"] == 20
    assert screening["flags"]["speeders"]["excluded"] and not screening["flags"]["longstring"]["excluded"]
    assert screening["flags"]["longstring"]["respondents"] == ["P4", "P5"]  # flagged, kept
    # the cells of the kept rows only: P6's "Agree" was an attention answer, no item cell; the
    # labels counted are those of kept rows (none here)
    assert led.recoded_cells["text_labels"] == 0


def test_one_respondent_under_two_excluding_flags(q):
    rows = _built()
    rows[4][10] = 50  # P5, the straight-liner, is also a speeder
    led = ingest(q, _frame(rows), screening=ScreeningOptions.parse(["longstring", "speeders"])).ledger
    p5 = [e for e in led.excluded if e["respondent_id"] == "P5"]
    assert p5 == [{"row": 5, "respondent_id": "P5", "reason": "speeder", "flags": ["speeders", "longstring"]}]
    assert led.input_rows == led.respondents + len(led.excluded) == 20


def test_excluding_an_unavailable_flag_is_an_error():
    with pytest.raises(LoyaltySurveyError, match="--exclude speeders: the export has no completion time"):
        ingest(crm_questionnaire(), crm_export(), exclude="speeders")


def test_bad_options():
    with pytest.raises(LoyaltySurveyError, match="--exclude takes speeders, .* not 'fast'"):
        ScreeningOptions.parse("speeders,fast")
    with pytest.raises(LoyaltySurveyError, match="--speeder-share"):
        ScreeningOptions(speeder_share=1.5)
    with pytest.raises(LoyaltySurveyError, match="--longstring-max"):
        ScreeningOptions(longstring_max=0)


# ----------------------------------------------------------------------------- questionnaire keys
@pytest.mark.parametrize("line, message, lineno", [
    ("  - {item: ATT1, expect: 7}", "expect of ATT1 must be points of its 1-5 scale", 8),
    ("  - {item: A1, expect: 2}", "the id 'A1' is used twice", 8),
    ("  - {item: ATT1}", "attention check ATT1 needs 'expect'", 8),
    ("  - {item: ATT1, expect: 2, weight: 1}", "unknown key 'weight'", 8),
])
def test_attention_validation_names_the_line(line, message, lineno):
    text = YAML.replace('  - {item: ATT1, expect: 2, column: "Please choose Disagree"}', line)
    with pytest.raises(QuestionnaireError, match=message) as info:
        questionnaire_from_yaml(text, source="q.yaml")
    assert info.value.line == lineno


def test_metadata_validation_names_the_line():
    text = YAML.replace("preview: Status", "speed: Status")
    with pytest.raises(QuestionnaireError, match="metadata role 'speed' is not one of") as info:
        questionnaire_from_yaml(text, source="q.yaml")
    assert info.value.line == 9


def test_attention_item_outside_the_constructs(q):
    assert "ATT1" not in q.item_ids and q.attention[0].expect == (2.0,)
    assert dict(q.metadata_columns)["duration"] == "Duration (in seconds)"


# ----------------------------------------------------------------------------- CLI and API
def _files(tmp_path: Path) -> tuple[Path, Path]:
    yaml_path = tmp_path / "q.yaml"
    yaml_path.write_text(YAML, encoding="utf-8")
    data = tmp_path / "data.csv"
    _frame(_built()).to_csv(data, index=False)
    return yaml_path, data


def test_cli_ingest_exclude(tmp_path):
    yaml_path, data = _files(tmp_path)
    res = runner.invoke(app, ["ingest", str(yaml_path), str(data), "--out", str(tmp_path / "out"),
                              "--exclude", "preview,duplicates", "--speeder-share", "0.3"])
    assert res.exit_code == 0, res.output
    ledger = json.loads((tmp_path / "out" / "ingest.json").read_text(encoding="utf-8"))
    assert [(e["respondent_id"], e["reason"]) for e in ledger["excluded"]] == [("P10", "duplicate_answers"),
                                                                              ("P11", "preview")]
    assert ledger["input_rows"] == ledger["respondents"] + len(ledger["excluded"]) == 20
    assert ledger["screening"]["options"]["speeder_share"] == 0.3
    assert ledger["screening"]["flags"]["speeders"]["threshold"] == pytest.approx(0.3 * 395)
    clean = pd.read_csv(tmp_path / "out" / "clean.csv")
    assert len(clean) == 18 and not {"P10", "P11"} & set(clean["rid"])


@pytest.mark.parametrize("args, message", [
    (["--exclude", "speeders,bogus"], "--exclude takes speeders, longstring, irv, attention, duplicates, preview, "
                                      "incomplete, outliers (comma-separated), not 'bogus'"),
    (["--speeder-share", "2"], "--speeder-share must lie between 0 and 1"),
])
@pytest.mark.parametrize("command", ["ingest", "analyze"])
def test_cli_bad_exclude_exits_2_with_one_line(tmp_path, args, message, command):
    yaml_path, data = _files(tmp_path)
    res = runner.invoke(app, [command, str(yaml_path), str(data), "--out", str(tmp_path / "out"), *args])
    assert res.exit_code == 2
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0] and "Traceback" not in res.output
    assert not (tmp_path / "out").exists()


def test_cli_exclude_unavailable_exits_2(tmp_path):
    yaml_path, data = _files(tmp_path)
    yaml_path.write_text(YAML.split("attention:")[0], encoding="utf-8")  # no attention checks, no metadata
    res = runner.invoke(app, ["ingest", str(yaml_path), str(data), "--out", str(tmp_path / "out"),
                              "--exclude", "attention"])
    assert res.exit_code == 2
    assert res.stderr.strip().splitlines() == [
        "loyaltysurvey: --exclude attention: the questionnaire declares no attention check ('attention: "
        "[{item: ATT1, expect: 2}]')"]


def test_api_analyze_exclude():
    study = loyaltysurvey.analyze(crm_questionnaire(), crm_export(), method="cb", exclude=["longstring"])
    payload = study.to_json()
    assert payload["meta"]["settings"]["exclude"] == ["longstring"]
    assert payload["screening"]["excluded"] == 3 and payload["screening"]["counts"]["longstring"] == 3
    assert payload["screening"]["counts"]["duplicates"] == 2 and not payload["screening"]["flags"]["irv"]["excluded"]
    led = payload["ingest"]
    assert led["respondents"] == 417 and led["input_rows"] == led["respondents"] + len(led["excluded"])
    assert {e["respondent_id"] for e in led["excluded"] if e["reason"] == "longstring"} == {"R0165", "R0245", "R0371"}
    assert study.n == 417 and int(study.cfa.nobs) <= 417
    assert study.screening.loc["R0165", "excluded"] and study.screening["excluded"].sum() == 3


def _quality_rows(questionnaire, rows, settings, lang):
    from loyaltysurvey.analysis.pipeline import analyze_responses
    from loyaltysurvey.report import build_report

    data = ingest(questionnaire, _frame(rows), screening=settings.screening)
    report = build_report(analyze_responses(data, settings), lang)
    section = next(s for s in report.sections if s.id == "data_quality")
    table = next(b for b in section.blocks if getattr(b, "id", "") == "data_quality")
    return table.rows, report.references


@pytest.mark.parametrize("lang, action, not_computed, reference", [
    ("en", "excluded", "not computed", "Johnson, J. A. (2005)"),
    ("fa", "حذف‌شده", "محاسبه‌نشده", "Curran, P. G. (2016)"),
])
def test_chapter_data_quality_table(q, lang, action, not_computed, reference):
    from loyaltysurvey.settings import Settings

    rows, references = _quality_rows(q, _built(), Settings.resolve(q, method="cb", exclude="longstring"), lang)
    assert len(rows) == len(FLAGS)
    flagged = [r[3].value for r in rows]
    assert flagged == [1, 2, 1, 2, 1, 1, 2, flagged[-1]]  # speeders ... incomplete, as built above
    actions = [r[4].value for r in rows]
    assert actions[1] == action and actions.count(action) == 1
    assert not_computed not in actions  # every flag has its data here
    refs = " ".join(references)
    assert reference in refs and "Leiner, D. J. (2019)" in refs and "Meade, A. W." in refs
    # without attention items and metadata: those flags are not computed, and their works not cited
    bare = questionnaire_from_yaml(YAML.split("attention:")[0])
    rows, references = _quality_rows(bare, _built(), Settings.resolve(bare, method="cb"), lang)
    actions = [r[4].value for r in rows]
    assert [a == not_computed for a in actions] == [True, False, False, True, False, True, True, False]
    assert "Leiner" not in " ".join(references) and "Meade" not in " ".join(references)


def test_duration_from_start_and_end_and_unreadable_metadata():
    text = YAML.split("attention:")[0] + "metadata: {start: Start, end: End, progress: Progress}\n"
    q = questionnaire_from_yaml(text)
    rows = [[f"P{i}", *([1, 2, 3, 4, 5, 4, 3, 2] if i % 2 else [2, 3, 4, 5, 4, 3, 2, 1]),
             f"2026-05-01 10:00:00", f"2026-05-01 10:{10 + i:02d}:00", "۱۰۰"] for i in range(1, 11)]
    rows[0][10] = "2026-05-01 10:01:30"  # P1: 90 s; P2..P10 12..20 minutes (median (900 + 960) / 2 = 930 s)
    rows[1][11] = "abc"                  # P2: unreadable progress
    frame = pd.DataFrame(rows, columns=["rid", "A1", "A2", "A3", "A4", "B1", "B2", "B3", "B4", "Start", "End",
                                        "Progress"])
    result = ingest(q, frame)
    assert result.metadata["duration"].tolist()[:3] == [90.0, 720.0, 780.0]
    assert result.metadata.loc["P3", "progress"] == 100.0  # Persian digits read
    flags = result.screening.flags
    assert flags["speeders"].respondents == ("P1",) and flags["speeders"].params["median"] == 930.0
    assert flags["incomplete"].respondents == ()      # an unreadable progress is missing, not < 100
    notice = next(n for n in result.warnings if n.code == "metadata_unreadable")
    assert dict(notice.params) == {"n": 1, "role": "progress", "column": "Progress", "row": 2}


def test_readable_metadata_of_a_csv_file_raise_no_notice(tmp_path):
    """Read from a file, a column's dictionary also holds its header ("End"), which no row uses:
    a column whose every cell reads is not reported as holding 0 unreadable cells (it was)."""
    text = YAML.split("attention:")[0] + "metadata: {start: Start, end: End}\n"
    q = questionnaire_from_yaml(text)
    rows = [[f"P{i}", *([1, 2, 3, 4, 5, 4, 3, 2] if i % 2 else [2, 3, 4, 5, 4, 3, 2, 1]),
             "03/01/2026 10:00:00", f"03/01/2026 10:{10 + i:02d}:00"] for i in range(1, 11)]
    frame = pd.DataFrame(rows, columns=["rid", "A1", "A2", "A3", "A4", "B1", "B2", "B3", "B4", "Start", "End"])
    path = tmp_path / "export.csv"
    frame.to_csv(path, index=False)
    result = ingest(q, path)
    assert result.metadata["duration"].notna().all()
    assert not [n for n in result.warnings if n.code == "metadata_unreadable"]
    frame.loc[3, "End"] = "yesterday"
    frame.to_csv(path, index=False)
    notice = next(n for n in ingest(q, path).warnings if n.code == "metadata_unreadable")
    assert dict(notice.params) == {"n": 1, "role": "end", "column": "End", "row": 4}


def test_builder_makes_the_same_screening_keys(q):
    from loyaltysurvey.questionnaire import QuestionnaireBuilder

    built = (QuestionnaireBuilder("screening-test", scale=(1, 5), respondent_id="rid",
                                  labels={"en": ["Strongly disagree", "Disagree", "Neutral", "Agree", "Strongly agree"]})
             .construct("A", None, ["A1", "A2", "A3", "A4"]).construct("B", None, ["B1", "B2", "B3", "B4"])
             .attention("ATT1", 2, column="Please choose Disagree")
             .metadata(duration="Duration (in seconds)", finished="Finished", progress="Progress", preview="Status",
                       email="Email")
             .build())
    assert built.attention == q.attention and dict(built.metadata_columns) == dict(q.metadata_columns)
    assert ingest(built, _frame(_built())).screening.flags["attention"].respondents == ("P6", "P7")


def test_indices_in_two_threads_equal_one_thread(monkeypatch):
    """A large export computes Mahalanobis D² in a second thread: the same table as one thread gives."""
    import loyaltysurvey.ingest.screening as screening
    frame = pd.DataFrame(np.random.default_rng(3).integers(1, 6, size=(400, 6)), dtype=float,
                         index=[f"r{k}" for k in range(400)])
    frame.iloc[::7, 2] = np.nan
    one = screen(frame).table
    monkeypatch.setattr(screening, "PARALLEL_CELLS", 10)
    two = screen(frame).table
    pd.testing.assert_frame_equal(one, two)
