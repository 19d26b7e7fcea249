// ir/CFG.h on hand-built Functions: reverse postorder, predecessors, reachability, immediate
// dominators (diamond, loop, irreducible loop, unreachable block) and liveness.
#include <gtest/gtest.h>

#include <algorithm>

#include "ir/CFG.h"
#include "ir/Verifier.h"

namespace ember {
namespace {

class CFGTest : public ::testing::Test {
 protected:
  CFGTest() : f(types) {
    f.name = "cfg";
    f.return_type = types.int64();
  }

  Block block() { return f.add_block(); }
  Value arg(Block b, int index) {
    Inst i = f.append(b, Op::Arg, {}, true, SourceLoc{}, index);
    Value v = f.inst(i).result;
    f.set_type(v, types.int64());
    return v;
  }
  Value use(Block b, Value x, Value y) {
    Inst i = f.append(b, Op::BinOp, {x, y}, true, SourceLoc{}, 0);
    Value v = f.inst(i).result;
    f.set_type(v, types.int64());
    return v;
  }
  void br(Block from, Block to, std::vector<Value> args = {}) {
    Inst i = f.append(from, Op::Br, {}, false, SourceLoc{});
    f.inst(i).targets.push_back(BlockCall{to, std::move(args)});
  }
  void condbr(Block from, Value cond, Block t, Block e) {
    Inst i = f.append(from, Op::CondBr, {cond}, false, SourceLoc{});
    f.inst(i).targets.push_back(BlockCall{t, {}});
    f.inst(i).targets.push_back(BlockCall{e, {}});
  }
  void ret(Block b, Value v) { f.append(b, Op::Ret, {v}, false, SourceLoc{}); }
  std::vector<bool> track_all() const { return std::vector<bool>(f.num_values(), true); }

  static bool contains(const std::vector<Value> &set, Value v) {
    return std::find(set.begin(), set.end(), v) != set.end();
  }
  static bool contains(const std::vector<Block> &set, Block b) {
    return std::find(set.begin(), set.end(), b) != set.end();
  }

  TypeContext types;
  Function f;
};

// bb0 -> bb1 | bb2 -> bb3
TEST_F(CFGTest, DiamondRpoAndPreds) {
  Block b0 = block(), b1 = block(), b2 = block(), b3 = block();
  Value c = arg(b0, 0);
  condbr(b0, c, b1, b2);
  br(b1, b3);
  br(b2, b3);
  ret(b3, c);
  CFG cfg(f);
  ASSERT_EQ(cfg.rpo().size(), 4u);
  EXPECT_EQ(cfg.rpo().front(), b0);
  EXPECT_EQ(cfg.rpo().back(), b3);
  EXPECT_EQ(cfg.order(b0), 0);
  EXPECT_LT(cfg.order(b1), cfg.order(b3));
  EXPECT_LT(cfg.order(b2), cfg.order(b3));
  EXPECT_TRUE(cfg.preds(b0).empty());
  EXPECT_EQ(cfg.preds(b1), std::vector<Block>{b0});
  EXPECT_EQ(cfg.preds(b3).size(), 2u);
  EXPECT_TRUE(contains(cfg.preds(b3), b1));
  EXPECT_TRUE(contains(cfg.preds(b3), b2));
}

TEST_F(CFGTest, DiamondDominators) {
  Block b0 = block(), b1 = block(), b2 = block(), b3 = block();
  Value c = arg(b0, 0);
  condbr(b0, c, b1, b2);
  br(b1, b3);
  br(b2, b3);
  ret(b3, c);
  CFG cfg(f);
  EXPECT_EQ(cfg.idom(b0), b0);
  EXPECT_EQ(cfg.idom(b1), b0);
  EXPECT_EQ(cfg.idom(b2), b0);
  EXPECT_EQ(cfg.idom(b3), b0);
  EXPECT_TRUE(cfg.dominates(b0, b3));
  EXPECT_TRUE(cfg.dominates(b3, b3));
  EXPECT_FALSE(cfg.dominates(b1, b3));
  EXPECT_FALSE(cfg.dominates(b2, b3));
  EXPECT_FALSE(cfg.dominates(b1, b2));
  EXPECT_FALSE(cfg.dominates(b3, b0));
}

// bb0 -> bb1 (header) -> bb2 (body) -> bb1; bb1 -> bb3 (exit)
TEST_F(CFGTest, LoopPredsAndDominators) {
  Block b0 = block(), b1 = block(), b2 = block(), b3 = block();
  Value c = arg(b0, 0);
  br(b0, b1);
  condbr(b1, c, b2, b3);
  br(b2, b1);
  ret(b3, c);
  CFG cfg(f);
  EXPECT_EQ(cfg.rpo().size(), 4u);
  EXPECT_EQ(cfg.order(b0), 0);
  EXPECT_EQ(cfg.order(b1), 1);
  EXPECT_EQ(cfg.preds(b1).size(), 2u);
  EXPECT_TRUE(contains(cfg.preds(b1), b0));
  EXPECT_TRUE(contains(cfg.preds(b1), b2));
  EXPECT_EQ(cfg.idom(b1), b0);
  EXPECT_EQ(cfg.idom(b2), b1);
  EXPECT_EQ(cfg.idom(b3), b1);
  EXPECT_TRUE(cfg.dominates(b1, b2));
  EXPECT_FALSE(cfg.dominates(b2, b1));
}

// Every edge that is not a back edge (target dominates source) goes forward in RPO.
TEST_F(CFGTest, RpoOrdersForwardEdges) {
  Block b0 = block(), b1 = block(), b2 = block(), b3 = block(), b4 = block(), b5 = block();
  Value c = arg(b0, 0);
  condbr(b0, c, b1, b4);
  condbr(b1, c, b2, b3);
  br(b2, b1);
  br(b3, b5);
  condbr(b4, c, b5, b3);
  ret(b5, c);
  CFG cfg(f);
  ASSERT_EQ(cfg.rpo().size(), 6u);
  for (Block a : cfg.rpo())
    for (Block s : f.successors(a)) {
      if (cfg.dominates(s, a)) continue;  // back edge
      EXPECT_LT(cfg.order(a), cfg.order(s)) << "bb" << a.id << " -> bb" << s.id;
    }
  EXPECT_EQ(cfg.idom(b3), b0);  // reached from bb1 and bb4
  EXPECT_EQ(cfg.idom(b5), b0);
}

// bb0 -> bb1 | bb2, bb1 <-> bb2: a loop with two entries; neither node dominates the other.
TEST_F(CFGTest, IrreducibleLoopDominators) {
  Block b0 = block(), b1 = block(), b2 = block(), b3 = block();
  Value c = arg(b0, 0);
  condbr(b0, c, b1, b2);
  condbr(b1, c, b2, b3);
  br(b2, b1);
  ret(b3, c);
  CFG cfg(f);
  EXPECT_EQ(cfg.idom(b1), b0);
  EXPECT_EQ(cfg.idom(b2), b0);
  EXPECT_EQ(cfg.idom(b3), b1);
  EXPECT_FALSE(cfg.dominates(b1, b2));
  EXPECT_FALSE(cfg.dominates(b2, b1));
}

TEST_F(CFGTest, UnreachableBlockIsOutsideRpo) {
  Block b0 = block(), b1 = block(), dead = block();
  Value c = arg(b0, 0);
  br(b0, b1);
  ret(b1, c);
  br(dead, b1);
  CFG cfg(f);
  EXPECT_EQ(cfg.rpo().size(), 2u);
  EXPECT_FALSE(cfg.reachable(dead));
  EXPECT_EQ(cfg.order(dead), -1);
  EXPECT_TRUE(cfg.reachable(b1));
  // Edges out of unreachable blocks are not predecessors.
  EXPECT_EQ(cfg.preds(b1), std::vector<Block>{b0});
  EXPECT_EQ(cfg.idom(b1), b0);
}

TEST_F(CFGTest, DuplicateEdgesGiveOnePredecessor) {
  Block b0 = block(), b1 = block();
  Value c = arg(b0, 0);
  condbr(b0, c, b1, b1);
  ret(b1, c);
  CFG cfg(f);
  EXPECT_EQ(f.successors(b0).size(), 2u);
  EXPECT_EQ(cfg.preds(b1), std::vector<Block>{b0});
}

TEST_F(CFGTest, LivenessStraightThroughBlocks) {
  Block b0 = block(), b1 = block(), b2 = block();
  Value x = arg(b0, 0);
  Value y = arg(b0, 1);
  br(b0, b1);
  Value z = use(b1, y, y);  // y dies here
  br(b1, b2);
  ret(b2, use(b2, x, z));
  CFG cfg(f);
  Liveness live = compute_liveness(f, cfg, track_all());
  EXPECT_TRUE(live.live_in[b0.id].empty());
  EXPECT_EQ(live.live_out[b0.id], (std::vector<Value>{x, y}));
  EXPECT_EQ(live.live_in[b1.id], (std::vector<Value>{x, y}));
  EXPECT_EQ(live.live_out[b1.id], (std::vector<Value>{x, z}));
  EXPECT_EQ(live.live_in[b2.id], (std::vector<Value>{x, z}));
  EXPECT_TRUE(live.live_out[b2.id].empty());
}

// A value defined before a loop and used after it is live in every block of the loop.
TEST_F(CFGTest, LivenessAcrossLoop) {
  Block b0 = block(), head = block(), body = block(), exit = block();
  Value x = arg(b0, 0);
  Value c = arg(b0, 1);
  br(b0, head);
  condbr(head, c, body, exit);
  Value t = use(body, c, c);  // dead: used nowhere
  (void)t;
  br(body, head);
  ret(exit, x);
  CFG cfg(f);
  Liveness live = compute_liveness(f, cfg, track_all());
  for (Block b : {head, body, exit}) EXPECT_TRUE(contains(live.live_in[b.id], x)) << b.id;
  EXPECT_TRUE(contains(live.live_out[body.id], x));
  EXPECT_TRUE(contains(live.live_out[body.id], c));  // the header reads c again
  EXPECT_FALSE(contains(live.live_in[exit.id], c));
  EXPECT_FALSE(contains(live.live_out[body.id], t));
}

// Block parameters are definitions of their block; branch arguments are uses in the source.
TEST_F(CFGTest, LivenessOfBlockParameters) {
  Block b0 = block(), b1 = block();
  Value x = arg(b0, 0);
  Value p = f.add_param(b1, types.int64());
  br(b0, b1, {x});
  ret(b1, p);
  CFG cfg(f);
  Liveness live = compute_liveness(f, cfg, track_all());
  EXPECT_TRUE(live.live_in[b1.id].empty());
  EXPECT_TRUE(live.live_out[b0.id].empty());  // x is consumed by the branch
  EXPECT_NO_THROW(verify_function(f, true));
}

TEST_F(CFGTest, LivenessOnlyTracksSelectedValues) {
  Block b0 = block(), b1 = block();
  Value x = arg(b0, 0);
  Value y = arg(b0, 1);
  br(b0, b1);
  ret(b1, use(b1, x, y));
  CFG cfg(f);
  std::vector<bool> track(f.num_values(), false);
  track[y.id] = true;
  Liveness live = compute_liveness(f, cfg, track);
  EXPECT_EQ(live.live_in[b1.id], std::vector<Value>{y});
  EXPECT_EQ(live.live_out[b0.id], std::vector<Value>{y});
}

// The live sets are sorted by value id, as CFG.h promises.
TEST_F(CFGTest, LivenessSetsAreSorted) {
  Block b0 = block(), b1 = block();
  Value a = arg(b0, 0), b = arg(b0, 1), c = arg(b0, 2);
  br(b0, b1);
  ret(b1, use(b1, use(b1, c, a), b));
  CFG cfg(f);
  Liveness live = compute_liveness(f, cfg, track_all());
  EXPECT_EQ(live.live_in[b1.id], (std::vector<Value>{a, b, c}));
  EXPECT_TRUE(std::is_sorted(live.live_out[b0.id].begin(), live.live_out[b0.id].end()));
}

}  // namespace
}  // namespace ember
