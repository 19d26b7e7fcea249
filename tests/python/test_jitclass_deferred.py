"""jitclass fields of the class's own kind through Numba's deferred_type() (a linked list), the
attributes of an optional instance in compiled code, and a jitclass deriving from another (an
ember extension: Numba has no jitclass inheritance).  Each class runs as the plain Python class
and as the jitclass, and the results are compared."""
import numpy as np
import pytest

import ember
from ember import _ember, njit, types
from ember.experimental import jitclass


class Node:
    def __init__(self, data, next):
        self.data = data
        self.next = next

    def total(self):
        s = self.data
        n = self.next
        while n is not None:
            s += n.data
            n = n.next
        return s

    def second(self):
        return self.next.data  # TypeError when there is none


node_type = ember.deferred_type()
NODE_SPEC = [("data", types.int64), ("next", types.optional(node_type))]
JNode = jitclass(NODE_SPEC)(Node)
node_type.define(JNode.class_type.instance_type)


def build(n):
    head = Cls(0, None)  # noqa: F821 - the Python class or the jitclass (with_cls)
    for i in range(1, n):
        head = Cls(i * i, head)  # noqa: F821
    return head


def with_cls(fn, cls):
    return type(fn)(fn.__code__, {**fn.__globals__, "Cls": cls}, fn.__name__)


py_build = with_cls(build, Node)


def walk(head):
    count, s = 0, 0
    node = head
    while node is not None:
        count += 1
        s += node.data
        node = node.next
    return count, s


def bump_all(head, d):
    node = head
    while node is not None:
        node.data += d  # a store through the optional instance
        node = node.next


def test_linked_list_made_walked_and_changed_in_compiled_code_matches_python():
    jb, jw, jbump = njit(with_cls(build, JNode)), njit(walk), njit(bump_all)
    py, jh = py_build(12), jb(12)
    assert jw(jh) == walk(py)
    assert jh.total() == py.total()
    jbump(jh, 3)
    bump_all(py, 3)
    assert jw(jh) == walk(py) and jh.second() == py.second()
    assert jh.next.next.data == py.next.next.data  # boxed from Python, link by link


def test_list_made_in_python_and_none_raises_type_error():
    tail = JNode(5, None)
    head = JNode(2, tail)
    assert head.total() == 7 and head.next.data == 5 and tail.next is None
    with pytest.raises(TypeError, match="None"):
        tail.second()


def test_linked_list_leaves_no_allocation():
    jb, jw = njit(with_cls(build, JNode)), njit(walk)
    jw(jb(2))  # compile first
    before = _ember.live_meminfos()
    for n in (1, 5, 50):
        assert jw(jb(n)) == walk(py_build(n))
    head = jb(20)
    del head
    assert _ember.live_meminfos() == before


def test_undefined_deferred_type_is_an_error_naming_the_field():
    pending = ember.deferred_type()
    Loose = jitclass([("data", types.int64), ("next", types.optional(pending))])(Node)
    with pytest.raises(TypeError, match="field 'next' was never given its define"):
        Loose(1, None)
    with pytest.raises(TypeError, match="already defined"):
        node_type.define(types.int64)


# ---- inheritance -----------------------------------------------------------------------------

class Shape:
    def __init__(self, w, h):
        self.w = w
        self.h = h

    def area(self):
        return self.w * self.h

    def sides(self):
        return 4

    def describe(self):  # calls methods a derived class overrides
        return self.area() * 10.0 + self.sides()

    @property
    def ratio(self):
        return self.w / self.h


JShape = jitclass([("w", types.float64), ("h", types.float64)])(Shape)


class Triangle(Shape):
    def area(self):
        return 0.5 * self.w * self.h

    def sides(self):
        return 3


class JTriangle(JShape):
    area = Triangle.area
    sides = Triangle.sides


JTriangle = jitclass(JTriangle)


class Prism(Shape):
    def __init__(self, w, h, d):
        self.w = w
        self.h = h
        self.d = d

    def volume(self):
        return self.area() * self.d


class JPrism(JShape):
    __init__ = Prism.__init__
    volume = Prism.volume


JPrism = jitclass([("d", types.float64)])(JPrism)


def describe_all(a, b, c):
    return a.describe(), b.describe(), c.describe(), c.volume(), b.ratio, c.w + c.d


def test_derived_jitclasses_inherit_and_override_like_python():
    py = (Shape(2.0, 3.0), Triangle(2.0, 3.0), Prism(2.0, 3.0, 4.0))
    jt = (JShape(2.0, 3.0), JTriangle(2.0, 3.0), JPrism(2.0, 3.0, 4.0))
    assert njit(describe_all)(*jt) == describe_all(*py)
    assert [s.describe() for s in jt] == [s.describe() for s in py]
    assert isinstance(jt[1], JShape) and isinstance(jt[2], JShape)
    assert not isinstance(jt[0], JTriangle)
    assert list(JPrism.class_type.struct) == ["w", "h", "d"]  # the parent's fields first


def test_derived_instances_made_in_compiled_code():
    @njit
    def make(w):
        t = JTriangle(w, 2.0)
        p = JPrism(w, 2.0, 3.0)
        return t.area() + p.volume(), p

    got, p = make(4.0)
    assert got == 0.5 * 4.0 * 2.0 + 4.0 * 2.0 * 3.0
    assert isinstance(p, JPrism) and p.d == 3.0


def test_inheritance_errors():
    class Redefines(JShape):
        pass

    with pytest.raises(TypeError, match="'w' is already a field of Shape"):
        jitclass([("w", types.int64)])(Redefines)

    class Plain:
        pass

    class FromPlain(Plain):
        pass

    with pytest.raises(TypeError, match="derives from object or from one other jitclass"):
        jitclass(FromPlain)
    assert np.isfinite(JShape(1.0, 2.0).ratio)
