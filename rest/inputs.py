"""A request's arguments, gathered from every place they may be, converted and checked.

Arguments come by name from the query string, a form body (url-encoded or multipart;
a file field is the raw bytes of an image, ``.npy`` or ``.npz``) or a JSON object body.
The query string may be combined with a body. Every argument is converted by the core
(:func:`amodule_core.convert.from_text`, :func:`~amodule_core.convert.from_json`,
:func:`~amodule_core.convert.decode_bytes`) with arrays from URLs resolved by one
:class:`~amodule_core.fetch.Fetcher`, and checked against its declared type.

A list argument may also be given several times (``-F images=@a.png -F images=@b.png``);
the values are joined in order. Any other argument given twice, a missing argument and
an argument the method does not take are 400 errors naming them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from flask import Request
from werkzeug.exceptions import UnsupportedMediaType

from amodule_core.convert import Limits, check_value, decode_bytes, from_json, from_text, split_list
from amodule_core.fetch import Fetcher, FetchPolicy
from amodule_core.iotypes import IOType

from .config import RestConfig
from .errors import BadRequestError

if TYPE_CHECKING:
    from .service import ArgEntry, MethodEntry

__all__ = ["Converter", "Upload", "gather_arguments"]

_TEXT, _JSON, _FILE = "text", "json", "file"
_FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")


@dataclass(frozen=True)
class Upload:
    """A file field of a multipart body."""

    filename: str
    data: bytes


@dataclass(frozen=True)
class _Raw:
    source: str  # _TEXT, _JSON or _FILE
    value: Any


def gather_arguments(request: Request) -> dict[str, list[_Raw]]:
    """Every argument of ``request`` by name, each with its values in the order given.

    Raises:
        BadRequestError: the JSON body is not valid JSON or not an object, or a multipart
            part has no name.
        werkzeug.exceptions.UnsupportedMediaType: a body of another content type.
        werkzeug.exceptions.RequestEntityTooLarge: the body is over the limit.
    """
    found: dict[str, list[_Raw]] = {}

    def add(name: str | None, raw: _Raw) -> None:
        if name is None:  # Werkzeug's name for a multipart part without name="..."
            raise BadRequestError('a multipart part has no name (its Content-Disposition needs name="...")')
        found.setdefault(name, []).append(raw)

    for name, value in request.args.items(multi=True):
        add(name, _Raw(_TEXT, value))
    if request.method in ("GET", "HEAD"):
        return found
    mimetype = request.mimetype
    if request.is_json:
        for name, value in _json_body(request).items():
            add(name, _Raw(_JSON, value))
    elif mimetype in _FORMS:
        for name, value in request.form.items(multi=True):
            add(name, _Raw(_TEXT, value))
        for name, storage in request.files.items(multi=True):
            data = storage.read()
            if not data and not storage.filename:  # a browser's empty file input
                continue
            add(name, _Raw(_FILE, Upload(storage.filename or "", data)))
    elif request.get_data(cache=True):
        raise UnsupportedMediaType(
            f"a body of type {mimetype or 'unknown'!r} is not understood; send "
            "application/json, application/x-www-form-urlencoded or multipart/form-data"
        )
    return found


def _json_body(request: Request) -> dict[str, Any]:
    data = request.get_data(cache=True)
    if not data.strip():
        return {}
    try:
        body = json.loads(data)
    except (ValueError, RecursionError) as exc:
        raise BadRequestError(f"the body is not valid JSON ({exc})") from None
    if not isinstance(body, dict):
        kind = type(body).__name__
        raise BadRequestError(f"the JSON body must be an object of arguments by name (got a {kind})")
    return body


class Converter:
    """Converts gathered arguments to a method's typed inputs, under one set of limits."""

    def __init__(self, config: RestConfig) -> None:
        self.limits = Limits(
            max_bytes=config.max_request_bytes,
            max_pixels=config.max_pixels,
            max_array_bytes=config.max_pixels * 8,
        )
        policy = FetchPolicy(
            file_roots=config.file_roots,
            allow_private=config.allow_private_urls,
            connect_timeout=min(3.0, config.fetch_timeout),
            total_timeout=config.fetch_timeout,
            limits=self.limits,
        )
        self.fetcher = Fetcher(policy)
        self.resolve_array = self.fetcher.resolve_array

    def convert(self, entry: MethodEntry, arguments: dict[str, list[_Raw]]) -> tuple[Any, ...]:
        """The inputs of ``entry`` in spec order.

        Raises:
            BadRequestError: a missing, unknown or repeated argument.
            ConversionError: a value cannot become its declared type (403/413 for
                refused or too large data).
        """
        unknown = [name for name in arguments if name not in entry.args]
        if unknown:
            takes = ", ".join(entry.args) or "no arguments"
            raise BadRequestError(
                f"unknown {_plural('argument', unknown)} {_names(unknown)} for {entry.describe()} "
                f"(it takes: {takes})",
                unknown[0],
            )
        missing = [name for name in entry.args if name not in arguments]
        if missing:
            raise BadRequestError(
                f"missing {_plural('argument', missing)} {_names(missing)} of {entry.describe()}", missing[0]
            )
        return tuple(self._one(arg, arguments[name]) for name, arg in entry.args.items())

    def _one(self, arg: ArgEntry, values: list[_Raw]) -> Any:
        name, iotype = arg.name, arg.spec.type
        if len(values) > 1 and not arg.is_list:
            raise BadRequestError(f"{name!r} is given {len(values)} times; give one {iotype}", name)
        if len(values) == 1:
            return self._value(arg, values[0], name)
        items: list[Any] = []
        for raw in values:  # a list given in pieces: each piece adds its items
            items.extend(self._pieces(arg, raw, len(items)))
        check_value(items, iotype, name)
        return items

    def _value(self, arg: ArgEntry, raw: _Raw, path: str) -> Any:
        iotype = arg.spec.type
        if raw.source == _FILE:
            if not arg.holds_arrays:
                raise BadRequestError(
                    f"{path!r} is {iotype}: a file upload is accepted only for arrays; "
                    "send the value as a form field",
                    path,
                )
            if arg.is_list:
                return [self._upload(raw.value, f"{path}[0]", iotype.item)]  # type: ignore[attr-defined]
            return self._upload(raw.value, path, iotype)
        if raw.source == _JSON and not (isinstance(raw.value, str) and _from_text_first(iotype)):
            return from_json(raw.value, iotype, path=path, resolve_array=self.resolve_array)
        return from_text(raw.value, iotype, path=path, resolve_array=self.resolve_array)

    def _pieces(self, arg: ArgEntry, raw: _Raw, start: int) -> Iterable[Any]:
        item = arg.spec.type.item  # type: ignore[attr-defined]
        if raw.source == _FILE:
            return [self._upload(raw.value, f"{arg.name}[{start}]", item)]
        if raw.source == _TEXT and not raw.value.lstrip().startswith("["):
            return [
                from_text(text, item, path=f"{arg.name}[{start + i}]", resolve_array=self.resolve_array)
                for i, text in enumerate(split_list(raw.value))
            ]
        value = self._value(arg, raw, arg.name)
        return value if isinstance(value, list) else [value]

    def _upload(self, upload: Upload, path: str, iotype: IOType | None = None) -> Any:
        array = decode_bytes(upload.data, path=path, limits=self.limits)
        if iotype is not None:
            check_value(array, iotype, path)
        return array


def _from_text_first(iotype: IOType) -> bool:
    """JSON strings for numbers, booleans, lists and annotations are read as query text
    (``{"threshold": "130"}``, ``{"images": "<url>,<url>"}``)."""
    return iotype.kind in ("numeric", "boolean", "annotation", "list")


def _plural(word: str, items: list[str]) -> str:
    return word if len(items) == 1 else word + "s"


def _names(names: list[str]) -> str:
    shown = [repr(name if len(name) <= 40 else name[:37] + "...") for name in names[:10]]
    more = f" and {len(names) - 10} more" if len(names) > 10 else ""
    return ", ".join(shown) + more
