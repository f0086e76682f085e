"""Tests of amodule_core.fetch against a real HTTP server on 127.0.0.1 and files under tmp_path.

No test connects anywhere but 127.0.0.1/127.0.0.2: address checks are asserted with
``socket.socket.connect`` replaced by a guard that records and blocks every attempt.
"""

from __future__ import annotations

import io
import os
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote

import numpy as np
import pytest
from PIL import Image

from amodule_core import fetch
from amodule_core.convert import Limits, encode_npy_data_url
from amodule_core.errors import ConversionError, LimitExceededError, RefusedError
from amodule_core.fetch import Fetcher, FetchPolicy

IMAGE = np.arange(4 * 6 * 3, dtype=np.uint8).reshape(4, 6, 3)
VECTOR = np.linspace(0, 1, 7)


def _png(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, format="PNG")
    return buffer.getvalue()


def _gif(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, format="GIF")
    return buffer.getvalue()


def _npy(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array)
    return buffer.getvalue()


def shown(text: str) -> str:
    """``text`` as messages show it: its repr, cut after 50 characters when over 60."""
    return repr(text) if len(text) <= 60 else f"{text[:50]!r}... ({len(text)} chars)"


PNG, NPY = _png(IMAGE), _npy(VECTOR)
GRAY = np.full((3, 5), 77, dtype=np.uint8)


# --- the test server ---------------------------------------------------------------------------

@dataclass
class Server:
    """A ThreadingHTTPServer in a thread; ``requests`` lists every path it was asked for."""

    host: str
    httpd: ThreadingHTTPServer
    requests: list[str] = field(default_factory=list)
    redirect_target: str = ""

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.httpd.server_address[1]}"


class _Handler(BaseHTTPRequestHandler):
    server: ThreadingHTTPServer

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - keep tests quiet
        pass

    def _send(self, body: bytes, status: int = 200, headers: dict[str, str] | None = None,
              length: int | None = None) -> None:
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body) if length is None else length))
        self.end_headers()
        self.wfile.write(body)

    def _redirect(self, location: str) -> None:
        self._send(b"", 302, {"Location": location})

    def _trickle(self, data: bytes, pause: float) -> None:
        for byte in data:
            try:
                self.wfile.write(bytes([byte]))
                self.wfile.flush()
            except OSError:
                return
            time.sleep(pause)

    def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
        state: Server = self.server.state  # type: ignore[attr-defined]
        state.requests.append(self.path)
        route = self.path.split("?")[0]
        if route == "/img.png":
            self._send(PNG, headers={"Content-Type": "image/png"})
        elif route == "/arr.npy":
            self._send(NPY, headers={"Content-Type": "application/octet-stream"})
        elif route == "/gif-labelled-png.png":
            self._send(_gif(GRAY), headers={"Content-Type": "image/png"})
        elif route == "/host":
            self._send(self.headers.get("Host", "").encode())
        elif route.startswith("/chain/"):
            left = int(route.rsplit("/", 1)[1])
            if left == 0:
                self._send(PNG)
            else:
                self._redirect(f"/chain/{left - 1}")
        elif route == "/relative":
            self._redirect("img.png")
        elif route == "/absolute":
            self._redirect(f"{state.url}/arr.npy")
        elif route == "/to-file":
            self._redirect("file:///etc/passwd")
        elif route == "/to-ftp":
            self._redirect("ftp://127.0.0.1/x")
        elif route == "/to-other":
            self._redirect(state.redirect_target)
        elif route == "/no-location":
            self._send(b"", 302)
        elif route == "/missing":
            self._send(b"no such thing", 404)
        elif route == "/broken":
            self._send(b"oops", 500)
        elif route == "/empty":
            self._send(b"", 204)
        elif route == "/big":
            self._send(b"\0" * 5000)
        elif route == "/big-undeclared":  # no Content-Length: the body ends when the server closes
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"\0" * 5000)
        elif route == "/short":  # declares more than it sends
            self._send(NPY[:50], length=len(NPY))
        elif route == "/slow":  # 1 byte per second
            self.send_response(200)
            self.send_header("Content-Length", "10")
            self.end_headers()
            self.wfile.flush()
            self._trickle(b"x" * 10, 1.0)
        elif route == "/slow-headers":  # a status line, then header bytes trickling in
            self._trickle(b"HTTP/1.0 200 OK\r\nX-Slow: " + b"y" * 40, 0.1)
        else:
            self._send(b"unknown route", 404)


def _start(host: str) -> Server:
    httpd = ThreadingHTTPServer((host, 0), _Handler)
    httpd.daemon_threads = True
    state = Server(host, httpd)
    httpd.state = state  # type: ignore[attr-defined]
    threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05},
                     daemon=True).start()
    return state


@pytest.fixture(scope="module")
def servers() -> Iterator[tuple[Server, Server]]:
    main, other = _start("127.0.0.1"), _start("127.0.0.2")
    main.redirect_target = f"{other.url}/img.png"
    yield main, other
    for state in (main, other):
        state.httpd.shutdown()
        state.httpd.server_close()


@pytest.fixture
def server(servers: tuple[Server, Server]) -> Server:
    for state in servers:
        state.requests.clear()
    return servers[0]


@pytest.fixture
def other_server(servers: tuple[Server, Server], server: Server) -> Server:
    return servers[1]


LOCAL = FetchPolicy(allow_private=True, total_timeout=5.0)


class NetworkBlocked(BaseException):
    """Raised by the connect guard: the fetcher got past its checks and tried to connect.

    A BaseException, so that no handler of the fetcher can turn it into a ConversionError.
    """


@pytest.fixture
def connect_attempts(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Replace socket.socket.connect: record each attempt and block it."""
    attempts: list[object] = []

    def guard(self: socket.socket, address: object) -> None:
        attempts.append(address)
        raise NetworkBlocked(address)

    monkeypatch.setattr(socket.socket, "connect", guard)
    return attempts


class OnlyServerIsPublic(Fetcher):
    """Treats 127.0.0.1 as a public address, so redirects can be checked on loopback alone."""

    def _address_refusal(self, address):  # type: ignore[no-untyped-def]
        return None if str(address) == "127.0.0.1" else super()._address_refusal(address)


# --- http(s) ------------------------------------------------------------------------------------

def test_fetch_png_and_npy_when_private_addresses_are_allowed(server: Server) -> None:
    fetcher = Fetcher(LOCAL)
    assert fetcher.fetch_bytes(f"{server.url}/img.png") == PNG
    np.testing.assert_array_equal(fetcher.resolve_array(f"{server.url}/img.png", "img"), IMAGE)
    np.testing.assert_array_equal(fetcher.resolve_array(f" {server.url}/arr.npy?x=1 ", "v"), VECTOR)
    np.testing.assert_array_equal(
        fetcher.resolve_array(f"{server.url}/gif-labelled-png.png", "g"),
        np.stack([GRAY] * 3, axis=-1))
    assert server.requests == ["/img.png", "/img.png", "/arr.npy?x=1", "/gif-labelled-png.png"]


def test_host_header_is_the_original_one(server: Server) -> None:
    port = server.httpd.server_address[1]
    assert Fetcher(LOCAL).fetch_bytes(f"{server.url}/host") == f"127.0.0.1:{port}".encode()
    assert Fetcher(LOCAL).fetch_bytes(f"http://localhost:{port}/host") == (
        f"localhost:{port}".encode())


def test_error_loopback_refused_by_default_and_never_contacted(server: Server) -> None:
    with pytest.raises(RefusedError) as info:
        Fetcher().fetch_bytes(f"{server.url}/img.png", path="image")
    assert str(info.value) == ("image: host '127.0.0.1' is a loopback address; such addresses are "
                               "refused unless allowed by the policy")
    with pytest.raises(RefusedError):
        Fetcher().resolve_array(f"http://localhost:{server.httpd.server_address[1]}/img.png", "i")
    assert server.requests == []


@pytest.mark.parametrize(("route", "hops"), [("/chain/0", 0), ("/chain/1", 1), ("/chain/3", 3)])
def test_redirects_within_the_limit(server: Server, route: str, hops: int) -> None:
    assert Fetcher(LOCAL).fetch_bytes(server.url + route) == PNG
    assert len(server.requests) == hops + 1


def test_relative_and_absolute_redirects(server: Server) -> None:
    assert Fetcher(LOCAL).fetch_bytes(f"{server.url}/relative") == PNG
    assert Fetcher(LOCAL).fetch_bytes(f"{server.url}/absolute") == NPY
    assert server.requests == ["/relative", "/img.png", "/absolute", "/arr.npy"]


def test_error_too_many_redirects(server: Server) -> None:
    with pytest.raises(ConversionError) as info:
        Fetcher(LOCAL).fetch_bytes(f"{server.url}/chain/4", path="img")
    assert type(info.value) is ConversionError
    assert str(info.value) == (f"img: too many redirects from '{server.url}/chain/4' "
                               f"(more than 3)")
    assert server.requests == ["/chain/4", "/chain/3", "/chain/2", "/chain/1"]
    policy = FetchPolicy(allow_private=True, max_redirects=0)
    with pytest.raises(ConversionError, match="more than 0"):
        Fetcher(policy).fetch_bytes(f"{server.url}/chain/1")


def test_error_redirect_target_is_checked_again(server: Server, other_server: Server) -> None:
    fetcher = OnlyServerIsPublic()
    assert fetcher.fetch_bytes(f"{server.url}/img.png") == PNG  # the test fetcher works
    with pytest.raises(RefusedError) as info:
        fetcher.fetch_bytes(f"{server.url}/to-other", path="img")
    assert str(info.value) == ("img: host '127.0.0.2' is a loopback address; such addresses are "
                               "refused unless allowed by the policy")
    assert server.requests == ["/img.png", "/to-other"]
    assert other_server.requests == []
    # with private addresses allowed the same redirect is followed
    assert Fetcher(LOCAL).fetch_bytes(f"{server.url}/to-other") == PNG
    assert other_server.requests == ["/img.png"]


@pytest.mark.parametrize(("route", "target"), [
    ("/to-file", "file:///etc/passwd"), ("/to-ftp", "ftp://127.0.0.1/x")])
def test_error_redirect_to_another_scheme(tmp_path: Path, server: Server, route: str,
                                          target: str) -> None:
    policy = FetchPolicy(allow_private=True, file_roots=(Path("/"),))
    with pytest.raises(RefusedError) as info:
        Fetcher(policy).fetch_bytes(server.url + route, path="img")
    assert str(info.value) == (f"img: '{server.url}{route}' redirects to '{target}'; only http:// "
                               f"and https:// redirects are followed")


@pytest.mark.parametrize(("route", "message"), [
    ("/missing", "answered HTTP 404 Not Found"),
    ("/broken", "answered HTTP 500 Internal Server Error"),
    ("/empty", "answered HTTP 204 No Content"),
    ("/no-location", "answered HTTP 302 without a Location"),
])
def test_error_http_status(server: Server, route: str, message: str) -> None:
    with pytest.raises(ConversionError) as info:
        Fetcher(LOCAL).fetch_bytes(server.url + route, path="img")
    assert type(info.value) is ConversionError
    assert str(info.value) == f"img: '{server.url}{route}' {message}"


@pytest.mark.parametrize(("route", "message"), [
    ("/big", "img: download of 5000 bytes is over the limit of 1000 bytes"),
    ("/big-undeclared", "img: download is over the limit of 1000 bytes"),
])
def test_error_oversized_body(server: Server, route: str, message: str) -> None:
    policy = FetchPolicy(allow_private=True, limits=Limits(max_bytes=1000))
    with pytest.raises(LimitExceededError) as info:
        Fetcher(policy).fetch_bytes(server.url + route, path="img")
    assert str(info.value) == message


def test_error_body_shorter_than_declared(server: Server) -> None:
    with pytest.raises(ConversionError) as info:
        Fetcher(LOCAL).fetch_bytes(f"{server.url}/short", path="v")
    assert type(info.value) is ConversionError
    assert str(info.value).startswith(f"v: download of '{server.url}/short' failed (IncompleteRead")


@pytest.mark.parametrize("route", ["/slow", "/slow-headers"])
def test_error_slow_server_is_cut_off(server: Server, route: str) -> None:
    policy = FetchPolicy(allow_private=True, total_timeout=1.0)
    with pytest.raises(LimitExceededError) as info:
        Fetcher(policy).fetch_bytes(server.url + route, path="img")
    assert str(info.value) == f"img: download of '{server.url}{route}' took longer than 1 s"


class _IdleTimer:
    """A watchdog that never fires."""

    def __init__(self, *args: object) -> None:
        self.daemon = True

    def start(self) -> None:
        pass

    def cancel(self) -> None:
        pass


def test_error_socket_timeout_is_the_time_limit(server: Server, monkeypatch: pytest.MonkeyPatch) -> None:
    # At 1 byte a second against a 1 s budget, the socket's own timeout and the watchdog race;
    # without the watchdog the socket timeout must give the same 413 (it was a 400 "failed").
    monkeypatch.setattr(fetch.threading, "Timer", _IdleTimer)
    policy = FetchPolicy(allow_private=True, total_timeout=1.0)
    with pytest.raises(LimitExceededError) as info:
        Fetcher(policy).fetch_bytes(server.url + "/slow", path="img")
    assert str(info.value) == f"img: download of '{server.url}/slow' took longer than 1 s"


def test_error_connection_refused() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(ConversionError) as info:
        Fetcher(LOCAL).fetch_bytes(f"http://127.0.0.1:{port}/x", path="img")
    assert type(info.value) is ConversionError
    assert str(info.value) == (f"img: cannot connect to 'http://127.0.0.1:{port}/x' "
                               f"(connection refused)")


def test_error_https_to_a_plain_http_server(server: Server) -> None:
    url = server.url.replace("http://", "https://") + "/img.png"
    with pytest.raises(ConversionError) as info:
        Fetcher(LOCAL).fetch_bytes(url, path="img")
    assert str(info.value).startswith(f"img: cannot connect to '{url}' (SSL")


# --- address checks (nothing is ever connected to) -----------------------------------------------

REFUSED_HOSTS = [
    ("http://127.0.0.1/", "'127.0.0.1' is a loopback address"),
    ("http://127.255.0.9:8080/x", "'127.255.0.9' is a loopback address"),
    ("http://localhost/", "'localhost' (127.0.0.1) is a loopback address"),
    ("http://LocalHost:80/", "'localhost' (127.0.0.1) is a loopback address"),
    ("http://0x7f000001/", "'0x7f000001' (127.0.0.1) is a loopback address"),
    ("http://2130706433/", "'2130706433' (127.0.0.1) is a loopback address"),
    ("http://017700000001/", "'017700000001' (127.0.0.1) is a loopback address"),
    ("http://127.1/", "'127.1' (127.0.0.1) is a loopback address"),
    ("http://[::1]/", "'::1' is a loopback address"),
    ("https://[::1]:8443/", "'::1' is a loopback address"),
    ("http://[::ffff:127.0.0.1]/", "'::ffff:127.0.0.1' is a loopback address"),
    ("http://[::ffff:7f00:1]/", "'::ffff:7f00:1' is a loopback address"),
    ("http://[64:ff9b::7f00:1]/", "'64:ff9b::7f00:1' is a loopback address"),
    ("http://[2002:7f00:1::]/", "'2002:7f00:1::' is a loopback address"),
    ("http://[::127.0.0.1]/", "'::127.0.0.1' is a reserved address"),
    ("http://0.0.0.0/", "'0.0.0.0' is an unspecified address"),
    ("http://0/", "'0' (0.0.0.0) is an unspecified address"),
    ("http://[::]/", "'::' is an unspecified address"),
    ("http://169.254.169.254/latest/meta-data/", "'169.254.169.254' is a link-local address"),
    ("http://[fe80::1]/", "'fe80::1' is a link-local address"),
    ("http://10.0.0.1/", "'10.0.0.1' is a private address"),
    ("http://172.16.5.4/", "'172.16.5.4' is a private address"),
    ("http://192.168.1.1/", "'192.168.1.1' is a private address"),
    ("http://[fc00::1]/", "'fc00::1' is a private address"),
    ("http://100.64.0.1/", "'100.64.0.1' is not a public address"),
    ("http://224.0.0.1/", "'224.0.0.1' is a multicast address"),
    ("http://[ff02::1]/", "'ff02::1' is a multicast address"),
    ("http://255.255.255.255/", "'255.255.255.255' is a private address"),
    ("http://240.0.0.1/", "'240.0.0.1' is a private address"),
    ("http://192.0.2.1/", "'192.0.2.1' is a private address"),
]


@pytest.mark.parametrize(("url", "message"), REFUSED_HOSTS)
def test_error_refused_addresses(connect_attempts: list[object], url: str, message: str) -> None:
    with pytest.raises(RefusedError) as info:
        Fetcher().fetch_bytes(url, path="u")
    assert str(info.value) == (f"u: host {message}; such addresses are refused unless allowed by "
                               f"the policy")
    assert connect_attempts == []


@pytest.mark.parametrize(("url", "address"), [
    ("http://8.8.8.8/x.png", ("8.8.8.8", 80)),
    ("https://1.1.1.1/x.png", ("1.1.1.1", 443)),
    ("http://[2606:4700:4700::1111]:8080/x", ("2606:4700:4700::1111", 8080)),
    ("http://[::ffff:8.8.8.8]/", ("::ffff:808:808", 80)),
])
def test_public_addresses_pass_the_check(connect_attempts: list[object], url: str,
                                         address: tuple[str, int]) -> None:
    with pytest.raises(NetworkBlocked):
        Fetcher().fetch_bytes(url)
    assert connect_attempts == [address]


def _fake_dns(monkeypatch: pytest.MonkeyPatch, answers: dict[str, list[str]]) -> None:
    def getaddrinfo(host: str, port: int, *args: object, **kwargs: object) -> list[tuple]:
        if host not in answers:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return [(socket.AF_INET6 if ":" in ip else socket.AF_INET, socket.SOCK_STREAM, 6, "",
                 (ip, port)) for ip in answers[host]]

    monkeypatch.setattr(fetch.socket, "getaddrinfo", getaddrinfo)


def test_every_resolved_address_is_checked(monkeypatch: pytest.MonkeyPatch,
                                           connect_attempts: list[object]) -> None:
    _fake_dns(monkeypatch, {"public.test": ["93.184.216.34", "2606:2800::1"],
                            "mixed.test": ["93.184.216.34", "10.0.0.7"]})
    with pytest.raises(NetworkBlocked):
        Fetcher().fetch_bytes("http://public.test/a.png")
    assert connect_attempts == [("93.184.216.34", 80)]  # the vetted address, not the name
    with pytest.raises(RefusedError) as info:
        Fetcher().fetch_bytes("http://mixed.test/a.png", path="u")
    assert str(info.value) == ("u: host 'mixed.test' (10.0.0.7) is a private address; such "
                               "addresses are refused unless allowed by the policy")
    assert connect_attempts == [("93.184.216.34", 80)]
    with pytest.raises(ConversionError) as info:
        Fetcher().fetch_bytes("http://unknown.test/a.png", path="u")
    assert str(info.value) == ("u: cannot resolve host 'unknown.test' ([Errno -2] Name or "
                               "service not known)")


# --- schemes and URL shapes ------------------------------------------------------------------------

@pytest.mark.parametrize(("url", "scheme"), [
    ("ftp://127.0.0.1/x.png", "ftp"),
    ("gopher://127.0.0.1:70/_x", "gopher"),
    ("javascript:alert(1)", "javascript"),
    ("data:text/html,<script>alert(1)</script>", "data"),
    ("data:image/png;base64,AAAA", "data"),
    ("jar:file:///x!/y", "jar"),
    ("//127.0.0.1/x.png", "(none)"),
    ("/etc/passwd", "(none)"),
])
def test_error_other_schemes_refused(connect_attempts: list[object], url: str, scheme: str
                                     ) -> None:
    with pytest.raises(RefusedError) as info:
        Fetcher(FetchPolicy(allow_private=True, file_roots=(Path("/"),))).fetch_bytes(url, path="u")
    assert str(info.value).startswith(f"u: URL scheme {scheme!r} is not allowed; expected "
                                      f"http://, https:// or file:// (got ")
    assert connect_attempts == []


@pytest.mark.parametrize(("url", "error", "message"), [
    ("http://user:pw@8.8.8.8/x", RefusedError,
     "u: URLs with credentials are not allowed (got 'http://user:pw@8.8.8.8/x')"),
    ("http://8.8.8.8:99999/x", ConversionError, "u: URL has a bad port (got 'http://8.8.8.8:99999/x')"),
    ("http:///x.png", ConversionError, "u: URL has no host (got 'http:///x.png')"),
    ("http://8.8.8.8/a b", ConversionError,
     "u: URL has spaces, control characters or backslashes (got 'http://8.8.8.8/a b')"),
    ("http://8.8.8.8\\@127.0.0.1/", ConversionError,
     "u: URL has spaces, control characters or backslashes (got 'http://8.8.8.8\\\\@127.0.0.1/')"),
])
def test_error_bad_urls(connect_attempts: list[object], url: str, error: type, message: str
                        ) -> None:
    with pytest.raises(ConversionError) as info:
        Fetcher().fetch_bytes(url, path="u")
    assert type(info.value) is error
    assert str(info.value) == message
    assert connect_attempts == []


# --- file:// ---------------------------------------------------------------------------------------

@pytest.fixture
def root(tmp_path: Path) -> Path:
    root = tmp_path / "root"
    (root / "sub").mkdir(parents=True)
    (root / "img.png").write_bytes(PNG)
    (root / "my image.png").write_bytes(PNG)
    (root / "sub" / "arr.npy").write_bytes(NPY)
    (tmp_path / "secret.npy").write_bytes(NPY)
    (root / "link-out.npy").symlink_to(tmp_path / "secret.npy")
    (root / "link-in.png").symlink_to(root / "img.png")
    (root / "up").symlink_to(tmp_path)
    os.mkfifo(root / "fifo")
    return root


def test_file_urls_inside_the_roots(root: Path) -> None:
    fetcher = Fetcher(FetchPolicy(file_roots=(root,)))
    assert fetcher.fetch_bytes(f"file://{root}/img.png") == PNG
    assert fetcher.fetch_bytes(f"file://localhost{root}/img.png") == PNG
    assert fetcher.fetch_bytes(f"file://{quote(str(root))}/my%20image.png") == PNG
    assert fetcher.fetch_bytes(f"file://{root}/link-in.png") == PNG
    assert fetcher.fetch_bytes(f"file://{root}/up/root/img.png") == PNG  # a detour that stays in
    np.testing.assert_array_equal(fetcher.resolve_array(f"file://{root}/sub/arr.npy", "v"), VECTOR)
    np.testing.assert_array_equal(fetcher.resolve_array(f"FILE://{root}/img.png", "i"), IMAGE)


def test_file_roots_given_through_a_symlink(root: Path, tmp_path: Path) -> None:
    alias = tmp_path / "alias"
    alias.symlink_to(root)
    fetcher = Fetcher(FetchPolicy(file_roots=(alias,)))
    assert fetcher.fetch_bytes(f"file://{alias}/img.png") == PNG
    assert fetcher.fetch_bytes(f"file://{root}/img.png") == PNG


@pytest.mark.parametrize(("tail", "message"), [
    ("/../secret.npy", "file:// path must be absolute and plain (no '.', '..' or '//' segments"),
    ("/%2e%2e/secret.npy", "file:// path must be absolute and plain (no '.', '..' or '//' segments"),
    ("/sub/%2E%2E/%2e%2e/secret.npy",
     "file:// path must be absolute and plain (no '.', '..' or '//' segments"),
    ("/./img.png", "file:// path must be absolute and plain (no '.', '..' or '//' segments"),
    ("//img.png", "file:// path must be absolute and plain (no '.', '..' or '//' segments"),
    ("/img.png%00.txt", "file:// path must be absolute and plain (no '.', '..' or '//' segments"),
    ("/img.png#frag", "a file:// URL may not have a query or fragment"),
    ("/img.png#", "a file:// URL may not have a query or fragment"),
    ("/img.png?x=1", "a file:// URL may not have a query or fragment"),
    ("/link-out.npy", "leads outside the allowed file roots (through a symbolic link)"),
    ("/up/secret.npy", "leads outside the allowed file roots (through a symbolic link)"),
    ("/fifo", "is not a regular file"),
    ("/sub", "is not a regular file"),
])
def test_error_file_urls_refused(root: Path, tail: str, message: str) -> None:
    fetcher = Fetcher(FetchPolicy(file_roots=(root / "sub", root)))
    with pytest.raises(RefusedError) as info:
        fetcher.fetch_bytes(f"file://{root}{tail}", path="f")
    assert message in str(info.value)
    assert str(info.value).startswith("f: ")


@pytest.mark.parametrize("url", [
    "file:///etc/passwd",
    "file:////proc/self/root{root}/img.png",
    "file:///proc/self/root{root}/img.png",
    "file:///proc/self/cwd/img.png",
    "file://{root}-sibling/x.png",
])
def test_error_file_urls_outside_the_roots(root: Path, url: str) -> None:
    url = url.format(root=root)
    with pytest.raises(RefusedError) as info:
        Fetcher(FetchPolicy(file_roots=(root,))).fetch_bytes(url, path="f")
    assert str(info.value) in (
        f"f: {shown(url)} is outside the allowed file roots",
        f"f: file:// path must be absolute and plain (no '.', '..' or '//' segments; got "
        f"{shown(url)})")


def test_error_file_urls_without_roots(root: Path) -> None:
    with pytest.raises(RefusedError) as info:
        Fetcher().fetch_bytes(f"file://{root}/img.png", path="f")
    assert str(info.value) == (f"f: file:// URLs are not allowed here (no file roots are "
                               f"configured; got {shown(f'file://{root}/img.png')})")


def test_error_file_url_on_another_host(root: Path) -> None:
    with pytest.raises(RefusedError) as info:
        Fetcher(FetchPolicy(file_roots=(root,))).fetch_bytes(f"file://server{root}/img.png",
                                                             path="f")
    assert str(info.value) == "f: a file:// URL must name a local file, not host 'server'"


def test_error_file_missing_and_too_large(root: Path) -> None:
    fetcher = Fetcher(FetchPolicy(file_roots=(root,), limits=Limits(max_bytes=100)))
    with pytest.raises(ConversionError) as info:
        fetcher.fetch_bytes(f"file://{root}/missing.png", path="f")
    assert type(info.value) is ConversionError
    assert str(info.value) == f"f: file not found: {shown(f'file://{root}/missing.png')}"
    with pytest.raises(LimitExceededError) as info:
        fetcher.fetch_bytes(f"file://{root}/sub/arr.npy", path="f")
    assert str(info.value) == f"f: file of {len(NPY)} bytes is over the limit of 100 bytes"


# --- resolve_array ---------------------------------------------------------------------------------

def test_resolve_array_data_url() -> None:
    np.testing.assert_array_equal(Fetcher().resolve_array(encode_npy_data_url(VECTOR), "v"), VECTOR)


@pytest.mark.parametrize(("text", "error", "message"), [
    ("hello", ConversionError,
     "v: expected a data URL, an http(s):// URL or a file:// URL (got 'hello')"),
    ("", ConversionError, "v: expected a data URL, an http(s):// URL or a file:// URL (got '')"),
    ("C:\\images\\x.png", ConversionError,
     "v: expected a data URL, an http(s):// URL or a file:// URL (got 'C:\\\\images\\\\x.png')"),
    ("ftp://127.0.0.1/x", RefusedError,
     "v: URL scheme 'ftp' is not allowed; expected http://, https:// or file:// "
     "(got 'ftp://127.0.0.1/x')"),
    ("data:text/html,<b>", ConversionError,
     "v: expected a data URL of an image or array (data:image/..., data:ndarray/npy, "
     "data:ndarray/npz), got media type 'text/html'"),
    ("http://10.0.0.1/x.png", RefusedError,
     "v: host '10.0.0.1' is a private address; such addresses are refused unless allowed by the "
     "policy"),
])
def test_error_resolve_array(connect_attempts: list[object], text: str, error: type,
                             message: str) -> None:
    with pytest.raises(ConversionError) as info:
        Fetcher().resolve_array(text, "v")
    assert type(info.value) is error
    assert str(info.value) == message
    assert connect_attempts == []


def test_resolve_array_decode_errors_keep_the_path(server: Server) -> None:
    with pytest.raises(ConversionError) as info:
        Fetcher(LOCAL).resolve_array(f"{server.url}/host", "v")
    assert str(info.value).startswith("v: expected a .npy or .npz file or an image")


def test_public_surface() -> None:
    assert sorted(fetch.__all__) == ["FetchPolicy", "Fetcher"]
    policy = FetchPolicy()
    assert (policy.file_roots, policy.allow_private, policy.max_redirects) == ((), False, 3)
    with pytest.raises(AttributeError):
        policy.allow_private = True  # type: ignore[misc]
