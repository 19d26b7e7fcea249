// Lowering of dict() and set(), and of the methods of dicts and sets.  Both are the runtime's
// hash table (ember/containers.h; a set has no values).  Lookups return borrowed pointers into
// the table, read at once; values removed from it (pop, popitem) move to the result.
#include "ember/containers.h"
#include "ir/rules/IndexAnalysis.h"
#include "lowering/FunctionLowerer.h"

namespace ember {

llvm::Value *FunctionLowerer::lower_dict_call(const InstData &d, BuiltinId id) {
  TypeId rt = type(d.result);
  size_t nargs = d.operands.size() - 1;
  auto arg = [&](size_t k) { return d.operands[k + 1]; };
  auto given = [&](size_t k) { return nargs > k && types_.kind(type(arg(k))) != TypeKind::None; };
  llvm::Constant *none = llvm::ConstantInt::get(i8_, 0);
  llvm::Constant *null = llvm::ConstantPointerNull::get(dm_.pointer_type());
  llvm::Constant *zero32 = llvm::ConstantInt::get(i32_, 0);
  auto elems = [&](Value c) { return types_.get(type(c)).elems; };
  // The other operand of a set method as a set: itself, or a temporary set of the iterable's
  // items (released by done_other).
  auto other_set = [&]() -> V {
    TypeId from = type(arg(1));
    if (types_.kind(from) == TypeKind::Set) return get(arg(1));
    TypeId st = type(arg(0));
    V tmp = new_container(st);
    for_each_iterated(get(arg(1)), from, [&](V v, TypeId vt) { container_add(tmp, st, v, vt); });
    return tmp;
  };
  auto done_other = [&](V other) {
    if (types_.kind(type(arg(1))) != TypeKind::Set) decref(other, type(arg(0)));
  };
  auto set_op = [&](int32_t op, int32_t in_place) {
    V other = other_set();
    V r = b_.CreateCall(runtime(RuntimeFn::SetOp),
                        {get(arg(0)), other, llvm::ConstantInt::get(i32_, op),
                         llvm::ConstantInt::get(i32_, in_place)});
    done_other(other);
    return r;
  };
  auto set_compare = [&](int32_t op) {
    V other = other_set();
    V r = b_.CreateCall(runtime(RuntimeFn::SetCompare),
                        {get(arg(0)), other, llvm::ConstantInt::get(i32_, op)});
    done_other(other);
    return b_.CreateICmpNE(r, zero32);
  };
  switch (id) {
    case BuiltinId::Dict:
      if (!given(0)) return new_container(rt);
      if (types_.kind(type(arg(0))) != TypeKind::Dict) {  // an iterable of (key, value) pairs
        V out = new_container(rt);
        for_each_iterated(get(arg(0)), type(arg(0)), [&](V pair, TypeId pt) {
          const auto &e = types_.get(pt).elems;
          V k = from_memory(b_.CreateExtractValue(pair, {0}), e[0]);
          V v = from_memory(b_.CreateExtractValue(pair, {1}), e[1]);
          container_add(out, rt, k, e[0], v, e[1]);
        });
        return out;
      }
      return b_.CreateCall(runtime(RuntimeFn::DictCopy), {get(arg(0))});
    case BuiltinId::Set: {
      if (!given(0)) return new_container(rt);
      TypeId from = type(arg(0));
      if (types_.kind(from) == TypeKind::Set)
        return b_.CreateCall(runtime(RuntimeFn::DictCopy), {get(arg(0))});
      V out = new_container(rt);
      for_each_iterated(get(arg(0)), from, [&](V v, TypeId vt) { container_add(out, rt, v, vt); });
      return out;
    }
    case BuiltinId::DictGet:
    case BuiltinId::DictPop: {
      auto e = elems(arg(0));
      V key = spill(get(arg(1)), type(arg(1)), e[0], "key");
      V found, value = nullptr;
      V slot = nullptr;
      if (id == BuiltinId::DictGet) {
        V p = b_.CreateCall(runtime(RuntimeFn::DictLookup), {get(arg(0)), key});
        found = b_.CreateIsNotNull(p);
        value = p;
      } else {
        slot = entry_alloca(mt(e[1]), "popped");
        found = b_.CreateICmpNE(
            b_.CreateCall(runtime(RuntimeFn::DictDelitem), {get(arg(0)), key, slot}), zero32);
        if (!given(2)) raise_key_error_if(b_.CreateNot(found), key, e[0]);
      }
      // Found: the stored value (a new reference for get, the moved one for pop).
      llvm::BasicBlock *yes = llvm::BasicBlock::Create(ctx_, "dict.found", fn_);
      llvm::BasicBlock *no = llvm::BasicBlock::Create(ctx_, "dict.missing", fn_);
      llvm::BasicBlock *done = llvm::BasicBlock::Create(ctx_, "dict.done", fn_);
      b_.CreateCondBr(found, yes, no);
      b_.SetInsertPoint(yes);
      V v = load_value(slot ? slot : value, e[1]);
      if (!slot) incref(v, e[1]);
      V hit = convert(v, e[1], rt);
      llvm::BasicBlock *yes_end = b_.GetInsertBlock();
      b_.CreateBr(done);
      b_.SetInsertPoint(no);
      V miss;
      if (given(2)) {
        miss = convert(get(arg(2)), type(arg(2)), rt);
        incref(miss, rt);
      } else {
        // get: an absent Optional; pop: never reached (it raised KeyError above).
        miss = llvm::Constant::getNullValue(hit->getType());
      }
      llvm::BasicBlock *no_end = b_.GetInsertBlock();
      b_.CreateBr(done);
      b_.SetInsertPoint(done);
      llvm::PHINode *phi = b_.CreatePHI(hit->getType(), 2);
      phi->addIncoming(hit, yes_end);
      phi->addIncoming(miss, no_end);
      return phi;
    }
    case BuiltinId::DictSetdefault: {
      auto e = elems(arg(0));
      V dict = get(arg(0));
      V key = spill(get(arg(1)), type(arg(1)), e[0], "key");
      V p = b_.CreateCall(runtime(RuntimeFn::DictLookup), {dict, key});
      llvm::BasicBlock *from = b_.GetInsertBlock();
      llvm::BasicBlock *add = llvm::BasicBlock::Create(ctx_, "setdefault.add", fn_);
      llvm::BasicBlock *done = llvm::BasicBlock::Create(ctx_, "setdefault.done", fn_);
      b_.CreateCondBr(b_.CreateIsNull(p), add, done);
      b_.SetInsertPoint(add);
      b_.CreateCall(runtime(RuntimeFn::DictSetitem),
                    {dict, key, spill(get(arg(2)), type(arg(2)), e[1], "value")});
      V q = b_.CreateCall(runtime(RuntimeFn::DictLookup), {dict, key});
      llvm::BasicBlock *add_end = b_.GetInsertBlock();
      b_.CreateBr(done);
      b_.SetInsertPoint(done);
      llvm::PHINode *at = b_.CreatePHI(ptr_, 2);
      at->addIncoming(p, from);
      at->addIncoming(q, add_end);
      V v = load_value(at, e[1]);
      incref(v, e[1]);
      return v;
    }
    case BuiltinId::DictPopitem:
    case BuiltinId::SetPop: {
      auto e = elems(arg(0));
      bool dict = id == BuiltinId::DictPopitem;
      V kslot = entry_alloca(mt(e[0]), "popkey");
      V vslot = dict ? entry_alloca(mt(e[1]), "popvalue") : null;
      V ok = b_.CreateCall(runtime(RuntimeFn::DictPopitem), {get(arg(0)), kslot, vslot});
      raise_if(b_.CreateICmpEQ(ok, zero32), EMBER_EXC_KeyError,
               dict ? "popitem(): dictionary is empty" : "pop from an empty set");
      if (!dict) return load_value(kslot, e[0]);
      V tup = llvm::UndefValue::get(mt(rt));
      tup = b_.CreateInsertValue(tup, b_.CreateLoad(mt(e[0]), kslot), {0});
      return b_.CreateInsertValue(tup, b_.CreateLoad(mt(e[1]), vslot), {1});
    }
    case BuiltinId::DictUpdate:
      b_.CreateCall(runtime(RuntimeFn::DictUpdate), {get(arg(0)), get(arg(1))});
      return none;
    case BuiltinId::SetUpdate: {
      TypeId from = type(arg(1));
      if (types_.kind(from) == TypeKind::Set) {
        b_.CreateCall(runtime(RuntimeFn::DictUpdate), {get(arg(0)), get(arg(1))});
      } else {
        V s = get(arg(0));
        TypeId st = type(arg(0));
        for_each_iterated(get(arg(1)), from, [&](V v, TypeId vt) { container_add(s, st, v, vt); });
      }
      return none;
    }
    case BuiltinId::DictClear:
    case BuiltinId::SetClear:
      b_.CreateCall(runtime(RuntimeFn::DictClear), {get(arg(0))});
      return none;
    case BuiltinId::DictCopy:
    case BuiltinId::SetCopy: return b_.CreateCall(runtime(RuntimeFn::DictCopy), {get(arg(0))});
    case BuiltinId::DictKeys:
    case BuiltinId::DictValues:
    case BuiltinId::DictItems: {
      V dict = get(arg(0));  // a view is the dict itself, with its own reference
      incref(dict, type(arg(0)));
      return dict;
    }
    case BuiltinId::SetAdd: {
      TypeId st = type(arg(0));
      container_add(get(arg(0)), st, get(arg(1)), type(arg(1)));
      return none;
    }
    case BuiltinId::SetDiscard:
    case BuiltinId::SetRemove: {
      auto e = elems(arg(0));
      V key = spill(get(arg(1)), type(arg(1)), e[0], "key");
      V found = b_.CreateCall(runtime(RuntimeFn::DictDelitem), {get(arg(0)), key, null});
      if (id == BuiltinId::SetRemove) raise_key_error_if(b_.CreateICmpEQ(found, zero32), key, e[0]);
      return none;
    }
    case BuiltinId::SetUnion: return set_op(EMBER_SET_UNION, 0);
    case BuiltinId::SetIntersection: return set_op(EMBER_SET_INTERSECTION, 0);
    case BuiltinId::SetDifference: return set_op(EMBER_SET_DIFFERENCE, 0);
    case BuiltinId::SetSymmetricDifference: return set_op(EMBER_SET_SYMDIFF, 0);
    case BuiltinId::SetIssubset: return set_compare(EMBER_SET_SUBSET);
    case BuiltinId::SetIssuperset: return set_compare(EMBER_SET_SUPERSET);
    case BuiltinId::SetIsdisjoint: return set_compare(EMBER_SET_DISJOINT);
    case BuiltinId::SetDifferenceUpdate: set_op(EMBER_SET_DIFFERENCE, 1); return none;
    case BuiltinId::SetIntersectionUpdate: set_op(EMBER_SET_INTERSECTION, 1); return none;
    case BuiltinId::SetSymmetricDifferenceUpdate: set_op(EMBER_SET_SYMDIFF, 1); return none;
    default: internal_error << "not a dict or set builtin: " << builtin_display_name(id);
  }
  return nullptr;
}

}  // namespace ember
