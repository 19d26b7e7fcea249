"""NumPy ufuncs called by name (np.add(a, b), np.less(x, 0.5), np.sign(a), ...) on numbers and
arrays, with broadcasting: each is the Python operator or expression that means the same, which
ember compiles element-wise like any array expression (and fuses with its neighbours).  The
division family compiles with error_model='numpy' (x / 0 is inf or nan, as NumPy's ufuncs give,
not ZeroDivisionError).  ``out=`` (a keyword, or one positional argument more than the inputs)
stores the result into an array and returns it, as ``out[...] = expr`` does (evaluated straight
into it), after NumPy's checks: the result's dtype casts to out's under casting='same_kind'
(else a TypingError, NumPy's TypeError) and out has at least the operands' dimensions (else a
ValueError when it runs); shapes that do not broadcast into out's raise ValueError.  The
ufuncs lowered in C++ (np.sqrt, np.exp, ...) take out= the same way (typeinfer/CallRules.cpp,
ufunc_out_operand).  ``where=`` is not supported yet (an UnsupportedError says so).
"""
from __future__ import annotations

import functools

import numpy as np

from ..decorators import jit
from ..errors import TypingError
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


@functools.lru_cache(None)
def _impl_out(name, nargs, expr, error_model, fewer_dims):
    """`out[...] = expr; return out`, or (out has fewer dimensions than the operands) the
    ValueError NumPy raises when it runs."""
    params = "x, y, out" if nargs == 2 else "x, out"
    body = (f"    out[...] = {expr}\n" if not fewer_dims else
            "    if out.ndim >= 0:\n"
            "        raise ValueError('non-broadcastable output operand: out has fewer "
            "dimensions than the result')\n")
    scope = {"np": np}
    exec(compile(f"def {name}({params}):\n{body}    return out\n", f"<ember.npapi np.{name}>",
                 "exec"), scope)
    return jit(scope[name], error_model=error_model)


_WEAK = {"b": False, "u": 0, "i": 0, "f": 0.0, "c": 0j}


def _sample(info):
    """A value standing for an operand in NumPy's own type resolution: an empty array of its
    dtype, or a Python number (weak, NEP 50) for a scalar."""
    if info.is_array:
        return np.empty((0,) * info.ndim, info.dtype)
    return _WEAK[info.dtype.kind]


def _checked_out(fname, ufunc, operands, out):
    """Checks out= as NumPy does; True when out has fewer dimensions than the operands."""
    if out.kind != "array":
        raise TypingError(f"{fname}(): out must be an array, not {out.text}")
    if out.readonly:
        raise TypingError(f"{fname}(): out is a read-only array ({out.text})")
    with np.errstate(all="ignore"):
        result = ufunc(*[_sample(op) for op in operands])
    if isinstance(result, tuple):
        unsupported(fname, "out= for a ufunc with two outputs")
    result = np.asarray(result).dtype
    if not np.can_cast(result, out.dtype, "same_kind"):
        raise TypingError(f"Cannot cast ufunc '{ufunc.__name__}' output from dtype('{result}') "
                          f"to dtype('{out.dtype}') with casting rule 'same_kind'")
    return max((op.ndim for op in operands if op.is_array), default=0) > out.ndim


def _out_arg(out, extra):
    """(the output array, the selector's parameter naming it): passed as the extra positional
    argument (`out_`) or by keyword; (None, None) when there is none."""
    if not absent(extra):
        if not absent(out):
            raise TypingError("got out= and a positional output array")
        return extra, "out_"
    return (None, None) if absent(out) else (out, "out")


def _operand(info, fname):
    time = info is not None and info.kind == "scalar" and info.dtype.kind in "mM"
    if info is None or not (info.is_array or info.is_number or time):
        unsupported(fname, f"an operand of type {info}")
    return info.dtype


def _register(name, nargs):
    fname = f"np.{name}"

    def check(operands, where):
        if not absent(where):
            unsupported(fname, "where=")
        kinds = {_operand(op, fname).kind for op in operands}
        if name in _INT_ONLY and not kinds <= set("biu"):
            unsupported(fname, "non-integer operands (NumPy has no loop for them)")
        if name in _FLOAT_ONLY and kinds & set("c"):
            unsupported(fname, "complex operands")

    def chosen(operands, out_param, names):
        out, param = out_param
        if out is None:
            return _impl(name, nargs), names
        fewer = _checked_out(fname, getattr(np, name), operands, out)
        expr = _BINARY[name] if nargs == 2 else _UNARY[name]
        return (_impl_out(name, nargs, expr, "numpy" if name in _DIVIDING else "python", fewer),
                names + (param,))

    if nargs == 2:
        def select(x1, x2, out_=None, out=None, where=None, casting=None, order=None,
                   dtype=None):
            check((x1, x2), where)
            return chosen((x1, x2), _out_arg(out, out_), ("x1", "x2"))
    else:
        def select(x, out_=None, out=None, where=None, casting=None, order=None, dtype=None):
            check((x,), where)
            return chosen((x,), _out_arg(out, out_), ("x",))
    overload(getattr(np, name))(select)


for _name in _BINARY:
    _register(_name, 2)
for _name in _UNARY:
    _register(_name, 1)


# ---- sign, fabs, reciprocal: per dtype ------------------------------------------------------

@functools.lru_cache(None)
def _into(impl, fewer_dims):
    """`out[...] = impl(x); return out` for a unary implementation chosen per dtype."""
    body = ("    out[...] = impl(x)\n" if not fewer_dims else
            "    if out.ndim >= 0:\n"
            "        raise ValueError('non-broadcastable output operand: out has fewer "
            "dimensions than the result')\n")
    return _generate("into", f"def into(x, out):\n{body}    return out\n", impl=impl)


def _unary_with_out(fname, ufunc, x, out, out_, where, impl):
    """The selection of a per-dtype unary ufunc (sign, fabs, reciprocal), out= included."""
    if not absent(where):
        unsupported(fname, "where=")
    out, param = _out_arg(out, out_)
    if out is None:
        return impl, ("x",)
    return _into(impl, _checked_out(fname, ufunc, (x,), out)), ("x", param)


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
def sign(x, out_=None, out=None, where=None):
    dtype = _operand(x, "np.sign")
    if dtype.kind in "bc":
        unsupported("np.sign", f"{dtype} operands")
    return _unary_with_out("np.sign", np.sign, x, out, out_, where,
                           _sign_impl(dtype, not x.is_array))


@functools.lru_cache(None)
def _float_unary(dtype, expr):
    return _generate("f", f"def f(x):\n    return {expr}\n", dt=np.dtype(dtype).type)


@overload(np.fabs)
def fabs(x, out_=None, out=None, where=None):
    dtype = _operand(x, "np.fabs")
    if dtype.kind == "c":
        unsupported("np.fabs", "complex operands")
    ft = dtype if dtype.kind == "f" else np.dtype(np.float64)
    impl = _float_unary(ft, "np.abs(x.astype(dt))" if x.is_array else "abs(dt(x))")
    return _unary_with_out("np.fabs", np.fabs, x, out, out_, where, impl)


@overload(np.reciprocal)
def reciprocal(x, out_=None, out=None, where=None):
    dtype = _operand(x, "np.reciprocal")
    if dtype.kind not in "fc":
        unsupported("np.reciprocal", "integer operands")
    impl = _float_unary(dtype, "dt(1.0) / x" if not x.is_array else "1.0 / x")
    return _unary_with_out("np.reciprocal", np.reciprocal, x, out, out_, where, impl)
