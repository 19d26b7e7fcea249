// The module's entry point, as the target's EntryAbi asks (Target.h): on the CPU, the uniform
// wrapper of ember/abi.h, `i32 wrapper(ptr ret, ptr err, ptr args)`, which the dispatcher calls
// with pointers to the unboxed arguments; for a kernel run on the CPU, its launcher
// (CpuKernelEntry.cpp); on a GPU, a kernel with flattened array parameters (GpuKernelEntry.cpp),
// or none for a device function, which other GPU code calls directly.
#include "lowering/FunctionLowerer.h"

namespace ember {

namespace {

void emit_status_wrapper(ModuleState &ms, const Function &f, llvm::Function *fn,
                         const std::string &name) {
  llvm::LLVMContext &ctx = ms.module.getContext();
  llvm::Type *ptr = ms.dm.pointer_type();
  auto *ft = llvm::FunctionType::get(llvm::Type::getInt32Ty(ctx), {ptr, ptr, ptr}, false);
  auto *w = llvm::Function::Create(ft, llvm::GlobalValue::ExternalLinkage, name, ms.module);
  w->addFnAttr(llvm::Attribute::NoUnwind);
  llvm::IRBuilder<> b(llvm::BasicBlock::Create(ctx, "entry", w));
  std::vector<llvm::Value *> args = {w->getArg(0), w->getArg(1)};
  for (size_t i = 0; i < f.arg_types.size(); ++i) {
    TypeId t = f.arg_types[i];
    llvm::Value *slot = b.CreateLoad(ptr, b.CreateConstGEP1_64(ptr, w->getArg(2), i));
    llvm::Type *mt = ms.dm.memory_type(t);
    if (!mt) {
      args.push_back(llvm::ConstantInt::get(llvm::Type::getInt8Ty(ctx), 0));
      continue;
    }
    llvm::Value *v = b.CreateLoad(mt, slot);
    if (ms.dm.types().is_scalar(t) && ms.dm.types().scalar_kind(t) == ScalarKind::Bool)
      v = b.CreateICmpNE(v, llvm::ConstantInt::get(mt, 0));
    args.push_back(v);
  }
  // The function stays a call here: inlining it would optimize and generate its loops twice.
  llvm::CallInst *call = b.CreateCall(fn, args);
  call->setIsNoInline();
  b.CreateRet(call);
}

}  // namespace

void emit_entry(ModuleState &ms, const Function &f, llvm::Function *fn, LoweredModule &out,
                FunctionRole role) {
  EntryAbi abi =
      role == FunctionRole::Kernel ? ms.target.kernel_entry_abi() : ms.target.entry_abi();
  switch (abi) {
    case EntryAbi::StatusWrapper:
      out.wrapper = f.symbol + ".wrapper";
      emit_status_wrapper(ms, f, fn, out.wrapper);
      return;
    case EntryAbi::Kernel: emit_gpu_kernel_entry(ms, f, fn, out); break;
    case EntryAbi::DeviceFunction: out.wrapper = f.symbol; break;
    case EntryAbi::CpuKernel:
      internal_assert(role == FunctionRole::Kernel) << "a CPU kernel entry for a plain function";
      out.wrapper = f.symbol + ".launch";
      emit_cpu_kernel_entry(ms, f, fn, out);
      return;
  }
  // The host looks the record up in every module it loads, whether or not anything raises.
  if (ms.target.error_exit() == ErrorExit::DeviceRecord) ms.device_error_record();
}

}  // namespace ember
