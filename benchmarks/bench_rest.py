"""7. REST throughput under gunicorn with 2 sync workers: amodule vs hand-written Flask routes.

amodule side: ``amodule serve FOLDER --workers 2 --cache 0`` (the result cache is off: it
would answer repeated requests without running the method). Floor: a hand-written Flask app
doing the same decode (data URL -> Pillow -> array, dtype/shape check), call and encode
(Pillow PNG at the same compress level, base64 data URL) under gunicorn with the same
worker count, worker class, timeout and request-line limit, preloaded as ``amodule serve`` is.
Load comes from another process on 127.0.0.1: ``wrk`` when installed, else
:mod:`benchmarks.loadclient`. Plus the share of one bright-pixel response spent in PNG encoding.
"""

from __future__ import annotations

import base64
import http.client
import io
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import NamedTuple

import numpy as np
from PIL import Image

from .data import SEGMENT_SOURCE, argument, method, segment, synthetic_image, write_module, write_text
from .harness import BenchError, Context, Row, alternate, median

__all__ = ["NAME", "TITLE", "FLOOR", "SIZES", "run"]

NAME = "rest"
TITLE = "REST throughput under gunicorn, 2 workers"
FLOOR = ("hand-written Flask routes doing the same decode / call / PNG encode, under the same gunicorn "
         "(2 sync workers, preloaded)")
#: mode -> (image side, wrk seconds per measure, requests per measure with the Python client,
#: sequential requests for the latency of one response)
SIZES = {"full": (256, 6, 2000, 200), "quick": (256, 1, 200, 40), "tiny": (32, 1, 12, 4)}
THRESHOLD = 130
_HERE = Path(__file__).resolve().parent

MODULE_CLASS = SEGMENT_SOURCE + '''

class Bright(Module):
    """Bright pixels of an RGB image, and a trivial sum."""

    def process(self, image, threshold):
        mask = segment(image, threshold)
        return mask, int(np.count_nonzero(mask))

    def add(self, a, b):
        return a + b
'''

FLOOR_APP = '''"""The floor: hand-written Flask routes doing what /api/run/process and /api/run/add do."""

import base64
import io

import numpy as np
from flask import Flask, abort, jsonify, request
from PIL import Image
''' + SEGMENT_SOURCE + '''

app = Flask(__name__)


@app.get("/health")
def health():
    return jsonify({"status": "ok"})


@app.get("/add")
def add():
    try:
        a, b = float(request.args["a"]), float(request.args["b"])
    except (KeyError, ValueError):
        abort(400)
    return jsonify({"outputs": {"sum": a + b}})


@app.post("/process")
def process():
    body = request.get_json()
    header, _, payload = str(body["image"]).partition(",")
    if not header.startswith("data:image/") or not header.endswith(";base64"):
        abort(400)
    with Image.open(io.BytesIO(base64.b64decode(payload))) as im:
        image = np.asarray(im)
    if image.dtype != np.uint8 or image.ndim != 3 or image.shape[2] != 3:
        abort(400)
    threshold = body["threshold"]
    if not isinstance(threshold, int) or isinstance(threshold, bool):
        abort(400)
    mask = segment(image, threshold)
    buffer = io.BytesIO()
    Image.fromarray(mask).save(buffer, format="PNG", compress_level=1)
    url = "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")
    return jsonify({"outputs": {"mask": url, "count": int(np.count_nonzero(mask))}})
'''

WRK_SCRIPT = '''wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local file = io.open("{body}", "rb")
wrk.body = file:read("*a")
file:close()
'''


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _get(port: int, path: str, body: bytes | None = None, timeout: float = 30) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        headers = {"Content-Type": "application/json"} if body is not None else {}
        connection.request("POST" if body is not None else "GET", path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


@contextmanager
def _server(command: list[str], port: int, health: str, cwd: Path, log: Path) -> Iterator[int]:
    """Start a server in its own process group, wait for ``health``, stop it afterwards.

    Yields the process group id (the server's pid).
    """
    with open(log, "wb") as out:
        proc = subprocess.Popen(command, cwd=cwd, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
                                env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                raise BenchError(f"server {' '.join(command)} exited with {proc.returncode}:\n{log.read_text()[-2000:]}")
            try:
                if _get(port, health, timeout=2)[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise BenchError(f"server {' '.join(command)} did not answer {health} within 60 s")
            time.sleep(0.1)
        yield proc.pid
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)  # the group we started: gunicorn and its workers
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


class Load(NamedTuple):
    """One load measure: requests per second, and server CPU seconds per request (the
    master and workers together: robust to other processes competing for the cores)."""

    rps: float
    cpu: float

    def __format__(self, spec: str) -> str:
        return f"{self.rps:.0f}"


_TICK = os.sysconf("SC_CLK_TCK")


def _group_cpu(pgid: int) -> float:
    """User + system CPU seconds of the live processes of process group ``pgid``."""
    total = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as file:
                fields = file.read().rpartition(")")[2].split()
        except OSError:  # gone meanwhile
            continue
        if int(fields[2]) == pgid:  # fields after "pid (comm)": state ppid pgrp ...
            total += int(fields[11]) + int(fields[12])
    return total / _TICK


def _throughput(ctx: Context, root: Path, server: tuple[int, int], path: str, body: Path | None) -> Load:
    """Requests per second on ``path`` (POSTing ``body`` when given) of ``server`` (port, pgid)."""
    port, pgid = server
    cpu_before = _group_cpu(pgid)
    rps, count = _load(ctx, root, port, path, body)
    return Load(rps, (_group_cpu(pgid) - cpu_before) / max(count, 1))


def _load(ctx: Context, root: Path, port: int, path: str, body: Path | None) -> tuple[float, int]:
    """Requests per second and requests sent, by wrk or the Python client."""
    _, seconds, requests, _ = ctx.sizes(SIZES)
    url = f"http://127.0.0.1:{port}{path}"
    if _use_wrk(ctx):
        command = ["wrk", "-t2", "-c4", f"-d{seconds}s", url]
        if body is not None:
            script = root / f"{body.stem}.lua"
            script.write_text(WRK_SCRIPT.format(body=body))
            command[-1:-1] = ["-s", str(script)]
        out = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60).stdout
        rate, sent = re.search(r"Requests/sec:\s+([\d.]+)", out), re.search(r"(\d+) requests in", out)
        if rate is None or sent is None or "Non-2xx" in out:
            raise BenchError(f"wrk on {url} failed:\n{out}")
        return float(rate.group(1)), int(sent.group(1))
    command = [sys.executable, str(_HERE / "loadclient.py"), url, "--requests", str(requests), "--threads", "4"]
    if body is not None:
        command += ["--body", str(body)]
    out = subprocess.run(command, capture_output=True, text=True, timeout=600)
    figures = json.loads(out.stdout.strip().splitlines()[-1]) if out.returncode == 0 and out.stdout.strip() else None
    if figures is None or figures["errors"]:
        raise BenchError(f"load client on {url} failed: {out.stdout}{out.stderr[-2000:]}")
    return float(figures["rps"]), int(figures["requests"])


def _use_wrk(ctx: Context) -> bool:
    client = ctx.client
    if client == "python" or (client == "auto" and ctx.mode == "tiny"):
        return False
    if client == "wrk" and shutil.which("wrk") is None:
        raise BenchError("--client wrk: wrk is not installed")
    return shutil.which("wrk") is not None


def _mask_of(url: str) -> np.ndarray:
    header, _, payload = url.partition(",")
    with Image.open(io.BytesIO(base64.b64decode(payload))) as im:
        return np.asarray(im)


def _same_answers(ours: int, floor: int, body: bytes, expected: np.ndarray) -> None:
    """Both servers give the same outputs (checked once, before any timing)."""
    status_a, a = _get(ours, "/api/run/process", body)
    status_f, f = _get(floor, "/process", body)
    if status_a != 200 or status_f != 200:
        raise BenchError(f"/process answered {status_a} (amodule) and {status_f} (floor): {a[:300]!r} {f[:300]!r}")
    out_a, out_f = json.loads(a)["outputs"], json.loads(f)["outputs"]
    masks = [_mask_of(out_a["mask"]), _mask_of(out_f["mask"])]
    if not all(np.array_equal(m, expected) for m in masks) or out_a["count"] != out_f["count"]:
        raise BenchError("amodule and the floor disagree on /process")
    sums = [json.loads(_get(port, path)[1])["outputs"]["sum"] for port, path in
            [(ours, "/api/run/add?a=1.5&b=2.25"), (floor, "/add?a=1.5&b=2.25")]]
    if sums != [3.75, 3.75]:
        raise BenchError(f"/add answered {sums}")


def _latency(port: int, body: bytes, count: int) -> float:
    times = []
    for _ in range(count):
        start = time.perf_counter()
        status, _ = _get(port, "/api/run/process", body)
        times.append(time.perf_counter() - start)
        if status != 200:
            raise BenchError(f"/api/run/process answered {status}")
    return median(times)


def _encode_time(mask: np.ndarray, count: int) -> float:
    from amodule_core.convert import encode_png_data_url

    times = []
    for _ in range(max(count, 20)):
        start = time.perf_counter()
        encode_png_data_url(mask)
        times.append(time.perf_counter() - start)
    return median(times)


def run(ctx: Context) -> list[Row]:
    """Start both servers, check they agree, then measure throughput alternately."""
    side, _, _, sequential = ctx.sizes(SIZES)
    root = ctx.folder(NAME)
    image = synthetic_image(np.random.default_rng(7), side)
    expected = segment(image, THRESHOLD)
    spec = {
        "process": method([argument("image", "ndarray/uint8///3"), argument("threshold", "numeric/int")],
                          [argument("mask", "ndarray/uint8//"), argument("count", "numeric/int")], []),
        "add": method([argument("a", "numeric/float"), argument("b", "numeric/float")],
                      [argument("sum", "numeric/float")], [[1.5, 2.25, 3.75]]),
    }
    module = write_module(root / "amod_rest", MODULE_CLASS, spec, name="Bench REST")
    write_text(root / "wsgi_floor.py", FLOOR_APP)
    buffer = io.BytesIO()
    Image.fromarray(image).save(buffer, format="PNG")
    url = "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")
    body_file = root / "process.json"
    body_file.write_bytes(json.dumps({"image": url, "threshold": THRESHOLD}).encode())
    body = body_file.read_bytes()
    ours_port, floor_port = _free_port(), _free_port()
    ours_cmd = [sys.executable, "-m", "amodule_core", "serve", str(module), "--workers", "2",
                "--port", str(ours_port), "--cache", "0"]
    floor_cmd = [sys.executable, "-m", "gunicorn", "--workers", "2", "--bind", f"127.0.0.1:{floor_port}",
                 "--timeout", "120", "--limit-request-line", "0", "--preload", "wsgi_floor:app"]
    ctx.log(f"{NAME}: {side}x{side} image, body {len(body) / 1e3:.0f} kB, "
            f"client {'wrk' if _use_wrk(ctx) else 'loadclient.py'}")
    with _server(ours_cmd, ours_port, "/api/health", root, root / "amodule.log") as ours_pgid, \
            _server(floor_cmd, floor_port, "/health", root, root / "floor.log") as floor_pgid:
        ours, floor = (ours_port, ours_pgid), (floor_port, floor_pgid)
        _same_answers(ours_port, floor_port, body, expected)
        for _ in range(10):  # warm both workers of both servers
            _get(ours_port, "/api/run/process", body), _get(floor_port, "/process", body)
        rates = alternate({
            "amodule add": lambda: _throughput(ctx, root, ours, "/api/run/add?a=1.5&b=2.25", None),
            "floor add": lambda: _throughput(ctx, root, floor, "/add?a=1.5&b=2.25", None),
            "amodule process": lambda: _throughput(ctx, root, ours, "/api/run/process", body_file),
            "floor process": lambda: _throughput(ctx, root, floor, "/process", body_file),
        }, ctx.rounds, ctx.log)
        latency = _latency(ours_port, body, sequential)
    encode = _encode_time(expected, sequential)
    med = {name: Load(median([v.rps for v in values]), median([v.cpu for v in values]))
           for name, values in rates.items()}

    def row(what: str, method_name: str, target: float) -> Row:
        a, f = med[f"amodule {method_name}"], med[f"floor {method_name}"]
        cpu_ratio = f"{a.cpu / f.cpu:.2f}x" if f.cpu > 0 else "too few requests to tell"  # 10 ms ticks
        detail = (f"{a.rps:.0f} vs {f.rps:.0f} req/s; server CPU per request "
                  f"{a.cpu * 1e3:.2f} vs {f.cpu * 1e3:.2f} ms ({cpu_ratio})")
        return Row("7", what, a.rps / f.rps, target, "higher", detail)

    return [
        row("amodule / floor throughput, trivial numeric method", "add", 0.8),
        row(f"amodule / floor throughput, bright-pixel {side}x{side}", "process", 0.9),
        Row("7", "PNG encode share of one bright-pixel response", 100 * encode / latency, None, "lower",
            f"encode_png_data_url {encode * 1e3:.2f} ms of {latency * 1e3:.2f} ms", unit="%"),
    ]
