"""Generator forms the normalizer rewrites or refuses before it translates a generator's code.

``yield from <iterable>`` is rewritten into the loop it means for compiled generators, which
are never sent values and never return one: ``for v in iter(x): yield v`` with the expression's
value None.  CPython 3.11 compiles it to::

    GET_YIELD_FROM_ITER; LOAD_CONST None
    L1: SEND (to L2); YIELD_VALUE; RESUME; JUMP_BACKWARD_NO_INTERRUPT (to L1)
    L2: <the expression's value on the stack>

which becomes ``GET_ITER; L1: FOR_ITER (to L2'); YIELD_VALUE; POP_TOP; JUMP L1;
L2': LOAD_CONST None``, the last at the odd offset L2 - 1 (CPython's offsets are even, so it
is a label of its own).  Other versions compile it differently (3.12 adds END_SEND and a
CLEANUP_THROW handler): there, and for any sequence not matching this one, it is an
UnsupportedError at the line.

A ``yield`` inside a ``try`` (``finally``, ``except``) is refused at its line: compiled
generators are suspended and destroyed without running the handlers around a suspension point,
so neither a ``finally`` block nor an exception raised by the consumer could behave as Python's.
"""

from __future__ import annotations

import sys

from .errors import UnsupportedError

_PY311 = sys.version_info[:2] == (3, 11)


def _line_at(instructions, k, code, line_of):
    line = code.co_firstlineno
    for ins in instructions[: k + 1]:
        ln = line_of(ins)
        if ln is not None:
            line = ln
    return line


def _yield_from_311(instructions, k):
    """The rewritten instructions for the `yield from` starting at instructions[k], or None."""
    seq = instructions[k : k + 7]
    names = [i.opname for i in seq]
    if (
        names[:6]
        != [
            "GET_YIELD_FROM_ITER",
            "LOAD_CONST",
            "SEND",
            "YIELD_VALUE",
            "RESUME",
            "JUMP_BACKWARD_NO_INTERRUPT",
        ]
        or len(seq) < 7
    ):
        return None
    get, none, send, yld, resume, jump, after = seq
    if none.argval is not None or jump.argval != send.offset or send.argval != after.offset:
        return None
    exit_offset = after.offset - 1
    return [
        get._replace(opname="GET_ITER", arg=0, argval=None, argrepr=""),
        none._replace(opname="NOP", arg=None, argval=None, argrepr=""),
        send._replace(opname="FOR_ITER", argval=exit_offset),
        yld,
        resume,
        jump._replace(opname="POP_TOP", arg=None, argval=None, argrepr=""),
        jump._replace(opname="JUMP_BACKWARD", argval=send.offset),
        none._replace(offset=exit_offset, starts_line=None, is_jump_target=True),
    ]


def rewrite_generator(instructions, entries, code, line_of):
    """instructions with each `yield from` rewritten; raises UnsupportedError for the forms
    compiled generators do not have (see the module's docstring)."""
    out = []
    k = 0
    while k < len(instructions):
        ins = instructions[k]
        if ins.opname == "GET_YIELD_FROM_ITER":
            new = _yield_from_311(instructions, k) if _PY311 else None
            if new is None:
                v = sys.version_info
                raise UnsupportedError(
                    f"`yield from` is not supported on Python {v[0]}.{v[1]} (ember rewrites "
                    "CPython 3.11's form); write `for v in x: yield v`",
                    code.co_filename,
                    _line_at(instructions, k, code, line_of),
                )
            out += new
            k += 6
            continue
        out.append(ins)
        k += 1
    for k, ins in enumerate(out):
        if ins.opname == "YIELD_VALUE" and any(e.start <= ins.offset < e.end for e in entries):
            raise UnsupportedError(
                "`yield` inside a try statement (try/except or try/finally) is not supported "
                "in compiled generators: move the try inside the code between the yields",
                code.co_filename,
                _line_at(out, k, code, line_of),
            )
    return out
