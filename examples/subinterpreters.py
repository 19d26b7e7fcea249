"""Jitted code run by two sub-interpreters at once (PEP 684/734), each with its own GIL.

The main interpreter compiles; the sub-interpreters import this same module and call the code it
compiled, with numbers and with buffers (array.array, memoryview) in place of NumPy arrays, since
NumPy cannot load there.  Run:  python examples/subinterpreters.py   (3.12+ for a GIL per
interpreter; on 3.11 the interpreters share one GIL, so the results agree but nothing overlaps).
"""

import ember

# The sub-interpreters import this module too: what only main() needs is imported there (a
# sub-interpreter that imported `threading` in a thread which then ended waits for it forever
# when the interpreter is destroyed, on 3.11).


@ember.njit
def count_primes(lo, hi):
    count = 0
    for k in range(max(lo, 2), hi):
        d = 2
        while d * d <= k and k % d != 0:
            d += 1
        if d * d > k:
            count += 1
    return count


@ember.njit
def dot(a, b):
    s = 0.0
    for i in range(a.shape[0]):
        s += a[i] * b[i]
    return s


SUB = """
import array, json, sys
sys.path.insert(0, {here!r})
import subinterpreters as k          # this file, as a module: the main interpreter's code
lo, hi = {lo}, {hi}
x = array.array("d", range(lo, lo + 1000))
result = {{"primes": k.count_primes(lo, hi), "dot": k.dot(x, x)}}
with open({out!r}, "w") as f:
    json.dump(result, f)
"""


def interpreters():
    """create() and run(id, code) of the running CPython's interpreters module."""
    try:
        import _interpreters as interps  # 3.13

        return lambda: interps.create(interps.new_config("isolated")), interps.exec, interps
    except ImportError:
        import _xxsubinterpreters as interps  # 3.11, 3.12

        return interps.create, interps.run_string, interps


def main():
    import json
    import os
    import sys
    import tempfile
    import threading
    import time

    import numpy as np

    here = os.path.dirname(os.path.abspath(__file__))
    sys.path.insert(0, here)
    import subinterpreters as k  # the module the sub-interpreters import: one code key

    n = 400_000
    k.count_primes(0, 10)  # compile in the main interpreter: (int64, int64)
    k.dot(np.ones(2), np.ones(2))  # array(float64, 1d, C) twice
    create, run, interps = interpreters()
    chunks = [(0, n // 2), (n // 2, n)]
    with tempfile.TemporaryDirectory() as tmp:
        outs = [os.path.join(tmp, f"{i}.json") for i in range(2)]
        codes = [SUB.format(here=here, lo=lo, hi=hi, out=o) for (lo, hi), o in zip(chunks, outs)]
        ids = [create() for _ in codes]
        start = time.perf_counter()
        threads = [threading.Thread(target=run, args=(i, c)) for i, c in zip(ids, codes)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.perf_counter() - start
        for i in ids:
            interps.destroy(i)
        results = []
        for o in outs:
            with open(o) as f:
                results.append(json.load(f))
    total = sum(r["primes"] for r in results)
    print(f"primes below {n}: {total} (main interpreter: {k.count_primes(0, n)})")
    for (lo, _), r in zip(chunks, results):
        x = np.arange(lo, lo + 1000, dtype=np.float64)
        print(f"  from {lo}: dot {r['dot']:.0f} (NumPy: {x @ x:.0f})")
    print(f"two sub-interpreters: {elapsed * 1e3:.0f} ms")


if __name__ == "__main__":
    main()
