"""Compiled functions shared by several test modules (imported as ``from _helpers import ...``,
as conftest is): the binary arithmetic operators, one jitted function each, so the modules that
check them on their own values (test_scalars, test_datetime) do not each define a copy.  Their
``py_func`` is the plain operator, for ``conftest.check``.  Also ``same``, the datetime tests'
comparison of a result with NumPy's."""

import numpy as np

import ember


def same(got, want):
    """Equal values, dtypes and shapes, and both arrays or both scalars; NaT and NaN equal
    themselves."""
    want_a, got_a = np.asarray(want), np.asarray(got)
    assert got_a.dtype == want_a.dtype, (got, want)
    assert got_a.shape == want_a.shape, (got, want)
    if want_a.dtype.kind in "mM":
        assert np.array_equal(got_a.view(np.int64), want_a.view(np.int64)), (got, want)
    else:
        np.testing.assert_array_equal(got_a, want_a)
    assert isinstance(got, np.ndarray) == isinstance(want, np.ndarray)


@ember.jit
def add(a, b):
    return a + b


@ember.jit
def sub(a, b):
    return a - b


@ember.jit
def mul(a, b):
    return a * b


@ember.jit
def truediv(a, b):
    return a / b


@ember.jit
def floordiv(a, b):
    return a // b


@ember.jit
def mod(a, b):
    return a % b
