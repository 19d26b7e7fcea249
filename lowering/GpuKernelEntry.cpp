// The entry point of a GPU kernel (EntryAbi::Kernel): `void <symbol>_kernel(params)` with the
// target's kernel calling convention (ptx_kernel on NVPTX, amdgpu_kernel on AMDGPU).  The host
// cannot hand the device a MemInfo or an ndarray, so arrays arrive flattened, in argument order:
//
//   array argument   data pointer (Generic space), shape[0..nd) (i64), strides[0..nd) (i64, bytes)
//   scalar or tuple  itself, in its memory form (bool as i8)
//   compile-time     nothing (None, functions, classes: typing already knows their value)
//
// Inside, each array is rebuilt as ember's array struct with a null meminfo and parent (a
// borrowed array, which is all a target without an allocator ever sees), so the rest of
// lowering is unchanged; then the status-returning function is called and inlined.  A raise has
// already written the device record (DeviceError.cpp), so the kernel ignores the status.
//
// Data pointers stay in the Generic space, as clang and Numba pass them: NVPTX's NVVMLowerArgs
// marks a kernel's generic pointer parameters as global itself, so loads and stores through
// them are ld.global / st.global (tests/cpp/CudaKernel_test.cpp checks), and the IR needs no
// casts from a Global parameter to the data model's Generic pointers.
#include "lowering/FunctionLowerer.h"

namespace ember {

void emit_gpu_kernel_entry(ModuleState &ms, const Function &f, llvm::Function *fn,
                           LoweredModule &out) {
  llvm::LLVMContext &ctx = ms.module.getContext();
  const llvm::DataLayout &layout = ms.module.getDataLayout();
  TypeContext &types = ms.dm.types();
  llvm::Type *ptr = ms.dm.pointer_type();
  llvm::Type *i8 = llvm::Type::getInt8Ty(ctx);
  llvm::Type *i64 = llvm::Type::getInt64Ty(ctx);

  std::vector<llvm::Type *> params;
  auto add = [&](llvm::Type *t, KernelParam::Kind kind, size_t arg, int axis) {
    KernelParam p;
    p.kind = kind;
    p.arg = static_cast<int32_t>(arg);
    p.axis = axis;
    p.size = static_cast<uint32_t>(layout.getTypeAllocSize(t));
    p.align = static_cast<uint32_t>(layout.getABITypeAlign(t).value());
    out.kernel_params.push_back(p);
    params.push_back(t);
  };
  for (size_t i = 0; i < f.arg_types.size(); ++i) {
    TypeId t = f.arg_types[i];
    if (types.is_array(t)) {
      add(ptr, KernelParam::Kind::Data, i, -1);
      for (int k = 0; k < types.ndim(t); ++k) add(i64, KernelParam::Kind::Shape, i, k);
      for (int k = 0; k < types.ndim(t); ++k) add(i64, KernelParam::Kind::Stride, i, k);
    } else if (llvm::Type *mt = ms.dm.memory_type(t)) {
      // Anything holding a pointer would be a host address: the target's compiler accepts only
      // arrays, numbers and tuples of numbers as kernel arguments.
      internal_assert(!types.needs_refcount(t) && !mt->isPointerTy())
          << "kernel argument of type " << types.to_string(t);
      add(mt, KernelParam::Kind::Scalar, i, -1);
    }
  }

  out.wrapper = f.symbol + "_kernel";
  auto *kt = llvm::FunctionType::get(llvm::Type::getVoidTy(ctx), params, false);
  auto *kernel =
      llvm::Function::Create(kt, llvm::GlobalValue::ExternalLinkage, out.wrapper, ms.module);
  kernel->setCallingConv(ms.target.kernel_calling_convention());
  kernel->addFnAttr(llvm::Attribute::NoUnwind);
  ms.target.decorate_kernel(*kernel);
  llvm::IRBuilder<> b(llvm::BasicBlock::Create(ctx, "entry", kernel));

  llvm::Type *ret_type = f.return_type.unknown() ? nullptr : ms.dm.memory_type(f.return_type);
  std::vector<llvm::Value *> args = {ms.alloca_generic(b, ret_type ? ret_type : i8, "ret"),
                                     llvm::ConstantPointerNull::get(ms.dm.pointer_type())};
  unsigned next = 0;
  for (TypeId t : f.arg_types) {
    if (types.is_array(t)) {
      int nd = types.ndim(t);
      llvm::StructType *at = ms.dm.array_type(nd);
      llvm::Value *data = kernel->getArg(next++);
      llvm::Value *nitems = llvm::ConstantInt::get(i64, 1);
      llvm::Value *arr = llvm::UndefValue::get(at);
      arr = b.CreateInsertValue(arr, llvm::ConstantPointerNull::get(ms.dm.pointer_type()),
                                {DataModel::kMeminfo});
      arr = b.CreateInsertValue(arr, llvm::ConstantPointerNull::get(ms.dm.pointer_type()),
                                {DataModel::kParent});
      for (unsigned k = 0; k < static_cast<unsigned>(nd); ++k) {
        llvm::Value *extent = kernel->getArg(next++);
        nitems = b.CreateMul(nitems, extent, "", true, true);
        arr = b.CreateInsertValue(arr, extent, {DataModel::kShape, k});
      }
      for (unsigned k = 0; k < static_cast<unsigned>(nd); ++k)
        arr = b.CreateInsertValue(arr, kernel->getArg(next++), {DataModel::kStrides, k});
      uint64_t itemsize = layout.getTypeAllocSize(ms.dm.memory_type(types.scalar(types.dtype(t))));
      arr = b.CreateInsertValue(arr, nitems, {DataModel::kNitems});
      arr = b.CreateInsertValue(arr, llvm::ConstantInt::get(i64, itemsize), {DataModel::kItemsize});
      arr = b.CreateInsertValue(arr, data, {DataModel::kData});
      args.push_back(arr);
    } else if (ms.dm.memory_type(t)) {
      llvm::Value *v = kernel->getArg(next++);
      if (types.is_scalar(t) && types.scalar_kind(t) == ScalarKind::Bool)
        v = b.CreateICmpNE(v, llvm::ConstantInt::get(i8, 0));
      args.push_back(v);
    } else {
      args.push_back(llvm::ConstantInt::get(i8, 0));
    }
  }
  // Inlined: the kernel is the only caller, and the status it returns is not needed.
  fn->addFnAttr(llvm::Attribute::AlwaysInline);
  b.CreateCall(fn, args);
  b.CreateRetVoid();
}

}  // namespace ember
