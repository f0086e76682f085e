"""Every error as JSON: ``{"error": {"type", "message", "path"}}``, never an HTML page.

Statuses: 400 bad input (:class:`~amodule_core.errors.ConversionError`,
:class:`~amodule_core.errors.TypeCheckError` of an input, missing or unknown arguments),
403 a refused URL or file, 404 unknown method or route, 405 wrong HTTP method,
413 too large, 500 only for an exception raised by the module's own code
(:class:`ModuleFault`). Any other exception is a bug of this service: 500 with a
generic message, logged with its traceback.
"""

from __future__ import annotations

import json
import traceback
from typing import Any

from flask import Flask, Response, current_app, request
from werkzeug.exceptions import HTTPException, NotFound

from amodule_core.errors import ConversionError, TypeCheckError

__all__ = ["ModuleFault", "MethodNotFound", "BadRequestError", "json_response", "error_response", "register_error_handlers"]


class ModuleFault(Exception):
    """The module's own code raised ``original`` while running ``method``."""

    def __init__(self, method: str, original: BaseException) -> None:
        self.method = method
        self.original = original
        super().__init__(f"{method}: {type(original).__name__}: {original}")


class MethodNotFound(NotFound):
    """A 404 for ``/api/run/<method>`` of a method that is not served; ``path`` is its name."""

    def __init__(self, method: str, description: str) -> None:
        super().__init__(description)
        self.path = method if len(method) <= 60 else method[:57] + "..."


class BadRequestError(ConversionError):
    """A request that names its arguments wrongly (missing, unknown, given twice) or
    whose body cannot be read; its message stands alone (it names the argument itself)."""

    def __str__(self) -> str:
        return self.message


def json_response(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    """A compact JSON response in insertion order (Flask's provider would sort keys)."""
    body = json.dumps(data, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    return Response(body, status=status, headers=headers, mimetype="application/json")


def error_response(
    status: int, kind: str, message: str, path: str = "", *, headers: dict[str, str] | None = None, **extra: Any
) -> Response:
    """The JSON error answer."""
    error: dict[str, Any] = {"type": kind, "message": message, "path": path}
    error.update(extra)
    return json_response({"error": error}, status, headers)


def _conversion_error(exc: ConversionError) -> Response:
    # str() starts with the path ("threshold: must be numeric/int (got 'abc')"), so the
    # message reads on its own; "path" repeats the field name for programs.
    return error_response(exc.status, type(exc).__name__, str(exc), exc.path)


def _type_check_error(exc: TypeCheckError) -> Response:
    return error_response(400, type(exc).__name__, str(exc), exc.path)


def _http_error(exc: HTTPException) -> Response:
    headers = {}
    kind = type(exc).__name__
    message = exc.description or exc.name
    code = exc.code or 500
    if code == 405:
        allowed = sorted(getattr(exc, "valid_methods", None) or ())
        headers["Allow"] = ", ".join(allowed)
        message = f"{request.method} is not allowed for {request.path} (allowed: {', '.join(allowed)})"
    elif code == 404 and type(exc) is NotFound:  # a route, not a method (MethodNotFound says more)
        message = f"no endpoint {_short(request.path)}; GET /api lists the endpoints"
    elif code == 413:
        limit = current_app.config.get("MAX_CONTENT_LENGTH")
        length, parts = request.content_length, request.max_form_parts
        if limit and length is not None and length <= limit and request.mimetype == "multipart/form-data" and parts:
            # Werkzeug's other 413 for a body within the limit: its cap on multipart parts
            message = f"the multipart body has more than {parts} parts (fields and files); send fewer"
        elif limit:
            message = f"the request body is over the limit of {limit} bytes ({limit / 2**20:g} MB, --max-request-mb)"
    return error_response(code, kind, message, getattr(exc, "path", ""), headers=headers)


def _short(text: str, limit: int = 60) -> str:
    shown = repr(text)
    return shown if len(shown) <= limit else shown[: limit - 4] + "...'"


def _module_fault(exc: ModuleFault) -> Response:
    original = exc.original
    current_app.logger.error(
        "%s raised %s", exc.method, type(original).__name__,
        exc_info=(type(original), original, original.__traceback__),
    )
    extra: dict[str, Any] = {}
    if current_app.config.get("AMODULE_DEBUG"):
        extra["traceback"] = "".join(traceback.format_exception(type(original), original, original.__traceback__))
    message = str(original) or type(original).__name__
    return error_response(500, type(original).__name__, message, exc.method, **extra)


def _unexpected(exc: Exception) -> Response:
    if isinstance(exc, HTTPException):  # Flask routes these here when no closer handler exists
        return _http_error(exc)
    current_app.logger.exception("internal error")
    extra: dict[str, Any] = {}
    if current_app.config.get("AMODULE_DEBUG"):
        extra["traceback"] = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    return error_response(500, "InternalServerError", "internal error of the REST service (see its log)", **extra)


def register_error_handlers(app: Flask) -> None:
    """Answer every error of ``app`` as JSON."""
    app.register_error_handler(ConversionError, _conversion_error)
    app.register_error_handler(TypeCheckError, _type_check_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(ModuleFault, _module_fault)
    app.register_error_handler(Exception, _unexpected)
