"""Bright Pixel Segmenter: the example analytics module."""
