"""Calls between generated functions: helpers (``h0``, ``h1``...) are generated first, each
decorated with ``@ember.njit``, and later functions call them with arguments of the parameter
types (arrays of the right dtype and ndim, in whatever layout the caller has)."""
from __future__ import annotations

from .. import nodes as N
from ..fztypes import ArrayT, Scalar, TupleT
from ..generator import ArrayPattern, Generator, is_array_node
from ..registry import feature

CALLS = feature("calls", "helper functions decorated with ember.njit, called by others", 0.5)


def _returns(spec_ret, want) -> bool:
    if isinstance(want, ArrayPattern):
        return isinstance(spec_ret, ArrayPattern) and spec_ret.dtype is want.dtype and \
            (want.ndim is None or spec_ret.ndim == want.ndim) and want.shape is None
    return spec_ret == want


def _concrete(g: Generator, t):
    """The caller's view of a helper's return type: array lengths are unknown."""
    if isinstance(t, ArrayPattern):
        return ArrayT(t.dtype, tuple(g.unknown_dim() for _ in range(t.ndim)))
    if isinstance(t, TupleT):
        return TupleT(tuple(_concrete(g, x) for x in t.items))
    return t


@CALLS.expr(lambda w: isinstance(w, (Scalar, TupleT, ArrayPattern)), weight=2)
def helper_call(g: Generator, want, depth: int, exact: bool):
    candidates = [h for h in g.helpers if _returns(h.ret, want)
                  and not (exact and h.ret_approx)
                  and h.name != g.fn.name]
    if g.fn.in_prange:
        # a helper that may store into an array argument would race between iterations
        candidates = [h for h in candidates if not h.stores_params
                      and not any(isinstance(t, ArrayT) for _, t in h.params)]
    if not candidates:
        return None
    h = g.pick(candidates)
    args = []
    for _, t in h.params:
        if isinstance(t, ArrayT):
            arg = g.expr(ArrayPattern(t.dtype, t.ndim), depth, exact=True)
            if not is_array_node(arg):
                return None
        else:
            arg = g.scalar(t, depth, exact=True)
        args.append(arg)
    return N.call(h.name, args, _concrete(g, h.ret), h.ret_approx)
