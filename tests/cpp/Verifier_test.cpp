// The verifier (ir/Verifier.h) on hand-built Functions: it accepts well-formed IR and reports
// each structural and typed invariant it documents as an InternalError.
#include <gtest/gtest.h>

#include "ir/Verifier.h"

namespace ember {
namespace {

class VerifierTest : public ::testing::Test {
 protected:
  VerifierTest() : f(types) {
    f.name = "v";
    f.return_type = types.int64();
  }

  Value arg(Block b, int index, TypeId t = TypeId{}) {
    Inst i = f.append(b, Op::Arg, {}, true, SourceLoc{}, index);
    Value v = f.inst(i).result;
    f.set_type(v, t.unknown() ? types.int64() : t);
    return v;
  }
  Value add(Block b, Value x, Value y) {
    Inst i = f.append(b, Op::BinOp, {x, y}, true, SourceLoc{});
    Value v = f.inst(i).result;
    f.set_type(v, types.int64());
    return v;
  }
  Inst br(Block from, Block to, std::vector<Value> args = {}) {
    Inst i = f.append(from, Op::Br, {}, false, SourceLoc{});
    f.inst(i).targets.push_back(BlockCall{to, std::move(args)});
    return i;
  }
  void condbr(Block from, Value cond, Block t, Block e) {
    Inst i = f.append(from, Op::CondBr, {cond}, false, SourceLoc{});
    f.inst(i).targets.push_back(BlockCall{t, {}});
    f.inst(i).targets.push_back(BlockCall{e, {}});
  }
  void ret(Block b, Value v) { f.append(b, Op::Ret, {v}, false, SourceLoc{}); }

  /// The kind of error the verifier reports, or "" when it accepts.
  std::string verify(bool typed) {
    try {
      verify_function(f, typed);
      return "";
    } catch (const CompileError &e) {
      return e.kind() == ErrorKind::Internal ? "internal" : "other";
    }
  }

  TypeContext types;
  Function f;
};

TEST_F(VerifierTest, AcceptsWellFormedFunction) {
  Block b0 = f.add_block(), b1 = f.add_block();
  Value x = arg(b0, 0);
  Value p = f.add_param(b1, types.int64());
  br(b0, b1, {x});
  ret(b1, add(b1, p, x));
  EXPECT_EQ(verify(false), "");
  EXPECT_EQ(verify(true), "");
}

TEST_F(VerifierTest, RejectsEmptyBlock) {
  Block b0 = f.add_block(), b1 = f.add_block();
  br(b0, b1);
  EXPECT_EQ(verify(false), "internal");
}

TEST_F(VerifierTest, RejectsMissingTerminator) {
  Block b0 = f.add_block();
  arg(b0, 0);
  EXPECT_EQ(verify(false), "internal");
}

TEST_F(VerifierTest, RejectsTerminatorBeforeEnd) {
  Block b0 = f.add_block();
  Value x = arg(b0, 0);
  ret(b0, x);
  ret(b0, x);
  EXPECT_EQ(verify(false), "internal");
}

TEST_F(VerifierTest, RejectsWrongArgumentCount) {
  Block b0 = f.add_block(), b1 = f.add_block();
  Value x = arg(b0, 0);
  f.add_param(b1, types.int64());
  br(b0, b1, {x, x});
  ret(b1, x);
  EXPECT_EQ(verify(false), "internal");
}

TEST_F(VerifierTest, RejectsEntryParameters) {
  Block b0 = f.add_block();
  Value p = f.add_param(b0, types.int64());
  ret(b0, p);
  EXPECT_EQ(verify(false), "internal");
}

TEST_F(VerifierTest, RejectsBranchToEntry) {
  Block b0 = f.add_block(), b1 = f.add_block();
  Value x = arg(b0, 0);
  br(b0, b1);
  condbr(b1, x, b0, b1);
  EXPECT_EQ(verify(false), "internal");
}

TEST_F(VerifierTest, RejectsUseBeforeDefinitionInBlock) {
  Block b0 = f.add_block();
  Value x = arg(b0, 0);
  Inst use = f.append(b0, Op::BinOp, {x, x}, true, SourceLoc{});
  f.set_type(f.inst(use).result, types.int64());
  Value late = arg(b0, 1);
  f.inst(use).operands[1] = late;
  ret(b0, x);
  EXPECT_EQ(verify(false), "internal");
}

// bb0 -> bb1 | bb2 -> bb3, and bb3 uses a value defined in bb1.
TEST_F(VerifierTest, RejectsUseNotDominatedByDefinition) {
  Block b0 = f.add_block(), b1 = f.add_block(), b2 = f.add_block(), b3 = f.add_block();
  Value c = arg(b0, 0, types.boolean());
  condbr(b0, c, b1, b2);
  Value y = arg(b1, 1);
  br(b1, b3);
  br(b2, b3);
  ret(b3, y);
  EXPECT_EQ(verify(false), "internal");
}

TEST_F(VerifierTest, RejectsResultOnSetItem) {
  Block b0 = f.add_block();
  Value x = arg(b0, 0);
  f.append(b0, Op::SetItem, {x, x, x}, true, SourceLoc{});
  ret(b0, x);
  EXPECT_EQ(verify(false), "internal");
}

TEST_F(VerifierTest, RejectsInvalidOperand) {
  Block b0 = f.add_block();
  Value x = arg(b0, 0);
  f.append(b0, Op::Ret, {Value{12345}}, false, SourceLoc{});
  (void)x;
  EXPECT_EQ(verify(false), "internal");
}

TEST_F(VerifierTest, TypedRejectsBranchArgumentOfOtherType) {
  Block b0 = f.add_block(), b1 = f.add_block();
  Value x = arg(b0, 0, types.float64());
  Value p = f.add_param(b1, types.int64());
  br(b0, b1, {x});
  ret(b1, p);
  EXPECT_EQ(verify(false), "");
  EXPECT_EQ(verify(true), "internal");
}

TEST_F(VerifierTest, TypedRejectsReturnOfOtherType) {
  Block b0 = f.add_block();
  Value x = arg(b0, 0, types.float64());
  ret(b0, x);
  EXPECT_EQ(verify(false), "");
  EXPECT_EQ(verify(true), "internal");
}

TEST_F(VerifierTest, TypedRejectsUnknownType) {
  Block b0 = f.add_block();
  Value x = arg(b0, 0);
  Inst i = f.append(b0, Op::BinOp, {x, x}, true, SourceLoc{});
  (void)i;  // result left Unknown
  ret(b0, x);
  EXPECT_EQ(verify(false), "");
  EXPECT_EQ(verify(true), "internal");
}

// Unreachable blocks are not checked for dominance (nothing runs them).
TEST_F(VerifierTest, IgnoresDominanceInUnreachableBlocks) {
  Block b0 = f.add_block(), dead = f.add_block();
  Value x = arg(b0, 0);
  ret(b0, x);
  Value y = arg(dead, 1);
  ret(dead, y);
  EXPECT_EQ(verify(true), "");
}

}  // namespace
}  // namespace ember
