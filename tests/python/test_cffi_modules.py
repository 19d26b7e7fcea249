"""cffi beyond in-line globals (ember/cfunctions.py): functions of an out-of-line module
(``ffi.set_source`` + ``ffi.compile``, built here into a temporary directory) read as globals
(``lib.func`` and a bare ``func = lib.func``), with the module's own ``ffi.from_buffer``; cffi
functions of either kind passed as arguments to jitted functions and called there (one
specialization per C signature, shared with ctypes functions of that signature), also from a
prange loop; and functions reading C functions are never written to the on-disk cache (their
addresses differ between processes).  Results are checked against the same C functions called
through cffi from Python."""
import ctypes.util
import importlib
import math
import sys

import cffi
import numpy as np
import pytest

import ember
from ember import cache
from ember.errors import TypingError

CDEF = """
double addmul(double a, double b, int k);
int64_t isum(int64_t *p, int64_t n);
void scale(double *p, int64_t n, double f);
float halve(float x);
"""
SOURCE = """
#include <stdint.h>
static double addmul(double a, double b, int k) { return (a + b) * k; }
static int64_t isum(int64_t *p, int64_t n) {
    int64_t s = 0;
    for (int64_t i = 0; i < n; i++) s += p[i] * (i + 1);
    return s;
}
static void scale(double *p, int64_t n, double f) { for (int64_t i = 0; i < n; i++) p[i] *= f; }
static float halve(float x) { return x / 2.0f; }
"""

# Set by the module fixture: the out-of-line module's lib and ffi, and one bare function.
ool_lib = ool_ffi = ool_addmul = None


@pytest.fixture(scope="module", autouse=True)
def out_of_line_module(tmp_path_factory):
    global ool_lib, ool_ffi, ool_addmul
    d = tmp_path_factory.mktemp("cffi_ool")
    builder = cffi.FFI()
    builder.cdef(CDEF)
    builder.set_source("_ember_test_cffi_ool", SOURCE)
    builder.compile(tmpdir=str(d))
    sys.path.insert(0, str(d))
    try:
        mod = importlib.import_module("_ember_test_cffi_ool")
    finally:
        sys.path.remove(str(d))
    ool_lib, ool_ffi, ool_addmul = mod.lib, mod.ffi, mod.lib.addmul
    yield mod
    ool_lib = ool_ffi = ool_addmul = None


inline_ffi = cffi.FFI()
inline_ffi.cdef("double cos(double); double sin(double); double ldexp(double, int);"
                "int printf(const char *, ...);")
libm = inline_ffi.dlopen(ctypes.util.find_library("m"))

XS = np.array([-2.75, -0.5, 0.0, 0.3, 1.0, 4.125, 10.0])


def test_out_of_line_functions_read_as_globals():
    @ember.njit
    def go(xs, ints, buf):
        out = np.empty_like(xs)
        for i in range(xs.size):
            out[i] = ool_lib.addmul(xs[i], 1.5, i) + ool_addmul(xs[i], xs[i], 2)
        weighted = ool_lib.isum(ool_ffi.from_buffer(ints), ints.size)
        ool_lib.scale(ool_ffi.from_buffer(buf), buf.size, 2.5)  # a void function
        return out, weighted, ool_lib.halve(np.float32(3.0))

    ints = np.arange(1, 9, dtype=np.int64) * 7
    buf = np.linspace(-1.0, 1.0, 9)
    expected_buf = buf * 2.5
    out, weighted, half = go(XS, ints, buf)
    for i, x in enumerate(XS):
        assert out[i] == ool_lib.addmul(float(x), 1.5, i) + ool_lib.addmul(float(x), float(x), 2)
    p = ool_ffi.new("int64_t[]", [int(v) for v in ints])
    assert weighted == ool_lib.isum(p, len(ints)) == sum(int(v) * (k + 1)
                                                         for k, v in enumerate(ints))
    np.testing.assert_array_equal(buf, expected_buf)
    assert half == ool_lib.halve(3.0) == 1.5


def test_cffi_functions_passed_as_arguments():
    @ember.njit
    def apply(f, xs):
        out = np.empty_like(xs)
        for i in range(xs.size):
            out[i] = f(xs[i])
        return out

    np.testing.assert_array_equal(apply(libm.cos, XS), [libm.cos(float(x)) for x in XS])
    np.testing.assert_array_equal(apply(libm.sin, XS), [libm.sin(float(x)) for x in XS])
    assert len(apply.signatures) == 1  # one C signature: one specialization, two addresses

    # a ctypes function of the same C signature has the same type: the same specialization
    c_cos = ctypes.CDLL(ctypes.util.find_library("m")).cos
    c_cos.argtypes, c_cos.restype = [ctypes.c_double], ctypes.c_double
    np.testing.assert_array_equal(apply(c_cos, XS), [math.cos(float(x)) for x in XS])
    assert len(apply.signatures) == 1

    @ember.njit
    def apply3(f, xs, k):
        s = 0.0
        for i in range(xs.size):
            s += f(xs[i], 0.25, k)
        return s

    got = apply3(ool_lib.addmul, XS, 3)  # an out-of-line module's function
    assert got == sum(ool_lib.addmul(float(x), 0.25, 3) for x in XS)

    @ember.njit
    def call_int(f, x, n):
        return f(x, n)

    assert call_int(libm.ldexp, 1.5, 4) == libm.ldexp(1.5, 4) == 24.0


def test_cffi_argument_called_from_a_prange_loop():
    @ember.njit(parallel=True)
    def apply(f, g, xs):
        out = np.empty_like(xs)
        for i in ember.prange(xs.size):
            out[i] = f(xs[i]) + g(xs[i], 1.0, 2) + ool_lib.addmul(xs[i], xs[i], 3)
        return out

    xs = np.linspace(-20.0, 20.0, 2001)
    got = apply(libm.cos, ool_lib.addmul, xs)
    expected = [libm.cos(x) + ool_lib.addmul(x, 1.0, 2) + ool_lib.addmul(x, x, 3) for x in xs]
    np.testing.assert_array_equal(got, expected)


def test_unsupported_cffi_arguments_are_refused():
    @ember.njit
    def apply(f, x):
        return f(x)

    with pytest.raises(TypingError, match="argument 'f'"):
        apply(libm.printf, 1.0)  # variadic: no signature compiled code can call
    with pytest.raises(TypingError, match="argument 'f'"):
        apply(inline_ffi.new("double *"), 1.0)  # a cdata, but not a function


def _cos_of_library(x):
    return libm.cos(x)  # the library's attribute: its address is frozen into the code


def _out_of_line(x):
    return ool_lib.addmul(x, x, 2)


def _calls_a_c_caller(x):
    return _c_caller(x) + 1.0


_c_caller = ember.njit(_cos_of_library)


def test_functions_reading_c_functions_are_not_cached(cache_dir):
    # Found on main: a function reading a cffi library's function was cached with the
    # function's address, which another process (another load address) would call.
    for fn in (_cos_of_library, _out_of_line):
        f = ember.jit(cache=True)(fn)
        assert f(0.5) == fn(0.5)
    assert list(cache_dir.rglob("*" + cache.SUFFIX)) == []
    # a caller holds its callee's code, address included
    caller = ember.jit(cache=True)(_calls_a_c_caller)
    with pytest.warns(cache.CacheWarning, match="C function"):
        assert caller(0.5) == math.cos(0.5) + 1.0
    assert list(cache_dir.rglob("*" + cache.SUFFIX)) == []
