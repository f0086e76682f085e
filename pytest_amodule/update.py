"""``--amodule-update``: rewrite the expected files of failing cases from their outputs.

Each case writes only the files its own row names, each through a temporary file in the
same folder and :func:`os.replace`, so parallel workers never leave a partial file.
Expectations written as literals in ``specification.py`` are not rewritten: the message
gives a ready-to-paste replacement row instead.
"""

from __future__ import annotations

import functools
import hashlib
import io
import json
import math
import os
import stat
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

import numpy as np

from amodule_core.cases import Case
from amodule_core.convert import encode_png
from amodule_core.iotypes import is_image_array, summarize
from amodule_core.runner import OutputDiff

from .settings import Settings

__all__ = [
    "UpdateProblem",
    "UpdateResult",
    "case_for_update",
    "literal",
    "update_case",
    "write_expected",
]

_LITERAL_LIMIT = 64  # array elements written out in a replacement row at most
_PIL_FORMATS = {".tif": "TIFF", ".tiff": "TIFF", ".bmp": "BMP"}


class UpdateProblem(Exception):
    """An obtained output cannot be stored in its expected file."""


@dataclass
class UpdateResult:
    """What updating one case did: files written (with digests), rows to paste, problems."""

    case: Case
    written: list[tuple[Path, str]] = field(default_factory=list)
    row: str | None = None
    problems: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return self.row is None and not self.problems

    def explain(self, settings: Settings) -> str:
        lines = [f"updated: {settings.shown(path)}" for path, _ in self.written]
        lines += [f"not updated: {problem}" for problem in self.problems]
        if self.row is not None:
            lines.append(f"{self.case.path} is written in specification.py; replace it with:")
            lines.append(f"    {self.row}")
        return "\n".join(lines)


def case_for_update(case: Case) -> tuple[Case, set[int]]:
    """``case`` without its missing expected files (to be created), and their output indexes."""
    missing = {index for index, path in case.output_files().items() if not path.is_file()}
    if not missing:
        return case, missing
    first = len(case.method.inputs)
    raw = list(case.raw)
    for index in missing:
        raw[first + index] = None
    return Case(case.method, case.index, tuple(raw), case.testdata_dir), missing


def update_case(
    settings: Settings, case: Case, outputs: tuple[Any, ...], diffs: list[OutputDiff], missing: set[int]
) -> UpdateResult:
    """Write the obtained value of every differing (or missing) output stored in a file;
    make the replacement row when a differing output is a literal."""
    result = UpdateResult(case)
    sources = case.expected_sources
    differing = sorted({diff.arg.index for diff in diffs} | missing)
    literal_outputs: set[int] = set()
    for index in differing:
        name = case.method.outputs[index].name
        files = _files_of(case, sources[index], outputs[index])
        if files is None:
            literal_outputs.add(index)
            continue
        for path, value in files:
            try:
                result.written.append((path, write_expected(path, value)))
            except UpdateProblem as exc:
                result.problems.append(f"output {name!r}: {exc}")
    if literal_outputs:
        try:
            result.row = replacement_row(case, outputs, literal_outputs)
        except UpdateProblem as exc:
            result.problems.append(str(exc))
    return result


def _files_of(case: Case, source: Any, value: Any) -> list[tuple[Path, Any]] | None:
    """``(file, value)`` pairs to write for one output, None when it is a literal."""
    if case.testdata_dir is None:
        return None
    if isinstance(source, str):
        return [(case.testdata_dir / PurePosixPath(source), value)]
    if (isinstance(source, list) and source and all(isinstance(s, str) for s in source)
            and isinstance(value, (list, tuple)) and len(value) == len(source)):
        return [(case.testdata_dir / PurePosixPath(s), v) for s, v in zip(source, value)]
    return None


def write_expected(path: Path, value: Any) -> str:
    """Store ``value`` in ``path`` in the format its ending names; returns a digest of it.

    ``.png`` (uint8 images), ``.npy``, ``.npz`` (keeping the member's name), ``.tif``/``.bmp``
    (uint8 images). Raises UpdateProblem for anything else, e.g. lossy ``.jpg``.
    """
    data = _encode(path, value)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        mode = 0o666 & ~_umask()
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        os.chmod(temporary, mode)  # mkstemp makes 0600; keep the file as readable as before
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return hashlib.sha1(data).hexdigest()[:12]


@functools.lru_cache(maxsize=1)
def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _encode(path: Path, value: Any) -> bytes:
    suffix = path.suffix.lower()
    if not isinstance(value, np.ndarray):
        raise UpdateProblem(f"cannot store {summarize(value)} in {path.name!r}: not an ndarray")
    if suffix == ".npy":
        buffer = io.BytesIO()
        np.save(buffer, value, allow_pickle=False)
        return buffer.getvalue()
    if suffix == ".npz":
        buffer = io.BytesIO()
        np.savez_compressed(buffer, **{_npz_member(path): value})
        return buffer.getvalue()
    if suffix in (".png", *_PIL_FORMATS):
        if not is_image_array(value) or value.size == 0:
            raise UpdateProblem(
                f"cannot store {summarize(value)} as {suffix[1:].upper()} {path.name!r} "
                "(it holds uint8 images of shape (h, w), (h, w, 3) or (h, w, 4)); "
                "name a .npy file in the spec instead"
            )
        if suffix == ".png":
            return encode_png(value, compress_level=6)
        from PIL import Image

        buffer = io.BytesIO()
        Image.fromarray(np.ascontiguousarray(value)).save(buffer, format=_PIL_FORMATS[suffix])
        return buffer.getvalue()
    raise UpdateProblem(
        f"cannot rewrite {path.name!r} without loss ({suffix} is lossy or paletted); "
        "name a .png or .npy file in the spec instead"
    )


def _npz_member(path: Path) -> str:
    """The name of the single array in an existing ``.npz`` (``arr_0`` for a new one)."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = [name for name in archive.namelist() if not name.endswith("/")]
    except (OSError, zipfile.BadZipFile):
        return "arr_0"
    if len(names) == 1 and names[0].endswith(".npy"):
        return names[0][: -len(".npy")]
    return "arr_0"


def replacement_row(case: Case, outputs: tuple[Any, ...], replaced: set[int]) -> str:
    """The test-case row with the obtained values of the ``replaced`` outputs, as Python."""
    first = len(case.method.inputs)
    values = list(case.raw)
    for index in replaced:
        values[first + index] = outputs[index]
    try:
        return literal(values) + ","
    except UpdateProblem as exc:
        raise UpdateProblem(f"{case.path}: {exc}") from None


def literal(value: Any) -> str:
    """``value`` as Python source (strings in double quotes, arrays as nested lists).

    Raises UpdateProblem for an array too large to paste or a value with no literal form.
    """
    if value is None or isinstance(value, (bool, np.bool_)):
        return repr(value if value is None else bool(value))
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        number = float(value)
        return repr(number) if math.isfinite(number) else f'float("{number}")'
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, np.ndarray):
        if value.size > _LITERAL_LIMIT:
            raise UpdateProblem(
                f"{summarize(value)} is too large to write as a literal; "
                "name a .npy file under testdata/ in the spec instead"
            )
        return literal(value.tolist())
    if isinstance(value, list):
        return "[" + ", ".join(literal(item) for item in value) + "]"
    if isinstance(value, tuple):
        items = [literal(item) for item in value]
        return "(" + ", ".join(items) + ("," if len(items) == 1 else "") + ")"
    raise UpdateProblem(f"{summarize(value)} has no literal form")
