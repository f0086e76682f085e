"""Output comparison: equal and unequal pairs per IO type, exact messages, tolerances, pictures."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

from amodule_core import compare as compare_module
from amodule_core.compare import DEFAULT_ATOL, DEFAULT_RTOL, Mismatch, Tolerance, compare
from amodule_core.errors import SpecError
from amodule_core.iotypes import parse_type

NAN, INF = math.nan, math.inf


def u8(values: Any) -> np.ndarray:
    return np.array(values, dtype=np.uint8)


def f64(values: Any) -> np.ndarray:
    return np.array(values, dtype=np.float64)


def message(actual: Any, expected: Any, type_text: str, tolerance: Tolerance | None = None,
            name: str = "") -> str:
    mismatch = compare(actual, expected, parse_type(type_text), tolerance, name=name)
    assert mismatch is not None, "expected a mismatch"
    return mismatch.message


def mask_with(shape: tuple[int, ...], positions: list[tuple[int, ...]], value: int = 255) -> np.ndarray:
    array = np.zeros(shape, dtype=np.uint8)
    for position in positions:
        array[position] = value
    return array


T = Tolerance
RECT = ("rect", [(10, 20, 30, 40), (1, 2, 3, 4)])
POLY = ("polyline", [[(0, 0), (1, 1), (2, 0)]])

EQUAL: list[tuple[str, Any, Any, Tolerance | None]] = [
    # numeric/int: exact, unless a tolerance is given
    ("numeric/int", 3, 3, None),
    ("numeric/int", np.int64(8865), 8865, None),
    ("numeric/int", np.uint8(255), 255, None),
    ("numeric/int", 4, 3, T(atol=1)),
    ("numeric/int", 2, 3, T(atol=1)),
    ("numeric/int", 105, 100, T(rtol=0.05)),
    ("numeric/int", 10**30 + 1, 10**30 + 1, None),
    # numeric/float: approx by default, isclose semantics, NaN == NaN
    ("numeric/float", 0.5, 0.5, None),
    ("numeric/float", 0.5 + 4e-7, 0.5, None),
    ("numeric/float", 1e-13, 0.0, None),
    ("numeric/float", 0.1 + 0.2, 0.3, None),
    ("numeric/float", np.float32(0.5), 0.5, None),
    ("numeric/float", np.float32(0.1), 0.1, T(rtol=1e-6)),
    ("numeric/float", NAN, NAN, None),
    ("numeric/float", np.float64(NAN), NAN, None),
    ("numeric/float", INF, INF, None),
    ("numeric/float", -INF, -INF, T(atol=1)),
    ("numeric/float", 0.505, 0.5, T(atol=0.01)),
    ("numeric/float", 0.75, 0.5, T(atol=0.25)),  # the boundary |a - e| <= atol holds
    ("numeric/float", 1.05, 1.0, T(rtol=0.1)),
    ("numeric/float", 1.3, 1.0, T(atol=0.1, rtol=0.2)),
    ("numeric/float", 0.5 + 4e-7, 0.5, T(max_mismatch=0.5)),  # defaults stay in force
    ("numeric/float", 0.5, 0.5, T(atol=0, rtol=0)),
    # numeric: ints and floats alike, as floats
    ("numeric", 3.0, 3, None),
    ("numeric", 3, 3.0, None),
    ("numeric", 3, 3, None),
    ("numeric", 1_000_001, 1_000_000, None),
    ("numeric", np.int32(7), 7.0, None),
    ("numeric", NAN, NAN, None),
    # text and boolean: exact, tolerance ignored
    ("text", "cat", "cat", None),
    ("text", np.str_("cat"), "cat", None),
    ("text/str", "", "", T(atol=1)),
    ("boolean", True, True, None),
    ("boolean", np.bool_(False), False, None),
    ("boolean/bool", False, np.bool_(False), T(max_mismatch=1)),
    # arrays
    ("ndarray/uint8//", u8([[0, 255], [1, 2]]), u8([[0, 255], [1, 2]]), None),
    ("ndarray/image", np.full((4, 5, 3), 7, np.uint8), np.full((4, 5, 3), 7, np.uint8), None),
    ("ndarray", np.zeros((0, 3)), np.zeros((0, 3)), None),
    ("ndarray", np.array(3.5), np.array(3.5), None),
    ("ndarray", f64([1.0, NAN, INF]), f64([1.0, NAN, INF]), None),
    ("ndarray", f64([1.0, 2.0]), f64([1.0 + 5e-7, 2.0 - 1e-6]), None),
    ("ndarray/float32", np.float32([0.1, 0.2]), np.float32([0.1, 0.2]) * np.float32(1.0000005), None),
    ("ndarray", f64([1.0, 2.0]), f64([1.05, 2.1]), T(rtol=0.05)),
    ("ndarray", f64([1.0, 2.0]), f64([1.25, 2.0]), T(atol=0.25)),  # the boundary holds
    ("ndarray", f64([0.0, 0.0, 0.0, 0.0]), f64([0.0, 0.0, 0.0, 9.0]), T(atol=0.1, max_mismatch=0.25)),
    ("ndarray", u8([10, 20, 30]), u8([11, 19, 30]), T(atol=1)),
    ("ndarray", np.int16([-100, 100]), np.int16([-110, 110]), T(rtol=0.1)),
    ("ndarray/uint8//", mask_with((10, 10), [(0, 0)]), np.zeros((10, 10), np.uint8), T(max_mismatch=0.01)),
    ("ndarray", np.array([True, False]), np.array([True, False]), None),
    ("ndarray", np.array([True, False, True, True]), np.array([True, True, True, True]),
     T(max_mismatch=0.25)),
    ("ndarray", np.array(["a", "b"]), np.array(["a", "b"]), None),
    # lists, items by the item type
    ("[numeric/float]", [], [], None),
    ("[numeric/float]", [0.1, 0.2], [0.1, 0.2 + 1e-8], None),
    ("[numeric/float]", (0.1, 0.2), [0.1, 0.2], None),
    ("[numeric/float]", [NAN, 1.0], [NAN, 1.0], None),
    ("[numeric/float]", [0.1, 0.9], [0.1, 0.2], T(max_mismatch=0.5)),
    ("[numeric/float]", [0.11, 0.21], [0.1, 0.2], T(atol=0.02)),
    ("[numeric/int]", [1, 2, 3], [1, 2, 3], None),
    ("[numeric/int]", [1, 2, 4], [1, 2, 3], T(atol=1)),
    ("[numeric]", [1, 2.0], [1.0, 2], None),
    ("[text]", ["a", "b"], ["a", "b"], None),
    ("[text]", ["a", "x", "c", "d"], ["a", "b", "c", "d"], T(max_mismatch=0.25)),
    ("[boolean]", [True, False], [True, False], None),
    ("[[numeric/int]]", [[1, 2], [3]], [[1, 2], [3]], None),
    ("[[numeric/float]]", [[0.1, 9.0], [0.3, 0.4]], [[0.1, 0.2], [0.3, 0.4]], T(max_mismatch=0.5)),
    ("[ndarray]", [u8([1, 2]), f64([0.5])], [u8([1, 2]), f64([0.5 + 1e-9])], None),
    ("[ndarray]", [u8([1, 2, 3, 4])], [u8([1, 2, 3, 9])], T(max_mismatch=0.25)),
    ("[annotation]", [RECT, POLY], [RECT, POLY], None),
    ("[annotation]", [RECT, ("point", [(0, 0)])], [RECT, ("point", [(5, 5)])], T(max_mismatch=0.5)),
    # annotations: kind and count exact, coordinates as floats
    ("annotation", RECT, RECT, None),
    ("annotation", ("rect", ((10.0, 20.0, 30.0, 40.0), (1, 2, 3, 4))), ["rect", [[10, 20, 30, 40], [1, 2, 3, 4]]],
     None),
    ("annotation", ("rect", [(10.000001, 20, 30, 40)]), ("rect", [(10, 20, 30, 40)]), None),
    ("annotation", ("circle", [(1.4, 2, 3)]), ("circle", [(1, 2, 3)]), T(atol=0.5)),
    ("annotation", ("point", [np.array([1.0, 2.0])]), ("point", [(1, 2)]), None),
    ("annotation", ("point", []), ("point", []), None),
    ("annotation", POLY, ("polyline", [[[0, 0], [1, 1], [2, 0]]]), None),
    ("annotation", ("ellipse", [(1, 2, 3, 4, NAN)]), ("ellipse", [(1, 2, 3, 4, NAN)]), None),
]

UNEQUAL: list[tuple[str, Any, Any, Tolerance | None]] = [
    ("numeric/int", 8864, 8865, None),
    ("numeric/int", 5, 3, T(atol=1)),
    ("numeric/int", 106, 100, T(rtol=0.05)),
    ("numeric/int", 4, 3, T(max_mismatch=1)),  # max_mismatch alone: ints stay exact
    ("numeric/int", 10**30, 10**30 + 1, None),
    ("numeric/int", 3.0, 3, None),  # a float is not a numeric/int
    ("numeric/int", True, 1, None),
    ("numeric/int", None, 1, None),
    ("numeric/int", "3", 3, None),
    ("numeric/float", 0.51, 0.5, None),
    ("numeric/float", 0.5 + 6e-7, 0.5, None),
    ("numeric/float", 1e-11, 0.0, None),
    ("numeric/float", NAN, 0.5, None),
    ("numeric/float", 0.5, NAN, None),
    ("numeric/float", INF, 1e308, None),
    ("numeric/float", INF, -INF, T(atol=1e300)),
    ("numeric/float", -INF, INF, None),
    ("numeric/float", 0.52, 0.5, T(atol=0.01)),
    ("numeric/float", 1.2, 1.0, T(rtol=0.1)),
    ("numeric/float", 0.5 + 4e-7, 0.5, T(atol=0, rtol=0)),
    ("numeric/float", 0.5 + 4e-7, 0.5, T(atol=1e-9)),  # rtol then is 0, not the default
    ("numeric/float", 1, 1.0, None),  # an int is not a numeric/float
    ("numeric/float", [0.5], 0.5, None),
    ("numeric", 4, 3, None),
    ("numeric", 3.1, 3, None),
    ("numeric", False, 0, None),
    ("text", "dog", "cat", None),
    ("text", "Cat", "cat", T(atol=10)),
    ("text", b"cat", "cat", None),
    ("text", None, "cat", None),
    ("boolean", False, True, None),
    ("boolean", 1, True, None),
    ("boolean", None, False, None),
    ("ndarray/uint8//", None, u8([[1]]), None),
    ("ndarray", [1, 2], np.array([1, 2]), None),
    ("ndarray", np.zeros((2, 3)), np.zeros((3, 2)), None),
    ("ndarray", np.zeros(3, np.float32), np.zeros(3, np.float64), None),
    ("ndarray", np.zeros(3, np.int32), np.zeros(3, np.int64), None),
    ("ndarray", u8([0, 0, 1]), u8([0, 0, 0]), None),
    ("ndarray", u8([0]), u8([255]), None),
    ("ndarray", f64([1.0, 2.0]), f64([1.0, 2.1]), None),
    ("ndarray", f64([1.0, NAN]), f64([1.0, 2.0]), None),
    ("ndarray", f64([1.0, 2.0]), f64([1.0, NAN]), None),
    ("ndarray", f64([INF]), f64([-INF]), None),
    ("ndarray", f64([1.0, 2.0]), f64([1.0, 2.0 + 1e-6]), T(atol=0, rtol=0)),
    ("ndarray", f64([1.0, 2.0]), f64([1.2, 2.0]), T(atol=0.1)),
    ("ndarray", f64([0.0, 0.0, 0.0, 0.0]), f64([0.0, 0.0, 9.0, 9.0]), T(atol=0.1, max_mismatch=0.25)),
    ("ndarray", u8([10, 20, 30]), u8([12, 20, 30]), T(atol=1)),
    ("ndarray", u8([10, 20, 30]), u8([11, 20, 30]), T(max_mismatch=0.2)),
    ("ndarray/uint8//", mask_with((10, 10), [(0, 0), (1, 1)]), np.zeros((10, 10), np.uint8),
     T(max_mismatch=0.01)),
    ("ndarray", np.array([True, False]), np.array([True, True]), None),
    ("ndarray", np.array(["a", "b"]), np.array(["a", "c"]), None),
    ("ndarray", np.array(3.5), np.array(3.25), None),
    ("[numeric/float]", [0.1], [0.1, 0.2], None),
    ("[numeric/float]", [0.1, 0.3], [0.1, 0.2], None),
    ("[numeric/float]", [NAN, 0.2], [0.1, 0.2], None),
    ("[numeric/float]", [0.9, 0.9], [0.1, 0.2], T(max_mismatch=0.5)),
    ("[numeric/float]", np.array([0.1, 0.2]), [0.1, 0.2], None),
    ("[numeric/float]", 0.1, [0.1], None),
    ("[numeric/float]", None, [0.1], None),
    ("[numeric/int]", [1, 2, 5], [1, 2, 3], T(atol=1)),
    ("[numeric/int]", [1, "2"], [1, 2], None),
    ("[numeric/int]", [True, 2], [1, 2], None),  # equal by ==, but a bool is no number
    ("[numeric/float]", [1, 2], [1.0, 2.0], None),
    ("[text]", ["a", "x"], ["a", "b"], None),
    ("[boolean]", [True, True], [True, False], None),
    ("[[numeric/int]]", [[1, 2], [3, 5]], [[1, 2], [3, 4]], None),
    ("[[numeric/int]]", [[1, 2], [3]], [[1, 2], [3, 4]], None),
    ("[[numeric/float]]", [[0.1, 9.0], [9.3, 0.4]], [[0.1, 0.2], [0.3, 0.4]], T(max_mismatch=0.25)),
    ("[ndarray]", [u8([1, 2]), u8([1, 2])], [u8([1, 2]), u8([1, 3])], None),
    ("[ndarray]", [u8([1, 2, 3, 4])], [u8([1, 2, 8, 9])], T(max_mismatch=0.25)),
    ("[annotation]", [RECT, ("point", [(0, 0)])], [RECT, ("point", [(5, 5)])], None),
    ("annotation", ("circle", [(1, 2, 3)]), ("rect", [(1, 2, 3, 4)]), None),
    ("annotation", ("rect", [(1, 2, 3, 4)]), RECT, None),
    ("annotation", ("rect", [(10.1, 20, 30, 40), (1, 2, 3, 4)]), RECT, None),
    ("annotation", ("rect", [(10.1, 20, 30, 40), (1, 2, 3, 4)]), RECT, T(max_mismatch=1)),
    ("annotation", ("circle", [(1.6, 2, 3)]), ("circle", [(1, 2, 3)]), T(atol=0.5)),
    ("annotation", ("polyline", [[(0, 0), (1, 1)]]), POLY, None),
    ("annotation", ("polyline", [[(0, 0), (1, 1.5), (2, 0)]]), POLY, None),
    ("annotation", ("ellipse", [(1, 2, 3, 4, NAN)]), ("ellipse", [(1, 2, 3, 4, 0)]), None),
    ("annotation", None, RECT, None),
    ("annotation", ("rect", [(1, 2, 3)]), ("rect", [(1, 2, 3, 4)]), None),
]


@pytest.mark.parametrize(("type_text", "actual", "expected", "tolerance"), EQUAL)
def test_equal(type_text: str, actual: Any, expected: Any, tolerance: Tolerance | None) -> None:
    assert compare(actual, expected, parse_type(type_text), tolerance) is None


@pytest.mark.parametrize(("type_text", "actual", "expected", "tolerance"), UNEQUAL)
def test_unequal(type_text: str, actual: Any, expected: Any, tolerance: Tolerance | None) -> None:
    iotype = parse_type(type_text)
    mismatch = compare(actual, expected, iotype, tolerance, name="out")
    assert isinstance(mismatch, Mismatch)
    assert mismatch.message.startswith("out: ")
    assert mismatch.actual is actual and mismatch.expected is expected and mismatch.iotype == iotype
    assert mismatch.tolerance == (tolerance or Tolerance())
    assert str(mismatch) == mismatch.message
    assert "0x" not in mismatch.message  # no object ids
    # the same inputs give the same text (no set order, ids or randomness)
    assert compare(actual, expected, iotype, tolerance, name="out").message == mismatch.message  # type: ignore[union-attr]


@pytest.mark.parametrize(("type_text", "actual", "expected", "tolerance"), UNEQUAL)
def test_expected_equals_itself(type_text: str, actual: Any, expected: Any, tolerance: Any) -> None:
    """Comparing the expected value with itself always passes (the tables are not vacuous)."""
    assert compare(expected, expected, parse_type(type_text), tolerance) is None


def test_defaults_are_pytest_approx() -> None:
    assert (DEFAULT_RTOL, DEFAULT_ATOL) == (1e-6, 1e-12)
    assert compare(1.0 + 0.99e-6, 1.0, parse_type("numeric/float")) is None
    assert compare(1.0 + 1.01e-6, 1.0, parse_type("numeric/float")) is not None


# ---------------------------------------------------------------- scalar messages


@pytest.mark.parametrize(("actual", "expected", "type_text", "tolerance", "text"), [
    (8864, 8865, "numeric/int", None, "expected 8865, got 8864"),
    (np.int64(8864), 8865, "numeric/int", None, "expected 8865, got 8864"),
    (8860, 8865, "numeric/int", T(atol=2), "expected 8865 ± 2, got 8860 (difference 5)"),
    (110, 100, "numeric/int", T(rtol=0.05), "expected 100 ± 5, got 110 (difference 10)"),
    (0.51, 0.5, "numeric/float", None, "expected 0.5 ± 5e-07, got 0.51 (difference 0.01)"),
    (0.52, 0.5, "numeric/float", T(atol=0.01), "expected 0.5 ± 0.01, got 0.52 (difference 0.02)"),
    (0.52, 0.5, "numeric/float", T(atol=0, rtol=0), "expected 0.5, got 0.52 (difference 0.02)"),
    (np.float32(0.25), 0.5, "numeric/float", None, "expected 0.5 ± 5e-07, got 0.25 (difference 0.25)"),
    (4, 3, "numeric", None, "expected 3 ± 3e-06, got 4 (difference 1)"),
    (NAN, 0.5, "numeric/float", None, "expected 0.5 ± 5e-07, got nan"),
    (0.5, NAN, "numeric/float", None, "expected nan, got 0.5"),
    (INF, 1.0, "numeric/float", None, "expected 1.0 ± 1e-06, got inf"),
    (1.0, INF, "numeric/float", None, "expected inf, got 1.0"),
    ("dog", "cat", "text", None, "expected 'cat', got 'dog'"),
    ("it's", 'say "hi"', "text", None, "expected 'say \"hi\"', got \"it's\""),
    (False, True, "boolean", None, "expected True, got False"),
    (np.bool_(True), False, "boolean", None, "expected False, got True"),
])
def test_message_scalar(actual: Any, expected: Any, type_text: str, tolerance: Tolerance | None,
                        text: str) -> None:
    assert message(actual, expected, type_text, tolerance) == text


def test_message_starts_with_name() -> None:
    assert message(8864, 8865, "numeric/int", name="count") == "count: expected 8865, got 8864"
    assert message(u8([1]), u8([1, 2]), "ndarray", name="mask") == "mask: shapes differ: expected (2,), got (1,)"


@pytest.mark.parametrize(("actual", "type_text", "text"), [
    (None, "ndarray/uint8///3", "expected ndarray/uint8///3, got None"),
    ([1, 2], "ndarray", "expected ndarray, got [1, 2] (a list): convert with numpy.asarray"),
    ([1, 2], "numeric", "expected numeric, got [1, 2] (a list)"),
    (3.0, "numeric/int", "expected numeric/int, got 3.0 (a float): write 3 for an int"),
    (True, "numeric/int", "expected numeric/int, got True (a bool): bool is not a number"),
    ("3", "numeric/float", "expected numeric/float, got '3' (a str)"),
    (3, "text", "expected text, got 3 (an int)"),
    (None, "boolean", "expected boolean, got None"),
    (np.zeros(3), "[numeric/float]", "expected [numeric/float], got <ndarray float64 (3,)>: convert with .tolist()"),
    (list(range(20)), "numeric", "expected numeric, got <list of 20>"),
    ("x" * 100, "numeric", "expected numeric, got " + repr("x" * 60)[:57] + "... (a str)"),
    (("rect", [(1, 2, 3)]), "annotation",
     "expected annotation, got ('rect', [(1, 2, 3)]) (a tuple): "
     "geometries[0] must be 4 numbers (x, y, w, h) for a rect, has 3"),
])
def test_message_wrong_kind(actual: Any, type_text: str, text: str) -> None:
    expected = {"ndarray/uint8///3": np.zeros((1, 1, 3), np.uint8), "ndarray": np.zeros(2),
                "annotation": ("rect", [(1, 2, 3, 4)]), "[numeric/float]": [0.0, 0.0, 0.0],
                "text": "3", "boolean": True}.get(type_text, 3)
    assert message(actual, expected, type_text) == text


def test_message_long_text_shows_first_difference() -> None:
    expected = "a" * 50 + "X" + "b" * 49
    actual = "a" * 50 + "Y" + "b" * 49
    assert message(actual, expected, "text", name="motto") == (
        "motto: texts differ at index 50 (expected 100 characters, got 100)\n"
        f"  expected: ...'{'a' * 20}X{'b' * 19}'...\n"
        f"  got:      ...'{'a' * 20}Y{'b' * 19}'..."
    )


def test_message_long_text_prefix() -> None:
    expected = "abc " * 20
    assert message(expected + "!", expected, "text") == (
        "texts differ at index 80 (expected 80 characters, got 81)\n"
        f"  expected: ...{expected[60:]!r}\n"
        f"  got:      ...{(expected + '!')[60:]!r}"
    )


# ---------------------------------------------------------------- array messages


def test_message_mask_exact() -> None:
    expected = np.zeros((3, 4), np.uint8)
    actual = mask_with((3, 4), [(1, 2), (2, 0)])
    assert message(actual, expected, "ndarray/uint8//", name="mask") == (
        "mask: arrays differ (exact comparison)\n"
        "Mismatched elements: 2 / 12 (16.7%)\n"
        "Max absolute difference: 255\n"
        "Max relative difference: inf\n"
        "Mismatches (index: actual vs expected):\n"
        "  (1, 2): 255 vs 0\n"
        "  (2, 0): 255 vs 0"
    )


def test_message_uint8_differences_do_not_wrap() -> None:
    assert message(u8([0, 10, 7]), u8([255, 20, 7]), "ndarray/uint8") == (
        "arrays differ (exact comparison)\n"
        "Mismatched elements: 2 / 3 (66.7%)\n"
        "Max absolute difference: 255\n"
        "Max relative difference: 1\n"
        "Mismatches (index: actual vs expected):\n"
        "  (0): 0 vs 255\n"
        "  (1): 10 vs 20"
    )


def test_message_large_image_percentage() -> None:
    expected = np.zeros((254, 426), np.uint8)
    actual = mask_with((254, 426), [(12, 40), (12, 41), (13, 40)])
    lines = message(actual, expected, "ndarray/image").splitlines()
    assert lines[1] == "Mismatched elements: 3 / 108204 (0.00277%)"
    assert lines[5:] == ["  (12, 40): 255 vs 0", "  (12, 41): 255 vs 0", "  (13, 40): 255 vs 0"]


def test_message_float_array_with_tolerance_and_max_mismatch() -> None:
    expected = np.ones(10)
    actual = np.ones(10)
    actual[[2, 5, 7]] = 1.5
    assert message(actual, expected, "ndarray/float64", T(atol=0.01, max_mismatch=0.1), name="scores") == (
        "scores: arrays differ (atol=0.01, rtol=0, max_mismatch=10%)\n"
        "Mismatched elements: 3 / 10 (30%), at most 1 (10%) allowed\n"
        "Max absolute difference: 0.5\n"
        "Max relative difference: 0.5\n"
        "Mismatches (index: actual vs expected):\n"
        "  (2): 1.5 vs 1.0\n"
        "  (5): 1.5 vs 1.0\n"
        "  (7): 1.5 vs 1.0"
    )


def test_message_float_array_default_tolerance_shows_first_five() -> None:
    expected = np.arange(8, dtype=np.float32).reshape(2, 4)
    actual = expected + np.float32(0.5)
    assert message(actual, expected, "ndarray/float32//") == (
        "arrays differ (atol=1e-12, rtol=1e-06)\n"
        "Mismatched elements: 8 / 8 (100%)\n"
        "Max absolute difference: 0.5\n"
        "Max relative difference: inf\n"
        "First 5 mismatches (index: actual vs expected):\n"
        "  (0, 0): 0.5 vs 0.0\n"
        "  (0, 1): 1.5 vs 1.0\n"
        "  (0, 2): 2.5 vs 2.0\n"
        "  (0, 3): 3.5 vs 3.0\n"
        "  (1, 0): 4.5 vs 4.0"
    )


def test_message_integer_mask_with_max_mismatch_only() -> None:
    expected = np.zeros((10, 10), np.uint8)
    actual = mask_with((10, 10), [(0, 0), (9, 9)], value=1)
    assert message(actual, expected, "ndarray/uint8//", T(max_mismatch=0.01)) == (
        "arrays differ (exact comparison, max_mismatch=1%)\n"
        "Mismatched elements: 2 / 100 (2%), at most 1 (1%) allowed\n"
        "Max absolute difference: 1\n"
        "Max relative difference: inf\n"
        "Mismatches (index: actual vs expected):\n"
        "  (0, 0): 1 vs 0\n"
        "  (9, 9): 1 vs 0"
    )


def test_message_nan_positions() -> None:
    assert message(f64([NAN, 1.0, NAN]), f64([0.0, 1.0, NAN]), "ndarray") == (
        "arrays differ (atol=1e-12, rtol=1e-06)\n"
        "Mismatched elements: 1 / 3 (33.3%)\n"
        "Max absolute difference: nan\n"
        "Max relative difference: nan\n"
        "Mismatches (index: actual vs expected):\n"
        "  (0): nan vs 0.0"
    )


def test_message_bool_and_text_arrays_have_no_statistics() -> None:
    assert message(np.array([[True, False]]), np.array([[True, True]]), "ndarray") == (
        "arrays differ (exact comparison)\n"
        "Mismatched elements: 1 / 2 (50%)\n"
        "Mismatches (index: actual vs expected):\n"
        "  (0, 1): False vs True"
    )
    assert message(np.array(["cat", "dog"]), np.array(["cat", "cow"]), "ndarray").splitlines()[-1] == (
        "  (1): 'dog' vs 'cow'")


def test_message_zero_dimensional_array() -> None:
    assert message(np.array(3.5), np.array(3.25), "ndarray").splitlines()[-1] == "  (): 3.5 vs 3.25"


@pytest.mark.parametrize(("actual", "expected", "text"), [
    (np.zeros((2, 3)), np.zeros((3, 2)), "shapes differ: expected (3, 2), got (2, 3)"),
    (np.zeros((254, 426), np.uint8), np.zeros((254, 426, 3), np.uint8),
     "shapes differ: expected (254, 426, 3), got (254, 426)"),
    (np.zeros(3, np.float32), np.zeros(3), "dtypes differ: expected float64, got float32"),
    (np.zeros(3, bool), np.zeros(3, np.uint8), "dtypes differ: expected uint8, got bool"),
    (np.zeros(3, np.int32), np.zeros(3, np.int64), "dtypes differ: expected int64, got int32"),
])
def test_message_shape_then_dtype(actual: np.ndarray, expected: np.ndarray, text: str) -> None:
    assert message(actual, expected, "ndarray") == text


def test_message_int64_extremes_do_not_overflow() -> None:
    big = np.iinfo(np.int64)
    lines = message(np.array([big.min], np.int64), np.array([big.max], np.int64), "ndarray").splitlines()
    assert lines[2] == f"Max absolute difference: {int(float(big.max) - float(big.min))}"


def test_equal_arrays_take_the_fast_path(monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(*args: Any) -> Any:
        raise AssertionError("statistics computed for equal arrays")

    monkeypatch.setattr(compare_module, "_outside", fail)
    image = np.random.default_rng(0).integers(0, 256, (64, 64, 3), dtype=np.uint8)
    assert compare(image.copy(), image, parse_type("ndarray/image")) is None
    with pytest.raises(AssertionError, match="statistics computed"):
        compare(image[::-1].copy(), image, parse_type("ndarray/image"))


# ---------------------------------------------------------------- lists and annotations


def test_message_list_of_floats() -> None:
    assert message([0.1, 0.2, 0.3, 0.3], [0.1, 0.2, 0.3, 0.25], "[numeric/float]", name="probs") == (
        "probs: 1 / 4 items differ\n"
        "  [3]: expected 0.25 ± 2.5e-07, got 0.3 (difference 0.05)"
    )


def test_message_list_length() -> None:
    assert message([1, 2], [1, 2, 3], "[numeric/int]") == "lengths differ: expected 3 items, got 2"


def test_message_list_wrong_item_kind() -> None:
    assert message([1, "2", None], [1, 2, 3], "[numeric/int]") == (
        "2 / 3 items differ\n"
        "  [1]: expected numeric/int, got '2' (a str)\n"
        "  [2]: expected numeric/int, got None"
    )


def test_message_list_max_mismatch() -> None:
    assert message([0.9, 0.9, 0.3, 0.4], [0.1, 0.2, 0.3, 0.4], "[numeric/float]", T(atol=0.01, max_mismatch=0.25)) == (
        "2 / 4 items differ (50%), at most 1 (25%) allowed\n"
        "  [0]: expected 0.1 ± 0.01, got 0.9 (difference 0.8)\n"
        "  [1]: expected 0.2 ± 0.01, got 0.9 (difference 0.7)"
    )


def test_message_list_shows_five_then_counts_the_rest() -> None:
    assert message(list(range(1, 9)), [0] * 8, "[numeric/int]") == (
        "8 / 8 items differ\n"
        "  [0]: expected 0, got 1\n"
        "  [1]: expected 0, got 2\n"
        "  [2]: expected 0, got 3\n"
        "  [3]: expected 0, got 4\n"
        "  [4]: expected 0, got 5\n"
        "  ... and 3 more"
    )


def test_message_nested_lists_give_index_paths() -> None:
    assert message([[1, 2], [3, 5], [6]], [[1, 2], [3, 4], [6, 7]], "[[numeric/int]]") == (
        "2 / 3 items differ\n"
        "  [1][1]: expected 4, got 5\n"
        "  [2]: lengths differ: expected 2 items, got 1"
    )


def test_message_list_of_arrays_indents_the_array_message() -> None:
    assert message([u8([1, 2]), u8([1, 2])], [u8([1, 2]), u8([1, 3])], "[ndarray/uint8]", name="frames") == (
        "frames: 1 / 2 items differ\n"
        "  [1]: arrays differ (exact comparison)\n"
        "    Mismatched elements: 1 / 2 (50%)\n"
        "    Max absolute difference: 1\n"
        "    Max relative difference: 0.333333\n"
        "    Mismatches (index: actual vs expected):\n"
        "      (1): 2 vs 3"
    )


@pytest.mark.parametrize(("actual", "expected", "text"), [
    (("circle", [(1, 2, 3)]), ("rect", [(1, 2, 3, 4)]), "annotation kinds differ: expected 'rect', got 'circle'"),
    (("rect", [(1, 2, 3, 4)]), RECT, "geometry counts differ: expected 2, got 1"),
    (("rect", [(10, 20, 30, 40), (1, 2, 3, 5)]), RECT,
     "1 / 2 geometries differ\n  geometry[1].h: expected 4 ± 4e-06, got 5 (difference 1)"),
    (("rect", [(11.5, 20, 30, 41), (1, 2, 3, 4)]), RECT,
     "1 / 2 geometries differ\n"
     "  geometry[0].x: expected 10 ± 1e-05, got 11.5 (difference 1.5)\n"
     "  geometry[0].h: expected 40 ± 4e-05, got 41 (difference 1)"),
    (("ellipse", [(1, 2, 3, 4, 0.5)]), ("ellipse", [(1, 2, 3, 4, 0.25)]),
     "1 / 1 geometries differ\n  geometry[0].rot: expected 0.25 ± 2.5e-07, got 0.5 (difference 0.25)"),
    (("polyline", [[(0, 0), (1, 1)]]), POLY, "1 / 1 geometries differ\n  geometry[0]: expected 3 points, got 2"),
    (("polyline", [[(0, 0), (1, 1.5), (2, 0)]]), POLY,
     "1 / 1 geometries differ\n  geometry[0][1].y: expected 1 ± 1e-06, got 1.5 (difference 0.5)"),
    (("point", [(0, NAN)]), ("point", [(0, 0)]), "1 / 1 geometries differ\n  geometry[0].y: expected 0 ± 1e-12, got nan"),
])
def test_message_annotation(actual: Any, expected: Any, text: str) -> None:
    assert message(actual, expected, "annotation") == text


def test_message_annotation_with_tolerance() -> None:
    assert message(("circle", [(1.6, 2, 3)]), ("circle", [(1, 2, 3)]), "annotation", T(atol=0.5)) == (
        "1 / 1 geometries differ\n  geometry[0].x: expected 1 ± 0.5, got 1.6 (difference 0.6)")


def test_message_list_of_annotations() -> None:
    actual = [RECT, ("rect", [(10, 20, 30, 40), (1, 2, 3, 9)]), ("point", [(1, 1)])]
    expected = [RECT, RECT, ("point", [(1, 1), (2, 2)])]
    assert message(actual, expected, "[annotation]", name="boxes") == (
        "boxes: 2 / 3 items differ\n"
        "  [1].geometry[1].h: expected 4 ± 4e-06, got 9 (difference 5)\n"
        "  [2]: geometry counts differ: expected 2, got 1"
    )


# ---------------------------------------------------------------- Tolerance


@pytest.mark.parametrize(("raw", "tolerance"), [
    ({}, Tolerance()),
    ({"atol": 1}, Tolerance(atol=1.0)),
    ({"rtol": 0.001, "atol": 0}, Tolerance(atol=0.0, rtol=0.001)),
    ({"max_mismatch": 0.01}, Tolerance(max_mismatch=0.01)),
    ({"max_mismatch": 1}, Tolerance(max_mismatch=1.0)),
    ({"atol": np.float32(0.5), "rtol": np.int64(0)}, Tolerance(atol=0.5, rtol=0.0)),
])
def test_tolerance_from_spec(raw: dict[str, Any], tolerance: Tolerance) -> None:
    parsed = Tolerance.from_spec(raw, "tolerance")
    assert parsed == tolerance
    assert all(type(getattr(parsed, key)) in (float, type(None)) for key in ("atol", "rtol", "max_mismatch"))


@pytest.mark.parametrize(("raw", "problems"), [
    ("0.1", ["out.tolerance: must be a mapping such as {'atol': 0.01} (got '0.1', a str)"]),
    (None, ["out.tolerance: must be a mapping such as {'atol': 0.01} (got None, a NoneType)"]),
    ({"atoll": 1}, ["out.tolerance.atoll: unknown key 'atoll' (expected atol, rtol or max_mismatch); "
                    "did you mean 'atol'?"]),
    ({"tol": 1}, ["out.tolerance.tol: unknown key 'tol' (expected atol, rtol or max_mismatch); "
                  "did you mean 'rtol'?"]),
    ({"precision": 1}, ["out.tolerance.precision: unknown key 'precision' (expected atol, rtol or max_mismatch)"]),
    ({"atol": -1}, ["out.tolerance.atol: must be >= 0 (got -1)"]),
    ({"rtol": -0.5}, ["out.tolerance.rtol: must be >= 0 (got -0.5)"]),
    ({"rtol": "0.1"}, ["out.tolerance.rtol: must be a number (got '0.1', a str)"]),
    ({"atol": True}, ["out.tolerance.atol: must be a number (got True, a bool)"]),
    ({"atol": None}, ["out.tolerance.atol: must be a number (got None, a NoneType)"]),
    ({"atol": [1]}, ["out.tolerance.atol: must be a number (got [1], a list)"]),
    ({"atol": NAN}, ["out.tolerance.atol: must be a finite number (got nan)"]),
    ({"rtol": INF}, ["out.tolerance.rtol: must be a finite number (got inf)"]),
    ({"max_mismatch": 5}, ["out.tolerance.max_mismatch: must be a fraction between 0 and 1 (got 5); "
                           "for 5% write 0.05"]),
    ({"max_mismatch": 250}, ["out.tolerance.max_mismatch: must be a fraction between 0 and 1 (got 250)"]),
    ({"max_mismatch": -0.1}, ["out.tolerance.max_mismatch: must be >= 0 (got -0.1)"]),
    ({"atol": -1, "rtol": "x", "max_mismatch": 2, "abs": 1}, [
        "out.tolerance.atol: must be >= 0 (got -1)",
        "out.tolerance.rtol: must be a number (got 'x', a str)",
        "out.tolerance.max_mismatch: must be a fraction between 0 and 1 (got 2); for 2% write 0.02",
        "out.tolerance.abs: unknown key 'abs' (expected atol, rtol or max_mismatch)",
    ]),
])
def test_error_tolerance_from_spec(raw: Any, problems: list[str]) -> None:
    with pytest.raises(SpecError) as info:
        Tolerance.from_spec(raw, "out.tolerance")
    assert [str(problem) for problem in info.value.problems] == problems


def test_error_tolerance_from_spec_whole_message() -> None:
    with pytest.raises(SpecError) as info:
        Tolerance.from_spec({"atol": -1, "rtol": -2}, "methods.process.output[0].tolerance")
    assert str(info.value) == (
        "2 problems:\n"
        "  methods.process.output[0].tolerance.atol: must be >= 0 (got -1)\n"
        "  methods.process.output[0].tolerance.rtol: must be >= 0 (got -2)"
    )


@pytest.mark.parametrize(("kwargs", "text"), [
    ({"atol": -1}, "Tolerance atol must be >= 0 (got -1)"),
    ({"rtol": "0.1"}, "Tolerance rtol must be a number (got '0.1', a str)"),
    ({"max_mismatch": None}, "Tolerance max_mismatch must be a number (got None, a NoneType)"),
    ({"max_mismatch": 1.5}, "Tolerance max_mismatch must be a fraction between 0 and 1 (got 1.5); "
                            "for 1.5% write 0.015"),
])
def test_error_tolerance_constructor(kwargs: dict[str, Any], text: str) -> None:
    with pytest.raises(ValueError) as info:
        Tolerance(**kwargs)
    assert str(info.value) == text


@pytest.mark.parametrize(("fraction", "total", "allowed"), [
    (0.29, 100, 29), (0.07, 100, 7), (0.01, 99, 0), (0.01, 100, 1), (0.001, 108204, 108),
    (1.0, 5, 5), (0.5, 3, 1), (0.1, 10, 1), (0.3, 10, 3),
])
def test_max_mismatch_counts_decimal_fractions_exactly(fraction: float, total: int, allowed: int) -> None:
    expected = np.zeros(total, np.uint8)
    within = mask_with((total,), [(i,) for i in range(allowed)], value=1)
    assert compare(within, expected, parse_type("ndarray"), T(max_mismatch=fraction)) is None
    if allowed < total:
        over = mask_with((total,), [(i,) for i in range(allowed + 1)], value=1)
        assert compare(over, expected, parse_type("ndarray"), T(max_mismatch=fraction)) is not None


# ---------------------------------------------------------------- pictures


def mismatch_of(actual: Any, expected: Any, type_text: str = "ndarray", tolerance: Tolerance | None = None) -> Mismatch:
    result = compare(actual, expected, parse_type(type_text), tolerance)
    assert result is not None
    return result


def red(picture: np.ndarray) -> np.ndarray:
    """Where a diff picture is red (gray pixels have R == G == B)."""
    return (picture[..., 0] != picture[..., 1]) | (picture[..., 0] != picture[..., 2])


@pytest.mark.parametrize(("actual", "expected", "is_image"), [
    (u8([[1, 2]]), u8([[1, 3]]), True),
    (np.zeros((2, 2, 3), np.uint8), np.ones((2, 2, 3), np.uint8), True),
    (np.zeros((2, 2, 4), np.uint8), np.ones((2, 2, 4), np.uint8), True),
    (f64([[0.1, 0.2]]), f64([[0.1, 0.3]]), True),
    (np.zeros((2, 2), bool), np.zeros((2, 2), np.uint8), True),
    (np.zeros((2, 2), np.int16), np.ones((2, 2), np.int16), True),
    (u8([[1, 2]]), u8([[1, 2, 3]]), False),  # shapes differ
    (u8([1, 2]), u8([1, 3]), False),  # 1-D
    (np.zeros((2, 2, 3)), np.ones((2, 2, 3)), False),  # float colour: not image-like
    (np.zeros((2, 2, 2), np.uint8), np.ones((2, 2, 2), np.uint8), False),
    (np.zeros((0, 2), np.uint8), np.zeros((0, 3), np.uint8), False),
    (np.array([["a"]]), np.array([["b"]]), False),
    (None, u8([[1]]), False),
])
def test_is_image(actual: Any, expected: Any, is_image: bool) -> None:
    found = mismatch_of(actual, expected)
    assert found.is_image() is is_image
    assert (found.diff_image() is not None) is is_image


def test_diff_image_marks_differing_pixels_in_red_by_magnitude() -> None:
    expected = np.full((4, 5), 100, np.uint8)
    expected[0, 0] = 250
    actual = expected.copy()
    actual[1, 2] = 0  # difference 100: the largest
    actual[3, 4] = 150  # difference 50
    picture = mismatch_of(actual, expected).diff_image()
    assert picture is not None
    assert picture.shape == (4, 5, 3) and picture.dtype == np.uint8
    assert np.argwhere(red(picture)).tolist() == [[1, 2], [3, 4]]
    assert picture[1, 2].tolist() == [255, 0, 0]
    assert picture[3, 4].tolist() == [178, 0, 0]  # 100 + 155 * 50 / 100, rounded
    assert picture[0, 0].tolist() == [150, 150, 150]  # dimmed gray of the expected image
    assert picture[0, 1].tolist() == [60, 60, 60]


def test_diff_image_of_rgb_marks_a_pixel_when_any_channel_differs() -> None:
    expected = np.zeros((3, 3, 3), np.uint8)
    expected[..., 1] = 200
    actual = expected.copy()
    actual[2, 1, 2] = 1
    picture = mismatch_of(actual, expected, "ndarray/image").diff_image()
    assert picture is not None and picture.shape == (3, 3, 3)
    assert np.argwhere(red(picture)).tolist() == [[2, 1]]
    assert picture[0, 0].tolist() == [40, 40, 40]  # mean of (0, 200, 0) = 66.7, dimmed to 60 %


def test_diff_image_ignores_alpha_for_the_background() -> None:
    expected = np.zeros((2, 2, 4), np.uint8)
    expected[..., 3] = 255
    actual = expected.copy()
    actual[0, 0, 3] = 0
    picture = mismatch_of(actual, expected).diff_image()
    assert picture is not None
    assert picture[1, 1].tolist() == [0, 0, 0]
    assert picture[0, 0].tolist() == [255, 0, 0]


def test_diff_image_respects_the_tolerance() -> None:
    expected = np.zeros((3, 3))
    actual = expected.copy()
    actual[0, 0] = 0.05  # within atol
    actual[2, 2] = 1.0
    actual[1, 1] = NAN
    picture = mismatch_of(actual, expected, tolerance=T(atol=0.1)).diff_image()
    assert picture is not None
    assert np.argwhere(red(picture)).tolist() == [[1, 1], [2, 2]]
    assert picture[1, 1].tolist() == [255, 0, 0]  # NaN against a number counts as largest
    assert picture[2, 2].tolist() == [255, 0, 0]


def test_diff_image_nan_equals_nan() -> None:
    expected = f64([[NAN, 1.0], [2.0, 3.0]])
    actual = f64([[NAN, 1.0], [2.0, 4.0]])
    picture = mismatch_of(actual, expected).diff_image()
    assert picture is not None
    assert np.argwhere(red(picture)).tolist() == [[1, 1]]


def test_diff_image_of_uint8_extremes() -> None:
    picture = mismatch_of(u8([[0, 255]]), u8([[255, 0]])).diff_image()
    assert picture is not None
    assert picture.tolist() == [[[255, 0, 0], [255, 0, 0]]]


@pytest.mark.parametrize(("value", "picture"), [
    (u8([[0, 7], [255, 3]]), [[0, 7], [255, 3]]),
    (np.array([[True, False]]), [[255, 0]]),
    (f64([[0.0, 0.5, 1.0]]), [[0, 128, 255]]),
    (f64([[2.0, 4.0], [3.0, 2.0]]), [[0, 255], [128, 0]]),
    (np.array([[-10, 10]], np.int16), [[0, 255]]),
    (np.array([[0, 65535]], np.uint16), [[0, 255]]),
    (f64([[5.0, 5.0]]), [[0, 0]]),
    (f64([[NAN, 0.0, 1.0, INF, -INF]]), [[0, 0, 255, 255, 0]]),
    (f64([[NAN, NAN]]), [[0, 0]]),
    (np.zeros((0, 4)), np.zeros((0, 4), np.uint8).tolist()),
    (np.array([[[0.0, 1.0, 0.5]]]), [[[0, 255, 128]]]),
])
def test_to_picture(value: np.ndarray, picture: list[Any]) -> None:
    found = Mismatch.to_picture(value)
    assert found is not None
    assert found.dtype == np.uint8 and found.shape == value.shape
    assert found.tolist() == picture


def test_to_picture_returns_uint8_as_is() -> None:
    image = np.zeros((2, 2, 3), np.uint8)
    assert Mismatch.to_picture(image) is image


@pytest.mark.parametrize("value", [
    None, [[1, 2]], np.zeros(3), np.zeros((2, 2, 2)), np.zeros((2, 2, 3, 1)), np.array([["a"]]),
    np.zeros((2, 2), complex), np.zeros((2, 2, 5), np.uint8),
])
def test_to_picture_refuses(value: Any) -> None:
    assert Mismatch.to_picture(value) is None


def test_mismatch_repr_is_short_and_deterministic() -> None:
    found = mismatch_of(np.zeros((100, 100)), np.ones((100, 100)))
    assert repr(found) == "<Mismatch 'arrays differ (atol=1e-12, rtol=1e-06)'>"


def test_public_surface() -> None:
    assert sorted(compare_module.__all__) == sorted(
        ["DEFAULT_ATOL", "DEFAULT_RTOL", "Tolerance", "Mismatch", "compare"])
