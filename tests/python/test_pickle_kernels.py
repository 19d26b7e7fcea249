"""Pickling GPU kernels (ember/serialize.py, issue 14 item 2): by reference when the name finds
them, by value otherwise (function, globals, options, vendor, declared signatures), with device
functions among the globals, and through a spawn process pool.  The kernels run on the CPU path
(EMBER_CUDA_CPU=1, as `make test` sets), so no GPU is needed."""

from __future__ import annotations

import multiprocessing
import pickle

import numpy as np
import pytest

from ember import cuda, hip

pytestmark = pytest.mark.skipif(
    not cuda.is_available(), reason="kernels need the CPU path or a GPU"
)


@cuda.jit
def add_one(a):
    i = cuda.grid(1)
    if i < a.size:
        a[i] += 1


def make_by_value(scale):
    """A kernel no name finds: a closure value, a device function and a module global."""

    @cuda.jit(device=True)
    def shifted(x):
        return x * scale + OFFSET

    @cuda.jit(fastmath=True)
    def affine(out, x):
        i = cuda.grid(1)
        if i < x.size:
            out[i] = shifted(x[i])

    return affine


OFFSET = 0.25


def launch(kernel, x):
    out = np.zeros_like(x)
    kernel[(x.size + 31) // 32, 32](out, x)
    return out


def test_importable_kernels_pickle_by_reference():
    data = pickle.dumps(add_one)
    assert len(data) < 120 and b"add_one" in data
    assert pickle.loads(data) is add_one


def test_unreachable_kernels_pickle_by_value():
    k = make_by_value(3.0)
    x = np.linspace(0.0, 1.0, 100)
    want = x * 3.0 + OFFSET
    np.testing.assert_allclose(launch(k, x), want)
    g = pickle.loads(pickle.dumps(k))
    assert g is not k and type(g) is type(k)
    assert g.__qualname__ == k.__qualname__ and g.vendor == "cuda"
    assert g.options.fastmath is True
    assert g._compiles == 0  # nothing compiled travels
    np.testing.assert_allclose(launch(g, x), want)
    device = g.py_func.__closure__[0].cell_contents  # `shifted`, rebuilt
    assert "device function" in repr(device)
    with pytest.raises(TypeError, match="device function"):
        device(1.0)


def test_declared_signatures_and_vendor_travel_by_value():
    ns = {"cuda": cuda}
    exec(
        "def double(a):\n    i = cuda.grid(1)\n    if i < a.size:\n        a[i] *= 2\n",
        ns,
    )
    k = hip.jit("void(float32[::1])")(ns["double"])
    g = pickle.loads(pickle.dumps(k))
    assert g.vendor == "hip" and g._declared_signatures == ("void(float32[::1])",)
    assert g._can_compile is False
    a = np.arange(4, dtype=np.float32)
    g[1, 4](a)
    np.testing.assert_array_equal(a, [0, 2, 4, 6])
    with pytest.raises(TypeError):
        g[1, 4](np.arange(4.0))  # float64: no compiled signature


def _run_in_worker(job):
    kernel, n = job
    x = np.arange(n, dtype=np.float64)
    return launch(kernel, x).tolist()


def test_kernels_in_a_spawn_pool():
    ctx = multiprocessing.get_context("spawn")
    k = make_by_value(-2.0)
    with ctx.Pool(1) as pool:
        got = pool.map(_run_in_worker, [(k, 5), (k, 40)])
    assert got[0] == (np.arange(5.0) * -2.0 + OFFSET).tolist()
    assert got[1] == (np.arange(40.0) * -2.0 + OFFSET).tolist()
