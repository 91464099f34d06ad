"""Finishing a diagram's layout: arrowheads spread apart, coefficients set on their arrows.

A layered layout (dot's, or :mod:`loyaltysurvey.report.layered`'s) ends the arrows into one
construct where their curves meet its border, so arrows that arrive from one side can share
one point and hide each other's heads; and it sets a coefficient beside its arrow, where a
reader may take it for the neighbouring arrow's. Two steps finish the layout:

* :func:`spread_heads` moves the heads that would touch apart along the target's border,
  in the order their arrows arrive, and bends the last piece of each arrow to its new point;
* :func:`place_labels` sets each coefficient on its own arrow (its white ground interrupts
  the line, as SmartPLS draws it) at the first place along the arrow where it covers no
  other arrow, arrowhead, shape or coefficient, trying first the room the layout kept for it;
  where the arrow offers no such place, the coefficient keeps that room beside it.

Everything is in inches, y upwards. The tests check the finished layout with their own
geometry (tests/test_diagram_layout.py).
"""

from __future__ import annotations

import math
from typing import Sequence

__all__ = ["segment_hits_box", "polyline_hits_box", "triangle_hits_box", "ellipse_hits_box", "spread_heads",
           "place_labels", "bezier_points", "arrowhead", "split_cubic", "cut_head"]

Point = tuple[float, float]
BoxT = tuple[float, float, float, float]          # x0, y0, x1, y1


def bezier_points(curve: Sequence[Point], per_piece: int = 24) -> list[Point]:
    """A cubic Bézier spline (p0, then c1, c2, p per piece) sampled ``per_piece`` times a piece."""
    pts = [tuple(curve[0])]
    for k in range(1, len(curve) - 2, 3):
        p0, c1, c2, p1 = curve[k - 1], curve[k], curve[k + 1], curve[k + 2]
        for i in range(1, per_piece + 1):
            t = i / per_piece
            u = 1 - t
            pts.append((u ** 3 * p0[0] + 3 * u * u * t * c1[0] + 3 * u * t * t * c2[0] + t ** 3 * p1[0],
                        u ** 3 * p0[1] + 3 * u * u * t * c1[1] + 3 * u * t * t * c2[1] + t ** 3 * p1[1]))
    return pts


def arrowhead(base: Point, tip: Point, half: float) -> tuple[Point, Point, Point]:
    """The triangle of an arrowhead from the middle of its ``base`` to its ``tip``; ``half`` is
    its half-width as a share of its length."""
    dx, dy = tip[0] - base[0], tip[1] - base[1]
    length = math.hypot(dx, dy) or 1e-9
    nx, ny = -dy / length * half * length, dx / length * half * length
    return tip, (base[0] + nx, base[1] + ny), (base[0] - nx, base[1] - ny)


def segment_hits_box(p: Point, q: Point, box: BoxT) -> bool:
    """Whether the segment p-q passes through the inside of the box (Liang-Barsky clipping)."""
    x0, y0, x1, y1 = box
    t0, t1 = 0.0, 1.0
    dx, dy = q[0] - p[0], q[1] - p[1]
    for d, lo, hi, v in ((dx, x0, x1, p[0]), (dy, y0, y1, p[1])):
        if abs(d) < 1e-12:
            if not lo < v < hi:
                return False
            continue
        a, b = (lo - v) / d, (hi - v) / d
        if a > b:
            a, b = b, a
        t0, t1 = max(t0, a), min(t1, b)
        if t0 >= t1:
            return False
    return True


def polyline_hits_box(points: Sequence[Point], box: BoxT) -> bool:
    return any(segment_hits_box(points[i], points[i + 1], box) for i in range(len(points) - 1))


def triangle_hits_box(tri: Sequence[Point], box: BoxT) -> bool:
    """Whether a triangle and a box share an area."""
    x0, y0, x1, y1 = box
    if any(x0 < x < x1 and y0 < y < y1 for x, y in tri):
        return True
    if any(segment_hits_box(tri[i], tri[(i + 1) % 3], box) for i in range(3)):
        return True
    (ax, ay), (bx, by), (cx, cy) = tri

    def inside(px: float, py: float) -> bool:
        d1 = (px - bx) * (ay - by) - (ax - bx) * (py - by)
        d2 = (px - cx) * (by - cy) - (bx - cx) * (py - cy)
        d3 = (px - ax) * (cy - ay) - (cx - ax) * (py - ay)
        return not ((d1 < 0 or d2 < 0 or d3 < 0) and (d1 > 0 or d2 > 0 or d3 > 0))
    return inside((x0 + x1) / 2, (y0 + y1) / 2)


def ellipse_hits_box(cx: float, cy: float, a: float, b: float, box: BoxT) -> bool:
    """Whether the ellipse (centre, semi-axes) and the box share an area: scaled by 1/a, 1/b the
    ellipse is the unit circle and the box stays a box, so the nearest point of the box decides."""
    x0, y0, x1, y1 = box
    nx, ny = min(max(cx, x0), x1), min(max(cy, y0), y1)
    return ((nx - cx) / a) ** 2 + ((ny - cy) / b) ** 2 < 1.0


def _on_ellipse(cx: float, cy: float, a: float, b: float, phi: float) -> Point:
    return cx + a * math.cos(phi), cy + b * math.sin(phi)


def _angle(cx: float, cy: float, a: float, b: float, p: Point) -> float:
    return math.atan2((p[1] - cy) / b, (p[0] - cx) / a)


def spread_heads(shapes: dict, routed: list, arrow: float, gap: float) -> list:
    """Move arrowheads that would touch apart along their target's border.

    ``shapes`` maps a node id to ``(x, y, width, height, kind)``; ``routed`` holds per edge
    ``(source, target, curve, tip, label_centre)``. Heads closer than ``gap`` (inches, tip to
    tip) are spread, keeping the order in which their arrows come in, and the last piece of
    each moved arrow is bent so that it arrives at its new point in its old direction.
    """
    routed = list(routed)
    into: dict[str, list[int]] = {}
    for k, (_, target, _, _, _) in enumerate(routed):
        into.setdefault(target, []).append(k)
    for target, ks in into.items():
        if len(ks) < 2:
            continue
        cx, cy, w, h, kind = shapes[target]
        a, b = w / 2, h / 2
        if kind == "item":  # items receive one arrow each
            continue

        def too_close() -> bool:
            tips = [routed[k][3] for k in ks]
            return any(math.dist(tips[i], tips[j]) < gap for i in range(len(tips)) for j in range(i + 1, len(tips)))

        if not too_close():
            continue
        ref = math.atan2(sum(math.sin(_angle(cx, cy, a, b, routed[k][3])) for k in ks),
                         sum(math.cos(_angle(cx, cy, a, b, routed[k][3])) for k in ks))

        def rel(phi: float) -> float:
            return (phi - ref + math.pi) % (2 * math.pi) - math.pi

        # the order in which the arrows come in: by where each is a little before its end
        def approach(k: int) -> float:
            pts = bezier_points(routed[k][2], 8)
            far = next((p for p in reversed(pts) if math.dist(p, routed[k][3]) > 3 * gap), pts[0])
            return rel(math.atan2(far[1] - cy, far[0] - cx))

        order = sorted(ks, key=approach)
        phis = [rel(_angle(cx, cy, a, b, routed[k][3])) for k in order]
        phis.sort()  # the heads keep the arrivals' order, so no two arrows cross at the border
        for _ in range(200):
            moved = False
            for i in range(len(phis) - 1):
                mid = (phis[i] + phis[i + 1]) / 2 + ref
                speed = math.hypot(a * math.sin(mid), b * math.cos(mid)) or 1e-9
                need = gap / speed
                if phis[i + 1] - phis[i] < need - 1e-9:
                    push = (need - (phis[i + 1] - phis[i])) / 2
                    phis[i] -= push
                    phis[i + 1] += push
                    moved = True
            if not moved:
                break
        for k, phi in zip(order, phis):
            source, tgt, curve, tip, lp = routed[k]
            new_tip = _on_ellipse(cx, cy, a, b, phi + ref)
            if math.dist(new_tip, tip) < 1e-6:
                continue
            routed[k] = (source, tgt, _shift_end(curve, (new_tip[0] - tip[0], new_tip[1] - tip[1])), new_tip, lp)
    return routed


def _shift_end(curve: Sequence[Point], delta: Point) -> tuple[Point, ...]:
    """The curve with its end moved by ``delta`` and the move faded out smoothly towards its start
    (the arrowhead moves with it, keeping its direction)."""
    back = [0.0]
    for i in range(len(curve) - 1, 0, -1):
        back.append(back[-1] + math.dist(curve[i], curve[i - 1]))
    back = back[::-1]  # control-polygon distance of each point from the end
    reach = min(max(0.6, 8 * math.hypot(*delta)), 0.9 * back[0]) or 1e-9
    out = []
    for p, d in zip(curve, back):
        x = max(0.0, 1.0 - d / reach)
        w = x * x * (3 - 2 * x)
        out.append((p[0] + w * delta[0], p[1] + w * delta[1]))
    return tuple(out)


def place_labels(shapes: dict, routed: list, sizes: Sequence[tuple[float, float]], half: float,
                 flow: str, clearance: float, fixed: dict | None = None) -> list:
    """Set each label (size in inches) on its own arrow where it covers nothing else.

    Candidates along the arrow are tried in turn: where its flow coordinate meets the room
    the layout kept for the label, then from the middle outwards. A label that finds no free
    place on its arrow keeps the layout's room (beside the arrow). Returns, per edge, the
    label's box ``(x0, y0, x1, y1)`` or None. Labels in ``fixed`` (edge index to box) stay
    where they are (a measurement model's loadings, in their items' tabs).
    """
    lines = [bezier_points(r[2], 16) + [r[3]] for r in routed]
    heads = [arrowhead(r[2][-1], r[3], half) for r in routed]
    placed: list = [None] * len(routed)
    for k, box in (fixed or {}).items():
        placed[k] = box
    # the rooms the layout kept: a label placed on its arrow must leave the others' rooms free,
    # so that a label that finds no place on its arrow can always fall back to its own room
    rooms = [None if not sizes[k][0] or r[4] is None else
             (r[4][0] - sizes[k][0] / 2, r[4][1] - sizes[k][1] / 2, r[4][0] + sizes[k][0] / 2, r[4][1] + sizes[k][1] / 2)
             for k, r in enumerate(routed)]
    # longest arrows last: short ones have fewer places to choose from
    order = sorted(range(len(routed)), key=lambda k: _length(lines[k]))
    for k in order:
        w, h = sizes[k]
        lp = routed[k][4]
        if not w or lp is None or placed[k] is not None:
            continue

        def box_at(p: Point) -> BoxT:
            return (p[0] - w / 2, p[1] - h / 2, p[0] + w / 2, p[1] + h / 2)

        def free(box: BoxT, room: float) -> bool:
            grown = (box[0] - room, box[1] - room, box[2] + room, box[3] + room)
            for cx, cy, sw, sh, kind in shapes.values():
                if kind == "item":
                    if grown[0] < cx + sw / 2 and cx - sw / 2 < grown[2] and grown[1] < cy + sh / 2 \
                            and cy - sh / 2 < grown[3]:
                        return False
                elif ellipse_hits_box(cx, cy, sw / 2, sh / 2, grown):
                    return False
            for j, line in enumerate(lines):
                if triangle_hits_box(heads[j], grown):
                    return False
                if j != k and polyline_hits_box(line, grown):
                    return False
            taken = [o if o is not None else rooms[j] for j, o in enumerate(placed) if j != k]
            return not any(o is not None and o[0] < grown[2] and grown[0] < o[2] and o[1] < grown[3]
                           and grown[1] < o[3] for o in taken)

        chosen = None
        # first where the label keeps its distance from everything, then where it merely touches nothing
        for room in (3 * clearance, clearance):
            chosen = next((box_at(p) for p in _candidates(lines[k], lp, flow) if free(box_at(p), room)), None)
            if chosen is not None:
                break
        if chosen is None:
            chosen = rooms[k]
        placed[k] = chosen
    return placed


def _length(points: Sequence[Point]) -> float:
    return sum(math.dist(points[i], points[i + 1]) for i in range(len(points) - 1))


def _candidates(line: list[Point], lp: Point, flow: str) -> list[Point]:
    """Places along the arrow: where it crosses the label's rank, then from the middle outwards."""
    axis = 0 if flow == "LR" else 1
    out = []
    for i in range(len(line) - 1):
        a, b = line[i][axis], line[i + 1][axis]
        if min(a, b) <= lp[axis] <= max(a, b) and a != b:
            t = (lp[axis] - a) / (b - a)
            out.append((line[i][0] + t * (line[i + 1][0] - line[i][0]), line[i][1] + t * (line[i + 1][1] - line[i][1])))
            break
    total = _length(line)
    for f in (0.5, 0.42, 0.58, 0.34, 0.66, 0.27, 0.73, 0.2, 0.8, 0.14, 0.86):
        out.append(_along(line, f * total))
    return out


def _along(line: list[Point], distance: float) -> Point:
    for i in range(len(line) - 1):
        step = math.dist(line[i], line[i + 1])
        if distance <= step and step > 0:
            t = distance / step
            return line[i][0] + t * (line[i + 1][0] - line[i][0]), line[i][1] + t * (line[i + 1][1] - line[i][1])
        distance -= step
    return line[-1]


def split_cubic(p0, c1, c2, p1, t):
    """de Casteljau: the two halves of a cubic at t."""
    def lerp(u, v):
        return (u[0] + t * (v[0] - u[0]), u[1] + t * (v[1] - u[1]))
    a, b, c = lerp(p0, c1), lerp(c1, c2), lerp(c2, p1)
    d, e = lerp(a, b), lerp(b, c)
    f = lerp(d, e)
    return (p0, a, d, f), (f, e, c, p1)


def cut_head(curve, length: float):
    """The curve shortened by an arrowhead's ``length`` at its end, and the head's tip."""
    tip = curve[-1]
    pieces = [tuple(curve[i:i + 4]) for i in range(0, len(curve) - 3, 3)]
    last = pieces[-1]
    lo, hi = 0.0, 1.0
    for _ in range(40):
        mid = (lo + hi) / 2
        p = split_cubic(*last, mid)[0][3]
        if math.dist(p, tip) > length:
            lo = mid
        else:
            hi = mid
    first, _ = split_cubic(*last, lo)
    kept = pieces[:-1] + [first]
    return [kept[0][0]] + [p for pc in kept for p in pc[1:]], tip
