"""Run a test case and explain the outcome: shared by the pytest plugin, REST and util.

The plugin calls :func:`amodule_core.module.invoke` itself (so exceptions keep the user's
traceback) and then :func:`compare_outputs`; the REST test page and
``create_analytics(...).test()`` use :func:`run_case`, which records exceptions instead.
Both format failures with :func:`format_failure`, so every front end says the same thing.
"""

from __future__ import annotations

import time
import traceback
from dataclasses import dataclass, field
from typing import Any

from .cases import Case
from .compare import Mismatch, compare
from .iotypes import summarize
from .module import invoke
from .spec import ArgSpec

__all__ = ["OutputDiff", "CaseResult", "compare_outputs", "run_case", "describe_inputs", "format_failure"]


@dataclass(frozen=True)
class OutputDiff:
    """An output that differs from its expectation."""

    arg: ArgSpec
    mismatch: Mismatch

    @property
    def headline(self) -> str:
        return f"output[{self.arg.index}] {self.arg.name!r}"


@dataclass
class CaseResult:
    """What running one case gave."""

    case: Case
    outputs: tuple[Any, ...] | None = None
    diffs: list[OutputDiff] = field(default_factory=list)
    error: BaseException | None = None
    duration: float = 0.0

    @property
    def passed(self) -> bool:
        return self.error is None and not self.diffs

    @property
    def status(self) -> str:
        return "passed" if self.passed else ("error" if self.error is not None else "failed")

    def message(self) -> str:
        """Empty for a pass; else the same explanation pytest shows."""
        if self.passed:
            return ""
        if self.error is not None:
            tb = "".join(traceback.format_exception_only(type(self.error), self.error)).rstrip()
            return f"{self.case.id}: {describe_inputs(self.case)}\n{tb}"
        return format_failure(self.case, self.diffs)


def compare_outputs(case: Case, outputs: tuple[Any, ...]) -> list[OutputDiff]:
    """Every output of ``case`` that differs from its expectation (empty when all match)."""
    diffs: list[OutputDiff] = []
    for arg, actual, expected in zip(case.method.outputs, outputs, case.expected):
        mismatch = compare(actual, expected, arg.type, arg.tolerance, name=arg.name)
        if mismatch is not None:
            diffs.append(OutputDiff(arg, mismatch))
    return diffs


def run_case(instance: object, case: Case) -> CaseResult:
    """Run ``case`` on ``instance``, catching what the module raises."""
    result = CaseResult(case)
    start = time.perf_counter()
    try:
        result.outputs = invoke(instance, case.method, case.inputs)
        result.diffs = compare_outputs(case, result.outputs)
    except Exception as exc:  # the module's own fault, reported, not raised
        result.error = exc
    result.duration = time.perf_counter() - start
    return result


def describe_inputs(case: Case) -> str:
    """``image='image.png' <ndarray uint8 (254, 426, 3)>, threshold=130``."""
    parts = []
    n = len(case.method.inputs)
    for arg, raw, source in zip(case.method.inputs, case.raw[:n], case.input_sources):
        if isinstance(source, str):
            parts.append(f"{arg.name}={source!r}")
        elif isinstance(source, list) and any(isinstance(s, str) for s in source):
            parts.append(f"{arg.name}={source!r}")
        else:
            parts.append(f"{arg.name}={summarize(raw)}")
    return ", ".join(parts)


def format_failure(case: Case, diffs: list[OutputDiff]) -> str:
    """The failure text of a case whose outputs differ."""
    total = len(case.method.outputs)
    noun = "outputs differs" if len(diffs) == 1 else "outputs differ"
    lines = [
        f"{case.id}: {len(diffs)} of {total} {noun}",
        f"inputs: {describe_inputs(case)}",
    ]
    for diff in diffs:
        message = diff.mismatch.message
        prefix = f"{diff.arg.name}: "
        if message.startswith(prefix):  # compare() names the output itself
            message = message[len(prefix):]
        first, *rest = message.splitlines() or [""]
        lines.append(f"{diff.headline}: {first}")
        lines.extend(f"    {line}" for line in rest)
    return "\n".join(lines)
