// Lowering and the CPU JIT end to end (targets/cpu/CpuCompiler.h), arrays: loops read float64
// arrays passed as hand-built ember_array structs (C, strided, F), bad indices raise, slices
// follow Python's indices, allocations and views do not leak (ember_live_meminfos), overlapping
// array copies behave as in NumPy, and a saxpy loop over C-contiguous arrays is vectorized by
// the optimizer.  Scalars and control flow: Lower_test.cpp.
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

/// A 1-d ember_array with its shape and strides, laid out as the ABI wants.
class Array1d {
 public:
  Array1d(double *data, int64_t n, int64_t stride_bytes = sizeof(double)) {
    std::memset(storage_, 0, sizeof storage_);
    arr()->nitems = n;
    arr()->itemsize = sizeof(double);
    arr()->data = data;
    arr()->shape_and_strides[0] = n;
    arr()->shape_and_strides[1] = stride_bytes;
  }
  ember_array *arr() { return reinterpret_cast<ember_array *>(storage_); }

 private:
  alignas(8) unsigned char storage_[sizeof(ember_array) + 2 * sizeof(int64_t)];
};

// def f(a):
//     s = 0.0
//     for i in range(a.shape[0]):
//         s += a[i]
//     return s
FunctionInput sum_function() {
  return NisBuilder("f", {"a"}, {"s", "i"})
      .consts({c_float(0.0), c_int(0)})
      .global("range", c_builtin(BuiltinId::Range))
      .attr("shape")
      .code(
          {{NisOp::LoadConst, 0},  {NisOp::StoreFast, 1}, {NisOp::PushNull},
           {NisOp::LoadGlobal, 0}, {NisOp::LoadFast, 0},  {NisOp::LoadAttr, 1},
           {NisOp::LoadConst, 1},  {NisOp::BinarySubscr}, {NisOp::Call, 1},
           {NisOp::GetIter},       {NisOp::ForIter, 19},  // 10
           {NisOp::StoreFast, 2},  {NisOp::LoadFast, 1},  {NisOp::LoadFast, 0},
           {NisOp::LoadFast, 2},   {NisOp::BinarySubscr}, {NisOp::BinaryOp, op(BinOpKind::Add), 1},
           {NisOp::StoreFast, 1},  {NisOp::Jump, 10},     {NisOp::LoadFast, 1},  // 19
           {NisOp::ReturnValue}});
}

TEST_F(LowerTest, SumOfContiguousFloat64Array) {
  auto fn = compile(sum_function(), {types().array(ScalarKind::Float64, 1, Layout::C)});
  double data[5] = {1.0, 2.0, 3.5, -4.0, 10.25};
  Array1d a(data, 5);
  double out = 0;
  ember_error err{};
  ASSERT_EQ(call(*fn, &out, &err, {a.arr()}), EMBER_OK);
  EXPECT_EQ(out, 12.75);
}

TEST_F(LowerTest, SumOfEmptyArrayIsZero) {
  auto fn = compile(sum_function(), {types().array(ScalarKind::Float64, 1, Layout::C)});
  double dummy = 99.0;
  Array1d a(&dummy, 0);
  double out = -1;
  ember_error err{};
  ASSERT_EQ(call(*fn, &out, &err, {a.arr()}), EMBER_OK);
  EXPECT_EQ(out, 0.0);
}

TEST_F(LowerTest, SumOfStridedArrayUsesStrides) {
  auto fn = compile(sum_function(), {types().array(ScalarKind::Float64, 1, Layout::A)});
  double data[6] = {1.0, 100.0, 2.0, 100.0, 3.0, 100.0};
  Array1d a(data, 3, 2 * sizeof(double));  // data[::2]
  double out = 0;
  ember_error err{};
  ASSERT_EQ(call(*fn, &out, &err, {a.arr()}), EMBER_OK);
  EXPECT_EQ(out, 6.0);
}

// def saxpy(a, x, y, out):
//     for i in range(x.shape[0]):
//         out[i] = a * x[i] + y[i]
//     return None
FunctionInput saxpy_function() {
  return NisBuilder("saxpy", {"a", "x", "y", "out"}, {"i"})
      .consts({c_int(0), c_none()})
      .global("range", c_builtin(BuiltinId::Range))
      .attr("shape")
      .code({{NisOp::PushNull},     {NisOp::LoadGlobal, 0},
             {NisOp::LoadFast, 1},  {NisOp::LoadAttr, 1},
             {NisOp::LoadConst, 0}, {NisOp::BinarySubscr},
             {NisOp::Call, 1},      {NisOp::GetIter},
             {NisOp::ForIter, 23},  // 8
             {NisOp::StoreFast, 4}, {NisOp::LoadFast, 0},
             {NisOp::LoadFast, 1},  {NisOp::LoadFast, 4},
             {NisOp::BinarySubscr}, {NisOp::BinaryOp, op(BinOpKind::Mul)},
             {NisOp::LoadFast, 2},  {NisOp::LoadFast, 4},
             {NisOp::BinarySubscr}, {NisOp::BinaryOp, op(BinOpKind::Add)},
             {NisOp::LoadFast, 3},  {NisOp::LoadFast, 4},
             {NisOp::StoreSubscr},  {NisOp::Jump, 8},
             {NisOp::LoadConst, 1},  // 23
             {NisOp::ReturnValue}});
}

std::vector<TypeId> saxpy_args(TypeContext &types) {
  TypeId arr = types.array(ScalarKind::Float64, 1, Layout::C);
  return {types.float64(), arr, arr, arr};
}

TEST_F(LowerTest, SaxpyComputesResult) {
  auto fn = compile(saxpy_function(), saxpy_args(types()));
  const int n = 37;  // not a multiple of the vector width: the remainder loop runs too
  std::vector<double> x(n), y(n), out(n, 0.0);
  for (int i = 0; i < n; ++i) {
    x[i] = i;
    y[i] = 0.5 * i;
  }
  Array1d ax(x.data(), n), ay(y.data(), n), aout(out.data(), n);
  double a = 2.0;
  unsigned char ret = 0xff;
  ember_error err{};
  ASSERT_EQ(call(*fn, &ret, &err, {&a, ax.arr(), ay.arr(), aout.arr()}), EMBER_OK);
  for (int i = 0; i < n; ++i) EXPECT_EQ(out[i], 2.5 * i) << i;
}

TEST_F(LowerTest, SaxpyOverContiguousArraysIsVectorized) {
  auto fn = compile(saxpy_function(), saxpy_args(types()));
  std::string ir = compiler().llvm_ir(*fn, true);
  bool vectorized =
      ir.find("<4 x double>") != std::string::npos || ir.find("<8 x double>") != std::string::npos;
  EXPECT_TRUE(vectorized) << ir;
}

TEST_F(LowerTest, UnoptimizedIrHasNoVectors) {
  auto fn = compile(saxpy_function(), saxpy_args(types()));
  std::string ir = compiler().llvm_ir(*fn, false);
  EXPECT_EQ(ir.find("x double>"), std::string::npos);
  EXPECT_NE(ir.find(fn->symbol), std::string::npos);
}

// def f(n):
//     s = 0.0
//     for i in range(n):
//         a = empty(n)
//         a[0] = 1.5
//         s += a[0]
//     return s
TEST_F(LowerTest, AllocationsInLoopAreFreed) {
  FunctionInput in = NisBuilder("f", {"n"}, {"s", "i", "a"})
                         .consts({c_float(0.0), c_int(0), c_float(1.5)})
                         .global("range", c_builtin(BuiltinId::Range))
                         .global("empty", c_builtin(BuiltinId::NpEmpty))
                         .code({{NisOp::LoadConst, 0},
                                {NisOp::StoreFast, 1},
                                {NisOp::PushNull},
                                {NisOp::LoadGlobal, 0},
                                {NisOp::LoadFast, 0},
                                {NisOp::Call, 1},
                                {NisOp::GetIter},
                                {NisOp::ForIter, 25},  // 7
                                {NisOp::StoreFast, 2},
                                {NisOp::PushNull},
                                {NisOp::LoadGlobal, 1},
                                {NisOp::LoadFast, 0},
                                {NisOp::Call, 1},
                                {NisOp::StoreFast, 3},
                                {NisOp::LoadConst, 2},
                                {NisOp::LoadFast, 3},
                                {NisOp::LoadConst, 1},
                                {NisOp::StoreSubscr},
                                {NisOp::LoadFast, 1},
                                {NisOp::LoadFast, 3},
                                {NisOp::LoadConst, 1},
                                {NisOp::BinarySubscr},
                                {NisOp::BinaryOp, op(BinOpKind::Add), 1},
                                {NisOp::StoreFast, 1},
                                {NisOp::Jump, 7},
                                {NisOp::LoadFast, 1},  // 25
                                {NisOp::ReturnValue}});
  auto fn = compile(in, {types().int64()});
  int64_t before = ember_live_meminfos();
  int64_t n = 10;
  double out = 0;
  ember_error err{};
  ASSERT_EQ(call(*fn, &out, &err, {&n}), EMBER_OK);
  EXPECT_EQ(out, 15.0);
  EXPECT_EQ(ember_live_meminfos(), before);
}

// def f(n):
//     a = empty(n)
//     a[0] = 2.5
//     return a
TEST_F(LowerTest, ReturnedArrayOwnsOneReference) {
  FunctionInput in = NisBuilder("f", {"n"}, {"a"})
                         .consts({c_float(2.5), c_int(0)})
                         .global("empty", c_builtin(BuiltinId::NpEmpty))
                         .code({{NisOp::PushNull},
                                {NisOp::LoadGlobal, 0},
                                {NisOp::LoadFast, 0},
                                {NisOp::Call, 1},
                                {NisOp::StoreFast, 1},
                                {NisOp::LoadConst, 0},
                                {NisOp::LoadFast, 1},
                                {NisOp::LoadConst, 1},
                                {NisOp::StoreSubscr},
                                {NisOp::LoadFast, 1},
                                {NisOp::ReturnValue}});
  auto fn = compile(in, {types().int64()});
  int64_t before = ember_live_meminfos();
  int64_t n = 4;
  alignas(8) unsigned char ret[sizeof(ember_array) + 2 * sizeof(int64_t)] = {};
  ember_error err{};
  ASSERT_EQ(call(*fn, ret, &err, {&n}), EMBER_OK);
  auto *arr = reinterpret_cast<ember_array *>(ret);
  ASSERT_NE(arr->meminfo, nullptr);
  EXPECT_EQ(arr->meminfo->refcount, 1);
  EXPECT_EQ(arr->nitems, 4);
  EXPECT_EQ(arr->itemsize, 8);
  EXPECT_EQ(arr->shape_and_strides[0], 4);
  EXPECT_EQ(arr->shape_and_strides[1], 8);
  EXPECT_EQ(static_cast<double *>(arr->data)[0], 2.5);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(arr->data) % 64, 0u);
  EXPECT_EQ(ember_live_meminfos(), before + 1);
  ember_meminfo_decref(arr->meminfo);
  EXPECT_EQ(ember_live_meminfos(), before);
}

// def f(a, i):
//     return a[i]      (negative indices wrap around, as in Python)
TEST_F(LowerTest, NegativeIndexWrapsAround) {
  FunctionInput in = NisBuilder("f", {"a", "i"})
                         .code({{NisOp::LoadFast, 0},
                                {NisOp::LoadFast, 1},
                                {NisOp::BinarySubscr},
                                {NisOp::ReturnValue}});
  auto fn = compile(in, {types().array(ScalarKind::Float64, 1, Layout::C), types().int64()});
  double data[3] = {1.0, 2.0, 3.0};
  Array1d a(data, 3);
  int64_t i = -1;
  double out = 0;
  ember_error err{};
  ASSERT_EQ(call(*fn, &out, &err, {a.arr(), &i}), EMBER_OK);
  EXPECT_EQ(out, 3.0);
}

// ---- arrays and references ----------------------------------------------------------------------

// 70 def f(a, i):
// 71     return a[i]       (boundscheck=True)
TEST_F(LowerTest, BoundscheckRaisesIndexError) {
  FunctionInput in = NisBuilder("f", {"a", "i"}, {}, 70)
                         .code({{NisOp::LoadFast, 0, -1, 71},
                                {NisOp::LoadFast, 1},
                                {NisOp::BinarySubscr},
                                {NisOp::ReturnValue}});
  PipelineOptions options;
  options.verify = true;
  options.flags.boundscheck = true;
  auto fn =
      compiler().compile(in, {types().array(ScalarKind::Float64, 1, Layout::C), types().int64()},
                         resolver_, InferOptions{}, options);
  double data[3] = {1.0, 2.0, 3.0};
  Array1d a(data, 3);
  double out = 0;
  for (int64_t i : {3, -4, 100}) {
    ember_error err{};
    ASSERT_EQ(call(*fn, &out, &err, {a.arr(), &i}), EMBER_RAISED) << i;
    EXPECT_EQ(err.exc, EMBER_EXC_IndexError) << i;
    EXPECT_EQ(err.line, 71);
  }
  int64_t i = -3;
  ember_error err{};
  ASSERT_EQ(call(*fn, &out, &err, {a.arr(), &i}), EMBER_OK);
  EXPECT_EQ(out, 1.0);
}

// def f(n, k):
//     a = empty(n)
//     a[0] = 1.0
//     a[1] = n // k     (raises with `a` alive when k == 0)
//     return a
TEST_F(LowerTest, RaiseWithLiveArrayFreesIt) {
  FunctionInput in = NisBuilder("f", {"n", "k"}, {"a"})
                         .consts({c_float(1.0), c_int(0), c_int(1)})
                         .global("empty", c_builtin(BuiltinId::NpEmpty))
                         .code({{NisOp::PushNull},
                                {NisOp::LoadGlobal, 0},
                                {NisOp::LoadFast, 0},
                                {NisOp::Call, 1},
                                {NisOp::StoreFast, 2},
                                {NisOp::LoadConst, 0},
                                {NisOp::LoadFast, 2},
                                {NisOp::LoadConst, 1},
                                {NisOp::StoreSubscr},
                                {NisOp::LoadFast, 0},
                                {NisOp::LoadFast, 1},
                                {NisOp::BinaryOp, op(BinOpKind::FloorDiv)},
                                {NisOp::LoadFast, 2},
                                {NisOp::LoadConst, 2},
                                {NisOp::StoreSubscr},
                                {NisOp::LoadFast, 2},
                                {NisOp::ReturnValue}});
  auto fn = compile(in, {types().int64(), types().int64()});
  int64_t before = ember_live_meminfos();
  int64_t n = 4, k = 0;
  alignas(8) unsigned char ret[sizeof(ember_array) + 2 * sizeof(int64_t)] = {};
  ember_error err{};
  ASSERT_EQ(call(*fn, ret, &err, {&n, &k}), EMBER_RAISED);
  EXPECT_EQ(err.exc, EMBER_EXC_ZeroDivisionError);
  EXPECT_EQ(ember_live_meminfos(), before);
}

// def f(n):
//     a = empty(n)
//     a[0] = 1.0
//     a[1] = 2.0
//     b = a[1:]         (a view holds a reference to a's buffer)
//     t = (a, b)        (a tuple of arrays holds both)
//     return t[1][0]
TEST_F(LowerTest, ViewsAndTuplesOfArraysAreFreed) {
  FunctionInput in =
      NisBuilder("f", {"n"}, {"a", "b", "t"})
          .consts({c_float(1.0), c_int(0), c_float(2.0), c_int(1), c_none()})
          .global("empty", c_builtin(BuiltinId::NpEmpty))
          .code({{NisOp::PushNull},      {NisOp::LoadGlobal, 0}, {NisOp::LoadFast, 0},
                 {NisOp::Call, 1},       {NisOp::StoreFast, 1},  {NisOp::LoadConst, 0},
                 {NisOp::LoadFast, 1},   {NisOp::LoadConst, 1},  {NisOp::StoreSubscr},
                 {NisOp::LoadConst, 2},  {NisOp::LoadFast, 1},   {NisOp::LoadConst, 3},
                 {NisOp::StoreSubscr},   {NisOp::LoadFast, 1},   {NisOp::LoadConst, 3},
                 {NisOp::LoadConst, 4},  {NisOp::BuildSlice, 2}, {NisOp::BinarySubscr},
                 {NisOp::StoreFast, 2},  {NisOp::LoadFast, 1},   {NisOp::LoadFast, 2},
                 {NisOp::BuildTuple, 2}, {NisOp::StoreFast, 3},  {NisOp::LoadFast, 3},
                 {NisOp::LoadConst, 3},  {NisOp::BinarySubscr},  {NisOp::LoadConst, 1},
                 {NisOp::BinarySubscr},  {NisOp::ReturnValue}});
  auto fn = compile(in, {types().int64()});
  int64_t before = ember_live_meminfos();
  int64_t n = 5;
  double out = 0;
  ember_error err{};
  ASSERT_EQ(call(*fn, &out, &err, {&n}), EMBER_OK);
  EXPECT_EQ(out, 2.0);
  EXPECT_EQ(ember_live_meminfos(), before);
}

// def f(a):
//     s = 0.0
//     for row in a:     (a 2-d C array: rows are 1-d C views)
//         s += row[1]
//     return s
TEST_F(LowerTest, IteratingRowsOf2dArray) {
  FunctionInput in = NisBuilder("f", {"a"}, {"s", "row"})
                         .consts({c_float(0.0), c_int(1)})
                         .code({{NisOp::LoadConst, 0},
                                {NisOp::StoreFast, 1},
                                {NisOp::LoadFast, 0},
                                {NisOp::GetIter},
                                {NisOp::ForIter, 13},  // 4
                                {NisOp::StoreFast, 2},
                                {NisOp::LoadFast, 1},
                                {NisOp::LoadFast, 2},
                                {NisOp::LoadConst, 1},
                                {NisOp::BinarySubscr},
                                {NisOp::BinaryOp, op(BinOpKind::Add), 1},
                                {NisOp::StoreFast, 1},
                                {NisOp::Jump, 4},
                                {NisOp::LoadFast, 1},  // 13
                                {NisOp::ReturnValue}});
  auto fn = compile(in, {types().array(ScalarKind::Float64, 2, Layout::C)});
  double data[6] = {1.0, 2.0, 3.0, 4.0, 5.0, 6.0};  // 3 x 2
  alignas(8) unsigned char storage[sizeof(ember_array) + 4 * sizeof(int64_t)] = {};
  auto *arr = reinterpret_cast<ember_array *>(storage);
  arr->nitems = 6;
  arr->itemsize = 8;
  arr->data = data;
  arr->shape_and_strides[0] = 3;
  arr->shape_and_strides[1] = 2;
  arr->shape_and_strides[2] = 16;
  arr->shape_and_strides[3] = 8;
  double out = 0;
  ember_error err{};
  ASSERT_EQ(call(*fn, &out, &err, {arr}), EMBER_OK);
  EXPECT_EQ(out, 12.0);  // 2 + 4 + 6
}

// def f(a):
//     return a          (the caller's reference stays; the result owns a new one)
TEST_F(LowerTest, ReturnedArgumentGetsItsOwnReference) {
  FunctionInput in = NisBuilder("f", {"a"}).code({{NisOp::LoadFast, 0}, {NisOp::ReturnValue}});
  auto fn = compile(in, {types().array(ScalarKind::Float64, 1, Layout::C)});
  ember_meminfo *mi = ember_meminfo_alloc(3 * sizeof(double));
  ASSERT_NE(mi, nullptr);
  Array1d a(static_cast<double *>(mi->data), 3);
  a.arr()->meminfo = mi;
  alignas(8) unsigned char ret[sizeof(ember_array) + 2 * sizeof(int64_t)] = {};
  ember_error err{};
  ASSERT_EQ(call(*fn, ret, &err, {a.arr()}), EMBER_OK);
  auto *out = reinterpret_cast<ember_array *>(ret);
  EXPECT_EQ(out->meminfo, mi);
  EXPECT_EQ(out->data, mi->data);
  EXPECT_EQ(mi->refcount, 2);
  ember_meminfo_decref(mi);
  ember_meminfo_decref(mi);
}

// def f(a):
//     return a[0]       (an owned argument is borrowed for the call: net refcount unchanged)
TEST_F(LowerTest, OwnedArgumentRefcountIsUnchanged) {
  FunctionInput in = NisBuilder("f", {"a"})
                         .consts({c_int(0)})
                         .code({{NisOp::LoadFast, 0},
                                {NisOp::LoadConst, 0},
                                {NisOp::BinarySubscr},
                                {NisOp::ReturnValue}});
  auto fn = compile(in, {types().array(ScalarKind::Float64, 1, Layout::C)});
  ember_meminfo *mi = ember_meminfo_alloc(sizeof(double));
  ASSERT_NE(mi, nullptr);
  static_cast<double *>(mi->data)[0] = 8.5;
  Array1d a(static_cast<double *>(mi->data), 1);
  a.arr()->meminfo = mi;
  double out = 0;
  ember_error err{};
  ASSERT_EQ(call(*fn, &out, &err, {a.arr()}), EMBER_OK);
  EXPECT_EQ(out, 8.5);
  EXPECT_EQ(mi->refcount, 1);
  ember_meminfo_decref(mi);
}

// def f(n, c):
//     if c:
//         a = empty(n)
//     else:
//         a = None
//     return a is None      (a is optional(array): freed on both paths)
TEST_F(LowerTest, OptionalArrayIsFreedOnBothPaths) {
  FunctionInput in = NisBuilder("f", {"n", "c"}, {"a"})
                         .consts({c_none()})
                         .global("empty", c_builtin(BuiltinId::NpEmpty))
                         .code({{NisOp::LoadFast, 1},
                                {NisOp::PopJumpIfFalse, 8},
                                {NisOp::PushNull},
                                {NisOp::LoadGlobal, 0},
                                {NisOp::LoadFast, 0},
                                {NisOp::Call, 1},
                                {NisOp::StoreFast, 2},
                                {NisOp::Jump, 10},
                                {NisOp::LoadConst, 0},  // 8
                                {NisOp::StoreFast, 2},
                                {NisOp::LoadFast, 2},  // 10
                                {NisOp::LoadConst, 0},
                                {NisOp::IsOp, 0},
                                {NisOp::ReturnValue}});
  auto fn = compile(in, {types().int64(), types().boolean()});
  int64_t before = ember_live_meminfos();
  for (uint8_t c : {1, 0}) {
    int64_t n = 2;
    uint8_t out = 0xee;
    ember_error err{};
    ASSERT_EQ(call(*fn, &out, &err, {&n, &c}), EMBER_OK);
    EXPECT_EQ(out, c ? 0 : 1);
    EXPECT_EQ(ember_live_meminfos(), before) << "c = " << int(c);
  }
}

// def f(n):
//     a = empty((n, 2))
//     for row in a:
//         row[0] = 1.0
//         return row[0]     (leaves the loop with the iterator and a row alive)
//     return 0.0
TEST_F(LowerTest, ReturnFromArrayIterationFreesIterator) {
  FunctionInput in =
      NisBuilder("f", {"n"}, {"a", "row"})
          .consts({c_int(2), c_float(1.0), c_int(0), c_float(0.0)})
          .global("empty", c_builtin(BuiltinId::NpEmpty))
          .code({{NisOp::PushNull},     {NisOp::LoadGlobal, 0}, {NisOp::LoadFast, 0},
                 {NisOp::LoadConst, 0}, {NisOp::BuildTuple, 2}, {NisOp::Call, 1},
                 {NisOp::StoreFast, 1}, {NisOp::LoadFast, 1},   {NisOp::GetIter},
                 {NisOp::ForIter, 20},  // 9
                 {NisOp::StoreFast, 2}, {NisOp::LoadConst, 1},  {NisOp::LoadFast, 2},
                 {NisOp::LoadConst, 2}, {NisOp::StoreSubscr},   {NisOp::PopTop},  // the iterator
                 {NisOp::LoadFast, 2},  {NisOp::LoadConst, 2},  {NisOp::BinarySubscr},
                 {NisOp::ReturnValue},  {NisOp::LoadConst, 3},  // 20
                 {NisOp::ReturnValue}});
  auto fn = compile(in, {types().int64()});
  int64_t before = ember_live_meminfos();
  for (int64_t n : {3, 0}) {
    double out = -5;
    ember_error err{};
    ASSERT_EQ(call(*fn, &out, &err, {&n}), EMBER_OK);
    EXPECT_EQ(out, n ? 1.0 : 0.0);
    EXPECT_EQ(ember_live_meminfos(), before) << "n = " << n;
  }
}

// def f(a, b):
//     return a + b * 2.0     (one fused loop; the result is a new C array)
TEST_F(LowerTest, ArrayExpressionResult) {
  FunctionInput in = NisBuilder("f", {"a", "b"})
                         .consts({c_float(2.0)})
                         .code({{NisOp::LoadFast, 0},
                                {NisOp::LoadFast, 1},
                                {NisOp::LoadConst, 0},
                                {NisOp::BinaryOp, op(BinOpKind::Mul)},
                                {NisOp::BinaryOp, op(BinOpKind::Add)},
                                {NisOp::ReturnValue}});
  TypeId arr = types().array(ScalarKind::Float64, 1, Layout::C);
  auto fn = compile(in, {arr, arr});
  double x[5] = {1, 2, 3, 4, 5}, y[5] = {0.5, 0.25, 0, -1, 10};
  Array1d a(x, 5), b(y, 5);
  int64_t before = ember_live_meminfos();
  alignas(8) unsigned char ret[sizeof(ember_array) + 2 * sizeof(int64_t)] = {};
  ember_error err{};
  ASSERT_EQ(call(*fn, ret, &err, {a.arr(), b.arr()}), EMBER_OK);
  auto *out = reinterpret_cast<ember_array *>(ret);
  ASSERT_NE(out->meminfo, nullptr);
  EXPECT_EQ(out->meminfo->refcount, 1);
  EXPECT_EQ(out->shape_and_strides[0], 5);
  const double *r = static_cast<const double *>(out->data);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(r[i], x[i] + 2.0 * y[i]) << i;
  EXPECT_EQ(ember_live_meminfos(), before + 1);
  ember_meminfo_decref(out->meminfo);
  EXPECT_EQ(ember_live_meminfos(), before);
}

// def f(a, start, stop, step):
//     b = a[start:stop:step]
//     s = 0.0
//     for x in b:
//         s = s * 10.0 + x
//     return b.shape[0], s
FunctionInput slice_function(bool none_bounds) {
  std::vector<Ins> bounds = {{NisOp::LoadFast, 1}, {NisOp::LoadFast, 2}};
  if (none_bounds) bounds = {{NisOp::LoadConst, 3}, {NisOp::LoadConst, 3}};
  return NisBuilder("f", {"a", "start", "stop", "step"}, {"b", "s", "x"})
      .consts({c_float(0.0), c_float(10.0), c_int(0), c_none()})
      .attr("shape")
      .code({{NisOp::LoadFast, 0},
             bounds[0],
             bounds[1],
             {NisOp::LoadFast, 3},
             {NisOp::BuildSlice, 3},
             {NisOp::BinarySubscr},
             {NisOp::StoreFast, 4},
             {NisOp::LoadConst, 0},
             {NisOp::StoreFast, 5},
             {NisOp::LoadFast, 4},
             {NisOp::GetIter},
             {NisOp::ForIter, 20},  // 11
             {NisOp::StoreFast, 6},
             {NisOp::LoadFast, 5},
             {NisOp::LoadConst, 1},
             {NisOp::BinaryOp, op(BinOpKind::Mul)},
             {NisOp::LoadFast, 6},
             {NisOp::BinaryOp, op(BinOpKind::Add)},
             {NisOp::StoreFast, 5},
             {NisOp::Jump, 11},
             {NisOp::LoadFast, 4},  // 20
             {NisOp::LoadAttr, 0},
             {NisOp::LoadConst, 2},
             {NisOp::BinarySubscr},
             {NisOp::LoadFast, 5},
             {NisOp::BuildTuple, 2},
             {NisOp::ReturnValue}});
}

struct SliceCase {
  int64_t start, stop, step, len;
  double digits;  ///< the elements of a[start:stop:step] of a = 1..7, as decimal digits
};

class SliceTest : public LowerTest {
 protected:
  void check(const CompiledFunction &fn, const SliceCase &t) {
    double data[7] = {1, 2, 3, 4, 5, 6, 7};
    Array1d a(data, 7);
    struct {
      int64_t len;
      double digits;
    } out{-1, -1};
    ember_error err{};
    int64_t start = t.start, stop = t.stop, step = t.step;
    ASSERT_EQ(call(fn, &out, &err, {a.arr(), &start, &stop, &step}), EMBER_OK);
    EXPECT_EQ(out.len, t.len) << "a[" << t.start << ":" << t.stop << ":" << t.step << "]";
    EXPECT_EQ(out.digits, t.digits) << "a[" << t.start << ":" << t.stop << ":" << t.step << "]";
  }
};

// Python's slice.indices clamping and negative steps, on a 7-element array (expected values
// from CPython).
TEST_F(SliceTest, SlicesFollowPythonIndices) {
  TypeId i64 = types().int64();
  auto fn = compile(slice_function(false),
                    {types().array(ScalarKind::Float64, 1, Layout::C), i64, i64, i64});
  for (const SliceCase &t : std::vector<SliceCase>{{0, 7, 1, 7, 1234567},
                                                   {2, 5, 1, 3, 345},
                                                   {-3, 7, 1, 3, 567},
                                                   {-100, 100, 1, 7, 1234567},
                                                   {5, 2, 1, 0, 0},
                                                   {0, 7, 2, 4, 1357},
                                                   {1, 7, 3, 2, 25},
                                                   {6, 0, -1, 6, 765432},
                                                   {6, -100, -2, 4, 7531},
                                                   {-1, -8, -1, 7, 7654321},
                                                   {100, -100, -3, 3, 741},
                                                   {3, 3, 1, 0, 0},
                                                   {-2, 7, 1, 2, 67},
                                                   {0, -1, 1, 6, 123456}})
    check(*fn, t);
}

// a[::step]: missing bounds depend on the sign of the step.
TEST_F(SliceTest, MissingBoundsFollowStepSign) {
  TypeId i64 = types().int64();
  auto fn = compile(slice_function(true),
                    {types().array(ScalarKind::Float64, 1, Layout::C), i64, i64, i64});
  for (const SliceCase &t : std::vector<SliceCase>{
           {0, 0, -1, 7, 7654321}, {0, 0, -2, 4, 7531}, {0, 0, 3, 3, 147}, {0, 0, 1, 7, 1234567}})
    check(*fn, t);
}

TEST_F(SliceTest, ZeroStepRaisesValueError) {
  TypeId i64 = types().int64();
  auto fn = compile(slice_function(false),
                    {types().array(ScalarKind::Float64, 1, Layout::C), i64, i64, i64});
  double data[7] = {1, 2, 3, 4, 5, 6, 7};
  Array1d a(data, 7);
  unsigned char out[16];
  ember_error err{};
  int64_t start = 0, stop = 7, step = 0;
  ASSERT_EQ(call(*fn, out, &err, {a.arr(), &start, &stop, &step}), EMBER_RAISED);
  EXPECT_EQ(err.exc, EMBER_EXC_ValueError);
}

// def f(a, i, j):
//     return a[i, j]      (an F-ordered 2 x 3 array: element (i, j) at i*8 + j*16 bytes)
TEST_F(LowerTest, IndexingFortranArrayUsesStrides) {
  FunctionInput in = NisBuilder("f", {"a", "i", "j"})
                         .code({{NisOp::LoadFast, 0},
                                {NisOp::LoadFast, 1},
                                {NisOp::LoadFast, 2},
                                {NisOp::BuildTuple, 2},
                                {NisOp::BinarySubscr},
                                {NisOp::ReturnValue}});
  auto fn = compile(
      in, {types().array(ScalarKind::Float64, 2, Layout::F), types().int64(), types().int64()});
  double data[6] = {11, 21, 12, 22, 13, 23};  // column-major [[11, 12, 13], [21, 22, 23]]
  alignas(8) unsigned char storage[sizeof(ember_array) + 4 * sizeof(int64_t)] = {};
  auto *arr = reinterpret_cast<ember_array *>(storage);
  arr->nitems = 6;
  arr->itemsize = 8;
  arr->data = data;
  arr->shape_and_strides[0] = 2;
  arr->shape_and_strides[1] = 3;
  arr->shape_and_strides[2] = 8;
  arr->shape_and_strides[3] = 16;
  for (int64_t i = -2; i < 2; ++i)
    for (int64_t j = -3; j < 3; ++j) {
      double out = 0;
      ember_error err{};
      int64_t ii = i, jj = j;
      ASSERT_EQ(call(*fn, &out, &err, {arr, &ii, &jj}), EMBER_OK);
      int64_t r = i < 0 ? i + 2 : i, c = j < 0 ? j + 3 : j;
      EXPECT_EQ(out, 10.0 * (r + 1) + (c + 1)) << i << ", " << j;
    }
}

// def f(a):
//     a[1:] = a[:-1]      (overlapping source and destination: NumPy copies as if through a
//     return a[3]          temporary, giving [1, 1, 2, 3])
TEST_F(LowerTest, OverlappingSliceCopyBehavesAsNumpy) {
  FunctionInput in = NisBuilder("f", {"a"})
                         .consts({c_int(1), c_none(), c_int(-1), c_int(3)})
                         .code({{NisOp::LoadFast, 0},
                                {NisOp::LoadConst, 1},
                                {NisOp::LoadConst, 2},
                                {NisOp::BuildSlice, 2},
                                {NisOp::BinarySubscr},
                                {NisOp::LoadFast, 0},
                                {NisOp::LoadConst, 0},
                                {NisOp::LoadConst, 1},
                                {NisOp::BuildSlice, 2},
                                {NisOp::StoreSubscr},
                                {NisOp::LoadFast, 0},
                                {NisOp::LoadConst, 3},
                                {NisOp::BinarySubscr},
                                {NisOp::ReturnValue}});
  auto fn = compile(in, {types().array(ScalarKind::Float64, 1, Layout::C)});
  double data[4] = {1, 2, 3, 4};
  Array1d a(data, 4);
  int fake_ndarray = 0;
  a.arr()->parent = &fake_ndarray;  // an ndarray argument, as the dispatcher passes it
  double out = 0;
  ember_error err{};
  ASSERT_EQ(call(*fn, &out, &err, {a.arr()}), EMBER_OK);
  EXPECT_EQ(data[0], 1.0);
  EXPECT_EQ(data[1], 1.0);
  EXPECT_EQ(data[2], 2.0);
  EXPECT_EQ(data[3], 3.0);
  EXPECT_EQ(out, 3.0);
}

// def f(dst, src):
//     dst[:] = src
// called as f(x[1:], x[:-1]): two ndarray arguments (two parents) over one buffer.  NumPy (and
// Numba, which compares the memory extents) copy as if through a temporary: x = [1, 1, 2, 3].
TEST_F(LowerTest, OverlappingViewArgumentsCopyBehavesAsNumpy) {
  FunctionInput in = NisBuilder("f", {"dst", "src"})
                         .consts({c_none()})
                         .code({{NisOp::LoadFast, 1},
                                {NisOp::LoadFast, 0},
                                {NisOp::LoadConst, 0},
                                {NisOp::LoadConst, 0},
                                {NisOp::BuildSlice, 2},
                                {NisOp::StoreSubscr},
                                {NisOp::LoadConst, 0},
                                {NisOp::ReturnValue}});
  TypeId arr = types().array(ScalarKind::Float64, 1, Layout::C);
  auto fn = compile(in, {arr, arr});
  double x[4] = {1, 2, 3, 4};
  Array1d dst(x + 1, 3), src(x, 3);
  int view1 = 0, view2 = 0;  // the two view ndarrays
  dst.arr()->parent = &view1;
  src.arr()->parent = &view2;
  unsigned char out = 0;
  ember_error err{};
  ASSERT_EQ(call(*fn, &out, &err, {dst.arr(), src.arr()}), EMBER_OK);
  EXPECT_EQ(x[0], 1.0);
  EXPECT_EQ(x[1], 1.0);
  EXPECT_EQ(x[2], 2.0) << "the source was overwritten while it was read";
  EXPECT_EQ(x[3], 3.0) << "the source was overwritten while it was read";
}

// def f(a):
//     a[1:] = a[:-1] * 2.0     (the product is fused into the store; NumPy evaluates the
//     return a[3]               right side first: [1, 2, 4, 6])
TEST_F(LowerTest, FusedStoreIntoOverlappingViewBehavesAsNumpy) {
  FunctionInput in = NisBuilder("f", {"a"})
                         .consts({c_int(1), c_none(), c_int(-1), c_int(3), c_float(2.0)})
                         .code({{NisOp::LoadFast, 0},
                                {NisOp::LoadConst, 1},
                                {NisOp::LoadConst, 2},
                                {NisOp::BuildSlice, 2},
                                {NisOp::BinarySubscr},
                                {NisOp::LoadConst, 4},
                                {NisOp::BinaryOp, op(BinOpKind::Mul)},
                                {NisOp::LoadFast, 0},
                                {NisOp::LoadConst, 0},
                                {NisOp::LoadConst, 1},
                                {NisOp::BuildSlice, 2},
                                {NisOp::StoreSubscr},
                                {NisOp::LoadFast, 0},
                                {NisOp::LoadConst, 3},
                                {NisOp::BinarySubscr},
                                {NisOp::ReturnValue}});
  auto fn = compile(in, {types().array(ScalarKind::Float64, 1, Layout::C)});
  double data[4] = {1, 2, 3, 4};
  Array1d a(data, 4);
  int fake_ndarray = 0;
  a.arr()->parent = &fake_ndarray;
  double out = 0;
  ember_error err{};
  ASSERT_EQ(call(*fn, &out, &err, {a.arr()}), EMBER_OK);
  EXPECT_EQ(data[1], 2.0);
  EXPECT_EQ(data[2], 4.0);
  EXPECT_EQ(data[3], 6.0) << "the fused loop read elements it had already written";
  EXPECT_EQ(out, 6.0);
}

// def f(dst, src):
//     dst[:] = src * 2.0      (fused into the store)
// called as f(x[1:], x[:-1]) on x = [1, 2, 3, 4]: NumPy gives x = [1, 2, 4, 6].
TEST_F(LowerTest, FusedStoreIntoOverlappingViewArgumentBehavesAsNumpy) {
  FunctionInput in = NisBuilder("f", {"dst", "src"})
                         .consts({c_none(), c_float(2.0)})
                         .code({{NisOp::LoadFast, 1},
                                {NisOp::LoadConst, 1},
                                {NisOp::BinaryOp, op(BinOpKind::Mul)},
                                {NisOp::LoadFast, 0},
                                {NisOp::LoadConst, 0},
                                {NisOp::LoadConst, 0},
                                {NisOp::BuildSlice, 2},
                                {NisOp::StoreSubscr},
                                {NisOp::LoadConst, 0},
                                {NisOp::ReturnValue}});
  TypeId arr = types().array(ScalarKind::Float64, 1, Layout::C);
  auto fn = compile(in, {arr, arr});
  double x[4] = {1, 2, 3, 4};
  Array1d dst(x + 1, 3), src(x, 3);
  int view1 = 0, view2 = 0;
  dst.arr()->parent = &view1;
  src.arr()->parent = &view2;
  unsigned char out = 0;
  ember_error err{};
  ASSERT_EQ(call(*fn, &out, &err, {dst.arr(), src.arr()}), EMBER_OK);
  EXPECT_EQ(x[1], 2.0);
  EXPECT_EQ(x[2], 4.0);
  EXPECT_EQ(x[3], 6.0) << "the fused loop read elements it had already written";
}

// def f(a, v):
//     a[1:3] = v          (a scalar fills the view)
//     return a[0]
TEST_F(LowerTest, SliceFillWithScalar) {
  FunctionInput in = NisBuilder("f", {"a", "v"})
                         .consts({c_int(1), c_int(3), c_int(0)})
                         .code({{NisOp::LoadFast, 1},
                                {NisOp::LoadFast, 0},
                                {NisOp::LoadConst, 0},
                                {NisOp::LoadConst, 1},
                                {NisOp::BuildSlice, 2},
                                {NisOp::StoreSubscr},
                                {NisOp::LoadFast, 0},
                                {NisOp::LoadConst, 2},
                                {NisOp::BinarySubscr},
                                {NisOp::ReturnValue}});
  auto fn = compile(in, {types().array(ScalarKind::Float64, 1, Layout::C), types().int64()});
  double data[4] = {1, 2, 3, 4};
  Array1d a(data, 4);
  int64_t v = 9;
  double out = 0;
  ember_error err{};
  ASSERT_EQ(call(*fn, &out, &err, {a.arr(), &v}), EMBER_OK);
  EXPECT_EQ(out, 1.0);
  EXPECT_EQ(data[1], 9.0);
  EXPECT_EQ(data[2], 9.0);
  EXPECT_EQ(data[3], 4.0);
}

// def f(a):
//     s = 0.0
//     for i, x in enumerate(a):
//         s += i * x
//     return s
TEST_F(LowerTest, EnumerateOverStridedArray) {
  FunctionInput in = NisBuilder("f", {"a"}, {"s", "i", "x"})
                         .consts({c_float(0.0)})
                         .global("enumerate", c_builtin(BuiltinId::Enumerate))
                         .code({{NisOp::LoadConst, 0},
                                {NisOp::StoreFast, 1},
                                {NisOp::PushNull},
                                {NisOp::LoadGlobal, 0},
                                {NisOp::LoadFast, 0},
                                {NisOp::Call, 1},
                                {NisOp::GetIter},
                                {NisOp::ForIter, 18},  // 7
                                {NisOp::UnpackSequence, 2},
                                {NisOp::StoreFast, 2},
                                {NisOp::StoreFast, 3},
                                {NisOp::LoadFast, 1},
                                {NisOp::LoadFast, 2},
                                {NisOp::LoadFast, 3},
                                {NisOp::BinaryOp, op(BinOpKind::Mul)},
                                {NisOp::BinaryOp, op(BinOpKind::Add), 1},
                                {NisOp::StoreFast, 1},
                                {NisOp::Jump, 7},
                                {NisOp::LoadFast, 1},  // 18
                                {NisOp::ReturnValue}});
  auto fn = compile(in, {types().array(ScalarKind::Float64, 1, Layout::A)});
  double data[8] = {1, -1, 2, -1, 3, -1, 4, -1};
  Array1d a(data, 4, 2 * sizeof(double));
  double out = 0;
  ember_error err{};
  ASSERT_EQ(call(*fn, &out, &err, {a.arr()}), EMBER_OK);
  EXPECT_EQ(out, 0 * 1 + 1 * 2 + 2 * 3 + 3 * 4);
}

// def f(n):
//     t = (empty(n), empty(n))
//     a, b = t
//     a[0] = 1.0
//     b[0] = 2.0
//     return a[0] + b[0]
TEST_F(LowerTest, UnpackedTupleOfArraysIsFreed) {
  FunctionInput in = NisBuilder("f", {"n"}, {"t", "a", "b"})
                         .consts({c_float(1.0), c_int(0), c_float(2.0)})
                         .global("empty", c_builtin(BuiltinId::NpEmpty))
                         .code({{NisOp::PushNull},
                                {NisOp::LoadGlobal, 0},
                                {NisOp::LoadFast, 0},
                                {NisOp::Call, 1},
                                {NisOp::PushNull},
                                {NisOp::LoadGlobal, 0},
                                {NisOp::LoadFast, 0},
                                {NisOp::Call, 1},
                                {NisOp::BuildTuple, 2},
                                {NisOp::StoreFast, 1},
                                {NisOp::LoadFast, 1},
                                {NisOp::UnpackSequence, 2},
                                {NisOp::StoreFast, 2},
                                {NisOp::StoreFast, 3},
                                {NisOp::LoadConst, 0},
                                {NisOp::LoadFast, 2},
                                {NisOp::LoadConst, 1},
                                {NisOp::StoreSubscr},
                                {NisOp::LoadConst, 2},
                                {NisOp::LoadFast, 3},
                                {NisOp::LoadConst, 1},
                                {NisOp::StoreSubscr},
                                {NisOp::LoadFast, 2},
                                {NisOp::LoadConst, 1},
                                {NisOp::BinarySubscr},
                                {NisOp::LoadFast, 3},
                                {NisOp::LoadConst, 1},
                                {NisOp::BinarySubscr},
                                {NisOp::BinaryOp, op(BinOpKind::Add)},
                                {NisOp::ReturnValue}});
  auto fn = compile(in, {types().int64()});
  int64_t before = ember_live_meminfos();
  int64_t n = 3;
  double out = 0;
  ember_error err{};
  ASSERT_EQ(call(*fn, &out, &err, {&n}), EMBER_OK);
  EXPECT_EQ(out, 3.0);
  EXPECT_EQ(ember_live_meminfos(), before);
}

// def f(a):
//     return a.sum()
FunctionInput method_sum_function() {
  return NisBuilder("f", {"a"})
      .attr("sum")
      .code({{NisOp::LoadFast, 0},
             {NisOp::LoadAttr, 0},
             {NisOp::PushNull},
             {NisOp::Call, 0},
             {NisOp::ReturnValue}});
}

TEST_F(LowerTest, SumMethodOfStridedArray) {
  auto fn = compile(method_sum_function(), {types().array(ScalarKind::Float64, 1, Layout::A)});
  double data[8] = {1, 100, 2, 100, 3, 100, 4.5, 100};
  Array1d a(data, 4, 2 * sizeof(double));
  double out = 0;
  ember_error err{};
  ASSERT_EQ(call(*fn, &out, &err, {a.arr()}), EMBER_OK);
  EXPECT_EQ(out, 10.5);
  Array1d empty(data, 0);
  ASSERT_EQ(call(*fn, &out, &err, {empty.arr()}), EMBER_OK);
  EXPECT_EQ(out, 0.0);
}

TEST_F(LowerTest, SumMethodOf2dFortranArray) {
  auto fn = compile(method_sum_function(), {types().array(ScalarKind::Float64, 2, Layout::F)});
  double data[6] = {1, 2, 3, 4, 5, 6};
  alignas(8) unsigned char storage[sizeof(ember_array) + 4 * sizeof(int64_t)] = {};
  auto *arr = reinterpret_cast<ember_array *>(storage);
  arr->nitems = 6;
  arr->itemsize = 8;
  arr->data = data;
  arr->shape_and_strides[0] = 2;
  arr->shape_and_strides[1] = 3;
  arr->shape_and_strides[2] = 8;
  arr->shape_and_strides[3] = 16;
  double out = 0;
  ember_error err{};
  ASSERT_EQ(call(*fn, &out, &err, {arr}), EMBER_OK);
  EXPECT_EQ(out, 21.0);
}
}  // namespace
}  // namespace ember
