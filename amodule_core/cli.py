"""The ``amodule`` command line.

Subcommands register themselves in :data:`COMMANDS`; each is a pair of functions
``(configure(parser), run(args) -> exit code)``. Heavy imports happen inside ``run``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from .errors import AModuleError

__all__ = ["main", "COMMANDS"]

Configure = Callable[[argparse.ArgumentParser], None]
Run = Callable[[argparse.Namespace], int]


def _configure_check(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("target", help="Module folder (with module.py and specification.py) or package name")


def _run_check(args: argparse.Namespace) -> int:
    from .cases import load_cases
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


def _configure_new(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("name", help="Project name, also its folder (e.g. my-cat-detector)")
    parser.add_argument("--package", metavar="NAME",
                        help="Package name of the module (default: amod_ + the name lower-cased without "
                             "spaces, dashes and underscores)")
    parser.add_argument("--dir", default=".", metavar="PATH", help="Folder to create the project in (default: .)")


def _run_new(args: argparse.Namespace) -> int:
    from .scaffold import ScaffoldError, new_project

    try:
        project = new_project(args.name, package=args.package, parent=args.dir)
    except ScaffoldError as exc:
        print(f"amodule new: {exc}", file=sys.stderr)
        return 1
    shown = _relative(project.folder)
    print(f"created {shown}/ with the module package {project.package} (the bright-pixel example)\n\n"
          f"next:\n  pip install -e {shown}\n  cd {shown} && pytest\n  amodule serve {shown}")
    return 0


def _configure_init(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--name", metavar="PACKAGE",
                        help="New package name (default: amod_ + the folder's name lower-cased without "
                             "spaces, dashes and underscores)")
    parser.add_argument("--dir", default=".", metavar="PATH", help="The copied template folder (default: .)")


def _run_init(args: argparse.Namespace) -> int:
    from .scaffold import ScaffoldError, init_project

    try:
        project = init_project(args.dir, name=args.name)
    except ScaffoldError as exc:
        print(f"amodule init: {exc}", file=sys.stderr)
        return 1
    print(f"renamed amod_template to {project.package} in {_relative(project.folder)}")
    return 0


def _relative(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _configure_run(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("target", help="Module folder (with module.py and specification.py) or package name")
    parser.add_argument("method", help="Method to call, e.g. process")
    parser.add_argument("arguments", nargs=argparse.REMAINDER, metavar="--NAME VALUE",
                        help="The method's inputs by name, e.g. --image photo.png --threshold 130 "
                             "(amodule run TARGET METHOD --help lists them)")
    parser.add_argument("--out", metavar="DIR", help="Write array outputs to DIR (images as PNG, other arrays as .npy)")
    parser.add_argument("--json", action="store_true", help="Print the outputs as the REST API answers them")


def _run_run(args: argparse.Namespace) -> int:
    from .localrun import main_run

    return main_run(args)


COMMANDS: dict[str, tuple[str, Configure, Run]] = {
    "check": ("Validate a module's specification, test data and class", _configure_check, _run_check),
    "serve": ("Serve a module's methods over HTTP (REST API at /api)", _configure_serve, _run_serve),
    "new": ("Create a module project from the template", _configure_new, _run_new),
    "init": ("Rename the template package in a copied template folder", _configure_init, _run_init),
    "run": ("Call a module's method from the command line, without a server", _configure_run, _run_run),
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
