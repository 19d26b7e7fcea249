"""AMDGPU code objects for kernels: ``hip.compile_hsaco`` and a HIP kernel's ``inspect_asm`` /
``inspect_llvm``, over the ROCm code generator (``_compiler.Session.compile_hsaco``,
targets/rocm/).

    data = hip.compile_hsaco(saxpy, "void(float32, float32[:], float32[:])", arch="gfx942")

A kernel compiles from the same typed IR as its CPU path and its PTX, with the AMD GPU's answers
to the kernel language (wavefront of 64 lanes on gfx9, 32 on gfx10 and later unless asked).
No GPU is needed: the code object is an ELF file that hipModuleLoadData loads later.  Results are
cached per (signature, architecture, wavefront, code object version) on the kernel object; the
code generator keeps its own cache keyed by the function's content too.
"""
from __future__ import annotations

import weakref

from ..cuda.gpu_compile import compile_cached
from ..dispatcher import Options, session
from ..errors import TypingError

__all__ = ["compile_hsaco", "hsaco_module", "kernel_hsaco", "kernel_inspect_asm",
           "kernel_inspect_llvm", "DEFAULT_ARCH"]

# The architecture compiled for when no device says otherwise: MI300 (CDNA 3).
DEFAULT_ARCH = "gfx942"

_owners: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _check_options(arch, wavefront, code_object):
    if not isinstance(arch, str):
        raise TypeError(f"arch is a string such as 'gfx942', not {type(arch).__name__}")
    if wavefront not in (None, 0, 32, 64):
        raise ValueError(f"wavefront is 32 or 64 (None: the architecture's own), not "
                         f"{wavefront!r}")
    if code_object not in (4, 5):
        raise ValueError(f"code_object is 4 or 5, not {code_object!r}")
    return arch, int(wavefront or 0), int(code_object)


def hsaco_module(owner, type_ids, arch=None, wavefront=None, code_object=5):
    """The ``_compiler.Hsaco`` of owner (a Kernel) for these argument type ids: the code object's
    bytes, the kernel's symbol and flattened parameters, the error record's message table.
    Cached on owner."""
    arch, wavefront, code_object = _check_options(arch or DEFAULT_ARCH, wavefront, code_object)
    key = (tuple(type_ids), arch, wavefront, code_object)

    def generate(s, *args):
        return s.compile_hsaco(*args, arch, wavefront=wavefront, code_object=code_object)

    return compile_cached(owner, type_ids, "_hsaco_cache", key, generate)


def kernel_hsaco(kernel, codes, arch=None, wavefront=None, code_object=5):
    """The AMDGPU code object of a kernel for launches with these argument type codes (the HIP
    backend's entry point): a ``_compiler.Hsaco``, or with ``cache=True`` a
    ``kernel_cache.GpuCode`` loaded from the on-disk cache without the compiler."""
    from ..cuda.kernel_cache import gpu_code
    arch, wavefront, code_object = _check_options(arch or DEFAULT_ARCH, wavefront, code_object)
    return gpu_code(kernel, codes, "hsaco", (arch, wavefront, code_object),
                    lambda type_ids: hsaco_module(kernel, type_ids, arch, wavefront, code_object))


def _owner(pyfunc, fastmath):
    from ..cuda.kernel import Kernel
    if isinstance(pyfunc, Kernel):
        return pyfunc
    impl = getattr(pyfunc, "_impl", None)  # an @ember.jit dispatcher
    if impl is not None:
        pyfunc = impl.py_func
    if not hasattr(pyfunc, "__code__"):
        raise TypeError(f"compile_hsaco() takes a Python function or a kernel, not "
                        f"{type(pyfunc).__name__}")
    per_func = _owners.setdefault(pyfunc, {})
    owner = per_func.get(fastmath)
    if owner is None:
        owner = per_func[fastmath] = Kernel(pyfunc, Options(fastmath=fastmath), vendor="hip")
    return owner


def compile_hsaco(pyfunc, sig, arch=DEFAULT_ARCH, fastmath=False, wavefront=None,
                  code_object=5):
    """The AMDGPU code object (bytes: an ELF file for hipModuleLoadData) of pyfunc compiled as a
    kernel for ``sig`` ("void(float32[:], float32)" or a tuple of argument types) and ``arch``
    (gfx90a, gfx942, gfx1100, ...), with a wavefront of ``wavefront`` lanes (None: 64 on gfx9,
    32 on gfx10 and later) and code object version ``code_object`` (5; 4 for ROCm before 6)."""
    from ..cuda.ptx import _signature
    owner = _owner(pyfunc, bool(fastmath))
    arg_codes, ret_code = _signature(sig)
    if len(arg_codes) != owner._nargs:
        raise TypingError(f"{owner.__qualname__}(): the signature {sig!r} has {len(arg_codes)} "
                          f"arguments; the function takes {owner._nargs}")
    if ret_code is not None and ret_code != [14]:  # EMBER_T_NONE
        raise TypingError(f"{owner.__qualname__}(): a kernel returns void, not the return type "
                          f"of {sig!r}")
    s = session()
    type_ids = tuple(s.type_from_code(c) for c in arg_codes)
    return hsaco_module(owner, type_ids, arch, wavefront, code_object).hsaco


def current_arch():
    """The architecture of the current AMD device, or DEFAULT_ARCH without one."""
    from .driver import current_device_arch
    return current_device_arch() or DEFAULT_ARCH


# ---- a kernel's inspect_asm / inspect_llvm --------------------------------------------------

def kernel_inspect_asm(kernel, signature=None, arch=None):
    """The AMDGCN assembly of one signature of a kernel, or {signature: assembly} of every
    compiled one."""
    from ..cuda.ptx import _by_signature
    arch = arch or current_arch()
    s = session()
    return _by_signature(kernel, signature,
                         lambda t: s.hsaco_asm(hsaco_module(kernel, t, arch)))


def kernel_inspect_llvm(kernel, signature=None, arch=None):
    """The optimized AMDGPU LLVM IR the code object is generated from."""
    from ..cuda.ptx import _by_signature
    arch = arch or current_arch()
    s = session()
    return _by_signature(kernel, signature,
                         lambda t: s.hsaco_llvm_ir(hsaco_module(kernel, t, arch), True))


def _by_signature_hsaco(kernel, signature, arch=None):
    from ..cuda.ptx import _by_signature, _cacheable_signature
    arch = arch or current_arch()
    arg_codes = _cacheable_signature(kernel, signature)
    if arg_codes is not None:  # a cached kernel's: from the on-disk cache when it is there
        return kernel_hsaco(kernel, arg_codes, arch).hsaco
    return _by_signature(kernel, signature, lambda t: hsaco_module(kernel, t, arch).hsaco)
