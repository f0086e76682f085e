"""``/api/openapi.json``: the API as an OpenAPI 3.1 document, built once per app."""

from __future__ import annotations

import json

from flask import Blueprint, Response, current_app

from ..openapi import build_openapi
from ..service import get_service
from .index import API_VERSION

__all__ = ["bp"]

bp = Blueprint("openapi", __name__)

_CONFIG_KEY = "AMODULE_OPENAPI_BODY"


@bp.get("/api/openapi.json")
def openapi() -> Response:
    """The OpenAPI document (the same for every request, so it is encoded once)."""
    body = current_app.config.get(_CONFIG_KEY)
    if body is None:
        document = build_openapi(get_service(), API_VERSION)
        body = json.dumps(document, separators=(",", ":"), ensure_ascii=False).encode()
        current_app.config[_CONFIG_KEY] = body
    return Response(body, mimetype="application/json")
