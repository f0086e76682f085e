"""``create_analytics(...).test()`` for template-style module.py files."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest

from amodule_core.module import load_module_class
from amodule_core.util import create_analytics

from .conftest import EXAMPLE, REPO
from .test_runner import WRONG_COUNT


def test_example_module_passes() -> None:
    analytics = create_analytics(load_module_class(EXAMPLE))
    assert [r.status for r in analytics.run()] == ["passed"] * 4
    analytics.test()


def test_failure_lists_each_case(make_module: Any) -> None:
    folder = make_module(source=WRONG_COUNT)
    with pytest.raises(AssertionError) as info:
        create_analytics(load_module_class(folder)()).test()
    text = str(info.value)
    assert text.startswith("1 test case(s) failed\n\nprocess[0]: 1 of 2 outputs differs\ninputs: image='rgb.png', threshold=100\n")


def test_error_not_a_module() -> None:
    with pytest.raises(TypeError, match="expected a module, a Module class or instance \\(got int\\)"):
        create_analytics(3)  # type: ignore[arg-type]


def test_pytest_module_py_runs_test_module() -> None:
    """``pytest path/to/module.py`` runs the template's test_module()."""
    done = subprocess.run(
        [sys.executable, "-m", "pytest", str(EXAMPLE / "module.py"), "-q", "-p", "no:cacheprovider",
         "-o", "python_files=module.py", "-o", "addopts="],
        capture_output=True, text=True, cwd=REPO, timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 passed" in done.stdout
