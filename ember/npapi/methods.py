"""Array methods Numba supports that ember writes with the NumPy function of the same meaning:
a.clip, a.conj, a.nonzero, a.repeat and a.take.  They are registered through
ember.extending's @overload_method on types.Array (the compiler asks for them when an array
has no built-in attribute of that name), so a user's own overload of another name is not
affected, and built-in methods keep precedence."""
from __future__ import annotations

import numpy as np

from .. import types
from ..extending import overload_method


def _none(t):
    return t is None or isinstance(t, types.NoneType)


@overload_method(types.Array, "clip")
def _clip(a, a_min=None, a_max=None):
    # One bound left out (None) is NumPy's np.minimum / np.maximum with the other.
    if _none(a_min) and _none(a_max):
        return None
    if _none(a_min):
        def clip_above(a, a_min=None, a_max=None):
            return np.minimum(a, a_max)
        return clip_above
    if _none(a_max):
        def clip_below(a, a_min=None, a_max=None):
            return np.maximum(a, a_min)
        return clip_below

    def clip(a, a_min=None, a_max=None):
        return np.clip(a, a_min, a_max)
    return clip


@overload_method(types.Array, "conj")
def _conj(a):
    return lambda a: np.conj(a)


@overload_method(types.Array, "nonzero")
def _nonzero(a):
    return lambda a: np.nonzero(a)


@overload_method(types.Array, "repeat")
def _repeat(a, repeats):
    return lambda a, repeats: np.repeat(a, repeats)


@overload_method(types.Array, "take")
def _take(a, indices):
    return lambda a, indices: np.take(a, indices)
