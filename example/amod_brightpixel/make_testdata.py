"""Regenerate testdata/image.png, a synthetic RGB scene (run once; the result is committed).

The expected masks are then written from the module's real outputs with
``pytest example/amod_brightpixel --amodule-update``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image


def make_image(height: int = 254, width: int = 426, seed: int = 7) -> np.ndarray:
    """Dim gradient background, a few bright discs and a stripe, with mild noise."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:height, 0:width]
    image = np.empty((height, width, 3), dtype=np.float64)
    image[..., 0] = 40 + 60 * x / width
    image[..., 1] = 30 + 50 * y / height
    image[..., 2] = 70 + 30 * np.sin(x / 25.0)
    for cy, cx, r, colour in [(60, 90, 35, (250, 240, 200)), (150, 300, 50, (200, 170, 140)),
                              (200, 120, 25, (255, 255, 255)), (90, 360, 20, (160, 150, 150))]:
        inside = (y - cy) ** 2 + (x - cx) ** 2 <= r ** 2
        falloff = 1 - np.sqrt(((y - cy) ** 2 + (x - cx) ** 2) / r ** 2)
        for c in range(3):
            image[..., c] = np.where(inside, image[..., c] + (colour[c] - image[..., c]) * (0.6 + 0.4 * falloff), image[..., c])
    image[20:30, 180:420] += 90
    image += rng.normal(0, 6, image.shape)
    return np.clip(image, 0, 255).round().astype(np.uint8)


if __name__ == "__main__":
    out = Path(__file__).parent / "testdata" / "image.png"
    Image.fromarray(make_image()).save(out)
    print(f"wrote {out}")
