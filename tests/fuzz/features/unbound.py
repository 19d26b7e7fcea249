"""A variable bound on one path only (``if c: t = ...`` and a later use of t), which CPython
answers with UnboundLocalError when c is false; ember must raise the same for every type, arrays
included (issue 8: it returned garbage, or crashed for arrays)."""
from __future__ import annotations

import ast

from .. import nodes as N
from ..fztypes import ARRAY_DTYPES
from ..generator import ArrayPattern, Generator, is_array_node
from ..registry import feature
from .signature import scalar_kind

UNBOUND = feature("maybe_unbound", "variables bound on one path only", 0.12)


@UNBOUND.stmt(weight=1, where=("serial",))
def bound_on_one_path(g: Generator, depth: int):
    if g.fn.in_prange or g.fn.loops:
        return None
    if g.has("arrays") and g.chance(0.4):
        value = g.expr(ArrayPattern(g.pick(ARRAY_DTYPES), 1), 2)
        if not is_array_node(value):
            return None
    else:
        value = g.scalar(scalar_kind(g), 2)
    name = g.new_name("m")
    stmt = ast.If(test=g.cond(2), body=[N.assign(name, value)], orelse=[])
    # known after the if: reading it raises UnboundLocalError when the branch was not taken
    g.declare(name, value.fz.type, value.fz.approx, writable=False)
    return [stmt]
