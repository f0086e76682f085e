"""Plugin ``--amodule-html``: one self-contained page with a summary, every case, and the
failing cases' messages and pictures (parsed here with html.parser)."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote

import numpy as np
import pytest

from tests.plugin_helpers import (  # noqa: F401
    IMAGE_SOURCE, IMAGE_SPEC, ModuleWriter, Page, amodule, image_files, one_output, picture_of, returner,
)

REPO = Path(__file__).resolve().parent.parent


def test_report_summary_table_messages_and_pictures(pytester: pytest.Pytester, amodule: ModuleWriter) -> None:
    amodule.write("amod_img", IMAGE_SPEC, IMAGE_SOURCE, image_files())
    amodule.write("amod_text", one_output("text", "<b>bold</b> & co"), returner(["'<b>bold</b> & co'", "'<i>'"]))
    amodule.write("amod_bad", "SPEC = {'methods': {}}\n")
    result = pytester.runpytest("--amodule-html", "out/report.html", "--continue-on-collection-errors")
    result.assert_outcomes(passed=2, failed=2, errors=1)
    report = pytester.path / "out/report.html"
    result.stdout.fnmatch_lines([f"*- amodule HTML report: {report} -*"])
    text = report.read_text()
    page = Page(text)
    assert page.counts == {"passed": 2, "failed": 2, "error": 1}
    assert re.search(r'<li class="duration">in <span class="count">\d+\.\d\d s</span></li>', text)
    assert page.rows == {
        "amod_bad/specification.py": "error",
        "amod_img/specification.py::process[0]": "passed",
        "amod_img/specification.py::process[1]": "failed",
        "amod_text/specification.py::process[0]": "passed",
        "amod_text/specification.py::process[1]": "failed",
    }
    messages = "\n".join(page.messages)
    assert "process[1]: 2 of 2 outputs differ\ninputs: image='rgb.png', level=50\n" in messages
    assert "output[0] 'y': expected '<b>bold</b> & co', got '<i>'" in messages
    assert "&lt;b&gt;bold&lt;/b&gt; &amp; co" in text and "<b>bold" not in text
    assert "methods: must declare at least one method" in messages
    assert [image["alt"] for image in page.images] == ["mask expected", "mask obtained", "mask diff", "mask overlay"]
    assert picture_of(page.images[1]["src"]).shape == (6, 8)
    assert picture_of(page.images[2]["src"]).shape == (6, 8, 3)
    folder = pytester.path / ".amodule/artifacts/amod_img_specification.py-process_1"
    assert [unquote(link) for link in page.links] == [
        f"../.amodule/artifacts/amod_img_specification.py-process_1/mask.{label}.png"
        for label in ("expected", "obtained", "diff", "overlay")
    ]
    assert all((report.parent / unquote(link)).resolve().is_file() for link in page.links)
    assert folder.is_dir()
    assert page.external == []
    assert not re.search(r"https?:", text)
    assert {i.get("id") for i in page.inputs} == {"failed-only", "search"}
    assert "<style>" in text and "<script>" in text and "failed-only" in text


def test_report_previews_are_at_most_512_pixels(pytester: pytest.Pytester, amodule: ModuleWriter) -> None:
    spec = one_output("ndarray/uint8", "big.png", cases=1)
    amodule.write("amod_t", spec, returner(["np.full((700, 1100), 7, np.uint8)"]),
                  files={"big.png": np.zeros((700, 1100), np.uint8)})
    pytester.runpytest("--amodule-html", "report.html").assert_outcomes(failed=1)
    page = Page((pytester.path / "report.html").read_text())
    shapes = [picture_of(image["src"]).shape[:2] for image in page.images]
    assert shapes == [(234, 367)] * 3  # 1100 / 3 -> 367, 700 / 3 -> 234
    diff = picture_of(page.images[2]["src"])
    assert (diff[..., 0] >= 100).all()  # every block holds a differing pixel: all red


def test_report_of_a_passing_run_has_no_details(pytester: pytest.Pytester, amodule: ModuleWriter) -> None:
    amodule.write("amod_t")
    pytester.runpytest("--amodule-html", "report.html").assert_outcomes(passed=2)
    text = (pytester.path / "report.html").read_text()
    page = Page(text)
    assert page.counts == {"passed": 2, "failed": 0, "error": 0}
    assert page.images == [] and page.messages == []
    assert "No failures." in text


def test_report_shows_updated_and_skipped_cases(pytester: pytest.Pytester, amodule: ModuleWriter) -> None:
    spec = one_output("ndarray/uint8", "y.png", cases=1)
    amodule.write("amod_t", spec, returner(["np.full((2, 2), 9, np.uint8)"]), files={"y.png": np.zeros((2, 2), np.uint8)})
    pytester.makepyfile(test_other="""
        import pytest

        def test_skipped():
            pytest.skip("not today")

        @pytest.mark.xfail(reason="known")
        def test_xfail():
            assert False
    """)
    pytester.runpytest("--amodule-update", "--amodule-html", "report.html")
    text = (pytester.path / "report.html").read_text()
    page = Page(text)
    assert page.rows == {
        "amod_t/specification.py::process[0]": "updated",
        "test_other.py::test_skipped": "skipped",
        "test_other.py::test_xfail": "xfailed",
    }
    assert page.counts == {"passed": 0, "failed": 0, "error": 0, "updated": 1, "skipped": 1, "xfailed": 1}
    assert "<li>amod_t/testdata/y.png</li>" in text


def test_readme_main_job_command_on_the_examples(pytester: pytest.Pytester, amodule: ModuleWriter) -> None:
    result = pytester.runpytest(str(REPO / "example"), "--amodule-html", "report.html", "-p", "no:cacheprovider",
                                "--rootdir", str(REPO))
    outcomes = result.parseoutcomes()
    assert outcomes.get("passed", 0) >= 4 and set(outcomes) <= {"passed"}
    page = Page((pytester.path / "report.html").read_text())
    assert page.counts["passed"] == outcomes["passed"]
    assert "example/amod_brightpixel/specification.py::process[0]" in page.rows
