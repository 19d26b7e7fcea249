"""Comparing what ember computed with what CPython computed.

Values: ints and bools exactly; floats bit for bit (NaN equal to NaN, -0.0 not equal to 0.0)
when the program computes only exactly rounded operations, else within a relative tolerance
(float64 or float32 ulps, see Info.approx).  Types: a compiled function returns Python bool /
int / float where CPython may give a NumPy scalar (as Numba does), so scalars are compared by
kind; arrays by dtype and shape as well as values; tuples element by element.
"""
from __future__ import annotations

import math

import numpy as np

# relative and absolute tolerance per approx level
TOLERANCE = {0: (0.0, 0.0), 1: (1e-7, 1e-12), 2: (1e-4, 1e-6)}

_KINDS = ((bool, (bool, np.bool_)), (int, (int, np.integer)), (float, (float, np.floating)),
          (complex, (complex, np.complexfloating)))


def scalar_kind(value):
    for kind, classes in _KINDS:
        if isinstance(value, classes):
            return kind
    return None


def _float_same(a: float, b: float, level: int) -> bool:
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    if level == 0:
        return a == b and math.copysign(1.0, a) == math.copysign(1.0, b)
    if a == b:
        return True
    if math.isinf(a) or math.isinf(b):
        return False
    rel, abs_tol = TOLERANCE[level]
    return math.isclose(a, b, rel_tol=rel, abs_tol=abs_tol)


def _arrays_same(got: np.ndarray, exp: np.ndarray, level: int) -> bool:
    if exp.dtype.kind not in "fc":
        return np.array_equal(got, exp)
    if level == 0:
        if not np.array_equal(got, exp, equal_nan=True):
            return False
        both = ~np.isnan(exp)
        return bool(np.all(np.signbit(got[both]) == np.signbit(exp[both])))
    rel, abs_tol = TOLERANCE[level]
    with np.errstate(all="ignore"):
        return bool(np.all(np.isclose(got, exp, rtol=rel, atol=abs_tol, equal_nan=True)))


def difference(got, exp, level: int, path: str = "result") -> str | None:
    """None when got (ember's) matches exp (CPython's), else what differs."""
    if isinstance(exp, np.ndarray):
        if not isinstance(got, np.ndarray):
            return f"{path}: expected an ndarray, got {type(got).__name__}"
        if got.dtype != exp.dtype:
            return f"{path}: dtype {got.dtype} != {exp.dtype}"
        if got.shape != exp.shape:
            return f"{path}: shape {got.shape} != {exp.shape}"
        if not _arrays_same(got, exp, level):
            return f"{path}: values differ: {got.tolist()!r} != {exp.tolist()!r}"
        return None
    if isinstance(exp, tuple):
        if not isinstance(got, tuple) or len(got) != len(exp):
            return f"{path}: expected a tuple of {len(exp)}, got {type(got).__name__}"
        for i, (g, e) in enumerate(zip(got, exp)):
            d = difference(g, e, level, f"{path}[{i}]")
            if d:
                return d
        return None
    if exp is None:
        return None if got is None else f"{path}: expected None, got {got!r}"
    kind = scalar_kind(exp)
    if kind is None:
        return f"{path}: cannot compare {type(exp).__name__}"
    if type(got) is not kind:
        return f"{path}: expected {kind.__name__} {exp!r}, got {type(got).__name__} {got!r}"
    if kind is float:
        if not _float_same(got, float(exp), level):
            return f"{path}: {got!r} != {float(exp)!r}"
        return None
    if got != exp:
        return f"{path}: {got!r} != {exp!r}"
    return None


def describe_kind(value) -> str:
    """A short type description for signatures: 'int', 'float64[1d]', 'tuple'."""
    if isinstance(value, np.ndarray):
        return f"{value.dtype}[{value.ndim}d]"
    if isinstance(value, tuple):
        return "tuple"
    kind = scalar_kind(value)
    return kind.__name__ if kind else type(value).__name__
