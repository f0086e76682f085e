"""Running cases and the failure text every front end shares."""

from __future__ import annotations

from typing import Any

from amodule_core import load_cases, load_spec
from amodule_core.module import load_module_class
from amodule_core.runner import describe_inputs, run_case

from .conftest import EXAMPLE

WRONG_COUNT = """
    import numpy as np
    from amodule_core import Module
    class OffByOne(Module):
        def process(self, image, threshold):
            mask = (image.mean(axis=2) > threshold).astype(np.uint8) * 255
            return mask, int(np.count_nonzero(mask)) + 1
"""


def test_example_cases_pass() -> None:
    spec = load_spec(EXAMPLE)
    instance = load_module_class(EXAMPLE)()
    results = [run_case(instance, case) for case in load_cases(spec)]
    assert [r.status for r in results] == ["passed"] * 4
    assert all(r.message() == "" and r.duration > 0 for r in results)


def test_describe_inputs() -> None:
    case = load_cases(load_spec(EXAMPLE))[0]
    assert describe_inputs(case) == "image='image.png', threshold=130"


def test_message_of_a_mismatch(make_module: Any) -> None:
    folder = make_module(source=WRONG_COUNT)
    case = load_cases(load_spec(folder))[0]
    result = run_case(load_module_class(folder)(), case)
    assert result.status == "failed"
    lines = result.message().splitlines()
    assert lines[:2] == ["process[0]: 1 of 2 outputs differs", "inputs: image='rgb.png', threshold=100"]
    assert lines[2].startswith("output[1] 'count': ")
    assert "5" in lines[2] and "4" in lines[2]


def test_message_of_an_exception(make_module: Any) -> None:
    folder = make_module(source="""
        from amodule_core import Module
        class Broken(Module):
            def process(self, image, threshold):
                raise RuntimeError("model exploded")
    """)
    case = load_cases(load_spec(folder))[0]
    result = run_case(load_module_class(folder)(), case)
    assert result.status == "error"
    assert result.message() == "process[0]: image='rgb.png', threshold=100\nRuntimeError: model exploded"
