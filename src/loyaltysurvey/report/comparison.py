"""The chapter's model-comparison section: the research model against the questionnaire's alternatives.

:func:`comparison_section` takes the report builder (:class:`loyaltysurvey.report.build._Builder`)
and returns a :class:`~loyaltysurvey.report.document.Section`, or ``None`` when the questionnaire
declares no ``alternatives``. Nothing is computed or judged here: the statistics and every
decision come from :mod:`loyaltysurvey.analysis.comparison`; this states them with their
thresholds and sources and cites the methods it shows.
"""

from __future__ import annotations

import math

from .document import Cell, Paragraph, Section

__all__ = ["comparison_section"]


def _name(b, model: str) -> str:
    from ..analysis.comparison import MAIN_MODEL
    return b.loc.t("comparison.main_model") if model == MAIN_MODEL else model


def _p(b, p: float) -> str:
    text = b.loc.num(p, "p")
    return f"p {text}" if text.startswith("<") else f"p = {text}"


def _yes_no(b, value: bool | None) -> Cell:
    key = "na" if value is None else ("met" if value else "not_met")
    return Cell(b.loc.t(f"screening.verdicts.{key}"), emphasis=value is False)


def _cbsem(b, cb: dict, robust: bool) -> list:
    t = b.loc.t
    best_bic = cb["preferred"].get("bic")
    rows = []
    for m in cb["models"]:
        chisq = m.get("chisq_scaled", m["chisq"]) if robust else m["chisq"]
        rows.append([Cell(_name(b, m["model"])), Cell(chisq, "dec2"), Cell(m["df"], "int"),
                     Cell(m.get("pvalue_scaled", m["pvalue"]) if robust else m["pvalue"], "p"),
                     Cell(m["cfi_used"], "r3"), Cell(m["rmsea_used"], "r3"), Cell(m["srmr"], "r3"),
                     Cell(m["aic"], "dec2", m["model"] == cb["preferred"].get("aic")),
                     Cell(m["bic"], "dec2", m["model"] == best_bic)])
    notes = [t("comparison.fit_note_robust" if robust else "comparison.fit_note")]
    fit = b.table("comparison_fit", t("comparison.fit_table"),
                  [t("comparison.columns.model"), t("fit_rows.chisq"), t("fit_rows.df"), b.col("p"), "CFI", "RMSEA",
                   "SRMR", "AIC", "BIC"], rows, notes=tuple(notes))
    test_rows, sentences = [], []
    for c in cb["comparisons"]:
        d = c["delta"]
        pair = t("comparison.pair", restricted=_name(b, c["restricted"]), free=_name(b, c["free"]))
        nested = c["nested"]
        test_rows.append([Cell(pair), Cell(d["chisq"], "dec2"), Cell(d["df"], "int"), Cell(d["pvalue"], "p"),
                          Cell(d["cfi"], "dec3"), Cell(d["rmsea"], "dec3"),
                          Cell(t(f"comparison.nesting.{nested}")), _yes_no(b, c["chisq_no_worse"]),
                          _yes_no(b, c["cfi_no_worse"]), _yes_no(b, c["rmsea_no_worse"]),
                          Cell(_name(b, c["preferred"]) if c["preferred"] else "–")])
        names = {"restricted": _name(b, c["restricted"]), "free": _name(b, c["free"])}
        if nested == "not_nested":
            sentences.append(t("comparison.not_nested", **names, preferred=_name(b, c["preferred"])))
            continue
        if not math.isfinite(d["chisq"]):
            sentences.append(t("comparison.undefined", **names))
            continue
        stats = dict(df=b.loc.num(d["df"], "int"), chisq=b.loc.num(d["chisq"], "dec2"), p=_p(b, d["pvalue"]),
                     dcfi=b.loc.num(d["cfi"], "dec3"), drmsea=b.loc.num(d["rmsea"], "dec3"))
        key = "comparison.no_worse" if c["chisq_no_worse"] else "comparison.worse"
        sentences.append(t(key, **names, **stats))
        indices = (c["cfi_no_worse"], c["rmsea_no_worse"])
        if all(v is not None for v in indices) and all(indices) != bool(c["chisq_no_worse"]):
            sentences.append(t("comparison.indices_no_worse" if all(indices) else "comparison.indices_worse",
                               **names))
        if nested == "assumed":
            sentences.append(t("comparison.assumed", **names))
    method = ("comparison.method_sb2001" if robust else "comparison.method_ml")
    tests = b.table("comparison_tests", t("comparison.tests_table"),
                    [t("comparison.columns.pair"), "Δχ²", "Δdf", b.col("p"), "ΔCFI", "ΔRMSEA",
                     t("comparison.columns.nesting"), t("comparison.columns.chisq_ok"), t("comparison.columns.cfi_ok"),
                     t("comparison.columns.rmsea_ok"), t("comparison.columns.preferred")], test_rows,
                    notes=(t(method), t("comparison.tests_note")))
    b.cite("akaike1974", "schwarz1978", "cheung2002", "chen2007")
    if robust:
        b.cite("satorra2001")
    intro = t("comparison.cb_text", fit=b.ref(fit), tests=b.ref(tests),
              aic=_name(b, cb["preferred"].get("aic", "")), bic=_name(b, best_bic or ""))
    return [Paragraph(" ".join([intro, *sentences])), fit, tests]


def _pls(b, pls: dict) -> list:
    t = b.loc.t
    names = {c.id: b.loc.text(c.name) or c.id for c in b.q.constructs}
    preferred = pls["preferred"]
    rows = []
    for r in sorted(pls["rows"], key=lambda r: (list(names).index(r["construct"]) if r["construct"] in names else 0)):
        best = preferred.get(r["construct"], {})
        rows.append([Cell(names.get(r["construct"], r["construct"])), Cell(_name(b, r["model"])), Cell(r["k"] - 1, "int"),
                     Cell(r["r2"], "r3"), Cell(r["bic"], "dec2", best.get("bic") == r["model"]),
                     Cell(r["gm"], "dec2", best.get("gm") == r["model"])])
    table = b.table("comparison_pls", t("comparison.pls_table"),
                    [b.col("construct"), t("comparison.columns.model"), t("comparison.columns.predictors"),
                     t("columns_pls.r2"), "BIC", "GM"], rows, notes=(t("comparison.pls_note"),))
    b.cite("sharma2019", "sharma2021", "schwarz1978", "geweke1981")
    sentences = [t("comparison.pls_text", table=b.ref(table))]
    for construct, best in preferred.items():
        key = "comparison.pls_same" if best["bic"] == best["gm"] else "comparison.pls_differ"
        sentences.append(t(key, construct=names.get(construct, construct), bic=_name(b, best["bic"]),
                           gm=_name(b, best["gm"])))
    return [Paragraph(" ".join(sentences)), table]


def comparison_section(b) -> Section | None:
    """The fit of each model, the chi-square difference tests with ΔCFI and ΔRMSEA, and PLS BIC/GM."""
    comparison = getattr(b.r, "comparison", None)
    if comparison is None or (comparison.cbsem is None and comparison.pls is None):
        return None
    t = b.loc.t
    alternatives = [a.name for a in b.q.alternatives]
    blocks: list = [Paragraph(t("comparison.intro", n=len(alternatives), names=b.loc.join(alternatives)))]
    if comparison.cbsem is not None:
        blocks.extend(_cbsem(b, comparison.cbsem, comparison.cbsem.get("robust", False)))
    if comparison.pls is not None and comparison.pls["rows"]:
        blocks.extend(_pls(b, comparison.pls))
    return Section("model_comparison", t("comparison.section"), tuple(blocks))
