"""Exceptions raised by amodule.

Every exception derives from :class:`AModuleError` and from the builtin that matches its
meaning, so callers may catch either::

    AModuleError
    ├── IOTypeSyntaxError (ValueError)      a type string does not parse
    ├── SpecError (ValueError)              a specification has one or more problems
    ├── TypeCheckError (TypeError)          a value does not match its declared IO type
    ├── ConversionError (ValueError)        web data cannot become a typed value
    │   ├── LimitExceededError              ... because it is too large (bytes, pixels, time)
    │   └── RefusedError                    ... because a URL or file is not allowed
    └── ModuleLoadError (ImportError)       module.py cannot give a Module class or instance

Messages start with the path of what is wrong (a spec path such as
``methods.process.input[0].type`` or a request field such as ``threshold``), say what was
expected and what was found, and end with a hint when one helps.
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = [
    "AModuleError",
    "IOTypeSyntaxError",
    "SpecError",
    "SpecProblem",
    "TypeCheckError",
    "ConversionError",
    "LimitExceededError",
    "RefusedError",
    "ModuleLoadError",
]


class AModuleError(Exception):
    """Base class of every error amodule raises on purpose."""


class IOTypeSyntaxError(AModuleError, ValueError):
    """A type string such as ``"ndarray/uint8///3"`` does not follow the IO-type grammar.

    ``reason`` is the one-line explanation, ``text`` the source and ``span`` the
    ``(start, end)`` character range at fault; ``str()`` shows the source with a
    ``~~~^`` marker under that range.
    """

    def __init__(self, reason: str, text: str, span: tuple[int, int]) -> None:
        self.reason = reason
        self.text = text
        self.span = span
        start, end = span
        marker = " " * start + "~" * max(end - start - 1, 0) + "^"
        super().__init__(f"{reason}\n    {text}\n    {marker}")


class SpecProblem(tuple):
    """One problem of a specification: ``(path, message)``."""

    __slots__ = ()

    def __new__(cls, path: str, message: str) -> SpecProblem:
        return super().__new__(cls, (path, message))

    @property
    def path(self) -> str:
        return self[0]

    @property
    def message(self) -> str:
        return self[1]

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class SpecError(AModuleError, ValueError):
    """A specification has problems; ``problems`` lists every one with its path."""

    def __init__(self, problems: Iterable[SpecProblem], source: str | None = None) -> None:
        self.problems = list(problems)
        self.source = source
        where = f" in {source}" if source else ""
        count = len(self.problems)
        noun = "problem" if count == 1 else "problems"
        lines = [f"{count} {noun}{where}:"]
        lines += [f"  {problem}" for problem in self.problems]
        super().__init__("\n".join(lines))


class TypeCheckError(AModuleError, TypeError):
    """A value does not match its IO type; ``path`` names the value (``'threshold'``)."""

    def __init__(self, message: str, path: str = "") -> None:
        self.path = path
        super().__init__(message)


class ConversionError(AModuleError, ValueError):
    """Data from outside (text, bytes, URLs, files) cannot become the declared value.

    ``path`` names the request field or spec location the data came from.
    """

    status = 400

    def __init__(self, message: str, path: str = "") -> None:
        self.path = path
        self.message = message
        super().__init__(f"{path}: {message}" if path else message)

    def with_path(self, path: str) -> ConversionError:
        """The same error, re-addressed to ``path`` when it has none yet."""
        if self.path:
            return self
        err = type(self)(self.message, path)
        err.__cause__ = self.__cause__
        return err


class LimitExceededError(ConversionError):
    """The data is over a configured limit (bytes, pixels, members, seconds)."""

    status = 413


class RefusedError(ConversionError):
    """A URL or file was refused by policy (scheme, private address, outside the file roots)."""

    status = 403


class ModuleLoadError(AModuleError, ImportError):
    """``module.py`` is missing, does not define exactly one Module subclass, or fails to load."""
