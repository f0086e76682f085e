"""``/api``: the entry point with absolute URLs, the specification and a health check."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, request

from ..errors import json_response
from ..service import get_service

__all__ = ["bp", "API_VERSION", "api_urls"]

#: Version of the REST API itself (the original template's was 1.2.0; this one adds
#: /api/openapi.json, /api/health, uploads and JSON bodies without changing the rest).
API_VERSION = "1.3.0"

bp = Blueprint("index", __name__)


def api_urls() -> dict[str, str]:
    """The absolute URLs of the API's resources, for the current request's host."""
    base = request.url_root.rstrip("/") + "/api"
    return {
        "specification_url": f"{base}/spec",
        "run_url": f"{base}/run{{/method}}",
        "debug_url": f"{base}/debug",
        "test_url": f"{base}/test",
        "cache_url": f"{base}/cache",
        "openapi_url": f"{base}/openapi.json",
        "health_url": f"{base}/health",
    }


@bp.get("/")
def root() -> Response:
    """The debug page for people with a browser (``/api`` when the pages are not installed)."""
    page = "/api/debug" if current_app.config.get("AMODULE_PAGES") else "/api"
    location = request.url_root.rstrip("/") + page
    return json_response({"location": location}, 302, {"Location": location})


@bp.get("/api")
def api() -> Response:
    """What this service offers."""
    service = get_service()
    data = {"name": service.name, "api_version": API_VERSION}
    version = service.spec.module.get("version")
    if version:
        data["module_version"] = str(version)
    data.update(api_urls())
    return json_response(data)


@bp.get("/api/spec")
def spec() -> Response:
    """The specification as written, test cases included."""
    return json_response(get_service().spec.to_json())


@bp.get("/api/health")
def health() -> Response:
    """``{"status": "ok"}``: the module is loaded (it was, or the app would not exist)."""
    return json_response({"status": "ok"})
