"""Regression tests for the bugs the differential fuzzer (tests/fuzz, docs/reliability.md) found:
each is the fuzzer's minimized reproducer, tidied, as a plain test comparing ember with CPython
(``f.py_func``, or the same source run uncompiled).  A bug not fixed yet is marked
``xfail(strict=True)`` with what is wrong: the mark must go when the fix lands (a strict xfail
that passes fails the run); a fixed one says in its docstring what was wrong.  A reproducer
that can crash the process runs in a subprocess."""
import math
import subprocess
import sys
import textwrap

import numpy as np
import pytest
from conftest import check

import ember
from ember import _ember


class Interpreted:
    """ember as CPython sees it: njit returns the function itself, prange is range."""

    prange = range

    @staticmethod
    def njit(*args, **options):
        return args[0] if args and callable(args[0]) else (lambda fn: fn)


def outcome(source: str, call: str, compiled: bool) -> str:
    """"returned <repr>" / "raised <exception class>" of call after source defined its
    functions; compiled: in a fresh interpreter with ember ("died <signal>" for a crash),
    else here, uncompiled."""
    if not compiled:
        ns = {"np": np, "math": math, "ember": Interpreted}
        exec(textwrap.dedent(source), ns)
        try:
            value = eval(call, ns)  # noqa: S307 - the tests' own calls
        except Exception as exc:  # noqa: BLE001
            return f"raised {type(exc).__name__}"
        # compiled code returns Python scalars where NumPy gives NumPy scalars
        return f"returned {value.item() if isinstance(value, np.generic) else value!r}"
    program = "import math\nimport numpy as np\nimport ember\n" + textwrap.dedent(source) + \
        textwrap.dedent(f"""
        try:
            print("returned", repr({call}))
        except Exception as exc:
            print("raised", type(exc).__name__)
        """)
    proc = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True,
                          timeout=300)
    if proc.returncode < 0:
        return f"died {-proc.returncode}"
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.strip().splitlines()[-1]


def check_isolated(source: str, call: str):
    expected = outcome(source, call, compiled=False)
    assert outcome(source, call, compiled=True) == expected
    return expected


# ---- array sizes: the element count or nitems * itemsize overflows int64 ---------------------

HUGE_ARRAYS = """
@ember.njit
def zeros_1d(n):
    return np.zeros(n).shape[0]

@ember.njit
def zeros_2d(n):
    return np.zeros((n, n)).shape[0]

@ember.njit
def empty_int64(n):
    return np.empty(n, np.int64).shape[0]

@ember.njit
def arange_down(n):
    return np.arange(4, n, -1).shape[0]
"""


@pytest.mark.parametrize("call", ["zeros_1d(2**62)", "zeros_2d(2**32)", "empty_int64(2**61)",
                                  "arange_down(-2**62)"])
def test_array_too_big_raises_value_error(call):
    """Fixed bug: array allocation does not check the element count or nitems * itemsize for
    overflow (lowering/CodeGenArray.cpp, allocate_array): np.zeros(2**62) 'succeeds' with a buffer
    of 0 bytes, np.arange(4, -2**62, -1) then writes past it (SIGSEGV); NumPy raises ValueError"""
    assert check_isolated(HUGE_ARRAYS, call) == "raised ValueError"


# ---- some raises leak the arrays alive at that point ------------------------------------------

@ember.njit
def zero_range_step(n, k):
    a = np.zeros(n)
    for i in range(0, n, k):
        a[i] = 1.0
    return a.sum()


@ember.njit
def negative_shift_count(n, k):
    a = np.zeros(n)
    x = n >> k
    return a.sum() + x


@ember.njit
def axis_reduction_of_empty(n, k):
    a = np.zeros(n)
    x = np.zeros((k, 3)).min(axis=0)
    return a.sum() + x.sum()


@pytest.mark.parametrize("fn, ok, bad", [(zero_range_step, (5, 1), (5, 0)),
                                         (negative_shift_count, (5, 1), (5, -1)),
                                         (axis_reduction_of_empty, (5, 2), (5, 0))],
                         ids=lambda v: getattr(v, "__name__", ""))
def test_raising_releases_the_arrays_it_owns(fn, ok, bad):
    """Fixed bug: the ValueError of a zero range() step, of a negative shift count and of an axis
    reduction (min/max) over an empty axis is raised without releasing the arrays the function owns
    (those raises have no unwind set): each of them stays alive for good"""
    check(fn, *ok)
    before = _ember.live_meminfos()
    with pytest.raises(ValueError):
        fn(*bad)
    assert _ember.live_meminfos() == before


# ---- an array variable merged from two layouts around a prange loop ---------------------------

LAYOUTS_AROUND_PRANGE = """
@ember.njit(parallel=True)
def f(a, c):
    if c:
        a = a[::-1]
    if c > 5:
        a = np.zeros(3, np.int32)
        s = 0
        for i in ember.prange(4):
            s += i
    return a[0]
"""


@pytest.mark.parametrize("call", ["f(np.arange(3, dtype=np.int32), 1)",
                                  "f(np.arange(3, dtype=np.int32), 7)"])
def test_array_layouts_merged_around_a_prange_loop(call):
    """Fixed bug: parallel=True: an array variable that is a view (layout A) on one path and a new C
    array on another, reassigned in the branch that holds a prange loop, reaches the IR verifier
    with a use its definition does not dominate (InternalError under EMBER_VERIFY=1, SIGSEGV in code
    generation without it); serial, or without the loop, it compiles"""
    check_isolated(LAYOUTS_AROUND_PRANGE, call)


# ---- np.arange of an empty range with an extreme bound -------------------------------------------

@ember.njit
def arange_len(start, stop, step):
    return np.arange(start, stop, step).shape[0]


@pytest.mark.parametrize("args", [(-3, 2**63 - 1, -1), (8, -(2**63), 2)])
def test_arange_empty_range_with_extreme_stop(args):
    """Fixed bug: np.arange computes its length from stop - start in int64, which overflows when the
    range is empty and stop is extreme on the other side: MemoryError where NumPy gives an empty
    array"""
    check(arange_len, *args)


# ---- 0.0 ** -inf ------------------------------------------------------------------------------

@ember.njit
def power(x, y):
    return x ** y


def test_zero_to_the_minus_infinity_is_inf():
    """Fixed bug: 0.0 ** -inf raises ZeroDivisionError ('0.0 cannot be raised to a negative power');
    CPython returns inf (C99 pow), raising only for a finite negative exponent"""
    check(power, 0.0, -2.0)
    check(power, 0.0, -math.inf)
    check(power, -0.0, -math.inf)


# ---- min/max along an empty axis when the result is empty too -----------------------------------

@ember.njit
def max_axis0(a):
    return a.max(axis=0)


@ember.njit
def min_axis1(a):
    return np.min(a, 1)


@pytest.mark.parametrize("fn", [max_axis0, min_axis1], ids=lambda f: f.__name__)
def test_min_max_along_an_empty_axis_of_an_empty_array_raise(fn):
    """Fixed bug: min/max along an axis of length 0 raise ValueError ('zero-size array to reduction
    operation ... which has no identity') only when the other axis is not empty: for a (0, 0) array
    (e.g. a[:-2, 1:] of a 1x1 array) ember returns an empty array"""
    check(fn, np.zeros((0, 3)) if fn is max_axis0 else np.zeros((3, 0)))
    check(fn, np.zeros((0, 0)))
    check(fn, np.ones((1, 1))[:-2, 1:])


# ---- a never-bound local read before a loop and in it ----------------------------------------

NEVER_BOUND_BEFORE_AND_IN_A_LOOP = """
@ember.njit
def f(n):
    if False:
        m = 1
    k = m
    for i in range(n):
        v = m + 1
    return 0
"""


def test_never_bound_local_read_before_and_in_a_loop():
    """a local bound on no path, read before a loop and in it, left an untyped undef in the IR
    (InternalError from the verifier; fixed)."""
    assert check_isolated(NEVER_BOUND_BEFORE_AND_IN_A_LOOP, "f(3)") == "raised UnboundLocalError"


# ---- issue 8 bugs the fuzzer found again ----------------------------------------------------

@ember.njit
def conditional_in_abs(c, x):
    return abs(1.0 if c else x)


@ember.njit
def chained_comparison_in_int(x):
    return int(0 < x < 5)


@ember.njit
def conditional_in_max(c):
    return max(1, 2 if c else 3)


def test_conditional_expressions_as_call_arguments():
    """issue 8: refused as 'the NULL marker of a call' (fixed)."""
    check(conditional_in_abs, True, -2.5)
    check(conditional_in_abs, False, -2.5)
    check(chained_comparison_in_int, 3)
    check(chained_comparison_in_int, 7)
    check(conditional_in_max, True)
    check(conditional_in_max, False)


BOUND_ON_ONE_PATH = """
@ember.njit
def scalar_in_tuple(x):
    if x < x:
        m = 0
    t = (0, m)
    return 1

@ember.njit
def array(n):
    if n > 0:
        t = np.arange(4.0)
    return t[1]

@ember.njit
def array_shape(flag):
    if flag:
        m = np.ones(3)
    return m.shape[0]

@ember.njit
def in_while_else(n):
    w = 0
    while w < n:
        a = np.ones(2)
        w += 1
    else:
        s = a[0]
    return s
"""


@pytest.mark.parametrize("call", ["scalar_in_tuple(78.5)", "array(0)", "array_shape(False)",
                                  "in_while_else(0)"])
def test_variable_bound_on_one_path_raises_unbound_local_error(call):
    """issue 8: gave garbage, or crashed for arrays (fixed)."""
    assert check_isolated(BOUND_ON_ONE_PATH, call) == "raised UnboundLocalError"


@ember.njit
def never_bound(flag):
    if False:
        m = np.ones(3)
    if flag:
        return m.shape[0]
    return -1


def test_never_bound_variable_raises_only_when_used():
    """Fixed bug: issue 8: a variable bound on no path (its only assignment is dead code) is a
    compile- time TypingError ('used here before it is assigned on every path'), so even calls that
    never reach the use fail; CPython raises UnboundLocalError only when the line runs"""
    check(never_bound, False)
    check(never_bound, True)


@ember.njit
def int_of(x):
    return int(x)


@ember.njit
def round_of(x):
    return round(x)


@ember.njit
def floor_of(x):
    return math.floor(x)


@pytest.mark.parametrize("fn", [int_of, round_of, floor_of], ids=lambda f: f.__name__)
@pytest.mark.parametrize("x", [math.nan, math.inf, -math.inf])
def test_float_to_int_of_nan_and_inf_raises(fn, x):
    """issue 8: returned 0 or INT_MAX (fixed)."""
    check(fn, x)


@ember.njit
def as_int64(a):
    return a.astype(np.int64)


@ember.njit
def as_int32_times(a, k):
    return k * a.astype(np.int32)


def test_float_to_int_array_casts_match_numpy():
    """issue 8: saturated where NumPy gives INT_MIN (fixed)."""
    with np.errstate(invalid="ignore"):
        check(as_int64, np.array([1.5, math.nan, math.inf, -math.inf, 1e300]))
        check(as_int32_times, np.array([8.75, 1099511627776.0]), 21)


# ---- never-bound locals met late: an inner loop, nested ifs, a callee that always raises -----

def outcome_here(source: str, call: str) -> str:
    """outcome() of the compiled source, in this process (for bugs that cannot crash it)."""
    ns = {"np": np, "math": math, "ember": ember}
    exec(textwrap.dedent(source), ns)
    try:
        return f"returned {eval(call, ns)!r}"  # noqa: S307 - the tests' own calls
    except Exception as exc:  # noqa: BLE001
        return f"raised {type(exc).__name__}"


NEVER_BOUND_LATE = """
@ember.njit(parallel=True)
def after_inner_loop(n):
    if False:
        m1 = -4.75
    for i in ember.prange(n):
        for j in range(0):
            pass
        t = (0, -1, m1)

@ember.njit(boundscheck=True)
def in_nested_ifs():
    if False:
        m14 = -3.25
    if False != False < False:
        m15 = int(m14)
    if 0 == m14:
        t18 = (m15, True, False)

@ember.njit
def always_raises(y0, y1):
    if not True and False != True:
        m1 = y1 - y0 / y0
    y0 *= math.trunc(9.0 + m1)
    return y0

@ember.njit
def uses_what_never_comes(n):
    if n > 0:
        return n
    return max(always_raises(3, 0.25), 0)
"""


@pytest.mark.parametrize("call", ["after_inner_loop(0)", "after_inner_loop(3)", "in_nested_ifs()",
                                  "uses_what_never_comes(2)", "uses_what_never_comes(-2)"])
def test_never_bound_locals_met_late(call):
    """Fixed bugs (fuzz seed 2, programs 6188, 12886, 10022, 11285, 19243): a prange body
    reaching its read of a never-bound local through an inner loop was refused as a loop no
    iteration leaves; a branch argument carrying a never-bound local into a block typing never
    typed failed the verifier ("undef has no type"); the result of a jitted function none of
    whose paths returns (typed None) used as a number was a TypingError although the call
    always raises UnboundLocalError first."""
    expected = outcome(NEVER_BOUND_LATE, call, compiled=False)
    assert outcome_here(NEVER_BOUND_LATE, call) == expected
