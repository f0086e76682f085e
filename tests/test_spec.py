"""Spec loading and validation: every rule, every message, all problems at once."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from amodule_core import SpecError, Tolerance, load_spec
from amodule_core.spec import Category, validate_spec

from .conftest import EXAMPLE, SIMPLE_SPEC


def spec_with(change: Any) -> dict[str, Any]:
    spec = copy.deepcopy(SIMPLE_SPEC)
    change(spec)
    return spec


def problems_of(raw: Any, root: Path | None = None) -> list[str]:
    with pytest.raises(SpecError) as info:
        validate_spec(raw, root=root)
    return [str(problem) for problem in info.value.problems]


def test_load_example_spec() -> None:
    spec = load_spec(EXAMPLE)
    assert spec.name == "Bright Pixel Segmenter"
    method = spec.method("process")
    assert method.input_names == ("image", "threshold")
    assert method.output_names == ("mask", "#bright_pixels")
    assert str(method.inputs[0].type) == "ndarray/uint8///3"
    assert method.outputs[0].category == Category("segmentation", ("background", "foreground"))
    assert method.outputs[1].category == Category("measurement", (), "count")
    assert len(method.test_cases) == 4
    assert spec.path == EXAMPLE / "specification.py"
    assert spec.testdata_dir == EXAMPLE / "testdata"


def test_load_spec_accepts_the_file_itself() -> None:
    assert load_spec(EXAMPLE / "specification.py").name == "Bright Pixel Segmenter"


def test_same_named_specs_do_not_clash(make_module: Any, tmp_path: Path) -> None:
    first = make_module(name="first")
    second_spec = spec_with(lambda s: s["module"].update(name="Second"))
    second = make_module(spec=second_spec, name="second")
    assert load_spec(first).name == "Tiny Bright"
    assert load_spec(second).name == "Second"
    assert load_spec(first).name == "Tiny Bright"


def test_to_json_is_plain_data() -> None:
    data = load_spec(EXAMPLE).to_json()
    assert data["methods"]["process"]["test_cases"][0] == ["image.png", 130, "mask_130.png", 16002]
    assert data["module"]["name"] == "Bright Pixel Segmenter"


def test_tolerance_is_parsed() -> None:
    spec = validate_spec(spec_with(lambda s: s["methods"]["process"]["output"][0].update(
        tolerance={"atol": 1, "max_mismatch": 0.01})))
    assert spec.method("process").outputs[0].tolerance == Tolerance(atol=1, max_mismatch=0.01)


def test_category_shorthand() -> None:
    spec = validate_spec(spec_with(lambda s: s["methods"]["process"]["output"][1].update(category="measurement")))
    assert spec.method("process").outputs[1].category == Category("measurement")


def test_literal_cases_are_checked_with_int_to_float_coercion() -> None:
    raw = {
        "methods": {"f": {"input": [{"name": "x", "type": "numeric/float"}, {"name": "v", "type": "ndarray/int32/3"}],
                          "output": [{"name": "y", "type": "[numeric/float]"}],
                          "test_cases": [[1, [1, 2, 3], [1, 2.5]]]}},
        "module": {"name": "m"},
    }
    assert validate_spec(raw).method("f").test_cases == ((1, [1, 2, 3], [1, 2.5]),)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda s: s.pop("module"), ["module: missing (a dict with at least 'name')"]),
        (lambda s: s.pop("methods"), ["methods: missing (a dict of method name to its description)"]),
        (lambda s: s.update(methods={}), ["methods: must declare at least one method"]),
        (lambda s: s.update(extra=1), ["extra: unknown key (expected one of methods, module)"]),
        (lambda s: s["module"].update(auther_email="x"), ["module.auther_email: unknown key (did you mean 'author_email'?)"]),
        (lambda s: s["module"].pop("name"), ["module.name: missing (a string is required)"]),
        (lambda s: s["module"].update(name=""), ["module.name: must not be empty"]),
        (lambda s: s["module"].update(version=1), ["module.version: must be a string (got 1, an int)"]),
        (lambda s: s["module"].update(dependencies="numpy"),
         ["module.dependencies: must be a list of strings (got 'numpy', a str)"]),
        (lambda s: s["methods"].update({"not valid": s["methods"]["process"]}),
         ["methods.not valid: method name must be a Python identifier"]),
        (lambda s: s["methods"]["process"].update(inputs=[]),
         ["methods.process.inputs: unknown key (did you mean 'input'?)"]),
        (lambda s: s["methods"]["process"].pop("output"),
         ["methods.process.output: missing (a list of outputs, may be empty)",
          "methods.process.test_cases[0]: has 4 values, expected 2 (2 inputs + 0 outputs: image, threshold)"]),
        (lambda s: s["methods"]["process"]["output"][1].update(type="numerc/int"),
         ["methods.process.output[1].type: unknown main type 'numerc' (did you mean numeric?) (in 'numerc/int')"]),
        (lambda s: s["methods"]["process"]["output"][1].pop("type"),
         ["methods.process.output[1].type: missing (an IO type such as 'numeric/int')"]),
        (lambda s: s["methods"]["process"]["output"][1].pop("name"),
         ["methods.process.output[1].name: missing (a string is required)"]),
        (lambda s: s["methods"]["process"]["output"][1].update(name="mask"),
         ["methods.process.output[1].name: duplicate name 'mask'"]),
        (lambda s: s["methods"]["process"]["output"][0].update(category={"name": "segmentaton"}),
         ["methods.process.output[0].category.name: unknown category 'segmentaton' (expected one of "
          "classification, segmentation, detection, measurement, transformation)"]),
        (lambda s: s["methods"]["process"]["output"][0]["category"].update(unit="m"),
         ["methods.process.output[0].category.unit: unknown key (expected one of name, labels)"]),
        (lambda s: s["methods"]["process"]["output"][0]["category"].update(labels="bg"),
         ["methods.process.output[0].category.labels: must be a list of strings (got 'bg', a str)"]),
        (lambda s: s["methods"]["process"]["input"][1].update(tolerance={"atol": 1}),
         ["methods.process.input[1].tolerance: only outputs take a tolerance"]),
        (lambda s: s["methods"]["process"].update(test_cases=[["rgb.png", 100, "mask.png"]]),
         ["methods.process.test_cases[0]: has 3 values, expected 4 "
          "(2 inputs + 2 outputs: image, threshold, mask, count)"]),
        (lambda s: s["methods"]["process"].update(test_cases=[["rgb.png", "100", "mask.png", 4]]),
         ["methods.process.test_cases[0][1]: 'threshold' must be numeric/int (got '100')"]),
        (lambda s: s["methods"]["process"].update(test_cases=[["rgb.png", 100, "mask.png", 4.5]]),
         ["methods.process.test_cases[0][3]: 'count' must be numeric/int (got 4.5)"]),
        (lambda s: s["methods"]["process"].update(test_cases=[[3, 100, "mask.png", 4]]),
         ["methods.process.test_cases[0][0]: 'image' must be a file name under testdata/ or ndarray/uint8///3 (got 3)"]),
        (lambda s: s["methods"]["process"].update(test_cases="rgb.png"),
         ["methods.process.test_cases: must be a list of test cases (got 'rgb.png', a str)"]),
        (lambda s: s["methods"]["process"].update(test_cases=[["../rgb.png", 100, "mask.png", 4]]),
         ["methods.process.test_cases[0][0]: 'image': file name '../rgb.png' must be relative to testdata/ without '..'"]),
        (lambda s: s["methods"]["process"].update(test_cases=[["rgb.txt", 100, "mask.png", 4]]),
         ["methods.process.test_cases[0][0]: 'image': file 'rgb.txt' has an unknown ending (expected one of "
          ".bmp, .gif, .jpeg, .jpg, .npy, .npz, .png, .tif, .tiff, .webp)"]),
    ],
)
def test_error_problems(change: Any, expected: list[str]) -> None:
    assert problems_of(spec_with(change)) == expected


def test_error_every_problem_is_listed_at_once() -> None:
    def break_many(spec: dict[str, Any]) -> None:
        spec["module"].pop("name")
        spec["methods"]["process"]["input"][0]["type"] = "ndarray/unit8"
        spec["methods"]["process"]["output"][0]["category"] = {"name": "nope"}

    with pytest.raises(SpecError) as info:
        validate_spec(spec_with(break_many))
    assert str(info.value) == (
        "3 problems:\n"
        "  module.name: missing (a string is required)\n"
        "  methods.process.input[0].type: unknown dtype 'unit8' (a numpy dtype name such as uint8, float32) (in 'ndarray/unit8')\n"
        "  methods.process.output[0].category.name: unknown category 'nope' (expected one of "
        "classification, segmentation, detection, measurement, transformation)"
    )


def test_error_missing_test_file(make_module: Any) -> None:
    folder = make_module(files={"rgb.png": __import__("numpy").zeros((2, 2, 3), "uint8")})
    with pytest.raises(SpecError) as info:
        load_spec(folder)
    assert [str(p) for p in info.value.problems] == [
        f"methods.process.test_cases[0][2]: 'mask': file 'mask.png' not found in {folder / 'testdata'}"
    ]
    assert str(info.value).startswith(f"1 problem in {folder / 'specification.py'}:")


def test_error_not_a_dict() -> None:
    assert problems_of([1]) == ["SPEC: must be a dict (got [1], a list)"]


def test_error_no_file(tmp_path: Path) -> None:
    with pytest.raises(SpecError, match="no specification file at"):
        load_spec(tmp_path)


def test_error_no_spec_variable(tmp_path: Path) -> None:
    (tmp_path / "specification.py").write_text("SPECS = {}\n")
    with pytest.raises(SpecError) as info:
        load_spec(tmp_path)
    assert [str(p) for p in info.value.problems] == ["SPEC: missing: the file must define a dict named SPEC"]


def test_error_spec_file_raises(tmp_path: Path) -> None:
    (tmp_path / "specification.py").write_text("SPEC = {'methods': 1/0}\n")
    with pytest.raises(SpecError) as info:
        load_spec(tmp_path)
    assert [str(p) for p in info.value.problems] == [
        "importing the specification failed: ZeroDivisionError: division by zero"
    ]


def test_error_unknown_method() -> None:
    spec = validate_spec(copy.deepcopy(SIMPLE_SPEC))
    with pytest.raises(KeyError, match="no method 'run' in the specification \\(it has: process\\)"):
        spec.method("run")
