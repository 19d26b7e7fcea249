"""`with ember.objmode(name="type"):` blocks (ember/_objmode.py, bindings/ObjMode.cpp): the
block runs in the interpreter, reads the compiled function's variables, and hands back the
annotated ones converted; a value that does not match its annotation, or an exception raised in
the block, reaches Python naming the block's line."""
import math
from pathlib import Path

import numpy as np
import pytest

import ember
from ember import _ember, objmode, types
from ember.errors import TypingError

CALLS = []


def record(x):
    CALLS.append(x)
    return len(CALLS)


@ember.jit
def fsum_of(a):
    b = a * 2.0
    with objmode(exact="float64", count="int64"):
        exact = math.fsum(b)
        count = record(exact)
    return exact + count


@ember.jit
def make_array(n):
    scale = 3.0
    with objmode(out="float64[:]"):
        out = np.arange(n) * scale
    return out.sum() + out[n - 1]


@ember.jit
def typed_annotation(x):
    with objmode(y=types.int64):
        y = int(x) * 7
    return y + 1


@ember.jit
def wrong_annotation(x):
    with objmode(y="float64"):
        y = "not a number"  # the annotation says float64
    return y


@ember.jit
def raises_inside(x):
    with objmode(y="float64"):
        y = math.sqrt(x)  # math domain error for x < 0
    return y


@ember.jit
def bad_annotation(x):
    with objmode(y="flaot64"):
        y = x
    return y


def test_block_reads_variables_and_returns_annotated_ones():
    a = np.array([0.1, 0.2, 0.3, 1e16, -1e16])
    CALLS.clear()
    got = fsum_of(a)
    assert got == math.fsum(a * 2.0) + 1
    assert CALLS == [math.fsum(a * 2.0)]  # the block ran once, in the interpreter


def test_array_output_is_owned_by_compiled_code():
    make_array(4)
    before = _ember.live_meminfos()
    assert make_array(5) == (np.arange(5) * 3.0).sum() + 12.0
    assert _ember.live_meminfos() == before


def test_ember_type_annotation():
    assert typed_annotation(3.9) == 22


def _line_of(f, marker):
    lines = Path(__file__).read_text().splitlines()
    first = f.py_func.__code__.co_firstlineno
    for k in range(first, first + 20):
        if marker in lines[k - 1]:
            return k
    raise AssertionError(marker)


def test_wrong_annotation_names_the_variable_and_line():
    with pytest.raises(TypeError) as info:
        wrong_annotation(1.0)
    message = str(info.value)
    assert "'y'" in message and "float64" in message and "str" in message, message
    tb_lines = [t.lineno + 1 for t in info.traceback]  # pytest counts from 0
    assert _line_of(wrong_annotation, "with objmode") in tb_lines


def test_exception_in_block_propagates():
    assert raises_inside(4.0) == 2.0
    with pytest.raises(ValueError, match="math domain error"):
        raises_inside(-1.0)


def test_misspelled_annotation_is_a_typing_error_at_the_line():
    with pytest.raises(TypingError) as info:
        bad_annotation(1.0)
    assert f"line {_line_of(bad_annotation, 'with objmode')}" in str(info.value)


def test_uncompiled_function_runs_the_block():
    a = np.array([1.0, 2.0])
    CALLS.clear()
    assert fsum_of.py_func(a) == 6.0 + 1


# ---- inside a parallel=True prange body: the block takes the GIL on whichever thread runs it ----


@ember.jit(parallel=True)
def fsum_in_prange(a):
    out = np.empty_like(a)
    for i in ember.prange(a.shape[0]):
        x = a[i] * 2.0
        with objmode(y="float64"):
            y = math.fsum([x, 1e16, -1e16, 0.5])
        out[i] = y + 1.0
    return out


@ember.jit(parallel=True)
def reduce_in_prange(a):
    t = 0.0
    for i in ember.prange(a.shape[0]):
        with objmode(y="float64", k="int64"):
            y = math.sqrt(a[i])
            k = 1
        t += y * k
    return t


@ember.jit(parallel=True)
def raises_in_prange(a):
    out = np.zeros(a.shape[0])
    for i in ember.prange(a.shape[0]):
        with objmode(y="float64"):
            y = math.sqrt(a[i])  # math domain error for a[i] < 0
        out[i] = y
    return out


def test_block_inside_a_prange_body():
    a = np.arange(3000.0)
    for _ in range(5):  # every iteration's block ran, whichever thread ran it
        np.testing.assert_array_equal(fsum_in_prange(a), a * 2.0 + 1.5)
        assert reduce_in_prange(a) == pytest.approx(np.sqrt(a).sum(), rel=1e-12)
    assert fsum_in_prange.py_func(a[:3]).tolist() == [1.5, 3.5, 5.5]


@pytest.mark.parametrize("n", [3, 3000])
def test_exception_in_a_prange_block(n):
    a = np.ones(n)
    a[n // 2] = -1.0
    with pytest.raises(ValueError, match="math domain error"):
        raises_in_prange(a)
