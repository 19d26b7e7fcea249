// make_explicit(): after inference, every implicit conversion becomes a Cast and every call
// gets its arguments in positional order, so lowering never re-derives typing decisions.
#include <algorithm>
#include <cstdint>
#include <string>

#include "ir/CFG.h"
#include "ir/rules/Elementwise.h"
#include "ir/rules/IndexAnalysis.h"
#include "typeinfer/CallRules.h"
#include "typeinfer/InferTypes.h"
#include "typeinfer/TypeRules.h"

namespace ember {

namespace {

class Explicitor {
 public:
  explicit Explicitor(Function &f) : f_(f), types_(f.types()) {}

  void run() {
    CFG cfg(f_);
    // A parameter typing never reached carries a local that no path binds, whose every read
    // raises: None stands for it, so the branches feeding it pass typed Undefs.
    for (Block b : cfg.rpo())
      for (Value p : f_.block(b).params)
        if (f_.type(p).unknown()) f_.set_type(p, types_.none());
    for (Block b : cfg.rpo()) {  // unreachable blocks (pruned by typing) are never lowered
      // Instructions may be inserted while walking: iterate by position over a snapshot.
      std::vector<Inst> insts = f_.block(b).insts;
      for (Inst i : insts) visit(b, i);
    }
    drop_unused();
  }

 private:
  size_t position(Block b, Inst i) {
    const auto &insts = f_.block(b).insts;
    for (size_t k = 0; k < insts.size(); ++k)
      if (insts[k] == i) return k;
    internal_error << "instruction not in its block";
    return 0;
  }

  /// The Undefs that cast() replaced by typed ones (unused now, and the only untyped values), and
  /// attribute reads nobody uses: typing has checked them, lowering need not see them (a module
  /// attribute such as `np.sin` has no value to lower).
  void drop_unused() {
    // Uses in unreachable blocks (after a read that always raises) do not count: those blocks
    // are never lowered.
    std::vector<bool> used(f_.num_values(), false);
    CFG cfg(f_);
    for (Block b : cfg.rpo())
      for (Inst i : f_.block(b).insts) {
        const InstData &d = f_.inst(i);
        for (Value v : d.operands) used[v.id] = true;
        for (const BlockCall &t : d.targets)
          for (Value v : t.args) used[v.id] = true;
      }
    for (uint32_t b = 0; b < f_.num_blocks(); ++b) {
      std::vector<Inst> &insts = f_.block(Block{b}).insts;
      insts.erase(std::remove_if(insts.begin(), insts.end(),
                                 [&](Inst i) {
                                   const InstData &d = f_.inst(i);
                                   bool droppable =
                                       d.op == Op::GetAttr ||
                                       (d.op == Op::Undef && f_.type(d.result).unknown());
                                   return droppable && !used[d.result.id];
                                 }),
                  insts.end());
    }
  }

  bool jitclass_operand(const InstData &d) const {
    return types_.kind(f_.type(d.operands[0])) == TypeKind::Instance;
  }

  /// v converted to `to`, by a Cast inserted before instruction `before`.
  /// obj.attr where obj is an optional jitclass instance: the instance itself (a cast that
  /// raises TypeError on None, as Numba's does).
  void unwrap_optional_instance(Block b, Inst i) {
    Value obj = f_.inst(i).operands[0];
    const TypeData &od = types_.get(f_.type(obj));
    if (od.kind != TypeKind::Optional || types_.kind(od.elems[0]) != TypeKind::Instance) return;
    Value v = cast(obj, od.elems[0], b, i);
    f_.inst(i).operands[0] = v;
  }

  Value cast(Value v, TypeId to, Block b, Inst before) {
    if (f_.type(v) == to) return v;
    Inst def = f_.def(v);
    if (f_.type(v).unknown() && def.valid() && f_.inst(def).op == Op::Undef) {
      // A variable not assigned on this path: an undefined value of the type it needs.
      Inst u = f_.insert(f_.entry(), 0, Op::Undef, {}, true, f_.inst(def).loc);
      f_.set_type(f_.inst(u).result, to);
      return f_.inst(u).result;
    }
    InstData &d = f_.inst(before);
    Inst c = f_.insert(b, position(b, before), Op::Cast, {v}, true, d.loc);
    Value r = f_.inst(c).result;
    f_.set_type(r, to);
    return r;
  }

  Value constant(const ConstValue &c, Block b, Inst before) {
    int64_t idx = static_cast<int64_t>(f_.consts.size());
    f_.consts.push_back(c);
    SourceLoc loc = f_.inst(before).loc;
    Inst k = f_.insert(b, position(b, before), Op::Const, {}, true, loc, idx);
    Value r = f_.inst(k).result;
    f_.set_type(r, type_const(types_, c, loc));
    return r;
  }

  void visit(Block b, Inst i) {
    InstData &d = f_.inst(i);
    ElementwiseTyping et;
    if (d.op != Op::Call && type_elementwise(types_, f_, d, &et)) return;  // per element
    switch (d.op) {
      case Op::CatchBr: {
        // The edge to the handler leaves from inside the instruction that raised: conversions
        // of its arguments go on a block of their own.
        BlockCall &h = f_.inst(i).targets[1];
        const BlockData &target = f_.block(h.block);
        bool converts = false;
        for (size_t k = 0; k < target.params.size(); ++k)
          converts = converts || f_.type(h.args[k]) != f_.type(target.params[k]);
        if (converts) {
          Block edge = f_.add_block();
          Inst br = f_.append(edge, Op::Br, {}, false, d.loc);
          f_.inst(br).targets.push_back(f_.inst(i).targets[1]);
          f_.inst(i).targets[1] = BlockCall{edge, {}};
          visit(edge, br);
        }
        BlockCall &n = f_.inst(i).targets[0];
        for (size_t k = 0; k < f_.block(n.block).params.size(); ++k) {
          Value a = cast(f_.inst(i).targets[0].args[k],
                         f_.type(f_.block(f_.inst(i).targets[0].block).params[k]), b, i);
          f_.inst(i).targets[0].args[k] = a;
        }
        break;
      }
      case Op::Raise:
      case Op::Br:
      case Op::CondBr:
        // Casts are inserted as we go, which may move `d`: index through f_.inst(i).
        for (size_t t = 0; t < f_.inst(i).targets.size(); ++t) {
          const BlockData &target = f_.block(f_.inst(i).targets[t].block);
          for (size_t k = 0; k < target.params.size(); ++k) {
            Value a = cast(f_.inst(i).targets[t].args[k], f_.type(target.params[k]), b, i);
            f_.inst(i).targets[t].args[k] = a;
          }
        }
        break;
      case Op::Ret: {
        if (f_.is_generator) break;  // it returns None: the generator ends (its ramp returns it)
        Value v = cast(d.operands[0], f_.return_type, b, i);
        f_.inst(i).operands[0] = v;
        break;
      }
      case Op::Yield: {
        Value v = cast(d.operands[0], f_.yield_type, b, i);
        f_.inst(i).operands[0] = v;
        break;
      }
      case Op::BinOp: {
        if (jitclass_operand(d)) break;  // a call of its dunder method, typed exactly
        auto [l, r] = operand_types(types_, f_, d.operands[0], d.operands[1]);
        if (types_.is_array(l) || types_.is_array(r)) break;          // a @ b
        if (types_.is_container(l) || types_.is_container(r)) break;  // lowered by kind
        OperationTypes ot = type_binop(types_, static_cast<BinOpKind>(d.imm), l, r, d.loc);
        if (ot.operand.unknown() || types_.kind(ot.operand) == TypeKind::Tuple) break;
        Value a = cast(d.operands[0], ot.operand, b, i);
        Value c = cast(f_.inst(i).operands[1], ot.operand, b, i);
        f_.inst(i).operands = {a, c};
        break;
      }
      case Op::Compare: {
        if (jitclass_operand(d)) break;
        auto [l, r] = operand_types(types_, f_, d.operands[0], d.operands[1]);
        if (types_.is_container(l) || types_.is_container(r)) break;
        OperationTypes ot = type_compare(types_, static_cast<CmpKind>(d.imm), l, r, d.loc);
        if (ot.operand.unknown()) break;  // tuples, uint64 with int64: compared by lowering
        Value a = cast(d.operands[0], ot.operand, b, i);
        Value c = cast(f_.inst(i).operands[1], ot.operand, b, i);
        f_.inst(i).operands = {a, c};
        break;
      }
      case Op::Unary: {
        if (static_cast<UnaryKind>(d.imm) == UnaryKind::Not || jitclass_operand(d)) break;
        TypeId t = f_.type(d.operands[0]);
        if (types_.is_scalar(t) && is_integer(types_.scalar_kind(t)) &&
            !is_signed(types_.scalar_kind(t)))
          break;  // unsigned: computed in its own width, widened by lowering
        Value a = cast(d.operands[0], f_.type(d.result), b, i);
        f_.inst(i).operands[0] = a;
        break;
      }
      case Op::BuildList:
      case Op::BuildSet:
      case Op::BuildMap: literals_to_strings(b, i, 0); break;
      case Op::GetItem:
      case Op::DelItem:
        if (types_.is_container(f_.type(d.operands[0]))) literals_to_strings(b, i, 1);
        break;
      case Op::Contains:
        if (types_.is_container(f_.type(d.operands[1])) ||
            types_.kind(f_.type(d.operands[1])) == TypeKind::DictView)
          literals_to_strings(b, i, 0, 1);
        break;
      case Op::SetItem: {
        TypeId c = f_.type(d.operands[0]);
        TypeId v = f_.type(d.operands[2]);
        if (types_.is_container(c)) literals_to_strings(b, i, 1);
        if (!types_.is_array(c)) break;  // containers convert what they store themselves
        if (types_.is_scalar(unwrap_optional(types_, v)) || types_.kind(v) == TypeKind::Optional) {
          Value a = cast(d.operands[2], types_.scalar(types_.dtype(c)), b, i);
          f_.inst(i).operands[2] = a;
        }
        break;
      }
      case Op::Call: visit_call(b, i); break;
      case Op::GetAttr: unwrap_optional_instance(b, i); break;
      case Op::SetAttr: {  // the value stored converts to the field's type
        unwrap_optional_instance(b, i);
        TypeId o = f_.type(f_.inst(i).operands[0]);
        if (types_.kind(o) != TypeKind::Instance) break;
        const ClassInfo *c = types_.class_info(types_.get(o).handle);
        // f_.inst(i), not d: the unwrapping cast may have moved the instruction table.
        int k = c ? c->field(f_.names[static_cast<size_t>(f_.inst(i).imm)]) : -1;
        if (k < 0) break;
        Value v = cast(f_.inst(i).operands[1], c->field_types[static_cast<size_t>(k)], b, i);
        f_.inst(i).operands[1] = v;
        break;
      }
      default: break;
    }
  }

  void visit_call(Block b, Inst i) {
    if (size_t out = ufunc_out_operand(types_, f_, f_.inst(i))) return ufunc_into(b, i, out);
    InstData &d = f_.inst(i);
    TypeId callee = f_.type(d.operands[0]);
    const TypeData &cd = types_.get(callee);
    if (cd.kind == TypeKind::Dispatcher && cd.a == static_cast<int64_t>(CalleeKind::UfuncKernel) &&
        types_.is_array(f_.type(d.result)))
      return;  // a ufunc over arrays: converted per element
    if (cd.kind == TypeKind::Dispatcher && cd.a == static_cast<int64_t>(CalleeKind::GufuncKernel))
      return;  // a gufunc: lowering passes views of the arguments' cores
    if (cd.kind == TypeKind::Dispatcher || cd.kind == TypeKind::Closure ||
        cd.kind == TypeKind::JitClass) {
      const CalleeRef &ref = f_.callees[d.aux];
      std::vector<Value> ops = {d.operands[0]};
      // A closure's captured values are its leading parameters: lowering passes them from the
      // closure, with the types they were captured with.  A jitclass's __init__ takes the
      // instance lowering makes first.
      size_t captured = cd.kind == TypeKind::Closure    ? cd.elems.size()
                        : cd.kind == TypeKind::JitClass ? 1
                                                        : 0;
      for (size_t p = captured; p < ref.params.size(); ++p) {
        int32_t a = p < ref.arg_map.size() ? ref.arg_map[p] : static_cast<int32_t>(p);
        a = a >= 0 ? a - static_cast<int32_t>(captured) : a;
        Value v = a >= 0 ? f_.inst(i).operands[static_cast<size_t>(a) + 1]
                         : constant(ref.defaults[p], b, i);
        ops.push_back(cast(v, ref.params[p], b, i));
      }
      f_.inst(i).operands = ops;
      f_.inst(i).imm = -1;
      return;
    }
    if (cd.kind == TypeKind::CFunction) {  // numbers convert to the C parameter types
      std::vector<TypeId> sig = cd.elems;  // copied: casting interns types
      for (size_t p = 1; p < sig.size(); ++p)
        if (types_.is_scalar(sig[p]))
          f_.inst(i).operands[p] = cast(f_.inst(i).operands[p], sig[p], b, i);
      return;
    }
    BuiltinId id = callee_builtin(types_, f_, d);
    if (id == BuiltinId::NumBuiltins) return;
    bool method = cd.kind == TypeKind::BoundMethod;
    CallArgs args = call_args(f_, d);
    SourceLoc loc = d.loc;
    const BuiltinSignature &sig = builtin_signature(id);
    std::vector<Value> ops;
    if (sig.varargs) {
      ops = args.values;
    } else {
      std::vector<int> bound =
          bind_call_args(args, sig.names, sig.required, builtin_info(id).attr, loc);
      // Missing optional arguments become None; trailing ones are dropped.
      size_t last = 0;
      for (size_t p = 0; p < bound.size(); ++p)
        if (bound[p] >= 0) last = p + 1;
      for (size_t p = 0; p < last; ++p)
        ops.push_back(bound[p] >= 0 ? args.values[static_cast<size_t>(bound[p])]
                                    : constant(ConstValue{}, b, i));
    }
    // A method call becomes a call of the builtin it stands for, receiver first.
    Value fn = f_.inst(i).operands[0];
    if (method) {
      ConstValue c;
      c.kind = ConstValue::Kind::Builtin;
      c.builtin = id;
      fn = constant(c, b, i);
    }
    ops.insert(ops.begin(), fn);
    f_.inst(i).operands = ops;
    f_.inst(i).imm = -1;
    const char *module = builtin_info(id).module;
    for (const char *container : {"list", "dict", "set", "heapq"})
      if (std::string(module) == container) literals_to_strings(b, i, 1);
  }

  /// np.sqrt(x, out=y) becomes `t = np.sqrt(x); y[...] = t` (t fused into the store), and the
  /// call's uses read y, which NumPy's call returns (ufunc_out_operand).
  void ufunc_into(Block b, Inst i, size_t out_index) {
    SourceLoc loc = f_.inst(i).loc;
    Value out = f_.inst(i).operands[out_index];
    Value result = f_.inst(i).result;
    std::vector<Value> ops = f_.inst(i).operands;
    ops.erase(ops.begin() + static_cast<std::ptrdiff_t>(out_index));
    if (types_.kind(f_.type(out)) == TypeKind::None) {  // out=None: a plain call
      f_.inst(i).operands = ops;
      f_.inst(i).imm = -1;
      return visit_call(b, i);
    }
    Inst call = f_.insert(b, position(b, i), Op::Call, ops, true, loc, -1);
    RuleContext cx{types_, f_, f_.inst(call)};
    f_.set_type(f_.inst(call).result, type_call(cx));
    visit_call(b, call);
    ConstValue ellipsis;
    ellipsis.kind = ConstValue::Kind::Builtin;
    ellipsis.builtin = BuiltinId::EllipsisValue;
    Value index = constant(ellipsis, b, i);
    // imm 1: a ufunc's output, which (unlike a store) takes no value of more dimensions.
    Inst store = f_.insert(b, position(b, i), Op::SetItem, {out, index, f_.inst(call).result},
                           false, loc, 1);
    visit(b, store);
    f_.replace_all_uses(result, out);
    std::vector<Inst> &insts = f_.block(b).insts;
    insts.erase(insts.begin() + static_cast<std::ptrdiff_t>(position(b, i)));
  }

  /// A string literal stored in or looked up in a container is a unicode_type there (typing
  /// made the container's item type one): operands [first, last) of instruction i that are
  /// literals get a Cast, so lowering sees a runtime string.
  void literals_to_strings(Block b, Inst i, size_t first, size_t last = SIZE_MAX) {
    size_t n = std::min(last, f_.inst(i).operands.size());
    for (size_t k = first; k < n; ++k) {
      Value v = f_.inst(i).operands[k];
      if (types_.kind(f_.type(v)) != TypeKind::Str) continue;
      Value c = cast(v, types_.unicode(), b, i);
      f_.inst(i).operands[k] = c;
    }
  }

  Function &f_;
  TypeContext &types_;
};

}  // namespace

void make_explicit(Function &f) { Explicitor(f).run(); }

}  // namespace ember
