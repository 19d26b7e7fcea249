"""np.transpose(a, axes), a.transpose(*axes) / a.transpose(axes) and a.item(k) / a.item(i, j) /
a.item((i, j)) on arrays, compared with NumPy on C, F and strided inputs, with NumPy's errors
for bad axes and out-of-range items (a.conjugate(): test_npapi_conjugate.py)."""

import numpy as np
import pytest

import ember


def _inputs():
    a = np.arange(24.0).reshape(2, 3, 4)
    return [a, np.asfortranarray(a), a[:, ::2, ::-1]]


@ember.jit
def _transposes(a):
    return (
        np.transpose(a, (1, 0, 2)),
        a.transpose(2, 0, 1),
        a.transpose((0, 2, 1)),
        np.transpose(a, (-1, 0, 1)),
        a.transpose(),
        np.transpose(a, (0, 1, 2)),
    )


@pytest.mark.parametrize("k", range(3))
def test_transpose_with_axes(k):
    a = _inputs()[k]
    got, want = _transposes(a), _transposes.py_func(a)
    for g, w in zip(got, want):
        assert g.shape == w.shape and np.array_equal(g, w)
    got[0][0, 0, 0] = -1.0  # a view: writes reach a
    assert a[0, 0, 0] == -1.0


def test_transpose_2d_axes():
    @ember.jit
    def swap(a):
        return np.transpose(a, (1, 0)), a.transpose(1, 0)

    a = np.arange(12).reshape(3, 4)
    for g in swap(a):
        assert np.array_equal(g, a.T)


@pytest.mark.parametrize(
    "axes, msg",
    [((0, 1), "axes don't match"), ((0, 0, 1), "repeated"), ((0, 1, 3), "out of bounds")],
)
def test_transpose_bad_axes(axes, msg):
    @ember.jit
    def f(a):
        return np.transpose(a, axes)

    with pytest.raises(ember.errors.TypingError, match=msg):
        f(np.zeros((2, 3, 4)))


@ember.jit
def _items(a, i, j):
    return a.item(3), a.item(-1), a.item(i, j), a.item((i, j)), a.item(0, -1)


@pytest.mark.parametrize(
    "a",
    [
        np.arange(12.0).reshape(3, 4),
        np.asfortranarray(np.arange(12).reshape(3, 4)),
        np.arange(24).reshape(4, 6)[::2, 1::2],
    ],
)
def test_item(a):
    assert _items(a, 1, 2) == _items.py_func(a, 1, 2)
    assert type(_items(a, 1, 2)[0]) is type(_items.py_func(a, 1, 2)[0])


def test_item_errors():
    a = np.arange(6).reshape(2, 3)
    with pytest.raises(IndexError):
        _items(a, 5, 0)

    @ember.jit
    def flat(a, k):
        return a.item(k)

    assert flat(np.arange(5), 2) == 2
    with pytest.raises(IndexError):
        flat(a, 6)
