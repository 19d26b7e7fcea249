"""np.iinfo and np.finfo in compiled code: the machine limits of an integer or float dtype
(given as a class, `a.dtype`, or a number of that dtype) as a jitclass instance whose fields
hold NumPy's values, chosen when compiling (np.iinfo: min, max, bits; np.finfo: bits, eps,
epsneg, max, min, tiny, smallest_normal, resolution, precision, iexp, machep, maxexp, minexp,
negep, nexp, nmant).  The float fields have the dtype's own type (float32 for np.float32, as
NumPy's scalars), np.finfo of a complex dtype is its component's, and a dtype of the wrong kind
is NumPy's ValueError when compiling (a TypingError).
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np

from .. import types
from ..jitclasses import jitclass
from . import TypingError, overload
from .shapes import _generate

_INT_FIELDS = ("min", "max", "bits")
_FLOAT_FIELDS = ("eps", "epsneg", "max", "min", "tiny", "smallest_normal", "resolution")
_INT_OF_FLOAT = ("bits", "precision", "iexp", "machep", "maxexp", "minexp", "negep", "nexp",
                 "nmant")


def _make_class(name, fields):
    names = [f for f, _ in fields]
    src = (f"class {name}:\n    def __init__(self, {', '.join(names)}):\n" +
           "".join(f"        self.{f} = {f}\n" for f in names))
    scope = {}
    exec(src, scope)
    return jitclass(scope[name], fields)


@lru_cache(None)
def _classes():
    return {
        "i": _make_class("iinfo_signed", [(f, types.int64) for f in _INT_FIELDS]),
        "u": _make_class("iinfo_unsigned", [("min", types.uint64), ("max", types.uint64),
                                            ("bits", types.int64)]),
        np.dtype(np.float32): _make_class(
            "finfo_float32", [(f, types.float32) for f in _FLOAT_FIELDS] +
            [(f, types.int64) for f in _INT_OF_FLOAT]),
        np.dtype(np.float64): _make_class(
            "finfo_float64", [(f, types.float64) for f in _FLOAT_FIELDS] +
            [(f, types.int64) for f in _INT_OF_FLOAT]),
    }


def _dtype_of(info, fname):
    if info is not None and (info.kind == "class" or info.is_number) and info.dtype is not None:
        return np.dtype(info.dtype)
    raise TypingError(f"{fname}() takes a dtype (a NumPy scalar class, a.dtype) or a number, "
                      f"not {info}")


@lru_cache(None)
def _iinfo_impl(dtype):
    info = np.iinfo(dtype)
    cls = _classes()["u" if dtype.kind == "u" else "i"]
    # 2**64 - 1 is no int64 literal: uint64's max is written ~0
    high = "~np.uint64(0)" if info.max > np.iinfo(np.int64).max else str(info.max)
    low = f"np.uint64({info.min})" if dtype.kind == "u" else str(info.min)
    return _generate("impl", f"def impl():\n    return cls({low}, {high}, {info.bits})\n",
                     cls=cls)


@lru_cache(None)
def _finfo_impl(dtype):
    info = np.finfo(dtype)
    ftype = np.dtype(info.dtype)
    cls = _classes()[ftype]
    ft = "np.float32" if ftype == np.float32 else "np.float64"
    floats = [f"{ft}({float(getattr(info, f))!r})" for f in _FLOAT_FIELDS]
    ints = [str(int(getattr(info, f))) for f in _INT_OF_FLOAT]
    return _generate("impl", f"def impl():\n    return cls({', '.join(floats + ints)})\n",
                     cls=cls)


@overload(np.iinfo)
def iinfo(int_type):
    dtype = _dtype_of(int_type, "np.iinfo")
    if dtype.kind not in "iu":
        raise TypingError(f"np.iinfo(): invalid integer data type {str(dtype)!r}")
    return _iinfo_impl(dtype), ()


@overload(np.finfo)
def finfo(dtype):
    dt = _dtype_of(dtype, "np.finfo")
    if dt.kind not in "fc" or dt == np.float16:
        raise TypingError(f"np.finfo(): data type {str(dt)!r} not inexact (or float16, which "
                          "compiled code does not use for limits)")
    return _finfo_impl(dt), ()
