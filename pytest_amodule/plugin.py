"""pytest plugin entry point (registered as ``pytest11: amodule``).

Every ``specification.py`` under the collected paths becomes a collector whose items are
its test cases (``example/amod_brightpixel/specification.py::process[0]``). The hooks here
only wire things up; the work lives in ``collect``, ``items``, ``artifacts``, ``update``,
``report`` and ``summary``, imported when needed so loading the plugin stays cheap.
"""

from __future__ import annotations

from collections.abc import Generator
from pathlib import Path
from typing import Any

import pytest

from .settings import SETTINGS_KEY, artifacts_dir_option, get_settings, html_path_option, make_settings

__all__ = [
    "pytest_addoption",
    "pytest_collect_file",
    "pytest_configure",
    "pytest_report_header",
    "pytest_report_teststatus",
    "pytest_runtest_makereport",
]


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("amodule", "analytics modules (specification.py test cases)")
    group.addoption(
        "--amodule-artifacts",
        metavar="DIR",
        type=artifacts_dir_option,
        default=None,
        help="Folder for the pictures of failing cases (default: .amodule/artifacts under the rootdir)",
    )
    group.addoption(
        "--amodule-update",
        action="store_true",
        default=False,
        help="Rewrite the expected files of failing cases from their obtained outputs",
    )
    group.addoption(
        "--amodule-html",
        metavar="PATH",
        type=html_path_option,
        default=None,
        help="Write a self-contained HTML report with the pictures of failing cases to PATH",
    )
    parser.addini(
        "amodule_spec_files",
        type="args",
        default=["specification.py"],
        help="Glob patterns of the specification files to collect test cases from",
    )
    parser.addini(
        "amodule_collect",
        type="bool",
        default=True,
        help="Collect the test cases of specification files (default: true)",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "amodule: a test case of an analytics module's specification.py")
    settings = make_settings(config)
    config.stash[SETTINGS_KEY] = settings
    if settings.is_worker:
        return
    if settings.html_path is not None:
        from .report import HtmlReport

        config.pluginmanager.register(HtmlReport(settings.html_path, config), "amodule-html")
    if settings.update:
        from .summary import UpdateSummary

        config.pluginmanager.register(UpdateSummary(), "amodule-update")


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    settings = get_settings(parent.config)
    if not settings.collect or not settings.is_spec_file(file_path):
        return None
    from .collect import SpecFile

    collector: pytest.Collector = SpecFile.from_parent(parent, path=file_path)
    collector.add_marker("amodule")
    return collector


def pytest_report_header(config: pytest.Config) -> list[str]:
    settings = get_settings(config)
    if not settings.collect or not (settings.artifacts_explicit or settings.update or settings.html_requested):
        return []
    line = f"amodule: artifacts of failing cases in {settings.shown(settings.artifacts_dir)}"
    if settings.update:
        line += "; updating the expected files of failing cases"
    return [line]


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, Any, Any]:
    report = yield
    if call.when != "call":
        return report
    data = item.__dict__.pop("_amodule_report", None)
    if data is not None:
        # Plain data only: xdist sends report attributes from the workers to the controller.
        report.amodule = data
        if get_settings(item.config).pytest_html and data.get("outputs"):
            _add_pytest_html_extras(report, data["outputs"])
    if item.__dict__.pop("_amodule_updated", False):
        report.amodule_updated = True
    return report


def _add_pytest_html_extras(report: pytest.TestReport, outputs: list[dict[str, Any]]) -> None:
    import pytest_html

    extras = list(getattr(report, "extras", []))
    for output in outputs:
        for picture in output["pictures"]:
            src = picture.get("src")
            if src:
                content = src.partition(",")[2]
                extras.append(pytest_html.extras.png(content, name=f"{output['name']} {picture['label']}"))
    report.extras = extras


@pytest.hookimpl(tryfirst=True)
def pytest_report_teststatus(report: pytest.TestReport, config: pytest.Config) -> tuple[str, str, Any] | None:
    if report.when == "call" and getattr(report, "amodule_updated", False):
        return "updated", "U", ("UPDATED", {"yellow": True})
    return None
