"""The on-disk cache for kernels (ember/cuda/kernel_cache.py): ``@cuda.jit(cache=True)`` and
``@hip.jit(cache=True)``.

No GPU is needed for most of it.  On the CPU path (EMBER_CUDA_CPU=1) a kernel's launcher is
compiled code, stored as a shared object: a fresh process launches it from the cache with no
``ember._compiler`` imported and no LLVM mapped.  A kernel's GPU code (PTX, AMDGPU code object)
is text or an ELF file compiled without a device: a fresh process gets it from the cache, keyed
by the compute capability (gfx architecture) and options, without the compiler, and the GPU
backend launches it through the mock CUDA driver (tests/cuda_mock) without the compiler too.
The launch on a real GPU is marked ``gpu``.
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
import warnings

import numpy as np
import pytest
from test_cache_kinds import REPORT

from ember import cache, cuda

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MOCK = os.path.join(os.environ.get("EMBER_BUILD_DIR", os.path.join(ROOT, "build")),
                    "libember_cuda_mock.so")



def run_python(code, cwd, env_extra=None):
    """Runs REPORT + `code` in a fresh interpreter (cwd importable); the JSON object of its
    last output line, and its stderr."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(cwd), ROOT])
    env["EMBER_CUDA_CPU"] = "1"
    for var in ("EMBER_CACHE", "EMBER_CACHE_DIR", "EMBER_GPU", "EMBER_CUDA_DRIVER"):
        env.pop(var, None)
    env.update(env_extra or {})
    r = subprocess.run([sys.executable, "-c", REPORT + textwrap.dedent(code)], cwd=cwd, env=env,
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr
    return json.loads(r.stdout.strip().splitlines()[-1]), r.stderr


def assert_all_hits(report, err, n):
    assert report["stats"]["hits"] == n and report["stats"]["misses"] == 0, (report, err)
    assert report["stats"]["stores"] == 0, report
    assert not report["compiler_imported"], "the compiler was imported on a cache hit"
    assert not report["llvm_mapped"], "LLVM is mapped after a cache hit"
    assert "Warning" not in err, err


# ---- the CPU path ---------------------------------------------------------------------------

DEVICE_MOD = """
from ember import cuda

@cuda.jit(device=True)
def twice(v):
    return 2.0 * v
"""

KERNELS = """
import numpy as np
from ember import cuda
import dev_mod

@cuda.jit(cache=True)
def axpy(out, x, a):
    i = cuda.grid(1)
    if i < out.shape[0]:
        out[i] = a * x[i] + 1.0

@cuda.jit(cache=True)
def block_sums(out, x):               # shared memory and a barrier: the fiber path
    buf = cuda.shared.array(32, np.float64)
    t = cuda.threadIdx.x
    buf[t] = x[cuda.grid(1)]
    cuda.syncthreads()
    if t == 0:
        s = 0.0
        for k in range(32):
            s += buf[k]
        out[cuda.blockIdx.x] = s

@cuda.jit("void(float32[::1], float32)", cache=True)   # an explicit signature
def fill(out, v):
    i = cuda.grid(1)
    if i < out.shape[0]:
        out[i] = v

@cuda.jit(cache=True)
def doubled(out, x):                  # a device function in another module
    i = cuda.grid(1)
    if i < out.shape[0]:
        out[i] = dev_mod.twice(x[i])

@cuda.jit(cache=True)
def checked(x):
    i = cuda.grid(1)
    if i < x.shape[0] and x[i] < 0:
        raise ValueError("negative input")
"""

LAUNCHES = """
import numpy as np
import kernels as k
x = np.arange(128.0)
out = np.zeros(128)
k.axpy[4, 32](out, x, 2.0)
sums = np.zeros(4)
k.block_sums[4, 32](sums, x)
f = np.zeros(40, np.float32)
k.fill[2, 32](f, np.float32(3.5))
d = np.zeros(128)
k.doubled[4, 32](d, x)
try:
    k.checked[1, 32](np.array([1.0, -1.0]))
    raised = None
except ValueError as e:
    raised = str(e)
compiles = {n: getattr(k, n)._compiles for n in ("axpy", "block_sums", "fill", "doubled",
                                                  "checked")}
report(axpy=out.tolist(), sums=sums.tolist(), fill=f.tolist(), doubled=d.tolist(),
       raised=raised, compiles=compiles)
"""


def test_cpu_path_kernels_load_from_the_cache_in_a_fresh_process(tmp_path):
    (tmp_path / "dev_mod.py").write_text(textwrap.dedent(DEVICE_MOD))
    (tmp_path / "kernels.py").write_text(textwrap.dedent(KERNELS))
    x = np.arange(128.0)
    expected = dict(axpy=(2.0 * x + 1.0).tolist(), sums=x.reshape(4, 32).sum(axis=1).tolist(),
                    fill=[3.5] * 40, doubled=(2.0 * x).tolist())
    first, err = run_python(LAUNCHES, tmp_path)
    assert first["stats"]["stores"] == 5, (first, err)
    assert "Warning" not in err, err
    second, err = run_python(LAUNCHES, tmp_path)
    assert_all_hits(second, err, 5)
    for report in (first, second):
        for name, value in expected.items():
            assert report[name] == value, name
        assert report["raised"] and "negative input" in report["raised"]
    assert set(second["compiles"].values()) == {0}
    assert len(list((tmp_path / "__pycache__" / "ember").glob("kernels.*.ember.so"))) == 5

    # Editing the device function (another module) recompiles the kernel calling it only.
    (tmp_path / "dev_mod.py").write_text(textwrap.dedent(DEVICE_MOD).replace("2.0 *", "3.0 *"))
    third, err = run_python(LAUNCHES, tmp_path)
    assert third["doubled"] == (3.0 * x).tolist()
    assert third["compiles"] == dict(axpy=0, block_sums=0, fill=0, doubled=1, checked=0)
    assert third["stats"]["stores"] == 1 and third["stats"]["hits"] == 4


# ---- GPU code without a GPU -----------------------------------------------------------------

GPU_KERNELS = """
from ember import cuda, hip

@cuda.jit(cache=True)
def saxpy(out, x, a):
    i = cuda.grid(1)
    if i < out.shape[0]:
        out[i] = a * x[i] + out[i]

@cuda.jit(cache=True, fastmath=True)
def saxpy_fast(out, x, a):
    i = cuda.grid(1)
    if i < out.shape[0]:
        out[i] = a * x[i] + out[i]

@hip.jit(cache=True)
def hip_saxpy(out, x, a):
    i = cuda.grid(1)
    if i < out.shape[0]:
        out[i] = a * x[i] + out[i]
"""

SIG = "void(float32[::1], float32[::1], float32)"

GPU_CODE = f"""
import hashlib
import gpu_kernels as g
sig = {SIG!r}
ptx80 = g.saxpy.inspect_ptx(sig, cc=(8, 0))
ptx90 = g.saxpy.inspect_ptx(sig, cc=(9, 0))
fast = g.saxpy_fast.inspect_ptx(sig, cc=(8, 0))
hsaco = g.hip_saxpy.inspect_hsaco(sig, arch="gfx942")
report(ptx80=ptx80, ptx90=ptx90, fast=fast, hsaco=hashlib.sha1(hsaco).hexdigest(),
       hsaco_elf=hsaco[:4] == b"\\x7fELF")
"""


def test_gpu_code_loads_from_the_cache_without_the_compiler(tmp_path):
    (tmp_path / "gpu_kernels.py").write_text(textwrap.dedent(GPU_KERNELS))
    first, err = run_python(GPU_CODE, tmp_path)
    assert first["stats"]["stores"] == 4, (first, err)
    second, err = run_python(GPU_CODE, tmp_path)
    assert_all_hits(second, err, 4)
    for key in ("ptx80", "ptx90", "fast", "hsaco"):
        assert second[key] == first[key], key
    assert ".target sm_80" in second["ptx80"] and ".target sm_90" in second["ptx90"]
    assert second["fast"] != second["ptx80"]  # fastmath: another entry, other code
    assert second["hsaco_elf"]
    folder = tmp_path / "__pycache__" / "ember"
    assert len(list(folder.glob("*.ember.ptx"))) == 3
    assert len(list(folder.glob("*.ember.hsaco"))) == 1


def _saxpy(out, x, a):
    i = cuda.grid(1)
    if i < out.shape[0]:
        out[i] = a * x[i] + out[i]


def test_the_key_covers_the_target_and_the_options(cache_dir):
    from ember.cuda import kernel_cache
    from ember.signature import parse_signature
    codes, _ = parse_signature(SIG)
    plain = cuda.jit(cache=True)(_saxpy)
    fast = cuda.jit(cache=True, fastmath=True)(_saxpy)
    paths = [kernel_cache.entry_path(plain, codes, ("ptx", (8, 0))),
             kernel_cache.entry_path(plain, codes, ("ptx", (9, 0))),
             kernel_cache.entry_path(fast, codes, ("ptx", (8, 0))),
             kernel_cache.entry_path(plain, codes, ("hsaco", "gfx942", 0, 5)),
             kernel_cache.entry_path(plain, codes, ("hsaco", "gfx90a", 0, 5)),
             kernel_cache.entry_path(plain, codes, ("hsaco", "gfx942", 0, 4)),
             kernel_cache.entry_path(plain, codes, kernel_cache.CPU_TARGET)]
    assert len(set(paths)) == len(paths)
    assert [os.path.splitext(p)[1] for p in paths] == [".ptx"] * 3 + [".hsaco"] * 3 + [".so"]
    # the same function, options and target: the same entry
    again = cuda.jit(cache=True)(_saxpy)
    assert kernel_cache.entry_path(again, codes, ("ptx", (8, 0))) == paths[0]
    other_codes, _ = parse_signature("void(float64[::1], float64[::1], float64)")
    assert kernel_cache.entry_path(plain, other_codes, ("ptx", (8, 0))) != paths[0]


def test_a_truncated_ptx_entry_is_recompiled_listed_and_cleared(cache_dir):
    k = cuda.jit(cache=True)(_saxpy)
    ptx = k.inspect_ptx(SIG, cc=(8, 0))
    assert cache.stats["stores"] == 1
    (entry,) = cache_dir.rglob("*.ember.ptx")
    listed = cache.entries([str(cache_dir)])
    assert [e["qualname"] for e in listed] == ["_saxpy"]
    data = entry.read_bytes()
    tmp = entry.with_suffix(".damaged")
    tmp.write_bytes(data[: len(data) // 2])
    os.replace(tmp, entry)
    k2 = cuda.jit(cache=True)(_saxpy)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        again = k2.inspect_ptx(SIG, cc=(8, 0))
    assert any("unusable" in str(w.message) for w in caught)
    assert cache.stats["corrupt"] == 1 and cache.stats["stores"] == 2
    # compiled again (the kernel's symbol has another serial number) and replaced whole
    serial = re.compile(r"_\d+_kernel")
    assert serial.sub("_N_kernel", again) == serial.sub("_N_kernel", ptx)
    payload, meta = cache.read_record(str(entry), entry.read_bytes())
    assert payload.decode() == again and meta["kind"] == "ptx"
    assert cache.clear([str(cache_dir)]) == 1 and not list(cache_dir.rglob("*.ember.ptx"))


def test_param_kinds_mirror_the_compilers():
    from ember import _compiler
    from ember.cuda import gpu_backend
    K = _compiler.KernelParamKind
    assert [int(K.DATA), int(K.SHAPE), int(K.STRIDE), int(K.SCALAR)] == [
        gpu_backend.PARAM_DATA, gpu_backend.PARAM_SHAPE, gpu_backend.PARAM_STRIDE,
        gpu_backend.PARAM_SCALAR]


# ---- launches through the GPU backend -------------------------------------------------------

MOCK_KERNEL = """
from ember import cuda

@cuda.jit(cache=True)
def add_one(x):               # the mock driver runs its own add_one (same computation)
    i = cuda.grid(1)
    if i < x.shape[0]:
        x[i] += 1.0
"""

MOCK_LAUNCH = """
import numpy as np
from ember import cuda
from ember.cuda import backend, gpu_backend
import mock_kernels as m

_image = gpu_backend.GpuBackend._image

class Renamed:  # the kernel under the name of the mock's kernel (as test_cuda_gpu_backend_mock)
    def __init__(self, p):
        self.ptx, self.params, self.error_record = p.ptx, p.params, p.error_record
        self.messages, self.may_raise, self.symbol = p.messages, p.may_raise, "add_one"

gpu_backend.GpuBackend._image = lambda self, k, codes, t: Renamed(_image(self, k, codes, t))
x = np.arange(10, dtype=np.float64)
d = cuda.to_device(x)
m.add_one[1, 32](d)
report(backend=backend.backend.name, ok=bool(np.array_equal(d.copy_to_host(), x + 1)),
       compiles=m.add_one._compiles)
"""


@pytest.mark.skipif(not os.path.exists(MOCK), reason=f"the mock driver is not built ({MOCK})")
def test_gpu_backend_launches_from_the_cache_without_the_compiler(tmp_path):
    (tmp_path / "mock_kernels.py").write_text(textwrap.dedent(MOCK_KERNEL))
    env = {"EMBER_CUDA_DRIVER": MOCK, "EMBER_CUDA_CPU": "0"}
    first, err = run_python(MOCK_LAUNCH, tmp_path, env)
    assert first["backend"] == "gpu" and first["ok"], (first, err)
    assert first["stats"]["stores"] == 1
    second, err = run_python(MOCK_LAUNCH, tmp_path, env)
    assert second["backend"] == "gpu" and second["ok"]
    assert_all_hits(second, err, 1)


@pytest.mark.gpu
def test_cached_kernel_on_a_real_gpu(tmp_path):
    """On an NVIDIA GPU: the second process launches the kernel from cached PTX."""
    if os.environ.get("EMBER_CUDA_CPU", "") not in ("", "0"):
        pytest.skip("EMBER_CUDA_CPU is set: kernels run on the CPU path")
    from ember.cuda import gpu_backend
    if not gpu_backend.gpu_available():
        pytest.skip("no CUDA device")
    (tmp_path / "gpu_kernels.py").write_text(textwrap.dedent(GPU_KERNELS))
    code = """
        import numpy as np
        from ember import cuda
        import gpu_kernels as g
        out = np.ones(1000, np.float32)
        g.saxpy[8, 128](out, np.arange(1000, dtype=np.float32), np.float32(2.0))
        report(ok=bool(np.array_equal(out, 2.0 * np.arange(1000, dtype=np.float32) + 1.0)))
    """
    env = {"EMBER_CUDA_CPU": "0"}
    first, err = run_python(code, tmp_path, env)
    assert first["ok"] and first["stats"]["stores"] == 1, (first, err)
    second, err = run_python(code, tmp_path, env)
    assert second["ok"]
    assert_all_hits(second, err, 1)
