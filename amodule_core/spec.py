"""Load and validate ``specification.py``: methods, their typed inputs/outputs, test cases.

:func:`load_spec` imports a ``specification.py`` (without touching ``sys.modules``, so many
files of the same name never clash), reads its ``SPEC`` dict and validates it. Validation
collects *every* problem with its path and raises one :class:`SpecError` listing them all.
"""

from __future__ import annotations

import difflib
import importlib.util
import keyword
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from .compare import Tolerance
from .errors import IOTypeSyntaxError, SpecError, SpecProblem
from .iotypes import IOType, ListType, NdarrayType, parse_type

__all__ = [
    "CATEGORIES",
    "TESTDATA_SUFFIXES",
    "Category",
    "ArgSpec",
    "MethodSpec",
    "Spec",
    "load_spec",
    "validate_spec",
    "spec_file_for",
]

#: Output categories and the extra keys each accepts.
CATEGORIES: dict[str, frozenset[str]] = {
    "classification": frozenset({"labels"}),
    "segmentation": frozenset({"labels"}),
    "detection": frozenset({"labels"}),
    "measurement": frozenset({"unit"}),
    "transformation": frozenset(),
}

#: File endings a test case may name for an ndarray value (decoded by content, not name).
TESTDATA_SUFFIXES = frozenset(
    {".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp", ".gif", ".webp", ".npy", ".npz"}
)

_TOP_KEYS = ("methods", "module")
_MODULE_KEYS = (
    "name", "description", "version", "author", "author_email", "url", "license",
    "dependencies", "tags",
)
_METHOD_KEYS = ("input", "output", "test_cases", "description")
_ARG_KEYS = ("name", "type", "description", "category", "tolerance")


@dataclass(frozen=True)
class Category:
    """What an output means: ``classification``, ``segmentation``, ``detection``, ..."""

    name: str
    labels: tuple[str, ...] = ()
    unit: str | None = None


@dataclass(frozen=True)
class ArgSpec:
    """One declared input or output of a method."""

    method: str
    direction: str  # "input" | "output"
    index: int
    name: str
    type: IOType
    description: str = ""
    category: Category | None = None
    tolerance: Tolerance | None = None

    @property
    def path(self) -> str:
        """Spec path of this entry, e.g. ``methods.process.output[1]``."""
        return f"methods.{self.method}.{self.direction}[{self.index}]"

    @property
    def label(self) -> str:
        """Short name used in messages: ``process.input[1] 'threshold'``."""
        return f"{self.method}.{self.direction}[{self.index}] {self.name!r}"


@dataclass(frozen=True)
class MethodSpec:
    """A method: its inputs, outputs and raw test-case rows."""

    name: str
    inputs: tuple[ArgSpec, ...]
    outputs: tuple[ArgSpec, ...]
    test_cases: tuple[tuple[Any, ...], ...] = ()
    description: str = ""

    @property
    def input_names(self) -> tuple[str, ...]:
        return tuple(arg.name for arg in self.inputs)

    @property
    def output_names(self) -> tuple[str, ...]:
        return tuple(arg.name for arg in self.outputs)


@dataclass(frozen=True)
class Spec:
    """A validated specification.

    ``raw`` is the ``SPEC`` dict as written; ``path`` the ``specification.py`` it came from
    (``None`` for a dict given directly); ``root`` the module directory that holds
    ``testdata/`` and ``resources/``.
    """

    methods: Mapping[str, MethodSpec]
    module: Mapping[str, Any]
    raw: Mapping[str, Any] = field(repr=False)
    path: Path | None = None
    root: Path | None = None

    @property
    def name(self) -> str:
        return str(self.module.get("name", ""))

    @property
    def testdata_dir(self) -> Path | None:
        return self.root / "testdata" if self.root is not None else None

    def method(self, name: str) -> MethodSpec:
        """The method called ``name``; ``KeyError`` naming the known ones otherwise."""
        try:
            return self.methods[name]
        except KeyError:
            known = ", ".join(self.methods) or "none"
            raise KeyError(f"no method {name!r} in the specification (it has: {known})") from None

    def to_json(self) -> dict[str, Any]:
        """The specification as JSON-able data (test cases included, tuples as lists)."""
        return _jsonable(self.raw)


def spec_file_for(target: str | Path) -> Path:
    """The ``specification.py`` of ``target``: the file itself or the one in a directory."""
    path = Path(target)
    return path / "specification.py" if path.is_dir() else path


def load_spec(path: str | Path, *, check_files: bool = True) -> Spec:
    """Load and validate a ``specification.py`` (or the one in a module directory).

    With ``check_files=False`` file names in test cases are checked for their form only,
    not for existence under ``testdata/`` (a module instance, or ``--amodule-update``
    about to create them, does not need them).

    Raises:
        SpecError: the file is missing, fails to import, has no ``SPEC`` dict, or the
            spec has problems (all of them listed, each with its path).
    """
    spec_file = spec_file_for(path).resolve()
    source = str(spec_file)
    if not spec_file.is_file():
        raise SpecError([SpecProblem("", f"no specification file at {source}")], source)
    raw = _import_spec_dict(spec_file)
    return validate_spec(raw, root=spec_file.parent if check_files else None, path=spec_file)


def _import_spec_dict(spec_file: Path) -> Any:
    source = str(spec_file)
    # A private name per file keeps same-named specs apart and out of sys.modules.
    name = "_amodule_spec_" + format(abs(hash(source)), "x")
    import_spec = importlib.util.spec_from_file_location(name, spec_file)
    if import_spec is None or import_spec.loader is None:
        raise SpecError([SpecProblem("", f"cannot import {source}")], source)
    module = importlib.util.module_from_spec(import_spec)
    try:
        import_spec.loader.exec_module(module)
    except Exception as exc:  # the user's file: report whatever it raised
        message = f"importing the specification failed: {type(exc).__name__}: {exc}"
        raise SpecError([SpecProblem("", message)], source) from exc
    if not hasattr(module, "SPEC"):
        raise SpecError([SpecProblem("SPEC", "missing: the file must define a dict named SPEC")], source)
    return module.SPEC


def validate_spec(raw: Any, *, root: Path | None = None, path: Path | None = None) -> Spec:
    """Validate a ``SPEC`` dict and build a :class:`Spec`.

    ``root`` is the module directory (test-case file names are checked in ``root/testdata``);
    without it, file names are not checked.
    """
    checker = _Checker(root)
    spec = checker.spec(raw, path)
    if checker.problems:
        raise SpecError(checker.problems, str(path) if path else None)
    assert spec is not None  # no problems means a spec was built
    return spec


class _Checker:
    """Walks a raw SPEC, building the typed form and collecting problems."""

    def __init__(self, root: Path | None) -> None:
        self.root = root
        self.problems: list[SpecProblem] = []

    def problem(self, path: str, message: str) -> None:
        self.problems.append(SpecProblem(path, message))

    def keys(self, value: Mapping[str, Any], path: str, allowed: Sequence[str]) -> None:
        prefix = f"{path}." if path else ""
        for key in value:
            if key not in allowed:
                close = difflib.get_close_matches(str(key), allowed, n=1)
                hint = f"did you mean {close[0]!r}?" if close else "expected one of " + ", ".join(allowed)
                where = f"{prefix}{key}" if _dotted(key) else f"{path or 'SPEC'}[{_short(key)}]"
                self.problem(where, f"unknown key ({hint})")

    def mapping(self, value: Any, path: str) -> Mapping[str, Any] | None:
        if isinstance(value, Mapping):
            return value
        self.problem(path, f"must be a dict (got {_kind(value)})")
        return None

    def string(self, holder: Mapping[str, Any], key: str, path: str, *, required: bool) -> str:
        if key not in holder:
            if required:
                self.problem(f"{path}.{key}", "missing (a string is required)")
            return ""
        value = holder[key]
        if not isinstance(value, str):
            self.problem(f"{path}.{key}", f"must be a string (got {_kind(value)})")
            return ""
        if required and not value.strip():
            self.problem(f"{path}.{key}", "must not be empty")
        return value

    # -- sections -----------------------------------------------------------------------

    def spec(self, raw: Any, path: Path | None) -> Spec | None:
        top = self.mapping(raw, "SPEC")
        if top is None:
            return None
        self.keys(top, "", _TOP_KEYS)
        module = self.module(top.get("module"))
        methods: dict[str, MethodSpec] = {}
        raw_methods = top.get("methods")
        if raw_methods is None:
            self.problem("methods", "missing (a dict of method name to its description)")
        elif (checked := self.mapping(raw_methods, "methods")) is not None:
            if not checked:
                self.problem("methods", "must declare at least one method")
            for name, body in checked.items():
                method = self.method(name, body)
                if method is not None:
                    methods[name] = method
        root = self.root if self.root is not None else (path.parent if path else None)
        return Spec(methods=methods, module=dict(module), raw=top, path=path, root=root)

    def module(self, raw: Any) -> Mapping[str, Any]:
        if raw is None:
            self.problem("module", "missing (a dict with at least 'name')")
            return {}
        module = self.mapping(raw, "module")
        if module is None:
            return {}
        self.keys(module, "module", _MODULE_KEYS)
        self.string(module, "name", "module", required=True)
        for key in ("description", "version", "author", "author_email", "url", "license"):
            self.string(module, key, "module", required=False)
        for key in ("dependencies", "tags"):
            if key in module:
                value = module[key]
                if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
                    self.problem(f"module.{key}", f"must be a list of strings (got {_kind(value)})")
        return module

    def method(self, name: Any, raw: Any) -> MethodSpec | None:
        path = f"methods.{name}" if _dotted(name) else f"methods[{_short(name)}]"
        if not isinstance(name, str) or not name.isidentifier() or keyword.iskeyword(name):
            self.problem(path, "method name must be a Python identifier")
            return None
        if name.startswith("_"):
            self.problem(path, "method name must not start with '_' (private methods are not exposed)")
        body = self.mapping(raw, path)
        if body is None:
            return None
        self.keys(body, path, _METHOD_KEYS)
        description = self.string(body, "description", path, required=False)
        inputs = self.args(name, "input", body.get("input"))
        outputs = self.args(name, "output", body.get("output"))
        cases = self.test_cases(name, body.get("test_cases", []), inputs, outputs)
        return MethodSpec(
            name,
            tuple(arg for arg in inputs if arg is not None),
            tuple(arg for arg in outputs if arg is not None),
            cases,
            description,
        )

    def args(self, method: str, direction: str, raw: Any) -> tuple[ArgSpec | None, ...]:
        """The declared arguments, ``None`` in the place of each broken one (so test
        cases are still counted against what the user wrote)."""
        path = f"methods.{method}.{direction}"
        if raw is None:
            self.problem(path, f"missing (a list of {direction}s, may be empty)")
            return ()
        if not isinstance(raw, (list, tuple)):
            self.problem(path, f"must be a list (got {_kind(raw)})")
            return ()
        args: list[ArgSpec | None] = []
        seen: set[str] = set()
        for index, entry in enumerate(raw):
            arg = self.arg(method, direction, index, entry)
            args.append(arg)
            if arg is None:
                continue
            if arg.name in seen:
                self.problem(f"{path}[{index}].name", f"duplicate name {arg.name!r}")
            seen.add(arg.name)
        return tuple(args)

    def arg(self, method: str, direction: str, index: int, raw: Any) -> ArgSpec | None:
        path = f"methods.{method}.{direction}[{index}]"
        entry = self.mapping(raw, path)
        if entry is None:
            return None
        self.keys(entry, path, _ARG_KEYS)
        name = self.string(entry, "name", path, required=True)
        description = self.string(entry, "description", path, required=False)
        iotype: IOType | None = None
        if "type" not in entry:
            self.problem(f"{path}.type", "missing (an IO type such as 'numeric/int')")
        elif not isinstance(entry["type"], str):
            self.problem(f"{path}.type", f"must be a string (got {_kind(entry['type'])})")
        else:
            try:
                iotype = parse_type(entry["type"])
            except IOTypeSyntaxError as exc:
                self.problem(f"{path}.type", f"{exc.reason} (in {entry['type']!r})")
        category = self.category(entry.get("category"), f"{path}.category")
        tolerance = None
        if "tolerance" in entry:
            if direction != "output":
                self.problem(f"{path}.tolerance", "only outputs take a tolerance")
            else:
                try:
                    tolerance = Tolerance.from_spec(entry["tolerance"], f"{path}.tolerance")
                except SpecError as exc:
                    self.problems.extend(exc.problems)
        if iotype is None or not name:
            return None
        return ArgSpec(method, direction, index, name, iotype, description, category, tolerance)

    def category(self, raw: Any, path: str) -> Category | None:
        if raw is None:
            return None
        if isinstance(raw, str):  # shorthand: "category": "measurement"
            raw = {"name": raw}
        entry = self.mapping(raw, path)
        if entry is None:
            return None
        name = entry.get("name")
        if not isinstance(name, str) or name not in CATEGORIES:  # a list is no key of a dict
            names = ", ".join(CATEGORIES)
            self.problem(f"{path}.name", f"unknown category {_short(name)} (expected one of {names})")
            return None
        self.keys(entry, path, ("name", *sorted(CATEGORIES[name])))
        labels: tuple[str, ...] = ()
        if "labels" in entry:
            raw_labels = entry["labels"]
            if not isinstance(raw_labels, (list, tuple)) or not all(isinstance(v, str) for v in raw_labels):
                self.problem(f"{path}.labels", f"must be a list of strings (got {_kind(raw_labels)})")
            else:
                labels = tuple(raw_labels)
        unit = self.string(entry, "unit", path, required=False) or None
        return Category(name, labels, unit)

    def test_cases(
        self, method: str, raw: Any, inputs: tuple[ArgSpec | None, ...], outputs: tuple[ArgSpec | None, ...]
    ) -> tuple[tuple[Any, ...], ...]:
        path = f"methods.{method}.test_cases"
        if not isinstance(raw, (list, tuple)):
            self.problem(path, f"must be a list of test cases (got {_kind(raw)})")
            return ()
        args = inputs + outputs
        rows: list[tuple[Any, ...]] = []
        for index, row in enumerate(raw):
            row_path = f"{path}[{index}]"
            if not isinstance(row, (list, tuple)):
                self.problem(row_path, f"must be a list of values (got {_kind(row)})")
                continue
            if len(row) != len(args):
                names = ", ".join(arg.name if arg else "?" for arg in args)
                self.problem(
                    row_path,
                    f"has {len(row)} values, expected {len(args)} "
                    f"({len(inputs)} inputs + {len(outputs)} outputs: {names})",
                )
                continue
            for position, (arg, value) in enumerate(zip(args, row)):
                if arg is not None:
                    self.case_value(f"{row_path}[{position}]", arg, value)
            rows.append(tuple(row))
        return tuple(rows)

    def case_value(self, path: str, arg: ArgSpec, value: Any) -> None:
        iotype = arg.type
        if isinstance(value, str) and _holds_arrays(iotype):
            self.file_name(path, arg, value)
            return
        if isinstance(iotype, ListType) and isinstance(value, (list, tuple)) and _holds_arrays(iotype.item):
            for i, item in enumerate(value):
                self.case_value(f"{path}[{i}]", _item_arg(arg), item)
            return
        from .cases import coerce_literal  # cases imports this module

        try:
            literal = coerce_literal(value, iotype)
        except (TypeError, ValueError) as exc:
            self.problem(path, f"{arg.name!r}: {exc}")
            return
        if not iotype.accepts(literal):
            what = "a file name under testdata/ or " if _holds_arrays(iotype) else ""
            self.problem(path, f"{arg.name!r} must be {what}{iotype} (got {_short(value)})")

    def file_name(self, path: str, arg: ArgSpec, name: str) -> None:
        pure = PurePosixPath(name.replace("\\", "/"))
        if not name or pure.is_absolute() or ".." in pure.parts:
            self.problem(path, f"{arg.name!r}: file name {name!r} must be relative to testdata/ without '..'")
            return
        if pure.suffix.lower() not in TESTDATA_SUFFIXES:
            known = ", ".join(sorted(TESTDATA_SUFFIXES))
            self.problem(path, f"{arg.name!r}: file {name!r} has an unknown ending (expected one of {known})")
            return
        if self.root is not None and not (self.root / "testdata" / pure).is_file():
            self.problem(path, f"{arg.name!r}: file {name!r} not found in {self.root / 'testdata'}")


def _dotted(key: Any) -> bool:
    """Whether ``key`` reads well in a dotted path; others ('', ' x', 'a\\nb', 1, None) are
    written in brackets, as in ``methods['']``, so that a path is never empty or broken."""
    return isinstance(key, str) and key.isprintable() and key.strip() == key != ""


def _holds_arrays(iotype: IOType) -> bool:
    return isinstance(iotype, NdarrayType)


def _item_arg(arg: ArgSpec) -> ArgSpec:
    assert isinstance(arg.type, ListType)
    return ArgSpec(arg.method, arg.direction, arg.index, arg.name, arg.type.item)


def _kind(value: Any) -> str:
    name = type(value).__name__
    article = "an" if name[:1] in "aeiou" else "a"
    return f"{_short(value)}, {article} {name}"


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _jsonable(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if hasattr(value, "tolist"):  # numpy arrays and scalars written as literals
        return _jsonable(value.tolist())
    return value
