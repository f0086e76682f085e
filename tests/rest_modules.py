"""Modules the REST tests serve: one method per family of IO types, plus broken ones.

Not a test file: ``tests/test_rest_*.py`` import it. ``write_types_module(folder)`` writes
``specification.py`` and ``module.py`` (no ``__init__.py``, so folders never clash).
"""

from __future__ import annotations

import base64
import io
import textwrap
from pathlib import Path
from typing import Any

import numpy as np

__all__ = [
    "TYPES_SPEC", "TYPES_SOURCE", "write_types_module", "write_module", "png_bytes", "npy_bytes",
    "npz_bytes", "data_url", "decode_data_url_array",
]


def _arg(name: str, iotype: str) -> dict[str, str]:
    return {"name": name, "type": iotype}


TYPES_SPEC: dict[str, Any] = {
    "module": {"name": "Types", "version": "2.0.0", "description": "Every IO type, echoed"},
    "methods": {
        "scalars": {
            "description": "Echo one value of each scalar type",
            "input": [_arg("n", "numeric"), _arg("i", "numeric/int"), _arg("f", "numeric/float"),
                      _arg("t", "text"), _arg("b", "boolean")],
            "output": [_arg("n", "numeric"), _arg("i", "numeric/int"), _arg("f", "numeric/float"),
                       _arg("t", "text"), _arg("b", "boolean")],
            "test_cases": [[1, 2, 3.5, "x", True, 1, 2, 3.5, "x", True]],
        },
        "arrays": {
            "description": "Echo arrays of several dtypes and describe them",
            "input": [_arg("u8", "ndarray/uint8"), _arg("f32", "ndarray/float32"),
                      _arg("i16", "ndarray/int16//"), _arg("img", "ndarray/image")],
            "output": [_arg("u8", "ndarray/uint8"), _arg("f32", "ndarray/float32"),
                       _arg("i16", "ndarray/int16//"), _arg("img", "ndarray/image"),
                       _arg("shapes", "text")],
        },
        "shapes": {
            "description": "Shapes and dtypes of a list of arrays",
            "input": [_arg("images", "[ndarray/uint8//]")],
            "output": [_arg("shapes", "[text]")],
        },
        "volumes": {
            "description": "Sums of a list of 3-d volumes",
            "input": [_arg("octs", "[ndarray/uint8///]")],
            "output": [_arg("sums", "[numeric/int]")],
        },
        "lists": {
            "description": "Echo lists of scalars",
            "input": [_arg("ints", "[numeric/int]"), _arg("floats", "[numeric/float]"),
                      _arg("words", "[text]"), _arg("flags", "[boolean]")],
            "output": [_arg("ints", "[numeric/int]"), _arg("floats", "[numeric/float]"),
                       _arg("words", "[text]"), _arg("flags", "[boolean]")],
        },
        "annotate": {
            "description": "Echo an annotation and a list of them",
            "input": [_arg("shape", "annotation"), _arg("shapes", "[annotation]")],
            "output": [_arg("shape", "annotation"), _arg("count", "numeric/int")],
        },
        "nothing": {"input": [], "output": [_arg("answer", "numeric/int")]},
        "fail": {
            "description": "Raises from the module's own code",
            "input": [_arg("x", "numeric/int")],
            "output": [_arg("y", "numeric/int")],
        },
        "wrong_output": {"input": [], "output": [_arg("y", "numeric/int")]},
        "special_floats": {"input": [], "output": [_arg("values", "[numeric/float]"), _arg("one", "numeric")]},
        "unimplemented": {"input": [_arg("x", "numeric/int")], "output": [_arg("y", "numeric/int")]},
    },
}

TYPES_SOURCE = '''
import numpy as np
from amodule_core import Module


class Types(Module):
    calls = 0

    def scalars(self, n, i, f, t, b):
        Types.calls += 1
        return n, i, f, t, b

    def arrays(self, u8, f32, i16, img):
        text = ";".join(f"{a.dtype}{a.shape}" for a in (u8, f32, i16, img))
        return u8, f32, i16, img, text

    def shapes(self, images):
        return [f"{a.dtype}{a.shape}" for a in images]

    def volumes(self, octs):
        return [int(v.sum()) for v in octs]

    def lists(self, ints, floats, words, flags):
        return ints, floats, words, flags

    def annotate(self, shape, shapes):
        return shape, len(shapes)

    def nothing(self):
        return 42

    def fail(self, x):
        raise ValueError(f"x must be even (got {x})")

    def wrong_output(self):
        return "forty-two"

    def special_floats(self):
        return [float("nan"), float("inf"), -float("inf"), 1.5], float("nan")
'''


def write_module(folder: Path, spec: dict[str, Any], source: str) -> Path:
    """Write ``specification.py`` and ``module.py`` into ``folder``; return it."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "specification.py").write_text(f"SPEC = {spec!r}\n")
    (folder / "module.py").write_text(textwrap.dedent(source))
    (folder / "testdata").mkdir(exist_ok=True)
    return folder


def write_types_module(folder: Path) -> Path:
    """The module of every IO type."""
    return write_module(folder, TYPES_SPEC, TYPES_SOURCE)


def png_bytes(array: np.ndarray, fmt: str = "PNG") -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, format=fmt)
    return buffer.getvalue()


def npy_bytes(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array)
    return buffer.getvalue()


def npz_bytes(array: np.ndarray, compressed: bool = True) -> bytes:
    buffer = io.BytesIO()
    (np.savez_compressed if compressed else np.savez)(buffer, array)
    return buffer.getvalue()


def data_url(data: bytes, media: str = "image/png") -> str:
    return f"data:{media};base64," + base64.b64encode(data).decode("ascii")


def decode_data_url_array(url: str) -> np.ndarray:
    """The array in an output data URL (PNG or npy)."""
    from amodule_core.convert import decode_data_url

    return decode_data_url(url)
