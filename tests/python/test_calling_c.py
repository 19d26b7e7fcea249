"""Calling C from compiled code (ember/cfunctions.py): ctypes functions from ctypes.CDLL and
CFUNCTYPE objects, and functions of an in-line cffi library, read from globals and closure
variables, called with numbers and pointers (a.ctypes.data, a.ctypes.data_as(POINTER(...)),
arrays, ffi.from_buffer), checked against the same C functions called through ctypes / cffi from
Python; a cffi call inside a prange loop under parallel=True; the typing errors."""
import ctypes
import ctypes.util
import math

import cffi
import numpy as np
import pytest

import ember
from ember.errors import TypingError

libm = ctypes.CDLL(ctypes.util.find_library("m"))
c_cos = libm.cos
c_cos.argtypes = [ctypes.c_double]
c_cos.restype = ctypes.c_double
c_modf = libm.modf
c_modf.argtypes = [ctypes.c_double, ctypes.POINTER(ctypes.c_double)]
c_modf.restype = ctypes.c_double
c_ldexpf = libm.ldexpf  # float32 and int crossing as themselves
c_ldexpf.argtypes = [ctypes.c_float, ctypes.c_int]
c_ldexpf.restype = ctypes.c_float
double_p = ctypes.POINTER(ctypes.c_double)
c_untyped = ctypes.CDLL(ctypes.util.find_library("m")).sin  # no argtypes: cannot be called

XS = np.array([-2.75, -0.5, 0.0, 0.3, 1.0, 4.125, 10.0])


def test_ctypes_cdll_function_from_a_global():
    @ember.njit
    def total_cos(xs):
        s = 0.0
        for x in xs:
            s += c_cos(x)
        return s

    assert total_cos(XS) == pytest.approx(sum(c_cos(float(x)) for x in XS), rel=1e-15)

    @ember.njit
    def scale(x, k):
        return c_ldexpf(x, k)  # float64 -> float, int64 -> int as in an assignment

    assert scale(1.5, 3) == c_ldexpf(1.5, 3) == 12.0
    # 1.1 crosses as a C float: the result is float32's nearest value, not 1.1
    assert scale(1.1, 0) == c_ldexpf(1.1, 0) == float(np.float32(1.1)) != 1.1


def test_cfunctype_object_in_a_closure_and_python_callback():
    proto = ctypes.CFUNCTYPE(ctypes.c_double, ctypes.c_double)
    cos_ptr = proto(ctypes.cast(c_cos, ctypes.c_void_p).value)
    calls = []

    def py_square(x):
        calls.append(x)
        return x * x

    square = proto(py_square)  # a Python callback through ctypes' thunk

    @ember.njit
    def both(x):
        return cos_ptr(x) + square(x)

    assert both(0.7) == pytest.approx(math.cos(0.7) + 0.49, rel=1e-15)
    assert calls == [0.7]


def test_pointer_arguments_write_into_arrays():
    @ember.njit
    def split(xs, whole):
        frac = np.empty_like(xs)
        for i in range(xs.size):
            frac[i] = c_modf(xs[i], whole[i:].ctypes.data_as(double_p))
        return frac

    whole = np.zeros_like(XS)
    frac = split(XS, whole)
    ref_whole = ctypes.c_double()
    for i, x in enumerate(XS):
        assert frac[i] == c_modf(float(x), ctypes.byref(ref_whole))
        assert whole[i] == ref_whole.value

    writer_sig = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_int64)

    @ember.cfunc("void(voidptr, int64)")
    def fill(p, n):
        a = ember.carray(p, (n,), np.int32)
        for i in range(n):
            a[i] = 3 * i + 1

    fill_ptr = writer_sig(fill.address)

    @ember.njit
    def use_fill(out):
        fill_ptr(out.ctypes.data, out.size)  # an integer address for a void *

    out = np.zeros(6, np.int32)
    use_fill(out)
    np.testing.assert_array_equal(out, 3 * np.arange(6, dtype=np.int32) + 1)


ffi = cffi.FFI()  # cffi is in requirements-dev.txt
ffi.cdef("double cos(double); double modf(double, double *); float ldexpf(float, int);")
clib = ffi.dlopen(ctypes.util.find_library("m"))
cffi_cos = clib.cos


def test_cffi_function_and_from_buffer():
    @ember.njit
    def go(xs, whole):
        out = np.empty_like(xs)
        for i in range(xs.size):
            out[i] = clib.modf(xs[i], ffi.from_buffer(whole[i:])) + cffi_cos(xs[i])
        return out

    whole = np.zeros_like(XS)
    got = go(XS, whole)
    ref = ffi.new("double *")
    for i, x in enumerate(XS):
        assert got[i] == clib.modf(float(x), ref) + clib.cos(float(x))
        assert whole[i] == ref[0]


def test_cffi_call_from_a_prange_loop():
    @ember.njit(parallel=True)
    def cosines(xs, whole):
        out = np.empty_like(xs)
        for i in ember.prange(xs.size):
            out[i] = clib.cos(xs[i]) + clib.modf(xs[i], ffi.from_buffer(whole[i:]))
        return out

    xs = np.linspace(-20.0, 20.0, 2001)
    whole = np.zeros_like(xs)
    got = cosines(xs, whole)
    np.testing.assert_array_equal(got, [clib.cos(x) + math.modf(x)[0] for x in xs])
    np.testing.assert_array_equal(whole, [math.modf(x)[1] for x in xs])


def test_errors_name_the_line():
    @ember.njit
    def untyped(x):
        return c_untyped(x)

    with pytest.raises(TypingError, match="no argtypes") as e:
        untyped(1.0)
    assert "global 'c_untyped'" in str(e.value) and "line" in str(e.value)

    @ember.njit
    def too_many(x):
        return c_cos(x, x)

    with pytest.raises(TypingError, match="takes 1 argument, not 2"):
        too_many(1.0)

    @ember.njit
    def float_for_pointer(x):
        return c_modf(x, x)

    with pytest.raises(TypingError, match="argument 2 of a C function"):
        float_for_pointer(1.0)

    @ember.njit
    def wrong_dtype(x, a):
        return c_modf(x, a)

    with pytest.raises(TypingError, match="argument 2 of a C function"):
        wrong_dtype(1.0, np.zeros(1, np.float32))


def test_ctypes_function_passed_as_an_argument():
    @ember.njit
    def apply(f, xs):
        out = np.empty_like(xs)
        for i in range(xs.size):
            out[i] = f(xs[i])
        return out

    c_sin = ctypes.CDLL(ctypes.util.find_library("m")).sin
    c_sin.argtypes = [ctypes.c_double]
    c_sin.restype = ctypes.c_double
    np.testing.assert_array_equal(apply(c_cos, XS), [c_cos(float(x)) for x in XS])
    # the same C signature: the same specialization, called at the other function's address
    np.testing.assert_array_equal(apply(c_sin, XS), [c_sin(float(x)) for x in XS])
    assert len(apply.signatures) == 1


def test_untyped_ctypes_function_as_an_argument_is_refused():
    @ember.njit
    def apply(f, x):
        return f(x)

    with pytest.raises(TypingError, match="argument 'f'"):
        apply(c_untyped, 1.0)
