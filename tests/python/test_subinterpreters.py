"""Sub-interpreters (PEP 684/734, issue 14 item 4): jitted functions and cfuncs that the main
interpreter compiled run in sub-interpreters of the same process, compiled once per process
(ember/_subinterpreter.py, ember._shared_code); what would need compiling there raises
SubinterpreterError.

Each case runs in a fresh process under a timeout (a hang must fail the test, not the suite),
with the interpreters module of the running CPython: ``_interpreters`` on 3.13, whose
interpreters have their own GIL ("isolated"), ``_xxsubinterpreters`` before (own GIL on 3.12
with isolated=True; on 3.11 legacy interpreters sharing the main GIL).  `make test-py313-core`
runs this file under pyenv's 3.13.  Results come back as JSON files the sub-interpreters write.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
HERE = os.path.dirname(os.path.abspath(__file__))

HARNESS = r"""
import json, sys, threading
spec = json.loads(sys.argv[1])
try:
    import _interpreters as interps  # 3.13
except ImportError:
    import _xxsubinterpreters as interps

def create():
    if hasattr(interps, "new_config"):
        return interps.create(interps.new_config("isolated" if spec["own_gil"] else "legacy"))
    if sys.version_info >= (3, 12):  # its create() makes an own-GIL one unless told not to
        return interps.create(isolated=spec["own_gil"])
    return interps.create()

def run(iid, code):
    '''Runs code in interpreter iid: None, or the exception it raised, as text.'''
    if hasattr(interps, "new_config"):
        info = interps.exec(iid, code)
        return None if info is None else f"{info.type.__name__}: {info.msg}"
    try:
        interps.run_string(iid, code)
    except interps.RunFailedError as exc:
        return str(exc)
    return None

PRELUDE = "import json, sys\nsys.path[:0] = %r\n" % (spec["path"],)
def sub_code(i, code):
    out = spec["out"] + f".{i}.json"
    return PRELUDE + code + f"\nwith open({out!r}, 'w') as f:\n    json.dump(result, f)\n"

def read(i):
    with open(spec["out"] + f".{i}.json") as f:
        return json.load(f)

sys.path[:0] = spec["path"]
main = {}
exec(spec["main"], main)
ids = [create() for _ in spec["subs"]]
errors = [None] * len(ids)
if spec["concurrent"]:
    def worker(i):
        errors[i] = run(ids[i], sub_code(i, spec["subs"][i]))
    threads = [threading.Thread(target=worker, args=(i,)) for i in range(len(ids))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
else:
    for i, code in enumerate(spec["subs"]):
        errors[i] = run(ids[i], sub_code(i, code))
        if "between" in spec:
            exec(spec["between"], main)
results = [None if errors[i] else read(i) for i in range(len(ids))]
after = main["after"]() if "after" in main else None
for iid in ids:
    interps.destroy(iid)
print(json.dumps({"errors": errors, "results": results, "main": after}))
"""

OWN_GIL = [pytest.param(True, id="own-gil")] if sys.version_info >= (3, 12) else []
GILS = OWN_GIL + [pytest.param(False, id="shared-gil")]


def probe(tmp_path, main, subs, own_gil, concurrent=False, between=None):
    spec = {
        "main": textwrap.dedent(main),
        "subs": [textwrap.dedent(s) for s in subs],
        "own_gil": own_gil,
        "concurrent": concurrent,
        "out": str(tmp_path / "result"),
        "path": [HERE, ROOT],
    }
    if between is not None:
        spec["between"] = textwrap.dedent(between)
    env = dict(os.environ, PYTHONPATH=ROOT)
    r = subprocess.run(
        [sys.executable, "-c", HARNESS, json.dumps(spec)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout.strip().splitlines()[-1])


MAIN_COMPILES = """
import ember
import subinterp_kernels as k
from ember import _shared_code
k.count_primes(10)       # compiled here for (int64,)
k.floor_div(7, 2)
k.is_even(3)
k.is_even(3, True)
compiles = {name: getattr(k, name)._impl._compiles
            for name in ("count_primes", "scaled_harmonic", "floor_div", "is_even")}
def after():
    return {"compiles": compiles,
            "compiles_after": {name: getattr(k, name)._impl._compiles for name in compiles},
            "primes_1000": k.count_primes.py_func(1000),
            "cfunc_address": k.sum_of_squares.address,
            "entries": _shared_code.count()}
"""

SUB_CALLS = """
import ember
import subinterp_kernels as k
result = {
    "kind": type(k.count_primes).__name__,
    "numpy_loaded": "numpy" in sys.modules,
    "native_loaded": [m for m in ("ember._ember", "ember._compiler") if m in sys.modules],
    "primes_1000": k.count_primes(1000),
    "primes_bool": k.count_primes(True),
    "harmonic": k.scaled_harmonic(2.0, 10),
    "harmonic_int": k.scaled_harmonic(2, 10),
    "floor_div": k.floor_div(-7, 2),
    "is_even": [k.is_even(4), k.is_even(4, True), k.is_even(n=5, flip=True)],
    "cfunc_python": k.sum_of_squares(1.0, 2.0),
    "cfunc_address": k.sum_of_squares.address,
    "signatures": k.count_primes.signatures,
}
try:
    result["cfunc"] = k.sum_of_squares.ctypes(3.0, 4.0)
except ImportError:  # 3.12: _ctypes refuses interpreters with their own GIL
    result["cfunc"] = "ImportError"
def raised(f, *args):
    try:
        f(*args)
    except Exception as exc:
        return [type(exc).__name__, str(exc), getattr(exc, "__notes__", [])]
    return None
result["zero_div"] = raised(k.floor_div, 1, 0)
result["not_compiled"] = raised(k.compiled_nowhere, 1)
result["float_arg"] = raised(k.count_primes, 10.5)
result["str_arg"] = raised(k.count_primes, "10")
result["is_subinterpreter_error"] = [
    issubclass(ember.SubinterpreterError, ember.UnsupportedError)]
try:
    ember.vectorize
    result["vectorize"] = None
except AttributeError as exc:
    result["vectorize"] = str(exc)
"""


@pytest.mark.parametrize("own_gil", GILS)
def test_a_subinterpreter_runs_code_the_main_interpreter_compiled(tmp_path, own_gil):
    got = probe(tmp_path, MAIN_COMPILES, [SUB_CALLS], own_gil)
    assert got["errors"] == [None]
    r = got["results"][0]
    main = got["main"]
    assert r["kind"] == "SharedDispatcher"
    assert not r["numpy_loaded"] and r["native_loaded"] == []
    assert r["primes_1000"] == main["primes_1000"] == 168
    assert r["primes_bool"] == 0
    assert r["harmonic"] == pytest.approx(2.0 * sum(1.0 / k for k in range(1, 11)), rel=1e-12)
    assert r["harmonic_int"] == r["harmonic"]
    assert r["floor_div"] == -7 // 2
    assert r["is_even"] == [True, False, True]
    no_ctypes = own_gil and sys.version_info < (3, 13)
    assert r["cfunc"] == ("ImportError" if no_ctypes else 25.0)
    assert r["cfunc_python"] == 5.0
    assert r["cfunc_address"] == main["cfunc_address"]
    assert r["signatures"] == ["int64"]
    assert r["zero_div"][:2] == ["ZeroDivisionError", "floor_div by zero"]
    assert "subinterp_kernels.py" in r["zero_div"][2][0]
    assert r["not_compiled"][0] == "SubinterpreterError"
    assert "cannot compile in a sub-interpreter" in r["not_compiled"][1]
    assert "compiled so far: none" in r["not_compiled"][1]
    assert r["float_arg"][0] == "SubinterpreterError"
    assert "count_primes(float64)" in r["float_arg"][1]
    assert "compiled so far: int64" in r["float_arg"][1]
    assert r["str_arg"][0] == "SubinterpreterError" and "int, float and bool" in r["str_arg"][1]
    assert r["is_subinterpreter_error"] == [True]
    assert "in a sub-interpreter" in r["vectorize"]
    # Compiled once per process: the sub-interpreter's calls compiled nothing in the main one.
    assert main["compiles_after"] == main["compiles"]


def test_two_interpreters_run_compiled_code_at_once(tmp_path):
    """Two interpreters (each with its own GIL where the CPython has it) call a compute-bound
    jitted loop from two threads at the same time; both get the right count."""
    sub = """
    import subinterp_kernels as k
    result = [k.count_primes(200_000) for _ in range(3)]
    """
    own_gil = sys.version_info >= (3, 12)
    got = probe(
        tmp_path,
        MAIN_COMPILES + "\nprimes = k.count_primes(200_000)\ndef after():\n    return primes\n",
        [sub, sub],
        own_gil,
        concurrent=True,
    )
    assert got["errors"] == [None, None]
    assert got["main"] == 17984  # primes below 200,000
    assert got["results"] == [[17984] * 3, [17984] * 3]


# ctypes, which calls the cfunc, loads in an interpreter with its own GIL from 3.13 on.
CTYPES_GILS = [pytest.param(True, id="own-gil")] if sys.version_info >= (3, 13) else []
CTYPES_GILS += [pytest.param(False, id="shared-gil")]


@pytest.mark.parametrize("own_gil", CTYPES_GILS)
def test_two_interpreters_meet_in_compiled_code(tmp_path, own_gil):
    """Rendezvous, not a stopwatch: each interpreter's compiled call sets its flag and waits for
    the other's, which only the other interpreter's call, running at the same time, sets."""
    main = """
    import ctypes, os
    import subinterp_rendezvous as r
    flags = (ctypes.c_int64 * 2)()
    os.environ["EMBER_TEST_FLAGS"] = str(ctypes.addressof(flags))
    def after():
        return list(flags)
    """
    sub = """
    import ctypes, os
    import subinterp_rendezvous as r
    flags = ctypes.cast(int(os.environ["EMBER_TEST_FLAGS"]), ctypes.POINTER(ctypes.c_int64))
    result = bool(r.meet.ctypes(flags, {me}, {other}, r.SAFETY_ROUNDS))
    """
    got = probe(
        tmp_path,
        main,
        [sub.format(me=0, other=1), sub.format(me=1, other=0)],
        own_gil,
        concurrent=True,
    )
    assert got["errors"] == [None, None]
    assert got["results"] == [True, True]
    assert got["main"] == [1, 1]


@pytest.mark.parametrize("own_gil", GILS)
def test_code_compiled_after_the_subinterpreter_imported_it(tmp_path, own_gil):
    """A sub-interpreter looks the code up at each new signature's first call: what the main
    interpreter compiles later is found; until then the call raises SubinterpreterError."""
    main = """
    import ember
    import subinterp_kernels as k
    """
    first = """
    import ember
    import subinterp_kernels as k
    try:
        k.compiled_nowhere(41)
        result = "ran"
    except ember.SubinterpreterError as exc:
        result = "raised"
    """
    # The second interpreter imports the module after the main one compiled compiled_nowhere.
    second = """
    import subinterp_kernels as k
    result = k.compiled_nowhere(41)
    """
    got = probe(tmp_path, main, [first, second], own_gil, between="k.compiled_nowhere(1)")
    assert got["errors"] == [None, None]
    assert got["results"] == ["raised", 42]


def test_the_main_interpreter_is_not_a_subinterpreter():
    import ember
    from ember import _interpreters

    assert not _interpreters.in_subinterpreter()
    assert issubclass(ember.SubinterpreterError, ember.UnsupportedError)


def test_specializations_are_published_with_their_addresses():
    """The main interpreter publishes the specializations a sub-interpreter can call (numbers,
    bool and arrays of them in, a number out; not an array result) under the function's key,
    with the dispatcher's own wrapper address."""
    import numpy as np

    import ember
    from ember import _shared_code
    from ember._subinterpreter import code_key

    @ember.njit
    def twice(x):
        return 2 * x

    @ember.njit
    def total(a):
        return a.sum()

    @ember.njit
    def doubled(a):
        return 2 * a

    assert twice(3) == 6 and twice(1.5) == 3.0
    assert total(np.arange(4.0)) == 6.0
    assert doubled(np.arange(4.0)).sum() == 12.0
    sigs = _shared_code.signatures(code_key(twice.py_func))
    assert [s for s, _a, _l in sigs] == ["float64", "int64"]
    wrappers = {spec.compiled.wrapper for spec in twice._impl._specs.values()}
    assert {a for _s, a, _l in sigs} == wrappers
    assert [s for s, _a, _l in _shared_code.signatures(code_key(total.py_func))] == [
        "array(float64, 1d, C)"
    ]
    assert _shared_code.signatures(code_key(doubled.py_func)) == []  # an array result
    assert _shared_code.lookup(code_key(twice.py_func), "int64")[0] in wrappers
    assert _shared_code.lookup(code_key(twice.py_func), "int32") is None

    def adder(k):
        @ember.njit
        def add(x):
            return x + k

        return add

    # A closure's code holds what it captured: another interpreter's closure is not the same.
    assert adder(1)(1) == 2 and adder(2)(1) == 3
    assert _shared_code.signatures(code_key(adder(1).py_func)) == []


@pytest.mark.skipif(
    sys.version_info < (3, 12),
    reason="3.11's legacy sub-interpreters bind no thread state of their own: the block runs in "
    "the main interpreter, whose GIL they share",
)
@pytest.mark.parametrize("own_gil", GILS)
def test_objmode_in_shared_code_raises_in_a_subinterpreter(tmp_path, own_gil):
    """A `with objmode()` block is a main-interpreter function: compiled code that reaches one
    from a sub-interpreter fails with SubinterpreterError, and the main interpreter still runs
    it afterwards."""
    main = """
    import ember
    import subinterp_kernels as k
    first = k.through_objmode(1)
    def after():
        return [first, k.through_objmode(2)]
    """
    sub = """
    import ember
    import subinterp_kernels as k
    try:
        k.through_objmode(1)
        result = None
    except ember.SubinterpreterError as exc:
        result = str(exc)
    """
    got = probe(tmp_path, main, [sub], own_gil)
    assert got["errors"] == [None]
    assert "with objmode()" in got["results"][0]
    assert got["main"] == [2, 3]


MAIN_COMPILES_ARRAYS = """
import numpy as np
import subinterp_kernels as k
k.weighted_sum(np.arange(4.0), np.ones(4))               # array(float64, 1d, C) x 2
k.scale_in_place(np.zeros(3), 2.0)                        # writes its argument
k.total_2d(np.zeros((2, 3)))                              # array(float64, 2d, C)
k.sum_any_layout(np.zeros(6)[::2])                        # array(float64, 1d, A)
k.count_byte(np.frombuffer(b"ab", dtype=np.uint8), 97)    # readonly array(uint8, 1d, C)
def after():
    return {"numpy_sum": float(np.arange(6.0).reshape(2, 3) @ np.arange(1.0, 4.0) @ np.ones(2))}
"""

SUB_CALLS_ARRAYS = """
import array
import subinterp_kernels as k
def raised(f, *args):
    try:
        f(*args)
    except Exception as exc:
        return [type(exc).__name__, str(exc)]
    return None
result = {"numpy_loaded": "numpy" in sys.modules}
result["weighted"] = k.weighted_sum(array.array("d", [1, 2, 3, 4]), array.array("d", [0.5] * 4))
a = array.array("d", [1.0, 2.0, 3.0])
k.scale_in_place(a, 3.0)                                  # array.array, written in place
raw = bytearray(24)
view = memoryview(raw).cast("d")
view[0], view[1], view[2] = 1.5, -2.0, 4.0
k.scale_in_place(view, 2.0)                               # a cast memoryview of a bytearray
result["scaled"] = [a.tolist(), view.tolist()]
grid = memoryview(array.array("d", range(6))).cast("B").cast("d", (2, 3))
result["total_2d"] = k.total_2d(grid)
result["strided"] = k.sum_any_layout(memoryview(array.array("d", range(6)))[::2])
result["contiguous_as_any"] = k.sum_any_layout(array.array("d", range(6)))
result["count_bytes"] = k.count_byte(b"banana", 97)       # read-only buffer, read-only code
result["count_bytearray"] = k.count_byte(bytearray(b"banana"), 110)
result["readonly_to_writer"] = raised(k.scale_in_place, memoryview(bytes(24)).cast("d"), 2.0)
result["wrong_dtype"] = raised(k.weighted_sum, array.array("f", [1.0]), array.array("f", [1.0]))
result["wrong_ndim"] = raised(k.total_2d, array.array("d", range(6)))
result["bad_format"] = raised(k.sum_any_layout, memoryview(b"abcd").cast("c"))
"""


@pytest.mark.parametrize("own_gil", GILS)
def test_a_subinterpreter_passes_buffers_as_arrays(tmp_path, own_gil):
    got = probe(tmp_path, MAIN_COMPILES_ARRAYS, [SUB_CALLS_ARRAYS], own_gil)
    assert got["errors"] == [None]
    r = got["results"][0]
    assert r["numpy_loaded"] is False
    assert r["weighted"] == 5.0
    assert r["scaled"] == [[3.0, 6.0, 9.0], [3.0, -4.0, 8.0]]
    assert r["total_2d"] == got["main"]["numpy_sum"] == 0 + 2 + 6 + 3 + 8 + 15
    assert r["strided"] == 0.0 + 2.0 + 4.0
    assert r["contiguous_as_any"] == 15.0
    assert r["count_bytes"] == 3 and r["count_bytearray"] == 2
    name, msg = r["readonly_to_writer"]
    assert name == "SubinterpreterError"
    assert "scale_in_place(readonly array(float64, 1d, C), float64)" in msg
    assert "compiled so far: array(float64, 1d, C),float64" in msg
    assert r["wrong_dtype"][0] == "SubinterpreterError"
    assert "array(float32, 1d, C)" in r["wrong_dtype"][1]
    assert r["wrong_ndim"][0] == "SubinterpreterError"
    assert "total_2d(array(float64, 1d, C))" in r["wrong_ndim"][1]
    assert r["bad_format"][0] == "SubinterpreterError" and "format 'c'" in r["bad_format"][1]


def test_the_example_runs_two_subinterpreters():
    """examples/subinterpreters.py: two interpreters (own GIL on 3.12+) split a prime count and
    each takes a dot product of an array.array; their results agree with the main
    interpreter's and NumPy's, as it prints them."""
    example = os.path.join(ROOT, "examples", "subinterpreters.py")
    env = dict(os.environ, PYTHONPATH=ROOT)
    r = subprocess.run(
        [sys.executable, example], env=env, capture_output=True, text=True, timeout=300
    )
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    total, main = re.fullmatch(
        r"primes below 400000: (\d+) \(main interpreter: (\d+)\)", lines[0]
    ).groups()
    assert int(total) == int(main) == 33860
    for line in lines[1:3]:
        dot, numpy_dot = re.fullmatch(r"  from \d+: dot (\d+) \(NumPy: (\d+)\)", line).groups()
        assert int(dot) == int(numpy_dot)
