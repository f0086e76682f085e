"""The short CI form of ``python -m benchmarks.load``: 8 s of 8 clients against
``amodule serve --workers 2`` on the bright-pixel example, 10% of the requests hostile.

Correctness bounds only (no 5xx, no connection error, every answer the expected one, no
worker restart, flat file descriptors, bounded memory growth); latency and throughput are
printed by the full run, never asserted.
"""

from __future__ import annotations

import pytest

from benchmarks.load import FD_MARGIN, MEMORY_BOUND_MB, LoadResult, hostile_probes, run_load, valid_probes

pytestmark = [pytest.mark.server, pytest.mark.slow]


@pytest.fixture(scope="module")
def load() -> LoadResult:
    return run_load(seconds=8, clients=8)


def test_no_server_error_no_connection_error_no_wrong_answer(load: LoadResult) -> None:
    assert load.server_errors == 0, load.report()
    assert load.connection_errors == [], load.report()
    assert load.unexpected == [], load.report()
    assert load.failures() == [], load.report()


def test_every_kind_of_request_was_sent_and_answered(load: LoadResult) -> None:
    from benchmarks.load import EXAMPLE

    kinds = {probe.kind for probe in [*valid_probes(), *hostile_probes(EXAMPLE / "testdata")]}
    assert set(load.requests) == kinds
    assert all(load.requests[kind] >= 2 for kind in kinds)  # the warm-up sends each twice
    assert set(load.statuses) == {200, 400, 403, 404, 405, 413}
    assert len(load.latencies) > 0


def test_workers_keep_their_memory_and_file_descriptors(load: LoadResult) -> None:
    assert load.restarts() == 0
    growth = load.memory_growth()
    assert sorted(growth) == sorted(load.workers_start) and len(growth) == 2
    assert all(megabytes < MEMORY_BOUND_MB for megabytes in growth.values()), growth
    fds = load.fd_growth()
    assert sorted(fds) == ["master", *sorted(f"worker {pid}" for pid in load.workers_start)]
    assert all(delta <= FD_MARGIN for delta in fds.values()), (load.fds_start, load.fds_end)
