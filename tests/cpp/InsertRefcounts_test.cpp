// insert_refcounts (lowering/InsertRefcounts.h) on functions built from NIS through
// build_typed_function (with the verifier after every step): arrays allocated by np.empty in a
// loop are dropped on every path, a returned array is not, values live across a loop are not
// dropped inside it, early returns and raises drop what is live, phis take over references,
// fused array expressions own nothing, and every error path's unwind set is exactly what is
// owned there (test::check_refcount_balance walks the paths).
#include <gtest/gtest.h>

#include <algorithm>

#include "ir/CFG.h"
#include "ir/IRPrinter.h"
#include "ir/Verifier.h"
#include "targets/Pipeline.h"
#include "tests/cpp/TestHelpers.h"

namespace ember {
namespace {

using test::c_builtin;
using test::c_exception;
using test::c_float;
using test::c_int;
using test::check_refcount_balance;
using test::FakeResolver;
using test::find_builtin_calls;
using test::find_insts;
using test::NisBuilder;

constexpr int32_t kAdd = static_cast<int32_t>(BinOpKind::Add);
constexpr int32_t kGt = static_cast<int32_t>(CmpKind::Gt);
constexpr int32_t kEq = static_cast<int32_t>(CmpKind::Eq);

class InsertRefcountsTest : public ::testing::Test {
 protected:
  std::shared_ptr<Function> build(const FunctionInput &in, const std::vector<TypeId> &args) {
    PipelineOptions options;
    options.verify = true;
    InferOptions infer;
    infer.self_handle = in.self_handle;
    return build_typed_function(in, types, args, resolver, infer, options);
  }

  /// The values np.empty returned.
  std::vector<Value> allocations(const Function &f) {
    std::vector<Value> out;
    for (Inst i : find_builtin_calls(f, BuiltinId::NpEmpty)) out.push_back(f.inst(i).result);
    return out;
  }

  /// DecRef instructions of v.
  std::vector<Inst> decrefs_of(const Function &f, Value v) {
    std::vector<Inst> out;
    for (Inst i : find_insts(f, Op::DecRef))
      if (f.inst(i).operands[0] == v) out.push_back(i);
    return out;
  }

  /// Whether v is dropped in block b or in the chain of single predecessors leading to it (the
  /// blocks every path into b runs through, up to the last merge or branch).
  bool dropped_on_way_to(const Function &f, Block b, Value v) {
    CFG cfg(f);
    for (int guard = 0; guard < 100; ++guard) {
      for (Inst i : f.block(b).insts)
        if (f.inst(i).op == Op::DecRef && f.inst(i).operands[0] == v) return true;
      if (cfg.preds(b).size() != 1) return false;
      b = cfg.preds(b)[0];
      if (f.successors(b).size() != 1) {
        // b branches: the drop may be in b before the branch only if it covers both edges.
        for (Inst i : f.block(b).insts)
          if (f.inst(i).op == Op::DecRef && f.inst(i).operands[0] == v) return true;
        return false;
      }
    }
    return false;
  }

  /// Whether v reaches a `ret` as its operand.
  bool returned(const Function &f, Value v) {
    for (Inst i : find_insts(f, Op::Ret))
      if (f.inst(i).operands[0] == v) return true;
    return false;
  }

  TypeId i64() { return types.int64(); }
  TypeId f64_1d() { return types.array(ScalarKind::Float64, 1, Layout::C); }

  TypeContext types;
  FakeResolver resolver;
};

// def f(n):
//     s = 0.0
//     for i in range(n):
//         a = empty(n)
//         a[0] = 1.0
//         s = s + a[0]
//     return s
FunctionInput alloc_in_loop() {
  return NisBuilder("f", {"n"}, {"s", "i", "a"})
      .consts({c_float(0.0), c_int(0), c_float(1.0)})
      .global("range", c_builtin(BuiltinId::Range))
      .global("empty", c_builtin(BuiltinId::NpEmpty))
      .code({{NisOp::LoadConst, 0},  {NisOp::StoreFast, 1}, {NisOp::PushNull},
             {NisOp::LoadGlobal, 0}, {NisOp::LoadFast, 0},  {NisOp::Call, 1},
             {NisOp::GetIter},       {NisOp::ForIter, 25},  // 7
             {NisOp::StoreFast, 2},  {NisOp::PushNull},     {NisOp::LoadGlobal, 1},
             {NisOp::LoadFast, 0},   {NisOp::Call, 1},      {NisOp::StoreFast, 3},
             {NisOp::LoadConst, 2},  {NisOp::LoadFast, 3},  {NisOp::LoadConst, 1},
             {NisOp::StoreSubscr},   {NisOp::LoadFast, 1},  {NisOp::LoadFast, 3},
             {NisOp::LoadConst, 1},  {NisOp::BinarySubscr}, {NisOp::BinaryOp, kAdd},
             {NisOp::StoreFast, 1},  {NisOp::Jump, 7},      {NisOp::LoadFast, 1},  // 25
             {NisOp::ReturnValue}});
}

TEST_F(InsertRefcountsTest, AllocationInLoopIsDropped) {
  auto f = build(alloc_in_loop(), {i64()});
  std::vector<Value> allocs = allocations(*f);
  ASSERT_EQ(allocs.size(), 1u);
  std::vector<Inst> drops = decrefs_of(*f, allocs[0]);
  ASSERT_EQ(drops.size(), 1u) << print_function(*f);
  // Dropped inside the loop body, where it was allocated.
  EXPECT_EQ(f->inst(drops[0]).block, f->inst(f->def(allocs[0])).block);
  EXPECT_TRUE(find_insts(*f, Op::IncRef).empty()) << print_function(*f);
}

TEST_F(InsertRefcountsTest, AllocationInLoopIsBalancedOnEveryPath) {
  auto f = build(alloc_in_loop(), {i64()});
  EXPECT_EQ(check_refcount_balance(*f), "") << print_function(*f);
}

TEST_F(InsertRefcountsTest, OutputPassesVerifier) {
  auto f = build(alloc_in_loop(), {i64()});
  EXPECT_NO_THROW(verify_function(*f, true));
}

// def f(n, c):
//     s = 0.0
//     for i in range(n):
//         a = empty(n)
//         if i > c:
//             s = s + a[0]
//     return s
// `a` dies at the branch on one edge and after a use on the other.
FunctionInput alloc_used_on_one_path() {
  return NisBuilder("f", {"n", "c"}, {"s", "i", "a"})
      .consts({c_float(0.0), c_int(0)})
      .global("range", c_builtin(BuiltinId::Range))
      .global("empty", c_builtin(BuiltinId::NpEmpty))
      .code({{NisOp::LoadConst, 0},      {NisOp::StoreFast, 2}, {NisOp::PushNull},
             {NisOp::LoadGlobal, 0},     {NisOp::LoadFast, 0},  {NisOp::Call, 1},
             {NisOp::GetIter},           {NisOp::ForIter, 25},  // 7
             {NisOp::StoreFast, 3},      {NisOp::PushNull},     {NisOp::LoadGlobal, 1},
             {NisOp::LoadFast, 0},       {NisOp::Call, 1},      {NisOp::StoreFast, 4},
             {NisOp::LoadFast, 3},       {NisOp::LoadFast, 1},  {NisOp::CompareOp, kGt},
             {NisOp::PopJumpIfFalse, 7}, {NisOp::LoadFast, 2},  {NisOp::LoadFast, 4},
             {NisOp::LoadConst, 1},      {NisOp::BinarySubscr}, {NisOp::BinaryOp, kAdd},
             {NisOp::StoreFast, 2},      {NisOp::Jump, 7},      {NisOp::LoadFast, 2},  // 25
             {NisOp::ReturnValue}});
}

TEST_F(InsertRefcountsTest, AllocationDroppedOnBothBranches) {
  auto f = build(alloc_used_on_one_path(), {i64(), i64()});
  std::vector<Value> allocs = allocations(*f);
  ASSERT_EQ(allocs.size(), 1u);
  // One drop after the use on the taken path and one on the edge that skips the use.
  EXPECT_EQ(decrefs_of(*f, allocs[0]).size(), 2u) << print_function(*f);
  EXPECT_EQ(check_refcount_balance(*f), "") << print_function(*f);
}

// def f(n):
//     a = empty(n)
//     a[0] = 1.0
//     return a
TEST_F(InsertRefcountsTest, ReturnedArrayIsNotDropped) {
  FunctionInput in = NisBuilder("f", {"n"}, {"a"})
                         .consts({c_float(1.0), c_int(0)})
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
  auto f = build(in, {i64()});
  std::vector<Value> allocs = allocations(*f);
  ASSERT_EQ(allocs.size(), 1u);
  EXPECT_TRUE(returned(*f, allocs[0]));
  EXPECT_TRUE(decrefs_of(*f, allocs[0]).empty()) << print_function(*f);
  EXPECT_TRUE(find_insts(*f, Op::DecRef).empty()) << print_function(*f);
  EXPECT_EQ(check_refcount_balance(*f), "") << print_function(*f);
}

// def f(n):
//     a = empty(n)
//     for i in range(n):
//         a[i] = 0.5
//     return a[0]
FunctionInput live_across_loop() {
  return NisBuilder("f", {"n"}, {"a", "i"})
      .consts({c_float(0.5), c_int(0)})
      .global("empty", c_builtin(BuiltinId::NpEmpty))
      .global("range", c_builtin(BuiltinId::Range))
      .code({{NisOp::PushNull},      {NisOp::LoadGlobal, 0}, {NisOp::LoadFast, 0},
             {NisOp::Call, 1},       {NisOp::StoreFast, 1},  {NisOp::PushNull},
             {NisOp::LoadGlobal, 1}, {NisOp::LoadFast, 0},   {NisOp::Call, 1},
             {NisOp::GetIter},       {NisOp::ForIter, 17},  // 10
             {NisOp::StoreFast, 2},  {NisOp::LoadConst, 0},  {NisOp::LoadFast, 1},
             {NisOp::LoadFast, 2},   {NisOp::StoreSubscr},   {NisOp::Jump, 10},
             {NisOp::LoadFast, 1},  // 17
             {NisOp::LoadConst, 1},  {NisOp::BinarySubscr},  {NisOp::ReturnValue}});
}

TEST_F(InsertRefcountsTest, ValueLiveAcrossLoopIsNotDroppedInside) {
  auto f = build(live_across_loop(), {i64()});
  std::vector<Value> allocs = allocations(*f);
  ASSERT_EQ(allocs.size(), 1u);
  Value a = allocs[0];
  Block header = f->inst(find_insts(*f, Op::IterNext).at(0)).block;
  std::vector<Inst> drops = decrefs_of(*f, a);
  ASSERT_EQ(drops.size(), 1u) << print_function(*f);
  Block drop_block = f->inst(drops[0]).block;
  EXPECT_NE(drop_block, header);
  // The drop is after the loop: the block reading a[0], which the header does not reach back.
  Inst ret = find_insts(*f, Op::Ret).at(0);
  EXPECT_EQ(drop_block, f->inst(ret).block) << print_function(*f);
  EXPECT_TRUE(find_insts(*f, Op::IncRef).empty()) << print_function(*f);
  EXPECT_EQ(check_refcount_balance(*f), "") << print_function(*f);
}

// def f(n):
//     a = empty(n)
//     for i in range(n):
//         if i == 3:
//             return 1.0
//         a[i] = 0.5
//     return 0.0
TEST_F(InsertRefcountsTest, EarlyReturnInLoopDropsLiveArray) {
  FunctionInput in = NisBuilder("f", {"n"}, {"a", "i"})
                         .consts({c_float(0.5), c_int(3), c_float(1.0), c_float(0.0)})
                         .global("empty", c_builtin(BuiltinId::NpEmpty))
                         .global("range", c_builtin(BuiltinId::Range))
                         .code({{NisOp::PushNull},
                                {NisOp::LoadGlobal, 0},
                                {NisOp::LoadFast, 0},
                                {NisOp::Call, 1},
                                {NisOp::StoreFast, 1},
                                {NisOp::PushNull},
                                {NisOp::LoadGlobal, 1},
                                {NisOp::LoadFast, 0},
                                {NisOp::Call, 1},
                                {NisOp::GetIter},
                                {NisOp::ForIter, 24},  // 10
                                {NisOp::StoreFast, 2},
                                {NisOp::LoadFast, 2},
                                {NisOp::LoadConst, 1},
                                {NisOp::CompareOp, kEq},
                                {NisOp::PopJumpIfFalse, 19},
                                {NisOp::PopTop},  // the iterator, as CPython pops it
                                {NisOp::LoadConst, 2},
                                {NisOp::ReturnValue},
                                {NisOp::LoadConst, 0},  // 19
                                {NisOp::LoadFast, 1},
                                {NisOp::LoadFast, 2},
                                {NisOp::StoreSubscr},
                                {NisOp::Jump, 10},
                                {NisOp::LoadConst, 3},  // 24
                                {NisOp::ReturnValue}});
  auto f = build(in, {i64()});
  std::vector<Value> allocs = allocations(*f);
  ASSERT_EQ(allocs.size(), 1u);
  // Two returns, each preceded by a drop of a.
  std::vector<Inst> rets = find_insts(*f, Op::Ret);
  ASSERT_EQ(rets.size(), 2u);
  for (Inst r : rets)
    EXPECT_TRUE(dropped_on_way_to(*f, f->inst(r).block, allocs[0]))
        << "ret in bb" << f->inst(r).block.id << "\n"
        << print_function(*f);
  EXPECT_EQ(check_refcount_balance(*f), "") << print_function(*f);
}

// def f(n):
//     a = empty(n)
//     if n > 3:
//         raise ValueError
//     return a[0]
TEST_F(InsertRefcountsTest, RaiseDropsLiveArray) {
  FunctionInput in = NisBuilder("f", {"n"}, {"a"})
                         .consts({c_int(3), c_int(0)})
                         .global("empty", c_builtin(BuiltinId::NpEmpty))
                         .global("ValueError", c_exception(3, "ValueError"))
                         .code({{NisOp::PushNull},
                                {NisOp::LoadGlobal, 0},
                                {NisOp::LoadFast, 0},
                                {NisOp::Call, 1},
                                {NisOp::StoreFast, 1},
                                {NisOp::LoadFast, 0},
                                {NisOp::LoadConst, 0},
                                {NisOp::CompareOp, kGt},
                                {NisOp::PopJumpIfFalse, 11},
                                {NisOp::LoadGlobal, 1},
                                {NisOp::Raise, 1},
                                {NisOp::LoadFast, 1},  // 11
                                {NisOp::LoadConst, 1},
                                {NisOp::BinarySubscr},
                                {NisOp::ReturnValue}});
  auto f = build(in, {i64()});
  std::vector<Value> allocs = allocations(*f);
  ASSERT_EQ(allocs.size(), 1u);
  Inst raise = find_insts(*f, Op::Raise).at(0);
  EXPECT_TRUE(dropped_on_way_to(*f, f->inst(raise).block, allocs[0])) << print_function(*f);
  EXPECT_EQ(check_refcount_balance(*f), "") << print_function(*f);
}

// def f(n):
//     empty(n)        (result discarded)
//     return n
TEST_F(InsertRefcountsTest, UnusedAllocationIsDroppedRightAway) {
  FunctionInput in = NisBuilder("f", {"n"})
                         .global("empty", c_builtin(BuiltinId::NpEmpty))
                         .code({{NisOp::PushNull},
                                {NisOp::LoadGlobal, 0},
                                {NisOp::LoadFast, 0},
                                {NisOp::Call, 1},
                                {NisOp::PopTop},
                                {NisOp::LoadFast, 0},
                                {NisOp::ReturnValue}});
  auto f = build(in, {i64()});
  std::vector<Value> allocs = allocations(*f);
  ASSERT_EQ(allocs.size(), 1u);
  Inst call = f->def(allocs[0]);
  const auto &insts = f->block(f->inst(call).block).insts;
  auto pos = std::find(insts.begin(), insts.end(), call);
  ASSERT_NE(pos + 1, insts.end());
  EXPECT_EQ(f->inst(*(pos + 1)).op, Op::DecRef) << print_function(*f);
  EXPECT_EQ(check_refcount_balance(*f), "") << print_function(*f);
}

TEST_F(InsertRefcountsTest, ArrayArgumentIsBorrowedUnlessReturned) {
  // def f(a): return a[0]   /   def f(a): return a
  // An array argument only read is borrowed (an inlined helper taking it costs no atomic pair);
  // one returned is owned, its reference handed to the caller.
  FunctionInput read = NisBuilder("f", {"a"})
                           .consts({c_int(0)})
                           .code({{NisOp::LoadFast, 0},
                                  {NisOp::LoadConst, 0},
                                  {NisOp::BinarySubscr},
                                  {NisOp::ReturnValue}});
  auto f = build(read, {f64_1d()});
  const InstData &arg = f->inst(find_insts(*f, Op::Arg).at(0));
  EXPECT_EQ(arg.imm2, 1) << print_function(*f);
  EXPECT_TRUE(decrefs_of(*f, arg.result).empty()) << print_function(*f);
  EXPECT_EQ(check_refcount_balance(*f), "") << print_function(*f);

  FunctionInput ret = NisBuilder("f", {"a"}).code({{NisOp::LoadFast, 0}, {NisOp::ReturnValue}});
  auto g = build(ret, {f64_1d()});
  EXPECT_EQ(g->inst(find_insts(*g, Op::Arg).at(0)).imm2, 0) << print_function(*g);
  EXPECT_EQ(check_refcount_balance(*g), "") << print_function(*g);
}

// def f(s, n): return n   /   def f(s, n): return s
// A string argument only read is borrowed from the caller (no reference taken or dropped); one
// returned is owned, its reference handed to the caller.
TEST_F(InsertRefcountsTest, NonArrayArgumentIsBorrowedUnlessReturned) {
  for (int returns_n : {1, 0}) {
    FunctionInput in =
        NisBuilder("f", {"s", "n"}).code({{NisOp::LoadFast, returns_n}, {NisOp::ReturnValue}});
    auto f = build(in, {types.unicode(), types.int64()});
    const InstData &arg = f->inst(find_insts(*f, Op::Arg).at(0));
    EXPECT_EQ(arg.imm2, returns_n) << print_function(*f);
    EXPECT_TRUE(decrefs_of(*f, arg.result).empty()) << print_function(*f);
    EXPECT_EQ(check_refcount_balance(*f), "") << print_function(*f);
  }
}

// def f(n, c):
//     if c:
//         a = empty(n)
//     else:
//         a = empty(1)
//     return a[0]
// The phi for a owns the reference each branch moves into it.
TEST_F(InsertRefcountsTest, ArrayPhiTakesOverReferences) {
  FunctionInput in = NisBuilder("f", {"n", "c"}, {"a"})
                         .consts({c_int(1), c_int(0)})
                         .global("empty", c_builtin(BuiltinId::NpEmpty))
                         .code({{NisOp::LoadFast, 1},
                                {NisOp::PopJumpIfFalse, 8},
                                {NisOp::PushNull},
                                {NisOp::LoadGlobal, 0},
                                {NisOp::LoadFast, 0},
                                {NisOp::Call, 1},
                                {NisOp::StoreFast, 2},
                                {NisOp::Jump, 13},
                                {NisOp::PushNull},  // 8
                                {NisOp::LoadGlobal, 0},
                                {NisOp::LoadConst, 0},
                                {NisOp::Call, 1},
                                {NisOp::StoreFast, 2},
                                {NisOp::LoadFast, 2},  // 13
                                {NisOp::LoadConst, 1},
                                {NisOp::BinarySubscr},
                                {NisOp::ReturnValue}});
  auto f = build(in, {i64(), types.boolean()});
  EXPECT_EQ(allocations(*f).size(), 2u);
  // The moves need no IncRef; only the phi is dropped (after a[0]).
  EXPECT_TRUE(find_insts(*f, Op::IncRef).empty()) << print_function(*f);
  for (Value v : allocations(*f)) EXPECT_TRUE(decrefs_of(*f, v).empty()) << print_function(*f);
  EXPECT_EQ(check_refcount_balance(*f), "") << print_function(*f);
}

// def f(a, x, c):
//     if c:
//         b = a
//     else:
//         b = x
//     return b[0] + a[0]
// a stays live after the branch, so passing it into b's phi takes a new reference; x dies on
// its edge and moves.
TEST_F(InsertRefcountsTest, BranchArgumentStillLiveIsIncrefed) {
  FunctionInput in = NisBuilder("f", {"a", "x", "c"}, {"b"})
                         .consts({c_int(0)})
                         .code({{NisOp::LoadFast, 2},
                                {NisOp::PopJumpIfFalse, 5},
                                {NisOp::LoadFast, 0},
                                {NisOp::StoreFast, 3},
                                {NisOp::Jump, 7},
                                {NisOp::LoadFast, 1},  // 5
                                {NisOp::StoreFast, 3},
                                {NisOp::LoadFast, 3},  // 7
                                {NisOp::LoadConst, 0},
                                {NisOp::BinarySubscr},
                                {NisOp::LoadFast, 0},
                                {NisOp::LoadConst, 0},
                                {NisOp::BinarySubscr},
                                {NisOp::BinaryOp, kAdd},
                                {NisOp::ReturnValue}});
  auto f = build(in, {f64_1d(), f64_1d(), types.boolean()});
  Value a = f->inst(find_insts(*f, Op::Arg).at(0)).result;
  std::vector<Inst> incs = find_insts(*f, Op::IncRef);
  ASSERT_EQ(incs.size(), 1u) << print_function(*f);
  EXPECT_EQ(f->inst(incs[0]).operands[0], a);
  EXPECT_EQ(check_refcount_balance(*f), "") << print_function(*f);
}

// def f(n):
//     a = empty(1)
//     for i in range(n):
//         a = empty(n)      (the previous a dies when the new one replaces it)
//     return a[0]
TEST_F(InsertRefcountsTest, LoopCarriedArrayIsReplaced) {
  FunctionInput in =
      NisBuilder("f", {"n"}, {"a", "i"})
          .consts({c_int(1), c_int(0)})
          .global("empty", c_builtin(BuiltinId::NpEmpty))
          .global("range", c_builtin(BuiltinId::Range))
          .code({{NisOp::PushNull},      {NisOp::LoadGlobal, 0}, {NisOp::LoadConst, 0},
                 {NisOp::Call, 1},       {NisOp::StoreFast, 1},  {NisOp::PushNull},
                 {NisOp::LoadGlobal, 1}, {NisOp::LoadFast, 0},   {NisOp::Call, 1},
                 {NisOp::GetIter},       {NisOp::ForIter, 18},  // 10
                 {NisOp::StoreFast, 2},  {NisOp::PushNull},      {NisOp::LoadGlobal, 0},
                 {NisOp::LoadFast, 0},   {NisOp::Call, 1},       {NisOp::StoreFast, 1},
                 {NisOp::Jump, 10},      {NisOp::LoadFast, 1},  // 18
                 {NisOp::LoadConst, 1},  {NisOp::BinarySubscr},  {NisOp::ReturnValue}});
  auto f = build(in, {i64()});
  EXPECT_EQ(allocations(*f).size(), 2u);
  EXPECT_EQ(check_refcount_balance(*f), "") << print_function(*f);
}

// def f(a, b):
//     return a + b * 2.0     (b * 2.0 is fused into the addition's loop)
TEST_F(InsertRefcountsTest, FusedArrayExpressionOwnsNothing) {
  FunctionInput in = NisBuilder("f", {"a", "b"})
                         .consts({c_float(2.0)})
                         .code({{NisOp::LoadFast, 0},
                                {NisOp::LoadFast, 1},
                                {NisOp::LoadConst, 0},
                                {NisOp::BinaryOp, static_cast<int32_t>(BinOpKind::Mul)},
                                {NisOp::BinaryOp, kAdd},
                                {NisOp::ReturnValue}});
  auto f = build(in, {f64_1d(), f64_1d()});
  ASSERT_EQ(f->fused.size(), 1u) << print_function(*f);
  Value mul{*f->fused.begin()};
  EXPECT_TRUE(decrefs_of(*f, mul).empty()) << print_function(*f);
  EXPECT_TRUE(find_insts(*f, Op::IncRef).empty()) << print_function(*f);
  EXPECT_EQ(check_refcount_balance(*f), "") << print_function(*f);
}

// def f(a, b):
//     return (a + b * 2.0)[0]   (the sum is a temporary array, dropped after the read)
TEST_F(InsertRefcountsTest, TemporaryArrayExpressionIsDropped) {
  FunctionInput in = NisBuilder("f", {"a", "b"})
                         .consts({c_float(2.0), c_int(0)})
                         .code({{NisOp::LoadFast, 0},
                                {NisOp::LoadFast, 1},
                                {NisOp::LoadConst, 0},
                                {NisOp::BinaryOp, static_cast<int32_t>(BinOpKind::Mul)},
                                {NisOp::BinaryOp, kAdd},
                                {NisOp::LoadConst, 1},
                                {NisOp::BinarySubscr},
                                {NisOp::ReturnValue}});
  auto f = build(in, {f64_1d(), f64_1d()});
  Inst get = find_insts(*f, Op::GetItem).at(0);
  Value sum = f->inst(get).operands[0];
  EXPECT_FALSE(f->is_fused(sum));
  EXPECT_EQ(decrefs_of(*f, sum).size(), 1u) << print_function(*f);
  EXPECT_EQ(check_refcount_balance(*f), "") << print_function(*f);
}

TEST_F(InsertRefcountsTest, NoRefcountsForScalarCode) {
  FunctionInput in = NisBuilder("f", {"x"})
                         .consts({c_int(1)})
                         .code({{NisOp::LoadFast, 0},
                                {NisOp::LoadConst, 0},
                                {NisOp::BinaryOp, kAdd},
                                {NisOp::ReturnValue}});
  auto f = build(in, {i64()});
  EXPECT_TRUE(find_insts(*f, Op::IncRef).empty());
  EXPECT_TRUE(find_insts(*f, Op::DecRef).empty());
}

}  // namespace
}  // namespace ember
