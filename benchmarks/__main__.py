"""``python -m benchmarks [--quick | --tiny] [--only NAME ...]``: run the comparisons, print the table."""

from __future__ import annotations

import argparse
import datetime
import importlib
import os
import platform
import shutil
import sys
import tempfile
import time
import traceback
from pathlib import Path
from types import ModuleType

from .harness import Context, Row, format_table

__all__ = ["BENCHMARKS", "main"]

#: name -> module, in table order
BENCHMARKS = {name: f"benchmarks.bench_{name}" for name in
              ("masks", "arrays", "collect", "xdist", "html", "iotypes", "rest")}
_ROUNDS = {"full": 5, "quick": 3, "tiny": 1}


def _module(name: str) -> ModuleType:
    return importlib.import_module(BENCHMARKS[name])


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--quick", action="store_true", help="Fewer cases and rounds: the whole run under 2 minutes")
    size.add_argument("--tiny", action="store_true", help="Tiny sizes, one round: checks the suite works (smoke test)")
    parser.add_argument("--only", nargs="+", choices=list(BENCHMARKS), metavar="NAME",
                        help=f"Run only these comparisons ({', '.join(BENCHMARKS)})")
    parser.add_argument("--rounds", type=int, default=None, help="Rounds per comparison (default: 5, quick 3, tiny 1)")
    parser.add_argument("--client", choices=("auto", "wrk", "python"), default="auto",
                        help="HTTP load client of the REST comparison (auto: wrk when installed)")
    parser.add_argument("--keep", action="store_true", help="Keep the generated data folder and print its path")
    parser.add_argument("--markdown", type=Path, default=None, help="Also write the table and run details to this file")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the selected comparisons; exit status 0 when every one ran (misses included), 1 otherwise."""
    args = _parser().parse_args(argv)
    mode = "quick" if args.quick else "tiny" if args.tiny else "full"
    rounds = args.rounds or _ROUNDS[mode]
    names = args.only or list(BENCHMARKS)
    workdir = Path(tempfile.mkdtemp(prefix="amodule-bench-"))
    ctx = Context(mode=mode, rounds=rounds, workdir=workdir, client=args.client)
    rows: list[Row] = []
    failures: list[str] = []
    started = time.perf_counter()
    load_before = os.getloadavg()[0]
    try:
        for name in names:
            print(f"[{name}] {_module(name).TITLE}", file=sys.stderr, flush=True)
            t0 = time.perf_counter()
            try:
                rows.extend(_module(name).run(ctx))
            except Exception:  # one broken comparison must not hide the others
                failures.append(name)
                traceback.print_exc()
            print(f"  ({time.perf_counter() - t0:.1f} s)", file=sys.stderr, flush=True)
    finally:
        if args.keep:
            print(f"data kept in {workdir}", file=sys.stderr)
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    total = time.perf_counter() - started
    table = format_table(rows)
    header = _header(mode, rounds, total, (load_before, os.getloadavg()[0]))
    print(header + "\n\n" + table)
    if failures:
        print(f"\nfailed to run: {', '.join(failures)}")
    if args.markdown is not None:
        floors = "\n".join(f"- **{n}** ({_module(n).TITLE}): {_module(n).FLOOR}" for n in names)
        args.markdown.write_text(f"{header}\n\n{table}\n\nFloors:\n\n{floors}\n")
    return 1 if failures else 0


def _header(mode: str, rounds: int, total: float, load: tuple[float, float]) -> str:
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    return (f"amodule benchmarks, mode {mode}, {rounds} round(s), medians; {now}; "
            f"{os.cpu_count()} CPUs, Python {platform.python_version()}, {platform.machine()}; "
            f"run took {total:.0f} s; load average {load[0]:.1f} at start, {load[1]:.1f} at end")


if __name__ == "__main__":
    sys.exit(main())
