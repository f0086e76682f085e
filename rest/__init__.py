"""Flask REST layer serving every method of an analytics module.

``create_app(target)`` builds the app; ``serve_main()`` is the command line behind
``amodule serve`` and ``python -m rest``, and the body of a module's ``rest_service.py``.
Flask is imported only when the app is built, so ``amodule --help`` stays fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .app import create_app
    from .cli import serve_main
    from .config import RestConfig

__all__ = ["create_app", "serve_main", "RestConfig"]

_HOMES = {"create_app": "app", "serve_main": "cli", "RestConfig": "config"}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(f".{home}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(list(globals()) + __all__)
