"""6. ``IOType.check`` vs the check a careful user writes by hand (timeit, in process).

Floors: for ``ndarray/uint8///3``, ``isinstance`` + dtype + ndim + last-axis test in one
function; for ``[numeric/float]`` on 10,000 floats, a ``for`` loop of ``isinstance(x, float)``.
Both floors raise ``TypeError`` on a bad value, as ``check`` does, so both do the same job.
"""

from __future__ import annotations

import timeit
from collections.abc import Callable
from typing import Any

import numpy as np

from amodule_core.iotypes import parse_type

from .harness import Context, Row, alternate, median

__all__ = ["NAME", "TITLE", "FLOOR", "SIZES", "run", "hand_ndarray", "hand_floats"]

NAME = "iotypes"
TITLE = "IOType.check vs a hand-written check"
FLOOR = ("`isinstance(v, np.ndarray) and v.dtype == np.uint8 and v.ndim == 3 and v.shape[2] == 3`; "
         "a `for` loop of `isinstance(x, float)` over the list")
#: mode -> (calls per measure of the ndarray check, calls per measure of the list check, list length)
SIZES = {"full": (200_000, 300, 10_000), "quick": (100_000, 150, 10_000), "tiny": (2_000, 5, 1_000)}


def hand_ndarray(value: Any) -> None:
    """The hand-written floor of ``ndarray/uint8///3``."""
    if not (isinstance(value, np.ndarray) and value.dtype == np.uint8 and value.ndim == 3
            and value.shape[2] == 3):
        raise TypeError("expected a uint8 array of shape (h, w, 3)")


def hand_floats(values: Any) -> None:
    """The hand-written floor of ``[numeric/float]``."""
    if not isinstance(values, (list, tuple)):
        raise TypeError("expected a list")
    for value in values:
        if not isinstance(value, float):
            raise TypeError("expected floats")


def _per_call(function: Callable[[Any], None], value: Any, number: int) -> Callable[[], float]:
    timer = timeit.Timer("f(v)", globals={"f": function, "v": value})
    return lambda: timer.timeit(number) / number


def run(ctx: Context) -> list[Row]:
    """Time both checks of both types, alternating."""
    n_array, n_list, length = ctx.sizes(SIZES)
    array = np.zeros((256, 256, 3), dtype=np.uint8)
    floats = [float(i) / 7 for i in range(length)]
    array_type, list_type = parse_type("ndarray/uint8///3"), parse_type("[numeric/float]")
    array_type.check(array)
    list_type.check(floats)
    times = alternate({
        "ndarray check": _per_call(array_type.check, array, n_array),
        "ndarray hand": _per_call(hand_ndarray, array, n_array),
        "list check": _per_call(list_type.check, floats, n_list),
        "list hand": _per_call(hand_floats, floats, n_list),
    }, max(ctx.rounds, 5), ctx.log)
    med = {name: median(values) for name, values in times.items()}
    return [
        Row("6", "IOType.check / hand-written, ndarray/uint8///3", med["ndarray check"] / med["ndarray hand"],
            2.0, "lower", f"{med['ndarray check'] * 1e9:.0f} ns vs {med['ndarray hand'] * 1e9:.0f} ns"),
        Row("6", f"IOType.check / hand-written loop, [numeric/float] x {length}",
            med["list check"] / med["list hand"], 1.5, "lower",
            f"{med['list check'] * 1e6:.0f} us vs {med['list hand'] * 1e6:.0f} us"),
    ]
