"""Regenerate the synthetic test images in testdata/ (run once; the results are committed).

Each scene is drawn from shapes whose bounding boxes are known exactly, and the script
prints those boxes as the ``test_cases`` rows of ``specification.py`` after checking that
the module finds the same ones::

    python example/amod_blobs/make_testdata.py
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
from PIL import Image

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # so that `amod_blobs` imports without installing it

from amod_blobs.analytics import find_blobs  # noqa: E402

Box = tuple[int, int, int, int]


def cells(height: int = 96, width: int = 128, seed: int = 3) -> tuple[np.ndarray, list[tuple[Box, int]]]:
    """A dark, noisy RGB scene with six bright shapes; their (box, area), in drawing order."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:height, 0:width]
    image = np.clip(rng.normal(40, 8, (height, width, 3)), 0, 255)
    shapes = [
        ((x - 30) ** 2 + (y - 25) ** 2 <= 12 ** 2, (250, 220, 180)),  # disc r=12
        ((x - 95) ** 2 + (y - 30) ** 2 <= 8 ** 2, (255, 255, 255)),  # disc r=8
        ((x >= 10) & (x < 40) & (y >= 60) & (y < 80), (200, 200, 120)),  # 30x20 rectangle
        (((x - 85) / 20) ** 2 + ((y - 70) / 9) ** 2 <= 1, (180, 230, 250)),  # ellipse 41x19
        ((x >= 120) & (x < 122) & (y >= 5) & (y < 7), (240, 240, 240)),  # 2x2 speck
        ((x >= 55) & (x < 60) & (y >= 85) & (y < 90), (220, 160, 200)),  # 5x5 square
    ]
    truth = []
    for inside, colour in shapes:
        image[inside] = colour
        ys, xs = np.nonzero(inside)
        box = (int(xs.min()), int(ys.min()), int(xs.max() - xs.min() + 1), int(ys.max() - ys.min() + 1))
        truth.append((box, int(inside.sum())))
    return image.round().astype(np.uint8), truth


def touching() -> tuple[np.ndarray, list[tuple[Box, int]]]:
    """Two grey squares meeting at one corner: one blob under 8-connectivity."""
    image = np.zeros((12, 12), dtype=np.uint8)
    image[2:5, 2:5] = 255
    image[5:10, 5:10] = 255
    return image, [((2, 2, 8, 8), 9 + 25)]


def empty() -> tuple[np.ndarray, list[tuple[Box, int]]]:
    """A single grey level: nothing is brighter than anything else."""
    return np.full((32, 32), 90, dtype=np.uint8), []


def expected(truth: list[tuple[Box, int]], min_area: int) -> list[Box]:
    """The boxes of the shapes with at least ``min_area`` pixels, sorted like the module's."""
    return sorted((box for box, area in truth if area >= min_area), key=lambda b: (b[1], b[0], b[3], b[2]))


def main() -> None:
    scenes = {"cells.png": cells(), "touching.png": touching(), "empty.png": empty()}
    calls = [("cells.png", 0), ("cells.png", 20), ("cells.png", 300), ("touching.png", 0), ("empty.png", 0)]
    for name, (image, _) in scenes.items():
        Image.fromarray(image).save(HERE / "testdata" / name)
    print("test_cases:")
    for name, min_area in calls:
        image = np.asarray(Image.open(HERE / "testdata" / name))
        boxes = expected(scenes[name][1], min_area)
        found = [blob.box for blob in find_blobs(image, min_area)]
        if found != boxes:
            raise SystemExit(f"{name}, min_area {min_area}: the module finds {found}, the truth is {boxes}")
        literal = ", ".join(f"[{x}, {y}, {w}, {h}]" for x, y, w, h in boxes)
        print(f'                ["{name}", {min_area}, ["rect", [{literal}]], {len(boxes)}],')


if __name__ == "__main__":
    main()
