"""Specification of the Bright Pixel Segmenter (see the README's "The specification")."""

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
                ["image.png", 130, "mask_130.png", 16002],
                ["image.png", 150, "mask_150.png", 9276],
                ["image.png", 0, "mask_0.png", 108204],
                ["image.png", 255, "mask_255.png", 0],
            ],
        },
    },
    "module": {
        "name": "Bright Pixel Segmenter",
        "description": "Segments bright pixels of an RGB image and counts them.",
        "version": "1.0.0",
        "author": "The amodule developers",
        "author_email": "amodule@example.org",
        "url": "https://example.org/amodule",
        "dependencies": ["numpy"],
    },
}
