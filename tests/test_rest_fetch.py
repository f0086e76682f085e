"""Array arguments given as http(s) URLs, fetched from a local HTTP server started here."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from flask.testing import FlaskClient

from rest import create_app

from .rest_modules import npy_bytes, npz_bytes, png_bytes, write_types_module
from .server_helpers import Upstream

GRAY = np.array([[0, 128, 255], [1, 2, 3]], np.uint8)
VOLUME = np.full((2, 2, 2), 3, np.uint8)


@pytest.fixture(scope="module")
def web() -> Iterator[str]:
    """The base URL of a local HTTP server on 127.0.0.1."""
    with Upstream() as upstream:
        upstream.routes.update({
            "/gray.png": ("body", png_bytes(GRAY)),
            "/volume.npz": ("body", npz_bytes(VOLUME)),
            "/volume.npy": ("body", npy_bytes(VOLUME)),
            "/hop1": ("redirect", "/hop2"),
            "/hop2": ("redirect", f"{upstream.url}/gray.png"),
            "/loop": ("redirect", "/loop"),
            "/to-file": ("redirect", "file:///etc/passwd"),
            "/slow": ("slow", 0.05),
            "/big": ("body", b"\0" * 50_000),
            "/endless": ("endless", 100),
            "/missing": ("status", 404),
            "/broken": ("status", 500),
            "/text": ("body", b"hello"),
        })
        yield upstream.url


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_types_module(tmp_path_factory.mktemp("rest_fetch") / "amod_types")


@pytest.fixture(scope="module")
def client(folder: Path) -> FlaskClient:
    config = {"allow_private_urls": True, "max_request_mb": 0.02, "fetch_timeout": 1.0, "cache_size": 0}
    return create_app(folder, config).test_client()


@pytest.fixture(scope="module")
def strict_client(folder: Path) -> FlaskClient:
    return create_app(folder).test_client()


def test_image_url(client: FlaskClient, web: str) -> None:
    response = client.get("/api/run/shapes", query_string={"images": f"{web}/gray.png,{web}/gray.png"})
    assert response.json == {"outputs": {"shapes": ["uint8(2, 3)", "uint8(2, 3)"]}}


@pytest.mark.parametrize("name", ["volume.npz", "volume.npy"])
def test_array_urls(client: FlaskClient, web: str, name: str) -> None:
    response = client.post("/api/run/volumes", json={"octs": [f"{web}/{name}"]})
    assert response.json == {"outputs": {"sums": [24]}}


def test_redirects_are_followed(client: FlaskClient, web: str) -> None:
    response = client.get("/api/run/shapes", query_string={"images": f"{web}/hop1"})
    assert response.json == {"outputs": {"shapes": ["uint8(2, 3)"]}}


def _error(response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.get_data(as_text=True)
    return response.json["error"]


def test_error_private_urls_refused_by_default(strict_client: FlaskClient, web: str) -> None:
    error = _error(strict_client.get("/api/run/shapes", query_string={"images": f"{web}/gray.png"}), 403)
    assert error == {"type": "RefusedError", "path": "images[0]", "message":
                     "images[0]: host '127.0.0.1' is a loopback address; such addresses are refused "
                     "unless allowed by the policy"}


def test_error_redirect_to_loopback_is_checked_again(folder: Path, web: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # "public.test" stands for a public host (its address passes unchecked); it redirects to loopback
    app = create_app(folder)
    fetcher = app.extensions["amodule"].converter.fetcher
    vet = fetcher._vetted_addresses
    import ipaddress

    def vetted(host: str, port: int, path: str) -> list:
        return [ipaddress.ip_address("127.0.0.1")] if host == "public.test" else vet(host, port, path)

    monkeypatch.setattr(fetcher, "_vetted_addresses", vetted)
    port = web.rsplit(":", 1)[1]
    response = app.test_client().get("/api/run/shapes", query_string={"images": f"http://public.test:{port}/hop2"})
    error = _error(response, 403)
    assert error["message"] == ("images[0]: host '127.0.0.1' is a loopback address; such addresses are refused "
                                "unless allowed by the policy")


def test_error_too_many_redirects(client: FlaskClient, web: str) -> None:
    error = _error(client.get("/api/run/shapes", query_string={"images": f"{web}/loop"}), 400)
    assert error["message"] == f"images[0]: too many redirects from '{web}/loop' (more than 3)"


def test_error_redirect_to_file_refused(client: FlaskClient, web: str) -> None:
    error = _error(client.get("/api/run/shapes", query_string={"images": f"{web}/to-file"}), 403)
    assert error["message"] == (f"images[0]: '{web}/to-file' redirects to 'file:///etc/passwd'; "
                                "only http:// and https:// redirects are followed")


def test_error_slow_response_is_cut_off(client: FlaskClient, web: str) -> None:
    # the body trickles for 5 s; the download is cut off after the 1 s limit
    error = _error(client.get("/api/run/shapes", query_string={"images": f"{web}/slow"}), 413)
    assert error == {"type": "LimitExceededError", "path": "images[0]",
                     "message": f"images[0]: download of '{web}/slow' took longer than 1 s"}


def test_error_declared_oversized_body(client: FlaskClient, web: str) -> None:
    error = _error(client.get("/api/run/shapes", query_string={"images": f"{web}/big"}), 413)
    assert error["message"] == "images[0]: download of 50000 bytes is over the limit of 20971 bytes"


def test_error_undeclared_oversized_body(client: FlaskClient, web: str) -> None:
    error = _error(client.get("/api/run/shapes", query_string={"images": f"{web}/endless"}), 413)
    assert error["message"] == "images[0]: download is over the limit of 20971 bytes"


@pytest.mark.parametrize(
    ("route", "status", "message"),
    [
        ("missing", 400, "images[0]: '{web}/missing' answered HTTP 404 Not Found"),
        ("broken", 400, "images[0]: '{web}/broken' answered HTTP 500 Internal Server Error"),
        ("text", 400, "images[0]: expected a .npy or .npz file or an image (PNG, JPEG, TIFF, BMP, GIF, WebP, ...), "
                      "found data starting with b'hello'"),
    ],
)
def test_error_bad_downloads(client: FlaskClient, web: str, route: str, status: int, message: str) -> None:
    error = _error(client.get("/api/run/shapes", query_string={"images": f"{web}/{route}"}), status)
    assert error["message"] == message.format(web=web)


def test_error_nothing_listens(client: FlaskClient) -> None:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    error = _error(client.get("/api/run/shapes", query_string={"images": f"http://127.0.0.1:{port}/a.png"}), 400)
    assert error["message"] == f"images[0]: cannot connect to 'http://127.0.0.1:{port}/a.png' (connection refused)"
