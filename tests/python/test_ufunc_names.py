"""Every ufunc of Numba's supported list called by name in compiled code, against NumPy 2: on an
F-ordered array of a random shape, a non-contiguous view, an empty C-ordered array and a number
(each a different compiled signature), for float and (where NumPy has the loop) integer
operands, with broadcasting.  Results must have NumPy's values, dtype and shape.

One kernel computes a whole group of ufuncs (a compile per group and signature keeps the file
fast; a tuple of more than 30 items is built by CPython with a list, which ember does not
compile, hence two unary groups); NAMES says which result is which.  The kernels are lambdas
in KERNELS, compiled as jit(KERNELS[group]), which is how tools/numpy_support.py sees the
names they test."""
import numpy as np

import ember

KERNELS = {
    "unary": lambda x: (
        np.abs(x), np.absolute(x), np.arccos(x), np.arcsin(x), np.arcsinh(x), np.arctan(x),
        np.arctanh(x), np.cbrt(x), np.ceil(x), np.conj(x), np.conjugate(x), np.cos(x),
        np.cosh(x), np.deg2rad(x), np.degrees(x), np.exp(x), np.exp2(x), np.expm1(x),
        np.fabs(x), np.floor(x), np.isfinite(x), np.isinf(x), np.isnan(x), np.log(x)),
    "unary2": lambda x: (
        np.log10(x), np.log1p(x), np.log2(x), np.logical_not(x), np.negative(x),
        np.rad2deg(x), np.radians(x), np.reciprocal(x), np.rint(x), np.sign(x), np.signbit(x),
        np.sin(x), np.sinh(x), np.sqrt(x), np.square(x), np.tan(x), np.tanh(x), np.trunc(x),
        np.arccosh(x + 2.0)),
    "binary": lambda x, y: (
        np.add(x, y), np.arctan2(x, y), np.copysign(x, y), np.divide(x, y), np.divmod(x, y),
        np.equal(x, y), np.floor_divide(x, y), np.fmax(x, y), np.fmin(x, y), np.fmod(x, y),
        np.greater(x, y), np.greater_equal(x, y), np.hypot(x, y), np.less(x, y),
        np.less_equal(x, y), np.logaddexp(x, y), np.logaddexp2(x, y), np.logical_and(x, y),
        np.logical_or(x, y), np.logical_xor(x, y), np.maximum(x, y), np.minimum(x, y),
        np.mod(x, y), np.multiply(x, y), np.not_equal(x, y), np.power(x, y),
        np.remainder(x, y), np.subtract(x, y), np.true_divide(x, y)),
    "integer": lambda x, y: (
        np.invert(x), np.bitwise_not(x), np.bitwise_and(x, y), np.bitwise_or(x, y),
        np.bitwise_xor(x, y), np.gcd(x, y), np.lcm(x, y), np.left_shift(x, y),
        np.right_shift(x, y), np.add(x, y), np.floor_divide(x, y), np.remainder(x, y),
        np.sign(x), np.abs(x)),
}
NAMES = {
    "unary": "abs absolute arccos arcsin arcsinh arctan arctanh cbrt ceil conj conjugate cos "
             "cosh deg2rad degrees exp exp2 expm1 fabs floor isfinite isinf isnan log".split(),
    "unary2": "log10 "
              "log1p log2 logical_not negative rad2deg radians reciprocal rint sign signbit sin "
             "sinh sqrt square tan tanh trunc arccosh".split(),
    "binary": "add arctan2 copysign divide divmod equal floor_divide fmax fmin fmod greater "
              "greater_equal hypot less less_equal logaddexp logaddexp2 logical_and logical_or "
              "logical_xor maximum minimum mod multiply not_equal power remainder subtract "
              "true_divide".split(),
    "integer": "invert bitwise_not bitwise_and bitwise_or bitwise_xor gcd lcm left_shift "
               "right_shift add floor_divide remainder sign abs".split(),
}


def operands(rng, shape, low, high, dtype):
    """F-ordered, strided (non-contiguous), empty C-ordered, and a number."""
    def draw(s):
        return rng.uniform(low, high, s).astype(dtype)
    f = np.asfortranarray(draw(shape))
    strided = draw((shape[0], 2 * shape[1]))[:, ::2]
    empty = np.empty((0, shape[1]), dtype)
    return [f, strided, empty, dtype(draw(()))]


def same(got, want, group):
    assert len(got) == len(want) == len(NAMES[group])
    for name, g, w in zip(NAMES[group], got, want):
        if isinstance(w, tuple):
            for gi, wi in zip(g, w):
                same_one(gi, wi, name)
        else:
            same_one(g, w, name)


def same_one(got, want, name):
    np.testing.assert_allclose(got, want, rtol=1e-13, atol=1e-300, equal_nan=True,
                               err_msg=name)
    assert np.asarray(got).dtype == np.asarray(want).dtype, name
    assert np.shape(got) == np.shape(want), name


def test_unary_float():
    rng = np.random.default_rng(0)
    kernels = {group: ember.jit(KERNELS[group]) for group in ("unary", "unary2")}
    shape = tuple(rng.integers(1, 6, 2))
    with np.errstate(all="ignore"):
        for x in operands(rng, shape, -0.95, 0.95, np.float64):
            for group in ("unary", "unary2"):
                same(kernels[group](x), KERNELS[group](x), group)


def test_binary_float():
    rng = np.random.default_rng(2)
    kernel = ember.jit(KERNELS["binary"])
    shape = tuple(rng.integers(1, 6, 2))
    xs = operands(rng, shape, 0.5, 3.0, np.float64)
    ys = operands(rng, shape, -2.0, 2.0, np.float64)
    row = rng.uniform(-2, 2, shape[1])
    # F with a broadcast row, strided with a number, empty with empty, number with number
    pairs = [(xs[0], row), (xs[1], ys[3]), (xs[2], ys[2]), (xs[3], ys[3])]
    with np.errstate(all="ignore"):
        for x, y in pairs:
            same(kernel(x, y), KERNELS["binary"](x, y), "binary")


def test_integer():
    rng = np.random.default_rng(3)
    kernel = ember.jit(KERNELS["integer"])
    shape = tuple(rng.integers(1, 6, 2))
    xs = operands(rng, shape, -60, 60, np.float64)
    xs = [np.asarray(x).astype(np.int64) for x in xs[:3]] + [np.int64(xs[3])]
    ys = [np.int64(3), np.abs(xs[0]) % 5 + 1, np.empty((0, shape[1]), np.int64), np.int64(2)]
    for x, y in zip(xs, ys):
        same(kernel(x, y), KERNELS["integer"](x, y), "integer")
