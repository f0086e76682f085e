"""Terminal summary of ``--amodule-update``: the files written and conflicting cases.

Runs on the process that prints (the controller under xdist), from the data the items
attach to their reports, so it sees the updates of every worker.
"""

from __future__ import annotations

from collections import defaultdict

import pytest

__all__ = ["UpdateSummary"]


class UpdateSummary:
    """Collects ``report.amodule["updated"]`` and prints it at the end of the session."""

    def __init__(self) -> None:
        self.files: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
        self.sharers: dict[str, set[str]] = defaultdict(set)

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        data = getattr(report, "amodule", None)
        if report.when != "call" or not isinstance(data, dict):
            return
        for path, digest, sharers in data.get("updated", ()):
            self.files[path][digest].append(report.nodeid.rpartition("::")[2])
            self.sharers[path].update(sharers)

    def pytest_terminal_summary(self, terminalreporter: pytest.TerminalReporter) -> None:
        if not self.files:
            return
        writer = terminalreporter
        writer.write_sep("=", "amodule update")
        count = len(self.files)
        writer.write_line(f"{count} expected file{'s' if count != 1 else ''} written:")
        for path in sorted(self.files):
            cases = sorted(case for names in self.files[path].values() for case in names)
            writer.write_line(f"  {path} ({', '.join(cases)})")
        for path in sorted(self.files):
            versions = self.files[path]
            if len(versions) > 1:
                cases = " and ".join(", ".join(sorted(names)) for names in versions.values())
                writer.write_line(
                    f"conflict: {path} is expected by several cases that obtained different "
                    f"outputs ({cases}); it holds one of them now: give each case its own file",
                    yellow=True,
                )
                continue
            writers = {case for names in versions.values() for case in names}
            others = sorted(self.sharers[path] - writers)
            if others:
                writer.write_line(
                    f"note: {path} is also expected by {', '.join(others)}, which did not "
                    "update it; run again to check that they still pass",
                    yellow=True,
                )
