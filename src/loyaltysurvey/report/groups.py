"""The chapter's section on measurement invariance across groups (``analyze --group``).

Takes the report builder (:class:`loyaltysurvey.report.build._Builder`) and returns a
:class:`~loyaltysurvey.report.document.Section`, or ``None`` without a group comparison.
Nothing is computed or judged here: the fits, the differences and every decision come from
:mod:`loyaltysurvey.analysis.invariance`; this states them with their thresholds and sources
(Cheung & Rensvold, 2002; Chen, 2007; Vandenberg & Lance, 2000; Satorra & Bentler, 2001).
"""

from __future__ import annotations

from typing import Iterable, Sequence

from .document import Cell, Paragraph, Section
from .moderation import display_name

__all__ = ["invariance_section", "pls_groups_section", "reading_order"]


def reading_order(order: Sequence[str], groups: Iterable[str]) -> list[str]:
    """``groups`` in the analysis's reading ``order`` (a demographic's codes as the questionnaire lists
    them; waves in time order), any group it does not list after them: every table of a group
    comparison lists the groups as the tracking table does.

    >>> reading_order(("1", "2", "3"), {"3": 10, "1": 12}), reading_order((), ["b", "a"])
    (['1', '3'], ['b', 'a'])
    """
    listed = [g for g in order if g in groups]
    return listed + [g for g in groups if g not in listed]


def _verdict(b, level) -> Cell:
    t = b.loc.t
    if not level.interpreted:
        return Cell(t("invariance.verdicts.not_interpreted"))
    if level.holds is None:
        return Cell(t("invariance.verdicts.na"))
    return Cell(t("invariance.verdicts.holds" if level.holds else "invariance.verdicts.fails"),
                emphasis=not level.holds)


def invariance_section(b) -> Section | None:
    """Group sizes, the invariance sequence and the equality of the structural paths."""
    groups = getattr(b.r, "groups", None)
    if groups is None:
        return None
    t = b.loc.t
    inv = groups.invariance
    column = groups.column
    demo = next((d for d in b.q.demographics if d.id == column), None)
    column_name = b.loc.text(demo.name) if demo is not None else column
    def label(value: str) -> str:  # a demographic's code shows its label
        return b.category(demo, value)

    b.cite("vandenberg_lance2000", "cheung2002", "chen2007")
    robust = inv.estimator == "MLR"
    if robust:
        b.cite("satorra2001")
    size_rows = [[Cell(label(g)), Cell(inv.nobs[g], "int")] for g in reading_order(groups.order, inv.nobs)]
    sizes = b.table("group_sizes", t("invariance.sizes_table", column=column_name),
                    [t("invariance.columns.group"), b.col("n")], size_rows)
    rows = []
    for lv in inv.levels:
        d = lv.delta or {}
        fit = lv.fit
        rows.append([Cell(t(f"invariance.levels.{lv.level}")), Cell(fit["chisq_scaled" if robust else "chisq"], "dec2"),
                     Cell(fit["df"], "int"),
                     Cell(fit["cfi_robust" if robust else "cfi"], "r3"),
                     Cell(fit["rmsea_robust" if robust else "rmsea"], "r3"), Cell(fit["srmr"], "r3"),
                     Cell(d.get("chisq", float("nan")), "dec2"), Cell(d.get("df", float("nan")), "int"),
                     Cell(d.get("pvalue", float("nan")), "p"), Cell(d.get("cfi", float("nan")), "r3"),
                     Cell(d.get("rmsea", float("nan")), "r3"), _verdict(b, lv)])
    notes = [t("invariance.rule_note"), t("invariance.configural_note")]
    if robust:
        notes.append(t("invariance.mlr_note"))
    if any(lv.group_partial for lv in inv.levels):
        notes.append(t("invariance.partial_note", params=", ".join(next(lv.group_partial for lv in inv.levels
                                                                        if lv.group_partial))))
    if groups.missing != b.r.settings.cb_missing:
        notes.append(t("invariance.listwise_note"))
    table = b.table("invariance", t("invariance.table", column=column_name),
                    [t("invariance.columns.level"), t("fit_rows.chisq"), t("fit_rows.df"), "CFI", "RMSEA", "SRMR",
                     "Δχ²", "Δdf", b.col("p"), "ΔCFI", "ΔRMSEA", b.col("verdict")], rows, notes=tuple(notes))
    highest = inv.highest
    summary = (t("invariance.highest", level=t(f"invariance.level_words.{highest}")) if highest
               else t("invariance.none"))
    text = t("invariance.text", column=column_name, k=len(inv.nobs), sizes_table=b.ref(sizes), table=b.ref(table))
    blocks = [Paragraph(f"{text} {summary}"), sizes, table]
    if groups.paths:
        names = b.model_names()
        arrow = t("invariance.arrow")
        path_rows = []
        for p in groups.paths:
            ests = t("list.separator").join(f"{label(g)}: {b.loc.num(p.estimates[g], 'dec2')}"
                                            for g in reading_order(groups.order, p.estimates))
            path_rows.append([Cell(f"{display_name(p.rhs, names)} {arrow} {display_name(p.lhs, names)}"), Cell(ests),
                              Cell(p.chisq, "dec2"), Cell(p.df, "int"), Cell(p.pvalue, "p"), Cell(p.wald, "dec2"),
                              Cell(p.wald_pvalue, "p"),
                              Cell(t("invariance.verdicts.equal" if p.equal else "invariance.verdicts.different"),
                                   emphasis=not p.equal)])
        paths = b.table("group_paths", t("invariance.paths_table", column=column_name),
                        [b.col("path"), t("invariance.columns.estimates"), "Δχ²", "Δdf", b.col("p"),
                         t("invariance.columns.wald"), t("invariance.columns.wald_p"), b.col("verdict")],
                        path_rows, notes=(t("invariance.paths_note", alpha=b.loc.num(b.r.settings.alpha, "r")),))
        different = [f"{display_name(p.rhs, names)} {arrow} {display_name(p.lhs, names)}" for p in groups.paths
                     if not p.equal]
        verdict = (t("invariance.paths_different", paths=b.loc.join(different)) if different
                   else t("invariance.paths_equal"))
        blocks += [Paragraph(f"{t('invariance.paths_text', table=b.ref(paths))} {verdict}"), paths]
    blocks += _tracking_blocks(b, groups, label, column_name)
    return Section("invariance", t("invariance.title"), tuple(blocks))


def _tracking_blocks(b, groups, label, column_name: str, keys: str = "invariance", means: bool = True) -> list:
    """The tracking table (construct means and each group's paths, the groups in order: segments
    or survey waves) and its chart. Descriptive: no test is attached to it.

    ``keys`` is the locale section of its texts: ``invariance`` (CB-SEM, each group's standardized
    paths) or ``pls_groups`` (each group's PLS path coefficients). Without ``means`` (the CB-SEM
    table already has them) the table holds the paths only, and there is no chart.
    """
    from .figures import tracking_chart
    t = b.loc.t
    order = list(groups.order or groups.nobs)
    paths = groups.tracked_paths()
    if len(order) < 2 or not (groups.means if means else paths):
        return []
    names = b.model_names()  # constructs, and a demographic of the model by its question
    rows = [[Cell(names.get(c, c)), *(Cell(v.get(g, float("nan")), "dec2") for g in order)]
            for c, v in groups.means.items()] if means else []
    arrow = t("invariance.arrow")
    for path, values in paths.items():
        rhs, lhs = path.split(" -> ")
        rows.append([Cell(f"{display_name(rhs, names)} {arrow} {display_name(lhs, names)} (β)"),
                     *(Cell(values.get(g, float("nan")), "r") for g in order)])
    kind = "" if means else "_paths"
    prefix = "group" if keys == "invariance" else "pls_group"
    table = b.table(f"{prefix}_tracking", t(f"{keys}.tracking{kind}_table", column=column_name),
                    [b.col("construct") if means else b.col("path"), *(label(g) for g in order)], rows,
                    notes=(t(f"{keys}.tracking{kind}_note"),))
    if not means:
        return [Paragraph(t(f"{keys}.tracking_paths_text", column=column_name, table=b.ref(table))), table]
    png = b.draw(tracking_chart, [label(g) for g in order],
                 [(names.get(c, c), [v.get(g, float("nan")) for g in order]) for c, v in groups.means.items()],
                 x_label=column_name, y_label=t("invariance.tracking_axis"), tick=b.loc.num, rtl=b.loc.rtl)
    figure = b.figure(f"{prefix}_tracking", t("invariance.tracking_figure", column=column_name), png)
    text = t("invariance.tracking_text", column=column_name, table=b.ref(table), figure=b.ref(figure))
    return [Paragraph(text), table, figure]


def pls_groups_section(b) -> Section | None:
    """MICOM and PLS-MGA of ``analyze --group`` with PLS-SEM: the decisions come from
    :mod:`loyaltysurvey.pls.mga`; thresholds and sources are stated in the tables' notes
    (Henseler, Ringle & Sarstedt, 2016; Henseler, Ringle & Sinkovics, 2009; Chin & Dibbern, 2010;
    Keil et al., 2000; Sarstedt, Henseler & Ringle, 2011)."""
    comp = getattr(b.r, "pls_groups", None)
    if comp is None or not comp.pairs:
        return None
    t = b.loc.t
    column = comp.column
    demo = next((d for d in b.q.demographics if d.id == column), None)
    column_name = b.loc.text(demo.name) if demo is not None else column

    def label(value: str) -> str:
        return b.category(demo, value)

    b.cite("henseler_micom2016", "henseler_mga2009", "chin_dibbern2010", "keil2000", "sarstedt_mga2011")
    names = b.model_names()
    many = len(comp.pairs) > 1
    pair_col = [t("pls_groups.columns.pair")] if many else []

    def pair_cell(pair) -> list[Cell]:
        return [Cell(f"{label(pair.group_a)} – {label(pair.group_b)}")] if many else []

    def yes_no(value) -> Cell:
        if value is None:
            return Cell(t("invariance.verdicts.na"))
        return Cell(t("pls_groups.verdicts.yes" if value else "pls_groups.verdicts.no"), emphasis=not value)

    micom_rows = []
    for pair in comp.pairs:
        for m in pair.micom:
            micom_rows.append(pair_cell(pair) + [
                Cell(display_name(m.construct, names)), Cell(m.c, "dec3"), Cell(m.c_q05, "dec3"),
                Cell(m.c_p, "p"), yes_no(m.compositional), Cell(m.mean_diff, "dec3"), Cell(m.mean_p, "p"),
                Cell(m.var_ratio_log, "dec3"), Cell(m.var_p, "p"),
                Cell(t(f"pls_groups.invariance.{m.invariance}"), emphasis=m.invariance == "none")])
    alpha = b.loc.num(comp.alpha, "r")
    micom = b.table("micom", t("pls_groups.micom_table", column=column_name),
                    pair_col + [b.col("construct"), "c", t("pls_groups.columns.c_q05"), t("pls_groups.columns.c_p"),
                                t("pls_groups.columns.compositional"), t("pls_groups.columns.mean_diff"),
                                t("pls_groups.columns.mean_p"), t("pls_groups.columns.var_log"),
                                t("pls_groups.columns.var_p"), t("pls_groups.columns.micom")],
                    micom_rows, notes=(t("pls_groups.micom_note", alpha=alpha,
                                         permutations=b.loc.num(comp.permutations)),))
    arrow = t("invariance.arrow")
    mga_rows = []
    for pair in comp.pairs:
        for p in pair.paths:
            verdict = (Cell(t("invariance.verdicts.na")) if p.different is None else
                       Cell(t("invariance.verdicts.different" if p.different else "invariance.verdicts.equal"),
                            emphasis=bool(p.different)))
            mga_rows.append(pair_cell(pair) + [
                Cell(f"{display_name(p.source, names)} {arrow} {display_name(p.target, names)}"),
                Cell(p.est_a, "dec3"), Cell(p.est_b, "dec3"), Cell(p.diff, "dec3"), Cell(p.p_henseler, "p"),
                Cell(p.p_permutation, "p"), Cell(p.p_parametric, "p"), Cell(p.p_welch, "p"), verdict])
    first = comp.pairs[0]
    mga = b.table("pls_mga", t("pls_groups.mga_table", column=column_name),
                  pair_col + [b.col("path"), t("pls_groups.columns.est_a", group=label(first.group_a)) if not many
                              else t("pls_groups.columns.est_first"),
                              t("pls_groups.columns.est_b", group=label(first.group_b)) if not many
                              else t("pls_groups.columns.est_second"),
                              t("pls_groups.columns.diff"), t("pls_groups.columns.p_henseler"),
                              t("pls_groups.columns.p_permutation"), t("pls_groups.columns.p_parametric"),
                              t("pls_groups.columns.p_welch"), b.col("verdict")],
                  mga_rows, notes=(t("pls_groups.mga_note", alpha=alpha, upper=b.loc.num(1 - comp.alpha, "r"),
                                     bootstrap=b.loc.num(comp.bootstrap),
                                     permutations=b.loc.num(comp.permutations)),))
    sizes = t("list.separator").join(f"{label(g)} ({b.loc.num(comp.nobs[g])})" for g in reading_order(comp.order, comp.nobs))
    compositional = [display_name(m.construct, names) for pair in comp.pairs for m in pair.micom
                     if m.compositional is False]
    different = [f"{display_name(p.source, names)} {arrow} {display_name(p.target, names)}"
                 for pair in comp.pairs for p in pair.paths if p.different]
    text = t("pls_groups.text", column=column_name, sizes=sizes, micom=b.ref(micom), mga=b.ref(mga))
    if b.q.higher_order:  # the group models measure them by repeated indicators (analysis.pls_groups)
        text += " " + t("pls_groups.repeated_indicators",
                        names=b.loc.join([display_name(c.id, names) for c in b.q.higher_order]))
    micom_text = (t("pls_groups.micom_fails", constructs=b.loc.join(list(dict.fromkeys(compositional))))
                  if compositional else t("pls_groups.micom_holds"))
    mga_text = (t("pls_groups.mga_different", paths=b.loc.join(list(dict.fromkeys(different))))
                if different else t("pls_groups.mga_equal"))
    # the tracking table of the PLS paths (with the means and their chart when CB-SEM did not show them)
    cb_tracking = getattr(b.r, "groups", None) is not None and bool(b.r.groups.means)
    tracking = _tracking_blocks(b, comp, label, column_name, keys="pls_groups", means=not cb_tracking)
    return Section("pls_groups", t("pls_groups.title"),
                   (Paragraph(text), Paragraph(micom_text), micom, Paragraph(mga_text), mga, *tracking))
