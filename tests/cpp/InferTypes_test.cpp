// infer_types and make_explicit (typeinfer/InferTypes.h) on hand-assembled NIS: Numba's scalar
// promotion rules, phi unification (int/float, None/int), array indexing and view layouts,
// typing errors and their source lines, calls through the fake resolver (self recursion, other
// jitted functions), and the Casts make_explicit inserts on branch arguments, returns and
// operands.
#include <gtest/gtest.h>

#include "ir/IRPrinter.h"
#include "ir/Verifier.h"
#include "ir/rules/Elementwise.h"
#include "ir/rules/Promotion.h"
#include "tests/cpp/TestHelpers.h"
#include "typeinfer/BuildSSA.h"
#include "typeinfer/TypeRules.h"

namespace ember {
namespace {

using test::c_builtin;
using test::c_dispatcher;
using test::c_float;
using test::c_int;
using test::c_none;
using test::FakeResolver;
using test::find_insts;
using test::find_one;
using test::infer;
using test::Ins;
using test::NisBuilder;

constexpr int32_t op(BinOpKind k) { return static_cast<int32_t>(k); }
constexpr int32_t cmp(CmpKind k) { return static_cast<int32_t>(k); }

// def f(a, b):
//     return a <op> b
FunctionInput binop_function(BinOpKind kind) {
  return test::nis({"a", "b"}, 2,
                   {{NisOp::LoadFast, 0},
                    {NisOp::LoadFast, 1},
                    {NisOp::BinaryOp, op(kind)},
                    {NisOp::ReturnValue}});
}

class InferTypesTest : public ::testing::Test {
 protected:
  TypeId scalar(ScalarKind k) { return types.scalar(k); }
  /// The return type of a <op> b for scalar argument kinds.
  TypeId binop_type(BinOpKind kind, ScalarKind a, ScalarKind b) {
    auto f = infer(binop_function(kind), types, {scalar(a), scalar(b)});
    return f->return_type;
  }
  std::string str(TypeId t) { return types.to_string(t); }

  TypeContext types;
};

// ---- promotion ----------------------------------------------------------------------------------

TEST_F(InferTypesTest, Int8PlusInt8IsInt64) {
  EXPECT_EQ(str(binop_type(BinOpKind::Add, ScalarKind::Int8, ScalarKind::Int8)), "int64");
}

TEST_F(InferTypesTest, Int64PlusFloat64IsFloat64) {
  EXPECT_EQ(str(binop_type(BinOpKind::Add, ScalarKind::Int64, ScalarKind::Float64)), "float64");
}

TEST_F(InferTypesTest, Float32PlusFloat32StaysFloat32) {
  EXPECT_EQ(str(binop_type(BinOpKind::Add, ScalarKind::Float32, ScalarKind::Float32)), "float32");
}

TEST_F(InferTypesTest, Float32PlusInt64IsFloat64) {
  EXPECT_EQ(str(binop_type(BinOpKind::Mul, ScalarKind::Float32, ScalarKind::Int64)), "float64");
}

TEST_F(InferTypesTest, IntTrueDivIntIsFloat64) {
  EXPECT_EQ(str(binop_type(BinOpKind::TrueDiv, ScalarKind::Int64, ScalarKind::Int64)), "float64");
}

TEST_F(InferTypesTest, IntFloorDivIntStaysInt64) {
  EXPECT_EQ(str(binop_type(BinOpKind::FloorDiv, ScalarKind::Int64, ScalarKind::Int64)), "int64");
}

TEST_F(InferTypesTest, UInt64PlusInt64IsInt64) {
  EXPECT_EQ(str(binop_type(BinOpKind::Add, ScalarKind::UInt64, ScalarKind::Int64)), "int64");
}

TEST_F(InferTypesTest, UInt8PlusUInt8IsUInt64) {
  EXPECT_EQ(str(binop_type(BinOpKind::Add, ScalarKind::UInt8, ScalarKind::UInt8)), "uint64");
}

TEST_F(InferTypesTest, BoolAndBoolStaysBool) {
  EXPECT_EQ(str(binop_type(BinOpKind::And, ScalarKind::Bool, ScalarKind::Bool)), "bool");
}

TEST_F(InferTypesTest, PromoteIsSymmetric) {
  for (int a = 0; a < kNumScalarKinds; ++a)
    for (int b = 0; b < kNumScalarKinds; ++b) {
      auto ka = static_cast<ScalarKind>(a), kb = static_cast<ScalarKind>(b);
      EXPECT_EQ(promote(ka, kb), promote(kb, ka)) << scalar_name(ka) << ", " << scalar_name(kb);
    }
}

// float16 follows NumPy's promotion table (np.result_type): it holds bool and 8-bit integers,
// float32 holds it and 16-bit integers, anything wider goes to float64.
TEST_F(InferTypesTest, Float16PromotesAsNumpy) {
  using K = ScalarKind;
  struct Case {
    K other, expected;
  } cases[] = {
      {K::Float16, K::Float16},      {K::Bool, K::Float16},    {K::Int8, K::Float16},
      {K::UInt8, K::Float16},        {K::Int16, K::Float32},   {K::UInt16, K::Float32},
      {K::Float32, K::Float32},      {K::Int32, K::Float64},   {K::UInt64, K::Float64},
      {K::Int64, K::Float64},        {K::Float64, K::Float64}, {K::Complex64, K::Complex64},
      {K::Complex128, K::Complex128}};
  for (const Case &c : cases) {
    EXPECT_EQ(promote(K::Float16, c.other), c.expected) << scalar_name(c.other);
    EXPECT_EQ(numpy_promote(K::Float16, c.other), c.expected) << scalar_name(c.other);
  }
  EXPECT_EQ(str(binop_type(BinOpKind::TrueDiv, K::Float16, K::Float16)), "float16");
  EXPECT_EQ(str(binop_type(BinOpKind::FloorDiv, K::Float16, K::Int8)), "float16");
}

// def f(h, x):
//     return h * 0.5, h * x
TEST_F(InferTypesTest, PythonLiteralIsWeakNextToFloat16) {
  FunctionInput in = NisBuilder("f", {"h", "x"})
                         .consts({c_float(0.5)})
                         .code({{NisOp::LoadFast, 0},
                                {NisOp::LoadConst, 0},
                                {NisOp::BinaryOp, op(BinOpKind::Mul)},
                                {NisOp::LoadFast, 0},
                                {NisOp::LoadFast, 1},
                                {NisOp::BinaryOp, op(BinOpKind::Mul)},
                                {NisOp::BuildTuple, 2},
                                {NisOp::ReturnValue}});
  auto f = infer(in, types, {types.scalar(ScalarKind::Float16), types.float64()});
  EXPECT_EQ(str(f->return_type), "tuple(float16, float64)");
}

// def f(a, b):
//     return a < b
TEST_F(InferTypesTest, CompareIsBool) {
  FunctionInput in = NisBuilder("f", {"a", "b"})
                         .code({{NisOp::LoadFast, 0},
                                {NisOp::LoadFast, 1},
                                {NisOp::CompareOp, cmp(CmpKind::Lt)},
                                {NisOp::ReturnValue}});
  auto f = infer(in, types, {types.int64(), types.float64()});
  EXPECT_EQ(f->return_type, types.boolean());
}

// ---- unification at phis ------------------------------------------------------------------------

// def f(c, x):
//     if c:
//         y = x
//     else:
//         y = <k>
//     return y
FunctionInput if_else_function(ConstValue k) {
  return NisBuilder("f", {"c", "x"}, {"y"})
      .consts({k})
      .code({{NisOp::LoadFast, 0},
             {NisOp::PopJumpIfFalse, 5},
             {NisOp::LoadFast, 1},
             {NisOp::StoreFast, 2},
             {NisOp::Jump, 7},
             {NisOp::LoadConst, 0},
             {NisOp::StoreFast, 2},
             {NisOp::LoadFast, 2},
             {NisOp::ReturnValue}});
}

TEST_F(InferTypesTest, PhiOfIntAndFloatIsFloat64) {
  auto f = infer(if_else_function(c_float(2.5)), types, {types.boolean(), types.int64()});
  Value y = f->inst(find_one(*f, Op::Ret)).operands[0];
  ASSERT_TRUE(f->value(y).is_param);
  EXPECT_EQ(str(f->type(y)), "float64");
  EXPECT_EQ(str(f->return_type), "float64");
}

TEST_F(InferTypesTest, PhiOfNoneAndIntIsOptionalInt64) {
  auto f = infer(if_else_function(c_none()), types, {types.boolean(), types.int64()});
  EXPECT_EQ(str(f->return_type), "optional(int64)");
}

TEST_F(InferTypesTest, UnifyNoneWithOptionalDoesNotNest) {
  TypeId opt = types.optional(types.int64());
  EXPECT_EQ(unify(types, types.none(), opt, SourceLoc{}), opt);
  EXPECT_EQ(unify(types, opt, types.none(), SourceLoc{}), opt);
  EXPECT_EQ(unify(types, opt, types.float64(), SourceLoc{}), types.optional(types.float64()));
}

TEST_F(InferTypesTest, PhiOfArrayAndIntIsTypingError) {
  try {
    infer(if_else_function(c_int(1)), types,
          {types.boolean(), types.array(ScalarKind::Float64, 1, Layout::C)});
    FAIL() << "expected a TypingError";
  } catch (const CompileError &e) {
    EXPECT_EQ(e.kind(), ErrorKind::Typing) << e.what();
  }
}

TEST_F(InferTypesTest, PhiOfCAndAArraysIsA) {
  TypeId c = types.array(ScalarKind::Float64, 2, Layout::C);
  TypeId a = types.array(ScalarKind::Float64, 2, Layout::A);
  EXPECT_EQ(unify(types, c, a, SourceLoc{}), a);
}

// A loop-carried int that becomes a float in the body is a float64 phi.
// def f(n):
//     s = 0
//     for i in range(n):
//         s = s + 0.5
//     return s
TEST_F(InferTypesTest, LoopCarriedIntWidensToFloat) {
  FunctionInput in = NisBuilder("f", {"n"}, {"s", "i"})
                         .consts({c_int(0), c_float(0.5)})
                         .global("range", c_builtin(BuiltinId::Range))
                         .code({{NisOp::LoadConst, 0},
                                {NisOp::StoreFast, 1},
                                {NisOp::PushNull},
                                {NisOp::LoadGlobal, 0},
                                {NisOp::LoadFast, 0},
                                {NisOp::Call, 1},
                                {NisOp::GetIter},
                                {NisOp::ForIter, 14},
                                {NisOp::StoreFast, 2},
                                {NisOp::LoadFast, 1},
                                {NisOp::LoadConst, 1},
                                {NisOp::BinaryOp, op(BinOpKind::Add)},
                                {NisOp::StoreFast, 1},
                                {NisOp::Jump, 7},
                                {NisOp::LoadFast, 1},
                                {NisOp::ReturnValue}});
  auto f = infer(in, types, {types.int64()});
  EXPECT_EQ(str(f->return_type), "float64");
  EXPECT_EQ(str(f->type(f->inst(find_one(*f, Op::IterValue)).result)), "int64");
  EXPECT_EQ(str(f->type(f->inst(find_one(*f, Op::GetIter)).result)), "range_iter");
}

// ---- arrays -------------------------------------------------------------------------------------

class ArrayIndexTest : public InferTypesTest {
 protected:
  TypeId c2d() { return types.array(ScalarKind::Float64, 2, Layout::C); }
  TypeId index_type(const std::vector<Ins> &code, std::vector<TypeId> args) {
    FunctionInput in = NisBuilder("f", {"a", "i", "j"}).consts({c_none(), c_int(1)}).code(code);
    while (args.size() < 3) args.push_back(types.int64());
    return infer(in, types, args)->return_type;
  }
};

// return a[i]
TEST_F(ArrayIndexTest, RowOfCArrayIsC1d) {
  TypeId t = index_type(
      {{NisOp::LoadFast, 0}, {NisOp::LoadFast, 1}, {NisOp::BinarySubscr}, {NisOp::ReturnValue}},
      {c2d()});
  EXPECT_EQ(str(t), "array(float64, 1d, C)");
}

// return a[:, j]
TEST_F(ArrayIndexTest, ColumnOfCArrayIsA1d) {
  TypeId t = index_type({{NisOp::LoadFast, 0},
                         {NisOp::LoadConst, 0},
                         {NisOp::LoadConst, 0},
                         {NisOp::BuildSlice, 2},
                         {NisOp::LoadFast, 2},
                         {NisOp::BuildTuple, 2},
                         {NisOp::BinarySubscr},
                         {NisOp::ReturnValue}},
                        {c2d()});
  EXPECT_EQ(str(t), "array(float64, 1d, A)");
}

// return a[i, j]
TEST_F(ArrayIndexTest, TwoIntegersGiveScalar) {
  TypeId t = index_type({{NisOp::LoadFast, 0},
                         {NisOp::LoadFast, 1},
                         {NisOp::LoadFast, 2},
                         {NisOp::BuildTuple, 2},
                         {NisOp::BinarySubscr},
                         {NisOp::ReturnValue}},
                        {c2d()});
  EXPECT_EQ(str(t), "float64");
}

// return a[i:j]   (a unit-step slice of rows keeps C)
TEST_F(ArrayIndexTest, RowSliceOfCArrayStaysC) {
  TypeId t = index_type({{NisOp::LoadFast, 0},
                         {NisOp::LoadFast, 1},
                         {NisOp::LoadFast, 2},
                         {NisOp::BuildSlice, 2},
                         {NisOp::BinarySubscr},
                         {NisOp::ReturnValue}},
                        {c2d()});
  EXPECT_EQ(str(t), "array(float64, 2d, C)");
}

// return a[i, :]  on an F array: a row of a Fortran array is strided.
TEST_F(ArrayIndexTest, RowOfFArrayIsA) {
  TypeId t = index_type({{NisOp::LoadFast, 0},
                         {NisOp::LoadFast, 1},
                         {NisOp::LoadConst, 0},
                         {NisOp::LoadConst, 0},
                         {NisOp::BuildSlice, 2},
                         {NisOp::BuildTuple, 2},
                         {NisOp::BinarySubscr},
                         {NisOp::ReturnValue}},
                        {types.array(ScalarKind::Float32, 2, Layout::F)});
  EXPECT_EQ(str(t), "array(float32, 1d, A)");
}

// return a[i] on a read-only array: the view stays read-only.
TEST_F(ArrayIndexTest, ViewOfReadonlyArrayIsReadonly) {
  TypeId t = index_type(
      {{NisOp::LoadFast, 0}, {NisOp::LoadFast, 1}, {NisOp::BinarySubscr}, {NisOp::ReturnValue}},
      {types.array(ScalarKind::Int32, 2, Layout::C, true)});
  EXPECT_EQ(str(t), "array(int32, 1d, C, readonly)");
}

// return a.shape
TEST_F(ArrayIndexTest, ShapeIsTupleOfInt64) {
  FunctionInput in = NisBuilder("f", {"a"})
                         .attr("shape")
                         .code({{NisOp::LoadFast, 0}, {NisOp::LoadAttr, 0}, {NisOp::ReturnValue}});
  auto f = infer(in, types, {types.array(ScalarKind::Float64, 3, Layout::A)});
  EXPECT_EQ(str(f->return_type), "tuple(int64, int64, int64)");
}

// return a[i, j, i] on a 2-d array
TEST_F(ArrayIndexTest, TooManyIndicesIsTypingError) {
  try {
    index_type({{NisOp::LoadFast, 0},
                {NisOp::LoadFast, 1},
                {NisOp::LoadFast, 2},
                {NisOp::LoadFast, 1},
                {NisOp::BuildTuple, 3},
                {NisOp::BinarySubscr},
                {NisOp::ReturnValue}},
               {c2d()});
    FAIL() << "expected a TypingError";
  } catch (const CompileError &e) {
    EXPECT_EQ(e.kind(), ErrorKind::Typing);
  }
}

// ---- typing errors ------------------------------------------------------------------------------

// 10 def f(a, t):
// 11     x = 1
// 12     return a + t
TEST_F(InferTypesTest, ArrayPlusTupleErrorCarriesLine) {
  FunctionInput in = NisBuilder("f", {"a", "t"}, {"x"}, 10)
                         .consts({c_int(1)})
                         .code({{NisOp::LoadConst, 0, -1, 11},
                                {NisOp::StoreFast, 2},
                                {NisOp::LoadFast, 0, -1, 12},
                                {NisOp::LoadFast, 1},
                                {NisOp::BinaryOp, op(BinOpKind::Add)},
                                {NisOp::ReturnValue}});
  try {
    infer(in, types,
          {types.array(ScalarKind::Float64, 1, Layout::C),
           types.tuple({types.int64(), types.int64()})});
    FAIL() << "expected a TypingError";
  } catch (const CompileError &e) {
    EXPECT_EQ(e.kind(), ErrorKind::Typing);
    EXPECT_EQ(e.loc().line, 12);
    EXPECT_NE(std::string(e.what()).find("tuple(int64, int64)"), std::string::npos) << e.what();
  }
}

// def f():
//     return y      (y is never assigned)
TEST_F(InferTypesTest, ReadOfUnassignedVariableIsTypingError) {
  FunctionInput in = NisBuilder("f", {}, {"y"}, 20)
                         .code({{NisOp::LoadFastOrUndef, 0, -1, 21}, {NisOp::ReturnValue}});
  try {
    auto f = infer(in, types, {});
    FAIL() << "expected a TypingError, got\n" << print_function(*f);
  } catch (const CompileError &e) {
    EXPECT_EQ(e.kind(), ErrorKind::Typing) << e.what();
    EXPECT_EQ(e.loc().line, 21);
  }
}

// def f(a):
//     if a:   (an array has no truth value)
//         return 1
//     return 2
TEST_F(InferTypesTest, TruthOfArrayIsTypingError) {
  FunctionInput in = NisBuilder("f", {"a"}, {}, 30)
                         .consts({c_int(1), c_int(2)})
                         .code({{NisOp::LoadFast, 0, -1, 31},
                                {NisOp::PopJumpIfFalse, 4},
                                {NisOp::LoadConst, 0, -1, 32},
                                {NisOp::ReturnValue},
                                {NisOp::LoadConst, 1, -1, 33},
                                {NisOp::ReturnValue}});
  try {
    infer(in, types, {types.array(ScalarKind::Float64, 1, Layout::C)});
    FAIL() << "expected a TypingError";
  } catch (const CompileError &e) {
    EXPECT_EQ(e.kind(), ErrorKind::Typing);
    EXPECT_EQ(e.loc().line, 31);
  }
}

// def f(x, t):
//     if x is None:
//         return x + t      (ill-typed, but x: int64 is never None: the branch is dead)
//     return x
TEST_F(InferTypesTest, BranchOnIsNoneOfNonOptionalIsPruned) {
  FunctionInput in = NisBuilder("f", {"x", "t"})
                         .code({{NisOp::LoadFast, 0},
                                {NisOp::PopJumpIfNotNone, 6},
                                {NisOp::LoadFast, 0},
                                {NisOp::LoadFast, 1},
                                {NisOp::BinaryOp, op(BinOpKind::Add)},
                                {NisOp::ReturnValue},
                                {NisOp::LoadFast, 0},  // 6
                                {NisOp::ReturnValue}});
  auto f = infer(in, types, {types.int64(), types.tuple({types.int64()})});
  EXPECT_EQ(str(f->return_type), "int64");
  EXPECT_TRUE(find_insts(*f, Op::CondBr).empty()) << print_function(*f);
}

// ---- calls through the resolver -----------------------------------------------------------------

// def fib(n):
//     if n < 2:
//         return n
//     return fib(n - 1) + fib(n - 2)
FunctionInput fib_function(uint64_t self) {
  return NisBuilder("fib", {"n"})
      .consts({c_int(2), c_int(1)})
      .global("fib", c_dispatcher(self, "fib"))
      .self_handle(self)
      .code({{NisOp::LoadFast, 0},
             {NisOp::LoadConst, 0},
             {NisOp::CompareOp, cmp(CmpKind::Lt)},
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
}

TEST_F(InferTypesTest, SelfRecursionIsTypedFromBaseCase) {
  FakeResolver resolver;
  auto f = infer(fib_function(42), types, {types.int64()}, &resolver);
  EXPECT_EQ(str(f->return_type), "int64");
  EXPECT_TRUE(resolver.requests.empty());
  ASSERT_EQ(f->callees.size(), 2u);
  for (const CalleeRef &c : f->callees) {
    EXPECT_TRUE(c.self);
    EXPECT_EQ(c.result, types.int64());
    EXPECT_EQ(c.params, std::vector<TypeId>{types.int64()});
  }
  for (Inst call : find_insts(*f, Op::Call)) EXPECT_LT(f->inst(call).aux, 2u);
}

// A recursive call with other argument types is a different specialization: it goes to the
// resolver like any other jitted function.
TEST_F(InferTypesTest, SelfCallWithOtherTypesGoesThroughResolver) {
  FakeResolver resolver;
  resolver.add_simple(42, types.float64());
  auto f = infer(fib_function(42), types, {types.float64()}, &resolver);
  // fib(n - 1) with n: float64 is the same specialization; nothing to resolve.
  EXPECT_TRUE(resolver.requests.empty());
  auto g = infer(fib_function(42), types, {types.scalar(ScalarKind::Int32)}, &resolver);
  // n - 1 is int64 while the parameter is int32: that call is another specialization.
  ASSERT_FALSE(resolver.requests.empty());
  EXPECT_EQ(resolver.requests[0].dispatcher, 42u);
  EXPECT_EQ(resolver.requests[0].args, std::vector<TypeId>{types.int64()});
  EXPECT_EQ(str(g->return_type), "float64");  // unify(int32 base case, float64 calls)
}

// def f(n):
//     return f(n)       (no base case)
TEST_F(InferTypesTest, RecursionWithoutBaseCaseIsTypingError) {
  FunctionInput in = NisBuilder("f", {"n"}, {}, 40)
                         .global("f", c_dispatcher(5, "f"))
                         .self_handle(5)
                         .code({{NisOp::PushNull, 0, -1, 41},
                                {NisOp::LoadGlobal, 0},
                                {NisOp::LoadFast, 0},
                                {NisOp::Call, 1},
                                {NisOp::ReturnValue}});
  FakeResolver resolver;
  try {
    auto f = infer(in, types, {types.int64()}, &resolver);
    FAIL() << "expected a TypingError, got\n" << print_function(*f);
  } catch (const CompileError &e) {
    EXPECT_EQ(e.kind(), ErrorKind::Typing) << e.what();
    EXPECT_EQ(e.loc().line, 41);
  }
}

// def f(x):
//     return g(x) + 1
FunctionInput call_g(uint64_t g) {
  return NisBuilder("f", {"x"}, {}, 50)
      .consts({c_int(1)})
      .global("g", c_dispatcher(g, "g"))
      .self_handle(1)
      .code({{NisOp::PushNull, 0, -1, 51},
             {NisOp::LoadGlobal, 0},
             {NisOp::LoadFast, 0},
             {NisOp::Call, 1},
             {NisOp::LoadConst, 0},
             {NisOp::BinaryOp, op(BinOpKind::Add)},
             {NisOp::ReturnValue}});
}

TEST_F(InferTypesTest, CallOfOtherJittedFunctionUsesResolver) {
  FakeResolver resolver;
  resolver.add_simple(7, types.float64());
  auto f = infer(call_g(7), types, {types.scalar(ScalarKind::Int32)}, &resolver);
  EXPECT_EQ(str(f->return_type), "float64");
  ASSERT_FALSE(resolver.requests.empty());
  const auto &r = resolver.requests.back();
  EXPECT_EQ(r.dispatcher, 7u);
  EXPECT_EQ(r.args, std::vector<TypeId>{types.scalar(ScalarKind::Int32)});
  EXPECT_EQ(r.loc.line, 51);
  ASSERT_EQ(f->callees.size(), 1u);
  EXPECT_EQ(f->callees[0].dispatcher, 7u);
  EXPECT_FALSE(f->callees[0].self);
  EXPECT_EQ(f->inst(find_one(*f, Op::Call)).aux, 0u);
}

TEST_F(InferTypesTest, ResolverErrorPropagates) {
  FakeResolver resolver;  // knows no dispatcher
  try {
    infer(call_g(9), types, {types.int64()}, &resolver);
    FAIL() << "expected a TypingError";
  } catch (const CompileError &e) {
    EXPECT_EQ(e.kind(), ErrorKind::Typing);
    EXPECT_EQ(e.loc().line, 51);
  }
}

// def f(n):
//     s = 0
//     for i in range(n):
//         s = s + 0.5
//     return g(s)
// The first sweep sees s as int64 and asks for g(int64); the recorded callee must be the one
// for the final type, g(float64).
TEST_F(InferTypesTest, CalleeIsResolvedForFinalArgumentTypes) {
  FunctionInput in = NisBuilder("f", {"n"}, {"s", "i"})
                         .consts({c_int(0), c_float(0.5)})
                         .global("range", c_builtin(BuiltinId::Range))
                         .global("g", c_dispatcher(7, "g"))
                         .code({{NisOp::LoadConst, 0},
                                {NisOp::StoreFast, 1},
                                {NisOp::PushNull},
                                {NisOp::LoadGlobal, 0},
                                {NisOp::LoadFast, 0},
                                {NisOp::Call, 1},
                                {NisOp::GetIter},
                                {NisOp::ForIter, 14},
                                {NisOp::StoreFast, 2},
                                {NisOp::LoadFast, 1},
                                {NisOp::LoadConst, 1},
                                {NisOp::BinaryOp, op(BinOpKind::Add)},
                                {NisOp::StoreFast, 1},
                                {NisOp::Jump, 7},
                                {NisOp::PushNull},  // 14
                                {NisOp::LoadGlobal, 1},
                                {NisOp::LoadFast, 1},
                                {NisOp::Call, 1},
                                {NisOp::ReturnValue}});
  FakeResolver resolver;
  resolver.add(7, [&](const std::vector<TypeId> &args, const std::vector<std::string> &) {
    CalleeRef ref;
    ref.dispatcher = 7;
    ref.params = args;
    ref.result = args[0];  // g is the identity
    ref.arg_map = {0};
    return ref;
  });
  auto f = infer(in, types, {types.int64()}, &resolver);
  ASSERT_FALSE(resolver.requests.empty());
  EXPECT_EQ(resolver.requests.back().args, std::vector<TypeId>{types.float64()});
  ASSERT_EQ(f->callees.size(), 1u);
  EXPECT_EQ(f->callees[0].params, std::vector<TypeId>{types.float64()});
  EXPECT_EQ(str(f->return_type), "float64");
}

// ---- make_explicit ------------------------------------------------------------------------------

class MakeExplicitTest : public InferTypesTest {
 protected:
  std::unique_ptr<Function> explicit_function(const FunctionInput &in, std::vector<TypeId> args) {
    auto f = infer(in, types, args);
    make_explicit(*f);
    return f;
  }
};

TEST_F(MakeExplicitTest, CastsBranchArgumentToPhiType) {
  auto f = explicit_function(if_else_function(c_float(2.5)), {types.boolean(), types.int64()});
  EXPECT_NO_THROW(verify_function(*f, true)) << print_function(*f);
  // The int64 argument x reaches the float64 phi through a Cast in its predecessor.
  std::vector<Inst> casts = find_insts(*f, Op::Cast);
  ASSERT_EQ(casts.size(), 1u) << print_function(*f);
  const InstData &c = f->inst(casts[0]);
  EXPECT_EQ(f->type(c.result), types.float64());
  EXPECT_EQ(f->inst(f->def(c.operands[0])).op, Op::Arg);
  const InstData &br = f->terminator(c.block);
  ASSERT_EQ(br.op, Op::Br);
  EXPECT_EQ(br.targets[0].args[0], c.result);
}

TEST_F(MakeExplicitTest, TypedVerifierRejectsMismatchBeforeMakeExplicit) {
  auto f = infer(if_else_function(c_float(2.5)), types, {types.boolean(), types.int64()});
  EXPECT_THROW(verify_function(*f, true), CompileError);
}

TEST_F(MakeExplicitTest, CastsNoneBranchArgumentToOptional) {
  auto f = explicit_function(if_else_function(c_none()), {types.boolean(), types.int64()});
  EXPECT_NO_THROW(verify_function(*f, true)) << print_function(*f);
  EXPECT_EQ(find_insts(*f, Op::Cast).size(), 2u) << print_function(*f);
}

// def f(c):
//     if c:
//         return 1
//     return 2.5
TEST_F(MakeExplicitTest, CastsReturnToReturnType) {
  FunctionInput in = NisBuilder("f", {"c"})
                         .consts({c_int(1), c_float(2.5)})
                         .code({{NisOp::LoadFast, 0},
                                {NisOp::PopJumpIfFalse, 4},
                                {NisOp::LoadConst, 0},
                                {NisOp::ReturnValue},
                                {NisOp::LoadConst, 1},
                                {NisOp::ReturnValue}});
  auto f = explicit_function(in, {types.boolean()});
  EXPECT_EQ(str(f->return_type), "float64");
  EXPECT_NO_THROW(verify_function(*f, true)) << print_function(*f);
  std::vector<Inst> casts = find_insts(*f, Op::Cast);
  ASSERT_EQ(casts.size(), 1u);
  const InstData &c = f->inst(casts[0]);
  EXPECT_EQ(f->type(c.result), types.float64());
  EXPECT_EQ(f->terminator(c.block).op, Op::Ret);
  EXPECT_EQ(f->terminator(c.block).operands[0], c.result);
}

TEST_F(MakeExplicitTest, CastsDeclaredReturnType) {
  FunctionInput in = binop_function(BinOpKind::Add);
  auto f = build_ssa(in, types);
  FakeResolver resolver;
  InferOptions options;
  options.declared_return = types.float64();
  infer_types(*f, {types.int64(), types.int64()}, resolver, options);
  make_explicit(*f);
  EXPECT_EQ(f->return_type, types.float64());
  EXPECT_NO_THROW(verify_function(*f, true)) << print_function(*f);
  ASSERT_EQ(find_insts(*f, Op::Cast).size(), 1u);
}

TEST_F(MakeExplicitTest, CastsMixedOperandsOfBinOp) {
  auto f = explicit_function(binop_function(BinOpKind::Add), {types.int64(), types.float64()});
  EXPECT_NO_THROW(verify_function(*f, true));
  Inst add = find_one(*f, Op::BinOp);
  ASSERT_TRUE(add.valid());
  for (Value v : f->inst(add).operands) EXPECT_EQ(f->type(v), types.float64());
  EXPECT_EQ(find_insts(*f, Op::Cast).size(), 1u);
}

TEST_F(MakeExplicitTest, NoCastsWhenTypesAgree) {
  auto f = explicit_function(binop_function(BinOpKind::Add), {types.int64(), types.int64()});
  EXPECT_TRUE(find_insts(*f, Op::Cast).empty());
}

// def f(a, x):
//     a[0] = x        (an int64 stored into a float64 array)
//     return None
TEST_F(MakeExplicitTest, CastsStoredValueToDtype) {
  FunctionInput in = NisBuilder("f", {"a", "x"})
                         .consts({c_int(0), c_none()})
                         .code({{NisOp::LoadFast, 1},
                                {NisOp::LoadFast, 0},
                                {NisOp::LoadConst, 0},
                                {NisOp::StoreSubscr},
                                {NisOp::LoadConst, 1},
                                {NisOp::ReturnValue}});
  auto f = explicit_function(in, {types.array(ScalarKind::Float64, 1, Layout::C), types.int64()});
  EXPECT_NO_THROW(verify_function(*f, true));
  Inst store = find_one(*f, Op::SetItem);
  ASSERT_TRUE(store.valid());
  EXPECT_EQ(f->type(f->inst(store).operands[2]), types.float64());
}

}  // namespace
}  // namespace ember
