"""The API's blueprints, one per resource; each view stays thin and calls the service."""

from __future__ import annotations

from .cache import bp as cache_bp
from .index import bp as index_bp
from .openapi import bp as openapi_bp
from .run import bp as run_bp

__all__ = ["BLUEPRINTS"]

BLUEPRINTS = (index_bp, run_bp, cache_bp, openapi_bp)
