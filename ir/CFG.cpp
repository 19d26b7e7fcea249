#include "ir/CFG.h"

#include <algorithm>

namespace ember {

CFG::CFG(const Function &f) {
  size_t n = f.num_blocks();
  preds_.assign(n, {});
  order_.assign(n, -1);
  idom_.assign(n, Block{});
  // Iterative DFS for postorder.
  std::vector<Block> post;
  std::vector<char> seen(n, 0);
  std::vector<std::pair<Block, size_t>> stack;
  stack.push_back({f.entry(), 0});
  seen[0] = 1;
  while (!stack.empty()) {
    auto &[b, next] = stack.back();
    std::vector<Block> succ = f.successors(b);
    if (next < succ.size()) {
      Block s = succ[next++];
      if (!seen[s.id]) {
        seen[s.id] = 1;
        stack.push_back({s, 0});
      }
      continue;
    }
    post.push_back(b);
    stack.pop_back();
  }
  rpo_.assign(post.rbegin(), post.rend());
  for (size_t i = 0; i < rpo_.size(); ++i) order_[rpo_[i].id] = static_cast<int>(i);
  for (Block b : rpo_)
    for (Block s : f.successors(b)) {
      auto &p = preds_[s.id];
      if (std::find(p.begin(), p.end(), b) == p.end()) p.push_back(b);
    }
  // Cooper-Harvey-Kennedy.
  idom_[0] = f.entry();
  bool changed = true;
  auto intersect = [&](Block a, Block b) {
    while (a != b) {
      while (order_[a.id] > order_[b.id]) a = idom_[a.id];
      while (order_[b.id] > order_[a.id]) b = idom_[b.id];
    }
    return a;
  };
  while (changed) {
    changed = false;
    for (size_t i = 1; i < rpo_.size(); ++i) {
      Block b = rpo_[i];
      Block new_idom;
      for (Block p : preds_[b.id]) {
        if (!idom_[p.id].valid()) continue;
        new_idom = new_idom.valid() ? intersect(p, new_idom) : p;
      }
      if (new_idom.valid() && idom_[b.id] != new_idom) {
        idom_[b.id] = new_idom;
        changed = true;
      }
    }
  }
}

bool CFG::dominates(Block a, Block b) const {
  if (!reachable(b)) return true;
  while (true) {
    if (a == b) return true;
    Block up = idom_[b.id];
    if (up == b) return false;
    b = up;
  }
}

Liveness compute_liveness(const Function &f, const CFG &cfg, const std::vector<bool> &track) {
  size_t n = f.num_blocks();
  Liveness live;
  live.live_in.assign(n, {});
  live.live_out.assign(n, {});
  // use/def per block: upward-exposed uses and definitions (params count as definitions).
  std::vector<std::vector<Value>> uses(n), defs(n);
  auto tracked = [&](Value v) { return v.valid() && v.id < track.size() && track[v.id]; };
  for (Block b : cfg.rpo()) {
    const BlockData &bd = f.block(b);
    std::vector<Value> &d = defs[b.id];
    std::vector<Value> &u = uses[b.id];
    for (Value p : bd.params)
      if (tracked(p)) d.push_back(p);
    auto use = [&](Value v) {
      if (!tracked(v)) return;
      if (std::find(d.begin(), d.end(), v) == d.end() &&
          std::find(u.begin(), u.end(), v) == u.end())
        u.push_back(v);
    };
    for (Inst i : bd.insts) {
      const InstData &id = f.inst(i);
      for (Value v : id.operands) use(v);
      for (const BlockCall &t : id.targets)
        for (Value v : t.args) use(v);
      if (tracked(id.result)) d.push_back(id.result);
    }
    std::sort(u.begin(), u.end());
    std::sort(d.begin(), d.end());
  }
  bool changed = true;
  while (changed) {
    changed = false;
    for (auto it = cfg.rpo().rbegin(); it != cfg.rpo().rend(); ++it) {
      Block b = *it;
      std::vector<Value> out;
      for (Block s : f.successors(b)) {
        const auto &in = live.live_in[s.id];
        std::vector<Value> merged;
        std::set_union(out.begin(), out.end(), in.begin(), in.end(), std::back_inserter(merged));
        out.swap(merged);
      }
      std::vector<Value> in;
      std::set_difference(out.begin(), out.end(), defs[b.id].begin(), defs[b.id].end(),
                          std::back_inserter(in));
      std::vector<Value> merged;
      std::set_union(in.begin(), in.end(), uses[b.id].begin(), uses[b.id].end(),
                     std::back_inserter(merged));
      if (merged != live.live_in[b.id] || out != live.live_out[b.id]) {
        live.live_in[b.id] = std::move(merged);
        live.live_out[b.id] = std::move(out);
        changed = true;
      }
    }
  }
  return live;
}

}  // namespace ember
