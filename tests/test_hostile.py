"""Hostile inputs against real server processes: every attack gets an exact status and a JSON
error naming the field at fault, and the servers keep serving (issue 7).

Two ``python -m rest`` processes serve for the whole file (module-scoped fixtures):

* ``strict``: the secure defaults plus ``--file-root ROOT --max-request-mb 1 --fetch-timeout 2``.
  It serves the every-IO-type module of ``rest_modules.py`` with ``<script>`` in its name,
  descriptions, labels, unit and test case, for the escaping tests.
* ``lenient``: ``--allow-private-urls --fetch-timeout 1 --max-request-mb 0.05`` and no file root,
  so that the upstream on 127.0.0.1 may be fetched (slow, endless, over the cap, redirect loops).

Both run inside the network sandbox of ``hostile_helpers.py``: every ``connect()`` they try is
logged, only loopback ones happen, and the host names ``*.hostile.test`` resolve to a public
address that the sandbox diverts to 127.0.0.1. That is how a redirect *from an allowed public
URL to a loopback one* is tested against a real server (the first hop passes the address
check as a public host; the re-check of the second hop must refuse it), and how "a refused
address is never connected to" is proved for every address, including 169.254.169.254 and
10.0.0.1, without sending them one packet. For the loopback ones a listener that counts its
connections proves it as well. The in-process form of the redirect re-check stays in
``test_rest_fetch.py::test_error_redirect_to_loopback_is_checked_again``.

Errors about the request as a whole (its body, its JSON) have no field: their ``path`` is "".
Besides the inputs of ``/api/run``, the pages' ``/api/testdata/<name>`` route gets the path
traversal attacks too.
"""

from __future__ import annotations

import copy
import http.client
import io
import json
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import requests

from .hostile_helpers import (
    PUBLIC_ADDRESS, ConnectionCounter, connect_log, network_sandbox, npy_with_header, npz_lying_size,
    npz_many_members, npz_of, pickled_npy, png_declaring, png_text_bomb,
)
from .rest_modules import (
    TYPES_SOURCE, TYPES_SPEC, data_url, decode_data_url_array, npy_bytes, npz_bytes, png_bytes, write_module,
)
from .server_helpers import Server, Upstream, rest_command, start

pytestmark = pytest.mark.server

EVIL = "<script>alert(1)</script>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"
GRAY = np.array([[0, 128, 255], [1, 2, 3]], np.uint8)
TIMEOUT = 10  # seconds for one request of a test; no test needs more than 2


# --- servers and their surroundings -----------------------------------------------------------

def _evil_spec() -> dict[str, Any]:
    spec = copy.deepcopy(TYPES_SPEC)
    spec["module"].update(name=EVIL, description=EVIL)
    scalars = spec["methods"]["scalars"]
    scalars["description"] = EVIL
    scalars["input"][0]["description"] = EVIL
    scalars["output"][1]["category"] = {"name": "classification", "labels": [EVIL, "b"]}
    scalars["output"][2]["category"] = {"name": "measurement", "unit": EVIL}
    scalars["test_cases"] = [[1, 2, 3.5, EVIL, True, 1, 2, 3.5, EVIL, True]]
    return spec


@pytest.fixture(scope="module")
def tmp(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("hostile")


@pytest.fixture(scope="module")
def sandbox(tmp: Path) -> Path:
    """The folder of the network sandbox (its ``sitecustomize.py`` and connect log)."""
    network_sandbox(tmp / "sandbox")
    return tmp / "sandbox"


@pytest.fixture(scope="module")
def root(tmp: Path) -> Path:
    """The file root: an image, a folder, symbolic links to a file and a folder outside it.

    ``secret.png`` beside the root is a valid image, so a read that escapes would answer 200.
    """
    folder = tmp / "root"
    (folder / "sub").mkdir(parents=True)
    (folder / "image.png").write_bytes(png_bytes(GRAY))
    (tmp / "secret.png").write_bytes(png_bytes(GRAY))
    (folder / "link.png").symlink_to(tmp / "secret.png")
    (folder / "outside").symlink_to(tmp)
    return folder


def _serve(args: list[str], tmp: Path, sandbox: Path) -> Iterator[Server]:
    server = start(rest_command(*args), tmp, env=network_sandbox(sandbox))
    yield server
    try:  # the suite's last word: the server is still up and healthy
        assert server.process.poll() is None, server.log.read_text()
        assert requests.get(f"{server.url}/api/health", timeout=TIMEOUT).json() == {"status": "ok"}
    finally:
        server.stop()


@pytest.fixture(scope="module")
def strict(tmp: Path, sandbox: Path, root: Path) -> Iterator[Server]:
    folder = write_module(tmp / "amod_evil", _evil_spec(), TYPES_SOURCE)
    (folder / "testdata" / "gray.png").write_bytes(png_bytes(GRAY))
    (folder / "testdata" / "link.png").symlink_to(tmp / "secret.png")
    yield from _serve([str(folder), "--file-root", str(root), "--max-request-mb", "1", "--fetch-timeout", "2"],
                      tmp, sandbox)


@pytest.fixture(scope="module")
def lenient(tmp: Path, sandbox: Path) -> Iterator[Server]:
    folder = write_module(tmp / "amod_types", TYPES_SPEC, TYPES_SOURCE)
    yield from _serve([str(folder), "--allow-private-urls", "--fetch-timeout", "1", "--max-request-mb", "0.05",
                       "--cache", "0"], tmp, sandbox)


@pytest.fixture(scope="module")
def counters() -> Iterator[dict[str, ConnectionCounter]]:
    """Listeners on 127.0.0.1 and ::1 that count the connections they get (none, we hope)."""
    made = {"v4": ConnectionCounter("127.0.0.1"), "v6": ConnectionCounter("::1")}
    yield made
    for counter in made.values():
        counter.close()


@pytest.fixture(scope="module")
def upstream(counters: dict[str, ConnectionCounter]) -> Iterator[Upstream]:
    v4, v6 = counters["v4"].port, counters["v6"].port
    with Upstream() as server:
        server.routes.update({
            "/gray.png": ("body", png_bytes(GRAY)),
            "/to-loopback": ("redirect", f"http://127.0.0.1:{v4}/a.png"),
            "/to-loopback6": ("redirect", f"http://[::1]:{v6}/a.png"),
            "/to-localhost": ("redirect", f"http://localhost:{v4}/a.png"),
            "/to-metadata": ("redirect", "http://169.254.169.254/latest/meta-data/"),
            "/loop": ("redirect", "/loop"),
            "/r1": ("redirect", "/r2"), "/r2": ("redirect", "/r3"), "/r3": ("redirect", "/r4"),
            "/r4": ("redirect", "/gray.png"),
            "/trickle": ("slow", 1.0),
            "/trickle-headers": ("slow_headers", 1.0),
            "/big": ("body", b"\0" * 100_000),
            "/endless": ("endless", 100),
        })
        yield server


# --- asking and checking ------------------------------------------------------------------------

def _run(server: Server, method: str, **kwargs: Any) -> requests.Response:
    http = "POST" if any(key in kwargs for key in ("json", "data", "files")) else "GET"
    return requests.request(http, f"{server.url}/api/run/{method}", timeout=TIMEOUT, **kwargs)


def _error(response: requests.Response, status: int, kind: str, path: str) -> str:
    """Check a JSON error answer; its message, which starts with the path when there is one."""
    assert response.status_code == status, response.text
    assert response.headers["Content-Type"] == "application/json"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    error = response.json()["error"]
    assert set(error) == {"type", "message", "path"}
    assert (error["type"], error["path"]) == (kind, path), error
    if path:  # named in the message too (a long name is cut short in both)
        assert path.rstrip(".")[:40] in error["message"], error
    return str(error["message"])


def _short(text: str, width: int = 60) -> str:
    """How the fetcher shows a URL in its messages (repr, cut to about ``width``)."""
    return repr(text) if len(text) <= width else f"{text[:width - 10]!r}... ({len(text)} chars)"


def _image(url: str) -> dict[str, Any]:
    return {"images": url}


# --- request bodies ---------------------------------------------------------------------------

FORM = {"Content-Type": "application/x-www-form-urlencoded"}
JSON = {"Content-Type": "application/json"}
OVER_1MB = "the request body is over the limit of 1048576 bytes (1 MB, --max-request-mb)"


def test_error_body_over_the_limit_with_content_length(strict: Server) -> None:
    response = _run(strict, "shapes", data=b"images=" + b"x" * (2 * 2**20), headers=FORM)
    assert _error(response, 413, "RequestEntityTooLarge", "") == OVER_1MB


def _chunks(total: int, size: int = 16 * 1024) -> Iterator[bytes]:
    yield b"images="
    for _ in range(0, total, size):
        yield b"x" * size


def test_error_chunked_body_over_the_limit(strict: Server) -> None:
    response = _run(strict, "shapes", data=_chunks(2**20 + 64 * 1024), headers=FORM)
    assert _error(response, 413, "RequestEntityTooLarge", "") == OVER_1MB


def test_error_too_many_multipart_parts(strict: Server) -> None:
    # 2000 tiny uploads: a small body, but over Werkzeug's cap of 1000 parts
    response = _run(strict, "shapes", files=[("images", ("a.png", b"x"))] * 2000)
    message = _error(response, 413, "RequestEntityTooLarge", "")
    assert message == "the multipart body has more than 1000 parts (fields and files); send fewer"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b'{"images": [', "the body is not valid JSON (Expecting value: line 1 column 13 (char 12))"),
        (b"[1]", "the JSON body must be an object of arguments by name (got a list)"),
        (b'{"images": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
         "the body is not valid JSON (maximum recursion depth exceeded while decoding a JSON array from a "
         "unicode string)"),
        (b'{"images": ' + b"9" * 5000 + b"}",
         "the body is not valid JSON (Exceeds the limit (4300 digits) for integer string conversion: value has "
         "5000 digits; use sys.set_int_max_str_digits() to increase the limit)"),
        (b'{"images": "\xff\xfe"}',
         "the body is not valid JSON ('utf-8' codec can't decode byte 0xff in position 12: invalid start byte)"),
    ],
    ids=["truncated", "not-an-object", "nested-100000-deep", "5000-digit-number", "not-utf8"],
)
def test_error_malformed_json(strict: Server, body: bytes, message: str) -> None:
    assert _error(_run(strict, "shapes", data=body, headers=JSON), 400, "BadRequestError", "") == message


def test_error_body_of_another_type(strict: Server) -> None:
    response = _run(strict, "shapes", data=b"<images/>", headers={"Content-Type": "application/xml"})
    assert _error(response, 415, "UnsupportedMediaType", "") == (
        "a body of type 'application/xml' is not understood; send application/json, "
        "application/x-www-form-urlencoded or multipart/form-data")


# --- data URLs and images ----------------------------------------------------------------------

@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("data:image/png;base64,iVBO*RK", "data URL payload is not valid base64: '*' at offset 4"),
        ("data:image/png;base64,iVBORw0KG", "data URL payload is not valid base64 (its length 9 is impossible)"),
        ("data:image/png;base64,!!!!", "data URL payload is not valid base64: '!' at offset 0"),
    ],
    ids=["bad-character", "impossible-length", "no-base64-at-all"],
)
def test_error_bad_base64(strict: Server, url: str, message: str) -> None:
    assert _error(_run(strict, "shapes", params=_image(url)), 400, "ConversionError", "images[0]") == (
        f"images[0]: {message}")


def test_error_png_declaring_20000x20000(strict: Server) -> None:
    png = png_declaring(20000, 20000, rows=1)  # a few hundred bytes
    assert len(png) < 1000
    response = _run(strict, "shapes", files={"images": png})
    assert _error(response, 413, "LimitExceededError", "images[0]") == (
        "images[0]: image of 20000x20000 = 400000000 pixels is over the limit of 50000000 pixels")


@pytest.mark.parametrize("where", ["zTXt-before-IDAT", "iTXt-after-IDAT"])
def test_error_png_text_chunk_bomb(strict: Server, where: str) -> None:
    # 50 MB of text in a chunk of about 50 kB
    if where.startswith("zTXt"):
        png = png_declaring(3, 2, before_idat=png_text_bomb(50_000_000, b"zTXt"))
    else:
        png = png_declaring(3, 2, after_idat=png_text_bomb(50_000_000, b"iTXt"))
    assert len(png) < 100_000
    response = _run(strict, "shapes", json={"images": [data_url(png)]})
    assert _error(response, 413, "LimitExceededError", "images[0]") == (
        "images[0]: a PNG text chunk is too large (ValueError: Decompressed data too large for "
        "PngImagePlugin.MAX_TEXT_CHUNK)")


@pytest.mark.parametrize("fmt", ["GIF", "TIFF"])
def test_gif_and_tiff_labelled_png_decode_by_their_content(strict: Server, fmt: str) -> None:
    rgb = np.zeros((2, 3, 3), np.uint8)
    rgb[0, 0], rgb[1, 2] = (255, 0, 0), (0, 0, 255)
    arrays = {"u8": [1], "f32": [1.0], "i16": [[1]], "img": data_url(png_bytes(rgb, fmt), "image/png")}
    response = _run(strict, "arrays", json=arrays)
    assert response.status_code == 200, response.text
    np.testing.assert_array_equal(decode_data_url_array(response.json()["outputs"]["img"]), rgb)


@pytest.mark.parametrize(
    ("fmt", "status", "message"),
    [
        ("TIFF", 200, None),
        # a GIF is a palette image: it decodes as RGB, which a 2-d type refuses clearly
        ("GIF", 400, "images[0]: must be ndarray/uint8// (got <ndarray uint8 (2, 3, 3)>): needs 2 dimensions, has 3"),
    ],
)
def test_gray_gif_and_tiff_labelled_png(strict: Server, fmt: str, status: int, message: str | None) -> None:
    response = _run(strict, "shapes", json={"images": [data_url(png_bytes(GRAY, fmt), "image/png")]})
    if message is None:
        assert response.status_code == status and response.json() == {"outputs": {"shapes": ["uint8(2, 3)"]}}
    else:
        assert _error(response, status, "ConversionError", "images[0]") == message


# --- .npy and .npz ---------------------------------------------------------------------------

@pytest.mark.parametrize("container", ["npy-upload", "npy-data-url", "npz-upload"])
def test_error_pickled_npy_is_never_unpickled(strict: Server, tmp: Path, container: str) -> None:
    control = tmp / f"control-{container}"
    np.load(io.BytesIO(pickled_npy(control)), allow_pickle=True)  # the payload works when loaded
    assert control.exists()
    marker = tmp / f"marker-{container}"
    payload = pickled_npy(marker)
    if container == "npy-upload":
        response = _run(strict, "volumes", files={"octs": payload})
        what = ".npy"
    elif container == "npy-data-url":
        response = _run(strict, "volumes", json={"octs": [data_url(payload, "ndarray/npy")]})
        what = ".npy"
    else:
        response = _run(strict, "volumes", files={"octs": npz_of({"arr_0.npy": payload})})
        what = ".npz member 'arr_0.npy'"
    assert _error(response, 403, "RefusedError", "octs[0]") == (
        f"octs[0]: {what} holds Python objects (pickled data), which are never loaded; save numeric arrays "
        f"with allow_pickle=False")
    assert not marker.exists()


def test_error_npy_declaring_10_to_the_12_elements(strict: Server) -> None:
    npy = npy_with_header("{'descr': '|u1', 'fortran_order': False, 'shape': (1000000000000,), }", b"\0")
    response = _run(strict, "volumes", files={"octs": npy})
    assert _error(response, 413, "LimitExceededError", "octs[0]") == (
        "octs[0]: .npy declares 1000000000000 bytes of uint8 (1000000000000,), over the limit of 400000000 bytes")


@pytest.mark.parametrize("version", [(1, 0), (2, 0)])
def test_error_npy_header_over_10000_bytes(strict: Server, version: tuple[int, int]) -> None:
    header = "{'descr': '|u1', 'fortran_order': False, 'shape': (1, 1, 1), }" + " " * 12_000
    npy = npy_with_header(header, b"\0", version)
    size = len(npy) - 1 - (10 if version[0] == 1 else 12)
    response = _run(strict, "volumes", files={"octs": npy})
    assert _error(response, 413, "LimitExceededError", "octs[0]") == (
        f"octs[0]: .npy header of {size} bytes is over the limit of 10000 bytes")


def test_error_npz_member_declaring_100x_its_stored_size(strict: Server) -> None:
    # 100 kB of zeros deflate to about 200 bytes; the zip says 100x that (20 kB), the data
    # inside says 100 kB: refused from the headers, before inflating past them
    data, declared, stored = npz_lying_size(npy_bytes(np.zeros((10, 100, 100), np.uint8)), 100)
    assert declared == 100 * stored
    response = _run(strict, "volumes", files={"octs": data})
    assert _error(response, 400, "ConversionError", "octs[0]") == (
        f"octs[0]: .npz member 'arr_0.npy' declares 100000 bytes of data for uint8 (10, 100, 100) but holds "
        f"{declared - 128}")


def test_error_npz_member_declaring_more_than_the_limit(strict: Server) -> None:
    data, declared, _ = npz_lying_size(npy_bytes(np.zeros((10, 100, 100), np.uint8)), 10**7)
    response = _run(strict, "volumes", files={"octs": data})
    assert _error(response, 413, "LimitExceededError", "octs[0]") == (
        f"octs[0]: .npz member 'arr_0.npy' declares {declared} bytes, over the limit of 400010012")


def test_compressible_npz_within_the_limits_decodes(strict: Server) -> None:
    # the same 1000:1 volume, honestly declared: not an attack
    response = _run(strict, "volumes", files={"octs": npz_bytes(np.ones((10, 100, 100), np.uint8))})
    assert response.status_code == 200 and response.json() == {"outputs": {"sums": [100_000]}}


def test_error_npz_member_compressed_with_lzma(strict: Server) -> None:
    # an LZMA member's own header sets the dictionary the decoder allocates (up to 4 GB)
    data = npz_of({"arr_0.npy": npy_bytes(np.ones((2, 2, 2), np.uint8))}, zipfile.ZIP_LZMA)
    response = _run(strict, "volumes", files={"octs": data})
    assert _error(response, 400, "ConversionError", "octs[0]") == (
        "octs[0]: .npz member 'arr_0.npy' is compressed with LZMA; numpy writes stored or deflated members")


@pytest.mark.parametrize("count_says", ["10000", "1"])
def test_error_npz_with_10000_members(strict: Server, count_says: str) -> None:
    data = bytearray(npz_many_members(10_000))
    if count_says == "1":  # the end record lies about the count: the directory is still read in full
        end = data.rfind(b"PK\x05\x06")
        data[end + 8:end + 12] = b"\x01\x00\x01\x00"
    response = _run(strict, "volumes", files={"octs": bytes(data)})
    assert _error(response, 413, "LimitExceededError", "octs[0]") == (
        "octs[0]: .npz has 10000 members, over the limit of 64")


# --- file:// ----------------------------------------------------------------------------------

def test_error_file_url_without_roots(lenient: Server, root: Path) -> None:
    url = f"file://{root}/image.png"
    response = _run(lenient, "shapes", params=_image(url))
    assert _error(response, 403, "RefusedError", "images[0]") == (
        f"images[0]: file:// URLs are not allowed here (no file roots are configured; got {_short(url)})")


def test_file_url_inside_the_root_is_read(strict: Server, root: Path) -> None:
    for url in (f"file://{root}/image.png", f"file://localhost{root}/image.png"):
        response = _run(strict, "shapes", params=_image(url))
        assert response.status_code == 200 and response.json() == {"outputs": {"shapes": ["uint8(2, 3)"]}}


NOT_PLAIN = "file:// path must be absolute and plain (no '.', '..' or '//' segments; got {shown})"


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("file://{root}/../secret.png", NOT_PLAIN),
        ("file://{root}/sub/../../secret.png", NOT_PLAIN),
        ("file://{root}/%2e%2e/secret.png", NOT_PLAIN),
        ("file://{root}/%2E%2E/secret.png", NOT_PLAIN),
        ("file://{root}/sub%2f..%2f..%2fsecret.png", NOT_PLAIN),
        ("FILE://{root}/../secret.png", NOT_PLAIN),
        ("file://{root}//image.png", NOT_PLAIN),
        ("file:////proc/self/root{root}/image.png", NOT_PLAIN),
        ("file://{root}/image.png%00.png", NOT_PLAIN),
        ("file:///proc/self/root{root}/image.png", "{shown} is outside the allowed file roots"),
        ("file://{root}/link.png", "{shown} leads outside the allowed file roots (through a symbolic link)"),
        ("file://{root}/outside/secret.png", "{shown} leads outside the allowed file roots (through a symbolic link)"),
        ("file://{root}/image.png#fragment", "a file:// URL may not have a query or fragment (got {shown})"),
        ("file://{root}/image.png?query", "a file:// URL may not have a query or fragment (got {shown})"),
        ("file://evil.example{root}/image.png", "a file:// URL must name a local file, not host 'evil.example'"),
        ("file://{root}/sub", "{shown} is not a regular file"),
    ],
    ids=["dot-dot", "sub-dot-dot", "%2e%2e", "%2E%2E", "encoded-slashes", "upper-case-scheme", "double-slash",
         "//proc/self/root", "nul-byte", "/proc/self/root", "symlink-to-file", "symlink-to-folder", "fragment",
         "query", "remote-host", "folder"],
)
def test_error_file_url_escapes(strict: Server, root: Path, url: str, message: str) -> None:
    url = url.format(root=root)
    response = _run(strict, "shapes", params=_image(url))
    assert _error(response, 403, "RefusedError", "images[0]") == "images[0]: " + message.format(shown=_short(url))


def test_upload_file_names_are_never_paths(strict: Server, tmp: Path) -> None:
    name = f"../../../../../../..{tmp}/uploaded.png"
    response = _run(strict, "shapes", files={"images": (name, png_bytes(GRAY))})
    assert response.status_code == 200 and response.json() == {"outputs": {"shapes": ["uint8(2, 3)"]}}
    assert not (tmp / "uploaded.png").exists()


def _raw_get(server: Server, target: str) -> requests.Response:
    """GET ``target`` exactly as written (``requests`` would remove its dot segments)."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=TIMEOUT)
    try:
        connection.request("GET", target)
        answer = connection.getresponse()
        response = requests.Response()
        response.status_code, response._content = answer.status, answer.read()
        response.headers.update(answer.getheaders())
        return response
    finally:
        connection.close()


@pytest.mark.parametrize(
    ("target", "name"),
    [
        ("/api/testdata/../../secret.png", "'../../secret.png'"),
        ("/api/testdata/%2e%2e/%2e%2e/secret.png", "'../../secret.png'"),
        ("/api/testdata/..%2f..%2fsecret.png", "'../../secret.png'"),
        ("/api/testdata/link.png", "'link.png'"),
        ("/api/testdata/gray.png%00", "'gray.png\\x00'"),
        ("/api/testdata/" + "a" * 300 + ".png", None),
        ("/api/testdata/" + "a/" * 3000 + "x.png", None),
    ],
    ids=["dot-dot", "%2e%2e", "encoded-slashes", "symlink-out", "nul-byte", "name-too-long",
         "path-too-long"],
)
def test_error_testdata_route_escapes(strict: Server, tmp: Path, target: str, name: str | None) -> None:
    response = _raw_get(strict, target.replace("{tmp}", str(tmp).lstrip("/")))
    assert response.status_code == 404, response.text
    assert response.headers["Content-Type"] == "application/json"
    error = response.json()["error"]
    assert error["type"] == "DataFileNotFound"
    if name is not None:
        assert error["message"] == f"no test-data file {name.replace('{tmp}', str(tmp).lstrip('/'))}"
    assert _raw_get(strict, "/api/testdata/gray.png").status_code == 200  # the control


def test_error_testdata_route_absolute_path(strict: Server, tmp: Path) -> None:
    # "//" in a path is not merged (no routing redirect): an unknown endpoint, a JSON 404
    secret = f"{str(tmp).lstrip('/')}/secret.png"
    response = _raw_get(strict, f"/api/testdata/%2F{secret}")
    assert response.status_code == 404
    assert response.json()["error"]["type"] == "NotFound"
    response = _raw_get(strict, f"/api/testdata/{secret}")
    assert response.status_code == 404
    error = response.json()["error"]
    assert error["type"] == "DataFileNotFound" and secret.startswith(error["path"].rstrip("."))


# --- http(s):// to addresses that are not public, and other schemes ----------------------------

REFUSED = "host {host} is {reason}; such addresses are refused unless allowed by the policy"


@pytest.mark.parametrize(
    ("url", "host", "reason"),
    [
        ("http://127.0.0.1:{v4}/a.png", "'127.0.0.1'", "a loopback address"),
        ("http://[::1]:{v6}/a.png", "'::1'", "a loopback address"),
        ("http://0x7f000001:{v4}/a.png", "'0x7f000001' (127.0.0.1)", "a loopback address"),
        ("http://2130706433:{v4}/a.png", "'2130706433' (127.0.0.1)", "a loopback address"),
        ("http://017700000001:{v4}/a.png", "'017700000001' (127.0.0.1)", "a loopback address"),
        ("http://127.1:{v4}/a.png", "'127.1' (127.0.0.1)", "a loopback address"),
        ("http://localhost:{v4}/a.png", "'localhost' (127.0.0.1)", "a loopback address"),
        ("http://[::ffff:127.0.0.1]:{v4}/a.png", "'::ffff:127.0.0.1'", "a loopback address"),
        ("http://0.0.0.0:{v4}/a.png", "'0.0.0.0'", "an unspecified address"),
        ("http://169.254.169.254/latest/meta-data/", "'169.254.169.254'", "a link-local address"),
        ("http://10.0.0.1/a.png", "'10.0.0.1'", "a private address"),
        ("https://10.0.0.1/a.png", "'10.0.0.1'", "a private address"),
        ("http://192.168.1.1/a.png", "'192.168.1.1'", "a private address"),
        ("http://100.64.0.1/a.png", "'100.64.0.1'", "not a public address"),
        ("http://[fd00::1]/a.png", "'fd00::1'", "a private address"),
        ("http://[fe80::1%25eth0]/a.png", "'fe80::1%25eth0' (fe80::1)", "a link-local address"),
    ],
    ids=lambda value: value if isinstance(value, str) and value.startswith("http") else None,
)
def test_error_private_address_is_refused_without_connecting(
    strict: Server, sandbox: Path, counters: dict[str, ConnectionCounter], url: str, host: str, reason: str
) -> None:
    url = url.format(v4=counters["v4"].port, v6=counters["v6"].port)
    tried = len(connect_log(sandbox))
    response = _run(strict, "shapes", params=_image(url))
    assert _error(response, 403, "RefusedError", "images[0]") == (
        "images[0]: " + REFUSED.format(host=host, reason=reason))
    assert connect_log(sandbox)[tried:] == []  # not even tried
    assert counters["v4"].count == counters["v6"].count == 0


def test_error_url_with_credentials(strict: Server) -> None:
    url = "http://user:secret@upstream.hostile.test/a.png"
    assert _error(_run(strict, "shapes", params=_image(url)), 403, "RefusedError", "images[0]") == (
        f"images[0]: URLs with credentials are not allowed (got {url!r})")


NOT_ALLOWED = "URL scheme {scheme!r} is not allowed; expected http://, https:// or file:// (got {url!r})"
NOT_A_URL = "expected a data URL, an http(s):// URL or a file:// URL (got {url!r})"
NOT_ARRAY_MEDIA = ("expected a data URL of an image or array (data:image/..., data:ndarray/npy, data:ndarray/npz), "
                   "got media type 'text/html'")


@pytest.mark.parametrize(
    ("url", "status", "kind", "message"),
    [
        ("ftp://upstream.hostile.test/a.png", 403, "RefusedError", NOT_ALLOWED),
        ("gopher://upstream.hostile.test:70/_a.png", 403, "RefusedError", NOT_ALLOWED),
        ("dict://127.0.0.1:11211/stat", 403, "RefusedError", NOT_ALLOWED),
        ("javascript:alert(1)", 400, "ConversionError", NOT_A_URL),
        ("//upstream.hostile.test/a.png", 400, "ConversionError", NOT_A_URL),
        ("data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==", 400, "ConversionError", NOT_ARRAY_MEDIA),
        ("data:text/html,<script>alert(1)</script>", 400, "ConversionError", NOT_ARRAY_MEDIA),
    ],
    ids=["ftp", "gopher", "dict", "javascript", "scheme-relative", "data-text-html-base64", "data-text-html"],
)
def test_error_other_schemes(strict: Server, sandbox: Path, url: str, status: int, kind: str, message: str) -> None:
    tried = len(connect_log(sandbox))
    response = _run(strict, "shapes", params=_image(url))
    scheme = url.split(":", 1)[0]
    assert _error(response, status, kind, "images[0]") == "images[0]: " + message.format(scheme=scheme, url=url)
    assert connect_log(sandbox)[tried:] == []


# --- redirects ---------------------------------------------------------------------------------

def _public(upstream: Upstream, route: str) -> str:
    """``route`` of the upstream under a public-looking host name (the sandbox diverts it)."""
    return f"http://upstream.hostile.test:{upstream.url.rsplit(':', 1)[1]}{route}"


def test_public_upstream_is_fetched(strict: Server, sandbox: Path, upstream: Upstream) -> None:
    # the control for the redirect tests: the first hop alone is allowed and works
    tried = len(connect_log(sandbox))
    response = _run(strict, "shapes", params=_image(_public(upstream, "/gray.png")))
    assert response.status_code == 200 and response.json() == {"outputs": {"shapes": ["uint8(2, 3)"]}}
    assert connect_log(sandbox)[tried:] == [(PUBLIC_ADDRESS, int(upstream.url.rsplit(":", 1)[1]))]


@pytest.mark.parametrize(
    ("route", "host", "reason"),
    [
        ("/to-loopback", "'127.0.0.1'", "a loopback address"),
        ("/to-loopback6", "'::1'", "a loopback address"),
        ("/to-localhost", "'localhost' (127.0.0.1)", "a loopback address"),
        ("/to-metadata", "'169.254.169.254'", "a link-local address"),
    ],
)
def test_error_redirect_from_public_to_private_is_refused(
    strict: Server, sandbox: Path, upstream: Upstream, counters: dict[str, ConnectionCounter],
    route: str, host: str, reason: str,
) -> None:
    tried = len(connect_log(sandbox))
    response = _run(strict, "shapes", params=_image(_public(upstream, route)))
    assert _error(response, 403, "RefusedError", "images[0]") == (
        "images[0]: " + REFUSED.format(host=host, reason=reason))
    assert route in upstream.requests  # the first hop was fetched ...
    assert connect_log(sandbox)[tried:] == [(PUBLIC_ADDRESS, int(upstream.url.rsplit(":", 1)[1]))]
    assert counters["v4"].count == counters["v6"].count == 0  # ... the second never connected


@pytest.mark.parametrize("route", ["/r1", "/loop"], ids=["4-redirects", "redirect-loop"])
def test_error_more_than_3_redirects(lenient: Server, upstream: Upstream, route: str) -> None:
    response = _run(lenient, "shapes", params=_image(upstream.url + route))
    assert _error(response, 400, "ConversionError", "images[0]") == (
        f"images[0]: too many redirects from {_short(upstream.url + route)} (more than 3)")


def test_3_redirects_are_followed(lenient: Server, upstream: Upstream) -> None:
    response = _run(lenient, "shapes", params=_image(upstream.url + "/r2"))
    assert response.status_code == 200 and response.json() == {"outputs": {"shapes": ["uint8(2, 3)"]}}


# --- slow and big upstreams --------------------------------------------------------------------

@pytest.mark.parametrize("route", ["/trickle", "/trickle-headers"], ids=["body", "headers"])
def test_error_upstream_sending_1_byte_a_second(lenient: Server, upstream: Upstream, route: str) -> None:
    response = _run(lenient, "shapes", params=_image(upstream.url + route))
    assert _error(response, 413, "LimitExceededError", "images[0]") == (
        f"images[0]: download of {_short(upstream.url + route)} took longer than 1 s")


@pytest.mark.parametrize(
    ("route", "message"),
    [
        ("/big", "download of 100000 bytes is over the limit of 52428 bytes"),
        ("/endless", "download is over the limit of 52428 bytes"),
    ],
    ids=["declared", "undeclared"],
)
def test_error_upstream_body_over_the_cap(lenient: Server, upstream: Upstream, route: str, message: str) -> None:
    response = _run(lenient, "shapes", params=_image(upstream.url + route))
    assert _error(response, 413, "LimitExceededError", "images[0]") == f"images[0]: {message}"


# --- arguments: wrong types, missing, extra, unknown methods -----------------------------------

SCALARS = {"n": 1, "i": 2, "f": 3.5, "t": "x", "b": True}
SCALARS_QUERY = {"n": "1", "i": "2", "f": "3.5", "t": "x", "b": "true"}
ARRAYS = {"u8": [1, 2], "f32": [1.5], "i16": [[1, 2]], "img": [[0, 255]]}
LISTS = {"ints": [1, 2], "floats": [1.5], "words": ["a"], "flags": [True]}
LISTS_QUERY = {"ints": "1,2", "floats": "1.5", "words": "a,b", "flags": "true,false"}
ANNOTATE_QUERY = {"shape": '["point", [[1, 2]]]', "shapes": '[["rect", [[1, 1, 2, 2]]]]'}
F32_NPY = data_url(npy_bytes(np.zeros(2, np.float32)), "ndarray/npy")
GRAY_PNG = data_url(png_bytes(GRAY))

#: (method, "query" or "json", valid arguments, field, bad value, path, message after the path)
WRONG_TYPES = [
    ("scalars", "query", SCALARS_QUERY, "n", "abc", "n", "must be numeric (got 'abc')"),
    ("scalars", "json", SCALARS, "n", True, "n", "must be numeric (got True, a bool): bool is not a number"),
    ("scalars", "json", SCALARS, "n", [1], "n", "must be numeric (got [1], a list)"),
    ("scalars", "query", SCALARS_QUERY, "i", "3.5", "i", "must be numeric/int (got '3.5')"),
    ("scalars", "query", SCALARS_QUERY, "i", "1e400", "i", "must be numeric/int (got '1e400')"),
    ("scalars", "json", SCALARS, "i", 3.5, "i", "must be numeric/int (got 3.5, a float)"),
    ("scalars", "query", SCALARS_QUERY, "f", "nanx", "f", "must be numeric/float (got 'nanx')"),
    ("scalars", "json", SCALARS, "f", None, "f", "must be numeric/float (got None)"),
    ("scalars", "json", SCALARS, "t", 5, "t", "must be text (got 5, an int)"),
    ("scalars", "json", SCALARS, "t", {"a": 1}, "t", "must be text (got {'a': 1}, a dict)"),
    ("scalars", "query", SCALARS_QUERY, "b", "maybe", "b",
     "must be boolean: true/false, 1/0, yes/no or on/off (got 'maybe')"),
    ("scalars", "json", SCALARS, "b", 1, "b", "must be boolean (got 1, an int): write True or False"),
    ("arrays", "json", ARRAYS, "u8", [300], "u8", "must be ndarray/uint8: expected values from 0 to 255 (found 300)"),
    ("arrays", "json", ARRAYS, "u8", [[1], [1, 2]], "u8",
     "expected ndarray/uint8 as nested lists of numbers of equal lengths (got [[1], [1, 2]])"),
    ("arrays", "json", ARRAYS, "u8", "hello", "u8",
     "expected a data URL, an http(s):// URL or a file:// URL (got 'hello')"),
    ("arrays", "json", ARRAYS, "u8", F32_NPY, "u8",
     "must be ndarray/uint8 (got <ndarray float32 (2,)>): dtype is float32, not uint8"),
    ("arrays", "json", ARRAYS, "u8", True, "u8", "must be ndarray/uint8: expected numbers, not true/false"),
    ("arrays", "json", ARRAYS, "u8", {"a": 1}, "u8", "must be ndarray/uint8 (got {'a': 1}, a dict)"),
    ("arrays", "json", ARRAYS, "f32", GRAY_PNG, "f32",
     "must be ndarray/float32 (got <ndarray uint8 (2, 3)>): dtype is uint8, not float32"),
    ("arrays", "json", ARRAYS, "i16", [1, 2], "i16",
     "must be ndarray/int16// (got <ndarray int16 (2,)>): needs 2 dimensions, has 1"),
    ("arrays", "json", ARRAYS, "img", [[0.5]], "img", "must be ndarray/image: expected whole numbers"),
    ("arrays", "json", ARRAYS, "img", [[[1, 2]]], "img",
     "must be ndarray/image (got <ndarray uint8 (1, 1, 2)>): an image needs shape (h, w), (h, w, 3) or (h, w, 4)"),
    ("shapes", "json", {"images": []}, "images", 5, "images", "must be [ndarray/uint8//] (got 5, an int)"),
    ("shapes", "query", {"images": ""}, "images", "x", "images[0]",
     "expected a data URL, an http(s):// URL or a file:// URL (got 'x')"),
    ("volumes", "json", {"octs": []}, "octs", [[[1]]], "octs[0]",
     "must be ndarray/uint8/// (got <ndarray uint8 (1, 1)>): needs 3 dimensions, has 2"),
    ("lists", "query", LISTS_QUERY, "ints", "1,x", "ints[1]", "must be numeric/int (got 'x')"),
    ("lists", "query", LISTS_QUERY, "ints", '[1, "a"]', "ints[1]", "must be numeric/int (got 'a', a str)"),
    ("lists", "json", LISTS, "ints", {"a": 1}, "ints", "must be [numeric/int] (got {'a': 1}, a dict)"),
    ("lists", "query", LISTS_QUERY, "floats", "1.5,,2", "floats[1]", "must be numeric/float (got '')"),
    ("lists", "json", LISTS, "words", [1], "words[0]", "must be text (got 1, an int)"),
    ("lists", "query", LISTS_QUERY, "flags", "yes,maybe", "flags[1]",
     "must be boolean: true/false, 1/0, yes/no or on/off (got 'maybe')"),
    ("annotate", "query", ANNOTATE_QUERY, "shape", '["hexagon", [[1, 2]]]', "shape",
     "must be annotation (got ['hexagon', [[1, 2]]], a list): kind must be one of point, circle, ellipse, rect, "
     "polyline (got 'hexagon', a str)"),
    ("annotate", "query", ANNOTATE_QUERY, "shape", '["point", [[1]]]', "shape",
     "must be annotation (got ['point', [[1]]], a list): geometries[0] must be 2 numbers (x, y) for a point, has 1"),
    ("annotate", "query", ANNOTATE_QUERY, "shape", "{", "shape",
     "expected annotation as JSON text (got '{': JSONDecodeError: Expecting property name enclosed in double "
     "quotes: line 1 column 2 (char 1))"),
    ("annotate", "query", ANNOTATE_QUERY, "shapes", "[5]", "shapes[0]",
     "must be annotation (got 5, an int): expected a (kind, geometries) pair"),
]


@pytest.mark.parametrize(
    ("method", "how", "valid", "field", "bad", "path", "message"), WRONG_TYPES,
    ids=[f"{row[0]}-{row[3]}-{row[1]}-{str(row[4])[:20]}" for row in WRONG_TYPES],
)
def test_error_wrong_types(strict: Server, method: str, how: str, valid: dict[str, Any], field: str, bad: Any,
                           path: str, message: str) -> None:
    arguments = {**valid, field: bad}
    response = _run(strict, method, params=arguments) if how == "query" else _run(strict, method, json=arguments)
    assert _error(response, 400, "ConversionError", path) == f"{path}: {message}"


def test_every_io_type_is_in_the_wrong_types_table() -> None:
    declared = {arg["type"] for method in TYPES_SPEC["methods"].values() for arg in method["input"]}
    covered = {arg["type"] for row in WRONG_TYPES for arg in TYPES_SPEC["methods"][row[0]]["input"]
               if arg["name"] == row[3]}
    assert declared == covered


SIGNATURE = "scalars(n: numeric, i: numeric/int, f: numeric/float, t: text, b: boolean)"


@pytest.mark.parametrize(
    ("arguments", "path", "message"),
    [
        ({"n": "1"}, "i", f"missing arguments 'i', 'f', 't', 'b' of {SIGNATURE}"),
        ({**SCALARS_QUERY, "evil": "1"}, "evil", f"unknown argument 'evil' for {SIGNATURE} (it takes: n, i, f, t, b)"),
        ({**SCALARS_QUERY, EVIL: "1"}, EVIL, f"unknown argument {EVIL!r} for {SIGNATURE} (it takes: n, i, f, t, b)"),
        ({**SCALARS_QUERY, "n": ["1", "2"]}, "n", "'n' is given 2 times; give one numeric"),
    ],
    ids=["missing", "extra", "extra-script", "given-twice"],
)
def test_error_missing_extra_and_repeated_arguments(strict: Server, arguments: dict[str, Any], path: str,
                                                    message: str) -> None:
    assert _error(_run(strict, "scalars", params=arguments), 400, "BadRequestError", path) == message


def test_error_argument_for_a_method_without_arguments(strict: Server) -> None:
    response = _run(strict, "nothing", json={"x": 1})
    assert _error(response, 400, "BadRequestError", "x") == (
        "unknown argument 'x' for nothing() (it takes: no arguments)")


SERVED = "scalars, arrays, shapes, volumes, lists, annotate, nothing, fail, wrong_output, special_floats"


@pytest.mark.parametrize(
    ("method", "path", "message"),
    [
        ("nope", "nope", f"no method 'nope' (this module serves: {SERVED})"),
        ("unimplemented", "unimplemented", "method 'unimplemented' is declared in the specification but Types does "
                                           f"not implement it (this module serves: {SERVED})"),
        ("checktype", "checktype", f"no method 'checktype' (this module serves: {SERVED})"),
        ("_spec", "_spec", f"no method '_spec' (this module serves: {SERVED})"),
        ("__init__", "__init__", f"no method '__init__' (this module serves: {SERVED})"),
        ("x" * 500, "x" * 57 + "...", "no method '" + "x" * 55 + f"...' (this module serves: {SERVED})"),
    ],
    ids=["unknown", "declared-not-implemented", "base-class-method", "private", "dunder", "500-chars"],
)
def test_error_method_not_exposed(strict: Server, method: str, path: str, message: str) -> None:
    assert _error(_run(strict, method), 404, "MethodNotFound", path) == message


def test_error_method_name_with_a_slash(strict: Server) -> None:
    response = _run(strict, EVIL)  # "</script>" holds a slash: no route matches
    assert _error(response, 404, "NotFound", "") == f"no endpoint '/api/run/{EVIL}'; GET /api lists the endpoints"


# --- spec text with <script> -------------------------------------------------------------------

@pytest.mark.parametrize("page", ["/api/test", "/api/debug", f"/api/debug?method={EVIL}"])
def test_spec_text_is_escaped_in_pages(strict: Server, page: str) -> None:
    response = requests.get(strict.url + page, timeout=TIMEOUT)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert EVIL not in response.text
    assert ESCAPED in response.text
    assert "\\u003cscript\\u003ealert(1)\\u003c/script\\u003e" in response.text  # in the page's JSON data


@pytest.mark.parametrize("endpoint", ["/api", "/api/spec", "/api/run", "/api/test/cases", "/api/openapi.json"])
def test_spec_text_in_json_is_served_as_json(strict: Server, endpoint: str) -> None:
    response = requests.get(strict.url + endpoint, timeout=TIMEOUT)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert EVIL in json.dumps(response.json(), ensure_ascii=False)  # data, never markup


def test_script_in_a_test_case_runs_as_data(strict: Server) -> None:
    response = requests.post(f"{strict.url}/api/test/run/scalars/0", timeout=TIMEOUT)
    assert response.headers["Content-Type"] == "application/json"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.json()["passed"] is True


# --- afterwards ---------------------------------------------------------------------------------

def test_servers_still_answer_health(strict: Server, lenient: Server) -> None:
    # runs last; the fixtures' finalizers check again after any test that ran later
    for server in (strict, lenient):
        assert server.process.poll() is None
        assert requests.get(f"{server.url}/api/health", timeout=TIMEOUT).json() == {"status": "ok"}


def test_no_connection_ever_left_loopback(sandbox: Path, upstream: Upstream,
                                          counters: dict[str, ConnectionCounter]) -> None:
    upstream_port = int(upstream.url.rsplit(":", 1)[1])
    for host, port in connect_log(sandbox):
        assert (host, port) in {(PUBLIC_ADDRESS, upstream_port), ("127.0.0.1", upstream_port)}
    assert counters["v4"].count == counters["v6"].count == 0
