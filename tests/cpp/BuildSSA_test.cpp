// build_ssa (typeinfer/BuildSSA.h) on hand-assembled NIS: straight-line code, an if/else that
// needs a variable phi, a while loop with a loop-carried variable, a ternary that needs a
// stack-slot phi, FOR_ITER over range, reads before assignment, calls and raise.  Checks block
// parameters, that trivial phis are gone, that the verifier accepts the result, and golden text.
#include <gtest/gtest.h>

#include "ir/CFG.h"
#include "ir/IRPrinter.h"
#include "ir/Verifier.h"
#include "tests/cpp/TestHelpers.h"
#include "typeinfer/BuildSSA.h"

namespace ember {
namespace {

using test::c_builtin;
using test::c_exception;
using test::c_float;
using test::c_int;
using test::c_str;
using test::c_tuple;
using test::count_op;
using test::find_builtin_calls;
using test::find_insts;
using test::find_one;
using test::Ins;
using test::NisBuilder;

constexpr int32_t kAdd = static_cast<int32_t>(BinOpKind::Add);
constexpr int32_t kMul = static_cast<int32_t>(BinOpKind::Mul);
constexpr int32_t kLt = static_cast<int32_t>(CmpKind::Lt);

/// The IR block a value is defined in.
Block def_block(const Function &f, Value v) {
  const ValueData &d = f.value(v);
  return d.is_param ? Block{d.owner} : f.inst(Inst{d.owner}).block;
}

/// Number of blocks that have at least one parameter.
size_t blocks_with_params(const Function &f) {
  size_t n = 0;
  for (uint32_t b = 0; b < f.num_blocks(); ++b) n += !f.block(Block{b}).params.empty();
  return n;
}

// def f(a, b):
//     c = a + b
//     return c * 2
FunctionInput straight_line() {
  return NisBuilder("f", {"a", "b"}, {"c"})
      .consts({c_int(2)})
      .code({{NisOp::LoadFast, 0},
             {NisOp::LoadFast, 1},
             {NisOp::BinaryOp, kAdd},
             {NisOp::StoreFast, 2},
             {NisOp::LoadFast, 2},
             {NisOp::LoadConst, 0},
             {NisOp::BinaryOp, kMul},
             {NisOp::ReturnValue}});
}

// def f(c, x):
//     if c:
//         y = x
//     else:
//         y = 2
//     return y
FunctionInput if_else() {
  return NisBuilder("f", {"c", "x"}, {"y"})
      .consts({c_int(2)})
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

// def f(n):
//     i = 0
//     while i < n:
//         i = i + 1
//     return i
FunctionInput while_loop() {
  return NisBuilder("f", {"n"}, {"i"})
      .consts({c_int(0), c_int(1)})
      .code({{NisOp::LoadConst, 0},
             {NisOp::StoreFast, 1},
             {NisOp::LoadFast, 1},  // 2: loop header
             {NisOp::LoadFast, 0},
             {NisOp::CompareOp, kLt},
             {NisOp::PopJumpIfFalse, 11},
             {NisOp::LoadFast, 1},
             {NisOp::LoadConst, 1},
             {NisOp::BinaryOp, kAdd},
             {NisOp::StoreFast, 1},
             {NisOp::Jump, 2},
             {NisOp::LoadFast, 1},  // 11: exit
             {NisOp::ReturnValue}});
}

// def f(c, x):
//     return 1 + (x if c else 2)
FunctionInput ternary() {
  return NisBuilder("f", {"c", "x"})
      .consts({c_int(1), c_int(2)})
      .code({{NisOp::LoadConst, 0},
             {NisOp::LoadFast, 0},
             {NisOp::PopJumpIfFalse, 5},
             {NisOp::LoadFast, 1},
             {NisOp::Jump, 6},
             {NisOp::LoadConst, 1},
             {NisOp::BinaryOp, kAdd},  // 6: two stack slots live in
             {NisOp::ReturnValue}});
}

// def f(n):
//     s = 0
//     for i in range(n):
//         s = s + i
//     return s
FunctionInput for_range() {
  return NisBuilder("f", {"n"}, {"s", "i"})
      .consts({c_int(0)})
      .global("range", c_builtin(BuiltinId::Range))
      .code({{NisOp::LoadConst, 0},
             {NisOp::StoreFast, 1},
             {NisOp::PushNull},
             {NisOp::LoadGlobal, 0},
             {NisOp::LoadFast, 0},
             {NisOp::Call, 1},
             {NisOp::GetIter},
             {NisOp::ForIter, 14},  // 7
             {NisOp::StoreFast, 2},
             {NisOp::LoadFast, 1},
             {NisOp::LoadFast, 2},
             {NisOp::BinaryOp, kAdd},
             {NisOp::StoreFast, 1},
             {NisOp::Jump, 7},
             {NisOp::LoadFast, 1},  // 14
             {NisOp::ReturnValue}});
}

TEST(BuildSSA, StraightLineHasNoParams) {
  TypeContext types;
  auto f = build_ssa(straight_line(), types);
  EXPECT_NO_THROW(verify_function(*f, false));
  EXPECT_EQ(blocks_with_params(*f), 0u);
  EXPECT_EQ(count_op(*f, Op::Arg), 2u);
  EXPECT_EQ(count_op(*f, Op::BinOp), 2u);
  EXPECT_EQ(f->arg_names, (std::vector<std::string>{"a", "b"}));
}

TEST(BuildSSA, StraightLineGolden) {
  TypeContext types;
  auto f = build_ssa(straight_line(), types);
  EXPECT_EQ(print_function(*f),
            "function f() -> ?\n"
            "bb0:\n"
            "  %0 = arg 0 : ?\n"
            "  %1 = arg 1 : ?\n"
            "  br bb1()\n"
            "bb1:\n"
            "  %2 = binop + %0, %1 : ?\n"
            "  %3 = const 2 : ?\n"
            "  %4 = binop * %2, %3 : ?\n"
            "  ret %4\n");
}

TEST(BuildSSA, EntryBlockHasNoPredecessorsOrParams) {
  TypeContext types;
  auto f = build_ssa(while_loop(), types);
  CFG cfg(*f);
  EXPECT_TRUE(cfg.preds(f->entry()).empty());
  EXPECT_TRUE(f->block(f->entry()).params.empty());
}

TEST(BuildSSA, IfElseMergesVariableInOneParam) {
  TypeContext types;
  auto f = build_ssa(if_else(), types);
  EXPECT_NO_THROW(verify_function(*f, false));
  ASSERT_EQ(blocks_with_params(*f), 1u);
  Inst ret = find_one(*f, Op::Ret);
  ASSERT_TRUE(ret.valid());
  Value y = f->inst(ret).operands[0];
  ASSERT_TRUE(f->value(y).is_param);
  // The two incoming values are x (the argument) and the constant 2.
  CFG cfg(*f);
  Block merge = def_block(*f, y);
  ASSERT_EQ(cfg.preds(merge).size(), 2u);
  std::vector<Op> incoming;
  for (Block p : cfg.preds(merge)) {
    const InstData &br = f->terminator(p);
    ASSERT_EQ(br.targets.size(), 1u);
    ASSERT_EQ(br.targets[0].args.size(), 1u);
    incoming.push_back(f->inst(f->def(br.targets[0].args[0])).op);
  }
  std::sort(incoming.begin(), incoming.end());
  EXPECT_EQ(incoming, (std::vector<Op>{Op::Arg, Op::Const}));
}

TEST(BuildSSA, IfElseGolden) {
  TypeContext types;
  auto f = build_ssa(if_else(), types);
  EXPECT_EQ(print_function(*f),
            "function f() -> ?\n"
            "bb0:\n"
            "  %0 = arg 0 : ?\n"
            "  %1 = arg 1 : ?\n"
            "  br bb1()\n"
            "bb1:\n"
            "  %2 = truth %0 : ?\n"
            "  condbr %2, bb2(), bb3()\n"
            "bb2:\n"
            "  br bb4(%1)\n"
            "bb3:\n"
            "  %3 = const 2 : ?\n"
            "  br bb4(%3)\n"
            "bb4(%4: ?):\n"
            "  ret %4\n");
}

TEST(BuildSSA, WhileLoopCarriesVariableInHeaderParam) {
  TypeContext types;
  auto f = build_ssa(while_loop(), types);
  EXPECT_NO_THROW(verify_function(*f, false));
  // Only i is a phi: n is the same on both edges into the header and is removed as trivial.
  ASSERT_EQ(blocks_with_params(*f), 1u);
  Inst cmp = find_one(*f, Op::Compare);
  ASSERT_TRUE(cmp.valid());
  Value i = f->inst(cmp).operands[0];
  Value n = f->inst(cmp).operands[1];
  ASSERT_TRUE(f->value(i).is_param);
  EXPECT_EQ(f->inst(f->def(n)).op, Op::Arg);
  Block header = def_block(*f, i);
  EXPECT_EQ(f->block(header).params.size(), 1u);
  // The back edge passes i + 1, the entry edge the constant 0.
  Inst add = find_one(*f, Op::BinOp);
  ASSERT_TRUE(add.valid());
  EXPECT_EQ(f->inst(add).operands[0], i);
  CFG cfg(*f);
  ASSERT_EQ(cfg.preds(header).size(), 2u);
  bool saw_back_edge = false;
  for (Block p : cfg.preds(header)) {
    Value arg = f->terminator(p).targets[0].args[0];
    if (arg == f->inst(add).result)
      saw_back_edge = true;
    else
      EXPECT_EQ(f->inst(f->def(arg)).op, Op::Const);
  }
  EXPECT_TRUE(saw_back_edge);
  // The exit returns the header's parameter.
  EXPECT_EQ(f->inst(find_one(*f, Op::Ret)).operands[0], i);
}

TEST(BuildSSA, WhileLoopGolden) {
  TypeContext types;
  auto f = build_ssa(while_loop(), types);
  // %3 was the header's phi for n, removed as trivial.
  EXPECT_EQ(print_function(*f),
            "function f() -> ?\n"
            "bb0:\n"
            "  %0 = arg 0 : ?\n"
            "  br bb1()\n"
            "bb1:\n"
            "  %1 = const 0 : ?\n"
            "  br bb2(%1)\n"
            "bb2(%2: ?):\n"
            "  %4 = cmp < %2, %0 : ?\n"
            "  %5 = truth %4 : ?\n"
            "  condbr %5, bb3(), bb4()\n"
            "bb3:\n"
            "  %6 = const 1 : ?\n"
            "  %7 = binop + %2, %6 : ?\n"
            "  br bb2(%7)\n"
            "bb4:\n"
            "  ret %2\n");
}

TEST(BuildSSA, TernaryNeedsStackSlotParam) {
  TypeContext types;
  auto f = build_ssa(ternary(), types);
  EXPECT_NO_THROW(verify_function(*f, false));
  // Two stack slots are live into the join: the constant 1 (the same on both edges, so its
  // phi is trivial) and the ternary's value (x or 2).
  ASSERT_EQ(blocks_with_params(*f), 1u);
  Inst add = find_one(*f, Op::BinOp);
  ASSERT_TRUE(add.valid());
  Value lhs = f->inst(add).operands[0], rhs = f->inst(add).operands[1];
  EXPECT_FALSE(f->value(lhs).is_param);
  EXPECT_EQ(f->inst(f->def(lhs)).op, Op::Const);
  EXPECT_EQ(f->consts[static_cast<size_t>(f->inst(f->def(lhs)).imm)].i, 1);
  ASSERT_TRUE(f->value(rhs).is_param);
  EXPECT_EQ(f->block(def_block(*f, rhs)).params.size(), 1u);
}

TEST(BuildSSA, ForIterOverRange) {
  TypeContext types;
  auto f = build_ssa(for_range(), types);
  EXPECT_NO_THROW(verify_function(*f, false));
  Inst getiter = find_one(*f, Op::GetIter);
  Inst next = find_one(*f, Op::IterNext);
  Inst value = find_one(*f, Op::IterValue);
  ASSERT_TRUE(getiter.valid() && next.valid() && value.valid());
  Value iter = f->inst(getiter).result;
  // The iterator is not a phi: its slot holds the same value around the loop.
  EXPECT_EQ(f->inst(next).operands[0], iter);
  EXPECT_EQ(f->inst(value).operands[0], iter);
  EXPECT_EQ(f->inst(f->def(f->inst(getiter).operands[0])).op, Op::Call);
  // IterNext ends the header with a condbr; IterValue sits in a block of its own whose only
  // predecessor is the header and which is the condbr's true target.
  Block header = f->inst(next).block;
  const InstData &term = f->terminator(header);
  ASSERT_EQ(term.op, Op::CondBr);
  EXPECT_EQ(term.operands[0], f->inst(next).result);
  Block body = f->inst(value).block;
  EXPECT_EQ(term.targets[0].block, body);
  CFG cfg(*f);
  EXPECT_EQ(cfg.preds(body), std::vector<Block>{header});
  // s is the only loop-carried variable.
  EXPECT_EQ(f->block(header).params.size(), 1u);
  EXPECT_EQ(blocks_with_params(*f), 1u);
}

TEST(BuildSSA, ForIterGolden) {
  TypeContext types;
  auto f = build_ssa(for_range(), types);
  // bb2 is FOR_ITER's block, bb3 the body edge's block reading the value; %2 was the NULL
  // marker and %6 the iterator's stack-slot phi (trivial).
  EXPECT_EQ(print_function(*f),
            "function f() -> ?\n"
            "bb0:\n"
            "  %0 = arg 0 : ?\n"
            "  br bb1()\n"
            "bb1:\n"
            "  %1 = const 0 : ?\n"
            "  %3 = const <builtin builtins.range> : ?\n"
            "  %4 = call %3, %0 : ?\n"
            "  %5 = getiter %4 : ?\n"
            "  br bb2(%1)\n"
            "bb2(%8: ?):\n"
            "  %7 = iternext %5 : ?\n"
            "  condbr %7, bb3(), bb5()\n"
            "bb3:\n"
            "  %9 = itervalue %5 : ?\n"
            "  br bb4()\n"
            "bb4:\n"
            "  %10 = binop + %8, %9 : ?\n"
            "  br bb2(%10)\n"
            "bb5:\n"
            "  ret %8\n");
}

TEST(BuildSSA, NullMarkerOfCallIsRemoved) {
  TypeContext types;
  auto f = build_ssa(for_range(), types);
  for (Inst i : find_insts(*f, Op::Const)) {
    const ConstValue &c = f->consts[static_cast<size_t>(f->inst(i).imm)];
    EXPECT_NE(c.kind, ConstValue::Kind::Unsupported) << print_function(*f);
  }
}

// No block parameter may have the same incoming value on every edge (or only itself).
TEST(BuildSSA, NoTrivialParamsRemain) {
  TypeContext types;
  for (const FunctionInput &in :
       {straight_line(), if_else(), while_loop(), ternary(), for_range()}) {
    auto f = build_ssa(in, types);
    CFG cfg(*f);
    for (uint32_t b = 0; b < f->num_blocks(); ++b) {
      const BlockData &bd = f->block(Block{b});
      for (size_t k = 0; k < bd.params.size(); ++k) {
        Value same;
        bool trivial = true;
        for (Block p : cfg.preds(Block{b}))
          for (const BlockCall &t : f->terminator(p).targets) {
            if (t.block.id != b) continue;
            Value a = t.args[k];
            if (a == bd.params[k] || a == same) continue;
            if (same.valid()) trivial = false;
            same = a;
          }
        EXPECT_FALSE(trivial) << "bb" << b << " param " << k << "\n" << print_function(*f);
      }
    }
  }
}

// def f(c):
//     if c:
//         y = 1
//     return y
FunctionInput bound_on_one_path(NisOp read) {
  return NisBuilder("f", {"c"}, {"y"})
      .consts({c_int(1)})
      .code({{NisOp::LoadFast, 0},
             {NisOp::PopJumpIfFalse, 4},
             {NisOp::LoadConst, 0},
             {NisOp::StoreFast, 1},
             {read, 1},
             {NisOp::ReturnValue}});
}

// The read is guarded by a CheckBound of y's "is bound" flag: a phi of False (from the path
// that skips the assignment) and True.
TEST(BuildSSA, ReadOfVariableUnboundOnSomePathIsChecked) {
  TypeContext types;
  auto f = build_ssa(bound_on_one_path(NisOp::LoadFast), types);
  EXPECT_NO_THROW(verify_function(*f, false)) << print_function(*f);
  Inst check = find_one(*f, Op::CheckBound);
  ASSERT_TRUE(check.valid()) << print_function(*f);
  const InstData &d = f->inst(check);
  EXPECT_EQ(f->names[static_cast<size_t>(d.imm)], "y");
  EXPECT_TRUE(f->value(d.operands[0]).is_param);
  EXPECT_TRUE(f->value(d.operands[1]).is_param);
  EXPECT_EQ(f->inst(find_one(*f, Op::Ret)).operands[0], d.result);
  Inst undef = find_one(*f, Op::Undef);
  ASSERT_TRUE(undef.valid());
  EXPECT_EQ(f->inst(undef).block, f->entry());
}

// Without the check (LOAD_FAST_OR_UNDEF only moves a value), returning y uses a value that is
// undefined on one path: the verifier rejects it.
TEST(BuildSSA, VerifierRejectsUseOfMaybeUndefinedValue) {
  TypeContext types;
  auto f = build_ssa(bound_on_one_path(NisOp::LoadFastOrUndef), types);
  EXPECT_EQ(count_op(*f, Op::CheckBound), 0u);
  try {
    verify_function(*f, false);
    ADD_FAILURE() << "the verifier accepted\n" << print_function(*f);
  } catch (const CompileError &e) {
    EXPECT_NE(std::string(e.what()).find("undefined on some path"), std::string::npos) << e.what();
  }
}

// def f(n):
//     y = 0
//     for i in range(n):
//         y = y + i
//     return y
// Every read is of a variable assigned on every path: no check, no flag phi.
TEST(BuildSSA, ReadsOfAssignedVariablesAreNotChecked) {
  TypeContext types;
  for (const FunctionInput &in :
       {straight_line(), if_else(), while_loop(), ternary(), for_range()}) {
    auto f = build_ssa(in, types);
    EXPECT_EQ(count_op(*f, Op::CheckBound), 0u) << print_function(*f);
  }
}

// def f(a, c, n):
//     x = a
//     while n:
//         if c:
//             x = a
//     return x
// The loop header's phi and the if's merge phi only pass each other and `a` around: neither is
// trivial alone, but together they are `a` (Braun et al. §3.2), and no parameter remains.
TEST(BuildSSA, RedundantCycleOfParamsIsRemoved) {
  TypeContext types;
  FunctionInput in = NisBuilder("f", {"a", "c", "n"}, {"x"})
                         .code({{NisOp::LoadFast, 0},
                                {NisOp::StoreFast, 3},
                                {NisOp::LoadFast, 2},
                                {NisOp::PopJumpIfFalse, 9},
                                {NisOp::LoadFast, 1},
                                {NisOp::PopJumpIfFalse, 8},
                                {NisOp::LoadFast, 0},
                                {NisOp::StoreFast, 3},
                                {NisOp::Jump, 2},
                                {NisOp::LoadFast, 3},
                                {NisOp::ReturnValue}});
  auto f = build_ssa(in, types);
  EXPECT_NO_THROW(verify_function(*f, false)) << print_function(*f);
  for (uint32_t b = 0; b < f->num_blocks(); ++b)
    EXPECT_TRUE(f->block(Block{b}).params.empty()) << print_function(*f);
  Value ret = f->inst(find_one(*f, Op::Ret)).operands[0];
  Inst def = f->def(ret);
  ASSERT_TRUE(def.valid()) << print_function(*f);
  EXPECT_EQ(f->inst(def).op, Op::Arg);
  EXPECT_EQ(f->inst(def).imm, 0);
}

// def f(c, x):
//     return abs(1.0 if c else x)
// The NULL marker pushed before `abs` stays on the stack across the branch; it is never a phi.
TEST(BuildSSA, NullMarkerAcrossBranchInCallArguments) {
  TypeContext types;
  FunctionInput in = NisBuilder("f", {"c", "x"})
                         .consts({c_float(1.0)})
                         .global("abs", c_builtin(BuiltinId::Abs))
                         .code({{NisOp::PushNull},
                                {NisOp::LoadGlobal, 0},
                                {NisOp::LoadFast, 0},
                                {NisOp::PopJumpIfFalse, 6},
                                {NisOp::LoadConst, 0},
                                {NisOp::Jump, 7},
                                {NisOp::LoadFast, 1},
                                {NisOp::Call, 1},
                                {NisOp::ReturnValue}});
  auto f = build_ssa(in, types);
  EXPECT_NO_THROW(verify_function(*f, false)) << print_function(*f);
  std::vector<Inst> calls = find_builtin_calls(*f, BuiltinId::Abs);
  ASSERT_EQ(calls.size(), 1u) << print_function(*f);
  const InstData &call = f->inst(calls[0]);
  ASSERT_EQ(call.operands.size(), 2u) << print_function(*f);  // abs and its one argument
  EXPECT_TRUE(f->value(call.operands[1]).is_param);           // the conditional's phi
  for (Inst i : find_insts(*f, Op::Const)) {
    const ConstValue &c = f->consts[static_cast<size_t>(f->inst(i).imm)];
    EXPECT_NE(c.kind, ConstValue::Kind::Unsupported) << print_function(*f);
  }
}

// def f(x):
//     return g(x, y=2)
TEST(BuildSSA, KeywordCallRecordsNames) {
  TypeContext types;
  FunctionInput in = NisBuilder("f", {"x"})
                         .consts({c_int(2), c_tuple({c_str("y")})})
                         .global("g", test::c_dispatcher(7))
                         .code({{NisOp::PushNull},
                                {NisOp::LoadGlobal, 0},
                                {NisOp::LoadFast, 0},
                                {NisOp::LoadConst, 0},
                                {NisOp::Call, 2, 1},
                                {NisOp::ReturnValue}});
  auto f = build_ssa(in, types);
  EXPECT_NO_THROW(verify_function(*f, false));
  Inst call = find_one(*f, Op::Call);
  ASSERT_TRUE(call.valid());
  EXPECT_EQ(f->inst(call).operands.size(), 3u);  // callee, x, 2
  ASSERT_EQ(f->inst(call).imm, 0);
  EXPECT_EQ(f->kwnames.at(0), std::vector<std::string>{"y"});
}

// def f(a):
//     return a.sum()      (LOAD_ATTR; PUSH_NULL; CALL 0, as 3.12 normalizes it)
TEST(BuildSSA, MethodCallTakesAttributeAsCallee) {
  TypeContext types;
  FunctionInput in = NisBuilder("f", {"a"})
                         .attr("sum")
                         .code({{NisOp::LoadFast, 0},
                                {NisOp::LoadAttr, 0},
                                {NisOp::PushNull},
                                {NisOp::Call, 0},
                                {NisOp::ReturnValue}});
  auto f = build_ssa(in, types);
  Inst call = find_one(*f, Op::Call);
  ASSERT_TRUE(call.valid());
  ASSERT_EQ(f->inst(call).operands.size(), 1u);
  EXPECT_EQ(f->inst(f->def(f->inst(call).operands[0])).op, Op::GetAttr);
}

// def f(x):
//     if x:
//         raise ValueError("bad")
//     return x
TEST(BuildSSA, RaiseTerminatesBlock) {
  TypeContext types;
  FunctionInput in = NisBuilder("f", {"x"})
                         .consts({c_str("bad")})
                         .global("ValueError", c_exception(3, "ValueError"))
                         .code({{NisOp::LoadFast, 0},
                                {NisOp::PopJumpIfFalse, 7},
                                {NisOp::PushNull},
                                {NisOp::LoadGlobal, 0},
                                {NisOp::LoadConst, 0},
                                {NisOp::Call, 1},
                                {NisOp::Raise, 1},
                                {NisOp::LoadFast, 0},
                                {NisOp::ReturnValue}});
  auto f = build_ssa(in, types);
  EXPECT_NO_THROW(verify_function(*f, false));
  Inst raise = find_one(*f, Op::Raise);
  ASSERT_TRUE(raise.valid());
  EXPECT_EQ(f->inst(f->def(f->inst(raise).operands[0])).op, Op::Call);
  EXPECT_TRUE(f->successors(f->inst(raise).block).empty());
}

// def f(a, b):
//     a, b = b, a      (SWAP)
//     return a - b
TEST(BuildSSA, SwapExchangesStackSlots) {
  TypeContext types;
  FunctionInput in = NisBuilder("f", {"a", "b"})
                         .code({{NisOp::LoadFast, 1},
                                {NisOp::LoadFast, 0},
                                {NisOp::Swap, 2},
                                {NisOp::StoreFast, 0},
                                {NisOp::StoreFast, 1},
                                {NisOp::LoadFast, 0},
                                {NisOp::LoadFast, 1},
                                {NisOp::BinaryOp, static_cast<int32_t>(BinOpKind::Sub)},
                                {NisOp::ReturnValue}});
  auto f = build_ssa(in, types);
  Inst sub = find_one(*f, Op::BinOp);
  ASSERT_TRUE(sub.valid());
  // [b, a] -> SWAP 2 -> [a, b]: a = b, then b = a, so a - b reads arg 1 - arg 0.
  EXPECT_EQ(f->inst(f->def(f->inst(sub).operands[0])).imm, 1);
  EXPECT_EQ(f->inst(f->def(f->inst(sub).operands[1])).imm, 0);
}

// LIST_APPEND (comprehensions) leaves the list on the stack: a list.append call on it.
TEST(BuildSSA, ListAppendCallsAppendOnTheListBelowTheItem) {
  TypeContext types;
  FunctionInput in = NisBuilder("f", {"a"})
                         .code({{NisOp::BuildList, 0},
                                {NisOp::LoadFast, 0},
                                {NisOp::ListAppend, 1},
                                {NisOp::ReturnValue}});
  auto f = build_ssa(in, types);
  EXPECT_NO_THROW(verify_function(*f, false)) << print_function(*f);
  Value list = f->inst(find_one(*f, Op::BuildList)).result;
  const InstData &call = f->inst(find_one(*f, Op::Call));
  ASSERT_EQ(call.operands.size(), 3u) << print_function(*f);
  const InstData &callee = f->inst(f->def(call.operands[0]));
  ASSERT_EQ(callee.op, Op::Const);
  EXPECT_EQ(f->consts[static_cast<size_t>(callee.imm)].builtin, BuiltinId::ListAppend);
  EXPECT_EQ(call.operands[1], list);
  EXPECT_EQ(f->inst(f->def(call.operands[2])).op, Op::Arg);
  EXPECT_EQ(f->inst(find_one(*f, Op::Ret)).operands[0], list);
}

TEST(BuildSSA, MismatchedStackDepthIsInternalError) {
  TypeContext types;
  // One path reaches instruction 4 with one value on the stack, the other with none.
  FunctionInput in = NisBuilder("f", {"c"})
                         .consts({c_int(1)})
                         .code({{NisOp::LoadFast, 0},
                                {NisOp::PopJumpIfFalse, 4},
                                {NisOp::LoadConst, 0},
                                {NisOp::Jump, 4},
                                {NisOp::LoadConst, 0},
                                {NisOp::ReturnValue}});
  try {
    build_ssa(in, types);
    FAIL() << "expected an InternalError";
  } catch (const CompileError &e) {
    EXPECT_EQ(e.kind(), ErrorKind::Internal);
  }
}

TEST(BuildSSA, JumpOutOfRangeIsInternalError) {
  TypeContext types;
  FunctionInput in =
      NisBuilder("f", {"c"}).code({{NisOp::LoadFast, 0}, {NisOp::PopJumpIfFalse, 9}});
  try {
    build_ssa(in, types);
    FAIL() << "expected an InternalError";
  } catch (const CompileError &e) {
    EXPECT_EQ(e.kind(), ErrorKind::Internal);
  }
}

TEST(BuildSSA, FallingOffTheEndIsInternalError) {
  TypeContext types;
  FunctionInput in = NisBuilder("f", {"a"}).code({{NisOp::LoadFast, 0}, {NisOp::StoreFast, 0}});
  try {
    build_ssa(in, types);
    FAIL() << "expected an InternalError";
  } catch (const CompileError &e) {
    EXPECT_EQ(e.kind(), ErrorKind::Internal);
  }
}

TEST(BuildSSA, InstructionsCarryTheirSourceLines) {
  TypeContext types;
  FunctionInput in = NisBuilder("f", {"a", "b"}, {"c"}, 10)
                         .consts({c_int(2)})
                         .code({{NisOp::LoadFast, 0, -1, 11},
                                {NisOp::LoadFast, 1},
                                {NisOp::BinaryOp, kAdd},
                                {NisOp::StoreFast, 2},
                                {NisOp::LoadFast, 2, -1, 12},
                                {NisOp::LoadConst, 0},
                                {NisOp::BinaryOp, kMul},
                                {NisOp::ReturnValue}});
  auto f = build_ssa(in, types);
  std::vector<Inst> ops = find_insts(*f, Op::BinOp);
  ASSERT_EQ(ops.size(), 2u);
  EXPECT_EQ(f->inst(ops[0]).loc.line, 11);
  EXPECT_EQ(f->inst(ops[1]).loc.line, 12);
  EXPECT_EQ(f->inst(find_one(*f, Op::Ret)).loc.line, 12);
  EXPECT_EQ(f->firstlineno, 10);
}

// print_function with the source prints each line above the instructions it starts.
TEST(BuildSSA, PrinterShowsSourceLines) {
  TypeContext types;
  FunctionInput in = NisBuilder("f", {"a", "b"}, {"c"}, 1)
                         .consts({c_int(2)})
                         .code({{NisOp::LoadFast, 0, -1, 2},
                                {NisOp::LoadFast, 1},
                                {NisOp::BinaryOp, kAdd},
                                {NisOp::StoreFast, 2},
                                {NisOp::LoadFast, 2, -1, 3},
                                {NisOp::LoadConst, 0},
                                {NisOp::BinaryOp, kMul},
                                {NisOp::ReturnValue}});
  auto f = build_ssa(in, types);
  std::vector<std::string> source = {"def f(a, b):", "    c = a + b", "    return c * 2"};
  EXPECT_EQ(print_function(*f, &source),
            "function f() -> ?\n"
            "bb0:\n"
            "  # 1: def f(a, b):\n"
            "  %0 = arg 0 : ?\n"
            "  %1 = arg 1 : ?\n"
            "  br bb1()\n"
            "bb1:\n"
            "  # 2: c = a + b\n"
            "  %2 = binop + %0, %1 : ?\n"
            "  # 3: return c * 2\n"
            "  %3 = const 2 : ?\n"
            "  %4 = binop * %2, %3 : ?\n"
            "  ret %4\n");
}

}  // namespace
}  // namespace ember
