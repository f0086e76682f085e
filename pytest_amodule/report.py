"""``--amodule-html``: one self-contained HTML file with every case and the failing pictures.

The report is built on the process that prints (the controller under xdist) from the test
reports alone: failing items attach their preview pictures (PNG data URLs) and artifact
paths to ``report.amodule``, which xdist carries from the workers like any report field.
The page embeds its CSS, JS and pictures, so it opens anywhere without a network.
"""

from __future__ import annotations

import datetime
import html
import os
import time
from collections import Counter
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

__all__ = ["HtmlReport", "render"]

#: Outcomes in the order the summary lists them; "problem" ones pass the failed-only filter.
OUTCOMES = ("passed", "failed", "error", "updated", "skipped", "xfailed", "xpassed")
_PROBLEMS = frozenset({"failed", "error", "xpassed"})
_CAPTIONS = {
    "overlay": "overlay on the input: green both, red obtained only, blue expected only",
    "diff": "diff: red marks pixels outside the tolerance",
}


@dataclass
class Row:
    """One test (or a collection error) in the report."""

    nodeid: str
    outcome: str = "passed"
    duration: float = 0.0
    messages: list[str] = field(default_factory=list)
    outputs: list[dict[str, Any]] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)


class HtmlReport:
    """Plugin object of the process writing the report: gathers reports, writes at the end."""

    def __init__(self, path: Path, config: pytest.Config) -> None:
        self.path = path
        self.config = config
        self.rows: dict[str, Row] = {}
        self.start = time.perf_counter()
        self.duration = 0.0
        self.written = False

    def pytest_sessionstart(self, session: pytest.Session) -> None:
        self.start = time.perf_counter()

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if report.failed:
            row = self.rows.setdefault(report.nodeid, Row(report.nodeid))
            row.outcome = "error"
            row.messages.append(report.longreprtext)

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        row = self.rows.setdefault(report.nodeid, Row(report.nodeid))
        row.duration += report.duration
        data = getattr(report, "amodule", None)
        if isinstance(data, dict):
            row.outputs.extend(data.get("outputs", ()))
            row.updated.extend(item[0] for item in data.get("updated", ()))
        if report.when == "call":
            row.outcome = _call_outcome(report) if row.outcome != "error" else "error"
        elif report.failed:
            # pytest's rule: a failing setup or teardown is an error; any other failing report
            # (xdist's for a crashed worker has when="???") is the test's failure.
            row.outcome = "error" if report.when in ("setup", "teardown") else "failed"
        elif report.skipped:
            row.outcome = "xfailed" if hasattr(report, "wasxfail") else "skipped"
        if report.failed or (report.skipped and report.when != "teardown"):
            text = report.longreprtext
            if report.skipped and isinstance(report.longrepr, tuple):
                text = str(report.longrepr[2])
            if text:
                row.messages.append(text)

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        self.duration = time.perf_counter() - self.start
        args = " ".join(str(arg) for arg in self.config.invocation_params.args)
        page = render(list(self.rows.values()), self.duration, self.path.parent, title_args=args)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.write_text(page, encoding="utf-8")
        self.written = True

    def pytest_terminal_summary(self, terminalreporter: pytest.TerminalReporter) -> None:
        # Runs inside the terminal reporter's sessionfinish wrapper, after ours wrote the file.
        if self.written:
            terminalreporter.write_sep("-", f"amodule HTML report: {self.path}")


def _call_outcome(report: pytest.TestReport) -> str:
    if hasattr(report, "wasxfail"):
        return "xfailed" if report.skipped else "xpassed"
    if report.failed:
        return "failed"
    if report.skipped:
        return "skipped"
    return "updated" if getattr(report, "amodule_updated", False) else "passed"


def _asset(name: str) -> str:
    return resources.files("pytest_amodule").joinpath(name).read_text(encoding="utf-8")


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _link(path: str, base: Path) -> str:
    """A relative URL from the report's folder to ``path`` (absolute when on another drive)."""
    try:
        relative = os.path.relpath(path, base)
    except ValueError:
        relative = path
    return quote(Path(relative).as_posix())


def _seconds(value: float) -> str:
    return f"{value:.2f} s" if value >= 0.01 or value == 0 else f"{value * 1000:.1f} ms"


def render(rows: list[Row], duration: float, base: Path, *, title_args: str = "") -> str:
    """The report page for ``rows``; links are relative to the folder ``base``."""
    counts = Counter(row.outcome for row in rows)
    summary = []
    for outcome in OUTCOMES:
        if counts[outcome] or outcome in ("passed", "failed", "error"):
            noun = "errors" if outcome == "error" and counts[outcome] != 1 else outcome
            summary.append(
                f'<li class="{outcome}"><span class="count" data-outcome="{outcome}">'
                f"{counts[outcome]}</span>{noun}</li>"
            )
    summary.append(f'<li class="duration">in <span class="count">{_e(_seconds(duration))}</span></li>')
    table = []
    details = []
    for number, row in enumerate(rows):
        problem = " problem" if row.outcome in _PROBLEMS else ""
        anchor = f"case-{number}"
        has_detail = bool(row.messages or row.outputs or row.updated) and row.outcome != "passed"
        name = f'<a href="#{anchor}">{_e(row.nodeid)}</a>' if has_detail else _e(row.nodeid)
        table.append(
            f'<tr class="case {row.outcome}{problem}" data-outcome="{row.outcome}" '
            f'data-nodeid="{_e(row.nodeid)}"><td class="nodeid">{name}</td>'
            f'<td><span class="badge {row.outcome}">{row.outcome}</span></td>'
            f'<td class="duration">{_e(_seconds(row.duration))}</td></tr>'
        )
        if has_detail:
            details.append(_detail(row, anchor, problem, base))
    generated = datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M:%S %Z")
    detail_html = "\n".join(details) if details else '<p class="meta">No failures.</p>'
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>amodule test report</title>
<style>
{_asset("report.css")}
</style>
</head>
<body>
<header>
<h1>amodule test report</h1>
<p class="meta">Generated {_e(generated)} &middot; pytest {_e(title_args)}</p>
<ul class="summary" id="summary">
{chr(10).join(summary)}
</ul>
<div class="controls">
<label><input type="checkbox" id="failed-only"> Show failed cases only</label>
<input type="search" id="search" placeholder="Filter by test id" aria-label="Filter by test id">
</div>
</header>
<main>
<table id="cases">
<thead><tr><th>Test</th><th>Outcome</th><th class="duration">Duration</th></tr></thead>
<tbody>
{chr(10).join(table)}
</tbody>
</table>
<h2>Details</h2>
{detail_html}
</main>
<script>
{_asset("report.js")}
</script>
</body>
</html>
"""


def _detail(row: Row, anchor: str, problem: str, base: Path) -> str:
    parts = [
        f'<article class="detail {row.outcome}{problem}" id="{anchor}" data-outcome="{row.outcome}" '
        f'data-nodeid="{_e(row.nodeid)}">',
        f'<h3>{_e(row.nodeid)} <span class="badge {row.outcome}">{row.outcome}</span></h3>',
    ]
    if row.updated:
        items = "".join(f"<li>{_e(path)}</li>" for path in row.updated)
        parts.append(f"<p>Expected files written:</p><ul class=\"updated\">{items}</ul>")
    for message in row.messages:
        parts.append(f'<pre class="message">{_e(message)}</pre>')
    for output in row.outputs:
        parts.append(f'<h4>output[{_e(output.get("index"))}] {_e(repr(output.get("name")))}</h4>')
        figures = []
        for picture in output.get("pictures", ()):
            label = str(picture.get("label", ""))
            src, file = picture.get("src"), picture.get("file")
            caption = _e(_CAPTIONS.get(label, label))
            if file:
                caption = f'<a href="{_e(_link(file, base))}">{caption}</a>'
            image = ""
            if isinstance(src, str) and src.startswith("data:image/png;base64,"):
                alt = f"{output.get('name')} {label}"
                image = f'<img src="{_e(src)}" alt="{_e(alt)}">'
            figures.append(f"<figure>{image}<figcaption>{caption}</figcaption></figure>")
        parts.append(f'<div class="pictures">{"".join(figures)}</div>')
    parts.append("</article>")
    return "\n".join(parts)
