"""The figures' PNG encoder (loyaltysurvey.report.png) against Pillow's decoder, which checks
every chunk's CRC and the zlib stream: the file holds exactly the picture's pixels and its dpi.

Checked on random pixels (every byte value, odd sizes, a cropped view of a larger buffer),
on a model diagram and on a chart as the chapter draws them: decoded, the same pixels as the
figure's canvas and as Pillow's own encoding of it.
"""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from loyaltysurvey.report import figures
from loyaltysurvey.report.diagram import _draw
from loyaltysurvey.report.png import rgb_png


def _decoded(png: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(png))
    image.load()  # reads every chunk, checking its CRC, and inflates the data
    return image


@pytest.mark.parametrize("shape", [(1, 1), (7, 13), (120, 333)])
def test_random_pixels_come_back_exactly(shape):
    rng = np.random.default_rng(sum(shape))
    rgba = rng.integers(0, 256, size=(*shape, 4), dtype=np.uint8)
    image = _decoded(rgb_png(rgba, 150))
    assert image.mode == "RGB" and image.size == (shape[1], shape[0])
    assert np.array_equal(np.asarray(image), rgba[:, :, :3])
    assert image.info["dpi"] == pytest.approx((150, 150), abs=0.05)


def test_a_cropped_view_is_written_as_the_crop():
    rgba = np.random.default_rng(3).integers(0, 256, size=(40, 50, 4), dtype=np.uint8)
    crop = rgba[5:31, 7:44]  # not contiguous: rows of the larger buffer
    assert np.array_equal(np.asarray(_decoded(rgb_png(crop, 200))), crop[:, :, :3])


def test_rgb_input_is_written_as_is():
    rgb = np.random.default_rng(4).integers(0, 256, size=(9, 11, 3), dtype=np.uint8)
    assert np.array_equal(np.asarray(_decoded(rgb_png(rgb, 96))), rgb)


def test_a_diagram_is_its_canvas():
    layout = figures.path_layouts(["A", "B", "C"], {"A": "Alpha", "B": "رضایت مشتری", "C": "Gamma"},
                                  [[("A", "B", "0.50**"), ("B", "C", "0.31*"), ("A", "C", "0.12")]], rtl=True)[0]
    fig, _ = _draw(layout)
    fig.canvas.draw()
    canvas = np.asarray(fig.canvas.buffer_rgba())[:, :, :3].copy()
    ours = _decoded(figures.render(layout))
    assert np.array_equal(np.asarray(ours), canvas)
    pillow = io.BytesIO()
    Image.fromarray(canvas).save(pillow, format="png")
    assert np.array_equal(np.asarray(ours), np.asarray(_decoded(pillow.getvalue())))
    assert ours.info["dpi"] == pytest.approx((200, 200), abs=0.05)


def test_a_chart_decodes_to_an_opaque_picture_with_ink():
    png = figures.bar_chart(["Male", "Female"], [40.0, 60.0], ["40.0%", "60.0%"], "Percent")
    pixels = np.asarray(_decoded(png)).astype(int)
    assert pixels.shape[2] == 3
    assert (pixels < 128).any(axis=2).mean() > 0.005  # the bars and their text
    assert (pixels[0] == 255).all() and (pixels[-1] == 255).all()  # the white margin kept round the content
