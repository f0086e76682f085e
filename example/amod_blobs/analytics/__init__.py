"""The analytics code the module wraps (kept free of amodule imports)."""

from .blobs import Blob, find_blobs, label_runs, otsu_threshold, to_gray

__all__ = ["Blob", "find_blobs", "label_runs", "otsu_threshold", "to_gray"]
