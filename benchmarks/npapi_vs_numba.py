"""ember's NumPy functions written in Python (ember/npapi) against numba's, on the sizes issue 13
names: np.linalg.solve and eigh of 200 x 200 (the same LAPACK: SciPy's), np.median and
np.percentile of 10^6, np.searchsorted and np.interp of 10^6 sorted-query values, and a step of
the game of life of numba's benchmark suite (bench_life: a jitted helper that increments the 8
neighbours of each live cell of a 200 x 200 board, then the rule).

    .venv/bin/python benchmarks/npapi_vs_numba.py [repeats [words: only the cases naming one]]

Prints the median CPU time (time.process_time: the machine is shared, and CPU time is what
another process's load disturbs least) of `repeats` calls (after a warm-up call that compiles)
per function and tool, and numba's time / ember's (above 1: ember is faster).  Both run in this
one process, one after the other; BLAS/LAPACK single-threaded (OPENBLAS_NUM_THREADS=1 unless
set).
"""
from __future__ import annotations

import os
import statistics
import sys
import time
import types

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


def life_wrap(k, max_k):
    if k == -1:
        return max_k - 1
    elif k == max_k:
        return 0
    return k


def life_increment_neighbors(i, j, neighbors):
    ni, nj = neighbors.shape
    for delta_i in (-1, 0, 1):
        ii = life_wrap(i + delta_i, ni)
        for delta_j in (-1, 0, 1):
            if delta_i != 0 or delta_j != 0:
                jj = life_wrap(j + delta_j, nj)
                neighbors[ii, jj] += 1


def life_step(X):
    neighbors = np.zeros_like(X, dtype=np.int8)
    for i in range(X.shape[0]):
        for j in range(X.shape[1]):
            if X[i, j]:
                life_increment_neighbors(i, j, neighbors)
    output = np.zeros_like(X, dtype=np.uint8)
    for i in range(X.shape[0]):
        for j in range(X.shape[1]):
            if X[i, j]:
                if neighbors[i, j] in (2, 3):
                    output[i, j] = 1
            elif neighbors[i, j] == 3:
                output[i, j] = 1
    return output


def life_for(jit):
    """life_step with its helpers compiled by `jit` (numba's calls only numba's, ember's
    ember's), as the benchmark suite writes them: module-level functions."""
    scope = {"np": np}
    for fn in (life_wrap, life_increment_neighbors, life_step):
        scope[fn.__name__] = jit(types.FunctionType(fn.__code__, scope, fn.__name__))
    return scope["life_step"]


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
            ("interp 1e6 on 1e6", interp, (np.sort(rng.uniform(0, 1, 10**6)), xp, x)),
            ("life step 200x200", "life", ((rng.random((200, 200)) > 0.8).astype(np.uint8),))]


def timed(fn, args, repeats):
    fn(*args)
    samples = []
    for _ in range(repeats):
        t = time.process_time()
        fn(*args)
        samples.append(time.process_time() - t)
    return statistics.median(samples)


def main(argv):
    repeats = int(argv[0]) if argv else 7
    try:
        import numba
    except ImportError:
        numba = None
    print(f"{'function':28} {'ember ms':>10} {'numba ms':>10} {'numba/ember':>12}")
    selected = argv[1:]
    for name, fn, args in cases():
        if selected and not any(word in name for word in selected):
            continue
        if fn == "life":
            e = timed(life_for(ember.jit), args, repeats)
            n = timed(life_for(numba.njit), args, repeats) if numba else float("nan")
        else:
            e = timed(ember.jit(fn), args, repeats)
            n = timed(numba.njit(fn), args, repeats) if numba else float("nan")
        print(f"{name:28} {e * 1e3:10.3f} {n * 1e3:10.3f} {n / e:12.2f}")


if __name__ == "__main__":
    main(sys.argv[1:])
