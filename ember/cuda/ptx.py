"""PTX for kernels and device functions: numba-cuda's ``compile_ptx`` and a kernel's
``inspect_ptx`` / ``inspect_llvm``, over the CUDA code generator (``_compiler.Session.
compile_ptx``, targets/cuda/).

    ptx, resty = cuda.compile_ptx(fn, "void(float32[:], float32)", cc=(9, 0))
    ptx, resty = cuda.compile_ptx(add, "float32(float32, float32)", device=True)

A kernel compiles from the same typed IR as its CPU path, with the GPU's answers to the kernel
language.  No GPU is needed: the PTX is text, assembled by the driver (or ptxas) later.  Results
are cached per (signature, compute capability, options) on the function's kernel object; the
code generator keeps its own cache keyed by the function's content too.
"""
from __future__ import annotations

import weakref

from ..dispatcher import Options, session
from ..errors import TypingError
from .gpu_compile import compile_cached

__all__ = ["compile_ptx", "compile_ptx_for_current_device", "ptx_module", "kernel_ptx",
           "kernel_inspect_ptx", "kernel_inspect_llvm", "DEFAULT_CC"]

# The architecture compiled for when no device says otherwise (issue 9: sm_80).
DEFAULT_CC = (8, 0)

# compile_ptx's owners: one kernel or device function object per (function, device, fastmath),
# so that a function compiled twice hits the caches.
_owners: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _capability(cc):
    """(major, minor) from cc: None (the default), a pair, or "9.0"."""
    if cc is None:
        return DEFAULT_CC
    if isinstance(cc, str):
        cc = tuple(int(p) for p in cc.split("."))
    if (not isinstance(cc, (tuple, list)) or len(cc) != 2
            or not all(isinstance(v, int) for v in cc)):
        raise ValueError(f"cc must be a (major, minor) compute capability, not {cc!r}")
    return int(cc[0]), int(cc[1])


def ptx_module(owner, type_ids, cc=None, device=False, declared_return=0):
    """The ``_compiler.Ptx`` of owner (a Kernel or DeviceFunction) for these argument type ids
    and compute capability: PTX text, the kernel's symbol and flattened parameters, the error
    record's message table.  Cached on owner."""
    cc = _capability(cc)
    key = (tuple(type_ids), cc, bool(device), declared_return)

    def generate(s, *args):
        return s.compile_ptx(*args, cc, device=bool(device), declared_return=declared_return)

    return compile_cached(owner, type_ids, "_ptx_cache", key, generate)


def kernel_ptx(kernel, codes, cc=None):
    """The PTX of a kernel for launches with these argument type codes (the GPU backend's and
    inspect_ptx's entry point): a ``_compiler.Ptx``, or with ``cache=True`` a
    ``kernel_cache.GpuCode`` loaded from the on-disk cache without the compiler."""
    from .kernel_cache import gpu_code
    cc = _capability(cc)
    return gpu_code(kernel, codes, "ptx", cc, lambda type_ids: ptx_module(kernel, type_ids, cc))


def _owner(pyfunc, device, fastmath):
    from .kernel import DeviceFunction, Kernel
    if isinstance(pyfunc, Kernel):
        if device:
            raise TypeError("compile_ptx(device=True) takes a Python function, not a kernel")
        return pyfunc
    impl = getattr(pyfunc, "_impl", None)  # a @cuda.jit(device=True) or @ember.jit dispatcher
    if impl is not None:
        pyfunc = impl.py_func
    if not hasattr(pyfunc, "__code__"):
        raise TypeError(f"compile_ptx() takes a Python function, not {type(pyfunc).__name__}")
    per_func = _owners.setdefault(pyfunc, {})
    owner = per_func.get((device, fastmath))
    if owner is None:
        opts = Options(fastmath=fastmath)
        owner = DeviceFunction(pyfunc, opts) if device else Kernel(pyfunc, opts)
        per_func[(device, fastmath)] = owner
    return owner


def _signature(sig):
    """(argument type codes, return type code or None) of "void(f4[:])", "(f4[:],)" or a tuple
    of type names."""
    from ..signature import parse_signature
    if isinstance(sig, str):
        return parse_signature(sig if "(" in sig else f"({sig})")
    if isinstance(sig, (tuple, list)):
        return parse_signature("(" + ", ".join(map(str, sig)) + ")")
    raise TypeError(f"a signature is a string such as 'void(float32[:])', not "
                    f"{type(sig).__name__}")


def compile_ptx(pyfunc, sig, debug=False, lineinfo=False, device=False, fastmath=False, cc=None,
                opt=True, abi="numba", abi_info=None, output="ptx"):
    """numba-cuda's ``compile_ptx``: (PTX text, return type) of pyfunc compiled for ``sig`` as a
    kernel, or with device=True as a device function, for compute capability cc (default
    8.0).  The return type is ember's name for it ("none" for a kernel).

    ``debug``, ``lineinfo`` and ``opt=False`` are accepted and change nothing (the PTX is always
    optimized and carries no line table); ``abi`` must be "numba" (a device function keeps
    ember's status-returning convention); ``output`` must be "ptx"."""
    if abi != "numba":
        raise NotImplementedError(f"compile_ptx(abi={abi!r}): only the 'numba' ABI is supported")
    if output != "ptx":
        raise NotImplementedError(f"compile_ptx(output={output!r}): only 'ptx' is supported")
    owner = _owner(pyfunc, bool(device), bool(fastmath))
    arg_codes, ret_code = _signature(sig)
    if len(arg_codes) != owner._nargs:
        raise TypingError(f"{owner.__qualname__}(): the signature {sig!r} has {len(arg_codes)} "
                          f"arguments; the function takes {owner._nargs}")
    s = session()
    declared = 0
    if ret_code is not None:
        if not device and ret_code != [14]:  # EMBER_T_NONE
            raise TypingError(f"{owner.__qualname__}(): a kernel returns void, not the return "
                              f"type of {sig!r}")
        if device:
            declared = s.type_from_code(ret_code)
    type_ids = tuple(s.type_from_code(c) for c in arg_codes)
    p = ptx_module(owner, type_ids, cc, device, declared)
    return p.ptx, s.type_str(p.return_type)


def current_capability():
    """The compute capability of the current device, or DEFAULT_CC without one."""
    from .backend import get_current_device
    cc = getattr(get_current_device(), "compute_capability", None)
    if not cc or tuple(cc) < (7, 5):
        return DEFAULT_CC
    return tuple(cc)


def compile_ptx_for_current_device(pyfunc, sig, debug=False, lineinfo=False, device=False,
                                   fastmath=False, opt=True, abi="numba", abi_info=None,
                                   output="ptx"):
    """compile_ptx for the current device's compute capability (8.0 on the CPU path)."""
    return compile_ptx(pyfunc, sig, debug=debug, lineinfo=lineinfo, device=device,
                       fastmath=fastmath, cc=current_capability(), opt=opt, abi=abi,
                       abi_info=abi_info, output=output)


# ---- a kernel's inspect_ptx / inspect_llvm ------------------------------------------------------

def _kernel_signatures(kernel, signature):
    """The argument type ids to inspect: one signature's, or every one the kernel has compiled
    (on the CPU path or as PTX)."""
    s = session()
    found = list(kernel._specs)
    for (type_ids, _, device, _) in getattr(kernel, "_ptx_cache", {}):
        if not device and type_ids not in found:
            found.append(type_ids)
    if signature is None:
        return found
    # A key of the dict form (type names, as kernel.signatures gives them) ...
    if isinstance(signature, (tuple, list)):
        for type_ids in found:
            if tuple(s.type_str(t) for t in type_ids) == tuple(map(str, signature)):
                return [type_ids]
    # ... or a signature to compile: "void(float64[:])", ("float64[:]",).
    arg_codes, _ = _signature(signature)
    return [tuple(s.type_from_code(c) for c in arg_codes)]


def _by_signature(kernel, signature, text_of):
    s = session()
    found = {t: text_of(t) for t in _kernel_signatures(kernel, signature)}
    if signature is not None:
        return next(iter(found.values()))
    return {tuple(s.type_str(t) for t in types): text for types, text in found.items()}


def _cacheable_signature(kernel, signature):
    """The argument type codes of one signature of a cached kernel, read without the compiler
    ("void(float32[::1])", ("float32[::1]",)); None for other kernels, for every signature, or
    for the names ``kernel.signatures`` gives (the compiler reads those)."""
    from .kernel_cache import enabled
    if signature is None or not enabled(kernel):
        return None
    try:
        return _signature(signature)[0]
    except TypingError:
        return None


def kernel_inspect_ptx(kernel, signature=None, cc=None):
    """The PTX of one signature of a kernel, or {signature: PTX} for every compiled one.  One
    signature of a cached kernel comes from the on-disk cache when it is there."""
    if cc is None:
        cc = current_capability()
    arg_codes = _cacheable_signature(kernel, signature)
    if arg_codes is not None:
        return kernel_ptx(kernel, arg_codes, cc).ptx
    return _by_signature(kernel, signature, lambda t: ptx_module(kernel, t, cc).ptx)


def kernel_inspect_llvm(kernel, signature=None, cc=None):
    """The optimized NVPTX LLVM IR the PTX is generated from, by signature as inspect_ptx."""
    if cc is None:
        cc = current_capability()
    s = session()
    return _by_signature(kernel, signature,
                         lambda t: s.ptx_llvm_ir(ptx_module(kernel, t, cc), True))
