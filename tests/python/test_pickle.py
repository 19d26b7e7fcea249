"""Pickling jitted functions (ember/serialize.py): by reference when the name finds them, by
value otherwise, and through multiprocessing with fork and spawn and a process pool."""
from __future__ import annotations

import concurrent.futures
import math
import multiprocessing
import pickle

import numpy as np
import pytest

import ember


@ember.jit
def add(a, b):
    return a + b


@ember.jit("float64(float64, float64)")
def hyp(x, y):
    return math.sqrt(x * x + y * y)


SCALE = 3.0


def make_by_value():
    """A jitted function no name finds: closure value, module global, a jitted callee, a
    global constant and a default."""
    offset = 0.5

    @ember.jit
    def f(a, k=2):
        s = 0.0
        for i in range(a.shape[0]):
            s += add(np.sqrt(a[i]), offset) * SCALE * k
        return s
    return f


def expected_by_value(a, k=2):
    return float(np.sum((np.sqrt(a) + 0.5) * SCALE * k))


def test_importable_functions_pickle_by_reference():
    data = pickle.dumps(add)
    assert b"add" in data and len(data) < 100
    assert pickle.loads(data) is add


def test_unreachable_functions_pickle_by_value():
    f = make_by_value()
    a = np.arange(10.0)
    assert f(a) == pytest.approx(expected_by_value(a))
    g = pickle.loads(pickle.dumps(f))
    assert g is not f and g.py_func is not f.py_func
    assert g._compiles == 0  # nothing compiled travels: compiled on first call
    assert g(a) == pytest.approx(expected_by_value(a))
    assert g(a, k=3) == pytest.approx(expected_by_value(a, 3))
    assert g.__qualname__ == f.__qualname__


def test_explicit_signatures_travel_by_value():
    ns = {"math": math}
    exec("def h(x, y):\n    return math.hypot(x, y) + x\n", ns)
    h = ember.jit(["float64(float64, float64)"])(ns["h"])
    g = pickle.loads(pickle.dumps(h))
    assert g(3, 4) == 8.0  # ints convert to the declared float64 signature
    assert g.signatures == h.signatures
    with pytest.raises(TypeError, match="no compiled signature"):
        g(np.arange(2.0), 1.0)


def test_recursive_function_by_value():
    ns = {}
    exec("def fib(n):\n    return n if n < 2 else fib(n - 1) + fib(n - 2)\n", ns)
    fib = ember.jit(ns["fib"])
    ns["fib"] = fib
    g = pickle.loads(pickle.dumps(fib))
    assert g(15) == 610
    assert g.py_func.__globals__["fib"] is g


def _apply(job):
    f, x = job
    return f(np.arange(x, dtype=np.float64))


@pytest.mark.parametrize("method", ["fork", "spawn"])
def test_multiprocessing(method):
    ctx = multiprocessing.get_context(method)
    f = make_by_value()
    jobs = [(f, 4), (f, 9), (hyp, None)]
    with ctx.Pool(1) as pool:
        got = pool.map(_apply, jobs[:2])
        assert pool.apply(hyp, (3.0, 4.0)) == 5.0
        assert pool.apply(add, (2, 5)) == 7
    assert got == pytest.approx([expected_by_value(np.arange(4.0)),
                                 expected_by_value(np.arange(9.0))])


def _square_shared(job):
    """Squares, in a worker, an array that lives in shared memory (no copy travels)."""
    from multiprocessing import shared_memory
    f, name, n = job
    shm = shared_memory.SharedMemory(name=name)
    try:
        a = np.ndarray((n,), dtype=np.float64, buffer=shm.buf)
        f(a)
        del a
    finally:
        shm.close()
    return n


def test_process_pool_executor_and_shared_memory():
    from multiprocessing import shared_memory
    f = make_by_value()
    ns = {}
    exec("def square(a):\n    for i in range(a.shape[0]):\n        a[i] = a[i] * a[i]\n", ns)
    square = ember.jit(ns["square"])
    shm = shared_memory.SharedMemory(create=True, size=8 * 1000)
    try:
        a = np.ndarray((1000,), dtype=np.float64, buffer=shm.buf)
        a[:] = np.arange(1000.0)
        with concurrent.futures.ProcessPoolExecutor(
                1, mp_context=multiprocessing.get_context("fork")) as ex:
            got = list(ex.map(_apply, [(f, 5), (f, 6)]))
            assert ex.submit(_square_shared, (square, shm.name, 1000)).result() == 1000
        np.testing.assert_array_equal(a, np.arange(1000.0) ** 2)
        del a
    finally:
        shm.close()
        shm.unlink()
    assert got == pytest.approx([expected_by_value(np.arange(5.0)),
                                 expected_by_value(np.arange(6.0))])


def _out_of_band_unaligned(a):
    """`a` as Dask and distributed often deliver it: rebuilt by pickle protocol 5 from a buffer
    that starts at an odd byte of a message frame."""
    buffers = []
    data = pickle.dumps(a, protocol=5, buffer_callback=buffers.append)
    (raw,) = [bytes(b.raw()) for b in buffers]
    frame = bytearray(len(raw) + 1)
    frame[1:] = raw
    return pickle.loads(data, buffers=[memoryview(frame)[1:]])


def test_unaligned_arrays_are_realigned_and_writes_kept():
    ns = {}
    exec("def bump(a, k):\n    s = 0.0\n    for i in range(a.shape[0]):\n"
         "        a[i] += k\n        s += a[i]\n    return s\n", ns)
    bump = ember.jit(ns["bump"])
    a = _out_of_band_unaligned(np.arange(10.0))
    assert not a.flags.aligned and a.flags.writeable
    assert bump(a, 1.0) == 55.0  # the compiled code ran on an aligned copy...
    np.testing.assert_array_equal(a, np.arange(1.0, 11.0))  # ...copied back into `a`
    assert bump(a, 1.0) == 65.0 and bump._compiles == 1
    frozen = _out_of_band_unaligned(np.arange(4.0))
    frozen.flags.writeable = False
    with pytest.raises(ember.errors.TypingError, match="read-only"):
        bump(frozen, 1.0)  # a read-only array stays read-only in compiled code


# ---- ufuncs, gufuncs and DUFuncs --------------------------------------------------------------

@ember.vectorize(["float64(float64, float64)"])
def rel_diff(a, b):
    return abs(a - b) / (abs(a) + abs(b))


@ember.vectorize
def cube(x):
    return x * x * x


def make_ufuncs():
    """A ufunc, a gufunc and a DUFunc no name finds, reading a closure value and a global."""
    bias = 1.5

    @ember.vectorize(["float64(float64)", "int64(int64)"])
    def shifted(x):
        return x * SCALE + bias

    @ember.guvectorize(["void(float64[:], float64[:])"], "(n)->()")
    def norm1(x, out):
        s = 0.0
        for i in range(x.shape[0]):
            s += abs(x[i]) + bias
        out[0] = s

    @ember.vectorize(identity=0)
    def plus(x, y):
        return x + y + bias
    return shifted, norm1, plus


def test_ember_ufuncs_pickle_by_reference():
    for u in (rel_diff, cube):
        data = pickle.dumps(u)
        assert len(data) < 120
        assert pickle.loads(data) is u
    assert pickle.loads(pickle.dumps(np.add)) is np.add  # NumPy's ufuncs pickle as before


def test_ufuncs_gufuncs_and_dufuncs_pickle_by_value():
    shifted, norm1, plus = make_ufuncs()
    a = np.array([-1.0, 0.5, 2.0])
    plus(a, a)  # a loop compiled before pickling: none travels
    s2, n2, p2 = pickle.loads(pickle.dumps((shifted, norm1, plus)))
    assert s2 is not shifted and isinstance(s2, np.ufunc)
    np.testing.assert_array_equal(s2(a), a * SCALE + 1.5)
    assert s2(np.arange(3)).dtype == np.int64 and s2.types == shifted.types
    m = np.arange(6.0).reshape(2, 3)
    np.testing.assert_array_equal(n2(m), norm1(m))
    assert n2.signature == norm1.signature == "(n)->()"
    assert type(p2).__name__ == "DUFunc" and p2.ntypes == 0
    np.testing.assert_array_equal(p2(a, a), a + a + 1.5)
    assert p2.reduce(a) == plus.reduce(a)


def _call_ufuncs(job):
    shifted, norm1, plus = job
    a = np.arange(4.0)
    return shifted(a).tolist(), norm1(a.reshape(2, 2)).tolist(), plus(a, a).tolist()


@pytest.mark.parametrize("method", ["fork", "spawn"])
def test_ufuncs_in_a_process_pool(method):
    ctx = multiprocessing.get_context(method)
    job = make_ufuncs()
    with ctx.Pool(1) as pool:
        got = pool.apply(_call_ufuncs, (job,))
        assert pool.apply(cube, (3.0,)) == 27.0
        assert pool.apply(rel_diff, (1.0, 3.0)) == 0.5
    assert list(got) == list(_call_ufuncs(job))
