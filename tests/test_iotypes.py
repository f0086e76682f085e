"""IO types: parsing, canonical text, equality, what each type accepts, and every message."""

from __future__ import annotations

import copy
import dataclasses
import math
import pickle
from typing import Any

import numpy as np
import pytest

from amodule_core.errors import AModuleError, IOTypeSyntaxError, TypeCheckError
from amodule_core.iotypes import (
    ANNOTATION_ARITY,
    AnnotationType,
    BooleanType,
    IOType,
    ListType,
    NdarrayType,
    NumericType,
    TextType,
    is_image_array,
    parse_type,
    summarize,
)

NAN, INF = math.nan, math.inf


def arr(shape: tuple[int, ...], dtype: Any = np.uint8) -> np.ndarray:
    return np.zeros(shape, dtype=dtype)


# --- parsing: valid texts, canonical text, repr, structure -----------------------------------

VALID = [
    # text, canonical text
    ("numeric", "numeric"),
    ("numeric/int", "numeric/int"),
    ("numeric/float", "numeric/float"),
    ("text", "text"),
    ("text/str", "text/str"),
    ("boolean", "boolean"),
    ("boolean/bool", "boolean/bool"),
    ("annotation", "annotation"),
    ("ndarray", "ndarray"),
    ("ndarray/", "ndarray"),
    ("ndarray/uint8", "ndarray/uint8"),
    ("ndarray/uint16//", "ndarray/uint16//"),
    ("ndarray/uint8///3", "ndarray/uint8///3"),
    ("ndarray/uint8/5/10", "ndarray/uint8/5/10"),
    ("ndarray/uint8/5/", "ndarray/uint8/5/"),
    ("ndarray/uint8/", "ndarray/uint8/"),
    ("ndarray//", "ndarray//"),
    ("ndarray//5/", "ndarray//5/"),
    ("ndarray///", "ndarray///"),
    ("ndarray//0", "ndarray//0"),
    ("ndarray/uint8/05", "ndarray/uint8/5"),
    ("ndarray/image", "ndarray/image"),
    ("ndarray/float", "ndarray/float64"),
    ("ndarray/int", "ndarray/int64"),
    ("ndarray/complex", "ndarray/complex128"),
    ("ndarray/f4", "ndarray/float32"),
    ("ndarray/<f4", "ndarray/float32"),
    ("ndarray/>f4", "ndarray/float32"),
    ("ndarray/float32///3", "ndarray/float32///3"),
    ("ndarray/int64", "ndarray/int64"),
    ("ndarray/bool", "ndarray/bool"),
    ("ndarray/?", "ndarray/bool"),
    ("ndarray/complex128", "ndarray/complex128"),
    ("ndarray/float16", "ndarray/float16"),
    ("ndarray/str", "ndarray/str"),
    ("ndarray/U", "ndarray/str"),
    ("ndarray/bytes", "ndarray/bytes"),
    ("ndarray/datetime64", "ndarray/datetime64"),
    ("ndarray/M8", "ndarray/datetime64"),
    ("[numeric/float]", "[numeric/float]"),
    ("[text]", "[text]"),
    ("[annotation]", "[annotation]"),
    ("[ndarray/image]", "[ndarray/image]"),
    ("[ndarray/uint8//]", "[ndarray/uint8//]"),
    ("[[ndarray/uint8//]]", "[[ndarray/uint8//]]"),
    ("[[[boolean/bool]]]", "[[[boolean/bool]]]"),
    ("[ndarray/float]", "[ndarray/float64]"),
    ("  numeric/int  ", "numeric/int"),
    ("\t[numeric]\n", "[numeric]"),
]


@pytest.mark.parametrize(("text", "canonical"), VALID)
def test_canonical_text(text: str, canonical: str) -> None:
    assert str(parse_type(text)) == canonical


@pytest.mark.parametrize(("text", "canonical"), VALID)
def test_repr(text: str, canonical: str) -> None:
    assert repr(parse_type(text)) == f"<IOType({canonical!r})>"


@pytest.mark.parametrize(("text", "canonical"), VALID)
def test_round_trip(text: str, canonical: str) -> None:
    iotype = parse_type(text)
    assert parse_type(str(iotype)) == iotype
    assert hash(parse_type(str(iotype))) == hash(iotype)


@pytest.mark.parametrize(
    ("text", "expected", "kind"),
    [
        ("numeric", NumericType(), "numeric"),
        ("numeric/int", NumericType("int"), "numeric"),
        ("numeric/float", NumericType("float"), "numeric"),
        ("text", TextType(), "text"),
        ("text/str", TextType("str"), "text"),
        ("boolean", BooleanType(), "boolean"),
        ("boolean/bool", BooleanType("bool"), "boolean"),
        ("annotation", AnnotationType(), "annotation"),
        ("ndarray", NdarrayType(), "ndarray"),
        ("ndarray/uint8", NdarrayType("uint8"), "ndarray"),
        ("ndarray/uint8///3", NdarrayType("uint8", (None, None, 3)), "ndarray"),
        ("ndarray//5/", NdarrayType(None, (5, None)), "ndarray"),
        ("ndarray/uint8/5/10", NdarrayType("uint8", (5, 10)), "ndarray"),
        ("ndarray/image", NdarrayType(image=True), "ndarray"),
        ("ndarray/image", NdarrayType("uint8", None, True), "ndarray"),
        ("ndarray/float", NdarrayType("float"), "ndarray"),
        ("[numeric/float]", ListType(NumericType("float")), "list"),
        ("[[ndarray/uint8//]]", ListType(ListType(NdarrayType("uint8", (None, None)))), "list"),
    ],
)
def test_structure(text: str, expected: IOType, kind: str) -> None:
    iotype = parse_type(text)
    assert iotype == expected
    assert type(iotype) is type(expected)
    assert iotype.kind == kind


@pytest.mark.parametrize(
    ("text", "dtype", "shape", "image", "np_dtype"),
    [
        ("ndarray", None, None, False, None),
        ("ndarray/uint8", "uint8", None, False, np.dtype("uint8")),
        ("ndarray/uint16//", "uint16", (None, None), False, np.dtype("uint16")),
        ("ndarray/uint8///3", "uint8", (None, None, 3), False, np.dtype("uint8")),
        ("ndarray//5/", None, (5, None), False, None),
        ("ndarray/image", "uint8", None, True, np.dtype("uint8")),
        ("ndarray/float", "float64", None, False, np.dtype("float64")),
        ("ndarray/>f4", "float32", None, False, np.dtype("float32")),
    ],
)
def test_ndarray_fields(text: str, dtype: str | None, shape: tuple[int | None, ...] | None,
                        image: bool, np_dtype: np.dtype | None) -> None:
    iotype = parse_type(text)
    assert isinstance(iotype, NdarrayType)
    assert (iotype.dtype, iotype.shape, iotype.image, iotype.np_dtype) == (dtype, shape, image, np_dtype)


@pytest.mark.parametrize(
    ("text", "sub"),
    [("numeric", None), ("numeric/int", "int"), ("numeric/float", "float"), ("text", None),
     ("text/str", "str"), ("boolean", None), ("boolean/bool", "bool")],
)
def test_scalar_sub(text: str, sub: str | None) -> None:
    assert parse_type(text).sub == sub  # type: ignore[attr-defined]


# --- equality and hashing ----------------------------------------------------------------------

@pytest.mark.parametrize(
    ("left", "right"),
    [
        ("ndarray/float", "ndarray/float64"),
        ("ndarray/f8", "ndarray/float64"),
        ("ndarray/?", "ndarray/bool"),
        ("ndarray/", "ndarray"),
        ("ndarray/uint8/05", "ndarray/uint8/5"),
        (" numeric ", "numeric"),
        ("[ndarray/float]", "[ndarray/float64]"),
        ("ndarray/U", "ndarray/str"),
    ],
)
def test_equal(left: str, right: str) -> None:
    assert parse_type(left) == parse_type(right)
    assert hash(parse_type(left)) == hash(parse_type(right))
    assert len({parse_type(left), parse_type(right)}) == 1


@pytest.mark.parametrize(
    ("left", "right"),
    [
        ("text", "text/str"),
        ("numeric", "numeric/int"),
        ("numeric/int", "numeric/float"),
        ("boolean", "boolean/bool"),
        ("numeric", "text"),
        ("numeric", "boolean"),
        ("text", "boolean"),
        ("ndarray", "ndarray//"),
        ("ndarray//", "ndarray///"),
        ("ndarray/uint8", "ndarray/image"),
        ("ndarray/uint8///3", "ndarray/uint8///4"),
        ("ndarray/uint8//", "ndarray/uint16//"),
        ("ndarray//5/", "ndarray///5"),
        ("numeric", "[numeric]"),
        ("[numeric]", "[[numeric]]"),
        ("annotation", "[annotation]"),
    ],
)
def test_not_equal(left: str, right: str) -> None:
    assert parse_type(left) != parse_type(right)


def test_every_canonical_text_is_its_own_type() -> None:
    canonicals = {canonical for _, canonical in VALID}
    assert len({parse_type(text) for text in canonicals}) == len(canonicals)


def test_types_are_frozen() -> None:
    iotype = parse_type("ndarray/uint8///3")
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(iotype, "dtype", "float32")  # noqa: B010 - the point is to try


@pytest.mark.parametrize("text", ["numeric/float", "ndarray/uint8/5/10", "ndarray/image", "[[annotation]]"])
def test_copy_and_pickle(text: str) -> None:
    iotype = parse_type(text)
    for clone in (copy.deepcopy(iotype), pickle.loads(pickle.dumps(iotype))):
        assert clone == iotype
        assert clone.accepts(arr((5, 10))) == iotype.accepts(arr((5, 10)))


def test_io_type_is_abstract() -> None:
    with pytest.raises(TypeError):
        IOType()  # type: ignore[abstract]


def test_constructors_normalize() -> None:
    assert NdarrayType("float") == NdarrayType("float64")
    assert str(NdarrayType("f4", [None, 3])) == "ndarray/float32//3"  # type: ignore[arg-type]
    assert NdarrayType(image=True).dtype == "uint8"


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: NumericType("integer"), "NumericType.sub must be one of None, 'int', 'float', not 'integer'"),
        (lambda: TextType("string"), "TextType.sub must be one of None, 'str', not 'string'"),
        (lambda: BooleanType("int"), "BooleanType.sub must be one of None, 'bool', not 'int'"),
        (lambda: NdarrayType("unit8"), "unknown dtype 'unit8' (a numpy dtype name such as uint8, float32)"),
        (lambda: NdarrayType("object"),
         "object dtype 'object' is not allowed (use a number, bool or string dtype)"),
        (lambda: NdarrayType("uint8", ()),
         "NdarrayType.shape must be None or a non-empty tuple of sizes >= 0 or None, not ()"),
        (lambda: NdarrayType("uint8", (-1,)),
         "NdarrayType.shape must be None or a non-empty tuple of sizes >= 0 or None, not (-1,)"),
        (lambda: NdarrayType("uint8", (True,)),
         "NdarrayType.shape must be None or a non-empty tuple of sizes >= 0 or None, not (True,)"),
        (lambda: NdarrayType("float32", image=True),
         "NdarrayType(image=True) takes no shape and no dtype but 'uint8'"),
        (lambda: NdarrayType(shape=(2, 2), image=True),
         "NdarrayType(image=True) takes no shape and no dtype but 'uint8'"),
        (lambda: ListType("numeric"),  # type: ignore[arg-type]
         "ListType.item must be an IOType, not 'numeric'"),
    ],
)
def test_error_constructor(make: Any, message: str) -> None:
    with pytest.raises(ValueError) as info:
        make()
    assert str(info.value) == message


# --- caching ---------------------------------------------------------------------------------

def test_parse_is_cached() -> None:
    assert parse_type("[ndarray/uint8///3]") is parse_type("[ndarray/uint8///3]")
    assert parse_type.cache_info().maxsize == 1024  # type: ignore[attr-defined]
    before = parse_type.cache_info().hits  # type: ignore[attr-defined]
    parse_type("[ndarray/uint8///3]")
    assert parse_type.cache_info().hits == before + 1  # type: ignore[attr-defined]


def test_parse_errors_are_raised_again() -> None:
    for _ in range(2):
        with pytest.raises(IOTypeSyntaxError, match="unknown main type 'numerc'"):
            parse_type("numerc")


# --- syntax errors ---------------------------------------------------------------------------

SYNTAX_ERRORS = [
    # id, text, the three lines of str(error)
    ("empty", "", ["empty type", "    ", "    ^"]),
    ("blank", "   ", ["empty type", "    ", "    ^"]),
    ("main-typo", "numerc", [
        "unknown main type 'numerc' (did you mean numeric?)",
        "    numerc",
        "    ~~~~~^"]),
    ("main-template-typo", "test/str", [
        "unknown main type 'test' (did you mean text?)",
        "    test/str",
        "    ~~~^"]),
    ("main-case", "Numeric", [
        "unknown main type 'Numeric' (did you mean numeric?)",
        "    Numeric",
        "    ~~~~~~^"]),
    ("main-unknown", "float", [
        "unknown main type 'float' (expected numeric, text, boolean, ndarray, annotation or [type])",
        "    float",
        "    ~~~~^"]),
    ("main-in-list", "[[foo]]", [
        "unknown main type 'foo' (expected numeric, text, boolean, ndarray, annotation or [type])",
        "    [[foo]]",
        "      ~~^"]),
    ("subtype-numeric", "numeric/integer", [
        "unknown subtype 'integer' of numeric (expected int or float)",
        "    numeric/integer",
        "            ~~~~~~^"]),
    ("subtype-text", "text/string", [
        "unknown subtype 'string' of text (expected str)",
        "    text/string",
        "         ~~~~~^"]),
    ("subtype-boolean", "boolean/int", [
        "unknown subtype 'int' of boolean (expected bool)",
        "    boolean/int",
        "            ~~^"]),
    ("subtype-missing-end", "numeric/", [
        "missing subtype after 'numeric/' (expected int or float)",
        "    numeric/",
        "            ^"]),
    ("subtype-missing-slash", "text//str", [
        "missing subtype after 'text/' (expected str)",
        "    text//str",
        "         ^"]),
    ("subtype-missing-bracket", "[boolean/]", [
        "missing subtype after 'boolean/' (expected bool)",
        "    [boolean/]",
        "             ^"]),
    ("after-subtype", "numeric/int/3", [
        "'numeric/int' takes nothing after the subtype",
        "    numeric/int/3",
        "               ~^"]),
    ("after-subtype-list", "[text/str/x/y]", [
        "'text/str' takes nothing after the subtype",
        "    [text/str/x/y]",
        "             ~~~^"]),
    ("after-subtype-slash", "[numeric/int/]", [
        "'numeric/int' takes nothing after the subtype",
        "    [numeric/int/]",
        "                ^"]),
    ("annotation-subtype", "annotation/rect", [
        "'annotation' takes no subtype",
        "    annotation/rect",
        "              ~~~~^"]),
    ("image-shape", "ndarray/image/3", [
        "'ndarray/image' takes no shape",
        "    ndarray/image/3",
        "                 ~^"]),
    ("image-shape-many", "ndarray/image///3", [
        "'ndarray/image' takes no shape",
        "    ndarray/image///3",
        "                 ~~~^"]),
    ("dtype-typo", "ndarray/unit8", [
        "unknown dtype 'unit8' (a numpy dtype name such as uint8, float32)",
        "    ndarray/unit8",
        "            ~~~~^"]),
    ("dtype-typo-shape", "[ndarray/unit8///3]", [
        "unknown dtype 'unit8' (a numpy dtype name such as uint8, float32)",
        "    [ndarray/unit8///3]",
        "             ~~~~^"]),
    ("dtype-a-dimension", "ndarray/5/10", [
        "unknown dtype '5' (a numpy dtype name such as uint8, float32; "
        "for any dtype leave it empty, as in 'ndarray//5')",
        "    ndarray/5/10",
        "            ^"]),
    ("dtype-deprecated", "ndarray/a", [
        "unknown dtype 'a' (a numpy dtype name such as uint8, float32)",
        "    ndarray/a",
        "            ^"]),
    ("dtype-object", "ndarray/object", [
        "object dtype 'object' is not allowed (use a number, bool or string dtype)",
        "    ndarray/object",
        "            ~~~~~^"]),
    ("dtype-O", "ndarray/O//", [
        "object dtype 'O' is not allowed (use a number, bool or string dtype)",
        "    ndarray/O//",
        "            ^"]),
    ("dtype-sized-str", "ndarray/U5", [
        "sized dtype 'U5' is not supported (write 'str' for any size)",
        "    ndarray/U5",
        "            ~^"]),
    ("dtype-sized-bytes", "ndarray/S3", [
        "sized dtype 'S3' is not supported (write 'bytes' for any size)",
        "    ndarray/S3",
        "            ~^"]),
    ("dim-word", "ndarray/uint8/x", [
        "dimension must be a non-negative integer, got 'x'",
        "    ndarray/uint8/x",
        "                  ^"]),
    ("dim-negative", "ndarray/uint8/-1/", [
        "dimension must be a non-negative integer, got '-1'",
        "    ndarray/uint8/-1/",
        "                  ~^"]),
    ("dim-float", "ndarray///3.0", [
        "dimension must be a non-negative integer, got '3.0'",
        "    ndarray///3.0",
        "              ~~^"]),
    ("dim-image", "ndarray/uint8/image", [
        "dimension must be a non-negative integer, got 'image'",
        "    ndarray/uint8/image",
        "                  ~~~~^"]),
    ("dim-too-large", "ndarray//1234567890123456789", [
        "dimension is too large, got '1234567890123456789'",
        "    ndarray//1234567890123456789",
        "             ~~~~~~~~~~~~~~~~~~^"]),
    ("unclosed", "[numeric", ["unclosed '['", "    [numeric", "    ^"]),
    ("unclosed-inner", "[[numeric]", ["unclosed '['", "    [[numeric]", "    ^"]),
    ("unclosed-alone", "[", ["unclosed '['", "    [", "    ^"]),
    ("unclosed-twice", "[[", ["unclosed '['", "    [[", "     ^"]),
    ("unexpected-bracket", "numeric]", ["unexpected ']'", "    numeric]", "           ^"]),
    ("unexpected-bracket-alone", "]", ["unexpected ']'", "    ]", "    ^"]),
    ("unexpected-bracket-list", "[numeric]]", ["unexpected ']'", "    [numeric]]", "             ^"]),
    ("empty-list", "[]", [
        "empty list type '[]' (write the item type inside, as in '[numeric]')",
        "    []",
        "    ~^"]),
    ("empty-inner-list", "[[]]", [
        "empty list type '[]' (write the item type inside, as in '[numeric]')",
        "    [[]]",
        "     ~^"]),
    ("text-after", "[numeric]x", ["unexpected text after the type", "    [numeric]x", "             ^"]),
    ("text-after-long", "[numeric][text]", [
        "unexpected text after the type",
        "    [numeric][text]",
        "             ~~~~~^"]),
    ("bracket-after", "ndarray/uint8[", [
        "unexpected text after the type",
        "    ndarray/uint8[",
        "                 ^"]),
    ("list-not-closed-by", "[numeric[", [
        "expected ']' after the item type, got '['",
        "    [numeric[",
        "            ^"]),
    ("list-word-after", "[[numeric]x]", [
        "expected ']' after the item type, got 'x'",
        "    [[numeric]x]",
        "              ^"]),
    ("leading-slash", "/numeric", ["expected a type, got '/'", "    /numeric", "    ^"]),
    ("slash-in-list", "[/]", ["expected a type, got '/'", "    [/]", "     ^"]),
    ("space", "numeric /int", ["whitespace inside the type", "    numeric /int", "           ^"]),
    ("spaces-in-word", "num  eric", ["whitespace inside the type", "    num  eric", "       ~^"]),
    ("space-in-list", "[ numeric]", ["whitespace inside the type", "    [ numeric]", "     ^"]),
    ("space-stripped-around", "  numeric/ int  ", [
        "whitespace inside the type",
        "    numeric/ int",
        "            ^"]),
]


@pytest.mark.parametrize(("text", "lines"), [row[1:] for row in SYNTAX_ERRORS],
                         ids=[row[0] for row in SYNTAX_ERRORS])
def test_error_syntax(text: str, lines: list[str]) -> None:
    with pytest.raises(IOTypeSyntaxError) as info:
        parse_type(text)
    assert str(info.value) == "\n".join(lines)
    assert info.value.reason == lines[0]
    assert info.value.text == text.strip()
    assert isinstance(info.value, ValueError)


@pytest.mark.parametrize(
    ("text", "span"),
    [("numerc", (0, 6)), ("[numeric", (0, 1)), ("numeric/", (8, 8)), ("ndarray/uint8/x", (14, 15)),
     (" [ numeric]", (1, 2)), ("[numeric][text]", (9, 15)), ("ndarray/image/3/4", (13, 17))],
)
def test_error_syntax_span(text: str, span: tuple[int, int]) -> None:
    with pytest.raises(IOTypeSyntaxError) as info:
        parse_type(text)
    assert info.value.span == span


@pytest.mark.parametrize(
    ("value", "lines"),
    [
        (3, ["IO type must be a string (got 3, an int)", "    3", "    ^"]),
        (None, ["IO type must be a string (got None)", "    None", "    ~~~^"]),
        (b"numeric", ["IO type must be a string (got b'numeric', a bytes)", "    b'numeric'", "    ~~~~~~~~~^"]),
        (["numeric"], ["IO type must be a string (got ['numeric'], a list)", "    ['numeric']",
                       "    ~~~~~~~~~~^"]),
        (True, ["IO type must be a string (got True, a bool)", "    True", "    ~~~^"]),
        (NumericType(), ["IO type must be a string (got <IOType('numeric')>)", "    <IOType('numeric')>",
                         "    ~~~~~~~~~~~~~~~~~~^"]),
    ],
)
def test_error_not_a_string(value: object, lines: list[str]) -> None:
    with pytest.raises(IOTypeSyntaxError) as info:
        parse_type(value)  # type: ignore[arg-type]
    assert str(info.value) == "\n".join(lines)


# --- what each type accepts and refuses -------------------------------------------------------

class Point(tuple[int, int]):  # a tuple subclass is a tuple
    pass


ACCEPTED: list[tuple[str, list[Any]]] = [
    # numbers: ints and floats, numpy's too, never bools
    ("numeric", [0, 3, -2, 10**30, 3.5, NAN, INF, -INF, np.int8(1), np.uint64(3), np.int64(-2),
                 np.float16(1), np.float32(1.5), np.float64(2.5)]),
    ("numeric/int", [0, 3, -1, 10**30, np.int32(3), np.uint8(3), np.int64(7)]),
    ("numeric/float", [3.0, -0.5, NAN, INF, np.float16(0.5), np.float32(1), np.float64(1)]),
    ("text", ["", "abc", "ünïcode", np.str_("x")]),
    ("text/str", ["", "abc", np.str_("x")]),
    ("boolean", [True, False, np.True_, np.False_]),
    ("boolean/bool", [True, np.bool_(False)]),
    # arrays
    ("ndarray", [arr(()), arr((3,)), arr((2, 2), np.float32), arr((1, 2, 3, 4), bool), np.array(["a"])]),
    ("ndarray/uint8", [arr(()), arr((3,)), arr((2, 3)), arr((2, 3, 4, 5))]),
    ("ndarray/uint16//", [arr((3, 4), np.uint16), arr((0, 0), np.uint16)]),
    ("ndarray/uint8///3", [arr((2, 2, 3)), arr((0, 5, 3))]),
    ("ndarray/uint8/5/10", [arr((5, 10))]),
    ("ndarray/uint8/5/", [arr((5, 0)), arr((5, 7))]),
    ("ndarray/uint8/", [arr((7,)), arr((0,))]),
    ("ndarray//5/", [arr((5, 1)), arr((5, 2), np.float64), arr((5, 3), bool)]),
    ("ndarray//0", [arr((0,), np.float32)]),
    ("ndarray/image", [arr((4, 5)), arr((4, 5, 3)), arr((4, 5, 4)), arr((0, 0))]),
    ("ndarray/float32", [arr((2,), np.float32), arr((2,), ">f4"), arr((2,), "<f4")]),
    ("ndarray/float", [arr((2,), np.float64)]),
    ("ndarray/bool", [arr((2,), bool)]),
    ("ndarray/complex128", [arr((2,), complex)]),
    ("ndarray/str", [np.array(["a", "bcd"]), arr((2,), "U1")]),
    ("ndarray/bytes", [np.array([b"a", b"bc"])]),
    ("ndarray/datetime64", [arr((2,), "datetime64[ns]"), arr((2,), "datetime64[D]")]),
    ("ndarray/datetime64//", [arr((2, 1), "datetime64[s]")]),
    ("ndarray/int64", [np.arange(3, dtype=np.int64), np.arange(3, dtype=">i8")]),
    # annotations: lists where tuples are written, numpy numbers, 1-D arrays as geometries
    ("annotation", [
        ("point", ((1, 2),)),
        ["point", [[1, 2]]],
        ("point", ()),
        ("point", []),
        ("point", [(np.int64(1), np.float32(2.5))]),
        ("point", [(NAN, INF)]),
        ("point", [Point((1, 2))]),
        ("circle", [(1, 2, 3)]),
        ("ellipse", [(1, 2, 3, 4, 0.5)]),
        ("rect", [(0, 0, 10, 20), (1.5, 2.5, 3, 4)]),
        ("rect", [np.arange(4.0)]),
        ("rect", (np.array([1, 2, 3, 4], dtype=np.uint8),)),
        ("polyline", [[(0, 0), (1, 1)], [(2, 2)]]),
        ("polyline", (((0, 0), (1, 1), (2, 0)),)),
        ("polyline", [np.zeros((3, 2))]),
        ("polyline", [[np.array([1.0, 2.0])]]),
        ("polyline", []),
    ]),
    # lists and tuples
    ("[numeric/float]", [[], [1.0, 2.0], (1.0,), [np.float32(1), 2.0], [NAN], [float(i) for i in range(1000)]]),
    ("[numeric]", [[1, 2.5, np.int64(3)], [2.5, 1], (1, 2)]),
    ("[numeric/int]", [[1, 2], [np.int64(3), 4], []]),
    ("[[numeric/int]]", [[[1], [], [2, 3]], ([1],), [(1, 2)], []]),
    ("[[[numeric]]]", [[[[1.0]]], []]),
    ("[text]", [["a", np.str_("b")], ("x", "")]),
    ("[boolean]", [[True, np.False_], []]),
    ("[ndarray/uint8//]", [[arr((2, 2)), arr((3, 3))], []]),
    ("[ndarray/image]", [[arr((2, 2)), arr((2, 2, 3)), arr((2, 2, 4))]]),
    ("[annotation]", [[("point", [(1, 2)]), ["rect", [[1, 2, 3, 4]]]]]),
]

REFUSED: list[tuple[str, list[Any]]] = [
    ("numeric", [True, False, np.True_, "3", None, 1 + 2j, np.complex128(1), [1], np.array(1),
                 np.array([1.0]), b"1"]),
    ("numeric/int", [3.0, 3.5, np.float64(3.0), True, np.bool_(True), "3", NAN, None]),
    ("numeric/float", [3, 0, np.int64(3), np.uint8(1), True, np.True_, "3.0", None]),
    ("text", [b"x", 3, None, ["a"], np.array("a"), True]),
    ("text/str", [b"x", 3.0]),
    ("boolean", [0, 1, np.int8(1), "True", None, np.array(True), 1.0]),
    ("boolean/bool", [0, "false"]),
    ("ndarray", [[1], (1,), 3, np.float64(1), None, "a"]),
    ("ndarray/uint8", [arr((3,), np.int8), arr((3,), np.float32), arr((3,), bool), [1]]),
    ("ndarray/uint16//", [arr((3,), np.uint16), arr((3, 4, 1), np.uint16), arr((3, 4), np.uint8)]),
    ("ndarray/uint8///3", [arr((2, 2, 4)), arr((2, 2)), arr((3,)), arr((2, 2, 3, 1)), arr((2, 2, 3), np.float32)]),
    ("ndarray/uint8/5/10", [arr((10, 5)), arr((5, 10, 1)), arr((5, 9)), arr((4, 10)), arr((5, 10), np.int8)]),
    ("ndarray/uint8/5/", [arr((4, 7)), arr((5,)), arr((5, 1, 1))]),
    ("ndarray/uint8/", [arr(()), arr((2, 2))]),
    ("ndarray//5/", [arr((4, 1)), arr((5,)), arr((5, 1, 1))]),
    ("ndarray//0", [arr((1,))]),
    ("ndarray/image", [arr((4, 5, 1)), arr((4, 5, 2)), arr((4, 5, 5)), arr((4,)), arr(()), arr((4, 5, 3, 1)),
                       arr((4, 5, 3), np.float32), arr((4, 5), bool), arr((4, 5), np.int8), [[0, 0]]]),
    ("ndarray/float32", [arr((2,), np.float64), arr((2,), ">f8"), arr((2,), np.float16)]),
    ("ndarray/bool", [arr((2,), np.uint8)]),
    ("ndarray/str", [arr((2,), np.int64), np.array([b"a"])]),
    ("ndarray/bytes", [np.array(["a"])]),
    ("ndarray/datetime64", [arr((2,), np.int64), arr((2,), "timedelta64[s]")]),
    ("annotation", [
        None, 5, "point", ("point",), ("point", [], 1), [], {"point": []},
        ("square", []), ("Point", []), (1, []), (None, []), (np.str_("pont"), []),
        ("point", None), ("point", "ab"), ("point", np.zeros((2, 2))), ("point", 5),
        ("point", [(1,)]), ("point", [(1, 2, 3)]), ("point", [(1, True)]), ("point", [(np.True_, 1)]),
        ("point", [(1, "2")]), ("point", [(1, None)]), ("point", [1, 2]), ("point", ["ab"]),
        ("point", [np.array(1.0)]), ("point", [np.zeros((2, 2))]), ("point", [{"x": 1, "y": 2}]),
        ("point", [(1, 1 + 2j)]),
        ("circle", [(1, 2)]), ("circle", [(1, 2, 3, 4)]),
        ("ellipse", [(1, 2, 3, 4)]),
        ("rect", [(1, 2, 3, 4, 5)]), ("rect", [(1, 2, 3, 4), (1, 2, 3)]),
        ("polyline", [[]]), ("polyline", [[(1, 2, 3)]]), ("polyline", [(1, 2)]), ("polyline", [5]),
        ("polyline", [[(1, 2)], [(1, "y")]]), ("polyline", [np.zeros((3, 3))]), ("polyline", [np.zeros(0)]),
    ]),
    ("[numeric/float]", [[1], [1.0, True], [1.0, 2], np.array([1.0]), "1.0", None, [[1.0]], 1.0, {1.0}]),
    ("[numeric]", [[1, True], [1.5, "2"], [None]]),
    ("[numeric/int]", [[1.0], [1, np.float64(2)]]),
    ("[[numeric/int]]", [[1, 2], [[1.5]], [[True]], [[1], 2], [np.array([1])]]),
    ("[[[numeric]]]", [[[1.0]], [[["1"]]]]),
    ("[text]", [["a", 1], "abc", [b"a"]]),
    ("[boolean]", [[1, 0], [True, None]]),
    ("[ndarray/uint8//]", [[arr((2, 2, 3))], arr((2, 2)), [[[0]]]]),
    ("[ndarray/image]", [[arr((2, 2)), arr((2, 2), np.float32)]]),
    ("[annotation]", [[("point", [(1,)])], ("point", [(1, 2)])]),
]


def _rows(table: list[tuple[str, list[Any]]]) -> list[Any]:
    return [pytest.param(text, value, id=f"{text}-{i}") for text, values in table for i, value in enumerate(values)]


@pytest.mark.parametrize(("text", "value"), _rows(ACCEPTED))
def test_accepts(text: str, value: object) -> None:
    iotype = parse_type(text)
    assert iotype.accepts(value) is True
    iotype.check(value)
    iotype.check(value, "'named'")


@pytest.mark.parametrize(("text", "value"), _rows(REFUSED))
def test_refuses(text: str, value: object) -> None:
    iotype = parse_type(text)
    assert iotype.accepts(value) is False
    with pytest.raises(TypeCheckError) as info:
        iotype.check(value, "'name'")
    assert str(info.value).startswith("'name'")
    assert info.value.path.startswith("'name'")
    assert isinstance(info.value, TypeError) and isinstance(info.value, AModuleError)


def test_text_and_str_accept_the_same() -> None:
    values = ["a", np.str_("b"), b"c", 1, None]
    assert [parse_type("text").accepts(v) for v in values] == [parse_type("text/str").accepts(v) for v in values]


def test_annotation_arity() -> None:
    assert ANNOTATION_ARITY == {"point": 2, "circle": 3, "ellipse": 5, "rect": 4, "polyline": None}


def test_long_list_found_at_its_last_element() -> None:
    values = [0.5] * 9_999 + [1]
    with pytest.raises(TypeCheckError) as info:
        parse_type("[numeric/float]").check(values, "'probs'")
    assert str(info.value) == "'probs'[9999] must be numeric/float (got 1, an int): write 1.0 for a float"
    assert info.value.path == "'probs'[9999]"


class Unprintable:
    def __repr__(self) -> str:
        raise RuntimeError("no repr")


@pytest.mark.parametrize("text", ["numeric", "text", "boolean", "ndarray/uint8", "annotation", "[numeric]"])
def test_accepts_never_raises(text: str) -> None:
    iotype = parse_type(text)
    for value in [Unprintable(), [Unprintable()], ("point", [Unprintable()]), object, 10**5000]:
        assert iotype.accepts(value) is (text == "numeric" and type(value) is int)


# --- check messages ----------------------------------------------------------------------------

def check_message(text: str, value: object, path: str = "value") -> str:
    with pytest.raises(TypeCheckError) as info:
        parse_type(text).check(value, path)
    return str(info.value)


@pytest.mark.parametrize(
    ("text", "value", "path", "message"),
    [
        ("numeric/int", "3.5", "'threshold'", "'threshold' must be numeric/int (got '3.5', a str)"),
        ("numeric/int", 3.0, "'threshold'", "'threshold' must be numeric/int (got 3.0, a float): write 3 for an int"),
        ("numeric/int", 3.5, "'threshold'", "'threshold' must be numeric/int (got 3.5, a float)"),
        ("numeric/int", NAN, "'t'", "'t' must be numeric/int (got nan, a float)"),
        ("numeric/int", True, "'t'", "'t' must be numeric/int (got True, a bool): bool is not a number"),
        ("numeric/float", 3, "'x'", "'x' must be numeric/float (got 3, an int): write 3.0 for a float"),
        ("numeric/float", -7, "'x'", "'x' must be numeric/float (got -7, an int): write -7.0 for a float"),
        ("numeric/float", 10**20, "'x'",
         "'x' must be numeric/float (got 100000000000000000000, an int): write it as a float"),
        pytest.param("numeric/float", 10**5000, "'x'",
                     "'x' must be numeric/float (got <int of 16610 bits>): write it as a float", id="huge-int"),
        ("numeric/float", "0.5", "'x'", "'x' must be numeric/float (got '0.5', a str)"),
        ("numeric", True, "value", "value must be numeric (got True, a bool): bool is not a number"),
        ("numeric", None, "value", "value must be numeric (got None)"),
        ("numeric", 1 + 2j, "'z'", "'z' must be numeric (got (1+2j), a complex)"),
        ("numeric", [1, 2], "'n'", "'n' must be numeric (got [1, 2], a list)"),
        ("numeric", "a" * 100, "'n'", f"'n' must be numeric (got '{'a' * 56}..., a str)"),
        ("numeric", np.zeros((2, 3)), "'n'", "'n' must be numeric (got <ndarray float64 (2, 3)>)"),
    ],
)
def test_error_numeric(text: str, value: object, path: str, message: str) -> None:
    assert check_message(text, value, path) == message


@pytest.mark.parametrize("value", [np.True_, np.bool_(False)])
def test_error_numpy_bool_is_not_a_number(value: object) -> None:
    assert check_message("numeric/float", value).endswith(", a bool): bool is not a number")


def test_error_numpy_int_for_a_float() -> None:
    assert check_message("numeric/float", np.int64(7)).endswith(", an int64): write 7.0 for a float")


@pytest.mark.parametrize(
    ("text", "value", "message"),
    [
        ("text", b"abc", "'label' must be text (got b'abc', a bytes): decode the bytes to a str first"),
        ("text/str", 3, "'label' must be text/str (got 3, an int)"),
        ("text", None, "'label' must be text (got None)"),
        ("text", list(range(10_000)), "'label' must be text (got <list of 10000>)"),
        ("text", ("a", "b"), "'label' must be text (got ('a', 'b'), a tuple)"),
        ("boolean", 1, "'label' must be boolean (got 1, an int): write True or False"),
        ("boolean/bool", "true", "'label' must be boolean/bool (got 'true', a str): write True or False"),
        ("boolean", None, "'label' must be boolean (got None)"),
        ("boolean", 1.0, "'label' must be boolean (got 1.0, a float)"),
    ],
)
def test_error_text_and_boolean(text: str, value: object, message: str) -> None:
    assert check_message(text, value, "'label'") == message


@pytest.mark.parametrize(
    ("text", "value", "message"),
    [
        ("ndarray/uint8///3", arr((254, 426)),
         "'image' must be ndarray/uint8///3 (got <ndarray uint8 (254, 426)>): needs 3 dimensions, has 2"),
        ("ndarray/uint8///3", arr((4, 4, 3), np.float32),
         "'image' must be ndarray/uint8///3 (got <ndarray float32 (4, 4, 3)>): dtype is float32, not uint8"),
        ("ndarray/uint8///3", arr((4, 4), np.float32),
         "'image' must be ndarray/uint8///3 (got <ndarray float32 (4, 4)>): "
         "dtype is float32, not uint8; needs 3 dimensions, has 2"),
        ("ndarray/uint8///3", arr((4, 4, 4)),
         "'image' must be ndarray/uint8///3 (got <ndarray uint8 (4, 4, 4)>): shape[2] is 4, not 3"),
        ("ndarray/uint8/5/10", arr((4, 9)),
         "'image' must be ndarray/uint8/5/10 (got <ndarray uint8 (4, 9)>): shape[0] is 4, not 5; shape[1] is 9, not 10"),
        ("ndarray/uint8/5/10", arr((4, 9), np.int8),
         "'image' must be ndarray/uint8/5/10 (got <ndarray int8 (4, 9)>): "
         "dtype is int8, not uint8; shape[0] is 4, not 5; shape[1] is 9, not 10"),
        ("ndarray//5/", arr((4, 9, 1)), "'image' must be ndarray//5/ (got <ndarray uint8 (4, 9, 1)>): needs 2 dimensions, has 3"),
        ("ndarray/uint8/", arr((2, 2)), "'image' must be ndarray/uint8/ (got <ndarray uint8 (2, 2)>): needs 1 dimension, has 2"),
        ("ndarray/uint8/", arr(()), "'image' must be ndarray/uint8/ (got <ndarray uint8 ()>): needs 1 dimension, has 0"),
        ("ndarray/image", arr((4, 4, 2)),
         "'image' must be ndarray/image (got <ndarray uint8 (4, 4, 2)>): an image needs shape (h, w), (h, w, 3) or (h, w, 4)"),
        ("ndarray/image", arr((4, 4, 3), np.float64),
         "'image' must be ndarray/image (got <ndarray float64 (4, 4, 3)>): dtype is float64, not uint8"),
        ("ndarray/image", arr((4,), np.int16),
         "'image' must be ndarray/image (got <ndarray int16 (4,)>): "
         "dtype is int16, not uint8; an image needs shape (h, w), (h, w, 3) or (h, w, 4)"),
        ("ndarray/float32", arr((3,), ">f8"), "'image' must be ndarray/float32 (got <ndarray >f8 (3,)>): dtype is >f8, not float32"),
        ("ndarray/str", arr((3,), np.int64), "'image' must be ndarray/str (got <ndarray int64 (3,)>): dtype is int64, not str"),
        ("ndarray", [1, 2, 3], "'image' must be ndarray (got [1, 2, 3], a list): convert with numpy.asarray"),
        ("ndarray/uint8//", ((1, 2), (3, 4)),
         "'image' must be ndarray/uint8// (got ((1, 2), (3, 4)), a tuple): convert with numpy.asarray"),
        ("ndarray/image", "cat.png", "'image' must be ndarray/image (got 'cat.png', a str)"),
        ("ndarray", None, "'image' must be ndarray (got None)"),
    ],
)
def test_error_ndarray(text: str, value: object, message: str) -> None:
    assert check_message(text, value, "'image'") == message


@pytest.mark.parametrize(
    ("value", "detail"),
    [
        (5, "(got 5, an int): expected a (kind, geometries) pair"),
        ("rect", "(got 'rect', a str): expected a (kind, geometries) pair"),
        (("rect",), "(got ('rect',), a tuple): expected a (kind, geometries) pair, has 1 item"),
        (("rect", [], []), "(got ('rect', [], []), a tuple): expected a (kind, geometries) pair, has 3 items"),
        (("square", []), "(got ('square', []), a tuple): "
                         "kind must be one of point, circle, ellipse, rect, polyline (got 'square', a str)"),
        ((3, []), "(got (3, []), a tuple): kind must be one of point, circle, ellipse, rect, polyline (got 3, an int)"),
        (("rect", 5), "(got ('rect', 5), a tuple): geometries must be a tuple or list (got 5, an int)"),
        (("rect", np.zeros((1, 4))), "(got ('rect', <ndarray float64 (1, 4)>), a tuple): "
                                     "geometries must be a tuple or list (got <ndarray float64 (1, 4)>)"),
        (("rect", [(1, 2, 3)]), "(got ('rect', [(1, 2, 3)]), a tuple): "
                                "geometries[0] must be 4 numbers (x, y, w, h) for a rect, has 3"),
        (["circle", [[1, 2, 3], [1, 2]]], "(got ['circle', [[1, 2, 3], [1, 2]]], a list): "
                                          "geometries[1] must be 3 numbers (x, y, r) for a circle, has 2"),
        (("ellipse", [5]), "(got ('ellipse', [5]), a tuple): "
                           "geometries[0] must be 5 numbers (x, y, rx, ry, rot) for an ellipse (got 5, an int)"),
        (("point", [(1, 2), (3, True)]), "(got ('point', [(1, 2), (3, True)]), a tuple): "
                                         "geometries[1][1] must be a number (got True, a bool)"),
        (("rect", [(1, 2, 3, "4")]), "(got ('rect', [(1, 2, 3, '4')]), a tuple): "
                                     "geometries[0][3] must be a number (got '4', a str)"),
        (("polyline", [5]), "(got ('polyline', [5]), a tuple): "
                            "geometries[0] must be a sequence of points (x, y) (got 5, an int)"),
        (("polyline", [[]]), "(got ('polyline', [[]]), a tuple): geometries[0] must have at least 1 point (x, y), has 0"),
        (("polyline", [[(1, 2), (1, 2, 3)]]), "(got ('polyline', [[(1, 2), (1, 2, 3)]]), a tuple): "
                                              "geometries[0][1] must be 2 numbers (x, y) for a point, has 3"),
        (("polyline", [[(1, 2)], [(1, None)]]), "(got ('polyline', [[(1, 2)], [(1, None)]]), a tuple): "
                                                "geometries[1][0][1] must be a number (got None)"),
    ],
)
def test_error_annotation(value: object, detail: str) -> None:
    assert check_message("annotation", value, "'boxes'") == f"'boxes' must be annotation {detail}"


@pytest.mark.parametrize(
    ("text", "value", "message"),
    [
        ("[numeric/float]", [0.1, 0.2, True],
         "'probs'[2] must be numeric/float (got True, a bool): bool is not a number"),
        ("[numeric/float]", (0.1, 2), "'probs'[1] must be numeric/float (got 2, an int): write 2.0 for a float"),
        ("[numeric/float]", np.zeros(3), "'probs' must be [numeric/float] (got <ndarray float64 (3,)>): convert with .tolist()"),
        ("[numeric/float]", 0.5, "'probs' must be [numeric/float] (got 0.5, a float)"),
        ("[text]", "abc", "'probs' must be [text] (got 'abc', a str)"),
        ("[[numeric]]", [[1], [2, "x"]], "'probs'[1][1] must be numeric (got 'x', a str)"),
        ("[[numeric]]", [1.0, 2], "'probs'[0] must be [numeric] (got 1.0, a float)"),
        ("[ndarray/image]", [arr((2, 2)), arr((2, 2, 2))],
         "'probs'[1] must be ndarray/image (got <ndarray uint8 (2, 2, 2)>): "
         "an image needs shape (h, w), (h, w, 3) or (h, w, 4)"),
        ("[annotation]", [("point", [(1, 2)]), ("point", [(1,)])],
         "'probs'[1] must be annotation (got ('point', [(1,)]), a tuple): "
         "geometries[0] must be 2 numbers (x, y) for a point, has 1"),
        ("[numeric]", list(range(10_000)) + ["x"], "'probs'[10000] must be numeric (got 'x', a str)"),
    ],
)
def test_error_list(text: str, value: object, message: str) -> None:
    assert check_message(text, value, "'probs'") == message


def test_error_default_path() -> None:
    assert check_message("[numeric/int]", [1, 2.5]) == "value[1] must be numeric/int (got 2.5, a float)"


def test_error_path_attribute() -> None:
    with pytest.raises(TypeCheckError) as info:
        parse_type("[[numeric]]").check([[1], [None]], "process.input[1]")
    assert info.value.path == "process.input[1][1][0]"
    assert str(info.value) == "process.input[1][1][0] must be numeric (got None)"


def test_error_unprintable_value() -> None:
    message = check_message("numeric", Unprintable(), "'n'")
    assert message.startswith("'n' must be numeric (got <Unprintable instance at 0x")
    assert message.endswith(">)")


# --- summarize and is_image_array -------------------------------------------------------------

@pytest.mark.parametrize(
    ("value", "summary"),
    [
        (arr((254, 426, 3)), "<ndarray uint8 (254, 426, 3)>"),
        (np.zeros(3), "<ndarray float64 (3,)>"),
        (np.array(1.5), "<ndarray float64 ()>"),
        (np.array(["ab"]), "<ndarray <U2 (1,)>"),
        ("abc", "'abc'"),
        ("", "''"),
        ("a" * 60, "'" + "a" * 56 + "..."),
        ("a" * 10_000, "'" + "a" * 56 + "..."),
        (np.str_("abc"), "'abc'"),
        (list(range(10_000)), "<list of 10000>"),
        (tuple(range(11)), "<tuple of 11>"),
        (list(range(10)), "[0, 1, 2, 3, 4, 5, 6, 7, 8, 9]"),
        ([], "[]"),
        ([np.zeros(2)], "[<ndarray float64 (2,)>]"),
        ([arr((2, 2)), "x"], "[<ndarray uint8 (2, 2)>, 'x']"),
        (("point", ((1, 2),)), "('point', ((1, 2),))"),
        (3, "3"),
        (3.5, "3.5"),
        (True, "True"),
        (None, "None"),
        (b"ab", "b'ab'"),
        ({"a": 1}, "{'a': 1}"),
        pytest.param(10**5000, "<int of 16610 bits>", id="huge-int"),
    ],
)
def test_summarize(value: object, summary: str) -> None:
    assert summarize(value) == summary


@pytest.mark.parametrize(
    "value",
    [["x" * 1000], [["y" * 500] * 5] * 5, {"k" * 100: "v" * 100}, [list(range(10_000))], 10**59, object(),
     Unprintable(), {i: i for i in range(1000)}, set(range(1000)), "é" * 200],
)
def test_summarize_is_short(value: object) -> None:
    assert len(summarize(value)) <= 60


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (arr((4, 5)), True),
        (arr((4, 5, 3)), True),
        (arr((4, 5, 4)), True),
        (arr((0, 0)), True),
        (arr((4, 5, 2)), False),
        (arr((4, 5, 1)), False),
        (arr((4,)), False),
        (arr(()), False),
        (arr((4, 5, 3, 1)), False),
        (arr((4, 5, 3), np.float32), False),
        (arr((4, 5), bool), False),
        (arr((4, 5), np.int8), False),
        ([[0, 0], [0, 0]], False),
        (np.uint8(1), False),
        (None, False),
    ],
)
def test_is_image_array(value: object, expected: bool) -> None:
    assert is_image_array(value) is expected
    assert parse_type("ndarray/image").accepts(value) is expected
