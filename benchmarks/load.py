"""Load test: ``amodule serve --workers 2`` on the bright-pixel example, valid and hostile requests.

Run ``python -m benchmarks.load [--seconds 60] [--clients 16]``. Everything stays on
127.0.0.1: the server is started here, and the hostile URLs point at loopback addresses
(the server must refuse them without connecting). Each client is a thread sending one
request per connection (gunicorn's sync workers close it anyway); 90% of the requests are
valid (a PNG data URL in a JSON body, four image sizes, random thresholds, each answer's
count checked) and 10% hostile (bad base64, bodies over the limit, a pickled .npy,
``file://`` traversal, private URLs, wrong types, an unknown method, malformed JSON; each
must get its own 4xx). The workers are watched through ``/proc``.

Criteria (the exit status is 1 when one fails): no 5xx answer, no connection error, no
answer other than the one expected, no worker restart, worker memory (RSS) growth under
50 MB between the first and last 10 s, open file descriptors of the master and of each
worker flat (end minus start at most 2). Printed: requests/s and p50/p99 latency.
``tests/test_load.py`` runs a short form of it.
"""

from __future__ import annotations

import argparse
import base64
import http.client
import io
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import numpy as np
from PIL import Image

__all__ = ["LoadResult", "Probe", "run_load", "valid_probes", "hostile_probes", "main"]

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "example" / "amod_brightpixel"
MAX_REQUEST_MB = 4
MEMORY_BOUND_MB = 50.0
FD_MARGIN = 2
STARTUP_SECONDS = 60
_RUN = "/api/run/process"


@dataclass(frozen=True)
class Probe:
    """One kind of request and the answer it must get."""

    kind: str
    method: str
    path: str
    body: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)
    status: int = 200
    #: image sums sorted, for checking a valid answer's count (valid probes only)
    sums: np.ndarray | None = field(default=None, repr=False)
    chunked: bool = False


# --- requests ---------------------------------------------------------------------------------

def _png(image: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(image).save(buffer, format="PNG")
    return buffer.getvalue()


def _data_url(data: bytes, media: str = "image/png") -> str:
    return f"data:{media};base64," + base64.b64encode(data).decode("ascii")


def _images() -> list[np.ndarray]:
    """The example's own image and three synthetic ones (smooth gradients with noise)."""
    with Image.open(EXAMPLE / "testdata" / "image.png") as picture:
        images = [np.asarray(picture.convert("RGB"))]
    rng = np.random.default_rng(7)
    for height, width in ((32, 32), (96, 128), (384, 512)):
        y, x = np.mgrid[0:height, 0:width]
        base = (x * 255 // max(width - 1, 1) + y * 255 // max(height - 1, 1)) // 2
        noise = rng.integers(0, 40, (height, width, 3))
        images.append(np.clip(base[..., None] + noise - 20, 0, 255).astype(np.uint8))
    return images


def valid_probes() -> list[Probe]:
    """``POST /api/run/process`` with a PNG data URL in JSON, one probe per image size."""
    probes = []
    for image in _images():
        body = json.dumps({"image": _data_url(_png(image)), "threshold": 0}).encode()
        sums = np.sort(image.sum(axis=2, dtype=np.uint32).ravel())
        probes.append(Probe(f"valid {image.shape[1]}x{image.shape[0]}", "POST", _RUN, body,
                            {"Content-Type": "application/json"}, 200, sums))
    return probes


def _query(**values: object) -> str:
    return f"{_RUN}?{urlencode({k: str(v) for k, v in values.items()})}"


def _json(kind: str, value: object, status: int, path: str = _RUN) -> Probe:
    return Probe(kind, "POST", path, json.dumps(value).encode(), {"Content-Type": "application/json"}, status)


def hostile_probes(file_root: Path) -> list[Probe]:
    """Requests from the hostile list of issue 7, each with the status it must get."""
    npy = io.BytesIO()
    np.save(npy, np.array([{"payload": 1}], dtype=object), allow_pickle=True)
    small = _data_url(_png(np.full((4, 4, 3), 200, np.uint8)))
    over = MAX_REQUEST_MB * 2**20 + 4096
    return [
        _json("bad base64", {"image": "data:image/png;base64,@@not*base64@@", "threshold": 1}, 400),
        Probe("body over the limit", "POST", _RUN, b'{"image": "' + b"A" * over + b'"}',
              {"Content-Type": "application/json"}, 413),
        Probe("chunked body over the limit", "POST", _RUN, b'{"image": "' + b"A" * over + b'"}',
              {"Content-Type": "application/json"}, 413, chunked=True),
        _json("pickled npy", {"image": _data_url(npy.getvalue(), "ndarray/npy"), "threshold": 1}, 403),
        Probe("file:// with ..", "GET", _query(image=f"file://{file_root}/../module.py", threshold=1), status=403),
        Probe("file:// with %2e%2e", "GET", _query(image=f"file://{file_root}/%2e%2e/module.py", threshold=1),
              status=403),
        Probe("file:// outside the root", "GET", _query(image="file:///etc/passwd", threshold=1), status=403),
        Probe("URL to 127.0.0.1", "GET", _query(image="http://127.0.0.1:9/x.png", threshold=1), status=403),
        Probe("URL to [::1]", "GET", _query(image="http://[::1]:9/x.png", threshold=1), status=403),
        Probe("URL to 0x7f000001", "GET", _query(image="http://0x7f000001:9/x.png", threshold=1), status=403),
        Probe("URL to localhost", "GET", _query(image="http://localhost:9/x.png", threshold=1), status=403),
        _json("number for an image", {"image": 42, "threshold": 1}, 400),
        _json("text for a number", {"image": small, "threshold": "abc"}, 400),
        _json("boolean for a number", {"image": small, "threshold": True}, 400),
        _json("missing argument", {"threshold": 1}, 400),
        _json("extra argument", {"image": small, "threshold": 1, "colour": "red"}, 400),
        _json("unknown method", {"x": 1}, 404, "/api/run/no_such_method"),
        Probe("wrong HTTP method", "PUT", _RUN, b"{}", {"Content-Type": "application/json"}, 405),
        Probe("malformed JSON", "POST", _RUN, b'{"image": "data:', {"Content-Type": "application/json"}, 400),
    ]


# --- the server and /proc ---------------------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def _server(workers: int, log: Path) -> Iterator[tuple[subprocess.Popen, int]]:
    """``amodule serve`` on the example in its own process group; stopped on exit."""
    port = _free_port()
    command = [sys.executable, "-m", "amodule_core", "serve", str(EXAMPLE), "--port", str(port),
               "--workers", str(workers), "--max-request-mb", str(MAX_REQUEST_MB),
               "--file-root", str(EXAMPLE / "testdata")]
    with open(log, "wb") as out:
        process = subprocess.Popen(command, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"the server exited with {process.returncode}:\n{log.read_text()[-3000:]}")
            try:
                if _send(port, Probe("health", "GET", "/api/health"), 2)[0] == 200 and len(_children(process.pid)) == workers:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"the server did not start within {STARTUP_SECONDS} s:\n{log.read_text()[-3000:]}")
            time.sleep(0.1)
        yield process, port
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)  # the group started above
                process.wait(15)


def _children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except FileNotFoundError:
        return []
    return sorted(int(child) for child in text.split())


def _rss(pid: int) -> int | None:
    """Resident memory of ``pid`` in bytes (None when it is gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except (FileNotFoundError, ProcessLookupError):
        return None
    return None


def _fds(pid: int) -> int | None:
    try:
        return len(os.listdir(f"/proc/{pid}/fd"))
    except (FileNotFoundError, ProcessLookupError):
        return None


# --- the client -------------------------------------------------------------------------------

def _chunks(body: bytes, size: int = 64 * 1024) -> Iterator[bytes]:
    for start in range(0, len(body), size):
        yield body[start:start + size]


def _send(port: int, probe: Probe, timeout: float) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        if probe.chunked:
            connection.request(probe.method, probe.path, body=_chunks(probe.body or b""), headers=probe.headers,
                               encode_chunked=True)
        else:
            connection.request(probe.method, probe.path, body=probe.body, headers=probe.headers)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def _threshold_body(probe: Probe, threshold: int) -> bytes:
    assert probe.body is not None
    return probe.body.replace(b'"threshold": 0}', f'"threshold": {threshold}}}'.encode())


def _check(probe: Probe, status: int, body: bytes, threshold: int) -> str | None:
    """Why the answer is not the expected one (None when it is)."""
    if status != probe.status:
        return f"{probe.kind}: status {status} (expected {probe.status}): {body[:200]!r}"
    try:
        answer = json.loads(body)
    except ValueError:
        return f"{probe.kind}: not JSON: {body[:200]!r}"
    if not isinstance(answer, dict):
        return f"{probe.kind}: not a JSON object: {body[:200]!r}"
    if probe.sums is None:
        return None if isinstance(answer.get("error"), dict) else f"{probe.kind}: no JSON error: {body[:200]!r}"
    expected = len(probe.sums) - int(np.searchsorted(probe.sums, 3 * threshold, side="right"))
    outputs = answer.get("outputs", {})
    if outputs.get("#bright_pixels") != expected or not str(outputs.get("mask")).startswith("data:image/png;base64,"):
        return f"{probe.kind}, threshold {threshold}: count {outputs.get('#bright_pixels')!r} (expected {expected})"
    return None


# --- the run ----------------------------------------------------------------------------------

@dataclass
class LoadResult:
    """Figures of one load run; :meth:`failures` lists the criteria it missed."""

    seconds: float
    clients: int
    workers: int
    hostile_share: float
    requests: Counter = field(default_factory=Counter)  # kind -> count
    statuses: Counter = field(default_factory=Counter)  # status -> count
    latencies: list[float] = field(default_factory=list)
    valid_latencies: list[float] = field(default_factory=list)
    connection_errors: list[str] = field(default_factory=list)
    unexpected: list[str] = field(default_factory=list)
    rss: dict[int, list[tuple[float, int]]] = field(default_factory=dict)  # worker -> (time, bytes)
    fds_start: dict[str, int] = field(default_factory=dict)  # "master" / "worker PID" -> count
    fds_end: dict[str, int] = field(default_factory=dict)
    workers_start: list[int] = field(default_factory=list)
    workers_seen: set[int] = field(default_factory=set)
    load_average: tuple[float, float] = (0.0, 0.0)
    window: float = 10.0
    warmup: int = 0  # requests sent before the load (counted and checked, not timed)

    @property
    def total(self) -> int:
        return sum(self.requests.values())

    @property
    def server_errors(self) -> int:
        return sum(count for status, count in self.statuses.items() if status >= 500)

    @property
    def rps(self) -> float:
        """Requests answered per second during the load (the warm-up left out)."""
        return len(self.latencies) / self.seconds if self.seconds else 0.0

    def percentile(self, q: float, valid_only: bool = False) -> float:
        """Latency percentile ``q`` (0-100) in seconds."""
        values = self.valid_latencies if valid_only else self.latencies
        return float(np.percentile(values, q)) if values else float("nan")

    def memory_growth(self) -> dict[int, float]:
        """Per worker: median RSS of the last window minus that of the first, in MB."""
        growth = {}
        for pid, samples in self.rss.items():
            first = [rss for t, rss in samples if t <= self.window]
            last = [rss for t, rss in samples if t >= self.seconds - self.window]
            if first and last:
                growth[pid] = (statistics.median(last) - statistics.median(first)) / 2**20
        return growth

    def fd_growth(self) -> dict[str, int]:
        return {name: self.fds_end[name] - count for name, count in self.fds_start.items() if name in self.fds_end}

    def restarts(self) -> int:
        return len(self.workers_seen - set(self.workers_start))

    def criteria(self) -> list[tuple[bool, str]]:
        """``(passed, description)`` of every criterion."""
        growth = self.memory_growth()
        fds = self.fd_growth()
        shown_growth = ", ".join(f"pid {pid} {mb:+.1f} MB" for pid, mb in sorted(growth.items())) or "no samples"
        shown_fds = ", ".join(f"{name} {self.fds_start[name]} -> {self.fds_end.get(name, '?')}"
                              for name in self.fds_start)
        return [
            (self.server_errors == 0, f"5xx answers: {self.server_errors}"),
            (not self.connection_errors, f"connection errors: {len(self.connection_errors)}"
                                         + "".join(f"\n      {e}" for e in self.connection_errors[:5])),
            (not self.unexpected, f"unexpected answers: {len(self.unexpected)}"
                                  + "".join(f"\n      {e}" for e in self.unexpected[:5])),
            (self.restarts() == 0, f"worker restarts: {self.restarts()}"),
            (len(growth) == self.workers and all(mb < MEMORY_BOUND_MB for mb in growth.values()),
             f"worker memory growth, first {self.window:g} s -> last {self.window:g} s: {shown_growth} "
             f"(bound {MEMORY_BOUND_MB:g} MB)"),
            (len(fds) == self.workers + 1 and all(delta <= FD_MARGIN for delta in fds.values()),
             f"open fds, start -> end: {shown_fds} (margin {FD_MARGIN})"),
        ]

    def failures(self) -> list[str]:
        return [text for passed, text in self.criteria() if not passed]

    def report(self) -> str:
        hostile = sum(count for kind, count in self.requests.items() if not kind.startswith("valid"))
        lines = [
            f"amodule load: {self.seconds:.0f} s, {self.clients} clients, {self.workers} gunicorn sync workers, "
            f"{self.hostile_share:.0%} hostile; {os.cpu_count()} CPUs, load average "
            f"{self.load_average[0]:.1f} at start, {self.load_average[1]:.1f} at end",
            f"requests: {self.total} ({self.total - hostile} valid, {hostile} hostile; {self.warmup} of them "
            f"warm-up, not timed); {self.rps:.1f} requests/s",
            f"latency: p50 {self.percentile(50) * 1000:.1f} ms, p99 {self.percentile(99) * 1000:.1f} ms "
            f"(valid only: p50 {self.percentile(50, True) * 1000:.1f} ms, "
            f"p99 {self.percentile(99, True) * 1000:.1f} ms)",
            "statuses: " + ", ".join(f"{status} x {count}" for status, count in sorted(self.statuses.items())),
        ]
        lines += [f"[{'pass' if passed else 'FAIL'}] {text}" for passed, text in self.criteria()]
        return "\n".join(lines)

    def figures(self) -> dict[str, object]:
        """The figures as JSON-ready data."""
        return {
            "seconds": self.seconds, "clients": self.clients, "workers": self.workers, "requests": self.total,
            "rps": self.rps, "p50_ms": self.percentile(50) * 1000, "p99_ms": self.percentile(99) * 1000,
            "statuses": {str(k): v for k, v in sorted(self.statuses.items())},
            "connection_errors": len(self.connection_errors), "unexpected": len(self.unexpected),
            "memory_growth_mb": {str(k): v for k, v in self.memory_growth().items()},
            "fds_start": self.fds_start, "fds_end": self.fds_end, "restarts": self.restarts(),
            "load_average": list(self.load_average), "failures": self.failures(),
        }


def _fd_counts(master: int, workers: Sequence[int]) -> dict[str, int]:
    counts = {"master": _fds(master)}
    counts.update({f"worker {pid}": _fds(pid) for pid in workers})
    return {name: count for name, count in counts.items() if count is not None}


def run_load(
    seconds: float = 60.0,
    clients: int = 16,
    *,
    workers: int = 2,
    hostile_share: float = 0.1,
    seed: int = 0,
    progress: Callable[[str], None] | None = None,
) -> LoadResult:
    """Start the server, load it for ``seconds`` with ``clients`` threads, stop it; the figures."""
    say = progress or (lambda text: None)
    result = LoadResult(seconds, clients, workers, hostile_share, window=min(10.0, seconds / 4))
    with tempfile.TemporaryDirectory(prefix="amodule-load-") as scratch:
        valid, hostile = valid_probes(), hostile_probes(EXAMPLE / "testdata")
        with _server(workers, Path(scratch) / "server.log") as (process, port):
            # Warm-up, counted but not timed: every kind of request twice (lazy imports,
            # first allocations), then a pause for the workers to close those connections.
            warmup = [*valid, *hostile] * 2
            for index, probe in enumerate(warmup):
                _exchange(result, threading.Lock(), port, probe, index * 37 % 256, timed=False)
            result.warmup = len(warmup)
            time.sleep(0.5)
            result.workers_start = _children(process.pid)
            result.workers_seen = set(result.workers_start)
            result.fds_start = _fd_counts(process.pid, result.workers_start)
            result.load_average = (os.getloadavg()[0], 0.0)
            say(f"server on 127.0.0.1:{port}, workers {result.workers_start}; loading for {seconds:g} s")
            _load(result, port, process.pid, valid, hostile, seed)
            time.sleep(0.5)  # let the workers finish closing the last connections
            result.fds_end = _fd_counts(process.pid, result.workers_start)
            result.workers_seen |= set(_children(process.pid))
            result.load_average = (result.load_average[0], os.getloadavg()[0])
    return result


def _exchange(result: LoadResult, lock: threading.Lock, port: int, probe: Probe, threshold: int,
              timed: bool) -> None:
    """Send ``probe`` (a valid one with ``threshold``), check the answer, count it in ``result``."""
    if probe.sums is not None:
        probe = Probe(probe.kind, probe.method, probe.path, _threshold_body(probe, threshold),
                      probe.headers, probe.status, probe.sums)
    begin = time.monotonic()
    try:
        status, body = _send(port, probe, 60)
    except (OSError, http.client.HTTPException) as exc:
        with lock:
            result.requests[probe.kind] += 1
            result.connection_errors.append(f"{probe.kind}: {type(exc).__name__}: {exc}")
        return
    elapsed = time.monotonic() - begin
    try:
        problem = _check(probe, status, body, threshold)
    except Exception as exc:  # an answer of an unforeseen shape must not end the client thread
        problem = f"{probe.kind}: {type(exc).__name__} checking {body[:200]!r}"
    with lock:
        result.requests[probe.kind] += 1
        result.statuses[status] += 1
        if timed:
            result.latencies.append(elapsed)
            if probe.sums is not None:
                result.valid_latencies.append(elapsed)
        if problem is not None:
            result.unexpected.append(problem)


def _load(result: LoadResult, port: int, master: int, valid: list[Probe], hostile: list[Probe], seed: int) -> None:
    lock = threading.Lock()
    started = time.monotonic()
    deadline = started + result.seconds
    stop = threading.Event()

    def client(index: int) -> None:
        rng = random.Random(seed * 1000 + index)
        while time.monotonic() < deadline:
            probe = rng.choice(hostile if rng.random() < result.hostile_share else valid)
            _exchange(result, lock, port, probe, rng.randrange(256), timed=True)

    def sampler() -> None:
        while not stop.wait(0.5):
            now = time.monotonic() - started
            for pid in _children(master):
                rss = _rss(pid)
                if rss is not None:
                    result.rss.setdefault(pid, []).append((now, rss))
                    with lock:
                        result.workers_seen.add(pid)

    watcher = threading.Thread(target=sampler, daemon=True)
    threads = [threading.Thread(target=client, args=(index,)) for index in range(result.clients)]
    watcher.start()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    stop.set()
    watcher.join()
    result.seconds = time.monotonic() - started
    result.rss = {pid: samples for pid, samples in result.rss.items() if pid in result.workers_start}


def main(argv: list[str] | None = None) -> int:
    """Run the load test and print its figures; 1 when a criterion fails."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.load", description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60.0, help="Length of the load (default: 60)")
    parser.add_argument("--clients", type=int, default=16, help="Concurrent clients (default: 16)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default: 2)")
    parser.add_argument("--hostile", type=float, default=0.1, help="Share of hostile requests (default: 0.1)")
    parser.add_argument("--json", type=Path, default=None, help="Also write the figures to this JSON file")
    args = parser.parse_args(argv)
    result = run_load(args.seconds, args.clients, workers=args.workers, hostile_share=args.hostile,
                      progress=lambda text: print(text, file=sys.stderr, flush=True))
    print(result.report())
    if args.json is not None:
        args.json.write_text(json.dumps(result.figures(), indent=2) + "\n")
    return 1 if result.failures() else 0


if __name__ == "__main__":
    raise SystemExit(main())
