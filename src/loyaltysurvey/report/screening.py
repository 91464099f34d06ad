"""The chapter's sections on the measurement checks and the construct-level tests.

Each function takes the report builder (:class:`loyaltysurvey.report.build._Builder`) and
returns a :class:`~loyaltysurvey.report.document.Section`, or ``None`` when the analysis did
not produce what it reports. Nothing is computed or judged here: the statistics and every
verdict come from :mod:`loyaltysurvey.analysis.checks`; these functions state them, with
their thresholds and sources, and cite (``builder.cite``) the references of the methods they
show, so the reference list names only methods the chapter used.

* :func:`missing_section`: missing answers per item and per respondent, Little's MCAR test;
* :func:`multivariate_normality_section`: Mardia's skewness and kurtosis;
* :func:`construct_tests_section`: each construct against the scale midpoint, Friedman's ranking;
* :func:`adequacy_section`: KMO and Bartlett's test, overall and per construct, item MSA;
* :func:`common_method_section`: Harman's single factor and Kock's full-collinearity VIF;
* :func:`efa_section`: the optional exploratory factor analysis (parallel analysis, scree plot,
  loadings, factor correlations).
* :func:`data_quality_section`: the screening of the respondents (speeders, longstring, IRV,
  attention checks, duplicate answers, previews, unfinished responses, multivariate outliers),
  each rule with its threshold, source, the respondents flagged and whether they were excluded.
"""

from __future__ import annotations

from typing import Any

from ..thresholds import EFA_LOADING_SHOWN
from .document import Cell, Paragraph, Section
from .figures import scree_chart

__all__ = ["missing_section", "multivariate_normality_section", "construct_tests_section", "adequacy_section",
           "common_method_section", "efa_section", "data_quality_section", "SECTION_IDS"]

#: The ids of the sections made here, in the order the chapter shows them.
SECTION_IDS = ("data_quality", "missing", "multivariate_normality", "construct_tests", "sampling_adequacy",
               "common_method", "efa")


def _p(b, p: float) -> str:
    """``p = .012`` or ``p < .001`` in the chapter's number style."""
    text = b.loc.num(p, "p")
    return f"p {text}" if text.startswith("<") else f"p = {text}"


def _verdict(b, passed: bool | None) -> Cell:
    key = "na" if passed is None else ("met" if passed else "not_met")
    return Cell(b.loc.t(f"screening.verdicts.{key}"), emphasis=passed is False)


def _names(b) -> dict[str, str]:
    return {c.id: b.loc.text(c.name) for c in b.q.constructs}


def _pct(b, value: float) -> str:
    return b.loc.t("labels.percent", value=b.loc.num(value, "pct"))


# ---------------------------------------------------------------------------------- missing data
def missing_section(b) -> Section | None:
    """Missing answers per item and per respondent, and Little's MCAR test (when answers are missing)."""
    ch = b.r.checks
    if ch is None:
        return None
    t = b.loc.t
    m = ch.missing
    title = t("screening.missing_section")
    if m["missing_cells"] == 0:
        return Section("missing", title, (Paragraph(t("screening.missing_none", n=m["n"])),))
    names = _names(b)
    rows = []
    for c in b.q.constructs:
        for item in c.items:
            entry = m["items"][item.id]
            rows.append([Cell(b.item_label(item)), Cell(names[c.id]), Cell(entry["n_missing"], "int"),
                         Cell(entry["percent"], "pct")])
    items_table = b.table("missing_items", t("screening.missing_items_table"),
                          [b.col("item"), b.col("construct"), t("screening.columns.n_missing"),
                           t("screening.columns.percent_missing")], rows,
                          notes=b.reverse_note(c.items for c in b.q.constructs))
    resp_rows = [[Cell(int(k), "int"), Cell(v["n"], "int"), Cell(v["percent"], "pct")]
                 for k, v in m["respondents"].items()]
    resp_table = b.table("missing_respondents", t("screening.missing_respondents_table"),
                         [t("screening.columns.unanswered"), t("screening.columns.respondents"), b.col("percent")],
                         resp_rows)
    mcar = ch.mcar
    passed = ch.verdicts()["mcar"]
    b.cite("little1988")
    mcar_table = b.table("mcar", t("screening.mcar_table"),
                         [t("fit_rows.chisq"), t("fit_rows.df"), b.col("p"), t("screening.columns.patterns"),
                          b.col("threshold"), b.col("verdict")],
                         [[Cell(mcar["chisq"], "dec2"), Cell(mcar["df"], "int"), Cell(mcar["pvalue"], "p"),
                           Cell(mcar["patterns"], "int"), Cell(t("screening.mcar_rule")), _verdict(b, passed)]],
                         notes=(t("screening.mcar_note"),))
    key = "mcar_na" if passed is None else ("mcar_ok" if passed else "mcar_bad")
    if mcar.get("skipped"):
        key = "mcar_skipped"
    verdict = t(f"screening.{key}", df=mcar["df"], patterns=mcar["patterns"], chisq=b.loc.num(mcar["chisq"], "dec2"), p=_p(b, mcar["pvalue"]))
    text = t("screening.missing_text", cells=m["cells"], n=m["n"], missing=m["missing_cells"],
             percent=_pct(b, m["percent"]), complete=m["complete"], complete_percent=_pct(b, 100 * m["complete"] / m["n"]),
             items_table=b.ref(items_table), respondents_table=b.ref(resp_table), mcar_table=b.ref(mcar_table))
    return Section("missing", title, (Paragraph(f"{text} {verdict}"), items_table, resp_table, mcar_table))


# ---------------------------------------------------------------------------------- Mardia
def multivariate_normality_section(b) -> Section | None:
    """Mardia's multivariate skewness and kurtosis with their verdicts."""
    ch = b.r.checks
    if ch is None:
        return None
    t = b.loc.t
    md = ch.mardia
    v = ch.verdicts()
    skew_key = ch.mardia_skew_test
    b.cite("mardia1970")
    if skew_key == "small_skew":
        b.cite("mardia1974")
    df = md["p"] * (md["p"] + 1) * (md["p"] + 2) // 6
    rows = [[Cell(t("screening.mardia_skew")), Cell(md["b1p"], "dec2"), Cell(md[skew_key], "dec2"), Cell(df, "int"),
             Cell(md[f"{skew_key}_p"], "p"), _verdict(b, v["mardia_skew"])],
            [Cell(t("screening.mardia_kurtosis")), Cell(md["b2p"], "dec2"), Cell(md["kurtosis"], "dec2"), Cell(""),
             Cell(md["kurtosis_p"], "p"), _verdict(b, v["mardia_kurtosis"])]]
    table = b.table("mardia", t("screening.mardia_table"),
                    [b.col("quantity"), t("screening.columns.coefficient"), t("screening.columns.statistic"),
                     t("fit_rows.df"), b.col("p"), b.col("verdict")], rows,
                    notes=(t("screening.mardia_note", n=md["n"]),
                           *((t("screening.mardia_small_note"),) if skew_key == "small_skew" else ())))
    failing = [t(f"screening.mardia_{k}_word") for k in ("skew", "kurtosis") if v[f"mardia_{k}"] is False]
    cb_run = getattr(b.r.settings, "runs_cb", True)  # maximum likelihood assumes it; PLS-SEM alone does not
    if not cb_run:
        b.cite("hair2017")
    if None in (v["mardia_skew"], v["mardia_kurtosis"]):
        verdict = t("screening.mardia_na")
    elif failing:  # and what the run did about it: MLR, or bootstrap intervals, else the advice
        settings = b.r.settings
        key = ("mardia_bad_pls" if not cb_run
               else "mardia_bad_mlr" if getattr(settings, "estimator", "ML") == "MLR"
               else "mardia_bad_boot" if (getattr(settings, "bootstrap", 0) or 0) > 0 else "mardia_bad")
        verdict = t(f"screening.{key}", names=b.loc.join(failing))
    else:
        verdict = t("screening.mardia_ok")
    text = t("screening.mardia_text" if cb_run else "screening.mardia_text_pls", n=md["n"], table=b.ref(table))
    return Section("multivariate_normality", t("screening.mardia_section"), (Paragraph(f"{text} {verdict}"), table))


# ---------------------------------------------------------------------------------- construct status
def construct_tests_section(b) -> Section | None:
    """Each construct against the scale midpoint (the «status of the variables» table) and Friedman's ranking."""
    ct = b.r.construct_tests
    if ct is None:
        return None
    t = b.loc.t
    names = _names(b)
    b.cite("student1908", "wilcoxon1945")
    rows = []
    groups: dict[str, list[str]] = {"above": [], "below": [], "not_different": [], "not_tested": []}
    for c in b.q.constructs:
        r = ct.one_sample[c.id]
        groups[r["decision"]].append(names[c.id])
        rows.append([Cell(names[c.id]), Cell(r["n"], "int"), Cell(r["mean"], "dec2"), Cell(r["sd"], "dec2"),
                     Cell(r["midpoint"], "dec1"), Cell(r["t"], "dec2"), Cell(r["df"], "int"), Cell(r["pvalue"], "p"),
                     Cell(r["wilcoxon_p"], "p"), Cell(t(f"screening.tests.{r['test']}")),
                     Cell(t(f"screening.decisions.{r['decision']}"))])
    table = b.table("construct_status", t("screening.status_table"),
                    [b.col("construct"), b.col("n"), b.col("mean"), b.col("sd"), t("screening.columns.midpoint"),
                     t("columns_pls.t"), t("fit_rows.df"), t("screening.columns.p_t"), t("screening.columns.p_wilcoxon"),
                     t("screening.columns.test"), t("screening.columns.result")], rows,
                    notes=(t("screening.status_note", alpha=b.loc.num(ct.alpha, "r")),))
    sentences = [t(f"screening.status_{k}", names=b.loc.join(v)) for k, v in groups.items() if v]
    blocks: list[Any] = [Paragraph(" ".join([t("screening.status_text", table=b.ref(table))] + sentences)), table]
    fr = ct.friedman
    if fr["ranking"]:
        b.cite("friedman1937")
        rank_rows = [[Cell(i + 1, "int"), Cell(names[c]), Cell(fr["mean_ranks"][c], "dec2")]
                     for i, c in enumerate(fr["ranking"])]
        ftable = b.table("friedman", t("screening.friedman_table"),
                         [t("screening.columns.rank"), b.col("construct"), t("screening.columns.mean_rank")], rank_rows,
                         notes=(t("screening.friedman_note", n=fr["n"], df=fr["df"],
                                  chisq=b.loc.num(fr["chisq"], "dec2"), p=_p(b, fr["pvalue"])),)
                         + ((t("screening.friedman_rescaled"),) if fr.get("rescaled") else ()))
        if fr.get("rescaled"):
            b.cite("cohen1999")
        key = {"differ": "friedman_differ", "no_difference": "friedman_same"}.get(fr["decision"], "friedman_na")
        blocks += [Paragraph(t(f"screening.{key}", table=b.ref(ftable), df=fr["df"],
                               chisq=b.loc.num(fr["chisq"], "dec2"), p=_p(b, fr["pvalue"]),
                               first=names[fr["ranking"][0]], last=names[fr["ranking"][-1]])), ftable]
    return Section("construct_tests", t("screening.status_section"), tuple(blocks))


# ---------------------------------------------------------------------------------- KMO and Bartlett
def adequacy_section(b) -> Section | None:
    """KMO and Bartlett's test for all items and per construct, and each item's MSA."""
    ch = b.r.checks
    if ch is None:
        return None
    t = b.loc.t
    names = _names(b)
    b.cite("kaiser1974", "bartlett1950")
    fact = ch.factorability()
    kmo_json = ch.to_json()["kmo"]

    def row(label: str, k: int, kmo: float, band: str | None, bart: dict, passed: bool | None) -> list[Cell]:
        return [Cell(label), Cell(k, "int"), Cell(kmo, "r3"), Cell(t(f"screening.kmo_bands.{band}") if band else None),
                Cell(bart["chisq"], "dec2"), Cell(bart["df"], "int"), Cell(bart["pvalue"], "p"), _verdict(b, passed)]

    rows = [row(t("screening.all_items"), len(ch.kmo.items), ch.kmo.overall, kmo_json["band"], ch.bartlett,
                fact["all_items"])]
    formative = [c for c in b.q.first_order if c.id in ch.formative]
    for c in b.q.first_order:  # a formative construct's KMO is shown, not judged (its items need not correlate)
        rows.append(row(names[c.id], len(c.items), ch.kmo_constructs[c.id].overall,
                        kmo_json["constructs"][c.id]["band"] if c.id not in ch.formative else None,
                        ch.bartlett_constructs[c.id], fact["constructs"][c.id]))
    notes = (t("screening.kmo_note"),) + ((t("screening.kmo_formative_note",
                                             names=b.loc.join([names[c.id] for c in formative])),) if formative else ())
    table = b.table("kmo_bartlett", t("screening.kmo_table"),
                    [t("screening.columns.scope"), b.col("items_k"), "KMO", t("screening.columns.kmo_band"),
                     t("fit_rows.chisq"), t("fit_rows.df"), b.col("p"), b.col("verdict")], rows, notes=notes)
    low = ch.items_low_msa
    item_rows = []
    for c in b.q.constructs:
        for item in c.items:
            item_rows.append([Cell(b.item_label(item)), Cell(names[c.id]),
                              Cell(float(ch.kmo.items[item.id]), "r3", item.id in low)])
    msa_table = b.table("msa", t("screening.msa_table"), [b.col("item"), b.col("construct"), "MSA"], item_rows,
                        notes=(*b.reverse_note(c.items for c in b.q.constructs), t("screening.msa_note")))
    sentences = [t("screening.kmo_text", kmo=b.loc.num(ch.kmo.overall, "r3"),
                   band=t(f"screening.kmo_bands.{kmo_json['band']}"), df=ch.bartlett["df"],
                   chisq=b.loc.num(ch.bartlett["chisq"], "dec2"), p=_p(b, ch.bartlett["pvalue"]), table=b.ref(table))]
    overall = fact["all_items"]
    sentences.append(t("screening.factorable_ok" if overall else
                       ("screening.factorable_na" if overall is None else "screening.factorable_bad")))
    bad_constructs = [names[c] for c, ok in fact["constructs"].items() if ok is False]
    if bad_constructs:
        sentences.append(t("screening.constructs_bad", names=b.loc.join(bad_constructs)))
    sentences.append(t("screening.msa_bad", names=b.loc.join(low), table=b.ref(msa_table)) if low
                     else t("screening.msa_ok", table=b.ref(msa_table)))
    return Section("sampling_adequacy", t("screening.kmo_section"), (Paragraph(" ".join(sentences)), table, msa_table))


# ---------------------------------------------------------------------------------- common method bias
def common_method_section(b) -> Section | None:
    """Harman's single-factor test and Kock's full-collinearity VIF."""
    ch = b.r.checks
    if ch is None:
        return None
    t = b.loc.t
    names = _names(b)
    v = ch.verdicts()
    b.cite("harman1976", "podsakoff2003")
    share = ch.harman["first_factor_share"]
    rows = [[Cell(t("screening.harman_row")), Cell(100 * share, "pct"), Cell(t("screening.harman_rule")),
             _verdict(b, v["harman"])]]
    if ch.full_vif:
        b.cite("kock2015")
        for c in b.q.first_order:
            vif = ch.full_vif[c.id]
            passed = ch.vif_passed[c.id]
            rows.append([Cell(t("screening.vif_row", name=names[c.id])), Cell(vif, "dec2", passed is False),
                         Cell(t("screening.vif_rule")), _verdict(b, passed)])
    table = b.table("common_method", t("screening.cmb_table"),
                    [t("screening.columns.test"), b.col("value"), b.col("threshold"), b.col("verdict")], rows,
                    notes=(t("screening.harman_note", k=ch.harman["n_items"]),
                           *((t("screening.vif_note", n=ch.full_vif_n),) if ch.full_vif else ())))
    sentences = [t("screening.harman_ok" if v["harman"] else
                   ("screening.harman_na" if v["harman"] is None else "screening.harman_bad"),
                   share=_pct(b, 100 * share), table=b.ref(table))]
    if ch.full_vif:
        failing = [names[c] for c in ch.vif_failing]
        sentences.append(t("screening.vif_bad", names=b.loc.join(failing)) if failing else t("screening.vif_ok"))
    if v["common_method"] is not None:
        sentences.append(t("screening.cmb_no_concern" if v["common_method"] else "screening.cmb_concern"))
    return Section("common_method", t("screening.cmb_section"), (Paragraph(" ".join(sentences)), table))


# ---------------------------------------------------------------------------------- exploratory factor analysis
def efa_section(b) -> Section | None:
    """Parallel analysis (table and scree plot), the loadings with h2, the variance and Phi (when asked for)."""
    e = getattr(b.r, "efa", None)
    if e is None:
        return None
    t = b.loc.t
    pa, fit = e.parallel, e.fit
    b.cite("horn1965", "hayton2004", "revelle2022")
    p = len(pa.observed_pc)
    shown = min(p, max(pa.n_factors, pa.n_components, fit.n_factors) + 3)
    pa_rows = [[Cell(k + 1, "int"), Cell(pa.observed_pc[k], "dec3", k < pa.n_components), Cell(pa.simulated_pc[k], "dec3"),
                Cell(pa.quantile_pc[k], "dec3"), Cell(pa.observed_fa[k], "dec3", k < pa.n_factors),
                Cell(pa.simulated_fa[k], "dec3"), Cell(pa.quantile_fa[k], "dec3")] for k in range(shown)]
    pct = b.loc.num(100 * pa.quantile, "int")
    pa_table = b.table("efa_parallel", t("efa.parallel_table"),
                       [t("efa.columns.number"), t("efa.columns.observed_pc"), t("efa.columns.simulated_pc"),
                        t("efa.columns.quantile", pct=pct), t("efa.columns.observed_fa"),
                        t("efa.columns.simulated_fa"), t("efa.columns.quantile", pct=pct)], pa_rows,
                       notes=(t("efa.parallel_note", iterations=pa.iterations, n=pa.n_obs, p=p, pct=pct,
                                seed=pa.seed, shown=shown),))
    png = b.draw(scree_chart, pa.observed_pc, pa.simulated_pc, pa.observed_fa, pa.simulated_fa,
                      labels=[t("efa.figure.observed_pc"), t("efa.figure.simulated_pc"), t("efa.figure.observed_fa"),
                              t("efa.figure.simulated_fa")],
                      x_label=t("efa.figure.x"), y_label=t("efa.figure.y"), tick=b.loc.num, rtl=b.loc.rtl)
    figure = b.figure("efa_scree", t("efa.figure.caption"), png)

    factors = list(fit.loadings.columns)
    names = _names(b)
    construct_of = {item.id: (c.id, item) for c in b.q.constructs for item in c.items}
    rows = []
    for item_id, row in fit.loadings.iterrows():
        judged = e.items[item_id]
        cid, item = construct_of[item_id]
        cells = [Cell(b.item_label(item)), Cell(names[cid])]
        for f in factors:
            v = float(row[f])
            if f == judged["factor"]:
                cells.append(Cell(v, "r", not judged["salient"]))
            elif EFA_LOADING_SHOWN.passes(abs(v)):
                cells.append(Cell(v, "r", True))
            else:
                cells.append(Cell(""))
        cells.append(Cell(float(fit.communalities[item_id]), "r"))
        rows.append(cells)
    var = fit.variance
    rows.append([Cell(t("efa.rows.ss")), Cell("")] + [Cell(float(var.loc["ss_loadings", f]), "dec2") for f in factors]
                + [Cell("")])
    rows.append([Cell(t("efa.rows.proportion")), Cell("")]
                + [Cell(100 * float(var.loc["proportion", f]), "pct") for f in factors] + [Cell("")])
    rows.append([Cell(t("efa.rows.cumulative")), Cell("")]
                + [Cell(100 * float(var.loc["cumulative", f]), "pct") for f in factors] + [Cell("")])
    method = t(f"efa.methods.{fit.method}")
    rotation = t(f"efa.rotations.{fit.rotation}")
    fit_note = t("efa.fit_note", chisq=b.loc.num(fit.chisq, "dec2"), df=fit.dof, p=_p(b, fit.pvalue),
                 rmsea=b.loc.num(fit.rmsea, "r3"), tli=b.loc.num(fit.tli, "r3")) if fit.dof > 0 else ""
    notes = [*b.reverse_note(c.items for c in b.q.constructs),
             t("efa.loadings_note", method=method, rotation=rotation, n=fit.n_obs),
             t("efa.threshold_note"), fit_note]
    load_table = b.table("efa_loadings", t("efa.loadings_table"),
                         [b.col("item"), b.col("construct"), *[b.loc.digits(f) for f in factors], "h²"], rows,
                         notes=tuple(n for n in notes if n))
    phi_table = None
    if fit.phi is not None:
        phi_rows = [[Cell(b.loc.digits(f))] + [Cell(float(fit.phi.loc[f, g]), "r") if j <= i else Cell("")
                                                for j, g in enumerate(factors)]
                    for i, f in enumerate(factors)]
        phi_table = b.table("efa_phi", t("efa.phi_table"), [t("efa.columns.factor"), *[b.loc.digits(f) for f in factors]],
                            phi_rows, notes=(t("efa.phi_note", rotation=rotation),))

    source = t(f"efa.source_{e.n_factors_source}", k=fit.n_factors)
    sentences = [t("efa.parallel_text", iterations=pa.iterations, pct=pct, factors=pa.n_factors,
                   components=pa.n_components, table=b.ref(pa_table), figure=b.ref(figure)),
                 t("efa.extract_text", source=source, method=method, rotation=rotation,
                   cumulative=b.loc.num(100 * float(var.loc["cumulative", factors[-1]]), "pct"),
                   table=b.ref(load_table))]
    weak, cross = e.weak_items, e.cross_loading_items
    sentences.append(t("efa.weak", names=b.loc.join(weak)) if weak else t("efa.weak_none"))
    if cross:
        sentences.append(t("efa.cross", names=b.loc.join(cross)))
    else:
        sentences.append(t("efa.cross_none"))
    blocks = [Paragraph(" ".join(sentences)), pa_table, figure, load_table]
    if phi_table is not None:
        blocks.append(phi_table)
    return Section("efa", t("efa.section"), tuple(blocks))
# ---------------------------------------------------------------------------------- data quality
def _rule(b, name: str, entry: dict) -> str:
    """A flag's rule with its threshold, in the chapter's language and digits."""
    t, num = b.loc.t, b.loc.num
    params = entry.get("params") or {}
    rule = entry["rule"]
    if not entry["available"]:
        return t(f"screening.problems.{entry['problem']}")
    if rule == "duration_below_share":
        return t("screening.rules.duration_below_share", share=num(params["share"], "g"),
                 median=num(params["median"], "dec1"), threshold=num(entry["threshold"], "dec1"))
    if rule == "duration_below_seconds":
        return t("screening.rules.duration_below_seconds", threshold=num(entry["threshold"], "g"))
    if rule == "longest_run_above":
        return t("screening.rules.longest_run_above", threshold=num(entry["threshold"]), items=num(params["items"]))
    if rule == "irv_at_most":
        return t("screening.rules.irv_at_most", threshold=num(entry["threshold"], "g"))
    if rule == "failed_check":
        checks = t("list.semicolon").join(f"{item} = {t('list.separator').join(num(v, 'g') for v in values)}"
                           for item, values in params["checks"].items())
        return t("screening.rules.failed_check", checks=checks)
    if rule == "same_answers":
        fields = [t(f"screening.rules.{f}") for f in params.get("matched_on", []) if f != "items"]
        also = t("screening.rules.same_answers_also", fields=b.loc.join(fields)) if fields else ""
        return t("screening.rules.same_answers", also=also)
    if rule == "d2_p_below":
        return t("screening.rules.d2_p_below", p=num(entry["threshold"], "r3"), df=num(params["df"]),
                 critical=num(params["critical_d2"], "dec2"), n=num(params["n_complete"]))
    return t(f"screening.rules.{rule}")


def data_quality_section(b) -> Section | None:
    """The screening of the respondents: one row per flag with its rule and threshold, source,
    respondents flagged, and whether they were excluded or only flagged (the decision was made
    by ingestion, :mod:`loyaltysurvey.ingest.screening`)."""
    screening = b.r.ingest.ledger.screening
    if not screening:
        return None
    from ..ingest.screening import SOURCES
    t = b.loc.t
    rows = []
    for name, entry in screening["flags"].items():
        source = SOURCES.get(name)
        if entry["available"] and source:
            b.cite(*(("johnson2005", "curran2016") if name == "longstring" else (source,)))
        action = "not_computed" if not entry["available"] else ("excluded" if entry["excluded"] else "flagged")
        rows.append([Cell(t(f"screening.flags.{name}")), Cell(_rule(b, name, entry)),
                     Cell(("–" if not entry["available"] else t(f"screening.sources.{name}")) if source
                          else t("screening.source_export")),
                     Cell(entry["n"] if entry["available"] else None, "int"),
                     Cell(t(f"screening.actions.{action}"), emphasis=action == "excluded")])
    table = b.table("data_quality", t("screening.quality_table"),
                    [t("screening.quality_columns.flag"), t("screening.quality_columns.rule"), t("screening.quality_columns.source"),
                     t("screening.quality_columns.n_flagged"), t("screening.quality_columns.action")], rows,
                    notes=(t("screening.quality_note", screened=screening["screened"]),))
    if not screening["flagged"]:
        action = t("screening.quality_flagged_none")
    else:
        action = t("screening.quality_flagged", flagged=screening["flagged"]) + (
            t("screening.quality_action_excluded", excluded=screening["excluded"]) if screening["excluded"]
            else t("screening.quality_action_none", flagged=screening["flagged"]))
    text = t("screening.quality_text", screened=screening["screened"], table=b.ref(table), action=action)
    return Section("data_quality", t("screening.quality_section"), (Paragraph(text), table))
