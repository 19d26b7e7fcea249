"""ember's NumPy functions written in Python (ember/npapi) against numba's, on the sizes issue 13
names: np.linalg.solve and eigh of 200 x 200 (the same LAPACK: SciPy's), np.median and
np.percentile of 10^6, np.searchsorted and np.interp of 10^6 sorted-query values.

    .venv/bin/python benchmarks/npapi_vs_numba.py [repeats]

Prints the median of `repeats` timed calls (after a warm-up call that compiles) per function and
tool, and numba's time / ember's (above 1: ember is faster).  Both run in this one process,
one after the other; BLAS/LAPACK single-threaded (OPENBLAS_NUM_THREADS=1 unless set).
"""
from __future__ import annotations

import os
import statistics
import sys
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402

import ember  # noqa: E402


def solve(a, b):
    return np.linalg.solve(a, b)


def eigh(a):
    return np.linalg.eigh(a)


def median(x):
    return np.median(x)


def percentile(x, q):
    return np.percentile(x, q)


def searchsorted(a, v):
    return np.searchsorted(a, v)


def interp(x, xp, fp):
    return np.interp(x, xp, fp)


def cases():
    rng = np.random.default_rng(0)
    a = rng.normal(size=(200, 200))
    spd = a @ a.T + 200 * np.eye(200)
    x = rng.normal(size=1_000_000)
    xp = np.sort(rng.uniform(0, 1, 1_000_000))
    q = np.array([5.0, 50.0, 95.0])
    return [("solve 200x200", solve, (spd, rng.normal(size=200))), ("eigh 200x200", eigh, (spd,)),
            ("median 1e6", median, (x,)), ("percentile 1e6 (3 q)", percentile, (x, q)),
            ("searchsorted 1e6 in 1e6", searchsorted, (xp, np.sort(rng.uniform(0, 1, 10**6)))),
            ("interp 1e6 on 1e6", interp, (np.sort(rng.uniform(0, 1, 10**6)), xp, x))]


def timed(fn, args, repeats):
    fn(*args)
    samples = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn(*args)
        samples.append(time.perf_counter() - t)
    return statistics.median(samples)


def main(argv):
    repeats = int(argv[0]) if argv else 7
    try:
        import numba
    except ImportError:
        numba = None
    print(f"{'function':28} {'ember ms':>10} {'numba ms':>10} {'numba/ember':>12}")
    for name, fn, args in cases():
        e = timed(ember.jit(fn), args, repeats)
        n = timed(numba.njit(fn), args, repeats) if numba else float("nan")
        print(f"{name:28} {e * 1e3:10.3f} {n * 1e3:10.3f} {n / e:12.2f}")


if __name__ == "__main__":
    main(sys.argv[1:])
