"""Pickling jitted functions (``pickle``, ``multiprocessing``, ``concurrent.futures``, Dask).

A dispatcher pickles by reference (``module.qualname``) when that name finds it again, as
functions do.  Otherwise (a function made inside another, in ``__main__`` under spawn without
a module, or whose name was rebound) it pickles by value: its code object (marshal: the same
Python version must read it), the globals it names (modules by name; other values pickled as
they are, jitted functions among them by reference or by value in turn), closure values,
defaults, options and the explicit signatures it was declared with.  Nothing compiled travels:
the unpickled function compiles on its first call for each signature, or loads it from the
on-disk cache (``cache=True``), and explicit signatures are compiled (or loaded) on its first
call.
"""
from __future__ import annotations

import builtins
import importlib
import marshal
import sys
import types

from . import _ember


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


def reduce_jit(jf):
    """The dispatcher's __reduce__: a name, or (rebuild, (payload,))."""
    dispatcher = jf.dispatcher
    if _importable(dispatcher, jf.__module__, jf.__qualname__):
        return jf.__qualname__
    func = jf.py_func
    if func.__closure__ is not None and any(_empty(c) for c in func.__closure__):
        raise TypeError(f"cannot pickle {jf.__qualname__}: a closure variable is not set yet")
    glob = {}
    for name in sorted(_names(func.__code__, set())):
        if name not in func.__globals__:
            continue
        value = func.__globals__[name]
        if value is dispatcher:
            glob[name] = _SelfRef()
        elif isinstance(value, types.ModuleType):
            glob[name] = _ModuleRef(value.__name__)
        else:
            glob[name] = value
    o = jf.options
    payload = {
        "code": marshal.dumps(func.__code__),
        "name": func.__name__, "qualname": func.__qualname__, "module": func.__module__,
        "doc": func.__doc__, "globals": glob,
        "closure": None if func.__closure__ is None else
        [c.cell_contents for c in func.__closure__],
        "defaults": func.__defaults__, "kwdefaults": func.__kwdefaults__,
        "options": {k: getattr(o, k) for k in o.__slots__},
        "signatures": None if jf._can_compile and not jf._lazy_signatures else
        jf._explicit_signatures(),
        "python": sys.version_info[:2],
    }
    return (_rebuild, (payload,))


def _empty(cell) -> bool:
    try:
        _ = cell.cell_contents
        return False
    except ValueError:
        return True


def _rebuild(payload):
    from .dispatcher import JitFunction, Options
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
    jf = JitFunction(func, Options(**payload["options"]))
    if payload["signatures"]:
        jf._lazy_signatures = list(payload["signatures"])
    for name in self_names:
        glob[name] = jf.dispatcher
    return jf.dispatcher


def install():
    """Teaches pickle the dispatcher type (its __reduce__ asks the Python implementation)."""
    import copyreg
    copyreg.pickle(_ember.Dispatcher, lambda d: reduce_jit(d._impl))
