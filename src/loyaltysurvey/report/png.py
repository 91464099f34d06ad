"""The figures' PNG files: an opaque RGB picture written with no row filter and zlib level 1.

Encoding the PNGs was a fifth of the time a chapter's figures take. Pillow (which
matplotlib's ``savefig`` uses too) chooses a filter for every row by trying each of the five;
on these pictures (flat colours, text, large white areas) that search costs more than the
compression and gives *larger* files: on the bundled example's eleven figures (6.6 million
pixels) Pillow at level 1 took 0.27 s for 862 KiB, rows left unfiltered and compressed at
level 1 take 0.11 s for 767 KiB. Pillow has no setting for the filter, so the file is written
here: the signature, ``IHDR`` (8-bit RGB), ``pHYs`` (the dots per inch, as Pillow writes it
from ``dpi=``), one ``IDAT`` and ``IEND`` (ISO/IEC 15948, the PNG specification).
tests/test_png.py reads the files back with Pillow: the same pixels and dpi as the picture.
"""

from __future__ import annotations

import struct
import zlib

__all__ = ["rgb_png"]

_SIGNATURE = b"\x89PNG\r\n\x1a\n"
#: zlib level 1: several times faster than the default 6, for files a few per cent larger.
LEVEL = 1


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def rgb_png(pixels, dpi: float) -> bytes:
    """``pixels`` (rows × columns × 3 or 4 bytes: RGB or RGBA, the alpha left out) as an RGB PNG
    of ``dpi`` dots per inch.

    >>> import numpy as np, io
    >>> from PIL import Image
    >>> picture = np.zeros((2, 3, 4), dtype=np.uint8); picture[0, 1] = (255, 0, 0, 255)
    >>> image = Image.open(io.BytesIO(rgb_png(picture, 200)))
    >>> image.mode, image.size, image.getpixel((1, 0)), round(image.info["dpi"][0])
    ('RGB', (3, 2), (255, 0, 0), 200)
    """
    import numpy as np
    height, width = pixels.shape[:2]
    rows = np.zeros((height, 1 + 3 * width), dtype=np.uint8)  # each row: filter type 0 (none), then RGB
    rows[:, 1:].reshape(height, width, 3)[...] = pixels[:, :, :3]
    per_metre = round(dpi / 0.0254)
    return b"".join((_SIGNATURE,
                     _chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)),
                     _chunk(b"pHYs", struct.pack(">IIB", per_metre, per_metre, 1)),
                     _chunk(b"IDAT", zlib.compress(rows.data, LEVEL)),
                     _chunk(b"IEND", b"")))
