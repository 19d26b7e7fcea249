"""NumPy ufuncs called by name (np.add(a, b), np.less(x, 0.5), np.sign(a), ...) on numbers and
arrays, with broadcasting: each is the Python operator or expression that means the same, which
ember compiles element-wise like any array expression (and fuses with its neighbours).  The
division family compiles with error_model='numpy' (x / 0 is inf or nan, as NumPy's ufuncs give,
not ZeroDivisionError).  ``out=`` and ``where=`` are not supported yet (an UnsupportedError says
so).
"""
from __future__ import annotations

import functools

import numpy as np

from ..decorators import jit
from . import absent, overload, unsupported
from .shapes import _generate

_BINARY = {
    "add": "x + y", "subtract": "x - y", "multiply": "x * y", "true_divide": "x / y",
    "divide": "x / y", "floor_divide": "x // y", "remainder": "x % y", "mod": "x % y",
    "power": "x ** y", "equal": "x == y", "not_equal": "x != y", "less": "x < y",
    "less_equal": "x <= y", "greater": "x > y", "greater_equal": "x >= y",
    "bitwise_and": "x & y", "bitwise_or": "x | y", "bitwise_xor": "x ^ y",
    "left_shift": "x << y", "right_shift": "x >> y",
    "logical_and": "(x != 0) & (y != 0)", "logical_or": "(x != 0) | (y != 0)",
    "logical_xor": "(x != 0) != (y != 0)",
    "divmod": "(x // y, x % y)",
    "logaddexp": "np.where(x == y, x + 0.6931471805599453, "
                 "np.maximum(x, y) + np.log1p(np.exp(-np.abs(x - y))))",
    "logaddexp2": "np.where(x == y, x + 1.0, np.maximum(x, y) + "
                  "np.log1p(2.0 ** (-np.abs(x - y))) * 1.4426950408889634)",
    "fmax": "np.where(y != y, x, np.where(x != x, y, np.maximum(x, y)))",
    "fmin": "np.where(y != y, x, np.where(x != x, y, np.minimum(x, y)))",
}
_UNARY = {
    "negative": "-x", "square": "x * x", "invert": "~x", "bitwise_not": "~x",
    "logical_not": "x == 0", "exp2": "2.0 ** x",
}
_DIVIDING = {"true_divide", "divide", "floor_divide", "remainder", "mod", "divmod"}
_FLOAT_ONLY = {"logaddexp", "logaddexp2", "fmax", "fmin", "exp2"}
_INT_ONLY = {"bitwise_and", "bitwise_or", "bitwise_xor", "left_shift", "right_shift", "invert",
             "bitwise_not"}


@functools.lru_cache(None)
def _impl(name, nargs):
    expr = _BINARY[name] if nargs == 2 else _UNARY[name]
    params = "x, y" if nargs == 2 else "x"
    scope = {"np": np}
    exec(compile(f"def {name}({params}):\n    return {expr}\n", f"<ember.npapi np.{name}>",
                 "exec"), scope)
    return jit(scope[name], error_model="numpy" if name in _DIVIDING else "python")


def _operand(info, fname):
    time = info is not None and info.kind == "scalar" and info.dtype.kind in "mM"
    if info is None or not (info.is_array or info.is_number or time):
        unsupported(fname, f"an operand of type {info}")
    return info.dtype


def _register(name, nargs):
    fname = f"np.{name}"

    def check(operands, out, where):
        if not absent(out) or not absent(where):
            unsupported(fname, "out= and where=")
        kinds = {_operand(op, fname).kind for op in operands}
        if name in _INT_ONLY and not kinds <= set("biu"):
            unsupported(fname, "non-integer operands (NumPy has no loop for them)")
        if name in _FLOAT_ONLY and kinds & set("c"):
            unsupported(fname, "complex operands")

    if nargs == 2:
        def select(x1, x2, out=None, where=None, casting=None, order=None, dtype=None):
            check((x1, x2), out, where)
            return _impl(name, 2), ("x1", "x2")
    else:
        def select(x, out=None, where=None, casting=None, order=None, dtype=None):
            check((x,), out, where)
            return _impl(name, 1), ("x",)
    overload(getattr(np, name))(select)


for _name in _BINARY:
    _register(_name, 2)
for _name in _UNARY:
    _register(_name, 1)


# ---- sign, fabs, reciprocal: per dtype ------------------------------------------------------

@functools.lru_cache(None)
def _sign_impl(dtype, scalar):
    dt = np.dtype(dtype).type
    if scalar:
        @jit
        def sign(x):
            if x != x:
                return dt(x)
            return dt(1) if x > 0 else (dt(-1) if x < 0 else dt(0))
        return sign
    return _generate("sign", "def sign(x):\n"
                     "    s = (x > 0).astype(dt) - (x < 0).astype(dt)\n"
                     "    return np.where(x != x, x, s)\n", dt=dt)


@overload(np.sign)
def sign(x, out=None, where=None):
    dtype = _operand(x, "np.sign")
    if not absent(out) or not absent(where):
        unsupported("np.sign", "out= and where=")
    if dtype.kind in "bc":
        unsupported("np.sign", f"{dtype} operands")
    return _sign_impl(dtype, not x.is_array), ("x",)


@functools.lru_cache(None)
def _float_unary(dtype, expr):
    return _generate("f", f"def f(x):\n    return {expr}\n", dt=np.dtype(dtype).type)


@overload(np.fabs)
def fabs(x, out=None, where=None):
    dtype = _operand(x, "np.fabs")
    if dtype.kind == "c":
        unsupported("np.fabs", "complex operands")
    ft = dtype if dtype.kind == "f" else np.dtype(np.float64)
    if x.is_array:
        return _float_unary(ft, "np.abs(x.astype(dt))"), ("x",)
    return _float_unary(ft, "abs(dt(x))"), ("x",)


@overload(np.reciprocal)
def reciprocal(x, out=None, where=None):
    dtype = _operand(x, "np.reciprocal")
    if dtype.kind not in "fc":
        unsupported("np.reciprocal", "integer operands")
    return _float_unary(dtype, "dt(1.0) / x" if not x.is_array else "1.0 / x"), ("x",)
