"""1. Plugin run on RGB images with mask + count outputs: amodule vs the floor vs pytest-regressions.

Floor: a hand-written ``@pytest.mark.parametrize`` test over the same cases doing the same
work: load input and expected mask with Pillow, call the same function,
``numpy.testing.assert_array_equal`` and ``assert count == expected``.
Peer: pytest-regressions' ``image_regression`` + ``num_regression`` (expected files made with
``--regen-all`` beforehand, not timed).
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np

from .data import SEGMENT_SOURCE, argument, method, segment, synthetic_image, write_module, write_png, write_text
from .harness import Context, Row, alternate, medians, run_pytest, versus, write_ini

__all__ = ["NAME", "TITLE", "FLOOR", "SIZES", "run", "make_mask_cases"]

NAME = "masks"
TITLE = "plugin run, RGB images, mask + count outputs"
FLOOR = ("hand-written `@pytest.mark.parametrize` test: Pillow loads input and expected mask, the same "
         "function, `numpy.testing.assert_array_equal`, `assert count == expected`")
#: mode -> (cases, image side)
SIZES = {"full": (500, 256), "quick": (80, 256), "tiny": (4, 32)}

MODULE_CLASS = SEGMENT_SOURCE + '''

class Bright(Module):
    """Bright pixels of an RGB image and their count."""

    def process(self, image, threshold):
        mask = segment(image, threshold)
        return mask, int(np.count_nonzero(mask))
'''

FLOOR_TEST = '''"""The floor: what a careful user writes by hand for the same check."""

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

DATA = Path(__file__).resolve().parent.parent / "amodule" / "amod_bench" / "testdata"
CASES = {cases!r}
''' + SEGMENT_SOURCE + '''

def load(name):
    with Image.open(DATA / name) as image:
        return np.asarray(image)


@pytest.mark.parametrize("image, threshold, mask, count", CASES)
def test_process(image, threshold, mask, count):
    got_mask = segment(load(image), threshold)
    got_count = int(np.count_nonzero(got_mask))
    np.testing.assert_array_equal(got_mask, load(mask))
    assert got_count == count
'''

REGRESSIONS_TEST = '''"""The peer: pytest-regressions' image_regression + num_regression on the same data."""

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

DATA = Path(__file__).resolve().parent.parent / "amodule" / "amod_bench" / "testdata"
CASES = {cases!r}
''' + SEGMENT_SOURCE + '''

def load(name):
    with Image.open(DATA / name) as image:
        return np.asarray(image)


@pytest.mark.parametrize("image, threshold", CASES)
def test_process(image, threshold, image_regression, num_regression):
    got_mask = segment(load(image), threshold)
    got_count = int(np.count_nonzero(got_mask))
    image_regression.check(Image.fromarray(got_mask), diff_threshold=0.0)
    num_regression.check({{"count": np.array([got_count])}})
'''


def make_mask_cases(folder: Path, count: int, side: int, seed: int, *,
                    expected_shift: int = 0) -> list[tuple[str, int, str, int]]:
    """Write ``count`` input images and expected masks into ``folder``; return the cases.

    ``expected_shift`` != 0 stores masks made with another threshold and an 8x8 corner
    inverted (failing cases).
    """
    rng = np.random.default_rng(seed)
    cases = []
    for i in range(count):
        image = synthetic_image(rng, side)
        threshold = int(rng.integers(110, 170))
        mask = segment(image, threshold + expected_shift)
        if expected_shift:  # a few pixels surely differ, even where no pixel falls between the thresholds
            mask[:8, :8] = 255 - mask[:8, :8]
        write_png(folder / f"img_{i:04d}.png", image)
        write_png(folder / f"mask_{i:04d}.png", mask)
        cases.append((f"img_{i:04d}.png", threshold, f"mask_{i:04d}.png", int(np.count_nonzero(mask))))
    return cases


def write_mask_module(folder: Path, cases: list[tuple[str, int, str, int]]) -> None:
    """The module folder of the mask benchmarks (its testdata already written)."""
    spec = method([argument("image", "ndarray/uint8///3"), argument("threshold", "numeric/int")],
                  [argument("mask", "ndarray/uint8//"), argument("count", "numeric/int")], cases)
    write_module(folder, MODULE_CLASS, {"process": spec}, name="Bench masks")


def run(ctx: Context) -> list[Row]:
    """Generate the data, regenerate the peer's expected files, then time the three sides."""
    count, side = ctx.sizes(SIZES)
    root = ctx.folder(NAME)
    write_ini(root)
    module = root / "amodule" / "amod_bench"
    (module / "testdata").mkdir(parents=True)
    cases = make_mask_cases(module / "testdata", count, side, seed=1)
    write_mask_module(module, cases)
    write_text(root / "floor" / "test_floor.py", FLOOR_TEST.format(cases=cases))
    variants = {
        "amodule": lambda: run_pytest(root, ["amodule"], side="amodule", expect={"passed": count, "failed": 0}),
        "floor": lambda: run_pytest(root, ["floor"], side="floor", expect={"passed": count, "failed": 0}),
    }
    peer = importlib.util.find_spec("pytest_regressions") is not None and importlib.util.find_spec("pandas") is not None
    if peer:
        short = [(image, threshold) for image, threshold, _, _ in cases]
        write_text(root / "regressions" / "test_regressions.py", REGRESSIONS_TEST.format(cases=short))
        run_pytest(root, ["regressions", "--regen-all"], side="regressions",
                   expect={"passed": count, "failed": 0})  # writes the expected files
        variants["regressions"] = lambda: run_pytest(root, ["regressions"], side="regressions",
                                                     expect={"passed": count, "failed": 0})
    else:
        ctx.log("pytest-regressions (or pandas) is not installed: that peer is skipped")
    ctx.log(f"{NAME}: {count} cases of {side}x{side}")
    times = alternate(variants, ctx.rounds, ctx.log)
    med = medians(times)
    amod, floor = med["amodule"], med["floor"]
    rows = [Row("1", f"amodule / floor ({count} cases {side}x{side})", amod.wall / floor.wall, 1.2, "lower",
                versus(amod, floor))]
    if peer:
        peer_time = med["regressions"]
        rows.append(Row("1", "amodule / pytest-regressions", amod.wall / peer_time.wall, 1.0, "lower",
                        versus(amod, peer_time)))
        rows.append(Row("1", "pytest-regressions / floor", peer_time.wall / floor.wall, None, "lower",
                        versus(peer_time, floor)))
    return rows
