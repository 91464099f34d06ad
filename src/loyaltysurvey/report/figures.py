"""Figures for the report, drawn with matplotlib (Agg) and returned as PNG bytes.

matplotlib 3.11 lays out complex scripts itself, so Persian labels are drawn shaped and in
the right order as given (checked by eye on the rendered PNG); right-to-left reports draw
the model flowing from right to left.
"""

from __future__ import annotations

import math

import io
from typing import Sequence

__all__ = ["bar_chart", "ipma_chart", "path_diagram"]

INK, ACCENT, FILL = "#333333", "#1f5f8b", "#e8f0f7"


class _Figures:
    """The two pyplot calls used here, on bare Figures: pyplot's backend machinery is never imported
    (a tenth of a second) and no figure is registered anywhere, so there is nothing to close."""

    @staticmethod
    def subplots(*args, figsize=None, dpi=None, **kwargs):
        from matplotlib.figure import Figure
        fig = Figure(figsize=figsize, dpi=dpi)
        return fig, fig.subplots(*args, **kwargs)

    @staticmethod
    def close(fig) -> None:
        pass


def _pyplot():
    import matplotlib
    matplotlib.rcParams["text.parse_math"] = False  # questionnaire text is drawn as written, "$" included
    return _Figures


def _png(fig) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", bbox_inches="tight", metadata={"Software": None})
    _pyplot().close(fig)
    return buffer.getvalue()


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


def _wrap(text: str, width: int = 16) -> str:
    """Break a long label once, at the space nearest its middle."""
    if len(text) <= width or " " not in text:
        return text
    middle = len(text) // 2
    spaces = [i for i, ch in enumerate(text) if ch == " "]
    cut = min(spaces, key=lambda i: abs(i - middle))
    return text[:cut] + "\n" + text[cut + 1:]


def _layers(nodes: Sequence[str], edges: Sequence[tuple[str, str, str]]) -> dict[str, int]:
    depth = {n: 0 for n in nodes}
    for _ in range(len(nodes)):
        changed = False
        for s, t, _ in edges:
            if depth[t] < depth[s] + 1:
                depth[t] = depth[s] + 1
                changed = True
        if not changed:
            break
    return depth


def path_diagram(nodes: Sequence[str], labels: dict[str, str], edges: Sequence[tuple[str, str, str]],
                 rtl: bool = False, bold: Sequence[tuple[str, str]] = (), inside: dict[str, str] | None = None
                 ) -> bytes:
    """A structural model: ``nodes`` (ids), display ``labels``, ``edges`` (source, target, text);
    ``inside`` adds a line under a construct's name (its R², as SmartPLS and AMOS show it).

    Constructs stand in layers by their distance from the exogenous ones (right to left in
    right-to-left reports). Arrows run from ellipse edge to ellipse edge, and each
    coefficient sits on its arrow where it overlaps no other coefficient and no ellipse.
    ``bold`` lists the (source, target) paths drawn heavier (the significant ones).

    >>> png = path_diagram(["A", "B", "C"], {"A": "Alpha", "B": "Beta", "C": "Gamma"},
    ...                    [("A", "B", "0.50"), ("B", "C", "0.30")], inside={"B": "R² = 0.25"})
    >>> png[:4]
    b'\x89PNG'
    """
    from matplotlib.patches import Ellipse

    plt = _pyplot()
    depth = _layers(nodes, edges)
    n_layers = max(depth.values()) + 1
    columns: dict[int, list[str]] = {}
    for n in nodes:
        columns.setdefault(depth[n], []).append(n)
    tallest = max(len(m) for m in columns.values())
    pos = {}
    for layer, members in columns.items():
        for i, n in enumerate(members):
            x = layer / max(1, n_layers - 1)
            pos[n] = (1 - x if rtl else x, 1 - (i + 1) / (len(members) + 1))
    fig, ax = plt.subplots(figsize=(9, max(5.5, 0.75 * tallest + 1.5)), dpi=150)
    ax.set_xlim(-0.15, 1.15)
    ax.set_ylim(0, 1)
    ax.axis("off")
    a, b = 0.12, min(0.06, 0.4 / (tallest + 1))  # the ellipses' semi-axes, in axis units
    for n, (x, y) in pos.items():
        ax.add_patch(Ellipse((x, y), 2 * a, 2 * b, facecolor=FILL, edgecolor=ACCENT, linewidth=1.4))
        text = _wrap(labels.get(n, n), 14)
        if inside and n in inside:
            text += "\n" + inside[n]
        ax.text(x, y, text, ha="center", va="center", fontsize=8 if not (inside and n in inside) else 7.5)

    def inside_node(px: float, py: float) -> bool:
        return any(((px - x) / a) ** 2 + ((py - y) / (b + 0.02)) ** 2 < 1.15 for x, y in pos.values())

    placed: list[tuple[float, float]] = []
    for s, t, text in edges:
        (x0, y0), (x1, y1) = pos[s], pos[t]
        dx, dy = x1 - x0, y1 - y0
        edge = 1.04 / ((dx / a) ** 2 + (dy / b) ** 2) ** 0.5  # where the line leaves an ellipse
        start, end = (x0 + edge * dx, y0 + edge * dy), (x1 - edge * dx, y1 - edge * dy)
        ax.annotate("", xy=end, xytext=start,
                    arrowprops=dict(arrowstyle="-|>", color=INK, lw=1.6 if (s, t) in bold else 1.0,
                                    shrinkA=0, shrinkB=0))
        spots = [(start[0] + f * (end[0] - start[0]), start[1] + f * (end[1] - start[1]))
                 for f in (0.5, 0.35, 0.65, 0.25, 0.75, 0.42, 0.58, 0.18, 0.82)]
        free = [p for p in spots if not inside_node(*p)
                and all(abs(p[0] - q[0]) > 0.075 or abs(p[1] - q[1]) > 0.04 for q in placed)]
        lx, ly = (free or [p for p in spots if not inside_node(*p)] or spots)[0]
        placed.append((lx, ly))
        ax.text(lx, ly, text, ha="center", va="center", fontsize=8, zorder=4,
                bbox=dict(boxstyle="round,pad=0.15", facecolor="white", edgecolor="none"))
    return _png(fig)
