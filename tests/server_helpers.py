"""Real server processes and a local upstream HTTP server, shared by the tests that need them.

Not a test file: ``tests/test_rest_server.py``, ``test_rest_readme.py``, ``test_rest_fetch.py``,
``test_hostile.py`` and ``test_faults.py`` import it (``serve`` is a fixture: import it by name to use it).

* :func:`start` runs ``amodule serve ...`` (see :func:`command`) or ``python -m rest ...``
  (:func:`rest_command`) on a free 127.0.0.1 port and returns a :class:`Server` once
  ``/api/health`` answers.
  Under gunicorn (``--workers N``) the server process is the master: :meth:`Server.workers`
  lists its worker processes, read from ``/proc``.
* :class:`Upstream` is an HTTP server on 127.0.0.1 (or ``::1``) in a thread, answering the
  routes of its ``routes`` dict: fixed bodies, redirects, slow and endless bodies, statuses.
"""

from __future__ import annotations

import http.server
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
import requests

__all__ = ["EXAMPLE", "IMAGE", "REPO", "STARTUP_SECONDS", "Server", "Upstream", "command", "free_port",
           "launch", "rest_command", "serve", "start", "wait_ready"]

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "example" / "amod_brightpixel"
IMAGE = EXAMPLE / "testdata" / "image.png"
STARTUP_SECONDS = 30


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    """A running server process and its base URL."""

    def __init__(self, process: subprocess.Popen, port: int, log: Path) -> None:
        self.process, self.port, self.log = process, port, log
        self.url = f"http://127.0.0.1:{port}"

    def workers(self) -> list[int]:
        """Process ids of the live children of the server (gunicorn's workers), sorted."""
        try:
            text = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text()
        except FileNotFoundError:
            return []
        return sorted(pid for pid in map(int, text.split()) if _alive(pid))

    def wait_for_workers(self, count: int, seconds: float, *, without: frozenset[int] = frozenset()) -> list[int]:
        """Poll until ``count`` live workers, none of them in ``without``, exist; their ids.

        Raises:
            AssertionError: not within ``seconds``.
        """
        deadline = time.monotonic() + seconds
        while True:
            pids = self.workers()
            if len(pids) == count and not set(pids) & without:
                return pids
            if time.monotonic() > deadline:
                raise AssertionError(f"expected {count} workers (not {sorted(without)}) within {seconds} s, "
                                     f"found {pids}:\n{self.log.read_text()[-3000:]}")
            time.sleep(0.05)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)  # the group this test started
                self.process.wait(10)


def _alive(pid: int) -> bool:
    """False for a process that is gone or a zombie its parent has not reaped yet."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return False
    return stat.rpartition(")")[2].split()[0] != "Z"


def command(*args: str) -> list[str]:
    """``amodule serve ARGS`` run with this interpreter."""
    return [sys.executable, "-m", "amodule_core", "serve", *args]


def rest_command(*args: str) -> list[str]:
    """``python -m rest ARGS`` run with this interpreter."""
    return [sys.executable, "-m", "rest", *args]


def launch(args: list[str], tmp: Path, cwd: Path | None = None, env: Mapping[str, str] | None = None) -> Server:
    """Start ``args`` plus ``--port`` on a free port, without waiting for it to answer
    (start several, then :func:`wait_ready` each: they load in parallel).

    ``env``: the environment of the process (default: this one's).
    """
    port = free_port()
    log = tmp / f"server-{port}.log"
    with open(log, "wb") as out:
        process = subprocess.Popen([*args, "--port", str(port)], stdout=out, stderr=subprocess.STDOUT,
                                   cwd=cwd or REPO, start_new_session=True,
                                   env=dict(env) if env is not None else None)
    return Server(process, port, log)


def wait_ready(server: Server) -> Server:
    """``server`` once ``/api/health`` answers (bounded wait); stopped, and an
    AssertionError with its log, if it exits or does not answer in time."""
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise AssertionError(f"server exited with {server.process.returncode}:\n{server.log.read_text()}")
        try:
            if requests.get(f"{server.url}/api/health", timeout=1).status_code == 200:
                return server
        except requests.ConnectionError:
            pass
        time.sleep(0.05)
    server.stop()
    raise AssertionError(f"server did not answer /api/health within {STARTUP_SECONDS} s:\n{server.log.read_text()}")


def start(args: list[str], tmp: Path, cwd: Path | None = None, env: Mapping[str, str] | None = None) -> Server:
    """Start ``args`` plus ``--port``; return once ``/api/health`` answers (bounded wait)."""
    return wait_ready(launch(args, tmp, cwd, env))


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Callable[..., Server]]:
    """``serve(*args)`` starts ``amodule serve *args``; every server stops at teardown."""
    servers: list[Server] = []

    def _serve(*args: str, cwd: Path | None = None) -> Server:
        server = start(command(*args), tmp_path, cwd)
        servers.append(server)
        return server

    yield _serve
    for server in servers:
        server.stop()


class _Handler(http.server.BaseHTTPRequestHandler):
    """Answers the routes of its server's ``routes``: ``{path: (kind, value)}`` with kind

    ``body`` (bytes), ``redirect`` (a Location), ``slow`` (seconds between the bytes of a
    1000-byte body whose headers come at once), ``slow_headers`` (seconds between the bytes of
    the status line and headers), ``endless`` (that many 4 kB blocks without a Content-Length),
    ``status`` (an error status).
    """

    server: _UpstreamServer

    def do_GET(self) -> None:  # noqa: N802
        self.server.requests.append(self.path)
        route = self.server.routes.get(self.path.split("?")[0])
        if route is None:
            self.send_error(404)
            return
        kind, value = route
        try:
            if kind == "body":
                self.send_response(200)
                self.send_header("Content-Length", str(len(value)))
                self.end_headers()
                self.wfile.write(value)
            elif kind == "redirect":
                self.send_response(302)
                self.send_header("Location", value)
                self.send_header("Content-Length", "0")
                self.end_headers()
            elif kind == "slow":  # headers at once, then a trickle
                self.send_response(200)
                self.send_header("Content-Length", "1000")
                self.end_headers()
                self._trickle(b"\0" * 100, value)
            elif kind == "slow_headers":  # the status line and headers themselves trickle
                self._trickle(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\nX-Padding: " + b"x" * 100, value)
            elif kind == "endless":  # no Content-Length: read until the connection closes
                self.send_response(200)
                self.end_headers()
                for _ in range(value):
                    self.wfile.write(b"\0" * 4096)
            elif kind == "status":
                self.send_error(value)
        except OSError:  # the client gave up, as it should
            self.close_connection = True

    def _trickle(self, data: bytes, seconds: float) -> None:
        self.close_connection = True
        for i in range(len(data)):
            self.wfile.write(data[i:i + 1])
            self.wfile.flush()
            time.sleep(seconds)

    def log_message(self, *args: Any) -> None:
        pass


class _UpstreamServer(http.server.ThreadingHTTPServer):
    daemon_threads = True
    routes: dict[str, tuple[str, Any]]
    requests: list[str]


class _UpstreamServer6(_UpstreamServer):
    address_family = socket.AF_INET6


class Upstream:
    """A local HTTP server in a thread; ``url`` is its base, ``routes`` may change any time,
    ``requests`` lists the paths asked for."""

    def __init__(self, routes: Mapping[str, tuple[str, Any]] | None = None, host: str = "127.0.0.1") -> None:
        cls = _UpstreamServer6 if ":" in host else _UpstreamServer
        self._server = cls((host, 0), _Handler)
        self._server.routes = self.routes = dict(routes or {})
        self._server.requests = self.requests = []
        shown = f"[{host}]" if ":" in host else host
        self.url = f"http://{shown}:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> Upstream:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
