"""Reference counting of the arrays compiled code allocates: ``ember._ember.live_meminfos()``
counts the live ones, and must come back to where it started after temporaries made in loops,
in branches, on exception paths, in returned tuples, as views of temporaries and across calls
between jitted functions.  A resident-memory check makes sure a million allocations in a loop
do not grow the process."""
import gc
import os

import numpy as np
import pytest

import ember
from ember import _ember


def live():
    gc.collect()
    return _ember.live_meminfos()


@pytest.fixture(scope="module")
def module_start():
    return live()


@pytest.fixture(autouse=True)
def no_leaks(module_start):
    """After every test of this file, no array made by compiled code is left alive."""
    yield
    assert live() == module_start, "arrays made by compiled code were leaked"


class Counter:
    """with Counter() as c: ...  then c.delta: how many more live arrays than before."""

    def __enter__(self):
        self.before = live()
        return self

    def __exit__(self, *exc):
        self.delta = live() - self.before
        return False


# ---- temporaries -----------------------------------------------------------------------------

@ember.jit
def loop_temporaries(n):
    s = 0.0
    for i in range(n):
        t = np.ones(10) * i          # two arrays per iteration, the first dropped at once
        u = t[2:5]                   # a view keeps t alive until u is rebound
        s += u.sum() + np.arange(i + 1).sum()
    return s


@ember.jit
def branch_temporaries(n, flag):
    a = np.zeros(n)
    if flag:
        b = a + 1
        c = b * 2
        a = c[::-1]
    else:
        b = np.ones(n)
        if n > 3:
            return b.sum()
    return a.sum() + b.sum()


@ember.jit
def while_with_break(n):
    acc = np.zeros(3)
    i = 0
    while True:
        tmp = np.full(3, float(i))
        acc = acc + tmp
        if i >= n:
            break
        i += 1
        if i % 2:
            continue
        acc = acc.copy()
    return acc[0]


def test_loop_temporaries_are_freed():
    with Counter() as c:
        assert loop_temporaries(100) == loop_temporaries.py_func(100)
    assert c.delta == 0


@pytest.mark.parametrize("n,flag", [(2, True), (2, False), (5, True), (5, False), (0, True)])
def test_branch_temporaries_are_freed(n, flag):
    with Counter() as c:
        assert branch_temporaries(n, flag) == branch_temporaries.py_func(n, flag)
    assert c.delta == 0


def test_break_and_continue_free_temporaries():
    with Counter() as c:
        assert while_with_break(10) == while_with_break.py_func(10)
    assert c.delta == 0


@ember.jit
def reductions_and_sorts(a):
    b = np.sort(a)
    c = np.cumsum(b)
    d = np.unique(a)
    m = a[a > 0]
    e = a.reshape(2, -1).sum(axis=0)
    f = np.argsort(a)
    return c[-1] + d.size + m.size + e[0] + f[0] + np.dot(a, a)


def test_library_temporaries_are_freed():
    a = np.arange(-5.0, 7.0)
    with Counter() as c:
        for _ in range(5):
            reductions_and_sorts(a)
    assert c.delta == 0


@ember.jit
def maybe_array(n):
    if n > 2:
        return np.ones(n)
    return None


@ember.jit
def rotate_names(n):
    a = np.ones(n)
    b = np.zeros(n)
    c = np.full(n, 2.0)
    for _ in range(7):
        a, b, c = b, c, a
    return a


def test_optional_results_and_rebinding():
    with Counter() as c:
        assert maybe_array(1) is None
        r = maybe_array(4)
        assert r.sum() == 4.0
        del r
        for _ in range(10):
            rotate_names(3)
        np.testing.assert_array_equal(rotate_names(2), rotate_names.py_func(2))
    assert c.delta == 0


# ---- exceptions ------------------------------------------------------------------------------

@ember.jit
def allocate_then_raise(n):
    a = np.ones(n)
    b = a * 2
    if n > 5:
        raise ValueError("too big")
    return b.sum()


@ember.jit
def allocate_in_loop_then_raise(n):
    acc = np.zeros(4)
    for i in range(n):
        t = np.full(4, i)
        acc += t
        if i == 3:
            raise IndexError("stop at 3")
    return acc


@ember.jit
def caller_of_raiser(n):
    keep = np.arange(n)          # alive in the caller while the callee raises
    view = keep[1:]
    return allocate_then_raise(n) + view.sum()


@ember.jit
def index_error_after_allocation(n):
    a = np.empty(n)
    b = np.zeros(3)
    return a[0] + b[n]           # IndexError (boundscheck) or the value


def test_exception_paths_free_arrays():
    with Counter() as c:
        for _ in range(20):
            with pytest.raises(ValueError, match="too big"):
                allocate_then_raise(10)
            with pytest.raises(IndexError, match="stop at 3"):
                allocate_in_loop_then_raise(10)
            with pytest.raises(ValueError, match="too big"):
                caller_of_raiser(10)
        assert allocate_then_raise(3) == 6.0
        assert caller_of_raiser(3) == 6.0 + 3
        np.testing.assert_array_equal(allocate_in_loop_then_raise(3), [3.0] * 4)
    assert c.delta == 0


def test_runtime_error_paths_free_arrays():
    @ember.jit(boundscheck=True)
    def f(n):
        a = np.ones(n)
        b = np.zeros(3)
        return a[0] + b[n]

    @ember.jit
    def g(n):
        a = np.ones(n)
        return np.random.randint(a.shape[0], 2)  # ValueError when n >= 2

    @ember.jit
    def h(n):
        a = np.ones(4)
        return a.reshape(n, 3)            # ValueError: cannot reshape

    with Counter() as c:
        for _ in range(5):
            with pytest.raises(IndexError):
                f(5)
            with pytest.raises(ValueError):
                g(3)
            with pytest.raises(ValueError):
                h(2)
    assert c.delta == 0


# ---- results ---------------------------------------------------------------------------------

@ember.jit
def tuple_of_arrays(n):
    a = np.arange(n)
    b = np.ones((n, 2))
    return a, (b, a[::2]), b.T


@ember.jit
def view_of_temporary(n):
    t = np.arange(n * 3) * 2
    return t[1::3]


@ember.jit
def nested_views_of_temporary(n):
    t = np.zeros((n, n))
    return t[1:][:, 1:][::-1, ::2].T


def test_returned_tuples_are_freed_when_deleted():
    before = live()
    r = tuple_of_arrays(6)
    assert live() == before + 2  # two buffers, four array objects
    del r
    assert live() == before


def test_returned_tuple_partial_release():
    before = live()
    a, (b, c), d = tuple_of_arrays(4)
    del a, b
    assert live() == before + 2  # c holds a's buffer, d holds b's
    del d
    assert live() == before + 1
    np.testing.assert_array_equal(c, np.arange(4)[::2])
    del c
    assert live() == before


def test_views_of_temporaries_keep_exactly_one_buffer():
    before = live()
    v = view_of_temporary(10)
    w = nested_views_of_temporary(5)
    assert live() == before + 2
    np.testing.assert_array_equal(v, (np.arange(30) * 2)[1::3])
    assert w.shape == np.zeros((5, 5))[1:][:, 1:][::-1, ::2].T.shape
    del v
    assert live() == before + 1
    vv = w[1:]        # a NumPy view of the compiled view
    del w
    assert live() == before + 1
    del vv
    assert live() == before


@ember.jit
def make(n):
    return np.full(n, 2.0)


@ember.jit
def consume(a):
    return a.sum()


@ember.jit
def pass_along(a):
    return a


@ember.jit
def make_and_consume(n):
    total = 0.0
    for i in range(n):
        x = make(i + 1)
        y = pass_along(x)
        total += consume(y) + consume(make(2))
    return total


def test_arrays_passed_between_jitted_functions():
    with Counter() as c:
        assert make_and_consume(50) == make_and_consume.py_func(50)
        a = make(10)
        b = pass_along(a)
        assert np.shares_memory(a, b)
        assert consume(b) == 20.0
        del a, b
    assert c.delta == 0


def test_numpy_arrays_passed_in_are_not_counted():
    a = np.ones(100)
    with Counter() as c:
        for _ in range(100):
            pass_along(a)
            consume(a[::2])
    assert c.delta == 0


def test_returned_arrays_from_many_calls():
    with Counter() as c:
        results = [tuple_of_arrays(i) for i in range(50)]
        assert live() - c.before == 100
        del results
    assert c.delta == 0


# ---- resident memory -------------------------------------------------------------------------

def rss_bytes():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


@ember.jit
def churn(n):
    s = 0.0
    for i in range(n):
        a = np.empty(1000)
        a[0] = i
        s += a[0]
    return s


@ember.jit
def churn_expr(n, x):
    s = 0.0
    for i in range(n):
        s += (x * 2.0 + 1.0)[i % 1000]
    return s


def test_resident_memory_stays_flat():
    x = np.ones(1000)
    churn(10)
    churn_expr(10, x)          # warm up: compile, first allocations
    for _ in range(3):
        make(1000)
    gc.collect()
    before = rss_bytes()
    assert churn(10**6) == float(sum(range(10**6)))
    assert churn_expr(10**6, x) == 3.0 * 10**6
    for _ in range(10**5):     # arrays returned to Python and dropped
        make(1000)
    gc.collect()
    grown = rss_bytes() - before
    # 10**6 leaked 8 kB arrays would be 8 GB; allow a few MB of noise
    assert grown < 4 * 2**20, f"resident memory grew by {grown / 2**20:.1f} MiB"
