"""Smoke test of benchmarks/: the whole suite runs on tiny sizes and prints its table.

Timings are never asserted (the machine decides them); only that every comparison ran and
produced its rows.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = [pytest.mark.slow, pytest.mark.server]


def test_suite_runs_on_tiny_sizes(tmp_path: Path) -> None:
    markdown = tmp_path / "table.md"
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--tiny", "--client", "python", "--markdown", str(markdown)],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr[-4000:]
    table = [line for line in proc.stdout.splitlines() if line.startswith("| ")]
    numbers = [line.split("|")[1].strip() for line in table[1:]]
    assert numbers == ["1", "1", "1", "2", "3", "4", "4", "5", "6", "6", "7", "7", "7"], proc.stdout
    assert all(line.split("|")[4].strip() in ("pass", "MISS", "info") for line in table[1:])
    assert "Floors:" in markdown.read_text()
