// Lowering and the CPU JIT end to end (targets/cpu/CpuCompiler.h), scalars and control flow:
// small functions compiled from NIS and called through the ABI wrapper of ember/abi.h.  Integer
// and float floor division / modulo follow Python's sign rules (INT64_MIN // -1 wraps, as in
// Numba), division by zero raises through ember_error, control flow samples from
// tests/python/nis_samples.py give CPython's results, optional/tuple/bool results have the ABI
// layout, and calls between compiled functions bind defaults.  Arrays: LowerArrays_test.cpp.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>

#include "ember/abi.h"
#include "ember/runtime.h"
#include "ir/IRPrinter.h"
#include "targets/cpu/CpuCompiler.h"
#include "tests/cpp/LowerFixture.h"
#include "tests/cpp/TestHelpers.h"

namespace ember {
namespace {

using test::binop_function;
using test::c_builtin;
using test::c_float;
using test::c_int;
using test::c_none;
using test::FakeResolver;
using test::Ins;
using test::LowerTest;
using test::NisBuilder;
using test::op;

class IntBinopTest : public LowerTest {
 protected:
  void SetUp() override {
    floordiv_ = compile(binop_function(BinOpKind::FloorDiv), {types().int64(), types().int64()});
    mod_ = compile(binop_function(BinOpKind::Mod), {types().int64(), types().int64()});
  }
  int64_t run(const CompiledFunction &fn, int64_t a, int64_t b) {
    int64_t out = 0x5a5a;
    ember_error err{};
    int32_t status = call(fn, &out, &err, {&a, &b});
    EXPECT_EQ(status, EMBER_OK) << a << ", " << b;
    return out;
  }
  std::shared_ptr<CompiledFunction> floordiv_, mod_;
};

TEST_F(IntBinopTest, FloorDivRoundsTowardNegativeInfinity) {
  EXPECT_EQ(run(*floordiv_, 7, 2), 3);
  EXPECT_EQ(run(*floordiv_, -7, 2), -4);
  EXPECT_EQ(run(*floordiv_, 7, -2), -4);
  EXPECT_EQ(run(*floordiv_, -7, -2), 3);
  EXPECT_EQ(run(*floordiv_, 6, -3), -2);
  EXPECT_EQ(run(*floordiv_, 0, -5), 0);
  EXPECT_EQ(run(*floordiv_, -1, 3), -1);
}

TEST_F(IntBinopTest, ModTakesSignOfDivisor) {
  EXPECT_EQ(run(*mod_, 7, 2), 1);
  EXPECT_EQ(run(*mod_, -7, 2), 1);
  EXPECT_EQ(run(*mod_, 7, -2), -1);
  EXPECT_EQ(run(*mod_, -7, -2), -1);
  EXPECT_EQ(run(*mod_, 6, -3), 0);
  EXPECT_EQ(run(*mod_, -1, 3), 2);
}

TEST_F(IntBinopTest, Int64MinFloorDivMinusOneWraps) {
  const int64_t min = std::numeric_limits<int64_t>::min();
  EXPECT_EQ(run(*floordiv_, min, -1), min);  // Numba's int64 wraps; no SIGFPE
  EXPECT_EQ(run(*mod_, min, -1), 0);
  EXPECT_EQ(run(*floordiv_, min, 1), min);
  EXPECT_EQ(run(*floordiv_, min, 2), min / 2);
}

TEST_F(IntBinopTest, FloorDivByZeroRaises) {
  int64_t a = 7, b = 0, out = 0;
  ember_error err{};
  ASSERT_EQ(call(*floordiv_, &out, &err, {&a, &b}), EMBER_RAISED);
  EXPECT_EQ(err.exc, EMBER_EXC_ZeroDivisionError);
  EXPECT_EQ(err.line, 6);
  ASSERT_NE(err.msg, nullptr);
  EXPECT_NE(std::string(err.msg).find("zero"), std::string::npos) << err.msg;
}

TEST_F(IntBinopTest, ModByZeroRaises) {
  int64_t a = -7, b = 0, out = 0;
  ember_error err{};
  ASSERT_EQ(call(*mod_, &out, &err, {&a, &b}), EMBER_RAISED);
  EXPECT_EQ(err.exc, EMBER_EXC_ZeroDivisionError);
}

class FloatBinopTest : public LowerTest {
 protected:
  double run(BinOpKind kind, double a, double b) {
    auto fn = compile(binop_function(kind), {types().float64(), types().float64()});
    double out = 12345.0;
    ember_error err{};
    EXPECT_EQ(call(*fn, &out, &err, {&a, &b}), EMBER_OK) << a << ", " << b;
    return out;
  }
};

TEST_F(FloatBinopTest, FloorDivRoundsTowardNegativeInfinity) {
  EXPECT_EQ(run(BinOpKind::FloorDiv, 7.5, 2.0), 3.0);
  EXPECT_EQ(run(BinOpKind::FloorDiv, -7.5, 2.0), -4.0);
  EXPECT_EQ(run(BinOpKind::FloorDiv, 7.5, -2.0), -4.0);
  EXPECT_EQ(run(BinOpKind::FloorDiv, -7.5, -2.0), 3.0);
  EXPECT_EQ(run(BinOpKind::FloorDiv, 1.0, 0.1), 9.0);  // as CPython: fmod(1, 0.1) ~ 0.1
}

TEST_F(FloatBinopTest, FloorDivKeepsSignOfZero) {
  double z = run(BinOpKind::FloorDiv, 0.0, -3.0);
  EXPECT_EQ(z, 0.0);
  EXPECT_TRUE(std::signbit(z));  // 0.0 // -3.0 == -0.0 in Python
}

TEST_F(FloatBinopTest, ModTakesSignOfDivisor) {
  EXPECT_EQ(run(BinOpKind::Mod, -7.5, 2.0), 0.5);
  EXPECT_EQ(run(BinOpKind::Mod, 7.5, -2.0), -0.5);
  double z = run(BinOpKind::Mod, 4.0, -2.0);
  EXPECT_EQ(z, 0.0);
  EXPECT_TRUE(std::signbit(z));  // 4.0 % -2.0 == -0.0 in Python
}

TEST_F(FloatBinopTest, FloorDivByZeroRaises) {
  auto fn = compile(binop_function(BinOpKind::FloorDiv), {types().float64(), types().float64()});
  double a = 1.0, b = 0.0, out = 0;
  ember_error err{};
  ASSERT_EQ(call(*fn, &out, &err, {&a, &b}), EMBER_RAISED);
  EXPECT_EQ(err.exc, EMBER_EXC_ZeroDivisionError);
  EXPECT_EQ(err.line, 6);
}

TEST_F(FloatBinopTest, TrueDivByZeroRaises) {
  auto fn = compile(binop_function(BinOpKind::TrueDiv), {types().int64(), types().int64()});
  int64_t a = 1, b = 0;
  double out = 0;
  ember_error err{};
  ASSERT_EQ(call(*fn, &out, &err, {&a, &b}), EMBER_RAISED);
  EXPECT_EQ(err.exc, EMBER_EXC_ZeroDivisionError);
}

TEST_F(LowerTest, IntTrueDivReturnsFloat) {
  auto fn = compile(binop_function(BinOpKind::TrueDiv), {types().int64(), types().int64()});
  int64_t a = 7, b = 2;
  double out = 0;
  ember_error err{};
  ASSERT_EQ(call(*fn, &out, &err, {&a, &b}), EMBER_OK);
  EXPECT_EQ(out, 3.5);
}

// def f(a, b):
//     return a < b      (bool is one byte in the ABI)
TEST_F(LowerTest, BoolResultIsOneByte) {
  FunctionInput in = NisBuilder("f", {"a", "b"})
                         .code({{NisOp::LoadFast, 0},
                                {NisOp::LoadFast, 1},
                                {NisOp::CompareOp, static_cast<int32_t>(CmpKind::Lt)},
                                {NisOp::ReturnValue}});
  auto fn = compile(in, {types().float64(), types().int64()});
  double a = 1.5;
  int64_t b = 2;
  unsigned char out[2] = {0x77, 0x77};
  ember_error err{};
  ASSERT_EQ(call(*fn, out, &err, {&a, &b}), EMBER_OK);
  EXPECT_EQ(out[0], 1);
  EXPECT_EQ(out[1], 0x77);  // nothing written past the byte
}

// ---- conversions at the ABI ---------------------------------------------------------------------

TEST_F(LowerTest, Int8ArgumentsPromoteBeforeAdding) {
  auto fn = compile(binop_function(BinOpKind::Add),
                    {types().scalar(ScalarKind::Int8), types().scalar(ScalarKind::Int8)});
  int8_t a = 100, b = 100;
  int64_t out = 0;
  ember_error err{};
  ASSERT_EQ(call(*fn, &out, &err, {&a, &b}), EMBER_OK);
  EXPECT_EQ(out, 200);  // int64 arithmetic: no int8 wraparound
  a = -100;
  b = -100;
  ASSERT_EQ(call(*fn, &out, &err, {&a, &b}), EMBER_OK);
  EXPECT_EQ(out, -200);  // sign-extended
}

TEST_F(LowerTest, UInt8ArgumentsZeroExtend) {
  auto fn = compile(binop_function(BinOpKind::Add),
                    {types().scalar(ScalarKind::UInt8), types().scalar(ScalarKind::UInt8)});
  uint8_t a = 200, b = 100;
  uint64_t out = 0;
  ember_error err{};
  ASSERT_EQ(call(*fn, &out, &err, {&a, &b}), EMBER_OK);
  EXPECT_EQ(out, 300u);
}

TEST_F(LowerTest, Float32ResultIsFourBytes) {
  auto fn = compile(binop_function(BinOpKind::Mul),
                    {types().scalar(ScalarKind::Float32), types().scalar(ScalarKind::Float32)});
  float a = 1.5f, b = -2.0f;
  float out[2] = {0.0f, 7.0f};
  ember_error err{};
  ASSERT_EQ(call(*fn, out, &err, {&a, &b}), EMBER_OK);
  EXPECT_EQ(out[0], -3.0f);
  EXPECT_EQ(out[1], 7.0f);
}

// def f(c, x):
//     if c:
//         y = x
//     else:
//         y = None
//     return y          (optional(int64): struct { uint8 present; int64 value; })
TEST_F(LowerTest, OptionalResultLayout) {
  FunctionInput in = NisBuilder("f", {"c", "x"}, {"y"})
                         .consts({c_none()})
                         .code({{NisOp::LoadFast, 0},
                                {NisOp::PopJumpIfFalse, 5},
                                {NisOp::LoadFast, 1},
                                {NisOp::StoreFast, 2},
                                {NisOp::Jump, 7},
                                {NisOp::LoadConst, 0},
                                {NisOp::StoreFast, 2},
                                {NisOp::LoadFast, 2},
                                {NisOp::ReturnValue}});
  auto fn = compile(in, {types().boolean(), types().int64()});
  ASSERT_EQ(types().to_string(fn->ir->return_type), "optional(int64)");
  struct {
    uint8_t present;
    int64_t value;
  } out;
  ember_error err{};
  uint8_t c = 1;
  int64_t x = 42;
  std::memset(&out, 0xee, sizeof out);
  ASSERT_EQ(call(*fn, &out, &err, {&c, &x}), EMBER_OK);
  EXPECT_EQ(out.present, 1);
  EXPECT_EQ(out.value, 42);
  c = 0;
  std::memset(&out, 0xee, sizeof out);
  ASSERT_EQ(call(*fn, &out, &err, {&c, &x}), EMBER_OK);
  EXPECT_EQ(out.present, 0);
}

// ---- control flow -------------------------------------------------------------------------------

// def ranges(n):            (tests/python/nis_samples.py; NIS as CPython 3.12 normalizes it)
//     s = 0
//     for i in range(n): s += i
//     for i in range(2, n): s += i * 2
//     for i in range(n, 0, -1): s -= i
//     for i in range(1, n, 3): s += i * i
//     return s
FunctionInput ranges_function() {
  const int32_t add = op(BinOpKind::Add), sub = op(BinOpKind::Sub), mul = op(BinOpKind::Mul);
  return NisBuilder("ranges", {"n"}, {"s", "i"})
      .consts({c_int(0), c_int(2), c_int(-1), c_int(1), c_int(3)})
      .global("range", c_builtin(BuiltinId::Range))
      .code({{NisOp::LoadConst, 0},  {NisOp::StoreFast, 1},     {NisOp::PushNull},
             {NisOp::LoadGlobal, 0}, {NisOp::LoadFast, 0},      {NisOp::Call, 1},
             {NisOp::GetIter},       {NisOp::ForIter, 14},      {NisOp::StoreFast, 2},
             {NisOp::LoadFast, 1},   {NisOp::LoadFast, 2},      {NisOp::BinaryOp, add, 1},
             {NisOp::StoreFast, 1},  {NisOp::Jump, 7},          {NisOp::PushNull},  // 14
             {NisOp::LoadGlobal, 0}, {NisOp::LoadConst, 1},     {NisOp::LoadFast, 0},
             {NisOp::Call, 2},       {NisOp::GetIter},          {NisOp::ForIter, 29},  // 20
             {NisOp::StoreFast, 2},  {NisOp::LoadFast, 1},      {NisOp::LoadFast, 2},
             {NisOp::LoadConst, 1},  {NisOp::BinaryOp, mul},    {NisOp::BinaryOp, add, 1},
             {NisOp::StoreFast, 1},  {NisOp::Jump, 20},         {NisOp::PushNull},  // 29
             {NisOp::LoadGlobal, 0}, {NisOp::LoadFast, 0},      {NisOp::LoadConst, 0},
             {NisOp::LoadConst, 2},  {NisOp::Call, 3},          {NisOp::GetIter},
             {NisOp::ForIter, 43},   {NisOp::StoreFast, 2},     {NisOp::LoadFast, 1},  // 36
             {NisOp::LoadFast, 2},   {NisOp::BinaryOp, sub, 1}, {NisOp::StoreFast, 1},
             {NisOp::Jump, 36},      {NisOp::PushNull},         {NisOp::LoadGlobal, 0},  // 43
             {NisOp::LoadConst, 3},  {NisOp::LoadFast, 0},      {NisOp::LoadConst, 4},
             {NisOp::Call, 3},       {NisOp::GetIter},          {NisOp::ForIter, 59},  // 50
             {NisOp::StoreFast, 2},  {NisOp::LoadFast, 1},      {NisOp::LoadFast, 2},
             {NisOp::LoadFast, 2},   {NisOp::BinaryOp, mul},    {NisOp::BinaryOp, add, 1},
             {NisOp::StoreFast, 1},  {NisOp::Jump, 50},         {NisOp::LoadFast, 1},  // 59
             {NisOp::ReturnValue}});
}

TEST_F(LowerTest, RangeLoopsWithStartStopAndNegativeStep) {
  auto fn = compile(ranges_function(), {types().int64()});
  // CPython: ranges(0) == 0, ranges(1) == -1, ranges(9) == 127.
  for (auto [n, want] : std::vector<std::pair<int64_t, int64_t>>{{0, 0}, {1, -1}, {9, 127}}) {
    int64_t out = 0;
    ember_error err{};
    ASSERT_EQ(call(*fn, &out, &err, {&n}), EMBER_OK);
    EXPECT_EQ(out, want) << "n = " << n;
  }
}

// def control(n):           (tests/python/nis_samples.py; NIS as CPython 3.12 normalizes it)
//     i = 0
//     total = 0
//     while i < n:
//         i += 1
//         if i % 3 == 0:
//             continue
//         elif i % 5 == 0 and total > 2:
//             total -= i
//         else:
//             total += i
//         if total > 50:
//             break
//     return total, i
FunctionInput control_function() {
  const int32_t add = op(BinOpKind::Add), sub = op(BinOpKind::Sub), mod = op(BinOpKind::Mod);
  const int32_t lt = static_cast<int32_t>(CmpKind::Lt), eq = static_cast<int32_t>(CmpKind::Eq),
                gt = static_cast<int32_t>(CmpKind::Gt);
  return NisBuilder("control", {"n"}, {"i", "total"})
      .consts({c_int(0), c_int(1), c_int(3), c_int(5), c_int(2), c_int(50)})
      .code({{NisOp::LoadConst, 0},
             {NisOp::StoreFast, 1},
             {NisOp::LoadConst, 0},
             {NisOp::StoreFast, 2},
             {NisOp::LoadFast, 1},
             {NisOp::LoadFast, 0},  // 4
             {NisOp::CompareOp, lt},
             {NisOp::PopJumpIfFalse, 51},
             {NisOp::LoadFast, 1},  // 8
             {NisOp::LoadConst, 1},
             {NisOp::BinaryOp, add, 1},
             {NisOp::StoreFast, 1},
             {NisOp::LoadFast, 1},
             {NisOp::LoadConst, 2},
             {NisOp::BinaryOp, mod},
             {NisOp::LoadConst, 0},
             {NisOp::CompareOp, eq},
             {NisOp::PopJumpIfFalse, 19},
             {NisOp::Jump, 4},
             {NisOp::LoadFast, 1},
             {NisOp::LoadConst, 3},  // 19
             {NisOp::BinaryOp, mod},
             {NisOp::LoadConst, 0},
             {NisOp::CompareOp, eq},
             {NisOp::PopJumpIfFalse, 34},
             {NisOp::LoadFast, 2},
             {NisOp::LoadConst, 4},
             {NisOp::CompareOp, gt},
             {NisOp::PopJumpIfFalse, 34},
             {NisOp::LoadFast, 2},
             {NisOp::LoadFast, 1},
             {NisOp::BinaryOp, sub, 1},
             {NisOp::StoreFast, 2},
             {NisOp::Jump, 38},
             {NisOp::LoadFast, 2},
             {NisOp::LoadFast, 1},  // 34
             {NisOp::BinaryOp, add, 1},
             {NisOp::StoreFast, 2},
             {NisOp::LoadFast, 2},  // 38
             {NisOp::LoadConst, 5},
             {NisOp::CompareOp, gt},
             {NisOp::PopJumpIfFalse, 46},
             {NisOp::LoadFast, 2},
             {NisOp::LoadFast, 1},
             {NisOp::BuildTuple, 2},
             {NisOp::ReturnValue},
             {NisOp::LoadFast, 1},
             {NisOp::LoadFast, 0},  // 46
             {NisOp::CompareOp, lt},
             {NisOp::PopJumpIfFalse, 51},
             {NisOp::Jump, 8},
             {NisOp::LoadFast, 2},
             {NisOp::LoadFast, 1},
             {NisOp::BuildTuple, 2},  // 51
             {NisOp::ReturnValue}});
}

TEST_F(LowerTest, WhileLoopWithContinueBreakAndTupleResult) {
  auto fn = compile(control_function(), {types().int64()});
  ASSERT_EQ(types().to_string(fn->ir->return_type), "tuple(int64, int64)");
  // CPython: control(0) == (0, 0), control(7) == (9, 7), control(100) == (61, 16).
  struct Pair {
    int64_t total, i;
  };
  for (auto [n, want] :
       std::vector<std::pair<int64_t, Pair>>{{0, {0, 0}}, {7, {9, 7}}, {100, {61, 16}}}) {
    Pair out{-1, -1};
    ember_error err{};
    ASSERT_EQ(call(*fn, &out, &err, {&n}), EMBER_OK);
    EXPECT_EQ(out.total, want.total) << "n = " << n;
    EXPECT_EQ(out.i, want.i) << "n = " << n;
  }
}

// def and_or(a, b, c):     (tests/python/nis_samples.py; stack phis through COPY)
//     x = a and b
//     y = a or c
//     z = (a and b) or c
//     w = a and b and c
//     return x, y, z, w
FunctionInput and_or_function() {
  return NisBuilder("and_or", {"a", "b", "c"}, {"x", "y", "z", "w"})
      .code({{NisOp::LoadFast, 0},        {NisOp::Copy, 1},
             {NisOp::PopJumpIfFalse, 5},  {NisOp::PopTop},
             {NisOp::LoadFast, 1},        {NisOp::StoreFast, 3},  // 5
             {NisOp::LoadFast, 0},        {NisOp::Copy, 1},
             {NisOp::PopJumpIfTrue, 11},  {NisOp::PopTop},
             {NisOp::LoadFast, 2},        {NisOp::StoreFast, 4},  // 11
             {NisOp::LoadFast, 0},        {NisOp::Copy, 1},
             {NisOp::PopJumpIfFalse, 17}, {NisOp::PopTop},
             {NisOp::LoadFast, 1},        {NisOp::Copy, 1},  // 17
             {NisOp::PopJumpIfTrue, 21},  {NisOp::PopTop},
             {NisOp::LoadFast, 2},        {NisOp::StoreFast, 5},
             {NisOp::LoadFast, 0},        {NisOp::Copy, 1},  // 21
             {NisOp::PopJumpIfFalse, 31}, {NisOp::PopTop},
             {NisOp::LoadFast, 1},        {NisOp::Copy, 1},
             {NisOp::PopJumpIfFalse, 31}, {NisOp::PopTop},
             {NisOp::LoadFast, 2},        {NisOp::StoreFast, 6},
             {NisOp::LoadFast, 3},  // 31
             {NisOp::LoadFast, 4},        {NisOp::LoadFast, 5},
             {NisOp::LoadFast, 6},        {NisOp::BuildTuple, 4},
             {NisOp::ReturnValue}});
}

TEST_F(LowerTest, AndOrValuesThroughStackPhis) {
  auto fn = compile(and_or_function(), {types().int64(), types().int64(), types().int64()});
  struct Quad {
    int64_t x, y, z, w;
  };
  struct Case {
    int64_t a, b, c;
    Quad want;
  };
  // CPython's results for the samples.
  for (const Case &k : std::vector<Case>{{0, 2, 3, {0, 3, 3, 0}},
                                         {1, 0, 4, {0, 1, 4, 0}},
                                         {1, 2, 0, {2, 1, 2, 0}},
                                         {0, 0, 0, {0, 0, 0, 0}}}) {
    Quad out{-1, -1, -1, -1};
    ember_error err{};
    int64_t a = k.a, b = k.b, c = k.c;
    ASSERT_EQ(call(*fn, &out, &err, {&a, &b, &c}), EMBER_OK);
    EXPECT_EQ(out.x, k.want.x) << a << b << c;
    EXPECT_EQ(out.y, k.want.y) << a << b << c;
    EXPECT_EQ(out.z, k.want.z) << a << b << c;
    EXPECT_EQ(out.w, k.want.w) << a << b << c;
  }
}

// def chained(a, b, c):    (tests/python/nis_samples.py; SWAP/COPY and stack phis)
//     r = a < b < c
//     if a <= b == c:
//         r = not r
//     if 0 <= a < 3:
//         return r, 1
//     return r, 0
FunctionInput chained_function() {
  const int32_t lt = static_cast<int32_t>(CmpKind::Lt), le = static_cast<int32_t>(CmpKind::Le),
                eq = static_cast<int32_t>(CmpKind::Eq);
  const int32_t unary_not = static_cast<int32_t>(UnaryKind::Not);
  return NisBuilder("chained", {"a", "b", "c"}, {"r"})
      .consts({c_int(0), c_int(3), c_int(1)})
      .code({{NisOp::LoadFast, 0},
             {NisOp::LoadFast, 1},
             {NisOp::Swap, 2},
             {NisOp::Copy, 2},
             {NisOp::CompareOp, lt},
             {NisOp::Copy, 1},
             {NisOp::PopJumpIfFalse, 11},
             {NisOp::PopTop},
             {NisOp::LoadFast, 2},
             {NisOp::CompareOp, lt},
             {NisOp::Jump, 13},
             {NisOp::Swap, 2},  // 11
             {NisOp::PopTop},
             {NisOp::StoreFast, 3},
             {NisOp::LoadFast, 0},  // 13
             {NisOp::LoadFast, 1},
             {NisOp::Swap, 2},
             {NisOp::Copy, 2},
             {NisOp::CompareOp, le},
             {NisOp::PopJumpIfFalse, 24},
             {NisOp::LoadFast, 2},
             {NisOp::CompareOp, eq},
             {NisOp::PopJumpIfFalse, 29},
             {NisOp::Jump, 26},
             {NisOp::PopTop},
             {NisOp::Jump, 29},
             {NisOp::LoadFast, 3},  // 24
             {NisOp::Unary, unary_not},
             {NisOp::StoreFast, 3},
             {NisOp::LoadConst, 0},  // 27
             {NisOp::LoadFast, 0},
             {NisOp::Swap, 2},
             {NisOp::Copy, 2},  // 30
             {NisOp::CompareOp, le},
             {NisOp::PopJumpIfFalse, 42},
             {NisOp::LoadConst, 1},
             {NisOp::CompareOp, lt},
             {NisOp::PopJumpIfFalse, 47},
             {NisOp::LoadFast, 3},
             {NisOp::LoadConst, 2},
             {NisOp::BuildTuple, 2},
             {NisOp::ReturnValue},
             {NisOp::PopTop},
             {NisOp::LoadFast, 3},
             {NisOp::LoadConst, 0},  // 42
             {NisOp::BuildTuple, 2},
             {NisOp::ReturnValue},
             {NisOp::LoadFast, 3},  // 45
             {NisOp::LoadConst, 0},
             {NisOp::BuildTuple, 2},
             {NisOp::ReturnValue}});
}

TEST_F(LowerTest, ChainedComparisons) {
  auto fn = compile(chained_function(), {types().int64(), types().int64(), types().int64()});
  ASSERT_EQ(types().to_string(fn->ir->return_type), "tuple(bool, int64)");
  struct Result {
    uint8_t r;
    int64_t k;
  };
  struct Case {
    int64_t a, b, c;
    bool r;
    int64_t k;
  };
  // CPython's results.
  for (const Case &t : std::vector<Case>{{1, 2, 3, true, 1},
                                         {3, 2, 1, false, 0},
                                         {1, 1, 1, true, 1},
                                         {0, 5, 5, true, 1},
                                         {-1, 0, 1, true, 0}}) {
    Result out{0xee, -1};
    ember_error err{};
    int64_t a = t.a, b = t.b, c = t.c;
    ASSERT_EQ(call(*fn, &out, &err, {&a, &b, &c}), EMBER_OK);
    EXPECT_EQ(out.r, t.r ? 1 : 0) << a << ", " << b << ", " << c;
    EXPECT_EQ(out.k, t.k) << a << ", " << b << ", " << c;
  }
}

// def none_checks(x, y=None):   (tests/python/nis_samples.py; optional arguments)
//     if y is None:
//         y = 1
//     if x is not None:
//         y = y + x
//     return x is None, y is not None, y
TEST_F(LowerTest, OptionalArgumentsAndIsNone) {
  FunctionInput in = NisBuilder("none_checks", {"x", "y"})
                         .consts({c_int(1), c_none()})
                         .code({{NisOp::LoadFast, 1},
                                {NisOp::PopJumpIfNotNone, 4},
                                {NisOp::LoadConst, 0},
                                {NisOp::StoreFast, 1},
                                {NisOp::LoadFast, 0},  // 4
                                {NisOp::PopJumpIfNone, 10},
                                {NisOp::LoadFast, 1},
                                {NisOp::LoadFast, 0},
                                {NisOp::BinaryOp, op(BinOpKind::Add)},
                                {NisOp::StoreFast, 1},
                                {NisOp::LoadFast, 0},  // 10
                                {NisOp::LoadConst, 1},
                                {NisOp::IsOp, 0},
                                {NisOp::LoadFast, 1},
                                {NisOp::LoadConst, 1},
                                {NisOp::IsOp, 1},
                                {NisOp::LoadFast, 1},
                                {NisOp::BuildTuple, 3},
                                {NisOp::ReturnValue}});
  TypeId opt = types().optional(types().int64());
  auto fn = compile(in, {opt, opt});
  struct Opt {
    uint8_t present;
    int64_t value;
  };
  struct Result {
    uint8_t x_is_none, y_is_not_none;
    Opt y;
  };
  struct Case {
    Opt x, y;
    bool x_is_none;
    int64_t result;
  };
  // CPython: (1, None) -> (False, True, 2); (None, None) -> (True, True, 1);
  //          (2, 5) -> (False, True, 7);    (None, 5) -> (True, True, 5).
  for (const Case &t : std::vector<Case>{{{1, 1}, {0, 0}, false, 2},
                                         {{0, 0}, {0, 0}, true, 1},
                                         {{1, 2}, {1, 5}, false, 7},
                                         {{0, 0}, {1, 5}, true, 5}}) {
    Result out;
    std::memset(&out, 0xee, sizeof out);
    ember_error err{};
    Opt x = t.x, y = t.y;
    ASSERT_EQ(call(*fn, &out, &err, {&x, &y}), EMBER_OK);
    EXPECT_EQ(out.x_is_none, t.x_is_none ? 1 : 0);
    EXPECT_EQ(out.y_is_not_none, 1);
    EXPECT_EQ(out.y.present, 1);
    EXPECT_EQ(out.y.value, t.result);
  }
}

// ---- scalar operations --------------------------------------------------------------------
// uint64 against int64 has no common type: compared exactly, as Python does.
TEST_F(LowerTest, UInt64AgainstInt64ComparesExactly) {
  auto compile_cmp = [&](CmpKind k) {
    FunctionInput in = NisBuilder("f", {"a", "b"})
                           .code({{NisOp::LoadFast, 0},
                                  {NisOp::LoadFast, 1},
                                  {NisOp::CompareOp, static_cast<int32_t>(k)},
                                  {NisOp::ReturnValue}});
    return compile(in, {types().scalar(ScalarKind::UInt64), types().int64()});
  };
  auto gt = compile_cmp(CmpKind::Gt), eq = compile_cmp(CmpKind::Eq);
  auto run = [&](const CompiledFunction &fn, uint64_t a, int64_t b) {
    uint8_t out = 0xee;
    ember_error err{};
    EXPECT_EQ(call(fn, &out, &err, {&a, &b}), EMBER_OK);
    return out;
  };
  const uint64_t big = std::numeric_limits<uint64_t>::max();
  EXPECT_EQ(run(*gt, big, -1), 1);  // 18446744073709551615 > -1
  EXPECT_EQ(run(*eq, big, -1), 0);  // not equal although the bits are
  EXPECT_EQ(run(*gt, 0, -1), 1);
  EXPECT_EQ(run(*gt, 5, 7), 0);
  EXPECT_EQ(run(*eq, 7, 7), 1);
  EXPECT_EQ(run(*gt, uint64_t{1} << 63, std::numeric_limits<int64_t>::max()), 1);
}

// def f(a, b, c, d):
//     return (a, b) < (c, d)     (lexicographic)
TEST_F(LowerTest, TupleComparisonIsLexicographic) {
  FunctionInput in = NisBuilder("f", {"a", "b", "c", "d"})
                         .code({{NisOp::LoadFast, 0},
                                {NisOp::LoadFast, 1},
                                {NisOp::BuildTuple, 2},
                                {NisOp::LoadFast, 2},
                                {NisOp::LoadFast, 3},
                                {NisOp::BuildTuple, 2},
                                {NisOp::CompareOp, static_cast<int32_t>(CmpKind::Lt)},
                                {NisOp::ReturnValue}});
  auto fn = compile(in, {types().int64(), types().float64(), types().int64(), types().float64()});
  struct Case {
    int64_t a;
    double b;
    int64_t c;
    double d;
    bool want;
  };
  for (const Case &t : std::vector<Case>{{1, 9.0, 2, 0.0, true},
                                         {2, 0.0, 1, 9.0, false},
                                         {1, 1.0, 1, 2.0, true},
                                         {1, 2.0, 1, 2.0, false},
                                         {1, 3.0, 1, 2.0, false}}) {
    uint8_t out = 0xee;
    ember_error err{};
    Case k = t;
    ASSERT_EQ(call(*fn, &out, &err, {&k.a, &k.b, &k.c, &k.d}), EMBER_OK);
    EXPECT_EQ(out, t.want ? 1 : 0) << t.a << " " << t.b << " " << t.c << " " << t.d;
  }
}

// def f(x, y):
//     return x ** y     (ints; a negative exponent truncates as in Numba)
TEST_F(LowerTest, IntegerPower) {
  auto fn = compile(binop_function(BinOpKind::Pow), {types().int64(), types().int64()});
  struct Case {
    int64_t x, y, want;
  };
  for (const Case &t : std::vector<Case>{{2, 10, 1024},
                                         {3, 0, 1},
                                         {-2, 3, -8},
                                         {-3, 4, 81},
                                         {2, -1, 0},
                                         {1, -5, 1},
                                         {-1, -3, -1},
                                         {-1, -4, 1},
                                         {7, 1, 7}}) {
    int64_t out = 0, x = t.x, y = t.y;
    ember_error err{};
    ASSERT_EQ(call(*fn, &out, &err, {&x, &y}), EMBER_OK);
    EXPECT_EQ(out, t.want) << t.x << " ** " << t.y;
  }
  int64_t out = 0, x = 0, y = -1;
  ember_error err{};
  ASSERT_EQ(call(*fn, &out, &err, {&x, &y}), EMBER_RAISED);
  EXPECT_EQ(err.exc, EMBER_EXC_ZeroDivisionError);
}

// def f(x):
//     return int(x)     (truncates toward zero)
TEST_F(LowerTest, IntOfFloatTruncates) {
  FunctionInput in = NisBuilder("f", {"x"})
                         .global("int", test::c_number_class(ScalarKind::Int64))
                         .code({{NisOp::PushNull},
                                {NisOp::LoadGlobal, 0},
                                {NisOp::LoadFast, 0},
                                {NisOp::Call, 1},
                                {NisOp::ReturnValue}});
  auto fn = compile(in, {types().float64()});
  for (auto [x, want] : std::vector<std::pair<double, int64_t>>{
           {2.7, 2}, {-2.7, -2}, {0.5, 0}, {-0.5, 0}, {1e15, 1000000000000000}}) {
    int64_t out = 99;
    ember_error err{};
    ASSERT_EQ(call(*fn, &out, &err, {&x}), EMBER_OK);
    EXPECT_EQ(out, want) << x;
  }
}

// ---- calls --------------------------------------------------------------------------------------

TEST_F(LowerTest, SelfRecursiveFib) {
  // def fib(n):
  //     if n < 2:
  //         return n
  //     return fib(n - 1) + fib(n - 2)
  FunctionInput in = NisBuilder("fib", {"n"})
                         .consts({c_int(2), c_int(1)})
                         .global("fib", test::c_dispatcher(77, "fib"))
                         .self_handle(77)
                         .code({{NisOp::LoadFast, 0},
                                {NisOp::LoadConst, 0},
                                {NisOp::CompareOp, static_cast<int32_t>(CmpKind::Lt)},
                                {NisOp::PopJumpIfFalse, 6},
                                {NisOp::LoadFast, 0},
                                {NisOp::ReturnValue},
                                {NisOp::PushNull},  // 6
                                {NisOp::LoadGlobal, 0},
                                {NisOp::LoadFast, 0},
                                {NisOp::LoadConst, 1},
                                {NisOp::BinaryOp, op(BinOpKind::Sub)},
                                {NisOp::Call, 1},
                                {NisOp::PushNull},
                                {NisOp::LoadGlobal, 0},
                                {NisOp::LoadFast, 0},
                                {NisOp::LoadConst, 0},
                                {NisOp::BinaryOp, op(BinOpKind::Sub)},
                                {NisOp::Call, 1},
                                {NisOp::BinaryOp, op(BinOpKind::Add)},
                                {NisOp::ReturnValue}});
  auto fn = compile(in, {types().int64()});
  int64_t n = 20, out = 0;
  ember_error err{};
  ASSERT_EQ(call(*fn, &out, &err, {&n}), EMBER_OK);
  EXPECT_EQ(out, 6765);
}

// def g(x, y=2.5):
//     return x * y
// def f(x):
//     return g(x) + g(x, 4)
TEST_F(LowerTest, CallOfCompiledFunctionWithDefault) {
  FunctionInput g = NisBuilder("g", {"x", "y"})
                        .code({{NisOp::LoadFast, 0},
                               {NisOp::LoadFast, 1},
                               {NisOp::BinaryOp, op(BinOpKind::Mul)},
                               {NisOp::ReturnValue}});
  // The resolver compiles g for (int64, float64) whatever the call passes, and binds the
  // missing y to its default, as the dispatcher does.
  resolver_.add(9, [&](const std::vector<TypeId> &args, const std::vector<std::string> &) {
    std::vector<TypeId> params = {types().int64(), types().float64()};
    auto compiled = compile(g, params);
    CalleeRef ref;
    ref.dispatcher = 9;
    ref.params = params;
    ref.result = compiled->ir->return_type;
    ref.arg_map = {0, args.size() > 1 ? 1 : -1};
    ref.defaults = {c_none(), c_float(2.5)};
    ref.symbol = compiled->symbol;
    ref.function = compiled->ir;
    return ref;
  });
  FunctionInput f = NisBuilder("f", {"x"})
                        .consts({c_int(4)})
                        .global("g", test::c_dispatcher(9, "g"))
                        .self_handle(8)
                        .code({{NisOp::PushNull},
                               {NisOp::LoadGlobal, 0},
                               {NisOp::LoadFast, 0},
                               {NisOp::Call, 1},
                               {NisOp::PushNull},
                               {NisOp::LoadGlobal, 0},
                               {NisOp::LoadFast, 0},
                               {NisOp::LoadConst, 0},
                               {NisOp::Call, 2},
                               {NisOp::BinaryOp, op(BinOpKind::Add)},
                               {NisOp::ReturnValue}});
  auto fn = compile(f, {types().int64()});
  int64_t x = 2;
  double out = 0;
  ember_error err{};
  ASSERT_EQ(call(*fn, &out, &err, {&x}), EMBER_OK);
  EXPECT_EQ(out, 2 * 2.5 + 2 * 4.0);
}

}  // namespace
}  // namespace ember
