"""Dicts in compiled code (runtime/Dict.cpp, lowering/CodeGenDict.cpp): displays, dict(),
subscripts, del, methods, `in`, iteration in insertion order, keys of numbers and tuples, values
of any type; ember.typed.Dict from Python and compiled code; KeyError carrying the key; exact
reference counts.  Checked against CPython running the same code."""
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


@ember.njit
def counter(xs):
    d = {}
    for x in xs:
        d[x] = d.get(x, 0) + 1
    return d


def test_counter_in_insertion_order():
    check(counter, np.array([3, 1, 3, 2, 1, 3], dtype=np.int64))


@ember.njit
def methods(k):
    d = {1: 1.5, 2: 2.5, 3: 3.5}
    d[4] = 4.5
    a = d.pop(2)
    b = d.pop(99, -1.0)
    c = d.setdefault(5, 0.25)
    e = d.setdefault(1, 9.0)
    f = d.get(k)
    g = d.get(k, -2.0)
    del d[3]
    d2 = d.copy()
    d2.update({7: 7.5, 1: 0.0})
    item = d2.popitem()
    keys = list(d.keys())
    return d, d2, a, b, c, e, f, g, item, keys, list(d.values()), k in d, len(d2)


@pytest.mark.parametrize("k", [1, 2, 4])
def test_methods(k):
    check(methods, k)


@ember.njit
def items_loop():
    d = {(1, 2): 0.5, (3, 4): 1.5}
    d[(5, 6)] = 2.5
    s = 0.0
    for (i, j), v in d.items():
        s += i * j * v
    for key in d:
        s += key[0]
    return s, d


def test_tuple_keys_and_items():
    check(items_loop)


@ember.njit
def missing(k):
    d = {(1, 2): 3}
    return d[(k, k + 1)]


def test_key_error_carries_the_key():
    with pytest.raises(KeyError) as e:
        missing(7)
    assert e.value.args == ((7, 8),)
    assert missing(1) == 3


@ember.njit
def popitem_empty():
    d = {1: 2}
    d.clear()
    return d.popitem()


def test_errors_match_cpython():
    check(popitem_empty)


@ember.njit
def array_values(n):
    d = {}
    for i in range(n):
        d[i] = np.full(i + 1, float(i))
    total = 0.0
    for v in d.values():
        total += v.sum()
    del d[0]
    return d, total


def test_array_values():
    check(array_values, 4)


@ember.njit
def assemble(A, rows, vals):
    for k in range(rows.shape[0]):
        key = (rows[k], rows[k] + 1)
        A[key] = A.get(key, 0.0) + vals[k]
    return len(A)


def test_typed_dict_filled_in_compiled_code_is_seen_in_python():
    A = typed.Dict.empty(types.UniTuple(types.int64, 2), types.float64)
    A[(0, 1)] = 10.0
    n = assemble(A, np.array([0, 1, 0], dtype=np.int64), np.array([1.0, 2.0, 3.0]))
    assert n == 2 and len(A) == 2
    assert dict(A.items()) == {(0, 1): 14.0, (1, 2): 2.0}
    assert (1, 2) in A and A.get((9, 9)) is None
    del A[(0, 1)]
    assert list(A.keys()) == [(1, 2)]


def test_dict_made_in_compiled_code_is_a_typed_dict():
    d = counter(np.array([5, 5, 6], dtype=np.int64))
    assert isinstance(d, typed.Dict) and dict(d.items()) == {5: 2, 6: 1}
    assert counter(np.array([1], dtype=np.int64))[1] == 1


def test_inconsistent_values_are_a_typing_error():
    @ember.njit
    def bad(x):
        d = {1: (1, 2)}
        d[2] = x
        return d

    with pytest.raises(TypingError) as e:
        bad(1.5)
    assert "float64" in str(e.value) and "tuple(int64, int64)" in str(e.value)


def test_unhashable_keys_are_a_typing_error():
    @ember.njit
    def bad(a):
        d = {}
        d[a] = 1
        return d

    with pytest.raises(TypingError, match="not hashable"):
        bad(np.zeros(2))


@ember.njit
def churn(n):
    d = {}
    for i in range(n):
        d[i % 97] = np.ones(2)
        if i % 5 == 0:
            d.pop(i % 97, np.zeros(2))
    return len(d)


def test_no_leak_over_many_operations():
    before = _ember.live_meminfos()
    churn(100_000)
    assert _ember.live_meminfos() == before


@ember.njit
def run_script(ops):
    d = {0: 0}
    d.clear()
    trace = []
    for op, k, v in ops:
        if op == 0:
            d[k] = v
        elif op == 1:
            trace.append(d.get(k, -1))
        elif op == 2 and k in d:
            del d[k]
        elif op == 3:
            trace.append(d.pop(k, -7))
        elif op == 4 and len(d) > 0:
            kk, vv = d.popitem()
            trace.append(kk * 1000 + vv)
        trace.append(len(d))
    keys = []
    for k in d:
        keys.append(k)
    return keys, trace


@settings(max_examples=30)
@given(st.lists(st.tuples(st.integers(0, 4), st.integers(-5, 5), st.integers(0, 99)),
                min_size=1, max_size=40))
def test_operation_scripts_match_cpython(ops):
    assert_same(run_script(typed.List(ops)), run_script.py_func(list(ops)))


def test_inspect_types_shows_container_types():
    import io
    counter(np.array([1], dtype=np.int64))
    out = io.StringIO()
    counter.inspect_types(file=out)
    assert "DictType[int64, int64]" in out.getvalue()
