"""Errors.

* Exceptions raised by compiled code (``raise E("message")``, ``assert cond, "message"``,
  user-defined exception classes) reach Python as that class with that message.
* Unsupported syntax or types raise ``ember.errors.TypingError`` (a TypeError) or
  ``ember.errors.UnsupportedError`` (a NotImplementedError) at compile time, naming the user's
  file and line and showing the source line.  Each offending line below carries the marker
  comment ``# error here``, which the tests look up to know the expected line.
* Unsupported argument types from Python raise TypingError naming the argument.
* No input crashes the process (checked in a subprocess).

PYTEST_DONT_REWRITE: pytest's assertion rewriting would turn the ``assert`` statements of the
compiled functions below into code that builds dicts and formats strings.
"""
import inspect
import math
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
from conftest import check

import ember
from ember.errors import InternalError, TypingError, UnsupportedError

MARKER = "# error here"


def expected_location(func):
    """(file, line number, source text) of the line of func marked with MARKER."""
    lines, first = inspect.getsourcelines(func)
    for i, line in enumerate(lines):
        if MARKER in line:
            return inspect.getsourcefile(func), first + i, line.split(MARKER)[0].strip()
    raise AssertionError(f"{func.__name__} has no line marked {MARKER!r}")


def assert_compile_error(exc_type, f, *args):
    """Calling f(*args) raises exc_type whose message names the marked line and shows it."""
    with pytest.raises(exc_type) as info:
        f(*args)
    assert not isinstance(info.value, InternalError), str(info.value)
    filename, line, text = expected_location(f.py_func)
    message = str(info.value)
    assert f"line {line}" in message, message
    assert text in message, message
    assert Path(filename).name in message, message
    return message


# ---- exceptions raised by compiled code ------------------------------------------------------

class MyError(Exception):
    pass


class MyValueError(ValueError):
    pass


@ember.jit
def raise_value_error(x):
    if x > 0:
        raise ValueError("x must not be positive")
    return x


@ember.jit
def raise_in_loop(a, bad):
    s = 0.0
    for i in range(a.shape[0]):
        if a[i] == bad:
            raise RuntimeError("bad value in the array")
        s += a[i]
    return s


@ember.jit
def raise_user_error(x):
    if x:
        raise MyError("a user-defined error")
    return 1


@ember.jit
def raise_class_only(x):
    if x:
        raise MyValueError
    return 1


@ember.jit
def assert_with_message(x):
    assert x > 0, "x must be positive"
    return x


@ember.jit
def assert_without_message(x):
    assert x > 0
    return x


def test_raise_with_constant_message():
    with pytest.raises(ValueError, match="^x must not be positive$"):
        raise_value_error(1)
    assert raise_value_error(-1) == -1


def test_raise_inside_loop():
    a = np.array([1.0, 2.0, 3.0])
    with pytest.raises(RuntimeError, match="^bad value in the array$"):
        raise_in_loop(a, 2.0)
    check(raise_in_loop, a, 5.0)


def test_raise_user_defined_exception():
    with pytest.raises(MyError, match="^a user-defined error$") as info:
        raise_user_error(True)
    assert type(info.value) is MyError


def test_raise_exception_class_without_arguments():
    with pytest.raises(MyValueError) as info:
        raise_class_only(True)
    assert type(info.value) is MyValueError
    assert info.value.args == ()


def test_assert_with_message():
    with pytest.raises(AssertionError, match="^x must be positive$"):
        assert_with_message(0)
    assert assert_with_message(3) == 3


def test_assert_without_message():
    with pytest.raises(AssertionError) as info:
        assert_without_message(0)
    assert info.value.args == ()


@ember.jit
def raising_callee(x):
    if x < 0:
        raise ValueError("negative")
    return x * 2


@ember.jit
def caller_of_raising(x):
    return raising_callee(x) + 1


def test_exception_propagates_through_jitted_calls():
    with pytest.raises(ValueError, match="^negative$"):
        caller_of_raising(-1)
    assert caller_of_raising(2) == 5


def test_exception_leaves_no_reference_leak_of_created_arrays():
    @ember.jit
    def f(n, fail):
        a = np.zeros(n)
        if fail:
            raise ValueError("failed")
        return a

    for _ in range(3):
        with pytest.raises(ValueError):
            f(10, True)
    assert f(10, False).shape == (10,)


# ---- compile-time errors: unsupported syntax -------------------------------------------------

class _CM:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


_cm = _CM()


@ember.jit
def uses_dict(x):
    d = {1: x}
    return d.setdefault(2)  # error here


@ember.jit
def reassigns_a_capture(x):
    g = lambda y: y + x  # noqa: E731
    x = 2  # error here
    return g(x)


@ember.jit
def uses_with(x):
    with _cm:  # error here
        x += 1
    return x


@ember.jit
def uses_generator(n):
    g = (i for i in range(n))  # generator expressions compile; send() does not
    return g.send(None)  # error here


@ember.jit
def uses_lambda_default(x):
    f = lambda y, k=1: y + k  # error here  # noqa: E731
    return f(x)


@ember.jit
def uses_fstring(x):
    s = f"{x!a}"  # error here: f-strings compile, ascii() conversions do not
    return s


@ember.jit
def calls_unknown_global(x):
    return not_defined_anywhere(x)  # error here  # noqa: F821


@ember.jit
def uses_undefined_variable(x):
    return x + undefined_variable  # error here  # noqa: F821


@ember.jit
def calls_a_module(x):
    return math(x)  # error here


@pytest.mark.parametrize("f", [uses_dict, reassigns_a_capture, uses_with,
                               uses_generator, uses_lambda_default, uses_fstring],
                         ids=lambda f: f.__name__)
def test_unsupported_syntax(f):
    assert_compile_error(UnsupportedError, f, 1)


@pytest.mark.parametrize("f", [calls_unknown_global, uses_undefined_variable],
                         ids=lambda f: f.__name__)
def test_undefined_name(f):
    message = assert_compile_error((TypingError, UnsupportedError), f, 1)
    assert "not defined" in message


def test_calling_a_module():
    assert_compile_error(TypingError, calls_a_module, 1.0)


def test_errors_are_builtin_subclasses():
    assert issubclass(TypingError, TypeError)
    assert issubclass(UnsupportedError, NotImplementedError)
    assert issubclass(TypingError, ember.EmberError)
    assert ember.errors.TypingError is ember.TypingError


@ember.jit
def callee_with_error(x):
    return x + (1, 2)  # error here


@ember.jit
def caller_of_bad_callee(x):
    return callee_with_error(x * 2)


def test_error_in_callee_names_the_callee_line():
    with pytest.raises(TypingError) as info:
        caller_of_bad_callee(1)
    _, line, text = expected_location(callee_with_error.py_func)
    assert f"line {line}" in str(info.value) and text in str(info.value)


# ---- compile-time errors: types --------------------------------------------------------------

@ember.jit
def array_plus_tuple(a):
    return a + (1, 2)  # error here


@ember.jit
def array_method(a):
    return a.tolist()  # error here


@ember.jit
def int_method(x):
    return x.bit_length()  # error here


@ember.jit
def str_minus_int(x):
    s = "abc"
    return s - x  # error here


@ember.jit
def store_into_readonly(a):
    a[0] = 1.0  # error here


@ember.jit
def tuple_index_out_of_range(x):
    t = (x, x)
    return t[2]  # error here


@ember.jit
def add_int_and_none(x):
    y = None
    return x + y  # error here


@ember.jit
def float_index(a):
    return a[1.5]  # error here


@ember.jit
def too_many_indices(a):
    return a[0, 1]  # error here


@ember.jit
def store_tuple_into_array(a):
    a[0] = (1, 2)  # error here


@ember.jit
def index_a_scalar(x):
    return x[0]  # error here


@ember.jit
def two_types_for_one_variable(x):
    y = 1
    if x:
        y = (1, 2)  # error here
    return y


_GLOBAL_LIST = [1, 2]
_GLOBAL_ARRAY = np.zeros(3)


@ember.jit
def reads_global_list(x):
    return _GLOBAL_LIST[x]  # error here


@ember.jit
def writes_global_array(x):
    _GLOBAL_ARRAY[x] = 1.0  # error here


@ember.jit
def reads_global_array(x):
    return _GLOBAL_ARRAY[x] + 1.0


def test_global_arrays_are_read_only_constants():
    # As in Numba: a NumPy array read from a global is frozen into the code as a constant.
    assert reads_global_array(2) == 1.0


@pytest.mark.parametrize("f, arg", [
    (float_index, np.zeros(3)), (too_many_indices, np.zeros(3)),
    (store_tuple_into_array, np.zeros(3)), (index_a_scalar, 1),
    (two_types_for_one_variable, 1), (reads_global_list, 0), (writes_global_array, 0),
], ids=lambda v: getattr(v, "__name__", ""))
def test_type_errors_name_the_line(f, arg):
    assert_compile_error((TypingError, UnsupportedError), f, arg)


@ember.jit
def two_args(a, b):
    return a + b


@ember.jit
def calls_with_missing_argument(x):
    return two_args(x)  # error here


@ember.jit
def calls_with_unknown_keyword(x):
    return two_args(x, c=1)  # error here


@pytest.mark.parametrize("f", [calls_with_missing_argument, calls_with_unknown_keyword],
                         ids=lambda f: f.__name__)
def test_bad_call_of_jitted_function_names_the_call_site(f):
    assert_compile_error(TypingError, f, 1)


@ember.jit
def reads_unknown_attribute_unused(a):
    v = a.no_such_attribute  # error here  # noqa: F841
    return 1


@ember.jit
def unknown_attribute_as_statement(a):
    a.no_such_attribute  # error here  # noqa: B018
    return 1


@pytest.mark.parametrize("f", [reads_unknown_attribute_unused, unknown_attribute_as_statement],
                         ids=lambda f: f.__name__)
def test_unknown_attribute_is_an_error_even_when_unused(f):
    # Numba types every statement: an attribute read whose value nobody uses is still checked.
    message = assert_compile_error(TypingError, f, np.zeros(3))
    assert "no_such_attribute" in message


def test_adding_an_array_to_a_tuple():
    assert_compile_error(TypingError, array_plus_tuple, np.zeros(3))


def test_unsupported_array_method():
    assert_compile_error(TypingError, array_method, np.zeros(3))


def test_unsupported_scalar_method():
    assert_compile_error(TypingError, int_method, 3)


def test_string_value_in_compiled_code():
    assert_compile_error(TypingError, str_minus_int, 1)


def test_store_into_readonly_array():
    a = np.zeros(3)
    a.setflags(write=False)
    assert_compile_error(TypingError, store_into_readonly, a)


def test_constant_tuple_index_out_of_range():
    assert_compile_error((TypingError, IndexError), tuple_index_out_of_range, 1)


def test_arithmetic_with_none():
    assert_compile_error(TypingError, add_int_and_none, 1)


@ember.jit
def recursion_without_base_case(n):
    return recursion_without_base_case(n - 1)


def test_recursion_without_a_base_case_is_a_typing_error():
    # Numba: TypingError (the return type cannot be inferred)
    with pytest.raises(TypingError) as info:
        recursion_without_base_case(3)
    assert not isinstance(info.value, InternalError)


@ember.jit
def maybe_unbound(x):
    if x > 0:
        y = 1
    return y  # noqa: F821 - unbound when x <= 0


def test_variable_defined_on_one_path_compiles():
    # CPython and Numba both return 1 here; the other path is UnboundLocalError in CPython
    assert maybe_unbound(1) == 1


# ---- unsupported arguments from Python -------------------------------------------------------

@ember.jit
def takes_value(value):
    return value


@pytest.mark.parametrize("arg", [[], {"a": 1}, memoryview(b"bytes"), set(), object(),
                                 (1, [object()]), np.array(["a", "b"]),
                                 np.array([1, None], dtype=object),
                                 np.zeros(2, dtype=[("x", "f8"), ("o", "O")]),
                                 np.arange(3, dtype=">f8"), 2**64],
                         ids=["empty-list", "dict", "memoryview", "empty-set", "object",
                              "tuple-of-list-of-object",
                              "str-array", "object-array", "object-record-array", "big-endian",
                              "int-beyond-uint64"])
def test_unsupported_argument_type(arg):
    # Families issue 13 plans (records, str arrays) are UnsupportedErrors, the rest TypingErrors.
    with pytest.raises((TypingError, UnsupportedError)) as info:
        takes_value(arg)
    assert "'value'" in str(info.value)


def test_unsupported_argument_error_names_the_type():
    with pytest.raises(TypingError, match="list"):
        takes_value([])
    with pytest.raises(UnsupportedError, match="memoryview"):  # bytes and bytearray are taken
        takes_value(memoryview(b"x"))


# ---- nothing crashes the process -------------------------------------------------------------

NASTY = r'''
import math
import numpy as np
import ember

ident = ember.jit(lambda x: x)
first = ember.jit(lambda a: a[0])

@ember.jit
def rec(n):
    return rec(n - 1)

@ember.jit
def ping(n):
    if n <= 0:
        return 0
    return pong(n - 1)

@ember.jit
def pong(n):
    return ping(n - 1) + 1

@ember.jit
def deep(n):
    if n == 0:
        return 0
    return 1 + deep(n - 1)

@ember.jit
def shift(a, b):
    return a << b

@ember.jit
def divmod_(a, b):
    return a // b, a % b

@ember.jit
def to_int(x):
    return int(x)

@ember.jit
def make(n):
    return np.empty(n)

@ember.jit
def unbound(x):
    if x > 0:
        y = 1
    return y

cases = [
    lambda: ident(2**64), lambda: ident(-2**63 - 1), lambda: first(np.arange(3, dtype=">f8")),
    lambda: first(np.array([1, "a"], dtype=object)), lambda: first(np.zeros(2, np.float16)),
    lambda: first(np.zeros(2, np.longdouble)), lambda: first(np.broadcast_to(np.ones(3), (4, 3))),
    lambda: first(np.ma.array([1.0, 2.0])), lambda: first(memoryview(b"abc")),
    lambda: ident(tuple(range(300))), lambda: ident(((((((1,),),),),),)),
    lambda: ident(ident), lambda: ident(np), lambda: ident(x for x in range(3)),
    lambda: first(np.zeros((1,) * 32)), lambda: rec(3), lambda: ping(5), lambda: deep(10000),
    lambda: shift(1, 64), lambda: shift(1, -1), lambda: divmod_(-2**63, -1),
    lambda: to_int(math.nan), lambda: to_int(math.inf), lambda: make(-1), lambda: make(2**62),
    lambda: unbound(-1),
]
for case in cases:
    try:
        case()
    except Exception:
        pass
print("survived", len(cases))
'''


def test_nasty_inputs_do_not_crash_the_process():
    proc = subprocess.run([sys.executable, "-c", textwrap.dedent(NASTY)], capture_output=True,
                          text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "survived" in proc.stdout


_HUGE_GLOBAL_ARRAY = np.zeros((17 << 20) // 8)


@ember.jit
def reads_huge_global_array(x):
    return _HUGE_GLOBAL_ARRAY[x]  # error here


def test_a_huge_global_array_is_not_frozen():
    assert_compile_error(UnsupportedError, reads_huge_global_array, 0)
