"""The step that PTX (ptx.py) and AMDGPU code objects (../hip/hsaco.py) share: compile a kernel
or device function once per key, under the compile lock, with the recursion check of @jit, and
cache the result on its owner.  Each code generator only says which session call makes the
module.
"""
from __future__ import annotations

import functools

from ..dispatcher import _compile_lock, _compile_stack, _def_line, _resolve_callee, session
from ..errors import TypingError

__all__ = ["compile_cached"]


def compile_cached(owner, type_ids, cache_name, key, generate):
    """owner's module for ``key`` from ``owner.__dict__[cache_name]``, else ``generate(session,
    nis, consts, name_values, modules, type_ids, flags, resolve, handle)``, cached there."""
    with _compile_lock:
        cache = owner.__dict__.setdefault(cache_name, {})
        hit = cache.get(key)
        if hit is not None:
            return hit
        handle = id(owner)
        if (handle, tuple(type_ids)) in _compile_stack:
            raise TypingError(
                f"{owner.__qualname__}() calls itself, through another function, with argument "
                "types whose result is still being inferred; give it an explicit signature",
                owner.py_func.__code__.co_filename, _def_line(owner.py_func))
        from ..values import freeze_function
        s = session()
        nis = owner._normalized()
        consts, name_values, modules = freeze_function(owner.py_func, nis)
        _compile_stack.append((handle, tuple(type_ids)))
        try:
            module = generate(s, nis, consts, name_values, modules, list(type_ids),
                              owner.options.flags(), functools.partial(_resolve_callee, owner),
                              handle)
        finally:
            _compile_stack.pop()
        cache[key] = module
        return module
