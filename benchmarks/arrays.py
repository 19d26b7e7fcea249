"""The "Arrays, array expressions and the NumPy API" section of benchmarks/vs_numba.py: a fused
array expression and np.sum against single-thread bandwidth ceilings measured by compiled loops,
allocating small arrays in a loop, and np.dot, ember against numba and NumPy.
"""
from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
from harness import (
    JITS,
    Budget,
    Context,
    Report,
    Row,
    gbs,
    guarded,
    load_jit,
    section,
    time_calls,
    worker_task,
)

# SciPy for the np.dot rows: numba's np.dot needs SciPy (its BLAS comes from
# scipy.linalg.cython_blas), and ember uses the same BLAS when SciPy is importable.  When the
# venv has no SciPy, the dot workers get one installed here (pip --target, no dependencies),
# outside the venv, so that nothing else (tests, the other sections) sees it.
SCIPY_DIR = Path(tempfile.gettempdir()) / "vs_numba-scipy"
DOT_N = 256
ARRAYS_REPS = 5  # processes per tool, alternating ember, numba, numpy
BYTES_FUSED = 40  # 3 reads + 1 write + the write-allocate read of the destination
BYTES_READ = 8


# =================================================================================================
# Benchmark functions (compiled inside the workers; plain Python here)
# =================================================================================================

def fused_into(a, b, c, out):
    out[:] = a * b + c


def fused_alloc(a, b, c):
    return a * b + c


def four_streams(a, b, c, out):
    """The ceiling of fused_into: the same 3 reads and 1 write, as an explicit loop."""
    for i in range(out.shape[0]):
        out[i] = a[i] + b[i] + c[i]


def np_sum(x):
    return np.sum(x)


def int_sum(xi):
    """The read ceiling: an int64 reduction vectorizes without fastmath."""
    s = 0
    for i in range(xi.shape[0]):
        s += xi[i]
    return s


def alloc_loop(n):
    s = 0.0
    for i in range(n):
        t = np.empty(1000)
        t[0] = i
        s += t[0]
    return s


def dot(a, b):
    return np.dot(a, b)


# =================================================================================================
# Worker side
# =================================================================================================

def stores(jitted) -> dict:
    """Whether the compiled code has non-temporal stores (which skip the write-allocate read)."""
    asm = jitted.inspect_asm()
    text = asm if isinstance(asm, str) else "\n".join(asm.values())
    return {"value": "yes" if re.search(r"\bv?movnt", text) else "no"}


@worker_task("arrays")
def task_arrays(tool: str, n: int = 10_000_000, runs: int = 7, loop_n: int = 200_000) -> dict:
    items: dict = {}
    rng = np.random.default_rng(0)
    a, b, c = rng.random(n), rng.random(n), rng.random(n)
    out = np.empty(n)
    want = a * b + c
    xi = a.view(np.int64)

    def checked(fn, got, expect):
        def run():
            secs = fn()
            if not np.allclose(got(), expect, rtol=1e-12, atol=0):
                raise AssertionError("wrong result")
            return secs
        return run

    if tool == "numpy":
        def np_fused():
            np.multiply(a, b, out)
            np.add(out, c, out)
        guarded(items, "fused.into", checked(
            lambda: gbs(BYTES_FUSED * n, time_calls(np_fused, runs)), lambda: out, want))
        guarded(items, "fused.alloc",
                lambda: gbs(BYTES_FUSED * n, time_calls(lambda: a * b + c, runs)))
        guarded(items, "sum", lambda: gbs(BYTES_READ * n, time_calls(a.sum, runs)))

        def py_alloc():
            return alloc_loop(loop_n // 10)  # plain Python and NumPy: a tenth of the iterations
        guarded(items, "alloc", lambda: [s / (loop_n // 10) * 1e9
                                         for s in time_calls(py_alloc, runs)])
        return items

    jit = load_jit(tool)
    j_into, j_alloc, j_four = jit(fused_into), jit(fused_alloc), jit(four_streams)
    guarded(items, "fused.into", checked(
        lambda: gbs(BYTES_FUSED * n, time_calls(lambda: j_into(a, b, c, out), runs)),
        lambda: out, want))
    holder = {}

    def alloc_run():
        holder["r"] = j_alloc(a, b, c)
    guarded(items, "fused.alloc", checked(
        lambda: gbs(BYTES_FUSED * n, time_calls(alloc_run, runs)), lambda: holder["r"], want))
    holder.clear()
    out[:] = 0.0
    guarded(items, "ceiling.four", checked(
        lambda: gbs(BYTES_FUSED * n, time_calls(lambda: j_four(a, b, c, out), runs)),
        lambda: out, a + b + c))
    for key, fn in (("nt.fused", j_into), ("nt.four", j_four)):
        guarded(items, key, lambda fn=fn: stores(fn))

    j_sum, j_int = jit(np_sum), jit(int_sum)
    total = float(a.sum())
    guarded(items, "sum", checked(lambda: gbs(BYTES_READ * n, time_calls(lambda: j_sum(a), runs)),
                                  lambda: j_sum(a), total))
    int_want = int(xi.sum())
    guarded(items, "ceiling.read", checked(
        lambda: gbs(BYTES_READ * n, time_calls(lambda: j_int(xi), runs)),
        lambda: float(j_int(xi) == int_want), 1.0))

    j_loop = jit(alloc_loop)
    guarded(items, "alloc", checked(
        lambda: [s / loop_n * 1e9 for s in time_calls(lambda: j_loop(loop_n), runs)],
        lambda: j_loop(1000), float(sum(range(1000)))))
    return items


@worker_task("dot")
def task_dot(tool: str, blas: bool, runs: int = 15) -> dict:
    """np.dot of two DOT_N x DOT_N float64 matrices; with ``blas`` false SciPy is hidden."""
    if not blas:
        sys.modules["scipy"] = None  # an ImportError for `import scipy...`, as without SciPy
    items: dict = {}
    rng = np.random.default_rng(1)
    a, b = rng.random((DOT_N, DOT_N)), rng.random((DOT_N, DOT_N))
    want = a @ b
    key = "dot.blas" if blas else "dot.own"
    if blas:
        try:
            import scipy
            from scipy.linalg import cython_blas  # noqa: F401
        except ImportError as exc:
            return {key: {"error": f"SciPy is not importable ({exc})"}}
        items["blas.scipy"] = {"value": f"SciPy {scipy.__version__}, " + blas_name(scipy)}
    if tool == "numpy":
        items["blas.numpy"] = {"value": blas_name(np)}
        guarded(items, key, lambda: [s * 1e3 for s in time_calls(lambda: a @ b, runs)])
        return items
    j_dot = load_jit(tool)(dot)

    def timed():
        if not np.allclose(j_dot(a, b), want):
            raise AssertionError("np.dot gave a wrong result")
        return [s * 1e3 for s in time_calls(lambda: j_dot(a, b), runs)]
    guarded(items, key, timed)
    if tool == "ember" and "error" not in items[key]:
        from ember import dispatcher
        used = dispatcher._blas_registered and "scipy.linalg.cython_blas" in sys.modules
        items[f"{key}.used"] = {"value": "SciPy's BLAS" if used else "ember's own kernel"}
    return items


def blas_name(module) -> str:
    try:
        dep = module.__config__.CONFIG["Build Dependencies"]["blas"]
        return f"{dep['name']} {dep.get('version', '?')}"
    except Exception:  # noqa: BLE001 - only a description
        return "BLAS unknown"


# =================================================================================================
# Parent side
# =================================================================================================

def scipy_env(ctx: Context) -> tuple[dict[str, str], str]:
    """The environment of the dot workers and a sentence on where SciPy comes from."""
    env = {"OPENBLAS_NUM_THREADS": "1"}
    if importlib.util.find_spec("scipy") is not None:
        return env, "SciPy is installed in the venv"
    if not (SCIPY_DIR / "scipy").is_dir():
        if not ctx.install:
            return env, "SciPy is not installed (--no-install), so no BLAS row"
        cmd = [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target",
               str(SCIPY_DIR), "scipy"]
        ctx.log(f"  SciPy is not installed; installing it outside the venv: {' '.join(cmd)}")
        if subprocess.run(cmd).returncode != 0:
            return env, "installing SciPy failed, so no BLAS row"
    path = os.pathsep.join(p for p in (str(SCIPY_DIR), os.environ.get("PYTHONPATH")) if p)
    return dict(env, PYTHONPATH=path), (
        f"SciPy is not installed in the venv; the dot workers import one installed with "
        f"`pip install --no-deps --target {SCIPY_DIR} scipy` (nothing else sees it)")


def describe_arrays(ctx: Context, report: Report) -> list[str]:
    return [
        "What each row is:",
        "",
        f"* 10^7 float64 per array, 7 runs after 2 warm-up runs in each of {ARRAYS_REPS} "
        "processes per tool (ember, numba and numpy processes alternate); median of all runs.  "
        "Every timed result is checked against NumPy.",
        f"* **`out[:] = a * b + c`**: into a preallocated `out`, inside a jitted function (the "
        f"same source for both JITs).  NumPy: `np.multiply(a, b, out); np.add(out, c, out)`, "
        f"two passes.  GB/s count {BYTES_FUSED} bytes/element for every column: 3 reads, 1 "
        "write and the write-allocate read of `out` (neither JIT emits non-temporal stores, "
        "see below).  That is what the one-pass loops really move; NumPy's two passes really "
        "move 56, so its figure is the same unit (elements per second x 40), not its bus "
        "traffic.",
        "* **`return a * b + c`**: the allocating form, same byte count.  Each call also "
        "allocates a fresh 80 MB result and pays its page faults (the kernel zeroes every "
        "page on first touch), and frees it again, so this row is informational.  NumPy "
        "allocates a temporary for `a * b` as well.",
        f"* **ceiling: 4-stream loop**: `for i in range(n): out[i] = a[i] + b[i] + c[i]`, the "
        f"same 3 reads and 1 write as an explicit loop, counted the same {BYTES_FUSED} "
        "bytes/element; **the single-thread bandwidth ceiling is the faster of the two JITs' "
        "medians**, and the budget of the `out[:]` row is 90 % of it.",
        f"* **`np.sum(x)`**: inside a jitted function, {BYTES_READ} bytes/element; NumPy: "
        "`x.sum()`.  **ceiling: int64 sum loop**: `s += xi[i]` over `x.view(np.int64)`, an "
        "integer reduction, which vectorizes without fastmath and so is bound by reading "
        "memory; the read ceiling is the faster of the two JITs, and the `np.sum` budget is "
        "90 % of it.",
        "* **allocation loop**: `for i in range(n): t = np.empty(1000); t[0] = i; s += t[0]` "
        "with n = 200,000, ns per iteration (an 8 KB allocation and free each).  The numpy "
        "column is the same function run by the interpreter (20,000 iterations).",
        f"* **`np.dot`**: of two {DOT_N}x{DOT_N} float64 matrices inside a jitted function, "
        "ms per call, 15 calls after 2 warm-up calls per process; numpy column: `a @ b`.  All "
        "BLAS calls are single-threaded (`OPENBLAS_NUM_THREADS=1` in these workers), so the "
        "rows compare kernels, not thread counts.  numba's `np.dot` needs SciPy (it calls "
        "`scipy.linalg.cython_blas`); ember calls the same BLAS when SciPy is importable, "
        "else its own blocked kernel, shown in the second row with SciPy hidden from the "
        "worker.",
        "* Budgets (from the issue): `out[:] = a * b + c` at least 90 % of the single-thread "
        "bandwidth ceiling, `np.sum` at least 90 % of the read ceiling, the allocation loop "
        "no slower than numba's; `np.dot` has none.",
    ]


@section("arrays", "Arrays, array expressions and the NumPy API", describe_arrays)
def run_arrays(ctx: Context) -> Report:
    r = ctx.runner()
    jits = [t for t in JITS if t in ctx.tools]
    size = [10**6, 3, 20_000] if ctx.quick else []
    array_keys = ("fused.into", "fused.alloc", "ceiling.four", "sum", "ceiling.read", "alloc")
    ctx.log(f"  arrays: {ctx.reps(ARRAYS_REPS)} processes per tool")
    for _ in range(ctx.reps(ARRAYS_REPS)):
        for tool in (*jits, "numpy"):
            r.worker(tool, "arrays", *size, keys=array_keys)
    env, scipy_note = scipy_env(ctx)
    ctx.log(f"  np.dot: {ctx.reps(ARRAYS_REPS)} processes per tool and BLAS ({scipy_note})")
    for _ in range(ctx.reps(ARRAYS_REPS)):
        for tool in (*jits, "numpy"):
            r.worker(tool, "dot", True, keys=("dot.blas",), env=env)
        r.worker("ember", "dot", False, keys=("dot.own",), env=env)

    def ceiling(key):
        got = [v for v in (r.number(key, t) for t in jits) if v is not None]
        return max(got) if got else None

    rows = []
    band, read = ceiling("ceiling.four"), ceiling("ceiling.read")
    fused_budget = sum_budget = None
    if band:
        fused_budget = Budget("abs_min", 0.9 * band, f"≥ 90 % of ceiling ({0.9 * band:.1f})")
    if read:
        sum_budget = Budget("abs_min", 0.9 * read, f"≥ 90 % of read ceiling ({0.9 * read:.1f})")
    rows += [
        Row("fused.into", "`out[:] = a * b + c`, 10^7 float64", "GB/s", fused_budget),
        Row("fused.alloc", "`return a * b + c` (allocates 80 MB)", "GB/s"),
        Row("ceiling.four", "ceiling: 4-stream loop", "GB/s", reference=""),
        Row("sum", "`np.sum(x)`, 10^7 float64", "GB/s", sum_budget),
        Row("ceiling.read", "ceiling: int64 sum loop", "GB/s", reference=""),
        Row("alloc", "allocation loop `np.empty(1000)`", "ns/iteration",
            Budget("ratio_max", 1.0, "≤ numba"), digits=0),
        Row("dot.blas", f"`np.dot` {DOT_N}x{DOT_N}, SciPy's BLAS", "ms", digits=2),
        Row("dot.own", f"`np.dot` {DOT_N}x{DOT_N}, ember's own kernel (SciPy hidden)", "ms",
            keys={"numba": None, "numpy": "dot.blas"}, digits=2),
    ]
    report = Report(rows, r)

    if band is None or read is None:
        report.warnings.append("a bandwidth ceiling could not be measured, so its budget is "
                               "missing")
    nt = {f"{t} {k[3:]}": r.extra[(k, t)]["value"] for t in jits for k in ("nt.fused", "nt.four")
          if (k, t) in r.extra}
    if nt:
        report.notes.append("Non-temporal stores in the compiled code (`inspect_asm`): "
                            + ", ".join(f"{k}: {v}" for k, v in nt.items()) + ".")
        if "yes" in nt.values():
            report.warnings.append("some loop uses non-temporal stores: its byte count "
                                   f"({BYTES_FUSED}) includes a write-allocate read it skips")
    for key in ("fused.into", "sum"):
        for tool in jits:
            v, top = r.number(key, tool), band if key == "fused.into" else read
            if v is not None and top and v > 1.15 * top:
                report.warnings.append(f"{tool} {key} = {v:.1f} GB/s is above the measured "
                                       f"ceiling {top:.1f} GB/s: the ceiling looks low")
    blas = r.extra.get(("blas.scipy", "ember")) or r.extra.get(("blas.scipy", "numba"))
    np_blas = r.extra.get(("blas.numpy", "numpy"))
    text = f"`np.dot`: {scipy_note}."
    if ("dot.blas.used", "ember") in r.extra:
        text += (f"  In the SciPy row ember used {r.extra[('dot.blas.used', 'ember')]['value']}"
                 f" and numba SciPy's BLAS")
        text += f" ({blas['value']})." if blas else "."
    if ("dot.own.used", "ember") in r.extra:
        text += f"  With SciPy hidden ember used {r.extra[('dot.own.used', 'ember')]['value']}."
    if np_blas:
        text += f"  NumPy's `@` uses its own bundled BLAS ({np_blas['value']})."
    report.notes.append(text)
    if r.extra.get(("dot.own.used", "ember"), {}).get("value") == "SciPy's BLAS":
        report.warnings.append("ember used SciPy's BLAS even with SciPy hidden")
    report.add_load_notes()
    return report
