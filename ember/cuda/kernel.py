"""``@cuda.jit``: kernels and device functions, with numba.cuda's spellings.

    @cuda.jit                                   a kernel, compiled per argument types at launch
    @cuda.jit("void(float64[:], float64)")      a kernel for these signatures only (eager)
    @cuda.jit(device=True)                      a device function: called from kernels
    kernel[griddim, blockdim](args)             a launch; also [grid, block, stream, shared bytes]

A kernel is typed as a kernel everywhere: the kernel language (threadIdx, syncthreads,
shared arrays, atomics, ...) is allowed, a GPU's runtime services are not (no allocation, sort,
random, prange or BLAS: a TypingError at the user's line), and it must return None.  It is
compiled by the backend's target (backend.py): today the CPU path, where the kernel's launcher
is a compiled function whose first seven arguments are the launch configuration, called through
an ``_ember.Dispatcher`` like any jitted function, so a launch of a compiled kernel does no
Python-level work beyond converting device arrays and checking the configuration.
"""
from __future__ import annotations

import functools
import numbers
import os
import sys

from .. import _ember
from ..argument_errors import describe as _describe
from ..decorators import apply_decorator
from ..dispatcher import (
    JitFunction,
    Options,
    Overloads,
    Specialization,
    _by_handle,
    _compile_lock,
    _compile_stack,
    _def_line,
    _resolve_callee,
    session,
)
from ..errors import TypingError, UnsupportedError
from . import kernel_cache

__all__ = ["jit", "Kernel", "DeviceFunction", "LaunchConfiguration", "device_twin"]

_INT64_CODE = [5]  # EMBER_T_INT64
_NONE_CODE = [14]  # EMBER_T_NONE
# Limits of NVIDIA GPUs, kept on the CPU path so that a launch that runs here runs there.
_MAX_BLOCK = (1024, 1024, 64)
_MAX_THREADS_PER_BLOCK = 1024
_MAX_GRID = ((1 << 31) - 1, 65535, 65535)

_KNOWN = {"device", "fastmath", "lineinfo", "debug", "opt", "cache", "max_registers", "link",
          "inline", "boundscheck", "forceinline", "launch_bounds"}


def default_vendor() -> str:
    """The GPU vendor ``@cuda.jit`` kernels are compiled for: $EMBER_GPU ("cuda", the default,
    or "hip"); ``ember.hip.jit`` always chooses "hip"."""
    vendor = os.environ.get("EMBER_GPU", "").strip().lower() or "cuda"
    if vendor not in ("cuda", "hip"):
        raise ValueError(f"EMBER_GPU={vendor!r}: the GPU vendor is 'cuda' or 'hip'")
    return vendor


def jit(func_or_sig=None, device=False, _vendor=None, **options):
    """Compiles a kernel (or, with device=True, a device function), as ``numba.cuda.jit``."""
    unknown = set(options) - _KNOWN
    if unknown:
        raise TypeError(f"cuda.jit() got unexpected options: {', '.join(sorted(unknown))}")
    if options.get("link"):
        raise UnsupportedError("cuda.jit(link=...): linking external device code is not "
                               "supported")
    # cache=True: a kernel's code (the CPU path's launcher, PTX, AMDGPU code objects) goes to
    # the on-disk cache (kernel_cache.py); a device function is cached inside its kernels.
    opts = Options(fastmath=options.get("fastmath", False),
                   boundscheck=options.get("boundscheck"), cache=options.get("cache", False))

    def wrap(fn, sigs):
        if not hasattr(fn, "__code__"):
            raise TypeError(f"cuda.jit() expects a Python function, not {type(fn).__name__}")
        if device:
            return DeviceFunction(fn, opts, sigs).dispatcher
        return Kernel(fn, opts, sigs, vendor=_vendor)

    return apply_decorator(wrap, func_or_sig, "cuda.jit()")


# ---- device functions -------------------------------------------------------------------------

class DeviceFunction(JitFunction):
    """A device function: typed for kernels when a kernel (or another device function) calls
    it, and lowered into that kernel's module; never called from the host."""

    _kernel_mode = True

    def __init__(self, py_func, options, signatures=()):
        super().__init__(py_func, options, signatures, loop=("device", []))

    def __repr__(self):
        return f"<ember.cuda device function {self.__qualname__}>"

    def _call_slow(self, args, kwargs):
        raise TypeError(f"{self.__qualname__}() is a CUDA device function: call it from a kernel "
                        "or another device function, not from the host")

    def compile_types(self, type_ids, declared_return=0) -> Specialization:
        with _compile_lock:
            spec = self._specs.get(type_ids)
            if spec is None:
                compiled = _compile(self, type_ids, declared_return, "device")
                spec = Specialization(compiled, type_ids, None, None, None)
                self._specs[type_ids] = spec
            return spec

    def inspect_llvm(self, signature=None):
        raise TypeError("a device function has no module of its own: inspect the kernel that "
                        "calls it")

    inspect_asm = inspect_llvm


_twins: dict[int, DeviceFunction] = {}


def device_twin(fn: JitFunction) -> DeviceFunction:
    """The device function a kernel calls in place of an ``@ember.jit`` function: the same
    Python function typed for kernels (numba-cuda compiles @jit functions called from kernels
    for the device too)."""
    twin = _twins.get(id(fn))
    if twin is None or twin.py_func is not fn.py_func:
        twin = _twins[id(fn)] = DeviceFunction(fn.py_func, fn.options)
    return twin


def _compile(owner, type_ids, declared_return, kind, shared_object=False):
    """Runs the compiler on owner's function as a kernel or device function (under
    _compile_lock, held by the caller); shared_object: as a shared object for the cache."""
    handle = id(owner)
    if (handle, type_ids) in _compile_stack:
        raise TypingError(
            f"{owner.__qualname__}() calls itself, through another function, with argument types "
            "whose result is still being inferred; give it an explicit signature",
            owner.py_func.__code__.co_filename, _def_line(owner.py_func))
    s = session()
    nis = owner._normalized()
    from ..values import freeze_function
    consts, name_values, modules = freeze_function(owner.py_func, nis)
    dump = [x for x in os.environ.get("EMBER_DUMP", "").split(",") if x]
    _compile_stack.append((handle, type_ids))
    owner._compiles += 1
    try:
        return s.compile(nis, consts, name_values, modules, list(type_ids),
                         owner.options.flags(), functools.partial(_resolve_callee, owner),
                         handle, declared_return, dump, kind, [], shared_object)
    finally:
        _compile_stack.pop()


# ---- kernels ----------------------------------------------------------------------------------

def _dims(dim, name):
    """numba's normalize_kernel_dimensions for one of griddim / blockdim: a 3-tuple of ints."""
    dims = list(dim) if isinstance(dim, (tuple, list)) else [dim]
    if not 1 <= len(dims) <= 3:
        raise ValueError(f"{name} must be a sequence of 1, 2 or 3 integers, got {dim!r}")
    for v in dims:
        if not isinstance(v, numbers.Integral) or isinstance(v, bool):
            raise TypeError(f"{name} must be a sequence of integers, got {dim!r}")
    dims = [int(v) for v in dims] + [1] * (3 - len(dims))
    for v in dims:
        if v < 1:
            raise ValueError(f"{name} must be positive in every dimension, got {dim!r}")
    return tuple(dims)


def launch_configuration(griddim, blockdim, sharedmem=0):
    """The seven integers a kernel's launcher takes: grid, block and dynamic shared bytes."""
    if griddim is None or blockdim is None:
        raise ValueError("griddim and blockdim must both be given")
    grid, block = _dims(griddim, "griddim"), _dims(blockdim, "blockdim")
    for k, axis in enumerate("xyz"):
        if block[k] > _MAX_BLOCK[k]:
            raise ValueError(f"blockdim.{axis} is {block[k]}; a block has at most "
                             f"{_MAX_BLOCK[k]} threads along {axis}")
        if grid[k] > _MAX_GRID[k]:
            raise ValueError(f"griddim.{axis} is {grid[k]}; a grid has at most {_MAX_GRID[k]} "
                             f"blocks along {axis}")
    if block[0] * block[1] * block[2] > _MAX_THREADS_PER_BLOCK:
        raise ValueError(f"blockdim {block} has {block[0] * block[1] * block[2]} threads; a "
                         f"block has at most {_MAX_THREADS_PER_BLOCK}")
    if not isinstance(sharedmem, numbers.Integral) or sharedmem < 0:
        raise ValueError(f"the dynamic shared memory size must be a non-negative integer, got "
                         f"{sharedmem!r}")
    return grid + block + (int(sharedmem),)


class LaunchConfiguration:
    """``kernel[griddim, blockdim, stream, sharedmem]``: call it to launch."""

    __slots__ = ("kernel", "config", "stream", "griddim", "blockdim", "sharedmem", "_launch")

    def __init__(self, kernel, griddim, blockdim, stream=0, sharedmem=0):
        from .backend import backend
        self.kernel = kernel
        self.config = launch_configuration(griddim, blockdim, sharedmem)
        self.griddim, self.blockdim = self.config[:3], self.config[3:6]
        self.stream = stream
        self.sharedmem = sharedmem
        if kernel.vendor == "hip":
            from ..hip.backend import launcher
            self._launch = launcher()
        else:
            self._launch = backend.launch

    def __call__(self, *args):
        self._launch(self.kernel, self.config, self.stream, args)

    def __repr__(self):
        return (f"<launch of {self.kernel.__qualname__} grid={self.griddim} "
                f"block={self.blockdim} sharedmem={self.sharedmem}>")


class Kernel(Overloads):
    """A CUDA kernel: compiled per argument types, launched with ``kernel[grid, block](...)``."""

    _kernel_mode = True

    def __init__(self, py_func, options: Options, signatures=(), specialized=False, vendor=None):
        self.py_func = py_func
        # "cuda" or "hip": the GPU code inspect_asm shows (the kernel language is the same).
        self.vendor = vendor or default_vendor()
        self.options = options
        code = py_func.__code__
        if code.co_kwonlyargcount or code.co_flags & 0x0C:
            raise TypeError(f"{py_func.__qualname__}(): kernels take positional parameters only "
                            "(no *args, **kwargs or keyword-only parameters)")
        self._nargs = code.co_argcount
        self._argnames = code.co_varnames[:self._nargs]
        self._nis = None
        self._specs: dict[tuple, Specialization] = {}
        self._aliases: dict[tuple, Specialization] = {}
        # by argument codes: the CPU path's specializations loaded from the on-disk cache or
        # compiled for it (kernel_cache.py), found without the compiler
        self._cached: dict[tuple, Specialization] = {}
        self._compiles = 0
        self._configs: dict = {}
        self._specialized = specialized
        self.__name__ = py_func.__name__
        self.__qualname__ = py_func.__qualname__
        self.__doc__ = py_func.__doc__
        self.__module__ = py_func.__module__
        self.__wrapped__ = py_func
        # The launcher's first seven arguments are the configuration; the pool's threads run
        # without the GIL.
        self._dispatcher = _ember.Dispatcher(self, 7 + self._nargs, nogil=True)
        _by_handle[id(self)] = self
        self._can_compile = True
        self._declared_signatures = tuple(signatures)  # what a pickle by value carries
        if signatures:
            for sig in signatures:
                self.compile(sig)
            self._can_compile = False

    def __repr__(self):
        return f"<ember.{self.vendor} kernel {self.__qualname__}>"

    def __reduce__(self):
        from ..serialize import reduce_kernel
        return reduce_kernel(self)

    # ---- launching ---------------------------------------------------------------------------

    def __getitem__(self, config):
        # Launch configurations are checked once: a loop launching with the same dimensions
        # reuses the checked one.
        try:
            return self._configs[config]
        except (KeyError, TypeError):
            pass
        if not isinstance(config, tuple) or len(config) not in (2, 3, 4):
            raise ValueError("must specify at least the griddim and blockdim")
        launch = LaunchConfiguration(self, *config)
        try:
            if len(self._configs) >= 64:
                self._configs.clear()
            self._configs[config] = launch
        except TypeError:  # unhashable dimensions (lists): not cached
            pass
        return launch

    def __call__(self, *args, **kwargs):
        raise ValueError("kernel launch configuration was not specified. Use the syntax:\n\n"
                         "kernel_function[blockspergrid, threadsperblock](arg0, arg1, ..., argn)"
                         "\n\nSee https://numba.readthedocs.io/en/stable/cuda/kernels.html"
                         "#kernel-invocation for help.")

    def forall(self, ntasks, tpb=0, stream=0, sharedmem=0):
        """A launch of at least ntasks threads (numba's forall): 1-d, tpb threads per block."""
        tpb = int(tpb) or 128
        return self[max(1, (int(ntasks) + tpb - 1) // tpb), tpb, stream, sharedmem]

    def _call_slow(self, args, kwargs):
        """The dispatcher's miss: a new argument type, or arguments it cannot fingerprint."""
        if kwargs:
            raise TypeError(f"{self.__qualname__}(): kernels take no keyword arguments")
        if len(args) != 7 + self._nargs:
            raise TypeError(f"{self.__qualname__}() takes {self._nargs} arguments but "
                            f"{len(args) - 7} were given")
        codes = []
        for name, value in zip(self._argnames, args[7:]):
            try:
                codes.append(_ember.typeof_code(value))
            except TypeError:
                raise TypingError(
                    f"{self.__qualname__}(): argument '{name}' is {_describe(value)}; kernels "
                    "take numbers, arrays (NumPy or device arrays) and tuples of those") from None
        spec = None
        if self._can_compile and kernel_cache.enabled(self):
            spec = kernel_cache.cpu_specialization(self, codes)
        if spec is None:
            spec = self._specialize(codes)
        return self._dispatcher._call_entry(spec.entry, args)

    def _adopt_cached(self):
        if self._cached:
            kernel_cache.adopt_cached(self)

    def _add_alias_entry(self, spec: Specialization, codes):
        launch = [_INT64_CODE] * 7  # the launch configuration's slots before the arguments
        return self._dispatcher._add_entry(launch + spec.arg_codes, _NONE_CODE,
                                           spec.compiled.wrapper, spec.compiled,
                                           launch + [list(c) for c in codes])

    # ---- compiling ---------------------------------------------------------------------------

    def compile(self, signature):
        """Compiles an explicit signature, "void(float64[:], int64)" or a tuple of argument
        type strings; the return type, when given, must be void."""
        from ..signature import parse_signature
        if isinstance(signature, str):
            arg_codes, ret_code = parse_signature(signature)
        elif isinstance(signature, (tuple, list)):
            arg_codes, ret_code = parse_signature("(" + ", ".join(map(str, signature)) + ")")
        else:
            raise TypeError("a signature is a string such as 'void(float64[:])', not "
                            f"{type(signature).__name__}")
        if ret_code is not None and ret_code != _NONE_CODE:
            raise TypingError(f"{self.__qualname__}(): a kernel returns void, not the return type "
                              f"of {signature!r}")
        if len(arg_codes) != self._nargs:
            raise TypingError(f"{self.__qualname__}(): the signature {signature!r} has "
                              f"{len(arg_codes)} arguments; the kernel takes {self._nargs}")
        if kernel_cache.enabled(self):
            spec = kernel_cache.cpu_specialization(self, arg_codes)
            if spec is not None:
                return spec
        s = session()
        return self.compile_types(tuple(s.type_from_code(c) for c in arg_codes))

    def compile_types(self, type_ids, cache_path=None) -> Specialization:
        """The CPU path's specialization for these argument types, compiled once; with
        cache_path, compiled as a shared object and stored there (kernel_cache.py)."""
        with _compile_lock:
            spec = self._specs.get(type_ids)
            if spec is not None:
                return spec
            s = session()
            compiled = _compile(self, type_ids, 0, "kernel", cache_path is not None)
            arg_codes = [s.type_code(t) for t in compiled.arg_types]
            if any(c is None for c in arg_codes):
                raise TypingError(f"{self.__qualname__}(): these argument types cannot be passed "
                                  "to a kernel")
            if cache_path is not None:
                compiled = kernel_cache.store_cpu(
                    self, cache_path, compiled, arg_codes,
                    lambda: _compile(self, type_ids, 0, "kernel"))
            entry = self._dispatcher._add_entry([_INT64_CODE] * 7 + arg_codes, _NONE_CODE,
                                                compiled.wrapper, compiled)
            spec = Specialization(compiled, type_ids, arg_codes, _NONE_CODE, entry)
            self._specs[type_ids] = spec
            return spec

    def _normalized(self):
        if self._nis is None:
            from ..bytecode import normalize
            self._nis = normalize(self.py_func)
        return self._nis

    def resolve_call(self, type_ids, kwnames):
        raise TypingError(f"{self.__qualname__}() is a kernel: kernels are launched from the "
                          "host (kernel[grid, block](...)), not called from compiled code; make "
                          "it a device function (@cuda.jit(device=True)) to call it")

    def specialize(self, *args):
        """A kernel compiled for the types of these arguments only (numba's specialize)."""
        from .backend import backend
        codes = [_ember.typeof_code(backend.kernel_argument(a)) for a in args]
        s = session()
        spec = self.compile_types(tuple(s.type_from_code(c) for c in codes))
        k = Kernel(self.py_func, self.options, specialized=True, vendor=self.vendor)
        entry = k._dispatcher._add_entry([_INT64_CODE] * 7 + spec.arg_codes, _NONE_CODE,
                                         spec.compiled.wrapper, spec.compiled)
        k._specs[spec.arg_types] = Specialization(spec.compiled, spec.arg_types, spec.arg_codes,
                                                  spec.ret_code, entry)
        k._can_compile = False
        return k

    # ---- introspection -----------------------------------------------------------------------

    def _sig_text(self, spec) -> str:
        s = session()
        return "(" + ", ".join(s.type_str(t) for t in spec.arg_types) + ") -> none"

    @property
    def specialized(self):
        return self._specialized

    @property
    def signatures(self):
        """The compiled signatures, as tuples of argument type names."""
        if not self._specs:
            return []
        s = session()
        return [tuple(s.type_str(t) for t in spec.arg_types) for spec in self._specs.values()]

    @property
    def overloads(self):
        """{signature: the compiled kernel}, signatures as in ``signatures``."""
        s = session()
        return {tuple(s.type_str(t) for t in spec.arg_types): spec.compiled
                for spec in self._specs.values()}

    def _find(self, signature):
        if signature is None:
            return list(self._specs.values())
        s = session()
        if isinstance(signature, str):
            from ..signature import parse_signature
            codes, _ = parse_signature(signature if "(" in signature else f"({signature})")
            wanted = tuple(s.type_from_code(c) for c in codes)
            for spec in self._specs.values():
                if spec.arg_types == wanted:
                    return [spec]
        else:
            wanted = tuple(str(t) for t in signature)
            for spec in self._specs.values():
                if tuple(s.type_str(t) for t in spec.arg_types) == wanted:
                    return [spec]
        raise KeyError(f"{self.__qualname__} has no compiled signature {signature!r}")

    def inspect_hsaco(self, signature=None, arch=None):
        """The AMDGPU code object (bytes) of one signature, as ``hip.compile_hsaco``."""
        from ..hip.hsaco import _by_signature_hsaco
        return _by_signature_hsaco(self, signature, arch)

    def inspect_ptx(self, signature=None, cc=None):
        """The PTX of one signature (for compute capability cc: the current device's, else
        8.0), or {signature: PTX} of every compiled one (ptx.py)."""
        from .ptx import kernel_inspect_ptx
        return kernel_inspect_ptx(self, signature, cc)

    def inspect_llvm(self, signature=None):
        """The LLVM IR of one signature's module (the kernel, its device functions and its
        entry for the backend's target: the GPU's when the kernel runs on one, the CPU path's
        otherwise), or a dict of all of them."""
        from .backend import backend
        if self.vendor == "hip":
            from ..hip.backend import cpu_path
            if not cpu_path():
                from ..hip.hsaco import kernel_inspect_llvm
                return kernel_inspect_llvm(self, signature)
        elif backend.name == "gpu":
            from .ptx import kernel_inspect_llvm
            return kernel_inspect_llvm(self, signature)
        s = session()
        found = {spec: s.llvm_ir(spec.compiled, True) for spec in self._find(signature)}
        if signature is not None:
            return next(iter(found.values()))
        return {tuple(s.type_str(t) for t in spec.arg_types): text for spec, text in found.items()}

    def inspect_asm(self, signature=None, arch=None):
        """A HIP kernel's AMDGCN assembly (for arch: the current AMD device's, else gfx942);
        a CUDA kernel's machine code on the CPU path (its PTX comes with inspect_ptx)."""
        if self.vendor == "hip":
            from ..hip.hsaco import kernel_inspect_asm
            return kernel_inspect_asm(self, signature, arch)
        s = session()
        found = {spec: s.assembly(spec.compiled) for spec in self._find(signature)}
        if signature is not None:
            return next(iter(found.values()))
        return {tuple(s.type_str(t) for t in spec.arg_types): text for spec, text in found.items()}

    def inspect_types(self, signature=None, file=None):
        import linecache
        lines = [ln.rstrip("\n") for ln in linecache.getlines(self.py_func.__code__.co_filename)]
        out = file or sys.stdout
        for spec in self._find(signature):
            print(f"{self.__qualname__} {self._sig_text(spec)}", file=out)
            print(spec.compiled.ir_text(lines), file=out)
