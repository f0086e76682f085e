"""schemathesis against ``/api/openapi.json`` of real servers (``python -m rest ...``).

Schemathesis reads the OpenAPI document the server derives from its spec, generates valid
and invalid requests for every operation and checks the answers. Against the bright-pixel
example every check runs but ``positive_data_acceptance``: array inputs are URLs, and no
schema can say which URLs hold a decodable image, so a schema-valid ``image=data:`` is
rightly a 400. Against the all-types module (every IO type) the check is
``not_a_server_error``, with its two methods that fail on purpose left out (``fail`` raises,
``wrong_output`` returns the wrong type: 500s by design). Its ``negative_data_rejection``
findings are the check's strictness, not faults: ``?octs=`` is the empty list (form style,
explode false), and a multipart body without parts is no argument at all.

The servers run in the hostile suite's network sandbox (``tests/hostile_helpers.py``): the
URLs schemathesis writes have random hosts, and only loopback connections are let through
(and checked afterwards in the connect log).

Bounded: a fixed seed and a time limit on each run; in CI 30 examples per operation for
the bright-pixel example and, for the all-types module, schemathesis's coverage phase alone
(its boundary and type-confusion cases: where the 500s were); ``AMODULE_FUZZ_EXAMPLES=N``
runs every phase with N examples (at most 1,000) per operation at a random seed.
Skipped, saying why, when schemathesis is not installed.
"""

from __future__ import annotations

import importlib.util
import ipaddress
import os
import subprocess
import sys
from pathlib import Path

import pytest

from .fuzz_strategies import FUZZ_ENV, examples
from .rest_modules import write_types_module
from .hostile_helpers import connect_log, network_sandbox
from .server_helpers import EXAMPLE, Server, rest_command, start

pytestmark = [
    pytest.mark.server,
    pytest.mark.skipif(importlib.util.find_spec("schemathesis") is None,
                       reason="schemathesis is not installed (pip install schemathesis)"),
]

_CLI = "import sys; from schemathesis.cli import schemathesis; sys.exit(schemathesis())"
_SECONDS = 1800 if os.environ.get(FUZZ_ENV) else 120
_BIG_RUN_CAP = 1000  # examples per operation in a big run: 24 operations x 1000 take minutes


def schemathesis(url: str, tmp: Path, count: int, *options: str) -> subprocess.CompletedProcess[str]:
    """``schemathesis run URL/api/openapi.json`` with ``count`` examples per operation."""
    seed = [] if os.environ.get(FUZZ_ENV) else ["--seed", "20240601"]
    count = min(count, _BIG_RUN_CAP)
    args = [sys.executable, "-c", _CLI, "run", f"{url}/api/openapi.json", "--max-examples", str(count),
            *seed, "--workers", "1", "--request-timeout", "20", "--no-color", *options]
    return subprocess.run(args, cwd=tmp, capture_output=True, text=True, timeout=_SECONDS,
                          env={**os.environ, "NO_COLOR": "1"})


def _report(result: subprocess.CompletedProcess[str]) -> str:
    return f"exit {result.returncode}\n{result.stdout[-6000:]}\n{result.stderr[-2000:]}"


def _sandboxed(folder: Path, tmp: Path) -> Server:
    """``python -m rest FOLDER`` in the hostile suite's network sandbox: schemathesis writes
    http(s) URLs with random hosts, and the server may connect to loopback alone."""
    return start(rest_command(str(folder)), tmp, env=network_sandbox(tmp / "sandbox"))


def _only_loopback(tmp: Path) -> None:
    tried = {host for host, _ in connect_log(tmp / "sandbox")}
    assert all(ipaddress.ip_address(host.split("%")[0]).is_loopback for host in tried), tried


def test_schemathesis_bright_pixel(tmp_path: Path) -> None:
    server = _sandboxed(EXAMPLE, tmp_path)
    try:
        result = schemathesis(server.url, tmp_path, examples(30), "--exclude-checks", "positive_data_acceptance")
    finally:
        server.stop()
    assert result.returncode == 0, _report(result)
    assert "generated" in result.stdout and " passed" in result.stdout, _report(result)
    _only_loopback(tmp_path)


def test_schemathesis_all_types_no_server_error(tmp_path: Path) -> None:
    folder = write_types_module(tmp_path / "amod_types")
    server = _sandboxed(folder, tmp_path)
    try:
        phases = [] if os.environ.get(FUZZ_ENV) else ["--phases", "coverage"]  # CI: the edge cases
        result = schemathesis(server.url, tmp_path, examples(10), "--checks", "not_a_server_error",
                              "--exclude-path-regex", "/api/run/(fail|wrong_output)$", *phases)
    finally:
        server.stop()
    assert result.returncode == 0, _report(result)
    assert "generated" in result.stdout, _report(result)
    _only_loopback(tmp_path)
