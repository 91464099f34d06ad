"""A value next to its threshold is printed with the digits that show which side it is on.

An NFI of .8997 rounds to .900 at three decimals; printed so beside "poor" (NFI ≥ .90) a reader
sees a contradiction. The chapter prints such a value with one more decimal (up to six) wherever
a threshold judges it: fit indices, alpha, loadings, CR, AVE, HTMT, VIF, Q², skewness. Checked
by definition (the verdict of the printed number equals the verdict of the value).
"""

from __future__ import annotations

from datetime import date

import pytest

from loyaltysurvey.report.build import _Builder
from loyaltysurvey.report.locale import decisive_format as _decisive, load_locale
from loyaltysurvey.thresholds import ALPHA, HTMT, LOADING_PLS, VIF, fit_verdict


@pytest.mark.parametrize("fmt, value, judge, expected", [
    ("r3", 0.89967, lambda v: fit_verdict("nfi", v), "r4"),
    ("r3", 0.9123, lambda v: fit_verdict("nfi", v), "r3"),
    ("r", 0.6981, ALPHA.passes, "r3"),
    ("r", 0.69996, ALPHA.passes, "r5"),
    ("r", 0.70, ALPHA.passes, "r"),
    ("r3", 0.70755, LOADING_PLS.passes, "r4"),
    ("r3", 0.8503, HTMT.passes, "r4"),
    ("dec2", 4.996, VIF.passes, "dec3"),
    ("dec2", 4.9, VIF.passes, "dec2"),
    ("p", 0.0499, ALPHA.passes, "p"),  # not a decimal format: left alone
])
def test_decisive_digits(fmt, value, judge, expected):
    assert _decisive(fmt, value, judge) == expected
    loc = load_locale("en")
    shown = float(loc.num(value, expected).replace("−", "-")) if expected != "p" else value
    assert judge(shown) == judge(value)  # the printed number is judged as the value is


@pytest.mark.parametrize("lang", ["en", "fa"])
def test_fit_table_prints_values_on_their_side(lang):
    import loyaltysurvey
    from loyaltysurvey.datasets import crm_questionnaire
    from loyaltysurvey.resources import bundled_path
    study = loyaltysurvey.analyze(crm_questionnaire(), bundled_path("questionnaires", "crm_loyalty_example.csv"),
                                  method="cb")
    builder = _Builder(study.results, lang, date(2026, 1, 1))
    fit = {"chisq": 310.2, "df": 104, "pvalue": 0.0, "chisq_df": 3.004, "cfi": 0.94996, "tli": 0.95,
           "rmsea": 0.0612, "rmsea_ci_lower": 0.05, "rmsea_ci_upper": 0.07, "srmr": 0.0801, "gfi": 0.89967,
           "agfi": 0.85, "nfi": 0.91, "ifi": 0.95, "pnfi": 0.6, "pgfi": 0.55, "rmr": 0.05, "ecvi": 1.2}
    table = builder._fit_table(fit, "measurement")
    loc = builder.loc
    ascii_digits = str.maketrans("۰۱۲۳۴۵۶۷۸۹٫", "0123456789.")
    # as printed, in ASCII digits and without a leading zero (Persian theses write one, APA does not)
    shown = {row[0].value: loc.num(row[1].value, row[1].fmt).translate(ascii_digits).removeprefix("0")
             for row in table.rows}
    label = {key: loc.t(f"fit_rows.{key}") for key in ("cfi", "gfi", "srmr", "chisq_df", "nfi")}
    assert shown[label["cfi"]] == ".94996"   # not ".950" beside "acceptable"
    assert shown[label["gfi"]] == ".8997"    # not ".900" beside "poor"
    assert shown[label["srmr"]] == ".0801"   # not ".080" beside "poor"
    assert shown[label["chisq_df"]] == "3.004"     # not "3.00" beside "poor" (χ²/df ≤ 3)
    assert shown[label["nfi"]] == ".910"     # far from its threshold: three decimals


@pytest.mark.parametrize("lang, interval, zero", [
    ("en", "[−0.0002, 0.470]", "0.000"),
    ("fa", "[\u200e−۰٫۰۰۰۲، ۰٫۴۷۰]", "۰٫۰۰۰"),
])
def test_interval_bounds_keep_the_sign_that_decides(lang, interval, zero):
    """A hypothesis is supported when its interval excludes 0: a lower bound of −0.0002 is printed
    with the digits that show it is below 0 (not "−0.000", nor "0.000" beside "not supported");
    a value that merely rounds to zero elsewhere has no sign."""
    loc = load_locale(lang)
    assert loc.num((-0.0002, 0.47), "ci:dec3") == interval
    assert loc.num(-0.0002, "dec3") == zero
    assert loc.num((0.12, 0.47), "ci:dec3") == ("[0.120, 0.470]" if lang == "en" else "[۰٫۱۲۰، ۰٫۴۷۰]")


def test_workbook_bounds_near_zero_keep_their_sign():
    """The workbook's interval columns show a bound of −0.0002 with four decimals, as the chapter prints it."""
    import io

    import openpyxl

    from loyaltysurvey.report.document import Cell, Report, Section, Table
    from loyaltysurvey.report.xlsx import render_xlsx
    table = Table("h", "Hypotheses", ("Path", "CI"), ((Cell("a"), Cell((-0.0002, 0.47), "ci:dec3")),), number=1)
    report = Report("en", False, "T", "S", "G", "Calibri", (), (Section("s", "S", (table,)),))
    book = openpyxl.load_workbook(io.BytesIO(render_xlsx(report)))
    cells = [c for row in book[book.sheetnames[1]].iter_rows() for c in row if isinstance(c.value, float)]
    assert [(c.value, c.number_format) for c in cells] == [(-0.0002, "0.0000"), (0.47, "0.000")]
