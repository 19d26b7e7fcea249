"""The reference side of a comparison: the generated program run by CPython and NumPy, with
checks inserted where ember's semantics deliberately differ (intended.py).

The generator marks AST nodes whose CPython evaluation needs a check (attributes below); the
``ReferenceBuilder`` turns the plain program into the reference program by wrapping those nodes
in calls to the helpers of this module, which are put into the reference namespace.  A helper
either returns the value CPython computes (converted to a Python scalar where ember follows
Python's scalar semantics) or raises ``IntendedDifference``.

Node attributes set by the generator:

* ``ref``: a list of (helper, constant args...) wrapping the value in turn, innermost first
  (``_ck64``, ``_py``, ``_i2f``, ``_cksmall``);
* ``ref_call``: name of a helper that receives the called function and its arguments (``_m``);
* ``ref_binop``: (helper, constant args...) replacing ``left OP right`` by
  ``helper(*constants, left, right)`` (``_fpow``, ``_itdiv``, ``_sop``);
* ``ref_unary``: the same for a unary operator or one-argument builtin (``_sop``);
* ``ref_aug`` (on AugAssign): a helper name; ``x op= v`` becomes ``x = helper(x op v)``.
"""
from __future__ import annotations

import ast
import copy
import math
import operator

import numpy as np

from .intended import Intended, IntendedDifference

INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
EXACT_INT_FLOAT = 2**53


def _ck64(v):
    if not INT64_MIN <= v <= INT64_MAX:
        raise IntendedDifference(Intended.INT64_WRAP)
    return v


def _ck64_items(t):
    """A tuple of ints (divmod's): each in int64's range."""
    for v in t:
        _ck64(v)
    return t


def _py(v):
    """NumPy float64/int64/bool scalars as Python scalars (ember applies Python's scalar rules
    to values read from arrays, as Numba does).  Small kinds stay NumPy scalars."""
    if isinstance(v, np.generic):
        if isinstance(v, np.float64):
            return float(v)
        if isinstance(v, np.int64):
            return int(v)
        if isinstance(v, np.bool_):
            return bool(v)
    return v


def _pyiter(a):
    """Iterating over a 1-D array gives Python scalars (see _py); lazily, as the loop body
    may store into the array it iterates over."""
    for x in a:
        yield _py(x)


def _i2f(v):
    """An int operand of a comparison with a float."""
    if isinstance(v, (int, np.integer)) and abs(int(v)) > EXACT_INT_FLOAT:
        raise IntendedDifference(Intended.INT_FLOAT_COMPARE)
    return v


def _itdiv(a, b):
    if abs(int(a)) > EXACT_INT_FLOAT or abs(int(b)) > EXACT_INT_FLOAT:
        raise IntendedDifference(Intended.INT_TRUEDIV)
    return a / b


def _m(fn, *args):
    """A math-module function whose domain or range errors ember does not raise."""
    try:
        return fn(*args)
    except (ValueError, OverflowError):
        raise IntendedDifference(Intended.MATH_DOMAIN) from None


def _fpow(a, b):
    try:
        r = a ** b
    except OverflowError:
        raise IntendedDifference(Intended.FLOAT_POW) from None
    if isinstance(r, complex):
        raise IntendedDifference(Intended.FLOAT_POW)
    return r


def _zext(fn, *args, **kwargs):
    """A float min/max reduction: when the extreme is zero and the array holds both zeros,
    which one comes back is unspecified."""
    r = fn(*args, **kwargs)
    src = args[0] if args and isinstance(args[0], np.ndarray) else getattr(fn, "__self__", None)
    if isinstance(src, np.ndarray) and np.any(np.asarray(r) == 0):
        zeros = src[src == 0]
        if np.any(np.signbit(zeros)) and not np.all(np.signbit(zeros)):
            raise IntendedDifference(Intended.SIGNED_ZERO_EXTREMUM)
    return r


_SMALL_OPS = {"add": operator.add, "sub": operator.sub, "mul": operator.mul,
              "and": operator.and_, "or": operator.or_, "xor": operator.xor,
              "neg": operator.neg, "abs": abs, "pos": operator.pos}


def _sop(kind, op, *args):
    """An int32/uint8 operation computed exactly; a result outside the kind's range is where
    NumPy wraps and ember (Numba) has widened to int64."""
    r = _SMALL_OPS[op](*(int(a) for a in args))
    info = np.iinfo(kind)
    if not info.min <= r <= info.max:
        raise IntendedDifference(Intended.NUMPY_FIXED_WIDTH)
    return np.dtype(kind).type(r)


def _cksmall(kind, v):
    """A Python int converted to or stored as a small integer kind."""
    info = np.iinfo(kind)
    if not info.min <= int(v) <= info.max:
        raise IntendedDifference(Intended.NUMPY_FIXED_WIDTH)
    return v


HELPERS = {f.__name__: f for f in (_ck64, _ck64_items, _py, _pyiter, _i2f, _itdiv, _m, _fpow,
                                    _sop, _cksmall, _zext)}


def _call(name: str, args: list[ast.expr], keywords=()) -> ast.Call:
    return ast.Call(func=ast.Name(id=name, ctx=ast.Load()), args=args, keywords=list(keywords))


def _consts(values) -> list[ast.expr]:
    return [ast.Constant(v) for v in values]


class ReferenceBuilder:
    """Plain program -> reference program: a copy of the tree with the checks wrapped in (the
    plain tree is left alone).  A hand-written copy: copy.deepcopy of the annotated trees was
    most of the generator's time."""

    def build(self, module: ast.Module) -> ast.Module:
        return self._copy(module)

    def _copy(self, node):
        if isinstance(node, list):
            return [self._copy(x) for x in node]
        if not isinstance(node, ast.AST):
            return node
        new = type(node)(**{f: self._copy(getattr(node, f, None)) for f in node._fields})
        if isinstance(node, ast.AugAssign):
            return self._aug(node, new)
        if isinstance(node, ast.expr):
            return self._wrap(node, new)
        return new

    @staticmethod
    def _aug(orig: ast.AugAssign, node: ast.AugAssign):
        helper = getattr(orig, "ref_aug", None)
        if not helper:
            return node
        load = copy.deepcopy(node.target)
        _set_ctx(load, ast.Load())
        value = ast.BinOp(left=load, op=node.op, right=node.value)
        args = [*_consts(getattr(orig, "ref_aug_args", ())), value]
        return ast.Assign(targets=[node.target], value=_call(helper, args))

    @staticmethod
    def _wrap(orig: ast.expr, node: ast.expr) -> ast.expr:
        """node is orig's copy (children already wrapped); orig carries the attributes."""
        binop = getattr(orig, "ref_binop", None)
        if binop and isinstance(node, ast.BinOp):
            node = _call(binop[0], [*_consts(binop[1:]), node.left, node.right])
        unary = getattr(orig, "ref_unary", None)
        if unary:
            operand = node.operand if isinstance(node, ast.UnaryOp) else node.args[0]
            node = _call(unary[0], [*_consts(unary[1:]), operand])
        call = getattr(orig, "ref_call", None)
        if call and isinstance(node, ast.Call):
            node = _call(call, [node.func, *node.args], node.keywords)
        for w in getattr(orig, "ref", ()):
            node = _call(w[0], [*_consts(w[1:]), node])
        return node


def _set_ctx(node, ctx):
    for sub in ast.walk(node):
        if hasattr(sub, "ctx"):
            sub.ctx = ast.Load()
    node.ctx = ctx


class EmberShim:
    """Stands for the ember module in the reference namespace: njit returns the function
    itself (with or without options), prange is range."""

    prange = staticmethod(range)

    @staticmethod
    def njit(*args, **options):
        if len(args) == 1 and callable(args[0]) and not options:
            return args[0]
        return lambda fn: fn

    jit = njit


def reference_namespace() -> dict:
    ns = {"np": np, "math": math, "ember": EmberShim}
    ns.update(HELPERS)
    return ns
