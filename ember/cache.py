"""The on-disk cache: compiled code that outlives the process (``cache=True``, ``EMBER_CACHE=1``).

An entry is one compiled signature of one function: a host shared object (built by the compiler,
targets/cpu/SharedObject.h) followed by a record (entry symbols, the runtime functions its
import slots need, argument and return type codes, a checksum of the shared object; a dict in
``marshal``'s format, which the key's Python version makes safe to read) and a
16-byte trailer (the record's length and a magic number).  A process that finds an entry loads
it with dlopen through ``_ember.load_shared_object``: no LLVM is mapped and ``ember._compiler`` is
not imported.

The entry's name is its key: a hash of the function (its code object, every global, closure
value and default it can read, recursively the keys of the jitted functions it can call, so
that editing a callee in another module changes its callers' keys), the argument type codes,
the declared return type, the options, and the machine and build (Python, ember's files, LLVM,
the CPU's identity, EMBER_CPU_FEATURES and EMBER_VECTOR_MATH).  Entries are written to a
temporary file and renamed, so a reader sees a whole entry or none; one that fails its checks
(truncated, a bad checksum, a loader error) is recompiled and replaced, with a warning.  A miss
compiles under the entry's lock file (``compile_lock``): the other processes of the machine that
miss the same entry at once (a Dask or multiprocessing pool's workers) wait and load it, so each
signature is compiled once per machine, not once per process.

Entries live in ``__pycache__/ember`` beside the source file; where that cannot be written, in
``$EMBER_CACHE_DIR`` (which, when set, is always used) or the user cache directory
(``$XDG_CACHE_HOME/ember``, ``~/.cache/ember``).  ``python -m ember.cache`` lists, sizes and
clears entries; ``ember.cache_info()`` reports them and this process's hits and misses.
"""
from __future__ import annotations

import contextlib
import marshal
import os
import struct
import sys
import time
import warnings
from types import CodeType

try:  # hashlib loads OpenSSL (tens of milliseconds): the builtin module is enough
    from _blake2 import blake2b
except ImportError:  # pragma: no cover
    from hashlib import blake2b

from . import _ember

FORMAT = 1
MAGIC = b"EMBERC01"
SUFFIX = ".ember.so"
# A kernel's GPU code (ember/cuda/kernel_cache.py): the payload is the PTX text or the AMDGPU
# code object, not a shared object to dlopen.
GPU_SUFFIXES = {"ptx": ".ember.ptx", "hsaco": ".ember.hsaco"}
SUFFIXES = (SUFFIX, *GPU_SUFFIXES.values())
_TRAILER = struct.Struct("<Q8s")

LOCK_SUFFIX = ".lock"
# A compile that holds an entry's lock longer than this is presumed stuck (a lock held across an
# unforeseen cycle): the waiter compiles too, as it would without the lock.
LOCK_TIMEOUT_S = 120.0

stats = {"hits": 0, "misses": 0, "stores": 0, "corrupt": 0, "uncacheable": 0,
         "lock_waits": 0}


class CacheWarning(UserWarning):
    """A cache entry could not be used or written (the function is compiled instead)."""


class Uncacheable(Exception):
    """This function (or signature) cannot be cached; the message says why."""


def enabled(options) -> bool:
    return options.cache or os.environ.get("EMBER_CACHE", "0") not in ("", "0")


# ---- where ----------------------------------------------------------------------------------

_dir_for_source: dict[str, str] = {}


def user_cache_root() -> str:
    from . import config
    override = os.environ.get("EMBER_CACHE_DIR") or config.CACHE_DIR
    if override:
        return override
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "ember")


def _writable_dir(path: str) -> bool:
    try:
        os.makedirs(path, exist_ok=True)
        probe = os.path.join(path, f".probe{os.getpid()}")
        with open(probe, "wb"):
            pass
        os.unlink(probe)
        return True
    except OSError:
        return False


def cache_dir(filename: str) -> str:
    """The directory holding the entries of the functions defined in `filename`."""
    found = _dir_for_source.get(filename)
    if found is not None:
        return found
    source_dir = os.path.dirname(os.path.abspath(filename))
    tag = (os.path.basename(source_dir) or "root") + "-" + \
        blake2b(source_dir.encode(), digest_size=6).hexdigest()
    found = None
    from . import config
    if not (os.environ.get("EMBER_CACHE_DIR") or config.CACHE_DIR) and os.path.isfile(filename):
        beside = os.path.join(source_dir, "__pycache__", "ember")
        if _writable_dir(beside):
            found = beside
    if found is None:
        found = os.path.join(user_cache_root(), tag)
        os.makedirs(found, exist_ok=True)
    _dir_for_source[filename] = found
    return found


# ---- the key --------------------------------------------------------------------------------

_machine_key: bytes | None = None


def _build_stamp(h) -> None:
    """ember's own files (its Python and native modules): a change to ember changes every key.
    The kernel language's packages too: kernels are cached (ember/cuda/kernel_cache.py)."""
    here = os.path.dirname(os.path.abspath(__file__))
    for folder in (here, *(os.path.join(here, sub) for sub in ("npapi", "cuda", "hip"))):
        try:
            names = sorted(os.listdir(folder))
        except OSError:
            continue
        for name in names:
            if name.endswith((".py", ".so")):
                st = os.stat(os.path.join(folder, name))
                h.update(f"{name}:{st.st_size}:{st.st_mtime_ns};".encode())


def machine_key() -> bytes:
    """What every key of this process shares: Python, ember, LLVM, the CPU, code options."""
    global _machine_key
    if _machine_key is None:
        import numpy as np

        from . import __version__
        h = blake2b(digest_size=20)
        cpu = _ember.host_cpu_id()
        if not cpu:
            try:
                with open("/proc/cpuinfo", "rb") as f:
                    cpu = blake2b(f.read(), digest_size=20).hexdigest()
            except OSError:
                cpu = "unknown"
        parts = [FORMAT, sys.implementation.cache_tag, sys.version, __version__,
                 _ember.LLVM_VERSION, _ember.ABI_VERSION, cpu, np.__version__,
                 os.environ.get("EMBER_CPU_FEATURES", ""),
                 os.environ.get("EMBER_VECTOR_MATH", "auto"),
                 _ember.has_library("libmvec.so.1")]
        h.update(repr(parts).encode())
        _build_stamp(h)
        _machine_key = h.digest()
    return _machine_key


def _code_into(h, code) -> None:
    h.update(code.co_code)
    for attr in ("co_names", "co_varnames", "co_freevars", "co_cellvars", "co_argcount",
                 "co_posonlyargcount", "co_kwonlyargcount", "co_flags", "co_firstlineno",
                 "co_filename", "co_name", "co_qualname"):
        h.update(repr(getattr(code, attr, None)).encode())
    # Line numbers are compiled into error records and tracebacks.
    h.update(getattr(code, "co_linetable", b"") or b"")
    h.update(getattr(code, "co_exceptiontable", b"") or b"")
    for c in code.co_consts:
        if isinstance(c, CodeType):
            _code_into(h, c)
        else:
            h.update(f"{type(c).__name__}:{c!r};".encode())


def _all_names(code, out: set) -> set:
    out.update(code.co_names)
    for c in code.co_consts:
        if isinstance(c, CodeType):
            _all_names(c, out)
    return out


class _Keyer:
    """Hashes what a function can read at compile time, as ember/values.py freezes it."""

    def __init__(self):
        self.stack: list = []
        self.functions_seen: set = set()  # python_function's, by id
        self.classes: set = set()  # jitclass ids hashed so far

    def function(self, jf) -> bytes:
        import builtins
        builtin_names = builtins.__dict__
        func = jf.py_func
        h = blake2b(digest_size=20)
        opts = jf.options
        # Explicit signatures too: a caller's typing converts its arguments to them.
        h.update(repr((opts.nogil, opts.parallel, opts.fastmath, opts.boundscheck,
                       opts.error_model, getattr(jf, "_loop", None), type(jf).__name__,
                       jf._can_compile, getattr(jf, "_declared", None),
                       getattr(jf, "_lazy_signatures", None))).encode())
        _code_into(h, func.__code__)
        # `with objmode()` blocks: compiled code calls them by id (ember/_objmode.py), and
        # rewriting the function registers them in this process (a hit calls them).
        objmode_func = getattr(jf, "_objmode_func", None)
        if objmode_func is not None:
            h.update(repr(getattr(objmode_func(), "__ember_objmode_ids__", ())).encode())
        names = _all_names(func.__code__, set())
        self.stack.append(jf)
        try:
            for name in sorted(names):
                if name in func.__globals__:
                    h.update(f"g:{name}=".encode())
                    self.value(h, func.__globals__[name], names, 0)
                elif name in builtin_names:
                    value = builtin_names[name]
                    if isinstance(value, type) and issubclass(value, BaseException):
                        self.value(h, value, names, 0)  # registered: a hit may raise it
                    else:
                        h.update(f"b:{name};".encode())
                        self.user_overload(h, value)  # @overload(len), ...
            self.user_attributes(h, names)
            if func.__closure__:
                for name, cell in zip(func.__code__.co_freevars, func.__closure__):
                    h.update(f"c:{name}=".encode())
                    try:
                        self.value(h, cell.cell_contents, names, 0)
                    except ValueError:  # an empty cell
                        h.update(b"<empty>")
            h.update(b"defaults=")
            self.value(h, func.__defaults__, names, 0)
            h.update(b"kwdefaults=")
            self.value(h, tuple(sorted((func.__kwdefaults__ or {}).items())), names, 0)
        finally:
            self.stack.pop()
        return h.digest()

    def value(self, h, v, names, depth) -> None:
        import types

        import numpy as np
        if v is None or isinstance(v, (bool, int, float, complex, str, bytes)):
            h.update(f"{type(v).__name__}:{v!r};".encode())
            return
        if isinstance(v, (tuple, list)):
            h.update(f"{type(v).__name__}[{len(v)}](".encode())
            for e in v:
                self.value(h, e, names, depth)
            h.update(b")")
            return
        if isinstance(v, _ember.Dispatcher):
            impl = v._impl
            if impl in self.stack:
                h.update(f"recursive:{impl.__qualname__};".encode())
            else:  # a device function's key, as a kernel's callee, is the same kind of key
                h.update(b"jit:" + self.function(impl))
            return
        self.user_overload(h, v)
        from .cfunctions import holds_c_functions
        if holds_c_functions(v):  # frozen into the code as an address this process gave it
            raise Uncacheable("it calls a C function (ctypes or cffi), whose address differs "
                              "between processes")
        if isinstance(v, types.ModuleType):
            h.update(f"module:{v.__name__}(".encode())
            if depth < 2:  # the attributes the function may read from it, as values.py does
                for name in sorted(names):
                    attr = getattr(v, name, _MISSING)
                    if attr is not _MISSING:
                        h.update(f"{name}=".encode())
                        self.value(h, attr, names, depth + 1)
            h.update(b")")
            return
        if isinstance(v, np.ndarray):
            data = np.ascontiguousarray(v)
            h.update(f"array:{v.dtype.str}:{v.shape}:".encode())
            h.update(blake2b(data.tobytes(), digest_size=20).digest())
            return
        if isinstance(v, (np.generic, np.dtype)):
            h.update(f"np:{type(v).__name__}:{v!r};".encode())
            return
        if isinstance(v, type) and issubclass(v, _ember.JitclassBase):
            self.jitclass(h, getattr(v, "class_type", None))
            return
        if isinstance(v, type) and issubclass(v, BaseException):
            # Compiled code raises and catches classes by id.  A user class's id is a hash of
            # its module and qualname (bindings/Dispatcher.cpp), the same in every process
            # unless two classes collide: the id is part of the key, so a process where it
            # differs misses.  Registering it here also lets a hit raise it.
            h.update(f"exc:{v.__module__}.{v.__qualname__}:"
                     f"{_ember.register_exception(v)};".encode())
            return
        ufunc_module = sys.modules.get("ember.ufunc")  # none made before it was imported
        if ufunc_module is not None and (isinstance(v, np.ufunc) or
                                         type(v).__name__ == "DUFunc"):
            kernel = ufunc_module.ufunc_kernels.get(id(v))
            if kernel is not None:
                h.update(b"ufunc:" + self.function(kernel))
                return
        if isinstance(v, types.FunctionType):  # not jitted: its code, should ember compile it
            h.update(f"pyfunc:{v.__module__}.{v.__qualname__}:".encode())
            _code_into(h, v.__code__)
            return
        if isinstance(v, types.MethodType):  # an @overload typing function may be a method
            h.update(b"method:")
            self.python_function(h, v.__func__)
            return
        if isinstance(v, types.CodeType):
            _code_into(h, v)
            return
        qual = getattr(v, "__qualname__", None) or getattr(v, "__name__", None)
        mod = getattr(v, "__module__", None)
        if isinstance(qual, str):
            h.update(f"named:{type(v).__name__}:{mod}.{qual};".encode())
        else:  # an object compiled code cannot read (values.py freezes it as unsupported)
            h.update(f"object:{type(v).__module__}.{type(v).__qualname__};".encode())


    def jitclass(self, h, ct) -> None:
        """A jitclass, as a global or as an argument's instance type: its id (the same in every
        process, ember/jitclasses.py), fields and the keys of its compiled members, so editing a
        method recompiles the code using the class."""
        from .jitclasses import stable_class_id

        if ct is None or not stable_class_id(ct.class_id):
            raise Uncacheable("it uses a jitclass defined more than once under one name in "
                              "this process, whose id differs between processes")
        if ct.class_id in self.classes:
            h.update(f"jitclass:{ct.class_id};".encode())
            return
        self.classes.add(ct.class_id)
        h.update(f"jitclass:{ct.class_id}:{ct.class_name}:{list(ct.struct.items())!r}(".encode())
        members = {"__init__": ct.init, **ct.methods}
        members.update({f"static {k}": d for k, d in ct.static_methods.items()})
        members.update({f"get {k}": d for k, d in ct.getters.items()})
        members.update({f"set {k}": d for k, d in ct.setters.items()})
        for name in sorted(members):
            if members[name] is not None:
                h.update(f"{name}=".encode())
                self.value(h, members[name], (), 0)
        h.update(b")")

    # ---- what the extension API adds (ember/extending.py, ember/intrinsics.py) ----------------

    def user_overload(self, h, v) -> None:
        """The typing functions of the @overload (or the @intrinsic) compiled code calling `v`
        would use, with everything they can reach: editing an overload's implementation
        changes its callers' keys."""
        npapi = sys.modules.get("ember.npapi")  # imported by the first registration
        if npapi is None:
            return
        entry = npapi._user_overloads.get(id(v))
        if entry is None:
            return
        typer = getattr(entry, "typer", None)  # an Intrinsic is its own entry
        if typer is not None:
            h.update(b"intrinsic:")
            self.python_function(h, typer)
            return
        for typer, _signature, options in entry.typers:
            h.update(f"overload:{sorted(options.items())!r}:".encode())
            self.python_function(h, typer)

    def user_attributes(self, h, names) -> None:
        """The @overload_method / @overload_attribute typing functions registered under any
        attribute name the code reads (which type's applies is only known when typing)."""
        extending = sys.modules.get("ember.extending")
        if extending is None:
            return
        registered = extending._user_attributes
        for name in sorted(names):
            for cls, kind, entry in registered.get(name, ()):
                h.update(f"attr:{name}:{kind}:{cls.__module__}.{cls.__qualname__}:".encode())
                for typer, _signature, options in entry.typers:
                    h.update(f"{sorted(options.items())!r}:".encode())
                    self.python_function(h, typer)

    def python_function(self, h, f) -> None:
        """A plain Python function whose result ember compiles (a typing function, the
        implementation it returns): its code and nested code, its closure values and defaults,
        and what its globals hold; the plain functions among those in turn (each once)."""
        import types
        if not isinstance(f, types.FunctionType):
            self.value(h, f, (), 0)
            return
        if id(f) in self.functions_seen:
            h.update(f"seen:{f.__qualname__};".encode())
            return
        self.functions_seen.add(id(f))
        h.update(f"pyfunc:{f.__module__}.{f.__qualname__}:".encode())
        code = f.__code__
        _code_into(h, code)
        names = _all_names(code, set())
        for name in sorted(names):
            if name in f.__globals__:
                g = f.__globals__[name]
                h.update(f"g:{name}=".encode())
                if isinstance(g, types.FunctionType):
                    self.python_function(h, g)
                else:
                    self.value(h, g, names, 0)
        for cell in f.__closure__ or ():
            try:
                c = cell.cell_contents
            except ValueError:
                continue
            if isinstance(c, types.FunctionType):
                self.python_function(h, c)
            else:
                self.value(h, c, names, 0)
        self.value(h, f.__defaults__, names, 0)
        self.user_attributes(h, names)


_MISSING = object()


def function_key(jf) -> bytes:
    """The hash of everything about `jf` its compiled code depends on (Uncacheable if some of
    it cannot be cached)."""
    return _Keyer().function(jf)


def entry_path(jf, codes, declared, target=()) -> str:
    """The file of one signature's entry (Uncacheable when there can be none).  `target` says
    what code a kernel's entry holds (ember/cuda/kernel_cache.py): ("cpu-kernel",), ("ptx",
    cc) or ("hsaco", arch, wavefront, code object version); () for a jitted function."""
    for c in codes:
        if c is None or _holds_process_ids(c):
            raise Uncacheable("an argument is a jitted function or a closure")
    h = blake2b(digest_size=20)
    h.update(machine_key())
    h.update(function_key(jf))
    h.update(repr(([list(c) for c in codes], declared)).encode())
    classes = _argument_classes(codes)
    if classes:  # instances passed in: their classes' members are compiled into the code
        keyer = _Keyer()
        for ct in classes:
            keyer.jitclass(h, ct)
    if target:
        h.update(repr(tuple(target)).encode())
    code = jf.py_func.__code__
    stem = os.path.splitext(os.path.basename(code.co_filename))[0]
    safe = "".join(ch if ch.isalnum() or ch in "_-" else "." for ch in jf.__qualname__)
    suffix = GPU_SUFFIXES.get(target[0], SUFFIX) if target else SUFFIX
    return os.path.join(cache_dir(code.co_filename), f"{stem}.{safe}.{h.hexdigest()}{suffix}")


_DISPATCHER_TAG = 40  # EMBER_T_DISPATCHER (ember/abi.h): the code holds a process's handle


def _holds_process_ids(code) -> bool:
    return _DISPATCHER_TAG in code


_JITCLASS_TAG = 60  # EMBER_T_JITCLASS: [tag, class id]


def _argument_classes(codes) -> list:
    """The jitclasses whose instances (or instance types) the argument type codes name."""
    module = sys.modules.get("ember.jitclasses")
    if module is None:  # no jitclass made in this process
        return []
    found = []
    for code in codes:
        for i, tag in enumerate(code[:-1]):
            ct = module._class_types.get(code[i + 1]) if tag == _JITCLASS_TAG else None
            if ct is not None and ct not in found:
                found.append(ct)
    return found


# ---- reading --------------------------------------------------------------------------------

_symbols: dict[str, int] | None = None


def _runtime_addresses() -> dict[str, int]:
    global _symbols
    if _symbols is None:
        table = dict(_ember.runtime_symbols())
        for entry in _ember.vector_math():
            table[entry[1]] = entry[2]
        _symbols = table
    return _symbols


class CachedCode:
    """A loaded entry: what the dispatcher needs (the owner of its entries)."""

    __slots__ = ("path", "wrapper", "entry", "loop", "arg_codes", "ret_code", "uses_gemm",
                 "symbol", "return_type")

    ir = None  # no typed IR: a caller that must inline it compiles it again

    def __init__(self, path, meta, addresses):
        self.path = path
        self.wrapper, self.entry = addresses[0], addresses[1]
        self.loop = addresses[2] if len(addresses) > 2 else 0
        self.arg_codes = [list(c) for c in meta["arg_codes"]]
        self.ret_code = list(meta["ret_code"])
        self.uses_gemm = meta["uses_gemm"]
        self.symbol = meta["exports"][1]
        self.return_type = None  # a type id, once the compiler is loaded (dispatcher.py)


def _corrupt(path: str, why: str) -> None:
    stats["corrupt"] += 1
    warnings.warn(f"ember: the cache entry {path} is unusable ({why}); compiling again and "
                  "replacing it", CacheWarning, stacklevel=4)


def read_record(path: str, data: bytes):
    """(ELF bytes, record) of an entry's contents; ValueError saying what is wrong."""
    if len(data) < _TRAILER.size:
        raise ValueError("truncated")
    length, magic = _TRAILER.unpack_from(data, len(data) - _TRAILER.size)
    if magic != MAGIC or length > len(data) - _TRAILER.size:
        raise ValueError("truncated or not an ember cache entry")
    split = len(data) - _TRAILER.size - length
    try:
        meta = marshal.loads(data[split:len(data) - _TRAILER.size])
    except (ValueError, EOFError, TypeError):
        raise ValueError("its record is unreadable") from None
    if not isinstance(meta, dict):
        raise ValueError("its record is unreadable")
    elf = data[:split]
    if meta.get("format") != FORMAT or meta.get("elf_size") != len(elf):
        raise ValueError("its record does not match its code")
    if blake2b(elf, digest_size=20).hexdigest() != meta.get("elf_hash"):
        raise ValueError("its code fails its checksum")
    return elf, meta


_loaded: dict[str, tuple] = {}  # path -> (device, inode) of the file dlopen mapped under it


def _dlopen(path: str, meta) -> list[int]:
    table = _runtime_addresses()
    imports = [table.get(name, 0) for _sym, name in meta["imports"]]
    return _ember.load_shared_object(path, meta["exports"], imports)


def _dlopen_copy(data: bytes, meta, directory=None) -> list[int]:
    """Loads an entry from a private copy (the loader knows the entry's own name by another
    file: dlopen would return that one)."""
    import tempfile
    fd, tmp = tempfile.mkstemp(suffix=SUFFIX, dir=directory)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        return _dlopen(tmp, meta)
    finally:
        os.unlink(tmp)


def load(path: str) -> CachedCode | None:
    """The entry at `path`, loaded; None when there is none or it is unusable (warned)."""
    try:
        with open(path, "rb") as f:
            st = os.fstat(f.fileno())
            data = f.read()
    except FileNotFoundError:
        stats["misses"] += 1
        return None
    except OSError as exc:
        _corrupt(path, str(exc))
        return None
    try:
        _elf, meta = read_record(path, data)
        ident = (st.st_dev, st.st_ino)
        if _loaded.get(path, ident) != ident:  # replaced since this process loaded it
            addresses = _dlopen_copy(data, meta)
        else:
            addresses = _dlopen(path, meta)
            _loaded[path] = ident
    except (ValueError, KeyError, TypeError) as exc:
        _corrupt(path, str(exc))
        return None
    stats["hits"] += 1
    return CachedCode(path, meta, addresses)


# ---- writing --------------------------------------------------------------------------------

def _meta(jf, arg_codes, ret_code, target, payload) -> dict:
    return {"format": FORMAT, "qualname": jf.__qualname__, "module": jf.__module__,
            "file": jf.py_func.__code__.co_filename, "arg_codes": [list(c) for c in arg_codes],
            "ret_code": list(ret_code), "target": list(target), "elf_size": len(payload),
            "elf_hash": blake2b(payload, digest_size=20).hexdigest()}


def _write(path: str, data: bytes) -> str:
    """Writes `data` to a temporary file beside `path` (renamed by the caller)."""
    tmp = f"{path}.tmp{os.getpid()}.{os.urandom(4).hex()}"
    try:
        with open(tmp, "wb") as f:
            f.write(data)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return tmp


def store_payload(path: str, jf, payload: bytes, arg_codes, ret_code, target, extra) -> None:
    """Writes an entry that is not loaded as a shared object (a kernel's PTX or AMDGPU code
    object: ember/cuda/kernel_cache.py), `extra` merged into its record; atomically, as store
    does (OSError when it cannot be written)."""
    meta = _meta(jf, arg_codes, ret_code, target, payload)
    meta.update(extra)
    record = marshal.dumps(meta)
    tmp = _write(path, payload + record + _TRAILER.pack(len(record), MAGIC))
    try:
        os.replace(tmp, path)
        stats["stores"] += 1
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def store_compiled(what: str, path: str, owner, compiled, arg_codes, ret_code, target,
                   stacklevel: int):
    """Writes a fresh compile's shared object as the entry at `path` and points `compiled` at
    the loaded copy.  Returns True when it did, None when the compiler gave the code to the JIT
    instead (kept, warned), False when the entry could not be written or loaded (warned: the
    caller compiles for the JIT).  `what` names the function in the warnings."""
    if not compiled.shared_object:
        warnings.warn(f"ember: {what} is compiled but not cached: "
                      f"{compiled.shared_object_error}", CacheWarning, stacklevel=stacklevel)
        return None
    try:
        code = store(path, owner, compiled, arg_codes, ret_code, target)
    except (OSError, ValueError) as exc:
        warnings.warn(f"ember: {what} is compiled but not cached: {exc}", CacheWarning,
                      stacklevel=stacklevel)
        return False
    compiled.set_addresses(code.wrapper, code.entry, code.loop)
    return True


def store(path: str, jf, compiled, arg_codes, ret_code, target) -> CachedCode:
    """Writes `compiled`'s shared object as the entry at `path` and loads it.  The entry is
    written to a temporary file, loaded from there (a name no other object of this process
    has) and renamed: readers see a whole entry or none.  Where the directory cannot be
    written, the code is loaded from a temporary file elsewhere (warned)."""
    elf = compiled.shared_object
    meta = _meta(jf, arg_codes, ret_code, target, elf)
    meta.update(exports=list(compiled.exports), imports=[list(p) for p in compiled.imports],
                uses_gemm=compiled.uses_gemm)
    record = marshal.dumps(meta)
    data = elf + record + _TRAILER.pack(len(record), MAGIC)
    try:
        tmp = _write(path, data)
    except OSError as exc:
        warnings.warn(f"ember: cannot write the cache entry {path} ({exc}); the code is used "
                      "without being cached", CacheWarning, stacklevel=4)
        return CachedCode(path, meta, _dlopen_copy(data, meta))
    try:
        addresses = _dlopen(tmp, meta)
        os.replace(tmp, path)
        stats["stores"] += 1
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return CachedCode(path, meta, addresses)


@contextlib.contextmanager
def compile_lock(path: str):
    """Holds an exclusive ``flock`` on the entry's lock file while the caller looks the entry up
    again and, still missing, compiles and stores it.  The kernel drops the lock when the process
    dies, so a crashed compiler never blocks the others.  Where no lock file can be made (a
    read-only cache directory) nothing is locked."""
    import fcntl
    try:
        fd = os.open(path + LOCK_SUFFIX, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o666)
    except OSError:
        yield
        return
    try:
        locked = _acquire(fd, fcntl, path)
        try:
            yield
        finally:
            if locked:
                fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def file_identity(path: str):
    """What tells a file from its replacement (None: no file)."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)


def _acquire(fd, fcntl, path) -> bool:
    """Polls rather than blocks: a wait can give up (LOCK_TIMEOUT_S) instead of hanging."""
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except BlockingIOError:
        pass
    except OSError:  # a file system without flock
        return False
    stats["lock_waits"] += 1
    deadline = time.monotonic() + LOCK_TIMEOUT_S
    pause = 0.002
    while time.monotonic() < deadline:
        time.sleep(pause)
        pause = min(pause * 2, 0.05)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            continue
        except OSError:
            return False
    warnings.warn(f"ember: waited {LOCK_TIMEOUT_S:.0f} s for another process compiling "
                  f"{os.path.basename(path)}; compiling here too", CacheWarning,
                  stacklevel=6)
    return False


# ---- listing and clearing -------------------------------------------------------------------

def _entry_files(roots):
    for root in roots:
        for folder, _dirs, files in os.walk(root):
            for name in files:
                if name.endswith(SUFFIXES):
                    yield os.path.join(folder, name)


def default_roots(extra=()) -> list[str]:
    """The user cache directory (or EMBER_CACHE_DIR), the directories this process used, and
    `extra` (source trees: their __pycache__/ember folders are found by walking them)."""
    roots = [user_cache_root()]
    roots += [d for d in _dir_for_source.values() if not d.startswith(roots[0])]
    roots += list(extra)
    return [r for r in dict.fromkeys(roots) if os.path.isdir(r)]


def entries(roots=None) -> list[dict]:
    """One dict per entry: path, bytes, qualname, module, argument codes (None if unreadable)."""
    out = []
    for path in _entry_files(default_roots() if roots is None else roots):
        item = {"path": path, "bytes": os.path.getsize(path), "qualname": None,
                "module": None, "arg_codes": None}
        try:
            with open(path, "rb") as f:
                _elf, meta = read_record(path, f.read())
            item.update(qualname=meta["qualname"], module=meta["module"],
                        arg_codes=meta["arg_codes"])
        except (OSError, ValueError, KeyError):
            pass
        out.append(item)
    return out


def clear(roots=None) -> int:
    """Removes every entry (and its lock file) under `roots`; returns how many entries."""
    n = 0
    for path in list(_entry_files(default_roots() if roots is None else roots)):
        try:
            os.unlink(path)
            n += 1
        except OSError:
            pass
        with contextlib.suppress(OSError):
            os.unlink(path + LOCK_SUFFIX)
    return n


def cache_info(roots=None) -> dict:
    """The entries on disk (count and bytes, under `roots` or the default places) and this
    process's counts of hits, misses, stores, corrupt entries replaced and uncacheable
    functions."""
    found = entries(roots)
    return {"roots": default_roots() if roots is None else list(roots),
            "entries": len(found), "bytes": sum(e["bytes"] for e in found), **stats}


def main(argv=None) -> int:
    import argparse
    p = argparse.ArgumentParser(prog="python -m ember.cache",
                                description="List, size or clear ember's on-disk cache.")
    p.add_argument("command", choices=["list", "size", "clear"])
    p.add_argument("paths", nargs="*", help="directories to search besides the user cache "
                   "directory (source trees: their __pycache__/ember folders)")
    args = p.parse_args(argv)
    roots = default_roots(args.paths)
    if args.command == "list":
        for e in entries(roots):
            sig = "?" if e["arg_codes"] is None else e["arg_codes"]
            print(f"{e['bytes']:>9}  {e['module']}.{e['qualname']} {sig}  {e['path']}")
    elif args.command == "size":
        found = entries(roots)
        print(f"{len(found)} entries, {sum(e['bytes'] for e in found)} bytes in "
              f"{', '.join(roots) or '(no cache directory)'}")
    else:
        print(f"removed {clear(roots)} entries")
    return 0


if __name__ == "__main__":
    sys.exit(main())
