"""Reference counting of lists, dicts and sets over 10^6 operations each.

Every container, array and string that compiled code allocates is a MemInfo, and the runtime
counts the live ones (``_ember.live_meminfos()``).  Each test below runs a million container
operations of one kind (appends and pops, stores and deletes, adds and removes, nested
containers, containers of arrays, slices) and checks that afterwards exactly as many MemInfos
are alive as before, so a single missed release per operation would show as up to 10^6.  The
functions also return a checksum computed by CPython from the same code on a smaller n, so the
loops cannot be optimized into doing nothing.
"""
import numpy as np
import pytest

import ember
from ember import _ember

N = 1_000_000


@pytest.fixture(autouse=True)
def no_leaks(meminfo_balance):
    yield  # conftest.meminfo_balance checks the count


def run_balanced(f, n):
    """f(n) compiled; asserts no MemInfo outlives the call and returns the result."""
    before = _ember.live_meminfos()
    result = f(n)
    assert _ember.live_meminfos() == before
    return result


def same_as_cpython(f, small=2_000):
    """The compiled f agrees with CPython on a small n (so the big run computes something)."""
    assert f(small) == f.py_func(small)


@ember.njit
def list_append_pop(n):
    a = [0]
    s = 0
    for i in range(n):
        a.append(i)
        if i % 3 == 0:
            s += a.pop()
    return s + len(a)


@ember.njit
def list_of_arrays(n):
    a = [np.zeros(1)]
    total = 0.0
    for i in range(n // 2):
        a.append(np.full(2, float(i)))
        a[i % len(a)] = np.ones(2)
        if len(a) > 8:
            total += a.pop(0)[0]
            del a[0]
    return total + len(a)


@ember.njit
def list_slices(n):
    a = list(range(10))
    s = 0
    for i in range(n // 4):
        a[2:5] = [i, i + 1]
        b = a[1:6]
        del a[0:2]
        a.extend(b)
        s += len(a) + b[-1]
        if len(a) > 20:
            a = a[:10]
    return s


@ember.njit
def dict_set_del(n):
    d = {0: 0}
    s = 0
    for i in range(n):
        d[i % 1000] = i
        if i % 2 == 0:
            del d[(i // 2) % 1000]
            s += len(d)
    return s


@ember.njit
def dict_of_lists(n):
    d = {0: [0]}
    s = 0
    for i in range(n // 2):
        k = i % 50
        if k in d:
            d[k].append(i)
            if len(d[k]) > 5:
                s += d.pop(k)[0]
        else:
            d[k] = [i, i]
    return s + len(d)


@ember.njit
def set_add_remove(n):
    s = {(0, 0)}
    count = 0
    for i in range(n):
        s.add((i % 997, i % 3))
        if (i % 991, 1) in s:
            s.remove((i % 991, 1))
            count += 1
    return count + len(s)


@ember.njit
def nested_lists(n):
    rows = [[0]]
    s = 0
    for i in range(n // 2):
        rows.append([i, i + 1, i + 2])
        rows[-1][0] = i * 2
        if len(rows) > 16:
            s += sum_row(rows.pop(1))
    return s + len(rows)


@ember.njit
def sum_row(r):
    t = 0
    for x in r:
        t += x
    return t


@ember.njit
def dict_of_arrays_and_strings(n):
    d = {"a": np.zeros(2)}
    names = ["a", "b", "c", "d"]
    s = 0.0
    for i in range(n // 2):
        key = names[i % 4]
        d[key] = np.full(2, float(i))
        if i % 7 == 0:
            s += d.pop(key)[1]
    return s + len(d)


@pytest.mark.parametrize("f", [list_append_pop, list_of_arrays, list_slices, dict_set_del,
                               dict_of_lists, set_add_remove, nested_lists,
                               dict_of_arrays_and_strings],
                         ids=lambda f: f.__name__)
def test_a_million_operations_leave_no_live_allocation(f):
    same_as_cpython(f)
    run_balanced(f, N)
