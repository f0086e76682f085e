"""Every input form (query, url-encoded form, multipart, JSON) for every IO type and lists."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any
from urllib.parse import quote

import numpy as np
import pytest
from flask import Flask
from flask.testing import FlaskClient

from rest import create_app

from .rest_modules import data_url, decode_data_url_array, npy_bytes, npz_bytes, png_bytes, write_types_module

FORMS = ["query", "form", "multipart", "json"]

U8 = np.array([0, 7, 255], np.uint8)
F32 = np.array([[1.5, -2.25], [0.0, 3e8]], np.float32)
I16 = np.array([[-300, 2], [3, 32000]], np.int16)
IMG = np.arange(2 * 3 * 3, dtype=np.uint8).reshape(2, 3, 3) * 10
GRAY = np.array([[0, 128, 255], [1, 2, 3]], np.uint8)


class Upload:
    """An array sent as a file: an upload in multipart, a data URL elsewhere."""

    def __init__(self, data: bytes, media: str) -> None:
        self.data, self.media = data, media


def as_png(array: np.ndarray) -> Upload:
    return Upload(png_bytes(array), "image/png")


def as_npy(array: np.ndarray) -> Upload:
    return Upload(npy_bytes(array), "ndarray/npy")


def as_npz(array: np.ndarray) -> Upload:
    return Upload(npz_bytes(array), "ndarray/npz")


def _text(value: Any) -> str:
    if isinstance(value, Upload):
        return data_url(value.data, value.media)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        if value and isinstance(value[0], (list, tuple)) and not isinstance(value[0], str):
            return json.dumps(value)
        return ",".join(_text(item) for item in value)
    if isinstance(value, tuple):  # an annotation
        return json.dumps(value)
    return str(value)


def _json(value: Any) -> Any:
    if isinstance(value, Upload):
        return data_url(value.data, value.media)
    if isinstance(value, list):
        return [_json(item) for item in value]
    return value


def call(client: FlaskClient, form: str, method: str, args: dict[str, Any]):
    """``POST``/``GET`` ``/api/run/<method>`` with ``args`` encoded the way ``form`` says."""
    url = f"/api/run/{method}"
    if form == "query":
        return client.get(url, query_string={k: _text(v) for k, v in args.items()})
    if form == "form":
        return client.post(url, data={k: _text(v) for k, v in args.items()})
    if form == "json":
        return client.post(url, json={k: _json(v) for k, v in args.items()})
    data: dict[str, Any] = {}
    for key, value in args.items():
        if isinstance(value, Upload):
            data[key] = (io.BytesIO(value.data), f"{key}.bin")
        elif isinstance(value, list) and value and isinstance(value[0], Upload):
            data[key] = [(io.BytesIO(item.data), f"{key}{i}.bin") for i, item in enumerate(value)]
        else:
            data[key] = _text(value)
    return client.post(url, data=data, content_type="multipart/form-data")


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Flask:
    folder = write_types_module(tmp_path_factory.mktemp("rest_inputs") / "amod_types")
    return create_app(folder, {"TESTING": True, "cache_size": 0})


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def ok(response) -> dict[str, Any]:
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.mimetype == "application/json"
    return response.json["outputs"]


@pytest.mark.parametrize("form", FORMS)
def test_scalars(client: FlaskClient, form: str) -> None:
    args = {"n": 1.5, "i": 2, "f": 3, "t": "a, b & c", "b": True}
    assert ok(call(client, form, "scalars", args)) == {"n": 1.5, "i": 2, "f": 3.0, "t": "a, b & c", "b": True}


@pytest.mark.parametrize("form", FORMS)
def test_scalar_variants(client: FlaskClient, form: str) -> None:
    args = {"n": 7, "i": -3, "f": -0.5, "t": "", "b": False}
    outputs = ok(call(client, form, "scalars", args))
    assert outputs == {"n": 7, "i": -3, "f": -0.5, "t": "", "b": False}
    assert isinstance(outputs["n"], int)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("yes", True), ("on", True), ("1", True), ("TRUE", True), ("no", False), ("off", False), ("0", False)],
)
def test_boolean_words(client: FlaskClient, text: str, expected: bool) -> None:
    query = {"n": "1", "i": "1", "f": "1", "t": "t", "b": text}
    assert ok(client.get("/api/run/scalars", query_string=query))["b"] is expected


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("encode", [as_npy, as_npz], ids=["npy", "npz"])
def test_arrays_of_several_dtypes(client: FlaskClient, form: str, encode) -> None:
    args = {"u8": encode(U8), "f32": encode(F32), "i16": encode(I16), "img": as_png(IMG)}
    outputs = ok(call(client, form, "arrays", args))
    assert outputs["shapes"] == "uint8(3,);float32(2, 2);int16(2, 2);uint8(2, 3, 3)"
    assert outputs["u8"].startswith("data:ndarray/npy;base64,")  # 1-d: not an image
    assert outputs["img"].startswith("data:image/png;base64,")
    for name, expected in {"u8": U8, "f32": F32, "i16": I16, "img": IMG}.items():
        decoded = decode_data_url_array(outputs[name])
        assert decoded.dtype == expected.dtype and np.array_equal(decoded, expected), name


def test_arrays_as_nested_json_lists(client: FlaskClient) -> None:
    body = {"u8": U8.tolist(), "f32": F32.tolist(), "i16": I16.tolist(), "img": IMG.tolist()}
    outputs = ok(client.post("/api/run/arrays", json=body))
    assert outputs["shapes"] == "uint8(3,);float32(2, 2);int16(2, 2);uint8(2, 3, 3)"
    assert np.array_equal(decode_data_url_array(outputs["img"]), IMG)


@pytest.mark.parametrize(("fmt", "as_rgb"), [("PNG", False), ("BMP", False), ("TIFF", False), ("GIF", True),
                                           ("WEBP", True)])
def test_image_formats_pillow_reads(client: FlaskClient, fmt: str, as_rgb: bool) -> None:
    from PIL import Image

    Image.init()
    if fmt not in Image.SAVE:
        pytest.skip(f"this Pillow cannot write {fmt}")
    image = _lossless_webp(GRAY) if fmt == "WEBP" else png_bytes(GRAY, fmt)
    args = {"u8": as_npy(U8), "f32": as_npy(F32), "i16": as_npy(I16), "img": Upload(image, "image/x")}
    outputs = ok(call(client, "multipart", "arrays", args))
    expected = np.repeat(GRAY[..., None], 3, axis=2) if as_rgb else GRAY  # palettes and WebP come as RGB
    assert np.array_equal(decode_data_url_array(outputs["img"]), expected)


def _lossless_webp(array: np.ndarray) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.fromarray(array).convert("RGB").save(buffer, format="WEBP", lossless=True)
    return buffer.getvalue()


def test_jpeg_upload(client: FlaskClient) -> None:
    rgb = np.full((8, 8, 3), 120, np.uint8)
    args = {"u8": as_npy(U8), "f32": as_npy(F32), "i16": as_npy(I16), "img": Upload(png_bytes(rgb, "JPEG"), "image/jpeg")}
    outputs = ok(call(client, "multipart", "arrays", args))
    assert outputs["shapes"].endswith(";uint8(8, 8, 3)")


@pytest.mark.parametrize("form", FORMS)
def test_list_of_images(client: FlaskClient, form: str) -> None:
    images = [GRAY, GRAY[:1], np.zeros((4, 5), np.uint8)]
    outputs = ok(call(client, form, "shapes", {"images": [as_png(a) for a in images]}))
    assert outputs == {"shapes": ["uint8(2, 3)", "uint8(1, 3)", "uint8(4, 5)"]}


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("encode", [as_npz, as_npy], ids=["npz", "npy"])
def test_list_of_volumes(client: FlaskClient, form: str, encode) -> None:
    volumes = [np.ones((2, 3, 4), np.uint8), np.full((1, 2, 2), 5, np.uint8)]
    outputs = ok(call(client, form, "volumes", {"octs": [encode(v) for v in volumes]}))
    assert outputs == {"sums": [24, 20]}


@pytest.mark.parametrize("form", FORMS)
def test_lists_of_scalars(client: FlaskClient, form: str) -> None:
    args = {"ints": [3, 4, 5], "floats": [0.2, 0.7, 0.1], "words": ["a", "b c"], "flags": [True, False]}
    assert ok(call(client, form, "lists", args)) == {
        "ints": [3, 4, 5], "floats": [0.2, 0.7, 0.1], "words": ["a", "b c"], "flags": [True, False]}


@pytest.mark.parametrize("form", ["query", "form", "json"])
def test_empty_lists(client: FlaskClient, form: str) -> None:
    args = {"ints": [], "floats": [], "words": [], "flags": []}
    assert ok(call(client, form, "lists", args)) == args


def test_list_given_in_pieces(client: FlaskClient) -> None:
    query = [("ints", "1"), ("ints", "2,3"), ("floats", "1"), ("words", "x"), ("words", "y"), ("flags", "no")]
    url = "/api/run/lists?" + "&".join(f"{k}={quote(v)}" for k, v in query)
    assert ok(client.get(url)) == {"ints": [1, 2, 3], "floats": [1.0], "words": ["x", "y"], "flags": [False]}


def test_list_as_json_text_in_a_query(client: FlaskClient) -> None:
    query = {"ints": "[1, 2]", "floats": "[0.5]", "words": "a,b", "flags": "[true]"}
    assert ok(client.get("/api/run/lists", query_string=query)) == {
        "ints": [1, 2], "floats": [0.5], "words": ["a", "b"], "flags": [True]}


def test_lists_as_strings_in_json(client: FlaskClient) -> None:
    body = {"ints": "3,4,5", "floats": "0.5", "words": ["x"], "flags": "true,false"}
    assert ok(client.post("/api/run/lists", json=body)) == {
        "ints": [3, 4, 5], "floats": [0.5], "words": ["x"], "flags": [True, False]}


def test_numbers_as_strings_in_json(client: FlaskClient) -> None:
    body = {"n": "2.5", "i": "130", "f": 1, "t": "130", "b": "yes"}
    assert ok(client.post("/api/run/scalars", json=body)) == {"n": 2.5, "i": 130, "f": 1.0, "t": "130", "b": True}


@pytest.mark.parametrize("form", ["query", "form", "json"])
def test_annotations(client: FlaskClient, form: str) -> None:
    shape = ("rect", [[1, 2, 3, 4]])
    shapes = [("point", [[1, 2]]), ("circle", [[1, 2, 3]]), ("polyline", [[[0, 0], [1, 1]]])]
    args = {"shape": shape, "shapes": shapes}
    if form != "json":
        args = {"shape": json.dumps(shape), "shapes": json.dumps(shapes)}
    assert ok(call(client, form, "annotate", args)) == {"shape": ["rect", [[1, 2, 3, 4]]], "count": 3}


def test_query_combined_with_a_body(client: FlaskClient) -> None:
    response = client.post("/api/run/scalars?n=1&i=2", data={"f": "3", "t": "x", "b": "1"})
    assert ok(response) == {"n": 1, "i": 2, "f": 3.0, "t": "x", "b": True}
    response = client.post("/api/run/scalars?t=y", json={"n": 1, "i": 2, "f": 3, "b": False})
    assert ok(response)["t"] == "y"


def test_unencoded_data_url_in_a_query(client: FlaskClient) -> None:
    # as curl sends it: '+' of base64 arrives as a space, '/' and '=' as they are
    url = data_url(png_bytes(np.full((3, 3), 251, np.uint8)))
    assert "+" in url or "/" in url
    response = client.get(f"/api/run/shapes?images={url},{url}")
    assert ok(response) == {"shapes": ["uint8(3, 3)", "uint8(3, 3)"]}


def test_method_without_inputs(client: FlaskClient) -> None:
    assert ok(client.get("/api/run/nothing")) == {"answer": 42}
    assert ok(client.post("/api/run/nothing")) == {"answer": 42}
    assert ok(client.post("/api/run/nothing", json={})) == {"answer": 42}


def test_non_finite_floats_out(client: FlaskClient) -> None:
    response = client.get("/api/run/special_floats")
    assert response.status_code == 200
    assert response.get_data() == b'{"outputs":{"values":["nan","inf","-inf",1.5],"one":"nan"}}'


def test_empty_browser_file_input_is_ignored(client: FlaskClient) -> None:
    data = {"images": [(io.BytesIO(b""), ""), data_url(png_bytes(GRAY))]}
    response = client.post("/api/run/shapes", data=data, content_type="multipart/form-data")
    assert ok(response) == {"shapes": ["uint8(2, 3)"]}


def test_file_url_inside_a_root(tmp_path: Path, app: Flask) -> None:
    folder = write_types_module(tmp_path / "amod_types")
    root = tmp_path / "data"
    root.mkdir()
    (root / "a.png").write_bytes(png_bytes(GRAY))
    np.savez_compressed(root / "v.npz", np.ones((2, 2, 2), np.uint8))
    client = create_app(folder, {"file_roots": [root]}).test_client()
    response = client.get(f"/api/run/shapes?images=file://{root}/a.png,file://{root}/a.png")
    assert ok(response) == {"shapes": ["uint8(2, 3)", "uint8(2, 3)"]}
    response = client.post("/api/run/volumes", data={"octs": f"file://{root}/v.npz"})
    assert ok(response) == {"sums": [8]}
