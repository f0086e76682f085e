"""``amodule new`` and ``amodule init``: the template copied, renamed, installed, tested and served."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest
import requests

from amodule_core import scaffold
from amodule_core.cli import main
from amodule_core.scaffold import (
    ScaffoldError,
    check_package_name,
    distribution_name_for,
    init_project,
    new_project,
    package_name_for,
)
from amodule_core.target import load_target, resolve_target

from .server_helpers import start

TEMPLATE = Path(scaffold.__file__).parent / "template"
IMAGE = TEMPLATE / "amod_template" / "testdata" / "image.png"

PROJECT_FILES = [
    ".gitattributes",
    ".github/workflows/ci.yml",
    ".gitignore",
    "README.md",
    "{pkg}/__init__.py",
    "{pkg}/analytics/__init__.py",
    "{pkg}/analytics/bright_pixel_segmentation.py",
    "{pkg}/module.py",
    "{pkg}/resources/README.md",
    "{pkg}/rest_service.py",
    "{pkg}/specification.py",
    "{pkg}/testdata/image.png",
    "{pkg}/testdata/mask_0.png",
    "{pkg}/testdata/mask_130.png",
    "{pkg}/testdata/mask_150.png",
    "{pkg}/testdata/mask_255.png",
    "pyproject.toml",
]


def listing(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())


def mentions(folder: Path, word: str) -> list[str]:
    """Files under ``folder`` whose text contains ``word``."""
    found = []
    for path in folder.rglob("*"):
        if path.is_file() and path.suffix != ".png" and word in path.read_text(encoding="utf-8"):
            found.append(path.relative_to(folder).as_posix())
    return found


@pytest.mark.parametrize(("name", "package"), [
    ("my-cat-detector", "amod_mycatdetector"),
    ("My Cat_Detector", "amod_mycatdetector"),
    ("seg 3d", "amod_seg3d"),
    ("3d", "amod_3d"),
    ("a", "amod_a"),
    ("cats--and__dogs", "amod_catsanddogs"),
    ("amod-cats", "amod_cats"),
    ("AMOD_cats", "amod_cats"),
    ("amodule-fun", "amod_amodulefun"),
])
def test_package_name_for(name: str, package: str) -> None:
    assert package_name_for(name) == package


@pytest.mark.parametrize(("name", "distribution"), [
    ("my-cat-detector", "my-cat-detector"),
    ("My Cat  Detector", "My-Cat-Detector"),
    ("  padded ", "padded"),
    ("cat.detector_2", "cat.detector_2"),
])
def test_distribution_name_for(name: str, distribution: str) -> None:
    assert distribution_name_for(name) == distribution


@pytest.mark.parametrize(("name", "message"), [
    ("---", "cannot make a package name from '---': it has no letters or digits"),
    ("my.cat", "cannot make a package name from 'my.cat': 'amod_my.cat' is not a valid Python identifier "
               "(use letters, digits, spaces, dashes and underscores, or choose the name with --package)"),
    ("über", "cannot make a package name from 'über': 'amod_über' is not a valid Python identifier "
             "(use letters, digits, spaces, dashes and underscores, or choose the name with --package)"),
])
def test_error_package_name_for(name: str, message: str) -> None:
    with pytest.raises(ScaffoldError) as info:
        package_name_for(name)
    assert str(info.value) == message


@pytest.mark.parametrize(("name", "message"), [
    ("", "the project name must not be empty"),
    ("-cat", "project name '-cat' can hold only letters, digits, spaces, '.', '-' and '_', "
             "and must start and end with a letter or digit"),
    ("cat!", "project name 'cat!' can hold only letters, digits, spaces, '.', '-' and '_', "
             "and must start and end with a letter or digit"),
])
def test_error_distribution_name_for(name: str, message: str) -> None:
    with pytest.raises(ScaffoldError) as info:
        distribution_name_for(name)
    assert str(info.value) == message


@pytest.mark.parametrize(("package", "message"), [
    ("my-cat", "package name 'my-cat' is not a valid Python identifier (letters, digits and underscores, "
               "not starting with a digit), e.g. 'amod_mycatdetector'"),
    ("1cat", "package name '1cat' is not a valid Python identifier (letters, digits and underscores, "
             "not starting with a digit), e.g. 'amod_mycatdetector'"),
    ("class", "package name 'class' is not a valid Python identifier (letters, digits and underscores, "
              "not starting with a digit), e.g. 'amod_mycatdetector'"),
    ("rest", "package name 'rest' is taken by amodule itself; choose another, e.g. 'amod_rest'"),
    ("json", "package name 'json' would shadow the standard library module 'json'"),
])
def test_error_check_package_name(package: str, message: str) -> None:
    with pytest.raises(ScaffoldError) as info:
        check_package_name(package)
    assert str(info.value) == message


def test_new_project_layout(tmp_path: Path) -> None:
    project = new_project("my-cat-detector", parent=tmp_path)
    assert project.folder == tmp_path.resolve() / "my-cat-detector"
    assert (project.package, project.distribution) == ("amod_mycatdetector", "my-cat-detector")
    assert listing(project.folder) == sorted(f.format(pkg="amod_mycatdetector") for f in PROJECT_FILES)
    assert os.listdir(tmp_path) == ["my-cat-detector"]  # no staging folder left
    assert mentions(project.folder, "amod_template") == []
    assert mentions(project.folder, "amod-template") == []
    pyproject = (project.folder / "pyproject.toml").read_text()
    assert 'name = "my-cat-detector"' in pyproject
    assert 'amod_mycatdetector = ["resources/**/*", "testdata/**/*"]' in pyproject
    assert 'testpaths = ["amod_mycatdetector"]' in pyproject
    module = (project.module_folder / "module.py").read_text()
    assert "from amod_mycatdetector.analytics import segment_bright_pixels" in module
    assert (project.module_folder / "testdata" / "image.png").read_bytes() == IMAGE.read_bytes()
    assert "filter=lfs" in (project.folder / ".gitattributes").read_text()
    assert "pytest" in (project.folder / ".github" / "workflows" / "ci.yml").read_text()


def test_new_project_with_package_and_spaces(tmp_path: Path) -> None:
    project = new_project("Cat Detector", package="catdet", parent=tmp_path)
    assert project.folder.name == "Cat Detector"
    assert (project.package, project.distribution) == ("catdet", "Cat-Detector")
    assert (project.folder / "catdet" / "module.py").is_file()
    assert resolve_target(project.folder) == project.folder / "catdet"


def test_new_project_module_passes_its_own_tests(tmp_path: Path) -> None:
    from amodule_core.util import create_analytics

    project = new_project("scaffold-selftest", parent=tmp_path)
    target = load_target(project.folder)  # a project folder resolves to its one module
    assert target.folder == project.module_folder
    assert target.cls.__name__ == "BrightPixelSegmenter"
    assert [case[-1] for case in target.spec.method("process").test_cases] == [8865, 3593, 108204, 0]
    create_analytics(target.instantiate()).test()


def test_template_files_are_readable_as_package_data() -> None:
    root = scaffold.template_root()
    names = sorted(entry.name for entry in root.iterdir())
    assert names == ["README.md", "amod_template", "dot-gitattributes", "dot-github", "dot-gitignore", "pyproject.toml"]


def test_error_new_existing_folder_left_alone(tmp_path: Path) -> None:
    (tmp_path / "taken").mkdir()
    (tmp_path / "taken" / "keep.txt").write_text("mine")
    with pytest.raises(ScaffoldError) as info:
        new_project("taken", parent=tmp_path)
    assert str(info.value) == f"{str(tmp_path.resolve() / 'taken')!r} already exists; choose another name or folder (--dir)"
    assert listing(tmp_path) == ["taken/keep.txt"]


@pytest.mark.parametrize(("name", "package", "message"), [
    ("  ", None, "the project name must not be empty"),
    ("a/b", None, "project name 'a/b' must be a folder name, not a path (choose where with --dir)"),
    ("..", None, "project name '..' must be a folder name, not a path (choose where with --dir)"),
    ("my.cat", None, "cannot make a package name from 'my.cat': 'amod_my.cat' is not a valid Python identifier "
                     "(use letters, digits, spaces, dashes and underscores, or choose the name with --package)"),
    ("cat", "my-cat", "package name 'my-cat' is not a valid Python identifier (letters, digits and underscores, "
                      "not starting with a digit), e.g. 'amod_mycatdetector'"),
])
def test_error_new_invalid_names(tmp_path: Path, name: str, package: str | None, message: str) -> None:
    with pytest.raises(ScaffoldError) as info:
        new_project(name, package=package, parent=tmp_path)
    assert str(info.value) == message
    assert os.listdir(tmp_path) == []


def test_error_new_missing_parent(tmp_path: Path) -> None:
    with pytest.raises(ScaffoldError) as info:
        new_project("cat", parent=tmp_path / "nope")
    assert str(info.value) == f"cannot create the project in {str(tmp_path / 'nope')!r}: not an existing folder"


def test_error_new_failure_midway_leaves_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(root: Path, package: str, distribution: str) -> None:
        (root / "half-written").write_text("x")
        raise OSError("disk full")

    monkeypatch.setattr(scaffold, "_rename", broken)
    with pytest.raises(OSError, match="disk full"):
        new_project("cat", parent=tmp_path)
    assert os.listdir(tmp_path) == []


def copy_template(folder: Path) -> Path:
    """A copy of the template as it is in amodule's source (dot files as dot-*)."""
    shutil.copytree(TEMPLATE, folder, ignore=shutil.ignore_patterns("__pycache__"))
    return folder


def test_init_renames_package_and_references(tmp_path: Path) -> None:
    folder = copy_template(tmp_path / "analytics-module-template-master")
    project = init_project(folder)
    assert (project.package, project.distribution) == ("amod_analyticsmoduletemplatemaster", "analytics-module-template-master")
    assert listing(folder) == sorted(f.format(pkg=project.package) for f in PROJECT_FILES)
    assert mentions(folder, "amod_template") == []
    assert 'name = "analytics-module-template-master"' in (folder / "pyproject.toml").read_text()


def test_init_with_name_keeps_other_files(tmp_path: Path) -> None:
    folder = copy_template(tmp_path / "work")
    (folder / "NOTES.txt").write_text("see amod_template/module.py\n")
    (folder / "data.bin").write_bytes(b"\x00amod_template\xff")
    project = init_project(folder, name="amod_cats")
    assert project.package == "amod_cats"
    assert (folder / "NOTES.txt").read_text() == "see amod_cats/module.py\n"
    assert (folder / "data.bin").read_bytes() == b"\x00amod_template\xff"  # binary: untouched


def test_init_cli_in_current_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    folder = copy_template(tmp_path / "my-seg")
    monkeypatch.chdir(folder)
    assert main(["init"]) == 0
    assert capsys.readouterr().out == "renamed amod_template to amod_myseg in .\n"
    assert (folder / "amod_myseg" / "module.py").is_file()


def test_error_init_without_template(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["init", "--dir", str(tmp_path)]) == 1
    assert capsys.readouterr().err == (
        f"amodule init: no amod_template package in {str(tmp_path.resolve())!r}: amodule init renames the package "
        "of a copied template (to start a new project in one step, use amodule new NAME)\n"
    )


def test_error_init_target_exists(tmp_path: Path) -> None:
    folder = copy_template(tmp_path / "cats")
    (folder / "amod_cats").mkdir()
    with pytest.raises(ScaffoldError) as info:
        init_project(folder)
    assert str(info.value) == f"{str(folder.resolve() / 'amod_cats')!r} already exists; choose another name with --name"
    assert (folder / "amod_template").is_dir()
    assert (folder / "dot-gitignore").is_file()  # nothing was changed


def test_error_init_invalid_name(tmp_path: Path) -> None:
    folder = copy_template(tmp_path / "cats")
    with pytest.raises(ScaffoldError, match="package name 'amod-cats' is not a valid Python identifier"):
        init_project(folder, name="amod-cats")


def test_new_cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["new", "my-cat-detector"]) == 0
    assert capsys.readouterr().out == (
        "created my-cat-detector/ with the module package amod_mycatdetector (the bright-pixel example)\n\n"
        "next:\n  pip install -e my-cat-detector\n  cd my-cat-detector && pytest\n  amodule serve my-cat-detector\n"
    )
    assert main(["new", "my-cat-detector"]) == 1
    assert capsys.readouterr().err == (
        f"amodule new: {str(tmp_path.resolve() / 'my-cat-detector')!r} already exists; "
        "choose another name or folder (--dir)\n"
    )


# --- a generated project installed in a fresh virtual environment ---------------------------


def layered_venv(folder: Path) -> Path:
    """A new virtual environment that also sees this environment's packages (amodule, pytest,
    numpy, ...) through a .pth file, so installing into it never touches this one."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(folder)], check=True, timeout=60)
    python = folder / "bin" / "python"
    site = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          capture_output=True, text=True, check=True, timeout=60).stdout.strip()
    parent = sysconfig.get_paths()["purelib"]
    Path(site, "_amodule_parent.pth").write_text(f"import site; site.addsitedir({parent!r})\n")
    return python


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """``amodule new`` + ``pip install --no-deps -e`` into a fresh venv: (python, project)."""
    if sys.platform == "win32":
        pytest.skip("the venv layout below is POSIX's")
    tmp = tmp_path_factory.mktemp("scaffold_install")
    project = new_project("my-cat-detector", parent=tmp).folder
    python = layered_venv(tmp / "venv")
    done = subprocess.run([str(python), "-m", "pip", "install", "-q", "--no-deps", "--no-build-isolation", "-e", str(project)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    return python, project


@pytest.mark.slow
def test_installed_project_imports_from_its_folder(installed: tuple[Path, Path]) -> None:
    python, project = installed
    done = subprocess.run([str(python), "-c", "import amod_mycatdetector; print(amod_mycatdetector.__file__)"],
                          capture_output=True, text=True, timeout=60, cwd="/")
    assert done.returncode == 0, done.stderr
    assert Path(done.stdout.strip()) == project / "amod_mycatdetector" / "__init__.py"
    outside = subprocess.run([sys.executable, "-c", "import amod_mycatdetector"], capture_output=True, text=True,
                             timeout=60, cwd="/")
    assert outside.returncode == 1  # this environment was not touched


@pytest.mark.slow
def test_installed_project_pytest_passes(installed: tuple[Path, Path]) -> None:
    python, project = installed
    done = subprocess.run([str(python), "-m", "pytest", "-p", "no:cacheprovider"], capture_output=True, text=True,
                          timeout=300, cwd=project)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "amod_mycatdetector/specification.py ...." in done.stdout
    assert "4 passed" in done.stdout


@pytest.mark.slow
@pytest.mark.server
def test_installed_project_is_served(installed: tuple[Path, Path], tmp_path: Path) -> None:
    python, project = installed
    server = start([str(python), "-m", "amodule_core", "serve", str(project)], tmp_path)
    try:
        assert requests.get(f"{server.url}/api", timeout=10).json()["name"] == "Bright Pixel Segmenter"
        answer = requests.post(f"{server.url}/api/run/process", files={"image": ("image.png", IMAGE.read_bytes())},
                               data={"threshold": "130"}, timeout=30)
        assert answer.status_code == 200, answer.text
        assert answer.json()["outputs"]["#bright_pixels"] == 8865
    finally:
        server.stop()


@pytest.mark.slow
def test_project_wheel_holds_resources_and_testdata(installed: tuple[Path, Path], tmp_path: Path) -> None:
    python, project = installed
    done = subprocess.run([str(python), "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", "-w",
                           str(tmp_path), str(project)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    (wheel,) = tmp_path.glob("my_cat_detector-0.1.0-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for expected in ("amod_mycatdetector/module.py", "amod_mycatdetector/specification.py",
                     "amod_mycatdetector/rest_service.py", "amod_mycatdetector/analytics/__init__.py",
                     "amod_mycatdetector/resources/README.md", "amod_mycatdetector/testdata/mask_130.png"):
        assert expected in names


def test_template_is_package_data_of_the_wheel() -> None:
    import glob
    import tomllib

    package = TEMPLATE.parent
    patterns = tomllib.loads((package.parent / "pyproject.toml").read_text())[
        "tool"]["setuptools"]["package-data"]["amodule_core"]
    # setuptools expands package-data patterns with glob(recursive=True), as here
    matched = {Path(f) for pattern in patterns for f in glob.glob(str(package / pattern), recursive=True)}
    files = {p for p in TEMPLATE.rglob("*") if p.is_file() and "__pycache__" not in p.parts}
    assert files and sorted(str(f.relative_to(package)) for f in files - matched) == []
