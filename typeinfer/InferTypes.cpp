#include "typeinfer/InferTypes.h"

#include <algorithm>
#include <map>
#include <set>

#include "ir/CFG.h"
#include "ir/rules/Elementwise.h"
#include "ir/rules/IndexAnalysis.h"
#include "typeinfer/CaughtArgs.h"
#include "typeinfer/ContainerRules.h"
#include "typeinfer/TypeRules.h"

namespace ember {

namespace {

class TypeInferrer {
 public:
  TypeInferrer(Function &f, CalleeResolver &resolver, const InferOptions &options)
      : f_(f), types_(f.types()), resolver_(resolver), options_(options), cfg_(f) {}

  void run(const std::vector<TypeId> &arg_types) {
    f_.arg_types = arg_types;
    collect_incoming();
    // The lattice is finite and rules are monotone, so this converges; the cap catches bugs.
    for (int round = 0;; ++round) {
      internal_assert(round < 100) << f_.name << ": type inference did not converge";
      if (!sweep(/*final=*/false)) break;
    }
    sweep(/*final=*/true);
    f_.return_type = options_.declared_return.unknown()
                         ? (return_type_.unknown() ? types_.none() : return_type_)
                         : options_.declared_return;
    if (f_.is_generator) {  // what calling it returns: the generator (CodeGenGenerator.cpp)
      f_.yield_type = yield_type_.unknown() ? types_.none() : yield_type_;
      f_.return_type = types_.generator(f_.yield_type);
    }
    record_callees();
    record_function_values();
    check_containers_resolved();
    end_blocks_at_unbound_reads();
    prune_dead_branches();
  }

 private:
  void collect_incoming() {
    incoming_.assign(f_.num_blocks(), {});
    for (Block b : cfg_.rpo()) {
      const InstData &term = f_.terminator(b);
      for (size_t t = 0; t < term.targets.size(); ++t)
        incoming_[term.targets[t].block.id].push_back({f_.block(b).insts.back(), t});
    }
  }

  /// One pass over every reachable instruction; returns whether any type changed.  With
  /// `final`, rule failures are reported instead of deferred.
  bool sweep(bool final) {
    bool changed = false;
    TypeId ret, yielded;
    // Liveness of blocks processed later in this sweep (the sources of back edges) comes from
    // the previous sweep; before the first one every block counts as live.
    prev_live_ = live_.empty() ? std::vector<char>(f_.num_blocks(), 1) : live_;
    prev_dead_edges_ = dead_edges_;
    unbound_reads_.clear();  // a callee's answer may change with provisional argument types
    live_.assign(f_.num_blocks(), 0);
    live_[f_.entry().id] = 1;
    dead_edges_.clear();
    for (Block b : cfg_.rpo()) {
      if (!live_[b.id]) continue;  // only reached through a branch typing proved dead
      BlockData &bd = f_.block(b);
      for (size_t k = 0; k < bd.params.size(); ++k) {
        TypeId t;
        for (auto &[term, idx] : incoming_[b.id]) {
          Block src = f_.inst(term).block;
          bool later = cfg_.order(src) >= cfg_.order(b);
          bool live = later ? prev_live_[src.id] && !prev_dead_edges_.count({term.id, idx})
                            : live_[src.id] && !dead_edges_.count({term.id, idx});
          if (!live) continue;
          Value arg = f_.inst(term).targets[idx].args[k];
          t = guarded(
              final, f_.inst(term).loc,
              [&] { return unify(types_, t, f_.type(arg), f_.inst(term).loc); }, t);
        }
        changed |= update(bd.params[k], t);
      }
      bool unbound = false;
      for (Inst i : bd.insts) {
        InstData &d = f_.inst(i);
        if (reads_never_bound(d)) {  // raises: nothing after it runs, or needs a type
          unbound_reads_[b.id] = i;
          unbound = true;
          break;
        }
        if (d.op == Op::Ret) {
          TypeId t = f_.type(d.operands[0]);
          if (types_.kind(t) == TypeKind::Str) t = types_.unicode();  // a literal returned
          if (final && t.unknown()) report_unknown(d);
          if (final && types_.is_compile_time(t) && !t.unknown())
            unsupported(d.loc) << "a " << types_.to_string(t)
                               << " cannot be returned from compiled code";
          if (f_.is_generator && final && types_.kind(t) != TypeKind::None)
            unsupported(d.loc) << "a generator's `return` with a value is not supported in "
                                  "compiled code (return None, or nothing)";
          ret = guarded(
              final, d.loc, [&] { return unify(types_, ret, t, d.loc); }, ret);
          continue;
        }
        if (d.op == Op::Yield) {  // unified as returns are; the value sent back is None
          TypeId t = f_.type(d.operands[0]);
          if (types_.kind(t) == TypeKind::Str) t = types_.unicode();
          if (final && t.unknown()) report_unknown(d);
          if (final && types_.is_compile_time(t) && !t.unknown())
            unsupported(d.loc) << "a " << types_.to_string(t)
                               << " cannot be yielded from compiled code";
          yielded = guarded(
              final, d.loc, [&] { return unify(types_, yielded, t, d.loc); }, yielded);
          changed |= update(d.result, types_.none());
          continue;
        }
        bool ready = true;
        for (Value v : d.operands)
          if (f_.type(v).unknown()) ready = false;
        if (!ready) {
          if (final) report_unknown(d);
          continue;
        }
        TypeId t = guarded(
            final, d.loc, [&] { return type_inst(d); }, TypeId{});
        if (d.result.valid()) changed |= update(d.result, t);
        if (calls_never_returning(d)) {  // the callee always raises: the rest is dead too
          unbound_reads_[b.id] = i;
          unbound = true;
          break;
        }
      }
      const InstData &term = f_.terminator(b);
      if (unbound) {
        for (size_t t = 0; t < term.targets.size(); ++t) {
          if (term.op == Op::CatchBr && t == 1) {  // it raises into the handler
            live_[term.targets[t].block.id] = 1;
            continue;
          }
          dead_edges_.insert({bd.insts.back().id, t});
        }
        continue;
      }
      int known = static_condition(term);
      for (size_t t = 0; t < term.targets.size(); ++t) {
        if (known >= 0 && t != (known ? 0u : 1u)) {
          dead_edges_.insert({bd.insts.back().id, t});
          continue;
        }
        live_[term.targets[t].block.id] = 1;
      }
    }
    if (ret != return_type_) {
      return_type_ = ret;
      changed = true;
    }
    if (yielded != yield_type_) {
      yield_type_ = yielded;
      changed = true;
    }
    return changed;
  }

  /// 1 or 0 when a condbr's condition is known from types alone (`x is None` with x of type
  /// None, or of a type that is never None), else -1.  As in Numba, the dead side is not typed.
  int static_condition(const InstData &term) {
    if (term.op != Op::CondBr) return -1;
    Value v = term.operands[0];
    Inst def = f_.def(v);
    while (def.valid() && f_.inst(def).op == Op::Truth &&
           types_.kind(f_.type(f_.inst(def).operands[0])) == TypeKind::Scalar) {
      v = f_.inst(def).operands[0];
      def = f_.def(v);
    }
    if (!def.valid() || f_.inst(def).op != Op::Is) return -1;
    const InstData &d = f_.inst(def);
    TypeId l = f_.type(d.operands[0]), r = f_.type(d.operands[1]);
    if (l.unknown() || r.unknown()) return -1;
    TypeKind kl = types_.kind(l), kr = types_.kind(r);
    int same;
    if (kl == TypeKind::None && kr == TypeKind::None)
      same = 1;
    else if ((kl == TypeKind::None && kr != TypeKind::Optional) ||
             (kr == TypeKind::None && kl != TypeKind::Optional))
      same = 0;
    else
      return -1;
    return d.imm ? 1 - same : same;
  }

  /// A read of a local that no path binds (its only assignments were dead code, which CPython's
  /// compiler drops for `if False:`): it always raises UnboundLocalError, so it is typed as
  /// None and the rest of its block is never typed.
  bool reads_never_bound(const InstData &d) const {
    if (d.op != Op::CheckBound) return false;
    Inst def = f_.def(d.operands[0]);
    return def.valid() && f_.inst(def).op == Op::Undef;
  }

  /// A call of a jitted function none of whose paths returns (each raises, as a read of a
  /// never-bound local does): typing the code after it would type values that never exist.
  bool calls_never_returning(const InstData &d) const {
    if (d.op != Op::Call || !d.result.valid()) return false;
    auto it = callees_.find(d.result.id);
    if (it == callees_.end() || !it->second.function) return false;
    const Function &callee = *it->second.function;
    // Calling a generator function only makes the generator (`while True: yield` has no Ret).
    if (callee.is_generator) return false;
    CFG cfg(callee);
    for (Block b : cfg.rpo())
      if (callee.terminator(b).op == Op::Ret) return false;
    return true;
  }

  /// Ends each block at its read of a never-bound local (or its call that never returns): the
  /// check raises, then Unreachable.  The check guards a None instead of the untyped Undef.
  void end_blocks_at_unbound_reads() {
    for (auto &[block, check] : unbound_reads_) {
      auto &insts = f_.block(Block{block}).insts;
      auto at = std::find(insts.begin(), insts.end(), check);
      insts.erase(at + 1, insts.end());
      InstData &d = f_.inst(check);
      SourceLoc loc = d.loc;
      if (d.op != Op::CheckBound) {
        f_.append(Block{block}, Op::Unreachable, {}, false, loc);
        continue;
      }
      int64_t none = static_cast<int64_t>(f_.consts.size());
      f_.consts.push_back(ConstValue{});
      Inst c = f_.insert(Block{block}, insts.size() - 1, Op::Const, {}, true, loc, none);
      f_.set_type(f_.inst(c).result, types_.none());
      f_.inst(check).operands[0] = f_.inst(c).result;
      f_.set_type(f_.inst(check).result, types_.none());
      f_.append(Block{block}, Op::Unreachable, {}, false, loc);
    }
  }

  /// Turns the branches typing proved one-sided into plain branches: the dead code is gone for
  /// every later pass.
  void prune_dead_branches() {
    for (auto &[inst_id, t] : dead_edges_) {
      InstData &d = f_.inst(Inst{inst_id});
      if (d.op != Op::CondBr || unbound_reads_.count(d.block.id)) continue;
      BlockCall live = d.targets[1 - t];
      d.op = Op::Br;
      d.operands.clear();
      d.targets = {live};
    }
  }

  template <typename F>
  TypeId guarded(bool final, SourceLoc loc, F &&rule, TypeId fallback) {
    (void)loc;
    if (final) return rule();
    try {
      return rule();
    } catch (const CompileError &e) {
      if (e.kind() == ErrorKind::Internal) throw;
      return fallback;  // maybe provisional types: retried in the final sweep
    }
  }

  bool update(Value v, TypeId t) {
    if (t.unknown() || f_.type(v) == t) return false;
    f_.set_type(v, t);
    return true;
  }

  void report_unknown(const InstData &d) {
    for (Value v : d.operands) {
      if (!f_.type(v).unknown()) continue;
      Inst def = f_.def(v);
      if (def.valid() && f_.inst(def).op == Op::Undef)
        typing_error(d.loc) << "a variable is used here before it is assigned on every path";
      if (def.valid() && f_.inst(def).op == Op::Call) {
        const InstData &c = f_.inst(def);
        if (types_.kind(f_.type(c.operands[0])) == TypeKind::Dispatcher &&
            types_.get(f_.type(c.operands[0])).handle == options_.self_handle)
          typing_error(c.loc) << "cannot infer the type of this recursive call: the function "
                                 "needs a return path that does not recurse, or an explicit "
                                 "signature";
      }
    }
    // Another unknown operand was reported at its own instruction, earlier in the order.
    typing_error(d.loc) << "cannot infer the type of an operand of this " << op_name(d.op);
  }

  /// `x in a` for an array: a call of ember's ndarray.__contains__ (ember/npapi/views.py), an
  /// @overload_method found as users' are, with the array first; lowering calls it.
  TypeId type_array_contains(const InstData &d) {
    TypeId c = f_.type(d.operands[1]), x = f_.type(d.operands[0]);
    if (x.unknown()) return TypeId{};  // typed on a later pass of the fixpoint
    UserAttribute user = resolver_.lookup_attribute(c, "__contains__", d.loc);
    if (user.kind != UserAttribute::Kind::Method)
      unsupported(d.loc) << "`in` on an array (" << types_.to_string(c)
                         << ") is not supported in compiled code";
    CalleeRef ref = resolver_.resolve(user.handle, {c, x}, {}, d.loc);
    internal_assert(!ref.self) << "ndarray.__contains__ being compiled";
    if (!types_.is_scalar(ref.result) || types_.scalar_kind(ref.result) != ScalarKind::Bool)
      internal_error << "ndarray.__contains__ returned " << types_.to_string(ref.result);
    callees_[d.result.id] = ref;
    return ref.result;
  }

  TypeId type_inst(InstData &d) {
    RuleContext cx{types_, f_, d};
    cx.resolver = &resolver_;
    cx.self_handle = options_.self_handle;
    cx.self_return = options_.declared_return.unknown() ? return_type_ : options_.declared_return;
    cx.self_params = &f_.arg_types;
    cx.kernel = options_.kernel;
    cx.sites = &sites_;
    cx.warp_size = options_.warp_size;
    bool op = d.op == Op::BinOp || d.op == Op::Compare || d.op == Op::Unary;
    if (op || d.op == Op::Call) {  // an operator or len() of a jitclass: its dunder method
      CalleeRef ref;
      cx.callee_out = &ref;
      TypeId t;
      if (type_jitclass_operator(cx, &t)) {
        if (ref.dispatcher) callees_[d.result.id] = ref;
        return t;
      }
      cx.callee_out = nullptr;
    }
    if (op) {
      TypeId t;
      if (type_bytes_operator(cx, &t)) return t;
    }
    if (d.op == Op::BinOp || d.op == Op::Compare) {
      TypeId t;
      if (type_container_operator(cx, &t)) return t;
    }
    ElementwiseTyping et;
    if (op && type_elementwise(types_, f_, d, &et)) {
      TypeId lhs = f_.type(d.operands[0]);
      if (d.op == Op::BinOp && d.imm2 && types_.is_array(lhs)) return lhs;  // a += b, in place
      return types_.array(et.result, et.ndim, Layout::C);
    }
    switch (d.op) {
      case Op::Arg: return f_.arg_types[static_cast<size_t>(d.imm)];
      case Op::Const: return type_const(types_, f_.consts[static_cast<size_t>(d.imm)], d.loc);
      case Op::Undef: return TypeId{};
      case Op::GetAttr: {  // an @overload_attribute or a jitclass property's getter is a call
        if (types_.kind(f_.type(d.operands[0])) == TypeKind::CaughtException &&
            f_.names[static_cast<size_t>(d.imm)] == "args") {
          d.aux = static_cast<uint32_t>(AttrId::ExceptionArgs);
          return type_caught_args(f_, cfg_, callees_, d.operands[0], d.block, d.loc);
        }
        CalleeRef ref;
        cx.callee_out = &ref;
        TypeId t = type_getattr_or_user(cx, &d.aux);
        if (ref.dispatcher) callees_[d.result.id] = ref;
        return t;
      }
      case Op::SetAttr: {
        TypeKind k = types_.kind(f_.type(d.operands[0]));
        if (k == TypeKind::Record || k == TypeKind::RecordArray)
          check_record_setattr(cx);
        else
          check_jitclass_setattr(cx);
        return TypeId{};
      }
      case Op::Call: {
        CalleeRef ref;
        cx.callee_out = &ref;
        TypeId t = type_call(cx);
        if (ref.dispatcher) callees_[d.result.id] = ref;
        return t;
      }
      case Op::BinOp: {
        auto [l, r] = operand_types(types_, f_, d.operands[0], d.operands[1]);
        return type_binop(types_, static_cast<BinOpKind>(d.imm), l, r, d.loc).result;
      }
      case Op::Compare: {
        auto [l, r] = operand_types(types_, f_, d.operands[0], d.operands[1]);
        return type_compare(types_, static_cast<CmpKind>(d.imm), l, r, d.loc).result;
      }
      case Op::Is: {
        TypeKind a = types_.kind(f_.type(d.operands[0])), b = types_.kind(f_.type(d.operands[1]));
        if (a != TypeKind::None && b != TypeKind::None)
          unsupported(d.loc) << "`is` is only supported against None in compiled code";
        return types_.boolean();
      }
      case Op::Contains: {
        if (type_container_contains(cx)) return types_.boolean();
        TypeId c = f_.type(d.operands[1]);
        if (types_.bytes_kind(c) != BytesKind::None)  // Python's is a substring test
          unsupported(d.loc) << "`in` on a " << types_.to_string(c)
                             << " is not supported in compiled code";
        if (types_.is_array(c)) return type_array_contains(d);
        if (types_.is_string(c)) {
          if (!types_.is_string(f_.type(d.operands[0])))
            typing_error(d.loc) << "'in <string>' requires a string as the left operand, not "
                                << types_.to_string(f_.type(d.operands[0]));
          return types_.boolean();
        }
        if (types_.kind(c) != TypeKind::Tuple)
          unsupported(d.loc) << "`in` is only supported on tuples in compiled code, not on "
                             << types_.to_string(c);
        for (TypeId e : types_.get(c).elems)
          type_compare(types_, CmpKind::Eq, f_.type(d.operands[0]), e, d.loc);
        return types_.boolean();
      }
      case Op::Unary:
        return type_unary(types_, static_cast<UnaryKind>(d.imm), f_.type(d.operands[0]), d.loc);
      case Op::Truth: check_truth(types_, f_.type(d.operands[0]), d.loc); return types_.boolean();
      case Op::GetItem: {
        TypeId t;
        if (type_container_getitem(cx, &t)) return t;
        return type_getitem(cx);
      }
      case Op::SetItem:
        if (!check_container_setitem(cx)) check_setitem(cx);
        return TypeId{};
      case Op::DelItem: check_delitem(cx); return TypeId{};
      case Op::BuildMap:
      case Op::BuildSet: return type_build_container(cx);
      case Op::MakeClosure: {
        TypeId code = f_.type(d.operands[0]), captured = f_.type(d.operands[1]);
        internal_assert(types_.kind(code) == TypeKind::Dispatcher &&
                        types_.kind(captured) == TypeKind::Tuple)
            << "MakeClosure of " << types_.to_string(code);
        return types_.closure(types_.get(code).handle, types_.get(captured).elems);
      }
      case Op::BuildTuple: {
        std::vector<TypeId> elems;
        for (Value v : d.operands) {
          TypeId t = f_.type(v);
          if (types_.kind(t) == TypeKind::Str) t = types_.unicode();  // a literal stored
          // Classes (for isinstance(x, (int, float))) are, like functions, known from the type;
          // `...` (a Builtin too) may stand in a subscript's tuple (a[i, j, ...]: IndexAnalysis).
          bool cls = types_.kind(t) == TypeKind::NumberClass || types_.kind(t) == TypeKind::Builtin;
          if (types_.is_compile_time(t) && !passable_function(types_, t) && !cls)
            unsupported(d.loc) << "a tuple holding a " << types_.to_string(t)
                               << " is not supported in compiled code";
          elems.push_back(t);
        }
        return types_.tuple(elems);
      }
      case Op::BuildSlice: {
        for (Value v : d.operands) {
          TypeId t = unwrap_optional(types_, f_.type(v));
          bool ok = types_.kind(t) == TypeKind::None ||
                    (types_.is_scalar(t) && (is_integer(types_.scalar_kind(t)) ||
                                             types_.scalar_kind(t) == ScalarKind::Bool));
          if (!ok)
            typing_error(d.loc) << "slice bounds must be integers or None, not "
                                << types_.to_string(f_.type(v));
        }
        return types_.slice();
      }
      case Op::BuildList: return type_build_container(cx);
      case Op::Unpack: return type_unpack(cx);
      case Op::GetIter: return type_getiter(cx);
      case Op::IterNext: return types_.boolean();
      case Op::IterValue: return type_itervalue(cx);
      case Op::CheckBound: return f_.type(d.operands[0]);
      case Op::CaughtException: return types_.caught_exception();
      case Op::ExcMatch: {
        TypeId cls = f_.type(d.operands[1]);
        bool ok = types_.kind(cls) == TypeKind::ExceptionClass;
        if (types_.kind(cls) == TypeKind::Tuple) {
          ok = true;
          for (TypeId e : types_.get(cls).elems)
            ok = ok && types_.kind(e) == TypeKind::ExceptionClass;
        }
        if (!ok)
          typing_error(d.loc) << "an except clause takes an exception class or a tuple of them, "
                                 "not "
                              << types_.to_string(cls);
        return types_.boolean();
      }
      case Op::CatchBr: return TypeId{};
      case Op::Yield: return types_.none();  // typed in sweep(), as Ret
      case Op::Raise: {
        TypeKind k = types_.kind(f_.type(d.operands[0]));
        if (k != TypeKind::ExceptionClass && k != TypeKind::ExceptionValue &&
            k != TypeKind::CaughtException)
          typing_error(d.loc) << "exceptions must be exception classes or instances, not "
                              << types_.to_string(f_.type(d.operands[0]));
        return TypeId{};
      }
      case Op::Br:
      case Op::CondBr:
      case Op::Unreachable: return TypeId{};
      case Op::Cast:
      case Op::ParallelFor:
      case Op::IncRef:
      case Op::DecRef:
      case Op::Ret: internal_error << op_name(d.op) << " before type inference";
    }
    return TypeId{};
  }

  /// An empty list, dict or set nothing ever stored into has no item type: a TypingError at
  /// the display (Numba's "cannot infer the type of an empty list").
  void check_containers_resolved() {
    CFG cfg(f_);
    for (Block b : cfg.rpo()) {
      if (!live_[b.id]) continue;
      for (Inst i : f_.block(b).insts) {
        const InstData &d = f_.inst(i);
        if (!d.result.valid() || !types_.is_unresolved_container(f_.type(d.result))) continue;
        if (d.op != Op::BuildList && d.op != Op::BuildMap && d.op != Op::BuildSet &&
            d.op != Op::Call)
          continue;
        TypeId t = f_.type(d.result);
        const char *what = types_.kind(t) == TypeKind::List   ? "list"
                           : types_.kind(t) == TypeKind::Dict ? "dict"
                                                              : "set";
        typing_error(d.loc) << "cannot infer the item type of this empty " << what
                            << ": nothing is stored into it in this function (store into it, "
                               "or pass a typed container made with ember.typed)";
      }
    }
  }

  void record_callees() {
    for (auto &[value_id, ref] : callees_) {
      Inst i = f_.def(Value{value_id});
      InstData &d = f_.inst(i);
      if (ref.self) {
        ref.result = f_.return_type;
        ref.params = f_.arg_types;
      }
      // A call's callee index is its aux; an attribute's (whose aux is the AttrId) its imm2.
      if (d.op == Op::GetAttr)
        d.imm2 = static_cast<int64_t>(f_.callees.size());
      else
        d.aux = static_cast<uint32_t>(f_.callees.size());
      f_.callees.push_back(ref);
    }
  }

  /// A jitted function passed to a parameter declared types.FunctionType(sig) (or a tuple of
  /// them to a tuple of such parameters): the resolver accepts it (dispatcher.py), make_explicit
  /// casts it, and lowering takes the address of its specialization for sig's argument types,
  /// added here to the callees, which no instruction calls (CodeGenFunctionPtr.cpp).
  void record_function_values() {
    for (auto &[value_id, ref] : callees_) {
      const InstData &d = f_.inst(f_.def(Value{value_id}));
      if (d.op != Op::Call || ref.self) continue;
      const TypeData &cd = types_.get(f_.type(d.operands[0]));
      if (cd.kind != TypeKind::Dispatcher) continue;
      std::vector<TypeId> params = ref.params;
      std::vector<int32_t> arg_map = ref.arg_map;
      for (size_t p = 0; p < params.size() && p < arg_map.size(); ++p) {
        int32_t a = arg_map[p];
        if (a < 0 || static_cast<size_t>(a) + 1 >= d.operands.size()) continue;
        function_values(f_.type(d.operands[static_cast<size_t>(a) + 1]), params[p], d.loc);
      }
    }
  }

  void function_values(TypeId arg, TypeId param, SourceLoc loc) {
    const TypeData &ad = types_.get(arg), &pd = types_.get(param);
    if (ad.kind == TypeKind::Tuple && pd.kind == TypeKind::Tuple &&
        ad.elems.size() == pd.elems.size()) {
      std::vector<TypeId> as = ad.elems, ps = pd.elems;  // copied: resolving interns types
      for (size_t k = 0; k < as.size(); ++k) function_values(as[k], ps[k], loc);
      return;
    }
    if (ad.kind != TypeKind::Dispatcher || pd.kind != TypeKind::FunctionPtr) return;
    uint64_t handle = ad.handle;
    std::vector<TypeId> sig = pd.elems;
    std::vector<TypeId> want(sig.begin() + 1, sig.end());
    for (const CalleeRef &c : f_.callees)
      if (!c.self && c.dispatcher == handle && c.params == want && c.result == sig[0]) return;
    if (static_cast<CalleeKind>(ad.a) != CalleeKind::Function)
      unsupported(loc) << "a ufunc as a " << types_.to_string(param) << " is not supported";
    CalleeRef r = resolver_.resolve(handle, want, {}, loc);
    if (r.self || !r.function)
      unsupported(loc) << "a function passed as a " << types_.to_string(param)
                       << " to a callee while it is being compiled (recursion) is not supported";
    if (r.params != want || r.result != sig[0]) {
      std::string have;
      for (size_t k = 0; k < r.params.size(); ++k)
        have += (k ? ", " : "") + types_.to_string(r.params[k]);
      typing_error(loc) << "a jitted function compiled as " << types_.to_string(r.result) << "("
                        << have << ") does not match the argument type " << types_.to_string(param);
    }
    f_.callees.push_back(r);
  }

  Function &f_;
  TypeContext &types_;
  CalleeResolver &resolver_;
  const InferOptions &options_;
  CFG cfg_;
  std::vector<std::vector<std::pair<Inst, size_t>>> incoming_;
  std::vector<char> live_, prev_live_;  // blocks reached through live edges
  std::set<std::pair<uint32_t, size_t>> dead_edges_, prev_dead_edges_;  // (terminator, target)
  TypeId return_type_;
  TypeId yield_type_;  ///< a generator function's: what its yields unify to so far
  std::map<uint32_t, CalleeRef> callees_;          // by the call's result value
  std::map<uint32_t, Inst> unbound_reads_;         // block -> its read of a never-bound local
  std::map<uint64_t, std::vector<TypeId>> sites_;  // empty displays' learned item types
};

}  // namespace

void infer_types(Function &f, const std::vector<TypeId> &arg_types, CalleeResolver &resolver,
                 const InferOptions &options) {
  TypeInferrer(f, resolver, options).run(arg_types);
}

}  // namespace ember
