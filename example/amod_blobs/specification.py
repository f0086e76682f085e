"""Specification of the Blob Detector (see the README's "The specification").

The test images are synthetic scenes drawn by ``make_testdata.py`` from shapes whose
bounding boxes are known exactly.
"""

SPEC = {
    "methods": {
        "process": {
            "description": "Finds the bright connected regions of an image and boxes them.",
            "input": [
                {
                    "name": "image",
                    "description": "Grayscale, RGB or RGBA image; pixels above Otsu's threshold are bright",
                    "type": "ndarray/image",
                },
                {
                    "name": "min_area",
                    "description": "Smallest region kept, in pixels (below 1: every region)",
                    "type": "numeric/int",
                },
            ],
            "output": [
                {
                    "name": "boxes",
                    "description": "Bounding boxes (x, y, w, h) of the regions, top to bottom, then left to right",
                    "type": "annotation",
                    "category": {
                        "name": "detection",
                        "labels": ["blob"],
                    },
                },
                {
                    "name": "count",
                    "description": "Number of regions found",
                    "type": "numeric/int",
                    "category": {
                        "name": "measurement",
                        "unit": "count",
                    },
                },
            ],
            "test_cases": [
                ["cells.png", 0, ["rect", [[120, 5, 2, 2], [18, 13, 25, 25], [87, 22, 17, 17], [10, 60, 30, 20], [65, 61, 41, 19], [55, 85, 5, 5]]], 6],
                # the 2x2 speck is smaller than 20 pixels
                ["cells.png", 20, ["rect", [[18, 13, 25, 25], [87, 22, 17, 17], [10, 60, 30, 20], [65, 61, 41, 19], [55, 85, 5, 5]]], 5],
                ["cells.png", 300, ["rect", [[18, 13, 25, 25], [10, 60, 30, 20], [65, 61, 41, 19]]], 3],
                # two squares meeting at a corner are one region (8-connectivity)
                ["touching.png", 0, ["rect", [[2, 2, 8, 8]]], 1],
                ["empty.png", 0, ["rect", []], 0],
            ],
        },
    },
    "module": {
        "name": "Blob Detector",
        "description": "Finds bright connected regions and their bounding boxes (numpy only).",
        "version": "1.0.0",
        "author": "The amodule developers",
        "author_email": "amodule@example.org",
        "url": "https://example.org/amodule",
        "dependencies": ["numpy"],
    },
}
