"""Plugin collection: node ids, selection, ini options, spec and module.py errors (through pytester)."""

from __future__ import annotations

import pytest

from tests.plugin_helpers import ModuleWriter, amodule, lines, method_spec, spec_of  # noqa: F401

TWO_METHODS = spec_of(
    process=method_spec([("x", "numeric/int")], [("y", "numeric/int")], [[1, 2], [2, 4], [3, 6]]),
    negate=method_spec([("x", "numeric/int")], [("y", "numeric/int")], [[1, -1]]),
)
TWO_METHODS_SOURCE = """
from amodule_core import Module


class Calculator(Module):
    def process(self, x):
        return 2 * x

    def negate(self, x):
        return -x
"""


def test_collect_only_lists_every_case_with_relative_node_ids(pytester: pytest.Pytester, amodule: ModuleWriter) -> None:
    amodule.write("amod_a", TWO_METHODS, TWO_METHODS_SOURCE)
    amodule.write("nested/amod_b")
    result = pytester.runpytest("--collect-only", "-q")
    result.stdout.fnmatch_lines([
        "amod_a/specification.py::process[0]",
        "amod_a/specification.py::process[1]",
        "amod_a/specification.py::process[2]",
        "amod_a/specification.py::negate[0]",
        "nested/amod_b/specification.py::process[0]",
        "nested/amod_b/specification.py::process[1]",
        "",
        "6 tests collected in *",
    ], consecutive=True)
    assert result.ret == pytest.ExitCode.OK


def test_same_named_specs_in_many_folders_run_without_import_mismatch(
    pytester: pytest.Pytester, amodule: ModuleWriter
) -> None:
    for name in ("one", "two", "three/deeper"):
        amodule.write(name)
    result = pytester.runpytest("-v")
    result.assert_outcomes(passed=6)
    result.stdout.fnmatch_lines(lines(
        "one/specification.py::process[0] PASSED*",
        "one/specification.py::process[1] PASSED*",
        "three/deeper/specification.py::process[0] PASSED*",
        "three/deeper/specification.py::process[1] PASSED*",
        "two/specification.py::process[0] PASSED*",
        "two/specification.py::process[1] PASSED*",
    ), consecutive=True)


def test_module_package_is_imported_as_its_package(pytester: pytest.Pytester, amodule: ModuleWriter) -> None:
    folder = amodule.write("amod_pkg_import", source="""
        from amodule_core import Module
        from amod_pkg_import.helpers import double


        class Doubler(Module):
            def process(self, x):
                return double(x)
        """, package=True)
    (folder / "helpers.py").write_text("def double(x):\n    return 2 * x\n")
    pytester.runpytest().assert_outcomes(passed=2)


@pytest.mark.parametrize(
    ("args", "selected"),
    [
        (["-k", "negate"], ["amod_a/specification.py::negate[0]"]),
        (["-k", "process and 1"], ["amod_a/specification.py::process[1]"]),
        (["-m", "amodule", "-k", "not process"], ["amod_a/specification.py::negate[0]"]),
        (["amod_a/specification.py::process[2]"], ["amod_a/specification.py::process[2]"]),
    ],
)
def test_cases_are_selected_like_any_test(
    pytester: pytest.Pytester, amodule: ModuleWriter, args: list[str], selected: list[str]
) -> None:
    amodule.write("amod_a", TWO_METHODS, TWO_METHODS_SOURCE)
    result = pytester.runpytest("--collect-only", "-q", *args)
    result.stdout.fnmatch_lines([*selected, ""], consecutive=True)
    assert result.stdout.lines[len(selected)] == ""


def test_marker_amodule_deselects_cases(pytester: pytest.Pytester, amodule: ModuleWriter) -> None:
    amodule.write("amod_a")
    pytester.makepyfile(test_plain="def test_plain():\n    pass\n")
    result = pytester.runpytest("-m", "not amodule", "--strict-markers")
    result.assert_outcomes(passed=1, deselected=2)


def test_last_failed_reruns_only_the_failing_case(pytester: pytest.Pytester, amodule: ModuleWriter) -> None:
    amodule.write("amod_a", spec_of(process=method_spec(
        [("x", "numeric/int")], [("y", "numeric/int")], [[1, 2], [2, 5], [3, 6]])))
    pytester.runpytest().assert_outcomes(passed=2, failed=1)
    result = pytester.runpytest("--lf", "-v")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(lines(
        "run-last-failure: rerun previous 1 failure",
        "*",
        "amod_a/specification.py::process[1] FAILED*",
        "",
    ))


def test_exitfirst_stops_after_the_first_failing_case(pytester: pytest.Pytester, amodule: ModuleWriter) -> None:
    amodule.write("amod_a", spec_of(process=method_spec(
        [("x", "numeric/int")], [("y", "numeric/int")], [[1, 3], [2, 5], [3, 6]])))
    pytester.runpytest("-x").assert_outcomes(failed=1)


def test_durations_list_the_cases(pytester: pytest.Pytester, amodule: ModuleWriter) -> None:
    amodule.write("amod_a", source=DOUBLER_SLOW)
    result = pytester.runpytest("--durations=1", "--durations-min=0.05")
    result.stdout.fnmatch_lines(lines("*= slowest 1 durations =*", "0.* call     amod_a/specification.py::process[1]"))


DOUBLER_SLOW = """
import time
from amodule_core import Module


class Slow(Module):
    def process(self, x):
        time.sleep(0.1 * (x == 2))
        return 2 * x
"""


def test_ini_spec_files_glob_chooses_the_files(pytester: pytest.Pytester, amodule: ModuleWriter) -> None:
    folder = amodule.write("amod_a")
    (folder / "specification.py").rename(folder / "amod_spec.py")
    amodule.write("amod_b")  # its specification.py no longer matches
    pytester.makeini("[pytest]\namodule_spec_files = *_spec.py\n")
    result = pytester.runpytest("--collect-only", "-q")
    result.stdout.fnmatch_lines([
        "amod_a/amod_spec.py::process[0]",
        "amod_a/amod_spec.py::process[1]",
        "",
    ], consecutive=True)


def test_ini_spec_files_glob_with_a_folder(pytester: pytest.Pytester, amodule: ModuleWriter) -> None:
    amodule.write("modules/amod_a")
    amodule.write("other/amod_b")
    pytester.makeini("[pytest]\namodule_spec_files = modules/*/specification.py\n")
    result = pytester.runpytest("--collect-only", "-q")
    result.stdout.fnmatch_lines(["modules/amod_a/specification.py::process[0]",
                                 "modules/amod_a/specification.py::process[1]", ""], consecutive=True)


@pytest.mark.parametrize("switch", [["-o", "amodule_collect=false"], ["-p", "no:amodule"]])
def test_collection_can_be_switched_off(pytester: pytest.Pytester, amodule: ModuleWriter, switch: list[str]) -> None:
    amodule.write("amod_a")
    result = pytester.runpytest(*switch)
    result.assert_outcomes()
    assert result.ret == pytest.ExitCode.NO_TESTS_COLLECTED


def test_ini_collect_false_in_the_ini_file(pytester: pytest.Pytester, amodule: ModuleWriter) -> None:
    amodule.write("amod_a")
    pytester.makeini("[pytest]\namodule_collect = false\n")
    assert pytester.runpytest().ret == pytest.ExitCode.NO_TESTS_COLLECTED


def test_collection_neither_instantiates_nor_decodes(pytester: pytest.Pytester, amodule: ModuleWriter) -> None:
    spec = spec_of(process=method_spec([("image", "ndarray/uint8")], [("n", "numeric/int")], [["broken.png", 1]]))
    amodule.write("amod_a", spec, """
        from amodule_core import Module


        class Expensive(Module):
            def __init__(self):
                raise RuntimeError("the constructor ran at collection")

            def process(self, image):
                return 1
        """, files={"broken.png": b"not a png at all"})
    result = pytester.runpytest("--collect-only", "-q")
    result.stdout.fnmatch_lines(["amod_a/specification.py::process[0]", "", "1 test collected in *"])
    assert result.ret == pytest.ExitCode.OK


def test_module_is_instantiated_once_per_spec_file(pytester: pytest.Pytester, amodule: ModuleWriter) -> None:
    log = pytester.path / "constructed.log"
    source = f"""
        from amodule_core import Module


        class Counted(Module):
            def __init__(self):
                with open({str(log)!r}, "a") as file:
                    file.write("made\\n")

            def process(self, x):
                return 2 * x
        """
    amodule.write("amod_a", source=source)
    amodule.write("amod_b", source=source)
    pytester.makepyfile(test_plain="def test_plain():\n    pass\n")
    pytester.runpytest().assert_outcomes(passed=5)
    assert log.read_text() == "made\nmade\n"


def test_error_spec_problems_are_one_collection_error(pytester: pytest.Pytester, amodule: ModuleWriter) -> None:
    spec = {
        "methods": {"process": {
            "input": [{"name": "x", "type": "numerc/int"}],
            "output": [{"name": "y", "type": "numeric/int", "tolerance": {"atl": 1}}],
            "test_cases": [[1, 2, 3]],
        }},
        "module": {},
    }
    amodule.write("amod_bad", spec)
    amodule.write("amod_good")
    result = pytester.runpytest()
    result.stdout.fnmatch_lines(lines(
        "*= ERRORS =*",
        "*_ ERROR collecting amod_bad/specification.py _*",
        f"4 problems in {pytester.path}/amod_bad/specification.py:",
        "  module.name: missing (a string is required)",
        "  methods.process.input[0].type: unknown main type 'numerc' (did you mean numeric?) (in 'numerc/int')",
        "  methods.process.output[0].tolerance.atl: unknown key 'atl' (expected atol, rtol or max_mismatch);"
        " did you mean 'atol'?",
        "  methods.process.test_cases[0]: has 3 values, expected 2 *",
        "*= short test summary info =*",
        "ERROR amod_bad/specification.py",
    ), consecutive=True)
    assert "Traceback" not in result.stdout.str()
    result.assert_outcomes(errors=1)


def test_error_spec_that_fails_to_import(pytester: pytest.Pytester, amodule: ModuleWriter) -> None:
    amodule.write("amod_bad", "SPEC = {'methods': undefined_name}\n")
    result = pytester.runpytest()
    result.stdout.fnmatch_lines([
        "*_ ERROR collecting amod_bad/specification.py _*",
        f"1 problem in {pytester.path}/amod_bad/specification.py:",
        "  importing the specification failed: NameError: name 'undefined_name' is not defined",
    ], consecutive=True)


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("x = 1\n", "*/amod_bad/module.py defines no subclass of amodule_core.Module"),
        (
            "from amodule_core import Module\nclass B(Module):\n    pass\nclass A(Module):\n    pass\n",
            "*/amod_bad/module.py defines several Module subclasses (A, B); keep one per module.py",
        ),
    ],
)
def test_error_module_py_without_exactly_one_class(
    pytester: pytest.Pytester, amodule: ModuleWriter, source: str, message: str
) -> None:
    amodule.write("amod_bad", source=source)
    result = pytester.runpytest()
    result.stdout.fnmatch_lines(["*_ ERROR collecting amod_bad/specification.py _*", message, "*= short test summary*"],
                                consecutive=True)
    result.assert_outcomes(errors=1)


def test_error_module_py_import_failure_shows_the_users_line(pytester: pytest.Pytester, amodule: ModuleWriter) -> None:
    amodule.write("amod_bad", source="from amodule_core import Module\nimport not_installed_dependency\n")
    result = pytester.runpytest()
    result.stdout.fnmatch_lines([
        "*_ ERROR collecting amod_bad/specification.py _*",
        "importing */amod_bad/module.py failed: ModuleNotFoundError: No module named 'not_installed_dependency'",
        "Traceback (most recent call last):",
        '  File "*/amod_bad/module.py", line 2, in <module>',
        "    import not_installed_dependency",
        "ModuleNotFoundError: No module named 'not_installed_dependency'",
        "*= short test summary*",
    ], consecutive=True)


def test_error_module_py_syntax_error_points_at_the_line(pytester: pytest.Pytester, amodule: ModuleWriter) -> None:
    amodule.write("amod_bad", source="from amodule_core import Module\n\nclass A(Module):\n    def process(self x):\n")
    result = pytester.runpytest()
    result.stdout.fnmatch_lines([
        "*_ ERROR collecting amod_bad/specification.py _*",
        "importing */amod_bad/module.py failed: SyntaxError: *",
        "Traceback (most recent call last):",
        '  File "*/amod_bad/module.py", line 4',
        "    def process(self x):",
        "*^*",
        "SyntaxError: *",
    ], consecutive=True)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--amodule-artifacts", "afile.txt"],
         "*argument --amodule-artifacts: 'afile.txt' is a file, expected a folder for the artifacts"),
        (["--amodule-artifacts="], "*argument --amodule-artifacts: must be a folder path (got an empty string)"),
        (["--amodule-html", "adir"],
         "*argument --amodule-html: 'adir' is a folder, expected a file path such as report.html"),
        (["--amodule-html", "out/"],
         "*argument --amodule-html: 'out/' is a folder, expected a file path such as report.html"),
    ],
)
def test_error_bad_option_values_are_usage_errors(pytester: pytest.Pytester, args: list[str], message: str) -> None:
    pytester.path.joinpath("afile.txt").write_text("")
    pytester.path.joinpath("adir").mkdir()
    result = pytester.runpytest(*args)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([message])


def test_header_names_the_artifacts_folder_only_when_asked(pytester: pytest.Pytester, amodule: ModuleWriter) -> None:
    amodule.write("amod_a")
    quiet = pytester.runpytest()
    assert "amodule:" not in quiet.stdout.str()
    result = pytester.runpytest("--amodule-artifacts", "pictures")
    result.stdout.fnmatch_lines(["amodule: artifacts of failing cases in pictures"])
    result = pytester.runpytest("--amodule-update")
    result.stdout.fnmatch_lines([
        "amodule: artifacts of failing cases in .amodule/artifacts; updating the expected files of failing cases"
    ])


def test_options_are_in_their_own_help_group(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--help")
    result.stdout.fnmatch_lines([
        "analytics modules (specification.py test cases):",
        "  --amodule-artifacts=DIR",
        "*Folder for the pictures of failing cases*",
        "  --amodule-update*Rewrite the expected files of failing cases from*",
        "*",
        "  --amodule-html=PATH*Write a self-contained HTML report with the pictures*",
        "*",
    ])
    result.stdout.fnmatch_lines(["  amodule_spec_files (args):*", "  amodule_collect (bool):*"])
