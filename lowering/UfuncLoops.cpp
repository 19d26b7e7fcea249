// The inner loops of @vectorize and @guvectorize: NumPy calls them (through the bindings'
// generic loop, which owns everything Python) with its args/dimensions/steps arrays.
//   ufunc:  i32 loop(ptr args, i64 n, ptr steps, ptr err)
//   gufunc: i32 loop(ptr args, ptr dims, ptr steps, ptr err)
// Both call the compiled kernel once per element (or per outer index) and return at the first
// error.  The ufunc loop has a contiguous fast path whose typed accesses let LLVM vectorize the
// inlined kernel, and for outputs beyond most of the cache a streaming path whose non-temporal
// stores skip the read of each output line a normal store makes.
#include "ember/abi.h"
#include "lowering/FunctionLowerer.h"

namespace ember {

namespace {

using V = llvm::Value *;

/// Emits `for (i = 0; i < n; ++i) body(i)`; body returns a status to test, or nullptr.
void counted_loop(llvm::IRBuilder<> &b, llvm::Function *fn, V n, V err_exit_status_slot,
                  const std::function<V(V)> &body, llvm::BasicBlock *fail) {
  llvm::LLVMContext &ctx = fn->getContext();
  llvm::Type *i64 = llvm::Type::getInt64Ty(ctx);
  llvm::BasicBlock *pre = b.GetInsertBlock();
  auto *head = llvm::BasicBlock::Create(ctx, "loop.head", fn);
  auto *bodyb = llvm::BasicBlock::Create(ctx, "loop.body", fn);
  auto *exit = llvm::BasicBlock::Create(ctx, "loop.exit", fn);
  b.CreateBr(head);
  b.SetInsertPoint(head);
  llvm::PHINode *i = b.CreatePHI(i64, 2);
  i->addIncoming(llvm::ConstantInt::get(i64, 0), pre);
  b.CreateCondBr(b.CreateICmpSLT(i, n), bodyb, exit);
  b.SetInsertPoint(bodyb);
  V status = body(i);
  if (status) {
    auto *cont = llvm::BasicBlock::Create(ctx, "loop.cont", fn);
    b.CreateStore(status, err_exit_status_slot);
    b.CreateCondBr(b.CreateICmpNE(status, llvm::ConstantInt::get(status->getType(), 0)), fail,
                   cont);
    b.SetInsertPoint(cont);
  }
  i->addIncoming(b.CreateAdd(i, llvm::ConstantInt::get(i64, 1), "", true, true),
                 b.GetInsertBlock());
  b.CreateBr(head);
  b.SetInsertPoint(exit);
}

constexpr uint64_t kStreamBytes = 16;  // one SSE2 non-temporal store, on every x86-64

uint64_t layout_size(ModuleState &ms, llvm::Type *t) {
  return ms.module.getDataLayout().getTypeAllocSize(t);
}

/// Outputs of 4- or 8-byte numbers can take the streaming path (complex and bool do not).
bool streamable(ModuleState &ms, llvm::Type *rmt) {
  if (!rmt || !(rmt->isFloatingPointTy() || rmt->isIntegerTy())) return false;
  uint64_t size = layout_size(ms, rmt);
  return size == 4 || size == 8;
}

struct StreamSlots {
  llvm::Value *ret, *buffer, *out, *status;
};

/// The contiguous loop for an output larger than most of the cache (ember_stream_worthwhile):
/// scalar elements until the output is 16-byte aligned, then groups of 16 bytes computed into a
/// buffer and written by one non-temporal store (the kernel calls of a group are straight-line
/// code that the SLP vectorizer can widen), then the remaining elements; a fence at the end.
/// A kernel error inside a group first writes the group's elements before it, as the plain loop
/// would have.  Falls through to the plain loop when streaming is not worthwhile.
void emit_streamed_path(ModuleState &ms, llvm::IRBuilder<> &b, llvm::Function *loop,
                        StreamSlots slots, llvm::Type *rmt,
                        const std::function<V(V, bool)> &call_kernel,
                        const std::function<V(V, bool)> &body, llvm::BasicBlock *fail,
                        llvm::BasicBlock *done) {
  llvm::LLVMContext &ctx = loop->getContext();
  llvm::Type *i64 = llvm::Type::getInt64Ty(ctx), *i32 = llvm::Type::getInt32Ty(ctx);
  uint64_t size = layout_size(ms, rmt), vf = kStreamBytes / size;
  auto c64 = [&](uint64_t x) { return llvm::ConstantInt::get(i64, x); };
  V n = loop->getArg(1);
  V addr = b.CreatePtrToInt(slots.out, i64);
  V worth = b.CreateCall(ms.runtime(RuntimeFn::StreamWorthwhile), {b.CreateMul(n, c64(size))});
  V natural = b.CreateICmpEQ(b.CreateAnd(addr, c64(size - 1)), c64(0));
  auto *streamed = llvm::BasicBlock::Create(ctx, "streamed", loop);
  auto *plain = llvm::BasicBlock::Create(ctx, "plain", loop);
  b.CreateCondBr(b.CreateAnd(b.CreateICmpNE(worth, llvm::ConstantInt::get(i32, 0)), natural),
                 streamed, plain);
  b.SetInsertPoint(streamed);
  llvm::Function *fence = ms.runtime(RuntimeFn::StreamFence);
  V head = b.CreateUDiv(
      b.CreateAnd(b.CreateSub(c64(kStreamBytes), b.CreateAnd(addr, c64(kStreamBytes - 1))),
                  c64(kStreamBytes - 1)),
      c64(size));
  head = b.CreateSelect(b.CreateICmpSLT(head, n), head, n);
  counted_loop(
      b, loop, head, slots.status, [&](V i) { return body(i, true); }, fail);
  V groups = b.CreateUDiv(b.CreateSub(n, head), c64(vf));
  auto *buffer_t = llvm::ArrayType::get(rmt, vf);
  counted_loop(
      b, loop, groups, slots.status,
      [&](V g) -> V {
        V first = b.CreateAdd(head, b.CreateMul(g, c64(vf)));
        for (uint64_t j = 0; j < vf; ++j) {
          V status = call_kernel(b.CreateAdd(first, c64(j)), true);
          b.CreateStore(status, slots.status);
          auto *ok = llvm::BasicBlock::Create(ctx, "group.ok", loop);
          auto *bad = llvm::BasicBlock::Create(ctx, "group.fail", loop);
          b.CreateCondBr(b.CreateICmpNE(status, llvm::ConstantInt::get(i32, 0)), bad, ok);
          b.SetInsertPoint(bad);
          for (uint64_t k = 0; k < j; ++k)
            b.CreateStore(
                b.CreateLoad(rmt, b.CreateConstInBoundsGEP2_64(buffer_t, slots.buffer, 0, k)),
                b.CreateInBoundsGEP(rmt, slots.out, b.CreateAdd(first, c64(k))));
          b.CreateCall(fence);
          b.CreateBr(fail);
          b.SetInsertPoint(ok);
          b.CreateStore(b.CreateLoad(rmt, slots.ret),
                        b.CreateConstInBoundsGEP2_64(buffer_t, slots.buffer, 0, j));
        }
        auto *vec_t = llvm::FixedVectorType::get(rmt, static_cast<unsigned>(vf));
        V v = b.CreateAlignedLoad(vec_t, slots.buffer, llvm::Align(size));
        llvm::StoreInst *st = b.CreateAlignedStore(v, b.CreateInBoundsGEP(rmt, slots.out, first),
                                                   llvm::Align(kStreamBytes));
        st->setMetadata(
            llvm::LLVMContext::MD_nontemporal,
            llvm::MDNode::get(ctx, llvm::ConstantAsMetadata::get(llvm::ConstantInt::get(i32, 1))));
        return nullptr;
      },
      fail);
  V streamed_n = b.CreateAdd(head, b.CreateMul(groups, c64(vf)));
  counted_loop(
      b, loop, b.CreateSub(n, streamed_n), slots.status,
      [&](V t) { return body(b.CreateAdd(streamed_n, t), true); }, fail);
  b.CreateCall(fence);
  b.CreateBr(done);
  b.SetInsertPoint(plain);
}

}  // namespace

void emit_ufunc_loop(ModuleState &ms, const Function &f, llvm::Function *kernel,
                     const std::string &name) {
  llvm::LLVMContext &ctx = ms.module.getContext();
  DataModel &dm = ms.dm;
  TypeContext &types = dm.types();
  llvm::Type *ptr = dm.pointer_type(), *i64 = llvm::Type::getInt64Ty(ctx),
             *i32 = llvm::Type::getInt32Ty(ctx), *i8 = llvm::Type::getInt8Ty(ctx);
  auto *ft = llvm::FunctionType::get(i32, {ptr, i64, ptr, ptr}, false);
  auto *loop = llvm::Function::Create(ft, llvm::GlobalValue::ExternalLinkage, name, ms.module);
  loop->addFnAttr(llvm::Attribute::NoUnwind);
  llvm::IRBuilder<> b(llvm::BasicBlock::Create(ctx, "entry", loop));
  size_t nin = f.arg_types.size();
  TypeId rt = f.return_type;
  llvm::Type *rmt = dm.memory_type(rt);
  V ret = ms.alloca_generic(b, rmt ? rmt : i8);
  V status_slot = ms.alloca_generic(b, i32);
  // Streaming stores are an optimization: a target without them writes the plain loop.
  V stream_buffer =
      streamable(ms, rmt) && ms.target.has(RuntimeService::StreamingStores)
          ? ms.alloca_generic(b, llvm::ArrayType::get(rmt, kStreamBytes / layout_size(ms, rmt)))
          : nullptr;
  std::vector<V> ptrs, steps;
  std::vector<llvm::Type *> elem;
  for (size_t k = 0; k <= nin; ++k) {
    TypeId t = k < nin ? f.arg_types[k] : rt;
    ptrs.push_back(b.CreateLoad(ptr, b.CreateConstGEP1_64(ptr, loop->getArg(0), k)));
    steps.push_back(b.CreateLoad(i64, b.CreateConstGEP1_64(i64, loop->getArg(2), k)));
    elem.push_back(dm.memory_type(t));
  }
  auto *fail = llvm::BasicBlock::Create(ctx, "fail", loop);
  auto address = [&](size_t k, V i, bool contiguous) {
    return contiguous ? b.CreateInBoundsGEP(elem[k], ptrs[k], i)
                      : b.CreateGEP(i8, ptrs[k], b.CreateMul(i, steps[k]));
  };
  // Runs the kernel on element i; its result is left in `ret`, its status returned.
  auto call_kernel = [&](V i, bool contiguous) -> V {
    std::vector<V> args = {ret, loop->getArg(3)};
    for (size_t k = 0; k < nin; ++k) {
      V x = b.CreateLoad(elem[k], address(k, i, contiguous));
      TypeId t = f.arg_types[k];
      if (types.is_scalar(t) && types.scalar_kind(t) == ScalarKind::Bool)
        x = b.CreateICmpNE(x, llvm::ConstantInt::get(i8, 0));
      args.push_back(x);
    }
    return b.CreateCall(kernel, args);
  };
  auto body = [&](V i, bool contiguous) -> V {
    V status = call_kernel(i, contiguous);
    // The kernel's result, in memory form already, goes to the output.
    if (rmt) b.CreateStore(b.CreateLoad(rmt, ret), address(nin, i, contiguous));
    return status;
  };
  // Contiguous when every step is its element's size.
  V contiguous = llvm::ConstantInt::getTrue(ctx);
  for (size_t k = 0; k <= nin; ++k) {
    uint64_t size = ms.module.getDataLayout().getTypeAllocSize(elem[k]);
    contiguous =
        b.CreateAnd(contiguous, b.CreateICmpEQ(steps[k], llvm::ConstantInt::get(i64, size)));
  }
  auto *flat = llvm::BasicBlock::Create(ctx, "contiguous", loop);
  auto *strided = llvm::BasicBlock::Create(ctx, "strided", loop);
  auto *done = llvm::BasicBlock::Create(ctx, "done", loop);
  b.CreateCondBr(contiguous, flat, strided);
  b.SetInsertPoint(flat);
  if (stream_buffer)
    emit_streamed_path(ms, b, loop, {ret, stream_buffer, ptrs[nin], status_slot}, rmt, call_kernel,
                       body, fail, done);
  counted_loop(
      b, loop, loop->getArg(1), status_slot, [&](V i) { return body(i, true); }, fail);
  b.CreateBr(done);
  b.SetInsertPoint(strided);
  counted_loop(
      b, loop, loop->getArg(1), status_slot, [&](V i) { return body(i, false); }, fail);
  b.CreateBr(done);
  b.SetInsertPoint(done);
  b.CreateRet(llvm::ConstantInt::get(i32, EMBER_OK));
  b.SetInsertPoint(fail);
  b.CreateRet(b.CreateLoad(i32, status_slot));
}

void emit_gufunc_loop(ModuleState &ms, const Function &f, llvm::Function *kernel,
                      const std::string &name, const std::vector<std::vector<int>> &core_dims) {
  llvm::LLVMContext &ctx = ms.module.getContext();
  DataModel &dm = ms.dm;
  TypeContext &types = dm.types();
  llvm::Type *ptr = dm.pointer_type(), *i64 = llvm::Type::getInt64Ty(ctx),
             *i32 = llvm::Type::getInt32Ty(ctx), *i8 = llvm::Type::getInt8Ty(ctx);
  auto *ft = llvm::FunctionType::get(i32, {ptr, ptr, ptr, ptr}, false);
  auto *loop = llvm::Function::Create(ft, llvm::GlobalValue::ExternalLinkage, name, ms.module);
  loop->addFnAttr(llvm::Attribute::NoUnwind);
  llvm::IRBuilder<> b(llvm::BasicBlock::Create(ctx, "entry", loop));
  size_t nargs = f.arg_types.size();
  internal_assert(core_dims.size() == nargs) << "gufunc layout and kernel arity differ";
  llvm::Type *rmt = dm.memory_type(f.return_type);
  V ret = ms.alloca_generic(b, rmt ? rmt : i8);
  V status_slot = ms.alloca_generic(b, i32);
  V dims = loop->getArg(1), steps_arg = loop->getArg(2);
  auto dim = [&](int j) {
    return b.CreateLoad(i64, b.CreateConstGEP1_64(i64, dims, static_cast<uint64_t>(j)));
  };
  auto step = [&](size_t j) { return b.CreateLoad(i64, b.CreateConstGEP1_64(i64, steps_arg, j)); };
  std::vector<V> ptrs, outer;
  for (size_t k = 0; k < nargs; ++k) {
    ptrs.push_back(b.CreateLoad(ptr, b.CreateConstGEP1_64(ptr, loop->getArg(0), k)));
    outer.push_back(step(k));
  }
  // Core strides follow the outer steps, argument by argument, core dimension by dimension.
  std::vector<std::vector<V>> core_shape(nargs), core_strides(nargs);
  size_t next = nargs;
  for (size_t k = 0; k < nargs; ++k)
    for (int j : core_dims[k]) {
      core_shape[k].push_back(dim(1 + j));
      core_strides[k].push_back(step(next++));
    }
  auto *fail = llvm::BasicBlock::Create(ctx, "fail", loop);
  counted_loop(
      b, loop, dim(0), status_slot,
      [&](V i) -> V {
        std::vector<V> args = {ret, loop->getArg(3)};
        for (size_t k = 0; k < nargs; ++k) {
          TypeId t = f.arg_types[k];
          V base = b.CreateGEP(i8, ptrs[k], b.CreateMul(i, outer[k]));
          if (!types.is_array(t)) {
            V x = b.CreateLoad(dm.memory_type(t), base);
            if (types.is_scalar(t) && types.scalar_kind(t) == ScalarKind::Bool)
              x = b.CreateICmpNE(x, llvm::ConstantInt::get(i8, 0));
            args.push_back(x);
            continue;
          }
          // A view of this argument's core: its core dimensions, or one element for "()".
          int nd = types.ndim(t);
          auto *st = llvm::cast<llvm::StructType>(dm.array_type(nd));
          V arr = llvm::UndefValue::get(st);
          uint64_t itemsize = static_cast<uint64_t>(bit_width(types.dtype(t)) / 8);
          arr = b.CreateInsertValue(
              arr, llvm::ConstantPointerNull::get(llvm::cast<llvm::PointerType>(ptr)),
              {DataModel::kMeminfo});
          arr = b.CreateInsertValue(
              arr, llvm::ConstantPointerNull::get(llvm::cast<llvm::PointerType>(ptr)),
              {DataModel::kParent});
          arr = b.CreateInsertValue(arr, llvm::ConstantInt::get(i64, itemsize),
                                    {DataModel::kItemsize});
          arr = b.CreateInsertValue(arr, base, {DataModel::kData});
          V nitems = llvm::ConstantInt::get(i64, 1);
          for (int a = 0; a < nd; ++a) {
            bool have = static_cast<size_t>(a) < core_shape[k].size();
            V extent =
                have ? core_shape[k][static_cast<size_t>(a)] : llvm::ConstantInt::get(i64, 1);
            V stride = have ? core_strides[k][static_cast<size_t>(a)]
                            : llvm::ConstantInt::get(i64, itemsize);
            nitems = b.CreateMul(nitems, extent);
            arr = b.CreateInsertValue(arr, extent, {DataModel::kShape, static_cast<unsigned>(a)});
            arr = b.CreateInsertValue(arr, stride, {DataModel::kStrides, static_cast<unsigned>(a)});
          }
          arr = b.CreateInsertValue(arr, nitems, {DataModel::kNitems});
          args.push_back(arr);
        }
        return b.CreateCall(kernel, args);
      },
      fail);
  b.CreateRet(llvm::ConstantInt::get(i32, EMBER_OK));
  b.SetInsertPoint(fail);
  b.CreateRet(b.CreateLoad(i32, status_slot));
}

}  // namespace ember
