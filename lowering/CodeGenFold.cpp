// sum(), any() and all() of any iterable, and min() / max() of one iterable that is not an
// array or a tuple (those have their own lowering in CodeGenBuiltin.cpp): one loop over the
// iterable's iterator, as CPython's builtins run.  any/all stop at the first item that decides
// them; min/max keep the first of equal items and raise ValueError on an empty iterable; a string
// kept by min/max holds its own reference, since an item borrowed from a string's iterator dies
// at the next step.
#include "ir/rules/IndexAnalysis.h"
#include "lowering/FunctionLowerer.h"

namespace ember {

TypeId FunctionLowerer::iterator_type_of(TypeId t) {
  const TypeData &d = types_.get(t);
  switch (d.kind) {
    case TypeKind::Range: return types_.range_iter();
    case TypeKind::Array: return types_.array_iter(t);
    case TypeKind::Tuple: return types_.tuple_iter(t);
    case TypeKind::List: return types_.list_iter(t);
    case TypeKind::Dict:
    case TypeKind::Set: return types_.dict_iter(t, DictViewKind::Keys);
    case TypeKind::DictView: return types_.dict_iter(d.elems[0], static_cast<DictViewKind>(d.a));
    case TypeKind::Unicode: return types_.unicode_iter();
    default: return t;  // an iterator
  }
}

llvm::Value *FunctionLowerer::lower_fold_call(const InstData &d, BuiltinId id) {
  TypeId rt = type(d.result);
  size_t nargs = d.operands.size() - 1;
  Value src = d.operands[1];
  TypeId t = type(src);
  V iterable;
  if (types_.kind(t) == TypeKind::Str) {  // a literal: its immortal constant
    iterable = string_value(src);
    t = types_.unicode();
  } else {
    iterable = get(src);
  }
  TypeId it = iterator_type_of(t);
  TypeId vt = iterator_value_type(types_, it);
  bool is_any = id == BuiltinId::Any, is_all = id == BuiltinId::All;
  bool is_max = id == BuiltinId::Max;
  bool is_min_max = id == BuiltinId::Min || is_max;
  bool is_str = types_.kind(rt) == TypeKind::Unicode;

  V acc = entry_alloca(mt(rt), "fold");
  V seen = entry_alloca(i8_, "fold.seen");  // min/max: an item was kept
  if (id == BuiltinId::Sum) {
    bool start = nargs > 1 && types_.kind(type(d.operands[2])) != TypeKind::None;
    V first = start ? convert(get(d.operands[2]), type(d.operands[2]), rt)
                    : convert(llvm::ConstantInt::get(i64_, 0), types_.int64(), rt);
    b_.CreateStore(to_memory(first, rt), acc);
  } else if (is_any || is_all) {
    b_.CreateStore(to_memory(llvm::ConstantInt::get(i1_, is_all ? 1 : 0), rt), acc);
  } else {
    b_.CreateStore(llvm::Constant::getNullValue(mt(rt)), acc);
  }
  b_.CreateStore(llvm::ConstantInt::get(i8_, 0), seen);

  V state = iterator_from(iterable, t, it);
  auto *head = llvm::BasicBlock::Create(ctx_, "fold.head", fn_);
  auto *body = llvm::BasicBlock::Create(ctx_, "fold.body", fn_);
  auto *exit = llvm::BasicBlock::Create(ctx_, "fold.exit", fn_);
  b_.CreateBr(head);
  b_.SetInsertPoint(head);
  b_.CreateCondBr(lower_iternext(state, it), body, exit);
  b_.SetInsertPoint(body);
  V v = lower_itervalue(state, it);
  if (id == BuiltinId::Sum) {
    V total = lower_binop(BinOpKind::Add, load_value(acc, rt), convert(v, vt, rt), rt,
                          f_.flags.python_errors);
    b_.CreateStore(to_memory(total, rt), acc);
    b_.CreateBr(head);
  } else if (is_any || is_all) {
    // any: stop at the first true item; all: at the first false one.
    V truthy = truth(v, vt);
    auto *decided = llvm::BasicBlock::Create(ctx_, "fold.decided", fn_);
    b_.CreateCondBr(is_any ? truthy : b_.CreateNot(truthy), decided, head);
    b_.SetInsertPoint(decided);
    b_.CreateStore(to_memory(llvm::ConstantInt::get(i1_, is_any ? 1 : 0), rt), acc);
    b_.CreateBr(exit);
  } else if (!is_str) {
    V x = convert(v, vt, rt);
    V first = b_.CreateICmpEQ(b_.CreateLoad(i8_, seen), llvm::ConstantInt::get(i8_, 0));
    V kept = b_.CreateSelect(
        first, x, scalar_min_max(is_max, load_value(acc, rt), x, types_.scalar_kind(rt)));
    b_.CreateStore(to_memory(kept, rt), acc);
    b_.CreateStore(llvm::ConstantInt::get(i8_, 1), seen);
    b_.CreateBr(head);
  } else {
    // Strings: keep v when it is the first item or strictly beyond the kept one.
    V first = b_.CreateICmpEQ(b_.CreateLoad(i8_, seen), llvm::ConstantInt::get(i8_, 0));
    auto *compare = llvm::BasicBlock::Create(ctx_, "fold.compare", fn_);
    auto *keep = llvm::BasicBlock::Create(ctx_, "fold.keep", fn_);
    auto *replace = llvm::BasicBlock::Create(ctx_, "fold.replace", fn_);
    b_.CreateCondBr(first, keep, compare);
    b_.SetInsertPoint(compare);
    V old = load_value(acc, rt);
    V order = b_.CreateCall(runtime(RuntimeFn::StrCompare), {v, old});
    V zero = llvm::ConstantInt::get(i32_, 0);
    b_.CreateCondBr(is_max ? b_.CreateICmpSGT(order, zero) : b_.CreateICmpSLT(order, zero), replace,
                    head);
    b_.SetInsertPoint(replace);
    decref(old, rt);
    b_.CreateBr(keep);
    b_.SetInsertPoint(keep);
    incref(v, rt);
    b_.CreateStore(to_memory(v, rt), acc);
    b_.CreateStore(llvm::ConstantInt::get(i8_, 1), seen);
    b_.CreateBr(head);
  }
  b_.SetInsertPoint(exit);
  decref(state, it);  // the iterator's hold on the iterable
  if (is_min_max)
    raise_if(b_.CreateICmpEQ(b_.CreateLoad(i8_, seen), llvm::ConstantInt::get(i8_, 0)),
             EMBER_EXC_ValueError,
             is_max ? "max() arg is an empty sequence" : "min() arg is an empty sequence");
  return load_value(acc, rt);
}

}  // namespace ember
