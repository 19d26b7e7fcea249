"""NumPy arrays made and transformed inside compiled code, against NumPy: the constructors
(np.empty / zeros / ones / full and their *_like, arange, linspace, eye, identity, copy,
ascontiguousarray), ownership of the returned buffers, views (slices, negative steps, rows and
columns, views of views, .T, reshape, ravel, flatten, np.newaxis), array expressions with
broadcasting and NumPy 2 type promotion, math ufuncs on arrays and scalars, in-place operators
(with overlap), boolean masks and integer-array indexing.  Every input is tried as C, F,
negative-stride and view-of-view layouts where that makes a difference."""
import gc
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
from conftest import ALL_DTYPES, FLOAT_DTYPES, assert_same, check, sample_array
from hypothesis import given, settings
from hypothesis import strategies as st

import ember
from ember import _ember

fast = settings(max_examples=20, deadline=None)
# NumPy's warnings from py_func (int8 overflow, nan from a negative base ** a fraction)
pytestmark = pytest.mark.filterwarnings("ignore:(overflow|invalid value):RuntimeWarning")
NUM_DTYPES = [np.int8, np.int32, np.int64, np.uint8, np.uint64, np.float32, np.float64]
num_ids = [np.dtype(d).name for d in NUM_DTYPES]
# hypothesis draws from fewer dtypes: every (dtype, ndim, layout) is a new compilation
few_dtypes = st.sampled_from([np.int8, np.uint64, np.float32, np.float64])


def variants(a):
    """a (ndim >= 1) in several memory layouts with the same values: (name, array) pairs."""
    out = [("C", np.ascontiguousarray(a))]
    if a.ndim >= 2:
        out.append(("F", np.asfortranarray(a)))
    out.append(("negative", np.flip(np.ascontiguousarray(np.flip(a)))))
    big = np.zeros(tuple(2 * s + 1 for s in a.shape), dtype=a.dtype)
    big[tuple(slice(1, None, 2) for _ in a.shape)] = a
    out.append(("strided", big[tuple(slice(1, None, 2) for _ in a.shape)]))
    # a view of a view of a view: drop the first element, step by 2, then reverse twice
    vv = big[tuple(slice(1, None) for _ in a.shape)][tuple(slice(None, None, 2)
                                                          for _ in a.shape)]
    vv = vv[tuple(slice(None, None, -1) for _ in a.shape)][tuple(slice(None, None, -1)
                                                                 for _ in a.shape)]
    out.append(("view-of-view", vv))
    for _, v in out:
        np.testing.assert_array_equal(v, a)
    return out


def run_isolated(source):
    """Runs source in a fresh interpreter (for code that has crashed the compiler: a crash must
    fail this test, not end the whole session); returns its stdout."""
    r = subprocess.run([sys.executable, "-c", textwrap.dedent(source)], capture_output=True,
                       text=True, timeout=120, cwd=Path(__file__).parent)
    assert r.returncode == 0, f"exit status {r.returncode}\n{r.stdout[-2000:]}{r.stderr[-3000:]}"
    return r.stdout


def tol(dtype):
    return 1e-5 if np.dtype(dtype) in (np.float32, np.complex64) else 1e-12


shapes_1d = st.tuples(st.integers(0, 7))
shapes_2d = st.tuples(st.integers(0, 5), st.integers(0, 5))
shapes_any = st.one_of(shapes_1d, shapes_2d, st.tuples(st.integers(0, 3), st.integers(1, 3),
                                                       st.integers(0, 4)))


# ---- constructors ----------------------------------------------------------------------------

@ember.jit
def make_zeros_ones_full(n, m):
    return (np.zeros(n), np.zeros((n, m), dtype=np.float32), np.zeros((n, m), 'i4'),
            np.ones(n, dtype=np.int64), np.ones((m, n), dtype='f4'),
            np.full(n, 2.5), np.full((n, m), 7, dtype=np.int16), np.full((m,), 3.0, 'f4'))


@pytest.mark.parametrize("n,m", [(0, 0), (1, 1), (3, 4), (0, 5), (5, 1)])
def test_zeros_ones_full(n, m):
    check(make_zeros_ones_full, n, m)


@ember.jit
def make_empty(n, m):
    return (np.empty(n), np.empty((n, m), dtype=np.float32), np.empty((m, n, 2), 'u1'),
            np.empty((n,), dtype=np.bool_))


@pytest.mark.parametrize("n,m", [(0, 3), (4, 1), (3, 4)])
def test_empty_shapes_and_dtypes(n, m):
    got = make_empty(n, m)
    expected = make_empty.py_func(n, m)
    for g, e in zip(got, expected):
        assert isinstance(g, np.ndarray)
        assert (g.dtype, g.shape) == (e.dtype, e.shape)
        assert g.flags.c_contiguous and g.flags.writeable


@ember.jit
def make_like(a):
    return (np.empty_like(a).shape, np.zeros_like(a), np.ones_like(a), np.full_like(a, 3),
            np.zeros_like(a, dtype=np.float32), np.ones_like(a, np.int8))


@given(shape=shapes_any, dtype=few_dtypes)
@fast
def test_like_constructors(shape, dtype):
    a = sample_array(dtype, shape)
    for name, v in variants(a):
        got = check(make_like, v)
        # NumPy keeps the layout (order='K') only for F-contiguous input
        if name == "C":
            assert all(x.flags.c_contiguous for x in got[1:])


@ember.jit
def arange1(n):
    return np.arange(n)


@ember.jit
def arange2(a, b):
    return np.arange(a, b)


@ember.jit
def arange3(a, b, s):
    return np.arange(a, b, s)


@ember.jit
def arange_dtype(n):
    return np.arange(n, dtype=np.float32), np.arange(1, n, 2, np.int16)


@given(a=st.integers(-20, 20), b=st.integers(-20, 20),
       s=st.integers(-5, 5).filter(lambda x: x != 0))
@fast
def test_arange_int(a, b, s):
    check(arange1, a)
    check(arange2, a, b)
    check(arange3, a, b, s)


@given(a=st.floats(-10, 10), b=st.floats(-10, 10),
       s=st.sampled_from([0.5, 0.25, -0.5, 1.5, -3.0, 0.1]))
@fast
def test_arange_float(a, b, s):
    check(arange1, a)
    check(arange2, a, b)
    check(arange2, int(a), b)
    # NumPy fills start + i * (second - first); ember (like Numba) start + i * step: the last
    # bits may differ
    check(arange3, a, b, s, abs_tol=1e-9)


def test_arange_dtype():
    """np.arange(..., dtype=) (Numba supports it)."""
    check(arange_dtype, 9)
    check(arange_dtype, 0)


def test_arange_zero_step_raises_like_numpy():
    with pytest.raises(ZeroDivisionError):   # NumPy: ZeroDivisionError('division by zero')
        np.arange(0, 5, 0)
    with pytest.raises(ZeroDivisionError):
        arange3(0, 5, 0)
    with pytest.raises(ZeroDivisionError):
        arange3(0.0, 5.0, 0.0)


@ember.jit
def linspace(a, b, n):
    return np.linspace(a, b, n)


@ember.jit
def linspace_default(a, b):
    return np.linspace(a, b)


@given(a=st.floats(-100, 100), b=st.floats(-100, 100), n=st.integers(0, 12))
@fast
def test_linspace(a, b, n):
    check(linspace, a, b, n, rel=1e-12, abs_tol=1e-12)
    check(linspace, int(a), int(b), n, rel=1e-12, abs_tol=1e-12)


def test_linspace_single_point():
    """num=1 gives [start] (no division by num - 1)."""
    check(linspace, 0.0, 5.0, 1)
    check(linspace, 2, 2, 1)


def test_linspace_default_num():
    check(linspace_default, 0.0, 1.0)
    check(linspace_default, 2, -3)


@ember.jit
def eye_forms(n, m, k):
    return np.eye(n), np.eye(n, m), np.eye(n, m, k), np.eye(n, dtype=np.int32), np.identity(n)


@given(n=st.integers(0, 6), m=st.integers(0, 6), k=st.integers(-7, 7))
@fast
def test_eye_identity(n, m, k):
    check(eye_forms, n, m, k)


@ember.jit
def copies(a):
    return np.copy(a), a.copy(), np.ascontiguousarray(a)


@given(shape=shapes_any, dtype=st.sampled_from([np.bool_, np.int16, np.complex128,
                                                np.float64]))
@fast
def test_copy_and_ascontiguousarray(shape, dtype):
    a = sample_array(dtype, shape)
    for _, v in variants(a):
        got = check(copies, v)
        for g in got:
            assert not np.shares_memory(g, v)
        assert got[2].flags.c_contiguous
        assert got[1].flags.c_contiguous  # a.copy() is order='C'


def test_copy_is_independent():
    @ember.jit
    def f(a):
        b = a.copy()
        b[0] = 100.0
        c = np.copy(a)
        c[1] = 200.0
        return b, c

    a = np.arange(4.0)
    check(f, a)
    assert a.tolist() == [0.0, 1.0, 2.0, 3.0]


# ---- ownership -------------------------------------------------------------------------------

@ember.jit
def make_pair(n):
    a = np.arange(n) * 3
    b = np.ones((n, 2))
    return a, b


def test_returned_array_survives_gc():
    a, b = make_pair(1000)
    assert not a.flags.owndata and a.base is not None  # the MemInfo owner keeps it alive
    del b
    gc.collect()
    junk = [np.full(1000, -1) for _ in range(50)]  # reuse freed memory if any
    del junk
    gc.collect()
    np.testing.assert_array_equal(a, np.arange(1000) * 3)
    a[:] = 5
    assert a.sum() == 5000


def test_returned_view_keeps_base_alive():
    @ember.jit
    def f(n):
        a = np.arange(n * 2)
        return a[::2][1:]

    v = f(500)
    gc.collect()
    for _ in range(20):
        np.ones(2000)
    np.testing.assert_array_equal(v, np.arange(1000)[::2][1:])


@ember.jit
def fill_twice(a):
    a *= 2
    return a


@ember.jit
def consumer(a):
    b = fill_twice(a)
    c = producer(a.shape[0])
    return b + c, b


@ember.jit
def producer(n):
    return np.arange(n).astype(np.float64)


def test_arrays_passed_between_jitted_functions():
    a = np.arange(6.0)
    got = check(consumer, a)
    # the second result is the same buffer as the argument (a is returned from fill_twice)
    b = np.arange(6.0)
    r, same = consumer(b)
    assert np.shares_memory(same, b)
    np.testing.assert_array_equal(got[0], np.arange(6.0) * 3)


@ember.jit
def nested_tuple(n):
    a = np.zeros(n)
    return (a, (a[1:], np.ones(2, np.int8)), n)


def test_arrays_in_nested_tuples():
    got = check(nested_tuple, 4)
    got[0][2] = 9.0
    assert got[1][0][1] == 9.0  # the view shares the first array's buffer


# ---- views -----------------------------------------------------------------------------------

@ember.jit
def slice1(a, i, j, k):
    return a[i:j], a[::k], a[i:j:k], a[j:i:-1], a[::-1], a[-3:], a[:-2]


@given(n=st.integers(0, 12), i=st.integers(-14, 14), j=st.integers(-14, 14),
       k=st.integers(-4, 4).filter(lambda x: x != 0), dtype=few_dtypes)
@fast
def test_slices_1d(n, i, j, k, dtype):
    a = sample_array(dtype, (n,))
    for _, v in variants(a):
        got = check(slice1, v, i, j, k)
        for g in got:
            if g.size:
                assert np.shares_memory(g, v)


@ember.jit
def rows_cols(a, i, j):
    return a[:, j], a[i, :], a[i], a[i, ::-1], a[::-1, j], a[1:, 1:], a[::2, ::-2]


@given(shape=st.tuples(st.integers(1, 5), st.integers(1, 5)), data=st.data(),
       dtype=few_dtypes)
@fast
def test_rows_columns_2d(shape, data, dtype):
    i = data.draw(st.integers(-shape[0], shape[0] - 1))
    j = data.draw(st.integers(-shape[1], shape[1] - 1))
    a = sample_array(dtype, shape)
    for _, v in variants(a):
        check(rows_cols, v, i, j)


@ember.jit
def write_through_views(a):
    a[1:3] = 7
    r = a[::-1]
    r[0] = 1           # the last element of a
    s = a[::2]
    t = s[1:]          # a view of a view
    t[0] += 100        # a[2]
    for i in range(t.shape[0]):
        t[i] *= 2
    return a


@pytest.mark.parametrize("dtype", NUM_DTYPES, ids=num_ids)
def test_writes_through_views_1d(dtype):
    a = sample_array(dtype, (9,))
    for _, v in variants(a):
        check(write_through_views, v)


@ember.jit
def write_column_row(a, x):
    a[:, 0] = x
    a[-1, :] = x + 1
    a[1][1] = x + 2
    c = a.T
    c[0, 1] = x + 3     # a[1, 0]
    return a


def test_writes_through_2d_views():
    a = sample_array(np.float64, (3, 4))
    for _, v in variants(a):
        check(write_column_row, v, 5.0)


@ember.jit
def slice_assign_array(a, b):
    a[1:4] = b
    a[::-1][0:2] = b[:2]
    return a


def test_slice_assign_from_array():
    a = np.zeros(6)
    check(slice_assign_array, a, np.array([1.0, 2.0, 3.0]))
    check(slice_assign_array, a[::-1], np.array([1.0, 2.0, 3.0])[::-1])


@ember.jit
def transpose(a):
    return a.T, a.T.T, a.T[0]


@given(shape=shapes_2d, dtype=few_dtypes)
@fast
def test_transpose(shape, dtype):
    a = sample_array(dtype, shape)
    for _, v in variants(a):
        if shape[1] == 0:
            continue
        got = check(transpose, v)
        assert np.shares_memory(got[0], v) or v.size == 0


def test_transpose_3d():
    check(transpose, sample_array(np.int32, (2, 3, 4)))
    check(transpose, sample_array(np.int32, (2, 3, 4))[:, ::-1, 1:])


@ember.jit
def reshape_c(a, n):
    return a.reshape(n, -1), a.reshape((-1, n)), a.reshape(a.size), a.reshape((a.size,))


@pytest.mark.parametrize("shape,n", [((12,), 3), ((3, 4), 2), ((2, 3, 2), 6), ((0,), 3),
                                     ((1, 6), 1)])
def test_reshape_contiguous(shape, n):
    a = sample_array(np.float64, shape)
    got = check(reshape_c, a, n)
    for g in got:
        assert np.shares_memory(g, a) or a.size == 0  # a reshape of a C array is a view


@ember.jit
def reshape_any(a):
    return a.reshape(-1)


def test_reshape_non_contiguous():
    # NumPy copies where a view is impossible; Numba only reshapes contiguous arrays
    # (NotImplementedError).  Either NumPy's values or a clear error are acceptable.
    a = sample_array(np.int64, (4, 6))
    for name, v in variants(a):
        try:
            got = reshape_any(v)
        except NotImplementedError:
            assert name != "C"
            continue
        assert_same(got, v.reshape(-1))


def test_reshape_bad_size_raises():
    with pytest.raises(ValueError):
        reshape_c(np.arange(10.0), 3)


@ember.jit
def ravel_flatten(a):
    r = a.ravel()
    f = a.flatten()
    f[0] = 99
    return r, f, np.ravel(a)


@given(shape=shapes_any.filter(lambda s: np.prod(s) > 0), dtype=few_dtypes)
@fast
def test_ravel_flatten(shape, dtype):
    a = sample_array(dtype, shape)
    for _, v in variants(a):
        got = check(ravel_flatten, v)
        assert not np.shares_memory(got[1], v)
        if v.flags.c_contiguous:
            assert np.shares_memory(got[0], v)


@ember.jit
def newaxis(a):
    return a[None], a[:, None], a[np.newaxis, :, np.newaxis], a[None, 1:]


@given(n=st.integers(0, 6), dtype=few_dtypes)
@fast
def test_newaxis_1d(n, dtype):
    a = sample_array(dtype, (n,))
    for _, v in variants(a):
        check(newaxis, v)


def test_newaxis_2d_outer_product():
    @ember.jit
    def outer(x, y):
        return x[:, None] * y[None, :], x[:, np.newaxis] + y

    check(outer, np.arange(3.0), np.arange(4.0))
    check(outer, np.arange(6.0)[::-2], np.arange(4.0)[::-1])


@ember.jit
def dtype_attrs(a):
    b = np.empty(3, dtype=a.dtype)
    c = np.zeros(a.shape, a.dtype)
    return b, c, a.itemsize, a.strides


@pytest.mark.parametrize("dtype", ALL_DTYPES, ids=[np.dtype(d).name for d in ALL_DTYPES])
def test_dtype_itemsize_strides(dtype):
    a = sample_array(dtype, (3, 4))
    for _, v in variants(a):
        got = dtype_attrs(v)
        assert got[0].dtype == v.dtype and got[0].shape == (3,)
        assert_same(got[1], np.zeros(v.shape, v.dtype))
        assert got[2] == v.itemsize
        assert got[3] == v.strides


def test_nbytes():
    """a.nbytes (Numba supports it)."""
    @ember.jit
    def nbytes(a):
        return a.nbytes

    assert nbytes(np.zeros((3, 4), np.float32)) == 48
    assert nbytes(np.zeros((6, 8))[::2, ::-2]) == 96


def test_dtype_equality():
    """a.dtype == b.dtype (Numba supports it)."""
    @ember.jit
    def same_dtype(a, b):
        return a.dtype == b.dtype

    assert same_dtype(np.zeros(2), np.zeros(3)) is True
    assert same_dtype(np.zeros(2), np.zeros(3, np.float32)) is False


# ---- array expressions -----------------------------------------------------------------------

@ember.jit
def arith(a, b):
    return a + b, a - b, a * b


@ember.jit
def divide(a, b):
    return a / b, a // b, a % b


@ember.jit
def power(a, b):
    return a ** b


BROADCAST_PAIRS = [((3, 1), (4,)), ((1,), (5,)), ((4,), (1,)), ((2, 3), (2, 3)), ((0,), (1,)),
                   ((3, 1), (1, 0)), ((1, 1), (3, 2)), ((2, 1, 3), (4, 1))]


def _positive(a):
    return np.where(a == 0, 1, a).astype(a.dtype) if a.dtype != np.bool_ else a


def _binary_ops(a, b):
    expected_dtype = (a + b).dtype
    r = arith(a, b)
    assert r[0].dtype == expected_dtype, f"{a.dtype}+{b.dtype}: {r[0].dtype} != {expected_dtype}"
    check(arith, a, b, rel=tol(expected_dtype))
    check(divide, a, b, rel=tol(expected_dtype))
    check(power, a, np.abs(b) % 4 if b.dtype.kind == "i" else b % 4, rel=1e-5)


@pytest.mark.parametrize("sa,sb", BROADCAST_PAIRS, ids=str)
def test_binary_ops_broadcast(sa, sb):
    _binary_ops(sample_array(np.float64, sa, seed=1),
                _positive(sample_array(np.float64, sb, seed=2)))
    _binary_ops(sample_array(np.int64, sa, seed=1),
                _positive(sample_array(np.int64, sb, seed=2)))


@pytest.mark.parametrize("da,db", [(np.int32, np.float32), (np.uint8, np.int8),
                                   (np.float32, np.float32), (np.int16, np.uint32),
                                   (np.uint64, np.int64), (np.int8, np.float64),
                                   (np.bool_, np.int8), (np.float32, np.int64)],
                         ids=str)
def test_binary_ops_promotion(da, db):
    """The result dtype of array-array operations is NumPy 2's (int32 + float32 -> float64,
    uint8 + int8 -> int16, uint64 + int64 -> float64, ...)."""
    for sa, sb in [((3, 1), (4,)), ((5,), (5,))]:
        _binary_ops(sample_array(da, sa, seed=1), _positive(sample_array(db, sb, seed=2)))


def test_division_by_zero_follows_numpy():
    """Arrays divided by zero give NumPy's values (no exception): int // 0 and int % 0 are 0;
    float // 0.0 is +-inf (nan for 0 // 0), float % 0.0 is nan, float / 0.0 is +-inf."""
    i = np.array([-7, 0, 7])
    f = np.array([-7.5, 0.0, 7.0, -0.0, np.inf])
    with np.errstate(all="ignore"):
        check(divide, i, np.zeros(3, np.int64))
        check(divide, f, np.zeros(5))
        check(divide, f, -np.zeros(5))


def test_binary_ops_noncontiguous_operands():
    a = sample_array(np.float64, (4, 5), seed=3)
    b = _positive(sample_array(np.float64, (5,), seed=4))
    for _, va in variants(a):
        for _, vb in variants(b):
            check(arith, va, vb)
            check(divide, va, vb)


@ember.jit
def with_python_scalars(a):
    return a + 1, a * 2.5, a - 3, 2 * a, 1.5 / (a + 1), a // 2, a % 3


@pytest.mark.parametrize("dtype", NUM_DTYPES, ids=num_ids)
def test_python_scalar_literals_are_weak(dtype):
    """NumPy 2 (NEP 50): a Python int / float literal does not widen the array's dtype."""
    a = np.abs(sample_array(dtype, (6,)))
    got = with_python_scalars(a)
    expected = with_python_scalars.py_func(a)
    for g, e in zip(got, expected):
        assert g.dtype == e.dtype, f"{dtype}: {g.dtype} != {e.dtype}"
    check(with_python_scalars, a, rel=tol(got[1].dtype))


@ember.jit
def array_plus_scalar(a, x):
    return a + x, x * a


@pytest.mark.parametrize("dtype,x", [(np.float32, 1.5), (np.int32, 3), (np.uint8, 2),
                                     (np.int8, -1), (np.float64, 2), (np.int64, 0.5)],
                         ids=str)
def test_array_plus_python_scalar_argument(dtype, x):
    """A Python scalar passed as an argument: NumPy 2 treats it as weak (float32 array + float
    -> float32, int32 array + int -> int32)."""
    a = sample_array(dtype, (5,))
    check(array_plus_scalar, a, x, rel=tol(dtype))


@ember.jit
def compare(a, b):
    return a < b, a <= b, a == b, a != b, a > b, a >= b


@pytest.mark.parametrize("sa,sb", BROADCAST_PAIRS[:5], ids=str)
def test_comparisons(sa, sb):
    a = sample_array(np.int32, sa, seed=5) % 4
    b = sample_array(np.float64, sb, seed=6).round() % 4
    check(compare, a, b)
    check(compare, a, 2)
    check(compare, 1.5, b)


@ember.jit
def unary(a, m):
    return -a, ~m, ~(a > 0), +a, m & (a > 0), m | (a < 0), m ^ m, ~m[::-1]


@pytest.mark.parametrize("dtype", [np.int8, np.float64], ids=str)
def test_unary_and_masks(dtype):
    a = sample_array(dtype, (3, 4)) - 5
    m = sample_array(np.bool_, (3, 4), seed=7)
    for (_, va), (_, vm) in zip(variants(a), variants(m)):
        check(unary, va, vm)


@ember.jit
def math_funcs(a):
    return (np.sqrt(np.abs(a)), np.exp(a / 10), np.log(np.abs(a) + 1), np.log10(np.abs(a) + 1),
            np.sin(a), np.cos(a), np.tan(a), np.abs(a), np.absolute(a), np.floor(a),
            np.ceil(a))


@pytest.mark.parametrize("dtype", FLOAT_DTYPES, ids=str)
def test_math_ufuncs_on_arrays(dtype):
    a = sample_array(dtype, (4, 5))
    for _, v in variants(a):
        check(math_funcs, v, rel=tol(dtype), abs_tol=1e-6)


def test_math_ufuncs_on_int_arrays():
    """NumPy 2: np.floor / np.ceil of an integer array keep its dtype (Numba too)."""
    a = sample_array(np.int32, (7,)) - 50
    check(math_funcs, a)


@ember.jit
def binary_funcs(a, b):
    return (np.arctan2(a, b), np.minimum(a, b), np.maximum(a, b), np.clip(a, -2, 3),
            np.where(a > b, a, b), np.where(a > 0, a, 0.0), np.isnan(a / b), np.isfinite(a / b))


@pytest.mark.parametrize("sa,sb", BROADCAST_PAIRS[:6], ids=str)
def test_binary_math_funcs(sa, sb):
    a = sample_array(np.float64, sa, seed=8)
    b = sample_array(np.float64, sb, seed=9)
    check(binary_funcs, a, b)


def test_nan_and_inf_handling():
    a = np.array([np.nan, 1.0, -np.inf, np.inf, 0.0, -0.0])
    b = np.array([1.0, np.nan, 2.0, np.inf, 0.0, 1.0])
    with np.errstate(all="ignore"):
        check(binary_funcs, a, b)


@ember.jit
def scalar_funcs(x, y):
    return (np.sqrt(x), np.exp(x), np.log(x), np.log10(x), np.sin(x), np.cos(x), np.tan(x),
            np.arctan2(x, y), np.abs(-x), np.absolute(y), np.floor(y), np.ceil(y),
            np.minimum(x, y), np.maximum(x, y), np.isnan(x), np.isfinite(y))


@given(x=st.floats(0.01, 100), y=st.floats(-100, 100))
@fast
def test_math_ufuncs_on_scalars(x, y):
    check(scalar_funcs, x, y)


@ember.jit
def int_scalar_funcs(i, j):
    return np.abs(i), np.minimum(i, j), np.maximum(i, j), np.sqrt(abs(i))


def test_int_scalar_ufuncs():
    check(int_scalar_funcs, -7, 3)
    check(int_scalar_funcs, 4, -9)


@ember.jit
def scalar_where(c, x, y):
    return np.where(c, x, y)


@ember.jit
def scalar_clip(x):
    return np.clip(x, 0.0, 1.0)


def test_where_on_scalars():
    """NumPy (and Numba) return a 0-d array from np.where on scalars."""
    check(scalar_where, True, 0.25, 2.0)
    check(scalar_where, False, 1.5, 2.0)


def test_clip_on_scalars():
    assert float(scalar_clip(0.25)) == 0.25
    assert float(scalar_clip(1.5)) == 1.0
    assert float(scalar_clip(-1.5)) == 0.0


@ember.jit
def chain(a, b, c):
    return a * b + c, (a - b) * (a + b) / (c + 10), np.sqrt(a * a + b * b) - c


def test_expression_chains_and_no_leaks():
    a = sample_array(np.float64, (50,), seed=10)
    b = sample_array(np.float64, (50,), seed=11)
    c = sample_array(np.float64, (50,), seed=12)
    check(chain, a, b, c)
    check(chain, a[::-1], b[::2][:25].repeat(2), c.reshape(5, 10).T.ravel())
    gc.collect()
    before = _ember.live_meminfos()
    for _ in range(10):
        r = chain(a, b, c)
    assert _ember.live_meminfos() == before + 3  # just the three results of the last call
    del r
    gc.collect()
    assert _ember.live_meminfos() == before


# ---- in-place operators ----------------------------------------------------------------------

@ember.jit
def iadd(a, b):
    a += b
    return a


@ember.jit
def inplace_all(a, b):
    a += b
    a -= b
    a *= b
    return a


@ember.jit
def inplace_div(a, b):
    a /= b
    return a


@pytest.mark.parametrize("sa,sb", [((3, 4), (4,)), ((3, 4), (3, 1)), ((3, 4), (1,)),
                                   ((5,), (5,)), ((0, 2), (2,)), ((2, 3), (1, 1))], ids=str)
def test_inplace_broadcast(sa, sb):
    a = sample_array(np.float64, sa, seed=13)
    b = sample_array(np.float64, sb, seed=14)
    for _, v in variants(a):
        check(inplace_all, v, b)
        check(iadd, v, 2.0)


@pytest.mark.parametrize("da,db", [(np.float32, np.float64), (np.float64, np.int64),
                                   (np.int64, np.int32), (np.int32, np.int64),
                                   (np.int8, np.int64), (np.float32, np.int64)], ids=str)
def test_inplace_same_kind_casting(da, db):
    a = sample_array(da, (2, 3), seed=15)
    b = sample_array(db, (3,), seed=16)
    check(iadd, a, b, rel=tol(da))
    check(inplace_all, a, b, rel=tol(da))


def test_inplace_true_divide_float():
    check(inplace_div, sample_array(np.float32, (4,)), np.float32(2.0), rel=1e-6)
    check(inplace_div, sample_array(np.float64, (2, 3)), np.array([1.0, 2.0, 4.0]))


def test_inplace_unsafe_casting_is_a_type_error():
    """NumPy refuses int_array += float_array (UFuncTypeError, a TypeError); so does Numba
    (TypingError, a TypeError)."""
    with pytest.raises(TypeError):
        iadd(np.zeros(3, np.int64), np.ones(3))
    with pytest.raises(TypeError):
        inplace_div(np.ones(3, np.int64), np.ones(3, np.int64))


def test_inplace_broadcast_to_larger_shape_raises():
    """a += b where b has more dimensions than a: NumPy raises ValueError (the compiler
    crashed on this once, hence the subprocess)."""
    out = run_isolated("""
        import numpy as np, ember

        @ember.jit
        def iadd(a, b):
            a += b
            return a

        try:
            iadd(np.zeros(3), np.zeros((2, 3)))
        except ValueError:
            print("ValueError")
    """)
    assert out.strip() == "ValueError"


@ember.jit
def overlap_forward(a):
    a[1:] += a[:-1]
    return a


@ember.jit
def overlap_backward(a):
    a[:-1] += a[1:]
    return a


@ember.jit
def overlap_assign(a):
    a[1:] = a[:-1]
    return a


@ember.jit
def overlap_reverse(a):
    a[:] = a[::-1]
    return a


@pytest.mark.parametrize("f", [overlap_forward, overlap_backward, overlap_assign,
                               overlap_reverse], ids=lambda f: f.py_func.__name__)
@pytest.mark.parametrize("n", [0, 1, 2, 7, 100])
def test_overlapping_operands(f, n):
    a = np.arange(1, n + 1, dtype=np.int64)
    check(f, a)
    check(f, a.astype(np.float64)[::-1])


# ---- boolean masks and integer indexing ------------------------------------------------------

@ember.jit
def mask_read(a, m):
    return a[m], a[a > 0]


@ember.jit
def mask_write_scalar(a, m, v):
    a[m] = v
    return a


@ember.jit
def mask_write_array_arg(a, m, v):
    a[m] = v
    return a


@ember.jit
def mask_write_expr(a):
    a[a < 0] = 0
    a[np.isnan(a)] = -1.0
    return a


@given(shape=st.one_of(shapes_1d, shapes_2d), seed=st.integers(0, 100),
       dtype=st.sampled_from([np.int64, np.float64, np.float32]))
@fast
def test_boolean_masks(shape, seed, dtype):
    a = sample_array(dtype, shape, seed) - 5
    m = sample_array(np.bool_, shape, seed + 1)
    for (_, va), (_, vm) in zip(variants(a), variants(m)):
        check(mask_read, va, vm)
        check(mask_write_scalar, va, vm, 3)
        check(mask_write_array_arg, va, vm, np.arange(vm.sum()).astype(dtype) * 10)


def test_mask_write_of_array_expression():
    """a[m] = <array expression> (the compiler crashed on this once, hence the subprocess)."""
    out = run_isolated("""
        import numpy as np, ember

        @ember.jit
        def f(a, m, b):
            a[m] = b * 10
            a[~m] = np.sqrt(np.arange(3.0))[:1]
            return a

        print(f(np.zeros(3), np.array([True, False, True]), np.array([1.0, 2.0])).tolist())
    """)
    assert out.strip() == "[10.0, 0.0, 20.0]"


def test_mask_write_with_nan():
    a = np.array([1.0, np.nan, -2.0, 3.0, np.nan])
    check(mask_write_expr, a)


def test_mask_shape_mismatch_raises():
    with pytest.raises(IndexError):
        mask_read(np.zeros(4), np.zeros(3, np.bool_))


@ember.jit
def fancy_read(a, idx):
    return a[idx]


@ember.jit
def fancy_write(a, idx, v):
    a[idx] = v
    return a


@given(n=st.integers(1, 10), seed=st.integers(0, 100), k=st.integers(0, 12),
       dtype=st.sampled_from([np.int64, np.float64, np.uint8]))
@fast
def test_integer_array_indexing(n, seed, k, dtype):
    rng = np.random.default_rng(seed)
    a = sample_array(dtype, (n,), seed)
    idx = rng.integers(-n, n, k)
    for _, v in variants(a):
        for _, vi in variants(idx) if k else [("C", idx)]:
            check(fancy_read, v, vi)
    check(fancy_write, a, np.unique(idx), 42)


def test_integer_array_indexing_2d_rows_and_dtypes():
    a = sample_array(np.float64, (5, 3))
    check(fancy_read, a, np.array([4, 0, -1, 2]))
    check(fancy_read, a, np.array([1, 1], dtype=np.int32))
    check(fancy_read, np.arange(8.0), np.array([7, -8], dtype=np.int8))


def test_integer_array_index_out_of_bounds():
    with pytest.raises(IndexError):
        fancy_read(np.arange(3.0), np.array([0, 3]))
    with pytest.raises(IndexError):
        fancy_read(np.arange(3.0), np.array([-4]))
