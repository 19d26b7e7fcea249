"""Kernels compiled for AMD GPUs (ember.hip, targets/rocm/): every kernel the CPU-path kernel
tests launch, compiled to code objects for gfx90a, gfx942 and gfx1100 and read back with
``llvm-readelf-19 --notes`` (the kernel, its arguments, its LDS size, its wavefront, its
target, no undefined symbols); ``hip.compile_hsaco``'s options; a HIP kernel's inspect_asm;
the one kernel language (``ember.hip`` and ``ember.cuda`` share it); the HIP runtime's absence
reported cleanly.  No AMD GPU is needed; the structural checks need llvm-readelf-19 and skip,
saying so, where it is absent.
"""
from __future__ import annotations

import json
import math
import os
import re
import shutil
import subprocess

import numpy as np
import pytest
from conftest import KERNEL_TESTS

from ember import cuda, hip
from ember.errors import TypingError
from ember.hip import driver as hip_driver
from ember.hip.hsaco import hsaco_module

READELF = shutil.which("llvm-readelf-19") or shutil.which("llvm-readelf")
WAVEFRONT = {"gfx90a": 64, "gfx942": 64, "gfx1100": 32}
SAXPY_SIG = "void(float32, float32[:], float32[:], float32[:])"


def need_readelf():
    if READELF is None:
        pytest.skip("llvm-readelf-19 not found: code objects compiled but not read back")


def notes(paths):
    """{path: (its `llvm-readelf -h --notes --dyn-syms` text)} in one run of llvm-readelf."""
    r = subprocess.run([READELF, "-h", "--notes", "--dyn-syms", *map(str, paths)],
                       capture_output=True, text=True, check=True)
    if len(paths) == 1:
        return {str(paths[0]): r.stdout}
    out, current = {}, None
    for line in r.stdout.splitlines(keepends=True):
        if line.startswith("File: "):
            current = line[6:].strip()
            out[current] = ""
        elif current is not None:
            out[current] += line
    return out


def describe(text):
    """What the code object's metadata and symbols say, from readelf's text."""
    def field(name):
        m = re.search(rf"^\s*\.?{re.escape(name)}:\s+(\S+)", text, re.M)
        return m.group(1) if m else None
    kinds = re.findall(r"\.value_kind:\s+(\S+)", text)
    undefined = [ln for ln in text.splitlines()
                 if re.match(r"\s+[1-9]\d*:.*\bUND\b", ln)]
    return {"name": field(".name"), "target": field("amdhsa.target"),
            "wavefront": int(field(".wavefront_size") or 0),
            "lds": int(field(".group_segment_fixed_size") or 0),
            "args": [k for k in kinds if not k.startswith("hidden_")],
            "language": field(".language"),
            "abi": re.search(r"ABI Version:\s+(\d+)", text).group(1),
            "undefined": undefined,
            "dynsyms": re.findall(r"\s(\S+)\n", text.split(".dynsym")[-1])}


# ---- every kernel the CPU-path tests launch ---------------------------------------------------

def test_every_test_kernel_compiles_to_hsaco_for_three_architectures(recorded_kernels):
    """The kernel tests, run on the CPU path through ember.hip (their kernels are HIP kernels:
    EMBER_GPU=hip), pass; every kernel they launched compiles for gfx90a, gfx942 and gfx1100,
    and each code object says so."""
    r, _, hsaco_dir = recorded_kernels
    assert r.returncode == 0, r.stdout[-4000:] + r.stderr[-4000:]
    rows = json.loads((hsaco_dir / "index.json").read_text())
    failed = [f"{x['kernel']}{x['signature']} {x['arch']}: {x['error']}" for x in rows
              if "error" in x]
    assert not failed, "\n".join(failed[:10])
    assert {x["vendor"] for x in rows} == {"hip"}
    files = {os.path.basename(x["file"]) for x in rows}
    assert files >= {f for f in KERNEL_TESTS if f != "test_cuda_errors.py"}
    assert len(rows) >= 3 * 40, len(rows)
    assert {x["arch"] for x in rows} == set(WAVEFRONT)
    need_readelf()
    text = notes([x["hsaco"] for x in rows])
    bad = []
    for x in rows:
        d = describe(text[x["hsaco"]])
        where = f"{x['kernel']}{x['signature']} {x['arch']}"
        expected = {"name": x["symbol"], "target": f"amdgcn-amd-amdhsa--{x['arch']}",
                    "wavefront": WAVEFRONT[x["arch"]], "args": x["params"],
                    "undefined": [], "abi": "3"}
        got = {"name": d["name"], "target": d["target"], "wavefront": d["wavefront"],
               "args": len(d["args"]), "undefined": d["undefined"], "abi": d["abi"]}
        if got != expected:
            bad.append(f"{where}: {got} != {expected}")
        if x["shared"] and d["lds"] < x["shared"]:
            bad.append(f"{where}: LDS {d['lds']} < the {x['shared']} shared bytes")
        if d["language"] is not None:
            bad.append(f"{where}: .language {d['language']}")
    assert not bad, "\n".join(bad[:10])
    # Shared memory shows as the group segment: some kernels use it, and they have LDS.
    shared = [x for x in rows if x["shared"]]
    assert shared and all(describe(text[x["hsaco"]])["lds"] >= x["shared"] for x in shared)


# ---- compile_hsaco ------------------------------------------------------------------------------

def saxpy(a, x, y, out):
    i = cuda.grid(1)
    if i < x.shape[0]:
        out[i] = a * x[i] + y[i]


def test_compile_hsaco_returns_a_code_object_per_architecture(tmp_path):
    objects = {arch: hip.compile_hsaco(saxpy, SAXPY_SIG, arch=arch) for arch in WAVEFRONT}
    for arch, data in objects.items():
        assert isinstance(data, bytes) and data[:4] == b"\x7fELF", arch
    assert len(set(objects.values())) == 3
    need_readelf()
    paths = []
    for arch, data in objects.items():
        paths.append(tmp_path / f"{arch}.hsaco")
        paths[-1].write_bytes(data)
    text = notes(paths)
    for arch, path in zip(objects, paths):
        d = describe(text[str(path)])
        assert d["target"] == f"amdgcn-amd-amdhsa--{arch}"
        assert d["wavefront"] == WAVEFRONT[arch]
        # a, then (data, shape, stride) for each of the three arrays
        assert d["args"] == ["by_value"] + ["global_buffer", "by_value", "by_value"] * 3
        assert d["lds"] == 0 and d["undefined"] == []


def kernarg_slots(text):
    """(offset, size) of each explicit kernel argument the code object's notes declare."""
    entries = re.findall(r"\.offset:\s+(\d+)\s*\n\s*\.size:\s+(\d+)\s*\n"
                         r"(?:\s*\.\w+:[^\n]*\n)*?\s*\.value_kind:\s+(\S+)", text)
    return [(int(o), int(n)) for o, n, kind in entries if not kind.startswith("hidden_")]


def test_the_launch_layout_is_the_code_objects_kernarg_layout(tmp_path):
    """What the HIP launcher writes (ParamLayout: each flattened parameter at its natural
    alignment) is where the code object's metadata says hipModuleLaunchKernel puts each
    argument."""
    from ember import _cuda

    def k(flag, x, a, b, c, y):
        pass

    sig = "void(boolean, float32[:, :], int32, float64, float32, int16[:])"
    data = hip.compile_hsaco(k, sig, arch="gfx942")
    K = _cuda.ArgKind
    layout = _cuda.ParamLayout([(K.Bool, 1), (K.Array, 2), (K.Int, 4), (K.Float, 8),
                                (K.Float, 4), (K.Array, 1)])
    need_readelf()
    path = tmp_path / "k.hsaco"
    path.write_bytes(data)
    declared = kernarg_slots(notes([path])[str(path)])
    assert declared == [tuple(s) for s in layout.slots]
    assert len(declared) == 1 + 5 + 3 + 3


def test_compile_hsaco_wavefront_and_code_object_options(tmp_path):
    need_readelf()
    cases = {"w64": dict(arch="gfx1100", wavefront=64), "v4": dict(arch="gfx942", code_object=4),
             "w32": dict(arch="gfx1100", wavefront=32)}
    paths = []
    for name, opts in cases.items():
        paths.append(tmp_path / f"{name}.hsaco")
        paths[-1].write_bytes(hip.compile_hsaco(saxpy, SAXPY_SIG, **opts))
    text = notes(paths)
    d = {name: describe(text[str(p)]) for name, p in zip(cases, paths)}
    assert d["w64"]["wavefront"] == 64 and d["w32"]["wavefront"] == 32
    assert d["v4"]["abi"] == "2" and d["w64"]["abi"] == "3"  # ELF ABI version: COv4 2, COv5 3


def test_compile_hsaco_rejects_bad_arguments():
    with pytest.raises(ValueError, match="not an AMD GPU architecture"):
        hip.compile_hsaco(saxpy, SAXPY_SIG, arch="gfx9999")
    with pytest.raises(ValueError, match="64-wide wavefronts only"):
        hip.compile_hsaco(saxpy, SAXPY_SIG, arch="gfx90a", wavefront=32)
    with pytest.raises(ValueError, match="code_object is 4 or 5"):
        hip.compile_hsaco(saxpy, SAXPY_SIG, code_object=3)
    with pytest.raises(TypingError, match="has 1 arguments"):
        hip.compile_hsaco(saxpy, "void(float32)")
    with pytest.raises(TypingError, match="returns void"):
        hip.compile_hsaco(saxpy, "float32" + SAXPY_SIG[4:])


def test_math_raise_and_shared_memory_link_completely(tmp_path):
    """ocml functions of both widths, fmod for %, a raise (the error record), static and
    dynamic shared memory and the barrier reductions (ockl) leave no undefined symbol."""
    def k(x, out):
        tile = cuda.shared.array(128, np.float64)
        dyn = cuda.shared.array(0, np.float32)
        t = cuda.threadIdx.x
        i = cuda.grid(1)
        tile[t] = math.exp(x[i]) + math.sin(x[i]) ** 1.5 + math.atan2(x[i], 2.0) + x[i] % 3.0
        dyn[t] = math.log1p(np.float32(x[i]))
        n = cuda.syncthreads_count(x[i] > 0)
        if n > 1000:
            raise ValueError("too many positives")
        out[i] = tile[(t + 1) % 128] + dyn[t] + cuda.syncthreads_or(t == 0)

    data = hip.compile_hsaco(k, "void(float64[:], float64[:])", arch="gfx942")
    need_readelf()
    path = tmp_path / "k.hsaco"
    path.write_bytes(data)
    d = describe(notes([path])[str(path)])
    assert d["undefined"] == [] and d["language"] is None
    assert d["lds"] >= 128 * 8
    assert "ember_device_error" in d["dynsyms"]
    nm = shutil.which("llvm-nm-19") or shutil.which("llvm-nm")
    if nm:
        assert subprocess.run([nm, "-u", str(path)], capture_output=True, text=True,
                              check=True).stdout.strip() == ""


# ---- the kernel language on AMD ------------------------------------------------------------

def votes(out):
    i = cuda.grid(1)
    out[i, 0] = cuda.ballot_sync(0xFFFFFFFF, i % 2 == 0)
    out[i, 1] = cuda.activemask()
    out[i, 2] = cuda.lanemask_lt()
    out[i, 3] = cuda.laneid + cuda.warpsize
    out[i, 4] = cuda.shfl_down_sync(0xFFFFFFFF, i, 1)


def test_lane_masks_are_as_wide_as_the_wavefront():
    t = hip.jit(votes)
    from ember.dispatcher import session
    s = session()
    tid = (s.type_from_code(_codes("int64[:, :]")),)
    ir64 = s.hsaco_llvm_ir(hsaco_module(t, tid, "gfx942"), True)
    ir32 = s.hsaco_llvm_ir(hsaco_module(t, tid, "gfx1100"), True)
    assert "llvm.amdgcn.ballot.i64" in ir64 and "llvm.amdgcn.ballot.i32" in ir32
    assert "llvm.amdgcn.mbcnt.hi" in ir64 and "llvm.amdgcn.mbcnt.hi" not in ir32
    assert "ds.bpermute" in ir64


def _codes(sig):
    from ember.signature import parse_signature
    codes, _ = parse_signature(f"({sig})")
    return codes[0]


def test_hsaco_is_cached_per_signature_and_architecture():
    k = hip.jit(saxpy)
    from ember.dispatcher import session
    s = session()
    tids = tuple(s.type_from_code(_codes(t)) for t in
                 ("float32", "float32[:]", "float32[:]", "float32[:]"))
    a = hsaco_module(k, tids, "gfx942")
    assert hsaco_module(k, tids, "gfx942") is a
    assert hsaco_module(k, tids, "gfx90a") is not a
    assert hsaco_module(k, tids, "gfx942", code_object=4) is not a


def test_inspect_asm_of_a_hip_kernel_is_amdgcn():
    k = hip.jit(SAXPY_SIG)(saxpy)
    asm = k.inspect_asm(SAXPY_SIG)
    assert ".amdgcn_target" in asm and "gfx942" in asm
    assert "s_endpgm" in asm and "global_load" in asm
    assert "gfx1100" in k.inspect_asm(SAXPY_SIG, arch="gfx1100")
    assert repr(k).startswith("<ember.hip kernel")


def test_a_cuda_kernel_is_a_hip_kernel_with_ember_gpu_hip(monkeypatch):
    monkeypatch.setenv("EMBER_GPU", "hip")
    k = cuda.jit(saxpy)
    assert k.vendor == "hip" and "s_endpgm" in k.inspect_asm(SAXPY_SIG)
    monkeypatch.setenv("EMBER_GPU", "cuda")
    assert cuda.jit(saxpy).vendor == "cuda"
    monkeypatch.setenv("EMBER_GPU", "rocm")
    with pytest.raises(ValueError, match="EMBER_GPU"):
        cuda.jit(saxpy)


def test_one_kernel_language_and_the_cpu_path():
    for name in ("threadIdx", "syncthreads", "shared", "atomic", "shfl_sync", "random",
                 "to_device", "device_array", "stream", "event", "grid", "local"):
        assert getattr(hip, name) is getattr(cuda, name), name
    k = hip.jit(saxpy)
    x = np.arange(300, dtype=np.float32)
    y = np.ones(300, np.float32)
    out = hip.device_array(300, np.float32)
    k[3, 128](np.float32(2.0), hip.to_device(x), y, out)
    np.testing.assert_array_equal(out.copy_to_host(), 2 * x + y)


# ---- the HIP runtime ------------------------------------------------------------------------

def test_a_missing_hip_runtime_is_a_clean_error():
    from ember import _cuda
    d = _cuda.Driver("/nonexistent/libamdhip64.so", vendor="hip")
    assert not d.available() and "EMBER_HIP_LIBRARY" in d.reason()
    with pytest.raises(hip.HipRuntimeNotFound, match="/nonexistent/libamdhip64.so") as info:
        d.device_count()
    assert info.value.call == "dlopen" and isinstance(info.value, hip.HipError)


def test_gfx_names_of_kfd_target_versions():
    assert hip_driver.gfx_arch_of_target_version(90010) == "gfx90a"
    assert hip_driver.gfx_arch_of_target_version(90402) == "gfx942"
    assert hip_driver.gfx_arch_of_target_version(110000) == "gfx1100"


def test_detect_says_where_kernels_run(capsys):
    assert hip.detect() is True and hip.is_available() is True
    out = capsys.readouterr().out
    assert out.startswith("ember.hip: ")
    if not hip_driver.hip_available():
        assert "kernels run natively on the CPU" in out


# ---- on an AMD GPU --------------------------------------------------------------------------

def need_amd_gpu():
    if not hip_driver.hip_available():
        pytest.skip(f"no AMD GPU: {hip_driver.why_unavailable()}")


@pytest.mark.gpu
def test_saxpy_on_an_amd_gpu(monkeypatch):
    need_amd_gpu()
    monkeypatch.delenv("EMBER_CUDA_CPU", raising=False)
    monkeypatch.delenv("EMBER_HIP_CPU", raising=False)
    k = hip.jit(saxpy)
    x = np.arange(1000, dtype=np.float32)
    y = np.ones(1000, np.float32)
    out = np.zeros(1000, np.float32)
    k[8, 128](np.float32(3.0), x, y, out)
    np.testing.assert_array_equal(out, 3 * x + y)


@pytest.mark.gpu
def test_a_raise_on_an_amd_gpu(monkeypatch):
    need_amd_gpu()
    monkeypatch.delenv("EMBER_CUDA_CPU", raising=False)
    monkeypatch.delenv("EMBER_HIP_CPU", raising=False)

    @hip.jit
    def check(x):
        i = cuda.grid(1)
        if i < x.shape[0] and x[i] < 0:
            raise ValueError("negative")

    check[1, 64](np.ones(64))
    with pytest.raises(ValueError, match="negative"):
        check[1, 64](-np.ones(64))
