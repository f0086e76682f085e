"""Fuzz tests of the converters (amodule_core.codec and amodule_core.convert).

Every decoder gets arbitrary bytes and text, and valid payloads (PNG and other images,
``.npy``, ``.npz``, data URLs) mutated blindly (bits flipped, bytes inserted, deleted,
truncated, size fields overwritten) and by their structure (PNG chunks with valid CRCs,
``.npy`` header dicts, zip members and size fields). Each call:

* raises nothing but :class:`ConversionError` (or its subclasses), whose message is short
  and whose path is the one given;
* ends within 2 s (a SIGALRM: a guard against hangs, not a performance assertion) and
  allocates at most 24 MB of traced memory under small limits (256 kB payloads, 65,536
  pixels, 1 MB arrays, 8 npz members);
* when it succeeds, gives an array within those limits.

Round trips keep dtype, shape and every bit: ``encode_npy_data_url`` and
``encode_png_data_url`` through ``decode_data_url``, and ``to_json`` through JSON text and
``from_json`` for values of every IO type. Example counts are per test below (CI, fixed
seed); ``AMODULE_FUZZ_EXAMPLES=N`` runs N each.
"""

from __future__ import annotations

import json
import math
import struct
import zipfile
from typing import Any

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from amodule_core.codec import (
    decode_bytes,
    decode_data_url,
    decode_image_bytes,
    decode_npy_bytes,
    decode_npz_bytes,
    encode_npy_data_url,
    encode_png_data_url,
)
from amodule_core.convert import from_json, from_text, parse_bool, parse_number, split_list, to_json
from amodule_core.errors import ConversionError
from amodule_core.iotypes import IOType, NumericType, parse_type

from .fuzz_strategies import (
    SMALL,
    call,
    data_urls,
    examples,
    image_payloads,
    io_types,
    json_values,
    mutated,
    npy_arrays,
    npy_bytes,
    npy_payloads,
    npy_variants,
    npz_bytes,
    npz_payloads,
    npz_variants,
    png_variants,
    same_value,
    values_of,
    warm_up,
)

PATH = "field"
#: Types whose sizes are small enough to be the shape of a value.
small_types = io_types(max_dim=4)
value_types = io_types(max_dim=4, max_depth=2, dtypes=(
    "uint8", "int16", "uint64", "float16", "float32", "float64", "complex64", "bool", "str", "bytes",
    "datetime64", "timedelta64"))

magic_prefixes = st.sampled_from([
    b"", b"\x93NUMPY\x01\x00", b"\x93NUMPY\x02\x00", b"PK\x03\x04", b"PK\x05\x06", b"\x89PNG\r\n\x1a\n",
    b"GIF89a", b"GIF87a", b"II*\x00", b"MM\x00*", b"BM", b"\xff\xd8\xff", b"RIFF\x00\x00\x00\x00WEBP",
    b"P6\n", b"\x00\x00\x01\x00", b"\x0a\x05\x01\x08", b"\x01\xda", b"qoif", b"\x00\x00\x00\x0cjP  ",
])
arbitrary_bytes = st.builds(lambda magic, rest: magic + rest, magic_prefixes, st.binary(max_size=300))
images = st.one_of(mutated(image_payloads()), png_variants())
npys = st.one_of(mutated(npy_payloads()), npy_variants())
npzs = st.one_of(mutated(npz_payloads()), npz_variants())


@pytest.fixture(scope="module", autouse=True)
def _warm() -> None:
    warm_up()  # imports are not what a call's time and memory bound should measure


def _within_limits(array: Any) -> None:
    assert isinstance(array, np.ndarray) and not array.dtype.hasobject
    assert array.nbytes <= max(SMALL.max_array_bytes, SMALL.max_pixels * 4 * 4)


def _check_error(exc: ConversionError | None, path: str = PATH) -> None:
    if exc is not None:
        assert exc.path == path and exc.message and len(str(exc)) <= 600, repr(exc)


def _decoded(fn: Any, data: Any, path: str = PATH) -> np.ndarray | None:
    array, exc = call(fn, data, path=path, limits=SMALL)
    _check_error(exc, path)
    if exc is None:
        _within_limits(array)
    return array


# --- decoders on arbitrary and mutated bytes ---------------------------------------------------

@settings(max_examples=examples(300))
@given(st.one_of(arbitrary_bytes, images, npys, npzs))
@example(b"")
@example(b"\x93NUMPY")
@example(b"PK\x05\x06" + b"\0" * 18)
def test_fuzz_decode_bytes(data: bytes) -> None:
    _decoded(decode_bytes, data)


@settings(max_examples=examples(400))
@given(st.one_of(images, arbitrary_bytes))
def test_fuzz_decode_image_bytes(data: bytes) -> None:
    array = _decoded(decode_image_bytes, data)
    if array is not None:
        assert array.ndim in (2, 3) and array.shape[0] * array.shape[1] <= SMALL.max_pixels


@settings(max_examples=examples(400))
@given(npys)
def test_fuzz_decode_npy_bytes(data: bytes) -> None:
    _decoded(decode_npy_bytes, data)


@settings(max_examples=examples(300))
@given(npzs)
def test_fuzz_decode_npz_bytes(data: bytes) -> None:
    _decoded(decode_npz_bytes, data)


@settings(max_examples=examples(300))
@given(st.one_of(
    data_urls(st.one_of(image_payloads(), npy_payloads(), npz_payloads(), images, npys, npzs)),
    mutated(data_urls(npy_payloads()).map(str.encode)).map(lambda b: b.decode("latin-1")),
    st.text(max_size=200).map(lambda t: "data:" + t),
    st.text(max_size=50),
))
@example("data:image/png;base64," + "A" * 400_000)  # over 256 kB once decoded
@example("data:image/png;base64," + "%" * 700_000)
@example("data:,")
def test_fuzz_decode_data_url(text: str) -> None:
    _decoded(decode_data_url, text)


@settings(max_examples=examples(100))
@given(st.one_of(st.none(), st.integers(), st.lists(st.integers()), st.binary(max_size=20)))
def test_fuzz_decoders_refuse_what_is_not_bytes_or_text(value: object) -> None:
    for fn in (decode_bytes, decode_image_bytes, decode_npy_bytes, decode_npz_bytes, decode_data_url):
        _decoded(fn, value)


# --- text and JSON -----------------------------------------------------------------------------

@settings(max_examples=examples(300))
@given(st.text(max_size=80))
@example("data:image/png;base64,AAAA,1, data:ndarray/npy;base64,BBBB")
def test_fuzz_split_list(text: str) -> None:
    items = split_list(text)
    assert all(isinstance(item, str) and item == item.strip() for item in items)
    if "data:" not in text.lower():
        assert items == ([] if not text.strip() else [part.strip() for part in text.split(",")])


numbers_text = st.one_of(
    st.text(max_size=30),
    st.integers().map(str), st.floats().map(repr), st.floats().map(str),
    st.sampled_from(["1e400", "-1e-400", "1e999999999", "9" * 401, "1" + "0" * 399, "0x10", "1_000",
                     "\u0663", "+.5", ".", "e5", "NaN", "-inf", "infinity", "1.0e3", " 7 "]),
)
number_types = st.sampled_from([NumericType(), NumericType("int"), NumericType("float")])


@settings(max_examples=examples(400))
@given(st.one_of(numbers_text, st.none(), st.integers(), st.floats()), number_types)
def test_fuzz_parse_number(text: Any, iotype: NumericType) -> None:
    value, exc = call(parse_number, text, iotype, path=PATH)
    _check_error(exc)
    if exc is None:
        assert iotype.accepts(value)


@settings(max_examples=examples(200))
@given(st.integers(), st.floats(allow_nan=False), number_types)
def test_fuzz_numbers_round_trip_through_text(whole: int, real: float, iotype: NumericType) -> None:
    if iotype.sub != "float":
        assert parse_number(str(whole), iotype) == whole
    if iotype.sub != "int":
        assert parse_number(repr(real), iotype) == real
        assert type(parse_number(str(whole), iotype)) is (float if iotype.sub == "float" else int)


@settings(max_examples=examples(200))
@given(st.one_of(st.text(max_size=12), st.sampled_from(["TRUE", " on ", "Off", "1", "0", "ja"]),
                 st.none(), st.integers()))
def test_fuzz_parse_bool(text: Any) -> None:
    value, exc = call(parse_bool, text, path=PATH)
    _check_error(exc)
    assert exc is not None or type(value) is bool


def _resolve(text: str, path: str) -> np.ndarray:
    return decode_data_url(text, path=path, limits=SMALL)


texts_for_types = st.one_of(
    st.text(max_size=40), json_values().map(json.dumps),
    data_urls(st.one_of(image_payloads(), npy_payloads())),
    st.lists(st.sampled_from(["1", "2.5", "x", "true", "", " ", "nan", "[1]", "data:image/png;base64,AA"]),
             max_size=5).map(",".join),
)


@settings(max_examples=examples(300))
@given(small_types, texts_for_types)
def test_fuzz_from_text(iotype: IOType, text: str) -> None:
    value, exc = call(from_text, text, iotype, path=PATH, resolve_array=_resolve)
    if exc is not None:
        assert exc.path.startswith(PATH) and exc.message and len(str(exc)) <= 600
    else:
        assert iotype.accepts(value)


@settings(max_examples=examples(300))
@given(small_types, st.one_of(json_values(), json_values().map(json.dumps), st.integers(-10**30, 10**30),
                              st.lists(st.lists(st.floats(), max_size=3), max_size=3)))
@example(parse_type("ndarray/uint8"), [[1, 2], [3]])
@example(parse_type("ndarray/float16"), [1e300])
@example(parse_type("numeric/float"), 10**400)
@example(parse_type("ndarray/complex64"), [1e300])
@example(parse_type("ndarray"), json.loads("[" * 40 + "1" + "]" * 40))
def test_fuzz_from_json(iotype: IOType, value: Any) -> None:
    result, exc = call(from_json, value, iotype, path=PATH, resolve_array=_resolve)
    if exc is not None:
        assert exc.path.startswith(PATH) and exc.message and len(str(exc)) <= 600
    else:
        assert iotype.accepts(result)


# --- round trips -------------------------------------------------------------------------------

@settings(max_examples=examples(300))
@given(npy_arrays())
def test_fuzz_npy_data_url_round_trip(array: np.ndarray) -> None:
    back = decode_data_url(encode_npy_data_url(array))
    assert back.shape == array.shape
    assert back.dtype in (array.dtype, array.dtype.newbyteorder("="))
    assert np.ascontiguousarray(back).tobytes() == np.ascontiguousarray(array.astype(back.dtype)).tobytes()


image_shapes = st.tuples(st.integers(1, 16), st.integers(1, 16), st.sampled_from([(), (3,), (4,)]))


@settings(max_examples=examples(150))
@given(image_shapes.map(lambda s: (s[0], s[1], *s[2])).flatmap(lambda shape: hnp.arrays(np.uint8, shape)))
def test_fuzz_png_data_url_round_trip(array: np.ndarray) -> None:
    back = decode_data_url(encode_png_data_url(array))
    assert back.dtype == np.uint8 and back.shape == array.shape
    assert np.array_equal(back, array)


@st.composite
def typed_values(draw: st.DrawFn) -> tuple[IOType, Any]:
    iotype = draw(value_types)
    return iotype, draw(values_of(iotype))


@settings(max_examples=examples(300))
@given(typed_values())
def test_fuzz_json_round_trip_for_every_io_type(typed: tuple[IOType, Any]) -> None:
    iotype, value = typed
    assert iotype.accepts(value)
    sent = json.loads(json.dumps(to_json(value, iotype)))
    back = from_json(sent, iotype)
    assert iotype.accepts(back)
    assert same_value(back, value), (value, back)


def test_same_value_tells_values_apart() -> None:
    """The round-trip comparison itself can fail (a test that cannot fail is a defect)."""
    assert same_value([1.0, math.nan], (1.0, math.nan))
    assert not same_value(1, 1.0) and not same_value(0.0, -0.0) and not same_value(True, 1)
    assert not same_value(np.zeros(2, "<i4"), np.zeros(2, "<i8"))
    assert not same_value(np.zeros(2), np.zeros((2, 1)))
    assert same_value(np.zeros(2, ">i4"), np.zeros(2, "<i4"))


# --- what fuzzing found (exact messages) ----------------------------------------------------

def _lzma_npz(dict_size: int) -> bytes:
    data = bytearray(npz_bytes({"a.npy": npy_bytes(np.arange(3))}, zipfile.ZIP_LZMA))
    at = 30 + len("a.npy") + 4 + 1  # local header, name, LZMA version and size, lc/lp/pb
    data[at:at + 4] = struct.pack("<I", dict_size)
    return bytes(data)


@pytest.mark.parametrize("dict_size", [2**23, 2**32 - 1])
def test_error_npz_lzma_member_is_refused(dict_size: int) -> None:
    """An LZMA member's header sets the dictionary allocated to inflate it (4 GB here)."""
    (array, exc) = call(decode_npz_bytes, _lzma_npz(dict_size), path=PATH, limits=SMALL)
    assert array is None and type(exc) is ConversionError
    assert str(exc) == "field: .npz member 'a.npy' is compressed with LZMA; numpy writes stored or deflated members"


@pytest.mark.parametrize("method", [zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2])
def test_npz_members_stored_deflated_or_bzip2_decode(method: int) -> None:
    data = npz_bytes({"a.npy": npy_bytes(np.arange(3))}, method)
    assert decode_npz_bytes(data).tolist() == [0, 1, 2]


@pytest.mark.parametrize("payload", ["%" * 300_000, "%2" * 150_000, "%25" * 100_000])
def test_error_percent_payload_is_cheap(payload: str) -> None:
    """urllib's unquote took ~190 bytes per '%' (32 MB of '%' took 6 GB): escapes are now
    decoded a slice at a time, within the call's 24 MB bound."""
    array, exc = call(decode_data_url, "data:image/png;base64," + payload, path=PATH, limits=SMALL)
    assert array is None and type(exc) is ConversionError
    assert str(exc).startswith("field: data URL payload is not valid base64")


def test_percent_encoded_payload_decodes() -> None:
    url = encode_npy_data_url(np.arange(5, dtype=np.int16))
    head, payload = url.split(",")
    quoted = "".join(f"%{ord(c):02X}" if i % 2 else c for i, c in enumerate(payload))
    assert decode_data_url(f"{head},{quoted}").tolist() == [0, 1, 2, 3, 4]


def test_error_complex_array_values_out_of_range() -> None:
    """Found by fuzzing: 1e300 for complex64 became inf with a RuntimeWarning."""
    _, exc = call(from_json, [[1e300, 2]], parse_type("ndarray/complex64"), path=PATH)
    assert str(exc) == "field: must be ndarray/complex64: expected values within the range of complex64"
    assert from_json([1e300], parse_type("ndarray/complex128")).tolist() == [1e300 + 0j]
