// The C entry of a @cfunc (ember/ccallback.py): `R name(A1, A2, ...)` with the C calling
// convention, for C libraries (SciPy's LowLevelCallable, qsort, ...) to call.  It calls the
// compiled function with a zeroed error record; when that raises, it hands the record and the
// function's name to ember_cfunc_report (runtime/CFunc.cpp: the bindings write the exception as
// unraisable, as Numba's cfuncs do) and returns zero.  It is emitted beside the status wrapper
// (LoopSpec::Kind::CFunc), like NumPy's ufunc loops, so the same module serves both.
//
// Types cross as C's: integers as themselves (sign- or zero-extended when narrower than int, as
// the x86-64 and AArch64 C ABIs expect), bool as a zero-extended i1, float32/float64 as
// float/double, C pointers as pointers, None as void.  The Python side (ember/ccallback.py) refuses
// other types before compiling.
#include "lowering/FunctionLowerer.h"

namespace ember {

namespace {

/// The C type of a value of type t, with the extension attribute C's ABI gives it.
llvm::Type *c_type(ModuleState &ms, TypeId t, llvm::Attribute::AttrKind *ext) {
  TypeContext &types = ms.dm.types();
  llvm::LLVMContext &ctx = ms.module.getContext();
  *ext = llvm::Attribute::None;
  if (types.kind(t) == TypeKind::None) return llvm::Type::getVoidTy(ctx);
  if (types.kind(t) == TypeKind::Pointer) return ms.dm.pointer_type();
  internal_assert(types.is_scalar(t)) << "a cfunc of a " << types.to_string(t);
  ScalarKind k = types.scalar_kind(t);
  if (k == ScalarKind::Bool) {
    *ext = llvm::Attribute::ZExt;
    return llvm::Type::getInt1Ty(ctx);
  }
  llvm::Type *st = ms.dm.scalar_type(k);
  if (st->isIntegerTy() && st->getIntegerBitWidth() < 32)
    *ext = is_signed(k) ? llvm::Attribute::SExt : llvm::Attribute::ZExt;
  return st;
}

}  // namespace

void emit_cfunc_entry(ModuleState &ms, const Function &f, llvm::Function *fn,
                      const std::string &name) {
  llvm::LLVMContext &ctx = ms.module.getContext();
  TypeContext &types = ms.dm.types();
  llvm::Attribute::AttrKind ret_ext;
  llvm::Type *ret_type = c_type(ms, f.return_type, &ret_ext);
  std::vector<llvm::Type *> params;
  std::vector<llvm::Attribute::AttrKind> exts;
  for (TypeId t : f.arg_types) {
    llvm::Attribute::AttrKind ext;
    params.push_back(c_type(ms, t, &ext));
    exts.push_back(ext);
  }
  auto *ft = llvm::FunctionType::get(ret_type, params, false);
  auto *c = llvm::Function::Create(ft, llvm::GlobalValue::ExternalLinkage, name, ms.module);
  c->addFnAttr(llvm::Attribute::NoUnwind);
  if (ret_ext != llvm::Attribute::None) c->addRetAttr(ret_ext);
  for (unsigned i = 0; i < exts.size(); ++i)
    if (exts[i] != llvm::Attribute::None) c->addParamAttr(i, exts[i]);

  llvm::IRBuilder<> b(llvm::BasicBlock::Create(ctx, "entry", c));
  llvm::Type *rmt = ms.dm.memory_type(f.return_type);
  llvm::Type *slot_type = rmt ? rmt : llvm::Type::getInt8Ty(ctx);
  llvm::Value *slot = ms.alloca_generic(b, slot_type, "ret");
  llvm::StructType *et = ms.dm.error_type();
  llvm::Value *err = ms.alloca_generic(b, et, "err");
  b.CreateStore(llvm::Constant::getNullValue(et), err);
  std::vector<llvm::Value *> args = {slot, err};
  for (unsigned i = 0; i < c->arg_size(); ++i) args.push_back(c->getArg(i));
  llvm::CallInst *status = b.CreateCall(fn, args);
  status->setIsNoInline();  // as the wrapper: the function's loops are generated once

  auto *raised = llvm::BasicBlock::Create(ctx, "raised", c);
  auto *ok = llvm::BasicBlock::Create(ctx, "ok", c);
  b.CreateCondBr(b.CreateICmpNE(status, llvm::ConstantInt::get(status->getType(), 0)), raised, ok);
  b.SetInsertPoint(raised);
  b.CreateCall(ms.runtime(RuntimeFn::CFuncReport), {err, b.CreateGlobalString(f.name)});
  if (ret_type->isVoidTy())
    b.CreateRetVoid();
  else
    b.CreateRet(llvm::Constant::getNullValue(ret_type));

  b.SetInsertPoint(ok);
  if (ret_type->isVoidTy()) {
    b.CreateRetVoid();
    return;
  }
  llvm::Value *v = b.CreateLoad(slot_type, slot);
  if (types.is_scalar(f.return_type) && types.scalar_kind(f.return_type) == ScalarKind::Bool)
    v = b.CreateICmpNE(v, llvm::ConstantInt::get(slot_type, 0));
  b.CreateRet(v);
}

}  // namespace ember
