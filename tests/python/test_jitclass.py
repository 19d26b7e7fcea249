"""@jitclass (ember/jitclasses.py): each class is run twice, as the plain Python class and as the
jitclass made from it (the decorator builds a new class and leaves the original alone), and the
results compared.  Instances are made and used in compiled code, passed between jitted
functions, returned to Python, made in Python and passed back in (the same native instance:
mutations are seen on both sides); a loop of instances leaves no live allocation; type errors
name the user's line."""
import inspect

import numpy as np
import pytest

import ember
from ember import _ember, njit, types
from ember.experimental import jitclass


class Counter:
    def __init__(self, name, data):
        self.name = name
        self.data = data
        self.count = 0
        self.total = 0.0

    def add(self, x):
        self.count += 1
        self.total += x
        return self.count

    def mean(self):
        return self.total / self.count if self.count else 0.0

    def weighted(self):
        s = 0.0
        for i in range(self.data.shape[0]):
            s += self.data[i] * (i + 1)
        return s + self.mean()

    def label(self):
        return self.name + ":" + str(self.count)

    def add_many(self, n):  # a method calling another through self
        for i in range(n):
            self.add(float(i))
        return self.mean()

    @property
    def double_total(self):
        return 2.0 * self.total

    @double_total.setter
    def double_total(self, value):
        self.total = value / 2.0

    @staticmethod
    def scale(x, k):
        return x * k

    def __len__(self):
        return self.count


COUNTER_SPEC = [("name", types.unicode_type), ("data", types.float64[:]),
                ("count", types.int64), ("total", types.float64)]
JCounter = jitclass(COUNTER_SPEC)(Counter)


def use_counter(cls, data, n):
    c = cls("c", data)
    for i in range(n):
        c.add(i * 0.5)
    w = c.weighted()
    c.add_many(3)
    return c.count, c.total, c.mean(), w, c.label(), c.double_total, cls.scale(c.total, 3.0)


def test_original_class_is_untouched():
    assert JCounter is not Counter and not issubclass(Counter, _ember.JitclassBase)
    c = Counter("p", np.ones(2))
    assert c.add(1.0) == 1 and c.name == "p"


def test_fields_init_methods_from_python():
    data = np.arange(4.0)
    py, jc = Counter("a", data.copy()), JCounter("a", data.copy())
    for x in (1.5, 2.0, -3.25):
        assert jc.add(x) == py.add(x)
    assert (jc.count, jc.total, jc.name) == (py.count, py.total, py.name)
    assert jc.mean() == py.mean() and jc.weighted() == py.weighted()
    assert jc.label() == py.label() == "a:3"
    assert jc.add_many(4) == py.add_many(4)
    np.testing.assert_array_equal(jc.data, py.data)
    assert isinstance(jc, JCounter) and type(jc).__name__ == "Counter"


def test_properties_static_methods_and_len_from_python():
    py, jc = Counter("p", np.zeros(1)), JCounter("p", np.zeros(1))
    for c in (py, jc):
        c.add(5.0)
        c.double_total = 30.0
    assert jc.total == py.total == 15.0 and jc.double_total == py.double_total
    assert JCounter.scale(2.5, 4.0) == Counter.scale(2.5, 4.0) == 10.0
    assert len(jc) == len(py) == 1


def test_field_writes_from_python_convert_and_check():
    jc = JCounter("w", np.zeros(3))
    jc.count = 7
    jc.total = 2  # an int into a float64 field converts, as Numba does
    assert (jc.count, jc.total) == (7, 2.0) and isinstance(jc.total, float)
    jc.name = "renamed"
    assert jc.label() == "renamed:7"
    with pytest.raises(ember.TypingError, match="field 'total'"):
        jc.total = "x"
    with pytest.raises(AttributeError):
        jc.missing = 1  # no such field: the generated class has no __dict__


def test_made_and_used_in_compiled_code_matches_python():
    data = np.linspace(0.0, 1.0, 5)
    expected = use_counter(Counter, data, 10)
    assert _compiled_use_counter(data, 10) == expected


@njit
def _compiled_use_counter(data, n):
    c = JCounter("c", data)
    for i in range(n):
        c.add(i * 0.5)
    w = c.weighted()
    c.add_many(3)
    return c.count, c.total, c.mean(), w, c.label(), c.double_total, JCounter.scale(c.total, 3.0)


def test_compiled_function_source_matches_the_python_one():
    # the compiled function above is use_counter with the class bound: keep them in step
    body = inspect.getsource(use_counter).split("\n", 1)[1]
    assert body.replace("cls", "JCounter") in inspect.getsource(_compiled_use_counter)


@njit
def _bump(c, by):
    c.add(by)
    c.count += 10


@njit
def _bump_twice(c):
    _bump(c, 1.0)
    _bump(c, 2.0)
    return c.count


@njit
def _make(name, n):
    c = JCounter(name, np.arange(float(n)))
    c.add(float(n))
    return c


def test_passed_between_jitted_functions_and_back_into_python():
    jc = JCounter("x", np.zeros(2))
    assert _bump_twice(jc) == 22  # compiled mutations seen by Python
    assert (jc.count, jc.total) == (22, 3.0)
    jc.count = 0  # Python's mutation seen by compiled code
    assert _bump_twice(jc) == 22


def test_returned_to_python():
    c = _make("made", 4)
    assert isinstance(c, JCounter)
    assert (c.name, c.count, c.total) == ("made", 1, 4.0)
    np.testing.assert_array_equal(c.data, np.arange(4.0))
    py = Counter("made", np.arange(4.0))
    py.add(4.0)
    assert c.weighted() == py.weighted() == 24.0


@njit
def _identity(c):
    return c


def test_same_native_instance_both_ways():
    jc = JCounter("s", np.zeros(1))
    back = _identity(jc)
    assert back._same_instance(jc)
    back.total = 9.5
    assert jc.total == 9.5


def test_array_field_is_shared_not_copied():
    data = np.zeros(3)
    jc = JCounter("a", data)
    jc.data[1] = 5.0
    assert data[1] == 5.0  # the field holds the caller's array, as in Numba


class Point:
    def __init__(self, x, y):
        self.x = x
        self.y = y

    def norm2(self):
        return self.x * self.x + self.y * self.y


JPoint = jitclass({"x": types.float64, "y": types.float64})(Point)


class Segment:
    a: JPoint
    b: JPoint
    tag: tuple

    def __init__(self, a, b, tag):
        self.a = a
        self.b = b
        self.tag = tag

    def length2(self):
        dx = self.b.x - self.a.x
        dy = self.b.y - self.a.y
        return dx * dx + dy * dy + self.tag[0]

    def shift(self, d):
        self.a.x += d
        self.b.x += d
        return self.a.norm2()


JSegment = jitclass([("tag", types.UniTuple(types.int64, 2))])(Segment)


def segment_work(point, segment, d):
    s = segment(point(0.0, 1.0), point(3.0, 5.0), (2, 7))
    before = s.length2()
    n = s.shift(d)
    return before, s.length2(), n, s.a.x, s.b.x, s.tag


def test_jitclass_fields_annotations_and_tuples():
    expected = segment_work(Point, Segment, 1.5)
    assert _segment_work_compiled(1.5) == expected
    s = JSegment(JPoint(1.0, 1.0), JPoint(4.0, 5.0), (0, 0))
    assert s.length2() == 25.0 and isinstance(s.a, JPoint) and s.tag == (0, 0)
    p = s.b
    p.x = 1.0  # the same nested instance
    assert s.length2() == 16.0


@njit
def _segment_work_compiled(d):
    s = JSegment(JPoint(0.0, 1.0), JPoint(3.0, 5.0), (2, 7))
    before = s.length2()
    n = s.shift(d)
    return before, s.length2(), n, s.a.x, s.b.x, s.tag


class Bag:
    def __init__(self, first):
        self.items = [first]
        self.index = {first: 0}

    def put(self, v):
        self.index[v] = len(self.items)
        self.items.append(v)
        return len(self.items)


JBag = jitclass([("items", types.ListType(types.int64)),
                 ("index", types.DictType(types.int64, types.int64))])(Bag)


@njit
def _fill_bag(n):
    b = JBag(100)
    for i in range(n):
        b.put(i * 3)
    return b.put(-1), b.index[9]


def test_typed_list_and_dict_fields():
    py = Bag(100)
    for i in range(5):
        py.put(i * 3)
    assert _fill_bag(5) == (py.put(-1), py.index[9])


@njit
def _churn(n, name):
    total = 0.0
    for i in range(n):
        c = JCounter(name + "!", np.ones(3))
        c.add(float(i))
        s = JSegment(JPoint(0.0, 0.0), JPoint(float(i), 1.0), (i, i))
        total += c.weighted() + s.length2()
    return total


def test_no_leak():
    _churn(2, "warm")
    before = _ember.live_meminfos()
    expected = sum(6.0 + i + i * i + 1.0 + i for i in range(200))
    assert _churn(200, "tmp") == expected
    for i in range(50):  # made in Python, passed in, returned, dropped
        c = _make("p", 3)
        _bump_twice(c)
        _identity(JSegment(JPoint(0.0, 0.0), JPoint(1.0, 1.0), (i, 0)))
        del c
    assert _ember.live_meminfos() == before


def test_instance_refcount_drops_back():
    jc = JCounter("r", np.zeros(1))
    assert jc._meminfo_refcount() == 1
    _bump_twice(jc)
    for _ in range(3):
        _identity(jc)
    assert jc._meminfo_refcount() == 1


# ---- errors -------------------------------------------------------------------------------

def _line_of(func, text):
    lines, first = inspect.getsourcelines(func)
    return first + next(k for k, ln in enumerate(lines) if text in ln)


def test_assigning_a_wrong_type_is_a_typing_error_at_the_line():
    def set_bad(c):
        c.total = "not a number"
        return c

    with pytest.raises(ember.TypingError) as info:
        njit(set_bad)(JCounter("e", np.zeros(1)))
    assert info.value.line == _line_of(set_bad, "not a number")
    assert "total" in str(info.value) and "Counter" in str(info.value)


def test_unknown_attribute_is_a_typing_error_at_the_line():
    def read_bad(c):
        return c.nope + 1

    with pytest.raises(ember.TypingError, match="has no attribute 'nope'") as info:
        njit(read_bad)(JCounter("e", np.zeros(1)))
    assert info.value.line == _line_of(read_bad, "c.nope")


def test_wrong_type_in_a_method_names_the_method_line():
    class Bad:
        def __init__(self):
            self.v = 0.0

        def oops(self):
            self.v = (1, 2)

    jb = jitclass([("v", types.float64)])(Bad)
    with pytest.raises(ember.TypingError) as info:
        jb().oops()
    assert info.value.line == _line_of(Bad.oops, "self.v = (1, 2)")


def test_setting_an_attribute_of_another_value_is_unsupported_at_the_line():
    def set_on_array(a):
        a.x = 1

    with pytest.raises(ember.UnsupportedError, match="'x'") as info:
        njit(set_on_array)(np.zeros(2))
    assert info.value.line == _line_of(set_on_array, "a.x = 1")


def test_unsupported_field_types_fail_at_decoration():
    class C:
        def __init__(self):
            pass

    with pytest.raises(TypeError, match="field 'f'"):
        jitclass([("f", object)])(C)
    with pytest.raises(TypeError, match="field 'n'.*cannot hold"):
        jitclass([("n", types.none)])(C)
    with pytest.raises(TypeError, match="spec"):
        jitclass(["x"])(C)


def test_ember_jitclass_is_the_same_decorator():
    assert ember.jitclass is jitclass


# ---- operators through dunder methods, lists of instances ---------------------------------

def make_vec(decorate):
    class Vec:
        def __init__(self, x, y):
            self.x = x
            self.y = y

        def __add__(self, o):
            return Vec(self.x + o.x, self.y + o.y)

        def __sub__(self, o):
            return Vec(self.x - o.x, self.y - o.y)

        def __mul__(self, k):
            return Vec(self.x * k, self.y * k)

        def __neg__(self):
            return Vec(-self.x, -self.y)

        def __iadd__(self, o):
            self.x += o.x
            self.y += o.y
            return self

        def __eq__(self, o):
            return self.x == o.x and self.y == o.y

        def __lt__(self, o):
            return self.norm2() < o.norm2()

        def __len__(self):
            return 2

        def norm2(self):
            return self.x * self.x + self.y * self.y

    Vec = decorate(Vec)  # the methods' `Vec` is this cell: the jitclass once decorated
    return Vec


PyVec = make_vec(lambda cls: cls)
JVec = make_vec(jitclass([("x", types.float64), ("y", types.float64)]))


def vec_work(vec):
    def work(a, b):
        p = vec(a, b)
        q = vec(b, a)
        r = p + q * 2.0 - (-p)
        r += q
        return r.x, r.y, len(r), p == q, p < q, r == r, q < p

    return work


def vec_list(vec):
    def build(n):
        vs = [vec(0.0, 1.0)]
        for i in range(n):
            vs.append(vec(float(i), 2.0) * 0.5)
        s = 0.0
        for v in vs:
            s += v.norm2()
        return s, vs

    return build


def test_operators_and_len_through_dunder_methods():
    work = njit(vec_work(JVec))
    for a, b in ((1.0, 2.0), (3.5, -1.25)):
        assert work(a, b) == vec_work(PyVec)(a, b)
    p, q = JVec(1.0, 2.0), JVec(2.0, 1.0)
    assert (p + q).x == 3.0 and len(p) == 2 and p == JVec(1.0, 2.0)


def test_lists_of_instances():
    build = njit(vec_list(JVec))
    build(1)
    before = _ember.live_meminfos()
    got_sum, got = build(4)
    want_sum, want = vec_list(PyVec)(4)
    assert got_sum == want_sum
    assert [(v.x, v.y) for v in got] == [(v.x, v.y) for v in want]
    assert all(isinstance(v, JVec) for v in got)
    del got
    assert _ember.live_meminfos() == before


@njit(nogil=True)
def _accumulate(c, shared, n):
    s = 0.0
    for _ in range(n):
        c.add(1.0)
        s += shared.weighted()  # a shared instance, read by both threads
    return c.count, s


def test_used_from_two_threads_under_nogil():
    import threading
    shared = JCounter("shared", np.arange(3.0))
    mine = [JCounter(f"t{k}", np.zeros(1)) for k in range(2)]
    _accumulate(JCounter("warm", np.zeros(1)), shared, 1)  # compile outside the threads
    before = shared._meminfo_refcount()
    results = [None, None]

    def run(k):
        results[k] = _accumulate(mine[k], shared, 2000)

    threads = [threading.Thread(target=run, args=(k,)) for k in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    expected = 2000 * shared.weighted()
    assert results == [(2000, expected), (2000, expected)]
    assert [c.total for c in mine] == [2000.0, 2000.0]
    assert shared._meminfo_refcount() == before


def test_spec_type_spellings():
    class S:
        def __init__(self, a, b, c):
            self.a = a
            self.b = b
            self.c = c

        def total(self):
            return self.a + self.b + self.c.sum()

    js = jitclass({"a": "float32", "b": np.int16, "c": "int64[:]"})(S)
    py, jit = S(1.5, 3, np.arange(3)), js(1.5, 3, np.arange(3))
    assert jit.total() == py.total() == 7.5
    assert js.class_type.struct["a"] == types.float32
    assert js.class_type.struct["b"] == types.int16


def test_nis_op_numbers_agree_with_the_compiler():
    # STORE_ATTR is the first op with a fixed number (90): both sides must agree on the gap
    from ember import _compiler
    from ember.bytecode import Op
    names = _compiler.nis_op_names()
    assert {m.value: m.name for m in Op} == {i: n for i, n in enumerate(names) if n}


class Raising:
    def __init__(self, x):
        self.data = np.zeros(3)  # a reference the failed instance must release
        if x < 0:
            raise ValueError("negative")
        self.x = x

    def me(self):
        return self


JRaising = jitclass([("x", types.float64), ("data", types.float64[:])])(Raising)


@njit
def _make_raising(x):
    return JRaising(x)


def test_raising_init_releases_the_instance():
    with pytest.raises(ValueError, match="negative"):
        Raising(-1.0)
    _make_raising(1.0)
    before = _ember.live_meminfos()
    for _ in range(5):
        with pytest.raises(ValueError, match="negative"):
            _make_raising(-1.0)
    r = _make_raising(2.0)
    assert r.me()._same_instance(r) and r.me().x == 2.0
    del r
    assert _ember.live_meminfos() == before


class Holder:
    def __init__(self):
        self.p = None

    def put(self, p):
        self.p = p

    def empty(self):
        return self.p is None


JHolder = jitclass([("p", types.Optional(JPoint.class_type.instance_type))])(Holder)


def test_optional_instance_field():
    py, jh = Holder(), JHolder()
    assert jh.empty() == py.empty() is True and jh.p is None
    jh.put(JPoint(1.0, 2.0))
    py.put(Point(1.0, 2.0))
    assert jh.empty() == py.empty() is False
    assert (jh.p.x, jh.p.y) == (py.p.x, py.p.y)
    jh.p = None
    assert jh.empty()
