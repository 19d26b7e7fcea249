"""NumPy functions that build arrays from others, in compiled code (ember/npapi/shapes.py),
against NumPy: diff, nonzero, flatnonzero, argwhere, roll, concatenate, stack, hstack, vstack,
column_stack, diag, outer, convolve, deg2rad/rad2deg, on C, F and strided inputs, with their
errors."""
import numpy as np
import pytest

import ember
from ember.errors import UnsupportedError


def layouts(a):
    out = [a, a[::-1]]
    if a.ndim == 2:
        out.append(np.asfortranarray(a))
    return out


@ember.jit
def diff(a):
    return np.diff(a)


@ember.jit
def diff_n(a, n):
    return np.diff(a, n)


@ember.jit
def diff_axis(a, n, axis):
    return np.diff(a, n, axis)


def test_diff():
    rng = np.random.default_rng(0)
    for a in [rng.normal(size=9)[::-1], rng.integers(0, 50, 7).astype(np.uint8),
              np.array([True, False, False, True])]:
        np.testing.assert_array_equal(diff(a), np.diff(a))
        for n in (0, 2, 20):
            np.testing.assert_array_equal(diff_n(a, n), np.diff(a, n))
    m = rng.normal(size=(4, 5))
    np.testing.assert_array_equal(diff(m), np.diff(m))
    for a in layouts(m):
        for axis in (0, 1, -1):
            np.testing.assert_array_equal(diff_axis(a, 2, axis), np.diff(a, 2, axis))
    with pytest.raises(ValueError, match="non-negative"):
        diff_n(m[0], -1)


@ember.jit
def nonzero(a):
    return np.nonzero(a)


@ember.jit
def flatnonzero(a):
    return np.flatnonzero(a)


@ember.jit
def argwhere(a):
    return np.argwhere(a)


def test_nonzero_family():
    rng = np.random.default_rng(1)
    for a in (rng.integers(0, 3, 10), rng.integers(0, 2, (3, 4)).astype(np.float64),
              rng.integers(0, 2, (2, 3, 4)) > 0, np.zeros(0)):
        for x in layouts(a):
            got, want = nonzero(x), np.nonzero(x)
            assert len(got) == len(want)
            for g, w in zip(got, want):
                np.testing.assert_array_equal(g, w)
            np.testing.assert_array_equal(flatnonzero(x), np.flatnonzero(x))
            np.testing.assert_array_equal(argwhere(x), np.argwhere(x))


@ember.jit
def roll(a, k):
    return np.roll(a, k)


def test_roll():
    a = np.arange(12.0)
    for k in (0, 3, -5, 25):
        np.testing.assert_array_equal(roll(a, k), np.roll(a, k))
        np.testing.assert_array_equal(roll(a.reshape(3, 4), k), np.roll(a.reshape(3, 4), k))
    np.testing.assert_array_equal(roll(a[:0], 2), np.roll(a[:0], 2))


@ember.jit
def concat2(a, b):
    return np.concatenate((a, b))


@ember.jit
def concat3_axis(a, b, c, axis):
    return np.concatenate((a, b, c), axis=axis)


@ember.jit
def stack_axis(a, b, axis):
    return np.stack((a, b), axis=axis)


@ember.jit
def stacks(a, b):
    return np.hstack((a, b)), np.vstack((a, b)), np.column_stack((a, b))


def test_concatenate_and_stack():
    x = np.arange(4.0)
    y = np.arange(3, dtype=np.int32)
    np.testing.assert_array_equal(concat2(x, y), np.concatenate((x, y)))
    m = np.arange(6.0).reshape(2, 3)
    for axis in (0, 1, -1):
        want = np.concatenate((m, m[:, ::-1], np.asfortranarray(m)), axis=axis)
        np.testing.assert_array_equal(concat3_axis(m, m[:, ::-1], np.asfortranarray(m), axis),
                                      want)
    with pytest.raises(ValueError, match="must match"):
        concat3_axis(m, m.T.copy(), m, 0)
    for axis in (0, 1, -1):
        np.testing.assert_array_equal(stack_axis(x, x[::-1], axis), np.stack((x, x[::-1]), axis))
    np.testing.assert_array_equal(stack_axis(m, m, 2), np.stack((m, m), 2))
    with pytest.raises(ValueError, match="same shape"):
        stack_axis(x, x[:2], 0)
    for got, want in zip(stacks(x, x), (np.hstack((x, x)), np.vstack((x, x)),
                                        np.column_stack((x, x)))):
        np.testing.assert_array_equal(got, want)
    for got, want in zip(stacks(m, m), (np.hstack((m, m)), np.vstack((m, m)),
                                        np.column_stack((m, m)))):
        np.testing.assert_array_equal(got, want)


def test_concatenate_refuses_other_sequences():
    @ember.jit
    def f(a):
        return np.concatenate(a)
    with pytest.raises(UnsupportedError, match="np.concatenate"):
        f(np.ones((2, 2)))


@ember.jit
def diag(v, k):
    return np.diag(v, k)


@ember.jit
def diag0(v):
    return np.diag(v)


def test_diag():
    v = np.arange(1.0, 4.0)
    m = np.arange(12).reshape(3, 4)
    for k in (0, 1, -2, 5):
        np.testing.assert_array_equal(diag(v, k), np.diag(v, k))
        for x in layouts(m):
            np.testing.assert_array_equal(diag(x, k), np.diag(x, k))
    np.testing.assert_array_equal(diag0(v), np.diag(v))


@ember.jit
def outer(a, b):
    return np.outer(a, b)


def test_outer():
    a = np.arange(3.0)
    b = np.arange(4, dtype=np.int32).reshape(2, 2)
    np.testing.assert_array_equal(outer(a, b), np.outer(a, b))
    np.testing.assert_array_equal(outer(b, b), np.outer(b, b))


@ember.jit
def convolve(a, v):
    return np.convolve(a, v)


@ember.jit
def convolve_modes(a, v):
    return np.convolve(a, v, "same"), np.convolve(a, v, mode="valid")


def test_convolve():
    rng = np.random.default_rng(2)
    a, v = rng.normal(size=20), rng.normal(size=5)
    for x, y in ((a, v), (v, a), (a[::2], v), (a[:1], v[:1])):
        np.testing.assert_allclose(convolve(x, y), np.convolve(x, y), rtol=1e-12, atol=1e-12)
        same, valid = convolve_modes(x, y)
        np.testing.assert_allclose(same, np.convolve(x, y, "same"), rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(valid, np.convolve(x, y, "valid"), rtol=1e-12, atol=1e-12)
    ints = np.arange(6)
    np.testing.assert_array_equal(convolve(ints, ints[:3]), np.convolve(ints, ints[:3]))
    with pytest.raises(ValueError, match="cannot be empty"):
        convolve(a[:0], v)


@ember.jit
def angles(x):
    return np.deg2rad(x), np.rad2deg(x), np.radians(x), np.degrees(x)


def test_angles():
    x = np.array([0.0, 30.0, 90.0, -720.5])
    for got, want in zip(angles(x), (np.deg2rad(x), np.rad2deg(x), np.radians(x),
                                     np.degrees(x))):
        np.testing.assert_array_equal(got, want)
    got = angles(45.0)
    assert got[0] == np.deg2rad(45.0) and got[1] == np.rad2deg(45.0)
    x32 = x.astype(np.float32)
    assert angles(x32)[0].dtype == np.float32
