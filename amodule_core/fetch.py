"""Arrays from URLs, safely: http(s) with an address guard, file:// under configured roots.

How an http(s) download stays inside the policy:

* the host is resolved here, every resolved address is vetted, and the socket connects to a
  vetted address itself; nothing resolves the name again later, so a DNS answer cannot
  change between the check and the connection (no rebinding window). Odd spellings such as
  ``0x7f000001``, ``2130706433`` or ``017700000001`` are resolved by the C library exactly as
  a connection would be, and the address that comes out is what is checked;
* TLS uses the original host name for SNI and certificate verification (the CA bundle of
  ``requests``), and the ``Host`` header is the original one;
* a watchdog shuts the socket down when ``total_timeout`` is over, so neither a slow body nor
  slowly trickled headers can hold the request open;
* redirects are followed by hand, each target checked again like the first URL (and never
  to ``file://``);
* no proxy and no environment setting takes part.

The stdlib ``http.client`` does the HTTP: ``requests``/``urllib3`` can pin the connected
address only through version-specific adapter hooks and cannot bound the time spent reading
headers, which the watchdog needs the socket for.
"""

from __future__ import annotations

import http.client
import ipaddress
import os
import re
import socket
import ssl
import stat
import threading
import time
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import SplitResult, unquote, urljoin, urlsplit

import numpy as np

from .codec import DEFAULT_LIMITS, Limits, decode_bytes, decode_data_url, is_data_url
from .errors import ConversionError, LimitExceededError, RefusedError

__all__ = ["FetchPolicy", "Fetcher"]

_IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
_REDIRECTS = (301, 302, 303, 307, 308)
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_CHUNK = 64 * 1024


@dataclass(frozen=True)
class FetchPolicy:
    """What a :class:`Fetcher` may read, and how long and how much.

    ``file_roots``: ``file://`` is allowed only when non-empty, and only for regular files
    whose real path is inside a root. ``allow_private``: allow loopback, private, link-local,
    reserved, multicast and unspecified addresses. ``max_redirects``: redirects followed, each
    target checked again. ``limits.max_bytes`` caps every download and file.
    """

    file_roots: tuple[Path, ...] = ()
    allow_private: bool = False
    connect_timeout: float = 3.0
    total_timeout: float = 10.0
    max_redirects: int = 3
    limits: Limits = DEFAULT_LIMITS


def _split(url: str, path: str) -> SplitResult:
    """``urlsplit(url)``, its ValueError ("Invalid IPv6 URL": a lone '[' or ']' in the host)
    a ConversionError: schemathesis found it was a 500."""
    try:
        return urlsplit(url)
    except ValueError as exc:
        raise ConversionError(f"URL is malformed ({exc}; got {_short(url)})", path) from None


def _short(text: str, width: int = 60) -> str:
    return repr(text) if len(text) <= width else f"{text[:width - 10]!r}... ({len(text)} chars)"


class Fetcher:
    """Reads bytes and arrays from http(s):// and file:// URLs under a :class:`FetchPolicy`."""

    def __init__(self, policy: FetchPolicy = FetchPolicy()) -> None:
        self.policy = policy
        self._roots = tuple((Path(os.path.abspath(root)), Path(root).resolve())
                            for root in policy.file_roots)

    # --- public ------------------------------------------------------------------------------

    def resolve_array(self, text: str, path: str) -> np.ndarray:
        """An array from a data URL, an http(s):// URL or a file:// URL.

        :raises ConversionError: anything else, or data that does not decode (subclasses:
            :class:`RefusedError` by policy, :class:`LimitExceededError` over a limit).
        """
        text = text.strip() if isinstance(text, str) else text
        limits = self.policy.limits
        if is_data_url(text):
            return decode_data_url(text, path=path, limits=limits)
        if isinstance(text, str) and re.match(r"[A-Za-z][A-Za-z0-9+.-]*://", text):
            return decode_bytes(self.fetch_bytes(text, path=path), path=path, limits=limits)
        shown = _short(text) if isinstance(text, str) else type(text).__name__
        raise ConversionError("expected a data URL, an http(s):// URL or a file:// URL "
                              f"(got {shown})", path)

    def fetch_bytes(self, url: str, *, path: str = "") -> bytes:
        """The bytes behind an http(s):// or file:// URL, within the policy.

        :raises RefusedError: another scheme, a refused address or a path outside the roots.
        :raises LimitExceededError: over ``limits.max_bytes`` or ``total_timeout``.
        :raises ConversionError: an HTTP error status, a failed connection, a missing file.
        """
        scheme = _scheme(url)
        if scheme == "file":
            return self._read_file(url, path)
        if scheme in ("http", "https"):
            return self._download(url, path)
        raise RefusedError(f"URL scheme {scheme or '(none)'!r} is not allowed; expected http://, "
                           f"https:// or file:// (got {_short(url)})", path)

    # --- file:// -----------------------------------------------------------------------------

    def _read_file(self, url: str, path: str) -> bytes:
        if not self._roots:
            raise RefusedError(f"file:// URLs are not allowed here (no file roots are configured; "
                               f"got {_short(url)})", path)
        rest = url[len("file:"):]
        if "?" in rest or "#" in rest:
            raise RefusedError(f"a file:// URL may not have a query or fragment "
                               f"(got {_short(url)})", path)
        parts = _split(url, path)
        if parts.netloc not in ("", "localhost"):
            raise RefusedError(f"a file:// URL must name a local file, not host {parts.netloc!r}",
                               path)
        name = unquote(parts.path)
        segments = name.split("/")[1:]
        if (not name.startswith("/") or "\0" in name or "\\" in name
                or any(s in ("", ".", "..") for s in segments)):
            raise RefusedError(f"file:// path must be absolute and plain (no '.', '..' or '//' "
                               f"segments; got {_short(url)})", path)
        lexical = Path(name)
        if not any(_inside(lexical, given) or _inside(lexical, resolved)
                   for given, resolved in self._roots):
            raise RefusedError(f"{_short(url)} is outside the allowed file roots", path)
        try:
            real = lexical.resolve(strict=True)
        except (OSError, RuntimeError):  # missing, a symlink loop, a name too long
            raise ConversionError(f"file not found: {_short(url)}", path) from None
        if not any(_inside(real, resolved) for _, resolved in self._roots):
            raise RefusedError(f"{_short(url)} leads outside the allowed file roots "
                               f"(through a symbolic link)", path)
        return self._read_regular_file(real, url, path)

    def _read_regular_file(self, real: Path, url: str, path: str) -> bytes:
        limit = self.policy.limits.max_bytes
        flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
        try:
            fd = os.open(real, flags)
        except OSError as exc:
            raise ConversionError(f"cannot open {_short(url)} ({exc.strerror})", path) from None
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode):  # a FIFO or device could block or never end
                raise RefusedError(f"{_short(url)} is not a regular file", path)
            if info.st_size > limit:
                raise LimitExceededError(f"file of {info.st_size} bytes is over the limit of "
                                         f"{limit} bytes", path)
            chunks, total = [], 0
            while total <= limit:
                chunk = os.read(fd, min(_CHUNK, limit + 1 - total))
                if not chunk:
                    break
                chunks.append(chunk)
                total += len(chunk)
            data = b"".join(chunks)
        except OSError as exc:
            raise ConversionError(f"cannot read {_short(url)} ({exc.strerror})", path) from None
        finally:
            os.close(fd)
        if len(data) > limit:
            raise LimitExceededError(f"file is over the limit of {limit} bytes", path)
        return data

    # --- http(s):// ----------------------------------------------------------------------------

    def _download(self, url: str, path: str) -> bytes:
        deadline = time.monotonic() + self.policy.total_timeout
        current = url
        for _ in range(self.policy.max_redirects + 1):
            status, location, body = self._request(current, path, deadline)
            if status not in _REDIRECTS:
                return body
            if location is None:
                raise ConversionError(f"{_short(current)} answered HTTP {status} without a "
                                      f"Location", path)
            target = urljoin(current, location)
            if _scheme(target) not in ("http", "https"):
                raise RefusedError(f"{_short(current)} redirects to {_short(target)}; only "
                                   f"http:// and https:// redirects are followed", path)
            current = target
        raise ConversionError(f"too many redirects from {_short(url)} (more than "
                              f"{self.policy.max_redirects})", path)

    def _request(self, url: str, path: str, deadline: float) -> tuple[int, str | None, bytes]:
        """One GET: ``(status, location, body)``; body only for 200, location for redirects."""
        if any(ch.isspace() or ord(ch) < 32 or ch == "\\" for ch in url):
            raise ConversionError(f"URL has spaces, control characters or backslashes "
                                  f"(got {_short(url)})", path)
        parts = _split(url, path)
        try:
            port = parts.port or (443 if parts.scheme.lower() == "https" else 80)
        except ValueError:
            raise ConversionError(f"URL has a bad port (got {_short(url)})", path) from None
        if "@" in parts.netloc:
            raise RefusedError(f"URLs with credentials are not allowed (got {_short(url)})", path)
        host = parts.hostname
        if not host:
            raise ConversionError(f"URL has no host (got {_short(url)})", path)
        addresses = self._vetted_addresses(host, port, path)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        headers = {"Host": parts.netloc, "User-Agent": "amodule", "Accept": "*/*",
                   "Accept-Encoding": "identity", "Connection": "close"}
        tls_host = host if parts.scheme.lower() == "https" else None
        sockets: list[socket.socket] = []  # the sockets the watchdog may have to cut
        expired = threading.Event()

        def _expire() -> None:
            expired.set()
            for sock in sockets:
                try:  # the plain socket method: wakes a blocked read, also under TLS
                    socket.socket.shutdown(sock, socket.SHUT_RDWR)
                except OSError:
                    pass

        watchdog = threading.Timer(max(deadline - time.monotonic(), 0.0), _expire)
        watchdog.daemon = True
        watchdog.start()
        connection = http.client.HTTPConnection(host, port)
        response = None
        try:
            connection.sock = self._connect(addresses, port, tls_host, url, path, deadline,
                                            sockets)
            connection.request("GET", target, headers=headers)
            response = connection.getresponse()
            status = response.status
            if status in _REDIRECTS:
                return status, response.getheader("Location"), b""
            if status != 200:
                reason = f" {response.reason}" if response.reason else ""
                raise ConversionError(f"{_short(url)} answered HTTP {status}{reason}", path)
            body = self._read_body(response, path)
            if expired.is_set():  # a close-delimited body may look complete when cut off
                raise OSError("the watchdog cut the download off")
            return status, None, body
        except Exception as exc:  # OSError, HTTPException, ssl.SSLError, ValueError, ...
            # A socket timeout here is the time budget too: after connecting, each read may
            # wait as long as the whole budget had left, so it ends past the deadline (and
            # often just before the watchdog fires, e.g. for a body trickled 1 byte a second).
            timed_out = expired.is_set() or isinstance(exc, TimeoutError)
            if timed_out and not isinstance(exc, (LimitExceededError, RefusedError)):
                raise LimitExceededError(f"download of {_short(url)} took longer than "
                                         f"{self.policy.total_timeout:g} s", path) from None
            if isinstance(exc, ConversionError):
                raise
            raise ConversionError(f"download of {_short(url)} failed ({type(exc).__name__}: "
                                  f"{str(exc)[:80]})", path) from None
        finally:
            watchdog.cancel()
            if response is not None:
                response.close()  # owns the socket once the server said "Connection: close"
            connection.close()
            for sock in sockets:
                sock.close()

    def _read_body(self, response: http.client.HTTPResponse, path: str) -> bytes:
        limit = self.policy.limits.max_bytes
        declared = response.getheader("Content-Length")
        if declared and declared.strip().isdigit() and int(declared) > limit:
            raise LimitExceededError(f"download of {declared} bytes is over the limit of "
                                     f"{limit} bytes", path)
        chunks, total = [], 0
        while True:
            chunk = response.read(min(_CHUNK, limit + 1 - total))
            if not chunk:
                if response.length:  # what a Content-Length promised and never came
                    raise http.client.IncompleteRead(b"", response.length)
                return b"".join(chunks)
            chunks.append(chunk)
            total += len(chunk)
            if total > limit:
                raise LimitExceededError(f"download is over the limit of {limit} bytes", path)

    def _vetted_addresses(self, host: str, port: int, path: str) -> list[_IPAddress]:
        """Every address ``host`` resolves to, or RefusedError if any of them is refused."""
        try:
            addresses = [ipaddress.ip_address(host.split("%")[0])]
        except ValueError:
            try:
                infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
            except (OSError, UnicodeError) as exc:
                raise ConversionError(f"cannot resolve host {_short(host)} ({exc})", path) from None
            addresses = []
            for info in infos:
                address = ipaddress.ip_address(str(info[4][0]).split("%")[0])
                if address not in addresses:
                    addresses.append(address)
        if not addresses:
            raise ConversionError(f"cannot resolve host {_short(host)}", path)
        if not self.policy.allow_private:
            for address in addresses:
                reason = self._address_refusal(address)
                if reason:
                    shown = "" if _literal(host) == address else f" ({address})"
                    raise RefusedError(f"host {_short(host)}{shown} is {reason}; such addresses "
                                       f"are refused unless allowed by the policy", path)
        return addresses

    def _address_refusal(self, address: _IPAddress) -> str | None:
        """Why ``address`` is not a public unicast address, or None."""
        embedded = None
        if isinstance(address, ipaddress.IPv6Address):
            if address.ipv4_mapped is not None:
                embedded = address.ipv4_mapped
            elif address in _NAT64:
                embedded = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
            elif address.sixtofour is not None:
                embedded = address.sixtofour
            elif address.teredo is not None:
                embedded = address.teredo[1]
        if embedded is not None:
            return self._address_refusal(embedded)
        for test, reason in ((address.is_loopback, "a loopback address"),
                             (address.is_unspecified, "an unspecified address"),
                             (address.is_link_local, "a link-local address"),
                             (address.is_multicast, "a multicast address"),
                             (address.is_private, "a private address"),
                             (address.is_reserved, "a reserved address"),
                             (not address.is_global, "not a public address")):
            if test:
                return reason
        return None

    def _connect(self, addresses: list[_IPAddress], port: int, tls_host: str | None,
                 url: str, path: str, deadline: float, sockets: list[socket.socket]
                 ) -> socket.socket:
        """A socket connected to the first reachable vetted address (TLS when ``tls_host``).

        Every socket made is appended to ``sockets`` at once, for the watchdog and cleanup.
        """
        failure: Exception | None = None
        for address in addresses:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            family = socket.AF_INET6 if address.version == 6 else socket.AF_INET
            sock = socket.socket(family, socket.SOCK_STREAM)
            sockets.append(sock)
            try:
                sock.settimeout(min(self.policy.connect_timeout, remaining))
                sock.connect((str(address), port))
                if tls_host is not None:  # handshake after the wrap, so the watchdog can cut it
                    sock = _tls_context().wrap_socket(sock, server_hostname=tls_host,
                                                      do_handshake_on_connect=False)
                    sockets.append(sock)
                    sock.do_handshake()
                sock.settimeout(max(deadline - time.monotonic(), 0.001))
                return sock
            except (OSError, ValueError) as exc:
                sock.close()
                failure = exc
        if isinstance(failure, socket.timeout) or failure is None:
            raise ConversionError(f"cannot connect to {_short(url)} within "
                                  f"{self.policy.connect_timeout:g} s", path)
        reason = "connection refused" if isinstance(failure, ConnectionRefusedError) else (
            f"{type(failure).__name__}: {str(failure)[:80]}")
        raise ConversionError(f"cannot connect to {_short(url)} ({reason})", path)


def _scheme(url: object) -> str:
    match = _SCHEME.match(url) if isinstance(url, str) else None
    return match.group()[:-1].lower() if match else ""


def _literal(host: str) -> _IPAddress | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


def _inside(candidate: Path, root: Path) -> bool:
    return candidate == root or PurePosixPath(candidate).is_relative_to(PurePosixPath(root))


_CONTEXT: list[ssl.SSLContext] = []  # one shared context, made on first use


def _tls_context() -> ssl.SSLContext:
    if not _CONTEXT:
        import requests.certs

        _CONTEXT.append(ssl.create_default_context(cafile=requests.certs.where()))
    return _CONTEXT[0]
