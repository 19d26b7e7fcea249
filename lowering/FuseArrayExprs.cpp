#include "lowering/FuseArrayExprs.h"

#include "ir/rules/Elementwise.h"
#include "ir/rules/IndexAnalysis.h"

namespace ember {

namespace {

bool elementwise(const Function &f, const InstData &d) {
  ElementwiseTyping et;
  return d.result.valid() && type_elementwise(f.types(), f, d, &et);
}

bool in_place_array(const Function &f, const InstData &d) {
  return d.op == Op::BinOp && d.imm2 && f.types().is_array(f.type(d.operands[0]));
}

/// An instruction between a fused operation and its user that could change what it reads.
bool barrier(const Function &f, const InstData &d) {
  switch (d.op) {
    case Op::SetItem:
    case Op::SetAttr: return true;
    case Op::Call: return !elementwise(f, d);
    case Op::BinOp: return in_place_array(f, d);
    default: return false;
  }
}

/// a[slices] = expr evaluates straight into the view; a[mask] = expr and a[ints] = expr read
/// the value as a materialized array.
bool stores_into_view(const Function &f, const InstData &d) {
  std::vector<IndexItem> items = analyze_index(f, f.types(), d.operands[1], d.loc);
  for (const IndexItem &it : items)
    if (it.kind == IndexItem::Kind::Array) return false;
  return true;
}

}  // namespace

void fuse_array_exprs(Function &f) {
  // Uses of every value: count, and the (only) user when there is one.
  std::vector<int> count(f.num_values(), 0);
  std::vector<Inst> user(f.num_values());
  for (uint32_t b = 0; b < f.num_blocks(); ++b)
    for (Inst i : f.block(Block{b}).insts) {
      const InstData &d = f.inst(i);
      for (Value v : d.operands) {
        ++count[v.id];
        user[v.id] = i;
      }
      for (const BlockCall &t : d.targets)
        for (Value v : t.args) count[v.id] += 2;  // never fuse into a branch
    }
  for (uint32_t b = 0; b < f.num_blocks(); ++b) {
    const auto &insts = f.block(Block{b}).insts;
    for (size_t k = 0; k < insts.size(); ++k) {
      const InstData &d = f.inst(insts[k]);
      if (!elementwise(f, d) || in_place_array(f, d) || count[d.result.id] != 1) continue;
      Inst u = user[d.result.id];
      const InstData &ud = f.inst(u);
      if (ud.block != d.block) continue;
      bool ok = false;
      if (ud.op == Op::SetItem)
        ok = ud.operands[2] == d.result && ud.operands[0] != d.result && stores_into_view(f, ud);
      else if (elementwise(f, ud))
        ok = !in_place_array(f, ud) || ud.operands[1] == d.result;
      if (!ok) continue;
      // Nothing in between may write memory the fused operation reads.
      size_t j = k + 1;
      for (; j < insts.size() && !(insts[j] == u); ++j)
        if (barrier(f, f.inst(insts[j]))) break;
      if (j == insts.size() || !(insts[j] == u)) continue;
      f.fused.insert(d.result.id);
    }
  }
}

std::vector<Value> effective_operands(const Function &f, const InstData &d) {
  std::vector<Value> out;
  for (Value v : d.operands) {
    if (!f.is_fused(v)) {
      out.push_back(v);
      continue;
    }
    std::vector<Value> inner = effective_operands(f, f.inst(f.def(v)));
    out.insert(out.end(), inner.begin(), inner.end());
  }
  return out;
}

}  // namespace ember
