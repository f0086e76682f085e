"""The pages in a real browser: Playwright drives Debian's Chromium against a real
``python -m rest`` server process on 127.0.0.1.

Skipped, with the reason, when ``/usr/bin/chromium`` (``apt-get install chromium``) or the
python package ``playwright`` is missing; ``playwright install`` is never needed. Every test
saves screenshots under its ``tmp_path``; with ``AMODULE_SCREENSHOTS=<folder>`` the ones the
README shows are written there too::

    AMODULE_SCREENSHOTS=docs/screenshots pytest tests/test_browser.py
"""

from __future__ import annotations

import copy
import os
import socket
import subprocess
import sys
import textwrap
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

from .conftest import EXAMPLE
from .test_pages import EVIL, KINDS_SPEC, write_kinds

pytestmark = [pytest.mark.browser, pytest.mark.server]

CHROMIUM = Path(os.environ.get("AMODULE_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run",
]
#: Screenshots the README shows, by the name each test saves them under.
README_SCREENSHOTS = ("test-page", "test-page-failure", "debug-page", "debug-page-error")
TIMEOUT_MS = 15_000

#: The bright-pixel rule of the example, so the tests know the answers.
BRIGHT_SOURCE = '''
import numpy as np
from amodule_core import Module


class Bright(Module):
    def process(self, image, threshold):
        mask = (image.sum(axis=2, dtype=np.uint32) > threshold * 3).astype(np.uint8) * np.uint8(255)
        return mask, int(np.count_nonzero(mask))
'''


def bright(image: np.ndarray, threshold: int) -> np.ndarray:
    return (image.sum(axis=2, dtype=np.uint32) > threshold * 3).astype(np.uint8) * np.uint8(255)


def example_image() -> np.ndarray:
    with Image.open(EXAMPLE / "testdata" / "image.png") as image:
        return np.asarray(image.convert("RGB"))


# ---------------------------------------------------------------- browser and servers

@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.is_file():
        pytest.skip(f"no Chromium at {CHROMIUM} (install the Debian package: apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("the python package 'playwright' is not installed (pip install playwright)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _start(folder: Path, log_path: Path) -> tuple[subprocess.Popen[bytes], str]:
    """``python -m rest folder`` on a free port; returns once /api/health answers."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    log = log_path.open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "rest", str(folder), "--port", str(port)],
        stdout=log, stderr=subprocess.STDOUT, cwd=folder.parent,
    )
    log.close()  # the child holds its own copy
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    deadline = time.monotonic() + 30
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}:\n{log_path.read_text()}")
        try:
            with opener.open(url + "/api/health", timeout=1) as response:
                if response.status == 200:
                    return process, url
        except OSError:
            pass
        if time.monotonic() > deadline:
            _stop(process)
            raise RuntimeError(f"the server did not answer /api/health within 30 s:\n{log_path.read_text()}")
        time.sleep(0.05)


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.fixture(scope="module")
def example_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    process, url = _start(EXAMPLE, tmp_path_factory.mktemp("server") / "server.log")
    yield url
    _stop(process)


@pytest.fixture(scope="module")
def kinds_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = write_kinds(tmp_path_factory.mktemp("kinds") / "amod_kinds")
    process, url = _start(folder, folder.parent / "server.log")
    yield url
    _stop(process)


@pytest.fixture
def serve(request: pytest.FixtureRequest, tmp_path: Path) -> Callable[[Path], str]:
    """Start a server for a module folder; it is stopped when the test ends."""

    def start(folder: Path) -> str:
        process, url = _start(folder, tmp_path / f"{folder.name}.log")
        request.addfinalizer(lambda: _stop(process))
        return url

    return start


class Page:
    """A browser page that records script errors and dialogs, and saves screenshots."""

    def __init__(self, browser: Any, tmp_path: Path) -> None:
        self.page = browser.new_page(viewport={"width": 1280, "height": 900})
        self.page.set_default_timeout(TIMEOUT_MS)
        self.tmp_path = tmp_path
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.on("dialog", self._dialog)

    def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def screenshot(self, name: str) -> Path:
        """Save ``name.png`` (the whole page) under tmp_path, and the README's copies."""
        self.page.evaluate("window.scrollTo(0, 0)")
        path = self.tmp_path / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        target = os.environ.get("AMODULE_SCREENSHOTS")
        if target and name in README_SCREENSHOTS:
            Path(target).mkdir(parents=True, exist_ok=True)
            self.page.screenshot(path=str(Path(target) / f"{name}.png"), full_page=name != "test-page")
        return path

    def run_all(self) -> None:
        self.page.click("#run-all")
        self.page.wait_for_function(
            "document.querySelectorAll('tbody.case[data-status=pending], tbody.case[data-status=running]').length === 0"
            " && !document.body.classList.contains('busy')")
        self.page.wait_for_function(  # pictures are decoded and drawn after the status is set
            "Array.from(document.querySelectorAll('tr.details figure')).every(f => f.dataset.ready"
            " || !f.querySelector('canvas.loading'))")


@pytest.fixture
def page(browser: Any, tmp_path: Path) -> Iterator[Page]:
    wrapper = Page(browser, tmp_path)
    yield wrapper
    wrapper.page.close()
    assert wrapper.errors == [], "script errors on the page"
    assert wrapper.dialogs == [], "the page opened a dialog"


def case_row(page: Page, case_id: str) -> Any:
    return page.page.locator(f'tbody.case[data-case="{case_id}"]')


# ---------------------------------------------------------------- /api/test

def test_run_all_passes_the_example(page: Page, example_url: str) -> None:
    page.page.goto(example_url + "/api/test")
    assert page.page.locator("tbody.case").count() == 4
    page.run_all()
    for index in range(4):
        row = case_row(page, f"process[{index}]")
        assert row.get_attribute("data-status") == "passed"
        assert row.locator(".badge").first.text_content() == "passed"
        assert row.locator(".duration").text_content().endswith(" ms")
        assert row.locator(".output").count() == 2
        assert row.locator("figure.segmentation[data-ready=true]").count() == 2  # obtained and expected
    summary = page.page.locator("#summary")
    assert (summary.get_attribute("data-passed"), summary.get_attribute("data-failed")) == ("4", "0")
    assert "4 passed · 0 failed" in summary.text_content()
    assert page.page.locator("#progress").evaluate("p => [p.value, p.max]") == [4, 4]
    assert case_row(page, "process[0]").locator(".scalar .value").first.text_content() == "16002 count"
    page.screenshot("test-page")


def test_failing_case_shows_failed_with_a_diff(page: Page, serve: Callable[[Path], str], tmp_path: Path) -> None:
    image = example_image()
    folder = tmp_path / "amod_failing"
    (folder / "testdata").mkdir(parents=True)
    Image.fromarray(image).save(folder / "testdata" / "image.png")
    Image.fromarray(bright(image, 130)).save(folder / "testdata" / "mask_130.png")
    Image.fromarray(bright(image, 150)).save(folder / "testdata" / "mask_150.png")
    spec = copy.deepcopy(KINDS_SPEC)
    spec["methods"] = {"process": spec["methods"]["process"]}
    spec["methods"]["process"]["test_cases"] = [
        ["image.png", 130, "mask_130.png", int(np.count_nonzero(bright(image, 130)))],
        ["image.png", 130, "mask_150.png", int(np.count_nonzero(bright(image, 150)))],  # the wrong mask
    ]
    spec["module"] = {"name": "Failing Bright Pixels", "version": "0.0.1", "description": "One case expects the mask of another threshold."}
    (folder / "specification.py").write_text(f"SPEC = {spec!r}\n")
    (folder / "module.py").write_text(textwrap.dedent(BRIGHT_SOURCE))
    page.page.goto(serve(folder) + "/api/test")
    page.run_all()
    assert case_row(page, "process[0]").get_attribute("data-status") == "passed"
    failed = case_row(page, "process[1]")
    assert failed.get_attribute("data-status") == "failed"
    assert failed.locator(".badge").first.text_content() == "failed"
    assert failed.locator("pre.message").text_content().startswith("process[1]: 2 of 2 outputs differ\n")
    diff = failed.locator(".side.diff figure[data-ready=true] canvas")
    assert diff.count() == 1
    assert diff.evaluate("c => [c.width, c.height]") == [280, 167]  # 426x254, downscaled in the browser
    red = diff.evaluate(
        "c => { const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data; let n = 0;"
        " for (let i = 0; i < d.length; i += 4) if (d[i] > 90 && d[i + 1] < 40 && d[i + 2] < 40) n++; return n; }")
    assert red > 0  # the pixels of the two masks that differ
    diff.click()  # the full-size picture
    full = page.page.locator("#lightbox img")
    full.wait_for()
    assert full.evaluate("img => [img.naturalWidth, img.naturalHeight]") == [426, 254]
    page.page.keyboard.press("Escape")
    assert page.page.locator("#lightbox").is_hidden()
    assert "1 failed" in page.page.locator("#summary").text_content()
    page.page.select_option("#filter", "failed")
    assert case_row(page, "process[0]").is_hidden() and failed.is_visible()
    page.page.select_option("#filter", "all")
    page.screenshot("test-page-failure")


def test_every_category_renders(page: Page, kinds_url: str) -> None:
    page.page.goto(kinds_url + "/api/test")
    page.run_all()
    statuses = page.page.locator("tbody.case").evaluate_all("rows => rows.map(r => r.dataset.status)")
    assert statuses == ["passed", "failed", "error", "failed"]
    assert "ValueError: threshold must be >= 0" in case_row(page, "process[2]").locator("pre.message").text_content()
    widgets = case_row(page, "widgets[0]")
    top = widgets.locator(".class-row.top .class-label")
    assert top.all_text_contents() == ["dog", "dog"]  # obtained and expected: 0.75 beats 0.25
    assert widgets.locator("figure.detection[data-ready=true] canvas").count() == 2
    assert widgets.locator(".legend li").first.text_content() == "rect: 1 rect"
    assert widgets.locator("figure.picture canvas").count() >= 4  # the npy transformation
    caption = widgets.locator("figure.picture:not(.detection):not(.segmentation) figcaption").first
    assert "ndarray <f4 (4, 5)" in caption.text_content()
    assert widgets.locator(".output.differs").count() == 1  # the NaN
    page.screenshot("test-page-categories")


# ---------------------------------------------------------------- /api/debug

def test_debug_upload_and_threshold(page: Page, example_url: str, tmp_path: Path) -> None:
    upload = tmp_path / "photo.png"
    image = example_image()
    Image.fromarray(image).save(upload)
    page.page.goto(example_url + "/api/debug")
    page.page.set_input_files("fieldset[data-field=image] input[type=file]", str(upload))
    assert "photo.png" in page.page.locator("fieldset[data-field=image] .chosen").text_content()
    page.page.fill("fieldset[data-field=threshold] input", "140")
    page.page.click("#submit")
    mask = page.page.locator('section.output[data-output="mask"] figure.segmentation[data-ready=true]')
    mask.wait_for()
    assert mask.locator("canvas").count() == 2  # the input picture and the mask over it
    assert mask.locator(".legend li").all_text_contents() == ["background", "foreground"]
    count = int(np.count_nonzero(bright(image, 140)))
    value = page.page.locator('section.output[data-output="#bright_pixels"] .value')
    assert value.text_content() == f"{count} count"
    overlay = mask.locator("canvas.overlay")
    mask.locator("input[type=checkbox]").uncheck()
    assert overlay.is_hidden()
    mask.locator("input[type=checkbox]").check()
    curl = page.page.locator("#curl").text_content()
    assert curl == f"curl -sS \\\n  -F 'image=@photo.png' \\\n  --form-string 'threshold=140' \\\n  '{example_url}/api/run/process'"
    page.page.click("#raw summary")
    raw = page.page.locator("#raw-json").text_content()
    assert f'"#bright_pixels": {count}' in raw and "data URL)" in raw
    page.screenshot("debug-page")


def test_debug_picks_test_data(page: Page, example_url: str) -> None:
    page.page.goto(example_url + "/api/debug")
    page.page.click("fieldset[data-field=image] details.picker summary")
    page.page.click('button.pick[data-name="image.png"]')
    assert page.page.locator('button.pick[data-name="image.png"]').get_attribute("class") == "pick selected"
    page.page.fill("fieldset[data-field=threshold] input", "150")
    page.page.click("#submit")
    value = page.page.locator('section.output[data-output="#bright_pixels"] .value')
    value.wait_for()
    assert value.text_content() == "9276 count"  # process[1] of the spec
    assert "-F 'image=@testdata/image.png'" in page.page.locator("#curl").text_content()


def test_debug_form_of_every_widget(page: Page, kinds_url: str) -> None:
    page.page.goto(kinds_url + "/api/debug?method=widgets")
    field = page.page.locator("fieldset[data-field=images]")  # a list of arrays: several picks
    field.locator("details.picker summary").click()
    field.locator('button.pick[data-name="rgb.png"]').click()
    field.locator('button.pick[data-name="mask.png"]').click()
    assert field.locator(".chosen-item").count() == 2
    field = page.page.locator("fieldset[data-field=field]")
    field.locator("details.picker summary").click()
    field.locator('button.pick[data-name="field.npy"]').click()
    page.page.fill("fieldset[data-field=ratio] input", "2")
    page.page.fill("fieldset[data-field=sizes] input", "3,4,5")
    page.page.locator("fieldset[data-field=flag] input").uncheck()
    page.page.click("#submit")
    page.page.locator('section.output[data-output="nan"] .value').wait_for()
    outputs = page.page.locator("#outputs")
    assert outputs.locator(".class-row.top .class-label").text_content() == "dog"
    outputs.locator("figure.detection[data-ready=true]").wait_for()
    scaled = outputs.locator('section.output[data-output="scaled"] figure.picture')
    assert "ndarray <f4 (4, 5)" in scaled.locator("figcaption").text_content()
    assert scaled.locator("canvas").evaluate("c => [c.width, c.height]") == [255, 204]  # 5x4 enlarged 51 times
    assert page.page.locator('section.output[data-output="nan"] .value').text_content() == "nan"
    curl = page.page.locator("#curl").text_content()
    for part in ("-F 'images=@testdata/rgb.png'", "-F 'images=@testdata/mask.png'", "--form-string 'flag=false'",
                 "--form-string 'sizes=3,4,5'", "--form-string 'region=[\"point\", [[1, 2]]]'"):
        assert part in curl
    page.screenshot("debug-page-widgets")


def test_debug_shows_errors_next_to_their_field(page: Page, example_url: str, tmp_path: Path) -> None:
    upload = tmp_path / "photo.png"
    Image.fromarray(example_image()).save(upload)
    page.page.goto(example_url + "/api/debug")
    page.page.click("#submit")  # no image
    image_error = page.page.locator("fieldset[data-field=image] .field-error")
    image_error.wait_for()
    assert "'image'" in image_error.text_content()
    page.page.set_input_files("fieldset[data-field=image] input[type=file]", str(upload))
    assert image_error.is_hidden()  # choosing a file clears its error
    page.page.fill("fieldset[data-field=threshold] input", "3.5")
    page.page.click("#submit")
    error = page.page.locator("fieldset[data-field=threshold] .field-error")
    error.wait_for()
    assert error.text_content() == "threshold: must be numeric/int (got '3.5')"
    assert page.page.locator("fieldset[data-field=threshold]").get_attribute("class") == "field invalid"
    assert image_error.is_hidden()
    assert page.page.locator("#status").text_content().startswith("Failed (HTTP 400")
    page.screenshot("debug-page-error")
    page.page.fill("fieldset[data-field=threshold] input", "130")
    page.page.click("#submit")  # the page still works after an error
    page.page.locator('section.output[data-output="#bright_pixels"] .value').wait_for()
    assert error.is_hidden()


def test_spec_text_is_shown_as_text(page: Page, serve: Callable[[Path], str], tmp_path: Path) -> None:
    spec = copy.deepcopy(KINDS_SPEC)
    spec["methods"] = {"process": spec["methods"]["process"]}
    process = spec["methods"]["process"]
    process["description"] = EVIL
    process["input"][0]["description"] = EVIL
    process["output"][0]["category"]["labels"] = ["bg", EVIL]
    process["output"][1]["category"]["unit"] = EVIL
    spec["module"].update(name=EVIL, description=EVIL)
    url = serve(write_kinds(tmp_path / "amod_evil", spec))
    page.page.goto(url + "/api/test")
    page.run_all()
    assert page.page.locator(".module-name").text_content() == EVIL
    assert page.page.locator(".legend li", has_text=EVIL).count() >= 2  # a label drawn by the script
    assert page.page.locator("script", has_text="alert").count() == 0
    page.page.goto(url + "/api/debug")
    assert page.page.locator("fieldset[data-field=image] .field-desc").text_content() == EVIL
    page.page.click("fieldset[data-field=image] details.picker summary")
    page.page.click('button.pick[data-name="rgb.png"]')
    page.page.click("#submit")
    value = page.page.locator('section.output[data-output="count"] .value')
    value.wait_for()
    assert value.text_content() == f"4 {EVIL}"
    assert page.page.title() == f"Debug · {EVIL}"
    page.screenshot("escaping")
    # the page fixture asserts that no dialog opened and no script failed

