"""The reshaping and indexing functions of ember/npapi/reshape.py in compiled code, against
NumPy: amax, amin, atleast_3d, expand_dims, swapaxes, rot90, diagflat, row_stack, dstack,
tril/triu_indices(_from), trim_zeros, resize, select, take_along_axis, unwrap,
asarray_chkfinite, iscomplex, isreal, isscalar, shape; and the UnsupportedError that names a
NumPy function ember does not compile yet."""
import numpy as np
import pytest

import ember
from ember.errors import UnsupportedError

M = np.arange(12.0).reshape(3, 4) - 5.0
V = np.array([0.0, 0.0, 1.5, -2.0, 0.0, 3.0, 0.0])


def test_reshaping():
    @ember.jit
    def f(m, v, k):
        return (np.amax(m), np.amin(m), np.atleast_3d(v), np.atleast_3d(m),
                np.expand_dims(v, 0), np.expand_dims(m, -1), np.swapaxes(m, 0, 1),
                np.rot90(m), np.rot90(m, k), np.diagflat(m[:2, :2]), np.diagflat(v[2:4], -1),
                np.row_stack((v, v)), np.dstack((m, m)), np.trim_zeros(v),
                np.trim_zeros(v, "b"), np.resize(v, (2, 5)), np.resize(v, 3),
                np.take_along_axis(v, np.argsort(v), 0), np.shape(m))
    for k in (2, 3, -1):
        got = f(M, V, k)
        want = (np.amax(M), np.amin(M), np.atleast_3d(V), np.atleast_3d(M),
                np.expand_dims(V, 0), np.expand_dims(M, -1), np.swapaxes(M, 0, 1),
                np.rot90(M), np.rot90(M, k), np.diagflat(M[:2, :2]), np.diagflat(V[2:4], -1),
                np.vstack((V, V)), np.dstack((M, M)), np.trim_zeros(V), np.trim_zeros(V, "b"),
                np.resize(V, (2, 5)), np.resize(V, 3), np.take_along_axis(V, np.argsort(V), 0),
                np.shape(M))
        for g, w in zip(got, want):
            np.testing.assert_array_equal(g, w)
            assert np.shape(g) == np.shape(w)


def test_indices_select_and_predicates():
    @ember.jit
    def f(m, v):
        return (np.tril_indices(4), np.triu_indices(3, 1), np.tril_indices(3, -1, 5),
                np.tril_indices_from(m), np.triu_indices_from(m, 2),
                np.select((v > 1, v < 0), (v * 10, -v), 99.0), np.select((v > 1,), (v,)),
                np.unwrap(v * 3), np.asarray_chkfinite(v), np.iscomplex(v), np.isreal(v),
                np.isscalar(2.0), np.isscalar(v))
    got = f(M, V)
    want = (np.tril_indices(4), np.triu_indices(3, 1), np.tril_indices(3, -1, 5),
            np.tril_indices_from(M), np.triu_indices_from(M, 2),
            np.select([V > 1, V < 0], [V * 10, -V], 99.0), np.select([V > 1], [V]),
            np.unwrap(V * 3), np.asarray_chkfinite(V), np.iscomplex(V), np.isreal(V),
            np.isscalar(2.0), np.isscalar(V))
    for g, w in zip(got, want):
        if isinstance(w, tuple):
            for gg, ww in zip(g, w):
                np.testing.assert_array_equal(gg, ww)
        else:
            np.testing.assert_allclose(g, w, rtol=1e-14)
    with pytest.raises(ValueError, match="infs or NaNs"):
        f(M, np.array([1.0, np.nan]))


def test_missing_name_is_named():
    @ember.jit
    def f(a):
        return np.kaiser(a, 2.0)
    with pytest.raises(UnsupportedError, match=r"np\.kaiser\(\) is not supported"):
        f(5)


def test_string_literal_to_a_jitted_function_is_a_string():
    # Literals reach the NumPy selectors as their text; a user's jitted function takes a
    # runtime string (unicode_type).
    @ember.jit
    def g(s):
        return len(s)

    @ember.jit
    def f():
        return g("h\u00e9llo")
    assert f() == 5


def test_number_class_to_a_jitted_function_is_refused():
    @ember.jit
    def g(t):
        return 1

    @ember.jit
    def f():
        return g(np.float32)
    with pytest.raises(UnsupportedError, match=r"passing a class\(.*to a jitted function"):
        f()
