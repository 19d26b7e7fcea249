// Lowering of what lists, dicts and sets share: their values (a container's MemInfo pointer),
// the typeinfo each needs (built by the runtime from the item's ABI type code, once per module),
// displays, subscripts, `del`, `in`, len, iteration and operators.  Everything that touches
// the items goes through the runtime (ember/containers.h), which counts the references of
// what it stores; compiled code reads a list's size and items directly, since those are on
// every loop's path.  Builtins and methods are in CodeGenList.cpp and CodeGenDict.cpp.
#include <cstddef>
#include <sstream>

#include "ember/containers.h"
#include "ir/rules/IndexAnalysis.h"
#include "lowering/FunctionLowerer.h"

namespace ember {

namespace {
// Offsets in ember_list (ember/containers.h).
constexpr uint64_t kListSizeOffset = offsetof(ember_list, size);
constexpr uint64_t kListItemsOffset = offsetof(ember_list, items);
constexpr uint64_t kListCapacityOffset = offsetof(ember_list, capacity);
}  // namespace

llvm::Value *FunctionLowerer::typeinfo(TypeId t) {
  std::vector<int64_t> code;
  internal_assert(types_.to_code(t, &code)) << "no type code for " << types_.to_string(t);
  std::ostringstream name;
  name << "ember.typeinfo";
  for (int64_t c : code) name << '.' << c;
  llvm::Module &m = ms_.module;
  llvm::GlobalVariable *cache = m.getNamedGlobal(name.str());
  llvm::GlobalVariable *codes = m.getNamedGlobal(name.str() + ".code");
  if (!cache) {
    cache =
        new llvm::GlobalVariable(m, ptr_, false, llvm::GlobalValue::InternalLinkage,
                                 llvm::ConstantPointerNull::get(dm_.pointer_type()), name.str());
    std::vector<uint64_t> words(code.begin(), code.end());
    llvm::Constant *data = llvm::ConstantDataArray::get(ctx_, words);
    codes = new llvm::GlobalVariable(m, data->getType(), true, llvm::GlobalValue::InternalLinkage,
                                     data, name.str() + ".code");
  }
  // Racing threads may both ask the runtime: it interns, so they store the same pointer.
  V cur = b_.CreateLoad(ptr_, cache);
  llvm::BasicBlock *from = b_.GetInsertBlock();
  auto *make = llvm::BasicBlock::Create(ctx_, "typeinfo.make", fn_);
  auto *done = llvm::BasicBlock::Create(ctx_, "typeinfo.done", fn_);
  b_.CreateCondBr(b_.CreateIsNull(cur), make, done);
  b_.SetInsertPoint(make);
  V made = b_.CreateCall(runtime(RuntimeFn::TypeinfoGet),
                         {codes, llvm::ConstantInt::get(i64_, code.size())});
  b_.CreateStore(made, cache);
  b_.CreateBr(done);
  b_.SetInsertPoint(done);
  llvm::PHINode *phi = b_.CreatePHI(ptr_, 2);
  phi->addIncoming(cur, from);
  phi->addIncoming(made, make);
  return phi;
}

llvm::Value *FunctionLowerer::spill(V v, TypeId from, TypeId to, const char *name) {
  if (types_.kind(from) == TypeKind::Str) {  // a literal: its immortal module constant
    v = string_literal(types_.string(types_.get(from).a));
    from = types_.unicode();
  }
  V c = convert(v, from, to);
  V slot = entry_alloca(mt(to), name);
  b_.CreateStore(to_memory(c, to), slot);
  return slot;
}

llvm::Value *FunctionLowerer::load_value(V p, TypeId t) {
  return from_memory(b_.CreateLoad(mt(t), p), t);
}

llvm::Value *FunctionLowerer::container_header(V container) {
  return b_.CreateLoad(ptr_, b_.CreateConstGEP1_64(i8_, container, DataModel::kMeminfoDataOffset));
}

llvm::Value *FunctionLowerer::list_size(V list) {
  return b_.CreateLoad(i64_, b_.CreateConstGEP1_64(i8_, container_header(list), kListSizeOffset));
}

llvm::Value *FunctionLowerer::list_item_ptr(V list, V index, TypeId item) {
  V items =
      b_.CreateLoad(ptr_, b_.CreateConstGEP1_64(i8_, container_header(list), kListItemsOffset));
  return b_.CreateGEP(mt(item), items, index);
}

void FunctionLowerer::list_append(V list, V v, TypeId vt, TypeId item) {
  V slot = spill(v, vt, item);
  if (types_.needs_refcount(item)) {  // the runtime takes its reference
    b_.CreateCall(runtime(RuntimeFn::ListAppend), {list, slot});
    return;
  }
  // A plain item goes straight into the list while it has room: an append in a loop is then a
  // compare, a store and an increment; the runtime is called only to grow the buffer, and the
  // store after it is the same one, so the loop has one store path.
  V h = container_header(list);
  V size_ptr = b_.CreateConstGEP1_64(i8_, h, kListSizeOffset);
  V size = b_.CreateLoad(i64_, size_ptr);
  V cap = b_.CreateLoad(i64_, b_.CreateConstGEP1_64(i8_, h, kListCapacityOffset));
  llvm::Function *fn = b_.GetInsertBlock()->getParent();
  auto *grow = llvm::BasicBlock::Create(fn->getContext(), "append.grow", fn);
  auto *store = llvm::BasicBlock::Create(fn->getContext(), "append.store", fn);
  llvm::MDBuilder md(fn->getContext());
  b_.CreateCondBr(b_.CreateICmpSLT(size, cap), store, grow, md.createBranchWeights(2000, 1));
  b_.SetInsertPoint(grow);
  V status = b_.CreateCall(runtime(RuntimeFn::ListReserve),
                           {list, b_.CreateAdd(size, llvm::ConstantInt::get(i64_, 1))});
  raise_if(b_.CreateICmpNE(status, llvm::ConstantInt::get(i32_, 0)), EMBER_EXC_MemoryError,
           "out of memory in list.append()");
  b_.CreateBr(store);
  b_.SetInsertPoint(store);
  V items = b_.CreateLoad(ptr_, b_.CreateConstGEP1_64(i8_, h, kListItemsOffset));
  b_.CreateStore(b_.CreateLoad(mt(item), slot), b_.CreateGEP(mt(item), items, size));
  b_.CreateStore(b_.CreateAdd(size, llvm::ConstantInt::get(i64_, 1)), size_ptr);
}

llvm::Value *FunctionLowerer::list_index(V list, V index, TypeId index_type, const char *msg) {
  V i = convert(index, index_type, types_.int64());
  V n = list_size(list);
  V j =
      b_.CreateSelect(b_.CreateICmpSLT(i, llvm::ConstantInt::get(i64_, 0)), b_.CreateAdd(i, n), i);
  raise_if(b_.CreateICmpUGE(j, n), EMBER_EXC_IndexError, msg);
  return j;
}

llvm::Value *FunctionLowerer::container_len(V v, TypeId t) {
  switch (types_.kind(t)) {
    case TypeKind::List: return list_size(v);
    case TypeKind::Dict:
    case TypeKind::Set:
    case TypeKind::DictView: return b_.CreateCall(runtime(RuntimeFn::DictLen), {v});
    default: internal_error << "len() of " << types_.to_string(t);
  }
  return nullptr;
}

llvm::Value *FunctionLowerer::new_container(TypeId t) {
  const auto &e = types_.get(t).elems;
  switch (types_.kind(t)) {
    case TypeKind::List:
      return b_.CreateCall(runtime(RuntimeFn::ListNew),
                           {typeinfo(e[0]), llvm::ConstantInt::get(i64_, 0)});
    case TypeKind::Dict:
      return b_.CreateCall(runtime(RuntimeFn::DictNew), {typeinfo(e[0]), typeinfo(e[1])});
    case TypeKind::Set:
      return b_.CreateCall(runtime(RuntimeFn::DictNew),
                           {typeinfo(e[0]), llvm::ConstantPointerNull::get(dm_.pointer_type())});
    default: internal_error << "not a container: " << types_.to_string(t);
  }
  return nullptr;
}

void FunctionLowerer::container_add(V c, TypeId ct, V v, TypeId vt, V value, TypeId value_t) {
  const auto &e = types_.get(ct).elems;
  switch (types_.kind(ct)) {
    case TypeKind::List: list_append(c, v, vt, e[0]); return;
    case TypeKind::Set: set_add(c, spill(v, vt, e[0], "key"), e[0]); return;
    case TypeKind::Dict:
      b_.CreateCall(runtime(RuntimeFn::DictSetitem),
                    {c, spill(v, vt, e[0], "key"), spill(value, value_t, e[1], "value")});
      return;
    default: internal_error << "not a container: " << types_.to_string(ct);
  }
}

void FunctionLowerer::for_each_iterated(V iterable, TypeId t,
                                        const std::function<void(V, TypeId)> &body) {
  TypeId it = iterator_type_of(t);
  V state = iterator_from(iterable, t, it);
  auto *head = llvm::BasicBlock::Create(ctx_, "each.head", fn_);
  auto *bodyb = llvm::BasicBlock::Create(ctx_, "each.body", fn_);
  auto *exit = llvm::BasicBlock::Create(ctx_, "each.exit", fn_);
  b_.CreateBr(head);
  b_.SetInsertPoint(head);
  b_.CreateCondBr(lower_iternext(state, it), bodyb, exit);
  b_.SetInsertPoint(bodyb);
  body(lower_itervalue(state, it), iterator_value_type(types_, it));
  b_.CreateBr(head);
  b_.SetInsertPoint(exit);
  decref(state, it);  // the iterator's hold on the iterable
}

void FunctionLowerer::raise_key_error_if(V cond, V key_ptr, TypeId key_type) {
  auto *raise = llvm::BasicBlock::Create(ctx_, "keyerror", fn_);
  auto *cont = llvm::BasicBlock::Create(ctx_, "cont", fn_);
  llvm::MDBuilder md(ctx_);
  b_.CreateCondBr(cond, raise, cont, md.createBranchWeights(1, 1 << 20));
  b_.SetInsertPoint(raise);
  // The message is repr(key), in the runtime's per-thread buffer: the dispatcher reads it
  // before this thread runs anything else, and turns it back into the key (Dispatcher.cpp).
  V text = b_.CreateCall(runtime(RuntimeFn::ValueRepr), {typeinfo(key_type), key_ptr});
  emit_raise(EMBER_EXC_KeyError, "");
  // emit_raise ended the block with its return: put the dynamic message in before it.
  llvm::Instruction *ret = b_.GetInsertBlock()->getTerminator();
  llvm::IRBuilder<> at(ret);
  at.CreateStore(text, at.CreateStructGEP(dm_.error_type(), err_ptr_, 2));
  b_.SetInsertPoint(cont);
}

llvm::Value *FunctionLowerer::lower_build_container(const InstData &d) {
  TypeId t = type(d.result);
  V c = new_container(t);
  if (d.op == Op::BuildMap) {
    for (size_t k = 0; k < d.operands.size(); k += 2)
      container_add(c, t, get(d.operands[k]), type(d.operands[k]), get(d.operands[k + 1]),
                    type(d.operands[k + 1]));
  } else {
    for (Value v : d.operands) container_add(c, t, get(v), type(v));
  }
  return c;
}

llvm::Value *FunctionLowerer::lower_container_getitem(const InstData &d) {
  TypeId ct = type(d.operands[0]);
  V c = get(d.operands[0]);
  Value index = d.operands[1];
  const auto &e = types_.get(ct).elems;
  if (types_.kind(ct) == TypeKind::List) {
    if (types_.kind(type(index)) == TypeKind::Slice) {
      V count, step;
      V start = resolve_slice(get(index), list_size(c), &count, &step);
      return b_.CreateCall(runtime(RuntimeFn::ListSlice), {c, start, step, count});
    }
    V i = list_index(c, get(index), type(index), "list index out of range");
    V v = load_value(list_item_ptr(c, i, e[0]), e[0]);
    incref(v, e[0]);
    return v;
  }
  V key = spill(get(index), type(index), e[0], "key");
  V p = b_.CreateCall(runtime(RuntimeFn::DictLookup), {c, key});
  raise_key_error_if(b_.CreateIsNull(p), key, e[0]);
  V v = load_value(p, e[1]);
  incref(v, e[1]);
  return v;
}

void FunctionLowerer::lower_container_setitem(const InstData &d) {
  TypeId ct = type(d.operands[0]);
  V c = get(d.operands[0]);
  Value index = d.operands[1], value = d.operands[2];
  const auto &e = types_.get(ct).elems;
  if (types_.kind(ct) == TypeKind::List && types_.kind(type(index)) == TypeKind::Slice) {
    // The source as a list of c's item type: itself when it is one, else a temporary copy.
    TypeId from = type(value);
    V src = get(value);
    bool temporary = types_.kind(from) != TypeKind::List || types_.get(from).elems[0] != e[0];
    if (temporary) {
      V tmp = new_container(ct);
      for_each_iterated(src, from, [&](V v, TypeId vt) { container_add(tmp, ct, v, vt); });
      src = tmp;
    }
    V count, step;
    V start = resolve_slice(get(index), list_size(c), &count, &step);
    V rc = b_.CreateCall(runtime(RuntimeFn::ListSetslice), {c, start, step, count, src});
    if (temporary) decref(src, ct);
    raise_if(b_.CreateICmpEQ(rc, llvm::ConstantInt::get(i32_, -2)), EMBER_EXC_ValueError,
             "attempt to assign a sequence to an extended slice of another size");
    raise_if(b_.CreateICmpEQ(rc, llvm::ConstantInt::get(i32_, -1)), EMBER_EXC_MemoryError,
             "out of memory in list slice assignment");
    return;
  }
  if (types_.kind(ct) == TypeKind::List) {
    V i = list_index(c, get(index), type(index), "list assignment index out of range");
    b_.CreateCall(runtime(RuntimeFn::ListSetitem), {c, i, spill(get(value), type(value), e[0])});
    return;
  }
  container_add(c, ct, get(index), type(index), get(value), type(value));
}

void FunctionLowerer::lower_delitem(const InstData &d) {
  TypeId ct = type(d.operands[0]);
  V c = get(d.operands[0]);
  Value index = d.operands[1];
  const auto &e = types_.get(ct).elems;
  if (types_.kind(ct) == TypeKind::List) {
    if (types_.kind(type(index)) == TypeKind::Slice) {
      V count, step;
      V start = resolve_slice(get(index), list_size(c), &count, &step);
      b_.CreateCall(runtime(RuntimeFn::ListDelslice), {c, start, step, count});
      return;
    }
    V i = list_index(c, get(index), type(index), "list assignment index out of range");
    V slot = entry_alloca(mt(e[0]), "removed");
    b_.CreateCall(runtime(RuntimeFn::ListPop), {c, i, slot});
    decref(load_value(slot, e[0]), e[0]);
    return;
  }
  V key = spill(get(index), type(index), e[0], "key");
  V found = b_.CreateCall(runtime(RuntimeFn::DictDelitem),
                          {c, key, llvm::ConstantPointerNull::get(dm_.pointer_type())});
  raise_key_error_if(b_.CreateICmpEQ(found, llvm::ConstantInt::get(i32_, 0)), key, e[0]);
}

llvm::Value *FunctionLowerer::lower_container_contains(const InstData &d) {
  Value item = d.operands[0];
  TypeId ct = type(d.operands[1]);
  V c = get(d.operands[1]);
  V r;
  if (types_.kind(ct) == TypeKind::List) {
    TypeId it = types_.get(ct).elems[0];
    V idx = b_.CreateCall(runtime(RuntimeFn::ListIndex),
                          {c, spill(get(item), type(item), it), llvm::ConstantInt::get(i64_, 0),
                           llvm::ConstantInt::get(i64_, INT64_MAX)});
    r = b_.CreateICmpSGE(idx, llvm::ConstantInt::get(i64_, 0));
  } else if (types_.kind(ct) == TypeKind::Set) {
    TypeId it = types_.get(ct).elems[0];
    r = set_contains(c, spill(get(item), type(item), it), it);
  } else {
    TypeId dict = types_.kind(ct) == TypeKind::DictView ? types_.get(ct).elems[0] : ct;
    TypeId kt = types_.get(dict).elems[0];
    V p = b_.CreateCall(runtime(RuntimeFn::DictLookup), {c, spill(get(item), type(item), kt)});
    r = b_.CreateIsNotNull(p);
  }
  return d.imm ? b_.CreateNot(r) : r;
}

llvm::Value *FunctionLowerer::lower_container_operator(const InstData &d) {
  TypeId lt = type(d.operands[0]), rt = type(d.operands[1]);
  V l = get(d.operands[0]), r = get(d.operands[1]);
  llvm::Constant *zero32 = llvm::ConstantInt::get(i32_, 0);
  if (d.op == Op::Compare) {
    auto k = static_cast<CmpKind>(d.imm);
    if (types_.kind(lt) == TypeKind::Set) {
      // a < b: a proper subset; a > b: a proper superset (Python's set order).
      int32_t op = k == CmpKind::Lt   ? EMBER_SET_PROPER_SUBSET
                   : k == CmpKind::Le ? EMBER_SET_SUBSET
                   : k == CmpKind::Gt ? EMBER_SET_PROPER_SUPERSET
                   : k == CmpKind::Ge ? EMBER_SET_SUPERSET
                                      : EMBER_SET_EQUAL;
      V holds = b_.CreateICmpNE(
          b_.CreateCall(runtime(RuntimeFn::SetCompare), {l, r, llvm::ConstantInt::get(i32_, op)}),
          zero32);
      return k == CmpKind::Ne ? b_.CreateNot(holds) : holds;
    }
    if (types_.kind(lt) == TypeKind::Dict) {
      V eq = b_.CreateICmpNE(b_.CreateCall(runtime(RuntimeFn::DictEq), {l, r}), zero32);
      return k == CmpKind::Eq ? eq : b_.CreateNot(eq);
    }
    if (k == CmpKind::Eq || k == CmpKind::Ne) {
      V eq = b_.CreateICmpNE(b_.CreateCall(runtime(RuntimeFn::ListEq), {l, r}), zero32);
      return k == CmpKind::Eq ? eq : b_.CreateNot(eq);
    }
    V c = b_.CreateCall(runtime(RuntimeFn::ListCmp), {l, r});
    switch (k) {
      case CmpKind::Lt: return b_.CreateICmpSLT(c, zero32);
      case CmpKind::Le: return b_.CreateICmpSLE(c, zero32);
      case CmpKind::Gt: return b_.CreateICmpSGT(c, zero32);
      default: return b_.CreateICmpSGE(c, zero32);
    }
  }
  auto k = static_cast<BinOpKind>(d.imm);
  bool in_place = d.imm2 != 0;
  if (types_.kind(lt) == TypeKind::List) {
    if (k == BinOpKind::Mul) {
      V n = convert(r, rt, types_.int64());
      return b_.CreateCall(runtime(RuntimeFn::ListRepeat), {l, n});
    }
    if (in_place) {  // lst += other extends lst itself (others holding it see the change)
      b_.CreateCall(runtime(RuntimeFn::ListExtend), {l, r});
      incref(l, lt);
      return l;
    }
    V out = b_.CreateCall(
        runtime(RuntimeFn::ListSlice),
        {l, llvm::ConstantInt::get(i64_, 0), llvm::ConstantInt::get(i64_, 1), list_size(l)});
    b_.CreateCall(runtime(RuntimeFn::ListExtend), {out, r});
    return out;
  }
  int32_t op = k == BinOpKind::Or    ? EMBER_SET_UNION
               : k == BinOpKind::And ? EMBER_SET_INTERSECTION
               : k == BinOpKind::Sub ? EMBER_SET_DIFFERENCE
                                     : EMBER_SET_SYMDIFF;
  V out = b_.CreateCall(runtime(RuntimeFn::SetOp), {l, r, llvm::ConstantInt::get(i32_, op),
                                                    llvm::ConstantInt::get(i32_, in_place)});
  if (in_place) incref(out, lt);
  return out;
}

llvm::Value *FunctionLowerer::container_iterator_from(V iterable, TypeId from, TypeId iter_type) {
  llvm::Type *st = dm_.iterator_state_type(iter_type);
  const TypeData &it = types_.get(iter_type);
  V state = entry_alloca(st, "containeriter");
  b_.CreateStore(iterable, b_.CreateStructGEP(st, state, 0));
  if (it.kind == TypeKind::ListIter) {
    V start = it.a ? b_.CreateSub(list_size(iterable), llvm::ConstantInt::get(i64_, 1))
                   : llvm::ConstantInt::get(i64_, 0);
    b_.CreateStore(start, b_.CreateStructGEP(st, state, 1));
    b_.CreateStore(llvm::ConstantInt::get(i64_, 0), b_.CreateStructGEP(st, state, 2));
  } else {
    b_.CreateStore(llvm::ConstantInt::get(i64_, 0), b_.CreateStructGEP(st, state, 1));
  }
  incref(iterable, from);  // the iterator holds its container
  return state;
}

llvm::Value *FunctionLowerer::container_iternext(V state, TypeId iter) {
  llvm::Type *st = dm_.iterator_state_type(iter);
  const TypeData &it = types_.get(iter);
  V c = b_.CreateLoad(ptr_, b_.CreateStructGEP(st, state, 0));
  if (it.kind == TypeKind::ListIter) {
    // The size is read on every step: the loop may append to or pop from the list, as in
    // Python (where an iterator over a shrinking list just stops early).
    V idx = b_.CreateLoad(i64_, b_.CreateStructGEP(st, state, 1));
    V ok = b_.CreateICmpULT(idx, list_size(c));
    b_.CreateStore(idx, b_.CreateStructGEP(st, state, 2));
    V step = llvm::ConstantInt::get(i64_, it.a ? static_cast<uint64_t>(-1) : 1, true);
    b_.CreateStore(b_.CreateAdd(idx, step), b_.CreateStructGEP(st, state, 1));
    return ok;
  }
  V r = b_.CreateCall(runtime(RuntimeFn::DictNext),
                      {c, b_.CreateStructGEP(st, state, 1), b_.CreateStructGEP(st, state, 2),
                       b_.CreateStructGEP(st, state, 3)});
  return b_.CreateICmpNE(r, llvm::ConstantInt::get(i32_, 0));
}

llvm::Value *FunctionLowerer::container_itervalue(V state, TypeId iter) {
  llvm::Type *st = dm_.iterator_state_type(iter);
  const TypeData &it = types_.get(iter);
  const TypeData &cd = types_.get(it.elems[0]);
  if (it.kind == TypeKind::ListIter) {
    V c = b_.CreateLoad(ptr_, b_.CreateStructGEP(st, state, 0));
    V idx = b_.CreateLoad(i64_, b_.CreateStructGEP(st, state, 2));
    return load_value(list_item_ptr(c, idx, cd.elems[0]), cd.elems[0]);
  }
  V key = b_.CreateLoad(ptr_, b_.CreateStructGEP(st, state, 2));
  V val = b_.CreateLoad(ptr_, b_.CreateStructGEP(st, state, 3));
  switch (static_cast<DictViewKind>(it.a)) {
    case DictViewKind::Keys: return load_value(key, cd.elems[0]);
    case DictViewKind::Values: return load_value(val, cd.elems[1]);
    case DictViewKind::Items: {
      TypeId tt = types_.tuple({cd.elems[0], cd.elems[1]});
      V tup = llvm::UndefValue::get(mt(tt));
      tup = b_.CreateInsertValue(tup, b_.CreateLoad(mt(cd.elems[0]), key), {0});
      return b_.CreateInsertValue(tup, b_.CreateLoad(mt(cd.elems[1]), val), {1});
    }
  }
  return nullptr;
}

}  // namespace ember
