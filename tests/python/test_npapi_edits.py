"""np.delete, np.insert, np.indices and np.broadcast_shapes (ember/npapi/edits.py) against
NumPy: int and array obj (negative, repeated), scalar and array values, random shapes,
F-ordered, non-contiguous and empty arrays, and NumPy's IndexError and ValueError."""
import numpy as np
import pytest

import ember


@ember.jit
def delete(a, k, ks):
    return np.delete(a, k), np.delete(a, ks)


@ember.jit
def insert(a, k, v, vs):
    return np.insert(a, k, v), np.insert(a, k, vs)


def arrays(rng):
    # F-ordered, strided, and C-ordered ints (each a compile: the C-ordered float case is the
    # empty array below)
    return [np.asfortranarray(rng.normal(size=(2, 5))), rng.normal(size=(4, 6))[::2, 1::2],
            rng.integers(-9, 9, 7)]


def test_delete_and_insert():
    rng = np.random.default_rng(13)
    for a in arrays(rng):
        n = a.size
        for k in (0, n - 1, -1, -n):
            ks = np.array([k, 1, 1, -2])
            got, want = delete(a, k, ks), (np.delete(a, k), np.delete(a, ks))
            for g, w in zip(got, want):
                np.testing.assert_array_equal(g, w)
                assert g.dtype == w.dtype
        for k in (0, n, -1, 2):
            vs = rng.integers(0, 5, 3).astype(a.dtype)
            got, want = insert(a, k, 7, vs), (np.insert(a, k, 7), np.insert(a, k, vs))
            for g, w in zip(got, want):
                np.testing.assert_array_equal(g, w)
                assert g.dtype == w.dtype
    empty = np.empty((0, 3))
    np.testing.assert_array_equal(insert(empty, 0, 1.0, np.ones(2))[1],
                                  np.insert(empty, 0, np.ones(2)))


def test_delete_insert_errors():
    with pytest.raises(IndexError):
        delete(np.arange(4.0), 4, np.array([0]))
    with pytest.raises(IndexError):
        delete(np.arange(4.0), 0, np.array([-5]))
    with pytest.raises(IndexError):
        insert(np.arange(4.0), 5, 1.0, np.ones(1))


@ember.jit
def grids(m, n):
    return np.indices((m, n)), np.indices((m, 1, n)), np.indices((n,))


@ember.jit
def shapes(a, b):
    return (np.broadcast_shapes(a.shape, b.shape), np.broadcast_shapes((1, 1), 5),
            np.broadcast_shapes(a.shape))


def test_indices_and_broadcast_shapes():
    for m, n in ((2, 3), (0, 4), (1, 1)):
        got = grids(m, n)
        want = (np.indices((m, n)), np.indices((m, 1, n)), np.indices((n,)))
        for g, w in zip(got, want):
            np.testing.assert_array_equal(g, w)
            assert g.shape == w.shape and g.dtype == w.dtype
    a, b = np.ones((3, 1, 5)), np.ones((4, 1))
    assert shapes(a, b) == (np.broadcast_shapes(a.shape, b.shape),
                            np.broadcast_shapes((1, 1), 5), a.shape)
    with pytest.raises(ValueError, match="broadcast"):
        shapes(np.ones((3, 2)), np.ones(3))
