"""An OpenAPI 3.1 document derived from the specification.

Every exposed method gets ``/api/run/<method>`` with GET (query parameters) and POST (JSON,
url-encoded and multipart bodies), its inputs typed as precisely as JSON Schema allows,
its outputs as the response schema, and every error status with the error schema. The
fixed endpoints (``/api``, ``/api/spec``, ``/api/cache``, ...) are described too.
"""

from __future__ import annotations

from typing import Any

from amodule_core.iotypes import IOType, ListType, NdarrayType, NumericType

__all__ = ["build_openapi", "value_schema", "query_schema", "form_schema"]

_REF = "#/components/schemas/"
_NON_FINITE = {"type": "string", "enum": ["nan", "inf", "-inf"]}
_DATA_URL_OUT = {
    "type": "string",
    "pattern": "^data:(image/png|ndarray/npy);base64,",
    "description": "A data URL: image-like uint8 arrays as PNG, other arrays as .npy",
}
_ARRAY_IN = {
    "type": "string",
    "pattern": r"^\s*(data:|[hH][tT][tT][pP][sS]?://|[fF][iI][lL][eE]://)",
    "description": "A data URL (data:image/...;base64, data:ndarray/npy;base64, data:ndarray/npz;base64), "
    "an http(s):// URL, or a file:// URL under the server's --file-root",
}


def value_schema(iotype: IOType, *, output: bool = False) -> dict[str, Any]:
    """The JSON Schema of a value of ``iotype`` in a JSON body (or a response when ``output``).

    Inputs are described as the server accepts them: a JSON string is also read as query
    text for numbers, booleans, lists and annotations (``{"threshold": "130"}``).
    """
    exact = _exact_schema(iotype, output=output)
    if output or iotype.kind in ("text", "ndarray"):
        return exact
    return {"anyOf": [exact, {"type": "string", "description": f"{iotype} as query text"}]}


def _exact_schema(iotype: IOType, *, output: bool) -> dict[str, Any]:
    kind = iotype.kind
    if kind == "numeric":
        sub = iotype.sub if isinstance(iotype, NumericType) else None
        if sub == "int":
            return {"type": "integer"}
        return {"anyOf": [{"type": "number"}, _NON_FINITE]} if output else {"type": "number"}
    if kind == "text":
        return {"type": "string"}
    if kind == "boolean":
        return {"type": "boolean"}
    if kind == "ndarray":
        if output:
            return dict(_DATA_URL_OUT)
        return {"anyOf": [dict(_ARRAY_IN), {"type": "array", "description": "Nested lists of numbers"}]}
    if kind == "annotation":
        return {"$ref": _REF + "Annotation"}
    if isinstance(iotype, ListType):
        return {"type": "array", "items": value_schema(iotype.item, output=output)}
    return {}


def form_schema(iotype: IOType) -> dict[str, Any]:
    """The schema of a form field: always text (arrays as URLs), parsed like a query value."""
    if iotype.kind == "ndarray":
        return dict(_ARRAY_IN)
    return {"type": "string", "description": f"{iotype} as query text"}


def query_schema(iotype: IOType) -> dict[str, Any]:
    """The schema of a query-string or form value (lists comma-separated, arrays as URLs)."""
    kind = iotype.kind
    if kind == "ndarray":
        return dict(_ARRAY_IN)
    if kind == "annotation":
        return {"type": "string", "description": "An annotation as JSON text"}
    if isinstance(iotype, ListType):
        item = iotype.item
        if item.kind in ("numeric", "boolean", "text", "ndarray"):
            return {"type": "array", "items": query_schema(item)}
        return {"type": "string", "description": f"{iotype} as JSON text"}
    return _exact_schema(iotype, output=False)


def _error_response(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": {"$ref": _REF + "Error"}}}}


def _json_ok(description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"200": {"description": description, "content": {"application/json": {"schema": schema}}}}


_ERRORS = {
    "400": "Bad input: a missing, unknown or malformed argument (the path names it)",
    "403": "A URL or file:// input refused by the server's policy",
    "404": "Unknown method",
    "413": "The request, a download or a decoded array is over a limit",
    "415": "A body of a type other than JSON or a form",
    "500": "The module's own code raised an exception",
}


def _run_operations(entry: Any) -> dict[str, Any]:
    spec = entry.spec
    params = []
    for arg in spec.inputs:
        param: dict[str, Any] = {
            "name": arg.name,
            "in": "query",
            "required": True,
            "description": f"{arg.type}: {arg.description}" if arg.description else str(arg.type),
            "schema": query_schema(arg.type),
        }
        if isinstance(arg.type, ListType):
            param.update(style="form", explode=False)
        params.append(param)
    names = [arg.name for arg in spec.inputs]
    json_body = {
        "type": "object",
        "properties": {arg.name: value_schema(arg.type) for arg in spec.inputs},
        "required": names,
        "additionalProperties": False,
    }
    form_body = {
        "type": "object",
        "properties": {arg.name: form_schema(arg.type) for arg in spec.inputs},
        "required": names,
        "additionalProperties": False,
    }
    multipart = {
        "type": "object",
        "properties": {arg.name: _multipart_schema(arg.type) for arg in spec.inputs},
        "required": names,
        "additionalProperties": False,
    }
    outputs = {
        "type": "object",
        "properties": {arg.name: value_schema(arg.type, output=True) for arg in spec.outputs},
        "required": [arg.name for arg in spec.outputs],
        "additionalProperties": False,
    }
    ok = {
        "description": "The outputs by name, in specification order",
        "headers": {
            "X-AModule-Cache": {
                "description": "hit or miss (absent when the cache is disabled)",
                "schema": {"type": "string", "enum": ["hit", "miss"]},
            }
        },
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "properties": {"outputs": outputs},
                    "required": ["outputs"],
                    "additionalProperties": False,
                }
            }
        },
    }
    responses = {"200": ok, **{code: _error_response(text) for code, text in _ERRORS.items()}}
    summary = spec.description or f"Run {spec.name}"
    get = {
        "operationId": f"run_{spec.name}_get",
        "summary": summary,
        "parameters": params,
        "responses": responses,
    }
    post = {
        "operationId": f"run_{spec.name}_post",
        "summary": summary,
        "requestBody": {
            "required": bool(spec.inputs),
            "content": {
                "application/json": {"schema": json_body},
                "application/x-www-form-urlencoded": {"schema": form_body},
                "multipart/form-data": {"schema": multipart},
            },
        },
        "responses": responses,
    }
    return {"get": get, "post": post}


def _multipart_schema(iotype: IOType) -> dict[str, Any]:
    if isinstance(iotype, NdarrayType):
        return {"anyOf": [dict(_ARRAY_IN), {"type": "string", "contentMediaType": "application/octet-stream"}]}
    if isinstance(iotype, ListType) and isinstance(iotype.item, NdarrayType):
        upload = {"type": "string", "contentMediaType": "application/octet-stream"}
        return {"anyOf": [dict(_ARRAY_IN), upload, {"type": "array", "items": upload}]}
    return form_schema(iotype)


def _fixed_paths() -> dict[str, Any]:
    index = {
        "type": "object",
        "required": ["name", "api_version", "specification_url", "run_url", "cache_url"],
        "properties": {
            key: {"type": "string"}
            for key in (
                "name", "api_version", "module_version", "specification_url", "run_url", "debug_url",
                "test_url", "cache_url", "openapi_url", "health_url",
            )
        },
    }
    stats = {"$ref": _REF + "CacheStats"}
    return {
        "/api": {"get": {"operationId": "index", "summary": "What this service offers",
                         "responses": _json_ok("Names and absolute URLs", index)}},
        "/api/spec": {"get": {"operationId": "specification", "summary": "The specification",
                              "responses": _json_ok("The specification, test cases included",
                                                    {"type": "object"})}},
        "/api/run": {"get": {"operationId": "methods", "summary": "The methods that can be run",
                             "responses": _json_ok("Example call, inputs and outputs by method",
                                                   {"type": "object"})}},
        "/api/cache": {
            "get": {"operationId": "cache_stats", "summary": "Result cache statistics",
                    "responses": _json_ok("Statistics of this process's cache", stats)},
            "delete": {"operationId": "cache_clear", "summary": "Clear the result cache",
                       "responses": _json_ok("Statistics after clearing", stats)},
        },
        "/api/health": {"get": {"operationId": "health", "summary": "Liveness",
                                "responses": _json_ok("The module is loaded", {
                                    "type": "object", "properties": {"status": {"const": "ok"}},
                                    "required": ["status"]})}},
        "/api/openapi.json": {"get": {"operationId": "openapi", "summary": "This document",
                                      "responses": _json_ok("OpenAPI 3.1", {"type": "object"})}},
    }


_COMPONENTS = {
    "schemas": {
        "Error": {
            "type": "object",
            "required": ["error"],
            "properties": {
                "error": {
                    "type": "object",
                    "required": ["type", "message", "path"],
                    "properties": {
                        "type": {"type": "string", "description": "Error class, e.g. ConversionError"},
                        "message": {"type": "string"},
                        "path": {"type": "string", "description": "The argument at fault, or empty"},
                        "traceback": {"type": "string", "description": "Only with --debug"},
                    },
                }
            },
        },
        "CacheStats": {
            "type": "object",
            "required": ["capacity", "size", "hits", "misses"],
            "properties": {name: {"type": "integer", "minimum": 0}
                           for name in ("capacity", "size", "hits", "misses")},
        },
        "Annotation": {
            "type": "array",
            "description": "[kind, geometries]: kind is point, circle, ellipse, rect or polyline",
            "prefixItems": [
                {"type": "string", "enum": ["point", "circle", "ellipse", "rect", "polyline"]},
                {"type": "array"},
            ],
            "minItems": 2,
            "maxItems": 2,
        },
    }
}


def build_openapi(service: Any, api_version: str) -> dict[str, Any]:
    """The OpenAPI 3.1 document of ``service`` (a :class:`rest.service.Service`)."""
    module = service.spec.module
    info: dict[str, Any] = {
        "title": service.name or "amodule",
        "version": str(module.get("version") or api_version),
    }
    if module.get("description"):
        info["description"] = str(module["description"])
    paths = _fixed_paths()
    for name, entry in service.methods.items():
        paths[f"/api/run/{name}"] = _run_operations(entry)
    return {"openapi": "3.1.0", "info": info, "paths": paths, "components": _COMPONENTS}
