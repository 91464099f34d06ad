"""The chapter's CB-SEM fit table: the added indices, their thresholds and verdicts, and the two layouts.

The numbers are lavaan's (tests/test_fit_indices.py checks them); here the table is checked as a
reader gets it: which rows, in which order, with which threshold text and verdict, in English and
Persian, for ``--fit-layout compact`` (the default) and ``lisrel``.
"""

from __future__ import annotations

import pytest

import loyaltysurvey
from loyaltysurvey.datasets import holzinger_swineford, hs_questionnaire
from loyaltysurvey.errors import LoyaltySurveyError
from loyaltysurvey.report.build import build_report
from loyaltysurvey.settings import Settings
from loyaltysurvey.thresholds import FIT_RULES

from conftest import REPORT_DAY


@pytest.fixture(scope="module")
def studies():
    data = holzinger_swineford()[[f"x{i}" for i in range(1, 10)]]
    return {layout: loyaltysurvey.analyze(hs_questionnaire(), data, method="cb", fit_layout=layout)
            for layout in ("compact", "lisrel")}


def _fit_table(study, lang: str):
    report = build_report(study.results, lang, REPORT_DAY)
    return next(b for s in report.sections for b in s.blocks if getattr(b, "id", "") == "fit_measurement")


def test_compact_layout_lists_the_added_indices_with_verdicts(studies):
    table = _fit_table(studies["compact"], "en")
    assert list(table.columns) == ["Quantity", "Value", "Threshold", "Verdict"]
    rows = {r[0].value: r for r in table.rows}
    assert list(rows) == ["χ²", "df", "p (χ²)", "χ²/df", "CFI", "TLI (NNFI)", "RMSEA [90% CI]", "SRMR", "GFI", "AGFI",
                          "NFI", "IFI", "PNFI", "PGFI", "RMR", "ECVI"]
    fit = studies["compact"].results.cbsem.cfa.measures
    assert rows["IFI"][1].value == fit["ifi"] and rows["χ²/df"][1].value == fit["chisq_df"]
    # HS: IFI .931 -> acceptable; NNFI = TLI .896 -> poor; PNFI .605 and PGFI .503 pass .50
    assert [rows[k][3].value for k in ("IFI", "TLI (NNFI)", "PNFI", "PGFI")] == ["acceptable", "poor", "good", "good"]
    assert rows["TLI (NNFI)"][3].emphasis and not rows["IFI"][3].emphasis
    assert "Mulaik et al., 1989" in rows["PNFI"][2].value and "Hu & Bentler, 1999" in rows["IFI"][2].value
    for key in ("χ²", "df", "p (χ²)", "RMR", "ECVI"):  # no citable cut-off: no verdict
        assert rows[key][3].value == "—"


def test_lisrel_layout_in_persian(studies):
    table = _fit_table(studies["lisrel"], "fa")
    assert list(table.columns) == ["شاخص", "مقدار مطلوب", "مقدار مدل", "نتیجه"]
    labels = [r[0].value for r in table.rows]
    order = ["(RMSEA)", "(GFI)", "(AGFI)", "(PGFI)", "(NFI)", "(NNFI", "(PNFI)", "(CFI)", "(IFI)", "(RMR)", "(SRMR)",
             "(ECVI)"]
    positions = [next(i for i, label in enumerate(labels) if code in label) for code in order]
    assert positions == sorted(positions)  # LISREL's order
    nnfi = next(r for r in table.rows if "(NNFI" in r[0].value)
    fit = studies["lisrel"].results.cbsem.cfa.measures
    assert nnfi[2].value == fit["nnfi"] == fit["tli"] and nnfi[3].value == "نامناسب"
    assert "Hu & Bentler, 1999" in nnfi[1].value


def test_lisrel_layout_in_english(studies):
    table = _fit_table(studies["lisrel"], "en")
    assert list(table.columns) == ["Index", "Desired value", "Model value", "Result"]
    rows = {r[0].value: r for r in table.rows}
    assert rows["NNFI (TLI)"][3].value == "poor" and rows["IFI"][3].value == "acceptable"
    assert rows["RMR"][3].value == "—" and rows["ECVI"][3].value == "—"


def test_rules_of_the_added_indices():
    assert FIT_RULES["nnfi"] == FIT_RULES["tli"]  # NNFI is TLI: the same verdict
    assert FIT_RULES["ifi"].verdict(0.96) == "good" and FIT_RULES["ifi"].verdict(0.91) == "acceptable"
    assert FIT_RULES["pnfi"].verdict(0.49) == "poor" and FIT_RULES["pgfi"].verdict(0.50) == "good"
    assert "rmr" not in FIT_RULES and "ecvi" not in FIT_RULES


def test_fit_layout_setting(studies):
    assert studies["lisrel"].to_json()["meta"]["settings"]["fit_layout"] == "lisrel"
    assert Settings.resolve(hs_questionnaire()).fit_layout == "compact"
    with pytest.raises(LoyaltySurveyError, match="--fit-layout must be one of compact, lisrel"):
        Settings.resolve(hs_questionnaire(), fit_layout="wide")


@pytest.mark.parametrize("lang", ["en", "fa"])
def test_mlr_shows_and_judges_the_scaled_and_robust_indices(lang):
    """With --estimator MLR the table shows lavaan's scaled χ² and robust CFI, TLI and RMSEA (the
    values of results.json's chisq_scaled, cfi_robust, tli_robust, rmsea_robust, checked against
    lavaan in tests/test_fit_indices.py), judges those, and says so in a note; the methods speak of
    robust standard errors, and the terminal summary gives the robust indices too."""
    from loyaltysurvey.report.locale import load_locale
    from loyaltysurvey.thresholds import fit_verdict

    data = holzinger_swineford()[[f"x{i}" for i in range(1, 10)]]
    study = loyaltysurvey.analyze(hs_questionnaire(), data, method="cb", estimator="MLR")
    loc = load_locale(lang)
    fit = study.results.cbsem.cfa.measures
    table = _fit_table(study, lang)
    rows = {r[0].value: r for r in table.rows}
    for key, robust in (("chisq", "chisq_scaled"), ("cfi", "cfi_robust"), ("rmsea", "rmsea_robust")):
        row = rows[loc.t(f"fit_rows_robust.{key}")]
        assert row[1].value == fit[robust] and fit[robust] != fit[key]
        if key != "chisq":
            assert row[3].value == loc.t(f"verdict_fit.{fit_verdict(key, fit[robust])}")
    assert rows[loc.t("fit_rows_robust.tli_nnfi")][1].value == fit["tli_robust"]
    assert rows[loc.t("fit_rows_robust.chisq_df")][1].value == pytest.approx(fit["chisq_scaled"] / fit["df_scaled"])
    assert rows[loc.t("fit_rows.srmr")][1].value == fit["srmr"]
    assert table.notes == (loc.t("cfa.fit_robust_note", chisq=loc.num(fit["chisq"], "dec2"),
                                 factor=loc.num(fit["chisq_scaling_factor"], "dec3")),)
    methods = build_report(study.results, lang, REPORT_DAY).sections[0].blocks[1].text
    assert loc.t("methods.nobootstrap_robust_direct") in methods or loc.t("methods.nobootstrap_robust") in methods
    assert loc.t("methods.nobootstrap_direct") not in methods
    from pathlib import Path

    from loyaltysurvey.cli import _summary_lines
    fit_line = next(line for line in _summary_lines(study, Path("out")) if line.startswith("  fit: "))
    assert f"CFI (robust) {study.results.cbsem.sem.measures['cfi_robust'] if study.results.cbsem.sem else fit['cfi_robust']:.3f}" in fit_line


def test_mardia_paragraph_says_what_the_run_did_about_non_normality():
    """Mardia rejects multivariate normality on corp_rep: the paragraph advises MLR or the bootstrap
    under ML, and says MLR (or the bootstrap) was used when it was."""
    from pathlib import Path

    from conftest import SHARED_DATA
    from loyaltysurvey.report.locale import load_locale

    if not (SHARED_DATA / "corp_rep.csv").exists():
        pytest.skip("../shared/data is not present beside the project (CI always has it)")
    q = Path(__file__).resolve().parent / "questionnaires" / "corp_rep.yaml"
    loc = load_locale("en")
    for options, key in (({}, "mardia_bad"), ({"estimator": "MLR"}, "mardia_bad_mlr"),
                         ({"bootstrap": 20}, "mardia_bad_boot")):
        study = loyaltysurvey.analyze(q, SHARED_DATA / "corp_rep.csv", method="cb", **options)
        section = next(s for s in build_report(study.results, "en", REPORT_DAY).sections
                       if s.id == "multivariate_normality")
        opening = loc.data["screening"][key].split("{names}")[1].strip()  # all that follows the names
        assert opening in section.blocks[0].text, key
