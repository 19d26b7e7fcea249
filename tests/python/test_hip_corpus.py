"""Every cuda-tagged case of the shared corpus (../shared/cases) compiled for gfx942: each case
runs once on the CPU path (which compiles its kernels for the argument types it launches them
with), then each of those kernels is compiled to an AMDGPU code object.
"""
from __future__ import annotations

import ast
import glob
import importlib.util
import os
import sys

import numpy as np
import pytest

from ember.cuda.kernel import Kernel
from ember.hip.hsaco import hsaco_module

CASES = os.path.normpath(os.path.join(os.path.dirname(__file__), "..", "..", "..", "shared",
                                      "cases"))


def cuda_cases():
    out = []
    for path in sorted(glob.glob(os.path.join(CASES, "*.py"))):
        tree = ast.parse(open(path).read())
        for node in tree.body:
            if (isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "TAGS"
                                                     for t in node.targets)):
                if "cuda" in ast.literal_eval(node.value):
                    out.append(path)
    return out


@pytest.mark.skipif(not os.path.isdir(CASES), reason=f"the case corpus is not at {CASES}")
def test_every_cuda_case_kernel_compiles_for_gfx942(monkeypatch):
    monkeypatch.syspath_prepend(CASES)
    monkeypatch.setenv("EMBER_CUDA_CPU", "1")
    paths = cuda_cases()
    assert len(paths) >= 4, paths
    compiled = []
    for path in paths:
        name = "hip_corpus_" + os.path.basename(path)[:-3]
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        try:
            spec.loader.exec_module(module)
            module.run(*module.inputs(module.SIZES["check"], np.random.default_rng(0)))
            kernels = [v for v in vars(module).values() if isinstance(v, Kernel)]
            assert kernels, path
            for k in kernels:
                assert k._specs, f"{path}: {k.__qualname__} never launched"
                for type_ids in list(k._specs):
                    h = hsaco_module(k, type_ids, "gfx942")
                    assert h.hsaco[:4] == b"\x7fELF" and h.arch == "gfx942"
                    assert h.wavefront == 64
                    compiled.append((os.path.basename(path), k.__qualname__))
        finally:
            sys.modules.pop(name, None)
    assert {p for p, _ in compiled} == {os.path.basename(p) for p in paths}
