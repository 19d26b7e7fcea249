"""``@ember.vectorize`` and ``@ember.guvectorize``: real NumPy ufuncs over compiled kernels.
Against NumPy: broadcasting, out=, dtype=, the ufunc methods (reduce, accumulate, outer, at),
types and identity; vectorize without signatures (a loop per input dtype); target='parallel';
ufuncs called from jitted functions; gufuncs with the usual layouts, explicit outputs,
broadcasting over loop dimensions; and the errors (a kernel that raises, bad layouts)."""
import gc
import os
import subprocess
import sys

import numpy as np
import pytest
from conftest import assert_same, sample_array
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import ember
from ember import _ember
from ember.errors import TypingError

fast = settings(max_examples=20, deadline=None)


@ember.vectorize(["float64(float64, float64)", "float32(float32, float32)"])
def rel_diff(a, b):
    return (a - b) / (abs(a) + abs(b) + 1)


def np_rel_diff(a, b):
    return (a - b) / (np.abs(a) + np.abs(b) + 1)


@ember.vectorize(["int64(int64, int64)", "float64(float64, float64)"], identity=0)
def add(a, b):
    return a + b


@ember.vectorize(["int64(int64, int64)", "float64(float64, float64)"], identity=1)
def mul(a, b):
    return a * b


@ember.vectorize(["int64(int64, int64)", "float64(float64, float64)"], identity=0,
                 target="parallel")
def add_parallel(a, b):
    return a + b


@ember.vectorize(["float64(float64, float64)"])
def no_identity_max(a, b):
    return a if a >= b else b


def layouts(a):
    """a (ndim >= 1) as C, F, negative-stride and strided arrays with the same values."""
    out = [np.ascontiguousarray(a), np.asfortranarray(a),
           np.flip(np.ascontiguousarray(np.flip(a)))]
    big = np.zeros(tuple(2 * s for s in a.shape), a.dtype)
    big[tuple(slice(None, None, 2) for _ in a.shape)] = a
    out.append(big[tuple(slice(None, None, 2) for _ in a.shape)])
    return out


# ---- a real ufunc ----------------------------------------------------------------------------

def test_vectorize_returns_a_numpy_ufunc():
    assert isinstance(rel_diff, np.ufunc)
    assert (rel_diff.nin, rel_diff.nout, rel_diff.nargs) == (2, 1, 3)
    assert rel_diff.__name__ == "rel_diff"
    assert sorted(rel_diff.types) == ["dd->d", "ff->f"]
    assert rel_diff.ntypes == 2
    assert rel_diff.identity is None
    assert add.identity == 0 and mul.identity == 1
    assert sorted(add.types) == ["dd->d", "ll->l"] or sorted(add.types) == ["dd->d", "qq->q"]


BROADCAST = [((3, 1), (4,)), ((1,), (5,)), ((5,), (1,)), ((2, 3), (2, 3)), ((0,), (1,)),
             ((2, 1, 3), (4, 1)), ((), (3,)), ((), ())]


@pytest.mark.parametrize("sa,sb", BROADCAST, ids=str)
@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=str)
def test_broadcasting(sa, sb, dtype):
    a = sample_array(dtype, sa, 1)
    b = sample_array(dtype, sb, 2)
    got = rel_diff(a, b)
    expected = np_rel_diff(a, b)
    assert got.dtype == np.dtype(dtype)
    assert_same(np.asarray(got), np.asarray(expected), rel=1e-6 if dtype == np.float32 else 1e-15)


def test_layouts_and_scalars():
    a = sample_array(np.float64, (4, 5), 3)
    b = sample_array(np.float64, (5,), 4)
    for x in layouts(a):
        for y in layouts(b):
            assert_same(rel_diff(x, y), np_rel_diff(x, y), rel=1e-15)
    assert isinstance(rel_diff(1.0, 3.0), float)
    assert rel_diff(1.0, 3.0) == pytest.approx(np_rel_diff(1.0, 3.0))
    assert_same(rel_diff(a, 2.0), np_rel_diff(a, 2.0), rel=1e-15)


def test_input_casting():
    """int inputs cast safely to the float64 loop; float32 with float64 -> float64."""
    i = np.arange(-3, 4)
    assert_same(rel_diff(i, i[::-1]), np_rel_diff(i.astype(float), i[::-1].astype(float)))
    f32 = sample_array(np.float32, (6,), 5)
    f64 = sample_array(np.float64, (6,), 6)
    assert rel_diff(f32, f64).dtype == np.float64
    with pytest.raises(TypeError):   # complex cannot be cast safely to any loop
        rel_diff(np.ones(2, np.complex128), np.ones(2))


def test_out_argument():
    a = sample_array(np.float64, (3, 4), 7)
    b = sample_array(np.float64, (4,), 8)
    expected = np_rel_diff(a, b)
    out = np.empty((3, 4))
    r = rel_diff(a, b, out=out)
    assert r is out
    assert_same(out, expected, rel=1e-15)
    out_f = np.zeros((3, 4), order="F")
    rel_diff(a, b, out=out_f)
    assert_same(out_f, expected, rel=1e-15)
    big = np.zeros((6, 8))
    view = big[::2, ::-2]
    rel_diff(a, b, out=view)
    assert_same(view, expected, rel=1e-15)
    assert np.count_nonzero(big) == np.count_nonzero(expected)
    out_tuple = (np.empty((3, 4)),)
    rel_diff(a, b, out=out_tuple)
    assert_same(out_tuple[0], expected, rel=1e-15)
    with pytest.raises(ValueError):
        rel_diff(a, b, out=np.empty((2, 4)))


def test_in_place_through_out():
    a = sample_array(np.float64, (10,), 9)
    expected = np_rel_diff(a, a[::-1])
    rel_diff(a, a[::-1].copy(), out=a)
    assert_same(a, expected, rel=1e-15)


def test_dtype_argument():
    a = sample_array(np.float64, (5,), 10)
    b = sample_array(np.float64, (5,), 11)
    got = rel_diff(a, b, dtype=np.float32)
    assert got.dtype == np.float32
    assert_same(got, np_rel_diff(a.astype(np.float32), b.astype(np.float32)), rel=1e-6)
    f32 = a.astype(np.float32)
    got = rel_diff(f32, f32[::-1], dtype=np.float64)
    assert got.dtype == np.float64
    assert_same(got, np_rel_diff(f32.astype(np.float64), f32[::-1].astype(np.float64)),
                rel=1e-15)


@given(arrays=hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3,
                                                max_side=4),
       dtype=st.sampled_from([np.float32, np.float64]))
@fast
def test_broadcasting_random_shapes(arrays, dtype):
    a = sample_array(dtype, arrays.input_shapes[0], 12)
    b = sample_array(dtype, arrays.input_shapes[1], 13)
    got = np.asarray(rel_diff(a, b))
    assert got.shape == arrays.result_shape
    assert_same(got, np.asarray(np_rel_diff(a, b)), rel=1e-6)


# ---- ufunc methods ---------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", [np.int64, np.float64], ids=str)
def test_reduce(dtype):
    a = sample_array(dtype, (4, 5), 14)
    assert_same(np.asarray(add.reduce(a)), np.add.reduce(a), rel=1e-14)
    assert_same(add.reduce(a, axis=1), np.add.reduce(a, axis=1), rel=1e-14)
    assert_same(add.reduce(a, axis=None).item(), np.add.reduce(a, axis=None).item(), rel=1e-14)
    assert_same(add.reduce(a, axis=0, keepdims=True), np.add.reduce(a, axis=0, keepdims=True),
                rel=1e-14)
    assert_same(mul.reduce(a[:, :3] % 5 + 1, axis=1), np.multiply.reduce(a[:, :3] % 5 + 1, axis=1),
                rel=1e-14)
    for v in layouts(a):
        assert_same(add.reduce(v, axis=-1), np.add.reduce(v, axis=-1), rel=1e-14)


def test_reduce_of_empty_uses_the_identity():
    assert add.reduce(np.zeros(0)) == 0.0
    assert mul.reduce(np.zeros(0)) == 1.0
    assert_same(add.reduce(np.zeros((0, 3)), axis=0), np.zeros(3))
    assert_same(mul.reduce(np.zeros((2, 0), np.int64), axis=1), np.ones(2, np.int64))
    with pytest.raises(ValueError):
        no_identity_max.reduce(np.zeros(0))
    assert no_identity_max.reduce(np.array([3.0, 7.0, -1.0])) == 7.0


def test_accumulate():
    a = sample_array(np.float64, (3, 4), 15)
    assert_same(add.accumulate(a), np.add.accumulate(a), rel=1e-14)
    assert_same(add.accumulate(a, axis=1), np.add.accumulate(a, axis=1), rel=1e-14)
    assert_same(mul.accumulate(np.arange(1, 8)), np.multiply.accumulate(np.arange(1, 8)))
    assert_same(rel_diff.accumulate(a[0]), np.asarray(_py_accumulate(a[0])), rel=1e-14)
    assert_same(add.accumulate(np.zeros(0)), np.zeros(0))


def _py_accumulate(x):
    out = [x[0]]
    for v in x[1:]:
        out.append(np_rel_diff(out[-1], v))
    return out


def test_outer():
    a = sample_array(np.float64, (3,), 16)
    b = sample_array(np.float64, (4,), 17)
    assert_same(rel_diff.outer(a, b), np_rel_diff(a[:, None], b[None, :]), rel=1e-15)
    assert_same(add.outer(np.arange(3), np.arange(4)), np.add.outer(np.arange(3), np.arange(4)))
    m = sample_array(np.float64, (2, 3), 18)
    assert_same(add.outer(m, b), np.add.outer(m, b), rel=1e-15)


def test_at():
    a = np.zeros(5)
    idx = np.array([0, 1, 1, 4, 4, 4])
    add.at(a, idx, 1.0)
    expected = np.zeros(5)
    np.add.at(expected, idx, 1.0)
    assert_same(a, expected)
    b = np.arange(6, dtype=np.int64)
    mul.at(b, [1, 1, 5], np.array([2, 3, 4]))
    assert_same(b, np.array([0, 6, 2, 3, 4, 20]))


def test_reduceat():
    a = np.arange(8.0)
    assert_same(add.reduceat(a, [0, 4, 1]), np.add.reduceat(a, [0, 4, 1]))


# ---- vectorize without signatures ------------------------------------------------------------

@ember.vectorize
def poly(x, y):
    return x * y + x - y


def test_dynamic_ufunc_compiles_per_dtype():
    for dtype in (np.int64, np.float64, np.float32):
        a = sample_array(dtype, (7,), 19)
        b = sample_array(dtype, (7,), 20)
        got = poly(a, b)
        expected = a * b + a - b
        assert got.dtype == expected.dtype, f"{dtype}: {got.dtype} != {expected.dtype}"
        assert_same(got, expected, rel=1e-6)
    assert poly.ntypes >= 3
    assert poly(3, 4) == 11
    assert poly(1.5, 2.0) == pytest.approx(1.5 * 2.0 + 1.5 - 2.0)


def test_dynamic_ufunc_broadcast_and_methods():
    a = sample_array(np.float64, (3, 1), 21)
    b = sample_array(np.float64, (4,), 22)
    assert_same(poly(a, b), a * b + a - b, rel=1e-14)
    out = np.empty((3, 4))
    poly(a, b, out=out)
    assert_same(out, a * b + a - b, rel=1e-14)
    x = np.array([1.0, 2.0, 3.0])
    assert poly.reduce(x) == pytest.approx((1.0 * 2.0 + 1.0 - 2.0) * 3.0 + (1.0 * 2.0 + 1.0 - 2.0)
                                           - 3.0)
    assert_same(poly.outer(x, x), x[:, None] * x[None, :] + x[:, None] - x[None, :])


# ---- target='parallel' -----------------------------------------------------------------------

@ember.vectorize(["float64(float64, float64)", "float32(float32, float32)"], target="parallel")
def rel_diff_parallel(a, b):
    return (a - b) / (abs(a) + abs(b) + 1)


def test_parallel_target_matches_cpu():
    rng = np.random.default_rng(23)
    a = rng.normal(size=10**6)
    b = rng.normal(size=10**6)
    np.testing.assert_array_equal(rel_diff_parallel(a, b), rel_diff(a, b))
    np.testing.assert_array_equal(rel_diff_parallel(a[::-2], b[::2]), rel_diff(a[::-2], b[::2]))
    a2 = a.reshape(1000, 1000)
    np.testing.assert_array_equal(rel_diff_parallel(a2, b[:1000]), rel_diff(a2, b[:1000]))
    f = a.astype(np.float32)
    np.testing.assert_array_equal(rel_diff_parallel(f, f[::-1]), rel_diff(f, f[::-1]))
    out = np.empty(10**6)
    rel_diff_parallel(a, b, out=out)
    np.testing.assert_array_equal(out, rel_diff(a, b))
    assert_same(rel_diff_parallel(a[:5], b[:5]), rel_diff(a[:5], b[:5]))
    assert isinstance(rel_diff_parallel, np.ufunc)


def test_parallel_target_methods_match_cpu():
    """reduce / accumulate / reduceat / outer of a parallel ufunc: the same as the cpu one."""
    for n in (10, 10**5, 10**6):
        x = np.ones(n)
        np.testing.assert_array_equal(add_parallel.accumulate(x), add.accumulate(x))
        assert add_parallel.reduce(x) == n
    y = np.random.default_rng(0).normal(size=10**6)
    np.testing.assert_allclose(add_parallel.accumulate(y), np.add.accumulate(y), rtol=1e-9,
                               atol=1e-9)
    assert_same(add_parallel.reduceat(y, [0, 10, 500_000]), np.add.reduceat(y, [0, 10, 500_000]),
                rel=1e-9)
    m = y.reshape(1000, 1000)
    assert_same(add_parallel.accumulate(m, axis=1), np.add.accumulate(m, axis=1), rel=1e-9,
                abs_tol=1e-9)
    assert_same(add_parallel.reduce(m, axis=0), np.add.reduce(m, axis=0), rel=1e-9,
                abs_tol=1e-9)
    assert_same(add_parallel.outer(y[:700], y[:900]), np.add.outer(y[:700], y[:900]))


@ember.vectorize(target="parallel")
def poly_parallel(x, y):
    return x * y + x - y


def test_parallel_dynamic_ufunc():
    rng = np.random.default_rng(1)
    a = rng.normal(size=10**6)
    b = rng.normal(size=10**6)
    np.testing.assert_array_equal(poly_parallel(a, b), poly(a, b))
    i = rng.integers(-100, 100, 10**6)
    np.testing.assert_array_equal(poly_parallel(i, i[::-1]), i * i[::-1] + i - i[::-1])


# ---- ufuncs from jitted code -----------------------------------------------------------------

@ember.jit
def call_with_scalars(x, y):
    return rel_diff(x, y) + add(2, 3) + poly(1.5, 2.0)


@ember.jit
def call_with_arrays(a, b):
    return rel_diff(a, b), add(a, 1.0), rel_diff(a, 2.0)


def test_ufunc_called_from_jitted_code():
    assert call_with_scalars(1.0, 3.0) == pytest.approx(np_rel_diff(1.0, 3.0) + 5 + 2.5)
    a = sample_array(np.float64, (3, 4), 24)
    b = sample_array(np.float64, (4,), 25)
    got = call_with_arrays(a, b)
    assert_same(got[0], np_rel_diff(a, b), rel=1e-15)
    assert_same(got[1], a + 1.0)
    assert_same(got[2], np_rel_diff(a, 2.0), rel=1e-15)
    got = call_with_arrays(a[::-1], a[::2, ::-1][1])
    assert_same(got[0], np_rel_diff(a[::-1], a[::2, ::-1][1]), rel=1e-15)


def test_ufunc_from_jitted_code_does_not_leak():
    a = np.ones(100)
    call_with_arrays(a, a)
    gc.collect()
    before = _ember.live_meminfos()
    for _ in range(10):
        call_with_arrays(a, a)
    gc.collect()
    assert _ember.live_meminfos() == before


# ---- guvectorize -----------------------------------------------------------------------------

@ember.guvectorize(["void(float64[:], float64, float64[:])", "void(int64[:], int64, int64[:])"],
                   "(n),()->(n)")
def add_scalar(x, y, out):
    for i in range(x.shape[0]):
        out[i] = x[i] + y


@ember.guvectorize(["void(float64[:], float64[:], float64[:])"], "(n),(n)->()")
def gdot(x, y, res):
    s = 0.0
    for i in range(x.shape[0]):
        s += x[i] * y[i]
    res[0] = s


@ember.guvectorize(["void(float64[:, :], float64[:], float64[:])",
                    "void(float32[:, :], float32[:], float32[:])"], "(m,n),(n)->(m)")
def matvec(a, x, out):
    for i in range(a.shape[0]):
        s = 0.0
        for j in range(a.shape[1]):
            s += a[i, j] * x[j]
        out[i] = s


@ember.guvectorize(["void(float64[:, :], float64[:], float64[:])"], "(m,n),(n)->(m)",
                   target="parallel")
def matvec_parallel(a, x, out):
    for i in range(a.shape[0]):
        s = 0.0
        for j in range(a.shape[1]):
            s += a[i, j] * x[j]
        out[i] = s


def test_gufunc_is_a_numpy_ufunc():
    assert isinstance(matvec, np.ufunc)
    assert matvec.signature == "(m,n),(n)->(m)"
    assert (gdot.nin, gdot.nout) == (2, 1)


def test_gufunc_elementwise_core():
    x = np.arange(6.0).reshape(2, 3)
    assert_same(add_scalar(x, 10.0), x + 10.0)
    # y broadcasts over the loop dimension: row i gets y[i]
    assert_same(add_scalar(x, np.array([1.0, 2.0])), x + np.array([[1.0], [2.0]]))
    assert add_scalar(x, np.array([1.0, 2.0])[:, None]).shape == (2, 2, 3)
    i = np.arange(5)
    assert_same(add_scalar(i, np.int64(3)), i + 3)
    for v in layouts(x):
        assert_same(add_scalar(v, -1.0), v - 1.0)


def test_gufunc_reduction_core():
    x = sample_array(np.float64, (4, 6), 26)
    y = sample_array(np.float64, (6,), 27)
    assert_same(gdot(x, y), x @ y, rel=1e-14)
    assert isinstance(gdot(y, y), float) or np.ndim(gdot(y, y)) == 0
    assert float(gdot(y, y)) == pytest.approx(float(y @ y))
    for v in layouts(x):
        assert_same(gdot(v, y[::-1]), v @ y[::-1], rel=1e-14)


@pytest.mark.parametrize("f", [matvec, matvec_parallel], ids=["cpu", "parallel"])
def test_gufunc_matvec(f):
    a = sample_array(np.float64, (3, 4), 28)
    x = sample_array(np.float64, (4,), 29)
    assert_same(f(a, x), a @ x, rel=1e-14)
    for v in layouts(a):
        assert_same(f(v, x), v @ x, rel=1e-14)
    # broadcasting over the leading (loop) dimensions
    stack = sample_array(np.float64, (5, 2, 3, 4), 30)
    xs = sample_array(np.float64, (2, 4), 31)
    assert_same(f(stack, xs), np.einsum("...mn,...n->...m", stack, xs), rel=1e-12,
                abs_tol=1e-12)
    big = sample_array(np.float64, (2000, 8, 8), 32)
    assert_same(f(big, x[:2].repeat(4)), big @ x[:2].repeat(4), rel=1e-12, abs_tol=1e-12)


def test_gufunc_matvec_float32():
    a = sample_array(np.float32, (6, 3, 4), 33)
    x = sample_array(np.float32, (4,), 34)
    got = matvec(a, x)
    assert got.dtype == np.float32
    assert_same(got, a @ x, rel=1e-5)


def test_gufunc_explicit_outputs():
    a = sample_array(np.float64, (5, 3, 4), 35)
    x = sample_array(np.float64, (4,), 36)
    out = np.full((5, 3), np.nan)
    r = matvec(a, x, out)
    assert r is out
    assert_same(out, a @ x, rel=1e-14)
    out2 = np.zeros((5, 3))
    matvec(a, x, out=out2)
    assert_same(out2, a @ x, rel=1e-14)
    strided = np.zeros((10, 6))[::2, ::-2]
    matvec(a, x, out=strided)
    assert_same(strided, a @ x, rel=1e-14)
    res = np.zeros(5)
    gdot(a[:, 0, :], x, res)
    assert_same(res, a[:, 0, :] @ x, rel=1e-14)
    same = np.arange(8.0).reshape(2, 4)
    add_scalar(same, 1.0, same)   # in place
    assert_same(same, np.arange(8.0).reshape(2, 4) + 1.0)
    with pytest.raises(ValueError):
        matvec(a, x, np.zeros((5, 4)))


def test_gufunc_core_dimension_mismatch_raises():
    with pytest.raises(ValueError):
        matvec(np.ones((3, 4)), np.ones(5))
    with pytest.raises(ValueError):
        gdot(np.ones(3), np.ones(4))


# ---- errors ----------------------------------------------------------------------------------

@ember.vectorize(["float64(float64)"])
def checked(x):
    if x < 0:
        raise ValueError("bad")
    return x * 2


@ember.vectorize(["float64(float64)"], target="parallel")
def checked_parallel(x):
    if x < 0:
        raise ValueError("bad")
    return x * 2


def test_kernel_exception_reaches_the_caller():
    """A kernel that raises: the ufunc call raises that exception (as in Numba)."""
    assert_same(checked(np.array([1.0, 2.0])), np.array([2.0, 4.0]))
    with pytest.raises(ValueError, match="bad"):
        checked(np.array([1.0, -1.0, 3.0]))
    with pytest.raises(ValueError, match="bad"):
        checked(-1.0)
    a = np.ones(10**5)
    a[77_777] = -1.0
    with pytest.raises(ValueError, match="bad"):
        checked_parallel(a)
    a[77_777] = 1.0
    assert_same(checked_parallel(a), a * 2)


def test_gufunc_kernel_exception_reaches_the_caller():
    @ember.guvectorize(["void(float64[:], float64[:])"], "(n)->()")
    def first_positive(x, out):
        if x[0] < 0:
            raise ValueError("negative first element")
        out[0] = x[0]

    assert_same(first_positive(np.array([[1.0, 2.0], [3.0, 4.0]])), np.array([1.0, 3.0]))
    with pytest.raises(ValueError, match="negative first element"):
        first_positive(np.array([[1.0, 2.0], [-3.0, 4.0]]))


@pytest.mark.parametrize("layout", ["(n)(n)", "(n),(n)", "(n)->", "->(n)", "(n,->(n)"])
def test_bad_layout_raises(layout):
    with pytest.raises((ValueError, TypingError)):
        @ember.guvectorize(["void(float64[:], float64[:])"], layout)
        def f(x, out):
            out[0] = x[0]


def test_layout_and_signature_mismatches_raise():
    with pytest.raises(TypingError):   # three arguments in the layout, two in the function
        @ember.guvectorize(["void(float64[:], float64[:])"], "(n),(n)->(n)")
        def f(x, out):
            out[0] = x[0]
    with pytest.raises(TypingError):   # a 2-D argument where the layout has one core dim
        @ember.guvectorize(["void(float64[:, :], float64[:])"], "(n)->(n)")
        def g(x, out):
            out[0] = x[0, 0]
    with pytest.raises(TypingError):
        @ember.vectorize(["float64(float64)"])
        def h(x, y):
            return x + y


def test_bad_target_and_identity_raise():
    with pytest.raises(ValueError):
        ember.vectorize(["float64(float64)"], target="gpu")(lambda x: x)
    with pytest.raises(ValueError):
        ember.vectorize(["float64(float64)"], identity=5)(lambda x: x)


# ---- gufuncs called from jitted code ----------------------------------------------------------

@ember.njit
def jit_gdot(x, y, out):
    r = gdot(x, y, out)
    return r


@ember.njit
def jit_matvec(a, x):
    out = np.empty((a.shape[0], a.shape[1]), a.dtype)
    matvec(a, x, out)
    return out


@ember.njit
def jit_matvec_parallel(a, x, out):
    return matvec_parallel(a, x, out)


@ember.njit
def jit_add_scalar(x, y):
    out = np.empty_like(x)
    add_scalar(x, y, out)
    return out


def test_gufunc_from_jitted_code_matches_the_gufunc():
    rng = np.random.default_rng(5)
    x, y = rng.normal(size=(6, 4)), rng.normal(size=(6, 4))
    out = np.empty(6)
    r = jit_gdot(x, y, out)
    np.testing.assert_allclose(out, gdot(x, y), rtol=1e-12)
    assert r is out or np.shares_memory(r, out)  # the output is the call's value, as in NumPy
    # Outer dimensions broadcast: one vector against every row, F-ordered and reversed inputs.
    jit_gdot(x, y[2], out)
    np.testing.assert_allclose(out, x @ y[2], rtol=1e-12)
    jit_gdot(np.asfortranarray(x)[::-1], y[::-1], out)
    np.testing.assert_allclose(out, gdot(x[::-1], y[::-1]), rtol=1e-12)
    a = rng.normal(size=(3, 5, 4))
    for arr, vec in ((a, y[0]), (a.astype(np.float32), y[0].astype(np.float32))):
        got = jit_matvec(arr, vec)
        assert got.dtype == arr.dtype
        np.testing.assert_allclose(got, matvec(arr, vec), rtol=1e-5)
    out2 = np.empty((3, 5))
    jit_matvec_parallel(a, y[1], out2)
    np.testing.assert_allclose(out2, a @ y[1], rtol=1e-12)
    np.testing.assert_array_equal(jit_add_scalar(x, 2.5), add_scalar(x, 2.5))
    xi = np.arange(12).reshape(3, 4)
    np.testing.assert_array_equal(jit_add_scalar(xi, 7), xi + 7)


def test_gufunc_from_jitted_code_errors():
    x = np.ones((4, 3))
    with pytest.raises(ValueError, match="core dimensions"):
        jit_gdot(x, np.ones((4, 2)), np.empty(4))
    with pytest.raises(ValueError, match="broadcast"):
        jit_gdot(x, np.ones((3, 3)), np.empty(4))
    with pytest.raises(ValueError, match="output"):
        jit_gdot(x, x, np.empty(3))

    @ember.njit
    def no_output(a):
        return gdot(a, a)
    with pytest.raises(ember.errors.UnsupportedError, match="output") as info:
        no_output(x)
    assert info.value.line == no_output.py_func.__code__.co_firstlineno + 2

    @ember.njit
    def wrong_dtype(a, out):
        gdot(a, a, out)
    with pytest.raises(TypingError, match="no loop"):
        wrong_dtype(x.astype(np.int32), np.empty(4, np.int32))


def test_gufunc_from_jitted_code_does_not_leak():
    x = np.ones((5, 3))
    jit_matvec(np.ones((2, 5, 3)), x[0])
    gc.collect()
    before = _ember.live_meminfos()
    for _ in range(100):
        jit_matvec(np.ones((2, 5, 3)), x[0])
    gc.collect()
    assert _ember.live_meminfos() == before


STREAMING_SCRIPT = r"""
import numpy as np, ember

@ember.vectorize(["float64(float64, float64)", "float32(float32, float32)",
                  "int64(int64, int64)", "int32(int32, int32)"])
def add(x, y):
    return x + y

@ember.vectorize(["int64(int64, int64)"])
def checked_sub(x, y):
    if y < 0:
        raise ValueError("negative")
    return x - y

checked = 0
for dtype in (np.float64, np.float32, np.int64, np.int32):
    for n in range(0, 41):
        for offset in range(4):  # output starts 0..3 elements into a 16-byte aligned buffer
            a = np.arange(n, dtype=dtype) * 3
            b = np.arange(n, dtype=dtype) + 1
            out = np.zeros(n + 8, dtype)[offset:offset + n]
            add(a, b, out=out)
            assert np.array_equal(out, a + b), (dtype, n, offset)
            checked += 1
# An error part-way: the elements before it are written, as by the plain loop.
for n in (5, 16, 37):
    for k in range(n):
        for offset in range(2):
            x = np.arange(n, dtype=np.int64) + 10
            y = np.full(n, 3, np.int64)
            y[k] = -1
            out = np.full(n + 2, -1, np.int64)[offset:offset + n]
            try:
                checked_sub(x, y, out=out)
            except ValueError:
                pass
            else:
                raise AssertionError("no ValueError")
            assert np.array_equal(out[:k], x[:k] - 3), (n, k, offset, out)
            checked += 1
print(checked)
"""


def test_streaming_stores_path():
    # EMBER_STREAM_THRESHOLD=0 sends every contiguous output down the path that big outputs take
    # (non-temporal stores after an alignment prologue, in 16-byte groups, then a tail).
    env = dict(os.environ, EMBER_STREAM_THRESHOLD="0")
    r = subprocess.run([sys.executable, "-c", STREAMING_SCRIPT], capture_output=True, text=True,
                       timeout=300, env=env)
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-3000:]
    assert int(r.stdout.split()[-1]) == 4 * 41 * 4 + 2 * (5 + 16 + 37)
