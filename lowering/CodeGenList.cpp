// Lowering of the builtins that make lists (list(), ember.typed.List(), sorted()), of list
// methods, reversed() and heapq.  Items go in and out through the runtime's list functions
// (ember/containers.h); a value taken out of a list (pop, heappop) moves the list's reference
// to the result, so it is not incref'd again.
#include "ember/containers.h"
#include "ir/rules/IndexAnalysis.h"
#include "lowering/FunctionLowerer.h"

namespace ember {

void FunctionLowerer::sort_list(const InstData &d, V list, TypeId lt, bool keyed, Value reverse) {
  V rev = reverse.valid() ? b_.CreateZExt(truth(get(reverse), type(reverse)), i32_)
                          : llvm::ConstantInt::get(i32_, 0);
  if (!keyed) {
    b_.CreateCall(runtime(RuntimeFn::ListSort), {list, rev});
    return;
  }
  // The keys first, one call of the key function per item (as CPython), then a stable sort
  // of the items by them.
  const CalleeRef &ref = f_.callees[d.aux];
  TypeId kt = types_.list(ref.result);
  V keys = new_container(kt);
  for_each_iterated(list, lt, [&](V item, TypeId it) {
    V k = call_compiled(ref, {convert(item, it, ref.params[0])}, ref.result);
    container_add(keys, kt, k, ref.result);
    decref(k, ref.result);
  });
  b_.CreateCall(runtime(RuntimeFn::ListSortBy), {list, keys, rev});
  meminfo_decref(keys);
}

llvm::Value *FunctionLowerer::lower_array_from(V v, TypeId from, TypeId rt) {
  ScalarKind dt = types_.dtype(rt);
  if (types_.is_array(from)) {
    if (from == rt) {  // np.asarray of an array of the same dtype: the array itself
      incref(v, from);
      return v;
    }
    return copy_to_contiguous(v, from, rt);
  }
  TypeId item = types_.get(from).elems[0];
  V n = list_size(v);
  if (types_.ndim(rt) == 1) {
    V out = allocate_array(rt, {n});
    emit_loop(n, [&](V i) {
      V x = convert(load_value(list_item_ptr(v, i, item), item), item, types_.scalar(dt));
      store_element(element_pointer(out, rt, {i}), x, dt);
    });
    return out;
  }
  // A list of rows: every row as long as the first, as NumPy requires of a 2-d result.
  TypeId leaf = types_.get(item).elems[0];
  llvm::BasicBlock *from_bb = b_.GetInsertBlock();
  auto *first = llvm::BasicBlock::Create(ctx_, "rows.first", fn_);
  auto *go = llvm::BasicBlock::Create(ctx_, "rows.go", fn_);
  b_.CreateCondBr(b_.CreateICmpSGT(n, llvm::ConstantInt::get(i64_, 0)), first, go);
  b_.SetInsertPoint(first);
  V m0 = list_size(load_value(list_item_ptr(v, llvm::ConstantInt::get(i64_, 0), item), item));
  llvm::BasicBlock *first_end = b_.GetInsertBlock();
  b_.CreateBr(go);
  b_.SetInsertPoint(go);
  llvm::PHINode *m = b_.CreatePHI(i64_, 2);
  m->addIncoming(llvm::ConstantInt::get(i64_, 0), from_bb);
  m->addIncoming(m0, first_end);
  emit_loop(n, [&](V i) {
    V row = load_value(list_item_ptr(v, i, item), item);
    raise_if(b_.CreateICmpNE(list_size(row), m), EMBER_EXC_ValueError,
             "setting an array element with a sequence: the rows have different lengths");
  });
  V out = allocate_array(rt, {n, m});
  emit_loop(n, [&](V i) {
    V row = load_value(list_item_ptr(v, i, item), item);
    emit_loop(m, [&](V j) {
      V x = convert(load_value(list_item_ptr(row, j, leaf), leaf), leaf, types_.scalar(dt));
      store_element(element_pointer(out, rt, {i, j}), x, dt);
    });
  });
  return out;
}

llvm::Value *FunctionLowerer::lower_list_call(const InstData &d, BuiltinId id) {
  TypeId rt = type(d.result);
  size_t nargs = d.operands.size() - 1;
  auto arg = [&](size_t k) { return d.operands[k + 1]; };
  auto given = [&](size_t k) { return nargs > k && types_.kind(type(arg(k))) != TypeKind::None; };
  llvm::Constant *none = llvm::ConstantInt::get(i8_, 0);
  auto item_of = [&](Value list) { return types_.get(type(list)).elems[0]; };
  switch (id) {
    case BuiltinId::List:
    case BuiltinId::TypedList:
    case BuiltinId::Sorted: {
      if (!given(0)) return new_container(rt);
      TypeId from = type(arg(0));
      V out;
      if (types_.kind(from) == TypeKind::List) {
        V src = get(arg(0));
        out = b_.CreateCall(runtime(RuntimeFn::ListSlice),
                            {src, llvm::ConstantInt::get(i64_, 0), llvm::ConstantInt::get(i64_, 1),
                             list_size(src)});
      } else {
        out = new_container(rt);
        for_each_iterated(get(arg(0)), from,
                          [&](V v, TypeId vt) { container_add(out, rt, v, vt); });
      }
      if (id == BuiltinId::Sorted) sort_list(d, out, rt, given(1), given(2) ? arg(2) : Value{});
      return out;
    }
    case BuiltinId::TypedDict:
    case BuiltinId::TypedListEmpty:
    case BuiltinId::TypedDictEmpty: return new_container(rt);
    case BuiltinId::Reversed: return container_iterator_from(get(arg(0)), type(arg(0)), rt);
    case BuiltinId::ListAppend:
      list_append(get(arg(0)), get(arg(1)), type(arg(1)), item_of(arg(0)));
      return none;
    case BuiltinId::HeapPush: {
      TypeId it = item_of(arg(0));
      b_.CreateCall(runtime(RuntimeFn::HeapPush),
                    {get(arg(0)), spill(get(arg(1)), type(arg(1)), it)});
      return none;
    }
    case BuiltinId::HeapPop: {
      TypeId it = item_of(arg(0));
      V l = get(arg(0));
      raise_if(b_.CreateICmpEQ(list_size(l), llvm::ConstantInt::get(i64_, 0)), EMBER_EXC_IndexError,
               "index out of range");
      V slot = entry_alloca(mt(it), "popped");
      b_.CreateCall(runtime(RuntimeFn::HeapPop), {l, slot});
      return load_value(slot, it);
    }
    case BuiltinId::Heapify: b_.CreateCall(runtime(RuntimeFn::Heapify), {get(arg(0))}); return none;
    case BuiltinId::ListExtend: {
      V l = get(arg(0));
      TypeId from = type(arg(1));
      if (types_.kind(from) == TypeKind::List) {
        b_.CreateCall(runtime(RuntimeFn::ListExtend), {l, get(arg(1))});
      } else {
        TypeId lt = type(arg(0));
        for_each_iterated(get(arg(1)), from, [&](V v, TypeId vt) { container_add(l, lt, v, vt); });
      }
      return none;
    }
    case BuiltinId::ListInsert: {
      TypeId it = item_of(arg(0));
      V i = convert(get(arg(1)), type(arg(1)), types_.int64());
      b_.CreateCall(runtime(RuntimeFn::ListInsert),
                    {get(arg(0)), i, spill(get(arg(2)), type(arg(2)), it)});
      return none;
    }
    case BuiltinId::ListPop: {
      TypeId it = item_of(arg(0));
      V l = get(arg(0));
      V n = list_size(l);
      raise_if(b_.CreateICmpEQ(n, llvm::ConstantInt::get(i64_, 0)), EMBER_EXC_IndexError,
               "pop from empty list");
      V i = given(1) ? list_index(l, get(arg(1)), type(arg(1)), "pop index out of range")
                     : b_.CreateSub(n, llvm::ConstantInt::get(i64_, 1));
      V slot = entry_alloca(mt(it), "popped");
      b_.CreateCall(runtime(RuntimeFn::ListPop), {l, i, slot});
      return load_value(slot, it);
    }
    case BuiltinId::ListRemove:
    case BuiltinId::ListIndex: {
      TypeId it = item_of(arg(0));
      V l = get(arg(0));
      V start = given(2) ? convert(get(arg(2)), type(arg(2)), types_.int64())
                         : llvm::ConstantInt::get(i64_, 0);
      V stop = given(3) ? convert(get(arg(3)), type(arg(3)), types_.int64())
                        : llvm::ConstantInt::get(i64_, INT64_MAX);
      V at = b_.CreateCall(runtime(RuntimeFn::ListIndex),
                           {l, spill(get(arg(1)), type(arg(1)), it), start, stop});
      V missing = b_.CreateICmpSLT(at, llvm::ConstantInt::get(i64_, 0));
      if (id == BuiltinId::ListIndex) {
        raise_if(missing, EMBER_EXC_ValueError, "the value is not in the list");
        return at;
      }
      raise_if(missing, EMBER_EXC_ValueError, "list.remove(x): x not in list");
      V slot = entry_alloca(mt(it), "removed");
      b_.CreateCall(runtime(RuntimeFn::ListPop), {l, at, slot});
      decref(load_value(slot, it), it);
      return none;
    }
    case BuiltinId::ListCount: {
      TypeId it = item_of(arg(0));
      return b_.CreateCall(runtime(RuntimeFn::ListCount),
                           {get(arg(0)), spill(get(arg(1)), type(arg(1)), it)});
    }
    case BuiltinId::ListClear:
      b_.CreateCall(runtime(RuntimeFn::ListClear), {get(arg(0))});
      return none;
    case BuiltinId::ListReverse:
      b_.CreateCall(runtime(RuntimeFn::ListReverse), {get(arg(0))});
      return none;
    case BuiltinId::ListSort:
      sort_list(d, get(arg(0)), type(arg(0)), given(1), given(2) ? arg(2) : Value{});
      return none;
    case BuiltinId::ListCopy: {
      V l = get(arg(0));
      return b_.CreateCall(
          runtime(RuntimeFn::ListSlice),
          {l, llvm::ConstantInt::get(i64_, 0), llvm::ConstantInt::get(i64_, 1), list_size(l)});
    }
    case BuiltinId::NpArray:
    case BuiltinId::NpAsarray: return lower_array_from(get(arg(0)), type(arg(0)), rt);
    default: internal_error << "not a list builtin: " << builtin_display_name(id);
  }
  return nullptr;
}

}  // namespace ember
