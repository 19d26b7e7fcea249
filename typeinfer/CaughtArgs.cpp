// The type of e.args of a caught exception (CaughtArgs.h).  Exceptions raised by builtin
// operations (a bounds check, a NumPy function) carry their message as args; they are not
// raise sites here, so a handler that catches only them reads a one-string tuple, and one
// typed from explicit raises refuses them at run time.  Class hierarchies of user classes are
// known only to the runtime, so a raise counts unless its class surely cannot match: a builtin
// class that is not a subclass of the clause's builtin class, or a builtin class under a user
// clause.
#include "typeinfer/CaughtArgs.h"

#include <set>
#include <sstream>

#include "ember/abi.h"
#include "ir/Error.h"
#include "typeinfer/TypeRules.h"

namespace ember {

namespace {

struct RaiseSite {
  int32_t cls;
  std::vector<TypeId> args;
};

// The parent of a builtin exception id (EMBER_EXCEPTION_IDS), 0 at the top.
int32_t builtin_parent(int32_t id) {
  switch (id) {
    case EMBER_EXC_ZeroDivisionError:
    case EMBER_EXC_OverflowError: return EMBER_EXC_ArithmeticError;
    case EMBER_EXC_UnboundLocalError: return -1;  // NameError: not an id; under Exception
    case EMBER_EXC_Exception: return 0;
    default: return EMBER_EXC_Exception;
  }
}

bool is_builtin(int32_t id) { return id > 0 && id < EMBER_EXC_FIRST_USER; }

// Whether an exception of class `raised` may be caught by `except clause`.
bool may_match(int32_t raised, int32_t clause) {
  if (raised == clause || clause == EMBER_EXC_Exception) return true;
  if (!is_builtin(raised)) return true;   // a user class may derive from any class
  if (!is_builtin(clause)) return false;  // a builtin never derives from a user class
  for (int32_t p = builtin_parent(raised); p > 0; p = builtin_parent(p))
    if (p == clause) return true;
  return false;
}

class RaiseSites {
 public:
  RaiseSites(const Function &f, const CFG &cfg, const std::map<uint32_t, CalleeRef> &callees)
      : f_(f), types_(f.types()), cfg_(cfg), callees_(callees) {}

  /// A block parameter that only ever receives one value (the caught exception passed along
  /// the stack from block to block) stands for that value.
  Value resolve(Value v) {
    std::set<uint32_t> seen;
    while (f_.value(v).is_param && seen.insert(v.id).second) {
      const ValueData &vd = f_.value(v);
      Block b{vd.owner};
      Value only;
      bool unique = true;
      for (Block p : cfg_.preds(b)) {
        for (const BlockCall &t : f_.terminator(p).targets) {
          if (t.block.id != b.id || vd.index >= t.args.size()) continue;
          Value a = t.args[vd.index];
          if (a == v) continue;
          if (only.valid() && !(only == a)) unique = false;
          only = a;
        }
      }
      if (!unique || !only.valid()) return v;
      v = only;
    }
    return v;
  }

  /// Every explicit raise that reaches the handler in which `caught` was made.
  void handler(Value caught) {
    Inst def = f_.def(caught);
    if (!def.valid() || f_.inst(def).op != Op::CaughtException) return;
    Block h = f_.inst(def).block;
    if (!handlers_.insert(h.id).second) return;
    for (Block p : cfg_.preds(h)) {
      const InstData &term = f_.terminator(p);
      if (term.op == Op::Raise) {
        raised(f_.type(term.operands[0]), [&] { handler(resolve(term.operands[0])); });
      } else if (term.op == Op::CatchBr && f_.block(p).insts.size() >= 2) {
        const BlockData &bd = f_.block(p);
        const InstData &x = f_.inst(bd.insts[bd.insts.size() - 2]);
        if (!x.result.valid()) continue;
        auto c = callees_.find(x.result.id);
        if (c == callees_.end()) continue;
        if (c->second.function)
          function(*c->second.function);
        else if (c->second.self)
          function(f_);
      }
    }
  }

  std::vector<RaiseSite> sites;

 private:
  template <typename Reraise>
  void raised(TypeId t, Reraise &&reraise) {
    if (t.unknown()) return;
    const TypeData td = types_.get(t);  // a copy: unicode() below may intern
    switch (td.kind) {
      case TypeKind::ExceptionClass: sites.push_back({static_cast<int32_t>(td.handle), {}}); return;
      case TypeKind::ExceptionValue: {
        RaiseSite s{static_cast<int32_t>(td.handle), {}};
        if (!td.elems.empty()) {
          for (TypeId e : td.elems)
            s.args.push_back(types_.kind(e) == TypeKind::Str ? types_.unicode() : e);
        } else if (!types_.string(td.a).empty()) {
          s.args.push_back(types_.unicode());
        }
        sites.push_back(s);
        return;
      }
      case TypeKind::CaughtException: reraise(); return;
      default: return;
    }
  }

  /// Every raise in a compiled callee and in its callees (an over-approximation: some may be
  /// caught there).
  void function(const Function &g) {
    if (!functions_.insert(&g).second) return;
    for (size_t i = 0; i < g.num_insts(); ++i) {
      const InstData &d = g.inst(Inst{static_cast<uint32_t>(i)});
      if (d.op == Op::Raise && !d.operands.empty()) {
        raised(g.type(d.operands[0]), [] {});
        continue;
      }
      if (d.op != Op::Call || d.operands.empty()) continue;
      TypeKind callee = types_.kind(g.type(d.operands[0]));  // aux indexes callees only then
      bool compiled = callee == TypeKind::Dispatcher || callee == TypeKind::Closure;
      if (compiled && d.aux < g.callees.size() && g.callees[d.aux].function)
        function(*g.callees[d.aux].function);
    }
  }

  const Function &f_;
  TypeContext &types_;
  const CFG &cfg_;
  const std::map<uint32_t, CalleeRef> &callees_;
  std::set<uint32_t> handlers_;
  std::set<const Function *> functions_;
};

// The classes of the except clause guarding `use`: the nearest dominating branch on
// ExcMatch(caught, classes) whose true side leads to `use`.  Empty when there is none.
std::vector<int32_t> clause_classes(const Function &f, const CFG &cfg, RaiseSites &rs, Value caught,
                                    Block use) {
  const TypeContext &types = f.types();
  for (Block b = use;; b = cfg.idom(b)) {
    const InstData &term = f.terminator(b);
    if (term.op == Op::CondBr && b.id != use.id) {
      Inst c = f.def(term.operands[0]);
      if (c.valid() && f.inst(c).op == Op::Truth) c = f.def(f.inst(c).operands[0]);  // bool()
      if (c.valid() && f.inst(c).op == Op::ExcMatch &&
          rs.resolve(f.inst(c).operands[0]) == caught &&
          cfg.dominates(term.targets[0].block, use) &&
          term.targets[0].block.id != term.targets[1].block.id) {
        TypeId cls = f.type(f.inst(c).operands[1]);
        std::vector<int32_t> out;
        if (types.kind(cls) == TypeKind::Tuple) {
          for (TypeId e : types.get(cls).elems)
            out.push_back(static_cast<int32_t>(types.get(e).handle));
        } else if (types.kind(cls) == TypeKind::ExceptionClass) {
          out.push_back(static_cast<int32_t>(types.get(cls).handle));
        }
        return out;
      }
    }
    if (cfg.idom(b).id == b.id) return {};
  }
}

// The unification of the sites' argument tuples; false (with the two that differ) on a conflict.
bool unify_sites(TypeContext &types, const std::vector<const RaiseSite *> &sites, SourceLoc loc,
                 std::vector<TypeId> *out, std::string *conflict) {
  out->clear();
  bool first = true;
  for (const RaiseSite *s : sites) {
    if (first) {
      *out = s->args;
      first = false;
      continue;
    }
    bool ok = s->args.size() == out->size();
    std::vector<TypeId> merged = *out;
    for (size_t k = 0; ok && k < merged.size(); ++k) {
      try {
        merged[k] = unify(types, merged[k], s->args[k], loc);
        ok = types.is_scalar(merged[k]) || types.kind(merged[k]) == TypeKind::Unicode;
      } catch (const CompileError &) {
        ok = false;
      }
    }
    if (!ok) {
      *conflict =
          types.to_string(types.tuple(*out)) + " and " + types.to_string(types.tuple(s->args));
      return false;
    }
    *out = merged;
  }
  return true;
}

}  // namespace

TypeId type_caught_args(const Function &f, const CFG &cfg,
                        const std::map<uint32_t, CalleeRef> &callees, Value caught, Block use,
                        SourceLoc loc) {
  TypeContext &types = f.types();
  RaiseSites rs(f, cfg, callees);
  caught = rs.resolve(caught);
  std::vector<int32_t> clause = clause_classes(f, cfg, rs, caught, use);
  rs.handler(caught);
  std::vector<const RaiseSite *> matching, exact;
  for (const RaiseSite &s : rs.sites) {
    bool may = clause.empty(), is = false;
    for (int32_t c : clause) {
      may = may || may_match(s.cls, c);
      is = is || s.cls == c;
    }
    if (may) matching.push_back(&s);
    if (is) exact.push_back(&s);
  }
  // Only builtin operations can raise here: their args are their message.
  if (matching.empty()) return types.tuple({types.unicode()});
  std::vector<TypeId> args;
  std::string conflict;
  if (unify_sites(types, matching, loc, &args, &conflict)) return types.tuple(args);
  std::string exact_conflict;
  if (!exact.empty() && unify_sites(types, exact, loc, &args, &exact_conflict))
    return types.tuple(args);
  typing_error(loc) << "e.args: the exceptions this handler catches are raised with different "
                       "argument types ("
                    << conflict
                    << "), so e.args has no single type in compiled code; catch them in "
                       "separate except clauses, or raise them with the same types";
}

}  // namespace ember
