"""np.moveaxis and np.roots in compiled code (ember/npapi/reshape.py, polynomials.py) against
NumPy: moveaxis with int and tuple axes, negative axes, on C, F-order and non-contiguous arrays
of 1 to 5 dimensions (the result a view, as NumPy's), and NumPy's AxisError / ValueError for
out-of-range, repeated and mismatched axes; roots of float, int, float32 and complex
coefficients with leading and trailing zeros, strided input, and the rank error.  As in Numba,
a real polynomial with complex roots raises ValueError (the result's dtype cannot depend on
the values)."""
import itertools

import numpy as np
import pytest

import ember


@ember.jit
def moveaxis(a, source, destination):
    return np.moveaxis(a, source, destination)


@ember.jit
def roots(p):
    return np.roots(p)


def _arrays(rng):
    for nd in range(1, 6):
        shape = tuple(int(x) for x in rng.integers(1, 5, size=nd))
        for dt in (np.float64, np.int32, np.complex128, np.bool_):
            a = (rng.normal(size=shape) * 10).astype(dt)
            yield a
        yield np.asfortranarray(rng.normal(size=shape))
        big = rng.normal(size=tuple(2 * s for s in shape))
        yield big[tuple(slice(None, None, 2) for _ in shape)]
        yield big[tuple(slice(None, None, -2) for _ in shape)]


def test_moveaxis_int_and_tuple_axes():
    rng = np.random.default_rng(13)
    for a in _arrays(rng):
        nd = a.ndim
        cases = [(s, d) for s in range(-nd, nd) for d in range(-nd, nd)]
        if nd >= 2:
            for k in range(1, nd + 1):
                src = tuple(int(x) for x in rng.permutation(nd)[:k])
                dst = tuple(int(x) - nd * int(rng.integers(0, 2))
                            for x in rng.permutation(nd)[:k])
                cases.append((src, dst))
        for s, d in cases:
            got, want = moveaxis(a, s, d), np.moveaxis(a, s, d)
            assert got.shape == want.shape and got.dtype == want.dtype
            np.testing.assert_array_equal(got, want)
            assert np.shares_memory(got, a) or a.size == 0  # a view, as NumPy's


def test_moveaxis_is_a_view():
    a = np.zeros((2, 3, 4))
    b = moveaxis(a, 0, -1)
    b[1, 2, 0] = 5.0
    assert a[0, 1, 2] == 5.0


def test_moveaxis_every_permutation_of_4d():
    a = np.arange(2 * 3 * 4 * 5).reshape(2, 3, 4, 5)
    for perm in itertools.permutations(range(4)):
        np.testing.assert_array_equal(moveaxis(a, (0, 1, 2, 3), perm),
                                      np.moveaxis(a, (0, 1, 2, 3), perm))


def _same_error(a, s, d):
    with pytest.raises(Exception) as want:
        np.moveaxis(a, s, d)
    with pytest.raises(want.type) as got:
        moveaxis(a, s, d)
    assert str(got.value) == str(want.value)


def test_moveaxis_errors():
    a = np.zeros((2, 3, 4))
    for s, d in ((3, 0), (0, 3), (-4, 0), (0, -4), ((0, 0), (1, 2)), ((0, 1), (2, 2)),
                 ((0, 1), 0), (0, (1, 2)), ((0, 5), (1,)), ((0, 0), (1, 1, 2))):
        _same_error(a, s, d)
    with pytest.raises(np.exceptions.AxisError):
        moveaxis(a, 3, 0)
    with pytest.raises(ValueError):  # AxisError is a ValueError, as in NumPy
        moveaxis(a, 0, -4)
    _same_error(np.zeros(()), 0, 0)


def test_moveaxis_unsupported_argument():
    with pytest.raises(ember.errors.UnsupportedError):
        moveaxis(np.zeros((2, 3)), 0.5, 1)


def _close_roots(got, want):
    assert got.shape == want.shape
    np.testing.assert_allclose(np.sort_complex(got), np.sort_complex(want), rtol=1e-6, atol=1e-6)


def test_roots_real():
    rng = np.random.default_rng(7)
    for n in range(1, 7):
        for _ in range(4):
            r = np.sort(rng.normal(size=n) * 3)
            p = np.poly(r)
            for q in (p, np.concatenate(([0.0, 0.0], p, [0.0])), np.repeat(p, 2)[::2]):
                got, want = roots(q), np.roots(q)
                assert got.dtype == want.dtype == np.float64
                _close_roots(got, want)


def test_roots_dtypes():
    ints = np.array([0, 1, -6, 11, -6, 0, 0], np.int64)
    got = roots(ints)
    assert got.dtype == np.float64
    _close_roots(got, np.roots(ints))
    f32 = np.array([1, -3, 2], np.float32)
    got = roots(f32)
    assert got.dtype == np.float32
    _close_roots(got, np.roots(f32))
    rng = np.random.default_rng(3)
    for n in range(2, 6):
        c = rng.normal(size=n) + 1j * rng.normal(size=n)
        got = roots(c)
        assert got.dtype == np.complex128
        _close_roots(got, np.roots(c))
    c64 = np.array([1 + 1j, 2, 3j], np.complex64)
    assert roots(c64).dtype == np.complex64


def test_roots_degenerate():
    for p in (np.zeros(3), np.zeros(0), np.array([5.0]), np.array([0.0, 3.0, 0.0]),
              np.array([2.0, 0.0, 0.0])):
        got, want = roots(p), np.roots(p)
        assert got.shape == want.shape
        _close_roots(got, want)


def test_roots_errors():
    with pytest.raises(ValueError, match="Input must be a rank-1 array."):
        roots(np.ones((2, 2)))
    with pytest.raises(ValueError, match="Input must be a rank-1 array."):
        np.roots(np.ones((2, 2)))
    with pytest.raises(ValueError, match="domain change"):  # x**2 + 1: complex roots, as Numba
        roots(np.array([1.0, 0.0, 1.0]))
