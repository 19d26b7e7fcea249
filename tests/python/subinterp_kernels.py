"""Jitted functions that the main interpreter and sub-interpreters both import
(test_subinterpreters.py, benchmarks/subinterpreters.py): the main interpreter compiles them,
the sub-interpreters run that code (ember/_subinterpreter.py)."""

import ember


@ember.njit
def count_primes(n):
    """Compute-bound, no memory traffic: the primes below n by trial division."""
    count = 0
    for k in range(2, n):
        prime = True
        d = 2
        while d * d <= k:
            if k % d == 0:
                prime = False
                break
            d += 1
        if prime:
            count += 1
    return count


@ember.njit("float64(float64, int64)")
def scaled_harmonic(x, n):
    """An explicit signature: compiled when the main interpreter imports this module."""
    s = 0.0
    for k in range(1, n + 1):
        s += x / k
    return s


@ember.njit
def floor_div(a, b):
    if b == 0:
        raise ZeroDivisionError("floor_div by zero")
    return a // b


@ember.njit
def is_even(n, flip=False):
    return (n % 2 == 0) != flip


@ember.cfunc("float64(float64, float64)")
def sum_of_squares(x, y):
    return x * x + y * y


@ember.njit
def compiled_nowhere(x):
    """Never called in the main interpreter: a sub-interpreter cannot compile it."""
    return x + 1


@ember.njit
def through_objmode(x):
    """Runs Python code in the middle: the main interpreter's, which a sub-interpreter cannot
    run."""
    with ember.objmode(y="int64"):
        y = x + 1
    return y


# Arrays: the main interpreter compiles them for ndarrays, a sub-interpreter passes buffers
# (memoryview, array.array, bytearray, bytes) of the same dtype, ndim and layout.
@ember.njit
def weighted_sum(a, w):
    s = 0.0
    for i in range(a.shape[0]):
        s += a[i] * w[i]
    return s


@ember.njit
def scale_in_place(a, factor):
    for i in range(a.shape[0]):
        a[i] *= factor


@ember.njit
def total_2d(m):
    s = 0.0
    for i in range(m.shape[0]):
        for j in range(m.shape[1]):
            s += m[i, j] * (j + 1)
    return s


@ember.njit
def sum_any_layout(a):
    return a.sum()


@ember.njit
def count_byte(data, b):
    n = 0
    for c in data:
        if c == b:
            n += 1
    return n
