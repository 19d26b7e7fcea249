"""iter() and next() over every iterable compiled code has, StopIteration, map() and filter(),
and `yield from` in generators (issue 12, items 3 and 7).  Each compiled function is compared
with CPython running the same Python function: functions that call a generator are compiled
with the jitted generator in place of the Python one (``compiled``), since a jitted generator
cannot be called from Python."""

import types as pytypes

import numpy as np
import pytest

import ember
from ember.errors import TypingError, UnsupportedError

# ---- helpers ----------------------------------------------------------------------------------


def compiled(fn, **jitted):
    """fn compiled with some of its globals replaced (a generator by its jitted version)."""
    g = {**fn.__globals__, **jitted}
    return ember.jit(
        pytypes.FunctionType(fn.__code__, g, fn.__name__, fn.__defaults__, fn.__closure__)
    )


def same(fn, *args, **jitted):
    """fn compiled returns what fn returns under CPython (or raises the same class)."""
    try:
        expected = fn(*args)
    except Exception as exc:  # noqa: BLE001 - the compiled function must raise the same class
        with pytest.raises(type(exc)):
            compiled(fn, **jitted)(*args)
        return None
    got = compiled(fn, **jitted)(*args)
    if isinstance(expected, np.ndarray):
        np.testing.assert_array_equal(got, expected)
    else:
        assert got == expected, (got, expected)
        assert type(got) is type(expected) or isinstance(expected, (np.generic, tuple)), (
            type(got),
            type(expected),
        )
    return got


def countdown(n):
    while n > 0:
        yield n
        n -= 1


countdown_jit = ember.jit(countdown)

# ---- iter / next ------------------------------------------------------------------------------


def first_two(x):
    it = iter(x)
    a = next(it)
    b = next(it, a)
    return a, b


@pytest.mark.parametrize("x", [np.arange(5.0), [4, 5, 6], [7], (1.5, 2.5, 3.5), "héllo", "z"])
def test_iter_and_next_over_iterables(x):
    same(first_two, x)


def test_iter_and_next_over_ranges_and_literals():
    def ranges(n):
        it = iter(range(3, n, 2))
        a = next(it, -1)
        s = iter("ab")
        return a, next(it, -1), next(it, -1), next(s), next(s), next(s, "end")

    for n in (3, 6, 20):
        same(ranges, n)


def test_iter_over_rows_of_a_2d_array():
    def rows(a):
        it = iter(a)
        r0 = next(it)
        r1 = next(it)
        return r0.sum() * 10 + r1.sum()

    same(rows, np.arange(6.0).reshape(3, 2))


def test_next_over_dict_views_zip_and_enumerate():
    def views(n):
        d = {}
        for i in range(n):
            d[i] = i * 1.5
        k = next(iter(d))
        v = next(iter(d.values()))
        kv = next(iter(d.items()))
        z = iter(zip(range(n), d.values()))
        next(z)
        e = enumerate(d.keys(), 10)
        return k, v, kv, next(z), next(e), next(e, (0, 0))

    same(views, 3)


def test_next_of_a_generator_then_a_for_loop_over_the_rest():
    def rest(n):
        g = countdown(n)
        first = next(g)
        t = 0
        for v in g:
            t += v
        return first, t, next(g, -1)

    same(rest, 5, countdown=countdown_jit)


def test_a_loop_over_an_iterator_continues_where_next_left_it():
    def skip_header(a):
        it = iter(a)
        header = next(it)
        t = 0.0
        for x in it:
            t += x
        return header, t

    same(skip_header, np.array([100.0, 1.0, 2.0, 3.0]))
    same(skip_header, [9, 1, 2])


def test_default_types_unify():
    def defaults(n):
        it = iter(range(n))
        a = next(it, 0.5)  # int items, float default: a float, as the two unify
        b = next(it, None)
        return a, b is None

    assert compiled(defaults)(0) == (0.5, True)
    assert compiled(defaults)(1) == (0.0, True)
    assert compiled(defaults)(3) == (0.0, False)


def test_exhausted_iterator_raises_stop_iteration_to_python():
    def exhaust(x):
        it = iter(x)
        t = 0
        for _ in range(len(x) + 1):
            t += next(it)
        return t

    f = compiled(exhaust)
    with pytest.raises(StopIteration):
        f(np.arange(3))
    with pytest.raises(StopIteration):
        exhaust(np.arange(3))


def test_stop_iteration_is_caught_in_compiled_code():
    def count_until_stop(x):
        it = iter(x)
        n = 0
        try:
            while True:
                next(it)
                n += 1
        except StopIteration:
            n = -n
        return n

    def caught_as_exception(n):
        g = countdown(n)
        t = 0
        try:
            while True:
                t += next(g)
        except Exception:  # StopIteration is an Exception
            t += 1000
        return t

    same(count_until_stop, [1, 2, 3])
    same(count_until_stop, "abcd")
    same(caught_as_exception, 4, countdown=countdown_jit)


def test_next_of_a_non_iterator_is_a_typing_error():
    def bad(x):
        return next(x)  # a list is iterable, not an iterator

    with pytest.raises(TypingError, match="next"):
        compiled(bad)([1, 2])


def test_iterators_release_what_they_hold(meminfo_balance):
    def partial(n):
        a = np.arange(n) * 1.0
        it = iter(a)
        g = countdown(n)
        return next(it) + next(g)

    same(partial, 4, countdown=countdown_jit)


# ---- map / filter -----------------------------------------------------------------------------


@ember.jit
def twice(x):
    return 2 * x


def test_map_consumed_by_for_list_sum_and_next():
    def uses(a, k):
        t = 0.0
        for v in map(lambda x: x + k, a):
            t += v
        return t, list(map(twice, a)), sum(map(lambda x: x * x, a)), next(map(twice, a))

    same(uses, np.arange(5.0), 0.5)
    same(uses, [1, 2, 3], 2)


@ember.jit
def larger(x, y):
    return x if x > y else y


def test_map_over_several_iterables_stops_at_the_shortest():
    def several(a, b, n):
        return list(map(lambda x, y, z: x * y + z, a, b, range(n))), sum(map(larger, a, b))

    same(several, np.arange(5.0), [1.0, 2.0, 3.0], 10)
    same(several, np.arange(5.0), [1.0, 2.0, 3.0, 4.0, 5.0, 6.0], 4)


def test_filter_with_a_function_and_with_none():
    def filters(a, lo):
        odd = list(filter(lambda x: x % 2 == 1, a))
        nonzero = sum(filter(None, a))
        above = 0
        for _v in filter(lambda x: x > lo, a):
            above += 1
        return odd, nonzero, above

    same(filters, [0, 1, 2, 3, 0, 5], 1)
    same(filters, np.array([0, 3, 4, 7]), 3)


def test_map_of_a_generator_and_filter_of_a_map():
    def chained(n):
        return list(filter(lambda v: v != 4, map(twice, countdown(n))))

    same(chained, 4, countdown=countdown_jit)


def test_map_without_iterables_is_a_typing_error():
    def bad(a):
        return list(map(twice))

    with pytest.raises(TypingError, match="at least two"):
        compiled(bad)(np.arange(3))


# ---- yield from ---------------------------------------------------------------------------------


def delegate(a, n):
    yield from a
    yield -1
    r = yield from range(n)
    yield 0 if r is None else 1


def delegate_to_generator(n):
    yield from countdown(n)
    for k in range(2):
        yield from countdown(k + 1)


def test_yield_from_iterables_and_generators():
    def consume(a, n):
        return list(delegate(a, n))

    def consume_gen(n):
        t = []
        for v in delegate_to_generator(n):
            t.append(v)
        return t

    same(consume, [5, 6], 3, delegate=ember.jit(delegate))
    same(consume, np.arange(3), 0, delegate=ember.jit(delegate))
    same(
        consume_gen,
        3,
        delegate_to_generator=compiled(delegate_to_generator, countdown=countdown_jit),
    )


def yield_in_finally(n):
    try:
        yield n  # <- line
    finally:
        n = 0


def yield_in_bare_except(a):
    try:
        yield from a  # <- line
    except:  # noqa: E722
        pass


@pytest.mark.parametrize("gen", [yield_in_finally, yield_in_bare_except])
def test_yield_inside_try_is_unsupported_at_its_line(gen):
    import inspect

    lines, first = inspect.getsourcelines(gen)
    line = first + next(k for k, text in enumerate(lines) if "# <- line" in text)

    g = ember.jit(gen)

    @ember.jit
    def consume(x):
        t = 0
        for v in g(x):
            t += v
        return t

    with pytest.raises(UnsupportedError) as info:
        consume([1, 2])
    assert "inside a try" in str(info.value)
    assert f"line {line}" in str(info.value)


# ---- reversed ---------------------------------------------------------------------------------


def reversed_uses(a):
    t = 0.0
    for v in reversed(a):
        t = 2 * t + v
    return t, list(reversed(a)), sum(reversed(a)), next(reversed(a))


@pytest.mark.parametrize(
    "a", [np.arange(5.0), np.arange(7)[::2], np.asfortranarray(np.arange(4)), [4, 5, 6], (1.5, 2.5)]
)
def test_reversed_consumed_by_for_list_sum_and_next(a):
    same(reversed_uses, a)


def test_reversed_over_ranges_strings_and_tuples():
    def uses(n, s):
        return (
            list(reversed(range(n))),
            list(reversed(range(1, n, 3))),
            list(reversed(range(n, -4, -2))),
            list(reversed(range(n, n + 1))),
            list(reversed(range(0))),
            [c for c in reversed(s)],
            list(reversed((n, 2, 3))),
        )

    same(uses, 10, "héllo")
    same(uses, 1, "")


def test_reversed_of_a_2d_array_iterates_its_rows_backwards():
    def rows(a):
        out = []
        for r in reversed(a):
            out.append(r.sum())
        return out, next(reversed(a))[0]

    same(rows, np.arange(12.0).reshape(3, 4))


def test_reversed_of_an_empty_array_and_of_a_generator_of_it():
    def uses(a):
        return list(reversed(a)), sum(map(lambda x: x + 1, reversed(a)))

    same(uses, np.zeros(0))
    same(uses, np.arange(4))


def test_reversed_errors_name_the_line():
    def mixed(n):
        return list(reversed((n, 2.5)))

    def zero_d(a):
        return list(reversed(a))

    line = r"return list\(reversed\(\(n, 2.5\)\)\)"
    with pytest.raises(TypingError, match=rf"(?s)mixed types.*{line}"):
        compiled(mixed)(3)
    with pytest.raises(TypingError, match="0-d array"):
        compiled(zero_d)(np.array(1.0))
