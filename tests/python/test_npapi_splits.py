"""np.split, np.array_split, np.hsplit, np.vsplit, np.dsplit (ember/npapi/splits.py) against
NumPy: sections and indices (tuple, list, array, negative and past the end), axis=, random
shapes, empty, F-ordered and non-contiguous arrays; the pieces are views; an uneven np.split
is NumPy's ValueError."""
import numpy as np
import pytest

import ember


@ember.jit
def split_sections(a, n):
    return np.split(a, n), np.array_split(a, n + 1)


@ember.jit
def split_at(a, cuts):
    return np.array_split(a, cuts)


@ember.jit
def split_axis(a, n, axis):
    return np.array_split(a, n, axis=axis)


@ember.jit
def hvd(a):
    return np.hsplit(a, 2), np.vsplit(a, (1,)), np.dsplit(a, [1, 3])


def same_pieces(got, want):
    assert len(got) == len(want)
    for g, w in zip(got, want):
        assert g.shape == w.shape
        np.testing.assert_array_equal(g, w)


def test_sections_and_indices():
    rng = np.random.default_rng(12)
    for a in (rng.normal(size=12), rng.normal(size=(6, 5)), np.asfortranarray(
              rng.normal(size=(6, 4))), rng.normal(size=(12, 3))[::2], np.empty((0, 3))):
        got = split_sections(a, 3)
        same_pieces(got[0], np.split(a, 3))
        same_pieces(got[1], np.array_split(a, 4))
        for cuts in (np.array([1, 4, 20]), np.array([-2, 1, 5, 3])):
            same_pieces(split_at(a, cuts), np.array_split(a, cuts))
        if a.ndim == 2:
            for axis in (0, 1, -1):
                same_pieces(split_axis(a, 3, axis), np.array_split(a, 3, axis=axis))


def test_h_v_d_split_and_views():
    a = np.arange(48.0).reshape(2, 4, 6)
    got = hvd(a)
    same_pieces(got[0], np.hsplit(a, 2))
    same_pieces(got[1], np.vsplit(a, (1,)))
    same_pieces(got[2], np.dsplit(a, [1, 3]))
    pieces = split_at(a[0], np.array([1]))
    pieces[1][0, 0] = -1.0  # a view: the store reaches a
    assert a[0, 1, 0] == -1.0


def test_uneven_split_is_an_error():
    with pytest.raises(ValueError, match="equal division"):
        split_sections(np.arange(10.0), 4)
