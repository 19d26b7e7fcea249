"""Reductions and other whole-array NumPy functions in compiled code, against NumPy: sum, prod,
min, max, mean, std, var, argmin, argmax, any, all (whole array and along a constant axis, as
functions and as methods), cumsum / cumprod, np.dot and @ for every combination of 1-D and 2-D
operands, sorting (np.sort, np.argsort, a.sort()), np.unique, a.fill, a.astype, and the
empty-array corner cases (ValueError for min / max / argmax, 0 for sum, nan for mean)."""
import warnings

import numpy as np
import pytest
from conftest import assert_same, check, sample_array
from hypothesis import given, settings
from hypothesis import strategies as st

import ember

fast = settings(max_examples=20, deadline=None)
RED_DTYPES = [np.bool_, np.int8, np.int32, np.int64, np.uint8, np.uint64, np.float32,
              np.float64]
red_ids = [np.dtype(d).name for d in RED_DTYPES]


def variants(a):
    """a in C, F, negative-stride and strided layouts with the same values."""
    out = [("C", np.ascontiguousarray(a))]
    if a.ndim >= 2:
        out.append(("F", np.asfortranarray(a)))
    out.append(("negative", np.flip(np.ascontiguousarray(np.flip(a)))))
    big = np.zeros(tuple(2 * s + 1 for s in a.shape), dtype=a.dtype)
    big[tuple(slice(1, None, 2) for _ in a.shape)] = a
    out.append(("strided", big[tuple(slice(1, None, 2) for _ in a.shape)]))
    return out


def tol(dtype):
    return 1e-4 if np.dtype(dtype) == np.float32 else 1e-12


def values(dtype, shape, seed=0):
    a = sample_array(dtype, shape, seed)
    if np.dtype(dtype).kind in "iu" and dtype != np.uint64:
        a = (a % 7).astype(dtype)  # keep products in range
    return a


# ---- whole-array reductions ------------------------------------------------------------------

@ember.jit
def whole_functions(a):
    return np.sum(a), np.prod(a), np.min(a), np.max(a), np.mean(a), np.any(a), np.all(a)


@ember.jit
def whole_methods(a):
    return a.sum(), a.prod(), a.min(), a.max(), a.mean(), a.any(), a.all()


@ember.jit
def whole_stats(a):
    return np.std(a), np.var(a), a.std(), a.var(), np.argmin(a), np.argmax(a), a.argmin(), \
        a.argmax()


shapes = st.one_of(st.tuples(st.integers(1, 9)), st.tuples(st.integers(1, 5), st.integers(1, 5)),
                   st.tuples(st.integers(1, 3), st.integers(1, 3), st.integers(1, 3)))


def _whole(v, dtype):
    check(whole_functions, v, rel=tol(dtype))
    check(whole_methods, v, rel=tol(dtype))
    if dtype != np.bool_:
        check(whole_stats, v, rel=tol(dtype) * 10, abs_tol=1e-6)


@pytest.mark.parametrize("dtype", RED_DTYPES, ids=red_ids)
def test_whole_array_reductions(dtype):
    # every dtype: 1-D contiguous and 2-D negative-stride (a compilation per dtype and layout)
    for seed, n in enumerate([1, 2, 7, 33]):
        _whole(values(dtype, (n,), seed), dtype)
    for seed, shape in enumerate([(3, 4), (1, 5), (4, 1)]):
        _whole(variants(values(dtype, shape, seed))[-2][1], dtype)


@given(shape=shapes, dtype=st.sampled_from([np.int64, np.float64]), seed=st.integers(0, 50))
@settings(max_examples=12, deadline=None)
def test_whole_array_reductions_layouts(shape, dtype, seed):
    a = values(dtype, shape, seed)
    for _, v in variants(a):
        _whole(v, dtype)


@ember.jit
def ddof_stats(a):
    return (np.std(a, ddof=0), np.var(a, ddof=1), a.std(ddof=1), a.var(ddof=2),
            np.std(a, axis=0, ddof=1), a.var(axis=-1, ddof=2))


@pytest.mark.parametrize("dtype", [np.int32, np.float32, np.float64], ids=str)
def test_std_var_ddof(dtype):
    """ddof as a constant (Numba takes no ddof at all; ember needs a constant)."""
    a = values(dtype, (4, 5), seed=3)
    check(ddof_stats, a, rel=tol(dtype) * 10)
    check(ddof_stats, a[::-1, ::2], rel=tol(dtype) * 10)


def test_std_var_ddof_not_less_than_size_is_inf_or_nan():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check(ddof_stats, np.array([[1.0, 2.0]]))
        check(ddof_stats, np.array([[1.0], [2.0]]))


def test_nan_propagation():
    a = np.array([3.0, np.nan, -1.0, np.nan, 7.0])
    check(whole_functions, a)
    check(whole_stats, a)
    b = np.array([np.inf, -np.inf, 1.0])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check(whole_functions, b)
        check(whole_stats, b)


@ember.jit
def complex_reductions(a):
    return (a.sum(), a.prod(), a.mean(), np.sum(a), np.var(a), np.std(a), a.var(), a.std())


@ember.jit
def complex_min_max(a):
    return a.min(), a.max(), np.argmin(a), np.argmax(a)


def test_complex_reductions():
    a = sample_array(np.complex128, (7,), 4)
    for _, v in variants(a):
        check(complex_reductions, v)
    check(complex_reductions, sample_array(np.complex128, (3, 4), 5))


def test_complex_min_max_are_lexicographic():
    a = np.array([2 + 1j, 1 + 5j, 1 + 2j, 3 - 1j])
    check(complex_min_max, a)
    check(complex_min_max, a[::-1])


def test_integer_sum_dtypes_do_not_overflow_small_types():
    """np.sum of int8 / uint8 / bool accumulates in int64 / uint64 (no int8 wrap-around)."""
    check(whole_functions, np.full(300, 100, np.int8))
    check(whole_functions, np.full(300, 200, np.uint8))
    check(whole_functions, np.ones(300, np.bool_))


# ---- reductions along an axis ----------------------------------------------------------------

@ember.jit
def axis0(a):
    return (np.sum(a, axis=0), np.prod(a, axis=0), np.min(a, axis=0), np.max(a, axis=0),
            np.mean(a, axis=0), a.sum(axis=0), a.max(axis=0), a.min(0), a.mean(0),
            np.argmin(a, axis=0), np.argmax(a, axis=0), a.argmax(axis=0))


@ember.jit
def axis1(a):
    return (np.sum(a, axis=1), np.prod(a, axis=1), np.min(a, axis=1), np.max(a, axis=1),
            np.mean(a, axis=1), a.sum(axis=1), a.max(axis=1), a.min(1), a.mean(1),
            np.argmin(a, axis=1), np.argmax(a, axis=1), a.argmax(axis=1))


@ember.jit
def axis_neg(a):
    return (np.sum(a, axis=-1), np.prod(a, axis=-1), np.min(a, axis=-1), np.max(a, axis=-1),
            np.mean(a, axis=-1), a.sum(axis=-1), a.max(axis=-1), a.min(-1), a.mean(-1),
            np.argmin(a, axis=-1), np.argmax(a, axis=-1), a.argmax(axis=-1))


@ember.jit
def axis_stats(a):
    return (np.std(a, axis=0), np.var(a, axis=1), a.std(axis=-1), a.var(axis=0),
            np.any(a > 0, axis=0), np.all(a > 0, axis=1), (a > 0).any(axis=-1))


def _axes(v, dtype, funcs=(axis0, axis1, axis_stats)):
    for f in funcs:
        check(f, v, rel=tol(dtype) * (10 if f is axis_stats else 1), abs_tol=1e-6)


@pytest.mark.parametrize("dtype", [np.uint8, np.int64, np.float32, np.float64], ids=str)
def test_axis_reductions_2d(dtype):
    # axis reductions are slow to compile: every dtype C-contiguous, float64 in every layout
    for seed, shape in enumerate([(3, 4), (1, 5), (4, 1), (2, 2)]):
        a = values(dtype, shape, seed)
        for name, v in variants(a):
            if name == "C" or dtype == np.float64:
                _axes(v, dtype)


def test_axis_reductions_3d():
    for seed, shape in enumerate([(2, 3, 4), (1, 2, 1), (3, 1, 2)]):
        a = values(np.float64, shape, seed)
        for name, v in variants(a):
            if name in ("C", "strided"):
                _axes(v, np.float64, (axis0, axis1, axis_neg))


def test_axis_reductions_with_empty_axis():
    a = np.zeros((0, 3))
    got = np.sum(a, axis=0)
    assert_same(ember.njit(lambda x: np.sum(x, axis=0))(a), got)
    assert_same(ember.njit(lambda x: x.prod(axis=0))(a), np.ones(3))
    assert_same(ember.njit(lambda x: x.sum(axis=1))(a), np.zeros(0))
    with pytest.raises(ValueError):
        ember.njit(lambda x: x.max(axis=0))(a)


def test_axis_out_of_range_raises():
    @ember.jit
    def f(a):
        return a.sum(axis=2)

    with pytest.raises((ValueError, TypeError)):  # NumPy: AxisError (a ValueError)
        f(np.zeros((2, 2)))


# ---- cumulative ------------------------------------------------------------------------------

@ember.jit
def cumulative(a):
    return np.cumsum(a), np.cumprod(a), a.cumsum(), a.cumprod()


@ember.jit
def cumulative_axis(a):
    return np.cumsum(a, axis=0), np.cumprod(a, axis=1), a.cumsum(axis=-1)


@given(shape=shapes, dtype=st.sampled_from(RED_DTYPES), seed=st.integers(0, 50))
@fast
def test_cumsum_cumprod(shape, dtype, seed):
    a = values(dtype, shape, seed)
    for _, v in variants(a):
        check(cumulative, v, rel=tol(dtype))


def test_cumsum_cumprod_empty():
    check(cumulative, np.zeros(0))
    check(cumulative, np.zeros((0, 3), np.int32))


def test_cumsum_axis():
    """Along an axis: NumPy's result, or a clear UnsupportedError (Numba has no axis=)."""
    a = values(np.int64, (3, 4), 5)
    try:
        cumulative_axis(a)
    except ember.UnsupportedError as e:
        assert "axis" in str(e)
        return
    for _, v in variants(a):
        check(cumulative_axis, v)


# ---- dot and matmul --------------------------------------------------------------------------

@ember.jit
def dot(a, b):
    return np.dot(a, b)


@ember.jit
def matmul(a, b):
    return a @ b


@ember.jit
def method_dot(a, b):
    return a.dot(b)


DOT_SHAPES = [((5,), (5,)), ((3, 5), (5,)), ((5,), (5, 4)), ((3, 5), (5, 4)), ((0,), (0,)),
              ((2, 0), (0, 3)), ((1, 1), (1,)), ((4, 1), (1, 4)), ((1, 7), (7, 1))]


@pytest.mark.parametrize("sa,sb", DOT_SHAPES, ids=str)
@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.int64, np.int32], ids=str)
def test_dot_and_matmul(sa, sb, dtype):
    a = values(dtype, sa, 1)
    b = values(dtype, sb, 2)
    r = tol(dtype)
    for _, va in variants(a):
        for _, vb in variants(b):
            check(dot, va, vb, rel=r)
    check(matmul, a, b, rel=r)
    check(method_dot, a, b, rel=r)


def test_dot_transposed_and_strided():
    a = sample_array(np.float64, (6, 4), 3)
    b = sample_array(np.float64, (6, 5), 4)
    check(dot, a.T, b)
    check(matmul, a.T, b)
    check(matmul, b.T, a)
    check(dot, a[::2, ::-1].T, b[::2])
    check(matmul, a[1:, :].T, b[1:, ::2])
    check(dot, a[:, 1], b[:, 2])
    check(dot, a[::-1, 0], b[::-1])


def test_dot_mixed_dtypes():
    a = sample_array(np.int32, (3, 4))
    b = sample_array(np.float64, (4,))
    check(dot, a, b)
    check(matmul, a.astype(np.float32), b)


def test_dot_shape_mismatch_raises():
    with pytest.raises(ValueError):
        dot(np.ones((2, 3)), np.ones((2, 3)))
    with pytest.raises(ValueError):
        matmul(np.ones(3), np.ones(4))


# ---- sorting ---------------------------------------------------------------------------------

@ember.jit
def sort_copy(a):
    return np.sort(a)


@ember.jit
def sort_in_place(a):
    a.sort()


@ember.jit
def argsort(a):
    return np.argsort(a), a.argsort()


@ember.jit
def argsort_stable(a):
    return np.argsort(a, kind="mergesort")


sort_dtypes = st.sampled_from([np.int8, np.int64, np.uint32, np.float32, np.float64])


@given(n=st.integers(0, 60), dtype=sort_dtypes, seed=st.integers(0, 1000),
       dupes=st.booleans())
@fast
def test_sort_and_argsort(n, dtype, seed, dupes):
    a = sample_array(dtype, (n,), seed)
    if dupes:
        a = (a % 3).astype(dtype)
    for _, v in variants(a):
        check(sort_copy, v)
        check(sort_in_place, v.copy())
        w = v.copy()
        sort_in_place(w)
        np.testing.assert_array_equal(w, np.sort(a))
        for idx in argsort(v):
            assert idx.dtype == np.intp and idx.shape == a.shape
            assert sorted(idx.tolist()) == list(range(n))  # a permutation
            assert np.all(np.diff(v[idx]) >= 0) if n else True


def test_sort_with_nans_puts_them_last():
    a = np.array([3.0, np.nan, -1.0, np.inf, np.nan, -np.inf, 0.0])
    check(sort_copy, a)
    check(sort_in_place, a)
    idx = argsort(a)[0]
    np.testing.assert_array_equal(a[idx], np.sort(a))


def test_argsort_kind_mergesort_is_stable():
    """np.argsort(a, kind='mergesort') (Numba supports kind=)."""
    a = np.array([2, 1, 2, 0, 1, 2, 0], dtype=np.int64)
    np.testing.assert_array_equal(argsort_stable(a), np.argsort(a, kind="stable"))
    b = np.array([1.0, np.nan, 0.0, 1.0, np.nan])
    np.testing.assert_array_equal(argsort_stable(b), np.argsort(b, kind="stable"))


def test_sort_2d_sorts_last_axis():
    """np.sort of a 2-D array sorts each row (Numba supports this)."""
    a = sample_array(np.float64, (4, 6), 9)
    for _, v in variants(a):
        check(sort_copy, v)


@ember.jit
def unique(a):
    return np.unique(a)


@given(n=st.integers(0, 40), dtype=sort_dtypes, seed=st.integers(0, 1000))
@fast
def test_unique(n, dtype, seed):
    a = (sample_array(dtype, (n,), seed) % 5).astype(dtype)
    for _, v in variants(a):
        check(unique, v)
    check(unique, a.reshape(-1, 1) if n else a)


def test_unique_with_nans():
    """NumPy 2 collapses the NaNs into one (equal_nan=True)."""
    a = np.array([2.0, np.nan, 1.0, np.nan, 2.0, np.inf, np.nan])
    check(unique, a)
    check(unique, np.array([np.nan, np.nan]))


# ---- fill and astype -------------------------------------------------------------------------

@ember.jit
def fill(a, v):
    a.fill(v)
    return a


def test_fill():
    check(fill, np.zeros(5), 2.5)
    check(fill, np.zeros((3, 4), np.int32), 7)
    check(fill, np.zeros((3, 4))[::2, ::-1], -1.0)
    check(fill, np.asfortranarray(np.zeros((3, 4), np.float32)), 1.25)
    check(fill, np.zeros(0), 1.0)
    check(fill, np.zeros(4, np.bool_), True)


@ember.jit
def astype(a):
    return (a.astype(np.float64), a.astype(np.int32), a.astype(np.uint8), a.astype(np.bool_),
            a.astype(np.float32), a.astype('i8'))


@pytest.mark.parametrize("dtype", RED_DTYPES, ids=red_ids)
def test_astype(dtype):
    a = sample_array(dtype, (3, 4), 2)
    if np.dtype(dtype).kind == "f":
        a = np.abs(a)  # float -> unsigned of a negative value is undefined in C
    for _, v in variants(a):
        got = check(astype, v)
        assert all(g.flags.c_contiguous for g in got)
        assert not any(np.shares_memory(g, v) for g in got)


def test_astype_float_to_int_truncates():
    check(astype, np.array([1.9, -0.0, 2.5, 100.99, 0.1]))


# ---- empty arrays ----------------------------------------------------------------------------

@ember.jit
def empty_min(a):
    return a.min()


@ember.jit
def empty_max(a):
    return np.max(a)


@ember.jit
def empty_argmax(a):
    return np.argmax(a)


@ember.jit
def empty_argmin(a):
    return a.argmin()


@ember.jit
def empty_sums(a):
    return a.sum(), np.prod(a), np.any(a), np.all(a)


@ember.jit
def empty_mean(a):
    return a.mean()


@pytest.mark.parametrize("dtype", [np.int64, np.float64, np.float32], ids=str)
@pytest.mark.parametrize("shape", [(0,), (0, 3), (2, 0)], ids=str)
def test_empty_arrays(dtype, shape):
    a = np.zeros(shape, dtype)
    for f in (empty_min, empty_max, empty_argmax, empty_argmin):
        with pytest.raises(ValueError):
            f(a)
    check(empty_sums, a)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        got = empty_mean(a)
    assert isinstance(got, float) and np.isnan(got)
