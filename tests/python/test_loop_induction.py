"""Loops over ranges, arrays, tuples, enumerate() and zip() against CPython: their iterators keep
one index (starting before the first item, incremented at the top of each step), and loops over
a constant tuple of numbers are unrolled (ember/unroll.py); break, continue, else, return from
the body, empty iterables and negative steps must behave as in Python."""

import numpy as np
import pytest

import ember
from ember.bytecode import Op


def both(fn, *args):
    """fn's result compiled and in CPython, checked equal; returns it."""
    want = fn(*args)
    got = ember.jit(fn)(*args)
    assert got == want, (fn.__name__, args, got, want)
    return got


def range_sum(start, stop, step):
    s = 0
    last = -999
    for i in range(start, stop, step):
        s = s * 3 + i
        last = i
    return s, last


@pytest.mark.parametrize(
    "start, stop, step",
    [
        (0, 10, 1),
        (3, 17, 4),
        (10, 0, -1),
        (10, -7, -3),
        (5, 5, 1),
        (5, 0, 1),
        (0, 5, -1),
        (-4, 4, 2),
        (7, 8, 5),
    ],
)
def test_range(start, stop, step):
    both(range_sum, start, stop, step)


def range_break_continue(n, stop_at, skip):
    out = 0
    count = 0
    for i in range(n):
        if i % skip == 0:
            continue
        if i == stop_at:
            break
        out += i * i
        count += 1
    else:
        out = -out
    return out, count, i if n > 0 else -1


@pytest.mark.parametrize("n, stop_at, skip", [(10, 7, 3), (10, 100, 3), (0, 0, 2), (1, 0, 5)])
def test_range_break_continue_else(n, stop_at, skip):
    both(range_break_continue, n, stop_at, skip)


def nested_ranges(n, m):
    total = 0
    for i in range(n):
        for j in range(i, m, 2):
            if j > 2 * i + 3:
                break
            total += i * 100 + j
    return total


def test_nested_ranges():
    for n, m in [(5, 9), (0, 3), (4, 0), (7, 7)]:
        both(nested_ranges, n, m)


def array_loop(a, stop):
    s = 0.0
    k = 0
    for x in a:
        k += 1
        if x == stop:
            break
        if x < 0:
            continue
        s += x * k
    return s, k


@pytest.mark.parametrize(
    "a", [np.arange(10.0) - 3, np.arange(20.0)[::-3], np.zeros(0), np.array([5.0])]
)
def test_array(a):
    both(array_loop, a, 4.0)
    both(array_loop, a, 1e9)


def rows_loop(m):
    total = 0.0
    n = 0
    for row in m:
        n += 1
        total += row.sum() * n
    return total, n


def test_array_rows():
    both(rows_loop, np.arange(12.0).reshape(4, 3))
    both(rows_loop, np.arange(12.0).reshape(3, 4).T)
    both(rows_loop, np.zeros((0, 3)))


def tuple_param_loop(t, stop):
    s = 0
    for x in t:
        if x == stop:
            break
        s = s * 10 + x
    return s


def test_tuple_parameter():
    both(tuple_param_loop, (1, 2, 3, 4), 3)
    both(tuple_param_loop, (1, 2, 3, 4), 9)
    both(tuple_param_loop, (5,), 5)


def const_tuple_loop(i, j):
    s = 0
    for di in (-1, 0, 1):
        for dj in (-1, 0, 1):
            if di == 0 and dj == 0:
                continue
            s += (i + di) * 7 + (j + dj)
    return s


def const_pairs_loop(x):
    s = 0.0
    last = (0, 0)
    for dx, dy in ((-1, -1), (-1, 0), (0, 1), (1, 1)):
        if dx * x > 2:
            break
        s += dx * x + dy
        last = (dx, dy)
    else:
        s = -s
    return s, last


def const_tuple_return(x):
    for k in (2, 3, 5, 7):
        if x % k == 0:
            return k
    return -1


def const_float_loop(x):
    acc = x
    for c in (0.5, 1.5, -2.25):
        acc = acc * c + 1.0
    return acc, c


def test_constant_tuple_loops():
    both(const_tuple_loop, 3, 4)
    for x in (0.0, 1.0, 2.5, 5.0):
        both(const_pairs_loop, x)
    for x in (4, 9, 25, 49, 11):
        both(const_tuple_return, x)
    both(const_float_loop, 2.0)


def test_constant_tuple_loops_are_unrolled():
    nis = ember.jit(const_tuple_loop)._normalized()
    assert not any(ins.op == Op.FOR_ITER for ins in nis.code)
    nis = ember.jit(const_pairs_loop)._normalized()
    assert not any(ins.op == Op.FOR_ITER for ins in nis.code)
    # not a constant tuple of numbers of one type: left as a loop
    nis = ember.jit(tuple_param_loop)._normalized()
    assert any(ins.op == Op.FOR_ITER for ins in nis.code)


def mixed_const_loop():
    s = 0.0
    for v in (1, 2.5):  # not unrolled (mixed types)
        s += v
    return s


def test_mixed_constant_tuple_not_unrolled():
    nis = ember.jit(mixed_const_loop)._normalized()
    assert any(ins.op == Op.FOR_ITER for ins in nis.code)


def enumerate_loop(a, start, stop):
    s = 0.0
    last = -1
    for i, x in enumerate(a, start):
        if i == stop:
            break
        if x < 0:
            continue
        s += i * x
        last = i
    return s, last


def enumerate_tuple(t):
    out = 0
    for i, v in enumerate(t):
        out += (i + 1) * v
    return out


def enumerate_range(n):
    out = 0
    for i, v in enumerate(range(n, 0, -2)):
        out = out * 5 + i * v
    return out


@pytest.mark.parametrize("start", [0, 3, -2])
def test_enumerate(start):
    a = np.arange(8.0) - 2
    both(enumerate_loop, a, start, start + 5)
    both(enumerate_loop, a, start, 1000)
    both(enumerate_loop, np.zeros(0), start, 0)
    both(enumerate_tuple, (4, 5, 6))
    both(enumerate_range, 9)
    both(enumerate_range, 0)


def zip_loop(a, b, n):
    s = 0.0
    k = 0
    for x, y, i in zip(a, b, range(n)):
        if i == 3:
            continue
        s += x * y + i
        k += 1
    return s, k


def zip_break(a, b):
    s = 0.0
    for x, y in zip(a, b):
        if x > y:
            break
        s += y - x
    return s


def test_zip():
    a, b = np.arange(6.0), np.arange(10.0)[::-1]
    both(zip_loop, a, b, 10)
    both(zip_loop, a, b, 2)
    both(zip_loop, a, b[:0], 5)
    both(zip_break, a, np.full(6, 3.5))
    both(zip_break, a, np.full(6, 30.5))


def two_loops_one_range(n):
    # the same range object iterated twice: each loop starts from its first item
    r = range(2, n, 3)
    s = 0
    for i in r:
        s += i
    for i in r:
        s = s * 2 + i
    return s, len(r)


def test_range_object_reused():
    both(two_loops_one_range, 20)
    both(two_loops_one_range, 1)


def residues(n):
    for i in range(n):
        yield i % 7


def residue_items(n):
    out = []
    for v in residues_jit(n):
        out.append(v)
    for i, x in enumerate(range(n)):
        out.append((i % 5) * 100 + x // 3)
    return out


residues_jit = ember.jit(residues)


def test_index_arithmetic_through_a_generator():
    # the index starts at -1: an increment marked no-unsigned-wrap made it poison, and LLVM
    # folded i % 7 of a generator's range loop to i
    for n in (0, 1, 13, 40):
        got = ember.jit(residue_items)(n)
        want = [i % 7 for i in range(n)] + [(i % 5) * 100 + i // 3 for i in range(n)]
        assert got == want
