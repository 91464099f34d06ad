"""The moderation part of the structural-model section: the interaction paths, simple slopes and plots.

Built from :attr:`~loyaltysurvey.analysis.cbsem.CBSEMResults.moderation` (computed by
:func:`~loyaltysurvey.sem.moderation.probe_interaction`); nothing is computed here but the
heights of the plotted lines (``b2 w``, the moderator's own path at each probed value). The
wording, thresholds and sources come from the locale files (``moderation.*``): product
indicators with double-mean-centring (Marsh, Wen & Hau, 2004; Lin et al., 2010), simple slopes
at -1 SD, the mean and +1 SD (Aiken & West, 1991), the Johnson-Neyman interval (Johnson &
Neyman, 1936; Preacher, Curran & Bauer, 2006), and a note that the latent moderated structural
equations / quasi-ML estimators (Klein & Moosbrugger, 2000) were not used.
"""

from __future__ import annotations

import math
from typing import Any

from .document import Cell, Paragraph
from .figures import simple_slope_chart

__all__ = ["moderation_blocks", "pls_moderation_blocks", "display_name"]


def display_name(name: str, names: dict[str, str]) -> str:
    """A construct's name, or ``A × B`` for an interaction term ``A:B``.

    >>> display_name("IMAG:CUEX", {"IMAG": "Image", "CUEX": "Expectation"})
    'Image × Expectation'
    """
    if ":" in name:
        left, _, right = name.partition(":")
        return f"{names.get(left, left)} × {names.get(right, right)}"
    return names.get(name, name)


def moderation_blocks(b: Any, names: dict[str, str], arrow: str) -> list:
    """The paragraph, the table of simple slopes and one simple-slope figure per moderation."""
    cb = b.r.cbsem
    results = cb.moderation if cb is not None else ()
    if not results:
        return []
    t = b.loc.t
    num = b.loc.num
    rows = []
    for m in results:
        path = b._chain(names, arrow, m.source, (), m.target)
        inter = m.interaction
        rows.append([Cell(t("moderation.row_interaction", moderator=names.get(m.moderator, m.moderator), path=path)),
                     Cell(inter["est"], "dec3"), Cell(inter["std_all"], "r3"), Cell(inter["se"], "dec3"),
                     Cell(inter["pvalue"], "p"), Cell((inter["ci_lower"], inter["ci_upper"]), "ci:dec3")])
        for s in m.slopes:
            rows.append([Cell(t("moderation.row_slope", at=t(f"moderation.at.{_at_key(s.at)}"),
                                moderator=names.get(m.moderator, m.moderator))),
                         Cell(s.est, "dec3"), Cell(""), Cell(s.se, "dec3"), Cell(s.pvalue, "p"),
                         Cell((s.ci_lower, s.ci_upper), "ci:dec3")])
    table = b.table("moderation", t("moderation.table"),
                    [t("moderation.col_effect"), b.col("estimate"), b.col("std_estimate"), b.col("se"), b.col("p"),
                     t("columns_h.ci95")], rows, notes=(t("moderation.table_note"),))
    method = t("moderation.boot") if any(m.method == "bootstrap" for m in results) else t("moderation.noboot")
    blocks: list = [Paragraph(t("moderation.text", table=b.ref(table), method=method)), table]
    sentences = []
    for m in results:
        sentences.append(_jn_sentence(b, m, names))
    blocks.append(Paragraph(" ".join(sentences)))
    for m in results:
        labels = [t(f"moderation.tick.{_at_key(s.at)}") for s in m.slopes]
        heights = [m.moderator_effect * s.value for s in m.slopes]
        png = b.draw(simple_slope_chart, [s.est for s in m.slopes], heights, labels, m.focal_sd,
                                 x_label=names.get(m.source, m.source), y_label=names.get(m.target, m.target),
                                 legend_title=names.get(m.moderator, m.moderator), tick=num,
                                 x_ticks=[t("moderation.tick.minus"), t("moderation.tick.mean"),
                                          t("moderation.tick.plus")], rtl=b.loc.rtl)
        blocks.append(b.figure(f"slopes_{m.source}_{m.moderator}_{m.target}",
                               t("moderation.figure", moderator=names.get(m.moderator, m.moderator),
                                 path=b._chain(names, arrow, m.source, (), m.target)), png))
    blocks.extend(_moderated_mediation(b, names, arrow))
    blocks.append(Paragraph(t("moderation.alternatives")))
    return blocks


def _moderated_mediation(b: Any, names: dict[str, str], arrow: str, records: Any = None, id: str = "moderated_mediation",
                         note: str = "", estimate: str = "estimate") -> list:
    """The index of moderated mediation and the conditional indirect effects (Hayes, 2015): of CB-SEM
    (``ModeratedMediation`` results), or of ``records`` (PLS-SEM's dictionaries, bootstrap inference)."""
    results = getattr(b.r.cbsem, "moderated_mediation", ()) if records is None else records
    if not results:
        return []
    t = b.loc.t

    def get(obj: Any, key: str) -> Any:
        return obj.get(key) if isinstance(obj, dict) else getattr(obj, key)

    rows = []
    for m in results:
        through = get(m, "through")
        through = tuple(through) if isinstance(through, (list, tuple)) else (through,)
        chain = b._chain(names, arrow, get(m, "source") if records is None else m["from"], through,
                         get(m, "target") if records is None else m["to"])
        moderator = names.get(get(m, "moderator"), get(m, "moderator"))
        i = get(m, "index")
        rows.append([Cell(t("moderation.mm_index", chain=chain, moderator=moderator)), Cell(i["est"], "dec3"),
                     Cell(i.get("se"), "dec3"), Cell(i.get("pvalue"), "p"),
                     Cell((i.get("ci_lower"), i.get("ci_upper")), "ci:dec3")])
        for c in get(m, "conditional"):
            rows.append([Cell(t("moderation.mm_conditional", at=t(f"moderation.at.{_at_key(get(c, 'at'))}"),
                                moderator=moderator)),
                         Cell(get(c, "est"), "dec3"), Cell(get(c, "se"), "dec3"), Cell(get(c, "pvalue"), "p"),
                         Cell((get(c, "ci_lower"), get(c, "ci_upper")), "ci:dec3")])
    table = b.table(id, t("moderation.mm_table"),
                    [t("moderation.col_effect"), b.col(estimate), b.col("se"), b.col("p"), t("columns_h.ci95")],
                    rows, notes=(note,) if note else ())
    return [Paragraph(t("moderation.mm_text", table=b.ref(table))), table]


def _at_key(at: float) -> str:
    return "minus" if at < 0 else "plus" if at > 0 else "mean"


def _jn_sentence(b: Any, m: Any, names: dict[str, str]) -> str:
    """The Johnson-Neyman interval in words, in SDs of the moderator from its mean."""
    t = b.loc.t
    jn = m.jn
    who = {"moderator": names.get(m.moderator, m.moderator), "source": names.get(m.source, m.source),
           "target": names.get(m.target, m.target)}
    region = jn.get("region")
    if region in ("everywhere", "nowhere"):
        return t(f"moderation.jn_{region}", **who)
    lo, hi = jn.get("lower_sd"), jn.get("upper_sd")
    if lo is None or hi is None or math.isnan(lo) or math.isnan(hi):
        return t("moderation.jn_nowhere", **who)
    sentence = t(f"moderation.jn_{region}", lower=b.loc.num(lo, "dec2"), upper=b.loc.num(hi, "dec2"), **who)
    beyond = [b.loc.num(v, "dec2") for v in (lo, hi) if abs(v) > JN_FAR]
    if beyond:  # a bound where hardly any respondent is: say so, as it changes what the region means
        sentence += " " + t("moderation.jn_beyond_one" if len(beyond) == 1 else "moderation.jn_beyond_both",
                            bounds=b.loc.join(beyond), moderator=who["moderator"])
    return sentence


#: A Johnson-Neyman bound further than this many SDs from the moderator's mean lies beyond nearly
#: all the data (99.7 % of a normal variable is within 3 SD).
JN_FAR = 3.0


def pls_moderation_blocks(b: Any, fit: Any, names: dict[str, str], arrow: str) -> list:
    """PLS-SEM moderation: the interaction paths with f², the simple slopes with bootstrap intervals
    (seminr's ``slope_analysis``) and a simple-slope figure per interaction."""
    records = fit.moderation_records
    if not records:
        return []
    t = b.loc.t
    paths = {(r["from"], r["to"]): r for r in fit.path_records}
    f2 = fit.evaluation["f2"]
    rows = []
    for m in records:
        p = paths[(m["term"], m["to"])]
        path = b._chain(names, arrow, m["from"], (), m["to"])
        moderator = names.get(m["moderator"], m["moderator"])
        rows.append([Cell(t("moderation.row_interaction", moderator=moderator, path=path)), Cell(p["est"], "r3"),
                     Cell(p.get("se"), "dec3"), Cell(p.get("pvalue"), "p"),
                     Cell((p.get("ci_lower"), p.get("ci_upper")), "ci:dec3"),
                     Cell(f2.get(m["term"], {}).get(m["to"]), "r3")])
        for s in m["slopes"]:
            rows.append([Cell(t("moderation.row_slope", at=t(f"moderation.at.{_at_key(s['at'])}"), moderator=moderator)),
                         Cell(s["est"], "r3"), Cell(s.get("se"), "dec3"), Cell(s.get("pvalue"), "p"),
                         Cell((s.get("ci_lower"), s.get("ci_upper")), "ci:dec3"), Cell("")])
    table = b.table("pls_moderation", t("moderation.pls_table"),
                    [t("moderation.col_effect"), b.col("estimate"), b.col("se"), b.col("p"), t("columns_h.ci95"),
                     "f²"], rows, notes=(t("moderation.pls_note"),))
    method = getattr(b.r.settings, "pls_interaction", "product_indicator") or "product_indicator"
    blocks: list = [Paragraph(t("moderation.pls_text", table=b.ref(table), method=t(f"moderation.pls_{method}"))),
                    table]
    for m in records:
        b2 = paths.get((m["moderator"], m["to"]), {}).get("est", 0.0)
        labels = [t(f"moderation.tick.{_at_key(s['at'])}") for s in m["slopes"]]
        png = b.draw(simple_slope_chart, [s["est"] for s in m["slopes"]], [b2 * s["value"] for s in m["slopes"]], labels, 1.0,
                                 x_label=names.get(m["from"], m["from"]), y_label=names.get(m["to"], m["to"]),
                                 legend_title=names.get(m["moderator"], m["moderator"]), tick=b.loc.num,
                                 x_ticks=[t("moderation.tick.minus"), t("moderation.tick.mean"),
                                          t("moderation.tick.plus")], rtl=b.loc.rtl)
        blocks.append(b.figure(f"pls_slopes_{m['from']}_{m['moderator']}_{m['to']}",
                               t("moderation.figure", moderator=names.get(m["moderator"], m["moderator"]),
                                 path=b._chain(names, arrow, m["from"], (), m["to"])), png))
    resamples = getattr(fit, "resamples", None)
    blocks += _moderated_mediation(b, names, arrow, fit.moderated_mediation_records, "pls_moderated_mediation",
                                   t("moderation.pls_mm_note", resamples=b.loc.num(resamples.successful, "int"))
                                   if resamples is not None else t("moderation.pls_mm_untested"), "std_estimate")
    return blocks
