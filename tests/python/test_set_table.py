"""The set's own hash table (runtime/Set.cpp, lowering/CodeGenSet.cpp): integers hash as
themselves, compiled code probes the first slot of `in` and `add` inline and the runtime does the
rest.  These tests aim at what that design could get wrong: keys that all start on one slot (the
probe sequence must leave the cluster), the two hash values reserved for empty and deleted slots,
deleted slots reused and dropped on a rebuild, narrow and unsigned item types (widened before
hashing), and the item types that still hash through their typeinfo.  Every result is compared
with CPython running the same function."""
import numpy as np
import pytest
from conftest import check

import ember


@pytest.fixture(autouse=True)
def no_leaks(meminfo_balance):
    yield  # conftest.meminfo_balance checks the count


def membership(keys, probes):
    s = set()
    for k in keys:
        s.add(k)
    hits = 0
    for p in probes:
        if p in s:
            hits += 1
    return s, len(s), hits


membership_jit = ember.njit(membership)


def test_keys_sharing_their_low_bits_leave_the_cluster():
    # Multiples of 2^40 all start at slot 0 of any table below 2^40 slots.
    keys = [i << 40 for i in range(-300, 300)] + [(i << 40) + 1 for i in range(50)]
    probes = keys + [(i << 40) + 2 for i in range(-300, 300)]
    check(membership_jit, keys, probes)


@pytest.mark.parametrize("extra", [[], list(range(-5, 6))])
def test_reserved_hashes(extra):
    # INT64_MIN and INT64_MIN + 1 map onto the empty and deleted markers; they must still be
    # distinct keys, as must the keys their hash is moved onto.
    edge = [-2**63, -2**63 + 1, -2**63 + 2, 2**63 - 1, -1, 0, 1, 2]
    keys = edge + extra
    check(membership_jit, keys, keys + [-2**63 + 3, 3, -3])


@ember.njit
def churn(n):
    s = set()
    for i in range(n):
        s.add(i)
    for i in range(0, n, 2):
        s.remove(i)
    for i in range(n, 2 * n):
        s.add(i)
    s.discard(-1)
    hits = 0
    for i in range(-1, 2 * n + 1):
        if i in s:
            hits += 1
    popped = 0
    while len(s) > n:
        popped += s.pop() >= 0
    return s, hits, popped


@pytest.mark.parametrize("n", [3, 100, 5000])
def test_deleted_slots_are_reused_and_dropped(n):
    check(churn, n)


@ember.njit
def from_array(a, probes):
    s = set()
    for x in a:
        s.add(x)
    found = 0
    for p in probes:
        if p in s:
            found += 1
    return s, found


@pytest.mark.parametrize("dtype", ["int8", "uint8", "int16", "uint32", "int32", "uint64"])
def test_narrow_and_unsigned_items(dtype):
    info = np.iinfo(dtype)
    a = np.array([info.min, info.max, 0, 1, info.max - 1, 7, 7], dtype=dtype)
    probes = np.array([info.min, info.max, 2, 7, 0], dtype=dtype)
    s, found = from_array(a, probes)
    want = set(a.tolist())
    assert s == want
    assert found == sum(1 for p in probes.tolist() if p in want)


def test_bool_items():
    a = np.array([True, False, True])
    s, found = from_array(a, np.array([True, True, False]))
    assert s == {True, False} and found == 3


def test_items_hashed_by_typeinfo():
    floats = [0.0, -0.0, 1.0, 2.5, -7.25, 1e300] * 3
    check(membership_jit, floats, floats + [3.0, -1.0])
    words = [f"w{i % 37}" for i in range(200)]
    check(membership_jit, words, words + ["nope", ""])
    pairs = [(i % 5, i % 7) for i in range(100)]
    check(membership_jit, pairs, pairs + [(9, 9)])


@ember.njit
def operations(n):
    a = set()
    b = set()
    for i in range(n):
        a.add(i * 3)
        b.add(i * 5)
    for i in range(0, n, 4):
        a.discard(i * 3)
    c = a.copy()
    c -= c
    d = a.copy()
    d ^= d
    e = a.copy()
    e &= e
    e |= e
    return (a | b, a & b, a - b, a ^ b, a <= (a | b), a.isdisjoint(b), c, d, e == a,
            len(a.copy()))


@pytest.mark.parametrize("n", [10, 2000])
def test_set_operations_over_tables_with_deleted_slots(n):
    check(operations, n)
