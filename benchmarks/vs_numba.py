"""ember vs numba, side by side; writes the results into docs/performance.md.

Run it with either of

    make bench
    .venv/bin/python benchmarks/vs_numba.py

It needs numba in the same environment as ember.  When ``import numba`` fails it installs it
first, with ``<this python> -m pip install numba numpy==<the installed numpy>`` (pinning NumPy
so that ember's NumPy is left alone) and says so; ``--no-install`` skips that and leaves the
numba column empty instead.  Other options: ``--sections a,b`` runs only those sections
(``--list`` names them), ``--no-write`` only prints, ``--json PATH`` also saves the raw samples.

How it measures:

* Every tool runs in fresh subprocesses of this script (``--worker ember|numba|numpy --task
  ...``), so import and first-compile times are honest and the two JITs never share a process.
  A worker prints its results as one JSON line on stdout; a worker that fails or crashes is
  recorded as an error in the table, it does not stop the run.
* Medians everywhere, and ratios ember/numba; the machines this runs on are small and shared,
  so single numbers move by several percent between runs.

Adding a section (arrays, parallel, ufuncs, ...): write the worker side as functions decorated
with ``@worker_task("name")`` and the parent side as a function decorated with
``@section("id", "Title")`` that runs workers through ``Runner`` and returns a ``Report``.  The
markdown writer replaces only the ``<!-- section: id -->`` blocks that ran and keeps every other
block already in docs/performance.md as it was.
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import math
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
import timeit
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "performance.md"
RESULT_TAG = "@@vs_numba-result@@ "
JITS = ("ember", "numba")
WORKER_TIMEOUT_S = 240
# Workers cache bytecode here, outside the checkout: some environments set
# PYTHONDONTWRITEBYTECODE=1, which would leave the editable ember without .pyc files while
# numba's were written by pip, and charge ember's import for compiling its own source.
PYCACHE = Path(tempfile.gettempdir()) / "vs_numba-pycache"


def worker_env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(PYCACHE)
    return env


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

WORKER_TASKS: dict[str, Callable[..., dict]] = {}


def worker_task(name: str):
    """Registers ``fn(tool, *args) -> {key: {"samples": [...]} | {"error": text} | other}``."""
    def register(fn):
        WORKER_TASKS[name] = fn
        return fn
    return register


def load_jit(tool: str):
    if tool == "ember":
        import ember
        return ember.njit
    if tool == "numba":
        import numba
        return numba.njit
    raise ValueError(f"{tool} is not a JIT")


def error_text(exc: BaseException) -> str:
    text = f"{type(exc).__name__}: {exc}".strip()
    return " ".join(text.split())[:400]


def guarded(items: dict, key: str, fn: Callable[[], object]) -> None:
    """items[key] = fn() as samples, or the error it raised."""
    try:
        value = fn()
        items[key] = value if isinstance(value, dict) else {"samples": list(value)}
    except Exception as exc:  # noqa: BLE001 - every failure is a table entry
        items[key] = {"error": error_text(exc)}


def time_calls(fn: Callable[[], object], runs: int, warm: int = 2) -> list[float]:
    """Seconds per call of ``runs`` calls, after ``warm`` untimed ones."""
    for _ in range(warm):
        fn()
    samples = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t0)
    return samples


def call_overhead_ns(f, args_src: str, env: dict, number=200_000, repeat=7) -> list[float]:
    env = dict(env, f=f)
    exec(f"f({args_src})", env)  # compiles it, untimed
    timer = timeit.Timer(f"f({args_src})", globals=env)
    return [t / number * 1e9 for t in timer.repeat(repeat=repeat, number=number)]


def check_same(name, got, want, np):
    if isinstance(want, tuple):
        if not isinstance(got, tuple) or len(got) != len(want):
            raise AssertionError(f"{name}: got {got!r}, Python gives {want!r}")
        for g, w in zip(got, want):
            check_same(name, g, w, np)
    elif want is not None and not np.allclose(got, want, rtol=1e-9, atol=1e-12):
        raise AssertionError(f"{name}: got {got!r}, Python gives {want!r}")


@worker_task("info")
def task_info(tool: str) -> dict:
    import numpy as np
    info = {"python": platform.python_version(), "numpy": np.__version__}
    if tool == "ember":
        import ember
        from ember import _compiler  # only ever imported in an ember worker
        triple, cpu, features = _compiler.Session().target_description()
        info.update(ember=ember.__version__, triple=triple, cpu=cpu, features=features)
    elif tool == "numba":
        import llvmlite
        import llvmlite.binding as llvm
        import numba
        info.update(numba=numba.__version__, llvmlite=llvmlite.__version__,
                    cpu=llvm.get_host_cpu_name())
    return info


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
    gbs = lambda nbytes, secs: [nbytes / s / 1e9 for s in secs]

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


def worker_main(tool: str, task: str, args: list[str]) -> int:
    # Anything the tools print goes to stderr; stdout carries only the result line.
    real_stdout = sys.stdout
    sys.stdout = sys.stderr
    try:
        result = {"ok": True, "items": WORKER_TASKS[task](tool, *map(json.loads, args))}
    except Exception as exc:  # noqa: BLE001
        result = {"ok": False, "error": error_text(exc)}
    real_stdout.write(RESULT_TAG + json.dumps(result) + "\n")
    real_stdout.flush()
    return 0


# The import-time probe runs in a bare interpreter: only NumPy (and site) are loaded before the
# timed import, not this script's own modules.
IMPORT_PROBE = """\
import json, sys, time
import numpy
t0 = time.perf_counter()
import {module}
t1 = time.perf_counter()
items = {{"import": {{"samples": [(t1 - t0) * 1e3]}}}}
sys.stdout.write({tag!r} + json.dumps({{"ok": True, "items": items}}) + "\\n")
"""


# =================================================================================================
# Parent side
# =================================================================================================

class Runner:
    """Starts workers one at a time and collects their samples per (key, tool)."""

    def __init__(self, tools: tuple[str, ...], missing: dict[str, str]):
        self.tools = tools
        self.missing = missing  # tool -> why it cannot run
        self.samples: dict[tuple[str, str], list[float]] = {}
        self.errors: dict[tuple[str, str], str] = {}
        self.extra: dict[tuple[str, str], dict] = {}
        self.worker_seconds = 0.0
        self.loads: list[float] = []  # the 1-minute load average as each worker starts

    def _launch(self, tool: str, cmd: list[str]) -> dict:
        if tool in self.missing:
            return {"ok": False, "error": self.missing[tool]}
        if hasattr(os, "getloadavg"):
            self.loads.append(os.getloadavg()[0])
        t0 = time.perf_counter()
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=WORKER_TIMEOUT_S,
                                  cwd=ROOT, env=worker_env())
        except subprocess.TimeoutExpired:
            return {"ok": False, "error": f"worker timed out after {WORKER_TIMEOUT_S} s"}
        finally:
            self.worker_seconds += time.perf_counter() - t0
        for line in reversed(proc.stdout.splitlines()):
            if line.startswith(RESULT_TAG):
                return json.loads(line[len(RESULT_TAG):])
        tail = " ".join(proc.stderr.strip().splitlines()[-3:])
        return {"ok": False, "error": f"worker exited with {proc.returncode}: {tail[-300:]}"}

    def worker(self, tool: str, task: str, *args, keys: tuple[str, ...] = ()) -> dict:
        """Runs one worker; when it fails as a whole, its error goes to each of ``keys``."""
        cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", tool, "--task", task]
        cmd += [json.dumps(a) for a in args]
        return self.collect(tool, self._launch(tool, cmd), keys)

    def import_probe(self, tool: str) -> dict:
        code = IMPORT_PROBE.format(module=tool, tag=RESULT_TAG)
        return self.collect(tool, self._launch(tool, [sys.executable, "-c", code]), ("import",))

    def collect(self, tool: str, result: dict, keys: tuple[str, ...]) -> dict:
        if not result.get("ok"):
            for key in keys:
                self.errors.setdefault((key, tool), result["error"])
            return result
        for key, item in result["items"].items():
            if "samples" in item:
                self.samples.setdefault((key, tool), []).extend(item["samples"])
            elif "error" in item:
                self.errors.setdefault((key, tool), item["error"])
            else:
                self.extra[(key, tool)] = item
        return result

    def value(self, key: str, tool: str):
        """The median, or the error text when there are no samples."""
        got = self.samples.get((key, tool))
        if got:
            return statistics.median(got)
        return Error(self.errors.get((key, tool)) or "no data")


@dataclass
class Error:
    text: str


@dataclass
class Budget:
    """``ratio_max``/``ratio_min``: on ember/numba; ``abs_max``: on ember's own value."""
    kind: str
    limit: float
    text: str

    def verdict(self, ember, numba) -> str:
        if isinstance(ember, Error):
            return "FAIL (ember failed)"
        if self.kind == "abs_max":
            return "PASS" if ember <= self.limit else "FAIL"
        if isinstance(numba, Error):
            return "n/a (no numba)"
        ratio = ember / numba
        ok = ratio <= self.limit if self.kind == "ratio_max" else ratio >= self.limit
        close = abs(ratio / self.limit - 1) < NOISE
        return ("PASS" if ok else "FAIL") + (" (within noise)" if close else "")


@dataclass
class Row:
    key: str
    label: str
    unit: str
    budget: Budget | None = None
    reference: str = "numpy"  # the tool whose value goes into the numpy column
    digits: int = 1


@dataclass
class Report:
    rows: list[Row]
    runner: Runner
    notes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # filled by cells(), numbered in the table

    def cells(self) -> list[list[str]]:
        table = []
        errors: list[str] = []

        def show(v, digits):
            if v is None:
                return "—"
            if isinstance(v, Error):
                if v.text not in errors:
                    errors.append(v.text)
                return f"error [{errors.index(v.text) + 1}]"
            return f"{v:,.{digits}f}" if v >= 10 or digits == 0 else f"{v:.{max(digits, 2)}f}"

        for row in self.rows:
            e = self.runner.value(row.key, "ember")
            n = self.runner.value(row.key, "numba")
            ref = self.runner.value(row.key, row.reference) if row.reference else None
            if isinstance(ref, Error) and row.reference not in self.runner.tools:
                ref = None
            ratio = "—" if isinstance(e, Error) or isinstance(n, Error) else f"{e / n:.2f}"
            budget = f"{row.budget.text}: {row.budget.verdict(e, n)}" if row.budget else ""
            table.append([f"{row.label} ({row.unit})", show(e, row.digits), show(n, row.digits),
                          show(ref, row.digits), ratio, budget])
        self.errors = errors
        return table

    def verdicts(self) -> list[tuple[str, str]]:
        out = []
        for row in self.rows:
            if row.budget:
                e = self.runner.value(row.key, "ember")
                n = self.runner.value(row.key, "numba")
                out.append((row.label, row.budget.verdict(e, n)))
        return out


HEADER = ["measurement", "ember", "numba", "numpy", "ember/numba", "budget"]


def markdown_table(rows: list[list[str]]) -> str:
    widths = [max(len(r[i]) for r in [HEADER, *rows]) for i in range(len(HEADER))]
    right = {1, 2, 3, 4}

    def line(cells):
        padded = [c.rjust(w) if i in right else c.ljust(w)
                  for i, (c, w) in enumerate(zip(cells, widths))]
        return "| " + " | ".join(padded) + " |"

    rule = "|" + "|".join(("-" * (w + 1) + ":") if i in right else "-" * (w + 2)
                          for i, w in enumerate(widths)) + "|"
    return "\n".join([line(HEADER), rule, *(line(r) for r in rows)])


# ---- sections ---------------------------------------------------------------------------------

@dataclass
class Section:
    name: str
    title: str
    run: Callable[[Context], Report]
    describe: Callable[[Context, Report], list[str]]


SECTIONS: dict[str, Section] = {}


def section(name: str, title: str, describe: Callable[[Context, Report], list[str]]):
    def register(fn):
        SECTIONS[name] = Section(name, title, fn, describe)
        return fn
    return register


@dataclass
class Context:
    tools: tuple[str, ...]
    missing: dict[str, str]
    machine: dict
    log: Callable[[str], None] = print

    def runner(self) -> Runner:
        return Runner(self.tools, self.missing)


# ---- section: CPU JIT core ------------------------------------------------------------------

COLD_REPS = 3
STEADY_REPS = 5
IMPORT_REPS = 5
RUNTIME_REPS = 5  # processes per tool, alternating ember, numba, numpy
NOISE = 0.05  # a verdict this close to its limit is marked "within noise"
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
    for _ in range(IMPORT_REPS):
        for tool in jits:
            r.import_probe(tool)
    ctx.log(f"  compile, first in process: {COLD_REPS} processes per function and tool")
    for _ in range(COLD_REPS):
        for name in COMPILE_ORDER:
            for tool in jits:
                r.worker(tool, "compile_cold", name, keys=(f"compile_cold.{name}",))
    ctx.log(f"  compile, steady: {STEADY_REPS} processes per tool")
    for _ in range(STEADY_REPS):
        for tool in jits:
            r.worker(tool, "compile_steady",
                     keys=tuple(f"compile_steady.{k}" for k in ("warmup", *COMPILE_ORDER)))
    ctx.log(f"  call overhead and throughput: {RUNTIME_REPS} processes per tool")
    for _ in range(RUNTIME_REPS):
        for tool in (*jits, "numpy"):
            r.worker(tool, "runtime", keys=RUNTIME_KEYS)

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
    if r.loads:
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 2
        load = statistics.median(r.loads)
        report.notes.append(f"1-minute load average as the workers started: median {load:.1f}, "
                            f"max {max(r.loads):.1f} on {cores} cores (the benchmark itself "
                            f"accounts for about 1).")
        if load > cores:
            report.warnings.append(
                f"the machine was busy with other work (median load average {load:.1f} on "
                f"{cores} cores): absolute numbers are inflated and the throughput ratios are "
                f"less reliable than usual; rerun on a quiet machine")
    warm = [r.value("compile_steady.warmup", t) for t in jits]
    if all(not isinstance(w, Error) for w in warm) and len(warm) == 2:
        report.notes.append(f"The warm-up compile in the steady processes took {warm[0]:.1f} ms "
                            f"with ember and {warm[1]:.1f} ms with numba (median).")
    return report


# ---- machine description ----------------------------------------------------------------------

def shell(cmd: list[str], default: str = "?") -> str:
    try:
        return subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT,
                              check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return default


def describe_machine(runner: Runner) -> dict:
    cpu_model = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu_model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = os.cpu_count()
    commit = shell(["git", "rev-parse", "--short", "HEAD"])
    if shell(["git", "status", "--porcelain", "--untracked-files=no"], ""):
        commit += " (plus uncommitted changes)"
    info = {"date": shell(["date", "-u"]), "cpu_model": cpu_model,
            "cores": f"{os.cpu_count()} logical cores ({usable} usable by this process)",
            "commit": commit, "python": platform.python_version()}
    for tool in ("ember", "numba"):
        res = runner.worker(tool, "info")
        info[tool] = res["items"] if res.get("ok") else {"error": res["error"]}
    return info


def prime(runner: Runner) -> None:
    """One untimed process per JIT: fills the bytecode cache and the OS file cache."""
    for tool in JITS:
        runner.worker(tool, "compile_steady")


def machine_lines(m: dict) -> list[str]:
    e, n = m.get("ember", {}), m.get("numba", {})
    feats = " ".join(f for f in e.get("features", "").split(",") if f.startswith("+"))
    lines = [
        f"* Date: {m['date']}",
        f"* Machine: {m['cpu_model']}; {m['cores']}",
        f"* ember's target: `{e.get('triple', '?')}`, cpu `{e.get('cpu', '?')}`"
        + (f"; numba/llvmlite see cpu `{n['cpu']}`" if "cpu" in n else ""),
        f"* ember's enabled CPU features: `{feats or e.get('error', '?')}`",
        f"* Python {m['python']}, NumPy {e.get('numpy') or n.get('numpy', '?')}, "
        + (f"numba {n['numba']} (llvmlite {n.get('llvmlite', '?')}), " if "numba" in n
           else f"no numba ({n.get('error', '?')}), ")
        + f"ember {e.get('ember', '?')}",
        f"* ember commit: `{m['commit']}`",
    ]
    return lines


# ---- markdown -------------------------------------------------------------------------------

INTRO = """\
# Performance

ember against numba on the same machine, in the same environment, produced by
`benchmarks/vs_numba.py` (run `make bench` or `.venv/bin/python benchmarks/vs_numba.py`; it
installs numba into the venv when it is missing).  Each tool runs in its own fresh subprocesses,
so import and first-compile times are honest and the two JITs never share a process.  NumPy's
own kernels are shown for reference.

All numbers are medians, on a small shared (noisy) machine with 2 cores: differences of a few
percent, and ratios within about 0.9 to 1.1 for the throughput rows, are within the noise.
Each section below is written by the benchmark that owns it and carries its own date, machine
and commit; rerunning one section leaves the others as they were.
"""

SECTION_RE = re.compile(
    r"<!-- section: (?P<name>[\w.-]+) -->\n.*?<!-- /section: (?P=name) -->\n?", re.S)


def render_section(sec: Section, ctx: Context, report: Report) -> str:
    table = markdown_table(report.cells())
    parts = [f"<!-- section: {sec.name} -->", f"## {sec.title}", "", table, ""]
    if report.errors:
        parts += ["Errors:", ""]
        parts += [f"{i}. `{t}`" for i, t in enumerate(report.errors, 1)] + [""]
    parts += [*sec.describe(ctx, report), ""]
    for note in report.notes:
        parts += [note, ""]
    if report.warnings:
        parts += ["Suspicious (automatic checks):", ""]
        parts += [f"* {w}" for w in report.warnings] + [""]
    parts += ["Environment:", "", *machine_lines(ctx.machine), "",
              f"<!-- /section: {sec.name} -->", ""]
    return "\n".join(parts)


def write_doc(blocks: dict[str, str]) -> None:
    """Rewrites the intro and the given section blocks; keeps every other section block."""
    old = DOC.read_text() if DOC.exists() else ""
    kept = [(m.group("name"), m.group(0)) for m in SECTION_RE.finditer(old)]
    out = [INTRO]
    seen = set()
    for name, text in kept:
        out.append(blocks.get(name, text.rstrip("\n") + "\n"))
        seen.add(name)
    out += [text for name, text in blocks.items() if name not in seen]
    DOC.parent.mkdir(parents=True, exist_ok=True)
    DOC.write_text("\n".join(out))


# ---- numba ----------------------------------------------------------------------------------

def ensure_numba(install: bool) -> str | None:
    """None when numba can be imported (installing it first if allowed), else why not."""
    if importlib.util.find_spec("numba") is not None:
        return None
    if not install:
        return "numba is not installed (--no-install)"
    try:
        import numpy
        pin = [f"numpy=={numpy.__version__}"]
    except ImportError:
        pin = []
    cmd = [sys.executable, "-m", "pip", "install", "numba", *pin]
    print(f"numba is not installed; installing it: {' '.join(cmd)}", flush=True)
    proc = subprocess.run(cmd)
    importlib.invalidate_caches()
    if proc.returncode != 0 or importlib.util.find_spec("numba") is None:
        return f"installing numba failed (pip exited with {proc.returncode})"
    return None


# ---- main -----------------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--no-install", action="store_true", help="do not pip-install numba")
    p.add_argument("--no-write", action="store_true", help=f"do not rewrite {DOC}")
    p.add_argument("--sections", help="comma-separated sections to run (default: all)")
    p.add_argument("--list", action="store_true", help="list the sections and exit")
    p.add_argument("--json", metavar="PATH", help="also save the raw samples as JSON")
    p.add_argument("--worker", metavar="TOOL", help=argparse.SUPPRESS)
    p.add_argument("--task", help=argparse.SUPPRESS)
    p.add_argument("args", nargs="*", help=argparse.SUPPRESS)
    opts = p.parse_args(argv)

    if opts.worker:
        return worker_main(opts.worker, opts.task, opts.args)
    if opts.list:
        for sec in SECTIONS.values():
            print(f"{sec.name}: {sec.title}")
        return 0
    names = opts.sections.split(",") if opts.sections else list(SECTIONS)
    unknown = [n for n in names if n not in SECTIONS]
    if unknown:
        p.error(f"unknown sections {unknown}; --list names them")

    started = time.perf_counter()
    missing = {}
    why = ensure_numba(not opts.no_install)
    if why:
        print(f"numba column left empty: {why}")
        missing["numba"] = why
    tools = ("ember", "numba", "numpy")
    info_runner = Runner(tools, missing)
    print("describing the machine, priming the bytecode cache ...", flush=True)
    ctx = Context(tools, missing, describe_machine(info_runner))
    prime(info_runner)
    for tool in ("ember", "numba"):
        if "error" in ctx.machine[tool] and tool not in missing:
            print(f"warning: the {tool} info worker failed: {ctx.machine[tool]['error']}")

    blocks: dict[str, str] = {}
    raw: dict = {"machine": ctx.machine, "sections": {}}
    for name in names:
        sec = SECTIONS[name]
        print(f"section {name}: {sec.title}", flush=True)
        t0 = time.perf_counter()
        report = sec.run(ctx)
        blocks[name] = render_section(sec, ctx, report)
        print(f"  ({time.perf_counter() - t0:.0f} s)\n")
        print(f"## {sec.title}\n\n{markdown_table(report.cells())}\n")
        for i, text in enumerate(report.errors, 1):
            print(f"  error [{i}]: {text}")
        for note in report.notes:
            print(f"  note: {note}")
        for warning in report.warnings:
            print(f"  SUSPICIOUS: {warning}")
        verdicts = report.verdicts()
        passed = sum(v.startswith("PASS") for _, v in verdicts)
        print(f"  budgets: {passed} of {len(verdicts)} pass"
              + "".join(f"\n    {v:<5} {label}" for label, v in verdicts
                        if not v.startswith("PASS")))
        print()
        raw["sections"][name] = {
            f"{key}|{tool}": samples for (key, tool), samples in report.runner.samples.items()}
        raw["sections"][name]["errors"] = {
            f"{key}|{tool}": text for (key, tool), text in report.runner.errors.items()}

    print("\n".join(machine_lines(ctx.machine)))
    if not opts.no_write:
        write_doc(blocks)
        print(f"\nwrote {DOC.relative_to(ROOT)}")
    if opts.json:
        Path(opts.json).write_text(json.dumps(raw, indent=1))
        print(f"wrote {opts.json}")
    print(f"total {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
