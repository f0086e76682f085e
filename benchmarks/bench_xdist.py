"""4. ``-n 2`` vs ``-n 0`` on CPU-bound cases (each burns a fixed amount of numpy/Python CPU).

The same speed-up of a hand-written parametrized test doing the same work is shown beside
it: it is what pytest-xdist itself gives on this machine, the ceiling for the plugin.
BLAS/OpenMP threads are pinned to 1 so that ``-n 0`` really uses one core.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import time
from pathlib import Path

from .data import argument, method, write_module, write_text
from .harness import Context, Row, Timing, alternate, medians, run_pytest, write_ini

__all__ = ["NAME", "TITLE", "FLOOR", "SIZES", "run", "BURN_SOURCE"]

NAME = "xdist"
TITLE = "-n 2 vs -n 0 on CPU-bound cases"
FLOOR = ("the same suite with `-n 0`; beside it, the same speed-up measured for a hand-written "
         "parametrized test doing the same work (pytest-xdist's own ceiling) and for the bare work split "
         "over 2 plain processes (what the machine gives at that moment)")
#: mode -> (cases, milliseconds of CPU per case)
SIZES = {"full": (240, 50), "quick": (40, 50), "tiny": (4, 2)}
_ENV = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}

BURN_SOURCE = '''
def burn(seed, loops):
    """Deterministic CPU work: elementwise numpy and a Python loop, one thread."""
    values = np.random.default_rng(seed).random(4096)
    total = 0.0
    for _ in range(loops):
        values = np.sin(values) * 0.5 + 0.25
        total += float(values[seed % 4096])
    return round(total, 6)
'''

MODULE_CLASS = BURN_SOURCE + '''

class Burner(Module):
    """Burns CPU."""

    def burn(self, seed, loops):
        return burn(seed, loops)
'''

FLOOR_TEST = '''"""The hand-written version of the same suite."""

import numpy as np
import pytest
''' + BURN_SOURCE + '''

@pytest.mark.parametrize("seed, loops, expected", {cases!r})
def test_burn(seed, loops, expected):
    assert burn(seed, loops) == pytest.approx(expected)
'''


def _burn_function():  # type: ignore[no-untyped-def]
    namespace: dict = {}
    exec("import numpy as np\n" + BURN_SOURCE, namespace)  # the very code the cases run
    return namespace["burn"]


def calibrate(milliseconds: float) -> int:
    """Loops of :data:`BURN_SOURCE` that take about ``milliseconds`` here.

    The fastest of three timings of at least 0.1 s each: other processes only ever slow a
    timing down, so the minimum is the closest to the work's own cost.
    """
    burn = _burn_function()
    loops = 100
    while True:
        elapsed = min(_timed(burn, loops) for _ in range(3))
        if elapsed >= 0.1 or loops > 10_000_000:
            return max(1, round(loops * milliseconds / 1000 / elapsed))
        loops *= 4


def _timed(burn, loops: int) -> float:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    burn(1, loops)
    return time.perf_counter() - start


def run(ctx: Context) -> list[Row]:
    """Write the suites, then time both at -n 0 and -n 2."""
    count, ms = ctx.sizes(SIZES)
    root = ctx.folder(NAME)
    write_ini(root)
    loops = calibrate(ms)
    burn = _burn_function()
    cases = [(seed, loops, burn(seed, loops)) for seed in range(count)]
    spec = method([argument("seed", "numeric/int"), argument("loops", "numeric/int")],
                  [argument("total", "numeric/float")], cases)
    write_module(root / "amodule" / "amod_burn", MODULE_CLASS, {"burn": spec}, name="Bench burn")
    write_text(root / "floor" / "test_burn.py", FLOOR_TEST.format(cases=cases))
    ctx.log(f"{NAME}: {count} cases of ~{ms} ms ({loops} loops)")
    expect = {"passed": count, "failed": 0}

    write_text(root / "raw.py", RAW_SCRIPT)
    seeds = [str(seed) for seed in range(count)]

    def variant(side: str, workers: str):  # type: ignore[no-untyped-def]
        return lambda: run_pytest(root, ["-n", workers, side], side=side, expect=expect, env=_ENV)

    times = alternate({
        "amodule -n 0": variant("amodule", "0"), "amodule -n 2": variant("amodule", "2"),
        "floor -n 0": variant("floor", "0"), "floor -n 2": variant("floor", "2"),
        "raw 1": lambda: _raw(root, [seeds], loops), "raw 2": lambda: _raw(root, [seeds[0::2], seeds[1::2]], loops),
    }, ctx.rounds, ctx.log)
    med = medians(times)

    def detail(side: str) -> str:
        serial, parallel = med[f"{side} -n 0"], med[f"{side} -n 2"]
        return f"{serial.wall:.2f} s -> {parallel.wall:.2f} s (CPU {serial.cpu:.1f} s -> {parallel.cpu:.1f} s)"

    def speedup(side: str) -> float:
        return med[f"{side} -n 0"].wall / med[f"{side} -n 2"].wall

    return [
        Row("4", f"amodule speed-up -n 2 ({count} cases x {ms} ms)", speedup("amodule"), 1.7, "higher",
            detail("amodule")),
        Row("4", "hand-written speed-up -n 2 (xdist's ceiling)", speedup("floor"), None, "higher", detail("floor")),
        Row("4", "2 plain processes vs 1, same work (the machine's ceiling)", med["raw 1"].wall / med["raw 2"].wall,
            None, "higher", f"{med['raw 1'].wall:.2f} s -> {med['raw 2'].wall:.2f} s"),
    ]


RAW_SCRIPT = '''"""The same work without pytest: python raw.py LOOPS SEED..."""

import sys

import numpy as np
''' + BURN_SOURCE + '''

loops = int(sys.argv[1])
for seed in sys.argv[2:]:
    burn(int(seed), loops)
'''


def _raw(root: Path, shares: list[list[str]], loops: int) -> Timing:
    """Run the burn of every seed in ``len(shares)`` plain processes at once."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    procs = [subprocess.Popen([sys.executable, str(root / "raw.py"), str(loops), *share], cwd=root,
                              env={**os.environ, **_ENV}) for share in shares]
    if any(proc.wait() for proc in procs):
        raise RuntimeError("raw.py failed")
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return Timing(elapsed, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime))
