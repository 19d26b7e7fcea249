"""The intended differences between ember and CPython that the fuzzer tolerates, as an explicit,
short list.

Two kinds:

* **Detected at run time** (``Intended``): the reference run (CPython, with checks inserted by
  ``reference.py``) notices that it is about to take a path where ember deliberately behaves
  differently, stops, and the input set is counted as an intended difference instead of being
  compared.  The compiled run still happens, so a crash there is still caught.
* **Avoided by construction** (``AVOIDED``): the generator never writes such code; each line
  says why.  They are listed so that a reader knows what the fuzzer does *not* test.

Anything not on these lists that differs is a mismatch: a bug to report.
"""
from __future__ import annotations

import enum


class Intended(enum.Enum):
    INT64_WRAP = (
        "int64 wraparound: a Python int left the int64 range, where ember's int64 wraps "
        "(Numba's integers; counted here too: int()/round()/floor of a float beyond int64, "
        "which ember answers with OverflowError (docs/design.md §7), and a constant expression "
        "CPython folds beyond int64, whose constant ember refuses)")
    NUMPY_FIXED_WIDTH = (
        "NumPy fixed-width scalars: an int32/uint8 result, or a Python int stored into an "
        "int32 array, left its type's range; NumPy wraps or raises, ember computes small "
        "integers in int64 as Numba does (docs/design.md §7)")
    MATH_DOMAIN = (
        "math-module domain and range errors: CPython raises ValueError/OverflowError, ember "
        "returns nan/inf as Numba and NumPy do")
    FLOAT_POW = (
        "float ** that overflows or has a negative base and a fractional exponent: CPython "
        "raises OverflowError or returns a complex, ember returns inf or nan (Numba)")
    INT_FLOAT_COMPARE = (
        "an int beyond 2**53 compared with a float: CPython compares exactly, ember converts "
        "the int to float64 first (Numba)")
    SIGNED_ZERO_EXTREMUM = (
        "the min or max of a float array whose extreme is a zero of both signs: NumPy's "
        "answer depends on its SIMD loop, ember's max gives 0.0 and its min -0.0 "
        "(docs/design.md §7)")
    INT_TRUEDIV = (
        "int / int with an operand beyond 2**53: CPython rounds the exact quotient, ember "
        "divides the float64 conversions (Numba)")


class IntendedDifference(Exception):
    """Raised by the reference run's checks; carries which intended difference was met."""

    def __init__(self, kind: Intended):
        super().__init__(kind.name)
        self.kind = kind


AVOIDED = (
    "NumPy scalar semantics of values read from arrays or returned by reductions: the "
    "reference converts float64/int64/bool NumPy scalars to Python scalars, so `a[i] // 0` "
    "raises ZeroDivisionError as in ember (Numba's error_model='python') instead of NumPy's "
    "0 with a warning",
    "int ** negative int (Numba types the result as int)",
    "math.* of float32 arguments (Numba computes them in float32; the generator converts to "
    "float first) and float32 division (NumPy returns inf for x/0, ember raises)",
    "float32/int32/uint8 scalars combined with Python numbers (NumPy 2 keeps the small type, "
    "Numba promotes); the generator combines them with their own kind only",
    "unary - and ~ of int() of a uint8 arithmetic result: small unsigned scalars stay uint64 "
    "through int() in ember, as in Numba (docs/design.md §7), so -x wraps to 2**64 - x "
    "(CPython: -x); the generator adds 0 after int(), which makes it int64",
    "conditional expressions, min/max, and/or with operands of different types (ember unifies "
    "int and float to float, CPython keeps either)",
    "stores of floats into integer arrays (NumPy raises for nan, Numba truncates)",
    "round(x, ndigits) (Numba rounds x * 10**ndigits; documented in tests/python/test_scalars.py)",
    "out-of-range indexing without boundscheck=True (unchecked, as in Numba)",
    "~ on bools (deprecated in CPython 3.12), unary - on bool arrays (NumPy raises TypeError)",
)
