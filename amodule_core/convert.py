"""Converters between web data and typed values: text, JSON and data URLs in, JSON out.

Query-string and form text and JSON values become the declared IO type; typed values become
JSON. Arrays are decoded by :mod:`amodule_core.codec` (bytes, data URLs, PNG), whose names
are re-exported here. Every function raises only :class:`ConversionError` (or a subclass).

Messages leave out the path: :class:`ConversionError` puts it in front (``threshold: must be
numeric/int (got '3.5')``).
"""

from __future__ import annotations

import json
import re
import warnings
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
import numpy as np

from .codec import (
    _EXPECTED_URL,
    DEFAULT_LIMITS,
    Limits,
    _fail,
    _short,
    decode_bytes,
    decode_data_url,
    decode_image_bytes,
    decode_npy_bytes,
    decode_npz_bytes,
    encode_array,
    encode_npy_data_url,
    encode_png,
    encode_png_data_url,
    is_data_url,
)
from .errors import ConversionError, TypeCheckError
from .iotypes import IOType, summarize

__all__ = [
    "DEFAULT_LIMITS", "Limits", "check_value", "decode_bytes", "decode_data_url", "decode_image_bytes",
    "decode_npy_bytes", "decode_npz_bytes", "encode_array", "encode_npy_data_url", "encode_png",
    "encode_png_data_url", "from_json", "from_text", "is_data_url", "parse_bool", "parse_number",
    "split_list", "to_json",
]

#: ``resolve_array(text, path)``: turns the text of an array argument (a data URL, a URL) into
#: an array; the REST layer passes :meth:`amodule_core.fetch.Fetcher.resolve_array`.
ArrayResolver = Callable[[str, str], np.ndarray]


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


def check_value(value: object, iotype: IOType, path: str) -> object:
    """``value`` after ``iotype.check``, a TypeCheckError turned into a ConversionError
    addressed to ``path`` (or to the element at fault, ``path[2]``)."""
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
    return check_value(value, iotype, path)


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
    return check_value(value, iotype, path)


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
    elif goal in "fc":  # complex too: 1e300 for complex64 would be inf, with a RuntimeWarning
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
