"""literal_unroll: a loop over a heterogeneous tuple (a parameter, a global or a constant) is
unrolled, each iteration typed on its own, against CPython on the same function; break,
continue and return in the body; a tuple computed in the function is an UnsupportedError
naming the line."""
import numpy as np
import pytest
from conftest import check

import ember
from ember import literal_unroll


@ember.jit
def count_positive(x):
    c = 0
    for v in x:
        if v > 0:
            c += 1
    return c


def test_tuple_of_arrays_of_three_dtypes():
    @ember.jit
    def stats(chs):
        s = 0.0
        n = 0
        for x in literal_unroll(chs):
            s += x.sum()
            n += count_positive(x)  # one specialization per dtype
        return s, n

    chs = (np.arange(-2, 5, dtype=np.int16), np.ones(3, np.float32), np.linspace(-1, 1, 5))
    check(stats, chs)


MIXED = (1, 2.5, True)


def test_global_tuple_with_continue():
    @ember.jit
    def f(k):
        s = 0.0
        for v in literal_unroll(MIXED):
            if v == 2.5:
                continue
            s += v * k
        return s

    check(f, 2.0)


def test_break_and_return_in_the_body():
    @ember.jit
    def until(t):
        s = 0
        for v in literal_unroll(t):
            if v > 10:
                break
            s += v
        return s

    @ember.jit
    def first_above_one(t):
        for v in literal_unroll(t):
            if v > 1:
                return v
        return -1.0  # one return type (float64), as the compiled function has

    check(until, (1, 2.0, 30, 4))
    check(first_above_one, (1, 2.5, 3))
    check(first_above_one, (1, 0.5, 0))


def test_nested_loops():
    @ember.jit
    def f(a, b):
        s = 0.0
        for x in literal_unroll(a):
            for y in literal_unroll(b):
                s += x * y
        return s

    check(f, (1, 2.5), (3, 0.5, True))


def test_tuple_computed_in_the_function_is_rejected():
    @ember.jit
    def f(x):
        t = (x, 2.0)
        s = 0.0
        for v in literal_unroll(t):
            s += v
        return s

    with pytest.raises(ember.errors.UnsupportedError, match="literal_unroll"):
        f(1)
