"""Collect a ``specification.py``: one :class:`~pytest_amodule.items.CaseItem` per test case.

Collection reads and validates the spec and imports ``module.py`` (to find its Module
class); it decodes no test data and creates no instance. The instance is made lazily, at
the first item that runs, cached on the collector and dropped when pytest tears the
collector down (after the last item of the file).
"""

from __future__ import annotations

import traceback
from collections.abc import Iterator, Mapping
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import pytest

from .settings import get_settings

if TYPE_CHECKING:
    from amodule_core.cases import Case
    from amodule_core.module import Module
    from amodule_core.spec import Spec

__all__ = ["SpecFile"]

_NOT_MADE: Any = object()


class SpecFile(pytest.File):
    """A ``specification.py``: its test cases are the items."""

    spec: Spec | None = None
    module_class: type[Module] | None = None
    _instance: Any = _NOT_MADE
    _instance_error: BaseException | None = None
    _instance_tb: Any = None
    #: Under ``--amodule-update``: expected files named by several cases, with their ids.
    shared_files: Mapping[Path, list[str]] = MappingProxyType({})

    def collect(self) -> Iterator[pytest.Item]:
        from amodule_core.cases import load_cases
        from amodule_core.errors import ModuleLoadError, SpecError
        from amodule_core.module import load_module_class

        from .items import CaseItem

        update = get_settings(self.config).update
        try:
            spec = _load_spec(self.path, check_files=not update)
        except SpecError as exc:
            raise self.CollectError(str(exc)) from None
        try:
            module_class = load_module_class(self.path.parent)
        except ModuleLoadError as exc:
            raise self.CollectError(_load_error_text(exc)) from None
        self.spec = spec
        self.module_class = module_class
        cases = load_cases(spec)
        if update:
            self.shared_files = _shared_files(cases)
        # pytest >= 9 keeps node ids structured, "[0]" as the parameter part, as it does for
        # parametrized tests and for ids read back from its cache (--lf, --sw); built the
        # same way here so those match. Older pytest joins the name to the parent's id.
        base = getattr(self, "id", None)
        for case in cases:
            nodeid = None
            if base is not None and hasattr(base, "with_params"):
                nodeid = base.child(case.method.name).with_params(str(case.index))
            yield CaseItem.from_parent(self, name=case.id, nodeid=nodeid, case=case)

    def instance(self) -> Module:
        """The Module instance, made at the first call; re-raises a constructor error."""
        __tracebackhide__ = True
        if self._instance is _NOT_MADE:
            if self._instance_error is not None:
                # The original traceback, so it does not grow with every item re-raising it.
                raise self._instance_error.with_traceback(self._instance_tb)
            assert self.module_class is not None  # set by collect()
            try:
                self._instance = self.module_class()
            except Exception as exc:
                self._instance_error, self._instance_tb = exc, exc.__traceback__
                raise
        return self._instance

    def teardown(self) -> None:
        # The last item of this file has run: free the model (and a stored error's frames).
        self._instance = _NOT_MADE
        self._instance_error = self._instance_tb = None


def _shared_files(cases: list[Case]) -> dict[Path, list[str]]:
    users: dict[Path, list[str]] = {}
    for case in cases:
        for path in case.output_files().values():
            users.setdefault(path, []).append(case.id)
    return {path: ids for path, ids in users.items() if len(ids) > 1}


def _load_spec(path: Path, *, check_files: bool) -> Spec:
    """The validated spec; with ``check_files=False`` (``--amodule-update``) file names in
    test cases need not exist yet, since the update creates them."""
    from amodule_core.spec import load_spec

    return load_spec(path, check_files=check_files)


def _load_error_text(exc: BaseException) -> str:
    """A ModuleLoadError's message, with the traceback of the user's import error if any."""
    text = str(exc)
    cause = exc.__cause__
    if cause is None:
        return text
    frames = [
        frame for frame in traceback.extract_tb(cause.__traceback__)
        if "importlib" not in frame.filename and "amodule_core" not in Path(frame.filename).parts
    ]
    lines = traceback.format_list(frames) + traceback.format_exception_only(type(cause), cause)
    if not frames and not isinstance(cause, SyntaxError):
        return text
    return text + "\nTraceback (most recent call last):\n" + "".join(lines).rstrip()
