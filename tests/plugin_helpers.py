"""Helpers of the plugin tests (tests/test_plugin_*.py): write module folders for pytester.

A module folder is ``<name>/specification.py`` (``SPEC = {...}``), ``<name>/module.py`` and
``<name>/testdata/*`` (PNG through Pillow, ``.npy``/``.npz`` through numpy, bytes as is).
Folders get no ``__init__.py`` unless asked, so ``module.py`` is imported by path and many
tests may reuse a folder name.
"""

from __future__ import annotations

import io
import textwrap
from collections.abc import Mapping
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

__all__ = ["ModuleWriter", "amodule", "lines", "method_spec", "png_bytes", "read_png", "spec_of"]


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


@pytest.fixture
def amodule(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> ModuleWriter:
    """A :class:`ModuleWriter` for the test's pytester folder.

    In-process runs load the plugin's distribution again; its packages are imported by
    then, so pytest warns that it cannot rewrite their asserts: a fact of nested runs only.
    Unrelated plugins are left out of the runs: hypothesis alone costs seconds per run.
    """
    monkeypatch.setenv("PYTEST_ADDOPTS", " ".join([
        "-W ignore::pytest.PytestAssertRewriteWarning",
        "-p no:hypothesispytest -p no:regressions -p no:pytest-datadir",
    ]))
    return ModuleWriter(pytester)
