"""The pages' server side (rest/pages.py) through Flask's test client: the JSON twin of the
test page, the test-data routes, the generated debug form and the escaping of spec text.

What the pages do in a browser is tested in test_browser.py.
"""

from __future__ import annotations

import base64
import io
import json
import re
import textwrap
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from flask.testing import FlaskClient
from PIL import Image

from amodule_core.cases import load_cases
from amodule_core.runner import run_case
from amodule_core.target import load_target
from rest import create_app

from .conftest import EXAMPLE, tiny_image

EVIL = "<script>alert(1)</script>"

#: ``process`` has a passing, a failing and an erroring case; ``widgets`` takes every kind of
#: input and gives every category of output (its NaN output fails); ``missing`` is declared
#: but not implemented.
KINDS_SPEC: dict[str, Any] = {
    "methods": {
        "process": {
            "description": "Bright pixels of an RGB image",
            "input": [
                {"name": "image", "type": "ndarray/uint8///3", "description": "RGB image"},
                {"name": "threshold", "type": "numeric/int", "description": "Threshold (0-255)"},
            ],
            "output": [
                {"name": "mask", "type": "ndarray/uint8//", "category": {"name": "segmentation", "labels": ["bg", "fg"]}},
                {"name": "count", "type": "numeric/int", "category": {"name": "measurement", "unit": "px"}},
            ],
            "test_cases": [
                ["rgb.png", 100, "mask.png", 4],
                ["rgb.png", 100, "wrong.png", 5],
                ["rgb.png", -1, "mask.png", 4],
            ],
        },
        "widgets": {
            "input": [
                {"name": "factor", "type": "numeric"},
                {"name": "ratio", "type": "numeric/float"},
                {"name": "title", "type": "text"},
                {"name": "flag", "type": "boolean"},
                {"name": "sizes", "type": "[numeric/int]"},
                {"name": "images", "type": "[ndarray/uint8]"},
                {"name": "region", "type": "annotation"},
                {"name": "field", "type": "ndarray/float32//"},
            ],
            "output": [
                {"name": "probs", "type": "[numeric/float]", "category": {"name": "classification", "labels": ["cat", "dog"]}},
                {"name": "boxes", "type": "annotation", "category": {"name": "detection", "labels": ["cell"]}},
                {"name": "scaled", "type": "ndarray/float32//", "category": "transformation"},
                {"name": "nan", "type": "numeric/float"},
            ],
            "test_cases": [
                [2, 0.5, "hi", True, [1, 2], ["rgb.png", "rgb.png"], ["point", [[1, 2]]], "field.npy",
                 [0.25, 0.75], ["rect", [[1, 1, 2, 2]]], "half.npy", 0.0],
            ],
        },
        "missing": {"input": [], "output": [{"name": "y", "type": "numeric"}], "test_cases": [[1]]},
    },
    "module": {"name": "Kinds", "version": "0.2.0", "description": "Every widget and category"},
}

KINDS_SOURCE = '''
import numpy as np
from amodule_core import Module


class Kinds(Module):
    def process(self, image, threshold):
        if threshold < 0:
            raise ValueError("threshold must be >= 0")
        mask = (image.mean(axis=2) > threshold).astype(np.uint8) * 255
        return mask, int(np.count_nonzero(mask))

    def widgets(self, factor, ratio, title, flag, sizes, images, region, field):
        return [0.25, 0.75], ("rect", [[1, 1, 2, 2]]), field * np.float32(ratio), float("nan")
'''


def kinds_files() -> dict[str, np.ndarray]:
    image = tiny_image()
    mask = (image.mean(axis=2) > 100).astype(np.uint8) * 255
    wrong = mask.copy()
    wrong[3, 0] = 255  # one pixel more than the module finds
    field = np.arange(20, dtype=np.float32).reshape(4, 5)
    return {"rgb.png": image, "mask.png": mask, "wrong.png": wrong, "field.npy": field,
            "half.npy": field * np.float32(0.5), "line.npy": np.arange(5, dtype=np.float32)}


def png_array(data: bytes) -> np.ndarray:
    with Image.open(io.BytesIO(data)) as image:
        return np.asarray(image)


def data_url_array(url: str) -> np.ndarray:
    head, _, payload = url.partition(",")
    raw = base64.b64decode(payload)
    return png_array(raw) if head.startswith("data:image/png") else np.load(io.BytesIO(raw), allow_pickle=False)


@pytest.fixture(scope="module")
def example() -> FlaskClient:
    return create_app(EXAMPLE, {"TESTING": True}).test_client()


def write_kinds(folder: Path, spec: dict[str, Any] = KINDS_SPEC) -> Path:
    """Write the kinds module (or another spec with its source and files) to ``folder``."""
    (folder / "testdata").mkdir(parents=True)
    (folder / "specification.py").write_text(f"SPEC = {spec!r}\n")
    (folder / "module.py").write_text(textwrap.dedent(KINDS_SOURCE))
    for name, array in kinds_files().items():
        if name.endswith(".npy"):
            np.save(folder / "testdata" / name, array)
        else:
            Image.fromarray(array).save(folder / "testdata" / name)
    return folder


@pytest.fixture(scope="module")
def kinds_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_kinds(tmp_path_factory.mktemp("pages") / "amod_kinds")


@pytest.fixture(scope="module")
def kinds(kinds_dir: Path) -> FlaskClient:
    return create_app(kinds_dir, {"TESTING": True}).test_client()


def fieldsets(html: str) -> dict[str, str]:
    """The debug form's fieldsets by input name."""
    chunks = html.split("<fieldset")[1:]
    return {re.search(r'data-field="([^"]*)"', c).group(1): c.split("</fieldset>")[0] for c in chunks}  # type: ignore[union-attr]


# ---------------------------------------------------------------- the case list

def test_cases_lists_every_example_case(example: FlaskClient) -> None:
    response = example.get("/api/test/cases")
    assert response.status_code == 200
    data = response.json
    assert data["module"] == {"name": "Bright Pixel Segmenter", "description": "Segments bright pixels of an RGB image and counts them.",
                              "version": "1.0.0", "missing": []}
    assert data["count"] == 4
    assert [m["name"] for m in data["methods"]] == ["process"]
    assert [c["id"] for c in data["cases"]] == ["process[0]", "process[1]", "process[2]", "process[3]"]
    first = data["cases"][0]
    assert first["run_url"] == "/api/test/run/process/0"
    assert first["inputs"] == [
        {"name": "image", "type": "ndarray/uint8///3", "text": "image.png", "value": None,
         "files": [{"name": "image.png", "url": "/api/testdata/image.png", "thumbnail_url": "/api/testdata/image.png?size=160"}]},
        {"name": "threshold", "type": "numeric/int", "files": [], "text": "130", "value": 130},
    ]
    assert first["expected"][1] == {"name": "#bright_pixels", "type": "numeric/int", "files": [], "text": "16002", "value": 16002}


def test_cases_leave_out_methods_the_class_lacks(kinds: FlaskClient) -> None:
    data = kinds.get("/api/test/cases").json
    assert [c["id"] for c in data["cases"]] == ["process[0]", "process[1]", "process[2]", "widgets[0]"]
    assert data["module"]["missing"] == ["missing"]
    widgets = data["cases"][3]
    assert [s["text"] for s in widgets["inputs"]] == [
        "2", "0.5", '"hi"', "true", "[1, 2]", '["rgb.png", "rgb.png"]', '["point", [[1, 2]]]', "field.npy"]
    assert [f["name"] for f in widgets["inputs"][5]["files"]] == ["rgb.png", "rgb.png"]
    assert widgets["inputs"][6]["value"] == ["point", [[1, 2]]]


# ---------------------------------------------------------------- running a case

@pytest.mark.parametrize(("index", "count"), [(0, 16002), (1, 9276), (2, 108204), (3, 0)])
def test_run_example_case_passes(example: FlaskClient, index: int, count: int) -> None:
    response = example.post(f"/api/test/run/process/{index}")
    assert response.status_code == 200
    data = response.json
    assert (data["id"], data["status"], data["passed"], data["message"]) == (f"process[{index}]", "passed", True, "")
    assert data["duration"] >= 0
    assert data["input_shapes"] == {"image": [254, 426, 3]}
    assert list(data) == ["id", "method", "index", "status", "passed", "duration", "message", "input_shapes", "outputs"]
    mask, bright = data["outputs"]
    assert list(mask) == ["name", "type", "description", "category", "passed", "message", "obtained", "expected", "diff"]
    assert (bright["obtained"], bright["expected"], bright["passed"], bright["diff"]) == (count, count, True, None)
    assert bright["category"] == {"name": "measurement", "labels": [], "unit": "count"}
    assert mask["category"] == {"name": "segmentation", "labels": ["background", "foreground"], "unit": None}
    obtained = data_url_array(mask["obtained"])
    assert obtained.shape == (254, 426) and int(np.count_nonzero(obtained)) == count
    assert np.array_equal(obtained, data_url_array(mask["expected"]))


def test_run_failing_case_gives_the_runner_message_and_a_diff(kinds: FlaskClient, kinds_dir: Path) -> None:
    data = kinds.post("/api/test/run/process/1").json
    target = load_target(kinds_dir)
    expected = run_case(target.instantiate(), load_cases(target.spec)[1]).message()
    assert (data["status"], data["passed"], data["message"]) == ("failed", False, expected)
    assert data["message"].splitlines()[:2] == [
        "process[1]: 2 of 2 outputs differ",
        "inputs: image='rgb.png', threshold=100",
    ]
    mask, count = data["outputs"]
    assert (mask["passed"], count["passed"]) == (False, False)
    assert count["message"] == "count: expected 5, got 4"
    assert mask["message"].splitlines()[:2] == ["mask: arrays differ (exact comparison)", "Mismatched elements: 1 / 20 (5%)"]
    diff = data_url_array(mask["diff"])
    assert diff.shape == (4, 5, 3)
    red = (diff[..., 0] >= 100) & (diff[..., 1] == 0) & (diff[..., 2] == 0)
    assert np.argwhere(red).tolist() == [[3, 0]]  # the one pixel that differs
    assert count["diff"] is None


def test_run_error_case_reports_the_exception(kinds: FlaskClient) -> None:
    data = kinds.post("/api/test/run/process/2").json
    assert (data["status"], data["passed"]) == ("error", False)
    assert data["message"] == "process[2]: image='rgb.png', threshold=-1\nValueError: threshold must be >= 0"
    assert [o["obtained"] for o in data["outputs"]] == [None, None]
    assert data["outputs"][1]["expected"] == 4


def test_run_encodes_every_kind_of_output(kinds: FlaskClient) -> None:
    data = kinds.post("/api/test/run/widgets/0").json
    assert data["status"] == "failed"
    assert data["message"].splitlines()[0] == "widgets[0]: 1 of 4 outputs differs"
    probs, boxes, scaled, nan = data["outputs"]
    assert (probs["obtained"], probs["passed"]) == ([0.25, 0.75], True)
    assert (boxes["obtained"], boxes["expected"]) == (["rect", [[1, 1, 2, 2]]], ["rect", [[1, 1, 2, 2]]])
    assert scaled["obtained"].startswith("data:ndarray/npy;base64,")
    assert data_url_array(scaled["obtained"]).tolist() == (np.arange(20, dtype=np.float32).reshape(4, 5) / 2).tolist()
    assert scaled["category"] == {"name": "transformation", "labels": [], "unit": None}
    assert (nan["obtained"], nan["expected"], nan["passed"]) == ("nan", 0.0, False)


def test_run_message_matches_pytest(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch,
                                    kinds: FlaskClient, kinds_dir: Path) -> None:
    data = kinds.post("/api/test/run/process/1").json
    # The nested run loads the plugin's distribution again, already imported: not rewritten.
    monkeypatch.setenv("PYTEST_ADDOPTS", "-W ignore::pytest.PytestAssertRewriteWarning")
    result = pytester.runpytest(str(kinds_dir / "specification.py"), "-p", "no:cacheprovider", "-p", "no:hypothesispytest")
    result.assert_outcomes(passed=1, failed=4)
    output = result.stdout.str()
    assert "process[1]" in output
    for line in data["message"].splitlines():
        assert line in output


# ---------------------------------------------------------------- errors of the twin

@pytest.mark.parametrize(("url", "status", "message"), [
    ("/api/test/run/process/4", 404, "no test case process[4] ('process' has 4 test cases: indexes 0 to 3)"),
    ("/api/test/run/nope/0", 404, "no method 'nope' (this module serves: process)"),
])
def test_error_run_unknown_case(example: FlaskClient, url: str, status: int, message: str) -> None:
    response = example.post(url)
    assert response.status_code == status
    assert response.json["error"]["message"] == message
    assert response.json["error"]["path"] == url.split("/")[-2]


def test_error_run_method_not_implemented(kinds: FlaskClient) -> None:
    response = kinds.post("/api/test/run/missing/0")
    assert response.status_code == 404
    assert response.json["error"]["message"] == (
        "method 'missing' is declared in the specification but Kinds does not implement it "
        "(this module serves: process, widgets)")


def test_error_run_needs_post(example: FlaskClient) -> None:
    response = example.get("/api/test/run/process/0")
    assert response.status_code == 405
    assert response.json["error"]["type"] == "MethodNotAllowed"


# ---------------------------------------------------------------- test data

def test_testdata_lists_files(kinds: FlaskClient) -> None:
    files = kinds.get("/api/testdata").json["files"]
    assert [f["name"] for f in files] == ["field.npy", "half.npy", "line.npy", "mask.png", "rgb.png", "wrong.png"]
    assert files[0] == {"name": "field.npy", "url": "/api/testdata/field.npy", "thumbnail_url": "/api/testdata/field.npy?size=160"}


def test_testdata_file_as_is(kinds: FlaskClient, kinds_dir: Path) -> None:
    with kinds.get("/api/testdata/rgb.png") as response:
        assert response.status_code == 200
        assert response.data == (kinds_dir / "testdata" / "rgb.png").read_bytes()


@pytest.mark.parametrize(("name", "size", "shape"), [
    ("image.png", 160, (95, 160, 3)),  # 426x254 shrunk
    ("image.png", 1024, (254, 426, 3)),  # never enlarged when it is not tiny
    ("mask_130.png", 50, (30, 50)),
])
def test_testdata_preview(example: FlaskClient, name: str, size: int, shape: tuple[int, ...]) -> None:
    response = example.get(f"/api/testdata/{name}?size={size}")
    assert (response.status_code, response.mimetype) == (200, "image/png")
    assert png_array(response.data).shape == shape


@pytest.mark.parametrize(("name", "shape"), [("rgb.png", (128, 160, 3)), ("field.npy", (128, 160))])
def test_testdata_preview_enlarges_tiny_pictures(kinds: FlaskClient, name: str, shape: tuple[int, ...]) -> None:
    picture = png_array(kinds.get(f"/api/testdata/{name}?size=160").data)
    assert picture.shape == shape  # 4x5 by a whole factor of 32
    if name == "field.npy":  # floats scaled to 0..255
        assert (picture[0, 0], picture[-1, -1]) == (0, 255)


@pytest.mark.parametrize("name", [
    "../specification.py", "..%2Fspecification.py", "%2e%2e/module.py", "nothing.png", "/etc/passwd",
    "../../../../../../etc/passwd", "rgb.png/..", "",
])
def test_error_testdata_outside_or_missing(kinds: FlaskClient, name: str) -> None:
    response = kinds.get(f"/api/testdata/{name}", follow_redirects=True)  # '//etc' is redirected first
    assert response.status_code == 404
    assert response.json["error"]["type"] in ("DataFileNotFound", "NotFound")


def test_error_testdata_symlink_out(tmp_path: Path) -> None:
    folder = write_kinds(tmp_path / "amod_kinds")
    (folder / "testdata" / "out.png").symlink_to(folder / "testdata" / ".." / "module.py")
    (folder / "testdata" / "away.png").symlink_to("/etc/hostname")
    client = create_app(folder, {"TESTING": True}).test_client()
    for name in ("out.png", "away.png"):
        response = client.get(f"/api/testdata/{name}")
        assert response.status_code == 404
        assert response.json["error"] == {"type": "DataFileNotFound", "message": f"no test-data file {name!r}", "path": name}


@pytest.mark.parametrize("size", ["0", "4097", "x", "-1", "1.5", ""])
def test_error_testdata_bad_size(example: FlaskClient, size: str) -> None:
    response = example.get(f"/api/testdata/image.png?size={size}")
    assert response.status_code == 400
    assert response.json["error"]["message"] == f"'size' must be an integer from 1 to 4096 (got {size!r})"


def test_error_testdata_without_picture(kinds: FlaskClient) -> None:
    response = kinds.get("/api/testdata/line.npy?size=64")
    assert response.status_code == 404
    assert response.json["error"] == {"type": "DataFileNotFound", "path": "line.npy",
                                      "message": "test-data file 'line.npy' has no picture (not a 2-D or colour array)"}


# ---------------------------------------------------------------- the pages

def test_root_redirects_to_debug(example: FlaskClient) -> None:
    response = example.get("/")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/api/debug")


@pytest.mark.parametrize("url", ["/api/test", "/api/debug"])
def test_pages_link_each_other_and_ship_their_assets(example: FlaskClient, url: str) -> None:
    response = example.get(url)
    assert (response.status_code, response.mimetype) == (200, "text/html")
    html = response.get_data(as_text=True)
    for link in ('href="/api/test"', 'href="/api/debug"', 'href="/api"', 'href="/api/spec"'):
        assert link in html
    assets = re.findall(r'(?:src|href)="(/api/pages/static/[^"]+)"', html)
    assert len(assets) == 3
    for asset in assets:
        with example.get(asset) as response:
            assert response.status_code == 200
    assert not re.search(r'(?:src|href)="(?:https?:)?//', html)  # nothing from the internet


def test_static_assets_fetch_nothing_from_the_internet() -> None:
    static = Path(__file__).resolve().parent.parent / "rest" / "static"
    files = sorted(static.iterdir())
    assert [f.name for f in files] == ["common.js", "debug.js", "pages.css", "test.js"]
    for file in files:
        text = file.read_text()
        assert "http://" not in text and "https://" not in text.replace("https://…", "")
        assert "innerHTML" not in text and "insertAdjacentHTML" not in text and "eval(" not in text


def test_test_page_lists_cases_with_pictures(example: FlaskClient) -> None:
    html = example.get("/api/test").get_data(as_text=True)
    assert html.count('<tbody class="case"') == 4
    assert 'data-run-url="/api/test/run/process/3"' in html
    assert html.count('<img src="/api/testdata/image.png?size=160" alt="image.png" loading="lazy"') == 4
    assert '<code class="literal">16002</code>' in html
    assert 'id="run-all"' in html and "<progress" in html


def test_test_page_names_missing_methods(kinds: FlaskClient) -> None:
    html = kinds.get("/api/test").get_data(as_text=True)
    assert "not implemented by the module (not run):\n      <code>missing</code>" in html


def test_test_page_with_100_cases(tmp_path: Path) -> None:
    spec = json.loads(json.dumps(KINDS_SPEC))
    spec["methods"] = {"process": spec["methods"]["process"]}
    spec["methods"]["process"]["test_cases"] = [["rgb.png", t, "mask.png", 4] for t in range(100)]
    client = create_app(write_kinds(tmp_path / "amod_many", spec), {"TESTING": True}).test_client()
    html = client.get("/api/test").get_data(as_text=True)
    assert html.count('<tbody class="case"') == 100
    assert html.count('loading="lazy"') == 200
    assert len(client.get("/api/test/cases").json["cases"]) == 100


@pytest.mark.parametrize(("name", "widget", "control"), [
    ("factor", "number", '<input type="number" id="in-1" step="any" data-role="value" value="2">'),
    ("ratio", "number", '<input type="number" id="in-2" step="any" data-role="value" value="0.5">'),
    ("title", "text", '<input type="text" id="in-3" data-role="value" value="hi">'),
    ("flag", "bool", '<input type="checkbox" id="in-4" data-role="value" checked>'),
    ("sizes", "list", 'placeholder="comma-separated, e.g. 3,4,5" value="1,2"'),
    ("images", "array_list", 'accept="image/*,.npy,.npz,.tif,.tiff" multiple>'),
    ("region", "json", '>[&#34;point&#34;, [[1, 2]]]</textarea>'),
    ("field", "array", 'data-role="file" accept="image/*,.npy,.npz,.tif,.tiff">'),
])
def test_debug_form_widgets(kinds: FlaskClient, name: str, widget: str, control: str) -> None:
    html = kinds.get("/api/debug?method=widgets").get_data(as_text=True)
    chunk = fieldsets(html)[name]
    assert f'data-widget="{widget}"' in chunk
    assert control in chunk
    assert f'<p class="field-error" data-error-for="{name}" role="alert" hidden></p>' in chunk


def test_debug_form_of_the_example(example: FlaskClient) -> None:
    html = example.get("/api/debug").get_data(as_text=True)
    sets = fieldsets(html)
    assert list(sets) == ["image", "threshold"]
    assert '<input type="number" id="in-2" step="1" data-role="value" value="130">' in sets["threshold"]
    assert "RGB image of shape (h,w,3)" in sets["image"]
    assert sets["image"].count('class="pick"') == 5  # every test-data file, with its thumbnail
    assert 'data-url="/api/testdata/mask_0.png"' in sets["image"]
    assert 'data-run-url="/api/run/process"' in html
    assert '<select name="method"' not in html  # one method: nothing to choose


def test_debug_page_chooses_the_method(kinds: FlaskClient) -> None:
    html = kinds.get("/api/debug?method=widgets").get_data(as_text=True)
    assert '<option value="widgets" selected>' in html
    assert '<option value="missing"' not in html
    html = kinds.get("/api/debug?method=missing").get_data(as_text=True)
    assert "No method &#39;missing&#39; is served; showing &#39;process&#39;." in html
    assert 'data-method="process"' in html


def test_pages_escape_spec_text(tmp_path: Path) -> None:
    spec = json.loads(json.dumps(KINDS_SPEC))
    spec["methods"] = {"process": spec["methods"]["process"]}
    process = spec["methods"]["process"]
    process["description"] = EVIL
    process["input"][0]["description"] = EVIL
    process["output"][0]["category"]["labels"] = [EVIL, "fg"]
    process["output"][1]["category"]["unit"] = EVIL
    spec["module"].update(name=EVIL, description=EVIL)
    client = create_app(write_kinds(tmp_path / "amod_evil", spec), {"TESTING": True}).test_client()
    for url in ("/api/test", "/api/debug", "/api/debug?method=" + EVIL):
        html = client.get(url).get_data(as_text=True)
        assert EVIL not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
        assert "\\u003cscript\\u003ealert(1)\\u003c/script\\u003e" in html  # in the page's JSON data
    assert client.get("/api/test/cases").json["module"]["name"] == EVIL
