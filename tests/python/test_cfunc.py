"""@cfunc: native C callbacks, checked by calling them through ctypes and by handing them to
SciPy as LowLevelCallables (quad, generic_filter, geometric_transform) and as scipy.optimize
callbacks (through .ctypes: optimize takes no LowLevelCallable) against the same Python
function; carray / farray over pointers; a raising cfunc reports the exception as unraisable
and returns zero."""
import ctypes
import math
import sys

import numpy as np
import pytest

import ember
from ember import types
from ember.errors import TypingError, UnsupportedError


def test_scalar_cfunc_through_ctypes_and_address():
    @ember.cfunc("float64(float64, int32)")
    def scaled(x, k):
        return x * k + 0.5

    assert scaled.ctypes(2.25, 3) == 2.25 * 3 + 0.5
    assert scaled.ctypes.argtypes == (ctypes.c_double, ctypes.c_int32)
    again = ctypes.CFUNCTYPE(ctypes.c_double, ctypes.c_double, ctypes.c_int32)(scaled.address)
    assert again(-1.0, 7) == -6.5
    assert scaled(2.25, 3) == 2.25 * 3 + 0.5  # the Python function, as Numba's CFunc
    assert scaled.native_name in scaled.inspect_llvm()


def test_narrow_ints_bool_float32_and_void():
    @ember.cfunc(types.int8(types.int8, types.boolean))
    def negate_if(v, flag):
        return -v if flag else v

    @ember.cfunc("boolean(uint16, float32)")
    def above(n, x):
        return n > x

    seen = []

    @ember.cfunc("void(CPointer(int64), intp)")
    def fill(out, n):
        for i in range(n):
            out[i] = i * i

    assert negate_if.ctypes(-128 + 1, True) == 127
    assert negate_if.ctypes(-5, False) == -5
    assert above.ctypes(65535, 1.5) is True and above.ctypes(1, 1.5) is False
    buf = (ctypes.c_int64 * 5)()
    assert fill.ctypes(buf, 5) is None
    seen = list(buf)
    assert seen == [0, 1, 4, 9, 16]


def test_carray_farray_and_voidptr_in_compiled_code():
    @ember.cfunc("float64(CPointer(float64), int64, int64)")
    def weighted(p, rows, cols):
        a = ember.carray(p, (rows, cols))
        f = ember.farray(p, (rows, cols))
        s = 0.0
        for i in range(rows):
            for j in range(cols):
                s += a[i, j] * (i + 1) - f[i, j] * (j + 1)
        return s

    @ember.cfunc(types.float32(types.voidptr, types.intp))
    def total(p, n):
        return ember.carray(p, n, np.float32).sum()

    data = np.arange(12.0).reshape(3, 4)
    c = data.ravel()
    ptr = c.ctypes.data_as(ctypes.POINTER(ctypes.c_double))
    a = c.reshape(3, 4)
    f = c.reshape(3, 4, order="F")
    expected = sum(a[i, j] * (i + 1) - f[i, j] * (j + 1) for i in range(3) for j in range(4))
    assert weighted.ctypes(ptr, 3, 4) == pytest.approx(expected)
    x = np.linspace(0, 1, 7, dtype=np.float32)
    assert total.ctypes(x.ctypes.data, 7) == pytest.approx(float(x.sum()), rel=1e-6)
    # carray / farray from Python view the same memory
    view = ember.carray(ptr, (3, 4))
    assert view.flags.c_contiguous and np.array_equal(view, a)
    assert np.array_equal(ember.farray(ptr, (3, 4)), f)


def test_quad_with_lowlevelcallable_matches_python_integrand():
    from scipy import LowLevelCallable, integrate

    def integrand(t):
        return math.exp(-t) / (1.0 + t * t)

    compiled = ember.cfunc("float64(float64)")(integrand)
    got = integrate.quad(LowLevelCallable(compiled.ctypes), 0.0, 5.0)
    want = integrate.quad(integrand, 0.0, 5.0)
    assert got[0] == pytest.approx(want[0], rel=1e-12)

    # quad's form with extra arguments: double f(int n, double *xx), xx = (t, args...)
    @ember.cfunc(types.float64(types.intc, types.CPointer(types.float64)))
    def damped(n, xx):
        x = ember.carray(xx, n)
        return math.exp(-x[1] * x[0]) * math.cos(x[0])

    got = integrate.quad(LowLevelCallable(damped.ctypes), 0.0, 3.0, args=(0.7,))
    want = integrate.quad(lambda t, k: math.exp(-k * t) * math.cos(t), 0.0, 3.0, args=(0.7,))
    assert got[0] == pytest.approx(want[0], rel=1e-12)


def test_generic_filter_with_lowlevelcallable_matches_python_callback():
    from scipy import LowLevelCallable, ndimage

    @ember.cfunc("intc(CPointer(float64), intp, CPointer(float64), voidptr)")
    def spread(values, size, result, user_data):
        lo = values[0]
        hi = values[0]
        for i in range(size):
            lo = min(lo, values[i])
            hi = max(hi, values[i])
        result[0] = hi - lo
        return 1

    image = np.random.default_rng(3).random((9, 11))
    got = ndimage.generic_filter(image, LowLevelCallable(spread.ctypes), size=3)
    want = ndimage.generic_filter(image, lambda v: v.max() - v.min(), size=3)
    assert np.array_equal(got, want)


def test_geometric_transform_with_lowlevelcallable_matches_python_mapping():
    from scipy import LowLevelCallable, ndimage

    # SciPy's mapping: int (npy_intp *out, double *in, int out_rank, int in_rank, void *data);
    # the shift comes through user_data
    @ember.cfunc("intc(CPointer(intp), CPointer(float64), intc, intc, voidptr)")
    def mapping(output_coordinates, input_coordinates, output_rank, input_rank, user_data):
        shift = ember.carray(user_data, (1,), np.float64)[0]
        input_coordinates[0] = output_coordinates[0] - shift
        input_coordinates[1] = output_coordinates[1] * 0.75 + shift
        return 1

    def py_mapping(out):
        return out[0] - 0.5, out[1] * 0.75 + 0.5

    image = np.random.default_rng(5).random((12, 10))
    shift = ctypes.c_double(0.5)
    callback = LowLevelCallable(mapping.ctypes,
                                user_data=ctypes.cast(ctypes.pointer(shift), ctypes.c_void_p))
    for order in (0, 1, 3):
        got = ndimage.geometric_transform(image, callback, order=order, mode="nearest")
        want = ndimage.geometric_transform(image, py_mapping, order=order, mode="nearest")
        np.testing.assert_array_equal(got, want)


def test_scipy_optimize_with_cfunc_ctypes_callbacks():
    # scipy.optimize takes Python callables, not LowLevelCallables: a cfunc's .ctypes is one
    # (each call crosses ctypes into the compiled function)
    from scipy import optimize

    def f(x):
        return math.cos(x) - x * x * x

    def df(x):
        return -math.sin(x) - 3.0 * x * x

    cf = ember.cfunc("float64(float64)")(f)
    cdf = ember.cfunc("float64(float64)")(df)
    got = optimize.brentq(cf.ctypes, 0.0, 2.0, xtol=1e-15, full_output=True)
    want = optimize.brentq(f, 0.0, 2.0, xtol=1e-15, full_output=True)
    assert got[0] == pytest.approx(want[0], rel=1e-14) and got[1].converged
    assert abs(cf.ctypes(got[0])) < 1e-12

    root = optimize.newton(cf.ctypes, 1.0, fprime=cdf.ctypes, tol=1e-14)
    assert root == pytest.approx(optimize.newton(f, 1.0, fprime=df, tol=1e-14), rel=1e-14)

    @ember.cfunc("float64(float64)")
    def bowl(x):
        return (x - 1.25) ** 2 + math.exp(-x)

    got = optimize.minimize_scalar(bowl.ctypes, bracket=(0.0, 3.0))
    want = optimize.minimize_scalar(lambda x: (x - 1.25) ** 2 + math.exp(-x), bracket=(0.0, 3.0))
    assert got.success and got.x == pytest.approx(want.x, rel=1e-10)
    assert got.fun == pytest.approx(want.fun, rel=1e-12)


def test_raising_cfunc_reports_unraisable_and_returns_zero(monkeypatch):
    @ember.cfunc("float64(float64)")
    def checked_sqrt(x):
        if x < 0:
            raise ValueError("negative input to checked_sqrt")
        return math.sqrt(x)

    reports = []
    monkeypatch.setattr(sys, "unraisablehook", reports.append)
    assert checked_sqrt.ctypes(16.0) == 4.0
    assert not reports
    assert checked_sqrt.ctypes(-1.0) == 0.0
    assert len(reports) == 1
    assert isinstance(reports[0].exc_value, ValueError)
    assert str(reports[0].exc_value) == "negative input to checked_sqrt"
    assert "checked_sqrt" in str(reports[0].object)


def test_raising_cfunc_writes_to_stderr_by_default(monkeypatch, capsys):
    @ember.cfunc("int64(int64)")
    def reciprocal_floor(n):
        return 100 // n

    monkeypatch.setattr(sys, "unraisablehook", sys.__unraisablehook__)
    assert reciprocal_floor.ctypes(0) == 0
    err = capsys.readouterr().err
    assert "reciprocal_floor" in err and "ZeroDivisionError" in err


def test_bad_signatures_and_cffi_without_cffi():
    with pytest.raises(UnsupportedError, match="complex128"):
        ember.cfunc("complex128(float64)")(lambda x: x + 0j)
    with pytest.raises(TypeError, match="signature"):
        @ember.cfunc
        def no_signature(x):
            return x
    with pytest.raises(TypingError, match="void pointer"):
        @ember.cfunc("float64(voidptr)")
        def needs_dtype(p):
            return ember.carray(p, 3)[0]

    @ember.cfunc("int32(int32)")
    def inc(x):
        return x + 1
    try:
        import cffi  # noqa: F401
    except ImportError:
        with pytest.raises(ImportError, match="cffi"):
            inc.cffi  # noqa: B018 (reading it is the point)
    else:
        assert inc.cffi(41) == 42


def test_pointer_passed_to_a_jitted_helper():
    @ember.njit
    def dot3(p, q):
        return p[0] * q[0] + p[1] * q[1] + p[2] * q[2]

    @ember.cfunc("float64(CPointer(float64), CPointer(float64))")
    def cosine_numerator(p, q):
        return dot3(p, q)

    a = np.array([1.0, 2.0, 3.0])
    b = np.array([-2.0, 0.5, 4.0])
    pa = a.ctypes.data_as(ctypes.POINTER(ctypes.c_double))
    pb = b.ctypes.data_as(ctypes.POINTER(ctypes.c_double))
    assert cosine_numerator.ctypes(pa, pb) == float(a @ b)
