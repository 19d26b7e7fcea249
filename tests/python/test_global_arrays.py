"""NumPy arrays held in module globals, used by compiled code as Numba does: frozen into the
compiled code as read-only constants when the function is compiled (a later change to the
global is not seen until a new compile), read with any indexing, shape and reductions, and a
store into one refused with a TypingError naming the line.  F-ordered and strided globals keep
their values."""
import numpy as np
import pytest

import ember

TABLE = np.array([[1.5, -2.0, 3.25], [0.5, 4.0, -1.0]])
LOOKUP = np.array([10, 20, 30, 40], dtype=np.int32)
F_ORDER = np.asfortranarray(np.arange(12.0).reshape(3, 4))
STRIDED = np.arange(20.0)[::3]
MASK = np.array([True, False, True])


@ember.jit
def read_globals(i):
    return (TABLE[1, 2] + TABLE.sum(), LOOKUP[i % LOOKUP.shape[0]], F_ORDER[2, 1],
            F_ORDER.shape[0] * 10 + F_ORDER.shape[1], STRIDED.sum(), MASK[1], TABLE.shape[1])


def test_globals_are_read():
    got = read_globals(5)
    want = (TABLE[1, 2] + TABLE.sum(), LOOKUP[1], F_ORDER[2, 1], 34, STRIDED.sum(), False, 3)
    assert got == want


@ember.jit
def scaled_table(k):
    return TABLE * k + F_ORDER[:2, :3]


def test_global_in_array_expression():
    np.testing.assert_array_equal(scaled_table(2.0), TABLE * 2.0 + F_ORDER[:2, :3])


def test_store_into_global_is_a_typing_error():
    @ember.jit
    def store(x):
        TABLE[0, 0] = x

    with pytest.raises(ember.errors.TypingError, match="read-only"):
        store(1.0)
    assert TABLE[0, 0] == 1.5


COUNTS = np.array([1, 2, 3])


def test_global_is_frozen_at_compile_time():
    @ember.jit
    def total():
        return COUNTS.sum()

    assert total() == 6
    global COUNTS
    saved = COUNTS
    try:
        COUNTS = np.array([100, 200])
        assert total() == 6  # compiled with the old value, as Numba's constant
    finally:
        COUNTS = saved
