"""Smoke test of benchmarks/: each comparison runs on tiny sizes and prints its rows.

Timings are never asserted (the machine decides them); only that every comparison ran and
produced its rows with a verdict. One test per comparison, so a broken one is named.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# The pytest-regressions rows need it and pandas (not among the project's test extras).
PEER = all(importlib.util.find_spec(name) is not None for name in ("pytest_regressions", "pandas"))

# comparison -> the table's "#" column of its rows
ROWS = {
    "masks": ["1", "1", "1"] if PEER else ["1"],
    "arrays": ["2"],
    "collect": ["3"],
    "xdist": ["4", "4", "4"],
    "html": ["5"],
    "iotypes": ["6", "6"],
    "rest": ["7", "7", "7"],
}


def _table(stdout: str) -> list[list[str]]:
    lines = [line for line in stdout.splitlines() if line.startswith("| ")]
    return [[cell.strip() for cell in line.split("|")[1:-1]] for line in lines[1:]]


@pytest.mark.slow
@pytest.mark.parametrize("name", [
    pytest.param(name, marks=[pytest.mark.server] if name == "rest" else []) for name in ROWS
])
def test_comparison_runs_on_tiny_sizes(name: str, tmp_path: Path) -> None:
    markdown = tmp_path / "table.md"
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--tiny", "--client", "python", "--only", name,
         "--markdown", str(markdown)],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr[-4000:]
    rows = _table(proc.stdout)
    assert [row[0] for row in rows] == ROWS[name], proc.stdout
    assert {row[4] for row in rows} <= {"pass", "MISS", "info"}, proc.stdout
    text = markdown.read_text()
    assert "mode tiny" in text and "Floors:" in text and f"**{name}**" in text


def test_error_unknown_comparison_is_refused() -> None:
    proc = subprocess.run([sys.executable, "-m", "benchmarks", "--only", "nosuch"],
                          cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert "argument --only: invalid choice: 'nosuch'" in proc.stderr
