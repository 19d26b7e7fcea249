"""Arrays: parameters of several dtypes, 1-D and 2-D, in C, F, strided and reversed layouts;
element reads and stores with valid indices (negative ones included: an index is a loop
variable over the axis, or a constant or ``k % n`` under a guard that the axis is not empty;
with boundscheck=True any small int, IndexError compared); shape, len, size; views by slicing
with steps (negative too), ``.T``, rows and columns; np.zeros/ones/full/empty/arange/copy/
astype; slice stores (overlapping ones included); loops over axes and over values.

Stores respect exactness: an exact array (every input is) only receives exact values, and a
view shares the exactness of the array it views."""
from __future__ import annotations

import ast

from .. import nodes as N
from ..fztypes import ARRAY_DTYPES, ArrayT, Dim, Scalar
from ..generator import ArrayPattern, Generator, is_array_node
from ..registry import feature
from .control import body, compound

I64, F64, F32, I32, BOOL = Scalar.I64, Scalar.F64, Scalar.F32, Scalar.I32, Scalar.BOOL
ARRAYS = feature("arrays", "array parameters, indexing, views, creation, stores, loops", 0.65)

PY_KINDS = (F64, I64, BOOL)


def _shape_of(node):
    return node.fz.type.shape


def load_var(v):
    return N.load(v.name, v.type, v.approx)


# ---- element access --------------------------------------------------------------------------

def element(g: Generator, v, depth: int, ctx=None):
    """a[i] / a[i, j] with valid indices, or None."""
    idx = []
    for dim in v.type.shape:
        i = g.index_for(dim, depth)
        if i is None:
            return None
        idx.append(i)
    index = idx[0] if len(idx) == 1 else N.tuple_(idx)
    node = N.subscript(load_var(v), index, v.type.dtype, v.approx, ctx=ctx)
    return node


@ARRAYS.expr(lambda w: w in ARRAY_DTYPES, weight=5)
def element_read(g: Generator, want, depth: int, exact: bool):
    vs = g.array_vars(ArrayPattern(want), exact)
    if not vs:
        return None
    v = g.pick(vs)
    if v.type.ndim == 2 and g.chance(0.2):
        i = g.index_for(v.type.shape[0], depth)
        j = g.index_for(v.type.shape[1], depth)
        if i is None or j is None:
            return None
        row = N.subscript(load_var(v), i, ArrayT(v.type.dtype, v.type.shape[1:]), v.approx)
        node = N.subscript(row, j, want, v.approx)
    else:
        node = element(g, v, depth)
        if node is None:
            return None
    if want in PY_KINDS:
        N.add_ref(node, "_py")
    return node


@ARRAYS.expr(lambda w: w is I64, weight=2)
def shape_value(g: Generator, want, depth: int, exact: bool):
    vs = g.readable(lambda v: isinstance(v.type, ArrayT))
    if not vs:
        return None
    v = g.pick(vs)
    form = g.pick(("shape", "len", "size", "ndim"))
    if form == "len":
        return N.call("len", [load_var(v)], I64)
    if form in ("size", "ndim"):
        return N.ann(ast.Attribute(value=load_var(v), attr=form, ctx=ast.Load()), I64)
    shape = ast.Attribute(value=load_var(v), attr="shape", ctx=ast.Load())
    axis = g.rng.randrange(v.type.ndim)
    if g.chance(0.2):
        axis -= v.type.ndim
    return N.subscript(shape, N.raw_int(axis), I64)


# ---- views -----------------------------------------------------------------------------------

def _slice_1d(g: Generator, dim: Dim):
    """(slice node, resulting Dim) of a random 1-D slice."""
    form = g.pick(("start", "stop", "step", "rev", "startstep", "all", "revstep"))
    k = g.rng.randint(1, 3)
    s = g.rng.randint(2, 3)
    if form == "start":
        return N.slice_(N.raw_int(k)), dim.sliced(k, 0, 1)
    if form == "stop":
        return N.slice_(None, N.raw_int(-k)), dim.sliced(0, k, 1)
    if form == "step":
        return N.slice_(None, None, N.raw_int(s)), dim.sliced(0, 0, s)
    if form == "rev":
        return N.slice_(None, None, N.raw_int(-1)), dim
    if form == "revstep":
        return N.slice_(None, None, N.raw_int(-s)), dim.sliced(0, 0, s)
    if form == "startstep":
        return N.slice_(N.raw_int(k), None, N.raw_int(s)), dim.sliced(k, 0, s)
    return N.slice_(), dim


def view_of(g: Generator, v, want: ArrayPattern, depth: int):
    """A view of array variable v matching want (dtype equal), or None."""
    t = v.type
    base = load_var(v)
    options = []
    if t.ndim == 1 and want.ndim in (None, 1):
        options.append("slice1")
    if t.ndim == 2:
        if want.ndim in (None, 2):
            options += ["slice2", "T"]
        if want.ndim in (None, 1):
            options += ["row", "col"]
    if not options:
        return None
    form = g.pick(options)
    if form == "slice1":
        sl, d = _slice_1d(g, t.shape[0])
        shape = (d or g.unknown_dim(),)
        index = sl
    elif form == "slice2":
        sl0, d0 = _slice_1d(g, t.shape[0])
        sl1, d1 = _slice_1d(g, t.shape[1])
        shape = (d0 or g.unknown_dim(), d1 or g.unknown_dim())
        index = N.tuple_([sl0, sl1])
    elif form == "T":
        node = ast.Attribute(value=base, attr="T", ctx=ast.Load())
        return N.ann(node, ArrayT(t.dtype, t.shape[::-1]), v.approx)
    elif form == "row":
        i = g.index_for(t.shape[0], depth)
        if i is None:
            return None
        index, shape = i, t.shape[1:]
    else:
        j = g.index_for(t.shape[1], depth)
        if j is None:
            return None
        index, shape = N.tuple_([N.slice_(), j]), t.shape[:1]
    return N.subscript(base, index, ArrayT(t.dtype, shape), v.approx)


@ARRAYS.expr(lambda w: isinstance(w, ArrayPattern), weight=4)
def array_var_or_view(g: Generator, want: ArrayPattern, depth: int, exact: bool):
    loose = ArrayPattern(want.dtype)
    vs = g.array_vars(loose, exact)
    if not vs:
        return None
    for _ in range(4):
        v = g.pick(vs)
        if g.chance(0.4) and want.matches(v.type):
            return load_var(v)
        node = view_of(g, v, want, depth)
        if node is not None and want.matches(node.fz.type):
            return node
    return None


# ---- creation --------------------------------------------------------------------------------

def _dtype_node(kind: Scalar):
    return N.attr("np", kind.value)


def _shape_node(g: Generator, shape):
    dims = []
    for d in shape:
        e = g.dim_expr(d)
        if e is None:
            return None
        dims.append(e)
    return dims[0] if len(dims) == 1 and g.chance(0.5) else N.tuple_(dims)


def _choose_shape(g: Generator, ndim: int):
    """A shape for a new array: lengths of arrays in scope, constants, or a length computed
    from an int expression (an unknown Dim)."""
    shape = []
    arrays = g.readable(lambda v: isinstance(v.type, ArrayT))
    for _ in range(ndim):
        r = g.rng.random()
        if arrays and r < 0.5:
            v = g.pick(arrays)
            shape.append(g.pick(v.type.shape))
        else:
            shape.append(Dim(g.rng.randint(0, 6)))
    return tuple(shape)


def creation(g: Generator, want: ArrayPattern, depth: int):
    """np.zeros / ones / full / arange making an array that matches want."""
    dtype = want.dtype or g.pick(ARRAY_DTYPES)
    ndim = want.ndim or (2 if g.chance(0.3) else 1)
    shape = want.shape or _choose_shape(g, ndim)
    if want.shape is None and ndim == 1 and dtype in (I64, F64) and g.chance(0.25):
        return _arange(g, dtype, depth)
    shape_node = _shape_node(g, shape)
    if shape_node is None:
        return None
    t = ArrayT(dtype, shape)
    fn = g.weighted(("zeros", "ones", "full"), (2, 1, 3))
    if fn == "full":
        fill = g.scalar(dtype, max(depth, 1), exact=True)
        if dtype is I32:
            N.add_ref(fill, "_cksmall", "int32")
        return N.call("np.full", [shape_node, fill], t, keywords=[N.kw("dtype",
                                                                      _dtype_node(dtype))])
    args = [shape_node]
    kws = []
    if dtype is not F64 or g.chance(0.3):
        if g.chance(0.5):
            args.append(_dtype_node(dtype))
        else:
            kws.append(N.kw("dtype", _dtype_node(dtype)))
    return N.call(f"np.{fn}", args, t, keywords=kws)


def _arange(g: Generator, dtype: Scalar, depth: int):
    c = lambda v: N.const(v, I64)  # noqa: E731
    if dtype is F64:
        start = g.rng.randint(-8, 8) / 4
        step = g.pick((0.5, 0.25, -0.5, 1.5))
        stop = start + step * g.rng.randint(0, 8) + step / 2
        args = [N.const(start, F64), N.const(stop, F64), N.const(step, F64)]
        return N.call("np.arange", args, ArrayT(F64, (g.unknown_dim(),)))
    x = g.scalar(I64, depth)
    step = g.pick((1, 2, -1, 3, -2))
    if g.chance(0.5):
        args = [N.call("min", [x, c(g.rng.randint(0, 9))], I64)]
    elif step > 0:
        args = [c(g.rng.randint(-5, 5)), N.call("min", [x, c(g.rng.randint(0, 9))], I64),
                c(step)]
    else:
        args = [c(g.rng.randint(-5, 5)), N.call("max", [x, c(-g.rng.randint(0, 9))], I64),
                c(step)]
    return N.call("np.arange", args, ArrayT(I64, (g.unknown_dim(),)))


@ARRAYS.expr(lambda w: isinstance(w, ArrayPattern), weight=2)
def new_array(g: Generator, want: ArrayPattern, depth: int, exact: bool):
    return creation(g, want, depth)


@ARRAYS.expr(lambda w: isinstance(w, ArrayPattern), weight=1)
def copy_or_cast(g: Generator, want: ArrayPattern, depth: int, exact: bool):
    if g.chance(0.5):
        src = g.expr(ArrayPattern(want.dtype, want.ndim, want.shape), depth, exact)
        if not is_array_node(src):
            return None
        form = g.pick(("method", "np.copy"))
        if form == "method":
            return N.method(src, "copy", [], src.fz.type, src.fz.approx)
        return N.call("np.copy", [src], src.fz.type, src.fz.approx)
    if want.dtype is None:
        return None
    src_dtype = g.pick(ARRAY_DTYPES)
    src = g.expr(ArrayPattern(src_dtype, want.ndim, want.shape), depth, exact=True)
    if not is_array_node(src):
        return None
    t = ArrayT(want.dtype, src.fz.type.shape)
    return N.method(src, "astype", [_dtype_node(want.dtype)], t)


# ---- statements ------------------------------------------------------------------------------

def _writable_arrays(g: Generator, exact_only=False):
    return [v for v in g.readable(lambda v: isinstance(v.type, ArrayT))
            if v.writable and not (exact_only and v.approx)]


def store_value(g: Generator, dtype: Scalar, depth: int, exact: bool):
    """A scalar value to store into an array of dtype (same kind, or a lossless one)."""
    if dtype is F64:
        kind = g.weighted((F64, I64), (5, 1))
    elif dtype is F32:
        kind = g.weighted((F32, F64), (1, 3)) if g.has("small_scalars") else F64
    elif dtype is I32:
        kind = I32 if g.has("small_scalars") and g.chance(0.3) else I64
    else:
        kind = dtype
    value = g.scalar(kind, depth, exact)
    if dtype is I32 and kind is I64:
        N.add_ref(value, "_cksmall", "int32")
    return value


@ARRAYS.stmt(weight=4, where=("serial",))
def element_store(g: Generator, depth: int):
    vs = _writable_arrays(g)
    if not vs:
        return None
    v = g.pick(vs)
    target = element(g, v, 2, ctx=ast.Store())
    if target is None:
        return None
    value = store_value(g, v.type.dtype, 2, exact=not v.approx)
    # a[i] op= x on float32: NumPy computes in float32 (x is weak), ember in float64 and
    # rounds once (Numba): the same only when x is itself a float32
    aug_ok = v.type.dtype is not BOOL and (v.type.dtype is not F32 or value.fz.type is F32)
    if g.chance(0.3) and aug_ok:
        ops = ("+", "-", "*") if v.type.dtype.is_float else ("+", "-", "*", "&", "|", "^")
        return [N.augassign(target, g.pick(ops), value)]
    return [ast.Assign(targets=[target], value=value)]


@ARRAYS.stmt(weight=2, where=("serial",))
def slice_store(g: Generator, depth: int):
    vs = _writable_arrays(g)
    if not vs:
        return None
    v = g.pick(vs)
    view = view_of(g, v, ArrayPattern(v.type.dtype), 2)
    if view is None or not isinstance(view, ast.Subscript):
        return None
    view.ctx = ast.Store()
    vt = view.fz.type
    if g.chance(0.4):
        value = store_value(g, vt.dtype, 2, exact=not v.approx)
    else:
        # same dtype (casts in slice stores are NumPy's 'unsafe' casting: not generated)
        value = g.expr(ArrayPattern(vt.dtype, vt.ndim, vt.shape), 2, exact=not v.approx)
        if not is_array_node(value) or value.fz.type.shape != vt.shape:
            return None
    return [ast.Assign(targets=[view], value=value)]


@ARRAYS.stmt(weight=3)
def new_array_var(g: Generator, depth: int):
    want = ArrayPattern(g.pick(ARRAY_DTYPES), 2 if g.chance(0.25) else 1)
    node = g.expr(want, 2)
    if not is_array_node(node):
        return None
    name = g.new_name("arr")
    # a view of a variable shares it (stores reach it), and a prange body may not store
    base = _viewed_var(node)
    writable = not g.fn.in_prange
    if base is not None:
        src = g.facts.vars.get(base)
        writable = writable and src is not None and src.writable
    g.declare(name, node.fz.type, node.fz.approx, writable=writable, base=base)
    return [N.assign(name, node)]


def _viewed_var(node):
    """The variable a view expression views (a[...], a.T, chains of them), or None for a
    fresh array."""
    while isinstance(node, (ast.Subscript, ast.Attribute)):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


@ARRAYS.stmt(weight=1, where=("serial",))
def empty_then_fill(g: Generator, depth: int):
    dtype = g.pick(ARRAY_DTYPES)
    shape = _choose_shape(g, 1)
    shape_node = _shape_node(g, shape)
    if shape_node is None:
        return None
    name = g.new_name("arr")
    t = ArrayT(dtype, shape)
    make = N.call("np.empty", [shape_node, _dtype_node(dtype)], t)
    value = store_value(g, dtype, 2, exact=True)
    fill = ast.Assign(targets=[N.subscript(N.load(name, t), N.slice_(), t, ctx=ast.Store())],
                      value=value)
    if g.chance(0.3):
        fill = N.expr_stmt(N.method(N.load(name, t), "fill", [value], None))
    g.declare(name, t, 0)
    return [N.assign(name, make), fill]


@ARRAYS.stmt(weight=3)
@compound
def loop_over_axis(g: Generator, depth: int):
    from .control import for_loop
    vs = g.readable(lambda v: isinstance(v.type, ArrayT))
    if not vs:
        return None
    v = g.pick(vs)
    axis = g.rng.randrange(v.type.ndim)
    dim = v.type.shape[axis]
    n = g.dim_expr(dim)
    if n is None:
        return None
    if g.chance(0.3):
        # over the common length of two arrays: a valid index for both
        others = [w for w in vs if w is not v and w.type.ndim == 1]
        if others:
            w = g.pick(others)
            m = g.dim_expr(w.type.shape[0])
            if m is not None and w.type.shape[0] != dim:
                n = N.call("min", [n, m], I64)
                return [_loop_two(g, depth, n, dim, w.type.shape[0])]
    return [for_loop(g, depth, [n], dim=dim)]


def _loop_two(g: Generator, depth: int, n, d1: Dim, d2: Dim):
    from .control import for_loop
    loop = for_loop(g, depth, [n], dim=d1)
    # re-generate the body knowing the index is valid for d2 as well
    name = loop.target.id
    with g.block():
        g.declare(name, I64, role="loop", writable=False)
        for d in (d1, d2):
            g.facts.index_vars.setdefault(d, []).append(name)
            g.facts.nonempty.add(d)
        g.fn.loops.append("for")
        try:
            loop.body = body(g, depth, 1, 5)
        finally:
            g.fn.loops.pop()
    return loop


@ARRAYS.stmt(weight=1)
@compound
def loop_over_values(g: Generator, depth: int):
    vs = g.readable(lambda v: isinstance(v.type, ArrayT) and v.type.ndim == 1)
    if not vs:
        return None
    v = g.pick(vs)
    name = g.new_name("e")
    it = load_var(v)
    if v.type.dtype in PY_KINDS:
        N.add_ref(it, "_pyiter")
    with g.block():
        g.declare(name, v.type.dtype, v.approx, role="loop", writable=False)
        g.fn.loops.append("for")
        try:
            stmts = body(g, depth, 1, 4)
        finally:
            g.fn.loops.pop()
    return [ast.For(target=N.store(name), iter=it, body=stmts, orelse=[])]


@ARRAYS.stmt(weight=2)
@compound
def nonempty_guard(g: Generator, depth: int):
    vs = g.readable(lambda v: isinstance(v.type, ArrayT))
    if not vs:
        return None
    v = g.pick(vs)
    if g.chance(0.5) or v.type.ndim == 1:
        axis = g.rng.randrange(v.type.ndim)
        n = g.dim_expr(v.type.shape[axis])
        dims = [v.type.shape[axis]]
        test = N.compare(n, [">"], [N.const(0, I64)])
    else:
        dims = list(v.type.shape)
        size = N.ann(ast.Attribute(value=load_var(v), attr="size", ctx=ast.Load()), I64)
        test = N.compare(size, [">"], [N.const(0, I64)])
    with g.block():
        g.facts.nonempty.update(dims)
        then = body(g, depth)
    return [ast.If(test=test, body=then, orelse=[])]


@ARRAYS.stmt(weight=2, where=("serial",))
def reassign_array(g: Generator, depth: int):
    """arr = <another array of the same dtype and shape> (its layout may differ: C, F or any,
    which ember's type unification must merge)."""
    vs = [v for v in g.readable(lambda v: isinstance(v.type, ArrayT))
          if v.role in ("local", "param") and v.writable]
    if not vs:
        return None
    v = g.pick(vs)
    value = g.expr(ArrayPattern(v.type.dtype, v.type.ndim, v.type.shape), 2,
                   exact=not v.approx)
    if not is_array_node(value) or value.fz.type != v.type:
        return None
    base = _viewed_var(value)
    if base is not None and base != v.name:
        src = g.facts.vars.get(base)
        if src is None or not src.writable:
            return None
    g.facts.vars[v.name] = type(v)(v.name, v.type, v.approx, v.role, v.writable,
                                   base if base != v.name else v.base)
    return [N.assign(v.name, value)]
