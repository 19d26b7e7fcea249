"""The decorators' Python side: compiling a function for the types it is called with.

``@ember.jit`` turns a function into an ``_ember.Dispatcher`` (C++, vectorcall): calls whose
argument types were seen before never leave C++.  The rest happens here, in ``JitFunction``,
which the dispatcher holds as ``_impl`` and defers to for anything it does not know: keyword and
default arguments, compiling a new signature (under one process-wide lock, so two threads that
race on a new signature compile it once), explicit signatures, calls from other jitted
functions (``resolve_call``), and the ``py_func`` / ``signatures`` / ``inspect_*`` surface.

Importing this module is cheap: the bytecode normalizer, the value freezer and the compiler
(which links LLVM) are imported on the first compile.
"""
from __future__ import annotations

import copyreg
import functools
import os
import sys
import threading
import weakref

from . import _ember
from . import signature as _sig
from .argument_errors import describe, not_yet_supported
from .argument_stand_ins import dtype_params, placeholders, stand_ins
from .errors import EmberError, InternalError, TypingError, UnsupportedError
from .signature import T_CPOINTER, T_UNICODE

_ARRAY_TAG = 15  # EMBER_T_ARRAY in ember/abi.h's type codes
_compile_lock = threading.RLock()
_compile_stack: list[tuple[int, tuple]] = []  # (handle, arg types) being compiled
_by_handle: weakref.WeakValueDictionary[int, JitFunction] = weakref.WeakValueDictionary()
_session = None


def _reduce_dispatcher(dispatcher):
    from .serialize import reduce_jit
    return reduce_jit(dispatcher._impl)


copyreg.pickle(_ember.Dispatcher, _reduce_dispatcher)  # by reference or by value (serialize.py)


def session():
    """The process's compiler session (loads the compiler on first use)."""
    global _session
    if _session is not None:
        return _session
    # Threads making their first call at once must share one session: the type ids of one
    # session mean nothing to another.  Making it switches threads (the import, the loop below).
    with _compile_lock:
        if _session is not None:
            return _session
        from . import _compiler
        s = _compiler.Session()
        for name, address in _ember.runtime_symbols():
            s.define_runtime_symbol(name, address)
        # Vector math for loops: glibc's libmvec first (faster on the machines measured),
        # ember's xsimd library for what libmvec lacks or where it is missing.
        # EMBER_VECTOR_MATH=ember puts ember's first; =libmvec leaves it out.
        choice = os.environ.get("EMBER_VECTOR_MATH", "auto")
        if choice != "libmvec":
            s.use_vector_library(_ember.vector_math(), choice == "ember")
        _session = s
        return _session


_CO_GENERATOR = 0x20  # inspect.CO_GENERATOR


class Options:
    """The decorator's options, checked once."""

    __slots__ = ("nogil", "cache", "parallel", "fastmath", "boundscheck", "error_model")

    def __init__(self, nogil=False, cache=False, parallel=False, fastmath=None,
                 boundscheck=None, error_model="python"):
        if error_model not in ("python", "numpy"):
            raise ValueError(f"error_model must be 'python' or 'numpy', not {error_model!r}")
        self.nogil = bool(nogil)
        self.cache = bool(cache)
        self.parallel = bool(parallel)
        from . import config
        self.fastmath = bool(config.FASTMATH if fastmath is None else fastmath)
        if boundscheck is None:
            boundscheck = os.environ.get("EMBER_BOUNDSCHECK", "0") not in ("", "0") or \
                bool(config.BOUNDSCHECK)
        self.boundscheck = bool(boundscheck)
        self.error_model = error_model

    def flags(self) -> dict:
        return {"boundscheck": self.boundscheck, "fastmath": self.fastmath,
                "python_errors": self.error_model == "python", "parallel": self.parallel,
                "verify": os.environ.get("EMBER_VERIFY", "0") not in ("", "0")}


class Specialization:
    """One compiled signature: the compiled code and its dispatcher entry."""

    __slots__ = ("compiled", "arg_types", "arg_codes", "ret_code", "entry", "key_codes")

    def __init__(self, compiled, arg_types, arg_codes, ret_code, entry):
        self.compiled = compiled
        self.arg_types = arg_types
        self.arg_codes = arg_codes
        self.ret_code = ret_code
        self.entry = entry


class Overloads:
    """Finding the specialization for a call's argument type codes, shared by jitted functions
    and CUDA kernels: the class provides _specs, _aliases, _can_compile, compile_types,
    _sig_text and _add_alias_entry (how an entry for other argument codes is registered)."""

    def _specialize(self, codes) -> Specialization:
        """The specialization serving a call with these argument type codes."""
        key = tuple(tuple(c) for c in codes)
        spec = self._aliases.get(key)
        if spec is not None:
            return spec
        s = session()
        if not self._can_compile:
            self._adopt_cached()
        type_ids = tuple(s.type_from_code(c) for c in codes)
        spec = self._specs.get(type_ids)
        if spec is None:
            if self._can_compile:
                spec = self.compile_types(type_ids)
            else:
                spec = self._convertible(type_ids, python_values=True)
                if spec is None:
                    got = ", ".join(s.type_str(t) for t in type_ids)
                    have = "; ".join(self._sig_text(x) for x in self._specs.values())
                    raise TypeError(f"{self.__qualname__}(): no compiled signature matches "
                                    f"({got}); it was compiled for {have}")
        if [list(c) for c in codes] != [list(c) for c in spec.arg_codes]:
            # Values of these types now call this entry directly (one entry, however many
            # threads get here at once).
            with _compile_lock:
                spec_alias = self._aliases.get(key)
                if spec_alias is None:
                    spec_alias = Specialization(spec.compiled, spec.arg_types, spec.arg_codes,
                                                spec.ret_code, None)
                    spec_alias.entry = self._add_alias_entry(spec, codes)
                    self._aliases[key] = spec_alias
            return spec_alias
        return spec

    def _adopt_cached(self):
        """Specializations loaded from the on-disk cache join _specs (JitFunction's; a CUDA
        kernel has none)."""

    def _convertible(self, type_ids, python_values=False):
        """The compiled signature these argument types convert to best: exact matches first,
        then safe conversions (int64 -> float64), then unsafe ones (float64 -> float32), as
        Numba's overload resolution does.  With python_values (a call from Python), a jitted
        function also converts to a parameter declared types.FunctionType(sig): unboxing
        compiles it for sig (ember/firstclass.py)."""
        s = session()
        best, best_cost = None, None
        for spec in self._specs.values():
            if not all(s.can_convert(a, p) or
                       (python_values and _function_value(s.type_code(a), s.type_code(p)))
                       for a, p in zip(type_ids, spec.arg_types)):
                continue
            cost = sum(_conversion_cost(s, a, p) for a, p in zip(type_ids, spec.arg_types))
            if best_cost is None or cost < best_cost:
                best, best_cost = spec, cost
        return best


class JitFunction(Overloads):
    """The Python implementation behind a jitted function (its dispatcher's ``_impl``)."""

    def __init__(self, py_func, options: Options, signatures=(), loop=None):
        self.py_func = py_func
        self.options = options
        self._loop = loop  # ("ufunc", []) or ("gufunc", core dims): compile a NumPy inner loop
        code = py_func.__code__
        self._nargs = self._nargs_own = code.co_argcount + code.co_kwonlyargcount
        self._argnames = code.co_varnames[:self._nargs]
        self._nis = None
        self._inner: dict = {}  # code object -> InnerFunction (lambdas and inner defs)
        self._pinned: dict = {}  # jitted functions passed as arguments, kept alive (see below)
        self._bound_signature = None
        self._specs: dict[tuple, Specialization] = {}
        self._aliases: dict[tuple, Specialization] = {}
        self._can_compile = True
        self._compiles = 0  # compiler runs for this function (one per signature, tests check)
        # by argument codes: the specializations loaded from the on-disk cache, and those compiled
        # while caching (so a call through _call_slow finds them without the compiler)
        self._cached: dict[tuple, Specialization] = {}
        self._declared: list = []  # explicit signatures as (arg codes, return code), for pickle
        self._lazy_signatures = None  # an unpickled function's explicit signatures, to compile
        self._cache_loops = False  # a ufunc's kernel whose loops may be cached (ufunc.py)
        self._objmode_rewritten = None  # py_func with objmode blocks rewritten (_objmode_func)
        # ember.literally (ember/literal_args.py): the parameters frozen per value (None: not yet
        # looked for), the children compiled per value, and in a child its values
        self._literal_params = None
        self._literal_children: dict = {}
        self._literal_values = None
        self.__name__ = py_func.__name__
        self.__qualname__ = py_func.__qualname__
        self.__doc__ = py_func.__doc__
        self.__module__ = py_func.__module__
        self.__wrapped__ = py_func
        # parallel=True releases the GIL for the whole call: the pool's threads never need it.
        self.dispatcher = _ember.Dispatcher(self, self._nargs,
                                            nogil=options.nogil or options.parallel)
        d = self.dispatcher.__dict__
        for attr in ("__name__", "__qualname__", "__doc__", "__module__", "__wrapped__"):
            d[attr] = getattr(self, attr)
        _by_handle[id(self)] = self
        if signatures:
            for sig in signatures:
                self.compile(sig)
            self._can_compile = False

    def __repr__(self):
        return f"<ember.jit function {self.__qualname__}>"

    # ---- calling ---------------------------------------------------------------------------

    def _bind(self, args, kwargs):
        """Positional arguments for every parameter, from a call with keywords or defaults."""
        sig = self._bound_signature
        if sig is None:
            import inspect
            sig = self._bound_signature = inspect.signature(self.py_func)
        try:
            bound = sig.bind(*args, **(kwargs or {}))
        except TypeError as exc:
            raise TypeError(f"{self.__qualname__}(): {exc}") from None
        bound.apply_defaults()
        return tuple(bound.arguments[name] for name in self._argnames)

    def _call_slow(self, args, kwargs):
        """Called by the dispatcher when its fast path cannot serve the call."""
        if self._lazy_signatures:
            self._compile_lazy_signatures()
        if kwargs or len(args) != self._nargs:
            args = self._bind(args, kwargs)
        if self._literal_values is None and (self._uses_literally() or dtype_params(args)):
            return self._call_literal(args)
        codes = []
        locks = None
        rng = _rng_class()
        if rng is not None and any(type(value) is rng for value in args):
            args, locks = _generator_arguments(args, rng)
        args = stand_ins(args)  # np.polynomial.Polynomial arguments (argument_stand_ins.py)
        realigned = []  # (argument, its aligned copy): written back after the call
        for i, (name, value) in enumerate(zip(self._argnames, args)):
            if isinstance(value, (_ember.Dispatcher, tuple)):
                self._pin(value)
            try:
                codes.append(_ember.typeof_code(value))
                continue
            except TypeError:
                pass
            # A @cfunc is a first-class function of its signature (ember/firstclass.py).
            function_code = getattr(value, "_function_type_code", None)
            if function_code is not None:
                codes.append(function_code)
                continue
            copy = _aligned_copy(value)
            if copy is not None:
                realigned.append((value, copy))
                args = (*args[:i], copy, *args[i + 1:])
                codes.append(_ember.typeof_code(copy))
            else:
                not_yet = not_yet_supported(value)
                if not_yet:
                    raise UnsupportedError(
                        f"{self.__qualname__}(): argument '{name}' is {describe(value)}: "
                        f"{not_yet} are not supported in compiled code yet") from None
                raise TypingError(
                    f"{self.__qualname__}(): argument '{name}' is {describe(value)}; "
                    "compiled functions take numbers (ints within uint64), NumPy arrays (bool, "
                    "int, uint, float, complex; native byte order), strings, tuples of "
                    "those, None, non-empty lists and sets of those, ember.typed.List and "
                    "ember.typed.Dict") from None
        if self._can_compile and self._cacheable():
            spec = self._cached_or_compiled(codes, None, lambda: self._specialize(codes))
            if spec.entry is not None:  # the next call skips the key
                self._cached.setdefault(_codes_key(codes), spec)
        else:
            spec = self._specialize(codes)
        if spec.entry is None:
            raise UnsupportedError(
                f"{self.__qualname__}() is a generator function: its generators live in compiled "
                "code (iterate over it inside a jitted function); calling it from Python is not "
                "supported", self.py_func.__code__.co_filename, _def_line(self.py_func))
        if locks is None and not realigned:
            return self.dispatcher._call_entry(spec.entry, args)
        for lock in locks or ():
            lock.acquire()
        try:
            return self.dispatcher._call_entry(spec.entry, args)
        finally:
            for lock in locks or ():
                lock.release()
            for original, copy in realigned:
                if original.flags.writeable:
                    original[...] = copy

    def _uses_literally(self):
        """The parameters this function passes to ember.literally (ember/literal_args.py)."""
        if self._literal_params is None:
            params = ()
            if "literally" in self.py_func.__code__.co_names:
                from .literal_args import literal_params
                params = literal_params(self._normalized(), self.py_func)
            self._literal_params = params
        return self._literal_params

    def _call_literal(self, args):
        """A call of a function using ember.literally or given dtypes: the child compiled for
        the values of its literal parameters and dtype arguments runs it."""
        from .literal_args import check_value, value_key
        params = tuple(sorted({*self._literal_params, *dtype_params(args)}))
        for p in params:
            check_value(self._argnames[p], args[p])
        key = tuple(value_key(args[p]) for p in params)
        child = self._literal_children.get(key)
        if child is None:
            options = Options(self.options.nogil, False, self.options.parallel,
                              self.options.fastmath, self.options.boundscheck,
                              self.options.error_model)
            child = JitFunction(self.py_func, options)
            child._literal_values = {p: args[p] for p in params}
            self._literal_children[key] = child
        return child.dispatcher(*placeholders(args))

    def _pin(self, value):
        """A jitted function's type is its identity (its id): keep the ones passed as arguments
        alive, so that no later function can reuse the id and match their entries."""
        if isinstance(value, tuple):
            for v in value:
                if isinstance(v, (_ember.Dispatcher, tuple)):
                    self._pin(v)
        else:
            self._pinned[id(value._impl)] = value

    def inner_function(self, code):
        """The jitted function of an inner def or lambda in this function's code."""
        inner = self._inner.get(code)
        if inner is None:
            inner = self._inner[code] = InnerFunction(self, code)
        return inner

    def _add_alias_entry(self, spec: Specialization, codes):
        """Registers spec's compiled code for calls whose argument type codes are `codes`."""
        return self.dispatcher._add_entry(spec.arg_codes, spec.ret_code, spec.compiled.wrapper,
                                          spec.compiled, codes)

    # ---- compiling -------------------------------------------------------------------------

    def compile(self, signature):
        """Compiles an explicit signature: a string such as "float64(float64[:], int64)" or a
        tuple of argument type strings."""
        from .signature import parse_signature
        from .types import Signature
        if isinstance(signature, Signature):
            arg_codes, ret_code = signature.codes()
        elif isinstance(signature, str):
            arg_codes, ret_code = parse_signature(signature)
        elif isinstance(signature, (tuple, list)):
            arg_codes, ret_code = Signature(None, signature).codes()
        else:
            raise TypeError(f"a signature is a string such as 'float64(float64)', "
                            f"not {type(signature).__name__}")
        if len(arg_codes) != self._nargs:
            raise TypingError(f"{self.__qualname__}(): the signature {signature!r} has "
                              f"{len(arg_codes)} arguments; the function takes {self._nargs}")
        return self._compile_codes(arg_codes, ret_code)

    def _compile_codes(self, arg_codes, ret_code, cross_process_lock=True):
        """Compiles (or loads from the cache) an explicit signature given as type codes."""
        self._declared.append(([list(c) for c in arg_codes],
                               None if ret_code is None else list(ret_code)))

        def compile_now():
            s = session()
            type_ids = tuple(s.type_from_code(c) for c in arg_codes)
            declared = s.type_from_code(ret_code) if ret_code is not None else 0
            return self.compile_types(type_ids, declared)
        if self._cacheable():
            return self._cached_or_compiled(arg_codes, ret_code, compile_now, cross_process_lock)
        return compile_now()

    def compile_types(self, type_ids, declared_return=0) -> Specialization:
        if self._literal_values is None and self._uses_literally():
            name = self._argnames[self._literal_params[0]]
            raise UnsupportedError(
                f"{self.__qualname__}() uses ember.literally({name}): it is compiled per value of "
                f"'{name}' when Python calls it; calls from compiled code and explicit signatures "
                "are not supported yet", self.py_func.__code__.co_filename,
                _def_line(self.py_func))
        with _compile_lock:
            spec = self._specs.get(type_ids)
            if spec is not None and not _loaded_only(spec):
                return spec
            handle = id(self)
            if (handle, type_ids) in _compile_stack:
                raise TypingError(
                    f"{self.__qualname__}() calls itself, through another jitted function, with "
                    "argument types whose result is still being inferred; give it an explicit "
                    "signature", self.py_func.__code__.co_filename, _def_line(self.py_func))
            s = session()
            nis = self._normalized()
            unroll = sys.modules.get("ember.unroll")  # only once literal_unroll was imported
            if unroll is not None:
                nis = unroll.unroll_literal_loops(nis, self.py_func,
                                                  [s.type_code(t) for t in type_ids])
            if self._literal_values:
                from .literal_args import freeze_literal_args
                nis = freeze_literal_args(nis, self.py_func, self._literal_values)
            from .values import freeze_function
            consts, name_values, modules = freeze_function(self.py_func, nis, self)
            # Record layouts, the ones frozen from globals (np.empty(n, dtype=rec)) included.
            records = sys.modules.get("ember.records")  # imported on the first structured dtype
            if records is not None:
                records.define(s)
            dump = [x for x in os.environ.get("EMBER_DUMP", "").split(",") if x]
            codes = [s.type_code(t) for t in type_ids]
            declared_code = s.type_code(declared_return) if declared_return else None
            loaded = spec if spec is not None else \
                self._cached.get(_codes_key(codes)) if None not in codes else None
            if loaded is not None and not _loaded_only(loaded):
                loaded = None
            cache_path = None
            if loaded is None and self._cacheable():
                cache_path = self._cache_path(codes, declared_code)
            def run_compiler(shared_object):
                _compile_stack.append((handle, type_ids))
                self._compiles += 1
                try:
                    loop_kind, core_dims = self._loop or ("", [])
                    return s.compile(nis, consts, name_values, modules, list(type_ids),
                                     self.options.flags(),
                                     functools.partial(_resolve_callee, self), handle,
                                     declared_return, dump, loop_kind, core_dims, shared_object)
                finally:
                    _compile_stack.pop()
            compiled = run_compiler(cache_path is not None)
            if compiled.uses_gemm:
                _register_blas()
            arg_codes = [s.type_code(t) for t in compiled.arg_types]
            ret_code = s.type_code(compiled.return_type)
            if cache_path is not None and \
                    not self._cache_store(cache_path, compiled, arg_codes, ret_code):
                compiled = run_compiler(False)  # for the JIT, as without the cache
            if loaded is not None:
                # Loaded from the cache before the compiler was needed; compiled again only for
                # its typed IR (a caller inlines it): calls keep the loaded entry.
                spec = Specialization(compiled, type_ids, loaded.arg_codes, loaded.ret_code,
                                      loaded.entry)
                self._specs[type_ids] = spec
                return spec
            if None in arg_codes or isinstance(self, InnerFunction) or \
                    (self._loop or ("",))[0] == "cfunc" or \
                    any(c[0] == T_CPOINTER for c in arg_codes) or (
                    ret_code is None and self.py_func.__code__.co_flags & _CO_GENERATOR):
                # a closure, or a function holding one: callable from compiled code only; so is
                # a generator function's generator; a @cfunc is called through its C entry
                # (ember/ccallback.py), and a function taking C pointers only by compiled code
                spec = Specialization(compiled, type_ids, arg_codes, ret_code, None)
                self._specs[type_ids] = spec
                return spec
            if ret_code is None:
                raise UnsupportedError(
                    f"{self.__qualname__}() returns a {s.type_str(compiled.return_type)}, which "
                    "cannot be passed back to Python", self.py_func.__code__.co_filename,
                    _def_line(self.py_func))
            entry = self.dispatcher._add_entry(arg_codes, ret_code, compiled.wrapper, compiled)
            spec = Specialization(compiled, type_ids, arg_codes, ret_code, entry)
            self._specs[type_ids] = spec
            self._share(arg_codes, ret_code, compiled.wrapper, spec)
            if cache_path is not None:
                self._cached[_codes_key(codes)] = spec
            return spec

    def _share(self, arg_codes, ret_code, wrapper, spec):
        """Publishes a plain jitted function's specialization of numbers and bool for the
        process's sub-interpreters, which cannot compile (ember/_subinterpreter.py)."""
        if self._loop is None and type(self) is JitFunction:
            from ._subinterpreter import publish_jit
            publish_jit(self.py_func, arg_codes, ret_code, wrapper, spec)

    def _explicit_signatures(self):
        return list(self._lazy_signatures or self._declared)

    def _compile_lazy_signatures(self):
        """An unpickled function declared with explicit signatures compiles them (or loads them
        from the cache) when first needed, then accepts only those (ember/serialize.py)."""
        with _compile_lock:
            pending, self._lazy_signatures = self._lazy_signatures, None
            if not pending:
                return
            self._can_compile = True
            try:
                for arg_codes, ret_code in pending:
                    # under _compile_lock: waiting for another process's lock here could
                    # block this process's thread that holds it (locks are taken file first)
                    self._compile_codes(arg_codes, ret_code, cross_process_lock=False)
            finally:
                self._can_compile = False

    # ---- the on-disk cache (ember/cache.py) --------------------------------------------------

    def _cacheable(self) -> bool:
        """Whether this function's signatures go to the on-disk cache: cache=True or
        EMBER_CACHE=1, for @jit functions and the loops of ufuncs and gufuncs declared with
        signatures (not DUFuncs, kernels or inner functions)."""
        if (self._loop is not None and not self._cache_loops) or \
                isinstance(self, InnerFunction) or getattr(self, "_kernel_mode", False):
            return False
        if self.py_func.__code__.co_flags & _CO_GENERATOR:
            return False  # its generators live in compiled code only
        from . import cache
        if not cache.enabled(self.options):
            return False
        from .cfunctions import refers_to_c_function  # its address is frozen into the code
        return not refers_to_c_function(self.py_func)

    def _adopt_cached(self):
        """Gives the specializations loaded from the cache type ids (the compiler is loaded by
        now), so that conversions to explicit signatures find them."""
        s = session()
        for spec in list(self._cached.values()):
            if spec.arg_types is None and spec.entry is not None:
                spec.arg_types = tuple(s.type_from_code(c) for c in spec.arg_codes)
                spec.compiled.return_type = s.type_from_code(spec.ret_code)
                self._specs.setdefault(spec.arg_types, spec)

    def _cache_path(self, codes, declared_code):
        from . import cache
        try:
            return cache.entry_path(self, codes, declared_code)
        except cache.Uncacheable as exc:
            cache.stats["uncacheable"] += 1
            if not getattr(self, "_uncacheable_warned", False):
                self._uncacheable_warned = True
                import warnings
                warnings.warn(f"ember: {self.__qualname__}() is compiled but not cached: {exc}",
                              cache.CacheWarning, stacklevel=5)
            return None

    def _cache_lookup(self, codes, declared_code=None, path=None):
        """The specialization for these argument codes loaded from the on-disk cache (and
        registered with the dispatcher), or None: no entry, an unusable one (warned), or a
        function that cannot be cached."""
        key = _codes_key(codes)
        spec = self._cached.get(key)
        if spec is not None:
            return spec
        with _compile_lock:
            spec = self._cached.get(key)
            if spec is not None:
                return spec
            from . import cache
            if path is None:
                path = self._cache_path(codes, declared_code)
            if path is None:
                return None
            code = cache.load(path)
            if code is None:
                return None
            if code.uses_gemm:
                _register_blas()
                _register_lapack()
            key_codes = codes if [list(c) for c in codes] != code.arg_codes else None
            entry = self.dispatcher._add_entry(code.arg_codes, code.ret_code, code.wrapper, code,
                                               key_codes)
            spec = Specialization(code, None, code.arg_codes, code.ret_code, entry)
            self._cached[key] = spec
            self._share(code.arg_codes, code.ret_code, code.wrapper, spec)
            return spec

    def _cached_or_compiled(self, codes, declared_code, compile_now, cross_process_lock=True):
        """The cached specialization for these codes, else `compile_now()`'s.  A miss compiles
        under the entry's lock file and looks the entry up again once it holds it: the
        processes of one machine that miss together (a pool's workers) compile it once, the
        others load what that one stored (cache.compile_lock)."""
        spec = self._cached.get(_codes_key(codes))
        if spec is not None:
            return spec
        from . import cache
        path = self._cache_path(codes, declared_code)
        if path is None:
            return compile_now()
        seen = cache.file_identity(path)
        spec = self._cache_lookup(codes, declared_code, path)
        if spec is not None or not cross_process_lock:
            return spec or compile_now()
        with cache.compile_lock(path):
            if cache.file_identity(path) not in (None, seen):  # stored while this one waited
                spec = self._cache_lookup(codes, declared_code, path)
                if spec is not None:
                    return spec
            return compile_now()

    def _cache_store(self, path, compiled, arg_codes, ret_code) -> bool:
        """Writes a fresh compile's shared object to the cache and points `compiled` at the
        loaded copy.  False (warned) when it could not be loaded: compile for the JIT."""
        from . import cache
        if None in arg_codes or ret_code is None:
            raise InternalError(f"{self.__qualname__}(): a cached signature without type codes")
        return cache.store_compiled(f"{self.__qualname__}()", path, self, compiled, arg_codes,
                                    ret_code, session().target_description(),
                                    stacklevel=6) is not False

    def _objmode_func(self):
        """py_func with its `with objmode()` blocks rewritten and registered (py_func itself
        when it has none); once, since finding them re-reads the source.  The cache key asks
        for it too, so that a function loaded from the cache has its blocks registered."""
        func = self._objmode_rewritten
        if func is None:
            from ._objmode import rewrite_objmode_blocks
            func = self._objmode_rewritten = rewrite_objmode_blocks(self.py_func)
        return func

    def _normalized(self):
        if self._nis is None:
            from .bytecode import normalize
            from .unroll import unroll_constant_tuple_loops
            self._nis = unroll_constant_tuple_loops(
                normalize(self._objmode_func(), isinstance(self, InnerFunction)))
        return self._nis

    def resolve_call(self, type_ids, kwnames):
        """A call from compiled code: bind its arguments and find or compile the callee.
        Returns (compiled, parameter types, argument map, frozen defaults), and for a gufunc
        kernel also its core dimensions and number of inputs."""
        if self._lazy_signatures:
            self._compile_lazy_signatures()
        if self._loop is not None and self._loop[0] == "gufunc":
            return self._resolve_gufunc_call(type_ids, kwnames)
        npos = len(type_ids) - len(kwnames)
        arg_map = [-1] * self._nargs
        nfree = len(self._argnames) - self._nargs_own  # an inner function's captured values
        if npos > self.py_func.__code__.co_argcount + nfree:
            raise TypingError(f"{self.__qualname__}() takes {self.py_func.__code__.co_argcount}"
                              f" positional arguments but {npos - nfree} were given")
        for i in range(npos):
            arg_map[i] = i
        for k, name in enumerate(kwnames):
            if name not in self._argnames:
                raise TypingError(f"{self.__qualname__}() got an unexpected keyword argument "
                                  f"'{name}'")
            p = self._argnames.index(name)
            if arg_map[p] >= 0:
                raise TypingError(f"{self.__qualname__}() got multiple values for '{name}'")
            arg_map[p] = npos + k
        defaults = dict(zip(self.py_func.__code__.co_varnames[
            self.py_func.__code__.co_argcount - len(self.py_func.__defaults__ or ()):
            self.py_func.__code__.co_argcount], self.py_func.__defaults__ or ()))
        defaults.update(self.py_func.__kwdefaults__ or {})
        from .values import Freezer
        freezer = Freezer(())
        s = session()
        params, frozen = [], []
        for p, name in enumerate(self._argnames):
            if arg_map[p] >= 0:
                params.append(type_ids[arg_map[p]])
                frozen.append((0,))
                continue
            if name not in defaults:
                raise TypingError(f"{self.__qualname__}() missing required argument '{name}'")
            value = defaults[name]
            try:
                params.append(s.type_from_code(_ember.typeof_code(value)))
            except TypeError:
                raise UnsupportedError(f"{self.__qualname__}(): the default value of '{name}' "
                                       f"({type(value).__name__}) cannot be used in compiled "
                                       "code") from None
            frozen.append(freezer.freeze(value, f"the default of '{name}'"))
        # A string literal arrives as a runtime string (NumPy overloads saw its text; a jitted
        # function takes unicode_type); a number class has no runtime value.
        for k, t in enumerate(params):
            text = s.type_str(t)
            if text.startswith("str("):
                params[k] = s.type_from_code((T_UNICODE,))
            elif text.startswith("class("):
                raise UnsupportedError(f"passing a {text} to a jitted function is not supported")
        params = tuple(params)
        if (id(self), params) in _compile_stack:
            # Recursion: the compiler types the call from the return type inferred so far.
            return None, list(params), arg_map, frozen
        if self._can_compile:
            spec = self.compile_types(params)
        else:
            self._adopt_cached()
            # A jitted function converts to a parameter declared types.FunctionType(sig): the
            # caller passes the address of its specialization for sig (typeinfer/InferTypes.cpp).
            spec = self._specs.get(params) or self._convertible(params, python_values=True)
            if spec is None:
                raise TypingError(f"{self.__qualname__}() has no compiled signature for "
                                  f"({', '.join(s.type_str(t) for t in params)})")
            if _loaded_only(spec):  # loaded from the cache: the caller needs its typed IR
                spec = self.compile_types(spec.arg_types)
        return spec.compiled, list(spec.arg_types), arg_map, frozen

    def _resolve_gufunc_call(self, type_ids, kwnames):
        """A @guvectorize gufunc called from compiled code: the loop whose array dtypes are the
        arguments' (NumPy's exact match), run by the caller over the outer dimensions."""
        core_dims = self._loop[1]
        name = self.__qualname__
        if kwnames:
            raise UnsupportedError(f"{name}(): keyword arguments to a gufunc in compiled code")
        if len(type_ids) != len(core_dims):
            raise UnsupportedError(
                f"{name}() takes {len(core_dims)} arguments in compiled code (its inputs and "
                f"then its output arrays); {len(type_ids)} were given. Allocating the outputs "
                "is not supported in compiled code yet: pass them")
        s = session()
        codes = [s.type_code(t) for t in type_ids]

        def dtype(code):
            return code[1] if code[0] == _ARRAY_TAG else code[0]
        for spec in self._specs.values():
            params = [s.type_code(t) for t in spec.arg_types]
            if all(dtype(c) == dtype(p) for c, p in zip(codes, params)
                   if c[0] == _ARRAY_TAG or p[0] == _ARRAY_TAG):
                n = len(core_dims)
                return (spec.compiled, list(spec.arg_types), list(range(n)), [(0,)] * n,
                        core_dims, self._gufunc_inputs)
        raise TypingError(f"{name}() has no loop for ({', '.join(s.type_str(t) for t in type_ids)})"
                          f"; its loops are " + "; ".join(self._sig_text(sp) for sp in
                                                          self._specs.values()))

    # ---- introspection ---------------------------------------------------------------------

    def _sig_text(self, spec) -> str:
        s = session()
        args = ", ".join(s.type_str(t) for t in spec.arg_types)
        return f"({args}) -> {s.type_str(spec.compiled.return_type)}"

    @property
    def signatures(self):
        """The compiled signatures, as tuples of argument type names."""
        if not self._specs and not self._cached:
            return []
        s = session()
        self._adopt_cached()
        return [tuple(s.type_str(t) for t in spec.arg_types) for spec in self._specs.values()]

    @property
    def nopython_signatures(self):
        if self._cached:
            self._adopt_cached()
        return [self._sig_text(spec) for spec in self._specs.values()]

    def _find(self, signature):
        """The specializations to inspect (those loaded from the cache compiled again, for
        their typed IR)."""
        s = session()
        self._adopt_cached()
        for type_ids, spec in list(self._specs.items()):
            if _loaded_only(spec):
                self.compile_types(type_ids)
        if signature is None:
            return list(self._specs.values())
        wanted = tuple(signature) if isinstance(signature, (tuple, list)) else None
        for spec in self._specs.values():
            names = tuple(s.type_str(t) for t in spec.arg_types)
            if wanted == names or signature == self._sig_text(spec):
                return [spec]
        raise KeyError(f"{self.__qualname__} has no compiled signature {signature!r}")

    def inspect_llvm(self, signature=None):
        """The LLVM IR of one signature, or a dict of all of them."""
        s = session()
        found = {spec: s.llvm_ir(spec.compiled, True) for spec in self._find(signature)}
        if signature is not None:
            return next(iter(found.values()))
        return {tuple(s.type_str(t) for t in spec.arg_types): text for spec, text in found.items()}

    def inspect_asm(self, signature=None):
        """The assembly of one signature, or a dict of all of them."""
        s = session()
        found = {spec: s.assembly(spec.compiled) for spec in self._find(signature)}
        if signature is not None:
            return next(iter(found.values()))
        return {tuple(s.type_str(t) for t in spec.arg_types): text for spec, text in found.items()}

    def inspect_types(self, signature=None, file=None):
        """Prints the typed IR of each signature, annotated with the source lines."""
        import linecache
        filename = self.py_func.__code__.co_filename
        lines = linecache.getlines(filename)
        lines = [ln.rstrip("\n") for ln in lines]
        out = file or sys.stdout
        for spec in self._find(signature):
            print(f"{self.__qualname__} {self._sig_text(spec)}", file=out)
            print(spec.compiled.ir_text(lines), file=out)


class InnerFunction(JitFunction):
    """An inner def or lambda of a jitted function, compiled on its own with the values it
    captures as leading parameters (in co_freevars order); the enclosing function passes them
    (a Closure value in compiled code).  Only compiled code calls it."""

    def __init__(self, outer: JitFunction, code):
        import types
        cells = tuple(types.CellType() for _ in code.co_freevars)
        py_func = types.FunctionType(code, outer.py_func.__globals__, code.co_name, None, cells)
        self._outer = outer  # keeps the enclosing function's globals and options
        super().__init__(py_func, outer.options)
        self._nargs = len(code.co_freevars) + self._nargs_own
        self._argnames = code.co_freevars + self._argnames

    def __repr__(self):
        return f"<ember.jit inner function {self.__qualname__}>"


_blas_registered = False


def _register_blas():
    """Matrix products use SciPy's BLAS when SciPy is installed (as Numba's np.dot does), else
    the runtime's own blocked kernel."""
    global _blas_registered
    if _blas_registered:
        return
    _blas_registered = True
    try:
        from scipy.linalg import cython_blas
    except ImportError:
        return
    import ctypes
    get_name = ctypes.pythonapi.PyCapsule_GetName
    get_name.restype, get_name.argtypes = ctypes.c_char_p, [ctypes.py_object]
    get_pointer = ctypes.pythonapi.PyCapsule_GetPointer
    get_pointer.restype, get_pointer.argtypes = ctypes.c_void_p, [ctypes.py_object, ctypes.c_char_p]
    capi = cython_blas.__pyx_capi__
    d, f = capi["dgemm"], capi["sgemm"]
    _ember.set_blas(get_pointer(d, get_name(d)) or 0, get_pointer(f, get_name(f)) or 0)


_rng = None


def _rng_class():
    """np.random.Generator, once numpy.random is imported (None before: no Generator exists
    then).  `np.random` itself imports numpy.random, 60-150 ms that a first call taking no
    Generator should not pay."""
    global _rng
    if _rng is None:
        random = sys.modules.get("numpy.random")
        _rng = getattr(random, "Generator", None) if random is not None else None
    return _rng


def _generator_arguments(args, rng):
    """np.random.Generator arguments replaced by their compiled-code stand-ins
    (ember/npapi/generator.py), and the locks of their BitGenerators (held for the call, as
    NumPy holds them while drawing)."""
    from .npapi import generator
    out, locks = [], []
    for value in args:
        if type(value) is rng:
            lock = value.bit_generator.lock
            if all(lock is not held for held in locks):
                locks.append(lock)
            value = generator.argument(value)
        out.append(value)
    return tuple(out), locks


def _register_lapack():
    """Cached code that calls BLAS may also call LAPACK (np.linalg): registered as typing
    would have (nothing to do without SciPy: such code was typed where SciPy was present)."""
    try:
        from .npapi import lapack
        lapack.register("np.linalg")
    except EmberError:
        pass


def _loaded_only(spec) -> bool:
    """Whether a specialization was loaded from the on-disk cache (no typed IR)."""
    return type(spec.compiled).__name__ == "CachedCode"


def _codes_key(codes) -> tuple:
    return tuple(tuple(c) for c in codes)


def _def_line(func) -> int:
    """The line of the `def` (co_firstlineno is the first decorator's)."""
    import linecache
    code = func.__code__
    line = code.co_firstlineno
    for k in range(line, line + 50):
        if linecache.getline(code.co_filename, k).lstrip().startswith(("def ", "async def ")):
            return k
    return line


def _aligned_copy(value):
    """An aligned copy of an unaligned native-order array, else None.  Compiled code reads
    elements at their natural alignment; arrays that Dask and distributed rebuild from message
    frames (pickle protocol 5 buffers) often start at any byte.  The caller copies the result
    back into a writeable original, so writes are kept (a returned view is of the copy)."""
    import numpy as np
    if not isinstance(value, np.ndarray) or value.flags.aligned or not value.dtype.isnative \
            or value.dtype.kind not in "biufc":
        return None
    copy = np.array(value, order="K")
    copy.flags.writeable = value.flags.writeable
    return copy


def _function_value(arg_code, param_code) -> bool:
    """Whether a Python value of type arg_code (a jitted function, or a tuple holding some)
    unboxes as param_code, whose first-class functions (types.FunctionType) take them."""
    if not arg_code or not param_code:
        return False
    if param_code[0] == _sig.T_FUNCTION:
        return arg_code[0] in (_sig.T_DISPATCHER, _sig.T_FUNCTION)
    if arg_code[0] != _sig.T_TUPLE or param_code[0] != _sig.T_TUPLE or \
            arg_code[1] != param_code[1]:
        return False
    from .types import _name
    a, p = 2, 2
    for _ in range(arg_code[1]):
        _, a_end = _name(arg_code, a) if arg_code[a] != _sig.T_DISPATCHER else (None, a + 2)
        _, p_end = _name(param_code, p)
        sub_a, sub_p = list(arg_code[a:a_end]), list(param_code[p:p_end])
        if sub_a != sub_p and not _function_value(sub_a, sub_p):
            return False
        a, p = a_end, p_end
    return True


def _conversion_cost(s, arg, param):
    """0 for the same type, 1 for a safe conversion, 2 for an unsafe one (by NumPy's rules)."""
    if arg == param:
        return 0
    import numpy as np
    a, p = s.type_code(arg), s.type_code(param)
    if a is None or p is None or len(a) != 1 or len(p) != 1:
        return 1
    try:
        safe = np.can_cast(_DTYPE_OF_TAG[a[0]], _DTYPE_OF_TAG[p[0]], "safe")
    except KeyError:
        return 1
    return 1 if safe else 2


_DTYPE_OF_TAG = {1: "?", 2: "i1", 3: "i2", 4: "i4", 5: "i8", 6: "u1", 7: "u2", 8: "u4", 9: "u8",
                 10: "f4", 11: "f8", 12: "c8", 13: "c16"}


def compiling_parallel() -> bool:
    """Whether the function being compiled now (whose typing is asking) has parallel=True."""
    if not _compile_stack:
        return False
    current = _by_handle.get(_compile_stack[-1][0])
    return bool(current is not None and getattr(current, "options", None) is not None
                and current.options.parallel)


def _resolve_callee(caller, handle, type_ids, kwnames, line):
    callee = _by_handle.get(handle)
    if callee is None:
        raise TypingError("a jitted function called here no longer exists")
    # CUDA kernels and device functions (ember.cuda) call device functions; an @ember.jit
    # function they call is typed for kernels too, as a device function.
    caller_kernel = getattr(caller, "_kernel_mode", False)
    callee_kernel = getattr(callee, "_kernel_mode", False)
    if caller_kernel and not callee_kernel and callee._loop is None:
        from .cuda.kernel import device_twin
        callee = device_twin(callee)
    elif callee_kernel and not caller_kernel:
        code = caller.py_func.__code__
        raise TypingError(f"{callee.__qualname__}() is a CUDA device function: it can only be "
                          "called from a kernel or another device function", code.co_filename,
                          line)
    try:
        return callee.resolve_call(tuple(type_ids), tuple(kwnames))
    except EmberError as exc:
        if exc.filename:
            raise
        # A call that does not fit the callee: the error belongs to the caller's line.
        code = caller.py_func.__code__
        raise type(exc)(exc.message, code.co_filename, line) from None
