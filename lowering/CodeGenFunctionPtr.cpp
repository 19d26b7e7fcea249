// An indirect native call of a first-class function (TypeKind::FunctionPtr): its value is the
// address of a compiled specialization's native function, which takes the return slot and the
// error record first and its arguments as compiled code passes them (CodeGen.cpp's declare),
// so the call is call_compiled's, through a pointer.
#include "lowering/FunctionLowerer.h"

namespace ember {

llvm::Value *FunctionLowerer::lower_function_ptr_call(const InstData &d) {
  const std::vector<TypeId> sig = types_.get(type(d.operands[0])).elems;
  std::vector<llvm::Type *> params = {ptr_, ptr_};
  std::vector<V> args;
  TypeId rt = sig[0];
  llvm::Type *rmt = mt(rt);
  V slot = entry_alloca(rmt ? rmt : i8_, "ret");
  args = {slot, err_ptr_};
  for (size_t k = 1; k < sig.size(); ++k) {
    TypeId p = sig[k];
    llvm::Type *pv = vt(p);
    params.push_back(pv ? pv : i8_);
    Value a = d.operands[k];
    TypeId at = type(a);
    if (!pv) {
      args.push_back(llvm::ConstantInt::get(i8_, 0));
    } else if (types_.kind(at) == TypeKind::Str) {
      args.push_back(string_value(a));
    } else {
      args.push_back(at == p ? get(a) : convert(get(a), at, p));
    }
  }
  auto *ft = llvm::FunctionType::get(i32_, params, false);
  V status = b_.CreateCall(ft, get(d.operands[0]), args);
  auto *fail = llvm::BasicBlock::Create(ctx_, "icall.fail", fn_);
  auto *ok = llvm::BasicBlock::Create(ctx_, "icall.ok", fn_);
  llvm::MDBuilder md(ctx_);
  b_.CreateCondBr(b_.CreateICmpNE(status, llvm::ConstantInt::get(i32_, 0)), fail, ok,
                  md.createBranchWeights(1, 1 << 20));
  b_.SetInsertPoint(fail);
  leave_raised(status);
  b_.SetInsertPoint(ok);
  return rmt ? from_memory(b_.CreateLoad(rmt, slot), rt) : nullptr;
}

llvm::Value *FunctionLowerer::function_value(TypeId dispatcher, TypeId fp) {
  uint64_t handle = types_.get(dispatcher).handle;
  const std::vector<TypeId> sig = types_.get(fp).elems;
  std::vector<TypeId> params(sig.begin() + 1, sig.end());
  // typeinfer's function values: callees that no instruction calls, compiled for exactly the
  // signature's argument types (InferTypes.cpp, record_function_values).
  for (const CalleeRef &c : f_.callees) {
    if (c.self || c.dispatcher != handle || c.params != params || c.result != sig[0]) continue;
    auto it = ms_.functions.find(c.symbol);
    internal_assert(it != ms_.functions.end()) << "callee " << c.symbol << " not declared";
    return it->second;
  }
  internal_error << "no specialization of a jitted function for " << types_.to_string(fp);
  return nullptr;
}

}  // namespace ember
