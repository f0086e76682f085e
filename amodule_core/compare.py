"""Compare an actual output with its expected value, per IO type, and explain differences.

:func:`compare` returns ``None`` when the values match and otherwise a :class:`Mismatch`
whose ``message`` explains the difference in numpy.testing's manner.

Rules:

* Exact: text, booleans, ``numeric/int``, integer and boolean arrays, annotation kinds.
* Floats (``numeric``, ``numeric/float``, float arrays, floats in lists and annotation
  coordinates) are close when ``|actual - expected| <= atol + rtol * |expected|``
  (:func:`numpy.isclose`); NaN equals NaN, an infinity equals only itself. Without a
  tolerance ``atol=DEFAULT_ATOL, rtol=DEFAULT_RTOL``, as :func:`pytest.approx`.
  ``numeric`` (no sub-type) compares ints and floats alike as floats.
* A :class:`Tolerance` that sets ``atol`` or ``rtol`` replaces both defaults (the one it
  leaves out is 0) and applies to integers too. One that sets only ``max_mismatch`` keeps
  the defaults: approximate for floats, exact for integers.
* ``max_mismatch`` is the fraction of elements allowed outside the tolerance. It counts the
  elements of an array, or the items of a list of numbers, texts, booleans or annotations;
  for lists of lists or arrays it applies inside each item.
* Arrays must have the same shape, then the same dtype. Equal arrays cost one
  :func:`numpy.array_equal`; statistics are computed only for a mismatch.
* The caller makes ``expected`` a valid value of its type (the case loader checks it);
  ``actual`` may be anything: a value of the wrong kind is a mismatch, never an exception.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from numbers import Real
from typing import Callable

import numpy as np

from .errors import SpecError, SpecProblem
from .iotypes import IOType, summarize

__all__ = ["DEFAULT_ATOL", "DEFAULT_RTOL", "Tolerance", "Mismatch", "compare"]

DEFAULT_RTOL = 1e-6
DEFAULT_ATOL = 1e-12
_SHOWN = 5  # positions or items listed in one message
_KEYS = ("atol", "rtol", "max_mismatch")
_PLAIN = ("numeric", "text", "boolean")
_POOLED = (*_PLAIN, "annotation")  # the list items that max_mismatch counts
_COORDS = {
    "point": ("x", "y"),
    "circle": ("x", "y", "r"),
    "ellipse": ("x", "y", "rx", "ry", "rot"),
    "rect": ("x", "y", "w", "h"),
}


def _short(value: object, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _a(value: object) -> str:
    """``a float``, ``an int``: the article and type name of ``value``."""
    name = type(value).__name__
    return f"{'an' if name[0] in 'aeiou' else 'a'} {name}"


def _value_problem(key: str, value: object) -> str | None:
    """Why ``value`` cannot be tolerance ``key``, or None."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, Real):
        return f"must be a number (got {_short(value)}, {_a(value)})"
    number = float(value)
    if not math.isfinite(number):
        return f"must be a finite number (got {number!r})"
    if number < 0:
        return f"must be >= 0 (got {number:g})"
    if key == "max_mismatch" and number > 1:
        hint = f"; for {number:g}% write {number / 100:g}" if number <= 100 else ""
        return f"must be a fraction between 0 and 1 (got {number:g}){hint}"
    return None


@dataclass(frozen=True)
class Tolerance:
    """How far an output may be from its expectation (see the module docstring).

    ``atol``/``rtol``: absolute and relative tolerance, ``None`` when not given;
    ``max_mismatch``: fraction (0..1) of elements allowed outside the tolerance.
    Raises ValueError for a negative, non-finite or non-numeric value.
    """

    atol: float | None = None
    rtol: float | None = None
    max_mismatch: float = 0.0

    def __post_init__(self) -> None:
        for key in _KEYS:
            value = getattr(self, key)
            problem = None if value is None and key != "max_mismatch" else _value_problem(key, value)
            if problem:
                raise ValueError(f"Tolerance {key} {problem}")

    @classmethod
    def from_spec(cls, value: object, path: str) -> Tolerance:
        """The tolerance of a spec entry such as ``{"atol": 0.01, "max_mismatch": 0.001}``.

        ``path`` locates the entry (``methods.process.output[0].tolerance``).
        Raises SpecError listing every problem: not a mapping, unknown key, a value that
        is not a number (or is a bool), negative or not finite, max_mismatch above 1.
        """
        if not isinstance(value, Mapping):
            message = f"must be a mapping such as {{'atol': 0.01}} (got {_short(value)}, {_a(value)})"
            raise SpecError([SpecProblem(path, message)])
        problems = []
        for key, item in value.items():
            if key not in _KEYS:
                close = difflib.get_close_matches(str(key), _KEYS, n=1)
                hint = f"; did you mean {close[0]!r}?" if close else ""
                message = f"unknown key {_short(key)} (expected atol, rtol or max_mismatch){hint}"
                dotted = isinstance(key, str) and key.isprintable() and key.strip() == key != ""
                problems.append(SpecProblem(f"{path}.{key}" if dotted else f"{path}[{_short(key)}]", message))
            elif (problem := _value_problem(key, item)) is not None:
                problems.append(SpecProblem(f"{path}.{key}", problem))
        if problems:
            raise SpecError(problems)
        return cls(**{key: float(item) for key, item in value.items()})


_NO_TOLERANCE = Tolerance()


def _limits(tol: Tolerance, floating: bool) -> tuple[float, float]:
    """``(atol, rtol)`` in force for floats (``floating``) or integers."""
    if tol.atol is None and tol.rtol is None:
        return (DEFAULT_ATOL, DEFAULT_RTOL) if floating else (0.0, 0.0)
    return (tol.atol or 0.0, tol.rtol or 0.0)


def _pct(fraction: float) -> str:
    return f"{fraction * 100:.3g}%"


def _allowed(total: int, fraction: float) -> int:
    """The largest count ``k`` with ``k / total <= fraction`` (exact for decimal fractions)."""
    k = min(math.floor(fraction * total), total)
    while k < total and (k + 1) / total <= fraction:
        k += 1
    while k > 0 and k / total > fraction:
        k -= 1
    return k


def _describe(atol: float, rtol: float, max_mismatch: float) -> str:
    text = "exact comparison" if atol == 0 and rtol == 0 else f"atol={atol:g}, rtol={rtol:g}"
    return text + (f", max_mismatch={_pct(max_mismatch)}" if max_mismatch else "")


def _num(value: object) -> str:
    """A value as a message shows it: ``255``, ``0.5``, ``True``, ``'cat'``."""
    if isinstance(value, (bool, np.bool_)):
        return repr(bool(value))
    if isinstance(value, (str, np.str_)):
        return _short(str(value))
    if isinstance(value, np.generic):  # numpy 2's repr would say np.float32(0.5)
        return str(value)
    return _short(value)


def _wrong_kind(actual: object, iotype: IOType) -> str:
    found = summarize(actual)
    if actual is not None and not found.startswith("<"):  # "<ndarray ...>" names its type
        found += f" ({_a(actual)})"
    # the type's own hint ("write 3 for an int", "convert with .tolist()") when it has one
    detail = getattr(iotype, "_detail", lambda value: None)(actual)
    return f"expected {iotype}, got {found}" + (f": {detail}" if detail else "")


# ---------------------------------------------------------------- scalars


def _float_problem(actual: object, expected: object, atol: float, rtol: float) -> str | None:
    a, e = float(actual), float(expected)  # type: ignore[arg-type]
    if a == e or (math.isnan(a) and math.isnan(e)):
        return None
    diff = abs(a - e)
    bound = atol + rtol * abs(e)
    infinite = math.isinf(a) or math.isinf(e)
    if not infinite and diff <= bound:
        return None
    around = f" ± {bound:.3g}" if bound and math.isfinite(bound) else ""
    by = f" (difference {diff:.6g})" if math.isfinite(diff) else ""
    return f"expected {_num(expected)}{around}, got {_num(actual)}{by}"


def _numeric(actual: object, expected: object, iotype: IOType, tol: Tolerance) -> str | None:
    if not iotype.accepts(actual):
        return _wrong_kind(actual, iotype)
    if getattr(iotype, "sub", None) != "int":
        return _float_problem(actual, expected, *_limits(tol, floating=True))
    a, e = int(actual), int(expected)  # type: ignore[call-overload]  # Python ints: no overflow
    if a == e:
        return None
    atol, rtol = _limits(tol, floating=False)
    if not atol and not rtol:
        return f"expected {_num(expected)}, got {_num(actual)}"
    bound = atol + rtol * abs(e)
    if abs(a - e) <= bound:
        return None
    return f"expected {_num(expected)} ± {bound:.3g}, got {_num(actual)} (difference {abs(a - e)})"


def _window(text: str, at: int) -> str:
    start = max(0, at - 20)
    end = start + 40
    return ("..." if start else "") + repr(text[start:end]) + ("..." if end < len(text) else "")


def _text(actual: object, expected: object, iotype: IOType, tol: Tolerance) -> str | None:
    if not iotype.accepts(actual):
        return _wrong_kind(actual, iotype)
    a, e = str(actual), str(expected)
    if a == e:
        return None
    if len(repr(a)) <= 60 and len(repr(e)) <= 60:
        return f"expected {e!r}, got {a!r}"
    at = next((i for i, (x, y) in enumerate(zip(a, e)) if x != y), min(len(a), len(e)))
    return (
        f"texts differ at index {at} (expected {len(e)} characters, got {len(a)})\n"
        f"  expected: {_window(e, at)}\n"
        f"  got:      {_window(a, at)}"
    )


def _boolean(actual: object, expected: object, iotype: IOType, tol: Tolerance) -> str | None:
    if not iotype.accepts(actual):
        return _wrong_kind(actual, iotype)
    if bool(actual) == bool(expected):
        return None
    return f"expected {bool(expected)!r}, got {bool(actual)!r}"


# ---------------------------------------------------------------- arrays


def _outside(actual: np.ndarray, expected: np.ndarray, tol: Tolerance) -> tuple[np.ndarray, float, float]:
    """Boolean mask of the elements outside the tolerance, with the (atol, rtol) used."""
    kind = expected.dtype.kind
    atol, rtol = _limits(tol, floating=kind in "fc")
    with np.errstate(all="ignore"):
        if kind in "fc":
            mask = ~np.isclose(actual, expected, rtol=rtol, atol=atol, equal_nan=True)
        elif kind in "biu" and (atol or rtol):  # float64: no wrap-around (rounds beyond 2**53)
            wide_e = expected.astype(np.float64)
            mask = np.abs(actual.astype(np.float64) - wide_e) > atol + rtol * np.abs(wide_e)
        else:
            mask = np.asarray(actual != expected)
    return mask, atol, rtol


def _largest(values: np.ndarray) -> float:
    known = values[~np.isnan(values)]
    return float(known.max()) if known.size else math.nan


def _ndarray(actual: object, expected: object, iotype: IOType, tol: Tolerance) -> str | None:
    if not isinstance(actual, np.ndarray):
        return _wrong_kind(actual, iotype)
    expected = np.asarray(expected)
    if actual.shape != expected.shape:
        return f"shapes differ: expected {expected.shape}, got {actual.shape}"
    if actual.dtype != expected.dtype:
        return f"dtypes differ: expected {expected.dtype}, got {actual.dtype}"
    if np.array_equal(actual, expected):  # the fast path: nothing else for equal arrays
        return None
    mask, atol, rtol = _outside(actual, expected, tol)
    total, count = mask.size, int(np.count_nonzero(mask))
    allowed = _allowed(total, tol.max_mismatch) if tol.max_mismatch else 0
    if count <= allowed:
        return None
    counted = f"Mismatched elements: {count} / {total} ({_pct(count / total)})"
    if tol.max_mismatch:
        counted += f", at most {allowed} ({_pct(tol.max_mismatch)}) allowed"
    lines = [f"arrays differ ({_describe(atol, rtol, tol.max_mismatch)})", counted]
    kind = expected.dtype.kind
    if kind in "iufc":
        # 64-bit wide types: uint8 differences cannot wrap around (int64 beyond 2**53 rounds)
        wide = np.complex128 if kind == "c" else np.float64
        e_bad = expected[mask].astype(wide)
        with np.errstate(all="ignore"):
            diff = np.abs(actual[mask].astype(wide) - e_bad)
            rel = diff / np.abs(e_bad)
        top = _largest(diff)
        shown = str(int(top)) if kind in "iu" else f"{top:.6g}"
        lines += [f"Max absolute difference: {shown}", f"Max relative difference: {_largest(rel):.6g}"]
    title = "Mismatches" if count <= _SHOWN else f"First {_SHOWN} mismatches"
    lines.append(f"{title} (index: actual vs expected):")
    for flat in np.flatnonzero(mask)[:_SHOWN]:
        index = tuple(int(i) for i in np.unravel_index(int(flat), mask.shape))
        place = "(" + ", ".join(map(str, index)) + ")"
        lines.append(f"  {place}: {_num(actual[index])} vs {_num(expected[index])}")
    return "\n".join(lines)


# ---------------------------------------------------------------- lists and annotations


@dataclass
class _Diff:
    """A difference: a headline and, for containers, ``(path, message)`` leaf details."""

    header: str
    details: list[tuple[str, str]] = field(default_factory=list)


def _list(actual: object, expected: object, iotype: IOType, tol: Tolerance) -> _Diff | None:
    if not isinstance(actual, (list, tuple)):
        return _Diff(_wrong_kind(actual, iotype))
    expected = list(expected)  # type: ignore[call-overload]
    if len(actual) != len(expected):
        return _Diff(f"lengths differ: expected {len(expected)} items, got {len(actual)}")
    item = iotype.item  # type: ignore[attr-defined]
    if item.kind in _PLAIN and list(actual) == expected and iotype.accepts(actual):
        return None  # equal plain values: one C-level comparison, no per-item work
    pooled = item.kind in _POOLED and tol.max_mismatch > 0
    inner = replace(tol, max_mismatch=0.0) if pooled else tol
    bad = [(i, d) for i, (a, e) in enumerate(zip(actual, expected)) if (d := _diff(a, e, item, inner))]
    total = len(expected)
    allowed = _allowed(total, tol.max_mismatch) if pooled else 0
    if len(bad) <= allowed:
        return None
    header = f"{len(bad)} / {total} items differ"
    if pooled:
        header += f" ({_pct(len(bad) / total)}), at most {allowed} ({_pct(tol.max_mismatch)}) allowed"
    details: list[tuple[str, str]] = []
    for i, diff in bad:
        if diff.details:
            details += [(f"[{i}]" + (p if p.startswith("[") else "." + p), m) for p, m in diff.details]
        else:
            details.append((f"[{i}]", diff.header))
    return _Diff(header, details)


def _annotation(actual: object, expected: object, iotype: IOType, tol: Tolerance) -> _Diff | None:
    if not iotype.accepts(actual):
        return _Diff(_wrong_kind(actual, iotype))
    (a_kind, a_geoms), (e_kind, e_geoms) = actual, expected  # type: ignore[misc]
    if a_kind != e_kind:
        return _Diff(f"annotation kinds differ: expected {e_kind!r}, got {a_kind!r}")
    if len(a_geoms) != len(e_geoms):
        return _Diff(f"geometry counts differ: expected {len(e_geoms)}, got {len(a_geoms)}")
    atol, rtol = _limits(tol, floating=True)
    details: list[tuple[str, str]] = []
    bad = 0
    for g, (a_geom, e_geom) in enumerate(zip(a_geoms, e_geoms)):
        found = len(details)
        if e_kind == "polyline" and len(a_geom) != len(e_geom):
            details.append((f"geometry[{g}]", f"expected {len(e_geom)} points, got {len(a_geom)}"))
        elif e_kind == "polyline":
            for j, (a_pt, e_pt) in enumerate(zip(a_geom, e_geom)):
                for name, a, e in zip("xy", a_pt, e_pt):
                    if (problem := _float_problem(a, e, atol, rtol)) is not None:
                        details.append((f"geometry[{g}][{j}].{name}", problem))
        else:
            for name, a, e in zip(_COORDS[e_kind], a_geom, e_geom):
                if (problem := _float_problem(a, e, atol, rtol)) is not None:
                    details.append((f"geometry[{g}].{name}", problem))
        bad += len(details) > found
    if not details:
        return None
    return _Diff(f"{bad} / {len(e_geoms)} geometries differ", details)


_SCALARS: dict[str, Callable[[object, object, IOType, Tolerance], str | None]] = {
    "numeric": _numeric,
    "text": _text,
    "boolean": _boolean,
    "ndarray": _ndarray,
}


def _diff(actual: object, expected: object, iotype: IOType, tol: Tolerance) -> _Diff | None:
    if iotype.kind == "list":
        return _list(actual, expected, iotype, tol)
    if iotype.kind == "annotation":
        return _annotation(actual, expected, iotype, tol)
    message = _SCALARS[iotype.kind](actual, expected, iotype, tol)
    return None if message is None else _Diff(message)


def _render(diff: _Diff) -> str:
    lines = [diff.header]
    for path, message in diff.details[:_SHOWN]:
        first, *rest = message.split("\n")
        lines.append(f"  {path}: {first}")
        lines += [f"    {line}" for line in rest]
    if len(diff.details) > _SHOWN:
        lines.append(f"  ... and {len(diff.details) - _SHOWN} more")
    return "\n".join(lines)


# ---------------------------------------------------------------- results


@dataclass(frozen=True, eq=False)
class Mismatch:
    """An output that differs from its expectation.

    ``message`` is the full explanation (several lines for arrays, lists, annotations);
    ``tolerance`` is the one the comparison used (the pictures mark what it rejected).
    """

    message: str
    expected: object
    actual: object
    iotype: IOType
    tolerance: Tolerance = _NO_TOLERANCE

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"<Mismatch {self.message.splitlines()[0]!r}>"

    def is_image(self) -> bool:
        """Whether both sides can be shown as pictures of the same (non-empty) shape:
        two image-like arrays (uint8 (h,w), (h,w,3), (h,w,4)) or two 2-D numeric arrays."""
        from .pictures import can_picture

        return can_picture(self.actual, self.expected)

    def diff_image(self) -> np.ndarray | None:
        """A uint8 RGB (h,w,3) picture of the difference, None unless :meth:`is_image`
        (see :func:`amodule_core.pictures.diff_picture`)."""
        from .pictures import diff_picture

        return diff_picture(self.actual, self.expected, self.tolerance)

    @staticmethod
    def to_picture(value: object) -> np.ndarray | None:
        """A displayable uint8 image of a 2-D or (h,w,3|4) numeric array, else None
        (see :func:`amodule_core.pictures.to_picture`)."""
        from .pictures import to_picture

        return to_picture(value)


def compare(
    actual: object,
    expected: object,
    iotype: IOType,
    tolerance: Tolerance | None = None,
    *,
    name: str = "",
) -> Mismatch | None:
    """Compare ``actual`` with ``expected`` as values of ``iotype``.

    ``tolerance`` defaults to none (see the module docstring for the rules); ``name``, when
    given, starts the message (``"mask: arrays differ ..."``).
    Returns None when they match, else a :class:`Mismatch` explaining the difference.
    """
    tol = _NO_TOLERANCE if tolerance is None else tolerance
    diff = _diff(actual, expected, iotype, tol)
    if diff is None:
        return None
    message = _render(diff)
    return Mismatch(f"{name}: {message}" if name else message, expected, actual, iotype, tol)
