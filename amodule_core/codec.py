"""Bytes and data URLs to numpy arrays and back: images, ``.npy``, ``.npz``, PNG data URLs.

Everything here decodes data that came from outside, so every function is bounded by a
:class:`Limits` and raises only :class:`ConversionError` (or its subclasses
:class:`LimitExceededError` and :class:`RefusedError`): no Pillow, zipfile, numpy or base64
exception escapes. Payloads are sniffed by their magic bytes, never trusted by their label;
``.npy`` data is read with a parser of our own that never unpickles.

:mod:`amodule_core.convert` re-exports these names; text and JSON conversion live there.
"""

from __future__ import annotations

import ast
import base64
import binascii
import io
import re
import struct
import warnings
import zipfile
from dataclasses import dataclass
from math import prod
from typing import IO, Any

import numpy as np

from .errors import ConversionError, LimitExceededError, RefusedError
from .iotypes import is_image_array, summarize

__all__ = [
    "DEFAULT_LIMITS", "Limits", "decode_bytes", "decode_data_url", "decode_image_bytes",
    "decode_npy_bytes", "decode_npz_bytes", "encode_array", "encode_npy_data_url", "encode_png",
    "encode_png_data_url", "is_data_url",
]


@dataclass(frozen=True)
class Limits:
    """Bounds on data from outside; each is checked before the work it bounds is done."""

    max_bytes: int = 32 * 2**20  # raw bytes of one payload (decoded base64, file, download)
    max_pixels: int = 50_000_000  # decoded image pixels (w * h)
    max_array_bytes: int = 512 * 2**20  # declared nbytes of an .npy or of each .npz member
    max_npz_members: int = 64


DEFAULT_LIMITS = Limits()

_NPY_MAGIC = b"\x93NUMPY"
_ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")
_MAX_NPY_HEADER = 10_000  # numpy's own limit since 1.24
# .npz members may be stored, deflated (numpy) or bzip2-compressed (a few MB at most to
# inflate). LZMA is refused: its header sets the dictionary it allocates, up to 4 GB for a
# member of 200 bytes.
_NPZ_METHODS = frozenset({zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2})
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
    :raises ConversionError: not a zip, not exactly one member, a damaged member, or one
        compressed other than stored, deflate (what numpy writes) or bzip2.
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
            if info.compress_type not in _NPZ_METHODS:
                method = "LZMA" if info.compress_type == zipfile.ZIP_LZMA else \
                    f"zip method {info.compress_type}"
                raise ConversionError(f".npz member {_short(info.filename, 30)} is compressed with "
                                      f"{method}; numpy writes stored or deflated members", path)
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


_ESCAPE = re.compile(r"%[0-9A-Fa-f]{2}")


def _unquote(text: str, step: int = 8192) -> str:
    """Decode the ``%XX`` escapes of a data URL's payload, a slice of ``step`` at a time.

    Not ``urllib.parse.unquote``: it splits the whole text at every '%' at once, ~190 bytes
    and ~3 us per '%' (a payload of 32 MB of '%' took 6 GB and 100 s). A base64 payload is
    ASCII, so each escape is the character of its byte; a slice never ends inside one.
    """
    pieces, start = [], 0
    while start < len(text):
        end = start + step
        if end < len(text):
            cut = text.rfind("%", end - 2, end)  # an escape "%XX" that the slice would split
            end = cut if cut >= 0 else end
        pieces.append(_ESCAPE.sub(_unescape, text[start:end]))
        start = end
    return "".join(pieces)


_UNESCAPED = {f"%{a}{b}": chr(int(a + b, 16)) for a in "0123456789abcdefABCDEF"
              for b in "0123456789abcdefABCDEF"}


def _unescape(match: re.Match[str]) -> str:
    return _UNESCAPED[match.group()]


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
        payload = _unquote(payload)
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
