"""GPU kernels (``ember.cuda``) side by side with numba-cuda; writes the "GPU kernels" section
of docs/performance.md.

Run it with either of

    make bench-gpu
    .venv/bin/python benchmarks/gpu.py

It needs numba-cuda in ember's environment; when ``numba.cuda.compile_ptx`` cannot be imported
it installs it first (``<this python> -m pip install numba-cuda numpy==<the installed numpy>``)
and says so (``--no-install`` leaves the numba column empty instead).  numba-cuda compiles PTX
without a GPU through the toolkit's NVVM; ``CUDA_HOME`` is pointed at /usr/local/cuda when unset.
Options: ``--no-write`` only prints, ``--quick`` tries it out with small sizes and one process
per measurement (implies ``--no-write``), ``--json PATH`` saves the raw samples.

What it measures, each in fresh subprocesses of this script (as benchmarks/vs_numba.py, whose
harness.py it uses: medians, ratios, budgets from issue 9):

* (a) compiling a first kernel to PTX in a fresh process: ``ember.cuda.compile_ptx`` against
  ``numba.cuda.compile_ptx``, for sm_80, with the import of each tool timed separately; and
  the same kernel to an AMDGPU code object (``ember.hip.compile_hsaco``, gfx942) against
  ember's own PTX time (issue 10's budget: at most 1.5x);
* (b) on ember's CPU path, a float32 saxpy kernel against the ``@ember.jit`` saxpy loop;
* (c) a tiled float32 matmul kernel with shared memory and barriers: ember's CPU path against
  numba's CUDA simulator (``NUMBA_ENABLE_CUDASIM=1``) at the same, small, size (the simulator
  runs one Python thread per GPU thread), and at 512x512 against the ``@ember.jit`` triple loop;
* (d) where a GPU is present (``ember._cuda.Driver().available()`` and a device), launch
  overhead of an empty kernel with 1 and 16 array arguments against numba-cuda, and a saxpy
  kernel's share of the device's memory bandwidth; without one the section says it was skipped
  and why.
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import os
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import harness
from harness import (
    DOC,
    NOISE,
    ROOT,
    Error,
    Runner,
    describe_machine,
    guarded,
    machine_lines,
    time_calls,
    worker_main,
    worker_task,
    write_doc,
)

ENTRY = Path(__file__).resolve()
CUDA_HOME = "/usr/local/cuda"
SECTION = "gpu"
TITLE = "GPU kernels"

SIM_SIZE = 64  # the simulator's matmul: 64x64 takes it seconds, 128x128 a minute
BIG_SIZE = 512
SAXPY_N = 10_000_000
SAXPY_BYTES = 12  # float32: two reads and a write per element

# The kernels, as source run in a namespace whose ``cuda`` is the tool's: the same text for
# ember and numba-cuda.
KERNELS = """
def saxpy(a, x, y, out):
    i = cuda.grid(1)
    if i < out.size:
        out[i] = a * x[i] + y[i]


def empty1(a):
    pass


def empty16(a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, a14, a15):
    pass


TILE = 16


def matmul(a, b, c):
    sa = cuda.shared.array((TILE, TILE), np.float32)
    sb = cuda.shared.array((TILE, TILE), np.float32)
    x, y = cuda.grid(2)
    tx, ty = cuda.threadIdx.x, cuda.threadIdx.y
    acc = np.float32(0.0)
    for k in range((a.shape[1] + TILE - 1) // TILE):
        sa[ty, tx] = 0
        sb[ty, tx] = 0
        if y < a.shape[0] and k * TILE + tx < a.shape[1]:
            sa[ty, tx] = a[y, k * TILE + tx]
        if x < b.shape[1] and k * TILE + ty < b.shape[0]:
            sb[ty, tx] = b[k * TILE + ty, x]
        cuda.syncthreads()
        for j in range(TILE):
            acc += sa[ty, j] * sb[j, tx]
        cuda.syncthreads()
    if y < c.shape[0] and x < c.shape[1]:
        c[y, x] = acc
"""

LOOPS = """
def saxpy_loop(a, x, y, out):
    for i in range(out.size):
        out[i] = a * x[i] + y[i]


def matmul_loop(a, b, c):
    for i in range(a.shape[0]):
        for j in range(b.shape[1]):
            acc = np.float32(0.0)
            for k in range(a.shape[1]):
                acc += a[i, k] * b[k, j]
            c[i, j] = acc
"""

SAXPY_SIG = "void(float32, float32[:], float32[:], float32[:])"


def kernel_sources(cuda) -> dict:
    import numpy as np
    ns = {"cuda": cuda, "np": np}
    exec(compile(KERNELS, "<gpu-benchmark kernels>", "exec"), ns)
    return ns


def load_cuda(tool: str):
    if tool == "ember":
        from ember import cuda
        return cuda
    if tool == "numba":
        from numba import cuda
        return cuda
    raise ValueError(f"{tool} has no cuda module")


# =================================================================================================
# Worker side
# =================================================================================================

@worker_task("compile-ptx")
def task_compile_ptx(tool: str) -> dict:
    """A fresh process: import the tool's cuda, then compile one kernel to PTX."""
    t0 = time.perf_counter()
    cuda = load_cuda(tool)
    t1 = time.perf_counter()
    ns = kernel_sources(cuda)
    t2 = time.perf_counter()
    ptx, _ = cuda.compile_ptx(ns["saxpy"], SAXPY_SIG, cc=(8, 0))
    t3 = time.perf_counter()
    if ".target sm_80" not in ptx:
        raise RuntimeError(f"{tool}'s PTX has no .target sm_80")
    return {"import": {"samples": [(t1 - t0) * 1e3]},
            "compile-ptx": {"samples": [(t3 - t2) * 1e3]},
            "import+compile": {"samples": [(t1 - t0 + t3 - t2) * 1e3]}}


@worker_task("compile-hsaco")
def task_compile_hsaco(tool: str) -> dict:
    """A fresh process: import ember.hip, then compile the same kernel to an AMDGPU code
    object for gfx942 (LLVM's AMDGPU backend, ocml linked lazily, lld in process)."""
    if tool != "ember":
        raise ValueError(f"{tool} has no HIP target")
    t0 = time.perf_counter()
    from ember import hip
    t1 = time.perf_counter()
    ns = kernel_sources(hip)
    t2 = time.perf_counter()
    data = hip.compile_hsaco(ns["saxpy"], SAXPY_SIG, arch="gfx942")
    t3 = time.perf_counter()
    if data[:4] != b"\x7fELF":
        raise RuntimeError("the code object is not an ELF file")
    return {"import-hip": {"samples": [(t1 - t0) * 1e3]},
            "compile-hsaco": {"samples": [(t3 - t2) * 1e3]}}


@worker_task("saxpy")
def task_saxpy(tool: str, n: int, runs: int, threads: int) -> dict:
    """ember's saxpy kernel on the CPU path (on ``threads`` threads) and the @jit loop (one
    thread), in GB/s; every result checked against NumPy."""
    import numpy as np

    os.environ["EMBER_CUDA_CPU"] = "1"
    import ember
    cuda = load_cuda(tool)
    ember.set_num_threads(threads)
    ns = kernel_sources(cuda)
    kernel = cuda.jit(ns["saxpy"])
    loop_ns = {"np": np}
    exec(LOOPS, loop_ns)
    loop = ember.jit(loop_ns["saxpy_loop"])
    rng = np.random.default_rng(0)
    x, y = rng.random(n, dtype=np.float32), rng.random(n, dtype=np.float32)
    a = np.float32(2.5)
    want = a * x + y
    dx, dy = cuda.to_device(x), cuda.to_device(y)
    dout = cuda.device_array(n, dtype=np.float32)
    tpb = 256
    launch = kernel[(n + tpb - 1) // tpb, tpb]
    out = np.empty(n, dtype=np.float32)
    items: dict = {}
    guarded(items, f"saxpy-kernel-t{threads}",
            lambda: harness.gbs(SAXPY_BYTES * n, time_calls(lambda: launch(a, dx, dy, dout), runs)))
    np.testing.assert_allclose(dout.copy_to_host(), want, rtol=1e-6)
    guarded(items, "saxpy-jit",
            lambda: harness.gbs(SAXPY_BYTES * n, time_calls(lambda: loop(a, x, y, out), runs)))
    np.testing.assert_allclose(out, want, rtol=1e-6)
    return items


@worker_task("matmul")
def task_matmul(tool: str, m: int, runs: int, with_loop: bool) -> dict:
    """The tiled matmul kernel on m x m float32 (ms): ember's CPU path, or numba's simulator
    (this process has NUMBA_ENABLE_CUDASIM=1); with_loop adds ember's @jit triple loop."""
    import numpy as np
    if tool == "ember":
        os.environ["EMBER_CUDA_CPU"] = "1"
    cuda = load_cuda(tool)
    if tool == "numba" and os.environ.get("NUMBA_ENABLE_CUDASIM") != "1":
        raise RuntimeError("numba's CUDA simulator is not enabled in this worker")
    ns = kernel_sources(cuda)
    kernel = cuda.jit(ns["matmul"])
    rng = np.random.default_rng(1)
    a, b = rng.random((m, m), dtype=np.float32), rng.random((m, m), dtype=np.float32)
    c = np.zeros((m, m), dtype=np.float32)
    tiles = (m + 15) // 16
    launch = kernel[(tiles, tiles), (16, 16)]
    want = a @ b
    warm = 1 if tool == "ember" else 0  # the simulator has nothing to compile
    items: dict = {}
    guarded(items, f"matmul-kernel-{m}",
            lambda: [s * 1e3 for s in time_calls(lambda: launch(a, b, c), runs, warm=warm)])
    np.testing.assert_allclose(c, want, rtol=1e-4)
    if with_loop:
        import ember
        loop_ns = {"np": np}
        exec(LOOPS, loop_ns)
        loop = ember.jit(loop_ns["matmul_loop"])
        c2 = np.zeros_like(c)
        guarded(items, f"matmul-jit-{m}",
                lambda: [s * 1e3 for s in time_calls(lambda: loop(a, b, c2), runs, warm=1)])
        np.testing.assert_allclose(c2, want, rtol=1e-4)
    return items


@worker_task("launch")
def task_launch(tool: str, runs: int) -> dict:
    """On a GPU: an empty kernel's launch with 1 and 16 arrays (us, launches without
    synchronizing, in batches), and saxpy's bandwidth (GB/s) on 2**28 float32."""
    import numpy as np
    cuda = load_cuda(tool)
    ns = kernel_sources(cuda)
    items: dict = {}
    arrays = [cuda.device_array(1, dtype=np.float32) for _ in range(16)]
    batch = 2000
    for name, args in (("empty1", arrays[:1]), ("empty16", arrays)):
        launch = cuda.jit(ns[name])[1, 1]
        launch(*args)
        cuda.synchronize()

        def one_batch(launch=launch, args=args):
            for _ in range(batch):
                launch(*args)
            cuda.synchronize()
        guarded(items, f"launch-{name}",
                lambda one_batch=one_batch: [s / batch * 1e6 for s in time_calls(one_batch, runs)])
    n = 1 << 28
    x = cuda.to_device(np.ones(n, dtype=np.float32))
    y = cuda.to_device(np.ones(n, dtype=np.float32))
    out = cuda.device_array(n, dtype=np.float32)
    launch = cuda.jit(ns["saxpy"])[(n + 255) // 256, 256]

    def saxpy_sync():
        launch(np.float32(2.0), x, y, out)
        cuda.synchronize()
    guarded(items, "gpu-saxpy", lambda: harness.gbs(SAXPY_BYTES * n, time_calls(saxpy_sync, runs)))
    return items


@worker_task("gpu-info")
def task_gpu_info(tool: str) -> dict:
    """Whether a GPU can run kernels here, and if so its name and memory bandwidth."""
    from ember import _cuda
    driver = _cuda.Driver()
    if not driver.available():
        return {"gpu": {"available": False, "reason": driver.reason()}}
    from ember import cuda
    dev = cuda.get_current_device()
    return {"gpu": {"available": True, "name": str(getattr(dev, "name", "?"))}}


# =================================================================================================
# Parent side
# =================================================================================================

class GpuRunner(Runner):
    """harness.Runner, with workers running this script."""

    def worker(self, tool, task, *args, keys=(), env=None):
        cmd = [sys.executable, str(ENTRY), "--worker", tool, "--task", task]
        cmd += [json.dumps(a) for a in args]
        return self.collect(tool, self._launch(tool, cmd, env), keys)


@dataclass
class GpuRow:
    """One line of the table: ember's median against another tool's (or another ember form's).
    ``speed`` is how many times faster ember is (the other's time over ember's, or ember's
    throughput over the other's), so above 1 is better for every row; a budget is a minimum on
    it."""
    label: str
    unit: str
    ember: float | Error | None
    other: float | Error | None
    other_name: str
    budget_text: str = ""
    min_speed: float | None = None
    digits: int = 1

    def speed(self) -> float | None:
        e, o = self.ember, self.other
        if not isinstance(e, float) or not isinstance(o, float) or not e or not o:
            return None
        return e / o if self.unit == "GB/s" else o / e

    def verdict(self) -> str:
        if self.min_speed is None:
            return ""
        r = self.speed()
        if r is None:
            return f"{self.budget_text}: n/a (no measurement)"
        close = abs(r / self.min_speed - 1) < NOISE
        return (f"{self.budget_text}: {'PASS' if r >= self.min_speed else 'FAIL'}"
                + (" (within noise)" if close else ""))


HEADER = ["measurement", "ember", "compared with", "its value", "ember's speed", "budget"]


def show(v, digits: int, errors: list[str]) -> str:
    if v is None:
        return "—"
    if isinstance(v, Error):
        if v.text not in errors:
            errors.append(v.text)
        return f"error [{errors.index(v.text) + 1}]"
    return f"{v:,.{digits}f}" if v >= 10 else f"{v:.{max(digits, 2)}f}"


def table(rows: list[GpuRow]) -> tuple[str, list[str]]:
    errors: list[str] = []
    cells = []
    for r in rows:
        speed = r.speed()
        ratio_text = "—" if speed is None else (f"{speed:,.0f}x" if speed >= 100 else
                                                f"{speed:.2f}x")
        cells.append([f"{r.label} ({r.unit})", show(r.ember, r.digits, errors), r.other_name,
                      show(r.other, r.digits, errors), ratio_text, r.verdict()])
    widths = [max(len(c[i]) for c in [HEADER, *cells]) for i in range(len(HEADER))]
    right = {1, 3, 4}

    def line(cs):
        return "| " + " | ".join(c.rjust(w) if i in right else c.ljust(w)
                                 for i, (c, w) in enumerate(zip(cs, widths))) + " |"
    rule = "|" + "|".join(("-" * (w + 1) + ":") if i in right else "-" * (w + 2)
                          for i, w in enumerate(widths)) + "|"
    return "\n".join([line(HEADER), rule, *(line(c) for c in cells)]), errors


def ensure_numba_cuda(install: bool) -> str | None:
    """None when numba.cuda.compile_ptx can be imported (installing numba-cuda first if
    allowed), else why not."""
    # numba alone has a numba.cuda of its own (deprecated); numba-cuda is the numba_cuda module
    probe = [sys.executable, "-c", "import numba_cuda; from numba.cuda import compile_ptx"]

    def importable() -> bool:
        return subprocess.run(probe, capture_output=True, env=worker_env()).returncode == 0
    if importable():
        return None
    if not install:
        return "numba-cuda is not installed (--no-install)"
    import numpy
    cmd = [sys.executable, "-m", "pip", "install", "numba-cuda", f"numpy=={numpy.__version__}"]
    print(f"numba-cuda is not installed; installing it: {' '.join(cmd)}", flush=True)
    proc = subprocess.run(cmd)
    importlib.invalidate_caches()
    if proc.returncode != 0 or not importable():
        return f"installing numba-cuda failed (pip exited with {proc.returncode})"
    return None


def worker_env() -> dict[str, str]:
    env = harness.worker_env()
    if "CUDA_HOME" not in env and Path(CUDA_HOME).is_dir():
        env["CUDA_HOME"] = CUDA_HOME
    return env


def run(missing: dict[str, str], quick: bool) -> tuple[list[GpuRow], list[str], GpuRunner]:
    runner = GpuRunner(("ember", "numba"), missing)
    notes: list[str] = []
    reps = (lambda full: 1) if quick else (lambda full: full)
    cuda_env = {k: v for k, v in worker_env().items() if k == "CUDA_HOME"}

    # Bytecode caches filled first, untimed, so neither tool pays for compiling its source.
    for tool in ("ember", "numba"):
        runner.worker(tool, "compile-ptx", env=cuda_env)
    runner.worker("ember", "compile-hsaco")
    runner.samples.clear()
    runner.errors.clear()

    print("  (a) compile to PTX and to a HSACO, fresh processes", flush=True)
    for _ in range(reps(5)):
        for tool in ("ember", "numba"):
            runner.worker(tool, "compile-ptx", keys=("compile-ptx", "import"), env=cuda_env)
        runner.worker("ember", "compile-hsaco", keys=("compile-hsaco",))

    print("  (b) saxpy on the CPU path", flush=True)
    n = 1_000_000 if quick else SAXPY_N
    threads = os.cpu_count() or 1
    for _ in range(reps(3)):
        runner.worker("ember", "saxpy", n, reps(7), threads,
                      keys=(f"saxpy-kernel-t{threads}", "saxpy-jit"))
        if threads > 1:
            runner.worker("ember", "saxpy", n, reps(7), 1, keys=("saxpy-kernel-t1",))

    print(f"  (c) tiled matmul: {SIM_SIZE}x{SIM_SIZE} on the simulator, ember at "
          f"{SIM_SIZE} and {BIG_SIZE}", flush=True)
    for _ in range(reps(3)):
        runner.worker("numba", "matmul", SIM_SIZE, 1, False, keys=(f"matmul-kernel-{SIM_SIZE}",),
                      env={"NUMBA_ENABLE_CUDASIM": "1"})
        runner.worker("ember", "matmul", SIM_SIZE, reps(7), False,
                      keys=(f"matmul-kernel-{SIM_SIZE}",))
    big = 128 if quick else BIG_SIZE
    for _ in range(reps(3)):
        runner.worker("ember", "matmul", big, reps(5), True,
                      keys=(f"matmul-kernel-{big}", f"matmul-jit-{big}"))

    sim, small = runner.number(f"matmul-kernel-{SIM_SIZE}", "numba"), runner.number(
        f"matmul-kernel-{SIM_SIZE}", "ember")
    at_big = runner.number(f"matmul-kernel-{big}", "ember")
    if sim and small and at_big:
        # The simulator's work is one Python-level step per thread and tile element: m**3.
        estimate = sim * (big / SIM_SIZE) ** 3
        notes.append(f"Not measured, estimated: at {big}x{big} the simulator would take about "
                     f"{estimate / 60e3:,.0f} minutes ({SIM_SIZE}x{SIM_SIZE}'s time times "
                     f"({big}/{SIM_SIZE})^3), about {estimate / at_big:,.0f}x ember's "
                     f"{at_big:,.0f} ms.")

    print("  (d) on a GPU", flush=True)
    info = runner.worker("ember", "gpu-info")
    gpu = info.get("items", {}).get("gpu", {}) if info.get("ok") else {
        "available": False, "reason": info.get("error", "?")}
    v = runner.value
    e_compile, n_compile = v("compile-ptx", "ember"), v("compile-ptx", "numba")
    rows = [
        GpuRow("compile a first kernel to PTX, fresh process", "ms", e_compile, n_compile,
               "numba-cuda compile_ptx", "≤ 1/5 of numba's time", 5.0),
        GpuRow("compile the same kernel to a HSACO (gfx942), fresh process", "ms",
               v("compile-hsaco", "ember"), e_compile, "ember's PTX compile above",
               "≤ 1.5x the PTX time", 1 / 1.5),
        GpuRow("import of the cuda module", "ms", v("import", "ember"), v("import", "numba"),
               "numba-cuda"),
        GpuRow("import + first compile", "ms", v("import+compile", "ember"),
               v("import+compile", "numba"), "numba-cuda"),
        GpuRow(f"saxpy kernel, CPU path, {threads} threads, 10^{len(str(n)) - 1} float32", "GB/s",
               v(f"saxpy-kernel-t{threads}", "ember"), v("saxpy-jit", "ember"),
               "@ember.jit loop, 1 thread", "≥ 80 % of @jit", 0.8),
    ]
    if threads > 1:
        rows.append(GpuRow("saxpy kernel, CPU path, 1 thread", "GB/s",
                           v("saxpy-kernel-t1", "ember"), v("saxpy-jit", "ember"),
                           "@ember.jit loop, 1 thread"))
    rows += [
        GpuRow(f"tiled matmul kernel {SIM_SIZE}x{SIM_SIZE}, CPU path", "ms",
               v(f"matmul-kernel-{SIM_SIZE}", "ember"), v(f"matmul-kernel-{SIM_SIZE}", "numba"),
               "numba's CUDA simulator", "≥ 100x the simulator", 100.0, digits=2),
        GpuRow(f"tiled matmul kernel {big}x{big}, CPU path", "ms",
               v(f"matmul-kernel-{big}", "ember"), v(f"matmul-jit-{big}", "ember"),
               "@ember.jit triple loop"),
    ]
    if gpu.get("available"):
        print("    a GPU is present:", gpu.get("name"), flush=True)
        for tool in ("ember", "numba"):
            for _ in range(reps(3)):
                runner.worker(tool, "launch", reps(5), keys=("launch-empty1", "launch-empty16",
                                                             "gpu-saxpy"), env=cuda_env)
        rows += [
            GpuRow("launch, empty kernel, 1 array", "µs", v("launch-empty1", "ember"),
                   v("launch-empty1", "numba"), "numba-cuda", digits=2),
            GpuRow("launch, empty kernel, 16 arrays", "µs", v("launch-empty16", "ember"),
                   v("launch-empty16", "numba"), "numba-cuda", digits=2),
            GpuRow("saxpy 2^28 float32 on the GPU", "GB/s", v("gpu-saxpy", "ember"),
                   v("gpu-saxpy", "numba"), "numba-cuda"),
        ]
        notes.append(f"GPU: {gpu.get('name')}.  The ≤ 3 µs launch budget (H100/H200) and the "
                     "≥ 85 % of memory bandwidth budget are judged by hand against the device's "
                     "specification.")
    else:
        why = gpu.get("reason", "?")
        print(f"    skipped: no GPU ({why})", flush=True)
        notes.append(f"**(d) skipped: no GPU on this machine** (`ember._cuda.Driver()`: {why}). "
                     "The launch-overhead rows (an empty kernel with 1 and 16 arrays against "
                     "numba-cuda; budget ≤ 3 µs with one array on an H100/H200) and the GPU "
                     "saxpy at ≥ 85 % of the device's memory bandwidth await a device.")
    return rows, notes, runner


def describe(threads: int) -> list[str]:
    return [
        "Written by `benchmarks/gpu.py` (`make bench-gpu`), which installs numba-cuda into the "
        "venv when it is missing.",
        "",
        "What each row is:",
        "",
        "* **compile a first kernel to PTX**: a fresh process imports the tool's `cuda` module "
        "(timed on its own, the import row), then `cuda.compile_ptx(saxpy, "
        "\"void(float32, float32[:], float32[:], float32[:])\", cc=(8, 0))`, the first compile "
        "in the process; 5 processes per tool, alternating, after one untimed process each that "
        "fills the bytecode cache.  numba-cuda compiles through the CUDA toolkit's NVVM, ember "
        "through LLVM's NVPTX back end (linking libdevice only when the kernel calls math).",
        "* **compile the same kernel to a HSACO**: a fresh process imports `ember.hip`, then "
        "`hip.compile_hsaco(saxpy, ..., arch=\"gfx942\")`: LLVM's AMDGPU back end to an object, "
        "linked by lld in process into a code object; 5 processes, after the PTX ones, compared "
        "with ember's PTX compile (budget: at most 1.5x its time).",
        f"* **saxpy kernel, CPU path**: `out[i] = a * x[i] + y[i]` as a kernel (`cuda.grid(1)`, "
        f"256 threads per block) launched with `EMBER_CUDA_CPU=1` on device arrays, with "
        f"ember's default thread count ({threads}, the blocks spread over the thread "
        f"pool) and on 1 thread; against the `@ember.jit` loop of the same statement (serial). "
        f"GB/s count 12 bytes/element; 7 runs after 2 warm-up runs in each of 3 processes, "
        f"checked against NumPy.",
        f"* **tiled matmul**: 16x16 tiles in two `cuda.shared.array`s, two `syncthreads()` per "
        f"step (ember runs each block's threads as fibers).  numba's simulator "
        f"(`NUMBA_ENABLE_CUDASIM=1`, one Python thread per GPU thread) at {SIM_SIZE}x{SIM_SIZE} "
        f"only, one run in each of 3 processes; the ratio is the simulator's time over ember's at "
        f"the same size.  At {BIG_SIZE}x{BIG_SIZE} the comparison is the `@ember.jit` i-j-k "
        f"triple loop (serial).  Each result is checked against `a @ b`.",
        "* **ember's speed** is how many times faster ember's row is than what it is compared "
        "with (the other's time over ember's, or ember's GB/s over the other's): above 1x "
        "ember is faster.",
        "* Budgets (issue 9): PTX compile at most 1/5 of numba-cuda's, the CPU-path saxpy "
        "kernel at least 80 % of the `@jit` loop, the matmul kernel at least 100x the "
        "simulator.",
    ]


def render(rows, notes, machine, runner) -> str:
    text, errors = table(rows)
    parts = [f"<!-- section: {SECTION} -->", f"## {TITLE}", "", text, ""]
    if errors:
        parts += ["Errors:", ""] + [f"{i}. `{t}`" for i, t in enumerate(errors, 1)] + [""]
    parts += [*describe(os.cpu_count() or 1), ""]
    for note in notes:
        parts += [note, ""]
    try:
        from importlib.metadata import version
        versions = f"numba-cuda {version('numba-cuda')}, cuda-bindings {version('cuda-bindings')}"
    except Exception as exc:  # noqa: BLE001 - a missing package is reported, not fatal
        versions = f"numba-cuda's version unknown ({harness.error_text(exc)})"
    home = worker_env().get("CUDA_HOME", "unset")
    parts += [f"{versions}; `CUDA_HOME={home}` in the workers (numba-cuda's NVVM and "
              "libdevice, ember's libdevice).", ""]
    if runner.loads:
        parts += [f"1-minute load average as the workers started: median "
                  f"{statistics.median(runner.loads):.1f}, max {max(runner.loads):.1f} on "
                  f"{os.cpu_count()} cores (the benchmark itself accounts for about 1).", ""]
    parts += ["Environment:", "", *machine_lines(machine), "", f"<!-- /section: {SECTION} -->",
              ""]
    return "\n".join(parts)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--no-install", action="store_true", help="do not pip-install numba-cuda")
    p.add_argument("--no-write", action="store_true", help=f"do not rewrite {DOC}")
    p.add_argument("--quick", action="store_true", help="small sizes; implies --no-write")
    p.add_argument("--json", metavar="PATH", help="also save the raw samples as JSON")
    p.add_argument("--worker", metavar="TOOL", help=argparse.SUPPRESS)
    p.add_argument("--task", help=argparse.SUPPRESS)
    p.add_argument("args", nargs="*", help=argparse.SUPPRESS)
    opts = p.parse_args(argv)
    if opts.worker:
        return worker_main(opts.worker, opts.task, opts.args)

    started = time.perf_counter()
    missing: dict[str, str] = {}
    why = ensure_numba_cuda(not opts.no_install)
    if why:
        print(f"numba column left empty: {why}")
        missing["numba"] = why
    print("describing the machine ...", flush=True)
    machine = describe_machine(GpuRunner(("ember", "numba"), missing))
    print(f"section {SECTION}: {TITLE}", flush=True)
    rows, notes, runner = run(missing, opts.quick)
    text, errors = table(rows)
    print(f"\n## {TITLE}\n\n{text}\n")
    for i, t in enumerate(errors, 1):
        print(f"  error [{i}]: {t}")
    for note in notes:
        print(f"  note: {note}")
    verdicts = [r.verdict() for r in rows if r.min_speed is not None]
    print(f"  budgets: {sum('PASS' in v for v in verdicts)} of {len(verdicts)} pass")
    print("\n".join(machine_lines(machine)))
    if not opts.no_write and not opts.quick:
        write_doc({SECTION: render(rows, notes, machine, runner)})
        print(f"\nwrote {DOC.relative_to(ROOT)}")
    if opts.json:
        raw = {f"{k}|{t}": s for (k, t), s in runner.samples.items()}
        raw["errors"] = {f"{k}|{t}": s for (k, t), s in runner.errors.items()}
        Path(opts.json).write_text(json.dumps(raw, indent=1))
    print(f"total {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
