"""Tuple displays CPython compiles specially and constant slices of tuples: a display of more
than 30 items (built through a list and LIST_TO_TUPLE), conditional and nested items in it, a
starred item still rejected; `t[1:]`, `t[::-1]`, `a.shape[:2]` on homogeneous and heterogeneous
tuples, each compared with CPython."""
import numpy as np
import pytest

import ember
from ember import bytecode as bc


def _compile_source(src, name):
    ns = {}
    exec(src, ns)  # the display must be written out: that is what CPython compiles specially
    return ns[name]


def _big_display():
    items = ",".join(f"(x if x > {i} else -x)" if i % 3 == 0 else
                     (f"x * {i}.5" if i % 2 else f"x + {i}") for i in range(40))
    inner = "(" + ",".join(f"x - {i}" for i in range(35)) + ")"
    return _compile_source(f"def big(x):\n    t = ({items}, {inner})\n    return t\n", "big")


def test_large_display_is_one_build_tuple():
    nis = bc.normalize(_big_display())
    bc.verify_stack(nis)
    ops = [bc.Op(i.op) for i in nis.code]
    assert bc.Op.LIST_TO_TUPLE not in ops and bc.Op.BUILD_LIST not in ops
    assert [i.arg for i in nis.code if i.op == bc.Op.BUILD_TUPLE] == [35, 41]


@pytest.mark.parametrize("x", [7, -3, 2.5, 50])
def test_large_heterogeneous_display(x):
    f = _big_display()
    assert ember.jit(f)(x) == f(x)


def test_large_display_with_star_rejected():
    f = _compile_source("def f(x):\n    return (*x, " + ", ".join(map(str, range(40)))
                        + ", x[0] + 1)\n", "f")
    with pytest.raises(ember.errors.UnsupportedError, match="star-unpacking"):
        ember.jit(f)((1, 2))


@ember.jit
def _slices(t):
    return t[1:], t[::-1], t[-2:], t[5:], t[::2], t[:-1], t[-10:10:3], t[2:0:-1]


@pytest.mark.parametrize("t", [(1, 2, 3, 4), (1, 2.5, 3, True), (7,), ()])
def test_constant_slices_of_tuples(t):
    assert _slices(t) == _slices.py_func(t)


@ember.jit
def _shape_prefix(a):
    rows, cols = a.shape[:2]
    return a.shape[:2], a.shape[1:], a.shape[::-1], rows * cols


def test_shape_slices():
    a = np.zeros((2, 3, 4))
    assert _shape_prefix(a) == _shape_prefix.py_func(a)


@ember.jit
def _slice_of_arrays(a, n):
    s = (a, a + 1.0, n, "name")
    tail = s[1:]
    return tail[0].sum() + tail[1], tail[2], s[::-1][3][0]


def test_slice_holding_arrays_keeps_them_alive():
    from ember import _ember

    a = np.arange(6.0)
    expect = _slice_of_arrays.py_func(a, 4)
    before = _ember.live_meminfos()
    for _ in range(100):
        assert _slice_of_arrays(a, 4) == expect
    assert _ember.live_meminfos() == before


def test_tuple_slice_needs_constant_bounds():
    @ember.jit
    def by_variable(t, k):
        return t[k:]

    with pytest.raises(ember.errors.TypingError, match="constant bounds"):
        by_variable((1, 2, 3), 1)

    @ember.jit
    def zero_step(t):
        return t[::0]

    with pytest.raises(ember.errors.TypingError, match="step cannot be zero"):
        zero_step((1, 2, 3))
