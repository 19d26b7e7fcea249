"""The on-disk cache for code that builds, takes and returns jitclass instances: a class's id is
derived from its module and qualified name (ember/jitclasses.py), so cached code made in one
process boxes and unboxes instances in another, and the key holds the class's fields and the
keys of its compiled members, so editing a method recompiles what uses it (ember/cache.py).

Runs in fresh processes over one module, as test_cache_kinds.py does (its helpers)."""

from __future__ import annotations

from test_cache_kinds import run_python, twice

MODULE = """
import ember
from ember import types
from ember.experimental import jitclass

@jitclass({"n": types.int64, "total": types.float64})
class Tally:
    def __init__(self, n):
        self.n = n
        self.total = 0.0

    def add(self, x):
        self.total += x * SCALE
        self.n += 1

SCALE = 1.0

@ember.jit(cache=True)
def build(k):
    t = Tally(0)
    for i in range(k):
        t.add(i)
    return t

@ember.jit(cache=True)
def summary(t):
    return t.total + 1000.0 * t.n
"""

CALLS = """
import kinds_mod as m
t = m.build(10)
report(summary=m.summary(t), kind=type(t).__name__, same=m.summary(m.build(3)))
"""


def test_jitclass_instances_cross_the_cache_in_a_new_process(tmp_path):
    first, second = twice(tmp_path, MODULE, CALLS, 2)
    for r in (first, second):
        assert r["kind"] == "Tally"
        assert r["summary"] == 45.0 + 10000.0
        assert r["same"] == 3.0 + 3000.0


def test_editing_a_method_recompiles_its_users(tmp_path):
    twice(tmp_path, MODULE, CALLS, 2)
    (tmp_path / "kinds_mod.py").write_text(
        MODULE.replace("self.total += x * SCALE", "self.total += 2 * x * SCALE")
    )
    edited, err = run_python(CALLS, tmp_path)
    assert edited["summary"] == 90.0 + 10000.0
    # build calls the edited method: a miss; summary only reads fields: its key holds the
    # class's members too (its argument's class), so it is compiled again as well
    assert edited["stats"]["misses"] == 2 and edited["stats"]["hits"] == 0, (edited, err)


def test_a_class_made_twice_under_one_name_is_not_cached(tmp_path):
    module = (
        MODULE
        + """
def make():
    @jitclass({"v": types.int64})
    class Box:
        def __init__(self, v):
            self.v = v
    return Box

Box1, Box2 = make(), make()

@ember.jit(cache=True)
def first_box(v):
    return Box2(v).v
"""
    )
    (tmp_path / "kinds_mod.py").write_text(module)
    r, err = run_python(
        "import kinds_mod as m\nreport(v=m.first_box(7), ids=[m.Box1.class_type.class_id, "
        "m.Box2.class_type.class_id])",
        tmp_path,
    )
    assert r["v"] == 7
    assert r["ids"][0] != r["ids"][1]
    assert r["stats"]["uncacheable"] >= 1 and r["stats"]["stores"] == 0
    assert "CacheWarning" in err and "jitclass defined more than once" in err
