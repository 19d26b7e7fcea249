"""`except E as e` in compiled code, against CPython on the same function: e.args (a tuple
typed from the raise sites the handler catches, in the function or in compiled callees),
str(e) formatted as Python formats it, and re-raising with `raise e`, for builtin exception
classes and user subclasses of Exception; the limits (raise sites of different argument types,
a caught exception of another shape) as clear errors at the user's line."""
import numpy as np
import pytest
from conftest import check

import ember
from ember.errors import TypingError


class SolverError(Exception):
    pass


class Diverged(SolverError):
    pass


@ember.jit
def solve_step(x):
    if x < 0:
        raise ValueError("negative input", x, 2 * x)
    if x > 100:
        raise Diverged("too large", x)
    return x + 1.0


def outcome(f, *args):
    try:
        return ("ok", f(*args))
    except Exception as exc:  # noqa: BLE001
        return (type(exc), exc.args, str(exc))


def test_args_of_an_exception_raised_in_the_same_function():
    @ember.jit
    def f(x, n):
        try:
            if x < 0:
                raise ValueError("negative", x, n)
            return x
        except ValueError as e:
            return e.args[1] * 2.0 + e.args[2]

    for x in (-1.5, 2.0):
        check(f, x, 7)


def test_args_from_compiled_callees_per_clause():
    @ember.jit
    def guarded(x):
        try:
            return solve_step(x)
        except Diverged as e:
            return e.args[1] + 1000.0
        except ValueError as e:
            return e.args[1] + e.args[2]

    for x in (-3.0, 5.0, 500.0):
        check(guarded, x)


def test_user_class_caught_by_its_base_reads_args_and_len():
    @ember.jit
    def f(x):
        try:
            if x > 1.0:
                raise Diverged("too large", x)
            return 0.0
        except SolverError as e:
            return e.args[1] + len(e.args)

    for x in (0.5, 3.0):
        check(f, x)


def test_str_of_caught_exceptions_is_pythons():
    @ember.jit
    def text(k, x):
        try:
            if k == 0:
                raise ValueError("plain message")
            if k == 1:
                raise ValueError("value", x, k, True)
            if k == 2:
                raise KeyError
            if k == 3:
                raise Diverged(x)
            if k == 4:
                raise ValueError("it's", 'say "hi"', "tab\there")
            return "none"
        except Exception as e:
            return str(e)

    for k in range(6):
        for x in (2.5, -1e20, 0.1):
            assert text(k, x) == text.py_func(k, x)


def test_str_of_a_builtin_error_raised_by_an_operation():
    @ember.jit
    def f(a, b):
        try:
            return str(a // b)
        except ZeroDivisionError as e:
            return "caught: " + str(e) + " " + str(len(e.args))

    check(f, 7, 2)
    check(f, 7, 0)


def test_raise_e_reraises_with_the_same_args():
    @ember.jit
    def f(x):
        try:
            return solve_step(x)
        except ValueError as e:
            raise e

    for x in (-2.0, 1.0):
        assert outcome(f, x) == outcome(f.py_func, x)

    @ember.jit
    def g(x):
        try:
            return solve_step(x)
        except SolverError as e:
            if e.args[1] > 200.0:
                raise e
            return -1.0

    for x in (150.0, 250.0):
        assert outcome(g, x) == outcome(g.py_func, x)


def test_raise_sites_with_different_argument_types_name_the_line():
    def f(x):
        try:
            if x < 0:
                raise ValueError("negative", x)
            if x > 5:
                raise ValueError(1, 2, 3)
            return 0
        except ValueError as e:
            return len(e.args)

    with pytest.raises(TypingError, match="different argument types") as info:
        ember.jit(f)(1.0)
    assert info.value.line == f.__code__.co_firstlineno + 8


def test_a_caught_exception_of_another_shape_is_a_clear_error():
    # The handler's e.args is typed (str, int64) from the explicit raise; the bounds check's
    # IndexError carries only its message, which cannot be read as that tuple.
    @ember.jit(boundscheck=True)
    def f(a, i):
        try:
            if i < 0:
                raise IndexError("negative index", i)
            return a[i]
        except IndexError as e:
            return e.args[1]

    a = np.arange(4)
    check(f, a, -2)
    check(f, a, 1)
    with pytest.raises(TypeError, match="e.args"):
        f(a, 10)


def test_other_attributes_are_unsupported_at_the_line():
    def f(x):
        try:
            raise ValueError("x", x)
        except ValueError as e:
            return e.foo

    with pytest.raises(ember.errors.UnsupportedError, match="e.foo") as info:
        ember.jit(f)(1.0)
    assert info.value.line == f.__code__.co_firstlineno + 4
