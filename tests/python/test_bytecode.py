"""Tests of ember/bytecode.py, the CPython bytecode -> NIS normalizer.

* ``test_golden_py3XX`` runs ``nis_golden.py --check`` (``--bless`` when EMBER_BLESS=1) under
  pyenv's CPython 3.11, 3.12 and 3.13, and ``test_units_py3XX`` runs this file's unit tests there
  (``python test_bytecode.py``), so version-specific shapes are tested on the version that has
  them.  A missing interpreter is a skip that says which version went unchecked.
* The ``test_*`` unit tests below run in-process on the interpreter running pytest.  They use
  plain asserts so that the same file also runs without pytest.

Never imports ``ember/__init__.py`` (it needs the native extension); see nis_interp.py.
"""
import dis
import importlib
import linecache
import os
import re
import subprocess
import sys
import types
from pathlib import Path

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:  # pytest's importlib mode does not add it
    sys.path.insert(0, str(HERE))
nis_samples = importlib.import_module("nis_samples")
nis_interp = importlib.import_module("nis_interp")
run_function = nis_interp.run_function

bc = nis_interp.import_bytecode()
Op = bc.Op
PY = sys.version_info[:2]
JUMPS = (Op.FOR_ITER, Op.JUMP, Op.POP_JUMP_IF_TRUE, Op.POP_JUMP_IF_FALSE, Op.POP_JUMP_IF_NONE,
         Op.POP_JUMP_IF_NOT_NONE)


# ---------------------------------------------------------------------------------------------
# Other interpreters (subprocesses)

def _find_python(minor):
    roots = []
    try:
        root = subprocess.run(["pyenv", "root"], capture_output=True, text=True, timeout=30,
                              check=False).stdout.strip()
        if root:
            roots.append(Path(root))
    except (OSError, subprocess.SubprocessError):
        pass
    roots.append(Path.home() / ".pyenv")
    for root in roots:
        found = [p for p in root.glob(f"versions/3.{minor}.*/bin/python3")
                 if re.fullmatch(rf"3\.{minor}\.\d+", p.parent.parent.name)]
        if found:
            return max(found, key=lambda p: int(p.parent.parent.name.split(".")[2]))
    return None


def _run_under(minor, what, *argv):
    import pytest
    python = _find_python(minor)
    if python is None:
        pytest.skip(f"python 3.{minor} not found: {what} for 3.{minor} not checked")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    proc = subprocess.run([str(python), *map(str, argv)], capture_output=True, text=True,
                          env=env, timeout=600, check=False)
    assert proc.returncode == 0, (f"{python} {' '.join(map(str, argv))} failed "
                                  f"(exit {proc.returncode}):\n{proc.stdout}\n{proc.stderr}")


def _golden(minor):
    bless = os.environ.get("EMBER_BLESS", "") not in ("", "0")
    _run_under(minor, "golden NIS", HERE / "nis_golden.py", "--bless" if bless else "--check")


def test_golden_py311():
    _golden(11)


def test_golden_py312():
    _golden(12)


def test_golden_py313():
    _golden(13)


def test_units_py311():
    _run_under(11, "normalizer unit tests", Path(__file__))


def test_units_py312():
    _run_under(12, "normalizer unit tests", Path(__file__))


def test_units_py313():
    _run_under(13, "normalizer unit tests", Path(__file__))


# ---------------------------------------------------------------------------------------------
# In-process unit tests

def _rejected(func):
    """The UnsupportedError that normalize(func) raises (fails if it raises none)."""
    try:
        bc.normalize(func)
    except bc.UnsupportedError as e:
        return e
    raise AssertionError(f"normalize({func.__name__}) did not raise UnsupportedError")


def _marked_line(func):
    """The line marked `# <- rejected` in func's source."""
    code = func.__code__
    lines = linecache.getlines(code.co_filename)
    for n in range(code.co_firstlineno, len(lines) + 1):
        if "# <- rejected" in lines[n - 1]:
            return n
    raise AssertionError(f"no marker in {func.__name__}")


def _check_rejected(func, *words):
    e = _rejected(func)
    assert e.filename == func.__code__.co_filename, e.filename
    assert e.line == _marked_line(func), (func.__name__, e.line, _marked_line(func), e.message)
    for w in words:
        assert w in e.message, (func.__name__, w, e.message)


GX = 0


def r_with(a):
    x = 1
    with a:  # <- rejected
        x = 2
    return x


def r_generator(n):
    x = n + 1
    try:
        yield x  # <- rejected
    finally:
        x = 0


def r_lambda_default(a):
    y = 2
    return sorted(a, key=lambda q, k=y: -q), y  # <- rejected


def r_closure(n):
    k = n * 2
    g = lambda q: q + k  # noqa: E731
    k = 3  # <- rejected
    return g(n)


def r_fstring(x):
    y = x + 1
    return f"{y!a}!"  # <- rejected (f-strings compile; the ascii() conversion does not)


def r_star_call(a):
    y = 1
    return max(*a) + y  # <- rejected


def r_global_store(x):
    global GX
    y = x + 1
    GX = y  # <- rejected
    return y


def r_import(x):
    y = x + 1
    import os.path  # <- rejected
    return os.path.join(y)


def r_delete_attr(a):
    y = 1
    del a.x  # <- rejected (setting one is typed: jitclass fields)
    return y


def r_varargs(*args):  # <- rejected
    return args


def r_varkw(a, **kw):  # <- rejected
    return a


async def r_async(a):
    y = 1
    await a  # <- rejected
    return y


def test_rejected_constructs():
    _check_rejected(r_with, "with")
    _check_rejected(r_generator, "`yield` inside a try")
    _check_rejected(r_lambda_default, "default arguments")
    _check_rejected(r_closure, "'k'", "captured")
    _check_rejected(r_fstring, "!a is not supported")
    _check_rejected(r_star_call, "*args")
    _check_rejected(r_global_store, "global")
    _check_rejected(r_import, "import")
    _check_rejected(r_delete_attr, "attributes")
    _check_rejected(r_varargs, "*args")
    _check_rejected(r_varkw, "**kwargs")
    _check_rejected(r_async, "async")


def genexpr_consumer(a, k):
    return list(x + k for x in a if x > 0)


def test_generator_expression_takes_its_iterable():
    """A generator expression is an inner generator function: the call passes it the iterable
    (the consumer's GET_ITER is dropped) and the generator calls iter() on `.0` itself, on
    every version's bytecode (3.11 PRECALL/CALL, 3.12 CALL, 3.13 SET_FUNCTION_ATTRIBUTE)."""
    nis = bc.normalize(genexpr_consumer)
    bc.verify_stack(nis)
    ops = [i.op for i in nis.code]
    assert Op.MAKE_FUNCTION in ops and Op.GET_ITER not in ops, ops
    inner = [c for c in nis.consts if isinstance(c, types.CodeType)]
    assert [c.co_name for c in inner] == ["<genexpr>"]
    gen = bc.normalize(inner[0], closure_params=True)
    bc.verify_stack(gen)
    code = [(i.op, i.arg) for i in gen.code]
    dot0 = gen.varnames.index(".0")
    at = code.index((Op.LOAD_FAST, dot0))
    assert code[at + 1][0] == Op.GET_ITER and code[at + 2][0] == Op.FOR_ITER, code
    assert code[0][0] == Op.RETURN_GENERATOR and Op.YIELD_VALUE in [c[0] for c in code]


def test_error_message_shows_source():
    text = str(_rejected(r_fstring))
    assert 'return f"{y!a}!"' in text and "line" in text, text


def helper(x, y=0, scale=1.0):
    return (x + y) * scale


def kwcall(x):
    return helper(x, y=2, scale=3.0) + helper(x)


def test_keyword_names_fold_into_call():
    nis = bc.normalize(kwcall)
    calls = [i for i in nis.code if i.op == Op.CALL]
    assert [(c.arg, c.arg2 >= 0) for c in calls] == [(3, True), (1, False)], calls
    assert calls[0].arg2 < len(nis.consts) and nis.consts[calls[0].arg2] == ("y", "scale")
    assert calls[1].arg2 == -1
    # the names tuple is never pushed as a value (3.13's LOAD_CONST before CALL_KW is folded)
    assert ("y", "scale") not in [nis.consts[i.arg] for i in nis.code if i.op == Op.LOAD_CONST]
    bc.verify_stack(nis)
    assert run_function(kwcall, (1.5,)) == kwcall(1.5)
    assert "CALL                 3 kw=('y', 'scale')" in bc.dump(nis)


def test_extended_arg_jump_targets():
    func = nis_samples.big_loop
    raw = list(dis.get_instructions(func))
    ext = {i.offset for i in raw if i.opname == "EXTENDED_ARG"}
    back = [i for i in raw if i.opname == "JUMP_BACKWARD"]
    assert ext and back and back[0].argval in ext  # CPython jumps onto the EXTENDED_ARG
    nis = bc.normalize(func)
    fors = [k for k, i in enumerate(nis.code) if i.op == Op.FOR_ITER]
    jumps = [i for i in nis.code if i.op == Op.JUMP]
    assert len(fors) == 1 and len(jumps) == 1 and jumps[0].target == fors[0]
    after = nis.code[nis.code[fors[0]].target]
    assert (after.op, nis.varnames[after.arg]) == (Op.LOAD_FAST, "s")
    bc.verify_stack(nis)
    arr = nis_samples.Arr([0.5, 1.0, 2.0])
    assert run_function(func, (arr,)) == func(arr)


def loop_sum(n):
    s = 0
    for i in range(n):
        s += i
    return s


def test_for_iter_exit_skips_end_for():
    raw = list(dis.get_instructions(loop_sum))
    raw_for = next(i for i in raw if i.opname == "FOR_ITER")
    nis = bc.normalize(loop_sum)
    fi = next(i for i in nis.code if i.op == Op.FOR_ITER)
    exit_ins = nis.code[fi.target]
    # 3.11 semantics everywhere: the exit is the first instruction after the loop
    assert (exit_ins.op, nis.varnames[exit_ins.arg]) == (Op.LOAD_FAST, "s")
    if PY >= (3, 12):
        k = next(n for n, i in enumerate(raw) if i.offset == raw_for.argval)
        assert raw[k].opname == "END_FOR"
        tail = {raw[k].offset}
        if PY >= (3, 13):
            assert raw[k + 1].opname in ("POP_TOP", "POP_ITER")
            tail.add(raw[k + 1].offset)
        assert not [i for i in nis.code if i.offset in tail]  # the tail is not emitted
        assert exit_ins.offset > max(tail)
    else:
        assert exit_ins.offset == raw_for.argval
    bc.verify_stack(nis)
    assert [run_function(loop_sum, (n,)) for n in (0, 1, 5)] == [0, 0, 10]


def _effective_target(raw, ins):
    """Byte offset of the first instruction control really reaches when `ins` jumps."""
    k = next(n for n, i in enumerate(raw) if i.offset == ins.argval)
    if ins.opname == "FOR_ITER" and PY >= (3, 12):
        k += 1 if PY == (3, 12) else 2
    return raw[k].offset


def test_jump_targets_are_nis_indices():
    checked = 0
    for name, (func, _) in nis_samples.SAMPLES.items():
        if sys.version_info < (3, 12) and any(
                getattr(c, "co_name", "") in ("<listcomp>", "<setcomp>", "<dictcomp>")
                for c in func.__code__.co_consts):
            continue  # 3.11 inlines another code object's instructions: not this one's offsets
        nis = bc.normalize(func)
        raw = list(dis.get_instructions(func.__code__))
        by_offset = {i.offset: i for i in raw}
        offsets = [i.offset for i in nis.code]
        assert offsets == sorted(offsets), name
        for k, ins in enumerate(nis.code):
            if ins.op not in JUMPS:
                assert ins.target == -1, (name, k, ins)
                continue
            assert 0 <= ins.target < len(nis.code), (name, k, ins)
            tgt = _effective_target(raw, by_offset[ins.offset])
            want = next(n for n, i in enumerate(nis.code) if i.offset >= tgt)
            assert ins.target == want, (name, k, ins, tgt, want)
            checked += 1
    assert checked > 50


def test_constants_deduplicated_by_type():
    nis = bc.normalize(nis_samples.consts)
    keys = [(type(c), repr(c)) for c in nis.consts]
    assert len(keys) == len(set(keys)), nis.consts
    for v in (1, 1.0, True, -0.0, 0.0, None, "s", b"b", 2j):
        assert (type(v), repr(v)) in keys, v
    assert [c for c in nis.consts if type(c) is int and c == 1] == [1]


def test_assert_loads_assertion_error_class():
    nis = bc.normalize(nis_samples.assert_pos)
    assert AssertionError in nis.consts
    assert "LOAD_CONST           <class 'AssertionError'>" in bc.dump(nis)


def test_line_numbers_absolute_and_dump_relative():
    nis = bc.normalize(nis_samples.axpy)
    first = nis_samples.axpy.__code__.co_firstlineno  # the decorator's line: 2 lines above def
    assert {i.line for i in nis.code} == {first + 3, first + 4, first + 5, first + 6}
    text = bc.dump(nis).splitlines()
    assert text[0] == "name: axpy  qualname: axpy"
    assert text[4].split()[:3] == ["0", "L3", "LOAD_FAST"]


def test_accepts_code_objects_and_closures():
    func = nis_samples.SAMPLES["closure_scale"][0]
    nis = bc.normalize(func.__code__)
    assert nis.qualname == "make_scale.<locals>.scale" and nis.freevars == ("k", "offset")
    assert {"k", "offset", "SCALE"} <= set(nis.names)
    assert nis.code == bc.normalize(func).code


def test_verify_stack_rejects_bad_code():
    nis = bc.normalize(loop_sum)
    code = list(nis.code)
    k = next(n for n, i in enumerate(code) if i.op == Op.JUMP)
    code[k] = code[k]._replace(target=0)  # back to depth 0 from inside the loop (depth 1)
    try:
        bc.verify_stack(nis._replace(code=tuple(code)))
    except AssertionError as e:
        assert "stack depth" in str(e), e
    else:
        raise AssertionError("verify_stack accepted inconsistent depths")


def s_closure_try(a):
    k = a * 2
    g = lambda q: q + k  # noqa: E731
    try:
        x = g(a)
    except (ValueError, IndexError):
        x = -1
    else:
        x += 1
    finally:
        k2 = k
    return x + k2


def test_closures_and_handlers_normalize_on_every_version():
    nis = bc.normalize(s_closure_try)
    bc.verify_stack(nis)
    ops = [i.op for i in nis.code]
    assert Op.MAKE_FUNCTION in ops and Op.CHECK_EXC_MATCH in ops and Op.RERAISE in ops, ops
    make = [i for i in nis.code if i.op == Op.MAKE_FUNCTION]
    assert [m.arg for m in make] == [8], make  # a closure (3.13: SET_FUNCTION_ATTRIBUTE folded)
    assert "k" in nis.varnames and nis.handlers, nis  # the cell is a plain local
    for start, end, target, _depth, _lasti in nis.handlers:
        assert 0 <= start < end <= len(nis.code) and 0 <= target < len(nis.code)
    inner = next(c for c in s_closure_try.__code__.co_consts if hasattr(c, "co_code"))
    nis_inner = bc.normalize(inner, True)
    assert nis_inner.argcount == 2 and nis_inner.varnames[:2] == ("k", "q"), nis_inner
    assert Op.LOAD_DEREF not in [i.op for i in nis_inner.code]


def test_enum_values_are_the_contract():
    assert [m.name for m in Op] == [
        "LOAD_FAST", "LOAD_FAST_OR_UNDEF", "STORE_FAST", "DELETE_FAST", "LOAD_CONST",
        "LOAD_GLOBAL", "LOAD_DEREF", "PUSH_NULL", "LOAD_ATTR", "CALL", "BINARY_OP",
        "BINARY_SUBSCR", "STORE_SUBSCR", "BUILD_SLICE", "COMPARE_OP", "IS_OP", "CONTAINS_OP",
        "UNARY", "TO_BOOL", "BUILD_TUPLE", "BUILD_LIST", "LIST_APPEND", "LIST_TO_TUPLE",
        "UNPACK_SEQUENCE", "COPY", "SWAP", "POP_TOP", "GET_ITER", "FOR_ITER", "JUMP",
        "POP_JUMP_IF_TRUE", "POP_JUMP_IF_FALSE", "POP_JUMP_IF_NONE", "POP_JUMP_IF_NOT_NONE",
        "RETURN_VALUE", "RAISE", "UNREACHABLE_EH", "MAKE_FUNCTION", "PUSH_EXC_INFO",
        "POP_EXCEPT", "CHECK_EXC_MATCH", "RERAISE", "BUILD_MAP", "BUILD_SET", "MAP_ADD", "SET_ADD",
        "DELETE_SUBSCR", "LIST_EXTEND", "SET_UPDATE", "DICT_UPDATE", "BUILD_CONST_KEY_MAP"] + [
        f"RESERVED_{n}" for n in range(51, 60)] + ["RETURN_GENERATOR", "YIELD_VALUE", "STORE_ATTR"]
    # ops added by later issues have fixed numbers from 90 (NisOps.def's EMBER_NIS_AT)
    assert [m.value for m in Op] == list(range(62)) + [90]
    assert [m.name for m in bc.BinOp] == ["ADD", "SUB", "MUL", "TRUEDIV", "FLOORDIV", "MOD",
                                          "POW", "LSHIFT", "RSHIFT", "AND", "OR", "XOR",
                                          "MATMUL"]
    assert [m.name for m in bc.CmpOp] == ["LT", "LE", "EQ", "NE", "GT", "GE"]
    assert [m.name for m in bc.UnaryOp] == ["NEG", "POS", "INVERT", "NOT"]
    assert set(bc._EFFECT) == set(Op)  # verify_stack knows every op
    assert bc.Instr._fields == ("op", "arg", "arg2", "target", "offset", "line")
    assert bc.NisFunction._fields == (
        "name", "qualname", "filename", "firstlineno", "argcount", "kwonlyargcount",
        "varnames", "names", "consts", "freevars", "code", "handlers")


def _run_unit_tests():
    tests = [(n, f) for n, f in sorted(globals().items())
             if n.startswith("test_") and callable(f) and not n.startswith(("test_golden",
                                                                             "test_units"))]
    failed = 0
    for name, test in tests:
        try:
            test()
        except Exception as e:  # noqa: BLE001 - report every failing test
            failed += 1
            print(f"FAIL {name}: {type(e).__name__}: {e}")
    version = ".".join(map(str, sys.version_info[:3]))
    print(f"test_bytecode units py{version}: {len(tests) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(_run_unit_tests())
