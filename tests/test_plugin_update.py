"""Plugin ``--amodule-update``: expected files rewritten in their format, literals printed,
updated cases reported as such, shared files and conflicts named."""

from __future__ import annotations

import stat
import zipfile

import numpy as np
import pytest

from tests.plugin_helpers import ModuleWriter, amodule, lines, method_spec, read_png, spec_of  # noqa: F401

FORMATS_SPEC = spec_of(process=method_spec(
    [("level", "numeric/int")],
    [("mask", "ndarray/uint8//"), ("values", "ndarray/float32"), ("weights", "ndarray/int32"),
     ("count", "numeric/int")],
    [[1, "mask.png", "values.npy", "weights.npz", 4], [2, "mask2.png", "values2.npy", "weights2.npz", 4]],
))
FORMATS_SOURCE = """
import numpy as np
from amodule_core import Module


class Several(Module):
    def process(self, level):
        mask = np.zeros((2, 3), np.uint8)
        mask[0, :level] = 255
        values = np.full((2, 2), level / 4, np.float32)
        weights = np.arange(3, dtype=np.int32) * level
        return mask, values, weights, 4
"""


def obtained(level: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    mask = np.zeros((2, 3), np.uint8)
    mask[0, :level] = 255
    return mask, np.full((2, 2), level / 4, np.float32), np.arange(3, dtype=np.int32) * level


def stale_files() -> dict[str, object]:
    return {
        "mask.png": np.zeros((2, 3), np.uint8), "values.npy": np.zeros((2, 2), np.float32),
        "weights.npz": {"kept_name": np.zeros(3, np.int32)},
        "mask2.png": obtained(2)[0], "values2.npy": obtained(2)[1], "weights2.npz": {"w": obtained(2)[2]},
    }


def test_update_rewrites_png_npy_and_npz_in_their_formats(pytester: pytest.Pytester, amodule: ModuleWriter) -> None:
    folder = amodule.write("amod_t", FORMATS_SPEC, FORMATS_SOURCE, stale_files())
    (folder / "testdata/mask.png").chmod(0o644)
    untouched = {name: (folder / "testdata" / name).read_bytes() for name in ("mask2.png", "values2.npy")}
    result = pytester.runpytest("--amodule-update", "-v")
    assert result.parseoutcomes() == {"passed": 1, "updated": 1}
    assert result.ret == pytest.ExitCode.OK
    result.stdout.fnmatch_lines(lines(
        "amod_t/specification.py::process[0] UPDATED*",
        "amod_t/specification.py::process[1] PASSED*",
        "",
        "*= amodule update =*",
        "3 expected files written:",
        "  amod_t/testdata/mask.png (process[0])",
        "  amod_t/testdata/values.npy (process[0])",
        "  amod_t/testdata/weights.npz (process[0])",
        "*= 1 passed, 1 updated in *",
    ), consecutive=True)
    mask, values, weights = obtained(1)
    data = folder / "testdata"
    np.testing.assert_array_equal(read_png(data / "mask.png"), mask)
    np.testing.assert_array_equal(np.load(data / "values.npy"), values)
    assert np.load(data / "values.npy").dtype == np.float32
    with np.load(data / "weights.npz") as archive:
        assert archive.files == ["kept_name"]
        np.testing.assert_array_equal(archive["kept_name"], weights)
    with zipfile.ZipFile(data / "weights.npz") as archive:
        assert archive.infolist()[0].compress_type == zipfile.ZIP_DEFLATED
    assert stat.S_IMODE((data / "mask.png").stat().st_mode) == 0o644
    assert {name: (data / name).read_bytes() for name in untouched} == untouched
    assert not [p.name for p in data.iterdir() if p.name.startswith(".")]  # no temporary files left
    pytester.runpytest().assert_outcomes(passed=2)


def test_update_creates_missing_expected_files(pytester: pytest.Pytester, amodule: ModuleWriter) -> None:
    spec = spec_of(process=method_spec([("level", "numeric/int")], [("mask", "ndarray/uint8//")],
                                       [[1, "new/mask.png"], [2, "new/mask.npz"]]))
    source = FORMATS_SOURCE.replace("return mask, values, weights, 4", "return mask")
    folder = amodule.write("amod_t", spec, source)
    without = pytester.runpytest()
    without.stdout.fnmatch_lines(lines(
        "*problems in */amod_t/specification.py:",
        "  methods.process.test_cases[0][1]: 'mask': file 'new/mask.png' not found in */amod_t/testdata",
        "  methods.process.test_cases[1][1]: 'mask': file 'new/mask.npz' not found in */amod_t/testdata",
    ), consecutive=True)
    result = pytester.runpytest("--amodule-update")
    assert result.parseoutcomes() == {"updated": 2}
    np.testing.assert_array_equal(read_png(folder / "testdata/new/mask.png"), obtained(1)[0])
    with np.load(folder / "testdata/new/mask.npz") as archive:
        assert archive.files == ["arr_0"]
        np.testing.assert_array_equal(archive["arr_0"], obtained(2)[0])
    pytester.runpytest().assert_outcomes(passed=2)


def test_update_prints_a_replacement_row_for_literal_expectations(
    pytester: pytest.Pytester, amodule: ModuleWriter
) -> None:
    spec = spec_of(process=method_spec(
        [("name", "text"), ("level", "numeric/int")],
        [("mask", "ndarray/uint8//"), ("count", "numeric/int"), ("ratio", "numeric/float"), ("tags", "[text]")],
        [["first", 1, "mask.png", 4, 0.5, ["a"]]],
    ))
    source = FORMATS_SOURCE.replace("def process(self, level)", "def process(self, name, level)").replace(
        "return mask, values, weights, 4", "return mask, 1, 1 / 3, ['a', 'b \"quoted\"']")
    folder = amodule.write("amod_t", spec, source, {"mask.png": np.zeros((2, 3), np.uint8)})
    result = pytester.runpytest("--amodule-update")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(lines(
        "process[0]: 4 of 4 outputs differ",
        "inputs: name='first', level=1",
        "output[0] 'mask': arrays differ (exact comparison)",
        "*",
        "output[1] 'count': expected 4, got 1",
        "output[2] 'ratio': expected 0.5 ± 5e-07, got 0.3333333333333333 (difference 0.166667)",
        "output[3] 'tags': lengths differ: expected 1 items, got 2",
        "updated: amod_t/testdata/mask.png",
        "methods.process.test_cases[0] is written in specification.py; replace it with:",
        '    ["first", 1, "mask.png", 1, 0.3333333333333333, ["a", "b \\"quoted\\""]],',
        "artifacts: .amodule/artifacts/amod_t_specification.py-process_0/",
        "    mask.expected.png  mask.obtained.png  mask.diff.png",
        "*= amodule update =*",
        "1 expected file written:",
        "  amod_t/testdata/mask.png (process[0])",
    ))
    np.testing.assert_array_equal(read_png(folder / "testdata/mask.png"), obtained(1)[0])


@pytest.mark.parametrize(
    ("iotype", "file_name", "value", "problem"),
    [
        ("ndarray/uint8", "mask.jpg", "np.zeros((2, 3), np.uint8)",
         "not updated: output 'y': cannot rewrite 'mask.jpg' without loss (.jpg is lossy or paletted); "
         "name a .png or .npy file in the spec instead"),
        ("ndarray/float32", "values.png", "np.zeros((2, 3), np.float32)",
         "not updated: output 'y': cannot store <ndarray float32 (2, 3)> as PNG 'values.png' (it holds uint8 "
         "images of shape (h, w), (h, w, 3) or (h, w, 4)); name a .npy file in the spec instead"),
    ],
)
def test_error_update_refuses_lossy_or_unfit_files(
    pytester: pytest.Pytester, amodule: ModuleWriter, iotype: str, file_name: str, value: str, problem: str
) -> None:
    from PIL import Image

    spec = spec_of(process=method_spec([("x", "numeric/int")], [("y", iotype)], [[1, file_name]]))
    folder = amodule.write("amod_t", spec, f"""
        import numpy as np
        from amodule_core import Module


        class Unfit(Module):
            def process(self, x):
                return {value}
        """)
    picture = np.full((2, 3, 3) if iotype == "ndarray/uint8" else (2, 3), 9, np.uint8)
    Image.fromarray(picture).save(folder / "testdata" / file_name)
    before = (folder / "testdata" / file_name).read_bytes()
    if iotype == "ndarray/uint8":  # a jpg decodes to (h, w, 3): return the same shape, other values
        (folder / "module.py").write_text((folder / "module.py").read_text().replace("(2, 3)", "(2, 3, 3)"))
    result = pytester.runpytest("--amodule-update")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines([problem])
    assert (folder / "testdata" / file_name).read_bytes() == before


SHARED_SPEC = spec_of(process=method_spec([("level", "numeric/int")], [("mask", "ndarray/uint8//")],
                                          [[1, "shared.png"], [2, "shared.png"], [1, "shared.png"]]))


def test_update_names_cases_that_disagree_about_a_shared_file(
    pytester: pytest.Pytester, amodule: ModuleWriter
) -> None:
    source = FORMATS_SOURCE.replace("return mask, values, weights, 4", "return mask")
    amodule.write("amod_t", SHARED_SPEC, source, {"shared.png": np.zeros((2, 3), np.uint8)})
    result = pytester.runpytest("--amodule-update")
    result.stdout.fnmatch_lines(lines(
        "*= amodule update =*",
        "1 expected file written:",
        "  amod_t/testdata/shared.png (process[0], process[1], process[2])",
        "conflict: amod_t/testdata/shared.png is expected by several cases that obtained different outputs "
        "(process[0], process[2] and process[1]); it holds one of them now: give each case its own file",
    ), consecutive=True)


def test_update_notes_other_cases_of_a_shared_file(pytester: pytest.Pytester, amodule: ModuleWriter) -> None:
    source = FORMATS_SOURCE.replace("return mask, values, weights, 4", "return mask")
    amodule.write("amod_t", SHARED_SPEC, source, {"shared.png": np.zeros((2, 3), np.uint8)})
    result = pytester.runpytest("--amodule-update", "-k", "process and 1")
    result.stdout.fnmatch_lines(lines(
        "*= amodule update =*",
        "1 expected file written:",
        "  amod_t/testdata/shared.png (process[1])",
        "note: amod_t/testdata/shared.png is also expected by process[0], process[2], which did not update it; "
        "run again to check that they still pass",
    ), consecutive=True)


def test_update_leaves_passing_cases_and_their_files_alone(pytester: pytest.Pytester, amodule: ModuleWriter) -> None:
    files = {"mask.png": obtained(1)[0], "values.npy": obtained(1)[1], "weights.npz": {"w": obtained(1)[2]},
             "mask2.png": obtained(2)[0], "values2.npy": obtained(2)[1], "weights2.npz": {"w": obtained(2)[2]}}
    folder = amodule.write("amod_t", FORMATS_SPEC, FORMATS_SOURCE, files)
    before = {p.name: p.stat().st_mtime_ns for p in (folder / "testdata").iterdir()}
    result = pytester.runpytest("--amodule-update")
    result.assert_outcomes(passed=2)
    assert "amodule update" not in result.stdout.str().split("amodule: artifacts")[-1].split("\n", 1)[1]
    assert {p.name: p.stat().st_mtime_ns for p in (folder / "testdata").iterdir()} == before
