"""The CUDA host layer (ember._cuda) without a GPU.

What runs everywhere: the clean failure when libcuda.so.1 is missing, the toolkit's stub library
(every call answers CUDA_ERROR_STUB_LIBRARY, named from ember's own table since the stub's
cuGetErrorName fails too), CudaDriverError's fields, ember's enum values and error names
against the installed cuda.h, the kernel parameter layouts and the conversion of Python values
into them (the code every launch runs), the hand-written test kernels assembled by ptxas with
their parameter offsets read back from the cubin, and that `import ember` does not load the
binding.  What needs a device is in test_cuda_gpu_driver.py.
"""
from __future__ import annotations

import glob
import os
import re
import shutil
import struct
import subprocess
import sys
import textwrap

import numpy as np
import pytest
from cuda_ptx_samples import KERNELS_PTX, LAYOUTS

from ember import _cuda
from ember.errors import CudaDriverError

A = _cuda.ArgKind

CUDA_H = next(iter(sorted(glob.glob("/usr/local/cuda*/include/cuda.h"))), None)
STUB = next(iter(sorted(glob.glob("/usr/local/cuda*/lib64/stubs/libcuda.so"))), None)
PTXAS = shutil.which("ptxas") or next(iter(sorted(glob.glob("/usr/local/cuda*/bin/ptxas"))), None)
STUB_REASON = ("cuInit failed: CUDA_ERROR_STUB_LIBRARY (34): loaded the toolkit's link stub, "
               "not a real driver")

needs_stub = pytest.mark.skipif(STUB is None, reason="the CUDA toolkit's stubs/libcuda.so is "
                                "not installed")
needs_cuda_h = pytest.mark.skipif(CUDA_H is None, reason="the CUDA toolkit's cuda.h is not "
                                  "installed")
needs_ptxas = pytest.mark.skipif(PTXAS is None, reason="ptxas (CUDA toolkit) is not installed")


def run_python(code: str, **env) -> str:
    """Runs code in a fresh interpreter (the process driver reads EMBER_CUDA_DRIVER once)."""
    full_env = dict(os.environ, **env)
    out = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], env=full_env,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    return out.stdout


# ---- loading ------------------------------------------------------------------------------------

def test_import_ember_does_not_load_the_cuda_binding():
    out = run_python("""
        import sys, ember, ember.errors, ember.cuda_interop
        print('ember._cuda' in sys.modules)
    """)
    assert out.strip() == "False"


def test_the_default_library_is_the_driver_soname():
    # never "libcuda.so": on a machine with only the toolkit, that name is the stub
    assert _cuda.DEFAULT_LIBRARY == "libcuda.so.1"


def test_missing_library_is_unavailable_with_a_reason():
    out = run_python("""
        from ember import _cuda
        from ember.errors import CudaDriverError
        d = _cuda.Driver()
        print(d.library)
        print(d.available())
        print(d.reason())
        report = d.detect()
        print(report['available'], report['devices'], report['reason'] == d.reason())
        try:
            d.alloc(16)
        except CudaDriverError as e:
            print(e.call, e.code, e.name, str(e) == d.reason())
    """, EMBER_CUDA_DRIVER="/nonexistent/ember-test/libcuda.so.1")
    library, available, reason, report, error = out.splitlines()
    assert library == "/nonexistent/ember-test/libcuda.so.1"
    assert available == "False"
    assert reason.startswith("CUDA driver library not found (/nonexistent/ember-test/libcuda.so.1")
    assert "install the NVIDIA driver" in reason
    assert report == "False [] True"
    assert error == "dlopen None None True"


def test_every_call_of_an_unavailable_driver_raises_cuda_driver_error():
    d = _cuda.Driver("/nonexistent/ember-test/libcuda.so.1")
    calls = [d.version, d.device_count, d.devices, d.synchronize, lambda: d.select(0),
             lambda: d.alloc(8), lambda: d.alloc_pinned(8), d.stream_create, d.event_create,
             lambda: d.load_module(KERNELS_PTX), d.memory_info]
    for call in calls:
        with pytest.raises(CudaDriverError, match="CUDA driver library not found") as info:
            call()
        assert info.value.call == "dlopen"
        assert isinstance(info.value, RuntimeError)


def test_a_library_that_is_not_a_driver():
    d = _cuda.Driver("libm.so.6")
    assert not d.available()
    assert "lacks the driver function cuInit" in d.reason()
    with pytest.raises(CudaDriverError) as info:
        d.version()
    assert info.value.call == "dlsym"


@needs_stub
def test_stub_library_through_the_environment():
    out = run_python("""
        from ember import _cuda
        from ember.errors import CudaDriverError
        d = _cuda.Driver()
        print(d.available())
        print(d.reason())
        try:
            d.version()
        except CudaDriverError as e:
            print(e.call, e.code, e.name)
            print(e)
    """, EMBER_CUDA_DRIVER=STUB)
    available, reason, fields, message = out.splitlines()
    assert available == "False"
    assert reason == STUB_REASON
    assert fields == "cuInit 34 CUDA_ERROR_STUB_LIBRARY"
    assert message == STUB_REASON


@needs_stub
def test_stub_library_fails_every_call_with_cuinit_s_error():
    d = _cuda.Driver(STUB)
    assert d.library == STUB
    assert not d.available()
    assert d.reason() == STUB_REASON
    report = d.detect()
    assert report == {"available": False, "library": STUB, "reason": STUB_REASON, "version": 0,
                      "devices": []}
    for call in (d.device_count, lambda: d.alloc(1024), d.stream_create,
                 lambda: d.load_module(KERNELS_PTX)):
        with pytest.raises(CudaDriverError) as info:
            call()
        assert (info.value.call, info.value.code, info.value.name) == \
            ("cuInit", 34, "CUDA_ERROR_STUB_LIBRARY")


def test_cuda_driver_error_fields():
    e = CudaDriverError("cuMemAlloc_v2 failed: CUDA_ERROR_OUT_OF_MEMORY (2): out of memory",
                        "cuMemAlloc_v2", 2, "CUDA_ERROR_OUT_OF_MEMORY")
    assert isinstance(e, RuntimeError)
    assert (e.call, e.code, e.name) == ("cuMemAlloc_v2", 2, "CUDA_ERROR_OUT_OF_MEMORY")


# ---- error names and enum values against the toolkit's header ----------------------------------

def test_error_message_format():
    assert _cuda.format_error("cuMemAlloc_v2", 2, "CUDA_ERROR_OUT_OF_MEMORY", "out of memory") == \
        "cuMemAlloc_v2 failed: CUDA_ERROR_OUT_OF_MEMORY (2): out of memory"
    assert _cuda.format_error("cuInit", 4242, "", "") == "cuInit failed: CUDA error (4242)"
    assert _cuda.fallback_error_name(34) == "CUDA_ERROR_STUB_LIBRARY"
    assert _cuda.fallback_error_name(4242) is None
    assert _cuda.fallback_error_text(2) == "out of memory"


def _cuda_h_enum(name: str) -> dict[str, int]:
    text = open(CUDA_H).read()
    body = re.search(r"typedef enum " + name + r"\s*\{(.*?)\}", text, re.S).group(1)
    values = {}
    for m in re.finditer(r"^\s*([A-Z][A-Z0-9_]+)\s*=\s*(0x[0-9a-fA-F]+|\d+)", body, re.M):
        values[m.group(1)] = int(m.group(2), 0)
    return values


@needs_cuda_h
def test_fallback_names_cover_every_cuda_h_error():
    errors = _cuda_h_enum("cudaError_enum")
    assert len(errors) > 90
    for name, code in errors.items():
        assert _cuda.fallback_error_name(code) == name, (name, code)


@needs_cuda_h
def test_constants_match_cuda_h():
    text = open(CUDA_H).read()
    enums = {}
    for enum in ("cudaError_enum", "CUdevice_attribute_enum", "CUfunction_attribute_enum",
                 "CUjit_option_enum", "CUstream_flags_enum", "CUevent_flags_enum"):
        enums.update(_cuda_h_enum(enum))
    for m in re.finditer(r"#define\s+(CU_[A-Z_]+)\s+(?:\(\(CUstream\))?(0x[0-9a-fA-F]+|\d+)", text):
        enums.setdefault(m.group(1), int(m.group(2), 0))
    constants = _cuda.constants()
    assert len(constants) > 40
    for name, value in constants.items():
        assert name in enums, f"{name} is not in cuda.h"
        assert enums[name] == value, (name, value, enums[name])


# ---- parameter layouts --------------------------------------------------------------------------

def layout(specs):
    return _cuda.ParamLayout([(getattr(A, kind), n) for kind, n in specs])


def test_layouts_of_several_signatures():
    assert layout([("Array", 1)]).slots == [(0, 8), (8, 8), (16, 8)]
    assert layout([]).slots == [] and layout([]).buffer_size == 0
    l3 = layout([("Array", 3), ("Int", 8)])
    assert l3.param_count == 8
    assert l3.slots[-1] == (56, 8) and l3.buffer_size == 64
    mixed = layout([("Bool", 1), ("Float", 8), ("Float", 2), ("Complex", 8), ("Int", 2),
                    ("Pointer", 8), ("UInt", 4)])
    assert mixed.slots == [(0, 1), (8, 8), (16, 2), (20, 8), (28, 2), (32, 8), (40, 4)]
    assert mixed.buffer_size == 44
    assert mixed.describe() == "(bool(1), float(8), float(2), complex(8), int(2), pointer, uint(4))"


def test_bad_layouts_raise_value_error():
    with pytest.raises(ValueError, match="kernel argument 0: 3 bytes is not a size of int"):
        layout([("Int", 3)])
    with pytest.raises(ValueError, match="65 dimensions"):
        layout([("Array", 65)])
    with pytest.raises(TypeError, match="ArgKind"):
        _cuda.ParamLayout([("int", 4)])


def test_pack_writes_every_kind_where_the_layout_says():
    lay = layout([("Array", 2), ("Int", 4), ("UInt", 1), ("Bool", 1), ("Float", 4),
                  ("Float", 8), ("Complex", 16), ("Pointer", 8), ("Int", 8)])
    blob = lay.pack((0x7000, (3, 4), (32, 8)), -5, 200, True, 0.5, -2.25, 1 + 2j, 0xABC,
                    np.int64(-(2**40)))
    assert len(blob) == lay.buffer_size
    slots = lay.slots
    at = lambda i, fmt: struct.unpack_from(fmt, blob, slots[i][0])[0]  # noqa: E731
    assert [at(i, "<Q") for i in range(5)] == [0x7000, 3, 4, 32, 8]
    assert at(5, "<i") == -5
    assert at(6, "<B") == 200
    assert at(7, "<B") == 1
    assert at(8, "<f") == 0.5
    assert at(9, "<d") == -2.25
    assert struct.unpack_from("<dd", blob, slots[10][0]) == (1.0, 2.0)
    assert at(11, "<Q") == 0xABC
    assert at(12, "<q") == -(2**40)


def test_pack_float16_matches_numpy():
    lay = layout([("Float", 2)])
    rng = np.random.default_rng(7)
    values = np.concatenate([rng.standard_normal(2000) * 10.0 ** rng.integers(-9, 6, 2000),
                             [0.0, -0.0, 65504.0, 65519.99, 65520.0, 1e9, -1e9, 2.0**-24,
                              2.0**-25, 1.5 * 2.0**-25, 1 + 2.0**-11, 1 + 3 * 2.0**-11,
                              np.inf, -np.inf]])
    with np.errstate(over="ignore"):  # NumPy warns where a value rounds to infinity
        expected = values.astype(np.float16).view(np.uint16)
    for v, bits in zip(values, expected):
        got = struct.unpack("<H", lay.pack(float(v)))[0]
        assert got == int(bits), v
    assert struct.unpack("<H", lay.pack(float("nan")))[0] & 0x7C00 == 0x7C00


def test_pack_takes_every_kind_of_array():
    lay = layout([("Array", 1), ("Array", 1), ("Array", 1)])

    class Producer:
        __cuda_array_interface__ = {"shape": (6,), "strides": None, "typestr": "<f4",
                                    "data": (0xC0000, False), "version": 3}

    da = _cuda.DeviceArray(0xD0000, (5,), (16,), "<f8")
    blob = lay.pack((0xB0000, 4, 8), Producer(), da)
    words = struct.unpack("<9Q", blob)
    assert words == (0xB0000, 4, 8, 0xC0000, 6, 4, 0xD0000, 5, 16)


def test_pack_errors_name_the_argument():
    lay = layout([("Array", 1), ("Int", 1), ("UInt", 4), ("Float", 8)])
    ok = (0x1000, (1,), (8,))
    with pytest.raises(TypeError, match="takes 4 arguments .3 given."):
        lay.pack(ok, 1, 2)
    with pytest.raises(TypeError, match=r"argument 0: expected a device array .* not numpy"):
        lay.pack(np.zeros(3), 1, 2, 3.0)
    with pytest.raises(TypeError, match="argument 0: a 2-dimensional array where the kernel "
                       "takes 1 dimensions"):
        lay.pack(_cuda.DeviceArray(0x1000, (2, 2), None, "<f8"), 1, 2, 3.0)
    with pytest.raises(OverflowError, match="argument 1: 300 does not fit a 8-bit signed"):
        lay.pack(ok, 300, 2, 3.0)
    with pytest.raises(OverflowError, match="argument 2"):
        lay.pack(ok, 1, -1, 3.0)
    with pytest.raises(OverflowError, match="argument 2: 4294967296 does not fit a 32-bit"):
        lay.pack(ok, 1, 2**32, 3.0)
    with pytest.raises(TypeError, match="argument 1"):
        lay.pack(ok, 1.5, 2, 3.0)
    with pytest.raises(TypeError, match="argument 3"):
        lay.pack(ok, 1, 2, "x")


def test_launcher_and_launch_arguments_are_checked_before_the_driver():
    with pytest.raises(TypeError, match="expected a Function"):
        _cuda.KernelLauncher(object(), [])
    d = _cuda.Driver("/nonexistent/ember-test/libcuda.so.1")
    with pytest.raises(TypeError):
        d.launch(object(), 1, 1)


# ---- the test kernels, assembled ----------------------------------------------------------------

def _kernel_params_from_cubin(path: str) -> dict[str, list[tuple[int, int]]]:
    """(offset, size) of each kernel parameter, from the cubin's .nv.info.<kernel> sections:
    EIATTR_KPARAM_INFO records (attribute 0x17: index u32, ordinal u16, offset u16, then a u32
    whose top 14 bits are the size).  The record layout is NVIDIA's undocumented ELF format, as
    cuobjdump -elf prints it; the test skips if it does not parse."""
    data = open(path, "rb").read()
    shoff = struct.unpack_from("<Q", data, 0x28)[0]
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", data, 0x3A)
    sections = [struct.unpack_from("<IIQQQQ", data, shoff + i * shentsize) for i in range(shnum)]
    strtab = sections[shstrndx][4]

    def name_of(offset):
        start = strtab + offset
        return data[start:data.index(b"\0", start)].decode()

    kernels = {}
    for name, _type, _flags, _addr, off, size in sections:
        section = name_of(name)
        if not section.startswith(".nv.info."):
            continue
        params, p = [], off
        while p < off + size:
            fmt, attr = data[p], data[p + 1]
            if fmt == 4:  # EIFMT_SVAL: u16 length, payload
                length = struct.unpack_from("<H", data, p + 2)[0]
                if attr == 0x17:
                    _index, ordinal, offset, bits = struct.unpack_from("<IHHI", data, p + 4)
                    params.append((ordinal, offset, bits >> 18))
                p += 4 + length
            else:  # EIFMT_NVAL, _BVAL, _HVAL: 4 bytes, the value (if any) in the last two
                p += 4
        kernels[section[len(".nv.info."):]] = [(o, s) for _, o, s in sorted(params)]
    return kernels


@needs_ptxas
@pytest.mark.parametrize("arch", ["sm_80", "sm_90"])
def test_test_kernels_assemble_and_their_parameters_sit_where_ember_puts_them(tmp_path, arch):
    ptx = tmp_path / "kernels.ptx"
    cubin = tmp_path / "kernels.cubin"
    ptx.write_text(KERNELS_PTX)
    out = subprocess.run([PTXAS, f"-arch={arch}", str(ptx), "-o", str(cubin)],
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    try:
        params = _kernel_params_from_cubin(str(cubin))
    except (struct.error, ValueError, IndexError) as e:
        pytest.skip(f"the cubin's parameter records did not parse ({e})")
    assert set(LAYOUTS) <= set(params)
    for kernel, specs in LAYOUTS.items():
        assert params[kernel] == [tuple(s) for s in layout(specs).slots], kernel
