"""Building the report model from analysis results (no statistics are computed here).

:func:`build_report` lays out the chapter in the order theses use: sample and
response, demographics, descriptives, missing data, normality (univariate and
multivariate), the constructs' status against the scale midpoint, reliability,
sampling adequacy, common method bias, the models, data-quality notes,
references (the sections of the measurement checks are in :mod:`.screening`).
Texts come from the locale files; numbers stay numbers.
"""

from __future__ import annotations

import math
import re
import shutil
from collections import Counter

from datetime import date
from itertools import count
from typing import Any

import numpy as np

from ..analysis import AnalysisResults
from ..errors import Notice
from .locale import Locale, decisive_format as _decisive, load_locale
from .notices import notice_text
from .figures import bar_chart, ipma_chart, measurement_diagrams, path_diagrams
from .painting import Drawing, InlinePainter, Painter
from ..thresholds import (ALPHA, AVE, CR, FIT_NO_VERDICT, HTMT, LOADING_PLS, LOADING_STD, NORMAL, Q2_PREDICT,
                          R2_BANDS, ROBUST_FIT, R_DROP, RHO_A, VIF, f2_bands, fit_verdict, judged_fit)
from .document import (Callout, Cell, Figure, Paragraph, Report, Section, Table, chapter_text, cited_references,
                       reference_key)
from .comparison import comparison_section
from .groups import invariance_section, pls_groups_section
from .moderation import display_name, moderation_blocks, pls_moderation_blocks
from .screening import (adequacy_section, common_method_section, construct_tests_section, data_quality_section,
                        efa_section,
                        missing_section, multivariate_normality_section)

__all__ = ["build_report"]

#: The criteria each engine's validity paragraph states, in order.
_CB_CHECKS = ("loading", "cr", "ave", "fornell_larcker", "htmt")
_PLS_CHECKS = ("pls_loading", "alpha", "rho_a", "cr", "ave", "htmt", "item_vif", "vif", "q2", "q2_blindfolding")



def _n(value: Any) -> Any:
    if isinstance(value, (np.floating, np.integer)):
        return value.item()
    return value


def _judged(value: Any, fmt: str, cutoff: Any) -> Cell:
    """``value`` in a cell against ``cutoff`` (a :class:`~loyaltysurvey.thresholds.Cutoff`): marked when
    it fails, with the digits that show which side of the cut-off it is on (:func:`~loyaltysurvey.report.locale.decisive_format`)."""
    return Cell(value, _decisive(fmt, value, cutoff.passes), cutoff.passes(value) is False)


def _tested(records: Any) -> bool:
    """Whether any of ``records`` (PLS loadings, paths, HTMT pairs) has a bootstrap interval."""
    return any(isinstance(r.get("ci_lower"), (int, float)) and math.isfinite(r["ci_lower"]) for r in records)


def _without(columns: list, rows: list, drop: tuple[int, ...]) -> tuple[list, list]:
    """``columns`` and ``rows`` less the columns at the positions ``drop``."""
    keep = [k for k in range(len(columns)) if k not in drop]
    return [columns[k] for k in keep], [[row[k] for k in keep] for row in rows]


def _within_normal(value: float) -> bool:
    return bool(NORMAL.passes(abs(value)))


def _no_answer(value: Any) -> bool:
    """Whether a frequency table's category is its no-answer row (None; NaN from a string column)."""
    return value is None or (isinstance(value, float) and math.isnan(value))


def _in_sentence(name: str) -> str:
    """A title-case label as it reads mid-sentence ("Age group" -> "age group"; "CRM use" is kept)."""
    return name[:1].lower() + name[1:] if name[:1].isupper() and name[1:2].islower() else name


class _Builder:
    def __init__(self, results: AnalysisResults, lang: str, today: date, painter: Painter | None = None) -> None:
        self.r = results
        self.painter = painter or InlinePainter()
        self.q = results.questionnaire
        self.loc: Locale = load_locale(lang, getattr(results.settings, "decimal", None))
        self.lang = lang
        self.today = today
        self._numbers = count(1)
        self._figures = count(1)
        self.cited: set[str] = set()
        self._notices: list[Notice] = []  # what building the chapter itself has to report

    def table(self, id: str, caption: str, columns: list[str], rows: list[list[Cell]],
              notes: tuple[str, ...] = ()) -> Table:
        setting = getattr(self.r.settings, "table_source", "auto") or "auto"
        shown = setting == "on" or setting == "auto" and bool(self.loc.data.get("source_line_default", False))
        number = next(self._numbers)
        return Table(id, caption, tuple(columns), tuple(tuple(r) for r in rows), tuple(notes), number,
                     source=self.loc.t("notes.source") if shown else "", label=self._label(number))

    def cite(self, *keys: str) -> None:
        """Add the references of the methods a section shows (keys of the locale's ``method_references``);
        only these, of those conditional references, enter the reference list."""
        self.cited.update(keys)

    def method_references(self) -> set[str]:
        """The cited entries of the locale's ``method_references`` (unknown keys are skipped)."""
        table = self.loc.data.get("method_references") or {}
        return {table[k] for k in self.cited if k in table}

    def figure(self, id: str, caption: str, png: bytes | Drawing, width: float = 6.0) -> Figure:
        """A numbered figure of ``png`` or of a :class:`~loyaltysurvey.report.painting.Drawing`
        (from :meth:`draw`), which gives the picture and its width when it is done."""
        number = next(self._figures)
        if isinstance(png, Drawing):
            return Figure(id, caption, b"", number, width, label=self._label(number), drawing=png)
        return Figure(id, caption, png, number, width, label=self._label(number))

    def draw(self, fn, /, *args, **kwargs) -> Drawing:
        """Have the painter draw ``fn(*args, **kwargs)`` (a function of :mod:`.figures`) while the
        chapter is built on; see :mod:`loyaltysurvey.report.painting`."""
        return self.painter.draw(fn, *args, **kwargs)

    def _label(self, number: int) -> str:
        """A caption's number as theses give it: by chapter (4-1 in Persian, 4.1 in English) unless the
        chapter number is 0."""
        chapter = getattr(self.r.settings, "chapter", 0) or 0
        return f"{chapter}{self.loc.data.get('caption_number_separator', '.')}{number}" if chapter else str(number)

    def _chapter_title(self, chapter: int) -> str:
        """"Chapter 4: Data Analysis and Results" / «فصل چهارم: ...» for the thesis chapter's number."""
        if not chapter:
            return self.loc.t("chapter_plain")
        ordinals = self.loc.data.get("ordinals") or []
        ordinal = ordinals[chapter] if chapter < len(ordinals) else self.loc.num(chapter)
        return self.loc.t("chapter", n=chapter, ordinal=ordinal)

    def ref(self, block) -> str:
        """How the text names a table or figure: its caption number in the chapter's digits."""
        return self.loc.digits(block.label or str(block.number))

    def diagram(self, id: str, caption: str, drawing: Drawing) -> Figure:
        """A model diagram as a figure printed at its own size (never wider than the text), so
        that its type keeps the size it was laid out with: ``drawing`` is one variant of
        :func:`.figures.path_diagrams` or :func:`.figures.measurement_diagrams`, which lay the
        model out with Graphviz's ``dot`` when it is installed."""
        if shutil.which("dot") is None and not any(n.code == "figures_without_graphviz" for n in self._notices):
            self._notices.append(Notice(
                "figures_without_graphviz",
                "Graphviz was not found, so the model diagrams were laid out by the simpler built-in "
                "layout; install Graphviz (for example apt-get install graphviz) and run the analysis again "
                "for the usual layout.", "dot",
                params={"program": "Graphviz", "command": "apt-get install graphviz"}))
        return self.figure(id, caption, drawing)

    def _measurement_diagrams(self, prefix: str, rows: list[tuple[str, str, float, float, float]],
                              captions: tuple[str, str], stat: str, formative: tuple[str, ...] = ()) -> list[Figure]:
        """Two measurement-model diagrams as theses show them: the standardized loadings, and
        their t (PLS) or z (CB-SEM) values.

        ``rows`` are (construct, indicator, standardized loading, t or z, p); a loading fixed
        to identify its construct (no test) shows no t or z. The rows of ``formative``
        constructs hold their outer weights, drawn from the items to the construct.
        """
        if not rows:
            return []
        names = {c.id: self.loc.text(c.name) for c in self.q.constructs}
        for lhs, _, _, _, _ in rows:  # a higher-order construct stated in the model is named by its id,
            names.setdefault(lhs, display_name(lhs, names))  # an interaction term A:B as "A × B"

        def stars(p: float) -> str:
            return "" if p is None or math.isnan(p) else ("**" if p < 0.01 else ("*" if p < 0.05 else ""))

        def value(z) -> str:
            return "" if z is None or (isinstance(z, float) and math.isnan(z)) else self.loc.num(z, "dec2")

        pairs = [(c, i) for c, i, _, _, _ in rows]
        texts = [[self.loc.num(b, "r") + stars(p) for _, _, b, _, p in rows],
                 [value(z) for _, _, _, z, _ in rows]]
        tested = any(texts[1])
        drawing = self.draw(measurement_diagrams, names, pairs, texts if tested else texts[:1], rtl=self.loc.rtl,
                            formative=tuple(formative), variants=True)
        caption = captions[0] if tested or len(captions) < 3 else captions[2]  # no test: no star legend
        figures = [self.diagram(f"{prefix}_measurement", caption, drawing)]
        if tested:  # without standard errors or resamples there are no t or z values to show
            figures.append(self.diagram(f"{prefix}_measurement_{stat}", captions[1], drawing.variant(1)))
        return figures

    def _diagrams(self, prefix: str, rows: list[tuple[str, str, float, float, float]],
                  r2: dict[str, float] | None = None) -> list[Figure]:
        """Two path diagrams as theses show them: standardized coefficients (with each explained
        construct's R²), and t-values.

        ``rows`` are (source, target, standardized estimate, t or z, p).
        """
        t = self.loc.t
        names = self.model_names()
        # the questionnaire's constructs in its order, then any other variable of a path (a
        # higher-order construct stated in the model), named by its id
        ends = [v for r in rows for v in r[:2]]
        nodes = [c.id for c in self.q.constructs if c.id in ends]
        nodes += [v for v in dict.fromkeys(ends) if v not in nodes]
        names.update({v: display_name(v, names) for v in nodes if ":" in v})  # an interaction: "A × B"
        if not rows or not nodes:  # a measurement model only: no structural paths to draw
            return []

        def stars(p: float) -> str:
            return "" if math.isnan(p) else ("**" if p < 0.01 else ("*" if p < 0.05 else ""))

        coef = [(s, g, self.loc.num(b, "r") + stars(p)) for s, g, b, _, p in rows]
        tval = [(s, g, self.loc.num(z, "dec2")) for s, g, _, z, _ in rows]
        bold = [(s, g) for s, g, _, _, p in rows if not math.isnan(p) and p < 0.05]
        inside = {c: f"R² = {self.loc.num(v, 'r')}" for c, v in (r2 or {}).items() if c in nodes}
        tested = any(not math.isnan(z) for _, _, _, z, _ in rows)
        if not tested:  # no SEs or resamples: the estimates only, with no star legend and no t figure
            drawing = self.draw(path_diagrams, nodes, names, [coef], rtl=self.loc.rtl, inside=[inside],
                                variants=True)
            return [self.diagram(f"{prefix}_std", t("figures.standardized_plain"), drawing)]
        # one layout for both: the model stands the same way in the two figures
        drawing = self.draw(path_diagrams, nodes, names, [coef, tval], rtl=self.loc.rtl, bold=bold,
                            inside=[inside, None], variants=True)
        return [self.diagram(f"{prefix}_std", t("figures.standardized"), drawing),
                self.diagram(f"{prefix}_t", t("figures.tvalues"), drawing.variant(1))]

    def item_label(self, item) -> str:
        """An item's id, marked in the chapter's language when it is reverse-worded."""
        return f"{item.id} {self.loc.t('marks.reverse')}" if item.reverse else item.id

    def item_id_label(self, item_id: str) -> str:
        """:meth:`item_label` of the questionnaire's item ``item_id``; any other name as it is."""
        item = next((i for c in self.q.constructs for i in c.items if i.id == item_id), None)
        return self.item_label(item) if item is not None else item_id

    def reverse_note_of(self, item_ids) -> tuple[str, ...]:
        """:meth:`reverse_note` of a table that lists the items ``item_ids`` (other names ignored)."""
        listed = set(item_ids)
        return self.reverse_note([[i for c in self.q.constructs for i in c.items if i.id in listed]])

    def reverse_note(self, item_groups) -> tuple[str, ...]:
        """The table note explaining the reverse-item mark, when the table lists a reverse-worded item."""
        if any(item.reverse for group in item_groups for item in group):
            return (f"{self.loc.t('marks.reverse')} {self.loc.t('notes.reverse')}",)
        return ()

    def col(self, key: str) -> str:
        return self.loc.t(f"columns.{key}")

    def category(self, demo, value: Any) -> str:
        """How a demographic's answer (or a group) is named: its ``values:`` label when the
        questionnaire gives one, else the answer as read, its digits in the chapter's digits
        unless it holds Latin letters (so «۱۸-۲۵» in a Persian chapter whichever digits the
        export used, and «MBA2» as written)."""
        if demo is not None and value in demo.values:
            return self.loc.text(demo.values[value])
        if demo is not None and demo.id in self.r.demographic_summaries:  # a band of numbers, as its table names it
            table = self.r.demographics[demo.id]
            row = table[table["value"] == value]
            if len(row):
                return self.band(row["low"].iloc[0], row["high"].iloc[0],
                                 bool(self.r.demographic_summaries[demo.id].get("integer")))
        text = str(value)
        return text if re.search(r"[A-Za-z]", text) else self.loc.digits(text)

    def model_names(self) -> dict[str, str]:
        """How the chapter names the model's variables: each construct by its name, and each
        demographic the structural model uses (a moderator such as age) by its question's name."""
        names = {d.id: self.loc.text(d.name) or d.id for d in self.q.demographics}
        names.update({c.id: self.loc.text(c.name) for c in self.q.constructs})
        return names

    # ------------------------------------------------------------------ sections
    def sample(self) -> Section:
        led = self.r.ingest.ledger
        t = self.loc.t
        duplicates = led.duplicate_rows
        excluded = len(led.excluded)
        recoded = sum(led.recoded_cells.values())
        rows_key = ("sample.rows_kept" if not excluded else "sample.rows_duplicates" if excluded == duplicates
                    else "sample.rows_excluded")
        parts = [t(rows_key, input_rows=led.input_rows, excluded=excluded, duplicates=duplicates,
                   other=excluded - duplicates, respondents=led.respondents),
                 t("sample.recoded", recoded=recoded) if recoded else t("sample.recoded_none")]
        if led.out_of_range:
            parts.append(t("sample.out_of_range", out_of_range=len(led.out_of_range)))
        parts.append(t("sample.straightliners", straightliners=len(led.straightliners)) if led.straightliners
                     else t("sample.straightliners_none"))
        text = " ".join(parts)
        rows = [[Cell(t(f"ledger_rows.{k}")), Cell(v, "int")] for k, v in (
            ("input_rows", led.input_rows), ("duplicate_rows", duplicates), ("excluded", excluded),
            ("respondents", led.respondents), ("out_of_range", len(led.out_of_range)),
            ("unreadable", len(led.unreadable)), ("straightliners", len(led.straightliners)))]
        blocks: list = [Paragraph(text),
                        self.table("ledger", t("tables.ledger"), [self.col("quantity"), self.col("value")], rows)]
        recoded_rows = [[Cell(t(f"recoded_rows.{k}")), Cell(v, "int")]
                        for k, v in led.recoded_cells.items() if v]
        if recoded_rows:
            blocks.append(self.table("recoded", t("tables.recoded"), [self.col("kind"), self.col("frequency")],
                                     recoded_rows))
        if led.excluded:
            rows = []
            for e in led.excluded:
                reason = e["reason"]
                label = t(f"reasons.{reason}", row=e.get("duplicate_of_row", "")) if reason else ""
                rows.append([Cell(e["row"], "int"), Cell(e.get("respondent_id") or ""), Cell(label)])
            blocks.append(self.table("exclusions", t("tables.exclusions"),
                                     [self.col("row"), self.col("respondent"), self.col("reason")], rows))
        return Section("sample", t("sections.sample"), tuple(blocks))

    def demographics(self) -> Section | None:
        if not self.r.demographics:
            return None
        t = self.loc.t
        blocks: list = []
        names = []
        for demo in self.q.demographics:
            table = self.r.demographics.get(demo.id)
            if table is None:
                continue
            name = self.loc.text(demo.name)
            names.append(name)
            if "percent_of_respondents" in table.columns:
                blocks.extend(self._multiple_demographic(demo, table, name))
                continue
            rows = []
            records = table.to_dict(orient="records")
            summary = self.r.demographic_summaries.get(demo.id)
            for rec in records:
                value = rec["value"]
                if _no_answer(value):
                    label = t("notes.missing")
                elif summary is not None:
                    label = self.band(rec.get("low"), rec.get("high"), bool(summary.get("integer")))
                else:
                    label = self.category(demo, value)
                rows.append([Cell(label), Cell(_n(rec["frequency"]), "int"), Cell(_n(rec["percent"]), "pct"),
                             Cell(_n(rec["valid_percent"]), "pct"), Cell(_n(rec["cumulative_percent"]), "pct")])
            data_rows = list(rows)
            if rows:
                rows.append([Cell(t("notes.total_row")), Cell(int(table["frequency"].sum()), "int"),
                             Cell(100.0, "pct"), Cell(None, "pct"), Cell(None, "pct")])
            notes = () if summary is None else (t("notes.numeric_demographic", name=name, n=self.loc.num(summary["n"]),
                                                    mean=self.loc.num(summary["mean"], "dec2"),
                                                    sd=self.loc.num(summary["sd"], "dec2"),
                                                    median=self.loc.num(summary["median"], "g"),
                                                    min=self.loc.num(summary["min"], "g"),
                                                    max=self.loc.num(summary["max"], "g")),)
            tbl = self.table(f"demographic_{demo.id}", t("tables.frequency", name=name),
                             [self.col("category"), self.col("frequency"), self.col("percent"),
                              self.col("valid_percent"), self.col("cumulative_percent")], rows, notes=notes)
            blocks.append(tbl)
            if rows:
                percents = [float("nan") if _no_answer(rec["value"]) else _n(rec["valid_percent"])
                            for rec in records]
                shown = [(r[0].value, p) for r, p in zip(data_rows, percents) if not math.isnan(p)]
                chart = self.draw(bar_chart, [c for c, _ in shown], [p for _, p in shown],
                                  [t("labels.percent", value=self.loc.num(p, "pct")) for _, p in shown],
                                  t("figures.percent_axis"), self.loc.rtl, width=4.5)
                blocks.append(self.figure(f"demographic_{demo.id}", t("figures.demographic", name=name), chart,
                                          width=4.5))
        tables = [b for b in blocks if isinstance(b, Table)]
        figures = [b for b in blocks if isinstance(b, Figure)]
        key = ("demographics_text_two" if len(tables) == 2 and len(figures) == 2 else  # "4.4 and 4.5", not "4.4–4.5"
               "demographics_text" if len(tables) > 1 and len(figures) > 1 else "demographics_text_one")
        blocks.insert(0, Paragraph(t(key, first=self.ref(tables[0]), last=self.ref(tables[-1]),
                                     first_figure=self.ref(figures[0]) if figures else "–",
                                     last_figure=self.ref(figures[-1]) if figures else "–",
                                     names=self.loc.join([_in_sentence(n) for n in names]))))
        return Section("demographics", t("sections.demographics"), tuple(blocks))

    def band(self, low: Any, high: Any, integer: bool) -> str:
        """A band of a demographic answered as a number, in the chapter's words and digits: "under
        20", "20–29" (whole numbers: the band's last value), "70 and over", "2.5 to under 3"."""
        t = self.loc.t

        def show(x: Any) -> str:
            return self.loc.num(float(x), "g")

        if _no_answer(low) and _no_answer(high):  # no edges (banded_frequency_table(values, [])): one band
            return t("labels.band_all")
        if _no_answer(low):
            return t("labels.band_under", high=show(high))
        if _no_answer(high):
            return t("labels.band_over", low=show(low))
        if integer and float(low).is_integer() and float(high).is_integer():
            return t("labels.band", low=show(low), high=show(float(high) - 1))
        return t("labels.band_real", low=show(low), high=show(high))

    def _multiple_demographic(self, demo, table, name: str) -> list:
        """A multi-select demographic: its multiple-response table (respondents and responses per
        option, :func:`~loyaltysurvey.analysis.descriptives.multiple_response_table`), the note
        that percentages of respondents add up to more than 100, and a bar per option."""
        t = self.loc.t
        rows, shown = [], []
        for rec in table.to_dict(orient="records"):
            kind, value = rec["row"], rec["value"]
            if kind == "no_answer":
                rows.append([Cell(t("notes.missing")), Cell(_n(rec["frequency"]), "int"), Cell(None, "pct"),
                             Cell(None, "int"), Cell(None, "pct")])
                continue
            if kind == "total":
                label = t("notes.total_row")
            else:
                label = self.category(demo, value)
                pct = _n(rec["percent_of_respondents"])
                if pct is not None and not math.isnan(pct):
                    shown.append((label, pct))
            rows.append([Cell(label), Cell(_n(rec["frequency"]), "int"), Cell(_n(rec["percent_of_respondents"]), "pct"),
                         Cell(_n(rec["responses"]), "int"), Cell(_n(rec["percent_of_responses"]), "pct")])
        blocks: list = [self.table(f"demographic_{demo.id}", t("tables.frequency_multiple", name=name),
                                   [self.col("option"), self.col("respondents_n"), self.col("percent_of_respondents"),
                                    self.col("responses_n"), self.col("percent_of_responses")], rows,
                                   notes=(t("notes.multiple"),))]
        if shown:
            chart = self.draw(bar_chart, [c for c, _ in shown], [p for _, p in shown],
                              [t("labels.percent", value=self.loc.num(p, "pct")) for _, p in shown],
                              t("figures.percent_axis"), self.loc.rtl, width=4.5)
            blocks.append(self.figure(f"demographic_{demo.id}", t("figures.demographic", name=name), chart,
                                      width=4.5))
        return blocks

    def descriptives(self) -> Section:
        t = self.loc.t
        scale = self.q.scale
        reversed_items = any(item.reverse for c in self.q.constructs for item in c.items)
        anchors = t("descriptives_anchors", min=scale.min, max=scale.max,
                    min_label=scale.label(scale.min, self.lang),
                    max_label=scale.label(scale.max, self.lang)) if scale.labels else ""
        text = t("descriptives_text", points=len(scale.points), anchors=anchors,
                 reverse=t("descriptives_reverse") if reversed_items else "")
        own = [item for c in self.q.constructs for item in c.items if item.scale.points != scale.points]
        if own:  # items on a scale of their own (an NPS item of 0 to 10 among 1-to-5 items) are named
            text += " " + t("descriptives_other_scales", items=self.loc.join(
                [f"{self.item_label(item)} ({self.loc.num(item.scale.min)}–{self.loc.num(item.scale.max)})"
                 for item in own]))
        stats = self.r.item_stats
        worded = any(self.loc.text(item.text) for c in self.q.constructs for item in c.items)
        rows = []
        for c in self.q.constructs:
            for item in c.items:
                s = stats.loc[item.id]
                rows.append([Cell(self.item_label(item))] + ([Cell(self.loc.text(item.text))] if worded else []) +
                            [Cell(_n(s["n"]), "int"), Cell(_n(s["mean"]), "dec2"), Cell(_n(s["sd"]), "dec2"),
                             Cell(_n(s["skewness"]), "dec2"), Cell(_n(s["kurtosis"]), "dec2")])
        items_table = self.table("items", t("tables.items"),
                                 [self.col("item")] + ([self.col("text")] if worded else []) +
                                 [self.col("n"), self.col("mean"), self.col("sd"), self.col("skewness"),
                                  self.col("kurtosis")], rows,
                                 notes=self.reverse_note(c.items for c in self.q.constructs))
        dist_tables = self._distribution_tables(scale)
        cs = self.r.construct_stats
        c_rows = []
        for c in self.q.constructs:
            s = cs.loc[c.id]
            c_rows.append([Cell(self.loc.text(c.name)), Cell(len(self.q.construct_items(c.id)), "int"), Cell(_n(s["n"]), "int"),
                           Cell(_n(s["mean"]), "dec2"), Cell(_n(s["sd"]), "dec2"), Cell(_n(s["min"]), "dec2"),
                           Cell(_n(s["max"]), "dec2")])
        construct_table = self.table("constructs", t("tables.constructs"),
                                     [self.col("construct"), self.col("items_k"), self.col("n"), self.col("mean"),
                                      self.col("sd"), self.col("min"), self.col("max")], c_rows)
        return Section("descriptives", t("sections.descriptives"),
                       (Paragraph(text), items_table, *dist_tables, construct_table))

    def _distribution_tables(self, scale) -> list[Table]:
        """The percentage of answers at each scale point: one table per scale, the questionnaire's
        first (its points labelled), then one for each other scale items use, with its own points."""
        t = self.loc.t
        items = [item for c in self.q.constructs for item in c.items]
        dist = self.r.distribution
        groups: dict[tuple, list] = {}
        for item in items:
            groups.setdefault((item.scale.min, item.scale.max), []).append(item)
        main = (scale.min, scale.max)
        order = ([main] if main in groups else []) + [k for k in groups if k != main]
        tables = []
        for k, key in enumerate(order):
            members = groups[key]
            own = members[0].scale if key != main else scale
            points = [p for p in own.points if p in dist.columns]
            rows = [[Cell(self.item_label(item))] + [Cell(_n(dist.loc[item.id, p]), "pct") for p in points]
                    for item in members if item.id in dist.index]
            headers = [self.col("item")] + [f"{self.loc.num(p)}" + (f" ({own.label(p, self.lang)})" if own.labels
                                                                     else "") for p in points]
            caption = (t("tables.distribution") if len(order) == 1 else
                       t("tables.distribution_scale", min=self.loc.num(key[0]), max=self.loc.num(key[1])))
            tables.append(self.table("distribution" if k == 0 else f"distribution_{k + 1}", caption, headers, rows,
                                     notes=self.reverse_note([members])))
        return tables

    def normality(self) -> Section:
        t = self.loc.t
        rows, bad = [], []
        for frame, label in ((self.r.item_stats, None), (self.r.construct_stats, "construct")):
            for name, s in frame.iterrows():
                sk, ku = _n(s["skewness"]), _n(s["kurtosis"])
                ok = all(NORMAL.passes(abs(v)) for v in (sk, ku))
                if not ok:
                    bad.append(str(name))
                shown = self.loc.text(self.q.construct(name).name) if label else self.item_label(self.q.item(str(name)))
                tests = self.r.normality.get(str(name), {})
                rows.append([Cell(shown), Cell(sk, _decisive("dec2", sk, _within_normal)),
                             Cell(ku, _decisive("dec2", ku, _within_normal)),
                             Cell(tests.get("ks_d"), "r3"), Cell(tests.get("ks_p"), "p"),
                             Cell(tests.get("shapiro_w"), "r3"), Cell(tests.get("shapiro_p"), "p"),
                             Cell(t("verdicts.normal") if ok else t("verdicts.not_normal"), emphasis=not ok)])
        violations = t("normality_bad", names=self.loc.join(bad)) if bad else t("normality_ok")
        table = self.table("normality", t("sections.normality"),
                           [self.col("item"), self.col("skewness"), self.col("kurtosis"), self.col("ks_d"),
                            self.col("ks_p"), self.col("sw_w"), self.col("sw_p"), self.col("verdict")],
                           rows, notes=(*self.reverse_note(c.items for c in self.q.constructs),
                                        t("notes.threshold_normal"), t("notes.normality_tests")))
        return Section("normality", t("sections.normality"), (Paragraph(t("normality_text", violations=violations)),
                                                              table))

    def reliability(self) -> Section:
        t = self.loc.t
        rows, low, heywood = [], [], []
        omega_missing = single_items = formatives = False
        for c in self.q.first_order:  # higher-order constructs: CR and AVE in the CFA section
            rel = self.r.reliability[c.id]
            ok = bool(ALPHA.passes(rel.alpha))
            single = len(c.items) < 2  # internal consistency needs two items: nothing was tested
            formative = c.mode == "B" and not single  # formed by its items: internal consistency does not apply
            single_items |= single
            formatives |= formative
            if not single and not formative and not ok:
                low.append(self.loc.text(c.name))
            omega_missing |= math.isnan(rel.omega) and not single
            omega = rel.omega
            if omega > 1:  # a Heywood case of the one-factor model: no reliability to report
                heywood.append(self.loc.text(c.name))
                omega = None
            verdict = (Cell(t("verdicts.single_item")) if single else Cell(t("verdicts.formative")) if formative else
                       Cell(t("verdicts.acceptable") if ok else t("verdicts.below"), emphasis=not ok))
            rows.append([Cell(self.loc.text(c.name)), Cell(rel.k, "int"), Cell(rel.n, "int"),
                         Cell(rel.alpha, "r" if formative else _decisive("r", rel.alpha, ALPHA.passes)),
                         Cell(tuple(rel.alpha_ci), "ci:r"), Cell(rel.std_alpha, "r"), Cell(omega, "r"),
                         verdict])
        if formatives:
            self.cite("hair_risher2019")
        notes = ([t("notes.threshold_alpha")] + ([t("notes.omega_na")] if omega_missing else [])
                 + ([t("notes.omega_inadmissible", names=self.loc.join(heywood))] if heywood else [])
                 + ([t("notes.single_item_reliability")] if single_items else [])
                 + ([t("notes.formative_reliability")] if formatives else []))
        all_ok = ("reliability_ok_reflective" if formatives else
                  "reliability_ok_multi" if single_items else "reliability_ok")
        blocks: list = [
            Paragraph(t("reliability_text", verdict=t("reliability_bad", names=self.loc.join(low)) if low
                        else t(all_ok))),
            self.table("reliability", t("tables.reliability"),
                       [self.col("construct"), self.col("items_k"), self.col("n"), self.col("alpha"),
                        self.col("alpha_ci"), self.col("std_alpha"), self.col("omega"), self.col("verdict")],
                       rows, notes=tuple(notes))]
        for c in self.q.first_order:
            rel = self.r.reliability[c.id]
            if not rel.items:
                continue
            item_rows = []
            for item in c.items:
                st = rel.items[item.id]
                weak = R_DROP.passes(st.r_drop) is False and c.mode != "B"  # a formative item: not judged
                item_rows.append([Cell(self.item_label(item)),
                                  Cell(st.r_drop, "r" if c.mode == "B" else _decisive("r", st.r_drop, R_DROP.passes),
                                       weak),
                                  Cell(st.alpha_if_deleted, "r")])
            blocks.append(self.table(f"items_{c.id}", t("tables.item_reliability", name=self.loc.text(c.name)),
                                     [self.col("item"), self.col("r_drop"), self.col("alpha_if_deleted")],
                                     item_rows, notes=(*self.reverse_note([c.items]),
                                                       *(() if c.mode == "B" else (t("notes.threshold_rdrop"),)))))
        return Section("reliability", t("sections.reliability"), tuple(blocks))

    # ------------------------------------------------------------------ CB-SEM
    #: The fit table's rows: ``compact`` (lavaan's order, TLI standing for NNFI) and ``lisrel``
    #: (the order of LISREL's output, as theses print it).
    _FIT_ROWS = {
        "compact": ("chisq", "df", "pvalue", "chisq_df", "cfi", "tli", "rmsea", "srmr", "gfi", "agfi", "nfi", "ifi",
                    "pnfi", "pgfi", "rmr", "ecvi"),
        "lisrel": ("chisq", "df", "pvalue", "chisq_df", "rmsea", "gfi", "agfi", "pgfi", "nfi", "nnfi", "pnfi", "cfi",
                   "ifi", "rmr", "srmr", "ecvi"),
    }

    def _robust(self) -> bool:
        """Whether CB-SEM ran with MLR (robust standard errors, scaled test)."""
        return getattr(self.r.settings, "estimator", "ML") == "MLR"

    def _fit_table(self, fit: dict, which: str) -> Table:
        """The fit indices with their thresholds and verdicts, in the layout the settings ask for.

        ``compact``: Quantity / Value / Threshold / Verdict; ``lisrel``: Index / Desired value /
        Model value / Result (شاخص / مقدار مطلوب / مقدار مدل / نتیجه). A verdict is given only
        where a cut-off with a citable source exists (thresholds.FIT_RULES); chi-square, df, p,
        RMR and ECVI get "—" (thresholds.FIT_NO_VERDICT).
        """
        t = self.loc.t
        layout = getattr(self.r.settings, "fit_layout", "compact") or "compact"
        self.cite("mulaik1989", "browne_cudeck1989")  # the PNFI/PGFI threshold and ECVI
        ml = fit
        fit = judged_fit(fit, getattr(self.r.settings, "estimator", "ML"))
        robust = fit is not ml  # MLR: the scaled χ² and the robust CFI, TLI and RMSEA are shown and judged
        rows = []
        for key in self._FIT_ROWS[layout]:
            value = fit.get(key)
            if value is None:
                continue
            fmt = {"chisq": "dec2", "df": "int", "pvalue": "p", "chisq_df": "dec2", "ecvi": "dec3",
                   "rmr": "dec3"}.get(key, "r3")
            if key not in FIT_NO_VERDICT:  # digits enough that the value shown is on its verdict's side
                fmt = _decisive(fmt, value, lambda v, key=key: fit_verdict(key, v))
            shown = Cell(value, fmt)
            if key == "rmsea" and not robust:
                shown = Cell((value, fit.get("rmsea_ci_lower"), fit.get("rmsea_ci_upper")), "est_ci:r3")
            rows_key = "fit_rows_robust" if robust and (key in ROBUST_FIT or key == "chisq_df") else "fit_rows"
            label = t(f"{rows_key}.{key}") if not (key == "tli" and layout == "compact") else t(f"{rows_key}.tli_nnfi")
            if key in FIT_NO_VERDICT:
                threshold = t(f"fit_thresholds.{key}") if key in ("rmr", "ecvi") else "—"
                verdict = Cell(t("verdict_fit.none"))
            else:
                grade = fit_verdict(key, value)
                threshold = t(f"fit_thresholds.{key}")
                verdict = Cell(t(f"verdict_fit.{grade}"), emphasis=grade == "poor")
            if layout == "lisrel":
                rows.append([Cell(label), Cell(threshold), shown, verdict])
            else:
                rows.append([Cell(label), shown, Cell(threshold), verdict])
        columns = ([t("fit_lisrel.index"), t("fit_lisrel.desired"), t("fit_lisrel.model"), t("fit_lisrel.result")]
                   if layout == "lisrel" else
                   [self.col("quantity"), self.col("value"), self.col("threshold"), self.col("verdict")])
        notes = ((t("cfa.fit_robust_note", chisq=self.loc.num(ml["chisq"], "dec2"),
                    factor=self.loc.num(ml.get("chisq_scaling_factor"), "dec3")),) if robust else ())
        return self.table(f"fit_{which}", t("cfa.fit_table", model=t(f"cfa.{which}")), columns, rows, notes=notes)

    def cfa(self) -> Section | None:
        cb = self.r.cbsem
        if cb is None or cb.cfa is None:
            return None
        t = self.loc.t
        fit_table = self._fit_table(cb.cfa.measures, "measurement")
        missing = self.r.settings.cb_missing
        text = t("cfa.text", missing=t("cfa.fiml") if missing == "fiml" else t("cfa.listwise"),
                 n=int(cb.cfa.nobs), table=self.ref(fit_table))
        est = cb.cfa.params
        observed = set(cb.cfa.observed)
        known = {c.id: self.loc.text(c.name) for c in self.q.constructs}
        level_rows: dict[bool, list] = {False: [], True: []}  # first-order loadings, higher-order loadings
        for rec in est[est.op == "=~"].to_dict(orient="records"):
            name = known.get(rec["lhs"], rec["lhs"])
            higher = rec["rhs"] not in observed
            weak = LOADING_STD.passes(rec["std_all"]) is False
            level_rows[higher].append([Cell(name), Cell(known.get(rec["rhs"], rec["rhs"]) if higher
                                                        else self.item_id_label(rec["rhs"])),
                                       Cell(rec["est"], "dec3"),
                                       Cell(rec["std_all"], _decisive("r3", rec["std_all"], LOADING_STD.passes), weak),
                                       Cell(rec["se"] if rec["se"] else None, "dec3"), Cell(rec["z"], "dec2"),
                                       Cell(rec["pvalue"], "p")])
        loadings = self.table("loadings", t("cfa.loadings_table_first" if level_rows[True] else "cfa.loadings_table"),
                              [self.col("construct"), self.col("item"), self.col("estimate"), self.col("loading"),
                               self.col("se"), self.col("z"), self.col("p")], level_rows[False],
                              notes=(*self.reverse_note_of(est[est.op == "=~"]["rhs"]), t("cfa.loading_note")))
        higher_blocks: list = []
        if level_rows[True]:  # the higher-order loadings, then the higher-order reliability
            self.cite("jorgensen2022")
            higher_blocks.append(self.table(
                "higher_loadings", t("cfa.higher_loadings_table"),
                [self.col("construct"), t("cfa.dimension"), self.col("estimate"), self.col("loading"),
                 self.col("se"), self.col("z"), self.col("p")], level_rows[True], notes=(t("cfa.loading_note"),)))
            h_rows = []
            for h, v in cb.higher_order.items():
                h_rows.append([Cell(known.get(h, h)), _judged(v["cr"], "r3", CR),
                               _judged(v["ave"], "r3", AVE),
                               Cell(v["omega_l1"], "r3"), Cell(v["omega_l2"], "r3"), Cell(v["partial_omega_l1"], "r3")])
            if h_rows:
                higher_blocks.append(self.table(
                    "higher_reliability", t("cfa.higher_reliability_table"),
                    [self.col("construct"), self.col("cr"), self.col("ave"), "ω L1", "ω L2", t("cfa.partial_omega")],
                    h_rows, notes=(t("cfa.higher_reliability_note"), t("cfa.validity_note"))))
        v_rows = []
        for c in self.q.constructs:
            if c.id in cb.cr:
                rel = self.r.reliability.get(c.id)  # a higher-order construct has no alpha of its own
                v_rows.append([Cell(self.loc.text(c.name)), Cell(rel.alpha, "r3") if rel else Cell("—"),
                               _judged(cb.cr[c.id], "r3", CR),
                               _judged(cb.ave[c.id], "r3", AVE)])
        singles = [self.loc.text(c.name) for c in self.q.first_order if len(c.items) == 1 and c.id not in cb.cr]
        validity = self.table("validity", t("cfa.validity_table"),
                              [self.col("construct"), self.col("alpha"), self.col("cr"), self.col("ave")], v_rows,
                              notes=(t("cfa.validity_note"),) + ((t("cfa.single_item_note", names=self.loc.join(singles)),)
                                                                 if singles else ()))
        measured = [(r["lhs"], r["rhs"], r["std_all"], r["z"], r["pvalue"])
                    for r in est[est.op == "=~"].to_dict(orient="records")]
        blocks: list = [Paragraph(text), fit_table, loadings, *higher_blocks,
                        *self._measurement_diagrams("cfa", measured, (t("figures.measurement_cfa"),
                                                                      t("figures.measurement_cfa_z")), "z"),
                        validity]
        names = self.model_names()
        for matrix, key, note, limit in ((cb.htmt, "htmt_table", "htmt_note", HTMT.value),
                                         (cb.fornell_larcker, "fl_table", "fl_note", None)):
            if matrix is None:
                continue
            ids = list(matrix.index)
            m_rows = []
            for i, a in enumerate(ids):
                cells = [Cell(f"{self.loc.num(i + 1)}. {names.get(a, a)}")]
                for j, b in enumerate(ids):
                    if j > i:
                        cells.append(Cell(""))
                        continue
                    value = float(matrix.loc[a, b])
                    flag = (limit is not None and i != j and value >= limit) or (
                        limit is None and i != j and abs(value) >= min(matrix.loc[a, a], matrix.loc[b, b]))
                    cells.append(Cell(value, "r3", flag) if not (limit is not None and i == j) else Cell("—"))
                m_rows.append(cells)
            # numbered like an APA correlation matrix: the rows name the constructs, the columns number them
            blocks.append(self.table(key.split("_")[0], t(f"cfa.{key}"), [self.col("construct")] +
                                     [self.loc.num(j + 1) for j in range(len(ids))], m_rows,
                                     notes=(t(f"cfa.{note}"),)))
        if cb.checks:
            blocks.append(Paragraph(self._validity_text(cb.checks, names)))
        return Section("cfa", t("cfa.section"), tuple(blocks))

    def _validity_text(self, checks: dict, names: dict, keys: tuple[str, ...] = _CB_CHECKS) -> str:
        """Each criterion in words: met throughout, or not met by the constructs, items or pairs named
        (the analysis decided which: :func:`loyaltysurvey.analysis.cbsem.validity_checks`,
        :func:`loyaltysurvey.analysis.pls_stage.pls_checks`)."""
        t = self.loc.t
        sentences = []
        for key in keys:
            failing = checks.get(key.removeprefix("pls_"), [])
            if key in ("htmt", "vif"):
                shown = [f"{names.get(a, a)} – {names.get(b, b)}" for a, b in failing]
            else:
                shown = [names.get(x, x) for x in failing]
            what, rule = t(f"checks.{key}"), t(f"checks.{key}_rule")
            sentences.append(t("checks.bad", what=what, rule=rule, names=self.loc.join(shown)) if shown
                             else t("checks.ok", what=what, rule=rule))
        if checks.get("loading_remove"):
            sentences.append(t("checks.loading_remove", names=self.loc.join(checks["loading_remove"])))
        return " ".join(sentences)

    def sem(self) -> Section | None:
        cb = self.r.cbsem
        if cb is None or cb.sem is None:
            return None
        t = self.loc.t
        fit_table = self._fit_table(cb.sem.measures, "structural")
        est = cb.sem.params
        names = self.model_names()
        arrow = " ← " if self.loc.rtl else " → "
        rows = []
        # the model's own := definitions are listed; the indirect effects found along the paths have
        # their table under mediation
        for rec in est[est.op == "~"].to_dict(orient="records"):
            rows.append([Cell(self._chain(names, arrow, rec["rhs"], (), rec["lhs"])), Cell(rec["est"], "dec3"),
                         Cell(rec["std_all"], "r3"), Cell(rec["se"], "dec3"), Cell(rec["z"], "dec2"),
                         Cell(rec["pvalue"], "p")])
        paths = self.table("paths", t("cfa.paths_table"),
                           [self.col("path"), self.col("estimate"), self.col("std_estimate"), self.col("se"),
                            self.col("z"), self.col("p")], rows)
        text = t("cfa.sem_text", table=self.ref(fit_table), paths=self.ref(paths))
        blocks: list = [Paragraph(text), fit_table, paths]
        defined = est[est.op == ":="]
        if len(defined):  # the model's own := parameters, by their names (never as code)
            blocks.append(self.table("defined", t("cfa.defined_table"),
                                     [t("columns_h.parameter"), self.col("estimate"), self.col("std_estimate"),
                                      self.col("se"), self.col("p"), t("columns_h.ci95")],
                                     [[Cell(r.lhs), Cell(r.est, "dec3"), Cell(r.std_all, "r3"), Cell(r.se, "dec3"),
                                       Cell(r.pvalue, "p"), Cell((r.ci_lower, r.ci_upper), "ci:dec3")]
                                      for r in defined.itertuples()]))
        structural = est[(est.op == "~")]
        constructs = {c.id for c in self.q.constructs}
        r2 = {k: v for k, v in cb.sem.r2.items() if k in constructs}
        if r2:
            bands = cb.r2_band
            blocks.append(self.table("r2", t("cfa.r2_table"), [self.col("construct"), t("columns_pls.r2"),
                                                               t("columns_h.interpretation")],
                                     [[Cell(names.get(k, k)), Cell(v, _decisive("r3", v, R2_BANDS.band)),
                                       Cell(t(f"bands.{bands[k]}") if k in bands else "")] for k, v in r2.items()],
                                     notes=(t("cfa.r2_note"),)))
        blocks.extend(self._diagrams("sem", [(r.rhs, r.lhs, r.std_all, r.z, r.pvalue)
                                             for r in structural.itertuples()], r2))
        blocks.extend(self._hypotheses(names, arrow))
        blocks.extend(moderation_blocks(self, names, arrow))
        return Section("sem", t("cfa.section_sem"), tuple(blocks))

    def _chain(self, names: dict, arrow: str, source: str, through, target: str) -> str:
        """cause → mediators → effect in the reader's direction: logical order is always cause first;
        a right-to-left chapter shows it from the right with arrows pointing left (←)."""
        return arrow.join(display_name(n, names) for n in (source, *through, target))

    def _hypothesis_path(self, names: dict, arrow: str, e) -> str:
        """The path a hypothesis tests, in words: the chain of constructs, the interaction term, or a
        defined parameter that is no chain written as a formula («diff = a1 − a2»), never as code."""
        if e.kind == "moderation":
            return self._chain(names, arrow, e.extra.get("term", e.source), e.through, e.target)
        if e.kind == "defined" and e.extra.get("sum"):  # X → Y (total effect)
            return f"{self._chain(names, arrow, e.source, (), e.target)} ({self.loc.t('hypotheses.sum_' + e.extra['sum'])})"
        if e.kind == "defined" and e.source == e.extra.get("definition"):
            formula = re.sub(r"\s*\*\s*", " × ", e.source)
            formula = re.sub(r"\s*(?<![eE])-\s*", " − ", re.sub(r"\s*\+\s*", " + ", formula))
            return f"{e.target} = {formula.strip()}"
        return self._chain(names, arrow, e.source, e.through, e.target)

    def _statement(self, names: dict, e) -> str:
        """A hypothesis without wording of its own, stated from its path («X has an effect on Y»);
        "–" for a defined parameter that is no chain of paths."""
        t = self.loc.t
        if e.kind == "defined" and e.source == e.extra.get("definition"):
            return "–"
        if e.kind == "defined" and e.extra.get("sum"):
            return t(f"hypotheses.statement_{e.extra['sum']}", source=display_name(e.source, names),
                     target=display_name(e.target, names))
        if e.through:
            return t("hypotheses.statement_indirect", source=display_name(e.source, names),
                     target=display_name(e.target, names),
                     through=self.loc.join([display_name(m, names) for m in e.through]))
        if e.kind == "moderation" and e.extra.get("moderator"):
            return t("hypotheses.statement_moderation", moderator=display_name(e.extra["moderator"], names),
                     source=display_name(e.source, names), target=display_name(e.target, names))
        return t("hypotheses.statement_direct", source=display_name(e.source, names), target=display_name(e.target, names))

    def _hypotheses(self, names: dict, arrow: str) -> list:
        cb = self.r.cbsem
        t = self.loc.t
        out: list = []
        boot = cb.sem.bootstrap_info
        if cb.hypotheses:
            rows = []
            for h in cb.hypotheses:
                e = h.effect
                rows.append([Cell(h.id), Cell(self.loc.text(h.text) or self._statement(names, e)),
                             Cell(self._hypothesis_path(names, arrow, e)),
                             Cell(e.est, "dec3"), Cell(e.std_all, "r3"), Cell(e.se, "dec3"), Cell(e.z, "dec2"),
                             Cell(e.pvalue, "p"), Cell((e.ci_lower, e.ci_upper), "ci:dec3"),
                             Cell(t(f"hypotheses.{h.decision}"), emphasis=not h.supported)])
            table = self.table("hypotheses", t("hypotheses.table"),
                               [t("columns_h.hypothesis"), t("columns_h.statement"), self.col("path"),
                                self.col("estimate"), self.col("std_estimate"), self.col("se"), self.col("z"),
                                self.col("p"), t("columns_h.ci95"), t("columns_h.decision")], rows)
            boot_text = (t("hypotheses.boot", n=boot["successful"], seed=boot["seed"] if boot["seed"] is not None
                           else "–") if boot else t("hypotheses.noboot_robust" if self._robust() else "hypotheses.noboot"))
            out.extend([Paragraph(t("hypotheses.text", table=self.ref(table), alpha=self.loc.num(0.05, "r"),
                                    boot=boot_text)), table])
        specific = Counter((e.source, e.target) for e in cb.effects if e.kind == "indirect")
        # a total indirect effect that is the only specific one is not listed twice
        indirect = [e for e in cb.effects if e.kind == "indirect"
                    or (e.kind == "total_indirect" and specific[(e.source, e.target)] > 1)]
        if indirect:
            rows = []
            for e in indirect:
                label = (self._chain(names, arrow, e.source, e.through, e.target) if e.kind == "indirect"
                         else f"{self._chain(names, arrow, e.source, (), e.target)} ({t('hypotheses.total')})")
                rows.append([Cell(label), Cell(e.est, "dec3"), Cell(e.std_all, "r3"), Cell(e.se, "dec3"),
                             Cell(e.pvalue, "p"), Cell((e.ci_lower, e.ci_upper), "ci:dec3"),
                             Cell(e.extra.get("sobel_z"), "dec2"), Cell(e.extra.get("aroian_z"), "dec2"),
                             Cell(e.extra.get("vaf"), "r"), Cell(self._mediation_type(e.extra))])
            untested = any(e.extra.get("not_tested_because") == "no_direct_path" for e in indirect)
            suppression = any(isinstance(v, float) and math.isfinite(v) and not 0 <= v <= 1
                              for v in (e.extra.get("vaf") for e in indirect))
            table = self.table("mediation", t("hypotheses.mediation_table"),
                               [t("columns_h.effect"), self.col("estimate"), self.col("std_estimate"),
                                self.col("se"), self.col("p"), t("columns_h.ci95"), t("columns_h.sobel"),
                                t("columns_h.aroian"), t("columns_h.vaf"), t("columns_h.type")], rows,
                               notes=((t("hypotheses.no_direct_note"),) if untested else ())
                               + ((t("hypotheses.vaf_note"),) if suppression else ()))
            out.extend([Paragraph(t("hypotheses.mediation_text", table=self.ref(table))), table])
        return out

    def _intro_part(self, section: Section, alone: bool) -> str:
        """What the introduction says ``section`` holds: the structural model's part names the tests
        of hypotheses and of mediation only when the section has their tables."""
        t = self.loc.t
        key = "pls_alone" if section.id == "pls" and alone else section.id
        if key not in ("sem", "pls_alone"):
            return t(f"intro_parts.{key}")
        ids = {b.id for b in section.blocks if isinstance(b, Table)}
        prefix = "pls_" if key == "pls_alone" else ""
        tests = [k for k in ("hypotheses", "mediation") if f"{prefix}{k}" in ids]
        return t(f"intro_parts.{key}" + ("" if len(tests) == 2 else f"_{tests[0]}" if tests else "_plain"))

    def pls(self) -> Section | None:
        fit = self.r.pls
        if fit is None:
            return None
        t = self.loc.t
        names = self.model_names()
        boot = fit.resamples
        resampled = boot is not None and boot.successful > 0
        text = t("pls.text" if resampled else "pls.text_noboot", n=fit.n, missing=t(f"pls.{fit.missing}"),
                 scheme=t(f"methods.schemes.{fit.spec.scheme}"), boot=boot.successful if resampled else 0,
                 seed=boot.seed if resampled and boot.seed is not None else "–")
        # a formative (mode B) construct is drawn with its outer weights, its items pointing at it
        formative = tuple(c for c, m in zip(fit.spec.constructs, fit.spec.modes) if m == "B")
        weights = {(w["construct"], w["item"]): w for w in fit.weight_records}
        measured = []
        for ld in fit.loading_records:
            r = weights.get((ld["construct"], ld["item"]), ld) if ld["construct"] in formative else ld
            measured.append((ld["construct"], ld["item"], r["est"], r.get("t"), r.get("pvalue")))
        key = "measurement_pls_mixed" if formative else "measurement_pls"
        blocks: list = [Paragraph(text), *self._pls_first_stage(fit, names), self._pls_loadings(fit, names),
                        *self._measurement_diagrams("pls", measured, (t(f"figures.{key}"), t(f"figures.{key}_t"),
                                                                      t(f"figures.{key}_plain")), "t",
                                                    formative),
                        self._pls_reliability(fit, names), self._pls_htmt(fit, names), *self._pls_formative(fit, names)]
        if fit.checks:
            # the formative constructs' weights were judged only where resamples tested them
            keys = _PLS_CHECKS + (("weight",) if self._formative(fit) and _tested(fit.weight_records) else ())
            blocks.append(Paragraph(self._validity_text(fit.checks, names, keys)))
        blocks.extend(self._pls_higher(fit, names))
        blocks.append(self._pls_paths(fit, names))
        blocks.extend(self._diagrams("pls", [(r["from"], r["to"], r["est"], r["t"], r["pvalue"])
                                             for r in fit.path_records], fit.evaluation["r2"]))
        blocks.extend(self._pls_hypotheses(fit, names))  # with --method pls only (else CB-SEM's are the tests)
        blocks.extend(self._pls_mediation(fit, names))
        blocks.append(self._pls_r2(fit, names))
        blocks.extend(pls_moderation_blocks(self, fit, names, " ← " if self.loc.rtl else " → "))
        blocks.extend(self._pls_global_fit(fit, names))
        if fit.prediction is not None and fit.prediction.items:
            blocks.append(self._pls_predict(fit))
        if fit.importance is not None and fit.importance.rows:
            blocks.extend(self._pls_ipma(fit, names))
        return Section("pls", t("pls.section"), tuple(blocks))

    def _pls_first_stage(self, fit, names: dict) -> list:
        """Two-stage higher-order constructs: how they were estimated, then the dimensions' measurement
        (their items' loadings and their reliability) from the first stage."""
        if not fit.higher_order:
            return []
        t = self.loc.t
        self.cite("sarstedt2019")
        approaches = {h: v["approach"] for h, v in fit.higher_order.items()}
        text = Paragraph(t("pls.higher_text", names=self.loc.join([names.get(h, h) for h in approaches]),
                           approach=t(f"pls.higher_approach.{next(iter(approaches.values()))}")))
        if fit.first_stage is None:
            return [text]
        dims = {d for v in fit.higher_order.values() for d in v["dimensions"]}
        first = fit.first_stage
        return [text, self._pls_loadings(first, names, only=dims, id="pls_loadings_first",
                                         caption=t("pls.loadings_first_table")),
                self._pls_reliability(first, names, only=dims, id="pls_reliability_first",
                                      caption=t("pls.reliability_first_table"))]

    def _pls_higher(self, fit, names: dict) -> list:
        """The higher-order constructs' measurement as Sarstedt et al. (2019, Table 7) lay it out: per
        dimension the outer weight with its t, p and interval, the VIF and the loading."""
        if not fit.higher_order:
            return []
        t = self.loc.t
        payload = fit.to_json()
        loads = {(r["construct"], r["item"]): r for r in payload["loadings"]}
        rows = []
        for w in payload["weights"]:
            if w["construct"] not in fit.higher_order or w["item"] not in fit.higher_order[w["construct"]]["dimensions"]:
                continue
            ld = loads.get((w["construct"], w["item"]), {})
            vif = payload["vif_items"].get(w["construct"], {}).get(w["item"])
            rows.append([Cell(names.get(w["construct"], w["construct"])), Cell(names.get(w["item"], w["item"])),
                         Cell(w["est"], "r3"), Cell(w["t"], "dec2"), Cell(w["pvalue"], "p"),
                         Cell((w["ci_lower"], w["ci_upper"]), "ci:r3"), _judged(vif, "dec2", VIF),
                         Cell(ld.get("est"), "r3")])
        return [self.table("pls_higher", t("pls.higher_table"),
                           [self.col("construct"), t("cfa.dimension"), t("columns_pls.weight"), t("columns_pls.t"),
                            self.col("p"), t("columns_h.ci95"), t("columns_pls.vif"), t("columns_pls.loading")],
                           rows, notes=(t("pls.higher_note"),))]

    def _pls_loadings(self, fit, names: dict, only: set | None = None, id: str = "pls_loadings",
                      caption: str | None = None) -> Table:
        t = self.loc.t
        item_vif = fit.evaluation["vif_items"]
        formative = self._formative(fit)
        rows = []
        for ld in fit.loading_records:
            if only is not None and ld["construct"] not in only:
                continue
            vif = item_vif.get(ld["construct"], {}).get(ld["item"])
            # a higher-order construct's indicators are its dimensions: named as constructs are
            item = display_name(ld["item"], names) if ld["item"] in names else self.item_id_label(ld["item"])
            judged = ":" not in ld["construct"]  # an interaction term's product indicators are not judged
            reflective = judged and ld["construct"] not in formative  # nor are a formative construct's loadings
            rows.append([Cell(display_name(ld["construct"], names)), Cell(item),
                         _judged(ld["est"], "r3", LOADING_PLS) if reflective else Cell(ld["est"], "r3"),
                         Cell(ld["t"], "dec2"), Cell(ld["pvalue"], "p"), Cell((ld["ci_lower"], ld["ci_upper"]), "ci:r3"),
                         Cell(ld["reliability"], "r3"), _judged(vif, "dec2", VIF) if judged else Cell(vif, "dec2")])
        singles = self._pls_single_items(fit, only)
        columns = [self.col("construct"), self.col("item"), t("columns_pls.loading"), t("columns_pls.t"),
                   self.col("p"), t("columns_h.ci95"), t("columns_pls.reliability"), t("columns_pls.vif")]
        if not _tested(fit.loading_records):  # no resamples: no t, p or interval columns of dashes
            columns, rows = _without(columns, rows, (3, 4, 5))
            caption = caption or t("pls.loadings_table_noboot")
        listed = [ld["item"] for ld in fit.loading_records if only is None or ld["construct"] in only]
        return self.table(id, caption or t("pls.loadings_table"), columns,
                          rows, notes=self.reverse_note_of(listed) + (t("pls.loadings_note"),) + ((t("pls.single_item_loading_note",
                                                                      names=self.loc.join(singles)),) if singles else ())
                          + self._formative_note(fit, names, "pls.formative_loading_note", only)
                          + self._interaction_note(fit, names, only))

    def _formative(self, fit) -> list[str]:
        """The PLS model's formative (mode B) constructs, in the model's order."""
        return [c for c, m in zip(fit.spec.constructs, fit.spec.modes) if m == "B"]

    def _formative_note(self, fit, names: dict, key: str, only: set | None = None) -> tuple[str, ...]:
        """The note ``key`` naming the formative constructs (of ``only``), when there are any."""
        shown = [display_name(c, names) for c in self._formative(fit) if only is None or c in only]
        if not shown:
            return ()
        self.cite("hair_risher2019")
        return (self.loc.t(key, names=self.loc.join(shown)),)

    def _pls_formative(self, fit, names: dict) -> list:
        """First-order formative (mode B) constructs as Hair, Risher, et al. (2019) assess them: per
        indicator the outer weight with its t, p and interval, the VIF and the outer loading, the
        weights the analysis found weak marked (:func:`~loyaltysurvey.analysis.pls_stage.pls_checks`)."""
        hocs = set(fit.higher_order or {})
        formative = [c for c in self._formative(fit) if c not in hocs]  # higher-order ones: their own table
        if not formative:
            return []
        t = self.loc.t
        self.cite("hair_risher2019")
        payload = fit.to_json()
        loads = {(r["construct"], r["item"]): r for r in payload["loadings"]}
        weak = set((fit.checks or {}).get("weight", ()))
        rows = []
        for w in payload["weights"]:
            if w["construct"] not in formative:
                continue
            vif = payload["vif_items"].get(w["construct"], {}).get(w["item"])
            rows.append([Cell(display_name(w["construct"], names)), Cell(self.item_id_label(w["item"])),
                         Cell(w["est"], "r3", w["item"] in weak), Cell(w.get("t"), "dec2"), Cell(w.get("pvalue"), "p"),
                         Cell((w.get("ci_lower"), w.get("ci_upper")), "ci:r3"), _judged(vif, "dec2", VIF),
                         Cell(loads.get((w["construct"], w["item"]), {}).get("est"), "r3")])
        columns = [self.col("construct"), self.col("item"), t("columns_pls.weight"), t("columns_pls.t"), self.col("p"),
                   t("columns_h.ci95"), t("columns_pls.vif"), t("columns_pls.loading")]
        if not _tested(fit.weight_records):  # no resamples: no t, p or interval columns of dashes
            columns, rows = _without(columns, rows, (3, 4, 5))
        table = self.table("pls_formative", t("pls.formative_table"), columns, rows, notes=(t("pls.formative_note"),))
        text = t("pls.formative_text", names=self.loc.join([display_name(c, names) for c in formative]),
                 table=self.ref(table))
        return [Paragraph(text), table]

    def _interaction_note(self, fit, names: dict, only: set | None = None) -> tuple[str, ...]:
        """The note that the model's interaction terms (of ``only``) are not judged by the measurement
        criteria, which do not apply to them (:func:`~loyaltysurvey.analysis.pls_stage.pls_checks`)."""
        terms = [display_name(c, names) for c in fit.spec.constructs if ":" in c and (only is None or c in only)]
        return (self.loc.t("pls.interaction_measurement_note", names=self.loc.join(terms)),) if terms else ()

    def _pls_single_items(self, fit, only: set | None = None) -> list[str]:
        """The names of the PLS model's constructs measured by one indicator (of ``only``)."""
        sizes: dict[str, int] = {}
        for ld in fit.loading_records:
            sizes[ld["construct"]] = sizes.get(ld["construct"], 0) + 1
        names = self.model_names()
        return [display_name(c, names) for c, k in sizes.items() if k == 1 and (only is None or c in only)]

    def _pls_reliability(self, fit, names: dict, only: set | None = None, id: str = "pls_reliability",
                         caption: str | None = None) -> Table:
        t = self.loc.t
        formative = self._formative(fit)
        rows = []
        for cid, rel in fit.evaluation["reliability"].items():
            if only is not None and cid not in only:
                continue
            if cid in formative:  # internal consistency and AVE do not apply to a formative construct
                rows.append([Cell(display_name(cid, names)), *(Cell(None, "r3") for _ in range(4))])
                continue
            judge = (lambda v, cut: _judged(v, "r3", cut)) if ":" not in cid else (lambda v, cut: Cell(v, "r3"))
            rows.append([Cell(display_name(cid, names)), judge(rel["alpha"], ALPHA), judge(rel["rho_a"], RHO_A),
                         judge(rel["rho_c"], CR), judge(rel["ave"], AVE)])
        singles = self._pls_single_items(fit, only)
        return self.table(id, caption or t("pls.reliability_table"),
                          [self.col("construct"), self.col("alpha"), t("columns_pls.rho_a"), t("columns_pls.rho_c"),
                           self.col("ave")], rows, notes=(t("pls.reliability_note"),) + (
                              (t("pls.single_item_reliability_note", names=self.loc.join(singles)),) if singles else ())
                          + self._formative_note(fit, names, "pls.formative_reliability_note", only)
                          + self._interaction_note(fit, names, only))

    def _pls_htmt(self, fit, names: dict) -> Table:
        t = self.loc.t
        formative = set(self._formative(fit))
        rows = []
        for a, inner in fit.htmt_records.items():
            for b, v in inner.items():
                judged = ":" not in a and ":" not in b and not {a, b} & formative
                rows.append([Cell(f"{display_name(a, names)} – {display_name(b, names)}"),
                             _judged(v["est"], "r3", HTMT) if judged else Cell(v["est"], "r3"),
                             Cell((v["ci_lower"], v["ci_upper"]), "ci:r3")])
        columns, caption = [self.col("construct"), "HTMT", t("columns_h.ci95")], t("pls.htmt_table")
        if not _tested([v for inner in fit.htmt_records.values() for v in inner.values()]):
            columns, rows = _without(columns, rows, (2,))
            caption = t("pls.htmt_table_noboot")
        return self.table("pls_htmt", caption, columns,
                          rows, notes=(t("cfa.htmt_note").split(". ", 1)[-1],)
                          + self._formative_note(fit, names, "pls.formative_reliability_note")
                          + self._interaction_note(fit, names))

    def _pls_paths(self, fit, names: dict) -> Table:
        t = self.loc.t
        arrow = " ← " if self.loc.rtl else " → "
        inner_vif = fit.evaluation["vif"]
        rows = []
        for pth in fit.path_records:
            vif = inner_vif.get(pth["to"], {}).get(pth["from"])
            rows.append([Cell(self._chain(names, arrow, pth["from"], (), pth["to"])), Cell(pth["est"], "r3"),
                         Cell(pth["se"], "dec3"), Cell(pth["t"], "dec2"), Cell(pth["pvalue"], "p"),
                         Cell((pth["ci_lower"], pth["ci_upper"]), "ci:r3"), _judged(vif, "dec2", VIF),
                         Cell(self._pls_decision(fit, pth["decision"]), emphasis=pth["decision"] != "supported")])
        columns = [self.col("path"), t("columns_pls.beta"), self.col("se"), t("columns_pls.t"),
                   self.col("p"), t("columns_h.ci95"), t("columns_pls.vif"), t("columns_h.decision")]
        if not _tested(fit.path_records):  # no resamples: β, VIF and "not tested (no resamples)"
            columns, rows = _without(columns, rows, (2, 3, 4, 5))
        return self.table("pls_paths", t("pls.paths_table"), columns, rows)

    def _pls_decision(self, fit, decision: str) -> str:
        """A PLS decision's label; ``not_tested`` says why when the model had no resamples."""
        boot = fit.resamples
        if decision == "not_tested" and (boot is None or boot.successful == 0):
            return self.loc.t("hypotheses.not_tested_no_resamples")
        return self.loc.t(f"hypotheses.{decision}")

    def _pls_hypotheses(self, fit, names: dict) -> list:
        """With ``--method pls``: the hypotheses as tested on the PLS model (standardized β, bootstrap
        t, percentile interval; :func:`~loyaltysurvey.analysis.hypotheses.test_pls_hypotheses`)."""
        tests = self.r.pls_hypotheses if self.r.cbsem is None else ()
        if not tests:
            return []
        t = self.loc.t
        arrow = " ← " if self.loc.rtl else " → "
        rows = []
        for h in tests:
            e = h.effect
            rows.append([Cell(h.id), Cell(self.loc.text(h.text) or self._statement(names, e)),
                         Cell(self._hypothesis_path(names, arrow, e)), Cell(e.est, "r3"), Cell(e.se, "dec3"),
                         Cell(e.z, "dec2"), Cell(e.pvalue, "p"), Cell((e.ci_lower, e.ci_upper), "ci:r3"),
                         Cell(self._pls_decision(fit, h.decision), emphasis=not h.supported)])
        table = self.table("pls_hypotheses", t("pls.hypotheses_table"),
                           [t("columns_h.hypothesis"), t("columns_h.statement"), self.col("path"),
                            t("columns_pls.beta"), self.col("se"), t("columns_pls.t"), self.col("p"),
                            t("columns_h.ci95"), t("columns_h.decision")], rows)
        boot = fit.resamples
        if boot is not None and boot.successful > 0:
            text = t("pls.hypotheses_text", table=self.ref(table), alpha=self.loc.num(self.r.settings.alpha, "r"),
                     n=self.loc.num(boot.successful), seed=boot.seed if boot.seed is not None else "–")
        else:
            text = t("pls.hypotheses_text_noboot", table=self.ref(table))
        return [Paragraph(text), table]

    def _pls_mediation(self, fit, names: dict) -> list:
        """With ``--method pls``: every specific indirect effect of the PLS model with its bootstrap test,
        VAF and mediation type (decided in :meth:`~loyaltysurvey.pls.PLSFit.indirect_records`)."""
        records = fit.indirect_records if self.r.cbsem is None else []
        if not records:
            return []
        t = self.loc.t
        arrow = " ← " if self.loc.rtl else " → "
        rows = [[Cell(self._chain(names, arrow, r["from"], r["through"], r["to"])), Cell(r["est"], "r3"),
                 Cell(r["se"], "dec3"), Cell(r["t"], "dec2"), Cell(r["pvalue"], "p"),
                 Cell((r["ci_lower"], r["ci_upper"]), "ci:r3"), Cell(r.get("vaf"), "r"),
                 Cell(self._mediation_type(r))]
                for r in records]
        no_direct = any(r.get("not_tested_because") == "no_direct_path" for r in records)
        suppression = any(isinstance(r.get("vaf"), float) and math.isfinite(r["vaf"]) and not 0 <= r["vaf"] <= 1
                          for r in records)
        table = self.table("pls_mediation", t("pls.mediation_table"),
                           [t("columns_h.effect"), t("columns_pls.beta"), self.col("se"), t("columns_pls.t"),
                            self.col("p"), t("columns_h.ci95"), t("columns_h.vaf"), t("columns_h.type")], rows,
                           notes=((t("hypotheses.no_direct_note"),) if no_direct else ())
                           + ((t("hypotheses.vaf_note"),) if suppression else ()))
        return [Paragraph(t("pls.mediation_text", table=self.ref(table))), table]

    def _mediation_type(self, record: dict) -> str:
        """The type of mediation as decided in the analysis, or why it was not tested."""
        kind = record.get("mediation_type")
        if not kind:
            return ""
        because = record.get("not_tested_because")
        if kind == "not_tested" and because in ("no_resamples", "no_interval"):
            return self.loc.t(f"hypotheses.types.not_tested_{because}")
        return self.loc.t(f"hypotheses.types.{kind}")

    def _pls_r2(self, fit, names: dict) -> Table:
        t = self.loc.t
        ev = fit.evaluation
        rows = []
        for cid, value in ev["r2"].items():
            f2_band = fit.checks.get("f2_band", {})
            f2 = t("list.semicolon").join(f"{display_name(src, names)}: {self.loc.num(v[cid], _decisive('r3', v[cid], f2_bands(src).band))}"
                           + (f" ({t('bands.' + f2_band[src][cid])})" if cid in f2_band.get(src, {}) else "")
                           for src, v in ev["f2"].items() if cid in v)
            band = fit.checks.get("r2_band", {}).get(cid)
            rows.append([Cell(names.get(cid, cid)), Cell(value, _decisive("r3", value, R2_BANDS.band)),
                         Cell(ev["r2_adj"][cid], "r3"),
                         Cell(t(f"bands.{band}") if band else ""), Cell(f2)])
        return self.table("pls_r2", t("pls.r2_table"), [self.col("construct"), t("columns_pls.r2"),
                                                         t("columns_pls.r2_adj"), t("columns_h.interpretation"),
                                                         t("columns_pls.f2")], rows,
                          notes=(t("cfa.r2_note"), t("pls.f2_note"))
                          + ((t("pls.f2_interaction_note"),) if any(":" in src for src in ev["f2"]) else ()))

    def _pls_global_fit(self, fit, names: dict) -> list:
        """GoF, SRMR and NFI of the model, and the blindfolding Q² of its endogenous constructs.

        The verdicts and bands come from the analysis (:func:`loyaltysurvey.analysis.pls_stage.pls_checks`:
        ``gof_band``, ``model_fit``, ``q2_band``, ``q2_blindfolding``); nothing is computed here.
        """
        t = self.loc.t
        self.cite("tenenhaus2005", "wetzels2009", "henseler_sarstedt2013", "henseler2014", "henseler2016", "hair2017")
        checks = fit.checks or {}
        failing = set(checks.get("model_fit", []))
        mf = fit.model_fit
        band = checks.get("gof_band")
        rows = [[Cell(t("pls_fit.gof")), Cell(fit.gof, "r3"), Cell(t("pls_fit.gof_threshold")),
                 Cell(t(f"bands.{band}") if band else "", emphasis=band == "negligible")]]
        for key in ("srmr", "srmr_saturated", "nfi", "nfi_saturated"):
            value = mf.get(key)
            if value is None or value != value:
                verdict = t("verdict_fit.na")
            else:
                verdict = t("pls_fit.not_met") if key in failing else t("pls_fit.met")
            rows.append([Cell(t(f"pls_fit.{key}")), Cell(value, "r3"), Cell(t(f"pls_fit.{key.split('_')[0]}_threshold")),
                         Cell(verdict, emphasis=key in failing)])
        table = self.table("pls_fit", t("pls_fit.table"), [self.col("quantity"), self.col("value"),
                                                             self.col("threshold"), self.col("verdict")], rows,
                           notes=(t("pls_fit.gof_note"), t("pls_fit.srmr_note")))
        bf = fit.blindfolding_result
        q2 = bf["constructs"]
        if not q2:
            return [Paragraph(t("pls_fit.text_no_q2", table=self.ref(table))), table, Paragraph(t("pls_fit.q2_none"))]
        self.cite("hair_risher2019", "stone1974", "geisser1974")
        bands = checks.get("q2_band", {})
        below = set(checks.get("q2_blindfolding", []))
        q2_rows = [[Cell(names.get(c, c)), Cell(v["cv_redundancy"], "r3", c in below), Cell(v["cv_communality"], "r3"),
                    Cell(v["sso"], "dec1"), Cell(t(f"bands.{bands[c]}") if c in bands else "", emphasis=c in below)]
                   for c, v in q2.items()]
        q2_table = self.table("pls_q2", t("pls_fit.q2_table", d=bf["omission_distance"]),
                              [self.col("construct"), t("pls_fit.redundancy"), t("pls_fit.communality"),
                               t("pls_fit.sso"), t("pls_fit.relevance")], q2_rows,
                              notes=(t("pls_fit.q2_note", d=bf["omission_distance"]),))
        return [Paragraph(t("pls_fit.text", table=self.ref(table), q2=self.ref(q2_table))), table, q2_table]

    def _pls_predict(self, fit) -> Table:
        t = self.loc.t
        pr = fit.prediction
        rows = [[Cell(item), _judged(v["q2_predict"], "r3", Q2_PREDICT),
                 Cell(v["pls_rmse"], "dec3"), Cell(v["lm_rmse"], "dec3"), Cell(v["pls_mae"], "dec3"),
                 Cell(v["lm_mae"], "dec3")] for item, v in pr.items.items()]
        return self.table("pls_predict", t("pls.predict_table", folds=pr.folds, reps=pr.reps),
                          [self.col("item"), t("columns_pls.q2"), t("columns_pls.pls_rmse"),
                           t("columns_pls.lm_rmse"), t("columns_pls.pls_mae"), t("columns_pls.lm_mae")],
                          rows, notes=(t("pls.predict_note"),))

    def _pls_ipma(self, fit, names: dict) -> list:
        t = self.loc.t
        ip = fit.importance
        target = names.get(ip.target, ip.target)
        rows = [[Cell(names.get(r["construct"], r["construct"])), Cell(r["importance"], "dec3"),
                 Cell(r["performance"], "dec1")] for r in ip.rows]
        table = self.table("pls_ipma", t("pls.ipma_table", target=target),
                           [self.col("construct"), t("columns_pls.importance"), t("columns_pls.performance")], rows,
                           notes=(t("pls.ipma_note"),))
        chart = self.draw(ipma_chart, [names.get(r["construct"], r["construct"]) for r in ip.rows],
                           [r["importance"] for r in ip.rows], [r["performance"] for r in ip.rows],
                           x_label=t("figures.importance_axis"), y_label=t("figures.performance_axis"),
                           tick=self.loc.num, rtl=self.loc.rtl)
        return [table, self.figure("pls_ipma", t("figures.ipma", target=target), chart)]

    def _methods_bootstrap(self, boot: dict | None) -> str:
        """The methods sentence on CB-SEM standard errors: information matrix (with the delta method
        for indirect effects, when the model has any), or the bootstrap (of complete cases, or of
        every respondent refitted by FIML)."""
        t = self.loc.t
        if not boot:
            indirect = any(e.kind == "indirect" for e in self.r.cbsem.effects)
            return t("methods.nobootstrap" + ("_robust" if self._robust() else "") + ("" if indirect else "_direct"))
        key = "methods.bootstrap_fiml" if boot.get("missing") == "fiml" else "methods.bootstrap"
        return t(key, b=boot["successful"], seed=boot["seed"])

    def methods(self) -> Paragraph:
        """What actually ran, in words: software, estimator, missing data, N, resamples, seed."""
        from .. import __version__
        t = self.loc.t
        settings = self.r.settings
        parts = [t("methods.base", version=self.loc.digits(__version__),
                   python=self.loc.digits(self.r.software.get("python", "")))]
        e = getattr(self.r, "efa", None)
        if e is not None:
            parts.append(t("methods.efa", p=len(e.fit.loadings), method=t(f"efa.methods.{e.fit.method}"),
                           rotation=t(f"efa.rotations.{e.fit.rotation}"), iterations=e.parallel.iterations,
                           seed=e.parallel.seed))
        cb = self.r.cbsem
        fitted = cb and (cb.sem or cb.cfa)
        if fitted:
            boot = cb.sem.bootstrap_info if cb.sem is not None else None
            parts.append(t("methods.cb" if cb.sem is not None else "methods.cb_measurement",
                           estimator=t("methods.mlr") if settings.estimator == "MLR" else t("methods.ml"),
                           missing=t("methods.fiml") if settings.cb_missing == "fiml" else t("methods.listwise"),
                           n=int(fitted.nobs),
                           bootstrap=self._methods_bootstrap(boot)))
        fit = self.r.pls
        if fit is not None:
            boot = fit.resamples
            b, seed = (0, None) if boot is None else (boot.successful, boot.seed)
            scheme = t(f"methods.schemes.{fit.spec.scheme}")
            none = "_noboot" if not b else ""  # no resamples: say the paths were not tested
            if fitted:
                parts.append(t(f"methods.pls{none}", scheme=scheme, b=b, seed=seed))
            else:
                parts.append(t(f"methods.pls_only{none}", scheme=scheme, n=fit.n, b=b, seed=seed,
                               missing=t(f"pls.{fit.missing}")))
        return Paragraph(" ".join(p.strip() for p in parts))

    def notes(self) -> Section:
        t = self.loc.t
        notices = list(self.r.notices) + self._notices
        if not notices:
            return Section("notes", t("sections.notes"), (Paragraph(t("notes.none")),))
        # written from each notice's params in the chapter's language (never its English message),
        # naming constructs and demographics as the tables do; items go by their ids
        names = {c.id: self.loc.text(c.name) or c.id for c in self.q.constructs}
        names.update({d.id: _in_sentence(self.loc.text(d.name) or d.id) for d in self.q.demographics})
        return Section("notes", t("sections.notes"),
                       tuple(Callout(notice_text(n, self.loc, names)) for n in notices))

    def build(self) -> Report:
        from .. import __version__
        t = self.loc.t
        sections = [s for s in (self.sample(), data_quality_section(self), self.demographics(), self.descriptives(),
                                missing_section(self),
                                self.normality(), multivariate_normality_section(self), construct_tests_section(self),
                                self.reliability(), adequacy_section(self), common_method_section(self),
                                efa_section(self), self.cfa(), self.sem(), invariance_section(self), self.pls(),
                                pls_groups_section(self),
                                comparison_section(self), self.notes())
                    if s is not None]
        methods = self.methods()
        # the PLS model is "the same model" only beside a CB-SEM one; alone it carries the hypotheses
        alone = "pls" in {s.id for s in sections} and not {"cfa", "sem"} & {s.id for s in sections}
        parts = self.loc.join([self._intro_part(s, alone) for s in sections if s.id != "notes"])
        chapter = getattr(self.r.settings, "chapter", 4)
        chapter = 4 if chapter is None else chapter
        number = (lambda k: t("section_number", c=chapter, k=k)) if chapter else (lambda k: t("section_number_plain", k=k))
        sections = [Section(s.id, f"{number(k)} {s.title}", s.blocks)
                    for k, s in enumerate(sections, start=1)]
        intro = Section("intro", "", (Paragraph(t("intro", title=self.loc.text(self.q.title), parts=parts)), methods))
        return Report(
            lang=self.lang, rtl=self.loc.rtl, title=self._chapter_title(chapter), subtitle=self.loc.text(self.q.title),
            generated=t("generated", version=self.loc.digits(__version__), date=self.loc.date_text(self.today)),
            font=self.loc.data.get("font", "Calibri"),
            font_fallbacks=tuple(self.loc.data.get("font_fallbacks", ())),
            sections=(intro, *sections), references_title=t("references_title"),
            references=tuple(sorted(set(cited_references(self.loc.data.get("references", []),
                                                         chapter_text((intro, *sections))))
                                    | set(self.q.references) | self.method_references(), key=reference_key)),
            meta={"questionnaire": self.q.id}, decimal=getattr(self.r.settings, "decimal", None))


def prefetch_figures(results: AnalysisResults, lang: str, painter: Painter) -> None:
    """Have ``painter`` start the figures of the sections ``results`` already holds (the
    demographics, the CFA and the structural model; or, once ``results`` hold the PLS-SEM model,
    its figures alone, the others having been asked for at an earlier stage) while the rest is
    computed.

    ``results`` are those an analysis has so far (``early`` of
    :func:`~loyaltysurvey.analysis.pipeline.analyze_responses`); the sections are built and
    dropped, and their drawings stay with the painter, which gives them to the chapter built
    from the final results for the same calls (:class:`~loyaltysurvey.report.painting.Painter`).
    On the bundled example with two worker processes, the demographics' charts are drawn while
    CB-SEM is estimated, CB-SEM's diagrams while PLS-SEM is, and PLS-SEM's while its PLSpredict
    runs (benchmarks/bench_chapter.py).
    """
    builder = _Builder(results, lang, date.today(), painter)
    if results.pls is not None:  # the PLS-SEM model before PLSpredict: the earlier sections were asked for before
        builder.pls()
        return
    builder.demographics()
    builder.cfa()
    builder.sem()


def build_report(results: AnalysisResults, lang: str, today: date | None = None,
                 painter: Painter | None = None) -> Report:
    """The chapter for ``results`` in language ``lang`` (``fa`` or ``en``; others fall back to English).

    Turns :class:`~loyaltysurvey.analysis.results.AnalysisResults` into a format-free
    :class:`~loyaltysurvey.report.document.Report`: sample and demographics, descriptives,
    normality, reliability, the CFA and structural model (CB-SEM) and PLS-SEM sections as the
    run computed them, with their tables, figures, threshold notes and references. Every
    caption comes from the language's locale file; ``today`` sets the date printed on the
    chapter (Jalali for Persian). Output checked in tests/test_report_snapshot.py and
    tests/test_report_render.py.

    The figures are drawn here unless a ``painter`` is given
    (:class:`~loyaltysurvey.report.painting.ProcessPainter`: worker processes draw them while
    the tables are built); the report then holds figures still being drawn, which every
    renderer waits for (or :meth:`~loyaltysurvey.report.document.Report.resolved`).

    An example (about a second: it fits the CFA and a structural model of Holzinger and
    Swineford's data)::

        from loyaltysurvey.datasets import holzinger_swineford
        from loyaltysurvey.ingest import ingest
        from loyaltysurvey.questionnaire import QuestionnaireBuilder
        from loyaltysurvey.settings import Settings
        from loyaltysurvey.analysis.pipeline import analyze_responses
        q = (QuestionnaireBuilder("hs", scale=(0, 10))
             .construct("visual", "Visual", ["x1", "x2", "x3"])
             .construct("textual", "Textual", ["x4", "x5", "x6"])
             .construct("speed", "Speed", ["x7", "x8", "x9"])
             .model("speed ~ visual + textual").build())
        data = ingest(q, holzinger_swineford()[[f"x{i}" for i in range(1, 10)]])
        report = build_report(analyze_responses(data, Settings.resolve(q, method="cb")), "en")
        [s.id for s in report.sections]
        # ['intro', 'sample', 'descriptives', 'missing', 'normality', 'multivariate_normality',
        #  'construct_tests', 'reliability', 'sampling_adequacy', 'common_method', 'cfa', 'sem', 'notes']
    """
    report = _Builder(results, lang, today or date.today(), painter).build()
    return report if painter is not None else report.resolved()
