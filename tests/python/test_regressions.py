"""Regression tests for bugs found from outside the project (a differential fuzzer run against
ember, numba's example programs, a new user's first session), each checked against CPython.
`make test-pythons` runs this module under every installed CPython (3.11-3.13).

* A variable bound on only one path was read as an uninitialized value (a segfault for an
  array): it must raise UnboundLocalError at run time, as CPython, for every type.
* A conditional or short-circuit expression inside call arguments was refused ("the NULL
  marker of a call"): the NULL (or the callable) stays on the stack across the branch.
* math.gcd, math.lcm, divmod and complex(re, im) were missing.
"""
import io
import math

import numpy as np
import pytest
from conftest import check

import ember

# ---- variables bound on some paths only -------------------------------------------------------


@ember.njit
def array_bound_on_one_path(n):
    if n > 0:
        t = np.arange(4.0)
    return t[1]


@ember.njit
def scalar_bound_on_one_path(n, x):
    if n > 0:
        y = x * 2
    return y


@ember.njit
def tuple_bound_on_one_path(n):
    if n > 0:
        t = (n, 1.5, np.ones(2))
    return t[2].sum() + t[0]


@ember.njit
def complex_bound_on_one_path(n):
    if n > 0:
        z = complex(n, 1.0)
    return z


@ember.njit
def bool_bound_on_one_path(n):
    while n > 3:
        b = n % 2 == 0
        n -= 1
    return b


@ember.njit
def loop_variable_after_loop(n):
    for i in range(n):  # noqa: B007 - read after the loop, deliberately
        pass
    return i


@ember.njit
def assigned_later_in_loop(n, first_read):
    s = 0
    for i in range(n):
        if i >= first_read:
            s += prev  # noqa: F821 - assigned by an earlier iteration, or unbound
        prev = i * i  # noqa: F841
    return s


@ember.njit
def deleted_then_read(n):
    a = np.zeros(n)
    if n > 2:
        del a
    return a.sum()


@ember.njit(parallel=True)
def read_in_prange_body(n, m):
    if n > 0:
        t = np.arange(4.0)
    s = 0.0
    for i in ember.prange(m):
        s += t[1] * i
    return s


@pytest.mark.parametrize("f,good,bad", [
    (read_in_prange_body, (1, 100), (0, 100)),
    (array_bound_on_one_path, (1,), (0,)),
    (scalar_bound_on_one_path, (1, 2.5), (0, 2.5)),
    (tuple_bound_on_one_path, (2,), (-1,)),
    (complex_bound_on_one_path, (3,), (0,)),
    (bool_bound_on_one_path, (7,), (2,)),
    (loop_variable_after_loop, (4,), (0,)),
    (assigned_later_in_loop, (5, 1), (5, 0)),
    (deleted_then_read, (2,), (3,)),
], ids=lambda v: v.py_func.__name__ if hasattr(v, "py_func") else "")
def test_unbound_local_raises_as_cpython(f, good, bad):
    check(f, *good)
    with pytest.raises(UnboundLocalError) as compiled:
        f(*bad)
    with pytest.raises(UnboundLocalError) as interpreted:
        f.py_func(*bad)
    assert str(compiled.value) == str(interpreted.value)


def test_unbound_local_never_read_is_fine():
    check(read_in_prange_body, 0, 0)
    check(loop_variable_after_loop, 1)


def test_unbound_array_does_not_leak_or_crash_on_repeated_calls():
    from ember import _ember
    before = _ember.live_meminfos()
    for n in (0, 1, 0, 2, 0):
        if n:
            assert array_bound_on_one_path(n) == 1.0
        else:
            with pytest.raises(UnboundLocalError):
                array_bound_on_one_path(n)
    assert _ember.live_meminfos() == before


def typed_ir(f):
    out = io.StringIO()
    f.inspect_types(file=out)
    return out.getvalue()


def test_reads_assigned_on_every_path_are_not_checked():
    # the check costs nothing where it is not needed: no branch to the raise in the IR
    @ember.njit
    def f(n):
        s = 0
        for i in range(n):
            s += i
        return s

    f(3)
    loop_variable_after_loop(1)
    assert "checkbound" not in typed_ir(f)
    assert "checkbound" in typed_ir(loop_variable_after_loop)


# ---- conditional expressions inside call arguments ---------------------------------------------


@ember.njit
def ternary_in_abs(c, x):
    return abs(1.0 if c else x)


@ember.njit
def and_in_int(c, x):
    return int(c and x > 1.0)


@ember.njit
def ternary_in_max(c, x):
    return max(1, 2 if c else 3)


@ember.njit
def ternary_in_math_sin(c, x):
    return math.sin(1.0 if c else x)


@ember.njit
def chained_compare_in_int(c, x):
    return int(0 < x < 5)


@ember.njit
def or_in_round(c, x):
    return round(x if c or x > 0 else -x)


@ember.njit
def ternary_in_method_and_keyword(c, x):
    a = np.arange(6.0).reshape(2, 3)
    return a.reshape((3, 2) if c else (6, 1))[1, 0] + np.zeros(3 if c else 4, dtype=np.float64).size


@ember.njit
def nested_calls_with_branches(c, x):
    return max(abs(x if c else -x), min(1.0, x if x > 0 else 0.5 if c else -0.5))


@pytest.mark.parametrize("f", [ternary_in_abs, and_in_int, ternary_in_max, ternary_in_math_sin,
                               chained_compare_in_int, or_in_round, ternary_in_method_and_keyword,
                               nested_calls_with_branches],
                         ids=lambda f: f.py_func.__name__)
@pytest.mark.parametrize("c,x", [(True, 2.0), (False, -3.5), (False, 7.25), (True, 0.0)])
def test_branches_inside_call_arguments(f, c, x):
    check(f, c, x)


# ---- math.gcd, math.lcm, divmod, complex(re, im) -----------------------------------------------


@ember.njit
def gcd_lcm(a, b):
    return (math.gcd(a, b), math.lcm(a, b), math.gcd(), math.lcm(), math.gcd(a),
            math.gcd(a, b, 6), math.lcm(a, b, 4), math.gcd(True, b))


@pytest.mark.parametrize("a,b", [(12, 18), (-12, 18), (0, 0), (0, -7), (17, 5), (-3 * 2**60, 6),
                                 (2**40, 2**20 * 3)])
def test_gcd_lcm(a, b):
    check(gcd_lcm, a, b)


@ember.njit
def divmods(a, b, x, y):
    return divmod(a, b), divmod(x, y), divmod(a, y), divmod(True, b)


@pytest.mark.parametrize("a,b,x,y", [(7, 2, 7.5, 2.0), (-7, 2, -7.5, 2.0), (7, -2, 7.5, -2.0),
                                     (-7, -2, -0.0, 1.5), (0, 3, 1e300, 1e-300),
                                     (5, 0, 1.0, 1.0), (5, 1, 1.0, 0.0)])
def test_divmod(a, b, x, y):
    check(divmods, a, b, x, y)


@ember.njit
def complexes(x, y, n):
    return (complex(x, y), complex(n, -0.0), complex(1j, 2), complex(x, 2j), complex(n),
            np.complex64(x, y), complex(True, n))


@pytest.mark.parametrize("x,y,n", [(7.5, 2.0, 3), (-0.0, -0.0, -1), (float("inf"), 1e-300, 0)])
def test_complex_of_real_and_imag(x, y, n):
    got = check(complexes, x, y, n)
    # the sign of a zero part is kept, as CPython keeps it
    want = complexes.py_func(x, y, n)
    for g, w in zip(got, want):
        assert math.copysign(1.0, g.imag) == math.copysign(1.0, w.imag)
        assert math.copysign(1.0, g.real) == math.copysign(1.0, w.real)
    assert type(got[5]) is complex and got[5] == complex(np.complex64(x, y))


def test_new_builtins_reject_bad_arguments_with_the_line():
    @ember.njit
    def f(x):
        return math.gcd(x, 2)

    with pytest.raises(ember.errors.TypingError) as info:
        f(1.5)
    assert "gcd" in str(info.value) and info.value.line is not None


# ---- locals no path binds (their assignment was dead code) -------------------------------------


@ember.njit
def never_bound(flag):
    if False:
        m = np.ones(3)
    if flag:
        return m.shape[0]
    return -1


@ember.njit
def never_bound_before_and_in_loop(n):
    if False:
        m = 1
    k = m
    for i in range(n):
        k += m + i
    return k


@ember.njit(parallel=True)
def never_bound_in_prange(n):
    if False:
        m = -0.0
    r = 0.0
    for _i in ember.prange(n):
        r -= m
    return r


@ember.njit(parallel=True)
def never_bound_after_a_reduction_in_prange(n):
    if False:
        m = -0.0
    r = 0.0
    for _i in ember.prange(n):
        r -= 1.0
        r -= m
    return r


@pytest.mark.parametrize("f,good,bad", [(never_bound, (False,), (True,)),
                                        (never_bound_before_and_in_loop, None, (3,)),
                                        (never_bound_in_prange, (0,), (9,)),
                                        (never_bound_after_a_reduction_in_prange, (0,), (9,))],
                         ids=lambda v: v.py_func.__name__ if hasattr(v, "py_func") else "")
def test_never_bound_local_raises_only_when_read(f, good, bad):
    # Numba refuses to compile these; CPython raises when the read runs, and so does ember
    if good is not None:
        check(f, *good)
    with pytest.raises(UnboundLocalError):
        f(*bad)
