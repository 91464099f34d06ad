"""Diagrams of a model: constructs (ellipses), items (rectangles) and arrows with their coefficients.

The layout is Graphviz ``dot``'s layered layout (Sugiyama's method, as lavaanPlot and seminr
use it), computed once per model and shared by the model's two figures (estimates and t
values); everything is then drawn with matplotlib from dot's coordinates, so Persian names
keep matplotlib's shaping. dot cannot measure Persian text, so it is given sizes instead:
every construct is a fixed-size ellipse measured from its text with matplotlib, and every
coefficient an empty label of its measured size, which dot keeps clear of arrows and shapes.
:mod:`loyaltysurvey.report.geometry` then spreads arrowheads that would meet on a border and
sets each coefficient on its own arrow where it covers nothing else (else in the room dot
kept for it beside the arrow).

A measurement model stands in columns: constructs, and their items in a column beside them.
Each item is laid out with a *tab* on its construct's side, as wide as its loading and an
arrowhead, so that the loading and the head sit where nothing else can; the arrows fan out
from the construct to the tabs in the items' order.

When ``dot`` is not installed, :mod:`loyaltysurvey.report.layered` lays out the same graph in
pure Python (the same method, simpler) and :attr:`Layout.engine` says so; the chapter then
prints a note asking for Graphviz.

Sizes are in inches and points at the size the figure is printed: a layout is at most
:data:`TEXT_WIDTH` wide (an A4 page with 2.5 cm margins), and the report inserts it at its
own width, so no type prints smaller than :data:`MIN_PT` points. A model too wide for the
page has its names wrapped narrower, then flows down the page, and only when nothing fits is
it reduced (tests/test_diagram_layout.py checks the printed size on a corpus of shapes).
"""

from __future__ import annotations

import json
import math
import shutil
import subprocess
from dataclasses import dataclass, replace
from typing import Iterable, Sequence

from .geometry import arrowhead, bezier_points, cut_head, place_labels, spread_heads

__all__ = ["Box", "Node", "Edge", "Layout", "TEXT_WIDTH", "MIN_PT", "layouts", "render", "text_extents"]

#: Printed width of the text on an A4 page with 2.5 cm margins (16 cm, in inches): the widest a figure is drawn.
TEXT_WIDTH = 16 / 2.54
#: The tallest a figure is drawn (inches): a page's text height less its caption.
MAX_HEIGHT = 8.6
#: The smallest printed type (points).
MIN_PT = 8.0
NAME_PT, VALUE_PT, NOTE_PT, ITEM_PT = 9.0, 8.5, 8.5, 8.5
INK, ACCENT, FILL, ITEM_FILL = "#333333", "#1f5f8b", "#e8f0f7", "#ffffff"
DPI = 200
#: PNG compression of a chart matplotlib saves itself (see figures._png): zlib level 1 encodes
#: several times faster than the default 6 (the figures are flat colours and text).
PNG_OPTIONS = {"compress_level": 1}
_WIDEST = (math.floor(TEXT_WIDTH * DPI) - 1) / DPI  # whole pixels, and one to spare for rounding up
ARROW_PT = 7.0           # arrowhead length (points)
ARROW_HALF = 0.36        # arrowhead half-width, as a share of its length
LABEL_PAD = 1.5          # white space around a coefficient (points)
MARGIN = 0.05            # around the drawing (inches)
NOTE_GAP = 1.5           # between a construct's name and its R² (points)
ELLIPSE = 1.25           # an ellipse's width over its text's
TAB_GAP = 2.0            # around a loading in its item's tab (points)
FAN_SIN = 0.8            # arrows to items leave a construct within this sine of its facing side
FAN_STEP = 0.07          # and this far apart (inches)
FAN_ROOM, FAN_SLOPE = 0.6, 0.3  # a fan's items move out by up to FAN_SLOPE of its height (inches)


@dataclass(frozen=True)
class Box:
    """An axis-aligned rectangle in inches (``x0 <= x1``, ``y0 <= y1``; y grows upwards)."""

    x0: float
    y0: float
    x1: float
    y1: float


@dataclass(frozen=True)
class Node:
    """A construct (``kind="construct"``, an ellipse) or an item (``"item"``, a rectangle).

    ``x``, ``y`` is the centre and ``width``, ``height`` the full size, in inches. ``text``
    is the name as drawn (lines joined by ``\\n``) and ``note`` a smaller line under it (R²).
    """

    id: str
    kind: str
    text: str
    x: float
    y: float
    width: float
    height: float
    fontsize: float = NAME_PT
    note: str = ""
    note_fontsize: float = NOTE_PT

    @property
    def box(self) -> Box:
        """The rectangle around the shape."""
        return Box(self.x - self.width / 2, self.y - self.height / 2, self.x + self.width / 2, self.y + self.height / 2)


@dataclass(frozen=True)
class Edge:
    """An arrow from ``source`` to ``target`` with its coefficient ``text``.

    ``curve`` holds the cubic Bézier control points (p0, then c1, c2, p for each piece) from the
    border of the source to the base of the arrowhead, whose point is ``tip`` (on the target's
    border). ``label`` is the rectangle the text sits in (None when the edge has no text).
    """

    source: str
    target: str
    text: str
    curve: tuple[tuple[float, float], ...]
    tip: tuple[float, float]
    label: Box | None = None
    bold: bool = False
    fontsize: float = VALUE_PT

    def polyline(self, per_piece: int = 24) -> list[tuple[float, float]]:
        """The curve sampled (``per_piece`` points per Bézier piece), then the arrow's tip."""
        return bezier_points(self.curve, per_piece) + [self.tip]

    @property
    def arrowhead(self) -> tuple[tuple[float, float], tuple[float, float], tuple[float, float]]:
        """The arrowhead's triangle: its tip and the two corners of its base."""
        return arrowhead(self.curve[-1], self.tip, ARROW_HALF)


@dataclass(frozen=True)
class Layout:
    """A laid-out diagram: its size (inches), nodes and edges, and the engine that placed them
    (``"dot"``, or ``"python"`` when Graphviz was not available).

    ``scale`` is the factor the drawing was reduced by to fit :data:`TEXT_WIDTH` by
    :data:`MAX_HEIGHT` (1.0 when it fits as laid out; the font sizes already include it).
    """

    width: float
    height: float
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]
    rtl: bool = False
    engine: str = "dot"
    scale: float = 1.0

    def node(self, id: str) -> Node:
        return next(n for n in self.nodes if n.id == id)

    @property
    def fontsizes(self) -> list[float]:
        """Every type size used in the drawing (points, at the drawing's size)."""
        sizes = [n.fontsize for n in self.nodes] + [n.note_fontsize for n in self.nodes if n.note]
        return sizes + [e.fontsize for e in self.edges if e.text]


# ----------------------------------------------------------------------------- measuring text
class _Measure:
    """Text extents in points, measured by matplotlib's own layout (so Persian is shaped).

    Every instance shares one figure and one cache of extents (a text at a size measures the
    same in every drawing), so that the names repeated across a chapter's diagrams are
    measured once per process.
    """

    _fig = None
    _renderer = None
    cache: dict[tuple[str, float], tuple[float, float]] = {}

    def __init__(self) -> None:
        if _Measure._fig is None:
            from matplotlib.backends.backend_agg import FigureCanvasAgg
            from matplotlib.figure import Figure
            fig = Figure(figsize=(4, 4), dpi=72)
            FigureCanvasAgg(fig)
            _Measure._fig, _Measure._renderer = fig, fig.canvas.get_renderer()
        self.fig, self.renderer = _Measure._fig, _Measure._renderer

    def __call__(self, text: str, size: float) -> tuple[float, float]:
        key = (text, size)
        if key not in self.cache:
            if not text:
                self.cache[key] = (0.0, 0.0)
            else:
                t = self.fig.text(0.5, 0.5, text, fontsize=size, ha="center", va="center", parse_math=False)
                box = t.get_window_extent(self.renderer)
                t.remove()
                self.cache[key] = (float(box.width), float(box.height))  # dpi 72: pixels are points
        return self.cache[key]


def text_extents(layout: Layout) -> dict[str, list[Box]]:
    """The boxes (inches) that matplotlib actually fills with each text when it draws the layout:
    ``{"node:<id>": [...], "edge:<k>": [...]}``, so that a test can check that the texts lie
    inside their shapes as drawn (Persian shaped), not only as measured."""
    fig, texts = _draw(layout)
    renderer = fig.canvas.get_renderer()
    out: dict[str, list[Box]] = {}
    for key, artist in texts:
        bb = artist.get_window_extent(renderer)
        out.setdefault(key, []).append(Box(bb.x0 / DPI, bb.y0 / DPI, bb.x1 / DPI, bb.y1 / DPI))
    return out


def _wrap(text: str, measure: _Measure, size: float, limit_pt: float) -> str:
    """The fewest balanced lines (at most four) whose widths stay within ``limit_pt``."""
    words = text.split()
    if len(words) < 2 or measure(text, size)[0] <= limit_pt:
        return text
    space = measure("a a", size)[0] - measure("aa", size)[0]
    widths = [measure(w, size)[0] for w in words]
    n = len(words)

    def line(i: int, j: int) -> float:
        return sum(widths[i:j]) + space * (j - i - 1)

    best = None
    for k in range(2, min(4, n) + 1):
        # the split into k lines with the narrowest widest line (a small dynamic programme)
        cost = {(0, 0): (0.0, ())}
        for lines in range(1, k + 1):
            for j in range(lines, n + 1):
                options = [(max(cost[(lines - 1, i)][0], line(i, j)), cost[(lines - 1, i)][1] + (j,))
                           for i in range(lines - 1, j) if (lines - 1, i) in cost]
                if options:
                    cost[(lines, j)] = min(options)
        widest, cuts = cost[(k, n)]
        best = cuts
        if widest <= limit_pt:
            break
    bounds = (0,) + best
    return "\n".join(" ".join(words[bounds[i]:bounds[i + 1]]) for i in range(len(bounds) - 1))


# ----------------------------------------------------------------------------- the graph to lay out
@dataclass(frozen=True)
class _Shape:
    """A node's size in points and its texts (before layout)."""

    id: str
    kind: str
    text: str
    width: float
    height: float
    notes: tuple[str, ...]


@dataclass(frozen=True)
class _Plan:
    """One way to lay the graph out: its flow (``LR`` or ``TB``), how wide names may grow, spacing."""

    flow: str
    wrap_in: float
    nodesep: float
    ranksep: float


_PLANS = (_Plan("LR", 1.1, 0.14, 0.36), _Plan("LR", 1.1, 0.12, 0.22), _Plan("LR", 0.8, 0.10, 0.16),
          _Plan("TB", 1.1, 0.16, 0.3), _Plan("TB", 0.8, 0.10, 0.16))
#: A measurement model stacks its items in columns: they stand close, and the model never turns.
_MEASUREMENT_PLANS = (_Plan("LR", 1.1, 0.05, 0.22), _Plan("LR", 0.8, 0.03, 0.16))


def _shapes(nodes: Sequence[tuple[str, str, str]], notes: Sequence[dict], plan: _Plan,
            measure: _Measure) -> list[_Shape]:
    shapes = []
    for id, name, kind in nodes:
        if kind == "item":
            w, h = measure(name, ITEM_PT)
            shapes.append(_Shape(id, kind, name, w + 10, h + 7, ()))
            continue
        text = _wrap(name, measure, NAME_PT, plan.wrap_in * 72)
        w, h = measure(text, NAME_PT)
        extra = [measure(v[id], NOTE_PT) for v in notes if v.get(id)]
        if extra:
            w = max([w] + [e[0] for e in extra])
            h += max(e[1] for e in extra) + NOTE_GAP
        # an ellipse through the corners of the text's box (with a little air), wider by ELLIPSE
        # than the text and as tall as that requires: flatter than the smallest such ellipse
        # (sqrt 2 both ways), so that a model's ranks take less of the page's width
        a = (w / 2 + 3) * ELLIPSE
        b = max((h / 2 + 1.5) / math.sqrt(1 - 1 / ELLIPSE ** 2), 13.0)
        a = max(a, 1.3 * b, 24.0)
        shapes.append(_Shape(id, kind, text, 2 * a, 2 * b, tuple(v.get(id, "") for v in notes)))
    # items share one size: they read as columns of equals
    item_w = max([s.width for s in shapes if s.kind == "item"], default=0)
    item_h = max([s.height for s in shapes if s.kind == "item"], default=0)
    return [replace(s, width=item_w, height=item_h) if s.kind == "item" else s for s in shapes]


def _label_sizes(texts: Sequence[Sequence[str]], measure: _Measure) -> list[tuple[float, float]]:
    """Per edge, the room (points) its widest text needs among the variants, padded."""
    sizes = []
    for variant_texts in zip(*texts):
        w = max(measure(t, VALUE_PT)[0] for t in variant_texts)
        h = max(measure(t, VALUE_PT)[1] for t in variant_texts)
        sizes.append((w + 2 * LABEL_PAD, h + 2 * LABEL_PAD) if w else (0.0, 0.0))
    return sizes


def _dot_source(shapes: list[_Shape], edges: Sequence[tuple[str, str]], labels: list[tuple[float, float]],
                plan: _Plan, back: set[int], columns: Sequence[Sequence[str]] = (), tabs: dict | None = None) -> str:
    tabs = tabs or {}
    index = {s.id: f"n{k}" for k, s in enumerate(shapes)}
    out = [f'digraph G {{ rankdir={plan.flow}; nodesep={plan.nodesep}; ranksep={plan.ranksep}; ordering=out;',
           ' node [label="", fixedsize=true]; edge [arrowsize=%.3f];' % (ARROW_PT / 10)]
    for s in shapes:
        shape = "box" if s.kind == "item" else "ellipse"
        width = s.width + tabs.get(s.id, (0.0, ""))[0]
        out.append(f' {index[s.id]} [shape={shape}, width={width / 72:.4f}, height={s.height / 72:.4f}];')
    for column in columns:  # one rank, in the order given (flat invisible edges fix the order, top to bottom)
        chain = " -> ".join(index[i] for i in column)
        out.append(" { rank=same; " + " ".join(index[i] for i in column) + "; "
                   + (chain + " [style=invis]; " if len(column) > 1 else "") + "}")
    for left, right in zip(columns, columns[1:]):  # each column in the rank after the previous one
        out.append(f" {index[left[0]]} -> {index[right[0]]} [style=invis, weight=0];")
    for k, ((a, b), (w, h)) in enumerate(zip(edges, labels)):
        label = ""
        if b in tabs:  # into an item: to the middle of its tab, where its label and head will be drawn
            out.append(f' {index[b]} -> {index[a]} [id="e{k}", dir=none, tailport={tabs[b][1]}];' if k in back else
                       f' {index[a]} -> {index[b]} [id="e{k}", dir=none, headport={tabs[b][1]}];')
            continue
        if w:
            label = (', label=<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="0"><TR>'
                     f'<TD FIXEDSIZE="TRUE" WIDTH="{math.ceil(w)}" HEIGHT="{math.ceil(h)}"></TD></TR></TABLE>>')
        if k in back:  # laid out against the flow (items left of their construct), drawn as stated
            out.append(f' {index[b]} -> {index[a]} [id="e{k}", dir=back{label}];')
        else:
            out.append(f' {index[a]} -> {index[b]} [id="e{k}"{label}];')
    out.append("}")
    return "\n".join(out)


def _points(text: str) -> list[tuple[float, float]]:
    return [tuple(float(v) / 72 for v in p.split(",")[:2]) for p in text.split()]


def _from_dot(data: dict, shapes: list[_Shape], edges: Sequence[tuple[str, str]],
              labels: list[tuple[float, float]], back: set[int]) -> tuple[dict, list]:
    """Node centres and, per edge, (curve, tip, label centre) in inches from dot's JSON."""
    by_name = {f"n{k}": s.id for k, s in enumerate(shapes)}
    centres = {by_name[o["name"]]: _points(o["pos"])[0] for o in data.get("objects", []) if o["name"] in by_name}
    routed: list = [None] * len(edges)
    for e in data.get("edges", []):
        if not str(e.get("id", "")).startswith("e"):
            continue  # an invisible edge that only orders a rank
        k = int(e["id"][1:])
        parts = e["pos"].split()
        ends = {}
        while parts[0][:2] in ("s,", "e,"):
            end = parts.pop(0)
            ends[end[0]] = _points(end[2:])[0]
        curve = tuple(_points(" ".join(parts)))
        if k in back:  # dot ran it from the item to the construct with the head at its start
            curve, tip = curve[::-1], ends.get("s", curve[::-1][-1])
        else:
            tip = ends.get("e", curve[-1])
        routed[k] = (curve, tip, _points(e["lp"])[0] if labels[k][0] and "lp" in e else None)
    return centres, routed


def _tabs(nodes: Sequence[tuple[str, str, str]], edges: Sequence[tuple[str, str]], label_sizes, back: set[int],
          flow: str) -> dict[str, tuple[float, str]]:
    """Per item, the tab (points wide) beside it, on its construct's side, that holds the loading
    and the arrowhead: laid out as part of the item, so that nothing else can cover them."""
    kinds = {i: k for i, _, k in nodes}
    tabs: dict[str, tuple[float, str]] = {}
    if flow != "LR":
        return tabs
    for k, (a, b) in enumerate(edges):
        if kinds.get(b) == "item":
            width = label_sizes[k][0] + ARROW_PT + 2 * TAB_GAP
            tabs[b] = (max(width, tabs.get(b, (0.0, ""))[0]), "e" if k in back else "w")
    widest = max((w for w, _ in tabs.values()), default=0.0)
    return {b: (widest, side) for b, (_, side) in tabs.items()}  # one width: the items stand aligned


def _attach_tabs(shapes: list[_Shape], edges, raw, tabs: dict, label_sizes,
                 reverse: set[int] = frozenset()) -> tuple[dict, list, dict]:
    """The items moved into their place within their tabs, and each arrow from a construct to its
    items drawn anew as a fan: from points spread down the construct's facing side, in the
    order of the items, leaving and arriving level, then straight through the tab with its
    loading and its head at the item. Returns the centres, the arrows and the labels' fixed
    centres.

    The items of a construct stand in a column beside it with nothing between, so the fan is
    free to take the shortest smooth way; keeping the order of the items it never crosses itself.
    The arrows numbered in ``reverse`` run the other way, from the item to the construct (a
    formative construct's), their heads on the construct's border.
    """
    centres, routed = raw
    centres, routed, fixed = dict(centres), list(routed), {}
    shape = {s.id: s for s in shapes}
    fans: dict[tuple[str, str], list[int]] = {}
    for k, (a, b) in enumerate(edges):
        if b in tabs:
            fans.setdefault((a, tabs[b][1]), []).append(k)
    # a tall fan wants more room across than the layout gave it: the items' columns move
    # outwards, as far as the page's width allows (nothing else stands beyond the constructs)
    want = {"w": 0.0, "e": 0.0}
    for (a, side), ks in fans.items():
        tall = max(abs(centres[edges[k][1]][1] - centres[a][1]) for k in ks)
        want[side] = max(want[side], min(FAN_ROOM, FAN_SLOPE * tall))
    if tabs:
        left = min(centres[s.id][0] - (s.width + tabs.get(s.id, (0.0, ""))[0]) / 144 for s in shapes)
        right = max(centres[s.id][0] + (s.width + tabs.get(s.id, (0.0, ""))[0]) / 144 for s in shapes)
        spare = max(0.0, _WIDEST - 2 * MARGIN - 0.02 - (right - left))
        share = min(1.0, spare / (sum(want.values()) or 1.0))
        for b, (_, side) in tabs.items():
            x, y = centres[b]
            centres[b] = (x + want[side] * share if side == "w" else x - want[side] * share, y)
    for b, (tab, side) in tabs.items():
        x, y = centres[b]
        centres[b] = (x + tab / 144, y) if side == "w" else (x - tab / 144, y)
    for (a, side), ks in fans.items():
        ks.sort(key=lambda k: -centres[edges[k][1]][1])  # top item first
        cx, cy = centres[a]
        ra, rb = shape[a].width / 144, shape[a].height / 144
        sign = 1 if side == "w" else -1  # +1: the items stand to the right
        reach = rb * FAN_SIN
        step = FAN_STEP if not reverse.intersection(ks) else (2 * ARROW_HALF * ARROW_PT + 3) / 72  # heads apart
        span = min(2 * reach, (len(ks) - 1) * step)
        mean = sum(centres[edges[k][1]][1] for k in ks) / len(ks) - cy
        middle = min(max(mean, -(reach - span / 2)), reach - span / 2)
        for i, k in enumerate(ks):
            b = edges[k][1]
            tab = tabs[b][0] / 72
            x, y = centres[b]
            tip = (x - sign * shape[b].width / 144, y)
            start = (tip[0] - sign * tab, y)
            base = (tip[0] - sign * ARROW_PT / 72, y)
            dy = middle + span / 2 - (span * i / (len(ks) - 1) if len(ks) > 1 else span / 2)
            leave = (cx + sign * ra * math.sqrt(max(0.0, 1 - (dy / rb) ** 2)), cy + dy)
            # leaving between the ellipse's normal and the way to the tab (so never back into the
            # ellipse), arriving level
            pull = abs(start[0] - leave[0]) / 2
            nx, ny = (leave[0] - cx) / ra ** 2, (leave[1] - cy) / rb ** 2
            norm = math.hypot(nx, ny) or 1.0
            tx, ty = start[0] - leave[0], start[1] - leave[1]
            to = math.hypot(tx, ty) or 1.0
            ux, uy = nx / norm + tx / to, ny / norm + ty / to
            length = math.hypot(ux, uy) or 1.0
            out = (leave[0] + pull * ux / length, leave[1] + pull * uy / length)
            if k in reverse:  # from the item through its tab, then the fan to the construct's border
                curve = (tip, ((tip[0] * 2 + start[0]) / 3, y), ((tip[0] + start[0] * 2) / 3, y), start,
                         (start[0] - sign * pull, y), out, leave)
                curve, head = cut_head(list(curve), ARROW_PT / 72)
                routed[k] = (tuple(curve), head, None)
            else:
                curve = (leave, out, (start[0] - sign * pull, y), start,
                         ((start[0] * 2 + base[0]) / 3, y), ((start[0] + base[0] * 2) / 3, y), base)
                routed[k] = (curve, tip, None)
            w = label_sizes[k][0] / 72
            if w:
                fixed[k] = (start[0] + sign * (TAB_GAP / 72 + w / 2), y)
    return centres, routed, fixed


def _finish(shapes: list[_Shape], edges: Sequence[tuple[str, str]], raw, label_sizes, plan: _Plan,
            tabs: dict | None = None, reverse: set[int] = frozenset()):
    """Items set in their tabs, heads spread apart and labels set on their arrows
    (:mod:`loyaltysurvey.report.geometry`): ``(centres, [(curve, tip, label box or None)])`` in inches."""
    centres, routed, fixed = _attach_tabs(shapes, edges, raw, tabs or {}, label_sizes, reverse)
    geo = {s.id: (*centres[s.id], s.width / 72, s.height / 72, s.kind) for s in shapes}
    drawn = [(b, a) if k in reverse else (a, b) for k, (a, b) in enumerate(edges)]
    routed = spread_heads(geo, [(a, b, *r) for (a, b), r in zip(drawn, routed)], ARROW_PT / 72,
                          (2 * ARROW_HALF * ARROW_PT + 2.5) / 72)
    sizes = [(w / 72, h / 72) for w, h in label_sizes]
    fixed_boxes = {k: (x - sizes[k][0] / 2, y - sizes[k][1] / 2, x + sizes[k][0] / 2, y + sizes[k][1] / 2)
                   for k, (x, y) in fixed.items()}
    boxes = place_labels(geo, routed, sizes, ARROW_HALF, plan.flow, 0.6 / 72, fixed_boxes)
    return centres, [(curve, tip, box) for (_, _, curve, tip, _), box in zip(routed, boxes)]


def _run_dot(sources: list[str]) -> list[dict] | None:
    """dot's JSON for each graph (one process for all of them); None when dot cannot be run."""
    exe = shutil.which("dot")
    if exe is None:
        return None
    try:
        done = subprocess.run([exe, "-Tjson"], input="\n".join(sources), capture_output=True, text=True,
                              timeout=60, check=True)
    except (OSError, subprocess.SubprocessError):
        return None
    decoder, text, out, at = json.JSONDecoder(), done.stdout, [], 0
    while len(out) < len(sources):
        while at < len(text) and text[at].isspace():
            at += 1
        if at >= len(text):
            return None
        obj, at = decoder.raw_decode(text, at)
        out.append(obj)
    return out


def layouts(nodes: Sequence[tuple[str, str, str]], edges: Sequence[tuple[str, str]],
            texts: Sequence[Sequence[str]], *, rtl: bool = False, bold: Iterable[tuple[str, str]] = (),
            notes: Sequence[dict[str, str]] | None = None, back: Iterable[int] = (),
            columns: Sequence[Sequence[str]] = (), reverse: Iterable[int] = (),
            measurement: bool = False, engine: str = "auto") -> list[Layout]:
    """Lay out one graph and return one :class:`Layout` per variant of its texts.

    ``nodes`` are ``(id, name, kind)`` with kind ``construct`` or ``item``; ``edges`` are
    ``(source, target)``; ``texts`` holds, per variant, one coefficient text per edge (an
    empty text draws no label). The variants (standardized estimates, t values) share one
    layout, every label having the room of its widest variant, so that the two figures of a
    model show it in the same place. ``notes`` (per variant, optional) add a smaller line
    under a construct's name (its R²). Right-to-left layouts are the mirror image of
    left-to-right ones: the model flows from the right.

    The flow runs across the page; a model too deep to fit :data:`TEXT_WIDTH` has its
    names wrapped narrower, then flows down the page; only when nothing fits is the drawing
    reduced. A ``measurement`` model keeps its flow across the page and stacks its items
    closer; the edges numbered in ``back`` are laid out against the flow (their target
    stands before their source: items on the near side of their construct) and drawn as
    stated; each of the ``columns`` stands in one rank, in the order given, and each in the
    rank after the previous one. The edges into items numbered in ``reverse`` are laid out as
    stated but drawn from the item to its construct (a formative construct's indicators). ``engine`` is ``"auto"`` (dot when installed), ``"dot"`` or ``"python"``.

    >>> lay = layouts([("A", "Alpha", "construct"), ("B", "Beta", "construct")], [("A", "B")],
    ...               [["0.50"], ["6.10"]])
    >>> len(lay), [e.text for e in lay[1].edges], lay[0].width <= TEXT_WIDTH
    (2, ['6.10'], True)
    """
    texts = [list(t) for t in texts] or [[""] * len(edges)]
    notes = list(notes) if notes else [{} for _ in texts]
    notes += [{}] * (len(texts) - len(notes))
    bold = set(bold)
    measure = _Measure()
    label_sizes = _label_sizes(texts, measure)
    plans = list(_MEASUREMENT_PLANS if measurement else _PLANS)
    back, reverse = set(back), set(reverse)
    shaped = [_shapes(nodes, notes, plan, measure) for plan in plans]
    tabs = [_tabs(nodes, edges, label_sizes, back, plan.flow) for plan in plans]
    engine_used = "python"
    placed = None
    if engine in ("auto", "dot"):
        # the first plan usually fits: lay it out alone, and the others only when it does not
        first = _run_dot([_dot_source(shaped[0], edges, label_sizes, plans[0], back, columns, tabs[0])])
        if first is not None:
            engine_used = "dot"
            placed = [_finish(shaped[0], edges, _from_dot(first[0], shaped[0], edges, label_sizes, back),
                              label_sizes, plans[0], tabs[0], reverse)]
            size = _extent(shaped[0], placed[0])
            if size[0] > _WIDEST or size[1] > MAX_HEIGHT:
                rest = _run_dot([_dot_source(s, edges, label_sizes, p, back, columns, t)
                                 for s, p, t in zip(shaped[1:], plans[1:], tabs[1:])])
                placed += [_finish(s, edges, _from_dot(d, s, edges, label_sizes, back), label_sizes, p, t, reverse)
                           for d, s, p, t in zip(rest or [], shaped[1:], plans[1:], tabs[1:])]
    if placed is None:
        from .layered import layered_layout
        placed = []
        for plan, shapes, tab in zip(plans, shaped, tabs):
            raw = layered_layout(shapes, edges, label_sizes, plan, back, columns, tab)
            placed.append(_finish(shapes, edges, raw, label_sizes, plan, tab, reverse))
            size = _extent(shapes, placed[-1])
            if size[0] <= _WIDEST and size[1] <= MAX_HEIGHT:
                break
    # the first plan that fits, else the one that needs the least reduction
    fits = [min(1.0, _WIDEST / w, MAX_HEIGHT / h) for w, h in (_extent(s, p) for s, p in zip(shaped, placed))]
    choice = next((k for k, f in enumerate(fits) if f >= 1.0), max(range(len(fits)), key=fits.__getitem__))
    drawn = [(b, a) if k in reverse else (a, b) for k, (a, b) in enumerate(edges)]
    return [_assemble(shaped[choice], drawn, placed[choice], variant, _label_sizes([variant], measure), note, bold,
                      rtl, engine_used, fits[choice])
            for variant, note in zip(texts, notes)]


def _bounds(shapes: list[_Shape], placed) -> tuple[float, float, float, float]:
    centres, routed = placed
    xs, ys = [], []
    for s in shapes:
        x, y = centres[s.id]
        xs += [x - s.width / 144, x + s.width / 144]
        ys += [y - s.height / 144, y + s.height / 144]
    for curve, tip, box in routed:
        for px, py in bezier_points(curve, 8) + list(arrowhead(curve[-1], tip, ARROW_HALF)):
            xs.append(px)
            ys.append(py)
        if box is not None:
            xs += [box[0], box[2]]
            ys += [box[1], box[3]]
    return min(xs) - MARGIN, min(ys) - MARGIN, max(xs) + MARGIN, max(ys) + MARGIN


def _extent(shapes, placed) -> tuple[float, float]:
    x0, y0, x1, y1 = _bounds(shapes, placed)
    return x1 - x0, y1 - y0


def _assemble(shapes: list[_Shape], edges, placed, texts: Sequence[str], sizes, notes: dict, bold: set,
              rtl: bool, engine: str, scale: float) -> Layout:
    """The layout in inches from the origin, mirrored for right-to-left reports and reduced by ``scale``."""
    x0, y0, x1, y1 = _bounds(shapes, placed)
    # whole pixels, so that the PNG is exactly the layout's size
    x1 = x0 + math.ceil((x1 - x0) * scale * DPI - 1e-6) / DPI / scale
    y1 = y0 + math.ceil((y1 - y0) * scale * DPI - 1e-6) / DPI / scale
    width, height = x1 - x0, y1 - y0

    def at(p: tuple[float, float]) -> tuple[float, float]:
        x, y = p[0] - x0, p[1] - y0
        return ((width - x) if rtl else x) * scale, y * scale

    centres, routed = placed
    nodes = []
    for s in shapes:
        x, y = at(centres[s.id])
        nodes.append(Node(s.id, s.kind, s.text, x, y, s.width / 72 * scale, s.height / 72 * scale,
                          (ITEM_PT if s.kind == "item" else NAME_PT) * scale, notes.get(s.id, ""), NOTE_PT * scale))
    out_edges = []
    for (a, b), text, (curve, tip, box), (w, h) in zip(edges, texts, routed, sizes):
        label = None
        if text and box is not None:
            # this variant's text, centred in the room kept for the widest
            cx, cy = at(((box[0] + box[2]) / 2, (box[1] + box[3]) / 2))
            hw, hh = w / 144 * scale, h / 144 * scale
            label = Box(cx - hw, cy - hh, cx + hw, cy + hh)
        out_edges.append(Edge(a, b, text, tuple(at(p) for p in curve), at(tip), label, (a, b) in bold,
                              VALUE_PT * scale))
    return Layout(width * scale, height * scale, tuple(nodes), tuple(out_edges), rtl, engine, scale)


# ----------------------------------------------------------------------------- drawing
def _label(ax, e: Edge, k: int):
    """The white box and the text of edge number ``k``'s coefficient, on ``ax``."""
    from matplotlib.patches import Rectangle
    b = e.label
    box = ax.add_artist(Rectangle((b.x0, b.y0), b.x1 - b.x0, b.y1 - b.y0, facecolor="white", edgecolor="none",
                                  zorder=4))
    text = ax.text((b.x0 + b.x1) / 2, (b.y0 + b.y1) / 2, e.text, ha="center", va="center", fontsize=e.fontsize,
                   color=INK, zorder=5, fontweight="bold" if e.bold else "normal", parse_math=False)
    return box, text


def _draw(layout: Layout, labels: bool = True):
    """The layout on a matplotlib figure (Agg canvas): ``(figure, [(key, text artist), ...])``;
    without ``labels`` the coefficients' boxes and texts are left out (see :func:`render_variants`)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.patches import Ellipse, PathPatch, Polygon, Rectangle
    from matplotlib.path import Path

    fig = Figure(figsize=(layout.width, layout.height), dpi=DPI)
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, layout.width)
    ax.set_ylim(0, layout.height)
    ax.axis("off")
    texts = []
    s = layout.scale
    measure = _Measure()
    for k, e in enumerate(layout.edges):
        lw = (1.5 if e.bold else 0.9) * s
        codes = [Path.MOVETO] + [Path.CURVE4] * (len(e.curve) - 1)
        ax.add_artist(PathPatch(Path(e.curve, codes), facecolor="none", edgecolor=INK, linewidth=lw, zorder=2,
                               capstyle="butt"))
        ax.add_artist(Polygon(e.arrowhead, closed=True, facecolor=INK, edgecolor=INK, linewidth=0.3 * s, zorder=3))
        if labels and e.label is not None:
            texts.append((f"edge:{k}", _label(ax, e, k)[1]))
    for n in layout.nodes:
        if n.kind == "item":
            ax.add_artist(Rectangle((n.x - n.width / 2, n.y - n.height / 2), n.width, n.height, facecolor=ITEM_FILL,
                                   edgecolor=INK, linewidth=0.8 * s, zorder=6))
        else:
            ax.add_artist(Ellipse((n.x, n.y), n.width, n.height, facecolor=FILL, edgecolor=ACCENT,
                                 linewidth=1.2 * s, zorder=6))
        if n.note:
            # the name over the note (R²), the two centred together as the node was sized for them
            h1, h2 = measure(n.text, n.fontsize)[1] / 72, measure(n.note, n.note_fontsize)[1] / 72
            top = n.y + (h1 + h2 + NOTE_GAP / 72 * s) / 2
            texts.append((f"node:{n.id}", ax.text(n.x, top, n.text, ha="center", va="top",
                                                  fontsize=n.fontsize, zorder=7, parse_math=False)))
            texts.append((f"node:{n.id}", ax.text(n.x, top - h1 - NOTE_GAP / 72 * s, n.note, ha="center",
                                                  va="top", fontsize=n.note_fontsize, zorder=7, parse_math=False)))
        else:
            texts.append((f"node:{n.id}", ax.text(n.x, n.y, n.text, ha="center", va="center", fontsize=n.fontsize,
                                                  zorder=7, parse_math=False)))
    return fig, texts


def render(layout: Layout) -> bytes:
    """The layout drawn as a PNG exactly ``layout.width`` by ``layout.height`` inches (at 200 dpi)."""
    fig, _ = _draw(layout)
    return opaque_png(fig)


def render_variants(variants: Sequence[Layout]) -> list[bytes]:
    """Each layout drawn as :func:`render` draws it; variants of one model (the same shapes and
    arrows, other coefficients: standardized estimates, t values) share one drawing of the shapes.

    The shapes, arrows and names are drawn once; for each variant its coefficients' boxes and
    texts are drawn over a copy of that (matplotlib's blitting). A coefficient's box never
    overlaps a shape or another box (the layout's promise, tested in
    tests/test_diagram_layout.py), so the pictures are those :func:`render` draws, but for
    anti-aliasing where a box touches an arrow.
    """
    first = variants[0] if variants else None

    def arrows(layout: Layout) -> list:
        return [(e.source, e.target, e.curve, e.tip, e.bold) for e in layout.edges]

    if len(variants) < 2 or any((v.width, v.height, v.nodes) != (first.width, first.height, first.nodes)
                                or arrows(v) != arrows(first) for v in variants):
        return [render(v) for v in variants]
    fig, _ = _draw(first, labels=False)
    canvas = fig.canvas
    canvas.draw()
    shapes = canvas.copy_from_bbox(fig.bbox)
    ax = fig.axes[0]
    out = []
    for layout in variants:
        canvas.restore_region(shapes)
        drawn = [artist for k, e in enumerate(layout.edges) if e.label is not None for artist in _label(ax, e, k)]
        for artist in sorted(drawn, key=lambda a: a.get_zorder()):
            ax.draw_artist(artist)
        out.append(opaque_png(fig, drawn=True))
        for artist in drawn:
            artist.remove()
    return out


def opaque_png(fig, drawn: bool = False) -> bytes:
    """``fig`` (on its Agg canvas, its background opaque) as an RGB PNG at its own size and dpi
    (:func:`~loyaltysurvey.report.png.rgb_png`): what ``fig.savefig(format="png")`` shows, less
    the alpha channel an opaque figure does not need. ``drawn``: the canvas holds the picture
    already (:func:`render_variants`).
    """
    import numpy as np
    from .png import rgb_png
    canvas = fig.canvas
    if not drawn:  # else the canvas holds the picture already
        canvas.draw()
    return rgb_png(np.asarray(canvas.buffer_rgba()), fig.dpi)
