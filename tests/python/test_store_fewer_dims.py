"""Storing a value of more dimensions than the destination (out[...] = x + y, out[:] = b): as in
NumPy, the value's extra leading axes must have length 1, otherwise a ValueError ("could not
broadcast input array ..."); the fused array-expression store used to index past the
destination's shape (a crash)."""

import numpy as np
import pytest

import ember


@ember.jit
def store_sum_ellipsis(out, x, y):
    out[...] = x + y


@ember.jit
def store_sum_slice(out, x, y):
    out[:] = x * y - 1.0


@ember.jit
def store_array(out, x):
    out[:] = x


def _numpy_error(out, value):
    with pytest.raises(ValueError, match="could not broadcast input array") as info:
        out[...] = value
    return info


@pytest.mark.parametrize(
    "fn, op",
    [(store_sum_ellipsis, lambda x, y: x + y), (store_sum_slice, lambda x, y: x * y - 1.0)],
)
@pytest.mark.parametrize("xshape, yshape", [((2, 3), (3,)), ((3,), (4, 1, 3)), ((2, 1, 3), (3,))])
def test_fused_store_with_more_dims_raises(fn, op, xshape, yshape):
    out = np.zeros(3)
    x, y = np.ones(xshape), np.arange(3.0).reshape(yshape[-1:]) * np.ones(yshape)
    _numpy_error(out.copy(), op(x, y))
    with pytest.raises(ValueError, match="could not broadcast input array"):
        fn(out, x, y)
    assert not out.any()  # nothing was written


@pytest.mark.parametrize(
    "fn, op",
    [(store_sum_ellipsis, lambda x, y: x + y), (store_sum_slice, lambda x, y: x * y - 1.0)],
)
def test_fused_store_drops_leading_unit_axes(fn, op):
    rng = np.random.default_rng(1)
    x, y = rng.normal(size=(1, 1, 4)), rng.normal(size=(1, 4))
    out, want = np.zeros(4), np.zeros(4)
    want[...] = op(x, y)
    fn(out, x, y)
    np.testing.assert_array_equal(out, want)
    # a strided 2-d destination, the value broadcast along its first axis
    out2, want2 = np.zeros((3, 8))[:, ::2], np.zeros((3, 8))[:, ::2]
    want2[...] = op(x, y)
    fn(out2, x, y)
    np.testing.assert_array_equal(out2, want2)


def test_array_store_with_more_dims():
    out = np.zeros(3)
    _numpy_error(out, np.ones((2, 3)))
    with pytest.raises(ValueError, match="could not broadcast input array"):
        store_array(out, np.ones((2, 3)))
    store_array(out, np.arange(3.0).reshape(1, 1, 3))
    np.testing.assert_array_equal(out, [0.0, 1.0, 2.0])
    empty = np.zeros((0,))
    store_array(empty, np.ones((1, 0)))
    with pytest.raises(ValueError, match="could not broadcast input array"):
        store_array(empty, np.ones((2, 0)))
