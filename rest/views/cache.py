"""``/api/cache``: statistics of the result cache, and clearing it."""

from __future__ import annotations

from flask import Blueprint, Response

from ..errors import json_response
from ..service import get_service

__all__ = ["bp"]

bp = Blueprint("cache", __name__)


@bp.get("/api/cache")
def stats() -> Response:
    """``{"capacity", "size", "hits", "misses"}`` of this process's cache."""
    return json_response(get_service().cache.stats())


@bp.delete("/api/cache")
def clear() -> Response:
    """Empty the cache and reset its counters; answers the new statistics."""
    cache = get_service().cache
    cache.clear()
    return json_response(cache.stats())
