"""One test case of a spec as a pytest item: run it, explain a failure, update expectations."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from amodule_core.cases import Case
from amodule_core.errors import AModuleError
from amodule_core.module import invoke
from amodule_core.runner import OutputDiff, compare_outputs, describe_inputs, format_failure

from .settings import Settings, get_settings

if TYPE_CHECKING:
    from _pytest._code.code import ExceptionInfo, TerminalRepr, Traceback, TracebackEntry

    from .collect import SpecFile

__all__ = ["CaseFailure", "CaseItem", "update_hint"]

# Frames of these folders are the plugin's and the core's own: never shown to the user.
_INTERNAL = tuple(
    os.path.dirname(os.path.abspath(path)) + os.sep
    for path in (__file__, __import__("amodule_core").__file__)
)


class CaseFailure(Exception):
    """A case failed for a reason the plugin explains itself: shown as text, no traceback."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text


class CaseItem(pytest.Item):
    """A test case ``<method>[<index>]`` of a ``specification.py``."""

    parent: SpecFile

    def __init__(self, *, case: Case, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        # The collected case holds only the raw row; each run decodes a fresh copy, so
        # decoded data is not kept alive by the item after it ran.
        self.case = case

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return self.path, None, self.name

    # -- running ----------------------------------------------------------------------------

    def runtest(self) -> None:
        __tracebackhide__ = True
        parent = self.parent
        case = self.case
        method = case.method
        cls = parent.module_class
        if not callable(getattr(cls, method.name, None)):
            raise CaseFailure(
                f"{case.id}: {cls.__name__} in module.py has no method {method.name!r}, "
                f"declared in specification.py (methods.{method.name})"
            )
        instance = parent.instance()
        run = Case(method, case.index, case.raw, case.testdata_dir)
        settings = get_settings(self.config)
        if settings.update:
            self._run_update(settings, instance, run)
            return
        outputs = invoke(instance, method, run.inputs)
        diffs = compare_outputs(run, outputs)
        if diffs:
            self._fail(settings, run, outputs, diffs)

    def _fail(self, settings: Settings, case: Case, outputs: tuple[Any, ...], diffs: list[OutputDiff],
              extra: str = "") -> None:
        """Write artifacts, remember report data, raise the failure with its full text."""
        __tracebackhide__ = True
        from .artifacts import record_failure

        lines = [format_failure(case, diffs)]
        if extra:
            lines.append(extra)
        record = record_failure(settings, self.nodeid, case, outputs, diffs)
        lines += record.message_lines(settings)
        self.user_properties.extend(record.properties())
        self._amodule_report = {**getattr(self, "_amodule_report", {}), "outputs": record.report_data(settings)}
        if not extra:
            lines.append(update_hint(case, diffs))
        raise CaseFailure("\n".join(lines))

    def _run_update(self, settings: Settings, instance: Any, case: Case) -> None:
        __tracebackhide__ = True
        from .update import case_for_update, update_case

        # Missing expected files (to be created) are left out of the run, not of the update.
        run, missing = case_for_update(case)
        outputs = invoke(instance, run.method, run.inputs)
        diffs = [d for d in compare_outputs(run, outputs) if d.arg.index not in missing]
        if not diffs and not missing:
            return
        result = update_case(settings, case, outputs, diffs, missing)
        if result.written:
            shared = self.parent.shared_files
            self._amodule_report = {"updated": [
                [settings.shown(path), digest, shared.get(path, [])] for path, digest in result.written
            ]}
        if result.complete:
            self._amodule_updated = True
            return
        self._fail(settings, run, outputs, diffs, extra=result.explain(settings))

    # -- reporting --------------------------------------------------------------------------

    def repr_failure(
        self, excinfo: ExceptionInfo[BaseException], style: Any = None
    ) -> str | TerminalRepr:
        exc = excinfo.value
        if isinstance(exc, CaseFailure):
            return exc.text
        if isinstance(exc, AModuleError) and not self._user_entries(excinfo):
            # The core's own check (output types, undecodable test data): the message says it all.
            return f"{self.case.id}: {type(exc).__name__}: {exc}\ninputs: {describe_inputs(self.case)}"
        return super().repr_failure(excinfo, style)

    def _user_entries(self, excinfo: ExceptionInfo[BaseException]) -> Traceback:
        return excinfo.traceback.filter(_is_user_entry)

    def _traceback_filter(self, excinfo: ExceptionInfo[BaseException]) -> Traceback:
        user = self._user_entries(excinfo)
        return user.filter(excinfo) if user else excinfo.traceback.filter(excinfo)


def update_hint(case: Case, diffs: list[OutputDiff]) -> str:
    """The last line of a mismatch: how ``--amodule-update`` would fix it."""
    sources = case.expected_sources
    in_files = any(sources[diff.arg.index] is not None for diff in diffs)
    literals = any(sources[diff.arg.index] is None for diff in diffs)
    what = " and ".join(
        part for part, wanted in (
            ("rewrite the expected files", in_files),
            ("get a replacement row for specification.py", literals),
        ) if wanted
    )
    return f"Run pytest with --amodule-update to {what} from the obtained outputs."


def _is_user_entry(entry: TracebackEntry) -> bool:
    path = str(entry.path)
    if path.startswith(_INTERNAL):
        return False
    parts = Path(path).parts
    return not ("_pytest" in parts or "pluggy" in parts or "importlib" in parts)
