"""`"..." % values` in compiled code (ir/rules/FormatString.h, lowering/CodeGenString.cpp): a
literal %-format whose conversions become str.format fields, checked against CPython's own
formatting of the same values; bad formats and argument counts are TypingErrors."""
# ruff: noqa: UP031, F507 -- %-formatting, including wrong argument counts, is what is tested
import pytest
from conftest import check

import ember
from ember.errors import EmberError


@pytest.fixture(autouse=True)
def no_leaks(meminfo_balance):
    yield  # conftest.meminfo_balance checks the count


@ember.njit
def mixed(a, b, c):
    return "%d %s %.3f" % (a, b, c)


@pytest.mark.parametrize("a, b, c", [(7, "word", 3.14159), (-12, "ünï€", -0.0005), (0, "", 1e10)])
def test_mixed(a, b, c):
    check(mixed, a, b, c)


@ember.njit
def flags(i, x, s):
    return ("[%5d|%-5d|%05d|%+d|% d|%x|%X|%#x|%o|%#o]" % (i, i, i, i, i, i, i, i, i, i),
            "[%10.4f|%-10.2e|%+.1f|%g|%G|%E|%010.3f|%F]" % (x, x, x, x, x, x, x, x),
            "[%s|%8s|%-8s|%.2s|%%|%s|%s]" % (s, s, s, s, i, x))


@pytest.mark.parametrize("i, x, s", [(255, 2.5, "abc"), (-42, -1234.5678, "ü"), (0, 1e-7, "")])
def test_flags_width_precision(i, x, s):
    check(flags, i, x, s)


@ember.njit
def single(v):
    return "value=%s" % v, "n=%d" % v, "%.2f%%" % v


@pytest.mark.parametrize("v", [3, 2.75, -0.5])
def test_single_value_and_conversions_between_int_and_float(v):
    check(single, v)


@ember.njit
def booleans(flag):
    return "%s %d" % (flag, flag)


def test_bools():
    check(booleans, True)
    check(booleans, False)


@ember.njit
def too_few(a):
    return "%d %d" % (a,)


@ember.njit
def too_many(a):
    return "%d" % (a, a)


@ember.njit
def string_for_d(s):
    return "%d" % s


@ember.njit
def runtime_format(fmt, a):
    return fmt % a


@pytest.mark.parametrize("f, arg", [(too_few, 1), (too_many, 1), (string_for_d, "x"),
                                    (runtime_format, ("%d", 1))])
def test_bad_formats_are_compile_errors(f, arg):
    args = arg if isinstance(arg, tuple) else (arg,)
    with pytest.raises(EmberError):
        f(*args)
