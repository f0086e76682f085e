"""Test cases of a spec as typed values: the loader shared by the pytest plugin and REST.

A string where an ndarray is declared names a file under the module's ``testdata/``
(images through Pillow, ``.npy``/``.npz`` through numpy). Files are decoded lazily, at
first use, and cached: the same image used by four cases is decoded once.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

import numpy as np

from .codec import Limits, decode_bytes
from .errors import ConversionError, SpecError, SpecProblem
from .iotypes import IOType, ListType, NdarrayType, NumericType
from .spec import ArgSpec, MethodSpec, Spec

__all__ = ["Case", "load_cases", "coerce_literal", "load_testdata_file", "clear_testdata_cache"]

# Test data is the module author's own, so its limits are generous; they only stop accidents.
_TRUSTED_LIMITS = Limits(max_bytes=4 * 2**30, max_pixels=400_000_000, max_array_bytes=4 * 2**30)


def coerce_literal(value: Any, iotype: IOType) -> Any:
    """A spec literal in the form its type expects: ints become floats for float types,
    nested lists become arrays for ndarray types, lists of such recursively.

    Raises ValueError/TypeError when a nested list cannot become the declared array.
    """
    if isinstance(iotype, NumericType):
        if iotype.sub == "float" and isinstance(value, int) and not isinstance(value, bool):
            return float(value)
        return value
    if isinstance(iotype, ListType):
        if isinstance(value, (list, tuple)):
            return [coerce_literal(item, iotype.item) for item in value]
        return value
    if isinstance(iotype, NdarrayType) and isinstance(value, (list, tuple)):
        try:
            array = np.asarray(value, dtype=iotype.np_dtype)
        except (ValueError, TypeError, OverflowError) as exc:
            raise ValueError(f"cannot make {iotype} from the literal list: {exc}") from None
        if array.dtype == object:
            raise ValueError(f"cannot make {iotype} from a ragged list")
        return array
    return value


class _FileCache:
    """Decoded test-data files keyed by path, size and mtime; bounded in bytes and entries."""

    def __init__(self, max_bytes: int = 1 << 30, max_entries: int = 512) -> None:
        self.max_bytes = max_bytes
        self.max_entries = max_entries
        self._items: OrderedDict[tuple[str, int, int], np.ndarray] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, path: Path) -> np.ndarray:
        stat = path.stat()
        key = (str(path), stat.st_size, stat.st_mtime_ns)
        with self._lock:
            array = self._items.get(key)
            if array is not None:
                self._items.move_to_end(key)
                return array
        array = decode_bytes(path.read_bytes(), path=path.name, limits=_TRUSTED_LIMITS)
        array.flags.writeable = False  # shared by every case that names the file
        with self._lock:
            self._items[key] = array
            self._bytes += array.nbytes
            while self._items and (self._bytes > self.max_bytes or len(self._items) > self.max_entries):
                _, old = self._items.popitem(last=False)
                self._bytes -= old.nbytes
        return array

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._bytes = 0


_CACHE = _FileCache()


def load_testdata_file(path: str | Path) -> np.ndarray:
    """Decode one test-data file (cached, read-only array)."""
    return _CACHE.get(Path(path))


def clear_testdata_cache() -> None:
    """Forget every decoded test-data file."""
    _CACHE.clear()


@dataclass(eq=False)
class Case:
    """One test case: a method, its index, its inputs and expected outputs.

    ``inputs`` and ``expected`` are decoded at first access. Input arrays are fresh
    writable copies (a module may change its inputs); expected arrays are read-only.
    ``input_sources``/``expected_sources`` hold the test-data file names where the spec
    named files (``None`` for literals).
    """

    method: MethodSpec
    index: int
    raw: tuple[Any, ...]
    testdata_dir: Path | None
    _decoded: tuple[Any, ...] | None = field(default=None, repr=False)

    @property
    def id(self) -> str:
        return f"{self.method.name}[{self.index}]"

    @property
    def path(self) -> str:
        return f"methods.{self.method.name}.test_cases[{self.index}]"

    @property
    def input_sources(self) -> tuple[Any, ...]:
        return tuple(self._source(v, a) for v, a in zip(self.raw, self.method.inputs))

    @property
    def expected_sources(self) -> tuple[Any, ...]:
        n = len(self.method.inputs)
        return tuple(self._source(v, a) for v, a in zip(self.raw[n:], self.method.outputs))

    @property
    def inputs(self) -> tuple[Any, ...]:
        n = len(self.method.inputs)
        return tuple(_fresh(value) for value in self._values()[:n])

    @property
    def expected(self) -> tuple[Any, ...]:
        return self._values()[len(self.method.inputs):]

    def output_files(self) -> dict[int, Path]:
        """Expected outputs stored as files, by output index (for ``--amodule-update``)."""
        files: dict[int, Path] = {}
        if self.testdata_dir is None:
            return files
        for i, source in enumerate(self.expected_sources):
            if isinstance(source, str):
                files[i] = self.testdata_dir / PurePosixPath(source)
        return files

    def _values(self) -> tuple[Any, ...]:
        if self._decoded is None:
            args = self.method.inputs + self.method.outputs
            self._decoded = tuple(
                self._decode(value, arg, f"{self.path}[{i}]")
                for i, (value, arg) in enumerate(zip(self.raw, args))
            )
        return self._decoded

    def _decode(self, value: Any, arg: ArgSpec, path: str) -> Any:
        iotype = arg.type
        if isinstance(value, str) and isinstance(iotype, NdarrayType):
            return self._file(value, path)
        if isinstance(iotype, ListType) and isinstance(iotype.item, NdarrayType) and isinstance(value, (list, tuple)):
            return [self._file(v, f"{path}[{i}]") if isinstance(v, str) else coerce_literal(v, iotype.item)
                    for i, v in enumerate(value)]
        return coerce_literal(value, iotype)

    def _file(self, name: str, path: str) -> np.ndarray:
        if self.testdata_dir is None:
            raise SpecError([SpecProblem(path, f"file {name!r} named but the spec has no module directory")])
        file = self.testdata_dir / PurePosixPath(name)
        try:
            return load_testdata_file(file)
        except FileNotFoundError:
            raise SpecError([SpecProblem(path, f"file {name!r} not found in {self.testdata_dir}")]) from None
        except ConversionError as exc:
            raise SpecError([SpecProblem(path, f"file {name!r} cannot be decoded: {exc.message}")]) from None

    @staticmethod
    def _source(value: Any, arg: ArgSpec) -> Any:
        if isinstance(value, str) and isinstance(arg.type, NdarrayType):
            return value
        if isinstance(value, (list, tuple)) and isinstance(arg.type, ListType) and isinstance(arg.type.item, NdarrayType):
            return [v if isinstance(v, str) else None for v in value]
        return None


def _fresh(value: Any) -> Any:
    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, list):
        return [_fresh(v) for v in value]
    return value


def load_cases(spec: Spec, testdata_dir: str | Path | None = None, methods: Sequence[str] | None = None) -> list[Case]:
    """Every test case of ``spec`` (of ``methods`` only, when given), in spec order.

    ``testdata_dir`` defaults to the spec's ``testdata/`` folder. Nothing is decoded here.
    """
    folder = Path(testdata_dir) if testdata_dir is not None else spec.testdata_dir
    cases: list[Case] = []
    for name, method in spec.methods.items():
        if methods is not None and name not in methods:
            continue
        cases.extend(Case(method, index, row, folder) for index, row in enumerate(method.test_cases))
    return cases
