"""Charts are drawn once and cropped to their content: the same picture as matplotlib's
``savefig(bbox_inches="tight")``, which draws a chart twice to find that box.

Checked on the chart kinds of the chapter, in both directions, against matplotlib's own tight
save of the same figure: the same size to a pixel and the same pixels but for the anti-aliasing
at a sub-pixel shift; and a chart whose labels reach past the room drawn around it is saved by
matplotlib, losing nothing.
"""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from loyaltysurvey.report import figures
from loyaltysurvey.report.locale import load_locale

CHARTS = {
    "bars": lambda rtl: figures.bar_chart(["Diploma or less", "Bachelor's", "«کارشناسی ارشد»"], [11.4, 48.1, 40.5],
                                          ["11.4%", "48.1%", "40.5%"], "Percent", rtl=rtl),
    "ipma": lambda rtl: figures.ipma_chart(["Key customer focus", "Satisfaction", "رضایت مشتری"], [0.12, 0.49, 0.3],
                                           [61.0, 60.8, 70.2], x_label="Importance", y_label="Performance",
                                           tick=load_locale("fa" if rtl else "en").num, rtl=rtl),
}


def _pixels(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)


@pytest.mark.parametrize("rtl", [False, True])
@pytest.mark.parametrize("kind", sorted(CHARTS))
def test_a_chart_is_its_tight_box(monkeypatch, kind, rtl):
    ours = CHARTS[kind](rtl)
    saved = []

    def matplotlib_tight(fig):  # the same figure saved the way matplotlib crops it
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", bbox_inches="tight", pad_inches=figures.PAD)
        saved.append(buffer.getvalue())
        return saved[-1]

    monkeypatch.setattr(figures, "_png", matplotlib_tight)
    theirs = CHARTS[kind](rtl)
    a, b = _pixels(ours), _pixels(theirs)
    assert abs(a.shape[0] - b.shape[0]) <= 1 and abs(a.shape[1] - b.shape[1]) <= 1
    h, w = min(a.shape[0], b.shape[0]), min(a.shape[1], b.shape[1])
    ink_a, ink_b = (a[:h, :w] < 128).any(axis=2), (b[:h, :w] < 128).any(axis=2)
    assert (ink_a != ink_b).mean() < 0.01  # the same picture but for a pixel's shift of the edges
    assert Image.open(io.BytesIO(ours)).info["dpi"] == pytest.approx((150, 150), abs=0.05)  # stored per metre


def test_a_chart_reaching_past_its_room_is_saved_whole(monkeypatch):
    """A label far longer than the room drawn around the chart: matplotlib's tight save, not a crop."""
    monkeypatch.setattr(figures, "ROOM", 0.05)
    png = figures.bar_chart(["A category whose name is long enough to reach far past the room", "B"], [30.0, 70.0],
                            ["30%", "70%"], "Percent")
    ink = (_pixels(png) < 128).any(axis=2)
    assert ink[:, :5].sum() == 0 and ink[:, -5:].sum() == 0  # white margins: nothing was cut off
    assert ink.shape[1] > 7 * 150  # wider than the chart's own 7 inches: the name is all there
