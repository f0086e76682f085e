"""The result cache: finished answers of method calls, keyed by method and converted inputs.

A key is the method name plus a digest of the *converted* inputs (dtype, shape and bytes
of arrays; kind and value of everything else), so the same image sent as a data URL or as
an upload hits the same entry. Values are the encoded JSON bodies, so a hit skips the
call and the PNG encoding alike. The cache is per process (one per gunicorn worker).
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from typing import Any

import numpy as np

__all__ = ["ResultCache", "inputs_key"]


class ResultCache:
    """A thread-safe LRU map of keys to response bodies, bounded by ``capacity`` entries."""

    def __init__(self, capacity: int) -> None:
        if capacity < 0:
            raise ValueError(f"cache capacity must be >= 0 (got {capacity!r})")
        self.capacity = capacity
        self._items: OrderedDict[str, bytes] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    @property
    def enabled(self) -> bool:
        return self.capacity > 0

    def get(self, key: str) -> bytes | None:
        """The body stored for ``key`` (counted as a hit), or ``None`` (a miss)."""
        with self._lock:
            body = self._items.get(key)
            if body is None:
                self.misses += 1
                return None
            self._items.move_to_end(key)
            self.hits += 1
            return body

    def put(self, key: str, body: bytes) -> None:
        """Store ``body``, evicting the least recently used entries beyond the capacity."""
        if not self.enabled:
            return
        with self._lock:
            self._items[key] = body
            self._items.move_to_end(key)
            while len(self._items) > self.capacity:
                self._items.popitem(last=False)

    def clear(self) -> None:
        """Forget every entry and reset the counters."""
        with self._lock:
            self._items.clear()
            self.hits = 0
            self.misses = 0

    def stats(self) -> dict[str, int]:
        """``{"capacity", "size", "hits", "misses"}``."""
        with self._lock:
            return {"capacity": self.capacity, "size": len(self._items), "hits": self.hits, "misses": self.misses}


def inputs_key(method: str, values: tuple[Any, ...] | list[Any]) -> str:
    """A key for ``method`` called with ``values`` (converted inputs, in spec order)."""
    digest = hashlib.blake2b(digest_size=20)
    for value in values:
        _feed(digest, value)
    return f"{method}:{digest.hexdigest()}"


def _feed(digest: Any, value: Any) -> None:
    # Every value is written with a kind tag and a length or terminator, so no two
    # different input tuples can produce the same byte stream.
    if isinstance(value, np.ndarray):
        header = f"a{value.dtype.str}{value.shape};".encode()
        digest.update(header)
        if value.dtype.hasobject:  # never produced by the converters; be safe anyway
            digest.update(repr(value.tolist()).encode())
        elif value.size:  # an empty array has no bytes (and memoryview cannot cast its shape)
            digest.update(memoryview(np.ascontiguousarray(value)).cast("B"))
    elif isinstance(value, (list, tuple)):
        digest.update(f"l{len(value)}[".encode())
        for item in value:
            _feed(digest, item)
        digest.update(b"]")
    elif isinstance(value, str):
        data = value.encode("utf-8", "surrogatepass")
        digest.update(f"s{len(data)}:".encode())
        digest.update(data)
    else:  # bool, int, float, None, numpy scalars
        text = f"{type(value).__name__}:{value!r};"
        digest.update(text.encode())
