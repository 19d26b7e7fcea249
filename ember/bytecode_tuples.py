"""Folds CPython's large tuple displays back into one BUILD_TUPLE.

CPython builds a tuple display of more than 30 items as `BUILD_LIST 0; <item>; LIST_APPEND 1; ...;
LIST_TO_TUPLE` (CALL_INTRINSIC_1 on 3.12+) to bound its stack use.  Compiled code has no such limit,
and a list of heterogeneous items has no type, so each such sequence is rewritten to push the items
and build the tuple at once.  A display with a starred item (LIST_EXTEND) is left as it is.
"""

from __future__ import annotations


def _depths(out, handlers):
    """Stack depth before each instruction of ``out`` (None where unreached)."""
    from .bytecode import _EFFECT, _JUMP_OPS, _TERMINATORS, Op

    depth = [None] * len(out)
    work = [(0, 0)] if out else []
    work += [(t, d + lasti + 1) for _, _, t, d, lasti in handlers]
    while work:
        i, d = work.pop()
        if not 0 <= i < len(out) or depth[i] is not None:
            continue
        depth[i] = d
        op, arg = out[i][0], out[i][1]
        delta = _EFFECT[op](arg)[1]
        if op in _JUMP_OPS:
            work.append((out[i][3], d - 1 if op != Op.JUMP else d))
        if op not in _TERMINATORS:
            work.append((i + 1, d + delta))
    return depth


def _foldable(out, depth, j, k):
    """The indices of the LIST_APPENDs into the list BUILD_LIST ``j`` makes for LIST_TO_TUPLE
    ``k``, or None when something else touches that list or jumps into the sequence."""
    from .bytecode import _EFFECT, _JUMP_OPS, Op

    slot = depth[j]
    appends = []
    for i in range(j + 1, k):
        d = depth[i]
        if d is None:
            return None
        op, arg = out[i][0], out[i][1]
        if op == Op.LIST_APPEND and arg == 1 and d == slot + 2:
            appends.append(i)
        elif d - _EFFECT[op](arg)[0] <= slot:
            return None
    for i, ins in enumerate(out):
        if ins[0] in _JUMP_OPS and not j < i < k and j < ins[3] <= k:
            return None
    return appends


def fold_large_tuples(out, handlers):
    """Rewrites ``out`` (resolved NIS tuples) and ``handlers`` in place; see the module doc."""
    from .bytecode import _JUMP_OPS, Op

    start = 0
    while True:
        k = next((i for i in range(start, len(out)) if out[i][0] == Op.LIST_TO_TUPLE), None)
        if k is None:
            return
        start = k + 1
        depth = _depths(out, handlers)
        if depth[k] is None:
            continue
        j = next((i for i in range(k - 1, -1, -1)
                  if out[i][:2] == (Op.BUILD_LIST, 0) and depth[i] == depth[k] - 1), None)
        appends = None if j is None else _foldable(out, depth, j, k)
        if appends is None:
            continue
        out[k] = (Op.BUILD_TUPLE, len(appends)) + out[k][2:]
        gone = [j] + appends
        # an index maps to the next instruction that stays: a jump to a removed LIST_APPEND
        # (the end of a conditional item) now lands where the item is left on the stack
        shift = [0] * (len(out) + 1)
        for g in gone:
            shift[g + 1] += 1
        for i in range(1, len(shift)):
            shift[i] += shift[i - 1]
        for i, ins in enumerate(out):
            if ins[0] in _JUMP_OPS:
                out[i] = ins[:3] + (ins[3] - shift[ins[3]],) + ins[4:]
        handlers[:] = [(s - shift[s], e - shift[e], t - shift[t], d, la)
                       for s, e, t, d, la in handlers]
        for g in reversed(gone):
            del out[g]
        start = k + 1 - len(gone)
