"""str.translate, str.maketrans (its two- and three-string forms and its dict form),
str.removeprefix and str.removesuffix in compiled code, each against CPython running the same
function uncompiled, on ASCII, Latin-1, BMP and astral text; the errors CPython raises, and
the typing errors of tables compiled code cannot use."""
import inspect

import pytest
from conftest import check

import ember
from ember import TypingError

TEXTS = ["", "a", "hello world", "abcabc", "café au lait", "naïve Ünïcode", "Ω≈ç √∫ Ω",
         "日本語 テキスト", "emoji 🐍🎉 mixed 🐍", "𝔘𝔫𝔦 𝔠𝔬𝔡𝔢", "ß straße", "\x00\x7f\xff"]


@pytest.fixture(autouse=True)
def no_leaks(meminfo_balance):
    yield  # conftest.meminfo_balance checks the count


@ember.njit
def two_strings(s, x, y):
    table = str.maketrans(x, y)
    return s.translate(table), len(table)


@ember.njit
def three_strings(s, x, y, z):
    return s.translate(str.maketrans(x, y, z))


@pytest.mark.parametrize("s", TEXTS)
def test_translate_maketrans_strings(s):
    for x, y in (("", ""), ("abc", "xyz"), ("aé日", "é日🐍"), ("🐍Ω", "ab"), ("ll", "LM"),
                 ("ü", "u"), ("\xff", "\u0100")):
        check(two_strings, s, x, y)
        for z in ("", "a", " ", "🐍é", "日本"):
            check(three_strings, s, x, y, z)


@ember.njit
def made_tables(x, y, z):
    return str.maketrans(x, y), str.maketrans(x, y, z)


def test_maketrans_returns_cpythons_table():
    got = made_tables("abé", "xy🐍", "dé")
    want = made_tables.py_func("abé", "xy🐍", "dé")
    assert [dict(t) for t in got] == list(want)
    assert dict(got[1])[ord("d")] is None


@ember.njit
def dict_tables(s):
    by_char = str.maketrans({"a": "AA", "é": "", "🐍": "snake", "Ω": "ω"})
    by_code = str.maketrans({97: 98, 233: 0x1F40D, 0x1F40D: 97})
    to_code = str.maketrans({"a": 0x65E5, "b": 98})
    code_to_str = str.maketrans({0x65E5: "sun", 32: "_"})
    literal = {ord("a"): "<a>", ord("日"): "day"}
    return (s.translate(by_char), s.translate(by_code), s.translate(to_code),
            s.translate(code_to_str), s.translate(literal))


@pytest.mark.parametrize("s", TEXTS + ["a 日 🐍 é Ω b"])
def test_translate_dict_tables(s):
    check(dict_tables, s)


@ember.njit
def deleting_table(s):
    return s.translate({ord("a"): None, ord("é"): None})


def test_translate_none_deletes():
    for s in TEXTS + ["ab ba é"]:
        check(deleting_table, s)


@ember.njit
def translate_range_error(s):
    return s.translate({ord("a"): 0x110000})


@ember.njit
def maketrans_unequal(x, y):
    return str.maketrans(x, y)


@ember.njit
def maketrans_long_key(k):
    return str.maketrans({k: "x"})


def test_errors_as_cpython():
    for f, args, exc in ((translate_range_error, ("abc",), ValueError),
                         (maketrans_unequal, ("ab", "c"), ValueError),
                         (maketrans_long_key, ("ab",), ValueError)):
        with pytest.raises(exc) as want:
            f.py_func(*args)
        with pytest.raises(exc) as got:
            f(*args)
        assert str(got.value) == str(want.value)
    assert translate_range_error("xyz") == "xyz"  # only characters that occur are mapped


@ember.njit
def affixes(s, a):
    return s.removeprefix(a), s.removesuffix(a), s.removeprefix(s), s.removesuffix("")


@pytest.mark.parametrize("s", TEXTS)
def test_removeprefix_removesuffix(s):
    for a in ("", "a", "c", "hel", "ait", "caf", "日本", "🐍", "ode", "\xff", s, s + "x"):
        check(affixes, s, a)


@ember.njit
def string_keys(s):
    return s.translate({"a": "b"})  # error here


@ember.njit
def bad_maketrans(s):
    return str.maketrans(s)  # error here


@pytest.mark.parametrize("f, pattern", [(string_keys, "keys must be integers"),
                                        (bad_maketrans, "must be a dict")])
def test_unusable_tables_name_the_line(f, pattern):
    lines, first = inspect.getsourcelines(f.py_func)
    line = first + next(i for i, text in enumerate(lines) if "# error here" in text)
    with pytest.raises(TypingError, match=pattern) as info:
        f("abc")
    assert f"line {line}" in str(info.value), str(info.value)


@ember.njit
def encoded(s):
    return s.encode()


@ember.njit
def format_mapped(s):
    return s.format_map({"a": "b"})


@pytest.mark.parametrize("f, method", [(encoded, "encode"), (format_mapped, "format_map")])
def test_str_methods_compiled_code_lacks_are_unsupported(f, method):
    with pytest.raises(ember.UnsupportedError, match=rf"str\.{method}\(\) is not supported"):
        f("abc")
