"""First-class function types (`types.FunctionType(sig)`, Numba's): a function chosen at run
time (an argument declared with that type, one of two such arguments picked by a condition,
an element of a tuple indexed by a run-time int, a @cfunc) is called through its native
address.  One specialization of the caller serves every function of the signature; a function
whose compiled signature differs is a TypeError, and a call that does not fit the signature a
TypingError at the call's line."""
import re

import pytest

import ember
from ember import types
from ember.errors import TypingError
from ember.types import FunctionType, boolean, float64, int64

unary = FunctionType(float64(float64))


@ember.jit
def square(x):
    return x * x


@ember.jit
def cube(x):
    return x * x * x


@ember.jit
def checked_sqrt(x):
    if x < 0:
        raise ValueError("negative", x)
    return x ** 0.5


def test_the_type_names_its_signature():
    assert repr(unary) == "FunctionType(float64(float64))"
    sig = unary.signature
    assert sig.return_type == float64 and sig.args == (float64,)
    assert types.from_code(unary.code) == unary
    assert FunctionType(int64(float64, int64)) != unary


def test_an_argument_of_function_type_is_called_indirectly():
    @ember.jit(float64(unary, float64))
    def apply(f, x):
        return f(x) + 1.0

    assert apply(square, 3.0) == 10.0
    assert apply(cube, 2.0) == 9.0
    assert apply(square, 0.5) == 1.25
    assert len(apply.nopython_signatures) == 1  # one specialization for both functions
    ir = apply.inspect_llvm(apply.nopython_signatures[0])
    assert re.search(r"call [^@\n]*%[\w.]+\(", ir), "expected an indirect call"


def test_a_function_chosen_by_a_condition():
    @ember.jit(float64(unary, unary, boolean, float64))
    def pick(f1, f2, c, x):
        f = f1 if c else f2
        return f(x)

    for c in (True, False):
        assert pick(square, cube, c, 3.0) == pick.py_func(square.py_func, cube.py_func, c, 3.0)


def test_a_tuple_of_functions_indexed_at_run_time():
    @ember.jit(float64(types.UniTuple(unary, 3), float64))
    def total(fs, x):
        s = 0.0
        for i in range(len(fs)):
            s += fs[i](x)
        return s

    fs = (square, cube, checked_sqrt)
    assert total(fs, 4.0) == 16.0 + 64.0 + 2.0


def test_newton_solver_with_function_arguments():
    @ember.jit
    def f(x):
        return x * x - 2.0

    @ember.jit
    def df(x):
        return 2.0 * x

    @ember.jit(float64(unary, unary, float64))
    def newton(g, dg, x):
        for _ in range(50):
            step = g(x) / dg(x)
            x -= step
            if abs(step) < 1e-14:
                break
        return x

    assert newton(f, df, 1.0) == pytest.approx(2.0 ** 0.5, rel=1e-15)
    assert newton(f, df, 1.0) == newton.py_func(f.py_func, df.py_func, 1.0)


def test_exceptions_of_the_called_function_propagate_and_are_caught():
    @ember.jit(float64(unary, float64))
    def guarded(f, x):
        try:
            return f(x)
        except ValueError:
            return -1.0

    @ember.jit(float64(unary, float64))
    def unguarded(f, x):
        return f(x)

    assert guarded(checked_sqrt, 9.0) == 3.0
    assert guarded(checked_sqrt, -9.0) == -1.0
    with pytest.raises(ValueError) as info:
        unguarded(checked_sqrt, -4.0)
    assert info.value.args == ("negative", -4.0)


def test_cfunc_values():
    @ember.cfunc("float64(float64)")
    def half(x):
        return x / 2.0

    @ember.jit(float64(unary, float64))
    def apply(f, x):
        return f(x)

    assert apply(half, 3.0) == 1.5

    @ember.jit
    def apply_lazily(f, x):  # typed from the cfunc's own signature
        return f(x) * 3.0

    assert apply_lazily(half, 4.0) == 6.0


def test_a_function_of_another_signature_is_a_type_error():
    @ember.jit
    def to_int(x):
        return 1

    @ember.cfunc("int64(int64)")
    def inc(n):
        return n + 1

    @ember.jit(float64(unary, float64))
    def apply(f, x):
        return f(x)

    with pytest.raises(TypeError, match=r"int64\(float64\) does not match"):
        apply(to_int, 1.0)
    with pytest.raises(TypeError, match="does not match"):
        apply(inc, 1.0)
    with pytest.raises(TypingError, match="argument 'f'"):
        apply(abs, 1.0)


def test_calls_that_do_not_fit_the_signature_name_the_line():
    def arity(f, x):
        y = x + 1.0
        return f(y, 2.0)

    with pytest.raises(TypingError, match="takes 1 argument") as info:
        ember.jit(float64(unary, float64))(arity)
    assert info.value.line == arity.__code__.co_firstlineno + 2

    def wrong_type(f, s):
        return f(s)

    with pytest.raises(TypingError, match="must be float64") as info:
        ember.jit(float64(unary, types.unicode_type))(wrong_type)
    assert info.value.line == wrong_type.__code__.co_firstlineno + 1


@ember.jit(float64(unary, float64))
def apply_unary(f, x):
    return f(x) + 1.0


@ember.jit(float64(types.UniTuple(unary, 2), int64, float64))
def apply_chosen(fs, i, x):
    return fs[i](x)


def test_a_global_jitted_function_read_in_compiled_code_is_a_function_value():
    # square and cube are read as globals of the caller and converted to FunctionType where
    # apply_unary declares it: the caller passes the address of their float64 specialization.
    @ember.jit
    def both(x):
        return apply_unary(square, x) + apply_unary(cube, x)

    @ember.jit
    def chosen_at_run_time(i, x):
        funcs = (square, cube)
        return apply_chosen(funcs, i, x)

    assert both(3.0) == both.py_func(3.0) == 10.0 + 28.0
    assert [chosen_at_run_time(i, 2.0) for i in (0, 1)] == [4.0, 8.0]
    assert len(apply_unary.nopython_signatures) == 1  # no specialization per function


def test_a_global_function_value_of_another_signature_is_a_typing_error():
    @ember.jit
    def to_int(x):
        return 1

    def caller(x):
        return apply_unary(to_int, x)

    with pytest.raises(TypingError, match="does not match"):
        ember.jit(caller)(1.0)
