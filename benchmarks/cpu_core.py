"""The "CPU JIT core" section of benchmarks/vs_numba.py: import time, compile time (first in a
process and steady), call overhead, saxpy/sum throughput with copy/triad bandwidth ceilings, and
an n-body step, ember against numba (and NumPy's kernels where there is one).
"""
from __future__ import annotations

import math
import re
import time

from harness import (
    JITS,
    PYCACHE,
    Budget,
    Context,
    Error,
    Report,
    Row,
    Runner,
    call_overhead_ns,
    gbs,
    guarded,
    load_jit,
    section,
    time_calls,
    worker_task,
)

# =================================================================================================
# Benchmark functions (compiled inside the workers; plain Python here)
# =================================================================================================

def saxpy(a, x, y, out):
    for i in range(x.shape[0]):
        out[i] = a * x[i] + y[i]


def sum_loop(x):
    s = 0.0
    for i in range(x.shape[0]):
        s += x[i]
    return s


def nbody_step(pos, mass, acc, eps2):
    """The O(n^2) gravitational acceleration of every body, written into acc."""
    n = pos.shape[0]
    for i in range(n):
        xi = pos[i, 0]
        yi = pos[i, 1]
        zi = pos[i, 2]
        ax = 0.0
        ay = 0.0
        az = 0.0
        for j in range(n):
            if j == i:
                continue
            dx = pos[j, 0] - xi
            dy = pos[j, 1] - yi
            dz = pos[j, 2] - zi
            r2 = dx * dx + dy * dy + dz * dz + eps2
            inv_r = 1.0 / math.sqrt(r2)
            s = mass[j] * inv_r * inv_r * inv_r
            ax += dx * s
            ay += dy * s
            az += dz * s
        acc[i, 0] = ax
        acc[i, 1] = ay
        acc[i, 2] = az


def mixed(x, n, tol):
    """Branches, while loops, math calls and a tuple return."""
    lo = x[0]
    hi = x[0]
    total = 0.0
    steps = 0
    for i in range(x.shape[0]):
        v = x[i]
        if v < lo:
            lo = v
        elif v > hi:
            hi = v
        a = abs(v) + 1.0
        g = a
        it = 0
        while abs(g * g - a) > tol * a and it < 50:
            g = 0.5 * (g + a / g)
            it += 1
        steps += it
        total += g * math.exp(-v * v) + math.log1p(abs(v))
    k = n
    count = 0
    while k != 1 and count < 1000:
        if k % 2 == 0:
            k = k // 2
        else:
            k = 3 * k + 1
        count += 1
    mean = total / x.shape[0] if x.shape[0] > 0 else 0.0
    return mean, lo, hi, steps + count


def warmup(x, limit):
    """Compiled first in the steady-state processes, so the compiler is loaded and warm."""
    count = 0
    for i in range(x.shape[0]):
        if x[i] > limit:
            count += 1
    return count


def add(a, b):
    return a + b


def first(a):
    return a[0]


def copy_loop(dst, src):
    for i in range(src.shape[0]):
        dst[i] = src[i]


def triad(a, b, c, s):
    for i in range(a.shape[0]):
        a[i] = b[i] + s * c[i]


COMPILE_FUNCS = {"saxpy": saxpy, "sum": sum_loop, "nbody": nbody_step, "mixed": mixed}
COMPILE_ORDER = ("saxpy", "sum", "nbody", "mixed")


def small_inputs(name, np):
    """The (small) arguments of the first call that compiles ``name``."""
    rng = np.random.default_rng(42)
    if name == "saxpy":
        return (2.5, rng.random(1000), rng.random(1000), np.empty(1000))
    if name == "sum":
        return (rng.random(1000),)
    if name == "nbody":
        return (rng.standard_normal((64, 3)), rng.random(64), np.zeros((64, 3)), 0.01)
    if name == "mixed":
        return (rng.standard_normal(1000), 27, 1e-12)
    if name == "warmup":
        return (rng.random(1000), 0.5)
    raise KeyError(name)


# =================================================================================================
# Worker side
# =================================================================================================

def check_same(name, got, want, np):
    if isinstance(want, tuple):
        if not isinstance(got, tuple) or len(got) != len(want):
            raise AssertionError(f"{name}: got {got!r}, Python gives {want!r}")
        for g, w in zip(got, want):
            check_same(name, g, w, np)
    elif want is not None and not np.allclose(got, want, rtol=1e-9, atol=1e-12):
        raise AssertionError(f"{name}: got {got!r}, Python gives {want!r}")


@worker_task("compile_cold")
def task_compile_cold(tool: str, name: str) -> dict:
    """Decorate + first call of one function, the first one compiled in this process."""
    import numpy as np
    jit = load_jit(tool)
    fn = COMPILE_FUNCS[name]
    args = small_inputs(name, np)
    t0 = time.perf_counter()
    jit(fn)(*args)
    elapsed = time.perf_counter() - t0
    return {f"compile_cold.{name}": {"samples": [elapsed * 1e3]}}


@worker_task("compile_steady")
def task_compile_steady(tool: str) -> dict:
    """Compiles ``warmup`` first, then the four functions in COMPILE_ORDER, each timed."""
    import numpy as np
    jit = load_jit(tool)
    items: dict = {}
    t0 = time.perf_counter()
    jit(warmup)(*small_inputs("warmup", np))
    items["compile_steady.warmup"] = {"samples": [(time.perf_counter() - t0) * 1e3]}
    for name in COMPILE_ORDER:
        def one(name=name):
            fn = COMPILE_FUNCS[name]
            args = small_inputs(name, np)
            t0 = time.perf_counter()
            jitted = jit(fn)
            got = jitted(*args)
            elapsed = time.perf_counter() - t0
            # The check runs after the timing: the jitted result against the Python one.
            py_args = small_inputs(name, np)
            want = fn(*py_args)
            if name == "saxpy":
                got, want = args[3], py_args[3]
            elif name == "nbody":
                got, want = args[2], py_args[2]
            check_same(name, got, want, np)
            return [elapsed * 1e3]
        guarded(items, f"compile_steady.{name}", one)
    return items


@worker_task("runtime")
def task_runtime(tool: str, n: int = 10_000_000, runs: int = 7) -> dict:
    """Call overhead, saxpy/sum throughput, copy/triad ceilings and an n-body step."""
    import numpy as np
    items: dict = {}
    rng = np.random.default_rng(0)
    x = rng.random(n)
    y = rng.random(n)
    out = np.empty(n)
    a = 2.5

    if tool == "numpy":  # the references: plain Python calls and NumPy's own kernels
        guarded(items, "overhead.scalar", lambda: call_overhead_ns(add, "1, 2.0", {}))
        arr = np.ones(10)
        guarded(items, "overhead.array", lambda: call_overhead_ns(first, "a", {"a": arr}))

        def np_saxpy():
            np.multiply(a, x, out)
            np.add(out, y, out)

        def np_triad():
            np.multiply(y, a, out)
            np.add(out, x, out)

        guarded(items, "gbs.saxpy", lambda: gbs(24 * n, time_calls(np_saxpy, runs)))
        guarded(items, "gbs.sum", lambda: gbs(8 * n, time_calls(x.sum, runs)))
        guarded(items, "gbs.copy", lambda: gbs(16 * n, time_calls(lambda: np.copyto(out, x),
                                                                     runs)))
        guarded(items, "gbs.triad", lambda: gbs(24 * n, time_calls(np_triad, runs)))
        return items

    jit = load_jit(tool)
    guarded(items, "overhead.scalar", lambda: call_overhead_ns(jit(add), "1, 2.0", {}))
    arr = np.ones(10)
    guarded(items, "overhead.array", lambda: call_overhead_ns(jit(first), "a", {"a": arr}))

    j_saxpy = jit(saxpy)
    guarded(items, "gbs.saxpy",
            lambda: gbs(24 * n, time_calls(lambda: j_saxpy(a, x, y, out), runs)))
    if "error" not in items["gbs.saxpy"] and not np.allclose(out, a * x + y):
        items["gbs.saxpy"] = {"error": "saxpy gave a wrong result"}
    j_sum = jit(sum_loop)
    guarded(items, "gbs.sum", lambda: gbs(8 * n, time_calls(lambda: j_sum(x), runs)))
    j_copy = jit(copy_loop)
    guarded(items, "gbs.copy", lambda: gbs(16 * n, time_calls(lambda: j_copy(out, x), runs)))
    j_triad = jit(triad)
    guarded(items, "gbs.triad",
            lambda: gbs(24 * n, time_calls(lambda: j_triad(out, x, y, a), runs)))

    nb = 1024
    pos = rng.standard_normal((nb, 3))
    mass = rng.random(nb)
    acc = np.zeros((nb, 3))
    j_nbody = jit(nbody_step)
    guarded(items, "time.nbody",
            lambda: [s * 1e3 for s in time_calls(lambda: j_nbody(pos, mass, acc, 0.01), 7)])

    if tool == "ember":
        def vectorized():
            asm = j_saxpy.inspect_asm()
            text = asm if isinstance(asm, str) else "\n".join(asm.values())
            packed = sorted(set(re.findall(r"\bv?(?:mul|add|fmadd\w*)pd\b[^\n]*", text)))
            ymm = any("%ymm" in line or "%zmm" in line for line in packed)
            return {"value": "yes" if packed else "no", "wide": ymm}
        guarded(items, "saxpy_vectorized", vectorized)
    return items


# ---- section: CPU JIT core ------------------------------------------------------------------

COLD_REPS = 3
STEADY_REPS = 5
IMPORT_REPS = 5
RUNTIME_REPS = 5  # processes per tool, alternating ember, numba, numpy
RUNTIME_KEYS = ("overhead.scalar", "overhead.array", "gbs.saxpy", "gbs.sum", "gbs.copy",
                "gbs.triad", "time.nbody")


def describe_cpu_core(ctx: Context, report: Report) -> list[str]:
    return [
        "What each row is:",
        "",
        f"* **import**: `import ember` / `import numba` in a fresh interpreter that has already "
        f"imported NumPy; median of {IMPORT_REPS} processes.",
        f"* **compile, first in process**: decorating and calling the function once on small "
        f"inputs (compile + one run), as the first function compiled in a fresh process with the "
        f"tool already imported, so it includes loading the compiler; each function in its own "
        f"processes, median of {COLD_REPS}.",
        f"* **compile, steady**: the same, in fresh processes that first compile a warm-up "
        f"function and then the four in the fixed order saxpy, sum, n-body, mixed; median of "
        f"{STEADY_REPS} processes.  These processes also check each result against plain Python.",
        "* **call overhead**: a warm call `f(1, 2.0)` returning `a + b` and `g(a)` returning "
        "`a[0]` of a 10-element float64 array, timed by `timeit` (200,000 calls, 7 repeats, "
        f"{RUNTIME_REPS} processes; median ns per call).  The numpy column has the same call of "
        "the plain Python function.",
        "* **throughput**: 10^7 float64, 7 runs after 2 warm-up runs in each of "
        f"{RUNTIME_REPS} processes per tool (ember, numba and numpy processes alternate, so a "
        "burst of load from elsewhere hits all of them); median of all runs.  GB/s count 24 "
        "bytes/element for saxpy and triad (`a[i] = b[i] + s*c[i]`), 16 for copy and 8 for sum, "
        "whatever the kernel really moves.  "
        "NumPy's saxpy is `np.multiply(a, x, out); np.add(out, y, out)`, its sum `x.sum()`, its "
        "copy `np.copyto`, its triad a multiply and an add, so two passes where the loops make "
        "one.  **The copy and triad rows compiled with ember are the single-thread memory "
        "bandwidth ceiling** for the saxpy and sum rows.  The byte counts leave out the "
        "write-allocate read of the destination (the loops use ordinary stores), so copy really "
        "moves 24 bytes/element and saxpy and triad 32: saxpy is to be compared with the triad "
        "row, and may read higher than the copy row.  `np.copyto` is memcpy with non-temporal "
        "stores, hence its higher figure.  The sum loop is a strict sequential float reduction "
        "(no fastmath) in both JITs, so it is bound by add latency, not memory.",
        "* **n-body step**: one O(n^2) acceleration pass, n = 1024, median of 7 runs.",
        f"* Workers run with bytecode caching on (`PYTHONPYCACHEPREFIX={PYCACHE}`, filled by "
        "one untimed process per tool first), so neither tool is charged for compiling its own "
        "Python source.",
        "* **ember/numba** is the ratio of the medians: below 1 is better for times, above 1 for "
        "GB/s.  Budgets come from the issue (for a 2-core machine): every compile at most 1/5 of "
        "numba's, call overhead at most numba's, saxpy at least numba's throughput, import on top "
        "of NumPy at most 50 ms.",
    ]


@section("cpu-core", "CPU JIT core", describe_cpu_core)
def run_cpu_core(ctx: Context) -> Report:
    r = ctx.runner()
    jits = [t for t in JITS if t in ctx.tools]
    ctx.log(f"  import time: {IMPORT_REPS} fresh processes per tool")
    for _ in range(ctx.reps(IMPORT_REPS)):
        for tool in jits:
            r.import_probe(tool)
    ctx.log(f"  compile, first in process: {COLD_REPS} processes per function and tool")
    for _ in range(ctx.reps(COLD_REPS)):
        for name in COMPILE_ORDER:
            for tool in jits:
                r.worker(tool, "compile_cold", name, keys=(f"compile_cold.{name}",))
    ctx.log(f"  compile, steady: {STEADY_REPS} processes per tool")
    for _ in range(ctx.reps(STEADY_REPS)):
        for tool in jits:
            r.worker(tool, "compile_steady",
                     keys=tuple(f"compile_steady.{k}" for k in ("warmup", *COMPILE_ORDER)))
    ctx.log(f"  call overhead and throughput: {RUNTIME_REPS} processes per tool")
    size = [10**6, 3] if ctx.quick else []  # n and runs per process
    for _ in range(ctx.reps(RUNTIME_REPS)):
        for tool in (*jits, "numpy"):
            r.worker(tool, "runtime", *size, keys=RUNTIME_KEYS)

    compile_budget = Budget("ratio_max", 0.2, "≤ 1/5 numba")
    labels = {"saxpy": "saxpy", "sum": "sum loop", "nbody": "n-body step", "mixed": "mixed"}
    rows = [Row("import", "import on top of NumPy", "ms",
                Budget("abs_max", 50.0, "≤ 50 ms"), reference="")]
    rows += [Row(f"compile_cold.{k}", f"compile, first in process: {labels[k]}", "ms",
                 compile_budget, reference="") for k in COMPILE_ORDER]
    rows += [Row(f"compile_steady.{k}", f"compile, steady: {labels[k]}", "ms",
                 compile_budget, reference="") for k in COMPILE_ORDER]
    rows += [
        Row("overhead.scalar", "call overhead f(1, 2.0)", "ns",
            Budget("ratio_max", 1.0, "≤ numba"), digits=0),
        Row("overhead.array", "call overhead g(a)", "ns",
            Budget("ratio_max", 1.0, "≤ numba"), digits=0),
        Row("gbs.saxpy", "saxpy 10^7 float64", "GB/s", Budget("ratio_min", 1.0, "≥ numba")),
        Row("gbs.sum", "sum loop 10^7 float64", "GB/s"),
        Row("time.nbody", "n-body step n=1024", "ms", reference=""),
        Row("gbs.copy", "ceiling: copy loop 10^7", "GB/s"),
        Row("gbs.triad", "ceiling: triad loop 10^7", "GB/s"),
    ]
    report = Report(rows, r)

    # Plausibility checks, reported under the table.
    ceiling = [r.value(k, "ember") for k in ("gbs.copy", "gbs.triad")]
    ceiling = max((c for c in ceiling if not isinstance(c, Error)), default=None)
    for tool in jits:
        for key in ("gbs.saxpy", "gbs.sum"):
            v = r.value(key, tool)
            if ceiling and not isinstance(v, Error) and v > 1.15 * ceiling:
                report.warnings.append(f"{tool} {key} = {v:.1f} GB/s is above the measured "
                                       f"ceiling {ceiling:.1f} GB/s: the ceiling looks low")
        for row in rows:
            v = r.value(row.key, tool)
            if row.unit == "ms" and row.key.startswith("compile") and not isinstance(v, Error):
                if not 0.05 <= v <= 20_000:
                    report.warnings.append(f"{tool} {row.key} = {v:.3f} ms looks implausible")
    e, n = r.value("gbs.saxpy", "ember"), r.value("gbs.saxpy", "numba")
    if not isinstance(e, Error) and not isinstance(n, Error) and e < 0.8 * n:
        report.warnings.append(f"ember's saxpy runs at {e / n:.2f}x numba's throughput")
    vec = r.extra.get(("saxpy_vectorized", "ember"))
    if vec:
        width = " (256-bit or wider registers)" if vec.get("wide") else ""
        report.notes.append(f"ember's saxpy loop has packed double-precision arithmetic in its "
                            f"assembly (`inspect_asm`): {vec['value']}{width}.")
    report.add_load_notes()
    warm = [r.value("compile_steady.warmup", t) for t in jits]
    if all(not isinstance(w, Error) for w in warm) and len(warm) == 2:
        report.notes.append(f"The warm-up compile in the steady processes took {warm[0]:.1f} ms "
                            f"with ember and {warm[1]:.1f} ms with numba (median).")
    return report


def prime(runner: Runner) -> None:
    """One untimed process per JIT: fills the bytecode cache and the OS file cache."""
    for tool in JITS:
        runner.worker(tool, "compile_steady")
