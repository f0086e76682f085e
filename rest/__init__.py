"""Flask REST layer serving every method of an analytics module."""
