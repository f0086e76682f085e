"""The loaded module behind an app: its spec, its one instance, and a table of its methods.

Everything that does not depend on a request is done here once, at start-up: loading the
spec and class, instantiating the module, building the fetcher and the limits, and one
:class:`MethodEntry` per exposed method (argument lookup, example query, output types).
Views reach it through :func:`get_service`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import current_app

from amodule_core.errors import AModuleError, ModuleLoadError
from amodule_core.iotypes import ListType, NdarrayType
from amodule_core.module import Module, invoke
from amodule_core.spec import ArgSpec, MethodSpec, Spec
from amodule_core.target import load_target

from .cache import ResultCache
from .config import RestConfig
from .errors import MethodNotFound, ModuleFault

__all__ = ["Service", "MethodEntry", "ArgEntry", "get_service", "EXTENSION_KEY"]

EXTENSION_KEY = "amodule"


@dataclass(frozen=True)
class ArgEntry:
    """An input of a method with what conversion needs to know, computed once."""

    spec: ArgSpec
    is_list: bool
    holds_arrays: bool  # an ndarray or a list of ndarrays: uploads and URLs allowed

    @property
    def name(self) -> str:
        return self.spec.name


@dataclass(frozen=True)
class MethodEntry:
    """An exposed method: its spec, the bound function and its inputs by name."""

    spec: MethodSpec
    function: Callable[..., Any]
    args: dict[str, ArgEntry]
    example_query: str

    @property
    def name(self) -> str:
        return self.spec.name

    def describe(self) -> str:
        """``process(image: ndarray/uint8///3, threshold: numeric/int)``."""
        params = ", ".join(f"{a.name}: {a.type}" for a in self.spec.inputs)
        return f"{self.name}({params})"


class Service:
    """A module ready to serve: its spec, one instance, its exposed methods, the cache."""

    def __init__(self, target: str | Path | Module, config: RestConfig) -> None:
        """Load ``target`` and instantiate it once.

        Raises:
            ModuleLoadError: the target cannot be found or imported, or its constructor fails.
            SpecError: its specification has problems.
        """
        self.config = config
        if isinstance(target, Module):
            self.instance = target
            self.cls: type[Module] = type(target)
            self.spec: Spec = target._spec()
            self.folder: Path | None = self.spec.root
        else:
            loaded = load_target(target)
            self.cls, self.spec, self.folder = loaded.cls, loaded.spec, loaded.folder
            self.instance = _instantiate(self.cls)
        self.methods: dict[str, MethodEntry] = {}
        self.missing: list[str] = []
        for name, method in self.spec.methods.items():
            function = getattr(self.instance, name, None)
            if callable(function):
                self.methods[name] = _method_entry(method, function)
            else:
                self.missing.append(name)
        self.cache = ResultCache(config.cache_size)
        # Imported here so that the converters load with the app, not with `rest`.
        from .inputs import Converter

        self.converter = Converter(config)

    @property
    def name(self) -> str:
        return self.spec.name

    def method(self, name: str) -> MethodEntry:
        """The exposed method ``name``.

        Raises:
            MethodNotFound: no such exposed method (a 404 whose message says why).
        """
        entry = self.methods.get(name)
        if entry is not None:
            return entry
        served = ", ".join(self.methods) or "none"
        if name in self.missing:
            raise MethodNotFound(
                name,
                f"method {name!r} is declared in the specification but {self.cls.__name__} does not "
                f"implement it (this module serves: {served})"
            )
        raise MethodNotFound(name, f"no method {_short(name)} (this module serves: {served})")

    def call(self, entry: MethodEntry, inputs: tuple[Any, ...]) -> tuple[Any, ...]:
        """Run ``entry`` with converted ``inputs``; its checked outputs as a tuple.

        Raises:
            ModuleFault: the module's code raised, or returned values of the wrong type.
        """
        try:
            return invoke(self.instance, entry.spec, inputs)
        except Exception as exc:  # whatever the module's code raises is its fault: a 500
            raise ModuleFault(entry.name, exc) from exc


def _instantiate(cls: type[Module]) -> Module:
    try:
        return cls()
    except AModuleError:
        raise
    except Exception as exc:
        raise ModuleLoadError(f"creating {cls.__name__}() failed: {type(exc).__name__}: {exc}") from exc


def _method_entry(method: MethodSpec, function: Callable[..., Any]) -> MethodEntry:
    args = {}
    for arg in method.inputs:
        iotype = arg.type
        is_list = isinstance(iotype, ListType)
        item = iotype.item if isinstance(iotype, ListType) else iotype
        args[arg.name] = ArgEntry(arg, is_list, isinstance(item, NdarrayType))
    query = "&".join(f"{arg.name}={arg.type}" for arg in method.inputs)
    return MethodEntry(method, function, args, query)


def _short(text: str, limit: int = 60) -> str:
    shown = repr(text)
    return shown if len(shown) <= limit else shown[: limit - 4] + "...'"


def get_service() -> Service:
    """The :class:`Service` of the current Flask app."""
    return current_app.extensions[EXTENSION_KEY]  # type: ignore[no-any-return]
