"""Plugin failures: every IO type passing and failing, tolerances, and the failure text
for mismatches, user exceptions, constructor errors and the core's own checks."""

from __future__ import annotations

from typing import Any

import pytest

from tests.plugin_helpers import (  # noqa: F401
    IMAGE_SOURCE, IMAGE_SPEC, ModuleWriter, amodule, image_files, lines, method_spec, one_output, returner, spec_of,
)

ROW = "Run pytest with --amodule-update to get a replacement row for specification.py from the obtained outputs."
FILES = "Run pytest with --amodule-update to rewrite the expected files from the obtained outputs."


# (type, expected literal, tolerance, obtained when passing, obtained when failing, message lines)
IO_TYPES = [
    ("numeric/int", 3, None, "3", "4", ["output[0] 'y': expected 3, got 4"]),
    ("numeric/float", 0.1, None, "0.1 + 0.2 - 0.2", "0.2",
     ["output[0] 'y': expected 0.1 ± 1e-07, got 0.2 (difference 0.1)"]),
    ("numeric", 2, None, "2.0", "2.5", ["output[0] 'y': expected 2 ± 2e-06, got 2.5 (difference 0.5)"]),
    ("numeric/float", 1.0, {"rtol": 0.1}, "1.09", "1.2",
     ["output[0] 'y': expected 1.0 ± 0.1, got 1.2 (difference 0.2)"]),
    ("text", "cat", None, "'cat'", "'dog'", ["output[0] 'y': expected 'cat', got 'dog'"]),
    ("text/str", "a" * 70, None, "'a' * 70", "'a' * 69 + 'b'", [
        "output[0] 'y': texts differ at index 69 (expected 70 characters, got 70)",
        "      expected: ...'aaaaaaaaaaaaaaaaaaaaa'",
        "      got:      ...'aaaaaaaaaaaaaaaaaaaab'",
    ]),
    ("boolean", True, None, "True", "False", ["output[0] 'y': expected True, got False"]),
    ("annotation", ["rect", [[1, 2, 3, 4]]], None, "('rect', [(1, 2, 3, 4)])", "('rect', [(1, 2, 3, 5)])", [
        "output[0] 'y': 1 / 1 geometries differ",
        "      geometry[0].h: expected 4 ± 4e-06, got 5 (difference 1)",
    ]),
    ("annotation", ["point", [[1, 2]]], None, "['point', [[1.0, 2.0]]]", "('circle', [(1, 2, 3)])",
     ["output[0] 'y': annotation kinds differ: expected 'point', got 'circle'"]),
    ("[numeric/int]", [1, 2, 3], None, "[1, 2, 3]", "[1, 2, 4]",
     ["output[0] 'y': 1 / 3 items differ", "      [2]: expected 3, got 4"]),
    ("[text]", ["a", "b"], None, "['a', 'b']", "['a', 'c', 'd']",
     ["output[0] 'y': lengths differ: expected 2 items, got 3"]),
    ("[numeric/float]", [0.5, 1.5], {"max_mismatch": 0.5}, "[0.5, 9.0]", "[0.0, 9.0]", [
        "output[0] 'y': 2 / 2 items differ (100%), at most 1 (50%) allowed",
        "      [0]: expected 0.5 ± 5e-07, got 0.0 (difference 0.5)",
        "      [1]: expected 1.5 ± 1.5e-06, got 9.0 (difference 7.5)",
    ]),
    ("ndarray/uint8", [1, 2, 3, 4], {"max_mismatch": 0.25}, "np.array([1, 2, 3, 9], np.uint8)",
     "np.array([1, 2, 8, 9], np.uint8)", [
         "output[0] 'y': arrays differ (exact comparison, max_mismatch=25%)",
         "    Mismatched elements: 2 / 4 (50%), at most 1 (25%) allowed",
         "    Max absolute difference: 5",
         "    Max relative difference: 1.66667",
         "    Mismatches (index: actual vs expected):",
         "      (2): 8 vs 3",
         "      (3): 9 vs 4",
     ]),
    ("ndarray/int64", [[1, 2], [3, 4]], None, "np.array([[1, 2], [3, 4]])", "np.array([[1, 2, 3]])",
     ["output[0] 'y': shapes differ: expected (2, 2), got (1, 3)",
      "artifacts: .amodule/artifacts/amod_t_specification.py-process_1/",
      "    y.expected.png  y.obtained.png  y.expected.npy  y.obtained.npy"]),
]


@pytest.mark.parametrize(
    ("iotype", "expected", "tolerance", "passing", "failing", "message"),
    IO_TYPES,
    ids=[f"{row[0]}-{index}" for index, row in enumerate(IO_TYPES)],
)
def test_io_type_passes_and_fails_with_its_message(
    pytester: pytest.Pytester, amodule: ModuleWriter, iotype: str, expected: Any,
    tolerance: dict[str, float] | None, passing: str, failing: str, message: list[str],
) -> None:
    amodule.write("amod_t", one_output(iotype, expected, tolerance), returner([passing, failing]))
    result = pytester.runpytest()
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(lines(
        "*_ process[1] _*",
        "process[1]: 1 of 1 outputs differs",
        "inputs: case=1",
        *message,
        ROW,
        "*= short test summary info =*",
        "FAILED amod_t/specification.py::process[1] - process[1]: 1 of 1 outputs differs",
    ), consecutive=True)


def test_arrays_with_tolerance_show_the_statistics_and_artifacts(pytester: pytest.Pytester, amodule: ModuleWriter) -> None:
    spec = one_output("ndarray/float32", [[0.5, 0.25]], {"atol": 0.01})
    amodule.write("amod_t", spec, returner([
        "np.array([[0.505, 0.25]], np.float32)", "np.array([[0.6, 0.25]], np.float32)"]))
    result = pytester.runpytest()
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(lines(
        "process[1]: 1 of 1 outputs differs",
        "inputs: case=1",
        "output[0] 'y': arrays differ (atol=0.01, rtol=0)",
        "    Mismatched elements: 1 / 2 (50%)",
        "    Max absolute difference: 0.1",
        "    Max relative difference: 0.2",
        "    Mismatches (index: actual vs expected):",
        "      (0, 0): 0.6 vs 0.5",
        "artifacts: .amodule/artifacts/amod_t_specification.py-process_1/",
        "    y.expected.png  y.obtained.png  y.diff.png  y.expected.npy  y.obtained.npy",
        ROW,
    ), consecutive=True)


def test_image_cases_from_testdata_files(pytester: pytest.Pytester, amodule: ModuleWriter) -> None:
    amodule.write("amod_t", IMAGE_SPEC, IMAGE_SOURCE, image_files())
    result = pytester.runpytest()
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(lines(
        "*_ process[1] _*",
        "process[1]: 2 of 2 outputs differ",
        "inputs: image='rgb.png', level=50",
        "output[0] 'mask': arrays differ (exact comparison)",
        "    Mismatched elements: 1 / 48 (2.08%)",
        "    Max absolute difference: 255",
        "    Max relative difference: inf",
        "    Mismatches (index: actual vs expected):",
        "      (5, 0): 255 vs 0",
        "output[1] 'count': expected 3, got 4",
        "artifacts: .amodule/artifacts/amod_t_specification.py-process_1/",
        "    mask.expected.png  mask.obtained.png  mask.diff.png  mask.overlay.png",
        "Run pytest with --amodule-update to rewrite the expected files and get a replacement row"
        " for specification.py from the obtained outputs.",
        "*= short test summary info =*",
    ), consecutive=True)


def test_error_user_exception_shows_the_users_traceback_only(pytester: pytest.Pytester, amodule: ModuleWriter) -> None:
    amodule.write("amod_t", source="""
        from amodule_core import Module


        def check(x):
            if x == 2:
                raise ValueError(f"x must not be {x}")
            return 2 * x


        class Checked(Module):
            def process(self, x):
                return check(x)
        """)
    result = pytester.runpytest()
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(lines(
        "    def process(self, x):",
        ">       return check(x)",
        "*",
        "",
        "amod_t/module.py:13: ",
        "_ _ _ *",
        "",
        "x = 2",
        "",
        "    def check(x):",
        "        if x == 2:",
        '>           raise ValueError(f"x must not be {x}")',
        "E           ValueError: x must not be 2",
        "",
        "amod_t/module.py:7: ValueError",
        "*= short test summary info =*",
        "FAILED amod_t/specification.py::process[1] - ValueError: x must not be 2",
    ), consecutive=True)
    result.stdout.fnmatch_lines(["self = <*.Checked object at *>*"])  # the locals of the user's frame
    output = result.stdout.str()
    assert output.count("def process(self, x):") == 1
    assert "pytest_amodule" not in output
    assert "amodule_core" not in output


def test_error_constructor_failure_fails_every_case_of_that_spec_only(
    pytester: pytest.Pytester, amodule: ModuleWriter
) -> None:
    amodule.write("amod_broken", source="""
        from amodule_core import Module


        class Broken(Module):
            def __init__(self):
                raise FileNotFoundError("no model in resources/")

            def process(self, x):
                return 2 * x
        """)
    amodule.write("amod_fine")
    result = pytester.runpytest()
    result.assert_outcomes(passed=2, failed=2)
    for index in (0, 1):
        result.stdout.fnmatch_lines(lines(
            f"*_ process[{index}] _*",
            "",
            "self = <*.Broken object at *>",
            "",
            "    def __init__(self):",
            '>       raise FileNotFoundError("no model in resources/")',
            "E       FileNotFoundError: no model in resources/",
            "",
            "amod_broken/module.py:7: FileNotFoundError",
        ), consecutive=True)
    assert "pytest_amodule" not in result.stdout.str()


def test_error_output_type_check_is_a_message_without_traceback(
    pytester: pytest.Pytester, amodule: ModuleWriter
) -> None:
    amodule.write("amod_t", one_output("numeric/int", 1), returner(["1", "'one'"]))
    result = pytester.runpytest()
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(lines(
        "*_ process[1] _*",
        "process[1]: TypeCheckError: process.output[0] 'y' must be numeric/int (got 'one', a str)",
        "inputs: case=1",
        "*= short test summary info =*",
    ), consecutive=True)


def test_error_wrong_number_of_outputs(pytester: pytest.Pytester, amodule: ModuleWriter) -> None:
    spec = spec_of(process=method_spec([("x", "numeric/int")], [("a", "numeric/int"), ("b", "numeric/int")],
                                       [[1, 1, 2]]))
    amodule.write("amod_t", spec, returner(["(1, 2, 3)"]).replace("(self, case)", "(self, x)")
                  .replace("[case]", "[0]"))
    result = pytester.runpytest()
    result.stdout.fnmatch_lines(lines(
        "*_ process[0] _*",
        "process[0]: TypeCheckError: process must return a tuple of 2 outputs (a, b), got 3 values",
        "inputs: x=1",
        "*= short test summary info =*",
    ), consecutive=True)


def test_error_user_type_check_shows_the_users_call(pytester: pytest.Pytester, amodule: ModuleWriter) -> None:
    amodule.write("amod_t", one_output("numeric/int", 1, cases=1), """
        from amodule_core import Module


        class SelfChecked(Module):
            def process(self, case):
                Module.checktype(self, "process", "output", "one")
                return 1
        """)
    result = pytester.runpytest()
    result.stdout.fnmatch_lines(lines(
        '>       Module.checktype(self, "process", "output", "one")',
        "E       amodule_core.errors.TypeCheckError: process.output[0] 'y' must be numeric/int (got 'one', a str)",
        "",
        "amod_t/module.py:7: TypeCheckError",
    ), consecutive=True)


def test_error_method_missing_in_the_class_fails_its_cases(pytester: pytest.Pytester, amodule: ModuleWriter) -> None:
    spec = spec_of(
        process=method_spec([("x", "numeric/int")], [("y", "numeric/int")], [[1, 2]]),
        measure=method_spec([("x", "numeric/int")], [("y", "numeric/int")], [[1, 2], [2, 3]]),
    )
    amodule.write("amod_t", spec)
    result = pytester.runpytest()
    result.assert_outcomes(passed=1, failed=2)
    result.stdout.fnmatch_lines(lines(
        "*_ measure[0] _*",
        "measure[0]: Doubler in module.py has no method 'measure', declared in specification.py (methods.measure)",
        "*_ measure[1] _*",
        "measure[1]: Doubler in module.py has no method 'measure', declared in specification.py (methods.measure)",
    ), consecutive=True)


def test_error_undecodable_test_data_is_a_message(pytester: pytest.Pytester, amodule: ModuleWriter) -> None:
    spec = spec_of(process=method_spec([("image", "ndarray/uint8")], [("n", "numeric/int")], [["broken.png", 1]]))
    amodule.write("amod_t", spec, returner(["1"]).replace("(self, case)", "(self, image)").replace("[case]", "[0]"),
                  files={"broken.png": b"not a png at all"})
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(lines(
        "*_ process[0] _*",
        "process[0]: SpecError: 1 problem:",
        "  methods.process.test_cases[0][0]: file 'broken.png' cannot be decoded: *",
        "inputs: image='broken.png'",
        "*= short test summary info =*",
    ), consecutive=True)


def test_fulltrace_still_shows_the_users_frames(pytester: pytest.Pytester, amodule: ModuleWriter) -> None:
    amodule.write("amod_t", one_output("numeric/int", 1, cases=1), """
        from amodule_core import Module


        class Failing(Module):
            def process(self, case):
                raise KeyError("missing")
        """)
    result = pytester.runpytest("--tb=short")
    result.stdout.fnmatch_lines(lines(
        "*_ process[0] _*",
        "amod_t/module.py:7: in process",
        '    raise KeyError("missing")',
        "E   KeyError: 'missing'",
    ), consecutive=True)
