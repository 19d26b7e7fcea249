"""The draws ember's np.random.Generator (ember/npapi/generator.py) makes from a NumPy
BitGenerator in compiled code: builtins (ir/Builtins.def, typeinfer/BitgenRules.cpp,
lowering/CodeGenBitgen.cpp), names only.

Each takes the integer address of the generator's ``bitgen_t`` (``bit_generator.ctypes.
bit_generator``) and calls its next_uint64 / next_uint32 / next_double, so the state the
Python object holds advances with every draw, as when NumPy's own C code draws.
"""
from __future__ import annotations


def next_uint64(bitgen):
    """One 64-bit draw."""
    raise RuntimeError("ember.npapi.bitgen draws run only in compiled code")


def next_uint32(bitgen):
    """One 32-bit draw (PCG64 hands out the two halves of a 64-bit draw in turn)."""
    raise RuntimeError("ember.npapi.bitgen draws run only in compiled code")


def next_double(bitgen):
    """One float64 in [0, 1)."""
    raise RuntimeError("ember.npapi.bitgen draws run only in compiled code")
