"""The plugin's options: their ``type=`` validators and the settings a session runs with."""

from __future__ import annotations

import argparse
import fnmatch
from dataclasses import dataclass, field
from pathlib import Path, PurePath

import pytest

__all__ = [
    "DEFAULT_ARTIFACTS",
    "Settings",
    "SETTINGS_KEY",
    "artifacts_dir_option",
    "html_path_option",
    "get_settings",
    "make_settings",
]

#: Where artifacts go when ``--amodule-artifacts`` is not given (relative to the rootdir).
DEFAULT_ARTIFACTS = ".amodule/artifacts"


def artifacts_dir_option(value: str) -> str:
    """``type=`` of ``--amodule-artifacts``: a folder path that is not an existing file."""
    if not value.strip():
        raise argparse.ArgumentTypeError("must be a folder path (got an empty string)")
    if Path(value).exists() and not Path(value).is_dir():
        raise argparse.ArgumentTypeError(f"{value!r} is a file, expected a folder for the artifacts")
    return value


def html_path_option(value: str) -> str:
    """``type=`` of ``--amodule-html``: a file path that is not an existing folder."""
    if not value.strip():
        raise argparse.ArgumentTypeError("must be a file path such as report.html (got an empty string)")
    if value.endswith(("/", "\\")) or Path(value).is_dir():
        raise argparse.ArgumentTypeError(f"{value!r} is a folder, expected a file path such as report.html")
    return value


@dataclass
class Settings:
    """What one pytest process (controller or xdist worker) runs with.

    ``artifacts_dir`` is absolute; ``html_path`` is set on the process that writes the HTML
    report (never on a worker); ``previews`` says whether failing cases make preview
    pictures (for our HTML report or pytest-html's); ``invocation_dir`` is where paths in
    messages are made relative to.
    """

    spec_globs: tuple[str, ...]
    collect: bool
    artifacts_dir: Path
    artifacts_explicit: bool
    update: bool
    html_path: Path | None
    html_requested: bool
    pytest_html: bool
    invocation_dir: Path
    rootdir: Path
    is_worker: bool
    notes: list[str] = field(default_factory=list)

    @property
    def previews(self) -> bool:
        return self.html_requested or self.pytest_html

    def is_spec_file(self, path: Path) -> bool:
        """Whether ``path`` matches one of the ``amodule_spec_files`` globs.

        A glob without a ``/`` matches the file name, one with a ``/`` the end of the path
        (as pytest's ``python_files`` does).
        """
        name = path.name
        for glob in self.spec_globs:
            if "/" in glob:
                if PurePath(path).match(glob):
                    return True
            elif fnmatch.fnmatchcase(name, glob):
                return True
        return False

    def shown(self, path: str | Path) -> str:
        """``path`` as messages show it: relative to the invocation dir when inside it."""
        path = Path(path)
        try:
            return path.relative_to(self.invocation_dir).as_posix()
        except ValueError:
            return str(path)


SETTINGS_KEY = pytest.StashKey[Settings]()


def make_settings(config: pytest.Config) -> Settings:
    """Settings from the command line and ini options of ``config``."""
    invocation = config.invocation_params.dir
    artifacts = config.getoption("amodule_artifacts")
    html = config.getoption("amodule_html")
    is_worker = hasattr(config, "workerinput")
    pytest_html = bool(config.pluginmanager.hasplugin("html") and config.getoption("htmlpath", None))
    return Settings(
        spec_globs=tuple(config.getini("amodule_spec_files")),
        collect=bool(config.getini("amodule_collect")),
        artifacts_dir=(invocation / artifacts if artifacts else config.rootpath / DEFAULT_ARTIFACTS).resolve(),
        artifacts_explicit=bool(artifacts),
        update=bool(config.getoption("amodule_update")),
        html_path=None if (html is None or is_worker) else (invocation / html).resolve(),
        html_requested=html is not None,
        pytest_html=pytest_html,
        invocation_dir=invocation,
        rootdir=config.rootpath,
        is_worker=is_worker,
    )


def get_settings(config: pytest.Config) -> Settings:
    """The session's settings (made by ``pytest_configure``)."""
    return config.stash[SETTINGS_KEY]
