"""How long a new process takes to load cached functions (ember's on-disk cache, ember/cache.py).

Writes a module of 20 small jitted functions with cache=True into a temporary directory, runs one
process that compiles them (filling the cache), then several fresh processes that import the
module and make the first call of 1 and of all 20 functions, timed inside the process with
perf_counter (the interpreter and NumPy start-up excluded).  Prints the medians: the first call
of the first function (it also pays the cache module's one-time work: reading ember's build
stamp and the CPU's identity) and the per-function cost of the other 19.

    python benchmarks/cache_hit.py [--runs 7]
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
N = 20

MODULE = "import numpy as np\nimport ember\n\n" + "".join(
    f"@ember.jit(cache=True)\ndef f{i}(a, k):\n    s = 0.0\n    for j in range(a.shape[0]):\n"
    f"        s += np.sqrt(a[j]) * k + {i}\n    return s\n\n" for i in range(N))

PROBE = f"""
import json, sys, time
import numpy as np
P = time.perf_counter
t0 = P()
import ember
import cached_funcs as m
t1 = P()
a = np.arange(100.0)
m.f0(a, 2.0)
t2 = P()
for i in range(1, {N}):
    getattr(m, f"f{{i}}")(a, 2.0)
t3 = P()
compiles = sum(getattr(m, f"f{{i}}")._compiles for i in range({N}))
print(json.dumps(dict(import_ms=(t1 - t0) * 1e3, first_ms=(t2 - t1) * 1e3,
                      each_ms=(t3 - t2) * 1e3 / {N - 1}, compiles=compiles,
                      compiler='ember._compiler' in sys.modules)))
"""


def run(folder, env):
    r = subprocess.run([sys.executable, "-c", PROBE], cwd=folder, env=env, capture_output=True,
                       text=True, check=True)
    return json.loads(r.stdout.strip().splitlines()[-1])


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--runs", type=int, default=7)
    args = p.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        with open(os.path.join(folder, "cached_funcs.py"), "w") as f:
            f.write(MODULE)
        env = dict(os.environ, PYTHONPATH=os.pathsep.join([folder, ROOT]),
                   EMBER_CACHE_DIR=os.path.join(folder, "cache"))
        cold = run(folder, env)
        print(f"cold (compiling {N}): first call {cold['first_ms']:.1f} ms, "
              f"each other {cold['each_ms']:.1f} ms")
        warm = [run(folder, env) for _ in range(args.runs)]
        assert all(w["compiles"] == 0 and not w["compiler"] for w in warm)
        med = {k: statistics.median(w[k] for w in warm) for k in ("import_ms", "first_ms",
                                                                 "each_ms")}
        print(f"cache hit, medians of {args.runs} processes: import ember + module "
              f"{med['import_ms']:.1f} ms; first function {med['first_ms']:.2f} ms; "
              f"each further function {med['each_ms']:.3f} ms; all {N}: "
              f"{med['first_ms'] + (N - 1) * med['each_ms']:.1f} ms")


if __name__ == "__main__":
    main()
