"""The "Parallel loops, ufuncs and vector math" section of benchmarks/vs_numba.py: prange speedup
and bandwidth, the cost of an empty parallel region, @vectorize ufuncs against NumPy's, and loops
of exp and sin (vector math), ember against numba and NumPy.
"""
from __future__ import annotations

import re
import statistics
import threading
import timeit
from functools import partial

import numpy as np
from cpu_core import triad
from harness import (
    JITS,
    Budget,
    Context,
    OtherWork,
    Report,
    Row,
    gbs,
    guarded,
    load_jit,
    load_module,
    section,
    time_calls,
    worker_task,
)

PARALLEL_REPS = 5  # processes per tool, alternating ember, numba, numpy
THREADS = 2
COMPUTE_N = 200_000  # elements of the compute-bound loop
COMPUTE_K = 100  # its inner iterations: 2 flops each
BUSY_CORES = 0.15  # other work above this many cores makes a speedup verdict unreliable
BYTES_3 = 32  # 2 reads + 1 write + the write-allocate read of the destination
VM_FUNCS = ("exp", "sin")
VM_TYPES = ("float64", "float32")
VM_LIBRARY_ENV = "EMBER_VECTOR_MATH"

# Rebound to the JIT's prange in each worker before anything is compiled: both JITs read a
# function's globals when they compile it.
prange = range


# =================================================================================================
# Benchmark functions (compiled inside the workers; plain Python here)
# =================================================================================================

def compute(x, out):
    """Compute-bound: 2 * COMPUTE_K flops per element, no transcendental, 16 bytes of memory."""
    for i in prange(x.shape[0]):
        v = x[i]
        acc = 0.0
        for _ in range(COMPUTE_K):
            acc = acc * v + 1.0
        out[i] = acc


def psaxpy(a, x, y, out):
    for i in prange(x.shape[0]):
        out[i] = a * x[i] + y[i]


def region(out):
    for i in prange(2):
        out[i] = i


def add2(x, y):
    return x + y


def muladd(x, y):
    return x * y + 1.0


def exp_loop(x, out):
    for i in range(x.shape[0]):
        out[i] = np.exp(x[i])


def sin_loop(x, out):
    for i in range(x.shape[0]):
        out[i] = np.sin(x[i])


VM_LOOPS = {"exp": exp_loop, "sin": sin_loop}


# =================================================================================================
# Worker side
# =================================================================================================

def bind_prange(tool: str):
    """The JIT's module, with ``prange`` bound to its prange."""
    global prange
    mod = load_module(tool)
    prange = mod.prange
    return mod


@worker_task("speedup")
def task_speedup(tool: str, pairs: int = 7) -> dict:
    """The compute-bound prange loop on 1 and on THREADS threads, alternating, in pairs; and
    the machine's own speedup for the same loop: compiled serially with nogil, on the whole
    array on one thread against two Python threads on the two halves."""
    mod = bind_prange(tool)
    jit = load_jit(tool)
    rng = np.random.default_rng(0)
    x = rng.random(COMPUTE_N)
    out = np.empty(COMPUTE_N)
    j_par, j_ser = jit(parallel=True)(compute), jit(nogil=True)(compute)
    py_out = np.empty(8)
    for i in range(8):
        acc = 0.0
        for _ in range(COMPUTE_K):
            acc = acc * x[i] + 1.0
        py_out[i] = acc
    for fn in (j_par, j_ser):
        out[:] = 0.0
        fn(x, out)
        if not np.allclose(out[:8], py_out, rtol=1e-12):
            return {"speedup": {"error": "the compute loop gave a wrong result"}}
    h = COMPUTE_N // 2
    two, stop = two_python_threads(j_ser, [(x[:h], out[:h]), (x[h:], out[h:])])

    def per_call(what):
        if what in (1, THREADS):
            mod.set_num_threads(what)
            fn = partial(j_par, x, out)
        else:
            fn = partial(j_ser, x, out) if what == "serial" else two
        return statistics.median(time_calls(fn, 3, warm=1))

    t1, t2, ratio, machine = [], [], [], []
    try:
        with OtherWork() as other:
            for k in range(pairs):
                order = (1, THREADS, "serial", "two") if k % 2 == 0 else (
                    "two", "serial", THREADS, 1)
                got = {what: per_call(what) for what in order}
                t1.append(got[1] * 1e3)
                t2.append(got[THREADS] * 1e3)
                ratio.append(got[1] / got[THREADS])
                machine.append(got["serial"] / got["two"])
    finally:
        stop()
    mod.set_num_threads(THREADS)
    items = {"speedup": {"samples": ratio}, "speedup.t1": {"samples": t1},
             "speedup.t2": {"samples": t2}, "speedup.machine": {"samples": machine}}
    if other.cores is not None:
        items["other.speedup"] = {"samples": [other.cores]}
    return items


def two_python_threads(fn, halves):
    """A callable that runs fn(*half) for both halves on two Python threads at once."""
    barrier = threading.Barrier(3)
    done = threading.Barrier(3)
    state = {"stop": False}

    def loop(args):
        while True:
            barrier.wait()
            if state["stop"]:
                return
            fn(*args)
            done.wait()

    threads = [threading.Thread(target=loop, args=(h,), daemon=True) for h in halves]
    for t in threads:
        t.start()

    def run():
        barrier.wait()
        done.wait()

    def stop():
        state["stop"] = True
        barrier.wait()

    return run, stop


@worker_task("bandwidth")
def task_bandwidth(tool: str, n: int = 10_000_000, runs: int = 7) -> dict:
    """prange saxpy on THREADS threads, and the ceiling: two Python threads each running a
    nogil triad loop over half of the arrays (plus the same loop on one thread)."""
    mod = bind_prange(tool)
    mod.set_num_threads(THREADS)
    jit = load_jit(tool)
    items: dict = {}
    rng = np.random.default_rng(0)
    x, y = rng.random(n), rng.random(n)
    out = np.empty(n)
    a = 2.5
    j_saxpy = jit(parallel=True)(psaxpy)

    def saxpy_run():
        samples = time_calls(lambda: j_saxpy(a, x, y, out), runs)
        if not np.allclose(out, a * x + y):
            raise AssertionError("prange saxpy gave a wrong result")
        return gbs(BYTES_3 * n, samples)
    guarded(items, "bw.saxpy", saxpy_run)

    j_triad = jit(nogil=True)(triad)
    h = n // 2
    halves = [(out[:h], x[:h], y[:h], a), (out[h:], x[h:], y[h:], a)]
    run, stop = two_python_threads(j_triad, halves)
    try:
        guarded(items, "bw.ceiling2", lambda: gbs(BYTES_3 * n, time_calls(run, runs)))
    finally:
        stop()
    if "error" not in items["bw.ceiling2"] and not np.allclose(out, x + a * y):
        items["bw.ceiling2"] = {"error": "the two-thread triad gave a wrong result"}
    guarded(items, "bw.ceiling1",
            lambda: gbs(BYTES_3 * n, time_calls(lambda: j_triad(out, x, y, a), runs)))
    return items


@worker_task("region")
def task_region(tool: str, number: int = 20_000, repeat: int = 7) -> dict:
    """Per-call time of the empty prange(2) function, parallel and serial, alternating."""
    mod = bind_prange(tool)
    mod.set_num_threads(THREADS)
    jit = load_jit(tool)
    out = np.zeros(2)
    par, ser = jit(parallel=True)(region), jit(region)
    par(out)
    ser(out)
    if list(out) != [0.0, 1.0]:
        return {"region.cost": {"error": "the region gave a wrong result"}}
    tp = timeit.Timer("f(out)", globals={"f": par, "out": out})
    ts = timeit.Timer("f(out)", globals={"f": ser, "out": out})
    tp.timeit(number // 10)
    ts.timeit(number // 10)
    p, s = [], []
    for _ in range(repeat):
        p.append(tp.timeit(number) / number * 1e6)
        s.append(ts.timeit(number) / number * 1e6)
    return {"region.par": {"samples": p}, "region.ser": {"samples": s},
            "region.cost": {"samples": [a - b for a, b in zip(p, s)]}}


@worker_task("ufunc")
def task_ufunc(tool: str, n: int = 10_000_000, runs: int = 7) -> dict:
    """@vectorize a + b and a * b + 1.0 (and the target='parallel' one) with out=."""
    items: dict = {}
    rng = np.random.default_rng(0)
    a, b = rng.random(n), rng.random(n)
    out = np.empty(n)
    sig = ["float64(float64, float64)"]

    def measure(key, fn, want):
        def run():
            out[:] = 0.0
            samples = time_calls(fn, runs)
            if not np.allclose(out, want):
                raise AssertionError("wrong result")
            return gbs(BYTES_3 * n, samples)
        guarded(items, key, run)

    if tool == "numpy":
        def np_muladd():
            np.multiply(a, b, out)
            np.add(out, 1.0, out)
        measure("uf.add", lambda: np.add(a, b, out=out), a + b)
        measure("uf.muladd", np_muladd, a * b + 1.0)
        return items
    mod = load_module(tool)
    if tool == "ember":
        mod.set_num_threads(THREADS)
    u_add = mod.vectorize(sig)(add2)
    u_muladd = mod.vectorize(sig)(muladd)
    measure("uf.add", lambda: u_add(a, b, out=out), a + b)
    measure("uf.muladd", lambda: u_muladd(a, b, out=out), a * b + 1.0)
    try:
        u_par = mod.vectorize(sig, target="parallel")(muladd)
    except Exception as exc:  # noqa: BLE001 - a table entry
        items["uf.muladd.par"] = {"error": f"{type(exc).__name__}: {exc}"[:300]}
    else:
        measure("uf.muladd.par", lambda: u_par(a, b, out=out), a * b + 1.0)
    return items


def called_symbols(jitted) -> list[str]:
    """The functions the compiled code calls (directly, or through an address in a register,
    as numba does), less the runtime's and the JIT's own."""
    asm = jitted.inspect_asm()
    text = asm if isinstance(asm, str) else "\n".join(asm.values())
    names = set(re.findall(r"(?:call|jmp)q?\s+([A-Za-z_][\w.]*)", text))
    names |= set(re.findall(r"movabsq\s+\$([A-Za-z_][\w.]*)", text))
    skip = ("ember.", "ember_meminfo", "_ZN", "NRT_", "Py", "_Py", ".")
    return sorted(s.removesuffix("@PLT") for s in names if not s.startswith(skip))


@worker_task("vmath")
def task_vmath(tool: str, n: int = 10_000_000, runs: int = 7, suffix: str = "") -> dict:
    """exp and sin loops over float64 and float32 uniform in [-10, 10]: ns per element, and the
    largest difference from NumPy's result in units in the last place."""
    items: dict = {}
    rng = np.random.default_rng(0)
    x64 = rng.uniform(-10.0, 10.0, n)
    inputs = {"float64": x64, "float32": x64.astype(np.float32)}
    jit = load_jit(tool) if tool != "numpy" else None
    for fname in VM_FUNCS:
        ufunc = getattr(np, fname)
        j_loop = jit(VM_LOOPS[fname]) if jit else None
        for tname in VM_TYPES:
            x = inputs[tname]
            out = np.empty_like(x)
            fn = partial(ufunc, x, out=out) if j_loop is None else partial(j_loop, x, out)
            key = f"vm.{fname}.{tname}{suffix}"
            guarded(items, key, partial(vm_measure, items, key, fn, ufunc(x), out, runs))
        if j_loop is not None:
            symbols = called_symbols(j_loop)
            items[f"vm.{fname}{suffix}.calls"] = {"value": symbols}
    if tool == "numba":
        import numba
        items["svml"] = {"value": bool(numba.config.USING_SVML)}
    return items


def vm_measure(items, key, fn, want, out, runs) -> list[float]:
    """ns per element of fn(); the largest difference of out from want goes to key.ulps."""
    samples = time_calls(fn, runs)
    ulps = (np.abs(out.astype(np.float64) - want.astype(np.float64))
            / np.spacing(np.abs(want)).astype(np.float64)).max()
    items[f"{key}.ulps"] = {"value": float(ulps)}
    if not ulps < 100:
        raise AssertionError(f"off by {ulps:.0f} ulps from NumPy")
    return [s / out.size * 1e9 for s in samples]


# =================================================================================================
# Parent side
# =================================================================================================

def vm_label(fname: str, tname: str) -> str:
    return f"`{fname}` loop, {tname}"


def describe_parallel(ctx: Context, report: Report) -> list[str]:
    return [
        "What each row is:",
        "",
        f"* {PARALLEL_REPS} processes per tool and measurement (ember, numba and numpy "
        f"processes alternate); medians of all runs.  Parallel rows use {THREADS} threads "
        "(`ember.set_num_threads` / `numba.set_num_threads`), the machine's core count.",
        f"* **prange speedup**: `for i in prange(n)` over n = {COMPUTE_N:,} elements, each "
        f"running `acc = acc * v + 1.0` {COMPUTE_K} times ({2 * COMPUTE_K} flops, no "
        "transcendental, 16 bytes of memory per element), compiled with `parallel=True`; "
        f"each process times it on 1 and on {THREADS} threads in 7 alternating pairs (each "
        "the median of 3 calls) and the speedup is the per-pair ratio.  The 1- and 2-thread "
        "rows are the per-call times.  The processes also measure, from /proc/stat, how many "
        "cores other processes kept busy meanwhile; above "
        f"{BUSY_CORES} cores the verdict is marked unreliable (other work takes the second "
        "core away).",
        f"* **prange saxpy**: `out[i] = a * x[i] + y[i]` in `prange`, 10^7 float64, "
        f"{THREADS} threads; GB/s count {BYTES_3} bytes/element (2 reads, 1 write and the "
        "write-allocate read; no loop here uses non-temporal stores).  **ceiling: 2 Python "
        "threads x nogil triad**: the cpu-core section's triad loop `a[i] = b[i] + s * c[i]` "
        "(the same 3 streams) compiled with `nogil=True`, run by two Python threads at once "
        "on the two halves of the arrays; the 2-thread bandwidth is the faster of the two "
        "JITs' medians, and the saxpy budget is 85 % of it.  The 1-thread row is the same "
        "loop over the whole arrays on one thread, for scale.",
        "* **empty parallel region**: `@njit(parallel=True) def f(out): for i in prange(2): "
        "out[i] = i`, per call, timed by `timeit` (20,000 calls, 7 repeats alternating with "
        "the same function compiled with `parallel=False`, which runs the loop serially); the "
        "cost is the difference of each pair, in µs, so it excludes the call overhead.",
        "* **@vectorize**: `@vectorize([\"float64(float64, float64)\"])` ufuncs called with "
        f"`out=` on 10^7 float64; {BYTES_3} bytes/element for every column.  numpy column: "
        "`np.add(a, b, out=out)`, and for `a * b + 1.0` `np.multiply(a, b, out); "
        "np.add(out, 1.0, out)` (two passes, really 56 bytes/element, shown in the same unit).  "
        f"The `target='parallel'` row uses {THREADS} threads in both JITs; its numpy column "
        "is the same single-thread NumPy pair.  ember's ufunc loops write outputs larger than "
        "3/4 of the last-level cache with non-temporal stores, which skip the write-allocate "
        "read (still counted in the 32 bytes, so the unit stays comparable).",
        "* **`exp` / `sin` loops**: `for i in range(n): out[i] = np.exp(x[i])` (and `np.sin`) "
        "over 10^7 values uniform in [-10, 10], float64 and float32, ns per element; numpy "
        "column: `np.exp(x, out=out)`.  ember vectorizes these loops through LLVM's loop "
        "vectorizer with a vector math library: by default glibc's libmvec first and ember's "
        f"own (runtime/vmath) for what libmvec lacks; the rows marked `{VM_LIBRARY_ENV}=ember` "
        "come from ember processes with that variable set, which puts ember's own library "
        "first (numba's column repeats its one measurement).  numba without Intel SVML calls "
        "scalar libm in these loops.  Every result is compared with NumPy's (see the "
        "accuracy note).",
        "* Budgets (from the issue): prange speedup at least 1.9x, prange saxpy at least 85 % "
        "of the 2-thread bandwidth, the empty region at most 5 µs, each @vectorize ufunc at "
        "least NumPy's throughput (the parallel one has none), each exp/sin loop at least 2x "
        "numba's speed (ember's time at most half of numba's).",
    ]


@section("parallel", "Parallel loops, ufuncs and vector math", describe_parallel)
def run_parallel(ctx: Context) -> Report:
    r = ctx.runner()
    jits = [t for t in JITS if t in ctx.tools]
    quick = ctx.quick
    big = [10**6, 3] if quick else []
    reps = ctx.reps(PARALLEL_REPS)
    ctx.log(f"  parallel: {reps} processes per tool and measurement")
    for _ in range(reps):
        for tool in jits:
            r.worker(tool, "speedup", *([3] if quick else []),
                     keys=("speedup", "speedup.t1", "speedup.t2", "speedup.machine"))
        for tool in jits:
            r.worker(tool, "bandwidth", *big, keys=("bw.saxpy", "bw.ceiling2", "bw.ceiling1"))
        for tool in jits:
            r.worker(tool, "region", *([2000, 3] if quick else []),
                     keys=("region.par", "region.ser", "region.cost"))
        for tool in (*jits, "numpy"):
            r.worker(tool, "ufunc", *big, keys=("uf.add", "uf.muladd", "uf.muladd.par"))
        vm_keys = [f"vm.{f}.{t}" for f in VM_FUNCS for t in VM_TYPES]
        for tool in (*jits, "numpy"):
            r.worker(tool, "vmath", *(big or [10**7, 7]), "", keys=tuple(vm_keys),
                     env={VM_LIBRARY_ENV: "auto"})
            if tool == "ember":
                r.worker(tool, "vmath", *(big or [10**7, 7]), ".evm",
                         keys=tuple(k + ".evm" for k in vm_keys), env={VM_LIBRARY_ENV: "ember"})

    other = [v for t in jits for v in r.samples.get(("other.speedup", t), [])]
    busy = statistics.median(other) if other else None
    caveat = ""
    if busy is not None and busy > BUSY_CORES:
        caveat = f"unreliable: other work kept {busy:.2f} cores busy"
    ceiling = max((v for v in (r.number("bw.ceiling2", t) for t in jits) if v), default=None)
    saxpy_budget = None
    if ceiling:
        saxpy_budget = Budget("abs_min", 0.85 * ceiling, f"≥ 85 % of ceiling "
                              f"({0.85 * ceiling:.1f})")
    rows = [
        Row("speedup", f"prange speedup, {THREADS} threads vs 1", "x",
            Budget("abs_min", 1.9, "≥ 1.9x", caveat), reference="", digits=2),
        Row("speedup.machine", "ceiling: 2 Python threads x nogil loop, speedup", "x",
            reference="", digits=2),
        Row("speedup.t1", "compute-bound prange loop, 1 thread", "ms", reference="", digits=2),
        Row("speedup.t2", f"compute-bound prange loop, {THREADS} threads", "ms", reference="",
            digits=2),
        Row("bw.saxpy", f"prange saxpy 10^7 float64, {THREADS} threads", "GB/s", saxpy_budget,
            reference=""),
        Row("bw.ceiling2", "ceiling: 2 Python threads x nogil triad", "GB/s", reference=""),
        Row("bw.ceiling1", "ceiling: nogil triad, 1 thread", "GB/s", reference=""),
        Row("region.cost", "empty prange(2) region, cost", "µs",
            Budget("abs_max", 5.0, "≤ 5 µs"), reference="", digits=2),
        Row("region.par", "its call, parallel=True", "µs", reference="", digits=2),
        Row("region.ser", "its call, parallel=False", "µs", reference="", digits=2),
        Row("uf.add", "@vectorize `a + b` vs `np.add`", "GB/s",
            Budget("ref_min", 1.0, "≥ NumPy")),
        Row("uf.muladd", "@vectorize `a * b + 1.0`", "GB/s", Budget("ref_min", 1.0, "≥ NumPy")),
        Row("uf.muladd.par", f"@vectorize `a * b + 1.0`, target='parallel', {THREADS} threads",
            "GB/s", keys={"numpy": "uf.muladd"}),
    ]
    for fname in VM_FUNCS:
        for tname in VM_TYPES:
            key = f"vm.{fname}.{tname}"
            budget = Budget("ratio_max", 0.5, "≥ 2x numba")
            rows.append(Row(key, vm_label(fname, tname), "ns/element", budget, digits=2))
            rows.append(Row(key + ".evm", f"{vm_label(fname, tname)}, {VM_LIBRARY_ENV}=ember",
                            "ns/element", budget, digits=2, keys={"numba": key, "numpy": key}))
    report = Report(rows, r)

    if busy is not None:
        report.notes.append(f"Other processes kept a median {busy:.2f} cores busy while the "
                            f"speedup processes ran (limit for a reliable verdict: "
                            f"{BUSY_CORES}).")
    for tool in jits:
        v = r.number("bw.saxpy", tool)
        if ceiling and v is not None and v > 1.15 * ceiling:
            report.warnings.append(f"{tool} prange saxpy = {v:.1f} GB/s is above the measured "
                                   f"ceiling {ceiling:.1f} GB/s: the ceiling looks low")
    calls = []
    for fname in VM_FUNCS:
        parts = []
        for tool, suffix, what in (("ember", "", "ember"),
                                   ("ember", ".evm", f"ember with {VM_LIBRARY_ENV}=ember"),
                                   ("numba", "", "numba")):
            got = r.extra.get((f"vm.{fname}{suffix}.calls", tool))
            if got:
                parts.append(f"{what} calls "
                             + (", ".join(f"`{s}`" for s in got["value"]) or "nothing"))
        if parts:
            calls.append(f"the `{fname}` loops: " + "; ".join(parts))
    if calls:
        report.notes.append("Math functions called by the compiled loops (`inspect_asm`, both "
                            "dtypes; the scalar ones serve the loop remainder when there is "
                            "a vector one): " + "; ".join(calls) + ".")
    svml = r.extra.get(("svml", "numba"))
    if svml:
        report.notes.append(f"numba's `config.USING_SVML`: {svml['value']}.")
    acc = []
    for fname in VM_FUNCS:
        for tname in VM_TYPES:
            parts = []
            for tool, suffix, what in (("ember", "", "ember"), ("ember", ".evm", "ember's lib"),
                                       ("numba", "", "numba")):
                got = r.extra.get((f"vm.{fname}.{tname}{suffix}.ulps", tool))
                if got:
                    parts.append(f"{what} {got['value']:.0f}")
            if parts:
                acc.append(f"{fname} {tname}: " + ", ".join(parts))
    if acc:
        report.notes.append("Accuracy: the largest difference from NumPy's result, in units in "
                            "the last place of NumPy's result (NumPy's own error is not "
                            "included): " + "; ".join(acc) + ".")
    report.add_load_notes()
    return report
