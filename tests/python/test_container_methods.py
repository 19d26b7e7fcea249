"""The list, dict and set operations added after the first containers work: list slice
assignment and deletion, dict comparison, set ordering comparisons, the in-place set methods,
set methods taking any iterable, ``typed.List.empty_list`` and ``typed.Dict.empty`` inside
compiled code, string literals as items, nested items, ``sorted``/``sort`` with ``key`` and
``reverse``, and the compile-time messages for items of two types.  Every function is checked
against CPython running the same code (conftest.check)."""
import numpy as np
import pytest
from conftest import assert_same, check

import ember
from ember import TypingError, typed, types


@pytest.fixture(autouse=True)
def no_leaks(meminfo_balance):
    yield  # conftest.meminfo_balance checks the count


# ---- lists ------------------------------------------------------------------------------------

@ember.njit
def slice_assignments(n):
    a = list(range(n))
    a[1:3] = [90, 80, 70]        # grows
    b = list(range(n))
    b[1:5] = [-1]                # shrinks
    c = list(range(n))
    c[::2] = [0] * len(c[::2])   # extended slice, same length
    d = list(range(n))
    d[1:] = d                    # the list itself as the source
    e = list(range(n))
    e[2:2] = (7, 7)              # an empty slice inserts; a tuple source
    f = [1.5, 2.5, 3.5]
    f[:1] = [4.0, 5.0]
    g = list(range(n))
    g[-3:] = np.arange(2.0, 4.0).astype(np.int64)  # a 1-d array source
    h = list(range(n))
    h[::-1] = range(len(h))     # reversed extended slice from a range
    return a, b, c, d, e, f, g, h


def test_slice_assignment():
    check(slice_assignments, 6)
    check(slice_assignments, 9)


@ember.njit
def extended_slice_of_another_size(n):
    a = list(range(n))
    a[::2] = [1, 2]
    return a


def test_extended_slice_of_another_size_raises_value_error():
    check(extended_slice_of_another_size, 2)   # two items: fine
    with pytest.raises(ValueError, match="extended slice"):
        extended_slice_of_another_size(7)


@ember.njit
def deletions(n):
    a = list(range(n))
    del a[1:3]
    del a[::3]
    del a[-1]
    del a[0]
    b = [[i] for i in range(n)]
    del b[::-2]
    return a, b


def test_del_slices_and_items():
    check(deletions, 10)
    check(deletions, 5)


@ember.njit
def del_out_of_range(n):
    a = [1, 2]
    del a[n]
    return a


def test_del_out_of_range_raises_index_error():
    check(del_out_of_range, -2)
    with pytest.raises(IndexError):
        del_out_of_range(2)


@ember.njit
def nested_items(n):
    rows = [[0] * 0 for _ in range(0)]
    for i in range(n):
        rows.append([i, i * i])
    rows[0].append(99)
    pairs = [(1, 2.5), (0, 1.5)]
    pairs.append((2, 0.5))
    pairs.sort()
    arrays = [np.zeros(2)]
    arrays.append(np.arange(3.0))
    arrays[0] = np.ones(4)
    sizes = [len(x) for x in arrays]
    words = ["b", "a"]
    words.append("c")
    words.sort(reverse=True)
    grid = [[[i]] for i in range(2)]
    grid[1][0].append(5)
    return rows, pairs, sizes, words, grid, "a" in words, words.index("c")


def test_lists_of_lists_tuples_arrays_strings():
    check(nested_items, 3)


@ember.njit
def sorting(n):
    a = [(i * 7) % 5 - 2 for i in range(n)]
    b = sorted(a, key=lambda x: x * x, reverse=True)
    c = sorted(a, reverse=True)
    d = [(i % 3, -i) for i in range(n)]
    d.sort(key=lambda t: t[0], reverse=True)
    e = list(a)
    e.sort(key=lambda x: -x)
    return b, c, d, e


def test_sorted_and_sort_with_key_and_reverse_are_stable():
    check(sorting, 9)


# ---- dicts ------------------------------------------------------------------------------------

@ember.njit
def dict_comparisons(k):
    a = {1: 2.0, 3: 4.0}
    b = {3: 4.0, 1: 2.0}        # the same items in another order
    c = {1: 2.0, 3: 5.0}
    d = {1: 2.0, k: 4.0}
    nested = {1: [1, 2]}
    same = {1: [1, 2]}
    return a == b, a != b, a == c, a != c, a == d, nested == same, {1: 2.0} == {}


def test_dict_equality():
    check(dict_comparisons, 3)
    check(dict_comparisons, 4)


@ember.njit
def dict_from_pairs(n):
    keys = [i * 2 for i in range(n)]
    d = dict(zip(keys, range(n)))
    e = dict([(1, "a"), (2, "b"), (1, "c")])  # a later pair replaces an earlier one
    return d, e


def test_dict_from_an_iterable_of_pairs():
    check(dict_from_pairs, 4)


# ---- sets -------------------------------------------------------------------------------------

@ember.njit
def set_comparisons(k):
    a = {1, 2}
    b = {1, 2, k}
    return a <= b, a < b, b >= a, b > a, a < a, a <= a, a == b, a != b, b > b


def test_set_ordering_comparisons():
    check(set_comparisons, 3)
    check(set_comparisons, 2)


@ember.njit
def set_update_methods(k):
    a = {1, 2, 3, k}
    b = {2, 3, 4}
    u = set(a)
    u.update(b)
    d = set(a)
    d.difference_update(b)
    i = set(a)
    i.intersection_update(b)
    x = set(a)
    x.symmetric_difference_update(b)
    io = set(a)
    io |= b
    ia = set(a)
    ia &= b
    isub = set(a)
    isub -= b
    ix = set(a)
    ix ^= b
    own = set(a)
    own -= own
    return u, d, i, x, io, ia, isub, ix, own


def test_set_update_methods_and_in_place_operators():
    check(set_update_methods, 7)
    check(set_update_methods, 4)


@ember.njit
def set_methods_of_iterables(k):
    a = {1, 2, 3}
    return (a.union([4, k]), a.intersection((2, 3, 9)), a.difference(range(2)),
            a.symmetric_difference([3, 4]), a.issubset([1, 2, 3, k]), a.issuperset(range(1, 3)),
            a.isdisjoint([k]))


def test_set_methods_take_iterables():
    check(set_methods_of_iterables, 4)
    check(set_methods_of_iterables, 2)


@ember.njit
def strings_as_literals(n):
    s = {"x", "y"}
    s.add("z")
    d = {"one": 1}
    d["two"] = 2
    words = ["b", "a"]
    words[0:1] = ["c", "d"]
    return sorted(s), d["two"] + len(d), words, "x" in s, "two" in d


def test_string_literals_as_items_keys_and_elements():
    check(strings_as_literals, 1)


# ---- ember.typed inside compiled code ---------------------------------------------------------

int_list = types.ListType(types.int64)


@ember.njit
def typed_empty_in_compiled_code(n):
    lst = typed.List.empty_list(types.float64)
    for i in range(n):
        lst.append(i)                  # ints stored as the declared float64
    d = typed.Dict.empty(types.unicode_type, types.int64)
    d["a"] = n
    nested = typed.Dict.empty(key_type=types.int64, value_type=int_list)
    inner = typed.List.empty_list(types.int64)
    inner.append(n)
    nested[1] = inner
    plain = typed.Dict()
    plain[2] = 2.5
    return lst, d, nested, plain


def test_typed_empty_constructors_inside_compiled_code():
    lst, d, nested, plain = typed_empty_in_compiled_code(3)
    assert isinstance(lst, typed.List) and list(lst) == [0.0, 1.0, 2.0]
    assert all(type(x) is float for x in lst)
    assert isinstance(d, typed.Dict) and dict(d) == {"a": 3}
    assert list(nested[1]) == [3]
    assert dict(plain) == {2: 2.5}


@ember.njit
def typed_empty_wrong_argument():
    return typed.Dict.empty(3, types.int64)


def test_typed_empty_with_a_non_type_is_a_typing_error():
    with pytest.raises(TypingError, match="takes types such as types.int64"):
        typed_empty_wrong_argument()


# ---- messages for items of two types ------------------------------------------------------------

def _typing_error(f):
    with pytest.raises(TypingError) as e:
        ember.njit(f)()
    return str(e.value)


def test_heterogeneous_items_name_the_line_and_both_types():
    def display():
        return [1, (2, 3)]

    def append():
        a = [1]
        a.append([1])  # mismatch
        return a

    def dict_keys():
        d = {1: 2}
        d["x"] = 3  # mismatch
        return d

    def set_elements():
        s = {1.5}
        s.add((1, 2))  # mismatch
        return s

    msg = _typing_error(display)
    assert "int64" in msg and "tuple(int64, int64)" in msg and "return [1, (2, 3)]" in msg
    msg = _typing_error(append)
    assert "list(int64)" in msg and "are int64" in msg and "a.append([1])" in msg
    msg = _typing_error(dict_keys)
    assert "unicode" in msg and "keys" in msg and "are int64" in msg and 'd["x"] = 3' in msg
    msg = _typing_error(set_elements)
    assert "elements" in msg and "float64" in msg and "s.add((1, 2))" in msg


@ember.njit
def returns_equal_lists(n):
    a = [[i] for i in range(n)]
    b = [[i] for i in range(n)]
    return a == b, a != b, [a] == [b]


def test_nested_list_equality():
    assert_same(returns_equal_lists(3), returns_equal_lists.py_func(3))
