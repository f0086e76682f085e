"""An analytics module made with amodule (starts as the bright-pixel example)."""
