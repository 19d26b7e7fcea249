"""Arrays as arguments and results: every ndim from 0 to 3, every supported dtype, C / F /
strided / transposed layouts, read-only arrays, indexing by (negative) ints and tuples of ints,
element stores and augmented stores, shape / ndim / size / len, and np.empty / np.zeros /
np.ones created inside compiled code and returned to Python as real ndarrays."""
import sys

import numpy as np
import pytest
from conftest import ALL_DTYPES, assert_same, check, layouts, sample_array
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import ember

fast = settings(max_examples=25, deadline=None)
dtype_ids = [np.dtype(d).name for d in ALL_DTYPES]


# ---- reading and writing elements, per dtype -------------------------------------------------

@ember.jit
def read_elements(a):
    return a[0], a[-1], a[len(a) // 2]


@ember.jit
def copy_1d(a, out):
    for i in range(a.shape[0]):
        out[i] = a[i]


@ember.jit
def reverse_in_place(a):
    n = a.shape[0]
    for i in range(n // 2):
        a[i], a[n - 1 - i] = a[n - 1 - i], a[i]


@pytest.mark.parametrize("dtype", ALL_DTYPES, ids=dtype_ids)
def test_read_elements(dtype):
    check(read_elements, sample_array(dtype, (7,)))


@pytest.mark.parametrize("dtype", ALL_DTYPES, ids=dtype_ids)
def test_store_elements(dtype):
    a = sample_array(dtype, (7,))
    check(copy_1d, a, np.zeros(7, dtype=dtype))


@pytest.mark.parametrize("dtype", ALL_DTYPES, ids=dtype_ids)
def test_swap_elements_in_place(dtype):
    check(reverse_in_place, sample_array(dtype, (8,)))


def test_store_converts_to_the_array_dtype():
    @ember.jit
    def f(a, x):
        a[0] = x

    for dtype, x in [(np.float32, 1.1), (np.int32, 7), (np.float64, 3), (np.uint8, 200),
                     (np.complex128, 2.5)]:
        a = np.zeros(2, dtype=dtype)
        f(a, x)
        assert a[0] == dtype(x)


# ---- ndim 0..3 -------------------------------------------------------------------------------

@ember.jit
def attributes(a):
    return a.ndim, a.size, a.shape


@pytest.mark.parametrize("shape", [(), (5,), (0,), (3, 4), (2, 3, 4), (1, 0, 2)], ids=str)
def test_shape_ndim_size(shape):
    check(attributes, np.zeros(shape))


@ember.jit
def shape_items(a):
    return a.shape[0], a.shape[-1], len(a)


@pytest.mark.parametrize("shape", [(5,), (3, 4), (2, 3, 4)], ids=str)
def test_shape_index_and_len(shape):
    check(shape_items, np.zeros(shape))


@ember.jit
def read_0d(a):
    return a[()] * 2


@ember.jit
def write_0d(a, x):
    a[()] = x


def test_0d_array_read():
    check(read_0d, np.array(2.5))


def test_0d_array_write():
    a = np.array(1.0)
    write_0d(a, 4.5)
    assert a[()] == 4.5


@ember.jit
def sum_3d(a):
    s = 0.0
    for i in range(a.shape[0]):
        for j in range(a.shape[1]):
            for k in range(a.shape[2]):
                s += a[i, j, k] * (i + 2 * j + 3 * k)
    return s


def test_3d_tuple_indexing():
    a = sample_array(np.float64, (3, 4, 5))
    check(sum_3d, a)
    check(sum_3d, np.asfortranarray(a))
    check(sum_3d, a[::-1, 1:, ::2])
    check(sum_3d, a.transpose(2, 0, 1))


@ember.jit
def chained_index_3d(a, i, j, k):
    return a[i][j][k], a[i, j][k], a[i][j, k]


def test_chained_indexing_gives_views():
    a = sample_array(np.int64, (3, 4, 5))
    check(chained_index_3d, a, 2, 1, 3)
    check(chained_index_3d, a, -1, -2, -3)


# ---- layouts ---------------------------------------------------------------------------------

@ember.jit
def weighted_sum_2d(a):
    s = 0.0
    for i in range(a.shape[0]):
        for j in range(a.shape[1]):
            s += a[i, j] * (i + 1) * (j + 2)
    return s


@ember.jit
def scale_2d(a, x):
    for i in range(a.shape[0]):
        for j in range(a.shape[1]):
            a[i, j] = a[i, j] * x + i - j


LAYOUT_NAMES = ["C", "F", "strided", "transposed"]


@pytest.mark.parametrize("layout", LAYOUT_NAMES)
@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.int32, np.int64, np.complex128])
def test_read_2d_layouts(layout, dtype):
    a = dict(layouts(sample_array(dtype, (5, 4))))[layout]
    check(weighted_sum_2d, a, rel=1e-5 if dtype == np.float32 else 1e-12)


@pytest.mark.parametrize("layout", LAYOUT_NAMES)
def test_store_2d_layouts(layout):
    a = dict(layouts(sample_array(np.float64, (5, 4))))[layout]
    base = a.base
    check(scale_2d, a, 2.0)
    if base is not None:  # the store went through the view into its base
        assert a.base is base


@fast
@given(hnp.arrays(np.float64, hnp.array_shapes(min_dims=2, max_dims=2, max_side=6),
                  elements=st.floats(-100, 100)),
       st.integers(1, 3), st.integers(-3, 3).filter(lambda s: s != 0))
def test_random_2d_arrays_and_slices(a, step0, step1):
    check(weighted_sum_2d, a[::step0, ::step1])
    check(scale_2d, a[::step0, ::step1], -1.5)


def test_store_into_1d_strided_views():
    src = sample_array(np.int32, (12,))
    check(copy_1d, src[::3], np.zeros(12, dtype=np.int32)[::-3])


def test_store_into_strided_view_leaves_the_rest_alone():
    base = np.zeros((6, 6))
    scale_2d(base[1::2, ::3], 0.0)
    expected = np.zeros((6, 6))
    v = expected[1::2, ::3]
    for i in range(v.shape[0]):
        for j in range(v.shape[1]):
            v[i, j] = i - j
    np.testing.assert_array_equal(base, expected)


def test_zero_strides_of_broadcast_view():
    a = np.broadcast_to(np.arange(3.0), (4, 3))
    check(weighted_sum_2d, a)


def test_negative_strides():
    a = sample_array(np.float64, (6,))
    check(read_elements, a[::-1])
    check(weighted_sum_2d, sample_array(np.float64, (4, 5))[::-1, ::-2])


# ---- indexing --------------------------------------------------------------------------------

@ember.jit
def index(a, i):
    return a[i]


@ember.jit
def index2(a, i, j):
    return a[i, j]


@fast
@given(st.integers(-7, 6))
def test_negative_index_wraps(i):
    check(index, sample_array(np.int64, (7,)), i)


@fast
@given(st.integers(-4, 3), st.integers(-5, 4))
def test_tuple_index_with_negatives(i, j):
    check(index2, sample_array(np.float64, (4, 5)), i, j)


@ember.jit
def index_with_tuple_value(a, t):
    return a[t]


def test_index_with_tuple_variable():
    check(index_with_tuple_value, sample_array(np.float64, (4, 5)), (2, -1))


@ember.jit
def index_small_int_types(a, i, j):
    return a[i] + a[j]


def test_index_with_small_and_unsigned_ints():
    a = sample_array(np.float64, (10,))
    check(index_small_int_types, a, np.int8(-2), np.uint8(3))
    check(index_small_int_types, a, np.int32(1), np.uint64(9))


def test_out_of_range_index_unchecked_by_default():
    # boundscheck is off by default (Numba): no exception is promised, but in-range works
    assert index(np.arange(3), 2) == 2


# ---- aliasing -------------------------------------------------------------------------------

@ember.jit
def shift_copy(src, dst):
    for i in range(src.shape[0] - 1):
        dst[i + 1] = src[i]


def test_same_array_passed_twice():
    # each store must be seen by the next load: no noalias assumption between arguments
    a = np.arange(64.0)
    shift_copy(a, a)
    b = np.arange(64.0)
    shift_copy.py_func(b, b)
    np.testing.assert_array_equal(a, b)


def test_overlapping_views_passed_as_two_arguments():
    a = np.arange(64.0)
    shift_copy(a[:-1], a[1:])
    b = np.arange(64.0)
    shift_copy.py_func(b[:-1], b[1:])
    np.testing.assert_array_equal(a, b)


@ember.jit
def write_rows(a):
    for row in a:
        row[0] = 7.0


def test_store_through_row_view_writes_the_array():
    check(write_rows, np.zeros((3, 4)))
    check(write_rows, np.zeros((3, 4), order="F"))


# ---- augmented stores ------------------------------------------------------------------------

@ember.jit
def augmented_stores(a, b, x):
    for i in range(a.shape[0]):
        a[i] += x
        a[i] *= 2
        a[i] -= i
    b[0, 1] += x
    b[-1, -1] //= 2
    b[1, 0] **= 2


@pytest.mark.parametrize("dtype", [np.int64, np.float64, np.int16])
def test_augmented_element_stores(dtype):
    check(augmented_stores, sample_array(dtype, (5,)), sample_array(dtype, (3, 3)), 3)


@ember.jit
def histogram(values, bins):
    for v in values:
        bins[v] += 1


def test_augmented_store_with_computed_index():
    values = np.array([0, 2, 2, 1, 0, 2, 3], dtype=np.int64)
    check(histogram, values, np.zeros(4, dtype=np.int64))


# ---- read-only arrays ------------------------------------------------------------------------

def _readonly(a):
    a.setflags(write=False)
    return a


def test_readonly_array_can_be_read():
    a = _readonly(sample_array(np.float64, (4, 5)))
    check(weighted_sum_2d, a)


def test_storing_into_readonly_array_is_a_typing_error():
    @ember.jit
    def f(a):
        a[0] = 1.0

    with pytest.raises(ember.errors.TypingError):
        f(_readonly(np.zeros(3)))


def test_readonly_and_writable_compile_separately():
    @ember.jit
    def f(a):
        return a[0]

    f(np.zeros(3))
    f(_readonly(np.zeros(3)))
    assert len(f.signatures) == 2


# ---- arrays created in compiled code ---------------------------------------------------------

@ember.jit
def make_empty(n):
    a = np.empty(n)
    for i in range(n):
        a[i] = i * 0.5
    return a


@ember.jit
def make_zeros_2d(n, m):
    return np.zeros((n, m))


@ember.jit
def make_ones_f4(n):
    return np.ones(n, dtype=np.float32)


@ember.jit
def make_zeros_str_dtype(n, m):
    return np.zeros((n, m), dtype="f4")


@ember.jit
def make_typed(n):
    return (np.zeros(n, np.int32), np.ones((n, 2), dtype=np.int64),
            np.empty(n, dtype=np.uint8).shape, np.ones(n, dtype=np.complex128),
            np.zeros(n, dtype=np.bool_))


@ember.jit
def make_like(a, n):
    return np.zeros(a.shape), np.zeros((n,), np.int8), np.ones(n, dtype=float), np.empty(0)


def test_np_creation_from_shape_tuples_and_python_dtypes():
    got = make_like(np.ones((2, 3)), 3)
    assert_same(got[:3], make_like.py_func(np.ones((2, 3)), 3)[:3])
    assert got[3].shape == (0,) and got[3].dtype == np.float64


@pytest.mark.parametrize("n", [0, 1, 7])
def test_np_empty_filled(n):
    check(make_empty, n)


@pytest.mark.parametrize("n, m", [(0, 3), (3, 4), (2, 0)])
def test_np_zeros_2d(n, m):
    check(make_zeros_2d, n, m)


def test_np_ones_float32():
    got = check(make_ones_f4, 5)
    assert got.dtype == np.float32


def test_np_zeros_with_string_dtype():
    got = check(make_zeros_str_dtype, 2, 3)
    assert got.dtype == np.float32


def test_np_creation_dtypes():
    check(make_typed, 4)


def test_returned_array_is_a_fresh_writable_c_contiguous_ndarray():
    a = make_empty(5)
    assert type(a) is np.ndarray
    assert a.flags.c_contiguous and a.flags.writeable
    a[:] = 1.0  # usable like any array
    b = make_empty(5)
    assert not np.shares_memory(a, b)
    np.testing.assert_array_equal(b, np.arange(5) * 0.5)


def test_returned_array_outlives_its_function():
    arrays = [make_zeros_2d(100, 100) for _ in range(20)]
    del arrays[::2]
    for a in arrays:
        assert a.shape == (100, 100) and not a.any()


@ember.jit
def passthrough(a):
    return a


@ember.jit
def modify_and_return(a):
    a[0] = 42
    return a


@pytest.mark.parametrize("layout", LAYOUT_NAMES)
def test_input_array_returned_is_the_same_object(layout):
    a = dict(layouts(sample_array(np.float64, (4, 5))))[layout]
    assert passthrough(a) is a


def test_modified_input_returned_is_the_same_object():
    a = np.zeros(3, dtype=np.int64)
    assert modify_and_return(a) is a
    assert a[0] == 42


@ember.jit
def pick(a, b, first):
    if first:
        return a
    return b


def test_one_of_two_input_arrays_returned():
    a, b = np.zeros(3), np.ones(3)
    assert pick(a, b, True) is a
    assert pick(a, b, False) is b


@ember.jit
def arrays_in_tuple(n):
    a = np.zeros(n)
    b = np.ones((n, n), dtype=np.int32)
    return a, (b, n)


def test_arrays_returned_in_a_tuple():
    check(arrays_in_tuple, 3)


@ember.jit
def view_of_input(a):
    return a[1]


def test_row_view_returned_shares_memory():
    a = sample_array(np.float64, (3, 4))
    row = view_of_input(a)
    assert_same(row, a[1])
    assert np.shares_memory(row, a)


def test_reference_counts_are_balanced():
    a = np.ones(5)
    m = np.ones((3, 3))
    passthrough(a)
    read_elements(a)
    view_of_input(m)
    before = sys.getrefcount(a), sys.getrefcount(m)
    for _ in range(50):
        passthrough(a)
        read_elements(a)
        arrays_in_tuple(2)
        view_of_input(m)
    assert (sys.getrefcount(a), sys.getrefcount(m)) == before


def test_returned_new_array_is_only_referenced_by_the_caller():
    a = make_empty(4)
    assert sys.getrefcount(a) == 2  # the name and getrefcount's argument


@pytest.mark.parametrize("dtype", ALL_DTYPES, ids=dtype_ids)
@pytest.mark.parametrize("ndim", [1, 2, 3])
def test_passthrough_every_dtype_and_ndim(dtype, ndim):
    a = sample_array(dtype, (2, 3, 4)[:ndim])
    assert passthrough(a) is a
