"""Segment the pixels whose mean over the colour channels is above a threshold."""

from __future__ import annotations

import numpy as np


def segment_bright_pixels(image: np.ndarray, threshold: int) -> np.ndarray:
    """A uint8 mask of shape (h, w): 255 where the channel mean is above ``threshold``, else 0.

    The comparison is done on channel sums (``sum > threshold * channels``), which is the
    same as comparing the mean and stays in integers.
    """
    channels = image.shape[2]
    sums = image.sum(axis=2, dtype=np.uint32)
    bright = sums > threshold * channels
    return bright.astype(np.uint8) * np.uint8(255)
