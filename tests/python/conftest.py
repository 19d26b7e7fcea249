"""Shared helpers for the end-to-end tests of the CPU JIT.

Every compiled function is checked against the same function run by CPython (``f.py_func``):

* ``check(f, *args)`` calls both and compares the results with ``assert_same`` (an exception
  raised by CPython must be raised by the compiled function too; note that ``f.py_func`` still
  calls the *compiled* versions of the jitted functions it calls);
* ``assert_same(got, expected)`` compares recursively: scalars by kind (a compiled function
  returns Python bool / int / float / complex, as Numba does, where CPython may give a NumPy
  scalar), floats with ``math.isclose`` (NaN equals NaN), tuples element by element, arrays by
  dtype, shape and values;
* hypothesis strategies for the values the tests draw (ranges chosen so that int64 wrapping and
  Python's unbounded ints agree).
"""
from __future__ import annotations

import gc
import math
import os

# The IR verifier runs after every pass of every function the tests compile (DESIGN.md §2).
os.environ.setdefault("EMBER_VERIFY", "1")

import numpy as np
import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from ember.errors import EmberError

# No hypothesis check may depend on timing on a busy machine: the first example of a test
# compiles (no per-example deadline), and generating data may be slow (no too_slow check).
# Settings made in the test modules inherit this profile.
settings.register_profile("ember", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("ember")

@pytest.fixture
def cache_dir(tmp_path, monkeypatch):
    """A private on-disk cache directory for in-process tests (and this process's cache counts
    reset), shared by the cache, kernel-cache and cffi tests."""
    from ember import cache
    d = tmp_path / "cache"
    monkeypatch.setenv("EMBER_CACHE_DIR", str(d))
    monkeypatch.setattr(cache, "_dir_for_source", {})
    monkeypatch.setattr(cache, "stats", dict.fromkeys(cache.stats, 0))
    return d


@pytest.fixture
def meminfo_balance():
    """The live-MemInfo count after the test equals the count before it.  Garbage left by
    earlier tests is collected first: a cycle freed during the test would otherwise read as
    the test freeing more than it made (the count depended on when the collector ran)."""
    from ember import _ember
    gc.collect()
    before = _ember.live_meminfos()
    yield
    gc.collect()
    assert _ember.live_meminfos() == before


@pytest.fixture(autouse=True, scope="session")
def _private_cache_dir(tmp_path_factory):
    """Functions the tests compile with cache=True write their entries to a folder of this
    run, not beside the tests (test_cache.py checks the default places itself)."""
    if "EMBER_CACHE_DIR" not in os.environ:
        os.environ["EMBER_CACHE_DIR"] = str(tmp_path_factory.mktemp("ember-cache"))
    yield


# ---- comparing -------------------------------------------------------------------------------

_KINDS = ((bool, (bool, np.bool_)), (int, (int, np.integer)), (float, (float, np.floating)),
          (complex, (complex, np.complexfloating)))


def scalar_kind(value):
    """bool, int, float or complex: the Python type a compiled function returns for value."""
    for kind, classes in _KINDS:
        if isinstance(value, classes):
            return kind
    return None


def _close(a, b, rel, abs_tol):
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return a == b or math.isclose(a, b, rel_tol=rel, abs_tol=abs_tol)


def assert_same(got, expected, rel=1e-12, abs_tol=0.0, path="result"):
    """Asserts that a compiled function's result matches CPython's."""
    if isinstance(expected, np.ndarray):
        assert isinstance(got, np.ndarray), f"{path}: expected an ndarray, got {got!r}"
        assert got.dtype == expected.dtype, f"{path}: dtype {got.dtype} != {expected.dtype}"
        assert got.shape == expected.shape, f"{path}: shape {got.shape} != {expected.shape}"
        if expected.dtype.kind in "fc":
            np.testing.assert_allclose(got, expected, rtol=rel, atol=abs_tol, equal_nan=True,
                                       err_msg=path)
        else:
            np.testing.assert_array_equal(got, expected, err_msg=path)
        return
    if isinstance(expected, tuple):
        assert isinstance(got, tuple), f"{path}: expected a tuple, got {got!r}"
        assert len(got) == len(expected), f"{path}: {got!r} != {expected!r}"
        for i, (g, e) in enumerate(zip(got, expected)):
            assert_same(g, e, rel, abs_tol, f"{path}[{i}]")
        return
    if expected is None:
        assert got is None, f"{path}: expected None, got {got!r}"
        return
    if isinstance(expected, list):  # a list made in compiled code comes back as a list
        assert isinstance(got, list), f"{path}: expected a list, got {got!r}"
        assert len(got) == len(expected), f"{path}: {got!r} != {expected!r}"
        for i, (g, e) in enumerate(zip(got, expected)):
            assert_same(g, e, rel, abs_tol, f"{path}[{i}]")
        return
    if isinstance(expected, (set, frozenset)):
        assert isinstance(got, set), f"{path}: expected a set, got {got!r}"
        assert got == expected, f"{path}: {got!r} != {expected!r}"
        return
    if isinstance(expected, dict):  # a dict made in compiled code is an ember.typed.Dict
        from ember import typed
        assert isinstance(got, typed.Dict), f"{path}: expected a typed.Dict, got {got!r}"
        assert list(got.keys()) == list(expected.keys()), f"{path}: {got!r} != {expected!r}"
        for k, e in expected.items():
            assert_same(got[k], e, rel, abs_tol, f"{path}[{k!r}]")
        return
    if isinstance(expected, str):
        assert type(got) is str and got == expected, f"{path}: {got!r} != {expected!r}"
        return
    kind = scalar_kind(expected)
    assert kind is not None, f"{path}: cannot compare {expected!r}"
    assert type(got) is kind, (f"{path}: expected a {kind.__name__} ({expected!r}), "
                               f"got {type(got).__name__} {got!r}")
    if kind is float:
        assert _close(got, float(expected), rel, abs_tol), f"{path}: {got!r} != {expected!r}"
    elif kind is complex:
        e = complex(expected)
        assert _close(got.real, e.real, rel, abs_tol) and _close(got.imag, e.imag, rel, abs_tol), \
            f"{path}: {got!r} != {expected!r}"
    else:
        assert got == expected, f"{path}: {got!r} != {expected!r}"


def check(f, *args, rel=1e-12, abs_tol=0.0, **kwargs):
    """Runs f compiled and f.py_func on copies of the same arguments; compares results, and
    the arguments afterwards (so that stores into arrays are checked too).  Returns the
    compiled result."""
    py_args = [a.copy() if isinstance(a, np.ndarray) else a for a in args]
    py_kwargs = {k: v.copy() if isinstance(v, np.ndarray) else v for k, v in kwargs.items()}
    try:
        expected = f.py_func(*py_args, **py_kwargs)
    except EmberError:  # py_func called a jitted function that failed to compile
        raise
    except Exception as exc:  # the compiled function must raise the same class
        expected_exc = exc
    else:
        expected_exc = None
    if expected_exc is not None:
        try:
            got = f(*args, **kwargs)
        except type(expected_exc):
            return None
        raise AssertionError(f"expected {type(expected_exc).__name__}: {expected_exc}, "
                             f"got {got!r}")
    got = f(*args, **kwargs)
    assert_same(got, expected, rel, abs_tol)
    for i, (a, pa) in enumerate(zip(args, py_args)):
        if isinstance(a, np.ndarray):
            assert_same(a, pa, rel, abs_tol, f"argument {i} after the call")
    return got


# ---- values ----------------------------------------------------------------------------------

INT_DTYPES = [np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16, np.uint32, np.uint64]
FLOAT_DTYPES = [np.float32, np.float64]
ALL_DTYPES = [np.bool_, *INT_DTYPES, *FLOAT_DTYPES, np.complex128]

# int64 values whose sums and products stay in range (CPython and int64 agree)
small_ints = st.integers(-(2**20), 2**20)
ints = st.integers(-(2**31), 2**31)
nonzero_ints = small_ints.filter(lambda x: x != 0)
floats = st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False)
nonzero_floats = floats.filter(lambda x: abs(x) > 1e-3)
unit_floats = st.floats(-1.0, 1.0, allow_nan=False)
pos_floats = st.floats(1e-3, 1e3, allow_nan=False)
complexes = st.builds(complex, st.floats(-1e3, 1e3), st.floats(-1e3, 1e3))


def sample_array(dtype, shape, seed=0):
    """A deterministic array of this dtype and shape, with values every dtype can hold."""
    rng = np.random.default_rng(seed)
    n = int(np.prod(shape, dtype=np.int64))
    dtype = np.dtype(dtype)
    if dtype.kind == "b":
        flat = rng.integers(0, 2, n).astype(bool)
    elif dtype.kind in "iu":
        flat = rng.integers(0, 100, n).astype(dtype)
    elif dtype.kind == "f":
        flat = rng.uniform(-10, 10, n).astype(dtype)
    else:
        flat = (rng.uniform(-10, 10, n) + 1j * rng.uniform(-10, 10, n)).astype(dtype)
    return flat.reshape(shape)


def layouts(a):
    """The array a (2-D) as C-contiguous, Fortran-contiguous, strided and transposed views
    with the same values: (name, array) pairs."""
    big = np.repeat(np.repeat(a, 2, axis=0), 3, axis=1)
    return [("C", np.ascontiguousarray(a)), ("F", np.asfortranarray(a)),
            ("strided", big[::2, ::3]), ("transposed", np.ascontiguousarray(a.T).T)]


# ---- the kernel tests, run once more to record their kernels ---------------------------------

KERNEL_TESTS = ["test_cuda_atomics.py", "test_cuda_errors.py", "test_cuda_float16.py",
                "test_cuda_launch.py", "test_cuda_random.py", "test_cuda_shared.py",
                "test_cuda_warp.py"]


@pytest.fixture(scope="session")
def recorded_kernels(tmp_path_factory):
    """Runs the kernel tests on the CPU path *through ember.hip* (EMBER_GPU=hip: every
    ``@cuda.jit`` kernel is a HIP kernel, launched by ember.hip's launcher) under
    cuda_kernel_recorder.py, which compiles every kernel they launched, with the argument types
    they launched it with, to PTX (sm_80, sm_90) and to AMDGPU code objects (gfx90a, gfx942,
    gfx1100).  One run serves test_cuda_ptx.py and test_hip_hsaco.py.  Returns (the finished
    process, the PTX folder, the HSACO folder)."""
    import subprocess
    import sys
    here = os.path.dirname(os.path.abspath(__file__))
    ptx_dir = tmp_path_factory.mktemp("ptx")
    hsaco_dir = tmp_path_factory.mktemp("hsaco")
    env = dict(os.environ, EMBER_CUDA_CPU="1", EMBER_GPU="hip", EMBER_PTX_OUT=str(ptx_dir),
               EMBER_HSACO_OUT=str(hsaco_dir),
               PYTHONPATH=here + os.pathsep + os.environ.get("PYTHONPATH", ""))
    files = [os.path.join(here, f) for f in KERNEL_TESTS if os.path.exists(os.path.join(here, f))]
    r = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "cuda_kernel_recorder",
                        "-p", "no:cacheprovider", *files], env=env, capture_output=True,
                       text=True, timeout=900)
    return r, ptx_dir, hsaco_dir
