// A kernel's entry on the CPU path (EntryAbi::CpuKernel, ember/kernel.h).  Three functions
// around the compiled kernel `i32 kernel(ptr ret, ptr ctx, args...)`, whose err parameter
// points at the launch context:
//
//   thread   `i32 (ptr ctx, ptr argv)`: one thread, with the context the runtime filled; what a
//            fiber runs (fiber mode).
//   block    `i32 (ptr ctx, ptr argv)`, only for kernels that never synchronize (loop mode):
//            every thread of the block in a loop nest (x innermost).  It copies the context
//            into a stack slot and sets the thread index there, and the kernel is inlined, so
//            once the slot is split into registers the thread index is the loop's induction
//            variable and the loop vectorizes like any other.  On a raise it copies the error
//            and the thread's index back to the caller's context.
//   launch   `i32 (ptr ret, ptr err, ptr argv)`, the StatusWrapper signature the dispatcher
//            calls: argv[0..6] are the launch configuration (grid x, y, z, block x, y, z,
//            dynamic shared bytes), argv[7..] the kernel's arguments.  It describes the launch
//            (ember_launch_desc) and calls ember_kernel_launch.
#include <cstddef>

#include "ember/kernel.h"
#include "lowering/FunctionLowerer.h"

namespace ember {

namespace {

using V = llvm::Value *;

/// The kernel's arguments, loaded from the argument slots argv[first..].
std::vector<V> unpack_args(ModuleState &ms, const Function &f, llvm::IRBuilder<> &b, V argv,
                           size_t first) {
  llvm::LLVMContext &ctx = ms.module.getContext();
  llvm::Type *ptr = ms.dm.pointer_type();
  std::vector<V> args;
  for (size_t i = 0; i < f.arg_types.size(); ++i) {
    TypeId t = f.arg_types[i];
    V slot = b.CreateLoad(ptr, b.CreateConstGEP1_64(ptr, argv, first + i));
    llvm::Type *mt = ms.dm.memory_type(t);
    if (!mt) {
      args.push_back(llvm::ConstantInt::get(llvm::Type::getInt8Ty(ctx), 0));
      continue;
    }
    V v = b.CreateLoad(mt, slot);
    if (ms.dm.types().is_scalar(t) && ms.dm.types().scalar_kind(t) == ScalarKind::Bool)
      v = b.CreateICmpNE(v, llvm::ConstantInt::get(mt, 0));
    args.push_back(v);
  }
  return args;
}

V field(llvm::IRBuilder<> &b, V ctx, size_t offset) {
  return b.CreateConstInBoundsGEP1_64(b.getInt8Ty(), ctx, offset);
}

/// An i64 of the context known to lie in [lo, hi).
V load_bounded(llvm::IRBuilder<> &b, V ctx, size_t offset, int64_t lo, int64_t hi) {
  llvm::LoadInst *v = b.CreateLoad(b.getInt64Ty(), field(b, ctx, offset));
  llvm::MDBuilder md(b.getContext());
  v->setMetadata(llvm::LLVMContext::MD_range,
                 md.createRange(llvm::APInt(64, static_cast<uint64_t>(lo)),
                                llvm::APInt(64, static_cast<uint64_t>(hi))));
  return v;
}

llvm::Function *make_function(ModuleState &ms, const std::string &name, bool external,
                              llvm::FunctionType *ft) {
  auto *fn = llvm::Function::Create(
      ft, external ? llvm::GlobalValue::ExternalLinkage : llvm::GlobalValue::InternalLinkage, name,
      ms.module);
  fn->addFnAttr(llvm::Attribute::NoUnwind);
  return fn;
}

llvm::Function *emit_thread_fn(ModuleState &ms, const Function &f, llvm::Function *kernel) {
  llvm::LLVMContext &ctx = ms.module.getContext();
  llvm::Type *ptr = ms.dm.pointer_type();
  auto *ft = llvm::FunctionType::get(llvm::Type::getInt32Ty(ctx), {ptr, ptr}, false);
  llvm::Function *fn = make_function(ms, f.symbol + ".thread", false, ft);
  llvm::IRBuilder<> b(llvm::BasicBlock::Create(ctx, "entry", fn));
  std::vector<V> args = {ms.alloca_generic(b, b.getInt8Ty(), "ret"), fn->getArg(0)};
  for (V a : unpack_args(ms, f, b, fn->getArg(1), 0)) args.push_back(a);
  b.CreateRet(b.CreateCall(kernel, args));
  return fn;
}

llvm::Function *emit_block_fn(ModuleState &ms, const Function &f, llvm::Function *kernel) {
  llvm::LLVMContext &ctx = ms.module.getContext();
  llvm::Type *ptr = ms.dm.pointer_type();
  llvm::Type *i32 = llvm::Type::getInt32Ty(ctx), *i64 = llvm::Type::getInt64Ty(ctx);
  auto *ft = llvm::FunctionType::get(i32, {ptr, ptr}, false);
  llvm::Function *fn = make_function(ms, f.symbol + ".block", false, ft);
  V in = fn->getArg(0);
  llvm::IRBuilder<> b(llvm::BasicBlock::Create(ctx, "entry", fn));
  std::vector<V> args = {ms.alloca_generic(b, b.getInt8Ty(), "ret"), nullptr};
  llvm::Type *ctx_t = llvm::ArrayType::get(b.getInt8Ty(), sizeof(ember_kernel_ctx));
  V local = ms.alloca_generic(b, ctx_t, "ctx");
  args[1] = local;
  for (V a : unpack_args(ms, f, b, fn->getArg(1), 0)) args.push_back(a);
  // The block's part of the context, read once (with the bounds the runtime guarantees) into
  // the thread's copy.
  const int64_t limit = int64_t{1} << 31;
  V dims[3];
  for (int k = 0; k < 3; ++k) {
    size_t o = 8 * static_cast<size_t>(k);
    V bi = load_bounded(b, in, offsetof(ember_kernel_ctx, block_idx) + o, 0, limit);
    V bd = load_bounded(b, in, offsetof(ember_kernel_ctx, block_dim) + o, 1, limit);
    V gd = load_bounded(b, in, offsetof(ember_kernel_ctx, grid_dim) + o, 1, limit);
    b.CreateStore(bi, field(b, local, offsetof(ember_kernel_ctx, block_idx) + o));
    b.CreateStore(bd, field(b, local, offsetof(ember_kernel_ctx, block_dim) + o));
    b.CreateStore(gd, field(b, local, offsetof(ember_kernel_ctx, grid_dim) + o));
    dims[k] = bd;
  }
  for (size_t o : {offsetof(ember_kernel_ctx, shared), offsetof(ember_kernel_ctx, dynamic_shared),
                   offsetof(ember_kernel_ctx, block)})
    b.CreateStore(b.CreateLoad(ptr, field(b, in, o)), field(b, local, o));
  size_t dyn = offsetof(ember_kernel_ctx, dynamic_shared_bytes);
  b.CreateStore(b.CreateLoad(i64, field(b, in, dyn)), field(b, local, dyn));

  // for z, for y, for x: the kernel, inlined.
  auto *fail = llvm::BasicBlock::Create(ctx, "fail", fn);
  auto *done = llvm::BasicBlock::Create(ctx, "done", fn);
  llvm::PHINode *status_phi = nullptr;
  std::function<void(int)> nest = [&](int axis) {
    llvm::BasicBlock *pre = b.GetInsertBlock();
    auto *head = llvm::BasicBlock::Create(ctx, "thread.loop", fn);
    auto *exit = llvm::BasicBlock::Create(ctx, "thread.exit", fn);
    b.CreateBr(head);
    b.SetInsertPoint(head);
    llvm::PHINode *t = b.CreatePHI(i64, 2, "t");
    t->addIncoming(llvm::ConstantInt::get(i64, 0), pre);
    b.CreateStore(t, field(b, local, offsetof(ember_kernel_ctx, thread_idx) + 8 * axis));
    if (axis == 0) {
      llvm::CallInst *call = b.CreateCall(kernel, args);
      call->addFnAttr(llvm::Attribute::AlwaysInline);
      auto *ok = llvm::BasicBlock::Create(ctx, "thread.ok", fn);
      b.CreateCondBr(b.CreateICmpNE(call, llvm::ConstantInt::get(i32, 0)), fail, ok);
      status_phi->addIncoming(call, b.GetInsertBlock());
      b.SetInsertPoint(ok);
    } else {
      nest(axis - 1);
    }
    V next = b.CreateAdd(t, llvm::ConstantInt::get(i64, 1), "", true, true);
    t->addIncoming(next, b.GetInsertBlock());
    b.CreateCondBr(b.CreateICmpSLT(next, dims[axis]), head, exit);
    b.SetInsertPoint(exit);
  };
  {
    llvm::IRBuilder<> fb(fail);
    status_phi = fb.CreatePHI(i32, 1, "status");
  }
  nest(2);
  b.CreateBr(done);
  b.SetInsertPoint(done);
  b.CreateRet(llvm::ConstantInt::get(i32, 0));

  // A thread raised: its error record and index go back to the runtime's context.
  b.SetInsertPoint(fail);
  size_t err_bytes = sizeof(ember_error);
  b.CreateMemCpy(in, llvm::MaybeAlign(8), local, llvm::MaybeAlign(8), err_bytes);
  for (int k = 0; k < 3; ++k) {
    size_t o = offsetof(ember_kernel_ctx, thread_idx) + 8 * static_cast<size_t>(k);
    b.CreateStore(b.CreateLoad(i64, field(b, local, o)), field(b, in, o));
  }
  b.CreateRet(status_phi);
  return fn;
}

/// A fiber's stack: room for every stack slot of the module (a bound, since each function's
/// slots are counted once and device functions are inlined into the kernel), twice over for
/// spills and calls, above a floor for the runtime's own frames.
uint64_t fiber_stack_bytes(const llvm::Module &m) {
  const llvm::DataLayout &layout = m.getDataLayout();
  uint64_t slots = 0;
  for (const llvm::Function &fn : m)
    for (const llvm::BasicBlock &bb : fn)
      for (const llvm::Instruction &inst : bb)
        if (auto *a = llvm::dyn_cast<llvm::AllocaInst>(&inst))
          if (auto size = a->getAllocationSize(layout)) slots += size->getFixedValue();
  return 64 * 1024 + 2 * slots;
}

}  // namespace

void emit_cpu_kernel_entry(ModuleState &ms, const Function &f, llvm::Function *kernel,
                           LoweredModule &out) {
  llvm::LLVMContext &ctx = ms.module.getContext();
  llvm::Type *ptr = ms.dm.pointer_type();
  llvm::Type *i32 = llvm::Type::getInt32Ty(ctx), *i64 = llvm::Type::getInt64Ty(ctx);
  llvm::Function *thread_fn = emit_thread_fn(ms, f, kernel);
  llvm::Function *block_fn = ms.synchronizes ? nullptr : emit_block_fn(ms, f, kernel);

  auto *ft = llvm::FunctionType::get(i32, {ptr, ptr, ptr}, false);
  llvm::Function *launch = make_function(ms, out.wrapper, true, ft);
  llvm::IRBuilder<> b(llvm::BasicBlock::Create(ctx, "entry", launch));
  V argv = launch->getArg(2);
  llvm::Type *desc_t = llvm::ArrayType::get(b.getInt8Ty(), sizeof(ember_launch_desc));
  V desc = ms.alloca_generic(b, desc_t, "launch");
  auto put = [&](size_t offset, V v) { b.CreateStore(v, field(b, desc, offset)); };
  auto config = [&](size_t k) {
    return b.CreateLoad(i64, b.CreateLoad(ptr, b.CreateConstGEP1_64(ptr, argv, k)));
  };
  for (size_t k = 0; k < 3; ++k) {
    put(offsetof(ember_launch_desc, grid) + 8 * k, config(k));
    put(offsetof(ember_launch_desc, block) + 8 * k, config(3 + k));
  }
  put(offsetof(ember_launch_desc, dynamic_shared_bytes), config(6));
  put(offsetof(ember_launch_desc, static_shared_bytes),
      llvm::ConstantInt::get(i64, ms.static_shared_bytes));
  put(offsetof(ember_launch_desc, stack_bytes),
      llvm::ConstantInt::get(i64, fiber_stack_bytes(ms.module)));
  put(offsetof(ember_launch_desc, block_fn),
      block_fn ? static_cast<V>(block_fn)
               : llvm::ConstantPointerNull::get(llvm::cast<llvm::PointerType>(ptr)));
  put(offsetof(ember_launch_desc, thread_fn), thread_fn);
  put(offsetof(ember_launch_desc, args), b.CreateConstGEP1_64(ptr, argv, 7));
  auto *name = llvm::ConstantDataArray::getString(ctx, f.name, true);
  auto *gv = new llvm::GlobalVariable(ms.module, name->getType(), true,
                                      llvm::GlobalValue::PrivateLinkage, name, "ember.kernel.name");
  put(offsetof(ember_launch_desc, name), gv);
  llvm::Function *run = ms.runtime(RuntimeFn::KernelLaunch);
  b.CreateRet(b.CreateCall(run, {desc, launch->getArg(1)}));
}

}  // namespace ember
