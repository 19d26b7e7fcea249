"""Strings in compiled code (Numba's unicode_type): every feature against CPython's result on
the same function run uncompiled (``check``), with ASCII, Latin-1, BMP and astral text, plus
random operation sequences (hypothesis) and the live-MemInfo count back to zero."""
import math

import pytest
from conftest import check
from hypothesis import given, settings
from hypothesis import strategies as st

import ember
from ember import _ember
from ember.errors import TypingError

TEXTS = ["", "a", "hello world", "  padded\t\n", "café", "naïve Ünïcode", "Ω≈ç√∫", "日本語テキスト",
         "emoji 🐍🎉 mixed", "𝔘𝔫𝔦", "a,b,,c", "x" * 40]


@ember.njit
def length(s):
    return len(s)


@ember.njit
def identity(s):
    return s


@ember.njit
def char_at(s, i):
    return s[i]


@ember.njit
def sliced(s, a, b, c):
    return s[a:b:c]


@ember.njit
def halves(s):
    return s[: len(s) // 2], s[len(s) // 2:], s[::-1], s[1::2]


@ember.njit
def concat(a, b):
    return a + b + "!" + a


@ember.njit
def repeat(a, n):
    return a * n + n * "-"


@ember.njit
def compare(a, b):
    return a == b, a != b, a < b, a <= b, a > b, a >= b


@ember.njit
def contains(a, b):
    return b in a, b not in a, "é" in a


@ember.njit
def codes(s):
    total = 0
    for c in s:
        total = (total * 31 + ord(c)) % 1000003
    return total


@ember.njit
def reverse_by_chars(s):
    out = ""
    for i in range(len(s) - 1, -1, -1):
        out += s[i]
    return out


@ember.njit
def literal_branches(x):
    if x > 0:
        s = "positive"
    elif x < 0:
        s = "négatif"
    else:
        s = "zéro"
    return s, len(s), s[0]


@pytest.mark.parametrize("s", TEXTS)
def test_len_identity_iteration(s):
    check(length, s)
    assert identity(s) is s  # an argument comes back as itself, not a copy
    check(codes, s)
    check(reverse_by_chars, s)
    check(halves, s)


@pytest.mark.parametrize("s", ["café", "日本語", "a🐍b", "plain"])
def test_indexing_and_slicing(s):
    for i in range(-len(s) - 1, len(s) + 1):
        check(char_at, s, i)  # out of range: IndexError, as CPython
    for a in (-5, -1, 0, 1, 3, 10):
        for b in (-5, -1, 0, 2, 10):
            for c in (-3, -1, 1, 2):
                check(sliced, s, a, b, c)
    with pytest.raises(ValueError):
        sliced(s, 0, 1, 0)


def test_operators():
    for a, b in [("abc", "abd"), ("", "x"), ("é", "e"), ("日本", "日"), ("🐍", "z"), ("x", "x")]:
        check(concat, a, b)
        check(compare, a, b)
        check(compare, b, a)
        check(contains, a + b, b)
    for n in (-1, 0, 1, 3):
        check(repeat, "ab", n)
        check(repeat, "é🐍", n)
    for x in (-2, 0, 5):
        check(literal_branches, x)


@ember.njit
def conversions(i, x, s, t):
    return str(i), str(x), int(s), float(t), str(True), str(i > 0)


@pytest.mark.parametrize("x", [0.0, -0.0, 1.0, 0.1, 1e16, 1e15, 123456789.125, 1e-4, 1e-5,
                               2.5e-310, 1.7976931348623157e308, -3.25, math.inf, -math.inf,
                               math.nan, 1 / 3])
def test_str_of_float_is_repr(x):
    check(conversions, -12345, x, " 42 ", "1e3")


@pytest.mark.parametrize("s,t", [("0", "0"), ("-7", "-1.5"), ("+1_000", "1_0.2_5"),
                                 ("9223372036854775807", "inf"), ("-9223372036854775808", "-nan"),
                                 ("\t12\n", "  .5  "), ("٣", "1e-400"), ("1e5", "5."),
                                 ("", "1"), ("1", ""), ("12a", "1"), ("1", "1.2.3"),
                                 ("_1", "1"), ("1", "e5"), ("1__0", "1")])
def test_int_float_of_strings(s, t):
    check(conversions, 1, 1.0, s, t)


def test_int_overflow_is_overflow_error():
    with pytest.raises(OverflowError):
        conversions(1, 1.0, "9223372036854775808", "1")


@ember.njit
def fstring(name, n, x):
    return f"{name}: {n} items, {x:.3f} each, {x!r}, {n:>6d}|{name:^9}|{n:#x} {x:e} {x:,.1f}"


@ember.njit
def fstring_plain(a, b):
    return f"{a}{b}", f"{''}", f"{a}"


def test_fstrings():
    for name, n, x in [("pi", 3, math.pi), ("é", -42, -1234567.891), ("日本", 0, 1e-7)]:
        check(fstring, name, n, x)
    check(fstring_plain, "x", 2)
    check(fstring_plain, "🐍", "é")


@ember.njit
def methods(s):
    return (s.strip(), s.lstrip(), s.rstrip(), s.strip("xa "), s.upper(), s.lower(),
            s.startswith("a"), s.endswith("é"), s.startswith("b", 1), s.endswith("a", 0, 3),
            s.find("a"), s.rfind("a"), s.find("a", 2), s.find("", 100), s.count("a"),
            s.count(""), s.replace("a", "ÅÅ"), s.replace("a", "", 1), s.replace("", "-"),
            s.isdigit(), s.isalpha(), s.isspace(), s.zfill(12), s.center(15, "*"),
            s.ljust(13), s.rjust(14, "é"))


@pytest.mark.parametrize("s", ["  banana  ", "xaax", "", "abc", "123", "  ", "éaé", "Straße",
                               "ΑΒΓ αβγ", "-42", "+7", "日本a語", "a🐍a"])
def test_methods(s):
    check(methods, s)


@ember.njit
def index_methods(s, sub):
    return s.index(sub), s.rindex(sub)


def test_index_raises_value_error():
    check(index_methods, "abcabc", "bc")
    check(index_methods, "abc", "z")


@ember.njit
def format_method(a, b, c):
    return "{} + {} = {:.2f}".format(a, b, c), "{1}{0}{{}}".format(a, b)  # noqa: UP030,UP032


def test_str_format():
    check(format_method, 1, "two", 3.14159)
    check(format_method, -5, "é", 0.0)


@ember.njit
def ord_chr_hash(s, i):
    return ord(s), chr(i), hash(s) == hash(s + ""), hash(s) == hash(chr(i))


def test_ord_chr_hash():
    for s, i in [("a", 97), ("é", 233), ("日", 0x65E5), ("🐍", 0x1F40D), ("x", 0x10FFFF)]:
        check(ord_chr_hash, s, i)
    with pytest.raises(TypeError):
        ord_chr_hash("ab", 1)
    with pytest.raises(ValueError):
        ord_chr_hash("a", 0x110000)


@ember.njit
def str_hashes(s, i, j):
    return hash(s), hash(s[i:j]), hash(s + s), hash("")


def test_hash_of_a_string_is_pythons():
    # As Numba's: CPython's SipHash-1-3 keyed by this process's _Py_HashSecret, over the text's
    # narrowest PEP 393 kind (a slice of a wider string hashes as the narrow string it equals).
    for s, i, j in [("abc", 0, 2), ("", 0, 0), ("héllo wörld", 1, 5), ("日本語テキスト", 2, 6),
                    ("a🐍b", 0, 1), ("x" * 23, 3, 20), ("ascii then 日本", 0, 10)]:
        assert str_hashes(s, i, j) == (hash(s), hash(s[i:j]), hash(s + s), hash(""))


def test_hash_is_consistent_with_equality():
    @ember.njit
    def hashes(a, b):
        return hash(a), hash(b)

    h1, h2 = hashes("日本語", "日本" + "語")
    assert h1 == h2 and h1 != -1
    assert hashes("a", "b")[0] != hashes("a", "b")[1]


@ember.njit
def callee(s):
    return s + "!"


@ember.njit
def caller(s):
    return callee(s) + callee("lit")


def test_strings_cross_calls_and_tuples():
    check(caller, "é")

    @ember.njit
    def tup(s):
        return (s, "lit", len(s))

    check(tup, "ab")


def test_typing_errors_name_the_line():
    @ember.njit
    def bad(s):
        return s + 1

    with pytest.raises(TypingError, match="unsupported operand"):
        bad("a")

    @ember.njit
    def bad_cmp(s):
        return s < 3

    with pytest.raises(TypingError, match="compare"):
        bad_cmp("a")


# ---- random operation scripts ---------------------------------------------------------------

@ember.njit
def apply_ops(s, ops, args):
    for k in range(len(ops)):
        op, a = ops[k], args[k]
        if op == 0:
            s = s + a
        elif op == 1:
            s = s[1:] if len(s) > 0 else a
        elif op == 2:
            s = s.replace(a, "")
        elif op == 3:
            s = s.upper() if len(s) % 2 == 0 else s.lower()
        elif op == 4:
            s = s.strip(a)
        elif op == 5:
            s = a + s[::-1]
        elif op == 6:
            s = s * 2 if len(s) < 64 else s[:8]
        else:
            s = s.center(len(s) + 3, "é")
    return s, len(s), s.find(args[0]), s.count("a")


alphabet = st.sampled_from(list("abcé日🐍 AZ"))
piece = st.text(alphabet, max_size=4)


@settings(max_examples=60)
@given(st.text(alphabet, max_size=12), st.lists(st.tuples(st.integers(0, 7), piece), min_size=12,
                                                max_size=12))
def test_operation_sequences(s, script):
    ops = tuple(o for o, _ in script)
    args = tuple(a for _, a in script)
    check(apply_ops, s, ops, args)


def test_no_leaks():
    @ember.njit
    def churn(s, n):
        acc = 0
        for i in range(n):
            t = (s + str(i))[1:] * 2
            if t.startswith("é"):
                acc += 1
            for c in t:
                if c == "x":
                    acc += 1
            acc += len(f"{i}:{t}".upper())
        return acc, s + "!"

    churn("éxa", 10)
    before = _ember.live_meminfos()
    for s in ("éxa", "plain", "日本🐍"):
        r = churn(s, 2000)
        assert r == churn.py_func(s, 2000)
    assert _ember.live_meminfos() == before


@ember.njit
def append_aliasing(s):
    t = s + ""
    u = t
    t += "x"
    acc = ""
    saved = acc
    for i in range(60):
        acc += str(i % 10) + s
        if i == 10:
            saved = acc
    return t, u, acc, saved, s


def test_appending_in_place_never_changes_another_reference():
    # `acc += ...` may grow acc's block in place (its only reference); every alias must keep
    # its value.
    for s in ("", "é", "ab🐍"):
        check(append_aliasing, s)


@ember.njit
def tuples_of_strings(c, a, b):
    pair = (a, 1)
    return (c in ("a", "é", "🐍"), c not in ("x", "y"), (a, 1) < (b, 0), (a, 2) == pair,
            ("k", a) >= ("k", b), c in (a, b))


def test_tuples_of_strings():
    for c, a, b in [("a", "b", "a"), ("é", "é", "é"), ("z", "", "z"), ("🐍", "日", "日本")]:
        check(tuples_of_strings, c, a, b)


@ember.njit
def optional_string(s, flag):
    t = None
    if flag:
        t = s
    if t is None:
        return "none"
    return t


def test_optional_strings():
    check(optional_string, "é", True)
    check(optional_string, "é", False)


@ember.njit
def literal_or_none(flag):
    t = None
    if flag:
        t = "lit"
    return t


def test_literal_or_none():
    check(literal_or_none, True)
    check(literal_or_none, False)
