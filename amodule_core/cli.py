"""The ``amodule`` command line.

Subcommands register themselves in :data:`COMMANDS`; each is a pair of functions
``(configure(parser), run(args) -> exit code)``. Heavy imports happen inside ``run``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from .cases import load_cases
from .errors import AModuleError

__all__ = ["main", "COMMANDS"]

Configure = Callable[[argparse.ArgumentParser], None]
Run = Callable[[argparse.Namespace], int]


def _configure_check(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("target", help="Module folder (with module.py and specification.py) or package name")


def _run_check(args: argparse.Namespace) -> int:
    from .target import load_target

    try:
        target = load_target(args.target)
    except AModuleError as exc:
        print(f"amodule check: {args.target}: {exc}", file=sys.stderr)
        return 1
    problems = [
        f"methods.{name}: declared in the specification but {target.cls.__name__} has no method {name!r}"
        for name in target.missing
    ]
    if problems:
        print(f"amodule check: {len(problems)} problem(s) in {target.folder}:", file=sys.stderr)
        for problem in problems:
            print(f"  {problem}", file=sys.stderr)
        return 1
    cases = load_cases(target.spec)
    methods = len(target.spec.methods)
    print(
        f"ok: {target.spec.name} ({target.folder}): {target.cls.__name__}, "
        f"{methods} method{'s' * (methods != 1)}, {len(cases)} test case{'s' * (len(cases) != 1)}"
    )
    return 0


def _configure_serve(parser: argparse.ArgumentParser) -> None:
    from rest.cli import configure_serve  # the REST layer depends on the core, not the reverse

    configure_serve(parser)


def _run_serve(args: argparse.Namespace) -> int:
    from rest.cli import run_serve

    return run_serve(args)


COMMANDS: dict[str, tuple[str, Configure, Run]] = {
    "check": ("Validate a module's specification, test data and class", _configure_check, _run_check),
    "serve": ("Serve a module's methods over HTTP (REST API at /api)", _configure_serve, _run_serve),
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="amodule", description="Wrap analytics code as tested, trusted and servable modules."
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name, (help_text, configure, _) in COMMANDS.items():
        configure(sub.add_parser(name, help=help_text, description=help_text))
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``amodule`` console script."""
    args = build_parser().parse_args(argv)
    return COMMANDS[args.command][2](args)


if __name__ == "__main__":
    raise SystemExit(main())
