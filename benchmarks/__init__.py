"""Side-by-side speed measurements of amodule against its floors and peers.

Run ``python -m benchmarks`` (``--quick`` for a run under two minutes, ``--only NAME`` for
some comparisons). Each comparison lives in its own ``bench_*`` module, generates its data
into a temporary folder, runs its variants alternately over several rounds and reports
medians and the ratio to its floor. Not part of the test run; ``tests/test_benchmarks.py``
runs the suite once on tiny sizes to keep it working.
"""

from __future__ import annotations

__all__: list[str] = []
