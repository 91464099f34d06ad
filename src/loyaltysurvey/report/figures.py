"""Figures for the report, drawn with matplotlib (Agg) and returned as PNG bytes.

matplotlib 3.11 lays out complex scripts itself, so Persian labels are drawn shaped and in
the right order as given (checked by eye on the rendered PNG); right-to-left reports draw
the model flowing from right to left.
"""

from __future__ import annotations

import io
from typing import Sequence

__all__ = ["path_diagram"]


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
                 rtl: bool = False, bold: Sequence[tuple[str, str]] = ()) -> bytes:
    """A structural model: ``nodes`` (ids), display ``labels``, ``edges`` (source, target, text)."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.patches import Ellipse

    depth = _layers(nodes, edges)
    n_layers = max(depth.values()) + 1
    columns: dict[int, list[str]] = {}
    for n in nodes:
        columns.setdefault(depth[n], []).append(n)
    pos = {}
    for layer, members in columns.items():
        for i, n in enumerate(members):
            x = layer / max(1, n_layers - 1)
            pos[n] = (1 - x if rtl else x, 1 - (i + 1) / (len(members) + 1))
    fig, ax = plt.subplots(figsize=(9, 5.5), dpi=150)
    ax.set_xlim(-0.15, 1.15)
    ax.set_ylim(0, 1)
    ax.axis("off")
    w, h = 0.24, 0.12
    for n, (x, y) in pos.items():
        ax.add_patch(Ellipse((x, y), w, h, facecolor="#e8f0f7", edgecolor="#1f5f8b", linewidth=1.4))
        ax.text(x, y, _wrap(labels.get(n, n)), ha="center", va="center", fontsize=8)
    for s, t, text in edges:
        (x0, y0), (x1, y1) = pos[s], pos[t]
        ax.annotate("", xy=(x1, y1), xytext=(x0, y0),
                    arrowprops=dict(arrowstyle="-|>", color="#333333", lw=1.6 if (s, t) in bold else 1.0,
                                    shrinkA=28, shrinkB=28))
        ax.text((x0 + x1) / 2, (y0 + y1) / 2 + 0.02, text, ha="center", va="bottom", fontsize=8,
                bbox=dict(boxstyle="round,pad=0.15", facecolor="white", edgecolor="none"))
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", bbox_inches="tight")
    plt.close(fig)
    return buffer.getvalue()
