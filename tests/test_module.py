"""The Module base class, its two subclass styles, finding the class, invoking methods."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from amodule_core import Module, ModuleLoadError, SpecError, TypeCheckError, load_spec
from amodule_core.module import invoke, load_module_class, outputs_as_tuple

from .conftest import EXAMPLE, SIMPLE_SPEC


def test_template_style_subclass_finds_its_spec() -> None:
    cls = load_module_class(EXAMPLE)
    module = cls()  # never calls Module.__init__
    assert module.name() == "Bright Pixel Segmenter"
    assert module.spec("module")["version"] == "1.0.0"
    assert set(module.spec()) == {"methods", "module"}
    image = np.zeros((3, 3, 3), np.uint8)
    module.checktype("process", "input", image, 10)
    mask, count = module.process(image, 10)
    assert count == 0 and mask.shape == (3, 3)


def test_explicit_spec_dict() -> None:
    spec = copy.deepcopy(SIMPLE_SPEC)
    del spec["methods"]["process"]["test_cases"]  # its files are not beside this test

    class Explicit(Module):
        def __init__(self) -> None:
            Module.__init__(self, spec)

    module = Explicit()
    assert module.name() == "Tiny Bright"
    module.checktype("process", "output", np.zeros((2, 2), np.uint8), 3)


def test_spec_from_path_and_spec_object() -> None:
    assert Module(EXAMPLE).name() == "Bright Pixel Segmenter"
    spec = load_spec(EXAMPLE)
    assert Module(spec).spec("methods") is spec.raw["methods"]


@pytest.mark.parametrize(
    ("direction", "values", "message"),
    [
        ("input", (np.zeros((3, 3), np.uint8), 1),
         "process.input[0] 'image' must be ndarray/uint8///3 (got <ndarray uint8 (3, 3)>): needs 3 dimensions, has 2"),
        ("input", (np.zeros((3, 3, 3), np.uint8), "1"),
         "process.input[1] 'threshold' must be numeric/int (got '1', a str)"),
        ("input", (np.zeros((3, 3, 3), np.uint8),),
         "process.input: expected 2 values (image, threshold), got 1"),
        ("output", (np.zeros((3, 3), np.uint8), 1.5),
         "process.output[1] '#bright_pixels' must be numeric/int (got 1.5, a float)"),
    ],
)
def test_error_checktype(direction: str, values: tuple[Any, ...], message: str) -> None:
    module = Module(EXAMPLE)
    with pytest.raises(TypeCheckError) as info:
        Module.checktype(module, "process", direction, *values)
    assert str(info.value) == message


def test_error_checktype_bad_direction_and_method() -> None:
    module = Module(EXAMPLE)
    with pytest.raises(ValueError, match="direction must be 'input' or 'output' \\(got 'inputs'\\)"):
        module.checktype("process", "inputs", 1)
    with pytest.raises(KeyError, match="no method 'run'"):
        module.checktype("run", "input")


def test_error_no_spec_beside_class(tmp_path: Path) -> None:
    (tmp_path / "module.py").write_text("from amodule_core import Module\nclass Lonely(Module):\n    pass\n")
    cls = load_module_class(tmp_path)
    with pytest.raises(SpecError, match="Lonely has no spec: no specification.py in"):
        cls().name()


def test_outputs_as_tuple() -> None:
    method = load_spec(EXAMPLE).method("process")
    assert outputs_as_tuple(method, [1, 2]) == (1, 2)
    with pytest.raises(TypeCheckError) as info:
        outputs_as_tuple(method, np.zeros(3))
    assert str(info.value) == "process must return a tuple of 2 outputs (mask, #bright_pixels), got a ndarray"
    with pytest.raises(TypeCheckError, match="got 3 values"):
        outputs_as_tuple(method, (1, 2, 3))


def test_invoke_checks_outputs(make_module: Any) -> None:
    folder = make_module(source="""
        from amodule_core import Module
        class Wrong(Module):
            def process(self, image, threshold):
                return image, 1
    """)
    spec = load_spec(folder)
    instance = load_module_class(folder)()
    with pytest.raises(TypeCheckError, match=r"process.output\[0\] 'mask' must be ndarray/uint8// "):
        invoke(instance, spec.method("process"), (np.zeros((2, 2, 3), np.uint8), 1))


def test_package_folder_imports_as_its_package(make_module: Any) -> None:
    folder = make_module(name="amod_pkgtest", package=True)
    (folder / "helpers.py").write_text("FACTOR = 255\n")
    (folder / "module.py").write_text(
        "import numpy as np\nfrom amodule_core import Module\nfrom amod_pkgtest.helpers import FACTOR\n"
        "class P(Module):\n    def process(self, image, threshold):\n"
        "        mask = (image.mean(axis=2) > threshold).astype(np.uint8) * FACTOR\n"
        "        return mask, int(np.count_nonzero(mask))\n"
    )
    cls = load_module_class(folder)
    assert cls.__module__ == "amod_pkgtest.module"


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("x = 1\n", "defines no subclass of amodule_core.Module"),
        ("from amodule_core import Module\nclass A(Module): pass\nclass B(Module): pass\n",
         "defines several Module subclasses (A, B); keep one per module.py"),
        ("raise RuntimeError('boom')\n", "failed: RuntimeError: boom"),
    ],
)
def test_error_load_module_class(tmp_path: Path, source: str, message: str) -> None:
    (tmp_path / "module.py").write_text(source)
    with pytest.raises(ModuleLoadError, match=message.replace("(", "\\(").replace(")", "\\)")):
        load_module_class(tmp_path)


def test_error_no_module_file(tmp_path: Path) -> None:
    with pytest.raises(ModuleLoadError, match="no module.py in"):
        load_module_class(tmp_path)
