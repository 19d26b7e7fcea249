"""str.startswith / str.endswith with a tuple of affixes (true when any of them matches), with
and without start and end, against CPython's result on the same function run uncompiled
(``check``), on ASCII, Latin-1, BMP and astral text; the empty tuple (always false); tuples of
string literals, of string arguments and mixed; and the TypingErrors for a tuple holding a
non-string and for an affix that is neither a str nor a tuple."""
import itertools

import pytest
from conftest import check

import ember
from ember.errors import TypingError

TEXTS = ["", "a", "hello world", "café au lait", "naïve Ünïcode", "日本語テキスト",
         "emoji 🐍🎉 mixed", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢"]
AFFIXES = [(), ("",), ("h",), ("hello", "world"), ("xyz", "café"), ("lait", "caf"),
           ("naïve", "Ünïcode"), ("日本", "テキスト"), ("🐍", "emoji", "mixed"), ("𝔘", "𝔢"),
           ("a", "a", "a"), ("zzz", "yyy")]
BOUNDS = [(0, None), (1, None), (-3, None), (2, 5), (0, -1), (-100, 100), (5, 2), (20, 30)]


@pytest.fixture(autouse=True)
def no_leaks(meminfo_balance):
    yield  # conftest.meminfo_balance checks the count


@ember.njit
def starts(s, t):
    return s.startswith(t)


@ember.njit
def ends(s, t):
    return s.endswith(t)


@ember.njit
def starts_from(s, t, a):
    return s.startswith(t, a)


@ember.njit
def ends_from(s, t, a):
    return s.endswith(t, a)


@ember.njit
def starts_between(s, t, a, b):
    return s.startswith(t, a, b)


@ember.njit
def ends_between(s, t, a, b):
    return s.endswith(t, a, b)


@pytest.mark.parametrize("s", TEXTS)
def test_tuple_of_arguments(s):
    for t in AFFIXES:
        assert check(starts, s, t) == s.startswith(t)
        assert check(ends, s, t) == s.endswith(t)


@pytest.mark.parametrize("s", TEXTS)
def test_start_and_end(s):
    for t, (a, b) in itertools.product(AFFIXES, BOUNDS):
        if b is None:
            check(starts_from, s, t, a)
            check(ends_from, s, t, a)
        else:
            check(starts_between, s, t, a, b)
            check(ends_between, s, t, a, b)


@ember.njit
def literal_tuples(s):
    return (s.startswith(("hé", "wö")), s.endswith(("ld", "x")), s.startswith(("llo",), 2),
            s.endswith(("hé", "zz"), 0, 2), s.startswith(()), s.endswith(("",), 100))


@pytest.mark.parametrize("s", ["héllo wörld", "wörld héllo", "", "hé", "x"])
def test_literal_tuples(s):
    check(literal_tuples, s)


@ember.njit
def mixed(s, p):
    return s.startswith((p, "日本")), s.endswith(("🎉", p))


@pytest.mark.parametrize("s,p", [("日本語", "x"), ("party 🎉", "par"), ("abc", "abc"),
                                 ("", ""), ("naïve", "ïve")])
def test_literals_and_arguments(s, p):
    check(mixed, s, p)


@ember.njit
def count_prefixed(words, prefixes):
    n = 0
    for w in words:
        if w.startswith(prefixes):
            n += 1
    return n


def test_in_a_loop():
    words = ["über", "unter", "alpha", "ünïcode", "beta", "über-alles"]
    assert check(count_prefixed, words, ("ü", "al")) == 4


def test_tuple_with_a_non_string():
    with pytest.raises(TypingError, match=r"tuple of affixes must only contain str, not int64"):
        ember.njit(lambda s: s.startswith(("a", 1)))("abc")
    with pytest.raises(TypingError, match=r"str.endswith\(\).*float64"):
        ember.njit(lambda s, t: s.endswith(t))("abc", ("c", 1.5))


def test_affix_of_another_type():
    with pytest.raises(TypingError, match=r"must be str or a tuple of str, not int64"):
        ember.njit(lambda s: s.startswith(3))("abc")
    with pytest.raises(TypingError, match=r"start must be an integer"):
        ember.njit(lambda s: s.startswith(("a",), "b"))("abc")
