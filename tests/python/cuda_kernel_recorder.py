"""A pytest plugin (``-p cuda_kernel_recorder``) that records every kernel the CPU-path tests
compile and, when the session ends, compiles each one to PTX for sm_80 and sm_90 with
``cuda.compile_ptx``'s machinery (ember/cuda/ptx.py), and, when $EMBER_HSACO_OUT is set, to
AMDGPU code objects for gfx90a, gfx942 and gfx1100 (ember/hip/hsaco.py).

test_cuda_ptx.py runs the kernel tests (test_cuda_atomics.py, test_cuda_shared.py, ...) under
it in a subprocess: whatever kernels those tests launch, with whatever argument types, is what
gets compiled for the GPU, so a new test kernel is covered without being listed anywhere.  The
PTX files and a JSON index go to $EMBER_PTX_OUT: [{"kernel", "file", "signature", "arch",
"ptx" (a path) or "error" (the exception)}].  The code objects and their index go to
$EMBER_HSACO_OUT: [{"kernel", "file", "signature", "arch", "hsaco" (a path), "symbol",
"params" (how many), "shared" (static shared bytes) or "error"}].
"""
from __future__ import annotations

import json
import os

_recorded = []


def pytest_configure(config):
    from ember.cuda import kernel as kernel_module

    original = kernel_module.Kernel.compile_types

    def compile_types(self, type_ids):
        spec = original(self, type_ids)
        _recorded.append((self, tuple(type_ids)))
        return spec

    kernel_module.Kernel.compile_types = compile_types


def pytest_sessionfinish(session, exitstatus):
    out_dir = os.environ.get("EMBER_PTX_OUT")
    if not out_dir:
        return
    from ember.cuda.ptx import ptx_module
    from ember.dispatcher import session as compiler_session
    s = compiler_session()
    index, seen = [], set()
    for kernel, type_ids in _recorded:
        key = (id(kernel), type_ids)
        if key in seen:
            continue
        seen.add(key)
        signature = "(" + ", ".join(s.type_str(t) for t in type_ids) + ")"
        for cc in ((8, 0), (9, 0)):
            row = {"kernel": kernel.__qualname__,
                   "file": kernel.py_func.__code__.co_filename,
                   "signature": signature, "arch": f"sm_{cc[0]}{cc[1]}"}
            try:
                p = ptx_module(kernel, type_ids, cc)
                path = os.path.join(out_dir, f"k{len(index)}.ptx")
                with open(path, "w") as f:
                    f.write(p.ptx)
                row["ptx"] = path
            except Exception as exc:  # noqa: BLE001 - reported, and failed, by the test
                row["error"] = f"{type(exc).__name__}: {exc}"
            index.append(row)
    with open(os.path.join(out_dir, "index.json"), "w") as f:
        json.dump(index, f)
    hsaco_dir = os.environ.get("EMBER_HSACO_OUT")
    if hsaco_dir:
        _write_hsacos(hsaco_dir)


HSACO_ARCHES = ("gfx90a", "gfx942", "gfx1100")


def _write_hsacos(out_dir):
    from ember.dispatcher import session as compiler_session
    from ember.hip.hsaco import hsaco_module
    s = compiler_session()
    index, seen = [], set()
    for kernel, type_ids in _recorded:
        if (id(kernel), type_ids) in seen:
            continue
        seen.add((id(kernel), type_ids))
        signature = "(" + ", ".join(s.type_str(t) for t in type_ids) + ")"
        for arch in HSACO_ARCHES:
            row = {"kernel": kernel.__qualname__, "file": kernel.py_func.__code__.co_filename,
                   "signature": signature, "arch": arch}
            try:
                h = hsaco_module(kernel, type_ids, arch)
                path = os.path.join(out_dir, f"k{len(index)}.hsaco")
                with open(path, "wb") as f:
                    f.write(h.hsaco)
                row.update(hsaco=path, symbol=h.symbol, params=len(h.params),
                           shared=h.static_shared_bytes, vendor=kernel.vendor)
            except Exception as exc:  # noqa: BLE001 - reported, and failed, by the test
                row["error"] = f"{type(exc).__name__}: {exc}"
            index.append(row)
    with open(os.path.join(out_dir, "index.json"), "w") as f:
        json.dump(index, f)
