"""Builtins of issue 12 item 7 that are not about iterators, against CPython on the same
function: isinstance with classes known at compile time, hash of numbers, pow with a modulus,
round(x, ndigits) of floats and ints, divmod, complex() and print() of numbers, strings and
arrays (printed by Python, so captured like any print)."""
import math

import numpy as np
import pytest
from conftest import check

import ember
from ember.errors import TypingError, UnsupportedError


def test_isinstance_is_decided_from_types():
    @ember.jit
    def kinds(x):
        return (isinstance(x, int), isinstance(x, float), isinstance(x, (int, float)),
                isinstance(x, str), isinstance(x, complex), isinstance(x, bool))

    for x in (3, 2.5, "s", 1j, True):
        assert kinds(x) == kinds.py_func(x), x

    @ember.jit
    def containers(a, c):
        b = {1: 2.0}
        return isinstance(a, list), isinstance(b, dict), isinstance(c, set), isinstance(a, set)

    assert containers([1], {3}) == (True, True, True, False)


def test_isinstance_of_an_unsupported_class_names_the_line():
    def f(x):
        return isinstance(x, range)

    with pytest.raises(UnsupportedError, match="isinstance") as info:
        ember.jit(f)(1)
    assert info.value.line == f.__code__.co_firstlineno + 1


def test_hash_of_numbers_is_pythons():
    @ember.jit
    def h(i, x, b):
        return hash(i), hash(x), hash(b)

    big = 2 ** 62 + 12345
    for i, x in ((0, 0.0), (-1, -1.0), (7, 2.5), (big, 1e300), (-big, -0.1), (2 ** 61 - 1, 1e-300)):
        assert h(i, x, True) == h.py_func(i, x, True), (i, x)
    for x in (math.inf, -math.inf, 3.0, 123456789.125):
        assert h(1, x, False) == h.py_func(1, x, False)
    assert hash(2.0) == h(2, 2.0, False)[0] == h(2, 2.0, False)[1]


def test_pow_with_a_modulus():
    @ember.jit
    def pm(b, e, m):
        return pow(b, e, m)

    cases = ((3, 200, 7), (2, 0, 1), (2, 0, 5), (-7, 3, 10), (5, 3, -7), (0, 5, 3),
             (123456789, 10 ** 12, 2 ** 61 - 1))
    for b, e, m in cases:
        assert pm(b, e, m) == pow(b, e, m), (b, e, m)
    with pytest.raises(ValueError, match="cannot be 0"):
        pm(2, 3, 0)
    with pytest.raises(ValueError, match="negative exponent"):
        pm(2, -1, 7)

    def floats(x):
        return pow(x, 2, 5)

    with pytest.raises(TypingError, match="takes integers"):
        ember.jit(floats)(2.0)


def test_round_with_ndigits():
    @ember.jit
    def r(x, n):
        return round(x, n)

    for x in (2.675, 0.125, 1234.5678, -2.5, 0.5, 1.0000000000000002, 7.0):
        for n in (0, 1, 2, 3, -1, -2):
            assert r(x, n) == round(x, n), (x, n)
    for i in (12345, 12350, 12250, -12350, 5, 15, 25, 0, 9_000_000_000_000_000_000 // 10):
        for n in (-1, -2, -3, 0, 2, -19, -25):
            assert r(i, n) == round(i, n), (i, n)


def test_divmod_and_complex():
    @ember.jit
    def f(a, b, x):
        return divmod(a, b), divmod(x, 0.75), complex(x, a), complex(a), complex()  # noqa: UP018

    for a, b in ((17, 5), (-17, 5), (17, -5)):
        check(f, a, b, -7.5)


def test_print_of_numbers_strings_and_arrays(capsys):
    @ember.jit
    def show(n, x, s, a):
        print("values:", n, x, s)
        print(a)
        print()
        return n + 1

    a = np.arange(4.0)
    assert show(3, 2.5, "text", a) == 4
    compiled = capsys.readouterr().out
    show.py_func(3, 2.5, "text", a)
    assert compiled == capsys.readouterr().out
    assert compiled.startswith("values: 3 2.5 text\n")


def test_print_with_keywords_is_unsupported_at_the_line():
    def f(x):
        print(x, end="")
        return x

    with pytest.raises(TypingError, match="keyword") as info:
        ember.jit(f)(1)
    assert info.value.line == f.__code__.co_firstlineno + 1
