"""The analytics code the module wraps (kept free of amodule imports)."""

from .bright_pixel_segmentation import segment_bright_pixels

__all__ = ["segment_bright_pixels"]
