"""``python -m rest TARGET [options]``: the same as ``amodule serve``."""

from __future__ import annotations

from .cli import serve_main

__all__: list[str] = []

if __name__ == "__main__":
    raise SystemExit(serve_main(prog="python -m rest"))
