"""Replay the ``curl`` examples of the README's REST section against real servers.

Each sub-section of "curl - examples" names what it serves: ``amodule serve
example/...`` (a real example) or an API line ``/api/run/process?name=type&...`` (a module
generated here with exactly those inputs). Its ``bash`` blocks run in a scratch folder, with
``http://127.0.0.1:5000`` pointed at the server and ``https://example.org/`` at a local
HTTP server over the scratch folder; every ``curl`` must answer JSON without an error.
"""

from __future__ import annotations

import functools
import http.server
import json
import re
import shlex
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from .rest_modules import write_module
from .server_helpers import REPO, Server, command, start

pytestmark = pytest.mark.server

SOURCES = [REPO / "README.md", Path("/work/notes/rest_readme.md")]
HEADING = re.compile(r"^#{2,4} curl - examples\s*$", re.MULTILINE)

GENERATED_SOURCE = '''
from amodule_core import Module


def describe(value):
    if hasattr(value, "shape"):
        return f"{value.dtype}{value.shape}"
    if isinstance(value, list):
        return "[" + ", ".join(describe(item) for item in value) + "]"
    return repr(value)


class Generated(Module):
    def process(self, *inputs):
        return "; ".join(describe(value) for value in inputs)
'''


@dataclass
class Section:
    title: str
    serve: list[str] | None  # the words after "amodule serve"
    api: str | None  # "numbers=[numeric/int]&threshold=numeric/int"
    script: str  # the bash blocks, joined


def _examples_text() -> tuple[int, str] | None:
    """The heading level of "curl - examples" and the text under it, from the first source
    that has it (README.md once the REST section is pasted in, else the notes)."""
    for source in SOURCES:
        if source.is_file():
            text = source.read_text()
            match = HEADING.search(text)
            if match:
                level = len(match.group()) - len(match.group().lstrip("#"))
                return level, _until_heading(text[match.end():], level)
    return None


def _until_heading(text: str, level: int) -> str:
    """``text`` up to the next heading of ``level`` or above (headings in code blocks don't count)."""
    lines, fenced = [], False
    for line in text.splitlines(keepends=True):
        if line.startswith("```"):
            fenced = not fenced
        elif not fenced and re.match(rf"#{{1,{level}}} ", line):
            break
        lines.append(line)
    return "".join(lines)


def _sections() -> list[Section]:
    found = _examples_text()
    if found is None:
        return []
    level, text = found
    sections = []
    for chunk in re.split(rf"^{'#' * (level + 1)} ", text, flags=re.MULTILINE)[1:]:
        title, _, body = chunk.partition("\n")
        blocks = re.findall(r"```bash\n(.*?)```", body, re.DOTALL)
        if not blocks:
            continue
        serve = re.search(r"`amodule serve ([^`]+)`", body)
        api = re.search(r"`/api/run/process\?([^`]+)`", body)
        sections.append(Section(
            title.strip(),
            shlex.split(serve.group(1)) if serve else None,
            api.group(1) if api and not serve else None,
            "\n".join(blocks),
        ))
    return sections


SECTIONS = _sections()


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("readme")
    image = REPO / "example" / "amod_brightpixel" / "testdata" / "image.png"
    (work / "example" / "amod_brightpixel" / "testdata").mkdir(parents=True)
    shutil.copy(image, work / "example" / "amod_brightpixel" / "testdata" / "image.png")
    shutil.copy(image, work / "image.png")
    return work


@pytest.fixture(scope="module")
def web(scratch: Path) -> Iterator[str]:
    """``https://example.org/`` stands for this local server over the scratch folder."""

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(scratch)))
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def _server_args(section: Section, scratch: Path, tmp: Path) -> list[str]:
    if section.serve is not None:
        target, *options = [word.replace("$PWD", str(scratch)) for word in section.serve]
        return [str(REPO / target) if not Path(target).is_absolute() else target, *options,
                "--allow-private-urls"]
    if section.api is not None:
        inputs = [pair.split("=", 1) for pair in section.api.split("&")]
        spec = {"module": {"name": "Generated"}, "methods": {"process": {
            "input": [{"name": name, "type": iotype} for name, iotype in inputs],
            "output": [{"name": "summary", "type": "text"}]}}}
        folder = write_module(tmp / "amod_generated", spec, GENERATED_SOURCE)
        return [str(folder), "--file-root", str(scratch), "--allow-private-urls"]
    return [str(REPO / "example" / "amod_brightpixel")]


def _script(section: Section, server: Server, web: str, scratch: Path) -> tuple[str, int]:
    lines = ["set -e", f"cd {shlex.quote(str(scratch))}"]
    curls = 0
    for line in section.script.splitlines():
        line = line.replace("http://127.0.0.1:5000", server.url).replace("https://example.org/", web)
        if line.startswith("python "):
            line = shlex.quote(sys.executable) + line[len("python"):]
        if line.startswith("curl "):
            line = "curl -sS --max-time 60 " + line[len("curl "):] + "; echo"
            curls += 1
        lines.append(line)
    return "\n".join(lines) + "\n", curls


def test_readme_has_curl_examples() -> None:
    if _examples_text() is None:
        pytest.skip("no 'curl - examples' section in README.md yet (nor in the notes)")
    titles = [section.title for section in SECTIONS]
    for wanted in ("List of numbers", "Single image", "List of images", "List of .npz volumes"):
        assert wanted in titles


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
@pytest.mark.parametrize("section", SECTIONS, ids=[s.title for s in SECTIONS])
def test_readme_curl_examples(section: Section, scratch: Path, web: str, tmp_path: Path) -> None:
    server = start(command(*_server_args(section, scratch, tmp_path)), tmp_path)
    try:
        script, curls = _script(section, server, web, scratch)
        result = subprocess.run(["bash", "-c", script], capture_output=True, text=True, timeout=300)
    finally:
        server.stop()
    assert result.returncode == 0, f"{result.stderr}\n{result.stdout[:2000]}"
    answers = [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
    assert len(answers) == curls, result.stdout[:2000]
    for answer, line in zip(answers, [l for l in section.script.splitlines() if l.startswith("curl ")]):
        assert "error" not in answer, f"{line}\n-> {answer}"
        if "/api/run/process" in line:
            assert set(answer) == {"outputs"}, line
