"""Minimizing a failing program: keep applying the first edit that leaves the failure's
signature unchanged (the same crash signal, the same kind of mismatch, the same refusal), until
no edit helps or the budget is spent.

Edits, roughly largest first: keep one input set; drop a helper nobody calls; delete chunks of
statements (halves, quarters ... single statements); replace an if/for/while by its body;
replace an expression by a same-typed sub-expression or by a constant (the generator's type
annotations say which replacements are well typed); drop unused parameters; drop decorator
options.  Each candidate runs in a worker (``Oracle``), so one that crashes costs a restart
but never the driver.
"""
from __future__ import annotations

import ast
import copy
import time
from dataclasses import replace

from . import nodes as N
from .fztypes import Scalar
from .program import Program


class Budget:
    def __init__(self, seconds: float, calls: int):
        self.deadline = time.monotonic() + seconds
        self.calls = calls

    def spent(self) -> bool:
        return self.calls <= 0 or time.monotonic() >= self.deadline


def signature_of(outcome) -> str:
    if outcome.kind != "result":
        return outcome.failure()[1]
    r = outcome.result
    return r["signature"] if r["category"] not in ("pass", "intended") else r["category"]


class Minimizer:
    """checker: an oracle whose worker compiles with EMBER_BOUNDSCHECK=1.  An edit can make an
    index invalid (``i % n`` -> ``i``, a loop bound -> another int), which is undefined without
    bounds checks and would let the minimizer wander into garbage; a candidate that reproduces
    the failure is kept only if, with every bounds check on, ember raises no IndexError that
    CPython does not."""

    def __init__(self, oracle, signature: str, budget: Budget, checker=None):
        self.oracle = oracle
        self.checker = checker
        self.signature = signature
        self.budget = budget
        self.tried = 0

    def still_fails(self, program: Program) -> bool:
        if self.budget.spent():
            return False
        self.budget.calls -= 1
        self.tried += 1
        try:
            job = program.job()
        except Exception:  # noqa: BLE001 - an edit that ast.unparse cannot print
            return False
        if signature_of(self.oracle.run({"op": "job", "job": job})) != self.signature:
            return False
        if self.checker is None or "IndexError" in self.signature:
            return True
        invalid = self._invalid_index(job)
        if self.tried == 1 and invalid:
            # the original already indexes out of range once every check is on (an unbound
            # array, say): the checker cannot tell edits apart, so it is not used
            self.checker = None
            return True
        return not invalid

    def _invalid_index(self, job: dict) -> bool:
        checked = signature_of(self.checker.run({"op": "job", "job": job}))
        return "ember raised IndexError" in checked and "CPython raised IndexError" not in checked

    def minimize(self, program: Program, failing_input: int | None) -> Program:
        program = self._one_input(program, failing_input)
        progress = True
        while progress and not self.budget.spent():
            progress = False
            size = _size(program)
            for edits in (self._drop_helpers, self._delete_chunks, self._flatten,
                          self._simplify_exprs, self._drop_params, self._drop_options):
                for candidate in edits(program):
                    # every accepted edit makes the program smaller: no edit cycles
                    if _size(candidate) >= size:
                        continue
                    if self.still_fails(candidate):
                        program = candidate
                        progress = True
                        break
                    if self.budget.spent():
                        return program
                if progress:
                    break
        return program

    # ---- edits (each yields candidate programs) ----------------------------------------------

    def _one_input(self, program: Program, failing_input) -> Program:
        order = list(range(len(program.inputs)))
        if failing_input is not None and failing_input in order:
            order.remove(failing_input)
            order.insert(0, failing_input)
        if len(order) <= 1:
            return program
        for k in order:
            candidate = replace(program, inputs=[program.inputs[k]])
            if self.still_fails(candidate):
                return candidate
        return program

    def _drop_helpers(self, program: Program):
        called = {n.func.id for n in ast.walk(program.module)
                  if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)}
        for k, fdef in enumerate(program.module.body[:-1]):
            if fdef.name not in called:
                module = copy.deepcopy(program.module)
                del module.body[k]
                yield replace(program, module=module)

    def _delete_chunks(self, program: Program):
        slots = _statement_lists(program.module)
        for s, (owner, _, stmts) in enumerate(slots):
            if isinstance(owner, ast.Module):
                continue
            n = len(stmts)
            size = n
            while size >= 1:
                for start in range(0, n, size):
                    module = copy.deepcopy(program.module)
                    _, field, lst = _statement_lists(module)[s]
                    del lst[start:start + size]
                    if not lst and field == "body":
                        lst.append(ast.Pass())
                    yield replace(program, module=module)
                size //= 2

    def _flatten(self, program: Program):
        slots = _statement_lists(program.module)
        for s, (_, _, stmts) in enumerate(slots):
            for i, stmt in enumerate(stmts):
                if not isinstance(stmt, (ast.If, ast.For, ast.While)):
                    continue
                for field in ("body", "orelse"):
                    if not getattr(stmt, field):
                        continue
                    module = copy.deepcopy(program.module)
                    lst = _statement_lists(module)[s][2]
                    inner = getattr(lst[i], field)
                    lst[i:i + 1] = inner
                    yield replace(program, module=module)

    def _simplify_exprs(self, program: Program):
        exprs = _typed_exprs(program.module)
        for k, node in enumerate(exprs):
            options = _replacements(node)
            for option in options:
                module = copy.deepcopy(program.module)
                target = _typed_exprs(module)[k]
                new = option(target)
                if new is None or not _replace_node(module, target, new):
                    continue
                yield replace(program, module=module)

    def _drop_params(self, program: Program):
        entry = program.module.body[-1]
        used = {n.id for n in ast.walk(entry) if isinstance(n, ast.Name)}
        for k, arg in enumerate(entry.args.args):
            if arg.arg in used:
                continue
            module = copy.deepcopy(program.module)
            del module.body[-1].args.args[k]
            inputs = [[v for j, v in enumerate(s) if j != k] for s in program.inputs]
            params = [p for j, p in enumerate(program.params) if j != k]
            yield replace(program, module=module, inputs=inputs, params=params)

    def _drop_options(self, program: Program):
        """parallel=True only: without boundscheck=True a random index is undefined."""
        for k, fdef in enumerate(program.module.body):
            dec = fdef.decorator_list[0] if fdef.decorator_list else None
            if isinstance(dec, ast.Call) and dec.keywords:
                for j, keyword in enumerate(dec.keywords):
                    if keyword.arg != "parallel":
                        continue
                    module = copy.deepcopy(program.module)
                    del module.body[k].decorator_list[0].keywords[j]
                    yield replace(program, module=module)


def _size(program: Program):
    """(source length, input count): what minimizing decreases."""
    try:
        text = program.plain_source()
    except Exception:  # noqa: BLE001
        return (1 << 30, 0)
    return (len(text), len(program.inputs), sum(len(s) for s in program.inputs))


def _statement_lists(module: ast.Module):
    """Every non-empty statement list in a fixed (walk) order: (owner, field, list)."""
    out = []
    for node in ast.walk(module):
        for field in ("body", "orelse"):
            lst = getattr(node, field, None)
            if isinstance(lst, list) and lst and isinstance(lst[0], ast.stmt):
                out.append((node, field, lst))
    return out


def _typed_exprs(module: ast.Module):
    return [n for n in ast.walk(module) if isinstance(n, ast.expr) and hasattr(n, "fz")]


SIMPLE_CONSTANTS = {Scalar.I64: (0, 1), Scalar.F64: (0.0, 1.0), Scalar.BOOL: (False, True),
                    Scalar.F32: (0.0,), Scalar.I32: (0,), Scalar.U8: (0,)}


def _replacements(node):
    """Functions making a simpler node of the same type from (a copy of) node."""
    if _is_literal(node):
        return []
    out = [lambda target, k=k: _nth_descendant(target, k)
           for k in range(len(_same_typed_descendants(node)))]
    t = node.fz.type
    if isinstance(t, Scalar):
        out += [lambda target, c=c, t=t: N.const(c, t) for c in SIMPLE_CONSTANTS[t]]
    return out


def _is_literal(node) -> bool:
    return isinstance(node, ast.Constant) or (isinstance(node, ast.UnaryOp) and
                                              isinstance(node.operand, ast.Constant))


def _same_typed_descendants(node):
    return [d for d in ast.walk(node) if d is not node and isinstance(d, ast.expr)
            and hasattr(d, "fz") and d.fz.type == node.fz.type]


def _nth_descendant(node, k):
    found = _same_typed_descendants(node)
    return copy.deepcopy(found[k]) if k < len(found) else None


def _replace_node(module: ast.Module, target, new) -> bool:
    for parent in ast.walk(module):
        for field, value in ast.iter_fields(parent):
            if value is target:
                setattr(parent, field, new)
                return True
            if isinstance(value, list):
                for i, item in enumerate(value):
                    if item is target:
                        value[i] = new
                        return True
    return False
