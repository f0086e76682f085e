"""IO types: parse type strings such as ``"ndarray/uint8///3"`` and check values against them.

Grammar (whitespace around the text is ignored, inside it is an error)::

    type      := "[" type "]" | simple
    simple    := numeric | text | boolean | ndarray | "annotation"
    numeric   := "numeric" [ "/" ( "int" | "float" ) ]
    text      := "text" [ "/" "str" ]
    boolean   := "boolean" [ "/" "bool" ]
    ndarray   := "ndarray" [ "/" ( "image" | dtype? ( "/" dim? )* ) ]
    dim       := non-negative integer   (empty = any size)

:func:`parse_type` gives a frozen, hashable :class:`IOType` whose ``str()`` is the canonical
text. All a check needs is computed at parse time, and parsing is cached, so checks are cheap.
"""

from __future__ import annotations

import operator
import reprlib
import warnings
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, TypeGuard

import numpy as np

from amodule_core.errors import TypeCheckError

if TYPE_CHECKING:
    from amodule_core._typeparser import parse_type

__all__ = [
    "ANNOTATION_ARITY", "AnnotationType", "BooleanType", "IOType", "ListType", "NdarrayType",
    "NumericType", "TextType", "is_image_array", "parse_type", "summarize",
]

#: Numbers per geometry of each annotation kind; None: a polyline is a sequence of points (x, y).
ANNOTATION_ARITY: dict[str, int | None] = {
    "point": 2, "circle": 3, "ellipse": 5, "rect": 4, "polyline": None,
}
_FIELDS = {"point": "(x, y)", "circle": "(x, y, r)", "ellipse": "(x, y, rx, ry, rot)",
           "rect": "(x, y, w, h)", "polyline": "(x, y)"}
_MAIN_TYPES = ("numeric", "text", "boolean", "ndarray", "annotation")
_INTS, _FLOATS, _BOOLS = (int, np.integer), (float, np.floating), (bool, np.bool_)
_NUMBERS = (*_INTS, *_FLOATS)
_SEQUENCES = (tuple, list)
_UINT8 = np.dtype("uint8")
_WIDTH = 60  # longest summary of a value in a message
_LONG = 10  # lists and tuples longer than this are summarized by their length


class _Repr(reprlib.Repr):
    """A bounded repr: nested containers and arrays never make huge text."""

    def repr_ndarray(self, x: np.ndarray, level: int) -> str:
        return summarize(x)


_REPR = _Repr()
_REPR.maxstring = _REPR.maxother = _REPR.maxlong = _WIDTH
_REPR.maxlist = _REPR.maxtuple = _LONG


def summarize(value: object) -> str:
    """Return a short description of ``value`` for messages, however large the value.

    Arrays as ``<ndarray uint8 (254, 426, 3)>``, long lists and tuples as ``<list of 10000>``,
    anything else as its repr cut to 60 characters.
    """
    if isinstance(value, np.ndarray):
        return f"<ndarray {value.dtype} {value.shape}>"
    if isinstance(value, _SEQUENCES) and len(value) > _LONG:
        return f"<{type(value).__name__} of {len(value)}>"
    try:
        text = repr(value[:_WIDTH]) if isinstance(value, str) else _REPR.repr(value)
    except ValueError:  # an int with too many digits to print
        text = f"<{type(value).__name__} of {value.bit_length()} bits>"  # type: ignore[attr-defined]
    return text if len(text) <= _WIDTH else text[: _WIDTH - 3] + "..."


def _got(value: object) -> str:
    """``summarize(value)``, then ``, a <type>`` unless the summary names the type already."""
    text = summarize(value)
    if value is None or text.startswith("<"):
        return text
    return f"{text}, {_a(type(value).__name__)}"


def _a(noun: str) -> str:
    """``noun`` with its article: "an int", "a uint8", "an ellipse"."""
    return f"{'an' if noun[0] in 'aeioAEIO' else 'a'} {noun}"


def is_image_array(value: object) -> bool:
    """Return whether ``value`` is a uint8 array of shape (h, w), (h, w, 3) or (h, w, 4)."""
    return isinstance(value, np.ndarray) and value.dtype == _UINT8 and _image_shape(value.shape)


def _image_shape(shape: tuple[int, ...]) -> bool:
    return len(shape) == 2 or (len(shape) == 3 and shape[2] in (3, 4))


def _hidden() -> Any:
    """A precomputed attribute: set in ``__post_init__``, not part of equality, hash or repr."""
    return field(init=False, repr=False, compare=False)


@dataclass(frozen=True, repr=False)
class IOType(ABC):
    """A parsed IO type: frozen, hashable, equal to any IO type of the same structure."""

    kind: ClassVar[str] = ""

    @abstractmethod
    def check(self, value: object, path: str = "value") -> None:
        """Raise :class:`TypeCheckError` naming ``path`` unless ``value`` matches this type."""

    @abstractmethod
    def __str__(self) -> str:
        """The canonical text: ``parse_type(str(t)) == t``."""

    def accepts(self, value: object) -> bool:
        """Return whether ``value`` matches this type; never raises."""
        try:
            self.check(value)
        except TypeCheckError:
            return False
        return True

    def __repr__(self) -> str:
        return f"<IOType({str(self)!r})>"

    def _failure(self, value: object, path: str) -> TypeCheckError:
        detail = self._detail(value)
        message = f"{path} must be {self} (got {_got(value)})"
        return TypeCheckError(f"{message}: {detail}" if detail else message, path)

    def _detail(self, value: object) -> str | None:
        """What is wrong beyond the value's kind (the message names that), or None."""
        return None


@dataclass(frozen=True, repr=False)
class _ScalarType(IOType):
    """Numeric, text and boolean: an optional subtype; values matched by Python kind."""

    sub: str | None = None
    _accepted: tuple[type, ...] = _hidden()
    _exact: frozenset[type] = _hidden()
    _SUBS: ClassVar[dict[str | None, tuple[type, ...]]] = {}
    _REFUSED: ClassVar[tuple[type, ...]] = ()

    def __post_init__(self) -> None:
        if self.sub not in self._SUBS:
            raise ValueError(f"{type(self).__name__}.sub must be one of "
                             f"{', '.join(map(repr, self._SUBS))}, not {self.sub!r}")
        accepted = self._SUBS[self.sub]
        object.__setattr__(self, "_accepted", accepted)
        # the builtin types, matched by identity: no isinstance call (and the list fast path)
        object.__setattr__(self, "_exact", frozenset(t for t in accepted if t.__module__ == "builtins"))

    def check(self, value: object, path: str = "value") -> None:
        if type(value) in self._exact or (
                isinstance(value, self._accepted) and not isinstance(value, self._REFUSED)):
            return
        raise self._failure(value, path)

    def __str__(self) -> str:
        return self.kind if self.sub is None else f"{self.kind}/{self.sub}"


@dataclass(frozen=True, repr=False)
class NumericType(_ScalarType):
    """``numeric`` (int or float), ``numeric/int`` or ``numeric/float``; a bool is no number."""

    kind: ClassVar[str] = "numeric"
    _SUBS = {None: _NUMBERS, "int": _INTS, "float": _FLOATS}
    _REFUSED = _BOOLS

    def _detail(self, value: object) -> str | None:
        if isinstance(value, _BOOLS):
            return "bool is not a number"
        if self.sub == "float" and isinstance(value, _INTS):
            whole = int(value)
            return f"write {whole}.0 for a float" if abs(whole) < 10**16 else "write it as a float"
        if self.sub == "int" and isinstance(value, _FLOATS) and float(value).is_integer():
            return f"write {int(value)} for an int"
        return None


@dataclass(frozen=True, repr=False)
class TextType(_ScalarType):
    """``text`` or ``text/str``: a str (numpy str scalars included)."""

    kind: ClassVar[str] = "text"
    _SUBS = {None: (str,), "str": (str,)}

    def _detail(self, value: object) -> str | None:
        return "decode the bytes to a str first" if isinstance(value, bytes) else None


@dataclass(frozen=True, repr=False)
class BooleanType(_ScalarType):
    """``boolean`` or ``boolean/bool``: a bool or a numpy bool."""

    kind: ClassVar[str] = "boolean"
    _SUBS = {None: _BOOLS, "bool": _BOOLS}

    def _detail(self, value: object) -> str | None:
        return "write True or False" if isinstance(value, (*_INTS, str)) else None


@dataclass(frozen=True, repr=False)
class NdarrayType(IOType):
    """A numpy array with an optional dtype and an optional number and size of dimensions.

    ``dtype``: numpy's canonical name, or None for any. ``shape``: None for any, else one
    entry per dimension (None = any size). ``image``: True only for ``ndarray/image``
    (then ``dtype`` is "uint8" and the shape (h, w), (h, w, 3) or (h, w, 4)).
    """

    kind: ClassVar[str] = "ndarray"
    dtype: str | None = None
    shape: tuple[int | None, ...] | None = None
    image: bool = False
    _np_dtype: np.dtype | None = _hidden()
    _kind_only: str | None = _hidden()
    _ndim: int | None = _hidden()
    _pick: operator.itemgetter[Any] | None = _hidden()  # the sizes given, taken from a shape
    _sizes: object = _hidden()  # what _pick must return

    def __post_init__(self) -> None:
        dtype, shape, np_dtype, kind_only = self.dtype, self.shape, None, None
        if self.image and (dtype not in (None, "uint8") or shape is not None):
            raise ValueError("NdarrayType(image=True) takes no shape and no dtype but 'uint8'")
        if self.image:
            dtype = "uint8"
        if dtype is not None:
            np_dtype, problem = _resolve_dtype(dtype)
            if np_dtype is None:
                raise ValueError(problem)
            dtype = np_dtype.name
            if (np_dtype.kind in "USV" and np_dtype.itemsize == 0) or (
                    np_dtype.kind in "Mm" and np.datetime_data(np_dtype)[0] == "generic"):
                kind_only = np_dtype.kind  # "str", "datetime64": any item size or time unit
        if shape is not None:
            shape = tuple(shape)
            if not shape or not all(d is None or (type(d) is int and d >= 0) for d in shape):
                raise ValueError(f"NdarrayType.shape must be None or a non-empty tuple of "
                                 f"sizes >= 0 or None, not {shape!r}")
        given = [(i, d) for i, d in enumerate(shape or ()) if d is not None]
        pick = operator.itemgetter(*(i for i, _ in given)) if given else None
        sizes = given[0][1] if len(given) == 1 else tuple(d for _, d in given)
        for name, value in [("dtype", dtype), ("shape", shape), ("_np_dtype", np_dtype),
                            ("_kind_only", kind_only), ("_pick", pick), ("_sizes", sizes),
                            ("_ndim", None if shape is None else len(shape))]:
            object.__setattr__(self, name, value)

    @property
    def np_dtype(self) -> np.dtype | None:
        """The required numpy dtype, or None when any dtype is accepted."""
        return self._np_dtype

    def check(self, value: object, path: str = "value") -> None:
        # the hottest check of all: as few steps as a hand-written isinstance/dtype/shape test
        if isinstance(value, np.ndarray):
            required = self._np_dtype
            if required is None or value.dtype is required or self._dtype_ok(value.dtype):
                shape = value.shape
                if len(shape) == self._ndim:
                    if self._pick is None or self._pick(shape) == self._sizes:
                        return
                elif self._ndim is None and (not self.image or _image_shape(shape)):
                    return
        raise self._failure(value, path)

    def _dtype_ok(self, dtype: np.dtype) -> bool:
        """The slow dtype test: equal, of the same generic kind, or in the other byte order."""
        if dtype == self._np_dtype or dtype.kind == self._kind_only:
            return True
        return dtype.byteorder not in "=|" and dtype.newbyteorder("=") == self._np_dtype

    def __str__(self) -> str:
        if self.image:
            return "ndarray/image"
        if self.dtype is None and self.shape is None:
            return "ndarray"
        dims = "".join("/" if d is None else f"/{d}" for d in self.shape or ())
        return f"ndarray/{self.dtype or ''}{dims}"

    def _detail(self, value: object) -> str | None:
        if isinstance(value, _SEQUENCES):
            return "convert with numpy.asarray"
        if not isinstance(value, np.ndarray):
            return None
        problems, shape = [], value.shape
        if self._np_dtype is not None and not self._dtype_ok(value.dtype):
            problems.append(f"dtype is {value.dtype}, not {self.dtype}")
        if self.image and not _image_shape(shape):
            problems.append("an image needs shape (h, w), (h, w, 3) or (h, w, 4)")
        elif self._ndim is not None and len(shape) != self._ndim:
            plural = "" if self._ndim == 1 else "s"
            problems.append(f"needs {self._ndim} dimension{plural}, has {len(shape)}")
        elif self._ndim is not None:
            problems += [f"shape[{i}] is {shape[i]}, not {d}"
                         for i, d in enumerate(self.shape or ()) if d is not None and shape[i] != d]
        return "; ".join(problems)


@dataclass(frozen=True, repr=False)
class AnnotationType(IOType):
    """``annotation``: ``(kind, geometries)`` such as ``("rect", ((x, y, w, h), ...))``.

    Lists are accepted wherever tuples are written, and 1-D arrays as geometries.
    """

    kind: ClassVar[str] = "annotation"

    def check(self, value: object, path: str = "value") -> None:
        if _annotation_problem(value) is not None:
            raise self._failure(value, path)

    def __str__(self) -> str:
        return "annotation"

    def _detail(self, value: object) -> str | None:
        return _annotation_problem(value)


@dataclass(frozen=True, repr=False)
class ListType(IOType):
    """``[item]``: a list or tuple whose every element matches ``item``."""

    kind: ClassVar[str] = "list"
    item: IOType
    _exact: frozenset[type] | None = _hidden()

    def __post_init__(self) -> None:
        if not isinstance(self.item, IOType):
            raise ValueError(f"ListType.item must be an IOType, not {self.item!r}")
        exact = self.item._exact if isinstance(self.item, _ScalarType) else None
        object.__setattr__(self, "_exact", exact)

    def check(self, value: object, path: str = "value") -> None:
        if not isinstance(value, _SEQUENCES):
            raise self._failure(value, path)
        # fast path: every element of an exact builtin type, tested in C
        if self._exact is not None and self._exact.issuperset(map(type, value)):
            return
        item, accepts = self.item, self.item.accepts
        for i, element in enumerate(value):
            if not accepts(element):
                item.check(element, f"{path}[{i}]")  # raises, naming the element

    def __str__(self) -> str:
        return f"[{self.item}]"

    def _detail(self, value: object) -> str | None:
        return "convert with .tolist()" if isinstance(value, np.ndarray) else None


def _is_sequence(value: object) -> TypeGuard[tuple[Any, ...] | list[Any] | np.ndarray]:
    return isinstance(value, _SEQUENCES) or (isinstance(value, np.ndarray) and value.ndim >= 1)


def _is_number(value: object) -> bool:
    return isinstance(value, _NUMBERS) and not isinstance(value, _BOOLS)


def _are_numbers(value: object, count: int) -> bool:
    return _is_sequence(value) and len(value) == count and all(map(_is_number, value))


def _numbers_problem(where: str, value: object, count: int, what: str) -> str:
    """Why ``value`` is not ``count`` numbers (``what``: "(x, y, r) for a circle")."""
    expected = f"{where} must be {count} numbers {what}"
    if not _is_sequence(value):
        return f"{expected} (got {_got(value)})"
    if len(value) != count:
        return f"{expected}, has {len(value)}"
    k, number = next((k, n) for k, n in enumerate(value) if not _is_number(n))
    return f"{where}[{k}] must be a number (got {_got(number)})"


def _annotation_problem(value: object) -> str | None:
    """Why ``value`` is not an annotation ``(kind, geometries)``, or None when it is one."""
    if not isinstance(value, _SEQUENCES):
        return "expected a (kind, geometries) pair"
    if len(value) != 2:
        return f"expected a (kind, geometries) pair, has {len(value)} item{'s' * (len(value) != 1)}"
    kind, geometries = value
    if not isinstance(kind, str) or kind not in ANNOTATION_ARITY:
        return f"kind must be one of {', '.join(ANNOTATION_ARITY)} (got {_got(kind)})"
    if not isinstance(geometries, _SEQUENCES):
        return f"geometries must be a tuple or list (got {_got(geometries)})"
    arity, fields = ANNOTATION_ARITY[kind], _FIELDS[kind]
    for i, geometry in enumerate(geometries):  # messages are formatted only for a failure
        if arity is not None:
            if not _are_numbers(geometry, arity):
                return _numbers_problem(f"geometries[{i}]", geometry, arity, f"{fields} for {_a(kind)}")
        elif not _is_sequence(geometry):
            return f"geometries[{i}] must be a sequence of points {fields} (got {_got(geometry)})"
        elif len(geometry) == 0:
            return f"geometries[{i}] must have at least 1 point {fields}, has 0"
        else:
            for j, point in enumerate(geometry):
                if not _are_numbers(point, 2):
                    return _numbers_problem(f"geometries[{i}][{j}]", point, 2, f"{fields} for a point")
    return None


def _resolve_dtype(name: str) -> tuple[np.dtype | None, str]:
    """The numpy dtype called ``name``, or None and why it is refused."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a deprecated alias is refused, not warned about
        try:
            np_dtype = np.dtype(name)
        except Exception:  # numpy raises TypeError, ValueError, SyntaxError or a warning
            hint = "; for any dtype leave it empty, as in 'ndarray//5'" if name.isdigit() else ""
            return None, f"unknown dtype {name!r} (a numpy dtype name such as uint8, float32{hint})"
        try:
            readback: np.dtype | None = np.dtype(np_dtype.name)
        except Exception:  # "str160", the name of U5, is no name numpy reads
            readback = None
    if np_dtype.kind == "O":
        return None, f"object dtype {name!r} is not allowed (use a number, bool or string dtype)"
    if readback is None or readback != np_dtype.newbyteorder("="):
        if np_dtype.kind in "USV":
            generic = {"U": "str", "S": "bytes", "V": "void"}[np_dtype.kind]
            return None, f"sized dtype {name!r} is not supported (write {generic!r} for any size)"
        return None, f"dtype {name!r} is not supported (numpy cannot read back its name {np_dtype.name!r})"
    return np_dtype, ""


def __getattr__(name: str) -> Any:
    """``parse_type`` lives in :mod:`amodule_core._typeparser`, which builds the classes
    above; it is loaded at first use, so either module may be imported first."""
    if name == "parse_type":
        from amodule_core._typeparser import parse_type

        globals()["parse_type"] = parse_type
        return parse_type
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
