"""Digit Classifier: the probabilities of the digits 0..9 for a picture of a handwritten digit."""

import sys
from pathlib import Path

from amodule_core import Module
from amodule_core.util import create_analytics
from amod_digits.analytics import SoftmaxClassifier

WEIGHTS = Path(__file__).resolve().parent / "resources" / "weights.npz"


class DigitClassifier(Module):
    """Classifies 8x8 handwritten digits (larger pictures are reduced to 8x8)."""

    def __init__(self, *args):
        self.model = SoftmaxClassifier.load(WEIGHTS)  # once per process, not per call

    def process(self, image):
        """Probabilities of the digits 0..9 for a grayscale picture of one digit."""
        Module.checktype(self, "process", "input", image)
        probabilities = self.model.probabilities(image)
        Module.checktype(self, "process", "output", probabilities)
        return probabilities


def test_module():  # run by `pytest module.py`; don't change
    analytics = create_analytics(sys.modules[__name__])
    analytics.test()


def main_module(argv):
    """`python -m amod_digits.module IMAGE`: print the most likely digit and its probability."""
    from amodule_core.convert import decode_bytes

    with open(argv[1], "rb") as file:
        image = decode_bytes(file.read(), path=argv[1])
    probabilities = DigitClassifier().process(image)
    best = max(range(10), key=probabilities.__getitem__)
    print(f"{best} (p={probabilities[best]:.3f})")


if __name__ == "__main__":
    main_module(sys.argv)
