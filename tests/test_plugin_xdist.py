"""Plugin under pytest-xdist: same outcomes as without, one HTML report from the controller,
``--amodule-update -n 2`` losing nothing. Runs in subprocesses (xdist starts workers)."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import numpy as np
import pytest

from tests.plugin_helpers import (  # noqa: F401
    IMAGE_SOURCE, IMAGE_SPEC, ModuleWriter, Page, amodule, image_files, method_spec, picture_of, read_png, spec_of,
)

pytest.importorskip("xdist")

CRASHY = """
from amodule_core import Module


class Crashy(Module):
    def process(self, x):
        if x == 3:
            raise RuntimeError("three")
        return 2 * x
"""


def outcomes(path: str) -> dict[str, str]:
    cases = {}
    for case in ET.parse(path).getroot().iter("testcase"):
        kind = next((child.tag for child in case if child.tag in ("failure", "error", "skipped")), "passed")
        cases[f"{case.get('classname')}::{case.get('name')}"] = kind
    return cases


def test_two_workers_give_the_same_outcomes_and_one_report(pytester: pytest.Pytester, amodule: ModuleWriter) -> None:
    amodule.write("amod_img", IMAGE_SPEC, IMAGE_SOURCE, image_files())
    amodule.write("amod_num", spec_of(process=method_spec(
        [("x", "numeric/int")], [("y", "numeric/int")], [[x, 2 * x + (x == 5)] for x in range(8)])), CRASHY)
    serial = pytester.runpytest("-p", "no:randomly", "--junitxml=serial.xml")
    serial.assert_outcomes(passed=7, failed=3)
    parallel = pytester.runpytest_subprocess("-n", "2", "--junitxml=parallel.xml", "--amodule-html", "report.html")
    parallel.assert_outcomes(passed=7, failed=3)
    assert outcomes(str(pytester.path / "parallel.xml")) == outcomes(str(pytester.path / "serial.xml"))
    parallel.stdout.fnmatch_lines(["*- amodule HTML report: */report.html -*"])
    page = Page((pytester.path / "report.html").read_text())
    assert page.counts == {"passed": 7, "failed": 3, "error": 0}
    assert sorted(node for node, outcome in page.rows.items() if outcome == "failed") == [
        "amod_img/specification.py::process[1]",
        "amod_num/specification.py::process[3]",
        "amod_num/specification.py::process[5]",
    ]
    assert [image["alt"] for image in page.images] == ["mask expected", "mask obtained", "mask diff", "mask overlay"]
    assert picture_of(page.images[2]["src"]).shape == (6, 8, 3)
    assert any("RuntimeError: three" in message for message in page.messages)
    properties = {
        p.get("name") for p in ET.parse(pytester.path / "parallel.xml").getroot().iter("property")
    }
    assert properties == {f"amodule.mask.{label}" for label in ("expected", "obtained", "diff", "overlay")}


def test_update_with_two_workers_writes_every_file_whole(pytester: pytest.Pytester, amodule: ModuleWriter) -> None:
    count = 40
    spec = spec_of(process=method_spec([("level", "numeric/int")], [("mask", "ndarray/uint8//")],
                                       [[level, f"mask_{level}.png"] for level in range(count)]))
    source = """
        import numpy as np
        from amodule_core import Module


        class Ramp(Module):
            def process(self, level):
                return (np.arange(64 * 64).reshape(64, 64) % 97 + level).astype(np.uint8)
        """
    files = {f"mask_{level}.png": np.zeros((64, 64), np.uint8) for level in range(count)}
    files["mask_0.png"] = (np.arange(64 * 64).reshape(64, 64) % 97).astype(np.uint8)  # already right
    folder = amodule.write("amod_t", spec, source, files)
    result = pytester.runpytest_subprocess("-n", "2", "--amodule-update")
    assert result.parseoutcomes() == {"passed": 1, "updated": count - 1}
    result.stdout.fnmatch_lines([f"{count - 1} expected files written:"])
    for level in range(count):
        expected = (np.arange(64 * 64).reshape(64, 64) % 97 + level).astype(np.uint8)
        np.testing.assert_array_equal(read_png(folder / "testdata" / f"mask_{level}.png"), expected)
    assert sorted(p.name for p in (folder / "testdata").iterdir()) == sorted(files)
    pytester.runpytest().assert_outcomes(passed=count)
