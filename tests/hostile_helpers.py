"""Hostile payloads and a network sandbox for ``tests/test_hostile.py``.

Not a test file. It builds the attacks (PNG chunks, lying ``.npy`` headers and zip
directories, pickles with a side effect) and two tools that let the suite prove what a server
process did *not* do:

* :class:`ConnectionCounter`: a listener on 127.0.0.1 or ``::1`` that counts the connections
  it accepts; a refused loopback URL pointed at it must leave the count at 0.
* :func:`network_sandbox`: a ``sitecustomize.py`` for the server process (through
  ``PYTHONPATH``) that logs every ``connect()`` and lets only loopback ones through. A
  non-loopback connection is *never* made: one to :data:`PUBLIC_ADDRESS` is diverted to
  127.0.0.1 (same port), any other fails with ``ConnectionRefusedError``. Host names under
  ``.hostile.test`` resolve to :data:`PUBLIC_ADDRESS`. So a server may be tested with a
  "public" upstream that is really local, and a refused address is provably never connected
  to, without one packet leaving the machine.
"""

from __future__ import annotations

import io
import os
import pickle
import socket
import struct
import textwrap
import threading
import zipfile
import zlib
from pathlib import Path
from typing import Any

import numpy as np

__all__ = [
    "PUBLIC_ADDRESS", "ConnectionCounter", "Marker", "connect_log", "network_sandbox", "npy_with_header",
    "npz_lying_size", "npz_many_members", "npz_of", "pickled_npy", "png_chunk", "png_declaring", "png_text_bomb",
]

#: A global unicast address (example.com's) that the sandbox diverts to 127.0.0.1.
PUBLIC_ADDRESS = "93.184.215.14"

_SITECUSTOMIZE = '''
"""Network sandbox of a test server (tests/hostile_helpers.py): loopback only, logged."""
import ipaddress
import os
import socket

_LOG = os.environ["AMODULE_TEST_CONNECT_LOG"]
_PUBLIC = os.environ["AMODULE_TEST_PUBLIC_ADDRESS"]
_real_connect = socket.socket.connect
_real_getaddrinfo = socket.getaddrinfo


def _vet(address):
    if not isinstance(address, tuple):
        return address
    host, port = address[0], address[1]
    with open(_LOG, "a") as log:
        log.write(f"{host} {port}\\n")
    if host == _PUBLIC:
        return ("127.0.0.1", port)
    if not ipaddress.ip_address(host.split("%")[0]).is_loopback:
        raise ConnectionRefusedError(f"test sandbox: no connection to {host}")
    return address


def connect(self, address):
    return _real_connect(self, _vet(address))


def getaddrinfo(host, port, *args, **kwargs):
    if isinstance(host, str) and host.lower().rstrip(".").endswith(".hostile.test"):
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (_PUBLIC, int(port)))]
    return _real_getaddrinfo(host, port, *args, **kwargs)


socket.socket.connect = connect
socket.socket.connect_ex = lambda self, address: _real_connect(self, _vet(address)) or 0
socket.getaddrinfo = getaddrinfo
'''


def network_sandbox(folder: Path) -> dict[str, str]:
    """Write the sandbox into ``folder``; the environment that a server process needs for it.

    The connect log is ``folder / "connect.log"`` (see :func:`connect_log`).
    """
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "sitecustomize.py").write_text(textwrap.dedent(_SITECUSTOMIZE))
    (folder / "connect.log").touch()  # kept: several servers may share one log
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(folder), env.get("PYTHONPATH", "")]))
    env["AMODULE_TEST_CONNECT_LOG"] = str(folder / "connect.log")
    env["AMODULE_TEST_PUBLIC_ADDRESS"] = PUBLIC_ADDRESS
    return env


def connect_log(folder: Path) -> list[tuple[str, int]]:
    """The ``(host, port)`` of every connection the sandboxed servers tried, in order."""
    entries = []
    for line in (folder / "connect.log").read_text().splitlines():
        host, port = line.rsplit(" ", 1)
        entries.append((host, int(port)))
    return entries


class ConnectionCounter:
    """A TCP listener that accepts, counts and closes connections; ``port`` and ``count``."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self._sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
        self._sock.bind((host, 0))
        self._sock.listen(16)
        self.port: int = self._sock.getsockname()[1]
        self.count = 0
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self._sock.accept()
            except OSError:  # closed
                return
            self.count += 1
            conn.close()

    def close(self) -> None:
        try:
            self._sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self._sock.close()
        self._thread.join(5)


# --- images ------------------------------------------------------------------------------------

def png_chunk(kind: bytes, data: bytes) -> bytes:
    """One PNG chunk with its length and CRC."""
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png_declaring(width: int, height: int, *, before_idat: bytes = b"", after_idat: bytes = b"",
                  rows: int | None = None) -> bytes:
    """A grayscale PNG whose header says ``width`` x ``height``; its IDAT holds ``rows`` rows
    (default: all of them), so a huge declared size costs only a few bytes."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    idat = zlib.compress(b"\0" * (width + 1) * (height if rows is None else rows), 9)
    return (b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", ihdr) + before_idat + png_chunk(b"IDAT", idat)
            + after_idat + png_chunk(b"IEND", b""))


def png_text_bomb(inflated: int = 50_000_000, kind: bytes = b"zTXt") -> bytes:
    """A compressed text chunk (zTXt or iTXt) of ``inflated`` zero bytes, about 1/1000 of that."""
    text = zlib.compress(b"\0" * inflated, 9)
    if kind == b"zTXt":
        return png_chunk(b"zTXt", b"Comment\0\0" + text)
    return png_chunk(b"iTXt", b"Comment\0\1\0\0\0" + text)  # compressed, no language, no keyword


# --- .npy / .npz -------------------------------------------------------------------------------

def npy_with_header(header: str, data: bytes = b"", version: tuple[int, int] = (1, 0)) -> bytes:
    """An ``.npy`` of the given header text (padded like numpy's) followed by ``data``."""
    text = header.encode("latin-1")
    prefix = 10 if version[0] == 1 else 12
    text += b" " * (-(prefix + len(text) + 1) % 64) + b"\n"
    size = struct.pack("<H" if version[0] == 1 else "<I", len(text))
    return b"\x93NUMPY" + bytes(version) + size + text + data


class Marker:
    """A pickled object whose unpickling creates the folder ``path`` (and nothing else)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __reduce__(self) -> tuple[Any, ...]:
        return (os.mkdir, (str(self.path),))


def pickled_npy(marker: Path) -> bytes:
    """An object-dtype ``.npy`` whose pickled payload, if ever loaded, creates ``marker``."""
    payload = pickle.dumps(np.array([Marker(marker)], dtype=object), protocol=3)
    return npy_with_header("{'descr': '|O', 'fortran_order': False, 'shape': (1,), }", payload)


def npz_of(members: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    """A zip of ``{name: bytes}``."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def npz_lying_size(npy: bytes, factor: int) -> tuple[bytes, int, int]:
    """An ``.npz`` of ``npy`` whose directories declare ``factor`` times its stored
    (compressed) size as its uncompressed size; ``(data, declared, stored)``."""
    data = bytearray(npz_of({"arr_0.npy": npy}))
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        info = archive.infolist()[0]
    stored = info.compress_size
    declared = stored * factor
    # local header: uncompressed size at offset 22; central directory entry: at offset 24
    struct.pack_into("<I", data, info.header_offset + 22, declared)
    central = bytes(data).rfind(b"PK\x01\x02")
    struct.pack_into("<I", data, central + 24, declared)
    return bytes(data), declared, stored


def npz_many_members(count: int) -> bytes:
    """A stored (uncompressed) zip of ``count`` empty members ``0``, ``1``, ..."""
    return npz_of({str(i): b"" for i in range(count)}, zipfile.ZIP_STORED)
