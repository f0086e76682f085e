"""Helpers of the plugin tests (tests/test_plugin_*.py): write module folders for pytester.

A module folder is ``<name>/specification.py`` (``SPEC = {...}``), ``<name>/module.py`` and
``<name>/testdata/*`` (PNG through Pillow, ``.npy``/``.npz`` through numpy, bytes as is).
Folders get no ``__init__.py`` unless asked, so ``module.py`` is imported by path and many
tests may reuse a folder name.
"""

from __future__ import annotations

import base64
import io
import textwrap
from collections.abc import Mapping
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

# Imported here, outside the runs: pytester's in-process runs drop the modules they import
# afterwards, and numpy, Pillow and the core must not be imported twice.
import amodule_core.cases  # noqa: F401
import amodule_core.runner  # noqa: F401
import pytest_amodule.artifacts  # noqa: F401
import pytest_amodule.collect  # noqa: F401
import pytest_amodule.items  # noqa: F401
import pytest_amodule.report  # noqa: F401
import pytest_amodule.summary  # noqa: F401
import pytest_amodule.update  # noqa: F401
from PIL import PngImagePlugin  # noqa: F401

__all__ = [
    "IMAGE_SOURCE", "IMAGE_SPEC", "ModuleWriter", "Page", "amodule", "image_files", "lines", "method_spec",
    "one_output", "picture_of", "png_bytes", "read_png", "returner", "spec_of",
]


def lines(*patterns: str) -> list[str]:
    """``fnmatch_lines`` patterns where ``[`` is literal (node ids hold ``[0]``) and ``*`` a wildcard."""
    return [pattern.replace("[", "[[]") for pattern in patterns]


def png_bytes(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, format="PNG")
    return buffer.getvalue()


def read_png(path: Path) -> np.ndarray:
    with Image.open(path) as image:
        return np.asarray(image)


def method_spec(inputs: list[tuple[str, str]], outputs: list[tuple[str, str]] | list[dict[str, Any]],
                cases: list[list[Any]]) -> dict[str, Any]:
    """A method entry from ``(name, type)`` pairs (or full dicts for outputs) and case rows."""
    def entry(item: Any) -> dict[str, Any]:
        return dict(item) if isinstance(item, Mapping) else {"name": item[0], "type": item[1]}

    return {
        "input": [entry(item) for item in inputs],
        "output": [entry(item) for item in outputs],
        "test_cases": cases,
    }


def spec_of(name: str = "Test module", **methods: dict[str, Any]) -> dict[str, Any]:
    """A SPEC dict with ``methods`` (default: one ``process`` doubling an int)."""
    if not methods:
        methods = {"process": method_spec([("x", "numeric/int")], [("y", "numeric/int")], [[1, 2], [2, 4]])}
    return {"methods": methods, "module": {"name": name}}


DOUBLER = """
from amodule_core import Module


class Doubler(Module):
    def process(self, x):
        return 2 * x
"""


class ModuleWriter:
    """Writes module folders under ``pytester.path``."""

    def __init__(self, pytester: pytest.Pytester) -> None:
        self.pytester = pytester

    def write(
        self,
        name: str = "amod_test",
        spec: Mapping[str, Any] | str | None = None,
        source: str = DOUBLER,
        files: Mapping[str, Any] | None = None,
        *,
        package: bool = False,
    ) -> Path:
        """Write the folder ``name``; ``spec`` is a SPEC dict or the file's text."""
        folder = self.pytester.path / name
        (folder / "testdata").mkdir(parents=True, exist_ok=True)
        spec = spec_of() if spec is None else spec
        text = spec if isinstance(spec, str) else f"SPEC = {dict(spec)!r}\n"
        (folder / "specification.py").write_text(text)
        (folder / "module.py").write_text(textwrap.dedent(source))
        if package:
            (folder / "__init__.py").write_text("")
        for file_name, value in (files or {}).items():
            self.data(folder, file_name, value)
        return folder

    @staticmethod
    def data(folder: Path, file_name: str, value: Any) -> Path:
        """Write one test-data file by its ending (bytes are written as given)."""
        path = folder / "testdata" / file_name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(value, bytes):
            path.write_bytes(value)
        elif file_name.endswith(".npy"):
            np.save(path, value)
        elif file_name.endswith(".npz"):
            np.savez(path, **value) if isinstance(value, dict) else np.savez(path, value)
        else:
            Image.fromarray(value).save(path)
        return path


def returner(obtained: list[str]) -> str:
    """module.py whose ``process(case)`` returns the value of the Python expression ``obtained[case]``."""
    return (
        "import numpy as np\nfrom amodule_core import Module\n\n\n"
        "class Returner(Module):\n"
        "    def process(self, case):\n"
        f"        return [{', '.join(obtained)}][case]\n"
    )


def one_output(iotype: str, expected: Any, tolerance: dict[str, float] | None = None, cases: int = 2) -> dict:
    output: dict[str, Any] = {"name": "y", "type": iotype}
    if tolerance:
        output["tolerance"] = tolerance
    rows = [[case, expected] for case in range(cases)]
    return spec_of(process=method_spec([("case", "numeric/int")], [output], rows))


IMAGE_SPEC = spec_of(process=method_spec(
    [("image", "ndarray/image"), ("level", "numeric/int")],
    [{"name": "mask", "type": "ndarray/uint8//", "category": {"name": "segmentation"}},
     {"name": "count", "type": "numeric/int"}],
    [["rgb.png", 100, "mask.png", 3], ["rgb.png", 50, "mask.png", 3]],
))
IMAGE_SOURCE = """
import numpy as np
from amodule_core import Module


class Threshold(Module):
    def process(self, image, level):
        mask = (image.mean(axis=2) > level).astype(np.uint8) * 255
        return mask, int(np.count_nonzero(mask))
"""


def image_files() -> dict[str, np.ndarray]:
    image = np.zeros((6, 8, 3), np.uint8)
    image[1, 1] = image[2, 3] = image[4, 6] = 200
    image[5, 0] = 80
    mask = (image.mean(axis=2) > 100).astype(np.uint8) * 255
    return {"rgb.png": image, "mask.png": mask}


class Page(HTMLParser):
    """What the tests look at in a report: rows, summary counts, pictures, links, texts."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.rows: dict[str, str] = {}
        self.counts: dict[str, int] = {}
        self.images: list[dict[str, str]] = []
        self.links: list[str] = []
        self.messages: list[str] = []
        self.external: list[str] = []
        self.inputs: list[dict[str, str]] = []
        self._in: str | None = None
        self._text: list[str] = []
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {key: value or "" for key, value in attrs}
        if tag == "tr" and "case" in a.get("class", "").split():
            self.rows[a["data-nodeid"]] = a["data-outcome"]
        if tag == "span" and "data-outcome" in a:
            self._in, self._text = "count:" + a["data-outcome"], []
        if tag == "pre":
            self._in, self._text = "pre", []
        if tag == "img":
            self.images.append(a)
        if tag == "a" and not a.get("href", "#").startswith("#"):
            self.links.append(a["href"])
        if tag == "input":
            self.inputs.append(a)
        if tag in ("script", "link", "img", "iframe") and (a.get("src") or a.get("href", "")).startswith(("http", "//")):
            self.external.append(a.get("src") or a["href"])

    def handle_data(self, data: str) -> None:
        if self._in:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if self._in and self._in.startswith("count:") and tag == "span":
            self.counts[self._in[6:]] = int("".join(self._text))
            self._in = None
        elif self._in == "pre" and tag == "pre":
            self.messages.append("".join(self._text))
            self._in = None


def picture_of(src: str) -> np.ndarray:
    prefix = "data:image/png;base64,"
    assert src.startswith(prefix)
    with Image.open(io.BytesIO(base64.b64decode(src[len(prefix):]))) as image:
        return np.asarray(image)


@pytest.fixture
def amodule(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> ModuleWriter:
    """A :class:`ModuleWriter` for the test's pytester folder.

    In-process runs load the plugin's distribution again; its packages are imported by
    then, so pytest warns that it cannot rewrite their asserts: a fact of nested runs only.
    Unrelated plugins are left out of the runs: hypothesis alone costs seconds per run.
    """
    monkeypatch.setenv("PYTEST_ADDOPTS", " ".join([
        "-W ignore::pytest.PytestAssertRewriteWarning",
        "-p no:hypothesispytest -p no:regressions -p no:pytest-datadir -p no:schemathesis",
    ]))
    return ModuleWriter(pytester)
