"""First-class functions (``types.FunctionType(sig)``): the native address a value of that type
holds.  The dispatcher's unboxing asks ``native_address`` for a jitted function or a ``@cfunc``
passed for an argument declared with a FunctionType; the address is that of the compiled
specialization for exactly the signature's argument types (compiled on demand for a lazily
compiled function), which compiled code calls indirectly (lowering/CodeGenFunctionPtr.cpp).
A function whose specialization has other argument or return types is a TypeError: the
indirect call would not match its native arguments.
"""
from __future__ import annotations

import threading

from . import _ember
from . import types as _types

# (id of the function's implementation, signature code) -> (address, the function, kept alive
# so that the id is never reused while the address is cached).
_addresses: dict = {}
_lock = threading.Lock()


def _spec_of(obj, ft):
    """The specialization of jitted function or cfunc `obj` for FunctionType `ft`."""
    from .ccallback import CFunc
    sig = ft.signature
    arg_codes = [list(a.code) for a in sig.args]
    if isinstance(obj, CFunc):
        return obj._spec, obj.__qualname__
    if isinstance(obj, _ember.Dispatcher):
        impl = obj._impl
        if len(arg_codes) != impl._nargs:
            raise TypeError(f"{impl.__qualname__}() takes {impl._nargs} argument(s); the "
                            f"{ft} takes {len(arg_codes)}")
        return impl._specialize(arg_codes), impl.__qualname__
    raise TypeError(f"an argument of type {ft} takes a jitted function or a @cfunc, not "
                    f"{type(obj).__name__}")


def native_address(obj, code) -> int:
    """The native address of `obj`'s specialization for the FunctionType whose code is
    `code`."""
    key = (id(getattr(obj, "_impl", obj)), tuple(code))
    found = _addresses.get(key)
    if found is not None:
        return found[0]
    ft = _types.from_code(code)
    spec, name = _spec_of(obj, ft)
    sig = ft.signature
    want_args = [list(a.code) for a in sig.args]
    have_args = [list(c) for c in spec.arg_codes]
    have_ret = _types.from_code(spec.ret_code)
    if have_args != want_args or have_ret != sig.return_type:
        have = ", ".join(_types.from_code(c).name for c in have_args)
        raise TypeError(f"{name}() compiled as {have_ret}({have}) does not match the argument "
                        f"type {ft}")
    address = getattr(spec.compiled, "entry", 0)
    if not address:
        raise TypeError(f"{name}() has no native function to call through {ft}")
    with _lock:
        _addresses[key] = (address, obj)
    return address
