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

The same copying unrolls, for every signature, loops over a constant tuple of numbers
(``for d in (-1, 0, 1)``: ``unroll_constant_tuple_loops``, run by the dispatcher when it
normalizes the bytecode), each copy loading its item as a constant.
"""
from __future__ import annotations

from .bytecode import Instr, NisFunction, Op
from .errors import UnsupportedError

__all__ = ["literal_unroll", "unroll_literal_loops", "unroll_constant_tuple_loops"]


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


class _CannotUnroll(Exception):
    """A loop whose shape the unroller does not handle (a try block, a jump into it):
    args = (what, line)."""


def _unroll_one(nis, first, for_iter, n, prefix, header):
    """nis with the loop whose FOR_ITER is code[for_iter] replaced by `n` copies of its body.
    code[first:for_iter] (what loads the iterable and GET_ITER) becomes `prefix`, instructions
    whose last pushes a placeholder for the iterator; copy k starts with header(k, const), a
    list of one fixed length that pushes the k-th item (const(v): v's index in the consts)."""
    code = nis.code
    exit_ = code[for_iter].target
    body = range(for_iter + 1, exit_)
    line = code[for_iter].line
    if any(s <= for_iter < e or (first <= s < exit_) for s, e, _t, _d, _l in nis.handlers):
        raise _CannotUnroll("loops inside or around try blocks are not supported", line)
    consts = list(nis.consts)

    def const(v):
        for i, c in enumerate(consts):
            if type(c) is type(v) and c == v:
                return i
        consts.append(v)
        return len(consts) - 1

    off = code[for_iter].offset
    heads = [header(k, const) for k in range(n)]
    # New positions: the prefix keeps its indices; then the new prefix, the copies, the end;
    # then the rest of the function.
    copy_len = len(heads[0]) + len(body) if n else 0
    start = first
    copies_at = start + len(prefix)
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
            return copies_at + copy * copy_len + len(heads[copy]) + (target - body.start)
        raise _CannotUnroll("a jump into the loop from outside it is not supported", line)

    def jumped(ins, copy):
        if ins.target < 0:
            return ins
        return ins._replace(target=where(ins.target, copy))

    out = [jumped(ins, None) for ins in code[:first]]
    out.extend(prefix)
    for k in range(n):
        out.extend(heads[k])
        out.extend(jumped(code[j], k) for j in body)
    out.append(Instr(Op.POP_TOP, 0, 0, -1, off, line))
    out.append(Instr(Op.JUMP, 0, 0, exit_ + shift, off, line))
    out.extend(jumped(ins, None) for ins in code[exit_:])
    handlers = tuple((s + shift if s >= exit_ else s, e + shift if e >= exit_ else e,
                      t + shift if t >= exit_ else t, d, la)
                     for s, e, t, d, la in nis.handlers)
    return nis._replace(varnames=nis.varnames, consts=tuple(consts), code=tuple(out),
                        handlers=handlers)


def _unroll_literal(nis, first, arg, for_iter, n):
    """`for x in literal_unroll(t)`: t is stored in a new local, each copy indexes it."""
    code = nis.code
    tmp = len(nis.varnames)
    nis = nis._replace(varnames=nis.varnames + (f"$unroll{tmp}",))
    off, line = code[for_iter].offset, code[for_iter].line
    none = nis.consts.index(None) if None in nis.consts else None
    if none is None:
        nis = nis._replace(consts=nis.consts + (None,))
        none = len(nis.consts) - 1
    prefix = [code[arg], Instr(Op.STORE_FAST, tmp, 0, -1, off, line),
              Instr(Op.LOAD_CONST, none, 0, -1, off, line)]

    def header(k, const):
        return [Instr(Op.LOAD_FAST, tmp, 0, -1, off, line),
                Instr(Op.LOAD_CONST, const(k), 0, -1, off, line),
                Instr(Op.BINARY_SUBSCR, 0, 0, -1, off, line)]

    try:
        return _unroll_one(nis, first, for_iter, n, prefix, header)
    except _CannotUnroll as exc:
        _reject(nis, exc.args[1], f"literal_unroll(): {exc.args[0]}")


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
        nis = _unroll_literal(nis, first, arg, for_iter, n)


# Loops over a constant tuple of numbers (`for d in (-1, 0, 1)`, `for dx, dy in ((-1, 0), ...)`,
# the stencils of numba's benchmarks) are unrolled for every signature: each copy of the body
# sees its item as a constant, so the tuple is never indexed at run time and LLVM folds the
# arithmetic on it (numba gets the same from its own loop canonicalisation and unrolling).
_MAX_ITEMS = 16         # items of a tuple whose loop is unrolled
_MAX_COPIED = 600       # instructions a loop's copies may add
_MAX_CODE = 6000        # instructions a function may grow to by unrolling
_NOT_COPIED = frozenset({Op.YIELD_VALUE, Op.MAKE_FUNCTION, Op.RETURN_GENERATOR})


def _shape(v):
    """What must agree between a constant tuple's items for its loop to be unrolled: the items
    are numbers of one type, or tuples of such items of one shape."""
    if type(v) in (bool, int, float, complex):
        return type(v)
    if type(v) is tuple:
        inner = tuple(_shape(x) for x in v)
        return None if None in inner else inner
    return None


def _unrollable_const(nis, load):
    if load.op != Op.LOAD_CONST or type(nis.consts[load.arg]) is not tuple:
        return None
    items = nis.consts[load.arg]
    if not 0 < len(items) <= _MAX_ITEMS:
        return None
    shapes = {_shape(x) for x in items}
    if len(shapes) != 1 or None in shapes:
        return None
    return items


def unroll_constant_tuple_loops(nis: NisFunction) -> NisFunction:
    """nis with every `for x in <constant tuple of numbers>` loop unrolled (see _MAX_ITEMS)."""
    g = 1
    while g < len(nis.code) - 1:
        code = nis.code
        if code[g].op != Op.GET_ITER or code[g + 1].op != Op.FOR_ITER:
            g += 1
            continue
        items = _unrollable_const(nis, code[g - 1])
        body = range(g + 2, code[g + 1].target)
        if (items is None or len(items) * len(body) > _MAX_COPIED
                or len(code) + (len(items) - 1) * len(body) > _MAX_CODE
                or any(code[j].op in _NOT_COPIED for j in body)):
            g += 1
            continue
        load = code[g - 1]
        placeholder = Instr(Op.LOAD_CONST, load.arg, 0, -1, load.offset, load.line)

        def header(k, const, items=items, load=load):
            return [Instr(Op.LOAD_CONST, const(items[k]), 0, -1, load.offset, load.line)]

        try:
            nis = _unroll_one(nis, g - 1, g + 1, len(items), [placeholder], header)
        except _CannotUnroll:
            g += 1
            continue
        g -= 1  # the first copy starts where the loop did: its inner loops come next
    return nis


_TUPLE_TAG = 16  # EMBER_T_TUPLE in ember/abi.h's type codes
