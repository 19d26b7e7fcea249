#include "lowering/InsertRefcounts.h"

#include <algorithm>
#include <map>
#include <set>

#include "ir/CFG.h"
#include "lowering/FuseArrayExprs.h"

namespace ember {

bool may_raise(const Function &f, const InstData &d) {
  // Exhaustive on purpose: a new op must be classified here (-Wswitch), since an instruction
  // that raises without an unwind set leaks every array alive at that point.
  const TypeContext &types = f.types();
  if (d.result.valid() && types.is_array(f.type(d.result))) return true;  // allocation, shapes
  if (d.result.valid() && types.kind(f.type(d.result)) == TypeKind::Unicode)
    return true;  // a new string: MemoryError
  if ((d.op == Op::BinOp || d.op == Op::Compare || d.op == Op::Unary) &&
      types.kind(f.type(d.operands[0])) == TypeKind::Instance)
    return true;  // a jitclass's dunder method: a call
  if (d.op == Op::Contains && types.is_array(f.type(d.operands[1])))
    return true;  // ndarray.__contains__: a call
  switch (d.op) {
    case Op::Arg:
    case Op::Const:
    case Op::Undef:
    case Op::Is:
    case Op::Contains:
    case Op::Truth:
    case Op::BuildTuple:
    case Op::MakeClosure:
    case Op::CaughtException:
    case Op::ExcMatch:
    case Op::CatchBr:
    case Op::BuildSlice:
    case Op::BuildList:
    case Op::BuildMap:
    case Op::BuildSet:
    case Op::IterValue:
    case Op::IncRef:
    case Op::DecRef:
    case Op::SetAttr:  // a store into the instance's struct
    case Op::Br:
    case Op::CondBr:
    case Op::Ret:
    case Op::Raise:  // releases what it holds as a terminator (handle_terminator)
    case Op::Unreachable: return false;
    case Op::Call:
    case Op::ParallelFor:
    case Op::GetItem:
    case Op::SetItem:
    case Op::DelItem:
    case Op::Unpack:
    case Op::GetIter:  // range() with a zero step
    case Op::Cast:     // int() of NaN or inf
    case Op::CheckBound: return true;
    case Op::IterNext:  // a generator's body may raise
      return types.kind(f.type(d.operands[0])) == TypeKind::Generator;
    case Op::Yield: return true;  // its unwind set is what the frame drops when destroyed there
    case Op::GetAttr:  // an @overload_attribute's implementation or a property's getter runs
      return static_cast<AttrId>(d.aux) == AttrId::UserAttribute ||
             static_cast<AttrId>(d.aux) == AttrId::ExceptionArgs ||
             static_cast<AttrId>(d.aux) == AttrId::JitclassProperty;
    case Op::Compare:
    case Op::Unary: return false;  // on scalars; over arrays they allocate (above)
    case Op::BinOp: {
      auto k = static_cast<BinOpKind>(d.imm);
      return k == BinOpKind::TrueDiv || k == BinOpKind::FloorDiv || k == BinOpKind::Mod ||
             k == BinOpKind::Pow || k == BinOpKind::LShift || k == BinOpKind::RShift ||
             k == BinOpKind::MatMul;
    }
  }
  return true;
}

namespace {

class RefcountInserter {
 public:
  explicit RefcountInserter(Function &f) : f_(f), types_(f.types()) {}

  void run() {
    track_.assign(f_.num_values(), false);
    bool any = false;
    for (uint32_t v = 0; v < f_.num_values(); ++v) {
      TypeId t = f_.type(Value{v});
      if (!t.unknown() && types_.needs_refcount(t) && !f_.is_fused(Value{v})) {
        track_[v] = true;
        any = true;
      }
    }
    if (!any) return;
    borrow_arguments();
    borrow_bound_methods();
    CFG cfg(f_);
    Liveness live = compute_liveness(f_, cfg, track_);
    std::vector<Block> blocks = cfg.rpo();  // edge splitting appends blocks: snapshot first
    for (Block b : blocks) process_block(b, live);
  }

 private:
  bool tracked(Value v) const { return v.valid() && v.id < track_.size() && track_[v.id]; }

  /// Where each value is used: (instruction, operand position), with position -1 for a branch
  /// argument (which takes its own reference or moves the value into the parameter).
  std::vector<std::vector<std::pair<Inst, int>>> uses_of() const {
    std::vector<std::vector<std::pair<Inst, int>>> uses(f_.num_values());
    for (uint32_t b = 0; b < f_.num_blocks(); ++b)
      for (Inst i : f_.block(Block{b}).insts) {
        const InstData &d = f_.inst(i);
        for (size_t k = 0; k < d.operands.size(); ++k)
          if (d.operands[k].valid()) uses[d.operands[k].id].push_back({i, static_cast<int>(k)});
        for (const BlockCall &t : d.targets)
          for (Value v : t.args)
            if (v.valid()) uses[v.id].push_back({i, -1});
      }
    return uses;
  }

  /// An argument that the function never returns nor passes along a branch is borrowed from
  /// the caller, which holds its reference for the whole call (as Numba's callees borrow
  /// theirs): its Arg takes no reference (imm2 = 1 tells lowering) and nothing drops one.
  /// Every other use only reads it; a store or a view takes a reference of its own.  For an
  /// array this is what lets an inlined helper taking it cost no atomic pair per call.
  void borrow_arguments() {
    if (f_.is_generator || f_.num_blocks() == 0) return;  // a generator's frame owns them
    auto uses = uses_of();
    for (Inst i : f_.block(Block{0}).insts) {
      InstData &d = f_.inst(i);
      if (d.op != Op::Arg || !tracked(d.result)) continue;
      bool escapes = false;
      for (auto [user, k] : uses[d.result.id]) {
        Op op = f_.inst(user).op;
        escapes |= k < 0 || op == Op::Ret || op == Op::Yield;
      }
      if (escapes) continue;
      track_[d.result.id] = false;
      d.imm2 = 1;
    }
  }

  /// `obj.m(args)`: the bound method read from a jitclass instance and only called, in the
  /// same block, borrows the instance instead of holding a reference of its own (imm2 = 1
  /// tells lowering); the instance is kept alive through those calls instead (receiver_).
  void borrow_bound_methods() {
    auto uses = uses_of();
    for (uint32_t b = 0; b < f_.num_blocks(); ++b)
      for (Inst i : f_.block(Block{b}).insts) {
        InstData &d = f_.inst(i);
        if (d.op != Op::GetAttr || static_cast<AttrId>(d.aux) != AttrId::JitclassMethod ||
            !tracked(d.result) || uses[d.result.id].empty())
          continue;
        bool only_called_here = true;
        for (auto [user, k] : uses[d.result.id]) {
          const InstData &u = f_.inst(user);
          only_called_here &= u.op == Op::Call && k == 0 && u.block == Block{b};
        }
        if (!only_called_here) continue;
        track_[d.result.id] = false;
        receiver_[d.result.id] = d.operands[0];
        d.imm2 = 1;
      }
  }

  /// The values an instruction reads, fused array expressions and borrowed bound methods seen
  /// through (a call of a borrowed `obj.m` reads obj).
  std::vector<Value> operands_read(const InstData &d) const {
    std::vector<Value> out = effective_operands(f_, d);
    for (Value &v : out) {
      auto r = receiver_.find(v.id);
      if (r != receiver_.end()) v = r->second;
    }
    return out;
  }

  void add_unique(std::vector<Value> &set, Value v) {
    if (std::find(set.begin(), set.end(), v) == set.end()) set.push_back(v);
  }

  void process_block(Block b, const Liveness &live) {
    Inst term_inst = f_.block(b).insts.back();
    // Values that must be alive when the terminator runs.
    std::vector<Value> at_end = live.live_out[b.id];
    {
      const InstData &term = f_.inst(term_inst);
      for (Value v : term.operands)
        if (tracked(v)) add_unique(at_end, v);
      for (const BlockCall &t : term.targets)
        for (Value v : t.args)
          if (tracked(v)) add_unique(at_end, v);
    }
    handle_terminator(b, term_inst, at_end, live);

    // Backward walk over the other instructions.
    std::set<uint32_t> alive;
    for (Value v : at_end) alive.insert(v.id);
    auto &insts = f_.block(b).insts;
    std::vector<std::pair<size_t, Value>> drops;  // (insert position, value)
    for (size_t k = insts.size() - 1; k-- > 0;) {
      Inst i = insts[k];
      const InstData &d = f_.inst(i);
      if (d.op == Op::IncRef || d.op == Op::DecRef || f_.is_fused(d.result)) continue;
      // A fused operand is computed here from its own operands: those are what is used.
      std::vector<Value> operands = operands_read(d);
      bool result_dead = tracked(d.result) && !alive.count(d.result.id);
      if (tracked(d.result)) alive.erase(d.result.id);
      if (may_raise(f_, d)) {
        std::vector<Value> unwind;
        for (uint32_t v : alive) unwind.push_back(Value{v});
        for (Value v : operands)
          if (tracked(v)) add_unique(unwind, v);
        if (!unwind.empty()) f_.unwind[i.id] = unwind;
      }
      if (result_dead) drops.push_back({k + 1, d.result});
      std::vector<Value> seen;
      for (Value v : operands) {
        if (!tracked(v) || std::find(seen.begin(), seen.end(), v) != seen.end()) continue;
        seen.push_back(v);
        if (!alive.count(v.id)) {
          drops.push_back({k + 1, v});
          alive.insert(v.id);
        }
      }
    }
    for (Value p : f_.block(b).params)
      if (tracked(p) && !alive.count(p.id)) drops.push_back({0, p});
    // Insert from the back so positions stay valid.
    std::stable_sort(drops.begin(), drops.end(),
                     [](const auto &x, const auto &y) { return x.first > y.first; });
    for (auto &[pos, v] : drops) f_.insert(b, pos, Op::DecRef, {v}, false, loc_of(b, pos));
  }

  SourceLoc loc_of(Block b, size_t pos) {
    const auto &insts = f_.block(b).insts;
    size_t k = std::min(pos, insts.size() - 1);
    return f_.inst(insts[k]).loc;
  }

  struct EdgeWork {
    std::vector<Value> incs, decs;
    bool empty() const { return incs.empty() && decs.empty(); }
    bool operator==(const EdgeWork &o) const { return incs == o.incs && decs == o.decs; }
  };

  void handle_terminator(Block b, Inst term_inst, const std::vector<Value> &at_end,
                         const Liveness &live) {
    InstData term = f_.inst(term_inst);  // copy: insertions below may move the original
    SourceLoc loc = term.loc;
    switch (term.op) {
      case Op::Ret: {
        Value ret = term.operands[0];
        for (Value v : at_end)
          if (v != ret) emit_before_terminator(b, Op::DecRef, v, loc);
        return;
      }
      case Op::Raise:
        if (!term.targets.empty()) break;  // caught here: its handler is a successor
        for (Value v : at_end) emit_before_terminator(b, Op::DecRef, v, loc);
        return;
      case Op::Unreachable: return;
      case Op::CatchBr: return handle_catch(b, term, at_end, live);
      case Op::Br:
      case Op::CondBr: break;
      default: internal_error << "not a terminator: " << op_name(term.op);
    }
    std::vector<EdgeWork> work;
    for (const BlockCall &t : term.targets) {
      EdgeWork w;
      for (Value v : t.args)
        if (tracked(v)) w.incs.push_back(v);
      const auto &in = live.live_in[t.block.id];
      for (Value v : at_end)
        if (!std::binary_search(in.begin(), in.end(), v)) w.decs.push_back(v);
      // An argument whose value dies on this edge moves into the parameter.
      for (auto it = w.decs.begin(); it != w.decs.end();) {
        auto inc = std::find(w.incs.begin(), w.incs.end(), *it);
        if (inc != w.incs.end()) {
          w.incs.erase(inc);
          it = w.decs.erase(it);
        } else {
          ++it;
        }
      }
      work.push_back(w);
    }
    bool same =
        std::all_of(work.begin(), work.end(), [&](const EdgeWork &w) { return w == work[0]; });
    if (same) {
      for (Value v : work[0].incs) emit_before_terminator(b, Op::IncRef, v, loc);
      for (Value v : work[0].decs) emit_before_terminator(b, Op::DecRef, v, loc);
      return;
    }
    for (size_t t = 0; t < work.size(); ++t) {
      if (work[t].empty()) continue;
      Block edge = split_edge(b, t, loc);
      for (Value v : work[t].incs) emit_before_terminator(edge, Op::IncRef, v, loc);
      for (Value v : work[t].decs) emit_before_terminator(edge, Op::DecRef, v, loc);
    }
  }

  /// A block inside a try: its normal edge as a branch's; its edge to the handler is taken from
  /// inside the instruction that raised, so its work always goes on a block of its own, and the
  /// instruction's result, which does not exist there, is left out.  The references the
  /// instruction's operands die with (dropped after it on the normal path) are dropped on that
  /// edge too when they come from another block, so that they exist on every path to it.  (One
  /// made in the same block, such as a tuple of arrays built for a call, is not released there.)
  void handle_catch(Block b, const InstData &term, const std::vector<Value> &at_end,
                    const Liveness &live) {
    SourceLoc loc = term.loc;
    const auto &insts = f_.block(b).insts;
    Value raised = insts.size() >= 2 ? f_.inst(insts[insts.size() - 2]).result : Value{};
    std::vector<Value> consumed;  // operands of the raising instruction that die with it
    if (insts.size() >= 2)
      for (Value v : operands_read(f_.inst(insts[insts.size() - 2]))) {
        bool here = !f_.value(v).is_param && f_.inst(f_.def(v)).block == b;
        if (tracked(v) && !here && std::find(at_end.begin(), at_end.end(), v) == at_end.end())
          add_unique(consumed, v);
      }
    for (size_t t = 0; t < 2; ++t) {
      EdgeWork w;
      for (Value v : term.targets[t].args)
        if (tracked(v)) w.incs.push_back(v);
      const auto &in = live.live_in[term.targets[t].block.id];
      for (Value v : at_end)
        if (!std::binary_search(in.begin(), in.end(), v) && (t == 0 || v != raised))
          w.decs.push_back(v);
      if (t == 1)
        for (Value v : consumed)
          if (!std::binary_search(in.begin(), in.end(), v)) w.decs.push_back(v);
      for (auto it = w.decs.begin(); it != w.decs.end();) {
        auto inc = std::find(w.incs.begin(), w.incs.end(), *it);
        if (inc != w.incs.end()) {
          w.incs.erase(inc);
          it = w.decs.erase(it);
        } else {
          ++it;
        }
      }
      if (w.empty()) continue;
      Block edge = t == 0 ? b : split_edge(b, t, loc);
      for (Value v : w.incs) emit_before_terminator(edge, Op::IncRef, v, loc);
      for (Value v : w.decs) emit_before_terminator(edge, Op::DecRef, v, loc);
    }
  }

  void emit_before_terminator(Block b, Op op, Value v, SourceLoc loc) {
    f_.insert(b, f_.block(b).insts.size() - 1, op, {v}, false, loc);
  }

  /// A new block on edge t of b's terminator; the branch arguments move into its `br`.
  Block split_edge(Block b, size_t t, SourceLoc loc) {
    Block edge = f_.add_block();
    BlockCall call = f_.terminator(b).targets[t];
    Inst br = f_.append(edge, Op::Br, {}, false, loc);
    f_.inst(br).targets.push_back(call);
    f_.terminator(b).targets[t] = BlockCall{edge, {}};
    return edge;
  }

  Function &f_;
  TypeContext &types_;
  std::vector<bool> track_;
  std::map<uint32_t, Value> receiver_;  // a borrowed bound method -> its instance
};

}  // namespace

void insert_refcounts(Function &f) { RefcountInserter(f).run(); }

}  // namespace ember
