"""``@vectorize`` and ``@guvectorize``: real NumPy ufuncs and gufuncs over compiled kernels.

    @ember.vectorize(["float64(float64, float64)", "float32(float32, float32)"])
    def rel_diff(a, b): ...                 # a numpy.ufunc: broadcasting, out=, dtype=,
                                            # .reduce, .accumulate, .outer, .at behave as NumPy's
    @ember.vectorize                        # no signatures: a loop is compiled for each new
    def f(x): ...                           # combination of input dtypes, on first call
    @ember.guvectorize(["void(float64[:], float64[:])"], "(n)->(n)")
    def cumulative(x, out): ...             # a generalized ufunc

Each signature's kernel is compiled with ember's JIT (error_model='numpy', as Numba's
vectorize) together with an inner loop NumPy calls; ``target='parallel'`` runs large loops on
ember's thread pool.  Both kinds can be called from jitted functions too.
"""
from __future__ import annotations

import copyreg
import re

import numpy as np

from . import _ember
from .dispatcher import JitFunction, Options, session
from .errors import TypingError, UnsupportedError
from .signature import parse_signature

__all__ = ["vectorize", "guvectorize", "DUFunc"]

# ember_type_tag -> NumPy type number
_TYPENUM = {1: np.dtype(np.bool_).num, 2: np.dtype(np.int8).num, 3: np.dtype(np.int16).num,
            4: np.dtype(np.int32).num, 5: np.dtype(np.int64).num, 6: np.dtype(np.uint8).num,
            7: np.dtype(np.uint16).num, 8: np.dtype(np.uint32).num, 9: np.dtype(np.uint64).num,
            10: np.dtype(np.float32).num, 11: np.dtype(np.float64).num,
            12: np.dtype(np.complex64).num, 13: np.dtype(np.complex128).num,
            32: np.dtype(np.float16).num}
_T_FLOAT16, _FLOAT16_RANK = 32, 9.5  # float16's tag, and where it ranks among the scalar tags


def _narrow_first(key):
    return tuple(tuple(_FLOAT16_RANK if t == _T_FLOAT16 else t for t in c) for c in key)


_IDENTITY = {None: -1, 0: 0, 1: 1, "reorderable": -2}
_TARGETS = ("cpu", "parallel")

# id(ufunc) -> the JitFunction of its kernel, so that jitted code calling the ufunc calls the
# kernel (values.py freezes a registered ufunc as that kernel).
ufunc_kernels: dict[int, JitFunction] = {}


def _check_target(target):
    if target == "cuda":
        raise UnsupportedError("vectorize(target='cuda') comes with ember's CUDA target")
    if target not in _TARGETS:
        raise ValueError(f"target must be one of {_TARGETS}, not {target!r}")


def _kernel(fn, options, loop, cache=False):
    opts = {k: v for k, v in options.items() if k in Options.__slots__}
    opts.setdefault("error_model", "numpy")
    opts["cache"] = cache
    return JitFunction(fn, Options(**opts), loop=loop)


def _loop_spec(kernel, arg_codes, ret_code):
    """One signature's specialization: loaded from the on-disk cache (a ufunc with explicit
    signatures and cache=True or EMBER_CACHE=1: no compiler needed), else compiled."""
    kernel._cache_loops = True

    def compile_now():
        s = session()
        ids = tuple(s.type_from_code(c) for c in arg_codes)
        return kernel.compile_types(ids, s.type_from_code(ret_code) if ret_code else 0)
    if kernel._cacheable():  # a miss compiles once per machine (cache.compile_lock)
        return kernel._cached_or_compiled(arg_codes, ret_code, compile_now)
    return compile_now()


def _dtype_of_code(code) -> int:
    """The NumPy type number of a scalar or array type code."""
    tag = code[1] if code[0] == 15 else code[0]  # EMBER_T_ARRAY: its dtype tag
    try:
        return _TYPENUM[tag]
    except KeyError:
        raise TypingError("ufunc arguments must be numbers or arrays of numbers") from None


def _identity(identity):
    try:
        return _IDENTITY[identity]
    except (KeyError, TypeError):
        raise ValueError(f"identity must be 0, 1, None or 'reorderable', not {identity!r}") \
            from None


def _name_doc(fn):
    return fn.__name__, fn.__doc__ or ""


def vectorize(signatures=None, *, identity=None, nopython=True, target="cpu", cache=False,
              **options):
    """Numba's @vectorize: a NumPy ufunc whose loops are compiled kernels."""
    if callable(signatures) and hasattr(signatures, "__code__"):
        return vectorize()(signatures)
    if nopython is False:
        raise UnsupportedError("ember compiles in nopython mode only")
    _check_target(target)
    if isinstance(signatures, str):
        signatures = [signatures]

    def build(fn):
        kernel = _kernel(fn, options, ("ufunc", []), cache)
        kernel._ufunc_recipe = ("vectorize", (signatures,), dict(
            options, identity=identity, target=target, cache=cache))  # pickling by value
        nin = fn.__code__.co_argcount
        if not signatures:
            return DUFunc(kernel, nin, _identity(identity), target == "parallel")
        loops = []
        for sig in signatures:
            arg_codes, ret_code = parse_signature(sig)
            if len(arg_codes) != nin:
                raise TypingError(f"{fn.__qualname__}: the signature {sig!r} has "
                                  f"{len(arg_codes)} arguments; the function takes {nin}")
            spec = _loop_spec(kernel, arg_codes, ret_code)
            codes = spec.arg_codes + [spec.ret_code]
            loops.append(([_dtype_of_code(c) for c in codes], spec.compiled.loop, spec.compiled))
        name, doc = _name_doc(fn)
        ufunc = _ember.make_ufunc(name, doc, nin, 1, loops, _identity(identity),
                                  target == "parallel")
        ufunc_kernels[id(ufunc)] = kernel
        return ufunc
    return build


class DUFunc:
    """A ufunc that compiles a loop for each new combination of input dtypes (vectorize without
    signatures).  It behaves as the NumPy ufunc it rebuilds whenever a loop is added."""

    def __init__(self, kernel: JitFunction, nin: int, identity: int, parallel: bool):
        self._kernel = kernel
        self._nin = nin
        self._identity = identity
        self._parallel = parallel
        self._loops: dict[tuple, tuple] = {}
        self._ufunc = None
        self.__name__, self.__doc__ = _name_doc(kernel.py_func)
        ufunc_kernels[id(self)] = kernel

    def __repr__(self):
        return f"<ember.DUFunc '{self.__name__}'>"

    def __reduce__(self):
        from .serialize import reduce_ufunc
        return reduce_ufunc(self, self._kernel)

    def _ensure(self, codes):
        key = tuple(tuple(c) for c in codes)
        if key in self._loops:
            return
        # cache=True (or EMBER_CACHE=1): the loop loads from the on-disk cache when it can
        spec = _loop_spec(self._kernel, [list(c) for c in codes], None)
        types = [_dtype_of_code(c) for c in spec.arg_codes + [spec.ret_code]]
        self._loops[key] = (types, spec.compiled.loop, spec.compiled)
        # NumPy takes the first loop its inputs cast to safely: narrow types first (type tags
        # go bool, int8 ... uint64, float32, float64, complex64, complex128; float16's tag, added
        # later, sorts as the narrowest float).
        order = [self._loops[k] for k in sorted(self._loops, key=_narrow_first)]
        self._ufunc = _ember.make_ufunc(self.__name__, self.__doc__, self._nin, 1,
                                        list(order), self._identity, self._parallel)

    @staticmethod
    def _element_code(value):
        code = _ember.typeof_code(value if isinstance(value, np.ndarray) else np.asarray(value)
                                  if not np.isscalar(value) else value)
        return [code[1]] if code[0] == 15 else code

    def __call__(self, *args, **kwargs):
        if len(args) < self._nin:
            raise TypeError(f"{self.__name__}() takes {self._nin} arguments")
        self._ensure([self._element_code(a) for a in args[:self._nin]])
        return self._ufunc(*args, **kwargs)

    def _method(self, name, *args, **kwargs):
        code = self._element_code(args[0])
        self._ensure([code] * self._nin)
        return getattr(self._ufunc, name)(*args, **kwargs)

    def reduce(self, *args, **kwargs):
        return self._method("reduce", *args, **kwargs)

    def accumulate(self, *args, **kwargs):
        return self._method("accumulate", *args, **kwargs)

    def reduceat(self, *args, **kwargs):
        return self._method("reduceat", *args, **kwargs)

    def outer(self, a, b, **kwargs):
        self._ensure([self._element_code(a), self._element_code(b)])
        return self._ufunc.outer(a, b, **kwargs)

    def at(self, a, indices, *args):
        self._ensure([self._element_code(a)] + [self._element_code(x) for x in args])
        return self._ufunc.at(a, indices, *args)

    @property
    def ufunc(self):
        """The NumPy ufunc holding the loops compiled so far (None before the first call)."""
        return self._ufunc

    nin = property(lambda self: self._nin)
    nout = property(lambda self: 1)
    nargs = property(lambda self: self._nin + 1)
    ntypes = property(lambda self: len(self._loops))
    types = property(lambda self: self._ufunc.types if self._ufunc else [])
    identity = property(lambda self: self._ufunc.identity if self._ufunc else None)


_CORE = re.compile(r"\(([^()]*)\)")


def _parse_layout(layout: str):
    """'(m,n),(n)->(m)' -> ([['m','n'], ['n']], [['m']])."""
    if "->" not in layout:
        raise ValueError(f"a gufunc layout looks like '(n),(n)->()', not {layout!r}")
    lhs, rhs = layout.replace(" ", "").split("->")

    def side(text):
        groups = _CORE.findall(text)
        return [[d for d in g.split(",") if d] for g in groups]
    ins, outs = side(lhs), side(rhs)
    if not ins or not outs:
        raise ValueError(f"cannot read the gufunc layout {layout!r}")
    return ins, outs


def guvectorize(signatures, layout, *, nopython=True, target="cpu", cache=False,
                writable_args=(), identity=None, **options):
    """Numba's @guvectorize: a generalized NumPy ufunc (outputs are the last arguments)."""
    if nopython is False:
        raise UnsupportedError("ember compiles in nopython mode only")
    _check_target(target)
    if isinstance(signatures, str):
        signatures = [signatures]
    ins, outs = _parse_layout(layout)
    names: list[str] = []
    for group in ins + outs:
        for d in group:
            if d not in names:
                names.append(d)
    core_dims = [[names.index(d) for d in group] for group in ins + outs]

    def build(fn):
        nargs = fn.__code__.co_argcount
        if nargs != len(ins) + len(outs):
            raise TypingError(f"{fn.__qualname__}: the layout {layout!r} has "
                              f"{len(ins) + len(outs)} arguments; the function takes {nargs}")
        kernel = _kernel(fn, options, ("gufunc", core_dims), cache)
        kernel._gufunc_inputs = len(ins)
        kernel._ufunc_recipe = ("guvectorize", (signatures, layout), dict(
            options, target=target, cache=cache, writable_args=writable_args,
            identity=identity))  # pickling by value
        loops = []
        for sig in signatures:
            arg_codes, _ = parse_signature(sig)
            if len(arg_codes) != nargs:
                raise TypingError(f"{fn.__qualname__}: the signature {sig!r} has "
                                  f"{len(arg_codes)} arguments; the function takes {nargs}")
            for code, group in zip(arg_codes, ins + outs):
                if code[0] == 15 and code[2] != max(len(group), 1):
                    raise TypingError(f"{fn.__qualname__}: {sig!r} gives an argument "
                                      f"{code[2]} dimensions where the layout has {len(group)}")
                if code[0] == 15:
                    code[3] = 2  # any layout: NumPy passes strided cores
            spec = _loop_spec(kernel, arg_codes, None)
            loops.append(([_dtype_of_code(c) for c in arg_codes], spec.compiled.loop,
                          spec.compiled))
        name, doc = _name_doc(fn)
        gufunc = _ember.make_ufunc(name, doc, len(ins), len(outs), loops, _identity(identity),
                                   target == "parallel", layout.replace(" ", ""))
        ufunc_kernels[id(gufunc)] = kernel
        return gufunc
    return build


_numpy_reduce = copyreg.dispatch_table.get(np.ufunc)


def _reduce_ufunc(u):
    """pickle for NumPy ufuncs: ember's by reference or by value (ember/serialize.py), NumPy's
    and others' as NumPy pickles them."""
    kernel = ufunc_kernels.get(id(u))
    if kernel is not None and kernel.__name__ == u.__name__:
        from .serialize import reduce_ufunc
        return reduce_ufunc(u, kernel)
    return _numpy_reduce(u) if _numpy_reduce is not None else u.__name__


copyreg.pickle(np.ufunc, _reduce_ufunc)
