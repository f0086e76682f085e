"""A multinomial logistic-regression (softmax) classifier for 8x8 digit images, in numpy.

The model is trained by ``train.py`` (beside this package) and stored as ``weights``
(64, 10) and ``bias`` (10,) in an ``.npz`` file; running it needs only numpy and Pillow.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

__all__ = ["SIZE", "SoftmaxClassifier", "to_features"]

#: Side of the images the model was trained on.
SIZE = 8


def to_features(image: np.ndarray) -> np.ndarray:
    """The model's input for a grayscale uint8 image of any size: 64 floats in [0, 1].

    The training digits are light ink on a dark background, 8x8. A larger picture is
    reduced to 8x8 with Pillow's box filter (each output pixel the mean of its area), and
    a picture whose border is mostly light (mean above 127) is taken as dark ink on light
    paper and inverted. No training image has such a border (the largest border mean is 77).
    """
    if image.shape != (SIZE, SIZE):
        image = np.asarray(Image.fromarray(image).resize((SIZE, SIZE), Image.Resampling.BOX))
    pixels = image.astype(np.float64) / 255.0
    border = np.concatenate([pixels[0], pixels[-1], pixels[1:-1, 0], pixels[1:-1, -1]])
    if border.mean() > 127 / 255:
        pixels = 1.0 - pixels
    return pixels.reshape(SIZE * SIZE)


def softmax(logits: np.ndarray) -> np.ndarray:
    """Row-wise softmax, shifted by the row maximum so large logits do not overflow."""
    shifted = logits - logits.max(axis=-1, keepdims=True)
    exp = np.exp(shifted)
    return exp / exp.sum(axis=-1, keepdims=True)


class SoftmaxClassifier:
    """``probabilities(image)``: the 10 class probabilities of a digit image."""

    def __init__(self, weights: np.ndarray, bias: np.ndarray) -> None:
        if weights.shape != (SIZE * SIZE, 10) or bias.shape != (10,):
            raise ValueError(f"expected weights (64, 10) and bias (10,), got {weights.shape} and {bias.shape}")
        self.weights = weights
        self.bias = bias

    @classmethod
    def load(cls, path: str | Path) -> SoftmaxClassifier:
        """The classifier stored in ``path`` (an .npz with ``weights`` and ``bias``)."""
        with np.load(path, allow_pickle=False) as data:
            return cls(data["weights"], data["bias"])

    def probabilities(self, image: np.ndarray) -> list[float]:
        """Class probabilities for the digits 0..9 (they sum to 1)."""
        features = to_features(image)
        return [float(p) for p in softmax(features @ self.weights + self.bias)]
