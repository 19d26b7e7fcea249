"""Explicit signatures, Numba's spelling: ``"float64(float64[:], int64)"``, ``"f8(f8)"``,
``"void(float32[:, ::1])"``, ``"Tuple((float64, int64))(f8)"``, ``"(int64, int64)"``.

A signature becomes ember type codes (ember/abi.h): one per argument and one for the return
type (None when the signature leaves it to inference).  ``[:]`` gives layout A, ``[::1]`` on
the last axis C, on the first axis F.
"""
from __future__ import annotations

import re

from .errors import TypingError

# ember_type_tag in ember/abi.h
T_BOOL, T_INT8, T_INT16, T_INT32, T_INT64, T_UINT8, T_UINT16, T_UINT32, T_UINT64, \
    T_FLOAT32, T_FLOAT64, T_COMPLEX64, T_COMPLEX128, T_NONE, T_ARRAY, T_TUPLE, \
    T_OPTIONAL, T_UNICODE = range(1, 19)
T_FLOAT16 = 32
T_LIST, T_DICT, T_SET = 42, 43, 44
T_CPOINTER = 50  # a @cfunc's C pointer argument: [T_CPOINTER, pointee tag or 0 for void *]
T_DISPATCHER = 40  # a jitted function passed as a value: [T_DISPATCHER, handle]
T_FUNCTION = 75  # types.FunctionType(sig): [T_FUNCTION, nargs, return code, arg codes...]
LAYOUT_C, LAYOUT_F, LAYOUT_A = 0, 1, 2

SCALARS = {
    "boolean": T_BOOL, "bool_": T_BOOL, "bool": T_BOOL, "b1": T_BOOL,
    "int8": T_INT8, "i1": T_INT8, "int16": T_INT16, "i2": T_INT16,
    "int32": T_INT32, "i4": T_INT32, "int64": T_INT64, "i8": T_INT64, "intp": T_INT64,
    "int_": T_INT64, "intc": T_INT32, "uintc": T_UINT32, "uint8": T_UINT8, "u1": T_UINT8,
    "byte": T_UINT8, "uint16": T_UINT16,
    "u2": T_UINT16, "uint32": T_UINT32, "u4": T_UINT32, "uint64": T_UINT64, "u8": T_UINT64,
    "uintp": T_UINT64, "float16": T_FLOAT16, "f2": T_FLOAT16, "half": T_FLOAT16,
    "float32": T_FLOAT32, "f4": T_FLOAT32, "float64": T_FLOAT64,
    "f8": T_FLOAT64, "double": T_FLOAT64, "float_": T_FLOAT64, "complex64": T_COMPLEX64,
    "c8": T_COMPLEX64, "complex128": T_COMPLEX128, "c16": T_COMPLEX128,
    "none": T_NONE, "void": T_NONE, "unicode_type": T_UNICODE, "string": T_UNICODE,
}

_TOKEN = re.compile(r"\s*(?:(?P<name>[A-Za-z_][A-Za-z_0-9]*)|(?P<num>\d+)"
                    r"|(?P<punct>::|[()\[\],:]))")


class _Parser:
    def __init__(self, text: str):
        self.text = text
        self.tokens = []
        pos = 0
        text = text.rstrip()
        while pos < len(text):
            m = _TOKEN.match(text, pos)
            if not m:
                self.fail(f"unexpected text at {text[pos:]!r}")
            self.tokens.append(m.group("name") or m.group("num") or m.group("punct"))
            pos = m.end()
        self.i = 0

    def fail(self, why: str):
        raise TypingError(f"cannot read the signature {self.text!r}: {why}")

    def peek(self):
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def take(self, expected=None):
        tok = self.peek()
        if tok is None or (expected is not None and tok != expected):
            self.fail(f"expected {expected or 'more'}, found {tok or 'the end'}")
        self.i += 1
        return tok

    def type(self) -> list[int]:
        tok = self.peek()
        if tok == "(":
            return self.tuple_body()
        name = self.take()
        if name == "voidptr":
            return [T_CPOINTER, 0]
        if name == "CPointer":
            self.take("(")
            pointee = self.type()
            self.take(")")
            if len(pointee) != 1 or pointee[0] in (T_NONE, T_UNICODE):
                self.fail("a CPointer points to a number or bool")
            return [T_CPOINTER, pointee[0]]
        if name in ("Tuple", "UniTuple", "optional", "Optional"):
            self.take("(")
            if name == "Tuple":
                code = self.tuple_body()
            elif name == "UniTuple":
                elem = self.type()
                self.take(",")
                n = int(self.take())
                code = [T_TUPLE, n] + elem * n
            else:
                code = [T_OPTIONAL] + self.type()
            self.take(")")
        elif name in SCALARS:
            code = [SCALARS[name]]
        else:
            self.fail(f"unknown type {name!r}")
        if self.peek() == "[":
            code = self.array(code)
        return code

    def tuple_body(self) -> list[int]:
        self.take("(")
        elems = []
        while self.peek() != ")":
            elems.append(self.type())
            if self.peek() == ",":
                self.take(",")
        self.take(")")
        code = [T_TUPLE, len(elems)]
        for e in elems:
            code += e
        return code

    def array(self, dtype: list[int]) -> list[int]:
        if len(dtype) != 1 or dtype[0] in (T_NONE, T_UNICODE):
            self.fail("arrays hold scalars")
        self.take("[")
        axes = []
        while True:
            if self.peek() == "::":
                self.take("::")
                if self.take() != "1":
                    self.fail("only ::1 marks a contiguous axis")
                axes.append(True)
            else:
                self.take(":")
                axes.append(False)
            if self.peek() == ",":
                self.take(",")
                continue
            break
        self.take("]")
        layout = LAYOUT_A
        if axes[-1] and not any(axes[:-1]):
            layout = LAYOUT_C
        elif axes[0] and not any(axes[1:]):
            layout = LAYOUT_F if len(axes) > 1 else LAYOUT_C
        return [T_ARRAY, dtype[0], len(axes), layout, 0]


def parse_type(text: str) -> list[int]:
    """The type code of one type written as in a signature: "float64[:, ::1]"."""
    p = _Parser(text)
    code = p.type()
    if p.peek() is not None:
        p.fail(f"unexpected {p.peek()!r} after the type")
    return code


def parse_signature(text: str) -> tuple[list[list[int]], list[int] | None]:
    """(argument type codes, return type code or None)."""
    p = _Parser(text)
    ret = None
    if p.peek() != "(":
        ret = p.type()
    p.take("(")
    args = []
    while p.peek() != ")":
        args.append(p.type())
        if p.peek() == ",":
            p.take(",")
    p.take(")")
    if p.peek() is not None:
        p.fail(f"unexpected {p.peek()!r} after the argument list")
    return args, ret
