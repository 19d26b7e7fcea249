"""Generator functions in compiled code (lowering/CodeGenGenerator.cpp): several yields, yields
in loops, `return` ending them, consumed by `for` and `list()`, passed to another jitted
function, raising from inside; and a generator dropped before it is exhausted leaks nothing.
Each result is compared with CPython running the same Python functions uncompiled."""
import numpy as np
import pytest

import ember
from ember import _ember
from ember.errors import UnsupportedError


def countdown(n):
    while n > 0:
        yield n
        n -= 1
    yield -1


def several(x):
    yield x
    yield x * 2.0
    if x > 10:
        return
    yield x * 3.0


def valid_pairs(a):
    for i in range(a.shape[0]):
        v = a[i]
        if v != v:
            continue
        yield i, float(v)


def differences(a):
    prev = np.nan
    for i, v in valid_pairs_jit(a):
        if prev == prev:
            yield i, v - prev
        prev = v


def differences_py(a):
    prev = np.nan
    for i, v in valid_pairs(a):
        if prev == prev:
            yield i, v - prev
        prev = v


def weighted(pairs):
    t = 0.0
    for i, v in pairs:
        t += i * v
    return t


def temporaries(n):
    b = np.arange(n) * 2.0  # an array the generator's frame owns
    for i in range(n):
        yield b[i] + 1.0


def raising(n):
    for i in range(n):
        if i == 3:
            raise ValueError("bad item", i)
        yield i


countdown_jit = ember.jit(countdown)
several_jit = ember.jit(several)
valid_pairs_jit = ember.jit(valid_pairs)
differences_jit = ember.jit(differences)
weighted_jit = ember.jit(weighted)
temporaries_jit = ember.jit(temporaries)
raising_jit = ember.jit(raising)


@ember.jit
def total_countdown(n):
    s = 0
    for v in countdown_jit(n):
        s += v
    return s


@ember.jit
def list_of_several(x):
    return list(several_jit(x))


@ember.jit
def weighted_valid(a):
    return weighted_jit(valid_pairs_jit(a))


@ember.jit
def weighted_differences(a):
    return weighted_jit(differences_jit(a))


@ember.jit
def first_above(n, limit):
    for v in temporaries_jit(n):
        if v > limit:
            return v
    return -1.0


@ember.jit
def consume_raising(n):
    s = 0
    for v in raising_jit(n):
        s += v
    return s


@pytest.mark.parametrize("n", [0, 1, 5])
def test_yield_in_a_loop_then_after_it(n):
    assert total_countdown(n) == sum(countdown(n))


@pytest.mark.parametrize("x", [1.5, 12.0])
def test_several_yields_and_return_ending_the_generator(x):
    assert list_of_several(x) == list(several(x))


def test_generator_passed_to_another_jitted_function():
    a = np.array([1.0, np.nan, 3.0, 4.5, np.nan, -2.0])
    assert weighted_valid(a) == weighted(valid_pairs(a))
    assert weighted_differences(a) == weighted(differences_py(a))


def test_generator_not_exhausted_leaks_nothing():
    first_above(10, 4.0)  # compiled
    before = _ember.live_meminfos()
    for limit in (4.0, 100.0, -1.0):
        assert first_above(10, limit) == next((v for v in temporaries(10) if v > limit), -1.0)
    assert _ember.live_meminfos() == before


def test_exception_raised_in_generator_reaches_the_consumer():
    assert consume_raising(3) == sum(raising(3))
    with pytest.raises(ValueError) as info:
        consume_raising(10)
    assert info.value.args == ("bad item", 3)


def test_generator_function_called_from_python_is_a_clear_error():
    with pytest.raises(UnsupportedError, match="generator function"):
        countdown_jit(3)


# ---- `for x in g(...)` of a generator function known at compile time: the local ramp ---------
# (CodeGenGenerator.cpp: the consumer owns the header, CoroElide moves the frame onto its stack)

def residues(n):
    for i in range(n):
        yield i % 7


residues_jit = ember.jit(residues)


@ember.jit
def residue_sum(n):
    total = 0
    for v in residues_jit(n):
        total += v
    return total


@ember.jit
def residue_sums_nested(n):
    # a new generator (and frame) per outer iteration, each dropped early or exhausted
    total = 0
    for m in range(n):
        for v in residues_jit(m):
            if v == 5:
                break
            total += v * m
    return total


def residue_sums_nested_py(n):
    total = 0
    for m in range(n):
        for v in residues(m):
            if v == 5:
                break
            total += v * m
    return total


@ember.jit
def residues_twice(n):
    # one generator consumed by two loops: the second resumes where the first stopped
    g = residues_jit(n)
    first = 0
    for _v in g:
        first += 1
        if first == 3:
            break
    rest = 0
    for v in g:
        rest += v
    return first, rest


def residues_twice_py(n):
    g = residues(n)
    first = 0
    for _v in g:
        first += 1
        if first == 3:
            break
    rest = 0
    for v in g:
        rest += v
    return first, rest


def test_known_generator_in_a_loop_matches_python():
    for n in (0, 1, 13, 100):
        assert residue_sum(n) == sum(residues(n))
    assert residue_sums_nested(20) == residue_sums_nested_py(20)
    assert residues_twice(10) == residues_twice_py(10)


def test_known_generator_frame_is_on_the_consumers_stack():
    residue_sum(3)
    ir = residue_sum.inspect_llvm(residue_sum.signatures[0])
    # no generator MemInfo, no heap frame, no indirect resume: the body is inlined
    assert "ember_generator_new" not in ir
    assert "ember_meminfo_alloc" not in ir
    assert "call void %" not in ir


def test_known_generator_dropped_early_leaks_nothing():
    residue_sums_nested(3)
    first_above(10, 4.0)
    before = _ember.live_meminfos()
    residue_sums_nested(30)
    for limit in (4.0, 100.0):
        first_above(10, limit)
    with pytest.raises(ValueError):
        consume_raising(10)
    assert _ember.live_meminfos() == before


# ---- builtins over generators, generator expressions, unsupported forms ----------------------

def items(a):
    for x in a:  # noqa: UP028 (`yield from` is not compiled)
        yield x


items_jit = ember.jit(items)


def with_items(fn):
    """fn compiled with `items` the jitted generator (CPython runs fn with the plain one)."""
    return ember.jit(type(fn)(fn.__code__, {**fn.__globals__, "items": items_jit}, fn.__name__))


def extremes(a):
    return min(items(a)), max(items(a))


def numbered(a):
    return list(enumerate(items(a)))


def paired(a):
    return list(zip(items(a), range(10, 20)))


def ordered(a):
    return sorted(items(a))


def squares_total(a):
    t = 0.0
    for y in (x * x for x in a):  # a generator expression consumed by a loop
        t += y
    return t


def shifted_positive(a, k):
    return list(x + k for x in a if x > 0)  # captures k


def doubled_max(a):
    return max(x * 2 for x in a)


def tripled(v):
    return v * 3 - 1


tripled_jit = ember.jit(tripled)  # Python calls it too: it is not a generator function


def mapped(lst):
    return list(tripled_jit(v) for v in lst)


def plain(x):
    """NumPy scalars as Python numbers, in tuples and lists (repr then shows NaN where it is)."""
    if isinstance(x, (list, tuple)):
        return type(x)(plain(v) for v in x)
    return x.item() if isinstance(x, np.generic) else x


def test_min_max_enumerate_zip_sorted_over_generators():
    a = np.array([3.0, np.nan, -1.0, 7.0, 7.0, -1.0])
    for fn in (extremes, numbered, paired):  # NaN kept: min/max keep Python's first-wins rule
        assert repr(with_items(fn)(a)) == repr(plain(fn(a)))
    b = np.array([3, -4, 9, 0, 2])
    assert with_items(extremes)(b) == extremes(b)
    assert with_items(ordered)(b) == ordered(b)


def test_min_of_an_empty_generator_raises_value_error():
    with pytest.raises(ValueError, match="empty"):
        with_items(extremes)(np.zeros(0))


def test_generator_expressions():
    a = np.array([1.5, -2.0, 3.0, 0.0, 4.25])
    assert ember.jit(squares_total)(a) == squares_total(a)
    assert ember.jit(shifted_positive)(a, 0.5) == shifted_positive(a, 0.5)
    assert ember.jit(shifted_positive)(a, 0.5) == shifted_positive(a, 0.5)
    assert ember.jit(doubled_max)(a) == doubled_max(a)
    lst = [1, 5, -2]
    assert ember.jit(mapped)(lst) == mapped(lst)
    # over a range, and nested: a generator expression over a generator
    assert ember.jit(lambda n: list(i * i for i in range(n)))(6) == [i * i for i in range(6)]
    assert with_items(lambda a: max(x - 1 for x in items(a)))(a) == max(x - 1 for x in a)


def closing(n):
    g = countdown_jit(n)
    g.close()  # <- line
    return 0


def sending(n):
    g = countdown_jit(n)
    return g.send(None)  # <- line


def delegating(n):
    try:
        yield n  # <- line
    finally:
        n = 0


def _line_of_marker(fn):
    import inspect
    lines, first = inspect.getsourcelines(fn)
    return first + next(k for k, text in enumerate(lines) if "# <- line" in text)


@pytest.mark.parametrize("fn, what", [(closing, "close"), (sending, "send"),
                                      (delegating, "inside a try")])
def test_unsupported_generator_forms_name_the_line(fn, what):
    with pytest.raises(UnsupportedError) as info:
        if fn is delegating:
            @ember.jit
            def consumer(n):
                t = 0
                for v in delegating_jit(n):
                    t += v
                return t
            consumer(3)
        else:
            ember.jit(fn)(3)
    assert what in str(info.value)
    assert f"line {_line_of_marker(fn)}" in str(info.value)


delegating_jit = ember.jit(delegating)


def caught_inside(n, k):
    t = 0.0
    try:
        for v in temporaries(n):  # a known generator owning an array, left by a caught raise
            if v == k:
                raise ValueError("hit")
            t += v
    except ValueError:
        t = -t
    return t


def test_known_generator_left_by_a_caught_exception():
    fn = ember.jit(type(caught_inside)(caught_inside.__code__,
                                       {**globals(), "temporaries": temporaries_jit}))
    fn(5, 3.0)
    before = _ember.live_meminfos()
    for k in (3.0, 100.0):
        assert fn(6, k) == caught_inside(6, k)
    assert _ember.live_meminfos() == before



@ember.njit
def counting_forever(start):
    i = start
    while True:  # no path returns: calling it still makes a generator
        yield i
        i += 1


@ember.njit
def first_of_forever(start, k):
    n = 0
    for x in counting_forever(start):
        if n == k:
            return x
        n += 1
    return -1


@ember.njit
def take_first(gen):
    for x in gen:
        return x
    return -1


@ember.njit
def forever_passed_on(start):
    return take_first(counting_forever(start))


def test_endless_generator_left_early():
    # It crashed: a generator function with no return was typed as a call that never returns.
    first_of_forever(0, 0)
    forever_passed_on(0)
    before = _ember.live_meminfos()
    for start, k in ((0, 0), (5, 3), (-2, 10)):
        assert first_of_forever(start, k) == start + k
    assert forever_passed_on(7) == 7
    assert _ember.live_meminfos() == before
