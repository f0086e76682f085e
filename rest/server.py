"""Serving an app: Werkzeug's server for one process, gunicorn for several workers.

Both serve the *same* app object: it is created (and the module instantiated) before the
server starts, so a broken module fails the start. Under gunicorn the workers are forked
from that process and each keeps its own copy of the module and of the result cache.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from flask import Flask
from werkzeug.serving import WSGIRequestHandler, run_simple

from .config import DEFAULT_WORKER_TIMEOUT

__all__ = ["serve_werkzeug", "serve_gunicorn", "GUNICORN_THREADS", "GUNICORN_TIMEOUT", "WorkerTimeout"]

#: Threads per gunicorn worker with ``--threaded`` (the gthread worker).
GUNICORN_THREADS = 4
#: Seconds a gunicorn worker may spend on one request before it is restarted (``--timeout``).
GUNICORN_TIMEOUT = DEFAULT_WORKER_TIMEOUT


class WorkerTimeout(Exception):
    """Raised inside the request of a gunicorn sync worker that ran past ``--timeout``.

    gunicorn's master then stops the worker with SIGABRT, whose handler would end the
    request with ``SystemExit`` and gunicorn would answer an HTML page. Raised instead (from
    gunicorn's ``worker_abort`` hook), it ends the module's call like any exception of its
    own: the client gets a JSON 500 naming the timeout, then the worker exits and is replaced.
    """


def _worker_abort(timeout: int) -> Callable[[Any], None]:
    message = (f"the request ran longer than the worker timeout of {timeout} s (--timeout); "
               f"its worker process was stopped and is being replaced")

    def worker_abort(worker: Any) -> None:
        from gunicorn.workers.sync import SyncWorker

        # Only a sync worker runs its request in the thread the signal interrupts.
        if isinstance(worker, SyncWorker):
            raise WorkerTimeout(message)

    return worker_abort


class _JSONErrorHandler(WSGIRequestHandler):
    """Werkzeug's handler, with the errors the HTTP parser answers itself (a request line
    over 64 kB, a malformed request) as JSON instead of an HTML page."""

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        short = self.responses.get(code, ("Error", ""))[0]
        text = message or short
        body = json.dumps({"error": {"type": "HTTPError", "message": text, "path": ""}}).encode()
        self.log_error("code %d, message %s", code, text)
        self.send_response(code, short)
        self.send_header("Connection", "close")
        self.close_connection = True
        if code >= 200 and code not in (204, 304):
            self.send_header("Content-Type", "application/json")
            self.send_header("X-Content-Type-Options", "nosniff")
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD" and code >= 200 and code not in (204, 304):
            self.wfile.write(body)


def serve_werkzeug(app: Flask, host: str, port: int, *, threaded: bool = False) -> None:
    """Serve ``app`` with Werkzeug's server until interrupted (one request at a time
    unless ``threaded``). Neither the reloader nor the interactive debugger is used."""
    run_simple(host, port, app, threaded=threaded, request_handler=_JSONErrorHandler)


def serve_gunicorn(
    app: Flask, host: str, port: int, *, workers: int, threaded: bool = False, timeout: int = GUNICORN_TIMEOUT
) -> int:
    """Serve ``app`` under gunicorn with ``workers`` processes; returns gunicorn's exit status.

    A worker silent for more than ``timeout`` seconds (e.g. stuck in one request) is killed
    and replaced by gunicorn's master; the other workers keep serving.

    Raises:
        ImportError: gunicorn is not installed (``pip install amodule[serve]``).
    """
    from gunicorn.app.base import BaseApplication

    options: dict[str, Any] = {
        "bind": f"[{host}]:{port}" if ":" in host else f"{host}:{port}",
        "workers": workers,
        "timeout": timeout,
        "worker_abort": _worker_abort(timeout),
        # Data URLs may come in the query string; its size is bounded by the app (413)
        # instead of gunicorn's 4 kB request-line limit.
        "limit_request_line": 0,
        # Newer gunicorn opens a control socket at one fixed path per user; two servers
        # would fight over it, and `amodule serve` offers no control commands anyway.
        "control_socket_disable": True,
    }
    if threaded:
        options.update(worker_class="gthread", threads=GUNICORN_THREADS)

    class _Application(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            for key, value in options.items():
                if key in self.cfg.settings:  # older gunicorn lacks some settings
                    self.cfg.set(key, value)

        def load(self) -> Flask:
            return app

    try:
        _Application().run()
    except SystemExit as exc:  # the arbiter ends with sys.exit
        code = exc.code
        return code if isinstance(code, int) else (0 if code is None else 1)
    return 0
