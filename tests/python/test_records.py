"""Structured dtypes in compiled code (ember/records.py, typeinfer/RecordRules.cpp,
lowering/CodeGenRecord.cpp), against NumPy: arrays of records with a[i].x, a[i]["x"] and
a["x"] / a.x (strided views), record scalars that write through to their array, np.void
records as arguments and results, nested records, subarray fields, np.recarray, iteration,
len, stores in loops and in prange loops; aligned and packed dtypes, C, F and non-contiguous
arrays, and the errors for unknown fields and unsupported field dtypes."""

import gc

import numpy as np
import pytest

import ember
from ember.errors import TypingError, UnsupportedError

RNG = np.random.default_rng(72)

PACKED = np.dtype([("a", "u1"), ("x", "f8"), ("n", "i4"), ("c", "c16"), ("flag", "?")])
ALIGNED = np.dtype([("a", "u1"), ("x", "f8"), ("n", "i4"), ("c", "c16"), ("flag", "?")], align=True)
INNER = np.dtype([("p", "i2"), ("q", "f4")])
NESTED = np.dtype([("id", "i8"), ("inner", INNER), ("w", "f8")])
SUBARRAY = np.dtype([("v", "f8", (3,)), ("m", "i4", (2, 2)), ("k", "u2")])


def filled(dtype, shape):
    a = np.zeros(shape, dtype)
    n = a.size
    a["a"] = RNG.integers(0, 200, size=shape)
    a["x"] = RNG.normal(size=shape)
    a["n"] = RNG.integers(-1000, 1000, size=shape)
    a["c"] = RNG.normal(size=shape) + 1j * RNG.normal(size=shape)
    a["flag"] = (np.arange(n) % 3 == 0).reshape(shape)
    return a


def assert_same_records(a, b):
    """Field by field (padding bytes are not compared: NumPy's copies leave them alone)."""
    assert a.dtype == b.dtype and a.shape == b.shape
    for name in a.dtype.names:
        np.testing.assert_array_equal(a[name], b[name], err_msg=name)


def rec(a):
    """The np.recarray view of a: NumPy's records take r.x only there (the reference runs of
    the Python functions use it; compiled code takes r.x on any record, as Numba)."""
    return a.view(np.recarray)


@pytest.fixture(params=[PACKED, ALIGNED], ids=["packed", "aligned"])
def dtype(request):
    return request.param


# ---- reading fields ---------------------------------------------------------------------------


@ember.jit
def weighted(a):
    s = 0.0
    for i in range(len(a)):
        s += a[i].x * a[i].n + a[i]["a"] - a[i].c.imag
        if a[i].flag:
            s += 1.0
    return s


def test_fields_of_elements(dtype):
    a = filled(dtype, 11)
    expected = weighted.py_func(rec(a))
    assert weighted(a) == pytest.approx(expected, rel=1e-12)
    assert weighted(a[::-3]) == pytest.approx(weighted.py_func(rec(a[::-3])), rel=1e-12)
    assert weighted(a[:0]) == 0.0


@ember.jit
def field_views(a):
    return a["x"], a.n, a["c"]


def test_field_views_match_numpy(dtype):
    a = filled(dtype, 9)
    x, n, c = field_views(a)
    np.testing.assert_array_equal(x, a["x"])
    np.testing.assert_array_equal(n, a["n"])
    np.testing.assert_array_equal(c, a["c"])
    x[2] = 99.5  # a view: writes reach the record array
    assert a[2]["x"] == 99.5


@ember.jit
def view_sum(a):
    v = a["x"]
    s = 0.0
    for i in range(v.shape[0]):
        for j in range(v.shape[1]):
            s += v[i, j] * (i + 1) - j
    return s, a.shape, a.size, a.ndim, a.itemsize


@pytest.mark.parametrize("order", ["C", "F"])
def test_two_dimensional_and_orders(dtype, order):
    a = np.asarray(filled(dtype, (4, 5)), order=order)
    assert a.flags[order + "_CONTIGUOUS"]
    s, shape, size, ndim, itemsize = view_sum(a)
    assert s == pytest.approx(view_sum.py_func(a)[0], rel=1e-12)
    assert (shape, size, ndim, itemsize) == (a.shape, a.size, a.ndim, dtype.itemsize)
    b = a[1:, ::2]  # not contiguous
    assert view_sum(b)[0] == pytest.approx(view_sum.py_func(b)[0], rel=1e-12)


@ember.jit
def element_2d(a, i, j):
    r = a[i, j]
    return r.x + a[i][j].n


def test_two_dimensional_elements(dtype):
    a = filled(dtype, (3, 4))
    for i, j in [(0, 0), (2, 3), (-1, -2)]:
        assert element_2d(a, i, j) == element_2d.py_func(rec(a), i, j)
    assert element_2d(a.T, 3, 1) == element_2d.py_func(rec(a.T), 3, 1)


# ---- writing through records ------------------------------------------------------------------


@ember.jit
def scale(a, k):
    for i in range(len(a)):
        r = a[i]
        r.x = r.x * k
        r["n"] = r.n + 1
        a[i].flag = not r.flag
        a["a"][i] = 7


def test_record_scalars_write_through(dtype):
    a = filled(dtype, 8)
    b = a.copy()
    scale(a, 2.5)
    scale.py_func(rec(b), 2.5)
    assert_same_records(a, b)


@ember.jit
def fill_field(a, v):
    a["x"] = v
    a["n"][::2] = -1


def test_field_view_assignment(dtype):
    a = filled(dtype, 7)
    b = a.copy()
    fill_field(a, 3.25)
    fill_field.py_func(b, 3.25)
    assert_same_records(a, b)


@ember.jit
def swap_records(a, i, j):
    tmp = a[i].x
    a[i] = a[j]
    a[j].x = tmp


def test_record_assignment():
    a = filled(ALIGNED, 5)
    b = a.copy()
    swap_records(a, 1, 3)
    swap_records.py_func(rec(b), 1, 3)
    assert_same_records(a, b)


# ---- records as arguments and results ---------------------------------------------------------


@ember.jit
def record_arg(r):
    r.n = r.n * 2
    return r.x + r.n


@ember.jit
def get_record(a, i):
    return a[i]


def test_record_arguments_and_results(dtype):
    a = filled(dtype, 4)
    expected = a[2]["x"] + 2 * a[2]["n"]
    n2 = 2 * a[2]["n"]
    assert record_arg(a[2]) == pytest.approx(expected)
    assert a[2]["n"] == n2  # np.void from a[2] is a view of the array: the store reached it
    r = get_record(a, 1)
    assert isinstance(r, np.void) and r.dtype == a.dtype
    assert r.tobytes() == a[1].tobytes()
    a[1]["x"] = -5.0  # the result is a copy, as Numba's
    assert r["x"] != -5.0


# ---- nested records and subarrays -------------------------------------------------------------


@ember.jit
def nested(a):
    s = 0.0
    for r in a:
        s += r.inner.p * r.w + r["inner"]["q"]
        r.inner.p = r.id
    return s, a["inner"]["q"], a.inner


def test_nested_records():
    a = np.zeros(6, NESTED)
    a["id"] = np.arange(6) * 3
    a["inner"]["p"] = np.arange(6) - 2
    a["inner"]["q"] = RNG.normal(size=6)
    a["w"] = RNG.normal(size=6)
    expected = float(np.sum(a["inner"]["p"] * a["w"] + a["inner"]["q"].astype(np.float64)))
    s, q, inner = nested(a)
    assert s == pytest.approx(expected, rel=1e-6)
    np.testing.assert_array_equal(a["inner"]["p"], a["id"])  # written through r.inner
    np.testing.assert_array_equal(q, a["inner"]["q"])
    assert inner.dtype == INNER
    assert_same_records(inner, a["inner"])


@ember.jit
def subarrays(a):
    s = 0.0
    for i in range(len(a)):
        r = a[i]
        for j in range(3):
            s += r.v[j] * (j + 1)
            r.v[j] += 1.0
        s += r.m[1, 0] - r.m.sum() + r.k
    return s, a["v"], a[0].m


def test_subarray_fields():
    a = np.zeros(5, SUBARRAY)
    a["v"] = RNG.normal(size=(5, 3))
    a["m"] = RNG.integers(-9, 9, size=(5, 2, 2))
    a["k"] = np.arange(5)
    b = a.copy()
    s, v, m0 = subarrays(a)
    s2, _, _ = subarrays.py_func(rec(b))
    assert s == pytest.approx(s2, rel=1e-12)
    assert_same_records(a, b)
    np.testing.assert_array_equal(v, a["v"])
    np.testing.assert_array_equal(m0, a[0]["m"])


@ember.jit
def subarray_of(a, i):
    return a[i].v


def test_returned_subarray_keeps_its_buffer_alive():
    a = np.zeros(3, SUBARRAY)
    a["v"] = np.arange(9.0).reshape(3, 3)
    v = subarray_of(a, 1)
    del a
    gc.collect()
    junk = [np.full(3 * 40, 7.0) for _ in range(50)]  # reuse freed memory if it were freed
    np.testing.assert_array_equal(v, [3.0, 4.0, 5.0])
    del junk


# ---- np.recarray, iteration, prange -----------------------------------------------------------


@ember.jit
def recarray_sum(a):
    total = 0.0
    for r in a:
        total += r.x
    return total + a.x[0] + len(a)


def test_recarray_attributes_and_iteration(dtype):
    a = filled(dtype, 6).view(np.recarray)
    assert recarray_sum(a) == pytest.approx(a.x.sum() + a.x[0] + 6, rel=1e-12)


@ember.jit(parallel=True)
def parallel_update(a):
    for i in ember.prange(len(a)):
        a[i].x = a[i].n * 0.5
        a["a"][i] = i % 100


def test_records_in_prange_loops(dtype):
    a = filled(dtype, 1000)
    b = a.copy()
    parallel_update(a)
    parallel_update.py_func(rec(b))
    assert_same_records(a, b)


# ---- errors -----------------------------------------------------------------------------------


def test_unknown_field_is_a_typing_error_naming_it():
    @ember.jit
    def bad(a):
        return a[0].nosuch

    with pytest.raises(TypingError, match="nosuch") as info:
        bad(filled(PACKED, 3))
    assert "return a[0].nosuch" in str(info.value)

    @ember.jit
    def bad_key(a):
        return a["nokey"]

    with pytest.raises(TypingError, match="nokey"):
        bad_key(filled(PACKED, 3))


def test_wrong_store_type_and_readonly():
    @ember.jit
    def store_complex(a):
        a[0].x = 1j

    with pytest.raises(TypingError, match="'x'"):
        store_complex(filled(ALIGNED, 2))

    @ember.jit
    def store(a):
        a[0].x = 1.0

    ro = filled(ALIGNED, 2)
    ro.flags.writeable = False
    with pytest.raises(TypingError, match="read-only"):
        store(ro)


def test_datetime_fields_are_unsupported_by_name():
    # (S and U char fields are supported: tests/python/test_records_chars.py)
    dt = np.dtype([("when", "M8[s]"), ("x", "f8")])
    a = np.zeros(3, dt)
    a["x"] = [1.0, 2.0, 3.0]

    @ember.jit
    def when_of(a):
        return a[0].when

    @ember.jit
    def x_of(a):
        return a[2].x

    with pytest.raises(UnsupportedError, match="'when'.*datetime64"):
        when_of(a)
    assert x_of(a) == 3.0  # the other fields are usable


def test_object_fields_are_unsupported():
    @ember.jit
    def first(a):
        return a[0]

    with pytest.raises(UnsupportedError, match="structured"):
        first(np.zeros(2, dtype=[("x", "f8"), ("o", "O")]))


# ---- views of arrays of records ---------------------------------------------------------------


@ember.jit
def rows_and_slices(a):
    s = 0.0
    for row in a:  # a 1-d array of records per row
        for r in row:
            s += r.x
    return s, a[1:, ::2], a.T, a[0]


def test_rows_slices_and_transpose_come_back_as_views(dtype):
    a = filled(dtype, (3, 4))
    s, sub, t, row = rows_and_slices(a)
    assert s == pytest.approx(a["x"].sum(), rel=1e-12)
    assert sub.dtype == a.dtype and sub.shape == (2, 2)
    assert_same_records(sub, a[1:, ::2])
    assert_same_records(t, a.T)
    assert_same_records(row, a[0])
    sub[0, 0]["n"] = 12345  # views of the argument's buffer
    assert a[1, 0]["n"] == 12345


def test_np_record_arguments():
    a = rec(filled(ALIGNED, 3))
    assert isinstance(a[1], np.record)
    n2 = 2 * a[1].n
    assert record_arg(a[1]) == pytest.approx(a[1].x + n2)
    assert a[1].n == n2


def test_a_field_named_like_an_attribute():
    dt = np.dtype([("size", "i8"), ("shape", "f8")])
    a = np.zeros(3, dt)
    a["size"] = [4, 5, 6]

    @ember.jit
    def f(a):
        return a.size, a["size"].sum(), a[1].size

    assert f(a) == (3, 15, 5)  # ndarray attributes first, as NumPy's recarray and Numba


def test_memoryview_is_unsupported_by_name():
    # (bytes and bytearray are supported: tests/python/test_bytes.py)
    @ember.jit
    def first(b):
        return b[0]

    with pytest.raises(UnsupportedError, match="memoryview"):
        first(memoryview(b"abc"))
    assert first(b"abc") == ord("a")


@ember.jit
def field_expressions(a):
    return a["x"] * 2.0 + a.n, np.sum(a["x"]), a["n"].max()


def test_whole_array_operations_on_field_views(dtype):
    a = filled(dtype, (5, 3))
    e, s, m = field_expressions(a)
    np.testing.assert_allclose(e, a["x"] * 2.0 + a["n"], rtol=1e-15)
    assert s == pytest.approx(a["x"].sum(), rel=1e-12)
    assert m == a["n"].max()


def test_typeof_names_records():
    a = filled(PACKED, (2, 3))
    t = ember.typeof(a)
    assert (t.ndim, t.layout, t.readonly) == (2, "C", False)
    assert t.dtype == ember.typeof(a[0, 0])
    assert repr(t.dtype) == f"Record({PACKED})"
