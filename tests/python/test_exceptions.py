"""Exceptions with values and try/except in compiled code, against CPython on the same
function: `raise E(args...)` with run-time numbers and string literals (args and message as
Python's), user exception classes, try/except/else/finally, `except E`, `except (E1, E2)`,
bare `raise`, exceptions raised by compiled callees, ZeroDivisionError and IndexError caught,
and the compiled function's line in the traceback of an exception that escapes."""
import traceback

import numpy as np
import pytest
from conftest import check

import ember


class SolverError(Exception):
    pass


class Diverged(SolverError):
    pass


@ember.jit
def fails(x):
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


def test_raise_with_runtime_values_matches_python():
    for x in (-1.5, 3.0, 250.0):
        assert outcome(fails, x) == outcome(fails.py_func, x)


def test_escaping_exception_names_the_compiled_line():
    with pytest.raises(ValueError) as info:
        fails(-2.0)
    text = "".join(traceback.format_exception(info.value))
    line = fails.py_func.__code__.co_firstlineno + 3
    assert f"line {line}, in fails" in text, text


def test_try_except_catches_callee_exceptions():
    @ember.jit
    def guarded(x):
        try:
            y = fails(x)
        except ValueError:
            return -1.0
        except SolverError:
            return -2.0
        return y

    for x in (-1.0, 5.0, 500.0):
        check(guarded, x)


def test_except_tuple_else_finally():
    @ember.jit(boundscheck=True)
    def f(a, i):
        total = 0.0
        try:
            v = float(a[i]) / (i - 2)
        except (ZeroDivisionError, IndexError):
            total += 100.0
        else:
            total += v
        finally:
            total += 1.0
        return total

    for i in (0, 2, 7):
        check(f, np.arange(5.0), i)


def test_boundscheck_index_error_is_caught():
    @ember.jit(boundscheck=True)
    def f(a, i):
        try:
            return a[i]
        except IndexError:
            return -1.0

    check(f, np.arange(3.0), 1)
    check(f, np.arange(3.0), 5)


def test_bare_raise_reraises():
    @ember.jit
    def f(x):
        try:
            return fails(x)
        except ValueError:
            raise

    assert outcome(f, -3.0) == outcome(fails.py_func, -3.0)
    assert f(1.0) == 2.0


def test_exception_in_finally_replaces_the_first():
    @ember.jit
    def f(x):
        try:
            if x > 0:
                raise ValueError("first")
        finally:
            if x > 1:
                raise RuntimeError("from finally", x)
        return x

    for x in (0.0, 0.5, 2.0):
        got, want = outcome(f, x), outcome(f.py_func, x)
        assert got == want


def test_try_in_a_loop_counts_failures():
    @ember.jit
    def f(xs):
        bad = 0
        s = 0.0
        for x in xs:
            try:
                s += fails(x)
            except Exception:
                bad += 1
        return s, bad

    check(f, np.array([1.0, -1.0, 2.0, 300.0, 4.0]))


def test_exception_argument_kinds_are_checked():
    @ember.jit
    def f(a):
        raise ValueError("array", a)

    with pytest.raises(ember.errors.UnsupportedError, match="numbers and string literals"):
        f(np.zeros(2))


def test_reading_a_caught_exceptions_args():
    # more in test_caught_exceptions.py
    @ember.jit
    def f(x):
        try:
            return fails(x)
        except ValueError as e:
            return float(len(e.args))

    for x in (-1.0, 5.0, 500.0):
        check(f, x)


def test_arrays_alive_across_a_caught_exception_are_released():
    from ember import _ember

    @ember.jit
    def f(n, x):
        a = np.ones(n)
        try:
            b = a * 2.0
            y = fails(x) + b[0]
        except ValueError:
            y = a[0]
        return y

    assert f(4, 1.0) == 4.0 and f(4, -1.0) == 1.0  # compiled, and a first call of each path
    before = _ember.live_meminfos()
    for x in (1.0, -1.0, -2.0, 3.0):
        f(4, x)
    assert _ember.live_meminfos() == before


@ember.jit
def first_plus(a, x):
    if x < 0:
        raise ValueError("negative", x)
    return a[0] + x


def test_array_passed_to_a_callee_that_raises_is_released():
    from ember import _ember

    @ember.jit
    def f(n, x):
        a = np.ones(n)
        try:
            y = first_plus(a * 2.0, x)  # the temporary's last use is the raising call
        except ValueError:
            y = -1.0
        return y + a[0]

    assert f(3, 1.0) == 4.0 and f(3, -1.0) == 0.0
    before = _ember.live_meminfos()
    for x in (1.0, -1.0, -2.0, 3.0):
        f(3, x)
    assert _ember.live_meminfos() == before
