"""3. Collection only: many specs of many cases vs pytest collecting as many parametrized cases.

Floor: one test file per spec (unique names), each a ``@pytest.mark.parametrize`` over the
same number of cases; both runs are ``pytest --collect-only -q``.
"""

from __future__ import annotations

from .data import argument, method, write_module, write_text
from .harness import Context, Row, alternate, medians, run_pytest, versus, write_ini

__all__ = ["NAME", "TITLE", "FLOOR", "SIZES", "run"]

NAME = "collect"
TITLE = "collection only (--collect-only -q)"
FLOOR = "pytest collecting the same number of cases from parametrized test files (one file per spec)"
#: mode -> (specs, cases per spec)
SIZES = {"full": (100, 100), "quick": (30, 100), "tiny": (3, 4)}

MODULE_CLASS = '''
class Doubler(Module):
    """Doubles a number."""

    def double(self, x):
        return 2 * x
'''

FLOOR_TEST = '''"""The floor: a parametrized test of the same cases."""

import pytest


@pytest.mark.parametrize("x, expected", {cases!r})
def test_double(x, expected):
    assert 2 * x == expected
'''


def run(ctx: Context) -> list[Row]:
    """Write the specs and test files, then time both collections."""
    specs, per_spec = ctx.sizes(SIZES)
    root = ctx.folder(NAME)
    write_ini(root)
    cases = [(x, 2 * x) for x in range(per_spec)]
    spec = {"double": method([argument("x", "numeric/int")], [argument("y", "numeric/int")], cases)}
    for i in range(specs):
        write_module(root / "amodule" / f"amod_c{i:03d}", MODULE_CLASS, spec, name=f"Bench collect {i}", imports="")
        write_text(root / "floor" / f"c{i:03d}" / f"test_c{i:03d}.py", FLOOR_TEST.format(cases=cases))
    total = specs * per_spec
    ctx.log(f"{NAME}: {specs} specs x {per_spec} cases")
    expect = {"collected": total}
    times = alternate({
        "amodule": lambda: run_pytest(root, ["--collect-only", "amodule"], side="amodule", expect=expect),
        "floor": lambda: run_pytest(root, ["--collect-only", "floor"], side="floor", expect=expect),
    }, ctx.rounds, ctx.log)
    med = medians(times)
    a, f = med["amodule"], med["floor"]
    return [Row("3", f"amodule / floor ({specs} specs x {per_spec} cases)", a.wall / f.wall, 1.0, "lower",
                versus(a, f))]
