"""The analytics code the module wraps (kept free of amodule imports)."""

from .softmax import SoftmaxClassifier, to_features

__all__ = ["SoftmaxClassifier", "to_features"]
