"""Stress and soak: 16 threads compiling at once (16 different functions; one function and one
signature; one function and 8 signatures, its calls releasing the GIL while others compile),
each started together by a barrier, with no crash, the right results and exactly one compile
per signature; the same in a fresh interpreter, where the first compile of the process (the
compiler session) is raced too; and a million calls that allocate and return arrays, with
resident memory and ember's count of live arrays flat.

Nothing here depends on timing: the barrier's timeout only turns a hang into a failure."""
import gc
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
from rendezvous import run_in_threads

import ember
from ember import _ember

THREADS = 16

# Four kinds of body, each with four constants: 16 different functions.
_BODIES = [
    """
    def f(a, x):
        s = 0.0
        for v in a:
            s += v * x + {k}
        return s
    """,
    """
    def f(a, x):
        return (a * x + {k}).sum()
    """,
    """
    def f(a, x):
        out = np.empty_like(a)
        for i in range(a.shape[0]):
            out[i] = a[i] * a[i] + {k} * x
        return out.max()
    """,
    """
    def f(a, x):
        b = np.sort(a * x)
        return b[b.shape[0] // 2] + {k}
    """,
]


def different_functions():
    """16 jitted functions, none compiled yet, each with a distinct body."""
    functions = []
    for k in range(THREADS):
        namespace = {"np": np}
        source = textwrap.dedent(_BODIES[k % 4].format(k=k // 4 + 1))
        exec(compile(source, f"<stress function {k}>", "exec"), namespace)
        functions.append(ember.njit(namespace["f"]))
    return functions


def check_different_functions():
    functions = different_functions()
    a = np.arange(1.0, 9.0)
    got = run_in_threads(*[lambda f=f: f(a, 2.0) for f in functions])
    assert got == [f.py_func(a, 2.0) for f in functions]
    assert [f._compiles for f in functions] == [1] * THREADS
    assert [len(f.signatures) for f in functions] == [1] * THREADS


def check_one_signature():
    @ember.njit
    def g(a, x):
        s = 0
        for i in range(a.shape[0]):
            s += a[i] * x
        return s

    a = np.arange(100, dtype=np.int64)
    got = run_in_threads(*[lambda: g(a, 3)] * THREADS)
    assert got == [3 * 4950] * THREADS
    assert g._compiles == 1 and len(g.signatures) == 1


def check_several_signatures():
    # Two threads per signature; nogil, so calls run outside the GIL while other threads
    # compile and add entries to the same dispatcher.
    @ember.njit(nogil=True)
    def h(a, x):
        return (a * x).sum()

    arrays = [np.arange(10).astype(t) for t in (np.float64, np.float32, np.int64, np.int32)]
    scalars = [3, 3.0]
    args = [(a, x) for a in arrays for x in scalars] * 2
    got = run_in_threads(*[lambda a=a, x=x: h(a, x) for a, x in args])
    assert [float(v) for v in got] == [135.0] * THREADS
    assert h._compiles == 8 and len(h.signatures) == 8


def test_sixteen_threads_compile_sixteen_functions():
    check_different_functions()


def test_sixteen_threads_compile_one_signature_once():
    check_one_signature()


def test_sixteen_threads_compile_eight_signatures_once_each():
    check_several_signatures()


def test_first_compiles_of_a_process_from_sixteen_threads():
    # A fresh interpreter: its compiler session is made by whichever of the 16 threads of the
    # first scenario gets there first.
    source = ("import test_stress as t; t.check_different_functions(); t.check_one_signature(); "
              "t.check_several_signatures(); print('ok')")
    r = subprocess.run([sys.executable, "-c", source], capture_output=True, text=True,
                       timeout=600, cwd=Path(__file__).parent, env=dict(os.environ))
    assert r.returncode == 0 and r.stdout.strip() == "ok", \
        f"exit status {r.returncode}\n{r.stdout[-2000:]}{r.stderr[-3000:]}"


# ---- soak --------------------------------------------------------------------------------------

def rss_bytes():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def live_arrays():
    gc.collect()
    return _ember.live_meminfos()


@ember.njit
def fresh_arrays(n):
    return np.arange(n) * 2, np.empty(8)


def test_soak_resident_memory_stays_flat_over_a_million_calls():
    # Each call allocates three arrays (one a temporary) and returns two to Python, which drops
    # them.  A leak of one small array per call would be over 100 MB: 10**6 times 64 bytes of
    # data plus its header and, for a returned array, its NumPy object.
    expected = np.arange(8) * 2
    for _ in range(10_000):                # warm-up: compile, allocator pools, freelists
        fresh_arrays(8)
    live_before = live_arrays()
    rss_before = rss_bytes()
    for i in range(10**6):
        doubled, scratch = fresh_arrays(8)
        if i % 100_000 == 0:
            np.testing.assert_array_equal(doubled, expected)
            assert scratch.shape == (8,) and scratch.dtype == np.float64
    del doubled, scratch
    assert live_arrays() == live_before, "arrays made by compiled code were leaked"
    grown = rss_bytes() - rss_before
    assert grown < 16 * 2**20, f"resident memory grew by {grown / 2**20:.1f} MiB"
