"""amodule core: the Module base class, IO types, specs, test cases, comparison, converters.

The names users import are re-exported here. They are loaded on first use (PEP 562), so
``import amodule_core`` stays cheap for the pytest plugin and the command line.
The function ``compare`` is not re-exported: its name is taken by the submodule
``amodule_core.compare`` (import it as ``from amodule_core.compare import compare``).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .cases import Case, load_cases
    from .compare import Mismatch, Tolerance
    from .errors import (
        AModuleError,
        ConversionError,
        IOTypeSyntaxError,
        LimitExceededError,
        ModuleLoadError,
        RefusedError,
        SpecError,
        TypeCheckError,
    )
    from .iotypes import IOType, parse_type
    from .module import Module
    from .spec import Spec, load_spec

_EXPORTS = {
    "AModuleError": "errors",
    "Case": "cases",
    "ConversionError": "errors",
    "IOType": "iotypes",
    "IOTypeSyntaxError": "errors",
    "LimitExceededError": "errors",
    "Mismatch": "compare",
    "Module": "module",
    "ModuleLoadError": "errors",
    "RefusedError": "errors",
    "Spec": "spec",
    "SpecError": "errors",
    "Tolerance": "compare",
    "TypeCheckError": "errors",
    "load_cases": "cases",
    "load_spec": "spec",
    "parse_type": "iotypes",
}

__all__ = sorted(_EXPORTS)
__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    module_name = _EXPORTS.get(name)
    if module_name is None:
        raise AttributeError(f"module 'amodule_core' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module_name}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
