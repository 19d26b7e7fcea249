"""ember.extending: @overload and @register_jitable against the plain-Python result, the
type classes typing functions test with isinstance, and the errors of declined calls."""
import numpy as np
import pytest

import ember
from ember import types
from ember.errors import TypingError
from ember.extending import intrinsic, overload, register_jitable


def norm1(x):
    """A Python function with no compiled form of its own."""
    return float(np.abs(np.asarray(x)).sum())


@overload(norm1)
def _norm1_typer(x):
    if isinstance(x, types.Array) and isinstance(x.dtype, (types.Float, types.Integer)):
        def impl(x):
            s = 0.0
            for v in x.ravel():
                s += abs(v)
            return s
        return impl
    if isinstance(x, types.Number):
        return lambda x: float(abs(x))
    return None


def shift(x, by=1):
    return x + by


@overload(shift)
def _shift_typer(x, by=1):
    if isinstance(x, types.Integer):
        def impl(x, by=1):
            return x + by
        return impl


@register_jitable
def clamp(v, lo, hi):
    return min(max(v, lo), hi)


def test_overload_chooses_by_type_and_matches_python():
    @ember.njit
    def f(a, b, n):
        return norm1(a) + norm1(b) + norm1(n)

    a = np.array([[1.5, -2.0], [3.0, -0.25]])
    b = np.arange(-3, 4)
    assert f(a, b, -7) == norm1(a) + norm1(b) + norm1(-7)


def test_overload_keyword_and_default_arguments():
    @ember.njit
    def g(x):
        return shift(x), shift(x, 5), shift(x, by=-2)

    assert g(10) == (shift(10), shift(10, 5), shift(10, by=-2))


def test_declined_call_is_a_typing_error_at_the_users_line():
    @ember.njit
    def h(x):
        return shift(x)

    with pytest.raises(TypingError, match=r"no implementation of shift\(\) for \(float64\)") as e:
        h(1.5)
    assert "return shift(x)" in str(e.value)


def test_register_jitable_runs_in_python_and_compiled():
    @ember.njit
    def k(v):
        return clamp(v, 0.0, 1.0) + clamp(int(v), -1, 1)

    for v in (-3.5, 0.25, 7.0):
        assert k(v) == clamp(v, 0.0, 1.0) + clamp(int(v), -1, 1)
    assert clamp(5, 0, 3) == 3  # the decorated function is still the Python function


def test_string_literal_arguments_carry_their_value():
    def describe(x):
        return -1

    @overload(describe)
    def _typer(x):
        if isinstance(x, types.StringLiteral):
            n = len(x.literal_value)
            return lambda x: n * 100
        if isinstance(x, types.UnicodeType):
            return lambda x: len(x)

    @ember.njit
    def use(s):
        return describe("héllo") + describe(s)

    assert use("ab") == 502


def test_overload_of_a_numpy_name_falls_back_to_embers_own():
    seen = []

    @overload(np.median)
    def _median_typer(a):
        seen.append(a)
        if isinstance(a, types.Array) and a.dtype == types.int8:
            return lambda a: -1.0
        return None  # everything else: ember's own np.median

    try:
        @ember.njit
        def med(a):
            return np.median(a)

        assert med(np.array([3, 1, 2], np.int8)) == -1.0
        assert med(np.array([3.0, 1.0, 2.0])) == 2.0
        # (typing may ask again while it iterates to a fixed point)
        assert {repr(t) for t in seen} == {"array(int8, 1d, C)", "array(float64, 1d, C)"}
    finally:
        from ember import npapi
        npapi._user_overloads.pop(id(np.median), None)


def test_type_classes_read_like_numbas():
    a = types.float32[:, ::1]
    assert isinstance(a, types.Array) and a.dtype == types.float32 and a.ndim == 2
    assert a.layout == "C" and a.mutable
    t = types.Tuple((types.int64, types.int64))
    assert isinstance(t, types.UniTuple) and isinstance(t, types.BaseTuple) and t.count == 2
    u = types.Tuple((types.int64, types.float64))
    assert isinstance(u, types.Tuple) and u.types == (types.int64, types.float64)
    assert isinstance(types.uint8, types.Integer) and not types.uint8.signed
    assert types.int16.bitwidth == 16 and isinstance(types.float64, types.Number)
    assert isinstance(types.complex64, types.Complex)
    assert types.complex64.underlying_float == types.float32
    d = types.DictType(types.unicode_type, types.float64[:])
    assert d.key_type == types.unicode_type and d.value_type == types.float64[:]
    assert types.ListType(types.int64).item_type == types.int64
    assert types.Optional(types.int32).type == types.int32
    assert isinstance(ember.typeof([1, 2]), types.List)
    assert isinstance(ember.typeof("x"), types.UnicodeType)


def test_intrinsic_is_an_ember_intrinsic():  # its uses: tests/python/test_intrinsic.py
    from ember.intrinsics import Intrinsic

    def typer(typingctx, x):
        return None

    made = intrinsic(typer)
    assert isinstance(made, Intrinsic) and made.__name__ == "typer"
    with pytest.raises(TypeError, match="only be called from compiled code"):
        made(1)


# ---- an implementation per dtype, and the typing function's own error ----------------------

def scaled_sum(a):
    return a.sum()


@overload(scaled_sum)
def _scaled_sum_typer(a):
    if not isinstance(a, types.Array):
        raise TypingError(f"scaled_sum() wants an array, got {a}")
    if isinstance(a.dtype, types.Float):
        def float_impl(a):
            s = 0.0
            for v in a.ravel():
                s += v
            return s * 0.5
        return float_impl
    if isinstance(a.dtype, types.Integer) and a.dtype.signed:
        def int_impl(a):
            s = 0
            for v in a.ravel():
                s += v
            return s * 3
        return int_impl
    return None  # unsigned and the rest: declined


def test_overload_chosen_per_dtype():
    @ember.njit
    def f(a):
        return scaled_sum(a)

    floats, ints = np.array([1.5, 2.5, 4.0]), np.arange(-2, 7, dtype=np.int32)
    got_f, got_i = f(floats), f(ints)
    assert got_f == floats.sum() * 0.5 and isinstance(got_f, float)
    assert got_i == int(ints.sum()) * 3 and isinstance(got_i, int)
    assert f(np.ones((2, 3), dtype=np.float32)) == 3.0  # a float32 2-D array: float_impl
    with pytest.raises(TypingError, match=r"no implementation of scaled_sum\(\)"):
        f(np.arange(3, dtype=np.uint8))


def test_typing_function_raising_typing_error_shows_its_message_at_the_users_line():
    @ember.njit
    def g(x):
        y = x + 1
        return scaled_sum(y)

    with pytest.raises(TypingError, match="scaled_sum\\(\\) wants an array, got int64") as e:
        g(4)
    assert "return scaled_sum(y)" in str(e.value)
