"""@intrinsic with its body as LLVM IR text (ember/intrinsics.py, lowering/LlvmIrBody.cpp):
integer and float arithmetic, LLVM's own intrinsics (llvm.ctpop, llvm.fma), several basic
blocks, bool and void results, a load through a pointer to an array's data, typing functions
choosing per type and declining, arguments converted to the signature's types, use inside a
prange loop, and the errors: LLVM's parse and verifier messages naming the intrinsic, a codegen
function (Numba's llvmlite form), unsupported types, and a call from Python."""
import numpy as np
import pytest

import ember
from ember import njit, types
from ember.errors import TypingError
from ember.extending import intrinsic, signature


@intrinsic
def iadd(typingctx, a, b):
    return types.int64(types.int64, types.int64), """
        %s = add i64 %a, %b
        ret i64 %s"""


@intrinsic
def fmuladd(typingctx, x, y, z):
    sig = signature(types.float64, types.float64, types.float64, types.float64)
    return sig, """
        %r = call double @llvm.fma.f64(double %x, double %y, double %z)
        ret double %r"""


@intrinsic
def popcount(typingctx, x):
    """Bits set in an unsigned or signed integer of any width, as int64."""
    if not isinstance(x, types.Integer):
        return None
    bits = x.bitwidth
    widen = f"%r = zext i{bits} %c to i64" if bits < 64 else "%r = add i64 %c, 0"
    return types.int64(x), f"""
        %c = call i{bits} @llvm.ctpop.i{bits}(i{bits} %x)
        {widen}
        ret i64 %r"""


def test_integer_and_float_arithmetic():
    @njit
    def f(a, b, x):
        return iadd(a, b), fmuladd(x, 2.0, 0.5)

    assert f(40, 2, 1.25) == (42, 3.0)
    assert f(-(1 << 62), -(1 << 62), -3.0) == (-(1 << 63), -5.5)
    assert f(np.iinfo(np.int64).max, 1, 0.0)[0] == np.iinfo(np.int64).min  # LLVM's add wraps


def test_popcount_per_integer_type_through_llvm_ctpop():
    @njit
    def counts(a):
        total = 0
        for v in a:
            total += popcount(v)
        return total

    for dt in (np.int8, np.uint16, np.int32, np.uint64, np.int64):
        info = np.iinfo(dt)
        a = np.array([0, 1, 3, 255 if info.max >= 255 else 127, info.max, info.min], dt)
        expected = sum(bin(int(v) & ((1 << info.bits) - 1)).count("1") for v in a)
        assert counts(a) == expected, dt


def test_typing_function_declining_is_a_typing_error_at_the_call():
    @njit
    def f(x):
        return popcount(x)

    with pytest.raises(TypingError, match=r"@intrinsic popcount: the typing function declined "
                                          r"the argument types \(float64\)"):
        f(1.5)


def test_arguments_convert_to_the_signature():
    @intrinsic
    def as_i32_sum(typingctx, a, b):
        return types.int32(types.int32, types.int32), """
            %s = add i32 %a, %b
            ret i32 %s"""

    @njit
    def f(a, b):
        return as_i32_sum(a, b)

    assert f(7, 8) == 15  # int64 arguments, int32 parameters
    assert f(np.int16(-3), True) == -2


def test_branches_bool_and_void_results_and_pointer_loads():
    @intrinsic
    def is_odd(typingctx, x):
        return types.boolean(types.int64), """
            %b = trunc i64 %x to i1
            ret i1 %b"""

    @intrinsic
    def clamp0(typingctx, x):
        return types.float64(types.float64), """
            %neg = fcmp olt double %x, 0.0
            br i1 %neg, label %zero, label %keep
        zero:
            ret double 0.0
        keep:
            ret double %x"""

    @intrinsic
    def load_at(typingctx, address, i):
        # the i-th float64 from an address (an array's a.ctypes.data)
        return types.float64(address, types.int64), f"""
            %p = inttoptr i{address.bitwidth} %address to ptr
            %q = getelementptr double, ptr %p, i64 %i
            %v = load double, ptr %q
            ret double %v"""

    @intrinsic
    def store_at(typingctx, p, v):
        return types.none(types.CPointer(types.float64), types.float64), """
            store double %v, ptr %p
            ret void"""

    @njit
    def f(a, n):
        total = 0.0
        for i in range(a.size):
            total += clamp0(load_at(a.ctypes.data, i))
        return is_odd(n), total

    a = np.array([1.5, -2.0, 4.25, -0.5, 8.0])
    assert f(a, 7) == (True, 13.75)
    assert f(a, 10) == (False, 13.75)

    @ember.cfunc("void(CPointer(float64), float64)")
    def put(p, v):
        store_at(p, v * 2.0)

    import ctypes
    x = ctypes.c_double(0.0)
    put.ctypes(ctypes.byref(x), 1.25)
    assert x.value == 2.5


def test_intrinsic_inside_a_prange_loop():
    @njit(parallel=True)
    def f(a):
        out = np.empty(a.size, np.int64)
        for i in ember.prange(a.size):
            out[i] = popcount(a[i]) + iadd(a[i], 1)
        return out

    a = np.arange(-500, 1500, dtype=np.int64)
    want = [bin(v & (2**64 - 1)).count("1") + v + 1 for v in map(int, a)]
    np.testing.assert_array_equal(f(a), want)


def test_bad_ir_names_the_intrinsic_and_llvm_message():
    @intrinsic
    def broken(typingctx, x):
        return types.int64(types.int64), """
            %y = add i64 %x, %nowhere
            ret i64 %y"""

    @njit
    def f(x):
        return broken(x)

    with pytest.raises(TypingError, match=r"@intrinsic .*broken: LLVM cannot parse its IR: "
                                          r"use of undefined value '%nowhere' \(line 2"):
        f(1)

    @intrinsic
    def wrong_return(typingctx, x):
        return types.int64(types.int64), """
            ret double 1.0"""

    @njit
    def g(x):
        return wrong_return(x)

    with pytest.raises(TypingError, match=r"wrong_return: LLVM cannot parse its IR: .*type"):
        g(1)

    @intrinsic
    def unterminated(typingctx, x):
        return types.int64(types.int64), """
            %y = add i64 %x, 1"""

    @njit
    def h(x):
        return unterminated(x)

    with pytest.raises(TypingError, match=r"unterminated: LLVM"):
        h(1)


def test_wrong_types_and_forms_are_refused():
    @intrinsic
    def takes_array(typingctx, a):
        return types.float64(a), "ret double 0.0"

    @njit
    def f(a):
        return takes_array(a)

    with pytest.raises(TypingError, match="argument 1 has type array.*integers, floats"):
        f(np.zeros(3))

    @intrinsic
    def numba_style(typingctx, x):
        def codegen(context, builder, sig, args):
            return args[0]
        return types.int64(types.int64), codegen

    @njit
    def g(x):
        return numba_style(x)

    with pytest.raises(TypingError, match="codegen function: ember has no llvmlite"):
        g(1)

    @intrinsic
    def miscounted(typingctx, x):
        return types.int64(types.int64, types.int64), "ret i64 %x"

    @njit
    def h(x):
        return miscounted(x)

    with pytest.raises(TypingError, match="takes 2 arguments, but the call passes 1"):
        h(1)

    @njit
    def k(a):
        return iadd(a, a)

    with pytest.raises(TypingError, match=r"iadd: argument 1 is a array\(float64.*cannot be "
                                          r"passed as the signature's int64"):
        k(np.zeros(2))

    with pytest.raises(TypeError, match="only be called from compiled code"):
        iadd(1, 2)
