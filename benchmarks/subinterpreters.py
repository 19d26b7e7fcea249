"""Sub-interpreters (PEP 684, issue 14 item 4): a compute-bound jitted loop run by 2 interpreters
at once against 1, each interpreter with its own GIL, the code compiled once by the main one.

    .venv-py313/bin/python benchmarks/subinterpreters.py [--n 400000] [--repeats 5]

(after `make test-py313-core`, which builds ember's modules for pyenv's 3.13 in build-py313:
EMBER_NATIVE_DIR=build-py313/native PYTHONPATH=.).  The speedup is 2 x the time of one
interpreter's run over the time of two running at once (twice the work): 2.0 is perfect on 2
free cores.  Beside it, the same two calls from two threads of the main interpreter, where a
jitted function without nogil=True holds the GIL: no speedup there.  The load average is printed
with the figures: other processes on the machine take cores from the second interpreter.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
KERNELS = os.path.join(ROOT, "tests", "python")
sys.path[:0] = [KERNELS, ROOT]

try:
    import _interpreters as interps  # 3.13
except ImportError:
    try:
        import _xxsubinterpreters as interps  # 3.12
    except ImportError:
        sys.exit("this CPython has no interpreters module")
if sys.version_info < (3, 12):
    sys.exit("interpreters with their own GIL need CPython 3.12 or newer")

import subinterp_kernels as k  # noqa: E402


def create():
    if hasattr(interps, "new_config"):
        return interps.create(interps.new_config("isolated"))
    return interps.create(isolated=True)


def run(iid, code):
    if hasattr(interps, "new_config"):
        info = interps.exec(iid, code)
        if info is not None:
            raise RuntimeError(f"{info.type.__name__}: {info.msg}")
    else:
        interps.run_string(iid, code)


def timed_threads(targets):
    threads = [threading.Thread(target=t) for t in targets]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - start


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=400_000, help="count the primes below n")
    ap.add_argument("--repeats", type=int, default=5)
    args = ap.parse_args()
    expected = k.count_primes(args.n)  # compiles here, once for the process
    ids = [create(), create()]
    setup = f"import sys\nsys.path[:0] = {[KERNELS, ROOT]!r}\nimport subinterp_kernels as k\n"
    for iid in ids:
        run(iid, setup + f"assert k.count_primes({args.n}) == {expected}\n")  # warm
    work = f"k.count_primes({args.n})\n"
    one, two, main_two = [], [], []
    for _ in range(args.repeats):
        one.append(timed_threads([lambda: run(ids[0], work)]))
        two.append(timed_threads([lambda i=i: run(i, work) for i in ids]))
        main_two.append(timed_threads([lambda: k.count_primes(args.n)] * 2))
    for iid in ids:
        interps.destroy(iid)
    t1, t2, tm = (statistics.median(x) for x in (one, two, main_two))
    load = os.getloadavg()
    print(
        f"python {sys.version.split()[0]}, {os.cpu_count()} cores, load average "
        f"{load[0]:.1f} {load[1]:.1f} {load[2]:.1f}; count_primes({args.n}), medians of "
        f"{args.repeats}"
    )
    print(f"1 sub-interpreter:            {t1 * 1e3:8.1f} ms")
    print(
        f"2 sub-interpreters at once:   {t2 * 1e3:8.1f} ms   speedup {2 * t1 / t2:.2f}x "
        "(budget >= 1.8x on 2 cores)"
    )
    print(
        f"2 main-interpreter threads:   {tm * 1e3:8.1f} ms   speedup {2 * t1 / tm:.2f}x "
        "(the GIL held: no nogil=True)"
    )


if __name__ == "__main__":
    main()
