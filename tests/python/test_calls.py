"""Globals and closure variables (numbers and tuples, read at compile time and frozen, as in
Numba), calls from one jitted function to another (positional, keyword, default arguments),
and self-recursion whose return type comes from a non-recursive path."""
import numpy as np
import pytest
from conftest import assert_same, check, sample_array, small_ints
from hypothesis import given, settings
from hypothesis import strategies as st

import ember

fast = settings(max_examples=25, deadline=None)

SCALE = 3
OFFSET = 0.5
PAIR = (2, 7.5)
NESTED = (1, (2, 3.5))
FLAG = True


# ---- globals and closures --------------------------------------------------------------------

def test_global_numbers():
    @ember.jit
    def f(x):
        return x * SCALE + OFFSET if FLAG else x

    check(f, 4)


def test_global_tuples():
    @ember.jit
    def f(x):
        a, b = PAIR
        return x * a + b + NESTED[1][1] - NESTED[0]

    check(f, 4)


def test_global_is_frozen_at_first_compile():
    global SCALE
    old = SCALE

    @ember.jit
    def f(x):
        return x * SCALE

    try:
        assert f(2) == 2 * old
        SCALE = old + 10
        assert f(2) == 2 * old  # Numba semantics: the compiled value does not change
    finally:
        SCALE = old


def test_closure_variables():
    k = 4
    t = (1.5, -2)

    @ember.jit
    def f(x):
        return x * k + t[0] * t[1]

    check(f, 3)


def test_closure_variable_is_frozen():
    k = 4

    @ember.jit
    def f(x):
        return x + k

    assert f(1) == 5
    k = 100  # noqa: F841 - the cell changes, the compiled function does not
    assert f(1) == 5


def test_module_attribute_constants():
    @ember.jit
    def f(x):
        return x * np.pi + np.e

    check(f, 2.0)


F32_CONSTANT = np.float32(1.5)
INT8_CONSTANT = np.int8(3)


def test_numpy_scalar_global_keeps_its_type():
    # Numba types the frozen global as float32: float32 * float32 stays float32
    @ember.jit
    def f(x):
        return x * F32_CONSTANT

    assert_same(f(np.float32(0.1)), float(np.float32(0.1) * F32_CONSTANT))


def test_global_complex_and_bool():
    c, flag = 1 + 2j, True

    @ember.jit
    def f(x):
        return x * c if flag else x

    check(f, 2)


def test_jitted_function_in_closure():
    @ember.jit
    def inner(x):
        return x * 2

    def make():
        @ember.jit
        def outer(x):
            return inner(x) + 1
        return outer

    check(make(), 5)


# ---- calls between jitted functions ----------------------------------------------------------

@ember.jit
def square(x):
    return x * x


@ember.jit
def affine(x, a=2, b=1.5):
    return a * x + b


@ember.jit
def kwonly(x, *, scale=10, shift=0):
    return x * scale + shift


@ember.jit
def call_simple(x):
    return square(x) + square(x + 1)


@ember.jit
def call_defaults(x):
    return affine(x), affine(x, 3), affine(x, 3, 4), affine(x, b=-1), affine(b=0.25, x=x, a=5)


@ember.jit
def call_kwonly(x):
    return kwonly(x), kwonly(x, scale=2), kwonly(x, shift=1, scale=3)


@fast
@given(small_ints)
def test_call_another_jitted_function(x):
    check(call_simple, x)


@fast
@given(small_ints)
def test_call_with_defaults_and_keywords(x):
    check(call_defaults, x)


@fast
@given(small_ints)
def test_call_keyword_only_arguments(x):
    check(call_kwonly, x)


def test_callee_compiles_for_the_caller_types():
    @ember.jit
    def callee(x):
        return x + 1

    @ember.jit
    def caller(a, b):
        return callee(a), callee(b)

    check(caller, 1, 2.5)
    assert sorted(callee.signatures) == [("float64",), ("int64",)]


@ember.jit
def fill(out, value):
    for i in range(out.shape[0]):
        out[i] = value


@ember.jit
def call_with_array(n):
    a = np.empty(n)
    fill(a, 2.5)
    return a


def test_call_passing_arrays():
    check(call_with_array, 4)


@ember.jit
def returns_pair(x):
    return x, x * 2.0


@ember.jit
def call_returning_tuple(x):
    a, b = returns_pair(x)
    return b - a


def test_call_returning_tuple():
    check(call_returning_tuple, 3)


@ember.jit
def level3(x):
    return x - 1


@ember.jit
def level2(x):
    return level3(x) * 2


@ember.jit
def level1(x):
    return level2(x) + level3(x)


def test_call_chain():
    check(level1, 10)


def test_callee_defined_after_caller():
    @ember.jit
    def caller(x):
        return later(x) + 1

    @ember.jit
    def later(x):
        return x * 3

    check(caller, 2)


# ---- recursion -------------------------------------------------------------------------------

@ember.jit
def fib(n):
    if n < 2:
        return n
    return fib(n - 1) + fib(n - 2)


@ember.jit
def rec_sum(a, i):
    if i == a.shape[0]:
        return 0.0
    return a[i] + rec_sum(a, i + 1)


@ember.jit
def power_rec(x, n):
    if n == 0:
        return 1.0
    half = power_rec(x, n // 2)
    if n % 2:
        return half * half * x
    return half * half


@pytest.mark.parametrize("n", [0, 1, 2, 10, 20])
def test_recursive_fib(n):
    check(fib, n)


def test_recursive_sum_over_array():
    check(rec_sum, sample_array(np.float64, (30,)), 0)


@fast
@given(st.floats(-2, 2), st.integers(0, 30))
def test_recursive_power(x, n):
    check(power_rec, x, n, rel=1e-9)


@ember.jit
def rec_with_default(n, acc=0):
    if n == 0:
        return acc
    return rec_with_default(n - 1, acc + n)


def test_recursion_with_default_argument():
    check(rec_with_default, 10)
    check(rec_with_default, 10, 5)


def test_recursion_result_type():
    assert_same(fib(15), 610)


@ember.jit
def rec_keyword(n, acc=1):
    if n <= 1:
        return acc
    return rec_keyword(n - 1, acc=acc * n)


def test_recursion_with_keyword_argument():
    check(rec_keyword, 10)


@ember.jit
def factorial(n):
    if n > 1:
        return factorial(n - 1) * n  # the recursive path comes first
    return 1


def test_recursive_path_before_base_case():
    check(factorial, 15)


@ember.jit
def fib_pair(n):
    if n == 0:
        return (0, 1)
    a, b = fib_pair(n - 1)
    return (b, a + b)


def test_recursion_returning_tuple():
    check(fib_pair, 20)


@ember.jit
def halve_count(x):
    if x < 1:
        return x
    return halve_count(x / 2) + 1


def test_recursion_with_other_argument_types():
    # int argument, recursive calls with float: a second specialization
    check(halve_count, 100)
    check(halve_count, 100.0)


@ember.jit
def fill_rec(a, i):
    if i < a.shape[0]:
        a[i] = i * i
        fill_rec(a, i + 1)


def test_recursion_without_result():
    check(fill_rec, np.zeros(6), 0)


@ember.jit
def count_down_optional(n):
    if n < 0:
        return None
    if n == 0:
        return 0
    r = count_down_optional(n - 1)
    if r is None:
        return None
    return r + 1


@pytest.mark.parametrize("n", [3, -1])
def test_recursion_with_optional_result(n):
    check(count_down_optional, n)


@ember.jit
def is_even(n):
    if n == 0:
        return True
    return is_odd(n - 1)


@ember.jit
def is_odd(n):
    if n == 0:
        return False
    return is_even(n - 1)


@pytest.mark.xfail(strict=True, reason="mutual recursion is not supported yet "
                                "(the issue asks for self-recursion; Numba supports it)")
def test_mutual_recursion():
    # Numba types mutual recursion when one function has a non-recursive return path
    check(is_even, 10)
    check(is_odd, 7)


@ember.jit
def ping(n):
    if n <= 0:
        return 0
    return pong(n - 1)


@ember.jit
def pong(n):
    return ping(n - 1) + 1  # no path of its own that avoids recursion


@pytest.mark.xfail(strict=True, reason="mutual recursion is not supported yet "
                                "(the issue asks for self-recursion; Numba supports it)")
def test_mutual_recursion_through_a_function_without_base_case():
    # Numba infers ping's type from its base case and gives pong the same
    check(ping, 5)
    check(ping, 6)
