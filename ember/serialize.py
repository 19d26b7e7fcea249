"""Pickling jitted functions (``pickle``, ``multiprocessing``, ``concurrent.futures``, Dask).

A dispatcher pickles by reference (``module.qualname``) when that name finds it again, as
functions do.  Otherwise (a function made inside another, in ``__main__`` under spawn without
a module, or whose name was rebound) it pickles by value: its code object (marshal: the same
Python version must read it), the globals it names (modules by name; other values pickled as
they are, jitted functions among them by reference or by value in turn), closure values,
defaults, options and the explicit signatures it was declared with.  Nothing compiled travels:
the unpickled function compiles on its first call for each signature, or loads it from the
on-disk cache (``cache=True``), and explicit signatures are compiled (or loaded) on its first
call.  Ufuncs and gufuncs made by ``@vectorize`` / ``@guvectorize`` (and DUFuncs) pickle the
same way: by reference, or by value as their kernel's function and the decorator's arguments
(their loops are compiled again, or loaded from the cache, when unpickled).  GPU kernels
(``ember.cuda.jit`` / ``ember.hip.jit``) pickle by reference, or by value as their function,
options, vendor and declared signatures (compiled again, or loaded from the cache, when
unpickled); a device function among a function's globals comes back as a device function.  A
kernel from ``kernel.specialize(...)`` pickles by value as the general kernel.
"""
from __future__ import annotations

import builtins
import importlib
import marshal
import sys
import types


class _ModuleRef:
    """A module among a function's globals: imported again by name."""

    def __init__(self, name):
        self.name = name

    def load(self):
        return importlib.import_module(self.name)


class _SelfRef:
    """The function itself among its globals (recursion)."""


def _names(code, out):
    out.update(code.co_names)
    for c in code.co_consts:
        if isinstance(c, types.CodeType):
            _names(c, out)
    return out


def _importable(dispatcher, module: str, qualname: str) -> bool:
    obj = sys.modules.get(module)
    if obj is None or "<locals>" in qualname:
        return False
    for part in qualname.split("."):
        obj = getattr(obj, part, None)
        if obj is None:
            return False
    return obj is dispatcher


def _function_payload(func, qualname, self_obj):
    """What rebuilds `func` in another process: its code, the globals it names (`self_obj`, the
    object being pickled, as a marker: recursion), closure values and defaults."""
    if func.__closure__ is not None and any(_empty(c) for c in func.__closure__):
        raise TypeError(f"cannot pickle {qualname}: a closure variable is not set yet")
    glob = {}
    for name in sorted(_names(func.__code__, set())):
        if name not in func.__globals__:
            continue
        value = func.__globals__[name]
        if value is self_obj:
            glob[name] = _SelfRef()
        elif isinstance(value, types.ModuleType):
            glob[name] = _ModuleRef(value.__name__)
        else:
            glob[name] = value
    return {
        "code": marshal.dumps(func.__code__),
        "name": func.__name__, "qualname": func.__qualname__, "module": func.__module__,
        "doc": func.__doc__, "globals": glob,
        "closure": None if func.__closure__ is None else
        [c.cell_contents for c in func.__closure__],
        "defaults": func.__defaults__, "kwdefaults": func.__kwdefaults__,
        "python": sys.version_info[:2],
    }


def reduce_jit(jf):
    """The dispatcher's __reduce__: a name, or (rebuild, (payload,))."""
    dispatcher = jf.dispatcher
    if _importable(dispatcher, jf.__module__, jf.__qualname__):
        return jf.__qualname__
    payload = _function_payload(jf.py_func, jf.__qualname__, dispatcher)
    o = jf.options
    payload["options"] = {k: getattr(o, k) for k in o.__slots__}
    payload["signatures"] = None if jf._can_compile and not jf._lazy_signatures else \
        jf._explicit_signatures()
    payload["device"] = bool(getattr(jf, "_kernel_mode", False))  # a cuda device function
    return (_rebuild, (payload,))


def reduce_kernel(kernel):
    """A GPU kernel's __reduce__: by reference when its name finds it, else by value."""
    if _importable(kernel, kernel.__module__, kernel.__qualname__):
        return (_by_reference, (kernel.__module__, kernel.__qualname__))
    payload = _function_payload(kernel.py_func, kernel.__qualname__, kernel)
    o = kernel.options
    payload["options"] = {k: getattr(o, k) for k in o.__slots__}
    payload["vendor"] = kernel.vendor
    payload["signatures"] = list(kernel._declared_signatures)
    return (_rebuild_kernel, (payload,))


def reduce_ufunc(ufunc, kernel):
    """An ember ufunc, gufunc or DUFunc: by reference (module and qualname) when that name
    finds it, else by value: the kernel's function and how the decorator was called (the
    loops are compiled again, or loaded from the cache, where it is unpickled)."""
    if _importable(ufunc, kernel.__module__, kernel.__qualname__):
        return (_by_reference, (kernel.__module__, kernel.__qualname__))
    recipe = getattr(kernel, "_ufunc_recipe", None)
    if recipe is None:
        raise TypeError(f"cannot pickle the ufunc {kernel.__qualname__}: it was not made by "
                        "ember.vectorize or ember.guvectorize")
    payload = _function_payload(kernel.py_func, kernel.__qualname__, ufunc)
    payload["recipe"] = recipe
    return (_rebuild_ufunc, (payload,))


def _by_reference(module, qualname):
    obj = importlib.import_module(module)
    for part in qualname.split("."):
        obj = getattr(obj, part)
    return obj


def _empty(cell) -> bool:
    try:
        _ = cell.cell_contents
        return False
    except ValueError:
        return True


def _rebuild_function(payload):
    """(the function, the names among its globals that mean the pickled object itself)."""
    if tuple(payload["python"]) != sys.version_info[:2]:
        raise RuntimeError(f"{payload['qualname']} was pickled by value under Python "
                           f"{'.'.join(map(str, payload['python']))}; its bytecode cannot run "
                           f"on {sys.version_info[0]}.{sys.version_info[1]}")
    code = marshal.loads(payload["code"])
    glob = {"__builtins__": builtins, "__name__": payload["module"]}
    self_names = []
    for name, value in payload["globals"].items():
        if isinstance(value, _SelfRef):
            self_names.append(name)
        elif isinstance(value, _ModuleRef):
            glob[name] = value.load()
        else:
            glob[name] = value
    closure = None
    if payload["closure"] is not None:
        closure = tuple(types.CellType(v) for v in payload["closure"])
    func = types.FunctionType(code, glob, payload["name"], payload["defaults"], closure)
    func.__kwdefaults__ = payload["kwdefaults"]
    func.__qualname__ = payload["qualname"]
    func.__module__ = payload["module"]
    func.__doc__ = payload["doc"]
    return func, self_names


def _rebuild(payload):
    from .dispatcher import JitFunction, Options
    func, self_names = _rebuild_function(payload)
    if payload.get("device"):
        from .cuda.kernel import DeviceFunction
        jf = DeviceFunction(func, Options(**payload["options"]))
    else:
        jf = JitFunction(func, Options(**payload["options"]))
    if payload["signatures"]:
        jf._lazy_signatures = list(payload["signatures"])
    for name in self_names:
        func.__globals__[name] = jf.dispatcher
    return jf.dispatcher


def _rebuild_kernel(payload):
    from .cuda.kernel import Kernel
    from .dispatcher import Options
    func, self_names = _rebuild_function(payload)
    kernel = Kernel(func, Options(**payload["options"]), payload["signatures"],
                    vendor=payload["vendor"])
    for name in self_names:
        func.__globals__[name] = kernel
    return kernel


def _rebuild_ufunc(payload):
    from . import ufunc
    func, self_names = _rebuild_function(payload)
    kind, args, kwargs = payload["recipe"]
    made = getattr(ufunc, kind)(*args, **kwargs)(func)
    for name in self_names:
        func.__globals__[name] = made
    return made
