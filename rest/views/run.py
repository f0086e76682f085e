"""``/api/run``: what can be run, and running a method with arguments from the request."""

from __future__ import annotations

import json
import math
from typing import Any

from flask import Blueprint, Response, request

from amodule_core.convert import to_json
from amodule_core.errors import ConversionError

from ..cache import inputs_key
from ..errors import ModuleFault, json_response
from ..inputs import gather_arguments
from ..service import MethodEntry, Service, get_service

__all__ = ["bp", "describe_methods", "encode_outputs"]

bp = Blueprint("run", __name__)

CACHE_HEADER = "X-AModule-Cache"


def _arg_json(arg: Any) -> dict[str, Any]:
    data: dict[str, Any] = {"name": arg.name, "type": str(arg.type)}
    if arg.description:
        data["description"] = arg.description
    if arg.category is not None:
        category: dict[str, Any] = {"name": arg.category.name}
        if arg.category.labels:
            category["labels"] = list(arg.category.labels)
        if arg.category.unit:
            category["unit"] = arg.category.unit
        data["category"] = category
    return data


def describe_methods(service: Service, base_url: str) -> dict[str, Any]:
    """Each exposed method: example call with argument types, description, inputs, outputs."""
    methods = {}
    for name, entry in service.methods.items():
        url = f"{base_url}/{name}"
        if entry.example_query:
            url += "?" + entry.example_query
        methods[name] = {
            "url": url,
            "description": entry.spec.description,
            "input": [_arg_json(arg) for arg in entry.spec.inputs],
            "output": [_arg_json(arg) for arg in entry.spec.outputs],
        }
    return methods


@bp.get("/api/run")
def list_methods() -> Response:
    """The methods this module serves, e.g. ``/api/run/process?image=ndarray/uint8///3&...``."""
    base = request.url_root.rstrip("/") + "/api/run"
    return json_response(describe_methods(get_service(), base))


@bp.route("/api/run/<method>", methods=["GET", "POST"])
def run(method: str) -> Response:
    """Run ``method`` with the request's arguments; ``{"outputs": {name: value, ...}}``."""
    service = get_service()
    entry = service.method(method)
    inputs = service.converter.convert(entry, gather_arguments(request))
    cache = service.cache
    if not cache.enabled:
        return _body_response(_encode(entry, service.call(entry, inputs)))
    key = inputs_key(entry.name, inputs)  # before the call: a module may change its inputs
    body = cache.get(key)
    if body is not None:
        return _body_response(body, "hit")
    body = _encode(entry, service.call(entry, inputs))
    cache.put(key, body)
    return _body_response(body, "miss")


def encode_outputs(entry: MethodEntry, outputs: tuple[Any, ...]) -> dict[str, Any]:
    """The outputs as JSON-able data by name, in spec order (arrays as data URLs)."""
    return {arg.name: to_json(value, arg.type) for arg, value in zip(entry.spec.outputs, outputs)}


def _encode(entry: MethodEntry, outputs: tuple[Any, ...]) -> bytes:
    try:
        data = {"outputs": encode_outputs(entry, outputs)}
    except ConversionError as exc:  # e.g. an ndarray output of Python objects: the module's fault
        raise ModuleFault(entry.name, exc) from exc
    try:
        text = json.dumps(data, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    except ValueError:  # NaN or infinity: JSON has none, so they are written as the spec writes them
        text = json.dumps(_finite(data), separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    return text.encode("utf-8")


def _finite(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)  # "nan", "inf", "-inf"
    if isinstance(value, dict):
        return {key: _finite(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_finite(item) for item in value]
    return value


def _body_response(body: bytes, cache_status: str | None = None) -> Response:
    response = Response(body, mimetype="application/json")
    if cache_status is not None:
        response.headers[CACHE_HEADER] = cache_status
    return response
