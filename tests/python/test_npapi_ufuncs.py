"""NumPy ufuncs called by name in compiled code (ember/npapi/ufuncs.py), against NumPy: the
arithmetic, comparison, logical and bitwise ufuncs on arrays (with broadcasting) and on
numbers, np.sign with NaN, np.fabs and np.reciprocal, division by zero giving inf as NumPy's
ufuncs do, and the errors for out= and unsupported dtypes."""
import numpy as np
import pytest

import ember
from ember.errors import UnsupportedError

BINARY = ["add", "subtract", "multiply", "divide", "true_divide", "floor_divide", "remainder",
          "mod", "power", "equal", "not_equal", "less", "less_equal", "greater",
          "greater_equal", "logical_and", "logical_or", "logical_xor", "logaddexp",
          "logaddexp2", "fmax", "fmin"]
INT_BINARY = ["bitwise_and", "bitwise_or", "bitwise_xor", "left_shift", "right_shift"]
UNARY = ["negative", "square", "logical_not", "exp2", "sign", "fabs", "reciprocal"]


def compiled(names, nargs):
    """One jitted function returning the tuple of np.<name>(args) for every name."""
    params = ", ".join("xy"[:nargs])
    body = ", ".join(f"np.{n}({params})" for n in names)
    scope = {"np": np}
    exec(f"def f({params}):\n    return ({body},)\n", scope)
    return ember.jit(scope["f"])


def check_all(names, nargs, args, exact=False):
    got = compiled(names, nargs)(*args)
    with np.errstate(all="ignore"):
        for name, g in zip(names, got):
            want = getattr(np, name)(*args)
            if exact:
                np.testing.assert_array_equal(g, want, err_msg=name)
                assert np.asarray(g).dtype == np.asarray(want).dtype, name
            else:
                np.testing.assert_allclose(g, want, rtol=1e-14, err_msg=name)


def test_binary_float():
    x = np.array([[1.5, -2.0, 0.0, 7.25], [3.0, np.nan, -0.5, 2.0]])
    y = np.array([2.0, -3.0, 0.5, 4.0])
    check_all(BINARY, 2, (x, y))
    check_all(["add", "divide", "power", "less", "fmax"], 2, (2.5, 1.5))


def test_division_by_zero_is_numpy_s():
    f = compiled(["divide"], 2)
    with np.errstate(all="ignore"):
        assert f(1.0, 0.0)[0] == np.inf
        np.testing.assert_array_equal(f(np.ones(2), np.zeros(2))[0],
                                      np.divide(1.0, np.zeros(2)))


def test_binary_int():
    x = np.array([5, 12, 255, 7], dtype=np.int64)
    y = np.array([1, 2, 3, 0], dtype=np.int64)
    check_all(INT_BINARY + ["add", "multiply", "equal"], 2, (x, y), exact=True)
    check_all(["bitwise_and", "left_shift"], 2, (6, 3), exact=False)


def test_unary():
    x = np.array([1.5, -2.0, 0.0, 7.25, np.nan, -np.inf])
    check_all(UNARY, 1, (x,))
    check_all(["sign", "fabs", "reciprocal"], 1, (-2.5,))
    xi = np.array([-3, 0, 4], dtype=np.int32)
    check_all(["sign", "negative", "square"], 1, (xi,), exact=True)


def test_invert_and_errors():
    x = np.array([0, 5, -7], dtype=np.int64)
    check_all(["invert"], 1, (x,), exact=True)
    check_all(["invert"], 1, (x > 0,), exact=True)
    with pytest.raises(UnsupportedError, match="np.bitwise_and"):
        compiled(["bitwise_and"], 2)(np.ones(2), np.ones(2))

    @ember.jit
    def with_where(x, o):
        return np.add(x, x, out=o, where=x > 0)
    with pytest.raises(UnsupportedError, match="where="):  # out= alone: test_npapi_ufunc_out.py
        with_where(np.ones(2), np.ones(2))
