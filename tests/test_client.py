"""RemoteModule against real servers: every example's test cases give the same results remotely."""

from __future__ import annotations

import json
import math
import sys
import textwrap
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest

from amodule_core.cases import load_cases
from amodule_core.client import RemoteError, RemoteModule
from amodule_core.errors import AModuleError, TypeCheckError
from amodule_core.runner import compare_outputs
from amodule_core.target import load_target

from .server_helpers import REPO, Server, free_port, launch, wait_ready

EXAMPLES = ["amod_brightpixel", "amod_digits", "amod_blobs"]


FAULTY_SPEC = {
    "methods": {
        "explode": {
            "input": [{"name": "x", "type": "numeric/int"}],
            "output": [{"name": "y", "type": "numeric/int"}],
        },
        "lies": {
            "input": [],
            "output": [{"name": "values", "type": "[numeric/float]"}, {"name": "flag", "type": "boolean"}],
        },
        "shapes": {
            "input": [{"name": "volume", "type": "ndarray/float32"}, {"name": "images", "type": "[ndarray/image]"}],
            "output": [
                {"name": "total", "type": "numeric/float"},
                {"name": "sizes", "type": "[numeric/int]"},
                {"name": "lines", "type": "annotation"},
                {"name": "volume", "type": "ndarray/float32"},
            ],
        },
    },
    "module": {"name": "Faulty"},
}

FAULTY_MODULE = '''
import math
import numpy as np
from amodule_core import Module


class Faulty(Module):
    def explode(self, x):
        raise ValueError(f"cannot handle {x}")

    def lies(self):
        return [1.0, math.nan, math.inf], True

    def shapes(self, volume, images):
        lines = ("polyline", [[(0, 0), (1, 2)], [(3, 4), (5, 6), (7, 8)]])
        return float(volume.sum()), [int(im.size) for im in images], lines, volume * 2
'''


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Server]]:
    """One server per example and one for a module with faults, started in parallel."""
    tmp = tmp_path_factory.mktemp("client")
    faulty = tmp / "faulty"
    faulty.mkdir()
    (faulty / "specification.py").write_text(f"SPEC = {FAULTY_SPEC!r}\n")
    (faulty / "module.py").write_text(textwrap.dedent(FAULTY_MODULE))
    targets = {name: str(REPO / "example" / name) for name in EXAMPLES} | {"faulty": str(faulty)}
    started = {name: launch([sys.executable, "-m", "rest", target], tmp) for name, target in targets.items()}
    try:
        for server in started.values():
            wait_ready(server)
        yield started
    finally:
        for server in started.values():
            server.stop()


def same(remote: Any, local: Any) -> bool:
    """Equal values of equal types, arrays by dtype, shape and content."""
    if isinstance(local, np.ndarray):
        return isinstance(remote, np.ndarray) and remote.dtype == local.dtype and np.array_equal(remote, local)
    if isinstance(local, (list, tuple)):
        return (type(remote) is type(local) and len(remote) == len(local)
                and all(same(r, l) for r, l in zip(remote, local)))
    return type(remote) is type(local) and remote == local


CASES = [(example, index) for example in EXAMPLES
         for index in range(len(load_target(REPO / "example" / example).spec.method("process").test_cases))]


@pytest.mark.server
@pytest.mark.parametrize(("example", "index"), CASES, ids=[f"{e}-process[{i}]" for e, i in CASES])
def test_every_example_case_same_remotely(servers: dict[str, Server], example: str, index: int) -> None:
    target = load_target(REPO / "example" / example)
    case = load_cases(target.spec)[index]
    local = target.instantiate().process(*case.inputs)
    remote = RemoteModule(servers[example].url).process(*case.inputs)
    assert same(remote, local)
    outputs = remote if isinstance(remote, tuple) else (remote,)
    assert compare_outputs(case, outputs) == []


@pytest.mark.server
def test_types_of_remote_outputs(servers: dict[str, Server]) -> None:
    image = load_cases(load_target(REPO / "example" / "amod_brightpixel").spec)[0].inputs[0]
    mask, count = RemoteModule(servers["amod_brightpixel"].url).process(image, 130)
    assert (mask.dtype, mask.shape, type(count)) == (np.uint8, image.shape[:2], int)
    blobs = RemoteModule(servers["amod_blobs"].url + "/api/")  # a trailing /api/ is fine
    boxes, count = blobs.process(np.kron(np.eye(2, dtype=np.uint8), np.full((3, 3), 255, np.uint8)), 0)
    assert boxes == ("rect", [(0, 0, 6, 6)])
    assert isinstance(boxes[1][0], tuple) and count == 1


@pytest.mark.server
def test_methods_signature_and_repr(servers: dict[str, Server]) -> None:
    import inspect

    remote = RemoteModule(servers["amod_brightpixel"].url)
    assert repr(remote) == f"<RemoteModule at {servers['amod_brightpixel'].url}>"
    assert list(remote.methods) == ["process"]
    assert str(inspect.signature(remote.process)) == "(image, threshold)"
    assert repr(remote.process) == (
        f"<RemoteMethod process(image: ndarray/uint8///3, threshold: numeric/int) at {servers['amod_brightpixel'].url}>"
    )
    assert "process" in dir(remote)
    assert remote.name() == "Bright Pixel Segmenter"
    assert remote.spec()["methods"]["process"]["test_cases"][0] == ["image.png", 130, "mask_130.png", 16002]


@pytest.mark.server
def test_keyword_arguments_and_file_paths(servers: dict[str, Server]) -> None:
    testdata = REPO / "example" / "amod_digits" / "testdata"
    remote = RemoteModule(servers["amod_digits"].url)
    by_path = remote.process(image=testdata / "paper_3_23.png")  # the file's own bytes are sent
    local = load_target(REPO / "example" / "amod_digits").instantiate().process(
        np.asarray(__import__("PIL.Image", fromlist=["Image"]).open(testdata / "digit_3_23.png")))
    assert by_path == local


@pytest.mark.server
def test_lists_volumes_and_polylines(servers: dict[str, Server]) -> None:
    remote = RemoteModule(servers["faulty"].url)
    volume = np.arange(24, dtype=np.float32).reshape(2, 3, 4)
    images = [np.zeros((2, 3), np.uint8), np.zeros((4, 5, 3), np.uint8)]
    total, sizes, lines, doubled = remote.shapes(volume, images)
    assert (total, sizes) == (276.0, [6, 60])
    assert lines == ("polyline", [((0, 0), (1, 2)), ((3, 4), (5, 6), (7, 8))])
    assert doubled.dtype == np.float32 and np.array_equal(doubled, volume * 2)


@pytest.mark.server
def test_non_finite_floats(servers: dict[str, Server]) -> None:
    values, flag = RemoteModule(servers["faulty"].url).lies()
    assert values[0] == 1.0 and math.isnan(values[1]) and values[2] == math.inf
    assert flag is True


@pytest.mark.server
def test_error_module_fault_carries_server_message(servers: dict[str, Server]) -> None:
    url = servers["faulty"].url
    with pytest.raises(RemoteError) as info:
        RemoteModule(url).explode(3)
    error = info.value
    assert (error.status, error.type, error.path, error.message) == (500, "ValueError", "explode", "cannot handle 3")
    assert str(error) == f"cannot handle 3 (HTTP 500 ValueError from {url}/api/run/explode)"
    assert error.traceback is None  # the server runs without --debug
    assert isinstance(error, AModuleError)


@pytest.mark.server
@pytest.mark.parametrize(("argument", "status", "kind", "message"), [
    ("file:///etc/passwd", 403, "RefusedError",
     "image: file:// URLs are not allowed here (no file roots are configured; got 'file:///etc/passwd')"),
    ("data:text/plain;base64,aGk=", 400, "ConversionError",
     "image: expected a data URL of an image or array (data:image/..., data:ndarray/npy, data:ndarray/npz), "
     "got media type 'text/plain'"),
])
def test_error_server_refusals(servers: dict[str, Server], argument: str, status: int, kind: str, message: str) -> None:
    url = servers["amod_blobs"].url
    with pytest.raises(RemoteError) as info:
        RemoteModule(url).process(argument, 0)
    assert (info.value.status, info.value.type, info.value.path, info.value.message) == (status, kind, "image", message)


@pytest.mark.server
@pytest.mark.parametrize(("args", "kwargs", "message"), [
    ((), {}, "process() missing 2 required arguments: 'image', 'threshold'"),
    ((1, 2, 3), {}, "process() takes 2 arguments (image, threshold) but 3 were given"),
    ((None,), {"image": None, "threshold": 1}, "process() got multiple values for argument 'image'"),
    ((), {"img": 1}, "process() got an unexpected keyword argument 'img' (it takes: image, threshold)"),
])
def test_error_argument_binding(servers: dict[str, Server], args: tuple[Any, ...], kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(TypeError) as info:
        RemoteModule(servers["amod_brightpixel"].url).process(*args, **kwargs)
    assert str(info.value) == message


@pytest.mark.server
def test_error_type_checked_before_sending(servers: dict[str, Server]) -> None:
    remote = RemoteModule(servers["amod_brightpixel"].url)
    with pytest.raises(TypeCheckError) as info:
        remote.process(np.zeros((4, 4), np.uint8), 130)
    assert str(info.value).startswith("process.input[0] 'image' must be ndarray/uint8///3 (got <ndarray uint8 (4, 4)>)")
    with pytest.raises(TypeCheckError, match=r"process.input\[1\] 'threshold' must be numeric/int \(got 1.5, a float\)"):
        remote.process(np.zeros((4, 4, 3), np.uint8), 1.5)


@pytest.mark.server
def test_error_unknown_method(servers: dict[str, Server]) -> None:
    url = servers["amod_blobs"].url
    with pytest.raises(AttributeError) as info:
        RemoteModule(url).segment
    assert str(info.value) == f"the module at {url} has no method 'segment' (it serves: process)"


def test_error_unreachable_server() -> None:
    url = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(RemoteError) as info:
        RemoteModule(url, timeout=5).methods
    assert info.value.status is None
    assert info.value.message.startswith("cannot reach the module: ConnectionError")
    assert str(info.value).endswith(f"(no answer from {url}/api/run)")


@pytest.mark.parametrize("url", ["ftp://host", "127.0.0.1:5000", ""])
def test_error_url_scheme(url: str) -> None:
    with pytest.raises(ValueError) as info:
        RemoteModule(url)
    assert str(info.value) == f"expected an http:// or https:// URL (got {url!r})"


class FakeResponse:
    def __init__(self, status: int, body: Any) -> None:
        self.status_code = status
        self.text = body if isinstance(body, str) else json.dumps(body)

    def json(self) -> Any:
        return json.loads(self.text)


class FakeSession:
    """Answers /api/run with ``methods`` and every POST with ``answer``; records requests."""

    def __init__(self, methods: Any, answer: FakeResponse) -> None:
        self.methods, self.answer, self.sent = methods, answer, []

    def request(self, verb: str, url: str, **kwargs: Any) -> FakeResponse:
        self.sent.append((verb, url, kwargs))
        return FakeResponse(200, self.methods) if verb == "GET" else self.answer


ONE_INT = {"f": {"input": [{"name": "x", "type": "numeric/float"}], "output": [{"name": "y", "type": "numeric/int"}]}}


def test_request_body_is_json_with_typed_values() -> None:
    session = FakeSession(ONE_INT, FakeResponse(200, {"outputs": {"y": 2.0}}))
    assert RemoteModule("http://x", session=session).f(np.float32(1.5)) == 2
    verb, url, kwargs = session.sent[-1]
    assert (verb, url, json.loads(kwargs["data"])) == ("POST", "http://x/api/run/f", {"x": 1.5})
    assert kwargs["headers"] == {"Content-Type": "application/json"}


@pytest.mark.parametrize(("answer", "message"), [
    (FakeResponse(200, {"result": 1}), "f: the answer has no 'outputs' object: \"{'result': 1}\""),
    (FakeResponse(200, {"outputs": {}}), "f.output[0] 'y': missing from the server's answer"),
    (FakeResponse(200, {"outputs": {"y": "many"}}), "f.output[0] 'y': expected numeric/int from the server, got 'many'"),
    (FakeResponse(200, {"outputs": {"y": 2.5}}), "the server's answer does not match the specification: "
                                                 "f.output[0] 'y' must be numeric/int (got 2.5, a float)"),
    (FakeResponse(502, "<html>bad gateway</html>"), "the server answered '<html>bad gateway</html>'"),
    (FakeResponse(200, "not json"), "expected JSON, got 'not json'"),
])
def test_error_malformed_answers(answer: FakeResponse, message: str) -> None:
    with pytest.raises(RemoteError) as info:
        RemoteModule("http://x", session=FakeSession(ONE_INT, answer)).f(1.0)
    assert info.value.message == message
