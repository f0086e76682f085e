"""The app and its fixed endpoints, through Flask's test client."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

import rest
from amodule_core.errors import ModuleLoadError, SpecError
from rest import RestConfig, create_app

from .rest_modules import data_url, png_bytes, write_module, write_types_module

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "example" / "amod_brightpixel"


@pytest.fixture(scope="module")
def types_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_types_module(tmp_path_factory.mktemp("rest_app") / "amod_types")


@pytest.fixture(scope="module")
def app(types_dir: Path) -> Flask:
    return create_app(types_dir, {"TESTING": True})


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture(scope="module")
def example_client() -> FlaskClient:
    return create_app(EXAMPLE, {"TESTING": True}).test_client()


def test_public_surface() -> None:
    assert rest.__all__ == ["create_app", "serve_main", "RestConfig"]
    assert callable(rest.create_app) and callable(rest.serve_main)
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        rest.nope  # noqa: B018


def test_api_index_has_absolute_urls(example_client: FlaskClient) -> None:
    response = example_client.get("/api", base_url="http://example.org:8080")
    assert response.status_code == 200
    assert response.json == {
        "name": "Bright Pixel Segmenter",
        "api_version": "1.3.0",
        "module_version": "1.0.0",
        "specification_url": "http://example.org:8080/api/spec",
        "run_url": "http://example.org:8080/api/run{/method}",
        "debug_url": "http://example.org:8080/api/debug",
        "test_url": "http://example.org:8080/api/test",
        "cache_url": "http://example.org:8080/api/cache",
        "openapi_url": "http://example.org:8080/api/openapi.json",
        "health_url": "http://example.org:8080/api/health",
    }


def test_api_spec_is_the_specification_with_test_cases(example_client: FlaskClient) -> None:
    spec = example_client.get("/api/spec").json
    assert spec["module"]["name"] == "Bright Pixel Segmenter"
    assert spec["methods"]["process"]["test_cases"][0] == ["image.png", 130, "mask_130.png", 16002]
    assert [arg["name"] for arg in spec["methods"]["process"]["output"]] == ["mask", "#bright_pixels"]


def test_api_run_lists_example_calls(example_client: FlaskClient) -> None:
    methods = example_client.get("/api/run").json
    assert list(methods) == ["process"]
    process = methods["process"]
    assert process["url"] == "http://localhost/api/run/process?image=ndarray/uint8///3&threshold=numeric/int"
    assert process["input"] == [
        {"name": "image", "type": "ndarray/uint8///3", "description": "RGB image of shape (h,w,3)"},
        {"name": "threshold", "type": "numeric/int", "description": "Threshold for bright pixels (0-255)"},
    ]
    assert process["output"][0]["category"] == {"name": "segmentation", "labels": ["background", "foreground"]}
    assert process["output"][1]["category"] == {"name": "measurement", "unit": "count"}


def test_api_run_exposes_only_implemented_methods(client: FlaskClient) -> None:
    methods = client.get("/api/run").json
    assert "unimplemented" not in methods
    assert list(methods) == [
        "scalars", "arrays", "shapes", "volumes", "lists", "annotate", "nothing", "fail",
        "wrong_output", "special_floats",
    ]
    assert methods["nothing"]["url"] == "http://localhost/api/run/nothing"
    assert methods["lists"]["url"].endswith(
        "/api/run/lists?ints=[numeric/int]&floats=[numeric/float]&words=[text]&flags=[boolean]")


def test_health(client: FlaskClient) -> None:
    response = client.get("/api/health")
    assert (response.status_code, response.json) == (200, {"status": "ok"})


def test_root_redirects_to_the_debug_page(client: FlaskClient) -> None:
    response = client.get("/")
    assert response.status_code == 302
    assert response.headers["Location"] == "http://localhost/api/debug"
    assert response.mimetype == "application/json"


@pytest.mark.parametrize("url", ["/api", "/api/spec", "/api/run", "/api/health", "/api/cache",
                                 "/api/openapi.json", "/api/run/nothing", "/api/run/nope", "/nope"])
def test_json_responses_are_not_sniffed(client: FlaskClient, url: str) -> None:
    response = client.get(url)
    assert response.mimetype == "application/json"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_outputs_in_spec_order(example_client: FlaskClient) -> None:
    png = (EXAMPLE / "testdata" / "image.png").read_bytes()
    response = example_client.get("/api/run/process", query_string={"image": data_url(png), "threshold": "130"})
    assert response.status_code == 200
    outputs = response.json["outputs"]
    assert list(outputs) == ["mask", "#bright_pixels"]
    assert outputs["#bright_pixels"] == 16002
    assert outputs["mask"].startswith("data:image/png;base64,")
    assert response.get_data().startswith(b'{"outputs":{"mask":')


def test_cache_hit_miss_stats_and_clear(types_dir: Path) -> None:
    client = create_app(types_dir, RestConfig(cache_size=2)).test_client()
    query = {"n": "1", "i": "2", "f": "3", "t": "x", "b": "true"}
    assert client.get("/api/cache").json == {"capacity": 2, "size": 0, "hits": 0, "misses": 0}
    first = client.get("/api/run/scalars", query_string=query)
    second = client.post("/api/run/scalars", json={"n": 1, "i": 2, "f": 3.0, "t": "x", "b": True})
    assert first.headers["X-AModule-Cache"] == "miss"
    assert second.headers["X-AModule-Cache"] == "hit"  # same converted inputs, other form
    assert second.get_data() == first.get_data()
    client.get("/api/run/nothing")
    client.get("/api/run/scalars", query_string={**query, "t": "y"})  # evicts the first entry
    assert client.get("/api/cache").json == {"capacity": 2, "size": 2, "hits": 1, "misses": 3}
    assert client.get("/api/run/scalars", query_string=query).headers["X-AModule-Cache"] == "miss"
    cleared = client.delete("/api/cache")
    assert cleared.json == {"capacity": 2, "size": 0, "hits": 0, "misses": 0}


def test_cache_does_not_call_the_module_again(types_dir: Path) -> None:
    app = create_app(types_dir)
    service = app.extensions["amodule"]
    client = app.test_client()
    query = {"n": "1", "i": "2", "f": "3", "t": "cached", "b": "no"}
    before = type(service.instance).calls
    for _ in range(3):
        assert client.get("/api/run/scalars", query_string=query).status_code == 200
    assert type(service.instance).calls == before + 1


def test_cache_disabled(types_dir: Path) -> None:
    client = create_app(types_dir, {"cache_size": 0}).test_client()
    response = client.get("/api/run/nothing")
    assert response.json == {"outputs": {"answer": 42}}
    assert "X-AModule-Cache" not in response.headers
    assert client.get("/api/cache").json == {"capacity": 0, "size": 0, "hits": 0, "misses": 0}


def test_cache_key_tells_arrays_apart(types_dir: Path) -> None:
    from rest.cache import inputs_key
    import numpy as np

    a = np.zeros((2, 3), np.uint8)
    keys = {
        inputs_key("m", [a]), inputs_key("m", [a.astype(np.int8)]), inputs_key("m", [a.reshape(3, 2)]),
        inputs_key("m", [[a]]), inputs_key("m", [1]), inputs_key("m", [True]), inputs_key("m", [1.0]),
        inputs_key("m", ["1"]), inputs_key("n", [a]), inputs_key("m", [a, a]),
    }
    assert len(keys) == 10
    assert inputs_key("m", [a]) == inputs_key("m", [np.zeros((2, 3), np.uint8)])


def test_module_instance_as_target(types_dir: Path) -> None:
    from amodule_core.module import load_module_class

    instance = load_module_class(types_dir)()
    app = create_app(instance)
    assert app.extensions["amodule"].instance is instance
    assert app.test_client().get("/api/run/nothing").json == {"outputs": {"answer": 42}}


def test_package_name_as_target(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(str(EXAMPLE.parent))
    app = create_app("amod_brightpixel")
    assert app.extensions["amodule"].name == "Bright Pixel Segmenter"


def test_module_is_instantiated_once(tmp_path: Path) -> None:
    source = '''
    from amodule_core import Module

    class Counted(Module):
        made = 0

        def __init__(self):
            Counted.made += 1

        def nothing(self):
            return Counted.made
    '''
    spec = {"module": {"name": "Counted"},
            "methods": {"nothing": {"input": [], "output": [{"name": "made", "type": "numeric/int"}]}}}
    client = create_app(write_module(tmp_path / "m", spec, source), {"cache_size": 0}).test_client()
    assert [client.get("/api/run/nothing").json["outputs"]["made"] for _ in range(3)] == [1, 1, 1]


def test_error_broken_constructor_fails_at_start(tmp_path: Path) -> None:
    source = '''
    from amodule_core import Module

    class Broken(Module):
        def __init__(self):
            raise RuntimeError("model file resources/weights.bin is missing")

        def nothing(self):
            return 1
    '''
    spec = {"module": {"name": "Broken"},
            "methods": {"nothing": {"input": [], "output": [{"name": "y", "type": "numeric/int"}]}}}
    with pytest.raises(ModuleLoadError) as info:
        create_app(write_module(tmp_path / "m", spec, source))
    assert str(info.value) == (
        "creating Broken() failed: RuntimeError: model file resources/weights.bin is missing")


def test_error_bad_spec_fails_at_start(tmp_path: Path) -> None:
    spec = {"module": {"name": "Bad"}, "methods": {"m": {"input": [], "output": [{"name": "y", "type": "numerc"}]}}}
    with pytest.raises(SpecError, match=r"methods\.m\.output\[0\]\.type: unknown"):
        create_app(write_module(tmp_path / "m", spec, "from amodule_core import Module\nclass M(Module):\n    pass\n"))


def test_error_unknown_target() -> None:
    with pytest.raises(ModuleLoadError, match="'no_such_module_xyz' is neither a module folder nor an importable package"):
        create_app("no_such_module_xyz")


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"cache": 3}, "unknown REST setting 'cache' (expected one of allow_private_urls, cache_size, debug, "
                       "fetch_timeout, file_roots, max_pixels, max_request_mb, trusted_proxies, or an upper-case Flask setting)"),
        ({"cache_size": -1}, "cache_size must be >= 0 (got -1)"),
        ({"max_request_mb": 0}, "max_request_mb must be > 0 (got 0)"),
        ({"max_pixels": 0}, "max_pixels must be >= 1 (got 0)"),
        ({"trusted_proxies": -2}, "trusted_proxies must be >= 0 (got -2)"),
        ({"fetch_timeout": 0}, "fetch_timeout must be > 0 (got 0)"),
    ],
)
def test_error_bad_config(types_dir: Path, config: dict, message: str) -> None:
    with pytest.raises(ValueError) as info:
        create_app(types_dir, config)
    assert str(info.value) == message


def test_one_file_root_as_a_string(tmp_path: Path) -> None:
    assert RestConfig(file_roots=str(tmp_path)).file_roots == (tmp_path.resolve(),)  # type: ignore[arg-type]


def test_error_file_root_not_a_folder(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="is not a folder"):
        RestConfig(file_roots=(tmp_path / "missing",))


def test_flask_settings_pass_through(types_dir: Path) -> None:
    app = create_app(types_dir, {"TESTING": True, "max_request_mb": 1})
    assert app.config["TESTING"] is True
    assert app.config["MAX_CONTENT_LENGTH"] == 2**20
    assert app.config["MAX_FORM_MEMORY_SIZE"] == 2**20


def test_behind_a_proxy(types_dir: Path) -> None:
    client = create_app(types_dir, {"trusted_proxies": 1}).test_client()
    headers = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "models.example.org",
               "X-Forwarded-Prefix": "/bright"}
    urls = client.get("/api", headers=headers).json
    assert urls["specification_url"] == "https://models.example.org/bright/api/spec"
    untrusted = create_app(types_dir).test_client().get("/api", headers=headers).json
    assert untrusted["specification_url"] == "http://localhost/api/spec"


def test_openapi_document(client: FlaskClient) -> None:
    doc = client.get("/api/openapi.json").json
    assert doc["openapi"] == "3.1.0"
    assert doc["info"] == {"title": "Types", "version": "2.0.0", "description": "Every IO type, echoed"}
    assert "/api/run/unimplemented" not in doc["paths"]
    scalars = doc["paths"]["/api/run/scalars"]
    params = {p["name"]: p["schema"] for p in scalars["get"]["parameters"]}
    assert params == {"n": {"type": "number"}, "i": {"type": "integer"}, "f": {"type": "number"},
                      "t": {"type": "string"}, "b": {"type": "boolean"}}
    lists = {p["name"]: p for p in doc["paths"]["/api/run/lists"]["get"]["parameters"]}
    assert lists["ints"]["schema"] == {"type": "array", "items": {"type": "integer"}}
    assert (lists["ints"]["style"], lists["ints"]["explode"]) == ("form", False)
    body = scalars["post"]["requestBody"]["content"]
    assert set(body) == {"application/json", "application/x-www-form-urlencoded", "multipart/form-data"}
    assert body["application/json"]["schema"]["required"] == ["n", "i", "f", "t", "b"]
    ok = scalars["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert ok["properties"]["outputs"]["required"] == ["n", "i", "f", "t", "b"]
    assert set(scalars["get"]["responses"]) == {"200", "400", "403", "404", "413", "415", "500"}
    arrays = doc["paths"]["/api/run/arrays"]["post"]["requestBody"]["content"]["multipart/form-data"]["schema"]
    assert {"type": "string", "contentMediaType": "application/octet-stream"} in arrays["properties"]["u8"]["anyOf"]
    assert set(doc["paths"]) >= {"/api", "/api/spec", "/api/run", "/api/cache", "/api/health", "/api/openapi.json"}
    assert doc["components"]["schemas"]["Error"]["properties"]["error"]["required"] == ["type", "message", "path"]


def test_openapi_document_is_valid_json_schema_where_checkable(client: FlaskClient) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    doc = client.get("/api/openapi.json").json
    resolver_doc = {"components": doc["components"]}
    ok = doc["paths"]["/api/run/scalars"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    answer = client.get("/api/run/scalars", query_string={"n": "1", "i": "2", "f": "3", "t": "x", "b": "1"}).json
    jsonschema.validate(answer, {**ok, **resolver_doc})
    error = client.get("/api/run/scalars").json
    jsonschema.validate(error, {**doc["components"]["schemas"]["Error"], **resolver_doc})


def test_png_output_decodes_to_the_mask(example_client: FlaskClient) -> None:
    png = (EXAMPLE / "testdata" / "image.png").read_bytes()
    outputs = example_client.post("/api/run/process", data={"image": data_url(png), "threshold": "150"}).json["outputs"]
    raw = base64.b64decode(outputs["mask"].split(",", 1)[1])
    from amodule_core.convert import decode_bytes

    mask = decode_bytes(raw)
    expected = decode_bytes((EXAMPLE / "testdata" / "mask_150.png").read_bytes())
    assert (mask == expected).all()
    assert outputs["#bright_pixels"] == 9276
    assert png_bytes(mask)  # a round trip through Pillow works
