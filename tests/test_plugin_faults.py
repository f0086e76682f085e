"""The plugin under faults with pytest-xdist: ``--amodule-update -n 2`` over 200 cases loses
no file and leaves no partial one; a worker that dies (``os._exit``) in a case, or while
updating a file, is that case's failure, the other cases still run, every report keeps it
and no expected file is left cut."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import numpy as np
import pytest

from tests.plugin_helpers import ModuleWriter, Page, amodule, lines, method_spec, read_png, spec_of  # noqa: F401

pytest.importorskip("xdist")

pytestmark = pytest.mark.slow

RAMP = """
import numpy as np
from amodule_core import Module


class Ramp(Module):
    def process(self, level):
        return (np.arange(16 * 16).reshape(16, 16) % 61 + level).astype(np.uint8)
"""


def ramp(level: int) -> np.ndarray:
    return (np.arange(16 * 16).reshape(16, 16) % 61 + level).astype(np.uint8)


def test_update_of_200_cases_with_two_workers_loses_nothing(pytester: pytest.Pytester, amodule: ModuleWriter) -> None:
    count = 200
    spec = spec_of(process=method_spec([("level", "numeric/int")], [("mask", "ndarray/uint8//")],
                                       [[level, f"mask_{level}.png"] for level in range(count)]))
    # 10 right already, 40 missing (created), the rest wrong (rewritten)
    files = {f"mask_{level}.png": ramp(level) if level < 10 else np.zeros((16, 16), np.uint8)
             for level in range(count) if not 100 <= level < 140}
    folder = amodule.write("amod_ramp", spec, RAMP, files)
    result = pytester.runpytest_subprocess("-n", "2", "--amodule-update", "-p", "no:randomly")
    assert result.parseoutcomes() == {"passed": 10, "updated": count - 10}
    result.stdout.fnmatch_lines([f"{count - 10} expected files written:"])
    names = sorted(path.name for path in (folder / "testdata").iterdir())
    assert names == sorted(f"mask_{level}.png" for level in range(count))  # no temporary file left
    for level in range(count):
        np.testing.assert_array_equal(read_png(folder / "testdata" / f"mask_{level}.png"), ramp(level))


# Kills the worker between writing the temporary file and renaming it over mask_7.png.
CRASH_IN_RENAME = """
import os

import pytest_amodule.update as update


class _Os:
    def __getattr__(self, name):
        return getattr(os, name)

    @staticmethod
    def replace(source, target):
        if str(target).endswith("mask_7.png"):
            os._exit(1)
        os.replace(source, target)


update.os = _Os()
"""


CRASHER = """
import os

from amodule_core import Module


class Crasher(Module):
    def process(self, x):
        if x == 3:
            os._exit(1)
        return 2 * x
"""


def outcomes(path: str) -> dict[str, str]:
    """Node id -> outcome of each case of a junit XML file."""
    cases = {}
    for case in ET.parse(path).getroot().iter("testcase"):
        kind = next((child.tag for child in case if child.tag in ("failure", "error", "skipped")), "passed")
        cases[f"{case.get('classname').replace('.', '/')}.py::{case.get('name')}"] = kind
    return cases


def test_crashed_workers_are_their_cases_failures_and_nothing_else_is_lost(pytester: pytest.Pytester,
                                                                           amodule: ModuleWriter) -> None:
    # Two workers die: one in amod_crash's process[3] (os._exit in the module), one while
    # --amodule-update writes amod_ramp's mask_7.png (between the write and the rename).
    amodule.write("amod_crash", spec_of(process=method_spec(
        [("x", "numeric/int")], [("y", "numeric/int")], [[x, 2 * x] for x in range(20)])), CRASHER)
    count = 12
    old = np.full((16, 16), 9, np.uint8)
    ramp_spec = spec_of(process=method_spec([("level", "numeric/int")], [("mask", "ndarray/uint8//")],
                                            [[level, f"mask_{level}.png"] for level in range(count)]))
    folder = amodule.write("amod_ramp", ramp_spec, RAMP, {f"mask_{level}.png": old for level in range(count)})
    pytester.makeconftest(CRASH_IN_RENAME)
    result = pytester.runpytest_subprocess("-n", "2", "-p", "no:randomly", "--amodule-update",
                                           "--junitxml=junit.xml", "--amodule-html", "report.html")
    assert result.parseoutcomes() == {"passed": 19, "failed": 2, "updated": count - 1}
    crashed = ["amod_crash/specification.py::process[3]", "amod_ramp/specification.py::process[7]"]
    for node in crashed:
        result.stdout.fnmatch_lines(lines(f"*worker 'gw*' crashed while running '{node}'*"))
        result.stdout.fnmatch_lines(lines(f"FAILED {node}*"))
    # The rest ran, and every report has every case.
    cases = outcomes(str(pytester.path / "junit.xml"))
    assert len(cases) == 20 + count
    assert sorted(name for name, kind in cases.items() if kind != "passed") == crashed
    page = Page((pytester.path / "report.html").read_text())
    assert page.counts == {"passed": 19, "failed": 2, "error": 0, "updated": count - 1}
    assert sorted(node for node, outcome in page.rows.items() if outcome == "failed") == crashed
    assert sum("crashed" in message for message in page.messages) == 2, page.messages
    # The file being written when its worker died is the old one, whole; the others are new.
    np.testing.assert_array_equal(read_png(folder / "testdata" / "mask_7.png"), old)
    for level in set(range(count)) - {7}:
        np.testing.assert_array_equal(read_png(folder / "testdata" / f"mask_{level}.png"), ramp(level))
    # What a hard kill between write and rename can leave: the hidden temporary file, never
    # a cut expected file.
    leftovers = sorted(path.name for path in (folder / "testdata").iterdir() if not path.name.startswith("mask_"))
    assert all(name.startswith(".mask_7.png.") and name.endswith(".tmp") for name in leftovers), leftovers
