"""Every error status as JSON ``{"error": {"type", "message", "path"}}``, with exact messages."""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from flask import Flask
from flask.testing import FlaskClient

from rest import create_app

from .rest_modules import data_url, npy_bytes, npz_bytes, png_bytes, write_types_module

SCALARS = "scalars(n: numeric, i: numeric/int, f: numeric/float, t: text, b: boolean)"
S = {"n": "1", "i": "2", "f": "3", "t": "x", "b": "1"}
RGB = data_url(png_bytes(np.zeros((2, 2, 3), np.uint8)))
SERVED = "scalars, arrays, shapes, volumes, lists, annotate, nothing, fail, wrong_output, special_floats"


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("rest_errors")
    write_types_module(base / "amod_types")
    root = base / "root"
    root.mkdir()
    (root / "a.png").write_bytes(png_bytes(np.zeros((2, 2), np.uint8)))
    (base / "secret.png").write_bytes(png_bytes(np.zeros((2, 2), np.uint8)))
    os.symlink(base / "secret.png", root / "link.png")
    return base


@pytest.fixture(scope="module")
def app(files: Path) -> Flask:
    config = {"file_roots": [files / "root"], "max_pixels": 100, "max_request_mb": 0.01, "cache_size": 0}
    return create_app(files / "amod_types", config)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def short(text: str) -> str:
    """A long value as messages show it: cut, with its length."""
    return repr(text) if len(text) <= 60 else f"{text[:50]!r}... ({len(text)} chars)"


def error_of(response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    assert response.mimetype == "application/json"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    body = response.json
    assert list(body) == ["error"]
    assert list(body["error"])[:3] == ["type", "message", "path"]
    return body["error"]


def _multipart(**fields: Any) -> dict[str, Any]:
    return {"data": fields, "content_type": "multipart/form-data"}


BAD_INPUT = [
    ("missing-all", "GET", "/api/run/scalars", {},
     ("BadRequestError", f"missing arguments 'n', 'i', 'f', 't', 'b' of {SCALARS}", "n")),
    ("missing-some", "GET", "/api/run/scalars", {"query_string": {"n": "1", "t": "x"}},
     ("BadRequestError", f"missing arguments 'i', 'f', 'b' of {SCALARS}", "i")),
    ("unknown", "GET", "/api/run/scalars", {"query_string": {**S, "zz": "1"}},
     ("BadRequestError", f"unknown argument 'zz' for {SCALARS} (it takes: n, i, f, t, b)", "zz")),
    ("unknown-several", "POST", "/api/run/scalars", {"json": {**S, "zz": 1, "yy": 2}},
     ("BadRequestError", f"unknown arguments 'zz', 'yy' for {SCALARS} (it takes: n, i, f, t, b)", "zz")),
    ("twice", "GET", "/api/run/scalars?n=1&n=2&i=2&f=3&t=x&b=1", {},
     ("BadRequestError", "'n' is given 2 times; give one numeric", "n")),
    ("twice-query-and-body", "POST", "/api/run/scalars?i=5", {"data": S},
     ("BadRequestError", "'i' is given 2 times; give one numeric/int", "i")),
    ("int", "GET", "/api/run/scalars", {"query_string": {**S, "i": "3.5"}},
     ("ConversionError", "i: must be numeric/int (got '3.5')", "i")),
    ("bool", "GET", "/api/run/scalars", {"query_string": {**S, "b": "maybe"}},
     ("ConversionError", "b: must be boolean: true/false, 1/0, yes/no or on/off (got 'maybe')", "b")),
    ("long-input-not-echoed", "GET", "/api/run/scalars", {"query_string": {**S, "n": "x" * 5000}},
     ("ConversionError", "n: must be numeric (got 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'... (5000 chars))", "n")),
    ("json-bool-for-int", "POST", "/api/run/scalars", {"json": {**S, "i": True}},
     ("ConversionError", "i: must be numeric/int (got True, a bool): bool is not a number", "i")),
    ("json-list", "POST", "/api/run/scalars", {"json": [1]},
     ("BadRequestError", "the JSON body must be an object of arguments by name (got a list)", "")),
    ("json-broken", "POST", "/api/run/scalars", {"data": "{", "content_type": "application/json"},
     ("BadRequestError", "the body is not valid JSON (Expecting property name enclosed in double quotes: "
                         "line 1 column 2 (char 1))", "")),
    ("upload-for-number", "POST", "/api/run/scalars", _multipart(**{**S, "i": (io.BytesIO(b"12"), "i.txt")}),
     ("BadRequestError", "'i' is numeric/int: a file upload is accepted only for arrays; "
                         "send the value as a form field", "i")),
    ("wrong-dims", "POST", "/api/run/shapes", {"data": {"images": RGB}},
     ("ConversionError", "images[0]: must be ndarray/uint8// (got <ndarray uint8 (2, 2, 3)>): needs 2 dimensions, "
                         "has 3", "images[0]")),
    ("wrong-dims-upload", "POST", "/api/run/shapes",
     _multipart(images=[(io.BytesIO(png_bytes(np.zeros((2, 2), np.uint8))), "a.png"),
                        (io.BytesIO(png_bytes(np.zeros((2, 2, 3), np.uint8))), "b.png")]),
     ("ConversionError", "images[1]: must be ndarray/uint8// (got <ndarray uint8 (2, 2, 3)>): needs 2 dimensions, "
                         "has 3", "images[1]")),
    ("wrong-dtype", "POST", "/api/run/volumes", {"data": {"octs": data_url(npy_bytes(np.zeros((2, 2, 2))), "ndarray/npy")}},
     ("ConversionError", "octs[0]: must be ndarray/uint8/// (got <ndarray float64 (2, 2, 2)>): dtype is float64, "
                         "not uint8", "octs[0]")),
    ("not-a-url", "POST", "/api/run/shapes", {"data": {"images": "text/plain"}},
     ("ConversionError", "images[0]: expected a data URL, an http(s):// URL or a file:// URL (got 'text/plain')",
      "images[0]")),
    ("garbage-upload", "POST", "/api/run/shapes", _multipart(images=(io.BytesIO(b"hello world"), "a.png")),
     ("ConversionError", "images[0]: expected a .npy or .npz file or an image (PNG, JPEG, TIFF, BMP, GIF, WebP, ...), "
                         "found data starting with b'hello world'", "images[0]")),
    ("uint8-range", "POST", "/api/run/arrays", {"json": {"u8": [300], "f32": [1.0], "i16": [[1]], "img": [[1]]}},
     ("ConversionError", "u8: must be ndarray/uint8: expected values from 0 to 255 (found 300)", "u8")),
    ("empty-list-item", "GET", "/api/run/lists", {"query_string": {"ints": "1,,2", "floats": "", "words": "", "flags": ""}},
     ("ConversionError", "ints[1]: must be numeric/int (got '')", "ints[1]")),
    ("file-missing", "GET", "/api/run/shapes", {"query_string": {"images": "file://{root}/nope.png"}},
     ("ConversionError", "images[0]: file not found: {url}", "images[0]")),
]


@pytest.mark.parametrize(("method", "url", "kwargs", "expected"),
                         [case[1:] for case in BAD_INPUT], ids=[case[0] for case in BAD_INPUT])
def test_error_bad_input_is_400(client: FlaskClient, files: Path, method: str, url: str, kwargs: dict,
                                expected: tuple[str, str, str]) -> None:
    root = str(files / "root")
    if "query_string" in kwargs:
        kwargs = {**kwargs, "query_string": {k: v.replace("{root}", root) for k, v in kwargs["query_string"].items()}}
    error = error_of(client.open(url, method=method, **kwargs), 400)
    kind, message, path = expected
    message = message.replace("{url}", short(f"file://{root}/nope.png"))
    assert (error["type"], error["message"], error["path"]) == (kind, message, path)


def test_error_npz_with_two_arrays(client: FlaskClient) -> None:
    buffer = io.BytesIO()
    np.savez(buffer, np.zeros((1, 1, 1), np.uint8), np.ones((1, 1, 1), np.uint8))
    response = client.post("/api/run/volumes", data={"octs": data_url(buffer.getvalue(), "ndarray/npz")})
    error = error_of(response, 400)
    assert error["message"] == "octs[0]: expected exactly one array in the .npz, found 2: 'arr_0.npy', 'arr_1.npy'"


def test_error_pickled_npy_is_refused(client: FlaskClient) -> None:
    buffer = io.BytesIO()
    np.save(buffer, np.array([{"a": 1}], dtype=object), allow_pickle=True)
    response = client.post("/api/run/volumes", data={"octs": data_url(buffer.getvalue(), "ndarray/npy")})
    error = error_of(response, 403)
    assert error["type"] == "RefusedError"
    assert error["message"].startswith("octs[0]: .npy holds Python objects (pickled data), which are never loaded")


REFUSED = [
    ("no-root", "file:///etc/passwd", "images[0]: 'file:///etc/passwd' is outside the allowed file roots"),
    ("dotdot", "file://{root}/../secret.png",
     "images[0]: file:// path must be absolute and plain (no '.', '..' or '//' segments; got {url})"),
    ("encoded-dotdot", "file://{root}/%2e%2e/secret.png",
     "images[0]: file:// path must be absolute and plain (no '.', '..' or '//' segments; got {url})"),
    ("symlink-out", "file://{root}/link.png",
     "images[0]: {url} leads outside the allowed file roots (through a symbolic link)"),
    ("double-slash", "file:////proc/self/environ",
     "images[0]: file:// path must be absolute and plain (no '.', '..' or '//' segments; "
     "got 'file:////proc/self/environ')"),
    ("private-url", "http://10.0.0.1/a.png",
     "images[0]: host '10.0.0.1' is a private address; such addresses are refused unless allowed by the policy"),
    ("loopback-url", "http://127.0.0.1:9/a.png",
     "images[0]: host '127.0.0.1' is a loopback address; such addresses are refused unless allowed by the policy"),
    ("scheme", "ftp://example.org/a.png",
     "images[0]: URL scheme 'ftp' is not allowed; expected http://, https:// or file:// (got 'ftp://example.org/a.png')"),
]


@pytest.mark.parametrize(("url", "message"), [case[1:] for case in REFUSED], ids=[case[0] for case in REFUSED])
def test_error_refused_is_403(client: FlaskClient, files: Path, url: str, message: str) -> None:
    url = url.replace("{root}", str(files / "root"))
    error = error_of(client.get("/api/run/shapes", query_string={"images": url}), 403)
    message = message.replace("{url}", short(url))
    assert (error["type"], error["message"], error["path"]) == ("RefusedError", message, "images[0]")


def test_error_file_url_without_any_root(files: Path) -> None:
    client = create_app(files / "amod_types").test_client()
    response = client.get("/api/run/shapes", query_string={"images": f"file://{files}/root/a.png"})
    assert error_of(response, 403)["message"] == (
        f"images[0]: file:// URLs are not allowed here (no file roots are configured; "
        f"got {short(f'file://{files}/root/a.png')})")


def test_file_url_inside_the_root_is_read(client: FlaskClient, files: Path) -> None:
    response = client.get("/api/run/shapes", query_string={"images": f"file://{files}/root/a.png"})
    assert response.json == {"outputs": {"shapes": ["uint8(2, 2)"]}}


@pytest.mark.parametrize(
    ("url", "kind", "message", "path"),
    [
        ("/api/run/nope", "MethodNotFound", f"no method 'nope' (this module serves: {SERVED})", "nope"),
        ("/api/run/unimplemented", "MethodNotFound",
         f"method 'unimplemented' is declared in the specification but Types does not implement it "
         f"(this module serves: {SERVED})", "unimplemented"),
        ("/api/nope", "NotFound", "no endpoint '/api/nope'; GET /api lists the endpoints", ""),
        ("/favicon.ico", "NotFound", "no endpoint '/favicon.ico'; GET /api lists the endpoints", ""),
        # a doubled slash is an unknown path, not Werkzeug's HTML redirect
        ("/api//run", "NotFound", "no endpoint '/api//run'; GET /api lists the endpoints", ""),
    ],
)
def test_error_not_found_is_404(client: FlaskClient, url: str, kind: str, message: str, path: str) -> None:
    error = error_of(client.get(url), 404)
    assert (error["type"], error["message"], error["path"]) == (kind, message, path)


@pytest.mark.parametrize(
    ("method", "url", "allowed"),
    [
        ("PUT", "/api/run/nothing", "GET, HEAD, OPTIONS, POST"),
        ("DELETE", "/api/run/nothing", "GET, HEAD, OPTIONS, POST"),
        ("POST", "/api/spec", "GET, HEAD, OPTIONS"),
        ("DELETE", "/api/run", "GET, HEAD, OPTIONS"),
        ("PATCH", "/api/cache", "DELETE, GET, HEAD, OPTIONS"),
        ("POST", "/api", "GET, HEAD, OPTIONS"),
    ],
)
def test_error_wrong_http_method_is_405(client: FlaskClient, method: str, url: str, allowed: str) -> None:
    response = client.open(url, method=method)
    error = error_of(response, 405)
    assert response.headers["Allow"] == allowed
    assert error["message"] == f"{method} is not allowed for {url} (allowed: {allowed})"


def test_error_body_too_large_is_413(client: FlaskClient) -> None:
    response = client.post("/api/run/shapes", data={"images": "x" * 20000})
    error = error_of(response, 413)
    assert (error["type"], error["message"]) == (
        "RequestEntityTooLarge", "the request body is over the limit of 10485 bytes (0.00999928 MB, --max-request-mb)")


def test_error_multipart_too_large_is_413(client: FlaskClient) -> None:
    data = {"images": (io.BytesIO(b"\0" * 20000), "big.png")}
    error_of(client.post("/api/run/shapes", data=data, content_type="multipart/form-data"), 413)


@pytest.mark.parametrize("content_type", ["application/x-www-form-urlencoded", "application/json"])
def test_error_chunked_body_too_large_is_413_not_cut(client: FlaskClient, content_type: str) -> None:
    # as a server that de-chunks passes it: no Content-Length, wsgi.input_terminated set
    response = client.post("/api/run/shapes", input_stream=io.BytesIO(b"images=" + b"x" * 20000),
                           headers={"Transfer-Encoding": "chunked", "Content-Type": content_type},
                           environ_overrides={"wsgi.input_terminated": True})
    assert error_of(response, 413)["type"] == "RequestEntityTooLarge"


def test_chunked_body_under_the_limit_is_read(client: FlaskClient) -> None:
    body = b"images=" + data_url(png_bytes(np.zeros((2, 2), np.uint8))).replace("+", "%2B").encode()
    response = client.post("/api/run/shapes", input_stream=io.BytesIO(body),
                           headers={"Transfer-Encoding": "chunked",
                                    "Content-Type": "application/x-www-form-urlencoded"},
                           environ_overrides={"wsgi.input_terminated": True})
    assert response.json == {"outputs": {"shapes": ["uint8(2, 2)"]}}


def test_error_query_string_too_large_is_413(client: FlaskClient) -> None:
    error = error_of(client.get("/api/run/shapes?images=" + "x" * 20000), 413)
    assert error["message"] == (
        "the query string of 20007 bytes is over the limit of 10485 bytes (0.00999928 MB, --max-request-mb)")


def test_error_too_many_pixels_is_413(client: FlaskClient) -> None:
    image = data_url(png_bytes(np.zeros((20, 20), np.uint8)))
    error = error_of(client.get("/api/run/shapes", query_string={"images": image}), 413)
    assert (error["type"], error["message"], error["path"]) == (
        "LimitExceededError", "images[0]: image of 20x20 = 400 pixels is over the limit of 100 pixels", "images[0]")


def test_error_npz_member_declared_too_large_is_413(client: FlaskClient) -> None:
    # 100 pixels * 8 bytes = 800 bytes per array; this one declares 1000 and compresses to little
    volume = data_url(npz_bytes(np.zeros((10, 10, 10), np.uint8)), "ndarray/npz")
    error = error_of(client.post("/api/run/volumes", data={"octs": volume}), 413)
    assert error["type"] == "LimitExceededError"
    assert error["message"].startswith("octs[0]: .npz member 'arr_0.npy' declares ")


def test_error_other_body_type_is_415(client: FlaskClient) -> None:
    response = client.post("/api/run/nothing", data=b"abc", content_type="application/octet-stream")
    error = error_of(response, 415)
    assert error["message"] == (
        "a body of type 'application/octet-stream' is not understood; send application/json, "
        "application/x-www-form-urlencoded or multipart/form-data")


def test_error_module_exception_is_500_without_traceback(client: FlaskClient) -> None:
    error = error_of(client.get("/api/run/fail", query_string={"x": "3"}), 500)
    assert error == {"type": "ValueError", "message": "x must be even (got 3)", "path": "fail"}
    # the server keeps serving
    assert client.get("/api/run/nothing").json == {"outputs": {"answer": 42}}


def test_error_module_wrong_output_is_500(client: FlaskClient) -> None:
    error = error_of(client.get("/api/run/wrong_output"), 500)
    assert error == {"type": "TypeCheckError",
                     "message": "wrong_output.output[0] 'y' must be numeric/int (got 'forty-two', a str)",
                     "path": "wrong_output"}


def test_error_debug_adds_the_traceback(files: Path) -> None:
    client = create_app(files / "amod_types", {"debug": True}).test_client()
    error = error_of(client.get("/api/run/fail", query_string={"x": "3"}), 500)
    assert error["message"] == "x must be even (got 3)"
    assert error["traceback"].startswith("Traceback (most recent call last):")
    assert 'raise ValueError(f"x must be even (got {x})")' in error["traceback"]
    assert error["traceback"].endswith("ValueError: x must be even (got 3)\n")


def test_error_bug_of_the_service_is_a_generic_500(files: Path) -> None:
    app = create_app(files / "amod_types")

    @app.get("/boom")
    def boom() -> str:
        raise KeyError("secret detail")

    error = error_of(app.test_client().get("/boom"), 500)
    assert error == {"type": "InternalServerError",
                     "message": "internal error of the REST service (see its log)", "path": ""}
