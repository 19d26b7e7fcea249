/** \file CFG.h
 * Control-flow analyses of a Function: predecessors, reverse postorder, dominators
 * (Cooper, Harvey and Kennedy, "A Simple, Fast Dominance Algorithm", 2001) and liveness.
 * They are recomputed on demand; a pass that changes the CFG recomputes what it needs.
 */
#pragma once

#include <vector>

#include "ir/IR.h"

namespace ember {

class CFG {
 public:
  explicit CFG(const Function &f);

  const std::vector<Block> &rpo() const { return rpo_; }
  const std::vector<Block> &preds(Block b) const { return preds_[b.id]; }
  bool reachable(Block b) const { return order_[b.id] >= 0; }
  /// Position of b in reverse postorder (-1 when unreachable).
  int order(Block b) const { return order_[b.id]; }
  /// The immediate dominator of b (the entry block is its own).
  Block idom(Block b) const { return idom_[b.id]; }
  bool dominates(Block a, Block b) const;

 private:
  std::vector<Block> rpo_;
  std::vector<std::vector<Block>> preds_;
  std::vector<int> order_;
  std::vector<Block> idom_;
};

/// Values live on entry to each block (block parameters excluded) and on exit from it.
struct Liveness {
  std::vector<std::vector<Value>> live_in;   ///< sorted by id
  std::vector<std::vector<Value>> live_out;  ///< sorted by id
};
/// Liveness of the values selected by `track` (e.g. the refcounted ones).
Liveness compute_liveness(const Function &f, const CFG &cfg, const std::vector<bool> &track);

}  // namespace ember
