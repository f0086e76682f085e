"""``amodule run TARGET METHOD --NAME VALUE ...``: call a module's method without a server.

Arguments are converted like the REST layer converts query-string values
(:func:`amodule_core.convert.from_text`): numbers, booleans, text, annotations as JSON,
lists comma-separated or as JSON, and arrays from

* a file path (``--image photo.jpg``; images through Pillow, ``.npy``/``.npz`` through numpy),
* a ``file://`` URL, an ``http(s)://`` URL, or a data URL.

Unlike a server, the command runs with the rights of the user who types it, so it reads
any file that user can read and fetches URLs on any address, loopback and private ones
included, as ``curl`` would. Size, pixel and time limits still apply (generous ones).
"""

from __future__ import annotations

import argparse
import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .convert import Limits, decode_bytes, from_text, to_json
from .errors import AModuleError, ConversionError, LimitExceededError
from .iotypes import ListType, NdarrayType, NumericType, is_image_array, summarize
from .module import invoke
from .spec import ArgSpec, MethodSpec
from .target import Target

__all__ = ["LOCAL_LIMITS", "ArgumentResolver", "RunResult", "method_parser", "convert_arguments",
           "run_method", "outputs_json", "write_outputs", "format_outputs", "main_run"]

#: Limits for data named on the command line: the user's own files, so only accidents stop.
LOCAL_LIMITS = Limits(max_bytes=2 * 2**30, max_pixels=400_000_000, max_array_bytes=4 * 2**30)

_OWN_OPTIONS = ("out", "json")
_SHOWN_ITEMS = 20


class ArgumentResolver:
    """Turns the text of an array argument into an array: a path, a URL or a data URL."""

    def __init__(self, limits: Limits = LOCAL_LIMITS, base: Path | None = None) -> None:
        from .fetch import FetchPolicy, Fetcher

        self.limits = limits
        self.base = base or Path.cwd()
        self.fetcher = Fetcher(FetchPolicy(
            file_roots=(Path(Path.cwd().anchor),), allow_private=True,
            connect_timeout=10.0, total_timeout=120.0, limits=limits,
        ))

    def __call__(self, text: str, path: str) -> np.ndarray:
        """The array named by ``text`` (``path`` names the argument in errors).

        Raises:
            ConversionError: no such file, a failed download, or data that does not decode.
        """
        if text.lower().startswith("data:") or re.match(r"[A-Za-z][A-Za-z0-9+.-]*://", text):
            return self.fetcher.resolve_array(text, path)
        file = (self.base / Path(text).expanduser())
        if not file.is_file():
            what = "a folder" if file.is_dir() else "no such file"
            raise ConversionError(
                f"{what}: {text!r} (expected a file path, an http(s):// or file:// URL, or a data URL)", path
            )
        size = file.stat().st_size
        if size > self.limits.max_bytes:
            raise LimitExceededError(f"file {text!r} has {size} bytes, over the limit of {self.limits.max_bytes}", path)
        return decode_bytes(file.read_bytes(), path=path, limits=self.limits)


def method_parser(target: Target, method: MethodSpec, prog: str) -> argparse.ArgumentParser:
    """The parser of one method's arguments: ``--NAME VALUE`` per input, plus ``--out``/``--json``.

    An input named ``out`` or ``json`` takes the option's name; the command's own option is
    then given before TARGET.
    """
    lines = [method.description] if method.description else []
    parser = argparse.ArgumentParser(
        prog=prog, description=" ".join(lines) or None, formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="Array inputs take a file path, an http(s):// or file:// URL, or a data URL; "
               "lists take comma-separated values or JSON.",
    )
    group = parser.add_argument_group(f"inputs of {method.name}")
    for arg in method.inputs:
        help_text = f"{arg.description} ({arg.type})" if arg.description else str(arg.type)
        group.add_argument(f"--{arg.name}", dest=f"input_{arg.index}", metavar=_metavar(arg),
                           required=True, help=help_text)
    taken = set(method.input_names)
    if "out" not in taken:
        parser.add_argument("--out", metavar="DIR", help="Write array outputs to DIR (images as PNG, other arrays as .npy)")
    if "json" not in taken:
        parser.add_argument("--json", action="store_true", help="Print the outputs as the REST API answers them")
    return parser


def _metavar(arg: ArgSpec) -> str:
    iotype = arg.type
    item = iotype.item if isinstance(iotype, ListType) else iotype
    if isinstance(item, NdarrayType):
        word = "FILE|URL"
    elif isinstance(item, NumericType):
        word = {"int": "INT", "float": "FLOAT"}.get(item.sub or "", "NUMBER")
    else:
        word = {"text": "TEXT", "boolean": "BOOL", "annotation": "JSON"}.get(item.kind, "VALUE")
    return f"{word},..." if isinstance(iotype, ListType) else word


def convert_arguments(method: MethodSpec, texts: Sequence[str], resolver: ArgumentResolver) -> tuple[Any, ...]:
    """The inputs of ``method`` from their command-line texts, in spec order.

    Raises:
        ConversionError: a text cannot become its input's declared type (the message
            starts with the input's name).
    """
    return tuple(
        from_text(text, arg.type, path=arg.name, resolve_array=resolver)
        for arg, text in zip(method.inputs, texts)
    )


@dataclass(frozen=True)
class RunResult:
    """A method's checked outputs, with its spec."""

    method: MethodSpec
    outputs: tuple[Any, ...]

    def named(self) -> dict[str, Any]:
        """The outputs by name, in spec order."""
        return dict(zip(self.method.output_names, self.outputs))


def run_method(target: Target, method_name: str, texts: Sequence[str], resolver: ArgumentResolver | None = None) -> RunResult:
    """Instantiate the module, convert ``texts`` (one per input, spec order) and call the method.

    Raises:
        KeyError: the spec has no such method.
        AModuleError: the method is not implemented, or an argument does not convert.
        Exception: whatever the module's own code raises.
    """
    method = target.spec.method(method_name)
    if method_name not in target.exposed:
        raise AModuleError(f"{target.cls.__name__} does not implement {method_name!r}, declared in the specification")
    inputs = convert_arguments(method, texts, resolver or ArgumentResolver())
    return RunResult(method, invoke(target.instantiate(), method, inputs))


def outputs_json(result: RunResult) -> dict[str, Any]:
    """``{"outputs": {name: value}}`` as the REST API answers (arrays as data URLs)."""
    return {"outputs": {arg.name: to_json(value, arg.type) for arg, value in zip(result.method.outputs, result.outputs)}}


def write_outputs(result: RunResult, folder: str | Path) -> dict[str, list[Path]]:
    """Write every array output to ``folder`` (made if missing): image-like arrays as
    ``NAME.png``, others as ``NAME.npy``, items of lists as ``NAME_0.png``, ...

    Returns the files written per output name.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written: dict[str, list[Path]] = {}
    for index, (arg, value) in enumerate(zip(result.method.outputs, result.outputs)):
        stem = re.sub(r"[^A-Za-z0-9._-]+", "_", arg.name).strip("._") or f"output{index}"
        if isinstance(value, np.ndarray):
            arrays = [(stem, value)]
        elif isinstance(value, (list, tuple)) and any(isinstance(v, np.ndarray) for v in value):
            arrays = [(f"{stem}_{i}", v) for i, v in enumerate(value) if isinstance(v, np.ndarray)]
        else:
            continue
        for name, array in arrays:
            written.setdefault(arg.name, []).append(_write_array(folder, name, array))
    return written


def _write_array(folder: Path, stem: str, array: np.ndarray) -> Path:
    if is_image_array(array) and array.size:
        from .convert import encode_png

        path = folder / f"{stem}.png"
        path.write_bytes(encode_png(array, compress_level=6))
    else:
        path = folder / f"{stem}.npy"
        np.save(path, array, allow_pickle=False)
    return path


def format_outputs(result: RunResult, written: dict[str, list[Path]] | None = None) -> str:
    """The outputs for people: one block per output, arrays summarised."""
    lines = []
    for arg, value in zip(result.method.outputs, result.outputs):
        files = (written or {}).get(arg.name, [])
        shown = _show(value, arg)
        if files:
            shown += " -> " + ", ".join(str(f) for f in files)
        lines.append(f"{arg.name}: {shown}")
        lines += [f"  {line}" for line in _details(value, arg)]
    return "\n".join(lines)


def _show(value: Any, arg: ArgSpec) -> str:
    if isinstance(value, np.ndarray):
        if value.size and value.dtype.kind in "biuf":
            return f"{summarize(value)} min {_number(value.min())} max {_number(value.max())}"
        return summarize(value)
    if isinstance(value, (list, tuple)) and arg.type.kind == "annotation" and len(value) == 2:
        kind, geometries = value
        return f"{kind}, {len(geometries)} geometr{'y' if len(geometries) == 1 else 'ies'}"
    if isinstance(value, (list, tuple)) and all(isinstance(v, (int, float, np.generic)) for v in value):
        items = ", ".join(_number(v) for v in value[:_SHOWN_ITEMS])
        more = f", ... ({len(value)} items)" if len(value) > _SHOWN_ITEMS else ""
        return f"[{items}{more}]"
    if isinstance(value, (list, tuple)):
        return f"{type(value).__name__} of {len(value)}: " + ", ".join(summarize(v) for v in value[:5]) + (
            ", ..." if len(value) > 5 else "")
    return _number(value) if isinstance(value, (float, np.floating)) else summarize(value)


def _details(value: Any, arg: ArgSpec) -> list[str]:
    """Extra lines: each geometry of an annotation, the best label of a classification."""
    if arg.type.kind == "annotation" and isinstance(value, (list, tuple)) and len(value) == 2:
        geometries = list(value[1])
        lines = [summarize(tuple(g) if isinstance(g, list) else g) for g in geometries[:_SHOWN_ITEMS]]
        if len(geometries) > _SHOWN_ITEMS:
            lines.append(f"... and {len(geometries) - _SHOWN_ITEMS} more")
        return lines
    category = arg.category
    item = arg.type.item if isinstance(arg.type, ListType) else None
    if (category is not None and category.name == "classification" and isinstance(item, NumericType)
            and isinstance(value, (list, tuple)) and value and len(value) == len(category.labels)):
        best = max(range(len(value)), key=lambda i: value[i])
        return [f"most likely: {category.labels[best]!r} ({_number(value[best])})"]
    return []


def _number(value: Any) -> str:
    if isinstance(value, (float, np.floating)):
        number = float(value)
        return repr(number) if not math.isfinite(number) else f"{number:.6g}"
    return str(value.item() if isinstance(value, np.generic) else value)


def main_run(args: argparse.Namespace, prog: str = "amodule run") -> int:
    """The ``amodule run`` command: ``args`` has ``target``, ``method``, ``arguments``
    (the method's ``--NAME VALUE`` options, still text), ``out`` and ``json``.

    Returns the exit status: 0, 1 (the module fails to load or its code raises) or 2 (a
    bad method name or argument).
    """
    import sys
    import traceback

    from .target import load_target

    try:
        target = load_target(args.target)
    except AModuleError as exc:
        print(f"{prog}: {args.target}: {exc}", file=sys.stderr)
        return 1
    served = ", ".join(target.exposed) or "none"
    if args.method not in target.exposed:
        why = "is declared in the specification but not implemented" if args.method in target.spec.methods else "does not exist"
        print(f"{prog}: method {args.method!r} {why} (this module has: {served})", file=sys.stderr)
        return 2
    method = target.spec.method(args.method)
    parser = method_parser(target, method, f"{prog} {args.target} {args.method}")
    options = parser.parse_args(args.arguments)  # exits 2 with a usage message on errors
    out = getattr(options, "out", None) or args.out
    as_json = getattr(options, "json", False) or args.json
    texts = [getattr(options, f"input_{arg.index}") for arg in method.inputs]
    try:
        inputs = convert_arguments(method, texts, ArgumentResolver())
    except ConversionError as exc:
        print(f"{prog}: {exc}", file=sys.stderr)
        return 2
    try:
        instance = target.instantiate()
    except Exception as exc:
        print(f"{prog}: creating {target.cls.__name__}() failed: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    try:
        result = RunResult(method, invoke(instance, method, inputs))
    except Exception as exc:
        traceback.print_exc(file=sys.stderr)
        print(f"{prog}: {target.cls.__name__}.{method.name} failed: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    written = write_outputs(result, out) if out else {}
    if as_json:
        print(json.dumps(outputs_json(result), indent=2, ensure_ascii=False))
        for name, files in written.items():
            print(f"{name}: wrote " + ", ".join(str(f) for f in files), file=sys.stderr)
    else:
        print(format_outputs(result, written))
    return 0
