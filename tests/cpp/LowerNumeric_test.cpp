// Lowering of float -> integer conversions and of powers with a constant exponent (issue 8,
// items 4 and 5), checked on the LLVM IR and by running it.  NumPy's casts (np.int8(x), stores,
// astype) take their bits for NaN and out-of-range values from the target (Target::
// float_to_int_bits): compares and selects for x86-64, saturating intrinsics elsewhere; Python's
// int() raises.  `x ** k` for an integer-valued constant k is multiplies (a division for k < 0)
// and `x ** 0.5` a square root, with no call to pow.  The end-to-end comparisons with NumPy and
// CPython are tests/python/test_float_to_int.py and test_constant_power.py.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>

#include "ember/abi.h"
#include "lowering/Lower.h"
#include "targets/cpu/CpuCompiler.h"
#include "targets/cpu/CpuTarget.h"
#include "tests/cpp/LowerFixture.h"
#include "tests/cpp/TestHelpers.h"
#include "tests/cpp/TestTargets.h"

namespace ember {
namespace {

using test::c_float;
using test::c_int;
using test::LowerTest;
using test::NisBuilder;
using test::op;

bool contains(const std::string &text, const std::string &part) {
  return text.find(part) != std::string::npos;
}

class LowerNumericTest : public LowerTest {
 protected:
  double run_float(const std::shared_ptr<CompiledFunction> &fn, double x,
                   int32_t *status = nullptr) {
    double out = -123.0;
    ember_error err{};
    int32_t s = call(*fn, &out, &err, {&x});
    if (status) *status = s;
    return out;
  }
};

// 1 def f(x):
// 2     return cls(x)     (cls: np.int8 and friends, or Python's int with `python`)
FunctionInput number_class_call(ScalarKind k, bool python) {
  ConstValue cls = test::c_number_class(k);
  if (python) cls.scalar = 1;
  return NisBuilder("f", {"x"})
      .global("cls", cls)
      .code({{NisOp::PushNull, 0, -1, 2},
             {NisOp::LoadGlobal, 0},
             {NisOp::LoadFast, 0},
             {NisOp::Call, 1},
             {NisOp::ReturnValue}});
}

/// The CPU target, with the other set of float -> integer bits.
class SaturatingTarget : public test::DelegatingTarget {
 public:
  explicit SaturatingTarget(Target &cpu) : DelegatingTarget(cpu) {}
  FloatToIntBits float_to_int_bits() const override { return FloatToIntBits::Saturating; }
};

TEST_F(LowerNumericTest, NumpyCastFollowsTheTargetsBits) {
  auto fn = compile(number_class_call(ScalarKind::Int8, false), {types().float64()});
  std::string ir = compiler().llvm_ir(*fn, false);
  bool x86 = compiler().target().float_to_int_bits() == FloatToIntBits::X86;
  if (x86) {
    // int8 goes through a 32-bit conversion guarded by a range test, never a poison fptosi.
    EXPECT_TRUE(contains(ir, "fptosi double")) << ir;
    EXPECT_TRUE(contains(ir, "select")) << ir;
    EXPECT_FALSE(contains(ir, "fptosi.sat")) << ir;
  }
  SaturatingTarget saturating(compiler().target());
  llvm::LLVMContext ctx;
  LoweredModule lm = lower_module(*fn->ir, saturating, ctx);
  std::string sat_ir;
  llvm::raw_string_ostream os(sat_ir);
  lm.module->print(os, nullptr);
  EXPECT_TRUE(contains(sat_ir, "llvm.fptosi.sat.i32.f64")) << sat_ir;
  EXPECT_TRUE(contains(sat_ir, "trunc i32")) << sat_ir;
}

TEST_F(LowerNumericTest, NumpyCastGivesX86BitsOnX86) {
  if (compiler().target().float_to_int_bits() != FloatToIntBits::X86) GTEST_SKIP() << "not x86";
  struct Case {
    ScalarKind to;
    double x;
    int64_t want;  // the integer's bits, sign-extended from its width
  };
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  const int64_t min64 = std::numeric_limits<int64_t>::min();
  for (const Case &t : std::vector<Case>{
           {ScalarKind::Int64, nan, min64},
           {ScalarKind::Int64, inf, min64},
           {ScalarKind::Int64, -1e300, min64},
           {ScalarKind::Int64, 0x1p63, min64},
           {ScalarKind::Int64, -0x1p63, min64},
           {ScalarKind::Int64, -7.9, -7},
           {ScalarKind::Int32, 0x1p31, std::numeric_limits<int32_t>::min()},
           {ScalarKind::Int32, -2147483648.9, std::numeric_limits<int32_t>::min()},
           {ScalarKind::Int8, 300.7, 44},        // through int32, low 8 bits
           {ScalarKind::Int8, nan, 0},           // INT32_MIN's low 8 bits
           {ScalarKind::UInt8, -1.0, -1},        // 255
           {ScalarKind::UInt32, nan, 0},         // INT64_MIN's low 32 bits
           {ScalarKind::UInt32, -1.0, -1},       // 4294967295
           {ScalarKind::UInt64, nan, min64},     // 2^63
           {ScalarKind::UInt64, inf, 0},         // cvt(inf - 2^63) ^ 2^63
           {ScalarKind::UInt64, 0x1p63, min64},  // 2^63 exactly
           {ScalarKind::UInt64, 1.8e19, static_cast<int64_t>(18000000000000000000ull)},
       }) {
    auto fn = compile(number_class_call(t.to, false), {types().float64()});
    int64_t out = 0;
    ember_error err{};
    double x = t.x;
    ASSERT_EQ(call(*fn, &out, &err, {&x}), EMBER_OK);
    int bits = bit_width(t.to);
    int64_t got = bits == 64 ? out : (out << (64 - bits)) >> (64 - bits);  // sign-extend
    EXPECT_EQ(got, t.want) << scalar_name(t.to) << "(" << t.x << ")";
  }
}

TEST_F(LowerNumericTest, PythonIntRaisesForNanInfinityAndBigValues) {
  auto fn = compile(number_class_call(ScalarKind::Int64, true), {types().float64()});
  struct Case {
    double x;
    int32_t exc;
  };
  for (const Case &t : std::vector<Case>{{std::nan(""), EMBER_EXC_ValueError},
                                         {INFINITY, EMBER_EXC_OverflowError},
                                         {-INFINITY, EMBER_EXC_OverflowError},
                                         {0x1p63, EMBER_EXC_OverflowError},
                                         {-1e19, EMBER_EXC_OverflowError}}) {
    int64_t out = 0;
    ember_error err{};
    double x = t.x;
    ASSERT_EQ(call(*fn, &out, &err, {&x}), EMBER_RAISED) << t.x;
    EXPECT_EQ(err.exc, t.exc) << t.x;
    EXPECT_EQ(err.line, 2) << t.x;  // the call's line
  }
  for (double x : {-0x1p63, 2.9, -2.9}) {
    int64_t out = 0;
    ember_error err{};
    ASSERT_EQ(call(*fn, &out, &err, {&x}), EMBER_OK) << x;
    EXPECT_EQ(out, static_cast<int64_t>(x));
  }
}

// def f(x):
//     return x ** k     (k a constant)
FunctionInput constant_power(ConstValue k) {
  return NisBuilder("f", {"x"})
      .consts({k})
      .code({{NisOp::LoadFast, 0},
             {NisOp::LoadConst, 0},
             {NisOp::BinaryOp, op(BinOpKind::Pow)},
             {NisOp::ReturnValue}});
}

TEST_F(LowerNumericTest, IntegerValuedConstantPowerIsMultiplies) {
  for (ConstValue k : {c_int(3), c_float(3.0), c_int(6), c_int(8)}) {
    auto fn = compile(constant_power(k), {types().float64()});
    std::string ir = compiler().llvm_ir(*fn, false);
    EXPECT_FALSE(contains(ir, "pow")) << ir;
    EXPECT_TRUE(contains(ir, "fmul double")) << ir;
  }
  auto cube = compile(constant_power(c_int(3)), {types().float64()});
  EXPECT_EQ(run_float(cube, 1.5), 3.375);
  EXPECT_EQ(run_float(cube, -2.0), -8.0);
  auto six = compile(constant_power(c_int(6)), {types().float64()});
  EXPECT_EQ(run_float(six, 2.0), 64.0);
  auto zero = compile(constant_power(c_int(0)), {types().float64()});
  EXPECT_EQ(run_float(zero, std::nan("")), 1.0);  // pow(nan, 0) is 1
}

TEST_F(LowerNumericTest, NegativeConstantPowerIsAReciprocal) {
  auto fn = compile(constant_power(c_int(-2)), {types().float64()});
  std::string ir = compiler().llvm_ir(*fn, false);
  EXPECT_FALSE(contains(ir, "@llvm.pow")) << ir;
  EXPECT_TRUE(contains(ir, "fdiv double 1.000000e+00")) << ir;
  EXPECT_EQ(run_float(fn, 2.0), 0.25);
  EXPECT_EQ(run_float(fn, -0.5), 4.0);
  int32_t status = 0;
  run_float(fn, 0.0, &status);
  EXPECT_EQ(status, EMBER_RAISED);  // Python: 0.0 ** -2 raises ZeroDivisionError
}

TEST_F(LowerNumericTest, HalfPowerIsSquareRootWithPythonsSpecialCases) {
  auto fn = compile(constant_power(c_float(0.5)), {types().float64()});
  std::string ir = compiler().llvm_ir(*fn, false);
  EXPECT_FALSE(contains(ir, "pow")) << ir;
  EXPECT_TRUE(contains(ir, "llvm.sqrt.f64")) << ir;
  EXPECT_EQ(run_float(fn, 6.25), 2.5);
  double minus_zero = run_float(fn, -0.0);
  EXPECT_EQ(minus_zero, 0.0);
  EXPECT_FALSE(std::signbit(minus_zero));         // pow(-0.0, 0.5) is +0.0
  EXPECT_EQ(run_float(fn, -INFINITY), INFINITY);  // pow(-inf, 0.5) is +inf
  EXPECT_TRUE(std::isnan(run_float(fn, -4.0)));
}

TEST_F(LowerNumericTest, OtherConstantPowersStillCallPow) {
  for (ConstValue k : {c_float(2.5), c_int(17), c_float(-40.0)}) {
    auto fn = compile(constant_power(k), {types().float64()});
    EXPECT_TRUE(contains(compiler().llvm_ir(*fn, false), "@llvm.pow.f64"));
  }
}

TEST_F(LowerNumericTest, IntegerConstantPowerIsStraightLineMultiplies) {
  auto fn = compile(constant_power(c_int(5)), {types().int64()});
  std::string ir = compiler().llvm_ir(*fn, false);
  EXPECT_FALSE(contains(ir, "pow.head")) << ir;  // no loop over the exponent's bits
  EXPECT_TRUE(contains(ir, "mul i64")) << ir;
  // (2^13)^5 = 2^65 wraps to 0, as int64 arithmetic does elsewhere.
  for (auto [x, want] :
       std::vector<std::pair<int64_t, int64_t>>{{3, 243}, {-2, -32}, {0, 0}, {1LL << 13, 0}}) {
    int64_t out = 0, in = x;
    ember_error err{};
    ASSERT_EQ(call(*fn, &out, &err, {&in}), EMBER_OK);
    EXPECT_EQ(out, want) << x;
  }
  // A negative constant exponent keeps the general integer power (Numba's truncated result).
  auto neg = compile(constant_power(c_int(-1)), {types().int64()});
  EXPECT_TRUE(contains(compiler().llvm_ir(*neg, false), "pow.neg"));
}

}  // namespace
}  // namespace ember
