"""Inner functions and lambdas of jitted functions: they read variables of the enclosing
function (captured by value, as Numba does, which is CPython's result when a captured variable
is bound once), are called directly or passed on to other jitted functions, and may be defined
in a loop.  Reassigning a captured variable is an UnsupportedError naming the line."""
import numpy as np
import pytest
from conftest import check

import ember
from ember.errors import UnsupportedError


@ember.jit
def call_with(g, x):
    return g(x)


def test_inner_function_reads_enclosing_variables():
    @ember.jit
    def f(a, n):
        scale = a * 2.0

        def g(x):
            return x * scale + n
        return g(1.0) + g(2.5)

    check(f, 1.5, 3)


def test_lambda():
    @ember.jit
    def f(x):
        g = lambda y: y * y + x  # noqa: E731
        return g(3.0) - g(1.0)

    check(f, 0.25)


def test_lambda_without_captures():
    @ember.jit
    def f(x):
        g = lambda y: y + 1  # noqa: E731
        return g(x)

    check(f, 41)


def test_closure_over_an_array_passed_on():
    @ember.jit
    def f(a, k):
        def at(i):
            return a[i] * k
        return call_with(at, 2) + call_with(at, 0)

    # (f.py_func would hand a Python function to the compiled call_with)
    a = np.arange(5.0)
    assert f(a, 3.0) == a[2] * 3.0 + a[0] * 3.0


def test_closure_over_a_function_argument():
    @ember.jit
    def twice(x):
        return 2.0 * x

    @ember.jit
    def f(h, x):
        def g(y):
            return h(y) + x
        return g(x)

    check(f, twice, 1.25)


def test_inner_function_defined_in_a_loop():
    @ember.jit
    def f(n):
        s = 0
        for i in range(n):
            def h(k):
                return k * i  # noqa: B023 (called in the same iteration)
            s += h(3)
        return s

    check(f, 6)


def test_nested_closures():
    @ember.jit
    def f(x):
        def outer(y):
            def inner(z):
                return x + y + z
            return inner(1.0)
        return outer(2.0)

    check(f, 0.5)


def test_reassigned_capture_is_rejected_with_its_line():
    def f(x):
        k = 1
        g = lambda y: y + k  # noqa: E731
        k = 2
        return g(x)

    with pytest.raises(UnsupportedError, match="'k' is captured"):
        ember.jit(f)(1)


def test_nonlocal_assignment_is_rejected():
    def f(x):
        k = 1

        def g():
            nonlocal k
            k = 2
        g()
        return k

    with pytest.raises(UnsupportedError, match="nonlocal"):
        ember.jit(f)(1)
