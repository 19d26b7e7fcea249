"""``@ember.njit(parallel=True)`` with ``ember.prange``: every kind of reduction gives the serial
result (``f.py_func``), stores indexed by the loop variable, private temporaries, nested
prange, ranges with steps (negative, empty), exceptions from inside the loop, the loops that
cannot run in parallel (UnsupportedError naming the loop's line), the thread-count API and the
EMBER_NUM_THREADS variable, fork safety, and nogil functions running in two Python threads at
once."""
import gc
import inspect
import multiprocessing
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
from conftest import assert_same, check
from hypothesis import given, settings
from hypothesis import strategies as st
from rendezvous import CONTROL_ROUNDS, SAFETY_ROUNDS, meet_nogil, meet_with_gil, run_in_threads

import ember
from ember import _ember, prange
from ember.errors import UnsupportedError

fast = settings(max_examples=20, deadline=None)
SIZES = [0, 1, 2, 3, 7, 64, 1001, 100_003]


def values(n, dtype=np.float64, seed=0):
    rng = np.random.default_rng(seed)
    if np.dtype(dtype).kind == "f":
        return rng.uniform(-1.0, 1.0, n).astype(dtype)
    return rng.integers(-1000, 1000, n).astype(dtype)


# ---- reductions ------------------------------------------------------------------------------

@ember.njit(parallel=True)
def p_sum(a):
    s = 0.0
    for i in prange(a.shape[0]):
        s += a[i]
    return s


@ember.njit(parallel=True)
def p_int_sum(a):
    s = 0
    for i in prange(a.shape[0]):
        s += a[i]
    return s


@ember.njit(parallel=True)
def p_sub(a):
    s = 10.0
    for i in prange(a.shape[0]):
        s -= a[i]
    return s


@ember.njit(parallel=True)
def p_prod(a):
    p = 1.0
    for i in prange(a.shape[0]):
        p *= 1.0 + a[i] * 1e-3
    return p


@ember.njit(parallel=True)
def p_min_max(a):
    lo = np.inf
    hi = -np.inf
    for i in prange(a.shape[0]):
        lo = min(lo, a[i])
        hi = max(hi, a[i])
    return lo, hi


@ember.njit(parallel=True)
def p_int_min_max(a):
    lo = 1 << 40
    hi = -(1 << 40)
    for i in prange(a.shape[0]):
        lo = min(lo, a[i])
        hi = max(a[i], hi)
    return lo, hi


@ember.njit(parallel=True)
def p_bitwise(a):
    x = 0
    y = -1
    z = 0
    for i in prange(a.shape[0]):
        x |= a[i]
        y &= a[i] | 1
        z ^= a[i]
    return x, y, z


@ember.njit(parallel=True)
def p_conditional(a):
    n = 0
    pos = 0.0
    for i in prange(a.shape[0]):
        v = a[i]
        if v > 0:
            n += 1
            pos += v
        elif v < -0.5:
            n += 100
    return n, pos


@ember.njit(parallel=True)
def p_several(a):
    s = 0.0
    s2 = 0.0
    c = 0
    for i in prange(a.shape[0]):
        x = a[i] * 2.0
        s += x
        s2 += x * x
        c += 1
    return s, s2, c


@pytest.mark.parametrize("n", SIZES)
def test_float_reductions(n):
    a = values(n, seed=n)
    check(p_sum, a, rel=1e-9, abs_tol=1e-9)
    check(p_sub, a, rel=1e-9, abs_tol=1e-9)
    check(p_prod, a, rel=1e-9)
    check(p_several, a, rel=1e-9, abs_tol=1e-9)
    check(p_conditional, a, rel=1e-9, abs_tol=1e-9)
    check(p_min_max, a)


@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize("dtype", [np.int64, np.int32], ids=str)
def test_integer_reductions_are_exact(n, dtype):
    a = values(n, dtype, seed=n + 1)
    check(p_int_sum, a)
    check(p_int_min_max, a)
    check(p_bitwise, a)


def test_reductions_on_strided_views():
    a = values(10_000, seed=3)
    for v in (a[::-1], a[1::3], a.reshape(100, 100)[:, 7]):
        check(p_sum, v, rel=1e-9)
        check(p_min_max, v)
        check(p_conditional, v, rel=1e-9)


# ---- stores, temporaries, nesting ------------------------------------------------------------

@ember.njit(parallel=True)
def p_store(a):
    out = np.empty_like(a)
    for i in prange(a.shape[0]):
        out[i] = a[i] * a[i] + i
    return out


@ember.njit(parallel=True)
def p_store_rows(a):
    out = np.zeros_like(a)
    for i in prange(a.shape[0]):
        for j in range(a.shape[1]):
            out[i, j] = a[i, j] * (j + 1)
        out[i, 0] = i
    return out


@ember.njit(parallel=True)
def p_private_temporaries(a, k):
    out = np.empty(a.shape[0])
    for i in prange(a.shape[0]):
        tmp = np.zeros(k)          # private to the iteration
        for j in range(k):
            tmp[j] = a[i] + j
        t2 = tmp * 2.0             # an array expression in the body
        out[i] = t2.sum() + tmp[::-1][0]
    return out


@ember.njit(parallel=True)
def p_nested(n, m):
    out = np.zeros((n, m))
    total = 0.0
    for i in prange(n):
        for j in prange(m):        # runs serially inside the outer prange
            out[i, j] = i * 1000 + j
            total += i - j
    return out, total


@pytest.mark.parametrize("n", SIZES)
def test_stores_indexed_by_the_loop_variable(n):
    check(p_store, values(n, seed=4))
    check(p_store, values(n, np.int64, seed=5))


def test_stores_2d():
    a = values(600, seed=6).reshape(200, 3)
    check(p_store_rows, a)
    check(p_store_rows, np.asfortranarray(a))
    check(p_store_rows, a[::-2])


def test_private_temporaries():
    gc.collect()
    before = _ember.live_meminfos()
    for n in (0, 1, 5, 5000):
        check(p_private_temporaries, values(n, seed=n), 4)
    check(p_private_temporaries, values(100, seed=1), 1)
    gc.collect()
    assert _ember.live_meminfos() == before


@pytest.mark.parametrize("n,m", [(0, 3), (3, 0), (1, 1), (7, 5), (64, 33)], ids=str)
def test_nested_prange(n, m):
    check(p_nested, n, m)


@ember.njit(parallel=True)
def p_range(a, start, stop, step):
    s = 0
    out = np.zeros(a.shape[0], np.int64)
    for i in prange(start, stop, step):
        s += a[i]
        out[i] = i + 1
    return s, out


@ember.njit(parallel=True)
def p_range2(a, start, stop):
    s = 0.0
    for i in prange(start, stop):
        s += a[i] * i
    return s


@given(start=st.integers(0, 99), stop=st.integers(-1, 100),
       step=st.integers(-9, 9).filter(lambda s: s != 0))
@fast
def test_prange_start_stop_step(start, stop, step):
    # indices stay in [0, 100): no bounds checks, and no two iterations store to one element
    a = values(100, np.int64, seed=7)
    check(p_range, a, start, stop, step)


@given(start=st.integers(-100, 99), stop=st.integers(-101, 100))
@fast
def test_prange_start_stop_negative_indices(start, stop):
    a = values(100, seed=7)
    check(p_range2, a, start, stop, rel=1e-9, abs_tol=1e-9)


def test_prange_empty_and_negative_ranges():
    a = values(50, np.int64, seed=8)
    for args in [(3, 3, 1), (10, 3, 1), (3, 10, -1), (49, -1, -1), (49, -51, -7), (0, 50, 50),
                 (0, 50, 1000), (-1, -51, -3)]:
        check(p_range, a, *args)


def test_prange_zero_step_raises():
    with pytest.raises(ValueError):
        p_range(np.zeros(5, np.int64), 0, 5, 0)


# ---- exceptions ------------------------------------------------------------------------------

@ember.njit(parallel=True)
def p_raises(a, limit):
    s = 0.0
    for i in prange(a.shape[0]):
        if a[i] > limit:
            raise ValueError("value above the limit")
        s += a[i]
    return s


@ember.njit(parallel=True)
def p_index_error(a, idx):
    out = np.zeros(a.shape[0])
    for i in prange(a.shape[0]):
        if i == idx:
            raise IndexError("bad index")
        out[i] = a[i]
    return out


@ember.njit(parallel=True)
def p_zero_division(a):
    s = 0
    for i in prange(a.shape[0]):
        s += 100 // a[i]
    return s


def test_exception_inside_the_loop_reaches_the_caller():
    a = np.arange(100_000, dtype=np.float64)
    for limit in (-1.0, 0.5, 50_000.5, 99_998.5):
        with pytest.raises(ValueError, match="value above the limit"):
            p_raises(a, limit)
    assert p_raises(a, 1e9) == a.sum()  # still usable afterwards
    with pytest.raises(IndexError) as info:
        p_index_error(a, 77_777)
    assert info.value.args == ("bad index",)
    with pytest.raises(ZeroDivisionError):
        p_zero_division(np.array([1, 2, 0, 4] * 1000))
    assert p_zero_division(np.array([1, 2, 4] * 10)) == 1750


def test_exception_in_the_loop_does_not_leak_arrays():
    gc.collect()
    before = _ember.live_meminfos()
    for _ in range(5):
        with pytest.raises(IndexError):
            p_index_error(np.ones(10_000), 5000)
    gc.collect()
    assert _ember.live_meminfos() == before


# ---- loops that are not reductions -----------------------------------------------------------

def prange_line(f):
    lines, first = inspect.getsourcelines(f.py_func)
    for k, text in enumerate(lines):
        if "prange(" in text:
            return first + k
    raise AssertionError("no prange")


@ember.njit(parallel=True)
def reads_accumulator(a):
    s = 0.0
    for i in prange(a.shape[0]):
        s += a[i]
        a[i] = s
    return s


@ember.njit(parallel=True)
def breaks(a):
    s = 0.0
    for i in prange(a.shape[0]):
        if a[i] > 3:
            break
        s += a[i]
    return s


@ember.njit(parallel=True)
def carried_value(a):
    last = 0.0
    for i in prange(a.shape[0]):
        a[i] = last
        last = a[i] + 1.0
    return last


@ember.njit(parallel=True)
def mixed_operators(a):
    s = 0.0
    for i in prange(a.shape[0]):
        s += a[i]
        s *= 2.0
    return s


@pytest.mark.parametrize("f", [reads_accumulator, breaks, carried_value, mixed_operators],
                         ids=lambda f: f.py_func.__name__)
def test_non_reductions_are_rejected_with_the_loop_line(f):
    with pytest.raises(UnsupportedError) as info:
        f(np.arange(10.0))
    line = prange_line(f)
    assert info.value.line == line
    assert f"line {line}" in str(info.value)
    assert "prange" in str(info.value)


# ---- threads API -----------------------------------------------------------------------------

@ember.njit(parallel=True)
def thread_ids(n):
    out = np.full(n, -1, np.int64)
    for i in ember.prange(n):
        out[i] = ember.get_thread_id()
    return out, ember.get_num_threads(), ember.get_thread_id()


@ember.njit(parallel=True)
def meet_in_prange(flags, limit):
    # Iteration i marks flags[i] and waits for the other iteration's mark (rendezvous.py).
    ids = np.full(2, -1, np.int64)
    met = np.zeros(2, np.int64)
    for i in prange(2):
        ids[i] = ember.get_thread_id()
        flags[i] = 1
        for _ in range(limit):
            if flags[1 - i] != 0:
                met[i] = 1
                break
            np.random.random()
    return ids, met


def test_thread_api_inside_compiled_code():
    # Only what holds under any scheduling: which thread runs which chunk is up to the OS.
    n, threads = 200_000, ember.get_num_threads()
    ids, team, outside = thread_ids(n)
    assert team == threads and outside == 0
    assert ids.min() >= 0 and ids.max() < team        # every iteration ran, on a team member
    # A chunk runs on one thread, and a loop is cut into at most 4 chunks per thread
    # (runtime/ThreadPool.cpp), so the id changes at most 4 * team - 1 times along the loop.
    assert np.count_nonzero(np.diff(ids)) < 4 * team
    try:
        ember.set_num_threads(1)
        ids, team, outside = thread_ids(n)
        assert team == 1 and outside == 0 and not ids.any()
    finally:
        ember.set_num_threads(threads)


@pytest.mark.skipif(ember.get_num_threads() < 2, reason="a team of two needs two threads")
def test_prange_runs_chunks_on_two_threads_at_once():
    # The two iterations of prange(2) wait for each other, so they both see the other's mark
    # only if the pool ran them at the same time, on the caller (id 0) and worker 1.
    flags = np.zeros(2, np.int64)
    ids, met = meet_in_prange(flags, SAFETY_ROUNDS)
    assert met.tolist() == [1, 1], "the two chunks of prange(2) did not run at once"
    assert sorted(ids.tolist()) == [0, 1]


def test_set_and_get_num_threads():
    n = ember.get_num_threads()
    assert n >= 1
    assert isinstance(ember.get_thread_id(), int) and ember.get_thread_id() == 0
    a = values(100_000, seed=9)
    expected = p_sum(a)
    try:
        ember.set_num_threads(1)
        assert ember.get_num_threads() == 1
        assert p_sum(a) == pytest.approx(expected, rel=1e-9)
        np.testing.assert_array_equal(p_store(a), p_store.py_func(a))
    finally:
        ember.set_num_threads(n)
    assert ember.get_num_threads() == n
    assert p_sum(a) == pytest.approx(expected, rel=1e-9)


@pytest.mark.parametrize("bad", [0, -1, -100, 10**6])
def test_set_num_threads_invalid_raises(bad):
    n = ember.get_num_threads()
    with pytest.raises(ValueError):
        ember.set_num_threads(bad)
    assert ember.get_num_threads() == n


def test_set_num_threads_rejects_non_integers():
    with pytest.raises(TypeError):
        ember.set_num_threads(1.5)


def run_python(source, env_extra=None, timeout=120):
    env = dict(os.environ)
    env.update(env_extra or {})
    r = subprocess.run([sys.executable, "-c", textwrap.dedent(source)], capture_output=True,
                       text=True, timeout=timeout, env=env, cwd=Path(__file__).parent)
    assert r.returncode == 0, f"exit status {r.returncode}\n{r.stdout[-2000:]}{r.stderr[-3000:]}"
    return r.stdout


ENV_SOURCE = """
    import numpy as np, ember
    from ember import prange

    @ember.njit(parallel=True)
    def f(n):
        s = 0
        for i in prange(n):
            s += i
        return s

    print(ember.get_num_threads(), f(100000))
    ember.set_num_threads(1)
    print(ember.get_num_threads(), f(1000))
"""


@pytest.mark.parametrize("n", [1, 3])
def test_ember_num_threads_environment_variable(n):
    out = run_python(ENV_SOURCE, {"EMBER_NUM_THREADS": str(n)}).split()
    assert out == [str(n), str(sum(range(100000))), "1", str(sum(range(1000)))]


def _child(q):
    a = np.arange(100_000, dtype=np.float64)
    q.put((p_sum(a), float(p_store(a)[-1])))


def test_fork_child_can_run_parallel_functions():
    a = np.arange(100_000, dtype=np.float64)
    expected = (p_sum(a), float(p_store(a)[-1]))   # the parent's thread pool is running
    ctx = multiprocessing.get_context("fork")
    q = ctx.Queue()
    p = ctx.Process(target=_child, args=(q,))
    p.start()
    p.join(60)
    if p.is_alive():
        p.kill()
        p.join()
        raise AssertionError("the forked child hung running a parallel function")
    assert p.exitcode == 0
    got = q.get(timeout=5)
    assert got[0] == pytest.approx(expected[0], rel=1e-12) and got[1] == expected[1]
    assert p_sum(a) == pytest.approx(expected[0], rel=1e-12)  # the parent still works


# ---- nogil ----------------------------------------------------------------------------------

def test_nogil_functions_run_concurrently_in_python_threads():
    # Each call marks its flag and waits for the other's (rendezvous.py): both see the other
    # only if they ran at the same time.  No free core is needed: the OS time-slices them.
    flags = np.zeros(2, np.int64)
    met = run_in_threads(lambda: meet_nogil(flags, 0, 1, SAFETY_ROUNDS),
                         lambda: meet_nogil(flags, 1, 0, SAFETY_ROUNDS))
    assert met == [True, True], "two nogil calls in two threads did not run at once"


def test_functions_keeping_the_gil_run_one_at_a_time():
    # The control: the first call to get the GIL waits in vain, the second then sees its mark.
    flags = np.zeros(2, np.int64)
    met = run_in_threads(lambda: meet_with_gil(flags, 0, 1, CONTROL_ROUNDS),
                         lambda: meet_with_gil(flags, 1, 0, CONTROL_ROUNDS))
    assert sorted(met) == [False, True]


@ember.njit(nogil=True)
def _hash_walk(n, seed):
    x = seed
    for i in range(n):
        x = (x * 6364136223846793005 + i) & 0xFFFFFFFF
    return x


def test_nogil_functions_in_python_threads_give_their_results():
    expected = [_hash_walk.py_func(100_000, s) for s in range(4)]
    got = run_in_threads(*[lambda s=s: _hash_walk(100_000, s) for s in range(4)])
    assert got == expected


def test_parallel_results_equal_serial_on_large_inputs():
    a = values(1_000_003, seed=11)
    assert_same(p_store(a), p_store.py_func(a))
    assert p_sum(a) == pytest.approx(float(np.sum(a)), rel=1e-9, abs=1e-6)
    assert p_min_max(a) == (float(a.min()), float(a.max()))


def test_prange_unit_step_body_vectorizes():
    # prange(n) runs a body whose loop variable LLVM can see is non-negative, so indexing by it
    # needs no negative-index wrap and the chunk loop vectorizes like the serial loop.
    @ember.njit(parallel=True)
    def saxpy(a, x, y, out):
        for i in prange(x.shape[0]):
            out[i] = a * x[i] + y[i]

    x, y, out = values(1000, seed=3), values(1000, seed=4), np.zeros(1000)
    saxpy(2.0, x, y, out)
    np.testing.assert_allclose(out, 2.0 * x + y)
    asm = saxpy.inspect_asm(saxpy.signatures[0])
    assert re.search(r"\bv?mulpd\b", asm), "the prange chunk loop did not vectorize"
