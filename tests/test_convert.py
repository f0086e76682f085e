"""Tests of amodule_core.convert: decoders, data URLs, text and JSON conversion, hostile input."""

from __future__ import annotations

import base64
import io
import json
import math
import os
import random
import struct
import zipfile
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from amodule_core import convert
from amodule_core.convert import (
    DEFAULT_LIMITS,
    Limits,
    decode_bytes,
    decode_data_url,
    decode_image_bytes,
    decode_npy_bytes,
    decode_npz_bytes,
    encode_array,
    encode_npy_data_url,
    encode_png,
    encode_png_data_url,
    from_json,
    from_text,
    is_data_url,
    parse_bool,
    parse_number,
    split_list,
    to_json,
)
from amodule_core.errors import ConversionError, LimitExceededError, RefusedError
from amodule_core.iotypes import parse_type

from .hostile_helpers import npz_of as npz_bytes

# --- helpers -----------------------------------------------------------------------------------


def image_bytes(im: Image.Image, fmt: str = "PNG", **options: object) -> bytes:
    buffer = io.BytesIO()
    im.save(buffer, format=fmt, **options)
    return buffer.getvalue()


def npy_bytes(array: np.ndarray, **options: object) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array, **options)
    return buffer.getvalue()


def data_url(media: str, data: bytes) -> str:
    return f"data:{media};base64,{base64.b64encode(data).decode()}"


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def handmade_png(width: int, height: int, *, before_idat: bytes = b"", rows: int = 1) -> bytes:
    """A grayscale PNG whose IHDR says ``width`` x ``height`` but holds only ``rows`` rows."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    idat = zlib.compress(b"\0" * (width + 1) * rows)
    return (b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", ihdr) + before_idat
            + png_chunk(b"IDAT", idat) + png_chunk(b"IEND", b""))


def npy_with_header(header: dict[str, object], data: bytes = b"", version: int = 1) -> bytes:
    text = repr(header).encode("latin-1")
    pad = 64 - (len(text) + 11) % 64
    text += b" " * pad + b"\n"
    if version == 1:
        return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(text)) + text + data
    return b"\x93NUMPY\x02\x00" + struct.pack("<I", len(text)) + text + data


RNG = np.random.default_rng(7)
GRAY = RNG.integers(0, 256, (5, 7), dtype=np.uint8)
RGB = RNG.integers(0, 256, (5, 7, 3), dtype=np.uint8)
RGBA = RNG.integers(0, 256, (5, 7, 4), dtype=np.uint8)
T = parse_type


# --- round trips --------------------------------------------------------------------------------

ROUND_TRIP = [
    ("uint8 2-D", GRAY, "image/png"),
    ("uint8 RGB", RGB, "image/png"),
    ("uint8 RGBA", RGBA, "image/png"),
    ("uint8 1x1", np.array([[200]], dtype=np.uint8), "image/png"),
    ("uint8 non-contiguous", RGB[:, ::2], "image/png"),
    ("uint8 2 channels", RNG.integers(0, 256, (4, 4, 2), dtype=np.uint8), "ndarray/npy"),
    ("uint8 1 channel", RNG.integers(0, 256, (4, 4, 1), dtype=np.uint8), "ndarray/npy"),
    ("uint8 1-D", np.arange(10, dtype=np.uint8), "ndarray/npy"),
    ("uint8 empty image", np.zeros((0, 5), dtype=np.uint8), "ndarray/npy"),
    ("uint16", RNG.integers(0, 65536, (6, 4), dtype=np.uint16), "ndarray/npy"),
    ("int32", RNG.integers(-2**31, 2**31, (3, 3, 3), dtype=np.int32), "ndarray/npy"),
    ("int8", np.array([-128, 0, 127], dtype=np.int8), "ndarray/npy"),
    ("int64 4-D", np.arange(2 * 3 * 4 * 5, dtype=np.int64).reshape(2, 3, 4, 5), "ndarray/npy"),
    ("float32", RNG.standard_normal((4, 5)).astype(np.float32), "ndarray/npy"),
    ("float64 nan inf", np.array([1.5, np.nan, np.inf, -np.inf, -0.0]), "ndarray/npy"),
    ("float16", np.array([0.5, 65504], dtype=np.float16), "ndarray/npy"),
    ("complex64", np.array([1 + 2j, -3j], dtype=np.complex64), "ndarray/npy"),
    ("bool", np.array([[True, False], [False, True]]), "ndarray/npy"),
    ("0-d", np.array(3.25), "ndarray/npy"),
    ("0-size 1-D", np.zeros(0, dtype=np.float32), "ndarray/npy"),
    ("0-size 3-D", np.zeros((2, 0, 3), dtype=np.int16), "ndarray/npy"),
    ("fortran order", np.asfortranarray(np.arange(12.0).reshape(3, 4)), "ndarray/npy"),
    ("unicode", np.array(["a", "bcd"]), "ndarray/npy"),
]


@pytest.mark.parametrize(("array", "media"), [(a, m) for _, a, m in ROUND_TRIP],
                         ids=[name for name, _, _ in ROUND_TRIP])
def test_encode_array_round_trip(array: np.ndarray, media: str) -> None:
    url = encode_array(array)
    assert url.startswith(f"data:{media};base64,")
    back = decode_data_url(url)
    assert back.dtype == array.dtype
    assert back.shape == array.shape
    np.testing.assert_array_equal(back, array)
    assert back.flags.writeable


@pytest.mark.parametrize(("array", "media"), [(a, m) for _, a, m in ROUND_TRIP],
                         ids=[name for name, _, _ in ROUND_TRIP])
def test_npy_data_url_round_trip(array: np.ndarray, media: str) -> None:
    url = encode_npy_data_url(array)
    assert url.startswith("data:ndarray/npy;base64,")
    back = decode_data_url(url)
    assert back.dtype == array.dtype
    np.testing.assert_array_equal(back, array)


@pytest.mark.parametrize("dtype", [">u2", ">i4", ">f8", "<f4"])
def test_npy_other_byte_order_comes_back_native(dtype: str) -> None:
    array = np.arange(6, dtype=dtype).reshape(2, 3)
    back = decode_npy_bytes(npy_bytes(array))
    assert back.dtype == np.dtype(dtype).newbyteorder("=")
    assert back.dtype.isnative
    np.testing.assert_array_equal(back, array)


@pytest.mark.parametrize("array", [GRAY, RGB, RGBA], ids=["L", "RGB", "RGBA"])
@pytest.mark.parametrize("level", [0, 1, 9])
def test_encode_png_is_a_lossless_png(array: np.ndarray, level: int) -> None:
    png = encode_png(array, compress_level=level)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    np.testing.assert_array_equal(np.array(Image.open(io.BytesIO(png))), array)
    assert encode_png_data_url(array, compress_level=level) == (
        "data:image/png;base64," + base64.b64encode(png).decode())


def test_npz_round_trip() -> None:
    array = RNG.standard_normal((3, 4))
    buffer = io.BytesIO()
    np.savez_compressed(buffer, scan=array)
    for media in ("ndarray/npz", "application/octet-stream", "image/png"):
        np.testing.assert_array_equal(decode_data_url(data_url(media, buffer.getvalue())), array)
    np.testing.assert_array_equal(decode_npz_bytes(buffer.getvalue()), array)


# --- images: every mode --------------------------------------------------------------------------

def _p_image(transparent: bool) -> Image.Image:
    im = Image.fromarray(RGB).convert("P", palette=Image.Palette.ADAPTIVE, colors=8)
    if transparent:
        im.info["transparency"] = 0
    return im


IMAGE_MODES = [
    # (id, image, format, expected dtype, expected shape, expected pixels or None)
    ("L png", Image.fromarray(GRAY), "PNG", "uint8", (5, 7), GRAY),
    ("RGB png", Image.fromarray(RGB), "PNG", "uint8", (5, 7, 3), RGB),
    ("RGBA png", Image.fromarray(RGBA), "PNG", "uint8", (5, 7, 4), RGBA),
    ("P png", _p_image(False), "PNG", "uint8", (5, 7, 3), "RGB"),
    ("P png transparency", _p_image(True), "PNG", "uint8", (5, 7, 4), "RGBA"),
    ("PA tiff", Image.fromarray(RGBA).convert("PA"), "TIFF", "uint8", (5, 7, 4), "RGBA"),
    ("1 png", Image.fromarray(GRAY > 128), "PNG", "uint8", (5, 7),
     np.where(GRAY > 128, 255, 0).astype(np.uint8)),
    ("LA png", Image.fromarray(RGBA[..., :2].copy(), "LA"), "PNG", "uint8", (5, 7, 4), "RGBA"),
    ("CMYK tiff", Image.fromarray(RGB).convert("CMYK"), "TIFF", "uint8", (5, 7, 3), "RGB"),
    ("CMYK jpeg", Image.fromarray(RGB).convert("CMYK"), "JPEG", "uint8", (5, 7, 3), None),
    ("YCbCr tiff", Image.fromarray(RGB).convert("YCbCr"), "TIFF", "uint8", (5, 7, 3), "RGB"),
    ("LAB tiff", Image.fromarray(RGB).convert("LAB"), "TIFF", "uint8", (5, 7, 3), "RGB"),
    ("I;16 png", Image.fromarray(np.arange(35, dtype=np.uint16).reshape(5, 7) * 1000), "PNG",
     "uint16", (5, 7), np.arange(35, dtype=np.uint16).reshape(5, 7) * 1000),
    ("I;16 tiff", Image.fromarray(np.arange(35, dtype=np.uint16).reshape(5, 7) * 1800), "TIFF",
     "uint16", (5, 7), np.arange(35, dtype=np.uint16).reshape(5, 7) * 1800),
    ("I tiff", Image.fromarray(np.arange(-17, 18, dtype=np.int32).reshape(5, 7) * 10**6), "TIFF",
     "int32", (5, 7), np.arange(-17, 18, dtype=np.int32).reshape(5, 7) * 10**6),
    ("F tiff", Image.fromarray(np.linspace(-1, 1, 35, dtype=np.float32).reshape(5, 7)), "TIFF",
     "float32", (5, 7), np.linspace(-1, 1, 35, dtype=np.float32).reshape(5, 7)),
    ("RGB jpeg", Image.fromarray(RGB), "JPEG", "uint8", (5, 7, 3), None),
    ("L jpeg", Image.fromarray(GRAY), "JPEG", "uint8", (5, 7), None),
    ("RGB bmp", Image.fromarray(RGB), "BMP", "uint8", (5, 7, 3), RGB),
    ("RGB gif", Image.fromarray(RGB), "GIF", "uint8", (5, 7, 3), "RGB"),
    ("RGB webp lossless", Image.fromarray(RGB), "WEBP", "uint8", (5, 7, 3), RGB),
    ("RGBA webp lossless", Image.fromarray(RGBA), "WEBP", "uint8", (5, 7, 4), RGBA),
    ("RGB ppm", Image.fromarray(RGB), "PPM", "uint8", (5, 7, 3), RGB),
    ("RGB tiff", Image.fromarray(RGB), "TIFF", "uint8", (5, 7, 3), RGB),
    ("RGB tiff deflate", Image.fromarray(RGB), "TIFF", "uint8", (5, 7, 3), RGB),
]
_SAVE_OPTIONS = {"RGB webp lossless": {"lossless": True}, "RGBA webp lossless": {"lossless": True},
                 "RGB tiff deflate": {"compression": "tiff_adobe_deflate"}}


@pytest.mark.parametrize(("name", "im", "fmt", "dtype", "shape", "expected"), IMAGE_MODES,
                         ids=[row[0] for row in IMAGE_MODES])
def test_decode_image_modes(name: str, im: Image.Image, fmt: str, dtype: str,
                            shape: tuple[int, ...], expected: object) -> None:
    data = image_bytes(im, fmt, **_SAVE_OPTIONS.get(name, {}))
    array = decode_bytes(data)
    assert (array.dtype, array.shape) == (np.dtype(dtype), shape)
    assert array.dtype.isnative
    if isinstance(expected, str):  # what Pillow itself makes of the file in that mode
        expected = np.array(Image.open(io.BytesIO(data)).convert(expected))
    if expected is not None:
        np.testing.assert_array_equal(array, expected)
    np.testing.assert_array_equal(decode_image_bytes(data), array)


def test_decode_animated_gif_gives_the_first_frame() -> None:
    frames = [Image.fromarray(np.full((4, 6), value, dtype=np.uint8)) for value in (10, 200, 90)]
    data = image_bytes(frames[0], "GIF", save_all=True, append_images=frames[1:])
    assert Image.open(io.BytesIO(data)).n_frames == 3
    array = decode_bytes(data)
    assert array.shape == (4, 6, 3)
    assert (array == 10).all()


@pytest.mark.parametrize(("fmt", "im"), [
    ("GIF", Image.fromarray(RGB)),
    ("TIFF", Image.fromarray(RGB)),
    ("BMP", Image.fromarray(GRAY)),
    ("JPEG", Image.fromarray(RGB)),
])
def test_payload_is_sniffed_not_trusted(fmt: str, im: Image.Image) -> None:
    data = image_bytes(im, fmt)
    expected = decode_bytes(data)
    for media in ("image/png", "image/jpeg", "application/octet-stream", "ndarray/npy"):
        np.testing.assert_array_equal(decode_data_url(data_url(media, data)), expected)


def test_npy_labelled_as_image_decodes_as_npy() -> None:
    array = np.arange(5.0)
    np.testing.assert_array_equal(decode_data_url(data_url("image/png", npy_bytes(array))), array)


# --- data URL syntax -----------------------------------------------------------------------------

_PNG = image_bytes(Image.fromarray(GRAY))
_B64 = base64.b64encode(_PNG).decode()


@pytest.mark.parametrize("url", [
    f"data:image/png;base64,{_B64}",
    f"  data:image/png;base64,{_B64}\n",
    f"DATA:IMAGE/PNG;BASE64,{_B64}",
    f"data:image/png;name=x.png;base64,{_B64}",
    f"data:image/png;base64,{_B64.rstrip('=')}",  # padding left out
    "data:image/png;base64," + "\n".join(_B64[i:i + 76] for i in range(0, len(_B64), 76)),
    f"data:image/png;base64,{_B64.replace('+', ' ')}",  # '+' decoded as ' ' by a query string
    f"data:image/png;base64,{_B64.replace('+', '-').replace('/', '_')}",  # URL-safe alphabet
    f"data:image/png;base64,{_B64.replace('+', '%2B').replace('/', '%2F')}",  # percent-encoded
])
def test_data_url_forms(url: str) -> None:
    np.testing.assert_array_equal(decode_data_url(url), GRAY)


@pytest.mark.parametrize(("text", "expected"), [
    ("data:image/png;base64,AAAA", True),
    ("  DATA:x", True),
    ("data", False),
    ("https://a/x.png", False),
    ("", False),
    (None, False),
    (b"data:image/png;base64,", False),
])
def test_is_data_url(text: object, expected: bool) -> None:
    assert is_data_url(text) is expected


# --- split_list, parse_number, parse_bool ----------------------------------------------------------

@pytest.mark.parametrize(("text", "expected"), [
    ("", []),
    ("   ", []),
    ("3", ["3"]),
    ("3,4,5", ["3", "4", "5"]),
    (" 3 , 4 ,5 ", ["3", "4", "5"]),
    ("3,,5", ["3", "", "5"]),
    ("data:image/png;base64,AAA,data:image/png;base64,BBB",
     ["data:image/png;base64,AAA", "data:image/png;base64,BBB"]),
    ("data:image/png;base64,AAA", ["data:image/png;base64,AAA"]),
    ("https://a/x.png,file:///b.png", ["https://a/x.png", "file:///b.png"]),
    ("https://a/x.png,data:ndarray/npy;base64,k05VTVBZ,file:///b.npy",
     ["https://a/x.png", "data:ndarray/npy;base64,k05VTVBZ", "file:///b.npy"]),
    (" data:image/gif;base64,R0lG , DATA:image/png;base64,iVBO ",
     ["data:image/gif;base64,R0lG", "DATA:image/png;base64,iVBO"]),
    ("a b,c", ["a b", "c"]),
])
def test_split_list(text: str, expected: list[str]) -> None:
    assert split_list(text) == expected


NUMBERS = [
    ("3", "numeric", 3), ("3", "numeric/int", 3), ("3", "numeric/float", 3.0),
    (" -3 ", "numeric/int", -3), ("+7", "numeric", 7),
    ("3.5", "numeric", 3.5), ("3.5", "numeric/float", 3.5), ("-.5", "numeric", -0.5),
    ("3.", "numeric/float", 3.0), ("3.0", "numeric/int", 3), ("1e3", "numeric", 1000.0),
    ("1e3", "numeric/int", 1000), ("1E-2", "numeric/float", 0.01), ("1e3", "numeric/float", 1000.0),
    ("12345678901234567890123", "numeric/int", 12345678901234567890123),
    ("12345678901234567890123.0", "numeric/int", 12345678901234567890123),
    ("nan", "numeric/float", math.nan), ("NaN", "numeric", math.nan),
    ("inf", "numeric/float", math.inf), ("-Infinity", "numeric/float", -math.inf),
    ("1e400", "numeric/float", math.inf),
]


@pytest.mark.parametrize(("text", "type_text", "expected"), NUMBERS)
def test_parse_number(text: str, type_text: str, expected: float) -> None:
    value = parse_number(text, T(type_text), path="x")
    assert type(value) is type(expected)
    assert value == expected or (math.isnan(value) and math.isnan(expected))


@pytest.mark.parametrize(("text", "type_text", "message"), [
    ("3.5", "numeric/int", "threshold: must be numeric/int (got '3.5')"),
    ("true", "numeric", "threshold: must be numeric (got 'true')"),
    ("", "numeric/float", "threshold: must be numeric/float (got '')"),
    ("nan", "numeric/int", "threshold: must be numeric/int (got 'nan')"),
    ("inf", "numeric/int", "threshold: must be numeric/int (got 'inf')"),
    ("1e400", "numeric/int", "threshold: must be numeric/int (got '1e400')"),
    ("0x10", "numeric", "threshold: must be numeric (got '0x10')"),
    ("1_000", "numeric", "threshold: must be numeric (got '1_000')"),
    ("3,5", "numeric", "threshold: must be numeric (got '3,5')"),
    ("٣", "numeric", "threshold: must be numeric (got '٣')"),
    ("9" * 500, "numeric", "threshold: must be numeric (got '99999999999999999999999999999999999999999999999999'"
     "... (500 chars))"),
])
def test_error_parse_number(text: str, type_text: str, message: str) -> None:
    with pytest.raises(ConversionError) as info:
        parse_number(text, T(type_text), path="threshold")
    assert type(info.value) is ConversionError
    assert str(info.value) == message
    assert info.value.path == "threshold"


@pytest.mark.parametrize(("text", "expected"), [
    ("true", True), ("TRUE", True), (" True ", True), ("1", True), ("yes", True), ("On", True),
    ("false", False), ("False", False), ("0", False), ("no", False), ("OFF", False),
])
def test_parse_bool(text: str, expected: bool) -> None:
    assert parse_bool(text) is expected


@pytest.mark.parametrize("text", ["", "maybe", "2", "t", "truee", "1.0"])
def test_error_parse_bool(text: str) -> None:
    with pytest.raises(ConversionError) as info:
        parse_bool(text, path="flag")
    assert str(info.value) == (f"flag: must be boolean: true/false, 1/0, yes/no or on/off "
                               f"(got {text!r})")


# --- from_text / from_json ------------------------------------------------------------------------

_GRAY_URL = encode_array(GRAY)
_RGB_URL = encode_array(RGB)
_VEC_URL = encode_array(np.array([0.5, 1.5]))

FROM_TEXT = [
    ("4", "numeric", 4),
    ("4", "numeric/float", 4.0),
    ("0.25", "numeric/float", 0.25),
    ("yes", "boolean", True),
    ("0", "boolean/bool", False),
    ("hello, world", "text", "hello, world"),
    ("", "text/str", ""),
    ("0.2,0.7,0.1", "[numeric/float]", [0.2, 0.7, 0.1]),
    ("1,2,3", "[numeric/int]", [1, 2, 3]),
    ("1, 2.5", "[numeric]", [1, 2.5]),
    ("", "[numeric]", []),
    ("[1, 2, 3]", "[numeric/float]", [1.0, 2.0, 3.0]),
    ("[[1, 2], [3]]", "[[numeric/int]]", [[1, 2], [3]]),
    ("true,off", "[boolean]", [True, False]),
    ("a,b", "[text]", ["a", "b"]),
    ("[a],b", "[text]", ["[a]", "b"]),
    ('["rect", [[1, 2, 3, 4]]]', "annotation", ["rect", [[1, 2, 3, 4]]]),
    ('[["point", [[1, 2]]], ["circle", [[1, 2, 3]]]]', "[annotation]",
     [["point", [[1, 2]]], ["circle", [[1, 2, 3]]]]),
]


@pytest.mark.parametrize(("text", "type_text", "expected"), FROM_TEXT)
def test_from_text(text: str, type_text: str, expected: object) -> None:
    value = from_text(text, T(type_text), path="x")
    assert value == expected
    assert type(value) is type(expected)
    if isinstance(value, list) and value:
        assert type(value[0]) is type(expected[0])  # type: ignore[index]


@pytest.mark.parametrize(("text", "type_text", "expected"), [
    (_GRAY_URL, "ndarray/uint8//", GRAY),
    (_GRAY_URL, "ndarray/image", GRAY),
    (_RGB_URL, "ndarray/uint8///3", RGB),
    (_RGB_URL, "ndarray", RGB),
    (f" {_VEC_URL} ", "ndarray/float64/2", np.array([0.5, 1.5])),
])
def test_from_text_array(text: str, type_text: str, expected: np.ndarray) -> None:
    np.testing.assert_array_equal(from_text(text, T(type_text), path="image"), expected)


def test_from_text_list_of_arrays() -> None:
    value = from_text(f"{_GRAY_URL},{_RGB_URL}", T("[ndarray/image]"), path="images")
    assert isinstance(value, list) and len(value) == 2
    np.testing.assert_array_equal(value[0], GRAY)
    np.testing.assert_array_equal(value[1], RGB)


def test_from_text_uses_the_given_resolver() -> None:
    calls = []

    def resolve(text: str, path: str) -> np.ndarray:
        calls.append((text, path))
        return np.zeros((2, 2), dtype=np.uint8)

    value = from_text("https://a/x.png,file:///b.png", T("[ndarray/image]"), path="images",
                      resolve_array=resolve)
    assert len(value) == 2  # type: ignore[arg-type]
    assert calls == [("https://a/x.png", "images[0]"), ("file:///b.png", "images[1]")]


@pytest.mark.parametrize(("text", "type_text", "error", "message"), [
    ("3.5", "numeric/int", ConversionError, "threshold: must be numeric/int (got '3.5')"),
    ("x", "boolean", ConversionError,
     "threshold: must be boolean: true/false, 1/0, yes/no or on/off (got 'x')"),
    ("1,x,3", "[numeric]", ConversionError, "threshold[1]: must be numeric (got 'x')"),
    ("1,2,", "[numeric/int]", ConversionError, "threshold[2]: must be numeric/int (got '')"),
    ("https://a/x.png", "ndarray", ConversionError,
     "threshold: expected a data URL such as 'data:image/png;base64,...' or "
     "'data:ndarray/npy;base64,...' (got 'https://a/x.png'); http(s):// and file:// URLs need "
     "a fetcher"),
    (_RGB_URL, "ndarray/uint8//", ConversionError,
     "threshold: must be ndarray/uint8// (got <ndarray uint8 (5, 7, 3)>): needs 2 dimensions, "
     "has 3"),
    (_GRAY_URL, "ndarray/float32", ConversionError,
     "threshold: must be ndarray/float32 (got <ndarray uint8 (5, 7)>): dtype is uint8, not "
     "float32"),
    (f"{_GRAY_URL},{_RGB_URL}", "[ndarray/uint8//]", ConversionError,
     "threshold[1]: must be ndarray/uint8// (got <ndarray uint8 (5, 7, 3)>): needs 2 "
     "dimensions, has 3"),
    ('["rect", [[1, 2]]]', "annotation", ConversionError,
     "threshold: must be annotation (got ['rect', [[1, 2]]], a list): geometries[0] must be 4 "
     "numbers (x, y, w, h) for a rect, has 2"),
    ("rect", "annotation", ConversionError,
     "threshold: expected annotation as JSON text (got 'rect': JSONDecodeError: Expecting "
     "value: line 1 column 1 (char 0))"),
    ("[1, 2", "[numeric]", ConversionError,
     "threshold: expected [numeric] as JSON text (got '[1, 2': JSONDecodeError: Expecting ',' "
     "delimiter: line 1 column 6 (char 5))"),
    ("data:text/html,<script>", "ndarray", ConversionError,
     "threshold: expected a data URL of an image or array (data:image/..., data:ndarray/npy, "
     "data:ndarray/npz), got media type 'text/html'"),
])
def test_error_from_text(text: str, type_text: str, error: type, message: str) -> None:
    with pytest.raises(ConversionError) as info:
        from_text(text, T(type_text), path="threshold")
    assert type(info.value) is error
    assert str(info.value) == message


FROM_JSON = [
    (3, "numeric", 3),
    (3.5, "numeric", 3.5),
    (3, "numeric/float", 3.0),
    (3.0, "numeric/int", 3),
    (-2, "numeric/int", -2),
    (True, "boolean", True),
    ("hi", "text", "hi"),
    ([1, 2], "[numeric/float]", [1.0, 2.0]),
    ([[1.0], []], "[[numeric/int]]", [[1], []]),
    ([True, False], "[boolean]", [True, False]),
    (["rect", [[1, 2, 3, 4]]], "annotation", ["rect", [[1, 2, 3, 4]]]),
    ([["point", [[0.5, 1]]]], "[annotation]", [["point", [[0.5, 1]]]]),
    ([], "[text]", []),
]


@pytest.mark.parametrize(("value", "type_text", "expected"), FROM_JSON)
def test_from_json(value: object, type_text: str, expected: object) -> None:
    result = from_json(value, T(type_text), path="x")
    assert result == expected
    assert type(result) is type(expected)
    assert json.loads(json.dumps(to_json(result, T(type_text)))) == expected


@pytest.mark.parametrize(("value", "type_text", "dtype", "expected"), [
    ([[1, 2], [3, 4]], "ndarray/uint8//", "uint8", [[1, 2], [3, 4]]),
    ([[0, 255]], "ndarray/image", "uint8", [[0, 255]]),
    ([1.0, 2.0], "ndarray/int16", "int16", [1, 2]),
    ([1, 2.5], "ndarray/float32", "float32", [1, 2.5]),
    ([1, 2], "ndarray", "int64", [1, 2]),
    ([1.5], "ndarray", "float64", [1.5]),
    ([True, False], "ndarray/bool", "bool", [True, False]),
    ([], "ndarray/float32/", "float32", []),
    ([[]], "ndarray/uint8//", "uint8", [[]]),
    (7, "ndarray/int32", "int32", 7),
    ([1, 2], "ndarray/complex64", "complex64", [1, 2]),
    ([-1e300, 1e300], "ndarray/float64", "float64", [-1e300, 1e300]),
])
def test_from_json_array_from_lists(value: object, type_text: str, dtype: str, expected: object
                                    ) -> None:
    array = from_json(value, T(type_text), path="x")
    assert isinstance(array, np.ndarray)
    assert array.dtype == np.dtype(dtype)
    np.testing.assert_array_equal(array, np.array(expected, dtype=dtype))


def test_from_json_array_from_data_url() -> None:
    np.testing.assert_array_equal(from_json(_RGB_URL, T("ndarray/uint8///3"), path="x"), RGB)
    value = from_json([_GRAY_URL, [[1, 2]]], T("[ndarray/uint8//]"), path="x")
    assert isinstance(value, list)
    np.testing.assert_array_equal(value[0], GRAY)
    np.testing.assert_array_equal(value[1], [[1, 2]])


@pytest.mark.parametrize(("value", "type_text", "message"), [
    (True, "numeric", "x: must be numeric (got True, a bool): bool is not a number"),
    ("3", "numeric", "x: must be numeric (got '3', a str)"),
    (3.5, "numeric/int", "x: must be numeric/int (got 3.5, a float)"),
    (None, "numeric", "x: must be numeric (got None)"),
    (1, "boolean", "x: must be boolean (got 1, an int): write True or False"),
    (5, "text", "x: must be text (got 5, an int)"),
    ("1,2", "[numeric]", "x: must be [numeric] (got '1,2', a str)"),
    ([1, "2"], "[numeric]", "x[1]: must be numeric (got '2', a str)"),
    ([1, True], "[numeric/int]", "x[1]: must be numeric/int (got True, a bool): bool is not a number"),
    ([[1, 300]], "ndarray/uint8//", "x: must be ndarray/uint8//: expected values from 0 to 255 "
     "(found 300)"),
    ([-1], "ndarray/uint16", "x: must be ndarray/uint16: expected values from 0 to 65535 (found -1)"),
    ([1.5], "ndarray/int32", "x: must be ndarray/int32: expected whole numbers"),
    ([math.nan], "ndarray/int32", "x: must be ndarray/int32: expected whole numbers"),
    ([1e300], "ndarray/float32", "x: must be ndarray/float32: expected values within the range of "
     "float32"),
    ([1, 0], "ndarray/bool", "x: must be ndarray/bool: expected true/false values"),
    ([True], "ndarray/uint8", "x: must be ndarray/uint8: expected numbers, not true/false"),
    ([[1, 2], [3]], "ndarray", "x: expected ndarray as nested lists of numbers of equal lengths "
     "(got [[1, 2], [3]])"),
    ([1, "a"], "ndarray/float64", "x: expected ndarray/float64 as nested lists of numbers of equal "
     "lengths (got [1, 'a'])"),
    ([1, None], "ndarray", "x: expected ndarray as nested lists of numbers of equal lengths "
     "(got [1, None])"),
    ([2**70], "ndarray", "x: expected ndarray as nested lists of numbers of equal lengths "
     "(got [1180591620717411303424])"),
    ([[1, 2]], "ndarray/uint8/3", "x: must be ndarray/uint8/3 (got <ndarray uint8 (1, 2)>): needs 1 "
     "dimension, has 2"),
    ([1], "ndarray/datetime64", "x: must be ndarray/datetime64: expected a dtype that JSON numbers "
     "can fill, not datetime64"),
    ({"a": 1}, "ndarray", "x: must be ndarray (got {'a': 1}, a dict)"),
    ("not a url", "ndarray", "x: expected a data URL such as 'data:image/png;base64,...' or "
     "'data:ndarray/npy;base64,...' (got 'not a url'); http(s):// and file:// URLs need a fetcher"),
    (["point", [[1]]], "annotation", "x: must be annotation (got ['point', [[1]]], a list): "
     "geometries[0] must be 2 numbers (x, y) for a point, has 1"),
])
def test_error_from_json(value: object, type_text: str, message: str) -> None:
    with pytest.raises(ConversionError) as info:
        from_json(value, T(type_text), path="x")
    assert type(info.value) is ConversionError
    assert str(info.value) == message


def test_error_without_path_has_no_prefix() -> None:
    with pytest.raises(ConversionError) as info:
        from_json("3", T("numeric"))
    assert (str(info.value), info.value.path) == ("must be numeric (got '3', a str)", "")
    with pytest.raises(ConversionError) as info:
        from_json([1, "3"], T("[numeric]"))
    assert (str(info.value), info.value.path) == ("[1]: must be numeric (got '3', a str)", "[1]")


# --- to_json ---------------------------------------------------------------------------------------

@pytest.mark.parametrize(("value", "type_text", "expected"), [
    (np.int64(3), "numeric/int", 3),
    (np.float32(0.5), "numeric/float", 0.5),
    (2.5, "numeric", 2.5),
    (np.bool_(True), "boolean", True),
    (np.str_("hi"), "text", "hi"),
    ((1, 2), "[numeric]", [1, 2]),
    ([np.float64(1.5), np.float64(2)], "[numeric/float]", [1.5, 2.0]),
    (("rect", ((1, 2, 3, 4),)), "annotation", ["rect", [[1, 2, 3, 4]]]),
    (("polyline", [np.array([[1, 2], [3, 4]])]), "annotation", ["polyline", [[[1, 2], [3, 4]]]]),
    ([(np.int32(1), np.int32(2))], "[[numeric]]", [[1, 2]]),
])
def test_to_json(value: object, type_text: str, expected: object) -> None:
    result = to_json(value, T(type_text))
    assert result == expected
    assert json.loads(json.dumps(result)) == expected
    assert type(result) is type(expected)


def test_to_json_keeps_nan_and_inf_as_floats() -> None:
    result = to_json([math.nan, np.float64(np.inf)], T("[numeric/float]"))
    assert isinstance(result, list) and math.isnan(result[0]) and result[1] == math.inf


def test_to_json_arrays() -> None:
    assert to_json(GRAY, T("ndarray/image")) == encode_png_data_url(GRAY)
    vector = np.arange(3.0)
    assert to_json(vector, T("ndarray")) == encode_npy_data_url(vector)
    urls = to_json([GRAY, vector], T("[ndarray]"))
    assert isinstance(urls, list)
    assert urls[0].startswith("data:image/png;base64,")
    assert urls[1].startswith("data:ndarray/npy;base64,")
    np.testing.assert_array_equal(from_json(urls, T("[ndarray]"))[1], vector)  # type: ignore[index]


# --- hostile input ---------------------------------------------------------------------------------

class _Payload:
    """Unpickling this creates the file ``marker``: the side effect that must never happen."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (os.mkdir, (str(self.marker),))


def test_error_pickled_npy_is_refused_and_never_unpickled(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    data = npy_bytes(np.array([_Payload(marker), 1], dtype=object), allow_pickle=True)
    for decode in (decode_bytes, decode_npy_bytes):
        with pytest.raises(RefusedError) as info:
            decode(data, path="scan")
        assert str(info.value) == ("scan: .npy holds Python objects (pickled data), which are never "
                                   "loaded; save numeric arrays with allow_pickle=False")
    with pytest.raises(RefusedError):
        decode_data_url(data_url("ndarray/npy", data))
    with pytest.raises(RefusedError) as info:
        decode_bytes(npz_bytes({"arr_0.npy": data}))
    assert str(info.value) == (".npz member 'arr_0.npy' holds Python objects (pickled data), "
                               "which are never loaded; save numeric arrays with allow_pickle=False")
    assert not marker.exists()
    # the payload is live: numpy with allow_pickle=True does run it
    np.load(io.BytesIO(data), allow_pickle=True)
    assert marker.exists()


def test_error_object_array_cannot_be_encoded() -> None:
    with pytest.raises(ConversionError) as info:
        encode_npy_data_url(np.array([{}, 1], dtype=object))
    assert str(info.value) == ("cannot encode <ndarray object (2,)> as .npy (ValueError: Object "
                               "arrays cannot be saved when allow_pickle=False)")




HOSTILE = [
    # (id, data, limits, error class, message)
    ("npy declares 10**12 elements",
     npy_with_header({"descr": "<f8", "fortran_order": False, "shape": (10**12,)}, b"\0" * 64),
     DEFAULT_LIMITS, LimitExceededError,
     "f: .npy declares 8000000000000 bytes of float64 (1000000000000,), over the limit of "
     "536870912 bytes"),
    ("npy declares more than it holds",
     npy_with_header({"descr": "<f8", "fortran_order": False, "shape": (100,)}, b"\0" * 8),
     DEFAULT_LIMITS, ConversionError,
     "f: .npy declares 800 bytes of data for float64 (100,) but holds 8"),
    ("npy holds more than it declares",
     npy_with_header({"descr": "<u1", "fortran_order": False, "shape": (2,)}, b"\0" * 3),
     DEFAULT_LIMITS, ConversionError, "f: .npy has more data than its header declares"),
    ("npy header over 10,000 bytes",
     npy_with_header({"descr": "<u1", "fortran_order": False, "shape": (1,), "x": "y" * 20_000},
                     b"\0", version=2),
     DEFAULT_LIMITS, LimitExceededError,
     "f: .npy header of 20086 bytes is over the limit of 10000 bytes"),
    ("npy header not a literal",
     npy_with_header({"descr": "<u1", "fortran_order": False, "shape": (1,)})
     .replace(b"'descr'", b"__import__"), DEFAULT_LIMITS, ConversionError,
     "f: .npy header is not a Python literal (ValueError: malformed node or string"),
    ("npy header extra key",
     npy_with_header({"descr": "<u1", "fortran_order": False, "shape": (1,), "x": 1}, b"\0"),
     DEFAULT_LIMITS, ConversionError,
     "f: .npy header must be a dict with keys 'descr', 'fortran_order' and 'shape' (got "
     "{'descr': '<u1', 'fortran_order': False, 'shape': (1,), '...)"),
    ("npy negative shape",
     npy_with_header({"descr": "<u1", "fortran_order": False, "shape": (-1,)}),
     DEFAULT_LIMITS, ConversionError,
     "f: .npy header shape must be a tuple of sizes >= 0 (got (-1,))"),
    ("npy unknown dtype",
     npy_with_header({"descr": "<q9", "fortran_order": False, "shape": (1,)}),
     DEFAULT_LIMITS, ConversionError, "f: .npy header has an unknown dtype (TypeError: "),
    ("npy truncated magic", b"\x93NUMPY\x01", DEFAULT_LIMITS, ConversionError,
     "f: .npy is truncated"),
    ("npy version 9", b"\x93NUMPY\x09\x00\x10\x00" + b" " * 16, DEFAULT_LIMITS, ConversionError,
     "f: .npy has unknown format version 9.0"),
    ("npz with two arrays",
     npz_bytes({"a.npy": npy_bytes(np.zeros(2)), "b.npy": npy_bytes(np.ones(2))}),
     DEFAULT_LIMITS, ConversionError,
     "f: expected exactly one array in the .npz, found 2: 'a.npy', 'b.npy'"),
    ("npz with no array", npz_bytes({}), DEFAULT_LIMITS, ConversionError,
     "f: expected exactly one array in the .npz, found none"),
    ("npz with 10,000 members", npz_bytes({f"m{i}": b"" for i in range(10_000)},
                                          zipfile.ZIP_STORED),
     DEFAULT_LIMITS, LimitExceededError, "f: .npz has 10000 members, over the limit of 64"),
    ("npz member over max_array_bytes",
     npz_bytes({"arr_0.npy": npy_bytes(np.zeros(20_000))}), Limits(max_array_bytes=100_000),
     LimitExceededError,
     "f: .npz member 'arr_0.npy' declares 160128 bytes, over the limit of 110012"),
    ("npz member array over max_array_bytes",
     npz_bytes({"arr_0.npy": npy_bytes(np.zeros(1000))}), Limits(max_array_bytes=4000),
     LimitExceededError, "f: .npz member 'arr_0.npy' declares 8000 bytes of float64 (1000,), over "
     "the limit of 4000 bytes"),
    ("npz member npy header declares 100x its data",
     npz_bytes({"arr_0.npy": npy_with_header({"descr": "<f8", "fortran_order": False,
                                              "shape": (10_000,)}, b"\0" * 800)}),
     DEFAULT_LIMITS, ConversionError,
     "f: .npz member 'arr_0.npy' declares 80000 bytes of data for float64 (10000,) but holds 800"),
    ("npz member not npy", npz_bytes({"x.txt": b"hello world"}), DEFAULT_LIMITS, ConversionError,
     "f: .npz member 'x.txt' does not start with the .npy magic (found b'hello ')"),
    ("zip that is not one", b"PK\x03\x04" + b"\0" * 40, DEFAULT_LIMITS, ConversionError,
     "f: not a valid .npz file (BadZipFile: File is not a zip file)"),
    ("png declaring 20000x20000", handmade_png(20_000, 20_000), DEFAULT_LIMITS, LimitExceededError,
     "f: image of 20000x20000 = 400000000 pixels is over the limit of 50000000 pixels"),
    ("png over max_pixels", image_bytes(Image.fromarray(GRAY)), Limits(max_pixels=34),
     LimitExceededError, "f: image of 7x5 = 35 pixels is over the limit of 34 pixels"),
    ("png zTXt bomb", handmade_png(4, 2, rows=2, before_idat=png_chunk(
        b"zTXt", b"comment\0\0" + zlib.compress(b"\0" * 8 * 2**20, 9))), DEFAULT_LIMITS,
     LimitExceededError, "f: a PNG text chunk is too large (ValueError: Decompressed data too large "
     "for PngImagePlugin.MAX_TEXT_CHUNK)"),
    ("truncated png", image_bytes(Image.fromarray(RNG.integers(0, 256, (64, 64, 3), dtype=np.uint8))
                                  )[:900],
     DEFAULT_LIMITS, ConversionError, "f: cannot decode the image (OSError: image file is truncated"),
    ("png with bad IHDR CRC", handmade_png(4, 2, rows=2)[:29] + b"\0\0\0\0" +
     handmade_png(4, 2, rows=2)[33:], DEFAULT_LIMITS, ConversionError, "f: expected a .npy or .npz"),
    ("html", b"<html><script>alert(1)</script></html>", DEFAULT_LIMITS, ConversionError,
     "f: expected a .npy or .npz file or an image (PNG, JPEG, TIFF, BMP, GIF, WebP, ...), found "
     "data starting with b'<html><script>al'"),
    ("eps is not opened", b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 10 10\n", DEFAULT_LIMITS,
     ConversionError, "f: expected a .npy or .npz file or an image (PNG, JPEG, TIFF, BMP, GIF, "
     "WebP, ...), found data starting with b'%!PS-Adobe-3.0 E'"),
    ("empty", b"", DEFAULT_LIMITS, ConversionError,
     "f: expected a .npy or .npz file or an image (PNG, JPEG, TIFF, BMP, GIF, WebP, ...), found 0 "
     "bytes"),
    ("over max_bytes", b"\0" * 101, Limits(max_bytes=100), LimitExceededError,
     "f: a .npy or .npz file or an image (PNG, JPEG, TIFF, BMP, GIF, WebP, ...) of 101 bytes is "
     "over the limit of 100 bytes"),
]


@pytest.mark.parametrize(("data", "limits", "error", "message"),
                         [row[1:] for row in HOSTILE], ids=[row[0] for row in HOSTILE])
def test_error_hostile_bytes(data: bytes, limits: Limits, error: type, message: str) -> None:
    with pytest.raises(ConversionError) as info:
        decode_bytes(data, path="f", limits=limits)
    assert type(info.value) is error
    assert str(info.value).startswith(message)
    assert info.value.path == "f"
    if not message.endswith(("string", ": ", "truncated", ".npz")):
        assert str(info.value) == message
    # the same through a data URL
    with pytest.raises(error):
        decode_data_url(data_url("application/octet-stream", data), path="f", limits=limits)


def test_error_npz_member_declaring_100x_its_stored_size() -> None:
    data = bytearray(npz_bytes({"arr_0.npy": npy_bytes(np.arange(100.0))}))
    size = struct.unpack_from("<I", data, 22)[0]  # local header: uncompressed size
    struct.pack_into("<I", data, 22, size * 100)
    central = data.find(b"PK\x01\x02")
    struct.pack_into("<I", data, central + 24, size * 100)
    with pytest.raises(LimitExceededError) as info:
        decode_bytes(bytes(data), path="f", limits=Limits(max_array_bytes=10_000))
    assert str(info.value) == ("f: .npz member 'arr_0.npy' declares 92800 bytes, over the limit "
                               "of 20012")
    # within the limits the lie is harmless: the array is read by its own header
    np.testing.assert_array_equal(decode_bytes(bytes(data)), np.arange(100.0))


def test_error_zip_bomb_member_is_refused_before_inflating() -> None:
    data = npz_bytes({"arr_0.npy": npy_bytes(np.zeros(2**24, dtype=np.uint8))})  # 16 MiB of zeros
    assert len(data) < 100_000
    with pytest.raises(LimitExceededError) as info:
        decode_bytes(data, limits=Limits(max_array_bytes=2**20))
    assert str(info.value) == (".npz member 'arr_0.npy' declares 16777344 bytes, over the limit "
                               "of 1058588")


def test_zip_bomb_text_chunk_after_idat_is_also_caught() -> None:
    ihdr = struct.pack(">IIBBBBB", 4, 2, 8, 0, 0, 0, 0)
    bomb = png_chunk(b"zTXt", b"comment\0\0" + zlib.compress(b"\0" * 8 * 2**20, 9))
    data = (b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", ihdr)
            + png_chunk(b"IDAT", zlib.compress(b"\0" * 10)) + bomb + png_chunk(b"IEND", b""))
    with pytest.raises(LimitExceededError) as info:
        decode_bytes(data)
    assert "PngImagePlugin.MAX_TEXT_CHUNK" in str(info.value)


DATA_URL_ERRORS = [
    ("data:image/png;base64,@@@@", ConversionError,
     "img: data URL payload is not valid base64: '@' at offset 0"),
    ("data:image/png;base64,iVBO*RK", ConversionError,
     "img: data URL payload is not valid base64: '*' at offset 4"),
    ("data:image/png;base64,AAAAA", ConversionError,
     "img: data URL payload is not valid base64 (its length 5 is impossible)"),
    ("data:image/png;base64,AA=A", ConversionError,
     "img: data URL payload is not valid base64 (Error: Discontinuous padding not allowed)"),
    ("data:image/png;base64,", ConversionError,
     "img: expected a .npy or .npz file or an image (PNG, JPEG, TIFF, BMP, GIF, WebP, ...), "
     "found 0 bytes"),
    ("data:text/html,<script>alert(1)</script>", ConversionError,
     "img: expected a data URL of an image or array (data:image/..., data:ndarray/npy, "
     "data:ndarray/npz), got media type 'text/html'"),
    ("data:text/html;base64,PGgxPg==", ConversionError,
     "img: expected a data URL of an image or array (data:image/..., data:ndarray/npy, "
     "data:ndarray/npz), got media type 'text/html'"),
    ("data:;base64,AAAA", ConversionError,
     "img: expected a data URL of an image or array (data:image/..., data:ndarray/npy, "
     "data:ndarray/npz), got media type 'text/plain'"),
    ("data:image/png,%89PNG", ConversionError,
     "img: expected a base64 data URL (';base64,' before the payload), got 'data:image/png,'"),
    ("data:image/png;base64", ConversionError,
     "img: data URL has no ',' before its payload (got 'data:image/png;base64')"),
    ("https://example.com/x.png", ConversionError,
     "img: expected a data URL such as 'data:image/png;base64,...' or "
     "'data:ndarray/npy;base64,...' (got 'https://example.com/x.png')"),
    ("x" * 100, ConversionError,
     "img: expected a data URL such as 'data:image/png;base64,...' or "
     "'data:ndarray/npy;base64,...' (got 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'... (100 chars))"),
    ("data:image/png;base64," + "A" * 200, LimitExceededError,
     "img: data URL payload of 200 base64 characters is over the limit of 100 bytes"),
    ("data:image/png;base64," + "A" * 2000, LimitExceededError,
     "img: data URL payload of 2000 characters is over the limit of 100 bytes"),
]


@pytest.mark.parametrize(("url", "error", "message"), DATA_URL_ERRORS)
def test_error_data_url(url: str, error: type, message: str) -> None:
    with pytest.raises(ConversionError) as info:
        decode_data_url(url, path="img", limits=Limits(max_bytes=100))
    assert type(info.value) is error
    assert str(info.value) == message


@pytest.mark.parametrize("array", [
    np.zeros((0, 4), dtype=np.uint8), np.zeros((3, 3), dtype=np.uint16),
    np.zeros((3, 3, 2), dtype=np.uint8), np.zeros(4, dtype=np.uint8),
], ids=["empty", "uint16", "2 channels", "1-D"])
def test_error_encode_png_needs_an_image(array: np.ndarray) -> None:
    with pytest.raises(ConversionError) as info:
        encode_png(array)
    assert str(info.value) == ("expected a non-empty uint8 array of shape (h, w), (h, w, 3) or "
                               f"(h, w, 4) to encode as PNG (got <ndarray {array.dtype} "
                               f"{array.shape}>)")


def _mutations(seed: int, count: int) -> list[bytes]:
    """Damaged copies of valid files: flipped, cut and spliced bytes."""
    rng = random.Random(seed)
    sources = [
        image_bytes(Image.fromarray(RGB)), image_bytes(Image.fromarray(RGB), "GIF"),
        image_bytes(Image.fromarray(RGB), "TIFF"), image_bytes(Image.fromarray(RGB), "JPEG"),
        image_bytes(Image.fromarray(RGB), "BMP"), npy_bytes(np.arange(20.0)),
        npz_bytes({"arr_0.npy": npy_bytes(np.arange(20.0))}),
    ]
    damaged = []
    for _ in range(count):
        data = bytearray(rng.choice(sources))
        for _ in range(rng.randint(1, 4)):
            if not data:
                break
            at = rng.randrange(len(data))
            action = rng.random()
            if action < 0.5:
                data[at] = rng.randrange(256)
            elif action < 0.8:
                del data[at:]
                data += bytes([0x41]) * rng.randrange(3)
            else:
                data[at:at] = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 9)))
        if data:
            damaged.append(bytes(data))
    return damaged


def test_damaged_files_give_only_conversion_errors() -> None:
    for data in _mutations(seed=1, count=1500):
        try:
            decode_bytes(data, limits=Limits(max_pixels=10**6, max_array_bytes=10**6))
        except ConversionError:
            pass


def test_public_surface() -> None:
    assert sorted(convert.__all__) == [
        "DEFAULT_LIMITS", "Limits", "check_value", "decode_bytes", "decode_data_url", "decode_image_bytes",
        "decode_npy_bytes", "decode_npz_bytes", "encode_array", "encode_npy_data_url",
        "encode_png", "encode_png_data_url", "from_json", "from_text", "is_data_url",
        "parse_bool", "parse_number", "split_list", "to_json",
    ]
    assert Limits() == DEFAULT_LIMITS
    with pytest.raises(AttributeError):
        DEFAULT_LIMITS.max_bytes = 1  # type: ignore[misc]
