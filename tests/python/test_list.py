"""Lists in compiled code (ember/containers.h, lowering/CodeGenList.cpp): displays, methods,
indexing, slicing, iteration, operators, heapq, sorted; lists returned to Python, reflected list
arguments, ember.typed.List; compile-time homogeneity errors; exact reference counts.  Every
function is checked against CPython running the same code."""
import copy
import heapq

import numpy as np
import pytest
from conftest import assert_same, check
from hypothesis import given, settings
from hypothesis import strategies as st

import ember
from ember import TypingError, _ember, typed, types


@pytest.fixture(autouse=True)
def no_leaks(meminfo_balance):
    yield  # conftest.meminfo_balance checks the count


def check_copies(f, *args):
    """check() with list arguments copied for each run (a reflected list is mutated)."""
    expected = f.py_func(*copy.deepcopy(args))
    mine = copy.deepcopy(args)
    got = f(*mine)
    assert_same(got, expected)
    return mine


@ember.njit
def build_and_sum(n):
    lst = []
    for i in range(n):
        lst.append(i * 3 - 7)
    s = 0
    for x in lst:
        s += x
    return lst, s, len(lst), lst[-1], lst[0]


def test_append_iterate_return():
    check(build_and_sum, 10)
    check(build_and_sum, 1)


@ember.njit
def methods(n):
    a = [5, 3, 9, 1]
    a.extend([7, 7, 2])
    a.insert(1, 42)
    a.insert(-1, 13)
    a.insert(100, -1)
    p = a.pop()
    q = a.pop(0)
    a.remove(7)
    i = a.index(9)
    c = a.count(7)
    b = a.copy()
    b.reverse()
    a.sort()
    d = sorted(b, reverse=True)
    b.clear()
    return a, b, d, p, q, i, c, len(b), n in a


def test_methods():
    check(methods, 13)
    check(methods, 4)


@ember.njit
def indexing(k):
    a = [1.5, 2.5, 3.5, 4.5, 5.5]
    a[k] = -1.0
    del a[0]
    return a[k], a, a[1:3], a[::-1], a[-2:], a[::2]


def test_indexing_and_slices():
    check(indexing, 2)
    check(indexing, -1)
    check(indexing, 7)   # IndexError, as CPython


@ember.njit
def errors(k):
    a = [1, 2, 3]
    if k == 0:
        return a.pop(5)
    if k == 1:
        a.remove(9)
    if k == 2:
        return [0][0:0].pop()
    return a.index(7)


@pytest.mark.parametrize("k", [0, 1, 2, 3])
def test_errors_match_cpython(k):
    check(errors, k)


@ember.njit
def operators(n):
    a = [1, 2]
    b = a + [3, 4]
    c = a * n
    a += b
    return a, b, c, a == [1, 2, 1, 2, 3, 4], a != b, [1, 2] < [1, 3], len(c), bool(c), bool(b)


def test_operators():
    check(operators, 3)
    check(operators, 0)


@ember.njit
def of_tuples(x):
    pts = [(1.0, 2), (0.5, 7)]
    pts.append((x, 3))
    pts.sort()
    total = 0.0
    for i, (f, k) in enumerate(pts):
        total += f * k + i
    return pts, total


def test_tuples_enumerate_and_unpack():
    check(of_tuples, 0.75)


@ember.njit
def zipped(n):
    a = list(range(n))
    b = []
    for i in range(n):
        b.append(i * 0.25)
    out = 0.0
    for x, y in zip(a, b):
        out += x * y
    for x in reversed(a):
        out = out * 0.5 + x
    return out


def test_zip_reversed():
    check(zipped, 6)


@ember.njit
def of_arrays(n):
    rows = []
    for i in range(n):
        rows.append(np.arange(i + 1) * 1.0)
    total = 0.0
    for r in rows:
        total += r.sum()
    return rows, total


def test_list_of_arrays():
    got = check(of_arrays, 4)
    assert [r.shape for r in got[0]] == [(1,), (2,), (3,), (4,)]


@ember.njit
def nested(n):
    grid = []
    for i in range(n):
        row = []
        for j in range(i):
            row.append(i * j)
        grid.append(row)
    return grid, len(grid[-1])


def test_list_of_lists():
    check(nested, 4)


@ember.njit
def heap_sort(xs):
    h = []
    for x in xs:
        heapq.heappush(h, (x, -x))
    out = []
    while h:
        out.append(heapq.heappop(h)[0])
    return out


def test_heapq_against_cpython():
    check(heap_sort, np.array([5, 1, 4, 1, 5, 9, 2, 6], dtype=np.int64))


@ember.njit
def sort_by_key(xs):
    pairs = []
    for i in range(xs.shape[0]):
        pairs.append((i, xs[i]))
    pairs.sort(key=lambda p: -p[1])
    return pairs, sorted(xs, key=lambda v: abs(v - 2.0))


def test_sort_with_lambda_key_is_stable():
    check(sort_by_key, np.array([1.0, 3.0, 2.0, 3.0, 1.0]))


@ember.njit
def mutate(lst):
    lst.append(lst[0] + 1)
    lst[0] = -5
    return len(lst)


def test_reflected_list_argument_is_written_back():
    mine = check_copies(mutate, [3, 4])
    assert mine == ([-5, 4, 4],)


@ember.njit
def total(lst):
    s = 0.0
    for x in lst:
        s += x
    return s


def test_typed_list_zero_copy_both_ways():
    tl = typed.List([1.5, 2.5])
    tl.append(4.0)
    assert total(tl) == 8.0
    assert mutate(tl) == 4 and list(tl) == [-5.0, 2.5, 4.0, 2.5]   # seen from Python
    empty = typed.List.empty_list(types.float64)
    assert total(empty) == 0.0 and len(empty) == 0
    assert typed.List.empty_list(types.int64[:]).__len__() == 0


@ember.njit
def make_typed(n):
    out = typed.List([0])
    for i in range(1, n):
        out.append(i * i)
    return out


def test_typed_list_made_in_compiled_code_comes_back_typed():
    r = make_typed(4)
    assert isinstance(r, typed.List) and list(r) == [0, 1, 4, 9]
    assert r[-1] == 9 and r[1:3] == [1, 4]


def test_typed_list_of_arrays_keeps_the_arrays_alive():
    arrays = [np.arange(3.0), np.arange(5.0)]
    tl = typed.List(arrays)
    del arrays
    assert total(typed.List([1.0])) == 1.0
    got = list(tl)
    np.testing.assert_array_equal(got[1], np.arange(5.0))


def test_mixed_item_types_are_a_typing_error_naming_both():
    @ember.njit
    def mixed(x):
        a = [(1, 2)]
        a.append(x)
        return a

    with pytest.raises(TypingError) as e:
        mixed(1.0)
    assert "tuple(int64, int64)" in str(e.value) and "float64" in str(e.value)
    assert "a.append(x)" in str(e.value)


def test_empty_list_without_stores_is_a_typing_error():
    @ember.njit
    def empty():
        a = []
        return len(a)

    with pytest.raises(TypingError, match="item type of this empty list"):
        empty()


@ember.njit
def churn(n):
    a = [np.zeros(2)]
    for _ in range(n):
        a.append(np.ones(3))
        if len(a) > 4:
            a.pop(0)
    return len(a)


def test_no_leak_over_many_operations():
    before = _ember.live_meminfos()
    assert churn(100_000) == 4
    assert _ember.live_meminfos() == before


_OPS = st.lists(st.tuples(st.integers(0, 6), st.integers(-8, 8)), max_size=30)


@ember.njit
def run_script(ops):
    a = [0]
    a.pop()
    trace = []
    for op, v in ops:
        if op == 0:
            a.append(v)
        elif op == 1 and len(a) > 0:
            trace.append(a.pop())
        elif op == 2:
            a.insert(v, v * 10)
        elif op == 3 and len(a) > 0:
            a[v % len(a)] = -v
        elif op == 4:
            trace.append(a.count(v))
        elif op == 5 and v in a:
            a.remove(v)
        elif op == 6:
            a.reverse()
        trace.append(len(a))
    return a, trace


@settings(max_examples=30)
@given(_OPS)
def test_operation_scripts_match_cpython(ops):
    tuples = [(op, v) for op, v in ops] or [(0, 0)]
    assert_same(run_script(typed.List(tuples)), run_script.py_func(list(tuples)))


@ember.njit
def comprehensions(xs, k):
    a = [x * k for x in xs if x > 0]
    grid = [[i * j for j in range(i)] for i in range(4)]
    d = {x: x * k for x in range(3)}
    s = {int(v) % 3 for v in xs}
    return a, grid, d, s, k


def test_comprehensions_with_conditions_nested_and_captures():
    check(comprehensions, np.array([1.0, -2.0, 3.5]), 2.0)


@ember.njit
def to_arrays(n):
    a = [1, 2, 3]
    a.append(n)
    rows = [[1.0, 2.0], [3.0, 4.0]]
    return np.array(a), np.asarray(rows), np.array(a, np.float32), np.asarray(np.array(a))


def test_np_array_of_lists():
    check(to_arrays, 7)


@ember.njit
def ragged():
    return np.array([[1.0], [2.0, 3.0]])


def test_np_array_of_ragged_lists_is_a_value_error():
    with pytest.raises(ValueError):
        ragged()
