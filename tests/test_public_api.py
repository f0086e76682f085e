"""The public surface: what ``amodule_core`` re-exports, and that each name exists."""

from __future__ import annotations

import importlib

import pytest

import amodule_core

PUBLIC = {
    "AModuleError", "Case", "ConversionError", "IOType", "IOTypeSyntaxError", "LimitExceededError",
    "Mismatch", "Module", "ModuleLoadError", "RefusedError", "Spec", "SpecError", "Tolerance",
    "TypeCheckError", "load_cases", "load_spec", "parse_type",
}


def test_public_surface() -> None:
    assert set(amodule_core.__all__) == PUBLIC
    for name in PUBLIC:
        assert getattr(amodule_core, name) is not None


@pytest.mark.parametrize(
    "module", ["errors", "iotypes", "_typeparser", "spec", "cases", "compare", "pictures", "codec", "convert", "fetch", "module", "runner", "target", "util", "cli"]
)
def test_every_module_declares_all(module: str) -> None:
    imported = importlib.import_module(f"amodule_core.{module}")
    for name in imported.__all__:
        assert hasattr(imported, name), f"amodule_core.{module}.__all__ names missing {name!r}"


def test_core_imports_neither_flask_nor_pytest() -> None:
    import subprocess
    import sys

    code = ("import sys, amodule_core, amodule_core.cli, amodule_core.runner, amodule_core.util;"
            "print(sorted(m for m in ('flask', 'pytest', '_pytest') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == "[]", out.stderr
