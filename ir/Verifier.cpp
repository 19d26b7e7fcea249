#include "ir/Verifier.h"

#include "ir/CFG.h"

namespace ember {

namespace {

bool produces_value(Op op) {
  switch (op) {
    case Op::SetItem:
    case Op::SetAttr:
    case Op::DelItem:
    case Op::IncRef:
    case Op::DecRef:
    case Op::Br:
    case Op::CondBr:
    case Op::Ret:
    case Op::Raise:
    case Op::CatchBr:
    case Op::Unreachable: return false;
    default: return true;
  }
}

class Verifier {
 public:
  Verifier(const Function &f, bool typed) : f_(f), typed_(typed), cfg_(f) {}

  void run() {
    internal_assert(f_.num_blocks() > 0) << f_.name << ": no blocks";
    internal_assert(f_.block(f_.entry()).params.empty()) << f_.name << ": entry has parameters";
    internal_assert(cfg_.preds(f_.entry()).empty()) << f_.name << ": entry has predecessors";
    // Position of each instruction inside its block, for same-block dominance.
    position_.assign(f_.num_insts(), -1);
    for (uint32_t b = 0; b < f_.num_blocks(); ++b) {
      const auto &insts = f_.block(Block{b}).insts;
      for (size_t k = 0; k < insts.size(); ++k) position_[insts[k].id] = static_cast<int>(k);
    }
    find_maybe_undefined();
    for (uint32_t b = 0; b < f_.num_blocks(); ++b) check_block(Block{b});
  }

 private:
  void check_block(Block b) {
    const BlockData &bd = f_.block(b);
    internal_assert(!bd.insts.empty()) << f_.name << ": bb" << b.id << " is empty";
    for (size_t k = 0; k < bd.insts.size(); ++k) {
      const InstData &d = f_.inst(bd.insts[k]);
      bool last = k + 1 == bd.insts.size();
      internal_assert(is_terminator(d.op) == last)
          << f_.name << ": bb" << b.id << " instruction " << k << " (" << op_name(d.op) << ")"
          << (last ? " is the last but not a terminator" : " is a terminator before the end");
      internal_assert(d.block == b)
          << f_.name << ": instruction in bb" << b.id << " records block bb" << d.block.id;
      internal_assert(d.result.valid() == produces_value(d.op))
          << f_.name << ": " << op_name(d.op) << " result mismatch";
      if (!cfg_.reachable(b)) continue;
      for (size_t o = 0; o < d.operands.size(); ++o) {
        check_use(d.operands[o], b, static_cast<int>(k), d);
        check_defined(d, o);
      }
      for (const BlockCall &t : d.targets) {
        internal_assert(t.block.valid() && t.block.id < f_.num_blocks())
            << f_.name << ": bad branch target";
        const BlockData &target = f_.block(t.block);
        internal_assert(t.args.size() == target.params.size())
            << f_.name << ": bb" << b.id << " passes " << t.args.size() << " arguments to bb"
            << t.block.id << " which has " << target.params.size() << " parameters";
        for (size_t a = 0; a < t.args.size(); ++a) {
          check_use(t.args[a], b, static_cast<int>(k), d);
          if (typed_) {
            internal_assert(f_.type(t.args[a]) == f_.type(target.params[a]))
                << f_.name << ": bb" << b.id << " passes "
                << f_.types().to_string(f_.type(t.args[a])) << " to a parameter of type "
                << f_.types().to_string(f_.type(target.params[a])) << " of bb" << t.block.id;
          }
        }
      }
      if (typed_ && d.op == Op::Ret) {
        // A generator function's body returns None; calling it returns the generator.
        TypeId want = f_.is_generator ? f_.types().none() : f_.return_type;
        internal_assert(f_.type(d.operands[0]) == want)
            << f_.name << ": returns " << f_.types().to_string(f_.type(d.operands[0]))
            << " from a function of type " << f_.types().to_string(f_.return_type);
      }
      if (typed_ && d.op == Op::Yield) {
        internal_assert(f_.is_generator && f_.type(d.operands[0]) == f_.yield_type)
            << f_.name << ": yields " << f_.types().to_string(f_.type(d.operands[0]))
            << " where the generator yields " << f_.types().to_string(f_.yield_type);
      }
      if (typed_ && d.result.valid()) {
        internal_assert(!f_.type(d.result).unknown())
            << f_.name << ": %" << d.result.id << " (" << op_name(d.op) << ") has no type";
      }
    }
  }

  /// Undef results, and block parameters with such a value on some incoming edge (to a fixpoint).
  void find_maybe_undefined() {
    maybe_undef_.assign(f_.num_values(), 0);
    for (uint32_t i = 0; i < f_.num_insts(); ++i) {
      const InstData &d = f_.inst(Inst{i});
      if (d.op == Op::Undef && d.result.valid()) maybe_undef_[d.result.id] = 1;
    }
    for (bool changed = true; changed;) {
      changed = false;
      for (uint32_t b = 0; b < f_.num_blocks(); ++b) {
        if (!cfg_.reachable(Block{b}) || f_.block(Block{b}).insts.empty()) continue;
        for (const BlockCall &t : f_.terminator(Block{b}).targets) {
          const BlockData &target = f_.block(t.block);
          for (size_t a = 0; a < t.args.size() && a < target.params.size(); ++a) {
            Value arg = t.args[a], param = target.params[a];
            if (arg.valid() && arg.id < f_.num_values() && maybe_undef_[arg.id] &&
                !maybe_undef_[param.id]) {
              maybe_undef_[param.id] = 1;
              changed = true;
            }
          }
        }
      }
    }
  }

  /// Invariant 6: operand `o` of `d` may be undefined only where an undefined value is harmless.
  void check_defined(const InstData &d, size_t o) {
    Value v = d.operands[o];
    if (!v.valid() || v.id >= f_.num_values() || !maybe_undef_[v.id]) return;
    bool allowed =
        (d.op == Op::CheckBound && o == 0) || d.op == Op::DecRef || d.op == Op::ParallelFor;
    internal_assert(allowed) << f_.name << ": " << op_name(d.op) << " at line " << d.loc.line
                             << " uses %" << v.id
                             << ", which is undefined on some path, without a CheckBound";
  }

  void check_use(Value v, Block b, int pos, const InstData &user) {
    internal_assert(v.valid() && v.id < f_.num_values())
        << f_.name << ": " << op_name(user.op) << " uses an invalid value";
    const ValueData &vd = f_.value(v);
    Block def_block = vd.is_param ? Block{vd.owner} : f_.inst(Inst{vd.owner}).block;
    if (def_block == b) {
      if (vd.is_param) return;
      internal_assert(position_[vd.owner] < pos)
          << f_.name << ": %" << v.id << " used before its definition in bb" << b.id;
      return;
    }
    internal_assert(cfg_.dominates(def_block, b))
        << f_.name << ": %" << v.id << " (defined in bb" << def_block.id
        << ") does not dominate its use in bb" << b.id << " (" << op_name(user.op) << ")";
  }

  const Function &f_;
  bool typed_;
  CFG cfg_;
  std::vector<int> position_;
  std::vector<char> maybe_undef_;  // by value id
};

}  // namespace

void verify_function(const Function &f, bool typed) { Verifier(f, typed).run(); }

}  // namespace ember
