"""Specification of the module: its methods, typed inputs and outputs, and test cases.

File names in test cases are files in testdata/. Replace the bright-pixel example with
your own methods.
"""

SPEC = {
    "methods": {
        "process": {
            "description": "Segments the pixels whose mean over the colour channels is above a threshold.",
            "input": [
                {
                    "name": "image",
                    "description": "RGB image of shape (h,w,3)",
                    "type": "ndarray/uint8///3",
                },
                {
                    "name": "threshold",
                    "description": "Threshold for bright pixels (0-255)",
                    "type": "numeric/int",
                },
            ],
            "output": [
                {
                    "name": "mask",
                    "description": "Segmentation mask of shape (h,w): 255 bright, 0 not",
                    "type": "ndarray/uint8//",
                    "category": {
                        "name": "segmentation",
                        "labels": ["background", "foreground"],
                    },
                },
                {
                    "name": "#bright_pixels",
                    "description": "Number of bright pixels",
                    "type": "numeric/int",
                    "category": {
                        "name": "measurement",
                        "unit": "count",
                    },
                },
            ],
            "test_cases": [
                ["image.png", 130, "mask_130.png", 8865],
                ["image.png", 150, "mask_150.png", 3593],
                ["image.png", 0, "mask_0.png", 108204],
                ["image.png", 255, "mask_255.png", 0],
            ],
        },
    },
    "module": {
        "name": "Bright Pixel Segmenter",
        "description": "Segments bright pixels of an RGB image and counts them.",
        "version": "0.1.0",
        "author": "",
        "author_email": "",
        "url": "",
        "dependencies": ["numpy"],
    },
}
