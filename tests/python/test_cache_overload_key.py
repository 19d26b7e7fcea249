"""The on-disk cache's key covers the extension API (ember/cache.py, ``_Keyer.user_overload``):
the typing functions of every ``@overload``, ``@overload_method`` / ``@overload_attribute`` and
``@intrinsic`` a cached function can reach, with the implementations they return (nested, or
module-level functions they name), so that editing an overload's body in another module
recompiles its cached callers, and only those.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

OVERLOADS = '''
from ember import types
from ember.extending import intrinsic, overload, overload_method


def bump(x):
    return x


def _bump_impl(x):            # a module-level implementation the typing function names
    return x + 1


@overload(bump)
def _bump(x):
    return _bump_impl


@overload_method(types.Array, "total_plus")
def _total_plus(a):
    def impl(a):
        return a.sum() + 10.0
    return impl


@intrinsic
def add_k(typingctx, x):
    return types.int64(types.int64), """
        %r = add i64 %x, 100
        ret i64 %r"""
'''

USERS = '''
import ember
import ovl_mod


@ember.njit(cache=True)
def calls_overload(x):
    return ovl_mod.bump(x)


@ember.njit(cache=True)
def calls_method(a):
    return a.total_plus()


@ember.njit(cache=True)
def calls_intrinsic(x):
    return ovl_mod.add_k(x)
'''

CALLS = '''
import json, sys
import numpy as np
import user_mod as m
from ember import cache
results = [m.calls_overload(1), m.calls_method(np.ones(3)), m.calls_intrinsic(1)]
maps = open('/proc/self/maps').read()
print(json.dumps(dict(results=results, stats=cache.stats,
                      compiles=[f._impl._compiles for f in
                                (m.calls_overload, m.calls_method, m.calls_intrinsic)],
                      compiler_imported='ember._compiler' in sys.modules,
                      llvm_mapped='LLVM' in maps or '_compiler' in maps)))
'''


def run(cwd):
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(cwd), ROOT])
    env.pop("EMBER_CACHE", None)
    env.pop("EMBER_CACHE_DIR", None)
    r = subprocess.run([sys.executable, "-c", CALLS], cwd=cwd, env=env, capture_output=True,
                       text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    assert "Warning" not in r.stderr, r.stderr
    return json.loads(r.stdout.strip().splitlines()[-1])


def test_editing_an_overload_recompiles_its_cached_callers_only(tmp_path):
    (tmp_path / "ovl_mod.py").write_text(textwrap.dedent(OVERLOADS))
    (tmp_path / "user_mod.py").write_text(textwrap.dedent(USERS))
    first = run(tmp_path)
    assert first["results"] == [2, 13.0, 101]
    assert first["stats"]["stores"] == 3
    second = run(tmp_path)  # nothing edited: every signature loads, no compiler
    assert second["results"] == [2, 13.0, 101]
    assert second["stats"]["hits"] == 3 and second["compiles"] == [0, 0, 0]
    assert not second["compiler_imported"] and not second["llvm_mapped"]

    source = textwrap.dedent(OVERLOADS)
    edits = [("return x + 1", "return x + 2", [3, 13.0, 101], [1, 0, 0]),          # @overload
             ("a.sum() + 10.0", "a.sum() + 20.0", [3, 23.0, 101], [0, 1, 0]),      # method
             ("add i64 %x, 100", "add i64 %x, 200", [3, 23.0, 201], [0, 0, 1])]    # intrinsic
    for old, new, results, compiles in edits:
        assert old in source
        source = source.replace(old, new)
        (tmp_path / "ovl_mod.py").write_text(source)
        report = run(tmp_path)
        assert report["results"] == results, (old, report)
        assert report["compiles"] == compiles, (old, report)
        assert report["stats"]["hits"] == 2 and report["stats"]["stores"] == 1, (old, report)


def test_the_key_reads_overloads_without_calling_them():
    """Computing a key hashes the typing functions and what they name; it does not run them
    (they may need the compiler's types).  A typing function registered later for the same
    function changes the key."""
    import ember
    from ember import cache
    from ember.extending import overload

    calls = []

    def target(x):
        return x

    @overload(target)
    def first_typer(x):
        calls.append(x)

    @ember.njit(cache=True)
    def user(x):
        return target(x)

    before = cache.function_key(user._impl)
    assert cache.function_key(user._impl) == before

    @overload(target)
    def second_typer(x):
        calls.append(x)

    assert cache.function_key(user._impl) != before
    assert calls == []
