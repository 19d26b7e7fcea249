"""str's methods that make or take lists of strings (split, rsplit, splitlines, join), the
other methods of Numba's list (partition, rpartition, expandtabs, title, capitalize, swapcase,
casefold, isupper, islower, istitle, isnumeric, isprintable, isascii, isidentifier), and string
literals stored in containers.  Each is checked against CPython running the same function
uncompiled, on ASCII, Latin-1, BMP and astral text; a hypothesis test applies random scripts
of string operations compiled and uncompiled and compares every intermediate state."""
import inspect

import pytest
from conftest import check
from hypothesis import given, settings
from hypothesis import strategies as st

import ember
from ember import TypingError

TEXTS = ["", " ", "a", "hello  world ", "  lead and trail  ", "a,b,,c,", ",", "café au lait",
         "naïve\tÜnï code", "Ω≈ç √∫", "日本語 テキスト\u3000全角", "emoji 🐍🎉 mixed 🐍",
         "𝔘𝔫𝔦 𝔠𝔬𝔡𝔢", "line1\nline2\r\nline3\rline4\x0bl5\x0cl6\x1cl7\u2028l8\x85end\n",
         "\n\n", "x\ty\tz", "ΣΑΣ ΟΔΟΣ σίσυφος", "ǅungla ǆ ǈ", "ß straße ﬁne", "İstanbul",
         "hello_world1", "1st", "²³½", "\x00\x7f"]


@pytest.fixture(autouse=True)
def no_leaks(meminfo_balance):
    yield  # conftest.meminfo_balance checks the count


@ember.njit
def splits(s, sep):
    return (s.split(), s.split(None, 1), s.split(maxsplit=0), s.split(sep), s.split(sep, 1),
            s.split(sep, maxsplit=-1), s.rsplit(), s.rsplit(None, 1), s.rsplit(sep),
            s.rsplit(sep, 2), s.splitlines(), s.splitlines(True), s.splitlines(keepends=False))


@pytest.mark.parametrize("s", TEXTS)
def test_split_rsplit_splitlines(s):
    for sep in (",", " ", "a", "🐍", "ΣΑ", "\n", "ab"):
        check(splits, s, sep)


@ember.njit
def joins(sep, s):
    words = s.split()
    pieces = []
    for w in words:
        pieces.append(w.upper())
    return (sep.join(words), sep.join(pieces), "".join(words), sep.join(s), sep.join(("x", s)),
            "-".join(["a", "é", "🐍"]), sep.join([s]), sep.join(s.split(sep)), sep.join(()))


@pytest.mark.parametrize("s", TEXTS)
def test_join(s):
    for sep in ("", ", ", "é", "日", "🐍"):
        check(joins, sep, s)


@ember.njit
def partitions(s, sep):
    return s.partition(sep), s.rpartition(sep)


@pytest.mark.parametrize("s", TEXTS)
def test_partition(s):
    for sep in (" ", ",", "a", "🐍", "not there"):
        check(partitions, s, sep)


@ember.njit
def recased(s):
    return (s.title(), s.capitalize(), s.swapcase(), s.casefold(), s.lower(), s.upper(),
            s.expandtabs(), s.expandtabs(4), s.expandtabs(0))


@ember.njit
def predicates(s):
    return (s.isupper(), s.islower(), s.istitle(), s.isnumeric(), s.isprintable(), s.isascii(),
            s.isidentifier(), s.isdigit(), s.isalpha(), s.isalnum(), s.isspace(), s.isdecimal())


@pytest.mark.parametrize("s", TEXTS + ["ABC", "Abc Def", "abc", "ǅ", "_x1", "1x", "x²", "Ⅻ"])
def test_case_conversions_and_predicates(s):
    check(recased, s)
    check(predicates, s)
    for c in s:
        check(recased, c)
        check(predicates, c)


@ember.njit
def literals_in_containers(s):
    words = ["a", "b"]
    words.append("x")
    words.append(s)
    words.insert(0, "z")
    d = {}
    d["k"] = "v"
    d[s] = "w"
    e = {"one": "1", "two": s}
    seen = {"a", "b"}
    seen.add("c")
    seen.add(s)
    seen.discard("a")
    found = ("x" in words, "q" in words, "k" in d, "c" in seen, "one" in e.keys())
    got = (d["k"], d.get("missing", "dflt"), d.setdefault("k2", "new"), e.get("two"))
    pos = (words.index("x"), words.count("a"))
    words.remove("z")
    del d["k"]
    return words, sorted(d.items()), sorted(seen), found, got, pos


@pytest.mark.parametrize("s", ["", "é", "🐍x", "k"])
def test_string_literals_in_containers(s):
    check(literals_in_containers, s)


@ember.njit
def words_then_join(text):
    out = []
    for raw in text.split("\n"):
        line = raw.strip()
        if len(line) == 0 or line.startswith("#"):
            continue
        out.append(",".join([p.strip() for p in line.split(",")]))
    return out


def test_list_of_strings_returns_a_python_list():
    got = words_then_join("# h\n a , b \n\n c,d\n")
    assert type(got) is list and all(type(w) is str for w in got)
    assert got == words_then_join.py_func("# h\n a , b \n\n c,d\n")


@ember.njit
def split_empty_separator(s):
    return s.split("")


@ember.njit
def partition_empty_separator(s):
    return s.rpartition("")


def test_empty_separator_is_value_error():
    for f in (split_empty_separator, partition_empty_separator):
        with pytest.raises(ValueError, match="empty separator"):
            f("abc")
        with pytest.raises(ValueError):
            f.py_func("abc")


@ember.njit
def join_numbers(n):
    return ",".join([n, n])  # error here


@ember.njit
def split_by_number(s):
    return s.split(3)  # error here


@ember.njit
def mixed_list(s):
    return ["a", 1]  # error here


@pytest.mark.parametrize("f, arg, pattern", [(join_numbers, 1, "str.join"),
                                             (split_by_number, "a b", "separator"),
                                             (mixed_list, "", "one type")])
def test_unsupported_forms_name_the_line(f, arg, pattern):
    lines, first = inspect.getsourcelines(f.py_func)
    line = first + next(i for i, text in enumerate(lines) if "# error here" in text)
    with pytest.raises(TypingError, match=pattern) as info:
        f(arg)
    assert f"line {line}" in str(info.value), str(info.value)


# ---- random operation scripts, compared after every step -----------------------------------

@ember.njit
def apply_script(s, ops, args):
    states = []
    for k in range(len(ops)):
        op, a = ops[k], args[k]
        if op == 0:
            s = "|".join(s.split(a)) if len(a) > 0 else "|".join(s.split())
        elif op == 1:
            s = a.join(s.rsplit(None, 2)) + s.partition(a)[2] if len(a) > 0 else s.title()
        elif op == 2:
            s = s.swapcase() + a
        elif op == 3:
            s = "".join(s.splitlines(len(a) % 2 == 0)) + a
        elif op == 4:
            s = s.capitalize() if len(s) % 3 else s.casefold()
        elif op == 5:
            parts = s.split(a, 1) if len(a) > 0 else s.split(None, 1)
            parts.append(a)
            s = a.join(parts)
        elif op == 6:
            s = s.expandtabs(len(a) + 1) if len(s) < 40 else s[:10]
        else:
            s = s.replace(a, "\n") if len(a) > 0 else s + "\t"
        if len(s) > 80:
            s = s[-40:]
        states.append(s)
        states.append(str(s.isupper()) + str(s.istitle()) + str(s.isidentifier()))
    return states


alphabet = st.sampled_from(list("abAé É日🐍Σσ\t\n,_1"))
piece = st.text(alphabet, max_size=3)


@settings(max_examples=40, deadline=None)
@given(st.text(alphabet, max_size=16),
       st.lists(st.tuples(st.integers(0, 7), piece), min_size=10, max_size=10))
def test_operation_scripts(s, script):
    ops = tuple(o for o, _ in script)
    args = tuple(a for _, a in script)
    check(apply_script, s, ops, args)
