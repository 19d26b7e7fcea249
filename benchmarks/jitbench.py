"""What the containers and functions sections (containers.py, functions.py) share: timing one
benchmark function's first call and its steady calls in a worker, checking its result against
CPython's, telling "this JIT does not compile that yet" apart from a real failure, and their
budgets.

These sections time CPU seconds of the worker process (``time.process_time``), not wall-clock
time: on the shared 2-core machine they were written on, other processes kept 8 or more cores'
worth of work waiting, and wall-clock time then charges a call for every time slice it waits,
which inflates a 50 ms call far more than a 1 ms one and so distorts the ratios.  Both JITs run
the benchmark functions on one thread, and the compilers' own helper threads (if any) are counted
too, since process time includes every thread.
"""
from __future__ import annotations

import statistics
import time

from harness import Budget, error_text

SPEED_BUDGET = Budget("ratio_max", 1.0, "≤ numba")
COMPILE_BUDGET = Budget("ratio_max", 0.2, "≤ 1/5 numba")
UNSUPPORTED = "unsupported: "  # how an error text says the JIT refused the function

# The compile-time refusals of each JIT (a user-facing typing or unsupported-feature error);
# anything else a function raises is a failure of the benchmark.
_REFUSALS = {
    "ember.errors": ("TypingError", "UnsupportedError"),
    "numba.core.errors": ("TypingError", "UnsupportedError", "UnsupportedBytecodeError",
                          "UnsupportedRewriteError", "LoweringError", "NumbaNotImplementedError"),
}


def is_refusal(exc: BaseException) -> bool:
    for cls in type(exc).__mro__:
        if cls.__name__ in _REFUSALS.get(cls.__module__, ()):
            return True
    return False


def compile_and_time(items: dict, key: str, fn, args: tuple, want, runs: int,
                     jitted: bool, small: tuple | None = None) -> list[float] | None:
    """items[key]: ms per steady call; items["compile." + key] (jitted only): the first call
    minus the median steady call.  With `small` (arguments of the same types as `args`, on a
    tiny input), the first call is made with those and the compile row is that first call
    minus the median small call: the compile, without the first touch of the large input's
    fresh memory (page faults that the first large call pays and later ones do not, in either
    JIT).  A refusal to compile is recorded as "unsupported: ...", a wrong result or any other
    exception as an error.  Returns the steady samples."""
    def error(text):
        items[key] = {"error": text}
        if jitted:
            items[f"compile.{key}"] = {"error": text}

    first_args = args if small is None else small
    try:
        t0 = time.process_time()
        got = fn(*first_args)
        first = time.process_time() - t0
    except Exception as exc:  # noqa: BLE001 - every failure is a table entry
        error((UNSUPPORTED if is_refusal(exc) else "") + error_text(exc))
        return None
    if small is None and got != want:
        error(f"wrong result: got {got!r}, CPython gives {want!r}")
        return None
    try:
        baseline = None
        if small is not None:
            baseline = statistics.median(cpu_time_calls(lambda: fn(*small), runs, warm=0))
            got = fn(*args)
            if got != want:
                error(f"wrong result: got {got!r}, CPython gives {want!r}")
                return None
        samples = [s * 1e3 for s in cpu_time_calls(lambda: fn(*args), runs, warm=1)]
    except Exception as exc:  # noqa: BLE001
        error(error_text(exc))
        return None
    items[key] = {"samples": samples}
    if jitted:
        base = statistics.median(samples) if baseline is None else baseline * 1e3
        items[f"compile.{key}"] = {"samples": [first * 1e3 - base]}
    return samples


def cpu_time_calls(fn, runs: int, warm: int = 1) -> list[float]:
    """CPU seconds of this process per call of ``runs`` calls, after ``warm`` untimed ones."""
    for _ in range(warm):
        fn()
    samples = []
    for _ in range(runs):
        t0 = time.process_time()
        fn()
        samples.append(time.process_time() - t0)
    return samples
