"""ember.literally (issue 12, item 5): a parameter frozen as a compile-time constant, one
specialization per value (ember/literal_args.py)."""

import numpy as np
import pytest

import ember
from ember import literally
from ember.errors import TypingError, UnsupportedError


def test_literally_is_the_identity_in_python():
    assert literally(3) == 3
    assert ember.literally is literally
    assert "literally" in ember.__all__


def item(t, k):
    return t[literally(k)]


def test_a_constant_index_into_a_heterogeneous_tuple():
    f = ember.njit(item)
    t = (1, "a", 2.5)
    for k in range(3):
        got = f(t, k)
        assert got == item(t, k) and type(got) is type(item(t, k))
    assert len(f._impl._literal_children) == 3


def choose(flag, x):
    if literally(flag):
        return x * 2
    return "none"


def test_the_branch_on_the_value_decides_the_type():
    f = ember.njit(choose)
    assert f(True, 3) == 6
    assert f(False, 3) == "none"
    assert f(True, 4.5) == 9.0

    @ember.njit
    def default(p, x):
        literally(p)
        if p is None:
            return x
        return "given"

    assert default(None, 2) == 2 and default(3, 2) == "given"


def test_one_specialization_per_value_and_other_arguments_free():
    @ember.njit
    def shape(a, n):
        return np.zeros((ember.literally(n), 2)).shape, a.sum() + n

    for n in (4, 5, 4, 4):
        assert shape(np.arange(3.0), n) == ((n, 2), 3.0 + n)
    assert shape(np.arange(3), n=5) == ((5, 2), 8)
    assert len(shape._impl._literal_children) == 2
    # 1, 1.0 and True are different values
    assert shape(np.arange(3.0), True)[1] == 4.0
    assert len(shape._impl._literal_children) == 3


def test_a_non_argument_operand_is_a_typing_error_naming_its_line():
    def bad(n):
        m = n + 1
        return literally(m)

    with pytest.raises(TypingError, match=r"(?s)one parameter.*return literally\(m\)"):
        ember.njit(bad)(3)


def test_assigning_a_literal_parameter_is_unsupported():
    def assigns(n):
        literally(n)
        n = 2
        return n

    with pytest.raises(UnsupportedError, match=r"(?s)cannot be assigned.*n = 2"):
        ember.njit(assigns)(3)


def test_values_that_cannot_be_constants_and_calls_from_compiled_code():
    f = ember.njit(item)
    with pytest.raises(TypingError, match="ndarray cannot be a compile-time constant"):
        f((1, 2), np.arange(2))

    @ember.njit
    def caller(t):
        return f(t, 1)

    with pytest.raises(UnsupportedError, match=r"uses ember.literally\(k\)"):
        caller((1, 2))
