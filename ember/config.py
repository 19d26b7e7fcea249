"""Numba's configuration attributes (``numba.config``) under ``ember.config``, read where ember
makes the decision, so code that sets them for Numba works unchanged:

    ember.config.BOUNDSCHECK = True    default of jit(boundscheck=...) (None: off)
    ember.config.FASTMATH = True       default of jit(fastmath=...) (an ember addition)
    ember.config.CACHE_DIR = "/path"   where cache=True entries go (as $EMBER_CACHE_DIR)
    ember.config.NUMBA_NUM_THREADS     threads of the parallel pool (read-only after import:
                                       set $EMBER_NUM_THREADS or $NUMBA_NUM_THREADS before)

Each starts from the environment ($EMBER_* first, then Numba's $NUMBA_*); an assignment
applies to functions decorated after it.  The environment variables read when a function is
compiled ($EMBER_BOUNDSCHECK, $EMBER_CACHE_DIR) still win, as before.
"""
from __future__ import annotations

import os


def _env(name: str) -> str:
    return os.environ.get(f"EMBER_{name}") or os.environ.get(f"NUMBA_{name}") or ""


def _flag(name: str):
    value = _env(name)
    return None if value == "" else value not in ("0", "false", "False")


NUMBA_DEFAULT_NUM_THREADS = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") \
    else (os.cpu_count() or 1)
NUMBA_NUM_THREADS = int(_env("NUM_THREADS") or NUMBA_DEFAULT_NUM_THREADS)
BOUNDSCHECK = _flag("BOUNDSCHECK")
FASTMATH = bool(_flag("FASTMATH"))
CACHE_DIR = _env("CACHE_DIR")
DISABLE_JIT = False  # accepted for Numba's spelling; ember always compiles
