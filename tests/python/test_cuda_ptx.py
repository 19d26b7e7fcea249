"""Kernels compiled for the GPU: ``cuda.compile_ptx`` (numba-cuda's API), a kernel's
``inspect_ptx`` / ``inspect_llvm``, the NVPTX answers to every kernel-language feature, and
every kernel the CPU-path tests launch compiled to PTX and assembled by ptxas for sm_80 and
sm_90.  No GPU is needed; ptxas (CUDA toolkit) is, for the assembly checks, which skip saying
so where it is absent.
"""
from __future__ import annotations

import concurrent.futures
import glob
import json
import math
import os
import shutil
import subprocess

import numpy as np
import pytest
from conftest import KERNEL_TESTS

from ember import cuda
from ember.errors import TypingError

HERE = os.path.dirname(os.path.abspath(__file__))
FULL = 0xFFFFFFFF


def find_ptxas():
    found = shutil.which("ptxas")
    if found:
        return found
    candidates = sorted(glob.glob("/usr/local/cuda*/bin/ptxas"), reverse=True)
    return next((c for c in candidates if os.access(c, os.X_OK)), None)


def assemble(ptx_path, arch):
    """(returncode, ptxas output) of assembling one PTX file."""
    r = subprocess.run([find_ptxas(), f"-arch={arch}", ptx_path, "-o", ptx_path + ".cubin"],
                       capture_output=True, text=True)
    return r.returncode, r.stdout + r.stderr


def assert_assembles(ptx, arch, tmp_path):
    if find_ptxas() is None:
        pytest.skip("ptxas not found (no CUDA toolkit): PTX compiled but not assembled")
    path = tmp_path / f"k_{arch}.ptx"
    path.write_text(ptx)
    rc, out = assemble(str(path), arch)
    assert rc == 0, out + "\n" + ptx


# ---- every kernel the CPU-path tests launch -------------------------------------------------

def test_every_test_kernel_compiles_to_ptx_and_assembles(recorded_kernels):
    """Every kernel the kernel tests launch (run through ember.hip on the CPU path by the
    conftest's recorded_kernels) compiled to PTX for sm_80 and sm_90; each PTX must
    assemble."""
    r, ptx_dir, _ = recorded_kernels
    assert r.returncode == 0, r.stdout[-4000:] + r.stderr[-4000:]
    rows = json.loads((ptx_dir / "index.json").read_text())
    failed = [f"{x['kernel']}{x['signature']} {x['arch']}: {x['error']}" for x in rows
              if "error" in x]
    assert not failed, "\n".join(failed)
    kernels = {(x["kernel"], x["file"]) for x in rows}
    # Every test file's kernels are there (a recorder that saw nothing would pass vacuously).
    assert {os.path.basename(f) for _, f in kernels} >= {
        f for f in KERNEL_TESTS if f != "test_cuda_errors.py"}
    assert len(rows) >= 40, len(rows)
    if find_ptxas() is None:
        pytest.skip(f"ptxas not found (no CUDA toolkit): {len(rows)} PTX modules compiled, "
                    "none assembled")
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        results = list(pool.map(lambda x: assemble(x["ptx"], x["arch"]), rows))
    bad = [f"{x['kernel']}{x['signature']} {x['arch']}:\n{out}"
           for x, (rc, out) in zip(rows, results) if rc != 0]
    assert not bad, "\n".join(bad[:5])


# ---- compile_ptx --------------------------------------------------------------------------

def saxpy(a, x, y, out):
    i = cuda.grid(1)
    if i < x.shape[0]:
        out[i] = a * x[i] + y[i]


def test_compile_ptx_returns_ptx_and_the_return_type(tmp_path):
    ptx, resty = cuda.compile_ptx(saxpy, "void(float32, float32[:], float32[:], float32[:])")
    assert resty == "none"
    assert ".visible .entry" in ptx and ".target sm_80" in ptx
    assert "%tid.x" in ptx and "%ctaid.x" in ptx and "%ntid.x" in ptx
    assert "mul.rn.f32" in ptx or "mul.f32" in ptx
    ptx90, _ = cuda.compile_ptx(saxpy, "void(float32, float32[:], float32[:], float32[:])",
                                cc=(9, 0))
    assert ".target sm_90" in ptx90
    assert_assembles(ptx90, "sm_90", tmp_path)


def test_compile_ptx_device_function_and_its_return_type(tmp_path):
    def add(a, b):
        return a + b

    ptx, resty = cuda.compile_ptx(add, "float32(float32, float32)", device=True)
    assert resty == "float32"
    assert ".entry" not in ptx and ".func" in ptx
    ptx, resty = cuda.compile_ptx(add, ("int32", "int64"), device=True)
    assert resty == "int64"


def test_compile_ptx_checks_signatures_and_options():
    with pytest.raises(TypingError, match="returns void"):
        cuda.compile_ptx(saxpy, "float32(float32, float32[:], float32[:], float32[:])")
    with pytest.raises(TypingError, match="has 1 arguments"):
        cuda.compile_ptx(saxpy, "void(float32)")
    with pytest.raises(NotImplementedError, match="abi"):
        cuda.compile_ptx(saxpy, "void(float32, float32[:], float32[:], float32[:])", abi="c")
    with pytest.raises(ValueError, match="older than ember supports"):
        cuda.compile_ptx(saxpy, "void(float32, float32[:], float32[:], float32[:])", cc=(7, 0))


def test_compile_ptx_fastmath_and_current_device():
    def k(x, out):
        i = cuda.grid(1)
        out[i] = math.sqrt(x[i]) / x[i]

    sig = "void(float32[:], float32[:])"
    exact, _ = cuda.compile_ptx(k, sig)
    fast, _ = cuda.compile_ptx(k, sig, fastmath=True)
    assert "div.rn.f32" in exact and "div.rn.f32" not in fast
    assert ".ftz" in fast and ".ftz" not in exact
    here, _ = cuda.compile_ptx_for_current_device(k, sig)
    assert ".target sm_" in here


def test_compile_ptx_is_cached_per_signature_cc_and_options():
    sig = "void(float32, float32[:], float32[:], float32[:])"
    a = cuda.compile_ptx(saxpy, sig)[0]
    from ember.cuda.ptx import _owners
    owner = _owners[saxpy][(False, False)]
    n = len(owner._ptx_cache)
    assert cuda.compile_ptx(saxpy, sig)[0] == a
    assert len(owner._ptx_cache) == n
    cuda.compile_ptx(saxpy, sig, cc=(8, 6))
    assert len(owner._ptx_cache) == n + 1


def test_kernel_inspect_ptx_and_llvm():
    @cuda.jit("void(float64[:], float64)")
    def scale(x, a):
        i = cuda.grid(1)
        if i < x.size:
            x[i] *= a

    ptx = scale.inspect_ptx("void(float64[:], float64)")
    assert ".visible .entry" in ptx and "mul.rn.f64" in ptx
    by_sig = scale.inspect_ptx()
    assert list(by_sig) == [("array(float64, 1d, A)", "float64")]
    assert by_sig[("array(float64, 1d, A)", "float64")] == ptx
    assert scale.inspect_ptx(("array(float64, 1d, A)", "float64")) == ptx
    assert "sm_90" in scale.inspect_ptx("void(float64[:], float64)", cc=(9, 0))
    from ember.cuda.ptx import kernel_inspect_llvm
    ir = kernel_inspect_llvm(scale, "void(float64[:], float64)")
    assert "ptx_kernel" in ir and "nvptx64" in ir


# ---- the NVPTX answers to the kernel language -----------------------------------------------

def k_shared(x, out):
    tile = cuda.shared.array((4, 32), np.float32)
    dyn = cuda.shared.array(0, np.float64)
    t = cuda.threadIdx.x
    tile[t % 4, t] = x[cuda.grid(1)]
    dyn[t] = dyn.size
    cuda.syncthreads()
    out[cuda.grid(1)] = tile[(t + 1) % 4, 31 - t] + dyn[31 - t]


TABLE = np.arange(16, dtype=np.int64) * 3


def k_local_const(x, out):
    loc = cuda.local.array(16, np.int64)
    table = cuda.const.array_like(TABLE)
    i = cuda.grid(1)
    for j in range(16):
        loc[j] = x[(i + j) % x.size] * table[j]
    out[i] = loc[x[i] % 16]


def k_barriers_fences(x, out):
    i = cuda.grid(1)
    c = cuda.syncthreads_count(x[i] > 0)
    a = cuda.syncthreads_and(x[i] > 0)
    o = cuda.syncthreads_or(x[i] > 0)
    cuda.threadfence_block()
    cuda.threadfence()
    cuda.threadfence_system()
    cuda.syncwarp(FULL)
    out[i] = c * 100 + a * 10 + o


def k_warp(x, out):
    i = cuda.grid(1)
    v = x[i]
    out[i, 0] = cuda.shfl_sync(FULL, v, 3) + cuda.shfl_up_sync(FULL, v, 1)
    out[i, 1] = cuda.shfl_down_sync(FULL, v, 2) + cuda.shfl_xor_sync(FULL, v, 4)
    out[i, 2] = cuda.ballot_sync(FULL, v > 0) + cuda.all_sync(FULL, v > 0)
    out[i, 3] = cuda.any_sync(FULL, v > 0) + cuda.eq_sync(FULL, v > 0)
    out[i, 4] = cuda.activemask() + cuda.lanemask_lt() + cuda.laneid


def k_bits(x, out):
    i = cuda.grid(1)
    out[i, 0] = cuda.popc(x[i]) + cuda.clz(x[i]) + cuda.ffs(x[i])
    out[i, 1] = cuda.brev(x[i])


def k_float_intrinsics(x, out):
    i = cuda.grid(1)
    out[i] = cuda.fma(x[i], 2.0, 1.0) + cuda.cbrt(x[i])


def k_atomics_float(a, s, idx):
    i = cuda.grid(1)
    cuda.atomic.add(a, 0, s)
    cuda.atomic.sub(a, 1, s)
    cuda.atomic.max(a, 2, s)
    cuda.atomic.min(a, (3,), s)
    cuda.atomic.nanmax(a, 4, s)
    idx[i] = 0


def k_atomics_int(a, s, idx):
    i = cuda.grid(1)
    cuda.atomic.add(a, 0, s)
    cuda.atomic.sub(a, 1, s)
    cuda.atomic.max(a, 2, s)
    cuda.atomic.min(a, (3,), s)
    cuda.atomic.exch(a, 4, s)
    cuda.atomic.and_(a, 5, s)
    cuda.atomic.or_(a, 6, s)
    cuda.atomic.xor(a, 7, s)
    idx[i] = cuda.atomic.cas(a, 8, s, s + 1)


FEATURES = [
    (k_shared, "void(float32[:], float32[:])",
     [".shared .align 16 .b8", ".extern .shared .align 16 .b8 ember_dynamic_shared[]",
      "%dynamic_smem_size", "bar.sync \t0"]),
    (k_local_const, "void(int64[:], int64[:])", [".local", ".const"]),
    (k_barriers_fences, "void(int32[:], int32[:])",
     ["bar.red.popc.u32", "bar.red.and.pred", "bar.red.or.pred", "membar.cta", "membar.gl",
      "membar.sys", "bar.warp.sync"]),
    (k_warp, "void(int32[:], int64[:, :])",
     ["shfl.sync.idx.b32", "shfl.sync.up.b32", "shfl.sync.down.b32", "shfl.sync.bfly.b32",
      "vote.sync.ballot.b32", "vote.sync.all.pred", "vote.sync.any.pred", "vote.sync.uni.pred",
      "activemask.b32", "%laneid"]),
    (k_warp, "void(float64[:], float64[:, :])", ["shfl.sync.idx.b32"]),
    (k_warp, "void(uint64[:], uint64[:, :])", ["shfl.sync.bfly.b32"]),
    (k_bits, "void(uint32[:], int64[:, :])", ["popc.b32", "clz.b32", "brev.b32"]),
    (k_bits, "void(int64[:], int64[:, :])", ["popc.b64", "clz.b64", "brev.b64"]),
    (k_float_intrinsics, "void(float32[:], float32[:])", ["fma.rn.f32"]),
    (k_float_intrinsics, "void(float64[:], float64[:])", ["fma.rn.f64"]),
]


@pytest.mark.parametrize("fn, sig, expected", FEATURES,
                         ids=[f"{f.__name__}-{s}" for f, s, _ in FEATURES])
def test_feature_ptx(fn, sig, expected, tmp_path):
    for cc in ((8, 0), (9, 0)):
        ptx, _ = cuda.compile_ptx(fn, sig, cc=cc)
        for text in expected:
            assert text in ptx, f"{text!r} not in the PTX of {fn.__name__}{sig}:\n{ptx}"
        assert_assembles(ptx, f"sm_{cc[0]}{cc[1]}", tmp_path)


@pytest.mark.parametrize("dtype, is_float", [
    ("int32", False), ("uint32", False), ("int64", False), ("uint64", False),
    ("float32", True), ("float64", True)])
def test_atomics_compile_for_each_dtype(dtype, is_float, tmp_path):
    k = k_atomics_float if is_float else k_atomics_int
    ptx, _ = cuda.compile_ptx(k, f"void({dtype}[:], {dtype}, {dtype}[:])")
    assert "atom.global.add" in ptx or "red.global.add" in ptx
    # float max/min are compare-and-swap loops; so is cas itself
    assert "atom.global.cas" in ptx
    assert_assembles(ptx, "sm_80", tmp_path)


def test_atomics_on_shared_memory_and_inc_dec(tmp_path):
    def k(out, n):
        sh = cuda.shared.array(2, np.uint32)
        if cuda.threadIdx.x == 0:
            sh[0] = 0
            sh[1] = 0
        cuda.syncthreads()
        cuda.atomic.add(sh, 0, 1)
        cuda.atomic.inc(sh, 1, n)
        cuda.atomic.dec(out, 0, n)
        cuda.syncthreads()
        if cuda.threadIdx.x == 0:
            out[1] = sh[0] + sh[1]

    ptx, _ = cuda.compile_ptx(k, "void(uint32[:], uint32)")
    assert "atom.shared.add.u32" in ptx or "red.shared.add.u32" in ptx
    # LLVM 19's NVPTX lowers inc/dec (atomicrmw uinc_wrap / udec_wrap) as compare-and-swap
    # loops; their semantics are checked on the CPU path (test_cuda_atomics.py).
    assert "atom.shared.cas.b32" in ptx and "atom.global.cas.b32" in ptx
    assert_assembles(ptx, "sm_80", tmp_path)


def test_random_device_functions_compile(tmp_path):
    from ember.cuda.random import (
        xoroshiro128p_normal_float32,
        xoroshiro128p_normal_float64,
        xoroshiro128p_uniform_float32,
        xoroshiro128p_uniform_float64,
    )

    def k(states, out):
        i = cuda.grid(1)
        out[i] = (xoroshiro128p_uniform_float32(states, i) + xoroshiro128p_normal_float32(states, i)
                  + xoroshiro128p_uniform_float64(states, i)
                  + xoroshiro128p_normal_float64(states, i))

    ptx, _ = cuda.compile_ptx(k, "void(uint64[:, :], float64[:])")
    assert ".entry" in ptx
    assert_assembles(ptx, "sm_90", tmp_path)


def test_a_raise_in_a_kernel_fills_the_message_table(tmp_path):
    def k(x):
        i = cuda.grid(1)
        if x[i] < 0:
            raise ValueError("negative element")

    from ember.cuda.ptx import _owner, ptx_module
    from ember.dispatcher import session
    s = session()
    owner = _owner(k, False, False)
    from ember.signature import parse_signature
    codes, _ = parse_signature("(float64[:],)")
    p = ptx_module(owner, tuple(s.type_from_code(c) for c in codes))
    assert p.may_raise and "negative element" in p.messages
    assert "atom.global.cas.b32" in p.ptx
    assert_assembles(p.ptx, "sm_80", tmp_path)
