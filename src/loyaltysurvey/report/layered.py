"""A layered (Sugiyama) layout in pure Python, for when Graphviz ``dot`` is not installed.

The same four steps as dot, each in its simplest sound form (Sugiyama, Tagawa & Toda, 1981;
Gansner et al., 1993, for the label ranks):

1. **Ranks.** A construct's rank is twice its longest path from the sources, so that between
   two ranks of shapes there is a rank for the coefficients; an arrow that spans several ranks
   passes through a point of its own on each, and its coefficient is one of those points,
   sized as the text.
2. **Order.** Within each rank, the shapes and points are ordered by the mean position of their
   neighbours, sweeping down and up, keeping the order with the fewest crossings.
3. **Positions.** Ranks are spaced by their widest member; within a rank, members are kept in
   order and apart while drawn towards their neighbours (isotonic regression by pool-adjacent
   violators), a few times over.
4. **Arrows.** Each arrow is a spline through its points, leaving and reaching every point
   along the flow, cut where it leaves its source and where its head meets the target.

Its result has the form :mod:`loyaltysurvey.report.diagram` reads from dot: node centres and,
per arrow, (Bézier control points, tip, label centre), in inches with y upwards.
"""

from __future__ import annotations

from typing import Sequence

from .geometry import cut_head, split_cubic

__all__ = ["layered_layout"]

THIN = 2.0  # the size of an arrow's own point on a rank (points)


def _ranks(ids: list[str], edges: Sequence[tuple[str, str]], back: set[int],
           columns: Sequence[Sequence[str]] = ()) -> tuple[dict[str, int], set[int]]:
    """Longest-path ranks, each column on one rank after the previous column's; the edges in
    ``back`` and those that close a cycle are laid out reversed (returned by index)."""
    out: dict[str, list[tuple[str, int]]] = {i: [] for i in ids}
    for k, (a, b) in enumerate(edges):
        out[b].append((a, k)) if k in back else out[a].append((b, k))
    state: dict[str, int] = {}
    reversed_edges: set[int] = set(back)

    def visit(v: str) -> None:  # depth first; an edge back to a node on the stack closes a cycle
        state[v] = 1
        for w, k in out[v]:
            if state.get(w) == 1:
                reversed_edges ^= {k}
            elif w not in state:
                visit(w)
        state[v] = 2

    for v in ids:
        if v not in state:
            visit(v)
    forward = [(b, a) if k in reversed_edges else (a, b) for k, (a, b) in enumerate(edges) if a != b]
    depth = {i: 0 for i in ids}
    for _ in range(2 * len(ids) + 2):
        changed = False
        for a, b in forward:
            if depth[b] < depth[a] + 1:
                depth[b] = depth[a] + 1
                changed = True
        for c, column in enumerate(columns):
            level = max(depth[i] for i in column)
            if c:
                level = max(level, max(depth[i] for i in columns[c - 1]) + 1)
            for i in column:
                if depth[i] < level:
                    depth[i] = level
                    changed = True
        if not changed:
            break
    return {i: 2 * d for i, d in depth.items()}, reversed_edges


def _crossings(layers: list[list[str]], links: list[tuple[str, str]], where: dict[str, int]) -> int:
    total = 0
    for r in range(len(layers) - 1):
        pairs = [(where[a], where[b]) for a, b in links if a in layers[r] and b in layers[r + 1]]
        total += sum(1 for i in range(len(pairs)) for j in range(i + 1, len(pairs))
                     if (pairs[i][0] - pairs[j][0]) * (pairs[i][1] - pairs[j][1]) < 0)
    return total


def _isotonic(targets: list[float], gaps: list[float]) -> list[float]:
    """Positions as near ``targets`` as possible, in order, each at least ``gaps[i]`` after the previous."""
    offsets = [0.0]
    for g in gaps:
        offsets.append(offsets[-1] + g)
    blocks: list[list[float]] = []  # [mean, weight]
    for t, o in zip(targets, offsets):
        blocks.append([t - o, 1.0])
        while len(blocks) > 1 and blocks[-2][0] > blocks[-1][0]:
            m2, w2 = blocks.pop()
            m1, w1 = blocks.pop()
            blocks.append([(m1 * w1 + m2 * w2) / (w1 + w2), w1 + w2])
    values = [m for m, w in blocks for _ in range(int(w))]
    return [v + o for v, o in zip(values, offsets)]


def layered_layout(shapes, edges: Sequence[tuple[str, str]], label_sizes: Sequence[tuple[float, float]], plan,
                   back: set[int] = frozenset(), columns: Sequence[Sequence[str]] = (), tabs: dict | None = None):
    """Node centres and routed arrows (see the module's docstring) for ``shapes`` (sizes in points).

    An item with a tab (``tabs``: id -> (width, side), see :mod:`~loyaltysurvey.report.diagram`)
    is laid out with its tab, and its arrow ends at the middle of the tab's outer side."""
    tabs = tabs or {}
    ids = [s.id for s in shapes]
    size = {s.id: (s.width + tabs.get(s.id, (0.0, ""))[0], s.height) for s in shapes}
    rank, backwards = _ranks(ids, edges, set(back), columns)
    same = [v for column in columns for v in column]
    across = 1 if plan.flow == "LR" else 0  # the axis within a rank: y across LR flows, x across TB
    chains: list[list[str]] = []
    label_point: list[str | None] = []
    for k, (a, b) in enumerate(edges):
        if b in tabs:  # label drawn in the tab
            label_sizes = list(label_sizes)
            label_sizes[k] = (0.0, 0.0)
        s, t = (b, a) if k in backwards else (a, b)
        if rank[t] <= rank[s]:  # a self-loop or an edge within a rank: give it room on the next rank
            rank[t] = rank[s] + 2
        chain = [s]
        middle = (rank[s] + rank[t]) // 2
        middle += (middle - rank[s]) % 2 == 0  # labels sit on the odd (label) ranks
        label = None
        for r in range(rank[s] + 1, rank[t]):
            point = f"\x00{k}:{r}"
            rank[point] = r
            w, h = label_sizes[k] if r == min(middle, rank[t] - 1) and label_sizes[k][0] else (THIN, THIN)
            size[point] = (w, h)
            if r == min(middle, rank[t] - 1) and label_sizes[k][0]:
                label = point
            chain.append(point)
        chains.append(chain + [t])
        label_point.append(label)
    top = max(rank.values())
    layers: list[list[str]] = [[] for _ in range(top + 1)]
    for v in ids + [p for c in chains for p in c[1:-1]]:
        layers[rank[v]].append(v)
    links = [(c[i], c[i + 1]) for c in chains for i in range(len(c) - 1)]
    up: dict[str, list[str]] = {}
    down: dict[str, list[str]] = {}
    for a, b in links:
        down.setdefault(a, []).append(b)
        up.setdefault(b, []).append(a)

    def positions(ls):
        return {v: i for layer in ls for i, v in enumerate(layer)}

    best = [list(layer) for layer in layers]
    best_cross = _crossings(best, links, positions(best))
    for sweep in range(8):
        where = positions(layers)
        rows = range(1, len(layers)) if sweep % 2 == 0 else range(len(layers) - 2, -1, -1)
        for r in rows:
            nbrs = up if sweep % 2 == 0 else down
            layers[r].sort(key=lambda v: (sum(where[u] for u in nbrs.get(v, [])) / len(nbrs[v]))
                           if nbrs.get(v) else where[v])
            fixed = [i for i, v in enumerate(layers[r]) if v in same]
            for i, v in zip(fixed, [v for v in same if v in layers[r]]):  # the nodes of one rank keep their order
                layers[r][i] = v
            where = positions(layers)
        cross = _crossings(layers, links, where)
        if cross < best_cross:
            best, best_cross = [list(layer) for layer in layers], cross
    layers = best

    # positions along the flow (points): each rank as deep as its deepest member
    flow_size = {v: size[v][0] if plan.flow == "LR" else size[v][1] for v in size}
    cross_size = {v: size[v][1] if plan.flow == "LR" else size[v][0] for v in size}
    depth_of = [max((flow_size[v] for v in layer), default=0.0) for layer in layers]
    along, at = [], 0.0
    for r, d in enumerate(depth_of):
        if r:
            at += depth_of[r - 1] / 2 + plan.ranksep * 54 + d / 2  # dot halves it between label ranks; a little more air here
        along.append(at)
    sep = plan.nodesep * 72
    pos: dict[str, float] = {}
    for layer in layers:
        x = 0.0
        for i, v in enumerate(layer):
            if i:
                x += (cross_size[layer[i - 1]] + cross_size[v]) / 2 + sep
            pos[v] = x
    for _ in range(12):
        for layer in layers:
            if not layer:
                continue
            targets = []
            for v in layer:
                nb = up.get(v, []) + down.get(v, [])
                targets.append(sum(pos[u] for u in nb) / len(nb) if nb else pos[v])
            gaps = [(cross_size[layer[i - 1]] + cross_size[layer[i]]) / 2 + sep for i in range(1, len(layer))]
            for v, p in zip(layer, _isotonic(targets, gaps)):
                pos[v] = p

    def point(v: str) -> tuple[float, float]:
        f, c = along[rank[v]] / 72, pos[v] / 72
        return (f, -c) if plan.flow == "LR" else (c, -f)

    centres = {v: point(v) for v in ids}
    routed = []
    shape_of = {s.id: s for s in shapes}
    for k, chain in enumerate(chains):
        pts = [point(v) for v in chain]
        a, b = edges[k]
        if b in tabs:  # to the middle of the tab's outer side (the chain runs from the item when reversed)
            x, y = centres[b]
            half = size[b][0] / 144
            side = (x - half, y) if tabs[b][1] == "w" else (x + half, y)
            pts[0 if k in backwards else -1] = side
        curve = _spline(pts, plan.flow)
        if k in backwards:
            curve = curve[::-1]
        curve = _cut(curve, shape_of[a], centres[a], start=True)
        if b in tabs:
            tip = curve[-1]
        else:
            curve = _cut(curve, shape_of[b], centres[b], start=False)
            curve, tip = cut_head(curve, 7.0 / 72)
        lp = point(label_point[k]) if label_point[k] else None
        routed.append((tuple(curve), tip, lp))
    return centres, routed


def _spline(pts: list[tuple[float, float]], flow: str) -> list[tuple[float, float]]:
    """Bézier pieces through the points, leaving and reaching each along the flow."""
    out = [pts[0]]
    for p, q in zip(pts, pts[1:]):
        if flow == "LR":
            h = (q[0] - p[0]) / 2
            out += [(p[0] + h, p[1]), (q[0] - h, q[1]), q]
        else:
            h = (q[1] - p[1]) / 2
            out += [(p[0], p[1] + h), (q[0], q[1] - h), q]
    return out


def _inside(shape, centre, p) -> bool:
    a, b = shape.width / 144, shape.height / 144
    dx, dy = p[0] - centre[0], p[1] - centre[1]
    if shape.kind == "item":
        return abs(dx) < a and abs(dy) < b
    return (dx / a) ** 2 + (dy / b) ** 2 < 1


def _cut(curve, shape, centre, start: bool):
    """The curve without the part inside the shape at its start (or end)."""
    pieces = [tuple(curve[i:i + 4]) for i in range(0, len(curve) - 3, 3)]
    order = range(len(pieces)) if start else range(len(pieces) - 1, -1, -1)
    for i in order:
        piece = pieces[i]
        inside_a, inside_b = _inside(shape, centre, piece[0]), _inside(shape, centre, piece[3])
        if start and inside_a and not inside_b or not start and inside_b and not inside_a:
            lo, hi = 0.0, 1.0
            for _ in range(40):
                mid = (lo + hi) / 2
                p = split_cubic(*piece, mid)[0][3]
                if _inside(shape, centre, p) == inside_a:
                    lo = mid
                else:
                    hi = mid
            first, second = split_cubic(*piece, (lo + hi) / 2)
            kept = [second] + pieces[i + 1:] if start else pieces[:i] + [first]
            return [kept[0][0]] + [p for pc in kept for p in pc[1:]]
    return list(curve)
