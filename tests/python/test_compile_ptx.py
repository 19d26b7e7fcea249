"""The CUDA code generator as the front end reaches it: ``_compiler.Session.compile_ptx``.

ember.cuda (another part of issue 9) will wrap it as ``cuda.compile_ptx`` and a kernel's
``inspect_ptx``; these tests call the binding directly with what the front end already makes
for the CPU (normalized bytecode, frozen values, type ids, the callee resolver), and check the
PTX, the kernel's flattened parameters, the error record's message table, caching, typing
errors at the user's line, and that ptxas (CUDA toolkit) assembles the PTX for sm_80 and sm_90.
No GPU is needed.

PYTEST_DONT_REWRITE: pytest's assertion rewriting would turn the ``assert`` of the kernel
k_assert below into code that builds dicts and formats strings.
"""
import functools
import glob
import math
import os
import shutil
import subprocess

import numpy as np
import pytest

import ember
from ember import _compiler
from ember.dispatcher import _resolve_callee, session
from ember.errors import TypingError
from ember.signature import parse_signature
from ember.values import freeze_function


@functools.cache
def jitted(fn):
    """fn's JitFunction: one per function, as a kernel object holds one (its handle is part of
    what a compile depends on)."""
    return ember.jit(fn)._impl


def compile_ptx(fn, argtypes, cc=(8, 0), **kwargs):
    """Compiles the Python function fn for these argument type strings."""
    impl = jitted(fn)
    s = session()
    nis = impl._normalized()
    consts, name_values, modules = freeze_function(fn, nis)
    arg_codes, _ = parse_signature("(" + ", ".join(argtypes) + ")")
    type_ids = [s.type_from_code(c) for c in arg_codes]
    return s.compile_ptx(nis, consts, name_values, modules, type_ids, impl.options.flags(),
                         functools.partial(_resolve_callee, impl), id(impl), cc, **kwargs)


def find_ptxas():
    """ptxas on PATH, else the last /usr/local/cuda*/bin/ptxas in name order, else None."""
    found = shutil.which("ptxas")
    if found:
        return found
    candidates = sorted(glob.glob("/usr/local/cuda*/bin/ptxas"), reverse=True)
    return next((c for c in candidates if os.access(c, os.X_OK)), None)


def assert_assembles(ptx, arch, tmp_path, compile_only=False):
    ptxas = find_ptxas()
    if ptxas is None:
        pytest.skip("ptxas not found (no CUDA toolkit): PTX not assembled")
    src = tmp_path / f"k_{arch}.ptx"
    src.write_text(ptx)
    cmd = [ptxas, f"-arch={arch}", str(src), "-o", str(tmp_path / f"k_{arch}.cubin")]
    if compile_only:
        cmd.insert(1, "-c")
    r = subprocess.run(cmd, capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr + "\n" + ptx


def saxpy(a, x, y, out):
    for i in range(x.shape[0]):
        out[i] = a * x[i] + y[i]


def checked_sqrt(x, out):
    if x < 0:
        raise ValueError("negative input")  # raises here
    out[0] = math.sqrt(x)


def test_kernel_has_flattened_parameters_and_global_memory(tmp_path):
    p = compile_ptx(saxpy, ["float32", "float32[:]", "float32[:]", "float32[:]"])
    assert p.arch == "sm_80"
    assert not p.device
    assert p.symbol.endswith("_kernel") and "saxpy" in p.symbol
    assert f".visible .entry {p.symbol}(" in p.ptx
    assert ".target sm_80" in p.ptx
    K = _compiler.KernelParamKind
    assert [(k, arg, axis) for k, arg, axis, _, _ in p.params] == [
        (K.SCALAR, 0, -1),
        (K.DATA, 1, -1), (K.SHAPE, 1, 0), (K.STRIDE, 1, 0),
        (K.DATA, 2, -1), (K.SHAPE, 2, 0), (K.STRIDE, 2, 0),
        (K.DATA, 3, -1), (K.SHAPE, 3, 0), (K.STRIDE, 3, 0)]
    assert [size for _, _, _, size, _ in p.params] == [4] + [8] * 9
    assert "ld.global" in p.ptx and "st.global" in p.ptx
    assert p.error_record == "ember_device_error"
    # range()'s zero-step check had a message id, but folded away: nothing writes the record.
    assert not p.may_raise
    assert "atom.global.cas" not in p.ptx
    assert_assembles(p.ptx, "sm_80", tmp_path)


@pytest.mark.parametrize("cc, arch, version", [((9, 0), "sm_90", "7.8"), ((8, 6), "sm_86", "7.1"),
                                               ((10, 0), "sm_90", "7.8")])
def test_compute_capability_picks_the_architecture(cc, arch, version, tmp_path):
    p = compile_ptx(saxpy, ["float64", "float64[:]", "float64[:]", "float64[:]"], cc)
    assert p.arch == arch
    assert f".target {arch}" in p.ptx and f".version {version}" in p.ptx
    assert_assembles(p.ptx, arch, tmp_path)


def test_sm90a(tmp_path):
    p = compile_ptx(saxpy, ["float64", "float64[:]", "float64[:]", "float64[:]"], (9, 0),
                    arch_specific=True)
    assert p.arch == "sm_90a" and ".target sm_90a" in p.ptx
    assert_assembles(p.ptx, "sm_90a", tmp_path)


def test_unsupported_capability_is_a_value_error():
    with pytest.raises(ValueError, match="compute capability 7.0 is older"):
        compile_ptx(saxpy, ["float64", "float64[:]", "float64[:]", "float64[:]"], (7, 0))
    with pytest.raises(ValueError, match="sm_90a"):
        compile_ptx(saxpy, ["float64", "float64[:]", "float64[:]", "float64[:]"], (8, 0),
                    arch_specific=True)


def test_raise_fills_the_message_table(tmp_path):
    p = compile_ptx(checked_sqrt, ["float64", "float64[:]"])
    assert p.may_raise
    assert p.messages == ["negative input"]
    assert "atom.global.cas.b32" in p.ptx
    assert ".visible .global .align 4 .b8 ember_device_error[16];" in p.ptx
    # The line of the raise is in the record's store: the kernel's source line.
    line = checked_sqrt.__code__.co_firstlineno + 2
    ir = session().ptx_llvm_ir(p, False)
    assert f"store i32 {line}, ptr addrspace(1)" in ir
    # sqrt comes from libdevice, inlined: nothing calls out.
    assert "__nv_sqrt" in ir
    assert "__nv_" not in p.ptx
    for arch in ("sm_80", "sm_90"):
        assert_assembles(compile_ptx(checked_sqrt, ["float64", "float64[:]"],
                                     (int(arch[3]), 0)).ptx, arch, tmp_path)


def test_compiles_are_cached():
    args = ["float32", "float32[:]", "float32[:]", "float32[:]"]
    assert compile_ptx(saxpy, args) is compile_ptx(saxpy, args)
    assert compile_ptx(saxpy, args) is not compile_ptx(saxpy, args, (9, 0))


def test_jitted_callee_is_compiled_into_the_kernel(tmp_path):
    @ember.jit
    def twice(v):
        return 2.0 * v

    def k(x, out):
        out[0] = twice(x[0]) + 1.0

    p = compile_ptx(k, ["float64[:]", "float64[:]"])
    assert p.ptx.count(".entry") == 1
    assert "call.uni" not in p.ptx and ".func" not in p.ptx  # inlined
    assert_assembles(compile_ptx(k, ["float64[:]", "float64[:]"], (9, 0)).ptx, "sm_90", tmp_path)


def test_device_function(tmp_path):
    def add(a, b):
        return a + b

    p = compile_ptx(add, ["int32", "int32"], device=True)
    assert p.device and p.params == []
    assert ".entry" not in p.ptx and f"{p.symbol}(" in p.ptx
    assert_assembles(p.ptx, "sm_80", tmp_path, compile_only=True)


def test_returning_a_value_is_a_typing_error_at_the_users_line():
    def k(x):
        return x + 1

    with pytest.raises(TypingError, match="a kernel returns None") as info:
        compile_ptx(k, ["int64"])
    assert info.value.line == k.__code__.co_firstlineno + 1


def test_allocation_is_a_typing_error_at_the_users_line():
    def k(n, out):
        tmp = np.zeros(n)
        out[0] = tmp[0]

    with pytest.raises(TypingError, match="CUDA kernel cannot do") as info:
        compile_ptx(k, ["int64", "float64[:]"])
    assert info.value.line == k.__code__.co_firstlineno + 1


# ---- a spread of kernel bodies, each assembled by ptxas ---------------------------------------

def k_intdiv(a, b, out):
    out[0] = a // b
    out[1] = a % b


def k_2d(a, out):
    for i in range(a.shape[0]):
        for j in range(a.shape[1]):
            out[i, j] = a[i, j] * 2 + a[j, i]


def k_pow(x, n, out):
    out[0] = x ** n
    out[1] = x ** 2.5
    out[2] = max(x, 1.0) + min(x, 2.0) + abs(x)


def k_complex(z, out):
    out[0] = abs(z) + (z ** 2).real + (z * z / (z + 1)).imag


def k_numpy_math(x, out):
    out[0] = np.sqrt(x) + np.exp(x) + np.log1p(x) + np.arctan2(x, 1.0) + np.floor(x)


def k_math(x, out):
    out[0] = (math.gamma(x) + math.lgamma(x) + math.erf(x) + math.hypot(x, 2.0)
              + math.fmod(x, 3.0) + math.copysign(1.0, x))


def k_cast(x, out):
    out[0] = np.int8(x)
    out[1] = int(x)


def k_bool(flag, a, out):
    s = 0
    for i in range(a.shape[0]):
        if flag and a[i] > 0:
            s += a[i]
    out[0] = s


def k_tuple(t, out):
    a, b = t
    out[0] = a + b


def k_assert(x, out):
    assert x > 0, "x must be positive"
    out[0] = x


def k_slice_sum(a, out):
    b = a[1:-1]
    out[0] = b.sum()


def k_shift(a, b, out):
    out[0] = a >> b
    out[1] = a << b


KERNELS = [
    (k_intdiv, ["int64", "int64", "int64[:]"], ["integer division or modulo by zero",
                                                 "integer modulo by zero"]),
    (k_intdiv, ["float32", "float32", "float32[:]"], ["float floor division by zero",
                                                       "float modulo by zero"]),
    (k_2d, ["float32[:, :]", "float32[:, :]"], []),
    (k_2d, ["int64[:, ::1]", "int64[:, :]"], []),
    (k_pow, ["float32", "int32", "float32[:]"], ["0.0 cannot be raised to a negative power"]),
    (k_complex, ["complex128", "float64[:]"], ["0.0 to a negative or complex power",
                                               "complex division by zero"]),
    (k_numpy_math, ["float32", "float32[:]"], []),
    (k_math, ["float64", "float64[:]"], []),
    (k_cast, ["float32", "int32[:]"], ["cannot convert float NaN to integer",
                                       "cannot convert float infinity to integer"]),
    (k_bool, ["boolean", "int64[:]", "int64[:]"], []),
    (k_tuple, ["UniTuple(float64, 2)", "float64[:]"], []),
    (k_assert, ["float64", "float64[:]"], ["x must be positive"]),
    (k_slice_sum, ["float64[:]", "float64[:]"], []),
    (k_shift, ["int8", "int8", "int8[:]"], ["negative shift count"]),
]


@pytest.mark.parametrize("fn, argtypes, raises", KERNELS,
                         ids=[f"{k.__name__}-{a[0]}" for k, a, _ in KERNELS])
def test_kernel_assembles(fn, argtypes, raises, tmp_path):
    for cc in ((8, 0), (9, 0)):
        p = compile_ptx(fn, argtypes, cc)
        assert p.may_raise == bool(raises)
        for message in raises:
            assert message in p.messages
        assert ".extern" not in p.ptx  # no host runtime, no libdevice call left unresolved
        assert_assembles(p.ptx, p.arch, tmp_path)
