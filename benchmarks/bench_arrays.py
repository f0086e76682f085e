"""2. Plugin run on large RGB images with a float32 array output stored as .npy, with a tolerance.

Floor: a hand-written ``@pytest.mark.parametrize`` test: Pillow loads the input, the same
function, ``np.load`` of the expected array, ``numpy.testing.assert_allclose`` with the same
tolerance. The stored expectations differ from the outputs by up to 1e-6 (as outputs made
on another machine do), so both sides go through the tolerance, not an exact-equality shortcut.
"""

from __future__ import annotations

import numpy as np

from .data import argument, method, synthetic_image, write_module, write_png, write_text
from .harness import Context, Row, alternate, medians, run_pytest, versus, write_ini

__all__ = ["NAME", "TITLE", "FLOOR", "SIZES", "run"]

NAME = "arrays"
TITLE = "plugin run, large RGB images, float32 .npy output with a tolerance"
FLOOR = ("hand-written parametrized test: Pillow loads the input, the same function, `np.load` of the "
         "expected .npy, `numpy.testing.assert_allclose(rtol=1e-5, atol=1e-5)`")
#: mode -> (cases, image side)
SIZES = {"full": (100, 1024), "quick": (12, 1024), "tiny": (3, 32)}
ATOL = RTOL = 1e-5

FUNCTION_SOURCE = '''
def luminance(image):
    """Float32 luminance in [0, 1] of an RGB image."""
    weights = np.array([0.299, 0.587, 0.114], dtype=np.float32) / np.float32(255)
    return image.astype(np.float32) @ weights
'''

MODULE_CLASS = FUNCTION_SOURCE + '''

class Luminance(Module):
    """Luminance of an RGB image."""

    def process(self, image):
        return luminance(image)
'''

FLOOR_TEST = '''"""The floor: what a careful user writes by hand for the same check."""

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

DATA = Path(__file__).resolve().parent.parent / "amodule" / "amod_bench" / "testdata"
CASES = {cases!r}
''' + FUNCTION_SOURCE + '''

@pytest.mark.parametrize("image, expected", CASES)
def test_process(image, expected):
    with Image.open(DATA / image) as im:
        got = luminance(np.asarray(im))
    np.testing.assert_allclose(got, np.load(DATA / expected), rtol={rtol!r}, atol={atol!r})
'''


def _luminance(image: np.ndarray) -> np.ndarray:
    weights = np.array([0.299, 0.587, 0.114], dtype=np.float32) / np.float32(255)
    return image.astype(np.float32) @ weights


def run(ctx: Context) -> list[Row]:
    """Generate the data, then time amodule against the floor."""
    count, side = ctx.sizes(SIZES)
    root = ctx.folder(NAME)
    write_ini(root)
    module = root / "amodule" / "amod_bench"
    data = module / "testdata"
    data.mkdir(parents=True)
    rng = np.random.default_rng(2)
    cases = []
    for i in range(count):
        image = synthetic_image(rng, side)
        expected = _luminance(image) + rng.uniform(-1e-6, 1e-6, (side, side)).astype(np.float32)
        write_png(data / f"img_{i:04d}.png", image)
        np.save(data / f"lum_{i:04d}.npy", expected)
        cases.append((f"img_{i:04d}.png", f"lum_{i:04d}.npy"))
    spec = method([argument("image", "ndarray/uint8///3")],
                  [argument("luminance", "ndarray/float32//", tolerance={"atol": ATOL, "rtol": RTOL})], cases)
    write_module(module, MODULE_CLASS, {"process": spec}, name="Bench arrays")
    write_text(root / "floor" / "test_floor.py", FLOOR_TEST.format(cases=cases, atol=ATOL, rtol=RTOL))
    ctx.log(f"{NAME}: {count} cases of {side}x{side}")
    expect = {"passed": count, "failed": 0}
    times = alternate({
        "amodule": lambda: run_pytest(root, ["amodule"], side="amodule", expect=expect),
        "floor": lambda: run_pytest(root, ["floor"], side="floor", expect=expect),
    }, ctx.rounds, ctx.log)
    med = medians(times)
    a, f = med["amodule"], med["floor"]
    return [Row("2", f"amodule / floor ({count} cases {side}x{side} float32)", a.wall / f.wall, 1.2, "lower",
                versus(a, f))]

