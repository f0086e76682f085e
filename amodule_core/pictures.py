"""Pictures of outputs for people: arrays as displayable images, and difference images.

Used for failing cases only (the pytest plugin's artifacts and report, the REST test page),
so nothing here runs for a passing case.
"""

from __future__ import annotations

import numpy as np

from .compare import Tolerance, _outside
from .iotypes import is_image_array

__all__ = ["can_picture", "diff_picture", "to_picture"]


def can_picture(actual: object, expected: object) -> bool:
    """Whether both values can be shown as pictures of the same (non-empty) shape.

    True for two image-like arrays (uint8 (h,w), (h,w,3), (h,w,4)) or two 2-D numeric
    (bool, int, float) arrays.
    """
    a, e = actual, expected
    if not (isinstance(a, np.ndarray) and isinstance(e, np.ndarray)) or a.shape != e.shape:
        return False
    if a.size == 0:
        return False
    if is_image_array(a) and is_image_array(e):
        return True
    return a.ndim == 2 and a.dtype.kind in "biuf" and e.dtype.kind in "biuf"


def diff_picture(actual: object, expected: object, tolerance: Tolerance) -> np.ndarray | None:
    """A uint8 RGB (h,w,3) picture of the difference, None unless :func:`can_picture`.

    The background is the expected picture in dimmed gray (R = G = B <= 153); pixels
    outside the tolerance are pure red, from R=100 (smallest difference) to R=255
    (largest; NaN against a number counts as largest).
    """
    if not can_picture(actual, expected):
        return None
    a, e = np.asarray(actual), np.asarray(expected)
    mask, _, _ = _outside(a, e, tolerance)
    with np.errstate(all="ignore"):
        delta = np.abs(a.astype(np.float64) - e.astype(np.float64))
    delta[np.isnan(delta)] = np.inf
    if delta.ndim == 3:
        delta, mask = delta.max(axis=2), mask.any(axis=2)
    picture = to_picture(e)
    if picture is None:  # not reached: can_picture() accepted e
        return None
    gray = picture if picture.ndim == 2 else picture[..., :3].mean(axis=2)
    out = np.repeat((gray * 0.6).astype(np.uint8)[..., None], 3, axis=2)
    if mask.any():
        magnitude = delta[mask]
        finite = magnitude[np.isfinite(magnitude)]
        top = float(finite.max()) if finite.size else 1.0
        scale = np.where(np.isfinite(magnitude), magnitude, top) / top if top > 0 else 1.0
        out[mask] = 0
        out[mask, 0] = np.rint(100 + 155 * scale).astype(np.uint8)
    return out


def to_picture(value: object) -> np.ndarray | None:
    """A displayable uint8 image of a 2-D or (h,w,3|4) numeric array, else None.

    uint8 is returned as is, bool becomes 0/255, anything else is scaled so its finite
    minimum is 0 and maximum 255 (a constant array is 0; NaN and -inf 0, +inf 255).
    """
    if not isinstance(value, np.ndarray) or value.dtype.kind not in "biuf":
        return None
    if not (value.ndim == 2 or (value.ndim == 3 and value.shape[2] in (3, 4))):
        return None
    if value.dtype == np.uint8:
        return value
    if value.dtype.kind == "b":
        return value.astype(np.uint8) * 255
    data = value.astype(np.float64)
    finite = np.isfinite(data)
    low, high = (data[finite].min(), data[finite].max()) if finite.any() else (0.0, 0.0)
    with np.errstate(all="ignore"):
        scaled = (data - low) * (255 / (high - low)) if high > low else np.zeros_like(data)
    scaled[~finite] = 0
    scaled[data == np.inf] = 255
    return np.rint(np.clip(scaled, 0, 255)).astype(np.uint8)
