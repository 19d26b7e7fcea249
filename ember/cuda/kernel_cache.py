"""The on-disk cache for kernels (``@cuda.jit(cache=True)``, ``@hip.jit(cache=True)``,
``EMBER_CACHE=1``): ember/cache.py's entries, for a kernel's two kinds of code.

* The CPU path (no GPU, or EMBER_CUDA_CPU=1): the kernel's launcher is compiled code like a
  jitted function's, so it is cached the same way, as a shared object loaded with dlopen
  (``cpu_specialization``).
* A GPU: the kernel's PTX text (or AMDGPU code object) and what the launch needs to know about
  it (symbol, flattened parameters, error record, message table) are stored as the entry's
  payload (``gpu_code``); a hit gives a ``GpuCode`` that the GPU backend loads with the driver
  as it loads a fresh compile.

Both are keyed by the kernel's function key (its code, what it reads, its device functions'
keys, options), the launch's argument type codes, and the target: ``("cpu-kernel",)``, or
``("ptx", cc)`` / ``("hsaco", arch, wavefront, code_object)``.  A hit imports neither
``ember._compiler`` nor maps LLVM: the argument type codes come from the values, not from the
compiler's type table.  A miss compiles under the entry's lock file, as for @jit functions.
"""
from __future__ import annotations

import warnings

from .. import cache
from ..dispatcher import Specialization, _codes_key, _compile_lock, session

__all__ = ["enabled", "cpu_specialization", "gpu_code", "GpuCode", "CPU_TARGET"]

CPU_TARGET = ("cpu-kernel",)
_INT64_CODE = [5]  # EMBER_T_INT64: the launch configuration's seven slots
_NONE_CODE = [14]  # EMBER_T_NONE


def enabled(kernel) -> bool:
    """Whether this kernel's code goes to the on-disk cache (cache=True or EMBER_CACHE=1)."""
    return cache.enabled(kernel.options)


def entry_path(kernel, codes, target):
    """The entry's file, or None (warned once per kernel) when the kernel cannot be cached."""
    try:
        return cache.entry_path(kernel, codes, None, target)
    except cache.Uncacheable as exc:
        cache.stats["uncacheable"] += 1
        if not kernel.__dict__.get("_uncacheable_warned"):
            kernel._uncacheable_warned = True
            warnings.warn(f"ember: kernel {kernel.__qualname__}() is compiled but not cached: "
                          f"{exc}", cache.CacheWarning, stacklevel=5)
        return None


def _locked(path, lookup, compile_now):
    """lookup() (the entry, loaded) or, on a miss, compile_now() under the entry's lock file;
    a process that waited for another's compile loads what that one stored."""
    seen = cache.file_identity(path)
    found = lookup()
    if found is not None:
        return found
    with cache.compile_lock(path):
        if cache.file_identity(path) not in (None, seen):
            found = lookup()
            if found is not None:
                return found
        return compile_now()


# ---- the CPU path -----------------------------------------------------------------------------

def cpu_specialization(kernel, codes):
    """The specialization of a cached kernel for a launch with these argument type codes on the
    CPU path, loaded from the cache or compiled and stored; None when it cannot be cached."""
    key = _codes_key(codes)
    spec = kernel._cached.get(key)
    if spec is not None:
        return spec
    path = entry_path(kernel, codes, CPU_TARGET)
    if path is None:
        return None

    def compile_now():
        s = session()
        spec = kernel.compile_types(tuple(s.type_from_code(list(c)) for c in codes), path)
        kernel._cached[key] = spec
        return spec
    return _locked(path, lambda: _load_cpu(kernel, codes, path), compile_now)


def _load_cpu(kernel, codes, path):
    with _compile_lock:
        key = _codes_key(codes)
        spec = kernel._cached.get(key)
        if spec is not None:
            return spec
        code = cache.load(path)
        if code is None:
            return None
        launch = [_INT64_CODE] * 7
        key_codes = None if [list(c) for c in codes] == code.arg_codes else \
            launch + [list(c) for c in codes]
        entry = kernel._dispatcher._add_entry(launch + code.arg_codes, _NONE_CODE, code.wrapper,
                                              code, key_codes)
        spec = Specialization(code, None, code.arg_codes, _NONE_CODE, entry)
        kernel._cached[key] = spec
        return spec


def store_cpu(kernel, path, compiled, arg_codes, recompile):
    """Writes a fresh compile's shared object as the entry at `path` and points `compiled` at
    the loaded copy; returns the compiled kernel to use (recompile() for the JIT where the
    entry could not be written or loaded, warned)."""
    stored = cache.store_compiled(f"kernel {kernel.__qualname__}()", path, kernel, compiled,
                                  arg_codes, _NONE_CODE, session().target_description(),
                                  stacklevel=7)
    return recompile() if stored is False else compiled


def adopt_cached(kernel):
    """Gives the specializations loaded from the cache type ids (the compiler is loaded by
    now), so that launches converting to an explicit signature find them."""
    s = session()
    for spec in list(kernel._cached.values()):
        if spec.arg_types is None:
            spec.arg_types = tuple(s.type_from_code(c) for c in spec.arg_codes)
            kernel._specs.setdefault(spec.arg_types, spec)


# ---- GPU code ----------------------------------------------------------------------------------

class GpuCode:
    """A kernel's GPU code loaded from the cache: what the GPU backend and inspect_ptx read of
    a ``_compiler.Ptx`` or ``_compiler.Hsaco`` (params' kinds as ints, KernelParamKind's
    values)."""

    __slots__ = ("ptx", "hsaco", "symbol", "params", "error_record", "messages", "may_raise",
                 "static_shared_bytes", "arg_codes", "path")

    def __init__(self, path, payload, meta):
        self.path = path
        self.ptx = payload.decode() if meta["kind"] == "ptx" else None
        self.hsaco = payload if meta["kind"] == "hsaco" else None
        self.symbol = meta["symbol"]
        self.params = [tuple(p) for p in meta["params"]]
        self.error_record = meta["error_record"]
        self.messages = list(meta["messages"])
        self.may_raise = meta["may_raise"]
        self.static_shared_bytes = meta["static_shared_bytes"]
        self.arg_codes = [list(c) for c in meta["arg_codes"]]


def gpu_code(kernel, codes, kind, target, generate):
    """The GPU code of `kernel` for launches with these argument type codes: ``kind`` "ptx" or
    "hsaco", ``target`` the code generator's options ((cc,) or (arch, wavefront, code_object)),
    ``generate(type_ids)`` the compile (ptx.ptx_module, hsaco.hsaco_module).  Kept on the
    kernel per (kind, codes, target); from the on-disk cache when the kernel is cached."""
    memo = kernel.__dict__.setdefault("_gpu_code", {})
    key = (kind, _codes_key(codes), target)
    found = memo.get(key)
    if found is not None:
        return found

    def compile_now():
        s = session()
        return generate(tuple(s.type_from_code(list(c)) for c in codes))
    path = entry_path(kernel, codes, (kind, *target)) if enabled(kernel) else None
    if path is None:
        found = compile_now()
    else:
        def compile_and_store():
            module = compile_now()
            _store_gpu(path, kernel, module, kind, codes, target)
            return module
        found = _locked(path, lambda: _load_gpu(path), compile_and_store)
    memo[key] = found
    return found


def _load_gpu(path):
    try:
        with open(path, "rb") as f:
            data = f.read()
    except FileNotFoundError:
        cache.stats["misses"] += 1
        return None
    except OSError as exc:
        cache._corrupt(path, str(exc))
        return None
    try:
        payload, meta = cache.read_record(path, data)
        code = GpuCode(path, payload, meta)
    except (ValueError, KeyError, TypeError, UnicodeDecodeError) as exc:
        cache._corrupt(path, str(exc))
        return None
    cache.stats["hits"] += 1
    return code


def _store_gpu(path, kernel, module, kind, codes, target):
    payload = module.ptx.encode() if kind == "ptx" else bytes(module.hsaco)
    meta = {"kind": kind, "symbol": module.symbol,
            "params": [[int(k), arg, axis, size, align]
                       for k, arg, axis, size, align in module.params],
            "error_record": module.error_record, "messages": list(module.messages),
            "may_raise": bool(module.may_raise),
            "static_shared_bytes": int(getattr(module, "static_shared_bytes", 0))}
    try:
        cache.store_payload(path, kernel, payload, codes, _NONE_CODE, (kind, *target), meta)
    except (OSError, ValueError) as exc:
        warnings.warn(f"ember: kernel {kernel.__qualname__}() is compiled but not cached: {exc}",
                      cache.CacheWarning, stacklevel=6)
