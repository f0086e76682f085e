"""The app factory: :func:`create_app` builds a Flask app serving one analytics module."""

from __future__ import annotations

import io
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask, Response, request
from werkzeug.exceptions import RequestEntityTooLarge

from amodule_core.errors import LimitExceededError
from amodule_core.module import Module

from .config import RestConfig
from .errors import register_error_handlers
from .service import EXTENSION_KEY, Service
from .views import BLUEPRINTS

__all__ = ["create_app"]


def create_app(target: str | Path | Module, config: RestConfig | Mapping[str, Any] | None = None) -> Flask:
    """A Flask app serving every method of ``target`` that its class implements.

    ``target`` is a module folder (with ``module.py`` and ``specification.py``), an importable
    package name such as ``"amod_brightpixel"``, or a :class:`~amodule_core.Module` instance
    (its spec is the instance's own). The module is loaded and instantiated here, once, so a
    broken module fails now rather than at the first request. ``config`` is a
    :class:`RestConfig`, a mapping of its field names (upper-case keys are Flask settings),
    or ``None`` for the secure defaults.

    Raises:
        ModuleLoadError: the target cannot be found, imported or instantiated.
        SpecError: its specification has problems.
        ValueError: a bad setting in ``config``.
    """
    settings = RestConfig.coerce(config)
    service = Service(target, settings)
    app = Flask(__name__.rpartition(".")[0])
    limit = settings.max_request_bytes
    app.config.update(
        MAX_CONTENT_LENGTH=limit,  # also bounds chunked bodies (read through a limited stream)
        MAX_FORM_MEMORY_SIZE=limit,  # Flask's 500 kB default would refuse data URLs in forms
        AMODULE_DEBUG=settings.debug,
    )
    app.config.update(settings.flask)
    app.json.sort_keys = False  # type: ignore[attr-defined]  # outputs keep spec order
    # '//api' would get Werkzeug's HTML 308 redirect, which skips the JSON error handlers;
    # unmerged, it is a JSON 404 like any other unknown path.
    app.url_map.merge_slashes = False
    app.extensions[EXTENSION_KEY] = service
    register_error_handlers(app)
    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)
    try:  # the HTML pages (/api/test, /api/debug) are a separate, optional module
        from .pages import bp as pages_bp
    except ModuleNotFoundError as exc:
        if exc.name != f"{__package__}.pages":
            raise  # pages.py exists but something it imports does not: say so
        pages_bp = None
    if pages_bp is not None:
        app.register_blueprint(pages_bp)
    app.config["AMODULE_PAGES"] = pages_bp is not None

    @app.before_request
    def _bound_body() -> None:
        length = request.content_length
        if length is not None and length > limit:
            # Refused now, not when the view reads it: drained first (see _drain).
            _drain(request.environ, length)
            raise RequestEntityTooLarge()
        _read_chunked_body(request.environ, limit)

    @app.before_request
    def _limit_query_string() -> None:
        # The body has MAX_CONTENT_LENGTH; a data URL in the query string gets the same bound.
        size = len(request.query_string)
        if size > limit:
            raise LimitExceededError(
                f"the query string of {size} bytes is over the limit of {limit} bytes "
                f"({limit / 2**20:g} MB, --max-request-mb)"
            )

    @app.after_request
    def _no_sniff(response: Response) -> Response:
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response

    if settings.trusted_proxies:
        from werkzeug.middleware.proxy_fix import ProxyFix

        n = settings.trusted_proxies
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n, x_port=n, x_prefix=n)  # type: ignore[method-assign]
    return app


def _read_chunked_body(environ: dict[str, Any], limit: int) -> None:
    """Read a chunked body (no Content-Length) up front, refusing one over ``limit``.

    Werkzeug bounds such a body by a stream limited to MAX_CONTENT_LENGTH, but its
    ``read()`` stops quietly at the limit: a form or JSON body over it would be cut, not
    refused. So the body is read here, at most ``limit + 1`` bytes, and handed on as a
    body of known length.

    Raises:
        RequestEntityTooLarge: the body is longer than ``limit``.
    """
    if "chunked" not in environ.get("HTTP_TRANSFER_ENCODING", "").lower():
        return
    if not environ.get("wsgi.input_terminated"):
        return  # the server does not de-chunk: Werkzeug reads nothing (an empty body)
    stream = environ["wsgi.input"]
    parts: list[bytes] = []
    size = 0
    while size <= limit:
        part = stream.read(min(64 * 1024, limit + 1 - size))
        if not part:
            break
        parts.append(part)
        size += len(part)
    if size > limit:
        _drain(environ, None)
        raise RequestEntityTooLarge()
    environ["wsgi.input"] = io.BytesIO(b"".join(parts))
    environ["CONTENT_LENGTH"] = str(size)
    del environ["HTTP_TRANSFER_ENCODING"]


#: At most this many bytes of a body over the limit are read and discarded before the 413.
DRAIN_BYTES = 64 * 2**20
#: ... and for at most this long (each read waits at most this long too).
DRAIN_SECONDS = 5.0


def _drain(environ: dict[str, Any], length: int | None) -> None:
    """Read and discard the rest of a refused body (``length`` bytes when it is known).

    Clients such as ``requests`` send the whole body before they read the answer. When
    the server closes the connection with unread bytes, the kernel answers them with a
    reset: the client fails to send and never sees the 413. So the body is read first,
    up to :data:`DRAIN_BYTES` within :data:`DRAIN_SECONDS`, with a timeout on the socket
    so that a client that stops sending cannot hold the worker; a body longer than that
    still gets the connection closed.
    """
    stream = environ["wsgi.input"]
    sock = environ.get("gunicorn.socket") or environ.get("werkzeug.socket")
    previous = sock.gettimeout() if sock is not None else None
    left = DRAIN_BYTES if length is None else min(length, DRAIN_BYTES)
    deadline = time.monotonic() + DRAIN_SECONDS
    try:
        while left > 0:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return
            if sock is not None:
                sock.settimeout(remaining)
            part = stream.read(min(left, 256 * 1024))
            if not part:
                return
            left -= len(part)
    except (OSError, ValueError):
        return  # a timeout or a client gone: the connection closes anyway
    finally:
        if sock is not None:
            try:
                sock.settimeout(previous)
            except OSError:
                pass
