"""The web pages: ``/api/test`` runs the spec's test cases, ``/api/debug`` tries your own inputs.

Server-rendered Jinja templates (autoescaped) plus plain JavaScript and CSS from ``static/``;
nothing is fetched from the internet. The test page drives a JSON twin that machines may
call too:

- ``GET /api/test/cases``: every test case of every exposed method, inputs and expectations;
- ``POST /api/test/run/<method>/<index>``: run one case, with the same status and message
  as the pytest plugin (both use :func:`amodule_core.runner.run_case`), obtained and
  expected outputs encoded as ``/api/run`` encodes them, and a diff picture per image output.

Test-data files are served for previews: ``GET /api/testdata`` lists them and
``GET /api/testdata/<name>[?size=N]`` gives a file, or a PNG preview at most N pixels wide
and high.
"""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
from flask import Blueprint, Response, render_template, request, send_file, url_for
from werkzeug.exceptions import BadRequest, NotFound

from amodule_core.cases import Case, load_cases, load_testdata_file
from amodule_core.compare import Mismatch
from amodule_core.convert import encode_png, encode_png_data_url, to_json
from amodule_core.errors import AModuleError
from amodule_core.iotypes import IOType, ListType, NdarrayType, summarize
from amodule_core.runner import CaseResult, run_case
from amodule_core.spec import TESTDATA_SUFFIXES, ArgSpec, MethodSpec

from .errors import json_response
from .service import Service, get_service

__all__ = ["bp", "arg_info", "case_info", "result_info", "CaseNotFound", "DataFileNotFound"]

bp = Blueprint(
    "pages", __name__, template_folder="templates", static_folder="static",
    static_url_path="/api/pages/static",
)

THUMBNAIL_SIZE = 160  # pixels, the longer side of a listed test-data file's picture
MAX_PREVIEW_SIZE = 4096
MAX_LISTED_FILES = 500  # test-data files offered by the debug page's picker
_TINY = 64  # previews of pictures smaller than this are enlarged by a whole factor
_TEXT_WIDTH = 80  # literals longer than this are shown by their summary


class CaseNotFound(NotFound):
    """A 404 for a test case that does not exist; ``path`` names its method."""

    def __init__(self, method: str, description: str) -> None:
        super().__init__(description)
        self.path = summarize(method).strip("'")


class DataFileNotFound(NotFound):
    """A 404 for a test-data file that is not served; ``path`` is the name asked for."""

    def __init__(self, name: str, description: str) -> None:
        super().__init__(description)
        self.path = summarize(name).strip("'")


# ---------------------------------------------------------------- describing the spec

def _kind(iotype: IOType) -> str:
    """The form widget an input of ``iotype`` gets on the debug page."""
    if isinstance(iotype, ListType):
        return "array_list" if isinstance(iotype.item, NdarrayType) else "list"
    if iotype.kind == "numeric":
        return "int" if getattr(iotype, "sub", None) == "int" else "number"
    return {"ndarray": "array", "boolean": "bool", "text": "text"}.get(iotype.kind, "json")


def arg_info(arg: ArgSpec) -> dict[str, Any]:
    """An input or output as the pages and the JSON twin show it."""
    category = None
    if arg.category is not None:
        category = {"name": arg.category.name, "labels": list(arg.category.labels), "unit": arg.category.unit}
    return {"name": arg.name, "type": str(arg.type), "description": arg.description, "category": category}


def _method_info(method: MethodSpec) -> dict[str, Any]:
    return {
        "name": method.name, "description": method.description,
        "inputs": [{**arg_info(a), "widget": _kind(a.type)} for a in method.inputs],
        "outputs": [arg_info(a) for a in method.outputs],
        "run_url": url_for("run.run", method=method.name),  # the REST layer's /api/run/<method>
    }


def _example(method: MethodSpec) -> dict[str, Any]:
    """Form values from the first test case, for the inputs that are not arrays."""
    if not method.test_cases:
        return {}
    example: dict[str, Any] = {}
    for arg, value in zip(method.inputs, method.test_cases[0]):
        widget = _kind(arg.type)
        if widget == "list" and isinstance(value, (list, tuple)):
            example[arg.name] = ",".join(str(_plain(v)) for v in value)
        elif widget == "json":
            example[arg.name] = json.dumps(_plain(value))
        elif widget in ("int", "number", "text", "bool"):
            example[arg.name] = _plain(value)
    return example


def _module_info(service: Service) -> dict[str, Any]:
    module = service.spec.module
    return {
        "name": service.name, "description": str(module.get("description", "")),
        "version": str(module.get("version", "")), "missing": list(service.missing),
    }


def _plain(value: Any) -> Any:
    """JSON-able data: tuples as lists, numpy scalars as Python ones, NaN and infinities as text."""
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)  # "nan", "inf", "-inf", as /api/run writes them
    if isinstance(value, np.generic):
        return _plain(value.item())
    if isinstance(value, np.ndarray):
        return _plain(value.tolist())
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return value


def _slot(arg: ArgSpec, raw: Any, source: Any) -> dict[str, Any]:
    """One input or expected output of a case: test-data files, or a literal and its text."""
    names = [source] if isinstance(source, str) else [s for s in source or () if isinstance(s, str)]
    files = [_file_info(name) for name in names]
    if files and isinstance(source, str):
        text = source
    else:
        shown = json.dumps(_plain(raw), ensure_ascii=False)
        text = shown if len(shown) <= _TEXT_WIDTH else summarize(raw)
    return {"name": arg.name, "type": str(arg.type), "files": files, "text": text,
            "value": None if files else _plain(raw)}


def case_info(case: Case) -> dict[str, Any]:
    """A case as listed: its id, run URL, inputs and expected outputs (nothing is decoded)."""
    n = len(case.method.inputs)
    return {
        "id": case.id, "method": case.method.name, "index": case.index,
        "run_url": url_for("pages.run_test", method=case.method.name, index=case.index),
        "inputs": [_slot(a, r, s) for a, r, s in zip(case.method.inputs, case.raw[:n], case.input_sources)],
        "expected": [_slot(a, r, s) for a, r, s in zip(case.method.outputs, case.raw[n:], case.expected_sources)],
    }


# ---------------------------------------------------------------- running a case

def _encode(value: Any, iotype: IOType) -> Any:
    try:
        return _plain(to_json(value, iotype))
    except (AModuleError, TypeError, ValueError):  # e.g. an object array: never pickled
        return summarize(value)


def _same_array(a: Any, b: Any) -> bool:
    return (isinstance(a, np.ndarray) and isinstance(b, np.ndarray) and a.dtype == b.dtype
            and a.shape == b.shape and bool(np.array_equal(a, b)))


def _input_shapes(case: Case) -> dict[str, list[int]]:
    """Shapes of the input arrays read from test data (from the decoded-file cache)."""
    shapes: dict[str, list[int]] = {}
    if case.testdata_dir is None:
        return shapes
    for arg, source in zip(case.method.inputs, case.input_sources):
        if isinstance(source, str):
            try:
                shapes[arg.name] = list(load_testdata_file(case.testdata_dir / source).shape)
            except (OSError, AModuleError):
                pass  # the run itself reports the broken file
    return shapes


def result_info(result: CaseResult) -> dict[str, Any]:
    """What running a case gave, as JSON: status and message as pytest gives them, and per
    output the obtained and expected value, the mismatch message and a diff picture."""
    case = result.case
    try:
        expected: tuple[Any, ...] | None = case.expected
    except (AModuleError, OSError):
        expected = None
    diffs = {diff.arg.index: diff.mismatch for diff in result.diffs}
    outputs = []
    for i, arg in enumerate(case.method.outputs):
        mismatch: Mismatch | None = diffs.get(arg.index)
        diff = mismatch.diff_image() if mismatch is not None else None
        obtained = None if result.outputs is None else _encode(result.outputs[i], arg.type)
        if expected is None:
            wanted = None
        elif obtained is not None and mismatch is None and _same_array(result.outputs[i], expected[i]):  # type: ignore[index]
            wanted = obtained  # a big picture is encoded once
        else:
            wanted = _encode(expected[i], arg.type)
        outputs.append({
            **arg_info(arg),
            "passed": result.outputs is not None and mismatch is None,
            "message": mismatch.message if mismatch is not None else "",
            "obtained": obtained, "expected": wanted,
            "diff": None if diff is None else encode_png_data_url(diff),
        })
    return {
        "id": case.id, "method": case.method.name, "index": case.index,
        "status": result.status, "passed": result.passed, "duration": result.duration,
        "message": result.message(), "input_shapes": _input_shapes(case), "outputs": outputs,
    }


def _cases(service: Service) -> list[Case]:
    return load_cases(service.spec, methods=list(service.methods))


# ---------------------------------------------------------------- test data

def _testdata_dir(service: Service) -> Path | None:
    folder = service.spec.testdata_dir
    return folder if folder is not None and folder.is_dir() else None


def _iter_testdata(folder: Path) -> Iterator[str]:
    for path in sorted(folder.rglob("*")):
        if path.suffix.lower() in TESTDATA_SUFFIXES and path.is_file():
            yield path.relative_to(folder).as_posix()


def _file_info(name: str) -> dict[str, str]:
    return {
        "name": name, "url": url_for("pages.testdata", name=name),
        "thumbnail_url": url_for("pages.testdata", name=name, size=THUMBNAIL_SIZE),
    }


def _testdata_files(service: Service) -> list[dict[str, str]]:
    folder = _testdata_dir(service)
    if folder is None:
        return []
    names = _iter_testdata(folder)
    return [_file_info(name) for name, _ in zip(names, range(MAX_LISTED_FILES))]


def _testdata_file(service: Service, name: str) -> Path:
    """The real file ``name`` inside the test-data folder; NotFound for anything else."""
    folder = _testdata_dir(service)
    not_found = DataFileNotFound(name, f"no test-data file {summarize(name)}")
    if folder is None:
        raise not_found
    root = folder.resolve()
    try:
        path = (root / name).resolve()  # symlinks and '..' resolved, then checked to stay inside
        if not path.is_relative_to(root) or path.suffix.lower() not in TESTDATA_SUFFIXES or not path.is_file():
            raise not_found
    except (ValueError, OSError):  # a NUL byte, a name or path too long for the file system
        raise not_found from None
    return path


def _picture(array: np.ndarray) -> np.ndarray | None:
    """A displayable uint8 picture of an array: volumes by their middle slice."""
    if array.ndim == 3 and array.shape[2] not in (3, 4):
        array = array[array.shape[0] // 2]
    return Mismatch.to_picture(array)


@functools.lru_cache(maxsize=256)
def _preview_png(path: str, mtime_ns: int, size: int) -> bytes | None:
    """A PNG of the test-data file at most ``size`` pixels each side (cached by file version)."""
    from PIL import Image

    picture = _picture(load_testdata_file(path))
    if picture is None or picture.size == 0:
        return None
    side = max(picture.shape[:2])
    if side > size:
        image = Image.fromarray(picture)
        image.thumbnail((size, size), Image.Resampling.BILINEAR)
        picture = np.asarray(image)
    elif side < _TINY and side * 2 <= size:  # an 8x8 digit: whole pixels, enlarged to be seen
        factor = size // side
        picture = np.repeat(np.repeat(picture, factor, axis=0), factor, axis=1)
    return encode_png(picture)


# ---------------------------------------------------------------- routes

@bp.get("/api/test")
def test_page() -> str:
    """The test page: every case of every exposed method, run from the browser."""
    service = get_service()
    methods = [_method_info(entry.spec) for entry in service.methods.values()]
    cases = [case_info(case) for case in _cases(service)]
    by_method = {m["name"]: [c for c in cases if c["method"] == m["name"]] for m in methods}
    page = {"methods": {m["name"]: m for m in methods}, "count": len(cases)}
    return render_template(
        "amodule_test.html", module=_module_info(service), methods=methods, by_method=by_method,
        count=len(cases), page=page, active="test",
    )


@bp.get("/api/debug")
def debug_page() -> str:
    """The debug page: a form for one method's inputs, generated from the spec."""
    service = get_service()
    wanted = request.args.get("method", "")
    entry = service.methods.get(wanted)
    notice = ""
    if entry is None and service.methods:
        entry = next(iter(service.methods.values()))
        if wanted:
            notice = f"No method {summarize(wanted)} is served; showing {entry.name!r}."
    method = _method_info(entry.spec) if entry is not None else None
    return render_template(
        "amodule_debug.html", module=_module_info(service), method=method, methods=list(service.methods),
        files=_testdata_files(service), notice=notice, page={"method": method}, active="debug",
        example=_example(entry.spec) if entry is not None else {},
    )


@bp.get("/api/test/cases")
def list_cases() -> Response:
    """``{"module", "methods", "count", "cases": [...]}``: the cases the test page lists."""
    service = get_service()
    cases = [case_info(case) for case in _cases(service)]
    methods = [_method_info(entry.spec) for entry in service.methods.values()]
    return json_response({"module": _module_info(service), "methods": methods, "count": len(cases), "cases": cases})


@bp.post("/api/test/run/<method>/<int:index>")
def run_test(method: str, index: int) -> Response:
    """Run one test case; its status, duration (seconds), message and outputs."""
    service = get_service()
    entry = service.method(method)  # NotFound naming the served methods
    cases = load_cases(service.spec, methods=[entry.name])
    if not 0 <= index < len(cases):
        count = len(cases)
        known = f"indexes 0 to {count - 1}" if count else "none"
        raise CaseNotFound(method, f"no test case {method}[{index}] ({method!r} has {count} test case"
                                   f"{'s' * (count != 1)}: {known})")
    return json_response(result_info(run_case(service.instance, cases[index])))


@bp.get("/api/testdata")
def list_testdata() -> Response:
    """``{"files": [{"name", "url", "thumbnail_url"}]}``: the module's test-data files."""
    return json_response({"files": _testdata_files(get_service())})


@bp.get("/api/testdata/<path:name>")
def testdata(name: str) -> Response:
    """A test-data file as is, or with ``?size=N`` a PNG preview at most N pixels each side."""
    path = _testdata_file(get_service(), name)
    size_text = request.args.get("size")
    if size_text is None:
        return send_file(path, max_age=60)
    if not size_text.isdigit() or not 1 <= int(size_text) <= MAX_PREVIEW_SIZE:
        raise BadRequest(f"'size' must be an integer from 1 to {MAX_PREVIEW_SIZE} (got {summarize(size_text)})")
    try:
        png = _preview_png(str(path), path.stat().st_mtime_ns, int(size_text))
    except AModuleError as exc:
        raise DataFileNotFound(name, f"test-data file {summarize(name)} cannot be decoded: {exc}") from None
    if png is None:
        raise DataFileNotFound(name, f"test-data file {summarize(name)} has no picture (not a 2-D or colour array)")
    return Response(png, mimetype="image/png", headers={"Cache-Control": "max-age=300"})
