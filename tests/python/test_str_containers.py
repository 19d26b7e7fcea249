"""Strings inside lists, dicts and sets (runtime/TypeInfo.cpp's string kind: hashed and compared
by code points, reference-counted), across the Python boundary both ways; and the pieces the
main/containers merge joined: np.array of lists next to npapi's np.array of tuples, and sorted()
with a lambda key over a list a comprehension builds.  Checked against CPython running the same
code."""

import numpy as np
import pytest
from conftest import assert_same, check

import ember
from ember import typed, types


@pytest.fixture(autouse=True)
def no_leaks(meminfo_balance):
    yield  # conftest.meminfo_balance checks the count


@ember.njit
def kmer_spectrum(s, k):
    counts = {}
    for i in range(len(s) - k + 1):
        w = s[i:i + k]
        if w in counts:
            counts[w] += 1
        else:
            counts[w] = 1
    ranked = sorted([(c, w) for w, c in counts.items()], key=lambda t: (-t[0], t[1]))
    distinct = set()
    for w in counts.keys():
        distinct.add(w)
    return ranked, len(distinct)


@pytest.mark.parametrize("text", ["abracadabra", "ééaéébé€€a€", "x", ""])
def test_string_keys_count_sort_and_set(text):
    check(kmer_spectrum, text, 2)


def test_typed_dict_of_strings_from_python_and_compiled_code():
    @ember.njit
    def lookup(d, key):
        return d[key]

    d = typed.Dict.empty(types.unicode_type, types.int64)
    d["alpha"] = 1
    d["β"] = 2
    key = "".join(["be", "ta"])  # a str object made apart from the dict's key
    d[key] = 3
    assert lookup(d, "β") == 2 and lookup(d, "beta") == 3
    del key
    assert dict(d) == {"alpha": 1, "β": 2, "beta": 3}
    with pytest.raises(KeyError) as info:
        lookup(d, "it's")
    assert info.value.args == ("it's",)


def test_reflected_list_of_strings_written_back():
    @ember.njit
    def shout(xs):
        xs.append(xs[0] + "!")
        return len(xs)

    xs = ["hi", "there"]
    assert shout(xs) == 3
    assert xs == ["hi", "there", "hi!"]


def test_string_literal_items_are_strings():
    # As in Numba: a literal stored in a container is a unicode_type item.
    @ember.njit
    def literal(xs):
        xs.append("new")
        xs.insert(0, "é")
        return xs.index("new")

    xs = ["a"]
    assert literal(xs) == 2
    assert xs == ["é", "a", "new"]


@ember.njit
def arrays_of_lists_and_tuples(n):
    xs = []
    for i in range(n):
        xs.append(i * 0.5)
    return (np.array(xs), np.asarray([[1, 2], [3, 4]]), np.array((0, -1, 3)),
            np.array([1, 2], dtype=np.float32))


def test_np_array_of_lists_and_of_tuples():
    got = arrays_of_lists_and_tuples(4)
    want = arrays_of_lists_and_tuples.py_func(4)
    for g, w in zip(got, want):
        assert_same(g, w)
    assert got[3].dtype == np.float32
