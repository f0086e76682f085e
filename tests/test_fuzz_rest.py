"""Fuzz tests of the REST app (Flask test client): arbitrary requests to every method.

Apps: the three example modules and the all-types module of ``tests/rest_modules.py``. For
each method, requests carry each argument (or leave it out, or repeat it, or add unknown
ones) as query text, url-encoded or multipart form fields, file uploads, or JSON values
(also non-object and broken JSON bodies and bodies of other types). Values are valid ones
of the declared type (arrays as PNG/npy data URLs), near misses (numbers out of range,
arrays of another dtype or shape, mutated payloads) and anything at all. Every answer:

* is never a 5xx — except from the all-types module's ``fail`` and ``wrong_output``,
  whose own code raises or returns the wrong type on purpose (a 500 naming the method);
* is JSON: ``{"outputs": {...}}`` with every declared output for a 200, and
  ``{"error": {"type", "message", "path"}}`` (strings, a non-empty message) for a 4xx.

Example counts: 150 per method in CI (fixed seed); ``AMODULE_FUZZ_EXAMPLES=N`` runs N.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

from amodule_core.iotypes import IOType, ListType, NdarrayType, NumericType
from rest import create_app

from .conftest import REPO
from .fuzz_strategies import (
    examples,
    image_payloads,
    json_values,
    mutated,
    npy_payloads,
    npz_payloads,
    values_of,
)
from .rest_modules import write_types_module

EXAMPLES = sorted((REPO / "example").glob("amod_*"))
#: Methods of the all-types module that fail on purpose (their own code's fault: a 500).
FAULTY = {"fail", "wrong_output"}
_TRANSPORTS = ["query", "form", "multipart", "json"]


@pytest.fixture(scope="module")
def apps(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Flask]:
    folder = write_types_module(tmp_path_factory.mktemp("fuzz_rest") / "amod_types")
    config = {"debug": True}  # a 500 carries its traceback: a failure explains itself
    found = {"types": create_app(folder, config)}
    for example_folder in EXAMPLES:
        found[example_folder.name] = create_app(example_folder, config)
    for app in found.values():
        app.logger.disabled = True  # the faulty methods' tracebacks are expected
    return found


def _methods() -> list[tuple[str, str]]:
    from amodule_core.spec import load_spec

    from .rest_modules import TYPES_SPEC

    pairs = [("types", name) for name in TYPES_SPEC["methods"] if name != "unimplemented"]
    for folder in EXAMPLES:
        pairs += [(folder.name, name) for name in load_spec(folder).methods]
    return pairs


METHODS = _methods()


# --- values ------------------------------------------------------------------------------------

_URLS = ["", "data:", "data:,", "file:///etc/passwd", "file://localhost/etc/hostname",
         "http://127.0.0.1:9/x.png", "http://[::1]:9/x", "http://169.254.169.254/latest",
         "ftp://example.invalid/x", "javascript:alert(1)", "data:text/html,<script>1</script>",
         "data:image/png;base64,!!!!", "https://", "http://localhost:0/", "http://[::1", "hTtP://B]e",
         "file://[x/a.png", "http://127.0.0.1:99999/", "http://user@127.0.0.1/"]
_payloads = st.one_of(image_payloads(), npy_payloads(), npz_payloads())
_payload_urls = st.one_of(
    st.builds(lambda data: f"data:image/png;base64,{__import__('base64').b64encode(data).decode()}",
              st.one_of(_payloads, mutated(_payloads))),
    st.sampled_from(_URLS),
)


def _near_type(iotype: IOType) -> st.SearchStrategy[IOType]:
    """``iotype`` itself or a neighbour (another dtype, shape or number kind)."""
    if isinstance(iotype, NdarrayType):
        others = [NdarrayType("float32", (2, 2)), NdarrayType("uint8", (1, 1, 1)), NdarrayType("int16"),
                  NdarrayType("uint8", (2, 0, 3)), NdarrayType(image=True), NdarrayType("bool", (2, 3))]
        return st.sampled_from([iotype, iotype, *others])
    if isinstance(iotype, NumericType):
        return st.sampled_from([iotype, NumericType(), NumericType("float")])
    return st.just(iotype)


def _small(iotype: IOType) -> IOType:
    """The type with every size above 8 made 8 (values must stay small)."""
    if isinstance(iotype, ListType):
        return ListType(_small(iotype.item))
    if isinstance(iotype, NdarrayType) and iotype.shape:
        return NdarrayType(iotype.dtype, tuple(d if d is None else min(d, 8) for d in iotype.shape))
    return iotype


def _jsonable(value: Any, iotype: IOType) -> Any:
    from amodule_core.convert import to_json

    try:
        return to_json(value, iotype)
    except Exception:  # an array to_json cannot encode: send it as nested lists
        return value.tolist() if isinstance(value, np.ndarray) else value


def _typed_json(iotype: IOType) -> st.SearchStrategy[Any]:
    """JSON values of (or near) ``iotype``: arrays as data URLs or nested lists."""
    def one(near: IOType) -> st.SearchStrategy[Any]:
        return values_of(_small(near)).map(lambda value: _jsonable(value, near))

    return _near_type(iotype).flatmap(one)


def _as_text(value: Any) -> str:
    """A JSON value as a query string holds it: lists comma-separated, the rest as text."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ",".join(_as_text(item) for item in value) if not any(
            isinstance(item, list) for item in value) else json.dumps(value)
    return value if isinstance(value, str) else json.dumps(value)


_junk_text = st.one_of(
    st.text(max_size=30), st.sampled_from(["", " ", ",", "[", "[]", "null", "nan", "-1", "1e999", "0x10",
                                           "true", "[1,2", '{"a":1}', "%00", "\x00", "a" * 300]),
    _payload_urls,
)


def _values(iotype: IOType, transport: str, valid: bool) -> st.SearchStrategy[Any]:
    """Values of ``iotype`` (``valid``), or of it or a neighbour or anything at all."""
    typed = values_of(_small(iotype)).map(lambda value: _jsonable(value, iotype)) if valid \
        else _typed_json(iotype)
    if transport != "json":
        typed = typed.map(_as_text)
    if valid:
        return typed
    return st.one_of(typed, typed, json_values() if transport == "json" else _junk_text, _junk_text)


_COUNTS = st.sampled_from([1] * 14 + [0, 2])  # an argument left out or repeated now and then
_files = st.one_of(_payloads, mutated(_payloads), st.binary(max_size=64))


@st.composite
def requests_for(draw: st.DrawFn, inputs: tuple[Any, ...]) -> tuple[str, list[tuple[str, Any]], Any]:
    """``(transport, [(name, value), ...], raw body or None)`` for a method's ``inputs``."""
    transport = draw(st.sampled_from(_TRANSPORTS))
    valid = draw(st.integers(0, 2)) == 0  # a third of the requests are valid: the method runs
    args: list[tuple[str, Any]] = []
    for arg in inputs:
        count = 1 if valid else draw(_COUNTS)
        for _ in range(count):
            if transport == "multipart" and not valid and draw(st.integers(0, 3)) == 0:
                args.append((arg.name, ("file", draw(_files))))
            else:
                args.append((arg.name, draw(_values(arg.type, transport, valid))))
    if valid:
        return transport, args, None
    if draw(st.integers(0, 19)) == 0:
        args.append((draw(st.text(max_size=8)), draw(_junk_text)))
    raw = None
    if transport == "json" and draw(st.integers(0, 9)) == 0:
        raw = draw(st.one_of(st.binary(max_size=40), json_values().map(lambda v: json.dumps(v).encode()),
                             st.sampled_from([b"", b"{", b"[1]", b"null", b'{"a":NaN}', b"\xff\xfe"])))
    if transport == "form" and draw(st.integers(0, 9)) == 0:
        raw = ("text/plain", draw(st.binary(max_size=40)))
    return transport, args, raw


def _send(client: FlaskClient, method: str, request: tuple[str, list[tuple[str, Any]], Any]) -> Any:
    transport, args, raw = request
    url = f"/api/run/{method}"
    if transport == "query":
        return client.get(url, query_string=MultiDict(args))
    if transport == "json":
        if raw is not None:
            return client.post(url, data=raw, content_type="application/json")
        body = {name: value for name, value in args}  # a repeated name: the last one
        return client.post(url, data=json.dumps(body), content_type="application/json")
    if transport == "form":
        if raw is not None:
            return client.post(url, data=raw[1], content_type=raw[0])
        return client.post(url, data=MultiDict(args), content_type="application/x-www-form-urlencoded")
    fields = []
    for name, value in args:
        if isinstance(value, tuple):
            fields.append((name, (io.BytesIO(value[1]), "upload.bin")))
        else:
            fields.append((name, value))
    return client.post(url, data=MultiDict(fields), content_type="multipart/form-data")


def check_answer(response: Any, method: str, outputs: tuple[str, ...], faulty: bool = False) -> None:
    """The rules every answer follows (see the module docstring)."""
    status = response.status_code
    assert response.mimetype == "application/json", (status, response.data[:200])
    body = json.loads(response.data)
    if status >= 500:
        assert faulty, f"{method}: {status} {body['error'].get('traceback') or body}"
        assert body["error"]["path"] == method and body["error"]["message"]
        return
    if status == 200:
        assert list(body) == ["outputs"] and list(body["outputs"]) == list(outputs)
        return
    assert 400 <= status < 500, status
    error = body["error"]
    assert {"type", "message", "path"} <= set(error), error
    assert all(isinstance(error[key], str) for key in ("type", "message", "path"))
    assert error["message"] and error["type"]


@pytest.fixture(scope="module")
def clients(apps: dict[str, Flask]) -> Iterator[dict[str, FlaskClient]]:
    yield {name: app.test_client() for name, app in apps.items()}


@pytest.mark.parametrize("app_name, method", METHODS, ids=[f"{a}.{m}" for a, m in METHODS])
def test_fuzz_run_method(clients: dict[str, FlaskClient], apps: dict[str, Flask], app_name: str,
                         method: str) -> None:
    app = apps[app_name]
    service = app.extensions["amodule"]
    entry = service.methods[method]
    outputs = entry.spec.output_names
    client = clients[app_name]

    @settings(max_examples=examples(150), suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.function_scoped_fixture])
    @given(requests_for(entry.spec.inputs))
    def fuzz(request: tuple[str, list[tuple[str, Any]], Any]) -> None:
        check_answer(_send(client, method, request), method, outputs, faulty=method in FAULTY)

    fuzz()


@settings(max_examples=examples(200))
@given(st.sampled_from(sorted({name for name, _ in METHODS})), st.text(min_size=1, max_size=40),
       st.sampled_from(["GET", "POST", "PUT", "DELETE"]))
@example("types", "unimplemented", "GET")
@example("types", "%2e%2e", "GET")
def test_fuzz_method_names(clients: dict[str, FlaskClient], app_name: str, name: str, verb: str) -> None:
    """Any method name in the URL: a JSON 404 (or 405 for another verb), never a 5xx."""
    from urllib.parse import quote

    response = clients[app_name].open(f"/api/run/{quote(name, safe='')}", method=verb)
    assert response.status_code < 500 and response.mimetype == "application/json"
    if response.status_code >= 400:
        assert json.loads(response.data)["error"]["message"]


# --- what fuzzing found (exact answers) -------------------------------------------------------

def test_empty_arrays_are_run_not_a_500(clients: dict[str, FlaskClient]) -> None:
    """Found by fuzzing: the result cache could not key an empty array (a 0 in its shape)."""
    from amodule_core.codec import encode_npy_data_url

    empty = encode_npy_data_url(np.zeros((0, 3), np.uint8))
    response = clients["types"].post("/api/run/shapes", json={"images": [empty, empty]})
    assert response.status_code == 200
    assert json.loads(response.data) == {"outputs": {"shapes": ["uint8(0, 3)", "uint8(0, 3)"]}}


def test_error_multipart_part_without_a_name(clients: dict[str, FlaskClient]) -> None:
    """Found by fuzzing (and by schemathesis before): Werkzeug names such a part None."""
    body = (b'--B\r\nContent-Disposition: form-data\r\n\r\nvalue\r\n--B--\r\n')
    response = clients["types"].post("/api/run/nothing", data=body, content_type="multipart/form-data; boundary=B")
    assert response.status_code == 400
    assert json.loads(response.data) == {"error": {
        "type": "BadRequestError", "path": "",
        "message": 'a multipart part has no name (its Content-Disposition needs name="...")'}}


def test_check_answer_can_fail() -> None:
    """The rules themselves catch a 5xx and a 4xx without the error fields."""
    class Answer:
        def __init__(self, status: int, body: Any) -> None:
            self.status_code, self.mimetype, self.data = status, "application/json", json.dumps(body)

    with pytest.raises(AssertionError):
        check_answer(Answer(500, {"error": {"type": "X", "message": "m", "path": "p"}}), "p", ())
    with pytest.raises(AssertionError):
        check_answer(Answer(400, {"error": {"message": "m"}}), "p", ())
    with pytest.raises(AssertionError):
        check_answer(Answer(200, {"outputs": {}}), "p", ("y",))
    check_answer(Answer(500, {"error": {"type": "X", "message": "m", "path": "p"}}), "p", (), faulty=True)


@pytest.mark.parametrize("url", ["http://[::1", "hTtP://B]e", "https://a]b/c.png"])
def test_error_url_with_a_lone_bracket(clients: dict[str, FlaskClient], url: str) -> None:
    """Found by schemathesis (big run): urlsplit's "Invalid IPv6 URL" was a 500."""
    response = clients["types"].get("/api/run/volumes", query_string={"octs": url})
    assert response.status_code == 400
    assert json.loads(response.data)["error"] == {
        "type": "ConversionError", "path": "octs[0]",
        "message": f"octs[0]: URL is malformed (Invalid IPv6 URL; got {url!r})"}
