"""The example modules: each a real, tested module (classification, detection, segmentation)."""

from __future__ import annotations

import subprocess
import sys
from collections import deque
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from amodule_core.cli import main
from amodule_core.errors import TypeCheckError
from amodule_core.target import load_target
from amodule_core.util import create_analytics

REPO = Path(__file__).resolve().parent.parent
EXAMPLE_DIR = REPO / "example"
DIGITS = EXAMPLE_DIR / "amod_digits"
BLOBS = EXAMPLE_DIR / "amod_blobs"


@pytest.fixture(scope="module", autouse=True)
def examples_importable() -> None:
    """``amod_digits.analytics`` and friends import as the modules themselves do."""
    if str(EXAMPLE_DIR) not in sys.path:
        sys.path.insert(0, str(EXAMPLE_DIR))


@pytest.mark.parametrize(("name", "line"), [
    ("amod_brightpixel", "Bright Pixel Segmenter ({folder}): BrightPixelSegmenter, 1 method, 4 test cases"),
    ("amod_digits", "Digit Classifier ({folder}): DigitClassifier, 1 method, 11 test cases"),
    ("amod_blobs", "Blob Detector ({folder}): BlobDetector, 1 method, 5 test cases"),
])
def test_check_every_example(capsys: pytest.CaptureFixture[str], name: str, line: str) -> None:
    folder = EXAMPLE_DIR / name
    assert main(["check", str(folder)]) == 0
    assert capsys.readouterr().out == "ok: " + line.format(folder=folder) + "\n"


@pytest.mark.parametrize("name", ["amod_brightpixel", "amod_digits", "amod_blobs"])
def test_every_example_passes_its_cases(name: str) -> None:
    analytics = create_analytics(load_target(EXAMPLE_DIR / name).instantiate())
    results = analytics.run()
    assert results and all(result.passed for result in results)


@pytest.mark.slow
def test_pytest_runs_every_example_case() -> None:
    done = subprocess.run([sys.executable, "-m", "pytest", "example", "-q", "-p", "no:cacheprovider"],
                          capture_output=True, text=True, timeout=300, cwd=REPO)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "20 passed" in done.stdout  # 4 bright-pixel + 11 digits + 5 blobs cases


@pytest.mark.parametrize("name", ["amod_digits", "amod_blobs"])
def test_rest_service_script(name: str) -> None:
    import os

    done = subprocess.run([sys.executable, str(EXAMPLE_DIR / name / "rest_service.py"), "--help"],
                          capture_output=True, text=True, timeout=120, cwd=REPO, env={**os.environ, "COLUMNS": "400"})
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("usage: rest_service.py [-h] [--host HOST] [--port PORT]")
    assert f"TARGET Module folder or importable package name (default: {EXAMPLE_DIR / name})" in " ".join(done.stdout.split())


# --- digits -------------------------------------------------------------------------------


def test_digits_run_and_test_without_scikit_learn() -> None:
    code = (
        "import sys; sys.modules['sklearn'] = None\n"  # any import of scikit-learn fails
        f"sys.path.insert(0, {str(EXAMPLE_DIR)!r})\n"
        "import amod_digits.module as m\n"
        "from amodule_core.util import create_analytics\n"
        "create_analytics(m).test()\n"
        "print('ok')\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert (done.returncode, done.stdout) == (0, "ok\n"), done.stderr


def test_digits_accuracy_is_the_stated_one() -> None:
    with np.load(DIGITS / "resources" / "weights.npz") as data:
        accuracy = float(data["held_out_accuracy"])
        assert data["weights"].shape == (64, 10) and data["bias"].shape == (10,)
    assert f"{accuracy:.1%}" == "95.6%"
    assert "95.6% accuracy on 450 held-out digits" in load_target(DIGITS).spec.module["description"]
    assert "95.6% (430 of 450 digits)" in (DIGITS / "resources" / "README.md").read_text()


def test_digits_larger_and_inverted_pictures_give_the_same_features() -> None:
    from amod_digits.analytics import to_features

    digit = np.asarray(Image.open(DIGITS / "testdata" / "digit_3_23.png"))
    big = np.kron(digit, np.ones((5, 5), np.uint8))
    assert np.array_equal(to_features(big), to_features(digit))
    assert np.array_equal(to_features(255 - big), to_features(digit))
    assert to_features(np.zeros((13, 21), np.uint8)).shape == (64,)


def test_digits_rgb_input_refused() -> None:
    classifier = load_target(DIGITS).instantiate()
    with pytest.raises(TypeCheckError, match=r"process.input\[0\] 'image' must be ndarray/uint8// "):
        classifier.process(np.zeros((8, 8, 3), np.uint8))


@pytest.mark.slow
def test_digits_weights_retrain_identically_and_cases_are_held_out() -> None:
    pytest.importorskip("sklearn")
    sys.path.insert(0, str(DIGITS))
    try:
        import train
    finally:
        sys.path.remove(str(DIGITS))
    images, labels = train.load_images()
    training, held_out = train.split(labels)
    assert (len(training), len(held_out)) == (1347, 450)
    features = np.stack([train.to_features(image) for image in images])
    weights, bias = train.fit(features[training], labels[training])
    with np.load(DIGITS / "resources" / "weights.npz") as data:
        np.testing.assert_allclose(weights, data["weights"], rtol=0, atol=1e-9)
        np.testing.assert_allclose(bias, data["bias"], rtol=0, atol=1e-9)
    for path in sorted((DIGITS / "testdata").glob("digit_*.png")):
        _, label, index = path.stem.split("_")
        assert int(index) in held_out and labels[int(index)] == int(label)
        assert np.array_equal(np.asarray(Image.open(path)), images[int(index)])


# --- blobs --------------------------------------------------------------------------------


def flood_fill_count(mask: np.ndarray, connectivity: int) -> tuple[np.ndarray, int]:
    """Reference labelling by breadth-first search."""
    steps = [(-1, 0), (1, 0), (0, -1), (0, 1)]
    if connectivity == 8:
        steps += [(-1, -1), (-1, 1), (1, -1), (1, 1)]
    labels = np.full(mask.shape, -1)
    count = 0
    for start in zip(*np.nonzero(mask)):
        if labels[start] >= 0:
            continue
        labels[start] = count
        queue = deque([start])
        while queue:
            y, x = queue.popleft()
            for dy, dx in steps:
                ny, nx = y + dy, x + dx
                if 0 <= ny < mask.shape[0] and 0 <= nx < mask.shape[1] and mask[ny, nx] and labels[ny, nx] < 0:
                    labels[ny, nx] = count
                    queue.append((ny, nx))
        count += 1
    return labels, count


@pytest.mark.parametrize("connectivity", [4, 8])
def test_blob_labelling_matches_flood_fill(connectivity: int) -> None:
    from amod_blobs.analytics import label_runs

    rng = np.random.default_rng(11)
    for _ in range(150):
        mask = rng.random(tuple(rng.integers(1, 16, 2))) < rng.random()
        rows, starts, ends, labels = label_runs(mask, connectivity)
        ours = np.full(mask.shape, -1)
        for row, start, end, label in zip(rows, starts, ends, labels):
            ours[row, start:end] = label
        reference, count = flood_fill_count(mask, connectivity)
        assert np.array_equal(ours >= 0, mask)
        pairs = set(zip(ours[mask].tolist(), reference[mask].tolist()))
        assert len(pairs) == count == len(set(labels.tolist()))  # the same partition


def test_blob_connectivity_and_thresholds() -> None:
    from amod_blobs.analytics import find_blobs, otsu_threshold

    touching = np.asarray(Image.open(BLOBS / "testdata" / "touching.png"))
    assert [b.box for b in find_blobs(touching, 0, connectivity=8)] == [(2, 2, 8, 8)]
    assert [b.box for b in find_blobs(touching, 0, connectivity=4)] == [(2, 2, 3, 3), (5, 5, 5, 5)]
    assert otsu_threshold(np.full((4, 4), 7, np.uint8)) is None
    assert otsu_threshold(np.array([[10, 10, 200, 200]], np.uint8)) == 10
    rgba = np.zeros((6, 6, 4), np.uint8)
    rgba[1:3, 2:5, :3] = 255
    assert [(b.box, b.area) for b in find_blobs(rgba)] == [((2, 1, 3, 2), 6)]


def test_blob_testdata_is_what_the_generator_draws() -> None:
    sys.path.insert(0, str(BLOBS))
    try:
        import make_testdata
    finally:
        sys.path.remove(str(BLOBS))
    for name, scene in [("cells.png", make_testdata.cells), ("touching.png", make_testdata.touching),
                        ("empty.png", make_testdata.empty)]:
        image, _ = scene()
        assert np.array_equal(np.asarray(Image.open(BLOBS / "testdata" / name)), image), name
