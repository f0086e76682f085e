"""Train the digit classifier and write resources/weights.npz and the test images.

Needs scikit-learn, only for its bundled 8x8 handwritten digits data set (no download)::

    pip install scikit-learn
    python example/amod_digits/train.py

Multinomial logistic regression (softmax) trained by full-batch gradient descent with L2
regularisation, on 75% of the data set; the other 25% (a fixed-seed split, stratified by
digit) is held out and only used to report the accuracy. Training is deterministic: the
same numpy gives the same weights. The script prints the held-out accuracy and the
``test_cases`` rows of ``specification.py`` for the test images it writes.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
from PIL import Image

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # so that `amod_digits` imports without installing it

from amod_digits.analytics.softmax import SIZE, SoftmaxClassifier, softmax, to_features  # noqa: E402

SEED = 0
HELD_OUT = 0.25
STEPS = 3000
LEARNING_RATE = 0.5
L2 = 1e-3


def load_images() -> tuple[np.ndarray, np.ndarray]:
    """The data set as uint8 images (0..16 scaled to 0..255, as a user would send them) and labels."""
    from sklearn.datasets import load_digits

    digits = load_digits()
    images = np.round(digits.images * 255 / 16).astype(np.uint8)
    return images, digits.target.astype(np.int64)


def split(labels: np.ndarray, seed: int = SEED, held_out: float = HELD_OUT) -> tuple[np.ndarray, np.ndarray]:
    """Indices of the training and held-out sets, stratified by label, sorted."""
    rng = np.random.default_rng(seed)
    train, test = [], []
    for digit in range(10):
        members = rng.permutation(np.flatnonzero(labels == digit))
        count = int(round(len(members) * held_out))
        test.extend(members[:count])
        train.extend(members[count:])
    return np.sort(train), np.sort(test)


def fit(features: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Weights (64, 10) and bias (10,) minimising cross-entropy + L2/2 * |weights|^2."""
    n = len(labels)
    onehot = np.eye(10)[labels]
    weights = np.zeros((features.shape[1], 10))
    bias = np.zeros(10)
    for _ in range(STEPS):
        error = softmax(features @ weights + bias) - onehot
        weights -= LEARNING_RATE * (features.T @ error / n + L2 * weights)
        bias -= LEARNING_RATE * error.mean(axis=0)
    return weights, bias


def upscale(image: np.ndarray, factor: int) -> np.ndarray:
    """Each pixel repeated ``factor`` x ``factor`` times (the box filter undoes this exactly)."""
    return np.kron(image, np.ones((factor, factor), dtype=np.uint8))


def main() -> None:
    images, labels = load_images()
    train, test = split(labels)
    features = np.stack([to_features(image) for image in images])
    weights, bias = fit(features[train], labels[train])

    predicted = np.argmax(features @ weights + bias, axis=1)
    train_accuracy = float(np.mean(predicted[train] == labels[train]))
    accuracy = float(np.mean(predicted[test] == labels[test]))
    print(f"training accuracy {train_accuracy:.4f} on {len(train)} images")
    print(f"held-out accuracy {accuracy:.4f} ({int(np.sum(predicted[test] == labels[test]))}/{len(test)})")

    np.savez_compressed(
        HERE / "resources" / "weights.npz", weights=weights, bias=bias,
        held_out_accuracy=np.float64(accuracy), seed=np.int64(SEED),
    )
    model = SoftmaxClassifier.load(HERE / "resources" / "weights.npz")

    # One held-out image of each digit, plus the first held-out 3 as a larger picture of
    # dark ink on light paper (the module reduces and inverts it to the same 8x8 image).
    testdata = HERE / "testdata"
    cases = []
    for digit in range(10):
        index = int(test[labels[test] == digit][0])
        name = f"digit_{digit}_{index}.png"
        Image.fromarray(images[index]).save(testdata / name)
        cases.append((name, model.probabilities(images[index])))
    index = int(test[labels[test] == 3][0])
    name = f"paper_3_{index}.png"
    Image.fromarray(255 - upscale(images[index], 6)).save(testdata / name)
    cases.append((name, model.probabilities(np.asarray(Image.open(testdata / name)))))

    print("test_cases:")
    for name, probabilities in cases:
        values = ", ".join(f"{p:.10g}" for p in probabilities)
        print(f'                ["{name}", [{values}]],')


if __name__ == "__main__":
    main()
