"""A jitclass method call borrows its instance (lowering/InsertRefcounts.cpp): the bound method
`obj.m` that is only called holds no reference of its own, and a callee's argument that it never
returns nor passes along a branch takes none.  These tests check the cases where a borrowed
reference would be wrong if the pass misjudged them: the instance is a temporary, the method
returns or stores `self`, raises, or the bound method is kept in a variable or crosses a branch.
Each compares against the plain Python class and checks that no allocation is left behind and
that the instance's reference count comes back."""
import numpy as np
import pytest

from ember import _ember, njit, types
from ember.experimental import jitclass


class Cell:
    def __init__(self, v):
        self.v = v

    def bump(self, d):
        self.v += d
        return self.v

    def me(self):
        return self

    def attach(self, other):
        other.other = self

    def checked(self, d):
        if d < 0:
            raise ValueError("negative step")
        self.v += d
        return self.v

    def pick(self, flag, other):
        return self if flag else other


JCell = jitclass([("v", types.float64)])(Cell)


class Holder:
    def __init__(self):
        self.other = None


JHolder = jitclass([("other", types.Optional(JCell.class_type.instance_type))])(Holder)


def temporaries(n):
    total = 0.0
    for i in range(n):
        total += Cls(float(i)).bump(1.0)  # noqa: F821 - the instance lives only for the call
    return total


def with_cls(fn, cls):
    """fn reading `Cls` as the given class (the Python one or the jitclass)."""
    return type(fn)(fn.__code__, {**fn.__globals__, "Cls": cls}, fn.__name__)


def returning_self(c, n):
    total = 0.0
    for _ in range(n):
        total += c.me().bump(0.5)
    return total


def kept_and_branching(c, n, flag):
    m = c.bump  # kept in a variable, called twice in the block
    m(1.0)
    m(1.0)
    b = c.bump
    if flag:  # called in another block: the bound method keeps its own reference
        n += 1
    return b(float(n))


@njit
def _attach(c, holder):
    c.attach(holder)


@njit
def _checked_loop(c, steps):
    total = 0.0
    for d in steps:
        total += c.checked(d)
    return total


@njit
def _pick(a, b, flag):
    return a.pick(flag, b)


def _same(py, jitted, *args):
    assert jitted(*args) == py(*args)


def test_temporary_instances_and_returned_self_match_python_without_leaks():
    jt, jr, jk = njit(with_cls(temporaries, JCell)), njit(returning_self), \
        njit(kept_and_branching)
    jt(1), jr(JCell(0.0), 1), jk(JCell(0.0), 1, True)  # compile first
    before = _ember.live_meminfos()
    assert jt(50) == with_cls(temporaries, Cell)(50)
    c, pc = JCell(1.0), Cell(1.0)
    assert jr(c, 20) == returning_self(pc, 20) and c.v == pc.v
    for flag in (True, False):
        assert jk(c, 3, flag) == kept_and_branching(pc, 3, flag) and c.v == pc.v
    assert c._meminfo_refcount() == 1
    del c
    assert _ember.live_meminfos() == before


def test_a_method_storing_self_elsewhere_keeps_it_alive():
    before = _ember.live_meminfos()
    c, holder = JCell(2.0), JHolder()
    _attach(c, holder)
    assert c._meminfo_refcount() == 2  # the caller's and the holder's field's
    del c
    assert holder.other.bump(1.0) == 3.0  # the instance outlives the Python object
    holder.other = None
    del holder
    assert _ember.live_meminfos() == before


def test_a_raising_method_releases_nothing_it_borrowed():
    c = JCell(0.0)
    assert _checked_loop(c, np.array([1.0, 2.0])) == 1.0 + 3.0
    with pytest.raises(ValueError, match="negative step"):
        _checked_loop(c, np.array([1.0, -1.0]))
    assert c.v == 4.0 and c._meminfo_refcount() == 1


def test_returning_either_argument():
    a, b = JCell(1.0), JCell(2.0)
    assert _pick(a, b, True).v == 1.0 and _pick(a, b, False).v == 2.0
    assert a._meminfo_refcount() == 1 and b._meminfo_refcount() == 1
