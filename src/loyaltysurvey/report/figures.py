"""Figures for the report, drawn with matplotlib (Agg) and returned as PNG bytes.

matplotlib 3.11 lays out complex scripts itself, so Persian labels are drawn shaped and in
the right order as given (checked by eye on the rendered PNG); right-to-left reports draw
the model flowing from right to left. The model diagrams (structural and measurement) are
laid out by :mod:`loyaltysurvey.report.diagram`; their layouts carry their geometry, so
that what they promise (no arrow through a shape, no text over another) can be tested.
"""

from __future__ import annotations

import math

import io
from typing import Sequence

from .diagram import PNG_OPTIONS, Layout, layouts, render, render_variants

__all__ = ["bar_chart", "ipma_chart", "measurement_diagrams", "measurement_layouts", "path_diagram", "path_diagrams",
           "path_layouts", "render", "scree_chart", "simple_slope_chart", "tracking_chart", "warm_up"]

INK, ACCENT, FILL = "#333333", "#1f5f8b", "#e8f0f7"


#: Room (inches) drawn around every chart and cropped away: tick labels, axis titles and legends
#: that reach past the chart's own size land on it, so that one drawing finds the chart's tight
#: box (matplotlib's ``bbox_inches="tight"`` draws the chart twice to find it). A whole number of
#: pixels at the charts' 150 dpi.
ROOM = 2.0
#: White space kept around the tight box (matplotlib's ``savefig.pad_inches``).
PAD = 0.1


class _Figures:
    """The two pyplot calls used here, on bare Figures: pyplot's backend machinery is never imported
    (a tenth of a second) and no figure is registered anywhere, so there is nothing to close.

    A figure of ``figsize`` gets :data:`ROOM` on every side, its subplots placed inside as
    matplotlib would place them on a figure of that size; :func:`_png` crops it to its content."""

    @staticmethod
    def subplots(*args, figsize=(6.4, 4.8), dpi=None, **kwargs):
        import matplotlib
        from matplotlib.figure import Figure
        width, height = figsize
        fig = Figure(figsize=(width + 2 * ROOM, height + 2 * ROOM), dpi=dpi)
        rc = matplotlib.rcParams
        across = lambda f: (ROOM + f * width) / (width + 2 * ROOM)  # noqa: E731
        up = lambda f: (ROOM + f * height) / (height + 2 * ROOM)  # noqa: E731
        fig.subplots_adjust(left=across(rc["figure.subplot.left"]), right=across(rc["figure.subplot.right"]),
                            bottom=up(rc["figure.subplot.bottom"]), top=up(rc["figure.subplot.top"]))
        return fig, fig.subplots(*args, **kwargs)

    @staticmethod
    def close(fig) -> None:
        pass


def _pyplot():
    import matplotlib
    matplotlib.rcParams["text.parse_math"] = False  # questionnaire text is drawn as written, "$" included
    return _Figures


def _png(fig) -> bytes:
    """The chart cropped to its content and :data:`PAD` (what ``savefig(bbox_inches="tight")`` gives),
    drawn once; a chart whose content reaches past its :data:`ROOM` is saved by matplotlib."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    box = fig.get_tightbbox(canvas.get_renderer()).padded(PAD)  # inches; the text's layout is cached
    width, height = fig.get_size_inches()
    if box.x0 < 0 or box.y0 < 0 or box.x1 > width or box.y1 > height:
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", bbox_inches="tight", pad_inches=PAD, metadata={"Software": None},
                    pil_kwargs=PNG_OPTIONS)
        return buffer.getvalue()
    import numpy as np
    from .png import rgb_png
    dpi = fig.dpi
    top, bottom = round((height - box.y1) * dpi), round((height - box.y0) * dpi)
    return rgb_png(np.asarray(canvas.buffer_rgba())[top:bottom, round(box.x0 * dpi):round(box.x1 * dpi)], dpi)


def bar_chart(categories: Sequence[str], values: Sequence[float], value_labels: Sequence[str], axis_label: str,
              rtl: bool = False) -> bytes:
    """Horizontal bars, one per category (a demographic's percentages), each labelled with its value.

    Right-to-left charts grow their bars leftwards from the right-hand axis, with the
    category names on the right. ``value_labels`` are the texts written at the bar ends
    (already in the report's number style); NaN values draw no bar.

    >>> png = bar_chart(["Male", "Female"], [40.0, 60.0], ["40.0", "60.0"], "Percent")
    >>> png[:4]
    b'\x89PNG'
    """
    plt = _pyplot()
    n = len(categories)
    fig, ax = plt.subplots(figsize=(7, 0.45 * n + 1.0), dpi=150)
    y = list(range(n))[::-1]
    ax.barh(y, values, color=ACCENT, height=0.6)
    top = max([v for v in values if not math.isnan(v)] + [1.0])
    ax.set_xlim(top * 1.18, 0) if rtl else ax.set_xlim(0, top * 1.18)
    ax.set_yticks(y, [_wrap(c, 28) for c in categories], fontsize=9)
    if rtl:
        ax.yaxis.tick_right()
    for yi, v, text in zip(y, values, value_labels):
        if not math.isnan(v):
            ax.text(v + top * 0.015 if not rtl else v + top * 0.015, yi, text, va="center",
                    ha="right" if rtl else "left", fontsize=8, color=INK)
    ax.set_xticks([])
    ax.set_xlabel(axis_label, fontsize=9)
    for side in ("top", "bottom", "left", "right"):
        ax.spines[side].set_visible(False)
    ax.spines["right" if rtl else "left"].set_visible(True)
    return _png(fig)


def ipma_chart(labels: Sequence[str], importance: Sequence[float], performance: Sequence[float], *,
               x_label: str, y_label: str, tick, rtl: bool = False) -> bytes:
    """The importance-performance map: importance across (from 0, left to right, in every language),
    performance (0-100) up, means dashed, the legend under the map.

    ``tick`` formats an axis value in the report's number style (Persian digits for ``fa``):
    it is called as ``tick(value, fmt)``, like :meth:`~loyaltysurvey.report.locale.Locale.num`.
    Points are numbered and a legend names them; points that nearly coincide have their
    numbers set around them so that none hides another.

    >>> from loyaltysurvey.report.locale import load_locale
    >>> png = ipma_chart(["KCF", "SAT"], [0.3, 0.5], [60.0, 70.0], x_label="Importance",
    ...                  y_label="Performance", tick=load_locale("en").num)
    >>> png[:4]
    b'\x89PNG'
    """
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(7, 4.8), dpi=150)
    ax.scatter(importance, performance, s=60, color=ACCENT, zorder=3)
    finite_x = [v for v in importance if not math.isnan(v)] or [0.0]
    finite_y = [v for v in performance if not math.isnan(v)] or [50.0]
    pad = (max(finite_x) - min(finite_x)) or abs(max(finite_x)) or 1.0
    xlim = (min(0.0, min(finite_x) - 0.15 * pad), max(finite_x) + 0.15 * pad)
    ylim = (max(0.0, min(finite_y) - 10), min(100.0, max(finite_y) + 10))
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    ax.axvline(sum(finite_x) / len(finite_x), color="#999999", linestyle="--", linewidth=0.8)
    ax.axhline(sum(finite_y) / len(finite_y), color="#999999", linestyle="--", linewidth=0.8)
    # Points are numbered (a legend names them); numbers of points that nearly coincide
    # are set around them in turn so that none hides another.
    offsets = [(8, 6), (8, -12), (-14, 6), (-14, -12), (0, 10), (0, -16)]
    near_x, near_y = 0.06 * (xlim[1] - xlim[0]), 0.08 * (ylim[1] - ylim[0])
    placed: list[tuple[float, float]] = []
    for k, (x, y) in enumerate(zip(importance, performance), start=1):
        near = sum(1 for px, py in placed if abs(px - x) <= near_x and abs(py - y) <= near_y)
        placed.append((x, y))
        dx, dy = offsets[near % len(offsets)]
        ax.annotate(tick(k, "int"), (x, y), textcoords="offset points", xytext=(dx, dy),
                    ha="center", fontsize=8, fontweight="bold", color=INK)
    # the legend sits under the map, aligned with the side where the reader's lines start
    legend = "\n".join(f"{tick(k, 'int')}  {text}" for k, text in enumerate(labels, start=1))
    ax.text(1.0 if rtl else 0.0, -0.16, legend, transform=ax.transAxes, va="top",
            ha="right" if rtl else "left", fontsize=8, color=INK, linespacing=1.6)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: tick(v, "dec2")))
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: tick(v, "int")))
    # importance runs from 0 upwards left to right in every language, as maps and SmartPLS draw it
    ax.set_xlabel(x_label, fontsize=9)
    ax.set_ylabel(y_label, fontsize=9, labelpad=8)
    ax.tick_params(labelsize=8)
    ax.grid(alpha=0.25)
    return _png(fig)


def scree_chart(observed_pc: Sequence[float], simulated_pc: Sequence[float], observed_fa: Sequence[float],
                simulated_fa: Sequence[float], *, labels: Sequence[str], x_label: str, y_label: str, tick,
                rtl: bool = False) -> bytes:
    """The scree plot of a parallel analysis, as psych's ``fa.parallel`` draws it: observed eigenvalues
    of components (crosses) and factors (triangles) joined by solid lines, the simulated ones dotted
    and dashed, a line at 1.

    ``labels`` names the four lines (observed components, simulated components, observed factors,
    simulated factors); ``tick`` formats the axis numbers as
    :meth:`~loyaltysurvey.report.locale.Locale.num` does. The numbers run from left to right in
    every language (as the eigenvalue tables are read); ``rtl`` is accepted for symmetry with the
    other charts.

    >>> from loyaltysurvey.report.locale import load_locale
    >>> png = scree_chart([3.2, 1.6, 1.4, .6], [1.2, 1.1, 1.0, .9], [2.6, 1.0, .8, .1], [.2, .1, 0, -.1],
    ...                   labels=["PC", "PC sim", "FA", "FA sim"], x_label="Number", y_label="Eigenvalue",
    ...                   tick=load_locale("en").num)
    >>> png[:4]
    b'\x89PNG'
    """
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(7, 4.2), dpi=150)
    x = list(range(1, len(observed_pc) + 1))
    ax.plot(x, observed_pc, color=ACCENT, marker="x", linewidth=1.2, label=labels[0])
    ax.plot(x, simulated_pc, color="#b03a2e", linestyle=":", linewidth=1.2, label=labels[1])
    ax.plot(x, observed_fa, color=ACCENT, marker="^", markersize=4, linewidth=1.0, label=labels[2])
    ax.plot(x, simulated_fa, color="#b03a2e", linestyle="--", linewidth=1.0, label=labels[3])
    ax.axhline(1.0, color="#999999", linewidth=0.8)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: tick(v, "int")))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: tick(v, "dec1")))
    ax.set_xlabel(x_label, fontsize=9)
    ax.set_ylabel(y_label, fontsize=9)
    ax.tick_params(labelsize=8)
    ax.grid(alpha=0.25)
    ax.set_xlim(0.5, len(x) + 0.5)
    # the first eigenvalues stand high on the left, so the legend goes top right in every language
    ax.legend(fontsize=8, loc="upper right", frameon=False)
    return _png(fig)


def simple_slope_chart(slopes: Sequence[float], heights: Sequence[float], labels: Sequence[str], focal_sd: float,
                       *, x_label: str, y_label: str, tick, x_ticks: Sequence[str] = ("−1 SD", "M", "+1 SD"),
                       legend_title: str = "", rtl: bool = False) -> bytes:
    """The simple-slope plot of a moderation: the outcome against the focal predictor from -1 SD to
    +1 SD of the predictor, one line per probed moderator value (Aiken & West, 1991).

    Line ``k`` is ``heights[k] + slopes[k] * x`` (the predictor centred at its mean); ``labels``
    name the lines in the legend under ``legend_title`` (the moderator), set below the plot, ``x_ticks`` the predictor's -1 SD,
    mean and +1 SD, ``tick`` formats the outcome axis numbers in the report's style. The predictor axis runs left to right in every language, as the
    regression line is read; ``rtl`` puts the legend on the right.

    >>> from loyaltysurvey.report.locale import load_locale
    >>> png = simple_slope_chart([0.7, 0.6, 0.5], [-0.1, 0.0, 0.1], ["-1 SD", "Mean", "+1 SD"], 0.9,
    ...                          x_label="Image", y_label="Satisfaction", tick=load_locale("en").num)
    >>> png[:4]
    b'\x89PNG'
    """
    from matplotlib.ticker import FuncFormatter

    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6, 4), dpi=150)
    xs = [-focal_sd, focal_sd]
    styles = [(":", "#7a9cb8"), ("-", ACCENT), ("--", INK)]
    for k, (slope, height, label) in enumerate(zip(slopes, heights, labels)):
        style, colour = styles[k % len(styles)]
        ax.plot(xs, [height + slope * x for x in xs], style, color=colour, linewidth=1.8, label=label)
    ax.set_xticks([-focal_sd, 0.0, focal_sd])
    ax.set_xticklabels(list(x_ticks))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: tick(v, "dec2")))
    ax.set_xlabel(x_label, fontsize=9)
    ax.set_ylabel(y_label, fontsize=9)
    ax.tick_params(labelsize=8)
    handles, texts = ax.get_legend_handles_labels()
    if rtl:  # read from the right: the first line's entry rightmost
        handles, texts = handles[::-1], texts[::-1]
    ax.legend(handles, texts, title=legend_title, loc="upper center", bbox_to_anchor=(0.5, -0.18),
              ncol=len(texts), fontsize=8, title_fontsize=8, frameon=False)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    return _png(fig)


def tracking_chart(groups: Sequence[str], series: Sequence[tuple[str, Sequence[float]]], *, x_label: str,
                   y_label: str, tick, rtl: bool = False) -> bytes:
    """Construct means across groups (segments or survey waves): one line per construct, the groups
    in their order along the horizontal axis (from the right in right-to-left reports), the legend
    below. ``series`` holds (name, values per group); NaN leaves a gap.

    >>> from loyaltysurvey.report.locale import load_locale
    >>> tracking_chart(["2024", "2025"], [("SAT", [3.9, 4.1])], x_label="Wave", y_label="Mean",
    ...                tick=load_locale("en").num)[:4]
    b'\x89PNG'
    """
    from matplotlib.ticker import FuncFormatter

    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(7, 4.2), dpi=150)
    xs = list(range(len(groups)))
    styles = ["-", "--", ":", "-."]
    for k, (name, values) in enumerate(series):
        ax.plot(xs, list(values), styles[k % len(styles)], marker="o", markersize=4, linewidth=1.6,
                color=[ACCENT, INK, "#7a9cb8", "#b07a3c"][k % 4], label=_wrap(name, 24))
    ax.set_xticks(xs)
    ax.set_xticklabels([_wrap(g, 14) for g in groups], fontsize=8)
    if rtl:
        ax.invert_xaxis()
        ax.yaxis.tick_right()
        ax.yaxis.set_label_position("right")
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: tick(v, "dec2")))
    ax.set_xlabel(x_label, fontsize=9)
    ax.set_ylabel(y_label, fontsize=9)
    ax.tick_params(labelsize=8)
    handles, texts = ax.get_legend_handles_labels()
    if rtl:
        handles, texts = handles[::-1], texts[::-1]
    ax.legend(handles, texts, loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=min(3, len(texts)),
              fontsize=8, frameon=False)
    for side in ("top", "left" if rtl else "right"):
        ax.spines[side].set_visible(False)
    return _png(fig)


def _wrap(text: str, width: int = 16) -> str:
    """Break a long label once, at the space nearest its middle."""
    if len(text) <= width or " " not in text:
        return text
    middle = len(text) // 2
    spaces = [i for i, ch in enumerate(text) if ch == " "]
    cut = min(spaces, key=lambda i: abs(i - middle))
    return text[:cut] + "\n" + text[cut + 1:]


def path_layouts(nodes: Sequence[str], labels: dict[str, str], variants: Sequence[Sequence[tuple[str, str, str]]],
                 *, rtl: bool = False, bold: Sequence[tuple[str, str]] = (),
                 inside: Sequence[dict[str, str] | None] = (), engine: str = "auto") -> list[Layout]:
    """The layouts of a structural model, one per variant of its coefficients, in one layout.

    ``nodes`` are construct ids with display ``labels``; each variant lists the same edges
    ``(source, target, text)`` in the same order with its own texts (standardized
    estimates, t values); ``inside`` (per variant) adds a line under a construct's name,
    its R² as SmartPLS and AMOS show it. ``bold`` lists the (source, target) paths drawn
    heavier (the significant ones, as the analysis decided). Draw a layout with
    :func:`~loyaltysurvey.report.diagram.render`; see :func:`~loyaltysurvey.report.diagram.layouts`
    for the layout and its guarantees.

    >>> std, t = path_layouts(["A", "B"], {"A": "Alpha", "B": "Beta"},
    ...                       [[("A", "B", "0.50**")], [("A", "B", "6.10")]], bold=[("A", "B")])
    >>> [(e.source, e.target, e.text, e.bold) for e in t.edges]
    [('A', 'B', '6.10', True)]
    """
    edges = [(s, t) for s, t, _ in variants[0]]
    texts = [[text for _, _, text in v] for v in variants]
    notes = [dict(n or {}) for n in inside] if inside else None
    return layouts([(n, labels.get(n, n), "construct") for n in nodes], edges, texts, rtl=rtl, bold=bold,
                   notes=notes, engine=engine)


def path_diagram(nodes: Sequence[str], labels: dict[str, str], edges: Sequence[tuple[str, str, str]],
                 rtl: bool = False, bold: Sequence[tuple[str, str]] = (), inside: dict[str, str] | None = None
                 ) -> bytes:
    """A structural model as a PNG: ``nodes`` (ids), display ``labels``, ``edges`` (source, target,
    text); ``inside`` adds a line under a construct's name (its R²). One variant of
    :func:`path_layouts`, drawn.

    >>> png = path_diagram(["A", "B", "C"], {"A": "Alpha", "B": "Beta", "C": "Gamma"},
    ...                    [("A", "B", "0.50"), ("B", "C", "0.30")], inside={"B": "R² = 0.25"})
    >>> png[:4]
    b'\x89PNG'
    """
    return render(path_layouts(nodes, labels, [edges], rtl=rtl, bold=bold, inside=[inside])[0])


def measurement_layouts(names: dict[str, str], indicators: Sequence[tuple[str, str]],
                        texts: Sequence[Sequence[str]], *, rtl: bool = False, bold: Sequence[tuple[str, str]] = (),
                        formative: Sequence[str] = (), engine: str = "auto") -> list[Layout]:
    """The measurement model: constructs (ellipses) with their items (rectangles) and loadings.

    ``names`` gives the constructs' display names; ``indicators`` are the (construct,
    indicator) pairs in order, an indicator that is itself a construct (a second-order
    construct's) being drawn as an ellipse and any other as a rectangle with its id;
    ``texts`` holds, per variant (loadings, t or z values), one text per pair (an empty
    text for a loading fixed to identify the construct, which has no test). When every
    indicator is an item, the constructs stand in two columns, the first ones with their
    items on the near side and the others with theirs on the far side, as SmartPLS draws a
    model, so that the figure is half as tall; each loading is written on its arrow beside
    its item. The items of ``formative`` constructs point at their construct (their texts
    are then its outer weights), as SmartPLS and seminr draw them.

    >>> std, z = measurement_layouts({"F": "Factor"}, [("F", "x1"), ("F", "x2")], [["0.81", "0.77"], ["", "9.80"]])
    >>> [n.kind for n in std.nodes], [e.text for e in z.edges]
    (['construct', 'item', 'item'], ['', '9.80'])
    """
    constructs = list(dict.fromkeys([c for c, _ in indicators]
                                    + [i for _, i in indicators if i in names]))
    items = [i for _, i in indicators if i not in names]
    back: set[int] = set()
    measured = [c for c in constructs if any(k == c and i not in names for k, i in indicators)]
    columns = [measured]
    if len(constructs) > 1 and all(i not in names for _, i in indicators):
        # two columns of constructs, the first constructs' items on the near side and the
        # others' on the far side, as SmartPLS draws a model: the split that best balances them
        counts = [sum(1 for c, _ in indicators if c == k) for k in constructs]
        total, best, run = sum(counts), 1, 0
        for k in range(1, len(constructs)):
            run += counts[k - 1]
            if abs(total - 2 * run) < abs(total - 2 * sum(counts[:best])):
                best = k
        columns = [constructs[:best], constructs[best:]]
        back = {k for k, (c, _) in enumerate(indicators) if c in columns[0]}
    nodes = [(c, names.get(c, c), "construct") for c in constructs] + [(i, i, "item") for i in items]
    reverse = {k for k, (c, i) in enumerate(indicators) if c in set(formative) and i not in names}
    return layouts(nodes, list(indicators), texts, rtl=rtl, bold=bold, back=back, columns=[c for c in columns if c],
                   reverse=reverse, measurement=True, engine=engine)


def path_diagrams(nodes: Sequence[str], labels: dict[str, str], variants: Sequence[Sequence[tuple[str, str, str]]],
                  **options) -> list[tuple[bytes, float]]:
    """:func:`path_layouts` drawn: one ``(png, width in inches)`` per variant (one call, so that a
    painter's worker draws the two figures of a model together).

    >>> [(png[:4], width > 0) for png, width in path_diagrams(["A", "B"], {"A": "Alpha", "B": "Beta"},
    ...                                                       [[("A", "B", "0.50")], [("A", "B", "6.10")]])]
    [(b'\\x89PNG', True), (b'\\x89PNG', True)]
    """
    drawn = path_layouts(nodes, labels, variants, **options)
    return [(png, layout.width) for png, layout in zip(render_variants(drawn), drawn)]


def measurement_diagrams(names: dict[str, str], indicators: Sequence[tuple[str, str]],
                         texts: Sequence[Sequence[str]], **options) -> list[tuple[bytes, float]]:
    """:func:`measurement_layouts` drawn: one ``(png, width in inches)`` per variant of ``texts``."""
    drawn = measurement_layouts(names, indicators, texts, **options)
    return [(png, layout.width) for png, layout in zip(render_variants(drawn), drawn)]


def warm_up() -> None:
    """Import matplotlib's drawing modules and load the fonts (Latin and Persian) by drawing a
    little text: what a worker process does while the statistics run, so that its first figure
    costs no more than the others."""
    from .diagram import _Measure
    measure = _Measure()
    measure("Warm-up 0.50", 9)
    measure("\u06af\u0631\u0645 \u06f0\u066b\u06f5\u06f0", 9)
