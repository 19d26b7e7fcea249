"""The static types the generator reasons with: scalar kinds, array types with symbolic shapes,
tuples, and the annotation every generated expression node carries.

A generated program is well typed by construction: every variable keeps one type, both arms of a
conditional expression have the same type, and every return statement of a function returns the
function's declared type, so that ember's type unification (Numba's: an int and a float unify to
float) never has to be compared with CPython's dynamic typing.

Array shapes are symbolic (``Dim``): the input arrays of a program share a few symbols whose
values every input set draws anew (0 included), and a slice's length is kept as a canonical form
of its base symbol, so that ``a[1:] + b[:-1]`` is known to be broadcast-compatible when ``a`` and
``b`` have the same length, whatever that length is.
"""
from __future__ import annotations

import enum
import math
from dataclasses import dataclass

import numpy as np


class Scalar(enum.Enum):
    """Scalar kinds.  I64/F64/BOOL are Python's int/float/bool in CPython; F32/I32/U8 are NumPy
    scalars (np.float32 ...), which the generator only combines with their own kind because
    NumPy's promotion with Python numbers and Numba's (ember's) differ (docs/design.md §7)."""
    I64 = "int64"
    F64 = "float64"
    BOOL = "bool"
    F32 = "float32"
    I32 = "int32"
    U8 = "uint8"

    @property
    def is_int(self) -> bool:
        return self in (Scalar.I64, Scalar.I32, Scalar.U8)

    @property
    def is_float(self) -> bool:
        return self in (Scalar.F64, Scalar.F32)

    @property
    def is_small(self) -> bool:
        """A NumPy fixed-width scalar in CPython (closed under its own operations only)."""
        return self in (Scalar.F32, Scalar.I32, Scalar.U8)

    @property
    def range(self) -> tuple[int, int] | None:
        """The value range of an integer kind (None for floats and bools)."""
        if not self.is_int:
            return None
        info = np.iinfo(self.value)
        return int(info.min), int(info.max)


# Array element dtypes the generator uses (uint8 arrays are left out: their Python-int
# promotion in NumPy 2 raises where Numba wraps).
ARRAY_DTYPES = (Scalar.F64, Scalar.F32, Scalar.I64, Scalar.I32, Scalar.BOOL)


@dataclass(frozen=True)
class Dim:
    """A symbolic array length: ceil(max(0, value(base) - trim) / step), where base is the name
    of a shape symbol of the inputs ("n0"), a constant length (an int), or a unique name for a
    length only known at run time ("?3").  Equal Dims are equal lengths for every input."""
    base: str | int
    trim: int = 0
    step: int = 1

    @property
    def const(self) -> int | None:
        if isinstance(self.base, int):
            return max(0, -(-(self.base - self.trim) // self.step))
        return None

    def sliced(self, start: int, stop_trim: int, step: int) -> Dim | None:
        """The Dim of x[start:len-stop_trim:step] (step > 0) or of the reversed slice with the
        same count, or None when the result has no canonical form."""
        if self.const is not None:
            n = self.const
            return Dim(len(range(n)[slice(start, n - stop_trim if stop_trim else None, step)]))
        if self.step != 1:
            return None
        return Dim(self.base, self.trim + start + stop_trim, step)

    def src(self) -> str:
        if isinstance(self.base, int):
            return str(self.const)
        return f"{self.base}-{self.trim}/{self.step}" if (self.trim or self.step != 1) else \
            str(self.base)


@dataclass(frozen=True)
class ArrayT:
    dtype: Scalar
    shape: tuple[Dim, ...]

    @property
    def ndim(self) -> int:
        return len(self.shape)

    def with_dtype(self, dtype: Scalar) -> ArrayT:
        return ArrayT(dtype, self.shape)


@dataclass(frozen=True)
class TupleT:
    items: tuple

    def __len__(self):
        return len(self.items)


Type = Scalar | ArrayT | TupleT


def is_array(t) -> bool:
    return isinstance(t, ArrayT)


def broadcast(a: tuple[Dim, ...], b: tuple[Dim, ...]) -> tuple[Dim, ...] | None:
    """NumPy's broadcast of two symbolic shapes, or None when it is not known to succeed."""
    out = []
    for i in range(1, max(len(a), len(b)) + 1):
        da = a[-i] if i <= len(a) else Dim(1)
        db = b[-i] if i <= len(b) else Dim(1)
        if da == db or db.const == 1:
            out.append(da)
        elif da.const == 1:
            out.append(db)
        else:
            return None
    return tuple(reversed(out))


def result_dtype(a: Scalar, b: Scalar) -> Scalar:
    """NumPy's promotion of two array dtypes."""
    return Scalar(np.result_type(np.dtype(a.value), np.dtype(b.value)).name)


@dataclass(frozen=True)
class Info:
    """What the generator knows about an expression node: its type, and how exact its value is.

    approx 0: computed by exactly rounded operations only, so ember and CPython agree bit for
    bit; 1: passed through an operation that is not exactly rounded or whose order of operations
    may differ (transcendental math, float reductions, ** on floats) -- agrees to a few float64
    ulps; 2: the same in float32.  An approximate value never reaches a comparison, a condition,
    a conversion to int, a divisor or an index: those would turn an ulp into a different path."""
    type: Type
    approx: int = 0


def join_approx(*levels: int) -> int:
    return max(levels, default=0)


def float_kind_approx(t: Scalar) -> int:
    return 2 if t is Scalar.F32 else 1


INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1


def fits(kind: Scalar, value) -> bool:
    r = kind.range
    return r is None or (r[0] <= value <= r[1])


def is_nan(x) -> bool:
    return isinstance(x, float) and math.isnan(x)


__all__ = ["Scalar", "ARRAY_DTYPES", "Dim", "ArrayT", "TupleT", "Type", "Info", "is_array",
           "broadcast", "result_dtype", "join_approx", "float_kind_approx", "fits",
           "INT64_MIN", "INT64_MAX"]
