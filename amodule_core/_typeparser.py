"""The IO-type parser: a tokenizer over named regexes and one recursive-descent function per
grammar rule (each with its rule in the docstring), in the manner of pypa/packaging.

Private: import :func:`parse_type` from :mod:`amodule_core.iotypes`, which re-exports it
(this module needs the type classes defined there).
"""

from __future__ import annotations

import difflib
import functools
import re
from typing import NamedTuple

from amodule_core.errors import IOTypeSyntaxError
from amodule_core.iotypes import (
    _MAIN_TYPES,
    AnnotationType,
    BooleanType,
    IOType,
    ListType,
    NdarrayType,
    NumericType,
    TextType,
    _got,
    _resolve_dtype,
    summarize,
)

__all__ = ["parse_type"]

_TOKEN = re.compile(r"(?P<LEFT_BRACKET>\[)|(?P<RIGHT_BRACKET>\])|(?P<SLASH>/)|(?P<WORD>[^\s/\[\]]+)")
_SPACE = re.compile(r"\s+")
_DIM = re.compile(r"[0-9]{1,18}")
_MAX_DEPTH = 32  # nested list types


class _Token(NamedTuple):
    name: str  # LEFT_BRACKET, RIGHT_BRACKET, SLASH, WORD or END
    text: str
    start: int

    @property
    def end(self) -> int:
        return self.start + len(self.text)


class _Tokenizer:
    """Reads the tokens of a stripped IO-type text, one at a time."""

    def __init__(self, source: str) -> None:
        self.source, self.position = source, 0
        self._next: _Token | None = None

    def peek(self) -> _Token:
        if self._next is None:
            match = _TOKEN.match(self.source, self.position)
            self._next = _Token(match.lastgroup or "", match.group(), self.position) if match \
                else _Token("END", "", len(self.source))  # no match: the end (or a space, refused before)
        return self._next

    def check(self, name: str) -> bool:
        return self.peek().name == name

    def take(self) -> _Token:
        token = self.peek()
        self._next, self.position = None, token.end
        return token

    def error(self, reason: str, first: _Token, last: _Token | None = None) -> IOTypeSyntaxError:
        return IOTypeSyntaxError(reason, self.source, (first.start, (last or first).end))


def parse_type(text: str) -> IOType:
    """Parse an IO-type string such as ``"[ndarray/uint8///3]"``; cached (1024 texts).

    :raises IOTypeSyntaxError: ``text`` is not a string or does not follow the grammar.
    """
    if not isinstance(text, str):
        shown = summarize(text)
        raise IOTypeSyntaxError(f"IO type must be a string (got {_got(text)})", shown, (0, len(shown)))
    return _parse_cached(text)


@functools.lru_cache(maxsize=1024)
def _parse_cached(text: str) -> IOType:
    tokens = _Tokenizer(text.strip())
    space = _SPACE.search(tokens.source)
    if space:  # refused first: "num eric" is better told as a space than as type 'num'
        raise tokens.error("whitespace inside the type", _Token("WORD", space.group(), space.start()))
    if tokens.check("END"):
        raise tokens.error("empty type", tokens.peek())
    result = _parse_type(tokens)
    token = tokens.peek()
    if token.name == "RIGHT_BRACKET":
        raise tokens.error("unexpected ']'", token)
    if token.name != "END":
        end = _Token("END", "", len(tokens.source))
        raise tokens.error("unexpected text after the type", token, end)
    return result


parse_type.cache_info = _parse_cached.cache_info  # type: ignore[attr-defined]
parse_type.cache_clear = _parse_cached.cache_clear  # type: ignore[attr-defined]


def _parse_type(tokens: _Tokenizer, depth: int = 0) -> IOType:
    """type := "[" type "]" | simple"""
    if not tokens.check("LEFT_BRACKET"):
        return _parse_simple(tokens)
    opening = tokens.take()
    if depth == _MAX_DEPTH:  # a bound on the recursion: "[" * 5000 is a syntax error, not a crash
        raise tokens.error(f"list types nested more than {_MAX_DEPTH} deep", opening)
    if tokens.check("RIGHT_BRACKET"):
        reason = "empty list type '[]' (write the item type inside, as in '[numeric]')"
        raise tokens.error(reason, opening, tokens.peek())
    item = _parse_type(tokens, depth + 1) if not tokens.check("END") else None
    closing = tokens.take()
    if item is None or closing.name == "END":
        raise tokens.error("unclosed '['", opening)
    if closing.name != "RIGHT_BRACKET":
        raise tokens.error(f"expected ']' after the item type, got {closing.text!r}", closing)
    return ListType(item)


def _parse_simple(tokens: _Tokenizer) -> IOType:
    """simple := numeric | text | boolean | ndarray | "annotation" """
    token = tokens.take()
    if token.name == "RIGHT_BRACKET":
        raise tokens.error("unexpected ']'", token)
    if token.name != "WORD":
        raise tokens.error(f"expected a type, got {token.text!r}", token)
    if token.text == "ndarray":
        return _parse_ndarray(tokens)
    if token.text == "annotation":
        _refuse_more(tokens, "'annotation' takes no subtype")
        return AnnotationType()
    if token.text in ("numeric", "text", "boolean"):
        return _parse_scalar(tokens, token.text)
    close = difflib.get_close_matches(token.text.lower(), _MAIN_TYPES, n=1)
    hint = f"did you mean {close[0]}?" if close else f"expected {', '.join(_MAIN_TYPES)} or [type]"
    raise tokens.error(f"unknown main type {token.text!r} ({hint})", token)


def _parse_scalar(tokens: _Tokenizer, main: str) -> IOType:
    """numeric := "numeric" [ "/" ( "int" | "float" ) ]
    text    := "text" [ "/" "str" ]
    boolean := "boolean" [ "/" "bool" ]
    """
    cls = {"numeric": NumericType, "text": TextType, "boolean": BooleanType}[main]
    if not tokens.check("SLASH"):
        return cls()
    tokens.take()
    subtypes = [sub for sub in cls._SUBS if sub is not None]
    expected, word = " or ".join(subtypes), tokens.peek()
    if word.name != "WORD":
        raise tokens.error(f"missing subtype after '{main}/' (expected {expected})", word._replace(text=""))
    if word.text not in subtypes:
        raise tokens.error(f"unknown subtype {word.text!r} of {main} (expected {expected})", word)
    tokens.take()
    _refuse_more(tokens, f"'{main}/{word.text}' takes nothing after the subtype")
    return cls(word.text)


def _parse_ndarray(tokens: _Tokenizer) -> NdarrayType:
    """ndarray := "ndarray" [ "/" ( "image" | dtype? ( "/" dim? )* ) ]"""
    if not tokens.check("SLASH"):
        return NdarrayType()
    tokens.take()
    if tokens.peek()[:2] == ("WORD", "image"):
        tokens.take()
        _refuse_more(tokens, "'ndarray/image' takes no shape")
        return NdarrayType(image=True)
    dtype = _parse_dtype(tokens) if tokens.check("WORD") else None
    dims: list[int | None] = []
    while tokens.check("SLASH"):
        tokens.take()
        dims.append(_parse_dim(tokens) if tokens.check("WORD") else None)
    return NdarrayType(dtype, tuple(dims) or None)


def _parse_dtype(tokens: _Tokenizer) -> str:
    """dtype := a numpy dtype name (uint8, float32, float, ...) other than object"""
    word = tokens.take()
    np_dtype, problem = _resolve_dtype(word.text)
    if np_dtype is None:
        raise tokens.error(problem, word)
    return np_dtype.name


def _parse_dim(tokens: _Tokenizer) -> int:
    """dim := non-negative integer"""
    word = tokens.take()
    if not _DIM.fullmatch(word.text):
        large = word.text.isascii() and word.text.isdigit()
        reason = "dimension is too large" if large else "dimension must be a non-negative integer"
        raise tokens.error(f"{reason}, got {summarize(word.text)}", word)
    return int(word.text)


def _refuse_more(tokens: _Tokenizer, reason: str) -> None:
    """Raise ``reason`` under any ``/...`` that follows a type which takes nothing more."""
    if tokens.check("SLASH"):
        first = last = tokens.take()
        while tokens.check("SLASH") or tokens.check("WORD"):
            last = tokens.take()
        raise tokens.error(reason, first, last)
