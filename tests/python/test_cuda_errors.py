"""Errors of CUDA kernels on the CPU path: raise and assert inside a kernel reach the host as that
exception with the kernel's line, block and thread; host-only features in a kernel (allocation,
np.sort, np.random, prange), a kernel returning a value and the kernel language outside a
kernel are TypingErrors naming the user's line."""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import ember
from ember import cuda
from ember.errors import TypingError


def line_of(fn, marker):
    lines, first = __import__("inspect").getsourcelines(fn.py_func)
    return first + next(k for k, text in enumerate(lines) if marker in text)


@cuda.jit
def raises_at(x, bad):
    i = cuda.grid(1)
    if i == bad:
        raise ValueError("bad element")  # raise here
    x[i] = 1


def test_raise_in_a_kernel_names_line_block_and_thread():
    with pytest.raises(ValueError, match="bad element") as info:
        raises_at[2, 32](np.zeros(64), 37)
    msg = str(info.value)
    assert f"line {line_of(raises_at, '# raise here')}" in msg
    assert "block (1, 0, 0)" in msg and "thread (5, 0, 0)" in msg
    x = np.zeros(64)
    raises_at[2, 32](x, -1)  # the next launch runs normally
    assert x.all()


def test_assert_in_a_kernel():
    # Defined outside this module: pytest rewrites the asserts of test modules.
    ns = {"cuda": cuda}
    exec(compile(textwrap.dedent("""\
        @cuda.jit
        def asserts(x):
            i = cuda.grid(1)
            assert x[i] < 5, "too big"
        """), "<asserting kernel>", "exec"), ns)
    asserts = ns["asserts"]
    with pytest.raises(AssertionError, match="too big"):
        asserts[1, 10](np.arange(10.0))
    asserts[1, 5](np.arange(10.0))


@cuda.jit
def raise_between_barriers(x):
    buf = cuda.shared.array(32, np.float64)
    buf[cuda.threadIdx.x] = 1
    cuda.syncthreads()
    if cuda.threadIdx.x == x.shape[0]:
        raise IndexError("oops")
    cuda.syncthreads()
    x[0] = buf[1]


def test_raise_in_a_synchronizing_kernel_does_not_deadlock():
    with pytest.raises(IndexError, match="oops"):
        raise_between_barriers[1, 32](np.zeros(3))
    x = np.zeros(40)
    raise_between_barriers[1, 32](x)
    assert x[0] == 1


HOST_ONLY = [
    ("y = np.zeros(3)", "np.zeros"),
    ("y = np.sort(x)", "np.sort"),
    ("y = x.copy()", "allocates"),
    ("y = np.random.random()", "np.random.random"),
    ("y = x + x", "allocates"),
]


@pytest.mark.parametrize("stmt,what", HOST_ONLY)
def test_host_only_features_in_a_kernel_are_typing_errors(tmp_path, stmt, what):
    src = textwrap.dedent(f"""\
        import numpy as np
        from ember import cuda

        @cuda.jit
        def k(x):
            {stmt}
            x[0] = 1
        """)
    path = tmp_path / "kernel_mod.py"
    path.write_text(src)
    ns = {"__name__": "kernel_mod"}
    exec(compile(src, str(path), "exec"), ns)
    with pytest.raises(TypingError, match=what) as info:
        ns["k"][1, 1](np.zeros(3))
    assert "CUDA kernel" in str(info.value)
    assert f'File "{path}", line 6' in str(info.value)


@cuda.jit
def uses_prange(x):
    for i in ember.prange(3):  # prange here
        x[i] = 1


def test_prange_in_a_kernel_is_a_typing_error():
    with pytest.raises(TypingError, match="prange") as info:
        uses_prange[1, 1](np.zeros(3))
    assert f"line {line_of(uses_prange, '# prange here')}" in str(info.value)


@cuda.jit
def returns_value(x):
    return 1  # return here


def test_a_kernel_returning_a_value_is_a_typing_error():
    with pytest.raises(TypingError, match="returns None") as info:
        returns_value[1, 1](np.zeros(3))
    assert f"line {line_of(returns_value, '# return here')}" in str(info.value)


@ember.jit
def host_uses_syncthreads(x):
    cuda.syncthreads()  # host here


def test_kernel_language_outside_a_kernel_is_a_typing_error():
    with pytest.raises(TypingError, match="syncthreads") as info:
        host_uses_syncthreads(np.zeros(3))
    assert f"line {line_of(host_uses_syncthreads, '# host here')}" in str(info.value)
    with pytest.raises(RuntimeError, match="inside a kernel"):
        cuda.syncthreads()
    with pytest.raises(RuntimeError, match="inside a kernel"):
        cuda.threadIdx.x  # noqa: B018 - reading it raises


@cuda.jit(device=True)
def dev_add(a, b):
    return a + b


@ember.jit
def host_calls_device_function(a):
    return dev_add(a, 1)  # call here


def test_host_code_calling_a_device_function_is_a_typing_error():
    with pytest.raises(TypingError, match="device function"):
        host_calls_device_function(1)


def test_bad_argument_types_and_counts():
    @cuda.jit
    def k(x):
        x[0] = 1

    with pytest.raises(TypeError, match="takes 1 arguments"):
        k[1, 1](np.zeros(3), 2)
    with pytest.raises(TypingError, match="argument 'x'"):
        k[1, 1](object())


def test_loop_mode_and_fiber_mode_agree():
    # EMBER_CUDA_CPU_MODE=fibers runs barrier-free kernels as fibers too (read once per process).
    script = textwrap.dedent("""\
        import numpy as np
        from ember import cuda

        @cuda.jit
        def k(x, out, bad):
            i = cuda.grid(1)
            if i < x.shape[0]:
                out[i] = x[i] * 2 + cuda.threadIdx.x
            if i == bad:
                raise KeyError("k")

        x = np.arange(100.0)
        out = np.zeros(100)
        try:
            k[4, 32](x, out, 70)
        except KeyError as e:
            print("raised", "thread (6, 0, 0)" in str(e))
        out[:] = 0
        k[4, 32](x[:60], out, -1)
        print(repr(out.tolist()))
        """)
    results = []
    for mode in ("", "fibers"):
        env = dict(os.environ, EMBER_CUDA_CPU_MODE=mode)
        run = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True,
                             text=True, check=True)
        results.append(run.stdout.splitlines())
    assert results[0] == results[1]
    assert results[0][0] == "raised True"
    expected = np.zeros(100)
    expected[:60] = np.arange(60.0) * 2 + np.arange(60) % 32
    assert eval(results[0][1]) == expected.tolist()
