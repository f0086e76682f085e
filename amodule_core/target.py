"""Resolve what the user names (a folder, a package name) to a loaded module."""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from pathlib import Path

from .errors import ModuleLoadError
from .module import Module, load_module_class
from .spec import MethodSpec, Spec, load_spec

__all__ = ["Target", "resolve_target", "load_target"]


@dataclass(frozen=True)
class Target:
    """A module folder with its validated spec and its Module subclass."""

    folder: Path
    spec: Spec
    cls: type[Module]

    @property
    def exposed(self) -> dict[str, MethodSpec]:
        """Spec methods the class implements (the ones served and tested)."""
        return {name: m for name, m in self.spec.methods.items() if callable(getattr(self.cls, name, None))}

    @property
    def missing(self) -> list[str]:
        """Spec methods the class does not implement."""
        return [name for name in self.spec.methods if name not in self.exposed]

    def instantiate(self) -> Module:
        """A new instance (the module's constructor may load a model)."""
        return self.cls()


def resolve_target(target: str | Path) -> Path:
    """The module folder for a directory (or a ``specification.py``/``module.py`` in it), a
    project folder holding one module package (as ``amodule new`` makes), or an importable
    package name such as ``amod_brightpixel``.

    Raises:
        ModuleLoadError: neither a folder nor an importable package.
    """
    path = Path(target)
    if path.is_file() and path.name in ("specification.py", "module.py"):
        return path.resolve().parent
    if path.is_dir():
        return _module_in(path.resolve())
    name = str(target)
    if name.replace(".", "").replace("_", "").isalnum():
        try:
            found = importlib.util.find_spec(name)
        except (ImportError, ValueError):
            found = None
        if found is not None and found.submodule_search_locations:
            return Path(list(found.submodule_search_locations)[0]).resolve()
    raise ModuleLoadError(f"{name!r} is neither a module folder nor an importable package")


def _module_in(folder: Path) -> Path:
    """``folder``, or for a project folder (``amodule new``) the one module package in it."""
    if (folder / "specification.py").is_file() or (folder / "module.py").is_file():
        return folder
    inner = sorted(spec.parent for spec in folder.glob("*/specification.py") if (spec.parent / "module.py").is_file())
    if len(inner) > 1:
        names = ", ".join(p.name for p in inner)
        raise ModuleLoadError(f"{str(folder)!r} holds several modules ({names}); name one of them")
    return inner[0] if inner else folder


def load_target(target: str | Path) -> Target:
    """Load the spec (validated) and the Module subclass of ``target``."""
    folder = resolve_target(target)
    spec = load_spec(folder)
    return Target(folder, spec, load_module_class(folder))
