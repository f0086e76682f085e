"""pytest plugin that turns every test case of a ``specification.py`` into a test item.

The entry point is :mod:`pytest_amodule.plugin` (``pytest11: amodule``); nothing here is
meant to be imported by users.
"""

__all__: list[str] = []
