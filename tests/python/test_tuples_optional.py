"""Tuples (building, constant and negative indexing, unpacking, swapping, returning
heterogeneous and nested tuples, tuples as arguments), returning None, and optional values (a
function returning a value on some paths and None on others; callers narrowing with ``is None``
/ ``is not None``)."""
import numpy as np
import pytest
from conftest import assert_same, check, floats, sample_array, small_ints
from hypothesis import given, settings

import ember

fast = settings(max_examples=25, deadline=None)


@ember.jit
def build_and_index(a, b):
    t = (a, b, a + b)
    return t[0] * t[2] - t[1], t[-1], t[-3]


@fast
@given(small_ints, small_ints)
def test_build_and_constant_index(a, b):
    check(build_and_index, a, b)


@ember.jit
def unpack(a, b):
    t = (a, b, a * b)
    x, y, z = t
    return x + y + z


@fast
@given(small_ints, small_ints)
def test_unpack(a, b):
    check(unpack, a, b)


@ember.jit
def swap(a, b):
    a, b = b, a
    return a, b


@fast
@given(small_ints, floats)
def test_swap(a, b):
    # a and b change types: the first result is the float, the second the int
    check(swap, a, b)


@ember.jit
def fib_iter(n):
    a, b = 0, 1
    for _ in range(n):
        a, b = b, a + b
    return a


@pytest.mark.parametrize("n", [0, 1, 2, 10, 50])
def test_swap_in_loop(n):
    check(fib_iter, n)


@ember.jit
def heterogeneous(a, b):
    return a, b, a > b, a * 1.5, 1j * b


@fast
@given(small_ints, small_ints)
def test_return_heterogeneous_tuple(a, b):
    check(heterogeneous, a, b)


@ember.jit
def nested(a, b):
    return (a, (b, (a + b, 1.5)), ())


@fast
@given(small_ints, floats)
def test_return_nested_tuple(a, b):
    check(nested, a, b)


@ember.jit
def empty():
    return ()


def test_return_empty_tuple():
    assert empty() == ()


@ember.jit
def tuple_loop_carried(n):
    t = (0, 1)
    for _ in range(n):
        t = (t[1], t[0] + t[1])
    return t


def test_tuple_carried_through_loop():
    check(tuple_loop_carried, 10)


@ember.jit
def tuple_unified(flag):
    if flag:
        t = (1, 2.0)
    else:
        t = (3, 4)
    return t


def test_tuples_from_two_paths_unify_elementwise():
    assert_same(tuple_unified(True), (1, 2.0))
    assert_same(tuple_unified(False), (3, 4.0))


@ember.jit
def nested_unpack(t):
    (a, b), c = t
    return a + b + c


def test_nested_unpack():
    check(nested_unpack, ((1, 2), 3))


@ember.jit
def tuple_arg(t):
    a, b = t
    return b, a, t[0] + t[1]


@fast
@given(small_ints, floats)
def test_tuple_as_argument(a, b):
    check(tuple_arg, (a, b))


@ember.jit
def nested_tuple_arg(t):
    return t[0] + t[1][0] * t[1][1]


def test_nested_tuple_as_argument():
    check(nested_tuple_arg, (1, (2.5, 3)))


@ember.jit
def tuple_len(t):
    return len(t), len((1, 2.5))


def test_tuple_len():
    check(tuple_len, (1, 2, 3, 4))


@ember.jit
def tuple_loop(t):
    s = 0
    for x in t:
        s += x
    return s


def test_iterate_over_homogeneous_tuple():
    check(tuple_loop, (1, 2, 3, 4))


@ember.jit
def array_in_tuple(t):
    a, n = t
    return a[n] * 2


def test_tuple_holding_an_array():
    check(array_in_tuple, (sample_array(np.float64, (5,)), 3))


@ember.jit
def tuple_compare(a, b):
    return (a, 1) == (a, 1), (a, b) < (b, a), (a, b) != (a, b)


@pytest.mark.parametrize("a, b", [(1, 2), (2, 1), (3, 3)])
def test_tuple_comparisons(a, b):
    check(tuple_compare, a, b)


@ember.jit
def shape_tuple(a):
    n, m = a.shape
    return (n, m), a.shape


def test_shape_is_a_tuple():
    check(shape_tuple, np.zeros((3, 4)))


# ---- None and optional values ----------------------------------------------------------------

@ember.jit
def returns_none(a):
    a[0] = 1.0


@ember.jit
def returns_none_explicitly(x):
    if x > 0:
        return None
    return None


def test_function_without_return_gives_none():
    a = np.zeros(3)
    assert returns_none(a) is None
    assert a[0] == 1.0


def test_return_none_explicitly():
    assert returns_none_explicitly(1) is None
    assert returns_none_explicitly(-1) is None


@ember.jit
def maybe(x):
    if x > 0:
        return x * 2
    return None


@ember.jit
def maybe_float(x):
    if x > 0:
        return x * 0.5
    elif x == 0:
        return None
    return 1


@fast
@given(small_ints)
def test_optional_return(x):
    check(maybe, x)


@pytest.mark.parametrize("x, expected", [(3, 1.5), (0, None), (-3, 1.0)])
def test_optional_return_unifies_value_paths(x, expected):
    assert_same(maybe_float(x), expected)


@ember.jit
def narrow_is_none(x):
    v = maybe(x)
    if v is None:
        return -1
    return v + 1


@ember.jit
def narrow_is_not_none(x):
    v = maybe(x)
    if v is not None:
        return v * 10
    return 0


@fast
@given(small_ints)
def test_caller_narrows_with_is_none(x):
    check(narrow_is_none, x)


@fast
@given(small_ints)
def test_caller_narrows_with_is_not_none(x):
    check(narrow_is_not_none, x)


@ember.jit
def optional_in_loop(a):
    found = None
    for i in range(a.shape[0]):
        if a[i] < 0:
            found = i
            break
    if found is None:
        return -1
    return found


@pytest.mark.parametrize("values", [[1, 2, -3, 4], [1, 2], []])
def test_variable_none_or_int(values):
    check(optional_in_loop, np.array(values, dtype=np.float64))


@ember.jit
def optional_argument(x, y=None):
    if y is None:
        return x
    return x + y


def test_argument_given_instead_of_none_default():
    check(optional_argument, 3, 4)


def test_none_argument_prunes_the_dead_branch():
    # Numba prunes `if y is None` when y is typed none, so `x + y` is never typed
    check(optional_argument, 3)
    check(optional_argument, 3, None)


@ember.jit
def returns_optional_tuple(x):
    if x > 0:
        return (x, x * 0.5)
    return None


@pytest.mark.parametrize("x", [4, -4])
def test_optional_tuple_return(x):
    check(returns_optional_tuple, x)


@ember.jit
def last_index(n):
    r = None
    for i in range(n):
        r = i
    return r


@pytest.mark.parametrize("n", [0, 3])
def test_variable_none_until_loop_assigns(n):
    check(last_index, n)


@ember.jit
def implicit_none(x):
    if x:
        return True


@pytest.mark.parametrize("x", [1, 0])
def test_falling_off_the_end_returns_none(x):
    check(implicit_none, x)


@ember.jit
def optional_array(n):
    if n > 0:
        return np.zeros(n)
    return None


@pytest.mark.parametrize("n", [2, 0])
def test_optional_array_return(n):
    check(optional_array, n)


@ember.jit
def is_none(x):
    return x is None, x is not None


@pytest.mark.parametrize("x", [3, 2.5, None])
def test_is_none_on_plain_values(x):
    check(is_none, x)


@ember.jit
def use_without_narrowing(x):
    return maybe(x) + 1


def test_optional_used_without_narrowing():
    assert use_without_narrowing(3) == 7
    with pytest.raises(TypeError):  # Numba: TypeError("expected int64, got None")
        use_without_narrowing(-3)
