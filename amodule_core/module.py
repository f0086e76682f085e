"""The :class:`Module` base class and finding a module's class beside its spec.

Two styles of subclass work the same:

* template style: ``__init__`` never calls ``Module.__init__``; the spec is the
  ``specification.py`` beside the file that defines the subclass;
* explicit: ``Module.__init__(self, SPEC)`` with the spec dict (or a path, or a Spec).
"""

from __future__ import annotations

import functools
import importlib
import importlib.util
import inspect
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .errors import ModuleLoadError, SpecError, SpecProblem, TypeCheckError
from .spec import MethodSpec, Spec, load_spec, validate_spec

__all__ = ["Module", "load_module_class", "invoke", "outputs_as_tuple"]


class Module:
    """Base class of analytics modules: typed methods described by ``specification.py``."""

    _amodule_spec: Spec | None = None

    def __init__(self, spec: Mapping[str, Any] | Spec | str | Path | None = None) -> None:
        if spec is None:
            self._amodule_spec = _spec_beside(type(self))
        elif isinstance(spec, Spec):
            self._amodule_spec = spec
        elif isinstance(spec, (str, Path)):
            self._amodule_spec = load_spec(spec)
        else:
            self._amodule_spec = validate_spec(spec, root=_class_dir(type(self)))

    def _spec(self) -> Spec:
        spec = self._amodule_spec
        if spec is None:  # a subclass that never called Module.__init__
            spec = _spec_beside(type(self))
            self._amodule_spec = spec
        return spec

    def spec(self, section: str | None = None) -> Any:
        """The spec as written (a dict), or one of its sections (``"methods"``, ``"module"``)."""
        raw = self._spec().raw
        if section is None:
            return raw
        if section not in raw:
            raise KeyError(f"the specification has no section {section!r} (it has: {', '.join(raw)})")
        return raw[section]

    def name(self) -> str:
        """The module's name from ``module.name`` of the spec."""
        return self._spec().name

    def checktype(self, method: str, direction: str, *values: Any) -> None:
        """Check ``values`` against the declared inputs or outputs of ``method``, by position.

        Raises:
            TypeCheckError: a value has the wrong type, or the count of values is wrong.
            KeyError: the spec has no such method.
            ValueError: ``direction`` is not ``"input"`` or ``"output"``.
        """
        method_spec = self._spec().method(method)
        if direction == "input":
            args = method_spec.inputs
        elif direction == "output":
            args = method_spec.outputs
        else:
            raise ValueError(f"direction must be 'input' or 'output' (got {direction!r})")
        if len(values) != len(args):
            names = ", ".join(arg.name for arg in args) or "none"
            raise TypeCheckError(
                f"{method}.{direction}: expected {len(args)} values ({names}), got {len(values)}",
                f"{method}.{direction}",
            )
        for arg, value in zip(args, values):
            arg.type.check(value, arg.label)


def _class_dir(cls: type) -> Path | None:
    try:
        source = inspect.getsourcefile(cls)
    except TypeError:  # defined interactively
        return None
    return Path(source).resolve().parent if source else None


@functools.lru_cache(maxsize=64)
def _spec_beside(cls: type) -> Spec:
    folder = _class_dir(cls)
    if folder is None or not (folder / "specification.py").is_file():
        where = folder if folder is not None else "<unknown>"
        raise SpecError(
            [SpecProblem("", f"{cls.__name__} has no spec: no specification.py in {where} "
                             "(pass the spec to Module.__init__, or put specification.py beside the class)")]
        )
    # The instance needs the declared types, not the test data: missing testdata files
    # (say, ones --amodule-update is about to create) must not stop the module.
    return load_spec(folder, check_files=False)


def outputs_as_tuple(method: MethodSpec, result: Any) -> tuple[Any, ...]:
    """A method's return value as a tuple of outputs: several outputs are returned as a
    tuple (or list), one output as the bare value, none as ``None``.

    Raises:
        TypeCheckError: the count of returned values does not match the spec.
    """
    count = len(method.outputs)
    if count == 1:
        return (result,)
    if count == 0:
        return ()
    if not isinstance(result, (tuple, list)) or len(result) != count:
        names = ", ".join(method.output_names)
        got = f"{len(result)} values" if isinstance(result, (tuple, list)) else f"a {type(result).__name__}"
        raise TypeCheckError(
            f"{method.name} must return a tuple of {count} outputs ({names}), got {got}",
            f"{method.name}.output",
        )
    return tuple(result)


def invoke(instance: object, method: MethodSpec, inputs: tuple[Any, ...] | list[Any]) -> tuple[Any, ...]:
    """Call ``method`` on ``instance`` with ``inputs`` and return its checked outputs.

    Exceptions raised by the method itself propagate unchanged.

    Raises:
        TypeCheckError: the outputs do not match their declared types.
        AttributeError: the instance does not implement the method.
    """
    function = getattr(instance, method.name)
    outputs = outputs_as_tuple(method, function(*inputs))
    for arg, value in zip(method.outputs, outputs):
        arg.type.check(value, arg.label)
    return outputs


def load_module_class(folder: str | Path) -> type[Module]:
    """The one :class:`Module` subclass defined in ``folder/module.py``.

    The folder is imported as its package (``amod_x.module``) when it has an
    ``__init__.py``, so ``from amod_x.analytics import ...`` works whether or not the
    package is installed; otherwise ``module.py`` is imported on its own.

    Raises:
        ModuleLoadError: no module.py, it fails to import, or it defines no or several
            Module subclasses.
    """
    folder = Path(folder).resolve()
    file = folder / "module.py"
    if not file.is_file():
        raise ModuleLoadError(f"no module.py in {folder}")
    python_module = _import_module_file(folder, file)
    classes = sorted(
        (obj for obj in vars(python_module).values()
         if inspect.isclass(obj) and issubclass(obj, Module) and obj is not Module
         and obj.__module__ == python_module.__name__),
        key=lambda cls: cls.__name__,
    )
    if not classes:
        raise ModuleLoadError(f"{file} defines no subclass of amodule_core.Module")
    if len(classes) > 1:
        names = ", ".join(cls.__name__ for cls in classes)
        raise ModuleLoadError(f"{file} defines several Module subclasses ({names}); keep one per module.py")
    return classes[0]


def _import_module_file(folder: Path, file: Path) -> Any:
    try:
        if (folder / "__init__.py").is_file() and folder.name.isidentifier():
            package = folder.name
            existing = sys.modules.get(package)
            if existing is None:
                found = importlib.util.find_spec(package)
                locations = list(found.submodule_search_locations or []) if found else []
                if not any(Path(p).resolve() == folder for p in locations):
                    sys.path.insert(0, str(folder.parent))
                    importlib.invalidate_caches()
            else:
                paths = [Path(p).resolve() for p in getattr(existing, "__path__", [])]
                if folder not in paths:
                    raise ModuleLoadError(
                        f"package {package!r} is already imported from {paths[0] if paths else '?'}, "
                        f"not from {folder}; rename one of them"
                    )
            return importlib.import_module(f"{package}.module")
        name = "_amodule_module_" + format(abs(hash(str(file))), "x")
        if name in sys.modules:
            return sys.modules[name]
        spec = importlib.util.spec_from_file_location(name, file)
        assert spec is not None and spec.loader is not None
        python_module = importlib.util.module_from_spec(spec)
        sys.modules[name] = python_module  # so classes can be pickled and inspected
        spec.loader.exec_module(python_module)
        return python_module
    except ModuleLoadError:
        raise
    except Exception as exc:
        raise ModuleLoadError(f"importing {file} failed: {type(exc).__name__}: {exc}") from exc
