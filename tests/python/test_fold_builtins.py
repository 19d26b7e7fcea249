"""sum(), any(), all(), and min() / max() of one iterable (lowering/CodeGenFold.cpp) over lists,
sets, dict keys and values, strings, ranges and generators, compared with CPython running the
same function: the result, its type (int or float), the first of equal items kept, the
ValueError of an empty min/max, and any/all stopping at the first item that decides them."""
import pytest
from conftest import check

import ember
from ember import typed
from ember.errors import TypingError


@pytest.fixture(autouse=True)
def no_leaks(meminfo_balance):
    yield  # conftest.meminfo_balance checks the count


@ember.njit
def folds(xs):
    return sum(xs), min(xs), max(xs), any(xs), all(xs)


@pytest.mark.parametrize("xs", [
    [3, -1, 4, 1, -5, 9],
    [2.5, -0.5, 1e300, -1e300],
    [True, False, True],
    [0, 0, 0],
    [7],
])
def test_lists(xs):
    check(folds, typed.List(xs))


@ember.njit
def over_containers(n):
    s = set()
    d = {}
    for i in range(n):
        s.add(i * 7 % 11 - 5)
        d[i - 3] = i * 0.5
    return (sum(s), min(s), max(s), any(s), all(s),
            sum(d), min(d), max(d.keys()), sum(d.values()), max(d.values()), all(d.values()),
            sum(range(n)), min(range(1, n)), any(range(0)), all(range(0)))


@pytest.mark.parametrize("n", [2, 12])
def test_sets_dict_views_and_ranges(n):
    check(over_containers, n)


@ember.njit
def with_start(xs, start):
    return sum(xs, start), sum(xs, 0.5), sum([1, 2], start)


def test_sum_start_and_result_type():
    got = check(with_start, typed.List([1, 2, 3]), 10)
    assert isinstance(got[0], int) and isinstance(got[1], float)


@ember.njit
def strings(s, words):
    return min(s), max(s), any(s), all(s), min(words), max(words), all(words), any("")


@pytest.mark.parametrize("s", ["hello", "zebra", "ünïcödé€", "a"])
def test_strings(s):
    check(strings, s, typed.List(["pear", "apple", "fig", "", "apple"]))


@ember.njit
def empty_min(xs):
    return min(xs)


@ember.njit
def empty_max(s):
    return max(s)


def test_empty_raises_value_error():
    lst = typed.List.empty_list(ember.types.int64)
    with pytest.raises(ValueError):
        empty_min(lst)
    with pytest.raises(ValueError):
        empty_max("")


@ember.njit
def nan_first(xs):
    return min(xs), max(xs)


def test_nan_keeps_python_order():
    # CPython keeps the first item unless a later one compares strictly smaller/larger.
    got = check(nan_first, typed.List([float("nan"), 1.0, 2.0]))
    assert got[0] != got[0]
    check(nan_first, typed.List([1.0, float("nan"), 0.5]))


def logged(items, log):
    for x in items:
        log.append(x)
        yield x


def stops_early(items):
    seen_any = [-1]  # not empty, so that the first store needs no typing by site
    seen_all = [-1]
    return (any(logged(items, seen_any)), len(seen_any) - 1, all(logged(items, seen_all)),
            len(seen_all) - 1)


logged_jit = ember.njit(logged)


@ember.njit
def stops_early_jit(items):
    seen_any = [-1]
    seen_all = [-1]
    return (any(logged_jit(items, seen_any)), len(seen_any) - 1,
            all(logged_jit(items, seen_all)), len(seen_all) - 1)


@pytest.mark.parametrize("items", [[0, 0, 5, 0, 7], [4, 0, 5], [0, 0], [1, 2]])
def test_any_all_stop_at_the_deciding_item(items):
    # CPython's any stops at the first true item, all at the first false one.  (A compiled
    # generator cannot be called from Python, so CPython runs its own copy of the source.)
    assert stops_early_jit(typed.List(items)) == stops_early(items)


@ember.njit
def sum_of_strings(words):
    return sum(words)


def test_sum_of_strings_is_a_typing_error():
    with pytest.raises(TypingError, match="sum"):
        sum_of_strings(typed.List(["a", "b"]))
