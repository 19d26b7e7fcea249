"""NumPy's searching and binning functions in compiled code (ember/npapi/search.py), against
NumPy: np.searchsorted (both sides, scalar and array values, NaNs), np.interp (scalar and
array x, left/right, outside the range, repeated xp), np.digitize, np.histogram (bin counts
with range, without, and explicit edges) and np.bincount (minlength, weights), with their
errors."""
import numpy as np
import pytest

import ember
from ember.errors import TypingError


@ember.jit
def ss_left(a, v):
    return np.searchsorted(a, v)


@ember.jit
def ss_right(a, v):
    return np.searchsorted(a, v, side="right")


def test_searchsorted():
    rng = np.random.default_rng(1)
    for dtype in (np.float64, np.int64):
        a = np.sort(rng.integers(0, 20, 50)).astype(dtype)
        v = rng.integers(-2, 22, (4, 6)).astype(dtype)
        for f, side in ((ss_left, "left"), (ss_right, "right")):
            np.testing.assert_array_equal(f(a, v), np.searchsorted(a, v, side=side))
        np.testing.assert_array_equal(ss_left(a[:0], v), np.searchsorted(a[:0], v))
    for f, side in ((ss_left, "left"), (ss_right, "right")):
        assert f(a, 7) == np.searchsorted(a, 7, side=side)


def test_searchsorted_nan_and_strided():
    a = np.array([1.0, 2.0, 2.0, 5.0, np.nan, np.nan])
    v = np.array([np.nan, 2.0, 0.0, 7.0])
    np.testing.assert_array_equal(ss_left(a, v), np.searchsorted(a, v))
    np.testing.assert_array_equal(ss_right(a, v), np.searchsorted(a, v, side="right"))
    b = np.arange(20.0)[::2]
    np.testing.assert_array_equal(ss_right(b, v), np.searchsorted(b, v, side="right"))


def test_searchsorted_bad_side():
    @ember.jit
    def f(a):
        return np.searchsorted(a, 1.0, side="middle")
    with pytest.raises(TypingError, match="side"):
        f(np.arange(3.0))


@ember.jit
def interp(x, xp, fp):
    return np.interp(x, xp, fp)


@ember.jit
def interp_lr(x, xp, fp):
    return np.interp(x, xp, fp, left=-1.0, right=99.0)


def test_interp():
    rng = np.random.default_rng(2)
    xp = np.sort(rng.uniform(0, 10, 30))
    xp[5] = xp[6]  # a repeated sample point
    fp = rng.normal(size=30)
    x = np.concatenate([rng.uniform(-1, 11, 200), xp, [np.nan]])
    np.testing.assert_array_equal(interp(x, xp, fp), np.interp(x, xp, fp))
    np.testing.assert_array_equal(interp_lr(x, xp, fp), np.interp(x, xp, fp, -1.0, 99.0))
    x2 = x[:200].reshape(10, 20)
    np.testing.assert_array_equal(interp(x2, xp, fp), np.interp(x2, xp, fp))
    assert interp(3.3, xp, fp) == np.interp(3.3, xp, fp)
    xi = np.arange(12)
    np.testing.assert_array_equal(interp(xi, xp, fp), np.interp(xi, xp, fp))
    one = np.array([2.0])
    np.testing.assert_array_equal(interp(x[:5], one, one), np.interp(x[:5], one, one))


def test_interp_query_orders():
    """The search from the previous key's index (forward and backward, near and far) finds
    NumPy's interval for sorted, reversed, random and repeated queries."""
    rng = np.random.default_rng(11)
    xp = np.sort(np.concatenate([rng.uniform(0, 10, 200), [3.0, 3.0, 3.0, 7.5, 7.5]]))
    fp = rng.normal(size=xp.shape[0])
    sorted_x = np.sort(rng.uniform(-1, 11, 500))
    queries = [sorted_x, sorted_x[::-1], rng.uniform(-1, 11, 500), np.repeat(xp[::7], 3),
               np.array([10.5, 0.1, 9.9, 0.2, np.nan, 3.0, -2.0, 7.5]),
               rng.uniform(0, 10, (6, 7)).T, np.empty(0)]
    for x in queries:
        np.testing.assert_array_equal(interp(x, xp, fp), np.interp(x, xp, fp))


def test_interp_errors():
    with pytest.raises(ValueError, match="empty"):
        interp(np.ones(3), np.empty(0), np.empty(0))
    with pytest.raises(ValueError, match="same length"):
        interp(np.ones(3), np.arange(3.0), np.arange(4.0))


@ember.jit
def digitize(x, bins, right):
    return np.digitize(x, bins, right)


def test_digitize():
    rng = np.random.default_rng(3)
    x = rng.uniform(-1, 11, 40)
    x[:3] = [0.0, 5.0, 10.0]
    inc = np.array([0.0, 2.5, 5.0, 10.0])
    for bins in (inc, inc[::-1].copy()):
        for right in (False, True):
            np.testing.assert_array_equal(digitize(x, bins, right),
                                          np.digitize(x, bins, right))
    with pytest.raises(ValueError, match="monotonically"):
        digitize(x, np.array([1.0, 0.0, 2.0]), False)


@ember.jit
def hist_range(a, n):
    return np.histogram(a, bins=n, range=(0.0, 360.0))


@ember.jit
def hist_auto(a):
    return np.histogram(a)


@ember.jit
def hist_edges(a, edges):
    return np.histogram(a, edges)


def test_histogram():
    rng = np.random.default_rng(4)
    a = rng.uniform(-10, 370, 1000)
    a[:4] = [0.0, 360.0, 22.5, 337.5]  # on the edges
    for got, want in ((hist_range(a, 16), np.histogram(a, 16, (0.0, 360.0))),
                      (hist_auto(a), np.histogram(a))):
        np.testing.assert_array_equal(got[0], want[0])
        np.testing.assert_allclose(got[1], want[1], rtol=1e-15)
    ints = rng.integers(0, 9, 50)
    np.testing.assert_array_equal(hist_auto(ints)[0], np.histogram(ints)[0])
    edges = np.array([0.5, 2.0, 4.0, 7.0, 11.0, 400.0])
    np.testing.assert_array_equal(hist_edges(a, edges)[0], np.histogram(a, edges)[0])
    np.testing.assert_array_equal(hist_auto(np.full(5, 3.0))[0], np.histogram(np.full(5, 3.0))[0])
    with pytest.raises(ValueError, match="monotonically"):
        hist_edges(a, np.array([1.0, 0.0]))
    with pytest.raises(ValueError, match="positive"):
        hist_range(a, 0)


@ember.jit
def bincount(x, n):
    return np.bincount(x, minlength=n)


@ember.jit
def bincount_w(x, w):
    return np.bincount(x, w)


def test_bincount():
    x = np.array([0, 3, 3, 7, 1], dtype=np.int64)
    np.testing.assert_array_equal(bincount(x, 0), np.bincount(x))
    np.testing.assert_array_equal(bincount(x, 12), np.bincount(x, minlength=12))
    np.testing.assert_array_equal(bincount(x[:0], 0), np.bincount(x[:0]))
    w = np.linspace(0.5, 2.5, 5)
    np.testing.assert_array_equal(bincount_w(x, w), np.bincount(x, w))
    np.testing.assert_array_equal(bincount(x.astype(np.uint8), 0), np.bincount(x))
    with pytest.raises(ValueError, match="negative"):
        bincount(np.array([1, -1]), 0)
