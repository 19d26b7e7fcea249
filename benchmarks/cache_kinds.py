"""The first call in a new process of a cached function of each kind, ember against numba.

Kinds beyond plain functions (benchmarks/cache_hit.py has those): a function raising a
user-defined exception class, a ``@vectorize`` without signatures (DUFunc), a function with a
``with objmode()`` block, and a function iterating over a jitted generator.  For each kind and
tool one module is written into a temporary directory (the same source with ``ember`` or
``numba``), one process fills the cache, then fresh processes import the tool and the module
and make the first call, timed inside the process (the interpreter's and NumPy's start-up
excluded).  ember's warm processes must have compiled nothing and imported no compiler.

    python benchmarks/cache_kinds.py [--runs 7] [--no-write]
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

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
TOOLS = ("ember", "numba")
HEADER = {
    "ember": "import numpy as np\nimport ember as tool\nfrom ember import jit, vectorize, "
             "objmode\n",
    "numba": "import numpy as np\nimport numba as tool\nfrom numba import njit as jit, "
             "vectorize, objmode\n",
}

KINDS = {
    "exception": ('''
class Negative(ValueError):
    pass

@jit(cache=True)
def f(a):
    s = 0.0
    for i in range(a.shape[0]):
        if a[i] < 0:
            raise Negative("negative element")
        s += a[i]
    return s
''', "m.f(a)"),
    "DUFunc (vectorize, no signatures)": ('''
@vectorize(cache=True)
def f(x, y):
    return 2.0 * x + y
''', "m.f(a, a)"),
    "objmode block": ('''
@jit(cache=True)
def f(a):
    s = a.sum()
    with objmode(m="float64"):
        m = float(np.median(a))
    return s + m
''', "m.f(a)"),
    "generator": ('''
@jit
def gen(a):
    for i in range(a.shape[0]):
        yield a[i] * a[i]

@jit(cache=True)
def f(a):
    s = 0.0
    for v in gen(a):
        s += v
    return s
''', "m.f(a)"),
}

PROBE = """
import json, sys, time
import numpy as np
P = time.perf_counter
t0 = P()
import {tool}
import kind_mod as m
t1 = P()
a = np.arange(100.0)
{call}
t2 = P()
print(json.dumps(dict(import_ms=(t1 - t0) * 1e3, first_ms=(t2 - t1) * 1e3,
                      compiler='ember._compiler' in sys.modules,
                      llvm=any('libLLVM' in l or 'llvmlite' in l
                               for l in open('/proc/self/maps')))))
"""


def run_json(cmd, folder, env) -> dict:
    r = subprocess.run(cmd, cwd=folder, env=env, capture_output=True, text=True, timeout=900)
    if r.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd[:2])} failed:\n{r.stderr[-3000:]}")
    return json.loads(r.stdout.strip().splitlines()[-1])


def measure(tool: str, source: str, call: str, runs: int) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        with open(os.path.join(folder, "kind_mod.py"), "w") as f:
            f.write(HEADER[tool] + source)
        env = dict(os.environ, PYTHONPATH=os.pathsep.join([folder, ROOT]))
        env.pop("EMBER_CACHE", None)
        env["EMBER_CACHE_DIR" if tool == "ember" else "NUMBA_CACHE_DIR"] = \
            os.path.join(folder, "cache")
        probe = PROBE.format(tool=tool, call=call)
        cold = run_json([sys.executable, "-c", probe], folder, env)
        warm = [run_json([sys.executable, "-c", probe], folder, env) for _ in range(runs)]
    if tool == "ember" and any(w["compiler"] for w in warm):
        raise RuntimeError(f"ember: a warm process imported the compiler for {source}")
    return {"first_ms": statistics.median(w["first_ms"] for w in warm),
            "import_ms": statistics.median(w["import_ms"] for w in warm),
            "cold_first_ms": cold["first_ms"],
            "llvm": any(w["llvm"] for w in warm)}


def render(res: dict, runs: int, load: str) -> str:
    lines = ["<!-- section: cache-kinds -->",
             "## Cached functions of other kinds: first call in a new process", "",
             "| kind | ember (ms) | numba (ms) | ember/numba | ember cold (ms) | numba cold (ms) |",
             "|---|---:|---:|---:|---:|---:|"]
    for kind, r in res.items():
        e, n = r["ember"], r["numba"]
        lines.append(f"| {kind} | {e['first_ms']:.2f} | {n['first_ms']:.2f} | "
                     f"{e['first_ms'] / n['first_ms']:.3f} | {e['cold_first_ms']:.1f} | "
                     f"{n['cold_first_ms']:.1f} |")
    versions = f"Python {platform.python_version()}"
    try:
        import numba
        versions += f", numba {numba.__version__}"
    except ImportError:
        pass
    llvm = {t: any(r[t]["llvm"] for r in res.values()) for t in TOOLS}
    lines += ["", f"`benchmarks/cache_kinds.py --runs {runs}`: the first call of one cached "
              "function in a new process (the tool's and the module's import excluded), "
              f"medians of {runs} warm processes after one that filled the cache (its first "
              "call, compiling, is the cold column).  ember's warm processes imported no "
              "compiler (numba's are not checked for cache hits: its figure includes loading "
              "LLVM and whatever it compiled again); on a shared machine the figures are upper "
              f"bounds.  LLVM mapped in a warm process: ember {llvm['ember']}, numba "
              f"{llvm['numba']}.", "",
              f"Run {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC on "
              f"{platform.machine()}, {os.cpu_count()} cores, {versions}; load average {load}.",
              "", "<!-- /section: cache-kinds -->"]
    return "\n".join(lines) + "\n"


def write_section(text: str) -> None:
    path = os.path.join(ROOT, "docs", "performance.md")
    with open(path) as f:
        doc = f.read()
    start, end = "<!-- section: cache-kinds -->", "<!-- /section: cache-kinds -->\n"
    if start in doc:
        a = doc.index(start)
        b = doc.index(end, a) + len(end)
        doc = doc[:a] + text + doc[b:]
    else:
        doc = doc.rstrip("\n") + "\n\n" + text
    with open(path, "w") as f:
        f.write(doc)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--runs", type=int, default=7)
    p.add_argument("--no-write", action="store_true")
    args = p.parse_args()
    res = {}
    for kind, (source, call) in KINDS.items():
        res[kind] = {tool: measure(tool, source, call, args.runs) for tool in TOOLS}
        print(kind, json.dumps(res[kind]), flush=True)
    load = f"{os.getloadavg()[0]:.1f}"
    text = render(res, args.runs, load)
    print(text)
    if not args.no_write:
        write_section(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
