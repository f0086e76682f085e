"""The ``amodule`` command line: ``check``."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from amodule_core.cli import main

from .conftest import EXAMPLE


def test_check_example(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(EXAMPLE)]) == 0
    out = capsys.readouterr().out
    assert out == f"ok: Bright Pixel Segmenter ({EXAMPLE}): BrightPixelSegmenter, 1 method, 4 test cases\n"


def test_check_reports_every_spec_problem(make_module: Any, capsys: pytest.CaptureFixture[str]) -> None:
    folder = make_module(files={})
    assert main(["check", str(folder)]) == 1
    err = capsys.readouterr().err
    assert "2 problems in" in err
    assert "methods.process.test_cases[0][0]: 'image': file 'rgb.png' not found" in err
    assert "methods.process.test_cases[0][2]: 'mask': file 'mask.png' not found" in err


def test_check_reports_missing_methods(make_module: Any, capsys: pytest.CaptureFixture[str]) -> None:
    folder = make_module(source="from amodule_core import Module\nclass Empty(Module):\n    pass\n")
    assert main(["check", str(folder)]) == 1
    assert "methods.process: declared in the specification but Empty has no method 'process'" in capsys.readouterr().err


def test_check_unknown_target(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["check", str(tmp_path / "nope")]) == 1
    assert "is neither a module folder nor an importable package" in capsys.readouterr().err


def test_console_script_runs() -> None:
    done = subprocess.run([sys.executable, "-m", "amodule_core", "check", str(EXAMPLE)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("ok: Bright Pixel Segmenter")


def test_help_lists_commands(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["--help"])
    assert info.value.code == 0
    assert "check" in capsys.readouterr().out
