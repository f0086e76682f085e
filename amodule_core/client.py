"""Call a served module like a local object::

    from amodule_core.client import RemoteModule

    module = RemoteModule("http://127.0.0.1:5000")
    mask, count = module.process(image, 130)  # numpy arrays and numbers, as a local call gives

On first use the client reads ``GET /api/run``: the methods the server exposes, with their
inputs' and outputs' types. A call checks its arguments against those types (the same
:class:`~amodule_core.errors.TypeCheckError` as a local call), posts them as one JSON body
(arrays as data URLs: PNG for image-like uint8 arrays, ``.npy`` otherwise), and turns the
answer back into typed values: data URLs into arrays, ``numeric/int`` into ``int``,
``numeric/float`` into ``float``, annotations into ``(kind, [geometry tuples])``.

An array argument may also be a URL string (the server fetches it, within its own policy)
or a :class:`pathlib.Path` (the file's bytes are sent as they are, e.g. the original JPEG).
Errors from the server raise :class:`RemoteError` with its type, message and path.
"""

from __future__ import annotations

import base64
import inspect
import json
import threading
from pathlib import Path
from typing import Any

import numpy as np

from .convert import Limits, decode_data_url, is_data_url, to_json
from .errors import AModuleError, ConversionError, TypeCheckError
from .iotypes import IOType, ListType, parse_type

__all__ = ["RemoteModule", "RemoteMethod", "RemoteError", "RESPONSE_LIMITS"]

#: Limits on arrays decoded from a server's answers: the server is trusted by whoever
#: points the client at it, so they only stop accidents.
RESPONSE_LIMITS = Limits(max_bytes=2 * 2**30, max_pixels=400_000_000, max_array_bytes=4 * 2**30)


class RemoteError(AModuleError):
    """A served module answered with an error, or could not be reached or understood.

    ``status`` is the HTTP status (``None`` when there was no answer), ``type`` the
    server's error type (``ConversionError``, ``ModuleFault``, ...), ``message`` its
    message, ``path`` the argument or spec location it names, ``url`` the request's URL,
    ``traceback`` the module's traceback when the server runs with ``--debug``.
    """

    def __init__(self, message: str, *, status: int | None = None, type: str = "", path: str = "", url: str = "",
                 traceback: str | None = None) -> None:
        self.status = status
        self.traceback = traceback
        self.type = type
        self.message = message
        self.path = path
        self.url = url
        what = f"HTTP {status}" if status is not None else "no answer"
        kind = f" {type}" if type else ""
        super().__init__(f"{message} ({what}{kind} from {url})" if url else message)


class _Arg:
    """An input or output as /api/run describes it."""

    def __init__(self, data: Any, where: str) -> None:
        if not isinstance(data, dict) or not isinstance(data.get("name"), str):
            raise RemoteError(f"unexpected method description from the server at {where}: {_short(data)}")
        self.name: str = data["name"]
        self.type: IOType = parse_type(data.get("type", ""))
        self.description: str = data.get("description", "")


class RemoteMethod:
    """A method of a served module, called with positional or keyword arguments."""

    def __init__(self, remote: RemoteModule, name: str, description: dict[str, Any]) -> None:
        self._remote = remote
        self.__name__ = name
        self.name = name
        self.inputs = [_Arg(a, f"{name}.input") for a in description.get("input", [])]
        self.outputs = [_Arg(a, f"{name}.output") for a in description.get("output", [])]
        self.description = description.get("description", "")
        self.__doc__ = self.description or None
        self.__signature__ = inspect.Signature(
            [inspect.Parameter(a.name, inspect.Parameter.POSITIONAL_OR_KEYWORD) for a in self.inputs
             if a.name.isidentifier()]
        )

    def __repr__(self) -> str:
        params = ", ".join(f"{a.name}: {a.type}" for a in self.inputs)
        return f"<RemoteMethod {self.name}({params}) at {self._remote.url}>"

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """Run the method on the server; one output bare, several as a tuple, none as None.

        Raises:
            TypeError: wrong count or names of arguments.
            TypeCheckError: an argument does not match its declared type.
            RemoteError: the server answered with an error, or not at all.
        """
        values = self._bind(args, kwargs)
        body = {}
        for index, (arg, value) in enumerate(zip(self.inputs, values)):
            body[arg.name] = _encode(value, arg.type, f"{self.name}.input[{index}] {arg.name!r}")
        data = self._remote._post(f"/api/run/{self.name}", body)
        outputs = data.get("outputs") if isinstance(data, dict) else None
        if not isinstance(outputs, dict):
            raise RemoteError(f"{self.name}: the answer has no 'outputs' object: {_short(data)}", url=self._remote.url)
        decoded = []
        for index, arg in enumerate(self.outputs):
            label = f"{self.name}.output[{index}] {arg.name!r}"
            if arg.name not in outputs:
                raise RemoteError(f"{label}: missing from the server's answer", url=self._remote.url)
            decoded.append(_decode(outputs[arg.name], arg.type, label))
        if len(decoded) == 1:
            return decoded[0]
        return tuple(decoded) if decoded else None

    def _bind(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> list[Any]:
        names = [a.name for a in self.inputs]
        if len(args) > len(names):
            raise TypeError(f"{self.name}() takes {len(names)} argument{'s' * (len(names) != 1)} "
                            f"({', '.join(names) or 'none'}) but {len(args)} were given")
        values: dict[str, Any] = dict(zip(names, args))
        for key, value in kwargs.items():
            if key not in names:
                raise TypeError(f"{self.name}() got an unexpected keyword argument {key!r} (it takes: {', '.join(names) or 'none'})")
            if key in values:
                raise TypeError(f"{self.name}() got multiple values for argument {key!r}")
            values[key] = value
        missing = [n for n in names if n not in values]
        if missing:
            listed = ", ".join(repr(n) for n in missing)
            raise TypeError(f"{self.name}() missing {len(missing)} required argument{'s' * (len(missing) != 1)}: {listed}")
        return [values[n] for n in names]


class RemoteModule:
    """A module served by ``amodule serve`` at ``url`` (``http://host:port``, with or
    without a trailing ``/api``), its methods as attributes.

    ``timeout``: seconds to wait for an answer (connection and reading). ``session``: a
    ``requests.Session`` to use (default: one per RemoteModule, keeping connections open).
    """

    def __init__(self, url: str, *, timeout: float = 60.0, session: Any = None) -> None:
        base = url.strip().rstrip("/")
        if base.endswith("/api"):
            base = base[: -len("/api")]
        if not base.lower().startswith(("http://", "https://")):
            raise ValueError(f"expected an http:// or https:// URL (got {url!r})")
        self.url = base
        self.timeout = timeout
        self._session = session
        self._methods: dict[str, RemoteMethod] | None = None
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"<RemoteModule at {self.url}>"

    @property
    def methods(self) -> dict[str, RemoteMethod]:
        """The methods the server exposes, read from ``/api/run`` once."""
        if self._methods is None:
            with self._lock:
                if self._methods is None:
                    data = self._get("/api/run")
                    if not isinstance(data, dict):
                        raise RemoteError(f"expected the methods as a JSON object from /api/run, got {_short(data)}", url=self.url)
                    self._methods = {name: RemoteMethod(self, name, desc) for name, desc in data.items()}
        return self._methods

    def spec(self) -> dict[str, Any]:
        """The module's specification as the server gives it (``/api/spec``)."""
        data = self._get("/api/spec")
        if not isinstance(data, dict):
            raise RemoteError(f"expected the specification as a JSON object, got {_short(data)}", url=self.url)
        return data

    def name(self) -> str:
        """The module's name (``module.name`` of its specification)."""
        return str(self._get("/api").get("name", ""))

    def __getattr__(self, name: str) -> RemoteMethod:
        if name.startswith("_"):
            raise AttributeError(name)
        methods = self.methods
        if name in methods:
            return methods[name]
        served = ", ".join(methods) or "none"
        raise AttributeError(f"the module at {self.url} has no method {name!r} (it serves: {served})")

    def __dir__(self) -> list[str]:
        return sorted(set(super().__dir__()) | set(self._methods or {}))

    # --- HTTP --------------------------------------------------------------------------------

    def _http(self) -> Any:
        if self._session is None:
            import requests

            self._session = requests.Session()
        return self._session

    def _get(self, route: str) -> Any:
        return self._request("GET", route)

    def _post(self, route: str, body: dict[str, Any]) -> Any:
        return self._request("POST", route, body)

    def _request(self, verb: str, route: str, body: dict[str, Any] | None = None) -> Any:
        import requests

        url = self.url + route
        kwargs: dict[str, Any] = {"timeout": self.timeout}
        if body is not None:
            kwargs["data"] = json.dumps(body, separators=(",", ":")).encode("utf-8")
            kwargs["headers"] = {"Content-Type": "application/json"}
        try:
            response = self._http().request(verb, url, **kwargs)
        except requests.RequestException as exc:
            raise RemoteError(f"cannot reach the module: {type(exc).__name__}: {_short(str(exc), 200)}", url=url) from exc
        try:
            data = response.json()
        except ValueError:
            data = None
        if response.status_code >= 400:
            error = data.get("error") if isinstance(data, dict) else None
            if isinstance(error, dict):
                trace = error.get("traceback")
                raise RemoteError(str(error.get("message", "")), status=response.status_code,
                                  type=str(error.get("type", "")), path=str(error.get("path", "")), url=url,
                                  traceback=trace if isinstance(trace, str) else None)
            raise RemoteError(f"the server answered {_short(response.text, 200)}", status=response.status_code, url=url)
        if data is None:
            raise RemoteError(f"expected JSON, got {_short(response.text, 200)}", status=response.status_code, url=url)
        return data


# --- values <-> JSON ---------------------------------------------------------------------------

def _encode(value: Any, iotype: IOType, label: str) -> Any:
    """An argument as JSON: checked against its type, arrays as data URLs."""
    if iotype.kind == "ndarray" and isinstance(value, (str, Path)):
        return _reference(value)
    if isinstance(iotype, ListType) and iotype.item.kind == "ndarray" and isinstance(value, (list, tuple)) \
            and any(isinstance(v, (str, Path)) for v in value):
        return [_reference(v) if isinstance(v, (str, Path)) else _encode(v, iotype.item, f"{label}[{i}]")
                for i, v in enumerate(value)]
    iotype.check(value, label)
    try:
        return to_json(value, iotype)
    except ConversionError as exc:
        raise TypeCheckError(f"{label}: {exc.message}", label) from None


def _reference(value: str | Path) -> str:
    """A URL passed on to the server, or a file's bytes as a data URL (the server sniffs them)."""
    if isinstance(value, Path):
        return "data:application/octet-stream;base64," + base64.b64encode(value.read_bytes()).decode("ascii")
    return value


def _decode(value: Any, iotype: IOType, label: str) -> Any:
    """An output from its JSON form back to the typed value a local call returns."""
    try:
        typed = _typed(value, iotype, label)
    except ConversionError as exc:
        raise RemoteError(f"{label}: {exc.message}") from None
    except (TypeError, ValueError, OverflowError):
        raise RemoteError(f"{label}: expected {iotype} from the server, got {_short(value)}") from None
    try:
        iotype.check(typed, label)
    except TypeCheckError as exc:
        raise RemoteError(f"the server's answer does not match the specification: {exc}") from None
    return typed


def _typed(value: Any, iotype: IOType, label: str) -> Any:
    kind = iotype.kind
    if kind == "ndarray":
        if isinstance(value, str) and is_data_url(value):
            return decode_data_url(value, path=label, limits=RESPONSE_LIMITS)
        return np.asarray(value, dtype=getattr(iotype, "np_dtype", None))
    if kind == "list" and isinstance(value, list):
        item = iotype.item  # type: ignore[attr-defined]
        return [_typed(v, item, f"{label}[{i}]") for i, v in enumerate(value)]
    if kind == "numeric" and not isinstance(value, bool):
        sub = getattr(iotype, "sub", None)
        if isinstance(value, str):  # the server writes NaN and infinities as "nan", "inf"
            value = float(value)
        if sub == "int" and isinstance(value, float) and value.is_integer():
            return int(value)
        if sub == "float" and isinstance(value, int):
            return float(value)
        return value
    if kind == "annotation" and isinstance(value, list) and len(value) == 2 and isinstance(value[1], list):
        kind_name, geometries = value
        return (kind_name, [_tuples(g) for g in geometries])
    return value


def _tuples(value: Any) -> Any:
    return tuple(_tuples(v) for v in value) if isinstance(value, list) else value


def _short(value: Any, limit: int = 60) -> str:
    text = value if isinstance(value, str) else repr(value)
    return repr(text) if len(text) <= limit else repr(text[: limit - 5]) + "..."

