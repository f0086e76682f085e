"""Converters between web data and typed values: bytes, data URLs and text in, data URLs out.

Everything here decodes data that came from outside, so every function is bounded by a
:class:`Limits` and raises only :class:`ConversionError` (or its subclasses
:class:`LimitExceededError` and :class:`RefusedError`): no Pillow, zipfile, numpy or base64
exception escapes. Payloads are sniffed by their magic bytes, never trusted by their label;
``.npy`` data is read with a parser of our own that never unpickles.

Messages leave out the path: :class:`ConversionError` puts it in front (``threshold: must be
numeric/int (got '3.5')``).
"""

from __future__ import annotations

import ast
import base64
import binascii
import io
import json
import re
import struct
import warnings
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from math import prod
from typing import IO, Any
from urllib.parse import unquote

import numpy as np

from .errors import ConversionError, LimitExceededError, RefusedError, TypeCheckError
from .iotypes import IOType, is_image_array, summarize

__all__ = [
    "DEFAULT_LIMITS", "Limits", "decode_bytes", "decode_data_url", "decode_image_bytes",
    "decode_npy_bytes", "decode_npz_bytes", "encode_array", "encode_npy_data_url", "encode_png",
    "encode_png_data_url", "from_json", "from_text", "is_data_url", "parse_bool", "parse_number",
    "split_list", "to_json",
]


@dataclass(frozen=True)
class Limits:
    """Bounds on data from outside; each is checked before the work it bounds is done."""

    max_bytes: int = 32 * 2**20  # raw bytes of one payload (decoded base64, file, download)
    max_pixels: int = 50_000_000  # decoded image pixels (w * h)
    max_array_bytes: int = 512 * 2**20  # declared nbytes of an .npy or of each .npz member
    max_npz_members: int = 64


DEFAULT_LIMITS = Limits()
ArrayResolver = Callable[[str, str], np.ndarray]

_NPY_MAGIC = b"\x93NUMPY"
_ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")
_MAX_NPY_HEADER = 10_000  # numpy's own limit since 1.24
# Formats Pillow may open; EPS (Ghostscript), WMF, MPEG, stubs and magic-less formats stay out.
_IMAGE_FORMATS = ("PNG", "JPEG", "JPEG2000", "TIFF", "BMP", "DIB", "GIF", "WEBP", "AVIF", "PPM",
                  "ICO", "PCX", "SGI", "QOI")
_EXPECTED_ARRAY = "a .npy or .npz file or an image (PNG, JPEG, TIFF, BMP, GIF, WebP, ...)"
_ARRAY_MEDIA = ("ndarray/npy", "ndarray/npz", "application/octet-stream")
_EXPECTED_URL = ("a data URL such as 'data:image/png;base64,...' or "
                 "'data:ndarray/npy;base64,...'")


def _short(value: str | bytes, width: int = 60) -> str:
    """``repr`` of ``value`` cut to about ``width`` characters."""
    if len(value) <= width:
        return repr(value)
    unit = "chars" if isinstance(value, str) else "bytes"
    return f"{value[:width - 10]!r}... ({len(value)} {unit})"


def _fail(exc: BaseException) -> str:
    """An exception from a library as ``Type: message``, cut short."""
    text = str(exc)
    text = text if len(text) <= 80 else text[:77] + "..."
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _check_bytes(data: bytes, what: str, path: str, limits: Limits) -> None:
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise ConversionError(f"expected the bytes of {what} (got {summarize(data)})", path)
    if len(data) > limits.max_bytes:
        raise LimitExceededError(f"{what} of {len(data)} bytes is over the limit of "
                                 f"{limits.max_bytes} bytes", path)
    if len(data) == 0:
        raise ConversionError(f"expected {what}, found 0 bytes", path)


# --- bytes -> arrays -------------------------------------------------------------------------

def decode_bytes(data: bytes, *, path: str = "", limits: Limits = DEFAULT_LIMITS) -> np.ndarray:
    """Decode an ``.npy``, an ``.npz`` (one array) or an image, recognized by its magic bytes.

    :raises ConversionError: the bytes are none of these or are damaged.
    :raises LimitExceededError: the data is over one of ``limits``.
    :raises RefusedError: the array holds pickled Python objects.
    """
    _check_bytes(data, _EXPECTED_ARRAY, path, limits)
    head = bytes(data[:8])
    if head.startswith(_NPY_MAGIC):
        return decode_npy_bytes(data, path=path, limits=limits)
    if head.startswith(_ZIP_MAGICS):
        return decode_npz_bytes(data, path=path, limits=limits)
    return decode_image_bytes(data, path=path, limits=limits)


def decode_image_bytes(data: bytes, *, path: str = "", limits: Limits = DEFAULT_LIMITS
                       ) -> np.ndarray:
    """Decode an image with Pillow (first frame only) into a numpy array.

    Modes: L -> (h, w) uint8; RGB -> (h, w, 3); RGBA, LA, PA -> (h, w, 4); P -> RGB, or RGBA
    when it has transparency; 1 -> L (0/255); CMYK, YCbCr, HSV, LAB -> RGB; I;16* -> uint16;
    I -> int32; F -> float32. The EXIF orientation is not applied (pixels as stored).

    :raises LimitExceededError: ``w * h`` is over ``limits.max_pixels`` (checked from the header,
        before any pixel is decoded), or a PNG text chunk inflates beyond Pillow's bound.
    :raises ConversionError: not an image Pillow reads, or truncated/corrupt.
    """
    _check_bytes(data, "an image", path, limits)
    from PIL import Image

    try:
        # Our own max_pixels is the limit that counts, so Pillow's global MAX_IMAGE_PIXELS check
        # is left out (see _open_image) and the warning some plugins still give is silenced.
        # catch_warnings is process-wide before Python 3.14: a racing thread can at worst keep
        # this "ignore" filter, which hides only Pillow's size warning.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with _open_image(io.BytesIO(data)) as im:
                width, height = im.size
                if width * height > limits.max_pixels:
                    raise LimitExceededError(
                        f"image of {width}x{height} = {width * height} pixels is over the limit "
                        f"of {limits.max_pixels} pixels", path)
                im.load()
                return _image_array(im)
    except ConversionError:
        raise
    except Image.DecompressionBombError as exc:
        raise LimitExceededError(f"image is over Pillow's pixel limit ({_fail(exc)})",
                                 path) from None
    except Image.UnidentifiedImageError:
        raise ConversionError(f"expected {_EXPECTED_ARRAY}, found data starting with "
                              f"{_short(bytes(data[:16]))}", path) from None
    except MemoryError:
        raise LimitExceededError("image is too large to decode in memory", path) from None
    except ValueError as exc:
        if "text" in str(exc).lower():  # PngImagePlugin.MAX_TEXT_CHUNK / MAX_TEXT_MEMORY
            raise LimitExceededError(f"a PNG text chunk is too large ({_fail(exc)})",
                                     path) from None
        raise ConversionError(f"cannot decode the image ({_fail(exc)})", path) from None
    except Exception as exc:  # Pillow raises OSError, SyntaxError, struct.error, EOFError...
        raise ConversionError(f"cannot decode the image ({_fail(exc)})", path) from None


def _open_image(fp: io.BytesIO) -> Any:
    """``Image.open`` restricted to :data:`_IMAGE_FORMATS`, without its pixel-count check.

    Pillow's own check compares with a process-wide MAX_IMAGE_PIXELS before the caller sees
    the size; doing Image.open's format loop here (over the public ``Image.OPEN`` registry)
    lets :class:`Limits` decide, above or below Pillow's default.
    """
    from PIL import Image

    Image.init()
    prefix = fp.read(16)
    for name in _IMAGE_FORMATS:
        if name not in Image.OPEN:
            continue
        factory, accept = Image.OPEN[name]
        if accept is not None:
            result = accept(prefix)
            if not result or isinstance(result, str):  # a str: "looks like it, unsupported"
                continue
        fp.seek(0)
        try:
            return factory(fp, "")
        except (SyntaxError, IndexError, TypeError, struct.error):
            continue  # what Image.open treats as "not this format"
    raise Image.UnidentifiedImageError("cannot identify image file")


def _image_array(im: Any) -> np.ndarray:
    """A loaded Pillow image as an array, by the mode mapping of :func:`decode_image_bytes`."""
    mode = im.mode
    if mode in ("L", "RGB", "RGBA", "I", "F"):
        pass
    elif mode.startswith("I;16"):
        return np.array(im).astype(np.uint16)  # I;16B comes as big-endian '>u2'
    elif mode == "1":
        im = im.convert("L")
    elif mode == "P":
        palette_mode = getattr(im.palette, "mode", "RGB")
        alpha = "transparency" in im.info or palette_mode == "RGBA"
        im = im.convert("RGBA" if alpha else "RGB")
    elif mode in ("PA", "LA", "La", "RGBa"):
        im = im.convert("RGBA")
    elif mode in ("CMYK", "YCbCr", "HSV", "LAB", "RGBX"):
        im = im.convert("RGB")
    else:  # rarer modes: keep an alpha band when there is one
        im = im.convert("RGBA" if mode.endswith(("A", "a")) else "RGB")
    array = np.array(im)
    if mode == "I" and array.dtype != np.int32:
        array = array.astype(np.int32)
    return array


def decode_npy_bytes(data: bytes, *, path: str = "", limits: Limits = DEFAULT_LIMITS) -> np.ndarray:
    """Decode ``.npy`` bytes; never unpickles.

    The header is parsed first: over 10,000 bytes, object dtypes, a declared size over
    ``limits.max_array_bytes`` or more than the bytes that follow all fail before any
    allocation.

    :raises RefusedError: the array holds Python objects (pickled data).
    :raises LimitExceededError: the header or the declared array is too large.
    :raises ConversionError: not a valid ``.npy``.
    """
    _check_bytes(data, "an .npy file", path, limits)
    try:
        return _read_npy(io.BytesIO(data), len(data), ".npy", path, limits)
    except ConversionError:
        raise
    except MemoryError:
        raise LimitExceededError(".npy array is too large to decode in memory", path) from None
    except Exception as exc:  # a reshape numpy refuses, ...
        raise ConversionError(f"not a valid .npy file ({_fail(exc)})", path) from None


def _read_exact(fp: IO[bytes], size: int, what: str, path: str) -> bytes:
    chunk = fp.read(size)
    if len(chunk) != size:
        raise ConversionError(f"{what} is truncated", path)
    return chunk


def _read_npy(fp: IO[bytes], available: int, what: str, path: str, limits: Limits) -> np.ndarray:
    """Read one ``.npy`` from ``fp``; ``available`` is its total length in bytes."""
    head = _read_exact(fp, 10, what, path)
    if not head.startswith(_NPY_MAGIC):
        raise ConversionError(f"{what} does not start with the .npy magic (found "
                              f"{_short(head[:6])})", path)
    major, minor = head[6], head[7]
    if major == 1:
        header_len, start = struct.unpack("<H", head[8:10])[0], 10
    elif major in (2, 3):
        header_len, start = struct.unpack("<I", head[8:10] + _read_exact(fp, 2, what, path))[0], 12
    else:
        raise ConversionError(f"{what} has unknown format version {major}.{minor}", path)
    if header_len > _MAX_NPY_HEADER:
        raise LimitExceededError(f"{what} header of {header_len} bytes is over the limit of "
                                 f"{_MAX_NPY_HEADER} bytes", path)
    header = _read_exact(fp, header_len, f"{what} header", path)
    dtype, shape, fortran = _parse_npy_header(header, major, what, path)
    count = prod(shape)
    nbytes = count * dtype.itemsize
    if nbytes > limits.max_array_bytes:
        raise LimitExceededError(f"{what} declares {nbytes} bytes of {dtype} {shape}, over the "
                                 f"limit of {limits.max_array_bytes} bytes", path)
    if nbytes > available - start - header_len:
        raise ConversionError(f"{what} declares {nbytes} bytes of data for {dtype} {shape} but "
                              f"holds {max(available - start - header_len, 0)}", path)
    flat = np.empty(count, dtype)
    view = memoryview(flat.view(np.uint8)) if nbytes else memoryview(b"")
    filled = 0
    while filled < nbytes:
        got = fp.readinto(view[filled:])  # type: ignore[attr-defined]
        if not got:
            raise ConversionError(f"{what} is truncated: {filled} of {nbytes} data bytes", path)
        filled += got
    if fp.read(1):
        raise ConversionError(f"{what} has more data than its header declares", path)
    array = flat.reshape(shape[::-1]).T if fortran else flat.reshape(shape)
    if not dtype.isnative and dtype.fields is None:
        array = array.byteswap().view(dtype.newbyteorder("="))
    return array


def _parse_npy_header(header: bytes, major: int, what: str, path: str
                      ) -> tuple[np.dtype, tuple[int, ...], bool]:
    """``(dtype, shape, fortran_order)`` of an ``.npy`` header dict, validated."""
    try:
        value = ast.literal_eval(header.decode("utf-8" if major >= 3 else "latin-1"))
    except Exception as exc:  # SyntaxError, ValueError, MemoryError, RecursionError
        raise ConversionError(f"{what} header is not a Python literal ({_fail(exc)})",
                              path) from None
    if not isinstance(value, dict) or set(value) != {"descr", "fortran_order", "shape"}:
        raise ConversionError(f"{what} header must be a dict with keys 'descr', 'fortran_order' "
                              f"and 'shape' (got {summarize(value)})", path)
    shape, fortran = value["shape"], value["fortran_order"]
    if not isinstance(shape, tuple) or not all(type(n) is int and n >= 0 for n in shape):
        raise ConversionError(f"{what} header shape must be a tuple of sizes >= 0 "
                              f"(got {summarize(shape)})", path)
    if len(shape) > 32 or not isinstance(fortran, bool):
        raise ConversionError(f"{what} header has {len(shape)} dimensions or a bad "
                              f"fortran_order", path)
    try:
        dtype = np.lib.format.descr_to_dtype(value["descr"])
    except Exception as exc:
        raise ConversionError(f"{what} header has an unknown dtype ({_fail(exc)})", path) from None
    if dtype.hasobject:
        raise RefusedError(f"{what} holds Python objects (pickled data), which are never loaded; "
                           f"save numeric arrays with allow_pickle=False", path)
    if dtype.itemsize == 0:
        raise ConversionError(f"{what} has a dtype of size 0 ({dtype})", path)
    return dtype, shape, fortran


def decode_npz_bytes(data: bytes, *, path: str = "", limits: Limits = DEFAULT_LIMITS) -> np.ndarray:
    """Decode an ``.npz`` holding exactly one array; never unpickles.

    The member count, the member's declared uncompressed size and its ``.npy`` header are all
    checked before anything is decompressed beyond the header.

    :raises LimitExceededError: too many members, or a member or array too large.
    :raises ConversionError: not a zip, not exactly one member, or a damaged member.
    :raises RefusedError: the array holds Python objects (pickled data).
    """
    _check_bytes(data, "an .npz file", path, limits)
    data = bytes(data)
    declared = _zip_entry_count(data)
    if declared is not None and declared > limits.max_npz_members:
        raise LimitExceededError(f".npz has {declared} members, over the limit of "
                                 f"{limits.max_npz_members}", path)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            if len(members) > limits.max_npz_members:
                raise LimitExceededError(f".npz has {len(members)} members, over the limit of "
                                         f"{limits.max_npz_members}", path)
            files = [info for info in members if not info.is_dir()]
            if len(files) != 1:
                names = ", ".join(_short(info.filename, 30) for info in files[:5])
                more = ", ..." if len(files) > 5 else ""
                found = f"{len(files)}: {names}{more}" if files else "none"
                raise ConversionError(f"expected exactly one array in the .npz, found {found}",
                                      path)
            info = files[0]
            cap = limits.max_array_bytes + _MAX_NPY_HEADER + 12
            if info.file_size > cap:
                raise LimitExceededError(f".npz member {_short(info.filename, 30)} declares "
                                         f"{info.file_size} bytes, over the limit of {cap}", path)
            with archive.open(info) as member:
                return _read_npy(member, info.file_size, f".npz member {_short(info.filename, 30)}",
                                 path, limits)
    except ConversionError:
        raise
    except MemoryError:
        raise LimitExceededError(".npz member is too large to decode in memory", path) from None
    except Exception as exc:  # BadZipFile, zlib.error, EOFError, NotImplementedError, ...
        raise ConversionError(f"not a valid .npz file ({_fail(exc)})", path) from None


def _zip_entry_count(data: bytes) -> int | None:
    """Entries declared by the zip's end-of-central-directory record, read before parsing."""
    at = data.rfind(b"PK\x05\x06", max(0, len(data) - 22 - 65535))
    if at < 0 or at + 22 > len(data):
        return None
    count: int = struct.unpack_from("<H", data, at + 10)[0]
    return None if count == 0xFFFF else count  # 0xFFFF: the zip64 record holds the count


# --- data URLs ---------------------------------------------------------------------------------

def is_data_url(text: object) -> bool:
    """Return whether ``text`` is a string starting with ``data:`` (any case)."""
    return isinstance(text, str) and text.lstrip()[:5].lower() == "data:"


# Line breaks are dropped, a space is a '+' that a query string decoded, '-' and '_' are the
# URL-safe alphabet.
_BASE64_FIXES = (("\r", ""), ("\n", ""), ("\t", ""), (" ", "+"), ("-", "+"), ("_", "/"))


def decode_data_url(text: str, *, path: str = "", limits: Limits = DEFAULT_LIMITS) -> np.ndarray:
    """Decode a base64 data URL of an image, ``.npy`` or ``.npz`` into an array.

    Accepted media types: ``image/*``, ``ndarray/npy``, ``ndarray/npz`` and
    ``application/octet-stream``; the payload is sniffed, so a GIF labelled ``image/png``
    decodes as a GIF. The base64 is strict, with these allowances: whitespace (CR, LF, tabs)
    is dropped, a space counts as ``+`` (a query string decodes ``+`` to a space), the URL-safe
    alphabet (``-``, ``_``) is accepted, missing ``=`` padding is added, and a percent-encoded
    payload is unquoted.

    :raises ConversionError: not a base64 data URL of an accepted media type, or bad base64.
    :raises LimitExceededError: the payload decodes to more than ``limits.max_bytes``.
    """
    if not is_data_url(text):
        found = _short(text) if isinstance(text, str) else summarize(text)
        raise ConversionError(f"expected {_EXPECTED_URL} (got {found})", path)
    text = text.strip()
    comma = text.find(",")
    if comma < 0:
        raise ConversionError(f"data URL has no ',' before its payload (got {_short(text)})", path)
    params = [part.strip().lower() for part in text[5:comma].split(";")]
    media = params[0]
    if not (media.startswith("image/") or media in _ARRAY_MEDIA):
        raise ConversionError(f"expected a data URL of an image or array (data:image/..., "
                              f"data:ndarray/npy, data:ndarray/npz), got media type "
                              f"{_short(media or 'text/plain', 40)}", path)
    if params[-1] != "base64":
        raise ConversionError(f"expected a base64 data URL (';base64,' before the payload), "
                              f"got {_short(text[:comma + 1])}", path)
    payload = text[comma + 1:]
    budget = 4 * -(-limits.max_bytes // 3)  # base64 length of max_bytes
    if len(payload) > 2 * budget + 1024:  # before any copy; whitespace is allowed some room
        raise LimitExceededError(f"data URL payload of {len(payload)} characters is over the "
                                 f"limit of {limits.max_bytes} bytes", path)
    if "%" in payload:
        payload = unquote(payload)
    clean = payload
    for old, new in _BASE64_FIXES:  # a scan per character is cheap; a rewrite only when needed
        if old in clean:
            clean = clean.replace(old, new)
    if len(clean) > budget + 4:
        raise LimitExceededError(f"data URL payload of {len(clean)} base64 characters is over "
                                 f"the limit of {limits.max_bytes} bytes", path)
    if len(clean) % 4 == 1:
        raise ConversionError(f"data URL payload is not valid base64 (its length {len(clean)} is "
                              f"impossible)", path)
    try:
        raw = base64.b64decode(clean + "=" * (-len(clean) % 4), validate=True)
    except (binascii.Error, ValueError) as exc:
        bad = re.search(r"[^A-Za-z0-9+/=]", clean)
        where = f": {clean[bad.start()]!r} at offset {bad.start()}" if bad else f" ({_fail(exc)})"
        raise ConversionError(f"data URL payload is not valid base64{where}", path) from None
    return decode_bytes(raw, path=path, limits=limits)


# --- arrays -> data URLs -----------------------------------------------------------------------

def encode_png(array: np.ndarray, *, compress_level: int = 1) -> bytes:
    """Encode an image-like array (uint8, (h, w), (h, w, 3) or (h, w, 4), not empty) as PNG.

    ``compress_level`` 1 and no ``optimize``: speed over size.

    :raises ConversionError: the array is not image-like.
    """
    if not is_image_array(array) or array.size == 0:
        raise ConversionError(f"expected a non-empty uint8 array of shape (h, w), (h, w, 3) or "
                              f"(h, w, 4) to encode as PNG (got {summarize(array)})")
    from PIL import Image

    buffer = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(array)).save(
        buffer, format="PNG", compress_level=compress_level, optimize=False)
    return buffer.getvalue()


def encode_png_data_url(array: np.ndarray, *, compress_level: int = 1) -> str:
    """``data:image/png;base64,...`` of an image-like array (see :func:`encode_png`)."""
    png = encode_png(array, compress_level=compress_level)
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def encode_npy_data_url(array: np.ndarray) -> str:
    """``data:ndarray/npy;base64,...`` of any array without Python objects.

    :raises ConversionError: the array holds Python objects (never pickled).
    """
    buffer = io.BytesIO()
    try:
        np.save(buffer, np.asarray(array), allow_pickle=False)
    except ValueError as exc:
        raise ConversionError(f"cannot encode {summarize(array)} as .npy ({_fail(exc)})") from None
    return "data:ndarray/npy;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def encode_array(array: np.ndarray) -> str:
    """A PNG data URL for a non-empty image-like array, else an npy data URL."""
    if is_image_array(array) and array.size:
        return encode_png_data_url(array)
    return encode_npy_data_url(array)


# --- text -> values --------------------------------------------------------------------------

def split_list(text: str) -> list[str]:
    """Split comma-separated values, keeping each data URL's own comma inside its item.

    ``""`` gives ``[]``; items are stripped; empty items are kept (and fail later). A comma
    inside an http(s) or file URL must be written ``%2C``.
    """
    if not text.strip():
        return []
    pieces = text.split(",")
    items: list[str] = []
    i = 0
    while i < len(pieces):
        piece = pieces[i]
        if is_data_url(piece) and i + 1 < len(pieces):  # "data:<type>;base64" + "," + payload
            piece, i = f"{piece},{pieces[i + 1]}", i + 1
        items.append(piece.strip())
        i += 1
    return items


_INT = re.compile(r"[+-]?[0-9]+")
_FLOAT = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_SPECIAL = re.compile(r"[+-]?(?:nan|inf|infinity)", re.IGNORECASE)
_BOOL_WORDS = {"true": True, "1": True, "yes": True, "on": True,
               "false": False, "0": False, "no": False, "off": False}


def parse_number(text: str, iotype: IOType, *, path: str = "") -> int | float:
    """Parse a number for ``numeric``, ``numeric/int`` or ``numeric/float``.

    ``"3"`` -> 3 (3.0 for float); ``"3.5"``, ``"1e3"`` -> float (for int only when integral:
    ``"1e3"`` -> 1000); ``nan``/``inf`` for numeric and numeric/float only.

    :raises ConversionError: anything else, with what was expected and found.
    """
    sub = getattr(iotype, "sub", None)
    s = text.strip() if isinstance(text, str) else ""
    if isinstance(text, str) and len(s) <= 400:
        try:
            if _INT.fullmatch(s):
                return float(int(s)) if sub == "float" else int(s)
            if _FLOAT.fullmatch(s) and sub != "int":
                return float(s)
            if _FLOAT.fullmatch(s):
                exact = Decimal(s)
                if exact == exact.to_integral_value() and exact.adjusted() < 400:
                    return int(exact)
            if _SPECIAL.fullmatch(s) and sub != "int":
                return float(s)
        except (ValueError, OverflowError, InvalidOperation):
            pass
    found = _short(text) if isinstance(text, str) else summarize(text)
    raise ConversionError(f"must be {iotype} (got {found})", path)


def parse_bool(text: str, *, path: str = "") -> bool:
    """Parse true/false, 1/0, yes/no, on/off (any case, surrounding spaces ignored).

    :raises ConversionError: any other text.
    """
    value = _BOOL_WORDS.get(text.strip().lower()) if isinstance(text, str) else None
    if value is None:
        found = _short(text) if isinstance(text, str) else summarize(text)
        raise ConversionError(f"must be boolean: true/false, 1/0, yes/no or on/off (got {found})",
                              path)
    return value


def _data_url_only(text: str, path: str) -> np.ndarray:
    """The default array resolver: data URLs only, no network, no files."""
    if is_data_url(text):
        return decode_data_url(text, path=path)
    raise ConversionError(f"expected {_EXPECTED_URL} (got {_short(text)}); "
                          f"http(s):// and file:// URLs need a fetcher", path)


def _checked(value: object, iotype: IOType, path: str) -> object:
    """``value`` after ``iotype.check``, a TypeCheckError turned into a ConversionError."""
    label = path or "value"
    try:
        iotype.check(value, label)
    except TypeCheckError as exc:
        where, message = exc.path or label, str(exc)
        if message.startswith(f"{where} "):
            message = message[len(where) + 1:]
        raise ConversionError(message, path if where == label else where) from None
    return value


def from_text(text: str, iotype: IOType, *, path: str = "",
              resolve_array: ArrayResolver | None = None) -> object:
    """Convert one query-string or form value to the declared type.

    Numbers and booleans as :func:`parse_number` and :func:`parse_bool`; text as is; arrays
    through ``resolve_array(text, path)`` (default: data URLs only); annotations as JSON text;
    lists as comma-separated items (:func:`split_list`), or as JSON text starting with ``[``
    unless the items are text.

    :raises ConversionError: the text cannot become a value of ``iotype``.
    """
    if not isinstance(text, str):
        raise ConversionError(f"expected text for {iotype} (got {summarize(text)})", path)
    kind = iotype.kind
    if kind == "numeric":
        value: object = parse_number(text, iotype, path=path)
    elif kind == "boolean":
        value = parse_bool(text, path=path)
    elif kind == "text":
        value = text
    elif kind == "ndarray":
        value = (resolve_array or _data_url_only)(text.strip(), path)
    elif kind == "annotation" or (kind == "list" and text.lstrip().startswith("[")
                                  and iotype.item.kind != "text"):  # type: ignore[attr-defined]
        return from_json(_json_text(text, iotype, path), iotype, path=path,
                         resolve_array=resolve_array)
    elif kind == "list":
        item = iotype.item  # type: ignore[attr-defined]
        value = [from_text(part, item, path=f"{path}[{i}]", resolve_array=resolve_array)
                 for i, part in enumerate(split_list(text))]
    else:
        raise ConversionError(f"cannot convert text to {iotype}", path)
    return _checked(value, iotype, path)


def _json_text(text: str, iotype: IOType, path: str) -> object:
    try:
        return json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise ConversionError(f"expected {iotype} as JSON text (got {_short(text)}: "
                              f"{_fail(exc)})", path) from None


def from_json(value: object, iotype: IOType, *, path: str = "",
              resolve_array: ArrayResolver | None = None) -> object:
    """Convert a JSON-decoded value to the declared type.

    Numbers: bools are refused; an int becomes a float for ``numeric/float``; a float with an
    integral value becomes an int for ``numeric/int`` (3.0 -> 3, 3.5 refused). Arrays: a
    string goes through ``resolve_array`` (default: data URLs only); nested lists become an
    array of the declared dtype, each value checked to fit it (300 for uint8 is refused, as
    are ragged lists). Lists and annotations are JSON lists.

    :raises ConversionError: the value cannot become a value of ``iotype``.
    """
    kind = iotype.kind
    if kind == "numeric" and not isinstance(value, bool) and isinstance(value, (int, float)):
        sub = iotype.sub  # type: ignore[attr-defined]
        if sub == "float" and isinstance(value, int):
            try:
                value = float(value)
            except OverflowError:
                raise ConversionError(f"must be {iotype} (got an int too large for a float)",
                                      path) from None
        elif sub == "int" and isinstance(value, float) and value.is_integer():
            value = int(value)
    elif kind == "ndarray" and isinstance(value, str):
        value = (resolve_array or _data_url_only)(value.strip(), path)
    elif kind == "ndarray" and (isinstance(value, (list, tuple, int, float))):
        value = _array_from_lists(value, iotype, path)
    elif kind == "list" and isinstance(value, (list, tuple)):
        item = iotype.item  # type: ignore[attr-defined]
        value = [from_json(element, item, path=f"{path}[{i}]", resolve_array=resolve_array)
                 for i, element in enumerate(value)]
    return _checked(value, iotype, path)


def _array_from_lists(value: object, iotype: IOType, path: str) -> np.ndarray:
    """Nested JSON lists as an array of the declared dtype, refusing values that do not fit."""
    target: np.dtype | None = getattr(iotype, "np_dtype", None)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # numpy < 1.24 only warns about ragged lists
            array = np.array(value)
    except Exception:
        array = np.array(None)
    if array.dtype.kind not in "biuf":
        raise ConversionError(f"expected {iotype} as nested lists of numbers of equal lengths "
                              f"(got {summarize(value)})", path)
    if target is None or array.size == 0:
        return array if target is None else array.astype(target)
    source, goal = array.dtype.kind, target.kind
    problem = None
    if goal == "b" and source != "b":
        problem = "true/false values"
    elif goal != "b" and source == "b":
        problem = "numbers, not true/false"
    elif goal in "iu":
        info = np.iinfo(target)
        if source == "f" and not (np.isfinite(array).all() and (array == np.round(array)).all()):
            problem = "whole numbers"
        elif array.min() < info.min or array.max() > info.max:
            bad = array.min() if array.min() < info.min else array.max()
            problem = f"values from {info.min} to {info.max} (found {bad.item()!r})"
    elif goal == "f":
        with np.errstate(over="ignore"):
            cast = array.astype(target)
        if not np.isfinite(cast[np.isfinite(array)]).all():
            problem = f"values within the range of {target}"
    elif goal not in "bc":
        problem = f"a dtype that JSON numbers can fill, not {target}"
    if problem:
        raise ConversionError(f"must be {iotype}: expected {problem}", path)
    return array.astype(target)


# --- values -> JSON ----------------------------------------------------------------------------

def to_json(value: object, iotype: IOType) -> object:
    """A typed value as JSON-able data: arrays as data URLs (:func:`encode_array`), numpy
    scalars as Python scalars, tuples as lists, recursively. NaN and infinite floats stay
    floats: the caller decides how to serialize them (``json.dumps`` writes ``NaN``).

    :raises ConversionError: an array holds Python objects.
    """
    kind = iotype.kind
    if kind == "ndarray" and isinstance(value, np.ndarray):
        return encode_array(value)
    if kind == "list" and isinstance(value, (list, tuple)):
        item = iotype.item  # type: ignore[attr-defined]
        return [to_json(element, item) for element in value]
    return _plain(value)


def _plain(value: object) -> object:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, (list, tuple)):
        return [_plain(element) for element in value]
    if isinstance(value, dict):
        return {str(key): _plain(element) for key, element in value.items()}
    return value
