"""Control flow: if/elif/else, for over range (1-3 arguments, negative steps), over 1-D arrays
and the rows of 2-D arrays, enumerate and zip, while, break/continue, for...else and
while...else, returns from inside loops and return types unified across paths; each checked
against CPython (``f.py_func``)."""
import numpy as np
import pytest
from conftest import assert_same, check, sample_array, small_ints
from hypothesis import given, settings
from hypothesis import strategies as st

import ember

fast = settings(max_examples=25, deadline=None)
steps = st.integers(-5, 5).filter(lambda s: s != 0)
bounds = st.integers(-30, 30)


@ember.jit
def classify(x):
    if x < 0:
        r = -1
    elif x == 0:
        r = 0
    elif x < 10:
        r = 1
    else:
        r = 2
    return r


@fast
@given(st.integers(-20, 20))
def test_if_elif_else(x):
    check(classify, x)


@ember.jit
def nested_if(a, b):
    if a > 0:
        if b > 0:
            return 1
        return 2
    if b > 0:
        return 3
    return 4


@pytest.mark.parametrize("a, b", [(1, 1), (1, -1), (-1, 1), (-1, -1)])
def test_nested_if_with_returns(a, b):
    check(nested_if, a, b)


# ---- for over range --------------------------------------------------------------------------

@ember.jit
def range1(n):
    s = 0
    for i in range(n):
        s += i * i
    return s


@ember.jit
def range2(a, b):
    s = 0
    for i in range(a, b):
        s = s * 3 + i
    return s


@ember.jit
def range3(a, b, step):
    s = 0
    k = 0
    for i in range(a, b, step):
        s += i * k
        k += 1
    return s, k


@fast
@given(bounds)
def test_range_one_arg(n):
    check(range1, n)


@fast
@given(st.integers(-10, 10), st.integers(-10, 10))
def test_range_two_args(a, b):
    check(range2, a, b)


@fast
@given(bounds, bounds, steps)
def test_range_three_args_incl_negative_steps(a, b, step):
    check(range3, a, b, step)


@pytest.mark.parametrize("a, b, step", [(10, 0, -1), (10, 0, -3), (0, 10, -1), (-5, -20, -4),
                                        (3, 3, 1), (3, 3, -1)])
def test_range_negative_steps(a, b, step):
    check(range3, a, b, step)


def test_range_zero_step_raises_value_error():
    with pytest.raises(ValueError):
        range3(0, 10, 0)


@ember.jit
def loop_variable_after_loop(n):
    i = -1
    for i in range(n):  # noqa: B007 - the loop variable is the result
        pass
    return i


@pytest.mark.parametrize("n", [0, 1, 5])
def test_loop_variable_keeps_last_value(n):
    check(loop_variable_after_loop, n)


@ember.jit
def nested_loops(n, m):
    s = 0
    for i in range(n):
        for j in range(i, m):
            s += i * j
    return s


@fast
@given(st.integers(0, 12), st.integers(0, 12))
def test_nested_loops(n, m):
    check(nested_loops, n, m)


# ---- for over arrays, enumerate, zip ---------------------------------------------------------

@ember.jit
def iterate_1d(a):
    s = 0.0
    for x in a:
        s = s * 0.5 + x
    return s


@ember.jit
def iterate_rows(a):
    s = 0.0
    for row in a:
        for x in row:
            s = s * 0.5 + x
    return s


@ember.jit
def row_sums(a, out):
    i = 0
    for row in a:
        out[i] = 0.0
        for x in row:
            out[i] += x
        i += 1


@pytest.mark.parametrize("dtype", [np.int32, np.int64, np.float32, np.float64, np.uint8])
def test_for_over_1d_array(dtype):
    a = sample_array(dtype, (9,))
    # CPython computes in float32 once s meets a float32 (NEP 50), compiled code in float64
    rel = 1e-5 if dtype == np.float32 else 1e-12
    check(iterate_1d, a, rel=rel)
    check(iterate_1d, a[::-2], rel=rel)


def test_for_over_empty_array():
    check(iterate_1d, np.zeros(0))


def test_for_over_rows_of_2d_array():
    a = sample_array(np.float64, (4, 5))
    check(iterate_rows, a)
    check(iterate_rows, np.asfortranarray(a))
    check(iterate_rows, a[::2, ::-1])


def test_rows_are_views_that_can_be_read_into_an_output():
    a = sample_array(np.float64, (4, 5))
    check(row_sums, a, np.zeros(4))


@ember.jit
def enumerate_array(a):
    s = 0.0
    for i, x in enumerate(a):
        s += i * x
    return s


@ember.jit
def enumerate_start(a):
    s = 0
    for i, x in enumerate(a, 10):
        s += i * x
    return s


@ember.jit
def enumerate_range(n):
    s = 0
    for i, v in enumerate(range(3, n)):
        s += i * v
    return s


def test_enumerate_array():
    check(enumerate_array, sample_array(np.float64, (7,)))


def test_enumerate_with_start():
    check(enumerate_start, sample_array(np.int64, (7,)))


@fast
@given(st.integers(-2, 20))
def test_enumerate_range(n):
    check(enumerate_range, n)


@ember.jit
def zip_arrays(a, b):
    s = 0.0
    for x, y in zip(a, b):
        s += x * y
    return s


@ember.jit
def zip_range_array(a, n):
    s = 0.0
    for i, x in zip(range(n), a):
        s += i * x
    return s


@ember.jit
def zip_three(a, b, c):
    s = 0.0
    for x, y, z in zip(a, b, c):
        s += x * y - z
    return s


def test_zip_arrays():
    check(zip_arrays, sample_array(np.float64, (6,)), sample_array(np.float64, (6,), 1))


def test_zip_stops_at_shortest():
    check(zip_arrays, sample_array(np.float64, (6,)), sample_array(np.float64, (4,), 1))
    check(zip_range_array, sample_array(np.float64, (6,)), 3)
    check(zip_range_array, sample_array(np.float64, (6,)), 30)


def test_zip_three():
    check(zip_three, sample_array(np.float64, (5,)), sample_array(np.int64, (5,), 1),
          sample_array(np.float32, (5,), 2), rel=1e-6)


@ember.jit
def enumerate_zip(a, b):
    s = 0.0
    for i, (x, y) in enumerate(zip(a, b)):
        s += i * (x - y)
    return s


def test_enumerate_of_zip():
    check(enumerate_zip, sample_array(np.float64, (6,)), sample_array(np.float64, (6,), 1))


# ---- while, break, continue, else ------------------------------------------------------------

@ember.jit
def collatz(n):
    steps = 0
    while n != 1:
        if n % 2 == 0:
            n //= 2
        else:
            n = 3 * n + 1
        steps += 1
    return steps


@fast
@given(st.integers(1, 10_000))
def test_while(n):
    check(collatz, n)


@ember.jit
def break_continue(n, stop):
    s = 0
    for i in range(n):
        if i % 3 == 0:
            continue
        if i == stop:
            break
        s += i
    return s


@fast
@given(st.integers(0, 30), st.integers(0, 30))
def test_break_and_continue_in_for(n, stop):
    check(break_continue, n, stop)


@ember.jit
def while_break_continue(n):
    i = 0
    s = 0
    while True:
        i += 1
        if i > n:
            break
        if i % 2:
            continue
        s += i
    return s


@fast
@given(st.integers(0, 30))
def test_break_and_continue_in_while(n):
    check(while_break_continue, n)


@ember.jit
def for_else(n, target):
    for i in range(n):
        if i == target:
            found = i
            break
    else:
        found = -1
    return found


@fast
@given(st.integers(0, 10), st.integers(-2, 12))
def test_for_else(n, target):
    check(for_else, n, target)


@ember.jit
def while_else(n, target):
    i = 0
    r = 0
    while i < n:
        if i == target:
            r = 1
            break
        i += 1
    else:
        r = 2
    return r, i


@fast
@given(st.integers(0, 10), st.integers(-2, 12))
def test_while_else(n, target):
    check(while_else, n, target)


@ember.jit
def nested_break(n):
    s = 0
    for i in range(n):
        for j in range(n):
            if j > i:
                break
            s += j
        else:
            s += 1000
    return s


@pytest.mark.parametrize("n", [0, 1, 4])
def test_break_only_leaves_inner_loop(n):
    check(nested_break, n)


# ---- returns inside loops and unified return types -------------------------------------------

@ember.jit
def find_first(a, x):
    for i in range(a.shape[0]):
        if a[i] == x:
            return i
    return -1


@pytest.mark.parametrize("x", [3, 7, 100])
def test_return_from_inside_for(x):
    check(find_first, np.array([1, 3, 5, 7, 3]), x)


@ember.jit
def return_from_while(n):
    i = 0
    while True:
        i += 1
        if i * i > n:
            return i


@fast
@given(st.integers(0, 1000))
def test_return_from_inside_while_true(n):
    check(return_from_while, n)


@ember.jit
def int_or_float(x):
    if x > 0:
        return 1
    return 2.5


def test_returns_unify_int_and_float_to_float():
    # Numba unifies the paths' types: the int path returns a float too
    assert_same(int_or_float(1), 1.0)
    assert_same(int_or_float(-1), 2.5)


@ember.jit
def bool_or_int(x):
    if x > 0:
        return True
    return x


def test_returns_unify_bool_and_int_to_int():
    assert_same(bool_or_int(5), 1)
    assert_same(bool_or_int(-5), -5)


@ember.jit
def variable_changes_type(n):
    x = 0
    for i in range(n):
        x = x + 0.5 * i
    return x


@pytest.mark.parametrize("n", [0, 3])
def test_variable_assigned_int_then_float_is_float(n):
    assert_same(variable_changes_type(n), float(variable_changes_type.py_func(n)))


@ember.jit
def accumulate_small_ints(a):
    s = 0
    for x in a:
        s += x
    return s


def test_small_int_accumulator():
    a = np.arange(100, dtype=np.int8)
    assert_same(accumulate_small_ints(a), int(a.astype(np.int64).sum()))


@ember.jit
def while_with_and_condition(a):
    i = 0
    s = 0
    while i < len(a) and a[i] >= -(2**19):
        s += a[i]
        i += 1
    return s, i


@fast
@given(st.lists(small_ints, min_size=0, max_size=20))
def test_while_with_short_circuit_condition(values):
    check(while_with_and_condition, np.array(values, dtype=np.int64))


# ---- more loop shapes ------------------------------------------------------------------------

@pytest.mark.parametrize("n", [np.uint64(5), np.int8(5), np.uint8(0), True], ids=repr)
def test_range_of_numpy_and_bool_integers(n):
    check(range1, n)


def test_range_with_mixed_integer_types():
    check(range3, np.uint8(10), 0, -2)


@ember.jit
def enumerate_rows(a):
    s = 0.0
    for i, row in enumerate(a):
        s += i * row[0]
    return s


@ember.jit
def zip_rows(a, b):
    s = 0.0
    for r1, r2 in zip(a, b):
        s += r1[0] * r2[-1]
    return s


def test_enumerate_and_zip_over_rows():
    a, b = sample_array(np.float64, (3, 2)), sample_array(np.float64, (4, 2), 1)
    check(enumerate_rows, a)
    check(zip_rows, a, b)


@ember.jit
def iterate_3d(a):
    s = 0.0
    for m in a:
        for row in m:
            for x in row:
                s = s * 0.5 + x
    return s


def test_for_over_3d_array():
    check(iterate_3d, sample_array(np.float64, (2, 3, 4)))


@ember.jit
def nested_same_array(a):
    s = 0.0
    for x in a:
        for y in a:
            s += x * y
    return s


def test_nested_loops_over_the_same_array():
    check(nested_same_array, sample_array(np.float64, (5,)))


@ember.jit
def modify_while_iterating(a):
    s = 0.0
    for i, x in enumerate(a):
        if i + 1 < a.shape[0]:
            a[i + 1] = x * 2
        s += x
    return s


def test_iteration_sees_stores_made_during_the_loop():
    check(modify_while_iterating, np.ones(6))


@ember.jit
def range_object(a, b, c):
    r = range(a, b, c)
    s = 0
    for i in r:
        s += i
    for i in r:
        s += i
    return s, len(r)


@fast
@given(bounds, bounds, steps)
def test_range_object_reused_and_len(a, b, step):
    check(range_object, a, b, step)


@ember.jit
def else_after_continue(n):
    c = 0
    for i in range(n):
        if i % 2:
            continue
        c += 1
    else:
        c += 100
    i = 0
    while i < n:
        i += 1
        if i % 2:
            continue
        c += 1
    else:
        c += 1000
    return c


@pytest.mark.parametrize("n", [0, 5])
def test_loop_else_runs_after_continue(n):
    check(else_after_continue, n)


@ember.jit
def first_positive(a):
    for i in range(a.shape[0]):
        for j in range(a.shape[1]):
            if a[i, j] > 0:
                return i, j
    return -1, -1


@pytest.mark.parametrize("a", [[[0, 0], [0, 1.0]], [[0.0, 0.0]], [[2.0, 0.0]]])
def test_return_from_nested_loops(a):
    check(first_positive, np.array(a))


@ember.jit
def count_true_prefix(a):
    i = 0
    while i < a.shape[0] and a[i]:
        i += 1
    return i


@pytest.mark.parametrize("values", [[True, True, False], [True, True], [], [False]])
def test_while_on_bool_elements(values):
    check(count_true_prefix, np.array(values, dtype=bool))


@ember.jit
def halvings(x):
    n = 0
    while x > 1e-3:
        x /= 2
        n += 1
    return n


@fast
@given(st.floats(-10, 1e6))
def test_while_on_float_condition(x):
    check(halvings, x)
