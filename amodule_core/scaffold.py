"""``amodule new`` and ``amodule init``: a ready module project from the template.

The template (package data ``amodule_core/template/``) is a project whose package is
``amod_template``, holding the bright-pixel example. ``init`` renames that package, and
every reference to it, in a copied template folder; ``new`` copies the template into a
temporary folder beside the target, runs ``init`` there and renames the result into place,
so an error never leaves a half-written project behind.

Dot files are stored in the template as ``dot-gitignore``, ``dot-github/``, ...: packaging
tools skip hidden files, and a ``.gitattributes`` inside amodule's own tree would apply to
amodule's repository.
"""

from __future__ import annotations

import keyword
import os
import re
import secrets
import shutil
import sys
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import AModuleError

if TYPE_CHECKING:
    from importlib.abc import Traversable

__all__ = [
    "ScaffoldError",
    "Project",
    "TEMPLATE_PACKAGE",
    "TEMPLATE_DISTRIBUTION",
    "template_root",
    "package_name_for",
    "distribution_name_for",
    "check_package_name",
    "new_project",
    "init_project",
]

#: The package name of the template, replaced by ``init``.
TEMPLATE_PACKAGE = "amod_template"
#: The distribution (pyproject ``name``) of the template, replaced by ``init``.
TEMPLATE_DISTRIBUTION = "amod-template"

_DOT_PREFIX = "dot-"
_SKIPPED_DIRS = frozenset({".git", "__pycache__", ".pytest_cache", ".venv", "venv", "build", "dist", ".amodule"})
_SKIPPED_SUFFIXES = (".pyc", ".pyo", ".egg-info")
_RESERVED = frozenset({"amodule_core", "pytest_amodule", "rest", "amodule"})
_DISTRIBUTION = re.compile(r"[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?")
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_MAX_TEXT_BYTES = 1 << 20  # larger files are data, never references to rename


class ScaffoldError(AModuleError, ValueError):
    """A project name, package name or folder is not usable; nothing was written."""


@dataclass(frozen=True)
class Project:
    """A project made by :func:`new_project` or renamed by :func:`init_project`."""

    folder: Path
    package: str
    distribution: str

    @property
    def module_folder(self) -> Path:
        """The module package's folder (``module.py``, ``specification.py``, ...)."""
        return self.folder / self.package


def template_root() -> Traversable:
    """The template project shipped as package data of ``amodule_core``."""
    return resources.files("amodule_core").joinpath("template")


def package_name_for(name: str) -> str:
    """``amod_`` + ``name`` lower-cased without spaces, dashes and underscores (a name that
    starts with ``amod-`` or ``amod_`` already is not prefixed twice).

    Raises:
        ScaffoldError: nothing is left, or the result is not a valid package name.
    """
    stem = re.sub(r"[\s_-]+", "", re.sub(r"^amod[\s_-]+", "", name.strip().lower()))
    if not stem:
        raise ScaffoldError(f"cannot make a package name from {name!r}: it has no letters or digits")
    package = f"amod_{stem}"
    if not _IDENTIFIER.fullmatch(package):
        raise ScaffoldError(
            f"cannot make a package name from {name!r}: {package!r} is not a valid Python identifier "
            "(use letters, digits, spaces, dashes and underscores, or choose the name with --package)"
        )
    return package


def distribution_name_for(name: str) -> str:
    """The pyproject ``name`` for a project called ``name``: runs of spaces become ``-``.

    Raises:
        ScaffoldError: the name is empty or has other characters than letters, digits,
            spaces, ``.``, ``-``, ``_``, or does not start and end with a letter or digit.
    """
    distribution = re.sub(r"\s+", "-", name.strip())
    if not distribution:
        raise ScaffoldError("the project name must not be empty")
    if not _DISTRIBUTION.fullmatch(distribution) or not distribution.isascii():
        raise ScaffoldError(
            f"project name {_short(name)} can hold only letters, digits, spaces, '.', '-' and '_', "
            "and must start and end with a letter or digit"
        )
    return distribution


def check_package_name(package: str) -> str:
    """``package`` if it can name the module's package, else a :class:`ScaffoldError`."""
    if not _IDENTIFIER.fullmatch(package) or keyword.iskeyword(package):
        raise ScaffoldError(
            f"package name {_short(package)} is not a valid Python identifier "
            "(letters, digits and underscores, not starting with a digit), e.g. 'amod_mycatdetector'"
        )
    if package in _RESERVED:
        raise ScaffoldError(f"package name {package!r} is taken by amodule itself; choose another, e.g. 'amod_{package}'")
    if package in sys.stdlib_module_names:
        raise ScaffoldError(f"package name {package!r} would shadow the standard library module {package!r}")
    return package


def new_project(name: str, *, package: str | None = None, parent: str | Path = ".") -> Project:
    """Create the project folder ``parent/name`` from the template.

    The package is ``package`` or :func:`package_name_for` ``(name)``; the distribution
    :func:`distribution_name_for` ``(name)``. The project is assembled in a temporary folder
    beside the target and renamed into place at the end.

    Raises:
        ScaffoldError: an invalid name, an existing target, or a missing parent folder.
        OSError: the files cannot be written (nothing is left behind).
    """
    if not name.strip():
        raise ScaffoldError("the project name must not be empty")
    if "/" in name or "\\" in name or name.strip() in (".", ".."):
        raise ScaffoldError(f"project name {_short(name)} must be a folder name, not a path (choose where with --dir)")
    distribution = distribution_name_for(name)
    package = check_package_name(package) if package is not None else check_package_name(package_name_for(name))
    parent_dir = Path(parent).expanduser()
    if not parent_dir.is_dir():
        raise ScaffoldError(f"cannot create the project in {str(parent_dir)!r}: not an existing folder")
    target = parent_dir.resolve() / name.strip()
    if target.exists() or target.is_symlink():
        raise ScaffoldError(f"{str(target)!r} already exists; choose another name or folder (--dir)")
    # Created like any folder (so with the user's umask), under a name nobody else uses.
    staging = target.parent / f".{target.name}.{secrets.token_hex(4)}.amodule-new"
    staging.mkdir()
    try:
        _copy_template(template_root(), staging)
        _rename(staging, package, distribution)
        if target.exists():  # created by someone else meanwhile: never replace it
            raise ScaffoldError(f"{str(target)!r} already exists; choose another name or folder (--dir)")
        os.rename(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return Project(target, package, distribution)


def init_project(folder: str | Path = ".", *, name: str | None = None) -> Project:
    """Rename the template package of a copied template in ``folder`` and every reference to it.

    The new package is ``name`` (a package name such as ``amod_mycatdetector``) or
    :func:`package_name_for` of the folder's name. Template dot files (``dot-gitignore``)
    become real ones (``.gitignore``). Every change is worked out before the first is made.

    Raises:
        ScaffoldError: no template package in ``folder``, an invalid name, or the new
            package folder exists already.
    """
    root = Path(folder).expanduser().resolve()
    if not root.is_dir():
        raise ScaffoldError(f"{str(root)!r} is not a folder")
    if not (root / TEMPLATE_PACKAGE).is_dir():
        raise ScaffoldError(
            f"no {TEMPLATE_PACKAGE} package in {str(root)!r}: amodule init renames the package of a "
            "copied template (to start a new project in one step, use amodule new NAME)"
        )
    package = check_package_name(name if name is not None else package_name_for(root.name))
    try:
        distribution = distribution_name_for(root.name)
    except ScaffoldError:
        distribution = package.replace("_", "-")
    if package != TEMPLATE_PACKAGE and (root / package).exists():
        raise ScaffoldError(f"{str(root / package)!r} already exists; choose another name with --name")
    _rename(root, package, distribution)
    return Project(root, package, distribution)


def _rename(root: Path, package: str, distribution: str) -> None:
    """Apply the renaming in ``root``: compute every edit, then move files, then write."""
    dot_files = [
        (entry, root / ("." + entry.name[len(_DOT_PREFIX):]))
        for entry in sorted(root.iterdir())
        if entry.name.startswith(_DOT_PREFIX)
    ]
    for _, dot in dot_files:
        if dot.exists():
            raise ScaffoldError(f"{str(dot)!r} and the template's {_DOT_PREFIX}{dot.name[1:]} both exist; remove one")
    replacements = {TEMPLATE_PACKAGE: package, TEMPLATE_DISTRIBUTION: distribution}
    edits = []
    for path in _files(root):
        text = _text(path)
        if text is None:
            continue
        new = re.sub("|".join(map(re.escape, replacements)), lambda m: replacements[m.group()], text)
        if new != text:
            edits.append((path.relative_to(root), new))
    for entry, dot in dot_files:
        entry.rename(dot)
    if package != TEMPLATE_PACKAGE:
        (root / TEMPLATE_PACKAGE).rename(root / package)
    for relative, new in edits:
        parts = relative.parts
        if parts[0].startswith(_DOT_PREFIX):
            parts = ("." + parts[0][len(_DOT_PREFIX):], *parts[1:])
        if parts[0] == TEMPLATE_PACKAGE:
            parts = (package, *parts[1:])
        Path(root, *parts).write_text(new, encoding="utf-8")


def _files(root: Path) -> list[Path]:
    """Files under ``root`` that may hold references, sorted; caches and VCS data skipped."""
    found = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in _SKIPPED_DIRS and not d.endswith(_SKIPPED_SUFFIXES))
        found += [Path(folder, f) for f in sorted(files) if not f.endswith(_SKIPPED_SUFFIXES)]
    return found


def _text(path: Path) -> str | None:
    """The file's text when it is UTF-8 text (not binary, not huge), else None."""
    if path.is_symlink() or path.stat().st_size > _MAX_TEXT_BYTES:
        return None
    data = path.read_bytes()
    if b"\0" in data:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _copy_template(source: Traversable, target: Path) -> None:
    """Copy the template tree (any Traversable, also inside a zip) without caches."""
    for entry in sorted(source.iterdir(), key=lambda e: e.name):
        if entry.name in _SKIPPED_DIRS or entry.name.endswith(_SKIPPED_SUFFIXES):
            continue
        if entry.is_dir():
            (target / entry.name).mkdir()
            _copy_template(entry, target / entry.name)
        else:
            (target / entry.name).write_bytes(entry.read_bytes())


def _short(text: str, limit: int = 60) -> str:
    shown = repr(text)
    return shown if len(shown) <= limit else shown[: limit - 4] + "...'"
