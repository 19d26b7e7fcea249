"""Numba's ``@stencil``: a kernel written with relative indices (``a[-1, 0]``) applied to every
point of its input arrays.

The kernel's syntax tree is rewritten once into an ordinary function of the point's indices
(``a[-1, 0]`` becomes ``a[i0 - 1, i1]``); a driver built as a syntax tree for each (array
rank, number of arguments, output dtype, ``out=`` given or not) loops over the points whose
neighbourhood lies inside the arrays and stores the kernel's result, leaving the border at
``cval`` (0 unless given).  Both are compiled by ``ember.njit``, so the kernel is inlined into
the loop.  The neighbourhood is read from the constant relative indices unless the
``neighborhood=`` option gives it (which non-constant indices need); arrays named in
``standard_indexing`` are indexed as written.  A stencil called from compiled code is an
``ember.extending`` overload of the stencil object: the same driver is compiled as the
caller's callee; in a ``parallel=True`` caller the driver's outermost loop is a ``prange`` and
the driver is compiled with ``parallel=True`` (as Numba parallelizes a stencil there).  The
generated code carries the kernel's file and line numbers, so errors
point at the user's kernel.
"""
from __future__ import annotations

import ast
import copy
import inspect
import textwrap

import numpy as np

from . import types
from .errors import TypingError

__all__ = ["stencil", "StencilFunc"]

_MODES = ("constant",)


class _Neighborhood(ast.NodeVisitor):
    """The (min, max) relative offset per axis over every constant index of the arrays."""

    def __init__(self, arrays):
        self.arrays = arrays
        self.bounds: list[list[int]] | None = None
        self.variable: ast.AST | None = None  # the first index that is not a constant

    def visit_Subscript(self, node):  # noqa: N802 (ast's spelling)
        self.generic_visit(node)
        if not (isinstance(node.value, ast.Name) and node.value.id in self.arrays):
            return
        idx = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
        offsets = [_constant_int(e) for e in idx]
        if None in offsets:
            self.variable = self.variable or node
            return
        if self.bounds is None:
            self.bounds = [[o, o] for o in offsets]
        elif len(self.bounds) != len(offsets):
            raise TypingError("the stencil kernel indexes its arrays with different numbers of "
                              "indices", None, node.lineno)
        for b, o in zip(self.bounds, offsets):
            b[0], b[1] = min(b[0], o), max(b[1], o)


def _constant_int(node):
    if isinstance(node, ast.Constant) and type(node.value) is int:
        return node.value
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        v = _constant_int(node.operand)
        if v is not None:
            return -v if isinstance(node.op, ast.USub) else v
    return None


class _Relative(ast.NodeTransformer):
    """``a[di, dj]`` -> ``a[__i0 + di, __i1 + dj]`` for the relatively indexed arrays."""

    def __init__(self, arrays, index_names):
        self.arrays = arrays
        self.index_names = index_names

    def visit_Subscript(self, node):  # noqa: N802
        self.generic_visit(node)
        if not (isinstance(node.value, ast.Name) and node.value.id in self.arrays):
            return node
        idx = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
        if len(idx) != len(self.index_names):
            raise TypingError(f"the stencil kernel indexes '{node.value.id}' with {len(idx)} "
                              f"indices; its neighbourhood has {len(self.index_names)} axes",
                              None, node.lineno)
        shifted = [ast.copy_location(ast.BinOp(ast.Name(i, ast.Load()), ast.Add(), e), e)
                   for i, e in zip(self.index_names, idx)]
        node.slice = ast.copy_location(ast.Tuple(shifted, ast.Load()), node.slice)
        return node


def _name(n, ctx=None):
    return ast.Name(n, ctx or ast.Load())


def _call(func, *args):
    return ast.Call(func, list(args), [])


def _attr(obj, name):
    return ast.Attribute(obj, name, ast.Load())


class StencilFunc:
    """What ``@stencil`` returns: call it with arrays (and ``out=``) from Python or from
    compiled code."""

    def __init__(self, kernel, neighborhood=None, cval=None, standard_indexing=(),
                 func_or_mode="constant"):
        if func_or_mode not in _MODES:
            raise ValueError(f"stencil func_or_mode {func_or_mode!r} is not supported "
                             f"(only {', '.join(map(repr, _MODES))})")
        self.kernel_func = kernel
        self.cval = cval
        self.standard_indexing = tuple(standard_indexing)
        self.__name__ = kernel.__name__
        self.__qualname__ = kernel.__qualname__
        self.__doc__ = kernel.__doc__
        self._params = list(inspect.signature(kernel).parameters)
        for name in self.standard_indexing:
            if name not in self._params:
                raise ValueError(f"standard_indexing names '{name}', which is not a parameter "
                                 f"of {kernel.__name__}()")
        self._tree, self._filename = self._parse(kernel)
        self._relative: set[str] = set()  # the array parameters, once types are known
        self.neighborhood = tuple(tuple(b) for b in neighborhood) if neighborhood else None
        self._given_neighborhood = self.neighborhood is not None
        self._kernels: dict = {}
        self._drivers: dict = {}
        self._called: dict = {}  # (argument types, out= type) -> jitted driver (__call__)
        from .extending import overload
        overload(self)(self._typer)

    @staticmethod
    def _parse(kernel):
        source = textwrap.dedent(inspect.getsource(kernel))
        if kernel.__name__ == "<lambda>":  # the lines holding it: find the lambda among them
            tree = ast.parse(_statement(source))
            lambdas = [n for n in ast.walk(tree) if isinstance(n, ast.Lambda)
                       and [a.arg for a in n.args.args] == list(kernel.__code__.co_varnames[
                           :kernel.__code__.co_argcount])]
            if len(lambdas) != 1:
                raise TypeError("@stencil cannot tell this lambda's source from the others on "
                                "its line; define the kernel with def")
            fn = ast.FunctionDef("lambda_kernel", lambdas[0].args,
                                 [ast.Return(lambdas[0].body)], [], None)
            ast.copy_location(fn, lambdas[0])
            tree = ast.Module([fn], [])
        else:
            tree = ast.parse(source)
            fn = tree.body[0]
            if not isinstance(fn, ast.FunctionDef):
                raise TypeError("@stencil decorates a function defined with def")
            fn.decorator_list = []
        ast.fix_missing_locations(tree)
        ast.increment_lineno(tree, kernel.__code__.co_firstlineno - 1)
        return fn, kernel.__code__.co_filename

    def _namespace(self):
        """The kernel's globals, with its closure's values frozen in (as Numba freezes them)."""
        ns = dict(self.kernel_func.__globals__)
        code = self.kernel_func.__code__
        for name, cell in zip(code.co_freevars, self.kernel_func.__closure__ or ()):
            ns[name] = cell.cell_contents
        return ns

    def _kernel(self, arrays, ndim):
        """The kernel as a jitted function of (indices..., arguments...)."""
        key = (arrays, ndim)
        found = self._kernels.get(key)
        if found is not None:
            return found
        if not self._given_neighborhood:
            finder = _Neighborhood(arrays)
            finder.visit(self._tree)
            if finder.variable is not None:
                raise TypingError("a stencil kernel index that is not a constant needs the "
                                  "neighborhood= option", self._filename, finder.variable.lineno)
            bounds = finder.bounds or [[0, 0]] * ndim
            self.neighborhood = tuple(tuple(b) for b in bounds)
        if len(self.neighborhood) != ndim:
            raise TypingError(f"the stencil's neighbourhood has {len(self.neighborhood)} axes but "
                              f"its arrays have {ndim}", self._filename, self._tree.lineno)
        tree = _Relative(arrays, [f"__i{k}" for k in range(ndim)]).visit(
            copy.deepcopy(self._tree))
        tree.name = f"{self.__name__}__stencil_kernel"
        tree.args.args = [ast.arg(f"__i{k}") for k in range(ndim)] + tree.args.args
        ns = self._namespace()
        exec(compile(ast.fix_missing_locations(ast.Module([tree], [])), self._filename, "exec"),
             ns)
        from .decorators import njit
        found = self._kernels[key] = njit(ns[tree.name])
        return found

    def _typer(self, *args, out=None):
        """ember.extending's typing function: the driver for these argument types."""
        if len(args) != len(self._params):
            raise TypingError(f"{self.__name__}() takes {len(self._params)} arguments but "
                              f"{len(args)} were given")
        arrays = tuple(p for p, t in zip(self._params, args)
                       if isinstance(t, types.Array) and p not in self.standard_indexing)
        if not arrays:
            raise TypingError(f"{self.__name__}(): a stencil needs at least one array argument "
                              "indexed relatively")
        ndim = dict(zip(self._params, args))[arrays[0]].ndim
        kernel = self._kernel(arrays, ndim)
        if out is not None and not (isinstance(out, types.Array) and out.ndim == ndim):
            raise TypingError(f"{self.__name__}(): out= must be an array of {ndim} dimensions")
        dtype = None
        if out is None:
            ret = _return_type(kernel, [types.int64] * ndim + list(args))
            if not isinstance(ret, (types.Number, types.Boolean)):
                raise TypingError(f"the stencil kernel {self.__name__}() returns {ret!r}; it must "
                                  "return a number")
            dtype = np.dtype(ret.name if ret.name != "bool" else "bool")
        from .dispatcher import compiling_parallel
        if compiling_parallel():  # called from a parallel=True function: as Numba, in parallel
            driver = self._driver(kernel, arrays, ndim, dtype, out is not None, True)
            return _jit(driver, parallel=True)
        return self._driver(kernel, arrays, ndim, dtype, out is not None)

    def _driver(self, kernel, arrays, ndim, dtype, has_out, parallel=False):
        """The loops over the points (the outermost a prange when parallel)."""
        key = (arrays, ndim, dtype, has_out, parallel)
        found = self._drivers.get(key)
        if found is not None:
            return found
        line = self._tree.lineno
        first = _name(arrays[0])
        params = list(self._params) + (["out"] if has_out else [])
        body = []
        for other in arrays[1:]:  # relative indexing reads every array at the same points
            body.append(ast.If(ast.Compare(_attr(_name(other), "shape"), [ast.NotEq()],
                                           [_attr(first, "shape")]),
                               [ast.Raise(_call(_name("ValueError"), ast.Constant(
                                   f"the stencil's arrays '{arrays[0]}' and '{other}' must have "
                                   "the same shape")), None)], []))
        if not has_out:
            fill = [ast.Constant(0 if self.cval is None else self.cval)]
            body.append(ast.Assign([_name("out", ast.Store())], _call(
                _attr(_name("__np"), "full"), _attr(first, "shape"), *fill, _name("__dtype"))))
        point = [f"__i{k}" for k in range(ndim)]
        store = ast.Assign([ast.Subscript(_name("out"), ast.Tuple(
            [_name(p) for p in point], ast.Load()), ast.Store())],
            _call(_name("__kernel"), *[_name(p) for p in point],
                  *[_name(p) for p in self._params]))
        loop = [store]
        for k in reversed(range(ndim)):
            lo, hi = self.neighborhood[k]
            stop = ast.BinOp(ast.Subscript(_attr(first, "shape"), ast.Constant(k), ast.Load()),
                             ast.Sub(), ast.Constant(max(hi, 0)))
            loop_range = "__prange" if parallel and k == 0 else "range"
            loop = [ast.For(_name(point[k], ast.Store()),
                            _call(_name(loop_range), ast.Constant(max(-lo, 0)), stop), loop, [])]
        body += loop
        body.append(ast.Return(_name("out")))
        fn = ast.FunctionDef(f"{self.__name__}__stencil", ast.arguments(
            [], [ast.arg(p) for p in params], None, [], [], None, []), body, [], None)
        module = ast.Module([fn], [])
        for node in ast.walk(module):
            node.lineno = node.end_lineno = line
            node.col_offset = node.end_col_offset = 0
        from .decorators import prange
        ns = {"__np": np, "__dtype": dtype, "__kernel": kernel, "ValueError": ValueError,
              "range": range, "__prange": prange}
        exec(compile(module, self._filename, "exec"), ns)
        found = self._drivers[key] = ns[fn.name]
        return found

    def __call__(self, *args, out=None):
        from . import typeof
        argtypes = tuple(typeof(a) for a in args)
        outtype = None if out is None else typeof(out)
        key = (argtypes, outtype)
        driver = self._called.get(key)  # the jitted driver, once per argument types
        if driver is None:
            driver = self._called[key] = _jit(self._typer(*argtypes, out=outtype))
        return driver(*args) if out is None else driver(*args, out)


def _statement(source):
    """The lines inspect gave for a lambda, made parseable on their own: a lambda that is an
    argument on a continued line parses once the text up to its first line's end is closed."""
    for end in range(len(source), 0, -1):
        try:
            ast.parse(source[:end])
            return source[:end]
        except SyntaxError:
            continue
    return source


_jitted: dict = {}


def _jit(driver, parallel=False):
    found = _jitted.get(driver)
    if found is None:
        from .decorators import njit
        found = _jitted[driver] = njit(parallel=parallel)(driver)
    return found


def _return_type(kernel, argtypes):
    """The type the jitted kernel returns for these argument types."""
    from .dispatcher import session
    s = session()
    spec = kernel._impl.compile_types(tuple(s.type_from_code(t.code) for t in argtypes))
    code = s.type_code(spec.compiled.return_type)
    if code is None:
        return types.Opaque(s.type_str(spec.compiled.return_type), ())
    return types.from_code(code)


def stencil(func=None, **options):
    """Numba's ``@stencil`` and ``@stencil(neighborhood=..., cval=..., standard_indexing=...,
    func_or_mode="constant")``."""
    if func is None:
        return lambda f: StencilFunc(f, **options)
    if isinstance(func, str):  # @stencil("constant")
        return lambda f: StencilFunc(f, func_or_mode=func, **options)
    return StencilFunc(func, **options)
