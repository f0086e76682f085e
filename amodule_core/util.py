"""Helpers for modules written like the original template's ``module.py``.

::

    def test_module():  # collected by ``pytest module.py``
        analytics = create_analytics(sys.modules[__name__])
        analytics.test()
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from .cases import load_cases
from .errors import ModuleLoadError
from .module import Module
from .runner import CaseResult, run_case
from .spec import Spec, load_spec

__all__ = ["Analytics", "create_analytics"]


@dataclass
class Analytics:
    """A module instance with its spec, able to run its own test cases."""

    instance: Module
    spec: Spec

    def run(self) -> list[CaseResult]:
        """Run every test case of every implemented method."""
        return [
            run_case(self.instance, case)
            for case in load_cases(self.spec)
            if callable(getattr(self.instance, case.method.name, None))
        ]

    def test(self) -> None:
        """Run every test case; raise AssertionError listing each failure as pytest would."""
        __tracebackhide__ = True
        failures = [result for result in self.run() if not result.passed]
        if failures:
            text = "\n\n".join(result.message() for result in failures)
            raise AssertionError(f"{len(failures)} test case(s) failed\n\n{text}")


def create_analytics(module_object: ModuleType | Module | type[Module]) -> Analytics:
    """An :class:`Analytics` for a ``module.py`` module object, a Module class or instance."""
    if isinstance(module_object, Module):
        instance = module_object
    elif inspect.isclass(module_object) and issubclass(module_object, Module):
        instance = module_object()
    elif isinstance(module_object, ModuleType):
        classes = [
            obj for obj in vars(module_object).values()
            if inspect.isclass(obj) and issubclass(obj, Module) and obj is not Module
            and obj.__module__ == module_object.__name__
        ]
        if len(classes) != 1:
            found = ", ".join(sorted(c.__name__ for c in classes)) or "none"
            raise ModuleLoadError(f"{module_object.__name__} must define exactly one Module subclass (found: {found})")
        instance = classes[0]()
    else:
        raise TypeError(f"expected a module, a Module class or instance (got {type(module_object).__name__})")
    spec = instance._spec()
    if spec.path is None and getattr(module_object, "__file__", None):
        spec = load_spec(Path(module_object.__file__).parent)
    return Analytics(instance, spec)
