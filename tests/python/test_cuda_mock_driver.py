"""The device tests against a host-memory stand-in for the CUDA driver.

tests/cuda_mock/MockCudaDriver.cpp (built as build/libember_cuda_mock.so) exports the driver
functions ember resolves and runs the hand-written test kernels on the host.  With
EMBER_CUDA_DRIVER pointing at it, test_cuda_gpu_driver.py runs on any machine: every binding
path a GPU run takes (contexts per thread, memory, copies, streams, events, module loading with
JIT logs, parameter passing through kernelParams and the packed buffer, the layout check, the
error record, error names) runs here, against the mock's answers.  It says nothing about a
real GPU; `make test-gpu` on a machine with one does.
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MOCK = os.path.join(os.environ.get("EMBER_BUILD_DIR", os.path.join(ROOT, "build")),
                    "libember_cuda_mock.so")

pytestmark = pytest.mark.skipif(not os.path.exists(MOCK),
                                reason=f"the mock driver is not built ({MOCK})")


def run(args, code=None):
    env = dict(os.environ, EMBER_CUDA_DRIVER=MOCK)
    cmd = [sys.executable] + (["-c", textwrap.dedent(code)] if code else args)
    return subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300, cwd=ROOT)


def test_the_device_tests_pass_against_the_mock_driver():
    out = run(["-m", "pytest", os.path.join(ROOT, "tests/python/test_cuda_gpu_driver.py"),
               "-q", "-rs", "-p", "no:cacheprovider"])
    assert out.returncode == 0, out.stdout + out.stderr
    summary = out.stdout.strip().splitlines()[-1]
    passed = int(re.search(r"(\d+) passed", summary).group(1))
    assert passed >= 20, summary
    assert "failed" not in summary and "error" not in summary
    # the only test allowed to skip is the one that needs CuPy or PyTorch on a GPU
    for skipped in re.findall(r"SKIPPED \[\d+\] [^\n]*", out.stdout):
        assert "neither CuPy nor PyTorch" in skipped, skipped


def test_memory_is_freed_when_its_owners_go():
    out = run(None, """
        import ctypes, gc, os, sys
        sys.path.insert(0, "tests/python")
        from cuda_ptx_samples import KERNELS_PTX
        from ember import _cuda
        mock = ctypes.CDLL(os.environ["EMBER_CUDA_DRIVER"])
        d = _cuda.Driver()
        d.select(0)
        base = mock.mock_live_allocations()
        ptrs = [d.alloc(1024) for _ in range(50)]
        pinned = [d.alloc_pinned(64) for _ in range(10)]
        arrays = [_cuda.DeviceArray(p, (128,), None, "<f8", owner=p) for p in ptrs]
        print(mock.mock_live_allocations() - base)
        del ptrs, pinned
        gc.collect()
        print(mock.mock_live_allocations() - base)  # the arrays still own their memory
        del arrays
        gc.collect()
        print(mock.mock_live_allocations() - base)
        s = d.stream_create()
        e = d.event_create()
        m = d.load_module(KERNELS_PTX)
        print(m.info_log)
    """)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split("\n")[:4] == ["60", "50", "0", "mock JIT: compiled"]


def test_configured_launches_reach_the_driver_with_a_checked_layout():
    out = run(None, """
        import ctypes, os, sys
        sys.path.insert(0, "tests/python")
        from cuda_ptx_samples import KERNELS_PTX
        from ember import _cuda
        mock = ctypes.CDLL(os.environ["EMBER_CUDA_DRIVER"])
        d = _cuda.Driver()
        m = d.load_module(KERNELS_PTX)
        k = _cuda.KernelLauncher(m.function("empty_array"), [(_cuda.ArgKind.Array, 1)])
        print(k.layout_checked, k.layout, k.param_count)
        x = _cuda.DeviceArray(d.alloc(8), (1,), None, "<f8")
        go = k.configure(1, 32)
        before = mock.mock_launches()
        for _ in range(1000):
            go(x)
        print(mock.mock_launches() - before)
        print(go.grid, go.block, go.stream, go.shared)
    """)
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines() == ["True (array(1)) 3", "1000", "(1, 1, 1) (32, 1, 1) 0 0"]
