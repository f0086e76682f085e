"""Hypothesis strategies and guards shared by the fuzz tests (``tests/test_fuzz_*.py``).

Not a test file. What it gives:

* :func:`examples` — the number of examples a fuzz test runs: its CI count, or
  ``AMODULE_FUZZ_EXAMPLES`` when that is set (a big run; docs/RELIABILITY.md, "Fuzzing").
  The Hypothesis profiles themselves (fixed seed in CI, random for a big run) are registered
  in ``tests/conftest.py``.
* IO types built structurally (:func:`io_types`, :func:`spelled_types`) and values of a
  type (:func:`values_of`), with :func:`same_value` to compare round trips.
* Valid payloads (PNG and other images, ``.npy``, ``.npz``) and mutations of them, blind
  (:func:`mutated`) and structure-aware (:func:`png_variants`, :func:`npy_variants`,
  :func:`npz_variants`).
* :func:`bounded` — one converter call under a time alarm and a traced-memory bound.
"""

from __future__ import annotations

import base64
import functools
import io
import json
import math
import os
import signal
import struct
import tracemalloc
import zipfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from amodule_core.codec import Limits
from amodule_core.errors import ConversionError
from amodule_core.iotypes import (
    ANNOTATION_ARITY,
    AnnotationType,
    BooleanType,
    IOType,
    ListType,
    NdarrayType,
    NumericType,
    TextType,
)

from .hostile_helpers import npz_of as npz_bytes
from .hostile_helpers import png_chunk

__all__ = [
    "CALL_SECONDS", "CALL_MEMORY", "FUZZ_ENV", "SMALL", "CallTimeout", "bounded", "call", "data_urls",
    "examples", "image_payloads", "io_types", "json_values", "mutated", "npy_payloads",
    "npy_variants", "npz_payloads", "npz_variants", "png_variants", "same_value", "spelled_types",
    "values_of", "warm_up",
]

FUZZ_ENV = "AMODULE_FUZZ_EXAMPLES"


def examples(ci: int) -> int:
    """Examples for one fuzz test: ``ci`` in CI, ``$AMODULE_FUZZ_EXAMPLES`` in a big run."""
    value = os.environ.get(FUZZ_ENV, "").strip()
    return int(value) if value else ci


# --- bounds on one call ------------------------------------------------------------------------

#: A guard against hangs, not a performance assertion: a call takes milliseconds.
CALL_SECONDS = 2.0
#: Small limits for the converters under test, so that a bound on memory means something.
SMALL = Limits(max_bytes=256 * 1024, max_pixels=256 * 256, max_array_bytes=2**20, max_npz_members=8)
#: Peak traced memory (Python and numpy allocations) one call may take under :data:`SMALL`:
#: a few copies of the largest payload and array allowed, far below what a declared size
#: (an .npy of shape (10**12,), a 20000x20000 PNG) would take if it were believed.
CALL_MEMORY = 24 * 2**20


class CallTimeout(BaseException):
    """The alarm of :func:`bounded`; a BaseException so that no ``except Exception`` in the
    code under test can turn it into an ordinary error."""


@contextmanager
def bounded(what: str, seconds: float = CALL_SECONDS, memory: int | None = CALL_MEMORY) -> Iterator[None]:
    """Run the block under a SIGALRM after ``seconds`` and, unless ``memory`` is None, check
    the peak memory it allocates, traced by :mod:`tracemalloc` for the block alone.

    Python objects and numpy arrays are traced; Pillow's own pixel buffers are not, but every
    array made from them is, and the pixel limit is checked before Pillow allocates them.

    :raises AssertionError: the block ran out of time or took more than ``memory`` bytes.
    """

    def alarm(signum: int, frame: object) -> None:
        raise CallTimeout(f"{what} took more than {seconds} s")

    previous = signal.signal(signal.SIGALRM, alarm)
    started = memory is not None and not tracemalloc.is_tracing()
    if started:
        tracemalloc.start()
    if memory is not None:
        tracemalloc.reset_peak()
        base = tracemalloc.get_traced_memory()[0]
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
        if memory is not None:
            peak = tracemalloc.get_traced_memory()[1] - base
            assert peak <= memory, f"{what} took {peak} bytes of memory, over {memory}"
    except CallTimeout as exc:
        raise AssertionError(str(exc)) from None
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        if started:
            tracemalloc.stop()


# --- IO types --------------------------------------------------------------------------------

#: Dtype spellings the parser accepts, each with the canonical name it parses to.
DTYPE_SPELLINGS: dict[str, str] = {
    "uint8": "uint8", "u1": "uint8", "|u1": "uint8", "B": "uint8", "ubyte": "uint8",
    "int8": "int8", "i1": "int8", "uint16": "uint16", "<u2": "uint16", ">u2": "uint16",
    "int16": "int16", "i2": "int16", "short": "int16", "uint32": "uint32", "int32": "int32",
    "i4": "int32", "intc": "int32", "uint64": "uint64", "int64": "int64", "int": "int64",
    "i8": "int64", "float16": "float16", "half": "float16", "e": "float16",
    "float32": "float32", "f4": "float32", "single": "float32", "float64": "float64",
    "float": "float64", "f8": "float64", ">f8": "float64", "double": "float64",
    "complex64": "complex64", "c8": "complex64", "complex128": "complex128",
    "complex": "complex128", "bool": "bool", "?": "bool", "b1": "bool", "bool_": "bool",
    "str": "str", "U": "str", "str_": "str", "bytes": "bytes", "S": "bytes",
    "datetime64": "datetime64", "M8": "datetime64", "timedelta64": "timedelta64", "m8": "timedelta64",
}
#: Dtypes :func:`values_of` can fill (void and longdouble left out).
VALUE_DTYPES = ("uint8", "int8", "uint16", "int16", "uint32", "int32", "uint64", "int64",
                "float16", "float32", "float64", "complex64", "complex128", "bool", "str",
                "bytes", "datetime64", "timedelta64")

_SCALARS: list[tuple[type[IOType], tuple[str | None, ...]]] = [
    (NumericType, (None, "int", "float")), (TextType, (None, "str")), (BooleanType, (None, "bool")),
]


#: The types without parts: every scalar type and subtype, and annotation.
SIMPLE_TYPES: list[IOType] = [cls(sub) for cls, subs in _SCALARS for sub in subs] + [AnnotationType()]


def _ndarray_types(max_dim: int, dtypes: tuple[str, ...]) -> st.SearchStrategy[NdarrayType]:
    dims = st.one_of(st.none(), st.integers(0, max_dim))
    shapes = st.one_of(st.none(), st.lists(dims, min_size=1, max_size=6).map(tuple))
    plain = st.builds(NdarrayType, st.one_of(st.none(), st.sampled_from(dtypes)), shapes)
    return st.one_of(st.just(NdarrayType(image=True)), plain)


def _depth(iotype: IOType) -> int:
    return 1 + _depth(iotype.item) if isinstance(iotype, ListType) else 0


def _nest(iotype: IOType, depth: int) -> IOType:
    for _ in range(depth):
        iotype = ListType(iotype)
    return iotype


@functools.lru_cache(maxsize=None)  # a strategy built once is validated once: much faster
def io_types(*, max_dim: int = 10**18 - 1, dtypes: tuple[str, ...] | None = None,
             max_depth: int = 32) -> st.SearchStrategy[IOType]:
    """Every valid IO type, built from the type classes: a recursive strategy (a type, or a
    list of a type) for the usual shallow nesting, plus lists nested 4 to ``max_depth`` deep
    (the parser's bound is 32).

    ``max_dim``: the largest dimension size (the grammar takes up to 18 digits);
    ``dtypes``: the dtype names to draw from (default: every canonical one).
    """
    names = dtypes or tuple(sorted(set(DTYPE_SPELLINGS.values()) | {"void", "float128"}))
    leaves = st.one_of(st.sampled_from(SIMPLE_TYPES), _ndarray_types(max_dim, names))
    shallow = st.recursive(leaves, lambda inner: inner.map(ListType), max_leaves=4)
    if max_depth < 4:
        return shallow.filter(lambda t: _depth(t) <= max_depth)
    return st.one_of(shallow, shallow, st.builds(_nest, leaves, st.integers(4, max_depth)))


_ALIASES = {name: st.sampled_from(sorted(s for s, n in DTYPE_SPELLINGS.items() if n == name))
            for name in set(DTYPE_SPELLINGS.values())}
_BARE = st.sampled_from(["ndarray", "ndarray/"])
_ZEROS = st.integers(0, 17)


def _spell_ndarray(draw: st.DrawFn, iotype: NdarrayType) -> str:
    if iotype.image:
        return "ndarray/image"
    dtype = iotype.dtype or ""
    if dtype in _ALIASES:
        dtype = draw(_ALIASES[dtype])
    if iotype.shape is None:
        return draw(_BARE) if not dtype else f"ndarray/{dtype}"
    dims = ""
    for size in iotype.shape:
        if size is None:
            dims += "/"
        else:
            digits = str(size)  # "007" is 7: at most 18 digits in all
            dims += "/" + "0" * min(draw(_ZEROS), 18 - len(digits)) + digits
    return f"ndarray/{dtype}{dims}"


_SPACE = st.sampled_from(["", " ", "\t", "\n", "  \r\n"])


@st.composite
def spelled_types(draw: st.DrawFn) -> tuple[str, IOType]:
    """``(text, type)``: a valid type of :func:`io_types` and one of its spellings (dtype
    aliases, leading zeros in sizes, whitespace around the text)."""
    iotype = draw(io_types())

    def spell(t: IOType) -> str:
        if isinstance(t, ListType):
            return f"[{spell(t.item)}]"
        if isinstance(t, NdarrayType):
            return _spell_ndarray(draw, t)
        return str(t)

    return draw(_SPACE) + spell(iotype) + draw(_SPACE), iotype


# --- values of a type --------------------------------------------------------------------------

_DATETIME_UNITS = ("Y", "M", "D", "h", "m", "s", "ms", "us", "ns")


def _dtype_for(name: str | None) -> st.SearchStrategy[np.dtype]:
    """A concrete dtype for a declared one (any size of str/bytes, a unit for datetimes)."""
    if name is None:
        return st.sampled_from(VALUE_DTYPES).flatmap(_dtype_for)
    if name == "str":
        return st.integers(1, 6).map(lambda n: np.dtype(f"U{n}"))
    if name == "bytes":
        return st.integers(1, 6).map(lambda n: np.dtype(f"S{n}"))
    if name in ("datetime64", "timedelta64"):
        return st.sampled_from(_DATETIME_UNITS).map(lambda unit: np.dtype(f"{name}[{unit}]"))
    return st.just(np.dtype(name))


def arrays_of(dtype: np.dtype, shape: tuple[int, ...]) -> st.SearchStrategy[np.ndarray]:
    """Arrays of ``dtype`` and ``shape`` with any values (NaN, infinities, odd strings)."""
    if dtype.kind in "Mm":  # hypothesis draws any int64, NaT included
        return hnp.arrays(np.int64, shape).map(lambda a: a.view(dtype))
    return hnp.arrays(dtype, shape)


@st.composite
def _ndarray_values(draw: st.DrawFn, iotype: NdarrayType) -> np.ndarray:
    if iotype.image:
        side = st.integers(0, 6)
        shape = (draw(side), draw(side), *draw(st.sampled_from([(), (3,), (4,)])))
        return draw(hnp.arrays(np.uint8, shape))
    if iotype.shape is None:
        shape = draw(hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=4))
    else:
        shape = tuple(draw(st.integers(0, 4)) if d is None else d for d in iotype.shape)
    dtype = draw(_dtype_for(iotype.dtype))
    return draw(arrays_of(dtype, shape))


_NUMBER = st.one_of(st.integers(-10**6, 10**6), st.floats(allow_nan=False, width=64))


@st.composite
def _annotations(draw: st.DrawFn) -> tuple[str, Any]:
    kind = draw(st.sampled_from(sorted(ANNOTATION_ARITY)))
    arity = ANNOTATION_ARITY[kind]
    seq = st.sampled_from([list, tuple])
    if arity is None:
        point = st.tuples(_NUMBER, _NUMBER).map(list)
        geometry = st.lists(point, min_size=1, max_size=4)
    else:
        geometry = st.lists(_NUMBER, min_size=arity, max_size=arity)
    geometries = draw(st.lists(geometry, max_size=4))
    return kind, draw(seq)(draw(seq)(g) for g in geometries)


def values_of(iotype: IOType) -> st.SearchStrategy[Any]:
    """Values that ``iotype`` accepts (the type's dims must be small: they are the shape)."""
    if isinstance(iotype, ListType):
        return st.lists(values_of(iotype.item), max_size=4)
    if isinstance(iotype, NdarrayType):
        return _ndarray_values(iotype)
    if isinstance(iotype, AnnotationType):
        return _annotations()
    if isinstance(iotype, BooleanType):
        return st.booleans()
    if isinstance(iotype, TextType):
        return st.text(max_size=20)
    assert isinstance(iotype, NumericType)
    if iotype.sub == "int":
        return st.integers()
    if iotype.sub == "float":
        return st.floats()
    return st.one_of(st.integers(), st.floats())


def _native(array: np.ndarray) -> np.ndarray:
    if array.dtype.fields is None and not array.dtype.isnative:
        array = array.astype(array.dtype.newbyteorder("="))
    return np.ascontiguousarray(array)


def same_array(a: np.ndarray, b: np.ndarray) -> bool:
    """Same shape, same dtype (up to byte order) and the very same bits."""
    a, b = _native(a), _native(b)
    return a.shape == b.shape and a.dtype == b.dtype and a.tobytes() == b.tobytes()


def same_value(a: Any, b: Any) -> bool:
    """``a == b`` for typed values: exact kinds, NaN equal to NaN, -0.0 apart from 0.0, arrays
    by :func:`same_array`, tuples equal to lists (JSON has no tuples)."""
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return isinstance(a, np.ndarray) and isinstance(b, np.ndarray) and same_array(a, b)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(map(same_value, a, b))
    if type(a) is not type(b):
        return False
    if isinstance(a, float):
        return (math.isnan(a) and math.isnan(b)) or (a == b and math.copysign(1, a) == math.copysign(1, b))
    return bool(a == b)


# --- JSON values -------------------------------------------------------------------------------

def json_values(max_leaves: int = 12) -> st.SearchStrategy[Any]:
    """Any JSON value (NaN and infinities included, as Python's json reads them)."""
    scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=30),
                        st.sampled_from(["", "1", "-3.5", "nan", "true", "[1,2]", "data:", "rect"]))
    return st.recursive(
        scalars,
        lambda inner: st.one_of(st.lists(inner, max_size=5),
                                st.dictionaries(st.text(max_size=5), inner, max_size=4)),
        max_leaves=max_leaves,
    )


# --- valid payloads ----------------------------------------------------------------------------

def _save_image(array: np.ndarray, mode: str | None, fmt: str, **options: Any) -> bytes:
    from PIL import Image

    im = Image.fromarray(array) if mode is None else Image.fromarray(array).convert(mode)
    buffer = io.BytesIO()
    im.save(buffer, format=fmt, **options)
    return buffer.getvalue()


#: (Pillow mode to convert to, or None; format) pairs that Pillow writes.
IMAGE_KINDS = [
    (None, "PNG"), ("L", "PNG"), ("1", "PNG"), ("P", "PNG"), ("LA", "PNG"), ("RGBA", "PNG"),
    ("I;16", "PNG"), ("I;16B", "PNG"), ("RGB", "GIF"), ("P", "GIF"), ("RGB", "BMP"),
    ("RGB", "TIFF"), ("I", "TIFF"), ("F", "TIFF"), ("LA", "TIFF"), ("RGB", "JPEG"),
    ("CMYK", "JPEG"), ("RGB", "WEBP"), ("RGBA", "WEBP"), ("RGB", "JPEG2000"), ("RGB", "AVIF"),
    ("RGB", "PPM"), ("RGB", "ICO"), ("RGB", "PCX"), ("RGB", "SGI"), ("RGBA", "QOI"),
]


@functools.lru_cache(maxsize=None)
def _image_pool(kind: tuple[str | None, str]) -> tuple[bytes, ...]:
    """Images of one kind, of several sizes: made once, as writing images is slow."""
    rng = np.random.default_rng(len(kind[1]))
    shapes = [(1, 1), (3, 4, 3), (9, 7, 4), (12, 12), (6, 16, 3)]
    arrays = [rng.integers(0, 256, shape, dtype=np.uint8) for shape in shapes]
    arrays.append(np.tile(np.arange(16, dtype=np.uint8) * 16, (10, 1)))  # smooth: compresses well
    return tuple(_save_image(array, *kind) for array in arrays)


@functools.lru_cache(maxsize=None)
def image_payloads(kinds: tuple[tuple[str | None, str], ...] | None = None) -> st.SearchStrategy[bytes]:
    """The bytes of a small image of one of :data:`IMAGE_KINDS` (or ``kinds``)."""
    return st.sampled_from([data for kind in kinds or IMAGE_KINDS for data in _image_pool(kind)])


_NPY_DTYPES = st.one_of(
    hnp.integer_dtypes(endianness="?"), hnp.unsigned_integer_dtypes(endianness="?"),
    hnp.floating_dtypes(endianness="?"), hnp.complex_number_dtypes(endianness="?"),
    hnp.boolean_dtypes(), hnp.unicode_string_dtypes(endianness="?", max_len=4),
    hnp.byte_string_dtypes(max_len=4),
    hnp.datetime64_dtypes(endianness="?"), hnp.timedelta64_dtypes(endianness="?"),
    st.just(np.dtype([("x", "<i4"), ("y", ">f8")])), st.just(np.dtype("V3")),
)


@st.composite
def npy_arrays(draw: st.DrawFn) -> np.ndarray:
    """Arrays of many dtypes (both byte orders, structured, void) and shapes, C or Fortran."""
    dtype = draw(_NPY_DTYPES)
    shape = draw(hnp.array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=4))
    if dtype.kind == "V" or dtype.fields is not None:
        raw = draw(st.binary(min_size=dtype.itemsize * math.prod(shape),
                             max_size=dtype.itemsize * math.prod(shape)))
        array = np.frombuffer(raw, dtype).reshape(shape) if raw else np.zeros(shape, dtype)
    else:
        array = draw(arrays_of(dtype, shape))
    return np.asfortranarray(array) if draw(st.booleans()) else array


def npy_bytes(array: np.ndarray, version: tuple[int, int] | None = None) -> bytes:
    buffer = io.BytesIO()
    np.lib.format.write_array(buffer, array, version=version, allow_pickle=False)
    return buffer.getvalue()


_POOL_DTYPES = ["<i1", ">i2", "<u4", ">u8", "<f2", ">f4", "<f8", "<f16", "<c8", ">c16", "|b1",
                "<U3", ">U2", "|S4", "<M8[s]", ">m8[ns]", "|V3", [("x", "<i4"), ("y", ">f8")]]
_POOL_SHAPES = [(), (0,), (3,), (2, 3), (2, 0, 2), (1, 2, 3, 1)]


@functools.lru_cache(maxsize=None)
def _npy_pool() -> tuple[bytes, ...]:
    """``.npy`` files of every dtype of :data:`_POOL_DTYPES` and shape of :data:`_POOL_SHAPES`,
    C or Fortran order, format 1.0, 2.0 or 3.0: made once."""
    rng = np.random.default_rng(7)
    pool = []
    for i, descr in enumerate(_POOL_DTYPES):
        dtype = np.dtype(descr)
        for j, shape in enumerate(_POOL_SHAPES):
            count = math.prod(shape)
            if dtype.kind == "U":
                codes = rng.integers(32, 0xD7FF, count * (dtype.itemsize // 4), dtype=np.uint32)
                raw = codes.astype(dtype.byteorder + "u4").tobytes()
            else:
                raw = rng.integers(0, 256, count * dtype.itemsize, dtype=np.uint8).tobytes()
            array = np.frombuffer(raw, dtype).reshape(shape).copy()
            if (i + j) % 3 == 0:
                array = np.asfortranarray(array)
            pool.append(npy_bytes(array, [None, (1, 0), (2, 0), (3, 0)][(i * 7 + j) % 4]))
    return tuple(pool)


def npy_payloads() -> st.SearchStrategy[bytes]:
    """The bytes of a valid ``.npy``: many dtypes (both byte orders, structured, void,
    longdouble), shapes (empty ones included), C or Fortran order, format 1.0, 2.0 or 3.0."""
    return st.sampled_from(_npy_pool())


_ZIP_METHODS = st.sampled_from([zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2,
                                zipfile.ZIP_LZMA])


@functools.lru_cache(maxsize=None)
def _npz_pool() -> tuple[bytes, ...]:
    methods = [zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA]
    return tuple(npz_bytes({"arr_0.npy": data}, methods[i % 4]) for i, data in enumerate(_npy_pool()[::2]))


def npz_payloads() -> st.SearchStrategy[bytes]:
    """The bytes of a valid ``.npz`` holding one ``.npy``, stored or compressed every zip way."""
    return st.sampled_from(_npz_pool())


def warm_up() -> None:
    """Decode one payload of every kind, so that imports (Pillow's plugins, zipfile's
    compressors) are not counted in the first fuzzed call's time and memory."""
    from amodule_core.codec import decode_bytes

    array = np.arange(12, dtype=np.uint8).reshape(3, 4)
    for mode, fmt in IMAGE_KINDS:
        decode_bytes(_save_image(array, mode, fmt))
    for method in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2):
        decode_bytes(npz_bytes({"a.npy": npy_bytes(array)}, method))


# --- mutations ---------------------------------------------------------------------------------

_INTERESTING_INTS = [0, 1, 2, 0x7F, 0x80, 0xFF, 0x7FFF, 0x8000, 0xFFFF, 0x7FFFFFFF, 0x80000000,
                     0xFFFFFFFF, 20000, 10**6]


@st.composite
def mutated(draw: st.DrawFn, payloads: st.SearchStrategy[bytes], max_steps: int = 4) -> bytes:
    """A payload with 1 to ``max_steps`` blind mutations: bits flipped, bytes set, inserted
    or deleted, truncated, a range duplicated, an "interesting" integer written over a size
    field. Positions favour the first 64 bytes, where the headers are."""
    data = bytearray(draw(payloads))
    for _ in range(draw(st.integers(1, max_steps))):
        size = len(data)
        head = st.integers(0, max(min(size, 64) - 1, 0))
        pos = draw(st.one_of(head, st.integers(0, max(size - 1, 0))))
        op = draw(st.sampled_from(["flip", "set", "insert", "delete", "truncate", "duplicate", "int"]))
        if op == "flip" and size:
            data[pos] ^= 1 << draw(st.integers(0, 7))
        elif op == "set" and size:
            data[pos] = draw(st.integers(0, 255))
        elif op == "insert":
            data[pos:pos] = draw(st.binary(min_size=1, max_size=16))
        elif op == "delete":
            del data[pos:pos + draw(st.integers(1, 16))]
        elif op == "truncate":
            del data[pos:]
        elif op == "duplicate":
            end = min(size, pos + draw(st.integers(1, 64)))
            data[pos:pos] = data[pos:end]
        elif op == "int" and size:
            width, order = draw(st.sampled_from([(1, "big"), (2, "big"), (2, "little"),
                                                 (4, "big"), (4, "little")]))
            value = draw(st.one_of(st.sampled_from(_INTERESTING_INTS), st.integers(0, 2**32 - 1)))
            data[pos:pos + width] = (value % 2 ** (8 * width)).to_bytes(width, order)
    return bytes(data)


def _png_chunks(png: bytes) -> list[tuple[bytes, bytes]]:
    chunks, at = [], 8
    while at + 8 <= len(png):
        length, kind = struct.unpack(">I4s", png[at:at + 8])
        chunks.append((kind, png[at + 8:at + 8 + length]))
        at += 12 + length
    return chunks


@st.composite
def png_variants(draw: st.DrawFn) -> bytes:
    """A PNG whose chunks are changed but keep valid CRCs, so Pillow reads past them: IHDR
    fields (width, height up to 2**31, bit depth, colour type), the inflated IDAT data,
    text chunks (compressed ones that inflate to megabytes), chunks dropped or repeated."""
    png = draw(image_payloads(((None, "PNG"), ("L", "PNG"), ("P", "PNG"), ("I;16", "PNG"),
                               ("RGBA", "PNG"), ("1", "PNG"))))
    chunks = _png_chunks(png)
    out = []
    for kind, data in chunks:
        if kind == b"IHDR" and draw(st.booleans()):
            fields = list(struct.unpack(">IIBBBBB", data))
            index = draw(st.integers(0, 6))
            fields[index] = draw(st.sampled_from([0, 1, 3, 4, 6, 8, 16, 255] if index >= 2 else
                                                 [0, 1, 2, 255, 256, 20000, 2**31 - 1, 2**32 - 1]))
            data = struct.pack(">IIBBBBB", *fields)
        elif kind == b"IDAT" and draw(st.booleans()):
            raw = bytearray(zlib.decompress(data))
            if raw and draw(st.booleans()):
                raw[draw(st.integers(0, len(raw) - 1))] = draw(st.integers(0, 255))  # a filter byte?
            else:
                raw = raw[:draw(st.integers(0, len(raw)))]
            data = zlib.compress(bytes(raw))
        out.append((kind, data))
    extra = draw(st.lists(st.sampled_from(["zTXt", "iTXt", "tEXt", "bigtext", "dup", "drop", "PLTE"]),
                          max_size=2))
    for what in extra:
        at = draw(st.integers(1, len(out)))
        if what == "zTXt":  # a 2 MB text compressed to ~2 kB
            out.insert(at, (b"zTXt", b"bomb\0\0" + zlib.compress(b"a" * 2_000_000, 9)))
        elif what == "iTXt":
            out.insert(at, (b"iTXt", b"bomb\0\1\0\0\0" + zlib.compress(b"a" * 2_000_000, 9)))
        elif what == "tEXt":
            out.insert(at, (b"tEXt", b"k\0" + draw(st.binary(max_size=64))))
        elif what == "bigtext":
            out.insert(at, (b"tEXt", b"k\0" + b"x" * 200_000))
        elif what == "PLTE":
            out.insert(at, (b"PLTE", draw(st.binary(max_size=800))))
        elif what == "dup" and len(out) > 1:
            out.insert(at, out[draw(st.integers(0, len(out) - 1))])
        elif what == "drop" and len(out) > 1:
            del out[draw(st.integers(0, len(out) - 1))]
    return b"\x89PNG\r\n\x1a\n" + b"".join(png_chunk(kind, data) for kind, data in out)


_DESCRS = ["<i4", ">f8", "|u1", "|b1", "<U3", "|S2", "<M8[s]", "<m8[ns]", "<c16", "|O", "<U0",
           "|V0", "|S0", "<f16", "<M8[xx]", "bogus", "", "<i", "|V8", [("a", "<i4")],
           [("a", "|O")], [("a", "<i4", (2,))], [("", "<i4")], 5, None]
_SHAPES = [(), (0,), (3,), (2, 3), (10**12,), (-1,), (2**31, 2**31), (2**63,), (1,) * 33,
           (3.0,), ("3",), [3], None, (True,), (0, 10**18)]


@st.composite
def npy_header_texts(draw: st.DrawFn) -> str:
    """An ``.npy`` header dict as text, its fields valid or odd (object dtypes, sizes of
    10**12, negative or float sizes, extra or missing keys) or the text itself broken."""
    fields: dict[str, Any] = {
        "descr": draw(st.sampled_from(_DESCRS)),
        "fortran_order": draw(st.sampled_from([False, True, 0, None, "no"])),
        "shape": draw(st.one_of(st.sampled_from(_SHAPES),
                                st.lists(st.integers(0, 5), max_size=4).map(tuple))),
    }
    if draw(st.integers(0, 9)) == 0:
        fields.pop(draw(st.sampled_from(sorted(fields))))
    if draw(st.integers(0, 9)) == 0:
        fields["extra"] = 1
    text = repr(fields)
    if draw(st.integers(0, 4)) == 0:  # broken Python: unbalanced, a call, deep nesting
        text = draw(st.sampled_from([text[:-1], text + "}", "__import__('os')", "(" * 200 + ")" * 200,
                                     "[" * 10_000, "{'descr': '<i4'" * 100, "\x00", "b'\\x00'"]))
    return text


@st.composite
def npy_variants(draw: st.DrawFn) -> bytes:
    """An ``.npy`` with a header of :func:`npy_header_texts`, a declared header length that may
    lie, any version bytes, and a data part that may be short, long or missing."""
    header = draw(npy_header_texts()).encode("latin-1", "replace")
    major = draw(st.sampled_from([1, 1, 2, 3, 0, 4, 255]))
    header += b" " * (-(len(header) + 11) % 64) + b"\n"
    length = len(header)
    if draw(st.integers(0, 4)) == 0:
        length = draw(st.sampled_from([0, 1, length - 1, length + 1, 0xFFFF, 10_001, 2**32 - 1]))
    length_field = struct.pack("<H", length % 2**16) if major == 1 else struct.pack("<I", length % 2**32)
    body = draw(st.binary(max_size=256))
    return b"\x93NUMPY" + bytes([major, 0]) + length_field + header + body


@st.composite
def npz_variants(draw: st.DrawFn) -> bytes:
    """An ``.npz`` with 0 to 12 members (the test limit is 8), odd names and compression, each
    member a valid or varied ``.npy`` or other bytes; then a size field of the zip may be
    overwritten (a member that declares more or less than it stores)."""
    count = draw(st.integers(0, 12))
    members = {}
    for i in range(count):
        name = draw(st.sampled_from([f"arr_{i}.npy", f"dir/{i}", f"../{i}.npy", f"{i}/", f"{i}"]))
        members[name] = draw(st.one_of(npy_payloads(), npy_variants(), st.binary(max_size=64)))
    data = bytearray(npz_bytes(members, draw(_ZIP_METHODS)))
    if data and draw(st.booleans()):
        # local header: compressed size at 18, uncompressed at 22; the central directory's
        # entries hold them at +20 and +24 from "PK\x01\x02"
        central = data.find(b"PK\x01\x02")
        spots = [18, 22] + ([central + 20, central + 24] if central >= 0 else [])
        at = draw(st.sampled_from(spots))
        value = draw(st.sampled_from([0, 1, 100, 2**20, 2**31, 2**32 - 1]))
        data[at:at + 4] = struct.pack("<I", value)
    return bytes(data)


# --- data URLs ---------------------------------------------------------------------------------

_MEDIA = ["image/png", "image/gif", "ndarray/npy", "ndarray/npz", "application/octet-stream",
          "IMAGE/PNG", "image/", "text/plain", "", "text/html", "image/svg+xml"]


@st.composite
def data_urls(draw: st.DrawFn, payloads: st.SearchStrategy[bytes]) -> str:
    """A data URL of a payload, written every way the decoder allows (and some it refuses):
    media types, parameters, ``;base64`` or not, URL-safe alphabet, line breaks, spaces for
    ``+``, padding dropped, percent-encoding."""
    payload = base64.b64encode(draw(payloads)).decode("ascii")
    style = draw(st.sampled_from(["plain", "urlsafe", "lines", "spaces", "nopad", "percent"]))
    if style == "urlsafe":
        payload = payload.replace("+", "-").replace("/", "_")
    elif style == "lines":
        payload = "\r\n".join(payload[i:i + 76] for i in range(0, len(payload), 76))
    elif style == "spaces":
        payload = payload.replace("+", " ")
    elif style == "nopad":
        payload = payload.rstrip("=")
    elif style == "percent":
        payload = payload.replace("+", "%2B").replace("/", "%2F").replace("=", "%3D")
    media = draw(st.sampled_from(_MEDIA))
    params = draw(st.sampled_from([";base64", ";base64", ";charset=utf-8;base64", "", ";BASE64",
                                   ";base64;x=y"]))
    scheme = draw(st.sampled_from(["data:", "data:", "DATA:", " data:"]))
    return f"{scheme}{media}{params},{payload}"


def json_roundtrip(value: Any) -> Any:
    """``value`` through JSON text, as a client would send it back."""
    return json.loads(json.dumps(value))


def call(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple[Any, ConversionError | None]:
    """``(result, None)`` or ``(None, error)`` of ``fn(*args, **kwargs)`` run under
    :func:`bounded`; any exception but a :class:`ConversionError` propagates (a finding)."""
    with bounded(getattr(fn, "__name__", repr(fn))):
        try:
            return fn(*args, **kwargs), None
        except ConversionError as exc:
            return None, exc
