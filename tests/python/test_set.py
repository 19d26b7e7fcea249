"""Sets in compiled code (the runtime's hash table without values): displays, set(), methods,
operators and their in-place forms, predicates, iteration; reflected set arguments; exact
reference counts.  Checked against CPython running the same code (sets compare as sets: the
order of a set's iteration is not Python's)."""
import copy

import numpy as np
import pytest
from conftest import assert_same, check
from hypothesis import given, settings
from hypothesis import strategies as st

import ember
from ember import _ember, typed


@pytest.fixture(autouse=True)
def no_leaks(meminfo_balance):
    yield  # conftest.meminfo_balance checks the count


@ember.njit
def basics(xs):
    s = set()
    for x in xs:
        s.add(x)
    t = {1, 2, 3}
    t.discard(2)
    t.discard(42)
    t.update(s)
    u = t.copy()
    u.remove(1)
    total = 0
    for v in s:
        total += v
    return s, t, u, total, 3 in s, 7 not in s, len(t)


def test_basics():
    check(basics, np.array([3, 1, 4, 1, 5, 9, 2, 6], dtype=np.int64))


@ember.njit
def operators():
    a = {1, 2, 3, 4}
    b = {3, 4, 5}
    c = a.copy()
    c |= b
    d = a.copy()
    d &= b
    e = a.copy()
    e -= b
    f = a.copy()
    f ^= b
    return (a | b, a & b, a - b, a ^ b, c, d, e, f, a.union(b), a.intersection(b),
            a.difference(b), a.symmetric_difference(b), {3}.issubset(b), a.issuperset({1, 2}),
            a.isdisjoint({9}), a == {4, 3, 2, 1}, a != b)


def test_operators():
    check(operators)


@ember.njit
def tuples_and_errors(k):
    s = {(1, 2), (3, 4)}
    s.add((k, k))
    if k == 0:
        s.remove((9, 9))
    if k == 1:
        s.clear()
        return len(s), s.pop()[0]
    return len(s), int((k, k) in s)


@pytest.mark.parametrize("k", [0, 1, 5])
def test_tuple_elements_and_errors(k):
    check(tuples_and_errors, k)


@ember.njit
def grow(s):
    s.add(100)
    s.discard(1)
    return len(s)


def test_reflected_set_argument_is_written_back():
    mine = {1, 2, 3}
    expected = {1, 2, 3}
    assert grow(mine) == grow.py_func(expected)
    assert mine == expected


@ember.njit
def churn(n):
    s = set()
    for i in range(n):
        s.add((i % 101, i % 7))
        s.discard((i % 13, 0))
    return len(s)


def test_no_leak_over_many_operations():
    before = _ember.live_meminfos()
    churn(100_000)
    assert _ember.live_meminfos() == before


@ember.njit
def run_script(ops):
    s = {0}
    s.clear()
    trace = []
    for op, v in ops:
        if op == 0:
            s.add(v)
        elif op == 1:
            s.discard(v)
        elif op == 2:
            trace.append(1 if v in s else 0)
        elif op == 3:
            s = s ^ {v, v + 1}
        trace.append(len(s))
    return s, trace


@settings(max_examples=30)
@given(st.lists(st.tuples(st.integers(0, 3), st.integers(-6, 6)), min_size=1, max_size=40))
def test_operation_scripts_match_cpython(ops):
    assert_same(run_script(typed.List(ops)), run_script.py_func(copy.copy(list(ops))))
