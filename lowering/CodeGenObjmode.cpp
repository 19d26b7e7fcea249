// `with objmode(name="type", ...)` blocks: the front end made the block a Python function and
// the `with` a call of BuiltinId::ObjmodeCall (ember/_objmode.py).  Compiled code hands the
// runtime the inputs' tuple (with a reference to everything in it, which boxing takes over) and
// a slot for the outputs, each with its type code; the bindings take the GIL, box, call,
// and unbox the outputs as their annotations say (bindings/ObjMode.cpp).  A Python exception,
// including a value that does not match its annotation, is raised at the block's line.
#include "ember/abi.h"
#include "lowering/FunctionLowerer.h"

namespace ember {

llvm::Value *FunctionLowerer::type_code_constant(TypeId t) {
  std::vector<int64_t> code;
  internal_assert(types_.to_code(t, &code)) << "no type code for " << types_.to_string(t);
  code.insert(code.begin(), static_cast<int64_t>(code.size()));
  auto *init = llvm::ConstantDataArray::get(
      ctx_, llvm::ArrayRef<uint64_t>(reinterpret_cast<const uint64_t *>(code.data()), code.size()));
  return new llvm::GlobalVariable(ms_.module, init->getType(), true,
                                  llvm::GlobalValue::PrivateLinkage, init, "ember.type.code");
}

llvm::Value *FunctionLowerer::lower_objmode_call(const InstData &d) {
  int64_t block = 0;
  internal_assert(f_.const_int(d.operands[1], &block)) << "objmode block id";
  Value inputs = d.operands[3];
  TypeId in_t = type(inputs), out_t = type(d.result);
  V in_slot = entry_alloca(mt(in_t), "objmode.in");
  V out_slot = entry_alloca(mt(out_t), "objmode.out");
  incref(get(inputs), in_t);  // boxing takes these references over
  b_.CreateStore(get(inputs), in_slot);
  V status =
      b_.CreateCall(runtime(RuntimeFn::ObjmodeCall),
                    {llvm::ConstantInt::get(i64_, static_cast<uint64_t>(block)),
                     type_code_constant(in_t), in_slot, type_code_constant(out_t), out_slot});
  auto *fail = llvm::BasicBlock::Create(ctx_, "objmode.raised", fn_);
  auto *ok = llvm::BasicBlock::Create(ctx_, "objmode.ok", fn_);
  llvm::MDBuilder md(ctx_);
  b_.CreateCondBr(b_.CreateICmpNE(status, llvm::ConstantInt::get(i32_, 0)), fail, ok,
                  md.createBranchWeights(1, 1 << 20));
  b_.SetInsertPoint(fail);
  store_error(EMBER_EXC_PYTHON_PENDING, d.loc.line, "");
  leave_raised(llvm::ConstantInt::get(i32_, EMBER_RAISED));
  b_.SetInsertPoint(ok);
  return b_.CreateLoad(mt(out_t), out_slot);  // owned: unboxing made the references
}

llvm::Value *FunctionLowerer::lower_print(const InstData &d) {
  // The block ember/_objmode.py registers first: print(*values), returning no outputs.
  constexpr int64_t kPrintBlock = 0;
  std::vector<TypeId> ts;
  std::vector<V> vs;
  for (size_t k = 1; k < d.operands.size(); ++k) {
    Value a = d.operands[k];
    TypeId t = type(a);
    if (types_.kind(t) == TypeKind::Str) {
      ts.push_back(types_.unicode());
      vs.push_back(string_value(a));
    } else {
      ts.push_back(t);
      vs.push_back(get(a));
    }
  }
  TypeId in_t = types_.tuple(ts), out_t = types_.tuple({});
  V tuple = llvm::UndefValue::get(mt(in_t));
  for (unsigned k = 0; k < ts.size(); ++k) {
    llvm::Type *m = mt(ts[k]);
    V v = vs[k] ? to_memory(vs[k], ts[k]) : llvm::Constant::getNullValue(m);
    tuple = b_.CreateInsertValue(tuple, v, {k});
  }
  V in_slot = entry_alloca(mt(in_t), "print.in");
  V out_slot = entry_alloca(mt(out_t), "print.out");
  incref(tuple, in_t);  // boxing takes these references over
  b_.CreateStore(tuple, in_slot);
  V status = b_.CreateCall(runtime(RuntimeFn::ObjmodeCall),
                           {llvm::ConstantInt::get(i64_, kPrintBlock), type_code_constant(in_t),
                            in_slot, type_code_constant(out_t), out_slot});
  auto *fail = llvm::BasicBlock::Create(ctx_, "print.raised", fn_);
  auto *ok = llvm::BasicBlock::Create(ctx_, "print.ok", fn_);
  b_.CreateCondBr(b_.CreateICmpNE(status, llvm::ConstantInt::get(i32_, 0)), fail, ok);
  b_.SetInsertPoint(fail);
  store_error(EMBER_EXC_PYTHON_PENDING, d.loc.line, "");
  leave_raised(llvm::ConstantInt::get(i32_, EMBER_RAISED));
  b_.SetInsertPoint(ok);
  return nullptr;
}

}  // namespace ember
