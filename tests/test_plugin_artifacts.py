"""Plugin artifacts: pictures of failing cases on disk, junit properties, pytest-html extras."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest

from tests.plugin_helpers import (  # noqa: F401
    IMAGE_SOURCE, IMAGE_SPEC, ModuleWriter, amodule, image_files, lines, one_output, read_png, returner,
)

CASE_DIR = ".amodule/artifacts/amod_t_specification.py-process_1"


def test_failing_image_case_writes_obtained_expected_diff_and_overlay(
    pytester: pytest.Pytester, amodule: ModuleWriter
) -> None:
    files = image_files()
    amodule.write("amod_t", IMAGE_SPEC, IMAGE_SOURCE, files)
    pytester.runpytest().assert_outcomes(passed=1, failed=1)
    folder = pytester.path / CASE_DIR
    assert sorted(p.name for p in folder.iterdir()) == [
        "mask.diff.png", "mask.expected.png", "mask.obtained.png", "mask.overlay.png"]
    expected = files["mask.png"]
    obtained = (files["rgb.png"].mean(axis=2) > 50).astype(np.uint8) * 255
    np.testing.assert_array_equal(read_png(folder / "mask.expected.png"), expected)
    np.testing.assert_array_equal(read_png(folder / "mask.obtained.png"), obtained)
    diff = read_png(folder / "mask.diff.png")
    assert diff.shape == (6, 8, 3)
    red = (diff[..., 0] >= 100) & (diff[..., 1] == 0) & (diff[..., 2] == 0)
    np.testing.assert_array_equal(red, obtained != expected)
    overlay = read_png(folder / "mask.overlay.png")
    assert overlay.shape == (6, 8, 3)
    assert overlay[5, 0, 0] > overlay[5, 0, 1]  # obtained only: red
    assert overlay[1, 1, 1] > overlay[1, 1, 0]  # in both masks: green
    assert not (pytester.path / ".amodule/artifacts/amod_t_specification.py-process_0").exists()


def test_float_outputs_also_keep_their_values_as_npy(pytester: pytest.Pytester, amodule: ModuleWriter) -> None:
    spec = one_output("ndarray/float32", [[0.5, 0.25], [1.0, 2.0]])
    amodule.write("amod_t", spec, returner([
        "np.array([[0.5, 0.25], [1.0, 2.0]], np.float32)", "np.array([[0.5, 0.75], [1.0, 2.0]], np.float32)"]))
    pytester.runpytest().assert_outcomes(passed=1, failed=1)
    folder = pytester.path / CASE_DIR
    np.testing.assert_array_equal(np.load(folder / "y.obtained.npy"), np.array([[0.5, 0.75], [1, 2]], np.float32))
    np.testing.assert_array_equal(np.load(folder / "y.expected.npy"), np.array([[0.5, 0.25], [1, 2]], np.float32))
    assert read_png(folder / "y.obtained.png").dtype == np.uint8


def test_scalar_outputs_write_no_artifacts(pytester: pytest.Pytester, amodule: ModuleWriter) -> None:
    amodule.write("amod_t", one_output("numeric/int", 1), returner(["1", "2"]))
    result = pytester.runpytest()
    result.assert_outcomes(passed=1, failed=1)
    assert "artifacts:" not in result.stdout.str()
    assert not (pytester.path / ".amodule").exists()


def test_passing_run_writes_nothing(pytester: pytest.Pytester, amodule: ModuleWriter) -> None:
    amodule.write("amod_t", IMAGE_SPEC, IMAGE_SOURCE, image_files())
    pytester.runpytest("-k", "process and 0").assert_outcomes(passed=1, deselected=1)
    assert not (pytester.path / ".amodule").exists()


def test_artifacts_option_and_stale_pictures(pytester: pytest.Pytester, amodule: ModuleWriter) -> None:
    amodule.write("amod_t", IMAGE_SPEC, IMAGE_SOURCE, image_files())
    stale = pytester.path / "out/pictures/amod_t_specification.py-process_1/old.diff.png"
    stale.parent.mkdir(parents=True)
    stale.write_bytes(b"from an earlier run")
    result = pytester.runpytest("--amodule-artifacts", "out/pictures")
    result.stdout.fnmatch_lines(lines(
        "amodule: artifacts of failing cases in out/pictures",
        "*",
        "artifacts: out/pictures/amod_t_specification.py-process_1/",
        "    mask.expected.png  mask.obtained.png  mask.diff.png  mask.overlay.png",
    ))
    assert sorted(p.name for p in stale.parent.iterdir()) == [
        "mask.diff.png", "mask.expected.png", "mask.obtained.png", "mask.overlay.png"]


def test_error_artifacts_that_cannot_be_written_are_named_not_raised(
    pytester: pytest.Pytester, amodule: ModuleWriter
) -> None:
    amodule.write("amod_t", IMAGE_SPEC, IMAGE_SOURCE, image_files())
    (pytester.path / "out").mkdir()
    (pytester.path / "out/amod_t_specification.py-process_1").write_text("a file where a folder goes")
    result = pytester.runpytest("--amodule-artifacts", "out")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(lines(
        "output[1] 'count': expected 3, got 4",
        "artifacts could not be written: NotADirectoryError: *",
        "Run pytest with --amodule-update *",
    ), consecutive=True)


def test_junit_xml_records_the_artifact_paths(pytester: pytest.Pytester, amodule: ModuleWriter) -> None:
    amodule.write("amod_t", IMAGE_SPEC, IMAGE_SOURCE, image_files())
    pytester.runpytest("--junitxml=junit.xml").assert_outcomes(passed=1, failed=1)
    root = ET.parse(pytester.path / "junit.xml").getroot()
    cases = {case.get("name"): case for case in root.iter("testcase")}
    assert set(cases) == {"process[0]", "process[1]"}
    assert cases["process[0]"].find("properties") is None
    properties = {p.get("name"): p.get("value") for p in cases["process[1]"].iter("property")}
    folder = pytester.path / CASE_DIR
    assert properties == {
        f"amodule.mask.{label}": str(folder / f"mask.{label}.png")
        for label in ("expected", "obtained", "diff", "overlay")
    }
    assert all(Path(path).is_file() for path in properties.values())


def test_pytest_html_gets_the_pictures_as_extras(pytester: pytest.Pytester, amodule: ModuleWriter) -> None:
    pytest.importorskip("pytest_html")
    amodule.write("amod_t", IMAGE_SPEC, IMAGE_SOURCE, image_files())
    pytester.makeconftest("""
        import pytest

        @pytest.hookimpl(trylast=True)
        def pytest_runtest_logreport(report):
            if report.when == "call":
                extras = [(extra["name"], extra["format_type"], extra["content"][:4])
                          for extra in getattr(report, "extras", [])]
                print(f"EXTRAS {report.nodeid} {extras}")
    """)
    result = pytester.runpytest("-s", "--html=pytest-html.html", "--self-contained-html")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(lines(
        "*EXTRAS amod_t/specification.py::process[0] []",
        "*EXTRAS amod_t/specification.py::process[1] [('mask expected', 'image', 'iVBO'), "
        "('mask obtained', 'image', 'iVBO'), ('mask diff', 'image', 'iVBO'), ('mask overlay', 'image', 'iVBO')]",
    ))
    page = (pytester.path / "pytest-html.html").read_text()
    assert "mask diff" in page


def test_no_pictures_are_encoded_without_a_report(pytester: pytest.Pytester, amodule: ModuleWriter) -> None:
    amodule.write("amod_t", IMAGE_SPEC, IMAGE_SOURCE, image_files())
    pytester.makeconftest("""
        def pytest_runtest_logreport(report):
            if report.when == "call" and report.failed:
                print("DATA", report.amodule["outputs"][0]["pictures"][0])
    """)
    result = pytester.runpytest("-s")
    result.stdout.fnmatch_lines(["*DATA {'label': 'expected', 'src': None, 'file': '*/mask.expected.png'}"])
