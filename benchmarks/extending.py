"""The "Extending: @cfunc, @jitclass and @stencil" section of benchmarks/vs_numba.py (issue 15):
``scipy.integrate.quad`` over a compiled ``@cfunc`` integrand (through ``LowLevelCallable``),
a ``@jitclass`` method called in a loop, and a 2-D five-point ``@stencil`` called from a
jitted function, serially and under ``parallel=True``; ember against numba, with CPython (a
Python integrand, a plain class, NumPy slicing) for reference.

A row a JIT does not compile yet is shown as "unsupported" with the JIT's own message, not as a
failure of the run.
"""
from __future__ import annotations

import math
import time

from harness import JITS, Context, Report, Row, error_text, section, worker_task
from jitbench import SPEED_BUDGET, UNSUPPORTED, cpu_time_calls, is_refusal

EXT_REPS = 5  # processes per tool, alternating ember, numba, CPython
QUAD_CALLS = 200  # quad calls per sample
METHOD_N = 1_000_000  # method calls per loop
STENCIL_SHAPE = (1000, 1000)
RUNS = 7
PY_SCALE = 10  # the plain-Python method loop runs 1/10 of the calls (the row is per call)


# =================================================================================================
# Benchmark functions (compiled inside the workers; plain Python here)
# =================================================================================================

def integrand(x):
    return math.exp(-x * x) * math.cos(3.0 * x)


def method_loop(acc, a):
    for i in range(a.shape[0]):
        acc.add(a[i])
    return acc.total


class Accumulator:
    def __init__(self):
        self.count = 0
        self.total = 0.0

    def add(self, x):
        self.count += 1
        self.total += x


def laplacian(a):
    return a[-1, 0] + a[1, 0] + a[0, -1] + a[0, 1] - 4.0 * a[0, 0]


def laplacian_numpy(a):
    out = __import__("numpy").zeros_like(a)
    out[1:-1, 1:-1] = (a[:-2, 1:-1] + a[2:, 1:-1] + a[1:-1, :-2] + a[1:-1, 2:]
                       - 4.0 * a[1:-1, 1:-1])
    return out


# =================================================================================================
# Worker side
# =================================================================================================

def _jit_parts(tool: str):
    """(njit, cfunc, jitclass, stencil, int64, float64) of a JIT."""
    if tool == "ember":
        import ember
        from ember import types
        return ember.njit, ember.cfunc, ember.jitclass, ember.stencil, types.int64, types.float64
    import numba
    from numba.experimental import jitclass
    return numba.njit, numba.cfunc, jitclass, numba.stencil, numba.int64, numba.float64


def _record(items: dict, key: str, run) -> None:
    """items[key] = the samples run() returns, or why it could not run."""
    try:
        items[key] = {"samples": run()}
    except Exception as exc:  # noqa: BLE001 - every failure is a table entry
        items[key] = {"error": (UNSUPPORTED if is_refusal(exc) else "") + error_text(exc)}


def wall_time_calls(fn, runs: int, warm: int = 1) -> list[float]:
    """Wall-clock seconds per call (a parallel call's CPU time sums its threads)."""
    for _ in range(warm):
        fn()
    samples = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t0)
    return samples


@worker_task("extending")
def task_extending(tool: str, quad_calls: int = QUAD_CALLS, method_n: int = METHOD_N,
                   rows: int = STENCIL_SHAPE[0], runs: int = RUNS) -> dict:
    import numpy as np
    from scipy import LowLevelCallable
    from scipy.integrate import quad

    items: dict = {}
    jitted = tool in JITS
    want_quad = quad(integrand, 0.0, 10.0, limit=200)[0]
    rng = np.random.default_rng(7)
    a = rng.random(method_n if jitted else method_n // PY_SCALE)
    want_total = float(a.sum())
    grid = rng.random((rows, STENCIL_SHAPE[1]))
    want_grid = laplacian_numpy(grid)

    def check_close(got, want, what):
        if abs(got - want) > 1e-9 * abs(want):
            raise AssertionError(f"wrong {what}: got {got!r}, CPython gives {want!r}")

    if not jitted:
        integrate = lambda: quad(integrand, 0.0, 10.0, limit=200)[0]  # noqa: E731
        loop = lambda: method_loop(Accumulator(), a)  # noqa: E731
        stencil = lambda: laplacian_numpy(grid)  # noqa: E731
        stencil_par = stencil
    else:
        njit, cfunc, jitclass, stencil_deco, int64, float64 = _jit_parts(tool)
        cf = None

        def build_quad():
            nonlocal cf
            cf = cfunc("float64(float64)")(integrand)
            llc = LowLevelCallable(cf.ctypes)
            return lambda: quad(llc, 0.0, 10.0, limit=200)[0]

        try:
            integrate = build_quad()
        except Exception as exc:  # noqa: BLE001
            integrate = exc
        try:
            acc_cls = jitclass([("count", int64), ("total", float64)])(
                type("Accumulator", (), {"__init__": Accumulator.__init__,
                                         "add": Accumulator.add}))
            j_loop = njit(method_loop)
            loop = lambda: j_loop(acc_cls(), a)  # noqa: E731
        except Exception as exc:  # noqa: BLE001
            loop = exc
        try:
            kernel = stencil_deco(laplacian)
            apply = njit(with_globals(apply_stencil, kernel=kernel))
            apply_par = njit(parallel=True)(with_globals(apply_stencil, kernel=kernel))
            stencil = lambda: apply(grid)  # noqa: E731
            stencil_par = lambda: apply_par(grid)  # noqa: E731
        except Exception as exc:  # noqa: BLE001
            stencil = stencil_par = exc

    def timed(fn, check, per, clock=cpu_time_calls):
        def run():
            if isinstance(fn, Exception):
                raise fn
            check(fn())
            return [s * per for s in clock(fn, runs, warm=1)]
        return run

    def check_grid(got):
        if not np.allclose(got, want_grid, rtol=1e-12, atol=1e-12):
            raise AssertionError("the stencil's result differs from NumPy slicing")

    _record(items, "quad", timed(
        (lambda: [integrate() for _ in range(quad_calls)][-1])
        if not isinstance(integrate, Exception) else integrate,
        lambda got: check_close(got, want_quad, "integral"), 1e6 / quad_calls))
    n_calls = a.shape[0]
    _record(items, "method", timed(loop, lambda got: check_close(got, want_total, "total"),
                                   1e9 / n_calls))
    _record(items, "stencil", timed(stencil, check_grid, 1e3))
    _record(items, "stencil.parallel", timed(stencil_par, check_grid, 1e3,
                                             clock=wall_time_calls))
    return items


def apply_stencil(a):
    return kernel(a)  # noqa: F821 - a global of each JIT's copy (with_globals)


def with_globals(fn, **names):
    """fn with some of its globals replaced (a caller of a JIT's stencil)."""
    return type(fn)(fn.__code__, {**fn.__globals__, **names}, fn.__name__)


# =================================================================================================
# Parent side
# =================================================================================================

KEYS = ("quad", "method", "stencil", "stencil.parallel")
LABELS = {
    "quad": "`scipy.integrate.quad` of a compiled integrand (CPython: a Python one)",
    "method": "jitclass method call `acc.add(a[i])` in a loop",
    "stencil": "2-D five-point `@stencil`, 1000x1000, from a jitted function",
    "stencil.parallel": "the same under `parallel=True` (wall-clock time)",
}
UNITS = {"quad": "us/quad", "method": "ns/call", "stencil": "ms", "stencil.parallel": "ms"}
BUDGETS = {"quad": None, "method": SPEED_BUDGET, "stencil": SPEED_BUDGET,
           "stencil.parallel": SPEED_BUDGET}


def describe_extending(ctx: Context, report: Report) -> list[str]:
    return [
        "What each row is:",
        "",
        f"* Each process builds and warms every case once, then times {RUNS} calls; "
        f"{EXT_REPS} processes per tool, ember, numba and CPython processes alternating.  "
        "Times are **CPU time** of the worker process (`time.process_time`), not wall-clock "
        "time, except the parallel stencil row, whose CPU time would add its threads' "
        "together (it is wall-clock time, so load from other processes shows in it fully).  "
        "Median of all calls.  Every result is checked against CPython's (the stencil's "
        "against NumPy slicing).",
        f"* **quad**: `quad(LowLevelCallable(cf.ctypes), 0, 10, limit=200)` where `cf` is "
        "`@cfunc('float64(float64)')` of `exp(-x*x) * cos(3x)`, timed over "
        f"{QUAD_CALLS} calls per sample; the **numpy** column passes the Python function "
        "itself.  Both JITs hand SciPy a C function pointer, so the row measures the "
        "integrand's code and the cost of SciPy's call through the pointer.",
        f"* **method**: `for i in range(n): acc.add(a[i])` over {METHOD_N:,} float64 where "
        "`add` does `self.count += 1; self.total += x` on a `@jitclass` with fields "
        f"`count: int64, total: float64`; the **numpy** column is a plain Python class on "
        f"1/{PY_SCALE} of the calls (the row is per call).",
        "* **stencil**: `@stencil` of `a[-1, 0] + a[1, 0] + a[0, -1] + a[0, 1] - 4.0 * a[0, 0]` "
        "called from a jitted `apply(a)` on a 1000x1000 float64 array (a new output array "
        "per call, zero border); the **numpy** column is the same with slicing.  The "
        "parallel row compiles `apply` with `parallel=True`.",
        "* Budgets (issue 15): the method call and both stencil rows at least as fast as "
        "numba; quad has none (the integrand is too cheap for the JIT to matter much).",
        "* **Loaded host**: these figures come from a 2-core machine shared with several "
        "other agents' C++ builds and tests (see the load note); single numbers move by "
        "several percent between runs, and the parallel row by more.",
    ]


@section("extending", "Extending: @cfunc, @jitclass and @stencil", describe_extending)
def run_extending(ctx: Context) -> Report:
    r = ctx.runner()
    jits = [t for t in JITS if t in ctx.tools]
    args = [20, 100_000, 200, 2] if ctx.quick else []
    ctx.log(f"  extending: {ctx.reps(EXT_REPS)} processes per tool")
    for _ in range(ctx.reps(EXT_REPS)):
        for tool in (*jits, "numpy"):
            r.worker(tool, "extending", *args, keys=KEYS)
    rows = [Row(key, LABELS[key], UNITS[key], BUDGETS[key], digits=2) for key in KEYS]
    report = Report(rows, r)
    report.add_load_notes()
    return report

