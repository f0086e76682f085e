"""Blob Detector: bounding boxes of the bright connected regions of an image, and their count."""

import sys

from amodule_core import Module
from amodule_core.util import create_analytics
from amod_blobs.analytics import find_blobs


class BlobDetector(Module):
    """Finds bright regions (above Otsu's threshold, 8-connected) and boxes them."""

    def __init__(self, *args):
        # Nothing to load: the detector has no trained parameters.
        pass

    def process(self, image, min_area):
        """Boxes ``("rect", [(x, y, w, h), ...])`` of the regions of at least ``min_area`` pixels."""
        Module.checktype(self, "process", "input", image, min_area)
        boxes = [blob.box for blob in find_blobs(image, min_area)]
        annotation = ("rect", boxes)
        Module.checktype(self, "process", "output", annotation, len(boxes))
        return annotation, len(boxes)


def test_module():  # run by `pytest module.py`; don't change
    analytics = create_analytics(sys.modules[__name__])
    analytics.test()


def main_module(argv):
    """`python -m amod_blobs.module IMAGE [MIN_AREA]`: print the boxes."""
    from amodule_core.convert import decode_bytes

    with open(argv[1], "rb") as file:
        image = decode_bytes(file.read(), path=argv[1])
    min_area = int(argv[2]) if len(argv) > 2 else 0
    (_, boxes), count = BlobDetector().process(image, min_area)
    print(f"{count} blob(s)")
    for x, y, w, h in boxes:
        print(f"  x={x} y={y} w={w} h={h}")


if __name__ == "__main__":
    main_module(sys.argv)
