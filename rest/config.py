"""Settings of a REST service: what the command line's options become.

:class:`RestConfig` holds them; :func:`create_app` accepts one, a mapping of the same
field names (``{"cache_size": 0}``), or ``None`` for the secure defaults. Upper-case
keys of a mapping (``{"TESTING": True}``) are Flask settings and go to ``app.config``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

__all__ = ["RestConfig", "split_config", "DEFAULT_MAX_REQUEST_MB", "DEFAULT_CACHE_SIZE", "DEFAULT_MAX_PIXELS",
           "DEFAULT_WORKER_TIMEOUT"]

DEFAULT_MAX_REQUEST_MB = 32.0
DEFAULT_CACHE_SIZE = 64
DEFAULT_MAX_PIXELS = 50_000_000
#: Seconds a gunicorn worker may spend on one request before it is replaced (``--timeout``).
DEFAULT_WORKER_TIMEOUT = 120


@dataclass(frozen=True)
class RestConfig:
    """How a REST service treats its inputs; the defaults are the secure ones.

    ``file_roots``: folders ``file://`` URLs may read from (none: ``file://`` refused).
    ``allow_private_urls``: fetch http(s) URLs that resolve to loopback/private addresses.
    ``max_request_mb``: largest request body (and query string), also the cap on one
    fetched URL. ``cache_size``: result-cache entries (0 disables it). ``max_pixels``:
    largest decoded image or array (elements). ``debug``: tracebacks in 500 answers.
    ``trusted_proxies``: how many reverse proxies set ``X-Forwarded-*`` (0: ignore them).
    ``fetch_timeout``: seconds one http(s) download may take in all (connecting: at most 3).
    """

    file_roots: tuple[Path, ...] = ()
    allow_private_urls: bool = False
    max_request_mb: float = DEFAULT_MAX_REQUEST_MB
    cache_size: int = DEFAULT_CACHE_SIZE
    max_pixels: int = DEFAULT_MAX_PIXELS
    debug: bool = False
    trusted_proxies: int = 0
    fetch_timeout: float = 10.0
    flask: Mapping[str, Any] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        given = self.file_roots
        if isinstance(given, (str, os.PathLike)):  # one folder, not its characters
            given = (given,)
        roots = tuple(Path(root).expanduser().resolve() for root in given)
        object.__setattr__(self, "file_roots", roots)
        if not self.max_request_mb > 0:
            raise ValueError(f"max_request_mb must be > 0 (got {self.max_request_mb!r})")
        if self.cache_size < 0:
            raise ValueError(f"cache_size must be >= 0 (got {self.cache_size!r})")
        if self.max_pixels < 1:
            raise ValueError(f"max_pixels must be >= 1 (got {self.max_pixels!r})")
        if not self.fetch_timeout > 0:
            raise ValueError(f"fetch_timeout must be > 0 (got {self.fetch_timeout!r})")
        if self.trusted_proxies < 0:
            raise ValueError(f"trusted_proxies must be >= 0 (got {self.trusted_proxies!r})")
        for root in roots:
            if not root.is_dir():
                raise ValueError(f"file root {str(root)!r} is not a folder")

    @property
    def max_request_bytes(self) -> int:
        """``max_request_mb`` in bytes."""
        return int(self.max_request_mb * 1024 * 1024)

    @classmethod
    def coerce(cls, config: RestConfig | Mapping[str, Any] | None) -> RestConfig:
        """A RestConfig from ``None``, a RestConfig, or a mapping (see :func:`split_config`).

        Raises:
            ValueError: an unknown lower-case key or an out-of-range value.
        """
        if config is None:
            return cls()
        if isinstance(config, RestConfig):
            return config
        own, flask = split_config(config)
        return replace(cls(**own), flask=flask)


def split_config(config: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Split a mapping into RestConfig fields and upper-case Flask settings.

    Raises:
        ValueError: a key is neither a RestConfig field nor upper-case.
    """
    names = {f.name for f in fields(RestConfig)} - {"flask"}
    own: dict[str, Any] = {}
    flask: dict[str, Any] = {}
    for key, value in config.items():
        if key in names:
            own[key] = value
        elif key.isupper():
            flask[key] = value
        else:
            known = ", ".join(sorted(names))
            raise ValueError(f"unknown REST setting {key!r} (expected one of {known}, or an upper-case Flask setting)")
    return own, flask
