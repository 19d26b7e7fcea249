"""Cached functions in a new process, ember's on-disk cache against numba's cache=True, in one run.

1. Start-up: a module of 20 small jitted functions with cache=True is written once per tool
   (the same source; ``ember.jit`` or ``numba.njit``) into a temporary directory; one process
   compiles them (filling the cache), then fresh processes import the tool and the module and make
   the first call of 1 and then of all 20 functions, timed inside the process with perf_counter
   (the interpreter's and NumPy's start-up excluded; the tool's import included).  Every warm
   process must have compiled nothing (ember: ``_compiles``; numba: its cache hit counters).
2. Dask: the time to the result of a 4-partition ``map_blocks`` of a cached kernel on a
   ``LocalCluster`` with 2 process workers, started beforehand (not timed): cold (an empty
   cache) and warm (a new cluster whose workers find the cache filled).  The kernel module is
   importable by the workers (by reference, as a package's would be).

Medians are printed and, unless --no-write, written to docs/performance.md (section "cache").

    python benchmarks/cache_hit.py [--runs 9] [--dask-runs 3] [--no-dask] [--no-write]
"""
from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
N = 20
TOOLS = ("ember", "numba")
JIT = {"ember": "import ember\njit = ember.jit\n", "numba": "import numba\njit = numba.njit\n"}

BODY = "".join(
    f"@jit(cache=True)\ndef f{i}(a, k):\n    s = 0.0\n    for j in range(a.shape[0]):\n"
    f"        s += np.sqrt(a[j]) * k + {i}\n    return s\n\n" for i in range(N))

# The counts a warm process must show: nothing compiled, everything from the cache.
COMPILED = {
    "ember": "sum(f._compiles for f in fs)",
    "numba": "sum(sum(f.stats.cache_misses.values()) for f in fs)",
}

PROBE = """
import json, sys, time
import numpy as np
P = time.perf_counter
t0 = P()
import {tool}
import cached_funcs as m
t1 = P()
a = np.arange(100.0)
m.f0(a, 2.0)
t2 = P()
for i in range(1, {n}):
    getattr(m, f"f{{i}}")(a, 2.0)
t3 = P()
fs = [getattr(m, f"f{{i}}") for i in range({n})]
print(json.dumps(dict(import_ms=(t1 - t0) * 1e3, first_ms=(t2 - t1) * 1e3,
                      each_ms=(t3 - t2) * 1e3 / ({n} - 1), compiled={compiled},
                      one_ms=(t2 - t0) * 1e3, all_ms=(t3 - t0) * 1e3,
                      llvm=any('libLLVM' in l or 'llvmlite' in l
                               for l in open('/proc/self/maps')))))
"""

DASK_KERNEL = """import math
import numpy as np
{jit}

@jit(cache=True)
def smooth_block(block):
    out = np.empty_like(block)
    for i in range(block.shape[0]):
        a = 1.0 + abs(block[i])
        y = math.sqrt(a)
        for _ in range(12):
            y = y - (y * y * y - a) / (3.0 * y * y)
        out[i] = y
    return out


def compiles():  # this worker's compiles of smooth_block (0: loaded from the cache)
    return {compiles}
"""

WORKER_COMPILES = {"ember": "smooth_block._compiles",
                   # numba rebuilds a pickled dispatcher apart from the module's: count all
                   "numba": "sum(sum(d.stats.cache_misses.values()) for d in "
                            "list(numba.core.dispatcher.Dispatcher._memo.values()))"}

DASK_DRIVER = """
import json, logging, time
import numpy as np
import dask.array as da
from distributed import Client, LocalCluster
import dask_kernels
if __name__ == "__main__":
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None, silence_logs=logging.ERROR) as lc, \\
            Client(lc) as client:
        client.wait_for_workers(2)
        x = np.linspace(-50.0, 50.0, 400_000)
        t0 = time.perf_counter()
        y = da.from_array(x, chunks=100_000).map_blocks(
            dask_kernels.smooth_block, dtype=np.float64, meta=np.empty(0)).compute()
        took = time.perf_counter() - t0
        compiles = sum(client.run(dask_kernels.compiles).values())
        assert np.array_equal(y, dask_kernels.smooth_block(x))
    print(json.dumps(dict(result_ms=took * 1e3, compiles=compiles)))
"""


def tool_env(folder: str, tool: str) -> dict:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([folder, ROOT]))
    for var in ("EMBER_CACHE", "NUMBA_DISABLE_JIT"):
        env.pop(var, None)
    if tool == "ember":
        env["EMBER_CACHE_DIR"] = os.path.join(folder, "cache")
    else:
        env["NUMBA_CACHE_DIR"] = os.path.join(folder, "cache")
    return env


def run_json(cmd, folder, env) -> dict:
    r = subprocess.run(cmd, cwd=folder, env=env, capture_output=True, text=True, timeout=900)
    if r.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd[:2])} failed:\n{r.stderr[-3000:]}")
    return json.loads(r.stdout.strip().splitlines()[-1])


def startup(tool: str, runs: int) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        with open(os.path.join(folder, "cached_funcs.py"), "w") as f:
            f.write("import numpy as np\n" + JIT[tool] + "\n" + BODY)
        env = tool_env(folder, tool)
        probe = PROBE.format(tool=tool, n=N, compiled=COMPILED[tool])
        cold = run_json([sys.executable, "-c", probe], folder, env)
        warm, wall = [], []
        for _ in range(runs):
            t0 = time.perf_counter()
            warm.append(run_json([sys.executable, "-c", probe], folder, env))
            wall.append((time.perf_counter() - t0) * 1e3)
    bad = [w for w in warm if w["compiled"]]
    if bad:
        raise RuntimeError(f"{tool}: a warm process compiled {bad[0]['compiled']} functions")
    out = {k: statistics.median(w[k] for w in warm)
           for k in ("import_ms", "first_ms", "each_ms", "one_ms", "all_ms")}
    out["process_ms"] = statistics.median(wall)
    out["cold_each_ms"] = (cold["first_ms"] + (N - 1) * cold["each_ms"]) / N
    out["llvm_mapped"] = any(w["llvm"] for w in warm)
    return out


def dask_map(tool: str, runs: int) -> dict:
    cold, warm = [], []
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as folder:
            with open(os.path.join(folder, "dask_kernels.py"), "w") as f:
                f.write(DASK_KERNEL.format(jit=JIT[tool], compiles=WORKER_COMPILES[tool]))
            with open(os.path.join(folder, "driver.py"), "w") as f:
                f.write(DASK_DRIVER)
            env = tool_env(folder, tool)
            cmd = [sys.executable, "driver.py"]
            cold.append(run_json(cmd, folder, env))
            warm.append(run_json(cmd, folder, env))
    return {"cold_ms": statistics.median(r["result_ms"] for r in cold),
            "warm_ms": statistics.median(r["result_ms"] for r in warm),
            "cold_compiles": max(r["compiles"] for r in cold),
            "warm_compiles": max(r["compiles"] for r in warm)}


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def numba_note(res: dict) -> str:
    warm = res["numba"].get("dask", {}).get("warm_compiles", 0)
    if not warm:
        return ""
    return (f"  With a warm cache numba's workers still compiled ({warm} in a run): the "
            "dispatchers Dask unpickled missed its cache.")


def render(res: dict, args, load: str) -> str:
    e, n = res["ember"]["startup"], res["numba"]["startup"]
    rows = [
        ("import the tool and the module (ms)", "import_ms", ""),
        ("first call of the first function (ms)", "first_ms", ""),
        ("first call of each further function (ms)", "each_ms",
         f"≤ 1 ms: {verdict(e['each_ms'] <= 1.0)}"),
        ("import + first call of 1 function (ms)", "one_ms", ""),
        (f"import + first calls of {N} functions (ms)", "all_ms",
         f"≤ 1/10 numba: {verdict(e['all_ms'] <= n['all_ms'] / 10)}"),
        ("whole process, from outside (ms)", "process_ms", ""),
        ("compiling, per function (cold cache, ms)", "cold_each_ms", ""),
    ]
    lines = ["<!-- section: cache -->", "## Cached functions in a new process, and Dask", "",
             "| measurement | ember | numba | ember/numba | budget |",
             "|---|---:|---:|---:|---|"]
    for label, key, budget in rows:
        lines.append(f"| {label} | {e[key]:.2f} | {n[key]:.2f} | {e[key] / n[key]:.3f} | "
                     f"{budget} |")
    if "dask" in res["ember"]:
        for state in ("cold", "warm"):
            ed, nd = res["ember"]["dask"][f"{state}_ms"], res["numba"]["dask"][f"{state}_ms"]
            lines.append(f"| Dask, 4-partition map on 2 process workers, {state} cache: time "
                         f"to result (ms) | {ed:.0f} | {nd:.0f} | {ed / nd:.2f} | |")
            ec, nc = (res[t]["dask"][f"{state}_compiles"] for t in TOOLS)
            lines.append(f"| ... compiles on the workers, {state} cache (most in a run) | {ec} "
                         f"| {nc} | | |")
    lines += [
        "",
        f"`benchmarks/cache_hit.py --runs {args.runs} --dask-runs {args.dask_runs}`: medians "
        f"of {args.runs} fresh processes per tool (times inside the process, the interpreter "
        "and NumPy start-up excluded, the tool's import included), each warm process checked "
        "to have compiled nothing (ember's `_compiles`, numba's cache-miss counters).  "
        f"LLVM mapped in a warm process: ember {e['llvm_mapped']}, numba {n['llvm_mapped']}.  "
        "Dask: medians of "
        f"{args.dask_runs} runs, each a new LocalCluster (started before the clock), 4 x 10^5 "
        "float64 elements, 12 Newton steps per element; cold = an empty cache directory, warm "
        "= a new cluster on the filled one.  numba's workers each compile on a miss; ember's "
        "compile once per machine (the entry lock)." + numba_note(res),
        "",
        f"Run {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC on "
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, numba {res['numba_version']}; load average {load} "
        "(a shared machine: upper bounds).",
        "",
        "<!-- /section: cache -->",
        ""]
    return "\n".join(lines)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--runs", type=int, default=9)
    p.add_argument("--dask-runs", type=int, default=3)
    p.add_argument("--no-dask", action="store_true")
    p.add_argument("--no-write", action="store_true")
    p.add_argument("--no-install", action="store_true", help="do not pip-install numba")
    args = p.parse_args()
    sys.path.insert(0, HERE)
    import harness
    missing = harness.ensure_numba(not args.no_install)
    if missing:
        sys.exit(f"cache_hit.py compares with numba: {missing}")
    import numba
    load_before = os.getloadavg()[0]
    res = {"numba_version": numba.__version__}
    for tool in TOOLS:
        res[tool] = {"startup": startup(tool, args.runs)}
        s = res[tool]["startup"]
        print(f"{tool}: import {s['import_ms']:.1f} ms, first function {s['first_ms']:.2f} ms, "
              f"each further {s['each_ms']:.3f} ms, 1 function {s['one_ms']:.1f} ms, "
              f"{N} functions {s['all_ms']:.1f} ms (compiling: {s['cold_each_ms']:.1f} ms each)",
              flush=True)
    if not args.no_dask:
        for tool in TOOLS:
            res[tool]["dask"] = d = dask_map(tool, args.dask_runs)
            print(f"{tool}: Dask 4-partition map, time to result: cold {d['cold_ms']:.0f} ms "
                  f"({d['cold_compiles']} compiles), warm {d['warm_ms']:.0f} ms "
                  f"({d['warm_compiles']} compiles)", flush=True)
    load = f"{load_before:.1f}-{os.getloadavg()[0]:.1f}"
    text = render(res, args, load)
    print(text)
    if not args.no_write:
        harness.write_doc({"cache": text})


if __name__ == "__main__":
    main()
