"""A real ``amodule serve`` process on a free 127.0.0.1 port: Werkzeug's server and gunicorn."""

from __future__ import annotations

import concurrent.futures
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest
import requests

from .rest_modules import data_url, png_bytes, write_module
from .server_helpers import EXAMPLE, IMAGE, REPO, Server, command, free_port, serve, start  # noqa: F401

pytestmark = pytest.mark.server


@pytest.fixture(scope="module")
def bright(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The bright-pixel example under Werkzeug's server, with small limits."""
    tmp = tmp_path_factory.mktemp("rest_server")
    server = start(command(str(EXAMPLE), "--file-root", str(EXAMPLE), "--max-request-mb", "1"), tmp)
    yield server
    server.stop()


def test_index_and_health(bright: Server) -> None:
    index = requests.get(f"{bright.url}/api", timeout=5).json()
    assert index["specification_url"] == f"{bright.url}/api/spec"
    assert index["run_url"] == f"{bright.url}/api/run{{/method}}"
    assert requests.get(f"{bright.url}/api/health", timeout=5).json() == {"status": "ok"}


def test_every_input_form(bright: Server) -> None:
    url = f"{bright.url}/api/run/process"
    png = IMAGE.read_bytes()
    answers = [
        requests.post(url, files={"image": ("image.png", png)}, data={"threshold": "130"}, timeout=10),
        requests.post(url, data={"image": data_url(png), "threshold": "130"}, timeout=10),
        requests.post(url, json={"image": data_url(png), "threshold": 130}, timeout=10),
        requests.get(url, params={"image": f"file://{IMAGE}", "threshold": "130"}, timeout=10),
    ]
    for answer in answers:
        assert answer.status_code == 200, answer.text
        assert answer.json()["outputs"]["#bright_pixels"] == 16002
    assert [a.headers["X-AModule-Cache"] for a in answers] == ["miss", "hit", "hit", "hit"]


def test_errors_then_keeps_serving(bright: Server) -> None:
    url = f"{bright.url}/api/run/process"
    answer = requests.get(url, params={"image": "file:///etc/passwd", "threshold": "1"}, timeout=5)
    assert answer.status_code == 403 and answer.json()["error"]["type"] == "RefusedError"
    answer = requests.get(url, params={"threshold": "1"}, timeout=5)
    assert answer.status_code == 400 and answer.json()["error"]["path"] == "image"
    assert requests.put(url, timeout=5).status_code == 405
    assert requests.get(f"{bright.url}/api/health", timeout=5).status_code == 200


def test_error_body_over_the_limit_is_413(bright: Server) -> None:
    body = b"image=" + b"x" * (2 * 2**20)
    answer = requests.post(f"{bright.url}/api/run/process", data=body, timeout=10,
                           headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert answer.status_code == 413
    assert answer.json()["error"]["message"] == (
        "the request body is over the limit of 1048576 bytes (1 MB, --max-request-mb)")


def _chunks(total: int, size: int = 16 * 1024) -> Iterator[bytes]:
    yield b"threshold=130&image="
    sent = 0
    while sent < total:
        yield b"x" * size
        sent += size


def test_error_chunked_body_over_the_limit_is_refused_not_cut(bright: Server) -> None:
    # No Content-Length: Werkzeug's limited stream would stop quietly at the limit and the
    # form would hold a cut value (a 400 about a damaged image); the app refuses it whole.
    answer = requests.post(f"{bright.url}/api/run/process", data=_chunks(2**20 + 64 * 1024), timeout=10,
                           headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert answer.status_code == 413, answer.text
    assert answer.json()["error"]["type"] == "RequestEntityTooLarge"
    assert requests.get(f"{bright.url}/api/health", timeout=5).status_code == 200


def test_chunked_body_under_the_limit_is_read(bright: Server) -> None:
    png = data_url(png_bytes(np.full((4, 4, 3), 200, np.uint8))).encode()
    from urllib.parse import quote_from_bytes

    body = [b"threshold=130&image=", quote_from_bytes(png).encode()]
    answer = requests.post(f"{bright.url}/api/run/process", data=iter(body), timeout=10,
                           headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert answer.status_code == 200, answer.text
    assert answer.json()["outputs"]["#bright_pixels"] == 16


def test_error_request_line_too_long_is_json(bright: Server) -> None:
    answer = requests.get(f"{bright.url}/api/run/process?image=" + "x" * 70_000, timeout=5)
    assert answer.status_code == 414
    assert answer.headers["Content-Type"] == "application/json"
    assert answer.json()["error"]["type"] == "HTTPError"


def test_gunicorn_workers(serve: Callable[..., Server], tmp_path: Path) -> None:
    source = '''
    import os
    import time

    from amodule_core import Module


    class Pid(Module):
        def pid(self, seconds):
            time.sleep(seconds)
            return os.getpid()
    '''
    spec = {"module": {"name": "Pid"}, "methods": {"pid": {
        "input": [{"name": "seconds", "type": "numeric/float"}],
        "output": [{"name": "pid", "type": "numeric/int"}]}}}
    folder = write_module(tmp_path / "amod_pid", spec, source)
    server = serve(str(folder), "--workers", "2", "--cache", "0")
    url = f"{server.url}/api/run/pid"
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(lambda _: requests.get(url, params={"seconds": "0.5"}, timeout=30), range(4)))
    pids = {answer.json()["outputs"]["pid"] for answer in answers}
    assert len(pids) == 2  # two sync workers, each busy with one request at a time
    assert server.process.pid not in pids  # the master only forks and watches
    answer = requests.get(url, params={"seconds": "x"}, timeout=5)
    assert answer.status_code == 400 and answer.headers["Content-Type"] == "application/json"


def test_gunicorn_serves_big_query_strings_and_uploads(serve: Callable[..., Server]) -> None:
    server = serve(str(EXAMPLE), "--workers", "2", "--threaded")
    png = IMAGE.read_bytes()
    answer = requests.get(f"{server.url}/api/run/process", params={"image": data_url(png), "threshold": 130},
                          timeout=10)
    assert answer.status_code == 200, answer.text  # a 280 kB query string: no 4 kB request-line limit
    answer = requests.post(f"{server.url}/api/run/process", files={"image": png}, data={"threshold": 150},
                           timeout=10)
    assert answer.json()["outputs"]["#bright_pixels"] == 9276


def test_gunicorn_refuses_chunked_body_over_the_limit(serve: Callable[..., Server]) -> None:
    server = serve(str(EXAMPLE), "--workers", "2", "--max-request-mb", "1")
    answer = requests.post(f"{server.url}/api/run/process", data=_chunks(2**20 + 64 * 1024), timeout=10,
                           headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert answer.status_code == 413, answer.text
    assert requests.get(f"{server.url}/api/health", timeout=5).status_code == 200


def test_error_broken_module_fails_the_start(tmp_path: Path) -> None:
    source = '''
    from amodule_core import Module

    class Broken(Module):
        def __init__(self):
            raise OSError("resources/model.bin not found")

        def nothing(self):
            return 1
    '''
    spec = {"module": {"name": "Broken"},
            "methods": {"nothing": {"input": [], "output": [{"name": "y", "type": "numeric/int"}]}}}
    folder = write_module(tmp_path / "amod_broken", spec, source)
    for extra in ([], ["--workers", "2"]):
        result = subprocess.run(command(str(folder), "--port", str(free_port()), *extra),
                                capture_output=True, text=True, timeout=60)
        assert result.returncode == 1
        assert result.stderr == (f"amodule serve: {folder}: creating Broken() failed: "
                                 f"OSError: resources/model.bin not found\n")


@pytest.mark.parametrize(
    "args",
    [
        [sys.executable, "-m", "amodule_core", "serve", "--help"],
        [sys.executable, "-m", "rest", "--help"],
        [sys.executable, str(EXAMPLE / "rest_service.py"), "--help"],
    ],
    ids=["amodule-serve", "python-m-rest", "rest_service.py"],
)
def test_help_documents_every_option(args: list[str]) -> None:
    result = subprocess.run(args, capture_output=True, text=True, timeout=60, cwd=REPO)
    assert result.returncode == 0, result.stderr
    for option in ("--host", "--port", "--threaded", "--workers", "--timeout", "--file-root", "--allow-private-urls",
                   "--max-request-mb", "--cache", "--debug", "--trusted-proxies", "--fetch-timeout"):
        assert option in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--port", "0"], "argument --port: port must be from 1 to 65535 (got '0')"),
        (["--workers", "0"], "argument --workers: must be 1 or more (got '0')"),
        (["--timeout", "0"], "argument --timeout: must be 1 second or more (got '0')"),
        (["--timeout", "2.5"], "argument --timeout: must be a number of seconds, a whole number (got '2.5')"),
        (["--cache", "-1"], "argument --cache: must be 0 or more (got '-1')"),
        (["--max-request-mb", "lots"], "argument --max-request-mb: must be a number of megabytes (got 'lots')"),
        (["--fetch-timeout", "0"], "argument --fetch-timeout: must be a number of seconds above 0 (got '0')"),
        (["--file-root", "/no/such/folder"], "argument --file-root: not a folder: '/no/such/folder'"),
    ],
)
def test_error_bad_option_messages(capsys: pytest.CaptureFixture[str], args: list[str], message: str) -> None:
    from rest.cli import serve_main

    with pytest.raises(SystemExit):
        serve_main([str(EXAMPLE), *args], prog="amodule serve")
    assert capsys.readouterr().err.splitlines()[-1] == f"amodule serve: error: {message}"
