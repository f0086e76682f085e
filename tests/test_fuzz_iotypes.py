"""Fuzz tests of the IO-type parser (amodule_core._typeparser, through iotypes.parse_type).

* Any text at all parses or raises :class:`IOTypeSyntaxError` (never another exception), and
  the error's span lies within the text.
* Every valid type, built structurally from the type classes (nested lists, every dtype,
  sizes up to 18 digits), has a canonical text that parses back to an equal type with the
  same hash, and any other spelling of it (dtype aliases, leading zeros, whitespace around)
  parses to that type too.

The parser is cached (``parse_type`` keeps 1024 texts), so these tests call the uncached
parse underneath it: every example really is parsed. Example counts: 2,000 or more each in
CI (fixed seed); ``AMODULE_FUZZ_EXAMPLES=20000`` for the documented big run.
"""

from __future__ import annotations

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from amodule_core._typeparser import _parse_cached
from amodule_core.errors import IOTypeSyntaxError
from amodule_core.iotypes import IOType, parse_type

from .fuzz_strategies import DTYPE_SPELLINGS, examples, spelled_types

parse = _parse_cached.__wrapped__  # the parser itself, without the cache in front

#: Pieces of the grammar, so that random text is often close to a type.
_WORDS = ["ndarray", "numeric", "text", "boolean", "annotation", "image", "int", "float", "str",
          "bool", "numerc", "NDARRAY", "object", "O", "U5", "S0", "V3", "datetime64[ns]", "T",
          "float128", "longdouble", "0", "00", "3", "18446744073709551616", "9" * 19, "-1", "1.5",
          "\u0663", "\u00b2", "x", *sorted(DTYPE_SPELLINGS)]
_PIECES = st.one_of(st.sampled_from(_WORDS), st.sampled_from(list("[]/ \t\n\r\x0b\x0c\u00a0\u3000,;")),
                    st.text(max_size=3))
grammar_soup = st.lists(_PIECES, max_size=14).map("".join)


def _check_error(text: str, exc: IOTypeSyntaxError) -> None:
    start, end = exc.span
    assert exc.reason and exc.text.strip() == exc.text
    assert 0 <= start <= end <= len(exc.text), (text, exc.span)
    assert exc.reason in str(exc)


@settings(max_examples=examples(2000))
@given(st.one_of(st.text(), grammar_soup))
@example("ndarray/uint8///3")
@example("[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[numeric]"
         "]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]")
@example("[" * 5000 + "numeric" + "]" * 5000)
@example("ndarray/" + "/" * 10_000)
def test_fuzz_any_text_parses_or_raises_syntax_error(text: str) -> None:
    try:
        result = parse(text)
    except IOTypeSyntaxError as exc:
        _check_error(text, exc)
    else:
        assert isinstance(result, IOType)
        assert parse(str(result)) == result


@settings(max_examples=examples(300))
@given(st.one_of(st.none(), st.integers(), st.floats(), st.binary(), st.lists(st.text()),
                 st.dictionaries(st.text(), st.text())))
def test_fuzz_non_text_raises_syntax_error(value: object) -> None:
    with pytest.raises(IOTypeSyntaxError, match="IO type must be a string"):
        parse_type(value)  # type: ignore[arg-type]


@settings(max_examples=examples(2000))
@given(spelled_types())
def test_fuzz_valid_types_round_trip(spelled: tuple[str, IOType]) -> None:
    """A valid type's canonical text parses back to an equal type (same hash, same text),
    and so does every other spelling of it."""
    text, iotype = spelled
    canonical = str(iotype)
    again = parse(canonical)
    assert again == iotype and hash(again) == hash(iotype)
    assert str(again) == canonical and repr(again) == repr(iotype)
    assert parse(text) == iotype
    assert parse_type(canonical) == iotype  # and through the cache


@settings(max_examples=examples(300))
@given(spelled_types(), st.sampled_from([" x", "/", "//", "]", "[", "/int", "/image", "/-1"]))
def test_fuzz_text_after_a_type_is_checked(spelled: tuple[str, IOType], suffix: str) -> None:
    """A valid type with something appended either parses (an ndarray taking one more
    size) or raises IOTypeSyntaxError; nothing else."""
    text = spelled[0].strip() + suffix
    try:
        result = parse(text)
    except IOTypeSyntaxError as exc:
        _check_error(text, exc)
    else:
        assert parse(str(result)) == result


def test_error_lists_nested_too_deep() -> None:
    """Found by fuzzing: '[' * 5000 raised RecursionError; nesting is now bounded."""
    assert str(parse("[" * 32 + "numeric" + "]" * 32)) == "[" * 32 + "numeric" + "]" * 32
    with pytest.raises(IOTypeSyntaxError) as info:
        parse("[" * 33 + "numeric" + "]" * 33)
    assert info.value.reason == "list types nested more than 32 deep"
    assert info.value.span == (32, 33)
