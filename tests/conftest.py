"""Shared fixtures: a factory for module folders written to a temporary directory."""

from __future__ import annotations

import copy
import os
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "example" / "amod_brightpixel"

# --- Hypothesis profiles of the fuzz tests (tests/test_fuzz_*.py, tests/fuzz_strategies.py;
# docs/RELIABILITY.md, "Fuzzing"). CI: a fixed seed (derandomize), so a run is repeatable, and
# no example database. A big run (AMODULE_FUZZ_EXAMPLES=N) explores at random; a failure
# prints the blob that reproduces it. No deadline: a slow machine is not a bug.
hypothesis_settings.register_profile(
    "amodule-ci", derandomize=True, database=None, deadline=None, print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
hypothesis_settings.register_profile(
    "amodule-fuzz", derandomize=False, database=None, deadline=None, print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
hypothesis_settings.load_profile("amodule-fuzz" if os.environ.get("AMODULE_FUZZ_EXAMPLES") else "amodule-ci")
# --- end of the fuzz tests' block

SIMPLE_SPEC: dict[str, Any] = {
    "methods": {
        "process": {
            "input": [
                {"name": "image", "type": "ndarray/uint8///3", "description": "RGB image"},
                {"name": "threshold", "type": "numeric/int"},
            ],
            "output": [
                {"name": "mask", "type": "ndarray/uint8//", "category": {"name": "segmentation", "labels": ["bg", "fg"]}},
                {"name": "count", "type": "numeric/int", "category": {"name": "measurement", "unit": "count"}},
            ],
            "test_cases": [["rgb.png", 100, "mask.png", 4]],
        }
    },
    "module": {"name": "Tiny Bright", "version": "0.1.0"},
}

SIMPLE_MODULE = '''
import numpy as np
from amodule_core import Module


class Tiny(Module):
    def process(self, image, threshold):
        mask = (image.mean(axis=2) > threshold).astype(np.uint8) * 255
        return mask, int(np.count_nonzero(mask))
'''


def tiny_image() -> np.ndarray:
    """A 4x5 RGB image with exactly four pixels whose mean is above 100."""
    image = np.zeros((4, 5, 3), dtype=np.uint8)
    image[0, 0] = image[1, 1] = image[2, 2] = image[3, 3] = 200
    image[0, 4] = 50
    return image


def write_png(path: Path, array: np.ndarray) -> None:
    from PIL import Image

    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(array).save(path)


ModuleFactory = Callable[..., Path]


@pytest.fixture
def make_module(tmp_path: Path) -> ModuleFactory:
    """Write a module folder: ``make_module(spec=..., source=..., files={name: array})``."""

    def make(
        spec: dict[str, Any] | None = None,
        source: str = SIMPLE_MODULE,
        files: dict[str, np.ndarray] | None = None,
        name: str = "amod_tiny",
        package: bool = False,
    ) -> Path:
        folder = tmp_path / name
        folder.mkdir()
        spec = copy.deepcopy(SIMPLE_SPEC) if spec is None else spec
        (folder / "specification.py").write_text(f"SPEC = {spec!r}\n")
        (folder / "module.py").write_text(textwrap.dedent(source))
        if package:
            (folder / "__init__.py").write_text("")
        if files is None:
            image = tiny_image()
            mask = (image.mean(axis=2) > 100).astype(np.uint8) * 255
            files = {"rgb.png": image, "mask.png": mask}
        for file_name, array in files.items():
            target = folder / "testdata" / file_name
            if file_name.endswith(".npy"):
                target.parent.mkdir(parents=True, exist_ok=True)
                np.save(target, array)
            else:
                write_png(target, array)
        (folder / "testdata").mkdir(exist_ok=True)
        return folder

    return make
