"""The generator's core: program and function assembly, scopes and facts, and the dispatch of
expression and statement requests to the producers the feature modules registered.

Everything random comes from one ``random.Random`` seeded from (seed, program index), so a
program depends on nothing else (not on --jobs, not on the worker that generates it).
"""
from __future__ import annotations

import ast
import contextlib
import hashlib
import random
from dataclasses import dataclass, field

from . import nodes as N
from .fztypes import ArrayT, Dim, Scalar, TupleT, join_approx
from .program import FuncSpec, Program
from .registry import FEATURES, load_all


@dataclass(frozen=True)
class ArrayPattern:
    """An array type asked for: dtype and ndim (None: any) and, when set, the exact shape."""
    dtype: Scalar | None = None
    ndim: int | None = None
    shape: tuple | None = None

    def matches(self, t) -> bool:
        return (isinstance(t, ArrayT) and (self.dtype is None or t.dtype is self.dtype)
                and (self.ndim is None or t.ndim == self.ndim)
                and (self.shape is None or t.shape == self.shape))


def is_array_node(node) -> bool:
    """Whether an array request produced an array (it may produce None: no way to make an
    array of that exact shape here)."""
    return node is not None and isinstance(node.fz.type, ArrayT)


@dataclass
class Var:
    name: str
    type: object
    approx: int = 0
    # "param", "local", "loop" (a loop variable: read-only), "counter" (a while-loop counter:
    # read-only), "hidden" (not readable: a prange reduction or output)
    role: str = "local"
    # arrays: may be stored into; scalars: may be reassigned
    writable: bool = True
    # the variable of which an array variable is a view (its stores reach that array)
    base: str | None = None


@dataclass
class Facts:
    """What the generator knows at a point of a function, restored when a block ends."""
    vars: dict = field(default_factory=dict)
    # Dim -> names of int variables known to be valid indices for an axis of that length
    index_vars: dict = field(default_factory=dict)
    # Dims known to be non-zero here
    nonempty: set = field(default_factory=set)

    def copy(self) -> Facts:
        return Facts(dict(self.vars), {k: list(v) for k, v in self.index_vars.items()},
                     set(self.nonempty))


@dataclass
class FunctionState:
    name: str
    ret: object
    options: dict
    facts: Facts = field(default_factory=Facts)
    loops: list = field(default_factory=list)  # "for", "while", "prange"
    in_prange: bool = False
    no_raise: bool = False
    # prange: reduction variable -> the operator its updates use ("+", "*", "min", ...)
    reductions: dict = field(default_factory=dict)
    prange_index: str | None = None
    prange_outputs: set = field(default_factory=set)
    statements: int = 0
    ret_approx: int = 0
    is_helper: bool = False


def program_rng(seed: int, index: int) -> random.Random:
    digest = hashlib.sha256(f"ember-fuzz:{seed}:{index}".encode()).digest()
    return random.Random(int.from_bytes(digest[:8], "little"))


class Generator:
    """Makes one program.  Feature modules call back into it (expr, scalar, cond, stmts...)."""

    MAX_STATEMENTS = 40

    def __init__(self, rng: random.Random, features: set[str] | None = None):
        load_all()
        self.rng = rng
        if features is None:
            features = {name for name, f in FEATURES.items() if rng.random() < f.probability}
            features = {f for f in features
                        if all(r in features for r in FEATURES[f].requires)}
        unknown = set(features) - set(FEATURES)
        if unknown:
            raise ValueError(f"unknown fuzz features: {', '.join(sorted(unknown))}")
        self.features = frozenset(features)
        self.expr_rules = [r for f in sorted(self.features) for r in FEATURES[f].exprs]
        self.stmt_rules = [r for f in sorted(self.features) for r in FEATURES[f].stmts]
        self.fn: FunctionState | None = None
        self.helpers: list[FuncSpec] = []
        self.names = 0
        self.shape_symbols: list[str] = []
        self.unknown_dims = 0

    def has(self, feature: str) -> bool:
        return feature in self.features

    # ---- names, choices ----------------------------------------------------------------------

    def new_name(self, prefix: str) -> str:
        self.names += 1
        return f"{prefix}{self.names}"

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def pick(self, seq):
        return self.rng.choice(list(seq))

    def weighted(self, items, weights):
        return self.rng.choices(list(items), weights=list(weights))[0]

    def unknown_dim(self) -> Dim:
        self.unknown_dims += 1
        return Dim(f"?{self.unknown_dims}")

    # ---- variables and facts -------------------------------------------------------------------

    @property
    def facts(self) -> Facts:
        return self.fn.facts

    def declare(self, name: str, type_, approx: int = 0, **kw) -> Var:
        v = Var(name, type_, approx, **kw)
        self.facts.vars[name] = v
        return v

    def readable(self, pred=None, exact: bool = False):
        out = []
        for v in self.facts.vars.values():
            if v.role == "hidden":
                continue
            if exact and v.approx:
                continue
            if pred is None or pred(v):
                out.append(v)
        return out

    def scalar_vars(self, kind: Scalar, exact: bool = False):
        return self.readable(lambda v: v.type is kind, exact)

    def array_vars(self, pattern: ArrayPattern, exact: bool = False, writable=None):
        def ok(v):
            if not pattern.matches(v.type):
                return False
            return writable is None or (v.writable == writable)
        return self.readable(ok, exact)

    @contextlib.contextmanager
    def block(self):
        """Variables declared and facts learned inside are forgotten at the end."""
        saved = self.fn.facts.copy()
        try:
            yield
        finally:
            self.fn.facts = saved

    def dim_expr(self, dim: Dim):
        """An int expression whose value is the length dim (or None if none is known here)."""
        if dim.const is not None:
            return N.const(dim.const, Scalar.I64)
        options = []
        for v in self.readable(lambda v: isinstance(v.type, ArrayT)):
            for axis, d in enumerate(v.type.shape):
                if d == dim:
                    options.append((v, axis))
        if not options:
            return None
        v, axis = self.pick(options)
        shape = ast.Attribute(value=N.load(v.name, v.type, v.approx), attr="shape",
                              ctx=ast.Load())
        return N.subscript(shape, ast.Constant(axis), Scalar.I64)

    def index_for(self, dim: Dim, depth: int):
        """An int expression that is a valid index for an axis of length dim here, or None.
        With boundscheck on, any small int expression will do (IndexError is compared)."""
        if self.fn.options.get("boundscheck") and not self.fn.in_prange and self.chance(0.3):
            return self.small_int(depth)
        choices = []
        for name in self.facts.index_vars.get(dim, ()):
            if name in self.facts.vars:
                choices.append(("var", name))
        nonempty = dim in self.facts.nonempty or (dim.const or 0) > 0
        if nonempty:
            choices += [("const", 0), ("const", -1), ("mod", None), ("negmod", None)]
        if not choices:
            return None
        kind, arg = self.pick(choices)
        if kind == "var":
            node = N.load(arg, Scalar.I64)
            if self.chance(0.3):
                # i counts up from 0: -1 - i is the mirrored valid (negative) index
                node = N.binop(N.unary("-", N.const(1, Scalar.I64), Scalar.I64), "-", node,
                               Scalar.I64)
            return node
        if kind == "const":
            if dim.const and dim.const > 1 and self.chance(0.5):
                return N.const(self.rng.randrange(-dim.const, dim.const), Scalar.I64)
            return N.const(arg, Scalar.I64)
        length = self.dim_expr(dim)
        if length is None:
            return None
        inner = self.scalar(Scalar.I64, depth - 1, exact=True)
        node = N.binop(inner, "%", length, Scalar.I64)
        if kind == "negmod":
            node = N.binop(N.unary("-", N.const(1, Scalar.I64), Scalar.I64), "-", node,
                           Scalar.I64)
        return node

    # ---- expressions -------------------------------------------------------------------------

    def expr(self, want, depth: int, exact: bool = False):
        """A node of type want (a Scalar, an ArrayPattern or a TupleT); exact: its value must be
        exact (approx 0)."""
        if depth > 0 and not (isinstance(want, Scalar) and self.chance(0.25)):
            rules = [r for r in self.expr_rules if r.accepts(want)]
            tries = 0
            while rules and tries < 6:
                tries += 1
                rule = self.rng.choices(rules, weights=[r.weight for r in rules])[0]
                node = rule.fn(self, want, depth - 1, exact)
                if node is None or not _fits(node, want):
                    continue
                if exact and node.fz.approx:
                    continue
                return node
        return self.leaf(want, depth, exact)

    def scalar(self, kind: Scalar, depth: int, exact: bool = False):
        return self.expr(kind, depth, exact)

    def cond(self, depth: int):
        """An exact bool expression (a condition)."""
        return self.expr(Scalar.BOOL, depth, exact=True)

    def small_int(self, depth: int):
        """An int expression of small magnitude (an index, a count)."""
        if self.chance(0.5):
            return N.const(self.rng.randint(-6, 8), Scalar.I64)
        inner = self.scalar(Scalar.I64, depth - 1, exact=True)
        return N.binop(inner, "%", N.const(self.rng.randint(3, 11), Scalar.I64), Scalar.I64)

    def leaf(self, want, depth: int, exact: bool = False):
        if isinstance(want, Scalar):
            vs = self.scalar_vars(want, exact)
            if vs and self.chance(0.85):
                v = self.pick(vs)
                return N.load(v.name, v.type, v.approx)
            return N.const(self.constant(want), want)
        if isinstance(want, TupleT):
            return self.tuple_expr(want, depth, exact)
        if isinstance(want, ArrayPattern):
            vs = self.array_vars(want, exact)
            if vs:
                v = self.pick(vs)
                return N.load(v.name, v.type, v.approx)
            cast = self._lossless_cast(want, exact)
            if cast is not None and self.chance(0.7):
                return cast
            return self.make_array(want, depth)
        raise TypeError(f"cannot make a leaf of {want!r}")

    # casts that keep every value (float-to-int casts are left to features/arrays.py)
    LOSSLESS = {Scalar.F64: (Scalar.F32, Scalar.I32, Scalar.I64, Scalar.BOOL),
                Scalar.I64: (Scalar.I32, Scalar.BOOL), Scalar.I32: (Scalar.BOOL,),
                Scalar.F32: (Scalar.BOOL,), Scalar.BOOL: ()}

    def _lossless_cast(self, want: ArrayPattern, exact: bool):
        """x.astype(dtype) of an array variable of the wanted shape, or None."""
        if want.dtype is None:
            return None
        sources = self.LOSSLESS[want.dtype]
        vs = [v for v in self.array_vars(ArrayPattern(None, want.ndim, want.shape), exact)
              if v.type.dtype in sources]
        if not vs:
            return None
        v = self.pick(vs)
        return N.method(N.load(v.name, v.type, v.approx), "astype",
                        [N.attr("np", want.dtype.value)], ArrayT(want.dtype, v.type.shape),
                        v.approx)

    def make_array(self, want: ArrayPattern, depth: int):
        """A freshly made array matching want (np.zeros / ones / full of a constant)."""
        from .features.arrays import creation
        return creation(self, want, depth)

    def constant(self, kind: Scalar):
        from .values import literal
        return literal(self.rng, kind)

    def tuple_expr(self, want: TupleT, depth: int, exact: bool = False):
        elts = [self.expr(t, depth - 1, exact) for t in want.items]
        return N.tuple_(elts, want, join_approx(*(e.fz.approx for e in elts)))

    # ---- statements --------------------------------------------------------------------------

    def where_ok(self, rule) -> bool:
        fn = self.fn
        if "prange" in rule.where:
            return fn.in_prange
        if "loop" in rule.where and not fn.loops:
            return False
        if "serial" in rule.where and fn.in_prange:
            return False
        return True

    def stmts(self, depth: int, count: int) -> list:
        out = []
        for _ in range(count):
            if self.fn.statements >= self.MAX_STATEMENTS:
                break
            out.extend(self.stmt(depth))
        return out

    def stmt(self, depth: int) -> list:
        rules = [r for r in self.stmt_rules if self.where_ok(r)]
        if depth <= 0:
            rules = [r for r in rules if not getattr(r.fn, "compound", False)]
        for _ in range(8):
            if not rules:
                break
            rule = self.rng.choices(rules, weights=[r.weight for r in rules])[0]
            got = rule.fn(self, depth)
            if got:
                self.fn.statements += len(got)
                return got
        return []

    # ---- functions and programs ----------------------------------------------------------------

    def function(self, name: str, params: list, ret, options: dict, helper: bool) -> FuncSpec:
        self.fn = FunctionState(name, ret, options, is_helper=helper)
        for pname, ptype in params:
            self.declare(pname, ptype, 0, role="param")
        body = self.stmts(depth=3 if not helper else 2,
                          count=self.rng.randint(2, 7 if helper else 10))
        body.append(self.return_stmt())
        decorator = _decorator(options)
        fdef = ast.FunctionDef(name=name, args=_arguments([p for p, _ in params]), body=body,
                               decorator_list=[decorator], returns=None, type_params=[])
        spec = FuncSpec(name=name, params=list(params), ret=ret, options=dict(options),
                        node=fdef, ret_approx=self.fn.ret_approx,
                        stores_params=_stores_into(fdef, [p for p, _ in params]))
        self.fn = None
        return spec

    def return_stmt(self) -> ast.Return:
        ret = self.fn.ret
        node = self.expr(ret, 3)
        if isinstance(ret, ArrayPattern) and not (is_array_node(node) and
                                                  ret.matches(node.fz.type)):
            node = self.make_array(ArrayPattern(ret.dtype, ret.ndim), 1)
        self.fn.ret_approx = max(self.fn.ret_approx, node.fz.approx)
        return ast.Return(value=node)

    def program(self, seed: int, index: int) -> Program:
        from .features.signature import entry_signature, helper_signature
        n_helpers = 0
        if self.has("calls"):
            n_helpers = self.weighted([0, 1, 2, 3], [2, 4, 3, 1])
        for k in range(n_helpers):
            params, ret, options = helper_signature(self, k)
            self.helpers.append(self.function(f"h{k}", params, ret, options, helper=True))
        params, ret, options = entry_signature(self)
        entry = self.function("f", params, ret, options, helper=False)
        funcs = [*self.helpers, entry]
        module = ast.Module(body=[f.node for f in funcs], type_ignores=[])
        if not self.has("branchy_call_args"):
            from .features.control import flatten_call_args
            flatten_call_args(module)

        approx = max((_max_approx(f.node) for f in funcs), default=0)
        from .values import input_sets
        inputs = input_sets(self.rng, entry.params, self.shape_symbols)
        return Program(seed=seed, index=index, module=module, entry="f",
                       params=entry.params, inputs=inputs, approx=approx,
                       features=sorted(self.features), options=entry.options)


def _fits(node, want) -> bool:
    """Whether a producer's node has the type asked for (a producer may get it wrong when
    operands are swapped or broadcast: the node is then discarded, not used)."""
    t = node.fz.type
    if isinstance(want, ArrayPattern):
        return isinstance(t, ArrayT) and want.matches(t)
    if isinstance(want, TupleT):
        return isinstance(t, TupleT) and len(t) == len(want)
    return t is want


def _max_approx(tree) -> int:
    return max((n.fz.approx for n in ast.walk(tree) if hasattr(n, "fz")), default=0)


def _arguments(names: list[str]) -> ast.arguments:
    return ast.arguments(posonlyargs=[], args=[ast.arg(arg=n) for n in names], vararg=None,
                         kwonlyargs=[], kw_defaults=[], kwarg=None, defaults=[])


def _decorator(options: dict):
    njit = N.attr("ember", "njit")
    if not options:
        return njit
    return ast.Call(func=njit, args=[],
                    keywords=[N.kw(k, ast.Constant(v)) for k, v in sorted(options.items())])


def _stores_into(fdef: ast.FunctionDef, names: list[str]) -> bool:
    """Whether the function may store into one of its (array) parameters."""
    for node in ast.walk(fdef):
        if isinstance(node, (ast.Subscript,)) and isinstance(node.ctx, ast.Store):
            return True
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and \
                node.func.id.startswith("h"):
            return True
    return False


def generate(seed: int, index: int, features: set[str] | None = None,
             plant: str | None = None) -> Program:
    """The program number index of the batch seeded with seed.  plant (test-only) adds the
    marker statement that makes a worker misbehave on this program (see execute.py)."""
    rng = program_rng(seed, index)
    program = Generator(rng, features).program(seed, index)
    if plant:
        from .execute import PLANT_MARKER
        entry = program.module.body[-1]
        marker = N.assign("planted", N.const(PLANT_MARKER, Scalar.I64))
        entry.body.insert(len(entry.body) // 2, marker)

        program.plant = plant
    return program
