"""The on-disk cache (ember/cache.py): entries written by one process and loaded by another
without LLVM, invalidation through callees in other modules, concurrent writers, damaged
entries, read-only source trees, and the listing tools.

Subprocesses are what the cache is for, and each costs an interpreter start: the tests that
need a fresh process share as few as they can.  Everything else runs in this process, where a
second dispatcher made from the same Python function has the same key as the first.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import warnings

import numpy as np
import pytest

import ember
from ember import cache

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def run_python(code: str, cwd, env_extra=None, check=True):
    """Runs `code` in a fresh interpreter (ember importable, cwd on sys.path); returns the JSON
    object its last output line holds."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(cwd), ROOT])
    env.pop("EMBER_CACHE", None)
    env.pop("EMBER_CACHE_DIR", None)
    env.update(env_extra or {})
    r = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], cwd=cwd, env=env,
                       capture_output=True, text=True, timeout=300)
    if check:
        assert r.returncode == 0, r.stderr
    return json.loads(r.stdout.strip().splitlines()[-1]), r.stderr


# What a process reports after its calls: results, compiles, cache counts, what is mapped.
REPORT = """
import json, sys
from ember import cache
maps = open('/proc/self/maps').read()
def report(**extra):
    print(json.dumps(dict(extra, stats=cache.stats,
                          compiler_imported='ember._compiler' in sys.modules,
                          llvm_mapped='LLVM' in maps or '_compiler' in maps)))
"""


def entry_files(root):
    return sorted(p for p in root.rglob("*" + cache.SUFFIX))


def replace_file(path, data: bytes):
    """Puts `data` at `path` as a new file, as another process would: the file this process
    has mapped (its loaded entry) is left alone."""
    tmp = path.with_suffix(".damaged")
    tmp.write_bytes(data)
    os.replace(tmp, path)


# ---- a fresh process ------------------------------------------------------------------------

MODULE = '''
import numpy as np
import ember

@ember.jit(cache=True)
def total(a, k):
    s = 0.0
    for i in range(a.shape[0]):
        s += np.sin(a[i]) * k
    return s

@ember.jit(cache=True)
def scaled(a, k):
    out = np.empty_like(a)     # an array made in compiled code: the runtime's allocator
    for i in range(a.shape[0]):
        out[i] = np.exp(a[i]) * k
    return out

@ember.vectorize(["float64(float64, float64)"], cache=True)
def hyp(x, y):
    return np.sqrt(x * x + y * y)
'''

CALLS = REPORT + """
import numpy as np
import ember
import cached_mod as m
a = np.linspace(0.0, 1.0, 1001)
t = m.total(a, 2)
s = m.scaled(a, 0.5)
h = float(m.hyp(a, a).sum())
kernel = ember.ufunc.ufunc_kernels[id(m.hyp)]
report(total=t, scaled=float(s.sum()), hyp=h,
       compiles=m.total._compiles + m.scaled._compiles + kernel._compiles)
"""


def test_hit_in_a_fresh_process_maps_no_llvm(tmp_path):
    (tmp_path / "cached_mod.py").write_text(MODULE)
    first, _ = run_python(CALLS, tmp_path)
    assert first["compiles"] == 3 and first["stats"]["stores"] == 3
    assert first["compiler_imported"]
    # the entries sit beside the source
    assert len(entry_files(tmp_path / "__pycache__" / "ember")) == 3
    second, err = run_python(CALLS, tmp_path)
    assert second["stats"]["hits"] == 3 and second["stats"]["misses"] == 0
    assert second["compiles"] == 0
    assert not second["compiler_imported"], "the compiler was imported on a cache hit"
    assert not second["llvm_mapped"], "LLVM is mapped after a cache hit"
    a = np.linspace(0.0, 1.0, 1001)
    assert second["total"] == pytest.approx(float(np.sum(np.sin(a) * 2)), rel=1e-12)
    assert second["scaled"] == pytest.approx(float(np.sum(np.exp(a) * 0.5)), rel=1e-12)
    assert second["hyp"] == pytest.approx(float(np.hypot(a, a).sum()), rel=1e-12)
    assert second["total"] == first["total"] and second["scaled"] == first["scaled"]
    assert "Warning" not in err


def test_editing_a_callee_in_another_module_invalidates_the_caller(tmp_path):
    (tmp_path / "helpers.py").write_text("import ember\n\n@ember.jit\ndef g(x):\n"
                                         "    return x + 1\n")
    (tmp_path / "user.py").write_text("import ember\nimport helpers\n\n"
                                      "@ember.jit(cache=True)\ndef f(x):\n"
                                      "    return helpers.g(x) * 10\n")
    code = REPORT + "import user\nreport(r=user.f(2), compiles=user.f._compiles)\n"
    first, _ = run_python(code, tmp_path)
    assert first["r"] == 30 and first["compiles"] == 1
    again, _ = run_python(code, tmp_path)
    assert again["r"] == 30 and again["compiles"] == 0  # a hit while nothing changed
    (tmp_path / "helpers.py").write_text("import ember\n\n@ember.jit\ndef g(x):\n"
                                         "    return x + 2\n")
    edited, _ = run_python(code, tmp_path)
    assert edited["r"] == 40, "a stale entry was used after its callee changed"
    assert edited["compiles"] == 1
    assert len(entry_files(tmp_path / "__pycache__" / "ember")) == 2


def test_eight_processes_miss_one_function_at_once_one_compiles_all_load_it(tmp_path):
    (tmp_path / "cached_mod.py").write_text(MODULE.split("@ember.jit(cache=True)\ndef scaled")[0])
    shared = tmp_path / "shared-cache"
    env = dict(os.environ, EMBER_CACHE_DIR=str(shared),
               PYTHONPATH=os.pathsep.join([str(tmp_path), ROOT]))
    env.pop("EMBER_CACHE", None)
    # Each writer also reads the entry back as a new process would (cache.load: checksum and
    # dlopen of whatever file is there now, whichever writer renamed it last).
    calls = CALLS.split("s = m.scaled")[0] + "report(total=t, compiles=m.total._compiles)\n"
    code = calls.replace("\nreport(total=", "\nimport glob\nloaded = [cache.load(p) is not None"
                         " for p in glob.glob(cache.user_cache_root() + '/*/*' + cache.SUFFIX)]"
                         "\nreport(loaded=loaded, total=", 1)
    procs = [subprocess.Popen([sys.executable, "-c", code], cwd=tmp_path, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(8)]
    results = []
    for p in procs:
        out, err = p.communicate(timeout=300)
        assert p.returncode == 0, err
        assert "Warning" not in err, err
        results.append(json.loads(out.strip().splitlines()[-1]))
    totals = {r["total"] for r in results}
    assert len(totals) == 1
    # One compile on the machine: the others waited on the entry's lock file and loaded it.
    assert sum(r["compiles"] for r in results) == 1
    assert sum(r["stats"]["stores"] for r in results) == 1
    for r in results:
        assert r["loaded"] == [True]
    assert len(entry_files(shared)) == 1  # one entry, no temporary file left behind
    assert not list(shared.rglob("*.tmp*"))
    final, _ = run_python(calls, tmp_path, {"EMBER_CACHE_DIR": str(shared)})
    assert final["compiles"] == 0 and final["stats"]["hits"] == 1
    assert final["total"] in totals


# ---- in this process ------------------------------------------------------------------------

def _poly(a, k):
    s = 0.0
    for i in range(a.shape[0]):
        s += a[i] * a[i] + k
    return s


def test_second_dispatcher_loads_what_the_first_stored(cache_dir):
    a = np.arange(10.0)
    f1 = ember.jit(cache=True)(_poly)
    assert f1(a, 1.5) == _poly(a, 1.5)
    assert cache.stats["stores"] == 1
    f2 = ember.jit(cache=True)(_poly)
    assert f2(a, 1.5) == _poly(a, 1.5)
    assert f2._compiles == 0 and cache.stats["hits"] == 1
    f2(a, 3)  # another signature (int k): its own entry
    assert cache.stats["stores"] == 2 and len(entry_files(cache_dir)) == 2
    info = ember.cache_info()
    assert info["entries"] == 2 and info["bytes"] > 0 and info["hits"] == 1


def test_truncated_entry_is_recompiled_and_replaced(cache_dir):
    a = np.arange(5.0)
    f1 = ember.jit(cache=True)(_poly)
    expected = f1(a, 2.0)
    (path,) = entry_files(cache_dir)
    data = path.read_bytes()
    replace_file(path, data[: len(data) // 2])
    f2 = ember.jit(cache=True)(_poly)
    with pytest.warns(cache.CacheWarning, match="unusable"):
        assert f2(a, 2.0) == expected
    assert f2._compiles == 1 and cache.stats["corrupt"] == 1
    cache.read_record(str(path), path.read_bytes())  # whole again
    f3 = ember.jit(cache=True)(_poly)
    assert f3(a, 2.0) == expected and f3._compiles == 0


def test_damaged_code_fails_its_checksum(cache_dir):
    a = np.arange(5.0)
    ember.jit(cache=True)(_poly)(a, 2.0)
    (path,) = entry_files(cache_dir)
    data = bytearray(path.read_bytes())
    data[200] ^= 0xFF  # inside the ELF: never handed to the loader
    replace_file(path, bytes(data))
    f2 = ember.jit(cache=True)(_poly)
    with pytest.warns(cache.CacheWarning, match="checksum"):
        assert f2(a, 2.0) == _poly(a, 2.0)


def test_read_only_source_directory_falls_back_to_the_user_cache(tmp_path, monkeypatch):
    src = tmp_path / "src"
    src.mkdir()
    (src / "ro_mod.py").write_text("import ember\n\n@ember.jit(cache=True)\ndef f(x):\n"
                                   "    return x * 3\n")
    # __pycache__ cannot hold a folder (a file is in the way; the tests may run as root, whom
    # a read-only mode does not stop), and the folder is read-only for everyone else.
    (src / "__pycache__").write_text("")
    os.chmod(src, 0o555)
    monkeypatch.delenv("EMBER_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.setattr(cache, "_dir_for_source", {})
    import importlib.util
    spec = importlib.util.spec_from_file_location("ro_mod", src / "ro_mod.py")
    mod = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(mod)
        assert mod.f(7) == 21
    finally:
        os.chmod(src, 0o755)
    assert len(entry_files(tmp_path / "xdg" / "ember")) == 1
    assert not (src / "__pycache__").is_dir()


class Custom(Exception):
    pass


def _raises_custom(x):
    if x < 0:
        raise Custom("negative")
    return x


def test_user_exception_classes_are_cached(cache_dir):
    """A user class has an id from its module and qualname (test_cache_kinds.py loads such
    code in a new process)."""
    for _ in range(2):
        f = ember.jit(cache=True)(_raises_custom)
        with warnings.catch_warnings():
            warnings.simplefilter("error", cache.CacheWarning)
            assert f(3) == 3
        with pytest.raises(Custom, match="negative"):
            f(-1)
    assert len(entry_files(cache_dir)) == 1
    assert cache.stats["stores"] == 1 and cache.stats["hits"] == 1


def _prange_sum(a):
    s = 0.0
    for i in ember.prange(a.shape[0]):
        s += a[i] * 2.0
    return s


def _strings(s, n):
    return (s + "!") * n + str(len(s))


def _errors(a, i):
    if i >= a.shape[0]:
        raise ValueError("past the end")
    return a[i] // (i - 3)


def test_parallel_strings_and_errors_from_cached_code(cache_dir):
    a = np.arange(100_000.0)
    for fn, args in ((_prange_sum, (a,)), (_strings, ("héllo", 2)),
                     (_errors, (np.arange(10), 5))):
        opts = {"parallel": True} if fn is _prange_sum else {}
        first = ember.jit(cache=True, **opts)(fn)(*args)
        loaded = ember.jit(cache=True, **opts)(fn)
        assert loaded(*args) == first == fn(*args)
        assert loaded._compiles == 0
    with pytest.raises(ZeroDivisionError):
        loaded(np.arange(10), 3)
    with pytest.raises(ValueError, match="past the end") as info:
        loaded(np.arange(10), 30)
    # the traceback names the compiled line (its record is in the cached code)
    assert info.traceback[-1].lineno + 1 == _errors.__code__.co_firstlineno + 2


def _mul(x, n):
    return x * n


def _clip_add(x, y):
    return min(x + y, 10.0)


def _row_sums(a, out):
    for i in range(a.shape[0]):
        s = 0.0
        for j in range(a.shape[1]):
            s += a[i, j]
        out[i] = s


def test_ufunc_and_gufunc_loops_load_from_the_cache(cache_dir):
    x = np.arange(8.0)
    a = np.arange(12.0).reshape(3, 4)
    for _ in range(2):
        u = ember.vectorize(["float64(float64, float64)", "float32(float32, float32)"],
                            cache=True)(_clip_add)
        g = ember.guvectorize(["void(float64[:, :], float64[:])"], "(m,n)->(m)",
                              cache=True)(_row_sums)
        np.testing.assert_array_equal(u(x, x), np.minimum(x + x, 10.0))
        assert u(x.astype(np.float32), x.astype(np.float32)).dtype == np.float32
        np.testing.assert_array_equal(g(a), a.sum(axis=1))
    assert cache.stats["stores"] == 3 and cache.stats["hits"] == 3
    assert ember.ufunc.ufunc_kernels[id(u)]._compiles == 0


def test_explicit_signature_loads_without_compiling(cache_dir):
    ember.jit("float64(float64, int64)", cache=True)(_mul)
    g = ember.jit("float64(float64, int64)", cache=True)(_mul)
    assert g._compiles == 0 and g(1.5, 4) == 6.0


@ember.jit
def _square(v):
    return v * v


def _apply_twice(f, x):
    return f(f(x))


def test_function_typed_arguments_are_cached(cache_dir):
    # A types.FunctionType argument is an address given at each call: no handle in the code.
    from ember.types import FunctionType, float64
    sig = float64(FunctionType(float64(float64)), float64)
    f1 = ember.jit(sig, cache=True)(_apply_twice)
    assert f1(_square, 3.0) == 81.0 and cache.stats["stores"] == 1
    f2 = ember.jit(sig, cache=True)(_apply_twice)
    assert f2._compiles == 0 and f2(_square, 2.0) == 16.0 and cache.stats["hits"] == 1


def test_globals_are_part_of_the_key(cache_dir):
    ns = {"ember": ember, "K": 2.0}
    exec("def f(x):\n    return x * K\n", ns)
    assert ember.jit(cache=True)(ns["f"])(3.0) == 6.0
    ns["K"] = 5.0
    assert ember.jit(cache=True)(ns["f"])(3.0) == 15.0
    assert cache.stats["stores"] == 2 and cache.stats["hits"] == 0


def test_env_var_turns_the_cache_on_and_the_cli_lists_and_clears(cache_dir, monkeypatch,
                                                                   capsys):
    monkeypatch.setenv("EMBER_CACHE", "1")
    assert ember.jit(_poly)(np.arange(3.0), 1.0) == _poly(np.arange(3.0), 1.0)
    assert len(entry_files(cache_dir)) == 1
    cache.main(["list"])
    assert "_poly" in capsys.readouterr().out
    cache.main(["size"])
    assert capsys.readouterr().out.startswith("1 entries")
    r = subprocess.run([sys.executable, "-m", "ember.cache", "clear"], capture_output=True,
                       text=True, env=dict(os.environ, PYTHONPATH=ROOT), timeout=120)
    assert r.returncode == 0 and "removed 1 entries" in r.stdout, r.stderr
    assert entry_files(cache_dir) == []


def test_no_warning_for_an_ordinary_cached_function(cache_dir):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert ember.jit(cache=True)(_poly)(np.ones(4), 0.0) == 4.0


def _raises_lookup(x):
    if x < 0:
        raise LookupError("a builtin class without a fixed id")
    return x


def test_builtin_exception_without_a_fixed_id_is_cached(cache_dir):
    f = ember.jit(cache=True)(_raises_lookup)
    assert f(2) == 2
    with pytest.raises(LookupError, match="fixed id"):
        f(-2)
    assert len(entry_files(cache_dir)) == 1


def test_entry_that_cannot_be_loaded_falls_back_to_the_jit(cache_dir, monkeypatch):
    def refuse(path, meta):
        raise ValueError("the loader refused it")
    monkeypatch.setattr(cache, "_dlopen", refuse)
    f = ember.jit(cache=True)(_poly)
    with pytest.warns(cache.CacheWarning, match="loader refused"):
        assert f(np.arange(4.0), 1.0) == _poly(np.arange(4.0), 1.0)
    assert f._compiles == 2  # once for the shared object, once for the JIT


def test_a_caller_compiled_later_inlines_a_function_loaded_from_the_cache(cache_dir):
    a = np.arange(6.0)
    ember.jit(cache=True)(_poly)(a, 1.0)
    loaded = ember.jit(cache=True)(_poly)
    assert loaded(a, 1.0) == _poly(a, 1.0) and loaded._compiles == 0
    ns = {"poly": loaded}
    exec("def caller(a):\n    return poly(a, 1.0) + 1.0\n", ns)
    caller = ember.jit(ns["caller"])
    assert caller(a) == _poly(a, 1.0) + 1.0
    assert loaded._compiles == 1  # compiled again only for its typed IR
    assert loaded.signatures == [("array(float64, 1d, C)", "float64")]
    assert "ret" in loaded.inspect_llvm(loaded.signatures[0])
