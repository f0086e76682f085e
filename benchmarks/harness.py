"""What every comparison shares: sizes per mode, alternating rounds, pytest runs, the table."""

from __future__ import annotations

import os
import re
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

__all__ = [
    "MODES", "BenchError", "Context", "Row", "Timing", "alternate", "format_table", "median", "medians",
    "pytest_args", "run_pytest", "versus", "write_ini",
]

#: full: the published figures; quick: the whole suite under two minutes; tiny: the smoke test.
MODES = ("full", "quick", "tiny")

# Every pytest session of the suite loads only the plugins its side needs (plugin autoload is
# off): whatever else is installed (hypothesis, schemathesis, pytest-html, anyio...) costs
# seconds of imports at start-up that are no one's figure here. The cache provider is off too
# (it would write into the data folder between rounds).
_COMMON = ("-p", "no:cacheprovider", "-p", "xdist.plugin", "-p", "xdist.looponfail")
_SIDES = {
    "amodule": ("-p", "pytest_amodule.plugin"),
    "floor": (),
    "regressions": ("-p", "pytest_datadir.plugin", "-p", "pytest_regressions.plugin"),
}
_SUMMARY = re.compile(r"(\d+) (passed|failed|errors?|skipped|xfailed|xpassed|deselected|tests? collected)")


class Timing(NamedTuple):
    """One run of a subprocess: wall-clock seconds and the CPU seconds (user + system) of it and
    every process it waited for. The table's ratios are of wall time; the CPU ratio beside them
    is less sensitive to other processes competing for the two cores."""

    wall: float
    cpu: float

    def __format__(self, spec: str) -> str:
        return f"{self.wall:{spec or '.3f'}}"


class BenchError(RuntimeError):
    """A variant did not do what it was supposed to (wrong outcome counts, a server that died)."""


@dataclass
class Context:
    """One run of the suite: its mode, rounds, scratch folder, HTTP load client and log."""

    mode: str
    rounds: int
    workdir: Path
    client: str = "auto"
    log_lines: list[str] = field(default_factory=list)

    def sizes(self, table: Mapping[str, Any]) -> Any:
        """``table[self.mode]``: a benchmark's sizes for this mode."""
        return table[self.mode]

    def folder(self, name: str) -> Path:
        """A fresh sub-folder of the scratch folder for one comparison."""
        path = self.workdir / name
        path.mkdir(parents=True, exist_ok=False)
        return path

    def log(self, text: str) -> None:
        """Progress on stderr (kept off the table on stdout)."""
        self.log_lines.append(text)
        print(f"  {text}", file=sys.stderr, flush=True)


@dataclass
class Row:
    """One line of the table: a ratio (or a share) with its target.

    ``better`` is ``"lower"`` (value must be <= target) or ``"higher"`` (>= target);
    ``target`` None makes the row informational.
    """

    bench: str
    what: str
    value: float
    target: float | None
    better: str
    detail: str
    unit: str = "x"

    @property
    def passed(self) -> bool | None:
        if self.target is None:
            return None
        return self.value <= self.target if self.better == "lower" else self.value >= self.target

    @property
    def target_text(self) -> str:
        if self.target is None:
            return "-"
        sign = "<=" if self.better == "lower" else ">="
        return f"{sign} {self.target:g}{self.unit}"

    @property
    def value_text(self) -> str:
        return f"{self.value:.1f}%" if self.unit == "%" else f"{self.value:.2f}x"

    @property
    def verdict(self) -> str:
        return {True: "pass", False: "MISS", None: "info"}[self.passed]


def median(values: Sequence[float]) -> float:
    """The median of ``values``."""
    return statistics.median(values)


def medians(results: Mapping[str, Sequence[Timing]]) -> dict[str, Timing]:
    """Per variant, the median wall time and the median CPU time (each taken on its own)."""
    return {name: Timing(median([t.wall for t in values]), median([t.cpu for t in values]))
            for name, values in results.items()}


def versus(a: Timing, b: Timing, arrow: str = "vs") -> str:
    """``2.31 s vs 2.05 s (CPU 1.05x)``: the medians behind a row, and their CPU-time ratio."""
    return f"{a.wall:.2f} s {arrow} {b.wall:.2f} s (CPU {a.cpu / b.cpu:.2f}x)"


def alternate(variants: Mapping[str, Callable[[], Any]], rounds: int,
              log: Callable[[str], None] | None = None) -> dict[str, list[Any]]:
    """Run every variant once per round, rotating which goes first; return their measures.

    Each callable returns its own measure (seconds, or requests per second), so set-up and
    checks around the timed part stay out of it.
    """
    names = list(variants)
    results: dict[str, list[Any]] = {name: [] for name in names}
    for r in range(rounds):
        shift = r % len(names)
        for name in names[shift:] + names[:shift]:
            results[name].append(variants[name]())
        if log is not None:
            log(f"round {r + 1}/{rounds}: " + ", ".join(f"{n} {results[n][-1]:.4g}" for n in names))
    return results


def write_ini(folder: Path, lines: Sequence[str] = ()) -> Path:
    """A minimal ``pytest.ini`` in ``folder``, so the project's setup.cfg plays no part."""
    ini = folder / "pytest.ini"
    ini.write_text("[pytest]\n" + "".join(f"{line}\n" for line in lines))
    return ini


def pytest_args(side: str) -> list[str]:
    """Plugin switches of one side: ``amodule``, ``floor`` (neither plugin) or ``regressions``."""
    return [*_COMMON, *_SIDES[side]]


def run_pytest(folder: Path, args: Sequence[str], *, side: str, expect: Mapping[str, int] | None = None,
               env: Mapping[str, str] | None = None, timeout: float = 1800) -> Timing:
    """Run ``pytest -q ARGS`` in ``folder`` (its own pytest.ini) and return its timing.

    ``expect`` maps outcomes of the summary line (``passed``, ``failed``, ``collected``) to
    counts; any difference raises :class:`BenchError` with the end of the output.
    """
    command = [sys.executable, "-m", "pytest", "-q", "-c", str(folder / "pytest.ini"),
               "--rootdir", str(folder), *pytest_args(side), *args]
    full_env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1", **(env or {})}
    full_env.pop("PYTEST_ADDOPTS", None)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(command, cwd=folder, env=full_env, capture_output=True, text=True, timeout=timeout)
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if expect is not None:
        found = _outcomes(proc.stdout)
        wanted = {key: value for key, value in expect.items() if value or key in found}
        if {k: found.get(k, 0) for k in wanted} != dict(wanted) or proc.returncode not in (0, 1):
            tail = "\n".join((proc.stdout + proc.stderr).strip().splitlines()[-25:])
            raise BenchError(f"pytest {' '.join(args)} in {folder}: expected {dict(expect)}, "
                             f"got {found} (exit {proc.returncode})\n{tail}")
    return Timing(elapsed, cpu)


def _outcomes(stdout: str) -> dict[str, int]:
    lines = [line for line in stdout.strip().splitlines() if _SUMMARY.search(line)]
    if not lines:
        return {}
    found: dict[str, int] = {}
    for count, word in _SUMMARY.findall(lines[-1]):
        key = "collected" if "collected" in word else ("errors" if word.startswith("error") else word)
        found[key] = int(count)
    return found


def format_table(rows: Sequence[Row]) -> str:
    """The table as Markdown (the same text goes to the terminal and to BENCHMARKS.md)."""
    header = ["#", "comparison", "ratio", "target", "result", "medians"]
    body = [[r.bench, r.what, r.value_text, r.target_text, r.verdict, r.detail] for r in rows]
    widths = [max(len(str(line[i])) for line in [header, *body]) for i in range(len(header))]
    out = ["| " + " | ".join(h.ljust(w) for h, w in zip(header, widths)) + " |",
           "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
    out += ["| " + " | ".join(str(c).ljust(w) for c, w in zip(line, widths)) + " |" for line in body]
    return "\n".join(out)
