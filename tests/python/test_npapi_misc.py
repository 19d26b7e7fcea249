"""The smaller NumPy functions of ember/npapi/misc.py in compiled code, against NumPy: counting
and flipping, triangles, NaN-ignoring reductions, closeness tests, building functions, window
functions, set operations, correlate, cross, cov and corrcoef, partition."""
import numpy as np
import pytest

import ember
from ember.errors import UnsupportedError

RNG = np.random.default_rng(11)
M = RNG.normal(size=(4, 5))
V = np.array([1.5, np.nan, -2.0, 0.0, 3.25, np.nan])


def same(got, want, rtol=1e-13):
    assert len(got) == len(want)
    for g, w in zip(got, want):
        np.testing.assert_allclose(np.asarray(g, dtype=np.float64),
                                   np.asarray(w, dtype=np.float64), rtol=rtol, atol=1e-14)
        assert np.shape(g) == np.shape(w)


def test_shapes_and_triangles():
    @ember.jit
    def f(m, v):
        return (np.count_nonzero(m > 0), np.flip(m), np.flipud(m), np.fliplr(m),
                np.atleast_1d(2.0), np.atleast_2d(v), np.tri(3, 4, 1), np.tril(m), np.triu(m, 1),
                np.ptp(m), np.average(m), np.average(m, weights=m * m), np.asfortranarray(m))
    got = f(M, V)
    want = (np.count_nonzero(M > 0), np.flip(M), np.flipud(M), np.fliplr(M),
            np.atleast_1d(2.0), np.atleast_2d(V), np.tri(3, 4, 1), np.tril(M), np.triu(M, 1),
            np.ptp(M), np.average(M), np.average(M, weights=M * M), np.asfortranarray(M))
    same(got, want)
    assert got[-1].flags.f_contiguous


def test_nan_reductions():
    @ember.jit
    def f(v):
        return (np.nansum(v), np.nanprod(v), np.nanmin(v), np.nanmax(v), np.nanmean(v),
                np.nanvar(v), np.nanstd(v), np.nanvar(v, ddof=1), np.nancumsum(v),
                np.nancumprod(v))
    want = (np.nansum(V), np.nanprod(V), np.nanmin(V), np.nanmax(V), np.nanmean(V),
            np.nanvar(V), np.nanstd(V), np.nanvar(V, ddof=1), np.nancumsum(V), np.nancumprod(V))
    same(f(V), want)
    ints = np.arange(5)
    same(f(ints)[:5], want[:0] + (np.nansum(ints), np.nanprod(ints), np.nanmin(ints),
                                  np.nanmax(ints), np.nanmean(ints)))


def test_closeness():
    @ember.jit
    def f(a, b):
        return (np.isclose(a, b), np.allclose(a, b), np.isclose(a, b, equal_nan=True),
                np.allclose(a, b, 0.5), np.array_equal(a, b), np.array_equal(a, a),
                np.isposinf(a), np.isneginf(a), np.iscomplexobj(a), np.isrealobj(a))
    a = np.array([1.0, np.inf, np.nan, -np.inf, 2.0])
    b = np.array([1.0 + 1e-9, np.inf, np.nan, np.inf, 2.4])
    want = (np.isclose(a, b), np.allclose(a, b), np.isclose(a, b, equal_nan=True),
            np.allclose(a, b, 0.5), np.array_equal(a, b), np.array_equal(a, a), np.isposinf(a),
            np.isneginf(a), np.iscomplexobj(a), np.isrealobj(a))
    got = f(a, b)
    for g, w in zip(got, want):
        np.testing.assert_array_equal(g, w)


def test_building():
    @ember.jit
    def f(v, m):
        return (np.append(v, m), np.append(v, 9.0), np.ediff1d(m), np.extract(m > 0, m),
                np.trapezoid(v[2:]), np.trapezoid(v[2:], v[2:] * 2), np.sinc(v),
                np.logspace(0.0, 2.0, 5), np.geomspace(1.0, 1000.0, 4), np.vander(v[2:5]),
                np.vander(v[2:5], 2, True), np.nan_to_num(v), np.take(m, np.array((0, -1, 3))),
                np.repeat(v[2:4], 3), np.bartlett(6), np.hanning(5), np.hamming(5),
                np.blackman(7))
    want = (np.append(V, M), np.append(V, 9.0), np.ediff1d(M), np.extract(M > 0, M),
            np.trapezoid(V[2:]), np.trapezoid(V[2:], V[2:] * 2), np.sinc(V),
            np.logspace(0.0, 2.0, 5), np.geomspace(1.0, 1000.0, 4), np.vander(V[2:5]),
            np.vander(V[2:5], 2, True), np.nan_to_num(V), np.take(M, np.array([0, -1, 3])),
            np.repeat(V[2:4], 3), np.bartlett(6), np.hanning(5), np.hamming(5), np.blackman(7))
    same(f(V, M), want, rtol=1e-12)
    a = M.copy()

    @ember.jit
    def fill(a):
        np.fill_diagonal(a, 7.0)
    fill(a)
    want_a = M.copy()
    np.fill_diagonal(want_a, 7.0)
    np.testing.assert_array_equal(a, want_a)


def test_sets_and_statistics():
    @ember.jit
    def f(a, b, x):
        return (np.intersect1d(a, b), np.union1d(a, b), np.setdiff1d(a, b), np.setxor1d(a, b),
                np.isin(a, b), np.isin(a, b, invert=True), np.correlate(x, x[:3]),
                np.correlate(x, x[:3], "full"), np.cross(x[:3], x[2:5]), np.cov(x),
                np.cov(np.vstack((x, x * x))), np.corrcoef(np.vstack((x, x * x))),
                np.partition(x, 2), np.argpartition(x, 2))
    a = np.array([5, 1, 3, 3, 9, 2])
    b = np.array([3, 4, 5, 5])
    x = RNG.normal(size=6)
    got = f(a, b, x)
    want = (np.intersect1d(a, b), np.union1d(a, b), np.setdiff1d(a, b), np.setxor1d(a, b),
            np.isin(a, b), np.isin(a, b, invert=True), np.correlate(x, x[:3]),
            np.correlate(x, x[:3], "full"), np.cross(x[:3], x[2:5]), np.cov(x),
            np.cov(np.vstack((x, x * x))), np.corrcoef(np.vstack((x, x * x))))
    same(got[:9], want[:9], rtol=1e-12)
    np.testing.assert_allclose(got[9], want[9], rtol=1e-12)
    same(got[10:12], want[10:12], rtol=1e-12)
    part, order = got[12], got[13]
    assert part[2] == np.partition(x, 2)[2] and x[order[2]] == part[2]


def test_errors():
    @ember.jit
    def f(m):
        return np.flip(m, 0)
    with pytest.raises(UnsupportedError, match="np.flip"):
        f(M)
