"""The test-case loader: file resolution, lazy cached decoding, literal coercion."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from amodule_core import SpecError, load_cases, load_spec
from amodule_core.cases import clear_testdata_cache, coerce_literal, load_testdata_file
from amodule_core.iotypes import parse_type
from amodule_core.spec import validate_spec

from .conftest import EXAMPLE, SIMPLE_SPEC, tiny_image


def test_example_cases() -> None:
    cases = load_cases(load_spec(EXAMPLE))
    assert [case.id for case in cases] == ["process[0]", "process[1]", "process[2]", "process[3]"]
    first = cases[0]
    image, threshold = first.inputs
    assert image.shape == (254, 426, 3) and image.dtype == np.uint8
    assert threshold == 130
    mask, count = first.expected
    assert mask.shape == (254, 426) and count == 16002
    assert first.input_sources == ("image.png", None)
    assert first.expected_sources == ("mask_130.png", None)
    assert first.output_files() == {0: EXAMPLE / "testdata" / "mask_130.png"}
    assert first.path == "methods.process.test_cases[0]"


def test_files_are_decoded_once_and_shared(make_module: Any) -> None:
    clear_testdata_cache()
    spec = load_spec(make_module())
    first, again = load_cases(spec) + load_cases(spec)
    assert first.expected[0] is again.expected[0]  # one decode, one cached array
    assert not first.expected[0].flags.writeable


def test_inputs_are_fresh_writable_copies(make_module: Any) -> None:
    case = load_cases(load_spec(make_module()))[0]
    image = case.inputs[0]
    image[:] = 0  # a module may change its input in place ...
    assert np.array_equal(case.inputs[0], tiny_image())  # ... without touching the next run


def test_cache_notices_a_changed_file(make_module: Any) -> None:
    folder = make_module()
    path = folder / "testdata" / "mask.png"
    before = load_testdata_file(path)
    from PIL import Image

    Image.fromarray(np.full((4, 5), 7, np.uint8)).save(path)
    import os

    os.utime(path, ns=(1, 1))  # a different mtime even on coarse clocks
    assert not np.array_equal(load_testdata_file(path), before)


def test_npy_and_list_of_files(tmp_path: Path) -> None:
    (tmp_path / "testdata").mkdir()
    np.save(tmp_path / "testdata" / "a.npy", np.arange(6, dtype=np.float32).reshape(2, 3))
    np.save(tmp_path / "testdata" / "b.npy", np.ones((2, 3), np.float32))
    raw = {
        "methods": {"stack": {
            "input": [{"name": "arrays", "type": "[ndarray/float32//]"}],
            "output": [{"name": "total", "type": "numeric/float"}],
            "test_cases": [[["a.npy", "b.npy"], 21]],
        }},
        "module": {"name": "npy"},
    }
    case = load_cases(validate_spec(raw, root=tmp_path))[0]
    arrays = case.inputs[0]
    assert [a.dtype for a in arrays] == [np.float32, np.float32]
    assert case.expected == (21.0,) and isinstance(case.expected[0], float)
    assert case.input_sources == (["a.npy", "b.npy"],)


def test_methods_filter() -> None:
    spec = validate_spec(copy.deepcopy(SIMPLE_SPEC))
    assert load_cases(spec, methods=["other"]) == []


def test_error_undecodable_file(make_module: Any) -> None:
    folder = make_module()
    (folder / "testdata" / "rgb.png").write_bytes(b"not a png at all")
    case = load_cases(load_spec(folder))[0]
    with pytest.raises(SpecError) as info:
        case.inputs
    assert str(info.value.problems[0]).startswith("methods.process.test_cases[0][0]: file 'rgb.png' cannot be decoded: ")


@pytest.mark.parametrize(
    ("value", "text", "expected"),
    [
        (3, "numeric/float", 3.0),
        (3, "numeric", 3),
        (True, "numeric/float", True),  # bools are left for the type check to refuse
        ([1, 2], "[numeric/float]", [1.0, 2.0]),
        ([[1, 2]], "[[numeric/float]]", [[1.0, 2.0]]),
        ("x", "text", "x"),
    ],
)
def test_coerce_literal(value: Any, text: str, expected: Any) -> None:
    result = coerce_literal(value, parse_type(text))
    assert result == expected and type(result) is type(expected)


def test_coerce_literal_array() -> None:
    array = coerce_literal([[1, 2], [3, 4]], parse_type("ndarray/uint8//"))
    assert array.dtype == np.uint8 and array.shape == (2, 2)


def test_error_coerce_ragged_array() -> None:
    with pytest.raises(ValueError, match="cannot make ndarray/float64 from"):
        coerce_literal([[1, 2], [3]], parse_type("ndarray/float64"))
