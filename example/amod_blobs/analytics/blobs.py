"""Bright connected regions ("blobs") of an image and their bounding boxes, in numpy only.

Pixels brighter than Otsu's threshold are foreground; foreground pixels touching each
other (8-connectivity: sides and corners) form one blob. The labelling works on runs:
each row's foreground runs are found with numpy, runs of adjacent rows that touch are
found with ``searchsorted``, and the runs are merged with a union-find. So the Python-level
work grows with the number of runs, not of pixels.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["Blob", "to_gray", "otsu_threshold", "label_runs", "find_blobs"]


@dataclass(frozen=True, order=True)
class Blob:
    """A connected region: its bounding box (``x, y, w, h``, pixels) and pixel count.

    The field order makes the natural sort top-to-bottom, then left-to-right.
    """

    y: int
    x: int
    h: int
    w: int
    area: int

    @property
    def box(self) -> tuple[int, int, int, int]:
        """``(x, y, w, h)``, the order of a ``rect`` annotation."""
        return (self.x, self.y, self.w, self.h)


def to_gray(image: np.ndarray) -> np.ndarray:
    """A uint8 (h, w) image: itself if grayscale, else the mean of R, G and B (alpha ignored)."""
    if image.ndim == 2:
        return image
    rgb = image[..., :3].astype(np.uint16)
    return (rgb.sum(axis=2) // 3).astype(np.uint8)


def otsu_threshold(gray: np.ndarray) -> int | None:
    """Otsu's threshold ``t`` of a uint8 image: foreground is ``gray > t``.

    ``t`` maximises the between-class variance of ``gray <= t`` and ``gray > t`` (the
    smallest such ``t`` on ties). ``None`` when the image has a single grey level.
    """
    histogram = np.bincount(gray.ravel(), minlength=256).astype(np.float64)
    total = histogram.sum()
    levels = np.arange(256, dtype=np.float64)
    weight0 = np.cumsum(histogram)[:-1]  # pixels <= t, for t = 0..254
    weight1 = total - weight0
    sum0 = np.cumsum(histogram * levels)[:-1]
    sum1 = (histogram * levels).sum() - sum0
    valid = (weight0 > 0) & (weight1 > 0)
    if not valid.any():
        return None
    with np.errstate(divide="ignore", invalid="ignore"):
        between = weight0 * weight1 * (sum0 / weight0 - sum1 / weight1) ** 2
    between[~valid] = -1.0
    return int(np.argmax(between))


def _runs(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rows, starts and (exclusive) ends of the foreground runs, in row-major order."""
    padded = np.zeros((mask.shape[0], mask.shape[1] + 2), dtype=np.int8)
    padded[:, 1:-1] = mask
    steps = np.diff(padded, axis=1)
    rows, starts = np.nonzero(steps == 1)
    _, ends = np.nonzero(steps == -1)
    return rows, starts, ends


def label_runs(mask: np.ndarray, connectivity: int = 8) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The foreground runs of a boolean (h, w) mask and the component of each.

    Returns ``(rows, starts, ends, labels)``: run ``i`` covers ``mask[rows[i], starts[i]:ends[i]]``
    and belongs to component ``labels[i]`` (0, 1, ... numbered in order of first run).
    ``connectivity`` 8 joins pixels touching at sides or corners, 4 at sides only.
    """
    if connectivity not in (4, 8):
        raise ValueError(f"connectivity must be 4 or 8 (got {connectivity!r})")
    rows, starts, ends = _runs(mask)
    count = len(rows)
    if count == 0:
        return rows, starts, ends, np.zeros(0, dtype=np.int64)
    # Keys order the runs by (row, column); run b touches run a of the row above when
    # a.start <= b.end and a.end >= b.start (8-connectivity; strict for 4-connectivity).
    stride = mask.shape[1] + 2
    start_keys = rows * stride + starts
    end_keys = rows * stride + ends
    above = (rows - 1) * stride
    side = "left" if connectivity == 8 else "right"
    first = np.searchsorted(end_keys, above + starts, side=side)
    last = np.searchsorted(start_keys, above + ends, side="right" if connectivity == 8 else "left")
    parent = list(range(count))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for b, lo, hi in zip(range(count), first.tolist(), last.tolist()):
        for a in range(lo, hi):
            ra, rb = find(a), find(b)
            if ra != rb:
                parent[max(ra, rb)] = min(ra, rb)
    roots = np.fromiter((find(i) for i in range(count)), dtype=np.int64, count=count)
    _, labels = np.unique(roots, return_inverse=True)
    return rows, starts, ends, labels.reshape(-1)


def find_blobs(image: np.ndarray, min_area: int = 0, connectivity: int = 8) -> list[Blob]:
    """The bright connected regions of ``image`` with at least ``min_area`` pixels, sorted
    top-to-bottom, then left-to-right (by ``y``, ``x``, ``h``, ``w``, ``area``).

    ``image`` is a uint8 (h, w), (h, w, 3) or (h, w, 4) array; a ``min_area`` below 1 keeps
    every region. An image with a single grey level has no bright regions.
    """
    gray = to_gray(image)
    threshold = otsu_threshold(gray)
    if threshold is None:
        return []
    rows, starts, ends, labels = label_runs(gray > threshold, connectivity)
    if len(labels) == 0:
        return []
    count = int(labels.max()) + 1
    top = np.full(count, np.iinfo(np.int64).max)
    left = np.full(count, np.iinfo(np.int64).max)
    bottom = np.full(count, -1)
    right = np.full(count, -1)
    area = np.zeros(count, dtype=np.int64)
    np.minimum.at(top, labels, rows)
    np.maximum.at(bottom, labels, rows)
    np.minimum.at(left, labels, starts)
    np.maximum.at(right, labels, ends)
    np.add.at(area, labels, ends - starts)
    blobs = [
        Blob(y=int(t), x=int(lf), h=int(b - t + 1), w=int(r - lf), area=int(a))
        for t, lf, b, r, a in zip(top, left, bottom, right, area)
        if a >= min_area
    ]
    return sorted(blobs)
