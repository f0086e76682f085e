"""``amodule run TARGET METHOD --NAME VALUE``: arguments converted like REST, outputs shown or written."""

from __future__ import annotations

import base64
import functools
import http.server
import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

from amodule_core.cases import load_cases
from amodule_core.cli import main
from amodule_core.convert import decode_data_url
from amodule_core.localrun import ArgumentResolver, RunResult, format_outputs, run_method
from amodule_core.runner import compare_outputs
from amodule_core.target import load_target

REPO = Path(__file__).resolve().parent.parent
BRIGHT = REPO / "example" / "amod_brightpixel"
DIGITS = REPO / "example" / "amod_digits"
BLOBS = REPO / "example" / "amod_blobs"

TYPES_SPEC = {
    "methods": {
        "echo": {
            "input": [
                {"name": "numbers", "type": "[numeric/int]"},
                {"name": "scale", "type": "numeric/float"},
                {"name": "flag", "type": "boolean"},
                {"name": "label", "type": "text"},
                {"name": "points", "type": "annotation"},
                {"name": "images", "type": "[ndarray/uint8//]"},
            ],
            "output": [
                {"name": "total", "type": "numeric/float"},
                {"name": "summary", "type": "text"},
                {"name": "shapes", "type": "[ndarray/uint8//]"},
                {"name": "volume", "type": "ndarray/float64"},
            ],
        },
        "explode": {"input": [], "output": [{"name": "y", "type": "numeric/int"}]},
        "missing": {"input": [], "output": []},
    },
    "module": {"name": "Types"},
}

TYPES_MODULE = '''
import numpy as np
from amodule_core import Module


class Types(Module):
    def echo(self, numbers, scale, flag, label, points, images):
        summary = f"{numbers} {scale!r} {flag} {label} {points}"
        return sum(numbers) * scale, summary, images, np.ones((2, 3, 4))

    def explode(self):
        raise ZeroDivisionError("as planned")
'''


@pytest.fixture
def types_module(make_module: Any) -> Path:
    return make_module(spec=TYPES_SPEC, source=TYPES_MODULE, files={}, name="amod_types_run")


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["run", *argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_run_bright_pixel_prints_outputs(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, str(BRIGHT), "process", "--image", str(BRIGHT / "testdata" / "image.png"),
                         "--threshold", "130")
    assert (code, err) == (0, "")
    assert out == "mask: <ndarray uint8 (254, 426)> min 0 max 255\n#bright_pixels: 16002\n"


def test_run_digits_shows_most_likely_label(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, str(DIGITS), "process", "--image", str(DIGITS / "testdata" / "paper_3_23.png"))
    assert code == 0
    assert out == (
        "probabilities: [0.000618148, 0.000212775, 0.027363, 0.931883, 3.27518e-05, 0.0139214, 1.96048e-05, "
        "0.0137862, 0.00492721, 0.00723552]\n  most likely: '3' (0.931883)\n"
    )


def test_run_blobs_lists_boxes(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, str(BLOBS), "process", "--image", str(BLOBS / "testdata" / "cells.png"), "--min_area=300")
    assert code == 0
    assert out == "boxes: rect, 3 geometries\n  (18, 13, 25, 25)\n  (10, 60, 30, 20)\n  (65, 61, 41, 19)\ncount: 3\n"


def test_run_by_package_name_and_project_folder(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(str(REPO / "example"))
    image = str(BLOBS / "testdata" / "touching.png")
    code, out, _ = run(capsys, "amod_blobs", "process", "--image", image, "--min_area", "0")
    assert (code, out.splitlines()[-1]) == (0, "count: 1")


EXAMPLE_CASES = [(folder, index) for folder in (BRIGHT, DIGITS, BLOBS)
                 for index in range(len(load_target(folder).spec.method("process").test_cases))]


@pytest.mark.parametrize(("folder", "index"), EXAMPLE_CASES, ids=[f"{f.name}-process[{i}]" for f, i in EXAMPLE_CASES])
def test_every_example_case_from_command_line_texts(folder: Path, index: int) -> None:
    target = load_target(folder)
    case = load_cases(target.spec)[index]
    texts = [str(folder / "testdata" / raw) if source is not None else json.dumps(raw)
             for raw, source in zip(case.raw, case.input_sources)]
    result = run_method(target, "process", texts)
    assert compare_outputs(case, result.outputs) == []


def test_json_output_is_the_rest_answer(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, err = run(capsys, str(BRIGHT), "process", "--image", str(BRIGHT / "testdata" / "image.png"),
                         "--threshold", "150", "--json", "--out", str(tmp_path / "out"))
    assert code == 0
    outputs = json.loads(out)["outputs"]
    assert list(outputs) == ["mask", "#bright_pixels"]
    assert outputs["#bright_pixels"] == 9276
    expected = np.asarray(Image.open(BRIGHT / "testdata" / "mask_150.png"))
    assert np.array_equal(decode_data_url(outputs["mask"]), expected)
    assert err == f"mask: wrote {tmp_path / 'out' / 'mask.png'}\n"


def test_out_writes_images_as_png_and_arrays_as_npy(capsys: pytest.CaptureFixture[str], types_module: Path, tmp_path: Path) -> None:
    images = []
    for i, shape in enumerate([(2, 3), (4, 5)]):
        images.append(str(tmp_path / f"in{i}.png"))
        Image.fromarray(np.full(shape, 7 * (i + 1), np.uint8)).save(images[-1])
    code, out, err = run(capsys, str(types_module), "echo", "--numbers", "1,2,3", "--scale", "0.5", "--flag", "yes",
                         "--label", "hi", "--points", '["point", [[1, 2]]]', "--images", ",".join(images),
                         "--out", str(tmp_path / "out"))
    assert (code, err) == (0, "")
    written = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert written == ["shapes_0.png", "shapes_1.png", "volume.npy"]
    assert np.array_equal(np.asarray(Image.open(tmp_path / "out" / "shapes_1.png")), np.full((4, 5), 14, np.uint8))
    assert np.array_equal(np.load(tmp_path / "out" / "volume.npy"), np.ones((2, 3, 4)))
    assert out.splitlines() == [
        "total: 3",
        "summary: \"[1, 2, 3] 0.5 True hi ['point', [[1, 2]]]\"",
        f"shapes: list of 2: <ndarray uint8 (2, 3)>, <ndarray uint8 (4, 5)> -> {tmp_path / 'out' / 'shapes_0.png'}, "
        f"{tmp_path / 'out' / 'shapes_1.png'}",
        f"volume: <ndarray float64 (2, 3, 4)> min 1 max 1 -> {tmp_path / 'out' / 'volume.npy'}",
    ]


@pytest.fixture
def http_folder(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A local HTTP server for ``tmp_path/www``: (base URL, folder)."""
    folder = tmp_path / "www"
    folder.mkdir()

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", folder
    finally:
        server.shutdown()
        server.server_close()
        thread.join(10)


def test_array_sources(http_folder: tuple[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    base, www = http_folder
    png = (BRIGHT / "testdata" / "mask_130.png").read_bytes()
    (www / "mask.png").write_bytes(png)
    (tmp_path / "local.png").write_bytes(png)
    np.save(tmp_path / "array.npy", np.arange(6, dtype=np.uint8).reshape(2, 3))
    expected = np.asarray(Image.open(BRIGHT / "testdata" / "mask_130.png"))
    monkeypatch.chdir(tmp_path)
    resolver = ArgumentResolver()
    sources = [
        "local.png",  # relative to the current folder
        str(tmp_path / "local.png"),
        (tmp_path / "local.png").as_uri(),
        f"{base}/mask.png",  # loopback: allowed for the user's own command
        "data:image/png;base64," + base64.b64encode(png).decode(),
    ]
    for source in sources:
        assert np.array_equal(resolver(source, "image"), expected), source
    assert resolver("array.npy", "image").tolist() == [[0, 1, 2], [3, 4, 5]]


@pytest.mark.parametrize(("argv", "message"), [
    (["--image", "nope.png", "--threshold", "1"],
     "amodule run: image: no such file: 'nope.png' (expected a file path, an http(s):// or file:// URL, or a data URL)\n"),
    (["--image", ".", "--threshold", "1"],
     "amodule run: image: a folder: '.' (expected a file path, an http(s):// or file:// URL, or a data URL)\n"),
    (["--image", "{image}", "--threshold", "1.5"], "amodule run: threshold: must be numeric/int (got '1.5')\n"),
    (["--image", "{mask}", "--threshold", "1"],
     "amodule run: image: must be ndarray/uint8///3 (got <ndarray uint8 (254, 426)>): needs 3 dimensions, has 2\n"),
])
def test_error_bad_arguments(capsys: pytest.CaptureFixture[str], argv: list[str], message: str) -> None:
    argv = [a.format(image=BRIGHT / "testdata" / "image.png", mask=BRIGHT / "testdata" / "mask_0.png") for a in argv]
    code, out, err = run(capsys, str(BRIGHT), "process", *argv)
    assert (code, out, err) == (2, "", message)


def test_error_missing_argument_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["run", str(BRIGHT), "process", "--threshold", "1"])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert err.endswith(f"amodule run {BRIGHT} process: error: the following arguments are required: --image\n")


def test_method_help_lists_inputs(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "200")  # argparse wraps help to the terminal's width
    with pytest.raises(SystemExit) as info:
        main(["run", str(BLOBS), "process", "--help"])
    assert info.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith(f"usage: amodule run {BLOBS} process [-h] --image FILE|URL --min_area INT [--out DIR] [--json]\n")
    assert "inputs of process:" in out
    assert "Smallest region kept, in pixels (below 1: every region) (numeric/int)" in out


@pytest.mark.parametrize(("method", "message"), [
    ("segment", "amodule run: method 'segment' does not exist (this module has: echo, explode)\n"),
    ("missing", "amodule run: method 'missing' is declared in the specification but not implemented "
                "(this module has: echo, explode)\n"),
])
def test_error_unknown_method(capsys: pytest.CaptureFixture[str], types_module: Path, method: str, message: str) -> None:
    assert run(capsys, str(types_module), method) == (2, "", message)


def test_error_module_raises(capsys: pytest.CaptureFixture[str], types_module: Path) -> None:
    code, out, err = run(capsys, str(types_module), "explode")
    assert (code, out) == (1, "")
    assert "Traceback (most recent call last)" in err
    assert err.endswith("amodule run: Types.explode failed: ZeroDivisionError: as planned\n")


def test_error_unknown_target(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run(capsys, str(tmp_path / "nope"), "process")
    assert code == 1
    assert err == f"amodule run: {tmp_path / 'nope'}: {str(tmp_path / 'nope')!r} is neither a module folder nor an importable package\n"


def test_format_long_lists_and_annotations() -> None:
    target = load_target(BLOBS)
    method = target.spec.method("process")
    boxes = ("rect", [(i, i, 1, 1) for i in range(25)])
    text = format_outputs(RunResult(method, (boxes, 25)))
    lines = text.splitlines()
    assert lines[0] == "boxes: rect, 25 geometries"
    assert lines[1:3] == ["  (0, 0, 1, 1)", "  (1, 1, 1, 1)"]
    assert lines[-2:] == ["  ... and 5 more", "count: 25"]
