"""@overload_method and @overload_attribute: methods and attributes users give ember's types,
chosen by the receiver's type, checked against the same computation in Python; built-in
attributes keep precedence; a declined overload and an unknown attribute are TypingErrors."""
import numpy as np
import pytest

import ember
from ember import typed, types
from ember.errors import TypingError
from ember.extending import overload_attribute, overload_method


@overload_method(types.Array, "sum_of_squares")
def _array_sum_of_squares(arr, start=0.0):
    if isinstance(arr.dtype, types.Integer):
        def impl(arr, start=0.0):
            s = 0
            for v in arr.ravel():
                s += v * v
            return s + int(start)
        return impl
    if isinstance(arr.dtype, types.Float):
        def impl(arr, start=0.0):
            return (arr * arr).sum() + start
        return impl
    return None


@overload_attribute(types.Array, "span")
def _array_span(arr):
    if arr.ndim == 1:
        return lambda arr: arr.max() - arr.min()
    return None


@overload_method(types.UnicodeType, "shout")
def _str_shout(s, times):
    return lambda s, times: s.upper() + "!" * times


@overload_attribute(types.Integer, "is_even")
def _int_is_even(n):
    return lambda n: n % 2 == 0


@overload_method(types.Float, "clamp01")
def _float_clamp01(x):
    return lambda x: min(max(x, 0.0), 1.0)


@overload_attribute(types.BaseTuple, "first")
def _tuple_first(t):
    return lambda t: t[0]


@overload_method(types.ListType, "total")
def _list_total(lst):
    def impl(lst):
        s = 0
        for v in lst:
            s += v
        return s
    return impl


def test_array_method_chosen_by_dtype():
    @ember.njit
    def f(a, b):
        return a.sum_of_squares(), b.sum_of_squares(1.5), b.sum_of_squares(start=2.0)

    a = np.arange(-3, 5)
    b = np.linspace(0.0, 1.0, 6).reshape(2, 3)
    got = f(a, b)
    assert got[0] == int((a * a).sum()) and isinstance(got[0], int)
    assert got[1] == pytest.approx((b * b).sum() + 1.5)
    assert got[2] == pytest.approx((b * b).sum() + 2.0)


def test_array_attribute_and_method_on_an_array_made_in_compiled_code():
    @ember.njit
    def g(n):
        a = np.arange(n) * 3.0 - 2.0
        return a.span, (a + 1.0).sum_of_squares()

    span, squares = g(5)
    a = np.arange(5) * 3.0 - 2.0
    assert span == a.max() - a.min()
    assert squares == pytest.approx(((a + 1.0) ** 2).sum())


def test_string_integer_float_tuple_and_list_receivers():
    @ember.njit
    def h(s, n, x, t, lst):
        return s.shout(2), n.is_even, (n + 1).is_even, x.clamp01(), t.first, lst.total()

    lst = typed.List([4, 5, 6])
    assert h("hey", 10, 1.75, (7, 8.5), lst) == ("HEY!!", True, False, 1.0, 7, 15)


def test_builtin_attributes_keep_precedence():
    @overload_method(types.Array, "sum")
    def _never(arr):  # ember's own a.sum() wins, as in Numba
        return lambda arr: -1.0

    @ember.njit
    def k(a):
        return a.sum()

    a = np.arange(4.0)
    assert k(a) == 6.0


def test_declined_overload_and_unknown_attribute_are_typing_errors():
    @ember.njit
    def two_d_span(a):
        return a.span

    with pytest.raises(TypingError, match="span"):
        two_d_span(np.zeros((2, 2)))

    @ember.njit
    def missing(a):
        return a.no_such_attribute

    with pytest.raises(TypingError, match="no_such_attribute"):
        missing(np.zeros(3))

    @ember.njit
    def bool_array(a):
        return a.sum_of_squares()

    with pytest.raises(TypingError, match="sum_of_squares"):
        bool_array(np.zeros(3, dtype=np.bool_))


def test_registration_checks_its_arguments():
    with pytest.raises(TypeError, match="ember.types class"):
        overload_method(np.ndarray, "x")
    with pytest.raises(TypeError, match="identifier"):
        overload_attribute(types.Array, "not a name")


def test_methods_and_attributes_on_temporaries_do_not_leak():
    from ember import _ember

    @ember.njit
    def loop(n):
        s = 0.0
        for i in range(n):
            a = np.arange(i + 2) * 1.5
            s += a.span + (a - 1.0).sum_of_squares()
        return s

    loop(3)  # compiled, and the first allocations of every size class made
    before = _ember.live_meminfos()
    got = loop(20)
    assert _ember.live_meminfos() == before
    want = 0.0
    for i in range(20):
        a = np.arange(i + 2) * 1.5
        want += (a.max() - a.min()) + ((a - 1.0) ** 2).sum()
    assert got == pytest.approx(want)
