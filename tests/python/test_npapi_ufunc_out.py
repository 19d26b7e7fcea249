"""out= of NumPy ufuncs called by name in compiled code, against NumPy: the ufuncs lowered in
C++ (np.sqrt, np.exp, np.maximum, ...: typeinfer/CallRules.cpp ufunc_out_operand) and those of
ember/npapi/ufuncs.py (np.add, np.negative, np.sign, ...), by keyword and positionally, into
contiguous, strided, F-order, 0-d and empty arrays, with scalars broadcast, the output returned
(the same array), aliasing inputs, and NumPy's errors (shape: ValueError; a cast that
casting='same_kind' refuses: TypeError)."""

import numpy as np
import pytest

import ember

# NumPy 2.4 deprecates np.maximum(a, b, out) (positional out) for maximum and minimum; ember
# takes it, as earlier NumPy and Numba do.
pytestmark = pytest.mark.filterwarnings("ignore:Passing more than 2 positional:DeprecationWarning")

UNARY_CPP = ["sqrt", "exp", "log1p", "sin", "tanh", "floor", "absolute", "isnan", "cbrt"]
UNARY_PY = ["negative", "square", "sign", "fabs", "reciprocal"]
BINARY_CPP = ["maximum", "minimum", "arctan2"]
BINARY_PY = ["add", "subtract", "multiply", "true_divide", "power", "less", "logaddexp"]


def _unary(name, positional):
    ufunc = getattr(np, name)
    if positional:

        def f(x, o):
            return ufunc(x, o)
    else:

        def f(x, o):
            return ufunc(x, out=o)

    return f


def _binary(name, positional):
    ufunc = getattr(np, name)
    if positional:

        def f(x, y, o):
            return ufunc(x, y, o)
    else:

        def f(x, y, o):
            return ufunc(x, y, out=o)

    return f


def _outs(shape, dtype):
    """Fresh output arrays of one shape: C order, F order and a strided view."""
    big = np.zeros(tuple(2 * n for n in shape), dtype)
    return [
        np.zeros(shape, dtype),
        np.zeros(shape, dtype, order="F"),
        big[tuple(slice(None, None, 2) for _ in shape)],
    ]


def _check(fn, args, out):
    want = out.copy()
    got = out.copy() if out.flags.c_contiguous else out  # keep the layout of strided views
    pyfn = fn
    r_want = pyfn(*args, want)
    r_got = ember.jit(fn)(*args, got)
    np.testing.assert_allclose(got, r_want, rtol=1e-12, equal_nan=True)
    assert r_got is got
    return got


@pytest.mark.parametrize("positional", [False, True])
@pytest.mark.parametrize("name", UNARY_CPP + UNARY_PY)
def test_unary_out(name, positional):
    rng = np.random.default_rng(3)
    fn = _unary(name, positional)
    x = rng.uniform(0.1, 4.0, size=(3, 4))
    dtype = np.bool_ if name == "isnan" else np.float64
    for out in _outs((3, 4), dtype):
        _check(fn, (x,), out)
    # a strided input
    for out in _outs((3, 2), dtype):
        _check(fn, (x[:, ::2],), out)


@pytest.mark.parametrize("positional", [False, True])
@pytest.mark.parametrize("name", BINARY_CPP + BINARY_PY)
def test_binary_out_broadcast(name, positional):
    rng = np.random.default_rng(4)
    fn = _binary(name, positional)
    x = rng.uniform(0.5, 2.0, size=(4, 3))
    y = rng.uniform(0.5, 2.0, size=3)
    dtype = np.bool_ if name == "less" else np.float64
    for out in _outs((4, 3), dtype):
        _check(fn, (x, y), out)
        _check(fn, (x.T.copy().T, 1.5), out)  # F-order input, a scalar
        _check(fn, (2.0, y), out)  # a scalar and a row broadcast over out's rows


@pytest.mark.parametrize("name", ["sqrt", "add"])
def test_zero_d_and_empty(name):
    ufunc = getattr(np, name)
    args = (lambda x: (x,)) if name == "sqrt" else (lambda x: (x, x))
    fn = _unary(name, False) if name == "sqrt" else _binary(name, False)
    jitted = ember.jit(fn)
    z = np.zeros(())
    r = jitted(*args(np.array(9.0)), z)
    assert r is z
    assert z[()] == ufunc(*args(np.array(9.0)))
    e = np.zeros((0, 3))
    assert jitted(*args(np.ones((0, 3))), e) is e
    # a scalar into a whole array
    o = np.zeros(5)
    jitted(*args(4.0), o)
    np.testing.assert_array_equal(o, np.full(5, ufunc(*args(4.0))))


def test_int_and_same_kind_casts():
    add = ember.jit(_binary("add", False))
    sqrt = ember.jit(_unary("sqrt", False))
    a = np.arange(6, dtype=np.int64).reshape(2, 3)
    o = np.zeros((2, 3), np.int32)  # int64 -> int32: same kind
    add(a, 7, o)
    np.testing.assert_array_equal(o, a + 7)
    o32 = np.zeros(6, np.float32)  # float64 -> float32: same kind
    sqrt(np.arange(6.0), o32)
    np.testing.assert_allclose(o32, np.sqrt(np.arange(6.0)), rtol=1e-6)
    oc = np.zeros(6, np.complex128)  # float -> complex: safe
    sqrt(np.arange(6.0), oc)
    np.testing.assert_allclose(oc, np.sqrt(np.arange(6.0)))


def test_aliasing():
    sqrt = ember.jit(_unary("sqrt", False))
    add = ember.jit(_binary("add", False))
    maximum = ember.jit(_binary("maximum", True))
    x = np.arange(8.0)
    sqrt(x, x)
    np.testing.assert_allclose(x, np.sqrt(np.arange(8.0)))
    a, want = np.arange(8.0), np.arange(8.0)
    np.add(want, want[::-1], out=want)
    add(a, a[::-1], a)
    np.testing.assert_array_equal(a, want)
    a, want = np.arange(8.0) % 3, np.arange(8.0) % 3
    np.maximum(want[1:], want[:-1], want[:-1])
    maximum(a[1:], a[:-1], a[:-1])
    np.testing.assert_array_equal(a, want)


def test_clip_out():
    def clip(a, o):
        return np.clip(a, 0.25, 0.75, out=o)

    x = np.linspace(0, 1, 9)
    for out in _outs((9,), np.float64):
        _check(clip, (x,), out)


def test_result_used_in_an_expression():
    @ember.jit
    def f(x, o):
        return np.exp(x, out=o) + np.add(x, 1.0, out=o) * 0.0 + o

    x = np.linspace(-1, 1, 7)
    o = np.zeros(7)
    want = np.zeros(7)
    r_want = np.exp(x, out=want) + np.add(x, 1.0, out=want) * 0.0 + want
    np.testing.assert_allclose(f(x, o), r_want)
    np.testing.assert_allclose(o, want)


@pytest.mark.parametrize("name", ["sqrt", "add", "sign"])
def test_shape_errors(name):
    if name == "add":
        fn = ember.jit(_binary(name, False))
        args = (np.ones((2, 3)), 1.0)
    else:
        fn = ember.jit(_unary(name, False))
        args = (np.ones((2, 3)),)
    ufunc = getattr(np, name)
    for out in (np.zeros((2, 4)), np.zeros((3, 3)), np.zeros(3), np.zeros((1, 3))):
        with pytest.raises(ValueError):
            ufunc(*args, out=out.copy())
        with pytest.raises(ValueError):
            fn(*args, out)


@pytest.mark.parametrize("name", ["sqrt", "add", "negative", "maximum"])
def test_cast_errors(name):
    ufunc = getattr(np, name)
    nin = ufunc.nin
    fn = _unary(name, False) if nin == 1 else _binary(name, False)
    args = (np.linspace(1, 2, 3),) * nin
    out = np.zeros(3, np.int64)
    with pytest.raises(TypeError, match="same_kind"):
        ufunc(*args, out=out)
    with pytest.raises(TypeError, match="same_kind"):
        ember.jit(fn)(*args, out)


def test_out_not_an_array():
    fn = ember.jit(_unary("sqrt", False))
    with pytest.raises(TypeError, match="out must be an array"):
        fn(np.ones(3), 1.0)
    fn = ember.jit(_binary("add", False))
    with pytest.raises(TypeError, match="out must be an array"):
        fn(np.ones(3), np.ones(3), 1.0)


def test_out_none_allocates():
    @ember.jit
    def f(x):
        return np.sqrt(x, out=None) + np.add(x, x, out=None)

    x = np.arange(5.0)
    np.testing.assert_allclose(f(x), np.sqrt(x) + 2 * x)
