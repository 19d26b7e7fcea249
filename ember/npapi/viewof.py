"""The view primitive of ember's stride tricks (ir/Builtins.def): a name only.

Compiled code calls ``view_of(a, shape, strides, offset, dtype, layout, readonly)`` as a
builtin (typeinfer/ViewRules.cpp, lowering/CodeGenNumpy.cpp): an array sharing a's buffer and
MemInfo, starting ``offset`` bytes into a's data, with the given shape and strides (tuples of
ints of one length, strides in bytes), of ``dtype`` (a NumPy type, or None for a's), claiming
``layout`` ('C', 'F' or 'A', a constant) and read-only when ``readonly`` (a constant) is True or
a is read-only.  Nothing is checked at run time: ember/npapi/views.py, its only caller, keeps
every element inside a's buffer (or knowingly does not, for as_strided, as NumPy) and claims C
or F only where the strides make it true.
"""

from __future__ import annotations


def view_of(a, shape, strides, offset, dtype, layout, readonly):
    """A view of a's data with the given geometry (compiled code only)."""
    raise RuntimeError("ember.npapi.viewof.view_of runs only in compiled code")
