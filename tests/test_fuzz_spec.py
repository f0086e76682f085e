"""Fuzz tests of spec validation (amodule_core.spec.validate_spec) on mutated specs.

Starting from real specs (the three examples, the tests' SIMPLE_SPEC and the REST tests'
all-types spec), 1 to 4 mutations change keys (dropped, added, renamed, not strings),
values (any kind: None, numbers, NaN, bytes, sets, odd strings, type-like strings),
container kinds (dict <-> list <-> tuple), lengths (items dropped or repeated) and nesting
(a value wrapped in a list or dict, or replaced by its own child). Validation must either
give a Spec or raise :class:`SpecError`, never anything else, and every problem must have a
non-empty path and a short message. (The only path-less problems are the file-level ones of
``load_spec``: no file, an import that fails; those are tested in tests/test_spec.py.)

Validated both without a module folder and against the example's folder (file names in
test cases looked up in testdata/). Example counts: 800 in CI (fixed seed);
``AMODULE_FUZZ_EXAMPLES=N`` runs N.
"""

from __future__ import annotations

import copy
import math
import runpy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from amodule_core.errors import SpecError, SpecProblem
from amodule_core.spec import Spec, validate_spec

from .conftest import REPO, SIMPLE_SPEC
from .fuzz_strategies import bounded, examples
from .rest_modules import TYPES_SPEC

EXAMPLES = REPO / "example"
#: (name, raw spec, module folder whose testdata/ the spec's file names are in, or None)
BASES: list[tuple[str, Any, Path | None]] = [
    ("simple", SIMPLE_SPEC, None),
    ("types", TYPES_SPEC, None),
    *[(folder.name, runpy.run_path(str(folder / "specification.py"))["SPEC"], folder)
      for folder in sorted(EXAMPLES.glob("amod_*"))],
]
_DELETE = object()

_WORDS = ["methods", "module", "name", "type", "input", "output", "test_cases", "description",
          "category", "tolerance", "labels", "unit", "atol", "rtol", "max_mismatch", "version",
          "dependencies", "tags", "process", "_private", "class", "9lives", "", " ", "naem"]
_TYPE_TEXTS = ["numeric", "numeric/int", "numeric/float", "text", "boolean", "annotation",
               "ndarray", "ndarray/uint8///3", "ndarray/image", "[numeric]", "[ndarray/uint8//]",
               "numerc", "ndarray/object", "[[text]]", "[]", "ndarray/uint8/-1", "image.png",
               "measurement", "segmentation", "x.npy", "../up.png", "/abs.png", "a.txt"]
junk = st.recursive(
    st.one_of(
        st.none(), st.booleans(), st.integers(), st.integers(-2, 300), st.floats(),
        st.sampled_from([math.nan, math.inf, -0.0, 1e308, 10**400, 3 + 4j, b"bytes", ..., frozenset({1})]),
        st.text(max_size=12), st.sampled_from(_WORDS + _TYPE_TEXTS),
    ),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.lists(inner, max_size=4).map(tuple),
        st.dictionaries(st.one_of(st.sampled_from(_WORDS), st.text(max_size=5), st.integers(), st.none()),
                        inner, max_size=4),
        st.sets(st.integers(), max_size=3),
    ),
    max_leaves=8,
)
keys = st.one_of(st.sampled_from(_WORDS), st.text(max_size=8), st.sampled_from(["\n", "a\tb", "x" * 300]),
                 st.integers(-1, 3), st.none(),
                 st.just(("tuple", "key")), st.floats(allow_nan=True), st.just(b"name"))


def _nodes(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[tuple[Any, ...], Any]]:
    """Every node of a spec with its path (keys and indexes from the top)."""
    found = [(path, value)]
    if isinstance(value, dict):
        for key, child in value.items():
            found += _nodes(child, (*path, key))
    elif isinstance(value, (list, tuple)):
        for index, child in enumerate(value):
            found += _nodes(child, (*path, index))
    return found


def _update(node: Any, path: tuple[Any, ...], change: Callable[[Any], Any]) -> Any:
    """A copy of ``node`` with ``change`` applied at ``path`` (the originals stay as they are);
    ``change`` may return ``_DELETE`` to drop the key or item."""
    if not path:
        return change(node)
    head, rest = path[0], path[1:]
    if isinstance(node, dict):
        mapping = dict(node)
        new = _update(node[head], rest, change)
        if new is _DELETE:
            del mapping[head]
        else:
            mapping[head] = new
        return mapping
    items = list(node)
    new = _update(items[head], rest, change)
    if new is _DELETE:
        del items[head]
    else:
        items[head] = new
    return type(node)(items)


@st.composite
def _change(draw: st.DrawFn, value: Any) -> Any:
    """One change of ``value``: replaced, dropped, its kind or nesting or length changed."""
    kinds = ["junk", "delete", "wrap_list", "wrap_dict", "stringify"]
    if isinstance(value, dict):
        kinds += ["add_key", "rename_key", "to_list", "to_items", "unwrap", "empty"]
    if isinstance(value, (list, tuple)):
        kinds += ["duplicate", "drop_item", "to_tuple_or_list", "to_dict", "unwrap", "empty", "append"]
    kind = draw(st.sampled_from(kinds))
    if kind == "junk":
        return draw(junk)
    if kind == "delete":
        return _DELETE
    if kind == "wrap_list":
        return [value]
    if kind == "wrap_dict":
        return {draw(keys): value}
    if kind == "stringify":
        return str(value)[:200]
    if kind == "empty":
        return type(value)()
    if kind == "unwrap":
        children = list(value.values()) if isinstance(value, dict) else list(value)
        return draw(st.sampled_from(children)) if children else None
    if isinstance(value, dict):
        if kind == "add_key":
            return {**value, draw(keys): draw(junk)}
        if kind == "rename_key" and value:
            old = draw(st.sampled_from(list(value)))
            renamed = {k: v for k, v in value.items() if k != old}
            renamed[draw(keys)] = value[old]
            return renamed
        if kind == "to_list":
            return list(value.values())
        return list(value.items())  # to_items (and rename_key of an empty dict)
    items = list(value)
    if kind == "duplicate" and items:
        at = draw(st.integers(0, len(items) - 1))
        return type(value)(items[:at + 1] + items[at:])
    if kind == "drop_item" and items:
        del items[draw(st.integers(0, len(items) - 1))]
        return type(value)(items)
    if kind == "to_tuple_or_list":
        return items if isinstance(value, tuple) else tuple(items)
    if kind == "to_dict":
        return dict(enumerate(items))
    return type(value)([*items, draw(junk)])  # append


@st.composite
def mutated_specs(draw: st.DrawFn) -> tuple[str, Any, Path | None]:
    """``(base name, mutated spec, folder)``: a base spec with 1 to 4 mutations."""
    name, spec, folder = draw(st.sampled_from(BASES))
    for _ in range(draw(st.integers(1, 4))):
        nodes = _nodes(spec)
        path, value = draw(st.sampled_from(nodes))
        new = draw(_change(value))
        if new is _DELETE and not path:
            new = None
        spec = _update(spec, path, lambda _: new)
    return name, spec, folder


def _validate(raw: Any, root: Path | None) -> Spec | None:
    with bounded("validate_spec", memory=None):
        try:
            return validate_spec(raw, root=root)
        except SpecError as exc:
            assert exc.problems, "a SpecError without problems"
            for problem in exc.problems:
                assert isinstance(problem, SpecProblem)
                assert isinstance(problem.path, str) and problem.path.strip(), f"no path: {problem}"
                assert isinstance(problem.message, str) and problem.message.strip()
                assert len(problem.message) <= 400, f"long message: {problem.message[:500]}"
            assert str(exc).count("\n") == len(exc.problems)
            return None


@settings(max_examples=examples(800))
@given(mutated_specs())
@example(("simple", {"": 1, "methods": {"process": {}}}, None))
@example(("simple", {"methods": {"": {"input": [], "output": []}}, "module": {"name": "x"}}, None))
@example(("simple", {"methods": {"\n": {"input": [], "output": []}}, "module": {"name": "x"}}, None))
def test_fuzz_mutated_specs_give_spec_errors_with_paths(mutated: tuple[str, Any, Path | None]) -> None:
    name, raw, folder = mutated
    spec = _validate(raw, None)
    if folder is not None:
        checked = _validate(raw, folder)
        assert (checked is None) >= (spec is None)  # files checked: only more problems
    if spec is not None:
        assert isinstance(spec, Spec) and spec.methods


@pytest.mark.parametrize("name, raw, folder", BASES, ids=[base[0] for base in BASES])
def test_bases_are_valid(name: str, raw: Any, folder: Path | None) -> None:
    """Each base is valid as it is: what the mutations find is theirs."""
    assert validate_spec(raw, root=folder).methods


# --- what fuzzing found (exact messages) ------------------------------------------------------

def _problems(raw: Any) -> list[str]:
    with pytest.raises(SpecError) as info:
        validate_spec(raw)
    return [str(problem) for problem in info.value.problems]


def _simple(change: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    spec = copy.deepcopy(SIMPLE_SPEC)
    change(spec)
    return spec


@pytest.mark.parametrize("change, expected", [
    (lambda s: s.update({"": 1}), "SPEC['']: unknown key (expected one of methods, module)"),
    (lambda s: s.update({" methods": 1}), "SPEC[' methods']: unknown key (did you mean 'methods'?)"),
    (lambda s: s["module"].update({None: 1}), "module[None]: unknown key (expected one of name, "
     "description, version, author, author_email, url, license, dependencies, tags)"),
    (lambda s: s["methods"]["process"].update({3: 1}), "methods.process[3]: unknown key (expected one "
     "of input, output, test_cases, description)"),
    (lambda s: s["methods"].update({"\n": {"input": [], "output": []}}),
     "methods['\\n']: method name must be a Python identifier"),
    (lambda s: s["methods"].update({"": {"input": [], "output": []}}),
     "methods['']: method name must be a Python identifier"),
    (lambda s: s["methods"]["process"]["output"][1].update(tolerance={"a\nb": 1, 2: 1}),
     "methods.process.output[1].tolerance['a\\nb']: unknown key 'a\\nb' (expected atol, rtol or max_mismatch)"),
])
def test_error_names_that_a_dotted_path_cannot_show(change: Any, expected: str) -> None:
    """Found by fuzzing: the key '' at the top gave a problem with an empty path, and a
    method named '\\n' broke the one-problem-a-line message."""
    problems = _problems(_simple(change))
    assert problems[0] == expected
    assert all("\n" not in problem for problem in problems)


@pytest.mark.parametrize("name, shown", [(["segmentation"], "['segmentation']"), ({"a": 1}, "{'a': 1}"),
                                         (None, "None"), ("x" * 100, "'" + "x" * 56 + "...")])
def test_error_category_name_of_any_kind(name: Any, shown: str) -> None:
    """Found by fuzzing: a list as the category name raised TypeError (unhashable)."""
    spec = _simple(lambda s: s["methods"]["process"]["output"][0]["category"].update(name=name))
    assert _problems(spec) == [f"methods.process.output[0].category.name: unknown category {shown} "
                               "(expected one of classification, segmentation, detection, measurement, "
                               "transformation)"]
