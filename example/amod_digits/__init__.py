"""Digit Classifier: the classification example module (a softmax model trained in numpy)."""
