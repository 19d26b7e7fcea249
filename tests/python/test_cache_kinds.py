"""The on-disk cache for the kinds of compiled code beyond plain @jit functions: functions that
raise and catch user-defined exception classes, @vectorize without signatures (DUFunc), `with
objmode()` blocks, and functions iterating over jitted generators.

Each kind runs twice in fresh processes over one module: the first compiles and stores, the
second must load every signature without compiling (no ``ember._compiler`` imported, no LLVM in
/proc/self/maps) and give the same results as Python.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

REPORT = """
import json, sys
from ember import cache
def report(**extra):
    maps = open('/proc/self/maps').read()
    print(json.dumps(dict(extra, stats=cache.stats,
                          compiler_imported='ember._compiler' in sys.modules,
                          llvm_mapped='LLVM' in maps or '_compiler' in maps)))
"""


def run_python(code: str, cwd):
    """Runs `code` in a fresh interpreter (cwd importable, its own cache directory beside the
    module); returns the JSON object its last output line holds, and its stderr."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(cwd), ROOT])
    env.pop("EMBER_CACHE", None)
    env.pop("EMBER_CACHE_DIR", None)
    r = subprocess.run([sys.executable, "-c", textwrap.dedent(REPORT + code)], cwd=cwd, env=env,
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout.strip().splitlines()[-1]), r.stderr


def twice(tmp_path, module: str, calls: str, entries: int):
    """Writes `module` as kinds_mod.py, runs `calls` in two fresh processes; checks that the
    first stored `entries` entries and the second loaded them all without the compiler, and
    returns both reports."""
    (tmp_path / "kinds_mod.py").write_text(textwrap.dedent(module))
    first, err1 = run_python(calls, tmp_path)
    assert first["stats"]["stores"] == entries, (first, err1)
    assert "CacheWarning" not in err1, err1
    second, err2 = run_python(calls, tmp_path)
    assert second["stats"]["hits"] == entries and second["stats"]["misses"] == 0, (second, err2)
    assert second["stats"]["stores"] == 0
    assert not second["compiler_imported"], "the compiler was imported on a cache hit"
    assert not second["llvm_mapped"], "LLVM is mapped after a cache hit"
    assert "Warning" not in err2, err2
    return first, second


# ---- user-defined exception classes ---------------------------------------------------------

EXCEPTIONS = '''
import ember

class Custom(ValueError):
    pass

class Deeper(Custom):
    pass

@ember.jit(cache=True)
def check(x):
    if x < 0:
        raise Custom("negative")
    if x > 100:
        raise Deeper("too large")
    return x

@ember.jit(cache=True)
def guarded(x):
    try:
        return check(x)
    except Deeper:
        return -2
    except Custom:
        return -1

@ember.jit(cache=True)
def lookup(x):
    if x < 0:
        raise LookupError("a builtin class without a fixed id")
    return x
'''

EXCEPTION_CALLS = """
import kinds_mod as m
out = {"check": m.check(3), "guarded": [m.guarded(5), m.guarded(-5), m.guarded(500)],
       "lookup": m.lookup(2)}
for name, f, x, cls in (("custom", m.check, -1, m.Custom), ("deeper", m.check, 101, m.Deeper),
                        ("lookup_raised", m.lookup, -1, LookupError)):
    try:
        f(x)
        out[name] = "no exception"
    except Exception as exc:
        out[name] = [type(exc) is cls, str(exc)]
report(**out)
"""


def test_user_exception_classes_load_from_the_cache_and_raise_in_a_new_process(tmp_path):
    first, second = twice(tmp_path, EXCEPTIONS, EXCEPTION_CALLS, 3)
    for r in (first, second):
        assert r["check"] == 3 and r["lookup"] == 2
        assert r["guarded"] == [5, -1, -2]
        assert r["custom"] == [True, "negative"]
        assert r["deeper"] == [True, "too large"]
        assert r["lookup_raised"] == [True, "a builtin class without a fixed id"]


def test_exception_ids_are_stable_and_distinct():
    """A user class's id is a hash of its module and qualname: the same for a class of the same
    name made again (another process), distinct classes of one name probe to another id."""
    import ember
    from ember import _ember

    def make():
        return type("StableIdProbe", (Exception,), {"__module__": "kinds_probe"})
    a, b = make(), make()
    ida, idb = _ember.register_exception(a), _ember.register_exception(b)
    assert ida != idb and ida >= 64 and idb >= 64
    assert _ember.register_exception(a) == ida  # registered once
    assert _ember.register_exception(ValueError) == 3  # builtin ids are fixed
    assert ember.__name__ == "ember"


# ---- @vectorize without signatures (DUFunc) -------------------------------------------------

DUFUNC = '''
import ember
import numpy as np

@ember.vectorize(cache=True)
def axpy(x, y):
    return 2 * x + y
'''

DUFUNC_CALLS = """
import numpy as np
import kinds_mod as m
import ember
a = np.linspace(0.0, 1.0, 11)
i = np.arange(5)
f = m.axpy(a, a)
n = m.axpy(i, i)
kernel = ember.ufunc.ufunc_kernels[id(m.axpy)]
report(f=f.tolist(), n=n.tolist(), ndtype=str(n.dtype), types=m.axpy.types,
       compiles=kernel._compiles)
"""


def test_dufunc_loops_load_from_the_cache(tmp_path):
    import numpy as np
    first, second = twice(tmp_path, DUFUNC, DUFUNC_CALLS, 2)
    assert first["compiles"] == 2 and second["compiles"] == 0
    a = np.linspace(0.0, 1.0, 11)
    for r in (first, second):
        assert r["f"] == (2 * a + a).tolist()
        assert r["n"] == [0, 3, 6, 9, 12] and r["ndtype"] == "int64"
    assert second["types"] == first["types"]


# ---- `with objmode()` blocks ----------------------------------------------------------------

OBJMODE = '''
import ember
import numpy as np

def python_median(a):
    return float(np.median(a))

@ember.jit(cache=True)
def middle(a):
    s = a.sum()
    with ember.objmode(m="float64", label="unicode_type"):
        m = python_median(a)
        label = "median=" + str(m)
    return s + m, label

@ember.jit(cache=True)
def calls_middle(a):
    total, label = middle(a)
    return total * 2.0
'''

OBJMODE_CALLS = """
import numpy as np
import kinds_mod as m
a = np.array([3.0, 1.0, 2.0, 10.0])
total, label = m.middle(a)
report(total=total, label=label, twice=m.calls_middle(a),
       compiles=m.middle._compiles + m.calls_middle._compiles)
"""


def test_objmode_blocks_load_from_the_cache(tmp_path):
    first, second = twice(tmp_path, OBJMODE, OBJMODE_CALLS, 2)
    assert second["compiles"] == 0
    for r in (first, second):
        assert r["total"] == 16.0 + 2.5 and r["label"] == "median=2.5"
        assert r["twice"] == 2 * (16.0 + 2.5)


# ---- functions iterating over generators ----------------------------------------------------

GENERATORS = '''
import ember
import numpy as np

@ember.jit
def squares(n):
    for i in range(n):
        yield i * i

@ember.jit(cache=True)
def sum_squares(n):
    s = 0
    for v in squares(n):
        s += v
    return s

@ember.jit(cache=True)
def inner_generator(a):
    def evens(a):
        for x in a:
            if x % 2 == 0:
                yield x
    return sum(evens(a)) + max(x * 3 for x in a)
'''

GENERATOR_CALLS = """
import numpy as np
import kinds_mod as m
report(sq=m.sum_squares(10), inner=int(m.inner_generator(np.arange(7))),
       compiles=m.sum_squares._compiles + m.inner_generator._compiles)
"""


def test_functions_calling_generators_load_from_the_cache(tmp_path):
    first, second = twice(tmp_path, GENERATORS, GENERATOR_CALLS, 2)
    assert second["compiles"] == 0
    for r in (first, second):
        assert r["sq"] == sum(i * i for i in range(10))
        assert r["inner"] == (0 + 2 + 4 + 6) + 18


@pytest.mark.parametrize("kind", ["exceptions", "objmode"])
def test_editing_the_module_recompiles(tmp_path, kind):
    """The key covers what the new kinds add (exception classes, blocks): an edited module is a
    miss, and the new code runs."""
    module, calls, entries = {"exceptions": (EXCEPTIONS, EXCEPTION_CALLS, 3),
                              "objmode": (OBJMODE, OBJMODE_CALLS, 2)}[kind]
    twice(tmp_path, module, calls, entries)
    if kind == "exceptions":
        edited = module.replace('Custom("negative")', 'Custom("below zero")')
    else:
        edited = module.replace('"median=" + str(m)', '"m=" + str(m)')
    (tmp_path / "kinds_mod.py").write_text(textwrap.dedent(edited))
    third, _ = run_python(calls, tmp_path)
    assert third["stats"]["stores"] >= 1
    if kind == "exceptions":
        assert third["custom"] == [True, "below zero"]
    else:
        assert third["label"] == "m=2.5"
