"""The sample-size paragraph of a thesis's methodology chapter, in Persian or English.

Every sentence comes from ``reports/locales/LANG.yaml`` under ``samplesize`` and every number
is written in the locale's digits (Persian digits and the momayyez in Persian); the works the
paragraph cites follow it, taken from the locale's reference list as the chapter takes them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .plan import SampleSizePlan

__all__ = ["plan_paragraph"]


def _count(loc, value: float) -> str:
    """A whole number with the thousands separator of the language (10,000; ۱۰٬۰۰۰)."""
    text = f"{int(round(value)):,}"
    if loc.persian_digits:
        return loc.digits(text.replace(",", "٬"))
    return text


def _small(loc, value: float) -> str:
    """A value bounded by 1 (a power, an alpha, a path): two decimals, three when they are needed."""
    return loc.num(value, "r" if abs(round(value, 2) - value) < 1e-12 else "r3")


def _power(loc, value: float) -> str:
    """A power or a share, two decimals (.80; ۰٫۸۰)."""
    return loc.num(value, "r")


def _plain(loc, value: float) -> str:
    """A number as few digits as it needs (95, 0.5, 2.5), in the locale's digits."""
    return loc.num(value, "g")


def plan_paragraph(plan: "SampleSizePlan", lang: str = "en", decimal: str | None = None) -> str:
    """The paragraph for ``plan`` in ``lang`` (``fa`` or ``en``), then its references.

    >>> from loyaltysurvey.planning.plan import samplesize
    >>> text = plan_paragraph(samplesize(population=10_000), "fa")
    >>> "۳۷۰" in text and "جامعه آماری" in text and "(Cochran, 1977)" in text
    True
    """
    from ..report.document import cited_references, reference_key
    from ..report.locale import load_locale

    loc = load_locale(lang, decimal)
    t = lambda key, **v: loc.t(f"samplesize.{key}", **v)  # noqa: E731
    sentences = []
    c, km = plan.cochran, plan.krejcie_morgan
    if c.population is not None:
        sentences.append(t("population", population=_count(loc, c.population)))
    fpc = t("cochran_fpc", n0=_count(loc, c.n0)) if c.population is not None else ""
    sentences.append(t("cochran", margin=_plain(loc, 100 * c.margin), confidence=_plain(loc, 100 * c.confidence),
                       p=_plain(loc, c.p), n=_count(loc, c.n), fpc=fpc))
    if km.population is not None:
        sentences.append(t("krejcie_morgan", n=_count(loc, km.n), population=_count(loc, km.population)))
    else:
        sentences.append(t("krejcie_morgan_unlimited", n=_count(loc, km.n)))
    r = plan.rmsea_power
    if r is not None:
        clauses = [t(f"rmsea_{test.test}", n=_count(loc, test.n_min), rmsea0=_small(loc, test.rmsea0),
                     rmsea_alt=_small(loc, test.rmsea_alt)) for test in r.tests]
        sentences.append(t("rmsea", df=_count(loc, r.df), power=_power(loc, r.power), alpha=_small(loc, r.alpha),
                           clauses=loc.join(clauses)))
        if r.n is not None:
            powers = [_power(loc, test.power_at_n) for test in r.tests]
            sentences.append(t("rmsea_at_n", n=_count(loc, r.n), powers=loc.join(powers),
                               tests=t("rmsea_at_n_tests" if len(powers) > 1 else "rmsea_at_n_test")))
    g = plan.regression_power
    if g is not None:
        clauses = [t("regression_clause", n=_count(loc, row["n_min"]), f2=_small(loc, row["f2"]),
                     label=t(f"effect_labels.{row['label']}") if row["label"] else "") for row in g.rows]
        sentences.append(t("regression", u=_count(loc, g.predictors), power=_power(loc, g.power),
                           alpha=_small(loc, g.alpha), clauses=loc.join(clauses)))
        if g.f2_detectable is not None:
            sentences.append(t("regression_at_n", n=_count(loc, g.n), f2=loc.num(g.f2_detectable, "r3")))
    isr = plan.inverse_square_root
    if isr is not None:
        sentences.append(t("isr", p=_small(loc, isr.p_min), n=_count(loc, isr.n_min), alpha=_small(loc, isr.alpha),
                           power=_power(loc, isr.power)))
    mc = plan.monte_carlo
    if mc is not None and mc.paths:
        powers = [row["power"] for row in mc.paths]
        sentences.append(t("monte_carlo", reps=_count(loc, mc.replications), n=_count(loc, mc.n),
                           loading=_small(loc, mc.loading), exo_cor=_small(loc, mc.exo_cor),
                           min=_power(loc, min(powers)), max=_power(loc, max(powers)),
                           converged=_plain(loc, round(100 * mc.convergence_rate, 1))))
    text = " ".join(sentences)
    works = sorted(cited_references(loc.data.get("references") or [], text), key=reference_key)
    out = [t("title"), "", text]
    if works:
        out += ["", t("references_title"), *works]
    return "\n".join(out)
