"""pytest plugin that turns every test case of a ``specification.py`` into a test item."""
