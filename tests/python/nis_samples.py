"""Sample functions for the NIS normalizer's golden and differential tests.

Each sample is registered with a few argument sets (``SAMPLES[name] = (function, cases)``).
``nis_golden.py`` normalizes every sample, compares ``dump()`` with the golden file of the running
interpreter, and runs the NIS interpreter against CPython on every case.  The samples cover the
bytecode shapes of numeric kernels; plain lists, floats and the small ``Arr`` class stand in for
numpy arrays, so this module never imports numpy.
"""
import math
import sys
import types


class Arr:
    """A 1-D or 2-D stand-in for a numpy array: a flat list of numbers plus a shape."""

    def __init__(self, data, shape=None):
        self.data = list(data)
        self.shape = tuple(shape) if shape is not None else (len(self.data),)

    def _flat(self, key):
        if type(key) is tuple:
            i, j = key
            return i * self.shape[1] + j
        return key

    def __getitem__(self, key):
        if type(key) is slice:
            return Arr(self.data[key])
        return self.data[self._flat(key)]

    def __setitem__(self, key, value):
        if type(key) is slice:
            idx = range(*key.indices(len(self.data)))
            values = value.data if type(value) is Arr else [value] * len(idx)
            for k, v in zip(idx, values):
                self.data[k] = v
        else:
            self.data[self._flat(key)] = value

    def __len__(self):
        return self.shape[0]

    def __iter__(self):
        return iter(self.data)

    def __matmul__(self, other):
        return sum(x * y for x, y in zip(self.data, other.data))

    def sum(self):
        return sum(self.data)

    def __repr__(self):
        return f"Arr({self.data!r}, shape={self.shape!r})"


def _fake_numpy():
    mod = types.ModuleType("_nis_fake_numpy")
    mod.float64 = float
    mod.int64 = int
    mod.empty = lambda n, dtype=float: Arr([dtype(0)] * n)
    mod.zeros = lambda n, dtype=float: Arr([dtype(0)] * n)
    return mod


# Bound by an import statement on purpose: CPython compiles `np.empty(...)` differently when `np`
# comes from an import (LOAD_GLOBAL + LOAD_ATTR rather than a method load), as with real numpy.
# (Inside an `if` only to register the fake module first; the binding is still module-level.)
if sys.modules.setdefault("_nis_fake_numpy", _fake_numpy()):
    import _nis_fake_numpy as np

SAMPLES = {}
SCALE = 2.5


def kw(*args, **kwargs):
    """A case with keyword arguments."""
    return args, kwargs


def sample(*cases, name=None):
    """Register the decorated function with its argument tuples (or ``kw(...)`` cases)."""
    def register(func):
        SAMPLES[name or func.__name__] = (
            func, [c if len(c) == 2 and type(c[1]) is dict and type(c[0]) is tuple else (c, {})
                   for c in cases])
        return func
    return register


def helper(x, y=0, scale=1.0):
    return (x + y) * scale


@sample((2.0, Arr([1.0, 2.0, 3.0]), Arr([0.5, 0.25, 0.125]), Arr([0.0] * 3)),
        (0.5, Arr([]), Arr([]), Arr([])))
def axpy(a, x, y, out):
    n = x.shape[0]
    for i in range(n):
        out[i] = a * x[i] + y[i]
    return out


@sample((Arr([1.0, 2.0, 3.0, 4.0, 5.0, 6.0], (2, 3)),), (Arr([7.5], (1, 1)),))
def sum2d(a):
    s = 0.0
    for i in range(a.shape[0]):
        for j in range(a.shape[1]):
            s += a[i, j]
    return s


@sample((0,), (7,), (100,))
def control(n):
    i = 0
    total = 0
    while i < n:
        i += 1
        if i % 3 == 0:
            continue
        elif i % 5 == 0 and total > 2:
            total -= i
        else:
            total += i
        if total > 50:
            break
    return total, i


@sample((5, 2), (5, 9), (0, 0))
def for_else(n, k):
    for i in range(n):
        if i == k:
            break
    else:
        return -1
    return i


@sample((0,), (1,), (9,))
def ranges(n):
    s = 0
    for i in range(n):
        s += i
    for i in range(2, n):
        s += i * 2
    for i in range(n, 0, -1):
        s -= i
    for i in range(1, n, 3):
        s += i * i
    return s


@sample((Arr([1.0, 5.0, 2.0]), 1.5), (Arr([1.0, 0.0]), 3.0))
def early_return(a, t):
    for i in range(len(a)):
        if a[i] > t:
            return i
    return -1


@sample((-2.5,), (0,), (3,), (1e9,))
def several_returns(x):
    if x < 0:
        return -1
    elif x == 0:
        return 0
    if x > 1000:
        return 2
    return 1


@sample((1, 2), (5, 3), (0, 0))
def ternary(x, y):
    z = x if x > y else y  # noqa: FURB136 - the ternary is the point
    return z * 2 if z else -1


@sample((0, 2, 3), (1, 0, 4), (1, 2, 0), (0, 0, 0))
def and_or(a, b, c):
    x = a and b
    y = a or c
    z = (a and b) or c
    w = a and b and c
    return x, y, z, w


@sample((1, 2, 3), (3, 2, 1), (1, 1, 1), (0, 5, 5))
def chained(a, b, c):
    r = a < b < c
    if a <= b == c:
        r = not r
    if 0 <= a < 3:
        return r, 1
    return r, 0


@sample((3, 5, True), (-2.5, 0, False))
def unary(x, k, b):
    return -x, +x, ~k, not b, -x * 2


@sample((Arr([1, 2, 3]), 4), (Arr([]), -1))
def augmented(out, v):
    s = 1
    s += v
    s *= 3
    s -= 2
    s //= 2
    s %= 7
    s **= 2
    s <<= 1
    s >>= 1
    s |= 8
    s &= 13
    s ^= 5
    t = 10.0
    t /= 4
    for i in range(len(out)):
        out[i] += v
        out[i] *= 2
    return s, t, out


@sample((0,), (1,), (10,))
def fib(n):
    a, b = 0, 1
    for _ in range(n):
        a, b = b, a + b
    return a


@sample((7, 2), (-5, 3))
def tuple_ops(x, y):
    t = (x, y, x + y)
    a, b, c = t
    q, r = divmod(x, y)
    a, b = b, a
    return c, a - b, q, r


@sample((1,), (None,), kw(2, y=5), kw(None, y=None))
def none_checks(x, y=None):
    if y is None:
        y = 1
    if x is not None:
        y = y + x
    return x is None, y is not None, y


@sample((1,), (2.5,))
def kwcall(x):
    return helper(x, y=2) + helper(x, scale=3.0, y=1) + helper(x)


@sample((Arr([1.0, 2.0]),), (Arr([]),))
def method_call(a):
    return a.sum() + a.sum() * 2


@sample((4.0,), (2.25,))
def math_calls(x):
    return math.sqrt(x) + math.floor(x) * math.pi


@sample((3,), (0,))
def np_empty(n):
    out = np.empty(n, dtype=np.float64)
    for i in range(n):
        out[i] = i * 0.5
    return out


@sample((3,), (-1,), (7,))
def assert_pos(x):
    assert x > 0, "x must be positive"
    assert x != 7
    return x * 2


@sample((-1,), (0,), (2,))
def raise_value(x):
    if x < 0:
        raise ValueError("negative input")
    if x == 0:
        raise ZeroDivisionError("zero") from None
    return x + 1


def make_scale(k, offset):
    def scale(x):
        return x * k + offset * SCALE
    return scale


sample((2,), (0.5,), name="closure_scale")(make_scale(3, 1.5))


@sample((Arr([1.0, 2.0, 3.5]),), ([],), ((1, 2),))
def for_in(a):
    s = 0.0
    for x in a:
        s += x
    return s


@sample((Arr([1.0, 2.0, 3.0]), Arr([0.5, 0.5])), ([], [1]))
def enumerate_zip(a, b):
    s = 0.0
    for i, x in enumerate(a):
        s += i * x
    for x, y in zip(a, b):
        s += x - y
    return s


@sample((Arr([0, 1, 2, 3, 4, 5]), 5, 2), (Arr([9, 8, 7]), 2, 0))
def slices(a, n, i):
    return a[1:n - 1], a[::2], a[i:], a[:i], a[-2:], a[1:n:2]


@sample((Arr([1, 2, 3, 4, 5]), 9), (Arr([1]), 0))
def slice_store(a, v):
    a[1:3] = 0
    a[::2] = v
    return a


@sample((Arr([0.5, 1.0, 2.0]),), (Arr([]),))
def big_loop(a):
    s = 0.0
    t = 1.0
    u = 2.0
    v = 3.0
    for x in a:
        s = s * 0.5 + x
        t = t * 0.25 + x
        u = u * 1.5 + x
        v = v * 0.75 + x
        s = (s - t) * 0.5
        t = (t - u) * 0.25
        u = (u - v) * 1.5
        v = (v - s) * 0.75
        s = s + t * 0.5 - x
        t = t + u * 0.25 - x
        u = u + v * 1.5 - x
        v = v + s * 0.75 - x
        s = t * 0.5 + s * 0.125
        t = u * 0.25 + t * 0.125
        u = v * 1.5 + u * 0.125
        v = s * 0.75 + v * 0.125
        s = s * 0.5 + x
        t = t * 0.25 + x
        u = u * 1.5 + x
        v = v * 0.75 + x
        s = (s - t) * 0.5
        t = (t - u) * 0.25
        u = (u - v) * 1.5
        v = (v - s) * 0.75
        s = s + t * 0.5 - x
        t = t + u * 0.25 - x
        u = u + v * 1.5 - x
        v = v + s * 0.75 - x
        s = t * 0.5 + s * 0.125
        t = u * 0.25 + t * 0.125
        u = v * 1.5 + u * 0.125
        v = s * 0.75 + v * 0.125
        s = s * 0.5 + x
        t = t * 0.25 + x
        u = u * 1.5 + x
        v = v * 0.75 + x
        s = (s - t) * 0.5
        t = (t - u) * 0.25
        u = (u - v) * 1.5
        v = (v - s) * 0.75
        s = s + t * 0.5 - x
        t = t + u * 0.25 - x
        u = u + v * 1.5 - x
        v = v + s * 0.75 - x
        s = t * 0.5 + s * 0.125
        t = u * 0.25 + t * 0.125
        u = v * 1.5 + u * 0.125
        v = s * 0.75 + v * 0.125
        s = s * 0.5 + x
        t = t * 0.25 + x
        u = u * 1.5 + x
        v = v * 0.75 + x
        s = (s - t) * 0.5
        t = (t - u) * 0.25
        u = (u - v) * 1.5
        v = (v - s) * 0.75
        s = s + t * 0.5 - x
        t = t + u * 0.25 - x
        u = u + v * 1.5 - x
        v = v + s * 0.75 - x
    return s + t + u + v


@sample((10,), (2,), (-4,))
def while_true(n):
    while True:
        n = n - 3
        if n < 0:
            break
    return n


@sample((Arr([3, -1, 2]),), (Arr([0, 0]),))
def builtin_calls(a):
    return len(a), abs(-3), min(a[0], a[1]), max(1, 2, 3), float(a[0]), int(2.7)


@sample((1,), (4,), (6,))
def contains(x):
    return x in (1, 2, 3), x not in (4, 5)


@sample()
def consts():
    a = 1
    b = 1.0
    c = True
    d = -0.0
    e = 0.0
    f = None
    g = "s"
    h = b"b"
    i = 2j
    j = 1
    return a, b, c, d, e, f, g, h, i, j


@sample((1, 2), (0.5, -1))
def const_list(a, b):
    x = [1.0, 2.0, 3.0]
    y = [a, b]
    z = []
    return x, y, z, (a, b)


@sample(kw(3), kw(3, scale=4), kw(2.5, scale=0.5))
def kwonly(a, *, scale=2):
    return a * scale


@sample((2,), (5,))
def delete_local(x):
    y = x * 2
    del y
    y = 3
    return y + x


@sample((12, 5), (7, 3), (-9, 4))
def bitwise(a, b):
    return a & b, a | b, a ^ b, a << 2, a >> 1, a % b, a // b, a / b, a ** 2


@sample((Arr([1.0, 2.0]), Arr([3.0, 4.0])),)
def matmul(a, b):
    r = a @ b
    return r


@sample((3, 4), (5, 0))
def nested_break(n, m):
    count = 0
    for i in range(n):
        if i == 1:
            continue
        for j in range(m):
            if j > i:
                break
            count += i * j
    return count


@sample((0,), (3,), ("",), ("x",))
def if_not(x):
    if not x:
        return 0
    return 1


@sample((2,), (1.5,))
def global_read(x):
    return x * SCALE


@sample((True,), (False,))
def kw_ternary(c):
    # 3.11 joins the arms right before the keyword call; 3.12+ duplicate the call instead
    return helper(1, y=2 if c else 3)


@sample((abs, -4), (float, 3))
def call_local(f, x):
    return f(x) + f(x=0) if f is float else f(x)


@sample((True, 2.0), (False, -3.5), (0, 7.0))
def branch_in_call_args(c, x):
    # the NULL marker (or the callable) stays on the stack across the branch of each argument
    return (abs(1.0 if c else x), int(c and x > 1.0), max(1, 2 if c else 3),
            math.sin(1.0 if c else x), int(0 < x < 5), round(x if c or x > 0 else -x))


@sample((Arr([1.0, -2.0]), True), (Arr([4.0, 0.5]), False))
def branch_in_method_args(a, c):
    return a.__getitem__(0 if c else 1) + math.hypot(a[0], a[1] if c else 0.0)


@sample(([1.0, -2.0, 3.5], 2.0), ([], 1.0))
def list_comprehension(xs, k):
    # 3.11: a nested function inlined at its call; 3.12+: PEP 709's inlined loop, whose saved
    # `x` (LOAD_FAST_AND_CLEAR) is NIS LOAD_FAST_OR_UNDEF, restored after the loop
    x = 5
    a = [x * k for x in xs if x > 0]
    grid = [[i * j for j in range(i)] for i in range(3)]
    return a, grid, x
