"""The module's class: wraps the code in analytics/ behind the methods of specification.py.

This is the bright-pixel example; replace it with your own analytics.
"""

import sys

import numpy as np

from amodule_core import Module
from amodule_core.util import create_analytics
from amod_template.analytics import segment_bright_pixels


class BrightPixelSegmenter(Module):
    """Segments bright pixels and counts them."""

    def __init__(self, *args):
        # Load your model from resources/ here: it runs once per process, not per call.
        pass

    def process(self, image, threshold):
        """Mask of the pixels brighter than ``threshold`` and their count."""
        Module.checktype(self, "process", "input", image, threshold)
        mask = segment_bright_pixels(image, threshold)
        count = int(np.count_nonzero(mask))
        Module.checktype(self, "process", "output", mask, count)
        return mask, count


def test_module():  # run by `pytest module.py`; don't change
    analytics = create_analytics(sys.modules[__name__])
    analytics.test()


def main_module(argv):
    """`python -m amod_template.module IMAGE [THRESHOLD]`: print the count."""
    from amodule_core.convert import decode_bytes

    with open(argv[1], "rb") as file:
        image = decode_bytes(file.read(), path=argv[1])
    threshold = int(argv[2]) if len(argv) > 2 else 130
    mask, count = BrightPixelSegmenter().process(image, threshold)
    print(f"{count} bright pixels of {mask.size}")


if __name__ == "__main__":
    main_module(sys.argv)
