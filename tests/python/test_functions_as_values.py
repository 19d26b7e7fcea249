"""Jitted functions passed as values: an argument that is a jitted function is typed by its
identity (one specialization per function, as Numba's dispatcher type), called like a global
jitted function, passed on to other jitted functions and held in tuples."""
import numpy as np
import pytest
from conftest import check

import ember


@ember.jit
def square(x, p):
    return x * x - p[0]


@ember.jit
def cube(x, p):
    return x * x * x - p[0]


@ember.jit
def apply(f, x, p):
    return f(x, p)


@ember.jit
def apply_twice(f, x, p):  # passes the function on
    return apply(f, apply(f, x, p), p)


@ember.jit
def newton(f, df, x, p, n):
    for _ in range(n):
        x -= f(x, p) / df(x, p)
    return x


@ember.jit
def square_d(x, p):
    return 2.0 * x


P = np.array([2.0])


def test_function_argument_called():
    check(apply, square, 3.0, P)
    check(apply, cube, 3.0, P)


def test_one_specialization_per_function():
    @ember.jit
    def call(f, x):
        return f(x, P)

    assert call(square, 1.5) == square(1.5, P)
    assert call(cube, 1.5) == cube(1.5, P)
    assert call(square, 2.5) == square(2.5, P)
    assert len(call.signatures) == 2


def test_function_passed_on():
    check(apply_twice, square, 3.0, P)


def test_newton_with_function_and_derivative():
    got = newton(square, square_d, 1.0, P, 20)
    assert abs(got - 2 ** 0.5) < 1e-12
    assert got == newton.py_func(square, square_d, 1.0, P, 20)


def test_tuple_of_functions():
    @ember.jit
    def both(fs, x):
        return fs[0](x, P) + fs[1](x, P)

    check(both, (square, cube), 2.0)


def test_function_chosen_at_compile_time_from_a_tuple_built_inside():
    @ember.jit
    def pick(x):
        fs = (square, cube)
        return fs[1](x, P) - fs[0](x, P)

    check(pick, 3.0)


def test_plain_python_function_argument_is_rejected():
    def py(x, p):
        return x

    with pytest.raises(ember.errors.TypingError, match="argument 'f'"):
        apply(py, 1.0, P)
