"""Blob Detector: the detection example module (bright connected regions, numpy only)."""
