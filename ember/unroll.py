"""``literal_unroll``: a loop over a heterogeneous tuple, each iteration typed on its own.

``for x in literal_unroll(t):`` cannot be one loop when the elements of ``t`` have different
types, so, as Numba does, the loop is unrolled: before compiling a signature, the NIS loop is
replaced by one copy of its body per element, each starting with ``x = t[i]`` for a constant
``i``.  The tuple's length comes from the signature being compiled (``t`` a parameter) or from
the frozen global.  This works on NIS, after ember/bytecode.py, so it knows no CPython version.

The copies keep the loop's stack shape: a placeholder stands where the iterator was, so that
``break`` (which pops the iterator) and a ``return`` from the body work unchanged; the end of
the last copy pops it and jumps to the loop's exit.  ``continue`` (a jump back to the loop's
``FOR_ITER``) goes to the next copy.
"""
from __future__ import annotations

from .bytecode import Instr, NisFunction, Op
from .errors import UnsupportedError

__all__ = ["literal_unroll", "unroll_literal_loops"]


def literal_unroll(container):
    """Marks a loop over a tuple to be unrolled in compiled code; the identity in Python."""
    return container


def _reject(nis, line, msg):
    raise UnsupportedError(msg, nis.filename, line)


def _find_loop(nis, is_unroll):
    """(first, arg, for_iter) of the first `for x in literal_unroll(arg)` loop, or None: code
    [first, arg) loads the function and its NULL marker, code[arg] the tuple, then CALL 1,
    GET_ITER and FOR_ITER follow."""
    code = nis.code
    for g in range(4, len(code) - 1):
        if code[g].op != Op.GET_ITER or code[g + 1].op != Op.FOR_ITER:
            continue
        call = code[g - 1]
        if call.op != Op.CALL or call.arg != 1 or call.arg2 >= 0:
            continue
        head = {code[g - 3].op, code[g - 4].op}
        glob = code[g - 3] if code[g - 3].op == Op.LOAD_GLOBAL else code[g - 4]
        if head == {Op.LOAD_GLOBAL, Op.PUSH_NULL} and is_unroll(nis.names[glob.arg]):
            return g - 4, g - 2, g + 1
    return None


def _length(nis, load, arg_lengths, global_lengths):
    """The length of the unrolled tuple."""
    n = None
    if load.op == Op.LOAD_FAST:
        n = arg_lengths.get(load.arg)
    elif load.op in (Op.LOAD_GLOBAL, Op.LOAD_DEREF):
        n = global_lengths(nis.names[load.arg])
    elif load.op == Op.LOAD_CONST and type(nis.consts[load.arg]) is tuple:
        n = len(nis.consts[load.arg])
    if n is None:
        _reject(nis, load.line, "literal_unroll() takes a tuple that is a parameter, a global or "
                                "a constant of the function (not a value computed in it)")
    return n


def _unroll_one(nis, first, arg, for_iter, n):
    code = nis.code
    exit_ = code[for_iter].target
    body = range(for_iter + 1, exit_)
    if any(s <= for_iter < e or (first <= s < exit_) for s, e, _t, _d, _l in nis.handlers):
        _reject(nis, code[for_iter].line, "literal_unroll() loops inside or around try blocks are "
                                          "not supported")
    consts = list(nis.consts)

    def const(v):
        for i, c in enumerate(consts):
            if type(c) is type(v) and c == v:
                return i
        consts.append(v)
        return len(consts) - 1

    tmp = len(nis.varnames)
    varnames = nis.varnames + (f"$unroll{tmp}",)
    line = code[for_iter].line
    off = code[for_iter].offset
    # New positions: the prefix keeps its indices; then the tuple is stored, the placeholder
    # pushed, the copies, the end; then the rest of the function.
    copy_len = 3 + len(body)
    start = first
    copies_at = start + 3  # after: load tuple, STORE_FAST tmp, placeholder
    end_at = copies_at + n * copy_len
    shift = end_at + 2 - exit_  # the suffix's index change

    def where(target, copy):
        if target < first:
            return target
        if target == first:
            return start
        if target >= exit_:
            return target + shift
        if target == for_iter and copy is not None:  # the next iteration
            return copies_at + (copy + 1) * copy_len if copy + 1 < n else end_at
        if target in body and copy is not None:
            return copies_at + copy * copy_len + 3 + (target - body.start)
        _reject(nis, line, "a jump into a literal_unroll() loop from outside it")

    def jumped(ins, copy):
        if ins.target < 0:
            return ins
        return ins._replace(target=where(ins.target, copy))

    out = [jumped(ins, None) for ins in code[:first]]
    out.append(code[arg])
    out.append(Instr(Op.STORE_FAST, tmp, 0, -1, off, line))
    out.append(Instr(Op.LOAD_CONST, const(None), 0, -1, off, line))
    for k in range(n):
        out.append(Instr(Op.LOAD_FAST, tmp, 0, -1, off, line))
        out.append(Instr(Op.LOAD_CONST, const(k), 0, -1, off, line))
        out.append(Instr(Op.BINARY_SUBSCR, 0, 0, -1, off, line))
        out.extend(jumped(code[j], k) for j in body)
    out.append(Instr(Op.POP_TOP, 0, 0, -1, off, line))
    out.append(Instr(Op.JUMP, 0, 0, exit_ + shift, off, line))
    out.extend(jumped(ins, None) for ins in code[exit_:])
    handlers = tuple((s + shift if s >= exit_ else s, e + shift if e >= exit_ else e,
                      t + shift if t >= exit_ else t, d, la)
                     for s, e, t, d, la in nis.handlers)
    return nis._replace(varnames=varnames, consts=tuple(consts), code=tuple(out),
                        handlers=handlers)


def unroll_literal_loops(nis: NisFunction, py_func, arg_codes) -> NisFunction:
    """nis with every `for x in literal_unroll(t)` loop unrolled for this signature
    (arg_codes: the parameters' type codes)."""
    if "literal_unroll" not in nis.names and not any(
            getattr(py_func.__globals__.get(n), "__name__", "") == "literal_unroll"
            for n in nis.names):
        return nis
    lengths = {i: c[1] for i, c in enumerate(arg_codes) if c and c[0] == _TUPLE_TAG}

    def is_unroll(name):
        return py_func.__globals__.get(name) is literal_unroll

    def global_length(name):
        v = py_func.__globals__.get(name)
        return len(v) if isinstance(v, tuple) else None

    while True:
        found = _find_loop(nis, is_unroll)
        if found is None:
            return nis
        first, arg, for_iter = found
        n = _length(nis, nis.code[arg], lengths, global_length)
        nis = _unroll_one(nis, first, arg, for_iter, n)


_TUPLE_TAG = 16  # EMBER_T_TUPLE in ember/abi.h's type codes
