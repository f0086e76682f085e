"""5. ``--amodule-html`` on failing image cases vs the same run without the report.

Both runs fail every case and write the artifacts (obtained, expected, diff pictures), which
the plugin does with or without the report; the ratio is what the report itself costs.
"""

from __future__ import annotations

import shutil

from .bench_masks import make_mask_cases, write_mask_module
from .harness import Context, Row, Timing, alternate, medians, run_pytest, versus, write_ini

__all__ = ["NAME", "TITLE", "FLOOR", "SIZES", "run"]

NAME = "html"
TITLE = "--amodule-html on failing image cases"
FLOOR = "the same failing run without `--amodule-html` (artifacts are written in both)"
#: mode -> (cases, image side)
SIZES = {"full": (100, 512), "quick": (24, 512), "tiny": (3, 32)}


def run(ctx: Context) -> list[Row]:
    """Write failing cases, then time the run with and without the report."""
    count, side = ctx.sizes(SIZES)
    root = ctx.folder(NAME)
    write_ini(root)
    module = root / "amodule" / "amod_bench"
    (module / "testdata").mkdir(parents=True)
    # expected masks made with a threshold 25 higher: every case fails on both outputs
    write_mask_module(module, make_mask_cases(module / "testdata", count, side, seed=5, expected_shift=25))
    ctx.log(f"{NAME}: {count} failing cases of {side}x{side}")
    expect = {"failed": count, "passed": 0}
    report = root / "report.html"
    sizes: list[int] = []

    def variant(html: bool):  # type: ignore[no-untyped-def]
        def go() -> Timing:
            shutil.rmtree(root / "artifacts", ignore_errors=True)
            report.unlink(missing_ok=True)
            args = ["--amodule-artifacts", "artifacts", "amodule"] + (["--amodule-html", str(report)] if html else [])
            elapsed = run_pytest(root, args, side="amodule", expect=expect)
            if html and not report.is_file():
                raise RuntimeError(f"--amodule-html wrote no {report}")
            if html:
                sizes.append(report.stat().st_size)
            return elapsed
        return go

    times = alternate({"html": variant(True), "plain": variant(False)}, ctx.rounds, ctx.log)
    med = medians(times)
    h, p = med["html"], med["plain"]
    size = max(sizes) / 1e6
    what = f"with / without --amodule-html ({count} failing {side}x{side})"
    return [Row("5", what, h.wall / p.wall, 1.5, "lower", f"{versus(h, p)}; report {size:.1f} MB")]
